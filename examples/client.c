// SPDX-License-Identifier: GPL-2.0
/*
 * client: the pattern a PMM application follows for one frame.
 *
 *   open /dev/pmm/NAME  ->  PMM_IOC_INFO  ->  PMM_IOC_LOCK (exclusive)
 *   ->  mmap  ->  PMM_IOC_SYNC begin  ->  write the frame
 *   ->  PMM_IOC_SYNC end  ->  PMM_IOC_UNLOCK
 *
 * and then reads the frame back under a shared lock, as the next stage of
 * a pipeline (or a second process) would.
 *
 *   usage: client NAME [FRAME_NUMBER]
 *
 * Build: cc -o client client.c   (with <linux/pmm.h> installed, or
 * -I kernel/include/uapi from the PMM sources).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pmm.h>

/* What this example writes at the start of a frame. */
struct frame_header {
	char magic[8];		/* "PMMFRAME" */
	uint32_t number;
	uint32_t payload;	/* bytes of pattern after the header */
};

static int die(const char *what)
{
	fprintf(stderr, "client: %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * The buffer's lock is PMM's transaction lock: while a writer holds it
 * exclusively no other client (or driver using pmm_mem_lock()) sees a
 * half-written frame, and nobody can disable the buffer underneath.
 */
static int lock(int fd, unsigned int flags)
{
	struct pmm_lock l = { .flags = flags };

	return ioctl(fd, PMM_IOC_LOCK, &l);
}

/*
 * Bracket CPU access.  For "cached" buffers this is where caches are
 * cleaned/invalidated for the devices; for writecombine and uncached
 * buffers it costs nothing, so call it unconditionally.
 */
static int sync_range(int fd, size_t len, unsigned int flags)
{
	struct pmm_sync s = { .offset = 0, .length = len, .flags = flags };

	return ioctl(fd, PMM_IOC_SYNC, &s);
}

static uint8_t pattern(uint32_t number, size_t i)
{
	return (uint8_t)(number * 31 + i);
}

int main(int argc, char **argv)
{
	struct pmm_info info = { 0 };
	struct frame_header *hdr;
	char path[128];
	uint32_t number = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
	size_t i, payload, bad = 0;
	uint8_t *map, *data;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: client NAME [FRAME_NUMBER]\n");
		return 2;
	}
	/* Buffers are found by name: the board file declared them. */
	snprintf(path, sizeof(path), "/dev/pmm/%s", argv[1]);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return die(path);
	if (ioctl(fd, PMM_IOC_INFO, &info) < 0)
		return die("PMM_IOC_INFO");
	printf("%s: %llu bytes, cache %s\n", argv[1],
	       (unsigned long long)info.size,
	       info.cache == PMM_CACHE_CACHED ? "cached" :
	       info.cache == PMM_CACHE_UNCACHED ? "uncached" : "writecombine");
	if (info.size < sizeof(*hdr))
		return fprintf(stderr, "client: buffer too small\n"), 1;

	/* The mapping must be MAP_SHARED: it is the device's memory. */
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return die("mmap");
	hdr = (struct frame_header *)map;
	data = map + sizeof(*hdr);
	payload = info.size - sizeof(*hdr);

	/* Produce: exclusive lock, sync for CPU writes, write, sync back. */
	if (lock(fd, 0) < 0)
		return die("PMM_IOC_LOCK");
	if (sync_range(fd, info.size, PMM_SYNC_WRITE) < 0)
		return die("PMM_IOC_SYNC");
	memcpy(hdr->magic, "PMMFRAME", 8);
	hdr->number = number;
	hdr->payload = payload;
	for (i = 0; i < payload; i++)
		data[i] = pattern(number, i);
	if (sync_range(fd, info.size, PMM_SYNC_WRITE | PMM_SYNC_END) < 0)
		return die("PMM_IOC_SYNC");
	if (ioctl(fd, PMM_IOC_UNLOCK) < 0)
		return die("PMM_IOC_UNLOCK");
	printf("wrote frame %u (%zu bytes)\n", number, payload);

	/* Consume: a shared lock lets several readers in at once. */
	if (lock(fd, PMM_LOCK_SHARED) < 0)
		return die("PMM_IOC_LOCK shared");
	if (sync_range(fd, info.size, PMM_SYNC_READ) < 0)
		return die("PMM_IOC_SYNC");
	for (i = 0; i < hdr->payload && i < payload; i++)
		bad += data[i] != pattern(hdr->number, i);
	printf("read frame %u: %s\n", hdr->number,
	       memcmp(hdr->magic, "PMMFRAME", 8) || bad ? "CORRUPT" : "ok");
	sync_range(fd, info.size, PMM_SYNC_READ | PMM_SYNC_END);
	ioctl(fd, PMM_IOC_UNLOCK);

	munmap(map, info.size);
	close(fd);
	return bad ? 1 : 0;
}
