// SPDX-License-Identifier: GPL-2.0
/* test_format.c - golden text/JSON/CSV output for IPv4 and IPv6 records, escaping, relative seq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "format.h"
#include "tap.h"

static const char *const fixed_time[] = { "TCPTRAIL_TIME_OFFSET_NS=" FX_OFFSET, NULL };

/* Write the synthetic dumps once; return their paths, or a real capture's ("curl", "timewait"). */
const char *fx_path(const char *name);
const char *fx_path(const char *name)
{
	static char pair[4200], v6[4200];
	struct tcptrail_event evs[FX_MAX];

	if (!pair[0]) {
		snprintf(pair, sizeof(pair), "%s/pair.bin", tmpdir_make());
		snprintf(v6, sizeof(v6), "%s/v6.bin", tmpdir_make());
		fx_write_dump(pair, NULL, evs, fx_pair(evs));
		fx_write_dump(v6, NULL, evs, fx_v6(evs));
	}
	if (!strcmp(name, "pair"))
		return pair;
	if (!strcmp(name, "v6"))
		return v6;
	return !strcmp(name, "curl") ? fx_capture_path("curl.bin") : fx_capture_path("timewait.bin");
}

static void golden_run(const char *fx, const char *opt1, const char *opt2, const char *golden)
{
	const char *args[8];
	struct run_result r;
	int n = 0;

	args[n++] = "--file";
	args[n++] = fx_path(fx);
	if (opt1)
		args[n++] = opt1;
	if (opt2)
		args[n++] = opt2;
	args[n] = NULL;
	run_tcptrail(args, fixed_time, &r);
	if (!tap_ok(r.status == 0, "tcptrail --file %s %s %s exits 0", fx, opt1 ? opt1 : "",
		    opt2 ? opt2 : ""))
		tap_diag("stderr: %s", r.err);
	tap_golden(golden, r.out, r.outlen);
	run_free(&r);
}

static char *capture_json_string(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tr_fmt_json_string(f, s);
	fclose(f);
	return buf;
}

