// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - the memory of one enabled buffer: its allocation from a pool, its
 * device (/dev/pmm/NAME, class "pmm") and device number, and its release.
 *
 * Lifetime: struct pmm_mem embeds the node's struct device, and the
 * device's release is what returns the memory to its pool.  The enabled
 * buffer, every open file, every mapping (through its file), every dma-buf
 * and every kernel user hold a reference; pages still referenced from
 * outside PMM when the last one goes keep the memory held (below).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "pmm.h"
#include "pmm_compat.h"

/*
 * Open finds the buffer by minor in pmm_mems (PMM_MINORS of them).  A
 * minor stays allocated (a reserved, NULL entry once the buffer is
 * disabled) until its memory is released, so a node that is going away
 * can never open a newer buffer that got its number.
 */
static dev_t pmm_devt;
static DEFINE_XARRAY_ALLOC(pmm_mems);
static u32 pmm_next_minor;
/*
 * struct pmm_mem is not a kmalloc size: from kmalloc it would take the
 * next power of two.  A cache of its own packs them.
 */
static struct kmem_cache *pmm_mem_cache;

static char *pmm_devnode(pmm_devnode_dev *dev, umode_t *mode)
{
	/* Buffers live under /dev/pmm/ so their names cannot clash with others. */
	return kasprintf(GFP_KERNEL, "pmm/%s", dev_name(dev));
}

static struct class pmm_class = {
	.name = "pmm",
	.devnode = pmm_devnode,
};

static inline struct pmm_mem *to_pmm_mem(struct device *dev)
{
	return container_of(dev, struct pmm_mem, dev);
}

/*
 * Whether any page of contig memory is referenced from outside PMM.  Each
 * page of a contig pool has one reference, PMM's own, from the allocation
 * of the pool; mappings add theirs, but so does get_user_pages(), and
 * those outlive every mapping: vmsplice(2) into a pipe holds the pages for
 * as long as the pipe lives, O_DIRECT I/O until it completes, RDMA until
 * the registration goes.  With no mapping left nobody can take a new
 * reference to a page that has none but PMM's, so a page found free stays
 * free, and the next check starts at the first busy one.  Carveouts are
 * mapped as raw PFNs, which get_user_pages() refuses.
 */
static bool pmm_mem_pages_referenced(struct pmm_mem *mem)
{
	unsigned long end = PHYS_PFN(mem->phys + mem->desc.size);

	if (mem->desc.pool->backend != PMM_BACKEND_CONTIG)
		return false;
	if (!mem->busy_pfn)
		mem->busy_pfn = PHYS_PFN(mem->phys);
	for (; mem->busy_pfn < end; mem->busy_pfn++)
		if (page_count(pfn_to_page(mem->busy_pfn)) != 1)
			return true;
	return false;
}

/*
 * Give released memory back to its pool, unless it cannot go yet: pages
 * still referenced (it is neither zeroed nor handed to a new owner while
 * someone outside PMM can read or write it).  Returns true if it went
 * back.
 */
static bool pmm_mem_retire(struct pmm_mem *mem)
{
	if (pmm_mem_pages_referenced(mem))
		return false;
	/*
	 * Zero through the mapping its users had, while that still exists,
	 * so the pool's free memory stays zero (zero_on_free).
	 */
	if (mem->desc.pool->zero_on_free)
		pmm_mem_zero_range(mem, 0, mem->desc.size);
	pmm_mem_unmap_kernel(mem);
	pmm_pool_free(mem->desc.pool, mem->phys, mem->desc.size,
		      mem->desc.heap);
	return true;
}

static void pmm_mem_free(struct pmm_mem *mem)
{
	mutex_destroy(&mem->lock);
	kmem_cache_free(pmm_mem_cache, mem);
}

/*
 * Memory released while still referenced is held: out of its pool, on
 * this list, checked again every PMM_HELD_RETRY until it can go back.
 * Each held allocation holds a module reference, so the module (and with
 * it the pool, whose pages free_contig_range() would otherwise give to
 * the page allocator under the holder) cannot be unloaded meanwhile.
 */
