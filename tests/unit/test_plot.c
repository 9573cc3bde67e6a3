// SPDX-License-Identifier: GPL-2.0
/* test_plot.c - plot's SVG and the Prometheus output, checked with xmllint, rsvg-convert, promtool and against the captures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixtures.h"
#include "format.h"
#include "ladder.h"
#include "tap.h"
#include "conn.h"
#include "timeline.h"

const char *fx_path(const char *name);

#define REAL_CAP TR_DEV_CAPTURES "/lossy.cap"

/* What a capture holds, counted here from its records (not by the reader). */
struct census {
	size_t nconns;
	struct { uint32_t netns; uint64_t cookie; char local[64]; char comm[16]; } conn[256];
	int retrans, rst, connects, tw_exits, closes;
};

static void census(const char *path, struct census *c)
{
	size_t len;
	unsigned char *buf = (unsigned char *)read_file(path, &len);

	memset(c, 0, sizeof(*c));
	for (size_t off = TR_REC; buf && off + TR_REC <= len; off += TR_REC) {
		struct tcptrail_event ev;
		const char *why;
		size_t i;

		if (tr_decode_event(buf + off, TR_REC, &ev, &why) != TR_EV_OK ||
		    ev.kind == TCPTRAIL_EV_LOST || !ev.cookie)
			continue;
		c->retrans += ev.kind == TCPTRAIL_EV_RETRANS || ev.kind == TCPTRAIL_EV_SYNACK_RETRANS;
		c->rst += ev.kind == TCPTRAIL_EV_RST_SENT || ev.kind == TCPTRAIL_EV_RST_RECV;
		c->tw_exits += ev.kind == TCPTRAIL_EV_TW_EXIT;
		if (ev.kind == TCPTRAIL_EV_STATE) {
			c->connects += ev.old_state == TCPTRAIL_SYN_SENT &&
				       ev.new_state == TCPTRAIL_ESTABLISHED;
			c->closes += ev.new_state == TCPTRAIL_CLOSE && ev.old_state != TCPTRAIL_LISTEN;
		}
		for (i = 0; i < c->nconns; i++)
			if (c->conn[i].netns == ev.netns && c->conn[i].cookie == ev.cookie)
				break;
		if (i == c->nconns && i < 256) {
			c->conn[i].netns = ev.netns;
			c->conn[i].cookie = ev.cookie;
			c->nconns++;
		}
		/* The label shows the local end once known, and the owner's comm. */
		if (i < 256 && ev.sport)
			tr_fmt_addrport(c->conn[i].local, sizeof(c->conn[i].local), ev.family,
					ev.saddr, ev.sport);
		if (i < 256 && (ev.flags & TCPTRAIL_F_OWNER))
			memcpy(c->conn[i].comm, ev.comm, sizeof(ev.comm));
	}
	free(buf);
}

/* xmllint --xpath EXPR FILE, as a number (-1 if it failed). */
static long xpath_num(const char *file, const char *expr)
{
	const char *args[] = { "--xpath", expr, file, NULL };
	struct run_result r;
	long v = -1;

	if (!run_program("xmllint", args, NULL, &r) && r.status == 0)
		v = strtol(r.out, NULL, 10);
	run_free(&r);
	return v;
}

static char *xpath_str(const char *file, const char *expr)
{
	const char *args[] = { "--xpath", expr, file, NULL };
	struct run_result r;
	char *s = NULL;

	if (!run_program("xmllint", args, NULL, &r) && r.status == 0)
		s = strdup(r.out);
	run_free(&r);
	return s;
}

static int well_formed(const char *file)
{
	const char *args[] = { "--noout", file, NULL };
	struct run_result r;
	int ok = !run_program("xmllint", args, NULL, &r) && r.status == 0 && !r.errlen;

	if (!ok)
		tap_diag("xmllint: %s", r.err);
	run_free(&r);
	return ok;
}

/* PNG signature and IHDR's width and height. */
static int png_size(const char *path, unsigned int *w, unsigned int *h)
{
	size_t len;
	unsigned char *b = (unsigned char *)read_file(path, &len);
	int ok = b && len > 24 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8) && !memcmp(b + 12, "IHDR", 4);

	if (ok) {
		*w = (unsigned int)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
		*h = (unsigned int)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
	}
	free(b);
	return ok;
}

