// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle.c - what never calls tcp_set_state: the server's SYN arrival
 * (request sock), SYN-ACK retransmits, request drops, resets, and the whole
 * life of the timewait sock that carries TIME_WAIT (or an orphaned
 * FIN_WAIT2) after the full socket is gone.
 *
 * The timewait sock inherits the socket cookie, so its events join the
 * connection's trail:
 *   enter     the timer is armed (__inet_twsk_schedule, or since 6.10
 *             inet_twsk_hashdance_schedule): substate and timeout
 *   substate  __inet_twsk_schedule(rearm): FIN_WAIT2 -> TIME_WAIT when the
 *             peer's FIN arrives, or the timer restarted by a FIN
 *   exit      tcp_twsk_destructor: cause and time in the last substate.
 *             The cause is set earlier, where the kernel decides it:
 *             tcp_twsk_unique() said yes (reused by connect), or
 *             inet_twsk_deschedule_put() right after
 *             tcp_timewait_state_process() saw an RST or a new SYN, or the
 *             netns is going; with none of these the timer expired.
 *   skip      inet_twsk_alloc() returned NULL: tcp_max_tw_buckets is
 *             reached (TCPTimeWaitOverflow), there is no TIME_WAIT at all.
 *
 * Any of these that cannot attach turns its feature off, says so in the
 * kernel log and in stats, and leaves the rest working.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "tcptrail.h"

/* What tcp_timewait_state_process() decided, on this CPU (softirq). */
struct tt_tw_verdict {
	const struct inet_timewait_sock *tw;
	bool inside;		/* still in tcp_timewait_state_process() */
	int status;		/* enum tcp_tw_status once returned */
};

static DEFINE_PER_CPU(struct tt_tw_verdict, tt_tw_verdict);

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
	if (!in_task())
		ev->flags |= TCPTRAIL_F_SOFTIRQ;
	tt_emit(sock_net(sk), ev);
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
	ev->dur_ns = c->last_ts ? ev->ts_ns - c->last_ts : 0;
	c->last_ts = ev->ts_ns;
	c->state = ev->substate;
	c->flags |= TT_CONN_IN_TW;
	tt_conn_to_event(ev, c);
}

/* Why inet_twsk_deschedule_put() kills a timewait sock before its time. */
u8 tt_tw_kill_cause(bool net_alive, bool verdict_is_this_tw, bool inside,
		    int status)
{
	if (!net_alive)
		return TCPTRAIL_CAUSE_NETNS;
	if (verdict_is_this_tw && (inside || status == TCP_TW_RST))
		return TCPTRAIL_CAUSE_RST;
	if (verdict_is_this_tw && status == TCP_TW_SYN)
		return TCPTRAIL_CAUSE_SYN;
	return TCPTRAIL_CAUSE_OTHER;
}

/* The first reason given is the one that ends it (reuse, then the kill). */
void tt_tw_book_cause(struct tt_conn *c, u8 cause)
{
	if (!c->tw_cause)
		c->tw_cause = cause;
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
	ev->dur_ns = c->last_ts ? ev->ts_ns - c->last_ts : 0;
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

/* 6.1: tcp_time_wait() and the re-arm both come through here. */
static int tt_kp_tw_schedule(struct kprobe *p, struct pt_regs *regs)
{
	void *tw = (void *)regs_get_kernel_argument(regs, 0);
	int timeo = regs_get_kernel_argument(regs, 1);
	bool rearm = regs_get_kernel_argument(regs, 2);

	if (rearm || !TT_TW_ARM_FUNC)
		tt_tw_armed(tw, timeo, rearm);
	return 0;
}

/* Since 6.10: the first arming, in inet_twsk_hashdance_schedule(). */
static int tt_kp_tw_arm(struct kprobe *p, struct pt_regs *regs)
{
	void *tw = (void *)regs_get_kernel_argument(regs, 0);
	int timeo = regs_get_kernel_argument(regs, TT_TW_ARM_TIMEO_ARG);

	tt_tw_armed(tw, timeo, false);
	return 0;
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
	struct tt_tw_verdict *v = this_cpu_ptr(&tt_tw_verdict);

	if (!tt_is_tcp(tw))
		return 0;
	tt_tw_set_cause(tw, tt_tw_kill_cause(check_net(sock_net(tw)),
					     v->tw == (void *)tw, v->inside,
					     v->status));
	return 0;
}

static int tt_krp_tw_process_entry(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	struct tt_tw_verdict *v;

	if (preemptible())
		return 1;
	v = this_cpu_ptr(&tt_tw_verdict);
	v->tw = (void *)regs_get_kernel_argument(regs, 0);
	v->inside = true;
	v->status = -1;
	return 0;
}

static int tt_krp_tw_process_ret(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct tt_tw_verdict *v = this_cpu_ptr(&tt_tw_verdict);

	v->inside = false;
	v->status = regs_return_value(regs);
	return 0;
}

struct tt_sk_data {
	struct sock *sk;
	int state;
};

static int tt_krp_tw_unique_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct tt_sk_data *d = (struct tt_sk_data *)ri->data;

	d->sk = (struct sock *)regs_get_kernel_argument(regs, 1);
	return 0;
}

