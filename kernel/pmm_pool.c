// SPDX-License-Identifier: GPL-2.0
/*
 * PMM pools (memory types): reserved at module load from the "pools"
 * parameter, sub-allocated with genalloc, shown read-only in configfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/configfs.h>
#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pmm.h"

LIST_HEAD(pmm_pools);

static const char * const pmm_backend_names[] = {
	[PMM_BACKEND_CARVEOUT] = "carveout",
	[PMM_BACKEND_CONTIG] = "contig",
};

static inline struct pmm_pool *to_pmm_pool(struct config_item *item)
{
	return container_of(to_config_group(item), struct pmm_pool, group);
}

/**
 * pmm_pool_find() - Look up a pool by name.
 * @name: memory type name
 *
 * Context: Any; the pool list does not change after module init.
 * Return: the pool, or NULL if there is none of that name.
 */
struct pmm_pool *pmm_pool_find(const char *name)
{
	struct pmm_pool *pool;

	list_for_each_entry(pool, &pmm_pools, node)
		if (!strcmp(pool->name, name))
			return pool;
	return NULL;
}

/**
 * pmm_pool_first() - The default memory type: the first pool configured.
 *
 * Context: Any; the pool list does not change after module init.
 * Return: the first pool, or NULL if the module has none.
 */
struct pmm_pool *pmm_pool_first(void)
{
	return list_first_entry_or_null(&pmm_pools, struct pmm_pool, node);
}

/*
 * How a buffer is placed in its pool: the lowest free range that fits
 * (first fit, the default) or the smallest (best fit).  On the video
 * pipeline churn trace of tests/bench (streams of 1 MiB-aligned frames and
 * small metadata buffers opening and closing) first fit filled the pool a
 * little further before the first failure, on average and in the worst
 * trace (README, "Benchmarks").
 */
enum pmm_fit_policy {
	PMM_FIT_FIRST,
	PMM_FIT_BEST,
};

static const char * const pmm_fit_names[] = {
	[PMM_FIT_FIRST] = "first",
	[PMM_FIT_BEST] = "best",
};

static int pmm_fit_policy = PMM_FIT_FIRST;

static int pmm_fit_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(pmm_fit_names, val);

	if (i < 0) {
		pr_err("fit: '%.*s' is not one of first, best\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	WRITE_ONCE(pmm_fit_policy, i);
	return 0;
}

static int pmm_fit_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s\n", pmm_fit_names[READ_ONCE(pmm_fit_policy)]);
}

static const struct kernel_param_ops pmm_fit_ops = {
	.set = pmm_fit_set,
	.get = pmm_fit_get,
};

module_param_cb(fit, &pmm_fit_ops, NULL, 0644);
MODULE_PARM_DESC(fit, "Placement of buffers in a pool: first (default) or best fit");

/*
 * When a buffer's memory is zeroed: as it goes back to its pool (free, the
 * default), or as a new owner takes it (alloc).  Zeroing on free keeps
 * free pool memory zero once a buffer has had it (pmm_pool_zero_new()
 * zeroes memory on its first use), so enabling a buffer costs no zeroing
 * pass: a pipeline starting up waits for allocations, while nobody waits
 * for memory going back (tests/bench measures both ends).  It needs caches
 * coherent with memory for every agent: memory zeroed through the old
 * owner's mapping may be used through a mapping of another type, and on
 * non-coherent architectures (those with DMA cache maintenance: ARM) the
 * zeroes could sit in dirty lines that a write-combined owner or a device
 * never sees.  There only zeroing on allocation, through the new owner's
 * own mapping, is offered.
 */
#define PMM_COHERENT	(!IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) && \
			 !IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU))

enum pmm_zero_policy {
	PMM_ZERO_ALLOC,
	PMM_ZERO_FREE,
};

static const char * const pmm_zero_names[] = {
	[PMM_ZERO_ALLOC] = "alloc",
	[PMM_ZERO_FREE] = "free",
};

static int pmm_zero_policy = PMM_COHERENT ? PMM_ZERO_FREE : PMM_ZERO_ALLOC;

