// SPDX-License-Identifier: GPL-2.0
/*
 * floor.c - an empty handler on sock:inet_sock_set_state, attached the way
 * tcptrail attaches its own (found by name, tracepoint_probe_register()):
 * what tracing each state change costs before a probe does any work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <net/sock.h>

static struct tracepoint *floor_tp;

static void floor_match(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "inet_sock_set_state"))
		floor_tp = tp;
}

/* The tracepoint's prototype; the body is empty on purpose. */
static void floor_probe(void *data, const struct sock *sk, const int old,
			const int new)
{
}

static int __init floor_init(void)
{
	int err;

	/* Tracepoint symbols are not exported: find it by name. */
	for_each_kernel_tracepoint(floor_match, NULL);
	if (!floor_tp) {
		pr_err("no tracepoint inet_sock_set_state\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(floor_tp, floor_probe, NULL);
	if (err)
		pr_err("tracepoint_probe_register: %d\n", err);
	return err;
}

static void __exit floor_exit(void)
{
	tracepoint_probe_unregister(floor_tp, floor_probe, NULL);
	tracepoint_synchronize_unregister();
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tcptrail bench: an empty probe on sock:inet_sock_set_state");
