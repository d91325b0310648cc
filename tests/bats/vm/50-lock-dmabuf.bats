#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The user API on /dev/pmm/NAME: INFO, transaction locks (pmm-lock), SYNC
# range checks, dma-buf export, and what locks and dma-bufs pin; real
# importers vgem (DRM) and vivid (V4L2) take PMM dma-bufs.

load ../helpers/common

setup_file() {
	pmm_suite_setup
}

teardown_file() {
	pmm_suite_teardown
}

teardown() {
	pmm_test_teardown
}

# Flag values of include/uapi/linux/pmm.h.
SHARED=1
NONBLOCK=2
O_RDWR_CLOEXEC=$((0x80002))

@test "INFO: size, align, boundary, cache, memtype; phys_addr for root only" {
	pmm_buf_new i size=64K align=64K boundary=16M memtype=hi cache=uncached mode=0666 enable=1
	run "$PMM_IOCTL" info /dev/pmm/i
	assert_success
	assert_line --index 0 "size=65536 align=65536 boundary=16777216 phys_addr=$(pmm_attr i phys_addr) cache=2 memtype=hi"
	run pmm_as_nobody "$PMM_IOCTL" info /dev/pmm/i
	assert_success
	assert_line --index 0 "size=65536 align=65536 boundary=16777216 phys_addr=0 cache=2 memtype=hi"
	pmm_refused EINVAL "$PMM_IOCTL" info /dev/pmm/i 1
}

@test "LOCK: shared locks coexist, an exclusive one conflicts (EAGAIN)" {
	pmm_buf_new l size=4K enable=1
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/l $SHARED
	assert_equal "$(pmm_attr l locks)" 1
	run "$PMM_LOCK" --shared --nonblock l -- cat "$PMM_BUFS/l/locks"
	assert_success
	assert_output 2
	run "$PMM_LOCK" --nonblock l -- true
	assert_failure 1
	assert_output --partial "Resource temporarily unavailable"
	pmm_unhold
	assert_equal "$(pmm_attr l locks)" 0
}

@test "LOCK: an exclusive lock excludes shared and exclusive lockers" {
	pmm_buf_new l size=4K enable=1
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/l 0
	pmm_refused EAGAIN "$PMM_IOCTL" lock /dev/pmm/l $((SHARED | NONBLOCK))
	pmm_refused EAGAIN "$PMM_IOCTL" lock /dev/pmm/l $NONBLOCK
	pmm_unhold
	run "$PMM_LOCK" -n l -- true
	assert_success
}

@test "LOCK: a blocking locker waits for the holder and then runs" {
	pmm_buf_new l size=4K enable=1
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/l 0
	# 8>&-: the waiter must not keep the holder's stdin pipe open.
	"$PMM_LOCK" l -- echo got > "$BATS_TEST_TMPDIR/waiter" 8>&- &
	local waiter=$!
	# While the holder holds, the waiter cannot have run its command.
	kill -0 "$waiter"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/waiter")" ""
	pmm_unhold
	wait "$waiter"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/waiter")" got
	assert_equal "$(pmm_attr l locks)" 0
}

@test "LOCK: a killed holder's lock is released" {
	pmm_buf_new l size=4K enable=1
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/l 0
	kill -9 "$PMM_HOLD_PID"
	wait "$PMM_HOLD_PID" || true
	exec 8>&-
	PMM_HOLD_PID=
	assert_equal "$(pmm_attr l locks)" 0
	run "$PMM_LOCK" -n l -- true
	assert_success
}

@test "LOCK: unknown flags, padding, double lock and unlock without a lock are refused" {
	pmm_buf_new l size=4K enable=1
	pmm_refused EINVAL "$PMM_IOCTL" lock /dev/pmm/l 4
	pmm_refused EINVAL "$PMM_IOCTL" lock /dev/pmm/l 0x80000000
	pmm_refused EINVAL "$PMM_IOCTL" lock /dev/pmm/l 0 1
	pmm_refused EBUSY "$PMM_IOCTL" relock /dev/pmm/l $SHARED
	pmm_refused EINVAL "$PMM_IOCTL" unlock /dev/pmm/l
	assert_equal "$(pmm_attr l locks)" 0
}

