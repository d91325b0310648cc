// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-mmap: what the PMM tests need that a shell cannot do - mmap a
 * buffer node with given flags and bounds, mremap it, access memory
 * through a mapping, hold a mapping open, and pin it with
 * get_user_pages (process_vm_readv), and take page references that outlive
 * the mapping: vmsplice(2) into a pipe, an O_DIRECT read in flight.
 *
 * Prints "ok" or the errno name (e.g. "EINVAL") of the step that failed;
 * exits 0 on success, 1 on a refused call, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pmm-test.h"

/* Print what @len bytes at @p hold: "all 0xNN", or the first difference. */
static void describe(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 1; i < len && p[i] == p[0]; i++)
		;
	if (!len)
		printf("empty\n");
	else if (i == len)
		printf("%zu bytes: all %#04x\n", len, p[0]);
	else
		printf("%zu bytes: %#04x, then %#04x at %zu\n", len, p[0], p[i], i);
}

struct direct_read {
	int fd;
	void *buf;
	size_t len;
	pid_t tid;
	ssize_t ret;
	int err;
};

static void *direct_read_thread(void *arg)
{
	struct direct_read *dr = arg;

	__atomic_store_n(&dr->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	dr->ret = pread(dr->fd, dr->buf, dr->len, 0);
	dr->err = errno;
	return NULL;
}

/* The state letter of thread @tid of this process (R, S, D, ...). */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] ? p[2] : '?';
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-mmap [options] COMMAND NODE [ARGS]\n"
		"  map NODE                map (see --offset, --length, --private)\n"
		"  mremap NODE NEWLEN      map, then try to grow with mremap\n"
		"  fill NODE BYTE          map, set every byte to BYTE\n"
		"  check NODE BYTE         map, verify every byte equals BYTE\n"
		"  hold NODE               map, print 'ready', wait for EOF on stdin\n"
		"  memcpy NODE             map, memset it and memcpy to odd addresses\n"
		"                          (what Device memory faults on), verify\n"
		"  gup NODE                map, read it with process_vm_readv\n"
		"  direct NODE FILE        map, write the mapping to FILE with O_DIRECT\n"
		"  splice NODE             map, vmsplice the mapping into a pipe, unmap,\n"
		"                          close, print 'ready', wait for EOF on stdin,\n"
		"                          then read the pipe and print what it holds\n"
		"  direct-read NODE DEV    map, O_DIRECT read DEV into the mapping in a\n"
		"                          thread; once it blocks, unmap, close, print\n"
		"                          'ready', wait for EOF, print the read's result\n"
		"options:\n"
		"  -o, --offset N          mmap offset (default 0)\n"
		"  -l, --length N          mmap length (default: the node's size)\n"
		"  -p, --private           MAP_PRIVATE instead of MAP_SHARED\n"
		"  -c, --close             close the fd right after mmap\n"
		"  -r, --readonly          open O_RDONLY and map PROT_READ\n");
}