static void escaping(void)
{
	char *j;

	j = capture_json_string("a\"b\\c\n\x01\t");
	tap_ok(!strcmp(j, "\"a\\\"b\\\\c\\n\\u0001\\t\""), "json: quote, backslash, control bytes (%s)", j);
	free(j);
	j = capture_json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	tap_ok(!strcmp(j, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""), "json: valid UTF-8 kept");
	free(j);
	j = capture_json_string("\xff\xc3(\xe2\x82\xc0\x80\xed\xa0\x80");
	tap_ok(!strcmp(j, "\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""),
	       "json: invalid, overlong and surrogate UTF-8 become U+FFFD (%s)", j);
	free(j);
	j = capture_json_string("trunc\xe2\x82");
	tap_ok(!strcmp(j, "\"trunc\\ufffd\\ufffd\""), "json: a sequence cut by the 15-byte comm");
	free(j);
}

static void helpers(void)
{
	char buf[64];
	uint8_t a4[16] = { 10, 0, 0, 1 };
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct tr_fmt fmt = { .wall_offset_ns = 1700000000000000000ll };

	tr_fmt_addrport(buf, sizeof(buf), 2, a4, 80);
	tap_ok(!strcmp(buf, "10.0.0.1:80"), "addr:port IPv4");
	tr_fmt_addrport(buf, sizeof(buf), 10, a6, 443);
	tap_ok(!strcmp(buf, "[2001:db8::1]:443"), "addr:port IPv6 in brackets");
	tr_fmt_ms(buf, sizeof(buf), 60000000000ull);
	tap_ok(!strcmp(buf, "60000.000"), "ms with 3 decimals");
	tr_fmt_ms(buf, sizeof(buf), 1999999);
	tap_ok(!strcmp(buf, "1.999"), "ms truncated to the microsecond");
	tr_fmt_iso(buf, sizeof(buf), &fmt, FX_TS0 + 5);
	tap_ok(!strcmp(buf, "2023-11-14T22:30:00.000000005Z"), "ISO 8601 UTC with ns (%s)", buf);
}

static char *format_one(enum tr_format format, const struct tcptrail_event *ev)
{
	struct tr_fmt fmt = { .format = format, .wall_offset_ns = 1700000000000000000ll };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tr_fmt_print_event(f, &fmt, ev, NULL);
	fclose(f);
	return buf;
}

/* ABI 1.1: why a connection ended, what the application saw, retransmits. */
static void why_events(void)
{
	struct tcptrail_event close = {
		.kind = TCPTRAIL_EV_STATE, .ts_ns = FX_TS0, .family = 2,
		.old_state = TCPTRAIL_SYN_SENT, .new_state = TCPTRAIL_CLOSE, .dur_ns = 7000000000ull,
		.cause = TCPTRAIL_CAUSE_SYN_TIMEOUT, .err = 110,
	};
	struct tcptrail_event rt = {
		.kind = TCPTRAIL_EV_RETRANS, .ts_ns = FX_TS0, .family = 2,
		.old_state = TCPTRAIL_SYN_SENT, .new_state = TCPTRAIL_SYN_SENT, .dur_ns = 3000000000ull,
		.count = 2, .timeout_ns = 2000000000ull,
		.flags = TCPTRAIL_F_SYN | TCPTRAIL_F_RTO | TCPTRAIL_F_SOFTIRQ,
	};
	struct tcptrail_event odd = close;
	char *t;

	t = format_one(TR_FMT_TEXT, &close);
	tap_ok(strstr(t, "SYN_SENT    -> CLOSE") && strstr(t, " cause=syn_timeout errno=ETIMEDOUT\n"),
	       "why: text CLOSE with its cause and errno (%s)", t);
	free(t);
	t = format_one(TR_FMT_JSON, &close);
	tap_ok(strstr(t, ",\"cause\":\"syn_timeout\",\"errno\":\"ETIMEDOUT\"}") != NULL,
	       "why: JSON CLOSE with cause and errno (%s)", t);
	free(t);
	t = format_one(TR_FMT_CSV, &close);
	tap_ok(strstr(t, ",syn_timeout,,,,,,,,,ETIMEDOUT\n") != NULL, "why: CSV CLOSE, cause and errno columns (%s)", t);
	free(t);
	odd.cause = 200;
	odd.err = 250;
	t = format_one(TR_FMT_TEXT, &odd);
	tap_ok(strstr(t, " cause=cause_200 errno=250\n") != NULL,
	       "why: a cause from a newer minor and an unnamed errno still print (%s)", t);
	free(t);
	t = format_one(TR_FMT_TEXT, &rt);
	/* 119 columns and its note: the note goes on a line of its own. */
	tap_ok(strstr(t, "retrans SYN_SENT") && strstr(t, " 3000.000\n             syn rto#2 rto=2000.000ms\n"),
	       "why: text retrans, time since the first SYN, RTO number and value (%s)", t);
	free(t);
	t = format_one(TR_FMT_JSON, &rt);
	tap_ok(strstr(t, "\"event\":\"retrans\"") &&
	       strstr(t, ",\"count\":2,\"syn\":true,\"fin\":false,\"rto\":true,") &&
	       strstr(t, "\"timeout_ns\":2000000000"),
	       "why: JSON retrans with count, flags and timeout (%s)", t);
	free(t);
	t = format_one(TR_FMT_CSV, &rt);
	tap_ok(strstr(t, ",retrans,") && strstr(t, ",,,2000000000,,,,,2,,\n"),
	       "why: CSV retrans with timeout and count (%s)", t);
	free(t);
}

void test_format(void)
{
	escaping();
	helpers();
	why_events();
	golden_run("pair", NULL, NULL, "pair.txt");
	golden_run("pair", "-r", NULL, "pair_relative.txt");
	golden_run("pair", "-o", "json", "pair.json");
	golden_run("pair", "-o", "csv", "pair.csv");
	golden_run("v6", NULL, NULL, "v6.txt");
	golden_run("v6", "-o", "json", "v6.json");
	golden_run("v6", "-o", "csv", "v6.csv");
	golden_run("pair", "-t", NULL, "pair_timeline.txt");
	golden_run("v6", "-t", NULL, "v6_timeline.txt");
	golden_run("curl", "-t", "-r", "curl_timeline.txt");
	golden_run("curl", "-o", "json", "curl.json");
	golden_run("timewait", "-o", "csv", "timewait_events.csv");
}
