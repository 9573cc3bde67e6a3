/* trail.h - per-connection tracking: events by connection, timeline of states, following `run`'s connections. */
#ifndef TCPTRAIL_TRAIL_H
#define TCPTRAIL_TRAIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "format.h"
#include "record.h"

enum tt_role { TT_ROLE_UNKNOWN, TT_ROLE_CLIENT, TT_ROLE_SERVER, TT_ROLE_LISTENER };

/* One connection, identified by (netns, cookie). */
struct tt_conn {
	uint32_t netns;
	uint64_t cookie;
	unsigned int id;		/* 1, 2, ... in order of first sight */
	int family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	int have_tuple;			/* both ports known */
	struct tt_isns isns;
	int have_owner;
	uint32_t pid;
	char comm[16];
	enum tt_role role;
	int state;			/* last state entered by a STATE event */
	int closed;			/* a STATE event to CLOSE was seen */
	int close_from;			/* ... leaving this state */
	uint64_t close_ts;
	int in_tw, tw_done, tw_skipped, req_dropped;
	uint64_t first_ts, last_ts;
	struct tcptrail_event *evs;	/* in ts order */
	size_t nevs, cap;
	struct tt_conn *peer;		/* the other end, when both were seen */
	struct tt_conn *hnext;
};

struct tt_trail {
	struct tt_conn **conns;		/* in order of first sight */
	size_t n, cap;
	struct tt_conn **buckets;
	size_t nbuckets;
	uint64_t last_ts;		/* newest event seen */
	int incomplete;			/* events were lost while tracking */
};

struct tt_trail *tt_trail_new(void);
void tt_trail_free(struct tt_trail *t);
struct tt_conn *tt_trail_find(const struct tt_trail *t, uint32_t netns, uint64_t cookie);
/* A tracked, not yet gone connection whose 4-tuple is @ev's reversed. */
struct tt_conn *tt_trail_find_peer_of(const struct tt_trail *t, const struct tcptrail_event *ev,
				      uint64_t now_ns);
/* Record @ev in its connection, creating it. NULL for events without identity (cookie 0, LOST). */
struct tt_conn *tt_trail_add(struct tt_trail *t, const struct tcptrail_event *ev);

/* Is the connection over (see tcptrail(8), "gone")? @now_ns is CLOCK_MONOTONIC. */
int tt_conn_gone(const struct tt_conn *c, uint64_t now_ns);
int tt_trail_all_gone(const struct tt_trail *t, uint64_t now_ns);
/* Link client and server ends found in the same netns with reversed 4-tuples. */
void tt_trail_pair(struct tt_trail *t);

/*
 * The end-of-stream summary: per connection its timeline, and a ladder per
 * client/server pair (or single side). Open states are measured up to @end_ts.
 */
void tt_trail_print(FILE *f, struct tt_trail *t, const struct tt_fmt *fmt, uint64_t end_ts);
void tt_conn_print_timeline(FILE *f, const struct tt_conn *c, const struct tt_fmt *fmt,
			    uint64_t end_ts);
const char *tt_role_name(enum tt_role r);

/* One row of a connection's timeline: a state it was in, or a note between states. */
struct tt_tl_row {
	uint64_t start;
	char label[32];
	int state;		/* the TCP state's number; 12 (NEW_SYN_RECV): the request sock */
	int timewait;		/* the state of its timewait sock */
	int is_note;
	int open;		/* still in this state at the end of the trace */
	int have_dur;
	uint64_t dur;
	int before_trace;	/* began before its first record: start from dur_ns */
	char end[96];
};

/* The rows -t prints, in order; the caller frees *@rows. */
size_t tt_conn_timeline(const struct tt_conn *c, struct tt_tl_row **rows);

/* ---- `tcptrail run`: which events belong to the command ---- */

/* Verdicts per pid: is it the command or one of its descendants? */
struct tt_pidcache {
	pid_t root, self;
	const char *proc;		/* "/proc" */
	struct { pid_t pid; int ours; } *slot;
	size_t size, used;
};

void tt_pidcache_init(struct tt_pidcache *pc, pid_t root, pid_t self, const char *proc);
void tt_pidcache_free(struct tt_pidcache *pc);
/* Walks the ppid chain in /proc now; a pid already gone counts as not ours (not cached). */
int tt_pidcache_ours(struct tt_pidcache *pc, uint32_t pid);

#define TT_PENDING 64

typedef void (*tt_emit_fn)(void *arg, const struct tcptrail_event *ev, const struct tt_conn *c);

struct tt_follow {
	struct tt_trail *trail;		/* the connections followed */
	int (*is_ours)(void *arg, uint32_t pid);
	void *arg;
	/* Recent unmatched events: a server's SYN_RECV may precede the client's full 4-tuple. */
	struct tcptrail_event pending[TT_PENDING];
	int pend_used[TT_PENDING];
	size_t pend_next;
};

void tt_follow_init(struct tt_follow *fo, struct tt_trail *trail,
		    int (*is_ours)(void *arg, uint32_t pid), void *arg);
/*
 * Feed one event (in stream order). Events that belong to the command's
 * connections or their local peers are added to the trail and passed to
 * @emit, possibly with earlier pending ones. Returns how many were emitted.
 */
int tt_follow_event(struct tt_follow *fo, const struct tcptrail_event *ev, uint64_t now_ns,
		    tt_emit_fn emit, void *emit_arg);

#endif
