// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - tcptrail: every TCP state transition, with ISNs, seq/ack,
 * windows, timing and owner, in per-CPU rings read through /proc/net/tcptrail/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>

#include "tcptrail.h"

unsigned int tt_ring_size = 4096;
module_param_named(ring_size, tt_ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "events per CPU ring, 64..1048576, rounded up to a power of two (default 4096)");

static unsigned int tt_table_size = 16384;
module_param_named(conns, tt_table_size, uint, 0444);
MODULE_PARM_DESC(conns,
		 "connections tracked at once, 64..4194304 (default 16384)");

static char *tt_hook = "auto";
module_param_named(hook, tt_hook, charp, 0444);
MODULE_PARM_DESC(hook, "auto (tracepoint, else kprobe), tracepoint or kprobe");

struct tt_table tt_conns;

static int tt_parse_params(enum tt_hook_mode *mode)
{
	if (!strcmp(tt_hook, "auto")) {
		*mode = TT_HOOK_AUTO;
	} else if (!strcmp(tt_hook, "tracepoint")) {
		*mode = TT_HOOK_TRACEPOINT;
	} else if (!strcmp(tt_hook, "kprobe")) {
		*mode = TT_HOOK_KPROBE;
	} else {
		pr_err("hook=%s: expected auto, tracepoint or kprobe\n",
		       tt_hook);
		return -EINVAL;
	}
	if (tt_ring_size < 64 || tt_ring_size > (1U << 20)) {
		pr_err("ring_size=%u: expected 64..1048576\n", tt_ring_size);
		return -EINVAL;
	}
	tt_ring_size = roundup_pow_of_two(tt_ring_size);
	if (tt_table_size < 64 || tt_table_size > (1U << 22)) {
		pr_err("conns=%u: expected 64..4194304\n", tt_table_size);
		return -EINVAL;
	}
	return 0;
}

static bool tt_running;

/* How often stale slots are looked for (see table.c). */
#define TT_SWEEP_PERIOD		(10 * HZ)

static void tt_sweep(struct work_struct *work);
static DECLARE_DELAYED_WORK(tt_sweep_work, tt_sweep);

static void tt_sweep(struct work_struct *work)
{
	tt_table_sweep(&tt_conns, ktime_get_ns());
	schedule_delayed_work(&tt_sweep_work, TT_SWEEP_PERIOD);
}

/*
 * Bring everything up. Module init does this; so does the hook KUnit suite
 * on kernels that run a module's suites before its init (6.1).
 */
int tt_start(void)
{
	enum tt_hook_mode mode;
	int err;

	if (tt_running)
		return 0;
	err = tt_parse_params(&mode);
	if (err)
		return err;
	err = tt_table_init(&tt_conns, tt_table_size);
	if (err)
		return err;
	err = tt_netns_register();
	if (err)
		goto err_free_table;
	err = tt_proc_register();
	if (err)
		goto err_unregister_netns;
	err = tt_hooks_attach(mode);
	if (err) {
		pr_err("cannot attach to TCP state changes (%d)\n", err);
		goto err_unregister_proc;
	}
	/* Its probes are optional: each one missing is reported by itself. */
	tt_lifecycle_attach();
	schedule_delayed_work(&tt_sweep_work, TT_SWEEP_PERIOD);
	tt_running = true;
	return 0;

err_unregister_proc:
	tt_proc_unregister();
err_unregister_netns:
	tt_netns_unregister();
err_free_table:
	tt_table_free(&tt_conns);
	return err;
}

void tt_stop(void)
{
	if (!tt_running)
		return;
	cancel_delayed_work_sync(&tt_sweep_work);
	tt_lifecycle_detach();
	tt_hooks_detach();
	tt_proc_unregister();
	tt_netns_unregister();
	tt_table_free(&tt_conns);
	tt_running = false;
}

bool tt_started(void)
{
	return tt_running;
}

static int __init tt_init(void)
{
	int err = tt_start();

	if (err) {
		tt_waitq_exit();
		return err;
	}
	pr_info("recording TCP transitions (hook %s, %u events per CPU)\n",
		tt_hook_mode_name(), tt_ring_size);
	return 0;
}

static void __exit tt_exit(void)
{
	tt_stop();
	/* Never waits for pollers: see waitq.c. */
	tt_waitq_exit();
	pr_info("unloaded\n");
}

module_init(tt_init);
module_exit(tt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace every TCP state transition with ISNs, seq/ack and timing");
MODULE_AUTHOR("tcptrail developers");
