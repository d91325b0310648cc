/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmm-setup: the configfs schema (configfs-schema/pmm.schema, compiled
 * in), parsed once into typed buffer attributes, and the values they take.
 */
#ifndef PMM_SETUP_SCHEMA_H
#define PMM_SETUP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/pmm.h>		/* PMM_NAME_MAX */

/* What an attribute is, as the schema's KIND column says. */
enum pmm_attr_kind {
	PMM_ATTR_RW,		/* attr: read-write, frozen while enabled */
	PMM_ATTR_COMMIT,	/* commit: enable */
	PMM_ATTR_RO,		/* ro */
};

/* What an attribute holds, as the schema's TYPE column says. */
enum pmm_value_type {
	PMM_TYPE_SIZE,
	PMM_TYPE_POW2,
	PMM_TYPE_POW2OR0,
	PMM_TYPE_UINT,
	PMM_TYPE_OCTAL,
	PMM_TYPE_BOOL,
	PMM_TYPE_POOL,
	PMM_TYPE_ENUM,
	PMM_TYPE_OTHER,		/* phys, text: only ever read */
};

#define PMM_VALUE_MAX	128

/* Buffer names the kernel refuses: udev's links under /dev/pmm/. */
#define PMM_LINK_PREFIX	"by-"

struct pmm_attr {
	char name[32];
	enum pmm_attr_kind kind;
	enum pmm_value_type type;
	char words[64];		/* PMM_TYPE_ENUM: the words, '|' between */
};

struct pmm_schema {
	struct pmm_attr *attrs;	/* buffers/<name>/ attributes, schema order */
	size_t n;
};

int pmm_schema_load(struct pmm_schema *schema);
void pmm_schema_free(struct pmm_schema *schema);
const struct pmm_attr *pmm_schema_find(const struct pmm_schema *schema,
				       const char *name);
bool pmm_attr_writable(const struct pmm_attr *a);
bool pmm_value_canon(const struct pmm_attr *a, const char *in,
		     char *write, char *cmp);
bool pmm_name_valid(const char *s);
bool pmm_parse_size(const char *s, unsigned long long *out);
void pmm_copy(char *dst, size_t len, const char *src);

#endif
