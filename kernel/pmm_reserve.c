// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - where a pool's memory comes from: a carveout the kernel was told
 * not to use, claimed as a resource; physically contiguous RAM taken from
 * the page allocator at load; or the whole of a device-tree CMA area,
 * allocated through the pool's device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/of_reserved_mem.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>

#include "pmm.h"

/*
 * Pools can be large and every page is isolated, migrated and (with
 * init_on_alloc) cleared: work in chunks with a reschedule point between
 * them, so loading a big pool cannot trigger soft-lockup reports.  Adjacent
 * alloc_contig_range() calls are fine: CMA makes them all the time.
 */
#define PMM_CONTIG_CHUNK	(SZ_4M >> PAGE_SHIFT)

static void pmm_free_contig(unsigned long pfn, unsigned long nr)
{
	unsigned long n;

	while (nr) {
		n = min(nr, PMM_CONTIG_CHUNK);
		free_contig_range(pfn, n);
		pfn += n;
		nr -= n;
		cond_resched();
	}
}

static int pmm_alloc_contig(unsigned long pfn, unsigned long nr)
{
	unsigned long done, n;
	int ret;

	for (done = 0; done < nr; done += n) {
		n = min(nr - done, PMM_CONTIG_CHUNK);
		ret = alloc_contig_range(pfn + done, pfn + done + n,
					 MIGRATE_MOVABLE,
					 GFP_KERNEL | __GFP_NOWARN);
		if (ret) {
			pmm_free_contig(pfn, done);
			return ret;
		}
		cond_resched();
	}
	return 0;
}

/*
 * Whether [@pfn, @pfn + @nr) looks free: every page online, unreferenced
 * and not part of a compound page.  A racy hint, as in compaction's free
 * scanner: alloc_contig_range() decides.  Returns 0 if the range looks
 * free, else how far the range must move down to end below its lowest
 * busy page.
 */
static unsigned long pmm_range_busy(unsigned long pfn, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_online_page(pfn + i);

		if (!page || PageTail(page) || page_count(page))
			return nr - i;
	}
	return 0;
}

/*
 * Take @nr pages from @zone, highest address first, into *@pfn.  With
 * @migrate false only ranges that look free are tried.
 */
