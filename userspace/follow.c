// SPDX-License-Identifier: GPL-2.0
/* follow.c - `tcptrail run`: which events belong to the command's connections and their local peers. */
#include <string.h>

#include "follow.h"

void tr_follow_init(struct tr_follow *fo, struct tr_trail *trail,
		    int (*is_ours)(void *arg, uint32_t pid), void *arg)
{
	memset(fo, 0, sizeof(*fo));
	fo->trail = trail;
	fo->is_ours = is_ours;
	fo->arg = arg;
}

/* Does @ev belong to what we follow, without asking about its owner? */
static int follow_known(struct tr_follow *fo, const struct tcptrail_event *ev, uint64_t now_ns)
{
	return tr_trail_find(fo->trail, ev->netns, ev->cookie) ||
	       tr_trail_find_peer_of(fo->trail, ev, now_ns);
}

int tr_follow_event(struct tr_follow *fo, const struct tcptrail_event *ev, uint64_t now_ns,
		    tr_emit_fn emit, void *emit_arg)
{
	struct tr_conn *c;
	int emitted = 0, again;

	if (ev->kind == TCPTRAIL_EV_LOST) {
		fo->trail->incomplete = 1;
		emit(emit_arg, ev, NULL);
		return 1;
	}
	if (!ev->cookie)
		return 0;
	if (!follow_known(fo, ev, now_ns) &&
	    !((ev->flags & TCPTRAIL_F_OWNER) && fo->is_ours(fo->arg, ev->pid))) {
		fo->pending[fo->pend_next] = *ev;
		fo->pend_used[fo->pend_next] = 1;
		fo->pend_next = (fo->pend_next + 1) % TR_PENDING;
		return 0;
	}
	c = tr_trail_add(fo->trail, ev);
	emit(emit_arg, ev, c);
	emitted++;

	/* A new connection or 4-tuple may claim events seen before it. */
	do {
		again = 0;
		for (size_t k = 0; k < TR_PENDING; k++) {
			size_t i = (fo->pend_next + k) % TR_PENDING;	/* oldest first */

			if (!fo->pend_used[i] || !follow_known(fo, &fo->pending[i], now_ns))
				continue;
			fo->pend_used[i] = 0;
			c = tr_trail_add(fo->trail, &fo->pending[i]);
			emit(emit_arg, &fo->pending[i], c);
			emitted++;
			again = 1;
		}
	} while (again);
	return emitted;
}
