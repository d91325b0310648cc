// SPDX-License-Identifier: GPL-2.0
/*
 * PMM buffer memory and its device node /dev/pmm/NAME: allocation, kernel
 * mapping with the buffer's cacheability, zeroing, open/mmap/read/write.
 *
 * Lifetime: struct pmm_mem embeds the node's struct device, and the
 * device's release is what returns the memory to its pool.  The enabled
 * buffer, every open file and (through its file) every mapping hold a
 * reference, so memory never goes back while anything can still reach it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <linux/pmm.h>

#include "pmm.h"

#define PMM_MINORS	BIT(16)

/*
 * One character device spans every minor, and open finds the buffer by
 * minor in pmm_mems.  A cdev per buffer would put one entry per buffer on
 * the chrdev map's list for PMM's major, which the first open of every
 * node walks: opening cost grew with the number of buffers (tests/bench,
 * scale).  A minor stays allocated (a reserved, NULL entry once the buffer
 * is disabled) until its memory is released, so a node that is going
 * away can never open a newer buffer that got its number.
 */
static dev_t pmm_devt;
static struct cdev pmm_cdev;
static DEFINE_XARRAY_ALLOC(pmm_mems);
static u32 pmm_next_minor;
/*
 * struct pmm_mem is not a kmalloc size: from kmalloc it would take the
 * next power of two.  A cache of its own packs them.
 */
static struct kmem_cache *pmm_mem_cache;

/* What a transaction lock held by one open file is. */
enum pmm_file_lock {
	PMM_FILE_UNLOCKED,
	PMM_FILE_SHARED,
	PMM_FILE_EXCLUSIVE,
};

/**
 * struct pmm_file - one open file of /dev/pmm/NAME
 * @mem: the memory it refers to (holds a device reference)
 * @lock: serialises PMM_IOC_LOCK/UNLOCK on this file
 * @held: the transaction lock this file holds
 */
struct pmm_file {
	struct pmm_mem *mem;
	struct mutex lock;	/* @held; outside pmm_mem.lock */
	enum pmm_file_lock held;
};

static inline struct pmm_mem *to_pmm_mem(struct device *dev)
{
	return container_of(dev, struct pmm_mem, dev);
}

/*
 * x86 PAT tracks the memory type of RAM pages through the linear map: a
 * user mapping with another type would silently fall back to write-back.
 * So contig (RAM) memory gets its linear map changed for as long as the
 * buffer lives; carveouts are not in the linear map.
 */
static int pmm_mem_set_linear_cache(struct pmm_mem *mem, u32 cache)
{
#ifdef CONFIG_X86
	unsigned long addr = (unsigned long)mem->vaddr;
	int pages = mem->size >> PAGE_SHIFT;

	switch (cache) {
	case PMM_CACHE_WRITECOMBINE:
		return set_memory_wc(addr, pages);
	case PMM_CACHE_UNCACHED:
		return set_memory_uc(addr, pages);
	case PMM_CACHE_CACHED:
		return set_memory_wb(addr, pages);
	}
#endif
	return 0;
}

static int pmm_mem_map_kernel(struct pmm_mem *mem)
{
	if (mem->pool->backend == PMM_BACKEND_CONTIG) {
		mem->vaddr = phys_to_virt(mem->phys);
		if (mem->cache == PMM_CACHE_CACHED)
			return 0;
		return pmm_mem_set_linear_cache(mem, mem->cache);
	}

	switch (mem->cache) {
	case PMM_CACHE_CACHED:
		mem->vaddr = memremap(mem->phys, mem->size, MEMREMAP_WB);
		break;
	case PMM_CACHE_WRITECOMBINE:
		mem->vaddr = memremap(mem->phys, mem->size, MEMREMAP_WC);
		break;
	case PMM_CACHE_UNCACHED:
		/*
		 * memremap() has no uncached type; only ioremap() does.  The
		 * range is memory, not device registers, and an uncached
		 * mapping of memory takes ordinary loads and stores: it is
		 * used as memory (memset, copy_to_user, and importers' vmap,
		 * which expect a system-memory address) rather than through
		 * the MMIO accessors.
		 */
		mem->vaddr = (void __force *)ioremap(mem->phys, mem->size);
		break;
	}
	return mem->vaddr ? 0 : -ENOMEM;
}

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/*
 * set_memory_wb() fails only when a page-table allocation does while it
 * splits a large page, which the set_memory_wc/uc() before it has already
 * split: nothing outside the kernel can make it fail, yet what follows
 * decides whether a new owner could get memory of a conflicting type.
 * debugfs fail_pmm_restore makes the restore fail the way the kernel's
 * fault injection makes allocations fail.
 */
static DECLARE_FAULT_ATTR(pmm_fail_restore);
static struct dentry *pmm_fail_restore_dir;

static bool pmm_restore_fails(void)
{
	return should_fail(&pmm_fail_restore, 1);
}

static void pmm_fail_restore_init(void)
{
	pmm_fail_restore_dir = fault_create_debugfs_attr("fail_pmm_restore",
							 NULL,
							 &pmm_fail_restore);
}

