#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Pools: reserved at load from pools=, carveout and contig backends, one
# above 4 GiB, the read-only configfs view, and refusals that name the pool.

load ../helpers/common

setup_file() {
	pmm_requires_vm
	pmm_unload_if_loaded
}

teardown_file() {
	pmm_unload_if_loaded
}

setup() {
	pmm_unload_if_loaded
}

teardown() {
	pmm_test_teardown
}

pmm_pool() { # pool NAME ATTR
	cat "$PMM_POOLS/$1/$2"
}

@test "pools=: carveout and contig pools appear with their sizes" {
	pmm_load_test_pools
	run ls "$PMM_POOLS"
	assert_output "$(printf 'fb\nhi\nvideo')"
	assert_equal "$(pmm_pool video backend)" carveout
	assert_equal "$(pmm_pool hi backend)" carveout
	assert_equal "$(pmm_pool fb backend)" contig
	assert_equal "$(pmm_pool video size)" $((64 << 20))
	assert_equal "$(pmm_pool fb size)" $((16 << 20))
	assert_equal "$(pmm_pool hi size)" $((32 << 20))
	for p in video fb hi; do
		assert_equal "$(pmm_pool $p used)" 0
		assert_equal "$(pmm_pool $p free)" "$(pmm_pool $p size)"
		assert_equal "$(pmm_pool $p largest_free)" "$(pmm_pool $p size)"
		assert_equal "$(pmm_pool $p buffers)" 0
	done
}

@test "pools: base is the claimed address, root-only (0400)" {
	pmm_load_test_pools
	assert_equal "$(pmm_pool video base)" "$PMM_CARVE_BASE"
	assert_equal "$(pmm_pool hi base)" "$PMM_HI_BASE"
	for p in video fb hi; do
		assert_equal "$(stat -c %a "$PMM_POOLS/$p/base")" 400
	done
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$PMM_POOLS/video/base"
	assert_failure
	assert_output --partial "Permission denied"
	# Everything else is readable by anyone.
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$PMM_POOLS/video/size"
	assert_success
}

@test "pools: map - each buffer at its phys_addr and size, heap allocations, the holes; root only" {
	pmm_load_test_pools
	assert_equal "$(cat "$PMM_POOLS/video/map")" "$(printf '%#x %d free' $PMM_CARVE_BASE $((64 << 20)))"
	pmm_buf_new a size=3M align=1M memtype=video enable=1
	pmm_buf_new b size=64K memtype=video enable=1
	pmm_buf_new c size=4M align=4M memtype=video enable=1
	pmm_buf_new d size=1M memtype=video enable=1
	pmm_buf_new e size=5M memtype=fb enable=1
	pmm_buf_rm b
	pmm_bg "$PMM_BIN/pmm-heap" --hold -n 3 /dev/dma_heap/pmm-video 12288
	for p in video fb hi; do
		pmm_map_check $p
	done
	run grep -c ' 12288 heap pmm-video:[0-9]*$' "$PMM_POOLS/video/map"
	assert_output 3
	# a, c and d; b went, and the heap allocations took part of its range.
	run grep -c ' buffer ' "$PMM_POOLS/video/map"
	assert_output 3
	assert_equal "$(stat -c %a "$PMM_POOLS/video/map")" 400
	run pmm_as_nobody cat "$PMM_POOLS/video/map"
	assert_failure
	assert_output --partial "Permission denied"
	pmm_unhold
	pmm_map_check video
	run grep -c ' heap ' "$PMM_POOLS/video/map"
	assert_output 0
	pmm_buf_rm a c d e
	assert_equal "$(cat "$PMM_POOLS/video/map")" "$(printf '%#x %d free' $PMM_CARVE_BASE $((64 << 20)))"
	assert_equal "$(cat "$PMM_POOLS/fb/map")" "$(printf '%#x %d free' "$(pmm_phys_pool fb)" $((16 << 20)))"
}

@test "pools: map - longer than a page: 400 heap allocations, every one" {
	pmm_load_test_pools
	pmm_bg "$PMM_BIN/pmm-heap" --hold -n 400 /dev/dma_heap/pmm-fb 4096
	(( $(wc -c < "$PMM_POOLS/fb/map") > 4096 ))
	run grep -c ' 4096 heap pmm-fb:[0-9]*$' "$PMM_POOLS/fb/map"
	assert_output 400
	pmm_map_check fb
	pmm_unhold
	pmm_map_check fb
	assert_equal "$(wc -l < "$PMM_POOLS/fb/map")" 1
}

@test "pools: 64-bit addresses - carveout hi and the contig pool sit above 4 GiB" {
	pmm_load_test_pools
	(( $(pmm_pool hi base) >= 0x100000000 ))
	# Contig pools are taken from the top of memory; this guest has 6 GiB.
	(( $(pmm_pool fb base) >= 0x100000000 ))
	(( $(pmm_pool fb base) % 4096 == 0 ))
}

