// SPDX-License-Identifier: GPL-2.0
/* summary.c - the end-of-stream summary of `run` and --timeline: timelines, and a ladder per connection. */
#include "ladder.h"
#include "summary.h"
#include "timeline.h"

void tr_trail_print(FILE *f, struct tr_trail *t, const struct tr_fmt *fmt, uint64_t end_ts)
{
	int first = 1;

	tr_trail_pair(t);
	if (t->incomplete)
		fprintf(f, "(events were lost: timelines and ladders below may have gaps)\n\n");
	for (size_t i = 0; i < t->n; i++) {
		struct tr_conn *c = t->conns[i], *client, *server;

		/* A pair is printed once, where its first-seen end comes. */
		if (c->peer && c->peer->id < c->id)
			continue;
		if (!first)
			fputc('\n', f);
		first = 0;
		tr_conn_print_timeline(f, c, fmt, end_ts);
		if (c->peer) {
			fputc('\n', f);
			tr_conn_print_timeline(f, c->peer, fmt, end_ts);
		}
		if (c->role == TR_ROLE_LISTENER)
			continue;
		client = c->role == TR_ROLE_CLIENT ? c : c->peer;
		server = c->role == TR_ROLE_CLIENT ? c->peer : c;
		fputc('\n', f);
		if (c->role == TR_ROLE_UNKNOWN && !c->peer)
			tr_ladder_print(f, c, NULL, 1);
		else if (c->peer && c->peer->role == TR_ROLE_CLIENT && c->role == TR_ROLE_CLIENT)
			tr_ladder_print(f, c, c->peer, 1);	/* simultaneous open: no server */
		else
			tr_ladder_print(f, client, server, 0);
	}
}
