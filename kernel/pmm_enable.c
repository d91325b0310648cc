// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - a declared buffer's enable attribute, the only commit point, and
 * the attributes that show the enabled buffer: state, phys_addr and what
 * keeps it from being disabled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "pmm.h"

/* Cross-attribute checks, then allocation: the enable commit point. */
static int pmm_buf_enable(struct pmm_buffer *buf)
{
	struct pmm_mem *mem;

	if (!buf->desc.pool) {
		pmm_buf_err(buf, "memtype", "no memory type: the module has no pools\n");
		return -EINVAL;
	}
	if (!buf->desc.size) {
		pmm_buf_err(buf, "size", "not set\n");
		return -EINVAL;
	}
	if (buf->desc.size > buf->desc.pool->size) {
		pmm_buf_err(buf, "size", "%llu bytes do not fit pool '%s' (%llu bytes)\n",
			    buf->desc.size, buf->desc.pool->name, buf->desc.pool->size);
		return -EINVAL;
	}
	if (buf->desc.align > buf->desc.pool->size) {
		pmm_buf_err(buf, "align", "%llu is larger than pool '%s' (%llu bytes)\n",
			    buf->desc.align, buf->desc.pool->name, buf->desc.pool->size);
		return -EINVAL;
	}
	if (buf->desc.boundary && buf->desc.boundary < buf->desc.size) {
		pmm_buf_err(buf, "boundary", "%llu is smaller than size %llu\n",
			    buf->desc.boundary, buf->desc.size);
		return -EINVAL;
	}

	/*
	 * Cache maintenance goes through the linear map, which a carveout
	 * does not have: cached carveout memory is only coherent with a
	 * device whose DMA is.
	 */
	if (buf->desc.cache == PMM_CACHE_CACHED && !buf->desc.pool->coherent &&
	    buf->desc.pool->backend == PMM_BACKEND_CARVEOUT) {
		pmm_buf_err(buf, "cache",
			    "cached needs DMA-coherent memory, and carveout pool '%s' is not (%s); use writecombine or uncached\n",
			    buf->desc.pool->name, dev_name(buf->desc.pool->dev));
		return -EINVAL;
	}

	/*
	 * Outside x86 the linear map, and a cached carveout's mapping, keep
	 * their cacheable type beside a non-cached owner's mappings of the
	 * same memory (pmm_map.c).  Such aliases are safe only with cache
	 * maintenance at each change of owner and type, which the DMA API
	 * makes only for a device whose DMA is not coherent: for a coherent
	 * one it maps all memory cached, and so must PMM.
	 */
	if (!IS_ENABLED(CONFIG_X86) && buf->desc.cache != PMM_CACHE_CACHED &&
	    buf->desc.pool->coherent) {
		pmm_buf_err(buf, "cache",
			    "%s memory of pool '%s' would alias its cached mappings without cache maintenance, which its DMA-coherent device (%s) does not get; use cached\n",
			    pmm_cache_name(buf->desc.cache), buf->desc.pool->name,
			    dev_name(buf->desc.pool->dev));
		return -EINVAL;
	}

	mem = pmm_mem_create(&buf->desc, pmm_buf_name(buf));
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	buf->mem = mem;
	pr_info("buffer '%s': enabled, %llu bytes from pool '%s', %s\n",
		pmm_buf_name(buf), buf->desc.size, buf->desc.pool->name,
		pmm_cache_name(buf->desc.cache));
	return 0;
}

static int pmm_buf_disable(struct pmm_buffer *buf)
{
	int ret;

	ret = pmm_mem_destroy(buf->mem);
	if (ret)
		return ret;
	buf->mem = NULL;
	pr_info("buffer '%s': disabled\n", pmm_buf_name(buf));
	return 0;
}

static bool pmm_buf_enabled(struct pmm_buffer *buf)
{
	bool enabled;

	mutex_lock(&buf->lock);
	enabled = buf->mem;
	mutex_unlock(&buf->lock);
	return enabled;
}

