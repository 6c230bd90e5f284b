#!/usr/bin/env bash
# Start-up to ready in the container, with the image's CDS archive and without it, for the
# service and for the bare app of bench.sh, both built by the project's own Dockerfile (so the
# bare app gets the same layers, JVM flags and training run). docs/performance.md records a run.
#
#   scripts/bench/container-startup.sh
#
# Settings (environment), with defaults:
#   RUNS=3                   start-ups per variant (alternating); the median is reported
#   BASE_IMAGE=kling-balances/jre-base:17-bookworm   the local base image (.ci/base-image.sh)
#   MEMORY=1g                the containers' memory limit (the heap is a share of it)
#   PORT=18480               loopback port the app listens on (host networking)
#   JAR, BARE_JAR            the jars (default: target/ and scripts/bench/bare/target/, built by bench.sh)
#   OUT=target/bench/container-startup-<UTC time>.md   the Markdown table (also printed)
#
# Needs a Docker daemon (dockerd --bridge=none is enough: host networking, nothing is pulled).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-3}
BASE_IMAGE=${BASE_IMAGE:-kling-balances/jre-base:17-bookworm}
MEMORY=${MEMORY:-1g}
PORT=${PORT:-18480}
JAR=${JAR:-$(find "$ROOT/target" -maxdepth 1 -name 'kling-balances-*.jar' ! -name '*.original' | head -n 1)}
BARE_JAR=${BARE_JAR:-$(find "$HERE/bare/target" -maxdepth 1 -name 'bench-bare-*.jar' ! -name '*.original' 2>/dev/null | head -n 1)}
[[ -f "$JAR" && -f "$BARE_JAR" ]] || {
	echo "build the jars first: ./mvnw -q -DskipTests package, and scripts/bench/bench.sh builds the bare app" >&2
	exit 1
}

build() { # image, jar, [bare]
	local context
	context=$(mktemp -d)
	cp "$ROOT/Dockerfile" "$context/"
	mkdir "$context/target" && cp "$2" "$context/target/app.jar"
	if [[ ${3:-} == bare ]]; then
		# The bare app serves the bytes of a file (bare.body-file), its training run included.
		echo '{"accounts":[]}' >"$context/body.json"
		sed -i 's|^COPY --from=builder /builder/extracted/application/ ./$|&\nCOPY body.json ./body.json\nENV BARE_BODYFILE=/application/body.json|' "$context/Dockerfile"
	fi
	docker build -q --network none --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$1" "$context" >/dev/null
	rm -rf "$context"
}

# CPU time (ms) the container has used: cgroup v1 (cpuacct.usage, ns) or v2 (cpu.stat usage_usec).
container_cpu_ms() { # container id
	local v1 v2
	for v1 in /sys/fs/cgroup/cpuacct/docker/"$1"/cpuacct.usage /sys/fs/cgroup/cpu,cpuacct/docker/"$1"/cpuacct.usage; do
		[[ -r "$v1" ]] && { echo $(($(cat "$v1") / 1000000)); return; }
	done
	for v2 in /sys/fs/cgroup/system.slice/docker-"$1".scope/cpu.stat /sys/fs/cgroup/docker/"$1"/cpu.stat; do
		[[ -r "$v2" ]] && { awk '/^usage_usec/ { print int($2 / 1000) }' "$v2"; return; }
	done
	echo "-"
}

# Prints the milliseconds from the JVM's start to "Started …" (Spring's "process running for") and
# the CPU milliseconds the container used until then (the steadier figure on a busy machine).
start() { # image, cds (yes|no)
	local name="startup-bench-$$" entry=() seconds id cpu="-"
	[[ $2 == no ]] && entry=(--entrypoint java)
	id=$(docker run -d --name "$name" --network host --memory "$MEMORY" -e SERVER_PORT="$PORT" \
		"${entry[@]}" "$1" ${entry:+-jar application.jar})
	for _ in $(seq 1 3000); do
		seconds=$(docker logs "$name" 2>&1 | grep -o 'process running for [0-9.]*' | grep -o '[0-9.]*$' || true)
		if [[ -n "$seconds" ]]; then
			cpu=$(container_cpu_ms "$id")
			break
		fi
		sleep 0.2
	done
	docker rm -f "$name" >/dev/null
	[[ -n "$seconds" ]] || { echo "no start-up line from $1" >&2; exit 1; }
	awk -v s="$seconds" -v c="$cpu" 'BEGIN { printf "%d %s\n", s * 1000, c }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

build kb-startup-service "$JAR"
build kb-startup-bare "$BARE_JAR" bare
declare -A times cpus
for run in $(seq 1 "$RUNS"); do
	for variant in service:yes bare:yes service:no bare:no; do
		read -r ms cpu < <(start "kb-startup-${variant%%:*}" "${variant##*:}")
		[[ -n "${ms:-}" ]] || exit 1
		times[$variant]="${times[$variant]:-} $ms"
		cpus[$variant]="${cpus[$variant]:-} $cpu"
		echo "run $run, ${variant%%:*}, CDS ${variant##*:}: $ms ms, CPU $cpu ms"
	done
done
OUT=${OUT:-$ROOT/target/bench/container-startup-$(date -u +%Y%m%dT%H%M%SZ).md}
mkdir -p "$(dirname "$OUT")"
{
	echo "Start-up in the container: JVM start to Spring's \"Started\" (process running for), $RUNS runs per variant,"
	echo "alternating; $(date -u '+%Y-%m-%d %H:%M UTC'), base image \`$BASE_IMAGE\`, memory limit $MEMORY,"
	echo "$(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); service jar \`${JAR#"$ROOT"/}\`"
	echo "(its git.properties: $(unzip -p "$JAR" BOOT-INF/classes/git.properties 2>/dev/null | sed -n 's/^git\.commit\.id\.abbrev=//p' || echo unknown))."
	echo
	echo "| | service, ms (runs) | bare app, ms (runs) | ratio of the medians (goal ≤ 1.5) | CPU ms until started: service / bare (medians) | CPU ratio |"
	echo "|---|---|---|---|---|---|"
	for cds in yes no; do
		service=$(tr ' ' '\n' <<<"${times[service:$cds]}" | grep . | median)
		bare=$(tr ' ' '\n' <<<"${times[bare:$cds]}" | grep . | median)
		service_cpu=$(tr ' ' '\n' <<<"${cpus[service:$cds]}" | grep '^[0-9]' | median)
		bare_cpu=$(tr ' ' '\n' <<<"${cpus[bare:$cds]}" | grep '^[0-9]' | median)
		label="with the image's CDS archive"
		[[ $cds == no ]] && label="without it (\`java -jar application.jar\`)"
		awk -v l="$label" -v sr="$(sed 's/^ //; s/ /, /g' <<<"${times[service:$cds]}")" -v br="$(sed 's/^ //; s/ /, /g' <<<"${times[bare:$cds]}")" \
			-v s="$service" -v b="$bare" -v sc="${service_cpu:-0}" -v bc="${bare_cpu:-0}" \
			'BEGIN { printf "| %s | %s (median %d) | %s (median %d) | %.2f | %d / %d | %s |\n", l, sr, s, br, b, s / b, sc, bc, (bc > 0 ? sprintf("%.2f", sc / bc) : "-") }'
	done
} | tee "$OUT"
echo "(written to $OUT)"
docker image rm kb-startup-service kb-startup-bare >/dev/null
