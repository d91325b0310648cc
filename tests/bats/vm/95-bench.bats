#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The benchmark's smoke run (tiny sizes and counts) proves tests/bench
# still works against the real module: every measurement is printed as a
# table row and as a JSON line, PMM mappings take no page faults, and it
# leaves nothing behind.  The CMA dma-heap figures appear where the kernel
# has the heap (the debug and bench kernels; Debian's has no CMA).  The
# full run is `make bench`: a benchmark, never a timed test.  Also the
# placement policies the benchmark compares (the "fit" parameter).

load ../helpers/common

setup_file() {
	pmm_suite_setup "pools=carve:32M@$PMM_CARVE_BASE,contig:32M"
}

teardown_file() {
	pmm_suite_teardown
}

setup() {
	BENCH=$PMM_BIN/pmm-bench
	JSON=$BATS_FILE_TMPDIR/bench.jsonl
}

# pmm_json_field NAME FIELD - a field of the measurement NAME in $JSON.
pmm_json_field() {
	python3 - "$JSON" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["name"] == sys.argv[2]:
        print(m[sys.argv[3]])
        break
else:
    sys.exit("no measurement " + sys.argv[2])
PY
}

@test "bench: the smoke run prints every measurement, as a table row and as JSON" {
	run "$BENCH" --quick --json "$JSON"
	assert_success
	local names=(memset.64K memset.1M enable.carve.64K enable.carve.1M
		enable.contig.64K enable.contig.1M disable.carve.1M
		disable.contig.64K map.anon-populate.1M
		map.pmm-carve.1M map.pmm-contig.1M map.pmm-carve.1M.faults
		frag.ideal.footprint frag.pmm-first-fit.footprint
		frag.pmm-first-fit.requested frag.pmm-best-fit.footprint
		enable.contig.cached.1M enable.contig.writecombine.1M
		disable.contig.uncached.1M copy.malloc.1M copy.pmm-contig.cycle.1M
		copy.pmm-carve.mapping.1M copy.pmm-contig.pte_kib_per_mib
		frag.repack.footprint frag.churn.pmm-first-fit.of_repack
		frag.churn.pmm-first-fit.repackable frag.churn.pmm-best-fit.vs_first
		frag.media.24M.repack.requested frag.media.24M.pmm-first-fit.of_repack
		frag.media.32M.pmm-best-fit.repackable frag.media.32M.pmm-best-fit.vs_first
		scale.enable.4 scale.enable.16 scale.open.4 scale.open.16
		scale.slab_per_buffer.16 scale.kmem_per_buffer.16
		sync.begin-read.refused sync.begin-read.1M sync.begin-read.64K sync.end-write.1M
		sync.end-write.64K heap.quiet.64K heap.quiet.release.1M
		heap.quiet.cycle.1M heap.filled.1M heap.filled.1M.over_enable
		heap.filled.cycle.64K.over_enable enable.contig.quiet.64K
		enable.contig.filled.cycle.1M)
	if [ -e /dev/dma_heap/reserved ]; then
		names+=(cma.quiet.64K pmm.quiet.1M cma.filled.1M pmm.filled.1M
			cma.filled.cycle.1M pmm.quiet.cycle.64K
			map.cma-heap.1M map.cma-heap.1M.faults frag.cma-heap.footprint)
	else
		assert_line --partial "not present, comparison skipped"
	fi
	local n
	for n in "${names[@]}"; do
		assert_line --regexp "^$n +[0-9]+ "
		assert_line --regexp "^\\{\"name\":\"$n\","
	done
	# The file holds the same JSON lines, each one valid JSON.
	assert_equal "$(wc -l < "$JSON")" "$(grep -c '^{' <<< "$output")"
	python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$JSON"
	# Latencies were measured: the table is not made of zeros.
	assert_line --regexp '^pmm-bench: .*, zero=free, CMA heap '
	assert [ "$(pmm_json_field enable.contig.1M n)" -eq 5 ]
	assert [ "$(pmm_json_field disable.carve.1M n)" -eq 5 ]
	assert [ "$(pmm_json_field scale.enable.16 n)" -eq 8 ]
	python3 -c 'import sys; sys.exit(not float(sys.argv[1]) > 0)' \
		"$(pmm_json_field enable.contig.1M p50)"
	# A PMM mapping is populated at mmap time: touching it never faults.
	assert_equal "$(pmm_json_field map.pmm-carve.1M.faults p50)" 0.0
	assert_equal "$(pmm_json_field map.pmm-contig.1M.faults p99)" 0.0
	# Anonymous memory touched page by page after MAP_POPULATE: no faults
	# either, but the fault counter works (the populate itself counts).
	python3 -c 'import sys; sys.exit(not float(sys.argv[1]) > 0)' \
		"$(pmm_json_field map.anon-populate.1M.faults p50)"
}

