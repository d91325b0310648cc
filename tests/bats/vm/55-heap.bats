#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Every pool as a DMA-BUF heap (/dev/dma_heap/pmm-POOL): the kernel's own
# dmabuf-heaps selftest, then the ABI's edges, what an allocation is
# (zeroed, counted, returned when the last reference goes and not while a
# page is referenced) and real importers (vgem, vivid).

load ../helpers/common

PMM_HEAP=$PMM_BIN/pmm-heap
MiB=1048576
# A carveout and a contig pool, each big enough for the selftest's 32
# buffers of 1 MiB at once.
HEAP_POOLS=video:64M@$PMM_CARVE_BASE,fb:48M
O_RDONLY=0
O_RDWR=2
O_CLOEXEC=$((0x80000))

setup_file() {
	pmm_suite_setup "pools=$HEAP_POOLS"
}

teardown_file() {
	modprobe -r vgem 2> /dev/null || true
	pmm_suite_teardown
}

teardown() {
	pmm_test_teardown
}

# pmm_heap_pool POOL ATTR - a pool attribute.
pmm_heap_pool() {
	local v
	IFS= read -r v < "$PMM_POOLS/$1/$2"
	echo "$v"
}

# pmm_heap_assert_empty - no heap allocation and nothing used in any pool.
pmm_heap_assert_empty() {
	local p
	pmm_assert_pools_empty
	for p in "$PMM_POOLS"/*; do
		assert_equal "${p##*/} heap_buffers $(pmm_heap_pool "${p##*/}" heap_buffers)" \
			"${p##*/} heap_buffers 0"
	done
}

# pmm_heap_refused ERRNO FIELD HEAP LEN [pmm-heap OPTIONS] - an allocation is
# refused with ERRNO, one log line names the heap and FIELD, and the pools
# are as they were.
pmm_heap_refused() {
	local errno=$1 field=$2 heap=$3 len=$4 before
	shift 4
	before=$(cat "$PMM_POOLS"/*/used "$PMM_POOLS"/*/heap_buffers)
	pmm_mark
	pmm_refused "$errno" "$PMM_HEAP" "$@" "/dev/dma_heap/$heap" "$len"
	run dmesg
	assert_line --partial "pmm: heap '$heap': $field: "
	pmm_count "pmm: heap '$heap'" "$output"
	assert_equal "$PMM_COUNT" 1
	assert_equal "$(cat "$PMM_POOLS"/*/used "$PMM_POOLS"/*/heap_buffers)" "$before"
}

@test "selftest: the kernel's dmabuf-heaps selftest passes on every PMM heap, vgem importing" {
	pmm_requires vgem
	local dir=$BATS_TEST_TMPDIR/heaps h n=0
	# Only PMM's heaps in /dev/dma_heap, as the selftest tries every entry
	# (the debug kernel has the CMA heap of the dma-heap core as well).
	mkdir "$dir"
	cp -a /dev/dma_heap/pmm-* "$dir/"
	run unshare --mount sh -c 'mount --bind "$1" /dev/dma_heap && exec "$2"' _ \
		"$dir" "$PMM_BIN/dmabuf-heap"
	echo "$output"
	assert_success
	refute_output --partial FAIL
	refute_output --partial "Could not open vgem"
	for h in video fb; do
		assert_line "Testing heap: pmm-$h"
		n=$((n + 1))
	done
	assert_equal "$(grep -c 'Testing heap:' <<< "$output")" $n
	# Six cases a heap, each ending OK.
	assert_equal "$(grep -c 'OK$' <<< "$output")" $((6 * n))
	pmm_heap_assert_empty
	pmm_assert_dmesg_clean
}

@test "nodes: one per pool under /dev/dma_heap, root:root 0600 by default, in class pmm_heap" {
	run stat -c '%n %U:%G %a %F' /dev/dma_heap/pmm-video /dev/dma_heap/pmm-fb
	assert_success
	assert_line "/dev/dma_heap/pmm-video root:root 600 character special file"
	assert_line "/dev/dma_heap/pmm-fb root:root 600 character special file"
	assert_equal "$(ls /sys/class/pmm_heap)" $'pmm-fb\npmm-video'
	run cat /sys/class/pmm_heap/pmm-video/uevent
	assert_line PMM_MEMTYPE=video
	# Cached, the heaps' convention, where the pool can have it.
	assert_line "PMM_CACHE=$(pmm_cache_modes video | head -1)"
	run cat /sys/class/pmm_heap/pmm-fb/uevent
	assert_line PMM_CACHE=cached
	# Nobody else may allocate.
	pmm_refused EACCES pmm_as_nobody "$PMM_HEAP" /dev/dma_heap/pmm-fb 4096
}

