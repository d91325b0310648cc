// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-setup: apply a libconfig board file to the PMM configfs tree, save
 * the tree back to one, and show or clear it.
 *
 * Board-file keys are the configfs attribute names of
 * configfs-schema/pmm.schema (compiled in); every key but name is optional,
 * so the kernel default applies, and read-only keys are ignored, so what
 * save writes loads again.  Buffers are created attribute by attribute
 * with enable written last; a failed load removes what it created.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pmm-schema.h"	/* generated: static const char pmm_schema_text[] */

#define CONFIGFS_MAGIC		0x62656570
#define MAX_ATTRS		32
#define MAX_BUFFERS		256
#define PAGE_SIZE_BYTES		4096ULL

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* One buffer attribute of the schema. */
struct schema_attr {
	char name[32];
	char kind[8];		/* attr, commit, ro */
	char type[64];
	char def[32];
};

static struct schema_attr schema[MAX_ATTRS];
static int nschema;

static const char *root = "/sys/kernel/config/pmm";
static bool dry_run, force, verbose, json;

static void load_schema(void)
{
	const char *p = pmm_schema_text;
	char line[256], path[128];

	while (*p) {
		size_t n = strcspn(p, "\n");
		struct schema_attr *a = &schema[nschema];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "%127s %7s %*s %63s %31s", path, a->kind,
			   a->type, a->def) != 4)
			continue;
		if (strncmp(path, "buffers/*/", 10) || nschema == MAX_ATTRS)
			continue;
		snprintf(a->name, sizeof(a->name), "%.31s", path + 10);
		nschema++;
	}
}

static const struct schema_attr *schema_find(const char *name)
{
	for (int i = 0; i < nschema; i++)
		if (!strcmp(schema[i].name, name))
			return &schema[i];
	return NULL;
}

static bool writable(const struct schema_attr *a)
{
	return !strcmp(a->kind, "attr") || !strcmp(a->kind, "commit");
}

/* ---- values ---- */

static bool valid_name(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > 64 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/* Bytes with an optional K/M/G/T suffix, as the kernel accepts them. */
static bool parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end || (shift && v > (ULLONG_MAX >> shift)))
		return false;
	*out = v << shift;
	return true;
}

/* Bounded string copy that always terminates @dst. */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
}

static bool is_pow2_page(unsigned long long v)
{
	return v >= PAGE_SIZE_BYTES && !(v & (v - 1));
}

/*
 * Turn a board-file setting into the text written to configfs, checking
 * it against the attribute's schema type.  Returns false if it does not
 * fit.  @cmp gets a canonical form to compare with the live value.
 */
static bool value_text(const struct schema_attr *a, config_setting_t *s,
		       char *text, size_t len, char *cmp, size_t cmplen)
{
	const char *t = a->type;
	unsigned long long v;
	int type = config_setting_type(s);

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		long long i = config_setting_get_int64(s);

		if (i < 0)
			return false;
		snprintf(text, len, "%lld", i);
	} else if (type == CONFIG_TYPE_STRING) {
		copy(text, len, config_setting_get_string(s));
	} else if (type == CONFIG_TYPE_BOOL && !strcmp(t, "bool")) {
		snprintf(text, len, "%d", config_setting_get_bool(s));
	} else {
		return false;
	}

	if (!strcmp(t, "size") || !strcmp(t, "pow2") || !strcmp(t, "pow2or0")) {
		if (!parse_size(text, &v))
			return false;
		if (!strcmp(t, "size") && !v)
			return false;
		if (!strcmp(t, "pow2") && !is_pow2_page(v))
			return false;
		if (!strcmp(t, "pow2or0") && v && !is_pow2_page(v))
			return false;
		/* The kernel rounds sizes up to pages. */
		if (!strcmp(t, "size"))
			v = (v + PAGE_SIZE_BYTES - 1) & ~(PAGE_SIZE_BYTES - 1);
		snprintf(cmp, cmplen, "%llu", v);
	} else if (!strcmp(t, "uint")) {
		char *end;

		errno = 0;
		v = strtoull(text, &end, 10);
		if (!isdigit((unsigned char)text[0]) || *end || errno || v > 4294967294ULL)
			return false;
		snprintf(cmp, cmplen, "%llu", v);
	} else if (!strcmp(t, "octal")) {
		/* mode = 0660 reads as the integer 660: its digits are octal. */
		char *end;

		if (!text[0] || strspn(text, "01234567") != strlen(text))
			return false;
		v = strtoull(text, &end, 8);
		if (v > 0777)
			return false;
		snprintf(text, len, "%04llo", v);
		snprintf(cmp, cmplen, "%04llo", v);
	} else if (!strcmp(t, "bool")) {
		if (strcmp(text, "0") && strcmp(text, "1"))
			return false;
		copy(cmp, cmplen, text);
	} else if (!strcmp(t, "pool")) {
		if (!valid_name(text))
			return false;
		copy(cmp, cmplen, text);
	} else if (!strncmp(t, "enum:", 5)) {
		char words[64], *w, *save;
		bool found = false;

		snprintf(words, sizeof(words), "%s", t + 5);
		for (w = strtok_r(words, "|", &save); w; w = strtok_r(NULL, "|", &save))
			found |= !strcmp(w, text);
		if (!found)
			return false;
		copy(cmp, cmplen, text);
	} else {
		return false;
	}
	return true;
}