@test "bench: leaves no buffer, empty pools and the default fit policy" {
	run ls "$PMM_BUFS"
	assert_output ""
	pmm_assert_pools_empty
	assert_equal "$(cat /sys/module/pmm/parameters/fit)" first
}

@test "bench: the same seed replays the same churn and media traces" {
	run "$BENCH" --only frag --frag-steps 60 --seed 7 --seeds 1 --frag-pools 24M
	assert_success
	local first=$output
	run "$BENCH" --only frag --frag-steps 60 --seed 7 --seeds 1 --frag-pools 24M
	assert_success
	assert_equal "$(grep '^  pmm-' <<< "$output")" "$(grep '^  pmm-' <<< "$first")"
	assert_line --regexp '^  pmm-best-fit: [01] of 1 traces ended in a failed allocation; [0-9]+ steps, [0-9]+ allocations on average$'
	# The media trace family too, against the repacking reference; its
	# smaller pool is the contig pool's top, the ballast buffer gone after.
	assert_equal "$(grep '^  media\.' <<< "$output")" "$(grep '^  media\.' <<< "$first")"
	assert_line --regexp '^  media\.24M\.pmm-first-fit: at the failure [0-9.]+ MiB free on average, the largest hole [0-9.]+ MiB; repacking would have served [01] of 1$'
	run ls "$PMM_BUFS"
	assert_output ""
}

@test "fit: best fit takes the smallest free range that fits, first fit the lowest" {
	local base
	# Ranges a 0-2M, b 2-3M, c 3-4M, d 4-5M; freeing a and c leaves holes
	# of 2 MiB at 0 and 1 MiB at 3M.
	pmm_buf_new a size=2M memtype=contig enable=1
	pmm_buf_new b size=1M memtype=contig enable=1
	pmm_buf_new c size=1M memtype=contig enable=1
	pmm_buf_new d size=1M memtype=contig enable=1
	base=$(pmm_attr a phys_addr)
	assert_equal "$(pmm_attr d phys_addr)" "$(printf '0x%x' $((base + 4 * 1024 * 1024)))"
	echo 0 > "$PMM_BUFS/a/enable"
	echo 0 > "$PMM_BUFS/c/enable"

	echo best > /sys/module/pmm/parameters/fit
	pmm_buf_new x size=1M memtype=contig enable=1
	assert_equal "$(pmm_attr x phys_addr)" "$(printf '0x%x' $((base + 3 * 1024 * 1024)))"
	echo 0 > "$PMM_BUFS/x/enable"

	echo first > /sys/module/pmm/parameters/fit
	assert_equal "$(cat /sys/module/pmm/parameters/fit)" first
	echo 1 > "$PMM_BUFS/x/enable"
	assert_equal "$(pmm_attr x phys_addr)" "$base"

	pmm_buf_rm_all
	pmm_assert_pools_empty
}

@test "fit: best fit still honours alignment and the boundary" {
	local base p
	echo best > /sys/module/pmm/parameters/fit
	# A 1 MiB hole at 1M (exact fit) is skipped by a 1 MiB buffer aligned
	# to 2 MiB; a 3 MiB hole that straddles a 4 MiB boundary only takes a
	# 1 MiB buffer with boundary=4M on its side of the boundary.
	pmm_buf_new a size=1M memtype=contig enable=1
	pmm_buf_new h1 size=1M memtype=contig enable=1
	pmm_buf_new b size=1M memtype=contig enable=1
	pmm_buf_new h2 size=3M memtype=contig enable=1
	pmm_buf_new c size=1M memtype=contig enable=1
	base=$(pmm_attr a phys_addr)
	echo 0 > "$PMM_BUFS/h1/enable"
	echo 0 > "$PMM_BUFS/h2/enable"
	pmm_buf_new x size=1M align=2M memtype=contig enable=1
	p=$(pmm_attr x phys_addr)
	assert_equal "$((p % (2 * 1024 * 1024)))" 0
	assert [ "$p" != "$(printf '0x%x' $((base + 1024 * 1024)))" ]
	pmm_buf_new y size=2M boundary=4M memtype=contig enable=1
	p=$(pmm_attr y phys_addr)
	assert_equal "$((p / (4 * 1024 * 1024)))" "$(((p + 2 * 1024 * 1024 - 1) / (4 * 1024 * 1024)))"
	echo first > /sys/module/pmm/parameters/fit
	pmm_buf_rm_all
	pmm_assert_pools_empty
}

@test "fit: an unknown policy is refused with EINVAL and a log line, the policy unchanged" {
	run bash -c 'echo worst > /sys/module/pmm/parameters/fit'
	assert_failure
	assert_output --partial "Invalid argument"
	assert_equal "$(cat /sys/module/pmm/parameters/fit)" first
	run dmesg
	assert_output --partial "pmm: fit: 'worst' is not one of first, best"
}

@test "bench: kernel log clean" {
	pmm_assert_dmesg_clean
}