static void pmm_fail_restore_exit(void)
{
	debugfs_remove_recursive(pmm_fail_restore_dir);
}
#else
static bool pmm_restore_fails(void)
{
	return false;
}

static void pmm_fail_restore_init(void)
{
}

static void pmm_fail_restore_exit(void)
{
}
#endif

/*
 * Returns non-zero if the linear map of contig memory could not be given
 * back its write-back type: such memory must not go back to the pool,
 * where a new owner would get a mapping of a conflicting type.
 */
static int pmm_mem_unmap_kernel(struct pmm_mem *mem)
{
	if (mem->pool->backend == PMM_BACKEND_CONTIG) {
		if (mem->cache == PMM_CACHE_CACHED)
			return 0;
		if (pmm_restore_fails())
			return -ENOMEM;
		return pmm_mem_set_linear_cache(mem, PMM_CACHE_CACHED);
	} else if (mem->cache == PMM_CACHE_UNCACHED) {
		iounmap((void __iomem __force *)mem->vaddr);
	} else {
		memunmap(mem->vaddr);
	}
	return 0;
}

static void pmm_mem_zero_range(void *arg, u64 off, u64 len)
{
	struct pmm_mem *mem = arg;

	memset(mem->vaddr + off, 0, len);
	/* Drain write-combining buffers before anyone else can look. */
	wmb();
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
	unsigned long end = PHYS_PFN(mem->phys + mem->size);

	if (mem->pool->backend != PMM_BACKEND_CONTIG)
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
 * someone outside PMM can read or write it), or a linear map whose
 * memory type could not be restored.  Returns true if it went back.
 */
static bool pmm_mem_retire(struct pmm_mem *mem)
{
	if (pmm_mem_pages_referenced(mem))
		return false;
	/*
	 * Zero through the mapping its users had, while that still exists,
	 * so the pool's free memory stays zero (pmm_zero_on_free()).
	 */
	if (pmm_zero_on_free())
		pmm_mem_zero_range(mem, 0, mem->size);
	if (pmm_mem_unmap_kernel(mem))
		return false;
	pmm_pool_free(mem->pool, mem->phys, mem->size);
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
		struct pmm_pool *pool = mem->pool;
		size_t size = mem->size;

		pmm_mem_free(mem);
		/*
		 * The module reference goes before the count user space
		 * watches, so that once held reads 0 the module can be
		 * unloaded.  Running on after it is safe: pmm_cdev_exit()
		 * waits for this work before the pools and the cache go.
		 */
		module_put(THIS_MODULE);
		pr_info("pool '%s': %zu held bytes released, back in the pool\n",
			pool->name, size);
		atomic64_sub(size, &pool->held);
	}
}

static DECLARE_DELAYED_WORK(pmm_held_work, pmm_held_retry);

static void pmm_mem_release(struct device *dev)
{
	struct pmm_mem *mem = to_pmm_mem(dev);

	xa_erase(&pmm_mems, MINOR(dev->devt));
	if (pmm_mem_retire(mem)) {
		pmm_mem_free(mem);
		return;
	}

	if (mem->busy_pfn < PHYS_PFN(mem->phys + mem->size))
		pr_warn("buffer '%s': %zu bytes stay out of pool '%s': pages are still referenced outside PMM (get_user_pages: a pipe, I/O in flight); the module cannot be unloaded until they are released\n",
			dev_name(dev), mem->size, mem->pool->name);
	else
		pr_err("buffer '%s': %zu bytes stay out of pool '%s': the linear map's memory type cannot be restored; the module cannot be unloaded until it is\n",
		       dev_name(dev), mem->size, mem->pool->name);
	__module_get(THIS_MODULE);
	atomic64_add(mem->size, &mem->pool->held);
	mutex_lock(&pmm_held_lock);
	list_add_tail(&mem->held_node, &pmm_held);
	mutex_unlock(&pmm_held_lock);
	mod_delayed_work(system_wq, &pmm_held_work, PMM_HELD_RETRY);
}

#ifdef PMM_DEVNODE_CONST
static char *pmm_mem_devnode(const struct device *dev, umode_t *mode,
			     kuid_t *uid, kgid_t *gid)
#else
static char *pmm_mem_devnode(struct device *dev, umode_t *mode,
			     kuid_t *uid, kgid_t *gid)
#endif
{
	const struct pmm_mem *mem = container_of(dev, struct pmm_mem, dev);

	/* Owner and mode of the devtmpfs node; the class gives the name. */
	if (mode)
		*mode = mem->mode;
	if (uid)
		*uid = mem->uid;
	if (gid)
		*gid = mem->gid;
	return NULL;
}