static ssize_t pmm_buf_enable_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", pmm_buf_enabled(to_pmm_buffer(item)));
}

/*
 * Writing the state the buffer is already in succeeds and changes nothing,
 * so init scripts can apply a configuration twice.
 */
static ssize_t pmm_buf_enable_store(struct config_item *item, const char *page,
				    size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	bool enable, was, now;
	int ret;

	if (kstrtobool(page, &enable)) {
		pmm_buf_err(buf, "enable", "invalid value '%.*s' (expected 0 or 1)\n",
			    (int)min_t(size_t, strcspn(page, "\n"), PMM_LOG_VALUE_MAX),
			    page);
		return -EINVAL;
	}

	/*
	 * An enabled buffer pins its directory so that rmdir fails with
	 * EBUSY.  The pin must be taken before buf->lock: it takes configfs
	 * locks that rmdir holds while it waits for ours.
	 */
	if (enable) {
		ret = configfs_depend_item_unlocked(buf->group.cg_subsys,
						    &buf->group.cg_item);
		if (ret)
			return ret;
	}

	mutex_lock(&buf->lock);
	was = buf->mem;
	if (enable && !was)
		ret = pmm_buf_enable(buf);
	else if (!enable && was)
		ret = pmm_buf_disable(buf);
	else
		ret = 0;
	now = buf->mem;
	mutex_unlock(&buf->lock);

	/* Exactly one pin while enabled, none while disabled. */
	if ((enable && !(now && !was)) || (!enable && was && !now))
		configfs_undepend_item_unlocked(&buf->group.cg_item);

	return ret ?: count;
}

static ssize_t pmm_buf_state_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", pmm_buf_enabled(to_pmm_buffer(item)) ?
					"enabled" : "disabled");
}

static ssize_t pmm_buf_phys_addr_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	ssize_t ret;

	mutex_lock(&buf->lock);
	if (buf->mem)
		ret = sysfs_emit(page, "%#llx\n", (u64)buf->mem->phys);
	else
		ret = sysfs_emit(page, "none\n");
	mutex_unlock(&buf->lock);
	return ret;
}

/* What keeps an enabled buffer from being disabled. */
static ssize_t pmm_buf_count_show(struct config_item *item, char *page,
				  enum pmm_mem_count which)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	unsigned int n = 0;

	mutex_lock(&buf->lock);
	if (buf->mem)
		n = pmm_mem_count(buf->mem, which);
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%u\n", n);
}

static ssize_t pmm_buf_opens_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_MEM_OPENS);
}

static ssize_t pmm_buf_maps_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_MEM_MAPS);
}

static ssize_t pmm_buf_locks_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_MEM_LOCKS);
}

static ssize_t pmm_buf_dmabufs_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_MEM_DMABUFS);
}

/* Attributes pmm_buffer.c lists with the declaration's own. */
#define PMM_BUF_ATTR(_name, _mode, _show, _store)		\
	struct configfs_attribute pmm_buf_attr_##_name = {	\
		.ca_name = __stringify(_name),			\
		.ca_owner = THIS_MODULE,			\
		.ca_mode = _mode,				\
		.show = _show,					\
		.store = _store,				\
	}

PMM_BUF_ATTR(enable, 0644, pmm_buf_enable_show, pmm_buf_enable_store);
PMM_BUF_ATTR(state, 0444, pmm_buf_state_show, NULL);
/* Physical addresses are for root only, like /proc/iomem's. */
PMM_BUF_ATTR(phys_addr, 0400, pmm_buf_phys_addr_show, NULL);
PMM_BUF_ATTR(opens, 0444, pmm_buf_opens_show, NULL);
PMM_BUF_ATTR(maps, 0444, pmm_buf_maps_show, NULL);
PMM_BUF_ATTR(locks, 0444, pmm_buf_locks_show, NULL);
PMM_BUF_ATTR(dmabufs, 0444, pmm_buf_dmabufs_show, NULL);
