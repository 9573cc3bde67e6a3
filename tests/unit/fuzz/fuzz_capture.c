// SPDX-License-Identifier: GPL-2.0
/* fuzz_capture.c - mutated fixture captures through the decoder, every output form and timewait rows, under ASan+UBSan. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter.h"
#include "fixtures.h"
#include "format.h"
#include "record.h"
#include "summary.h"
#include "timewait.h"

#define MAX_RECS (FX_MAX + 2)

static uint64_t rng = 0x7463707472616931ull;	/* fixed: a failure replays */

static uint64_t rnd(void)
{
	/* xorshift64*: plenty for picking bytes. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

struct cap {
	unsigned char buf[(MAX_RECS + 1) * TR_REC];
	size_t len;
};

static struct cap seeds[4];
static int nseeds;

static void add_records(const struct tcptrail_event *evs, int n, int with_offset)
{
	struct tcptrail_header h;
	struct cap *c = &seeds[nseeds++];

	fx_header(&h, TCPTRAIL_MAGIC, TCPTRAIL_ABI_MAJOR, TCPTRAIL_ABI_MINOR, TCPTRAIL_RECORD_SIZE);
	if (with_offset)
		tr_header_set_wall_offset(&h, 1700000000000000000ll);
	memcpy(c->buf, &h, sizeof(h));
	memcpy(c->buf + sizeof(h), evs, (size_t)n * sizeof(evs[0]));
	c->len = sizeof(h) + (size_t)n * sizeof(evs[0]);
}

static void add_seed(int (*fx)(struct tcptrail_event *), int with_offset)
{
	struct tcptrail_event evs[FX_MAX];

	add_records(evs, fx(evs), with_offset);
}

/* A real capture from the VM: its records, the header made anew. */
static void add_capture(const char *name)
{
	struct tcptrail_event evs[FX_MAX];
	int n = fx_capture(name, evs, FX_MAX);

	if (n < 0) {
		fprintf(stderr, "fuzz-capture: cannot read %s\n", fx_capture_path(name));
		exit(2);
	}
	add_records(evs, n, 1);
}

/* What the reader does with a capture, in one output form. */
static void replay(const struct cap *c, const struct tr_fmt *base, const struct tr_filter *flt,
		   FILE *out)
{
	struct tcptrail_header h;
	struct tr_fmt fmt = *base;
	struct tr_trail *t;
	struct tr_twrows *tw;
	char msg[512];
	int64_t off;
	int have_t0 = 0;

	if (tr_check_header(c->buf, c->len, "fuzz", &h, msg, sizeof(msg)) != TR_HDR_OK)
		return;
	if (tr_header_get_wall_offset(&h, &off))
		fmt.wall_offset_ns = off;
	t = tr_trail_new();
	tw = tr_twrows_new();
	tr_fmt_print_header(out, &fmt);
	for (size_t at = TR_REC; at + TR_REC <= c->len; at += TR_REC) {
		struct tcptrail_event ev;
		const struct tr_conn *conn = NULL;
		const char *why;

		if (tr_decode_event(c->buf + at, TR_REC, &ev, &why) != TR_EV_OK)
			continue;
		if (ev.kind != TCPTRAIL_EV_LOST && !have_t0) {
			fmt.t0_ns = ev.ts_ns;
			have_t0 = 1;
		}
		if (!tr_filter_match(flt, &ev, 1))
			continue;
		if (ev.kind == TCPTRAIL_EV_LOST) {
			tr_fmt_print_lost(out, &ev);
		} else {
			conn = tr_trail_add(t, &ev);
			tr_twrows_add(tw, &ev);
		}
		tr_fmt_print_event(out, &fmt, &ev, conn ? &conn->isns : NULL);
	}
	if (fmt.format == TR_FMT_TEXT)
		tr_trail_print(out, t, &fmt, t->last_ts);
	tr_twrows_print(out, tw, fmt.format, 0);
	tr_twrows_free(tw);
	tr_trail_free(t);
}

static void replay_all(const struct cap *c, FILE *out)
{
	static const struct tr_fmt forms[] = {
		{ .format = TR_FMT_TEXT },
		{ .format = TR_FMT_TEXT, .wide = 1, .relative = 1, .time = TR_TIME_DATE },
		{ .format = TR_FMT_TEXT, .time = TR_TIME_EPOCH },
		{ .format = TR_FMT_TEXT, .time = TR_TIME_REL },
		{ .format = TR_FMT_JSON, .relative = 1 },
		{ .format = TR_FMT_CSV, .relative = 1 },
	};
	struct tr_filter none, some;
	char err[256];

	memset(&none, 0, sizeof(none));
	memset(&some, 0, sizeof(some));
	tr_filter_add_addr(&some, TR_EITHER, "127.0.0.0/8", err, sizeof(err));
	tr_filter_add_addr(&some, TR_EITHER, "::ffff:192.0.2.0/120", err, sizeof(err));
	tr_filter_add_states(&some, "established,time-wait,close", err, sizeof(err));
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct tr_fmt f = forms[i];

		f.wall_offset_ns = 1700000000000000000ll;
		replay(c, &f, &none, out);
	}
	replay(c, &forms[0], &some, out);
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void mutate(struct cap *c)
{
	static const uint64_t odd[] = {
		0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
		0x7fffffffffffffffull - 1700000000000000000ull + 1, 0xffffffff, 0x80000000,
	};
	int n = 1 + (int)(rnd() % 8);

	while (n--) {
		size_t at = c->len ? rnd() % c->len : 0;

		switch (rnd() % 7) {
		case 0:		/* a bit */
			if (c->len)
				c->buf[at] ^= (unsigned char)(1u << (rnd() % 8));
			break;
		case 1:		/* a byte */
			if (c->len)
				c->buf[at] = (unsigned char)rnd();
			break;
		case 2:		/* an aligned 8-byte field: ts_ns, cookie, dur_ns, the offset, ... */
			at &= ~(size_t)7;
			if (at + 8 <= c->len)
				put64(c->buf + at, odd[rnd() % (sizeof(odd) / sizeof(odd[0]))]);
			break;
		case 3:		/* a small field to a small value: kinds, states, family */
			if (c->len)
				c->buf[at] = (unsigned char)(rnd() % 16);
			break;
		case 4:		/* cut */
			c->len = at;
			break;
		case 5:		/* a record again, elsewhere */
			if (c->len >= 3 * TR_REC && c->len + TR_REC <= sizeof(c->buf)) {
				size_t from = TR_REC * (1 + rnd() % (c->len / TR_REC - 1));

				memcpy(c->buf + c->len, c->buf + from, TR_REC);
				c->len += TR_REC;
			}
			break;
		default:	/* the wall-clock offset, at the end of the header */
			if (c->len >= TR_REC)
				put64(c->buf + TR_REC - 8, odd[rnd() % (sizeof(odd) / sizeof(odd[0]))]);
			break;
		}
	}
}

/* Cases found before: each one alone, so that a failure names it. */
static void regressions(FILE *out)
{
	struct cap c = seeds[1];	/* pair, with the offset */

	/* Issue 11 #10: ts_ns near 2^63 plus a positive offset overflowed in wall_ns(). */
	put64(c.buf + TR_REC + 8, 0x7fffffffffffffffull - 5);
	replay_all(&c, out);
	put64(c.buf + TR_REC + 8, 0xffffffffffffffffull);
	put64(c.buf + TR_REC - 8, 0x7fffffffffffffffull);
	replay_all(&c, out);
	put64(c.buf + TR_REC - 8, 0x8000000000000000ull);
	replay_all(&c, out);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 2000;
	double budget = argc > 2 ? atof(argv[2]) : 15;
	FILE *out = fopen("/dev/null", "w");
	struct timespec t0, t1;
	long i;

	if (argc > 1 && !strcmp(argv[1], "--ubsan-selftest")) {
		/* Proves the build aborts on undefined behaviour. */
		volatile int64_t big = INT64_MAX;

		printf("%lld\n", (long long)(big + (argc > 1)));
		return 0;
	}
	if (!out)
		return 2;
	add_seed(fx_pair, 0);
	add_seed(fx_pair, 1);
	add_seed(fx_v6, 0);
	add_capture("curl.bin");
	regressions(out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < iters; i++) {
		struct cap c = seeds[rnd() % (uint64_t)nseeds];

		mutate(&c);
		replay_all(&c, out);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9 > budget)
			break;
	}
	fclose(out);
	printf("fuzz: %ld mutated captures replayed in every output form\n", i);
	return 0;
}
