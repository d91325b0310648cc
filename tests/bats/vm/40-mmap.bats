#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# /dev/pmm/NAME as a file: mmap bounds and flags, mremap, cacheability as
# the CPU's page attributes show it (and the linear map's type, kept for
# the next owner of the same type), page-backed mappings, read/write/llseek.

load ../helpers/common

setup_file() {
	pmm_suite_setup
}

teardown_file() {
	pmm_suite_teardown
}

teardown() {
	# A failed test must not leave the type restore failing.
	[ ! -d "$PMM_FAIL_RESTORE" ] || echo 0 > "$PMM_FAIL_RESTORE/probability"
	pmm_test_teardown
}

@test "mmap: the whole buffer, or a page range inside it" {
	pmm_buf_new m size=64K enable=1
	run "$PMM_MMAP" map /dev/pmm/m
	assert_success
	run "$PMM_MMAP" --offset 0xf000 --length 4096 map /dev/pmm/m
	assert_success
	run "$PMM_MMAP" --offset 0x8000 --length 0x8000 map /dev/pmm/m
	assert_success
	assert_equal "$(pmm_attr m maps)" 0
}

@test "mmap: beyond the buffer is refused with EINVAL and logged" {
	pmm_buf_new m size=64K enable=1
	pmm_mark
	pmm_refused EINVAL "$PMM_MMAP" --length 0x11000 map /dev/pmm/m
	pmm_refused EINVAL "$PMM_MMAP" --offset 0x10000 --length 4096 map /dev/pmm/m
	pmm_refused EINVAL "$PMM_MMAP" --offset 0xf000 --length 8192 map /dev/pmm/m
	run pmm_log_since_mark
	assert_output --partial "pmm: buffer 'm': mmap: "
}

@test "mmap: an offset that overflows is refused" {
	pmm_buf_new m size=64K enable=1
	# The core rejects pgoff + pages wrapping (EOVERFLOW) before PMM is asked.
	pmm_refused EOVERFLOW "$PMM_MMAP" --offset 0xfffffffffffff000 --length 8192 map /dev/pmm/m
	# A huge but not wrapping offset reaches PMM's own check.
	pmm_refused EINVAL "$PMM_MMAP" --offset 0x7ffffffffffff000 --length 4096 map /dev/pmm/m
}

@test "mmap: MAP_PRIVATE is refused with EINVAL and logged" {
	pmm_buf_new m size=64K enable=1
	pmm_mark
	pmm_refused EINVAL "$PMM_MMAP" --private map /dev/pmm/m
	run pmm_log_since_mark
	assert_output --partial "pmm: buffer 'm': mmap: only MAP_SHARED mappings are allowed"
}

@test "mmap: mremap cannot grow a mapping (VM_DONTEXPAND)" {
	pmm_buf_new m size=64K enable=1
	pmm_refused EFAULT "$PMM_MMAP" --length 32768 mremap /dev/pmm/m 65536
	pmm_refused EFAULT "$PMM_MMAP" mremap /dev/pmm/m 131072
}

@test "mmap: a live mapping shows in maps and keeps its file in opens" {
	pmm_buf_new m size=64K enable=1
	pmm_hold /dev/pmm/m
	assert_equal "$(pmm_attr m maps)" 1
	assert_equal "$(pmm_attr m opens)" 1
	pmm_unhold
	assert_equal "$(pmm_attr m maps)" 0
	assert_equal "$(pmm_attr m opens)" 0
}

# pmm_pat_name CACHE - the x86 PAT memory type of a cache mode, as PAT names it.
pmm_pat_name() {
	case $1 in
	cached) echo write-back ;;
	writecombine) echo write-combining ;;
	uncached) echo uncached-minus ;;
	esac
}

# pmm_pat_type NAME - the x86 PAT memory type recorded for a buffer's start.
pmm_pat_type() {
	local start
	start=$(printf '0x%016x' "$(pmm_phys "$1")")
	grep "\\[mem $start-" /sys/kernel/debug/x86/pat_memtype_list | head -n 1 |
		sed 's/.*\] //'
}