#ifdef PMM_UEVENT_CONST
static int pmm_mem_uevent(const struct device *dev, struct kobj_uevent_env *env)
#else
static int pmm_mem_uevent(struct device *dev, struct kobj_uevent_env *env)
#endif
{
	const struct pmm_mem *mem = container_of(dev, struct pmm_mem, dev);

	return add_uevent_var(env, "PMM_NAME=%s", dev_name(dev)) ?:
	       add_uevent_var(env, "PMM_SIZE=%zu", mem->size) ?:
	       add_uevent_var(env, "PMM_MEMTYPE=%s", mem->pool->name) ?:
	       add_uevent_var(env, "PMM_CACHE=%s", pmm_cache_name(mem->cache)) ?:
	       /* Owner and mode as configfs set them, so udev rules can defer. */
	       add_uevent_var(env, "PMM_UID=%u", from_kuid(&init_user_ns, mem->uid)) ?:
	       add_uevent_var(env, "PMM_GID=%u", from_kgid(&init_user_ns, mem->gid)) ?:
	       add_uevent_var(env, "PMM_MODE=%04o", mem->mode);
}

static const struct device_type pmm_mem_type = {
	.name = "pmm_buffer",
	.devnode = pmm_mem_devnode,
	.uevent = pmm_mem_uevent,
};

static int pmm_open(struct inode *inode, struct file *file)
{
	struct pmm_mem *mem;
	struct pmm_file *pf;
	int ret;

	/* The reference is taken before pmm_mem_destroy() can unpublish it. */
	xa_lock(&pmm_mems);
	mem = xa_load(&pmm_mems, iminor(inode));
	if (mem)
		get_device(&mem->dev);
	xa_unlock(&pmm_mems);
	if (!mem)
		return -ENODEV;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf) {
		ret = -ENOMEM;
		goto out_put_device;
	}
	mutex_init(&pf->lock);
	pf->mem = mem;

	mutex_lock(&mem->lock);
	if (mem->dead) {
		mutex_unlock(&mem->lock);
		ret = -ENODEV;
		goto out_free_file;
	}
	mem->opens++;
	mutex_unlock(&mem->lock);

	file->private_data = pf;
	return 0;

out_free_file:
	mutex_destroy(&pf->lock);
	kfree(pf);
out_put_device:
	put_device(&mem->dev);
	return ret;
}

/* 0 if locked, -EAGAIN if a conflicting lock is held, -ENODEV if dead. */
static int pmm_mem_trylock(struct pmm_mem *mem, bool shared)
{
	int ret = -EAGAIN;

	mutex_lock(&mem->lock);
	if (mem->dead) {
		ret = -ENODEV;
	} else if (!mem->excl_locked && (shared || !mem->shared_locks)) {
		if (shared)
			mem->shared_locks++;
		else
			mem->excl_locked = true;
		ret = 0;
	}
	mutex_unlock(&mem->lock);
	return ret;
}

/*
 * Release one lock of the kind that is held: shared and exclusive locks
 * never coexist, so that is the one the caller holds.  A caller naming the
 * other kind (or none held) is a bug in the caller; trusting it would
 * underflow the shared count and pin the buffer for good.
 */
static void pmm_mem_unlock(struct pmm_mem *mem, bool shared)
{
	mutex_lock(&mem->lock);
	WARN_ONCE(shared ? !mem->shared_locks : !mem->excl_locked,
		  "buffer '%s': unlock of a %s lock, but %s held\n",
		  dev_name(&mem->dev), shared ? "shared" : "exclusive",
		  mem->excl_locked ? "an exclusive lock is" :
		  mem->shared_locks ? "shared locks are" : "no lock is");
	if (mem->excl_locked)
		mem->excl_locked = false;
	else if (mem->shared_locks)
		mem->shared_locks--;
	mutex_unlock(&mem->lock);
	wake_up_all(&mem->lock_wq);
}

/**
 * pmm_mem_locks() - How many transaction locks are held on a buffer.
 * @mem: the allocation
 *
 * Context: Process context.
 * Return: shared holders, plus one for an exclusive holder.
 */
unsigned int pmm_mem_locks(struct pmm_mem *mem)
{
	unsigned int n;

	mutex_lock(&mem->lock);
	n = mem->shared_locks + mem->excl_locked;
	mutex_unlock(&mem->lock);
	return n;
}

static int pmm_file_unlock(struct pmm_file *pf)
{
	int ret = 0;

	mutex_lock(&pf->lock);
	if (pf->held == PMM_FILE_UNLOCKED)
		ret = -EINVAL;
	else
		pmm_mem_unlock(pf->mem, pf->held == PMM_FILE_SHARED);
	pf->held = PMM_FILE_UNLOCKED;
	mutex_unlock(&pf->lock);
	return ret;
}

static int pmm_release(struct inode *inode, struct file *file)
{
	struct pmm_file *pf = file->private_data;
	struct pmm_mem *mem = pf->mem;

	/* A killed holder must not leave its lock behind. */
	if (pf->held != PMM_FILE_UNLOCKED)
		pmm_file_unlock(pf);

	mutex_lock(&mem->lock);
	mem->opens--;
	mutex_unlock(&mem->lock);
	mutex_destroy(&pf->lock);
	kfree(pf);
	put_device(&mem->dev);
	return 0;
}

static void pmm_vm_open(struct vm_area_struct *vma)
{
	struct pmm_mem *mem = vma->vm_private_data;

	mutex_lock(&mem->lock);
	mem->maps++;
	mutex_unlock(&mem->lock);
}