@test "nodes: heap_uid, heap_gid and heap_mode set the owner; a bad mode refuses the load with a log line" {
	pmm_unload
	pmm_load "pools=$HEAP_POOLS" heap_uid=65534 heap_gid=65534 heap_mode=0660
	run stat -c '%u:%g %a' /dev/dma_heap/pmm-fb
	assert_output "65534:65534 660"
	run pmm_as_nobody "$PMM_HEAP" /dev/dma_heap/pmm-fb 4096
	assert_success
	pmm_unload
	pmm_mark
	run insmod "$PMM_KO" "pools=$HEAP_POOLS" heap_mode=01777
	assert_failure
	run dmesg
	assert_line --partial "pmm: heap_mode: 01777 is not a permission mode"
	assert [ ! -e /dev/dma_heap/pmm-fb ]
	pmm_load "pools=$HEAP_POOLS"
}

@test "alloc: 4 KiB to the whole pool, page-rounded and counted as heap allocations apart from buffers" {
	local len
	for len in 4096 5000 65536 $MiB $((48 * MiB)); do
		pmm_bg "$PMM_HEAP" --hold /dev/dma_heap/pmm-fb $len
		assert_equal "$(pmm_heap_pool fb heap_buffers)" 1
		assert_equal "$(pmm_heap_pool fb buffers)" 0
		assert_equal "$(pmm_heap_pool fb used)" $(( (len + 4095) / 4096 * 4096 ))
		pmm_unhold
		assert_equal "$(pmm_heap_pool fb heap_buffers)" 0
		assert_equal "$(pmm_heap_pool fb used)" 0
	done
	pmm_bg "$PMM_HEAP" --hold -n 3 /dev/dma_heap/pmm-video $MiB
	assert_equal "$(pmm_heap_pool video heap_buffers)" 3
	assert_equal "$(pmm_heap_pool video used)" $((3 * MiB))
	pmm_unhold
	pmm_heap_assert_empty
}

@test "alloc: ENOMEM when the pool is full, logged; the pool is intact and whole again afterwards" {
	pmm_bg "$PMM_HEAP" --hold /dev/dma_heap/pmm-fb $((48 * MiB))
	pmm_heap_refused ENOMEM len pmm-fb 4096
	pmm_unhold
	# Sixteen of 3 MiB fill it: the seventeenth is refused.
	run "$PMM_HEAP" --until-full /dev/dma_heap/pmm-fb $((3 * MiB))
	assert_failure 1
	assert_line allocated=16
	assert_line ENOMEM
	pmm_heap_assert_empty
	run "$PMM_HEAP" /dev/dma_heap/pmm-fb $((48 * MiB))
	assert_success
	pmm_heap_assert_empty
}

@test "alloc: bad heap_flags, fd_flags, fd and len are EINVAL with a log line naming the field" {
	pmm_heap_refused EINVAL heap_flags pmm-fb 4096 -F 1
	pmm_heap_refused EINVAL heap_flags pmm-fb 4096 -F $((1 << 63))
	pmm_heap_refused EINVAL fd_flags pmm-fb 4096 -f $((O_RDWR | 0x400))
	pmm_heap_refused EINVAL fd pmm-fb 4096 -i 3
	pmm_heap_refused EINVAL len pmm-fb 0
	pmm_heap_refused EINVAL len pmm-fb $((48 * MiB + 1))
	pmm_heap_refused EINVAL len pmm-video $((64 * MiB + 4096))
	# Rounding up to pages would wrap to 0.
	pmm_heap_refused EINVAL len pmm-fb 0xfffffffffffff001
	pmm_heap_refused EINVAL len pmm-fb 0xffffffffffffffff
	pmm_heap_assert_empty
}

