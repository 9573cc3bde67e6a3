// SPDX-License-Identifier: GPL-2.0
/*
 * hook.c - where tcptrail learns of state changes, and what it makes of one.
 *
 * hook=tracepoint (auto prefers it): sock:inet_sock_set_state sees every
 * transition, LISTEN and the accepted child's SYN_RECV included.
 * hook=kprobe: a kprobe on tcp_set_state, for kernels without the
 * tracepoint; it misses CLOSE->LISTEN and the child's LISTEN->SYN_RECV,
 * which never call it; a kprobe on inet_csk_listen_start still gives
 * listeners their owner.
 *
 * Either way the state change alone would inherit two blind spots:
 *  - CLOSE->SYN_SENT fires in tcp_v4/v6_connect before the source port is
 *    chosen and before write_seq holds the ISN. The event is held in the
 *    connection's table slot and sent from a kprobe on tcp_connect(), where
 *    both are set.
 *  - The child's LISTEN->SYN_RECV fires in inet_csk_clone_lock() before its
 *    4-tuple is copied from the request sock. A kprobe on the entry of
 *    inet_csk_clone_lock() copies what the event needs from the request
 *    sock into a per-CPU slot (one per context level, so a softirq cannot
 *    clobber the task it interrupted); the tracepoint inside takes it when
 *    the task matches and the clone still carries that listener's cookie.
 *    Values are copied, never pointers kept.
 * Owners come only from the syscall side, with BHs on (connect, listen,
 * close, accept's sock_graft): a task that runs the receive path (tun,
 * busy polling, threaded NAPI) is not the connection's owner. Listeners
 * pass theirs to their children.
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
#include <trace/events/sock.h>

#include "compat.h"
#include "tcptrail.h"

static enum tt_hook_mode tt_mode;

/* inet_csk_clone_lock() entered on this CPU, until its tracepoint fires. */
struct tt_clone_ctx {
	const struct task_struct *task;	/* compared, never dereferenced */
	bool valid;
	u64 listener_cookie;		/* the clone carries it until the event */
	struct tcptrail_event child;	/* tuple, cookie, ISNs, seq */
};

struct tt_clone_level {
	struct tt_clone_ctx level[2];	/* task, softirq */
};

static DEFINE_PER_CPU(struct tt_clone_level, tt_clone);

static struct tt_clone_ctx *tt_clone_ctx(void)
{
	return &this_cpu_ptr(&tt_clone)->level[tt_ctx_level()];
}

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

/* What the kernel sets up in the child from the request sock. */
void tt_fill_req_seq(struct tcptrail_event *ev, const struct request_sock *req)
{
	ev->snd_una = tcp_rsk(req)->snt_isn + 1;
	ev->snd_nxt = ev->snd_una;
	ev->rcv_nxt = tcp_rsk(req)->rcv_isn + 1;
	ev->snd_wnd = 0;	/* from the peer's ACK, not known yet */
	ev->rcv_wnd = req->rsk_rcv_wnd;
	ev->mss = req->mss;
	ev->srtt_us = 0;
}

static bool tt_connect_hooked(void);