static int pmm_zero_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(pmm_zero_names, val);

	if (i < 0) {
		pr_err("zero: '%.*s' is not one of alloc, free\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	if (i == PMM_ZERO_FREE && !PMM_COHERENT) {
		pr_err("zero: free needs cache-coherent DMA, which this architecture does not have\n");
		return -EINVAL;
	}
	pmm_zero_policy = i;
	return 0;
}

static int pmm_zero_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s\n", pmm_zero_names[pmm_zero_policy]);
}

static const struct kernel_param_ops pmm_zero_ops = {
	.set = pmm_zero_set,
	.get = pmm_zero_get,
};

/* Read-only once loaded: what pmm_pool_zero_new() knows depends on it. */
module_param_cb(zero, &pmm_zero_ops, NULL, 0444);
MODULE_PARM_DESC(zero, "When buffer memory is zeroed: free (as it goes back to its pool; default where DMA is cache-coherent) or alloc");

/**
 * pmm_zero_on_free() - Whether buffers are zeroed as they are freed.
 *
 * Context: Any; fixed at module load.
 * Return: true to zero on free: pool memory a buffer has had is zero while
 * free, and a new owner needs zeroing only of memory no buffer had before.
 * False to zero every new owner's memory on allocation.
 */
bool pmm_zero_on_free(void)
{
	return pmm_zero_policy == PMM_ZERO_FREE;
}

/* Constraints of one allocation, for pmm_pool_fit(). */
struct pmm_fit {
	u64 align;
	u64 boundary;
	int policy;
};

/*
 * The first position in the free run [@s, @e) of bits where @nr bits fit
 * with the alignment (@align_mask, @align_off, as bitmap_find_next_zero_area_off()
 * takes them) and do not cross @fit->boundary; @e if none does.
 */
static unsigned long pmm_run_fit(unsigned long s, unsigned long e,
				 unsigned int nr, unsigned long align_mask,
				 unsigned long align_off, int order,
				 unsigned long start_addr,
				 const struct pmm_fit *fit)
{
	unsigned long pos = s, first, last;

	for (;;) {
		pos = __ALIGN_MASK(pos + align_off, align_mask) - align_off;
		if (pos >= e || e - pos < nr)
			return e;
		if (!fit->boundary)
			return pos;
		first = start_addr + (pos << order);
		last = first + ((unsigned long)nr << order) - 1;
		if (!((first ^ last) & ~(fit->boundary - 1)))
			return pos;
		/* Retry from the boundary the candidate crossed. */
		pos = (ALIGN(first + 1, fit->boundary) - start_addr) >> order;
	}
}

/*
 * A genalloc algorithm honouring both the alignment and a boundary the
 * allocation must not cross (24-bit DMA engines that cannot cross 16 MiB);
 * genalloc's own algorithms know alignment only.  It walks the free runs
 * of the chunk and takes the first that fits, or with best fit the
 * smallest that fits (the lowest of equals).
 */
static unsigned long pmm_pool_fit(unsigned long *map, unsigned long size,
				  unsigned long start, unsigned int nr,
				  void *data, struct gen_pool *gen,
				  unsigned long start_addr)
{
	const struct pmm_fit *fit = data;
	int order = gen->min_alloc_order;
	unsigned long align_mask = (fit->align >> order) - 1;
	unsigned long align_off = (start_addr & (fit->align - 1)) >> order;
	unsigned long s = start, e, pos, best = size, best_len = ULONG_MAX;

	for_each_clear_bitrange_from(s, e, map, size) {
		if (e - s < nr || e - s >= best_len)
			continue;
		pos = pmm_run_fit(s, e, nr, align_mask, align_off, order,
				  start_addr, fit);
		if (pos == e)
			continue;
		if (fit->policy == PMM_FIT_FIRST || e - s == nr)
			return pos;
		best = pos;
		best_len = e - s;
	}
	return best;
}

/**
 * pmm_pool_alloc() - Carve a buffer out of a pool.
 * @pool: the pool
 * @size: bytes, a multiple of PAGE_SIZE
 * @align: alignment, a power of two >= PAGE_SIZE
 * @boundary: 0, or a power of two >= @size the range must not cross
 *
 * Context: Process context.
 * Return: the physical address, or 0 if no free range fits.
 */
