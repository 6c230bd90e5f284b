#!/usr/bin/env bash
# Soak test for kling-balances: the real jar against WireMock stand-ins of both upstreams,
# driven by concurrent clients while upstream faults toggle. Everything runs on 127.0.0.1 and
# is stopped on exit. Not part of `./mvnw verify`.
#
# Usage: scripts/soak/soak.sh            (3 minutes, 16 clients)
#        DURATION=60 CLIENTS=8 scripts/soak/soak.sh
#
# Settings (environment):
#   DURATION       seconds of load                     (default 180)
#   CLIENTS        concurrent client threads           (default 16)
#   PHASE_SECONDS  seconds per fault phase             (default 15)
#   OUT            where logs and the report go        (default target/soak/<UTC timestamp>)
#   APP_HEAP       -Xmx of the service                 (default 256m)
#   WIREMOCK_JAR   WireMock standalone jar             (default: the one in ~/.m2)
#   JAR            the service's jar                   (default: target/kling-balances-*.jar, built if missing)
# Exit status: 0 when the run met the acceptance (no 5xx, no QPS-rule violation, no zero for a
# failure), 1 when it did not, 2 when the run itself could not be carried out.
set -euo pipefail

DURATION=${DURATION:-180}
CLIENTS=${CLIENTS:-16}
PHASE_SECONDS=${PHASE_SECONDS:-15}
APP_HEAP=${APP_HEAP:-256m}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$ROOT/target/soak/$(date -u +%Y%m%dT%H%M%SZ)}
WIREMOCK_JAR=${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/3.13.2/wiremock-standalone-3.13.2.jar}

