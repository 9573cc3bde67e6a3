// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - filling events from sockets and formatting them as the text
 * lines of /proc/net/tcptrail/events.
 *
 * One line per record, space-separated, columns in this fixed order:
 *
 *   kind seq ts_ns cpu netns cookie pid comm ctx family saddr sport daddr
 *   dport old new dur_ns isn peer_isn snd_una snd_nxt rcv_nxt snd_wnd
 *   rcv_wnd mss srtt_us flags cause substate timeout_ns fin_timeout
 *   tw_reuse max_tw_buckets tw_reuse_delay count errno
 *
 * (count and errno since ABI 1.1: a retransmit's number, the errno a
 * closed connection's application sees, by name.)
 *
 * A field that does not apply, or is unknown, is "-". A reader that fell
 * behind gets instead a line "lost COUNT CAUSE".
 */
#include <linux/kernel.h>
#include <linux/sock_diag.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "tcptrail.h"

static const char *const tt_state_names[TCPTRAIL_STATE_MAX] = {
	TCPTRAIL_STATE_NAMES
};

/* The ABI's state numbers are the kernel's: the reader relies on it. */
#define tt_same(a, b) ((int)(a) == (int)(b))
static_assert(tt_same(TCPTRAIL_ESTABLISHED, TCP_ESTABLISHED) &&
	      tt_same(TCPTRAIL_TIME_WAIT, TCP_TIME_WAIT) &&
	      tt_same(TCPTRAIL_CLOSE, TCP_CLOSE) && tt_same(TCPTRAIL_LISTEN, TCP_LISTEN) &&
	      tt_same(TCPTRAIL_CLOSING, TCP_CLOSING) &&
	      tt_same(TCPTRAIL_NEW_SYN_RECV, TCP_NEW_SYN_RECV) &&
	      tt_same(TCPTRAIL_NEW_SYN_RECV + 1, TCPTRAIL_STATE_MAX));

static const char *const tt_kind_names[TCPTRAIL_EV_MAX] = {
	TCPTRAIL_KIND_NAMES
};

static const char *const tt_cause_names[TCPTRAIL_CAUSE_MAX] = {
	TCPTRAIL_CAUSE_NAMES
};

const char *tt_state_name(unsigned int state)
{
	if (state < TCPTRAIL_STATE_MAX && tt_state_names[state])
		return tt_state_names[state];
	return "-";
}

/* A state's number from its name, any case; -EINVAL if there is none. */
int tt_state_parse(const char *name)
{
	int i;

	for (i = 1; i < TCPTRAIL_STATE_MAX; i++)
		if (!strcasecmp(name, tt_state_names[i]))
			return i;
	return -EINVAL;
}

const char *tt_kind_name(unsigned int kind)
{
	if (kind < TCPTRAIL_EV_MAX && tt_kind_names[kind])
		return tt_kind_names[kind];
	return "unknown";
}

const char *tt_cause_name(unsigned int cause)
{
	if (cause < TCPTRAIL_CAUSE_MAX && tt_cause_names[cause])
		return tt_cause_names[cause];
	return "-";
}

#define TT_ERRNO(e)	{ e, #e }

/* The errnos a TCP connection ends with, by name. */
static const struct {
	unsigned int err;
	const char *name;
} tt_errnos[] = {
	TT_ERRNO(EPERM), TT_ERRNO(ENOENT), TT_ERRNO(ENOMEM), TT_ERRNO(EACCES),
	TT_ERRNO(EINVAL), TT_ERRNO(EPIPE), TT_ERRNO(EPROTO),
	TT_ERRNO(EMSGSIZE), TT_ERRNO(ENOPROTOOPT), TT_ERRNO(EADDRNOTAVAIL),
	TT_ERRNO(ENETDOWN), TT_ERRNO(ENETUNREACH), TT_ERRNO(ENETRESET),
	TT_ERRNO(ECONNABORTED), TT_ERRNO(ECONNRESET), TT_ERRNO(ENOBUFS),
	TT_ERRNO(ETIMEDOUT), TT_ERRNO(ECONNREFUSED), TT_ERRNO(EHOSTDOWN),
	TT_ERRNO(EHOSTUNREACH), TT_ERRNO(ENONET),
};

/* NULL for an errno not in the table: print its number. */
const char *tt_errno_name(unsigned int err)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tt_errnos); i++)
		if (tt_errnos[i].err == err)
			return tt_errnos[i].name;
	return NULL;
}

