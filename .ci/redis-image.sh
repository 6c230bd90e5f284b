#!/usr/bin/env bash
# Builds a local Redis image for tests (Testcontainers), since none can be pulled: Debian
# bookworm minbase plus redis-server 7 (see .ci/debootstrap-image.sh). It runs
#   redis-server --protected-mode no --save "" --appendonly no --port 6379
# as the redis user: no persistence, no password, for tests only. Arguments after the image
# name replace `--port 6379`; with host networking (as here) give a free loopback port, e.g.
#   docker run --rm --network host kling-balances/redis:7-bookworm --bind 127.0.0.1 --port 16379
# Before it is tagged, the image is started that way and must answer PING.
# Skips the work when the tag already exists.
# Usage: .ci/redis-image.sh [TAG]   (default: $REDIS_IMAGE or kling-balances/redis:7-bookworm)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/debootstrap-image.sh"

image_changes() {
	local ids
	ids="$(awk -F: '$1 == "redis" { print $3 ":" $4 }' "$1/etc/passwd")"
	[ -n "$ids" ] || { echo "no redis user in $1/etc/passwd" >&2; return 1; }
	echo 'ENV LANG=C.UTF-8'
	echo "USER $ids"
	echo 'WORKDIR /var/lib/redis'
	echo 'EXPOSE 6379'
	echo 'ENTRYPOINT ["redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"]'
	echo 'CMD ["--port", "6379"]'
}

image_verify() {
	local candidate="$1" port name="redis-image-check-$$" answer=""
	port="$(free_loopback_port)"
	docker run -d --rm --network=host --name "$name" "$candidate" --bind 127.0.0.1 --port "$port" > /dev/null
	for _ in $(seq 1 30); do
		answer="$(docker exec "$name" redis-cli -h 127.0.0.1 -p "$port" ping 2> /dev/null || true)"
		[ "$answer" = PONG ] && break
		sleep 1
	done
	docker stop "$name" > /dev/null 2>&1 || true
	echo "redis-cli -p $port ping: ${answer:-no answer}"
	[ "$answer" = PONG ]
}

# A port on 127.0.0.1 that nothing listens on (bash's /dev/tcp connects or fails).
free_loopback_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "no free loopback port found" >&2
	return 1
}

debootstrap_image "${1:-${REDIS_IMAGE:-kling-balances/redis:7-bookworm}}" redis-server
