/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmm-setup: board files (libconfig), read into the model and written
 * from it.  Keys are the configfs attribute names.
 */
#ifndef PMM_SETUP_BOARD_H
#define PMM_SETUP_BOARD_H

#include <stdio.h>

#include "model.h"

/* Exit codes. */
enum { PMM_EXIT_OK = 0, PMM_EXIT_RUNTIME = 1, PMM_EXIT_USAGE = 2 };

int pmm_board_read(const char *file, const struct pmm_schema *schema,
		   struct pmm_wants *wants);
int pmm_board_pools(const char *file, FILE *out);
int pmm_board_write(const char *file, const struct pmm_wants *wants);

#endif
