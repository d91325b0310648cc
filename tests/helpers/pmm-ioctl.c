// SPDX-License-Identifier: GPL-2.0
/*
 * pmm-ioctl: drive the /dev/pmm/NAME ioctls from the tests, and import a
 * PMM dma-buf into a real importer (vgem; V4L2 is examples/capture-to-pmm).
 *
 * Prints results on stdout, or the errno name of the step that failed;
 * exits 0 on success, 1 on a refused call, 2 on usage errors, 77 when an
 * optional device (vgem) is missing.
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include <unistd.h>

#include "pmm-test.h"
#include "pmm-vgem.h"

#include <drm.h>
#include <linux/pmm.h>

/* How many descriptors this process has open. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int export(int fd, unsigned int flags)
{
	struct pmm_export exp = { .flags = flags };

	if (ioctl(fd, PMM_IOC_EXPORT, &exp) < 0)
		return -errno;
	return exp.fd;
}

/*
 * Import an export into vgem (DRM PRIME).  With @hold, close the dma-buf
 * and the node so that only the GEM object refers to the buffer, and keep
 * it until EOF on stdin.
 */
static int cmd_vgem(int fd, bool hold)
{
	struct drm_prime_handle prime = { 0 };
	struct drm_gem_close gclose = { 0 };
	int card, dmabuf;

	card = pmm_open_vgem();
	if (card < 0) {
		printf("SKIP no vgem device\n");
		return 77;
	}
	dmabuf = export(fd, O_RDWR | O_CLOEXEC);
	if (dmabuf < 0)
		return pmm_fail("export", -dmabuf);
	prime.fd = dmabuf;
	if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) < 0)
		return pmm_fail("DRM_IOCTL_PRIME_FD_TO_HANDLE", errno);
	close(dmabuf);
	if (hold) {
		close(fd);
		pmm_wait_stdin();
	} else {
		printf("handle=%u\n", prime.handle);
	}
	gclose.handle = prime.handle;
	if (ioctl(card, DRM_IOCTL_GEM_CLOSE, &gclose) < 0)
		return pmm_fail("DRM_IOCTL_GEM_CLOSE", errno);
	close(card);
	return 0;
}

#define PMM_TEST_API "/sys/kernel/debug/pmm_test_api"

/*
 * UPBuffer: hand the test module a pointer into a mapping, as a process
 * would hand one to a driver, for a device that does @dir ("to-device",
 * "from-device" or "both"), and print what the kernel found.  With @hold,
 * keep the lock until EOF on stdin.
 */
static int upbuf(unsigned char *p, unsigned long long offset,
		 unsigned long long len, const char *dir, bool hold)
{
	char cmd[128], res[128];
	ssize_t n;
	int api;

	api = open(PMM_TEST_API, O_RDWR);
	if (api < 0) {
		printf("SKIP no " PMM_TEST_API "\n");
		return 77;
	}
	snprintf(cmd, sizeof(cmd), "user %#lx %llu shared %s",
		 (unsigned long)(p + offset), len, dir);
	if (write(api, cmd, strlen(cmd)) < 0)
		return pmm_fail("lookup", errno);
	n = pread(api, res, sizeof(res) - 1, 0);
	if (n < 0)
		return pmm_fail("read", errno);
	res[n] = '\0';
	if (hold) {
		/* "ready" first: that is what pmm_bg waits for. */
		printf("ready\n%s", res);
		fflush(stdout);
		while (read(0, res, sizeof(res)) > 0)
			;
	} else {
		printf("%s", res);
	}
	if (write(api, "put", 3) < 0)
		return pmm_fail("put", errno);
	close(api);
	return 0;
}

