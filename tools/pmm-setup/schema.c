// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-setup: the schema and its values.  Depends on nothing else of
 * pmm-setup.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"
#include "pmm-schema.h"	/* generated: static const char pmm_schema_text[] */

static const char * const pmm_kind_names[] = {
	[PMM_ATTR_RW] = "attr",
	[PMM_ATTR_COMMIT] = "commit",
	[PMM_ATTR_RO] = "ro",
};

static const char * const pmm_type_names[] = {
	[PMM_TYPE_SIZE] = "size",
	[PMM_TYPE_POW2] = "pow2",
	[PMM_TYPE_POW2OR0] = "pow2or0",
	[PMM_TYPE_UINT] = "uint",
	[PMM_TYPE_OCTAL] = "octal",
	[PMM_TYPE_BOOL] = "bool",
	[PMM_TYPE_POOL] = "pool",
};

static int pmm_lookup(const char * const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

/* Parse the buffer attributes out of the compiled-in schema. */
int pmm_schema_load(struct pmm_schema *schema)
{
	const char *p = pmm_schema_text;
	char line[256], path[128], kind[16], type[64];
	size_t cap = 0;

	schema->attrs = NULL;
	schema->n = 0;
	while (*p) {
		size_t n = strcspn(p, "\n");
		struct pmm_attr *a;
		int k;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "%127s %15s %*s %63s", path, kind, type) != 3 ||
		    strncmp(path, "buffers/*/", 10))
			continue;
		k = pmm_lookup(pmm_kind_names, 3, kind);
		if (k < 0)
			continue;
		if (schema->n == cap) {
			cap = cap ? 2 * cap : 16;
			a = realloc(schema->attrs, cap * sizeof(*a));
			if (!a)
				return -ENOMEM;
			schema->attrs = a;
		}
		a = &schema->attrs[schema->n++];
		memset(a, 0, sizeof(*a));
		pmm_copy(a->name, sizeof(a->name), path + 10);
		a->kind = k;
		if (!strncmp(type, "enum:", 5)) {
			a->type = PMM_TYPE_ENUM;
			snprintf(a->words, sizeof(a->words), "%s", type + 5);
		} else {
			k = pmm_lookup(pmm_type_names, PMM_TYPE_ENUM, type);
			a->type = k < 0 ? PMM_TYPE_OTHER : k;
		}
	}
	return 0;
}

void pmm_schema_free(struct pmm_schema *schema)
{
	free(schema->attrs);
	schema->attrs = NULL;
	schema->n = 0;
}

const struct pmm_attr *pmm_schema_find(const struct pmm_schema *schema,
				       const char *name)
{
	for (size_t i = 0; i < schema->n; i++)
		if (!strcmp(schema->attrs[i].name, name))
			return &schema->attrs[i];
	return NULL;
}

bool pmm_attr_writable(const struct pmm_attr *a)
{
	return a->kind == PMM_ATTR_RW || a->kind == PMM_ATTR_COMMIT;
}

/* 1-PMM_NAME_MAX of [A-Za-z0-9._-], not . or .., as the kernel checks. */
bool pmm_name_valid(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > PMM_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/* Bytes with an optional K/M/G/T suffix, as the kernel accepts them. */
bool pmm_parse_size(const char *s, unsigned long long *out)
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
void pmm_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
}

/* The kernel's page size: alignments start there and sizes round to it. */
static unsigned long long pmm_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (unsigned long long)ps : 4096;
}

static bool pmm_pow2_page(unsigned long long v)
{
	return v >= pmm_page_size() && !(v & (v - 1));
}

static bool pmm_enum_has(const char *words, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = words; *p; p += strcspn(p, "|"), p += !!*p)
		if (strcspn(p, "|") == n && !strncmp(p, w, n))
			return true;
	return false;
}

/*
 * Check @in against the attribute's type.  @write (PMM_VALUE_MAX bytes)
 * gets the text to write to configfs, @cmp the canonical form configfs
 * shows, to compare with a live value.  False if @in does not fit.
 */
bool pmm_value_canon(const struct pmm_attr *a, const char *in,
		     char *write, char *cmp)
{
	unsigned long long v, ps = pmm_page_size();
	char *end;

	pmm_copy(write, PMM_VALUE_MAX, in);
	switch (a->type) {
	case PMM_TYPE_SIZE:
	case PMM_TYPE_POW2:
	case PMM_TYPE_POW2OR0:
		if (!pmm_parse_size(in, &v) ||
		    (a->type == PMM_TYPE_SIZE && !v) ||
		    (a->type == PMM_TYPE_POW2 && !pmm_pow2_page(v)) ||
		    (a->type == PMM_TYPE_POW2OR0 && v && !pmm_pow2_page(v)))
			return false;
		/* The kernel rounds sizes up to pages. */
		if (a->type == PMM_TYPE_SIZE)
			v = (v + ps - 1) & ~(ps - 1);
		snprintf(cmp, PMM_VALUE_MAX, "%llu", v);
		return true;
	case PMM_TYPE_UINT:
		errno = 0;
		v = strtoull(in, &end, 10);
		if (!isdigit((unsigned char)in[0]) || *end || errno ||
		    v > 4294967294ULL)
			return false;
		snprintf(cmp, PMM_VALUE_MAX, "%llu", v);
		return true;
	case PMM_TYPE_OCTAL:
		/* mode = 0660 reads as the integer 660: its digits are octal. */
		if (!in[0] || strspn(in, "01234567") != strlen(in))
			return false;
		v = strtoull(in, &end, 8);
		if (v > 0777)
			return false;
		snprintf(write, PMM_VALUE_MAX, "%04llo", v);
		snprintf(cmp, PMM_VALUE_MAX, "%04llo", v);
		return true;
	case PMM_TYPE_BOOL:
		if (strcmp(in, "0") && strcmp(in, "1"))
			return false;
		break;
	case PMM_TYPE_POOL:
		if (!pmm_name_valid(in))
			return false;
		break;
	case PMM_TYPE_ENUM:
		if (!pmm_enum_has(a->words, in))
			return false;
		break;
	case PMM_TYPE_OTHER:
		return false;
	}
	pmm_copy(cmp, PMM_VALUE_MAX, in);
	return true;
}
