// SPDX-License-Identifier: GPL-2.0
/* emit_test.c - KUnit: stats count exactly what a ring records. */
#include <kunit/test.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#include "tcptrail.h"

/* Probes emit inside an RCU read-side section: so does this. */
static void tt_emit_flags(struct tt_net *tn, u16 flags)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_STATE,
		.family = AF_INET,
		.old_state = TCP_ESTABLISHED,
		.new_state = TCP_CLOSE_WAIT,
		.flags = flags,
	};

	rcu_read_lock();
	local_bh_disable();
	tt_emit_to(tn, &ev);
	local_bh_enable();
	rcu_read_unlock();
}

/* What a reader of the ring gets: events, and those marked each way. */
struct tt_read_back {
	int events, full, notuple;
};

static struct tt_read_back tt_read_all(struct tt_rec *rec,
				       struct tt_cursor *cur)
{
	struct tt_read_back n = {};
	struct tcptrail_event ev;

	while (tt_ring_read(&rec->ring, cur, &ev)) {
		n.events++;
		n.full += !!(ev.flags & TCPTRAIL_F_TABLE_FULL);
		n.notuple += !!(ev.flags & TCPTRAIL_F_NO_TUPLE);
	}
	return n;
}

/*
 * table_full and no_tuple count exactly the marked events a reader of the
 * ring gets, whatever probe marked them: nothing a paused namespace drops
 * or its filter leaves out. A namespace of the test's own: no real
 * traffic reaches it.
 */
static void emit_counts_marked_events_it_records(struct kunit *test)
{
	struct tt_net *tn = tt_net_alloc(&init_net, GFP_KERNEL);
	struct tt_filter *f = kzalloc(sizeof(*f), GFP_KERNEL);
	struct tt_cursor *cur = NULL;
	struct tt_read_back got;
	struct tt_stats sum;
	struct tt_rec *rec;

	if (!tn || !f)
		goto out;
	rec = tt_net_rec(tn);
	if (rec)
		cur = tt_cursor_alloc(&rec->ring);
	if (!cur)
		goto out;

	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL | TCPTRAIL_F_NO_TUPLE);
	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL);
	tt_emit_flags(tn, 0);
	/* Dropped while paused, then left out by a filter. */
	WRITE_ONCE(tn->paused, true);
	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL | TCPTRAIL_F_NO_TUPLE);
	WRITE_ONCE(tn->paused, false);
	f->states = BIT(TCP_SYN_SENT);
	rcu_assign_pointer(tn->filter, f);
	f = NULL;	/* tt_net_free frees it */
	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL | TCPTRAIL_F_NO_TUPLE);

	got = tt_read_all(rec, cur);
	tt_rec_stats(rec, &sum);
	KUNIT_EXPECT_EQ(test, got.events, 3);
	KUNIT_EXPECT_EQ(test, got.full, 2);
	KUNIT_EXPECT_EQ(test, got.notuple, 1);
	KUNIT_EXPECT_EQ(test, sum.kind[TCPTRAIL_EV_STATE], (u64)got.events);
	KUNIT_EXPECT_EQ(test, sum.state[TCP_CLOSE_WAIT], (u64)got.events);
	KUNIT_EXPECT_EQ(test, sum.stat[TT_STAT_TABLE_FULL], (u64)got.full);
	KUNIT_EXPECT_EQ(test, sum.stat[TT_STAT_NO_TUPLE], (u64)got.notuple);
	KUNIT_EXPECT_EQ(test, sum.stat[TT_STAT_PAUSED], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.stat[TT_STAT_FILTERED], 1ULL);
out:
	KUNIT_EXPECT_NOT_NULL_MSG(test, cur, "no namespace, ring or cursor");
	kfree(cur);
	kfree(f);
	if (tn)
		tt_net_free(tn);
}

static struct kunit_case tt_emit_cases[] = {
	KUNIT_CASE(emit_counts_marked_events_it_records),
	{}
};

static struct kunit_suite tt_emit_suite = {
	.name = "tcptrail_emit",
	.test_cases = tt_emit_cases,
};

kunit_test_suite(tt_emit_suite);
