// SPDX-License-Identifier: GPL-2.0
/* plot.c - `tcptrail plot`: the timeline of many connections, or the ladder of one, as SVG. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "plot.h"
#include "svg.h"

#define CHAR_W 6.7		/* 11 px monospace, with some room */
#define ROW_H 22.0
#define BAR_H 10.0
#define PLOT_W 900.0

/* Colours by state: opening warm, open green, closing blues, passive close reds, waiting grey. */
static const struct {
	int state;
	const char *name;
	const char *fill;
} states[] = {
	{ 10, "LISTEN", "#d9d9d9" },
	{ 2, "SYN_SENT", "#f2c14e" },
	{ 12, "NEW_SYN_RECV", "#f7dc9c" },
	{ 3, "SYN_RECV", "#e8a33d" },
	{ 1, "ESTABLISHED", "#4caf50" },
	{ 4, "FIN_WAIT1", "#7fb3e6" },
	{ 5, "FIN_WAIT2", "#3d7cc9" },
	{ 11, "CLOSING", "#8e6cc9" },
	{ 8, "CLOSE_WAIT", "#eb8f8f" },
	{ 9, "LAST_ACK", "#c0392b" },
	{ 6, "TIME_WAIT", "#8c8c8c" },
};
#define NSTATES (sizeof(states) / sizeof(states[0]))

static int state_index(int state)
{
	for (size_t i = 0; i < NSTATES; i++)
		if (states[i].state == state)
			return (int)i;
	return -1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "tcptrail: out of memory\n");
		exit(1);
	}
	return p;
}

/* "1.2.3.4:5 -> 6.7.8.9:80 curl", as the row's label. */
static void conn_label(char *buf, size_t len, const struct tr_conn *c)
{
	char la[64], ra[64], comm[80] = "";

	tr_fmt_addrport(la, sizeof(la), c->family, c->saddr, c->sport);
	if (c->have_owner)
		tr_fmt_comm(comm, sizeof(comm), c->comm);
	if (c->role == TR_ROLE_LISTENER) {
		snprintf(buf, len, "listen %s %s", la, comm);
		return;
	}
	tr_fmt_addrport(ra, sizeof(ra), c->family, c->daddr, c->dport);
	snprintf(buf, len, "%s -> %s %s", la, ra, comm);
}

/* A round step for about @n ticks over @span ns: 1, 2 or 5 times a power of ten. */
static uint64_t tick_step(uint64_t span, int n)
{
	uint64_t step = 1000;	/* 1 us */

	for (;;) {
		static const int m[] = { 1, 2, 5 };

		for (int i = 0; i < 3; i++)
			if (span / (step * (uint64_t)m[i]) <= (uint64_t)n)
				return step * (uint64_t)m[i];
		step *= 10;
	}
}

/* "+1.5 s", "+250 ms", "+20 us" for an offset that is a multiple of the step. */
static void fmt_offset(char *buf, size_t len, uint64_t ns, uint64_t step)
{
	if (step >= (uint64_t)1000000000 || (ns && ns % (uint64_t)1000000000 == 0 && step >= (uint64_t)100000000))
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " s", ns / (uint64_t)1000000000,
			 ns % (uint64_t)1000000000 / (uint64_t)100000000);
	else if (step >= (uint64_t)1000000)
		snprintf(buf, len, "%" PRIu64 " ms", ns / (uint64_t)1000000);
	else
		snprintf(buf, len, "%" PRIu64 " us", ns / 1000);
	/* "10.0 s" reads better as "10 s". */
	if (strstr(buf, ".0 s"))
		memmove(strstr(buf, ".0 s"), strstr(buf, ".0 s") + 2, 3);
}