static int pmm_zone_take(struct zone *zone, unsigned long nr, bool migrate,
			 unsigned long *pfn)
{
	unsigned long step = pageblock_nr_pages;
	unsigned long first = ALIGN(zone->zone_start_pfn, step);
	unsigned long p, down;

	if (!populated_zone(zone) || zone_end_pfn(zone) < first + nr)
		return -ENOMEM;
	for (p = ALIGN_DOWN(zone_end_pfn(zone) - nr, step); ; p -= down) {
		down = migrate ? 0 : pmm_range_busy(p, nr);
		if (!down && pfn_to_online_page(p) &&
		    pfn_to_online_page(p + nr - 1) && !pmm_alloc_contig(p, nr)) {
			*pfn = p;
			return 0;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		/* Below the lowest busy page, or a block down. */
		down = ALIGN(max(down, 1UL), step);
		if (p < first + down)
			return -ENOMEM;
	}
}

/**
 * pmm_reserve_contig() - Take a contig pool's memory from the page allocator.
 * @pool: the pool, with its size set; its base is set on success
 *
 * Takes @pool->size bytes of physically contiguous RAM from the page
 * allocator, highest zone and highest address first: that keeps the low
 * zones, which some devices need, and puts a pool above 4 GiB when the
 * machine has memory there.  The first pass only tries ranges that look
 * free, so loading does not migrate page cache (slow, and it may fail
 * halfway through a range) while free memory is to be had; the second
 * takes whatever can be migrated.
 *
 * Context: Module init, process context.
 * Return: 0, -ENOMEM if no such range can be had, -EINTR if killed.
 */
int pmm_reserve_contig(struct pmm_pool *pool)
{
	unsigned long nr = pool->size >> PAGE_SHIFT, pfn;
	int nid, z, ret, pass;

	for (pass = 0; pass < 2; pass++) {
		for_each_online_node(nid) {
			for (z = MAX_NR_ZONES - 1; z >= 0; z--) {
				ret = pmm_zone_take(&NODE_DATA(nid)->node_zones[z],
						    nr, pass, &pfn);
				if (ret == -ENOMEM)
					continue;
				if (!ret)
					pool->base = PFN_PHYS(pfn);
				return ret;
			}
		}
	}
	return -ENOMEM;
}

/**
 * pmm_reserve_carveout() - Claim a carveout pool's range.
 * @pool: the pool, with its base and size set
 *
 * The range must not be RAM the kernel manages (it was kept out with
 * memmap= or a reserved-memory node), and nobody else may have claimed it.
 *
 * Context: Module init, process context.
 * Return: 0, -EINVAL if the range is RAM, -EBUSY if it is claimed.
 */
int pmm_reserve_carveout(struct pmm_pool *pool)
{
	if (region_intersects(pool->base, pool->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("pool '%s': [mem %#llx-%#llx] is RAM the kernel owns; reserve it first (memmap=, reserved-memory)\n",
		       pool->name, (u64)pool->base,
		       (u64)pool->base + pool->size - 1);
		return -EINVAL;
	}
	pool->res = request_mem_region(pool->base, pool->size, pool->res_name);
	if (!pool->res) {
		pr_err("pool '%s': [mem %#llx-%#llx] is already claimed\n",
		       pool->name, (u64)pool->base,
		       (u64)pool->base + pool->size - 1);
		return -EBUSY;
	}
	return 0;
}

/*
 * A device has one CMA area (dev->cma_area), which
 * of_reserved_mem_device_init_by_idx() sets and
 * of_reserved_mem_device_release() clears: the area is assigned to the
 * pool's device only around each allocation and free, so that one device
 * can serve several areas.
 */
static void pmm_cma_free(struct pmm_pool *pool)
{
	/*
	 * Without the area assigned dma_free_pages() would hand the range
	 * to the page allocator as one huge page: the pool memory is then
	 * leaked rather than freed wrongly.
	 */
	if (of_reserved_mem_device_init_by_idx(pool->dev, pool->cma_np,
					       pool->cma_region)) {
		pr_err("pool '%s': cannot reassign its CMA area; %llu bytes stay allocated\n",
		       pool->name, pool->size);
		return;
	}
	dma_free_pages(pool->dev, pool->size, pfn_to_page(PHYS_PFN(pool->base)),
		       pool->cma_dma, DMA_BIDIRECTIONAL);
	of_reserved_mem_device_release(pool->dev);
}

/**
 * pmm_reserve_cma() - Take a whole CMA area for a pool.
 * @pool: the pool, with its device, the area's base and size and its
 *	memory-region set
 *
 * CMA keeps its area movable-only, so the allocation succeeds however
 * long the system has run, as long as no other user of the area holds
 * part of it.
 *
 * Context: Process context.
 * Return: 0, or a negative errno: -EBUSY if the area is (partly) in use.
 */
int pmm_reserve_cma(struct pmm_pool *pool)
{
	struct page *page;
	int ret;

	ret = of_reserved_mem_device_init_by_idx(pool->dev, pool->cma_np,
						 pool->cma_region);
	if (ret)
		return ret;
	page = dma_alloc_pages(pool->dev, pool->size, &pool->cma_dma,
			       DMA_BIDIRECTIONAL, GFP_KERNEL | __GFP_NOWARN);
	/*
	 * When the area cannot satisfy it, the DMA API falls back to the
	 * page allocator, which may find a small pool's size elsewhere.
	 */
	ret = page ? 0 : -EBUSY;
	if (page && page_to_phys(page) != pool->base) {
		dma_free_pages(pool->dev, pool->size, page, pool->cma_dma,
			       DMA_BIDIRECTIONAL);
		ret = -EBUSY;
	}
	of_reserved_mem_device_release(pool->dev);
	return ret;
}

/**
 * pmm_reserve_release() - Give a pool's memory back to where it came from.
 * @pool: the pool, with nothing allocated from it
 *
 * Context: Process context.
 */
void pmm_reserve_release(struct pmm_pool *pool)
{
	if (pool->cma_np)
		pmm_cma_free(pool);
	else if (pool->backend == PMM_BACKEND_CONTIG)
		pmm_free_contig(PHYS_PFN(pool->base), pool->size >> PAGE_SHIFT);
	else
		release_mem_region(pool->base, pool->size);
}
