// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-setup: board-file import and export.  Every key but name is
 * optional, so the kernel default applies, and read-only keys are ignored,
 * so what save writes loads again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"

static int pmm_board_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pmm-setup: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return PMM_EXIT_USAGE;
}

static int pmm_board_open(const char *file, config_t *cfg)
{
	config_init(cfg);
	if (config_read_file(cfg, file))
		return PMM_EXIT_OK;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		fprintf(stderr, "pmm-setup: %s: %s\n", file, strerror(errno ? errno : ENOENT));
		return PMM_EXIT_USAGE;
	}
	return pmm_board_error(config_error_file(cfg) ?: file,
			       config_error_line(cfg), "%s", config_error_text(cfg));
}

/* A setting as the text configfs would take; false for other types. */
static bool pmm_setting_text(config_setting_t *s, bool is_bool, char *text)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (config_setting_get_int64(s) < 0)
			return false;
		snprintf(text, PMM_VALUE_MAX, "%lld", config_setting_get_int64(s));
		return true;
	case CONFIG_TYPE_STRING:
		pmm_copy(text, PMM_VALUE_MAX, config_setting_get_string(s));
		return true;
	case CONFIG_TYPE_BOOL:
		if (!is_bool)
			return false;
		snprintf(text, PMM_VALUE_MAX, "%d", config_setting_get_bool(s));
		return true;
	}
	return false;
}

/* One buffer group of pmm.buffers into @w; returns an exit code. */
static int pmm_board_buffer(const char *file, const struct pmm_schema *schema,
			    config_setting_t *b, const char *name,
			    struct pmm_want *w)
{
	char text[PMM_VALUE_MAX];
	int ret = PMM_EXIT_OK, err;

	pmm_copy(w->name, sizeof(w->name), name);
	w->line = config_setting_source_line(b);
	w->enable = true;
	for (int j = 0; j < config_setting_length(b); j++) {
		config_setting_t *s = config_setting_get_elem(b, j);
		const char *key = config_setting_name(s);
		const struct pmm_attr *a;

		if (!strcmp(key, "name"))
			continue;
		a = pmm_schema_find(schema, key);
		if (!a) {
			ret = pmm_board_error(file, config_setting_source_line(s),
					      "buffer '%s': %s: unknown attribute", name, key);
			continue;
		}
		if (!pmm_attr_writable(a))
			continue;	/* read-only: what save writes */
		err = pmm_setting_text(s, a->type == PMM_TYPE_BOOL, text) ?
		      pmm_want_set(w, a, text) : -EINVAL;
		if (err)
			ret = pmm_board_error(file, config_setting_source_line(s),
					      "buffer '%s': %s: %s", name, key, strerror(-err));
	}
	return ret;
}

/* Parse and validate FILE's buffers completely; nothing is touched. */
int pmm_board_read(const char *file, const struct pmm_schema *schema,
		   struct pmm_wants *wants)
{
	config_setting_t *list;
	config_t cfg;
	int i, ret;

	ret = pmm_board_open(file, &cfg);
	if (ret)
		goto out;
	list = config_lookup(&cfg, "pmm.buffers");
	if (!list) {
		if (!config_lookup(&cfg, "pmm"))
			ret = pmm_board_error(file, 1, "no 'pmm' group");
		goto out;
	}
	if (!config_setting_is_list(list) && !config_setting_is_array(list)) {
		ret = pmm_board_error(file, config_setting_source_line(list),
				      "pmm.buffers: must be a list ( { ... }, ... )");
		goto out;
	}
	for (i = 0; i < config_setting_length(list); i++) {
		config_setting_t *b = config_setting_get_elem(list, i);
		const char *name = NULL;
		struct pmm_want *w;
		size_t j;
		int line = config_setting_source_line(b);

		if (!config_setting_is_group(b)) {
			ret = pmm_board_error(file, line, "buffer %d: must be a group { ... }", i + 1);
			continue;
		}
		if (!config_setting_lookup_string(b, "name", &name)) {
			ret = pmm_board_error(file, line, "buffer %d: name: missing or not a string",
					      i + 1);
			continue;
		}
		if (!pmm_name_valid(name)) {
			ret = pmm_board_error(file, line, "buffer '%s': name: %s", name,
					      strerror(EINVAL));
			continue;
		}
		/* The kernel refuses these: /dev/pmm/by-* holds udev's links. */
		if (!strncmp(name, PMM_LINK_PREFIX, strlen(PMM_LINK_PREFIX))) {
			ret = pmm_board_error(file, line,
					      "buffer '%s': name: reserved (/dev/pmm/%s* holds udev's links)",
					      name, PMM_LINK_PREFIX);
			continue;
		}
		for (j = 0; j < wants->n; j++)
			if (!strcmp(wants->v[j].name, name))
				break;
		if (j < wants->n) {
			ret = pmm_board_error(file, line,
					      "buffer '%s': name: defined twice (first at line %d)",
					      name, wants->v[j].line);
			continue;
		}
		w = pmm_wants_add(wants);
		if (!w) {
			ret = pmm_board_error(file, line, "%s", strerror(ENOMEM));
			break;
		}
		ret = pmm_board_buffer(file, schema, b, name, w) ?: ret;
	}
out:
	config_destroy(&cfg);
	return ret;
}

