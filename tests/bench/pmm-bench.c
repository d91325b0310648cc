// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-bench - PMM against its peers, measured in one boot.
 *
 * Runs inside a guest with pmm.ko loaded with a carveout pool and a contig
 * pool, and (where the kernel has one) the CMA dma-heap.  Every claim is a
 * ratio of two figures measured here, in the same boot: absolute times in
 * an emulated guest mean little.
 *
 *   enable  configfs `enable` latency per size and pool, against a plain
 *           memset of the same size (allocation should cost one zeroing)
 *   cma     PMM against DMA_HEAP_IOCTL_ALLOC on the CMA heap, on a quiet
 *           system and with memory filled with page cache and anonymous
 *           pages (the CMA area then holds movable pages to migrate)
 *   heap    DMA_HEAP_IOCTL_ALLOC on PMM's heap for the contig pool against
 *           the CMA heap and against a declared buffer's enable, quiet and
 *           loaded as for cma: allocation, release and both
 *   map     mmap + touch every page: minor faults and time, for PMM, the
 *           CMA heap and anonymous memory with MAP_POPULATE
 *   frag    a seeded video-pipeline churn trace until the first failed
 *           allocation: pool utilisation then, per placement policy, and
 *           where the same trace fails on the CMA heap
 *   scale   enable and open cost per buffer, kernel memory per buffer, at
 *           several buffer counts
 *   sync    PMM_IOC_SYNC of a cached contig buffer over 64 KiB against the
 *           whole buffer: where the pool's device is not DMA-coherent the
 *           cache maintenance must cover the requested range only
 *
 * Prints a table as it goes, then one JSON object per measurement (a line
 * starting with '{'): name, unit, p50, p99, n, and peer, peer_p50, ratio,
 * goal and met where there is a peer or a goal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/pmm.h>
#include <sys/utsname.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "place.h"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define PAGE 4096ULL
#define MAX_SIZES 16
#define MAX_RESULTS 512

static const char *cfs = "/sys/kernel/config/pmm";
static const char *carveout = "carve";
static const char *contig = "contig";
static const char *heap_path = "/dev/dma_heap/reserved";
static const char *fit_param = "/sys/module/pmm/parameters/fit";
/* When the contig pool zeroes memory (pools/NAME/zero): moves the zeroing pass. */
static char zero_policy[16] = "alloc";
static unsigned long long sizes[MAX_SIZES];
static int nr_sizes;
static int reps = 50;
static unsigned long long map_size = 64 * MiB;
static unsigned long long sync_size = 32 * MiB;
static unsigned long long frag_steps = 100000;
static int frag_seeds = 10;
/* Pool sizes of the media trace family; bytes the ballast buffer holds. */
static unsigned long long frag_pools[MAX_SIZES];
static int nr_frag_pools;
static unsigned long long frag_ballast;
static unsigned long long fill_max;	/* 0: until the CMA area is occupied */
static int scale_counts[8] = { 64, 512, 4096 };
static int nr_scale = 3;
static uint64_t seed = 1;
static bool quick_run;
static FILE *json;

/* ---- small helpers ---- */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pmm-bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Write a whole string to a file; 0 or an errno. */
static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = errno;
	close(fd);
	return err;
}

static int putf(const char *val, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return put(path, val);
}

/* The first line of a file, without its newline; 0 or an errno. */
static int get_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static unsigned long long get_u64(const char *fmt, ...)
{
	char path[512], buf[64];
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	err = get_line(path, buf, sizeof(buf));
	if (err)
		die("%s: %s", path, strerror(err));
	if (!buf[0])
		die("%s: cannot read", path);
	return strtoull(buf, NULL, 0);
}

