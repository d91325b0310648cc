// SPDX-License-Identifier: GPL-2.0
/*
 * PMM configfs tree: /sys/kernel/config/pmm/{buffers,pools}.  A buffer is
 * declared with mkdir buffers/NAME (pmm_buffer.c), described by its
 * attributes and made real by writing 1 to its enable attribute
 * (pmm_enable.c), the only commit point.  pools/NAME shows each pool.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "pmm.h"

/* pools/NAME, read-only. */

static inline struct pmm_pool *to_pmm_pool(struct config_item *item)
{
	return container_of(to_config_group(item), struct pmm_pool, group);
}

/* The statistics of the pool of @item, into @st. */
static struct pmm_pool_stats *pmm_pool_item_stats(struct config_item *item,
						  struct pmm_pool_stats *st)
{
	pmm_pool_stats(to_pmm_pool(item), st);
	return st;
}

static ssize_t pmm_pool_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_pmm_pool(item)->size);
}

static ssize_t pmm_pool_used_show(struct config_item *item, char *page)
{
	struct pmm_pool_stats st;

	return sysfs_emit(page, "%llu\n", pmm_pool_item_stats(item, &st)->used);
}

static ssize_t pmm_pool_free_show(struct config_item *item, char *page)
{
	struct pmm_pool_stats st;

	return sysfs_emit(page, "%llu\n", pmm_pool_item_stats(item, &st)->free);
}

static ssize_t pmm_pool_largest_free_show(struct config_item *item, char *page)
{
	/* Walks the pool's bitmap: only for this attribute, not in the stats. */
	return sysfs_emit(page, "%llu\n",
			  pmm_pool_largest_free(to_pmm_pool(item)));
}

static ssize_t pmm_pool_buffers_show(struct config_item *item, char *page)
{
	struct pmm_pool_stats st;

	return sysfs_emit(page, "%u\n", pmm_pool_item_stats(item, &st)->buffers);
}

static ssize_t pmm_pool_heap_buffers_show(struct config_item *item,
					  char *page)
{
	struct pmm_pool_stats st;

	return sysfs_emit(page, "%u\n", pmm_pool_item_stats(item, &st)->heap);
}

static ssize_t pmm_pool_held_show(struct config_item *item, char *page)
{
	struct pmm_pool_stats st;

	return sysfs_emit(page, "%llu\n", pmm_pool_item_stats(item, &st)->held);
}

static ssize_t pmm_pool_backend_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  pmm_pool_backend_name(to_pmm_pool(item)));
}

static ssize_t pmm_pool_coherent_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_pmm_pool(item)->coherent);
}

static ssize_t pmm_pool_zero_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  to_pmm_pool(item)->zero_on_free ? "free" : "alloc");
}

static ssize_t pmm_pool_base_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%#llx\n", (u64)to_pmm_pool(item)->base);
}

CONFIGFS_ATTR_RO(pmm_pool_, size);
CONFIGFS_ATTR_RO(pmm_pool_, used);
CONFIGFS_ATTR_RO(pmm_pool_, free);
CONFIGFS_ATTR_RO(pmm_pool_, largest_free);
CONFIGFS_ATTR_RO(pmm_pool_, buffers);
CONFIGFS_ATTR_RO(pmm_pool_, heap_buffers);
CONFIGFS_ATTR_RO(pmm_pool_, held);
CONFIGFS_ATTR_RO(pmm_pool_, backend);
CONFIGFS_ATTR_RO(pmm_pool_, coherent);
CONFIGFS_ATTR_RO(pmm_pool_, zero);

/* Physical addresses are for root only, like /proc/iomem's. */
static struct configfs_attribute pmm_pool_attr_base = {
	.ca_name = "base",
	.ca_owner = THIS_MODULE,
	.ca_mode = 0400,
	.show = pmm_pool_base_show,
};

static ssize_t pmm_pool_map_read(struct config_item *item, void *buf,
				 size_t len)
{
	return pmm_extent_map(to_pmm_pool(item), buf, len);
}

/*
 * The pool's ranges, allocated and free, one per line: for an integrator
 * asking why an allocation failed with memory free.  A binary attribute
 * because a map with many buffers outgrows a page.  Addresses: root only.
 */