static void pmm_vm_close(struct vm_area_struct *vma)
{
	struct pmm_mem *mem = vma->vm_private_data;

	mutex_lock(&mem->lock);
	mem->maps--;
	mutex_unlock(&mem->lock);
}

static const struct vm_operations_struct pmm_vm_ops = {
	.open = pmm_vm_open,
	.close = pmm_vm_close,
};

static pgprot_t pmm_pgprot(u32 cache, pgprot_t prot)
{
	switch (cache) {
	case PMM_CACHE_WRITECOMBINE:
		return pgprot_writecombine(prot);
	case PMM_CACHE_UNCACHED:
		return pgprot_noncached(prot);
	case PMM_CACHE_CACHED:
		break;
	}
	return prot;
}

/*
 * Contig pools have struct pages: map them as pages (VM_MIXEDMAP) so that
 * get_user_pages() works on the mapping, and with it O_DIRECT I/O into a
 * buffer.  Carveouts have no struct pages and are mapped as raw PFNs.
 */
/**
 * pmm_mem_mmap() - Map a buffer's memory into user space.
 * @mem: the allocation
 * @vma: the mapping being created, of /dev/pmm/NAME or of a dma-buf
 *
 * Context: Process context, mmap lock held for writing.
 * Return: 0, -EINVAL for private mappings or a range outside the buffer.
 */
int pmm_mem_mmap(struct pmm_mem *mem, struct vm_area_struct *vma)
{
	unsigned long pages = mem->size >> PAGE_SHIFT;
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long pfn, addr;
	int ret;

	/*
	 * VM_MAYSHARE, not VM_SHARED: mmap() clears VM_SHARED for a
	 * MAP_SHARED mapping of a file opened read-only, which is what a
	 * reader of a 0644 node has.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		pr_warn_ratelimited("buffer '%s': mmap: only MAP_SHARED mappings are allowed\n",
				    dev_name(&mem->dev));
		return -EINVAL;
	}
	if (vma->vm_pgoff >= pages || (len >> PAGE_SHIFT) > pages - vma->vm_pgoff) {
		pr_warn_ratelimited("buffer '%s': mmap: %lu bytes at page %lu exceed the buffer (%zu bytes)\n",
				    dev_name(&mem->dev), len, vma->vm_pgoff, mem->size);
		return -EINVAL;
	}

	vma->vm_page_prot = pmm_pgprot(mem->cache, vma->vm_page_prot);
#ifdef PMM_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	pfn = PHYS_PFN(mem->phys) + vma->vm_pgoff;
	if (mem->pool->backend == PMM_BACKEND_CONTIG) {
		for (addr = vma->vm_start; addr < vma->vm_end;
		     addr += PAGE_SIZE, pfn++) {
			ret = vm_insert_page(vma, addr, pfn_to_page(pfn));
			if (ret)
				return ret;
		}
	} else {
		ret = remap_pfn_range(vma, vma->vm_start, pfn, len,
				      vma->vm_page_prot);
		if (ret)
			return ret;
	}

	vma->vm_ops = &pmm_vm_ops;
	vma->vm_private_data = mem;
	pmm_vm_open(vma);
	return 0;
}

static int pmm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pmm_file *pf = file->private_data;

	return pmm_mem_mmap(pf->mem, vma);
}

static ssize_t pmm_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct pmm_mem *mem = ((struct pmm_file *)file->private_data)->mem;

	return simple_read_from_buffer(ubuf, count, ppos, mem->vaddr, mem->size);
}

static ssize_t pmm_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct pmm_mem *mem = ((struct pmm_file *)file->private_data)->mem;

	if (*ppos < 0)
		return -EINVAL;
	/* Like a full disk, so dd reports a write past the end. */
	if (count && *ppos >= mem->size)
		return -ENOSPC;
	return simple_write_to_buffer(mem->vaddr, mem->size, ppos, ubuf, count);
}

static loff_t pmm_llseek(struct file *file, loff_t offset, int whence)
{
	struct pmm_mem *mem = ((struct pmm_file *)file->private_data)->mem;

	return fixed_size_llseek(file, offset, whence, mem->size);
}

static int pmm_ioctl_info(struct pmm_file *pf, void *data)
{
	struct pmm_info *info = data;
	struct pmm_mem *mem = pf->mem;

	if (info->flags & ~PMM_INFO_VALID_FLAGS)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->size = mem->size;
	info->align = mem->align;
	info->boundary = mem->boundary;
	/* Physical addresses are for administrators only, as in configfs. */
	if (capable(CAP_SYS_ADMIN))
		info->phys_addr = mem->phys;
	info->cache = mem->cache;
	strscpy(info->memtype, mem->pool->name, sizeof(info->memtype));
	return 0;
}

