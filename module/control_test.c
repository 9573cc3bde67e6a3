// SPDX-License-Identifier: GPL-2.0
/* control_test.c - KUnit: the control grammar and the filters it sets. */
#include <kunit/test.h>
#include <linux/inet.h>
#include <net/tcp_states.h>

#include "tcptrail.h"

struct tt_ctl_case {
	const char *input;
	int err;
	const char *shown;	/* tt_filter_show() of the result */
};

static const struct tt_ctl_case tt_ctl_cases[] = {
	{ "port 8000", 0, "port 8000\n" },
	{ "port 80,443\n", 0, "port 80,443\n" },
	{ "lport 1\nrport 65535", 0, "lport 1\nrport 65535\n" },
	{ "addr 127.0.0.0/8", 0, "addr 127.0.0.0/8\n" },
	{ "raddr 2001:db8::/32", 0, "raddr 2001:db8::/32\n" },
	{ "laddr ::1", 0, "laddr ::1/128\n" },
	{ "state established,TIME_WAIT", 0, "state ESTABLISHED,TIME_WAIT\n" },
	{ "# comment\n\n  port 22\n", 0, "port 22\n" },
	{ "\tport 23\t", 0, "port 23\n" },
	{ "port 8000\nport any", 0, "" },
	{ "port 8000\nreset", 0, "" },
	{ "pause\nresume\nclear", 0, "" },
	{ "netns all", 0, "" },
	{ "port 0", -EINVAL, NULL },
	{ "port 65536", -EINVAL, NULL },
	{ "port 1,2,3,4,5,6,7,8,9", -EINVAL, NULL },
	{ "port", -EINVAL, NULL },
	{ "port 80 443", -EINVAL, NULL },
	{ "addr 300.1.1.1", -EINVAL, NULL },
	{ "addr 10.0.0.0/33", -EINVAL, NULL },
	{ "addr ::/129", -EINVAL, NULL },
	{ "state SLEEPING", -EINVAL, NULL },
	{ "netns some", -EINVAL, NULL },
	{ "bogus", -EINVAL, NULL },
	{ "port 8000\nbogus", -EINVAL, NULL },
	{ "pause now", -EINVAL, NULL },
};

static void tt_ctl_desc(const struct tt_ctl_case *c, char *desc)
{
	int i;

	strscpy(desc, c->input, KUNIT_PARAM_DESC_SIZE);
	for (i = 0; desc[i]; i++)
		if (desc[i] == '\n')
			desc[i] = '|';
}

KUNIT_ARRAY_PARAM(tt_ctl, tt_ctl_cases, tt_ctl_desc);

static void control_parses_or_rejects_whole_write(struct kunit *test)
{
	const struct tt_ctl_case *c = test->param_value;
	struct tt_filter cur = {}, before;
	struct tt_control out;
	char buf[256], shown[256];
	int err;

	/* A filter is already set: a failed write must leave it as it was. */
	cur.lport.n = 1;
	cur.lport.port[0] = 4242;
	before = cur;
	strscpy(buf, c->input, sizeof(buf));
	err = tt_control_parse(buf, &cur, &out);
	KUNIT_EXPECT_EQ(test, err, c->err);
	KUNIT_EXPECT_EQ(test, memcmp(&cur, &before, sizeof(cur)), 0);
	if (err)
		return;
	/* Start from nothing to compare the shown result. */
	strscpy(buf, c->input, sizeof(buf));
	memset(&cur, 0, sizeof(cur));
	KUNIT_ASSERT_EQ(test, tt_control_parse(buf, &cur, &out), 0);
	tt_filter_show(shown, sizeof(shown), &out.filter);
	KUNIT_EXPECT_STREQ(test, shown, c->shown);
}

static void control_commands_set_flags(struct kunit *test)
{
	struct tt_filter cur = {};
	struct tt_control out;
	char buf[64];

	strscpy(buf, "pause\nclear\nnetns own", sizeof(buf));
	KUNIT_ASSERT_EQ(test, tt_control_parse(buf, &cur, &out), 0);
	KUNIT_EXPECT_TRUE(test, out.pause);
	KUNIT_EXPECT_FALSE(test, out.resume);
	KUNIT_EXPECT_TRUE(test, out.clear);
	KUNIT_EXPECT_EQ(test, out.netns_all, 0);
}

static void tt_ev(struct tcptrail_event *ev, const char *s, u16 sp,
		  const char *d, u16 dp)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = TCPTRAIL_EV_STATE;
	ev->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (ev->family == AF_INET) {
		in4_pton(s, -1, ev->saddr, -1, NULL);
		in4_pton(d, -1, ev->daddr, -1, NULL);
	} else {
		in6_pton(s, -1, ev->saddr, -1, NULL);
		in6_pton(d, -1, ev->daddr, -1, NULL);
	}
	ev->sport = sp;
	ev->dport = dp;
	ev->old_state = TCP_SYN_SENT;
	ev->new_state = TCP_ESTABLISHED;
}

