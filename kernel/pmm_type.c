// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - the memory type of a contig pool's pages, page by page.  RAM has
 * a cacheable kernel linear map, which a non-cached owner's type must be
 * reconciled with: on x86 the linear map itself is given the type (PAT
 * would otherwise make every other mapping fall back to write-back), which
 * splits its large pages and flushes caches and every CPU's TLB; elsewhere
 * the cacheable alias stays and must be cleaned and invalidated.  Either is
 * needed only when the type changes, so a range keeps the type its last
 * owner gave it when it goes back to the pool: an owner that wants the
 * same type again pays nothing, and only an owner of another type, or the
 * pool going away, changes it.
 *
 * A range's entries are only touched by its owner, between allocation and
 * release, and by the pool's creation and destruction: no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include "pmm.h"

#if defined(CONFIG_X86) && defined(CONFIG_FAULT_INJECTION_DEBUG_FS)
/*
 * set_memory_wb() fails only when a page-table allocation does while it
 * splits a large page, which the set_memory_wc/uc() before it has already
 * split: nothing outside the kernel can make it fail, yet what follows
 * decides whether an owner could get memory of a conflicting type.
 * debugfs fail_pmm_restore makes the restore fail the way the kernel's
 * fault injection makes allocations fail.
 */
static DECLARE_FAULT_ATTR(pmm_fail_restore);
static struct dentry *pmm_fail_restore_dir;

static bool pmm_restore_fails(void)
{
	return should_fail(&pmm_fail_restore, 1);
}

/**
 * pmm_type_faults_init() - Create the debugfs fault injection point.
 *
 * Context: Module init.  A debugging aid: failure to create it is ignored.
 */
void pmm_type_faults_init(void)
{
	pmm_fail_restore_dir = fault_create_debugfs_attr("fail_pmm_restore",
							 NULL,
							 &pmm_fail_restore);
}

/**
 * pmm_type_faults_exit() - Remove the fault injection point.
 *
 * Context: Module exit.
 */
void pmm_type_faults_exit(void)
{
	debugfs_remove_recursive(pmm_fail_restore_dir);
}
#else
static inline bool pmm_restore_fails(void)
{
	return false;
}

void pmm_type_faults_init(void)
{
}

void pmm_type_faults_exit(void)
{
}
#endif

#ifdef CONFIG_X86
/* Give @n pages from @pfn, now of type @from, the type @to. */
static int pmm_type_change(struct pmm_pool *pool, unsigned long pfn,
			   unsigned long n, u32 from, u32 to)
{
	unsigned long addr = (unsigned long)pfn_to_kaddr(pfn);
	u8 *t = &pool->types[pfn - PHYS_PFN(pool->base)];
	int ret;

	/* PAT changes RAM only from and to write-back. */
	if (from != PMM_CACHE_CACHED) {
		ret = pmm_restore_fails() ? -ENOMEM : set_memory_wb(addr, n);
		if (ret)
			return ret;
		memset(t, PMM_CACHE_CACHED, n);
	}
	if (to == PMM_CACHE_CACHED)
		return 0;
	ret = to == PMM_CACHE_WRITECOMBINE ? set_memory_wc(addr, n) :
					     set_memory_uc(addr, n);
	if (!ret)
		memset(t, to, n);
	return ret;
}
#else
/*
 * The cacheable alias must hold no dirty line that could be written back
 * over what a non-cached owner writes (clean), nor lines that a cached
 * owner would read instead of memory (invalidate): between a cached and a
 * non-cached owner, either way.  Between two non-cached ones nothing can
 * have dirtied it.  The pool's device does it (mapping cleans, unmapping
 * invalidates): only a pool whose device is not DMA-coherent, for which
 * the DMA API does maintenance, has non-cached memory here (pmm_enable.c).
 */
static int pmm_type_change(struct pmm_pool *pool, unsigned long pfn,
			   unsigned long n, u32 from, u32 to)
{
	bool was_cached = from == PMM_CACHE_CACHED;
	bool is_cached = to == PMM_CACHE_CACHED;
	size_t len = (size_t)n << PAGE_SHIFT;
	dma_addr_t dma;

	if (was_cached != is_cached) {
		dma = dma_map_page(pool->dev, pfn_to_page(pfn), 0, len,
				   DMA_BIDIRECTIONAL);
		if (dma_mapping_error(pool->dev, dma))
			return -ENOMEM;
		dma_unmap_page(pool->dev, dma, len, DMA_BIDIRECTIONAL);
	}
	memset(&pool->types[pfn - PHYS_PFN(pool->base)], to, n);
	return 0;
}
#endif

/**
 * pmm_type_set() - Give part of a contig pool the memory type an owner
 *	wants, changing only the pages that have another.
 * @pool: a contig pool
 * @phys: the first byte, page-aligned
 * @size: bytes, a multiple of PAGE_SIZE
 * @cache: PMM_CACHE_*
 *
 * Context: Process context; the caller owns the range.
 * Return: 0, or a negative errno if a change failed; the pages changed
 * before it keep their new type, and the record says so.
 */
int pmm_type_set(struct pmm_pool *pool, phys_addr_t phys, u64 size, u32 cache)
{
	unsigned long first = PHYS_PFN(phys - pool->base);
	unsigned long end = first + (size >> PAGE_SHIFT), s, e;
	int ret;

	for (s = first; s < end; s = e) {
		u8 from = pool->types[s];

		for (e = s + 1; e < end && pool->types[e] == from; e++)
			;
		if (from == cache)
			continue;
		ret = pmm_type_change(pool, PHYS_PFN(pool->base) + s, e - s,
				      from, cache);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * pmm_type_init() - Start recording the memory type of a pool's pages.
 * @pool: a pool whose memory has just been reserved
 *
 * Contig memory starts cached, as the page allocator gave it; a carveout
 * has no linear map and no record.
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int pmm_type_init(struct pmm_pool *pool)
{
	if (pool->backend != PMM_BACKEND_CONTIG)
		return 0;
	/* PMM_CACHE_CACHED is 0. */
	pool->types = kvcalloc(pool->size >> PAGE_SHIFT, sizeof(*pool->types),
			       GFP_KERNEL);
	return pool->types ? 0 : -ENOMEM;
}

/**
 * pmm_type_exit() - Make a pool's memory cached again, for whoever gets
 *	it after the pool, and stop recording.
 * @pool: a pool with nothing allocated from it
 *
 * Context: Process context.
 * Return: true if the memory can go back; false (logged) if some of it
 * could not be made cached, and so must never be given to anyone.
 */
bool pmm_type_exit(struct pmm_pool *pool)
{
	int ret;

	if (!pool->types)
		return true;
	ret = pmm_type_set(pool, pool->base, pool->size, PMM_CACHE_CACHED);
	if (ret)
		pr_err("pool '%s': its memory cannot be made cached again (%d): all %llu bytes are kept from the page allocator\n",
		       pool->name, ret, pool->size);
	kvfree(pool->types);
	pool->types = NULL;
	return !ret;
}
