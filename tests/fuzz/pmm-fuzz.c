// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-fuzz: random concurrent use of PMM from several processes.
 *
 * From a seed, N worker processes run for a given time, each doing random
 * operations on a small set of buffer names: mkdir/rmdir, attribute writes
 * (valid and invalid), enable/disable, open/close, mmap/munmap (random
 * offsets and lengths, valid and not), read/write, lock/unlock (shared,
 * exclusive, non-blocking), sync, dma-buf export (mapped and closed),
 * fork+exit while holding fds, mappings and locks, and the operations that
 * take page references: vmsplice of a mapping into a pipe held for a
 * while (past munmap, close and disable), and O_DIRECT reads and writes
 * between a mapping and a loop device (--loop); and allocations from the
 * pools' DMA-BUF heaps (/dev/dma_heap/pmm-POOL, valid and not), mapped,
 * checked and freed among the declared buffers of the same pools.
 *
 * Invariants checked as it goes:
 *  - data a worker wrote while it held a buffer's exclusive lock is what
 *    its mapping and read() return until it unlocks, also when a device
 *    wrote it (O_DIRECT read into the mapping) or read it (O_DIRECT write
 *    from the mapping, read back from the disk);
 *  - a buffer this worker has just enabled reads all zero;
 *  - a pipe vmspliced from a mapping reads what the mapping held then,
 *    never bytes of a later owner of that memory (writers leave a buffer
 *    alone while a pipe of it is held, so any change is a new owner's);
 *  - a heap allocation reads all zero, and keeps the bytes its owner wrote
 *    until it frees it, whatever the declared buffers of its pool do;
 *  - every call fails, if at all, with an errno its operation may return
 *    (with --faults, ENOMEM too);
 * and at the end: every buffer torn down, no /dev/pmm node of ours left,
 * every pool's used, held, buffers and heap_buffers back to 0 (held memory is given a few
 * seconds), and each kind of check made at least once (with --faults, the
 * zero and data checks): a run that checked nothing has proven nothing.
 *
 * With --faults, each worker runs its operations with fault injection on
 * for its own task (/proc/self/make-it-fail; the caller sets up failslab
 * and fail_page_alloc with task-filter): allocations in the kernel fail
 * now and then, and every error path must hold the same invariants.
 *
 * Workers only write buffer data under PMM's exclusive lock, and hold a
 * fuzzer-level per-name rwlock (shared memory) while they do; enabling and
 * the zero check take it exclusively, so no worker's write can sit between
 * an enable and its check.  The kernel sees no such serialisation for
 * anything else.
 *
 * Prints its seed first; the same seed, worker count and duration replay
 * the same per-worker operation sequences (interleaving differs).
 * Exit: 0 clean, 1 invariant violated, 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/pmm.h>

#define MAX_NAMES	8
#define MAX_POOLS	8
#define MAX_FDS		4
#define MAX_MAPS	4
#define PAGE		4096UL
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

enum op {
	OP_MKDIR, OP_RMDIR, OP_ATTR, OP_ENABLE, OP_DISABLE, OP_OPEN, OP_CLOSE,
	OP_MMAP, OP_MUNMAP, OP_READ, OP_LOCK, OP_UNLOCK, OP_WRITE_LOCKED,
	OP_SYNC, OP_EXPORT, OP_FORK, OP_TOUCH, OP_DROP, OP_SPLICE,
	OP_PIPE_CHECK, OP_DIRECT, OP_HEAP_ALLOC, OP_HEAP_CHECK, OP_HEAP_FREE,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"mkdir", "rmdir", "attr", "enable", "disable", "open", "close",
	"mmap", "munmap", "read", "lock", "unlock", "write-locked",
	"sync", "export", "fork", "touch", "drop-all", "splice",
	"pipe-check", "direct-io", "heap-alloc", "heap-check", "heap-free",
};

/* Relative frequencies: the kernel's busy paths get most of the calls. */
static const unsigned int op_weight[NR_OPS] = {
	6, 4, 8, 8, 6, 8, 6, 8, 6, 5, 8, 5, 8, 4, 4, 1, 4, 3, 4, 3, 4, 5, 3, 4,
};

/* Shared between all processes (MAP_SHARED | MAP_ANONYMOUS). */
struct shared {
	pthread_rwlock_t name_lock[MAX_NAMES];
	atomic_ulong ops[NR_OPS];
	atomic_ulong refused[NR_OPS];
	atomic_ulong violations;
	atomic_ulong zero_checks;
	atomic_ulong data_checks;
	atomic_ulong pipe_checks;
	atomic_ulong direct_checks;
	atomic_ulong heap_checks;
	/* Pipes of each name's memory held now: writers leave it alone. */
	atomic_int pipes_held[MAX_NAMES];
};

struct fd_slot {
	int fd;			/* -1: free */
	int name;
	int locked;		/* 0, 1 shared, 2 exclusive */
	unsigned int gen;	/* which open this is, for its mappings */
};

/*
 * A mapping holds a reference to its file, and PMM's lock (like flock)
 * belongs to the file: closing a locked fd that has mappings leaves the
 * lock held until they are gone too.
 */
struct map_slot {
	unsigned char *addr;	/* NULL: free */
	size_t len;
	int name;
	unsigned int fd_gen;
	bool pins_lock;
};

/* A pipe holding references to pages of a mapping, and what they held. */
struct pipe_slot {
	int fd[2];		/* fd[0] == -1: free */
	int name;
	size_t len;
	unsigned char *snap;
	unsigned int left;	/* operations to hold it for */
};

/* An allocation from a pool's heap, mapped, and the pattern it holds. */
struct heap_slot {
	int fd;			/* -1: free */
	unsigned char *map;
	size_t len;
	uint8_t seed;
};

#define MAX_HEAPS	3
#define HEAP_MAX	(1024 * 1024)

#define MAX_PIPES	2
#define SPLICE_MAX	(64 * 1024)
#define DIRECT_MAX	(64 * 1024)

