// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle.c - what never calls tcp_set_state: the server's SYN arrival
 * (request sock), SYN-ACK retransmits, request drops, resets, and the whole
 * life of the timewait sock that carries TIME_WAIT (or an orphaned
 * FIN_WAIT2) after the full socket is gone.
 *
 * The request sock and the timewait sock inherit the socket cookie, so
 * their events join the connection's trail:
 *   syn_recv  the first SYN-ACK is sent (tcp_v4/v6_send_synack)
 *   req_drop  the request sock is freed without a child (its destructor,
 *             whichever path freed it: SYN-ACK retries exhausted, listener
 *             closed, reset, netns): nothing frees one behind our back
 *   enter     the timer is armed (__inet_twsk_schedule, or where the kernel
 *             has it, inet_twsk_hashdance_schedule): substate and timeout
 *   substate  __inet_twsk_schedule(rearm): FIN_WAIT2 -> TIME_WAIT when the
 *             peer's FIN arrives, or the timer restarted by a FIN
 *   exit      tcp_twsk_destructor: cause and time in the last substate.
 *             The cause is set earlier, where the kernel decides it, in
 *             inet_twsk_deschedule_put(): right after
 *             tcp_timewait_state_process() saw a SYN (syn) or anything
 *             else that kills (rst); in connect() right after
 *             tcp_twsk_unique() looked at it (reused); the netns is going
 *             (netns); with none of these the timer expired.
 *   skip      tcp_time_wait() armed no timewait sock before tcp_done():
 *             tcp_max_tw_buckets is reached (TCPTimeWaitOverflow).
 *   retrans   tcp:tcp_retransmit_skb: SYNs, FINs and data sent again.
 * An RST received is noted for the CLOSE that follows (why.c); an RST sent
 * carries its cause.
 *
 * Only entry kprobes and tracepoints. Per-CPU notes between two probes of
 * one call (verdict, reuse, time_wait) hold values and pointers that are
 * compared, never dereferenced, so a stale note can only fail to match.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/tcp.h>
#include <trace/events/tcp.h>

#include "compat.h"
#include "tcptrail.h"

/*
 * A segment tcp_timewait_state_process() handles on this CPU (BHs off), or
 * connect() asking tcp_twsk_unique() about a timewait sock (BHs off): the
 * note its inet_twsk_deschedule_put() may follow. Most segments never
 * kill, and twsk_unique() may say no: a note is used only by the same
 * timewait sock (cookie), task and context level, and then cleared.
 */
struct tt_tw_note {
	u64 cookie;
	const struct task_struct *task;
	bool syn;			/* a SYN that may take over */
};

struct tt_tw_notes {
	struct tt_tw_note verdict[2];	/* task, softirq */
	struct tt_tw_note reuse;	/* connect(): task only */
};

static DEFINE_PER_CPU(struct tt_tw_notes, tt_tw_notes);

static struct tt_tw_note *tt_tw_verdict(void)
{
	return &this_cpu_ptr(&tt_tw_notes)->verdict[tt_ctx_level()];
}

/* The note is this timewait sock's: use it once. */
static bool tt_tw_note_take(struct tt_tw_note *n, u64 cookie)
{
	if (!n->cookie || n->cookie != cookie || n->task != current)
		return false;
	n->cookie = 0;
	return true;
}

/* tcp_time_wait() on this CPU, until its tcp_done(); per context level. */
struct tt_tw_closing {
	const struct task_struct *task;	/* compared, never dereferenced */
	u64 cookie;
	int state;
	bool armed;
};

struct tt_tw_closing_level {
	struct tt_tw_closing level[2];	/* task, softirq */
};

static DEFINE_PER_CPU(struct tt_tw_closing_level, tt_tw_closing);

static struct tt_tw_closing *tt_tw_closing_ctx(void)
{
	return &this_cpu_ptr(&tt_tw_closing)->level[tt_ctx_level()];
}

/* Whether inet_twsk_hashdance_schedule() arms the first timer here. */
static bool tt_tw_arm_probed(void);
/* Whether the timewait timer's runs are seen. */
static bool tt_tw_timer_probed(void);
/* Whether request socks' timer runs are seen. */
static bool tt_req_timer_probed(void);

/* Grace past a timer before a slot counts as stale. */
#define TT_STALE_GRACE_NS	(60ULL * NSEC_PER_SEC)

/* TCP's socks and timewait socks, not DCCP's or others' (proto "TCP*"). */
static bool tt_is_tcp(const struct sock *sk)
{
	const struct proto *prot = READ_ONCE(sk->sk_prot);

	return prot && !strncmp(prot->name, "TCP", 3);
}

/* The sequence space a timewait sock still keeps. */
static void tt_fill_tw_seq(struct tcptrail_event *ev, const struct sock *sk)
{
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);

	ev->snd_nxt = READ_ONCE(tcptw->tw_snd_nxt);
	ev->rcv_nxt = READ_ONCE(tcptw->tw_rcv_nxt);
	ev->rcv_wnd = READ_ONCE(tcptw->tw_rcv_wnd);
}

/* Fill the parts every lifecycle event has and send it. */
static void tt_lc_emit(struct tcptrail_event *ev, const struct sock *sk)
{
	if (!ev->family)
		tt_fill_tuple(ev, sk);
	tt_fill_sysctls(ev, sock_net(sk));
	if (!tt_syscall_ctx())
		ev->flags |= TCPTRAIL_F_SOFTIRQ;
	tt_emit(sock_net(sk), ev);
}