@test "pmm-lock: exit status is the command's; missing buffer and usage errors" {
	pmm_buf_new l size=4K enable=1
	run "$PMM_LOCK" l -- sh -c 'exit 7'
	assert_failure 7
	run "$PMM_LOCK" nosuch -- true
	assert_failure 1
	assert_output --partial "/dev/pmm/nosuch: No such file or directory"
	run "$PMM_LOCK" l
	assert_failure 2
	run "$PMM_LOCK" --help
	assert_success
	assert_output --partial "usage: pmm-lock"
}

# pmm_pinned NAME - disable, rmdir and an attribute write all give EBUSY, and
# the buffer's data is intact.
pmm_pinned() {
	pmm_reject EBUSY "$1" enable 0
	pmm_reject EBUSY "$1" size 8K
	run rmdir "$PMM_BUFS/$1"
	assert_failure
	assert_output --partial "Device or resource busy"
	run "$PMM_MMAP" check "/dev/pmm/$1" 0x77
	assert_success
}

@test "pinning: a lock pins the buffer, even with no mapping left" {
	pmm_buf_new p size=64K enable=1
	"$PMM_MMAP" fill /dev/pmm/p 0x77
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/p $SHARED
	assert_equal "$(pmm_attr p maps)" 0
	pmm_pinned p
	pmm_unhold
	pmm_write "$PMM_BUFS/p/enable" 0
}

@test "pinning: a dma-buf pins the buffer after its creator closed the node" {
	pmm_buf_new p size=64K enable=1
	"$PMM_MMAP" fill /dev/pmm/p 0x77
	pmm_bg "$PMM_IOCTL" export /dev/pmm/p $O_RDWR_CLOEXEC
	assert_equal "$(pmm_attr p dmabufs)" 1
	assert_equal "$(pmm_attr p opens)" 0
	pmm_reject EBUSY p enable 0
	run pmm_log_since_mark
	assert_output --partial "still in use (0 open files, 0 mappings, 0 locks, 1 dma-bufs)"
	pmm_pinned p
	pmm_unhold
	assert_equal "$(pmm_attr p dmabufs)" 0
	pmm_write "$PMM_BUFS/p/enable" 0
	pmm_assert_pools_empty
}

@test "EXPORT: bad flags or a non-zero fd are refused; the dma-buf maps the buffer" {
	pmm_buf_new x size=64K memtype=fb enable=1
	pmm_refused EINVAL "$PMM_IOCTL" export /dev/pmm/x 0x4
	pmm_refused EINVAL "$PMM_IOCTL" export /dev/pmm/x $O_RDWR_CLOEXEC 5
	"$PMM_MMAP" fill /dev/pmm/x 0x5c
	run "$PMM_IOCTL" dmabuf-check /dev/pmm/x 0x5c
	assert_success
	assert_equal "$(pmm_attr x dmabufs)" 0
}