static struct shared *sh;
static struct pipe_slot pipes[MAX_PIPES];
static const char *loop_dev;
static bool faults;
static char cfs[256] = "/sys/kernel/config/pmm";
static char names[MAX_NAMES][32];
static char pools[MAX_POOLS][65];
static int nr_names = 4, nr_pools;
static int worker_id;
static uint64_t rng;
static struct fd_slot fds[MAX_FDS];
static struct map_slot maps[MAX_MAPS];
static struct heap_slot heaps[MAX_HEAPS];
static int heap_fds[MAX_POOLS];
static unsigned int open_gen;

/* xorshift64*: small, fast, and the same everywhere for a seed. */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd_below(100) < percent;
}

static void violation(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&sh->violations, 1);
	fprintf(stderr, "pmm-fuzz: worker %d: VIOLATION: ", worker_id);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Did a call fail with an errno its operation may legitimately return? */
static void check_errno(enum op op, int err, const int *allowed)
{
	atomic_fetch_add(&sh->refused[op], 1);
	/* An injected allocation failure may surface from any call. */
	if (faults && err == ENOMEM)
		return;
	for (; *allowed; allowed++)
		if (*allowed == err)
			return;
	violation("%s: unexpected errno %s", op_names[op], strerrorname_np(err));
}

static int write_str(const char *p, const char *v);

/*
 * Fault injection on or off for this task, with --faults, through a
 * descriptor opened before injection was on: opening the file each time
 * could itself fail under injection, leaving it on.
 */
static int fail_fd = -1;

static void faults_allow(bool on)
{
	if (fail_fd >= 0 && write(fail_fd, on ? "1" : "0", 1) != 1)
		violation("cannot switch fault injection: %s", strerrorname_np(errno));
}

/*
 * mmap of a PMM node or dma-buf, not under fault injection: when a page
 * table cannot be had halfway through remap_pfn_range() (a carveout),
 * 6.1's own error path warns in untrack_pfn(); PMM's mmap has no
 * allocation of its own to fail.
 */
static void *pmm_mmap(size_t len, int prot, int flags, int fd, off_t off)
{
	void *a;
	int err;

	faults_allow(false);
	a = mmap(NULL, len, prot, flags, fd, off);
	err = errno;
	faults_allow(true);
	errno = err;
	return a;
}

static char *path(char *buf, size_t len, int name, const char *attr)
{
	if (attr)
		snprintf(buf, len, "%s/buffers/%s/%s", cfs, names[name], attr);
	else
		snprintf(buf, len, "%s/buffers/%s", cfs, names[name]);
	return buf;
}

static int write_str(const char *p, const char *v)
{
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int read_str(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_attr(int name, const char *attr, const char *v)
{
	char p[PATH_MAX];

	return write_str(path(p, sizeof(p), name, attr), v);
}

static int node_open(int name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/dev/pmm/%s", names[name]);
	return open(p, O_RDWR | O_CLOEXEC);
}

static size_t fd_size(int fd)
{
	struct pmm_info info = { 0 };

	if (ioctl(fd, PMM_IOC_INFO, &info) < 0)
		return 0;
	return info.size;
}

static struct fd_slot *pick_fd(void)
{
	int i, start = rnd_below(MAX_FDS);

	for (i = 0; i < MAX_FDS; i++)
		if (fds[(start + i) % MAX_FDS].fd >= 0)
			return &fds[(start + i) % MAX_FDS];
	return NULL;
}

static struct fd_slot *free_fd(void)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].fd < 0)
			return &fds[i];
	return NULL;
}

static struct map_slot *pick_map(void)
{
	int i, start = rnd_below(MAX_MAPS);

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[(start + i) % MAX_MAPS].addr)
			return &maps[(start + i) % MAX_MAPS];
	return NULL;
}

static bool holds_lock(void)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].fd >= 0 && fds[i].locked)
			return true;
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr && maps[i].pins_lock)
			return true;
	return false;
}

static void close_slot(struct fd_slot *s)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (s->locked && maps[i].addr && maps[i].fd_gen == s->gen)
			maps[i].pins_lock = true;
	close(s->fd);
	s->fd = -1;
	s->locked = 0;
}

/* --- operations --------------------------------------------------------- */

static const int e_mkdir[] = { EEXIST, ENOMEM, 0 };
static const int e_rmdir[] = { ENOENT, EBUSY, ENOTEMPTY, 0 };
static const int e_attr[] = { EINVAL, EBUSY, ENOENT, 0 };
static const int e_enable[] = { EINVAL, EBUSY, ENOENT, ENOSPC, ENOMEM, 0 };
static const int e_open[] = { ENOENT, ENXIO, ENODEV, 0 };
static const int e_mmap[] = { EINVAL, ENXIO, ENODEV, ENOMEM, EOVERFLOW, 0 };
static const int e_rw[] = { EINVAL, ENXIO, ENODEV, 0 };
static const int e_lock[] = { EAGAIN, EBUSY, EINVAL, ENODEV, 0 };
static const int e_unlock[] = { EINVAL, 0 };
static const int e_sync[] = { EINVAL, ENODEV, 0 };
static const int e_export[] = { EINVAL, ENODEV, ENOMEM, EMFILE, 0 };
/* vmsplice of a carveout (raw PFN) mapping: get_user_pages refuses it. */
static const int e_heap[] = { EINVAL, ENOMEM, EMFILE, 0 };
static const int e_splice[] = { EFAULT, ENOMEM, 0 };
static const int e_direct[] = { EFAULT, ENOMEM, EINVAL, 0 };

/*
 * Map a random page window of at most @max bytes of @s's buffer; on a
 * refusal, check its errno as @op's.  Returns NULL if there is nothing
 * to map or the mapping was refused.
 */
static unsigned char *map_window(struct fd_slot *s, size_t max, int prot,
				 enum op op, size_t *off, size_t *len)
{
	size_t size = fd_size(s->fd);
	unsigned char *m;

	if (!size)
		return NULL;
	*off = rnd_below(size / PAGE) * PAGE;
	*len = (rnd_below((size - *off) / PAGE) + 1) * PAGE;
	if (*len > max)
		*len = max;
	m = pmm_mmap(*len, prot, MAP_SHARED, s->fd, *off);
	if (m == MAP_FAILED) {
		check_errno(op, errno, e_mmap);
		return NULL;
	}
	return m;
}