/*
 * Something sent again: the time since the connection's last transition and
 * what its slot knows (ISNs, owner), then out. The slot is only read.
 */
static void tt_lc_emit_again(struct tcptrail_event *ev, const struct sock *sk)
{
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	c = tt_conn_lock(&tt_conns, ev->cookie, false, &full, &flags);
	if (c) {
		ev->dur_ns = tt_since(ev->ts_ns, c->last_ts);
		tt_conn_to_event(ev, c);
		tt_conn_unlock(&tt_conns, c, flags);
	}
	tt_lc_emit(ev, sk);
}

/*
 * Bookkeeping of the timewait sock's life in its connection's slot, kept
 * apart from the probes so KUnit can drive it with made-up inputs.
 */

/* The timer is armed: the first time (enter) or again (substate). */
void tt_tw_book_armed(struct tt_conn *c, struct tcptrail_event *ev)
{
	bool first = !(c->flags & TT_CONN_IN_TW);

	ev->kind = first ? TCPTRAIL_EV_TW_ENTER : TCPTRAIL_EV_TW_SUBSTATE;
	ev->old_state = c->state;
	ev->new_state = ev->substate;
	ev->dur_ns = tt_since(ev->ts_ns, c->last_ts);
	c->last_ts = max(ev->ts_ns, c->last_ts);
	/* A timewait sock cannot outlive its timer: bound the slot. */
	c->expires = ev->ts_ns + ev->timeout_ns + TT_STALE_GRACE_NS;
	c->state = ev->substate;
	c->flags |= TT_CONN_IN_TW;
	tt_conn_to_event(ev, c);
}

/*
 * Why inet_twsk_deschedule_put() kills a timewait sock before its time:
 * @reused when connect() just had tcp_twsk_unique() look at it,
 * @in_processing when tcp_timewait_state_process() just handled a segment
 * for it (a SYN taking over, else an RST received or answered).
 */
u8 tt_tw_kill_cause(bool net_alive, bool in_processing, bool syn, bool reused)
{
	if (!net_alive)
		return TCPTRAIL_CAUSE_NETNS;
	if (reused)
		return TCPTRAIL_CAUSE_REUSED;
	if (in_processing)
		return syn ? TCPTRAIL_CAUSE_SYN : TCPTRAIL_CAUSE_RST;
	return TCPTRAIL_CAUSE_OTHER;
}

/*
 * The first reason given is the one that ends it (reuse, then the kill),
 * unless its timer fired: then the timer kills it, whatever comes in.
 */
void tt_tw_book_cause(struct tt_conn *c, u8 cause)
{
	if (!c->tw_cause && !(c->flags & TT_CONN_TW_TIMER))
		c->tw_cause = cause;
}

/*
 * tw_timer_handler() runs: it kills the sock, and an early kill racing
 * with it (inet_twsk_deschedule_put() finds the timer gone) does not; a
 * reason booked before it was not the end.
 */
void tt_tw_book_timer(struct tt_conn *c)
{
	c->flags |= TT_CONN_TW_TIMER;
	c->tw_cause = 0;
}

/* The timewait sock is freed: no reason given means the timer ran out. */
void tt_tw_book_exit(const struct tt_conn *c, struct tcptrail_event *ev,
		     bool net_alive)
{
	ev->kind = TCPTRAIL_EV_TW_EXIT;
	ev->old_state = ev->substate;
	ev->new_state = TCP_CLOSE;
	ev->cause = net_alive ? TCPTRAIL_CAUSE_EXPIRED : TCPTRAIL_CAUSE_NETNS;
	if (!c)
		return;
	if (c->tw_cause)
		ev->cause = c->tw_cause;
	ev->dur_ns = tt_since(ev->ts_ns, c->last_ts);
	tt_conn_to_event(ev, c);
}

static void tt_tw_armed(struct inet_timewait_sock *tw, int timeo, bool rearm)
{
	struct sock *sk = (struct sock *)tw;
	struct tcptrail_event ev = {
		.ts_ns = ktime_get_ns(),
		.timeout_ns = jiffies_to_nsecs(timeo),
		.substate = READ_ONCE(tw->tw_substate),
	};
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!tt_is_tcp(sk))
		return;
	ev.cookie = tt_sk_cookie(sk);
	if (!rearm) {
		struct tt_tw_closing *tc = tt_tw_closing_ctx();

		if (tc->task == current && tc->cookie == ev.cookie)
			tc->armed = true;
	}
	tt_fill_tw_seq(&ev, sk);
	c = tt_conn_lock(&tt_conns, ev.cookie, true, &full, &flags);
	if (c) {
		tt_tw_book_armed(c, &ev);
		tt_conn_unlock(&tt_conns, c, flags);
	} else {
		ev.kind = rearm ? TCPTRAIL_EV_TW_SUBSTATE : TCPTRAIL_EV_TW_ENTER;
		ev.new_state = ev.substate;
		ev.flags |= full ? TCPTRAIL_F_TABLE_FULL : 0;
	}
	tt_lc_emit(&ev, sk);
}

