// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test.c - KUnit: the timewait sock's bookkeeping (entry/exit
 * pairing, durations, causes) driven with made-up inputs.
 */
#include <kunit/test.h>
#include <net/tcp.h>

#include "tcptrail.h"

#define SEC 1000000000ULL

/* A connection that reached FIN_WAIT2 at @ts. */
static void tt_conn_at(struct tt_conn *c, u64 ts)
{
	memset(c, 0, sizeof(*c));
	c->cookie = 77;
	c->state = TCP_FIN_WAIT2;
	c->last_ts = ts;
	c->isn = 1000;
	c->flags = TT_CONN_ISN;
}

static void tt_armed(struct tt_conn *c, struct tcptrail_event *ev, u64 ts,
		     u8 substate)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = ts;
	ev->substate = substate;
	tt_tw_book_armed(c, ev);
}

static void tt_exit(struct tt_conn *c, struct tcptrail_event *ev, u64 ts,
		    bool net_alive)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = ts;
	ev->substate = c->state;
	tt_tw_book_exit(c, ev, net_alive);
}

static void tw_enter_counts_time_in_fin_wait2(struct kunit *test)
{
	struct tcptrail_event ev;
	struct tt_conn c;

	tt_conn_at(&c, 5 * SEC);
	tt_armed(&c, &ev, 5 * SEC + 1234, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_TW_ENTER);
	KUNIT_EXPECT_EQ(test, ev.old_state, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, ev.new_state, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 1234ULL);
	KUNIT_EXPECT_TRUE(test, c.flags & TT_CONN_IN_TW);
	KUNIT_EXPECT_TRUE(test, ev.flags & TCPTRAIL_F_ISN);
	KUNIT_EXPECT_EQ(test, ev.isn, 1000U);
}

static void tw_expiry_pairs_with_entry(struct kunit *test)
{
	struct tcptrail_event ev;
	struct tt_conn c;

	tt_conn_at(&c, 0);
	tt_armed(&c, &ev, 1 * SEC, TCP_TIME_WAIT);
	tt_exit(&c, &ev, 61 * SEC, true);
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_TW_EXIT);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_EXPIRED);
	KUNIT_EXPECT_EQ(test, ev.old_state, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, ev.new_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 60 * SEC);
}

static void tw_substate_change_restarts_the_clock(struct kunit *test)
{
	struct tcptrail_event ev;
	struct tt_conn c;

	tt_conn_at(&c, 0);
	tt_armed(&c, &ev, 1 * SEC, TCP_FIN_WAIT2);	/* orphaned */
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_TW_ENTER);
	KUNIT_EXPECT_EQ(test, ev.new_state, TCP_FIN_WAIT2);
	tt_armed(&c, &ev, 3 * SEC, TCP_TIME_WAIT);	/* the peer's FIN */
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_TW_SUBSTATE);
	KUNIT_EXPECT_EQ(test, ev.old_state, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, ev.new_state, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 2 * SEC);
	tt_exit(&c, &ev, 63 * SEC, true);
	KUNIT_EXPECT_EQ(test, ev.old_state, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 60 * SEC);
}

static void tw_first_cause_wins(struct kunit *test)
{
	struct tcptrail_event ev;
	struct tt_conn c;

	tt_conn_at(&c, 0);
	tt_armed(&c, &ev, 1 * SEC, TCP_TIME_WAIT);
	/* tcp_twsk_unique() said yes, then connect() deschedules it. */
	tt_tw_book_cause(&c, TCPTRAIL_CAUSE_REUSED);
	tt_tw_book_cause(&c, tt_tw_kill_cause(true, false, false, false));
	tt_exit(&c, &ev, 3 * SEC, true);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_REUSED);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 2 * SEC);
}

static void tw_timer_overrides_early_kill(struct kunit *test)
{
	struct tcptrail_event ev;
	struct tt_conn c;

	tt_conn_at(&c, 0);
	tt_armed(&c, &ev, 1 * SEC, TCP_TIME_WAIT);
	/* A SYN deschedules it while its timer runs: the timer kills it. */
	tt_tw_book_cause(&c, tt_tw_kill_cause(true, true, true, false));
	tt_tw_book_timer(&c);
	tt_exit(&c, &ev, 61 * SEC, true);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_EXPIRED);

	/* The timer first: a kill booked after it is not the end either. */
	tt_conn_at(&c, 0);
	tt_armed(&c, &ev, 1 * SEC, TCP_TIME_WAIT);
	tt_tw_book_timer(&c);
	tt_tw_book_cause(&c, TCPTRAIL_CAUSE_ABORT);
	tt_exit(&c, &ev, 61 * SEC, true);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_EXPIRED);
}