/* The first six sizes are valid. */
static const char *const sizes[] = {
	"4096", "8K", "64K", "100000", "1M", "3M", "0", "-1", "1Q", "abc",
	"99999999999999999999", "64G", ""
};
static void op_mkdir(void)
{
	char p[PATH_MAX];
	int name = rnd_below(nr_names);

	if (mkdir(path(p, sizeof(p), name, NULL), 0755)) {
		check_errno(OP_MKDIR, errno, e_mkdir);
		return;
	}
	/* What a user does next: give it a size (and maybe a pool). */
	if (chance(80))
		write_attr(name, "size", sizes[rnd_below(6)]);
	if (chance(50) && nr_pools)
		write_attr(name, "memtype", pools[rnd_below(nr_pools)]);
}

static void op_rmdir(void)
{
	char p[PATH_MAX];
	int name = rnd_below(nr_names);

	if (rmdir(path(p, sizeof(p), name, NULL)))
		check_errno(OP_RMDIR, errno, e_rmdir);
}

static const char *const aligns[] = {
	"4096", "64K", "1M", "2M", "3000", "0", "x", "1G"
};
static const char *const caches[] = {
	"cached", "writecombine", "uncached", "wc", "", "CACHED"
};
static const char *const modes[] = { "0600", "0660", "0644", "0888", "x" };
static const char *const ro_attrs[] = {
	"state", "phys_addr", "opens", "maps", "locks", "dmabufs"
};

static void op_attr(void)
{
	int name = rnd_below(nr_names), err;
	const char *attr, *v;
	char buf[80];

	switch (rnd_below(7)) {
	case 0:
		attr = "size";
		v = sizes[chance(80) ? rnd_below(6) : rnd_below(ARRAY_LEN(sizes))];
		break;
	case 1: attr = "align"; v = aligns[rnd_below(ARRAY_LEN(aligns))]; break;
	case 2:
		attr = "boundary";
		v = chance(70) ? (chance(50) ? "0" : "16M") : "5000";
		break;
	case 3:
		attr = "memtype";
		v = chance(80) && nr_pools ? pools[rnd_below(nr_pools)] : "no-pool";
		break;
	case 4: attr = "cache"; v = caches[rnd_below(ARRAY_LEN(caches))]; break;
	case 5: attr = "mode"; v = modes[rnd_below(ARRAY_LEN(modes))]; break;
	default:
		/* Read-only attributes refuse writes. */
		attr = ro_attrs[rnd_below(ARRAY_LEN(ro_attrs))];
		snprintf(buf, sizeof(buf), "%lu", rnd_below(3));
		v = buf;
		err = write_attr(name, attr, v);
		if (!err)
			violation("write to read-only %s/%s succeeded", names[name], attr);
		else if (err != -EACCES && err != -EPERM && err != -ENOENT &&
			 err != -EINVAL && !(faults && err == -ENOMEM))
			violation("write to read-only %s: %s", attr, strerrorname_np(-err));
		atomic_fetch_add(&sh->refused[OP_ATTR], 1);
		return;
	}
	err = write_attr(name, attr, v);
	/* configfs itself fails a zero-length write with EFAULT. */
	if (err && !(err == -EFAULT && !*v))
		check_errno(OP_ATTR, -err, e_attr);
	else if (err)
		atomic_fetch_add(&sh->refused[OP_ATTR], 1);
}

/* Enable; if this call is what enabled it, the buffer must read zero. */
static void op_enable(void)
{
	int name = rnd_below(nr_names), err, fd;
	char p[PATH_MAX], state[32];
	unsigned char *buf;
	size_t size, i;

	pthread_rwlock_wrlock(&sh->name_lock[name]);
	if (read_str(path(p, sizeof(p), name, "state"), state, sizeof(state))) {
		err = write_attr(name, "enable", "1");
		if (err)
			check_errno(OP_ENABLE, -err, e_enable);
		goto out;
	}
	err = write_attr(name, "enable", chance(90) ? "1" : (chance(50) ? "2" : "yes"));
	if (err) {
		check_errno(OP_ENABLE, -err, e_enable);
		goto out;
	}
	if (strcmp(state, "disabled"))
		goto out;
	/* Fresh memory: nobody can have written it (writers need our lock). */
	fd = node_open(name);
	if (fd < 0)
		goto out;	/* disabled again by another worker */
	size = fd_size(fd);
	buf = malloc(size ? size : 1);
	if (buf && size && pread(fd, buf, size, 0) == (ssize_t)size) {
		atomic_fetch_add(&sh->zero_checks, 1);
		for (i = 0; i < size; i++) {
			if (buf[i]) {
				violation("%s: freshly enabled, byte %zu is %#x",
					  names[name], i, buf[i]);
				break;
			}
		}
	}
	free(buf);
	close(fd);
out:
	pthread_rwlock_unlock(&sh->name_lock[name]);
}

static void op_disable(void)
{
	int name = rnd_below(nr_names), err;

	pthread_rwlock_wrlock(&sh->name_lock[name]);
	/*
	 * Not under fault injection: device_del() needs memory for the
	 * node's name to have devtmpfs remove it, and cannot say when it has
	 * none; the stale /dev/pmm node would outlive the buffer.
	 */
	faults_allow(false);
	err = write_attr(name, "enable", "0");
	faults_allow(true);
	if (err)
		check_errno(OP_DISABLE, -err, e_enable);
	pthread_rwlock_unlock(&sh->name_lock[name]);
}

static void op_open(void)
{
	struct fd_slot *s = free_fd();
	int name = rnd_below(nr_names);

	if (!s) {
		close_slot(pick_fd());
		s = free_fd();
	}
	s->fd = node_open(name);
	if (s->fd < 0) {
		check_errno(OP_OPEN, errno, e_open);
		s->fd = -1;
		return;
	}
	s->name = name;
	s->locked = 0;
	s->gen = ++open_gen;
}

static void op_close(void)
{
	struct fd_slot *s = pick_fd();

	if (s)
		close_slot(s);
}