/* rsvg-convert renders it, to a PNG of the SVG's declared size. */
static int renders(const char *svg, const char *png)
{
	const char *args[] = { "-o", png, svg, NULL };
	struct run_result r;
	unsigned int w = 0, h = 0;
	long sw = xpath_num(svg, "number(/*/@width)"), sh = xpath_num(svg, "number(/*/@height)");
	int ok = !run_program("rsvg-convert", args, NULL, &r) && r.status == 0 &&
		 png_size(png, &w, &h) && (long)w == sw && (long)h == sh && w > 0 && h > 0;

	if (!ok)
		tap_diag("rsvg-convert: status %d, %ux%u, SVG %ldx%ld: %s", r.status, w, h, sw, sh,
			 r.err);
	run_free(&r);
	return ok;
}

static char *plot_to(const char *cap, const char *name, const char *a1, const char *a2)
{
	static char path[8][4300];
	static int k;
	const char *args[] = { "plot", "-f", cap, a1, a2, NULL };
	struct run_result r;

	k = (k + 1) % 8;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir_make(), name);
	run_tcptrail(args, NULL, &r);
	if (r.status)
		tap_diag("plot %s: status %d: %s", cap, r.status, r.err);
	write_file(path[k], r.out, r.outlen);
	run_free(&r);
	return path[k];
}

static void timeline(const char *what, const char *cap)
{
	char name[64], png[4400];
	const char *svg;
	struct census c;
	char *labels;
	int all = 1;

	census(cap, &c);
	snprintf(name, sizeof(name), "%s.svg", what);
	svg = plot_to(cap, name, NULL, NULL);
	tap_ok(well_formed(svg), "plot %s: the SVG is well-formed XML", what);
	snprintf(png, sizeof(png), "%s.png", svg);
	tap_ok(renders(svg, png), "plot %s: rsvg-convert renders it at its size", what);
	tap_ok(xpath_num(svg, "count(//*[local-name()='g'][@class='conn'])") == (long)c.nconns,
	       "plot %s: one row per connection in the capture (%zu)", what, c.nconns);
	/* Rows are 22 px: the height follows the count, not only the declared size. */
	tap_ok(xpath_num(svg, "number(/*/@height)") == 52 + 22 * (long)c.nconns + 70,
	       "plot %s: its height is that of %zu rows", what, c.nconns);
	tap_ok(xpath_num(svg, "count(//*[@class='retrans'])") == c.retrans,
	       "plot %s: one mark per retransmit (%d)", what, c.retrans);
	tap_ok(xpath_num(svg, "count(//*[@class='rst'])") == c.rst,
	       "plot %s: one mark per RST sent or received (%d)", what, c.rst);
	labels = xpath_str(svg, "//*[@class='label']");
	for (size_t i = 0; labels && i < c.nconns; i++) {
		char comm[80];

		if (c.conn[i].local[0] && !strstr(labels, c.conn[i].local))
			all = 0, tap_diag("no label with %s", c.conn[i].local);
		tr_fmt_comm(comm, sizeof(comm), c.conn[i].comm);
		if (c.conn[i].comm[0] && !strstr(labels, comm))
			all = 0, tap_diag("no label with %s", comm);
	}
	tap_ok(labels && all, "plot %s: every connection's local end and comm are in a label", what);
	free(labels);
	tap_ok(xpath_num(svg, "count(//*[@class='legend-item'])") >= 1 &&
	       xpath_num(svg, "count(//*[@class='tick'])") >= 2,
	       "plot %s: a legend and a time axis with ticks", what);
	/* Standalone: nothing fetched from elsewhere. */
	tap_ok(xpath_num(svg, "count(//@*[local-name()='href'] | //*[local-name()='style'] | "
			      "//*[local-name()='script'])") == 0,
	       "plot %s: no links, stylesheets or scripts", what);
}

