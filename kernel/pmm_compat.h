/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMM - kernel-version differences, in one place, so that each .c file
 * carries one signature per function.  Detected from the headers by Kbuild
 * (PMM_* defines) rather than from LINUX_VERSION_CODE, so that distribution
 * kernels with backports get the right one.
 */
#ifndef _PMM_COMPAT_H
#define _PMM_COMPAT_H

#include <linux/mm.h>

/* devnode callbacks take a const device from 6.2 on. */
#ifdef PMM_DEVNODE_CONST
#define pmm_devnode_dev	const struct device
#else
#define pmm_devnode_dev	struct device
#endif

/* device_type uevent callbacks take a const device from 6.3 on. */
#ifdef PMM_UEVENT_CONST
#define pmm_uevent_dev	const struct device
#else
#define pmm_uevent_dev	struct device
#endif

/* vm_flags became read-only behind vm_flags_set() in 6.3. */
static inline void pmm_vm_flags_set(struct vm_area_struct *vma,
				    vm_flags_t flags)
{
#ifdef PMM_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _PMM_COMPAT_H */
