/* SPDX-License-Identifier: GPL-2.0 */
/* follow.h - `tcptrail run`: which events belong to the command's connections and their local peers. */
#ifndef TCPTRAIL_FOLLOW_H
#define TCPTRAIL_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "record.h"

#define TR_PENDING 64

typedef void (*tr_emit_fn)(void *arg, const struct tcptrail_event *ev, const struct tr_conn *c);

struct tr_follow {
	struct tr_trail *trail;		/* the connections followed */
	int (*is_ours)(void *arg, uint32_t pid);
	void *arg;
	/* Recent unmatched events: a server's SYN_RECV may precede the client's full 4-tuple. */
	struct tcptrail_event pending[TR_PENDING];
	int pend_used[TR_PENDING];
	size_t pend_next;
};

void tr_follow_init(struct tr_follow *fo, struct tr_trail *trail,
		    int (*is_ours)(void *arg, uint32_t pid), void *arg);
/*
 * Feed one event (in stream order). Events that belong to the command's
 * connections or their local peers are added to the trail and passed to
 * @emit, possibly with earlier pending ones. Returns how many were emitted.
 */
int tr_follow_event(struct tr_follow *fo, const struct tcptrail_event *ev, uint64_t now_ns,
		    tr_emit_fn emit, void *emit_arg);

#endif
