#!/usr/bin/env bash
# Benchmarks of kling-balances, anchored to a bare Spring Boot webmvc app serving the same bytes.
# Everything runs on 127.0.0.1: the service, its simulated upstreams, WireMock, the load generator.
# docs/performance.md explains the figures and records a run.
#
#   scripts/bench/bench.sh [compare]   throughput, latency, CPU per request, start-up, RSS: service vs bare app
#   scripts/bench/bench.sh fanout      time until every account is known at 10, 50, 200 accounts (WireMock, 300 ms)
#   scripts/bench/bench.sh profile     JFR: CPU and allocation under the cached /balances load, then what startup does
#   scripts/bench/bench.sh startup     start-up variants, Spring's start-up steps by feature, classes loaded by library,
#                                      native memory after load (NMT): service vs bare app
#   scripts/bench/bench.sh all         the three, one after the other
#
# Settings (environment), with defaults:
#   THREADS=2 CONNECTIONS=64 DURATION=10s   the wrk load of every measurement
#   WARMUP_REQUESTS=10000 WARMUP_MAX=180   warm-up per target before the first round (JIT), not
#                    recorded: wrk in 5 s steps until that many requests, the JIT is (nearly) idle
#                    and CPU per request has settled, or that many seconds
#   ROUNDS=2         measurement rounds; round 2 runs the targets in reverse order
#   STARTUP_RUNS=3   start-ups per app (alternating service, bare); the median is reported
#   JVM_OPTS="-Xmx256m -XX:+UseSerialGC"   the SAME flags for the service and the bare app
#   FANOUT_SIZES="10 50 200"  Kling accounts per fan-out run; useapi.net accounts = round(N*30/200), >= 1
#   FANOUT_RUNS=2  UPSTREAM_DELAY_MS=300  FANOUT_TIMEOUT=180 (s)  POLL_INTERVAL=0.2 (s)
#   PROFILE_SECONDS=30   length of the JFR recording under load
#   PROFILE_STARTUP=1    0 leaves out the profile's start-up part (what the startup mode measures)
#   READY_TIMEOUT=600    seconds an app may take to get ready (a busy 2-core machine is slow)
#   OUT=target/bench/<mode>-<UTC time>   where every raw output and report.md go
#   JAR, BARE_JAR, WIREMOCK_JAR   when not given: built (again when older than their sources) or fetched
#
# Needs: Java 17+ with jcmd and jfr, curl, python3, wrk (apt-get install -y wrk).
set -euo pipefail

MODE=${1:-compare}
case "$MODE" in compare | fanout | profile | startup | all) ;; *)
	echo "usage: $0 [compare|fanout|profile|startup|all]" >&2
	exit 2
	;;
esac

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-10000}
WARMUP_MAX=${WARMUP_MAX:-180}
ROUNDS=${ROUNDS:-2}
STARTUP_RUNS=${STARTUP_RUNS:-3}
JVM_OPTS=${JVM_OPTS:--Xmx256m -XX:+UseSerialGC}
FANOUT_SIZES=${FANOUT_SIZES:-10 50 200}
FANOUT_RUNS=${FANOUT_RUNS:-2}
UPSTREAM_DELAY_MS=${UPSTREAM_DELAY_MS:-300}
FANOUT_TIMEOUT=${FANOUT_TIMEOUT:-180}
POLL_INTERVAL=${POLL_INTERVAL:-0.2}
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
PROFILE_STARTUP=${PROFILE_STARTUP:-1}
READY_TIMEOUT=${READY_TIMEOUT:-600}
OUT=${OUT:-$ROOT/target/bench/$MODE-$(date -u +%Y%m%dT%H%M%SZ)}
WIREMOCK_VERSION=$(sed -n 's:.*<wiremock.version>\(.*\)</wiremock.version>.*:\1:p' "$ROOT/pom.xml")
WIREMOCK_JAR=${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/$WIREMOCK_VERSION/wiremock-standalone-$WIREMOCK_VERSION.jar}
read -r -a JVM_FLAGS <<<"$JVM_OPTS"
BENCH_PY=(python3 "$HERE/bench.py")
# The JDK's own analysis views (jfr view) need JDK 21+; used when one is installed.
JFR_VIEW=${JFR_VIEW:-$(ls -d /usr/lib/jvm/temurin-2[1-9]*/bin/jfr /usr/lib/jvm/*-2[1-9]*/bin/jfr 2>/dev/null | head -n 1 || true)}

mkdir -p "$OUT"
log() { printf "[bench %s] %s\n" "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/bench.log" >&2; }
die() { log "$*"; exit 2; }

for tool in java jcmd jfr curl python3; do
	command -v "$tool" >/dev/null || die "$tool is required"
done
if [[ "$MODE" != fanout ]] && ! command -v wrk >/dev/null; then
	die "wrk is required: apt-get install -y wrk (Debian/Ubuntu), brew install wrk (macOS)"
fi

mkdir -p "$OUT"
REPORT="$OUT/report.md"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

# --- the two jars -----------------------------------------------------------------------------