#define PMM_HELD_RETRY	(HZ / 10)

static LIST_HEAD(pmm_held);
static DEFINE_MUTEX(pmm_held_lock);

static void pmm_held_retry(struct work_struct *work)
{
	struct pmm_mem *mem, *tmp;
	LIST_HEAD(retired);
	bool more;

	mutex_lock(&pmm_held_lock);
	list_for_each_entry_safe(mem, tmp, &pmm_held, held_node)
		if (pmm_mem_retire(mem))
			list_move(&mem->held_node, &retired);
	more = !list_empty(&pmm_held);
	mutex_unlock(&pmm_held_lock);
	if (more)
		schedule_delayed_work(to_delayed_work(work), PMM_HELD_RETRY);

	list_for_each_entry_safe(mem, tmp, &retired, held_node) {
		struct pmm_pool *pool = mem->desc.pool;
		u64 size = mem->desc.size;

		pmm_mem_free(mem);
		/*
		 * The module reference goes before the count user space
		 * watches, so that once held reads 0 the module can be
		 * unloaded.  Running on after it is safe: pmm_mem_exit()
		 * waits for this work before the pools and the cache go.
		 */
		module_put(THIS_MODULE);
		pr_info("pool '%s': %llu held bytes released, back in the pool\n",
			pool->name, size);
		pmm_pool_unhold(pool, size);
	}
}

static DECLARE_DELAYED_WORK(pmm_held_work, pmm_held_retry);

static void pmm_mem_release(struct device *dev)
{
	struct pmm_mem *mem = to_pmm_mem(dev);

	/* A heap allocation has no node and so no device number. */
	if (dev->devt)
		xa_erase(&pmm_mems, MINOR(dev->devt));
	if (pmm_mem_retire(mem)) {
		pmm_mem_free(mem);
		return;
	}

	pr_warn("buffer '%s': %llu bytes stay out of pool '%s': pages are still referenced outside PMM (get_user_pages: a pipe, I/O in flight); the module cannot be unloaded until they are released\n",
		dev_name(dev), mem->desc.size, mem->desc.pool->name);
	__module_get(THIS_MODULE);
	pmm_pool_hold(mem->desc.pool, mem->phys, mem->desc.size);
	mutex_lock(&pmm_held_lock);
	list_add_tail(&mem->held_node, &pmm_held);
	mutex_unlock(&pmm_held_lock);
	mod_delayed_work(system_wq, &pmm_held_work, PMM_HELD_RETRY);
}

static char *pmm_mem_devnode(pmm_devnode_dev *dev, umode_t *mode,
			     kuid_t *uid, kgid_t *gid)
{
	const struct pmm_mem *mem = container_of(dev, struct pmm_mem, dev);

	/* Owner and mode of the devtmpfs node; the class gives the name. */
	if (mode)
		*mode = mem->desc.mode;
	if (uid)
		*uid = mem->desc.uid;
	if (gid)
		*gid = mem->desc.gid;
	return NULL;
}

static int pmm_mem_uevent(pmm_uevent_dev *dev, struct kobj_uevent_env *env)
{
	const struct pmm_mem *mem = container_of(dev, struct pmm_mem, dev);

	return add_uevent_var(env, "PMM_NAME=%s", dev_name(dev)) ?:
	       add_uevent_var(env, "PMM_SIZE=%llu", mem->desc.size) ?:
	       add_uevent_var(env, "PMM_MEMTYPE=%s", mem->desc.pool->name) ?:
	       add_uevent_var(env, "PMM_CACHE=%s", pmm_cache_name(mem->desc.cache)) ?:
	       /* Owner and mode as configfs set them, so udev rules can defer. */
	       add_uevent_var(env, "PMM_UID=%u", from_kuid(&init_user_ns, mem->desc.uid)) ?:
	       add_uevent_var(env, "PMM_GID=%u", from_kgid(&init_user_ns, mem->desc.gid)) ?:
	       add_uevent_var(env, "PMM_MODE=%04o", mem->desc.mode);
}

