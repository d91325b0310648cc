#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# pmm-setup on the host, against a plain directory standing in for
# /sys/kernel/config/pmm (--configfs-root): parsing, validation with
# FILE:LINE, dry-run, load order, idempotence, --force, rollback,
# save/load round trip, show, rm, clear, pools.

load ../helpers/common

SETUP=$PMM_PROJECT/build/bin/pmm-setup

setup() {
	ROOT=$BATS_TEST_TMPDIR/pmm
	mkdir -p "$ROOT/buffers" "$ROOT/pools"
	BOARD=$BATS_TEST_TMPDIR/board.cfg
	cp "$PMM_PROJECT/examples/boards/demo.cfg" "$BOARD"
}

pmm_ps() { # pmm-setup against the fake root
	"$SETUP" --configfs-root "$ROOT" "$@"
}

pmm_board() { # board TEXT - write a one-off board file
	printf '%s\n' "$1" > "$BOARD"
}

# pmm_bad_board LINE MESSAGE - check and load refuse the board, exit 2,
# with FILE:LINE: MESSAGE, and nothing is created.
pmm_bad_board() {
	run pmm_ps check "$BOARD"
	assert_failure 2
	assert_output --partial "pmm-setup: $BOARD:$1: $2"
	run pmm_ps load "$BOARD"
	assert_failure 2
	run ls "$ROOT/buffers"
	assert_output ""
}

@test "pmm-setup: --help describes every verb" {
	run "$SETUP" --help
	assert_success
	for verb in check load save show rm clear pools; do
		assert_output --regexp "  $verb "
	done
	run "$SETUP"
	assert_failure 2
	run "$SETUP" frobnicate
	assert_failure 2
}

@test "check: the example board file is valid" {
	run pmm_ps check "$BOARD"
	assert_success
	assert_output ""
}

@test "check: syntax errors carry file and line" {
	pmm_board 'pmm: {
  buffers: (
    { name = "a"; size = ; }
  );
};'
	pmm_bad_board 3 "syntax error"
}

@test "check: unknown keys, wrong types and bad values name buffer and attribute" {
	pmm_board 'pmm: { buffers: ( { name = "a"; colour = "red"; } ); };'
	pmm_bad_board 1 "buffer 'a': colour: unknown attribute"
	pmm_board 'pmm: { buffers: ( { name = "a";
  size = 1.5; } ); };'
	pmm_bad_board 2 "buffer 'a': size: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; size = "abc"; } ); };'
	pmm_bad_board 1 "buffer 'a': size: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; align = "3000"; } ); };'
	pmm_bad_board 1 "buffer 'a': align: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; mode = 0888; } ); };'
	pmm_bad_board 1 "buffer 'a': mode: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; cache = "wc"; } ); };'
	pmm_bad_board 1 "buffer 'a': cache: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; enable = "yes"; } ); };'
	pmm_bad_board 1 "buffer 'a': enable: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; uid = -1; } ); };'
	pmm_bad_board 1 "buffer 'a': uid: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "a"; memtype = "no pool"; } ); };'
	pmm_bad_board 1 "buffer 'a': memtype: Invalid argument"
}

@test "check: duplicate, invalid and missing names" {
	pmm_board 'pmm: { buffers: (
  { name = "a"; },
  { name = "a"; } ); };'
	pmm_bad_board 3 "buffer 'a': name: defined twice (first at line 2)"
	pmm_board 'pmm: { buffers: ( { name = "a b"; } ); };'
	pmm_bad_board 1 "buffer 'a b': name: Invalid argument"
	pmm_board 'pmm: { buffers: ( { name = "by-memtype"; } ); };'
	pmm_bad_board 1 "buffer 'by-memtype': name: reserved (/dev/pmm/by-* holds udev's links)"
	pmm_board 'pmm: { buffers: ( { size = "1M"; } ); };'
	pmm_bad_board 1 "buffer 1: name: missing or not a string"
	pmm_board 'nothing = 1;'
	pmm_bad_board 1 "no 'pmm' group"
}

@test "check: read-only keys (as save writes them) are ignored" {
	pmm_board 'pmm: { buffers: ( { name = "a"; size = "4096"; state = "enabled"; phys_addr = "0x1000"; opens = "0"; } ); };'
	run pmm_ps check "$BOARD"
	assert_success
}

@test "load --dry-run prints mkdir, attributes, enable last, and touches nothing" {
	run pmm_ps --dry-run load "$BOARD"
	assert_success
	assert_line --index 0 "mkdir mfc-in"
	assert_line --index 1 "write mfc-in/size 2M"
	assert_line --index 6 "write mfc-in/mode 0660"
	assert_line --index 7 "write mfc-in/enable 1"
	assert_line "write fb0/boundary 16M"
	refute_line "write spare/enable 1"
	run ls "$ROOT/buffers"
	assert_output ""
}