/* Arrows drawn: the rows of the ladder view that have one (the text ladder's arrows). */
static void ladder(void)
{
	const char *svg = plot_to(REAL_CAP, "ladder.svg", "--conn", "4097");
	const char *both = plot_to(fx_path("curl"), "ladder-curl.svg", "--ladder", NULL);
	struct tr_trail *t = tr_trail_new();
	size_t len, arrows = 0, retrans = 0;
	unsigned char *buf = (unsigned char *)read_file(REAL_CAP, &len);
	struct tr_ladder_view v;
	struct tr_conn *c;
	char png[4400], *heads;

	for (size_t off = TR_REC; buf && off + TR_REC <= len; off += TR_REC) {
		struct tcptrail_event ev;
		const char *why;

		if (tr_decode_event(buf + off, TR_REC, &ev, &why) == TR_EV_OK)
			tr_trail_add(t, &ev);
	}
	free(buf);
	tr_trail_pair(t);
	c = NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->conns[i]->cookie == 4097)
			c = t->conns[i];
	tap_ok(c && c->role == TR_ROLE_SERVER, "plot ladder: the capture's cookie 4097 is a server");
	if (!c)
		return;
	tr_ladder_view(&v, c->peer, c, 0);
	for (size_t k = 0; k < v.n; k++)
		arrows += v.rows[k].arrow != 0;
	for (size_t k = 0; k < c->nevs; k++)
		retrans += c->evs[k].kind == TCPTRAIL_EV_RETRANS ||
			   c->evs[k].kind == TCPTRAIL_EV_SYNACK_RETRANS;
	tr_ladder_view_free(&v);
	tr_trail_free(t);

	tap_ok(well_formed(svg), "plot --conn: the SVG is well-formed XML");
	snprintf(png, sizeof(png), "%s.png", svg);
	tap_ok(renders(svg, png), "plot --conn: rsvg-convert renders it at its size");
	tap_ok(arrows > 5 && xpath_num(svg, "count(//*[local-name()='g'][starts-with(@class,'arrow')])") ==
				     (long)arrows,
	       "plot --conn: one arrow per segment of the ladder (%zu)", arrows);
	tap_ok(retrans > 0 &&
	       xpath_num(svg, "count(//*[local-name()='g'][@class='arrow-retrans'])") == (long)retrans,
	       "plot --conn: a red dashed arrow per retransmit of that end (%zu)", retrans);
	heads = xpath_str(svg, "//*[@class='side']");
	tap_ok(heads && strstr(heads, "server 198.18.40.1:8000") && strstr(heads, "client 198.18.40.2:34282"),
	       "plot --conn: client and server columns, named by their ends");
	free(heads);
	tap_ok(well_formed(both) && xpath_num(both, "count(//*[@class='side'])") == 2 &&
	       !strstr(read_file(both, &len), "not observed"),
	       "plot --ladder: both ends of the VM's curl drawn from their own records");
}

static void plot_misc(void)
{
	const char *png_args[] = { "plot", "-o", "png", "-f", fx_path("pair"), NULL };
	const char *none[] = { "plot", "--conn", "12345", "-f", fx_path("pair"), NULL };
	const char *bad[] = { "-o", "svg", "-f", fx_path("pair"), NULL };
	const char *odd = plot_to(fx_path("v6"), "v6.svg", NULL, NULL);
	char *path;
	struct run_result r;
	unsigned int w = 0, h = 0;
	int ok;

	run_tcptrail(png_args, NULL, &r);
	path = malloc(4400);
	snprintf(path, 4400, "%s/o.png", tmpdir_make());
	write_file(path, r.out, r.outlen);
	ok = png_size(path, &w, &h);
	tap_ok(r.status == 0 && ok && w > 100 && h > 100,
	       "plot -o png: a PNG on standard output (%ux%u)", w, h);
	run_free(&r);
	free(path);
	run_tcptrail(none, NULL, &r);
	tap_ok(r.status == 1 && strstr(r.err, "no connection with cookie 12345"),
	       "plot --conn: an unknown cookie is an error");
	run_free(&r);
	run_tcptrail(bad, NULL, &r);
	tap_ok(r.status == 2 && strstr(r.err, "only apply to plot"), "-o svg without plot is refused");
	run_free(&r);
	/* fx_v6 has a comm with control bytes and invalid UTF-8. */
	tap_ok(well_formed(odd), "plot: odd comm bytes still make well-formed XML");
}

/* run --plot: the picture of what it followed (nothing here: the fake ring has no new events). */
static void run_plot(void)
{
	char dir[4300], kv[4400], svg[4400], png[4400];
	const char *env[] = { kv, NULL };
	const char *a_svg[] = { "run", "--wait", "0", "--plot", svg, "--", "true", NULL };
	const char *a_png[] = { "run", "--wait", "0", "--plot", png, "--", "true", NULL };
	struct run_result r;
	unsigned int w = 0, h = 0;
	int ok;

	snprintf(dir, sizeof(dir), "%s/runproc", tmpdir_make());
	mkdir(dir, 0755);
	snprintf(svg, sizeof(svg), "%s/raw", dir);
	fx_write_dump(svg, NULL, NULL, 0);
	snprintf(svg, sizeof(svg), "%s/control", dir);
	write_file(svg, "", 0);
	snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
	snprintf(svg, sizeof(svg), "%s/run.svg", dir);
	snprintf(png, sizeof(png), "%s/run.png", dir);
	run_tcptrail(a_svg, env, &r);
	tap_ok(r.status == 0 && well_formed(svg) &&
	       xpath_num(svg, "count(//*[local-name()='g'][@class='conn'])") == 0,
	       "run --plot FILE: an SVG of the command's connections (none here)");
	run_free(&r);
	run_tcptrail(a_png, env, &r);
	ok = png_size(png, &w, &h);
	tap_ok(r.status == 0 && ok && w > 0,
	       "run --plot FILE.png: a PNG (%ux%u)", w, h);
	run_free(&r);
}