/* A /proc/meminfo field in KiB, -1 if absent. */
static long long meminfo(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtoll(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n samples (sorts them). */
static double pct(double *v, int n, double p)
{
	int k;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (int)(p / 100.0 * n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k];
}

static uint64_t rng_state;

/* splitmix64: small, seeded, the same sequence on every machine. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(unsigned int n)
{
	return rnd() % n;
}

static unsigned long long page_up(unsigned long long v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static const char *human(unsigned long long v, char *buf, size_t len)
{
	if (v >= MiB && !(v % MiB))
		snprintf(buf, len, "%lluM", v / MiB);
	else if (v >= KiB && !(v % KiB))
		snprintf(buf, len, "%lluK", v / KiB);
	else
		snprintf(buf, len, "%llu", v);
	return buf;
}

/* ---- results ---- */

struct result {
	char name[96];
	const char *unit;
	double p50, p99;
	int n;
	char peer[64];
	double peer_p50;
	double ratio;
	char goal[32];		/* e.g. "<= 1.2", "" for none */
	int met;		/* -1: no goal */
};

static struct result results[MAX_RESULTS];
static int nr_results;

static void table_header(const char *title)
{
	printf("\n== %s\n", title);
	printf("%-44s %5s %12s %12s %-22s %12s %8s %-9s\n", "measurement", "n",
	       "p50", "p99", "peer", "peer p50", "ratio", "goal");
}

static bool goal_met(const char *goal, double v)
{
	double g;

	if (sscanf(goal, "<= %lf", &g) == 1)
		return v <= g;
	if (sscanf(goal, ">= %lf", &g) == 1)
		return v >= g;
	return false;
}

/*
 * Record one measurement.  goal applies to the ratio if there is a peer
 * (unless it is in percent), else to p50.
 */
static struct result *report(const char *name, const char *unit, double p50,
			     double p99, int n, const char *peer,
			     double peer_p50, const char *goal)
{
	struct result *r;
	char ratio[16] = "", pp[32] = "";

	if (nr_results == MAX_RESULTS)
		die("too many results");
	r = &results[nr_results++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->unit = unit;
	r->p50 = p50;
	r->p99 = p99;
	r->n = n;
	r->met = -1;
	if (peer) {
		snprintf(r->peer, sizeof(r->peer), "%s", peer);
		r->peer_p50 = peer_p50;
		r->ratio = peer_p50 > 0 ? p50 / peer_p50 : 0;
		snprintf(ratio, sizeof(ratio), "%.3f", r->ratio);
		snprintf(pp, sizeof(pp), "%.1f", peer_p50);
	}
	if (goal) {
		snprintf(r->goal, sizeof(r->goal), "%s", goal);
		/* A goal in percent is on the figure itself. */
		r->met = goal_met(goal, peer && !strchr(goal, '%') ? r->ratio : p50);
	}
	printf("%-44s %5d %12.1f %12.1f %-22s %12s %8s %-9s%s\n", name, n, p50,
	       p99, peer ? peer : "", pp, ratio, goal ? goal : "",
	       r->met == 1 ? " met" : r->met == 0 ? " MISSED" : "");
	fflush(stdout);
	return r;
}

/* Report A / B as a ratio row NAME (p50 over p50), with GOAL. */
static void report_ratio(const char *name, double a, double b, int n,
			 const char *goal)
{
	double r = b > 0 ? a / b : 0;

	report(name, "ratio", r, r, n, NULL, 0, goal);
}

static void print_json(FILE *f)
{
	int i;

	for (i = 0; i < nr_results; i++) {
		struct result *r = &results[i];

		fprintf(f, "{\"name\":\"%s\",\"unit\":\"%s\",\"p50\":%.3f,\"p99\":%.3f,\"n\":%d",
			r->name, r->unit, r->p50, r->p99, r->n);
		if (r->peer[0])
			fprintf(f, ",\"peer\":\"%s\",\"peer_p50\":%.3f,\"ratio\":%.4f",
				r->peer, r->peer_p50, r->ratio);
		if (r->goal[0])
			fprintf(f, ",\"goal\":\"%s\",\"met\":%s", r->goal,
				r->met ? "true" : "false");
		fprintf(f, ",\"seed\":%" PRIu64 "}\n", seed);
	}
}

/* ---- PMM buffers through configfs ---- */

static unsigned long long pool_attr(const char *pool, const char *attr)
{
	return get_u64("%s/pools/%s/%s", cfs, pool, attr);
}

/* The cache mode of the carveout's and the contig pool's buffers (main()). */
static const char *carveout_cache = "cached", *contig_cache = "cached";

/*
 * The figures are for cached buffers, but outside x86 a carveout of a
 * device without coherent DMA offers only non-cached ones (README, "On an
 * ARM board"): there it is writecombine.
 */
static const char *pool_cache(const char *pool, bool arch_x86)
{
	char path[512], v[16];

	snprintf(path, sizeof(path), "%s/pools/%s/backend", cfs, pool);
	if (arch_x86 || get_line(path, v, sizeof(v)) || strcmp(v, "carveout") ||
	    pool_attr(pool, "coherent"))
		return "cached";
	return "writecombine";
}

/* Declare buffer NAME; 0 or an errno. */
static int pmm_declare(const char *name, unsigned long long size,
		       unsigned long long align, const char *pool)
{
	char v[32];
	int err;

	if (mkdir(name, 0755) && errno != EEXIST)
		return errno;
	snprintf(v, sizeof(v), "%llu", size);
	err = putf(v, "%s/size", name);
	if (!err && align) {
		snprintf(v, sizeof(v), "%llu", align);
		err = putf(v, "%s/align", name);
	}
	if (!err)
		err = putf(pool, "%s/memtype", name);
	if (!err)
		err = putf(strcmp(pool, carveout) ? contig_cache : carveout_cache,
			   "%s/cache", name);
	return err;
}

/* Write VAL to NAME/enable, return the write's latency in us; *err gets 0 or an errno. */
static double pmm_set_enable(const char *name, const char *val, int *err)
{
	char path[512];
	double t0, t1;
	int fd;

	snprintf(path, sizeof(path), "%s/enable", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die("%s/%s: %s", cfs, path, strerror(errno));
	t0 = now_us();
	*err = write(fd, val, 1) == 1 ? 0 : errno;
	t1 = now_us();
	close(fd);
	return t1 - t0;
}

static double pmm_enable(const char *name, int *err)
{
	return pmm_set_enable(name, "1", err);
}

static void pmm_remove(const char *name)
{
	int err = putf("0", "%s/enable", name);

	if (err)
		die("%s: disable: %s", name, strerror(err));
	if (rmdir(name))
		die("%s: rmdir: %s", name, strerror(errno));
}

/* Declare and enable buffer "bench" of @size in @pool, open its node. */
static int bench_buffer_open(const char *pool, unsigned long long size)
{
	int err = pmm_declare("bench", size, 0, pool), fd;

	if (!err)
		pmm_enable("bench", &err);
	if (err)
		die("bench buffer of %llu in %s: %s", size, pool, strerror(err));
	fd = open("/dev/pmm/bench", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/pmm/bench: %s", strerror(errno));
	return fd;
}

/* ---- dma-heaps ---- */

static int heap_fd = -1;

/* Allocate from the dma-heap HEAP; the dma-buf fd or -errno. */
static int heap_alloc(int heap, unsigned long long size)
{
	struct dma_heap_allocation_data d = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		return -errno;
	return d.fd;
}

/* ---- 1. enable latency against memset ---- */

/*
 * Figures compared with each other are measured interleaved, one sample
 * of each per repetition: the emulated guest's speed drifts with the
 * host's load, and interleaving makes a drift hit both sides alike.
 */

/*
 * One enable of SIZE in POOL: the latency of the configfs write, in us;
 * *disable gets the latency of the write that disables it again, where the
 * memory is zeroed when PMM zeroes on free.
 */
static double enable_once(const char *pool, unsigned long long size,
			  double *disable)
{
	double t;
	int err;

	err = pmm_declare("bench", size, 0, pool);
	if (err)
		die("declare %llu in %s: %s", size, pool, strerror(err));
	t = pmm_enable("bench", &err);
	if (err)
		die("enable %llu in %s: %s", size, pool, strerror(err));
	*disable = pmm_set_enable("bench", "0", &err);
	if (err)
		die("disable %llu in %s: %s", size, pool, strerror(err));
	pmm_remove("bench");
	return t;
}

/* One memset of a pre-faulted buffer: one zeroing pass, in us. */
static double memset_once(unsigned char *p, unsigned long long size)
{
	double t0 = now_us();

	memset(p, 0, size);
	/* The stores must happen: the compiler cannot see a reader. */
	__asm__ volatile("" : : "r"(p) : "memory");
	return now_us() - t0;
}

static void bench_enable(void)
{
	const char *pools[] = { carveout, contig };
	double *tm = calloc(reps, sizeof(*tm));
	double *te[2] = { calloc(reps, sizeof(double)), calloc(reps, sizeof(double)) };
	double *td[2] = { calloc(reps, sizeof(double)), calloc(reps, sizeof(double)) };
	char name[96], h[24], title[256];
	double m50;
	int i, p, r;

	snprintf(title, sizeof(title),
		 "enable and disable latency (%s %s, %s %s, zero=%s) against memset of a pre-faulted buffer in user space",
		 carveout, carveout_cache, contig, contig_cache, zero_policy);
	table_header(title);
	for (i = 0; i < nr_sizes; i++) {
		unsigned char *buf = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
					  -1, 0);
		bool fits[2];

		if (buf == MAP_FAILED)
			die("mmap %llu: %s", sizes[i], strerror(errno));
		memset(buf, 1, sizes[i]);
		for (p = 0; p < 2; p++)
			fits[p] = sizes[i] <= pool_attr(pools[p], "size");
		for (r = 0; r < reps; r++) {
			tm[r] = memset_once(buf, sizes[i]);
			for (p = 0; p < 2; p++)
				if (fits[p])
					te[p][r] = enable_once(pools[p], sizes[i],
							       &td[p][r]);
		}
		munmap(buf, sizes[i]);
		human(sizes[i], h, sizeof(h));
		snprintf(name, sizeof(name), "memset.%s", h);
		m50 = pct(tm, reps, 50);
		report(name, "us", m50, pct(tm, reps, 99), reps, NULL, 0, NULL);
		for (p = 0; p < 2; p++) {
			if (!fits[p])
				continue;
			snprintf(name, sizeof(name), "enable.%s.%s", pools[p], h);
			report(name, "us", pct(te[p], reps, 50), pct(te[p], reps, 99), reps,
			       "memset", m50, sizes[i] == 8 * MiB ? "<= 1.2" : NULL);
			snprintf(name, sizeof(name), "disable.%s.%s", pools[p], h);
			report(name, "us", pct(td[p], reps, 50), pct(td[p], reps, 99), reps,
			       "memset", m50, NULL);
		}
	}
	free(tm);
	for (p = 0; p < 2; p++) {
		free(te[p]);
		free(td[p]);
	}
}

/*
 * enable and disable of a contig buffer in each cache mode the pool
 * offers, the buffers of all modes live side by side, so that each mode's
 * buffer gets the same range every repetition: what a pipeline that frees
 * and allocates frames of one type again pays.  Goal: no mode costs more
 * than cached does.
 */
static void bench_enable_modes(void)
{
	static const char * const modes[] = { "cached", "writecombine", "uncached" };
	unsigned long long size = quick_run ? MiB : 8 * MiB;
	double *te[3], *td[3], c50 = 0;
	char name[96], h[24], bname[16], title[160];
	bool have[3];
	int m, r, err;

	human(size, h, sizeof(h));
	snprintf(title, sizeof(title),
		 "enable and disable of %s in '%s' per cache mode, each mode's buffer in the same range every time",
		 h, contig);
	table_header(title);
	for (m = 0; m < 3; m++) {
		te[m] = calloc(reps, sizeof(double));
		td[m] = calloc(reps, sizeof(double));
		if (!te[m] || !td[m])
			die("out of memory");
		snprintf(bname, sizeof(bname), "bench-%d", m);
		err = pmm_declare(bname, size, 0, contig) ?: putf(modes[m], "%s/cache", bname);
		have[m] = !err;
		if (err && err != EINVAL)
			die("%s: %s", bname, strerror(err));
		if (err)
			rmdir(bname);
	}
	for (r = 0; r < reps; r++) {
		for (m = 0; m < 3; m++) {
			if (!have[m])
				continue;
			snprintf(bname, sizeof(bname), "bench-%d", m);
			te[m][r] = pmm_enable(bname, &err);
			if (err)
				die("enable %s: %s", bname, strerror(err));
		}
		for (m = 2; m >= 0; m--) {
			if (!have[m])
				continue;
			snprintf(bname, sizeof(bname), "bench-%d", m);
			td[m][r] = pmm_set_enable(bname, "0", &err);
			if (err)
				die("disable %s: %s", bname, strerror(err));
		}
	}
	for (m = 0; m < 3; m++) {
		if (!have[m]) {
			printf("  %s: pool '%s' offers no %s buffers\n", modes[m], contig, modes[m]);
			continue;
		}
		snprintf(bname, sizeof(bname), "bench-%d", m);
		rmdir(bname);
		snprintf(name, sizeof(name), "enable.%s.%s.%s", contig, modes[m], h);
		if (!m) {
			c50 = pct(te[m], reps, 50);
			report(name, "us", c50, pct(te[m], reps, 99), reps, NULL, 0, NULL);
		} else {
			report(name, "us", pct(te[m], reps, 50), pct(te[m], reps, 99), reps,
			       "cached", c50, have[0] ? "<= 1.2" : NULL);
		}
		snprintf(name, sizeof(name), "disable.%s.%s.%s", contig, modes[m], h);
		report(name, "us", pct(td[m], reps, 50), pct(td[m], reps, 99), reps,
		       NULL, 0, NULL);
	}
	for (m = 0; m < 3; m++) {
		free(te[m]);
		free(td[m]);
	}
}

/* ---- 2. against the CMA heap, quiet and under memory pressure ---- */

/*
 * One allocation from the dma-heap HEAP (WHAT in messages), freed again:
 * the allocation's latency in us, or -1 if it failed; *release gets the
 * close's, which is where the dma-buf's memory goes back.
 */
static double heap_once(int heap, const char *what, unsigned long long size,
			double *release)
{
	double t0 = now_us(), t;
	int fd = heap_alloc(heap, size);

	t = now_us() - t0;
	if (fd == -ENOMEM)
		return -1;
	if (fd < 0)
		die("%s: %llu bytes: %s", what, size, strerror(-fd));
	t0 = now_us();
	close(fd);
	*release = now_us() - t0;
	return t;
}

static pid_t filler = -1;

/*
 * After each allocation is freed, take as much anonymous memory again
 * (and drop the previous refill), so that the pages just freed in the CMA
 * area fill up with movable pages again and memory stays as full.
 */
static void *refill_mem;
static unsigned long long refill_len;
static long long refill_cma_free_kb, refill_samples;

static void refill(unsigned long long size)
{
	void *p;

	if (refill_mem)
		munmap(refill_mem, refill_len);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	refill_mem = p == MAP_FAILED ? NULL : p;
	refill_len = size;
	refill_cma_free_kb += meminfo("CmaFree");
	refill_samples++;
}

static void refill_drop(void)
{
	if (refill_mem)
		munmap(refill_mem, refill_len);
	refill_mem = NULL;
}

/*
 * Fill memory with anonymous pages and page cache (shmem, the page cache
 * a memfd has) in a child that keeps them until killed, until the CMA
 * area is mostly occupied by those movable pages or free memory runs low.
 */
static void fill_memory(void)
{
	int pipefd[2];
	char c;

	if (pipe(pipefd))
		die("pipe: %s", strerror(errno));
	filler = fork();
	if (filler < 0)
		die("fork: %s", strerror(errno));
	if (!filler) {
		const unsigned long long chunk = 16 * MiB;
		int memfd = memfd_create("pmm-bench-cache", 0);
		unsigned long long cache_len = 0;
		int i;

		close(pipefd[0]);
		for (i = 0; !fill_max || i * chunk < fill_max; i++) {
			long long cma_free = meminfo("CmaFree");
			long long cma_total = meminfo("CmaTotal");
			long long mem_free = meminfo("MemFree");

			/*
			 * Movable allocations take CMA pages once those are
			 * most of what is free: fill until little is free.
			 * Without swap nothing here is reclaimable: keep clear
			 * of the OOM killer.
			 */
			if (mem_free < 320 * 1024 ||
			    (cma_total > 0 && cma_free < cma_total / 64))
				break;
			if (i & 1) {
				cache_len += chunk;
				if (memfd < 0 || fallocate(memfd, 0, 0, cache_len))
					break;
			} else {
				void *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
					       -1, 0);

				if (p == MAP_FAILED)
					break;
			}
		}
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		die("memory filler died");
	close(pipefd[0]);
}

static pid_t churner = -1;

/*
 * Load while measuring: a process on the other CPU that keeps allocating,
 * touching and freeing anonymous memory, so pages keep moving in and out
 * of the CMA area while cma_alloc() migrates them.
 */
static void start_churn(void)
{
	churner = fork();
	if (churner < 0)
		die("fork: %s", strerror(errno));
	if (!churner) {
		const size_t len = 32 * MiB;

		for (;;) {
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			size_t off;

			if (p == MAP_FAILED) {
				usleep(1000);
				continue;
			}
			for (off = 0; off < len; off += PAGE)
				p[off] = 1;
			munmap(p, len);
		}
	}
}

static void unfill_memory(void)
{
	pid_t *p[] = { &churner, &filler };
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (*p[i] > 0) {
			kill(*p[i], SIGKILL);
			waitpid(*p[i], NULL, 0);
			*p[i] = -1;
		}
	refill_drop();
}

static void bench_cma(void)
{
	double *tp = calloc(reps, sizeof(*tp)), *tc = calloc(reps, sizeof(*tc));
	/* Whole cycles: allocation and release, where zeroing on free pays. */
	double *yp = calloc(reps, sizeof(*yp)), *yc = calloc(reps, sizeof(*yc));
	char name[96], h[24], title[160];
	int load, i, n, r, failed;

	if (heap_fd < 0) {
		printf("\n== CMA heap: %s not present, comparison skipped\n", heap_path);
		return;
	}
	for (load = 0; load < 2; load++) {
		if (load) {
			fill_memory();
			start_churn();
			snprintf(title, sizeof(title),
				 "PMM '%s' enable against CMA heap alloc, memory filled, a process churning 32 MiB (CmaFree %lld of %lld KiB, MemFree %lld KiB)",
				 contig, meminfo("CmaFree"), meminfo("CmaTotal"),
				 meminfo("MemFree"));
		} else {
			snprintf(title, sizeof(title),
				 "PMM '%s' enable against CMA heap alloc, quiet system",
				 contig);
		}
		table_header(title);
		for (i = 0; i < nr_sizes; i++) {
			bool at8 = sizes[i] == 8 * MiB;
			const char *cond = load ? "filled" : "quiet";

			if (sizes[i] > pool_attr(contig, "size") ||
			    (long long)(sizes[i] / KiB) > meminfo("CmaTotal"))
				continue;
			refill_cma_free_kb = refill_samples = 0;
			n = failed = 0;
			/*
			 * Interleaved; under load each allocation is followed by
			 * a refill of what it freed (untimed).  A failed CMA
			 * allocation (pages that could not be migrated) is
			 * counted, not timed.
			 */
			for (r = 0; r < reps; r++) {
				double rel = 0;
				double t = heap_once(heap_fd, "CMA heap", sizes[i], &rel);

				if (t < 0) {
					failed++;
				} else {
					yc[n] = t + rel;
					tc[n++] = t;
				}
				if (load)
					refill(sizes[i]);
				tp[r] = enable_once(contig, sizes[i], &rel);
				yp[r] = tp[r] + rel;
				if (load)
					refill(sizes[i]);
			}
			snprintf(name, sizeof(name), "cma.%s.%s", cond,
				 human(sizes[i], h, sizeof(h)));
			report(name, "us", pct(tc, n, 50), pct(tc, n, 99), n, NULL, 0, NULL);
			if (failed)
				printf("  %s: %d of %d allocations failed (ENOMEM)\n", name,
				       failed, reps);
			if (refill_samples)
				printf("  %s: CmaFree %lld KiB on average between allocations\n",
				       name, refill_cma_free_kb / refill_samples);
			snprintf(name, sizeof(name), "pmm.%s.%s", cond,
				 human(sizes[i], h, sizeof(h)));
			report(name, "us", pct(tp, reps, 50), pct(tp, reps, 99), reps,
			       "cma-heap", pct(tc, n, 50), load && at8 ? "<= 0.2" : NULL);
			if (load && at8) {
				double p50 = pct(tp, reps, 50), p99 = pct(tp, reps, 99);

				snprintf(name, sizeof(name), "pmm.filled.%s.p99_over_p50",
					 human(sizes[i], h, sizeof(h)));
				report_ratio(name, p99, p50, reps, "<= 2");
			}
			snprintf(name, sizeof(name), "cma.%s.cycle.%s", cond,
				 human(sizes[i], h, sizeof(h)));
			report(name, "us", pct(yc, n, 50), pct(yc, n, 99), n, NULL, 0, NULL);
			snprintf(name, sizeof(name), "pmm.%s.cycle.%s", cond,
				 human(sizes[i], h, sizeof(h)));
			report(name, "us", pct(yp, reps, 50), pct(yp, reps, 99), reps,
			       "cma-heap", pct(yc, n, 50), NULL);
		}
		if (load)
			unfill_memory();
	}
	free(tp);
	free(tc);
	free(yp);
	free(yc);
}

/* ---- 3. PMM's own DMA-BUF heap ---- */

static unsigned long long heap_sizes[MAX_SIZES];
static int nr_heap_sizes;

/*
 * DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/pmm-CONTIG against the same on
 * the CMA heap and against a declared buffer's enable in the same pool,
 * quiet and loaded as in bench_cma(): the allocation alone, its release
 * (the close of the only dma-buf fd, where the memory goes back and, with
 * zero=free, is zeroed) and the two together, all interleaved.
 */
static void bench_heap(void)
{
	double *t[3], *rel[3], *cyc[3];	/* PMM heap, CMA heap, declared enable */
	char path[256], name[96], h[24], title[512];
	int load, i, k, r, n_cma, failed, pmm_heap;

	snprintf(path, sizeof(path), "/dev/dma_heap/pmm-%s", contig);
	pmm_heap = open(path, O_RDONLY | O_CLOEXEC);
	if (pmm_heap < 0)
		die("%s: %s", path, strerror(errno));
	for (k = 0; k < 3; k++) {
		t[k] = calloc(reps, sizeof(double));
		rel[k] = calloc(reps, sizeof(double));
		cyc[k] = calloc(reps, sizeof(double));
		if (!t[k] || !rel[k] || !cyc[k])
			die("out of memory");
	}
	for (load = 0; load < 2; load++) {
		const char *cond = load ? "filled" : "quiet";

		if (load) {
			fill_memory();
			start_churn();
		}
		snprintf(title, sizeof(title),
			 "PMM heap %s: allocation, release (close) and both against the CMA heap and declared enable, %s (CmaFree %lld of %lld KiB, MemFree %lld KiB)",
			 path, load ? "memory filled, a process churning 32 MiB" : "quiet system",
			 meminfo("CmaFree"), meminfo("CmaTotal"), meminfo("MemFree"));
		table_header(title);
		for (i = 0; i < nr_heap_sizes; i++) {
			unsigned long long size = heap_sizes[i];
			bool cma = heap_fd >= 0 &&
				   (long long)(size / KiB) <= meminfo("CmaTotal");
			double p50, p99, c50;

			if (size > pool_attr(contig, "size"))
				continue;
			human(size, h, sizeof(h));
			refill_cma_free_kb = refill_samples = 0;
			n_cma = failed = 0;
			for (r = 0; r < reps; r++) {
				t[0][r] = heap_once(pmm_heap, path, size, &rel[0][r]);
				if (t[0][r] < 0)
					die("%s: %llu bytes: pool full", path, size);
				cyc[0][r] = t[0][r] + rel[0][r];
				if (load)
					refill(size);
				if (cma) {
					double tr = 0, tc = heap_once(heap_fd, "CMA heap", size, &tr);

					if (tc < 0) {
						failed++;
					} else {
						t[1][n_cma] = tc;
						rel[1][n_cma] = tr;
						cyc[1][n_cma++] = tc + tr;
					}
					if (load)
						refill(size);
				}
				t[2][r] = enable_once(contig, size, &rel[2][r]);
				cyc[2][r] = t[2][r] + rel[2][r];
				if (load)
					refill(size);
			}
			if (cma) {
				snprintf(name, sizeof(name), "cma.heap.%s.%s", cond, h);
				report(name, "us", pct(t[1], n_cma, 50), pct(t[1], n_cma, 99),
				       n_cma, NULL, 0, NULL);
				if (failed)
					printf("  %s: %d of %d allocations failed (ENOMEM)\n",
					       name, failed, reps);
				snprintf(name, sizeof(name), "cma.heap.%s.cycle.%s", cond, h);
				report(name, "us", pct(cyc[1], n_cma, 50), pct(cyc[1], n_cma, 99),
				       n_cma, NULL, 0, NULL);
			}
			snprintf(name, sizeof(name), "enable.%s.%s.%s", contig, cond, h);
			report(name, "us", pct(t[2], reps, 50), pct(t[2], reps, 99), reps,
			       NULL, 0, NULL);
			snprintf(name, sizeof(name), "enable.%s.%s.cycle.%s", contig, cond, h);
			report(name, "us", pct(cyc[2], reps, 50), pct(cyc[2], reps, 99), reps,
			       NULL, 0, NULL);

			p50 = pct(t[0], reps, 50);
			p99 = pct(t[0], reps, 99);
			c50 = cma ? pct(t[1], n_cma, 50) : 0;
			snprintf(name, sizeof(name), "heap.%s.%s", cond, h);
			report(name, "us", p50, p99, reps, cma ? "cma-heap" : NULL, c50,
			       cma && load ? "<= 0.2" : NULL);
			snprintf(name, sizeof(name), "heap.%s.%s.p99_over_p50", cond, h);
			report_ratio(name, p99, p50, reps, load ? "<= 2" : NULL);
			snprintf(name, sizeof(name), "heap.%s.%s.over_enable", cond, h);
			report_ratio(name, p50, pct(t[2], reps, 50), reps, "<= 1");
			snprintf(name, sizeof(name), "heap.%s.release.%s", cond, h);
			report(name, "us", pct(rel[0], reps, 50), pct(rel[0], reps, 99), reps,
			       cma ? "cma-heap" : NULL, cma ? pct(rel[1], n_cma, 50) : 0, NULL);
			snprintf(name, sizeof(name), "heap.%s.cycle.%s", cond, h);
			report(name, "us", pct(cyc[0], reps, 50), pct(cyc[0], reps, 99), reps,
			       cma ? "cma-heap" : NULL, cma ? pct(cyc[1], n_cma, 50) : 0, NULL);
			snprintf(name, sizeof(name), "heap.%s.cycle.%s.over_enable", cond, h);
			report_ratio(name, pct(cyc[0], reps, 50), pct(cyc[2], reps, 50), reps,
				     "<= 1");
			if (refill_samples)
				printf("  heap.%s.%s: CmaFree %lld KiB on average between allocations\n",
				       cond, h, refill_cma_free_kb / refill_samples);
		}
		if (load)
			unfill_memory();
	}
	for (k = 0; k < 3; k++) {
		free(t[k]);
		free(rel[k]);
		free(cyc[k]);
	}
	close(pmm_heap);
}

/* ---- 4. mapping cost ---- */

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* mmap fd (or anonymous memory with MAP_POPULATE if fd < 0), touch every page. */
static double map_touch(int fd, unsigned long long len, long *faults)
{
	volatile unsigned char *p;
	unsigned long long off;
	long f0 = minflt();
	double t0 = now_us(), t;

	if (fd >= 0)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	else
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %llu: %s", len, strerror(errno));
	for (off = 0; off < len; off += PAGE)
		p[off] = (unsigned char)off;
	t = now_us() - t0;
	*faults = minflt() - f0;
	munmap((void *)p, len);
	return t;
}

/* The kernel's page tables of this process, in KiB (VmPTE). */
static long long vm_pte_kib(void)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		die("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %lld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * What reading a frame out of a buffer costs through a fresh mapping:
 * mmap, memcpy of all of it into pre-faulted memory, munmap; each timed.
 * *pte gets the page-table KiB the mapping added.
 */
static void map_copy(int fd, void *dst, unsigned long long len, double *t_map,
		     double *t_copy, double *t_unmap, long long *pte)
{
	long long pte0 = vm_pte_kib();
	double t0 = now_us(), t1, t2, t3;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap %llu: %s", len, strerror(errno));
	t1 = now_us();
	memcpy(dst, p, len);
	t2 = now_us();
	/* Reading /proc takes time of its own: between, not inside, the timings. */
	*pte = vm_pte_kib() - pte0;
	t3 = now_us();
	munmap(p, len);
	*t_unmap = now_us() - t3;
	*t_map = t1 - t0;
	*t_copy = t2 - t1;
}

/* memcpy of @len bytes between two pre-faulted malloc'd buffers. */
static double malloc_copy(void *dst, const void *src, unsigned long long len)
{
	double t0 = now_us();

	memcpy(dst, src, len);
	return now_us() - t0;
}

/*
 * mmap + copy + munmap of a whole buffer, against a copy out of malloc
 * memory of the same size, sampled interleaved: the goal is that the
 * mapping costs little beside the copy it serves.
 */
static void bench_map_copy(void)
{
	int n = reps < 20 ? reps : 20, r, p, fd;
	double *tm = calloc(n, sizeof(*tm)), *tc = calloc(n, sizeof(*tc));
	double *tu = calloc(n, sizeof(*tu)), *tb = calloc(n, sizeof(*tb));
	double *cyc = calloc(n, sizeof(*cyc)), *mp = calloc(n, sizeof(*mp));
	const char *pools[] = { carveout, contig };
	unsigned char *src = malloc(map_size), *dst = malloc(map_size);
	char name[96], h[24], title[128];
	long long pte = 0;
	double base;

	if (!tm || !tc || !tu || !tb || !cyc || !mp || !src || !dst)
		die("out of memory");
	memset(src, 1, map_size);
	memset(dst, 2, map_size);
	human(map_size, h, sizeof(h));
	snprintf(title, sizeof(title),
		 "mmap + memcpy out of all of it + munmap of %s, against memcpy out of malloc memory (us)", h);
	table_header(title);
	for (p = 0; p < 2; p++) {
		if (map_size > pool_attr(pools[p], "size"))
			continue;
		fd = bench_buffer_open(pools[p], map_size);
		for (r = 0; r < n; r++) {
			tb[r] = malloc_copy(dst, src, map_size);
			map_copy(fd, dst, map_size, &tm[r], &tc[r], &tu[r], &pte);
			cyc[r] = tm[r] + tc[r] + tu[r];
			mp[r] = tm[r] + tu[r];
		}
		close(fd);
		pmm_remove("bench");
		base = pct(tb, n, 50);
		snprintf(name, sizeof(name), "copy.malloc.%s", h);
		report(name, "us", base, pct(tb, n, 99), n, NULL, 0, NULL);
		snprintf(name, sizeof(name), "copy.pmm-%s.mmap.%s", pools[p], h);
		report(name, "us", pct(tm, n, 50), pct(tm, n, 99), n, NULL, 0, NULL);
		snprintf(name, sizeof(name), "copy.pmm-%s.copy.%s", pools[p], h);
		report(name, "us", pct(tc, n, 50), pct(tc, n, 99), n, "memcpy malloc",
		       base, NULL);
		snprintf(name, sizeof(name), "copy.pmm-%s.munmap.%s", pools[p], h);
		report(name, "us", pct(tu, n, 50), pct(tu, n, 99), n, NULL, 0, NULL);
		snprintf(name, sizeof(name), "copy.pmm-%s.cycle.%s", pools[p], h);
		report(name, "us", pct(cyc, n, 50), pct(cyc, n, 99), n, "memcpy malloc",
		       base, "<= 1.1");
		snprintf(name, sizeof(name), "copy.pmm-%s.mapping.%s", pools[p], h);
		report(name, "us", pct(mp, n, 50), pct(mp, n, 99), n, "its memcpy",
		       pct(tc, n, 50), "<= 0.1");
		snprintf(name, sizeof(name), "copy.pmm-%s.pte_kib_per_mib", pools[p]);
		report(name, "KiB", (double)pte * MiB / map_size,
		       (double)pte * MiB / map_size, 1, NULL, 0, NULL);
	}
	free(tm);
	free(tc);
	free(tu);
	free(tb);
	free(cyc);
	free(mp);
	free(src);
	free(dst);
}

static void bench_map(void)
{
	int n = reps < 20 ? reps : 20, r, fd;
	double *t = calloc(n, sizeof(*t)), *fl = calloc(n, sizeof(*fl));
	double heap_p50 = 0;
	char name[96], h[24], title[96];
	long faults;

	human(map_size, h, sizeof(h));
	snprintf(title, sizeof(title), "mmap + touch every page of %s (us; faults below)", h);
	table_header(title);

	if (heap_fd >= 0) {
		fd = heap_alloc(heap_fd, map_size);
		if (fd < 0)
			die("CMA heap: %llu bytes: %s", map_size, strerror(-fd));
		for (r = 0; r < n; r++) {
			t[r] = map_touch(fd, map_size, &faults);
			fl[r] = faults;
		}
		close(fd);
		snprintf(name, sizeof(name), "map.cma-heap.%s", h);
		heap_p50 = pct(t, n, 50);
		report(name, "us", heap_p50, pct(t, n, 99), n, NULL, 0, NULL);
		snprintf(name, sizeof(name), "map.cma-heap.%s.faults", h);
		report(name, "faults", pct(fl, n, 50), pct(fl, n, 99), n, NULL, 0, NULL);
	}

	for (r = 0; r < n; r++) {
		t[r] = map_touch(-1, map_size, &faults);
		fl[r] = faults;
	}
	snprintf(name, sizeof(name), "map.anon-populate.%s", h);
	report(name, "us", pct(t, n, 50), pct(t, n, 99), n, NULL, 0, NULL);
	snprintf(name, sizeof(name), "map.anon-populate.%s.faults", h);
	report(name, "faults", pct(fl, n, 50), pct(fl, n, 99), n, NULL, 0, NULL);

	{
		const char *pools[] = { carveout, contig };
		int p;

		for (p = 0; p < 2; p++) {
			if (map_size > pool_attr(pools[p], "size"))
				continue;
			fd = bench_buffer_open(pools[p], map_size);
			for (r = 0; r < n; r++) {
				t[r] = map_touch(fd, map_size, &faults);
				fl[r] = faults;
			}
			close(fd);
			pmm_remove("bench");
			snprintf(name, sizeof(name), "map.pmm-%s.%s", pools[p], h);
			if (heap_fd >= 0)
				report(name, "us", pct(t, n, 50), pct(t, n, 99), n,
				       "cma-heap", heap_p50, "<= 0.5");
			else
				report(name, "us", pct(t, n, 50), pct(t, n, 99), n, NULL,
				       0, NULL);
			snprintf(name, sizeof(name), "map.pmm-%s.%s.faults", pools[p], h);
			report(name, "faults", pct(fl, n, 50), pct(fl, n, 99), n, NULL,
			       0, "<= 0");
		}
	}
	free(t);
	free(fl);
}

/* ---- 5. fragmentation: a video-pipeline churn trace, a media trace family ---- */

#define MAX_STREAMS 256
#define MAX_PER_STREAM 24
#define MAX_LIVE (MAX_STREAMS * MAX_PER_STREAM)

struct fbuf {
	struct place_req r;
	int fd;			/* CMA heap: the dma-buf */
	unsigned int id;	/* PMM: buffers/fNNN */
};

struct stream {
	bool live;
	int n;
	struct fbuf b[MAX_PER_STREAM];
	/* media trace: resolution, frames and their alignment */
	unsigned int res, frames;
	unsigned long long frame_align;
};

struct backend {
	const char *name;
	/* 0 or an errno (ENOMEM/ENOSPC: the pool is exhausted). */
	int (*alloc)(struct fbuf *b);
	void (*release)(struct fbuf *b);
	unsigned long long capacity;
};

/*
 * The range a trace runs in: all of the contig pool, or its top part
 * when a ballast buffer takes the rest (a smaller pool).  The repacking
 * reference places into the same physical range, alignment and
 * boundaries included.
 */
static unsigned long long frag_start, frag_end;

/* What is allocated now, in any backend: what repacking would place. */
static const struct place_req *frag_live[MAX_LIVE];
static size_t frag_nlive;

static unsigned int frag_id;

static int frag_pmm_alloc(struct fbuf *b)
{
	char name[32], v[32];
	int err;

	b->id = frag_id++;
	snprintf(name, sizeof(name), "f%u", b->id);
	err = pmm_declare(name, b->r.size, b->r.align, contig);
	if (!err && b->r.boundary) {
		snprintf(v, sizeof(v), "%llu", b->r.boundary);
		err = putf(v, "%s/boundary", name);
	}
	if (!err)
		pmm_enable(name, &err);
	if (err)
		rmdir(name);
	return err;
}

static void frag_pmm_release(struct fbuf *b)
{
	char name[32];

	snprintf(name, sizeof(name), "f%u", b->id);
	pmm_remove(name);
}

static int frag_heap_alloc(struct fbuf *b)
{
	int fd = heap_alloc(heap_fd, b->r.size);

	if (fd < 0)
		return -fd;
	b->fd = fd;
	return 0;
}

static void frag_heap_release(struct fbuf *b)
{
	close(b->fd);
}

/*
 * The references.  ideal: an allocator that could always compact, which
 * fails only when the free bytes are fewer than the request's footprint.
 * repack: one that could place its whole live set afresh (place.c), the
 * alignments, boundaries and physical range of the real pool included.
 */
static unsigned long long ideal_used, ideal_capacity;

static unsigned long long footprint(const struct fbuf *b);

static int frag_ideal_alloc(struct fbuf *b)
{
	if (ideal_used + footprint(b) > ideal_capacity)
		return ENOSPC;
	ideal_used += footprint(b);
	return 0;
}

static void frag_ideal_release(struct fbuf *b)
{
	ideal_used -= footprint(b);
}

/* Whether the live set and @b could be placed afresh. */
static bool frag_repackable(const struct fbuf *b)
{
	frag_live[frag_nlive] = &b->r;
	return place_repack(frag_start, frag_end, frag_live, frag_nlive + 1);
}

static int frag_repack_alloc(struct fbuf *b)
{
	return frag_repackable(b) ? 0 : ENOSPC;
}

static void frag_repack_release(struct fbuf *b)
{
	(void)b;
}

/*
 * What a buffer occupies at the least: its size rounded up to its
 * alignment.  The rest of an aligned slot can only hold smaller buffers
 * (a 720p NV12 frame, 1.32 MiB aligned to 1 MiB, leaves 0.68 MiB before
 * the next such frame): padding the request forces on any allocator.
 */
static unsigned long long footprint(const struct fbuf *b)
{
	unsigned long long a = b->r.align > PAGE ? b->r.align : PAGE;

	return (b->r.size + a - 1) / a * a;
}

struct frag_outcome {
	unsigned long long step, used, footprint, failed_size, allocs;
	unsigned long long free, largest_free;	/* PMM, at the failure */
	bool failed;
	bool repackable;	/* the failed request fitted with the live set repacked */
};

/* Allocate @b through @be into @o; false once the pool is exhausted. */
static bool frag_alloc(const struct backend *be, struct fbuf *b,
		       struct frag_outcome *o)
{
	int err = be->alloc(b);

	if (err == ENOMEM || err == ENOSPC) {
		o->failed = true;
		o->failed_size = b->r.size;
		o->repackable = frag_repackable(b);
		if (be->alloc == frag_pmm_alloc) {
			o->free = pool_attr(contig, "free");
			o->largest_free = pool_attr(contig, "largest_free");
		}
		return false;
	}
	if (err)
		die("%s: allocation: %s", be->name, strerror(err));
	if (frag_nlive == MAX_LIVE - 1)
		die("%s: more than %d buffers live", be->name, MAX_LIVE - 1);
	frag_live[frag_nlive++] = &b->r;
	o->used += b->r.size;
	o->footprint += footprint(b);
	o->allocs++;
	return true;
}

static void frag_release(const struct backend *be, struct fbuf *b,
			 struct frag_outcome *o)
{
	size_t i;

	be->release(b);
	for (i = 0; i < frag_nlive; i++)
		if (frag_live[i] == &b->r) {
			frag_live[i] = frag_live[--frag_nlive];
			break;
		}
	o->used -= b->r.size;
	o->footprint -= footprint(b);
}

static void frag_release_stream(const struct backend *be, struct stream *s,
				int from, struct frag_outcome *o)
{
	int j;

	for (j = from; j < s->n; j++)
		frag_release(be, &s->b[j], o);
	s->n = from;
}

/*
 * The churn trace: streams of a video pipeline, a decoder (NV12 frames
 * 1 MiB-aligned, a bitstream buffer, small metadata buffers) or a
 * scaler/display stage (XRGB frames), at 720p, 1080p or 4K.
 */
static void make_stream(struct stream *s)
{
	static const unsigned int res[][2] = { { 1280, 720 }, { 1920, 1088 }, { 3840, 2160 } };
	unsigned int r = rnd_below(100), w, h, i, frames;

	r = r < 40 ? 0 : r < 85 ? 1 : 2;
	w = res[r][0];
	h = res[r][1];
	s->n = 0;
	if (rnd_below(3)) {
		/* decoder */
		frames = 4 + rnd_below(5);
		for (i = 0; i < frames; i++)
			s->b[s->n++] = (struct fbuf){ .r = { page_up(w * h * 3 / 2), MiB } };
		s->b[s->n++] = (struct fbuf){ .r = { (1 + rnd_below(2)) * MiB, MiB } };
		for (i = 2 + rnd_below(5); i; i--)
			s->b[s->n++] = (struct fbuf){ .r = { page_up((1 + rnd_below(16)) * 4 * KiB), 0 } };
	} else {
		/* scaler or display */
		frames = 2 + rnd_below(2);
		for (i = 0; i < frames; i++)
			s->b[s->n++] = (struct fbuf){ .r = { page_up(w * h * 4), 64 * KiB } };
	}
}

static struct stream frag_streams[MAX_STREAMS];

/* Open a stream made by @make in a free slot; false on exhaustion. */
static bool frag_open(const struct backend *be, void (*make)(struct stream *),
		      int *nlive, struct frag_outcome *o)
{
	struct stream *s;
	int i, n;

	for (i = 0; frag_streams[i].live; i++)
		;
	s = &frag_streams[i];
	make(s);
	n = s->n;
	s->live = true;
	(*nlive)++;
	for (s->n = 0; s->n < n; s->n++)
		if (!frag_alloc(be, &s->b[s->n], o))
			return false;
	return true;
}

/* A live stream at random. */
static struct stream *frag_pick(int nlive)
{
	int k = rnd_below(nlive), i;

	for (i = 0; !frag_streams[i].live || k--; i++)
		;
	return &frag_streams[i];
}

static void frag_close(const struct backend *be, struct stream *s, int *nlive,
		       struct frag_outcome *o)
{
	frag_release_stream(be, s, 0, o);
	s->live = false;
	(*nlive)--;
}

static void frag_reset(void)
{
	memset(frag_streams, 0, sizeof(frag_streams));
	frag_nlive = 0;
}

static void frag_cleanup(const struct backend *be, struct frag_outcome *o)
{
	int i;

	for (i = 0; i < MAX_STREAMS; i++)
		if (frag_streams[i].live)
			frag_release_stream(be, &frag_streams[i], 0, o);
}

/* Run the churn trace of seed s against a backend until the first failure. */
static struct frag_outcome frag_run(const struct backend *be, uint64_t s)
{
	struct frag_outcome o = { 0 }, end;
	int nlive = 0;

	frag_reset();
	rng_state = s;
	for (o.step = 0; o.step < frag_steps; o.step++) {
		/* A slight bias towards opening: the pool fills, with churn. */
		if (!nlive || (nlive < MAX_STREAMS && rnd_below(100) < 55)) {
			if (!frag_open(be, make_stream, &nlive, &o))
				break;
		} else {
			frag_close(be, frag_pick(nlive), &nlive, &o);
		}
	}
	end = o;
	frag_cleanup(be, &end);
	return o;
}

/*
 * The media trace family: decoder streams, each with a context buffer, a
 * bitstream buffer and a set of 4-8 NV12 frames (480p to 4K, all of a
 * stream's aligned to 64 KiB or to 1 MiB) with a small metadata buffer
 * per frame; resolution switches free a stream's frame set and allocate
 * another; three 1080p RGBA framebuffers that must not cross 16 MiB live
 * throughout.  Different from the churn trace in what strands memory:
 * sets of one size freed and replaced by sets of another.
 */
static const unsigned int media_res[][2] = {
	{ 854, 480 }, { 1280, 720 }, { 1920, 1088 }, { 2560, 1440 }, { 3840, 2160 },
};

static unsigned int media_pick_res(void)
{
	unsigned int r = rnd_below(100);

	return r < 20 ? 0 : r < 50 ? 1 : r < 80 ? 2 : r < 90 ? 3 : 4;
}

/* The frame set and metadata of @s, from index @from of its buffers. */
static void media_frames(struct stream *s, int from)
{
	unsigned long long size = page_up((unsigned long long)media_res[s->res][0] *
					  media_res[s->res][1] * 3 / 2);
	unsigned int i;

	s->n = from;
	for (i = 0; i < s->frames; i++) {
		s->b[s->n++] = (struct fbuf){ .r = { size, s->frame_align } };
		s->b[s->n++] = (struct fbuf){ .r = { (1 + rnd_below(4)) * 4 * KiB, 0 } };
	}
}

static void make_media_stream(struct stream *s)
{
	s->res = media_pick_res();
	s->frames = 4 + rnd_below(5);
	s->frame_align = rnd_below(2) ? MiB : 64 * KiB;
	s->b[0] = (struct fbuf){ .r = { page_up((64 + rnd_below(448)) * KiB), 0 } };
	s->b[1] = (struct fbuf){ .r = { (s->res >= 3 ? 4 : s->res == 2 ? 2 : 1) * MiB, 64 * KiB } };
	media_frames(s, 2);
}

#define MEDIA_STREAMS 16

static struct frag_outcome media_run(const struct backend *be, uint64_t s)
{
	struct fbuf fb[3];
	struct frag_outcome o = { 0 }, end;
	struct stream *st;
	int nlive = 0, nfb, n;
	unsigned int r;

	frag_reset();
	rng_state = s;
	for (nfb = 0; nfb < 3; nfb++) {
		fb[nfb] = (struct fbuf){ .r = { page_up(1920 * 1080 * 4), 64 * KiB, 16 * MiB } };
		if (!frag_alloc(be, &fb[nfb], &o))
			goto out;
	}
	for (o.step = 0; o.step < frag_steps; o.step++) {
		r = rnd_below(100);
		if (!nlive || (nlive < MEDIA_STREAMS && r < 40)) {
			if (!frag_open(be, make_media_stream, &nlive, &o))
				break;
		} else if (r < 70) {
			frag_close(be, frag_pick(nlive), &nlive, &o);
		} else {
			/* A resolution switch: a new frame set, other frames. */
			st = frag_pick(nlive);
			frag_release_stream(be, st, 2, &o);
			do
				r = media_pick_res();
			while (r == st->res);
			st->res = r;
			media_frames(st, 2);
			for (n = st->n, st->n = 2; st->n < n; st->n++)
				if (!frag_alloc(be, &st->b[st->n], &o))
					goto out;
		}
	}
out:
	/* The outcome is what was live at the failure. */
	end = o;
	frag_cleanup(be, &end);
	while (nfb--)
		frag_release(be, &fb[nfb], &end);
	return o;
}

typedef struct frag_outcome (*frag_trace)(const struct backend *be, uint64_t s);

/* The outcomes of one backend on every seed. */
struct frag_seeds {
	struct frag_outcome o[64];
};

static void frag_seeds_run(const struct backend *be, frag_trace trace,
			   struct frag_seeds *out)
{
	int i;

	for (i = 0; i < frag_seeds; i++) {
		out->o[i] = trace(be, seed + i);
		if (be->alloc == frag_pmm_alloc && pool_attr(contig, "used") != frag_ballast)
			die("%s: the trace left memory allocated", be->name);
	}
}

/*
 * Utilisation at the first failure, of the bytes requested and of their
 * aligned footprint, over the seeds: the mean in the p50 column, the
 * worst seed in the p99 one.
 */
static double frag_series(const char *what, const struct backend *be,
			  const struct frag_seeds *r, const char *goal,
			  double ideal)
{
	double raw[64], fp[64], sum_raw = 0, sum_fp = 0;
	unsigned long long failures = 0, steps = 0, allocs = 0;
	char name[96];
	int i;

	for (i = 0; i < frag_seeds; i++) {
		raw[i] = 100.0 * r->o[i].used / be->capacity;
		fp[i] = 100.0 * r->o[i].footprint / be->capacity;
		sum_raw += raw[i];
		sum_fp += fp[i];
		failures += r->o[i].failed;
		steps += r->o[i].step;
		allocs += r->o[i].allocs;
	}
	snprintf(name, sizeof(name), "frag.%s.footprint", what);
	report(name, "%", sum_fp / frag_seeds, pct(fp, frag_seeds, 0), frag_seeds,
	       ideal > 0 ? "ideal (compacting)" : NULL, ideal, goal);
	snprintf(name, sizeof(name), "frag.%s.requested", what);
	report(name, "%", sum_raw / frag_seeds, pct(raw, frag_seeds, 0), frag_seeds,
	       NULL, 0, NULL);
	printf("  %s: %llu of %d traces ended in a failed allocation; %llu steps, %llu allocations on average\n",
	       what, failures, frag_seeds, steps / frag_seeds, allocs / frag_seeds);
	return sum_fp / frag_seeds;
}

/*
 * A placement policy against repacking on the same seeds: bytes requested
 * at the first failure as a share of what the repacking allocator held at
 * its own (mean, worst seed), the seeds where repacking the live set would
 * have served the failed request, and the worst seed's utilisation
 * against first fit's (points).
 */
static void frag_against(const char *what, const struct frag_seeds *r,
			 const struct frag_seeds *repack,
			 const struct frag_seeds *first)
{
	double share[64], sum = 0, worst = 1e9, d, free_sum = 0, hole_sum = 0;
	int i, repackable = 0;
	char name[96];

	for (i = 0; i < frag_seeds; i++) {
		share[i] = repack->o[i].used ? 100.0 * r->o[i].used / repack->o[i].used : 0;
		sum += share[i];
		repackable += r->o[i].repackable;
		free_sum += r->o[i].free;
		hole_sum += r->o[i].largest_free;
		if (first) {
			d = 100.0 * ((double)r->o[i].used - first->o[i].used) /
			    (frag_end - frag_start);
			worst = d < worst ? d : worst;
		}
	}
	snprintf(name, sizeof(name), "frag.%s.of_repack", what);
	report(name, "%", sum / frag_seeds, pct(share, frag_seeds, 0), frag_seeds,
	       NULL, 0, ">= 98%");
	snprintf(name, sizeof(name), "frag.%s.repackable", what);
	report(name, "%", 100.0 * repackable / frag_seeds,
	       100.0 * repackable / frag_seeds, frag_seeds, NULL, 0, "<= 12.5%");
	if (first) {
		snprintf(name, sizeof(name), "frag.%s.vs_first", what);
		report(name, "points", worst, worst, frag_seeds, NULL, 0, ">= -1");
	}
	printf("  %s: at the failure %.1f MiB free on average, the largest hole %.1f MiB; repacking would have served %d of %d\n",
	       what, free_sum / frag_seeds / MiB, hole_sum / frag_seeds / MiB,
	       repackable, frag_seeds);
}

/* The placement policies of the module: every one fit= takes. */
static const char * const frag_policies[] = { "first", "best" };
#define NR_POLICIES (sizeof(frag_policies) / sizeof(frag_policies[0]))

/*
 * Run @trace on PMM's contig pool under each policy and on the repacking
 * reference, and report each policy against both.  Returns the policies'
 * results in @res (NULL where the module lacks one).
 */
static void frag_policies_run(const char *family, frag_trace trace,
			      struct frag_seeds *repack,
			      struct frag_seeds *res[NR_POLICIES])
{
	struct backend pmm = { "pmm", frag_pmm_alloc, frag_pmm_release,
			       frag_end - frag_start };
	char what[64];
	unsigned int i;

	for (i = 0; i < NR_POLICIES; i++) {
		int err = put(fit_param, frag_policies[i]);

		res[i] = NULL;
		if (err == EINVAL) {
			printf("  pmm: no '%s' policy in this module\n", frag_policies[i]);
			continue;
		}
		if (err)
			die("%s: %s: %s", fit_param, frag_policies[i], strerror(err));
		res[i] = calloc(1, sizeof(*res[i]));
		if (!res[i])
			die("out of memory");
		frag_seeds_run(&pmm, trace, res[i]);
	}
	for (i = 0; i < NR_POLICIES; i++) {
		if (!res[i])
			continue;
		snprintf(what, sizeof(what), "%s.pmm-%s-fit", family, frag_policies[i]);
		frag_against(what, res[i], repack, i ? res[0] : NULL);
	}
}

/* The contig pool's top @size bytes: a ballast buffer holds the rest. */
static void frag_region(unsigned long long size)
{
	unsigned long long pool = pool_attr(contig, "size");
	char v[32];
	int err;

	frag_ballast = pool - size;
	if (frag_ballast) {
		err = pmm_declare("fballast", frag_ballast, 0, contig);
		if (!err)
			pmm_enable("fballast", &err);
		if (err)
			die("fballast: %s", strerror(err));
		get_line("fballast/phys_addr", v, sizeof(v));
		frag_start = strtoull(v, NULL, 0) + frag_ballast;
	} else {
		frag_start = pool_attr(contig, "base");
	}
	frag_end = frag_start + size;
}

static void frag_region_end(void)
{
	if (frag_ballast)
		pmm_remove("fballast");
	frag_ballast = 0;
}

static void frag_free_results(struct frag_seeds *res[NR_POLICIES])
{
	unsigned int i;

	for (i = 0; i < NR_POLICIES; i++)
		free(res[i]);
}

static void bench_frag(void)
{
	static struct frag_seeds ideal_r, repack_r, cma_r;
	struct frag_seeds *res[NR_POLICIES];
	struct backend ideal = { "ideal", frag_ideal_alloc, frag_ideal_release,
				 pool_attr(contig, "size") };
	struct backend repack = { "repack", frag_repack_alloc, frag_repack_release,
				  pool_attr(contig, "size") };
	char title[200], what[64], dflt[16] = "";
	double ideal_fp, ideal_cma;
	unsigned int i;
	int p;

	/* Absent from modules without the parameter: nothing to restore. */
	get_line(fit_param, dflt, sizeof(dflt));
	if (pool_attr(contig, "used"))
		die("pool '%s' is not empty", contig);

	snprintf(title, sizeof(title),
		 "fragmentation: video churn trace, seeds %" PRIu64 "..%" PRIu64
		 ", until the first failure (%%; p50 = mean, p99 = worst seed)",
		 seed, seed + frag_seeds - 1);
	table_header(title);
	frag_region(pool_attr(contig, "size"));
	ideal_capacity = ideal.capacity;
	frag_seeds_run(&ideal, frag_run, &ideal_r);
	ideal_fp = frag_series("ideal", &ideal, &ideal_r, NULL, 0);
	frag_seeds_run(&repack, frag_run, &repack_r);
	frag_series("repack", &repack, &repack_r, NULL, 0);
	frag_policies_run("churn", frag_run, &repack_r, res);
	for (i = 0; i < NR_POLICIES; i++) {
		if (!res[i])
			continue;
		snprintf(what, sizeof(what), "pmm-%s-fit", frag_policies[i]);
		frag_series(what, &ideal, res[i], ">= 95%", ideal_fp);
	}
	frag_free_results(res);
	frag_region_end();

	for (p = 0; p < nr_frag_pools; p++) {
		unsigned long long size = frag_pools[p];
		char sz[16];

		if (size > pool_attr(contig, "size")) {
			printf("  media trace: no %llu MiB in pool '%s'\n", size / MiB, contig);
			continue;
		}
		human(size, sz, sizeof(sz));
		snprintf(title, sizeof(title),
			 "fragmentation: media trace, %s pool, seeds %" PRIu64 "..%" PRIu64
			 ", until the first failure, against repacking (%%; p50 = mean, p99 = worst seed)",
			 sz, seed, seed + frag_seeds - 1);
		table_header(title);
		frag_region(size);
		repack.capacity = size;
		frag_seeds_run(&repack, media_run, &repack_r);
		snprintf(what, sizeof(what), "media.%s.repack", sz);
		frag_series(what, &repack, &repack_r, NULL, 0);
		snprintf(what, sizeof(what), "media.%s", sz);
		frag_policies_run(what, media_run, &repack_r, res);
		frag_free_results(res);
		frag_region_end();
	}
	if (dflt[0])
		put(fit_param, dflt);

	if (heap_fd >= 0) {
		struct backend cma = { "cma-heap", frag_heap_alloc, frag_heap_release,
				       meminfo("CmaTotal") * KiB };

		table_header("fragmentation: the churn trace on the CMA heap");
		ideal.capacity = ideal_capacity = cma.capacity;
		frag_seeds_run(&ideal, frag_run, &ideal_r);
		ideal_cma = frag_series("ideal-cma-size", &ideal, &ideal_r, NULL, 0);
		frag_seeds_run(&cma, frag_run, &cma_r);
		frag_series("cma-heap", &cma, &cma_r, NULL, ideal_cma);
	}
}

/* ---- 6. scale ---- */

#define MAX_CACHES 512

struct slab_snap {
	int n;
	char name[MAX_CACHES][40];
	long long bytes[MAX_CACHES];	/* active objects x object size */
};

/* /proc/slabinfo, where the kernel has it (SLUB_DEBUG); 0 if not. */
static int slab_snapshot(struct slab_snap *ss)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];
	long long active, total, size;

	ss->n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && ss->n < MAX_CACHES)
		if (line[0] != '#' &&
		    sscanf(line, "%39s %lld %lld %lld", ss->name[ss->n], &active,
			   &total, &size) == 4)
			ss->bytes[ss->n++] = active * size;
	fclose(f);
	return ss->n;
}

/* Print the slab caches that grew most between a and b, per buffer. */
static void slab_breakdown(const struct slab_snap *a, const struct slab_snap *b,
			   int nbuf)
{
	long long delta[MAX_CACHES], sum = 0;
	int i, j, shown;

	for (i = 0; i < b->n; i++) {
		delta[i] = b->bytes[i];
		for (j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], b->name[i])) {
				delta[i] -= a->bytes[j];
				break;
			}
		if (delta[i] > 0)
			sum += delta[i];
	}
	printf("  slab objects per buffer at %d buffers: %lld bytes; largest:", nbuf,
	       sum / nbuf);
	for (shown = 0; shown < 10; shown++) {
		long long best = 0;
		int k = -1;

		for (i = 0; i < b->n; i++)
			if (delta[i] > best) {
				best = delta[i];
				k = i;
			}
		if (k < 0 || best / nbuf < 8)
			break;
		printf(" %s %lld", b->name[k], best / nbuf);
		delta[k] = 0;
	}
	printf("\n");
}


