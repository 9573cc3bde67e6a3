// SPDX-License-Identifier: GPL-2.0
/*
 * why.c - why a connection went to CLOSE, and why an RST was sent.
 *
 * The cause of a -> CLOSE is decided from what the kernel has just done to
 * the socket, read in the state change itself (no probe of its own):
 *  - an RST received: tcp:tcp_receive_reset for this socket, in this
 *    context, right before its tcp_done() (lifecycle.c notes it here);
 *    refused when it answered our SYN;
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
 *    (the syscall, before the RST it then sends), and an orphan killed by
 *    its timer (FIN_WAIT2) or for memory.
 * The errno the application sees is sk_err at that moment. An RST sent
 * says why where the kernel gives a reason (6.10+), else what the socket
 * tells.
 *
 * tt_close_cause() decides from plain facts, so KUnit drives it with a table.
 */
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "tcptrail.h"

/* tcp:tcp_receive_reset on this CPU until its tcp_done(); per context level. */
struct tt_rst_note {
	u64 cookie;
	const struct task_struct *task;	/* compared, never dereferenced */
};

struct tt_rst_notes {
	struct tt_rst_note level[2];	/* task, softirq */
};

static DEFINE_PER_CPU(struct tt_rst_notes, tt_rst_notes);

static struct tt_rst_note *tt_rst_note(void)
{
	return &this_cpu_ptr(&tt_rst_notes)->level[tt_ctx_level()];
}

void tt_why_note_reset(u64 cookie)
{
	struct tt_rst_note *n = tt_rst_note();

	n->cookie = cookie;
	n->task = current;
}

/* The note is this socket's: use it once. Cookies are never reused. */
static bool tt_why_reset_taken(u64 cookie)
{
	struct tt_rst_note *n = tt_rst_note();

	if (!cookie || n->cookie != cookie || n->task != current)
		return false;
	n->cookie = 0;
	return true;
}

u8 tt_close_cause(const struct tt_close_facts *f)
{
	if (!f->net_alive)
		return TCPTRAIL_CAUSE_NETNS;
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
	if (f->dead)
		return f->old == TCP_FIN_WAIT2 ? TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT :
						 TCPTRAIL_CAUSE_MEMORY;
	return TCPTRAIL_CAUSE_OTHER;
}

/* sk_err as the record carries it: an errno fits a byte. */
static u8 tt_sk_err(const struct sock *sk)
{
	int err = READ_ONCE(sk->sk_err);

	return err > 0 && err <= U8_MAX ? err : 0;
}

/*
 * A full socket about to enter CLOSE from @old: fill in the cause and the
 * errno. @tw: tcp_time_wait() has just handled it.
 */
void tt_why_close(struct tcptrail_event *ev, const struct sock *sk, int old,
		  bool tw)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tt_close_facts f = {
		.old = old,
		.err = tt_sk_err(sk),
		.net_alive = check_net(sock_net(sk)),
		.rst_recv = tt_why_reset_taken(ev->cookie),
		.tw = tw,
		.task = tt_syscall_ctx(),
		.dead = sock_flag(sk, SOCK_DEAD),
		.linger0 = sock_flag(sk, SOCK_LINGER) &&
			   !READ_ONCE(sk->sk_lingertime),
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
}

/* An RST sent without a reason from the kernel: what the socket tells. */
static u8 tt_rst_cause_of_sk(const struct sock *sk)
{
	if (!sk)
		return TCPTRAIL_CAUSE_NO_SOCKET;
	if (!sk_fullsock(sk))
		return TCPTRAIL_CAUSE_NONE;
	if (READ_ONCE(sk->sk_err) == ECONNABORTED)
		return TCPTRAIL_CAUSE_ABORT;
	/* close() or disconnect() has just moved it to CLOSE. */
	if (tt_syscall_ctx() && READ_ONCE(sk->sk_state) == TCP_CLOSE) {
		if (sock_flag(sk, SOCK_LINGER) && !READ_ONCE(sk->sk_lingertime))
			return TCPTRAIL_CAUSE_LINGER0;
		return READ_ONCE(sk->sk_shutdown) == SHUTDOWN_MASK ?
		       TCPTRAIL_CAUSE_UNREAD_DATA : TCPTRAIL_CAUSE_DISCONNECT;
	}
	return TCPTRAIL_CAUSE_NONE;
}

#ifdef TT_HAVE_RST_REASON
/* The kernel's reset reason, in tcptrail's causes; 0: not one of ours. */
u8 tt_rst_reason_cause(int reason)
{
	switch (reason) {
	case SK_RST_REASON_NO_SOCKET:
		return TCPTRAIL_CAUSE_NO_SOCKET;
	case SK_RST_REASON_TCP_INVALID_ACK_SEQUENCE:
	case SK_RST_REASON_TCP_RFC7323_PAWS:
	case SK_RST_REASON_TCP_TOO_OLD_ACK:
	case SK_RST_REASON_TCP_ACK_UNSENT_DATA:
	case SK_RST_REASON_TCP_FLAGS:
	case SK_RST_REASON_TCP_OLD_ACK:
		return TCPTRAIL_CAUSE_INVALID;
	case SK_RST_REASON_TCP_ABORT_ON_DATA:
		return TCPTRAIL_CAUSE_DATA_AFTER_CLOSE;
#ifdef TT_HAVE_RST_REASON_ABORT
	case SK_RST_REASON_INVALID_SYN:
		return TCPTRAIL_CAUSE_INVALID;
	case SK_RST_REASON_TCP_ABORT_ON_CLOSE:
		return TCPTRAIL_CAUSE_UNREAD_DATA;
	case SK_RST_REASON_TCP_ABORT_ON_LINGER:
		return TCPTRAIL_CAUSE_LINGER0;
	case SK_RST_REASON_TCP_ABORT_ON_MEMORY:
		return TCPTRAIL_CAUSE_MEMORY;
	case SK_RST_REASON_TCP_KEEPALIVE_TIMEOUT:
		return TCPTRAIL_CAUSE_KEEPALIVE;
	case SK_RST_REASON_TCP_DISCONNECT_WITH_DATA:
		return TCPTRAIL_CAUSE_DISCONNECT;
#endif
	default:
		return TCPTRAIL_CAUSE_NONE;
	}
}
#endif

/* Why an RST is sent: the kernel's @reason (-1: none given), else @sk's. */
u8 tt_why_rst_sent(const struct sock *sk, int reason)
{
	u8 cause = TCPTRAIL_CAUSE_NONE;

#ifdef TT_HAVE_RST_REASON
	if (reason >= 0)
		cause = tt_rst_reason_cause(reason);
#endif
	return cause ?: tt_rst_cause_of_sk(sk);
}
