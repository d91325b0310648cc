// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - a global pool of physically contiguous memory for video and DMA
 * pipelines.  Module init/exit, parameters, the "pmm" device class and
 * helpers shared by the configfs and device code.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pmm.h"

static char *pools = "default:16M";
module_param(pools, charp, 0444);
MODULE_PARM_DESC(pools,
		 "Memory types: NAME:SIZE[@BASE][,...], K/M/G suffixes; with @BASE a carveout the kernel does not use, without it contiguous RAM taken at load (default: default:16M)");

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

static const char * const pmm_cache_names[] = {
	[PMM_CACHE_CACHED] = "cached",
	[PMM_CACHE_WRITECOMBINE] = "writecombine",
	[PMM_CACHE_UNCACHED] = "uncached",
};

/**
 * pmm_cache_name() - The configfs spelling of a cache mode.
 * @cache: the mode
 *
 * Return: "cached", "writecombine" or "uncached".
 */
const char *pmm_cache_name(u32 cache)
{
	return pmm_cache_names[cache];
}

/**
 * pmm_name_valid() - Whether a pool or buffer name is acceptable.
 * @name: NUL-terminated name
 *
 * Names become directory and device node names, and appear in udev rules
 * and shell scripts, so they are kept to a portable character set.
 *
 * Return: true for 1 to PMM_NAME_MAX characters of [A-Za-z0-9._-] other
 * than "." and "..".
 */
bool pmm_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > PMM_NAME_MAX || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

/**
 * pmm_parse_size() - Parse a byte count with an optional K/M/G/T suffix.
 * @s: the text, optionally ending in one newline
 * @out: the value
 *
 * Like memparse(), but strict: no trailing junk, no sign, and overflow is
 * an error rather than a silently wrapped value.  The number may be in
 * any base kstrtoull() accepts with base 0.
 *
 * Return: 0, or -EINVAL if @s is not such a size.
 */
int pmm_parse_size(const char *s, u64 *out)
{
	char num[32];
	size_t len = strlen(s);
	unsigned int shift = 0;
	u64 v;

	if (len && s[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';

	switch (num[len - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	}
	if (shift)
		num[--len] = '\0';
	if (!len || !isdigit(num[0]) || kstrtoull(num, 0, &v))
		return -EINVAL;
	if (check_shl_overflow(v, shift, out))
		return -EINVAL;
	return 0;
}

static int __init pmm_init(void)
{
	int ret;

	ret = pmm_pools_init(pools);
	if (ret)
		return ret;

	ret = class_register(&pmm_class);
	if (ret)
		goto out_release_pools;

	ret = pmm_cdev_init();
	if (ret)
		goto out_unregister_class;

	ret = pmm_configfs_init();
	if (ret)
		goto out_cdev_exit;

	return 0;

out_cdev_exit:
	pmm_cdev_exit();
out_unregister_class:
	class_unregister(&pmm_class);
out_release_pools:
	pmm_pools_exit();
	return ret;
}

static void __exit pmm_exit(void)
{
	/*
	 * configfs holds a module reference for every buffer directory and
	 * every open /dev/pmm node holds one through its fops, so by now no
	 * buffer and no allocation is left.
	 */
	pmm_configfs_exit();
	pmm_cdev_exit();
	class_unregister(&pmm_class);
	pmm_pools_exit();
}

module_init(pmm_init);
module_exit(pmm_exit);

MODULE_IMPORT_NS(DMA_BUF);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("PMM developers");
MODULE_DESCRIPTION("Physical memory manager: named contiguous buffers declared in configfs");
