#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Page references that outlive every mapping, file and the buffer itself
# (get_user_pages on a contig mapping: vmsplice into a pipe, an O_DIRECT
# read in flight): the memory is held out of its pool, never zeroed under
# the holder nor given to a new owner, shown in pools/NAME/held, and back
# in the pool soon after the references drop; the module cannot be
# unloaded meanwhile.

load ../helpers/common

OLD=0xa1
NEW=0xb2
DISK=0xd5
MiB=1048576

setup_file() {
	pmm_suite_setup
}

teardown_file() {
	pmm_suite_teardown
}

teardown() {
	# A reader blocked on the suspended device must finish before the
	# helper holding it can.
	pmm_held_dm_resume
	pmm_unhold
	pmm_buf_rm_all
	pmm_held_dm_remove
}

# pmm_held_wait_released POOL - the pool's held bytes go back to 0 within 5 s.
pmm_held_wait_released() {
	local i
	for i in $(seq 50); do
		[ "$(cat "$PMM_POOLS/$1/held")" = 0 ] && return 0
		sleep 0.1
	done
	fail "pool $1 still holds $(cat "$PMM_POOLS/$1/held") bytes after 5 s"
}

# pmm_held_release_old - disable the old owner's buffer while its pages are
# referenced: it succeeds (nothing PMM counts refers to it), but the 1 MiB
# stays held in fb, logged once.
pmm_held_release_old() {
	local phys
	assert_equal "$(pmm_attr old opens) $(pmm_attr old maps)" "0 0"
	phys=$(pmm_phys old)
	pmm_mark
	pmm_buf_rm old
	assert_equal "$(cat "$PMM_POOLS/fb/held")" $MiB
	assert_equal "$(cat "$PMM_POOLS/fb/used")" $MiB
	assert_equal "$(cat "$PMM_POOLS/fb/buffers")" 1
	run cat "$PMM_POOLS/fb/map"
	assert_line "$(printf '%#x' "$phys") $MiB held old"
	pmm_map_check fb
	run pmm_log_since_mark
	assert_output --partial "buffer 'old': 1048576 bytes stay out of pool 'fb': pages are still referenced outside PMM"
}

# pmm_held_new_owner - the buffer that would get the old range (first fit, an
# empty pool) gets another one, and is written.
pmm_held_new_owner() {
	pmm_buf_new new size=1M memtype=fb enable=1
	[ "$(pmm_phys new)" != "$OLD_PHYS" ] ||
		fail "the new owner got the held range $OLD_PHYS"
	run "$PMM_MMAP" fill /dev/pmm/new $NEW
	assert_success
}

@test "held: a pipe vmspliced from a mapping keeps the old owner's bytes, never a new owner's" {
	pmm_buf_new old size=1M memtype=fb enable=1
	OLD_PHYS=$(pmm_phys old)
	"$PMM_MMAP" fill /dev/pmm/old $OLD
	pmm_bg "$PMM_MMAP" splice /dev/pmm/old
	pmm_held_release_old
	pmm_held_new_owner
	# The pipe still holds the old owner's bytes: not zeroed, not NEW.
	pmm_unhold
	run sed -n 2p "$BATS_TEST_TMPDIR/hold.out"
	assert_output "1048576 bytes: all $OLD"
	pmm_held_wait_released fb
	assert_equal "$(cat "$PMM_POOLS/fb/used")" $MiB
	run grep -c ' held ' "$PMM_POOLS/fb/map"
	assert_output 0
	pmm_map_check fb
	run "$PMM_MMAP" check /dev/pmm/new $NEW
	assert_success
	pmm_buf_rm new
	pmm_assert_pools_empty
	# Back in the pool, and zeroed before its next owner sees it.
	pmm_buf_new next size=1M memtype=fb enable=1
	assert_equal "$(pmm_phys next)" "$OLD_PHYS"
	run "$PMM_MMAP" check /dev/pmm/next 0
	assert_success
	run pmm_log_since_mark
	assert_output --partial "pool 'fb': 1048576 held bytes released, back in the pool"
}

# A dm-linear device over a loop device: suspended, it keeps an O_DIRECT
# read queued with the destination pages pinned until it is resumed.
pmm_held_dm_create() {
	modprobe loop 2> /dev/null || true
	pmm_requires dm
	dd if=/dev/zero bs=1M count=1 2> /dev/null | tr '\0' '\325' > "$BATS_TEST_TMPDIR/disk"
	HELD_LOOP=$(losetup -f --show "$BATS_TEST_TMPDIR/disk")
	dmsetup create --noudevsync pmmslow --table "0 2048 linear $HELD_LOOP 0"
	dmsetup mknodes pmmslow
	dmsetup suspend --noudevsync pmmslow
}

pmm_held_dm_resume() {
	if [ -n "${HELD_LOOP:-}" ]; then
		dmsetup resume --noudevsync pmmslow
	fi
}

pmm_held_dm_remove() {
	if [ -n "${HELD_LOOP:-}" ]; then
		dmsetup remove --noudevsync pmmslow
		losetup -d "$HELD_LOOP"
		HELD_LOOP=
	fi
}

@test "held: an O_DIRECT read in flight lands in the old owner's memory, never in a new owner's" {
	pmm_held_dm_create
	pmm_buf_new old size=1M memtype=fb enable=1
	OLD_PHYS=$(pmm_phys old)
	pmm_bg "$PMM_MMAP" direct-read /dev/pmm/old /dev/mapper/pmmslow
	pmm_held_release_old
	pmm_held_new_owner
	# The read completes into the held pages, then lets them go.
	pmm_held_dm_resume
	pmm_unhold
	run sed -n 2p "$BATS_TEST_TMPDIR/hold.out"
	assert_output "read 1048576 bytes"
	pmm_held_wait_released fb
	run "$PMM_MMAP" check /dev/pmm/new $NEW
	assert_success
	pmm_buf_rm new
	pmm_assert_pools_empty
}

@test "held: the module cannot be unloaded while memory is held, with every buffer gone" {
	pmm_buf_new old size=1M memtype=fb enable=1
	"$PMM_MMAP" fill /dev/pmm/old $OLD
	pmm_bg "$PMM_MMAP" splice /dev/pmm/old
	pmm_held_release_old
	assert_equal "$(ls "$PMM_BUFS")" ""
	run rmmod pmm
	assert_failure
	assert_output --partial "in use"
	assert_exists /sys/module/pmm
	run pmm_log_since_mark
	assert_output --partial "the module cannot be unloaded until they are released"
	pmm_unhold
	pmm_held_wait_released fb
	run rmmod pmm
	assert_success
	pmm_load_test_pools
}

@test "held: kernel log clean" {
	pmm_assert_dmesg_clean
}
