#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Device-tree pools: a "pmm,pools" node's memory-region phandles become
# pools (no-map -> carveout, reusable shared-dma-pool -> contig from that
# CMA area), bad regions are refused one by one with a log line, the
# pools parameter works beside them, and each pool is kept coherent for
# its node (dma-coherent or not).  The guest's device tree is
# tests/vm/arm64-dt.dtso (tests/vm/run --arch arm64 --dtso ...).

load ../helpers/common

setup_file() {
	pmm_requires_dt_pools "device-tree pools need a device tree, which this machine (x86) does not boot with"
	pmm_unload_if_loaded
}

teardown_file() {
	# Nothing to undo where setup_file skipped (no PMM node).
	[ -d "$PMM_DT_NODE" ] || return 0
	pmm_buf_rm_all 2> /dev/null || true
	pmm_unload_if_loaded
}

setup() {
	pmm_unload_if_loaded
	pmm_mark
}

teardown() {
	pmm_buf_rm_all 2> /dev/null || true
}

pmm_pool() { # pmm_pool NAME ATTR
	cat "$PMM_POOLS/$1/$2"
}

@test "dt: memory-region phandles become pools, without the default pool" {
	pmm_load
	run ls "$PMM_POOLS"
	assert_output "$(printf 'coh\ncohvideo\ndtcma\ndtvideo')"
	assert_equal "$(pmm_pool dtvideo backend)" carveout
	assert_equal "$(pmm_pool dtvideo base)" 0x78000000
	assert_equal "$(pmm_pool dtvideo size)" $((16 << 20))
	assert_equal "$(pmm_pool dtcma backend)" contig
	assert_equal "$(pmm_pool dtcma base)" 0x80000000
	assert_equal "$(pmm_pool dtcma size)" $((32 << 20))
	assert_equal "$(pmm_pool coh base)" 0x7c000000
	assert_equal "$(pmm_pool cohvideo base)" 0x7d000000
	run grep 'pmm:dtvideo\|pmm:cohvideo' /proc/iomem
	assert_line --partial '78000000-78ffffff : pmm:dtvideo'
	assert_line --partial '7d000000-7d3fffff : pmm:cohvideo'
	run -0 dmesg
	assert_line --partial "pool 'dtvideo': carveout, 16777216 bytes at [mem 0x78000000-0x78ffffff] for pmm (non-coherent DMA)"
	assert_line --partial "pool 'dtcma': contig (CMA), 33554432 bytes at [mem 0x80000000-0x81ffffff] for pmm (non-coherent DMA)"
	assert_line --partial "pool 'coh': contig (CMA), 8388608 bytes at [mem 0x7c000000-0x7c7fffff] for pmm-coherent (coherent DMA)"
	pmm_assert_dmesg_clean
}

@test "dt: each bad region is refused with a line naming it; the rest come up" {
	pmm_load
	run -0 dmesg
	assert_line --partial "pool 'plain': memory-region /reserved-memory/dt-plain@7a000000 is neither no-map nor a reusable shared-dma-pool"
	assert_line --partial "pool 'overlap': [mem 0x78800000-0x788fffff] is already claimed"
	assert_line --partial "pool 'zero': memory-region 4 (/reserved-memory/dt-zero@7b000000) is not a reserved-memory region of non-zero size"
	assert_line --partial "pool 'missing': memory-region 5 (/pmm-not-reserved) is not a reserved-memory region of non-zero size"
	for p in plain overlap zero missing; do
		assert_not_exist "$PMM_POOLS/$p"
	done
	# The refused regions claimed nothing.
	run grep -c 'pmm:' /proc/iomem
	assert_output 2
	pmm_assert_dmesg_clean
}

@test "dt: the CMA areas go back to CMA on unload and come again on reload" {
	# Each load takes the whole of both areas: a part not given back
	# would make the next load refuse the pool.
	local i
	for i in 1 2 3; do
		pmm_load
		assert_equal "$(pmm_pool dtcma base)" 0x80000000
		assert_equal "$(pmm_pool coh base)" 0x7c000000
		pmm_unload
	done
	run -0 dmesg
	refute_output --partial "CMA area"
	pmm_assert_dmesg_clean
}

@test "dt: the pools parameter adds pools beside the device tree's" {
	pmm_load pools=extra:4M
	run ls "$PMM_POOLS"
	assert_output "$(printf 'coh\ncohvideo\ndtcma\ndtvideo\nextra')"
	assert_equal "$(pmm_pool extra backend)" contig
	run -0 dmesg
	# The parameter's pools are kept coherent for the first node.
	assert_line --partial "pool 'extra': contig, 4194304 bytes at"
	assert_line --regexp "pool 'extra': .* for pmm \(non-coherent DMA\)"
	pmm_assert_dmesg_clean
}

