/* test_trail.c - connection tracking, "gone", pairing, following run's connections, ladder goldens. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "ladder.h"
#include "tap.h"
#include "trail.h"

#define MS 1000000ull

static struct tt_trail *trail_of(const struct tcptrail_event *evs, int n)
{
	struct tt_trail *t = tt_trail_new();

	for (int i = 0; i < n; i++)
		tt_trail_add(t, &evs[i]);
	return t;
}

static void tracking(void)
{
	struct tcptrail_event evs[FX_MAX];
	int n = fx_pair(evs);
	struct tt_trail *t = trail_of(evs, n);
	struct tt_conn *c = tt_trail_find(t, FX_NETNS, 4097), *s = tt_trail_find(t, FX_NETNS, 4098);

	tap_ok(t->n == 2 && c && s && c->id == 1 && s->id == 2, "trail: two connections by cookie");
	tap_ok(c->role == TT_ROLE_CLIENT && s->role == TT_ROLE_SERVER, "trail: roles from the states");
	tap_ok(c->isns.have_isn && c->isns.isn == FX_CLIENT_ISN && c->isns.have_peer &&
	       c->isns.peer == FX_SERVER_ISN && s->isns.isn == FX_SERVER_ISN,
	       "trail: ISNs learnt from the records");
	tap_ok(c->nevs == 7 && s->nevs == 6 && c->have_owner && c->pid == 1234 &&
	       !strcmp(s->comm, "server"), "trail: events and owners per connection");
	tt_trail_pair(t);
	tap_ok(c->peer == s && s->peer == c, "trail: client paired with its server by reversed 4-tuple");
	tap_ok(tt_conn_gone(c, 0) && tt_conn_gone(s, 0) && tt_trail_all_gone(t, 0),
	       "trail: all gone after TW_EXIT and LAST_ACK->CLOSE");
	tt_trail_free(t);

	/* Up to the client's FIN_WAIT2->CLOSE: it is in TIME_WAIT, not gone. */
	t = trail_of(evs, 11);
	c = tt_trail_find(t, FX_NETNS, 4097);
	tap_ok(!tt_conn_gone(c, evs[10].ts_ns + 10000 * MS), "trail: CLOSE after TW_ENTER is not gone");
	tt_trail_free(t);

	/* FIN_WAIT2->CLOSE with no TW_ENTER (yet): gone only after a grace period. */
	t = tt_trail_new();
	tt_trail_add(t, &evs[0]);
	tt_trail_add(t, &evs[10]);
	c = tt_trail_find(t, FX_NETNS, 4097);
	tap_ok(!tt_conn_gone(c, evs[10].ts_ns + 10 * MS) && tt_conn_gone(c, evs[10].ts_ns + 300 * MS),
	       "trail: FIN_WAIT2->CLOSE waits for a TW_ENTER, then counts as gone");
	tt_trail_add(t, &evs[9]);	/* the TW_ENTER after all */
	tap_ok(!tt_conn_gone(c, evs[10].ts_ns + 300 * MS), "trail: ... and a late TW_ENTER revives it");
	tt_trail_free(t);

	/* An accepted child seen alone: its time before SYN_RECV was a request sock's, not LISTEN. */
	{
		struct tt_fmt fmt = { .wall_offset_ns = 0 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		t = tt_trail_new();
		for (int i = 0; i < n; i++)
			if (evs[i].cookie == 4098 && evs[i].kind == TCPTRAIL_EV_STATE)
				tt_trail_add(t, &evs[i]);
		tt_conn_print_timeline(f, t->conns[0], &fmt, t->last_ts);
		fclose(f);
		tap_ok(strstr(buf, "      -0.040  NEW_SYN_RECV                    0.040  -> SYN_RECV\n") &&
		       !strstr(buf, "LISTEN"), "timeline: a child's first state is its request sock's");
		free(buf);
		tt_trail_free(t);
	}

	/* Server only, up to ESTABLISHED: open. */
	t = trail_of(evs, 5);
	tap_ok(!tt_trail_all_gone(t, evs[4].ts_ns), "trail: established connections are not gone");
	tt_trail_free(t);
}

static int fake_ours(void *arg, uint32_t pid)
{
	(void)arg;
	return pid == 1234;	/* curl; the server (999) is not the command's */
}

struct sink {
	uint64_t cookies[64];
	int n;
};

static void collect(void *arg, const struct tcptrail_event *ev, const struct tt_conn *c)
{
	struct sink *s = arg;

	(void)c;
	s->cookies[s->n++] = ev->kind == TCPTRAIL_EV_LOST ? 1 : ev->cookie;
}