static void mark(FILE *f, double x, double y, int kind, const struct tcptrail_event *ev,
		 const struct tr_fmt *fmt)
{
	char when[48], title[160];

	tr_fmt_clock(when, sizeof(when), fmt, ev->ts_ns);
	if (kind == TCPTRAIL_EV_RETRANS || kind == TCPTRAIL_EV_SYNACK_RETRANS) {
		snprintf(title, sizeof(title), "%s %s%s%s", when, tr_kind_name(kind),
			 ev->flags & TCPTRAIL_F_RTO ? " (RTO)" : "",
			 ev->flags & TCPTRAIL_F_FIN ? " FIN" : ev->flags & TCPTRAIL_F_SYN ? " SYN" : "");
		/* A red triangle pointing down at the bar. */
		fprintf(f, "<path class=\"retrans\" data-kind=\"%s\" d=\"M%.1f %.1fl-3.5 -6h7z\" "
			   "fill=\"#d62728\">", tr_kind_name(kind), x, y);
	} else {
		const char *cause = tr_cause_name(ev->cause);

		snprintf(title, sizeof(title), "%s %s%s%s", when, tr_kind_name(kind),
			 cause ? " " : "", cause ? cause : "");
		/* A diamond on the bar: black for sent, white for received. */
		fprintf(f, "<path class=\"rst\" data-kind=\"%s\" d=\"M%.1f %.1fl4 5l-4 5l-4 -5z\" "
			   "fill=\"%s\" stroke=\"#000000\">", tr_kind_name(kind), x, y,
			kind == TCPTRAIL_EV_RST_SENT ? "#000000" : "#ffffff");
	}
	tr_svg_title(f, title);
	fputs("</path>\n", f);
}

static void legend_item(FILE *f, double x, double y, const char *fill, const char *name)
{
	fprintf(f, "<g class=\"legend-item\">\n");
	tr_svg_rect(f, x, y - 9, 12, BAR_H, fill, NULL);
	tr_svg_text(f, x + 16, y, NULL, name);
	fputs("</g>\n", f);
}

