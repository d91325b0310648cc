// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-setup: apply a libconfig board file to the PMM configfs tree, save
 * the tree back to one, and show or clear it.
 *
 * The command line only: the commands (a table, like libusbgx's gt and
 * nvmetcli) over the model (model.c), board files (board.c), configfs
 * (configfs.c) and the schema (schema.c).  Buffers are created attribute
 * by attribute with enable written last; a failed load puts back what it
 * found and removes what it created.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "configfs.h"
#include "poolmap.h"

struct pmm_ctx {
	struct pmm_cfs cfs;
	struct pmm_schema schema;
	bool force;
	bool json;
	bool map;
};

struct pmm_cmd {
	const char *name;
	const char *args;
	int min_args, max_args;
	int (*run)(struct pmm_ctx *ctx, char **argv);
	const char *help;
};

static int pmm_list(struct pmm_ctx *ctx, const char *dir, struct pmm_names *names)
{
	int ret = pmm_cfs_list(&ctx->cfs, dir, names);

	if (ret)
		fprintf(stderr, "pmm-setup: %s/%s: %s\n", ctx->cfs.root, dir, strerror(-ret));
	return ret;
}

static int pmm_cmd_check(struct pmm_ctx *ctx, char **argv)
{
	struct pmm_wants wants = { 0 };
	int ret = pmm_board_read(argv[0], &ctx->schema, &wants);

	pmm_wants_free(&wants);
	return ret;
}

/* What a load found in the way of a board-file buffer and removed. */
struct pmm_replaced {
	struct pmm_want old;
	bool removed;
	bool created;
};

static void pmm_load_rollback(struct pmm_ctx *ctx, struct pmm_wants *wants,
			      struct pmm_replaced *r)
{
	const char *attr;

	/* Newest first: remove what this run created, put back what it removed. */
	for (size_t j = wants->n; j-- > 0;) {
		if (r[j].created && pmm_cfs_exists(&ctx->cfs, wants->v[j].name))
			pmm_cfs_remove(&ctx->cfs, wants->v[j].name);
		if (r[j].removed && pmm_cfs_create(&ctx->cfs, &r[j].old, &attr))
			fprintf(stderr, "pmm-setup: buffer '%s': could not be restored (%s)\n",
				r[j].old.name, attr);
	}
}

static int pmm_load_one(struct pmm_ctx *ctx, const char *file,
			const struct pmm_want *w, struct pmm_replaced *r)
{
	const char *attr;
	int err;

	if (pmm_cfs_exists(&ctx->cfs, w->name)) {
		if (pmm_cfs_matches(&ctx->cfs, w))
			return 0;	/* idempotent */
		if (!ctx->force) {
			fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': exists with other attributes (use --force)\n",
				file, w->line, w->name);
			return -EEXIST;
		}
		if (pmm_cfs_in_use(&ctx->cfs, w->name)) {
			fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': enable: %s\n",
				file, w->line, w->name, strerror(EBUSY));
			return -EBUSY;
		}
		err = pmm_cfs_snapshot(&ctx->cfs, &ctx->schema, w->name, &r->old) ?:
		      pmm_cfs_remove(&ctx->cfs, w->name);
		if (err) {
			fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': enable: %s\n",
				file, w->line, w->name, strerror(-err));
			return err;
		}
		r->removed = true;
	}
	err = pmm_cfs_create(&ctx->cfs, w, &attr);
	r->created = !(err == -EEXIST && !strcmp(attr, "name"));
	if (err)
		fprintf(stderr, "pmm-setup: %s:%d: buffer '%s': %s: %s\n",
			file, w->line, w->name, attr, strerror(-err));
	return err;
}

static int pmm_cmd_load(struct pmm_ctx *ctx, char **argv)
{
	struct pmm_wants wants = { 0 };
	struct pmm_replaced *r = NULL;
	int ret;

	ret = pmm_board_read(argv[0], &ctx->schema, &wants);
	if (ret)
		goto out;
	r = calloc(wants.n ?: 1, sizeof(*r));
	if (!r) {
		ret = PMM_EXIT_RUNTIME;
		goto out;
	}
	for (size_t i = 0; i < wants.n; i++) {
		if (pmm_load_one(ctx, argv[0], &wants.v[i], &r[i])) {
			pmm_load_rollback(ctx, &wants, r);
			ret = PMM_EXIT_RUNTIME;
			break;
		}
	}
	for (size_t i = 0; r && i < wants.n; i++)
		pmm_want_free(&r[i].old);
out:
	free(r);
	pmm_wants_free(&wants);
	return ret;
}