@test "cache: carveout mappings carry the requested x86 PAT memory type" {
	pmm_requires pat
	local cache want
	for cache in cached writecombine uncached; do
		want=$(pmm_pat_name $cache)
		pmm_buf_new "c-$cache" size=64K memtype=video cache="$cache" enable=1
		pmm_hold "/dev/pmm/c-$cache"
		assert_equal "$cache: $(pmm_pat_type "c-$cache")" "$cache: $want"
		"$PMM_MMAP" fill "/dev/pmm/c-$cache" 0x11
		run "$PMM_MMAP" check "/dev/pmm/c-$cache" 0x11
		assert_success
		pmm_unhold
		pmm_buf_rm "c-$cache"
	done
	# Nothing is left reserved for the buffers once they are gone.
	run grep -c "\\[mem 0x0000000030" /sys/kernel/debug/x86/pat_memtype_list
	assert_output 0
}

@test "mmap: a reader of a 0644 node maps it read-only; PROT_WRITE is refused" {
	pmm_buf_new m size=64K mode=0644 enable=1
	"$PMM_MMAP" fill /dev/pmm/m 0x44
	run pmm_as_nobody "$PMM_MMAP" --readonly check /dev/pmm/m 0x44
	assert_success
	pmm_refused EACCES pmm_as_nobody "$PMM_MMAP" map /dev/pmm/m
}

@test "cache: contig mappings of every mode work and write through to read()" {
	local cache
	for cache in cached writecombine uncached; do
		pmm_buf_new "k-$cache" size=64K memtype=fb cache="$cache" enable=1
		"$PMM_MMAP" fill "/dev/pmm/k-$cache" 0x22
		run --separate-stderr dd if="/dev/pmm/k-$cache" bs=2 count=1
		assert_output '""'
		pmm_buf_rm "k-$cache"
	done
}

# The linear map's changes of memory type, traced with kprobe events on
# set_memory_wc/uc/wb (x86: the first argument is the address, the second
# the page count).
PMM_TRACE=/sys/kernel/tracing

pmm_cpa_on() {
	local t
	mountpoint -q "$PMM_TRACE" || mount -t tracefs tracefs "$PMM_TRACE"
	for t in wc uc wb; do
		[ -d "$PMM_TRACE/events/pmm_cpa/$t" ] ||
			echo "p:pmm_cpa/$t set_memory_$t pages=%si:s32" >> "$PMM_TRACE/kprobe_events"
	done
	echo 1 > "$PMM_TRACE/events/pmm_cpa/enable"
	pmm_cpa_clear
}

pmm_cpa_off() {
	local t
	echo 0 > "$PMM_TRACE/events/pmm_cpa/enable"
	for t in wc uc wb; do
		echo "-:pmm_cpa/$t" >> "$PMM_TRACE/kprobe_events"
	done
}

pmm_cpa_clear() {
	echo > "$PMM_TRACE/trace"
}

# pmm_cpa_calls - "wc|uc|wb PAGES" for every change since the last clear.
pmm_cpa_calls() {
	sed -nE 's/.* (wc|uc|wb): \(set_memory_[a-z]+\+[^)]*\) pages=([0-9]+)$/\1 \2/p' \
		"$PMM_TRACE/trace"
}