@test "EXPORT: a dma-buf gets no more access than the exporting file (nobody, 0644 node)" {
	pmm_buf_new x size=64K memtype=fb mode=0644 enable=1
	"$PMM_MMAP" fill /dev/pmm/x 0x3c
	# Read-only export from a read-only open: works, and maps readable.
	run pmm_as_nobody "$PMM_IOCTL" -r export /dev/pmm/x 0 < /dev/null
	assert_success
	run pmm_as_nobody "$PMM_IOCTL" -r dmabuf-map /dev/pmm/x 0 r
	assert_success
	# ... but not writable: the dma-buf file is read-only.
	pmm_refused EACCES pmm_as_nobody "$PMM_IOCTL" -r dmabuf-map /dev/pmm/x 0 rw
	# Write access the opener lacks is refused, with a log line.
	pmm_mark
	pmm_refused EACCES pmm_as_nobody "$PMM_IOCTL" -r export /dev/pmm/x $O_RDWR_CLOEXEC < /dev/null
	pmm_refused EACCES pmm_as_nobody "$PMM_IOCTL" -r dmabuf-map /dev/pmm/x 1 w
	run pmm_log_since_mark
	assert_output --partial "buffer 'x': export: a dma-buf with more access than the node was opened with"
	# So is read access a write-only opener lacks.
	pmm_refused EACCES "$PMM_IOCTL" -w export /dev/pmm/x 0 < /dev/null
	assert_equal "$(pmm_attr x dmabufs)" 0
	run "$PMM_MMAP" check /dev/pmm/x 0x3c
	assert_success
}

@test "EXPORT: a result that cannot be copied out leaves no descriptor behind" {
	pmm_buf_new x size=64K memtype=fb enable=1
	run "$PMM_IOCTL" export-efault /dev/pmm/x
	assert_success
	[[ $output =~ ^EFAULT\ fds\ before=([0-9]+)\ after=([0-9]+)$ ]] || fail "$output"
	assert_equal "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
	assert_equal "$(pmm_attr x dmabufs)" 0
	pmm_write "$PMM_BUFS/x/enable" 0
}

@test "LOCK: an exclusive lock needs the node open for writing; a shared one does not" {
	pmm_buf_new l size=4K mode=0644 enable=1
	pmm_mark
	pmm_refused EBADF pmm_as_nobody "$PMM_IOCTL" -r lock /dev/pmm/l 0 < /dev/null
	pmm_refused EBADF "$PMM_IOCTL" -r lock /dev/pmm/l $NONBLOCK < /dev/null
	run pmm_log_since_mark
	assert_output --partial "buffer 'l': lock: an exclusive lock needs the node open for writing"
	run pmm_as_nobody "$PMM_IOCTL" -r lock /dev/pmm/l $SHARED < /dev/null
	assert_success
	# pmm-lock opens the node for writing for an exclusive lock only.
	run pmm_as_nobody "$PMM_LOCK" -n l -- true
	assert_failure 1
	assert_output --partial "Permission denied"
	run pmm_as_nobody "$PMM_LOCK" -n --shared l -- true
	assert_success
	run "$PMM_LOCK" -n l -- cat "$PMM_BUFS/l/locks"
	assert_success
	assert_output 1
	assert_equal "$(pmm_attr l locks)" 0
}

@test "SYNC: ranges inside the buffer with a direction; everything else EINVAL" {
	pmm_buf_new s size=64K memtype=fb cache=cached enable=1
	run "$PMM_IOCTL" sync /dev/pmm/s 0 65536 $PMM_SYNC_READ
	assert_success
	run "$PMM_IOCTL" sync /dev/pmm/s 4096 4096 $((PMM_SYNC_WRITE | PMM_SYNC_END))
	assert_success
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 65537 $PMM_SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 65536 1 $PMM_SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 0 $PMM_SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0xfffffffffffff000 0x2000 $PMM_SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 0
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 $PMM_SYNC_END
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 8
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 $PMM_SYNC_READ 1
}

@test "vgem: DRM imports (attaches and DMA-maps) a PMM dma-buf, every cache mode, both backends" {
	pmm_requires vgem
	local mt cache
	for mt in fb video; do
		for cache in $(pmm_cache_modes $mt); do
			pmm_buf_new g size=64K memtype=$mt cache=$cache enable=1
			"$PMM_MMAP" fill /dev/pmm/g 0x6e
			run "$PMM_IOCTL" vgem /dev/pmm/g
			assert_success
			assert_output --regexp '^handle=[1-9][0-9]*$'
			assert_equal "$(pmm_attr g dmabufs)" 0
			run "$PMM_MMAP" check /dev/pmm/g 0x6e
			assert_success
			pmm_buf_rm g
		done
	done
	modprobe -r vgem
	pmm_assert_pools_empty
}