static void op_mmap(void)
{
	struct fd_slot *s = pick_fd();
	struct map_slot *m = NULL;
	size_t size, len, off;
	int i, flags = MAP_SHARED;
	void *a;

	if (!s)
		return;
	size = fd_size(s->fd);
	for (i = 0; i < MAX_MAPS; i++)
		if (!maps[i].addr)
			m = &maps[i];
	if (!m) {
		m = pick_map();
		munmap(m->addr, m->len);
		m->addr = NULL;
	}
	/* Mostly valid windows, sometimes past the end or private. */
	off = rnd_below(size / PAGE + 2) * PAGE;
	len = (rnd_below(size / PAGE + 2) + 1) * PAGE;
	if (chance(60) && size) {
		off = rnd_below(size / PAGE) * PAGE;
		len = (rnd_below((size - off) / PAGE) + 1) * PAGE;
	}
	if (chance(5))
		flags = MAP_PRIVATE;
	a = pmm_mmap(len, PROT_READ | PROT_WRITE, flags, s->fd, off);
	if (a == MAP_FAILED) {
		check_errno(OP_MMAP, errno, e_mmap);
		return;
	}
	if (flags == MAP_PRIVATE)
		violation("%s: MAP_PRIVATE mapping succeeded", names[s->name]);
	if (off + len > size)
		violation("%s: mmap of [%zu, +%zu) past size %zu succeeded",
			  names[s->name], off, len, size);
	m->addr = a;
	m->len = len;
	m->name = s->name;
	m->fd_gen = s->gen;
	m->pins_lock = false;
	/* Sometimes keep the mapping but drop the file: it must stay valid. */
	if (chance(20) && !s->locked)
		close_slot(s);
}

static void op_munmap(void)
{
	struct map_slot *m = pick_map();

	if (!m)
		return;
	munmap(m->addr, m->len);
	m->addr = NULL;
}

static void op_touch(void)
{
	struct map_slot *m = pick_map();
	volatile unsigned char sum = 0;
	size_t i;

	/* Reading any mapping is always allowed; it must not fault. */
	if (m)
		for (i = 0; i < m->len; i += PAGE)
			sum += m->addr[i];
}

static void op_read(void)
{
	struct fd_slot *s = pick_fd();
	char buf[8192];
	size_t size;
	ssize_t n;
	off_t off;

	if (!s)
		return;
	size = fd_size(s->fd);
	off = rnd_below(size + 2 * PAGE);
	n = pread(s->fd, buf, rnd_below(sizeof(buf)) + 1, off);
	if (n < 0)
		check_errno(OP_READ, errno, e_rw);
	else if ((size_t)off >= size && n)
		violation("%s: read at %lld past size %zu returned %zd",
			  names[s->name], (long long)off, size, n);
}

static void op_lock(void)
{
	struct fd_slot *s = pick_fd();
	struct pmm_lock l = { 0 };
	bool shared = chance(35);

	if (!s)
		return;
	/*
	 * Block only while holding no lock: a worker waiting for a buffer
	 * while holding another could deadlock with its peers (PMM locks,
	 * like flock, are per open file).
	 */
	l.flags = shared ? PMM_LOCK_SHARED : 0;
	/*
	 * Under fault injection everything is slow, and a wait can outlast
	 * the alarm: there the error paths are the point, not the waits.
	 */
	if (holds_lock() || chance(50) || faults)
		l.flags |= PMM_LOCK_NONBLOCK;
	if (chance(3))
		l.flags |= 0x80;	/* unknown flag: EINVAL */
	alarm(20);	/* a lock wait this long is a deadlock */
	if (ioctl(s->fd, PMM_IOC_LOCK, &l) < 0) {
		alarm(0);
		check_errno(OP_LOCK, errno, e_lock);
		return;
	}
	alarm(0);
	if (l.flags & 0x80)
		violation("LOCK with unknown flag succeeded");
	s->locked = shared ? 1 : 2;
}

static void op_unlock(void)
{
	struct fd_slot *s = pick_fd();

	if (!s)
		return;
	if (ioctl(s->fd, PMM_IOC_UNLOCK) < 0) {
		check_errno(OP_UNLOCK, errno, e_unlock);
		if (s->locked)
			violation("UNLOCK of a held lock failed: %s", strerrorname_np(errno));
		return;
	}
	if (!s->locked)
		violation("UNLOCK without a lock succeeded");
	s->locked = 0;
}

/*
 * Under the exclusive lock: write a pattern through a fresh mapping, check
 * it through the mapping and read(), sync, check again, unmap.
 */
static void op_write_locked(void)
{
	struct fd_slot *s = pick_fd();
	struct pmm_sync sy = { 0 };
	size_t len, off, i;
	unsigned char *m, *back;
	uint8_t seed;

	if (!s || s->locked != 2)
		return;
	m = map_window(s, 256 * 1024, PROT_READ | PROT_WRITE, OP_WRITE_LOCKED,
		       &off, &len);
	if (!m)
		return;
	back = malloc(len);
	seed = rnd();
	pthread_rwlock_rdlock(&sh->name_lock[s->name]);
	if (atomic_load(&sh->pipes_held[s->name])) {
		pthread_rwlock_unlock(&sh->name_lock[s->name]);
		free(back);
		munmap(m, len);
		return;
	}
	sy.offset = off;
	sy.length = len;
	sy.flags = PMM_SYNC_WRITE;
	ioctl(s->fd, PMM_IOC_SYNC, &sy);
	for (i = 0; i < len; i++)
		m[i] = seed + i * 7 + worker_id;
	sy.flags = PMM_SYNC_WRITE | PMM_SYNC_END;
	ioctl(s->fd, PMM_IOC_SYNC, &sy);
	atomic_fetch_add(&sh->data_checks, 1);
	if (back && pread(s->fd, back, len, off) == (ssize_t)len) {
		for (i = 0; i < len; i++) {
			if (back[i] != (uint8_t)(seed + i * 7 + worker_id) ||
			    m[i] != back[i]) {
				violation("%s: byte %zu written under the exclusive lock reads %#x/%#x",
					  names[s->name], off + i, m[i], back[i]);
				break;
			}
		}
	}
	pthread_rwlock_unlock(&sh->name_lock[s->name]);
	free(back);
	munmap(m, len);
}