static int pmm_ioctl_lock(struct file *file, void *data)
{
	struct pmm_file *pf = file->private_data;
	struct pmm_lock *arg = data;
	int ret;

	if (arg->__pad)
		return -EINVAL;
	/*
	 * An exclusive lock says "I am about to write": like a write lock
	 * of fcntl(2), it needs a file open for writing.  Otherwise a reader
	 * could keep every writer (and every driver's exclusive lock) out.
	 */
	if (!(arg->flags & PMM_LOCK_SHARED) && !(file->f_mode & FMODE_WRITE)) {
		pr_warn_ratelimited("buffer '%s': lock: an exclusive lock needs the node open for writing\n",
				    dev_name(&pf->mem->dev));
		return -EBADF;
	}

	/* The same lock drivers take with pmm_buffer_lock(), held by the file. */
	mutex_lock(&pf->lock);
	if (pf->held != PMM_FILE_UNLOCKED)
		ret = -EBUSY;
	else
		ret = pmm_buffer_lock(pf->mem, arg->flags);
	if (!ret)
		pf->held = arg->flags & PMM_LOCK_SHARED ? PMM_FILE_SHARED :
							  PMM_FILE_EXCLUSIVE;
	mutex_unlock(&pf->lock);
	return ret;
}

static int pmm_ioctl_sync(struct pmm_file *pf, void *data)
{
	struct pmm_sync *arg = data;
	struct pmm_mem *mem = pf->mem;
	enum dma_data_direction dir;

	if ((arg->flags & ~PMM_SYNC_VALID_FLAGS) || arg->__pad ||
	    !(arg->flags & (PMM_SYNC_READ | PMM_SYNC_WRITE)))
		return -EINVAL;
	if (!arg->length || arg->offset >= mem->size ||
	    arg->length > mem->size - arg->offset)
		return -EINVAL;

	if ((arg->flags & PMM_SYNC_READ) && (arg->flags & PMM_SYNC_WRITE))
		dir = DMA_BIDIRECTIONAL;
	else if (arg->flags & PMM_SYNC_WRITE)
		dir = DMA_TO_DEVICE;
	else
		dir = DMA_FROM_DEVICE;
	/*
	 * The buffer is contiguous and small next to a cache flush of the
	 * whole of it, so the range is validated but the whole is synced.
	 */
	pmm_mem_sync(mem, !(arg->flags & PMM_SYNC_END), dir);
	return 0;
}

/* Whether a file opened with @f_mode may have a dma-buf opened @flags. */
static bool pmm_export_allowed(fmode_t f_mode, u32 flags)
{
	u32 acc = flags & O_ACCMODE;

	if ((acc == O_RDONLY || acc == O_RDWR) && !(f_mode & FMODE_READ))
		return false;
	if ((acc == O_WRONLY || acc == O_RDWR) && !(f_mode & FMODE_WRITE))
		return false;
	return true;
}

/*
 * The dma-buf's file gets at most the opener's access.  Its descriptor is
 * reserved first and installed only once the result has been copied out:
 * an installed descriptor the caller never learnt of would pin the
 * buffer for the life of the process.
 */
static int pmm_ioctl_export(struct file *file, void *data,
			    void __user *uarg, unsigned int out_size)
{
	struct pmm_file *pf = file->private_data;
	struct pmm_export *arg = data;
	struct dma_buf *dmabuf;
	int fd, ret;

	if ((arg->flags & ~PMM_EXPORT_VALID_FLAGS) || arg->fd)
		return -EINVAL;
	if (!pmm_export_allowed(file->f_mode, arg->flags)) {
		pr_warn_ratelimited("buffer '%s': export: a dma-buf with more access than the node was opened with\n",
				    dev_name(&pf->mem->dev));
		return -EACCES;
	}

	fd = get_unused_fd_flags(arg->flags & O_CLOEXEC);
	if (fd < 0)
		return fd;
	dmabuf = pmm_dmabuf_export(pf->mem, arg->flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out_put_fd;
	}
	arg->fd = fd;
	if (copy_to_user(uarg, arg, out_size)) {
		ret = -EFAULT;
		goto out_put_dmabuf;
	}
	fd_install(fd, dmabuf->file);
	return 0;

out_put_dmabuf:
	dma_buf_put(dmabuf);
out_put_fd:
	put_unused_fd(fd);
	return ret;
}

static const unsigned int pmm_ioctl_cmds[] = {
	PMM_IOC_INFO,
	PMM_IOC_LOCK,
	PMM_IOC_UNLOCK,
	PMM_IOC_SYNC,
	PMM_IOC_EXPORT,
};

/*
 * Like dma_heap_ioctl(): the size in the command may differ from ours, so
 * old and new callers work; copy what both know and zero the rest.
 */
