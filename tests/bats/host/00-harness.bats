#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The VM harness itself: a passing suite passes, and a failing test, a
# guest WARN or a guest hang each make it fail.

load ../helpers/common

VM=$PMM_PROJECT/tests/vm/run
FIX=$PMM_PROJECT/tests/bats/fixtures

@test "harness: a passing suite passes and reports TAP" {
	run "$VM" "$FIX/passing.bats"
	assert_success
	assert_line "ok 1 fixture: runs in the guest with configfs mounted"
	assert_line --regexp '^ok - vm: guest finished in [0-9]+s$'
	assert_line "ok - vm: guest kernel log clean"
}

@test "harness: a failing bats test fails the run" {
	run "$VM" "$FIX/failing.bats"
	assert_failure
	assert_line "ok 1 fixture: passes"
	assert_line --partial "not ok 2 fixture: fails on purpose"
	assert_line "not ok - vm: guest job exit status 1"
}

@test "harness: a guest kernel WARN fails the run although the tests pass" {
	run "$VM" "$FIX/warn.bats"
	assert_failure
	assert_line "ok 1 fixture: load a module that WARNs"
	assert_line "not ok - vm: guest kernel log clean"
	assert_output --partial "deliberate warning for the harness self-test"
}

@test "harness: a guest that hangs is stopped at the timeout and fails" {
	run "$VM" --timeout 30 "$FIX/hang.bats"
	assert_failure
	assert_line --partial "not ok - vm: guest finished within 30s (timed out"
}

@test "harness: --load insmods pmm.ko, then --cmd runs a command and prints its output" {
	run "$VM" --load '' --cmd 'uname -r; grep -c "^pmm " /proc/modules; echo in-guest'
	assert_success
	assert_line --index 0 "$("$PMM_PROJECT/tests/vm/kver")"
	assert_line --index 1 "1"
	assert_line --index 2 "in-guest"
}
