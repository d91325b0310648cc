# SPDX-License-Identifier: GPL-2.0
# Helpers shared by every PMM bats suite: assertion libraries, module
# load/unload, kernel log checks and the `requires` skip helper.

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

# configfs is global state: tests in one file must not run concurrently.
export BATS_NO_PARALLELIZE_WITHIN_FILE=true

PMM_PROJECT=${PMM_PROJECT:-$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)}
PMM_KO=${PMM_KO:-$PMM_PROJECT/kernel/pmm.ko}
PMM_CFS=/sys/kernel/config/pmm
PMM_BUFS=$PMM_CFS/buffers
PMM_POOLS=$PMM_CFS/pools
export PMM_PROJECT PMM_KO PMM_CFS PMM_BUFS PMM_POOLS

# Patterns of kernel reports that mean a bug, whatever a test asserted.
PMM_SPLAT='WARNING:|BUG:|Oops|general protection fault|Kernel panic|Call Trace:|possible (recursive|circular) locking|lockdep|KASAN|UBSAN|kmemleak|unreferenced object|INFO: task .* blocked'

# requires FEATURE... - skip the test unless every feature is present.
# Unknown features are a bug in the test, not a reason to skip.
requires() {
	local f
	for f in "$@"; do
		case "$f" in
		root) [ "$(id -u)" = 0 ] || skip "test requires root" ;;
		vm) [ "${PMM_IN_VM:-}" = 1 ] || skip "test requires the PMM test guest (tests/vm/run)" ;;
		kvm) [ -w /dev/kvm ] || skip "test requires /dev/kvm" ;;
		pat) [ -r /sys/kernel/debug/x86/pat_memtype_list ] || skip "test requires x86 PAT debugfs" ;;
		*) echo "BUG: invalid requires $f" >&2; return 1 ;;
		esac
	done
}

pmm_requires_vm() {
	requires root vm
}

# pmm_mark - write a unique marker into the kernel log; pmm_log_since_mark
# prints what the kernel logged after it.
pmm_mark() {
	PMM_MARK="pmm-test-mark-$$-$RANDOM-$BATS_TEST_NUMBER"
	echo "$PMM_MARK" > /dev/kmsg
}

pmm_log_since_mark() {
	dmesg | sed -n "/$PMM_MARK/,\$p" | sed 1d
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
	run -0 dmesg
	refute_output --regexp "$PMM_SPLAT"
}
