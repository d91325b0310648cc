#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Cache semantics where DMA is not coherent (arm64, tests/vm/arm64-dt.dtso):
# the DMA API's cache maintenance is traced with kprobe events on the
# architecture's sync functions, arch_sync_dma_for_device() (clean) and
# arch_sync_dma_for_cpu() (invalidate), recording physical address, length
# and direction.  TCG models no caches, so what is checked is which
# maintenance PMM asks for, over which range: PMM_IOC_SYNC over the
# requested range (in cache lines) of cached memory only, none for a
# coherent node; the linear alias of contig memory cleaned and invalidated
# when a range changes between cached and non-cached owners and as the pool
# goes, never between two non-cached ones; zeroes of cached memory
# cleaned to memory; uncached memory usable by memcpy (Normal
# Non-cacheable, not Device memory).

load ../helpers/common

# DMA directions as the kernel numbers them.
DMA_BIDIRECTIONAL=0
DMA_TO_DEVICE=1
DMA_FROM_DEVICE=2
PMM_TRACE=/sys/kernel/tracing

setup_file() {
	pmm_requires_dt_pools "x86 DMA is cache-coherent: there is no architecture cache maintenance to trace"
	mountpoint -q "$PMM_TRACE" || mount -t tracefs tracefs "$PMM_TRACE"
	echo 'p:pmm_test/clean arch_sync_dma_for_device paddr=%x0:x64 size=%x1:u64 dir=%x2:s32' >> "$PMM_TRACE/kprobe_events"
	echo 'p:pmm_test/inval arch_sync_dma_for_cpu paddr=%x0:x64 size=%x1:u64 dir=%x2:s32' >> "$PMM_TRACE/kprobe_events"
	# What memory type each mapping gets: the page protection of user
	# mappings (struct vm_area_struct's vm_page_prot is its fourth word in
	# 6.1: vm_start, vm_end, vm_mm) and of kernel ones.
	echo 'p:pmm_test/user vm_insert_pages prot=+24(%x0):x64' >> "$PMM_TRACE/kprobe_events"
	echo 'p:pmm_test/user_pfn remap_pfn_range prot=%x4:x64' >> "$PMM_TRACE/kprobe_events"
	echo 'p:pmm_test/kernel vmap prot=%x3:x64' >> "$PMM_TRACE/kprobe_events"
	echo 'p:pmm_test/kernel_io ioremap_prot prot=%x2:x64' >> "$PMM_TRACE/kprobe_events"
	echo 1 > "$PMM_TRACE/events/pmm_test/enable"
	pmm_unload_if_loaded
	pmm_load
}

teardown_file() {
	# Nothing to undo where setup_file skipped (no PMM node).
	[ -d "$PMM_DT_NODE" ] || return 0
	pmm_buf_rm_all 2> /dev/null || true
	pmm_unload_if_loaded
	if [ -d "$PMM_TRACE/events/pmm_test" ]; then
		echo 0 > "$PMM_TRACE/events/pmm_test/enable"
		local e
		for e in clean inval user user_pfn kernel kernel_io; do
			echo "-:pmm_test/$e" >> "$PMM_TRACE/kprobe_events"
		done
	fi
}

setup() {
	pmm_mark
}

teardown() {
	pmm_buf_rm_all 2> /dev/null || true
}

pmm_trace_clear() {
	echo > "$PMM_TRACE/trace"
}

# The trace so far, as a regular file: bash's read seeks back after each
# line, which the live trace file does not take reliably.
pmm_trace_file() {
	cat "$PMM_TRACE/trace" > "$BATS_TEST_TMPDIR/trace"
	echo "$BATS_TEST_TMPDIR/trace"
}

# pmm_trace_calls FIRST SIZE - the traced maintenance calls on physical
# range [FIRST, FIRST + SIZE), one "clean|inval OFFSET LENGTH DIR" line
# each, offsets relative to FIRST (other devices' calls are left out).
pmm_trace_calls() {
	local first=$1 end=$(( $1 + $2 )) line kind paddr size dir
	while IFS= read -r line; do
		[[ $line =~ (clean|inval):\ \(.*\)\ paddr=(0x[0-9a-f]+)\ size=([0-9]+)\ dir=(-?[0-9]+) ]] ||
			continue
		kind=${BASH_REMATCH[1]} paddr=$((BASH_REMATCH[2]))
		size=${BASH_REMATCH[3]} dir=${BASH_REMATCH[4]}
		(( paddr >= first && paddr < end )) || continue
		echo "$kind $(( paddr - first )) $size $dir"
	done < "$(pmm_trace_file)"
}

# arm64's memory types (MAIR indices, PTE bits 4:2) by name.
pmm_mt_name() {
	case $1 in
	0) echo normal ;;
	2) echo normal-nc ;;
	3) echo device-ngnrne ;;
	4) echo device-ngnre ;;
	*) echo "attrindx-$1" ;;
	esac
}