static int scale_probe = 64, scale_rounds = 4;

/* Declare and enable buffers PREFIX<from> .. PREFIX<to - 1>; latencies into t. */
static void scale_create(const char *prefix, int from, int to, double *t)
{
	char name[32];
	double lat;
	int i, err;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		err = pmm_declare(name, PAGE, 0, contig);
		if (err)
			die("declare %s: %s", name, strerror(err));
		lat = pmm_enable(name, &err);
		if (err)
			die("enable %s: %s", name, strerror(err));
		if (t)
			t[i - from] = lat;
	}
}

static void scale_remove(const char *prefix, int from, int to)
{
	char name[32];
	int i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		pmm_remove(name);
	}
}

/*
 * With N buffers enabled, the cost of enabling one more (scale_rounds
 * rounds of scale_probe probe buffers, removed again after each round) and
 * of the first open of a node.  Kernel memory per buffer: slab and free
 * memory before and after the N buffers were created.
 */
static void bench_scale(void)
{
	static struct slab_snap snap0, snap1;
	/* Enable probes per level; the first level's twice over. */
	double *te[8], *o = calloc(scale_probe * scale_rounds, sizeof(*o));
	double base_enable = 0, base_open = 0;
	long long slab0, free0;
	char name[96], title[128], *opened;
	int c, r, no, have = 0, prev = 0;

	snprintf(title, sizeof(title),
		 "scale: with N buffers of 4 KiB enabled (pool '%s'): enabling %d more, %d times; first opens",
		 contig, scale_probe, scale_rounds);
	table_header(title);
	for (c = 0; c < nr_scale; c++)
		te[c] = calloc(2 * scale_probe * scale_rounds, sizeof(double));
	opened = calloc(scale_counts[nr_scale - 1] + 1, 1);
	rng_state = seed;
	sync();
	put("/proc/sys/vm/drop_caches", "3");
	slab_snapshot(&snap0);
	slab0 = meminfo("Slab");
	free0 = meminfo("MemFree");
	for (c = 0; c < nr_scale; c++) {
		int n = scale_counts[c];

		if (n > have) {
			scale_create("s", have, n, NULL);
			have = n;
		}
		/* Before any open: struct files are freed late (RCU). */
		if (slab_snapshot(&snap1))
			slab_breakdown(&snap0, &snap1, n);
		snprintf(name, sizeof(name), "scale.slab_per_buffer.%d", n);
		report(name, "bytes", (meminfo("Slab") - slab0) * 1024.0 / n,
		       (meminfo("Slab") - slab0) * 1024.0 / n, n, NULL, 0, "<= 2048");
		snprintf(name, sizeof(name), "scale.kmem_per_buffer.%d", n);
		report(name, "bytes", (free0 - meminfo("MemFree")) * 1024.0 / n,
		       (free0 - meminfo("MemFree")) * 1024.0 / n, n, NULL, 0, NULL);

		for (r = 0; r < scale_rounds; r++) {
			scale_create("p", 0, scale_probe, te[c] + r * scale_probe);
			scale_remove("p", 0, scale_probe);
		}
		/*
		 * First opens of nodes created for this level, picked at random:
		 * only a node's first open looks the device number up.
		 */
		for (no = 0; no < scale_probe * scale_rounds && no < n - prev; no++) {
			char dev[64];
			double t0;
			int fd, k;

			do
				k = prev + rnd_below(n - prev);
			while (opened[k]);
			opened[k] = 1;
			snprintf(dev, sizeof(dev), "/dev/pmm/s%d", k);
			t0 = now_us();
			fd = open(dev, O_RDWR | O_CLOEXEC);
			o[no] = now_us() - t0;
			if (fd < 0)
				die("%s: %s", dev, strerror(errno));
			close(fd);
		}
		prev = n;
		snprintf(name, sizeof(name), "scale.open.%d", n);
		if (!c) {
			base_open = pct(o, no, 50);
			report(name, "us", base_open, pct(o, no, 99), no, NULL, 0, NULL);
		} else {
			char peer[32];

			snprintf(peer, sizeof(peer), "open at %d", scale_counts[0]);
			report(name, "us", pct(o, no, 50), pct(o, no, 99), no, peer,
			       base_open, NULL);
		}
	}
	/*
	 * The first level once more at the end, pooled with its first
	 * measurement: the host's speed may have drifted in between.
	 */
	scale_remove("s", scale_counts[0], have);
	for (r = 0; r < scale_rounds; r++) {
		scale_create("p", 0, scale_probe, te[0] + (scale_rounds + r) * scale_probe);
		scale_remove("p", 0, scale_probe);
	}
	base_enable = pct(te[0], 2 * scale_probe * scale_rounds, 50);
	for (c = 0; c < nr_scale; c++) {
		int ns = (c ? 1 : 2) * scale_probe * scale_rounds;
		char peer[32];

		snprintf(name, sizeof(name), "scale.enable.%d", scale_counts[c]);
		snprintf(peer, sizeof(peer), "enable at %d", scale_counts[0]);
		report(name, "us", pct(te[c], ns, 50), pct(te[c], ns, 99), ns,
		       c ? peer : NULL, base_enable,
		       c && c == nr_scale - 1 ? "<= 1.5" : NULL);
	}
	scale_remove("s", 0, scale_counts[0]);
	free(opened);
	for (c = 0; c < nr_scale; c++)
		free(te[c]);
	free(o);
}

