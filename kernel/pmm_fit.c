// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - placement: where in its pool a buffer goes.  A genalloc algorithm
 * of PMM's own, because genalloc's know alignment but not boundaries.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/genalloc.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "pmm.h"

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
 * pmm_fit_alloc() - Allocate a range from a pool's genalloc with the
 *	placement policy in force.
 * @gen: the pool's allocator
 * @size: bytes, a multiple of PAGE_SIZE
 * @align: alignment, a power of two >= PAGE_SIZE
 * @boundary: 0, or a power of two >= @size the range must not cross
 *
 * Context: Any.
 * Return: the start of the range, or 0 if no free range fits.
 */
unsigned long pmm_fit_alloc(struct gen_pool *gen, u64 size, u64 align,
			    u64 boundary)
{
	struct pmm_fit fit = {
		.align = align,
		.boundary = boundary,
		.policy = READ_ONCE(pmm_fit_policy),
	};

	return gen_pool_alloc_algo(gen, size, pmm_pool_fit, &fit);
}
