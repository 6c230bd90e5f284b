#!/usr/bin/env bash
# Builds the local JRE base image that the container test builds FROM: Debian bookworm
# minbase plus openjdk-17-jre-headless (see .ci/debootstrap-image.sh), checked with
# `java -version` before it is tagged. Skips the work when the tag already exists.
# Usage: .ci/base-image.sh [TAG]   (default: $BASE_IMAGE or kling-balances/jre-base:17-bookworm)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/debootstrap-image.sh"

image_changes() {
	local jdk_dir
	jdk_dir="$(cd "$1/usr/lib/jvm" && ls -d java-17-openjdk-* | head -n 1)"
	[ -n "$jdk_dir" ] || { echo "no JRE found in $1/usr/lib/jvm" >&2; return 1; }
	echo "ENV JAVA_HOME=/usr/lib/jvm/$jdk_dir"
	echo 'ENV LANG=C.UTF-8'
	echo 'CMD ["bash"]'
}

image_verify() {
	docker run --rm --network=none "$1" java -version
}

debootstrap_image "${1:-${BASE_IMAGE:-kling-balances/jre-base:17-bookworm}}" openjdk-17-jre-headless
