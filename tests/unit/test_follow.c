// SPDX-License-Identifier: GPL-2.0
/* test_follow.c - `run`: following the command's connections, and the pid cache that says whose they are. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "fixtures.h"
#include "follow.h"
#include "pidcache.h"
#include "tap.h"

static int fake_ours(void *arg, uint32_t pid)
{
	(void)arg;
	return pid == 1234;	/* curl; the server (999) is not the command's */
}

struct sink {
	uint64_t cookies[64];
	int n;
};

static void collect(void *arg, const struct tcptrail_event *ev, const struct tr_conn *c)
{
	struct sink *s = arg;

	(void)c;
	s->cookies[s->n++] = ev->kind == TCPTRAIL_EV_LOST ? 1 : ev->cookie;
}

static void follow(void)
{
	struct tcptrail_event evs[FX_MAX], other, e;
	int n = fx_pair(evs), clients = 0, servers = 0;
	struct tr_trail *t = tr_trail_new();
	struct tr_follow fo;
	struct sink s = { .n = 0 };

	tr_follow_init(&fo, t, fake_ours, NULL);
	other = evs[5];
	other.cookie = 5555;
	other.pid = 4321;
	other.sport = 41000;
	for (int i = 0; i < n; i++) {
		if (i == 3)
			tr_follow_event(&fo, &other, evs[i].ts_ns, collect, &s);
		tr_follow_event(&fo, &evs[i], evs[i].ts_ns, collect, &s);
	}
	for (int i = 0; i < s.n; i++) {
		clients += s.cookies[i] == 4097;
		servers += s.cookies[i] == 4098;
	}
	tap_ok(s.n == n && clients == 7 && servers == 6,
	       "follow: the command's connection and its local server end, nothing else (%d)", s.n);
	tap_ok(t->n == 2, "follow: two connections tracked");
	tr_trail_free(t);

	/* A child already gone: once a cookie matched, the rest need no pid. */
	t = tr_trail_new();
	s.n = 0;
	tr_follow_init(&fo, t, fake_ours, NULL);
	tr_follow_event(&fo, &evs[0], 0, collect, &s);
	e = evs[2];
	e.pid = 77777;
	tr_follow_event(&fo, &e, 0, collect, &s);
	e.flags &= (uint16_t)~TCPTRAIL_F_OWNER;
	e.kind = TCPTRAIL_EV_RST_RECV;
	tr_follow_event(&fo, &e, 0, collect, &s);
	tap_ok(s.n == 3, "follow: kept by cookie after the owner is unknown or another pid");
	tr_trail_free(t);

	/* Without a port at SYN_SENT the server's SYN_RECV is held back, then adopted. */
	t = tr_trail_new();
	s.n = 0;
	tr_follow_init(&fo, t, fake_ours, NULL);
	e = evs[0];
	e.sport = 0;
	e.flags |= TCPTRAIL_F_NO_TUPLE;
	tr_follow_event(&fo, &e, 0, collect, &s);
	tr_follow_event(&fo, &evs[1], 0, collect, &s);
	tap_ok(s.n == 1, "follow: SYN_RECV for an unknown tuple waits");
	tr_follow_event(&fo, &evs[2], 0, collect, &s);
	tap_ok(s.n == 3 && s.cookies[2] == 4098 && tr_trail_find(t, FX_NETNS, 4098) &&
	       tr_trail_find(t, FX_NETNS, 4098)->nevs == 1,
	       "follow: ... and is adopted once the client's 4-tuple is known");
	memset(&e, 0, sizeof(e));
	e.kind = TCPTRAIL_EV_LOST;
	e.count = 3;
	tr_follow_event(&fo, &e, 0, collect, &s);
	tap_ok(s.n == 4 && t->incomplete, "follow: LOST records pass and mark the trail incomplete");
	tr_trail_free(t);
}

static void pidcache(void)
{
	struct tr_pidcache pc;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	tr_pidcache_init(&pc, getpid(), getpid(), "/proc");
	tap_ok(tr_pidcache_ours(&pc, (uint32_t)child) == 1, "pids: a child of the root is ours");
	tr_pidcache_free(&pc);
	tr_pidcache_init(&pc, 999999, 999998, "/proc");
	tap_ok(tr_pidcache_ours(&pc, (uint32_t)child) == 0 && tr_pidcache_ours(&pc, 1) == 0,
	       "pids: with another root, neither the child nor init is ours");
	tap_ok(tr_pidcache_ours(&pc, (uint32_t)child) == 0, "pids: verdict cached");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	tap_ok(tr_pidcache_ours(&pc, 0x7ffffff0) == 0, "pids: a pid that is gone is not ours");
	tr_pidcache_free(&pc);
}

void test_follow(void)
{
	follow();
	pidcache();
}
