// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - every pool as a DMA-BUF heap: /dev/dma_heap/pmm-POOL answers
 * DMA_HEAP_IOCTL_ALLOC (include/uapi/linux/dma-heap.h) with an anonymous
 * allocation from the pool, exported as a dma-buf.
 *
 * The nodes belong to PMM's own class, "pmm_heap", named under dma_heap/
 * like the heaps of the kernel's dma-heap core (which Debian's kernels are
 * built without); the "pmm-" prefix keeps them apart from the core's heaps
 * where it exists too.  Permission to open a node is permission to
 * allocate from it, as with the core (Android's allocator opens heaps
 * read-only); what the caller gets is memory no one else can reach.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include <linux/pmm.h>

#include "pmm.h"
#include "pmm_compat.h"

static unsigned int pmm_heap_uid;
module_param_named(heap_uid, pmm_heap_uid, uint, 0444);
MODULE_PARM_DESC(heap_uid, "Owner of the /dev/dma_heap/pmm-POOL nodes (default 0)");

static unsigned int pmm_heap_gid;
module_param_named(heap_gid, pmm_heap_gid, uint, 0444);
MODULE_PARM_DESC(heap_gid, "Group of the /dev/dma_heap/pmm-POOL nodes (default 0)");

static unsigned short pmm_heap_mode = 0600;
module_param_named(heap_mode, pmm_heap_mode, ushort, 0444);
MODULE_PARM_DESC(heap_mode, "Permissions of the /dev/dma_heap/pmm-POOL nodes (default 0600)");

/*
 * Heap allocations are aligned to the largest power of two not above
 * their size, up to 1 MiB: what the CMA heap gives (CONFIG_CMA_ALIGNMENT's
 * default), without rounding a size up to its alignment.
 */
#define PMM_HEAP_ALIGN_MAX	SZ_1M

/**
 * struct pmm_heap - one pool's DMA-BUF heap node
 * @dev: /dev/dma_heap/pmm-POOL
 * @cdev: its character device
 * @pool: where allocations come from
 * @cache: what they get: cached, the dma-heap convention, unless the pool
 *	cannot give cached memory (a carveout for a device without coherent
 *	DMA), when write-combined
 * @seq: numbers allocations in log messages
 */
struct pmm_heap {
	struct device dev;
	struct cdev cdev;
	struct pmm_pool *pool;
	u32 cache;
	atomic_t seq;
};

static inline struct pmm_heap *to_pmm_heap(struct device *dev)
{
	return container_of(dev, struct pmm_heap, dev);
}

static dev_t pmm_heap_devt;
static unsigned int pmm_nr_heaps;
static struct pmm_heap **pmm_heaps;

static char *pmm_heap_devnode(pmm_devnode_dev *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "dma_heap/%s", dev_name(dev));
}

static struct class pmm_heap_class = {
	.name = "pmm_heap",
	.devnode = pmm_heap_devnode,
};

static char *pmm_heap_type_devnode(pmm_devnode_dev *dev, umode_t *mode,
				   kuid_t *uid, kgid_t *gid)
{
	if (mode)
		*mode = pmm_heap_mode;
	if (uid)
		*uid = make_kuid(&init_user_ns, pmm_heap_uid);
	if (gid)
		*gid = make_kgid(&init_user_ns, pmm_heap_gid);
	return NULL;
}

static int pmm_heap_uevent(pmm_uevent_dev *dev, struct kobj_uevent_env *env)
{
	const struct pmm_heap *heap = container_of(dev, struct pmm_heap, dev);

	return add_uevent_var(env, "PMM_MEMTYPE=%s", heap->pool->name) ?:
	       add_uevent_var(env, "PMM_CACHE=%s", pmm_cache_name(heap->cache)) ?:
	       /* The owner the parameters gave, so udev rules can defer. */
	       add_uevent_var(env, "PMM_UID=%u", pmm_heap_uid) ?:
	       add_uevent_var(env, "PMM_GID=%u", pmm_heap_gid) ?:
	       add_uevent_var(env, "PMM_MODE=%04o", pmm_heap_mode);
}

static void pmm_heap_release(struct device *dev)
{
	kfree(to_pmm_heap(dev));
}

static const struct device_type pmm_heap_type = {
	.name = "pmm_heap",
	.devnode = pmm_heap_type_devnode,
	.uevent = pmm_heap_uevent,
	.release = pmm_heap_release,
};

static int pmm_heap_open(struct inode *inode, struct file *file)
{
	file->private_data = container_of(inode->i_cdev, struct pmm_heap, cdev);
	return nonseekable_open(inode, file);
}