static int pmm_cmd_save(struct pmm_ctx *ctx, char **argv)
{
	struct pmm_wants wants = { 0 };
	struct pmm_names names;
	int ret = PMM_EXIT_RUNTIME;

	if (pmm_list(ctx, "buffers", &names))
		return PMM_EXIT_RUNTIME;
	for (size_t i = 0; i < names.n; i++) {
		struct pmm_want *w = pmm_wants_add(&wants);

		if (!w || pmm_cfs_snapshot(&ctx->cfs, &ctx->schema, names.v[i], w)) {
			fprintf(stderr, "pmm-setup: %s\n", strerror(ENOMEM));
			goto out;
		}
	}
	ret = pmm_board_write(argv[0], &wants);
out:
	pmm_wants_free(&wants);
	pmm_names_free(&names);
	return ret;
}

static const char * const pmm_buffer_cols[] = {
	"state", "size", "memtype", "cache", "opens", "maps", "locks", "dmabufs",
};
static const char * const pmm_pool_cols[] = {
	"backend", "size", "used", "free", "largest_free", "held",
};

#define PMM_NCOLS(a)	(sizeof(a) / sizeof((a)[0]))

/* One buffer or pool as a JSON object of its attributes (strings). */
static json_object *pmm_json_item(struct pmm_ctx *ctx, const char *dir,
				  const char *name, const char * const *cols,
				  size_t ncols)
{
	json_object *o = json_object_new_object();
	char v[PMM_VALUE_MAX];

	json_object_object_add(o, "name", json_object_new_string(name));
	for (size_t c = 0; c < ncols; c++) {
		pmm_cfs_read(&ctx->cfs, dir, name, cols[c], v, sizeof(v));
		json_object_object_add(o, cols[c], json_object_new_string(v));
	}
	return o;
}

static int pmm_show_json(struct pmm_ctx *ctx, struct pmm_names *bufs,
			 struct pmm_names *pools, const char *only)
{
	json_object *top = json_object_new_object();
	json_object *b = json_object_new_array(), *p = json_object_new_array();

	for (size_t i = 0; i < bufs->n; i++)
		if (!only || !strcmp(only, bufs->v[i]))
			json_object_array_add(b, pmm_json_item(ctx, "buffers", bufs->v[i],
							       pmm_buffer_cols,
							       PMM_NCOLS(pmm_buffer_cols)));
	for (size_t i = 0; !only && i < pools->n; i++)
		json_object_array_add(p, pmm_json_item(ctx, "pools", pools->v[i],
						       pmm_pool_cols,
						       PMM_NCOLS(pmm_pool_cols)));
	json_object_object_add(top, "buffers", b);
	json_object_object_add(top, "pools", p);
	puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_SPACED));
	json_object_put(top);
	return PMM_EXIT_OK;
}

/* One table row: the name, then each attribute in its column's format. */
static void pmm_show_row(struct pmm_ctx *ctx, const char *dir, const char *name,
			 const char * const *cols, const char * const *fmts,
			 size_t ncols)
{
	char v[PMM_VALUE_MAX];

	printf("%-20s", name);
	for (size_t c = 0; c < ncols; c++) {
		pmm_cfs_read(&ctx->cfs, dir, name, cols[c], v, sizeof(v));
		printf(fmts[c], v);
	}
	printf("\n");
}

static void pmm_show_table(struct pmm_ctx *ctx, struct pmm_names *bufs,
			   struct pmm_names *pools, const char *only)
{
	static const char * const bfmt[] = {
		" %-9s", " %10s", " %-12s", " %-13s", " %5s", " %5s", " %5s", " %7s",
	};
	static const char * const pfmt[] = {
		" %-9s", " %10s", " %10s", " %10s", " %12s", " %10s",
	};

	printf("%-20s %-9s %10s %-12s %-13s %5s %5s %5s %7s\n", "NAME", "STATE",
	       "SIZE", "MEMTYPE", "CACHE", "OPENS", "MAPS", "LOCKS", "DMABUFS");
	for (size_t i = 0; i < bufs->n; i++)
		if (!only || !strcmp(only, bufs->v[i]))
			pmm_show_row(ctx, "buffers", bufs->v[i], pmm_buffer_cols, bfmt,
				     PMM_NCOLS(pmm_buffer_cols));
	if (only)
		return;
	printf("\n%-20s %-9s %10s %10s %10s %12s %10s\n", "POOL", "BACKEND",
	       "SIZE", "USED", "FREE", "LARGEST_FREE", "HELD");
	for (size_t i = 0; i < pools->n; i++)
		pmm_show_row(ctx, "pools", pools->v[i], pmm_pool_cols, pfmt,
			     PMM_NCOLS(pmm_pool_cols));
}

