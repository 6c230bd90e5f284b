#!/usr/bin/env bash
# Builds the local JRE base image that the container test builds FROM (no registry can be
# reached here, so nothing can be pulled): Debian bookworm minbase plus
# openjdk-17-jre-headless, made with debootstrap and loaded with `docker import`.
# Skips the work when the tag already exists. Usage: .ci/base-image.sh [TAG]
set -euo pipefail

tag="${1:-${BASE_IMAGE:-kling-balances/jre-base:17-bookworm}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$tag" >/dev/null 2>&1; then
	echo "base image $tag already present"
	exit 0
fi

rootfs="$(mktemp -d /var/tmp/jre-rootfs.XXXXXX)"
cleanup() {
	# debootstrap may leave /proc or /sys mounted inside the root when it fails
	for mnt in proc sys dev/pts dev; do
		umount -l "$rootfs/$mnt" 2>/dev/null || true
	done
	rm -rf "$rootfs"
}
trap cleanup EXIT

echo "building base image $tag with debootstrap (about a minute)"
start=$SECONDS
debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$rootfs" "$mirror" \
	> /var/tmp/debootstrap.log 2>&1 || {
	echo "debootstrap failed; last lines of /var/tmp/debootstrap.log:" >&2
	tail -n 40 /var/tmp/debootstrap.log >&2
	exit 1
}

# Nothing in the image needs apt's lists or caches, docs or man pages.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
	"$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*

jdk_dir="$(cd "$rootfs/usr/lib/jvm" && ls -d java-17-openjdk-* | head -n 1)"
[ -n "$jdk_dir" ] || { echo "no JRE found in $rootfs/usr/lib/jvm" >&2; exit 1; }
java_home="/usr/lib/jvm/$jdk_dir"

tar --numeric-owner -C "$rootfs" -c . | docker import \
	--change "ENV JAVA_HOME=$java_home" \
	--change 'ENV LANG=C.UTF-8' \
	--change 'CMD ["bash"]' \
	- "$tag" >/dev/null

docker run --rm --network=none "$tag" java -version
echo "base image $tag built in $((SECONDS - start)) s"
