# SPDX-License-Identifier: GPL-2.0
# Helpers shared by every PMM bats suite: assertion libraries, module
# load/unload, kernel log checks and the `requires` skip helper.

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_require_minimum_version 1.5.0

# pmm_bats_lib NAME - load a bats library as bats_load_library would.
# bats sources this file again for every test, and each library's
# load.bash forks dirname(1) for every file it sources: under emulation
# (TCG) that was over a second a test.  The libraries' src/ files are
# plain function definitions, which is all load.bash sources.
pmm_bats_lib() {
	local dir f
	local IFS=:
	for dir in $BATS_LIB_PATH; do
		[ -d "$dir/$1/src" ] || continue
		for f in "$dir/$1"/src/*.bash; do
			# shellcheck source=/dev/null
			source "$f"
		done
		return 0
	done
	echo "pmm: bats library $1 not found in $BATS_LIB_PATH" >&2
	return 1
}
pmm_bats_lib bats-support
pmm_bats_lib bats-assert
pmm_bats_lib bats-file

# configfs is global state: tests in one file must not run concurrently.
export BATS_NO_PARALLELIZE_WITHIN_FILE=true

PMM_PROJECT=${PMM_PROJECT:-$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)}
PMM_KO=${PMM_KO:-$PMM_PROJECT/kernel/pmm.ko}
# The test module driving the in-kernel API, built for the booted kernel.
PMM_TEST_KMOD=${PMM_TEST_KMOD:-$PMM_PROJECT/tests/kmod/pmm_test_api.ko}
# PMM's programs, built for the machine the suite runs on (the arm64 guest
# gets cross-built ones, build/arm64/bin).
PMM_BIN=${PMM_BIN:-$PMM_PROJECT/build/bin}
PMM_CFS=/sys/kernel/config/pmm
# The machine's architecture, as uname -m says it.
PMM_ARCH=${PMM_ARCH:-$(uname -m)}
PMM_BUFS=$PMM_CFS/buffers
PMM_POOLS=$PMM_CFS/pools
export PMM_PROJECT PMM_KO PMM_TEST_KMOD PMM_CFS PMM_BUFS PMM_POOLS PMM_ARCH

# Patterns of kernel reports that mean a bug, whatever a test asserted: the
# list tests/vm/run checks the whole guest's log against, as one regex.
# (Builtins only: this runs for every test.)
pmm_join() { # pmm_join SEPARATOR WORD... - set PMM_JOINED
	local IFS=$1
	shift
	PMM_JOINED="$*"
}
mapfile -t PMM_SPLAT_LINES < "$PMM_PROJECT/tests/vm/splat-patterns"
pmm_join '|' "${PMM_SPLAT_LINES[@]}"
PMM_SPLAT=$PMM_JOINED

# pmm_requires FEATURE... - skip the test unless every feature is present.
# Unknown features are a bug in the test, not a reason to skip.  The
# kernel features (pat, vgem, vivid, dm, kprobes) are all in Debian's kernel: there
# their absence fails the test instead (a skip would hide a broken guest).
pmm_requires() {
	local f
	for f in "$@"; do
		case "$f" in
		root) [ "$(id -u)" = 0 ] || skip "test requires root" ;;
		vm) [ "${PMM_IN_VM:-}" = 1 ] || skip "test requires the PMM test guest (tests/vm/run)" ;;
		kvm) [ -w /dev/kvm ] || skip "test requires /dev/kvm" ;;
		pat) [ -r /sys/kernel/debug/x86/pat_memtype_list ] ||
			pmm_absent "x86 PAT debugfs (/sys/kernel/debug/x86/pat_memtype_list)" ;;
		vgem) modprobe vgem 2> /dev/null || pmm_absent "the vgem module" ;;
		kprobes)
			mountpoint -q /sys/kernel/tracing ||
				mount -t tracefs tracefs /sys/kernel/tracing
			[ -e /sys/kernel/tracing/kprobe_events ] ||
				pmm_absent "kprobe events (CONFIG_KPROBE_EVENTS)"
			;;
		vivid) modprobe -n vivid 2> /dev/null || pmm_absent "the vivid module" ;;
		fault)
			# Debian's kernel is built without CONFIG_FAULT_INJECTION.
			[ -d "$PMM_FAIL_RESTORE" ] && [ -d /sys/kernel/debug/failslab ] &&
				[ -d /sys/kernel/debug/fail_page_alloc ] ||
				skip "test requires fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC), which this kernel (${PMM_KERNEL_FLAVOUR:-unknown}) does not have"
			;;
		dm)
			modprobe dm-mod 2> /dev/null || true
			[ -e /dev/mapper/control ] || pmm_absent "the device mapper (/dev/mapper/control)"
			;;
		*) echo "BUG: invalid requires $f" >&2; return 1 ;;
		esac
	done
}

# pmm_absent WHAT - a kernel feature a test needs is missing: a skip, but
# a failure on Debian's kernel, which has it.
pmm_absent() {
	[ "${PMM_KERNEL_FLAVOUR:-}" != debian ] ||
		fail "test requires $1, which Debian's kernel has, but this guest does not"
	skip "test requires $1, which this kernel (${PMM_KERNEL_FLAVOUR:-unknown}) does not have"
}

pmm_requires_vm() {
	pmm_requires root vm
}

# The kernel log: pmm_mark moves what the kernel logged so far into a file
# (dmesg -c) so that pmm_log_since_mark is one cheap dmesg; everything
# stays available to pmm_assert_dmesg_clean.  Fork-light on purpose: the
# guest runs under TCG, where every process costs tens of milliseconds.
PMM_KLOG=${BATS_FILE_TMPDIR:-/tmp}/kernel.log

pmm_mark() {
	dmesg -c >> "$PMM_KLOG"
}

pmm_log_since_mark() {
	dmesg
}

# pmm_load [PARAM=VALUE...] - insmod pmm.ko, marking the kernel log first.
pmm_load() {
	echo "pmm-test: load $*" > /dev/kmsg
	insmod "$PMM_KO" "$@"
}

pmm_unload() {
	rmmod pmm
}

pmm_unload_if_loaded() {
	if grep -q '^pmm ' /proc/modules; then
		rmmod pmm
	fi
}

# pmm_assert_dmesg_clean - fail if the kernel log shows any splat.
pmm_assert_dmesg_clean() {
	run -0 bash -c 'cat "$1" 2>/dev/null; dmesg' _ "$PMM_KLOG"
	refute_output --regexp "$PMM_SPLAT"
}

# --- Buffers and pools (kernel suites) ---

PMM_MMAP=$PMM_BIN/pmm-mmap
PMM_IOCTL=$PMM_BIN/pmm-ioctl
PMM_LOCK=$PMM_BIN/pmm-lock
# The pools the kernel suites load with.  tests/run-all boots the guest with
# 6 GiB and memmap= for both carveouts: video low, hi above 4 GiB.
# The guest keeps two carveouts out of RAM for them (x86: memmap=, arm64:
# no-map reserved-memory nodes, tests/vm/arm64.dtso); tests/vm/run says
# where.
PMM_CARVE_BASE=${PMM_CARVE_BASE:-0x30000000}
PMM_HI_BASE=${PMM_HI_BASE:-0x1c0000000}
# RAM the kernel owns, which no carveout may claim.
PMM_RAM_ADDR=${PMM_RAM_ADDR:-0x20000000}
PMM_TEST_POOLS=video:64M@$PMM_CARVE_BASE,fb:16M,hi:32M@$PMM_HI_BASE
# PMM's fault injection point: the linear map's write-back restore fails.
PMM_FAIL_RESTORE=/sys/kernel/debug/fail_pmm_restore
export PMM_MMAP PMM_IOCTL PMM_LOCK PMM_TEST_POOLS

# PMM_IOC_SYNC flags (include/uapi/linux/pmm.h).
PMM_SYNC_READ=1
PMM_SYNC_WRITE=2
PMM_SYNC_END=4

# The ARM test guest's PMM node (tests/vm/arm64-dt.dtso).
PMM_DT_NODE=/proc/device-tree/pmm

# pmm_requires_dt_pools REASON - setup_file of a suite that needs the PMM
# nodes of tests/vm/arm64-dt.dtso: skip with REASON on a machine without
# a device tree (x86), fail on a guest booted without those nodes.
pmm_requires_dt_pools() {
	pmm_requires_vm
	[ -d /proc/device-tree ] || skip "$1"
	[ -d "$PMM_DT_NODE" ] ||
		fail "the guest's device tree has no PMM node: boot it with --dtso tests/vm/arm64-dt.dtso"
}

# pmm_cache_modes POOL - the cache modes a pool's buffers can have, one
# line each: all three on x86 (PAT keeps every alias of memory one type);
# elsewhere cached only on a coherent pool, and not cached on a
# non-coherent carveout (kernel/pmm_enable.c says why).
pmm_cache_modes() {
	local coherent backend
	coherent=$(< "$PMM_POOLS/$1/coherent")
	backend=$(< "$PMM_POOLS/$1/backend")
	if [ "$PMM_ARCH" = x86_64 ] || { [ "$coherent" = 0 ] && [ "$backend" = contig ]; }; then
		printf '%s\n' cached writecombine uncached
	elif [ "$coherent" = 1 ]; then
		echo cached
	else
		printf '%s\n' writecombine uncached
	fi
}

# pmm_pool_offers POOL CACHE - whether POOL's buffers can have CACHE.
pmm_pool_offers() {
	local mode
	for mode in $(pmm_cache_modes "$1"); do
		[ "$mode" = "$2" ] && return 0
	done
	return 1
}

# pmm_load_test_pools [PARAM=VALUE...] - load with the standard test pools.
pmm_load_test_pools() {
	pmm_load "pools=$PMM_TEST_POOLS" "$@"
}

# pmm_ram_type PFN - the memory type x86 PAT records for a RAM page, as
# set_memory_wc/uc() set it together with the page's linear map: PAT keeps
# it in the page's flags (PG_arch_1 for WC, PG_uncached for UC-), which
# /proc/kpageflags shows as KPF_ARCH (bit 38) and KPF_UNCACHED (bit 39).
pmm_ram_type() {
	local flags
	flags=$(dd if=/proc/kpageflags bs=8 skip="$1" count=1 status=none | od -An -tu8)
	case $(( (flags >> 38) & 3 )) in
	0) echo write-back ;;
	1) echo write-combining ;;
	2) echo uncached-minus ;;
	3) echo write-through ;;
	esac
}

# pmm_buf_new NAME [ATTR=VALUE...] - mkdir a buffer and set attributes in
# order (write enable=1 last to enable it).
pmm_buf_new() {
	local name=$1 kv
	shift
	mkdir "$PMM_BUFS/$name"
	for kv in "$@"; do
		echo "${kv#*=}" > "$PMM_BUFS/$name/${kv%%=*}"
	done
}

# pmm_buf_rm NAME... - disable and remove buffers, whatever their state.
pmm_buf_rm() {
	local name
	for name in "$@"; do
		[ -d "$PMM_BUFS/$name" ] || continue
		echo 0 > "$PMM_BUFS/$name/enable"
		rmdir "$PMM_BUFS/$name"
	done
}

# pmm_buf_rm_all - remove every buffer (suite teardown).
pmm_buf_rm_all() {
	local d
	for d in "$PMM_BUFS"/*; do
		[ -d "$d" ] && pmm_buf_rm "${d##*/}"
	done
	return 0
}

