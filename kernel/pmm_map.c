// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - the mappings of a buffer's memory, kernel and user, each with the
 * buffer's cacheability: the kernel view that zeroes it and serves read(),
 * write() and importers' vmap, and the user mappings of /dev/pmm/NAME and
 * of its dma-bufs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pmm.h"
#include "pmm_compat.h"

/*
 * "uncached" is the memory type the DMA API gives coherent allocations
 * (pgprot_dmacoherent()): UC- on x86; on ARM Normal Non-cacheable, since
 * Device memory, what ioremap() and pgprot_noncached() give there, faults
 * on the unaligned accesses and DC ZVA that memcpy() and memset() make.
 * ioremap_wc() is that type on ARM.
 */
#if defined(CONFIG_ARM) || defined(CONFIG_ARM64)
#define pmm_ioremap_uncached	ioremap_wc
#else
#define pmm_ioremap_uncached	ioremap
#endif

static pgprot_t pmm_pgprot(u32 cache, pgprot_t prot)
{
	switch (cache) {
	case PMM_CACHE_WRITECOMBINE:
		return pgprot_writecombine(prot);
	case PMM_CACHE_UNCACHED:
		return pgprot_dmacoherent(prot);
	case PMM_CACHE_CACHED:
		break;
	}
	return prot;
}

static struct device *pmm_mem_dma_dev(struct pmm_mem *mem)
{
	return mem->desc.pool->dev;
}

#ifdef CONFIG_X86
/*
 * x86 PAT tracks the memory type of RAM pages through the linear map: a
 * user mapping with another type would silently fall back to write-back.
 * So the kernel view of non-cached contig memory is the linear map, given
 * the buffer's type (pmm_type_set()); carveouts are not in the linear map.
 */
static int pmm_mem_map_noncached(struct pmm_mem *mem)
{
	mem->vaddr = phys_to_virt(mem->phys);
	return 0;
}

static void pmm_mem_unmap_noncached(struct pmm_mem *mem)
{
	/* The linear map keeps the type, for the next owner (pmm_type.c). */
}
#else
/*
 * Elsewhere the linear map keeps its cacheable type: the kernel view is a
 * mapping of its own, as the DMA API makes for non-coherent allocations
 * (pmm_type_set() has made the cacheable alias safe).
 */
static int pmm_mem_map_noncached(struct pmm_mem *mem)
{
	unsigned long i, nr = mem->desc.size >> PAGE_SHIFT;
	struct page **pages;

	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		pages[i] = pfn_to_page(PHYS_PFN(mem->phys) + i);
	mem->vaddr = vmap(pages, nr, VM_MAP,
			  pmm_pgprot(mem->desc.cache, PAGE_KERNEL));
	kvfree(pages);
	return mem->vaddr ? 0 : -ENOMEM;
}

static void pmm_mem_unmap_noncached(struct pmm_mem *mem)
{
	vunmap(mem->vaddr);
}
#endif

/*
 * Contig memory of a pool whose device is not DMA-coherent is mapped for
 * that device for as long as it lives: the DMA address is what cache
 * maintenance of its range goes through.  Each owner syncs what it needs
 * (zeroing, a change of type, PMM_IOC_SYNC), so the mapping itself makes
 * none.  A coherent device needs no maintenance, and so no mapping, which
 * would only overlap every importer's (DMA-API debugging reports that).
 */
static bool pmm_mem_dma_mapped(struct pmm_mem *mem)
{
	return !mem->desc.pool->coherent;
}

static void pmm_mem_dma_unmap(struct pmm_mem *mem)
{
	if (pmm_mem_dma_mapped(mem))
		dma_unmap_page_attrs(pmm_mem_dma_dev(mem), mem->dma,
				     mem->desc.size, DMA_BIDIRECTIONAL,
				     DMA_ATTR_SKIP_CPU_SYNC);
}

static int pmm_mem_map_contig(struct pmm_mem *mem)
{
	struct device *dev = pmm_mem_dma_dev(mem);
	int ret;

	/* Before the buffer's own DMA mapping: the change may make one. */
	ret = pmm_type_set(mem->desc.pool, mem->phys, mem->desc.size,
			   mem->desc.cache);
	if (ret)
		return ret;
	if (pmm_mem_dma_mapped(mem)) {
		mem->dma = dma_map_page_attrs(dev, pfn_to_page(PHYS_PFN(mem->phys)),
					      0, mem->desc.size,
					      DMA_BIDIRECTIONAL,
					      DMA_ATTR_SKIP_CPU_SYNC);
		if (dma_mapping_error(dev, mem->dma))
			return -ENOMEM;
	}
	if (mem->desc.cache == PMM_CACHE_CACHED) {
		mem->vaddr = phys_to_virt(mem->phys);
		return 0;
	}
	ret = pmm_mem_map_noncached(mem);
	if (ret)
		pmm_mem_dma_unmap(mem);
	return ret;
}

