// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-setup: pool maps.  The kernel writes one range a line, "ADDRESS
 * SIZE KIND [OWNER]", covering the pool in address order; a bar of N
 * cells shows each N-th of the pool as the owner of most of it, or as
 * ':' where free and allocated memory share the cell, so that a pool
 * whose free memory is all in holes too small for a request shows it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "poolmap.h"

static const char *const pmm_owner_kinds[PMM_OWNER_COUNT] = {
	[PMM_OWNER_FREE] = "free",
	[PMM_OWNER_BUFFER] = "buffer",
	[PMM_OWNER_HEAP] = "heap",
	[PMM_OWNER_HELD] = "held",
};

static const char pmm_owner_cells[PMM_OWNER_COUNT] = {
	[PMM_OWNER_FREE] = '.',
	[PMM_OWNER_BUFFER] = '#',
	[PMM_OWNER_HEAP] = 'h',
	[PMM_OWNER_HELD] = '!',
};

static int pmm_owner_parse(const char *kind, enum pmm_owner *owner)
{
	for (int i = 0; i < PMM_OWNER_COUNT; i++)
		if (!strcmp(kind, pmm_owner_kinds[i])) {
			*owner = i;
			return 0;
		}
	return -EINVAL;
}

static int pmm_poolmap_add(struct pmm_poolmap *m, const struct pmm_range *r)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct pmm_range *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = *r;
	m->bytes[r->owner] += r->size;
	if (r->owner == PMM_OWNER_FREE) {
		m->holes++;
		if (r->size > m->largest_free)
			m->largest_free = r->size;
	}
	return 0;
}

/*
 * Read a map; blank lines are skipped (the kernel pads a map that shrank
 * while it was read).  -EINVAL if a line is not a range or the ranges do
 * not follow each other.
 */
int pmm_poolmap_read(FILE *f, struct pmm_poolmap *m)
{
	char line[256], kind[16];
	struct pmm_range r;
	int ret;

	memset(m, 0, sizeof(*m));
	while (fgets(line, sizeof(line), f)) {
		if (line[strspn(line, " \n")] == '\0')
			continue;
		if (sscanf(line, "%llx %llu %15s", &r.addr, &r.size, kind) != 3 ||
		    pmm_owner_parse(kind, &r.owner) || !r.size ||
		    (m->n && r.addr != m->base + m->size)) {
			pmm_poolmap_free(m);
			return -EINVAL;
		}
		if (!m->n)
			m->base = r.addr;
		m->size += r.size;
		ret = pmm_poolmap_add(m, &r);
		if (ret) {
			pmm_poolmap_free(m);
			return ret;
		}
	}
	return ferror(f) ? -EIO : 0;
}

void pmm_poolmap_free(struct pmm_poolmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/*
 * @cells characters and a NUL into @bar: cell i covers bytes
 * [i * size / cells, (i + 1) * size / cells) of the pool.
 */
void pmm_poolmap_bar(const struct pmm_poolmap *m, char *bar, size_t cells)
{
	size_t r = 0;

	for (size_t i = 0; i < cells; i++) {
		unsigned long long lo = m->base + m->size * i / cells;
		unsigned long long hi = m->base + m->size * (i + 1) / cells;
		unsigned long long in[PMM_OWNER_COUNT] = { 0 }, most = 0;
		int who = PMM_OWNER_FREE;

		while (r < m->n && m->v[r].addr + m->v[r].size <= lo)
			r++;
		for (size_t j = r; j < m->n && m->v[j].addr < hi; j++) {
			unsigned long long s = m->v[j].addr, e = s + m->v[j].size;

			in[m->v[j].owner] += (e < hi ? e : hi) - (s > lo ? s : lo);
		}
		for (int o = PMM_OWNER_BUFFER; o < PMM_OWNER_COUNT; o++)
			if (in[o] > most) {
				most = in[o];
				who = o;
			}
		bar[i] = who != PMM_OWNER_FREE && in[PMM_OWNER_FREE] ? ':' :
			 pmm_owner_cells[who];
	}
	bar[cells] = '\0';
}

/* Bytes as the pool size syntax writes them: 64M, 4K, 1.5G, 12.3M. */
char *pmm_poolmap_size(char *buf, size_t len, unsigned long long bytes)
{
	static const char units[] = "KMGT";
	double v = bytes;
	int u = -1;

	while (u < 3 && v >= 1024) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", bytes);
	else if (v == (unsigned long long)v)
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}