static long pmm_ioctl(struct file *file, unsigned int ucmd, unsigned long arg)
{
	struct pmm_file *pf = file->private_data;
	char kdata[sizeof(struct pmm_info)];
	unsigned int kcmd, nr = _IOC_NR(ucmd);
	unsigned int in_size, out_size, ksize;
	int ret;

	if (_IOC_TYPE(ucmd) != PMM_IOC_MAGIC || nr >= ARRAY_SIZE(pmm_ioctl_cmds))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(pmm_ioctl_cmds));
	kcmd = pmm_ioctl_cmds[nr];
	ksize = _IOC_SIZE(kcmd);
	BUILD_BUG_ON(sizeof(struct pmm_lock) > sizeof(kdata) ||
		     sizeof(struct pmm_sync) > sizeof(kdata) ||
		     sizeof(struct pmm_export) > sizeof(kdata));

	in_size = _IOC_SIZE(ucmd);
	out_size = in_size;
	if (!(ucmd & kcmd & IOC_IN))
		in_size = 0;
	if (!(ucmd & kcmd & IOC_OUT))
		out_size = 0;
	in_size = min(in_size, ksize);
	out_size = min(out_size, ksize);

	memset(kdata, 0, sizeof(kdata));
	if (copy_from_user(kdata, (void __user *)arg, in_size))
		return -EFAULT;

	switch (kcmd) {
	case PMM_IOC_INFO:
		ret = pmm_ioctl_info(pf, kdata);
		break;
	case PMM_IOC_LOCK:
		ret = pmm_ioctl_lock(file, kdata);
		break;
	case PMM_IOC_UNLOCK:
		ret = pmm_file_unlock(pf);
		break;
	case PMM_IOC_SYNC:
		ret = pmm_ioctl_sync(pf, kdata);
		break;
	case PMM_IOC_EXPORT:
		/* Copies its result out itself, before the fd is installed. */
		return pmm_ioctl_export(file, kdata, (void __user *)arg,
					out_size);
	default:
		return -ENOTTY;
	}

	if (!ret && copy_to_user((void __user *)arg, kdata, out_size))
		return -EFAULT;
	return ret;
}