@test "cache: a contig range has its buffer's memory type, keeps it for the next owner of that type; only a change rewrites the linear map" {
	pmm_requires pat kprobes
	local cache want first last
	# Earlier tests' buffers left the range their type: start from a
	# cached owner's.
	pmm_buf_new c size=64K memtype=fb cache=cached enable=1
	pmm_buf_rm c
	pmm_cpa_on
	for cache in writecombine uncached; do
		want=$(pmm_pat_name $cache)
		pmm_cpa_clear
		pmm_buf_new k size=64K memtype=fb cache="$cache" enable=1
		first=$(( $(pmm_phys k) >> 12 ))
		last=$(( first + 15 ))
		assert_equal "$cache: $(pmm_ram_type $first) $(pmm_ram_type $last)" "$cache: $want $want"
		# The neighbours are not touched.
		assert_equal "$(pmm_ram_type $((last + 1)))" write-back
		run pmm_cpa_calls
		assert_output "${cache:0:1}c 16"
		# Back in the pool with its type; the next owner of that type
		# gets the range as it is.
		pmm_buf_rm k
		assert_equal "$cache after: $(pmm_ram_type $first) $(pmm_ram_type $last)" \
			"$cache after: $want $want"
		pmm_cpa_clear
		pmm_buf_new k size=64K memtype=fb cache="$cache" enable=1
		assert_equal "$(pmm_phys k)" "$((first << 12))"
		run pmm_cpa_calls
		assert_output ""
		pmm_buf_rm k
		# A cached owner gets it write-back.
		pmm_cpa_clear
		pmm_buf_new c size=64K memtype=fb cache=cached enable=1
		assert_equal "$(pmm_phys c)" "$((first << 12))"
		assert_equal "cached: $(pmm_ram_type $first) $(pmm_ram_type $last)" \
			"cached: write-back write-back"
		run pmm_cpa_calls
		assert_output "wb 16"
		pmm_buf_rm c
	done
	# From one non-cached type to the other goes through write-back.
	pmm_buf_new k size=64K memtype=fb cache=writecombine enable=1
	pmm_buf_rm k
	pmm_cpa_clear
	pmm_buf_new k size=64K memtype=fb cache=uncached enable=1
	assert_equal "$(pmm_ram_type $first) $(pmm_ram_type $last)" "uncached-minus uncached-minus"
	run pmm_cpa_calls
	assert_output "$(printf 'wb 16\nuc 16')"
	pmm_buf_rm k
	pmm_cpa_off
}

@test "cache: unloading gives a pool's memory back write-back, whatever its last owners made it" {
	pmm_requires pat kprobes
	local first
	pmm_buf_new c size=128K memtype=fb cache=cached enable=1
	pmm_buf_rm c
	pmm_buf_new w size=64K memtype=fb cache=writecombine enable=1
	pmm_buf_new u size=64K memtype=fb cache=uncached enable=1
	first=$(( $(pmm_phys w) >> 12 ))
	pmm_buf_rm w u
	assert_equal "$(pmm_ram_type $first) $(pmm_ram_type $((first + 16)))" \
		"write-combining uncached-minus"
	# The page allocator clears the type's page flags as it takes pages
	# back, so what unloading does is seen in the calls it makes: each
	# non-cached run made write-back again.
	pmm_cpa_on
	pmm_unload
	run pmm_cpa_calls
	pmm_cpa_off
	assert_output "$(printf 'wb 16\nwb 16')"
	pmm_load_test_pools
}

@test "cache: a range that cannot be made write-back again is refused to a cached owner; unloading keeps it from the page allocator" {
	pmm_requires pat fault
	local first
	pmm_buf_new c size=1M memtype=fb cache=cached enable=1
	pmm_buf_rm c
	pmm_buf_new old size=1M memtype=fb cache=writecombine enable=1
	first=$(( $(pmm_phys old) >> 12 ))
	pmm_buf_rm old
	echo 0 > "$PMM_FAIL_RESTORE/verbose"
	echo -1 > "$PMM_FAIL_RESTORE/times"
	echo 100 > "$PMM_FAIL_RESTORE/probability"
	pmm_buf_new new size=1M memtype=fb cache=cached
	pmm_reject --log enable ENOMEM new enable 1
	run pmm_log_since_mark
	assert_output --partial "buffer 'new': enable: cannot map cached memory: -12"
	assert_equal "$(cat "$PMM_POOLS/fb/used")" 0
	assert_equal "$(pmm_ram_type $first)" write-combining
	# A write-combined owner needs no change, so it gets the range.
	pmm_buf_new wc size=1M memtype=fb cache=writecombine enable=1
	assert_equal "$(pmm_phys wc)" "$((first << 12))"
	pmm_buf_rm wc new
	pmm_mark
	pmm_unload
	run pmm_log_since_mark
	assert_output --partial "pool 'fb': its memory cannot be made cached again (-12): all 16777216 bytes are kept from the page allocator"
	pmm_load_test_pools
	# Never freed, so still marked write-combining: no one got it as RAM.
	assert_equal "$(pmm_ram_type $first)" write-combining
}

