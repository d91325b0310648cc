#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tests/fuzz/pmm-fuzz against the real module: 4 workers doing random
# concurrent operations (60 s on the debug kernel, 20 s on Debian's),
# O_DIRECT through a loop device included.  No invariant may break, every
# kind of check must have been made, everything must come down, and the
# kernel log (with KASAN, lockdep and kmemleak on the debug kernel) must
# stay clean.  The seed is printed; `pmm-fuzz --seed N` replays a failing
# run.  The run under fault injection is `make fuzz FAULTS=1` (debug
# kernel): in make check it was not reliably clean yet.

load ../helpers/common

setup_file() {
	pmm_suite_setup
	modprobe loop 2> /dev/null || true
	truncate -s 256K "$BATS_FILE_TMPDIR/disk"
	FUZZ_LOOP=$(losetup -f --show "$BATS_FILE_TMPDIR/disk")
	export FUZZ_LOOP
}

teardown_file() {
	[ -z "${FUZZ_LOOP:-}" ] || losetup -d "$FUZZ_LOOP"
	pmm_suite_teardown
}

# fuzz_run SECONDS [OPTION...] - a run of 4 workers, which must end clean.
fuzz_run() {
	local secs=$1
	shift
	run "$PMM_PROJECT/build/bin/pmm-fuzz" --workers 4 --duration "$secs" \
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
	fuzz_run "${PMM_FUZZ_SECONDS:-$secs}"
}

@test "fuzz: kernel log clean" {
	pmm_assert_dmesg_clean
}
