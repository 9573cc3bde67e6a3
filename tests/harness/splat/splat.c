// SPDX-License-Identifier: GPL-2.0
/*
 * splat.c - makes the guest kernel report a WARN or an oops on load, so the
 * harness can show that such a run fails even when the command succeeds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static char *mode = "warn";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "warn or oops");

static int __init splat_init(void)
{
	if (!strcmp(mode, "warn")) {
		WARN(1, "deliberate warning for the harness test\n");
		return 0;
	}
	if (!strcmp(mode, "oops")) {
		/* A NULL dereference the compiler cannot see through. */
		int *p = NULL;

		OPTIMIZER_HIDE_VAR(p);
		pr_info("deliberate oops for the harness test: %d\n", *p);
		return 0;
	}
	return -EINVAL;
}

static void __exit splat_exit(void)
{
}

module_init(splat_init);
module_exit(splat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tcptrail harness test: deliberate kernel splats");