/* The pools= module argument FILE's pmm.pools list implies, to @out. */
int pmm_board_pools(const char *file, FILE *out)
{
	const char *name, *size, *base;
	config_setting_t *list, *p;
	config_t cfg;
	int ret, i, n;

	ret = pmm_board_open(file, &cfg);
	if (ret)
		goto out;
	list = config_lookup(&cfg, "pmm.pools");
	n = list ? config_setting_length(list) : 0;
	/*
	 * A board without pools prints nothing, so that
	 * "modprobe pmm $(pmm-setup pools FILE)" falls back to the
	 * modprobe.d options (or the module's default pool).
	 */
	if (n > 0)
		fprintf(out, "pools=");
	for (i = 0; i < n; i++) {
		unsigned long long v;

		p = config_setting_get_elem(list, i);
		if (!config_setting_lookup_string(p, "name", &name) || !pmm_name_valid(name) ||
		    !config_setting_lookup_string(p, "size", &size) || !pmm_parse_size(size, &v)) {
			fprintf(out, "\n");
			ret = pmm_board_error(file, config_setting_source_line(p),
					      "pool %d: needs name and size strings", i + 1);
			break;
		}
		fprintf(out, "%s%s:%s", i ? "," : "", name, size);
		if (config_setting_lookup_string(p, "base", &base))
			fprintf(out, "@%s", base);
	}
	if (!ret && n > 0)
		fprintf(out, "\n");
out:
	config_destroy(&cfg);
	return ret;
}

static void pmm_board_build(config_t *cfg, const struct pmm_wants *wants)
{
	config_setting_t *pmm, *list, *b, *s;

	pmm = config_setting_add(config_root_setting(cfg), "pmm", CONFIG_TYPE_GROUP);
	list = config_setting_add(pmm, "buffers", CONFIG_TYPE_LIST);
	for (size_t i = 0; i < wants->n; i++) {
		const struct pmm_want *w = &wants->v[i];

		b = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
		s = config_setting_add(b, "name", CONFIG_TYPE_STRING);
		config_setting_set_string(s, w->name);
		for (size_t k = 0; k < w->nattrs; k++) {
			s = config_setting_add(b, w->attrs[k].a->name, CONFIG_TYPE_STRING);
			config_setting_set_string(s, w->attrs[k].cmp);
		}
		/* Only a disabled buffer needs saying so. */
		if (!w->enable) {
			s = config_setting_add(b, "enable", CONFIG_TYPE_BOOL);
			config_setting_set_bool(s, 0);
		}
	}
}

static void pmm_fsync_dir(const char *file)
{
	char dir[PATH_MAX], *slash;
	int dfd;

	pmm_copy(dir, sizeof(dir), file);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/*
 * Write @wants as a board file to FILE (stdout for NULL or "-"),
 * atomically: a temporary file, fsync, rename, fsync the directory.
 */
int pmm_board_write(const char *file, const struct pmm_wants *wants)
{
	char tmp[PATH_MAX];
	config_t cfg;
	FILE *f;
	int fd;

	config_init(&cfg);
	pmm_board_build(&cfg, wants);
	if (!file || !strcmp(file, "-")) {
		config_write(&cfg, stdout);
		config_destroy(&cfg);
		return PMM_EXIT_OK;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "pmm-setup: %s: %s\n", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		config_destroy(&cfg);
		return PMM_EXIT_RUNTIME;
	}
	config_write(&cfg, f);
	config_destroy(&cfg);
	if (fflush(f) || fsync(fd) || fclose(f) || rename(tmp, file)) {
		fprintf(stderr, "pmm-setup: %s: %s\n", file, strerror(errno));
		unlink(tmp);
		return PMM_EXIT_RUNTIME;
	}
	pmm_fsync_dir(file);
	return PMM_EXIT_OK;
}