@test "load: creates each buffer with its attributes, enable written last" {
	run pmm_ps -v load "$BOARD"
	assert_success
	# Per buffer: mkdir, attributes, then enable.
	assert_equal "$(grep -n 'mfc-in/enable' <<< "$output" | cut -d: -f1)" 8
	assert_equal "$(cat "$ROOT/buffers/mfc-in/size")" 2M
	assert_equal "$(cat "$ROOT/buffers/mfc-in/mode")" 0660
	assert_equal "$(cat "$ROOT/buffers/mfc-in/gid")" 44
	assert_equal "$(cat "$ROOT/buffers/mfc-in/enable")" 1
	assert_equal "$(cat "$ROOT/buffers/fb0/boundary")" 16M
	assert_file_not_exists "$ROOT/buffers/spare/enable"
}

# The fake tree shows what was written, not the kernel's canonical form;
# make it look like configfs after a load for the comparison tests.
pmm_canonicalise() {
	echo 2097152 > "$ROOT/buffers/mfc-in/size"
	echo 1048576 > "$ROOT/buffers/mfc-in/align"
	echo 4194304 > "$ROOT/buffers/fb0/size"
	echo 16777216 > "$ROOT/buffers/fb0/boundary"
	echo 65536 > "$ROOT/buffers/spare/size"
	echo 0 > "$ROOT/buffers/spare/enable"
}

@test "load: loading the same file again changes nothing and succeeds" {
	pmm_ps load "$BOARD"
	pmm_canonicalise
	run pmm_ps -v load "$BOARD"
	assert_success
	assert_output ""
}

@test "load: a buffer with other attributes is an error unless --force" {
	pmm_ps load "$BOARD"
	pmm_canonicalise
	echo 8192 > "$ROOT/buffers/fb0/size"
	run pmm_ps load "$BOARD"
	assert_failure 1
	assert_output --partial "$BOARD:12: buffer 'fb0': exists with other attributes (use --force)"
	run pmm_ps --force -v load "$BOARD"
	assert_success
	assert_line "rmdir fb0"
	assert_equal "$(cat "$ROOT/buffers/fb0/size")" 4M
}

@test "load: --force refuses a buffer in use" {
	pmm_ps load "$BOARD"
	pmm_canonicalise
	echo 8192 > "$ROOT/buffers/fb0/size"
	echo 1 > "$ROOT/buffers/fb0/opens"
	run pmm_ps --force load "$BOARD"
	assert_failure 1
	assert_output --partial "buffer 'fb0': enable: Device or resource busy"
}

@test "load: a failure rolls back what the run created" {
	# fb0 cannot be created: a file stands where its directory would go.
	touch "$ROOT/buffers/fb0"
	run pmm_ps load "$BOARD"
	assert_failure 1
	assert_output --partial "pmm-setup: $BOARD:12: buffer 'fb0': name: File exists"
	assert_dir_not_exists "$ROOT/buffers/mfc-in"
	assert_file_exists "$ROOT/buffers/fb0"
}

@test "save: atomic, mode 0600, and loads back to the same tree" {
	pmm_ps load "$BOARD"
	pmm_canonicalise
	pmm_ps save "$BATS_TEST_TMPDIR/saved.cfg"
	assert_file_not_exists "$BATS_TEST_TMPDIR/saved.cfg.tmp"
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/saved.cfg")" 600
	run pmm_ps check "$BATS_TEST_TMPDIR/saved.cfg"
	assert_success
	run pmm_ps save -
	assert_output "$(cat "$BATS_TEST_TMPDIR/saved.cfg")"
	assert_output --partial 'name = "spare";'
	assert_output --partial 'enable = false;'
	pmm_ps clear
	run ls "$ROOT/buffers"
	assert_output ""
	pmm_ps load "$BATS_TEST_TMPDIR/saved.cfg"
	# configfs shows enable=0 for a buffer never enabled; the fake tree
	# only has what was written.
	echo 0 > "$ROOT/buffers/spare/enable"
	run pmm_ps save -
	assert_output "$(cat "$BATS_TEST_TMPDIR/saved.cfg")"
}

@test "show: a table and JSON" {
	pmm_ps load "$BOARD"
	run pmm_ps show
	assert_success
	assert_line --regexp '^NAME +STATE +SIZE +MEMTYPE'
	assert_line --regexp '^mfc-in '
	mkdir -p "$ROOT/pools/fb" && echo contig > "$ROOT/pools/fb/backend"
	# Valid JSON, read back with a JSON parser, for every selection (a
	# name that is not the first one included).
	for sel in "" fb0 spare; do
		run pmm_ps --json show $sel
		assert_success
		run python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(b["name"] + "=" + b["size"] for b in d["buffers"]),
      " ".join(p["name"] + ":" + p["backend"] for p in d["pools"]))' <<< "$output"
		assert_success
		case $sel in
		"") assert_output "fb0=4M mfc-in=2M spare=64K fb:contig" ;;
		fb0) assert_output "fb0=4M " ;;
		spare) assert_output "spare=64K " ;;
		esac
	done
	run pmm_ps show nosuch
	assert_failure 1
}

