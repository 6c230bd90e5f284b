#!/usr/bin/env bash
# Sourced by .ci/base-image.sh and .ci/redis-image.sh: builds a Docker image from Debian
# bookworm minbase made with debootstrap (no registry can be reached here, so nothing can be
# pulled) and loads it with `docker import`. The import goes to a temporary tag, the caller's
# check runs against that, and only an image that passed it gets the real tag: a broken image
# never sticks under the name that the next run would find and skip on.
#
# The sourcing script defines two functions and calls debootstrap_image:
#   image_changes ROOTFS   prints `docker import --change` instructions, one per line
#   image_verify CANDIDATE  exits 0 when the candidate image works
#   debootstrap_image TAG PACKAGE[,PACKAGE...]
# Skips everything when TAG already exists. DEBIAN_MIRROR overrides the Debian mirror.

debootstrap_image() {
	local tag="$1" packages="$2"
	local mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
	if docker image inspect "$tag" > /dev/null 2>&1; then
		echo "image $tag already present"
		return 0
	fi
	# repository:tag, where a registry's host:port must not be taken for the tag
	local repository="$tag"
	[[ "${tag##*/}" == *:* ]] && repository="${tag%:*}"
	_candidate="$repository:candidate-$$"
	_rootfs="$(mktemp -d /var/tmp/debootstrap-rootfs.XXXXXX)"
	trap _debootstrap_image_cleanup EXIT

	local log="/var/tmp/debootstrap-${repository##*/}.log"
	echo "building image $tag with debootstrap --include=$packages (about a minute; log: $log)"
	local start=$SECONDS
	debootstrap --variant=minbase --include="$packages" bookworm "$_rootfs" "$mirror" > "$log" 2>&1 || {
		echo "debootstrap failed; last lines of $log:" >&2
		tail -n 40 "$log" >&2
		return 1
	}
	# Nothing in the image needs apt's lists or caches, docs or man pages.
	rm -rf "$_rootfs"/var/cache/apt/archives/*.deb "$_rootfs"/var/lib/apt/lists/* \
		"$_rootfs"/usr/share/doc/* "$_rootfs"/usr/share/man/* "$_rootfs"/usr/share/locale/*

	local instructions changes=() line
	instructions="$(image_changes "$_rootfs")"
	while IFS= read -r line; do
		changes+=(--change "$line")
	done <<< "$instructions"
	tar --numeric-owner -C "$_rootfs" -c . | docker import "${changes[@]}" - "$_candidate" > /dev/null

	if ! image_verify "$_candidate"; then
		echo "image check failed: $tag is not tagged (the candidate is removed)" >&2
		return 1
	fi
	docker tag "$_candidate" "$tag"
	echo "image $tag built and checked in $((SECONDS - start)) s"
}

_debootstrap_image_cleanup() {
	# debootstrap may leave /proc or /sys mounted inside the root when it fails
	local mnt
	for mnt in proc sys dev/pts dev; do
		umount -l "$_rootfs/$mnt" 2> /dev/null || true
	done
	rm -rf "$_rootfs"
	# The candidate tag goes in any case; after `docker tag` the image keeps its real tag.
	docker rmi "$_candidate" > /dev/null 2>&1 || true
}
