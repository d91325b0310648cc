// SPDX-License-Identifier: GPL-2.0
/* pmm-setup: the buffer model's lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* A new, zeroed buffer at the end of the list, or NULL. */
struct pmm_want *pmm_wants_add(struct pmm_wants *w)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct pmm_want *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		w->v = v;
		w->cap = cap;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	return &w->v[w->n++];
}

void pmm_want_free(struct pmm_want *w)
{
	free(w->attrs);
	w->attrs = NULL;
	w->nattrs = 0;
}

void pmm_wants_free(struct pmm_wants *w)
{
	for (size_t i = 0; i < w->n; i++)
		pmm_want_free(&w->v[i]);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

/*
 * Give @w attribute @a, @value as a board file or configfs has it: the
 * commit attribute sets enable, the others are kept in order.  -EINVAL if
 * the value does not fit the attribute.
 */
int pmm_want_set(struct pmm_want *w, const struct pmm_attr *a,
		 const char *value)
{
	struct pmm_want_attr wa = { .a = a }, *v;

	if (!pmm_value_canon(a, value, wa.text, wa.cmp))
		return -EINVAL;
	if (a->kind == PMM_ATTR_COMMIT) {
		w->enable = !strcmp(wa.cmp, "1");
		return 0;
	}
	v = realloc(w->attrs, (w->nattrs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->attrs = v;
	w->attrs[w->nattrs++] = wa;
	return 0;
}

void pmm_names_free(struct pmm_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}
