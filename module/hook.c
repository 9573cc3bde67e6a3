// SPDX-License-Identifier: GPL-2.0
/*
 * hook.c - where tcptrail attaches to the kernel, and what it makes of a
 * state change.
 *
 * hook=tracepoint (auto prefers it): sock:inet_sock_set_state sees every
 * transition, LISTEN and the accepted child's SYN_RECV included.
 * hook=kprobe: a kprobe on tcp_set_state, for kernels without the
 * tracepoint; it misses CLOSE->LISTEN (inet_csk_listen_start) and the
 * child's LISTEN->SYN_RECV (inet_csk_clone_lock), which never call it. A
 * kretprobe on inet_csk_listen_start still gives listeners their owner.
 *
 * Either way the state change alone would inherit two blind spots:
 *  - CLOSE->SYN_SENT fires in tcp_v4/v6_connect before the source port is
 *    chosen and before write_seq holds the ISN. The event is held in the
 *    connection's table slot and sent from a kprobe on tcp_connect(), where
 *    both are set.
 *  - The child's LISTEN->SYN_RECV fires in inet_csk_clone_lock() before its
 *    4-tuple is copied from the request sock. A kretprobe on
 *    tcp_v4/v6_syn_recv_sock (the caller) keeps the listener and request
 *    sock per CPU (softirq: no migration), and the event takes the 4-tuple
 *    and both ISNs from the request sock.
 * Owners are taken from process-context events (connect, listen, close),
 * passed from a listener to its children and updated at accept().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <net/inet_connection_sock.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "tcptrail.h"

static enum tt_hook_mode tt_mode;

/* The accepted child being created on this CPU, between entry and return. */
struct tt_clone_ctx {
	int depth;		/* v6 calls the v4 function for mapped peers */
	const struct sock *listener;
	const struct request_sock *req;
};

static DEFINE_PER_CPU(struct tt_clone_ctx, tt_clone);

static struct tracepoint *tt_tp_state;
static bool tt_tp_state_on;

void tt_owner_current(struct tt_owner *o)
{
	o->pid = current->tgid;
	o->known = true;
	/* No task_lock() in a probe: a comm torn by prctl() is harmless. */
	strscpy_pad(o->comm, current->comm, sizeof(o->comm));
}

void tt_owner_to_conn(struct tt_conn *c, const struct tt_owner *o)
{
	if (!o->known)
		return;
	c->pid = o->pid;
	memcpy(c->comm, o->comm, sizeof(c->comm));
	c->flags |= TT_CONN_OWNER;
}

void tt_owner_to_event(struct tcptrail_event *ev, const struct tt_owner *o)
{
	if (!o->known)
		return;
	ev->pid = o->pid;
	memcpy(ev->comm, o->comm, sizeof(ev->comm));
	ev->flags |= TCPTRAIL_F_OWNER;
}

void tt_conn_to_event(struct tcptrail_event *ev, const struct tt_conn *c)
{
	if (c->flags & TT_CONN_OWNER) {
		ev->pid = c->pid;
		memcpy(ev->comm, c->comm, sizeof(ev->comm));
		ev->flags |= TCPTRAIL_F_OWNER;
	}
	if (c->flags & TT_CONN_ISN) {
		ev->isn = c->isn;
		ev->flags |= TCPTRAIL_F_ISN;
	}
	if (c->flags & TT_CONN_PEER_ISN) {
		ev->peer_isn = c->peer_isn;
		ev->flags |= TCPTRAIL_F_PEER_ISN;
	}
}

void tt_owner_of(u64 cookie, struct tt_owner *o)
{
	struct tt_conn *c;
	unsigned long flags;
	bool full;

	o->known = false;
	c = tt_conn_lock(&tt_conns, cookie, false, &full, &flags);
	if (!c)
		return;
	if (c->flags & TT_CONN_OWNER) {
		o->pid = c->pid;
		memcpy(o->comm, c->comm, sizeof(o->comm));
		o->known = true;
	}
	tt_conn_unlock(&tt_conns, c, flags);
}