static void tw_exit_unknown_connection_still_reported(struct kunit *test)
{
	struct tcptrail_event ev = { .ts_ns = 5, .substate = TCP_TIME_WAIT };

	tt_tw_book_exit(NULL, &ev, false);
	KUNIT_EXPECT_EQ(test, ev.kind, TCPTRAIL_EV_TW_EXIT);
	KUNIT_EXPECT_EQ(test, ev.cause, TCPTRAIL_CAUSE_NETNS);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 0ULL);
}

struct tt_kill_case {
	const char *name;
	bool net_alive, in_processing, syn, reused;
	u8 cause;
};

static const struct tt_kill_case tt_kill_cases[] = {
	{ "rst received or answered", true, true, false, false, TCPTRAIL_CAUSE_RST },
	{ "syn takes over", true, true, true, false, TCPTRAIL_CAUSE_SYN },
	{ "connect reuses it", true, false, false, true, TCPTRAIL_CAUSE_REUSED },
	{ "neither (ss -K)", true, false, false, false, TCPTRAIL_CAUSE_OTHER },
	{ "netns going, in processing", false, true, true, false, TCPTRAIL_CAUSE_NETNS },
	{ "netns going", false, false, false, true, TCPTRAIL_CAUSE_NETNS },
};

static void tt_kill_desc(const struct tt_kill_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tt_kill, tt_kill_cases, tt_kill_desc);

static void tw_kill_cause_follows_the_kernels_verdict(struct kunit *test)
{
	const struct tt_kill_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tt_tw_kill_cause(c->net_alive, c->in_processing,
					       c->syn, c->reused), c->cause);
}

struct tt_lifetime_case {
	const char *name;
	unsigned int retries;
	u64 seconds;
};

/* 1 s doubling per SYN-ACK, each wait at most TCP_RTO_MAX (120 s). */
static const struct tt_lifetime_case tt_lifetime_cases[] = {
	{ "synack_retries 0", 0, 1 },
	{ "synack_retries 1", 1, 1 + 2 },
	{ "synack_retries 5 (default)", 5, 63 },
	{ "synack_retries 10 (capped waits)", 10, 127 + 4 * 120 },
};

static void tt_lifetime_desc(const struct tt_lifetime_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tt_lifetime, tt_lifetime_cases, tt_lifetime_desc);

static void req_lifetime_follows_synack_timers(struct kunit *test)
{
	const struct tt_lifetime_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tt_req_lifetime_ns(c->retries),
			c->seconds * NSEC_PER_SEC);
}

/*
 * A clock read before a bucket lock may be older than the one another CPU
 * stored under it: a duration is then 0, never 2^64 - something.
 */
static void durations_never_wrap(struct kunit *test)
{
	struct tcptrail_event ev = {};
	struct tt_conn c;

	KUNIT_EXPECT_EQ(test, tt_since(100, 40), 60ULL);
	KUNIT_EXPECT_EQ(test, tt_since(40, 100), 0ULL);
	KUNIT_EXPECT_EQ(test, tt_since(40, 0), 0ULL);
	tt_conn_at(&c, 5 * SEC);
	tt_armed(&c, &ev, 4 * SEC, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, ev.dur_ns, 0ULL);
	/* The later time stays: the next duration counts from it. */
	KUNIT_EXPECT_EQ(test, c.last_ts, 5 * SEC);
}

static struct kunit_case tt_lifecycle_cases[] = {
	KUNIT_CASE(tw_enter_counts_time_in_fin_wait2),
	KUNIT_CASE(tw_expiry_pairs_with_entry),
	KUNIT_CASE(tw_substate_change_restarts_the_clock),
	KUNIT_CASE(tw_first_cause_wins),
	KUNIT_CASE(tw_timer_overrides_early_kill),
	KUNIT_CASE(tw_exit_unknown_connection_still_reported),
	KUNIT_CASE(durations_never_wrap),
	KUNIT_CASE_PARAM(tw_kill_cause_follows_the_kernels_verdict,
			 tt_kill_gen_params),
	KUNIT_CASE_PARAM(req_lifetime_follows_synack_timers,
			 tt_lifetime_gen_params),
	{}
};

static struct kunit_suite tt_lifecycle_suite = {
	.name = "tcptrail_lifecycle",
	.test_cases = tt_lifecycle_cases,
};

kunit_test_suite(tt_lifecycle_suite);
