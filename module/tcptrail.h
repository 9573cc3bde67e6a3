/* SPDX-License-Identifier: GPL-2.0 */
/* tcptrail.h - interfaces between the module's files. */
#ifndef _TCPTRAIL_H
#define _TCPTRAIL_H

#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <net/net_namespace.h>

#include "tcptrail_abi.h"

/* waitq.c: readers' wait queues, freed only once every poller has left. */
struct tt_waitq {
	wait_queue_head_t wq;
};

struct tt_waitq *tt_waitq_alloc(gfp_t gfp);
void tt_waitq_release(struct tt_waitq *q);
void tt_waitq_exit(void);

/* ring.c: per-CPU overwrite rings, one reader cursor per open file. */
struct tt_slot {
	u64 seq;		/* position written here; U64_MAX while writing */
	struct tcptrail_event ev;
};

struct tt_ring;

struct tt_ring_cpu {
	u64 head;		/* records ever written on this CPU */
	u64 floor;		/* "clear": positions below are discarded */
	struct tt_slot *slots;
	struct irq_work wake;
	struct tt_ring *ring;
};

struct tt_ring {
	unsigned int size;	/* records per CPU, a power of two */
	struct tt_ring_cpu __percpu *cpu;
	struct tt_waitq *wq;	/* outlives the ring while pollers remain */
};

struct tt_cursor {
	u64 lost[TCPTRAIL_CAUSE_MAX];	/* missed, not yet reported */
	bool held;			/* held_ev was given back unread */
	struct tcptrail_event held_ev;
	struct tcptrail_event scratch;
	u64 pos[];			/* per possible CPU */
};

int tt_ring_init(struct tt_ring *r, unsigned int size, gfp_t gfp);
void tt_ring_free(struct tt_ring *r);
void tt_ring_write(struct tt_ring *r, const struct tcptrail_event *ev);
struct tt_cursor *tt_cursor_alloc(struct tt_ring *r);
void tt_cursor_rewind(struct tt_ring *r, struct tt_cursor *c, bool to_end);
void tt_cursor_unread(struct tt_cursor *c, const struct tcptrail_event *ev);
int tt_ring_read(struct tt_ring *r, struct tt_cursor *c,
		 struct tcptrail_event *ev);
bool tt_ring_pending(struct tt_ring *r, struct tt_cursor *c);
void tt_ring_clear(struct tt_ring *r);
u64 tt_ring_overwritten(struct tt_ring *r);

/* table.c: per-connection state keyed by socket cookie. */
#define TT_CONN_ISN		0x01
#define TT_CONN_PEER_ISN	0x02
#define TT_CONN_OWNER		0x04
#define TT_CONN_SYN_PENDING	0x08	/* SYN_SENT waits for tcp_connect */
#define TT_CONN_IN_TW		0x10	/* a timewait sock carries on */
#define TT_CONN_CHILD		0x20	/* a full sock has this cookie */
#define TT_CONN_ABORT		0x40	/* tcp_abort() is ending it (ss -K) */
#define TT_CONN_TW_TIMER	0x80	/* the timewait timer fired: it kills */

struct tt_conn {
	u64 cookie;		/* 0: free slot */
	u64 last_ts;		/* last transition */
	u32 isn;
	u32 peer_isn;
	u32 pid;
	u16 flags;
	u16 sport;		/* local port, kept for CLOSE */
	u8 state;		/* state entered last */
	u8 tw_cause;		/* why the timewait sock is going */
	u8 rto_count;		/* the retransmit timer that fired last: */
	u32 rto_jiffies;	/* its number in a row and its RTO */
	u64 expires;		/* ns: past this the slot is stale; 0: never */
	char comm[TASK_COMM_LEN];
};

#define TT_BUCKET_SLOTS	8

struct tt_bucket {
	raw_spinlock_t lock;
	struct tt_conn slot[TT_BUCKET_SLOTS];
};

struct tt_table {
	unsigned int nbuckets;	/* a power of two */
	struct tt_bucket *buckets;
	atomic_t used;
	atomic64_t reclaimed;	/* stale slots the sweep freed */
};

