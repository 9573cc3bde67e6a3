// SPDX-License-Identifier: GPL-2.0
/* ring_test.c - KUnit: per-CPU rings, reader cursors and exact loss counts. */
#include <kunit/test.h>
#include <linux/smp.h>

#include "tcptrail.h"

static void tt_write_n(struct tt_ring *r, u64 first_ts, int n)
{
	struct tcptrail_event ev = { .kind = TCPTRAIL_EV_STATE };
	int i;

	for (i = 0; i < n; i++) {
		ev.ts_ns = first_ts + i;
		tt_ring_write(r, &ev);
	}
}

static struct tt_ring *tt_test_ring(struct kunit *test, unsigned int size)
{
	struct tt_ring *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, tt_ring_init(r, size, GFP_KERNEL), 0);
	return r;
}

static void ring_empty_read_returns_nothing(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tcptrail_event ev;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_FALSE(test, tt_ring_pending(r, c));
	KUNIT_EXPECT_EQ(test, tt_ring_read(r, c, &ev), 0);
	kfree(c);
	tt_ring_free(r);
}

static void ring_rejects_size_not_power_of_two(struct kunit *test)
{
	struct tt_ring r = {};

	KUNIT_EXPECT_EQ(test, tt_ring_init(&r, 100, GFP_KERNEL), -EINVAL);
}

static void ring_overwrite_reports_exact_loss(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tcptrail_event ev;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	preempt_disable();	/* all on one CPU's ring */
	tt_write_n(r, 1000, 100);
	preempt_enable();

	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_LOST);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_OVERWRITTEN);
	KUNIT_EXPECT_EQ(test, ev.count, 36ULL);
	for (i = 36; i < 100; i++) {
		KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
		KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_STATE);
		KUNIT_EXPECT_EQ(test, ev.seq, (u64)i);
		KUNIT_EXPECT_EQ(test, ev.ts_ns, 1000ULL + i);
	}
	KUNIT_EXPECT_EQ(test, tt_ring_read(r, c, &ev), 0);
	KUNIT_EXPECT_EQ(test, tt_ring_overwritten(r), 36ULL);
	kfree(c);
	tt_ring_free(r);
}

static void ring_readers_keep_their_own_cursor(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *fast = tt_cursor_alloc(r);
	struct tt_cursor *slow = tt_cursor_alloc(r);
	struct tcptrail_event ev;
	int i, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, fast);
	KUNIT_ASSERT_NOT_NULL(test, slow);
	preempt_disable();
	tt_write_n(r, 0, 50);
	preempt_enable();
	while (tt_ring_read(r, fast, &ev))
		n++;
	KUNIT_EXPECT_EQ(test, n, 50);

	preempt_disable();
	tt_write_n(r, 50, 30);	/* 80 written: slow missed 16, fast none */
	preempt_enable();
	for (i = 0; i < 30; i++) {
		KUNIT_ASSERT_EQ(test, tt_ring_read(r, fast, &ev), 1);
		KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_STATE);
	}
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, slow, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_LOST);
	KUNIT_EXPECT_EQ(test, ev.count, 16ULL);
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, slow, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.seq, 16ULL);
	kfree(fast);
	kfree(slow);
	tt_ring_free(r);
}

static void ring_clear_tells_readers_what_went(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tcptrail_event ev;

	KUNIT_ASSERT_NOT_NULL(test, c);
	preempt_disable();
	tt_write_n(r, 0, 10);
	preempt_enable();
	tt_ring_clear(r);
	preempt_disable();
	tt_write_n(r, 10, 2);
	preempt_enable();

	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_LOST);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_CLEARED);
	KUNIT_EXPECT_EQ(test, ev.count, 10ULL);
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.ts_ns, 10ULL);
	kfree(c);
	tt_ring_free(r);
}

static void ring_seek_end_skips_held_events(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tcptrail_event ev;

	KUNIT_ASSERT_NOT_NULL(test, c);
	preempt_disable();
	tt_write_n(r, 0, 5);
	preempt_enable();
	tt_cursor_rewind(r, c, true);
	KUNIT_EXPECT_FALSE(test, tt_ring_pending(r, c));
	preempt_disable();
	tt_write_n(r, 5, 1);
	preempt_enable();
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.ts_ns, 5ULL);
	kfree(c);
	tt_ring_free(r);
}