/*
 * __inet_twsk_schedule(tw, timeo, rearm): every re-arm, and the first arming
 * where inet_twsk_hashdance_schedule() does not do it (up to 6.9).
 */
static int tt_kp_tw_schedule(struct kprobe *p, struct pt_regs *regs)
{
	void *tw = (void *)regs_get_kernel_argument(regs, 0);
	int timeo = regs_get_kernel_argument(regs, 1);
	/* A bool argument: only its low byte is defined. */
	bool rearm = (u8)regs_get_kernel_argument(regs, 2);

	if (rearm || !tt_tw_arm_probed())
		tt_tw_armed(tw, timeo, rearm);
	return 0;
}

/* inet_twsk_hashdance_schedule(tw, sk, hashinfo, timeo): the first arming. */
static int tt_kp_tw_arm(struct kprobe *p, struct pt_regs *regs)
{
	void *tw = (void *)regs_get_kernel_argument(regs, 0);
	int timeo = regs_get_kernel_argument(regs, 3);

	tt_tw_armed(tw, timeo, false);
	return 0;
}

/* tcp_time_wait(sk, state, timeo): a timewait sock should take over. */
static int tt_kp_time_wait(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tt_tw_closing *tc = tt_tw_closing_ctx();

	tc->task = current;
	tc->cookie = tt_sk_cookie(sk);
	tc->state = regs_get_kernel_argument(regs, 1);
	tc->armed = false;
	return 0;
}

/*
 * At the CLOSE of the socket with @cookie: true when it comes from
 * tcp_time_wait() and no timewait sock was armed in between
 * (tcp_max_tw_buckets); @state is the substate it would have had. @tw
 * says whether it comes from tcp_time_wait() at all.
 */
bool tt_tw_skipped(u64 cookie, int *state, bool *tw)
{
	struct tt_tw_closing *tc = tt_tw_closing_ctx();
	bool skipped;

	/* Cookies are never reused: a stale note cannot match. */
	*tw = false;
	if (!cookie || tc->cookie != cookie || tc->task != current)
		return false;
	*tw = true;
	skipped = !tc->armed;
	*state = tc->state;
	tc->cookie = 0;
	return skipped;
}

/*
 * No timewait sock: TIME_WAIT is skipped. Filled while @c, the slot if
 * any, is locked; sent by tt_tw_emit_skip() once it is not.
 */
void tt_tw_fill_skip(struct tcptrail_event *ev, struct sock *sk, int state,
		     const struct tt_conn *c)
{
	ev->kind = TCPTRAIL_EV_TW_SKIP;
	ev->ts_ns = ktime_get_ns();
	ev->substate = state;
	ev->new_state = TCP_CLOSE;
	ev->cookie = tt_sk_cookie(sk);
	ev->old_state = READ_ONCE(sk->sk_state);
	tt_fill_seq(ev, sk);
	if (c)
		tt_conn_to_event(ev, c);
}

void tt_tw_emit_skip(struct tcptrail_event *ev, const struct sock *sk)
{
	tt_lc_emit(ev, sk);
}

static void tt_tw_set_cause(const struct sock *tw, u8 cause)
{
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	c = tt_conn_lock(&tt_conns, tt_sk_cookie(tw), false, &full, &flags);
	if (!c)
		return;
	tt_tw_book_cause(c, cause);
	tt_conn_unlock(&tt_conns, c, flags);
}

/* The timewait sock is killed before its time: say why, for its exit. */
static int tt_kp_tw_deschedule(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *tw = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tt_tw_note *v = tt_tw_verdict();
	bool processing, reused, syn = v->syn;
	u64 cookie;

	if (!tt_is_tcp(tw))
		return 0;
	cookie = tt_sk_cookie(tw);
	reused = !in_serving_softirq() &&
		 tt_tw_note_take(&this_cpu_ptr(&tt_tw_notes)->reuse, cookie);
	processing = tt_tw_note_take(v, cookie);
	/*
	 * Without the timer's own probe, guess: no timer pending, it is
	 * running and will kill the sock. Not always so: it may be between
	 * dequeue and enqueue in a re-arm, or (6.10+) not armed yet while
	 * inet_twsk_hashdance_schedule() holds the ehash lock.
	 */
	if (!tt_tw_timer_probed() && !timer_pending(&inet_twsk(tw)->tw_timer))
		return 0;
	tt_tw_set_cause(tw, tt_tw_kill_cause(check_net(sock_net(tw)),
					     processing, syn, reused));
	return 0;
}

/* tw_timer_handler(t): the timewait timer ran out; it kills the sock. */
static int tt_kp_tw_timer(struct kprobe *p, struct pt_regs *regs)
{
	struct timer_list *t = (void *)regs_get_kernel_argument(regs, 0);
	struct inet_timewait_sock *tw = container_of(t, struct inet_timewait_sock,
						     tw_timer);
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!tt_is_tcp((struct sock *)tw))
		return 0;
	c = tt_conn_lock(&tt_conns, tt_sk_cookie((struct sock *)tw), false,
			 &full, &flags);
	if (!c)
		return 0;
	tt_tw_book_timer(c);
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