mkdir -p "$OUT"
log() { printf '[soak %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v java >/dev/null || { log "java is required"; exit 2; }
command -v python3 >/dev/null || { log "python3 is required"; exit 2; }
command -v jcmd >/dev/null || { log "jcmd (from the JDK) is required for heap figures"; exit 2; }

if [[ ! -f "$WIREMOCK_JAR" ]]; then
	log "WireMock standalone not found at $WIREMOCK_JAR; './mvnw test-compile' downloads it (test dependency)"
	exit 2
fi

find_jar() { find "$ROOT/target" -maxdepth 1 -name 'kling-balances-*.jar' ! -name '*.original' ! -name '*-plain.jar' 2>/dev/null | head -n 1; }
JAR=${JAR:-$(find_jar)}
if [[ -z "$JAR" ]]; then
	log "no jar in target/: building it (./mvnw -q -DskipTests package)"
	(cd "$ROOT" && ./mvnw -B -q -DskipTests package)
	JAR=$(find_jar)
fi
[[ -n "$JAR" ]] || { log "build produced no jar"; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
WM_PORT=$(free_port)
APP_PORT=$(free_port)
WM_URL="http://127.0.0.1:$WM_PORT"
APP_URL="http://127.0.0.1:$APP_PORT"

WM_PID=""
APP_PID=""
cleanup() {
	local status=$?
	trap - EXIT INT TERM
	for pid in "$APP_PID" "$WM_PID"; do
		if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
		fi
	done
	for pid in "$APP_PID" "$WM_PID"; do
		if [[ -n "$pid" ]]; then
			for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # url, seconds
	local url=$1 seconds=$2
	for _ in $(seq 1 $((seconds * 2))); do
		if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
		sleep 0.5
	done
	return 1
}

heap_after_gc() { # label
	jcmd "$APP_PID" GC.run >/dev/null
	jcmd "$APP_PID" GC.heap_info >"$OUT/heap-$1.txt"
}

log "output: $OUT"
log "jar: $JAR"
log "WireMock on $WM_URL"
mkdir -p "$OUT/wiremock"
java -Xmx768m -jar "$WIREMOCK_JAR" --bind-address 127.0.0.1 --port "$WM_PORT" --async-response-enabled true \
	--async-response-threads 32 --container-threads 64 --disable-banner --root-dir "$OUT/wiremock" \
	>"$OUT/wiremock.log" 2>&1 &
WM_PID=$!
wait_for "$WM_URL/__admin/health" 60 || { log "WireMock did not start (see $OUT/wiremock.log)"; exit 2; }
python3 "$HERE/soak.py" stubs --wiremock "$WM_URL"

log "service on $APP_URL (heap $APP_HEAP)"
# The clients call as one consumer with an API key; its rate limit is lifted so the soak
# measures the service and its upstreams, not the per-consumer limiter.
export SOAK_API_KEY=soak-consumer-key-0123456789abcdef
consumer_hash=$(printf %s "$SOAK_API_KEY" | sha256sum | cut -d' ' -f1)
# Credentials go through the environment (never the command line); they are fakes for the stubs.
# The report reads /actuator/prometheus on the API port, which needs a key there by default: opened.
env \
	BALANCES_SECURITY_APIKEYS_0_NAME=soak BALANCES_SECURITY_APIKEYS_0_SHA256="$consumer_hash" \
	RESILIENCE4J_RATELIMITER_CONFIGS_CONSUMER_LIMITFORPERIOD=1000000 \
	BALANCES_KLING_ACCOUNTS_0_ID=soak-a BALANCES_KLING_ACCOUNTS_0_API_KEY=soak-kling-key-aaaaaaaaaaaa \
	BALANCES_KLING_ACCOUNTS_1_ID=soak-b BALANCES_KLING_ACCOUNTS_1_API_KEY=soak-kling-key-bbbbbbbbbbbb \
	BALANCES_KLING_ACCOUNTS_2_ID=soak-c BALANCES_KLING_ACCOUNTS_2_API_KEY=soak-kling-key-cccccccccccc \
	BALANCES_KLING_ACCOUNTS_3_ID=soak-d BALANCES_KLING_ACCOUNTS_3_API_KEY=soak-kling-key-dddddddddddd \
	BALANCES_KLING_ACCOUNTS_4_ID=soak-jwt BALANCES_KLING_ACCOUNTS_4_ACCESS_KEY=soak-access-key-eeeeeeee \
	BALANCES_KLING_ACCOUNTS_4_SECRET_KEY=soak-secret-key-eeeeeeeeeeeeeeeeeeeeeeeeeeee \
	BALANCES_USEAPI_TOKEN=soak-useapi-token-ffffffffffff \
	java "-Xmx$APP_HEAP" -jar "$JAR" \
	--server.address=127.0.0.1 --server.port="$APP_PORT" \
	--balances.kling.base-url="$WM_URL/kling" --balances.useapi.base-url="$WM_URL/useapi" \
	--balances.kling.cache-ttl=5s --balances.useapi.cache-ttl=3s --balances.cache.error-ttl=5s \
	--management.endpoints.web.exposure.include=health,prometheus --balances.security.actuator.prometheus=open \
	>"$OUT/app.log" 2>&1 &
APP_PID=$!
wait_for "$APP_URL/actuator/health/readiness" 120 || { log "the service did not start (see $OUT/app.log)"; exit 2; }
sleep 5 # start-up warm-up fetches
heap_after_gc before

log "driving /balances for ${DURATION}s with $CLIENTS clients, faults every ${PHASE_SECONDS}s"
python3 "$HERE/soak.py" drive --app "$APP_URL" --wiremock "$WM_URL" --duration "$DURATION" \
	--clients "$CLIENTS" --phase-seconds "$PHASE_SECONDS" --out "$OUT"
sleep 2 # let background fetches settle before reading the journal
heap_after_gc after

set +e
python3 "$HERE/soak.py" report --app "$APP_URL" --wiremock "$WM_URL" --out "$OUT" \
	--app-log "$OUT/app.log" --command "DURATION=$DURATION CLIENTS=$CLIENTS PHASE_SECONDS=$PHASE_SECONDS scripts/soak/soak.sh"
status=$?
set -e
log "report: $OUT/report.md"
exit "$status"