/* ---- the board file ---- */

struct want_attr {
	const struct schema_attr *a;
	char text[128];		/* what to write */
	char cmp[128];		/* canonical, to compare with the live value */
};

struct want_buffer {
	char name[65];
	int line;
	struct want_attr attrs[MAX_ATTRS];
	int nattrs;
	bool enable;
};

static struct want_buffer wants[MAX_BUFFERS];
static int nwants;

static int board_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pmm-setup: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Parse and validate FILE completely; nothing is touched. */
static int read_board(const char *file, config_t *cfg)
{
	config_setting_t *list, *b, *s;
	int i, j, ret = EXIT_OK;

	config_init(cfg);
	if (!config_read_file(cfg, file)) {
		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
			fprintf(stderr, "pmm-setup: %s: %s\n", file, strerror(errno ? errno : ENOENT));
			return EXIT_USAGE;
		}
		return board_error(config_error_file(cfg) ? config_error_file(cfg) : file,
				   config_error_line(cfg), "%s", config_error_text(cfg));
	}
	list = config_lookup(cfg, "pmm.buffers");
	if (!list) {
		if (!config_lookup(cfg, "pmm"))
			return board_error(file, 1, "no 'pmm' group");
		return EXIT_OK;
	}
	if (!config_setting_is_list(list) && !config_setting_is_array(list))
		return board_error(file, config_setting_source_line(list),
				   "pmm.buffers: must be a list ( { ... }, ... )");

	for (i = 0; i < config_setting_length(list); i++) {
		struct want_buffer *w = &wants[nwants];
		const char *name = NULL;

		b = config_setting_get_elem(list, i);
		if (!config_setting_is_group(b)) {
			ret = board_error(file, config_setting_source_line(b),
					  "buffer %d: must be a group { ... }", i + 1);
			continue;
		}
		if (!config_setting_lookup_string(b, "name", &name)) {
			ret = board_error(file, config_setting_source_line(b),
					  "buffer %d: name: missing or not a string", i + 1);
			continue;
		}
		if (!valid_name(name)) {
			ret = board_error(file, config_setting_source_line(b),
					  "buffer '%s': name: %s", name, strerror(EINVAL));
			continue;
		}
		for (j = 0; j < nwants; j++)
			if (!strcmp(wants[j].name, name))
				break;
		if (j < nwants) {
			ret = board_error(file, config_setting_source_line(b),
					  "buffer '%s': name: defined twice (first at line %d)",
					  name, wants[j].line);
			continue;
		}
		if (nwants == MAX_BUFFERS) {
			ret = board_error(file, config_setting_source_line(b),
					  "more than %d buffers", MAX_BUFFERS);
			break;
		}
		memset(w, 0, sizeof(*w));
		snprintf(w->name, sizeof(w->name), "%s", name);
		w->line = config_setting_source_line(b);
		w->enable = true;

		for (j = 0; j < config_setting_length(b); j++) {
			const struct schema_attr *a;
			struct want_attr *wa;
			const char *key;

			s = config_setting_get_elem(b, j);
			key = config_setting_name(s);
			if (!strcmp(key, "name"))
				continue;
			a = schema_find(key);
			if (!a) {
				ret = board_error(file, config_setting_source_line(s),
						  "buffer '%s': %s: unknown attribute", name, key);
				continue;
			}
			if (!writable(a))
				continue;	/* read-only: what save writes */
			wa = &w->attrs[w->nattrs];
			if (!value_text(a, s, wa->text, sizeof(wa->text),
					wa->cmp, sizeof(wa->cmp))) {
				ret = board_error(file, config_setting_source_line(s),
						  "buffer '%s': %s: %s", name, key, strerror(EINVAL));
				continue;
			}
			if (!strcmp(a->kind, "commit")) {
				w->enable = !strcmp(wa->cmp, "1");
				continue;
			}
			wa->a = a;
			w->nattrs++;
		}
		nwants++;
	}
	return ret;
}