/* tcp_twsk_unique() == 1: connect() takes the 4-tuple (tcp_tw_reuse). */
static int tt_krp_tw_unique_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct tt_sk_data *d = (struct tt_sk_data *)ri->data;

	if (regs_return_value(regs) == 1)
		tt_tw_set_cause(d->sk, TCPTRAIL_CAUSE_REUSED);
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

static int tt_krp_tw_alloc_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct tt_sk_data *d = (struct tt_sk_data *)ri->data;

	d->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	d->state = regs_get_kernel_argument(regs, 2);
	return 0;
}

/* No timewait sock: tcp_max_tw_buckets reached, TIME_WAIT is skipped. */
static int tt_krp_tw_alloc_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct tt_sk_data *d = (struct tt_sk_data *)ri->data;
	struct sock *sk = d->sk;
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_TW_SKIP,
		.ts_ns = ktime_get_ns(),
		.substate = d->state,
	};
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (regs_return_value(regs) || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	ev.cookie = tt_sk_cookie(sk);
	ev.old_state = READ_ONCE(sk->sk_state);
	ev.new_state = TCP_CLOSE;
	tt_fill_seq(&ev, sk);
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (c) {
		tt_conn_to_event(&ev, c);
		tt_conn_unlock(&tt_conns, c, flags);
	}
	tt_lc_emit(&ev, sk);
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
	ev.cookie = tt_sk_cookie((struct sock *)req);
	tt_owner_of(tt_sk_cookie(lsk), &owner);
	tt_owner_to_event(&ev, &owner);
	if (type == TCP_SYNACK_COOKIE) {
		/* No request sock is kept: nothing to remember. */
		ev.flags |= TCPTRAIL_F_SYNCOOKIE;
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
		tt_owner_to_conn(c, &owner);
		tt_conn_unlock(&tt_conns, c, flags);
	} else if (full) {
		ev.flags |= TCPTRAIL_F_TABLE_FULL;
	}
	tt_lc_emit(&ev, lsk);
	return 0;
}

static void tt_req_event(struct tcptrail_event *ev, const struct sock *lsk,
			 const struct request_sock *req)
{
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	tt_fill_tuple(ev, lsk);
	if (!tt_fill_req(ev, lsk, req))
		return;
	ev->ts_ns = ktime_get_ns();
	ev->cookie = tt_sk_cookie((struct sock *)req);
	ev->old_state = TCP_NEW_SYN_RECV;
	ev->new_state = TCP_NEW_SYN_RECV;
	c = tt_conn_lock(&tt_conns, ev->cookie, false, &full, &flags);
	if (c) {
		if (ev->kind == TCPTRAIL_EV_REQ_DROP && (c->flags & TT_CONN_CHILD)) {
			/* Dropped from the queue because the child took over. */
			tt_conn_unlock(&tt_conns, c, flags);
			return;
		}
		ev->dur_ns = ev->ts_ns - c->last_ts;
		tt_conn_to_event(ev, c);
		if (ev->kind == TCPTRAIL_EV_REQ_DROP) {
			ev->new_state = TCP_CLOSE;
			tt_conn_release(&tt_conns, c, flags);
		} else {
			tt_conn_unlock(&tt_conns, c, flags);
		}
	} else if (ev->kind == TCPTRAIL_EV_REQ_DROP) {
		return;		/* a request we never saw arrive */
	}
	tt_lc_emit(ev, lsk);
}

/* tcp:tcp_retransmit_synack */
static void tt_tp_retransmit_synack(void *data, const struct sock *sk,
				    const struct request_sock *req)
{
	struct tcptrail_event ev = { .kind = TCPTRAIL_EV_SYNACK_RETRANS };

	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	/* count: which retransmit this is. */
	ev.count = READ_ONCE(req->num_retrans) + 1;
	tt_req_event(&ev, sk, req);
}

/* inet_csk_reqsk_queue_drop(sk, req): timed out, or replaced by its child. */
static int tt_kp_req_drop(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *lsk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct request_sock *req = (void *)regs_get_kernel_argument(regs, 1);
	struct tcptrail_event ev = { .kind = TCPTRAIL_EV_REQ_DROP };

	if (lsk->sk_protocol != IPPROTO_TCP)
		return 0;
	tt_req_event(&ev, lsk, req);
	return 0;
}

