// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-mmap: what the PMM tests need that a shell cannot do - mmap a
 * buffer node with given flags and bounds, mremap it, access memory
 * through a mapping, hold a mapping open, and pin it with
 * get_user_pages (process_vm_readv).
 *
 * Prints "ok" or the errno name (e.g. "EINVAL") of the step that failed;
 * exits 0 on success, 1 on a refused call, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-mmap [options] COMMAND NODE [ARGS]\n"
		"  map NODE                map (see --offset, --length, --private)\n"
		"  mremap NODE NEWLEN      map, then try to grow with mremap\n"
		"  fill NODE BYTE          map, set every byte to BYTE\n"
		"  check NODE BYTE         map, verify every byte equals BYTE\n"
		"  hold NODE               map, print 'ready', wait for EOF on stdin\n"
		"  gup NODE                map, read it with process_vm_readv\n"
		"  direct NODE FILE        map, write the mapping to FILE with O_DIRECT\n"
		"options:\n"
		"  -o, --offset N          mmap offset (default 0)\n"
		"  -l, --length N          mmap length (default: the node's size)\n"
		"  -p, --private           MAP_PRIVATE instead of MAP_SHARED\n"
		"  -c, --close             close the fd right after mmap\n"
		"  -r, --readonly          open O_RDONLY and map PROT_READ\n");
}

static int fail(const char *what, int err)
{
	printf("%s\n", strerrorname_np(err) ? strerrorname_np(err) : "E?");
	fprintf(stderr, "pmm-mmap: %s: %s\n", what, strerror(err));
	return 1;
}

static unsigned long long number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "pmm-mmap: bad number '%s'\n", s);
		exit(2);
	}
	return v;
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
		case 'o': offset = number(optarg); break;
		case 'l': length = number(optarg); break;
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
		return fail("open", errno);
	if (!length)
		length = node_size(fd);

	p = mmap(NULL, length, prot, flags, fd, offset);
	if (p == MAP_FAILED)
		return fail("mmap", errno);
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
		q = mremap(p, length, number(argv[optind + 2]), MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return fail("mremap", errno);
	} else if (!strcmp(cmd, "fill") || !strcmp(cmd, "check")) {
		int byte;

		if (argc - optind < 3)
			return usage(stderr), 2;
		byte = number(argv[optind + 2]);
		for (i = 0; i < length; i++) {
			if (cmd[0] == 'f') {
				p[i] = byte;
			} else if (p[i] != byte) {
				printf("MISMATCH at %zu: %#x\n", i, p[i]);
				return 1;
			}
		}
	} else if (!strcmp(cmd, "hold")) {
		char b;

		printf("ready\n");
		fflush(stdout);
		while (read(0, &b, 1) > 0)
			;
	} else if (!strcmp(cmd, "gup")) {
		/* process_vm_readv pins the source pages with GUP, like O_DIRECT. */
		unsigned char *dst = malloc(length);
		struct iovec local = { dst, length }, remote = { p, length };
		ssize_t n;

		if (!dst)
			return fail("malloc", ENOMEM);
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n < 0)
			return fail("process_vm_readv", errno);
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
			return fail("open O_DIRECT", errno);
		n = write(out, p, length);
		if (n < 0)
			return fail("write O_DIRECT", errno);
		if ((size_t)n != length) {
			printf("SHORT\n");
			return 1;
		}
		close(out);
	} else {
		usage(stderr);
		return 2;
	}
	printf("ok\n");
	return 0;
}
