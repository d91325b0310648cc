#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# include/uapi/linux/pmm.h is fit to install: it includes only
# <linux/types.h> and <linux/ioctl.h>, uses no kernel-internal types, and
# compiles on its own in user space, in C and C++, with every struct laid
# out without implicit padding.

load ../helpers/common

UAPI=$PMM_PROJECT/kernel/include/uapi/linux/pmm.h

@test "uapi: includes only linux/types.h and linux/ioctl.h" {
	run grep -E '^#include' "$UAPI"
	assert_output "$(printf '#include <linux/ioctl.h>\n#include <linux/types.h>')"
}

@test "uapi: no kernel-internal types (u8..u64, s32, bool, size_t)" {
	run grep -nE '\b(u8|u16|u32|u64|s8|s16|s32|s64|bool|size_t|phys_addr_t|dma_addr_t)\b' "$UAPI"
	assert_failure
}

@test "uapi: compiles alone in user space as C and C++" {
	run gcc -std=c99 -Wall -Wextra -Werror -fsyntax-only -I"${UAPI%/linux/pmm.h}" \
		-x c - <<< '#include <linux/pmm.h>
int main(void) { return PMM_IOC_INFO != 0 ? 0 : 1; }'
	assert_success
	run g++ -Wall -Werror -fsyntax-only -I"${UAPI%/linux/pmm.h}" -x c++ - <<< '#include <linux/pmm.h>'
	assert_success
}

@test "uapi: structs have no implicit padding and keep their sizes" {
	run gcc -Wall -Werror -Wpadded -fsyntax-only -I"${UAPI%/linux/pmm.h}" -x c - <<< '#include <linux/pmm.h>
_Static_assert(sizeof(struct pmm_info) == 112, "pmm_info");
_Static_assert(sizeof(struct pmm_lock) == 8, "pmm_lock");
_Static_assert(sizeof(struct pmm_sync) == 24, "pmm_sync");
_Static_assert(sizeof(struct pmm_export) == 8, "pmm_export");'
	assert_success
}