/* The node's size: what read() can return, found with lseek. */
static off_t node_size(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);

	lseek(fd, 0, SEEK_SET);
	return size;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ "private", no_argument, NULL, 'p' },
		{ "close", no_argument, NULL, 'c' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long offset = 0, length = 0;
	int flags = MAP_SHARED, prot = PROT_READ | PROT_WRITE;
	int oflags = O_RDWR, close_fd = 0, c, fd;
	const char *cmd, *node;
	unsigned char *p;
	size_t i;

	while ((c = getopt_long(argc, argv, "o:l:pcrh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': offset = pmm_number(optarg); break;
		case 'l': length = pmm_number(optarg); break;
		case 'p': flags = MAP_PRIVATE; break;
		case 'c': close_fd = 1; break;
		case 'r': oflags = O_RDONLY; prot = PROT_READ; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	node = argv[optind + 1];

	fd = open(node, oflags);
	if (fd < 0)
		return pmm_fail("open", errno);
	if (!length)
		length = node_size(fd);

	p = mmap(NULL, length, prot, flags, fd, offset);
	if (p == MAP_FAILED)
		return pmm_fail("mmap", errno);
	if (close_fd)
		close(fd);

	if (!strcmp(cmd, "map")) {
		/* Touch the first and last page: the mapping must be backed. */
		volatile unsigned char x = p[0] + p[length - 1];

		(void)x;
	} else if (!strcmp(cmd, "mremap")) {
		void *q;

		if (argc - optind < 3)
			return usage(stderr), 2;
		q = mremap(p, length, pmm_number(argv[optind + 2]), MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return pmm_fail("mremap", errno);
	} else if (!strcmp(cmd, "fill") || !strcmp(cmd, "check")) {
		int byte;

		if (argc - optind < 3)
			return usage(stderr), 2;
		byte = pmm_number(argv[optind + 2]);
		for (i = 0; i < length; i++) {
			if (cmd[0] == 'f') {
				p[i] = byte;
			} else if (p[i] != byte) {
				printf("MISMATCH at %zu: %#x\n", i, p[i]);
				return 1;
			}
		}
	} else if (!strcmp(cmd, "hold")) {
		pmm_wait_stdin();
	} else if (!strcmp(cmd, "memcpy")) {
		/*
		 * The C library's memset and memcpy use wide, unaligned
		 * accesses and (arm64) DC ZVA: what a program does with a
		 * buffer, and what memory types for MMIO refuse.
		 */
		static const char text[] = "an unaligned copy into the buffer";
		size_t off;

		memset(p, 0x5a, length);
		for (off = 1; off + sizeof(text) < length; off += 4099)
			memcpy(p + off, text, sizeof(text));
		for (off = 1; off + sizeof(text) < length; off += 4099)
			if (memcmp(p + off, text, sizeof(text))) {
				printf("MISMATCH at %zu\n", off);
				return 1;
			}
		if (p[0] != 0x5a || p[length - 1] != 0x5a) {
			printf("MISMATCH after memset\n");
			return 1;
		}
	} else if (!strcmp(cmd, "gup")) {
		/* process_vm_readv pins the source pages with GUP, like O_DIRECT. */
		unsigned char *dst = malloc(length);
		struct iovec local = { dst, length }, remote = { p, length };
		ssize_t n;

		if (!dst)
			return pmm_fail("malloc", ENOMEM);
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n < 0)
			return pmm_fail("process_vm_readv", errno);
		if ((size_t)n != length || memcmp(dst, p, length)) {
			printf("SHORT\n");
			return 1;
		}
	} else if (!strcmp(cmd, "direct")) {
		/* O_DIRECT I/O targets the mapping's pages themselves. */
		int out;
		ssize_t n;

		if (argc - optind < 3)
			return usage(stderr), 2;
		out = open(argv[optind + 2], O_WRONLY | O_DIRECT);
		if (out < 0)
			return pmm_fail("open O_DIRECT", errno);
		n = write(out, p, length);
		if (n < 0)
			return pmm_fail("write O_DIRECT", errno);
		if ((size_t)n != length) {
			printf("SHORT\n");
			return 1;
		}
		close(out);
	} else if (!strcmp(cmd, "splice")) {
		/*
		 * The pipe holds references to the mapping's pages (not a
		 * copy) for as long as it lives, after munmap and close.
		 */
		struct iovec iov = { p, length };
		unsigned char *dst;
		int pfd[2];
		ssize_t n;
		size_t got = 0;

		if (pipe(pfd))
			return pmm_fail("pipe", errno);
		if (fcntl(pfd[1], F_SETPIPE_SZ, (int)length) < 0)
			return pmm_fail("F_SETPIPE_SZ", errno);
		n = vmsplice(pfd[1], &iov, 1, 0);
		if (n < 0)
			return pmm_fail("vmsplice", errno);
		if ((size_t)n != length) {
			printf("SHORT\n");
			return 1;
		}
		munmap(p, length);
		close(fd);
		pmm_wait_stdin();
		dst = malloc(length);
		if (!dst)
			return pmm_fail("malloc", ENOMEM);
		while (got < length && (n = read(pfd[0], dst + got, length - got)) > 0)
			got += n;
		describe(dst, got);
		return 0;
	} else if (!strcmp(cmd, "direct-read")) {
		struct direct_read dr = { .buf = p, .len = length };
		pthread_t t;
		int i;

		if (argc - optind < 3)
			return usage(stderr), 2;
		dr.fd = open(argv[optind + 2], O_RDONLY | O_DIRECT);
		if (dr.fd < 0)
			return pmm_fail("open O_DIRECT", errno);
		if (pthread_create(&t, NULL, direct_read_thread, &dr))
			return pmm_fail("pthread_create", EAGAIN);
		/* Blocked in the read (D): the pages are pinned for the I/O. */
		for (i = 0; i < 1000; i++) {
			pid_t tid = __atomic_load_n(&dr.tid, __ATOMIC_ACQUIRE);

			if (tid && thread_state(tid) == 'D')
				break;
			usleep(10000);
		}
		if (i == 1000) {
			printf("NOTBLOCKED\n");
			return 1;
		}
		munmap(p, length);
		close(fd);
		pmm_wait_stdin();
		pthread_join(t, NULL);
		if (dr.ret < 0)
			return pmm_fail("pread O_DIRECT", dr.err);
		printf("read %zd bytes\n", dr.ret);
		return 0;
	} else {
		usage(stderr);
		return 2;
	}
	printf("ok\n");
	return 0;
}
