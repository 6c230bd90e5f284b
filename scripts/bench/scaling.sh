#!/usr/bin/env bash
# Two instances next to one, on one Redis (docs/scaling.md, "Benchmark"). Everything runs on
# 127.0.0.1: the instances (the packaged jar, balances.store.type=redis), one Redis (container
# of the local REDIS_IMAGE, host network), one WireMock standing in for both upstreams (fixed
# latency), and the load generator. For 1, then 2 instances, from an empty Redis:
#   1. cold fan-out, Kling: 64 concurrent GET /balances?provider=kling spread over the
#      instances, every account cold; wall time until all 64 are answered in full, and the
#      upstream calls it took (must be one per account);
#   2. cold fan-out, useapi.net: 16 concurrent GET /balances?provider=useapi, likewise;
#   3. cached reads: wrk on GET /balances (every account) and on one account, the connections
#      split evenly over the instances; requests/s summed, latency per wrk run.
# Prints one table with the ratios of 2 instances to 1.
#
#   scripts/bench/scaling.sh
#   DURATION=30s CONNECTIONS=64 KLING_ACCOUNTS=400 scripts/bench/scaling.sh
#
# Needs: Java 17+, Docker with the local Redis image (.ci/redis-image.sh), wrk, curl
# (apt-get install wrk curl). Builds the jar if it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
KLING_ACCOUNTS=${KLING_ACCOUNTS:-200}
USEAPI_ACCOUNTS=${USEAPI_ACCOUNTS:-10}
LATENCY_MS=${LATENCY_MS:-300}
HEAP=${HEAP:-256m}
REDIS_IMAGE=${REDIS_IMAGE:-kling-balances/redis:7-bookworm}
REDIS_PORT=${REDIS_PORT:-18379}
WIREMOCK_PORT=${WIREMOCK_PORT:-18390}
APP_PORTS=(${APP_PORTS:-18381 18382})
OUT=${OUT:-target/bench-scaling}

for tool in wrk curl docker java; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1 \
  || { echo "no local image $REDIS_IMAGE: build it with .ci/redis-image.sh" >&2; exit 1; }
jar=$(ls target/kling-balances-*.jar 2>/dev/null | grep -v plain | head -1 || true)
if [ -z "$jar" ]; then
  ./mvnw -B -q -DskipTests package
  jar=$(ls target/kling-balances-*.jar | grep -v plain | head -1)
fi
wiremock_version=$(sed -n 's:.*<wiremock.version>\(.*\)</wiremock.version>.*:\1:p' pom.xml)
wiremock_jar=${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/$wiremock_version/wiremock-standalone-$wiremock_version.jar}
[ -f "$wiremock_jar" ] || ./mvnw -B -q dependency:get -Dartifact="org.wiremock:wiremock-standalone:$wiremock_version"
rm -rf "$OUT" && mkdir -p "$OUT/wiremock/mappings"

pids=()
redis_name="kling-balances-scaling-$$"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  docker rm -f "$redis_name" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# --- upstream stubs: Kling by API key (any), useapi.net list and accounts ---------------------
now_ms=$(date +%s%3N)
now_s=$((now_ms / 1000))
cat > "$OUT/wiremock/mappings/kling.json" <<EOF
{"request":{"method":"GET","urlPath":"/kling/account/costs"},
 "response":{"status":200,"fixedDelayMilliseconds":$LATENCY_MS,"headers":{"Content-Type":"application/json"},
  "jsonBody":{"code":0,"message":"SUCCEED","request_id":"bench","data":{"code":0,"msg":"ok",
   "resource_pack_subscribe_infos":[{"resource_pack_name":"Video Generation - 10,000 entries","resource_pack_id":"p1",
    "resource_pack_type":"decreasing_total","total_quantity":200.0,"remaining_quantity":118.0,
    "purchase_time":$((now_ms - 86400000)),"effective_time":$((now_ms - 86400000)),
    "invalid_time":$((now_ms + 30 * 86400000)),"status":"online"}]}}}}
EOF
listing=""
for i in $(seq 0 $((USEAPI_ACCOUNTS - 1))); do
  email=$(printf 'user%03d@example.com' "$i")
  listing+="${listing:+,}\"$email\":{\"email\":\"$email\",\"maxJobs\":5}"
done
cat > "$OUT/wiremock/mappings/useapi-list.json" <<EOF
{"request":{"method":"GET","urlPath":"/useapi/v1/kling/accounts"},
 "response":{"status":200,"fixedDelayMilliseconds":$LATENCY_MS,"headers":{"Content-Type":"application/json"},
  "jsonBody":{$listing}}}
