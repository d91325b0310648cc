// SPDX-License-Identifier: GPL-2.0
/*
 * capture-to-pmm: V4L2 capture straight into PMM buffers.
 *
 * Each named PMM buffer becomes one V4L2 buffer of the capture queue
 * (V4L2_MEMORY_DMABUF): PMM exports it as a dma-buf (PMM_IOC_EXPORT), the
 * capture driver writes frames into it, and the application reads them
 * through /dev/pmm/NAME, with no copy in between.  This is how a decoder
 * or camera fills buffers a board file declared.
 *
 *   usage: capture-to-pmm [-d /dev/videoN] [-n FRAMES] [-s WxH] NAME...
 *          capture-to-pmm [-d /dev/videoN] [-n FRAMES] [-s WxH]
 *                         -H /dev/dma_heap/pmm-POOL [-b BUFFERS]
 *
 * Without -d the first capture device is used.  Prints one line per frame
 * ("frame N: NAME bytesused B"); exits 0 when every frame arrived.
 *
 * With -H the buffers are not declared ones but anonymous allocations from
 * a pool's DMA-BUF heap, as a media framework makes them: one frame each,
 * read through their own mapping, and each frame line also counts the
 * bytes of the frame that are not zero ("nonzero N") and those after it
 * that are ("beyond N": the driver wrote past the frame).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/pmm.h>
#include <linux/videodev2.h>

#define MAX_BUFS 16

struct pmm_slot {
	const char *name;
	int pmm_fd;	/* /dev/pmm/NAME */
	int dmabuf_fd;	/* its export, queued to V4L2 */
	size_t size;
	unsigned char *map;	/* a heap buffer's mapping */
};

static int die(const char *what)
{
	fprintf(stderr, "capture-to-pmm: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The first /dev/videoN that can capture, or -1. */
static int open_capture(char *path, size_t len)
{
	struct v4l2_capability cap;
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, len, "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return fd;
		close(fd);
	}
	return -1;
}

/* Open a PMM buffer by name and export it as a dma-buf. */
static int pmm_slot_open(struct pmm_slot *s, const char *name)
{
	struct pmm_export exp = { .flags = O_RDWR | O_CLOEXEC };
	struct pmm_info info = { 0 };
	char path[128];

	s->name = name;
	snprintf(path, sizeof(path), "/dev/pmm/%s", name);
	s->pmm_fd = open(path, O_RDWR | O_CLOEXEC);
	if (s->pmm_fd < 0)
		return die(path);
	if (ioctl(s->pmm_fd, PMM_IOC_INFO, &info) < 0)
		return die("PMM_IOC_INFO");
	if (ioctl(s->pmm_fd, PMM_IOC_EXPORT, &exp) < 0)
		return die("PMM_IOC_EXPORT");
	s->size = info.size;
	s->dmabuf_fd = exp.fd;
	return 0;
}

/* Allocate one frame's buffer from a DMA-BUF heap and map it. */
static int heap_slot_open(struct pmm_slot *s, int heap, size_t size,
			  unsigned int i)
{
	struct dma_heap_allocation_data alloc = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	static char names[MAX_BUFS][16];
	size_t page = sysconf(_SC_PAGESIZE);

	/* The heap rounds up to pages: map, and check, all of it. */
	size = (size + page - 1) / page * page;
	alloc.len = size;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc) < 0)
		return die("DMA_HEAP_IOCTL_ALLOC");
	snprintf(names[i], sizeof(names[i]), "heap-%u", i);
	s->name = names[i];
	s->pmm_fd = -1;
	s->dmabuf_fd = alloc.fd;
	s->size = size;
	s->map = mmap(NULL, size, PROT_READ, MAP_SHARED, alloc.fd, 0);
	if (s->map == MAP_FAILED)
		return die("mmap");
	return 0;
}

/* Read a captured frame from a heap buffer: count what the driver wrote. */
static void heap_slot_count(const struct pmm_slot *s, size_t used)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	size_t i, nonzero = 0, beyond = 0;

	ioctl(s->dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync);
	for (i = 0; i < s->size; i++) {
		if (s->map[i] && i < used)
			nonzero++;
		else if (s->map[i])
			beyond++;
	}
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(s->dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync);
	printf(" nonzero %zu beyond %zu", nonzero, beyond);
}

