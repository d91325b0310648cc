// SPDX-License-Identifier: GPL-2.0
/*
 * PMM configfs tree: /sys/kernel/config/pmm/{buffers,pools}.  A buffer is
 * declared with mkdir buffers/NAME, described by its attributes and made
 * real by writing 1 to its enable attribute, the only commit point.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pmm.h"

static inline struct pmm_buffer *to_pmm_buffer(struct config_item *item)
{
	return container_of(to_config_group(item), struct pmm_buffer, group);
}

static const char *pmm_buf_name(struct pmm_buffer *buf)
{
	return config_item_name(&buf->group.cg_item);
}

/* Every refusal names the buffer and the attribute. */
#define pmm_buf_err(buf, attr, fmt, ...) \
	pr_err("buffer '%s': %s: " fmt, pmm_buf_name(buf), attr, ##__VA_ARGS__)

/* Log at most this much of a rejected value. */
#define PMM_LOG_VALUE_MAX	40

static void pmm_buf_bad_value(struct pmm_buffer *buf, const char *attr,
			      const char *page, const char *expected)
{
	int len = min_t(size_t, strcspn(page, "\n"), PMM_LOG_VALUE_MAX);

	pmm_buf_err(buf, attr, "invalid value '%.*s' (expected %s)\n", len, page,
		    expected);
}

/*
 * Take the buffer lock for changing an attribute; attributes are frozen
 * while the buffer is enabled.  Returns with the lock held only on success.
 */
static int pmm_buf_lock_disabled(struct pmm_buffer *buf, const char *attr)
{
	mutex_lock(&buf->lock);
	if (buf->mem) {
		mutex_unlock(&buf->lock);
		pmm_buf_err(buf, attr, "cannot change while enabled\n");
		return -EBUSY;
	}
	return 0;
}

static u64 pmm_pools_max_size(void)
{
	struct pmm_pool *pool;
	u64 max = 0;

	list_for_each_entry(pool, &pmm_pools, node)
		max = max(max, pool->size);
	return max;
}

/* show for the plain numeric attributes: size, align, boundary */
static ssize_t pmm_buf_show_u64(struct pmm_buffer *buf, const u64 *field,
				char *page)
{
	u64 v;

	mutex_lock(&buf->lock);
	v = *field;
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%llu\n", v);
}

static ssize_t pmm_buf_size_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);

	return pmm_buf_show_u64(buf, &buf->size, page);
}

static ssize_t pmm_buf_size_store(struct config_item *item, const char *page,
				  size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u64 size;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "size");
	if (ret)
		return ret;
	if (pmm_parse_size(page, &size) || !size) {
		pmm_buf_bad_value(buf, "size", page,
				  "bytes > 0, optional K/M/G/T suffix");
		ret = -EINVAL;
	} else if (size > pmm_pools_max_size()) {
		pmm_buf_err(buf, "size", "%llu bytes exceed every pool (largest %llu bytes)\n",
			    size, pmm_pools_max_size());
		ret = -EINVAL;
	} else {
		buf->size = PAGE_ALIGN(size);
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

/* A power of two >= PAGE_SIZE: alignments and boundaries. */
static bool pmm_valid_pow2(u64 v)
{
	return v >= PAGE_SIZE && is_power_of_2(v);
}

static ssize_t pmm_buf_align_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);

	return pmm_buf_show_u64(buf, &buf->align, page);
}

static ssize_t pmm_buf_align_store(struct config_item *item, const char *page,
				   size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u64 align;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "align");
	if (ret)
		return ret;
	if (pmm_parse_size(page, &align) || !pmm_valid_pow2(align)) {
		pmm_buf_bad_value(buf, "align", page,
				  "a power of two >= page size");
		ret = -EINVAL;
	} else if (align > pmm_pools_max_size()) {
		pmm_buf_err(buf, "align", "%llu exceeds every pool (largest %llu bytes)\n",
			    align, pmm_pools_max_size());
		ret = -EINVAL;
	} else {
		buf->align = align;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_boundary_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);

	return pmm_buf_show_u64(buf, &buf->boundary, page);
}

static ssize_t pmm_buf_boundary_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u64 boundary;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "boundary");
	if (ret)
		return ret;
	if (pmm_parse_size(page, &boundary) ||
	    (boundary && !pmm_valid_pow2(boundary))) {
		pmm_buf_bad_value(buf, "boundary", page,
				  "0 or a power of two >= page size");
		ret = -EINVAL;
	} else {
		buf->boundary = boundary;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_memtype_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	ssize_t ret;

	mutex_lock(&buf->lock);
	ret = sysfs_emit(page, "%s\n", buf->pool ? buf->pool->name : "");
	mutex_unlock(&buf->lock);
	return ret;
}

