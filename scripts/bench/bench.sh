#!/usr/bin/env bash
# Throughput and latency of /balances served from the cache, on the demo profile.
# Everything runs on 127.0.0.1: the app, its simulated upstreams, the load generator.
#
#   scripts/bench/bench.sh                 # 30 s at 32 connections
#   DURATION=60s CONCURRENCY=64 scripts/bench/bench.sh
#
# Needs: Java 17+, hey (apt-get install hey). Builds the jar if it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-30s}
CONCURRENCY=${CONCURRENCY:-32}
APP_PORT=${APP_PORT:-18180}
DEMO_PORT=${DEMO_PORT:-18189}
OUT=${OUT:-target/bench}

command -v hey >/dev/null || { echo "hey is missing: apt-get install -y hey" >&2; exit 1; }
jar=$(ls target/kling-balances-*.jar 2>/dev/null | grep -v plain | head -1 || true)
if [ -z "$jar" ]; then
  ./mvnw -B -q -DskipTests package
  jar=$(ls target/kling-balances-*.jar | grep -v plain | head -1)
fi
mkdir -p "$OUT"

java -Xmx256m -jar "$jar" --spring.profiles.active=demo \
  --server.address=127.0.0.1 --server.port="$APP_PORT" --balances.demo.port="$DEMO_PORT" \
  > "$OUT/app.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true; wait $app 2>/dev/null || true' EXIT

base="http://127.0.0.1:$APP_PORT"
for _ in $(seq 1 120); do
  curl -sf "$base/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "$base/balances" >/dev/null   # fills the cache (first call waits on the upstreams)

echo "== GET /balances, $CONCURRENCY connections, $DURATION"
hey -z "$DURATION" -c "$CONCURRENCY" "$base/balances" | tee "$OUT/balances.txt" \
  | grep -E 'Requests/sec|Slowest|Fastest|Average|10% in|50% in|90% in|99% in|Status code|\[[0-9]{3}\][[:space:]]+[0-9]+ responses'

echo "== GET /balances/kling/studio-main, $CONCURRENCY connections, $DURATION"
hey -z "$DURATION" -c "$CONCURRENCY" "$base/balances/kling/studio-main" | tee "$OUT/account.txt" \
  | grep -E 'Requests/sec|50% in|99% in|\[[0-9]{3}\][[:space:]]+[0-9]+ responses'

echo "== heap after a full GC"
jcmd "$app" GC.run >/dev/null
jcmd "$app" GC.heap_info > "$OUT/heap.txt"
sed -n 2,3p "$OUT/heap.txt"