static void op_sync(void)
{
	struct fd_slot *s = pick_fd();
	struct pmm_sync sy = { 0 };
	size_t size;

	if (!s)
		return;
	size = fd_size(s->fd);
	sy.offset = chance(80) ? rnd_below(size / PAGE + 1) * PAGE : rnd();
	sy.length = chance(80) ? PAGE : rnd_below(size + PAGE);
	sy.flags = (rnd_below(3) + 1) | (chance(50) ? PMM_SYNC_END : 0);
	if (chance(5))
		sy.flags = 0x40;
	if (ioctl(s->fd, PMM_IOC_SYNC, &sy) < 0) {
		check_errno(OP_SYNC, errno, e_sync);
		return;
	}
	if (sy.offset + sy.length > size || !sy.length || sy.flags == 0x40)
		violation("%s: SYNC of a bad range/flags succeeded", names[s->name]);
}

static void op_export(void)
{
	struct fd_slot *s = pick_fd();
	struct pmm_export e = { .flags = O_RDWR | O_CLOEXEC };
	volatile unsigned char c;
	size_t size;
	void *m;

	if (!s)
		return;
	if (chance(5))
		e.flags |= O_APPEND;	/* not a valid export flag */
	if (ioctl(s->fd, PMM_IOC_EXPORT, &e) < 0) {
		check_errno(OP_EXPORT, errno, e_export);
		return;
	}
	size = fd_size(s->fd);
	if (size && chance(50)) {
		m = pmm_mmap(size, PROT_READ, MAP_SHARED, e.fd, 0);
		if (m != MAP_FAILED) {
			c = *(unsigned char *)m;
			(void)c;
			/* The dma-buf mapping outlives the dma-buf fd. */
			close(e.fd);
			e.fd = (__u32)-1;
			munmap(m, size);
		}
	}
	if ((int)e.fd >= 0)
		close(e.fd);
}

/*
 * vmsplice a page range of a fresh mapping into a pipe, remember what it
 * held, unmap: the pipe keeps references to the pages themselves for as
 * long as it is held (a few operations, during which the buffer may be
 * disabled and its memory sought by other buffers).  The name's fuzzer
 * lock keeps writers out while the range is taken and remembered.
 */
static void op_splice(void)
{
	struct fd_slot *s = pick_fd();
	struct pipe_slot *ps = NULL;
	struct iovec iov;
	size_t len, off;
	unsigned char *m;
	ssize_t n;
	int i;

	for (i = 0; i < MAX_PIPES && !ps; i++)
		if (pipes[i].fd[0] < 0)
			ps = &pipes[i];
	if (!s || !ps)
		return;
	m = map_window(s, SPLICE_MAX, PROT_READ, OP_SPLICE, &off, &len);
	if (!m)
		return;
	if (pipe2(ps->fd, O_CLOEXEC)) {
		ps->fd[0] = -1;
		munmap(m, len);
		return;
	}
	fcntl(ps->fd[1], F_SETPIPE_SZ, (int)SPLICE_MAX);
	ps->snap = malloc(len);
	pthread_rwlock_wrlock(&sh->name_lock[s->name]);
	iov.iov_base = m;
	iov.iov_len = len;
	n = vmsplice(ps->fd[1], &iov, 1, SPLICE_F_NONBLOCK);
	if (n > 0 && ps->snap) {
		memcpy(ps->snap, m, n);
		atomic_fetch_add(&sh->pipes_held[s->name], 1);
	}
	pthread_rwlock_unlock(&sh->name_lock[s->name]);
	munmap(m, len);
	if (n <= 0 || !ps->snap) {
		if (n < 0)
			check_errno(OP_SPLICE, errno, e_splice);
		close(ps->fd[0]);
		close(ps->fd[1]);
		ps->fd[0] = -1;
		free(ps->snap);
		ps->snap = NULL;
		return;
	}
	ps->name = s->name;
	ps->len = n;
	ps->left = rnd_below(40) + 1;
	/* Sometimes let go of the file at once: only the pipe remains. */
	if (chance(30) && !s->locked)
		close_slot(s);
}

/* Read a held pipe: it must give what its pages held when spliced. */
static void pipe_check(struct pipe_slot *ps)
{
	unsigned char *buf = malloc(ps->len);
	size_t got = 0, i;
	ssize_t n;

	close(ps->fd[1]);
	while (buf && got < ps->len &&
	       (n = read(ps->fd[0], buf + got, ps->len - got)) > 0)
		got += n;
	if (buf && got == ps->len) {
		atomic_fetch_add(&sh->pipe_checks, 1);
		for (i = 0; i < ps->len; i++) {
			if (buf[i] != ps->snap[i]) {
				violation("%s: a pipe of its memory reads %#x at %zu, spliced as %#x: a later owner's byte",
					  names[ps->name], buf[i], i, ps->snap[i]);
				break;
			}
		}
	} else if (buf) {
		violation("%s: a pipe of %zu bytes gave %zu", names[ps->name],
			  ps->len, got);
	}
	free(buf);
	close(ps->fd[0]);
	ps->fd[0] = -1;
	free(ps->snap);
	ps->snap = NULL;
	atomic_fetch_sub(&sh->pipes_held[ps->name], 1);
}

/* Held pipes age with every operation; check the ones whose time is up. */
static void op_pipe_check(void)
{
	int i;

	for (i = 0; i < MAX_PIPES; i++)
		if (pipes[i].fd[0] >= 0 && (!pipes[i].left || chance(20)))
			pipe_check(&pipes[i]);
}

static void pipes_age(void)
{
	int i;

	for (i = 0; i < MAX_PIPES; i++)
		if (pipes[i].fd[0] >= 0 && pipes[i].left)
			pipes[i].left--;
}

/*
 * Under the exclusive lock, O_DIRECT between a mapping and the loop
 * device: a device read of the buffer (write from the mapping, read back
 * from the disk) and a device write into it (read into the mapping),
 * checked through read().  Carveout mappings are raw PFNs: EFAULT.
 */