# Nothing (and no failure under set -e / pipefail) when the directory does not exist yet: a fresh clone.
find_jar() { [[ -d "$1" ]] || return 0; find "$1" -maxdepth 1 -name "$2" ! -name '*.original' ! -name '*-plain.jar' | head -n 1; }
# A jar older than any of its sources is rebuilt: a stale jar would measure yesterday's code.
stale() { # jar, source paths...
	local jar=$1
	shift
	[[ -z "$jar" ]] || [[ -n "$(find "$@" -newer "$jar" -type f -print -quit 2>/dev/null)" ]]
}
if [[ -z "${JAR:-}" ]]; then
	JAR=$(find_jar "$ROOT/target" 'kling-balances-*.jar')
	if stale "$JAR" "$ROOT/src/main" "$ROOT/pom.xml"; then
		log "building the service (./mvnw -B -q -DskipTests package)"
		(cd "$ROOT" && ./mvnw -B -q -DskipTests package)
		JAR=$(find_jar "$ROOT/target" 'kling-balances-*.jar')
	fi
fi
if [[ -z "${BARE_JAR:-}" ]]; then
	BARE_JAR=$(find_jar "$HERE/bare/target" 'bench-bare-*.jar')
	if stale "$BARE_JAR" "$HERE/bare/src" "$HERE/bare/pom.xml"; then
		log "building the bare app (./mvnw -B -q -f scripts/bench/bare/pom.xml -DskipTests package)"
		(cd "$ROOT" && ./mvnw -B -q -f scripts/bench/bare/pom.xml -DskipTests package)
		BARE_JAR=$(find_jar "$HERE/bare/target" 'bench-bare-*.jar')
	fi
fi
[[ -n "$JAR" && -n "$BARE_JAR" ]] || die "a jar is missing after the build"

# --- processes ----------------------------------------------------------------------------------