static bool tt_match(struct kunit *test, const char *cmd,
		     const struct tcptrail_event *ev)
{
	struct tt_filter none = {};
	struct tt_control out;
	char buf[128];

	strscpy(buf, cmd, sizeof(buf));
	KUNIT_EXPECT_EQ(test, tt_control_parse(buf, &none, &out), 0);
	return tt_filter_match(&out.filter, ev);
}

static void filter_matches_ports_prefixes_states(struct kunit *test)
{
	struct tcptrail_event ev;

	tt_ev(&ev, "10.1.2.3", 40000, "192.168.7.9", 8000);
	KUNIT_EXPECT_TRUE(test, tt_match(test, "", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "port 8000", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "port 40000", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "port 8001", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "rport 8000", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "lport 8000", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "addr 192.168.0.0/16", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "laddr 10.1.2.0/23", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "laddr 10.1.4.0/23", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "raddr 10.0.0.0/8", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "addr ::/0", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "state SYN_SENT", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "state ESTABLISHED", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "state LISTEN,CLOSE", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "port 8000\nstate CLOSE", &ev));

	tt_ev(&ev, "2001:db8::5", 443, "fe80::1", 50000);
	KUNIT_EXPECT_TRUE(test, tt_match(test, "laddr 2001:db8::/33", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "laddr 2001:db9::/32", &ev));
	KUNIT_EXPECT_FALSE(test, tt_match(test, "addr 10.0.0.0/8", &ev));
	KUNIT_EXPECT_TRUE(test, tt_match(test, "lport 443", &ev));
}

struct tt_mapped_case {
	const char *filter;
	const char *laddr, *raddr;	/* the event's */
	bool match;
};

/* IPv4-mapped IPv6 addresses (dual-stack sockets) against IPv4 prefixes. */
static const struct tt_mapped_case tt_mapped_cases[] = {
	{ "addr 10.0.0.0/8", "::ffff:10.1.2.3", "::ffff:192.0.2.1", true },
	{ "laddr 10.1.2.3", "::ffff:10.1.2.3", "::ffff:192.0.2.1", true },
	{ "raddr 10.0.0.0/8", "::ffff:10.1.2.3", "::ffff:192.0.2.1", false },
	{ "raddr 192.0.2.0/24", "::ffff:10.1.2.3", "::ffff:192.0.2.1", true },
	{ "addr 10.0.0.0/8", "::10.1.2.3", "2001:db8::1", false },
	{ "addr 10.0.0.0/8", "2001:db8::a01:203", "::1", false },
	{ "addr ::ffff:10.0.0.0/104", "10.1.2.3", "192.0.2.1", true },
	{ "addr ::ffff:10.0.0.0/104", "11.1.2.3", "192.0.2.1", false },
	{ "raddr ::ffff:192.0.2.1", "10.1.2.3", "192.0.2.1", true },
	{ "addr ::ffff:0:0/96", "10.1.2.3", "192.0.2.1", true },
	{ "addr ::/0", "10.1.2.3", "192.0.2.1", false },
	{ "addr ::ffff:10.0.0.0/104", "::ffff:10.9.9.9", "::1", true },
	{ "addr 10.0.0.0/8", "10.1.2.3", "192.0.2.1", true },
};

static void tt_mapped_desc(const struct tt_mapped_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s vs %s %s", c->filter,
		 c->laddr, c->raddr);
}

KUNIT_ARRAY_PARAM(tt_mapped, tt_mapped_cases, tt_mapped_desc);

static void filter_matches_v4_mapped_addresses(struct kunit *test)
{
	const struct tt_mapped_case *c = test->param_value;
	struct tcptrail_event ev;

	tt_ev(&ev, c->laddr, 8000, c->raddr, 40000);
	KUNIT_EXPECT_EQ(test, tt_match(test, c->filter, &ev), c->match);
}

static struct kunit_case tt_control_cases[] = {
	KUNIT_CASE_PARAM(control_parses_or_rejects_whole_write,
			 tt_ctl_gen_params),
	KUNIT_CASE(control_commands_set_flags),
	KUNIT_CASE(filter_matches_ports_prefixes_states),
	KUNIT_CASE_PARAM(filter_matches_v4_mapped_addresses,
			 tt_mapped_gen_params),
	{}
};

static struct kunit_suite tt_control_suite = {
	.name = "tcptrail_control",
	.test_cases = tt_control_cases,
};

kunit_test_suite(tt_control_suite);