static int pmm_cmd_show(struct pmm_ctx *ctx, char **argv)
{
	struct pmm_names bufs, pools = { 0 };
	const char *only = argv[0];

	if (pmm_list(ctx, "buffers", &bufs))
		return PMM_EXIT_RUNTIME;
	if (only && !pmm_cfs_exists(&ctx->cfs, only)) {
		fprintf(stderr, "pmm-setup: buffer '%s': %s\n", only, strerror(ENOENT));
		pmm_names_free(&bufs);
		return PMM_EXIT_RUNTIME;
	}
	/* A tree without pools/ (a test tree) shows none. */
	if (!only)
		pmm_cfs_list(&ctx->cfs, "pools", &pools);
	if (ctx->json)
		pmm_show_json(ctx, &bufs, &pools, only);
	else
		pmm_show_table(ctx, &bufs, &pools, only);
	pmm_names_free(&bufs);
	pmm_names_free(&pools);
	return PMM_EXIT_OK;
}

static int pmm_cmd_rm(struct pmm_ctx *ctx, char **argv)
{
	int err;

	if (!pmm_cfs_exists(&ctx->cfs, argv[0])) {
		fprintf(stderr, "pmm-setup: buffer '%s': %s\n", argv[0], strerror(ENOENT));
		return PMM_EXIT_RUNTIME;
	}
	err = pmm_cfs_remove(&ctx->cfs, argv[0]);
	if (err) {
		fprintf(stderr, "pmm-setup: buffer '%s': %s\n", argv[0], strerror(-err));
		return PMM_EXIT_RUNTIME;
	}
	return PMM_EXIT_OK;
}

static int pmm_cmd_clear(struct pmm_ctx *ctx, char **argv)
{
	struct pmm_names names;
	int ret = PMM_EXIT_OK, err;

	(void)argv;
	if (pmm_list(ctx, "buffers", &names))
		return PMM_EXIT_RUNTIME;
	for (size_t i = 0; i < names.n; i++) {
		if (pmm_cfs_in_use(&ctx->cfs, names.v[i])) {
			fprintf(stderr, "pmm-setup: buffer '%s': in use, kept\n", names.v[i]);
			ret = PMM_EXIT_RUNTIME;
			continue;
		}
		err = pmm_cfs_remove(&ctx->cfs, names.v[i]);
		if (err) {
			fprintf(stderr, "pmm-setup: buffer '%s': %s\n", names.v[i], strerror(-err));
			ret = PMM_EXIT_RUNTIME;
		}
	}
	pmm_names_free(&names);
	return ret;
}

/* Cells in a pool's bar: a 64th of the pool each. */
#define PMM_MAP_CELLS	64

/* One pool's bar and what its holes add up to. */
static int pmm_map_pool(struct pmm_ctx *ctx, const char *pool)
{
	char bar[PMM_MAP_CELLS + 1], total[16], cell[16], used[16], freeb[16], big[16];
	struct pmm_poolmap m;
	FILE *f;
	int ret;

	f = pmm_cfs_open(&ctx->cfs, "pools", pool, "map");
	if (!f) {
		ret = -errno;
		fprintf(stderr, "pmm-setup: pool '%s': map: %s\n", pool, strerror(-ret));
		return ret;
	}
	ret = pmm_poolmap_read(f, &m);
	fclose(f);
	if (ret || !m.size) {
		fprintf(stderr, "pmm-setup: pool '%s': map: %s\n", pool,
			strerror(ret ? -ret : ENODATA));
		return ret ?: -ENODATA;
	}
	pmm_poolmap_bar(&m, bar, PMM_MAP_CELLS);
	printf("%-16s [%s] %s, cell %s: used %s, free %s in %zu hole%s, largest %s\n",
	       pool, bar, pmm_poolmap_size(total, sizeof(total), m.size),
	       pmm_poolmap_size(cell, sizeof(cell), m.size / PMM_MAP_CELLS),
	       pmm_poolmap_size(used, sizeof(used), m.size - m.bytes[PMM_OWNER_FREE]),
	       pmm_poolmap_size(freeb, sizeof(freeb), m.bytes[PMM_OWNER_FREE]),
	       m.holes, m.holes == 1 ? "" : "s",
	       pmm_poolmap_size(big, sizeof(big), m.largest_free));
	pmm_poolmap_free(&m);
	return 0;
}

static int pmm_cmd_map(struct pmm_ctx *ctx)
{
	struct pmm_names pools;
	int ret = PMM_EXIT_OK;

	if (pmm_list(ctx, "pools", &pools))
		return PMM_EXIT_RUNTIME;
	for (size_t i = 0; i < pools.n; i++)
		if (pmm_map_pool(ctx, pools.v[i]))
			ret = PMM_EXIT_RUNTIME;
	if (pools.n)
		printf("%-16s  # buffer  h heap  ! held (released, pages still referenced)  : partly free  . free\n", "");
	pmm_names_free(&pools);
	return ret;
}

