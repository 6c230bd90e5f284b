#!/usr/bin/env python3
"""Soak driver for kling-balances (standard library only); soak.sh runs it in three steps.

  stubs   load healthy WireMock mappings for both upstreams
  drive   concurrent clients on /balances while upstream faults toggle through phases
  report  request journal analysis (upstream calls, QPS rule) plus client figures and heap

Every address is 127.0.0.1; the upstream hosts are WireMock.
"""

import argparse
import base64
import http.client
import os
import json
import random
import re
import sys
import threading
import time
import urllib.parse
import urllib.request

# Kling accounts: id -> the credential WireMock tells them apart by (api key, or the JWT issuer).
KLING_API_KEYS = {
    "soak-a": "soak-kling-key-aaaaaaaaaaaa",
    "soak-b": "soak-kling-key-bbbbbbbbbbbb",
    "soak-c": "soak-kling-key-cccccccccccc",
    "soak-d": "soak-kling-key-dddddddddddd",
}
KLING_JWT_ACCOUNT = "soak-jwt"
KLING_JWT_ISSUER = "soak-access-key-eeeeeeee"
KLING_ACCOUNTS = list(KLING_API_KEYS) + [KLING_JWT_ACCOUNT]
KLING_REMAINING = {"soak-a": 118, "soak-b": 40, "soak-c": 900, "soak-d": 7, "soak-jwt": 2500}
USEAPI_EMAILS = ["alpha@example.com", "beta+video@example.com", "gamma@example.com"]
USEAPI_BALANCE = {"alpha@example.com": 56000, "beta+video@example.com": 1200, "gamma@example.com": 300}
SECRETS = list(KLING_API_KEYS.values()) + ["soak-secret-key-eeeeeeeeeeeeeeeeeeeeeeeeeeee",
                                           "soak-useapi-token-ffffffffffff"]
# The service's own rules, as configured by soak.sh (production defaults).
KLING_MIN_GAP_MS = 1000          # Kling: QPS <= 1 per credential, sliding window
USEAPI_REQUESTS_PER_SECOND = 2   # balances.useapi.requests-per-second default


# ---------------------------------------------------------------- WireMock admin