@test "dt: a parameter pool named like a device-tree pool fails the load, which leaves nothing behind" {
	run ! insmod "$PMM_KO" pools=dtvideo:4M
	assert_output --partial "Invalid parameters"
	run -0 dmesg
	assert_line --partial "pool 'dtvideo': defined twice"
	refute grep -q '^pmm ' /proc/modules
	run grep -c 'pmm:' /proc/iomem
	assert_output 0
	# Both CMA areas were given back: they can be taken whole again.
	pmm_load
	assert_equal "$(pmm_pool dtvideo base)" 0x78000000
	assert_equal "$(pmm_pool dtcma base)" 0x80000000
	pmm_assert_dmesg_clean
}

@test "dt: buffers of every cache mode a pool offers take data: all on a non-coherent CMA pool, non-cached on its carveout, cached on a coherent node" {
	local pool mode phys base
	pmm_load
	for pool in dtcma dtvideo coh cohvideo; do
		for mode in cached writecombine uncached; do
			# Refused (next tests): a cached carveout without coherent
			# DMA, non-cached memory with it.
			case $pool/$mode in
			dtvideo/cached|coh*/writecombine|coh*/uncached) continue ;;
			esac
			pmm_buf_new b memtype=$pool size=1M cache=$mode enable=1
			run -0 "$PMM_MMAP" check /dev/pmm/b 0
			run -0 "$PMM_MMAP" fill /dev/pmm/b 0xa5
			run -0 "$PMM_MMAP" check /dev/pmm/b 0xa5
			phys=$(pmm_phys b)
			base=$(pmm_phys_pool "$pool")
			(( phys >= base && phys + (1 << 20) <= base + $(pmm_pool "$pool" size) )) ||
				fail "$pool/$mode: buffer at $phys is outside the pool"
			pmm_buf_rm b
		done
	done
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}

@test "dt: cached memory of a carveout is refused on a non-coherent node, allowed on a coherent one" {
	pmm_load
	pmm_buf_new b memtype=dtvideo size=1M cache=cached
	pmm_reject --log cache EINVAL b enable 1
	run -0 dmesg
	assert_line --partial "buffer 'b': cache: cached needs DMA-coherent memory, and carveout pool 'dtvideo' is not (pmm); use writecombine or uncached"
	pmm_buf_new c memtype=cohvideo size=1M cache=cached enable=1
	run -0 "$PMM_MMAP" fill /dev/pmm/c 0x3c
	run -0 "$PMM_MMAP" check /dev/pmm/c 0x3c
	pmm_buf_rm b c
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}

@test "dt: non-cached memory is refused on a coherent node, whose memory the DMA API maps cached" {
	local pool mode
	pmm_load
	for pool in coh cohvideo; do
		for mode in writecombine uncached; do
			pmm_mark
			pmm_buf_new b memtype=$pool size=1M cache=$mode
			pmm_reject --log cache EINVAL b enable 1
			run -0 dmesg
			assert_line --partial "buffer 'b': cache: $mode memory of pool '$pool' would alias its cached mappings without cache maintenance, which its DMA-coherent device (pmm-coherent) does not get; use cached"
			pmm_buf_rm b
		done
	done
	pmm_assert_pools_empty
	pmm_assert_dmesg_clean
}

@test "dt: each pool shows its device's coherency, and zeroes on free by default only where it is coherent" {
	local pool zero
	pmm_load
	for pool in dtcma dtvideo; do
		assert_equal "$(pmm_pool $pool coherent)" 0
		assert_equal "$(pmm_pool $pool zero)" alloc
	done
	for pool in coh cohvideo; do
		assert_equal "$(pmm_pool $pool coherent)" 1
		assert_equal "$(pmm_pool $pool zero)" free
	done
	assert_equal "$(cat /sys/module/pmm/parameters/zero)" auto
	for zero in alloc free; do
		pmm_unload
		pmm_load zero=$zero
		for pool in dtcma dtvideo coh cohvideo; do
			assert_equal "$(pmm_pool $pool zero)" $zero
		done
	done
	pmm_assert_dmesg_clean
}

@test "dt: the driver cannot be unbound from under its pools" {
	pmm_load
	assert_not_exist /sys/bus/platform/drivers/pmm/unbind
	assert_exist /sys/bus/platform/drivers/pmm/pmm
	assert_exist /sys/bus/platform/drivers/pmm/pmm-coherent
}
