/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmm-bench: the reference a placement policy is measured against, in
 * user space: could a set of buffers be placed afresh in a range?  It is
 * what an allocator that could move (repack) its live buffers would have.
 */
#ifndef PMM_BENCH_PLACE_H
#define PMM_BENCH_PLACE_H

#include <stdbool.h>
#include <stddef.h>

/* One buffer: bytes, alignment (0: a page), boundary it must not cross (0: none). */
struct place_req {
	unsigned long long size, align, boundary;
};

bool place_repack(unsigned long long start, unsigned long long end,
		  const struct place_req *const *reqs, size_t n);

#endif
