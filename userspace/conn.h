/* SPDX-License-Identifier: GPL-2.0 */
/* conn.h - connection tracking: events grouped by connection, each end's role, pairing the two ends. */
#ifndef TCPTRAIL_CONN_H
#define TCPTRAIL_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum tr_role { TR_ROLE_UNKNOWN, TR_ROLE_CLIENT, TR_ROLE_SERVER, TR_ROLE_LISTENER };

/* One connection, identified by (netns, cookie). */
struct tr_conn {
	uint32_t netns;
	uint64_t cookie;
	unsigned int id;		/* 1, 2, ... in order of first sight */
	int family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	int have_tuple;			/* both ports known */
	struct tr_isns isns;
	int have_owner;
	uint32_t pid;
	char comm[16];
	enum tr_role role;
	int state;			/* last state entered by a STATE event */
	int closed;			/* a STATE event to CLOSE was seen */
	int close_from;			/* ... leaving this state */
	uint64_t close_ts;
	int in_tw, tw_done, tw_skipped, req_dropped;
	uint64_t first_ts, last_ts;
	struct tcptrail_event *evs;	/* in ts order */
	size_t nevs, cap;
	struct tr_conn *peer;		/* the other end, when both were seen */
	struct tr_conn *hnext;
};

struct tr_trail {
	struct tr_conn **conns;		/* in order of first sight */
	size_t n, cap;
	struct tr_conn **buckets;
	size_t nbuckets;
	uint64_t last_ts;		/* newest event seen */
	int incomplete;			/* events were lost while tracking */
};

struct tr_trail *tr_trail_new(void);
void tr_trail_free(struct tr_trail *t);
struct tr_conn *tr_trail_find(const struct tr_trail *t, uint32_t netns, uint64_t cookie);
/* A tracked, not yet gone connection whose 4-tuple is @ev's reversed. */
struct tr_conn *tr_trail_find_peer_of(const struct tr_trail *t, const struct tcptrail_event *ev,
				      uint64_t now_ns);
/* Record @ev in its connection, creating it. NULL for events without identity (cookie 0, LOST). */
struct tr_conn *tr_trail_add(struct tr_trail *t, const struct tcptrail_event *ev);

/* Is the connection over (see tcptrail(8), "gone")? @now_ns is CLOCK_MONOTONIC. */
int tr_conn_gone(const struct tr_conn *c, uint64_t now_ns);
int tr_trail_all_gone(const struct tr_trail *t, uint64_t now_ns);
/* Link client and server ends found in the same netns with reversed 4-tuples. */
void tr_trail_pair(struct tr_trail *t);

const char *tr_role_name(enum tr_role r);

#endif
