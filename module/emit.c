// SPDX-License-Identifier: GPL-2.0
/*
 * emit.c - from a filled event to the rings that want it: its own
 * namespace's, and the initial namespace's when that asked for "netns all".
 *
 * Called from probes with preemption off: no allocation, no sleeping, no
 * global lock. A namespace without a ring (nobody opened its files yet) or
 * without state (being dismantled, or short of memory at creation) records
 * nothing of its own, but its events still reach the initial namespace.
 */
#include "tcptrail.h"

/*
 * What this ring records, counted as it is written: a reader that read it
 * from its start and lost nothing sees exactly as many events of a kind,
 * and as many marked table_full or no_tuple, as stats says.
 */
static void tt_count(struct tt_rec *rec, const struct tcptrail_event *ev)
{
	/* this_cpu_inc: a softirq may interrupt a task's probe on this CPU. */
	this_cpu_inc(rec->stats->kind[ev->kind]);
	if (ev->kind == TCPTRAIL_EV_STATE && ev->new_state < TCPTRAIL_STATE_MAX)
		this_cpu_inc(rec->stats->state[ev->new_state]);
	if (ev->flags & TCPTRAIL_F_TABLE_FULL)
		this_cpu_inc(rec->stats->stat[TT_STAT_TABLE_FULL]);
	if (ev->flags & TCPTRAIL_F_NO_TUPLE)
		this_cpu_inc(rec->stats->stat[TT_STAT_NO_TUPLE]);
}

void tt_emit_to(struct tt_net *tn, struct tcptrail_event *ev)
{
	struct tt_rec *rec = tt_rec_get(tn);
	const struct tt_filter *f;

	if (!rec)
		return;
	if (READ_ONCE(tn->paused)) {
		this_cpu_inc(rec->stats->stat[TT_STAT_PAUSED]);
		return;
	}
	f = rcu_dereference_check(tn->filter, rcu_read_lock_any_held());
	if (f && !tt_filter_match(f, ev)) {
		this_cpu_inc(rec->stats->stat[TT_STAT_FILTERED]);
		return;
	}
	tt_count(rec, ev);
	tt_ring_write(&rec->ring, ev);
}

void tt_emit(const struct net *net, struct tcptrail_event *ev)
{
	struct tt_net *tn = tt_net_get(net), *init;

	if (tn)
		tt_emit_to(tn, ev);
	if (net_eq(net, &init_net))
		return;
	init = tt_net_get(&init_net);
	if (init && READ_ONCE(init->all_netns))
		tt_emit_to(init, ev);
}