EOF
cat > "$OUT/wiremock/mappings/useapi-account.json" <<EOF
{"request":{"method":"GET","urlPathPattern":"/useapi/v1/kling/accounts/.+"},
 "response":{"status":200,"fixedDelayMilliseconds":$LATENCY_MS,"headers":{"Content-Type":"application/json"},
  "jsonBody":{"maxJobs":5,"balance":{"points":[{"orderId":"o-1","type":"plan",
   "amount":66000,"balance":56000,"startTime":$((now_s - 86400)),"endTime":$((now_s + 30 * 86400))}],
   "tickets":[],"nextApplyTime":$((now_s + 7 * 86400)),"total":56000}}}}
EOF
java -Xmx256m -jar "$wiremock_jar" --bind-address 127.0.0.1 --port "$WIREMOCK_PORT" \
  --root-dir "$OUT/wiremock" --async-response-enabled true --container-threads 200 \
  > "$OUT/wiremock.log" 2>&1 &
pids+=($!)
wiremock="http://127.0.0.1:$WIREMOCK_PORT"

# --- the instances' configuration ------------------------------------------------------------
{
  echo "balances.security.mode=none"
  echo "balances.deadline=60s"
  echo "balances.cache.warm-up=false"
  echo "balances.cache.keep-warm=requested"
  # A loaded machine must not turn the stubs' latency into timeouts and retries: calls are counted.
  echo "balances.kling.http.response-timeout=30s"
  echo "balances.useapi.http.response-timeout=30s"
  echo "balances.store.type=redis"
  echo "spring.data.redis.host=127.0.0.1"
  echo "spring.data.redis.port=$REDIS_PORT"
  echo "balances.kling.base-url=$wiremock/kling"
  for i in $(seq 0 $((KLING_ACCOUNTS - 1))); do
    printf 'balances.kling.accounts[%d].id=team-%03d\n' "$i" "$i"
    printf 'balances.kling.accounts[%d].api-key=bench-kling-key-%03d\n' "$i" "$i"
  done
  echo "balances.useapi.base-url=$wiremock/useapi"
  echo "balances.useapi.token=bench-useapi-token"
} > "$OUT/instance.properties"

wait_ready() {
  for _ in $(seq 1 240); do
    curl -sf "$1/actuator/health/readiness" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$1 did not become ready" >&2
  return 1
}

calls() {
  curl -sf -X POST "$wiremock/__admin/requests/count" -d "{\"method\":\"GET\",\"$1\":\"$2\"}" \
    | sed -n 's/.*"count" *: *\([0-9]*\).*/\1/p'
}

# Wall time (ms) of $2 concurrent requests of path $3, spread over the first $1 instances.
burst() {
  local n=$1 requests=$2 path=$3 start end i failed=0
  local -a burst_pids=()
  start=$(date +%s%N)
  for i in $(seq 0 $((requests - 1))); do
    curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:${APP_PORTS[$((i % n))]}$path" \
      >> "$OUT/burst-$n.codes" &
    burst_pids+=($!)
  done
  for pid in "${burst_pids[@]}"; do wait "$pid" || failed=1; done
  end=$(date +%s%N)
  [ "$failed" = 0 ] || echo "a request of the burst failed" >&2
  echo $(((end - start) / 1000000))
}

# Requests/s (summed) and the worst p50/p99 of wrk runs on path $2, one per instance of the first $1.
cached() {
  local n=$1 path=$2 i
  local -a wrk_pids=()
  for i in $(seq 0 $((n - 1))); do
    wrk -t"$THREADS" -c$((CONNECTIONS / n)) -d"$DURATION" --latency \
      "http://127.0.0.1:${APP_PORTS[$i]}$path" > "$OUT/wrk-$n-$i$(echo "$path" | tr '/?=@' '____').txt" &
    wrk_pids+=($!)
  done
  for pid in "${wrk_pids[@]}"; do wait "$pid"; done
  cat "$OUT"/wrk-"$n"-*"$(echo "$path" | tr '/?=@' '____')".txt | awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000
      return v * 1000
    }
    /Requests\/sec/ { rps += $2 }
    /^ +50%/ { if (ms($2) > p50) p50 = ms($2) }
    /^ +99%/ { if (ms($2) > p99) p99 = ms($2) }
    /Non-2xx/ { bad += $5 }
    /Socket errors/ { bad += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2fms %.2fms %d\n", rps, p50, p99, bad }'
}