# pmm_attr NAME ATTR - print a buffer attribute.
pmm_attr() {
	local v
	IFS= read -r v < "$PMM_BUFS/$1/$2"
	echo "$v"
}

# pmm_snapshot NAME - set PMM_SNAP to every attribute of a buffer, the
# pmm_pool usage and the nodes, to show that a refused write changed nothing.
pmm_snapshot() {
	local f v
	PMM_SNAP=
	for f in "$PMM_BUFS/$1"/* "$PMM_POOLS"/*/used "$PMM_POOLS"/*/buffers; do
		IFS= read -r v < "$f"
		PMM_SNAP+="$f=$v"$'\n'
	done
	PMM_SNAP+=$(echo /dev/pmm/*)
}

# pmm_write PATH VALUE - echo VALUE (with newline) into PATH, as a shell
# user would; run it under `run` to see the error text.
pmm_write() {
	echo "$2" > "$1"
}

# errno name -> the text bash prints for a failed write, in PMM_ERRTEXT.
pmm_errtext() {
	case "$1" in
	EINVAL) PMM_ERRTEXT="Invalid argument" ;;
	EBUSY) PMM_ERRTEXT="Device or resource busy" ;;
	ENOSPC) PMM_ERRTEXT="No space left on device" ;;
	EACCES) PMM_ERRTEXT="Permission denied" ;;
	ENOMEM) PMM_ERRTEXT="Cannot allocate memory" ;;
	EPERM) PMM_ERRTEXT="Operation not permitted" ;;
	ENODEV) PMM_ERRTEXT="No such device" ;;
	*) echo "BUG: unknown errno $1" >&2; return 1 ;;
	esac
}

# pmm_reject [--log ATTR] ERRNO NAME ATTR VALUE - writing VALUE to the
# buffer's ATTR must fail with ERRNO, change nothing, and log exactly one
# line naming the buffer and ATTR (or the --log attribute, for enable-time
# checks that blame another attribute).  Written without `run` and with
# builtins only, apart from two dmesg calls: it runs hundreds of times.
pmm_reject() {
	# Run the body without bats' DEBUG trap, which otherwise fires for
	# every command and dominates the cost under TCG.
	local -
	set +T
	_pmm_reject "$@"
}

_pmm_reject() {
	local log_attr=
	if [ "$1" = --log ]; then
		log_attr=$2
		shift 2
	fi
	local errno=$1 name=$2 attr=$3 value=$4 before msg= log= rc=0
	local tmp=$BATS_TEST_TMPDIR/pmm_reject
	: "${log_attr:=$attr}"
	pmm_errtext "$errno"
	pmm_snapshot "$name"
	before=$PMM_SNAP
	pmm_mark
	{ echo "$value" > "$PMM_BUFS/$name/$attr"; } 2> "$tmp" || rc=$?
	IFS= read -r msg < "$tmp" || true
	dmesg > "$tmp"
	IFS= read -r -d '' log < "$tmp" || true
	[ "$rc" -ne 0 ] || fail "$attr: writing '$value' succeeded"
	[[ $msg == *"$PMM_ERRTEXT"* ]] ||
		fail "$attr: writing '$value': expected '$PMM_ERRTEXT', got '$msg'"
	pmm_snapshot "$name"
	[ "$PMM_SNAP" = "$before" ] ||
		fail "$attr: writing '$value' changed state:"$'\n'"$before"$'\n'"--"$'\n'"$PMM_SNAP"
	[[ $log == *"pmm: buffer '$name': $log_attr: "* ]] ||
		fail "$attr: writing '$value' logged no line naming '$name' and $log_attr:"$'\n'"$log"
	pmm_count "pmm: buffer '$name'" "$log"
	[ "$PMM_COUNT" = 1 ] ||
		fail "$attr: writing '$value' logged $PMM_COUNT lines about '$name':"$'\n'"$log"
}

# pmm_count NEEDLE TEXT - set PMM_COUNT to how often NEEDLE occurs in TEXT.
pmm_count() {
	local rest=${2//"$1"/}
	PMM_COUNT=$(( (${#2} - ${#rest}) / ${#1} ))
}

# pmm_assert_pools_empty - every pool is back to 0 bytes used.
pmm_assert_pools_empty() {
	local p
	for p in "$PMM_POOLS"/*; do
		assert_equal "${p##*/} used $(cat "$p/used")" "${p##*/} used 0"
		assert_equal "${p##*/} buffers $(cat "$p/buffers")" "${p##*/} buffers 0"
	done
}