static int pmm_cmd_pools(struct pmm_ctx *ctx, char **argv)
{
	struct pmm_wants wants = { 0 };
	int ret;

	if (ctx->map != !argv[0]) {
		fprintf(stderr, "pmm-setup: pools: %s\n", ctx->map ?
			"FILE and --map exclude each other" : "give FILE or --map");
		return PMM_EXIT_USAGE;
	}
	if (ctx->map)
		return pmm_cmd_map(ctx);
	/* The whole file must be valid, not only its pools. */
	ret = pmm_board_read(argv[0], &ctx->schema, &wants);
	pmm_wants_free(&wants);
	return ret ?: pmm_board_pools(argv[0], stdout);
}

static const struct pmm_cmd pmm_cmds[] = {
	{ "check", "FILE", 1, 1, pmm_cmd_check,
	  "validate FILE against the schema; touches nothing" },
	{ "load", "FILE", 1, 1, pmm_cmd_load,
	  "create and enable FILE's buffers (enable written last);\n"
	  "on failure put back what it replaced, remove what it created" },
	{ "save", "[FILE|-]", 0, 1, pmm_cmd_save,
	  "write the live buffers as a board file (atomically)" },
	{ "show", "[NAME]", 0, 1, pmm_cmd_show,
	  "buffers and pools as a table (--json for scripts)" },
	{ "rm", "NAME", 1, 1, pmm_cmd_rm, "disable and remove one buffer" },
	{ "clear", "", 0, 0, pmm_cmd_clear,
	  "disable and remove every buffer not in use" },
	{ "pools", "FILE|--map", 0, 1, pmm_cmd_pools,
	  "print the pools= module argument FILE implies;\n"
	  "with --map, a bar per live pool: who has which part" },
};

static void pmm_usage(FILE *f)
{
	fprintf(f, "usage: pmm-setup [options] COMMAND [ARGS]\n"
		"Apply PMM board files to configfs and save configfs back to them.\n"
		"\ncommands:\n");
	for (size_t i = 0; i < PMM_NCOLS(pmm_cmds); i++) {
		const struct pmm_cmd *c = &pmm_cmds[i];
		char head[32];
		const char *h = c->help;

		snprintf(head, sizeof(head), "%s %s", c->name, c->args);
		while (*h) {
			int n = strcspn(h, "\n");

			fprintf(f, "  %-16s  %.*s\n", head, n, h);
			head[0] = '\0';
			h += n + (h[n] == '\n');
		}
	}
	fprintf(f, "\noptions:\n"
		"  -r, --configfs-root DIR  the pmm directory (default /sys/kernel/config/pmm)\n"
		"  -n, --dry-run            print the writes instead of doing them\n"
		"  -f, --force              load: re-create buffers that differ, if not in use\n"
		"  -j, --json               show: JSON output\n"
		"  -m, --map                pools: draw each pool's map\n"
		"  -v, --verbose            print every write\n"
		"  -h, --help               this text\n"
		"\nexit status: 0 ok, 1 runtime failure, 2 usage or invalid board file\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "configfs-root", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "map", no_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pmm_ctx ctx = { .cfs.root = "/sys/kernel/config/pmm" };
	char *args[2] = { NULL, NULL };
	int c, nargs, ret;

	while ((c = getopt_long(argc, argv, "r:nfjmvh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ctx.cfs.root = optarg; break;
		case 'n': ctx.cfs.dry_run = true; break;
		case 'f': ctx.force = true; break;
		case 'j': ctx.json = true; break;
		case 'm': ctx.map = true; break;
		case 'v': ctx.cfs.verbose = true; break;
		case 'h': pmm_usage(stdout); return PMM_EXIT_OK;
		default: pmm_usage(stderr); return PMM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		pmm_usage(stderr);
		return PMM_EXIT_USAGE;
	}
	nargs = argc - optind - 1;
	for (size_t i = 0; i < PMM_NCOLS(pmm_cmds); i++) {
		const struct pmm_cmd *cmd = &pmm_cmds[i];

		if (strcmp(cmd->name, argv[optind]))
			continue;
		if (nargs < cmd->min_args || nargs > cmd->max_args)
			break;
		for (int a = 0; a < nargs; a++)
			args[a] = argv[optind + 1 + a];
		if (pmm_schema_load(&ctx.schema)) {
			fprintf(stderr, "pmm-setup: %s\n", strerror(ENOMEM));
			return PMM_EXIT_RUNTIME;
		}
		ret = cmd->run(&ctx, args);
		pmm_schema_free(&ctx.schema);
		return ret;
	}
	pmm_usage(stderr);
	return PMM_EXIT_USAGE;
}
