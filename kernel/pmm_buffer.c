// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - a buffer declared in configfs (buffers/NAME): the attributes that
 * describe it, frozen while it is enabled (pmm_enable.c), and the item.
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

	return pmm_buf_show_u64(buf, &buf->desc.size, page);
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
		buf->desc.size = PAGE_ALIGN(size);
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

	return pmm_buf_show_u64(buf, &buf->desc.align, page);
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
		buf->desc.align = align;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_boundary_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);

	return pmm_buf_show_u64(buf, &buf->desc.boundary, page);
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
		buf->desc.boundary = boundary;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_memtype_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	ssize_t ret;

	mutex_lock(&buf->lock);
	ret = sysfs_emit(page, "%s\n", buf->desc.pool ? buf->desc.pool->name : "");
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
		buf->desc.pool = pool;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_cache_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	u32 cache;

	mutex_lock(&buf->lock);
	cache = buf->desc.cache;
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
			buf->desc.cache = cache;
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
	uid = from_kuid_munged(current_user_ns(), buf->desc.uid);
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
		buf->desc.uid = uid;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_gid_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	gid_t gid;

	mutex_lock(&buf->lock);
	gid = from_kgid_munged(current_user_ns(), buf->desc.gid);
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
		buf->desc.gid = gid;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

static ssize_t pmm_buf_mode_show(struct config_item *item, char *page)
{
	struct pmm_buffer *buf = to_pmm_buffer(item);
	umode_t mode;

	mutex_lock(&buf->lock);
	mode = buf->desc.mode;
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
		buf->desc.mode = mode;
	}
	mutex_unlock(&buf->lock);
	return ret ?: count;
}

CONFIGFS_ATTR(pmm_buf_, size);
CONFIGFS_ATTR(pmm_buf_, align);
CONFIGFS_ATTR(pmm_buf_, boundary);
CONFIGFS_ATTR(pmm_buf_, memtype);
CONFIGFS_ATTR(pmm_buf_, cache);
CONFIGFS_ATTR(pmm_buf_, uid);
CONFIGFS_ATTR(pmm_buf_, gid);
CONFIGFS_ATTR(pmm_buf_, mode);

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

/**
 * pmm_buffer_create() - A new buffer declaration with default attributes.
 * @name: its name, already checked
 *
 * Context: Process context (configfs mkdir).
 * Return: the buffer's configfs group, or ERR_PTR(-ENOMEM).
 */
struct config_group *pmm_buffer_create(const char *name)
{
	struct pmm_buffer *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&buf->lock);
	buf->desc.align = PAGE_SIZE;
	buf->desc.pool = pmm_pool_first();
	buf->desc.cache = PMM_CACHE_WRITECOMBINE;
	buf->desc.uid = GLOBAL_ROOT_UID;
	buf->desc.gid = GLOBAL_ROOT_GID;
	buf->desc.mode = 0600;
	config_group_init_type_name(&buf->group, name, &pmm_buf_type);
	return &buf->group;
}
