// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - a global pool of physically contiguous memory for video and DMA
 * pipelines.  Module init/exit and the pools parameter.
 *
 * Files, each calling only into the ones after it:
 *   pmm_main.c      module init/exit
 *   pmm_device.c    platform devices: device-tree pools, DMA coherency
 *   pmm_configfs.c  the configfs tree: buffers/ and the read-only pools/
 *   pmm_buffer.c    a declared buffer (buffers/NAME) and its attributes
 *   pmm_enable.c    enable, the commit point, and the live attributes
 *   pmm_cdev.c      /dev/pmm/NAME: file operations and ioctls
 *   pmm_heap.c      /dev/dma_heap/pmm-POOL: every pool as a DMA-BUF heap
 *   pmm_api.c       the in-kernel API and transaction locks
 *   pmm_dmabuf.c    the dma-buf exporter
 *   pmm_mem.c       the memory of an enabled buffer and its device
 *   pmm_map.c       kernel and user mappings of that memory
 *   pmm_pool.c      pools: allocation and zero tracking
 *   pmm_fit.c       placement in a pool
 *   pmm_reserve.c   where a pool's memory comes from
 *   pmm_parse.c     names, sizes and cache modes
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "pmm.h"

static char *pools;
module_param(pools, charp, 0444);
MODULE_PARM_DESC(pools,
		 "Memory types beside the device tree's: NAME:SIZE[@BASE][,...], K/M/G suffixes; with @BASE a carveout the kernel does not use, without it contiguous RAM taken at load (default: default:16M unless the device tree declares pools)");

/* A machine told nothing still gets a pool to try PMM with. */
#define PMM_DEFAULT_POOLS	"default:16M"

static int __init pmm_init(void)
{
	struct device *dev;
	int ret;

	dev = pmm_device_init();
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = pmm_pools_init(pools ?: (pmm_pool_first() ? "" : PMM_DEFAULT_POOLS),
			     dev);
	if (ret)
		goto out_exit_device;

	ret = pmm_mem_init();
	if (ret)
		goto out_exit_pools;

	ret = pmm_cdev_init();
	if (ret)
		goto out_exit_mem;

	ret = pmm_heap_init();
	if (ret)
		goto out_exit_cdev;

	ret = pmm_configfs_init();
	if (ret)
		goto out_exit_heap;

	return 0;

out_exit_heap:
	pmm_heap_exit();
out_exit_cdev:
	pmm_cdev_exit();
out_exit_mem:
	pmm_mem_exit();
out_exit_pools:
	pmm_pools_exit();
out_exit_device:
	pmm_device_exit();
	return ret;
}

static void __exit pmm_exit(void)
{
	/*
	 * configfs holds a module reference for every buffer directory,
	 * every open /dev/pmm and heap node holds one through its fops,
	 * every dma-buf one through its exporter and held memory one of its
	 * own, so by now no buffer and no allocation is left.
	 */
	pmm_configfs_exit();
	pmm_heap_exit();
	pmm_cdev_exit();
	pmm_mem_exit();
	pmm_pools_exit();
	pmm_device_exit();
}

module_init(pmm_init);
module_exit(pmm_exit);

MODULE_IMPORT_NS(DMA_BUF);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("PMM developers");
MODULE_DESCRIPTION("Physical memory manager: named contiguous buffers declared in configfs, and every pool a DMA-BUF heap");