/* "rw", "r" or "w": the protection of an upbuf mapping. */
static int upbuf_prot(const char *s)
{
	if (!strcmp(s, "r"))
		return PROT_READ;
	if (!strcmp(s, "w"))
		return PROT_WRITE;
	if (!strcmp(s, "rw"))
		return PROT_READ | PROT_WRITE;
	fprintf(stderr, "pmm-ioctl: bad protection '%s' (r, w or rw)\n", s);
	exit(2);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pmm-ioctl [-r|--readonly] [-w|--writeonly] COMMAND NODE [ARGS]\n"
		"  (NODE is opened O_RDWR, or O_RDONLY / O_WRONLY)\n"
		"  info NODE [FLAGS]                  PMM_IOC_INFO\n"
		"  lock NODE FLAGS [PAD]              PMM_IOC_LOCK, then wait for EOF\n"
		"  unlock NODE                        PMM_IOC_UNLOCK without a lock\n"
		"  relock NODE FLAGS                  lock twice on one file\n"
		"  sync NODE OFFSET LENGTH FLAGS [PAD] PMM_IOC_SYNC\n"
		"  export NODE FLAGS [FD]             PMM_IOC_EXPORT, then wait for EOF\n"
		"  dmabuf-check NODE BYTE             mmap an export, check every byte\n"
		"  dmabuf-map NODE FLAGS PROT         export with FLAGS, mmap it PROT (r, w, rw)\n"
		"  vgem NODE                          import an export into vgem\n"
		"  vgem-hold NODE                     ... and hold only that until EOF\n"
		"  upbuf NODE OFFSET LEN [PROT [DIR]] UPBuffer lookup in a mapping of NODE\n"
		"                                     (PROT r, w or rw; DIR to-device,\n"
		"                                     from-device or both: default rw both)\n"
		"  upbuf-hold NODE OFFSET LEN [PROT [DIR]]  ... and hold the lock until EOF\n"
		"  export-efault NODE                 PMM_IOC_EXPORT into read-only memory;\n"
		"                                     print the open fds before and after\n"
		"  upbuf-anon NODE                    UPBuffer lookup in anonymous memory\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "readonly", no_argument, NULL, 'r' },
		{ "writeonly", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int oflags = O_RDWR, c, fd;
	const char *cmd, *node;

	/* '+': options end at the command, whose arguments may be numbers. */
	while ((c = getopt_long(argc, argv, "+rw", opts, NULL)) != -1) {
		switch (c) {
		case 'r': oflags = O_RDONLY; break;
		case 'w': oflags = O_WRONLY; break;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	node = argv[2];
	fd = open(node, oflags | O_CLOEXEC);
	if (fd < 0)
		return pmm_fail("open", errno);

	if (!strcmp(cmd, "info")) {
		struct pmm_info info = { 0 };

		if (argc > 3)
			info.flags = pmm_number(argv[3]);
		if (ioctl(fd, PMM_IOC_INFO, &info) < 0)
			return pmm_fail("PMM_IOC_INFO", errno);
		printf("size=%llu align=%llu boundary=%llu phys_addr=%#llx cache=%u memtype=%s\n",
		       (unsigned long long)info.size,
		       (unsigned long long)info.align,
		       (unsigned long long)info.boundary,
		       (unsigned long long)info.phys_addr, info.cache,
		       info.memtype);
	} else if (!strcmp(cmd, "lock") && argc > 3) {
		struct pmm_lock lock = { .flags = pmm_number(argv[3]) };

		if (argc > 4)
			lock.__pad = pmm_number(argv[4]);
		if (ioctl(fd, PMM_IOC_LOCK, &lock) < 0)
			return pmm_fail("PMM_IOC_LOCK", errno);
		pmm_wait_stdin();
		return 0;
	} else if (!strcmp(cmd, "unlock")) {
		if (ioctl(fd, PMM_IOC_UNLOCK) < 0)
			return pmm_fail("PMM_IOC_UNLOCK", errno);
	} else if (!strcmp(cmd, "relock") && argc > 3) {
		struct pmm_lock lock = { .flags = pmm_number(argv[3]) };

		if (ioctl(fd, PMM_IOC_LOCK, &lock) < 0)
			return pmm_fail("first PMM_IOC_LOCK", errno);
		if (ioctl(fd, PMM_IOC_LOCK, &lock) < 0)
			return pmm_fail("second PMM_IOC_LOCK", errno);
	} else if (!strcmp(cmd, "sync") && argc > 5) {
		struct pmm_sync sync = {
			.offset = pmm_number(argv[3]),
			.length = pmm_number(argv[4]),
			.flags = pmm_number(argv[5]),
		};

		if (argc > 6)
			sync.__pad = pmm_number(argv[6]);
		if (ioctl(fd, PMM_IOC_SYNC, &sync) < 0)
			return pmm_fail("PMM_IOC_SYNC", errno);
	} else if (!strcmp(cmd, "export") && argc > 3) {
		struct pmm_export exp = { .flags = pmm_number(argv[3]) };

		if (argc > 4)
			exp.fd = pmm_number(argv[4]);
		if (ioctl(fd, PMM_IOC_EXPORT, &exp) < 0)
			return pmm_fail("PMM_IOC_EXPORT", errno);
		close(fd);
		pmm_wait_stdin();
		return 0;
	} else if (!strcmp(cmd, "dmabuf-check") && argc > 3) {
		int byte = pmm_number(argv[3]), dmabuf;
		off_t size = lseek(fd, 0, SEEK_END);
		unsigned char *p;
		off_t i;

		dmabuf = export(fd, O_RDWR | O_CLOEXEC);
		if (dmabuf < 0)
			return pmm_fail("export", -dmabuf);
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, dmabuf, 0);
		if (p == MAP_FAILED)
			return pmm_fail("mmap dma-buf", errno);
		for (i = 0; i < size; i++) {
			if (p[i] != byte) {
				printf("MISMATCH at %lld: %#x\n", (long long)i, p[i]);
				return 1;
			}
		}
	} else if (!strncmp(cmd, "upbuf", 5) && strcmp(cmd, "upbuf-anon") &&
		   argc > 4) {
		off_t size = lseek(fd, 0, SEEK_END);
		int prot = argc > 5 ? upbuf_prot(argv[5]) : PROT_READ | PROT_WRITE;
		unsigned char *p;

		/* Any node: a PMM buffer, or another driver's (/dev/zero). */
		if (size <= 0)
			size = 65536;
		p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return pmm_fail("mmap", errno);
		return upbuf(p, pmm_number(argv[3]), pmm_number(argv[4]),
			     argc > 6 ? argv[6] : "both",
			     !strcmp(cmd, "upbuf-hold"));
	} else if (!strcmp(cmd, "dmabuf-map") && argc > 4) {
		off_t size = lseek(fd, 0, SEEK_END);
		int dmabuf = export(fd, pmm_number(argv[3]));

		if (dmabuf < 0)
			return pmm_fail("export", -dmabuf);
		if (mmap(NULL, size, upbuf_prot(argv[4]), MAP_SHARED, dmabuf, 0) ==
		    MAP_FAILED)
			return pmm_fail("mmap dma-buf", errno);
	} else if (!strcmp(cmd, "export-efault")) {
		/* The argument is readable but not writable: copy-out fails. */
		struct pmm_export *exp = mmap(NULL, 4096, PROT_READ,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int before = count_fds(), after;

		if (exp == MAP_FAILED)
			return pmm_fail("mmap", errno);
		if (ioctl(fd, PMM_IOC_EXPORT, exp) == 0) {
			printf("SUCCEEDED\n");
			return 1;
		}
		if (errno != EFAULT)
			return pmm_fail("PMM_IOC_EXPORT", errno);
		after = count_fds();
		printf("EFAULT fds before=%d after=%d\n", before, after);
		return 0;
	} else if (!strcmp(cmd, "upbuf-anon")) {
		unsigned char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return pmm_fail("mmap", errno);
		p[0] = 1;
		return upbuf(p, 0, 4096, "both", false);
	} else if (!strcmp(cmd, "vgem")) {
		return cmd_vgem(fd, false);
	} else if (!strcmp(cmd, "vgem-hold")) {
		return cmd_vgem(fd, true);
	} else {
		usage(stderr);
		return 2;
	}
	printf("ok\n");
	return 0;
}