static struct configfs_bin_attribute pmm_pool_attr_map = {
	.cb_attr = {
		.ca_name = "map",
		.ca_owner = THIS_MODULE,
		.ca_mode = 0400,
	},
	.read = pmm_pool_map_read,
};

static struct configfs_bin_attribute *pmm_pool_bin_attrs[] = {
	&pmm_pool_attr_map,
	NULL,
};

static struct configfs_attribute *pmm_pool_attrs[] = {
	&pmm_pool_attr_size,
	&pmm_pool_attr_used,
	&pmm_pool_attr_free,
	&pmm_pool_attr_largest_free,
	&pmm_pool_attr_buffers,
	&pmm_pool_attr_heap_buffers,
	&pmm_pool_attr_held,
	&pmm_pool_attr_backend,
	&pmm_pool_attr_coherent,
	&pmm_pool_attr_zero,
	&pmm_pool_attr_base,
	NULL,
};

static const struct config_item_type pmm_pool_type = {
	.ct_attrs = pmm_pool_attrs,
	.ct_bin_attrs = pmm_pool_bin_attrs,
	.ct_owner = THIS_MODULE,
};

/* pools/NAME for every pool, before the subsystem is registered. */
static void pmm_pools_add_groups(struct config_group *parent)
{
	struct pmm_pool *pool;

	for (pool = pmm_pool_first(); pool; pool = pmm_pool_next(pool)) {
		config_group_init_type_name(&pool->group, pool->name,
					    &pmm_pool_type);
		configfs_add_default_group(&pool->group, parent);
	}
}

#define PMM_LINK_PREFIX	"by-"

static struct config_group *pmm_buffers_make_group(struct config_group *group,
						   const char *name)
{
	if (!pmm_name_valid(name)) {
		pr_err("buffer '%.*s': invalid name (1-%d of A-Z a-z 0-9 . _ -)\n",
		       PMM_LOG_VALUE_MAX, name, PMM_NAME_MAX);
		return ERR_PTR(-EINVAL);
	}
	/*
	 * /dev/pmm/by-memtype/ (and any later by-*) holds udev's links to
	 * the nodes: a buffer of such a name would collide with them.
	 */
	if (!strncmp(name, PMM_LINK_PREFIX, strlen(PMM_LINK_PREFIX))) {
		pr_err("buffer '%s': reserved name (/dev/pmm/%s* holds udev's links)\n",
		       name, PMM_LINK_PREFIX);
		return ERR_PTR(-EINVAL);
	}

	return pmm_buffer_create(name);
}

static struct configfs_group_operations pmm_buffers_group_ops = {
	.make_group = pmm_buffers_make_group,
};

static const struct config_item_type pmm_buffers_type = {
	.ct_group_ops = &pmm_buffers_group_ops,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type pmm_pools_type = {
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type pmm_subsys_type = {
	.ct_owner = THIS_MODULE,
};

static struct config_group pmm_buffers_group;
static struct config_group pmm_pools_group;

static struct configfs_subsystem pmm_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "pmm",
			.ci_type = &pmm_subsys_type,
		},
	},
};

/**
 * pmm_configfs_init() - Register the pmm configfs subsystem.
 *
 * Context: Module init, process context, after the pools exist.
 * Return: 0 on success or a negative errno from configfs.
 */
int pmm_configfs_init(void)
{
	int ret;

	config_group_init(&pmm_subsys.su_group);
	mutex_init(&pmm_subsys.su_mutex);

	config_group_init_type_name(&pmm_buffers_group, "buffers",
				    &pmm_buffers_type);
	configfs_add_default_group(&pmm_buffers_group, &pmm_subsys.su_group);

	config_group_init_type_name(&pmm_pools_group, "pools",
				    &pmm_pools_type);
	configfs_add_default_group(&pmm_pools_group, &pmm_subsys.su_group);
	pmm_pools_add_groups(&pmm_pools_group);

	ret = configfs_register_subsystem(&pmm_subsys);
	if (ret)
		pr_err("cannot register configfs subsystem: %d\n", ret);
	return ret;
}

/**
 * pmm_configfs_exit() - Unregister the pmm configfs subsystem.
 *
 * Context: Module exit, process context.
 */
void pmm_configfs_exit(void)
{
	configfs_unregister_subsystem(&pmm_subsys);
}
