// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - the mappings of a buffer's memory, kernel and user, each with the
 * buffer's cacheability: the kernel view that zeroes it and serves read(),
 * write() and importers' vmap, and the user mappings of /dev/pmm/NAME and
 * of its dma-bufs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include "pmm.h"
#include "pmm_compat.h"

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
	int pages = mem->desc.size >> PAGE_SHIFT;

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

/**
 * pmm_mem_map_kernel() - Give a buffer's memory its kernel view.
 * @mem: the memory, with its pool, range and cacheability set
 *
 * Contig memory is seen through the linear map, whose memory type is
 * changed to the buffer's; carveouts get a mapping of their own.
 *
 * Context: Process context.
 * Return: 0, or a negative errno if no mapping of that type can be had.
 */
int pmm_mem_map_kernel(struct pmm_mem *mem)
{
	if (mem->desc.pool->backend == PMM_BACKEND_CONTIG) {
		mem->vaddr = phys_to_virt(mem->phys);
		if (mem->desc.cache == PMM_CACHE_CACHED)
			return 0;
		return pmm_mem_set_linear_cache(mem, mem->desc.cache);
	}

	switch (mem->desc.cache) {
	case PMM_CACHE_CACHED:
		mem->vaddr = memremap(mem->phys, mem->desc.size, MEMREMAP_WB);
		break;
	case PMM_CACHE_WRITECOMBINE:
		mem->vaddr = memremap(mem->phys, mem->desc.size, MEMREMAP_WC);
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
		mem->vaddr = (void __force *)ioremap(mem->phys, mem->desc.size);
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

/**
 * pmm_map_init() - Create the debugfs fault injection point.
 *
 * Context: Module init.  A debugging aid: failure to create it is ignored.
 */
void pmm_map_init(void)
{
	pmm_fail_restore_dir = fault_create_debugfs_attr("fail_pmm_restore",
							 NULL,
							 &pmm_fail_restore);
}

/**
 * pmm_map_exit() - Remove the fault injection point.
 *
 * Context: Module exit.
 */
void pmm_map_exit(void)
{
	debugfs_remove_recursive(pmm_fail_restore_dir);
}
#else
static bool pmm_restore_fails(void)
{
	return false;
}

void pmm_map_init(void)
{
}

void pmm_map_exit(void)
{
}
#endif

/**
 * pmm_mem_unmap_kernel() - Remove a buffer's kernel view.
 * @mem: the memory
 *
 * Context: Process context.
 * Return: non-zero if the linear map of contig memory could not be given
 * back its write-back type: such memory must not go back to the pool,
 * where a new owner would get a mapping of a conflicting type.
 */
int pmm_mem_unmap_kernel(struct pmm_mem *mem)
{
	if (mem->desc.pool->backend == PMM_BACKEND_CONTIG) {
		if (mem->desc.cache == PMM_CACHE_CACHED)
			return 0;
		if (pmm_restore_fails())
			return -ENOMEM;
		return pmm_mem_set_linear_cache(mem, PMM_CACHE_CACHED);
	} else if (mem->desc.cache == PMM_CACHE_UNCACHED) {
		iounmap((void __iomem __force *)mem->vaddr);
	} else {
		memunmap(mem->vaddr);
	}
	return 0;
}

/**
 * pmm_mem_zero_range() - Zero part of a buffer through its kernel view.
 * @arg: the memory (struct pmm_mem), as pmm_pool_zero_new() passes it
 * @off: offset of the first byte
 * @len: bytes
 *
 * Context: Process context.
 */
void pmm_mem_zero_range(void *arg, u64 off, u64 len)
{
	struct pmm_mem *mem = arg;

	memset(mem->vaddr + off, 0, len);
	/* Drain write-combining buffers before anyone else can look. */
	wmb();
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
	unsigned long pages = mem->desc.size >> PAGE_SHIFT;
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
		pr_warn_ratelimited("buffer '%s': mmap: %lu bytes at page %lu exceed the buffer (%llu bytes)\n",
				    dev_name(&mem->dev), len, vma->vm_pgoff, mem->desc.size);
		return -EINVAL;
	}

	vma->vm_page_prot = pmm_pgprot(mem->desc.cache, vma->vm_page_prot);
	pmm_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	pfn = PHYS_PFN(mem->phys) + vma->vm_pgoff;
	if (mem->desc.pool->backend == PMM_BACKEND_CONTIG) {
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

/**
 * pmm_vma_mem() - The memory a user mapping maps, if it is PMM's.
 * @vma: a mapping of the current process, mmap lock held
 *
 * Context: Process context, mmap lock held.
 * Return: the memory (no reference taken), or NULL if @vma is not a
 * mapping of a PMM buffer or of one of its dma-bufs.
 */
struct pmm_mem *pmm_vma_mem(struct vm_area_struct *vma)
{
	return vma->vm_ops == &pmm_vm_ops ? vma->vm_private_data : NULL;
}