/* The child's 4-tuple and ISNs, from the request sock it is cloned from. */
bool tt_fill_req(struct tcptrail_event *ev, const struct sock *sk,
		 const struct request_sock *req)
{
	const struct inet_request_sock *ireq = inet_rsk(req);

	ev->sport = ireq->ir_num;
	ev->dport = ntohs(ireq->ir_rmt_port);
	if (req->rsk_ops->family == AF_INET && sk->sk_family == AF_INET) {
		memcpy(ev->saddr, &ireq->ir_loc_addr, 4);
		memcpy(ev->daddr, &ireq->ir_rmt_addr, 4);
	}
#if IS_ENABLED(CONFIG_IPV6)
	else if (req->rsk_ops->family == AF_INET6) {
		memcpy(ev->saddr, &ireq->ir_v6_loc_addr, 16);
		memcpy(ev->daddr, &ireq->ir_v6_rmt_addr, 16);
	} else if (sk->sk_family == AF_INET6) {
		/* An IPv4 peer of an IPv6 listener: v4-mapped addresses. */
		ipv6_addr_set_v4mapped(ireq->ir_loc_addr,
				       (struct in6_addr *)ev->saddr);
		ipv6_addr_set_v4mapped(ireq->ir_rmt_addr,
				       (struct in6_addr *)ev->daddr);
	}
#endif
	else
		return false;
	ev->isn = tcp_rsk(req)->snt_isn;
	ev->peer_isn = tcp_rsk(req)->rcv_isn;
	ev->flags |= TCPTRAIL_F_ISN | TCPTRAIL_F_PEER_ISN;
	return true;
}

static bool tt_connect_hooked(void);

/* A CLOSE->SYN_SENT that tcp_connect() never completed: send what we have. */
static noinline void tt_flush_syn_sent(struct sock *sk,
				       u64 cookie, u64 ts,
				       const struct tt_owner *o)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_STATE,
		.ts_ns = ts,
		.cookie = cookie,
		.old_state = TCP_CLOSE,
		.new_state = TCP_SYN_SENT,
	};

	tt_fill_tuple(&ev, sk);
	tt_owner_to_event(&ev, o);
	tt_emit(sock_net(sk), &ev);
}

void tt_record_state(struct sock *sk, int old, int new, u64 ts)
{
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_STATE,
		.ts_ns = ts,
		.old_state = old,
		.new_state = new,
	};
	struct tt_owner owner = {}, pending_owner;
	bool child = old == TCP_LISTEN && new == TCP_SYN_RECV;
	u64 pending_ts = 0;
	struct net *net = sock_net(sk);
	struct tt_conn *c;
	unsigned long flags;
	bool full;

	if (sk->sk_protocol != IPPROTO_TCP || sk->sk_type != SOCK_STREAM)
		return;

	ev.cookie = tt_sk_cookie(sk);
	tt_fill_tuple(&ev, sk);
	tt_fill_seq(&ev, sk);
	if (in_task())
		tt_owner_current(&owner);
	else
		ev.flags |= TCPTRAIL_F_SOFTIRQ;

	if (child) {
		struct tt_clone_ctx *cc = this_cpu_ptr(&tt_clone);

		/*
		 * The clone still carries the listener's cookie; it takes the
		 * request sock's right after, so that is the child's id.
		 */
		if (cc->depth && cc->req && tt_fill_req(&ev, sk, cc->req)) {
			ev.cookie = tt_sk_cookie((struct sock *)cc->req);
			if (!owner.known)
				tt_owner_of(tt_sk_cookie(cc->listener), &owner);
		} else {
			ev.cookie = 0;
			ev.flags |= TCPTRAIL_F_NO_TUPLE;
			tt_count_stat(net, TT_STAT_NO_TUPLE);
		}
	}

	c = tt_conn_lock(&tt_conns, ev.cookie, new != TCP_CLOSE, &full, &flags);
	if (!c) {
		if (full) {
			ev.flags |= TCPTRAIL_F_TABLE_FULL;
			tt_count_stat(net, TT_STAT_TABLE_FULL);
		}
		tt_owner_to_event(&ev, &owner);
		tt_emit(net, &ev);
		return;
	}

	tt_owner_to_conn(c, &owner);
	/* At CLOSE the port is already released: report the one it had. */
	if (ev.sport)
		c->sport = ev.sport;
	else
		ev.sport = c->sport;
	if (child && (ev.flags & TCPTRAIL_F_ISN)) {
		c->isn = ev.isn;
		c->peer_isn = ev.peer_isn;
		c->flags |= TT_CONN_ISN | TT_CONN_PEER_ISN;
	}
	if (old == TCP_SYN_SENT && new == TCP_ESTABLISHED) {
		/* The SYN-ACK's sequence number is the peer's ISN. */
		c->peer_isn = ev.rcv_nxt - 1;
		c->flags |= TT_CONN_PEER_ISN;
	}
	if (c->flags & TT_CONN_SYN_PENDING) {
		c->flags &= ~TT_CONN_SYN_PENDING;
		pending_ts = c->last_ts;
		pending_owner.known = c->flags & TT_CONN_OWNER;
		pending_owner.pid = c->pid;
		memcpy(pending_owner.comm, c->comm, sizeof(c->comm));
	}
	if (old == TCP_CLOSE && new == TCP_SYN_SENT && tt_connect_hooked()) {
		/* Sent from tcp_connect(), once port and ISN exist. */
		c->flags |= TT_CONN_SYN_PENDING;
		c->last_ts = ts;
		c->state = new;
		tt_conn_unlock(&tt_conns, c, flags);
		return;
	}

	if (child) {
		/*
		 * The connection has been in SYN_RECV since its SYN arrived
		 * (lifecycle.c): keep that time, so the ESTABLISHED event
		 * carries the whole handshake. The clone is its first state.
		 */
		c->flags |= TT_CONN_CHILD;
		if (!c->last_ts)
			c->last_ts = ts;
	} else if (c->flags & TT_CONN_IN_TW) {
		/* The full sock closes; its timewait sock keeps state and time. */
		ev.dur_ns = ts - c->last_ts;
	} else {
		ev.dur_ns = c->last_ts ? ts - c->last_ts : 0;
		c->last_ts = ts;
		c->state = new;
	}
	tt_conn_to_event(&ev, c);
	if (new == TCP_CLOSE && !(c->flags & TT_CONN_IN_TW))
		tt_conn_release(&tt_conns, c, flags);
	else
		tt_conn_unlock(&tt_conns, c, flags);

	if (pending_ts) {
		tt_flush_syn_sent(sk, ev.cookie, pending_ts, &pending_owner);
		ev.dur_ns = ts - pending_ts;
	}
	tt_emit(net, &ev);
}