# pmm_map_check POOL - pools/POOL/map covers the pool exactly, in address
# order, with no two holes side by side; its buffer lines are the pool's
# enabled buffers at their phys_addr and size, each once; its holes add up
# to free (the largest is largest_free), its other ranges to used.
pmm_map_check() {
	local pool=$1 dir=$PMM_POOLS/$1 addr size kind owner prev= d name
	local pos end free=0 used=0 largest=0
	local -A seen=()
	pos=$(( $(cat "$dir/base") ))
	end=$(( pos + $(cat "$dir/size") ))
	while read -r addr size kind owner; do
		[ -n "$addr" ] || continue
		assert_equal "$pool: a range at $addr" "$pool: a range at $(printf '%#x' $pos)"
		case $kind in
		free)
			[ "$prev" != free ] || fail "$pool: two holes side by side at $addr"
			free=$((free + size))
			(( size <= largest )) || largest=$size ;;
		buffer)
			assert_equal "$owner at $((addr)), $size bytes" \
				"$owner at $(pmm_phys "$owner"), $(pmm_attr "$owner" size) bytes"
			[ -z "${seen[$owner]:-}" ] || fail "$pool: buffer $owner twice"
			seen[$owner]=1
			used=$((used + size)) ;;
		heap|held)
			[ -n "$owner" ] || fail "$pool: $kind range at $addr has no owner"
			used=$((used + size)) ;;
		*)
			fail "$pool: '$kind' range at $addr" ;;
		esac
		prev=$kind
		pos=$((addr + size))
	done < "$dir/map"
	assert_equal "$pool: the map ends at $(printf '%#x' $pos)" \
		"$pool: the map ends at $(printf '%#x' $end)"
	assert_equal "$pool: free $free, largest $largest, used $used" \
		"$pool: free $(cat "$dir/free"), largest $(cat "$dir/largest_free"), used $(cat "$dir/used")"
	for d in "$PMM_BUFS"/*; do
		[ -d "$d" ] || continue
		name=${d##*/}
		[ "$(pmm_attr "$name" memtype)" = "$pool" ] &&
			[ "$(pmm_attr "$name" state)" = enabled ] || continue
		[ -n "${seen[$name]:-}" ] || fail "$pool: enabled buffer $name is not on the map"
	done
}

