#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The in-kernel API (include/linux/pmm.h), driven through the test-only
# module tests/kmod/pmm_test_api.ko: get/lock by name, the address while
# locked, UPBuffer lookup of user pointers, and what a kernel lock pins.

load ../helpers/common

API=/sys/kernel/debug/pmm_test_api

setup_file() {
	pmm_suite_setup
	insmod "$PMM_TEST_KMOD"
}

teardown_file() {
	rmmod pmm_test_api || true
	pmm_suite_teardown
}

teardown() {
	pmm_unhold
	echo put > "$API" 2>/dev/null || true
	pmm_buf_rm_all
}

pmm_api() { # api COMMAND - write a command to the test module
	echo "$*" > "$API"
}

@test "kernel API: get and lock by name, address and size while locked" {
	pmm_buf_new k size=64K memtype=hi enable=1
	pmm_api get k
	pmm_api lock
	run cat "$API"
	assert_output "phys=$(pmm_attr k phys_addr) size=65536 offset=0 locked=1"
	assert_equal "$(pmm_attr k locks)" 1
	pmm_api put
	assert_equal "$(pmm_attr k locks)" 0
	run cat "$API"
	assert_output empty
}

@test "kernel API: unknown or disabled names are ENOENT" {
	pmm_buf_new off size=4K
	run pmm_api get nosuch
	assert_failure
	assert_output --partial "No such file or directory"
	run pmm_api get off
	assert_failure
	assert_output --partial "No such file or directory"
}

@test "kernel API: a kernel lock pins the buffer; data intact" {
	pmm_buf_new k size=64K enable=1
	"$PMM_MMAP" fill /dev/pmm/k 0x66
	pmm_api get k
	pmm_api lock
	pmm_reject EBUSY k enable 0
	run pmm_log_since_mark
	assert_output --partial "0 open files, 0 mappings, 1 locks, 0 dma-bufs"
	pmm_reject EBUSY k align 8K
	run rmdir "$PMM_BUFS/k"
	assert_failure
	run "$PMM_MMAP" check /dev/pmm/k 0x66
	assert_success
	pmm_api unlock
	pmm_write "$PMM_BUFS/k/enable" 0
}

@test "kernel API: kernel and user locks exclude each other" {
	pmm_buf_new k size=4K enable=1
	pmm_api get k
	pmm_api lock
	run "$PMM_LOCK" -n -s k -- true
	assert_failure 1
	assert_output --partial "Resource temporarily unavailable"
	pmm_api unlock
	pmm_bg "$PMM_IOCTL" lock /dev/pmm/k 1
	run pmm_api lock nonblock
	assert_failure
	assert_output --partial "Resource temporarily unavailable"
	pmm_api lock shared nonblock
	assert_equal "$(pmm_attr k locks)" 2
}

@test "kernel API: a reference keeps memory out of the pool after disable" {
	pmm_buf_new k size=1M memtype=fb enable=1
	pmm_api get k
	pmm_write "$PMM_BUFS/k/enable" 0
	assert_not_exists /dev/pmm/k
	assert_equal "$(cat "$PMM_POOLS/fb/used")" 1048576
	assert_equal "$(cat "$PMM_POOLS/fb/buffers")" 1
	pmm_api put
	pmm_assert_pools_empty
}

@test "kernel API: the module that uses PMM keeps it loaded" {
	run rmmod pmm
	assert_failure
	assert_output --partial "in use"
}

@test "UPBuffer: a pointer into a mapping finds the buffer, locked, with the offset" {
	pmm_buf_new u size=64K memtype=video enable=1
	run "$PMM_IOCTL" upbuf /dev/pmm/u 0x3000 0x2000
	assert_success
	assert_output "phys=$(pmm_attr u phys_addr) size=65536 offset=12288 locked=1"
	# Lookups take a shared lock, dropped with the reference.
	assert_equal "$(pmm_attr u locks)" 0
}

@test "UPBuffer: the lock is held while the driver has it, and gone after" {
	pmm_buf_new u size=64K memtype=fb enable=1
	pmm_bg "$PMM_IOCTL" upbuf-hold /dev/pmm/u 0x1000 0x1000
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/hold.out")" \
		"phys=$(pmm_attr u phys_addr) size=65536 offset=4096 locked=1"
	assert_equal "$(pmm_attr u locks)" 1
	run "$PMM_LOCK" -n u -- true
	assert_failure 1
	assert_output --partial "Resource temporarily unavailable"
	pmm_reject EBUSY u enable 0
	pmm_unhold
	assert_equal "$(pmm_attr u locks)" 0
	run "$PMM_LOCK" -n u -- true
	assert_success
}

@test "UPBuffer: a device write needs PROT_WRITE, a device read PROT_READ" {
	pmm_buf_new u size=64K memtype=fb enable=1
	pmm_mark
	pmm_refused EACCES "$PMM_IOCTL" upbuf /dev/pmm/u 0 4096 r from-device
	pmm_refused EACCES "$PMM_IOCTL" upbuf /dev/pmm/u 0 4096 r both
	pmm_refused EACCES "$PMM_IOCTL" upbuf /dev/pmm/u 0 4096 w to-device
	pmm_refused EACCES "$PMM_IOCTL" upbuf /dev/pmm/u 0 4096 w both
	run pmm_log_since_mark
	assert_output --partial "buffer 'u': lock_user: the process mapped the range without PROT_WRITE, which the device's write needs"
	assert_output --partial "buffer 'u': lock_user: the process mapped the range without PROT_READ, which the device's read needs"
	assert_equal "$(pmm_attr u locks)" 0
	local prot dir
	for prot in r w rw; do
		case $prot in r) dir=to-device ;; w) dir=from-device ;; rw) dir=both ;; esac
		run "$PMM_IOCTL" upbuf /dev/pmm/u 0 4096 $prot $dir
		assert_success
		assert_output --partial "locked=1"
	done
	assert_equal "$(pmm_attr u locks)" 0
}

@test "UPBuffer: ranges past the mapping or empty are EINVAL" {
	pmm_buf_new u size=64K enable=1
	pmm_refused EINVAL "$PMM_IOCTL" upbuf /dev/pmm/u 0xf000 0x2000
	pmm_refused EINVAL "$PMM_IOCTL" upbuf /dev/pmm/u 0 0x10001
	pmm_refused EINVAL "$PMM_IOCTL" upbuf /dev/pmm/u 0 0
}

@test "UPBuffer: anonymous memory and other drivers' mappings are EFAULT" {
	pmm_refused EFAULT "$PMM_IOCTL" upbuf-anon /dev/null
	pmm_refused EFAULT "$PMM_IOCTL" upbuf /dev/zero 0 4096
}

@test "kernel API: pools back to empty, kernel log clean" {
	pmm_buf_rm_all
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