/* sock:inet_sock_set_state */
static void tt_probe_set_state(void *data, const struct sock *sk,
			       const int old, const int new)
{
	tt_record_state((struct sock *)sk, old, new, ktime_get_ns());
}

/* hook=kprobe: tcp_set_state(sk, state), before the state is stored. */
static int tt_kp_set_state(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	int new = regs_get_kernel_argument(regs, 1);
	int old = READ_ONCE(sk->sk_state);

	tt_record_state(sk, old, new, ktime_get_ns());
	return 0;
}

/* tcp_connect(sk): port and ISN (write_seq) are set, the SYN not yet sent. */
static int tt_kp_connect(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tcptrail_event ev = {
		.kind = TCPTRAIL_EV_STATE,
		.old_state = TCP_CLOSE,
		.new_state = TCP_SYN_SENT,
	};
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	ev.cookie = tt_sk_cookie(sk);
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (!c)
		return 0;
	c->isn = READ_ONCE(tcp_sk(sk)->write_seq);
	c->flags |= TT_CONN_ISN;
	c->sport = sk->sk_num;
	if (!(c->flags & TT_CONN_SYN_PENDING)) {
		tt_conn_unlock(&tt_conns, c, flags);
		return 0;
	}
	c->flags &= ~TT_CONN_SYN_PENDING;
	ev.ts_ns = c->last_ts;
	tt_conn_to_event(&ev, c);
	tt_conn_unlock(&tt_conns, c, flags);

	tt_fill_tuple(&ev, sk);
	tt_fill_seq(&ev, sk);
	if (!in_task())
		ev.flags |= TCPTRAIL_F_SOFTIRQ;
	tt_emit(sock_net(sk), &ev);
	return 0;
}

static int tt_krp_syn_recv_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct tt_clone_ctx *cc;

	/* Only a softirq keeps us on this CPU until the return. */
	if (preemptible())
		return 1;
	cc = this_cpu_ptr(&tt_clone);
	if (!cc->depth++) {
		cc->listener = (void *)regs_get_kernel_argument(regs, 0);
		cc->req = (void *)regs_get_kernel_argument(regs, 2);
	}
	return 0;
}

/* The child exists with its 4-tuple: make sure its slot has ISNs and owner. */
static int tt_krp_syn_recv_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct tt_clone_ctx *cc = this_cpu_ptr(&tt_clone);
	struct sock *child = (struct sock *)regs_return_value(regs);
	const struct request_sock *req = cc->req;
	struct tt_owner owner;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (--cc->depth)
		return 0;
	cc->req = NULL;
	if (!child || !req)
		return 0;
	tt_owner_of(tt_sk_cookie(cc->listener), &owner);
	c = tt_conn_lock(&tt_conns, tt_sk_cookie(child), true, &full, &flags);
	if (!c)
		return 0;
	c->flags |= TT_CONN_CHILD;
	if (!(c->flags & TT_CONN_ISN)) {
		c->isn = tcp_rsk(req)->snt_isn;
		c->peer_isn = tcp_rsk(req)->rcv_isn;
		c->flags |= TT_CONN_ISN | TT_CONN_PEER_ISN;
	}
	if (!c->last_ts) {
		c->last_ts = ktime_get_ns();
		c->state = TCP_SYN_RECV;
	}
	if (!(c->flags & TT_CONN_OWNER))
		tt_owner_to_conn(c, &owner);
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