@test "save, show and clear see every buffer, hundreds of them" {
	local i
	for i in $(seq 300); do
		mkdir "$ROOT/buffers/b$i"
		echo 4096 > "$ROOT/buffers/b$i/size"
	done
	run pmm_ps save -
	assert_success
	assert_equal "$(grep -c 'name = "b' <<< "$output")" 300
	run pmm_ps show
	assert_equal "$(grep -c '^b[0-9]' <<< "$output")" 300
	run pmm_ps clear
	assert_success
	run ls "$ROOT/buffers"
	assert_output ""
}

@test "load --force: a failure puts back the buffer it replaced" {
	pmm_ps load "$BOARD"
	pmm_canonicalise
	echo 8192 > "$ROOT/buffers/fb0/size"
	# spare cannot be re-created: a file stands where its directory goes.
	pmm_ps rm spare
	touch "$ROOT/buffers/spare"
	run pmm_ps --force load "$BOARD"
	assert_failure 1
	assert_output --partial "buffer 'spare': name: File exists"
	# fb0 was replaced, then put back as it was.
	assert_equal "$(cat "$ROOT/buffers/fb0/size")" 8192
	assert_equal "$(cat "$ROOT/buffers/fb0/boundary")" 16777216
	assert_equal "$(cat "$ROOT/buffers/fb0/memtype")" fb
}

@test "rm and clear; clear keeps buffers in use and exits 1" {
	pmm_ps load "$BOARD"
	pmm_ps rm spare
	assert_dir_not_exists "$ROOT/buffers/spare"
	run pmm_ps rm spare
	assert_failure 1
	assert_output --partial "buffer 'spare': No such file or directory"
	echo 1 > "$ROOT/buffers/fb0/maps"
	run pmm_ps clear
	assert_failure 1
	assert_output --partial "buffer 'fb0': in use, kept"
	assert_dir_exists "$ROOT/buffers/fb0"
	assert_dir_not_exists "$ROOT/buffers/mfc-in"
}

@test "pools: prints the module argument the board implies" {
	run pmm_ps pools "$BOARD"
	assert_success
	assert_output "pools=video:16M@0x30000000,fb:8M"
	# No pools in the board: nothing, so modprobe.d options apply.
	printf 'pmm: { buffers: ( { name = "a"; } ); };\n' > "$BATS_TEST_TMPDIR/nopools.cfg"
	run pmm_ps pools "$BATS_TEST_TMPDIR/nopools.cfg"
	assert_success
	assert_output ""
}

# pmm_fake_pool NAME MAP - a pool directory with a map file.
pmm_fake_pool() {
	mkdir -p "$ROOT/pools/$1"
	printf '%s\n' "$2" > "$ROOT/pools/$1/map"
}

@test "pools --map: a bar per pool, a 64th of the pool a cell, and what its holes add up to" {
	pmm_fake_pool video '0x30000000 4194304 buffer a
0x30400000 131072 free
0x30420000 917504 heap pmm-video:1
0x30500000 1048576 held old
0x30600000 10485760 free'
	pmm_fake_pool fb '0x100000000 8388608 free'
	run pmm_ps pools --map
	assert_success
	assert_line --index 0 "fb               [$(printf '.%.0s' {1..64})] 8M, cell 128K: used 0, free 8M in 1 hole, largest 8M"
	assert_line --index 1 "video            [$(printf '#%.0s' {1..16}):hhh!!!!$(printf '.%.0s' {1..40})] 16M, cell 256K: used 5.9M, free 10.1M in 2 holes, largest 10M"
	assert_line --index 2 --partial "# buffer  h heap  ! held"
}

@test "pools --map: a map that is not one, FILE and --map together, neither" {
	pmm_fake_pool video '0x30000000 4194304 buffer a
0x30500000 1048576 free'
	run pmm_ps pools --map
	assert_failure 1
	assert_output --partial "pmm-setup: pool 'video': map: Invalid argument"
	pmm_fake_pool video '0x30000000 4194304 spare a'
	run pmm_ps pools --map
	assert_failure 1
	assert_output --partial "pmm-setup: pool 'video': map: Invalid argument"
	run pmm_ps pools --map "$BOARD"
	assert_failure 2
	assert_output --partial "pools: FILE and --map exclude each other"
	run pmm_ps pools
	assert_failure 2
	assert_output --partial "pools: give FILE or --map"
}