int tt_table_init(struct tt_table *t, unsigned int conns);
void tt_table_free(struct tt_table *t);
struct tt_conn *tt_conn_lock(struct tt_table *t, u64 cookie, bool create,
			     bool *full, unsigned long *flags);
void tt_conn_unlock(struct tt_table *t, struct tt_conn *c,
		    unsigned long flags);
void tt_conn_release(struct tt_table *t, struct tt_conn *c,
		     unsigned long flags);
unsigned int tt_table_sweep(struct tt_table *t, u64 now);

/* control.c: filters and commands written to /proc/net/tcptrail/control. */
#define TT_MAX_PORTS	8

struct tt_ports {
	u8 n;
	u16 port[TT_MAX_PORTS];
};

struct tt_prefix {
	u8 family;		/* 0: any */
	u8 len;
	u8 addr[16];
};

struct tt_filter {
	struct tt_ports port, lport, rport;
	struct tt_prefix addr, laddr, raddr;
	u16 states;		/* bit per state; 0: any */
};

struct tt_control {
	struct tt_filter filter;
	bool pause, resume, clear, reset;
	int netns_all;		/* -1: unchanged */
};

int tt_control_parse(char *buf, const struct tt_filter *cur,
		     struct tt_control *out);
bool tt_filter_match(const struct tt_filter *f,
		     const struct tcptrail_event *ev);
bool tt_filter_empty(const struct tt_filter *f);
int tt_filter_show(char *buf, size_t len, const struct tt_filter *f);

/* record.c: filling and formatting events. */
const char *tt_state_name(unsigned int state);
int tt_state_parse(const char *name);
const char *tt_kind_name(unsigned int kind);
const char *tt_cause_name(unsigned int cause);
int tt_format_event(char *buf, size_t len, const struct tcptrail_event *ev);
int tt_format_header(char *buf, size_t len);
struct sock;
void tt_fill_tuple(struct tcptrail_event *ev, const struct sock *sk);
void tt_fill_seq(struct tcptrail_event *ev, const struct sock *sk);
void tt_fill_sysctls(struct tcptrail_event *ev, const struct net *net);
u64 tt_sk_cookie(const struct sock *sk);

/* net.c: per network namespace state; emit.c: from an event to the rings. */
enum tt_stat {
	TT_STAT_FILTERED,
	TT_STAT_PAUSED,
	TT_STAT_TABLE_FULL,
	TT_STAT_NO_TUPLE,
	TT_STAT_MAX
};

struct tt_stats {
	u64 kind[TCPTRAIL_EV_MAX];
	u64 state[TCPTRAIL_STATE_MAX];
	u64 stat[TT_STAT_MAX];
};

/* What a namespace records into: allocated when its files are first opened. */
struct tt_rec {
	struct tt_ring ring;
	struct tt_stats __percpu *stats;
};

struct tt_net {
	struct net *net;
	struct tt_rec __rcu *rec;	/* NULL: nothing recorded here yet */
	struct tt_filter __rcu *filter;
	struct mutex ctl_lock;		/* control writers; allocating rec */
	struct proc_dir_entry *dir;
	atomic_t readers;
	bool paused;
	bool all_netns;			/* initial netns: events of all */
	bool dying;			/* readers: end now */
};

struct tt_net *tt_net_get(const struct net *net);
struct tt_net *tt_net_of(const struct net *net);
struct tt_rec *tt_rec_get(struct tt_net *tn);
struct tt_rec *tt_net_rec(struct tt_net *tn);
void tt_rec_stats(struct tt_rec *rec, struct tt_stats *sum);
struct tt_net *tt_net_alloc(struct net *net, gfp_t gfp);
void tt_net_free(struct tt_net *tn);
int tt_netns_register(void);
void tt_netns_unregister(void);

void tt_emit(const struct net *net, struct tcptrail_event *ev);
/* One namespace's ring: tt_emit's, not static for KUnit. */
void tt_emit_to(struct tt_net *tn, struct tcptrail_event *ev);

/* procfs.c: /proc/net/tcptrail/ of each namespace. */
int tt_proc_register(void);
void tt_proc_unregister(void);

