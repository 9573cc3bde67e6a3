/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcptrail_abi.h - binary records of /proc/net/tcptrail/raw, shared by the
 * module and the userspace reader.
 *
 * A read of "raw" first returns one struct tcptrail_header, then whole
 * struct tcptrail_event records (a read returns as many as fit; a buffer
 * smaller than one record is -EINVAL). Both structs have the same size.
 * All fields are fixed-width, host byte order (ports too); addresses are in
 * network order, IPv4 in the first four bytes. The reader must check magic,
 * major (any change breaks the layout) and record_size; a minor bump only
 * adds event kinds, flags or causes.
 */
#ifndef _TCPTRAIL_ABI_H
#define _TCPTRAIL_ABI_H

#include <linux/types.h>

#define TCPTRAIL_MAGIC		0x54435054	/* "TCPT" */
#define TCPTRAIL_ABI_MAJOR	1
#define TCPTRAIL_ABI_MINOR	1

/* What a record says. */
enum tcptrail_kind {
	TCPTRAIL_EV_STATE = 1,		/* old_state -> new_state */
	TCPTRAIL_EV_LOST = 2,		/* this reader missed @count events */
	TCPTRAIL_EV_TW_ENTER = 3,	/* timewait sock took over: substate, timeout */
	TCPTRAIL_EV_TW_SUBSTATE = 4,	/* FIN_WAIT2 -> TIME_WAIT inside timewait */
	TCPTRAIL_EV_TW_EXIT = 5,	/* timewait gone: cause, dur_ns */
	TCPTRAIL_EV_TW_SKIP = 6,	/* tcp_max_tw_buckets: no TIME_WAIT at all */
	TCPTRAIL_EV_SYN_RECV = 7,	/* server: request sock for an incoming SYN */
	TCPTRAIL_EV_SYNACK_RETRANS = 8,	/* server: SYN-ACK sent again */
	TCPTRAIL_EV_REQ_DROP = 9,	/* server: request sock gone without child */
	TCPTRAIL_EV_RST_SENT = 10,
	TCPTRAIL_EV_RST_RECV = 11,
	TCPTRAIL_EV_RETRANS = 12,	/* 1.1: a segment sent again: count, timeout */
	TCPTRAIL_EV_MAX
};

/* Names of the kinds, as the events file and the reader print them. */
#define TCPTRAIL_KIND_NAMES						\
	[TCPTRAIL_EV_STATE] = "state",					\
	[TCPTRAIL_EV_LOST] = "lost",					\
	[TCPTRAIL_EV_TW_ENTER] = "tw_enter",				\
	[TCPTRAIL_EV_TW_SUBSTATE] = "tw_substate",			\
	[TCPTRAIL_EV_TW_EXIT] = "tw_exit",				\
	[TCPTRAIL_EV_TW_SKIP] = "tw_skip",				\
	[TCPTRAIL_EV_SYN_RECV] = "syn_recv",				\
	[TCPTRAIL_EV_SYNACK_RETRANS] = "synack_retrans",		\
	[TCPTRAIL_EV_REQ_DROP] = "req_drop",				\
	[TCPTRAIL_EV_RST_SENT] = "rst_sent",				\
	[TCPTRAIL_EV_RST_RECV] = "rst_recv",				\
	[TCPTRAIL_EV_RETRANS] = "retrans"

/*
 * Why a timewait sock ended (TW_EXIT), a request sock went (REQ_DROP),
 * events were lost (LOST); since 1.1 also why a connection went to CLOSE
 * (STATE with new_state CLOSE) and why an RST was sent (RST_SENT).
 */
