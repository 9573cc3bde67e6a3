// SPDX-License-Identifier: GPL-2.0
/*
 * why.c - why a connection went to CLOSE, and why an RST was sent.
 *
 * The cause of a -> CLOSE is decided from what the kernel has just done to
 * the socket, read in the state change itself (no probe of its own):
 *  - tcp_reset() for this socket, in this context, right before its
 *    tcp_done() (lifecycle.c notes it here): an RST received (refused
 *    when it answered our SYN), or, when the segment had no RST flag,
 *    data after shutdown (the kernel aborts and sends its own RST);
 *  - handed to a timewait sock (or TIME_WAIT skipped): tcp_time_wait()
 *    right before (lifecycle.c's note): an orderly active close;
 *  - sk_err, set before tcp_done() by tcp_write_err() (timeouts, with the
 *    soft error an ICMP left, else ETIMEDOUT), tcp_abort() (ss -K:
 *    ECONNABORTED) and ICMP hard errors in the handshake. Which timer gave
 *    up is told by the socket: SYN_SENT (SYN retries), SYN_RECV (SYN-ACK
 *    retries), TCP_USER_TIMEOUT set, retransmits counted (RTO, or an
 *    orphan's retries), else probes counted (keepalive, or zero-window
 *    probes when the peer's window is closed or keepalive is off);
 *  - no error: LAST_ACK acknowledged (passive close), a child that lost
 *    the race for its request sock (duplicate), a listener or an
 *    unanswered connect() closed, close() with SO_LINGER 0 or unread data
 *    (the syscall, before the RST it then sends), and an orphan: in
 *    FIN_WAIT2 ended by its timer (which sends an RST first) or by
 *    TCP_LINGER2 < 0, else by data after close; elsewhere killed for
 *    memory.
 * The errno the application sees is sk_err at that moment. An RST sent
 * says why where the kernel gives a reason (6.12), else by the CLOSE it
 * follows in the same call, else by what the socket tells.
 *
 * tt_close_cause() and tt_rst_cause() decide from plain facts, so KUnit
 * drives them with tables.
 */
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "tcptrail.h"

/*
 * Per CPU and context level (a softirq may interrupt a task between two
 * probes of one call, never the other way round), what the kernel just did
 * to a socket, for the probe that follows in the same call:
 *   verdict  tcp_reset() entered: whether the segment carried an RST, for
 *            its tcp:tcp_receive_reset
 *   reset    that tracepoint: an RST received, or data after shutdown that
 *            made the socket abort itself, for the CLOSE that follows
 *   sent     an RST sent before the CLOSE (the FIN_WAIT2 timer's)
 *   closed   the cause of a CLOSE, for the RST sent right after it
 * A note is used once, by the same socket (cookie), task and level.
 */
struct tt_why_note {
	u64 cookie;
	const struct task_struct *task;	/* compared, never dereferenced */
	u8 what;
};

struct tt_why_notes {
	struct tt_why_note verdict, reset, sent, closed;
};

struct tt_why_level {
	struct tt_why_notes level[2];	/* task, softirq */
};

static DEFINE_PER_CPU(struct tt_why_level, tt_why_notes);

static struct tt_why_notes *tt_why_here(void)
{
	return &this_cpu_ptr(&tt_why_notes)->level[tt_ctx_level()];
}

static void tt_note_set(struct tt_why_note *n, u64 cookie, u8 what)
{
	n->cookie = cookie;
	n->task = current;
	n->what = what;
}

/* The note's value if it is this socket's, else 0. Cookies are never reused. */
static u8 tt_note_take(struct tt_why_note *n, u64 cookie)
{
	if (!cookie || n->cookie != cookie || n->task != current)
		return 0;
	n->cookie = 0;
	return n->what;
}

enum { TT_NOTE_RST = 1, TT_NOTE_DATA };

/* tcp_reset(): @rst, the segment is an RST; else data after shutdown. */
void tt_why_reset_verdict(u64 cookie, bool rst)
{
	tt_note_set(&tt_why_here()->verdict, cookie, rst ? TT_NOTE_RST : TT_NOTE_DATA);
}

/*
 * tcp:tcp_receive_reset, about to close the socket: true when an RST was
 * received (no verdict: take it so), false when tcp_reset() was called for
 * data after shutdown, which the kernel answers with an RST of its own.
 */
bool tt_why_note_reset(u64 cookie)
{
	struct tt_why_notes *n = tt_why_here();
	bool rst = tt_note_take(&n->verdict, cookie) != TT_NOTE_DATA;

	tt_note_set(&n->reset, cookie, rst ? TT_NOTE_RST : TT_NOTE_DATA);
	return rst;
}

void tt_why_note_rst_sent(u64 cookie)
{
	tt_note_set(&tt_why_here()->sent, cookie, 1);
}

/* The cause of this socket's CLOSE just now, in this context; 0: none. */
u8 tt_why_closed_here(u64 cookie)
{
	return tt_note_take(&tt_why_here()->closed, cookie);
}