/* ---- Prometheus ---- */

static int promtool_ok(const char *text)
{
	char path[4300];
	const char *args[] = { "-c", NULL, NULL };
	char cmd[4400];
	struct run_result r;
	int ok;

	snprintf(path, sizeof(path), "%s/metrics.prom", tmpdir_make());
	write_file(path, text, strlen(text));
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	args[1] = cmd;
	ok = !run_program("sh", args, NULL, &r) && r.status == 0;
	if (!ok)
		tap_diag("promtool (scripts/setup unpacks it into the cache; scripts/check puts it on PATH): status %d: %s%s", r.status, r.out, r.err);
	run_free(&r);
	return ok;
}

/* The sample of @name{@labels} (labels exactly as printed, "" for none), or -1. */
static double sample(const char *text, const char *name, const char *labels)
{
	char want[256];
	const char *p;

	snprintf(want, sizeof(want), "\n%s%s%s%s ", name, labels[0] ? "{" : "", labels,
		 labels[0] ? "}" : "");
	p = strstr(text, want);
	return p ? strtod(p + strlen(want), NULL) : -1;
}

/*
 * Strictly: every sample's family has a TYPE before it; a histogram's
 * buckets per series never go down, end with +Inf, and +Inf == _count.
 */
static int strict(const char *text, int *nhist)
{
	char typed[64][96], line[512], series[512] = "", prev_le_series[512] = "";
	int ntyped = 0, ok = 1;
	double last = -1, inf = -1;
	const char *p = text;

	*nhist = 0;
	while (*p) {
		size_t n = strcspn(p, "\n");
		char name[96], *brace;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		if (!strncmp(line, "# TYPE ", 7)) {
			if (ntyped < 64)
				sscanf(line + 7, "%95s", typed[ntyped++]);
			*nhist += strstr(line, " histogram") != NULL;
			continue;
		}
		if (line[0] == '#' || !line[0])
			continue;
		sscanf(line, "%95[^{ ]", name);
		/* The family: the name less a histogram's suffix. */
		for (const char *suf = "_bucket\0_sum\0_count\0"; *suf; suf += strlen(suf) + 1) {
			size_t ln = strlen(name), ls = strlen(suf);
			int known = 0;

			for (int i = 0; i < ntyped; i++)
				known |= !strcmp(typed[i], name);
			if (!known && ln > ls && !strcmp(name + ln - ls, suf)) {
				name[ln - ls] = '\0';
				break;
			}
		}
		{
			int known = 0;

			for (int i = 0; i < ntyped; i++)
				known |= !strcmp(typed[i], name);
			if (!known) {
				tap_diag("no TYPE for %s", line);
				ok = 0;
			}
		}
		brace = strstr(line, "_bucket{");
		if (brace) {
			char *le = strstr(line, "le=\""), *sp = strrchr(line, ' ');
			double v = strtod(sp + 1, NULL);

			snprintf(series, sizeof(series), "%.*s", (int)(le - line), line);
			if (strcmp(series, prev_le_series))
				last = -1;
			if (v < last) {
				tap_diag("bucket goes down: %s", line);
				ok = 0;
			}
			last = v;
			snprintf(prev_le_series, sizeof(prev_le_series), "%s", series);
			if (!strncmp(le, "le=\"+Inf\"", 9))
				inf = v;
		} else if (strstr(line, "_count")) {
			double v = strtod(strrchr(line, ' ') + 1, NULL);

			if (inf < 0 || v != inf) {
				tap_diag("_count %s is not the +Inf bucket (%g)", line, inf);
				ok = 0;
			}
			inf = -1;
		}
	}
	return ok;
}

