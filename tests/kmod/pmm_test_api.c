// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: exercises PMM's in-kernel API from user space through
 * /sys/kernel/debug/pmm_test_api.  Commands written to it act on one slot:
 *
 *   get NAME             pmm_mem_get()
 *   lock [shared] [nonblock]
 *   unlock
 *   unlock-as [shared]   pmm_mem_unlock() with the mode given, whatever
 *                        the lock was taken with (a driver's bug)
 *   put                  (also unlocks)
 *   user ADDR LEN [shared] [nonblock] [to-device|from-device]
 *                        pmm_mem_lock_user() in the writer's process,
 *                        for a device that reads (to-device), writes
 *                        (from-device) or, by default, does both
 *
 * Reading it shows the slot: "phys=0x... size=N offset=N locked=0|1" or
 * "empty".  Errors of the API are returned by write(2).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-direction.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pmm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static DEFINE_MUTEX(pmm_test_lock);
static struct pmm_mem *pmm_test_mem;
static unsigned int pmm_test_flags;
static bool pmm_test_locked;
static size_t pmm_test_offset;
static struct dentry *pmm_test_file;

static unsigned int pmm_test_parse_flags(char *args)
{
	unsigned int flags = 0;

	if (args && strstr(args, "shared"))
		flags |= PMM_LOCK_SHARED;
	if (args && strstr(args, "nonblock"))
		flags |= PMM_LOCK_NONBLOCK;
	return flags;
}

static enum dma_data_direction pmm_test_parse_dir(char *args)
{
	if (args && strstr(args, "to-device"))
		return DMA_TO_DEVICE;
	if (args && strstr(args, "from-device"))
		return DMA_FROM_DEVICE;
	return DMA_BIDIRECTIONAL;
}

static void pmm_test_drop(void)
{
	if (pmm_test_locked)
		pmm_mem_unlock(pmm_test_mem, pmm_test_flags);
	if (pmm_test_mem)
		pmm_mem_put(pmm_test_mem);
	pmm_test_mem = NULL;
	pmm_test_locked = false;
	pmm_test_offset = 0;
}

static int pmm_test_cmd(char *cmd)
{
	char *op = strsep(&cmd, " ");
	struct pmm_mem *mem;
	unsigned long addr;
	size_t len;
	int ret;

	if (!strcmp(op, "get") && cmd) {
		if (pmm_test_mem)
			return -EBUSY;
		mem = pmm_mem_get(cmd);
		if (IS_ERR(mem))
			return PTR_ERR(mem);
		pmm_test_mem = mem;
		return 0;
	}
	if (!strcmp(op, "lock")) {
		if (!pmm_test_mem || pmm_test_locked)
			return -EINVAL;
		pmm_test_flags = pmm_test_parse_flags(cmd);
		ret = pmm_mem_lock(pmm_test_mem, pmm_test_flags);
		pmm_test_locked = !ret;
		return ret;
	}
	if (!strcmp(op, "unlock")) {
		if (!pmm_test_locked)
			return -EINVAL;
		pmm_mem_unlock(pmm_test_mem, pmm_test_flags);
		pmm_test_locked = false;
		return 0;
	}
	if (!strcmp(op, "unlock-as")) {
		if (!pmm_test_locked)
			return -EINVAL;
		pmm_mem_unlock(pmm_test_mem, pmm_test_parse_flags(cmd));
		pmm_test_locked = false;
		return 0;
	}
	if (!strcmp(op, "put")) {
		if (!pmm_test_mem)
			return -EINVAL;
		pmm_test_drop();
		return 0;
	}
	if (!strcmp(op, "user") && cmd) {
		char *a = strsep(&cmd, " "), *l = strsep(&cmd, " ");

		if (pmm_test_mem)
			return -EBUSY;
		if (!l || kstrtoul(a, 0, &addr) || kstrtoul(l, 0, &len))
			return -EINVAL;
		pmm_test_flags = pmm_test_parse_flags(cmd);
		mem = pmm_mem_lock_user(addr, len, pmm_test_parse_dir(cmd),
					pmm_test_flags, &pmm_test_offset);
		if (IS_ERR(mem))
			return PTR_ERR(mem);
		pmm_test_mem = mem;
		pmm_test_locked = true;
		return 0;
	}
	return -EINVAL;
}

static ssize_t pmm_test_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char *cmd;
	int ret;

	cmd = memdup_user_nul(ubuf, min_t(size_t, count, 128));
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	strim(cmd);
	mutex_lock(&pmm_test_lock);
	ret = pmm_test_cmd(cmd);
	mutex_unlock(&pmm_test_lock);
	kfree(cmd);
	return ret ?: count;
}

static ssize_t pmm_test_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	phys_addr_t phys;
	char buf[128];
	size_t size;
	int len;

	mutex_lock(&pmm_test_lock);
	if (pmm_test_mem) {
		pmm_mem_region(pmm_test_mem, &phys, &size);
		len = scnprintf(buf, sizeof(buf),
				"phys=%#llx size=%zu offset=%zu locked=%d\n",
				(u64)phys, size, pmm_test_offset,
				pmm_test_locked);
	} else {
		len = scnprintf(buf, sizeof(buf), "empty\n");
	}
	mutex_unlock(&pmm_test_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations pmm_test_fops = {
	.owner = THIS_MODULE,
	.read = pmm_test_read,
	.write = pmm_test_write,
	.llseek = default_llseek,
};

static int __init pmm_test_init(void)
{
	pmm_test_file = debugfs_create_file("pmm_test_api", 0600, NULL, NULL,
					    &pmm_test_fops);
	return 0;
}

static void __exit pmm_test_exit(void)
{
	debugfs_remove(pmm_test_file);
	pmm_test_drop();
}

module_init(pmm_test_init);
module_exit(pmm_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PMM test: drive the in-kernel API through debugfs");