void tr_plot_timeline(FILE *f, struct tr_trail *t, const struct tr_fmt *fmt, uint64_t end_ts)
{
	uint64_t t0 = UINT64_MAX, t1 = end_ts, span, step;
	int used[NSTATES] = { 0 }, nretrans = 0, nrst = 0;
	size_t maxlabel = 20;
	double lw, top = 52, w, h, x, y;
	char buf[256], title[400], when[48], fill[64];
	struct tr_tl_row **rows = xcalloc(t->n, sizeof(*rows));
	size_t *nrows = xcalloc(t->n, sizeof(*nrows));

	for (size_t i = 0; i < t->n; i++) {
		const struct tr_conn *c = t->conns[i];

		nrows[i] = tr_conn_timeline(c, &rows[i]);
		for (size_t k = 0; k < nrows[i]; k++) {
			if (rows[i][k].start < t0)
				t0 = rows[i][k].start;
			if (!rows[i][k].is_note && state_index(rows[i][k].state) >= 0)
				used[state_index(rows[i][k].state)] = 1;
		}
		if (c->first_ts < t0)
			t0 = c->first_ts;
		if (c->last_ts > t1)
			t1 = c->last_ts;
		conn_label(buf, sizeof(buf), c);
		if (strlen(buf) > maxlabel)
			maxlabel = strlen(buf);
		for (size_t k = 0; k < c->nevs; k++) {
			nretrans += c->evs[k].kind == TCPTRAIL_EV_RETRANS ||
				    c->evs[k].kind == TCPTRAIL_EV_SYNACK_RETRANS;
			nrst += c->evs[k].kind == TCPTRAIL_EV_RST_SENT ||
				c->evs[k].kind == TCPTRAIL_EV_RST_RECV;
		}
	}
	if (t0 == UINT64_MAX)
		t0 = t1;
	span = t1 > t0 ? t1 - t0 : 1;
	step = tick_step(span, 10);
	lw = 10 + (double)maxlabel * CHAR_W + 10;
	w = lw + PLOT_W + 40;
	h = top + (double)t->n * ROW_H + 70;

	tr_fmt_clock(when, sizeof(when), fmt, t0);
	snprintf(title, sizeof(title), "tcptrail: %zu connection%s from %s", t->n,
		 t->n == 1 ? "" : "s", when);
	tr_svg_begin(f, w, h, title);
	tr_svg_text(f, 10, 18, "font-size=\"13\" font-weight=\"bold\"", title);
	if (t->incomplete)
		tr_svg_text(f, w - 10, 18, "text-anchor=\"end\" fill=\"#d62728\"",
			 "events were lost: rows may have gaps");

	/* The time axis: ticks and light grid lines through every row. */
	fputs("<g class=\"axis\">\n", f);
	tr_svg_line(f, lw, top - 8, lw + PLOT_W, top - 8, "stroke=\"#000000\"");
	for (uint64_t o = 0; o <= span; o += step) {
		x = lw + (double)o * PLOT_W / (double)span;
		fmt_offset(buf, sizeof(buf), o, step);
		tr_svg_line(f, x, top - 12, x, top - 8, "stroke=\"#000000\"");
		tr_svg_line(f, x, top - 8, x, top + (double)t->n * ROW_H, "stroke=\"#eeeeee\"");
		tr_svg_text(f, x, top - 16, "class=\"tick\" text-anchor=\"middle\"", buf);
	}
	fputs("</g>\n", f);

	for (size_t i = 0; i < t->n; i++) {
		const struct tr_conn *c = t->conns[i];

		y = top + (double)i * ROW_H;
		conn_label(buf, sizeof(buf), c);
		fprintf(f, "<g class=\"conn\" data-id=\"%u\" data-cookie=\"%" PRIu64 "\">\n", c->id,
			c->cookie);
		snprintf(title, sizeof(title), "connection %u: %s %s, netns %u, cookie %" PRIu64,
			 c->id, tr_role_name(c->role), buf, c->netns, c->cookie);
		tr_svg_title(f, title);
		tr_svg_text(f, lw - 10, y + 8 + BAR_H - 1, "class=\"label\" text-anchor=\"end\"", buf);
		for (size_t k = 0; k < nrows[i]; k++) {
			const struct tr_tl_row *r = &rows[i][k];
			int si = r->is_note ? -1 : state_index(r->state);
			uint64_t end;
			char dur[32];

			if (si < 0)
				continue;	/* notes, and CLOSE: nothing lasts there */
			end = r->open ? t1 : r->have_dur ? r->start + r->dur : r->start;
			tr_fmt_ms(dur, sizeof(dur), end - r->start);
			snprintf(title, sizeof(title), "%s%s: %s%s ms", states[si].name,
				 r->timewait ? " (timewait sock)" : "", r->open ? ">= " : "", dur);
			x = lw + (double)(r->start - t0) * PLOT_W / (double)span;
			snprintf(fill, sizeof(fill), "class=\"state\" data-state=\"%s\" fill=\"%s\"",
				 states[si].name, states[si].fill);
			/* At least a pixel: a handshake next to a TIME_WAIT would vanish. */
			tr_svg_rect(f, x, y + 8, (double)(end - r->start) * PLOT_W / (double)span + 1,
				 BAR_H, fill, title);
		}
		for (size_t k = 0; k < c->nevs; k++) {
			const struct tcptrail_event *ev = &c->evs[k];

			x = lw + (double)(ev->ts_ns - t0) * PLOT_W / (double)span;
			if (ev->kind == TCPTRAIL_EV_RETRANS || ev->kind == TCPTRAIL_EV_SYNACK_RETRANS)
				mark(f, x, y + 8, ev->kind, ev, fmt);
			else if (ev->kind == TCPTRAIL_EV_RST_SENT || ev->kind == TCPTRAIL_EV_RST_RECV)
				mark(f, x, y + 8, ev->kind, ev, fmt);
		}
		fputs("</g>\n", f);
	}

	/* The legend: the states drawn, then the marks. */
	y = top + (double)t->n * ROW_H + 30;
	x = 10;
	fputs("<g class=\"legend\">\n", f);
	for (size_t i = 0; i < NSTATES; i++) {
		if (!used[i])
			continue;
		if (x + 30 + strlen(states[i].name) * CHAR_W > w) {
			x = 10;
			y += 18;
		}
		snprintf(fill, sizeof(fill), "fill=\"%s\"", states[i].fill);
		legend_item(f, x, y, fill, states[i].name);
		x += 30 + (double)strlen(states[i].name) * CHAR_W;
	}
	fputs("</g>\n", f);
	snprintf(buf, sizeof(buf), "%d retransmit%s (red triangles), %d RST%s sent (black) or "
		 "received (white diamonds); hover for times", nretrans, nretrans == 1 ? "" : "s",
		 nrst, nrst == 1 ? "" : "s");
	tr_svg_text(f, 10, y + 22, "class=\"note\" fill=\"#444444\"", buf);
	tr_svg_end(f);
	for (size_t i = 0; i < t->n; i++)
		free(rows[i]);
	free(rows);
	free(nrows);
}

