/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMM - physical memory manager: internal interfaces shared by the module's
 * translation units.
 *
 * Lock hierarchy, outermost first:
 *   configfs subsystem mutex (pmm_subsys.su_mutex): the tree (mkdir/rmdir);
 *   pmm_buffer.lock: every attribute of one buffer and its enable state;
 *   pmm_file.lock: the lock one open file holds (waits for pmm_mem.lock_wq);
 *   pmm_mem.lock: counts, lock holders, attachments and the disabled flag
 *     of one allocation;
 *   pmm_held_lock (pmm_mem.c): the memory held after its release while
 *     pages are still referenced; a disable, which may release memory,
 *     takes it inside pmm_buffer.lock;
 *   pmm_pool.zero_lock: which pages of a pool have been zeroed;
 *   pmm_pool.extent_lock: who has which range of a pool (pmm_extent.c).
 * configfs_depend_item_unlocked() is called before pmm_buffer.lock is taken.
 */
#ifndef _PMM_H
#define _PMM_H

#include <linux/dma-buf.h>
#include <linux/configfs.h>
#include <linux/device.h>
#include <linux/genalloc.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/pmm.h>

struct vm_area_struct;

/**
 * enum pmm_backend - where a pool's memory comes from
 * @PMM_BACKEND_CARVEOUT: a physical range the kernel was told not to use
 *	(memmap=, reserved-memory), claimed with request_mem_region()
 * @PMM_BACKEND_CONTIG: a range taken from the page allocator at load with
 *	alloc_contig_range(); it has struct pages
 */
enum pmm_backend {
	PMM_BACKEND_CARVEOUT,
	PMM_BACKEND_CONTIG,
};

/**
 * struct pmm_pool_spec - where a pool's memory comes from, as the pools
 *	parameter or a device-tree memory-region describes it
 * @name: the memory type's name
 * @size: bytes
 * @base: physical address of a carveout (@carveout true)
 * @carveout: a range the kernel does not map or use
 * @dev: the device the pool is kept coherent for
 * @cma_np: with @cma_region, a CMA area (reusable shared-dma-pool) the
 *	whole pool is allocated from through @dev; NULL for RAM taken from
 *	the page allocator (@carveout false) or for a carveout
 * @cma_region: index into @cma_np's memory-region property
 */
struct pmm_pool_spec {
	const char *name;
	u64 size;
	phys_addr_t base;
	bool carveout;
	struct device *dev;
	struct device_node *cma_np;
	int cma_region;
};

/**
 * struct pmm_pool - one memory type, reserved at module load
 * @node: entry in the list of pools, in module parameter order
 * @name: the memory type's name (pools/NAME, a buffer's memtype)
 * @backend: carveout or contig
 * @base: physical address of the first byte
 * @size: bytes
 * @gen: sub-allocator over [@base, @base + @size)
 * @res: the claimed region (carveout only)
 * @res_name: "pmm:NAME", the name /proc/iomem shows for @res
 * @dev: the device whose DMA view the pool's memory is kept coherent for
 *	(cache maintenance through the DMA API) and, for a CMA region, the
 *	one it was allocated through
 * @coherent: whether @dev's DMA is cache-coherent: nothing to maintain
 * @zero_on_free: whether buffers are zeroed as they go back (the zero
 *	parameter), rather than as a new owner takes them
 * @cma_np: the device-tree node whose memory-region @cma_region is the
 *	CMA area the pool came from (NULL unless it did)
 * @cma_region: index into @cma_np's memory-region
 * @cma_dma: @dev's DMA address of the CMA allocation
 * @nr_buffers: live allocations of declared buffers from this pool, held
 *	ones included
 * @nr_heap: live allocations of the pool's DMA-BUF heap, held ones included
 * @held: bytes of allocations whose buffer is gone but whose pages are
 *	still referenced from outside PMM (pmm_mem.held_node)
 * @zero_lock: protects @zeroed
 * @zeroed: pages some buffer has had, which are zero while free (zeroing
 *	on free only; NULL when zeroing on allocation)
 * @extent_lock: protects @extents and the allocations of @gen
 * @extents: every allocated range with its owner, by address
 * @types: each page's memory type (PMM_CACHE_*) of a contig pool, which
 *	stays what its last owner made it (pmm_type.c); NULL for a carveout
 * @group: the read-only configfs view pools/NAME
 */
