// SPDX-License-Identifier: GPL-2.0
/*
 * why_test.c - KUnit: the cause of a -> CLOSE from what the kernel left in
 * the socket, a table of made-up facts; errno and cause names; the new
 * columns of the events file.
 */
#include <kunit/test.h>
#include <linux/errno.h>
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
	{ "orphaned FIN_WAIT2 past its time, in the full sock",
	  { .old = TCP_FIN_WAIT2, .dead = true, ALIVE },
	  TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT },
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
