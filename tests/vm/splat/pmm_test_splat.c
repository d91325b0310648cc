// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to WARN when loaded, so the harness's own
 * tests can show that a kernel warning in the guest fails the run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/module.h>

static int __init pmm_test_splat_init(void)
{
	WARN(1, "deliberate warning for the harness self-test\n");
	return 0;
}

static void __exit pmm_test_splat_exit(void)
{
}

module_init(pmm_test_splat_init);
module_exit(pmm_test_splat_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PMM test harness: WARN on load");