/* tcp_timewait_state_process(tw, skb, th): a segment for a timewait sock. */
static int tt_kp_tw_process(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *tw = (struct sock *)regs_get_kernel_argument(regs, 0);
	const struct tcphdr *th = (void *)regs_get_kernel_argument(regs, 2);
	struct tt_tw_note *v = tt_tw_verdict();

	if (!tt_is_tcp(tw))
		return 0;
	v->cookie = tt_sk_cookie(tw);
	v->task = current;
	/* Only a bare SYN in TIME_WAIT can take over (TCP_TW_SYN). */
	v->syn = th->syn && !th->rst && !th->ack &&
		 READ_ONCE(inet_twsk(tw)->tw_substate) == TCP_TIME_WAIT;
	return 0;
}

/* tcp_twsk_unique(sk, sktw, twp): connect() may take over the 4-tuple. */
static int tt_kp_tw_unique(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *tw = (struct sock *)regs_get_kernel_argument(regs, 1);
	struct tt_tw_note *r = &this_cpu_ptr(&tt_tw_notes)->reuse;

	if (!tt_is_tcp(tw))
		return 0;
	r->cookie = tt_sk_cookie(tw);
	r->task = current;
	return 0;
}

/* The timewait sock is freed, whatever ended it. */
static int tt_kp_tw_destructor(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *tw = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tcptrail_event ev = { .ts_ns = ktime_get_ns() };
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!tt_is_tcp(tw))
		return 0;
	ev.cookie = tt_sk_cookie(tw);
	ev.substate = READ_ONCE(inet_twsk(tw)->tw_substate);
	tt_fill_tw_seq(&ev, tw);
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	tt_tw_book_exit(c, &ev, check_net(sock_net(tw)));
	if (c)
		tt_conn_release(&tt_conns, c, flags);
	tt_lc_emit(&ev, tw);
	return 0;
}

/*
 * How long the kernel may keep a request sock: SYN-ACK retries at doubling
 * timeouts from 1 s, each at most TCP_RTO_MAX, then the last wait.
 */
u64 tt_req_lifetime_ns(unsigned int retries)
{
	u64 sum = 0, t = TCP_TIMEOUT_INIT;
	unsigned int i;

	for (i = 0; i <= retries; i++) {
		sum += min_t(u64, t, TCP_RTO_MAX);
		t <<= 1;
		if (t > TCP_RTO_MAX)
			t = TCP_RTO_MAX;
	}
	return jiffies_to_nsecs(sum);
}

/* SYN-ACKs a listener's request may get; TCP_DEFER_ACCEPT may add more. */
static unsigned int tt_synack_retries(const struct sock *lsk, bool acked)
{
	const struct net *net = sock_net(lsk);
	unsigned int r = READ_ONCE(inet_csk(lsk)->icsk_syn_retries);

	r = r ?: READ_ONCE(net->ipv4.sysctl_tcp_synack_retries);
	if (!acked)
		return r;
	return max_t(unsigned int, r,
		     READ_ONCE(inet_csk(lsk)->icsk_accept_queue.rskq_defer_accept));
}

/* How long a child may stay in SYN_RECV before its slot counts as stale. */
u64 tt_req_bound_ns(const struct net *net)
{
	return TT_STALE_GRACE_NS +
	       2 * tt_req_lifetime_ns(READ_ONCE(net->ipv4.sysctl_tcp_synack_retries));
}

/* reqsk_timer_handler() on this CPU: a request freed now timed out. */
struct tt_req_timer {
	u64 cookie;
	unsigned long when;		/* jiffies: this timer run, a tick at most */
};

static DEFINE_PER_CPU(struct tt_req_timer, tt_req_timer);

/* reqsk_timer_handler(t): the request sock's timer. */
static int tt_kp_req_timer(struct kprobe *p, struct pt_regs *regs)
{
	struct timer_list *t = (void *)regs_get_kernel_argument(regs, 0);
	struct request_sock *req = container_of(t, struct request_sock,
						rsk_timer);
	struct tt_req_timer *rt = this_cpu_ptr(&tt_req_timer);

	rt->cookie = atomic64_read(&inet_rsk(req)->ir_cookie);
	rt->when = jiffies;
	return 0;
}

/*
 * A SYN arrived and the server answers with its first SYN-ACK:
 * send_synack(sk, dst, fl, req, foc, synack_type, syn_skb). Retransmits
 * come with no dst and are told by tcp:tcp_retransmit_synack instead.
 */