/* ---- configfs ---- */

static char *path_of(char *buf, size_t len, const char *buffer, const char *attr)
{
	if (attr)
		snprintf(buf, len, "%s/buffers/%s/%s", root, buffer, attr);
	else
		snprintf(buf, len, "%s/buffers/%s", root, buffer);
	return buf;
}

static int write_attr(const char *buffer, const char *attr, const char *value)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (dry_run || verbose)
		printf("write %s/%s %s\n", buffer, attr, value);
	if (dry_run)
		return 0;
	fd = open(path_of(path, sizeof(path), buffer, attr),
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

/* Read an attribute without its newline; "" if absent. */
static int read_attr(const char *buffer, const char *attr, char *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	out[0] = '\0';
	fd = open(path_of(path, sizeof(path), buffer, attr), O_RDONLY | O_CLOEXEC);
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

static bool buffer_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return !stat(path_of(path, sizeof(path), name, NULL), &st) && S_ISDIR(st.st_mode);
}

static bool is_configfs(void)
{
	struct statfs sfs;

	return !statfs(root, &sfs) && sfs.f_type == CONFIGFS_MAGIC;
}

/* Open files, mappings, locks or dma-bufs keep a buffer from going. */
static bool buffer_in_use(const char *name)
{
	static const char * const counts[] = { "opens", "maps", "locks", "dmabufs" };
	char v[32];

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!read_attr(name, counts[i], v, sizeof(v)) && strcmp(v, "0"))
			return true;
	return false;
}

/* Disable and remove a buffer; on a plain directory (--configfs-root
 * pointing at a test tree) the attribute files go first. */
static int remove_buffer(const char *name)
{
	char path[PATH_MAX], v[32];
	struct dirent *de;
	DIR *d;
	int ret;

	if (!read_attr(name, "enable", v, sizeof(v)) && !strcmp(v, "1")) {
		ret = write_attr(name, "enable", "0");
		if (ret)
			return ret;
	}
	if (dry_run || verbose)
		printf("rmdir %s\n", name);
	if (dry_run)
		return 0;
	path_of(path, sizeof(path), name, NULL);
	if (!is_configfs()) {
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

static int create_buffer(const struct want_buffer *w, const char **failed_attr)
{
	char path[PATH_MAX];
	int ret, i;

	*failed_attr = "name";
	if (dry_run || verbose)
		printf("mkdir %s\n", w->name);
	if (!dry_run && mkdir(path_of(path, sizeof(path), w->name, NULL), 0755))
		return -errno;
	for (i = 0; i < w->nattrs; i++) {
		*failed_attr = w->attrs[i].a->name;
		ret = write_attr(w->name, w->attrs[i].a->name, w->attrs[i].text);
		if (ret)
			return ret;
	}
	*failed_attr = "enable";
	return w->enable ? write_attr(w->name, "enable", "1") : 0;
}

/* Does the live buffer have what the board file asks for? */
static bool buffer_matches(const struct want_buffer *w)
{
	char v[128], enable[8];

	for (int i = 0; i < w->nattrs; i++) {
		if (read_attr(w->name, w->attrs[i].a->name, v, sizeof(v)))
			return false;
		if (!strcmp(w->attrs[i].a->type, "octal")) {
			unsigned long m = strtoul(v, NULL, 8);

			snprintf(v, sizeof(v), "%04lo", m);
		}
		if (strcmp(v, w->attrs[i].cmp))
			return false;
	}
	read_attr(w->name, "enable", enable, sizeof(enable));
	return !strcmp(enable, w->enable ? "1" : "0");
}

static int cmd_load(const char *file)
{
	bool created[MAX_BUFFERS] = { false };
	const char *attr;
	config_t cfg;
	int ret, i, j;

	ret = read_board(file, &cfg);
	config_destroy(&cfg);
	if (ret)
		return ret;

	for (i = 0; i < nwants; i++) {
		const struct want_buffer *w = &wants[i];

		if (buffer_exists(w->name)) {
			if (buffer_matches(w))
				continue;	/* idempotent */
			if (!force) {
				fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': exists with other attributes (use --force)\n",
					file, w->line, w->name);
				ret = EXIT_RUNTIME;
				goto rollback;
			}
			if (buffer_in_use(w->name)) {
				fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': enable: %s\n",
					file, w->line, w->name, strerror(EBUSY));
				ret = EXIT_RUNTIME;
				goto rollback;
			}
			ret = remove_buffer(w->name);
			if (ret) {
				fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': enable: %s\n",
					file, w->line, w->name, strerror(-ret));
				ret = EXIT_RUNTIME;
				goto rollback;
			}
		}
		ret = create_buffer(w, &attr);
		created[i] = true;
		if (ret) {
			fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': %s: %s\n",
				file, w->line, w->name, attr, strerror(-ret));
			if (!strcmp(attr, "name") && ret == -EEXIST)
				created[i] = false;
			ret = EXIT_RUNTIME;
			goto rollback;
		}
	}
	return EXIT_OK;