static void prometheus(void)
{
	const char *hist[] = { "hist", "-o", "prometheus", "-f", REAL_CAP, NULL };
	const char *by[] = { "hist", "--by", "port", "-o", "prometheus", "-f", REAL_CAP, NULL };
	const char *stats[] = { "stats", "-o", "prometheus", NULL };
	char dir[4300], kv[4400];
	const char *env[] = { kv, NULL };
	struct run_result r;
	struct census c;
	double closes = 0;
	int nhist = 0, valid;
	const char *p;

	census(REAL_CAP, &c);
	run_tcptrail(hist, NULL, &r);
	tap_ok(r.status == 0, "hist -o prometheus: exits 0 over the VM capture");
	tap_ok(promtool_ok(r.out), "hist -o prometheus: promtool check metrics accepts it");
	valid = strict(r.out, &nhist);
	tap_ok(valid && nhist == 5,
	       "hist -o prometheus: typed samples, cumulative buckets ending in +Inf == _count, "
	       "5 histograms (%d)", nhist);
	tap_ok(sample(r.out, "tcptrail_connect_seconds_count", "") == c.connects &&
	       sample(r.out, "tcptrail_time_wait_seconds_count", "") == c.tw_exits,
	       "hist -o prometheus: connects (%d) and TIME_WAITs (%d) as in the capture",
	       c.connects, c.tw_exits);
	tap_ok(sample(r.out, "tcptrail_time_wait_seconds_bucket", "le=\"33.554432\"") == 0 &&
	       sample(r.out, "tcptrail_time_wait_seconds_bucket", "le=\"67.108864\"") == c.tw_exits,
	       "hist -o prometheus: the 60 s TIME_WAITs fall between 33.5 and 67.1 s");
	for (p = strstr(r.out, "\ntcptrail_closes_total{"); p; p = strstr(p + 1, "\ntcptrail_closes_total{"))
		closes += strtod(strchr(p + 1, ' ') + 1, NULL);
	tap_ok(closes == c.closes && sample(r.out, "tcptrail_closes_total", "cause=\"linger0\"") == 1 &&
	       sample(r.out, "tcptrail_closes_total", "cause=\"refused\"") == 1,
	       "hist -o prometheus: every close counted by cause (%g of %d)", closes, c.closes);
	run_free(&r);
	run_tcptrail(by, NULL, &r);
	tap_ok(r.status == 0 && promtool_ok(r.out) && strict(r.out, &nhist) &&
	       sample(r.out, "tcptrail_connect_seconds_count", "port=\"8000\"") == 4,
	       "hist --by port -o prometheus: a port label, valid");
	run_free(&r);

	snprintf(dir, sizeof(dir), "%s/promproc", tmpdir_make());
	snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
	{
		char path[4400];
		const char *st = "abi 1.1\nhook_mode tracepoint\nhook.state attached\nhook.retrans failed\n"
				 "missed.tcp_connect 3\nring_size 4096\nrecording 1\ncpus 2\nreaders 1\n"
				 "paused 0\nevents.state 12\nevents.retrans 4\nstate.ESTABLISHED 3\n"
				 "overwritten 5\nfiltered 0\ndropped_paused 0\nno_tuple 0\ntable_size 1024\n"
				 "table_used 7\ntable_full 0\ntable_reclaimed 0\nnew_thing 9\nnew_word x\n";

		mkdir(dir, 0755);
		snprintf(path, sizeof(path), "%s/stats", dir);
		write_file(path, st, strlen(st));
	}
	run_tcptrail(stats, env, &r);
	tap_ok(r.status == 0 && promtool_ok(r.out) && strict(r.out, &nhist),
	       "stats -o prometheus: promtool and the strict parse accept it");
	tap_ok(sample(r.out, "tcptrail_events_total", "kind=\"retrans\"") == 4 &&
	       sample(r.out, "tcptrail_overwritten_total", "") == 5 &&
	       sample(r.out, "tcptrail_table_used", "") == 7 &&
	       sample(r.out, "tcptrail_hook", "hook=\"retrans\",status=\"failed\"") == 1 &&
	       sample(r.out, "tcptrail_info", "abi=\"1.1\",hook_mode=\"tracepoint\"") == 1 &&
	       sample(r.out, "tcptrail_new_thing", "") == 9 && !strstr(r.out, "new_word"),
	       "stats -o prometheus: counters, gauges, hooks and info from the stats file");
	run_free(&r);
}

void test_plot(void)
{
	timeline("lossy", REAL_CAP);
	timeline("pair", fx_path("pair"));
	timeline("curl", fx_path("curl"));
	ladder();
	plot_misc();
	run_plot();
	prometheus();
}
