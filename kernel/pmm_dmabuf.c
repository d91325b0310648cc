// SPDX-License-Identifier: GPL-2.0
/*
 * PMM dma-buf exporter: a buffer's memory shared with other drivers
 * (V4L2, DRM) as a dma-buf.  The memory is physically contiguous, so every
 * attachment maps it as a single scatterlist entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "pmm.h"

/**
 * struct pmm_attachment - one importing device
 * @node: entry in pmm_mem.attachments
 * @dev: the importer's device
 * @sgt: the whole buffer, in entries no longer than @dev's maximum DMA
 *	segment size
 * @mapped: the table is DMA-mapped for @dev
 */
struct pmm_attachment {
	struct list_head node;
	struct device *dev;
	struct sg_table sgt;
	bool mapped;
};

/* Carveouts have no struct pages: they are mapped as a device resource. */
static bool pmm_mem_has_pages(struct pmm_mem *mem)
{
	return mem->desc.pool->backend == PMM_BACKEND_CONTIG;
}

/*
 * The buffer is one physical range, but an importer may only take DMA
 * segments up to dma_get_max_seg_size() (64 KiB unless its driver says
 * otherwise): describe it in entries of at most that size.  Contig memory
 * gets its pages here; carveouts get their DMA addresses when mapped.
 */
static int pmm_sgt_init(struct sg_table *sgt, struct pmm_mem *mem,
			struct device *dev)
{
	size_t seg = max_t(size_t, PAGE_SIZE,
			   round_down(dma_get_max_seg_size(dev), PAGE_SIZE));
	struct scatterlist *sg;
	size_t off = 0, len;
	int ret, i;

	ret = sg_alloc_table(sgt, DIV_ROUND_UP_ULL(mem->desc.size, seg), GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(sgt, sg, i) {
		len = min_t(u64, seg, mem->desc.size - off);
		if (pmm_mem_has_pages(mem))
			sg_set_page(sg, pfn_to_page(PHYS_PFN(mem->phys + off)),
				    len, 0);
		else
			sg->length = len;
		off += len;
	}
	return 0;
}

static int pmm_dmabuf_attach(struct dma_buf *dmabuf,
			     struct dma_buf_attachment *attachment)
{
	struct pmm_mem *mem = dmabuf->priv;
	struct pmm_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = pmm_sgt_init(&a->sgt, mem, attachment->dev);
	if (ret) {
		kfree(a);
		return ret;
	}
	a->dev = attachment->dev;
	attachment->priv = a;

	mutex_lock(&mem->lock);
	list_add(&a->node, &mem->attachments);
	mutex_unlock(&mem->lock);
	return 0;
}

static void pmm_dmabuf_detach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct pmm_mem *mem = dmabuf->priv;
	struct pmm_attachment *a = attachment->priv;

	mutex_lock(&mem->lock);
	list_del(&a->node);
	mutex_unlock(&mem->lock);
	sg_free_table(&a->sgt);
	kfree(a);
}

/* Write-combined and uncached memory needs no CPU cache maintenance. */
static unsigned long pmm_dma_attrs(struct pmm_mem *mem)
{
	return mem->desc.cache == PMM_CACHE_CACHED ? 0 : DMA_ATTR_SKIP_CPU_SYNC;
}

/*
 * Whether @dev can reach the buffer where it is.  A device without an
 * IOMMU whose DMA mask ends below the buffer would not get it: the DMA API
 * bounces pages through swiotlb (the device would read and write a copy,
 * and a CPU write through the buffer's own mapping would be overwritten
 * by the copy-back), and refuses a carveout with a warning.  A DMA offset
 * (dma_range_map) cannot be applied from a module; such devices are left
 * to the DMA API.
 */
static bool pmm_dev_reaches(struct device *dev, struct pmm_mem *mem)
{
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);

	if (device_iommu_mapped(dev) || dev->dma_range_map)
		return true;
	return mem->phys + mem->desc.size - 1 <= limit;
}

static struct sg_table *pmm_dmabuf_map(struct dma_buf_attachment *attachment,
				       enum dma_data_direction dir)
{
	struct pmm_mem *mem = attachment->dmabuf->priv;
	struct pmm_attachment *a = attachment->priv;
	struct scatterlist *sg;
	dma_addr_t addr;
	int ret, i;