static ssize_t pmm_buf_memtype_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	char name[PMM_NAME_MAX + 1];
	size_t len = strcspn(page, "\n");
	struct pmm_pool *pool = NULL;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "memtype");
	if (ret)
		return ret;
	/* Only one trailing newline may follow the name. */
	if (len < sizeof(name) && (!page[len] || !strcmp(page + len, "\n"))) {
		memcpy(name, page, len);
		name[len] = '\0';
		pool = pmm_pool_find(name);
	}
	if (!pool) {
		pmm_buf_bad_value(buf, "memtype", page, "the name of a pool");
		ret = -EINVAL;
	} else {
		buf->pool = pool;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_cache_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u32 cache;

	mutex_lock(&buf->lock);
	cache = buf->cache;
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%s\n", pmm_cache_name(cache));
}

static ssize_t pmm_buf_cache_store(struct config_item *item, const char *page,
				   size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u32 cache;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "cache");
	if (ret)
		return ret;
	ret = -EINVAL;
	for (cache = PMM_CACHE_CACHED; cache <= PMM_CACHE_UNCACHED; cache++) {
		if (sysfs_streq(page, pmm_cache_name(cache))) {
			buf->cache = cache;
			ret = 0;
			break;
		}
	}
	if (ret)
		pmm_buf_bad_value(buf, "cache", page,
				  "cached, writecombine or uncached");
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_uid_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	uid_t uid;

	mutex_lock(&buf->lock);
	uid = from_kuid_munged(current_user_ns(), buf->uid);
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%u\n", uid);
}

static ssize_t pmm_buf_uid_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	unsigned int v;
	kuid_t uid;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "uid");
	if (ret)
		return ret;
	uid = INVALID_UID;
	if (!kstrtouint(page, 10, &v))
		uid = make_kuid(current_user_ns(), v);
	if (!uid_valid(uid)) {
		pmm_buf_bad_value(buf, "uid", page, "a numeric user id");
		ret = -EINVAL;
	} else {
		buf->uid = uid;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_gid_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	gid_t gid;

	mutex_lock(&buf->lock);
	gid = from_kgid_munged(current_user_ns(), buf->gid);
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%u\n", gid);
}

static ssize_t pmm_buf_gid_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	unsigned int v;
	kgid_t gid;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "gid");
	if (ret)
		return ret;
	gid = INVALID_GID;
	if (!kstrtouint(page, 10, &v))
		gid = make_kgid(current_user_ns(), v);
	if (!gid_valid(gid)) {
		pmm_buf_bad_value(buf, "gid", page, "a numeric group id");
		ret = -EINVAL;
	} else {
		buf->gid = gid;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_mode_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	umode_t mode;

	mutex_lock(&buf->lock);
	mode = buf->mode;
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%04o\n", mode);
}

static ssize_t pmm_buf_mode_store(struct config_item *item, const char *page,
				  size_t count)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u16 mode;
	int ret;

	ret = pmm_buf_lock_disabled(buf, "mode");
	if (ret)
		return ret;
	/* Permission bits only: setuid, setgid and sticky mean nothing here. */
	if (kstrtou16(page, 8, &mode) || mode > 0777) {
		pmm_buf_bad_value(buf, "mode", page, "octal permissions <= 0777");
		ret = -EINVAL;
	} else {
		buf->mode = mode;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

/* Cross-attribute checks, then allocation: the enable commit point. */
static int pmm_buf_activate(struct pmm_buffer *buf)
{
	struct pmm_mem *mem;

	if (!buf->pool) {
		pmm_buf_err(buf, "memtype", "no memory type: the module has no pools\n");
		return -EINVAL;
	}
	if (!buf->size) {
		pmm_buf_err(buf, "size", "not set\n");
		return -EINVAL;
	}
	if (buf->size > buf->pool->size) {
		pmm_buf_err(buf, "size", "%llu bytes do not fit pool '%s' (%llu bytes)\n",
			    buf->size, buf->pool->name, buf->pool->size);
		return -EINVAL;
	}
	if (buf->align > buf->pool->size) {
		pmm_buf_err(buf, "align", "%llu is larger than pool '%s' (%llu bytes)\n",
			    buf->align, buf->pool->name, buf->pool->size);
		return -EINVAL;
	}
	if (buf->boundary && buf->boundary < buf->size) {
		pmm_buf_err(buf, "boundary", "%llu is smaller than size %llu\n",
			    buf->boundary, buf->size);
		return -EINVAL;
	}

	mem = pmm_mem_create(buf, pmm_buf_name(buf));
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	buf->mem = mem;
	pr_info("buffer '%s': enabled, %llu bytes from pool '%s', %s\n",
		pmm_buf_name(buf), buf->size, buf->pool->name,
		pmm_cache_name(buf->cache));
	return 0;
}

static int pmm_buf_deactivate(struct pmm_buffer *buf)
{
	int ret;

	ret = pmm_mem_destroy(buf->mem);
	if (ret)
		return ret;
	buf->mem = NULL;
	pr_info("buffer '%s': disabled\n", pmm_buf_name(buf));
	return 0;
}

static ssize_t pmm_buf_enable_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	bool enabled;

	mutex_lock(&buf->lock);
	enabled = buf->mem;
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%d\n", enabled);
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
		pmm_buf_bad_value(buf, "enable", page, "0 or 1");
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
		ret = pmm_buf_activate(buf);
	else if (!enable && was)
		ret = pmm_buf_deactivate(buf);
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
	struct pmm_buffer *buf = to_pmm_buffer(item);
	bool enabled;

	mutex_lock(&buf->lock);
	enabled = buf->mem;
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%s\n", enabled ? "enabled" : "disabled");
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
enum pmm_buf_count {
	PMM_COUNT_OPENS,
	PMM_COUNT_MAPS,
	PMM_COUNT_LOCKS,
	PMM_COUNT_DMABUFS,
};

static ssize_t pmm_buf_count_show(struct config_item *item, char *page,
				  enum pmm_buf_count which)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	struct pmm_mem *mem;
	unsigned int n = 0;

	mutex_lock(&buf->lock);
	mem = buf->mem;
	if (mem) {
		mutex_lock(&mem->lock);
		switch (which) {
		case PMM_COUNT_OPENS:
			n = mem->opens;
			break;
		case PMM_COUNT_MAPS:
			n = mem->maps;
			break;
		case PMM_COUNT_LOCKS:
			n = mem->shared_locks + mem->excl_locked;
			break;
		case PMM_COUNT_DMABUFS:
			n = mem->dmabufs;
			break;
		}
		mutex_unlock(&mem->lock);
	}
	mutex_unlock(&buf->lock);
	return sysfs_emit(page, "%u\n", n);
}

