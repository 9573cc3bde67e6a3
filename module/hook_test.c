// SPDX-License-Identifier: GPL-2.0
/*
 * hook_test.c - KUnit: a real loopback TCP connection made in the kernel,
 * seen through the module's own hooks and ring.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "tcptrail.h"

#define TT_MAX_SEEN 64

struct tt_seen {
	int n;
	struct tcptrail_event ev[TT_MAX_SEEN];
};

/* The state events of the connection between @a and @b, oldest first. */
static void tt_collect(struct kunit *test, struct tt_net *tn,
		       struct tt_cursor *cur, u16 a, u16 b, struct tt_seen *s)
{
	struct tcptrail_event ev;

	while (tt_ring_read(&tt_rec_get(tn)->ring, cur, &ev)) {
		KUNIT_EXPECT_NE(test, ev.kind, TCPTRAIL_EV_LOST);
		if (ev.kind != TCPTRAIL_EV_STATE || s->n == TT_MAX_SEEN)
			continue;
		if ((ev.sport == a && ev.dport == b) ||
		    (ev.sport == b && ev.dport == a))
			s->ev[s->n++] = ev;
	}
}

/*
 * Start the tracer if this kernel runs the suites before the module's init
 * (6.1), and give a cursor at the end of the initial namespace's ring.
 */
static struct tt_net *tt_test_start(struct kunit *test, struct tt_cursor **cur)
{
	struct tt_net *tn;

	KUNIT_ASSERT_EQ(test, tt_start(), 0);
	rcu_read_lock();
	tn = tt_net_get(&init_net);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, tn);
	/* The initial namespace records from load, reader or not. */
	KUNIT_ASSERT_NOT_NULL(test, tt_rec_get(tn));
	*cur = tt_cursor_alloc(&tt_rec_get(tn)->ring);
	KUNIT_ASSERT_NOT_NULL(test, *cur);
	tt_cursor_rewind(&tt_rec_get(tn)->ring, *cur, true);
	return tn;
}

static const struct tcptrail_event *tt_find(struct tt_seen *s, u16 sport,
					    int old, int new)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].sport == sport && s->ev[i].old_state == old &&
		    s->ev[i].new_state == new)
			return &s->ev[i];
	return NULL;
}