	if (!pmm_dev_reaches(a->dev, mem)) {
		dev_warn_ratelimited(a->dev, "pmm: buffer '%s': map: its memory lies beyond this device's DMA mask %#llx; use a pool the device can reach\n",
				     dev_name(&mem->dev), dma_get_mask(a->dev));
		return ERR_PTR(-EINVAL);
	}

	if (pmm_mem_has_pages(mem)) {
		ret = dma_map_sgtable(a->dev, &a->sgt, dir, pmm_dma_attrs(mem));
		if (ret)
			return ERR_PTR(ret);
	} else {
		/* One mapping of the range, handed out in the table's pieces. */
		addr = dma_map_resource(a->dev, mem->phys, mem->desc.size, dir,
					pmm_dma_attrs(mem));
		if (dma_mapping_error(a->dev, addr))
			return ERR_PTR(-ENOMEM);
		if (mem->desc.cache == PMM_CACHE_CACHED &&
		    dma_need_sync(a->dev, addr)) {
			dma_unmap_resource(a->dev, addr, mem->desc.size, dir,
					   pmm_dma_attrs(mem));
			dev_warn_ratelimited(a->dev, "pmm: buffer '%s': map: a cached carveout cannot be kept coherent for a device without coherent DMA; use writecombine or uncached\n",
					     dev_name(&mem->dev));
			return ERR_PTR(-EINVAL);
		}
		for_each_sgtable_sg(&a->sgt, sg, i) {
			sg_dma_address(sg) = addr;
			sg_dma_len(sg) = sg->length;
			addr += sg->length;
		}
		a->sgt.nents = a->sgt.orig_nents;
	}

	mutex_lock(&mem->lock);
	a->mapped = true;
	mutex_unlock(&mem->lock);
	return &a->sgt;
}

static void pmm_dmabuf_unmap(struct dma_buf_attachment *attachment,
			     struct sg_table *sgt, enum dma_data_direction dir)
{
	struct pmm_mem *mem = attachment->dmabuf->priv;
	struct pmm_attachment *a = attachment->priv;

	mutex_lock(&mem->lock);
	a->mapped = false;
	mutex_unlock(&mem->lock);

	if (pmm_mem_has_pages(mem))
		dma_unmap_sgtable(a->dev, sgt, dir, pmm_dma_attrs(mem));
	else
		dma_unmap_resource(a->dev, sg_dma_address(sgt->sgl), mem->desc.size,
				   dir, pmm_dma_attrs(mem));
}

/* Sync [@off, @off + @len) of @a's DMA segments, which map it in order. */
static void pmm_attachment_sync(struct pmm_attachment *a, u64 off, u64 len,
				bool for_cpu, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	u64 start = 0, s, e;
	int i;

	for_each_sgtable_dma_sg(&a->sgt, sg, i) {
		s = max(off, start);
		e = min(off + len, start + sg_dma_len(sg));
		if (s < e) {
			if (for_cpu)
				dma_sync_single_range_for_cpu(a->dev,
							      sg_dma_address(sg),
							      s - start, e - s,
							      dir);
			else
				dma_sync_single_range_for_device(a->dev,
								 sg_dma_address(sg),
								 s - start,
								 e - s, dir);
		}
		start += sg_dma_len(sg);
	}
}

/**
 * pmm_dmabuf_sync() - Cache maintenance of part of a buffer for its pool's
 *	device and every device it is mapped for.
 * @mem: the allocation
 * @off: offset of the first byte
 * @len: bytes, at most the rest of the buffer
 * @for_cpu: true before the CPU accesses it, false after
 * @dir: the direction of the device transfers it is synchronised with
 *
 * Both: the pool's device stands for DMA PMM does not see (a user-space
 * driver's, a lock holder's), and the caller cannot know who else works on
 * the buffer.  Cached contig buffers are synchronised for every device
 * that has one of their dma-bufs mapped; write-combined and uncached ones
 * need nothing.
 * Carveouts are mapped as a resource, which the DMA API does not sync
 * (it would reach the memory through a linear map carveouts do not have):
 * a cached one is only mapped for coherent devices.
 *
 * Context: Process context.
 */