/* A CLOSE->SYN_SENT that tcp_connect() never completed: send what we have. */
static noinline void tt_flush_syn_sent(struct sock *sk, u64 cookie, u64 ts,
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

/*
 * The accepted child's first event: tuple, cookie, ISNs and sequence space
 * from the request sock, copied at inet_csk_clone_lock()'s entry.
 */
static bool tt_take_clone(struct tcptrail_event *ev, const struct sock *sk,
			  struct tt_owner *owner)
{
	struct tt_clone_ctx *cc = tt_clone_ctx();
	/* sk_clone_lock() copied the listener's cookie: which listener. */
	bool ok = cc->valid && cc->task == current &&
		  cc->listener_cookie == atomic64_read(&sk->sk_cookie);

	cc->valid = false;
	if (!ok)
		return false;
	memcpy(ev->saddr, cc->child.saddr, sizeof(ev->saddr));
	memcpy(ev->daddr, cc->child.daddr, sizeof(ev->daddr));
	ev->sport = cc->child.sport;
	ev->dport = cc->child.dport;
	ev->cookie = cc->child.cookie;
	ev->isn = cc->child.isn;
	ev->peer_isn = cc->child.peer_isn;
	ev->flags |= TCPTRAIL_F_ISN | TCPTRAIL_F_PEER_ISN;
	ev->snd_una = cc->child.snd_una;
	ev->snd_nxt = cc->child.snd_nxt;
	ev->rcv_nxt = cc->child.rcv_nxt;
	ev->snd_wnd = cc->child.snd_wnd;
	ev->rcv_wnd = cc->child.rcv_wnd;
	ev->mss = cc->child.mss;
	ev->srtt_us = 0;
	if (!owner->known)
		tt_owner_of(cc->listener_cookie, owner);
	return true;
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
	struct tcptrail_event skip = {};
	struct net *net = sock_net(sk);
	int skip_state = 0;
	bool skipped = false, peer_isn_now;
	u64 pending_ts = 0;
	struct tt_conn *c;
	unsigned long flags;
	bool full;

	if (sk->sk_protocol != IPPROTO_TCP || sk->sk_type != SOCK_STREAM)
		return;

	tt_fill_tuple(&ev, sk);
	if (tt_syscall_ctx())
		tt_owner_current(&owner);
	else
		ev.flags |= TCPTRAIL_F_SOFTIRQ;

	if (child) {
		/* The clone still carries the listener's cookie and numbers. */
		if (!tt_take_clone(&ev, sk, &owner))
			ev.flags |= TCPTRAIL_F_NO_TUPLE;
	} else {
		ev.cookie = tt_sk_cookie(sk);
		tt_fill_seq(&ev, sk);
	}
	if (new == TCP_CLOSE) {
		bool tw;

		skipped = tt_tw_skipped(ev.cookie, &skip_state, &tw);
		tt_why_close(&ev, sk, old, tw);
	}

	c = tt_conn_lock(&tt_conns, ev.cookie, new != TCP_CLOSE, &full, &flags);
	if (!c) {
		if (full)
			ev.flags |= TCPTRAIL_F_TABLE_FULL;
		tt_owner_to_event(&ev, &owner);
		if (skipped) {
			tt_tw_fill_skip(&skip, sk, skip_state, NULL);
			tt_tw_emit_skip(&skip, sk);
		}
		tt_emit(net, &ev);
		return;
	}

	if (ev.cause == TCPTRAIL_CAUSE_DUPLICATE) {
		/* The child that won the request sock owns the slot. */
		tt_conn_to_event(&ev, c);
		tt_conn_unlock(&tt_conns, c, flags);
		tt_emit(net, &ev);
		return;
	}
	tt_owner_to_conn(c, &owner);
	/* A full sock exists: its request sock's end is not the slot's. */
	c->flags |= TT_CONN_CHILD;
	/*
	 * A full socket lives as long as it likes: no age bound, but for a
	 * child still in SYN_RECV (its SYN-ACK may be retransmitted) and the
	 * timewait sock that carries on after CLOSE (bounded by its timer).
	 */
	if (child)
		c->expires = ts + tt_req_bound_ns(net);
	else if (!(c->flags & TT_CONN_IN_TW))
		c->expires = 0;
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
	peer_isn_now = old == TCP_SYN_SENT ||
		       (old == TCP_SYN_RECV && !(c->flags & TT_CONN_PEER_ISN));
	if (new == TCP_ESTABLISHED && peer_isn_now) {
		/*
		 * The SYN-ACK's sequence number is the peer's ISN; after a
		 * simultaneous open (SYN_SENT -> SYN_RECV, before rcv_nxt was
		 * set) the SYN-ACK that completes it has the same.
		 */
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
		if (!c->last_ts)
			c->last_ts = ts;
		c->state = new;
	} else if (c->flags & TT_CONN_IN_TW) {
		/* The full sock closes; its timewait sock keeps state and time. */
		ev.dur_ns = tt_since(ts, c->last_ts);
	} else {
		ev.dur_ns = tt_since(ts, c->last_ts);
		c->last_ts = max(ts, c->last_ts);
		c->state = new;
	}
	tt_conn_to_event(&ev, c);
	if (skipped)
		tt_tw_fill_skip(&skip, sk, skip_state, c);
	if (new == TCP_CLOSE && !(c->flags & TT_CONN_IN_TW))
		tt_conn_release(&tt_conns, c, flags);
	else
		tt_conn_unlock(&tt_conns, c, flags);

	if (pending_ts) {
		tt_flush_syn_sent(sk, ev.cookie, pending_ts, &pending_owner);
		ev.dur_ns = tt_since(ts, pending_ts);
	}
	if (skipped)
		tt_tw_emit_skip(&skip, sk);
	tt_emit(net, &ev);
}

/* sock:inet_sock_set_state */
static void tt_probe_set_state(void *data, const struct sock *sk,
			       const int old, const int new)
{
	tt_record_state((struct sock *)sk, old, new, ktime_get_ns());
}

TT_TP_PROBE_CHECK(inet_sock_set_state, tt_probe_set_state);

/* hook=kprobe: tcp_set_state(sk, state), before the state is stored. */
static int tt_kp_set_state(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	int new = regs_get_kernel_argument(regs, 1);
	int old = READ_ONCE(sk->sk_state);

	tt_record_state(sk, old, new, ktime_get_ns());
	return 0;
}

/*
 * tcp_connect(sk): port and ISN (write_seq) are set; tcp_connect_init()
 * and the SYN follow, after which snd_una is the ISN and snd_nxt one past.
 */
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
	u32 isn;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	ev.cookie = tt_sk_cookie(sk);
	isn = READ_ONCE(tcp_sk(sk)->write_seq);
	c = tt_conn_lock(&tt_conns, ev.cookie, false, &full, &flags);
	if (!c)
		return 0;
	c->isn = isn;
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
	ev.snd_una = isn;
	ev.snd_nxt = isn + 1;
	if (!tt_syscall_ctx())
		ev.flags |= TCPTRAIL_F_SOFTIRQ;
	tt_emit(sock_net(sk), &ev);
	return 0;
}

