// SPDX-License-Identifier: GPL-2.0
/* test_conn.c - connection tracking: connections by cookie, roles, ISNs, "gone", pairing the two ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "fixtures.h"
#include "tap.h"
#include "timeline.h"

#define MS 1000000ull

static struct tr_trail *trail_of(const struct tcptrail_event *evs, int n)
{
	struct tr_trail *t = tr_trail_new();

	for (int i = 0; i < n; i++)
		tr_trail_add(t, &evs[i]);
	return t;
}

static void tracking(void)
{
	struct tcptrail_event evs[FX_MAX];
	int n = fx_pair(evs);
	struct tr_trail *t = trail_of(evs, n);
	struct tr_conn *c = tr_trail_find(t, FX_NETNS, 4097), *s = tr_trail_find(t, FX_NETNS, 4098);

	tap_ok(t->n == 2 && c && s && c->id == 1 && s->id == 2, "trail: two connections by cookie");
	tap_ok(c->role == TR_ROLE_CLIENT && s->role == TR_ROLE_SERVER, "trail: roles from the states");
	tap_ok(c->isns.have_isn && c->isns.isn == FX_CLIENT_ISN && c->isns.have_peer &&
	       c->isns.peer == FX_SERVER_ISN && s->isns.isn == FX_SERVER_ISN,
	       "trail: ISNs learnt from the records");
	tap_ok(c->nevs == 7 && s->nevs == 6 && c->have_owner && c->pid == 1234 &&
	       !strcmp(s->comm, "server"), "trail: events and owners per connection");
	tr_trail_pair(t);
	tap_ok(c->peer == s && s->peer == c, "trail: client paired with its server by reversed 4-tuple");
	tap_ok(tr_conn_gone(c, 0) && tr_conn_gone(s, 0) && tr_trail_all_gone(t, 0),
	       "trail: all gone after TW_EXIT and LAST_ACK->CLOSE");
	tr_trail_free(t);

	/* The server in a namespace of its own (veth): paired by the ISNs, crossed. */
	for (int mismatch = 0; mismatch < 3; mismatch++) {
		struct tcptrail_event other[FX_MAX];

		memcpy(other, evs, sizeof(other));
		for (int i = 0; i < n; i++) {
			if (other[i].cookie != 4098)
				continue;
			other[i].netns = FX_NETNS + 1;
			if (mismatch == 1)
				other[i].peer_isn ^= 1;
			if (mismatch == 2) {	/* the same two numbers, not crossed */
				other[i].isn = FX_CLIENT_ISN;
				other[i].peer_isn = FX_SERVER_ISN;
			}
		}
		t = trail_of(other, n);
		c = tr_trail_find(t, FX_NETNS, 4097);
		s = tr_trail_find(t, FX_NETNS + 1, 4098);
		tr_trail_pair(t);
		if (!mismatch)
			tap_ok(c && s && c->peer == s && s->peer == c,
			       "trail: ends in two namespaces paired by 4-tuple and crossed ISNs");
		else
			tap_ok(c && s && !c->peer && !s->peer,
			       "trail: ends in two namespaces whose ISNs do not cross stay apart (%d)",
			       mismatch);
		tr_trail_free(t);
	}

	/* Up to the client's FIN_WAIT2->CLOSE: it is in TIME_WAIT, not gone. */
	t = trail_of(evs, 11);
	c = tr_trail_find(t, FX_NETNS, 4097);
	tap_ok(!tr_conn_gone(c, evs[10].ts_ns + 10000 * MS), "trail: CLOSE after TW_ENTER is not gone");
	tr_trail_free(t);

	/* FIN_WAIT2->CLOSE with no TW_ENTER (yet): gone only after a grace period. */
	t = tr_trail_new();
	tr_trail_add(t, &evs[0]);
	tr_trail_add(t, &evs[10]);
	c = tr_trail_find(t, FX_NETNS, 4097);
	tap_ok(!tr_conn_gone(c, evs[10].ts_ns + 10 * MS) && tr_conn_gone(c, evs[10].ts_ns + 300 * MS),
	       "trail: FIN_WAIT2->CLOSE waits for a TW_ENTER, then counts as gone");
	tr_trail_add(t, &evs[9]);	/* the TW_ENTER after all */
	tap_ok(!tr_conn_gone(c, evs[10].ts_ns + 300 * MS), "trail: ... and a late TW_ENTER revives it");
	tr_trail_free(t);

	/* An accepted child seen alone: its time before SYN_RECV was a request sock's, not LISTEN. */
	{
		struct tr_fmt fmt = { .wall_offset_ns = 0 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		t = tr_trail_new();
		for (int i = 0; i < n; i++)
			if (evs[i].cookie == 4098 && evs[i].kind == TCPTRAIL_EV_STATE)
				tr_trail_add(t, &evs[i]);
		tr_conn_print_timeline(f, t->conns[0], &fmt, t->last_ts);
		fclose(f);
		tap_ok(strstr(buf, "      -0.040  NEW_SYN_RECV                    0.040  -> SYN_RECV\n") &&
		       !strstr(buf, "LISTEN"), "timeline: a child's first state is its request sock's");
		free(buf);
		tr_trail_free(t);
	}

	/* Server only, up to ESTABLISHED: open. */
	t = trail_of(evs, 5);
	tap_ok(!tr_trail_all_gone(t, evs[4].ts_ns), "trail: established connections are not gone");
	tr_trail_free(t);
}

void test_conn(void)
{
	tracking();
}
