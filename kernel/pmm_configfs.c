// SPDX-License-Identifier: GPL-2.0
/*
 * PMM configfs tree: /sys/kernel/config/pmm/{buffers,pools}.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/module.h>

#include "pmm.h"

static const struct config_item_type pmm_buffers_type = {
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type pmm_pools_type = {
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type pmm_subsys_type = {
	.ct_owner = THIS_MODULE,
};

static struct config_group pmm_buffers_group;
static struct config_group pmm_pools_group;

static struct configfs_subsystem pmm_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "pmm",
			.ci_type = &pmm_subsys_type,
		},
	},
};

/**
 * pmm_configfs_init() - Register the pmm configfs subsystem.
 *
 * Context: Module init, process context.
 * Return: 0 on success or a negative errno from configfs.
 */
int pmm_configfs_init(void)
{
	int ret;

	config_group_init(&pmm_subsys.su_group);
	mutex_init(&pmm_subsys.su_mutex);

	config_group_init_type_name(&pmm_buffers_group, "buffers",
				    &pmm_buffers_type);
	configfs_add_default_group(&pmm_buffers_group, &pmm_subsys.su_group);

	config_group_init_type_name(&pmm_pools_group, "pools",
				    &pmm_pools_type);
	configfs_add_default_group(&pmm_pools_group, &pmm_subsys.su_group);

	ret = configfs_register_subsystem(&pmm_subsys);
	if (ret)
		pr_err("cannot register configfs subsystem: %d\n", ret);
	return ret;
}

/**
 * pmm_configfs_exit() - Unregister the pmm configfs subsystem.
 *
 * Context: Module exit, process context.
 */
void pmm_configfs_exit(void)
{
	configfs_unregister_subsystem(&pmm_subsys);
}
