#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tests/fuzz/pmm-fuzz against the real module: 4 workers doing random
# concurrent operations (60 s on the debug kernel, 20 s on Debian's).  No
# invariant may break, everything must come down, and the kernel log (with
# KASAN, lockdep and kmemleak on the debug kernel) must stay clean.  The
# seed is printed; `pmm-fuzz --seed N` replays a failing run.

load ../helpers/common

setup_file() {
	pmm_suite_setup
}

teardown_file() {
	pmm_suite_teardown
}

@test "fuzz: 4 workers of random concurrent operations, no violation, all torn down" {
	local secs=20
	[ -e /sys/kernel/debug/kmemleak ] && secs=60
	secs=${PMM_FUZZ_SECONDS:-$secs}
	run "$PMM_PROJECT/build/bin/pmm-fuzz" --workers 4 --duration "$secs"
	# Seed and throughput go into the TAP output as comments.
	grep -E '^pmm-fuzz: (seed|[0-9]+ operations)' <<< "$output" | sed 's/^/# /' >&3
	assert_success
	assert_line --regexp '^pmm-fuzz: seed [0-9]+: 0 violations$'
	pmm_assert_pools_empty
	run ls "$PMM_BUFS"
	assert_output ""
}

@test "fuzz: kernel log clean" {
	pmm_assert_dmesg_clean
}