def admin(wiremock, method, path, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(wiremock + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def add_mapping(wiremock, mapping):
    return admin(wiremock, "POST", "/__admin/mappings", mapping)["id"]


def kling_auth(account):
    if account == KLING_JWT_ACCOUNT:
        return {"matches": r"Bearer eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"}
    return {"equalTo": "Bearer " + KLING_API_KEYS[account]}


def kling_request(account):
    return {"method": "GET", "urlPath": "/kling/account/costs",
            "headers": {"Authorization": kling_auth(account)}}


def useapi_path(email):
    return "/useapi/v1/kling/accounts/" + re.escape(email).replace(r"\+", r"(\+|%2B)")


def useapi_request(email):
    return {"method": "GET", "urlPathPattern": useapi_path(email)}


def kling_costs(remaining):
    now = int(time.time() * 1000)
    day = 86_400_000
    return {"code": 0, "message": "SUCCEED", "request_id": "soak", "data": {"code": 0, "msg": "ok",
            "resource_pack_subscribe_infos": [
                {"resource_pack_name": "Video Generation", "resource_pack_id": "pack-1",
                 "resource_pack_type": "decreasing_total", "total_quantity": remaining * 2,
                 "remaining_quantity": remaining, "purchase_time": now - day, "effective_time": now - day,
                 "invalid_time": now + 60 * day, "status": "online"}]}}


def useapi_account(email, balance):
    now = int(time.time())
    return {"email": email, "session": {"ExpireTime": now + 86_400}, "maxJobs": 5, "password": "…secured…",
            "balance": {"points": [{"orderId": "o-1", "type": "plan", "amount": balance * 2, "balance": balance,
                                    "startTime": now - 86_400, "endTime": now + 60 * 86_400}],
                        "tickets": [], "nextApplyTime": now + 7 * 86_400, "total": balance}}


def json_response(body, status=200, **extra):
    response = {"status": status, "headers": {"Content-Type": "application/json"}, "jsonBody": body}
    response.update(extra)
    return response


def load_stubs(wiremock):
    admin(wiremock, "POST", "/__admin/reset")
    for account in KLING_ACCOUNTS:
        add_mapping(wiremock, {"priority": 5, "request": kling_request(account),
                               "response": json_response(kling_costs(KLING_REMAINING[account]))})
    listing = {email: {"email": email, "maxJobs": 5, "password": "…secured…"} for email in USEAPI_EMAILS}
    add_mapping(wiremock, {"priority": 5, "request": {"method": "GET", "urlPath": "/useapi/v1/kling/accounts"},
                           "response": json_response(listing)})
    for email in USEAPI_EMAILS:
        add_mapping(wiremock, {"priority": 5, "request": useapi_request(email),
                               "response": json_response(useapi_account(email, USEAPI_BALANCE[email]))})


# ---------------------------------------------------------------- fault phases

HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
HANG_MS = 8000  # beyond the 5 s response timeout (and the 4 s deadline)


def kling_error(account, status, code, message, headers=None):
    response = json_response({"code": code, "message": message, "request_id": "soak-fault"}, status)
    if headers:
        response["headers"].update(headers)
    return {"priority": 1, "request": kling_request(account), "response": response}


def phases():
    """(name, mappings) in order; the run cycles through them. The outage of every Kling account
    comes last: it opens both circuit breakers (30 s), and faults installed while they are open
    would never reach the stubs."""
    all_useapi = {"method": "GET", "urlPathPattern": "/useapi/.*"}
    big_body = "{\"pad\":\"" + ("x" * (1536 * 1024)) + "\"}"  # 1.5 MB, over the 1 MB cap
    return [
        ("healthy", []),
        ("kling soak-b: 503 HTML page", [
            {"priority": 1, "request": kling_request("soak-b"),
             "response": {"status": 503, "headers": {"Content-Type": "text/html"}, "body": HTML_502}}]),
        ("hang 8 s: kling soak-c, useapi gamma", [
            {"priority": 1, "request": kling_request("soak-c"),
             "response": json_response(kling_costs(KLING_REMAINING["soak-c"]), fixedDelayMilliseconds=HANG_MS)},
            {"priority": 1, "request": useapi_request("gamma@example.com"),
             "response": json_response(useapi_account("gamma@example.com", 300), fixedDelayMilliseconds=HANG_MS)}]),
        ("connection reset: kling soak-a; empty response: useapi beta", [
            {"priority": 1, "request": kling_request("soak-a"), "response": {"fault": "CONNECTION_RESET_BY_PEER"}},
            {"priority": 1, "request": useapi_request("beta+video@example.com"),
             "response": {"fault": "EMPTY_RESPONSE"}}]),
        ("useapi 429 Retry-After 2 on every path", [
            {"priority": 1, "request": all_useapi,
             "response": json_response({"error": "Too many requests", "code": 429}, 429,
                                       headers={"Content-Type": "application/json", "Retry-After": "2"})}]),
        ("kling soak-d 1302 Retry-After 1; kling soak-jwt 401/1004", [
            kling_error("soak-d", 429, 1302, "rate limit exceeded", {"Retry-After": "1"}),
            kling_error(KLING_JWT_ACCOUNT, 401, 1004, "token expired")]),
        ("malformed chunk: kling soak-b; 1.5 MB body: useapi alpha", [
            {"priority": 1, "request": kling_request("soak-b"), "response": {"fault": "MALFORMED_RESPONSE_CHUNK"}},
            {"priority": 1, "request": useapi_request("alpha@example.com"),
             "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": big_body}}]),
        ("hang 8 s: kling soak-a; useapi beta 503", [
            {"priority": 1, "request": kling_request("soak-a"),
             "response": json_response(kling_costs(KLING_REMAINING["soak-a"]), fixedDelayMilliseconds=HANG_MS)},
            {"priority": 1, "request": useapi_request("beta+video@example.com"),
             "response": {"status": 503, "body": "Service Unavailable"}}]),
        ("healthy", []),
        ("kling maintenance 5001 on every account; useapi discovery 502 HTML", [
            *[kling_error(account, 503, 5001, "maintenance") for account in KLING_ACCOUNTS],
            {"priority": 1, "request": {"method": "GET", "urlPath": "/useapi/v1/kling/accounts"},
             "response": {"status": 502, "headers": {"Content-Type": "text/html"}, "body": HTML_502}}]),
        ("healthy (circuit breakers recover)", []),
    ]


def toggle_faults(wiremock, phase_seconds, stop, log):
    schedule = phases()
    active = []
    index = 0
    while not stop.is_set():
        name, mappings = schedule[index % len(schedule)]
        for mapping_id in active:
            admin(wiremock, "DELETE", "/__admin/mappings/" + mapping_id)
        active = [add_mapping(wiremock, mapping) for mapping in mappings]
        log.append({"at": time.time(), "phase": name})
        index += 1
        stop.wait(phase_seconds)
    for mapping_id in active:
        admin(wiremock, "DELETE", "/__admin/mappings/" + mapping_id)
    log.append({"at": time.time(), "phase": "healthy (end)"})


# ---------------------------------------------------------------- clients

def request_mix():
    """(weight, kind, path factory)."""
    return [
        (50, "all", lambda: "/balances"),
        (10, "all-refresh", lambda: "/balances?refresh=true"),
        (8, "provider", lambda: "/balances?provider=" + random.choice(["kling", "useapi"])),
        (4, "provider-refresh", lambda: "/balances?refresh=true&provider=" + random.choice(["kling", "useapi"])),
        (12, "kling-account", lambda: "/balances/kling/" + random.choice(KLING_ACCOUNTS)
            + random.choice(["", "", "?refresh=true"])),
        (12, "useapi-account", lambda: "/balances/useapi/" + urllib.parse.quote(random.choice(USEAPI_EMAILS), safe="@+")
            + random.choice(["", "", "?refresh=true"])),
        (4, "health", lambda: "/actuator/health/readiness"),
    ]


class ClientStats:
    def __init__(self):
        self.samples = []          # (latency seconds, status, kind)
        self.transport_errors = 0
        self.zero_for_failure = []  # accounts with an error whose remaining is 0 without being a stale good value
        self.missing_accounts = 0   # full answers that did not list every configured account
        self.wrong_figures = []     # a listed figure that is not the stub's value


def check_accounts(stats, accounts, expect_all):
    names = set()
    for account in accounts:
        names.add((account.get("provider"), account.get("account")))
        remaining = account.get("remaining")
        error = account.get("error")
        if remaining is not None:
            expected = (KLING_REMAINING if account["provider"] == "kling" else USEAPI_BALANCE).get(account["account"])
            if float(remaining) != float(expected):
                stats.wrong_figures.append((account["provider"], account["account"], remaining, error))
            if error is not None and not account.get("stale"):
                stats.zero_for_failure.append((account["provider"], account["account"], remaining, error["code"]))
        if error is not None and remaining is not None and float(remaining) == 0.0:
            stats.zero_for_failure.append((account["provider"], account["account"], remaining, error["code"]))
    if expect_all:
        expected = {("kling", a) for a in KLING_ACCOUNTS} | {("useapi", e) for e in USEAPI_EMAILS}
        if not expected <= names:
            stats.missing_accounts += 1


# The consumer key soak.sh configured (empty when the service runs with security mode none).
CLIENT_HEADERS = {"Accept": "application/json", **({"X-API-Key": os.environ["SOAK_API_KEY"]}
                                                   if os.environ.get("SOAK_API_KEY") else {})}


def client(app, stop, stats, mix):
    host, port = urllib.parse.urlsplit(app).hostname, urllib.parse.urlsplit(app).port
    weights = [weight for weight, _, _ in mix]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while not stop.is_set():
        _, kind, path = random.choices(mix, weights=weights)[0]
        target = path()
        started = time.monotonic()
        try:
            connection.request("GET", target, headers=CLIENT_HEADERS)
            response = connection.getresponse()
            body = response.read()
            latency = time.monotonic() - started
        except (OSError, http.client.HTTPException):
            stats.transport_errors += 1
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            continue
        stats.samples.append((latency, response.status, kind))
        if response.status == 200 and kind != "health":
            document = json.loads(body)
            if kind in ("kling-account", "useapi-account"):
                check_accounts(stats, [document], False)
            else:
                check_accounts(stats, document["accounts"], kind in ("all", "all-refresh"))
    connection.close()


def drive(args):
    stop = threading.Event()
    mix = request_mix()
    stats = [ClientStats() for _ in range(args.clients)]
    threads = [threading.Thread(target=client, args=(args.app, stop, s, mix), daemon=True) for s in stats]
    phase_log = []
    toggler = threading.Thread(target=toggle_faults, args=(args.wiremock, args.phase_seconds, stop, phase_log),
                               daemon=True)
    started = time.time()
    toggler.start()
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    toggler.join(timeout=60)
    ended = time.time()
    samples = [sample for s in stats for sample in s.samples]
    result = {
        "started": started, "ended": ended, "clients": args.clients, "phases": phase_log,
        "latencies": [round(latency, 6) for latency, _, _ in samples],
        "statuses": [status for _, status, _ in samples],
        "kinds": [kind for _, _, kind in samples],
        "transport_errors": sum(s.transport_errors for s in stats),
        "zero_for_failure": [z for s in stats for z in s.zero_for_failure][:50],
        "zero_for_failure_count": sum(len(s.zero_for_failure) for s in stats),
        "wrong_figures": [w for s in stats for w in s.wrong_figures][:50],
        "wrong_figures_count": sum(len(s.wrong_figures) for s in stats),
        "missing_accounts": sum(s.missing_accounts for s in stats),
    }
    with open(args.out + "/clients.json", "w") as out:
        json.dump(result, out)
    print("[soak] %d requests in %.0f s" % (len(samples), ended - started), file=sys.stderr)


# ---------------------------------------------------------------- report

def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


def jwt_issuer(token):
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload)).get("iss")
    except (IndexError, ValueError):
        return None