u8 tt_close_cause(const struct tt_close_facts *f)
{
	if (!f->net_alive)
		return TCPTRAIL_CAUSE_NETNS;
	if (f->data_after_close)
		return TCPTRAIL_CAUSE_DATA_AFTER_CLOSE;
	if (f->rst_recv)
		return f->old == TCP_SYN_SENT ? TCPTRAIL_CAUSE_REFUSED :
						TCPTRAIL_CAUSE_RESET;
	if (f->tw)
		return TCPTRAIL_CAUSE_ACTIVE_CLOSE;
	if (f->err == ECONNABORTED)
		return TCPTRAIL_CAUSE_ABORT;
	if (f->err) {
		if (f->old == TCP_SYN_SENT) {
			if (f->err == ECONNREFUSED)
				return TCPTRAIL_CAUSE_REFUSED;
			/*
			 * An ICMP error closes it at once, often after a
			 * retransmit or two (a failed ARP takes ~3 s); the
			 * timer closes it only with every retry spent, and
			 * then with a soft ICMP error it kept, if any.
			 */
			return f->err == ETIMEDOUT ||
			       f->retransmits >= f->syn_retries ?
			       TCPTRAIL_CAUSE_SYN_TIMEOUT :
			       TCPTRAIL_CAUSE_UNREACHABLE;
		}
		/*
		 * Only tcp_reset() sets these before the CLOSE: a reset whose
		 * note is missing (the probe off, or the backlog run on
		 * another CPU) is still a reset, not a timeout.
		 */
		if (f->err == ECONNRESET || f->err == EPIPE)
			return TCPTRAIL_CAUSE_RESET;
		if (f->old == TCP_SYN_RECV)
			return TCPTRAIL_CAUSE_SYNACK_TIMEOUT;
		if (f->user_timeout)
			return TCPTRAIL_CAUSE_USER_TIMEOUT;
		if (f->retransmits)
			return f->dead ? TCPTRAIL_CAUSE_ORPHAN_TIMEOUT :
					 TCPTRAIL_CAUSE_RTO_TIMEOUT;
		if (f->probes_out)
			return f->zero_wnd || !f->keepopen ?
			       TCPTRAIL_CAUSE_PROBE0_TIMEOUT :
			       TCPTRAIL_CAUSE_KEEPALIVE;
		return TCPTRAIL_CAUSE_OTHER;
	}
	if (f->old == TCP_LAST_ACK)
		return TCPTRAIL_CAUSE_PASSIVE_CLOSE;
	/*
	 * Two CPUs completed one request sock at once (its ACK and data
	 * apart): the child that lost inet_ehash_nolisten() is dropped.
	 */
	if (f->old == TCP_SYN_RECV && !f->task && !f->dead)
		return TCPTRAIL_CAUSE_DUPLICATE;
	if (f->old == TCP_LISTEN || f->old == TCP_SYN_SENT)
		return TCPTRAIL_CAUSE_CLOSED;
	if (f->task) {
		/* close() checks unread data first, but purged it already. */
		if (f->linger0)
			return TCPTRAIL_CAUSE_LINGER0;
		return f->closing ? TCPTRAIL_CAUSE_UNREAD_DATA :
				    TCPTRAIL_CAUSE_DISCONNECT;
	}
	if (!f->dead)
		return TCPTRAIL_CAUSE_OTHER;
	/*
	 * An orphan (close() ends it with BHs off, after sock_orphan()). In
	 * FIN_WAIT2: TCP_LINGER2 < 0 wants no FIN_WAIT2 at all (close(), or
	 * the ACK of our FIN); the FIN_WAIT2 timer sends its RST before the
	 * CLOSE; else the ACK of our FIN came with new data. Elsewhere: out
	 * of memory, or too many orphans.
	 */
	if (f->old == TCP_FIN_WAIT2)
		return f->linger2_off || f->rst_sent ?
		       TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT :
		       TCPTRAIL_CAUSE_DATA_AFTER_CLOSE;
	return TCPTRAIL_CAUSE_MEMORY;
}

/* sk_err as the record carries it: an errno fits a byte. */
static u8 tt_sk_err(const struct sock *sk)
{
	int err = READ_ONCE(sk->sk_err);

	return err > 0 && err <= U8_MAX ? err : 0;
}

/*
 * A full socket about to enter CLOSE from @old: fill in the cause and the
 * errno, and keep the cause for an RST sent right after. @tw:
 * tcp_time_wait() has just handled it.
 */
