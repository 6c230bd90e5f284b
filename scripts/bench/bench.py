#!/usr/bin/env python3
"""Helpers of scripts/bench/bench.sh: parsing, WireMock stubs, polling, JFR aggregation, reports.

Not meant to be run on its own; bench.sh is the entry point. Standard library only.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

# ---------------------------------------------------------------------------------------------
# wrk output


def to_ms(text):
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError("unreadable latency " + text)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}[unit]


def parse_wrk(text):
    """Requests/s, p50, p99, requests and the error counts of one `wrk --latency` run."""
    result = {"non_2xx_3xx": 0, "connect_errors": 0, "read_errors": 0, "write_errors": 0, "timeouts": 0}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(line.split()[1])
        elif re.match(r"^\d+ requests in ", line):
            result["requests"] = int(line.split()[0])
        elif line.startswith("50%"):
            result["p50_ms"] = to_ms(line.split()[1])
        elif line.startswith("99%"):
            result["p99_ms"] = to_ms(line.split()[1])
        elif line.startswith("Non-2xx or 3xx responses:"):
            result["non_2xx_3xx"] = int(line.split(":")[1])
        elif line.startswith("Socket errors:"):
            for name, count in re.findall(r"(connect|read|write|timeout) (\d+)", line):
                key = "timeouts" if name == "timeout" else name + "_errors"
                result[key] = int(count)
    missing = [key for key in ("rps", "requests", "p50_ms", "p99_ms") if key not in result]
    if missing:
        raise ValueError("wrk output lacks " + ", ".join(missing))
    return result


# ---------------------------------------------------------------------------------------------
# HTTP


def get(url, headers=None, timeout=30):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


def admin(wiremock, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(wiremock + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def server_statuses(app):
    """http.server.requests counts by (uri, status), from the service's Prometheus endpoint."""
    _, body = get(app + "/actuator/prometheus")
    counts = Counter()
    for line in body.decode().splitlines():
        if not line.startswith("http_server_requests_seconds_count{"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', line[line.index("{") + 1:line.rindex("}")]))
        if labels.get("uri") == "/actuator/prometheus":
            continue
        counts[labels.get("uri", "?") + " " + labels.get("status", "?")] += int(float(line.rsplit(" ", 1)[1]))
    return counts


def jit_counters(pid):
    """Compilations so far and the time spent in them (ms), from the JVM's hsperfdata file: no
    jcmd, which would start a JVM on every call."""
    import glob
    import struct
    paths = glob.glob(f"/tmp/hsperfdata_*/{pid}")
    if not paths:
        return 0, 0
    with open(paths[0], "rb") as perf:
        data = perf.read()
    order = "<" if data[4] == 1 else ">"
    entry_offset, entries = struct.unpack(order + "ii", data[24:32])
    values = {}
    offset = entry_offset
    for _ in range(entries):
        length, name_offset, vector_length = struct.unpack(order + "iii", data[offset:offset + 12])
        data_type = chr(data[offset + 12])
        data_offset = struct.unpack(order + "i", data[offset + 16:offset + 20])[0]
        name = data[offset + name_offset:data.index(b"\0", offset + name_offset)].decode()
        if data_type == "J" and vector_length == 0:
            values[name] = struct.unpack(order + "q", data[offset + data_offset:offset + data_offset + 8])[0]
        offset += length
    frequency = values.get("sun.os.hrt.frequency", 1_000_000_000) or 1
    return values.get("sun.ci.totalCompiles", 0), values.get("java.ci.totalTime", 0) * 1000 // frequency


# ---------------------------------------------------------------------------------------------
# compare mode: one record per measurement in results.jsonl, then the report


def median(values):
    return statistics.median(values) if values else None


def spread(values, fmt):
    if not values:
        return "-"
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def f0(value):
    return f"{value:,.0f}"


def f1(value):
    return f"{value:.1f}"


def f2(value):
    return f"{value:.2f}"


def compare_report(records):
    wrk = [r for r in records if r["kind"] == "wrk"]
    targets = list(dict.fromkeys(r["target"] for r in wrk))
    bare_by_round = {r["round"]: r for r in wrk if r["app"] == "bare"}
    lines = ["| target | req/s | ratio to bare | p50 ms | p99 ms | p99 ratio | CPU µs/req | CPU ratio "
             "| non-2xx/3xx | timeouts | statuses the server counted |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for target in targets:
        runs = [r for r in wrk if r["target"] == target]
        rps = [r["wrk"]["rps"] for r in runs]
        p50 = [r["wrk"]["p50_ms"] for r in runs]
        p99 = [r["wrk"]["p99_ms"] for r in runs]
        cpu = [r["cpu_us_per_request"] for r in runs if r.get("cpu_us_per_request")]
        ratio, p99_ratio, cpu_ratio = [], [], []
        for r in runs:
            bare = bare_by_round.get(r["round"])
            if bare:
                ratio.append(r["wrk"]["rps"] / bare["wrk"]["rps"])
                p99_ratio.append(r["wrk"]["p99_ms"] / bare["wrk"]["p99_ms"])
                if r.get("cpu_us_per_request") and bare.get("cpu_us_per_request"):
                    cpu_ratio.append(r["cpu_us_per_request"] / bare["cpu_us_per_request"])
        errors = sum(r["wrk"]["non_2xx_3xx"] for r in runs)
        timeouts = sum(r["wrk"]["timeouts"] for r in runs)
        statuses = Counter()
        for r in runs:
            statuses.update(r.get("statuses") or {})
        status_text = ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items())) or "-"
        lines.append(f"| {target} | {spread(rps, f0)} | {spread(ratio, f2)} | {spread(p50, f1)} | "
                     f"{spread(p99, f1)} | {spread(p99_ratio, f2)} | {spread(cpu, f0)} | {spread(cpu_ratio, f2)} | "
                     f"{errors} | {timeouts} | {status_text} |")
    for r in wrk:
        if "304" in r["target"] and r.get("statuses"):
            not_304 = {k: v for k, v in r["statuses"].items() if not k.endswith(" 304")}
            if not_304:
                lines.append(f"\n**Warning:** round {r['round']} of '{r['target']}' also answered {not_304}: "
                             "the ETag changed during the run.")
    rounds = sorted({r["round"] for r in wrk})
    out = [f"Load: `{wrk[0]['command']}` per target, {len(rounds)} round(s); "
           "cells are the median of the rounds (min–max); a ratio compares with the bare app "
           "in the same round.", ""] if wrk else []
    out += lines
    startup, startup_cpu = defaultdict(list), defaultdict(list)
    for r in records:
        if r["kind"] == "startup":
            startup[r["app"]].append(r["ms"])
            startup_cpu[r["app"]].append(r["cpu_ms"])
    if startup:
        out += ["", "| start-up to ready | wall ms, runs | median | best | CPU ms until ready, runs | median CPU |",
                "|---|---|---|---|---|---|"]
        for app, values in startup.items():
            cpu = startup_cpu[app]
            out.append(f"| {app} | {', '.join(f0(v) for v in values)} | {f0(median(values))} | {f0(min(values))} | "
                       f"{', '.join(f0(v) for v in cpu)} | {f0(median(cpu))} |")
        if "service" in startup and "bare" in startup:
            out.append(f"| ratio service/bare | | {f2(median(startup['service']) / median(startup['bare']))} "
                       f"| {f2(min(startup['service']) / min(startup['bare']))} | "
                       f"| {f2(median(startup_cpu['service']) / median(startup_cpu['bare']))} |")
    out += goals_table(wrk, bare_by_round, startup, startup_cpu, records)
    loads = [f"r{r['round']} {r['target']}: {r['loadavg']}" for r in wrk]
    if loads:
        out += ["", "Load average (1 min) before / after each run: " + "; ".join(loads) + "."]
    rss = [r for r in records if r["kind"] == "rss"]
    if rss:
        out += ["", "| RSS (VmRSS) | after start | after load |", "|---|---|---|"]
        by_app = defaultdict(dict)
        for r in rss:
            by_app[r["app"]][r["when"]] = r["kb"]
        for app, values in by_app.items():
            out.append(f"| {app} | {mb(values.get('ready'))} | {mb(values.get('after load'))} |")
        if "service" in by_app and "bare" in by_app and by_app["bare"].get("after load"):
            out.append(f"| ratio service/bare | | "
                       f"{f2(by_app['service']['after load'] / by_app['bare']['after load'])} |")
    return "\n".join(out)