static void op_direct(void)
{
	struct fd_slot *s = pick_fd();
	unsigned char *m, *disk = NULL, *back = NULL;
	struct pmm_lock l = { .flags = PMM_LOCK_NONBLOCK };
	bool took = false;
	size_t len, off, i;
	ssize_t n;
	int dev;

	if (!loop_dev || !s)
		return;
	/*
	 * The device's data is only checkable under the exclusive lock.  An
	 * fd holding none takes it for this operation (without waiting, as
	 * a worker holding no lock may), so that O_DIRECT checks are made
	 * in every run, not only when a LOCK happened to come first.
	 */
	if (!s->locked && !holds_lock()) {
		if (ioctl(s->fd, PMM_IOC_LOCK, &l) < 0) {
			check_errno(OP_LOCK, errno, e_lock);
			return;
		}
		s->locked = 2;
		took = true;
	}
	if (s->locked != 2)
		return;
	m = map_window(s, DIRECT_MAX, PROT_READ | PROT_WRITE, OP_DIRECT, &off,
		       &len);
	if (!m)
		goto out_lock;
	dev = open(loop_dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (dev < 0 || posix_memalign((void **)&disk, PAGE, len) ||
	    !(back = malloc(len)))
		goto out;
	pthread_rwlock_rdlock(&sh->name_lock[s->name]);
	if (atomic_load(&sh->pipes_held[s->name]))
		goto out_unlock;
	/* The device reads the buffer. */
	n = pwrite(dev, m, len, worker_id * DIRECT_MAX);
	if (n < 0) {
		check_errno(OP_DIRECT, errno, e_direct);
		goto out_unlock;
	}
	if (pread(dev, disk, len, worker_id * DIRECT_MAX) != (ssize_t)len ||
	    pread(s->fd, back, len, off) != (ssize_t)len)
		goto out_unlock;
	atomic_fetch_add(&sh->direct_checks, 1);
	if (memcmp(disk, back, len))
		violation("%s: O_DIRECT write from the mapping put other bytes on the disk",
			  names[s->name]);
	/* The device writes the buffer. */
	for (i = 0; i < len; i++)
		disk[i] = rnd();
	if (pwrite(dev, disk, len, worker_id * DIRECT_MAX) != (ssize_t)len)
		goto out_unlock;
	n = pread(dev, m, len, worker_id * DIRECT_MAX);
	if (n < 0) {
		check_errno(OP_DIRECT, errno, e_direct);
		goto out_unlock;
	}
	if (pread(s->fd, back, len, off) == (ssize_t)len && memcmp(disk, back, len))
		violation("%s: O_DIRECT read into the mapping is not what read() returns",
			  names[s->name]);
out_unlock:
	pthread_rwlock_unlock(&sh->name_lock[s->name]);
out:
	if (dev >= 0)
		close(dev);
	free(disk);
	free(back);
	munmap(m, len);
out_lock:
	if (took) {
		if (ioctl(s->fd, PMM_IOC_UNLOCK) < 0)
			violation("UNLOCK of a held lock failed: %s", strerrorname_np(errno));
		s->locked = 0;
	}
}

static uint8_t heap_byte(const struct heap_slot *h, size_t i)
{
	return h->seed + i * 13 + worker_id;
}

/*
 * Allocate from a random pool's heap: now and then with a bad length or
 * bad flags, which must be refused.  A new allocation reads zero; its
 * owner fills it with its own pattern, which stays until it frees it.
 */
static void op_heap_alloc(void)
{
	struct dma_heap_allocation_data a = { .fd_flags = O_RDWR | O_CLOEXEC };
	struct dma_buf_sync sy = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	int pool = rnd_below(nr_pools), bad = 0, i;
	struct heap_slot *h = NULL;
	size_t j;

	for (i = 0; i < MAX_HEAPS; i++)
		if (heaps[i].fd < 0)
			h = &heaps[i];
	if (!h || heap_fds[pool] < 0)
		return;
	a.len = (rnd_below(HEAP_MAX / PAGE) + 1) * PAGE - (chance(20) ? rnd_below(PAGE) : 0);
	switch (chance(10) ? rnd_below(4) : 4) {
	case 0: a.len = 0; bad = 1; break;
	case 1: a.len = ~0ULL - rnd_below(PAGE); bad = 1; break;
	case 2: a.heap_flags = 1ULL << rnd_below(64); bad = 1; break;
	case 3: a.fd_flags |= O_APPEND; bad = 1; break;
	}
	if (ioctl(heap_fds[pool], DMA_HEAP_IOCTL_ALLOC, &a) < 0) {
		atomic_fetch_add(&sh->refused[OP_HEAP_ALLOC], 1);
		check_errno(OP_HEAP_ALLOC, errno, e_heap);
		if (bad && errno != EINVAL && !faults)
			violation("heap %s: a bad allocation failed with %s, not EINVAL",
				  pools[pool], strerrorname_np(errno));
		return;
	}
	if (bad) {
		violation("heap %s: a bad allocation (len %llu, flags %#llx/%#x) succeeded",
			  pools[pool], (unsigned long long)a.len,
			  (unsigned long long)a.heap_flags, a.fd_flags);
		close(a.fd);
		return;
	}
	h->len = (a.len + PAGE - 1) / PAGE * PAGE;
	h->map = pmm_mmap(h->len, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	if (h->map == MAP_FAILED) {
		if (!faults)
			violation("heap %s: mmap of an allocation: %s", pools[pool],
				  strerrorname_np(errno));
		close(a.fd);
		return;
	}
	h->fd = a.fd;
	h->seed = rnd();
	ioctl(h->fd, DMA_BUF_IOCTL_SYNC, &sy);
	atomic_fetch_add(&sh->zero_checks, 1);
	for (j = 0; j < h->len; j++) {
		if (h->map[j]) {
			violation("heap %s: new allocation byte %zu reads %#x, not 0",
				  pools[pool], j, h->map[j]);
			break;
		}
	}
	for (j = 0; j < h->len; j++)
		h->map[j] = heap_byte(h, j);
	sy.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ioctl(h->fd, DMA_BUF_IOCTL_SYNC, &sy);
}

static struct heap_slot *pick_heap(void)
{
	struct heap_slot *h = &heaps[rnd_below(MAX_HEAPS)];

	return h->fd < 0 ? NULL : h;
}

static void heap_check(struct heap_slot *h)
{
	struct dma_buf_sync sy = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	size_t j;

	ioctl(h->fd, DMA_BUF_IOCTL_SYNC, &sy);
	atomic_fetch_add(&sh->heap_checks, 1);
	for (j = 0; j < h->len; j++) {
		if (h->map[j] != heap_byte(h, j)) {
			violation("heap allocation byte %zu of %zu reads %#x, not its owner's %#x",
				  j, h->len, h->map[j], heap_byte(h, j));
			break;
		}
	}
	sy.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(h->fd, DMA_BUF_IOCTL_SYNC, &sy);
}

static void op_heap_check(void)
{
	struct heap_slot *h = pick_heap();

	if (h)
		heap_check(h);
}

static void heap_free(struct heap_slot *h)
{
	heap_check(h);
	munmap(h->map, h->len);
	close(h->fd);
	h->fd = -1;
}

static void op_heap_free(void)
{
	struct heap_slot *h = pick_heap();

	if (h)
		heap_free(h);
}

/* Let go of everything, so that buffers can be disabled and re-enabled. */
static void op_drop(void)
{
	int i;

	for (i = 0; i < MAX_PIPES; i++)
		if (pipes[i].fd[0] >= 0)
			pipe_check(&pipes[i]);

	for (i = 0; i < MAX_MAPS; i++) {
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
		maps[i].addr = NULL;
	}
	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].fd >= 0)
			close_slot(&fds[i]);
	for (i = 0; i < MAX_HEAPS; i++)
		if (heaps[i].fd >= 0)
			heap_free(&heaps[i]);
}