static void hook_loopback_connection_has_ports_cookies_isns(struct kunit *test)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct socket *lsock = NULL, *csock = NULL, *asock = NULL;
	const struct tcptrail_event *syn, *est, *child, *child_est, *fin, *tw;
	struct tt_seen *seen;
	struct tt_cursor *cur;
	struct tt_net *tn;
	u16 lport, cport;
	bool started_here = !tt_started();
	int err, i;

	tn = tt_test_start(test, &cur);
	seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &lsock);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kernel_bind(lsock, (struct sockaddr *)&addr, sizeof(addr));
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(lsock, 4), 0);
	KUNIT_ASSERT_GE(test, kernel_getsockname(lsock, (struct sockaddr *)&addr), 0);
	lport = ntohs(addr.sin_port);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &csock), 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(csock, (struct sockaddr *)&addr,
					     sizeof(addr), 0), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &asock, 0), 0);
	KUNIT_ASSERT_GE(test, kernel_getsockname(csock, (struct sockaddr *)&addr), 0);
	cport = ntohs(addr.sin_port);
	KUNIT_ASSERT_NE(test, cport, 0);

	tt_collect(test, tn, cur, lport, cport, seen);

	syn = tt_find(seen, cport, TCP_CLOSE, TCP_SYN_SENT);
	est = tt_find(seen, cport, TCP_SYN_SENT, TCP_ESTABLISHED);
	child = tt_find(seen, lport, TCP_LISTEN, TCP_SYN_RECV);
	child_est = tt_find(seen, lport, TCP_SYN_RECV, TCP_ESTABLISHED);
	KUNIT_ASSERT_NOT_NULL(test, syn);
	KUNIT_ASSERT_NOT_NULL(test, est);
	KUNIT_ASSERT_NOT_NULL(test, child);
	KUNIT_ASSERT_NOT_NULL(test, child_est);

	/* SYN_SENT already knows the real port and the ISN. */
	KUNIT_EXPECT_EQ(test, syn->dport, lport);
	KUNIT_EXPECT_TRUE(test, syn->flags & TCPTRAIL_F_ISN);
	KUNIT_EXPECT_EQ(test, syn->cookie, est->cookie);
	KUNIT_EXPECT_NE(test, syn->cookie, 0ULL);
	KUNIT_EXPECT_EQ(test, syn->dur_ns, 0ULL);
	KUNIT_EXPECT_GT(test, est->dur_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, est->isn, syn->isn);
	KUNIT_EXPECT_EQ(test, est->snd_una, syn->isn + 1);
	/* As the SYN leaves: snd_una is the ISN, the SYN takes one. */
	KUNIT_EXPECT_EQ(test, syn->snd_una, syn->isn);
	KUNIT_EXPECT_EQ(test, syn->snd_nxt, syn->isn + 1);

	/* The child's first event has its own 4-tuple, cookie and ISNs. */
	KUNIT_EXPECT_EQ(test, child->dport, cport);
	KUNIT_EXPECT_FALSE(test, child->flags & TCPTRAIL_F_NO_TUPLE);
	KUNIT_EXPECT_EQ(test, child->cookie, child_est->cookie);
	KUNIT_EXPECT_NE(test, child->cookie, syn->cookie);
	KUNIT_EXPECT_EQ(test, child->cookie, tt_sk_cookie(asock->sk));
	KUNIT_EXPECT_EQ(test, est->cookie, tt_sk_cookie(csock->sk));
	KUNIT_EXPECT_EQ(test, child->peer_isn, syn->isn);
	/* The child's own sequence space, not its listener's. */
	KUNIT_EXPECT_EQ(test, child->snd_nxt, child->isn + 1);
	KUNIT_EXPECT_EQ(test, child->snd_una, child->isn + 1);
	KUNIT_EXPECT_EQ(test, child->rcv_nxt, child->peer_isn + 1);
	KUNIT_EXPECT_EQ(test, est->peer_isn, child->isn);
	KUNIT_EXPECT_EQ(test, child_est->snd_una, child->isn + 1);
	KUNIT_EXPECT_EQ(test, child_est->rcv_nxt, syn->isn + 1);
	KUNIT_EXPECT_TRUE(test, child->flags & TCPTRAIL_F_SOFTIRQ);

	/*
	 * The client closes first: FIN_WAIT1 on its side, CLOSE_WAIT on ours;
	 * then ours closes: LAST_ACK, and CLOSE once the last ACK is back.
	 * Both answers come in softirq: wait for each.
	 */
	sock_release(csock);
	for (i = 0; i < 100; i++) {
		if (tt_find(seen, lport, TCP_ESTABLISHED, TCP_CLOSE_WAIT))
			break;
		msleep(20);
		tt_collect(test, tn, cur, lport, cport, seen);
	}
	KUNIT_EXPECT_NOT_NULL(test, tt_find(seen, cport, TCP_ESTABLISHED,
					    TCP_FIN_WAIT1));
	KUNIT_EXPECT_NOT_NULL(test, tt_find(seen, lport, TCP_ESTABLISHED,
					    TCP_CLOSE_WAIT));
	sock_release(asock);
	sock_release(lsock);
	for (i = 0; i < 100; i++) {
		if (tt_find(seen, lport, TCP_LAST_ACK, TCP_CLOSE))
			break;
		msleep(20);
		tt_collect(test, tn, cur, lport, cport, seen);
	}
	KUNIT_EXPECT_NOT_NULL(test, tt_find(seen, lport, TCP_CLOSE_WAIT,
					    TCP_LAST_ACK));
	fin = tt_find(seen, lport, TCP_LAST_ACK, TCP_CLOSE);
	KUNIT_EXPECT_NOT_NULL(test, fin);
	/* Why each side ended: an orderly close, no error for anyone. */
	for (i = 0; i < 100; i++) {
		if (tt_find(seen, cport, TCP_FIN_WAIT2, TCP_CLOSE))
			break;
		msleep(20);
		tt_collect(test, tn, cur, lport, cport, seen);
	}
	tw = tt_find(seen, cport, TCP_FIN_WAIT2, TCP_CLOSE);
	KUNIT_EXPECT_NOT_NULL(test, tw);
	if (fin) {
		KUNIT_EXPECT_EQ(test, fin->cause, TCPTRAIL_CAUSE_PASSIVE_CLOSE);
		KUNIT_EXPECT_EQ(test, fin->err, 0);
	}
	if (tw) {
		KUNIT_EXPECT_EQ(test, tw->cause, TCPTRAIL_CAUSE_ACTIVE_CLOSE);
		KUNIT_EXPECT_EQ(test, tw->err, 0);
	}
	kfree(cur);
	if (started_here)
		tt_stop();
}