static const struct device_type pmm_mem_type = {
	.name = "pmm_buffer",
	.devnode = pmm_mem_devnode,
	.uevent = pmm_mem_uevent,
};

/**
 * pmm_mem_create_anon() - Allocate and map memory, zeroed, with no node:
 *	for the pool's DMA-BUF heap, and the first half of pmm_mem_create().
 * @desc: what to allocate, validated
 * @name: the device's name, which log messages call it by
 *
 * Its device, whose release gives the memory back once no reference and
 * no page reference is left, is initialised but not added: nothing can
 * look it up.  The caller's reference (pmm_mem_put()) is its only one.
 *
 * Context: Process context.
 * Return: the new allocation, or an ERR_PTR(): -ENOSPC if the pool has no
 * fitting free range, not logged (the caller says why it wanted one).
 */
struct pmm_mem *pmm_mem_create_anon(const struct pmm_mem_desc *desc,
				    const char *name)
{
	struct pmm_pool *pool = desc->pool;
	struct pmm_mem *mem;
	int ret;

	mem = kmem_cache_zalloc(pmm_mem_cache, GFP_KERNEL);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->desc = *desc;
	mutex_init(&mem->lock);
	init_waitqueue_head(&mem->lock_wq);
	INIT_LIST_HEAD(&mem->attachments);

	ret = pmm_pool_alloc(pool, desc->size, desc->align, desc->boundary,
			     name, desc->heap, &mem->phys);
	if (ret)
		goto out_free_mem;

	ret = pmm_mem_map_kernel(mem);
	if (ret) {
		pr_err("%s '%s': %s: cannot map %s memory: %d\n",
		       desc->heap ? "heap" : "buffer", name,
		       desc->heap ? "alloc" : "enable",
		       pmm_cache_name(mem->desc.cache), ret);
		goto out_free_range;
	}
	pmm_pool_zero_new(pool, mem->phys, mem->desc.size, pmm_mem_zero_range, mem);

	/* From here on the device's release undoes everything above. */
	device_initialize(&mem->dev);
	/*
	 * A buffer has no power states: without this every node would carry
	 * a power/ directory of runtime-PM attributes in sysfs (kernel memory
	 * per buffer, tests/bench).
	 */
	device_set_pm_not_required(&mem->dev);
	mem->dev.release = pmm_mem_release;
	ret = dev_set_name(&mem->dev, "%s", name);
	if (ret) {
		put_device(&mem->dev);
		return ERR_PTR(ret);
	}
	return mem;

out_free_range:
	pmm_pool_free(pool, mem->phys, mem->desc.size, desc->heap);
out_free_mem:
	mutex_destroy(&mem->lock);
	kmem_cache_free(pmm_mem_cache, mem);
	return ERR_PTR(ret);
}

/**
 * pmm_mem_create() - Allocate and map a buffer's memory, zeroed, and
 *	create its device node.
 * @desc: what to allocate, validated
 * @name: the buffer's name, which becomes /dev/pmm/@name
 *
 * Context: Process context.
 * Return: the new allocation, or an ERR_PTR(): -ENOSPC if the pool has no
 * fitting free range (logged with the largest free block).
 */