rollback:
	/* Remove what this run created, newest first (libusbgx style). */
	for (j = nwants - 1; j >= 0; j--)
		if (created[j] && buffer_exists(wants[j].name))
			remove_buffer(wants[j].name);
	return ret;
}

static int cmd_check(const char *file)
{
	config_t cfg;
	int ret = read_board(file, &cfg);

	config_destroy(&cfg);
	return ret;
}

static int list_buffers(char names[][65], int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/buffers", root);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > 64 ||
		    !buffer_exists(de->d_name))
			continue;
		copy(names[n++], 65, de->d_name);
	}
	closedir(d);
	qsort(names, n, 65, (int (*)(const void *, const void *))strcmp);
	return n;
}

static int cmd_save(const char *file)
{
	static char names[MAX_BUFFERS][65];
	config_setting_t *pmm, *list, *b, *s;
	char tmp[PATH_MAX], v[128];
	config_t cfg;
	int n, i, k, fd;
	FILE *f;

	n = list_buffers(names, MAX_BUFFERS);
	if (n < 0) {
		fprintf(stderr, "pmm-setup: %s/buffers: %s\n", root, strerror(-n));
		return EXIT_RUNTIME;
	}
	config_init(&cfg);
	pmm = config_setting_add(config_root_setting(&cfg), "pmm", CONFIG_TYPE_GROUP);
	list = config_setting_add(pmm, "buffers", CONFIG_TYPE_LIST);
	for (i = 0; i < n; i++) {
		b = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
		s = config_setting_add(b, "name", CONFIG_TYPE_STRING);
		config_setting_set_string(s, names[i]);
		for (k = 0; k < nschema; k++) {
			const struct schema_attr *a = &schema[k];

			if (!writable(a) || read_attr(names[i], a->name, v, sizeof(v)))
				continue;
			if (!strcmp(a->kind, "commit")) {
				/* Only a disabled buffer needs saying so. */
				if (!strcmp(v, "0")) {
					s = config_setting_add(b, a->name, CONFIG_TYPE_BOOL);
					config_setting_set_bool(s, 0);
				}
				continue;
			}
			s = config_setting_add(b, a->name, CONFIG_TYPE_STRING);
			config_setting_set_string(s, v);
		}
	}

	if (!file || !strcmp(file, "-")) {
		config_write(&cfg, stdout);
		config_destroy(&cfg);
		return EXIT_OK;
	}
	/* Atomic: a temporary file, fsync, rename, fsync the directory. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "pmm-setup: %s: %s\n", tmp, strerror(errno));
		config_destroy(&cfg);
		return EXIT_RUNTIME;
	}
	config_write(&cfg, f);
	config_destroy(&cfg);
	if (fflush(f) || fsync(fd) || fclose(f) || rename(tmp, file)) {
		fprintf(stderr, "pmm-setup: %s: %s\n", file, strerror(errno));
		unlink(tmp);
		return EXIT_RUNTIME;
	}
	{
		char dir[PATH_MAX], *slash;
		int dfd;

		snprintf(dir, sizeof(dir), "%s", file);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return EXIT_OK;
}

static int cmd_show(const char *only)
{
	static const char * const cols[] = {
		"state", "size", "memtype", "cache", "opens", "maps", "locks", "dmabufs",
	};
	static char names[MAX_BUFFERS][65];
	char v[128], path[PATH_MAX];
	int n, i, c;
	struct dirent *de;
	DIR *d;

	n = list_buffers(names, MAX_BUFFERS);
	if (n < 0) {
		fprintf(stderr, "pmm-setup: %s/buffers: %s\n", root, strerror(-n));
		return EXIT_RUNTIME;
	}
	if (only && !buffer_exists(only)) {
		fprintf(stderr, "pmm-setup: buffer '%s': %s\n", only, strerror(ENOENT));
		return EXIT_RUNTIME;
	}
	if (json)
		printf("{\"buffers\": [");
	else
		printf("%-20s %-9s %10s %-12s %-13s %5s %5s %5s %7s\n", "NAME",
		       "STATE", "SIZE", "MEMTYPE", "CACHE", "OPENS", "MAPS", "LOCKS", "DMABUFS");
	for (i = 0; i < n; i++) {
		if (only && strcmp(only, names[i]))
			continue;
		if (json)
			printf("%s{\"name\": \"%s\"", i ? ", " : "", names[i]);
		else
			printf("%-20s", names[i]);
		for (c = 0; c < 8; c++) {
			read_attr(names[i], cols[c], v, sizeof(v));
			if (json)
				printf(", \"%s\": \"%s\"", cols[c], v);
			else
				printf(c == 0 ? " %-9s" : c == 1 ? " %10s" : c == 2 ? " %-12s" :
				       c == 3 ? " %-13s" : c == 7 ? " %7s" : " %5s", v);
		}
		printf(json ? "}" : "\n");
	}
	if (json)
		printf("], \"pools\": [");
	else if (!only)
		printf("\n%-20s %-9s %10s %10s %10s %12s\n", "POOL", "BACKEND",
		       "SIZE", "USED", "FREE", "LARGEST_FREE");
	snprintf(path, sizeof(path), "%s/pools", root);
	d = only ? NULL : opendir(path);
	for (i = 0; d && (de = readdir(d));) {
		static const char * const pcols[] = { "backend", "size", "used", "free", "largest_free" };

		if (de->d_name[0] == '.')
			continue;
		if (json)
			printf("%s{\"name\": \"%s\"", i++ ? ", " : "", de->d_name);
		else
			printf("%-20s", de->d_name);
		for (c = 0; c < 5; c++) {
			char f[PATH_MAX + 512];
			FILE *pf;

			snprintf(f, sizeof(f), "%s/%s/%s", path, de->d_name, pcols[c]);
			v[0] = '\0';
			pf = fopen(f, "r");
			if (pf) {
				if (!fgets(v, sizeof(v), pf))
					v[0] = '\0';
				fclose(pf);
			}
			v[strcspn(v, "\n")] = '\0';
			if (json)
				printf(", \"%s\": \"%s\"", pcols[c], v);
			else
				printf(c == 0 ? " %-9s" : c == 4 ? " %12s" : " %10s", v);
		}
		printf(json ? "}" : "\n");
	}
	if (d)
		closedir(d);
	if (json)
		printf("]}\n");
	return EXIT_OK;
}

static int cmd_rm(const char *name)
{
	int ret;

	if (!buffer_exists(name)) {
		fprintf(stderr, "pmm-setup: buffer '%s': %s\n", name, strerror(ENOENT));
		return EXIT_RUNTIME;
	}
	ret = remove_buffer(name);
	if (ret) {
		fprintf(stderr, "pmm-setup: buffer '%s': %s\n", name, strerror(-ret));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int cmd_clear(void)
{
	static char names[MAX_BUFFERS][65];
	int n, i, ret = EXIT_OK, err;

	n = list_buffers(names, MAX_BUFFERS);
	if (n < 0) {
		fprintf(stderr, "pmm-setup: %s/buffers: %s\n", root, strerror(-n));
		return EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++) {
		if (buffer_in_use(names[i])) {
			fprintf(stderr, "pmm-setup: buffer '%s': in use, kept\n", names[i]);
			ret = EXIT_RUNTIME;
			continue;
		}
		err = remove_buffer(names[i]);
		if (err) {
			fprintf(stderr, "pmm-setup: buffer '%s': %s\n", names[i], strerror(-err));
			ret = EXIT_RUNTIME;
		}
	}
	return ret;
}

/* The pools= module argument a board file's pmm.pools list implies. */
static int cmd_pools(const char *file)
{
	config_setting_t *list, *p;
	const char *name, *size, *base;
	config_t cfg;
	int ret, i, n;

	ret = read_board(file, &cfg);
	if (ret) {
		config_destroy(&cfg);
		return ret;
	}
	list = config_lookup(&cfg, "pmm.pools");
	n = list ? config_setting_length(list) : 0;
	/*
	 * A board without pools prints nothing, so that
	 * "modprobe pmm $(pmm-setup pools FILE)" falls back to the
	 * modprobe.d options (or the module's default pool).
	 */
	if (n > 0)
		printf("pools=");
	for (i = 0; i < n; i++) {
		unsigned long long v;

		p = config_setting_get_elem(list, i);
		if (!config_setting_lookup_string(p, "name", &name) || !valid_name(name) ||
		    !config_setting_lookup_string(p, "size", &size) || !parse_size(size, &v)) {
			printf("\n");
			ret = board_error(file, config_setting_source_line(p),
					  "pool %d: needs name and size strings", i + 1);
			break;
		}
		printf("%s%s:%s", i ? "," : "", name, size);
		if (config_setting_lookup_string(p, "base", &base))
			printf("@%s", base);
	}
	if (!ret && n > 0)
		printf("\n");
	config_destroy(&cfg);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-setup [options] COMMAND [ARGS]\n"
		"Apply PMM board files to configfs and save configfs back to them.\n"
		"\n"
		"commands:\n"
		"  check FILE        validate FILE against the schema; touches nothing\n"
		"  load FILE         create and enable FILE's buffers (enable written last);\n"
		"                    on failure remove what this run created\n"
		"  save [FILE|-]     write the live buffers as a board file (atomically)\n"
		"  show [NAME]       buffers and pools as a table (--json for scripts)\n"
		"  rm NAME           disable and remove one buffer\n"
		"  clear             disable and remove every buffer not in use\n"
		"  pools FILE        print the pools= module argument FILE implies\n"
		"\n"
		"options:\n"
		"  -r, --configfs-root DIR  the pmm directory (default %s)\n"
		"  -n, --dry-run            print the writes instead of doing them\n"
		"  -f, --force              load: re-create buffers that differ, if not in use\n"
		"  -j, --json               show: JSON output\n"
		"  -v, --verbose            print every write\n"
		"  -h, --help               this text\n"
		"\n"
		"exit status: 0 ok, 1 runtime failure, 2 usage or invalid board file\n",
		"/sys/kernel/config/pmm");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "configfs-root", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *arg;
	int c;

	while ((c = getopt_long(argc, argv, "r:nfjvh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'n': dry_run = true; break;
		case 'f': force = true; break;
		case 'j': json = true; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	load_schema();
	cmd = argv[optind];
	arg = optind + 1 < argc ? argv[optind + 1] : NULL;

	if (!strcmp(cmd, "check") && arg)
		return cmd_check(arg);
	if (!strcmp(cmd, "load") && arg)
		return cmd_load(arg);
	if (!strcmp(cmd, "save"))
		return cmd_save(arg);
	if (!strcmp(cmd, "show"))
		return cmd_show(arg);
	if (!strcmp(cmd, "rm") && arg)
		return cmd_rm(arg);
	if (!strcmp(cmd, "clear"))
		return cmd_clear();
	if (!strcmp(cmd, "pools") && arg)
		return cmd_pools(arg);
	usage(stderr);
	return EXIT_USAGE;
}
