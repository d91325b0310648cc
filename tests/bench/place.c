// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-bench: repacking.  A live set is placed afresh into an empty range
 * in the order that wastes least: buffers with a boundary first, then by
 * alignment and size, largest first, each into the lowest hole where it
 * fits, except small ones (under 1 MiB), which take the smallest hole:
 * the slack that aligned buffers leave.  Success proves the set fits; a
 * failure does not prove it cannot (packing is NP-hard), so "repacking
 * would have succeeded" counts are a lower bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "place.h"

#define PLACE_PAGE	4096ULL
#define PLACE_SMALL	(1ULL << 20)

struct place_ext {
	unsigned long long start, end;
};

static bool place_crosses(unsigned long long a, const struct place_req *r)
{
	return r->boundary && a / r->boundary != (a + r->size - 1) / r->boundary;
}

/* The lowest address in [s, e) where @r fits, or UINT64_MAX. */
static unsigned long long place_in(unsigned long long s, unsigned long long e,
				   const struct place_req *r)
{
	unsigned long long a = r->align > PLACE_PAGE ? r->align : PLACE_PAGE;
	unsigned long long p = (s + a - 1) / a * a;

	while (p >= s && p + r->size <= e) {
		if (!place_crosses(p, r))
			return p;
		p = (p / r->boundary + 1) * r->boundary;
		p = (p + a - 1) / a * a;
	}
	return UINT64_MAX;
}

static int place_order(const void *a, const void *b)
{
	const struct place_req *x = *(const struct place_req * const *)a;
	const struct place_req *y = *(const struct place_req * const *)b;

	if (!x->boundary != !y->boundary)
		return x->boundary ? -1 : 1;
	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return 0;
}

/* Place @r among the @n extents (sorted) of [start, end); false if it does not fit. */
static bool place_one(unsigned long long start, unsigned long long end,
		      struct place_ext *v, size_t *n, const struct place_req *r)
{
	unsigned long long best = UINT64_MAX, best_len = UINT64_MAX, p;
	size_t i, at = 0;

	for (i = 0; i <= *n; i++) {
		unsigned long long s = i ? v[i - 1].end : start;
		unsigned long long e = i < *n ? v[i].start : end;

		if (e - s < r->size || e - s >= best_len)
			continue;
		p = place_in(s, e, r);
		if (p == UINT64_MAX)
			continue;
		best = p;
		best_len = e - s;
		at = i;
		if (r->size >= PLACE_SMALL)
			break;
	}
	if (best == UINT64_MAX)
		return false;
	memmove(&v[at + 1], &v[at], (*n - at) * sizeof(*v));
	v[at].start = best;
	v[at].end = best + r->size;
	(*n)++;
	return true;
}

/* Whether the @n buffers @reqs can all be placed in [start, end) at once. */
bool place_repack(unsigned long long start, unsigned long long end,
		  const struct place_req *const *reqs, size_t n)
{
	const struct place_req **order = malloc(n * sizeof(*order));
	struct place_ext *v = malloc(n * sizeof(*v));
	size_t nv = 0, i;
	bool ok = !n || (order && v);

	if (ok) {
		memcpy(order, reqs, n * sizeof(*order));
		qsort(order, n, sizeof(*order), place_order);
	}
	for (i = 0; ok && i < n; i++)
		ok = place_one(start, end, v, &nv, order[i]);
	free(order);
	free(v);
	return ok;
}