# pmm_bg CMD... - run CMD in the background with its stdin on a pipe this
# shell holds; CMD prints "ready" when it has done its setup and then waits
# for end-of-file.  Returns once CMD is ready; pmm_unhold ends it.
pmm_bg() {
	local fifo=$BATS_TEST_TMPDIR/hold.fifo out=$BATS_TEST_TMPDIR/hold.out i line=
	rm -f "$fifo" "$out"
	mkfifo "$fifo"
	"$@" < "$fifo" > "$out" 2>&1 &
	PMM_HOLD_PID=$!
	exec 8> "$fifo"
	for i in $(seq 100); do
		IFS= read -r line < "$out" || true
		[ -n "$line" ] && break
		sleep 0.1
	done
	[ "$line" = ready ] || fail "${*}: $line"
}

# pmm_hold [pmm-mmap OPTIONS] NODE - map NODE in a background process that
# keeps the mapping until pmm_unhold; returns once it is mapped.
pmm_hold() {
	pmm_bg "$PMM_MMAP" "${@:1:$#-1}" hold "${@: -1}"
}

# pmm_unhold - end the pmm_bg process.
pmm_unhold() {
	if [ -n "${PMM_HOLD_PID:-}" ]; then
		exec 8>&-
		wait "$PMM_HOLD_PID" || true
		PMM_HOLD_PID=
	fi
}

