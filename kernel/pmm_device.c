// SPDX-License-Identifier: GPL-2.0
/*
 * PMM - its platform devices: device-tree nodes compatible with
 * "pmm,pools" (Documentation/devicetree/bindings/pmm.yaml), whose
 * memory-region phandles become pools, or, on a machine without one, a
 * device of PMM's own for the pools parameter.  Each pool's memory is kept
 * coherent for its device through the DMA API: a node without
 * dma-coherent gets cache maintenance.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>

#include "pmm.h"

/* The pools parameter's device: the first node's, else pmm_own_pdev's. */
static struct device *pmm_param_dev;
static struct platform_device *pmm_own_pdev;

/*
 * One memory-region of a node: a no-map region is a carveout (the kernel
 * has no linear map of it), a reusable shared-dma-pool a CMA area the pool
 * takes whole.  A plain reserved region is in the linear map but has no
 * struct pages the kernel lets go of: neither kind.
 */
static int pmm_device_add_region(struct device *dev, int i)
{
	struct device_node *np = dev->of_node, *rnp;
	struct pmm_pool_spec spec = { .dev = dev };
	struct reserved_mem *rmem;
	int ret = -EINVAL;

	if (of_property_read_string_index(np, "memory-region-names", i,
					  &spec.name)) {
		dev_err(dev, "memory-region %d: no name in memory-region-names\n",
			i);
		return -EINVAL;
	}
	rnp = of_parse_phandle(np, "memory-region", i);
	rmem = rnp ? of_reserved_mem_lookup(rnp) : NULL;
	if (!rmem || !rmem->size) {
		dev_err(dev, "pool '%s': memory-region %d (%pOF) is not a reserved-memory region of non-zero size\n",
			spec.name, i, rnp);
		goto out_put_region;
	}
	spec.base = rmem->base;
	spec.size = rmem->size;
	if (of_property_read_bool(rnp, "no-map")) {
		spec.carveout = true;
	} else if (of_property_read_bool(rnp, "reusable") &&
		   of_device_is_compatible(rnp, "shared-dma-pool")) {
		spec.cma_np = np;
		spec.cma_region = i;
	} else {
		dev_err(dev, "pool '%s': memory-region %pOF is neither no-map nor a reusable shared-dma-pool\n",
			spec.name, rnp);
		goto out_put_region;
	}
	ret = pmm_pool_add(&spec);

out_put_region:
	of_node_put(rnp);
	return ret;
}

static int pmm_device_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	int i, n, ret;

	/* Pools can sit anywhere in the physical address space. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	if (!dev->of_node)
		return 0;

	/*
	 * A bad region is logged and skipped: the board keeps the pools
	 * that are right rather than losing all of them to one typo.
	 */
	n = of_count_phandle_with_args(dev->of_node, "memory-region", NULL);
	if (n <= 0)
		dev_err(dev, "no memory-region: the node declares no pools\n");
	for (i = 0; i < n; i++)
		pmm_device_add_region(dev, i);
	if (!pmm_param_dev)
		pmm_param_dev = dev;
	return 0;
}

static const struct of_device_id pmm_of_match[] = {
	{ .compatible = "pmm,pools" },
	{ }
};
MODULE_DEVICE_TABLE(of, pmm_of_match);

/*
 * Probed while the module loads and never unbound: the pools are fixed
 * from then on and outlive nothing that uses them.
 */
static struct platform_driver pmm_driver = {
	.probe = pmm_device_probe,
	.driver = {
		.name = "pmm",
		.of_match_table = pmm_of_match,
		.suppress_bind_attrs = true,
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

/**
 * pmm_device_init() - Bind the device-tree nodes, adding their pools.
 *
 * Context: Module init, before pmm_pools_init().
 * Return: the device for the pools parameter's pools (the first node's, or
 * one PMM creates), or an ERR_PTR() with no pool left.
 */
struct device *pmm_device_init(void)
{
	struct platform_device_info info = {
		.name = "pmm",
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};
	int ret;

	ret = platform_driver_register(&pmm_driver);
	if (ret)
		return ERR_PTR(ret);
	if (pmm_param_dev)
		return pmm_param_dev;

	pmm_own_pdev = platform_device_register_full(&info);
	if (IS_ERR(pmm_own_pdev)) {
		ret = PTR_ERR(pmm_own_pdev);
		pmm_own_pdev = NULL;
		goto out_unregister_driver;
	}
	pmm_param_dev = &pmm_own_pdev->dev;
	return pmm_param_dev;

out_unregister_driver:
	/* The nodes' pools, if any came up, go with their devices. */
	pmm_pools_exit();
	platform_driver_unregister(&pmm_driver);
	return ERR_PTR(ret);
}

/**
 * pmm_device_exit() - Remove PMM's devices and driver.
 *
 * Context: Module exit, after pmm_pools_exit().
 */
void pmm_device_exit(void)
{
	platform_device_unregister(pmm_own_pdev);
	pmm_own_pdev = NULL;
	platform_driver_unregister(&pmm_driver);
	pmm_param_dev = NULL;
}