# The goals of issue 20 that a compare run measures (the container's start-up: container-startup.sh).
GOALS = [
    ("cached `/balances`, open", "GET /balances (open)", "rps", "≥ 0.85 ×"),
    ("cached `/balances`, API key", "GET /balances (X-API-Key)", "rps", "≥ 0.8 ×"),
    ("cached `/balances/{provider}/{account}`", "GET /balances/kling/studio-main", "rps", "≥ 0.85 ×"),
    ("a 304", "GET /balances → 304 (If-None-Match)", "rps", "≥ 1.0 ×"),
]


def goals_table(wrk, bare_by_round, startup, startup_cpu, records):
    def ratios(target, key):
        values = []
        for r in wrk:
            bare = bare_by_round.get(r["round"])
            if r["target"] == target and bare:
                if key == "rps":
                    values.append(r["wrk"]["rps"] / bare["wrk"]["rps"])
                elif key == "p99":
                    values.append(r["wrk"]["p99_ms"] / bare["wrk"]["p99_ms"])
                elif r.get("cpu_us_per_request") and bare.get("cpu_us_per_request"):
                    values.append(r["cpu_us_per_request"] / bare["cpu_us_per_request"])
        return values

    if not wrk:
        return []
    out = ["", "Goals of issue 20 (ratio to the bare app in the same round: median (min–max); CPU µs/req ratio "
           "beside it, the steadier figure on a busy machine):", "",
           "| figure | this run | CPU per request ratio | goal |", "|---|---|---|---|"]
    for label, target, key, goal in GOALS:
        out.append(f"| {label} | {spread(ratios(target, key), f2)} | {spread(ratios(target, 'cpu'), f2)} | {goal} |")
    p99 = [v for label, target, _, _ in GOALS for v in ratios(target, "p99")]
    out.append(f"| p99 under the same load (the four above) | {spread(p99, f2)} | | ≤ 1.5 × |")
    if "service" in startup and "bare" in startup:
        out.append(f"| start-up to ready, `java -jar`, same JVM | "
                   f"{f2(median(startup['service']) / median(startup['bare']))} (wall, medians) | "
                   f"{f2(median(startup_cpu['service']) / median(startup_cpu['bare']))} (CPU until ready) | ≤ 1.5 × |")
    rss = {(r["app"], r["when"]): r["kb"] for r in records if r["kind"] == "rss"}
    if rss.get(("service", "after load")) and rss.get(("bare", "after load")):
        out.append(f"| RSS after load | {f2(rss[('service', 'after load')] / rss[('bare', 'after load')])} | | ≤ 1.2 × |")
    out.append("| start-up in the container | `scripts/bench/container-startup.sh` | | ≤ 1.5 × |")
    return out


def mb(kb):
    return "-" if kb is None else f"{kb / 1024:.0f} MB"


# ---------------------------------------------------------------------------------------------
# fanout mode