/* inet_csk_clone_lock(listener, req, prio): what the child's event needs. */
static int tt_kp_clone(struct kprobe *p, struct pt_regs *regs)
{
	const struct sock *lsk = (void *)regs_get_kernel_argument(regs, 0);
	const struct request_sock *req = (void *)regs_get_kernel_argument(regs, 1);
	struct tt_clone_ctx *cc = tt_clone_ctx();

	cc->valid = false;
	if (lsk->sk_protocol != IPPROTO_TCP)
		return 0;
	memset(&cc->child, 0, sizeof(cc->child));
	if (!tt_fill_req(&cc->child, lsk, req))
		return 0;
	tt_fill_req_seq(&cc->child, req);
	/* The child takes the request sock's cookie right after the event. */
	cc->child.cookie = tt_sk_cookie((struct sock *)req);
	cc->listener_cookie = tt_sk_cookie(lsk);
	cc->task = current;
	cc->valid = true;
	return 0;
}

/* sock_graft() in accept(): the child's owner is whoever accepted it. */
static int tt_kp_graft(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tt_owner owner;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	/* BHs are off under sk_callback_lock, but this is accept()'s task. */
	if (!in_task() || sk->sk_protocol != IPPROTO_TCP ||
	    sk->sk_type != SOCK_STREAM)
		return 0;
	tt_owner_current(&owner);
	c = tt_conn_lock(&tt_conns, tt_sk_cookie(sk), false, &full, &flags);
	if (!c)
		return 0;
	tt_owner_to_conn(c, &owner);
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

/*
 * hook=kprobe: listen() never calls tcp_set_state, so the listener's owner,
 * which its children inherit, is taken as listen() starts.
 */
static int tt_kp_listen(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct tt_owner owner;
	unsigned long flags;
	struct tt_conn *c;
	bool full;

	if (sk->sk_protocol != IPPROTO_TCP || !tt_syscall_ctx())
		return 0;
	tt_owner_current(&owner);
	c = tt_conn_lock(&tt_conns, tt_sk_cookie(sk), true, &full, &flags);
	if (!c)
		return 0;
	tt_owner_to_conn(c, &owner);
	c->last_ts = ktime_get_ns();
	c->state = TCP_LISTEN;
	tt_conn_unlock(&tt_conns, c, flags);
	return 0;
}

enum {
	TT_H_CONNECT, TT_H_CLONE, TT_H_GRAFT, TT_H_TRACEPOINT, TT_H_SET_STATE,
	TT_H_LISTEN, TT_H_MAX
};

/* Helpers first, so that the first state change already finds them. */
static struct tt_probe tt_hook_probes[TT_H_MAX] = {
	[TT_H_CONNECT] = { "tcp_connect", TT_PROBE_KPROBE,
			   .pre = tt_kp_connect },
	[TT_H_CLONE] = { "inet_csk_clone_lock", TT_PROBE_KPROBE,
			 .pre = tt_kp_clone },
	/* Absent without CONFIG_SECURITY: children keep the listener's owner. */
	[TT_H_GRAFT] = { "security_sock_graft", TT_PROBE_KPROBE,
			 .pre = tt_kp_graft, .optional = true },
	[TT_H_TRACEPOINT] = { "inet_sock_set_state", TT_PROBE_TRACEPOINT,
			      .tp_func = tt_probe_set_state,
			      .mode = TT_HOOK_TRACEPOINT },
	[TT_H_SET_STATE] = { "tcp_set_state", TT_PROBE_KPROBE,
			     .pre = tt_kp_set_state, .mode = TT_HOOK_KPROBE },
	[TT_H_LISTEN] = { "inet_csk_listen_start", TT_PROBE_KPROBE,
			  .pre = tt_kp_listen, .mode = TT_HOOK_KPROBE },
};

static bool tt_connect_hooked(void)
{
	return tt_probe_on(&tt_hook_probes[TT_H_CONNECT]);
}

/* Only the state hook is essential: without it the load fails. */
int tt_hooks_attach(enum tt_hook_mode mode)
{
	int err;

	tt_probes_attach(tt_hook_probes, TT_H_MAX, TT_HOOK_AUTO);
	if (mode != TT_HOOK_KPROBE) {
		err = tt_probes_attach(tt_hook_probes, TT_H_MAX,
				       TT_HOOK_TRACEPOINT);
		if (!err) {
			tt_mode = TT_HOOK_TRACEPOINT;
			return 0;
		}
		if (mode == TT_HOOK_TRACEPOINT)
			goto err_detach;
	}
	err = tt_probes_attach(tt_hook_probes, TT_H_MAX, TT_HOOK_KPROBE);
	if (err)
		goto err_detach;
	tt_mode = TT_HOOK_KPROBE;
	return 0;

err_detach:
	tt_probes_detach(tt_hook_probes, TT_H_MAX);
	return err;
}

void tt_hooks_detach(void)
{
	tt_probes_detach(tt_hook_probes, TT_H_MAX);
}

const char *tt_hook_mode_name(void)
{
	return tt_mode == TT_HOOK_TRACEPOINT ? "tracepoint" : "kprobe";
}

int tt_hooks_status(struct tt_hook_status *st, int max)
{
	return tt_probes_status(tt_hook_probes, TT_H_MAX, st, max);
}
