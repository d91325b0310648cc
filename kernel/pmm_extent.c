// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - who has which range of a pool: every allocation with its owner's
 * name, in address order, and the text form pools/NAME/map shows.
 * genalloc's bitmap cannot say this: two neighbouring allocations are one
 * run of set bits.  Ranges are taken from genalloc and recorded under one
 * lock, so the map and the pool's used/free figures always agree.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/genalloc.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pmm.h"

/*
 * One allocated range.  The owner's name is a copy: a buffer's own name
 * (its device's) is freed when the device is, and held memory outlives
 * that.
 */
struct pmm_extent {
	struct rb_node node;
	phys_addr_t phys;
	u64 size;
	bool heap;
	bool held;
	char owner[];
};

static struct pmm_extent *pmm_extent_find(struct pmm_pool *pool,
					  phys_addr_t phys)
{
	struct rb_node *n = pool->extents.rb_node;

	while (n) {
		struct pmm_extent *ext = rb_entry(n, struct pmm_extent, node);

		if (phys < ext->phys)
			n = n->rb_left;
		else if (phys > ext->phys)
			n = n->rb_right;
		else
			return ext;
	}
	return NULL;
}

static void pmm_extent_insert(struct pmm_pool *pool, struct pmm_extent *new)
{
	struct rb_node **link = &pool->extents.rb_node, *parent = NULL;

	while (*link) {
		struct pmm_extent *ext = rb_entry(*link, struct pmm_extent, node);

		parent = *link;
		link = new->phys < ext->phys ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &pool->extents);
}

/**
 * pmm_extent_alloc() - Take a range from a pool and record its owner.
 * @pool: the pool
 * @size: bytes, a multiple of PAGE_SIZE
 * @align: alignment, a power of two >= PAGE_SIZE
 * @boundary: 0, or a power of two >= @size the range must not cross
 * @owner: the name the map shows for it
 * @heap: a heap allocation rather than a declared buffer
 * @phys: set to the range's physical address
 *
 * Context: Process context.
 * Return: 0, -ENOSPC if no free range fits, or -ENOMEM.
 */
int pmm_extent_alloc(struct pmm_pool *pool, u64 size, u64 align, u64 boundary,
		     const char *owner, bool heap, phys_addr_t *phys)
{
	size_t len = strlen(owner) + 1;
	struct pmm_extent *ext;

	ext = kmalloc(struct_size(ext, owner, len), GFP_KERNEL);
	if (!ext)
		return -ENOMEM;
	memcpy(ext->owner, owner, len);
	ext->size = size;
	ext->heap = heap;
	ext->held = false;

	mutex_lock(&pool->extent_lock);
	ext->phys = pmm_fit_alloc(pool->gen, size, align, boundary);
	if (ext->phys)
		pmm_extent_insert(pool, ext);
	mutex_unlock(&pool->extent_lock);
	if (!ext->phys) {
		kfree(ext);
		return -ENOSPC;
	}
	*phys = ext->phys;
	return 0;
}

/**
 * pmm_extent_free() - Give a range back to its pool and forget its owner.
 * @pool: the pool it came from
 * @phys: what pmm_extent_alloc() returned
 * @size: the size it was asked for
 *
 * Context: Process context.
 */
void pmm_extent_free(struct pmm_pool *pool, phys_addr_t phys, u64 size)
{
	struct pmm_extent *ext;

	mutex_lock(&pool->extent_lock);
	ext = pmm_extent_find(pool, phys);
	if (!WARN_ON(!ext || ext->size != size))
		rb_erase(&ext->node, &pool->extents);
	gen_pool_free(pool->gen, phys, size);
	mutex_unlock(&pool->extent_lock);
	kfree(ext);
}

/**
 * pmm_extent_hold() - Mark a range as held: released by its owner, but
 *	its pages are still referenced.
 * @pool: the pool it came from
 * @phys: what pmm_extent_alloc() returned
 *
 * Context: Process context.
 */
void pmm_extent_hold(struct pmm_pool *pool, phys_addr_t phys)
{
	struct pmm_extent *ext;

	mutex_lock(&pool->extent_lock);
	ext = pmm_extent_find(pool, phys);
	if (!WARN_ON(!ext))
		ext->held = true;
	mutex_unlock(&pool->extent_lock);
}

/* "ADDRESS SIZE KIND [OWNER]\n": the longest a line can be. */
#define PMM_MAP_LINE_MAX	(2 + 16 + 1 + 20 + 1 + 6 + 1 + PMM_NAME_MAX + 16 + 2)

/* Appends one line to @buf (of @len bytes; NULL: only counts). */
static size_t pmm_extent_line(char *buf, size_t len, size_t off,
			      phys_addr_t phys, u64 size, const char *kind,
			      const char *owner)
{
	char line[PMM_MAP_LINE_MAX];
	int n;

	n = scnprintf(line, sizeof(line), "%#llx %llu %s%s%s\n", (u64)phys,
		      size, kind, owner ? " " : "", owner ?: "");
	if (buf && off < len)
		memcpy(buf + off, line, min_t(size_t, n, len - off));
	return off + n;
}

/**
 * pmm_extent_map() - The map of a pool, as pools/NAME/map shows it.
 * @pool: the pool
 * @buf: where to write it, or NULL to ask how long it is
 * @len: bytes at @buf
 *
 * One line per range, in address order, covering the pool exactly:
 * "ADDRESS SIZE buffer NAME", "heap NAME" (an allocation of the pool's
 * DMA-BUF heap), "held NAME" (released, its pages still referenced) or
 * "free" (a hole).  Should the map have changed since its length was
 * asked, the snapshot is cut at @len or padded with newlines: configfs
 * shows @len bytes whatever this returns.
 *
 * Context: Process context.
 * Return: the length of the map with @buf NULL, else @len.
 */
ssize_t pmm_extent_map(struct pmm_pool *pool, char *buf, size_t len)
{
	phys_addr_t pos = pool->base, end = pool->base + pool->size;
	struct rb_node *n;
	size_t off = 0;

	mutex_lock(&pool->extent_lock);
	for (n = rb_first(&pool->extents); n; n = rb_next(n)) {
		struct pmm_extent *ext = rb_entry(n, struct pmm_extent, node);

		if (ext->phys > pos)
			off = pmm_extent_line(buf, len, off, pos,
					      ext->phys - pos, "free", NULL);
		off = pmm_extent_line(buf, len, off, ext->phys, ext->size,
				      ext->held ? "held" :
				      ext->heap ? "heap" : "buffer",
				      ext->owner);
		pos = ext->phys + ext->size;
	}
	if (end > pos)
		off = pmm_extent_line(buf, len, off, pos, end - pos, "free",
				      NULL);
	mutex_unlock(&pool->extent_lock);

	if (!buf)
		return off;
	if (off < len)
		memset(buf + off, '\n', len - off);
	return len;
}
