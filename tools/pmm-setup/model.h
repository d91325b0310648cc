/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmm-setup: the model of a buffer as a board file describes it and as
 * configfs holds it, shared by the board file (board.c) and configfs
 * (configfs.c) code.
 */
#ifndef PMM_SETUP_MODEL_H
#define PMM_SETUP_MODEL_H

#include "schema.h"

struct pmm_want_attr {
	const struct pmm_attr *a;
	char text[PMM_VALUE_MAX];	/* what to write */
	char cmp[PMM_VALUE_MAX];	/* canonical, as configfs shows it */
};

/* One buffer: its writable attributes in schema order, enable apart. */
struct pmm_want {
	char name[PMM_NAME_MAX + 1];
	int line;			/* in the board file; 0 if live */
	struct pmm_want_attr *attrs;
	size_t nattrs;
	bool enable;
};

/* A list of buffers. */
struct pmm_wants {
	struct pmm_want *v;
	size_t n, cap;
};

struct pmm_want *pmm_wants_add(struct pmm_wants *w);
void pmm_want_free(struct pmm_want *w);
void pmm_wants_free(struct pmm_wants *w);
int pmm_want_set(struct pmm_want *w, const struct pmm_attr *a,
		 const char *value);

/* A list of names, sorted. */
struct pmm_names {
	char **v;
	size_t n;
};

void pmm_names_free(struct pmm_names *names);

#endif