/*
 * probe.c: every place tcptrail attaches, described once in a table per file
 * (hook.c, lifecycle.c), attached in table order and detached in reverse.
 * Only entry kprobes and tracepoints: a return probe's instance can outlive
 * the module that registered it, and one per sleeping caller runs out.
 */
enum tt_hook_mode { TT_HOOK_AUTO, TT_HOOK_TRACEPOINT, TT_HOOK_KPROBE };

enum tt_probe_kind { TT_PROBE_TRACEPOINT, TT_PROBE_KPROBE };

struct tt_probe {
	const char *name;		/* tracepoint or kernel function */
	enum tt_probe_kind kind;
	void *tp_func;			/* TT_PROBE_TRACEPOINT */
	kprobe_pre_handler_t pre;	/* TT_PROBE_KPROBE */
	enum tt_hook_mode mode;		/* AUTO: every mode, else only that one */
	bool optional;			/* absent on some kernels: not a failure */
	/* state */
	bool wanted;
	bool attached;
	struct tracepoint *tp;
	struct kprobe kp;
};

struct tt_hook_status {
	const char *name;
	bool wanted;
	bool attached;
	bool kprobe;			/* has a missed count */
	unsigned long missed;		/* hits the kernel skipped (recursion) */
};

struct tracepoint *tt_find_tracepoint(const char *name);
int tt_probes_attach(struct tt_probe *p, int n, enum tt_hook_mode mode);
void tt_probes_detach(struct tt_probe *p, int n);
int tt_probes_status(const struct tt_probe *p, int n, struct tt_hook_status *st,
		     int max);
bool tt_probe_on(const struct tt_probe *p);

/* A syscall on the socket's behalf, with BHs on: the task owns it. */
static inline bool tt_syscall_ctx(void)
{
	return in_task() && !in_softirq();
}

/*
 * Which of a CPU's per-context notes a probe uses: a softirq may interrupt a
 * task between two probes of one call, never the other way round.
 */
static inline int tt_ctx_level(void)
{
	return in_serving_softirq() ? 1 : 0;
}

/* Time since @then, never negative: clocks read before a lock may cross. */
static inline u64 tt_since(u64 now, u64 then)
{
	return then && now > then ? now - then : 0;
}

/* hook.c: state changes, connect, the child's creation, owners. */
int tt_hooks_attach(enum tt_hook_mode mode);
void tt_hooks_detach(void);
const char *tt_hook_mode_name(void);
int tt_hooks_status(struct tt_hook_status *st, int max);
void tt_record_state(struct sock *sk, int old, int new, u64 ts);
struct tt_owner {
	u32 pid;
	bool known;
	char comm[TASK_COMM_LEN];
};

void tt_owner_of(u64 cookie, struct tt_owner *o);
void tt_owner_current(struct tt_owner *o);
void tt_owner_to_event(struct tcptrail_event *ev, const struct tt_owner *o);
void tt_owner_to_conn(struct tt_conn *c, const struct tt_owner *o);
void tt_conn_to_event(struct tcptrail_event *ev, const struct tt_conn *c);
struct request_sock;
bool tt_fill_req(struct tcptrail_event *ev, const struct sock *sk,
		 const struct request_sock *req);
void tt_fill_req_seq(struct tcptrail_event *ev, const struct request_sock *req);

/* lifecycle.c: SYN arrival, resets and the timewait sock. */
int tt_lifecycle_attach(void);
void tt_lifecycle_detach(void);
int tt_lifecycle_status(struct tt_hook_status *st, int max);
void tt_tw_book_armed(struct tt_conn *c, struct tcptrail_event *ev);
u8 tt_tw_kill_cause(bool net_alive, bool in_processing, bool syn,
		    bool reused);
void tt_tw_book_cause(struct tt_conn *c, u8 cause);
void tt_tw_book_timer(struct tt_conn *c);
void tt_tw_book_exit(const struct tt_conn *c, struct tcptrail_event *ev,
		     bool net_alive);
bool tt_tw_skipped(u64 cookie, int *state, bool *tw);
void tt_tw_fill_skip(struct tcptrail_event *ev, struct sock *sk, int state,
		     const struct tt_conn *c);
