// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-heap: allocate from a DMA-BUF heap (/dev/dma_heap/NAME) for the
 * tests, in any argument struct size, and use what it gives: map it, fill
 * and check it, import it into vgem, hold it.
 *
 * Prints results on stdout, or the errno name of the step that failed;
 * exits 0 on success, 1 on a refused call or a mismatch, 2 on usage
 * errors, 77 when an optional device (vgem) is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pmm-test.h"
#include "pmm-vgem.h"

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#define PMM_HEAP_MAX	4096

/* The allocation argument as its largest caller might send it. */
struct pmm_heap_arg {
	struct dma_heap_allocation_data data;
	uint64_t garbage[5];
};

struct pmm_heap_opts {
	unsigned int count;
	uint32_t fd_flags;
	uint64_t heap_flags;
	uint32_t fd_in;
	size_t arg_size;
	unsigned long cmd;
	int prot;		/* mmap with this, 0: do not */
	int fill;		/* -1: do not */
	bool zero;
	bool hold;
	bool vgem;
	bool cloexec;
	bool until_full;
	bool splice;
};

static int heap_alloc(int heap, uint64_t len, const struct pmm_heap_opts *o)
{
	struct pmm_heap_arg arg;
	unsigned long cmd = o->cmd;

	memset(&arg, 0x5a, sizeof(arg));
	arg.data.len = len;
	arg.data.fd = o->fd_in;
	arg.data.fd_flags = o->fd_flags;
	arg.data.heap_flags = o->heap_flags;
	if (!cmd)
		cmd = _IOC(_IOC_READ | _IOC_WRITE, DMA_HEAP_IOC_MAGIC, 0,
			   o->arg_size);
	if (ioctl(heap, cmd, &arg) < 0)
		return -errno;
	/* Whatever lies beyond the struct the kernel knows stays as it was. */
	if (o->arg_size > sizeof(arg.data) &&
	    arg.garbage[0] != 0x5a5a5a5a5a5a5a5aULL) {
		fprintf(stderr, "pmm-heap: the kernel wrote beyond its struct\n");
		exit(1);
	}
	return arg.data.fd;
}

static int sync_dmabuf(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_RW };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Check that every byte of @len at @p is @byte; print where one is not. */
static bool check_bytes(const unsigned char *p, size_t len, int byte,
			unsigned int i)
{
	size_t j;

	for (j = 0; j < len; j++) {
		if (p[j] != byte) {
			printf("MISMATCH buffer %u at %zu: %#x, not %#x\n", i, j,
			       p[j], byte);
			return false;
		}
	}
	return true;
}

/*
 * Pages of the mapping referenced by a pipe (get_user_pages), which
 * outlive the mapping and the dma-buf: hold them until EOF, then read
 * what the pipe sees.
 */
static int splice_hold(int fd, unsigned char *p, size_t len, int byte)
{
	size_t n = len < 65536 ? len : 65536;
	struct iovec iov = { .iov_base = p, .iov_len = n };
	static unsigned char buf[65536];
	int pfd[2];

	if (pipe(pfd))
		return pmm_fail("pipe", errno);
	if (vmsplice(pfd[1], &iov, 1, 0) != (ssize_t)n)
		return pmm_fail("vmsplice", errno);
	munmap(p, len);
	close(fd);
	pmm_wait_stdin();
	if (read(pfd[0], buf, n) != (ssize_t)n)
		return pmm_fail("read", errno);
	if (byte >= 0 && !check_bytes(buf, n, byte, 0))
		return 1;
	printf("pipe intact\n");
	return 0;
}