/* A refusal names the heap and the field of the request. */
#define pmm_heap_err(heap, field, fmt, ...) \
	pr_err_ratelimited("heap '%s': %s: " fmt, dev_name(&(heap)->dev), \
			   field, ##__VA_ARGS__)

/*
 * The request's fields as dma_heap_ioctl_allocate() checks them, and the
 * memory: zeroed, in the pool's heap count.  Returns the dma-buf, which
 * holds the only reference to the memory.
 */
static struct dma_buf *pmm_heap_alloc(struct pmm_heap *heap,
				      const struct dma_heap_allocation_data *data)
{
	struct pmm_pool *pool = heap->pool;
	struct pmm_mem_desc desc = {
		.pool = pool,
		.cache = heap->cache,
		.heap = true,
	};
	struct dma_buf *dmabuf;
	struct pmm_mem *mem;
	char name[PMM_NAME_MAX + 16];

	if (data->fd) {
		pmm_heap_err(heap, "fd", "must be 0 on entry, is %u\n", data->fd);
		return ERR_PTR(-EINVAL);
	}
	if (data->fd_flags & ~(O_CLOEXEC | O_ACCMODE)) {
		pmm_heap_err(heap, "fd_flags", "%#x has bits beside O_CLOEXEC and O_ACCMODE\n",
			     data->fd_flags);
		return ERR_PTR(-EINVAL);
	}
	if (data->heap_flags) {
		pmm_heap_err(heap, "heap_flags", "%#llx: no heap flags are defined\n",
			     data->heap_flags);
		return ERR_PTR(-EINVAL);
	}
	/* Compared before rounding, which would wrap a length near 2^64. */
	if (!data->len || data->len > pool->size) {
		pmm_heap_err(heap, "len",
			     "%llu bytes: not within 1 and the size of pool '%s' (%llu bytes)\n",
			     data->len, pool->name, pool->size);
		return ERR_PTR(-EINVAL);
	}
	desc.size = PAGE_ALIGN(data->len);
	desc.align = min_t(u64, rounddown_pow_of_two(desc.size),
			   PMM_HEAP_ALIGN_MAX);

	snprintf(name, sizeof(name), "%s:%u", dev_name(&heap->dev),
		 atomic_inc_return(&heap->seq));
	mem = pmm_mem_create_anon(&desc, name);
	if (IS_ERR(mem)) {
		if (PTR_ERR(mem) != -ENOSPC)
			return ERR_CAST(mem);
		/* ENOMEM, the heaps' convention for an exhausted heap. */
		pmm_heap_err(heap, "len",
			     "pool '%s' has no free range of %llu bytes (align %llu); largest free block %llu bytes\n",
			     pool->name, desc.size, desc.align,
			     pmm_pool_largest_free(pool));
		return ERR_PTR(-ENOMEM);
	}

	dmabuf = pmm_dmabuf_export(mem, data->fd_flags);
	/* The dma-buf holds its own reference, or the memory goes back. */
	pmm_mem_put(mem);
	return dmabuf;
}

/*
 * DMA_HEAP_IOCTL_ALLOC in the struct sizes dma_heap_ioctl() takes: a
 * smaller struct from older user space reads as zero beyond its end, the
 * part of a larger one this header does not know is ignored and left as
 * it was.  The descriptor is reserved first and installed only once it has
 * been copied out, so that a fault cannot leave an fd the caller never
 * learnt of.
 */
static long pmm_heap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct pmm_heap *heap = file->private_data;
	struct dma_heap_allocation_data data = {};
	void __user *uarg = (void __user *)arg;
	size_t size = min_t(size_t, _IOC_SIZE(cmd), sizeof(data));
	struct dma_buf *dmabuf;
	int fd, ret;

	if (_IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC ||
	    _IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC) ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	/* Too small to hand the descriptor back. */
	if (size < offsetofend(struct dma_heap_allocation_data, fd))
		return -EINVAL;
	if (copy_from_user(&data, uarg, size))
		return -EFAULT;

	dmabuf = pmm_heap_alloc(heap, &data);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = get_unused_fd_flags(data.fd_flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_put_dmabuf;
	}
	data.fd = fd;
	if (copy_to_user(uarg, &data, size)) {
		ret = -EFAULT;
		goto out_put_fd;
	}
	fd_install(fd, dmabuf->file);
	return 0;

out_put_fd:
	put_unused_fd(fd);
out_put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

static const struct file_operations pmm_heap_fops = {
	.owner = THIS_MODULE,
	.open = pmm_heap_open,
	.unlocked_ioctl = pmm_heap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* Where a cached carveout would need maintenance its mapping cannot get. */
static u32 pmm_heap_cache(struct pmm_pool *pool)
{
	if (pool->backend == PMM_BACKEND_CARVEOUT && !pool->coherent)
		return PMM_CACHE_WRITECOMBINE;
	return PMM_CACHE_CACHED;
}

static struct pmm_heap *pmm_heap_add(struct pmm_pool *pool, unsigned int minor)
{
	struct pmm_heap *heap;
	int ret;

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	heap->pool = pool;
	heap->cache = pmm_heap_cache(pool);
	atomic_set(&heap->seq, 0);

	/* From here on the device's release frees the heap. */
	device_initialize(&heap->dev);
	device_set_pm_not_required(&heap->dev);
	heap->dev.class = &pmm_heap_class;
	heap->dev.type = &pmm_heap_type;
	heap->dev.parent = pool->dev;
	heap->dev.devt = MKDEV(MAJOR(pmm_heap_devt), minor);
	ret = dev_set_name(&heap->dev, "pmm-%s", pool->name);
	if (ret)
		goto out_put_device;

	cdev_init(&heap->cdev, &pmm_heap_fops);
	heap->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&heap->cdev, &heap->dev);
	if (ret)
		goto out_put_device;
	return heap;

out_put_device:
	put_device(&heap->dev);
	return ERR_PTR(ret);
}

static void pmm_heap_del(struct pmm_heap *heap)
{
	cdev_device_del(&heap->cdev, &heap->dev);
	put_device(&heap->dev);
}

static void pmm_heaps_del(unsigned int n)
{
	while (n--)
		pmm_heap_del(pmm_heaps[n]);
}

/**
 * pmm_heap_init() - Add a DMA-BUF heap node for every pool.
 *
 * Context: Module init, after pmm_mem_init() and the pools.
 * Return: 0 or a negative errno.
 */
int pmm_heap_init(void)
{
	struct pmm_pool *pool;
	struct pmm_heap *heap;
	unsigned int n = 0;
	int ret;

	if (pmm_heap_mode & ~0777) {
		pr_err("heap_mode: %#o is not a permission mode (0-0777)\n",
		       pmm_heap_mode);
		return -EINVAL;
	}
	if (!uid_valid(make_kuid(&init_user_ns, pmm_heap_uid)) ||
	    !gid_valid(make_kgid(&init_user_ns, pmm_heap_gid))) {
		pr_err("heap_uid, heap_gid: %u:%u is not a valid owner\n",
		       pmm_heap_uid, pmm_heap_gid);
		return -EINVAL;
	}

	for (pool = pmm_pool_first(); pool; pool = pmm_pool_next(pool))
		pmm_nr_heaps++;
	if (!pmm_nr_heaps)
		return 0;
	pmm_heaps = kcalloc(pmm_nr_heaps, sizeof(*pmm_heaps), GFP_KERNEL);
	if (!pmm_heaps) {
		ret = -ENOMEM;
		goto out_reset;
	}
	ret = alloc_chrdev_region(&pmm_heap_devt, 0, pmm_nr_heaps, "pmm_heap");
	if (ret)
		goto out_free_heaps;
	ret = class_register(&pmm_heap_class);
	if (ret)
		goto out_unregister_region;

	for (pool = pmm_pool_first(); pool; pool = pmm_pool_next(pool)) {
		heap = pmm_heap_add(pool, n);
		if (IS_ERR(heap)) {
			ret = PTR_ERR(heap);
			pr_err("pool '%s': cannot add its heap node: %d\n",
			       pool->name, ret);
			goto out_del_heaps;
		}
		pmm_heaps[n++] = heap;
	}
	return 0;

out_del_heaps:
	pmm_heaps_del(n);
	class_unregister(&pmm_heap_class);
out_unregister_region:
	unregister_chrdev_region(pmm_heap_devt, pmm_nr_heaps);
out_free_heaps:
	kfree(pmm_heaps);
out_reset:
	pmm_nr_heaps = 0;
	return ret;
}

/**
 * pmm_heap_exit() - Remove the heap nodes.
 *
 * Context: Module exit: every open heap file and every dma-buf holds a
 * module reference, so none is left.
 */
void pmm_heap_exit(void)
{
	if (!pmm_nr_heaps)
		return;
	pmm_heaps_del(pmm_nr_heaps);
	class_unregister(&pmm_heap_class);
	unregister_chrdev_region(pmm_heap_devt, pmm_nr_heaps);
	kfree(pmm_heaps);
	pmm_nr_heaps = 0;
}
