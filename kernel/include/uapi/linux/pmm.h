/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PMM - physical memory manager: ioctls on /dev/pmm/<buffer>.
 */
#ifndef _UAPI_LINUX_PMM_H
#define _UAPI_LINUX_PMM_H

#include <linux/ioctl.h>
#include <linux/types.h>
/*
 * PMM_EXPORT_VALID_FLAGS is made of the open(2) flags O_CLOEXEC and
 * O_ACCMODE, whose values differ between architectures.  <linux/fcntl.h>
 * defines struct flock, as glibc's <fcntl.h> does, so user space takes
 * them from its C library.
 */
#ifdef __KERNEL__
#include <linux/fcntl.h>
#else
#include <fcntl.h>
#endif

/**
 * DOC: PMM user API
 *
 * A buffer is declared and enabled in configfs; these ioctls act on an
 * open /dev/pmm/<buffer>.  Every struct starts with its fields in natural
 * alignment and may grow at the end: the kernel copies the smaller of the
 * caller's and its own size and zero-fills the rest.  Every flags field is
 * checked against a mask of valid bits; unknown bits give -EINVAL.
 */

/* Longest memory type (pool) name, without the terminating NUL. */
#define PMM_NAME_MAX		64

/* Cache modes, as in the buffer's configfs "cache" attribute. */
#define PMM_CACHE_CACHED	0
#define PMM_CACHE_WRITECOMBINE	1
#define PMM_CACHE_UNCACHED	2

/**
 * struct pmm_info - what PMM_IOC_INFO reports about a buffer
 * @size: bytes
 * @align: alignment of the physical address
 * @boundary: 0, or the power of two the buffer does not cross
 * @phys_addr: physical address; 0 unless the caller has CAP_SYS_ADMIN
 * @cache: PMM_CACHE_*
 * @flags: must be 0 on input; reserved
 * @memtype: the pool's name, NUL-terminated
 */
struct pmm_info {
	__u64 size;
	__u64 align;
	__u64 boundary;
	__u64 phys_addr;
	__u32 cache;
	__u32 flags;
	char memtype[PMM_NAME_MAX + 8];
};

#define PMM_INFO_VALID_FLAGS	0

/* Take the lock shared (several holders) rather than exclusive. */
#define PMM_LOCK_SHARED		0x1
/* Fail with -EAGAIN instead of waiting for a conflicting holder. */
#define PMM_LOCK_NONBLOCK	0x2
#define PMM_LOCK_VALID_FLAGS	(PMM_LOCK_SHARED | PMM_LOCK_NONBLOCK)

/**
 * struct pmm_lock - argument of PMM_IOC_LOCK
 * @flags: PMM_LOCK_*
 * @__pad: must be 0
 *
 * A transaction lock on the buffer, held by the open file: shared or
 * exclusive, like flock(2).  An exclusive lock means "I am about to
 * write": like a write lock of fcntl(2) it needs a file opened for writing
 * (-EBADF otherwise); a shared lock needs only read access.  While any
 * lock is held the buffer cannot be disabled, removed or changed.
 * PMM_IOC_UNLOCK or the last close of the file releases it.
 */
struct pmm_lock {
	__u32 flags;
	__u32 __pad;
};

/* The CPU is about to access (begin) or has finished with (end) a range. */
#define PMM_SYNC_READ		0x1
#define PMM_SYNC_WRITE		0x2
#define PMM_SYNC_END		0x4
#define PMM_SYNC_VALID_FLAGS	(PMM_SYNC_READ | PMM_SYNC_WRITE | PMM_SYNC_END)

/**
 * struct pmm_sync - argument of PMM_IOC_SYNC
 * @offset: start of the range, bytes into the buffer
 * @length: bytes; offset + length must lie inside the buffer
 * @flags: PMM_SYNC_READ and/or PMM_SYNC_WRITE, plus PMM_SYNC_END at the end
 *	of an access; at least one direction
 * @__pad: must be 0
 */
struct pmm_sync {
	__u64 offset;
	__u64 length;
	__u32 flags;
	__u32 __pad;
};

#define PMM_EXPORT_VALID_FLAGS	(O_CLOEXEC | O_ACCMODE)

/**
 * struct pmm_export - argument of PMM_IOC_EXPORT
 * @flags: O_CLOEXEC and O_RDONLY/O_WRONLY/O_RDWR for the new file, which
 *	gets no more access than the exporting file has: read access needs
 *	a file opened for reading, write access one opened for writing
 *	(-EACCES otherwise)
 * @fd: out: the dma-buf file descriptor; must be 0 on input
 */
struct pmm_export {
	__u32 flags;
	__u32 fd;
};

#define PMM_IOC_MAGIC		'P'
#define PMM_IOC_INFO		_IOWR(PMM_IOC_MAGIC, 0x0, struct pmm_info)
#define PMM_IOC_LOCK		_IOWR(PMM_IOC_MAGIC, 0x1, struct pmm_lock)
#define PMM_IOC_UNLOCK		_IO(PMM_IOC_MAGIC, 0x2)
#define PMM_IOC_SYNC		_IOWR(PMM_IOC_MAGIC, 0x3, struct pmm_sync)
#define PMM_IOC_EXPORT		_IOWR(PMM_IOC_MAGIC, 0x4, struct pmm_export)

#endif /* _UAPI_LINUX_PMM_H */
