#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Buffer declaration: names, every writable attribute's accepted values and
# at least five bad values each.  A bad value gives the right errno, changes
# nothing (every attribute and the pools are compared) and logs exactly one
# line naming the buffer and the attribute.

load ../helpers/common

setup_file() {
	pmm_suite_setup
}

teardown_file() {
	pmm_suite_teardown
}

setup() {
	pmm_buf_new t
}

teardown() {
	pmm_buf_rm_all
}

# pmm_accept ATTR VALUE SHOWN - writing VALUE succeeds and reads back as SHOWN.
pmm_accept() {
	run pmm_write "$PMM_BUFS/t/$1" "$2"
	assert_success
	assert_equal "$(pmm_attr t "$1")" "$3"
}

@test "mkdir: a new buffer has the documented defaults" {
	assert_equal "$(pmm_attr t size)" 0
	assert_equal "$(pmm_attr t align)" 4096
	assert_equal "$(pmm_attr t boundary)" 0
	assert_equal "$(pmm_attr t memtype)" video
	assert_equal "$(pmm_attr t cache)" writecombine
	assert_equal "$(pmm_attr t uid)" 0
	assert_equal "$(pmm_attr t gid)" 0
	assert_equal "$(pmm_attr t mode)" 0600
	assert_equal "$(pmm_attr t enable)" 0
	assert_equal "$(pmm_attr t state)" disabled
	assert_equal "$(pmm_attr t phys_addr)" none
	assert_equal "$(pmm_attr t opens)" 0
	assert_equal "$(pmm_attr t maps)" 0
}

@test "mkdir: names of 1-64 of [A-Za-z0-9._-] are accepted" {
	local name
	for name in a Z9 dec.out_0 -x- "$(printf 'n%.0s' {1..64})"; do
		mkdir "$PMM_BUFS/$name"
		rmdir "$PMM_BUFS/$name"
	done
}

# pmm_mkdir_refused NAME LOG - mkdir of NAME fails with EINVAL, creates
# nothing, and logs LOG exactly once.
pmm_mkdir_refused() {
	pmm_mark
	run mkdir "$PMM_BUFS/$1"
	assert_failure
	assert_output --partial "Invalid argument"
	assert_dir_not_exists "$PMM_BUFS/$1"
	run pmm_log_since_mark
	pmm_count "$2" "$output"
	assert_equal "$PMM_COUNT" 1
}

@test "mkdir: bad names give EINVAL and one log line" {
	local name
	for name in 'a b' 'a*' 'a:b' "$(printf 'n%.0s' {1..65})" 'caf€' '.hidden?' 'tab	x'; do
		pmm_mkdir_refused "$name" "invalid name"
	done
	run ls "$PMM_BUFS"
	assert_output t
}

@test "mkdir: names of udev's link directories (by-*) give EINVAL and one log line" {
	local name
	for name in by-memtype by-x; do
		pmm_mkdir_refused "$name" "buffer '$name': reserved name (/dev/pmm/by-* holds udev's links)"
	done
	mkdir "$PMM_BUFS/by"
	rmdir "$PMM_BUFS/by"
	run ls "$PMM_BUFS"
	assert_output t
}

@test "size: bytes and K/M/G suffixes, shown in bytes, rounded up to pages" {
	pmm_accept size 1M 1048576
	pmm_accept size 4096 4096
	pmm_accept size 1000 4096
	pmm_accept size 3k 4096
	pmm_accept size 0x2000 8192
	pmm_accept size 64M 67108864
}

@test "size: bad values give EINVAL and change nothing" {
	local v
	for v in "" abc -1 -4096 18446744073709551616 0 0K 1M2 1.5M "1 M" 16P 65M 1G; do
		pmm_reject EINVAL t size "$v"
	done
}

@test "align: powers of two >= page size" {
	pmm_accept align 8192 8192
	pmm_accept align 2M 2097152
	pmm_accept align 0x10000 65536
	pmm_accept align 4K 4096
}

@test "align: bad values give EINVAL and change nothing" {
	local v
	for v in "" abc -4096 18446744073709551616 12288 2048 0 1 128M 3M; do
		pmm_reject EINVAL t align "$v"
	done
}

@test "boundary: 0 or powers of two >= page size" {
	pmm_accept boundary 16M 16777216
	pmm_accept boundary 4096 4096
	pmm_accept boundary 0 0
}

@test "boundary: bad values give EINVAL and change nothing" {
	local v
	for v in "" xyz -16M 18446744073709551616 3M 1024 12k 0x3000; do
		pmm_reject EINVAL t boundary "$v"
	done
}

@test "memtype: the name of any pool" {
	pmm_accept memtype fb fb
	pmm_accept memtype hi hi
	pmm_accept memtype video video
}

@test "memtype: unknown pools and malformed names give EINVAL" {
	local v
	for v in "" nosuch VIDEO "video fb" "video " -1 "$(printf 'v%.0s' {1..100})" 'vid*' $'video\n'; do
		pmm_reject EINVAL t memtype "$v"
	done
}

@test "cache: cached, writecombine, uncached" {
	pmm_accept cache cached cached
	pmm_accept cache uncached uncached
	pmm_accept cache writecombine writecombine
}

@test "cache: other words give EINVAL" {
	local v
	for v in "" wc CACHED cached2 -1 "uncached cached" write-combine 0; do
		pmm_reject EINVAL t cache "$v"
	done
}

@test "uid and gid: numeric ids" {
	pmm_accept uid 1000 1000
	pmm_accept uid 65534 65534
	pmm_accept gid 44 44
	pmm_accept gid 0 0
}

@test "uid and gid: bad ids give EINVAL" {
	local a v
	for a in uid gid; do
		for v in "" abc -1 4294967295 18446744073709551616 1.5 0x10 root; do
			pmm_reject EINVAL t "$a" "$v"
		done
	done
}

@test "mode: octal permissions" {
	pmm_accept mode 0660 0660
	pmm_accept mode 644 0644
	pmm_accept mode 0 0000
	pmm_accept mode 0777 0777
}

@test "mode: bad modes give EINVAL" {
	local v
	for v in "" abc -1 0888 01777 4755 18446744073709551616 rw-rw----; do
		pmm_reject EINVAL t mode "$v"
	done
}

@test "enable: values other than a boolean give EINVAL" {
	local v
	for v in "" 2 -1 abc maybe x; do
		pmm_reject EINVAL t enable "$v"
	done
}

@test "read-only attributes cannot be written (EACCES)" {
	local a
	for a in state phys_addr opens maps; do
		run pmm_write "$PMM_BUFS/t/$a" 1
		assert_failure
		assert_output --partial "Permission denied"
	done
}

@test "attributes: pools untouched, kernel log clean" {
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