static const struct file_operations pmm_fops = {
	.owner = THIS_MODULE,
	.open = pmm_open,
	.release = pmm_release,
	.mmap = pmm_mmap,
	.read = pmm_read,
	.write = pmm_write,
	.llseek = pmm_llseek,
	.unlocked_ioctl = pmm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * pmm_mem_create() - Allocate and map a buffer's memory, zeroed, and
 *	create its device node.
 * @buf: the buffer, locked, with validated attributes
 * @name: the buffer's name, which becomes /dev/pmm/@name
 *
 * Context: Process context, @buf->lock held.
 * Return: the new allocation, or an ERR_PTR(): -ENOSPC if the pool has no
 * fitting free range (logged with the largest free block).
 */
struct pmm_mem *pmm_mem_create(struct pmm_buffer *buf, const char *name)
{
	struct pmm_pool *pool = buf->pool;
	struct pmm_mem *mem;
	u32 minor;
	int ret;

	mem = kmem_cache_zalloc(pmm_mem_cache, GFP_KERNEL);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->pool = pool;
	mem->size = buf->size;
	mem->cache = buf->cache;
	mem->uid = buf->uid;
	mem->gid = buf->gid;
	mem->mode = buf->mode;
	mem->align = buf->align;
	mem->boundary = buf->boundary;
	mutex_init(&mem->lock);
	init_waitqueue_head(&mem->lock_wq);
	INIT_LIST_HEAD(&mem->attachments);

	mem->phys = pmm_pool_alloc(pool, buf->size, buf->align, buf->boundary);
	if (!mem->phys) {
		pr_err("buffer '%s': enable: pool '%s' has no free range of %llu bytes (align %llu, boundary %llu); largest free block %llu bytes\n",
		       name, pool->name, buf->size, buf->align, buf->boundary,
		       pmm_pool_largest_free(pool));
		ret = -ENOSPC;
		goto out_free_mem;
	}

	/*
	 * Reserved (NULL) until the device is ready to be opened.  Numbers
	 * are handed out in turn rather than lowest first: a node devtmpfs
	 * failed to remove (device_del() cannot report that; it needs memory
	 * for the name) must not open the next buffer that gets its number.
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
		goto out_free_range;

	ret = pmm_mem_map_kernel(mem);
	if (ret) {
		pr_err("buffer '%s': enable: cannot map %s memory: %d\n", name,
		       pmm_cache_name(mem->cache), ret);
		goto out_free_minor;
	}
	pmm_pool_zero_new(pool, mem->phys, mem->size, pmm_mem_zero_range, mem);

	/* From here on the device's release undoes everything above. */
	device_initialize(&mem->dev);
	/*
	 * A buffer has no power states: without this every node would carry
	 * a power/ directory of runtime-PM attributes in sysfs (kernel memory
	 * per buffer, tests/bench).
	 */
	device_set_pm_not_required(&mem->dev);
	mem->dev.class = &pmm_class;
	mem->dev.type = &pmm_mem_type;
	mem->dev.devt = MKDEV(MAJOR(pmm_devt), minor);
	mem->dev.release = pmm_mem_release;
	ret = dev_set_name(&mem->dev, "%s", name);
	if (ret)
		goto out_put_device;

	/* Publish before the node appears: no window where open fails. */
	xa_store(&pmm_mems, minor, mem, 0);
	ret = device_add(&mem->dev);
	if (ret)
		goto out_unpublish;
	return mem;

out_unpublish:
	xa_store(&pmm_mems, minor, NULL, 0);
out_put_device:
	put_device(&mem->dev);
	return ERR_PTR(ret);
out_free_minor:
	xa_erase(&pmm_mems, minor);
out_free_range:
	pmm_pool_free(pool, mem->phys, mem->size);
out_free_mem:
	mutex_destroy(&mem->lock);
	kmem_cache_free(pmm_mem_cache, mem);
	return ERR_PTR(ret);
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
	mem->dead = true;
	mutex_unlock(&mem->lock);
	/* Kernel users waiting in pmm_buffer_lock() get -ENODEV now. */
	wake_up_all(&mem->lock_wq);

	/* New opens fail from here; open files keep their reference. */
	xa_store(&pmm_mems, MINOR(mem->dev.devt), NULL, 0);
	device_del(&mem->dev);
	put_device(&mem->dev);
	return 0;
}

/**
 * pmm_buffer_get() - Take a reference to an enabled buffer's memory.
 * @name: the buffer's name (/dev/pmm/@name)
 *
 * The reference keeps the memory out of the pool, not the buffer enabled:
 * take a lock with pmm_buffer_lock() for the length of a transaction.
 *
 * Context: Process context.
 * Return: the memory, ERR_PTR(-ENOENT) if no buffer of that name is
 * enabled.
 */
struct pmm_mem *pmm_buffer_get(const char *name)
{
	struct pmm_mem *mem;
	struct device *dev;

	dev = class_find_device_by_name(&pmm_class, name);
	if (!dev)
		return ERR_PTR(-ENOENT);
	mem = to_pmm_mem(dev);
	mutex_lock(&mem->lock);
	if (mem->dead) {
		mutex_unlock(&mem->lock);
		put_device(dev);
		return ERR_PTR(-ENOENT);
	}
	mutex_unlock(&mem->lock);
	return mem;
}
EXPORT_SYMBOL_GPL(pmm_buffer_get);

/**
 * pmm_buffer_put() - Drop a reference from pmm_buffer_get() or
 *	pmm_buffer_lock_user().
 * @mem: the memory
 *
 * Context: Process context.
 */
void pmm_buffer_put(struct pmm_mem *mem)
{
	put_device(&mem->dev);
}
EXPORT_SYMBOL_GPL(pmm_buffer_put);

/**
 * pmm_buffer_lock() - Lock a buffer for a DMA transaction.
 * @mem: the memory, from pmm_buffer_get()
 * @flags: PMM_LOCK_SHARED for a shared lock, PMM_LOCK_NONBLOCK not to wait
 *
 * While any lock is held the buffer cannot be disabled, removed or
 * changed, so its address and size stay valid for the device.
 *
 * Context: Process context; may sleep unless PMM_LOCK_NONBLOCK.
 * Return: 0, -EINVAL for unknown flags, -EAGAIN if PMM_LOCK_NONBLOCK and a
 * conflicting lock is held, -ENODEV if the buffer was disabled, or
 * -ERESTARTSYS if a signal interrupted the wait.
 */
int pmm_buffer_lock(struct pmm_mem *mem, unsigned int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	bool shared = flags & PMM_LOCK_SHARED;
	int ret;

	if (flags & ~PMM_LOCK_VALID_FLAGS)
		return -EINVAL;
	ret = pmm_mem_trylock(mem, shared);
	if (ret != -EAGAIN || (flags & PMM_LOCK_NONBLOCK))
		return ret;

	/*
	 * Not wait_event(): its condition runs with the task no longer
	 * TASK_RUNNING, and taking mem->lock may sleep.  wait_woken() lets
	 * the check sleep and still cannot miss the wake-up of an unlock (or
	 * of the disable that makes the buffer dead).
	 */
	add_wait_queue(&mem->lock_wq, &wait);
	while ((ret = pmm_mem_trylock(mem, shared)) == -EAGAIN) {
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		wait_woken(&wait, TASK_INTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT);
	}
	remove_wait_queue(&mem->lock_wq, &wait);
	return ret;
}
EXPORT_SYMBOL_GPL(pmm_buffer_lock);

/**
 * pmm_buffer_unlock() - Release a lock from pmm_buffer_lock().
 * @mem: the memory
 * @flags: the flags the lock was taken with
 *
 * Releases one lock of the kind held.  Flags naming the other kind are a
 * bug in the caller: they get a warning, once, and change nothing else.
 *
 * Context: Process context.
 */
void pmm_buffer_unlock(struct pmm_mem *mem, unsigned int flags)
{
	pmm_mem_unlock(mem, flags & PMM_LOCK_SHARED);
}
EXPORT_SYMBOL_GPL(pmm_buffer_unlock);

/**
 * pmm_buffer_region() - Where a locked buffer is.
 * @mem: the memory, locked by the caller
 * @phys: its physical (and, without an IOMMU, DMA) address
 * @size: its size in bytes
 *
 * Context: Any; the answer is only stable while the caller holds a lock.
 */
void pmm_buffer_region(struct pmm_mem *mem, phys_addr_t *phys, size_t *size)
{
	*phys = mem->phys;
	*size = mem->size;
}
EXPORT_SYMBOL_GPL(pmm_buffer_region);

/*
 * What the device does to the memory needs the same right of the process
 * to the range: a device writing it (DMA_FROM_DEVICE) a writable mapping,
 * a device reading it a readable one.
 */
static int pmm_vma_allows(struct vm_area_struct *vma,
			  enum dma_data_direction dir)
{
	bool read = dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
	bool write = dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;

	if (!read && !write)
		return -EINVAL;
	if ((read && !(vma->vm_flags & VM_READ)) ||
	    (write && !(vma->vm_flags & VM_WRITE)))
		return -EACCES;
	return 0;
}

/**
 * pmm_buffer_lock_user() - Find and lock the buffer behind a user range.
 * @uaddr: start of the range in the current process
 * @len: its length in bytes
 * @dir: what the device will do with the memory: DMA_TO_DEVICE (read it),
 *	DMA_FROM_DEVICE (write it) or DMA_BIDIRECTIONAL
 * @flags: as for pmm_buffer_lock()
 * @offset: where the range starts in the buffer
 *
 * The UPBuffer lookup of the 2009 RFC: a process hands a driver a pointer
 * into a mapping of /dev/pmm/NAME (or of one of its dma-bufs), and the
 * driver gets the buffer, locked, without trusting the process's page
 * tables.  The process gets no more through the device than its mapping
 * gives it: a device write needs a mapping with PROT_WRITE, a device read
 * one with PROT_READ.  Drop it with pmm_buffer_unlock() and
 * pmm_buffer_put().
 *
 * Context: Process context of the process owning @uaddr; may sleep.
 * Return: the memory, or an ERR_PTR(): -EFAULT if @uaddr is not inside a
 * PMM mapping, -EINVAL if the range is empty or runs past the mapping or
 * @dir is not one of the three, -EACCES if the mapping does not allow
 * what the device will do, or the error of pmm_buffer_lock().
 */
struct pmm_mem *pmm_buffer_lock_user(unsigned long uaddr, size_t len,
				     enum dma_data_direction dir,
				     unsigned int flags, size_t *offset)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct pmm_mem *mem = NULL;
	int ret = -EFAULT;

	if (!mm)
		return ERR_PTR(-EFAULT);
	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	if (vma && vma->vm_ops == &pmm_vm_ops) {
		mem = vma->vm_private_data;
		ret = pmm_vma_allows(vma, dir);
		if (!ret && (!len || len > vma->vm_end - uaddr))
			ret = -EINVAL;
		if (ret == -EACCES)
			pr_warn_ratelimited("buffer '%s': lock_user: the process mapped the range without %s, which the device's %s needs\n",
					    dev_name(&mem->dev),
					    vma->vm_flags & VM_READ ? "PROT_WRITE" : "PROT_READ",
					    dir == DMA_TO_DEVICE ? "read" :
					    dir == DMA_FROM_DEVICE ? "write" : "access");
		if (!ret) {
			*offset = uaddr - vma->vm_start +
				  (vma->vm_pgoff << PAGE_SHIFT);
			get_device(&mem->dev);
		}
	}
	mmap_read_unlock(mm);
	if (ret)
		return ERR_PTR(ret);

	/* Wait for the lock without holding the mmap lock. */
	ret = pmm_buffer_lock(mem, flags);
	if (ret) {
		put_device(&mem->dev);
		return ERR_PTR(ret);
	}
	return mem;
}
EXPORT_SYMBOL_GPL(pmm_buffer_lock_user);