static void run_op(enum op op);

/* fork while holding everything; the child plays a little and exits. */
static void op_fork(void)
{
	pid_t pid = fork();
	int i, status;

	if (pid < 0)
		return;
	if (!pid) {
		rng ^= 0x9e3779b97f4a7c15ULL;
		/*
		 * The child inherits injection on, and the parent's
		 * descriptor: it plays without injection, turned off through
		 * its own file (retried: the open may fail while it is on).
		 */
		if (fail_fd >= 0) {
			close(fail_fd);
			fail_fd = -1;
			for (i = 0; i < 100; i++)
				if (!write_str("/proc/self/make-it-fail", "0"))
					break;
		}
		for (i = 0; i < 8; i++) {
			enum op op = rnd_below(NR_OPS);

			/* Children do not take the fuzzer's own locks. */
			/*
			 * Nor the buffer locks: those belong to the open
			 * file, which the parent shares and tracks.
			 */
			/* Nor the parent's pipes, which it checks. */
			if (op == OP_FORK || op == OP_ENABLE || op == OP_DISABLE ||
			    op == OP_WRITE_LOCKED || op == OP_LOCK ||
			    op == OP_UNLOCK || op == OP_SPLICE ||
			    op == OP_PIPE_CHECK || op == OP_DIRECT ||
			    op == OP_DROP)
				op = OP_TOUCH;
			run_op(op);
		}
		_exit(chance(50) ? 0 : 3);	/* leave the rest to exit() */
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		violation("forked child died of signal %d", WTERMSIG(status));
}

static void run_op(enum op op)
{
	atomic_fetch_add(&sh->ops[op], 1);
	switch (op) {
	case OP_MKDIR: op_mkdir(); break;
	case OP_RMDIR: op_rmdir(); break;
	case OP_ATTR: op_attr(); break;
	case OP_ENABLE: op_enable(); break;
	case OP_DISABLE: op_disable(); break;
	case OP_OPEN: op_open(); break;
	case OP_CLOSE: op_close(); break;
	case OP_MMAP: op_mmap(); break;
	case OP_MUNMAP: op_munmap(); break;
	case OP_READ: op_read(); break;
	case OP_LOCK: op_lock(); break;
	case OP_UNLOCK: op_unlock(); break;
	case OP_WRITE_LOCKED: op_write_locked(); break;
	case OP_SYNC: op_sync(); break;
	case OP_EXPORT: op_export(); break;
	case OP_FORK: op_fork(); break;
	case OP_TOUCH: op_touch(); break;
	case OP_DROP: op_drop(); break;
	case OP_SPLICE: op_splice(); break;
	case OP_PIPE_CHECK: op_pipe_check(); break;
	case OP_DIRECT: op_direct(); break;
	case OP_HEAP_ALLOC: op_heap_alloc(); break;
	case OP_HEAP_CHECK: op_heap_check(); break;
	case OP_HEAP_FREE: op_heap_free(); break;
	default: break;
	}
	pipes_age();
}

static enum op pick_op(void)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	r = rnd_below(total);
	for (i = 0; i < NR_OPS; i++) {
		if (r < op_weight[i])
			return i;
		r -= op_weight[i];
	}
	return OP_TOUCH;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void worker(int id, uint64_t seed, double until)
{
	int i;

	worker_id = id;
	rng = seed * 0x100000001b3ULL + id + 1;
	for (i = 0; i < MAX_FDS; i++)
		fds[i].fd = -1;
	for (i = 0; i < MAX_PIPES; i++)
		pipes[i].fd[0] = -1;
	for (i = 0; i < MAX_HEAPS; i++)
		heaps[i].fd = -1;
	if (faults) {
		fail_fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
		if (fail_fd < 0) {
			violation("cannot open /proc/self/make-it-fail: %s",
				  strerrorname_np(errno));
			_exit(1);
		}
		faults_allow(true);
	}
	while (now() < until)
		run_op(pick_op());
	faults_allow(false);
	op_drop();
	_exit(0);
}

static void read_pools(void)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(p, sizeof(p), "%s/pools", cfs);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d)) && nr_pools < MAX_POOLS) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(pools[nr_pools], sizeof(pools[0]), "%.64s", de->d_name);
		/* The workers share the heap nodes' files, opened once. */
		snprintf(p, sizeof(p), "/dev/dma_heap/pmm-%s", pools[nr_pools]);
		heap_fds[nr_pools++] = open(p, O_RDONLY | O_CLOEXEC);
	}
	closedir(d);
}

