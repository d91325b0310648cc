/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmm-setup: every access to the PMM configfs tree (or to a plain
 * directory standing in for it, --configfs-root), with --dry-run and
 * --verbose applied here and nowhere else.
 */
#ifndef PMM_SETUP_CONFIGFS_H
#define PMM_SETUP_CONFIGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

struct pmm_cfs {
	const char *root;	/* the pmm directory */
	bool dry_run;		/* print changes instead of making them */
	bool verbose;		/* print changes as they are made */
};

int pmm_cfs_list(const struct pmm_cfs *cfs, const char *dir,
		 struct pmm_names *names);
int pmm_cfs_read(const struct pmm_cfs *cfs, const char *dir, const char *name,
		 const char *attr, char *out, size_t len);
FILE *pmm_cfs_open(const struct pmm_cfs *cfs, const char *dir,
		   const char *name, const char *attr);
bool pmm_cfs_exists(const struct pmm_cfs *cfs, const char *name);
bool pmm_cfs_in_use(const struct pmm_cfs *cfs, const char *name);
bool pmm_cfs_matches(const struct pmm_cfs *cfs, const struct pmm_want *w);
int pmm_cfs_snapshot(const struct pmm_cfs *cfs, const struct pmm_schema *schema,
		     const char *name, struct pmm_want *w);
int pmm_cfs_create(const struct pmm_cfs *cfs, const struct pmm_want *w,
		   const char **failed_attr);
int pmm_cfs_remove(const struct pmm_cfs *cfs, const char *name);

#endif
