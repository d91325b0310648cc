/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PMM in-kernel API: drivers find the memory of a PMM buffer by name, or by
 * a user address inside a mapping of it (the 2009 RFC's UPBuffer lookup),
 * and lock it for the length of a DMA transaction.  A reference keeps the
 * memory (struct pmm_mem) out of its pool; only a lock keeps the buffer
 * enabled.
 */
#ifndef _LINUX_PMM_H
#define _LINUX_PMM_H

#include <linux/dma-direction.h>
#include <linux/types.h>
#include <uapi/linux/pmm.h>

struct pmm_mem;

struct pmm_mem *pmm_mem_get(const char *name);
void pmm_mem_put(struct pmm_mem *mem);
int pmm_mem_lock(struct pmm_mem *mem, unsigned int flags);
void pmm_mem_unlock(struct pmm_mem *mem, unsigned int flags);
void pmm_mem_region(struct pmm_mem *mem, phys_addr_t *phys, size_t *size);
struct pmm_mem *pmm_mem_lock_user(unsigned long uaddr, size_t len,
				  enum dma_data_direction dir,
				  unsigned int flags, size_t *offset);

#endif /* _LINUX_PMM_H */