/* A record whose copy to the user faulted is read again, and only once. */
static void ring_unread_gives_the_record_back(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tcptrail_event ev, again;
	int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	preempt_disable();
	tt_write_n(r, 0, 3);
	preempt_enable();
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
	KUNIT_EXPECT_EQ(test, ev.ts_ns, 0ULL);
	tt_cursor_unread(c, &ev);
	KUNIT_EXPECT_TRUE(test, tt_ring_pending(r, c));
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &again), 1);
	KUNIT_EXPECT_EQ(test, again.ts_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, again.seq, ev.seq);
	while (tt_ring_read(r, c, &ev))
		n++;
	KUNIT_EXPECT_EQ(test, n, 2);
	kfree(c);
	tt_ring_free(r);
}

/* A LOST record given back is reported again with the same count. */
static void ring_unread_lost_keeps_the_count(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tcptrail_event ev;
	u64 received = 0, lost = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	preempt_disable();
	tt_write_n(r, 0, 100);
	preempt_enable();
	KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
	KUNIT_ASSERT_EQ(test, ev.kind, TCPTRAIL_EV_LOST);
	tt_cursor_unread(c, &ev);
	while (tt_ring_read(r, c, &ev)) {
		if (ev.kind == TCPTRAIL_EV_LOST)
			lost += ev.count;
		else
			received++;
	}
	/* Received + reported lost == produced. */
	KUNIT_EXPECT_EQ(test, lost, 36ULL);
	KUNIT_EXPECT_EQ(test, received + lost, 100ULL);
	kfree(c);
	tt_ring_free(r);
}

struct tt_remote_write {
	struct tt_ring *r;
	u64 ts;
};

static void tt_write_here(void *arg)
{
	struct tt_remote_write *w = arg;

	tt_write_n(w->r, w->ts, 1);
}

static void ring_read_merges_cpus_by_time(struct kunit *test)
{
	struct tt_ring *r = tt_test_ring(test, 64);
	struct tt_cursor *c = tt_cursor_alloc(r);
	struct tt_remote_write w = { .r = r };
	struct tcptrail_event ev;
	int cpus[2], n = 0, cpu, i;
	u64 last = 0;

	KUNIT_ASSERT_NOT_NULL(test, c);
	for_each_online_cpu(cpu)
		if (n < 2)
			cpus[n++] = cpu;
	KUNIT_ASSERT_EQ_MSG(test, n, 2, "needs two online CPUs");
	/* Interleaved timestamps, written alternately on two CPUs. */
	for (i = 0; i < 20; i++) {
		w.ts = 100 + i;
		KUNIT_ASSERT_EQ(test, smp_call_function_single(cpus[i % 2],
							       tt_write_here,
							       &w, 1), 0);
	}
	for (i = 0; i < 20; i++) {
		KUNIT_ASSERT_EQ(test, tt_ring_read(r, c, &ev), 1);
		KUNIT_EXPECT_EQ(test, ev.ts_ns, 100ULL + i);
		KUNIT_EXPECT_EQ(test, (int)ev.cpu, cpus[i % 2]);
		KUNIT_EXPECT_GE(test, ev.ts_ns, last);
		last = ev.ts_ns;
	}
	kfree(c);
	tt_ring_free(r);
}

static struct kunit_case tt_ring_cases[] = {
	KUNIT_CASE(ring_empty_read_returns_nothing),
	KUNIT_CASE(ring_rejects_size_not_power_of_two),
	KUNIT_CASE(ring_overwrite_reports_exact_loss),
	KUNIT_CASE(ring_readers_keep_their_own_cursor),
	KUNIT_CASE(ring_clear_tells_readers_what_went),
	KUNIT_CASE(ring_seek_end_skips_held_events),
	KUNIT_CASE(ring_read_merges_cpus_by_time),
	KUNIT_CASE(ring_unread_gives_the_record_back),
	KUNIT_CASE(ring_unread_lost_keeps_the_count),
	{}
};

static struct kunit_suite tt_ring_suite = {
	.name = "tcptrail_ring",
	.test_cases = tt_ring_cases,
};

kunit_test_suite(tt_ring_suite);