void tt_tw_emit_skip(struct tcptrail_event *ev, const struct sock *sk);
u64 tt_req_lifetime_ns(unsigned int retries);
u64 tt_req_bound_ns(const struct net *net);
void tt_retrans_book(struct tt_conn *c, struct tcptrail_event *ev,
		     bool timer);

/* why.c: why a connection closed, why an RST was sent. */
struct tt_close_facts {
	u8 old;			/* the state it leaves for CLOSE */
	u8 err;			/* sk_err */
	u8 retransmits;		/* icsk_retransmits: RTOs in a row */
	u8 syn_retries;		/* the SYN retries tcp_write_timeout() allows */
	u8 probes_out;		/* keepalive or zero-window probes unanswered */
	bool net_alive;
	bool rst_recv;		/* tcp_receive_reset for it, just now */
	bool data_after_close;	/* tcp_reset() for data after shutdown, no RST */
	bool rst_sent;		/* it sent an RST just now (the FIN_WAIT2 timer) */
	bool tw;		/* tcp_time_wait() handled it, just now */
	bool task;		/* a syscall, BHs on */
	bool dead;		/* orphaned */
	bool linger0;		/* SO_LINGER with a zero time */
	bool linger2_off;	/* TCP_LINGER2 < 0: no FIN_WAIT2 at all */
	bool closing;		/* both directions shut: close() */
	bool keepopen;		/* SO_KEEPALIVE */
	bool user_timeout;	/* TCP_USER_TIMEOUT set */
	bool zero_wnd;		/* the peer's window is closed */
};

/*
 * The kernel's reset reasons (6.10+, enum sk_rst_reason) that tell
 * tcptrail something, in its own numbering so that the mapping to causes
 * is the same code on every kernel (compat.h translates).
 */
enum tt_rst_reason {
	TT_RST_NONE,			/* none given, or not one of these */
	TT_RST_NO_SOCKET,
	TT_RST_INVALID,			/* bad ACK, PAWS, flags, a SYN in window */
	TT_RST_ABORT_ON_DATA,		/* data after shutdown */
	TT_RST_TIMEWAIT,		/* a timewait sock answers a segment */
	TT_RST_ABORT_ON_CLOSE,		/* close() with unread data */
	TT_RST_ABORT_ON_LINGER,		/* close() in FIN_WAIT2, TCP_LINGER2 < 0 */
	TT_RST_ABORT_ON_MEMORY,
	TT_RST_KEEPALIVE,
	TT_RST_STATE,			/* disconnect(), tcp_abort(), FIN_WAIT2 timer */
	TT_RST_DISCONNECT_WITH_DATA,	/* disconnect() with data unsent */
};

struct tt_rst_facts {
	u8 reason;		/* enum tt_rst_reason */
	u8 state;		/* the sender's state */
	u8 closed;		/* the cause of its CLOSE just now, here; 0: none */
	bool sk;		/* a socket sends it (else: no socket owns the segment) */
	bool fullsock;
	bool syn;		/* the segment it answers carries a SYN */
	bool aborting;		/* tcp_abort() on it */
	bool task;		/* a syscall, BHs on */
	bool dead;		/* orphaned */
	bool keepalive_spent;	/* SO_KEEPALIVE probes all unanswered */
};

u8 tt_close_cause(const struct tt_close_facts *f);
void tt_why_close(struct tcptrail_event *ev, const struct sock *sk, int old,
		  bool tw);
void tt_why_reset_verdict(u64 cookie, bool rst);
bool tt_why_note_reset(u64 cookie);
void tt_why_note_rst_sent(u64 cookie);
u8 tt_why_closed_here(u64 cookie);
u8 tt_rst_reason_cause(int reason, bool syn);
u8 tt_rst_cause(const struct tt_rst_facts *f);
u8 tt_why_rst_sent(const struct sock *sk, int reason, bool syn, bool aborting);
const char *tt_errno_name(unsigned int err);

/* main.c: module-wide state. */
extern struct tt_table tt_conns;
int tt_start(void);
void tt_stop(void);
bool tt_started(void);
extern unsigned int tt_ring_size;

#endif /* _TCPTRAIL_H */