static ssize_t pmm_buf_opens_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_COUNT_OPENS);
}

static ssize_t pmm_buf_maps_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_COUNT_MAPS);
}

static ssize_t pmm_buf_locks_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_COUNT_LOCKS);
}

static ssize_t pmm_buf_dmabufs_show(struct config_item *item, char *page)
{
	return pmm_buf_count_show(item, page, PMM_COUNT_DMABUFS);
}

CONFIGFS_ATTR(pmm_buf_, size);
CONFIGFS_ATTR(pmm_buf_, align);
CONFIGFS_ATTR(pmm_buf_, boundary);
CONFIGFS_ATTR(pmm_buf_, memtype);
CONFIGFS_ATTR(pmm_buf_, cache);
CONFIGFS_ATTR(pmm_buf_, uid);
CONFIGFS_ATTR(pmm_buf_, gid);
CONFIGFS_ATTR(pmm_buf_, mode);
CONFIGFS_ATTR(pmm_buf_, enable);
CONFIGFS_ATTR_RO(pmm_buf_, state);
CONFIGFS_ATTR_RO(pmm_buf_, opens);
CONFIGFS_ATTR_RO(pmm_buf_, maps);
CONFIGFS_ATTR_RO(pmm_buf_, locks);
CONFIGFS_ATTR_RO(pmm_buf_, dmabufs);

/* Physical addresses are for root only, like /proc/iomem's. */
static struct configfs_attribute pmm_buf_attr_phys_addr = {
	.ca_name = "phys_addr",
	.ca_owner = THIS_MODULE,
	.ca_mode = 0400,
	.show = pmm_buf_phys_addr_show,
};

static struct configfs_attribute *pmm_buf_attrs[] = {
	&pmm_buf_attr_size,
	&pmm_buf_attr_align,
	&pmm_buf_attr_boundary,
	&pmm_buf_attr_memtype,
	&pmm_buf_attr_cache,
	&pmm_buf_attr_uid,
	&pmm_buf_attr_gid,
	&pmm_buf_attr_mode,
	&pmm_buf_attr_enable,
	&pmm_buf_attr_state,
	&pmm_buf_attr_phys_addr,
	&pmm_buf_attr_opens,
	&pmm_buf_attr_maps,
	&pmm_buf_attr_locks,
	&pmm_buf_attr_dmabufs,
	NULL,
};

static void pmm_buf_release(struct config_item *item)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);

	mutex_destroy(&buf->lock);
	kfree(buf);
}

static struct configfs_item_operations pmm_buf_item_ops = {
	.release = pmm_buf_release,
};

static const struct config_item_type pmm_buf_type = {
	.ct_item_ops = &pmm_buf_item_ops,
	.ct_attrs = pmm_buf_attrs,
	.ct_owner = THIS_MODULE,
};

#define PMM_LINK_PREFIX	"by-"

static struct config_group *pmm_buffers_make_group(struct config_group *group,
						   const char *name)
{
	struct pmm_buffer *buf;

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

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&buf->lock);
	buf->align = PAGE_SIZE;
	buf->pool = pmm_pool_first();
	buf->cache = PMM_CACHE_WRITECOMBINE;
	buf->uid = GLOBAL_ROOT_UID;
	buf->gid = GLOBAL_ROOT_GID;
	buf->mode = 0600;
	config_group_init_type_name(&buf->group, name, &pmm_buf_type);
	return &buf->group;
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