struct tr_conn *tr_plot_pick(const struct tr_trail *t, int have_cookie, uint64_t cookie)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tr_conn *c = t->conns[i];

		if (have_cookie ? c->cookie == cookie : c->role != TR_ROLE_LISTENER)
			return c;
	}
	return NULL;
}

/* ---- ladder ---- */

#define LAD_MIN_DY 20.0		/* rows this far apart at least, for their text */
#define LAD_BREAK_NS (uint64_t)1000000000	/* gaps longer than this are cut short */
#define LAD_BREAK_DY 34.0
#define LAD_BODY 600.0		/* px the unbroken time gets */

struct tpos {
	uint64_t ts;
	size_t row;		/* a ladder row's own place, or SIZE_MAX for a time only */
	double min_dy;
	double y;
	int brk;		/* the gap before it was cut short */
};

/* By time; at one time the rows first, in their order: each gets a line of its own. */
static int tpos_cmp(const void *a, const void *b)
{
	const struct tpos *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* y of @ts: the first row at that time, else the time at or before it (all are in @p). */
static double ypos(const struct tpos *p, size_t n, uint64_t ts)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (p[mid].ts <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return p[lo].y;
}

static void side_head(FILE *f, double x, const char *name, const struct tr_conn *c,
		      const struct tr_conn *other, int have_isn, uint32_t isn)
{
	char ap[64], comm[80], buf[200];

	if (c)
		tr_fmt_addrport(ap, sizeof(ap), c->family, c->saddr, c->sport);
	else
		tr_fmt_addrport(ap, sizeof(ap), other->family, other->daddr, other->dport);
	snprintf(buf, sizeof(buf), "%s %s", name, ap);
	tr_svg_text(f, x, 40, "class=\"side\" text-anchor=\"middle\" font-weight=\"bold\"", buf);
	if (c && c->have_owner) {
		tr_fmt_comm(comm, sizeof(comm), c->comm);
		snprintf(buf, sizeof(buf), "%s, pid %u", comm, c->pid);
	} else if (!c) {
		snprintf(buf, sizeof(buf), "not observed");
	} else {
		buf[0] = '\0';
	}
	if (have_isn)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%sISN %u", buf[0] ? ", " : "",
			 isn);
	tr_svg_text(f, x, 54, "text-anchor=\"middle\" fill=\"#444444\"", buf);
}

static double dist(double a, double b)
{
	return a > b ? a - b : b - a;
}

/* A label drawn: its middle and width. */
struct spot {
	double x, y, w;
};

/*
 * An arrow's label at its middle, or, when an earlier label is there (arrows
 * that cross), further along it; at the middle if every place is taken.
 */
static void place_label(struct spot *placed, size_t *n, double x1, double y1, double x2, double y2,
			size_t len, double *lx, double *ly)
{
	static const double at[] = { 0.5, 0.3, 0.7, 0.15, 0.85 };
	double w = 6.6 * (double)len;

	*lx = (x1 + x2) / 2;
	*ly = (y1 + y2) / 2 - 4;
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		double x = x1 + (x2 - x1) * at[k], y = y1 + (y2 - y1) * at[k] - 4;
		size_t i;

		for (i = 0; i < *n; i++)
			if (dist(placed[i].y, y) < 11 && dist(placed[i].x, x) < (placed[i].w + w) / 2)
				break;
		if (i == *n) {
			*lx = x;
			*ly = y;
			break;
		}
	}
	placed[*n] = (struct spot){ .x = *lx, .y = *ly, .w = w };
	(*n)++;
}