struct pmm_mem *pmm_mem_create(const struct pmm_mem_desc *desc,
			       const char *name)
{
	struct pmm_pool *pool = desc->pool;
	struct pmm_mem *mem;
	u32 minor;
	int ret;

	/*
	 * Reserved (NULL) until the device can be opened.  Handed out in
	 * turn, not lowest first: a node devtmpfs failed to remove (which
	 * device_del() cannot report) must not open the next buffer.
	 */
	ret = xa_alloc_cyclic(&pmm_mems, &minor, NULL,
			      XA_LIMIT(0, PMM_MINORS - 1), &pmm_next_minor,
			      GFP_KERNEL);
	if (ret > 0)
		ret = 0;	/* wrapped around: not an error */
	if (ret == -EBUSY) {
		pr_err("buffer '%s': enable: no free device number (%lu buffers are enabled)\n",
		       name, PMM_MINORS);
		ret = -ENOSPC;
	}
	if (ret)
		return ERR_PTR(ret);

	mem = pmm_mem_create_anon(desc, name);
	if (IS_ERR(mem)) {
		if (PTR_ERR(mem) == -ENOSPC)
			pr_err("buffer '%s': enable: pool '%s' has no free range of %llu bytes (align %llu, boundary %llu); largest free block %llu bytes\n",
			       name, pool->name, desc->size, desc->align,
			       desc->boundary, pmm_pool_largest_free(pool));
		xa_erase(&pmm_mems, minor);
		return mem;
	}

	mem->dev.class = &pmm_class;
	mem->dev.type = &pmm_mem_type;
	mem->dev.devt = MKDEV(MAJOR(pmm_devt), minor);

	/* Publish before the node appears: no window where open fails. */
	xa_store(&pmm_mems, minor, mem, 0);
	ret = device_add(&mem->dev);
	if (ret) {
		xa_store(&pmm_mems, minor, NULL, 0);
		put_device(&mem->dev);
		return ERR_PTR(ret);
	}
	return mem;
}

/**
 * pmm_mem_destroy() - Remove a buffer's node and drop the buffer's
 *	reference to its memory.
 * @mem: the allocation
 *
 * Refused while any file is open or any mapping exists, so that disabling
 * a buffer in use fails loudly instead of leaving clients on memory that
 * no longer has a name.
 *
 * Context: Process context, the owning buffer's lock held.
 * Return: 0, or -EBUSY if the memory is still open or mapped.
 */
int pmm_mem_destroy(struct pmm_mem *mem)
{
	mutex_lock(&mem->lock);
	if (mem->opens || mem->maps || mem->shared_locks || mem->excl_locked ||
	    mem->dmabufs) {
		pr_err("buffer '%s': enable: still in use (%u open files, %u mappings, %u locks, %u dma-bufs)\n",
		       dev_name(&mem->dev), mem->opens, mem->maps,
		       mem->shared_locks + mem->excl_locked, mem->dmabufs);
		mutex_unlock(&mem->lock);
		return -EBUSY;
	}
	mem->disabled = true;
	mutex_unlock(&mem->lock);
	/* Kernel users waiting in pmm_mem_lock() get -ENODEV now. */
	wake_up_all(&mem->lock_wq);

	/* New opens fail from here; open files keep their reference. */
	xa_store(&pmm_mems, MINOR(mem->dev.devt), NULL, 0);
	device_del(&mem->dev);
	put_device(&mem->dev);
	return 0;
}

/**
 * pmm_mem_find() - Take a reference to an enabled buffer's memory by name.
 * @name: the buffer's name (/dev/pmm/@name)
 *
 * Context: Process context.
 * Return: the memory, ERR_PTR(-ENOENT) if no buffer of that name is
 * enabled.
 */
struct pmm_mem *pmm_mem_find(const char *name)
{
	struct pmm_mem *mem;
	struct device *dev;

	dev = class_find_device_by_name(&pmm_class, name);
	if (!dev)
		return ERR_PTR(-ENOENT);
	mem = to_pmm_mem(dev);
	mutex_lock(&mem->lock);
	if (mem->disabled) {
		mutex_unlock(&mem->lock);
		put_device(dev);
		return ERR_PTR(-ENOENT);
	}
	mutex_unlock(&mem->lock);
	return mem;
}

/**
 * pmm_mem_open() - Take a reference to the memory behind a device number,
 *	for an open file.
 * @minor: the node's minor
 *
 * Context: Process context.
 * Return: the memory, counted in its open files, or ERR_PTR(-ENODEV) if
 * the buffer is disabled.
 */