static int tt_kp_send_synack(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *lsk = (struct sock *)regs_get_kernel_argument(regs, 0);
	void *dst = (void *)regs_get_kernel_argument(regs, 1);
	struct request_sock *req = (void *)regs_get_kernel_argument(regs, 3);
	int type = regs_get_kernel_argument(regs, 5);
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_SYN_RECV,
		.ts_ns = ktime_get_ns(),
		.old_state = TCP_LISTEN,
		.new_state = TCP_NEW_SYN_RECV,
	};
	struct tt_owner owner;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!dst || !req || lsk->sk_protocol != IPPROTO_TCP)
		return 0;
	tt_fill_tuple(&ev, lsk);
	if (!tt_fill_req(&ev, lsk, req))
		return 0;
	/* The child will take the request sock's cookie: same id throughout. */
	if (type != TCP_SYNACK_COOKIE)
		ev.cookie = tt_sk_cookie((struct sock *)req);
	tt_owner_of(tt_sk_cookie(lsk), &owner);
	tt_owner_to_event(&ev, &owner);
	if (type == TCP_SYNACK_COOKIE) {
		/* No request sock is kept: no id, nothing to remember. */
		ev.cookie = 0;
		ev.flags |= TCPTRAIL_F_SYNCOOKIE;
		tt_lc_emit(&ev, lsk);
		return 0;
	}
	if (type == TCP_SYNACK_FASTOPEN) {
		/* @lsk is the child, already in SYN_RECV with this cookie. */
		tt_lc_emit(&ev, lsk);
		return 0;
	}
	c = tt_conn_lock(&tt_conns, ev.cookie, true, &full, &flags);
	if (c) {
		c->last_ts = ev.ts_ns;
		c->state = TCP_SYN_RECV;
		c->isn = ev.isn;
		c->peer_isn = ev.peer_isn;
		c->flags |= TT_CONN_ISN | TT_CONN_PEER_ISN;
		/* Its destructor frees the slot; this bounds it if missed. */
		c->expires = ev.ts_ns + TT_STALE_GRACE_NS +
			     2 * tt_req_lifetime_ns(tt_synack_retries(lsk, true));
		tt_owner_to_conn(c, &owner);
		tt_conn_unlock(&tt_conns, c, flags);
	} else if (full) {
		ev.flags |= TCPTRAIL_F_TABLE_FULL;
	}
	tt_lc_emit(&ev, lsk);
	return 0;
}

/* tcp:tcp_retransmit_synack */
static void tt_tp_retransmit_synack(void *data, const struct sock *sk,
				    const struct request_sock *req)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_SYNACK_RETRANS,
		.old_state = TCP_NEW_SYN_RECV,
		.new_state = TCP_NEW_SYN_RECV,
	};

	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	tt_fill_tuple(&ev, sk);
	if (!tt_fill_req(&ev, sk, req))
		return;
	/* count: which retransmit this is. */
	ev.count = READ_ONCE(req->num_retrans) + 1;
	ev.ts_ns = ktime_get_ns();
	ev.cookie = tt_sk_cookie((struct sock *)req);
	tt_lc_emit_again(&ev, sk);
}

/*
 * Why a request sock goes without a child, as its destructor runs. In the
 * request's own timer run (reqsk_timer_handler): it expired, or its
 * listener closed. Without that probe, judge by the SYN-ACKs it got the
 * way syn_ack_recalc() does (a listener under a SYN flood gives up after
 * as few as 2).
 */
static u8 tt_req_drop_cause(const struct request_sock *req,
			    const struct sock *lsk, u64 cookie)
{
	struct tt_req_timer *rt = this_cpu_ptr(&tt_req_timer);
	bool listening = inet_sk_state_load(lsk) == TCP_LISTEN;
	unsigned int r;

	if (!check_net(sock_net((struct sock *)req)))
		return TCPTRAIL_CAUSE_NETNS;
	if (rt->cookie == cookie && time_in_range(jiffies, rt->when, rt->when + 1)) {
		rt->cookie = 0;
		return listening ? TCPTRAIL_CAUSE_EXPIRED : TCPTRAIL_CAUSE_OTHER;
	}
	if (tt_req_timer_probed() || !listening)
		return TCPTRAIL_CAUSE_OTHER;
	r = tt_synack_retries(lsk, inet_rsk(req)->acked);
	return req->num_timeout >= min(r, 2U) ? TCPTRAIL_CAUSE_EXPIRED :
						 TCPTRAIL_CAUSE_OTHER;
}

/*
 * tcp_v4/v6_reqsk_destructor(req): every request sock is freed through
 * here, whatever path dropped it. One that became a child (req->sk set)
 * hands its slot to the child, which has the same cookie.
 */
static int tt_kp_req_free(struct kprobe *p, struct pt_regs *regs)
{
	struct request_sock *req = (void *)regs_get_kernel_argument(regs, 0);
	const struct sock *lsk = req->rsk_listener;
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_REQ_DROP,
		.old_state = TCP_NEW_SYN_RECV,
		.new_state = TCP_CLOSE,
	};
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	/* A cookie of 0: we never saw it arrive. */
	ev.cookie = atomic64_read(&inet_rsk(req)->ir_cookie);
	if (!ev.cookie || READ_ONCE(req->sk) || !lsk)
		return 0;
	/*
	 * tcp_migrate_req: the timer cloned it (same cookie) onto another
	 * listener before freeing this copy; the clone carries on.
	 */
	if (inet_sk_state_load(lsk) != TCP_LISTEN &&
	    READ_ONCE(sock_net(lsk)->ipv4.sysctl_tcp_migrate_req))
		return 0;
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (!c)
		return 0;
	if (c->flags & TT_CONN_CHILD) {
		tt_conn_unlock(&tt_conns, c, flags);
		return 0;
	}
	ev.ts_ns = ktime_get_ns();
	ev.dur_ns = tt_since(ev.ts_ns, c->last_ts);
	ev.cause = tt_req_drop_cause(req, lsk, ev.cookie);
	tt_conn_to_event(&ev, c);
	tt_conn_release(&tt_conns, c, flags);

	tt_fill_tuple(&ev, lsk);
	if (!tt_fill_req(&ev, lsk, req))
		return 0;
	tt_lc_emit(&ev, lsk);
	return 0;
}

