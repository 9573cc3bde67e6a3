// SPDX-License-Identifier: GPL-2.0
/* record_test.c - KUnit: state names and the text lines of the events file. */
#include <kunit/test.h>
#include <linux/inet.h>
#include <net/tcp_states.h>

#include "tcptrail.h"

struct tt_state_case {
	int state;
	const char *name;
};

/* The kernel's own numbering (tcp_states.h) against the names we print. */
static const struct tt_state_case tt_state_cases[] = {
	{ TCP_ESTABLISHED, "ESTABLISHED" },
	{ TCP_SYN_SENT, "SYN_SENT" },
	{ TCP_SYN_RECV, "SYN_RECV" },
	{ TCP_FIN_WAIT1, "FIN_WAIT1" },
	{ TCP_FIN_WAIT2, "FIN_WAIT2" },
	{ TCP_TIME_WAIT, "TIME_WAIT" },
	{ TCP_CLOSE, "CLOSE" },
	{ TCP_CLOSE_WAIT, "CLOSE_WAIT" },
	{ TCP_LAST_ACK, "LAST_ACK" },
	{ TCP_LISTEN, "LISTEN" },
	{ TCP_CLOSING, "CLOSING" },
	{ TCP_NEW_SYN_RECV, "NEW_SYN_RECV" },
};

static void tt_state_desc(const struct tt_state_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tt_state, tt_state_cases, tt_state_desc);

static void state_names_match_kernel_numbers(struct kunit *test)
{
	const struct tt_state_case *c = test->param_value;

	KUNIT_EXPECT_STREQ(test, tt_state_name(c->state), c->name);
	KUNIT_EXPECT_EQ(test, tt_state_parse(c->name), c->state);
}

static void state_unknown_prints_dash(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, tt_state_name(0), "-");
	KUNIT_EXPECT_STREQ(test, tt_state_name(200), "-");
	KUNIT_EXPECT_EQ(test, tt_state_parse("ESTABLISHEDX"), -EINVAL);
	KUNIT_EXPECT_EQ(test, tt_state_parse("established"), TCP_ESTABLISHED);
}

static void tt_sample(struct tcptrail_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = TCPTRAIL_EV_STATE;
	ev->seq = 7;
	ev->ts_ns = 123456789;
	ev->cpu = 1;
	ev->netns = 4026531840U;
	ev->cookie = 4097;
	ev->pid = 321;
	strscpy(ev->comm, "curl", sizeof(ev->comm));
	ev->flags = TCPTRAIL_F_OWNER | TCPTRAIL_F_ISN | TCPTRAIL_F_PEER_ISN;
	ev->family = AF_INET;
	ev->old_state = TCP_SYN_SENT;
	ev->new_state = TCP_ESTABLISHED;
	ev->sport = 39416;
	ev->dport = 8000;
	in4_pton("127.0.0.1", -1, ev->saddr, -1, NULL);
	in4_pton("127.0.0.2", -1, ev->daddr, -1, NULL);
	ev->dur_ns = 13291560;
	ev->isn = 3080524861U;
	ev->peer_isn = 349468758;
	ev->snd_una = 3080524862U;
	ev->snd_nxt = 3080524862U;
	ev->rcv_nxt = 349468759;
	ev->snd_wnd = 65483;
	ev->rcv_wnd = 65495;
	ev->mss = 32741;
	ev->srtt_us = 6255;
}

static void format_ipv4_state_line(struct kunit *test)
{
	struct tcptrail_event ev;
	char buf[512];

	tt_sample(&ev);
	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_STREQ(test, buf,
			   "state 7 123456789 1 4026531840 4097 321 curl task ipv4 127.0.0.1 39416 127.0.0.2 8000 SYN_SENT ESTABLISHED 13291560 3080524861 349468758 3080524862 3080524862 349468759 65483 65495 32741 6255 0xe - - - - - - - - -\n");
}

static void format_ipv6_softirq_unknown_owner(struct kunit *test)
{
	struct tcptrail_event ev;
	char buf[512];

	tt_sample(&ev);
	ev.family = AF_INET6;
	in6_pton("2001:db8::1", -1, ev.saddr, -1, NULL);
	in6_pton("::1", -1, ev.daddr, -1, NULL);
	ev.flags = TCPTRAIL_F_SOFTIRQ;
	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_STREQ(test, buf,
			   "state 7 123456789 1 4026531840 4097 - - softirq ipv6 2001:db8::1 39416 ::1 8000 SYN_SENT ESTABLISHED 13291560 - - 3080524862 3080524862 349468759 65483 65495 32741 6255 0x1 - - - - - - - - -\n");
}

static void format_comm_keeps_one_column(struct kunit *test)
{
	struct tcptrail_event ev;
	char buf[512];

	tt_sample(&ev);
	strscpy(ev.comm, "my prog\tx", sizeof(ev.comm));
	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, " 321 my?prog?x task "));
}

static void format_lifecycle_with_sysctls(struct kunit *test)
{
	struct tcptrail_event ev;
	char buf[512];

	tt_sample(&ev);
	ev.kind = TCPTRAIL_EV_TW_EXIT;
	ev.old_state = TCP_TIME_WAIT;
	ev.new_state = TCP_CLOSE;
	ev.substate = TCP_TIME_WAIT;
	ev.cause = TCPTRAIL_CAUSE_EXPIRED;
	ev.timeout_ns = 60000000000ULL;
	ev.flags |= TCPTRAIL_F_SYSCTLS;
	ev.sysctl_fin_timeout = 60;
	ev.sysctl_tw_reuse = 2;
	ev.sysctl_max_tw_buckets = 4096;
	ev.sysctl_tw_reuse_delay = -1;
	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(buf, " 0x8e expired TIME_WAIT 60000000000 60 2 4096 - - -\n"));
	KUNIT_EXPECT_EQ(test, strncmp(buf, "tw_exit 7 ", 10), 0);
}

static void format_lost_line(struct kunit *test)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_LOST,
		.count = 36,
		.cause = TCPTRAIL_CAUSE_OVERWRITTEN,
	};
	char buf[64];

	tt_format_event(buf, sizeof(buf), &ev);
	KUNIT_EXPECT_STREQ(test, buf, "lost 36 overwritten\n");
}

static void format_header_names_every_column(struct kunit *test)
{
	struct tcptrail_event ev;
	char head[512], line[512];
	int cols_head = 0, cols_line = 0;
	char *p;

	tt_sample(&ev);
	tt_format_header(head, sizeof(head));
	tt_format_event(line, sizeof(line), &ev);
	for (p = head + 2; *p; p++)	/* skip "# " */
		cols_head += *p == ' ' || *p == '\n';
	for (p = line; *p; p++)
		cols_line += *p == ' ' || *p == '\n';
	KUNIT_EXPECT_EQ(test, cols_head, cols_line);
}

static struct kunit_case tt_record_cases[] = {
	KUNIT_CASE_PARAM(state_names_match_kernel_numbers, tt_state_gen_params),
	KUNIT_CASE(state_unknown_prints_dash),
	KUNIT_CASE(format_ipv4_state_line),
	KUNIT_CASE(format_ipv6_softirq_unknown_owner),
	KUNIT_CASE(format_comm_keeps_one_column),
	KUNIT_CASE(format_lifecycle_with_sysctls),
	KUNIT_CASE(format_lost_line),
	KUNIT_CASE(format_header_names_every_column),
	{}
};

static struct kunit_suite tt_record_suite = {
	.name = "tcptrail_record",
	.test_cases = tt_record_cases,
};

kunit_test_suite(tt_record_suite);
