// SPDX-License-Identifier: GPL-2.0
/* test_timewait.c - tcptrail timewait over the VM's captures and synthetic records; the connection table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conntab.h"
#include "fixtures.h"
#include "tap.h"
#include "timewait.h"

const char *fx_path(const char *name);

#define NS_TW 4026532161u	/* timewait.bin: tw-c, the defaults' client */
#define NS_FW 4026532277u	/* fw-c: tcp_fin_timeout=1 */
#define NS_SK 4026532393u	/* sk-c: tcp_max_tw_buckets=0 */

static struct tr_twrows *rows_of(const struct tcptrail_event *evs, int n)
{
	struct tr_twrows *t = tr_twrows_new();

	for (int i = 0; t && i < n; i++)
		tr_twrows_add(t, &evs[i]);
	return t;
}

/* The first row of @netns between local port @sport and remote port @dport. */
static const struct tr_twrow *row(const struct tr_twrows *t, uint32_t netns, int sport, int dport,
				  int nth)
{
	const struct tr_twrow *r;

	for (size_t i = 0; (r = tr_twrows_get(t, i)); i++)
		if (r->netns == netns && (sport < 0 || r->sport == sport) && (dport < 0 || r->dport == dport) &&
		    !nth--)
			return r;
	return NULL;
}

static size_t count(const struct tr_twrows *t)
{
	size_t n = 0;

	while (tr_twrows_get(t, n))
		n++;
	return n;
}

/* Real records: tests/unit/captures/capture-guest's timewait.bin. */
static void real_timewait(void)
{
	static struct tcptrail_event evs[128];
	int n = fx_capture("timewait.bin", evs, 128);
	struct tr_twrows *t;
	const struct tr_twrow *r;
	size_t active = 0, passive = 0;

	if (!tap_ok(n > 0, "timewait.bin: the capture reads (%d records)", n))
		return;
	t = rows_of(evs, n);
	/* Seven connections, both ends of each: the listeners are not rows. */
	tap_ok(count(t) == 14, "timewait: 14 rows, one per end of 7 connections (%zu)", count(t));
	for (size_t i = 0; (r = tr_twrows_get(t, i)); i++) {
		active += r->close == TR_TW_CLOSE_ACTIVE;
		passive += r->close == TR_TW_CLOSE_PASSIVE && r->end == TR_TW_NONE;
	}
	tap_ok(active == 7 && passive == 7,
	       "timewait: each connection has one end that closed first and one without a timewait sock");

	r = row(t, NS_TW, -1, 7001, 0);
	tap_ok(r && r->close == TR_TW_CLOSE_ACTIVE && r->end == TR_TW_OPEN &&
	       r->substate == TCPTRAIL_TIME_WAIT && r->entered && r->timeout_ns == 60000000000ull &&
	       !strcmp(tr_twrow_cause(r), "open"),
	       "timewait: client-first, never left TIME_WAIT in the capture: open, a 60 s timer");
	r = NULL;
	for (size_t i = 0; !r && tr_twrows_get(t, i); i++)
		if (tr_twrows_get(t, i)->sport == 7002)
			r = tr_twrows_get(t, i);
	tap_ok(r && r->netns != NS_TW && r->close == TR_TW_CLOSE_ACTIVE && r->end == TR_TW_OPEN &&
	       r->substate == TCPTRAIL_TIME_WAIT,
	       "timewait: server-first: the server's end is in TIME_WAIT");

	r = row(t, NS_TW, 30001, 7001, 0);
	tap_ok(r && r->end == TR_TW_EXITED && r->cause == TCPTRAIL_CAUSE_REUSED &&
	       r->dur_ns == 1503044280ull && !strcmp(tr_twrow_cause(r), "reused"),
	       "timewait: the reconnect from bound port 30001 took the first TIME_WAIT over after 1.5 s");
	r = row(t, NS_TW, 30001, 7001, 1);
	tap_ok(r && r->end == TR_TW_OPEN, "timewait: ... and the reconnect is in TIME_WAIT itself");

	r = row(t, NS_TW, -1, 7004, 0);
	tap_ok(r && r->end == TR_TW_OPEN && r->substate == TCPTRAIL_TIME_WAIT &&
	       r->timeout_ns == 60000000000ull,
	       "timewait: orphaned FIN_WAIT2, the peer's late FIN: TIME_WAIT now, its timer re-armed");

	r = row(t, NS_FW, -1, 7003, 0);
	tap_ok(r && r->end == TR_TW_EXITED && r->cause == TCPTRAIL_CAUSE_EXPIRED &&
	       r->substate == TCPTRAIL_FIN_WAIT2 && r->timeout_ns == 1000000000ull &&
	       r->dur_ns == 1019973160ull && r->have_sysctls && r->fin_timeout == 1,
	       "timewait: tcp_fin_timeout=1: the orphaned FIN_WAIT2 expired after 1.02 s");

	r = row(t, NS_SK, -1, 7001, 0);
	tap_ok(r && r->end == TR_TW_SKIPPED && !r->entered && r->substate == TCPTRAIL_TIME_WAIT &&
	       r->have_sysctls && r->max_tw_buckets == 0 && !strcmp(tr_twrow_cause(r), "skipped"),
	       "timewait: tcp_max_tw_buckets=0: tw_skip, no timewait sock, no timer");
	tr_twrows_free(t);
}