@test "ioctl: smaller and larger argument structs work as dma_heap_ioctl() takes them; other commands are ENOTTY" {
	# The first version's fields only: heap_flags reads as 0.
	run "$PMM_HEAP" -s 16 /dev/dma_heap/pmm-fb 65536
	assert_success
	# len, fd: fd_flags reads as 0, a read-only dma-buf.
	pmm_refused EACCES "$PMM_HEAP" -s 12 -m rw /dev/dma_heap/pmm-fb 65536
	run "$PMM_HEAP" -s 12 -m r /dev/dma_heap/pmm-fb 65536
	assert_success
	# A later, larger struct: the tail is neither read nor written.
	run "$PMM_HEAP" -s 48 /dev/dma_heap/pmm-fb 65536
	assert_success
	run "$PMM_HEAP" -s 64 /dev/dma_heap/pmm-fb 65536
	assert_success
	# Too small to hand back the fd.
	pmm_refused EINVAL "$PMM_HEAP" -s 8 /dev/dma_heap/pmm-fb 65536
	# Write-only and read-only commands, another number, another magic.
	pmm_refused ENOTTY "$PMM_HEAP" -c $((0x40184800)) /dev/dma_heap/pmm-fb 65536
	pmm_refused ENOTTY "$PMM_HEAP" -c $((0x80184800)) /dev/dma_heap/pmm-fb 65536
	pmm_refused ENOTTY "$PMM_HEAP" -c $((0xc0184801)) /dev/dma_heap/pmm-fb 65536
	pmm_refused ENOTTY "$PMM_HEAP" -c $((0xc0185000)) /dev/dma_heap/pmm-fb 65536
	pmm_heap_assert_empty
}

@test "fd_flags: O_CLOEXEC is honoured, a read-only dma-buf refuses PROT_WRITE, a read-write one maps both" {
	run "$PMM_HEAP" -e -f $((O_RDWR | O_CLOEXEC)) /dev/dma_heap/pmm-fb 4096
	assert_line cloexec=1
	run "$PMM_HEAP" -e -f $O_RDWR /dev/dma_heap/pmm-fb 4096
	assert_line cloexec=0
	local h
	for h in fb video; do
		pmm_refused EACCES "$PMM_HEAP" -f $O_RDONLY -m w /dev/dma_heap/pmm-$h 65536
		pmm_refused EACCES "$PMM_HEAP" -f $O_RDONLY -m rw /dev/dma_heap/pmm-$h 65536
		run "$PMM_HEAP" -f $O_RDONLY -m r /dev/dma_heap/pmm-$h 65536
		assert_success
		run "$PMM_HEAP" -f $O_RDWR -m rw /dev/dma_heap/pmm-$h 65536
		assert_success
	done
	pmm_heap_assert_empty
}