phys_addr_t pmm_pool_alloc(struct pmm_pool *pool, u64 size, u64 align,
			   u64 boundary)
{
	struct pmm_fit fit = {
		.align = align,
		.boundary = boundary,
		.policy = READ_ONCE(pmm_fit_policy),
	};
	unsigned long addr;

	addr = gen_pool_alloc_algo(pool->gen, size, pmm_pool_fit, &fit);
	if (addr)
		atomic_inc(&pool->nr_buffers);
	return addr;
}

/**
 * pmm_pool_free() - Give a buffer's memory back to its pool.
 * @pool: the pool it came from
 * @phys: what pmm_pool_alloc() returned
 * @size: the size it was asked for
 *
 * Context: Process context.
 */
void pmm_pool_free(struct pmm_pool *pool, phys_addr_t phys, u64 size)
{
	gen_pool_free(pool->gen, phys, size);
	atomic_dec(&pool->nr_buffers);
}

/**
 * pmm_pool_zero_new() - Zero the parts of a new allocation that may hold
 *	data.
 * @pool: the pool it came from
 * @phys: what pmm_pool_alloc() returned
 * @size: its size
 * @zero: zeroes @len bytes at offset @off of the allocation
 * @arg: passed to @zero
 *
 * When zeroing on allocation, that is all of it.  When zeroing on free,
 * only the pages no buffer has had since the pool was reserved: a buffer
 * going back is zeroed then, so the rest is zero already.  Zeroing a whole
 * pool at load instead would make loading cost a pass over all of it (a
 * boot-time delay on a board) and touch memory nobody may ever use.
 *
 * Context: Process context; may sleep.
 */
void pmm_pool_zero_new(struct pmm_pool *pool, phys_addr_t phys, u64 size,
		       void (*zero)(void *arg, u64 off, u64 len), void *arg)
{
	unsigned long first = (phys - pool->base) >> PAGE_SHIFT;
	unsigned long end = first + (size >> PAGE_SHIFT), s, e;

	if (!pool->zeroed) {
		zero(arg, 0, size);
		return;
	}
	/*
	 * Neighbours share bitmap words: the lock keeps their updates from
	 * undoing each other.  Zeroing under it serialises first uses of a
	 * pool's pages only; a page zeroed once is never zeroed here again.
	 */
	mutex_lock(&pool->zero_lock);
	s = first;
	for_each_clear_bitrange_from(s, e, pool->zeroed, end)
		zero(arg, (u64)(s - first) << PAGE_SHIFT,
		     (u64)(e - s) << PAGE_SHIFT);
	bitmap_set(pool->zeroed, first, end - first);
	mutex_unlock(&pool->zero_lock);
}

static void pmm_chunk_largest(struct gen_pool *gen,
			      struct gen_pool_chunk *chunk, void *data)
{
	int order = gen->min_alloc_order;
	unsigned long nbits = (chunk->end_addr - chunk->start_addr + 1) >> order;
	unsigned long start, end;
	u64 *largest = data;

	for_each_clear_bitrange(start, end, chunk->bits, nbits) {
		u64 len = (u64)(end - start) << order;

		*largest = max(*largest, len);
	}
}

/**
 * pmm_pool_largest_free() - Size of the largest free range of a pool.
 * @pool: the pool
 *
 * The figure an ENOSPC message needs: free space may be fragmented.
 *
 * Context: Any; the answer may be stale by the time it is used.
 * Return: bytes.
 */
u64 pmm_pool_largest_free(struct pmm_pool *pool)
{
	u64 largest = 0;

	gen_pool_for_each_chunk(pool->gen, pmm_chunk_largest, &largest);
	return largest;
}

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

/*
 * Take @pool->size bytes of physically contiguous RAM from the page
 * allocator, highest zone and highest address first: that keeps the low
 * zones, which some devices need, and puts a pool above 4 GiB when the
 * machine has memory there.  The first pass only tries ranges that look
 * free, so loading does not migrate page cache (slow, and it may fail
 * halfway through a range) while free memory is to be had; the second
 * takes whatever can be migrated.
 */
static int pmm_pool_reserve_contig(struct pmm_pool *pool)
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

/*
 * Claim a carveout: the range must not be RAM the kernel manages (it was
 * kept out with memmap= or a reserved-memory node), and nobody else may
 * have claimed it.
 */
static int pmm_pool_claim_carveout(struct pmm_pool *pool)
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