def kling_account_of(authorization):
    token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else authorization
    for account, key in KLING_API_KEYS.items():
        if token == key:
            return account
    if jwt_issuer(token) == KLING_JWT_ISSUER:
        return KLING_JWT_ACCOUNT
    return "unknown"


def heap_used_kb(path):
    with open(path) as heap:
        for line in heap:
            match = re.search(r"heap\s+total (\d+)K, used (\d+)K", line)
            if match:
                return int(match.group(2)), int(match.group(1))
    return None, None


def report(args):
    with open(args.out + "/clients.json") as source:
        clients = json.load(source)
    journal = admin(args.wiremock, "GET", "/__admin/requests", timeout=300)["requests"]
    kling_times, useapi_times, useapi_paths = {}, [], {}
    trace = []
    for event in journal:
        request = event["request"]
        path = urllib.parse.urlsplit(request["url"]).path
        logged = request["loggedDate"]
        outcome = (event.get("responseDefinition") or {}).get("fault") or (event.get("response") or {}).get("status")
        if path.startswith("/kling/"):
            authorization = request.get("headers", {}).get("Authorization", "")
            kling_times.setdefault(kling_account_of(authorization), []).append(logged)
            trace.append((logged, "kling", kling_account_of(authorization), outcome))
        elif path.startswith("/useapi/"):
            useapi_times.append(logged)
            name = urllib.parse.unquote(path[len("/useapi/v1/kling/accounts"):].lstrip("/")) or "(discovery)"
            useapi_paths[name] = useapi_paths.get(name, 0) + 1
            trace.append((logged, "useapi", name, outcome))
    trace.sort()
    with open(args.out + "/upstream-requests.tsv", "w") as out:
        out.write("logged_ms\tupstream\taccount\toutcome\n")
        out.writelines("%d\t%s\t%s\t%s\n" % row for row in trace)

    kling_violations, kling_min_gap = 0, {}
    for account, times in kling_times.items():
        times.sort()
        gaps = [b - a for a, b in zip(times, times[1:])]
        kling_violations += sum(1 for gap in gaps if gap < KLING_MIN_GAP_MS)
        kling_min_gap[account] = min(gaps) if gaps else None
    useapi_times.sort()
    useapi_violations, useapi_max_window, j = 0, 0, 0
    for i, start in enumerate(useapi_times):
        while j < len(useapi_times) and useapi_times[j] < start + 1000:
            j += 1
        in_window = j - i
        useapi_max_window = max(useapi_max_window, in_window)
        if in_window > USEAPI_REQUESTS_PER_SECOND:
            useapi_violations += 1
            if useapi_violations <= 5:
                print("[soak] useapi window over the limit: %s" % [t - start for t in useapi_times[i:j]],
                      file=sys.stderr)
    useapi_gaps = [b - a for a, b in zip(useapi_times, useapi_times[1:])]

    statuses = clients["statuses"]
    latencies = clients["latencies"]
    balance_latencies = [l for l, k in zip(latencies, clients["kinds"]) if k != "health"]
    by_kind = {}
    for latency, kind in zip(latencies, clients["kinds"]):
        by_kind.setdefault(kind, []).append(latency)
    non_2xx = sum(1 for s in statuses if not 200 <= s < 300)
    server_errors = sum(1 for s in statuses if s >= 500)
    by_status = {}
    for s in statuses:
        by_status[s] = by_status.get(s, 0) + 1
    duration = clients["ended"] - clients["started"]
    before_used, before_total = heap_used_kb(args.out + "/heap-before.txt")
    after_used, after_total = heap_used_kb(args.out + "/heap-after.txt")
    with open(args.app_log, errors="replace") as log:
        app_log = log.read()
    leaked = [s for s in SECRETS if s in app_log]
    fetch_outcomes = {}
    try:
        with urllib.request.urlopen(args.app + "/actuator/prometheus", timeout=30) as response:
            for line in response.read().decode().splitlines():
                match = re.match(r'balances_fetch_seconds_count\{cache="([^"]+)",outcome="([^"]+)"[^}]*\} (\S+)', line)
                if match:
                    fetch_outcomes["%s %s" % (match.group(1), match.group(2))] = int(float(match.group(3)))
    except OSError:
        pass

    ok = (server_errors == 0 and kling_violations == 0 and useapi_violations == 0
          and clients["zero_for_failure_count"] == 0 and clients["transport_errors"] == 0 and not leaked)
    lines = [
        "# Soak run",
        "",
        "command: `%s`" % args.command,
        "date: %s (UTC)" % time.strftime("%Y-%m-%d %H:%M", time.gmtime(clients["started"])),
        "",
        "| figure | value |",
        "|---|---|",
        "| duration, clients | %.0f s, %d |" % (duration, clients["clients"]),
        "| requests served | %d (%.0f/s) |" % (len(statuses), len(statuses) / duration),
        "| by status | %s |" % ", ".join("%d: %d" % kv for kv in sorted(by_status.items())),
        "| non-2xx | %d |" % non_2xx,
        "| 5xx | %d |" % server_errors,
        "| transport errors (no HTTP answer) | %d |" % clients["transport_errors"],
        "| latency p50 / p99 / max (balances requests) | %.1f ms / %.1f ms / %.1f ms |" % (
            percentile(balance_latencies, 0.5) * 1000, percentile(balance_latencies, 0.99) * 1000,
            max(balance_latencies) * 1000 if balance_latencies else float("nan")),
        "| latency p50 / p99 by request kind | %s |" % "; ".join(
            "%s %.0f / %.0f ms (%d)" % (kind, percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000,
                                        len(values)) for kind, values in sorted(by_kind.items())),
        "| upstream calls, Kling (per account) | %s |" % ", ".join(
            "%s %d" % (a, len(t)) for a, t in sorted(kling_times.items())),
        "| upstream calls, useapi.net (per path) | %s |" % ", ".join(
            "%s %d" % kv for kv in sorted(useapi_paths.items())),
        "| Kling QPS violations (same credential < 1 s apart) | %d (smallest gap per account: %s) |" % (
            kling_violations, ", ".join("%s %s ms" % kv for kv in sorted(kling_min_gap.items()))),
        "| useapi.net QPS violations (> %d requests in a sliding 1 s window) | %d (most in any 1 s: %d; "
        "smallest gap %s ms) |" % (USEAPI_REQUESTS_PER_SECOND, useapi_violations, useapi_max_window,
                                  min(useapi_gaps) if useapi_gaps else "-"),
        "| failures shown as a number that is not a stale good value | %d |" % clients["zero_for_failure_count"],
        "| full answers missing an account | %d |" % clients["missing_accounts"],
        "| figures differing from the stub's | %d |" % clients["wrong_figures_count"],
        "| heap used after full GC, before / after the run | %s / %s (of %s committed) |" % (
            kb(before_used), kb(after_used), kb(after_total)),
        "| secrets found in the service log | %d |" % len(leaked),
        "| fetch outcomes (service metrics) | %s |" % ", ".join(
            "%s %d" % kv for kv in sorted(fetch_outcomes.items())),
        "",
        "phases (every %s): %s" % ("%.0f s" % (clients["phases"][1]["at"] - clients["phases"][0]["at"])
                                  if len(clients["phases"]) > 1 else "-",
                                  "; ".join(p["phase"] for p in clients["phases"])),
        "",
        "verdict: %s" % ("PASS" if ok else "FAIL"),
    ]
    if clients["zero_for_failure"]:
        lines += ["", "failures shown with a figure (first 50): %s" % clients["zero_for_failure"]]
    text = "\n".join(lines) + "\n"
    with open(args.out + "/report.md", "w") as out:
        out.write(text)
    print(text)
    return 0 if ok else 1


def kb(value):
    return "-" if value is None else "%.1f MB" % (value / 1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    stubs = sub.add_parser("stubs")
    stubs.add_argument("--wiremock", required=True)
    run = sub.add_parser("drive")
    run.add_argument("--app", required=True)
    run.add_argument("--wiremock", required=True)
    run.add_argument("--duration", type=float, default=180)
    run.add_argument("--clients", type=int, default=16)
    run.add_argument("--phase-seconds", type=float, default=15)
    run.add_argument("--out", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("--app", required=True)
    rep.add_argument("--wiremock", required=True)
    rep.add_argument("--out", required=True)
    rep.add_argument("--app-log", required=True)
    rep.add_argument("--command", default="scripts/soak/soak.sh")
    args = parser.parse_args()
    for url in [getattr(args, "app", None), args.wiremock]:
        if url and urllib.parse.urlsplit(url).hostname != "127.0.0.1":
            parser.error("only 127.0.0.1 is allowed: " + url)
    if args.step == "stubs":
        load_stubs(args.wiremock)
        return 0
    if args.step == "drive":
        drive(args)
        return 0
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