declare -A result
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for n in 1 2; do
  docker rm -f "$redis_name" >/dev/null 2>&1 || true
  docker run -d --rm --network host --name "$redis_name" "$REDIS_IMAGE" --bind 127.0.0.1 --port "$REDIS_PORT" >/dev/null
  curl -sf -X DELETE "$wiremock/__admin/requests" >/dev/null 2>&1 || {
    for _ in $(seq 1 60); do curl -sf -X DELETE "$wiremock/__admin/requests" >/dev/null 2>&1 && break; sleep 0.5; done
  }
  app_pids=()
  for i in $(seq 0 $((n - 1))); do
    java -Xmx"$HEAP" -jar "$jar" --server.address=127.0.0.1 --server.port="${APP_PORTS[$i]}" \
      --spring.config.additional-location="file:$OUT/instance.properties" > "$OUT/app-$n-$i.log" 2>&1 &
    app_pids+=($!)
    pids+=($!)
  done
  for i in $(seq 0 $((n - 1))); do wait_ready "http://127.0.0.1:${APP_PORTS[$i]}"; done

  echo "== $n instance(s): cold fan-out"
  result[$n,kling_ms]=$(burst "$n" 64 "/balances?provider=kling")
  result[$n,kling_calls]=$(calls urlPath /kling/account/costs)
  result[$n,useapi_ms]=$(burst "$n" 16 "/balances?provider=useapi")
  result[$n,useapi_calls]=$(calls urlPathPattern "/useapi/v1/kling/accounts.*")
  echo "== $n instance(s): cached reads, $CONNECTIONS connections, $DURATION"
  curl -sf "http://127.0.0.1:${APP_PORTS[0]}/balances" >/dev/null
  result[$n,all]=$(cached "$n" "/balances")
  result[$n,one]=$(cached "$n" "/balances/kling/team-000")
  result[$n,after_calls]=$(calls urlPathPattern "/(kling|useapi)/.*")

  for pid in "${app_pids[@]}"; do kill "$pid"; done
  for pid in "${app_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
done

non200() { grep -cv '^200$' "$OUT/burst-$1.codes" || true; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
read -r rps1 p50_1 p99_1 bad1 <<< "${result[1,all]}"
read -r rps2 p50_2 p99_2 bad2 <<< "${result[2,all]}"
read -r orps1 op50_1 op99_1 obad1 <<< "${result[1,one]}"
read -r orps2 op50_2 op99_2 obad2 <<< "${result[2,one]}"
echo
echo "$KLING_ACCOUNTS Kling accounts, $USEAPI_ACCOUNTS useapi.net accounts, upstream latency $LATENCY_MS ms, -Xmx$HEAP per instance,"
echo "$(nproc) cores, load average $load_before before and $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "| measurement | 1 instance | 2 instances | 2 / 1 |"
echo "|---|---|---|---|"
echo "| cold fan-out, Kling: 64 requests, wall time | ${result[1,kling_ms]} ms | ${result[2,kling_ms]} ms | $(ratio "${result[2,kling_ms]}" "${result[1,kling_ms]}") |"
echo "| cold fan-out, Kling: upstream calls | ${result[1,kling_calls]} | ${result[2,kling_calls]} | |"
echo "| cold fan-out, useapi.net: 16 requests, wall time | ${result[1,useapi_ms]} ms | ${result[2,useapi_ms]} ms | $(ratio "${result[2,useapi_ms]}" "${result[1,useapi_ms]}") |"
echo "| cold fan-out, useapi.net: upstream calls (list + accounts) | ${result[1,useapi_calls]} | ${result[2,useapi_calls]} | |"
echo "| cached GET /balances: requests/s | $rps1 | $rps2 | $(ratio "$rps2" "$rps1") |"
echo "| cached GET /balances: p50 / p99 | $p50_1 / $p99_1 | $p50_2 / $p99_2 | |"
echo "| cached GET /balances/kling/team-000: requests/s | $orps1 | $orps2 | $(ratio "$orps2" "$orps1") |"
echo "| cached GET /balances/kling/team-000: p50 / p99 | $op50_1 / $op99_1 | $op50_2 / $op99_2 | |"
echo "| upstream calls at the end of the run | ${result[1,after_calls]} | ${result[2,after_calls]} | |"
echo "| non-2xx: bursts / wrk | $(non200 1) / $((bad1 + obad1)) | $(non200 2) / $((bad2 + obad2)) | |"
