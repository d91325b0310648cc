#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Board integration with the real components: systemd-udevd running
# examples/70-pmm.rules, the sysvinit script examples/S30pmm, the systemd
# unit as `scripts/install` installs it (its Exec lines run in order), the
# example clients and the shell-only example, and `make run`'s demo.

load ../helpers/common

S30PMM=$PMM_PROJECT/examples/S30pmm
RULES=/run/udev/rules.d/70-pmm.rules
OVERLAYS=/run/pmm-overlay

setup_file() {
	pmm_requires_vm
	pmm_unload_if_loaded
	# The example board's carveout, where the guest keeps memory from
	# Linux: x86 guests at the board's own base (memmap=), the arm64 one
	# at PMM_CARVE_BASE (tests/vm/arm64.dtso).
	export BOARD=$BATS_FILE_TMPDIR/board.cfg
	sed "s/0x30000000/$PMM_CARVE_BASE/" "$PMM_PROJECT/examples/board.cfg" > "$BOARD"
	# udev reads /run/udev/rules.d as well as /etc: the host root is
	# read-only, so the rule goes there.
	mkdir -p "${RULES%/*}"
	cp "$PMM_PROJECT/examples/70-pmm.rules" "$RULES"
	if ! udevadm control --ping 2> /dev/null; then
		/lib/systemd/systemd-udevd --daemon
	fi
	udevadm control --ping
}

teardown_file() {
	pmm_suite_teardown
	udevadm control --exit || true
	rm -f "$RULES"
}

teardown() {
	pmm_test_teardown
	pmm_unload_if_loaded
	local d
	for d in "/lib/modules/$(uname -r)" /usr/local /etc; do
		if grep -q " $d \(overlay\|tmpfs\) " /proc/mounts; then
			umount "$d"
		fi
	done
	if grep -q " $OVERLAYS " /proc/mounts; then
		umount "$OVERLAYS"
	fi
}

# The board scripts find pmm-setup and the client on PATH, the module by path.
pmm_board_env() {
	export PMM_BOARD=$BOARD PMM_MODULE=$PMM_KO
	export PATH=$PMM_BIN:$PATH
}

pmm_assert_nothing_left() {
	assert_not_exists /sys/module/pmm
	assert_not_exists /dev/pmm
	assert_not_exists "$PMM_CFS"
}

@test "udev: default buffers get group video 0660, set owners are kept, links by memtype" {
	pmm_load_test_pools
	pmm_buf_new dflt size=64K memtype=fb enable=1
	pmm_buf_new own size=64K memtype=video uid=7 gid=7 mode=0640 enable=1
	udevadm settle
	assert_equal "$(stat -c '%U:%G %a' /dev/pmm/dflt)" "root:video 660"
	assert_equal "$(stat -c '%u:%g %a' /dev/pmm/own)" "7:7 640"
	assert_equal "$(readlink /dev/pmm/by-memtype/fb/dflt)" ../../dflt
	assert_equal "$(readlink /dev/pmm/by-memtype/video/own)" ../../own
	# What the rule gives is what a pipeline process needs: the video
	# group opens the node, anybody else does not.
	run setpriv --reuid=65534 --regid=65534 --groups=44 head -c 1 /dev/pmm/dflt
	assert_success
	run pmm_as_nobody head -c 1 /dev/pmm/dflt
	assert_failure
	assert_output --partial "Permission denied"
	run udevadm info -q property -n pmm/dflt
	assert_line PMM_MEMTYPE=fb
	assert_line PMM_NAME=dflt
	# Disable: the node and its link go; the other buffer's stay.
	pmm_write "$PMM_BUFS/dflt/enable" 0
	udevadm settle
	assert_not_exists /dev/pmm/by-memtype/fb/dflt
	assert_not_exists /dev/pmm/dflt
	assert_exists /dev/pmm/by-memtype/video/own
	pmm_buf_rm_all
	udevadm settle
	assert_not_exists /dev/pmm/by-memtype/video/own
}

@test "udev: heap nodes left at the default get group video 0660, set ones are kept" {
	pmm_load_test_pools
	udevadm settle
	assert_equal "$(stat -c '%U:%G %a' /dev/dma_heap/pmm-fb)" "root:video 660"
	run setpriv --reuid=65534 --regid=65534 --groups=44 "$PMM_BIN/pmm-heap" /dev/dma_heap/pmm-fb 4096
	assert_success
	pmm_refused EACCES pmm_as_nobody "$PMM_BIN/pmm-heap" /dev/dma_heap/pmm-fb 4096
	run udevadm info -q property -n dma_heap/pmm-video
	assert_line PMM_MEMTYPE=video
	pmm_unload
	pmm_load_test_pools heap_uid=7 heap_gid=7 heap_mode=0640
	udevadm settle
	assert_equal "$(stat -c '%u:%g %a' /dev/dma_heap/pmm-fb)" "7:7 640"
}