/* ---- main ---- */

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'K': case 'k': v *= KiB; end++; break;
	case 'M': case 'm': v *= MiB; end++; break;
	case 'G': case 'g': v *= 1024 * MiB; end++; break;
	}
	if (*end || !v)
		die("bad size '%s'", s);
	return v;
}

/* Parse a comma-separated LIST of sizes into V (MAX_SIZES long), *N of them. */
static void parse_sizes(char *list, unsigned long long *v, int *n)
{
	char *tok;

	*n = 0;
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (*n == MAX_SIZES)
			die("at most %d sizes", MAX_SIZES);
		v[(*n)++] = page_up(parse_size(tok));
	}
}

static void parse_counts(char *list)
{
	char *tok;

	nr_scale = 0;
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (nr_scale == 8)
			die("at most 8 counts");
		scale_counts[nr_scale] = atoi(tok);
		if (scale_counts[nr_scale] <= 0 ||
		    (nr_scale && scale_counts[nr_scale] <= scale_counts[nr_scale - 1]))
			die("bad count '%s' (counts go up)", tok);
		nr_scale++;
	}
}

/* ---- 7. PMM_IOC_SYNC: the requested range, not the whole buffer ---- */

static double sync_once(int fd, unsigned long long off, unsigned long long len,
			unsigned int flags)
{
	struct pmm_sync arg = { .offset = off, .length = len, .flags = flags };
	double t0 = now_us();

	if (ioctl(fd, PMM_IOC_SYNC, &arg))
		die("PMM_IOC_SYNC of %llu bytes at %llu: %s", len, off, strerror(errno));
	return now_us() - t0;
}