static void arrowhead(FILE *f, double x1, double y1, double x2, double y2, const char *colour)
{
	double dx = x2 - x1, dy = y2 - y1, len = dx * dx + dy * dy, ux, uy, s;

	/* sqrt without libm: two Newton steps from a good start are plenty here. */
	s = len > 0 ? len / 2 : 1;
	for (int i = 0; i < 20; i++)
		s = (s + len / s) / 2;
	if (s <= 0)
		return;
	ux = dx / s;
	uy = dy / s;
	fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fz\" fill=\"%s\"/>\n", x2, y2,
		x2 - 8 * ux - 3.5 * uy, y2 - 8 * uy + 3.5 * ux, x2 - 8 * ux + 3.5 * uy,
		y2 - 8 * uy - 3.5 * ux, colour);
}

void tr_plot_ladder(FILE *f, struct tr_trail *t, struct tr_conn *c, const struct tr_fmt *fmt)
{
	const struct tr_conn *left, *right;
	struct tr_ladder_view v;
	struct tpos *p;
	size_t np = 0, cap;
	double xl = 300, xr = 700, w = 1000, y, h, scale, body = 0;
	char buf[64], when[48], title[512];
	double *row_y, lx, ly;
	struct spot *placed;
	size_t nplaced = 0;
	int local_peer;

	tr_trail_pair(t);
	local_peer = c->role == TR_ROLE_UNKNOWN && !c->peer;
	left = c->role == TR_ROLE_SERVER ? c->peer : c;
	right = c->role == TR_ROLE_SERVER ? c : c->peer;
	tr_ladder_view(&v, left, right, local_peer);

	/* Every time something is drawn at: rows and both ends of each arrow. */
	cap = 3 * v.n + 1;
	p = xcalloc(cap, sizeof(*p));
	for (size_t k = 0; k < v.n; k++) {
		p[np++] = (struct tpos){ .ts = v.rows[k].ts, .row = k, .min_dy = LAD_MIN_DY };
		for (int s = 0; s < 2; s++)
			if (v.rows[k].arrow && v.rows[k].proof_ts[s])
				p[np++] = (struct tpos){ .ts = v.rows[k].proof_ts[s], .row = SIZE_MAX,
							 .min_dy = LAD_MIN_DY };
	}
	if (!np)
		p[np++] = (struct tpos){ .ts = v.t0, .row = SIZE_MAX, .min_dy = LAD_MIN_DY };
	qsort(p, np, sizeof(*p), tpos_cmp);
	for (size_t k = 1; k < np; k++)
		if (p[k].ts - p[k - 1].ts <= LAD_BREAK_NS)
			body += (double)(p[k].ts - p[k - 1].ts);
	scale = body > 0 ? LAD_BODY / body : 0;
	y = 90;
	for (size_t k = 0; k < np; k++) {
		uint64_t dt = k ? p[k].ts - p[k - 1].ts : 0;

		if (k && dt == 0) {
			/* A second row at one time goes below the first; a bare time stays on it. */
			if (p[k].row != SIZE_MAX && p[k - 1].row != SIZE_MAX)
				y += p[k].min_dy;
			else if (p[k].row == SIZE_MAX)
				y = ypos(p, k, p[k].ts);
			p[k].y = y;
			continue;
		}
		if (dt > LAD_BREAK_NS) {
			y += LAD_BREAK_DY;
			p[k].brk = 1;
		} else if (k) {
			double dy = (double)dt * scale;

			y += dy > p[k].min_dy ? dy : p[k].min_dy;
		}
		p[k].y = y;
	}
	h = y + 80;
	row_y = xcalloc(v.n, sizeof(*row_y));
	placed = xcalloc(v.n + 1, sizeof(*placed));
	for (size_t k = 0; k < np; k++)
		if (p[k].row != SIZE_MAX)
			row_y[p[k].row] = p[k].y;

	tr_fmt_clock(when, sizeof(when), fmt, v.t0);
	snprintf(title, sizeof(title), "tcptrail: ladder of connection %u (cookie %" PRIu64 ") from %s",
		 c->id, c->cookie, when);
	tr_svg_begin(f, w, h, title);
	tr_svg_text(f, 10, 18, "font-size=\"13\" font-weight=\"bold\"", title);
	side_head(f, xl, v.name[0], left, right, v.have_isn[0], v.isn[0]);
	side_head(f, xr, v.name[1], right, left, v.have_isn[1], v.isn[1]);
	tr_svg_line(f, xl, 66, xl, h - 50, "stroke=\"#000000\" stroke-width=\"2\"");
	tr_svg_line(f, xr, 66, xr, h - 50, "stroke=\"#000000\" stroke-width=\"2\"");
	tr_svg_text(f, 10, 80, "fill=\"#444444\"", "ms");

	/* Cut gaps: a zigzag across both columns and how long they were. */
	for (size_t k = 0; k < np; k++) {
		if (!p[k].brk || (k && p[k - 1].brk && p[k - 1].y == p[k].y))
			continue;
		double ym = p[k].y - LAD_BREAK_DY / 2;

		fprintf(f, "<g class=\"break\">\n");
		tr_svg_rect(f, xl - 20, ym - 6, xr - xl + 40, 12, "fill=\"#ffffff\"", NULL);
		fprintf(f, "<path d=\"M%.1f %.1fl10 -5l10 10l10 -5M%.1f %.1fl10 -5l10 10l10 -5\" "
			   "fill=\"none\" stroke=\"#888888\"/>\n", xl - 15, ym, xr - 15, ym);
		tr_fmt_ms(buf, sizeof(buf), p[k].ts - p[k - 1].ts);
		snprintf(title, sizeof(title), "%s ms later", buf);
		tr_svg_text(f, (xl + xr) / 2, ym + 4, "text-anchor=\"middle\" fill=\"#888888\"", title);
		fputs("</g>\n", f);
	}

	for (size_t k = 0; k < v.n; k++) {
		const struct tr_ladder_row *r = &v.rows[k];
		double yr = row_y[k];

		tr_fmt_ms(buf, sizeof(buf), r->ts - v.t0);
		tr_svg_text(f, 10, yr + 4, "class=\"ms\" fill=\"#444444\"", buf);
		if (r->label[0][0])
			tr_svg_text(f, xl - 8, yr + 4, "class=\"state-label\" text-anchor=\"end\"",
				 r->label[0]);
		if (r->label[1][0])
			tr_svg_text(f, xr + 8, yr + 4, "class=\"state-label\"", r->label[1]);
		if (r->arrow) {
			uint64_t s = r->proof_ts[0], e = r->proof_ts[1];
			double x1 = r->from ? xr : xl, x2 = r->from ? xl : xr, y1, y2;
			const char *colour = r->rst ? "#8b0000" : r->retrans ? "#d62728" : "#000000";

			/* Sent no later than either proof; received no later than its own. */
			if (s && e && s != e) {
				y1 = s < e && s != r->ts ? ypos(p, np, s) : yr;
				y2 = e == r->ts ? yr : ypos(p, np, e);
			} else {
				y1 = y2 = yr;	/* one proof, or both at once: its row */
			}
			fprintf(f, "<g class=\"%s\">\n", r->rst ? "arrow-rst" :
				r->retrans ? "arrow-retrans" : "arrow");
			snprintf(title, sizeof(title), "%s; %s%s%s", r->text, r->proof[0],
				 r->proof[0][0] && r->proof[1][0] ? "; " : "", r->proof[1]);
			tr_svg_title(f, title);
			tr_svg_line(f, x1, y1, x2, y2, r->retrans ?
				 "stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"" :
				 r->rst ? "stroke=\"#8b0000\" stroke-width=\"2\"" :
				 "stroke=\"#000000\" stroke-width=\"1.2\"");
			arrowhead(f, x1, y1, x2, y2, colour);
			place_label(placed, &nplaced, x1, y1, x2, y2, strlen(r->text), &lx, &ly);
			tr_svg_text(f, lx, ly, "text-anchor=\"middle\"", r->text);
			fputs("</g>\n", f);
		}
	}
	tr_svg_text(f, 10, h - 30, "class=\"note\" fill=\"#444444\"",
		 "time runs down to scale, rows at least 20 px apart; gaps over 1 s cut short. "
		 "Red dashed: sent again (retrans, synack_retrans); dark red: RST.");
	tr_svg_text(f, 10, h - 16, "class=\"note\" fill=\"#444444\"",
		 "Each arrow is what a record proves: hover for the records. Sent no later than "
		 "its first proof, received no later than the receiver's.");
	tr_svg_end(f);
	free(p);
	free(row_y);
	free(placed);
	tr_ladder_view_free(&v);
}
