// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - a global pool of physically contiguous memory for video and DMA
 * pipelines.  Module init/exit and the "pmm" device class.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "pmm.h"

#ifdef PMM_DEVNODE_CONST
static char *pmm_devnode(const struct device *dev, umode_t *mode)
#else
static char *pmm_devnode(struct device *dev, umode_t *mode)
#endif
{
	/* Buffers live under /dev/pmm/ so their names cannot clash with others. */
	return kasprintf(GFP_KERNEL, "pmm/%s", dev_name(dev));
}

struct class pmm_class = {
	.name = "pmm",
	.devnode = pmm_devnode,
};

static int __init pmm_init(void)
{
	int ret;

	ret = class_register(&pmm_class);
	if (ret)
		return ret;

	ret = pmm_configfs_init();
	if (ret)
		goto out_unregister_class;

	return 0;

out_unregister_class:
	class_unregister(&pmm_class);
	return ret;
}

static void __exit pmm_exit(void)
{
	pmm_configfs_exit();
	class_unregister(&pmm_class);
}

module_init(pmm_init);
module_exit(pmm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("PMM developers");
MODULE_DESCRIPTION("Physical memory manager: named contiguous buffers declared in configfs");