# pmm_loop_dev - a 1 MiB loop device on tmpfs, for O_DIRECT.
pmm_loop_dev() {
	modprobe loop
	truncate -s 1M "$BATS_TEST_TMPDIR/disk"
	losetup -f --show "$BATS_TEST_TMPDIR/disk"
}

@test "page-backed: contig mappings can be pinned by get_user_pages" {
	pmm_buf_new pg size=64K memtype=fb enable=1
	"$PMM_MMAP" fill /dev/pmm/pg 0x33
	run "$PMM_MMAP" gup /dev/pmm/pg
	assert_success
	assert_output ok
}

@test "page-backed: O_DIRECT write from a contig mapping reaches the disk" {
	local dev
	dev=$(pmm_loop_dev)
	pmm_buf_new od size=64K memtype=fb cache=cached enable=1
	"$PMM_MMAP" fill /dev/pmm/od 0x44
	run "$PMM_MMAP" direct /dev/pmm/od "$dev"
	losetup -d "$dev"
	assert_success
	cmp -n 65536 "$BATS_TEST_TMPDIR/disk" /dev/pmm/od
	run "$PMM_MMAP" --length 65536 check "$BATS_TEST_TMPDIR/disk" 0x44
	assert_success
}

@test "page-backed: carveout mappings are raw PFNs; GUP and O_DIRECT refuse them" {
	local dev
	pmm_buf_new pf size=64K memtype=video enable=1
	pmm_refused EFAULT "$PMM_MMAP" gup /dev/pmm/pf
	dev=$(pmm_loop_dev)
	run --separate-stderr "$PMM_MMAP" direct /dev/pmm/pf "$dev"
	losetup -d "$dev"
	assert_failure 1
	assert_output EFAULT
}

@test "read/write/llseek: dd fills and dumps a buffer at offsets" {
	pmm_buf_new rw size=16K memtype=hi enable=1
	printf 'ABCD' | dd of=/dev/pmm/rw bs=1 seek=8192 conv=notrunc 2>/dev/null
	run --separate-stderr dd if=/dev/pmm/rw bs=1 skip=8192 count=4
	assert_output ABCD
	# The last byte is writable, one past the end is ENOSPC.
	printf 'Z' | dd of=/dev/pmm/rw bs=1 seek=16383 conv=notrunc 2>/dev/null
	run bash -c 'printf Y | dd of=/dev/pmm/rw bs=1 seek=16384 conv=notrunc'
	assert_failure
	assert_output --partial "No space left on device"
	# Reading past the end is end-of-file.
	run --separate-stderr dd if=/dev/pmm/rw bs=4096 skip=4
	assert_output ""
	assert_equal "$(stat -L -c %s /dev/pmm/rw)" 0
	run bash -c 'dd if=/dev/pmm/rw bs=1M 2>&1 >/dev/null | tail -n 1'
	assert_output --partial "16384 bytes"
}

@test "read/write: uncached carveout (iomem) round-trips through dd" {
	pmm_buf_new io size=16K memtype=video cache=uncached enable=1
	head -c 16384 /dev/urandom > "$BATS_TEST_TMPDIR/rand"
	dd if="$BATS_TEST_TMPDIR/rand" of=/dev/pmm/io bs=5000 2>/dev/null
	cmp /dev/pmm/io "$BATS_TEST_TMPDIR/rand"
	"$PMM_MMAP" check /dev/pmm/io 0 && fail "random data read back as zeroes"
	true
}

@test "mmap: pools back to empty, kernel log clean" {
	pmm_buf_rm_all
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
