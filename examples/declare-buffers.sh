#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Declare a camera pipeline's buffers with nothing but mkdir and echo: what
# a board's own shell script does when it does not use pmm-setup.
#
#   declare-buffers.sh up      create and enable the buffers
#   declare-buffers.sh down    disable and remove them
#
# Needs pmm.ko loaded with a pool called "video" (e.g. pools=video:32M@...).
set -eu

cfs=${PMM_CONFIGFS:-/sys/kernel/config}/pmm/buffers

pools=${PMM_CONFIGFS:-/sys/kernel/config}/pmm/pools

# buffer NAME SIZE ALIGN CACHE: one buffer, attributes first, enable last.
# Every attribute is a file; a bad value fails the echo with an errno
# (and the kernel log names the buffer and the attribute).
buffer() {
	mkdir "$cfs/$1"
	echo "$2" > "$cfs/$1/size"
	echo "$3" > "$cfs/$1/align"
	echo video > "$cfs/$1/memtype"
	echo "$4" > "$cfs/$1/cache"
	echo 44 > "$cfs/$1/gid"		# group video
	echo 0660 > "$cfs/$1/mode"
	# The commit point: allocate, zero, create /dev/pmm/NAME.
	echo 1 > "$cfs/$1/enable"
}

unbuffer() {
	[ -d "$cfs/$1" ] || return 0
	# Refused (EBUSY) while anyone has it open, mapped, locked or exported.
	echo 0 > "$cfs/$1/enable"
	rmdir "$cfs/$1"
}

names="cam-raw0 cam-raw1 cam-stats"

case "${1:-}" in
up)
	# Two 1280x720 raw Bayer frames (16 bits per pixel) and statistics.
	buffer cam-raw0 1843200 64K uncached
	buffer cam-raw1 1843200 64K uncached
	# The CPU reads the statistics many times: cached, where the pool can
	# have it.  On ARM a carveout whose device's DMA is not coherent
	# cannot (no linear map to maintain caches through): write-combined.
	stats_cache=writecombine
	[ "$(cat "$pools/video/coherent")" = 1 ] && stats_cache=cached
	buffer cam-stats 64K 4K $stats_cache
	for n in $names; do
		echo "$n: $(cat "$cfs/$n/size") bytes, $(cat "$cfs/$n/state") -> /dev/pmm/$n"
	done
	;;
down)
	for n in $names; do
		unbuffer "$n"
	done
	echo "removed: $names"
	;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