void pmm_dmabuf_sync(struct pmm_mem *mem, u64 off, u64 len, bool for_cpu,
		     enum dma_data_direction dir)
{
	struct pmm_attachment *a;

	pmm_mem_sync(mem, off, len, for_cpu, dir);
	if (mem->desc.cache != PMM_CACHE_CACHED || !pmm_mem_has_pages(mem))
		return;

	mutex_lock(&mem->lock);
	list_for_each_entry(a, &mem->attachments, node)
		if (a->mapped)
			pmm_attachment_sync(a, off, len, for_cpu, dir);
	mutex_unlock(&mem->lock);
}

static int pmm_dmabuf_begin_cpu_access(struct dma_buf *dmabuf,
				       enum dma_data_direction dir)
{
	struct pmm_mem *mem = dmabuf->priv;

	pmm_dmabuf_sync(mem, 0, mem->desc.size, true, dir);
	return 0;
}

static int pmm_dmabuf_end_cpu_access(struct dma_buf *dmabuf,
				     enum dma_data_direction dir)
{
	struct pmm_mem *mem = dmabuf->priv;

	pmm_dmabuf_sync(mem, 0, mem->desc.size, false, dir);
	return 0;
}

static int pmm_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	return pmm_mem_mmap(dmabuf->priv, vma);
}

static int pmm_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct pmm_mem *mem = dmabuf->priv;

	/*
	 * The kernel view made at enable already has the right cacheability.
	 * It is always a system-memory address, uncached carveouts included:
	 * importers hand it back to dma_buf_vunmap() as one (vb2 rebuilds the
	 * map with IOSYS_MAP_INIT_VADDR), which must match what vmap gave.
	 */
	iosys_map_set_vaddr(map, mem->vaddr);
	return 0;
}

static void pmm_dmabuf_release(struct dma_buf *dmabuf)
{
	struct pmm_mem *mem = dmabuf->priv;

	mutex_lock(&mem->lock);
	mem->dmabufs--;
	mutex_unlock(&mem->lock);
	put_device(&mem->dev);
}

static const struct dma_buf_ops pmm_dmabuf_ops = {
	.attach = pmm_dmabuf_attach,
	.detach = pmm_dmabuf_detach,
	.map_dma_buf = pmm_dmabuf_map,
	.unmap_dma_buf = pmm_dmabuf_unmap,
	.begin_cpu_access = pmm_dmabuf_begin_cpu_access,
	.end_cpu_access = pmm_dmabuf_end_cpu_access,
	.mmap = pmm_dmabuf_mmap,
	.vmap = pmm_dmabuf_vmap,
	.release = pmm_dmabuf_release,
};

/**
 * pmm_dmabuf_export() - Export a buffer's memory as a dma-buf.
 * @mem: the allocation
 * @flags: O_RDONLY/O_WRONLY/O_RDWR and O_CLOEXEC for the dma-buf file
 *
 * The dma-buf holds a reference to the memory: the buffer cannot be
 * disabled while it lives, and the memory stays out of the pool until the
 * last dma-buf reference is dropped.
 *
 * Context: Process context.
 * Return: the dma-buf, or an ERR_PTR(): -ENODEV if the buffer was just
 * disabled.
 */
struct dma_buf *pmm_dmabuf_export(struct pmm_mem *mem, u32 flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	mutex_lock(&mem->lock);
	if (mem->disabled) {
		mutex_unlock(&mem->lock);
		return ERR_PTR(-ENODEV);
	}
	mem->dmabufs++;
	get_device(&mem->dev);
	mutex_unlock(&mem->lock);

	exp_info.exp_name = "pmm";
	exp_info.ops = &pmm_dmabuf_ops;
	exp_info.size = mem->desc.size;
	exp_info.flags = flags;
	exp_info.priv = mem;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		mutex_lock(&mem->lock);
		mem->dmabufs--;
		mutex_unlock(&mem->lock);
		put_device(&mem->dev);
	}
	return dmabuf;
}
