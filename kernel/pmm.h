/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMM - physical memory manager: internal interfaces shared by the module's
 * translation units.
 *
 * Lock hierarchy, outermost first:
 *   configfs subsystem mutex (pmm_subsys.su_mutex): the tree (mkdir/rmdir);
 *   pmm_buffer.lock: every attribute of one buffer and its enable state;
 *   pmm_file.lock: the lock one open file holds (waits for pmm_mem.lock_wq);
 *   pmm_mem.lock: counts, lock holders, attachments and the dead flag of one
 *     allocation;
 *   pmm_held_lock (pmm_cdev.c): the memory held after its release while
 *     pages are still referenced; a disable, which may release memory,
 *     takes it inside pmm_buffer.lock;
 *   pmm_pool.zero_lock: which pages of a pool have been zeroed.
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
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/pmm.h>

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
 * struct pmm_pool - one memory type, reserved at module load
 * @node: entry in the list of pools, in module parameter order
 * @name: the memory type's name (pools/NAME, a buffer's memtype)
 * @backend: carveout or contig
 * @base: physical address of the first byte
 * @size: bytes
 * @gen: sub-allocator over [@base, @base + @size)
 * @res: the claimed region (carveout only)
 * @res_name: "pmm:NAME", the name /proc/iomem shows for @res
 * @nr_buffers: live allocations from this pool, held ones included
 * @held: bytes of allocations whose buffer is gone but whose pages are
 *	still referenced from outside PMM (pmm_mem.held_node)
 * @zero_lock: protects @zeroed
 * @zeroed: pages some buffer has had, which are zero while free (zeroing
 *	on free only; NULL when zeroing on allocation)
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
	atomic_t nr_buffers;
	atomic64_t held;
	struct mutex zero_lock;	/* @zeroed; innermost */
	unsigned long *zeroed;
	struct config_group group;
};

/**
 * struct pmm_mem - the memory of one enabled buffer and its device node
 * @dev: /dev/pmm/NAME; its release returns the memory to the pool, so the
 *	memory lives as long as the node, any open file or any mapping
 * @pool: where the memory came from
 * @phys: physical address
 * @size: bytes, a multiple of PAGE_SIZE
 * @align: the alignment it was allocated with
 * @boundary: the boundary it was allocated with
 * @cache: cacheability of every mapping of it
 * @vaddr: kernel view with the same cacheability
 * @uid: owner of the node
 * @gid: group of the node
 * @mode: permissions of the node
 * @lock: protects every field below it
 * @opens: open files (a mapping keeps its file open)
 * @maps: live VMAs
 * @shared_locks: holders of a shared transaction lock
 * @excl_locked: an exclusive transaction lock is held
 * @lock_wq: where lockers wait for a conflicting holder to go
 * @dmabufs: live dma-bufs exported from this memory
 * @attachments: their device attachments (struct pmm_attachment)
 * @dead: the buffer was disabled; new opens, locks and exports fail
 * @held_node: entry in the list of memory held after its release, while
 *	pages are still referenced from outside PMM (or its linear map could
 *	not be restored)
 * @busy_pfn: the first page found still referenced, where the next check
 *	of held memory starts
 *
 * The buffer's name is the device's (dev_name()), which lasts as long as
 * this memory, after rmdir too.
 */
struct pmm_mem {
	struct device dev;
	struct pmm_pool *pool;
	phys_addr_t phys;
	size_t size;
	u64 align;
	u64 boundary;
	u32 cache;
	void *vaddr;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct mutex lock;	/* opens, maps, dead; inside pmm_buffer.lock */
	unsigned int opens;
	unsigned int maps;
	unsigned int shared_locks;
	bool excl_locked;
	wait_queue_head_t lock_wq;
	unsigned int dmabufs;
	struct list_head attachments;
	bool dead;
	struct list_head held_node;
	unsigned long busy_pfn;
};

/**
 * struct pmm_buffer - a buffer declared in configfs (buffers/NAME)
 * @group: the configfs directory
 * @lock: protects every field below and serialises enable/disable
 * @size: requested size in bytes, rounded up to PAGE_SIZE; 0 = unset
 * @align: alignment of the physical address, a power of two >= PAGE_SIZE
 * @boundary: 0, or a power of two the buffer must not cross
 * @pool: memory type, NULL if the module has no pools
 * @cache: cacheability
 * @uid: owner of /dev/pmm/NAME
 * @gid: group of /dev/pmm/NAME
 * @mode: permissions of /dev/pmm/NAME
 * @mem: the allocation while enabled, NULL while disabled
 */
struct pmm_buffer {
	struct config_group group;
	struct mutex lock;	/* everything below; enable/disable */
	u64 size;
	u64 align;
	u64 boundary;
	struct pmm_pool *pool;
	u32 cache;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct pmm_mem *mem;
};

extern struct class pmm_class;
extern struct list_head pmm_pools;

int pmm_pools_init(const char *spec);
void pmm_pools_exit(void);
struct pmm_pool *pmm_pool_find(const char *name);
struct pmm_pool *pmm_pool_first(void);
u64 pmm_pool_largest_free(struct pmm_pool *pool);
phys_addr_t pmm_pool_alloc(struct pmm_pool *pool, u64 size, u64 align,
			   u64 boundary);
void pmm_pool_free(struct pmm_pool *pool, phys_addr_t phys, u64 size);
bool pmm_zero_on_free(void);
void pmm_pool_zero_new(struct pmm_pool *pool, phys_addr_t phys, u64 size,
		       void (*zero)(void *arg, u64 off, u64 len), void *arg);
void pmm_pools_add_groups(struct config_group *parent);

bool pmm_name_valid(const char *name);
int pmm_parse_size(const char *s, u64 *out);
const char *pmm_cache_name(u32 cache);

int pmm_configfs_init(void);
void pmm_configfs_exit(void);

int pmm_cdev_init(void);
void pmm_cdev_exit(void);
struct pmm_mem *pmm_mem_create(struct pmm_buffer *buf, const char *name);
int pmm_mem_destroy(struct pmm_mem *mem);
unsigned int pmm_mem_locks(struct pmm_mem *mem);
int pmm_mem_mmap(struct pmm_mem *mem, struct vm_area_struct *vma);
void pmm_mem_sync(struct pmm_mem *mem, bool for_cpu,
		  enum dma_data_direction dir);
struct dma_buf *pmm_dmabuf_export(struct pmm_mem *mem, u32 flags);

#endif /* _PMM_H */
