#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# include/uapi/linux/pmm.h is fit to install: it includes only
# <linux/types.h>, <linux/ioctl.h> and, for the O_* flags, the fcntl.h of
# its side, uses no kernel-internal types, and compiles on its own in user
# space, in C and C++, every macro it defines included, with every struct
# laid out without implicit padding.

load ../helpers/common

UAPI=$PMM_PROJECT/kernel/include/uapi/linux/pmm.h

@test "uapi: includes only linux/types.h, linux/ioctl.h and fcntl.h" {
	run grep -E '^#include' "$UAPI"
	assert_output "$(printf '#include <linux/ioctl.h>\n#include <linux/types.h>\n#include <linux/fcntl.h>\n#include <fcntl.h>')"
}

@test "uapi: every macro it defines compiles with only the header included" {
	local macros
	macros=$(sed -nE 's/^#define (PMM_[A-Z0-9_]+).*/\1/p' "$UAPI" | paste -sd,)
	[ -n "$macros" ]
	# In gcc's default dialect, and in strict C99 asking for POSIX.1-2008
	# (where O_CLOEXEC comes from).
	run gcc -Wall -Wextra -Werror -fsyntax-only -I"${UAPI%/linux/pmm.h}" \
		-x c - <<< "#include <linux/pmm.h>
unsigned long long pmm_macros[] = { $macros };"
	assert_success
	run gcc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -fsyntax-only \
		-I"${UAPI%/linux/pmm.h}" -x c - <<< "#include <linux/pmm.h>
unsigned long long pmm_macros[] = { $macros };"
	assert_success
	# ... and the header still defines its flag masks.
	assert_equal "$(grep -c '_VALID_FLAGS' <<< "${macros//,/$'\n'}")" 4
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