# Every process this script started; each is stopped by its pid (TERM, then KILL after 20 s).
PIDS=()
stop() { # pid
	kill "$1" 2>/dev/null || true
	for _ in $(seq 1 80); do kill -0 "$1" 2>/dev/null || break; sleep 0.25; done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
on_exit() {
	local status=$?
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do stop "$pid"; done
	exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# Starts java in the background; sets STARTED_PID and STARTED_AT (µs, taken right before the fork).
start_java() { # log file, java arguments...
	local logfile=$1
	shift
	STARTED_AT=$(now_us)
	"$JAVA_CMD" "$@" >"$logfile" 2>&1 &
	STARTED_PID=$!
	PIDS+=("$STARTED_PID")
}

# Polls url every ~50 ms until it answers 200; sets READY_MS (wall-clock since STARTED_AT) and
# READY_CPU_MS (CPU the process used until then: on a shared machine the steadier figure).
wait_200() { # url, pid, timeout seconds
	local url=$1 pid=$2 until=$(($(now_us) + $3 * 1000000))
	while (($(now_us) < until)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null)" == 200 ]]; then
			READY_MS=$((($(now_us) - STARTED_AT) / 1000))
			READY_CPU_MS=$(($(cpu_ticks "$pid") * 1000 / CLK_TCK))
			return 0
		fi
		sleep 0.05
	done
	return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of the whole process
CLK_TCK=$(getconf CLK_TCK)
record() { echo "$1" >>"$RESULTS"; }

# Long cache TTLs: the demo's default useapi.net TTL (2 min) refreshes those accounts ahead every
# ~96 s while they are asked for, which changes fetchedAt and so the ETag in the middle of a run
# (a 304 run would partly answer 200). Nothing else of the read path depends on the TTL. The
# simulated accounts stand still (usage 0): the answer, and so the bare app's copy of its bytes,
# stays the same from run to run.
SERVICE_ARGS=(--server.address=127.0.0.1 --balances.kling.cache-ttl=1h --balances.useapi.cache-ttl=1h --balances.demo.usage=0)
start_service() { # name, extra arguments... ; sets SVC_PID SVC_URL READY_MS READY_CPU_MS
	local name=$1 port demo
	shift
	port=$(free_port)
	demo=$(free_port)
	start_java "$OUT/$name.log" "${JVM_FLAGS[@]}" "${EXTRA_JVM[@]}" -jar "$JAR" --spring.profiles.active=demo \
		"${SERVICE_ARGS[@]}" --server.port="$port" --balances.demo.port="$demo" "$@"
	SVC_PID=$STARTED_PID
	SVC_URL="http://127.0.0.1:$port"
	wait_200 "$SVC_URL/actuator/health/readiness" "$SVC_PID" "$READY_TIMEOUT" || die "$name did not get ready (see $OUT/$name.log)"
}
# Production defaults (no profile: no demo upstreams, the memory store, no accounts), open.
start_plain() { # name, extra arguments... ; sets SVC_PID SVC_URL READY_MS READY_CPU_MS
	local name=$1 port
	shift
	port=$(free_port)
	start_java "$OUT/$name.log" "${JVM_FLAGS[@]}" "${EXTRA_JVM[@]}" -jar "$JAR" --server.address=127.0.0.1 \
		--server.port="$port" --balances.security.mode=none "$@"
	SVC_PID=$STARTED_PID
	SVC_URL="http://127.0.0.1:$port"
	wait_200 "$SVC_URL/actuator/health/readiness" "$SVC_PID" "$READY_TIMEOUT" || die "$name did not get ready (see $OUT/$name.log)"
}
start_bare() { # name, body file ; sets BARE_PID BARE_URL READY_MS READY_CPU_MS
	local port
	port=$(free_port)
	start_java "$OUT/$1.log" "${JVM_FLAGS[@]}" "${EXTRA_JVM[@]}" -jar "$BARE_JAR" \
		--server.address=127.0.0.1 --server.port="$port" --bare.body-file="$2"
	BARE_PID=$STARTED_PID
	BARE_URL="http://127.0.0.1:$port"
	wait_200 "$BARE_URL/balances" "$BARE_PID" "$READY_TIMEOUT" || die "$1 did not get ready (see $OUT/$1.log)"
}
EXTRA_JVM=()
JAVA_CMD=java
# The api-key mode: one consumer, configured by the SHA-256 of its key, with its rate limit lifted
# (10 requests/s by default) so that the load measures the limiter's cost, not its refusals.
# The bench reads request counts from /actuator/prometheus on the API port, which needs a key
# there by default: opened for this loopback-only instance.
API_KEY="kb_bench_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
API_KEY_ARGS=(--balances.security.mode=api-key '--balances.security.api-keys[0].name=bench'
	"--balances.security.api-keys[0].sha256=$(printf %s "$API_KEY" | sha256sum | cut -d' ' -f1)"
	--resilience4j.ratelimiter.configs.consumer.limit-for-period=100000000
	--balances.security.actuator.prometheus=open)

header() { # title
	{
		echo "# $1"
		echo
		echo "- commit: \`$(git -C "$ROOT" rev-parse --short HEAD)\`$(git -C "$ROOT" diff --quiet HEAD -- src pom.xml || echo ' (with uncommitted changes in src/ or pom.xml)')"
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$(env | grep -E '^(THREADS|CONNECTIONS|DURATION|WARMUP_[A-Z]+|ROUNDS|STARTUP_RUNS|JVM_OPTS|FANOUT_[A-Z]+|UPSTREAM_DELAY_MS|POLL_INTERVAL|PROFILE_[A-Z]+|JAR|BARE_JAR)=' | sed -E 's/^([^=]+)=(.*)$/\1="\2"/' | tr '\n' ' ')scripts/bench/bench.sh $MODE\`"
		echo "- JVM: $(java -version 2>&1 | sed -n 2p); flags for both apps: \`$JVM_OPTS\`"
		echo "- machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem:/ {print $2}') GB; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "- wrk: $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2 || true)"
		echo "- jars: \`${JAR#"$ROOT"/}\` (its git.properties: $(unzip -p "$JAR" BOOT-INF/classes/git.properties 2>/dev/null | sed -n 's/^git\.\(commit\.id\.abbrev\|dirty\)=//p' | paste -sd' ' | sed 's/ / dirty=/' || echo unknown)), \`${BARE_JAR#"$ROOT"/}\`"
		echo
	} >>"$REPORT"
}

# --- compare ------------------------------------------------------------------------------------

# The JIT needs requests, not seconds, and on two busy cores C2 takes long to catch up: a fixed
# warm-up left the service at several times its settled CPU per request. wrk in 5 s steps until
# at least WARMUP_REQUESTS requests AND a step with under 100 ms of JIT compilation whose server
# CPU per request is within 15 % of the step before, or WARMUP_MAX seconds.
warm_up() { # pid, url, wrk arguments...
	local pid=$1 url=$2 count=0 started=$SECONDS previous=0 current ticks requests steps="" jit compiles compile_ms
	shift 2
	while ((SECONDS - started < WARMUP_MAX)); do
		ticks=$(cpu_ticks "$pid")
		read -r compiles compile_ms < <("${BENCH_PY[@]}" jit --pid "$pid")
		requests=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$@" "$url" | sed -n 's/^ *\([0-9]*\) requests in .*/\1/p')
		current=$((($(cpu_ticks "$pid") - ticks) * 1000000 / CLK_TCK / (requests > 0 ? requests : 1)))
		read -r -a jit < <("${BENCH_PY[@]}" jit --pid "$pid")
		compiles=$((jit[0] - compiles)) compile_ms=$((jit[1] - compile_ms))
		count=$((count + requests))
		steps+=" $current (${compiles}c/${compile_ms}ms)"
		if ((count >= WARMUP_REQUESTS && compile_ms < 100 && current * 100 <= previous * 115 && previous * 100 <= current * 115)); then
			break
		fi
		previous=$current
	done
	log "  warm-up of $url: $count requests in $((SECONDS - started)) s; per 5 s step: CPU µs/req (JIT compilations/compile time):$steps"
}

# One wrk run against one target (round 0: the warm-up); appends a record.
measure() { # round, target label, app (service|bare), pid, status url (or ""), url, wrk headers...
	local round=$1 target=$2 app=$3 pid=$4 statuses_url=$5 url=$6 file before="" after="" ticks
	shift 6
	local headers=()
	for h in "$@"; do headers+=(-H "$h"); done
	if ((round == 0)); then
		warm_up "$pid" "$url" "${headers[@]}"
		return
	fi
	file="$OUT/wrk-r$round-$(echo "$target" | tr -c 'A-Za-z0-9' '_').txt"
	[[ -n "$statuses_url" ]] && before=$("${BENCH_PY[@]}" statuses --app "$statuses_url")
	ticks=$(cpu_ticks "$pid")
	local load_before
	load_before=$(cut -d' ' -f1 /proc/loadavg)
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${headers[@]}" "$url" >"$file" 2>&1
	ticks=$(($(cpu_ticks "$pid") - ticks))
	[[ -n "$statuses_url" ]] && after=$("${BENCH_PY[@]}" statuses --app "$statuses_url")
	record "$("${BENCH_PY[@]}" wrk-record --wrk-output "$file" --target "$target" --app "$app" --round "$round" \
		--command-line "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency" --cpu-ticks "$ticks" \
		--ticks-per-second "$CLK_TCK" --statuses-before "$before" --statuses-after "$after" \
		--loadavg "$load_before $(cut -d' ' -f1 /proc/loadavg)")"
	log "  $target: $(sed -n 's/^Requests\/sec:\s*//p' "$file") req/s"
}

run_compare() {
	header "Service vs bare Spring Boot"
	log "output: $OUT"
	local key=$API_KEY

	log "service, open (demo profile: 2 Kling + 2 useapi.net accounts, simulated upstreams)"
	start_service service-open
	local open_pid=$SVC_PID open_url=$SVC_URL
	record "{\"kind\":\"rss\",\"app\":\"service\",\"when\":\"ready\",\"kb\":$(rss_kb "$open_pid")}"
	# Until the first /balances every account is filled (the start-up warm-up already started it).
	for _ in $(seq 1 50); do
		curl -s "$open_url/balances" | python3 -c 'import json,sys; a=json.load(sys.stdin); sys.exit(0 if a["complete"] else 1)' && break
		sleep 0.2
	done
	curl -s -o "$OUT/balances.json" "$open_url/balances"
	log "  /balances: $(wc -c <"$OUT/balances.json") bytes, complete: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["complete"])' "$OUT/balances.json")"

	log "service, api-key mode (one consumer, its rate limit lifted so the limiter is passed, not hit)"
	start_service service-apikey "${API_KEY_ARGS[@]}"
	local key_pid=$SVC_PID key_url=$SVC_URL
	[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $key" "$key_url/balances")" == 200 ]] \
		|| die "the api-key service refused the bench key"
	[[ "$(curl -s -o /dev/null -w '%{http_code}' "$key_url/balances")" == 401 ]] \
		|| die "the api-key service answered without a key"

	log "bare app, serving those $(wc -c <"$OUT/balances.json") bytes"
	start_bare bare "$OUT/balances.json"
	record "{\"kind\":\"rss\",\"app\":\"bare\",\"when\":\"ready\",\"kb\":$(rss_kb "$BARE_PID")}"
	cmp -s "$OUT/balances.json" <(curl -s "$BARE_URL/balances") || die "the bare app does not serve the same bytes"

	etag() { curl -s -o /dev/null -D - "$open_url/balances" | sed -n 's/^[Ee][Tt]ag: //p' | tr -d '\r'; }
	local -a targets=(bare open key account notmodified health)
	target_run() { # round, target
		case "$2" in
		bare) measure "$1" "bare app GET /balances" bare "$BARE_PID" "" "$BARE_URL/balances" ;;
		open) measure "$1" "GET /balances (open)" service "$open_pid" "$open_url" "$open_url/balances" ;;
		key) measure "$1" "GET /balances (X-API-Key)" service-apikey "$key_pid" "$key_url" "$key_url/balances" "X-API-Key: $key" ;;
		account) measure "$1" "GET /balances/kling/studio-main" service "$open_pid" "$open_url" "$open_url/balances/kling/studio-main" ;;
		notmodified)
			local tag
			tag=$(etag)
			[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $tag" "$open_url/balances")" == 304 ]] \
				|| die "If-None-Match: $tag did not answer 304"
			measure "$1" "GET /balances → 304 (If-None-Match)" service "$open_pid" "$open_url" "$open_url/balances" "If-None-Match: $tag"
			;;
		health) measure "$1" "GET /actuator/health" service "$open_pid" "$open_url" "$open_url/actuator/health" ;;
		esac
	}

	log "warm-up per target: $WARMUP_REQUESTS requests or ${WARMUP_MAX}s"
	for t in "${targets[@]}"; do target_run 0 "$t"; done

	for round in $(seq 1 "$ROUNDS"); do
		log "round $round: wrk -t$THREADS -c$CONNECTIONS -d$DURATION per target"
		local order=("${targets[@]}")
		if ((round % 2 == 0)); then
			order=()
			for ((i = ${#targets[@]} - 1; i >= 0; i--)); do order+=("${targets[$i]}"); done
		fi
		for t in "${order[@]}"; do target_run "$round" "$t"; done
	done
	record "{\"kind\":\"rss\",\"app\":\"service\",\"when\":\"after load\",\"kb\":$(rss_kb "$open_pid")}"
	record "{\"kind\":\"rss\",\"app\":\"service (api-key instance)\",\"when\":\"after load\",\"kb\":$(rss_kb "$key_pid")}"
	record "{\"kind\":\"rss\",\"app\":\"bare\",\"when\":\"after load\",\"kb\":$(rss_kb "$BARE_PID")}"
	stop "$open_pid"
	stop "$key_pid"
	stop "$BARE_PID"

	log "start-up to ready, $STARTUP_RUNS runs per app, alternating"
	for run in $(seq 1 "$STARTUP_RUNS"); do
		start_service "startup-service-$run"
		record "{\"kind\":\"startup\",\"app\":\"service\",\"run\":$run,\"ms\":$READY_MS,\"cpu_ms\":$READY_CPU_MS}"
		local service_ms=$READY_MS
		stop "$SVC_PID"
		start_bare "startup-bare-$run" "$OUT/balances.json"
		record "{\"kind\":\"startup\",\"app\":\"bare\",\"run\":$run,\"ms\":$READY_MS,\"cpu_ms\":$READY_CPU_MS}"
		stop "$BARE_PID"
		log "  run $run: service ${service_ms} ms, bare ${READY_MS} ms"
	done

	{
		"${BENCH_PY[@]}" compare-report --results "$RESULTS"
		echo
		echo "Start-up: from the fork of \`java -jar\` to the first 200 of \`/actuator/health/readiness\` (service) or"
		echo "of \`/balances\` (bare app), polled with curl every 50 ms. CPU µs/req: the server process's user +"
		echo "system CPU time during the run (\`/proc/<pid>/stat\`) divided by the requests wrk completed."
	} >>"$REPORT"
}

# --- fanout -------------------------------------------------------------------------------------

run_fanout() {
	header "Time until every account is known"
	if [[ ! -f "$WIREMOCK_JAR" ]]; then
		log "fetching WireMock standalone $WIREMOCK_VERSION into the local Maven repository (the tests use it too)"
		(cd "$ROOT" && ./mvnw -B -q dependency:get -Dartifact="org.wiremock:wiremock-standalone:$WIREMOCK_VERSION" -Dtransitive=false)
	fi
	[[ -f "$WIREMOCK_JAR" ]] || die "WireMock standalone not found at $WIREMOCK_JAR; './mvnw test-compile' downloads it"
	local wm_port wm_url
	wm_port=$(free_port)
	wm_url="http://127.0.0.1:$wm_port"
	log "WireMock on $wm_url: every answer good, after ${UPSTREAM_DELAY_MS} ms"
	# Its own root directory: WireMock creates mappings/ and __files/ in the working directory otherwise.
	mkdir -p "$OUT/wiremock"
	start_java "$OUT/wiremock.log" -Xmx512m -jar "$WIREMOCK_JAR" --bind-address 127.0.0.1 --port "$wm_port" \
		--root-dir "$OUT/wiremock" --async-response-enabled true --async-response-threads 64 --container-threads 300 --disable-banner
	local wm_pid=$STARTED_PID
	wait_200 "$wm_url/__admin/health" "$wm_pid" "$READY_TIMEOUT" || die "WireMock did not start (see $OUT/wiremock.log)"

	local -a results=()
	for n in $FANOUT_SIZES; do
		local m=$(((n * 30 + 100) / 200))
		((m >= 1)) || m=1
		for run in $(seq 1 "$FANOUT_RUNS"); do
			"${BENCH_PY[@]}" fanout-stubs --wiremock "$wm_url" --delay-ms "$UPSTREAM_DELAY_MS"
			local -a env_accounts=(BALANCES_USEAPI_TOKEN=bench-useapi-token)
			local emails=""
			for ((i = 0; i < n; i++)); do
				env_accounts+=("BALANCES_KLING_ACCOUNTS_${i}_ID=bench-$i" "BALANCES_KLING_ACCOUNTS_${i}_APIKEY=bench-kling-key-$i")
			done
			for ((i = 0; i < m; i++)); do emails+="${emails:+,}bench$i@example.com"; done
			env_accounts+=("BALANCES_USEAPI_EMAILS=$emails")
			log "N=$n Kling + M=$m useapi.net accounts, run $run"
			local port
			port=$(free_port)
			STARTED_AT=$(now_us)
			env "${env_accounts[@]}" java "${JVM_FLAGS[@]}" -jar "$JAR" --server.address=127.0.0.1 --server.port="$port" \
				--balances.security.mode=none --balances.kling.base-url="$wm_url/kling" \
				--balances.useapi.base-url="$wm_url/useapi" >"$OUT/fanout-$n-$run.log" 2>&1 &
			local pid=$!
			PIDS+=("$pid")
			wait_200 "http://127.0.0.1:$port/actuator/health/readiness" "$pid" "$READY_TIMEOUT" \
				|| die "the service did not get ready (see $OUT/fanout-$n-$run.log)"
			local ready=$EPOCHREALTIME
			log "  ready after $READY_MS ms"
			record "$("${BENCH_PY[@]}" fanout-poll --app "http://127.0.0.1:$port" --wiremock "$wm_url" --kling "$n" \
				--useapi "$m" --ready-epoch "$ready" --interval "$POLL_INTERVAL" --timeout "$FANOUT_TIMEOUT" --run "$run" \
				--rps 2 --pacing-margin 0.1 --max-connections 16 --delay-ms "$UPSTREAM_DELAY_MS" --ready-ms "$READY_MS")"
			log "  $(tail -n 1 "$RESULTS" | python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; print(r["seconds"], r["error_observations"])')"
			stop "$pid"
		done
	done
	stop "$wm_pid"
	{
		echo "Each run: a fresh service (production defaults, \`balances.security.mode=none\`) against WireMock;"
		echo "the clock starts at the first 200 of readiness (the start-up warm-up has just begun fetching) and"
		echo "stops at the first \`/balances\` answer in which every account has figures and no \`error\`;"
		echo "\`/balances\` polled every ${POLL_INTERVAL} s (a poll may wait up to \`balances.deadline\`, 4 s). The warm-up"
		echo "starts on ApplicationReadyEvent, a little before readiness answers 200 (seconds on a busy machine), so the"
		echo "figure in brackets counts from the first request WireMock received instead."
		echo "Floors: Kling N / 16 connections × ${UPSTREAM_DELAY_MS} ms; useapi.net M × (1/2 rps + 0.1 s margin), in brackets"
		echo "exactly: (M − 1) × 0.6 s + ${UPSTREAM_DELAY_MS} ms (the first call goes at once, the last still takes its answer time)."
		echo
		"${BENCH_PY[@]}" fanout-report --results "$RESULTS"
	} >>"$REPORT"
}

# --- profile ------------------------------------------------------------------------------------

# A JDK 25 (or later) adds CPU-time sampling (jdk.CPUTimeSample): samples in proportion to the CPU
# a thread really used, which on a busy shared machine says more than wall-clock sampling.
JDK25_HOME=${JDK25_HOME:-$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]-* 2>/dev/null | head -n 1 || true)}

# Records one app under the cached /balances load: JFR from JVM start to ready, then
# PROFILE_SECONDS of wrk under JFR. Writes <label>-*.txt and appends its sections to the report.
profile_app() { # label, java home ("" = java on PATH), app (service|service-apikey|bare), extra JFR settings...
	local label=$1 home=$2 app=$3
	shift 3
	local java_bin=java jcmd_bin=jcmd jfr_bin=jfr
	if [[ -n "$home" ]]; then java_bin=$home/bin/java jcmd_bin=$home/bin/jcmd jfr_bin=$home/bin/jfr; fi
	JAVA_CMD=$java_bin
	EXTRA_JVM=(-XX:FlightRecorderOptions:stackdepth=256 -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints
		"-XX:StartFlightRecording=name=startup,settings=profile,filename=$OUT/$label-startup.jfr$(printf ',%s' "$@")")
	local pid url headers=()
	if [[ "$app" == service ]]; then
		start_service "$label"
		pid=$SVC_PID url=$SVC_URL/balances
		curl -s -o "$OUT/balances.json" "$url"
	elif [[ "$app" == service-apikey ]]; then
		start_service "$label" "${API_KEY_ARGS[@]}"
		pid=$SVC_PID url=$SVC_URL/balances headers=(-H "X-API-Key: $API_KEY")
	else
		start_bare "$label" "$OUT/balances.json"
		pid=$BARE_PID url=$BARE_URL/balances
	fi
	EXTRA_JVM=()
	JAVA_CMD=java
	"$jcmd_bin" "$pid" JFR.stop name=startup >/dev/null
	warm_up "$pid" "$url" "${headers[@]}"
	local ticks
	ticks=$(cpu_ticks "$pid")
	"$jcmd_bin" "$pid" JFR.start name=load settings=profile "$@" filename="$OUT/$label-load.jfr" >/dev/null
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"${PROFILE_SECONDS}s" --latency "${headers[@]}" "$url" >"$OUT/$label-wrk.txt"
	"$jcmd_bin" "$pid" JFR.stop name=load >/dev/null
	ticks=$(($(cpu_ticks "$pid") - ticks))
	stop "$pid"
	local requests
	requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$OUT/$label-wrk.txt")
	local event=jdk.ExecutionSample
	[[ " $* " == *"jdk.CPUTimeSample#enabled=true"* ]] && event=jdk.CPUTimeSample
	"$jfr_bin" print --stack-depth 256 --events "$event" "$OUT/$label-load.jfr" >"$OUT/$label-load-cpu.txt"
	"$jfr_bin" print --stack-depth 256 --events jdk.ObjectAllocationSample "$OUT/$label-load.jfr" >"$OUT/$label-load-alloc.txt"
	"$jfr_bin" print --events jdk.GarbageCollection,jdk.CPUTimeSamplesLost "$OUT/$label-load.jfr" >"$OUT/$label-load-gc.txt"
	"$jfr_bin" print --stack-depth 64 --events jdk.ThreadPark,jdk.JavaMonitorEnter "$OUT/$label-load.jfr" >"$OUT/$label-load-blocking.txt"
	"$jfr_bin" print --stack-depth 256 --events "$event" "$OUT/$label-startup.jfr" >"$OUT/$label-startup-cpu.txt"
	echo "{\"kind\":\"profile\",\"label\":\"$label\",\"app\":\"$app\",\"event\":\"$event\",\"requests\":$requests,\"seconds\":$PROFILE_SECONDS,\"cpu_ms\":$((ticks * 1000 / $CLK_TCK)),\"rps\":\"$(sed -n 's/^Requests\/sec:\s*//p' "$OUT/$label-wrk.txt")\"}" >>"$RESULTS"
	if [[ -n "$JFR_VIEW" ]]; then
		for view in hot-methods allocation-by-site; do
			"$JFR_VIEW" view --width 200 "$view" "$OUT/$label-load.jfr" >"$OUT/$label-view-$view.txt" 2>&1 || true
		done
	fi
	log "  $label: $(sed -n 's/^Requests\/sec:\s*//p' "$OUT/$label-wrk.txt") req/s, $requests requests, $event"
}

run_profile() {
	header "Where the time goes (JDK Flight Recorder)"
	local cputime=(jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=1ms)
	log "service and bare app, java on PATH ($(java -version 2>&1 | head -n 1)): wall-clock sampling (jdk.ExecutionSample)"
	profile_app service-17 "" service
	profile_app bare-17 "" bare
	if [[ -n "$JDK25_HOME" ]]; then
		log "service and bare app on $JDK25_HOME: CPU-time sampling (jdk.CPUTimeSample, every 1 ms of CPU)"
		profile_app service-25 "$JDK25_HOME" service "${cputime[@]}"
		profile_app bare-25 "$JDK25_HOME" bare "${cputime[@]}"
		profile_app service-apikey-25 "$JDK25_HOME" service-apikey "${cputime[@]}"
	fi
	{
		echo "Each app: JFR (\`settings=profile\`, stack depth 256, DebugNonSafepoints) from JVM start to ready, then"
		echo "a warm-up (at least $WARMUP_REQUESTS requests, JIT idle, settled CPU per request; at most ${WARMUP_MAX} s) and \`wrk -t$THREADS -c$CONNECTIONS -d${PROFILE_SECONDS}s\` on \`/balances\` under a second recording."
		echo "Layers: each sample is charged to the innermost layer on its stack, so a filter counts only"
		echo "the work it does itself, not the filters and the handler it wraps. Threads: \`http-nio-*\`."
		echo
		"${BENCH_PY[@]}" profile-report --results "$RESULTS" --dir "$OUT"
	} >>"$REPORT"

	if [[ "$PROFILE_STARTUP" == 0 ]]; then
		log "PROFILE_STARTUP=0: start-up variants, steps, classes and native memory left out"
		return
	fi
	startup_parts
}

# --- startup ------------------------------------------------------------------------------------

# What start-up costs and what memory holds: variants, Spring's steps by feature, classes loaded by
# library, and the JVM's native memory after load (-XX:NativeMemoryTracking=summary).
run_startup() {
	header "Start-up and memory"
	startup_parts
}

startup_parts() {
	if [[ ! -s "$OUT/balances.json" ]]; then
		# The bare app serves the service's own answer (and its start-up steps run needs a file).
		start_service body
		curl -s -o "$OUT/balances.json" "$SVC_URL/balances"
		stop "$SVC_PID"
	fi
	log "start-up variants: what each part costs ($STARTUP_RUNS runs each)"
	local -a names=("demo profile, as shipped" "springdoc off" "no demo profile (no accounts, security none)"
		"demo, lazy bean initialisation" "demo, C1 only (-XX:TieredStopAtLevel=1)")
	local -a variants=("" "--springdoc.api-docs.enabled=false --springdoc.swagger-ui.enabled=false"
		"NODEMO" "--spring.main.lazy-initialization=true" "C1")
	declare -A times=() cpu=()
	for run in $(seq 1 "$STARTUP_RUNS"); do
		for i in "${!variants[@]}"; do
			local v=${variants[$i]}
			local -a args=()
			EXTRA_JVM=()
			if [[ "$v" == NODEMO ]]; then
				start_plain "variant-$i-$run"
			else
				if [[ "$v" == C1 ]]; then EXTRA_JVM=(-XX:TieredStopAtLevel=1); else read -r -a args <<<"$v"; fi
				start_service "variant-$i-$run" "${args[@]}"
			fi
			EXTRA_JVM=()
			times[$i]="${times[$i]:-} $READY_MS"
			cpu[$i]="${cpu[$i]:-} $READY_CPU_MS"
			((run == 1)) && jcmd "$SVC_PID" PerfCounter.print | sed -n 's/^java.cls.loadedClasses=//p' >"$OUT/variant-$i-classes.txt"
			stop "$SVC_PID"
		done
		start_bare "variant-bare-$run" "$OUT/balances.json"
		times[bare]="${times[bare]:-} $READY_MS"
		cpu[bare]="${cpu[bare]:-} $READY_CPU_MS"
		((run == 1)) && jcmd "$BARE_PID" PerfCounter.print | sed -n 's/^java.cls.loadedClasses=//p' >"$OUT/variant-bare-classes.txt"
		stop "$BARE_PID"
		log "  run $run: ${times[*]}"
	done
	median_of() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
	{
		echo "### Start-up variants (ms from fork to ready; median of $STARTUP_RUNS, runs interleaved)"
		echo
		echo "| variant | wall ms, runs | median wall ms | CPU ms until ready, runs | median CPU ms | classes loaded at ready |"
		echo "|---|---|---|---|---|---|"
		for i in "${!variants[@]}"; do
			echo "| ${names[$i]} | ${times[$i]# } | $(median_of "${times[$i]}") | ${cpu[$i]# } | $(median_of "${cpu[$i]}") | $(cat "$OUT/variant-$i-classes.txt") |"
		done
		echo "| bare app | ${times[bare]# } | $(median_of "${times[bare]}") | ${cpu[bare]# } | $(median_of "${cpu[bare]}") | $(cat "$OUT/variant-bare-classes.txt") |"
		echo
		echo "\"Started … in X seconds (process running for Y)\" of each variant's first run:"
		echo
		for i in "${!variants[@]}"; do
			echo "- ${names[$i]}: $(grep -o 'Started .* in .*)' "$OUT/variant-$i-1.log" | sed 's/^Started [A-Za-z]* //')"
		done
		echo "- bare app: $(grep -o 'Started .* in .*)' "$OUT/variant-bare-1.log" | sed 's/^Started [A-Za-z]* //')"
		echo
	} >>"$REPORT"

	log "start-up steps of both apps (Spring's BufferingApplicationStartup, via startup/StartupSteps.java)"
	local extract=$OUT/extract port demo
	java -Djarmode=tools -jar "$JAR" extract --destination "$extract/service" >/dev/null
	java -Djarmode=tools -jar "$BARE_JAR" extract --destination "$extract/bare" >/dev/null
	port=$(free_port)
	demo=$(free_port)
	java "${JVM_FLAGS[@]}" -Dbench.application=dev.klingbalances.KlingBalancesApplication \
		-Dbench.out="$OUT/startup-steps-service.tsv" -cp "$(ls "$extract"/service/*.jar)" "$HERE/startup/StartupSteps.java" \
		--spring.profiles.active=demo "${SERVICE_ARGS[@]}" --server.port="$port" --balances.demo.port="$demo" \
		>"$OUT/startup-steps-service.log" 2>&1 || die "the start-up steps run failed (see $OUT/startup-steps-service.log)"
	java "${JVM_FLAGS[@]}" -Dbench.application=dev.klingbalances.bench.bare.BareApplication \
		-Dbench.out="$OUT/startup-steps-bare.tsv" -cp "$(ls "$extract"/bare/*.jar)" "$HERE/startup/StartupSteps.java" \
		--server.address=127.0.0.1 --server.port="$port" --bare.body-file="$OUT/balances.json" \
		>"$OUT/startup-steps-bare.log" 2>&1 || die "the start-up steps run failed (see $OUT/startup-steps-bare.log)"
	{
		echo "### Start-up steps by feature (Spring's BufferingApplicationStartup)"
		echo
		"${BENCH_PY[@]}" startup-steps --service "$OUT/startup-steps-service.tsv" --bare "$OUT/startup-steps-bare.tsv"
		echo
	} >>"$REPORT"

	log "classes loaded at start-up, by library (-Xlog:class+load): demo profile, production defaults, bare app"
	EXTRA_JVM=("-Xlog:class+load=info:file=$OUT/classload.txt")
	start_service classload
	stop "$SVC_PID"
	# Production defaults: no profile, so no demo upstreams; the memory store; no accounts.
	EXTRA_JVM=("-Xlog:class+load=info:file=$OUT/classload-nodemo.txt")
	start_plain classload-nodemo
	stop "$SVC_PID"
	EXTRA_JVM=("-Xlog:class+load=info:file=$OUT/classload-bare.txt")
	start_bare classload-bare "$OUT/balances.json"
	stop "$BARE_PID"
	EXTRA_JVM=()
	{
		echo "### Classes loaded until ready, by library"
		echo
		"${BENCH_PY[@]}" classes --file "$OUT/classload.txt" --file "$OUT/classload-nodemo.txt" --file "$OUT/classload-bare.txt" \
			--name "service, demo profile" --name "service, production defaults (no profile)" --name "bare app"
		echo
	} >>"$REPORT"

	log "native memory after load (-XX:NativeMemoryTracking=summary; wrk -t$THREADS -c$CONNECTIONS -d$DURATION on /balances)"
	EXTRA_JVM=(-XX:NativeMemoryTracking=summary)
	start_service nmt-service
	local nmt_pid=$SVC_PID nmt_url=$SVC_URL
	start_bare nmt-bare "$OUT/balances.json"
	EXTRA_JVM=()
	for app in "$nmt_pid $nmt_url" "$BARE_PID $BARE_URL"; do
		read -r pid url <<<"$app"
		wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$url/balances" >/dev/null
		jcmd "$pid" VM.native_memory summary >"$OUT/nmt-$pid.txt"
		echo "$(rss_kb "$pid")" >"$OUT/nmt-$pid.rss"
		jcmd "$pid" Thread.print | grep -c '^"' >"$OUT/nmt-$pid.threads" || true
	done
	stop "$nmt_pid"
	stop "$BARE_PID"
	{
		echo "### Native memory after load (\`jcmd <pid> VM.native_memory summary\`, committed)"
		echo
		"${BENCH_PY[@]}" nmt --service "$OUT/nmt-$nmt_pid.txt" --bare "$OUT/nmt-$BARE_PID.txt" \
			--service-rss "$(cat "$OUT/nmt-$nmt_pid.rss")" --bare-rss "$(cat "$OUT/nmt-$BARE_PID.rss")" \
			--service-threads "$(cat "$OUT/nmt-$nmt_pid.threads")" --bare-threads "$(cat "$OUT/nmt-$BARE_PID.threads")"
		echo
	} >>"$REPORT"
}

case "$MODE" in
compare) run_compare ;;
fanout) run_fanout ;;
profile) run_profile ;;
startup) run_startup ;;
all)
	run_compare
	run_fanout
	run_profile
	;;
esac
log "report: $REPORT"
cat "$REPORT"