struct pmm_pool {
	struct list_head node;
	char name[PMM_NAME_MAX + 1];
	enum pmm_backend backend;
	phys_addr_t base;
	u64 size;
	struct gen_pool *gen;
	struct resource *res;
	char res_name[PMM_NAME_MAX + 5];
	struct device *dev;
	bool coherent;
	bool zero_on_free;
	struct device_node *cma_np;
	int cma_region;
	dma_addr_t cma_dma;
	atomic_t nr_buffers;
	atomic_t nr_heap;
	atomic64_t held;
	struct mutex zero_lock;	/* @zeroed; innermost */
	unsigned long *zeroed;
	struct mutex extent_lock;	/* @extents, @gen's allocations; innermost */
	struct rb_root extents;
	u8 *types;
	struct config_group group;
};

/**
 * struct pmm_mem_desc - what a buffer asks for: the attributes configfs
 *	collects and the memory is created from
 * @size: bytes, a multiple of PAGE_SIZE; 0 = unset
 * @align: alignment of the physical address, a power of two >= PAGE_SIZE
 * @boundary: 0, or a power of two the memory must not cross
 * @pool: memory type, NULL if the module has no pools
 * @cache: cacheability of every mapping
 * @uid: owner of /dev/pmm/NAME
 * @gid: group of /dev/pmm/NAME
 * @mode: permissions of /dev/pmm/NAME
 * @heap: an anonymous allocation of the pool's DMA-BUF heap rather than a
 *	declared buffer: no name to look it up by, no node (@uid, @gid and
 *	@mode unused)
 */
struct pmm_mem_desc {
	u64 size;
	u64 align;
	u64 boundary;
	struct pmm_pool *pool;
	u32 cache;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	bool heap;
};

/**
 * struct pmm_mem - the memory of one enabled buffer and its device node
 * @dev: /dev/pmm/NAME; its release returns the memory to the pool, so the
 *	memory lives as long as the node, any open file or any mapping (a
 *	heap allocation's is never added: it only counts references)
 * @desc: what it was created from, fixed for its life
 * @phys: physical address
 * @dma: the pool device's DMA address of contig memory of a non-coherent
 *	pool (mapped while the memory lives, for cache maintenance of it
 *	and its linear alias)
 * @vaddr: kernel view with the buffer's cacheability
 * @lock: protects every field below it
 * @opens: open files (a mapping keeps its file open)
 * @maps: live VMAs
 * @shared_locks: holders of a shared transaction lock
 * @excl_locked: an exclusive transaction lock is held
 * @lock_wq: where lockers wait for a conflicting holder to go
 * @dmabufs: live dma-bufs exported from this memory
 * @attachments: their device attachments (struct pmm_attachment)
 * @disabled: the buffer was disabled; new opens, locks and exports fail
 * @held_node: entry in the list of memory held after its release, while
 *	pages are still referenced from outside PMM
 * @busy_pfn: the first page found still referenced, where the next check
 *	of held memory starts
 *
 * The buffer's name is the device's (dev_name()), which lasts as long as
 * this memory, after rmdir too.
 */
struct pmm_mem {
	struct device dev;
	struct pmm_mem_desc desc;
	phys_addr_t phys;
	dma_addr_t dma;
	void *vaddr;
	struct mutex lock;	/* opens, maps, disabled; inside pmm_buffer.lock */
	unsigned int opens;
	unsigned int maps;
	unsigned int shared_locks;
	bool excl_locked;
	wait_queue_head_t lock_wq;
	unsigned int dmabufs;
	struct list_head attachments;
	bool disabled;
	struct list_head held_node;
	unsigned long busy_pfn;
};

