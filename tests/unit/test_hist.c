// SPDX-License-Identifier: GPL-2.0
/* test_hist.c - `tcptrail hist` over the client/server fixture: each histogram's count and bucket. */
#include <stdio.h>
#include <string.h>

#include "tap.h"

const char *fx_path(const char *name);

/* "TITLE, N measured" followed, before the next blank line, by @bucket's line with @count. */
static int has_hist(const char *out, const char *title, int n, const char *bucket, int count)
{
	char head[160], line[80];
	const char *p, *end;

	snprintf(head, sizeof(head), "%s, %d measured\n", title, n);
	p = strstr(out, head);
	if (!p)
		return 0;
	end = strstr(p, "\n\n");
	snprintf(line, sizeof(line), "%s : %-9d |", bucket, count);
	p = strstr(p, line);
	return p && (!end || p < end);
}

static void hist_pair(void)
{
	const char *all[] = { "hist", "--file", fx_path("pair"), NULL };
	const char *by_comm[] = { "hist", "--by", "comm", "--file", fx_path("pair"), NULL };
	const char *by_port[] = { "hist", "--by", "port", "--file", fx_path("pair"), NULL };
	struct run_result r;

	run_tcptrail(all, NULL, &r);
	tap_ok(r.status == 0, "hist: exits 0 over a capture (%d)", r.status);
	tap_ok(has_hist(r.out, "connect latency (SYN_SENT -> ESTABLISHED)", 1, "32 -> 63", 1),
	       "hist: connect latency is SYN_SENT's 40 us");
	tap_ok(has_hist(r.out, "server handshake (SYN arrival -> ESTABLISHED)", 1, "32 -> 63", 1),
	       "hist: the server's handshake runs from its syn_recv (41 us)");
	tap_ok(has_hist(r.out, "time in TIME_WAIT (timewait sock)", 1, "33554432 -> 67108863", 1),
	       "hist: TIME_WAIT is the timewait sock's 60 s, from tw_exit");
	tap_ok(has_hist(r.out, "time in CLOSE_WAIT", 1, "64 -> 127", 1) &&
	       has_hist(r.out, "time in LAST_ACK", 1, "32 -> 63", 1) &&
	       has_hist(r.out, "time in FIN_WAIT1", 1, "32 -> 63", 1) &&
	       has_hist(r.out, "time in FIN_WAIT2", 1, "64 -> 127", 1),
	       "hist: each closing state from the change that leaves it");
	tap_ok(has_hist(r.out, "connection lifetime (first event -> CLOSE)", 2, "1024 -> 2047", 2),
	       "hist: both ends' lifetimes, first event to CLOSE (1.12 ms)");
	tap_ok(!strstr(r.out, "LISTEN"), "hist: the listener is not a connection");
	run_free(&r);

	run_tcptrail(by_comm, NULL, &r);
	tap_ok(r.status == 0 &&
	       has_hist(r.out, "comm curl: connect latency (SYN_SENT -> ESTABLISHED)", 1, "32 -> 63", 1) &&
	       has_hist(r.out, "comm server: server handshake (SYN arrival -> ESTABLISHED)", 1,
			"32 -> 63", 1) &&
	       has_hist(r.out, "comm curl: time in TIME_WAIT (timewait sock)", 1,
			"33554432 -> 67108863", 1),
	       "hist --by comm: the server's connection takes its owner from accept()");
	run_free(&r);

	run_tcptrail(by_port, NULL, &r);
	tap_ok(r.status == 0 &&
	       has_hist(r.out, "port 8080: connect latency (SYN_SENT -> ESTABLISHED)", 1, "32 -> 63", 1) &&
	       has_hist(r.out, "port 8080: time in TIME_WAIT (timewait sock)", 1,
			"33554432 -> 67108863", 1) &&
	       !strstr(r.out, "port 40000"),
	       "hist --by port: both ends and the client's TIME_WAIT under the service's port");
	run_free(&r);
}

static void hist_refuses(void)
{
	const char *json[] = { "hist", "-o", "json", "--file", fx_path("pair"), NULL };
	const char *by[] = { "--by", "port", "--file", fx_path("pair"), NULL };
	const char *bad[] = { "hist", "--by", "pid", "--file", fx_path("pair"), NULL };
	struct run_result r;

	run_tcptrail(json, NULL, &r);
	tap_ok(r.status == 2 && !r.outlen && strstr(r.err, "hist prints histograms"),
	       "hist: output options are refused");
	run_free(&r);
	run_tcptrail(by, NULL, &r);
	tap_ok(r.status == 2 && strstr(r.err, "--by only applies to hist"),
	       "hist: --by without hist is refused");
	run_free(&r);
	run_tcptrail(bad, NULL, &r);
	tap_ok(r.status == 2 && strstr(r.err, "invalid --by 'pid'"), "hist: --by pid is refused");
	run_free(&r);
}

void test_hist(void)
{
	hist_pair();
	hist_refuses();
}
