// SPDX-License-Identifier: GPL-2.0
/* pmm-setup: configfs access. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "configfs.h"

#define CONFIGFS_MAGIC	0x62656570

static char *pmm_cfs_path(char *buf, size_t len, const struct pmm_cfs *cfs,
			  const char *dir, const char *name, const char *attr)
{
	snprintf(buf, len, "%s/%s%s%s%s%s", cfs->root, dir, name ? "/" : "",
		 name ?: "", attr ? "/" : "", attr ?: "");
	return buf;
}

static int pmm_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static bool pmm_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The directories under @dir ("buffers" or "pools"), sorted by name. */
int pmm_cfs_list(const struct pmm_cfs *cfs, const char *dir,
		 struct pmm_names *names)
{
	char path[PATH_MAX], sub[PATH_MAX];
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	names->v = NULL;
	names->n = 0;
	d = opendir(pmm_cfs_path(path, sizeof(path), cfs, dir, NULL, NULL));
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !pmm_name_valid(de->d_name) ||
		    !pmm_is_dir(pmm_cfs_path(sub, sizeof(sub), cfs, dir,
					     de->d_name, NULL)))
			continue;
		if (names->n == cap) {
			char **v;

			cap = cap ? 2 * cap : 64;
			v = realloc(names->v, cap * sizeof(*v));
			if (!v)
				goto nomem;
			names->v = v;
		}
		names->v[names->n] = strdup(de->d_name);
		if (!names->v[names->n])
			goto nomem;
		names->n++;
	}
	closedir(d);
	qsort(names->v, names->n, sizeof(*names->v), pmm_cmp_names);
	return 0;

nomem:
	closedir(d);
	pmm_names_free(names);
	return -ENOMEM;
}

/* Read an attribute of DIR/NAME without its newline; "" if absent. */
int pmm_cfs_read(const struct pmm_cfs *cfs, const char *dir, const char *name,
		 const char *attr, char *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	out[0] = '\0';
	fd = open(pmm_cfs_path(path, sizeof(path), cfs, dir, name, attr),
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* Open an attribute of DIR/NAME that may be longer than a value. */
FILE *pmm_cfs_open(const struct pmm_cfs *cfs, const char *dir,
		   const char *name, const char *attr)
{
	char path[PATH_MAX];

	return fopen(pmm_cfs_path(path, sizeof(path), cfs, dir, name, attr), "re");
}

static int pmm_cfs_write(const struct pmm_cfs *cfs, const char *name,
			 const char *attr, const char *value)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (cfs->dry_run || cfs->verbose)
		printf("write %s/%s %s\n", name, attr, value);
	if (cfs->dry_run)
		return 0;
	fd = open(pmm_cfs_path(path, sizeof(path), cfs, "buffers", name, attr),
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return close(fd) ? -errno : 0;
}

bool pmm_cfs_exists(const struct pmm_cfs *cfs, const char *name)
{
	char path[PATH_MAX];

	return pmm_is_dir(pmm_cfs_path(path, sizeof(path), cfs, "buffers",
				       name, NULL));
}

static bool pmm_cfs_is_configfs(const struct pmm_cfs *cfs)
{
	struct statfs sfs;

	return !statfs(cfs->root, &sfs) && sfs.f_type == CONFIGFS_MAGIC;
}

/* Open files, mappings, locks or dma-bufs keep a buffer from going. */
bool pmm_cfs_in_use(const struct pmm_cfs *cfs, const char *name)
{
	static const char * const counts[] = { "opens", "maps", "locks", "dmabufs" };
	char v[32];

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!pmm_cfs_read(cfs, "buffers", name, counts[i], v, sizeof(v)) &&
		    strcmp(v, "0"))
			return true;
	return false;
}

/* Does the live buffer have what @w asks for? */
bool pmm_cfs_matches(const struct pmm_cfs *cfs, const struct pmm_want *w)
{
	char v[PMM_VALUE_MAX], text[PMM_VALUE_MAX], cmp[PMM_VALUE_MAX];
	char enable[8];

	for (size_t i = 0; i < w->nattrs; i++) {
		const struct pmm_attr *a = w->attrs[i].a;

		if (pmm_cfs_read(cfs, "buffers", w->name, a->name, v, sizeof(v)) ||
		    !pmm_value_canon(a, v, text, cmp) || strcmp(cmp, w->attrs[i].cmp))
			return false;
	}
	pmm_cfs_read(cfs, "buffers", w->name, "enable", enable, sizeof(enable));
	return !strcmp(enable, w->enable ? "1" : "0");
}

/*
 * What the live buffer @name is, as a board file would say it: every
 * writable attribute in schema order, and whether it is enabled.
 */
int pmm_cfs_snapshot(const struct pmm_cfs *cfs, const struct pmm_schema *schema,
		     const char *name, struct pmm_want *w)
{
	char v[PMM_VALUE_MAX];
	int ret;

	memset(w, 0, sizeof(*w));
	pmm_copy(w->name, sizeof(w->name), name);
	for (size_t i = 0; i < schema->n; i++) {
		const struct pmm_attr *a = &schema->attrs[i];

		if (!pmm_attr_writable(a) ||
		    pmm_cfs_read(cfs, "buffers", name, a->name, v, sizeof(v)))
			continue;
		ret = pmm_want_set(w, a, v);
		/* A value the schema does not know is left to the kernel. */
		if (ret == -ENOMEM) {
			pmm_want_free(w);
			return ret;
		}
	}
	return 0;
}

/* mkdir, the attributes in order, enable last. */
int pmm_cfs_create(const struct pmm_cfs *cfs, const struct pmm_want *w,
		   const char **failed_attr)
{
	char path[PATH_MAX];
	int ret;

	*failed_attr = "name";
	if (cfs->dry_run || cfs->verbose)
		printf("mkdir %s\n", w->name);
	if (!cfs->dry_run &&
	    mkdir(pmm_cfs_path(path, sizeof(path), cfs, "buffers", w->name, NULL),
		  0755))
		return -errno;
	for (size_t i = 0; i < w->nattrs; i++) {
		*failed_attr = w->attrs[i].a->name;
		ret = pmm_cfs_write(cfs, w->name, w->attrs[i].a->name,
				    w->attrs[i].text);
		if (ret)
			return ret;
	}
	*failed_attr = "enable";
	return w->enable ? pmm_cfs_write(cfs, w->name, "enable", "1") : 0;
}

/*
 * Disable and remove a buffer; on a plain directory (--configfs-root
 * pointing at a test tree) the attribute files go first.
 */
int pmm_cfs_remove(const struct pmm_cfs *cfs, const char *name)
{
	char path[PATH_MAX], v[32];
	struct dirent *de;
	DIR *d;
	int ret;

	if (!pmm_cfs_read(cfs, "buffers", name, "enable", v, sizeof(v)) &&
	    !strcmp(v, "1")) {
		ret = pmm_cfs_write(cfs, name, "enable", "0");
		if (ret)
			return ret;
	}
	if (cfs->dry_run || cfs->verbose)
		printf("rmdir %s\n", name);
	if (cfs->dry_run)
		return 0;
	pmm_cfs_path(path, sizeof(path), cfs, "buffers", name, NULL);
	if (!pmm_cfs_is_configfs(cfs)) {
		d = opendir(path);
		while (d && (de = readdir(d))) {
			char f[PATH_MAX + 512];

			if (de->d_name[0] == '.')
				continue;
			snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
			unlink(f);
		}
		if (d)
			closedir(d);
	}
	return rmdir(path) ? -errno : 0;
}
