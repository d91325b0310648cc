#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tests/fuzz/pmm-fuzz against the real module: 4 workers doing random
# concurrent operations (60 s on the debug kernel, 20 s on Debian's),
# O_DIRECT through a loop device included.  No invariant may break, every
# kind of check must have been made, everything must come down, and the
# kernel log (with KASAN, lockdep and kmemleak on the debug kernel) must
# stay clean.  Where the kernel has fault injection (the debug kernel), a
# second run fails a small share of the workers' kernel allocations.  The
# seed is printed; `pmm-fuzz --seed N` replays a failing run.

load ../helpers/common

FAULT_DIRS="/sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc"

setup_file() {
	pmm_suite_setup
	modprobe loop 2> /dev/null || true
	truncate -s 256K "$BATS_FILE_TMPDIR/disk"
	FUZZ_LOOP=$(losetup -f --show "$BATS_FILE_TMPDIR/disk")
	export FUZZ_LOOP
}

teardown_file() {
	pmm_fuzz_faults_off
	[ -z "${FUZZ_LOOP:-}" ] || losetup -d "$FUZZ_LOOP"
	pmm_suite_teardown
}

# pmm_fuzz_faults_on PERCENT - fail that share of slab and page allocations of
# the tasks that ask for it (/proc/PID/make-it-fail), quietly.  Spared:
# user memory (highmem allocations: a failed page fault is only retried,
# slowly), and single pages, among them page tables: 6.1's own
# remap_pfn_range() error path warns in untrack_pfn() when a page table
# cannot be had halfway through a mapping.
pmm_fuzz_faults_on() {
	local d
	for d in $FAULT_DIRS; do
		echo Y > "$d/task-filter"
		echo N > "$d/ignore-gfp-wait"
		echo 0 > "$d/verbose"
		echo 1 > "$d/interval"
		echo -1 > "$d/times"
		echo "$1" > "$d/probability"
	done
	echo Y > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
	echo 1 > /sys/kernel/debug/fail_page_alloc/min-order
}

pmm_fuzz_faults_off() {
	local d
	for d in $FAULT_DIRS; do
		[ -w "$d/probability" ] && echo 0 > "$d/probability"
	done
	return 0
}

# pmm_fuzz_run SECONDS [OPTION...] - a run of 4 workers, which must end clean.
pmm_fuzz_run() {
	local secs=$1
	shift
	run "$PMM_BIN/pmm-fuzz" --workers 4 --duration "$secs" \
		--loop "$FUZZ_LOOP" "$@"
	# Seed and throughput go into the TAP output as comments.
	grep -E '^pmm-fuzz: (seed|[0-9]+ operations)' <<< "$output" | sed 's/^/# /' >&3
	assert_success
	assert_line --regexp '^pmm-fuzz: seed [0-9]+: 0 violations$'
	pmm_assert_pools_empty
	run ls "$PMM_BUFS"
	assert_output ""
}

@test "fuzz: 4 workers of random concurrent operations, no violation, all torn down" {
	local secs=20
	[ -e /sys/kernel/debug/kmemleak ] && secs=60
	pmm_fuzz_run "${PMM_FUZZ_SECONDS:-$secs}"
}

@test "fuzz: with fault injection, every error path keeps the invariants" {
	pmm_requires fault
	pmm_fuzz_faults_on "${PMM_FUZZ_FAULT_PERCENT:-1}"
	pmm_fuzz_run "${PMM_FUZZ_FAULT_SECONDS:-30}" --faults
	pmm_fuzz_faults_off
}

@test "fuzz: kernel log clean" {
	pmm_assert_dmesg_clean
}