int tt_format_header(char *buf, size_t len)
{
	return scnprintf(buf, len,
			 "# kind seq ts_ns cpu netns cookie pid comm ctx family saddr sport daddr dport old new dur_ns isn peer_isn snd_una snd_nxt rcv_nxt snd_wnd rcv_wnd mss srtt_us flags cause substate timeout_ns fin_timeout tw_reuse max_tw_buckets tw_reuse_delay count errno\n");
}

static int tt_format_addr(char *buf, size_t len, u8 family, const u8 *addr)
{
	if (family == AF_INET)
		return scnprintf(buf, len, "%pI4", addr);
	if (family == AF_INET6)
		return scnprintf(buf, len, "%pI6c", addr);
	return scnprintf(buf, len, "-");
}

/* "-" for what is unknown, else the number. */
static int tt_format_opt(char *buf, size_t len, bool known, u64 v)
{
	return known ? scnprintf(buf, len, "%llu", v) : scnprintf(buf, len, "-");
}

/* The last columns: count, errno. */
static int tt_format_tail(char *buf, size_t len,
			  const struct tcptrail_event *ev)
{
	const char *e = tt_errno_name(ev->err);
	int n;

	n = tt_format_opt(buf, len, ev->count, ev->count);
	if (!ev->err)
		return n + scnprintf(buf + n, len - n, " -\n");
	if (e)
		return n + scnprintf(buf + n, len - n, " %s\n", e);
	return n + scnprintf(buf + n, len - n, " %u\n", ev->err);
}

int tt_format_event(char *buf, size_t len, const struct tcptrail_event *ev)
{
	bool sysctls = ev->flags & TCPTRAIL_F_SYSCTLS;
	char comm[sizeof(ev->comm) + 1];
	int n = 0, i;

	if (ev->kind == TCPTRAIL_EV_LOST)
		return scnprintf(buf, len, "lost %llu %s\n", ev->count,
				 tt_cause_name(ev->cause));

	/* comm is the only free text: keep a line one token per column. */
	for (i = 0; i < sizeof(ev->comm) && ev->comm[i]; i++)
		comm[i] = (ev->comm[i] <= ' ' || ev->comm[i] > '~') ?
			  '?' : ev->comm[i];
	comm[i] = 0;

	n += scnprintf(buf + n, len - n, "%s %llu %llu %u %u %llu ",
		       tt_kind_name(ev->kind), ev->seq, ev->ts_ns, ev->cpu,
		       ev->netns, ev->cookie);
	n += tt_format_opt(buf + n, len - n, ev->flags & TCPTRAIL_F_OWNER,
			   ev->pid);
	n += scnprintf(buf + n, len - n, " %s %s %s ",
		       (ev->flags & TCPTRAIL_F_OWNER) && comm[0] ? comm : "-",
		       ev->flags & TCPTRAIL_F_SOFTIRQ ? "softirq" : "task",
		       ev->family == AF_INET6 ? "ipv6" : "ipv4");
	n += tt_format_addr(buf + n, len - n, ev->family, ev->saddr);
	n += scnprintf(buf + n, len - n, " %u ", ev->sport);
	n += tt_format_addr(buf + n, len - n, ev->family, ev->daddr);
	n += scnprintf(buf + n, len - n, " %u %s %s %llu ", ev->dport,
		       tt_state_name(ev->old_state),
		       tt_state_name(ev->new_state), ev->dur_ns);
	n += tt_format_opt(buf + n, len - n, ev->flags & TCPTRAIL_F_ISN,
			   ev->isn);
	n += scnprintf(buf + n, len - n, " ");
	n += tt_format_opt(buf + n, len - n, ev->flags & TCPTRAIL_F_PEER_ISN,
			   ev->peer_isn);
	n += scnprintf(buf + n, len - n,
		       " %u %u %u %u %u %u %u 0x%x %s %s ",
		       ev->snd_una, ev->snd_nxt, ev->rcv_nxt, ev->snd_wnd,
		       ev->rcv_wnd, ev->mss, ev->srtt_us, ev->flags,
		       tt_cause_name(ev->cause), tt_state_name(ev->substate));
	n += tt_format_opt(buf + n, len - n, ev->timeout_ns, ev->timeout_ns);
	if (!sysctls) {
		n += scnprintf(buf + n, len - n, " - - - - ");
		return n + tt_format_tail(buf + n, len - n, ev);
	}
	n += scnprintf(buf + n, len - n, " %d %d %d ", ev->sysctl_fin_timeout,
		       ev->sysctl_tw_reuse, ev->sysctl_max_tw_buckets);
	n += tt_format_opt(buf + n, len - n, ev->sysctl_tw_reuse_delay >= 0,
			   ev->sysctl_tw_reuse_delay);
	n += scnprintf(buf + n, len - n, " ");
	return n + tt_format_tail(buf + n, len - n, ev);
}