@test "S30pmm: start, status, restart and stop; nothing left after stop" {
	pmm_board_env
	run sh "$S30PMM" status
	assert_failure 3
	run sh "$S30PMM" start
	assert_success
	assert_line "pmm: started ($BOARD)"
	assert_equal "$(cat "$PMM_POOLS/video/backend") $(cat "$PMM_POOLS/fb/backend")" "carveout contig"
	run ls /dev/pmm
	assert_output "$(printf '%s\n' by-memtype dec-in dec-out0 dec-out1 fb0 postproc scaler-out)"
	assert_equal "$(stat -c '%G %a' /dev/pmm/fb0)" "video 660"
	assert_equal "$(cat "$PMM_BUFS/fb0/boundary")" 16777216
	# Starting again is a no-op: the module stays, the board matches.
	run sh "$S30PMM" start
	assert_success
	run sh "$S30PMM" status
	assert_success
	assert_line --partial "dec-in"
	assert_line "pmm: running ($BOARD)"
	# Drift from the board file is reported; restart repairs it.
	pmm_write "$PMM_BUFS/postproc/enable" 0
	run sh "$S30PMM" status
	assert_failure 1
	assert_line "pmm: buffers differ from $BOARD:"
	run sh "$S30PMM" restart
	assert_success
	run sh "$S30PMM" status
	assert_success
	run sh "$S30PMM" stop
	assert_success
	assert_output "pmm: stopped"
	pmm_assert_nothing_left
	run sh "$S30PMM" status
	assert_failure 3
	run sh "$S30PMM" stop
	assert_success
}

@test "S30pmm: stop keeps the module while a buffer is in use" {
	pmm_board_env
	run sh "$S30PMM" start
	assert_success
	pmm_hold /dev/pmm/dec-in
	run sh "$S30PMM" stop
	assert_failure
	assert_output --partial "buffer 'dec-in': in use, kept"
	assert_exists /sys/module/pmm
	assert_exists /dev/pmm/dec-in
	pmm_unhold
	run sh "$S30PMM" stop
	assert_success
	pmm_assert_nothing_left
}

@test "S30pmm: a board the kernel refuses fails start and leaves nothing loaded" {
	pmm_board_env
	export PMM_BOARD=$BATS_TEST_TMPDIR/too-big.cfg
	cat > "$PMM_BOARD" <<-'EOF'
	pmm: {
	  pools: ( { name = "video"; size = "4M"; } );
	  buffers: ( { name = "ok"; size = "1M"; },
	             { name = "huge"; size = "8M"; } );
	};
	EOF
	run sh "$S30PMM" start
	assert_failure
	assert_output --partial "buffer 'huge': size: Invalid argument"
	pmm_assert_nothing_left
	export PMM_BOARD=$BATS_TEST_TMPDIR/missing.cfg
	run sh "$S30PMM" start
	assert_failure
	assert_output "pmm: no board file $PMM_BOARD"
	pmm_assert_nothing_left
}

