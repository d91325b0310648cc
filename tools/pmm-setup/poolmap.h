/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmm-setup: a pool's map (pools/NAME/map: its ranges, allocated and
 * free) as a model, and the one-line bar `pools --map` draws of it.
 */
#ifndef PMM_SETUP_POOLMAP_H
#define PMM_SETUP_POOLMAP_H

#include <stddef.h>
#include <stdio.h>

/* Who has a range, and the cell character that shows it. */
enum pmm_owner {
	PMM_OWNER_FREE,		/* '.' */
	PMM_OWNER_BUFFER,	/* '#' */
	PMM_OWNER_HEAP,		/* 'h' */
	PMM_OWNER_HELD,		/* '!' */
	PMM_OWNER_COUNT,
};

struct pmm_range {
	unsigned long long addr, size;
	enum pmm_owner owner;
};

/* A pool's ranges, in address order, and what they add up to. */
struct pmm_poolmap {
	struct pmm_range *v;
	size_t n, cap;
	unsigned long long base, size;
	unsigned long long bytes[PMM_OWNER_COUNT];
	unsigned long long largest_free;
	size_t holes;
};

int pmm_poolmap_read(FILE *f, struct pmm_poolmap *m);
void pmm_poolmap_free(struct pmm_poolmap *m);
void pmm_poolmap_bar(const struct pmm_poolmap *m, char *bar, size_t cells);
char *pmm_poolmap_size(char *buf, size_t len, unsigned long long bytes);

#endif
