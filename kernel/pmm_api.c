// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - the in-kernel API (include/linux/pmm.h): drivers find a buffer's
 * memory by name or by a user pointer into a mapping of it, and lock it
 * for the length of a DMA transaction.  The ioctls take the same locks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include <linux/pmm.h>

#include "pmm.h"

/* 0 if locked, -EAGAIN if a conflicting lock is held, -ENODEV if disabled. */
static int pmm_mem_trylock(struct pmm_mem *mem, bool shared)
{
	int ret = -EAGAIN;

	mutex_lock(&mem->lock);
	if (mem->disabled) {
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

/**
 * pmm_mem_get() - Take a reference to an enabled buffer's memory.
 * @name: the buffer's name (/dev/pmm/@name)
 *
 * The reference keeps the memory out of the pool, not the buffer enabled:
 * take a lock with pmm_mem_lock() for the length of a transaction.
 *
 * Context: Process context.
 * Return: the memory, ERR_PTR(-ENOENT) if no buffer of that name is
 * enabled.
 */
struct pmm_mem *pmm_mem_get(const char *name)
{
	return pmm_mem_find(name);
}
EXPORT_SYMBOL_GPL(pmm_mem_get);

/**
 * pmm_mem_put() - Drop a reference from pmm_mem_get() or
 *	pmm_mem_lock_user().
 * @mem: the memory
 *
 * Context: Process context.
 */
void pmm_mem_put(struct pmm_mem *mem)
{
	put_device(&mem->dev);
}
EXPORT_SYMBOL_GPL(pmm_mem_put);

/**
 * pmm_mem_lock() - Lock a buffer for a DMA transaction.
 * @mem: the memory, from pmm_mem_get()
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
int pmm_mem_lock(struct pmm_mem *mem, unsigned int flags)
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
EXPORT_SYMBOL_GPL(pmm_mem_lock);

/**
 * pmm_mem_unlock() - Release a lock from pmm_mem_lock().
 * @mem: the memory
 * @flags: the flags the lock was taken with
 *
 * Releases one lock of the kind held.  Flags naming the other kind are a
 * bug in the caller: they get a warning, once, and change nothing else.
 *
 * Context: Process context.
 */
void pmm_mem_unlock(struct pmm_mem *mem, unsigned int flags)
{
	bool shared = flags & PMM_LOCK_SHARED;

	/*
	 * Shared and exclusive locks never coexist, so the kind held is the
	 * one the caller holds.  Trusting a caller naming the other kind
	 * would underflow the shared count and pin the buffer for good.
	 */
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
EXPORT_SYMBOL_GPL(pmm_mem_unlock);

/**
 * pmm_mem_region() - Where a locked buffer is.
 * @mem: the memory, locked by the caller
 * @phys: its physical (and, without an IOMMU, DMA) address
 * @size: its size in bytes
 *
 * Context: Any; the answer is only stable while the caller holds a lock.
 */
void pmm_mem_region(struct pmm_mem *mem, phys_addr_t *phys, size_t *size)
{
	*phys = mem->phys;
	*size = mem->desc.size;
}
EXPORT_SYMBOL_GPL(pmm_mem_region);

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
 * pmm_mem_lock_user() - Find and lock the buffer behind a user range.
 * @uaddr: start of the range in the current process
 * @len: its length in bytes
 * @dir: what the device will do with the memory: DMA_TO_DEVICE (read it),
 *	DMA_FROM_DEVICE (write it) or DMA_BIDIRECTIONAL
 * @flags: as for pmm_mem_lock()
 * @offset: where the range starts in the buffer
 *
 * The UPBuffer lookup of the 2009 RFC: a process hands a driver a pointer
 * into a mapping of /dev/pmm/NAME (or of one of its dma-bufs), and the
 * driver gets the buffer, locked, without trusting the process's page
 * tables.  The process gets no more through the device than its mapping
 * gives it: a device write needs a mapping with PROT_WRITE, a device read
 * one with PROT_READ.  Drop it with pmm_mem_unlock() and
 * pmm_mem_put().
 *
 * Context: Process context of the process owning @uaddr; may sleep.
 * Return: the memory, or an ERR_PTR(): -EFAULT if @uaddr is not inside a
 * PMM mapping, -EINVAL if the range is empty or runs past the mapping or
 * @dir is not one of the three, -EACCES if the mapping does not allow
 * what the device will do, or the error of pmm_mem_lock().
 */
struct pmm_mem *pmm_mem_lock_user(unsigned long uaddr, size_t len,
				  enum dma_data_direction dir,
				  unsigned int flags, size_t *offset)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct pmm_mem *mem;
	int ret = -EFAULT;

	if (!mm)
		return ERR_PTR(-EFAULT);
	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	mem = vma ? pmm_vma_mem(vma) : NULL;
	if (mem) {
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
	ret = pmm_mem_lock(mem, flags);
	if (ret) {
		put_device(&mem->dev);
		return ERR_PTR(ret);
	}
	return mem;
}
EXPORT_SYMBOL_GPL(pmm_mem_lock_user);
