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

@test "pmm_mem_unlock() with the wrong mode: WARN_ONCE, and the held lock released" {
	run "$VM" "$FIX/unlock-mismatch.bats"
	assert_failure
	assert_line "ok 1 fixture: an exclusive lock unlocked as shared is released, counts intact"
	assert_line "ok 2 fixture: a shared lock unlocked as exclusive is released, counts intact"
	assert_line "ok - vm: guest job exit status 0"
	assert_line "not ok - vm: guest kernel log clean"
	assert_output --partial "buffer 'u': unlock of a shared lock, but an exclusive lock is held"
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

@test "pmm-fuzz: a pool not empty after the run is a violation (exit 1)" {
	local root=$BATS_TEST_TMPDIR/pmm
	mkdir -p "$root/buffers" "$root/pools/p"
	echo 4096 > "$root/pools/p/used"
	echo 0 > "$root/pools/p/held"
	echo 0 > "$root/pools/p/buffers"
	echo 0 > "$root/pools/p/heap_buffers"
	run --separate-stderr "$PMM_PROJECT/build/bin/pmm-fuzz" --configfs-root "$root" \
		--workers 2 --duration 1 --seed 7
	assert_failure 1
	assert_line --regexp '^pmm-fuzz: seed 7, 2 workers, 1 s, 4 names, 1 pools$'
	assert_line "pmm-fuzz: seed 7: 2 violations (teardown)"
	[[ $stderr == *"pmm-fuzz: teardown: pool p used 4096"* ]] || fail "$stderr"
}

@test "pmm-fuzz: a run that made no zero, data or pipe check is a violation (exit 1)" {
	# Without PMM behind the tree no buffer ever enables: nothing checked.
	local root=$BATS_TEST_TMPDIR/pmm
	mkdir -p "$root/buffers" "$root/pools/p"
	echo 0 | tee "$root/pools/p/used" "$root/pools/p/held" "$root/pools/p/buffers" \
		"$root/pools/p/heap_buffers" > /dev/null
	run --separate-stderr "$PMM_PROJECT/build/bin/pmm-fuzz" --configfs-root "$root" \
		--workers 2 --duration 1 --seed 7
	assert_failure 1
	assert_line --regexp '; 0 zero checks, 0 data checks, 0 pipe checks, 0 O_DIRECT checks, 0 heap checks$'
	assert_line "pmm-fuzz: seed 7: 1 violations"
	[[ $stderr == *"a kind of check was never made (zero 0, data 0, pipe 0, O_DIRECT 0, heap 0)"* ]] ||
		fail "$stderr"
}

@test "kmemleak-pmm: picks the reports that point into PMM or an unloaded module" {
	cat > "$BATS_TEST_TMPDIR/report" <<-'EOF2'
	unreferenced object 0xffff888003a1c000 (size 64):
	  comm "swapper/0", pid 1, jiffies 4294892296 (age 60.116s)
	  backtrace:
	    [<ffffffff81234567>] kmalloc_trace+0x26/0x90
	    [<ffffffff81345678>] acpi_os_map_iomem+0x1a/0x30
	unreferenced object 0xffff888003a1d000 (size 128):
	  comm "bash", pid 200, jiffies 4294900000 (age 20.000s)
	  backtrace:
	    [<ffffffff81234567>] kmalloc_trace+0x26/0x90
	    [<ffffffffc0a01234>] pmm_buffer_make+0x34/0x200 [pmm]
	unreferenced object 0xffff888003a1e000 (size 32):
	  comm "insmod", pid 210, jiffies 4294900100 (age 19.000s)
	  backtrace:
	    [<ffffffff81234567>] kmalloc_trace+0x26/0x90
	    [<ffffffffc0a05678>] 0xffffffffc0a05678
	EOF2
	run "$PMM_PROJECT/tests/vm/kmemleak-pmm" "$BATS_TEST_TMPDIR/report"
	assert_success
	assert_equal "$(grep -c '^unreferenced object' <<< "$output")" 2
	assert_line --partial "pmm_buffer_make+0x34/0x200 [pmm]"
	assert_line --partial "0xffffffffc0a05678"
	refute_output --partial acpi_os_map_iomem
}