enum tcptrail_cause {
	TCPTRAIL_CAUSE_NONE = 0,
	TCPTRAIL_CAUSE_EXPIRED = 1,	/* timer ran out */
	TCPTRAIL_CAUSE_RST = 2,		/* killed by an RST */
	TCPTRAIL_CAUSE_SYN = 3,		/* a new SYN on the same 4-tuple took over */
	TCPTRAIL_CAUSE_REUSED = 4,	/* tcp_tw_reuse: recycled by connect() */
	TCPTRAIL_CAUSE_NETNS = 5,	/* namespace teardown */
	TCPTRAIL_CAUSE_OTHER = 6,
	TCPTRAIL_CAUSE_OVERWRITTEN = 7,	/* LOST: the ring wrapped past the reader */
	TCPTRAIL_CAUSE_CLEARED = 8,	/* LOST: "clear" written to control */
	/* 1.1: -> CLOSE and RST_SENT */
	TCPTRAIL_CAUSE_ACTIVE_CLOSE = 9,	/* we closed first: timewait takes over */
	TCPTRAIL_CAUSE_PASSIVE_CLOSE = 10,	/* the peer closed first: LAST_ACK acked */
	TCPTRAIL_CAUSE_RESET = 11,	/* an RST received */
	TCPTRAIL_CAUSE_REFUSED = 12,	/* an RST answered our SYN */
	TCPTRAIL_CAUSE_SYN_TIMEOUT = 13,	/* SYN retries (tcp_syn_retries) */
	TCPTRAIL_CAUSE_SYNACK_TIMEOUT = 14,	/* SYN-ACK retries of a full sock */
	TCPTRAIL_CAUSE_RTO_TIMEOUT = 15,	/* data retransmits (tcp_retries2) */
	TCPTRAIL_CAUSE_ORPHAN_TIMEOUT = 16,	/* an orphan's (tcp_orphan_retries) */
	TCPTRAIL_CAUSE_KEEPALIVE = 17,	/* keepalive probes unanswered */
	TCPTRAIL_CAUSE_USER_TIMEOUT = 18,	/* TCP_USER_TIMEOUT */
	TCPTRAIL_CAUSE_PROBE0_TIMEOUT = 19,	/* zero-window probes unanswered */
	TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT = 20,	/* orphaned FIN_WAIT2, full sock; TCP_LINGER2 < 0 */
	TCPTRAIL_CAUSE_LINGER0 = 21,	/* close() with SO_LINGER 0: RST */
	TCPTRAIL_CAUSE_UNREAD_DATA = 22,	/* close() with unread data: RST */
	TCPTRAIL_CAUSE_ABORT = 23,	/* tcp_abort(): ss -K, SOCK_DESTROY (also TW_EXIT) */
	TCPTRAIL_CAUSE_MEMORY = 24,	/* orphan killed: memory or orphan count */
	TCPTRAIL_CAUSE_DISCONNECT = 25,	/* connect(AF_UNSPEC) and the like */
	TCPTRAIL_CAUSE_CLOSED = 26,	/* closed before it had a peer: LISTEN, SYN_SENT */
	TCPTRAIL_CAUSE_UNREACHABLE = 27,	/* an ICMP error ended the handshake */
	TCPTRAIL_CAUSE_NO_SOCKET = 28,	/* RST_SENT: a segment no socket owns (6.12+) */
	TCPTRAIL_CAUSE_INVALID = 29,	/* RST_SENT (6.12+): bad seq/ack, flags, PAWS, SYN */
	TCPTRAIL_CAUSE_DATA_AFTER_CLOSE = 30,	/* data after shutdown: CLOSE, RST_SENT */
	TCPTRAIL_CAUSE_DUPLICATE = 31,	/* a second child of one request sock */
	TCPTRAIL_CAUSE_MAX
};

#define TCPTRAIL_CAUSE_NAMES						\
	[TCPTRAIL_CAUSE_EXPIRED] = "expired",				\
	[TCPTRAIL_CAUSE_RST] = "rst",					\
	[TCPTRAIL_CAUSE_SYN] = "syn",					\
	[TCPTRAIL_CAUSE_REUSED] = "reused",				\
	[TCPTRAIL_CAUSE_NETNS] = "netns",				\
	[TCPTRAIL_CAUSE_OTHER] = "other",				\
	[TCPTRAIL_CAUSE_OVERWRITTEN] = "overwritten",			\
	[TCPTRAIL_CAUSE_CLEARED] = "cleared",				\
	[TCPTRAIL_CAUSE_ACTIVE_CLOSE] = "active_close",			\
	[TCPTRAIL_CAUSE_PASSIVE_CLOSE] = "passive_close",		\
	[TCPTRAIL_CAUSE_RESET] = "reset",				\
	[TCPTRAIL_CAUSE_REFUSED] = "refused",				\
	[TCPTRAIL_CAUSE_SYN_TIMEOUT] = "syn_timeout",			\
	[TCPTRAIL_CAUSE_SYNACK_TIMEOUT] = "synack_timeout",		\
	[TCPTRAIL_CAUSE_RTO_TIMEOUT] = "rto_timeout",			\
	[TCPTRAIL_CAUSE_ORPHAN_TIMEOUT] = "orphan_timeout",		\
	[TCPTRAIL_CAUSE_KEEPALIVE] = "keepalive",			\
	[TCPTRAIL_CAUSE_USER_TIMEOUT] = "user_timeout",			\
	[TCPTRAIL_CAUSE_PROBE0_TIMEOUT] = "probe0_timeout",		\
	[TCPTRAIL_CAUSE_FIN_WAIT2_TIMEOUT] = "fin_wait2_timeout",	\
	[TCPTRAIL_CAUSE_LINGER0] = "linger0",				\
	[TCPTRAIL_CAUSE_UNREAD_DATA] = "unread_data",			\
	[TCPTRAIL_CAUSE_ABORT] = "abort",				\
	[TCPTRAIL_CAUSE_MEMORY] = "memory",				\
	[TCPTRAIL_CAUSE_DISCONNECT] = "disconnect",			\
	[TCPTRAIL_CAUSE_CLOSED] = "closed",				\
	[TCPTRAIL_CAUSE_UNREACHABLE] = "unreachable",			\
	[TCPTRAIL_CAUSE_NO_SOCKET] = "no_socket",			\
	[TCPTRAIL_CAUSE_INVALID] = "invalid",				\
	[TCPTRAIL_CAUSE_DATA_AFTER_CLOSE] = "data_after_close",		\
	[TCPTRAIL_CAUSE_DUPLICATE] = "duplicate"