/* Everything down: buffers disabled and removed, nodes gone, pools empty. */
static int teardown(void)
{
	char p[PATH_MAX], v[64];
	int i, bad = 0, err;
	struct stat st;

	for (i = 0; i < nr_names; i++) {
		err = write_attr(i, "enable", "0");
		if (err && err != -ENOENT) {
			fprintf(stderr, "pmm-fuzz: teardown: %s: disable: %s\n",
				names[i], strerror(-err));
			bad++;
		}
		if (rmdir(path(p, sizeof(p), i, NULL)) && errno != ENOENT) {
			fprintf(stderr, "pmm-fuzz: teardown: %s: rmdir: %m\n", names[i]);
			bad++;
		}
		snprintf(p, sizeof(p), "/dev/pmm/%s", names[i]);
		if (!stat(p, &st)) {
			fprintf(stderr, "pmm-fuzz: teardown: %s still exists\n", p);
			bad++;
		}
	}
	for (i = 0; i < nr_pools; i++) {
		/* Memory still referenced when released is retried every 100 ms. */
		snprintf(p, sizeof(p), "%s/pools/%s/held", cfs, pools[i]);
		for (err = 0; err < 50; err++) {
			if (read_str(p, v, sizeof(v)) || !strcmp(v, "0"))
				break;
			usleep(100000);
		}
		if (read_str(p, v, sizeof(v)) || strcmp(v, "0")) {
			fprintf(stderr, "pmm-fuzz: teardown: pool %s held %s\n", pools[i], v);
			bad++;
		}
		snprintf(p, sizeof(p), "%s/pools/%s/used", cfs, pools[i]);
		if (read_str(p, v, sizeof(v)) || strcmp(v, "0")) {
			fprintf(stderr, "pmm-fuzz: teardown: pool %s used %s\n", pools[i], v);
			bad++;
		}
		snprintf(p, sizeof(p), "%s/pools/%s/buffers", cfs, pools[i]);
		if (read_str(p, v, sizeof(v)) || strcmp(v, "0")) {
			fprintf(stderr, "pmm-fuzz: teardown: pool %s buffers %s\n", pools[i], v);
			bad++;
		}
		snprintf(p, sizeof(p), "%s/pools/%s/heap_buffers", cfs, pools[i]);
		if (read_str(p, v, sizeof(v)) || strcmp(v, "0")) {
			fprintf(stderr, "pmm-fuzz: teardown: pool %s heap_buffers %s\n", pools[i], v);
			bad++;
		}
	}
	return bad;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-fuzz [options]\n"
		"  -s, --seed N          seed (default: from the clock; printed)\n"
		"  -w, --workers N       worker processes (default 4)\n"
		"  -d, --duration SECS   how long (default 10)\n"
		"  -n, --names N         buffer names fz0..fzN-1 (default 4, max %d)\n"
		"  -r, --configfs-root D PMM's configfs directory (default %s)\n"
		"  -l, --loop DEV        a block device for O_DIRECT I/O (its first\n"
		"                        64 KiB per worker are overwritten)\n"
		"  -f, --faults          run the workers with fault injection on\n",
		MAX_NAMES, cfs);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "names", required_argument, NULL, 'n' },
		{ "configfs-root", required_argument, NULL, 'r' },
		{ "loop", required_argument, NULL, 'l' },
		{ "faults", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	double duration = 10, start, elapsed;
	unsigned long total = 0, refused = 0;
	int workers = 4, c, i, status, bad;
	pthread_rwlockattr_t ra;
	pid_t *pids;

	while ((c = getopt_long(argc, argv, "s:w:d:n:r:l:fh", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'w': workers = atoi(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'n': nr_names = atoi(optarg); break;
		case 'r': snprintf(cfs, sizeof(cfs), "%s", optarg); break;
		case 'l': loop_dev = optarg; break;
		case 'f': faults = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (workers < 1 || workers > 64 || nr_names < 1 || nr_names > MAX_NAMES ||
	    duration <= 0 || optind != argc) {
		usage(stderr);
		return 2;
	}
	read_pools();
	if (!nr_pools) {
		fprintf(stderr, "pmm-fuzz: no pools under %s (is pmm loaded?)\n", cfs);
		return 2;
	}
	for (i = 0; i < nr_names; i++)
		snprintf(names[i], sizeof(names[i]), "fz%d", i);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
	for (i = 0; i < MAX_NAMES; i++)
		pthread_rwlock_init(&sh->name_lock[i], &ra);

	printf("pmm-fuzz: seed %" PRIu64 ", %d workers, %.0f s, %d names, %d pools\n",
	       seed, workers, duration, nr_names, nr_pools);
	fflush(stdout);

	pids = calloc(workers, sizeof(*pids));
	start = now();
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(i, seed, start + duration);
	}
	for (i = 0; i < workers; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0)
			continue;
		if (WIFSIGNALED(status)) {
			violation("worker %d died of signal %d (%s)", i,
				  WTERMSIG(status), strsignal(WTERMSIG(status)));
		}
	}
	elapsed = now() - start;

	for (i = 0; i < NR_OPS; i++) {
		total += sh->ops[i];
		refused += sh->refused[i];
		printf("  %-13s %8lu calls %8lu refused\n", op_names[i],
		       (unsigned long)sh->ops[i], (unsigned long)sh->refused[i]);
	}
	printf("pmm-fuzz: %lu operations in %.1f s: %.0f ops/s (%lu refused); %lu zero checks, %lu data checks, %lu pipe checks, %lu O_DIRECT checks, %lu heap checks\n",
	       total, elapsed, total / elapsed, refused,
	       (unsigned long)sh->zero_checks, (unsigned long)sh->data_checks,
	       (unsigned long)sh->pipe_checks, (unsigned long)sh->direct_checks,
	       (unsigned long)sh->heap_checks);
	/*
	 * Under fault injection pipes and O_DIRECT I/O often cannot be had
	 * at all; there the zero and data checks must still have been made.
	 */
	for (i = 0, c = 0; i < nr_pools; i++)
		c += heap_fds[i] >= 0;
	if (!sh->zero_checks || !sh->data_checks ||
	    (!faults && (!sh->pipe_checks || (c && !sh->heap_checks) ||
			 (loop_dev && !sh->direct_checks))))
		violation("a kind of check was never made (zero %lu, data %lu, pipe %lu, O_DIRECT %lu, heap %lu): the run proved nothing about it",
			  (unsigned long)sh->zero_checks,
			  (unsigned long)sh->data_checks,
			  (unsigned long)sh->pipe_checks,
			  (unsigned long)sh->direct_checks,
			  (unsigned long)sh->heap_checks);

	bad = teardown();
	if (bad)
		atomic_fetch_add(&sh->violations, bad);
	printf("pmm-fuzz: seed %" PRIu64 ": %lu violations%s\n", seed,
	       (unsigned long)sh->violations, bad ? " (teardown)" : "");
	return sh->violations ? 1 : 0;
}