#ifdef TT_HAVE_RST_REASON
/* The kernel's reset reason in tcptrail's numbering (tcptrail.h). */
static int tt_rst_reason(enum sk_rst_reason reason)
{
	switch (reason) {
	case SK_RST_REASON_NO_SOCKET:
		return TT_RST_NO_SOCKET;
	case SK_RST_REASON_TCP_INVALID_ACK_SEQUENCE:
	case SK_RST_REASON_TCP_RFC7323_PAWS:
	case SK_RST_REASON_TCP_TOO_OLD_ACK:
	case SK_RST_REASON_TCP_ACK_UNSENT_DATA:
	case SK_RST_REASON_TCP_FLAGS:
	case SK_RST_REASON_TCP_OLD_ACK:
		return TT_RST_INVALID;
	case SK_RST_REASON_TCP_ABORT_ON_DATA:
		return TT_RST_ABORT_ON_DATA;
#ifdef TT_HAVE_RST_REASON_ABORT
	case SK_RST_REASON_INVALID_SYN:
		return TT_RST_INVALID;
	case SK_RST_REASON_TCP_TIMEWAIT_SOCKET:
		return TT_RST_TIMEWAIT;
	case SK_RST_REASON_TCP_ABORT_ON_CLOSE:
		return TT_RST_ABORT_ON_CLOSE;
	case SK_RST_REASON_TCP_ABORT_ON_LINGER:
		return TT_RST_ABORT_ON_LINGER;
	case SK_RST_REASON_TCP_ABORT_ON_MEMORY:
		return TT_RST_ABORT_ON_MEMORY;
	case SK_RST_REASON_TCP_STATE:
		return TT_RST_STATE;
	case SK_RST_REASON_TCP_KEEPALIVE_TIMEOUT:
		return TT_RST_KEEPALIVE;
	case SK_RST_REASON_TCP_DISCONNECT_WITH_DATA:
		return TT_RST_DISCONNECT_WITH_DATA;
#endif
	default:
		return TT_RST_NONE;
	}
}
#endif

/*
 * An RST for a segment no socket owns (6.12 traces it, with no socket):
 * the 4-tuple from the segment, turned round, and the seq or ack the RST
 * carries, as tcp_v4/v6_send_reset() compute them.
 */
static void tt_rst_no_socket(struct tcptrail_event *ev,
			     const struct sk_buff *skb, int reason)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const struct net *net;

	if (!skb->dev)
		return;
	net = dev_net(skb->dev);
	ev->netns = net->ns.inum;
	if (skb->protocol == htons(ETH_P_IP)) {
		ev->family = AF_INET;
		memcpy(ev->saddr, &ip_hdr(skb)->daddr, 4);
		memcpy(ev->daddr, &ip_hdr(skb)->saddr, 4);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		ev->family = AF_INET6;
		memcpy(ev->saddr, &ipv6_hdr(skb)->daddr, 16);
		memcpy(ev->daddr, &ipv6_hdr(skb)->saddr, 16);
#endif
	} else {
		return;
	}
	ev->sport = ntohs(th->dest);
	ev->dport = ntohs(th->source);
	if (th->ack)
		ev->snd_nxt = ntohl(th->ack_seq);
	else
		ev->rcv_nxt = ntohl(th->seq) + th->syn + th->fin + skb->len -
			      th->doff * 4;
	ev->cause = tt_why_rst_sent(NULL, reason, th->syn, false);
	tt_fill_sysctls(ev, net);
	if (!tt_syscall_ctx())
		ev->flags |= TCPTRAIL_F_SOFTIRQ;
	tt_emit(net, ev);
}

/* @skb: the segment answered or received, if any; @reason: enum tt_rst_reason. */
static void tt_reset_event(int kind, const struct sock *sk,
			   const struct sk_buff *skb, int reason)
{
	struct tcptrail_event ev = {
		.kind = kind,
		.ts_ns = ktime_get_ns(),
	};
	bool aborting = false;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!sk) {
		if (kind == TCPTRAIL_EV_RST_SENT && skb)
			tt_rst_no_socket(&ev, skb, reason);
		return;
	}
	if (!tt_is_tcp(sk))
		return;
	ev.cookie = tt_sk_cookie(sk);
	ev.old_state = READ_ONCE(sk->sk_state);
	ev.new_state = ev.old_state;
	if (sk_fullsock(sk))
		tt_fill_seq(&ev, sk);
	/*
	 * Its CLOSE follows (tcp_reset() on a closed sock does nothing). No
	 * RST flag: data after shutdown, which the kernel answers with an
	 * RST of its own: that one is the event.
	 */
	if (kind == TCPTRAIL_EV_RST_RECV && ev.old_state != TCP_CLOSE &&
	    !tt_why_note_reset(ev.cookie))
		return;
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (c) {
		aborting = c->flags & TT_CONN_ABORT;
		tt_conn_to_event(&ev, c);
		tt_conn_unlock(&tt_conns, c, flags);
	} else if (tt_syscall_ctx()) {
		/* close() with unread data: the slot went with CLOSE. */
		struct tt_owner owner;

		tt_owner_current(&owner);
		tt_owner_to_event(&ev, &owner);
	}
	if (kind == TCPTRAIL_EV_RST_SENT)
		ev.cause = tt_why_rst_sent(sk, reason, skb && tcp_hdr(skb)->syn,
					   aborting);
	tt_lc_emit(&ev, sk);
}

