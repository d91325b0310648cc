#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The lifetime matrix: every holder of a buffer (open fd, a mapping whose
# fd is closed, a user lock, a kernel lock, a dma-buf fd, a dma-buf that
# vgem imported) against every release path (disable, rmdir, module
# unload, the holder going away).  While held: EBUSY, and the data stays;
# once released: everything succeeds and the pool is whole again.  On a
# contig and a carveout pool each.

load ../helpers/common

API=/sys/kernel/debug/pmm_test_api
PATTERN=0xa5

setup() {
	pmm_requires_vm
	pmm_unload_if_loaded
	pmm_load_test_pools
}

teardown() {
	pmm_unhold
	rmmod pmm_test_api 2> /dev/null || true
	pmm_buf_rm_all
	pmm_unload_if_loaded
}

# Holders: each takes /dev/pmm/lt and keeps it until released.
pmm_hold_fd() {
	pmm_bg bash -c 'exec 7<> "$1"; echo ready; exec cat > /dev/null' _ /dev/pmm/lt
}
pmm_hold_map() {
	pmm_hold --close /dev/pmm/lt
}
pmm_hold_lock() {
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/lt 0
}
pmm_hold_dmabuf() {
	pmm_bg "$PMM_IOCTL" export /dev/pmm/lt 2
}
pmm_hold_vgem() {
	pmm_bg "$PMM_IOCTL" vgem-hold /dev/pmm/lt
}
pmm_hold_klock() {
	echo "get lt" > "$API"
	echo "lock" > "$API"
}

# Releases: the holding process is killed; the driver unlocks and puts.
pmm_release_process() {
	kill -KILL "$PMM_HOLD_PID"
	pmm_unhold
}
pmm_release_klock() {
	echo unlock > "$API"
	echo put > "$API"
}

# pmm_lifetime HOLDER RELEASE - the matrix row for one holder.
pmm_lifetime() {
	local holder=$1 release=$2 mt phys
	for mt in fb video; do
		pmm_buf_new lt size=1M memtype=$mt enable=1
		run "$PMM_MMAP" fill /dev/pmm/lt $PATTERN
		assert_success
		"pmm_hold_$holder"
		run pmm_write "$PMM_BUFS/lt/enable" 0
		assert_failure
		assert_output --partial "Device or resource busy"
		assert_equal "$(pmm_attr lt state)" enabled
		run rmdir "$PMM_BUFS/lt"
		assert_failure
		assert_output --partial "Device or resource busy"
		run rmmod pmm
		assert_failure
		assert_exists /sys/module/pmm
		run "$PMM_MMAP" check /dev/pmm/lt $PATTERN
		assert_success
		"pmm_release_$release"
		run "$PMM_MMAP" check /dev/pmm/lt $PATTERN
		assert_success
		phys=$(pmm_attr lt phys_addr)
		pmm_write "$PMM_BUFS/lt/enable" 0
		rmdir "$PMM_BUFS/lt"
		assert_equal "$mt used $(cat "$PMM_POOLS/$mt/used")" "$mt used 0"
		assert_not_exists /dev/pmm/lt
		# The next owner of that memory gets it zeroed.
		pmm_buf_new next size=1M memtype=$mt enable=1
		assert_equal "$(pmm_attr next phys_addr)" "$phys"
		run "$PMM_MMAP" check /dev/pmm/next 0
		assert_success
		pmm_buf_rm next
	done
	rmmod pmm_test_api 2> /dev/null || true
	run rmmod pmm
	assert_success
}

@test "lifetime: an open fd, killed" {
	pmm_lifetime fd process
}

@test "lifetime: a mapping whose fd is closed, killed" {
	pmm_lifetime map process
}

@test "lifetime: a user lock, killed" {
	pmm_lifetime lock process
}

@test "lifetime: a dma-buf fd, killed" {
	pmm_lifetime dmabuf process
}

@test "lifetime: a dma-buf imported by vgem, its DRM file killed" {
	pmm_requires vgem
	pmm_lifetime vgem process
	modprobe -r vgem
}

@test "lifetime: a kernel lock, unlocked and put by its driver" {
	insmod "$PMM_TEST_KMOD"
	pmm_lifetime klock klock
}

@test "lifetime: kernel log clean" {
	pmm_assert_dmesg_clean
}