static int queue(int vid, struct pmm_slot *s, unsigned int index)
{
	struct v4l2_buffer vb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.index = index,
		.length = s->size,
	};

	vb.m.fd = s->dmabuf_fd;
	return ioctl(vid, VIDIOC_QBUF, &vb);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "frames", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "heap", required_argument, NULL, 'H' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pmm_slot slots[MAX_BUFS];
	struct v4l2_requestbuffers req = { 0 };
	struct v4l2_format fmt = { 0 };
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int width = 320, height = 240, frames = 3, n, i, nbufs = 4;
	const char *heap_path = NULL;
	char path[64] = "";
	int c, vid, heap = -1;

	while ((c = getopt_long(argc, argv, "d:n:s:H:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': snprintf(path, sizeof(path), "%s", optarg); break;
		case 'n': frames = strtoul(optarg, NULL, 0); break;
		case 'H': heap_path = optarg; break;
		case 'b': nbufs = strtoul(optarg, NULL, 0); break;
		case 's':
			if (sscanf(optarg, "%ux%u", &width, &height) != 2)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	n = heap_path ? nbufs : (unsigned int)(argc - optind);
	if (n < 1 || n > MAX_BUFS || (heap_path && argc > optind))
		goto usage;
	if (heap_path) {
		heap = open(heap_path, O_RDONLY | O_CLOEXEC);
		if (heap < 0)
			return die(heap_path);
	}

	vid = path[0] ? open(path, O_RDWR | O_CLOEXEC) :
			open_capture(path, sizeof(path));
	if (vid < 0) {
		fprintf(stderr, "capture-to-pmm: no capture device\n");
		return 1;
	}

	/* Ask for a format; the driver answers with what it will deliver. */
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = width;
	fmt.fmt.pix.height = height;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(vid, VIDIOC_S_FMT, &fmt) < 0)
		return die("VIDIOC_S_FMT");
	printf("%s: %ux%u, %u bytes per frame\n", path, fmt.fmt.pix.width,
	       fmt.fmt.pix.height, fmt.fmt.pix.sizeimage);

	for (i = 0; i < n; i++) {
		if (heap >= 0) {
			if (heap_slot_open(&slots[i], heap, fmt.fmt.pix.sizeimage, i))
				return 1;
			continue;
		}
		if (pmm_slot_open(&slots[i], argv[optind + i]))
			return 1;
		if (slots[i].size < fmt.fmt.pix.sizeimage) {
			fprintf(stderr, "capture-to-pmm: %s: %zu bytes, a frame needs %u\n",
				slots[i].name, slots[i].size, fmt.fmt.pix.sizeimage);
			return 1;
		}
	}

	/* The queue holds no memory of its own: PMM's dma-bufs are it. */
	req.count = n;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_DMABUF;
	if (ioctl(vid, VIDIOC_REQBUFS, &req) < 0)
		return die("VIDIOC_REQBUFS");
	for (i = 0; i < n; i++)
		if (queue(vid, &slots[i], i) < 0)
			return die("VIDIOC_QBUF");
	if (ioctl(vid, VIDIOC_STREAMON, &type) < 0)
		return die("VIDIOC_STREAMON");

	for (i = 0; i < frames; i++) {
		struct v4l2_buffer vb = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_DMABUF,
		};

		if (ioctl(vid, VIDIOC_DQBUF, &vb) < 0)
			return die("VIDIOC_DQBUF");
		/* Here the frame is in /dev/pmm/NAME for the next stage. */
		printf("frame %u: %s bytesused %u", i, slots[vb.index].name,
		       vb.bytesused);
		if (heap >= 0)
			heap_slot_count(&slots[vb.index], vb.bytesused);
		printf("\n");
		if (i + n < frames && queue(vid, &slots[vb.index], vb.index) < 0)
			return die("VIDIOC_QBUF");
	}

	ioctl(vid, VIDIOC_STREAMOFF, &type);
	req.count = 0;
	ioctl(vid, VIDIOC_REQBUFS, &req);	/* drops V4L2's dma-buf refs */
	for (i = 0; i < n; i++) {
		if (heap >= 0)
			munmap(slots[i].map, slots[i].size);
		else
			close(slots[i].pmm_fd);
		close(slots[i].dmabuf_fd);
	}
	if (heap >= 0)
		close(heap);
	close(vid);
	return 0;

usage:
	fprintf(stderr, "usage: capture-to-pmm [-d /dev/videoN] [-n FRAMES] [-s WxH] NAME...\n"
			"       capture-to-pmm [-d /dev/videoN] [-n FRAMES] [-s WxH] -H HEAP [-b BUFFERS]\n");
	return 2;
}