# pmm_vivid_capture ALLOCATOR CACHE MEMTYPE... - vivid, with its vmalloc (0)
# or dma-contig (1) allocator, both of which take a kernel mapping of the
# dma-buf, captures 4 frames into one buffer of the cache mode per memtype;
# the frames are in PMM memory, the buffers are released (REQBUFS 0 unmaps
# them) and disabled.
pmm_vivid_capture() {
	local alloc=$1 cache=$2 b frame names=()
	shift 2
	modprobe vivid n_devs=1 allocators=$alloc
	for b in "$@"; do
		pmm_buf_new "v-$b" size=160K memtype=$b cache=$cache enable=1
		names+=("v-$b")
	done
	run "$PMM_BIN/capture-to-pmm" -n 4 -s 320x240 "${names[@]}"
	assert_success
	# vivid picks the size nearest 320x240 (320x180 or 320x240, YUYV).
	[[ ${lines[0]} =~ ^/dev/video[0-9]+:\ 320x(180|240),\ ([0-9]+)\ bytes\ per\ frame$ ]] ||
		fail "format line: ${lines[0]}"
	frame=${BASH_REMATCH[2]}
	assert_equal "$frame" $((320 * ${BASH_REMATCH[1]} * 2))
	assert_line "frame 0: ${names[0]} bytesused $frame"
	assert_line "frame 3: ${names[-1]} bytesused $frame"
	# ... and the frames are in PMM memory: not all zero any more, and
	# nothing written past the frame.
	for b in "${names[@]}"; do
		run cmp -n "$frame" "/dev/pmm/$b" /dev/zero
		assert_failure
		assert_output --partial differ
		run bash -c 'dd if="$1" bs="$2" skip=1 status=none | cmp -n "$3" - /dev/zero' \
			_ "/dev/pmm/$b" "$frame" $((163840 - frame))
		assert_success
		assert_equal "$(pmm_attr "$b" dmabufs)" 0
	done
	pmm_buf_rm "${names[@]}"
	modprobe -r vivid
}

@test "vivid: V4L2 captures into PMM dma-bufs, vmalloc allocator, every cache mode, both backends" {
	pmm_requires vivid
	local cache pools
	for cache in cached writecombine uncached; do
		pools=(fb)
		! pmm_pool_offers video $cache || pools+=(video)
		pmm_vivid_capture 0 $cache "${pools[@]}"
	done
	pmm_assert_pools_empty
}

@test "vivid: V4L2 captures into PMM dma-bufs, dma-contig allocator, every cache mode" {
	pmm_requires vivid
	local cache
	for cache in $(pmm_cache_modes video); do
		pmm_vivid_capture 1 $cache video
	done
	pmm_assert_pools_empty
}

@test "vivid: memory beyond a device's DMA mask is refused at map with a log line, not bounced" {
	pmm_requires vivid
	# vivid's DMA mask is 32 bits; the contig pool of a 6 GiB guest lies
	# above 4 GiB (pools are taken from the top).
	[ "$(pmm_phys_pool fb)" -ge $((1 << 32)) ] || fail "pool fb is below 4 GiB"
	modprobe vivid n_devs=1 allocators=1
	pmm_buf_new v-fb size=160K memtype=fb cache=cached enable=1
	pmm_mark
	run "$PMM_BIN/capture-to-pmm" -n 4 -s 320x240 v-fb
	assert_failure
	assert_output --partial "VIDIOC_QBUF"
	run pmm_log_since_mark
	assert_output --partial "pmm: buffer 'v-fb': map: its memory lies beyond this device's DMA mask 0xffffffff"
	modprobe -r vivid
	pmm_buf_rm v-fb
	pmm_assert_pools_empty
}

@test "lock/dma-buf: pools back to empty, kernel log clean" {
	pmm_buf_rm_all
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