static void tt_reset_event(int kind, const struct sock *sk)
{
	struct tcptrail_event ev = {
		.kind = kind,
		.ts_ns = ktime_get_ns(),
	};
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!sk || !tt_is_tcp(sk))
		return;
	ev.cookie = tt_sk_cookie(sk);
	ev.old_state = READ_ONCE(sk->sk_state);
	ev.new_state = ev.old_state;
	if (sk_fullsock(sk))
		tt_fill_seq(&ev, sk);
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (c) {
		tt_conn_to_event(&ev, c);
		tt_conn_unlock(&tt_conns, c, flags);
	} else if (in_task()) {
		/* close() with unread data: the slot went with CLOSE. */
		struct tt_owner owner;

		tt_owner_current(&owner);
		tt_owner_to_event(&ev, &owner);
	}
	tt_lc_emit(&ev, sk);
}

/* tcp:tcp_send_reset: sk is NULL for a segment no socket owns (6.12 only). */
static void tt_tp_send_reset(TT_SEND_RESET_PROTO)
{
	tt_reset_event(TCPTRAIL_EV_RST_SENT, sk);
}

/* tcp:tcp_receive_reset */
static void tt_tp_receive_reset(void *data, struct sock *sk)
{
	tt_reset_event(TCPTRAIL_EV_RST_RECV, sk);
}

static struct kprobe tt_kp_tw_sched = {
	.symbol_name = "__inet_twsk_schedule",
	.pre_handler = tt_kp_tw_schedule,
};

static struct kprobe tt_kp_tw_first = {
	.pre_handler = tt_kp_tw_arm,
};

static struct kprobe tt_kp_tw_desched = {
	.symbol_name = "inet_twsk_deschedule_put",
	.pre_handler = tt_kp_tw_deschedule,
};

static struct kprobe tt_kp_tw_free = {
	.symbol_name = "tcp_twsk_destructor",
	.pre_handler = tt_kp_tw_destructor,
};

static struct kretprobe tt_krp_tw_process = {
	.kp.symbol_name = "tcp_timewait_state_process",
	.entry_handler = tt_krp_tw_process_entry,
	.handler = tt_krp_tw_process_ret,
	.maxactive = 64,
};

static struct kretprobe tt_krp_tw_unique = {
	.kp.symbol_name = "tcp_twsk_unique",
	.entry_handler = tt_krp_tw_unique_entry,
	.handler = tt_krp_tw_unique_ret,
	.data_size = sizeof(struct tt_sk_data),
	.maxactive = 64,
};

static struct kretprobe tt_krp_tw_alloc = {
	.kp.symbol_name = "inet_twsk_alloc",
	.entry_handler = tt_krp_tw_alloc_entry,
	.handler = tt_krp_tw_alloc_ret,
	.data_size = sizeof(struct tt_sk_data),
	.maxactive = 64,
};

static struct kprobe tt_kp_synack4 = {
	.symbol_name = "tcp_v4_send_synack",
	.pre_handler = tt_kp_send_synack,
};

static struct kprobe tt_kp_synack6 = {
	.symbol_name = "tcp_v6_send_synack",
	.pre_handler = tt_kp_send_synack,
};

static struct kprobe tt_kp_reqdrop = {
	.symbol_name = "inet_csk_reqsk_queue_drop",
	.pre_handler = tt_kp_req_drop,
};

enum {
	TT_L_TW_SCHED, TT_L_TW_ARM, TT_L_TW_DESCHED, TT_L_TW_FREE,
	TT_L_TW_PROCESS, TT_L_TW_UNIQUE, TT_L_TW_ALLOC,
	TT_L_SYNACK4, TT_L_SYNACK6, TT_L_REQ_DROP,
	TT_L_TP_SYNACK, TT_L_TP_SEND_RST, TT_L_TP_RECV_RST,
	TT_L_MAX
};

static struct tt_hook_status tt_lc_status[TT_L_MAX] = {
	[TT_L_TW_SCHED] = { .name = "__inet_twsk_schedule" },
	[TT_L_TW_ARM] = { .name = "inet_twsk_hashdance_schedule" },
	[TT_L_TW_DESCHED] = { .name = "inet_twsk_deschedule_put" },
	[TT_L_TW_FREE] = { .name = "tcp_twsk_destructor" },
	[TT_L_TW_PROCESS] = { .name = "tcp_timewait_state_process" },
	[TT_L_TW_UNIQUE] = { .name = "tcp_twsk_unique" },
	[TT_L_TW_ALLOC] = { .name = "inet_twsk_alloc" },
	[TT_L_SYNACK4] = { .name = "tcp_v4_send_synack" },
	[TT_L_SYNACK6] = { .name = "tcp_v6_send_synack" },
	[TT_L_REQ_DROP] = { .name = "inet_csk_reqsk_queue_drop" },
	[TT_L_TP_SYNACK] = { .name = "tcp_retransmit_synack" },
	[TT_L_TP_SEND_RST] = { .name = "tcp_send_reset" },
	[TT_L_TP_RECV_RST] = { .name = "tcp_receive_reset" },
};

