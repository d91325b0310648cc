// SPDX-License-Identifier: GPL-2.0
/*
 * PMM pools (memory types): created at module load from the device tree
 * and the "pools" parameter, sub-allocated with genalloc (placement is
 * pmm_fit.c's), with a record of which free pages are already zero.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/dma-map-ops.h>
#include <linux/genalloc.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pmm.h"

static LIST_HEAD(pmm_pools);

static const char * const pmm_backend_names[] = {
	[PMM_BACKEND_CARVEOUT] = "carveout",
	[PMM_BACKEND_CONTIG] = "contig",
};

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

/**
 * pmm_pool_next() - The pool after another, in parameter order.
 * @pool: a pool
 *
 * Context: Any; the pool list does not change after module init.
 * Return: the next pool, or NULL after the last.
 */
struct pmm_pool *pmm_pool_next(struct pmm_pool *pool)
{
	return list_is_last(&pool->node, &pmm_pools) ? NULL :
	       list_next_entry(pool, node);
}

/**
 * pmm_pools_max_size() - The size of the largest pool.
 *
 * Context: Any.
 * Return: bytes, 0 if the module has no pools.
 */
u64 pmm_pools_max_size(void)
{
	struct pmm_pool *pool;
	u64 max = 0;

	list_for_each_entry(pool, &pmm_pools, node)
		max = max(max, pool->size);
	return max;
}

/**
 * pmm_pool_backend_name() - How pools/NAME/backend spells a pool's backend.
 * @pool: the pool
 *
 * Return: "carveout" or "contig".
 */
const char *pmm_pool_backend_name(struct pmm_pool *pool)
{
	return pmm_backend_names[pool->backend];
}

/*
 * When a buffer's memory is zeroed: as it goes back to its pool (free), or
 * as a new owner takes it (alloc).  Zeroing on free keeps free pool memory
 * zero once a buffer has had it (pmm_pool_zero_new() zeroes memory on its
 * first use), so enabling a buffer costs no zeroing pass: a pipeline
 * starting up waits for allocations, while nobody waits for memory going
 * back (tests/bench measures both ends).  That is the default (auto) for a
 * pool whose device's DMA is cache-coherent.  Where it is not, the zeroes
 * of a free range are only as good as the cache maintenance every later
 * change of owner and memory type makes; zeroing on allocation writes them
 * through the new owner's own mapping and cleans them to memory before
 * anyone else can look, relying on nothing a previous owner did, so auto
 * means alloc there.
 */
enum pmm_zero_policy {
	PMM_ZERO_AUTO,
	PMM_ZERO_ALLOC,
	PMM_ZERO_FREE,
};

static const char * const pmm_zero_names[] = {
	[PMM_ZERO_AUTO] = "auto",
	[PMM_ZERO_ALLOC] = "alloc",
	[PMM_ZERO_FREE] = "free",
};

static int pmm_zero_policy = PMM_ZERO_AUTO;

