// SPDX-License-Identifier: GPL-2.0
/* emit_test.c - KUnit: stats count exactly what a ring records. */
#include <kunit/test.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#include "tcptrail.h"

static struct tt_stats tt_sum(struct tt_rec *rec)
{
	struct tt_stats sum;

	tt_rec_stats(rec, &sum);
	return sum;
}

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

/*
 * table_full and no_tuple count the marked events a ring records, whatever
 * probe marked them, and nothing a paused namespace drops. A namespace of
 * the test's own: no real traffic reaches it.
 */
static void emit_counts_marked_events_it_records(struct kunit *test)
{
	struct tt_net *tn = tt_net_alloc(&init_net, GFP_KERNEL);
	struct tt_rec *rec;

	KUNIT_ASSERT_NOT_NULL(test, tn);
	rec = tt_net_rec(tn);
	KUNIT_ASSERT_NOT_NULL(test, rec);

	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL | TCPTRAIL_F_NO_TUPLE);
	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL);
	tt_emit_flags(tn, 0);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).kind[TCPTRAIL_EV_STATE], 3ULL);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).stat[TT_STAT_TABLE_FULL], 2ULL);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).stat[TT_STAT_NO_TUPLE], 1ULL);

	WRITE_ONCE(tn->paused, true);
	tt_emit_flags(tn, TCPTRAIL_F_TABLE_FULL | TCPTRAIL_F_NO_TUPLE);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).kind[TCPTRAIL_EV_STATE], 3ULL);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).stat[TT_STAT_TABLE_FULL], 2ULL);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).stat[TT_STAT_NO_TUPLE], 1ULL);
	KUNIT_EXPECT_EQ(test, tt_sum(rec).stat[TT_STAT_PAUSED], 1ULL);
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