/* Real records: curl against http.server, then a refused connect. */
static void real_curl(void)
{
	struct tcptrail_event evs[FX_MAX];
	int n = fx_capture("curl.bin", evs, FX_MAX);
	struct tr_twrows *t;
	const struct tr_twrow *r;

	if (!tap_ok(n > 0, "curl.bin: the capture reads (%d records)", n))
		return;
	t = rows_of(evs, n);
	tap_ok(count(t) == 2, "timewait: curl.bin has 2 rows: the refused connect and the listener are none");
	r = row(t, FX_NETNS, 8080, -1, 0);
	tap_ok(r && r->close == TR_TW_CLOSE_ACTIVE && r->end == TR_TW_OPEN,
	       "timewait: http.server closed first: its end in TIME_WAIT");
	r = row(t, FX_NETNS, -1, 8080, 0);
	tap_ok(r && r->close == TR_TW_CLOSE_PASSIVE && r->end == TR_TW_NONE &&
	       !strcmp(tr_twrow_cause(r), "none"),
	       "timewait: curl closed second: no timewait sock, cause none");
	tr_twrows_free(t);
}

/* Synthetic: cases no run here gives. */
static void synthetic(void)
{
	struct tcptrail_event evs[FX_MAX], late[4];
	int n = fx_pair(evs);
	struct tr_twrows *t = rows_of(evs, n);
	const struct tr_twrow *r;

	r = row(t, FX_NETNS, 40000, 8080, 0);
	tap_ok(count(t) == 2 && r && r->end == TR_TW_EXITED && r->dur_ns == 60000000000ull &&
	       r->entered && r->close == TR_TW_CLOSE_ACTIVE,
	       "timewait (synthetic pair): the client's 60 s TIME_WAIT, expired");
	tr_twrows_free(t);

	n = fx_v6(evs);
	t = rows_of(evs, n);
	r = row(t, FX_NETNS, 80, 5555, 0);
	tap_ok(r && r->family == AF_INET6 && r->end == TR_TW_EXITED && r->cause == TCPTRAIL_CAUSE_REUSED &&
	       r->substate == TCPTRAIL_TIME_WAIT && r->dur_ns == 1000000000ull,
	       "timewait (synthetic v6): FIN_WAIT2 then TIME_WAIT inside the sock, reused: the last substate");
	r = row(t, FX_NETNS, 81, 6666, 0);
	tap_ok(r && r->end == TR_TW_SKIPPED, "timewait (synthetic v6): a tw_skip with a full table");
	r = row(t, FX_NETNS, 65535, 443, 0);
	tap_ok(r && r->end == TR_TW_NONE && r->close == TR_TW_CLOSE_UNKNOWN,
	       "timewait (synthetic v6): reset, never closed by FIN: no side closed first");
	tap_ok(!row(t, FX_NETNS, 22, 60000, 0), "timewait (synthetic v6): a request sock never established is no row");
	tr_twrows_free(t);

	/* A capture begun late: only the timewait sock's end, then a LOST record. */
	memset(late, 0, sizeof(late));
	late[0].kind = TCPTRAIL_EV_TW_EXIT;
	late[0].cookie = 5;
	late[0].netns = FX_NETNS;
	late[0].cause = TCPTRAIL_CAUSE_EXPIRED;
	late[0].substate = TCPTRAIL_TIME_WAIT;
	late[0].dur_ns = 42;
	late[1].kind = TCPTRAIL_EV_LOST;
	late[1].count = 3;
	late[2] = late[0];
	late[2].cookie = 0;	/* no connection */
	t = rows_of(late, 3);
	r = tr_twrows_get(t, 0);
	tap_ok(count(t) == 1 && r && r->end == TR_TW_EXITED && !r->entered && !r->have_sysctls,
	       "timewait (synthetic): only a tw_exit seen: a row, its time unknown (no entry)");
	tr_twrows_free(t);
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void run_golden(const char *fx, const char *fmt, const char *golden)
{
	const char *args[] = { "timewait", "-f", fx_path(fx), "-o", fmt, NULL };
	struct run_result r;

	run_tcptrail(args, NULL, &r);
	if (!tap_ok(r.status == 0, "timewait -f %s -o %s exits 0", fx, fmt))
		tap_diag("stderr: %s", r.err);
	tap_golden(golden, r.out, r.outlen);
	run_free(&r);
}

static void end_to_end(void)
{
	const char *no_hdr[] = { "timewait", "-H", "-o", "csv", "-f", fx_path("timewait"), NULL };
	const char *filtered[] = { "timewait", "-o", "csv", "--lport", "7002", "-f", fx_path("timewait"), NULL };
	struct run_result r;
	const char *p;

	run_golden("timewait", "csv", "timewait.csv");
	run_golden("timewait", "json", "timewait.json");
	run_golden("timewait", "text", "timewait.txt");
	run_golden("curl", "json", "timewait_curl.json");

	run_tcptrail(no_hdr, NULL, &r);
	tap_ok(r.status == 0 && strncmp(r.out, "netns,", 6) && strstr(r.out, ",reused,1503044280,"),
	       "timewait -H: CSV rows without the header");
	/* The row of the never-expired TIME_WAIT: dur_ns empty, timeout_ns 60 s. */
	p = strstr(r.out, ",7001,active,TIME_WAIT,open,,60000000000,60,2,4096,\n");
	tap_ok(p != NULL, "timewait CSV: an open TIME_WAIT has no duration, its timer, tw_reuse_delay empty");
	tap_ok(strstr(r.out, ",active,TIME_WAIT,skipped,,,60,2,0,\n") != NULL,
	       "timewait CSV: the skip: substate TIME_WAIT, no duration or timer, max_tw_buckets 0");
	run_free(&r);

	run_tcptrail(filtered, NULL, &r);
	tap_ok(r.status == 0 && lines(r.out) == 2 && strstr(r.out, ",7002,198.18.1.2,") &&
	       strstr(r.out, ",active,TIME_WAIT,open,"),
	       "timewait --lport 7002: the filters apply: the server-first server's row alone");
	run_free(&r);
}

static void refusals(void)
{
	static const char *const bad[][6] = {
		{ "timewait", "-w", "x.bin", NULL },
		{ "timewait", "--by", "port", NULL },
		{ "timewait", "-t", NULL },
		{ "timewait", "-r", NULL },
		{ "timewait", "-c", "3", NULL },
		{ "timewait", "extra", NULL },
	};
	struct run_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_tcptrail(bad[i], NULL, &r);
		tap_ok(r.status == 2 && !r.outlen && strstr(r.err, "tcptrail: "),
		       "timewait %s: refused, exit 2 (%d)", bad[i][1], r.status);
		run_free(&r);
	}
}