/* tcp:tcp_send_reset: sk is NULL for a segment no socket owns (6.12 only). */
static void tt_tp_send_reset(TT_SEND_RESET_PROTO)
{
	tt_reset_event(TCPTRAIL_EV_RST_SENT, sk, skb, TT_SEND_RESET_REASON);
}

/* tcp:tcp_receive_reset, from tcp_reset() */
static void tt_tp_receive_reset(void *data, struct sock *sk)
{
	tt_reset_event(TCPTRAIL_EV_RST_RECV, sk, NULL, TT_RST_NONE);
}

/*
 * tcp_reset(sk, skb): an RST received, or (no RST flag) data arriving
 * after shutdown in FIN_WAIT1/2, CLOSING or LAST_ACK, which the kernel
 * treats the same way before it sends an RST of its own.
 */
static int tt_kp_tcp_reset(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);

	if (!tt_is_tcp(sk))
		return 0;
	tt_why_reset_verdict(tt_sk_cookie(sk), !skb || tcp_hdr(skb)->rst);
	return 0;
}

/*
 * tcp_abort(sk, err): ss -K (SOCK_DESTROY) or a BPF iterator ends it. Its
 * RST goes before sk_err is set, and the task may sleep (and move) in
 * lock_sock() first: the slot keeps the mark. A timewait sock is killed
 * at once.
 */
static int tt_kp_abort(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	int state = READ_ONCE(sk->sk_state);
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	/*
	 * A request sock is dropped, with no RST; its cookie may already be
	 * its child's, which tcp_abort() leaves alone.
	 */
	if (state == TCP_NEW_SYN_RECV || !tt_is_tcp(sk))
		return 0;
	c = tt_conn_lock(&tt_conns, tt_sk_cookie(sk), false, &full, &flags);
	if (!c)
		return 0;
	if (state == TCP_TIME_WAIT)
		tt_tw_book_cause(c, TCPTRAIL_CAUSE_ABORT);
	else
		c->flags |= TT_CONN_ABORT;
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

/*
 * What a loss recovery started by the retransmit timer reports: @timer,
 * the timer's own retransmit, with its number in a row and the RTO it ran
 * with (still in @ev, read before tcp_retransmit_timer() backs it off),
 * kept in the slot; the segments the recovery sends again after an ACK
 * (icsk_rto backed off or recomputed by then) carry the same. KUnit
 * drives it.
 */
void tt_retrans_book(struct tt_conn *c, struct tcptrail_event *ev,
		     bool timer)
{
	if (!(ev->flags & TCPTRAIL_F_RTO))
		return;
	if (timer) {
		c->rto_count = min_t(u64, ev->count, U8_MAX);
		c->rto_jiffies = nsecs_to_jiffies(ev->timeout_ns);
	} else if (c->rto_jiffies) {
		ev->count = c->rto_count;
		ev->timeout_ns = jiffies_to_nsecs(c->rto_jiffies);
	}
}

/*
 * tcp:tcp_retransmit_skb(sk, skb): a segment sent again, whatever sent it.
 * In loss recovery (the retransmit timer fired, and what follows it) the
 * event carries the timer that fired: how many timeouts in a row
 * (icsk_retransmits, already counted for this one) and its RTO. The
 * timer's own retransmit runs with icsk_pending cleared, before the timer
 * is armed again. The SYN and FIN flags of the segment tell handshake and
 * teardown retransmits.
 */
static void tt_tp_retransmit_skb(void *data, const struct sock *sk,
				 const struct sk_buff *skb)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	u8 tcp_flags = TCP_SKB_CB(skb)->tcp_flags;
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_RETRANS,
		.ts_ns = ktime_get_ns(),
	};
	bool timer = false, full;
	unsigned long flags;
	struct tt_conn *c;

	if (!sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP)
		return;
	ev.cookie = tt_sk_cookie(sk);
	ev.old_state = READ_ONCE(sk->sk_state);
	ev.new_state = ev.old_state;
	tt_fill_seq(&ev, sk);
	if (tcp_flags & TCPHDR_SYN)
		ev.flags |= TCPTRAIL_F_SYN;
	if (tcp_flags & TCPHDR_FIN)
		ev.flags |= TCPTRAIL_F_FIN;
	if (icsk->icsk_ca_state == TCP_CA_Loss) {
		ev.flags |= TCPTRAIL_F_RTO;
		ev.count = READ_ONCE(icsk->icsk_retransmits);
		ev.timeout_ns = jiffies_to_nsecs(READ_ONCE(icsk->icsk_rto));
		timer = !READ_ONCE(icsk->icsk_pending);
	}
	/* In SYN_SENT: dur_ns since the first SYN. */
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (c) {
		tt_retrans_book(c, &ev, timer);
		ev.dur_ns = tt_since(ev.ts_ns, c->last_ts);
		tt_conn_to_event(&ev, c);
		tt_conn_unlock(&tt_conns, c, flags);
	}
	tt_lc_emit(&ev, sk);
}

/* Each tracepoint probe takes exactly what the kernel passes (compat.h). */
TT_TP_PROBE_CHECK(tcp_retransmit_synack, tt_tp_retransmit_synack);
TT_TP_PROBE_CHECK(tcp_send_reset, tt_tp_send_reset);
TT_TP_PROBE_CHECK(tcp_receive_reset, tt_tp_receive_reset);
TT_TP_PROBE_CHECK(tcp_retransmit_skb, tt_tp_retransmit_skb);

