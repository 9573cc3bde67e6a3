// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - attach and detach the tables of probes that hook.c and
 * lifecycle.c describe, and report their state.
 *
 * A table is attached in order and detached in reverse, so a probe that
 * completes what another starts is attached first. A probe that will not
 * attach costs its feature, never the module: it says so in the kernel log
 * and in stats. Optional probes name functions that only some kernels have;
 * their absence is expected and not reported as a failure.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/tracepoint.h>

#include "tcptrail.h"

struct tt_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void tt_tp_match(struct tracepoint *tp, void *priv)
{
	struct tt_tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->tp = tp;
}

/* Tracepoint symbols are not exported: find them by name. */
struct tracepoint *tt_find_tracepoint(const char *name)
{
	struct tt_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(tt_tp_match, &l);
	return l.tp;
}

static int tt_probe_attach(struct tt_probe *p)
{
	int err;

	p->wanted = true;
	if (p->kind == TT_PROBE_TRACEPOINT) {
		p->tp = tt_find_tracepoint(p->name);
		err = p->tp ? tracepoint_probe_register(p->tp, p->tp_func, NULL) :
			      -ENOENT;
	} else {
		/* A probe registered before (KUnit restarts) starts afresh. */
		memset(&p->kp, 0, sizeof(p->kp));
		p->kp.symbol_name = p->name;
		p->kp.pre_handler = p->pre;
		err = register_kprobe(&p->kp);
	}
	WRITE_ONCE(p->attached, !err);
	if (err && p->optional && err == -ENOENT) {
		p->wanted = false;
	} else if (err) {
		pr_warn("%s %s: %d: events lack what it adds\n",
			p->kind == TT_PROBE_TRACEPOINT ? "tracepoint" : "kprobe",
			p->name, err);
	}
	return err;
}

static void tt_probe_detach(struct tt_probe *p)
{
	if (p->attached) {
		if (p->kind == TT_PROBE_TRACEPOINT)
			tracepoint_probe_unregister(p->tp, p->tp_func, NULL);
		else
			unregister_kprobe(&p->kp);
	}
	WRITE_ONCE(p->attached, false);
}

/*
 * Attach the probes of @p meant for @mode (TT_HOOK_AUTO: those for every
 * mode). Returns the error of the first probe that is neither optional nor
 * attached, after attaching the rest: the caller decides what it can do
 * without.
 */
int tt_probes_attach(struct tt_probe *p, int n, enum tt_hook_mode mode)
{
	int i, err, first = 0;

	for (i = 0; i < n; i++) {
		if (p[i].mode != mode)
			continue;
		err = tt_probe_attach(&p[i]);
		if (err && !p[i].optional && !first)
			first = err;
	}
	return first;
}

/* Detach in reverse; no handler of ours runs once this returns. */
void tt_probes_detach(struct tt_probe *p, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		tt_probe_detach(&p[i]);
	/* unregister_kprobe() waits for its handlers; tracepoints need this. */
	tracepoint_synchronize_unregister();
}

bool tt_probe_on(const struct tt_probe *p)
{
	return READ_ONCE(p->attached);
}

int tt_probes_status(const struct tt_probe *p, int n, struct tt_hook_status *st,
		     int max)
{
	int i;

	for (i = 0; i < n && i < max; i++) {
		st[i].name = p[i].name;
		st[i].wanted = p[i].wanted;
		st[i].attached = p[i].attached;
		st[i].kprobe = p[i].kind == TT_PROBE_KPROBE;
		st[i].missed = st[i].kprobe ? p[i].kp.nmissed : 0;
	}
	return i;
}
