#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# pmm-setup against the real module: the pools a board implies, load,
# idempotence, save -> clear -> load round trip, rollback on a kernel
# refusal, and clear with a buffer in use.

load ../helpers/common

SETUP=$PMM_BIN/pmm-setup
BOARD=$PMM_PROJECT/examples/boards/demo.cfg

setup_file() {
	pmm_suite_setup "$("$PMM_BIN/pmm-setup" pools "$PMM_PROJECT/examples/boards/demo.cfg")"
}

teardown_file() {
	pmm_suite_teardown
}

teardown() {
	pmm_test_teardown
}

pmm_tree() { # every attribute of every buffer, for comparisons (builtins only)
	local f v
	for f in "$PMM_BUFS"/*/*; do
		case "${f##*/}" in phys_addr) continue ;; esac
		IFS= read -r v < "$f"
		echo "${f#"$PMM_BUFS/"}=$v"
	done
}

@test "pmm-setup pools: the module loaded with the board's pools" {
	run ls "$PMM_POOLS"
	assert_output "$(printf 'fb\nvideo')"
	assert_equal "$(cat "$PMM_POOLS/video/backend")" carveout
}

@test "load: the board's buffers, enabled, with their nodes" {
	run "$SETUP" load "$BOARD"
	assert_success
	assert_character_exists /dev/pmm/mfc-in
	assert_character_exists /dev/pmm/fb0
	assert_not_exists /dev/pmm/spare
	assert_equal "$(stat -c '%g %a' /dev/pmm/mfc-in)" "44 660"
	assert_equal "$(pmm_attr mfc-in size)" 2097152
	(( $(pmm_phys mfc-in) % (1 << 20) == 0 ))
	assert_equal "$(pmm_attr spare state)" disabled
	run "$SETUP" show
	assert_line --regexp '^mfc-in +enabled +2097152 +video +writecombine'
	assert_line --regexp '^video +carveout +16777216 +2097152 '
}

@test "load: a second load changes nothing" {
	"$SETUP" load "$BOARD"
	local before
	before=$(pmm_tree)
	run "$SETUP" -v load "$BOARD"
	assert_success
	assert_output ""
	assert_equal "$(pmm_tree)" "$before"
}

@test "save -> clear -> load gives the same tree" {
	"$SETUP" load "$BOARD"
	local before
	before=$(pmm_tree)
	"$SETUP" save "$BATS_TEST_TMPDIR/saved.cfg"
	"$SETUP" clear
	run ls "$PMM_BUFS"
	assert_output ""
	pmm_assert_pools_empty
	"$SETUP" load "$BATS_TEST_TMPDIR/saved.cfg"
	assert_equal "$(pmm_tree)" "$before"
}

@test "load: a kernel refusal is reported with its errno and rolled back" {
	cat > "$BATS_TEST_TMPDIR/big.cfg" <<'CFG'
pmm: { buffers: (
  { name = "first"; size = "6M"; memtype = "fb"; },
  { name = "second"; size = "6M"; memtype = "fb"; }
); };
CFG
	run "$SETUP" load "$BATS_TEST_TMPDIR/big.cfg"
	assert_failure 1
	assert_output "pmm-setup: $BATS_TEST_TMPDIR/big.cfg:3: buffer 'second': enable: No space left on device"
	run ls "$PMM_BUFS"
	assert_output ""
	pmm_assert_pools_empty
	cat > "$BATS_TEST_TMPDIR/pool.cfg" <<'CFG'
pmm: { buffers: ( { name = "x"; size = "4K"; memtype = "nosuch"; } ); };
CFG
	run "$SETUP" load "$BATS_TEST_TMPDIR/pool.cfg"
	assert_failure 1
	assert_output "pmm-setup: $BATS_TEST_TMPDIR/pool.cfg:1: buffer 'x': memtype: Invalid argument"
	assert_dir_not_exists "$PMM_BUFS/x"
}

@test "clear: a buffer in use is kept and reported" {
	"$SETUP" load "$BOARD"
	pmm_hold /dev/pmm/fb0
	run "$SETUP" clear
	assert_failure 1
	assert_output "pmm-setup: buffer 'fb0': in use, kept"
	run ls "$PMM_BUFS"
	assert_output fb0
	pmm_unhold
	"$SETUP" clear
}

@test "pmm-setup: pools back to empty, kernel log clean" {
	pmm_buf_rm_all
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}

@test "pools --map: the live pools' bars - buffers, a heap allocation, a cell partly free" {
	pmm_buf_new a size=4M memtype=video enable=1
	pmm_bg "$PMM_BIN/pmm-heap" --hold /dev/dma_heap/pmm-video $((2 << 20))
	pmm_buf_new c size=2M align=2M memtype=video enable=1
	pmm_buf_new e size=64K memtype=video enable=1
	pmm_map_check video
	run "$SETUP" pools --map
	assert_success
	assert_line --index 0 "fb               [$(printf '.%.0s' {1..64})] 8M, cell 128K: used 0, free 8M in 1 hole, largest 8M"
	assert_line --index 1 "video            [$(printf '#%.0s' {1..16})hhhhhhhh########:$(printf '.%.0s' {1..31})] 16M, cell 256K: used 8.1M, free 7.9M in 1 hole, largest 7.9M"
	run pmm_as_nobody "$SETUP" pools --map
	assert_failure 1
	assert_output --partial "pmm-setup: pool 'fb': map: Permission denied"
}
