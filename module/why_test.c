// SPDX-License-Identifier: GPL-2.0
/*
 * why_test.c - KUnit: the cause of a -> CLOSE and of an RST sent from what
 * the kernel left in the socket, tables of made-up facts; the kernel's
 * reset reasons as causes; what a retransmit in loss recovery reports;
 * errno and cause names; the new columns of the events file.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <net/tcp_states.h>

#include "tcptrail.h"

struct tt_why_case {
	const char *desc;
	struct tt_close_facts f;
	u8 cause;
};

#define ALIVE	.net_alive = true

static const struct tt_why_case tt_why_cases[] = {
	{ "orderly active close: the timewait sock takes over",
	  { .old = TCP_FIN_WAIT2, .tw = true, ALIVE },
	  TCPTRAIL_CAUSE_ACTIVE_CLOSE },
	{ "simultaneous close: CLOSING to TIME_WAIT",
	  { .old = TCP_CLOSING, .tw = true, ALIVE },
	  TCPTRAIL_CAUSE_ACTIVE_CLOSE },
	{ "orderly passive close: our FIN acked in LAST_ACK",
	  { .old = TCP_LAST_ACK, ALIVE },
	  TCPTRAIL_CAUSE_PASSIVE_CLOSE },
	{ "RST received in ESTABLISHED",
	  { .old = TCP_ESTABLISHED, .err = ECONNRESET, .rst_recv = true, ALIVE },
	  TCPTRAIL_CAUSE_RESET },
	{ "RST received in CLOSE_WAIT (EPIPE)",
	  { .old = TCP_CLOSE_WAIT, .err = EPIPE, .rst_recv = true, ALIVE },
	  TCPTRAIL_CAUSE_RESET },
	{ "RST answering our SYN",
	  { .old = TCP_SYN_SENT, .err = ECONNREFUSED, .rst_recv = true,
	    ALIVE },
	  TCPTRAIL_CAUSE_REFUSED },
	{ "ICMP port unreachable answering our SYN",
	  { .old = TCP_SYN_SENT, .err = ECONNREFUSED, ALIVE },
	  TCPTRAIL_CAUSE_REFUSED },
	{ "ICMP host unreachable in the handshake",
	  { .old = TCP_SYN_SENT, .err = EHOSTUNREACH, .syn_retries = 6, ALIVE },
	  TCPTRAIL_CAUSE_UNREACHABLE },
	{ "SYN retries exhausted",
	  { .old = TCP_SYN_SENT, .err = ETIMEDOUT, .retransmits = 2,
	    .syn_retries = 2, ALIVE },
	  TCPTRAIL_CAUSE_SYN_TIMEOUT },
	{ "SYN retries exhausted, a soft ICMP error kept",
	  { .old = TCP_SYN_SENT, .err = EHOSTUNREACH, .retransmits = 6,
	    .syn_retries = 6, ALIVE },
	  TCPTRAIL_CAUSE_SYN_TIMEOUT },
	{ "no route to host after two SYN retransmits (ARP failed)",
	  { .old = TCP_SYN_SENT, .err = EHOSTUNREACH, .retransmits = 2,
	    .syn_retries = 6, ALIVE },
	  TCPTRAIL_CAUSE_UNREACHABLE },
	{ "an RST during RTO backoff, its note missing",
	  { .old = TCP_ESTABLISHED, .err = ECONNRESET, .retransmits = 3, ALIVE },
	  TCPTRAIL_CAUSE_RESET },
	{ "SYN-ACK retries of a fast open child",
	  { .old = TCP_SYN_RECV, .err = ETIMEDOUT, .retransmits = 5, ALIVE },
	  TCPTRAIL_CAUSE_SYNACK_TIMEOUT },
	{ "data RTOs exhausted (tcp_retries2)",
	  { .old = TCP_ESTABLISHED, .err = ETIMEDOUT, .retransmits = 15, ALIVE },
	  TCPTRAIL_CAUSE_RTO_TIMEOUT },
	{ "an orphan's FIN retries exhausted",
	  { .old = TCP_FIN_WAIT1, .err = ETIMEDOUT, .retransmits = 8,
	    .dead = true, ALIVE },
	  TCPTRAIL_CAUSE_ORPHAN_TIMEOUT },
	{ "TCP_USER_TIMEOUT with data in flight",
	  { .old = TCP_ESTABLISHED, .err = ETIMEDOUT, .retransmits = 3,
	    .user_timeout = true, ALIVE },
	  TCPTRAIL_CAUSE_USER_TIMEOUT },
	{ "keepalive probes unanswered",
	  { .old = TCP_ESTABLISHED, .err = ETIMEDOUT, .probes_out = 2,
	    .keepopen = true, ALIVE },
	  TCPTRAIL_CAUSE_KEEPALIVE },
	{ "zero-window probes unanswered",
	  { .old = TCP_ESTABLISHED, .err = ETIMEDOUT, .probes_out = 15,
	    .keepopen = true, .zero_wnd = true, ALIVE },
	  TCPTRAIL_CAUSE_PROBE0_TIMEOUT },
	{ "ss -K: tcp_abort",
	  { .old = TCP_ESTABLISHED, .err = ECONNABORTED, .task = true, ALIVE },
	  TCPTRAIL_CAUSE_ABORT },
	{ "close() with SO_LINGER 0",
	  { .old = TCP_ESTABLISHED, .task = true, .linger0 = true,
	    .closing = true, ALIVE },
	  TCPTRAIL_CAUSE_LINGER0 },
	{ "close() with unread data",
	  { .old = TCP_CLOSE_WAIT, .task = true, .closing = true, ALIVE },
	  TCPTRAIL_CAUSE_UNREAD_DATA },
	{ "connect(AF_UNSPEC)",
	  { .old = TCP_ESTABLISHED, .task = true, ALIVE },
	  TCPTRAIL_CAUSE_DISCONNECT },
	{ "listener closed",
	  { .old = TCP_LISTEN, .task = true, .closing = true, ALIVE },
	  TCPTRAIL_CAUSE_CLOSED },
	{ "connect() given up by close()",
	  { .old = TCP_SYN_SENT, .task = true, .closing = true, ALIVE },
	  TCPTRAIL_CAUSE_CLOSED },
	{ "orphaned FIN_WAIT2 past its time: the timer's RST, then CLOSE",
	  { .old = TCP_FIN_WAIT2, .dead = true, .rst_sent = true, ALIVE },
	  TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT },
	{ "close() in FIN_WAIT2 with TCP_LINGER2 < 0 (BHs off)",
	  { .old = TCP_FIN_WAIT2, .dead = true, .linger2_off = true,
	    .closing = true, ALIVE },
	  TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT },
	{ "an orphan's FIN acked together with new data",
	  { .old = TCP_FIN_WAIT2, .dead = true, .closing = true, ALIVE },
	  TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	{ "data after shutdown: tcp_reset() without an RST",
	  { .old = TCP_FIN_WAIT2, .err = ECONNRESET, .data_after_close = true,
	    ALIVE },
	  TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	{ "data after shutdown in FIN_WAIT1, an orphan",
	  { .old = TCP_FIN_WAIT1, .err = ECONNRESET, .data_after_close = true,
	    .dead = true, .retransmits = 1, ALIVE },
	  TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	{ "orphan killed for memory",
	  { .old = TCP_FIN_WAIT1, .dead = true, ALIVE },
	  TCPTRAIL_CAUSE_MEMORY },
	{ "a second child of one request sock, dropped",
	  { .old = TCP_SYN_RECV, ALIVE },
	  TCPTRAIL_CAUSE_DUPLICATE },
	{ "nothing that tells",
	  { .old = TCP_ESTABLISHED, ALIVE },
	  TCPTRAIL_CAUSE_OTHER },
	{ "the namespace is going, whatever else",
	  { .old = TCP_ESTABLISHED, .err = ETIMEDOUT, .retransmits = 1,
	    .rst_recv = true },
	  TCPTRAIL_CAUSE_NETNS },
};

struct tt_reason_case {
	const char *desc;
	int reason;
	bool syn;
	u8 cause;
};

/* 6.12's reset reasons, as lifecycle.c translates them. */
static const struct tt_reason_case tt_reason_cases[] = {
	{ "NO_SOCKET", TT_RST_NO_SOCKET, true, TCPTRAIL_CAUSE_NO_SOCKET },
	{ "bad ACK, PAWS, flags, INVALID_SYN", TT_RST_INVALID, false,
	  TCPTRAIL_CAUSE_INVALID },
	{ "TCP_ABORT_ON_DATA", TT_RST_ABORT_ON_DATA, false,
	  TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	{ "TCP_TIMEWAIT_SOCKET: new data after close", TT_RST_TIMEWAIT, false,
	  TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	{ "TCP_TIMEWAIT_SOCKET: a SYN in window", TT_RST_TIMEWAIT, true,
	  TCPTRAIL_CAUSE_INVALID },
	{ "TCP_ABORT_ON_CLOSE: unread data", TT_RST_ABORT_ON_CLOSE, false,
	  TCPTRAIL_CAUSE_UNREAD_DATA },
	{ "TCP_ABORT_ON_LINGER: TCP_LINGER2 < 0, not SO_LINGER",
	  TT_RST_ABORT_ON_LINGER, false, TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT },
	{ "TCP_ABORT_ON_MEMORY", TT_RST_ABORT_ON_MEMORY, false,
	  TCPTRAIL_CAUSE_MEMORY },
	{ "TCP_KEEPALIVE_TIMEOUT", TT_RST_KEEPALIVE, false,
	  TCPTRAIL_CAUSE_KEEPALIVE },
	{ "TCP_STATE: disconnect, abort or FIN_WAIT2 timer: the socket tells",
	  TT_RST_STATE, false, TCPTRAIL_CAUSE_NONE },
	{ "TCP_DISCONNECT_WITH_DATA: the socket tells",
	  TT_RST_DISCONNECT_WITH_DATA, false, TCPTRAIL_CAUSE_NONE },
	{ "none given", TT_RST_NONE, false, TCPTRAIL_CAUSE_NONE },
};

static void tt_reason_desc(const struct tt_reason_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tt_reason, tt_reason_cases, tt_reason_desc);

static void reset_reason_to_cause(struct kunit *test)
{
	const struct tt_reason_case *c = test->param_value;

	KUNIT_EXPECT_STREQ(test,
			   tt_cause_name(tt_rst_reason_cause(c->reason, c->syn)),
			   tt_cause_name(c->cause));
}

struct tt_rst_case {
	const char *desc;
	struct tt_rst_facts f;
	u8 cause;
};

#define FULL	.sk = true, .fullsock = true

static const struct tt_rst_case tt_rst_cases[] = {
	{ "6.12: SO_LINGER 0 close() (TCP_STATE) after its CLOSE",
	  { .reason = TT_RST_STATE, FULL, .state = TCP_CLOSE, .task = true,
	    .closed = TCPTRAIL_CAUSE_LINGER0 },
	  TCPTRAIL_CAUSE_LINGER0 },
	{ "6.12: SO_LINGER 0 in CLOSING, data unsent (DISCONNECT_WITH_DATA)",
	  { .reason = TT_RST_DISCONNECT_WITH_DATA, FULL, .state = TCP_CLOSE,
	    .task = true, .closed = TCPTRAIL_CAUSE_LINGER0 },
	  TCPTRAIL_CAUSE_LINGER0 },
	{ "6.1: close() with unread data, after its CLOSE",
	  { FULL, .state = TCP_CLOSE, .task = true,
	    .closed = TCPTRAIL_CAUSE_UNREAD_DATA },
	  TCPTRAIL_CAUSE_UNREAD_DATA },
	{ "6.1: data after shutdown, after its CLOSE",
	  { FULL, .state = TCP_CLOSE, .closed = TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	  TCPTRAIL_CAUSE_DATA_AFTER_CLOSE },
	{ "ss -K: tcp_abort()'s RST goes before sk_err is set",
	  { .reason = TT_RST_STATE, FULL, .state = TCP_ESTABLISHED,
	    .aborting = true },
	  TCPTRAIL_CAUSE_ABORT },
	{ "the FIN_WAIT2 timer (TCP_STATE), before the CLOSE",
	  { .reason = TT_RST_STATE, FULL, .state = TCP_FIN_WAIT2, .dead = true },
	  TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT },
	{ "6.1: keepalive probes spent, before tcp_write_err()",
	  { FULL, .state = TCP_ESTABLISHED, .keepalive_spent = true },
	  TCPTRAIL_CAUSE_KEEPALIVE },
	{ "6.12: no socket owns the segment",
	  { .reason = TT_RST_NO_SOCKET, .syn = true },
	  TCPTRAIL_CAUSE_NO_SOCKET },
	{ "a kernel's reason wins over the CLOSE it follows",
	  { .reason = TT_RST_ABORT_ON_CLOSE, FULL, .state = TCP_CLOSE,
	    .task = true, .closed = TCPTRAIL_CAUSE_LINGER0 },
	  TCPTRAIL_CAUSE_UNREAD_DATA },
	{ "a timewait sock, no reason (its CLOSE long past)",
	  { .sk = true, .state = TCP_TIME_WAIT },
	  TCPTRAIL_CAUSE_NONE },
	{ "a syscall's RST before any CLOSE says nothing",
	  { FULL, .state = TCP_ESTABLISHED, .task = true },
	  TCPTRAIL_CAUSE_NONE },
};

static void tt_rst_desc(const struct tt_rst_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tt_rst, tt_rst_cases, tt_rst_desc);

static void rst_cause_follows_the_kernels_decision(struct kunit *test)
{
	const struct tt_rst_case *c = test->param_value;

	KUNIT_EXPECT_STREQ(test, tt_cause_name(tt_rst_cause(&c->f)),
			   tt_cause_name(c->cause));
}

/*
 * A loss recovery reports the retransmit timer that fired: its own
 * retransmit keeps number and RTO; the segments sent again after an ACK
 * (icsk_rto doubled by then, icsk_retransmits reset) carry the same.
 */
static void retransmits_carry_the_timer_that_fired(struct kunit *test)
{
	struct tt_conn c = {};
	struct tcptrail_event ev = {
		.flags = TCPTRAIL_F_RTO,
		.count = 1,
		.timeout_ns = jiffies_to_nsecs(msecs_to_jiffies(200)),
	};
	u64 fired = ev.timeout_ns;

	tt_retrans_book(&c, &ev, true);
	KUNIT_EXPECT_EQ(test, ev.count, 1ULL);
	KUNIT_EXPECT_EQ(test, ev.timeout_ns, fired);

	ev.count = 0;
	ev.timeout_ns = 2 * fired;
	tt_retrans_book(&c, &ev, false);
	KUNIT_EXPECT_EQ(test, ev.count, 1ULL);
	KUNIT_EXPECT_EQ(test, ev.timeout_ns, fired);

	/* The next timer: number 2, the doubled RTO it ran with. */
	ev.count = 2;
	ev.timeout_ns = 2 * fired;
	tt_retrans_book(&c, &ev, true);
	ev.count = 0;
	ev.timeout_ns = 4 * fired;
	tt_retrans_book(&c, &ev, false);
	KUNIT_EXPECT_EQ(test, ev.count, 2ULL);
	KUNIT_EXPECT_EQ(test, ev.timeout_ns, 2 * fired);

	/* Not in loss recovery (a fast retransmit, a TLP): untouched. */
	ev.flags = 0;
	ev.count = 0;
	ev.timeout_ns = 0;
	tt_retrans_book(&c, &ev, false);
	KUNIT_EXPECT_EQ(test, ev.count, 0ULL);
	KUNIT_EXPECT_EQ(test, ev.timeout_ns, 0ULL);
}

static void tt_why_desc(const struct tt_why_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tt_why, tt_why_cases, tt_why_desc);

static void close_cause_follows_the_kernels_decision(struct kunit *test)
{
	const struct tt_why_case *c = test->param_value;

	KUNIT_EXPECT_STREQ(test, tt_cause_name(tt_close_cause(&c->f)),
			   tt_cause_name(c->cause));
}

static void every_cause_has_a_name(struct kunit *test)
{
	int i;

	for (i = TCPTRAIL_CAUSE_EXPIRED; i < TCPTRAIL_CAUSE_MAX; i++)
		KUNIT_EXPECT_STRNEQ(test, tt_cause_name(i), "-");
	KUNIT_EXPECT_STREQ(test, tt_cause_name(TCPTRAIL_CAUSE_SYN_TIMEOUT),
			   "syn_timeout");
	KUNIT_EXPECT_STREQ(test, tt_kind_name(TCPTRAIL_EV_RETRANS), "retrans");
}

static void errno_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, tt_errno_name(ETIMEDOUT), "ETIMEDOUT");
	KUNIT_EXPECT_STREQ(test, tt_errno_name(ECONNREFUSED), "ECONNREFUSED");
	KUNIT_EXPECT_STREQ(test, tt_errno_name(ECONNRESET), "ECONNRESET");
	KUNIT_EXPECT_STREQ(test, tt_errno_name(EPIPE), "EPIPE");
	KUNIT_EXPECT_NULL(test, tt_errno_name(0));
	KUNIT_EXPECT_NULL(test, tt_errno_name(EIO));
}

/* The new columns: count and errno, by name or else by number. */
static void format_close_with_errno(struct kunit *test)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_STATE,
		.family = AF_INET,
		.old_state = TCP_SYN_SENT,
		.new_state = TCP_CLOSE,
		.cause = TCPTRAIL_CAUSE_SYN_TIMEOUT,
		.err = ETIMEDOUT,
	};
	char buf[640];

	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(buf, " 0x0 syn_timeout - - - - - - - ETIMEDOUT\n"));
	ev.err = EIO;
	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, " - 5\n"));
}