/*
 * The ioctl's own cost, for reference: a SYNC PMM refuses (length 0)
 * before it does any maintenance.  Under emulation it is most of what a
 * 64 KiB range costs.
 */
static double sync_floor_once(int fd)
{
	struct pmm_sync arg = { .length = 0, .flags = PMM_SYNC_READ };
	double t0 = now_us();

	if (!ioctl(fd, PMM_IOC_SYNC, &arg) || errno != EINVAL)
		die("PMM_IOC_SYNC of 0 bytes was not refused with EINVAL");
	return now_us() - t0;
}

static void bench_sync(void)
{
	static const struct {
		const char *name;
		unsigned int flags;
	} ops[] = {
		{ "begin-read", PMM_SYNC_READ },
		{ "end-write", PMM_SYNC_WRITE | PMM_SYNC_END },
	};
	const unsigned long long range = 64 * KiB;
	double *tr = calloc(reps, sizeof(*tr)), *ta = calloc(reps, sizeof(*ta));
	double *tf = calloc(reps, sizeof(*tf));
	char name[96], peer[96], h[24], title[160];
	bool coherent;
	unsigned int o;
	int fd, r;

	if (sync_size > pool_attr(contig, "size"))
		die("sync: %llu bytes do not fit pool '%s'", sync_size, contig);
	fd = bench_buffer_open(contig, sync_size);
	/* A coherent device needs no maintenance: no goal to meet. */
	coherent = pool_attr(contig, "coherent");
	human(sync_size, h, sizeof(h));
	snprintf(title, sizeof(title),
		 "PMM_IOC_SYNC of a cached %s buffer (%s, %s DMA): 64K against all of it (us)",
		 h, contig, coherent ? "coherent" : "non-coherent");
	table_header(title);
	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (r = 0; r < reps; r++) {
			tf[r] = sync_floor_once(fd);
			tr[r] = sync_once(fd, sync_size / 2, range, ops[o].flags);
			ta[r] = sync_once(fd, 0, sync_size, ops[o].flags);
		}
		snprintf(name, sizeof(name), "sync.%s.refused", ops[o].name);
		report(name, "us", pct(tf, reps, 50), pct(tf, reps, 99), reps, NULL, 0, NULL);
		snprintf(peer, sizeof(peer), "sync.%s.%s", ops[o].name, h);
		report(peer, "us", pct(ta, reps, 50), pct(ta, reps, 99), reps, NULL, 0, NULL);
		snprintf(name, sizeof(name), "sync.%s.64K", ops[o].name);
		report(name, "us", pct(tr, reps, 50), pct(tr, reps, 99), reps, peer,
		       pct(ta, reps, 50), coherent ? NULL : "<= 0.01");
	}
	close(fd);
	pmm_remove("bench");
	free(tr);
	free(ta);
	free(tf);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-bench [options]\n"
		"  -q, --quick           tiny sizes and counts (the smoke run of make check):\n"
		"                        -S 64K,1M -H 64K,1M -r 5 -m 1M -n 4,16 -t 200 -N 2\n"
		"                        -F 128M -P 24M,32M, 8 probe buffers once for scale\n"
		"  -o, --only LIST       some of enable,cma,heap,map,frag,scale,sync (default: all)\n"
		"  -r, --reps N          repetitions per latency figure (default 50)\n"
		"  -S, --sizes LIST      sizes for enable/cma (default 64K,256K,1M,4M,8M,16M,64M)\n"
		"  -H, --heap-sizes LIST sizes for heap (default 64K,1M,8M,32M)\n"
		"  -m, --map-size SIZE   mapping benchmark size (default 64M)\n"
		"  -y, --sync-size SIZE  cached buffer the sync benchmark syncs 64K of (default 32M)\n"
		"  -n, --counts LIST     buffer counts for scale (default 64,512,4096)\n"
		"  -t, --frag-steps N    longest churn trace (default 100000)\n"
		"  -F, --fill-max SIZE   fill at most SIZE of memory for the loaded CMA figures\n"
		"                        (default: until the CMA area is occupied)\n"
		"  -s, --seed N          first churn trace seed (default 1)\n"
		"  -N, --seeds N         traces, seeds N.. (default 10, at most 64)\n"
		"  -P, --frag-pools LIST pool sizes of the media trace family (default\n"
		"                        128M,256M,512M; the top of the contig pool)\n"
		"  -C, --configfs DIR    PMM's configfs root (default /sys/kernel/config/pmm)\n"
		"      --carveout POOL   carveout pool (default carve)\n"
		"      --contig POOL     contig pool (default contig)\n"
		"      --heap PATH       CMA dma-heap (default /dev/dma_heap/reserved)\n"
		"  -j, --json FILE       also write the JSON lines to FILE\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "reps", required_argument, NULL, 'r' },
		{ "sizes", required_argument, NULL, 'S' },
		{ "heap-sizes", required_argument, NULL, 'H' },
		{ "map-size", required_argument, NULL, 'm' },
		{ "sync-size", required_argument, NULL, 'y' },
		{ "counts", required_argument, NULL, 'n' },
		{ "frag-steps", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "fill-max", required_argument, NULL, 'F' },
		{ "seeds", required_argument, NULL, 'N' },
		{ "frag-pools", required_argument, NULL, 'P' },
		{ "configfs", required_argument, NULL, 'C' },
		{ "carveout", required_argument, NULL, 1 },
		{ "contig", required_argument, NULL, 2 },
		{ "heap", required_argument, NULL, 3 },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char default_sizes[] = "64K,256K,1M,4M,8M,16M,64M";
	char default_heap_sizes[] = "64K,1M,8M,32M";
	char default_frag_pools[] = "128M,256M,512M";
	const char *only = "enable,cma,heap,map,frag,scale,sync";
	struct utsname uts;
	char bufdir[512], zero_path[512];
	bool arch_x86;
	bool quick = false;
	int c;

	parse_sizes(default_sizes, sizes, &nr_sizes);
	parse_sizes(default_heap_sizes, heap_sizes, &nr_heap_sizes);
	parse_sizes(default_frag_pools, frag_pools, &nr_frag_pools);
	while ((c = getopt_long(argc, argv, "qo:r:S:H:m:y:n:t:s:N:P:F:C:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = true;
			break;
		case 'o':
			only = optarg;
			break;
		case 'r':
			reps = atoi(optarg);
			if (reps <= 0)
				die("bad repetition count '%s'", optarg);
			break;
		case 'S':
			parse_sizes(optarg, sizes, &nr_sizes);
			break;
		case 'H':
			parse_sizes(optarg, heap_sizes, &nr_heap_sizes);
			break;
		case 'm':
			map_size = page_up(parse_size(optarg));
			break;
		case 'y':
			sync_size = page_up(parse_size(optarg));
			if (sync_size < 128 * KiB)
				die("sync size '%s' is below 128K", optarg);
			break;
		case 'n':
			parse_counts(optarg);
			break;
		case 't':
			frag_steps = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'F':
			fill_max = parse_size(optarg);
			break;
		case 'P':
			parse_sizes(optarg, frag_pools, &nr_frag_pools);
			break;
		case 'N':
			frag_seeds = atoi(optarg);
			if (frag_seeds < 1 || frag_seeds > 64)
				die("bad seed count '%s'", optarg);
			break;
		case 'C':
			cfs = optarg;
			break;
		case 1:
			carveout = optarg;
			break;
		case 2:
			contig = optarg;
			break;
		case 3:
			heap_path = optarg;
			break;
		case 'j':
			json = fopen(optarg, "w");
			if (!json)
				die("%s: %s", optarg, strerror(errno));
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	quick_run = quick;
	if (quick) {
		char qs[] = "64K,1M", qh[] = "64K,1M", qc[] = "4,16", qp[] = "24M,32M";

		parse_sizes(qs, sizes, &nr_sizes);
		parse_sizes(qh, heap_sizes, &nr_heap_sizes);
		parse_sizes(qp, frag_pools, &nr_frag_pools);
		parse_counts(qc);
		reps = 5;
		map_size = MiB;
		sync_size = MiB;
		frag_steps = 200;
		frag_seeds = 2;
		fill_max = 128 * MiB;
		scale_probe = 8;
		scale_rounds = 1;
	}

	snprintf(bufdir, sizeof(bufdir), "%s/buffers", cfs);
	if (chdir(bufdir))
		die("%s: %s (is pmm loaded?)", bufdir, strerror(errno));
	heap_fd = open(heap_path, O_RDONLY | O_CLOEXEC);
	arch_x86 = !uname(&uts) && !strcmp(uts.machine, "x86_64");
	carveout_cache = pool_cache(carveout, arch_x86);
	contig_cache = pool_cache(contig, arch_x86);
	/* Each pool zeroes on free or on allocation (pools/NAME/zero). */
	snprintf(zero_path, sizeof(zero_path), "%s/pools/%s/zero", cfs, contig);
	if (get_line(zero_path, zero_policy, sizeof(zero_policy)) || !zero_policy[0])
		die("%s: cannot read", zero_path);
	printf("pmm-bench: seed %" PRIu64 ", %d repetitions, pools '%s' (%llu MiB) and '%s' (%llu MiB), zero=%s, CMA heap %s\n",
	       seed, reps, carveout, pool_attr(carveout, "size") / MiB, contig,
	       pool_attr(contig, "size") / MiB, zero_policy,
	       heap_fd >= 0 ? heap_path : "absent");

	if (strstr(only, "enable")) {
		bench_enable();
		bench_enable_modes();
	}
	if (strstr(only, "cma"))
		bench_cma();
	if (strstr(only, "heap"))
		bench_heap();
	if (strstr(only, "map")) {
		bench_map();
		bench_map_copy();
	}
	if (strstr(only, "frag"))
		bench_frag();
	if (strstr(only, "scale"))
		bench_scale();
	if (strstr(only, "sync"))
		bench_sync();

	printf("\n# one JSON object per measurement\n");
	print_json(stdout);
	if (json) {
		print_json(json);
		fclose(json);
	}
	return 0;
}
