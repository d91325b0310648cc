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
SYNC_READ=1
SYNC_WRITE=2
SYNC_END=4
O_RDWR_CLOEXEC=$((0x80002))

@test "INFO: size, align, boundary, cache, memtype; phys_addr for root only" {
	pmm_buf_new i size=64K align=64K boundary=16M memtype=hi cache=uncached mode=0666 enable=1
	run "$PMM_IOCTL" info /dev/pmm/i
	assert_success
	assert_line --index 0 "size=65536 align=65536 boundary=16777216 phys_addr=$(pmm_attr i phys_addr) cache=2 memtype=hi"
	run as_nobody "$PMM_IOCTL" info /dev/pmm/i
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

# pinned NAME - disable, rmdir and an attribute write all give EBUSY, and
# the buffer's data is intact.
pinned() {
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
	pinned p
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
	pinned p
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

@test "SYNC: ranges inside the buffer with a direction; everything else EINVAL" {
	pmm_buf_new s size=64K cache=cached enable=1
	run "$PMM_IOCTL" sync /dev/pmm/s 0 65536 $SYNC_READ
	assert_success
	run "$PMM_IOCTL" sync /dev/pmm/s 4096 4096 $((SYNC_WRITE | SYNC_END))
	assert_success
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 65537 $SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 65536 1 $SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 0 $SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0xfffffffffffff000 0x2000 $SYNC_READ
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 0
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 $SYNC_END
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 8
	pmm_refused EINVAL "$PMM_IOCTL" sync /dev/pmm/s 0 4096 $SYNC_READ 1
}

@test "vgem: DRM imports a PMM dma-buf (PRIME_FD_TO_HANDLE)" {
	modprobe vgem || skip "vgem module not available"
	pmm_buf_new g size=64K memtype=fb enable=1
	run "$PMM_IOCTL" vgem /dev/pmm/g
	[ "$status" -eq 77 ] && skip "$output"
	assert_success
	assert_output --regexp '^handle=[1-9][0-9]*$'
	assert_equal "$(pmm_attr g dmabufs)" 0
	modprobe -r vgem
}

@test "vivid: V4L2 captures into PMM buffers through dma-bufs (examples/capture-to-pmm)" {
	modprobe vivid n_devs=1 || skip "vivid module not available"
	# One contig and one carveout buffer as the capture queue, 4 frames:
	# each buffer is filled, handed back and filled again.
	pmm_buf_new v-fb size=160K memtype=fb enable=1
	pmm_buf_new v-video size=160K memtype=video enable=1
	run "$PMM_PROJECT/build/bin/capture-to-pmm" -n 4 -s 320x240 v-fb v-video
	assert_success
	# vivid picks the size nearest 320x240 (320x180 or 320x240, YUYV).
	[[ ${lines[0]} =~ ^/dev/video[0-9]+:\ 320x(180|240),\ ([0-9]+)\ bytes\ per\ frame$ ]] ||
		fail "format line: ${lines[0]}"
	local frame=${BASH_REMATCH[2]}
	assert_equal "$frame" $((320 * ${BASH_REMATCH[1]} * 2))
	assert_line "frame 0: v-fb bytesused $frame"
	assert_line "frame 1: v-video bytesused $frame"
	assert_line "frame 3: v-video bytesused $frame"
	# ... and the frames are in PMM memory: not all zero any more.
	local b
	for b in v-fb v-video; do
		run cmp -n "$frame" "/dev/pmm/$b" /dev/zero
		assert_failure
		assert_output --partial differ
		assert_equal "$(pmm_attr "$b" dmabufs)" 0
	done
	modprobe -r vivid
}

@test "lock/dma-buf: pools back to empty, kernel log clean" {
	pmm_buf_rm_all
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