/* Event flags. */
#define TCPTRAIL_F_SOFTIRQ	0x0001	/* fired outside process context */
#define TCPTRAIL_F_OWNER	0x0002	/* pid/comm are known */
#define TCPTRAIL_F_ISN		0x0004	/* isn is known */
#define TCPTRAIL_F_PEER_ISN	0x0008	/* peer_isn is known */
#define TCPTRAIL_F_TABLE_FULL	0x0010	/* no per-connection slot: no ISN/duration */
#define TCPTRAIL_F_SYNCOOKIE	0x0020	/* SYN_RECV answered with a syncookie */
#define TCPTRAIL_F_NO_TUPLE	0x0040	/* 4-tuple could not be completed */
#define TCPTRAIL_F_SYSCTLS	0x0080	/* the sysctl snapshot is filled in */
#define TCPTRAIL_F_SYN		0x0100	/* 1.1 RETRANS: the segment carries a SYN */
#define TCPTRAIL_F_FIN		0x0200	/* 1.1 RETRANS: the segment carries a FIN */
#define TCPTRAIL_F_RTO		0x0400	/* 1.1 RETRANS: in loss recovery (the timer fired) */

/* Kernel TCP states, by their numbers in include/net/tcp_states.h. */
enum tcptrail_state {
	TCPTRAIL_ESTABLISHED = 1,
	TCPTRAIL_SYN_SENT,
	TCPTRAIL_SYN_RECV,
	TCPTRAIL_FIN_WAIT1,
	TCPTRAIL_FIN_WAIT2,
	TCPTRAIL_TIME_WAIT,
	TCPTRAIL_CLOSE,
	TCPTRAIL_CLOSE_WAIT,
	TCPTRAIL_LAST_ACK,
	TCPTRAIL_LISTEN,
	TCPTRAIL_CLOSING,
	TCPTRAIL_NEW_SYN_RECV,
};

/* Their names, as a designated initializer: both sides build their table from it. */
#define TCPTRAIL_STATE_NAMES					\
	[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",	\
	[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",	\
	[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",		\
	[10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV"
#define TCPTRAIL_STATE_MAX	13

struct tcptrail_event {
	__u64 seq;		/* position in its CPU's stream: gaps are losses */
	__u64 ts_ns;		/* CLOCK_MONOTONIC */
	__u64 cookie;		/* socket cookie (ss -e), never a pointer */
	__u64 dur_ns;		/* time in old_state; 0 on a connection's first */
	__u64 count;		/* LOST: events this reader missed;
				 * SYNACK_RETRANS: which retransmit;
				 * RETRANS: the number in a row of the
				 * retransmit timer that fired (0: not in
				 * an RTO's loss recovery)
				 */
	__u64 timeout_ns;	/* TW_ENTER/TW_SUBSTATE: timer the kernel armed;
				 * RETRANS: the RTO that timer ran with, for
				 * its own retransmit and the recovery's
				 */
	__u32 netns;		/* network namespace inode */
	__u32 pid;		/* owner's tgid */
	__u16 kind;		/* enum tcptrail_kind */
	__u16 cpu;
	__u16 flags;		/* TCPTRAIL_F_* */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 old_state;
	__u8 new_state;
	__u8 substate;		/* timewait: FIN_WAIT2 or TIME_WAIT */
	__u8 cause;		/* enum tcptrail_cause */
	__u8 err;		/* 1.1: sk_err, the errno the application
				 * sees (-> CLOSE); 0: none
				 */
	__u16 sport;		/* local port */
	__u16 dport;		/* remote port */
	__u8 saddr[16];		/* local address */
	__u8 daddr[16];		/* remote address */
	__u32 isn;		/* local initial sequence number */
	__u32 peer_isn;
	__u32 snd_una;
	__u32 snd_nxt;
	__u32 rcv_nxt;
	__u32 snd_wnd;
	__u32 rcv_wnd;
	__u32 mss;
	__u32 srtt_us;
	__s32 sysctl_fin_timeout;	/* netns sysctls, with F_SYSCTLS */
	__s32 sysctl_tw_reuse;
	__s32 sysctl_max_tw_buckets;
	__s32 sysctl_tw_reuse_delay;	/* -1: the kernel has none */
	char comm[16];
	__u32 pad1;
};

struct tcptrail_header {
	__u32 magic;		/* TCPTRAIL_MAGIC */
	__u16 major;
	__u16 minor;
	__u32 record_size;	/* sizeof(struct tcptrail_event) */
	__u32 nr_cpus;
	__u8 reserved[160];
};

#define TCPTRAIL_RECORD_SIZE	176

#ifdef __KERNEL__
#include <linux/build_bug.h>
#else
#include <assert.h>
#endif
static_assert(sizeof(struct tcptrail_event) == TCPTRAIL_RECORD_SIZE,
	      "tcptrail_event layout changed: bump TCPTRAIL_ABI_MAJOR");
static_assert(sizeof(struct tcptrail_header) == TCPTRAIL_RECORD_SIZE,
	      "tcptrail_header must be one record long");

#endif /* _TCPTRAIL_ABI_H */
