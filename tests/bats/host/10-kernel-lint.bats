#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Kernel code quality gates: checkpatch --strict, sparse (C=2) with W=1,
# and kernel-doc, all of which must be silent.

load ../helpers/common

KSCRIPTS=$PMM_PROJECT/build/linux-source/scripts

setup_file() {
	[ -x "$PMM_PROJECT/build/linux-source/scripts/checkpatch.pl" ] ||
		make -C "$PMM_PROJECT" build/linux-source/scripts/checkpatch.pl >&2
}

pmm_kernel_sources() {
	find "$PMM_PROJECT/kernel" "$PMM_PROJECT/tests/kmod" "$PMM_PROJECT/tests/vm/splat" -name '*.[ch]' ! -name '*.mod.c' | sort
}

@test "checkpatch --strict --no-tree is clean" {
	run -0 "$KSCRIPTS/checkpatch.pl" --strict --no-tree --terse --show-types \
		--no-summary -f $(pmm_kernel_sources)
	assert_output ""
}

@test "sparse (C=2) and W=1 report nothing" {
	# Build a copy: the kernel suites may be loading kernel/pmm.ko right now.
	local copy=$BATS_TEST_TMPDIR/kernel
	mkdir "$copy"
	cp -r "$PMM_PROJECT"/kernel/{Kbuild,Makefile,include,*.c,*.h} "$copy"
	run -0 make -s -C "$copy" KVER="$("$PMM_PROJECT/tests/vm/kver")" check
	refute_output --regexp 'warning:|error:'
	# It did check every file.
	assert_file_exists "$copy/pmm_dmabuf.o"
}

@test "arm64 and 32-bit ARM (LPAE: 32-bit size_t, 64-bit phys_addr_t) build warning-free" {
	run -0 "$PMM_PROJECT/tests/vm/cross-check" arm64
	assert_output --partial "cross-check: arm64: pmm.ko, no warnings"
	run -0 "$PMM_PROJECT/tests/vm/cross-check" armmp-lpae
	assert_output --partial "cross-check: armmp-lpae: pmm.o, no warnings"
	run file "$PMM_PROJECT/build/cross-armmp-lpae/pmm.o"
	assert_output --partial "32-bit LSB relocatable, ARM"
}

@test "kernel-doc is complete and well-formed" {
	run -0 "$KSCRIPTS/kernel-doc" -v -none -Werror $(pmm_kernel_sources)
	refute_output --regexp '[Ww]arning|[Ee]rror'
	# It did look at our documented functions (-v lists each).
	assert_output --partial 'Scanning doc for function'

}

@test "kernel files call one way (no circle) and none is over 550 lines" {
	run -0 "$PMM_PROJECT/scripts/kernel-deps" --check
	# It saw every file and the calls between them.
	assert_line --regexp '^pmm_main\.c +[0-9]+  -> .*pmm_configfs\.c'
	assert_line --regexp '^pmm_mem\.c +[0-9]+  -> .*pmm_pool\.c'
}

@test "kernel-deps finds a circle" {
	local copy=$BATS_TEST_TMPDIR/kernel
	mkdir "$copy"
	cp "$PMM_PROJECT"/kernel/pmm_*.c "$copy"
	echo 'static void pmm_back(void) { pmm_mem_find("x"); }' >> "$copy/pmm_map.c"
	run "$PMM_PROJECT/scripts/kernel-deps" --check "$copy"
	assert_failure
	assert_output --partial 'circle: pmm_map.c -> pmm_mem.c -> pmm_map.c'
}