static int pmm_zero_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(pmm_zero_names, val);

	if (i < 0) {
		pr_err("zero: '%.*s' is not one of auto, alloc, free\n",
		       (int)strcspn(val, "\n"), val);
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
MODULE_PARM_DESC(zero, "When buffer memory is zeroed: auto (default: free for a pool whose device's DMA is cache-coherent, else alloc), free (as it goes back to its pool) or alloc");

/**
 * pmm_pool_alloc() - Carve a buffer out of a pool.
 * @pool: the pool
 * @size: bytes, a multiple of PAGE_SIZE
 * @align: alignment, a power of two >= PAGE_SIZE
 * @boundary: 0, or a power of two >= @size the range must not cross
 * @owner: its name in the pool's map
 * @heap: counted as a heap allocation rather than a declared buffer
 * @phys: set to the physical address
 *
 * Context: Process context.
 * Return: 0, -ENOSPC if no free range fits, or -ENOMEM.
 */
int pmm_pool_alloc(struct pmm_pool *pool, u64 size, u64 align, u64 boundary,
		   const char *owner, bool heap, phys_addr_t *phys)
{
	int ret = pmm_extent_alloc(pool, size, align, boundary, owner, heap,
				   phys);

	if (!ret)
		atomic_inc(heap ? &pool->nr_heap : &pool->nr_buffers);
	return ret;
}

/**
 * pmm_pool_free() - Give a buffer's memory back to its pool.
 * @pool: the pool it came from
 * @phys: what pmm_pool_alloc() returned
 * @size: the size it was asked for
 * @heap: as given to pmm_pool_alloc()
 *
 * Context: Process context.
 */
void pmm_pool_free(struct pmm_pool *pool, phys_addr_t phys, u64 size,
		   bool heap)
{
	pmm_extent_free(pool, phys, size);
	atomic_dec(heap ? &pool->nr_heap : &pool->nr_buffers);
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

static void pmm_pool_destroy(struct pmm_pool *pool)
{
	gen_pool_destroy(pool->gen);
	kvfree(pool->zeroed);
	if (pmm_type_exit(pool))
		pmm_reserve_release(pool);
	of_node_put(pool->cma_np);
	mutex_destroy(&pool->extent_lock);
	mutex_destroy(&pool->zero_lock);
	kfree(pool);
}

/* Seals the pool list: configfs reads it without a lock from then on. */
static bool pmm_pools_sealed;

/**
 * pmm_pool_add() - Reserve a pool and make it a memory type.
 * @spec: what it is and where its memory comes from
 *
 * Context: Module init (pools can only be added before pmm_pools_init()
 * has sealed the list), process context.
 * Return: 0, or a negative errno after logging why the pool was refused.
 */
int pmm_pool_add(const struct pmm_pool_spec *spec)
{
	const char *name = spec->name;
	u64 size = spec->size, base = spec->base;
	bool has_base = spec->carveout || spec->cma_np;
	struct pmm_pool *pool;
	int ret;

	if (pmm_pools_sealed) {
		pr_err("pool '%s': pools are fixed once the module is loaded\n",
		       name);
		return -EBUSY;
	}
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
	pool->dev = spec->dev;
	pool->coherent = dev_is_dma_coherent(pool->dev);
	pool->zero_on_free = pmm_zero_policy == PMM_ZERO_FREE ||
			     (pmm_zero_policy == PMM_ZERO_AUTO && pool->coherent);
	atomic_set(&pool->nr_buffers, 0);
	atomic_set(&pool->nr_heap, 0);
	atomic64_set(&pool->held, 0);
	mutex_init(&pool->zero_lock);
	mutex_init(&pool->extent_lock);
	pool->extents = RB_ROOT;

	if (spec->cma_np) {
		pool->backend = PMM_BACKEND_CONTIG;
		pool->base = base;
		pool->cma_np = of_node_get(spec->cma_np);
		pool->cma_region = spec->cma_region;
		ret = pmm_reserve_cma(pool);
		if (ret)
			pr_err("pool '%s': cannot take all of its CMA area [mem %#llx-%#llx]: %d\n",
			       name, base, base + size - 1, ret);
	} else if (spec->carveout) {
		pool->backend = PMM_BACKEND_CARVEOUT;
		pool->base = base;
		ret = pmm_reserve_carveout(pool);
	} else {
		pool->backend = PMM_BACKEND_CONTIG;
		ret = pmm_reserve_contig(pool);
		if (ret == -ENOMEM)
			pr_err("pool '%s': cannot get %llu bytes of physically contiguous memory\n",
			       name, size);
	}
	if (ret)
		goto out_free_pool;

	ret = pmm_type_init(pool);
	if (ret)
		goto out_release_memory;

	if (pool->zero_on_free) {
		/* One bit a page, like genalloc's own bitmap: may be large. */
		pool->zeroed = kvcalloc(BITS_TO_LONGS(size >> PAGE_SHIFT),
					sizeof(unsigned long), GFP_KERNEL);
		if (!pool->zeroed) {
			ret = -ENOMEM;
			goto out_exit_types;
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
	pr_info("pool '%s': %s%s, %llu bytes at [mem %#llx-%#llx] for %s (%s DMA)\n",
		name, pmm_backend_names[pool->backend],
		pool->cma_np ? " (CMA)" : "", size, (u64)pool->base,
		(u64)pool->base + size - 1, dev_name(pool->dev),
		pool->coherent ? "coherent" : "non-coherent");
	return 0;

out_destroy_gen:
	gen_pool_destroy(pool->gen);
out_free_zeroed:
	kvfree(pool->zeroed);
out_exit_types:
	/* Nothing has changed a type yet. */
	pmm_type_exit(pool);
out_release_memory:
	pmm_reserve_release(pool);
out_free_pool:
	of_node_put(pool->cma_np);
	mutex_destroy(&pool->extent_lock);
	mutex_destroy(&pool->zero_lock);
	kfree(pool);
	return ret;
}

/* One "NAME:SIZE[@BASE]" entry of the pools parameter; modifies @entry. */
static int pmm_pool_parse(char *entry, struct device *dev)
{
	struct pmm_pool_spec spec = { .dev = dev };
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
	spec.name = name;
	spec.size = size;
	spec.base = base;
	spec.carveout = at;
	return pmm_pool_add(&spec);
}

/**
 * pmm_pools_init() - Reserve every pool of the "pools" parameter, after
 *	those of the device tree, and seal the list.
 * @spec: NAME:SIZE[@BASE][,NAME:SIZE[@BASE]...]
 * @dev: the device the pools are kept coherent for
 *
 * Either every pool of @spec is reserved or none is (the device tree's
 * are released too then).
 *
 * Context: Module init, process context.
 * Return: 0, or a negative errno after logging which pool failed.
 */
int pmm_pools_init(const char *spec, struct device *dev)
{
	char *copy, *cur, *entry;
	int ret = 0;

	copy = kstrdup(spec, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = strim(copy);
	while (cur && *cur) {
		entry = strsep(&cur, ",");
		ret = pmm_pool_parse(entry, dev);
		if (ret)
			break;
	}
	kfree(copy);
	if (ret)
		pmm_pools_exit();
	else
		pmm_pools_sealed = true;
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
	pmm_pools_sealed = false;
}

/**
 * pmm_pool_stats() - What pools/NAME shows of a pool.
 * @pool: the pool
 * @st: filled in, a snapshot
 *
 * Context: Any.
 */
void pmm_pool_stats(struct pmm_pool *pool, struct pmm_pool_stats *st)
{
	st->free = gen_pool_avail(pool->gen);
	st->used = gen_pool_size(pool->gen) - st->free;
	st->buffers = atomic_read(&pool->nr_buffers);
	st->heap = atomic_read(&pool->nr_heap);
	st->held = atomic64_read(&pool->held);
}

/**
 * pmm_pool_hold() - Count released memory that cannot go back yet.
 * @pool: the pool it came from
 * @phys: what pmm_pool_alloc() returned
 * @size: bytes, still counted as used
 *
 * Context: Process context.
 */
void pmm_pool_hold(struct pmm_pool *pool, phys_addr_t phys, u64 size)
{
	pmm_extent_hold(pool, phys);
	atomic64_add(size, &pool->held);
}

/**
 * pmm_pool_unhold() - Stop counting held memory that has gone back.
 * @pool: the pool
 * @size: bytes, as given to pmm_pool_hold()
 *
 * Context: Any.
 */
void pmm_pool_unhold(struct pmm_pool *pool, u64 size)
{
	atomic64_sub(size, &pool->held);
}