/* The table hist and timewait share: growth, deletion inside probe runs. */
static void conntab(void)
{
	struct tr_conntab *t = tr_conntab_new(sizeof(uint64_t));
	int ok = 1;

	for (uint64_t c = 1; c <= 5000; c++) {
		uint64_t *v = tr_conntab_add(t, (uint32_t)(c % 3), c);

		ok &= v && *v == 0;
		if (v)
			*v = c * 7;
	}
	for (uint64_t c = 1; c <= 5000; c++) {
		uint64_t *v = tr_conntab_find(t, (uint32_t)(c % 3), c);

		ok &= v && *v == c * 7 && !tr_conntab_find(t, (uint32_t)(c % 3) + 1, c);
	}
	tap_ok(ok && tr_conntab_count(t) == 5000, "conntab: 5000 connections through growth, each found");
	for (uint64_t c = 1; c <= 5000; c += 2)
		tr_conntab_del(t, tr_conntab_find(t, (uint32_t)(c % 3), c));
	ok = tr_conntab_count(t) == 2500;
	for (uint64_t c = 1; c <= 5000; c++) {
		uint64_t *v = tr_conntab_find(t, (uint32_t)(c % 3), c);

		ok &= c % 2 ? !v : v && *v == c * 7;
	}
	tap_ok(ok, "conntab: half deleted; the others still found, with their data");
	tr_conntab_free(t);
}

void test_timewait(void)
{
	real_timewait();
	real_curl();
	synthetic();
	end_to_end();
	refusals();
	conntab();
}
