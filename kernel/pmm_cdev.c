// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - /dev/pmm/NAME: open, read, write, seek, mmap and the ioctls
 * (include/uapi/linux/pmm.h) on an enabled buffer's node.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/pmm.h>

#include "pmm.h"

/*
 * One character device spans every minor, and open finds the buffer by
 * minor (pmm_mem_open()).  A cdev per buffer would put one entry per
 * buffer on the chrdev map's list for PMM's major, which the first open of
 * every node walks: opening cost grew with the number of buffers
 * (tests/bench, scale).
 */
static struct cdev pmm_cdev;

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

static int pmm_open(struct inode *inode, struct file *file)
{
	struct pmm_mem *mem;
	struct pmm_file *pf;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mem = pmm_mem_open(iminor(inode));
	if (IS_ERR(mem)) {
		kfree(pf);
		return PTR_ERR(mem);
	}
	mutex_init(&pf->lock);
	pf->mem = mem;
	file->private_data = pf;
	return 0;
}

static int pmm_file_unlock(struct pmm_file *pf)
{
	int ret = 0;

	mutex_lock(&pf->lock);
	if (pf->held == PMM_FILE_UNLOCKED)
		ret = -EINVAL;
	else
		pmm_mem_unlock(pf->mem, pf->held == PMM_FILE_SHARED ?
					PMM_LOCK_SHARED : 0);
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

	mutex_destroy(&pf->lock);
	kfree(pf);
	pmm_mem_close(mem);
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

	return simple_read_from_buffer(ubuf, count, ppos, mem->vaddr, mem->desc.size);
}

static ssize_t pmm_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	struct pmm_mem *mem = ((struct pmm_file *)file->private_data)->mem;

	if (*ppos < 0)
		return -EINVAL;
	/* Like a full disk, so dd reports a write past the end. */
	if (count && *ppos >= mem->desc.size)
		return -ENOSPC;
	return simple_write_to_buffer(mem->vaddr, mem->desc.size, ppos, ubuf, count);
}

static loff_t pmm_llseek(struct file *file, loff_t offset, int whence)
{
	struct pmm_mem *mem = ((struct pmm_file *)file->private_data)->mem;

	return fixed_size_llseek(file, offset, whence, mem->desc.size);
}

static int pmm_ioctl_info(struct pmm_file *pf, void *data)
{
	struct pmm_info *info = data;
	struct pmm_mem *mem = pf->mem;

	if (info->flags & ~PMM_INFO_VALID_FLAGS)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->size = mem->desc.size;
	info->align = mem->desc.align;
	info->boundary = mem->desc.boundary;
	/* Physical addresses are for administrators only, as in configfs. */
	if (capable(CAP_SYS_ADMIN))
		info->phys_addr = mem->phys;
	info->cache = mem->desc.cache;
	strscpy(info->memtype, mem->desc.pool->name, sizeof(info->memtype));
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

	/* The same lock drivers take with pmm_mem_lock(), held by the file. */
	mutex_lock(&pf->lock);
	if (pf->held != PMM_FILE_UNLOCKED)
		ret = -EBUSY;
	else
		ret = pmm_mem_lock(pf->mem, arg->flags);
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
	if (!arg->length || arg->offset >= mem->desc.size ||
	    arg->length > mem->desc.size - arg->offset)
		return -EINVAL;

	if ((arg->flags & PMM_SYNC_READ) && (arg->flags & PMM_SYNC_WRITE))
		dir = DMA_BIDIRECTIONAL;
	else if (arg->flags & PMM_SYNC_WRITE)
		dir = DMA_TO_DEVICE;
	else
		dir = DMA_FROM_DEVICE;
	pmm_dmabuf_sync(mem, arg->offset, arg->length,
			!(arg->flags & PMM_SYNC_END), dir);
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
 * pmm_cdev_init() - Add the character device all buffer nodes share.
 *
 * Context: Module init, after pmm_mem_init().
 * Return: 0 or a negative errno.
 */
int pmm_cdev_init(void)
{
	cdev_init(&pmm_cdev, &pmm_fops);
	pmm_cdev.owner = THIS_MODULE;
	return cdev_add(&pmm_cdev, pmm_mem_devt(), PMM_MINORS);
}

/**
 * pmm_cdev_exit() - Remove the character device.
 *
 * Context: Module exit, no buffer enabled.
 */
void pmm_cdev_exit(void)
{
	cdev_del(&pmm_cdev);
}