# pmm_unit_exec KEY UNIT - run a unit's KEY= lines in order, expanding as
# systemd does what this unit uses: ${VAR} from Environment=, $$ -> $.
pmm_unit_exec() {
	local key=$1 unit=$2 line
	while IFS= read -r line; do
		line=${line#"$key="}
		line=${line//\$\$/\$}
		echo "+ $line"
		eval "$line" || return
	done < <(grep "^$key=" "$unit")
}

@test "pmm.service: installed by scripts/install, its Exec lines load the board and clear it" {
	# The host root is read-only: give /etc and /usr/local writable
	# overlays so the real install can run.  depmod over Debian's 4000
	# modules takes most of a minute under emulation, so the kernel's
	# module directory is replaced by one with only its builtin lists.
	modprobe overlay
	mkdir -p "$OVERLAYS"
	mount -t tmpfs tmpfs "$OVERLAYS"
	local d n=0 kver
	for d in /etc /usr/local; do
		n=$((n + 1))
		mkdir -p "$OVERLAYS/$n/u" "$OVERLAYS/$n/w"
		mount -t overlay overlay \
			-o "lowerdir=$d,upperdir=$OVERLAYS/$n/u,workdir=$OVERLAYS/$n/w" "$d"
	done
	kver=$(uname -r)
	mkdir "$OVERLAYS/modules"
	cp "/lib/modules/$kver"/modules.builtin* "/lib/modules/$kver/modules.order" \
		"$OVERLAYS/modules/"
	mount --bind "$OVERLAYS/modules" "/lib/modules/$kver"
	run env PREFIX=/usr/local PMM_KO="$PMM_KO" BIN="$PMM_BIN" "$PMM_PROJECT/scripts/install"
	assert_success
	local unit=/etc/systemd/system/pmm.service
	assert_file_exists "$unit"
	assert_file_exists /etc/udev/rules.d/70-pmm.rules
	install -D -m 0644 "$BOARD" /etc/pmm/board.cfg
	run modinfo -n pmm
	assert_output "/lib/modules/$(uname -r)/extra/pmm.ko"

	# Environment= as systemd would set it for the Exec lines.
	eval "export $(sed -n 's/^Environment=//p' "$unit")"
	assert_equal "$PMM_BOARD" /etc/pmm/board.cfg
	run pmm_unit_exec ExecStart "$unit"
	assert_success
	assert_line '+ /usr/local/sbin/pmm-setup load ${PMM_BOARD}'
	assert_exists /sys/module/pmm
	run /usr/local/sbin/pmm-setup show
	assert_line --regexp '^scaler-out +enabled +8294400 video'
	assert_equal "$(readlink /dev/pmm/by-memtype/fb/fb0)" ../../fb0
	run pmm_unit_exec ExecStop "$unit"
	assert_success
	pmm_assert_nothing_left
}

@test "client: writes a frame and reads it back in every cache mode" {
	pmm_load_test_pools
	pmm_buf_new c-cached size=1M memtype=fb cache=cached enable=1
	pmm_buf_new c-wc size=1M memtype=video cache=writecombine enable=1
	pmm_buf_new c-uc size=1M memtype=hi cache=uncached enable=1
	local b
	for b in c-cached c-wc c-uc; do
		run "$PMM_BIN/pmm-client" "$b" 7
		assert_success
		assert_line "wrote frame 7 (1048560 bytes)"
		assert_line "read frame 7: ok"
		# The frame is in the buffer for the next process to see.
		assert_equal "$(head -c 8 "/dev/pmm/$b")" PMMFRAME
		assert_equal "$(pmm_attr "$b" locks) $(pmm_attr "$b" opens)" "0 0"
	done
	run "$PMM_BIN/pmm-client" no-such-buffer
	assert_failure 1
	assert_output "client: /dev/pmm/no-such-buffer: No such file or directory"
}

@test "declare-buffers.sh: plain mkdir/echo declares and removes a pipeline" {
	pmm_load_test_pools
	run sh "$PMM_PROJECT/examples/declare-buffers.sh" up
	assert_success
	assert_line "cam-raw0: 1843200 bytes, enabled -> /dev/pmm/cam-raw0"
	assert_line "cam-stats: 65536 bytes, enabled -> /dev/pmm/cam-stats"
	assert_equal "$(stat -c '%g %a' /dev/pmm/cam-raw1)" "44 660"
	if pmm_pool_offers video cached; then
		assert_equal "$(pmm_attr cam-stats cache)" cached
	else
		assert_equal "$(pmm_attr cam-stats cache)" writecombine
	fi
	# A second "up" is refused by the kernel (the names exist), not ignored.
	run sh "$PMM_PROJECT/examples/declare-buffers.sh" up
	assert_failure
	assert_output --partial "File exists"
	run sh "$PMM_PROJECT/examples/declare-buffers.sh" down
	assert_success
	assert_equal "$(cat "$PMM_POOLS/video/used")" 0
	run ls "$PMM_BUFS"
	assert_output ""
}

@test "make run's demo: the board through S30pmm and udev, a client frame" {
	PMM_BOARD=$BOARD run bash "$PMM_PROJECT/examples/demo.sh"
	assert_success
	assert_line --regexp '^dec-in +enabled +2097152 video +writecombine'
	assert_line --regexp '^crw-rw---- 1 root video .* fb0$'
	assert_line "  /dev/pmm/by-memtype/video/dec-in -> ../../dec-in"
	assert_line "read frame 42: ok"
	assert_line "  pmm unloaded, /dev/pmm gone: yes"
	pmm_assert_nothing_left
}

@test "board: kernel log clean" {
	pmm_assert_dmesg_clean
}