@test "pools: carveouts are claimed in /proc/iomem inside the memmap= reservation" {
	pmm_load_test_pools
	run grep -E 'pmm:(video|hi)$' /proc/iomem
	assert_line --regexp "^ +${PMM_CARVE_BASE#0x}-$(printf %x $((PMM_CARVE_BASE + 0x3ffffff))) : pmm:video\$"
	assert_line --regexp "^ +${PMM_HI_BASE#0x}-$(printf %x $((PMM_HI_BASE + 0x1ffffff))) : pmm:hi\$"
}

@test "pools: unload releases every pool, so the same pools load again" {
	local i
	for i in 1 2 3; do
		pmm_load_test_pools
		pmm_unload
		run grep -c 'pmm:' /proc/iomem
		assert_output 0
	done
}

@test "pools: a contig pool taken in several 4 MiB chunks loads, serves and goes back" {
	pmm_load pools=big:40M
	assert_equal "$(pmm_pool big backend)" contig
	(( $(pmm_pool big base) % (2 << 20) == 0 ))
	pmm_buf_new whole size=40M memtype=big cache=cached enable=1
	# Zeroed at both ends of the range.
	cmp -n 1048576 /dev/pmm/whole /dev/zero
	run bash -c 'dd if=/dev/pmm/whole bs=1M skip=39 count=1 status=none | cmp -n 1048576 - /dev/zero'
	assert_success
	pmm_buf_rm whole
	pmm_unload
	pmm_load pools=big:40M
	assert_equal "$(pmm_pool big size)" $((40 << 20))
}

@test "pools: without the parameter one 16 MiB contig pool 'default'" {
	pmm_load
	run ls "$PMM_POOLS"
	assert_output default
	assert_equal "$(pmm_pool default backend)" contig
	assert_equal "$(pmm_pool default size)" $((16 << 20))
}

# pmm_refuse_load LOG_PATTERN PARAM... - insmod must fail, log a line matching
# LOG_PATTERN, and leave no pool claimed.
pmm_refuse_load() {
	local pattern=$1
	shift
	pmm_mark
	run insmod "$PMM_KO" "$@"
	assert_failure
	run grep -c '^pmm ' /proc/modules
	assert_output 0
	run grep -c 'pmm:' /proc/iomem
	assert_output 0
	run pmm_log_since_mark
	assert_line --regexp "pmm: $pattern"
}

@test "pools refused: a carveout over RAM the kernel owns" {
	pmm_refuse_load "pool 'ram': \\[mem $PMM_RAM_ADDR-$(printf %#x $((PMM_RAM_ADDR + 0xffffff)))\\] is RAM the kernel owns" \
		pools=ram:16M@$PMM_RAM_ADDR
}

@test "pools refused: two pools claiming the same carveout" {
	pmm_refuse_load "pool 'b': .* is already claimed" \
		pools=a:16M@$PMM_CARVE_BASE,b:16M@$PMM_CARVE_BASE
}

@test "pools refused: a bad entry after a good one releases the good one" {
	pmm_refuse_load "pool 'bad': invalid size 'lots'" \
		pools=good:16M@$PMM_CARVE_BASE,bad:lots
}

@test "pools refused: garbage, zero, unaligned and overflowing sizes" {
	pmm_refuse_load "pool 'x': invalid size 'abc'" pools=x:abc
	pmm_refuse_load "pool 'x': size and base must be" pools=x:0
	pmm_refuse_load "pool 'x': size and base must be" pools=x:1000
	pmm_refuse_load "pool 'x': invalid size '18446744073709551616'" pools=x:18446744073709551616
	pmm_refuse_load "pool 'x': invalid size '-16M'" pools=x:-16M
}

@test "pools refused: bad base, bad name, duplicate name, missing size" {
	pmm_refuse_load "pool 'x': invalid base 'zz'" pools=x:16M@zz
	pmm_refuse_load "pool 'x': size and base must be" pools=x:16M@0x30000001
	pmm_refuse_load "pools: invalid pool name 'bad/name'" pools=bad/name:16M
	pmm_refuse_load "pool 'a': defined twice" pools=a:4M,a:4M
	pmm_refuse_load "pools: 'video' is not NAME:SIZE\\[@BASE\\]" pools=video
}

@test "pools refused: a contig pool larger than the machine can give" {
	pmm_refuse_load "pool 'huge': cannot get 68719476736 bytes of physically contiguous memory" \
		pools=huge:64G
}

@test "pools: kernel log is clean" {
	pmm_assert_dmesg_clean
}