struct pmm_mem *pmm_mem_open(unsigned int minor)
{
	struct pmm_mem *mem;

	/* The reference is taken before pmm_mem_destroy() can unpublish it. */
	xa_lock(&pmm_mems);
	mem = xa_load(&pmm_mems, minor);
	if (mem)
		get_device(&mem->dev);
	xa_unlock(&pmm_mems);
	if (!mem)
		return ERR_PTR(-ENODEV);

	mutex_lock(&mem->lock);
	if (mem->disabled) {
		mutex_unlock(&mem->lock);
		put_device(&mem->dev);
		return ERR_PTR(-ENODEV);
	}
	mem->opens++;
	mutex_unlock(&mem->lock);
	return mem;
}

/**
 * pmm_mem_close() - Drop an open file's reference from pmm_mem_open().
 * @mem: the memory
 *
 * Context: Process context.
 */
void pmm_mem_close(struct pmm_mem *mem)
{
	mutex_lock(&mem->lock);
	mem->opens--;
	mutex_unlock(&mem->lock);
	put_device(&mem->dev);
}

/**
 * pmm_mem_count() - One of the counts that keep a buffer from being
 *	disabled.
 * @mem: the memory
 * @which: open files, mappings, transaction locks or dma-bufs
 *
 * Context: Process context.
 * Return: the count, a snapshot.
 */
unsigned int pmm_mem_count(struct pmm_mem *mem, enum pmm_mem_count which)
{
	unsigned int n = 0;

	mutex_lock(&mem->lock);
	switch (which) {
	case PMM_MEM_OPENS:
		n = mem->opens;
		break;
	case PMM_MEM_MAPS:
		n = mem->maps;
		break;
	case PMM_MEM_LOCKS:
		n = mem->shared_locks + mem->excl_locked;
		break;
	case PMM_MEM_DMABUFS:
		n = mem->dmabufs;
		break;
	}
	mutex_unlock(&mem->lock);
	return n;
}

/**
 * pmm_mem_devt() - The first device number of buffer nodes.
 *
 * Return: the region pmm_mem_init() reserved, PMM_MINORS numbers long.
 */
dev_t pmm_mem_devt(void)
{
	return pmm_devt;
}

/**
 * pmm_mem_init() - Register the class and reserve the device numbers of
 *	buffer nodes, and the cache their memory objects come from.
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int pmm_mem_init(void)
{
	int ret;

	pmm_mem_cache = KMEM_CACHE(pmm_mem, 0);
	if (!pmm_mem_cache)
		return -ENOMEM;
	ret = alloc_chrdev_region(&pmm_devt, 0, PMM_MINORS, "pmm");
	if (ret)
		goto out_destroy_cache;
	ret = class_register(&pmm_class);
	if (ret)
		goto out_unregister_region;
	pmm_type_faults_init();
	return 0;

out_unregister_region:
	unregister_chrdev_region(pmm_devt, PMM_MINORS);
out_destroy_cache:
	kmem_cache_destroy(pmm_mem_cache);
	return ret;
}

/**
 * pmm_mem_exit() - Undo pmm_mem_init().
 *
 * Context: Module exit, no buffer enabled.
 */
void pmm_mem_exit(void)
{
	/*
	 * Held memory holds a module reference, so the work is done or
	 * idle; it may still be finishing the run that dropped the last.
	 */
	cancel_delayed_work_sync(&pmm_held_work);
	WARN_ON(!list_empty(&pmm_held));
	pmm_type_faults_exit();
	class_unregister(&pmm_class);
	unregister_chrdev_region(pmm_devt, PMM_MINORS);
	WARN_ON(!xa_empty(&pmm_mems));
	/* Complains (a splat the tests catch) if any allocation leaked. */
	kmem_cache_destroy(pmm_mem_cache);
}
