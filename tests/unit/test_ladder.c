/* test_ladder.c - ladder diagrams of synthetic record sequences, against golden files. */
#include <stdio.h>
#include <stdlib.h>

#include "conn.h"
#include "fixtures.h"
#include "ladder.h"
#include "tap.h"
#include "timeline.h"

static struct tr_trail *trail_of(const struct tcptrail_event *evs, int n)
{
	struct tr_trail *t = tr_trail_new();

	for (int i = 0; i < n; i++)
		tr_trail_add(t, &evs[i]);
	return t;
}

static void ladder_golden(const char *name, const struct tr_conn *l, const struct tr_conn *r,
			  int local_peer)
{
	struct tr_fmt fmt = { .wall_offset_ns = 1700000000000000000ll };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (local_peer) {
		/* Mid-connection: the timeline starts from the kernel's duration. */
		tr_conn_print_timeline(f, l, &fmt, l->last_ts);
		fputc('\n', f);
	}
	tr_ladder_print(f, l, r, local_peer);
	fclose(f);
	tap_golden(name, buf, len);
	free(buf);
}

static void ladders(void)
{
	struct tcptrail_event evs[FX_MAX], only[FX_MAX];
	int n = fx_pair(evs), k = 0;
	struct tr_trail *t = trail_of(evs, n);

	ladder_golden("ladder_pair.txt", tr_trail_find(t, FX_NETNS, 4097),
		      tr_trail_find(t, FX_NETNS, 4098), 0);
	ladder_golden("ladder_client_only.txt", tr_trail_find(t, FX_NETNS, 4097), NULL, 0);
	ladder_golden("ladder_server_only.txt", NULL, tr_trail_find(t, FX_NETNS, 4098), 0);
	tr_trail_free(t);

	/* Seen from the middle: no SYN_SENT, no ISNs. Only what the states prove. */
	for (int i = 5; i < n; i++)
		if (evs[i].cookie == 4097) {
			only[k] = evs[i];
			only[k].flags &= (uint16_t)~(TCPTRAIL_F_ISN | TCPTRAIL_F_PEER_ISN);
			k++;
		}
	t = trail_of(only, k);
	ladder_golden("ladder_midway.txt", tr_trail_find(t, FX_NETNS, 4097), NULL, 1);
	tr_trail_free(t);
}

void test_ladder(void)
{
	ladders();
}