enum {
	TT_L_TCP_RESET, TT_L_ABORT, TT_L_TW_PROCESS, TT_L_TW_UNIQUE,
	TT_L_TW_DESCHED, TT_L_TW_TIMER, TT_L_TW_FREE, TT_L_TIME_WAIT,
	TT_L_TW_SCHED, TT_L_TW_ARM, TT_L_SYNACK4, TT_L_SYNACK6,
	TT_L_REQ_TIMER, TT_L_REQ_FREE4, TT_L_REQ_FREE6, TT_L_TP_SYNACK,
	TT_L_TP_SEND_RST, TT_L_TP_RECV_RST, TT_L_TP_RETRANS, TT_L_MAX
};

/* Causes first, so an exit never misses the reason set before it. */
static struct tt_probe tt_lc_probes[TT_L_MAX] = {
	[TT_L_TCP_RESET] = { "tcp_reset", TT_PROBE_KPROBE,
			     .pre = tt_kp_tcp_reset },
	[TT_L_ABORT] = { "tcp_abort", TT_PROBE_KPROBE, .pre = tt_kp_abort },
	[TT_L_TW_PROCESS] = { "tcp_timewait_state_process", TT_PROBE_KPROBE,
			      .pre = tt_kp_tw_process },
	[TT_L_TW_UNIQUE] = { "tcp_twsk_unique", TT_PROBE_KPROBE,
			     .pre = tt_kp_tw_unique },
	[TT_L_TW_DESCHED] = { "inet_twsk_deschedule_put", TT_PROBE_KPROBE,
			      .pre = tt_kp_tw_deschedule },
	/* Static, but a timer callback: never inlined. */
	[TT_L_TW_TIMER] = { "tw_timer_handler", TT_PROBE_KPROBE,
			    .pre = tt_kp_tw_timer, .optional = true },
	[TT_L_TW_FREE] = { "tcp_twsk_destructor", TT_PROBE_KPROBE,
			   .pre = tt_kp_tw_destructor },
	[TT_L_TIME_WAIT] = { "tcp_time_wait", TT_PROBE_KPROBE,
			     .pre = tt_kp_time_wait },
	[TT_L_TW_SCHED] = { "__inet_twsk_schedule", TT_PROBE_KPROBE,
			    .pre = tt_kp_tw_schedule },
	/* Since 6.10 the first arming is here; absent before. */
	[TT_L_TW_ARM] = { "inet_twsk_hashdance_schedule", TT_PROBE_KPROBE,
			  .pre = tt_kp_tw_arm, .optional = true },
	[TT_L_SYNACK4] = { "tcp_v4_send_synack", TT_PROBE_KPROBE,
			   .pre = tt_kp_send_synack },
	[TT_L_SYNACK6] = { "tcp_v6_send_synack", TT_PROBE_KPROBE,
			   .pre = tt_kp_send_synack,
			   .optional = !IS_ENABLED(CONFIG_IPV6) },
	[TT_L_REQ_TIMER] = { "reqsk_timer_handler", TT_PROBE_KPROBE,
			     .pre = tt_kp_req_timer },
	[TT_L_REQ_FREE4] = { "tcp_v4_reqsk_destructor", TT_PROBE_KPROBE,
			     .pre = tt_kp_req_free },
	[TT_L_REQ_FREE6] = { "tcp_v6_reqsk_destructor", TT_PROBE_KPROBE,
			     .pre = tt_kp_req_free,
			     .optional = !IS_ENABLED(CONFIG_IPV6) },
	[TT_L_TP_SYNACK] = { "tcp_retransmit_synack", TT_PROBE_TRACEPOINT,
			     .tp_func = tt_tp_retransmit_synack },
	[TT_L_TP_SEND_RST] = { "tcp_send_reset", TT_PROBE_TRACEPOINT,
			       .tp_func = tt_tp_send_reset },
	[TT_L_TP_RECV_RST] = { "tcp_receive_reset", TT_PROBE_TRACEPOINT,
			       .tp_func = tt_tp_receive_reset },
	[TT_L_TP_RETRANS] = { "tcp_retransmit_skb", TT_PROBE_TRACEPOINT,
			      .tp_func = tt_tp_retransmit_skb },
};

static bool tt_tw_arm_probed(void)
{
	return tt_probe_on(&tt_lc_probes[TT_L_TW_ARM]);
}

static bool tt_tw_timer_probed(void)
{
	return tt_probe_on(&tt_lc_probes[TT_L_TW_TIMER]);
}

static bool tt_req_timer_probed(void)
{
	return tt_probe_on(&tt_lc_probes[TT_L_REQ_TIMER]);
}

/* Probes that will not attach cost their events; the module carries on. */
int tt_lifecycle_attach(void)
{
	return tt_probes_attach(tt_lc_probes, TT_L_MAX, TT_HOOK_AUTO);
}

void tt_lifecycle_detach(void)
{
	tt_probes_detach(tt_lc_probes, TT_L_MAX);
}

int tt_lifecycle_status(struct tt_hook_status *st, int max)
{
	return tt_probes_status(tt_lc_probes, TT_L_MAX, st, max);
}