/**
 * pmm_mem_map_kernel() - Give a buffer's memory its kernel view.
 * @mem: the memory, with its pool, range and cacheability set
 *
 * Contig memory is seen through the linear map if cached; otherwise
 * through a mapping of the buffer's type (on x86 the linear map itself,
 * changed to that type).  Carveouts get a mapping of their own.
 *
 * Context: Process context.
 * Return: 0, or a negative errno if no mapping of that type can be had.
 */
int pmm_mem_map_kernel(struct pmm_mem *mem)
{
	if (mem->desc.pool->backend == PMM_BACKEND_CONTIG)
		return pmm_mem_map_contig(mem);

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
		mem->vaddr = (void __force *)pmm_ioremap_uncached(mem->phys,
								  mem->desc.size);
		break;
	}
	return mem->vaddr ? 0 : -ENOMEM;
}

/**
 * pmm_mem_unmap_kernel() - Remove a buffer's kernel view.
 * @mem: the memory
 *
 * Contig memory keeps the type its owner gave it, for the next owner of
 * the same type (pmm_type.c).
 *
 * Context: Process context.
 */
void pmm_mem_unmap_kernel(struct pmm_mem *mem)
{
	if (mem->desc.pool->backend == PMM_BACKEND_CONTIG) {
		if (mem->desc.cache != PMM_CACHE_CACHED)
			pmm_mem_unmap_noncached(mem);
		pmm_mem_dma_unmap(mem);
	} else if (mem->desc.cache == PMM_CACHE_UNCACHED) {
		iounmap((void __iomem __force *)mem->vaddr);
	} else {
		memunmap(mem->vaddr);
	}
}

/**
 * pmm_mem_sync() - Cache maintenance of part of a buffer for its pool's
 *	device.
 * @mem: the memory
 * @off: offset of the first byte, within the buffer
 * @len: bytes, at most the rest of the buffer
 * @for_cpu: true before the CPU accesses the range (invalidates what a
 *	device wrote), false after (cleans what the CPU wrote)
 * @dir: the direction of the device's transfers
 *
 * Only cached contig memory of a pool whose device is not DMA-coherent
 * needs it: non-cached memory has no cached lines but those of the linear
 * alias, which enable and release take care of, and a cached carveout is
 * only allowed on a coherent device.  The range is widened to whole cache
 * lines.
 *
 * Context: Process context.
 */
void pmm_mem_sync(struct pmm_mem *mem, u64 off, u64 len, bool for_cpu,
		  enum dma_data_direction dir)
{
	struct pmm_pool *pool = mem->desc.pool;
	u64 line = dma_get_cache_alignment(), end;

	if (mem->desc.cache != PMM_CACHE_CACHED || pool->coherent ||
	    pool->backend != PMM_BACKEND_CONTIG)
		return;
	end = min(round_up(off + len, line), mem->desc.size);
	off = round_down(off, line);
	if (for_cpu)
		dma_sync_single_range_for_cpu(pool->dev, mem->dma, off,
					      end - off, dir);
	else
		dma_sync_single_range_for_device(pool->dev, mem->dma, off,
						 end - off, dir);
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
	/*
	 * Zeroes in dirty cache lines are not in memory yet: a device
	 * reading before the owner's first sync would see what the last
	 * owner left there.
	 */
	pmm_mem_sync(mem, off, len, false, DMA_TO_DEVICE);
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

/* Pages per vm_insert_pages() call: a page table's worth. */
#define PMM_MAP_BATCH	PTRS_PER_PTE

/*
 * Insert the pages from @pfn on over all of @vma.  vm_insert_pages()
 * takes each page table's lock once for all its entries where
 * vm_insert_page() takes it per page: mapping 64 MiB cost 8 ms that way.
 */
static int pmm_mmap_pages(struct vm_area_struct *vma, unsigned long pfn)
{
	unsigned long addr = vma->vm_start, nr, left, i;
	struct page **pages;
	int ret = 0;

	pages = kmalloc_array(PMM_MAP_BATCH, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (addr < vma->vm_end) {
		nr = min_t(unsigned long, (vma->vm_end - addr) >> PAGE_SHIFT,
			   PMM_MAP_BATCH);
		for (i = 0; i < nr; i++)
			pages[i] = pfn_to_page(pfn + i);
		left = nr;
		ret = vm_insert_pages(vma, addr, pages, &left);
		if (ret)
			break;
		addr += nr << PAGE_SHIFT;
		pfn += nr;
	}
	kfree(pages);
	return ret;
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
	unsigned long pfn;
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
		ret = pmm_mmap_pages(vma, pfn);
		if (ret)
			return ret;
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