# pmm_trace_types - "user|kernel TYPE" for every memory type the traced
# mappings were made with since the last clear, once each.
pmm_trace_types() {
	local line
	local -A seen=()
	while IFS= read -r line; do
		[[ $line =~ (user|kernel)(_pfn|_io)?:\ \(.*\)\ prot=(0x[0-9a-f]+) ]] || continue
		seen["${BASH_REMATCH[1]} $(pmm_mt_name $(( (BASH_REMATCH[3] >> 2) & 7 )))"]=1
	done < "$(pmm_trace_file)"
	printf '%s\n' "${!seen[@]}" | sort
}

# pmm_calls NAME - the calls on buffer NAME's memory since the last clear.
pmm_calls() {
	pmm_trace_calls "$(pmm_phys "$1")" "$(pmm_attr "$1" size)"
}

@test "cache: PMM_IOC_SYNC of a cached buffer maintains exactly the requested range" {
	pmm_buf_new s memtype=dtcma size=32M cache=cached enable=1
	pmm_trace_clear
	run -0 "$PMM_IOCTL" sync /dev/pmm/s 65536 65536 $PMM_SYNC_READ
	run -0 pmm_calls s
	assert_output "inval 65536 65536 $DMA_FROM_DEVICE"

	pmm_trace_clear
	run -0 "$PMM_IOCTL" sync /dev/pmm/s 65536 65536 $((PMM_SYNC_WRITE | PMM_SYNC_END))
	run -0 pmm_calls s
	assert_output "clean 65536 65536 $DMA_TO_DEVICE"

	# A range within cache lines is widened to them: the DMA API's
	# line size on arm64 is ARCH_DMA_MINALIGN, 128 bytes.
	pmm_trace_clear
	run -0 "$PMM_IOCTL" sync /dev/pmm/s 100 10 $((PMM_SYNC_READ | PMM_SYNC_WRITE | PMM_SYNC_END))
	run -0 "$PMM_IOCTL" sync /dev/pmm/s 4000 200 $((PMM_SYNC_WRITE | PMM_SYNC_END))
	run -0 pmm_calls s
	assert_output "$(printf 'clean 0 128 0\nclean 3968 256 1')"

	# The last line of the buffer, and the whole of it.
	pmm_trace_clear
	run -0 "$PMM_IOCTL" sync /dev/pmm/s $(( (32 << 20) - 1 )) 1 $PMM_SYNC_READ
	run -0 "$PMM_IOCTL" sync /dev/pmm/s 0 $((32 << 20)) $PMM_SYNC_READ
	run -0 pmm_calls s
	assert_output "$(printf 'inval %d 128 2\ninval 0 %d 2' $(( (32 << 20) - 128 )) $((32 << 20)))"
	pmm_assert_dmesg_clean
}

@test "cache: no maintenance for write-combined and uncached buffers, nor on a coherent node" {
	local b
	pmm_buf_new wc memtype=dtcma size=1M cache=writecombine enable=1
	pmm_buf_new uc memtype=dtcma size=1M cache=uncached enable=1
	pmm_buf_new carve memtype=dtvideo size=1M cache=writecombine enable=1
	pmm_buf_new coh memtype=coh size=1M cache=cached enable=1
	pmm_buf_new cohcarve memtype=cohvideo size=1M cache=cached enable=1
	pmm_trace_clear
	for b in wc uc carve coh cohcarve; do
		run -0 "$PMM_IOCTL" sync /dev/pmm/$b 0 65536 $PMM_SYNC_READ
		run -0 "$PMM_IOCTL" sync /dev/pmm/$b 0 65536 $((PMM_SYNC_WRITE | PMM_SYNC_END))
	done
	run -0 pmm_trace_calls 0x78000000 $((0xa000000))
	assert_output ""
	pmm_assert_dmesg_clean
}

@test "cache: a contig range's cacheable alias is cleaned and invalidated only between cached and non-cached owners, and as the pool goes" {
	local mode phys size=$((1 << 20)) flush
	flush=$(printf 'clean 0 %d 0\ninval 0 %d 0' $size $size)
	for mode in writecombine uncached; do
		# From a cached owner's range (zeroed and cleaned as it starts).
		pmm_buf_new c memtype=dtcma size=1M cache=cached enable=1
		phys=$(pmm_phys c)
		pmm_buf_rm c
		pmm_trace_clear
		pmm_buf_new n memtype=dtcma size=1M cache=$mode enable=1
		assert_equal "$(pmm_phys n)" "$phys"
		run -0 pmm_trace_calls "$phys" $size
		assert_output "$flush"
		# Going back, and to a non-cached owner again: nothing.
		pmm_trace_clear
		pmm_buf_rm n
		pmm_buf_new n memtype=dtcma size=1M cache=writecombine enable=1
		pmm_buf_rm n
		run -0 pmm_trace_calls "$phys" $size
		assert_output ""
		# A cached owner: the flush, then its zeroes cleaned.
		pmm_trace_clear
		pmm_buf_new c memtype=dtcma size=1M cache=cached enable=1
		run -0 pmm_trace_calls "$phys" $size
		assert_output "$(printf '%s\nclean 0 %d %d' "$flush" $size $DMA_TO_DEVICE)"
		pmm_buf_rm c
	done
	# The pool going away flushes what is non-cached, for the page
	# allocator's next user.
	pmm_buf_new n memtype=dtcma size=1M cache=writecombine enable=1
	pmm_buf_rm n
	pmm_trace_clear
	pmm_unload
	run -0 pmm_trace_calls "$phys" $size
	pmm_load
	assert_output "$flush"
	pmm_assert_dmesg_clean
}

