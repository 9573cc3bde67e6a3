// SPDX-License-Identifier: GPL-2.0
/* net_test.c - KUnit: a namespace's ring comes with its first opener. */
#include <kunit/test.h>
#include <linux/kthread.h>

#include "tcptrail.h"

static void net_ring_allocated_at_first_open(struct kunit *test)
{
	struct tt_net *tn = tt_net_alloc(&init_net, GFP_KERNEL);
	struct tt_rec *rec;

	KUNIT_ASSERT_NOT_NULL(test, tn);
	/* What probes see before any open: nothing to record into. */
	KUNIT_EXPECT_NULL(test, tt_rec_get(tn));
	rec = tt_net_rec(tn);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_PTR_EQ(test, tt_rec_get(tn), rec);
	KUNIT_EXPECT_EQ(test, rec->ring.size, tt_ring_size);
	KUNIT_EXPECT_NOT_NULL(test, rec->stats);
	/* The second opener gets the same ring. */
	KUNIT_EXPECT_PTR_EQ(test, tt_net_rec(tn), rec);
	tt_net_free(tn);
}

struct tt_opener {
	struct tt_net *tn;
	struct tt_rec *rec;
	struct completion done;
};

static int tt_open_thread(void *arg)
{
	struct tt_opener *o = arg;

	o->rec = tt_net_rec(o->tn);
	complete(&o->done);
	return 0;
}

/* Two first openers at once: one ring, both get it. */
static void net_first_openers_race_for_one_ring(struct kunit *test)
{
	struct tt_net *tn = tt_net_alloc(&init_net, GFP_KERNEL);
	struct tt_opener o[2];
	struct task_struct *t;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, tn);
	for (i = 0; i < 2; i++) {
		o[i].tn = tn;
		o[i].rec = NULL;
		init_completion(&o[i].done);
		t = kthread_run(tt_open_thread, &o[i], "tt_open%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&o[i].done);
	KUNIT_EXPECT_NOT_NULL(test, o[0].rec);
	KUNIT_EXPECT_PTR_EQ(test, o[0].rec, o[1].rec);
	KUNIT_EXPECT_PTR_EQ(test, tt_rec_get(tn), o[0].rec);
	tt_net_free(tn);
}

/* A queue released with nobody on it is freed; one in use is parked. */
static void net_waitq_release_never_waits(struct kunit *test)
{
	struct tt_waitq *q = tt_waitq_alloc(GFP_KERNEL);
	struct wait_queue_entry e;

	KUNIT_ASSERT_NOT_NULL(test, q);
	init_waitqueue_entry(&e, current);
	add_wait_queue(&q->wq, &e);
	/* Returns at once although an entry is still queued. */
	tt_waitq_release(q);
	/* Parked, not freed: leaving is still safe. */
	remove_wait_queue(&q->wq, &e);
}

static struct kunit_case tt_net_cases[] = {
	KUNIT_CASE(net_ring_allocated_at_first_open),
	KUNIT_CASE(net_first_openers_race_for_one_ring),
	KUNIT_CASE(net_waitq_release_never_waits),
	{}
};

static struct kunit_suite tt_net_suite = {
	.name = "tcptrail_net",
	.test_cases = tt_net_cases,
};

kunit_test_suite(tt_net_suite);