static void follow(void)
{
	struct tcptrail_event evs[FX_MAX], other, e;
	int n = fx_pair(evs), clients = 0, servers = 0;
	struct tt_trail *t = tt_trail_new();
	struct tt_follow fo;
	struct sink s = { .n = 0 };

	tt_follow_init(&fo, t, fake_ours, NULL);
	other = evs[5];
	other.cookie = 5555;
	other.pid = 4321;
	other.sport = 41000;
	for (int i = 0; i < n; i++) {
		if (i == 3)
			tt_follow_event(&fo, &other, evs[i].ts_ns, collect, &s);
		tt_follow_event(&fo, &evs[i], evs[i].ts_ns, collect, &s);
	}
	for (int i = 0; i < s.n; i++) {
		clients += s.cookies[i] == 4097;
		servers += s.cookies[i] == 4098;
	}
	tap_ok(s.n == n && clients == 7 && servers == 6,
	       "follow: the command's connection and its local server end, nothing else (%d)", s.n);
	tap_ok(t->n == 2, "follow: two connections tracked");
	tt_trail_free(t);

	/* A child already gone: once a cookie matched, the rest need no pid. */
	t = tt_trail_new();
	s.n = 0;
	tt_follow_init(&fo, t, fake_ours, NULL);
	tt_follow_event(&fo, &evs[0], 0, collect, &s);
	e = evs[2];
	e.pid = 77777;
	tt_follow_event(&fo, &e, 0, collect, &s);
	e.flags &= (uint16_t)~TCPTRAIL_F_OWNER;
	e.kind = TCPTRAIL_EV_RST_RECV;
	tt_follow_event(&fo, &e, 0, collect, &s);
	tap_ok(s.n == 3, "follow: kept by cookie after the owner is unknown or another pid");
	tt_trail_free(t);

	/* Without a port at SYN_SENT the server's SYN_RECV is held back, then adopted. */
	t = tt_trail_new();
	s.n = 0;
	tt_follow_init(&fo, t, fake_ours, NULL);
	e = evs[0];
	e.sport = 0;
	e.flags |= TCPTRAIL_F_NO_TUPLE;
	tt_follow_event(&fo, &e, 0, collect, &s);
	tt_follow_event(&fo, &evs[1], 0, collect, &s);
	tap_ok(s.n == 1, "follow: SYN_RECV for an unknown tuple waits");
	tt_follow_event(&fo, &evs[2], 0, collect, &s);
	tap_ok(s.n == 3 && s.cookies[2] == 4098 && tt_trail_find(t, FX_NETNS, 4098) &&
	       tt_trail_find(t, FX_NETNS, 4098)->nevs == 1,
	       "follow: ... and is adopted once the client's 4-tuple is known");
	memset(&e, 0, sizeof(e));
	e.kind = TCPTRAIL_EV_LOST;
	e.count = 3;
	tt_follow_event(&fo, &e, 0, collect, &s);
	tap_ok(s.n == 4 && t->incomplete, "follow: LOST records pass and mark the trail incomplete");
	tt_trail_free(t);
}

static void pidcache(void)
{
	struct tt_pidcache pc;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	tt_pidcache_init(&pc, getpid(), getpid(), "/proc");
	tap_ok(tt_pidcache_ours(&pc, (uint32_t)child) == 1, "pids: a child of the root is ours");
	tt_pidcache_free(&pc);
	tt_pidcache_init(&pc, 999999, 999998, "/proc");
	tap_ok(tt_pidcache_ours(&pc, (uint32_t)child) == 0 && tt_pidcache_ours(&pc, 1) == 0,
	       "pids: with another root, neither the child nor init is ours");
	tap_ok(tt_pidcache_ours(&pc, (uint32_t)child) == 0, "pids: verdict cached");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	tap_ok(tt_pidcache_ours(&pc, 0x7ffffff0) == 0, "pids: a pid that is gone is not ours");
	tt_pidcache_free(&pc);
}

static void ladder_golden(const char *name, const struct tt_conn *l, const struct tt_conn *r,
			  int local_peer)
{
	struct tt_fmt fmt = { .wall_offset_ns = 1700000000000000000ll };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (local_peer) {
		/* Mid-connection: the timeline starts from the kernel's duration. */
		tt_conn_print_timeline(f, l, &fmt, l->last_ts);
		fputc('\n', f);
	}
	tt_ladder_print(f, l, r, local_peer);
	fclose(f);
	tap_golden(name, buf, len);
	free(buf);
}

static void ladders(void)
{
	struct tcptrail_event evs[FX_MAX], only[FX_MAX];
	int n = fx_pair(evs), k = 0;
	struct tt_trail *t = trail_of(evs, n);

	ladder_golden("ladder_pair.txt", tt_trail_find(t, FX_NETNS, 4097),
		      tt_trail_find(t, FX_NETNS, 4098), 0);
	ladder_golden("ladder_client_only.txt", tt_trail_find(t, FX_NETNS, 4097), NULL, 0);
	ladder_golden("ladder_server_only.txt", NULL, tt_trail_find(t, FX_NETNS, 4098), 0);
	tt_trail_free(t);

	/* Seen from the middle: no SYN_SENT, no ISNs. Only what the states prove. */
	for (int i = 5; i < n; i++)
		if (evs[i].cookie == 4097) {
			only[k] = evs[i];
			only[k].flags &= (uint16_t)~(TCPTRAIL_F_ISN | TCPTRAIL_F_PEER_ISN);
			k++;
		}
	t = trail_of(only, k);
	ladder_golden("ladder_midway.txt", tt_trail_find(t, FX_NETNS, 4097), NULL, 1);
	tt_trail_free(t);
}

void test_trail(void)
{
	tracking();
	follow();
	pidcache();
	ladders();
}