struct tt_lc_tp {
	int id;
	void *probe;
	struct tracepoint *tp;
};

static struct tt_lc_tp tt_lc_tps[] = {
	{ TT_L_TP_SYNACK, tt_tp_retransmit_synack },
	{ TT_L_TP_SEND_RST, tt_tp_send_reset },
	{ TT_L_TP_RECV_RST, tt_tp_receive_reset },
};

void tt_lifecycle_attach(void)
{
	int i;

	/* Causes first, so an exit never misses the reason set before it. */
	tt_attach_kretprobe(&tt_lc_status[TT_L_TW_PROCESS], &tt_krp_tw_process);
	tt_attach_kretprobe(&tt_lc_status[TT_L_TW_UNIQUE], &tt_krp_tw_unique);
	tt_attach_kprobe(&tt_lc_status[TT_L_TW_DESCHED], &tt_kp_tw_desched);
	tt_attach_kprobe(&tt_lc_status[TT_L_TW_FREE], &tt_kp_tw_free);
	tt_attach_kprobe(&tt_lc_status[TT_L_TW_SCHED], &tt_kp_tw_sched);
	if (TT_TW_ARM_FUNC) {
		tt_kp_tw_first.symbol_name = TT_TW_ARM_FUNC;
		tt_attach_kprobe(&tt_lc_status[TT_L_TW_ARM], &tt_kp_tw_first);
	}
	tt_attach_kretprobe(&tt_lc_status[TT_L_TW_ALLOC], &tt_krp_tw_alloc);
	tt_attach_kprobe(&tt_lc_status[TT_L_SYNACK4], &tt_kp_synack4);
	if (IS_ENABLED(CONFIG_IPV6))
		tt_attach_kprobe(&tt_lc_status[TT_L_SYNACK6], &tt_kp_synack6);
	tt_attach_kprobe(&tt_lc_status[TT_L_REQ_DROP], &tt_kp_reqdrop);

	for (i = 0; i < ARRAY_SIZE(tt_lc_tps); i++) {
		struct tt_lc_tp *t = &tt_lc_tps[i];
		struct tt_hook_status *st = &tt_lc_status[t->id];
		int err;

		st->wanted = true;
		t->tp = tt_find_tracepoint(st->name);
		err = t->tp ? tracepoint_probe_register(t->tp, t->probe, NULL) :
			      -ENOENT;
		if (err)
			pr_warn("tracepoint %s: %d: its events are missing\n",
				st->name, err);
		st->attached = !err;
	}
}

static void tt_detach_kp(int id, struct kprobe *kp)
{
	if (tt_lc_status[id].attached)
		unregister_kprobe(kp);
	tt_lc_status[id].attached = false;
}

static void tt_detach_krp(int id, struct kretprobe *krp)
{
	if (tt_lc_status[id].attached)
		unregister_kretprobe(krp);
	tt_lc_status[id].attached = false;
}

void tt_lifecycle_detach(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tt_lc_tps); i++) {
		struct tt_lc_tp *t = &tt_lc_tps[i];

		if (tt_lc_status[t->id].attached)
			tracepoint_probe_unregister(t->tp, t->probe, NULL);
		tt_lc_status[t->id].attached = false;
	}
	tt_detach_kp(TT_L_REQ_DROP, &tt_kp_reqdrop);
	tt_detach_kp(TT_L_SYNACK6, &tt_kp_synack6);
	tt_detach_kp(TT_L_SYNACK4, &tt_kp_synack4);
	tt_detach_krp(TT_L_TW_ALLOC, &tt_krp_tw_alloc);
	tt_detach_kp(TT_L_TW_ARM, &tt_kp_tw_first);
	tt_detach_kp(TT_L_TW_SCHED, &tt_kp_tw_sched);
	tt_detach_kp(TT_L_TW_FREE, &tt_kp_tw_free);
	tt_detach_kp(TT_L_TW_DESCHED, &tt_kp_tw_desched);
	tt_detach_krp(TT_L_TW_UNIQUE, &tt_krp_tw_unique);
	tt_detach_krp(TT_L_TW_PROCESS, &tt_krp_tw_process);
}

int tt_lifecycle_status(struct tt_hook_status *st, int max)
{
	int i;

	for (i = 0; i < TT_L_MAX && i < max; i++)
		st[i] = tt_lc_status[i];
	return i;
}
