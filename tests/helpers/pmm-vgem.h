/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the test helpers that import into vgem (pmm-ioctl, pmm-heap) share:
 * finding its DRM card.
 */
#ifndef PMM_VGEM_H
#define PMM_VGEM_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>

/* The DRM card whose driver is vgem, or -1. */
static inline int pmm_open_vgem(void)
{
	char path[64], name[32];
	struct drm_version v;
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

#endif