void tt_why_close(struct tcptrail_event *ev, const struct sock *sk, int old,
		  bool tw)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tt_why_notes *n = tt_why_here();
	u8 reset = tt_note_take(&n->reset, ev->cookie);
	struct tt_close_facts f = {
		.old = old,
		.err = tt_sk_err(sk),
		.net_alive = check_net(sock_net(sk)),
		.rst_recv = reset == TT_NOTE_RST,
		.data_after_close = reset == TT_NOTE_DATA,
		.rst_sent = tt_note_take(&n->sent, ev->cookie),
		.tw = tw,
		.task = tt_syscall_ctx(),
		.dead = sock_flag(sk, SOCK_DEAD),
		.linger0 = sock_flag(sk, SOCK_LINGER) &&
			   !READ_ONCE(sk->sk_lingertime),
		.linger2_off = READ_ONCE(tcp_sk(sk)->linger2) < 0,
		.closing = READ_ONCE(sk->sk_shutdown) == SHUTDOWN_MASK,
		.keepopen = sock_flag(sk, SOCK_KEEPOPEN),
		.retransmits = READ_ONCE(icsk->icsk_retransmits),
		.syn_retries = READ_ONCE(icsk->icsk_syn_retries) ? :
			       READ_ONCE(sock_net(sk)->ipv4.sysctl_tcp_syn_retries),
		.probes_out = READ_ONCE(icsk->icsk_probes_out),
		.user_timeout = READ_ONCE(icsk->icsk_user_timeout) != 0,
		.zero_wnd = !READ_ONCE(tcp_sk(sk)->snd_wnd),
	};

	ev->cause = tt_close_cause(&f);
	ev->err = f.err;
	tt_note_set(&n->closed, ev->cookie, ev->cause);
}

/* The kernel's reset reason in tcptrail's causes; 0: the socket tells. */
u8 tt_rst_reason_cause(int reason, bool syn)
{
	switch (reason) {
	case TT_RST_NO_SOCKET:
		return TCPTRAIL_CAUSE_NO_SOCKET;
	case TT_RST_INVALID:
		return TCPTRAIL_CAUSE_INVALID;
	case TT_RST_ABORT_ON_DATA:
		return TCPTRAIL_CAUSE_DATA_AFTER_CLOSE;
	case TT_RST_TIMEWAIT:
		/* tcp_timewait_state_process(): a SYN in window, else new data */
		return syn ? TCPTRAIL_CAUSE_INVALID :
			     TCPTRAIL_CAUSE_DATA_AFTER_CLOSE;
	case TT_RST_ABORT_ON_CLOSE:
		return TCPTRAIL_CAUSE_UNREAD_DATA;
	case TT_RST_ABORT_ON_LINGER:
		return TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT;
	case TT_RST_ABORT_ON_MEMORY:
		return TCPTRAIL_CAUSE_MEMORY;
	case TT_RST_KEEPALIVE:
		return TCPTRAIL_CAUSE_KEEPALIVE;
	default:
		/* STATE and DISCONNECT_WITH_DATA: several callers, as on 6.1 */
		return TCPTRAIL_CAUSE_NONE;
	}
}

/*
 * Why an RST is sent: the kernel's reason where it tells (6.12), else the
 * CLOSE it follows (close(), disconnect(), an abort on data), else what
 * the socket shows before its CLOSE: tcp_abort(), the FIN_WAIT2 timer,
 * keepalive. A syscall's RST before any CLOSE says nothing more.
 */
u8 tt_rst_cause(const struct tt_rst_facts *f)
{
	u8 cause = tt_rst_reason_cause(f->reason, f->syn);

	if (cause)
		return cause;
	if (!f->sk)
		return TCPTRAIL_CAUSE_NO_SOCKET;
	if (!f->fullsock)
		return TCPTRAIL_CAUSE_NONE;
	if (f->closed)
		return f->closed;
	if (f->aborting)
		return TCPTRAIL_CAUSE_ABORT;
	if (f->task)
		return TCPTRAIL_CAUSE_NONE;
	if (f->state == TCP_FIN_WAIT2 && f->dead)
		return TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT;
	if (f->keepalive_spent)
		return TCPTRAIL_CAUSE_KEEPALIVE;
	return TCPTRAIL_CAUSE_NONE;
}

/*
 * Why @sk sends an RST (NULL: no socket owns the segment); @reason is
 * enum tt_rst_reason, @syn whether the segment answered has a SYN,
 * @aborting whether tcp_abort() is on it. A full sock not yet closed
 * leaves a note for its CLOSE.
 */
u8 tt_why_rst_sent(const struct sock *sk, int reason, bool syn, bool aborting)
{
	struct tt_rst_facts f = {
		.reason = reason,
		.sk = sk,
		.syn = syn,
		.aborting = aborting,
		.task = tt_syscall_ctx(),
	};

	if (sk && sk_fullsock(sk)) {
		const struct inet_connection_sock *icsk = inet_csk(sk);
		u8 probes = READ_ONCE(icsk->icsk_probes_out);
		u64 cookie = tt_sk_cookie(sk);

		f.fullsock = true;
		f.state = READ_ONCE(sk->sk_state);
		f.dead = sock_flag(sk, SOCK_DEAD);
		f.aborting |= READ_ONCE(sk->sk_err) == ECONNABORTED;
		/* tcp_keepalive_timer()'s test, before its tcp_write_err() */
		f.keepalive_spent = sock_flag(sk, SOCK_KEEPOPEN) && probes &&
				    (READ_ONCE(icsk->icsk_user_timeout) ||
				     probes >= keepalive_probes(tcp_sk(sk)));
		/* Only the full sock's own CLOSE, never a later timewait's. */
		if (f.state == TCP_CLOSE)
			f.closed = tt_why_closed_here(cookie);
		else
			tt_why_note_rst_sent(cookie);
	}
	return tt_rst_cause(&f);
}