@test "zero: a new allocation of memory the last one filled reads zero, in both backends" {
	local h size
	for h in fb:48 video:64; do
		size=$(( ${h#*:} * MiB ))
		# The whole pool: the second allocation has the first one's memory.
		run "$PMM_HEAP" -w 0xab /dev/dma_heap/pmm-${h%:*} $size
		assert_success
		run "$PMM_HEAP" -z /dev/dma_heap/pmm-${h%:*} $size
		assert_success
		assert_line ok
	done
	pmm_heap_assert_empty
}

@test "vgem: an imported heap buffer stays allocated while only vgem holds it, and goes back after" {
	pmm_requires vgem
	pmm_bg "$PMM_HEAP" --vgem --hold -n 2 /dev/dma_heap/pmm-fb $MiB
	assert_equal "$(pmm_heap_pool fb heap_buffers)" 2
	# The module cannot go while a dma-buf of it exists.
	run rmmod pmm
	assert_failure
	pmm_unhold
	pmm_heap_assert_empty
}

@test "vivid: V4L2 captures into heap buffers (V4L2_MEMORY_DMABUF), frames land in them" {
	pmm_requires vivid
	local alloc h heaps
	# vmalloc (0) and dma-contig (1) allocators; dma-contig maps for vivid's
	# 32-bit DMA mask, beyond which the contig pool of a 6 GiB guest lies
	# (50-lock-dmabuf tests that refusal).
	for alloc in 0 1; do
		heaps=(video)
		[ $alloc = 1 ] || heaps+=(fb)
		modprobe vivid n_devs=1 allocators=$alloc
		for h in "${heaps[@]}"; do
			run "$PMM_BIN/capture-to-pmm" -n 4 -s 320x240 -H /dev/dma_heap/pmm-$h -b 2
			assert_success
			[[ ${lines[0]} =~ ^/dev/video[0-9]+:\ 320x(180|240),\ ([0-9]+)\ bytes ]] ||
				fail "format line: ${lines[0]}"
			local frame=${BASH_REMATCH[2]}
			# Each frame written into the heap buffer, nothing after it.
			[[ ${lines[4]} =~ ^frame\ 3:\ heap-[01]\ bytesused\ $frame\ nonzero\ ([0-9]+)\ beyond\ 0$ ]] ||
				fail "frame line: ${lines[4]}"
			[ "${BASH_REMATCH[1]}" -gt $((frame / 2)) ] ||
				fail "only ${BASH_REMATCH[1]} of $frame bytes written"
			pmm_heap_assert_empty
		done
		modprobe -r vivid
	done
}

@test "lifetime: a process killed while holding mapped heap buffers frees them all" {
	pmm_bg "$PMM_HEAP" --hold -w 0x5c -n 8 /dev/dma_heap/pmm-fb $MiB
	assert_equal "$(pmm_heap_pool fb heap_buffers)" 8
	kill -9 "$PMM_HOLD_PID"
	wait "$PMM_HOLD_PID" || true
	PMM_HOLD_PID=
	exec 8>&-
	pmm_heap_assert_empty
}

@test "lifetime: an open heap node and a live dma-buf each keep the module loaded" {
	exec 7< /dev/dma_heap/pmm-fb
	run rmmod pmm
	assert_failure
	exec 7<&-
	pmm_bg "$PMM_HEAP" --hold /dev/dma_heap/pmm-fb 4096
	run rmmod pmm
	assert_failure
	pmm_unhold
	pmm_unload
	pmm_load "pools=$HEAP_POOLS"
}

@test "held: pages a pipe references stay out of the pool after the dma-buf goes, with the holder's bytes" {
	pmm_bg "$PMM_HEAP" --splice -w 0x3d /dev/dma_heap/pmm-fb $MiB
	# Mapping and dma-buf are gone; the pipe holds sixteen of its pages.
	assert_equal "$(pmm_heap_pool fb heap_buffers)" 1
	assert_equal "$(pmm_heap_pool fb held)" $MiB
	# The next allocation does not get (nor zero) them.
	run "$PMM_HEAP" -z /dev/dma_heap/pmm-fb $((47 * MiB))
	assert_success
	pmm_refused ENOMEM "$PMM_HEAP" /dev/dma_heap/pmm-fb $((48 * MiB))
	pmm_unhold
	assert_equal "$(cat "$BATS_TEST_TMPDIR/hold.out" | tail -1)" "pipe intact"
	local i
	for i in $(seq 50); do
		[ "$(pmm_heap_pool fb held)" = 0 ] && break
		sleep 0.1
	done
	pmm_heap_assert_empty
}

@test "sharing: heap allocations and declared buffers fill one pool without overlap" {
	pmm_buf_new d1 size=8M memtype=fb enable=1
	pmm_bg "$PMM_HEAP" --hold -w 0x77 -n 12 /dev/dma_heap/pmm-fb $((2 * MiB))
	pmm_buf_new d2 size=8M memtype=fb enable=1
	# A declared buffer's zeroing and a writer through it touch no heap byte.
	run "$PMM_MMAP" fill /dev/pmm/d2 0x11
	assert_success
	run "$PMM_MMAP" fill /dev/pmm/d1 0x22
	assert_success
	assert_equal "$(pmm_heap_pool fb used)" $((40 * MiB))
	assert_equal "$(pmm_heap_pool fb buffers)" 2
	assert_equal "$(pmm_heap_pool fb heap_buffers)" 12
	pmm_buf_new d3 size=16M memtype=fb
	pmm_reject ENOSPC d3 enable 1
	pmm_unhold
	assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/hold.out")" intact
	run "$PMM_MMAP" check /dev/pmm/d2 0x11
	assert_success
	pmm_buf_rm d1 d2 d3
	pmm_heap_assert_empty
	pmm_assert_dmesg_clean
}