@test "cache: the zeroes a cached buffer starts with are cleaned to memory; a coherent node needs nothing" {
	local phys size=$((1 << 20))
	pmm_trace_clear
	pmm_buf_new z memtype=dtcma size=1M cache=cached enable=1
	run -0 pmm_calls z
	assert_output "clean 0 $size $DMA_TO_DEVICE"
	phys=$(pmm_phys z)
	pmm_trace_clear
	pmm_buf_rm z
	run -0 pmm_trace_calls "$phys" $size
	assert_output ""

	pmm_trace_clear
	pmm_buf_new c memtype=coh size=1M cache=cached enable=1
	pmm_buf_rm c
	run -0 pmm_trace_calls 0x7c000000 $((8 << 20))
	assert_output ""
	pmm_assert_dmesg_clean
}

@test "cache: uncached and write-combined memory is Normal Non-cacheable for the kernel and users, and takes unaligned memcpy" {
	local pool mode c
	for pool in dtcma dtvideo; do
		for mode in uncached writecombine cached; do
			# A cached carveout needs a coherent node (15-dt).
			[ "$pool/$mode" = dtvideo/cached ] && continue
			pmm_trace_clear
			pmm_buf_new m memtype=$pool size=1M cache=$mode enable=1
			run -0 "$PMM_MMAP" memcpy /dev/pmm/m
			# read() goes through the kernel's view of the buffer.
			IFS= read -r -N 1 c < /dev/pmm/m
			assert_equal "$c" Z
			run -0 pmm_trace_types
			case $pool/$mode in
			dtcma/cached) assert_output "user normal" ;;
			*) assert_output "$(printf 'kernel normal-nc\nuser normal-nc')" ;;
			esac
			pmm_buf_rm m
		done
	done
	pmm_assert_dmesg_clean
}

# pmm_trace_bytes KIND FIRST SIZE - bytes of KIND (clean|inval) calls on
# [FIRST, FIRST + SIZE) since the last clear.
pmm_trace_bytes() {
	local kind off len dir total=0
	while read -r kind off len dir; do
		[ "$kind" = "$1" ] && total=$(( total + len ))
	done < <(pmm_trace_calls "$2" "$3")
	echo "$total"
}

@test "cache: an importer's DMA mapping and SYNC are maintained for it too; a cached carveout is refused to a non-coherent importer" {
	pmm_requires vgem
	local phys size=$((1 << 20))
	pmm_buf_new v memtype=dtcma size=1M cache=cached enable=1
	phys=$(pmm_phys v)
	pmm_trace_clear
	# vgem (non-coherent here) attaches and DMA-maps the buffer.
	pmm_bg "$PMM_IOCTL" vgem-hold /dev/pmm/v
	assert_equal "$(pmm_trace_bytes clean "$phys" $size)" $size

	# SYNC: the pool's device over the range in lines, the importer
	# over the range itself.
	pmm_trace_clear
	run -0 "$PMM_IOCTL" sync /dev/pmm/v 65536 65536 $PMM_SYNC_READ
	run -0 "$PMM_IOCTL" sync /dev/pmm/v 100 10 $((PMM_SYNC_WRITE | PMM_SYNC_END))
	run -0 pmm_trace_calls "$phys" $size
	assert_output "$(printf 'inval 65536 65536 2\ninval 65536 65536 2\nclean 0 128 1\nclean 100 10 1')"

	pmm_trace_clear
	pmm_unhold
	assert_equal "$(pmm_trace_bytes inval "$phys" $size)" $size
	pmm_buf_rm v

	pmm_buf_new c memtype=cohvideo size=1M cache=cached enable=1
	pmm_mark
	run "$PMM_IOCTL" vgem /dev/pmm/c
	assert_failure
	run -0 dmesg
	assert_output --partial "pmm: buffer 'c': map: a cached carveout cannot be kept coherent for a device without coherent DMA"
	pmm_buf_rm c
	modprobe -r vgem
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}