static void format_retrans(struct kunit *test)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_RETRANS,
		.family = AF_INET,
		.old_state = TCP_SYN_SENT,
		.new_state = TCP_SYN_SENT,
		.count = 2,
		.timeout_ns = 2000000000ULL,
		.dur_ns = 3000000000ULL,
		.flags = TCPTRAIL_F_SYN | TCPTRAIL_F_RTO,
	};
	char buf[640];

	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_EQ(test, strncmp(buf, "retrans ", 8), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, " SYN_SENT SYN_SENT 3000000000 "));
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(buf, " 0x500 - - 2000000000 - - - - 2 -\n"));
}

/* The longest line the events file can hold fits its reader's buffer. */
static void longest_line_fits(struct kunit *test)
{
	struct tcptrail_event ev;
	char buf[641];
	int n;

	memset(&ev, 0xff, sizeof(ev));
	ev.kind = TCPTRAIL_EV_SYNACK_RETRANS;
	ev.family = AF_INET6;
	ev.old_state = TCP_NEW_SYN_RECV;
	ev.new_state = TCP_NEW_SYN_RECV;
	ev.substate = TCP_NEW_SYN_RECV;
	ev.cause = TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT;
	ev.err = ECONNABORTED;
	ev.sysctl_fin_timeout = INT_MIN;
	ev.sysctl_tw_reuse = INT_MIN;
	ev.sysctl_max_tw_buckets = INT_MIN;
	ev.sysctl_tw_reuse_delay = INT_MAX;
	memset(ev.saddr, 0x12, sizeof(ev.saddr));
	memset(ev.daddr, 0x12, sizeof(ev.daddr));
	memset(ev.comm, 'x', sizeof(ev.comm));
	n = tt_format_event(buf, sizeof(buf), &ev);
	kunit_info(test, "longest line: %d bytes", n);
	KUNIT_EXPECT_LT(test, n, 639);
	KUNIT_EXPECT_EQ(test, buf[n - 1], '\n');
}

static struct kunit_case tt_why_test_cases[] = {
	KUNIT_CASE_PARAM(close_cause_follows_the_kernels_decision,
			 tt_why_gen_params),
	KUNIT_CASE_PARAM(reset_reason_to_cause, tt_reason_gen_params),
	KUNIT_CASE_PARAM(rst_cause_follows_the_kernels_decision,
			 tt_rst_gen_params),
	KUNIT_CASE(retransmits_carry_the_timer_that_fired),
	KUNIT_CASE(every_cause_has_a_name),
	KUNIT_CASE(errno_names),
	KUNIT_CASE(format_close_with_errno),
	KUNIT_CASE(format_retrans),
	KUNIT_CASE(longest_line_fits),
	{}
};

static struct kunit_suite tt_why_suite = {
	.name = "tcptrail_why",
	.test_cases = tt_why_test_cases,
};

kunit_test_suite(tt_why_suite);