/* The next state event of @cookie in the ring, or NULL. */
static bool tt_next_of(struct tt_net *tn, struct tt_cursor *cur, u64 cookie,
		       struct tcptrail_event *ev)
{
	while (tt_ring_read(&tt_rec_get(tn)->ring, cur, ev))
		if (ev->kind == TCPTRAIL_EV_STATE && ev->cookie == cookie)
			return true;
	return false;
}

/*
 * A task that runs the receive path with BHs off (tun, busy polling) is not
 * the connection's owner, and its events are not marked as a task's.
 */
static void hook_bh_disabled_record_keeps_owner(struct kunit *test)
{
	bool started_here = !tt_started();
	struct socket *sock = NULL;
	struct tcptrail_event ev;
	struct tt_cursor *cur;
	unsigned long flags;
	struct tt_conn *c;
	struct tt_net *tn;
	u64 cookie;
	bool full;

	tn = tt_test_start(test, &cur);
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	cookie = tt_sk_cookie(sock->sk);

	c = tt_conn_lock(&tt_conns, cookie, true, &full, &flags);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->pid = 4242;
	strscpy(c->comm, "owner", sizeof(c->comm));
	c->flags |= TT_CONN_OWNER;
	tt_conn_unlock(&tt_conns, c, flags);

	/* Probes run inside an RCU read-side section: so do these calls. */
	rcu_read_lock();
	local_bh_disable();
	tt_record_state(sock->sk, TCP_ESTABLISHED, TCP_CLOSE_WAIT,
			ktime_get_ns());
	local_bh_enable();
	rcu_read_unlock();
	KUNIT_ASSERT_TRUE(test, tt_next_of(tn, cur, cookie, &ev));
	KUNIT_EXPECT_EQ(test, ev.pid, 4242U);
	KUNIT_EXPECT_STREQ(test, ev.comm, "owner");
	KUNIT_EXPECT_TRUE(test, ev.flags & TCPTRAIL_F_SOFTIRQ);

	/* The same from the syscall side: the task is the owner now. */
	rcu_read_lock();
	tt_record_state(sock->sk, TCP_CLOSE_WAIT, TCP_LAST_ACK, ktime_get_ns());
	rcu_read_unlock();
	KUNIT_ASSERT_TRUE(test, tt_next_of(tn, cur, cookie, &ev));
	KUNIT_EXPECT_EQ(test, ev.pid, (u32)current->tgid);
	KUNIT_EXPECT_FALSE(test, ev.flags & TCPTRAIL_F_SOFTIRQ);

	rcu_read_lock();
	tt_record_state(sock->sk, TCP_LAST_ACK, TCP_CLOSE, ktime_get_ns());
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, tt_conn_lock(&tt_conns, cookie, false, &full,
					     &flags));
	sock_release(sock);
	kfree(cur);
	if (started_here)
		tt_stop();
}

static struct kunit_case tt_hook_cases[] = {
	KUNIT_CASE(hook_loopback_connection_has_ports_cookies_isns),
	KUNIT_CASE(hook_bh_disabled_record_keeps_owner),
	{}
};

static struct kunit_suite tt_hook_suite = {
	.name = "tcptrail_hook",
	.test_cases = tt_hook_cases,
};

kunit_test_suite(tt_hook_suite);
