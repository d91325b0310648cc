#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The walking skeleton: pmm.ko loads, shows its configfs tree and device
# class, and unloads without a trace.

load ../helpers/common

setup_file() {
	pmm_requires_vm
	pmm_load
}

teardown_file() {
	pmm_unload_if_loaded
}

@test "module is loaded" {
	run grep -E '^pmm ' /proc/modules
	assert_success
}

@test "configfs subsystem has buffers/ and pools/" {
	assert_dir_exists "$PMM_CFS"
	assert_dir_exists "$PMM_CFS/buffers"
	assert_dir_exists "$PMM_CFS/pools"
}

@test "device class pmm exists" {
	assert_dir_exists /sys/class/pmm
}

@test "module unloads and its configfs tree and class disappear" {
	pmm_unload
	assert_dir_not_exists "$PMM_CFS"
	assert_dir_not_exists /sys/class/pmm
	run grep -E '^pmm ' /proc/modules
	assert_failure
	pmm_load
	assert_dir_exists "$PMM_CFS/buffers"
}

@test "kernel log is clean" {
	pmm_assert_dmesg_clean
}