def fanout_stubs(wiremock, delay_ms):
    """Every Kling /account/costs and useapi.net /v1/kling/accounts/{email} answers well, late."""
    now_ms = int(time.time() * 1000)
    now_s = now_ms // 1000
    day_ms = 86_400_000
    kling = {"code": 0, "message": "SUCCEED", "request_id": "bench",
             "data": {"code": 0, "msg": "SUCCEED", "resource_pack_subscribe_infos": [
                 {"resource_pack_name": "Video Generation - 10,000 entries", "resource_pack_id": "p1",
                  "resource_pack_type": "decreasing_total", "total_quantity": 200.0, "remaining_quantity": 118.0,
                  "purchase_time": now_ms - 30 * day_ms, "effective_time": now_ms - 30 * day_ms,
                  "invalid_time": now_ms + 180 * day_ms, "status": "online"}]}}
    useapi = {"email": "bench@example.com",
              "session": {"userId": "bench", "ExpireTime": now_s + 86_400},
              "maxJobs": 5,
              "balance": {"points": [{"orderId": "o-1", "type": "plan", "amount": 66000, "balance": 56000,
                                      "startTime": now_s - 86_400, "endTime": now_s + 30 * 86_400}],
                          "tickets": [], "total": 56000}}
    admin(wiremock, "POST", "/__admin/reset")
    for url, body in (({"urlPath": "/kling/account/costs"}, kling),
                      ({"urlPathPattern": "/useapi/v1/kling/accounts/[^/]+"}, useapi)):
        admin(wiremock, "POST", "/__admin/mappings", {
            "request": dict(method="GET", **url),
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": json.dumps(body), "fixedDelayMilliseconds": delay_ms}})


def upstream_calls(wiremock):
    """Requests WireMock received (the journal is reset with the stubs before each run)."""
    journal = json.loads(admin(wiremock, "GET", "/__admin/requests?limit=100000"))
    counts = Counter()
    first = None
    arrivals = defaultdict(list)
    for entry in journal.get("requests", []):
        logged = entry["request"].get("loggedDate")
        if logged is not None and (first is None or logged < first):
            first = logged
        url = entry["request"]["url"].split("?")[0]
        if url.startswith("/kling/"):
            kind = "kling"
        elif url.rstrip("/") == "/useapi/v1/kling/accounts":
            kind = "useapi discovery"
        elif url.startswith("/useapi/"):
            kind = "useapi"
        else:
            kind = "other"
        counts[kind] += 1
        if logged is not None:
            arrivals[kind].append(logged)
    for kind, times in arrivals.items():
        times.sort()
        gaps = [b - a for a, b in zip(times, times[1:])]
        counts[kind + " span ms"] = times[-1] - times[0]
        if gaps:
            counts[kind + " min gap ms"] = min(gaps)
        if kind == "useapi":
            # more than `requests-per-second` (2) arrivals in any 1 s window breaks useapi.net's rule
            counts["useapi 1 s windows over 2"] = sum(1 for i, t in enumerate(times)
                                                      if sum(1 for u in times[i:] if u - t < 1000) > 2)
            counts["useapi arrivals ms"] = [t - times[0] for t in times]
    return dict(counts), (first / 1000 if first is not None else None)


def fanout_poll(app, kling, useapi, ready_epoch, interval, timeout):
    """Polls /balances until every account has figures and no error; counts what it saw on the way."""
    expected = kling + useapi
    polls = 0
    observations = Counter()    # error code -> account observations
    messages = Counter()        # "code: message" -> account observations
    accounts_with = defaultdict(set)
    done = {}
    last = None
    deadline = ready_epoch + timeout
    while time.time() < deadline:
        started = time.time()
        try:
            _, body = get(app + "/balances", timeout=30)
            answer = json.loads(body)
        except (urllib.error.URLError, OSError, ValueError) as ex:
            observations["POLL_FAILED:" + type(ex).__name__] += 1
            time.sleep(interval)
            continue
        now = time.time()
        polls += 1
        good = Counter()
        listed = Counter()
        for account in answer.get("accounts", []):
            listed[account["provider"]] += 1
            error = account.get("error")
            if error:
                observations[error["code"]] += 1
                messages[f"{account['provider']} {error['code']}: {error.get('message')}"] += 1
                accounts_with[error["code"]].add(account["provider"] + "/" + account["account"])
            elif account.get("remaining") is not None:
                good[account["provider"]] += 1
        for provider, wanted in (("kling", kling), ("useapi", useapi)):
            if provider not in done and good[provider] == wanted and listed[provider] == wanted:
                done[provider] = now - ready_epoch
        last = {"good": dict(good), "listed": dict(listed), "complete": answer.get("complete")}
        if sum(good.values()) == expected and sum(listed.values()) == expected:
            done["all"] = now - ready_epoch
            break
        time.sleep(max(0.0, interval - (time.time() - started)))
    return {"seconds": done, "polls": polls, "error_observations": dict(observations),
            "error_messages": dict(messages),
            "accounts_with_error": {code: len(names) for code, names in accounts_with.items()}, "last": last}


def fanout_report(records):
    lines = ["| accounts (Kling + useapi.net) | run | every account known: from ready (from the first upstream call) "
             "| Kling known | useapi.net known "
             "| Kling floor | useapi.net floor (exact) | errors seen while polling (account observations; distinct accounts) "
             "| upstream calls | polls |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        if r["kind"] != "fanout":
            continue
        seconds = r["result"]["seconds"]
        errors = r["result"]["error_observations"]
        distinct = r["result"]["accounts_with_error"]
        error_text = ", ".join(f"{code} {count} ({distinct.get(code, 0)})" for code, count in sorted(errors.items()))
        calls = r.get("upstream_calls", {})

        lead = r.get("first_call_before_ready") or 0.0

        def secs(key):
            if key not in seconds:
                return f"not within {r['timeout']} s"
            return f"{seconds[key]:.1f} s ({seconds[key] + lead:.1f} s)"

        lines.append(f"| {r['kling']} + {r['useapi']} | {r['run']} (ready after {r.get('ready_ms', 0) / 1000:.0f} s) | {secs('all')} | {secs('kling')} | "
                     f"{secs('useapi')} | {r['kling_floor']:.2f} s | {r['useapi_floor']:.1f} s ({r.get('useapi_floor_exact', 0):.1f} s) | "
                     f"{error_text or 'none'} | "
                     f"Kling {calls.get('kling', 0)}, useapi.net {calls.get('useapi', 0)}"
                     f" (arrivals over {calls.get('useapi span ms', 0) / 1000:.1f} s, closest {calls.get('useapi min gap ms', 0)} ms"
                     f" apart, {calls.get('useapi 1 s windows over 2', 0)} windows of 1 s with more than 2)"
                     f"{', discovery ' + str(calls['useapi discovery']) if calls.get('useapi discovery') else ''} | "
                     f"{r['result']['polls']} |")
    messages = Counter()
    for r in records:
        if r["kind"] == "fanout":
            messages.update(r["result"].get("error_messages", {}))
    if messages:
        lines += ["", "Errors seen while polling, all runs (account observations):", ""]
        lines += [f"- {count:,} × {message}" for message, count in messages.most_common()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# JFR: `jfr print --stack-depth N --events E file` text, aggregated

# Where a request's time goes: the sample is charged to the LEAF-MOST frame that matches one of
# these (first pattern that matches that frame wins), so a filter is charged only for the work
# it does itself, not for the filters and the handler it wraps.
REQUEST_LAYERS = [
    ("prepared answer: view lookup, generatedAt splice (BalanceService, BalanceView, PreparedJson)",
     r"^dev\.klingbalances\.balance\.(BalanceService|BalanceView|PreparedJson|ViewAssembler|RefreshingCache|CachedValue)"),
    ("response body: HTTP message converter (the service writes prepared bytes)", r"^org\.springframework\.http\.converter\."),
    ("MVC return value handling (content negotiation, If-None-Match check, headers)",
     r"^org\.springframework\.web\.(servlet\.mvc\.method\.annotation\.(HttpEntityMethodProcessor|AbstractMessageConverterMethodProcessor)|context\.request\.ServletWebRequest)"),
    ("controller method, argument resolving, invocation",
     r"^(dev\.klingbalances\.balance\.BalanceController|dev\.klingbalances\.bench\.bare\.|org\.springframework\.web\.method\.|org\.springframework\.web\.servlet\.mvc\.method\.)"),
    ("ConsumerAccessLogFilter (format + write the line)", r"^dev\.klingbalances\.security\.ConsumerAccessLogFilter\."),
    ("RequestLimitsFilter", r"^dev\.klingbalances\.security\.RequestLimitsFilter\."),
    ("RequestIdFilter (UUID.randomUUID, MDC)", r"^dev\.klingbalances\.web\.RequestIdFilter\."),
    ("API key filter / consumer rate limiter",
     r"^(dev\.klingbalances\.security\.(ApiKey|ConsumerRateLimitFilter)|io\.github\.resilience4j\.ratelimiter\.)"),
    ("Spring Security filter chain", r"^org\.springframework\.security\."),
    # Spring Security's own observations (an event around every security filter, one per
    # authorization decision) run through the same Micrometer code as http.server.requests; the
    # two are told apart by who called into Micrometer (SPLIT_LAYERS).
    ("Micrometer: http.server.requests observation",
     r"^(org\.springframework\.web\.filter\.ServerHttpObservationFilter|io\.micrometer\.|dev\.klingbalances\.security\.ConsumerObservationConvention"
     r"|org\.springframework\.http\.server\.observation\.)"),
    ("actuator endpoint", r"^org\.springframework\.boot\.actuate\."),
    ("DispatcherServlet (handler lookup, other MVC)", r"^org\.springframework\.web\.servlet\."),
    ("other Spring web filters", r"^org\.springframework\.web\.filter\."),
    ("Tomcat (HTTP parsing, socket I/O)", r"^org\.apache\.(tomcat|coyote|catalina)\."),
]

# What start-up spends its time on: charged to the leaf-most frame of one of these libraries.
STARTUP_LAYERS = [
    ("demo upstream server (dev.klingbalances.demo)", r"^dev\.klingbalances\.demo\."),
    ("Redis store: Lettuce, Spring Data Redis, Spring Integration",
     r"^(io\.lettuce\.|redis\.clients\.|org\.springframework\.(data\.|integration\.|boot\.data\.redis\.)|dev\.klingbalances\.store\.Redis)"),
    ("springdoc / swagger", r"^(org\.springdoc\.|io\.swagger\.)"),
    ("Spring Security", r"^org\.springframework\.security\."),
    ("Resilience4j", r"^io\.github\.resilience4j\."),
    ("Reactor Netty / Netty / Reactor", r"^(reactor\.|io\.netty\.)"),
    ("Caffeine", r"^com\.github\.benmanes\.caffeine\."),
    ("actuator / Micrometer", r"^(org\.springframework\.boot\.actuate\.|io\.micrometer\.)"),
    ("Hibernate Validator", r"^org\.hibernate\.validator\."),
    ("Jackson", r"^(tools\.jackson\.|com\.fasterxml\.jackson\.)"),
    ("nimbus JOSE (JWT)", r"^com\.nimbusds\."),
    ("logging (Logback)", r"^ch\.qos\.logback\."),
    ("Tomcat", r"^org\.apache\.(tomcat|coyote|catalina)\."),
    ("the service's own code", r"^dev\.klingbalances\."),
    ("Spring Boot launcher / nested jar loading", r"^org\.springframework\.boot\.loader\."),
    ("Spring Boot auto-configuration, conditions", r"^org\.springframework\.boot\.(autoconfigure|context\.config|context\.properties)"),
    ("Spring bean factory / context (reflection, proxies)", r"^org\.springframework\.(beans|context|aop|core|cglib|boot)\."),
    ("JDK class loading / lambdas / reflection", r"^(java\.lang\.(ClassLoader|invoke|reflect|Class\.)|jdk\.internal\.(loader|reflect)|java\.util\.zip|java\.util\.jar)"),
]


def parse_jfr_text(path):
    """Yields (fields, frames) per event; frames leaf first."""
    fields, frames, in_stack = {}, [], False
    with open(path, encoding="utf-8", errors="replace") as text:
        for raw in text:
            line = raw.strip()
            if line.endswith("{") and not line.startswith("stackTrace"):
                fields, frames, in_stack = {}, [], False
            elif line.startswith("stackTrace = ["):
                in_stack = True
            elif in_stack and line == "]":
                in_stack = False
            elif in_stack:
                if line and line != "...":
                    frames.append(re.sub(r"\s+line: \d+$", "", line))
            elif line == "}":
                yield fields, frames
                fields, frames = {}, []
            elif " = " in line:
                key, value = line.split(" = ", 1)
                fields[key] = value


def weight_bytes(text):
    match = re.match(r"([0-9.]+)\s*(bytes|kB|MB|GB)", text or "")
    if not match:
        return 0
    return float(match.group(1)) * {"bytes": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[match.group(2)]


def frame_method(frame):
    return frame.split("(")[0]


# (layer, caller pattern, new layer): a sample of that layer whose first caller outside
# Micrometer and the JDK matches the pattern is charged to the new layer instead.
SPLIT_LAYERS = [
    ("Micrometer: http.server.requests observation",
     r"^org\.springframework\.security\.(web\.ObservationFilterChainDecorator|authorization\.(Observation|AuthorizationObservation))",
     "Micrometer: Spring Security's observations (filter-chain events, authorization)"),
]


def layer_of(frames, layers):
    return layer_and_frame(frames, layers)[0]


def layer_and_frame(frames, layers):
    for depth, frame in enumerate(frames):
        for name, pattern in layers:
            if re.search(pattern, frame):
                for layer, caller_pattern, new_name in SPLIT_LAYERS:
                    if layer == name:
                        caller = next((f for f in frames[depth:] if not re.match(r"^(io\.micrometer\.|java\.|jdk\.)", f)), "")
                        if re.search(caller_pattern, caller):
                            return new_name, frame_method(frame)
                return name, frame_method(frame)
    return "other", (frame_method(frames[0]) if frames else "?")


def period_ms(text):
    match = re.match(r"([0-9.]+)\s*(ns|us|ms|s)", text or "")
    if not match:
        return 0.0
    return float(match.group(1)) * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}[match.group(2)]


def weighted_samples(path, kind, thread_filter, seen_threads=None):
    """(frames, weight) of each event on a matching thread: bytes for allocation samples, CPU ms
    for CPU-time samples, 1 for wall-clock execution samples."""
    for fields, frames in parse_jfr_text(path):
        thread = fields.get("sampledThread") or fields.get("eventThread") or ""
        name = thread.split('"')[1] if '"' in thread else thread
        if seen_threads is not None:
            seen_threads[re.sub(r"\d+", "N", name)] += 1
        if thread_filter and not re.search(thread_filter, name):
            continue
        if kind == "alloc":
            yield frames, weight_bytes(fields.get("weight")), fields
        elif kind == "cputime":
            yield frames, period_ms(fields.get("samplingPeriod")), fields
        else:
            yield frames, 1.0, fields


def jfr_aggregate(path, kind, thread_filter, layers, top):
    """Top leaf methods, top methods on the stack (inclusive) and the layer breakdown."""
    self_count, inclusive, by_layer, by_thread = Counter(), Counter(), Counter(), Counter()
    matched = defaultdict(Counter)
    classes = Counter()
    total = 0.0
    events = 0
    for frames, weight, fields in weighted_samples(path, kind, thread_filter, by_thread):
        events += 1
        total += weight
        if frames:
            self_count[frame_method(frames[0])] += weight
        for method in dict.fromkeys(frame_method(frame) for frame in frames):
            inclusive[method] += weight
        layer, frame = layer_and_frame(frames, layers)
        by_layer[layer] += weight
        matched[layer][frame] += weight
        if kind == "alloc":
            classes[fields.get("objectClass", "?").split(" (")[0]] += weight
    return {"events": events, "total": total, "self": self_count.most_common(top),
            "inclusive": inclusive.most_common(400), "layers": by_layer.most_common(),
            "threads": by_thread.most_common(12), "classes": classes.most_common(top),
            "matched": {layer: counter.most_common(3) for layer, counter in matched.items()}}


# The suspects of issue 9, measured inclusively: a sample counts when the method is anywhere on its stack.
SUSPECTS = [
    ("answer per request: BalanceService.balances (prepared view looked up)", r"^dev\.klingbalances\.balance\.BalanceService\.balances$"),
    ("  of which a view (re)built: ViewAssembler", r"^dev\.klingbalances\.balance\.ViewAssembler\.", "balances"),
    ("body: BalanceView.body (generatedAt spliced into the prepared bytes)", r"^dev\.klingbalances\.balance\.BalanceView\.body$"),
    ("any JSON serialization on a request thread (writeValueAsBytes)", r"^tools\.jackson\.databind\.ObjectMapper\.writeValueAsBytes$"),
    ("body: Jackson message converter writeInternal", r"^org\.springframework\.http\.converter\.(json\.)?AbstractJacksonHttpMessageConverter\.writeInternal$"),
    ("access log: String.format in ConsumerAccessLogFilter", r"^java\.lang\.String\.format$", "access"),
    ("access log: Logback (encode + console write)", r"^ch\.qos\.logback\.classic\.Logger\.info$"),
    ("RequestIdFilter: UUID.randomUUID", r"^java\.util\.UUID\.randomUUID$"),
    ("RequestLimitsFilter.refusal", r"^dev\.klingbalances\.security\.RequestLimitsFilter\.refusal$"),
]

# A scoped suspect counts only when this method is among its callers.
SUSPECT_SCOPES = {"balances": "dev.klingbalances.balance.BalanceService.balances",
                  "access": "dev.klingbalances.security.ConsumerAccessLogFilter.doFilterInternal"}


def suspects(path, kind, thread_filter):
    totals = Counter()
    total = 0.0
    for frames, weight, _ in weighted_samples(path, kind, thread_filter):
        total += weight
        methods = [frame_method(frame) for frame in frames]
        for suspect in SUSPECTS:
            label, pattern = suspect[0], suspect[1]
            for depth, method in enumerate(methods):
                if re.search(pattern, method):
                    scope = SUSPECT_SCOPES.get(suspect[2]) if len(suspect) > 2 else None
                    # only below its scope: String.format called by the access log filter itself,
                    # a view assembled while serving /balances
                    if scope is None or scope in methods[depth + 1:depth + 4] or (suspect[2] == "balances" and scope in methods[depth:]):
                        totals[label] += weight
                    break
    return total, totals


def share(value, total):
    return f"{100.0 * value / total:.1f} %" if total else "-"


def jfr_markdown(title, agg, kind, interesting):
    unit = {"alloc": "MB sampled", "cputime": "CPU ms", "cpu": "samples"}[kind]

    def amount(value):
        return f"{value / 1024 ** 2:,.1f}" if kind == "alloc" else f"{value:,.0f}"

    out = [f"### {title}", "", f"{agg['events']:,} events, {amount(agg['total'])} {unit} on the threads counted.", "",
           "By layer (each sample charged to the innermost layer on its stack):", "",
           f"| layer | {unit} | share |", "|---|---|---|"]
    out += [f"| {name} | {amount(value)} | {share(value, agg['total'])} |" for name, value in agg["layers"]]
    out += ["", "Which frame each layer was entered by (top 3):", ""]
    out += [f"- {name}: " + ", ".join(f"`{frame.rsplit('.', 2)[-2] + '.' + frame.rsplit('.', 1)[-1]}` {share(value, agg['total'])}"
                                      for frame, value in agg["matched"].get(name, []))
            for name, _ in agg["layers"]]
    out += ["", "Top frames (self: the method at the top of the stack):", "", f"| method | {unit} | share |", "|---|---|---|"]
    out += [f"| `{name}` | {amount(value)} | {share(value, agg['total'])} |" for name, value in agg["self"]]
    if kind == "alloc":
        out += ["", "Top allocated classes:", "", f"| class | {unit} | share |", "|---|---|---|"]
        out += [f"| `{name}` | {amount(value)} | {share(value, agg['total'])} |" for name, value in agg["classes"]]
    picked = [(name, value) for name, value in agg["inclusive"] if re.search(interesting, name)]
    if picked:
        out += ["", "On the stack (inclusive: the method and everything it calls):", "",
                f"| method | {unit} | share |", "|---|---|---|"]
        out += [f"| `{name}` | {amount(value)} | {share(value, agg['total'])} |" for name, value in picked]
    out += ["", "Samples by thread (all threads):", "", "| thread | events |", "|---|---|"]
    out += [f"| {name} | {count:,} |" for name, count in agg["threads"]]
    return "\n".join(out)


INTERESTING = (r"^(dev\.klingbalances\.|org\.springframework\.security\.web\.FilterChainProxy\.doFilterInternal"
               r"|org\.springframework\.web\.filter\.ServerHttpObservationFilter\.doFilterInternal"
               r"|org\.springframework\.web\.servlet\.DispatcherServlet\.doDispatch"
               r"|org\.springframework\.http\.converter\.AbstractGenericHttpMessageConverter\.write"
               r"|java\.util\.UUID\.randomUUID|ch\.qos\.logback\.core\.OutputStreamAppender\.(append|subAppend)"
               r"|tools\.jackson\.databind\.ObjectMapper\.writeValueAsBytes|java\.lang\.String\.format"
               r"|java\.security\.MessageDigest\.digest)")


def gc_summary(path):
    collections, pauses, lost = 0, 0.0, 0
    for fields, _ in parse_jfr_text(path):
        if "sumOfPauses" in fields:
            collections += 1
            pauses += period_ms(fields["sumOfPauses"])
        if "lostSamples" in fields:
            lost += int(fields["lostSamples"])
    return collections, pauses, lost


def blocking(path, seconds):
    """Where request threads waited for a lock (jdk.JavaMonitorEnter) or parked (jdk.ThreadPark),
    by the first frame outside the JDK; idle Tomcat workers waiting for work are left out."""
    waited, events = Counter(), Counter()
    for fields, frames in parse_jfr_text(path):
        thread = fields.get("eventThread", "")
        if "http-nio" not in thread:
            continue
        site = next((frame_method(f) for f in frames if not re.match(r"^(java\.|jdk\.|sun\.)", f)), "?")
        if site.startswith("org.apache.tomcat.util.threads.TaskQueue"):
            continue
        waited[site] += period_ms(fields.get("duration"))
        events[site] += 1
    out = [f"| where (first frame outside the JDK) | events | time waited, all request threads | per second of load |",
           "|---|---|---|---|"]
    for site, ms in waited.most_common(10):
        out.append(f"| `{site}` | {events[site]:,} | {ms / 1000:,.1f} s | {ms / 1000 / seconds:,.2f} s/s |")
    return "\n".join(out)


def profile_report(records, directory):
    runs = [r for r in records if r["kind"] == "profile"]
    out = ["| recording | req/s under JFR | requests | process CPU (/proc) | CPU µs/req | sampled | "
           "allocated (sampled) per req | GC: collections, pause per req |", "|---|---|---|---|---|---|---|---|"]
    aggregated = {}
    for r in runs:
        label = r["label"]
        kind = "cputime" if r["event"] == "jdk.CPUTimeSample" else "cpu"
        cpu = jfr_aggregate(f"{directory}/{label}-load-cpu.txt", kind, "http-nio", REQUEST_LAYERS, 25)
        alloc = jfr_aggregate(f"{directory}/{label}-load-alloc.txt", "alloc", "http-nio", REQUEST_LAYERS, 25)
        aggregated[label] = (r, kind, cpu, alloc)
        collections, pauses, lost = gc_summary(f"{directory}/{label}-load-gc.txt")
        requests = r["requests"] or 1
        sampled = (f"{cpu['total'] / 1000:,.1f} s CPU in {cpu['events']:,} samples ({lost:,} lost)" if kind == "cputime"
                   else f"{cpu['events']:,} samples")
        out.append(f"| {label} ({r['event']}) | {r['rps']} | {r['requests']:,} | {r['cpu_ms'] / 1000:,.1f} s | "
                   f"{r['cpu_ms'] * 1000 / requests:,.0f} | {sampled} | {alloc['total'] / requests / 1024:,.1f} KB | "
                   f"{collections}, {pauses * 1000 / requests:,.0f} µs |")
    out += ["", "CPU µs/req: the process's user + system CPU (all threads, GC and JIT included) during the recording,",
            "divided by the requests wrk completed. Allocation: the sum of the sampled weights (JFR's estimate of all",
            "bytes allocated) on the http-nio threads, divided by the requests."]
    for jdk in ("17", "25"):
        columns = [(name, aggregated[f"{name}-{jdk}"]) for name in ("service", "service-apikey", "bare")
                   if f"{name}-{jdk}" in aggregated]
        if len(columns) < 2:
            continue
        per_req = columns[0][1][1] == "cputime"
        head = "CPU µs/req" if per_req else "% of samples"
        fmt = (lambda v: f"{v:,.0f}") if per_req else (lambda v: f"{v:.1f} %")
        out += ["", f"#### Layers side by side, JDK {jdk} ({columns[0][1][0]['event']}), request threads", "",
                "| layer | " + " | ".join(f"{name} {head}" for name, _ in columns) + " | "
                + " | ".join(f"{name} alloc KB/req" for name, _ in columns) + " |",
                "|---|" + "---|" * (2 * len(columns))]
        totals = [0.0] * (2 * len(columns))
        for layer in [name for name, _ in REQUEST_LAYERS] + [new for _, _, new in SPLIT_LAYERS] + ["other"]:
            cells = []
            for _, (r, _, cpu, _) in columns:
                value = dict(cpu["layers"]).get(layer, 0.0)
                cells.append(value * 1000 / r["requests"] if per_req else 100.0 * value / (cpu["total"] or 1))
            for _, (r, _, _, alloc) in columns:
                cells.append(dict(alloc["layers"]).get(layer, 0.0) / r["requests"] / 1024)
            totals = [t + c for t, c in zip(totals, cells)]
            if any(cells):
                out.append(f"| {layer} | " + " | ".join(fmt(c) for c in cells[:len(columns)]) + " | "
                           + " | ".join(f"{c:,.1f}" for c in cells[len(columns):]) + " |")
        out.append("| **total** | " + " | ".join(fmt(c) for c in totals[:len(columns)]) + " | "
                   + " | ".join(f"{c:,.1f}" for c in totals[len(columns):]) + " |")
    for label, (r, kind, cpu, alloc) in aggregated.items():
        if not r["app"].startswith("service"):
            continue
        cpu_total, cpu_suspects = suspects(f"{directory}/{label}-load-cpu.txt", kind, "http-nio")
        alloc_total, alloc_suspects = suspects(f"{directory}/{label}-load-alloc.txt", "alloc", "http-nio")
        requests = r["requests"] or 1
        cpu_head = "CPU µs/req" if kind == "cputime" else "samples"
        out += ["", f"#### {label}: the suspects, inclusive (the method and all it calls)", "",
                f"| suspect | {cpu_head} | share of CPU | alloc KB/req | share of allocation |", "|---|---|---|---|---|"]
        for suspect in SUSPECTS:
            name = suspect[0]
            c = cpu_suspects.get(name, 0.0)
            a = alloc_suspects.get(name, 0.0)
            c_text = f"{c * 1000 / requests:,.0f}" if kind == "cputime" else f"{c:,.0f}"
            out.append(f"| {name} | {c_text} | {share(c, cpu_total)} | {a / requests / 1024:,.1f} | {share(a, alloc_total)} |")
        blocking_file = f"{directory}/{label}-load-blocking.txt"
        if os.path.exists(blocking_file):
            out += ["", f"#### {label}: request threads blocked (JFR jdk.JavaMonitorEnter and jdk.ThreadPark, "
                    "events of 10 ms or more; idle workers left out)", "",
                    blocking(blocking_file, r.get("seconds", 30))]
        out += ["", jfr_markdown(f"{label}: CPU under load, request threads ({r['event']})", cpu, kind, INTERESTING)]
        out += ["", jfr_markdown(f"{label}: allocation under load, request threads", alloc, "alloc", INTERESTING)]
        if r["app"] == "service":
            startup = jfr_aggregate(f"{directory}/{label}-startup-cpu.txt", kind, "^main$", STARTUP_LAYERS, 15)
            out += ["", jfr_markdown(f"{label}: start-up, main thread, JVM start to ready ({r['event']})", startup,
                                     kind, r"^dev\.klingbalances\.")]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# start-up steps (BufferingApplicationStartup, written by startup/StartupSteps.java)

# A step is charged to the first feature whose pattern matches its name and tags (bean name, type).
STEP_FEATURES = [
    ("configuration classes: parsing, auto-configuration conditions", r"^spring\.context\.config-classes\.parse"),
    ("environment prepared (config files, profiles, logging set-up)", r"^spring\.boot\.application\.environment-prepared"),
    ("ApplicationReadyEvent listeners", r"^spring\.boot\.application\.ready"),
    ("ApplicationStartedEvent listeners, runners", r"^spring\.boot\.application\.started"),
    ("demo upstream server (demo profile)", r"(?i)demo"),
    ("Redis store: Lettuce, Spring Data Redis, Spring Integration", r"(?i)redis|lettuce|\.integration\."),
    ("springdoc / OpenAPI document", r"(?i)springdoc|openapi|swagger|modelConverter"),
    ("Spring Security", r"(?i)security|filterChain|authentication"),
    ("Resilience4j", r"(?i)resilience4j|circuitBreaker|retry|bulkhead|rateLimiter|timeLimiter"),
    ("WebClient / Reactor Netty", r"(?i)webClient|clientHttpConnector|reactor|netty|ClientHttp"),
    ("actuator, Micrometer, Prometheus", r"(?i)actuat|management|endpoint|meter|prometheus|observation|health|metrics"),
    ("the service's own beans (providers, balances, properties)", r"dev\.klingbalances|beanName=(kling|useapi|balanceService)\b"),
    ("Caffeine / cache", r"(?i)caffeine|cacheManager|\bcache"),
    ("Bean Validation", r"(?i)validat"),
    ("Jackson", r"(?i)jackson|jsonMapper|jsonComponent"),
    ("Tomcat, web server", r"(?i)tomcat|webserver|servletWebServer"),
    ("Spring MVC", r"(?i)requestMapping|handler|mvc|dispatcher|resourceHandlerMapping|viewResolver|conversionService"),
]


def startup_steps(path):
    features = Counter()
    steps = []
    header = ""
    with open(path, encoding="utf-8") as text:
        for line in text:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header = line[1:].strip()
                continue
            self_ms, total_ms, name, tags = (line.split("\t") + ["", "", "", ""])[:4]
            subject = name + " " + tags
            feature = next((label for label, pattern in STEP_FEATURES if re.search(pattern, subject)),
                           "other Spring beans and context work")
            features[feature] += float(self_ms)
            steps.append((float(self_ms), float(total_ms), name, tags))
    return header, features, steps


def startup_steps_report(service_path, bare_path):
    service_header, service, service_steps = startup_steps(service_path)
    bare_header, bare, _ = startup_steps(bare_path)
    out = [f"Service: {service_header}. Bare app: {bare_header}. Own time of each step (its duration minus the "
           "steps nested in it), summed by feature; the steps cover SpringApplication.run, not the JVM start "
           "before main().", "", "| feature | service ms | bare app ms |", "|---|---|---|"]
    for label, value in sorted(service.items(), key=lambda item: -item[1]):
        out.append(f"| {label} | {value:,.0f} | {bare.get(label, 0.0):,.0f} |")
    for label, value in bare.items():
        if label not in service:
            out.append(f"| {label} | 0 | {value:,.0f} |")
    out.append(f"| **sum** | {sum(service.values()):,.0f} | {sum(bare.values()):,.0f} |")
    out += ["", "The service's 25 costliest steps (own time):", "", "| own ms | total ms | step | tags |", "|---|---|---|---|"]
    for self_ms, total_ms, name, tags in sorted(service_steps, reverse=True)[:25]:
        out.append(f"| {self_ms:,.0f} | {total_ms:,.0f} | {name} | {tags[:160]} |")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# class loading: -Xlog:class+load output, counted by library


def class_load_counts(path):
    counts = Counter()
    total = 0
    with open(path, encoding="utf-8", errors="replace") as text:
        for line in text:
            match = re.search(r"\]\s+(\S+) source:", line)
            if not match:
                continue
            total += 1
            counts[layer_of([match.group(1)], STARTUP_LAYERS + [
                ("Spring Framework", r"^org\.springframework\."),
                ("JDK", r"^(java|javax|jdk|sun|com\.sun)\.")])] += 1
    return total, counts


def classes_report(files, names):
    names = names or [os.path.basename(f) for f in files]
    loaded = [class_load_counts(f) for f in files]
    order = Counter()
    for _, counts in loaded:
        order.update(counts)
    out = ["| library | " + " | ".join(names) + " |", "|---|" + "---|" * len(files)]
    for library, _ in order.most_common():
        out.append(f"| {library} | " + " | ".join(f"{counts.get(library, 0):,}" for _, counts in loaded) + " |")
    out.append("| **total** | " + " | ".join(f"**{total:,}**" for total, _ in loaded) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# native memory: jcmd <pid> VM.native_memory summary


def nmt_summary(path):
    """{category: committed KB}, 'Total' included; jcmd's default scale (KB) or bytes."""
    scale = {"": 1 / 1024, "B": 1 / 1024, "KB": 1, "MB": 1024, "GB": 1024 * 1024}
    committed = {}
    with open(path, encoding="utf-8", errors="replace") as text:
        for line in text:
            match = (re.match(r"^(Total): reserved=\d+[A-Z]*, committed=(\d+)([A-Z]*)", line)
                     or re.match(r"^\s*-\s*([A-Za-z][A-Za-z ]*?)\s*\(reserved=\d+[A-Z]*, committed=(\d+)([A-Z]*)\)", line))
            if match:
                committed.setdefault(match.group(1).strip(), int(match.group(2)) * scale[match.group(3)])
    return committed


def nmt_report(service, bare, service_rss, bare_rss, service_threads, bare_threads):
    s, b = nmt_summary(service), nmt_summary(bare)
    out = ["| category | service MB | bare app MB | service − bare MB |", "|---|---|---|---|"]
    for name in sorted(set(s) | set(b), key=lambda n: (n == "Total", -s.get(n, 0))):
        if name == "Total" or max(s.get(name, 0), b.get(name, 0)) < 512:
            continue
        out.append(f"| {name} | {s.get(name, 0) / 1024:,.1f} | {b.get(name, 0) / 1024:,.1f} | "
                   f"{(s.get(name, 0) - b.get(name, 0)) / 1024:+,.1f} |")
    out.append(f"| **NMT total (committed)** | {s.get('Total', 0) / 1024:,.1f} | {b.get('Total', 0) / 1024:,.1f} | "
               f"{(s.get('Total', 0) - b.get('Total', 0)) / 1024:+,.1f} |")
    out.append(f"| RSS (VmRSS) | {service_rss / 1024:,.1f} | {bare_rss / 1024:,.1f} | "
               f"{(service_rss - bare_rss) / 1024:+,.1f} |")
    out.append(f"| threads (jcmd Thread.print) | {service_threads} | {bare_threads} | {service_threads - bare_threads:+} |")
    out += ["", f"RSS ratio service/bare: {service_rss / bare_rss:.2f}. Categories under 0.5 MB left out."]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("wrk-record")
    p.add_argument("--wrk-output", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--app", required=True)
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--command-line", required=True)
    p.add_argument("--cpu-ticks", type=int, required=True, help="server utime+stime ticks during the run")
    p.add_argument("--ticks-per-second", type=int, default=100)
    p.add_argument("--statuses-before")
    p.add_argument("--statuses-after")
    p.add_argument("--loadavg", default="")
    p = sub.add_parser("jit")
    p.add_argument("--pid", required=True)
    p = sub.add_parser("statuses")
    p.add_argument("--app", required=True)
    p = sub.add_parser("compare-report")
    p.add_argument("--results", required=True)
    p = sub.add_parser("fanout-stubs")
    p.add_argument("--wiremock", required=True)
    p.add_argument("--delay-ms", type=int, required=True)
    p = sub.add_parser("fanout-poll")
    p.add_argument("--app", required=True)
    p.add_argument("--wiremock", required=True)
    p.add_argument("--kling", type=int, required=True)
    p.add_argument("--useapi", type=int, required=True)
    p.add_argument("--ready-epoch", type=float, required=True)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--timeout", type=float, required=True)
    p.add_argument("--run", type=int, required=True)
    p.add_argument("--rps", type=float, required=True)
    p.add_argument("--pacing-margin", type=float, required=True)
    p.add_argument("--max-connections", type=int, required=True)
    p.add_argument("--delay-ms", type=int, required=True)
    p.add_argument("--ready-ms", type=int, default=0)
    p = sub.add_parser("fanout-report")
    p.add_argument("--results", required=True)
    p = sub.add_parser("jfr")
    p.add_argument("--file", required=True, help="output of jfr print --stack-depth N --events E")
    p.add_argument("--kind", choices=["cpu", "cputime", "alloc"], required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--threads", default="", help="regex on the thread name; empty: every thread")
    p.add_argument("--layers", choices=["request", "startup"], required=True)
    p.add_argument("--top", type=int, default=25)
    p = sub.add_parser("profile-report")
    p.add_argument("--results", required=True)
    p.add_argument("--dir", required=True)
    p = sub.add_parser("startup-steps")
    p.add_argument("--service", required=True)
    p.add_argument("--bare", required=True)
    p = sub.add_parser("classes")
    p.add_argument("--file", action="append", required=True, help="-Xlog:class+load output; repeat for columns")
    p.add_argument("--name", action="append", default=[], help="column name per --file")
    p = sub.add_parser("nmt")
    p.add_argument("--service", required=True)
    p.add_argument("--bare", required=True)
    p.add_argument("--service-rss", type=int, required=True, help="KB")
    p.add_argument("--bare-rss", type=int, required=True, help="KB")
    p.add_argument("--service-threads", type=int, default=0)
    p.add_argument("--bare-threads", type=int, default=0)
    args = parser.parse_args()

    if args.command == "wrk-record":
        with open(args.wrk_output, encoding="utf-8") as text:
            parsed = parse_wrk(text.read())
        statuses = None
        if args.statuses_before and args.statuses_after:
            before = Counter(json.loads(args.statuses_before))
            after = Counter(json.loads(args.statuses_after))
            statuses = {k: v for k, v in (after - before).items() if v}
        cpu_us = args.cpu_ticks * 1_000_000 / args.ticks_per_second
        record = {"kind": "wrk", "target": args.target, "app": args.app, "round": args.round,
                  "command": args.command_line, "wrk": parsed, "statuses": statuses,
                  "cpu_ms": cpu_us / 1000, "loadavg": args.loadavg,
                  "cpu_us_per_request": (cpu_us / parsed["requests"]) if parsed["requests"] else None}
        print(json.dumps(record))
    elif args.command == "jit":
        print(*jit_counters(args.pid))
    elif args.command == "statuses":
        print(json.dumps(server_statuses(args.app)))
    elif args.command == "compare-report":
        with open(args.results, encoding="utf-8") as text:
            print(compare_report([json.loads(line) for line in text if line.strip()]))
    elif args.command == "fanout-stubs":
        fanout_stubs(args.wiremock, args.delay_ms)
    elif args.command == "fanout-poll":
        result = fanout_poll(args.app, args.kling, args.useapi, args.ready_epoch, args.interval, args.timeout)
        calls, first_call = upstream_calls(args.wiremock)
        print(json.dumps({
            "kind": "fanout", "kling": args.kling, "useapi": args.useapi, "run": args.run, "timeout": args.timeout,
            "ready_ms": args.ready_ms,
            "result": result, "upstream_calls": calls, "first_call_before_ready": (
                args.ready_epoch - first_call if first_call is not None else None),
            # useapi.net: every call paced 1/rps + margin apart (emails configured: no discovery call)
            "useapi_floor": args.useapi * (1.0 / args.rps + args.pacing_margin),
            # the same, exactly: the first call goes at once, the last answers after the upstream delay
            "useapi_floor_exact": (args.useapi - 1) * (1.0 / args.rps + args.pacing_margin) + args.delay_ms / 1000,
            "kling_floor": args.kling / args.max_connections * args.delay_ms / 1000}))
    elif args.command == "fanout-report":
        with open(args.results, encoding="utf-8") as text:
            print(fanout_report([json.loads(line) for line in text if line.strip()]))
    elif args.command == "jfr":
        layers = REQUEST_LAYERS if args.layers == "request" else STARTUP_LAYERS
        agg = jfr_aggregate(args.file, args.kind, args.threads, layers, args.top)
        print(jfr_markdown(args.title, agg, args.kind, INTERESTING))
    elif args.command == "profile-report":
        with open(args.results, encoding="utf-8") as text:
            print(profile_report([json.loads(line) for line in text if line.strip()], args.dir))
    elif args.command == "startup-steps":
        print(startup_steps_report(args.service, args.bare))
    elif args.command == "classes":
        print(classes_report(args.file, args.name))
    elif args.command == "nmt":
        print(nmt_report(args.service, args.bare, args.service_rss, args.bare_rss, args.service_threads,
                         args.bare_threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