static int prot_of(const char *s)
{
	if (!strcmp(s, "r"))
		return PROT_READ;
	if (!strcmp(s, "w"))
		return PROT_WRITE;
	if (!strcmp(s, "rw"))
		return PROT_READ | PROT_WRITE;
	fprintf(stderr, "pmm-heap: bad protection '%s' (r, w or rw)\n", s);
	exit(2);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-heap [OPTIONS] HEAP LEN   allocate LEN bytes from HEAP\n"
		"  -n, --count N        N allocations (default 1)\n"
		"  -u, --until-full     allocate until refused; print how many went\n"
		"  -f, --fd-flags F     fd_flags (default O_RDWR|O_CLOEXEC)\n"
		"  -F, --heap-flags F   heap_flags (default 0)\n"
		"  -i, --fd-in N        the fd field on entry (default 0)\n"
		"  -s, --arg-size B     the argument struct's size in the command (8-64)\n"
		"  -c, --cmd C          the raw ioctl command instead\n"
		"  -m, --mmap PROT      map each (r, w or rw) and say so\n"
		"  -w, --fill BYTE      write BYTE over each (mmap, DMA_BUF_IOCTL_SYNC)\n"
		"  -z, --zero           check that each reads zero\n"
		"  -e, --cloexec        print whether the first fd has FD_CLOEXEC\n"
		"  -v, --vgem           import each into vgem; with -H only vgem holds them\n"
		"  -H, --hold           print \"ready\" and hold until EOF on stdin,\n"
		"                       then check that -w's bytes are intact\n"
		"  -S, --splice         vmsplice the first's mapping into a pipe, unmap and\n"
		"                       close it, hold the pipe until EOF, then check that\n"
		"                       the pipe has -w's bytes\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "until-full", no_argument, NULL, 'u' },
		{ "fd-flags", required_argument, NULL, 'f' },
		{ "heap-flags", required_argument, NULL, 'F' },
		{ "fd-in", required_argument, NULL, 'i' },
		{ "arg-size", required_argument, NULL, 's' },
		{ "cmd", required_argument, NULL, 'c' },
		{ "mmap", required_argument, NULL, 'm' },
		{ "fill", required_argument, NULL, 'w' },
		{ "zero", no_argument, NULL, 'z' },
		{ "cloexec", no_argument, NULL, 'e' },
		{ "vgem", no_argument, NULL, 'v' },
		{ "hold", no_argument, NULL, 'H' },
		{ "splice", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct pmm_heap_opts o = {
		.count = 1,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.arg_size = sizeof(struct dma_heap_allocation_data),
		.fill = -1,
	};
	static int fds[PMM_HEAP_MAX];
	static unsigned char *maps[PMM_HEAP_MAX];
	uint64_t len;
	unsigned int i, n = 0;
	int c, heap, card = -1, fd;

	while ((c = getopt_long(argc, argv, "n:uf:F:i:s:c:m:w:zevHS", opts,
				NULL)) != -1) {
		switch (c) {
		case 'n': o.count = pmm_number(optarg); break;
		case 'u': o.until_full = true; o.count = PMM_HEAP_MAX; break;
		case 'f': o.fd_flags = pmm_number(optarg); break;
		case 'F': o.heap_flags = pmm_number(optarg); break;
		case 'i': o.fd_in = pmm_number(optarg); break;
		case 's': o.arg_size = pmm_number(optarg); break;
		case 'c': o.cmd = pmm_number(optarg); break;
		case 'm': o.prot = prot_of(optarg); break;
		case 'w': o.fill = pmm_number(optarg); break;
		case 'z': o.zero = true; break;
		case 'e': o.cloexec = true; break;
		case 'v': o.vgem = true; break;
		case 'H': o.hold = true; break;
		case 'S': o.splice = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2 || !o.count || o.count > PMM_HEAP_MAX ||
	    o.arg_size < 8 || o.arg_size > sizeof(struct pmm_heap_arg)) {
		usage(stderr);
		return 2;
	}
	len = pmm_number(argv[optind + 1]);
	heap = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return pmm_fail("open", errno);
	if (o.vgem) {
		card = pmm_open_vgem();
		if (card < 0) {
			printf("SKIP no vgem device\n");
			return 77;
		}
	}
	if (o.fill >= 0 || o.zero || o.splice)
		o.prot = PROT_READ | PROT_WRITE;

	for (i = 0; i < o.count; i++) {
		fd = heap_alloc(heap, len, &o);
		if (fd < 0) {
			if (o.until_full && i > 0)
				printf("allocated=%u\n", i);
			return pmm_fail("DMA_HEAP_IOCTL_ALLOC", -fd);
		}
		fds[n++] = fd;
		if (o.cloexec && i == 0)
			printf("cloexec=%d\n", !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
		if (o.prot) {
			maps[i] = mmap(NULL, len, o.prot, MAP_SHARED, fd, 0);
			if (maps[i] == MAP_FAILED)
				return pmm_fail("mmap", errno);
		}
		if (o.zero) {
			sync_dmabuf(fd, DMA_BUF_SYNC_START);
			if (!check_bytes(maps[i], len, 0, i))
				return 1;
			sync_dmabuf(fd, DMA_BUF_SYNC_END);
		}
		if (o.fill >= 0) {
			if (sync_dmabuf(fd, DMA_BUF_SYNC_START))
				return pmm_fail("DMA_BUF_IOCTL_SYNC", errno);
			memset(maps[i], o.fill, len);
			if (sync_dmabuf(fd, DMA_BUF_SYNC_END))
				return pmm_fail("DMA_BUF_IOCTL_SYNC", errno);
		}
		if (o.vgem) {
			struct drm_prime_handle prime = { .fd = fd };

			if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) < 0)
				return pmm_fail("DRM_IOCTL_PRIME_FD_TO_HANDLE", errno);
		}
	}
	if (o.until_full) {
		printf("UNREFUSED after %u\n", n);
		return 1;
	}
	if (o.splice)
		return splice_hold(fds[0], maps[0], len, o.fill);
	if (!o.hold) {
		if (o.prot)
			printf("mapped\n");
		printf("ok\n");
		return 0;
	}

	if (o.vgem) {
		/* Only the GEM objects hold the buffers now. */
		for (i = 0; i < n; i++) {
			if (o.prot)
				munmap(maps[i], len);
			close(fds[i]);
		}
	}
	pmm_wait_stdin();
	if (o.fill >= 0 && !o.vgem) {
		for (i = 0; i < n; i++) {
			sync_dmabuf(fds[i], DMA_BUF_SYNC_START);
			if (!check_bytes(maps[i], len, o.fill, i))
				return 1;
			sync_dmabuf(fds[i], DMA_BUF_SYNC_END);
		}
		printf("intact\n");
	}
	return 0;
}