/* accept() returned a child: its owner is whoever accepted it. */
static int tt_krp_accept_ret(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_return_value(regs);
	struct tt_owner owner;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (!sk || IS_ERR(sk) || sk->sk_protocol != IPPROTO_TCP || !in_task())
		return 0;
	tt_owner_current(&owner);
	c = tt_conn_lock(&tt_conns, tt_sk_cookie(sk), false, &full, &flags);
	if (!c)
		return 0;
	tt_owner_to_conn(c, &owner);
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

struct tt_listen_data {
	struct sock *sk;
};

static int tt_krp_listen_entry(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct tt_listen_data *d = (struct tt_listen_data *)ri->data;

	d->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	return 0;
}

/*
 * hook=kprobe: listen() never calls tcp_set_state, so the listener's owner,
 * which its children inherit, is taken here.
 */
static int tt_krp_listen_ret(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct tt_listen_data *d = (struct tt_listen_data *)ri->data;
	struct tt_owner owner;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (regs_return_value(regs) || d->sk->sk_protocol != IPPROTO_TCP)
		return 0;
	tt_owner_current(&owner);
	c = tt_conn_lock(&tt_conns, tt_sk_cookie(d->sk), true, &full, &flags);
	if (!c)
		return 0;
	tt_owner_to_conn(c, &owner);
	c->last_ts = ktime_get_ns();
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

static struct kretprobe tt_krp_listen = {
	.kp.symbol_name = "inet_csk_listen_start",
	.entry_handler = tt_krp_listen_entry,
	.handler = tt_krp_listen_ret,
	.data_size = sizeof(struct tt_listen_data),
	.maxactive = 16,
};

static struct kprobe tt_kp_state = {
	.symbol_name = "tcp_set_state",
	.pre_handler = tt_kp_set_state,
};

static struct kprobe tt_kp_conn = {
	.symbol_name = "tcp_connect",
	.pre_handler = tt_kp_connect,
};

static struct kretprobe tt_krp_syn4 = {
	.kp.symbol_name = "tcp_v4_syn_recv_sock",
	.entry_handler = tt_krp_syn_recv_entry,
	.handler = tt_krp_syn_recv_ret,
	.maxactive = 64,
};

static struct kretprobe tt_krp_syn6 = {
	.kp.symbol_name = "tcp_v6_syn_recv_sock",
	.entry_handler = tt_krp_syn_recv_entry,
	.handler = tt_krp_syn_recv_ret,
	.maxactive = 64,
};

static struct kretprobe tt_krp_accept = {
	.kp.symbol_name = "inet_csk_accept",
	.handler = tt_krp_accept_ret,
	.maxactive = 64,
};

enum {
	TT_H_TRACEPOINT,
	TT_H_SET_STATE,
	TT_H_CONNECT,
	TT_H_SYN4,
	TT_H_SYN6,
	TT_H_ACCEPT,
	TT_H_LISTEN,
	TT_H_MAX
};

static struct tt_hook_status tt_status[TT_H_MAX] = {
	[TT_H_TRACEPOINT] = { .name = "inet_sock_set_state" },
	[TT_H_SET_STATE] = { .name = "tcp_set_state" },
	[TT_H_CONNECT] = { .name = "tcp_connect" },
	[TT_H_SYN4] = { .name = "tcp_v4_syn_recv_sock" },
	[TT_H_SYN6] = { .name = "tcp_v6_syn_recv_sock" },
	[TT_H_ACCEPT] = { .name = "inet_csk_accept" },
	[TT_H_LISTEN] = { .name = "inet_csk_listen_start" },
};

static bool tt_connect_hooked(void)
{
	return tt_status[TT_H_CONNECT].attached;
}

struct tt_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void tt_tp_match(struct tracepoint *tp, void *priv)
{
	struct tt_tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->tp = tp;
}

/* Tracepoint symbols are not exported: find them by name. */
struct tracepoint *tt_find_tracepoint(const char *name)
{
	struct tt_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(tt_tp_match, &l);
	return l.tp;
}

/* A probe that will not attach costs its feature, never the module. */
int tt_attach_kprobe(struct tt_hook_status *st, struct kprobe *kp)
{
	int err;

	/* A kprobe registered before keeps its address: start afresh. */
	kp->addr = NULL;
	kp->flags = 0;
	err = register_kprobe(kp);

	st->wanted = true;
	st->kp = kp;
	if (err)
		pr_warn("kprobe on %s failed (%d): events lack what it adds\n",
			kp->symbol_name, err);
	st->attached = !err;
	return err;
}

int tt_attach_kretprobe(struct tt_hook_status *st, struct kretprobe *krp)
{
	int err;

	krp->kp.addr = NULL;
	krp->kp.flags = 0;
	err = register_kretprobe(krp);

	st->wanted = true;
	st->krp = krp;
	if (err)
		pr_warn("kretprobe on %s failed (%d): events lack what it adds\n",
			krp->kp.symbol_name, err);
	st->attached = !err;
	return err;
}

static void tt_detach_extras(void)
{
	if (tt_status[TT_H_LISTEN].attached)
		unregister_kretprobe(&tt_krp_listen);
	tt_status[TT_H_LISTEN].attached = false;
	if (tt_status[TT_H_ACCEPT].attached)
		unregister_kretprobe(&tt_krp_accept);
	if (tt_status[TT_H_SYN6].attached)
		unregister_kretprobe(&tt_krp_syn6);
	if (tt_status[TT_H_SYN4].attached)
		unregister_kretprobe(&tt_krp_syn4);
	if (tt_status[TT_H_CONNECT].attached)
		unregister_kprobe(&tt_kp_conn);
	tt_status[TT_H_ACCEPT].attached = false;
	tt_status[TT_H_SYN6].attached = false;
	tt_status[TT_H_SYN4].attached = false;
	tt_status[TT_H_CONNECT].attached = false;
}

/*
 * The helpers first, so that the first state change already finds them.
 * Only the state hook is essential: without it the load fails.
 */
int tt_hooks_attach(enum tt_hook_mode mode)
{
	int err;

	tt_attach_kprobe(&tt_status[TT_H_CONNECT], &tt_kp_conn);
	tt_attach_kretprobe(&tt_status[TT_H_SYN4], &tt_krp_syn4);
	if (IS_ENABLED(CONFIG_IPV6))
		tt_attach_kretprobe(&tt_status[TT_H_SYN6], &tt_krp_syn6);
	tt_attach_kretprobe(&tt_status[TT_H_ACCEPT], &tt_krp_accept);

	if (mode != TT_HOOK_KPROBE) {
		tt_status[TT_H_TRACEPOINT].wanted = true;
		tt_tp_state = tt_find_tracepoint("inet_sock_set_state");
		err = tt_tp_state ? tracepoint_probe_register(tt_tp_state,
							      tt_probe_set_state,
							      NULL) : -ENOENT;
		if (!err) {
			tt_tp_state_on = true;
			tt_status[TT_H_TRACEPOINT].attached = true;
			tt_mode = TT_HOOK_TRACEPOINT;
			return 0;
		}
		pr_warn("tracepoint inet_sock_set_state: %d\n", err);
		if (mode == TT_HOOK_TRACEPOINT)
			goto err_detach_extras;
	}
	err = tt_attach_kprobe(&tt_status[TT_H_SET_STATE], &tt_kp_state);
	if (err)
		goto err_detach_extras;
	tt_attach_kretprobe(&tt_status[TT_H_LISTEN], &tt_krp_listen);
	tt_mode = TT_HOOK_KPROBE;
	return 0;

err_detach_extras:
	tt_detach_extras();
	return err;
}

void tt_hooks_detach(void)
{
	if (tt_tp_state_on) {
		tracepoint_probe_unregister(tt_tp_state, tt_probe_set_state,
					    NULL);
		tt_tp_state_on = false;
		tt_status[TT_H_TRACEPOINT].attached = false;
	}
	if (tt_status[TT_H_SET_STATE].attached) {
		unregister_kprobe(&tt_kp_state);
		tt_status[TT_H_SET_STATE].attached = false;
	}
	tt_detach_extras();
	/* No probe of ours runs or will run after this. */
	tracepoint_synchronize_unregister();
}

/* Hits the kernel skipped: recursion, or no free kretprobe instance. */
unsigned long tt_hook_missed(const struct tt_hook_status *st)
{
	if (st->krp)
		return st->krp->nmissed + st->krp->kp.nmissed;
	return st->kp ? st->kp->nmissed : 0;
}

const char *tt_hook_mode_name(void)
{
	return tt_mode == TT_HOOK_TRACEPOINT ? "tracepoint" : "kprobe";
}

int tt_hooks_status(struct tt_hook_status *st, int max)
{
	int i;

	for (i = 0; i < TT_H_MAX && i < max; i++)
		st[i] = tt_status[i];
	return i;
}