/**
 * struct pmm_buffer - a buffer declared in configfs (buffers/NAME)
 * @group: the configfs directory
 * @lock: protects every field below and serialises enable/disable
 * @desc: the attributes, what enable creates the memory from
 * @mem: the allocation while enabled, NULL while disabled
 */
struct pmm_buffer {
	struct config_group group;
	struct mutex lock;	/* everything below; enable/disable */
	struct pmm_mem_desc desc;
	struct pmm_mem *mem;
};

static inline struct pmm_buffer *to_pmm_buffer(struct config_item *item)
{
	return container_of(to_config_group(item), struct pmm_buffer, group);
}

static inline const char *pmm_buf_name(struct pmm_buffer *buf)
{
	return config_item_name(&buf->group.cg_item);
}

/* Every refusal names the buffer and the attribute. */
#define pmm_buf_err(buf, attr, fmt, ...) \
	pr_err("buffer '%s': %s: " fmt, pmm_buf_name(buf), attr, ##__VA_ARGS__)

/* Log at most this much of a rejected value. */
#define PMM_LOG_VALUE_MAX	40

/**
 * struct pmm_pool_stats - what pools/NAME shows
 * @used: bytes allocated, held ones included
 * @free: bytes free
 * @held: bytes held (struct pmm_pool, @held)
 * @buffers: allocations of declared buffers, held ones included
 * @heap: allocations of the pool's DMA-BUF heap, held ones included
 */
struct pmm_pool_stats {
	u64 used;
	u64 free;
	u64 held;
	unsigned int buffers;
	unsigned int heap;
};

/**
 * enum pmm_mem_count - what keeps an enabled buffer from being disabled
 * @PMM_MEM_OPENS: open files
 * @PMM_MEM_MAPS: user mappings
 * @PMM_MEM_LOCKS: transaction locks
 * @PMM_MEM_DMABUFS: exported dma-bufs
 */
enum pmm_mem_count {
	PMM_MEM_OPENS,
	PMM_MEM_MAPS,
	PMM_MEM_LOCKS,
	PMM_MEM_DMABUFS,
};

/* The device numbers of buffer nodes: one region, one cdev. */
#define PMM_MINORS	BIT(16)

/* pmm_parse.c */
bool pmm_name_valid(const char *name);
int pmm_parse_size(const char *s, u64 *out);
const char *pmm_cache_name(u32 cache);

/* pmm_reserve.c */
int pmm_reserve_carveout(struct pmm_pool *pool);
int pmm_reserve_contig(struct pmm_pool *pool);
int pmm_reserve_cma(struct pmm_pool *pool);
void pmm_reserve_release(struct pmm_pool *pool);

/* pmm_fit.c */
unsigned long pmm_fit_alloc(struct gen_pool *gen, u64 size, u64 align,
			    u64 boundary);

/* pmm_type.c */
void pmm_type_faults_init(void);
void pmm_type_faults_exit(void);
int pmm_type_set(struct pmm_pool *pool, phys_addr_t phys, u64 size, u32 cache);
int pmm_type_init(struct pmm_pool *pool);
bool pmm_type_exit(struct pmm_pool *pool);

/* pmm_extent.c */
int pmm_extent_alloc(struct pmm_pool *pool, u64 size, u64 align, u64 boundary,
		     const char *owner, bool heap, phys_addr_t *phys);
void pmm_extent_free(struct pmm_pool *pool, phys_addr_t phys, u64 size);
void pmm_extent_hold(struct pmm_pool *pool, phys_addr_t phys);
ssize_t pmm_extent_map(struct pmm_pool *pool, char *buf, size_t len);

/* pmm_pool.c */
int pmm_pool_add(const struct pmm_pool_spec *spec);
int pmm_pools_init(const char *spec, struct device *dev);
void pmm_pools_exit(void);
struct pmm_pool *pmm_pool_find(const char *name);
struct pmm_pool *pmm_pool_first(void);
struct pmm_pool *pmm_pool_next(struct pmm_pool *pool);
u64 pmm_pools_max_size(void);
const char *pmm_pool_backend_name(struct pmm_pool *pool);
u64 pmm_pool_largest_free(struct pmm_pool *pool);
int pmm_pool_alloc(struct pmm_pool *pool, u64 size, u64 align, u64 boundary,
		   const char *owner, bool heap, phys_addr_t *phys);
void pmm_pool_free(struct pmm_pool *pool, phys_addr_t phys, u64 size,
		   bool heap);
void pmm_pool_zero_new(struct pmm_pool *pool, phys_addr_t phys, u64 size,
		       void (*zero)(void *arg, u64 off, u64 len), void *arg);
void pmm_pool_stats(struct pmm_pool *pool, struct pmm_pool_stats *st);
void pmm_pool_hold(struct pmm_pool *pool, phys_addr_t phys, u64 size);
void pmm_pool_unhold(struct pmm_pool *pool, u64 size);

/* pmm_map.c */
int pmm_mem_map_kernel(struct pmm_mem *mem);
void pmm_mem_unmap_kernel(struct pmm_mem *mem);
void pmm_mem_zero_range(void *arg, u64 off, u64 len);
int pmm_mem_mmap(struct pmm_mem *mem, struct vm_area_struct *vma);
void pmm_mem_sync(struct pmm_mem *mem, u64 off, u64 len, bool for_cpu,
		  enum dma_data_direction dir);
struct pmm_mem *pmm_vma_mem(struct vm_area_struct *vma);

/* pmm_mem.c */
int pmm_mem_init(void);
void pmm_mem_exit(void);
dev_t pmm_mem_devt(void);
struct pmm_mem *pmm_mem_create(const struct pmm_mem_desc *desc,
			       const char *name);
struct pmm_mem *pmm_mem_create_anon(const struct pmm_mem_desc *desc,
				    const char *name);
int pmm_mem_destroy(struct pmm_mem *mem);
struct pmm_mem *pmm_mem_find(const char *name);
struct pmm_mem *pmm_mem_open(unsigned int minor);
void pmm_mem_close(struct pmm_mem *mem);
unsigned int pmm_mem_count(struct pmm_mem *mem, enum pmm_mem_count which);

/* pmm_dmabuf.c */
void pmm_dmabuf_sync(struct pmm_mem *mem, u64 off, u64 len, bool for_cpu,
		     enum dma_data_direction dir);
struct dma_buf *pmm_dmabuf_export(struct pmm_mem *mem, u32 flags);

/* pmm_api.c: include/linux/pmm.h */

/* pmm_device.c */
struct device *pmm_device_init(void);
void pmm_device_exit(void);

/* pmm_heap.c */
int pmm_heap_init(void);
void pmm_heap_exit(void);

/* pmm_cdev.c */
int pmm_cdev_init(void);
void pmm_cdev_exit(void);

/* pmm_enable.c */
extern struct configfs_attribute pmm_buf_attr_enable;
extern struct configfs_attribute pmm_buf_attr_state;
extern struct configfs_attribute pmm_buf_attr_phys_addr;
extern struct configfs_attribute pmm_buf_attr_opens;
extern struct configfs_attribute pmm_buf_attr_maps;
extern struct configfs_attribute pmm_buf_attr_locks;
extern struct configfs_attribute pmm_buf_attr_dmabufs;

/* pmm_buffer.c */
struct config_group *pmm_buffer_create(const char *name);

/* pmm_configfs.c */
int pmm_configfs_init(void);
void pmm_configfs_exit(void);

#endif /* _PMM_H */