static void pmm_pool_release_memory(struct pmm_pool *pool)
{
	if (pool->backend == PMM_BACKEND_CONTIG)
		pmm_free_contig(PHYS_PFN(pool->base), pool->size >> PAGE_SHIFT);
	else
		release_mem_region(pool->base, pool->size);
}

static void pmm_pool_destroy(struct pmm_pool *pool)
{
	gen_pool_destroy(pool->gen);
	kvfree(pool->zeroed);
	pmm_pool_release_memory(pool);
	mutex_destroy(&pool->zero_lock);
	kfree(pool);
}

static int pmm_pool_create(const char *name, u64 size, bool has_base, u64 base)
{
	struct pmm_pool *pool;
	int ret;

	if (!pmm_name_valid(name)) {
		pr_err("pools: invalid pool name '%s' (1-%d of A-Z a-z 0-9 . _ -)\n",
		       name, PMM_NAME_MAX);
		return -EINVAL;
	}
	if (pmm_pool_find(name)) {
		pr_err("pool '%s': defined twice\n", name);
		return -EINVAL;
	}
	if (!size || !PAGE_ALIGNED(size) ||
	    (has_base && (!base || !PAGE_ALIGNED(base) ||
			  base + size - 1 < base || base + size - 1 > ULONG_MAX))) {
		pr_err("pool '%s': size and base must be non-zero multiples of %lu within the address space\n",
		       name, PAGE_SIZE);
		return -EINVAL;
	}

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	strscpy(pool->name, name, sizeof(pool->name));
	snprintf(pool->res_name, sizeof(pool->res_name), "pmm:%s", name);
	pool->size = size;
	atomic_set(&pool->nr_buffers, 0);
	atomic64_set(&pool->held, 0);
	mutex_init(&pool->zero_lock);

	if (has_base) {
		pool->backend = PMM_BACKEND_CARVEOUT;
		pool->base = base;
		ret = pmm_pool_claim_carveout(pool);
	} else {
		pool->backend = PMM_BACKEND_CONTIG;
		ret = pmm_pool_reserve_contig(pool);
		if (ret == -ENOMEM)
			pr_err("pool '%s': cannot get %llu bytes of physically contiguous memory\n",
			       name, size);
	}
	if (ret)
		goto out_free_pool;

	if (pmm_zero_on_free()) {
		/* One bit a page, like genalloc's own bitmap: may be large. */
		pool->zeroed = kvcalloc(BITS_TO_LONGS(size >> PAGE_SHIFT),
					sizeof(unsigned long), GFP_KERNEL);
		if (!pool->zeroed) {
			ret = -ENOMEM;
			goto out_release_memory;
		}
	}

	pool->gen = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!pool->gen) {
		ret = -ENOMEM;
		goto out_free_zeroed;
	}
	/* genalloc hands out physical addresses: there is no kernel virtual one. */
	ret = gen_pool_add(pool->gen, pool->base, pool->size, NUMA_NO_NODE);
	if (ret)
		goto out_destroy_gen;

	list_add_tail(&pool->node, &pmm_pools);
	pr_info("pool '%s': %s, %llu bytes at [mem %#llx-%#llx]\n", name,
		pmm_backend_names[pool->backend], size, (u64)pool->base,
		(u64)pool->base + size - 1);
	return 0;

out_destroy_gen:
	gen_pool_destroy(pool->gen);
out_free_zeroed:
	kvfree(pool->zeroed);
out_release_memory:
	pmm_pool_release_memory(pool);
out_free_pool:
	mutex_destroy(&pool->zero_lock);
	kfree(pool);
	return ret;
}

/* One "NAME:SIZE[@BASE]" entry of the pools parameter; modifies @entry. */
static int pmm_pool_parse(char *entry)
{
	char *name, *at;
	u64 size, base = 0;

	name = strsep(&entry, ":");
	if (!entry) {
		pr_err("pools: '%s' is not NAME:SIZE[@BASE]\n", name);
		return -EINVAL;
	}
	at = strchr(entry, '@');
	if (at)
		*at++ = '\0';
	if (pmm_parse_size(entry, &size)) {
		pr_err("pool '%s': invalid size '%s'\n", name, entry);
		return -EINVAL;
	}
	if (at && kstrtou64(at, 0, &base)) {
		pr_err("pool '%s': invalid base '%s'\n", name, at);
		return -EINVAL;
	}
	return pmm_pool_create(name, size, at, base);
}

