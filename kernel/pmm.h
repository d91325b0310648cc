/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMM - physical memory manager: internal interfaces shared by the module's
 * translation units.
 */
#ifndef _PMM_H
#define _PMM_H

#include <linux/configfs.h>
#include <linux/device.h>

extern struct class pmm_class;

int pmm_configfs_init(void);
void pmm_configfs_exit(void);

#endif /* _PMM_H */