/**
 * pmm_cdev_init() - Reserve the character device numbers for buffers and
 *	the cache their allocations come from.
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int pmm_cdev_init(void)
{
	int ret;

	pmm_mem_cache = KMEM_CACHE(pmm_mem, 0);
	if (!pmm_mem_cache)
		return -ENOMEM;
	ret = alloc_chrdev_region(&pmm_devt, 0, PMM_MINORS, "pmm");
	if (ret)
		goto out_destroy_cache;
	cdev_init(&pmm_cdev, &pmm_fops);
	pmm_cdev.owner = THIS_MODULE;
	ret = cdev_add(&pmm_cdev, pmm_devt, PMM_MINORS);
	if (ret)
		goto out_unregister_region;
	/* Optional: a debugging aid, which the module works without. */
	pmm_fail_restore_init();
	return 0;

out_unregister_region:
	unregister_chrdev_region(pmm_devt, PMM_MINORS);
out_destroy_cache:
	kmem_cache_destroy(pmm_mem_cache);
	return ret;
}

/**
 * pmm_cdev_exit() - Release the character device numbers.
 *
 * Context: Module exit, no buffer enabled.
 */
void pmm_cdev_exit(void)
{
	/* Held memory holds a module reference: the work is done or idle. */
	cancel_delayed_work_sync(&pmm_held_work);
	WARN_ON(!list_empty(&pmm_held));
	pmm_fail_restore_exit();
	cdev_del(&pmm_cdev);
	unregister_chrdev_region(pmm_devt, PMM_MINORS);
	WARN_ON(!xa_empty(&pmm_mems));
	/* Complains (a splat the tests catch) if any allocation leaked. */
	kmem_cache_destroy(pmm_mem_cache);
}