/* The socket cookie, assigned on first use: what ss -e prints. */
u64 tt_sk_cookie(const struct sock *sk)
{
	u32 c[2];

	sock_diag_save_cookie((struct sock *)sk, c);
	return (u64)c[1] << 32 | c[0];
}

/* Family, 4-tuple and netns of any socket: full, timewait or request. */
void tt_fill_tuple(struct tcptrail_event *ev, const struct sock *sk)
{
	ev->family = sk->sk_family;
	ev->netns = sock_net(sk)->ns.inum;
	ev->sport = sk->sk_num;
	/* A closing socket has given its port back; inet_sport still says. */
	if (!ev->sport && sk_fullsock(sk))
		ev->sport = ntohs(inet_sk(sk)->inet_sport);
	ev->dport = ntohs(sk->sk_dport);
	if (sk->sk_family == AF_INET) {
		memcpy(ev->saddr, &sk->sk_rcv_saddr, 4);
		memcpy(ev->daddr, &sk->sk_daddr, 4);
	}
#if IS_ENABLED(CONFIG_IPV6)
	else if (sk->sk_family == AF_INET6) {
		memcpy(ev->saddr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(ev->daddr, &sk->sk_v6_daddr, 16);
	}
#endif
}

/* Sequence space of a full TCP socket at this instant. */
void tt_fill_seq(struct tcptrail_event *ev, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	ev->snd_una = READ_ONCE(tp->snd_una);
	ev->snd_nxt = READ_ONCE(tp->snd_nxt);
	ev->rcv_nxt = READ_ONCE(tp->rcv_nxt);
	ev->snd_wnd = READ_ONCE(tp->snd_wnd);
	ev->rcv_wnd = READ_ONCE(tp->rcv_wnd);
	ev->mss = READ_ONCE(tp->mss_cache);
	ev->srtt_us = READ_ONCE(tp->srtt_us) >> 3;
}

/* The per-netns sysctls that decide how a connection closes. */
void tt_fill_sysctls(struct tcptrail_event *ev, const struct net *net)
{
	ev->sysctl_fin_timeout = READ_ONCE(net->ipv4.sysctl_tcp_fin_timeout) / HZ;
	ev->sysctl_tw_reuse = READ_ONCE(net->ipv4.sysctl_tcp_tw_reuse);
	ev->sysctl_max_tw_buckets =
		READ_ONCE(net->ipv4.tcp_death_row.sysctl_max_tw_buckets);
	ev->sysctl_tw_reuse_delay = tt_tw_reuse_delay(net);
	ev->flags |= TCPTRAIL_F_SYSCTLS;
}