# pmm_phys NAME - a buffer's physical address, in decimal.
pmm_phys() {
	local v
	IFS= read -r v < "$PMM_BUFS/$1/phys_addr"
	echo $((v))
}

# pmm_phys_pool POOL - a pool's physical base, in decimal.
pmm_phys_pool() {
	local v
	IFS= read -r v < "$PMM_POOLS/$1/base"
	echo $((v))
}

# pmm_as_nobody CMD... - run a command as an unprivileged user.
pmm_as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# pmm_suite_setup [PARAM=VALUE...] - setup_file of a kernel suite that
# works on buffers: a fresh module with the test pools (or PARAMs).
pmm_suite_setup() {
	pmm_requires_vm
	pmm_unload_if_loaded
	if [ $# -eq 0 ]; then
		pmm_load_test_pools
	else
		pmm_load "$@"
	fi
}

# pmm_suite_teardown - teardown_file: nothing held, no buffer, no module.
pmm_suite_teardown() {
	pmm_unhold
	pmm_buf_rm_all
	pmm_unload_if_loaded
}

# pmm_refused ERRNO CMD... - a pmm-mmap/pmm-ioctl call is refused: exit 1
# with the errno name as its only output.
pmm_refused() {
	local errno=$1
	shift
	run --separate-stderr "$@"
	assert_failure 1
	assert_output "$errno"
}

# pmm_test_teardown - teardown of a kernel suite's test: nothing held in
# the background, no buffer left.
pmm_test_teardown() {
	pmm_unhold
	pmm_buf_rm_all
}