/**
 * pmm_pools_init() - Reserve every pool of the "pools" parameter.
 * @spec: NAME:SIZE[@BASE][,NAME:SIZE[@BASE]...]
 *
 * Either every pool is reserved or none is.
 *
 * Context: Module init, process context.
 * Return: 0, or a negative errno after logging which pool failed.
 */
int pmm_pools_init(const char *spec)
{
	char *copy, *cur, *entry;
	int ret = 0;

	copy = kstrdup(spec, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = strim(copy);
	while (cur && *cur) {
		entry = strsep(&cur, ",");
		ret = pmm_pool_parse(entry);
		if (ret)
			break;
	}
	kfree(copy);
	if (ret)
		pmm_pools_exit();
	return ret;
}

/**
 * pmm_pools_exit() - Release every pool.
 *
 * Context: Module exit, process context, no buffer allocated any more.
 */
void pmm_pools_exit(void)
{
	struct pmm_pool *pool, *tmp;

	list_for_each_entry_safe_reverse(pool, tmp, &pmm_pools, node) {
		list_del(&pool->node);
		pmm_pool_destroy(pool);
	}
}

/* configfs: pools/NAME, read-only. */

static ssize_t pmm_pool_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_pmm_pool(item)->size);
}

static ssize_t pmm_pool_used_show(struct config_item *item, char *page)
{
	struct pmm_pool *pool = to_pmm_pool(item);

	return sysfs_emit(page, "%zu\n",
			  gen_pool_size(pool->gen) - gen_pool_avail(pool->gen));
}

static ssize_t pmm_pool_free_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%zu\n", gen_pool_avail(to_pmm_pool(item)->gen));
}

static ssize_t pmm_pool_largest_free_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n",
			  pmm_pool_largest_free(to_pmm_pool(item)));
}

static ssize_t pmm_pool_buffers_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n",
			  atomic_read(&to_pmm_pool(item)->nr_buffers));
}

static ssize_t pmm_pool_held_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  (s64)atomic64_read(&to_pmm_pool(item)->held));
}

static ssize_t pmm_pool_backend_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  pmm_backend_names[to_pmm_pool(item)->backend]);
}

static ssize_t pmm_pool_base_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%#llx\n", (u64)to_pmm_pool(item)->base);
}

CONFIGFS_ATTR_RO(pmm_pool_, size);
CONFIGFS_ATTR_RO(pmm_pool_, used);
CONFIGFS_ATTR_RO(pmm_pool_, free);
CONFIGFS_ATTR_RO(pmm_pool_, largest_free);
CONFIGFS_ATTR_RO(pmm_pool_, buffers);
CONFIGFS_ATTR_RO(pmm_pool_, held);
CONFIGFS_ATTR_RO(pmm_pool_, backend);

/* Physical addresses are for root only, like /proc/iomem's. */
static struct configfs_attribute pmm_pool_attr_base = {
	.ca_name = "base",
	.ca_owner = THIS_MODULE,
	.ca_mode = 0400,
	.show = pmm_pool_base_show,
};

static struct configfs_attribute *pmm_pool_attrs[] = {
	&pmm_pool_attr_size,
	&pmm_pool_attr_used,
	&pmm_pool_attr_free,
	&pmm_pool_attr_largest_free,
	&pmm_pool_attr_buffers,
	&pmm_pool_attr_held,
	&pmm_pool_attr_backend,
	&pmm_pool_attr_base,
	NULL,
};

static const struct config_item_type pmm_pool_type = {
	.ct_attrs = pmm_pool_attrs,
	.ct_owner = THIS_MODULE,
};

/**
 * pmm_pools_add_groups() - Add pools/NAME for every pool.
 * @parent: the pools/ group
 *
 * Context: Module init, before the subsystem is registered.
 */
void pmm_pools_add_groups(struct config_group *parent)
{
	struct pmm_pool *pool;

	list_for_each_entry(pool, &pmm_pools, node) {
		config_group_init_type_name(&pool->group, pool->name,
					    &pmm_pool_type);
		configfs_add_default_group(&pool->group, parent);
	}
}
