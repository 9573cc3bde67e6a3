// SPDX-License-Identifier: GPL-2.0
/* test_conventions.c - issue 11: line widths, machine output, filters, times, peer habits, fuzzing. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fixtures.h"
#include "tap.h"

const char *fx_path(const char *name);

static const char *const fixed_time[] = { "TCPTRAIL_TIME_OFFSET_NS=" FX_OFFSET, NULL };

static size_t widest_line(const char *s)
{
	size_t w = 0;

	while (*s) {
		size_t n = strcspn(s, "\n");

		if (n > w)
			w = n;
		s += n + (s[n] == '\n');
	}
	return w;
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, "\n");

		if (!needle || memmem(s, len, needle, strlen(needle)))
			n++;
		s += len + (s[len] == '\n');
	}
	return n;
}

/* Run tcptrail on a fixture with up to 4 more arguments. */
static void on(const char *fx, struct run_result *r, const char *const *env, const char *a1,
	       const char *a2, const char *a3, const char *a4)
{
	const char *args[8] = { "--file", fx_path(fx), a1, a2, a3, a4, NULL };

	run_tcptrail(args, env ? env : fixed_time, r);
}

/* #5: the default text fits a terminal; -W is the wide, aligned form. */
static void widths(void)
{
	struct run_result r;
	const char *p;

	on("pair", &r, NULL, NULL, NULL, NULL, NULL);
	tap_ok(r.status == 0 && widest_line(r.out) <= 120,
	       "width: default IPv4 text lines fit 120 columns (widest %zu)", widest_line(r.out));
	tap_ok(strstr(r.out, "127.0.0.1:40000       127.0.0.1:8080        CLOSE       -> SYN_SENT") &&
	       !strstr(r.out, "4294967290"),
	       "width: narrow address columns, no sequence columns by default");
	run_free(&r);
	on("curl", &r, NULL, "-t", NULL, NULL, NULL);
	/* The events (a refused connect's cause and errno wrap), timelines, ladders. */
	p = strstr(r.out, "\n\n");
	tap_ok(r.status == 0 && p && widest_line(r.out) <= 120,
	       "width: the VM capture's events, timelines and ladder fit 120 columns (widest %zu)",
	       widest_line(r.out));
	tap_ok(strstr(r.out, "SYN_SENT    -> CLOSE            8.455\n"
			     "             cause=refused errno=ECONNREFUSED\n") != NULL,
	       "width: a note that would pass 120 columns goes on the next line, indented");
	run_free(&r);
	on("pair", &r, NULL, "-W", NULL, NULL, NULL);
	tap_golden("pair_wide.txt", r.out, r.outlen);
	run_free(&r);
	on("v6", &r, NULL, "--wide", NULL, NULL, NULL);
	tap_golden("v6_wide.txt", r.out, r.outlen);
	run_free(&r);
}

/* #6: JSON and CSV carry what text shows: flags, and relative numbers with -r. */
static void machine_output(void)
{
	struct run_result r, t;
	const char *p;
	int ok = 1, rows = 0;

	on("v6", &r, NULL, "-o", "json", NULL, NULL);
	tap_ok(strstr(r.out, "\"event\":\"syn_recv\"") && strstr(r.out, "\"flags\":[\"syncookie\"]") &&
	       strstr(r.out, "\"flags\":[\"table_full\"]") && strstr(r.out, "\"flags\":[]"),
	       "json: flags text shows (syncookie, table_full) are carried");
	run_free(&r);
	on("v6", &r, NULL, "-o", "csv", NULL, NULL);
	tap_ok(strstr(r.out, ",count,flags,errno\n") && strstr(r.out, ",,syncookie,\n") &&
	       strstr(r.out, ",,table_full,\n"), "csv: a flags column");
	run_free(&r);

	/* rel_seq/rel_ack say what text -r says, event for event ("-" is null). */
	on("pair", &t, NULL, "-r", "-H", NULL, NULL);
	on("pair", &r, NULL, "-r", "-o", "json", NULL);
	p = r.out;
	for (const char *line = t.out; *line; rows++) {
		/* -r is wide: REL_SEQ and REL_ACK are the 10 columns at 182 and 193. */
		char seq[16], ack[16], want[80];
		size_t len = strcspn(line, "\n");

		if (len < 203)
			break;
		sscanf(line + 182, "%15s", seq);
		sscanf(line + 193, "%15s", ack);
		snprintf(want, sizeof(want), "\"rel_seq\":%s,\"rel_ack\":%s",
			 strcmp(seq, "-") ? seq : "null", strcmp(ack, "-") ? ack : "null");
		len = strcspn(p, "\n");
		ok &= memmem(p, len, want, strlen(want)) != NULL;
		p += len + (p[len] == '\n');
		line += strcspn(line, "\n");
		line += *line == '\n';
	}
	tap_ok(ok && rows == 13, "json -r: rel_seq/rel_ack equal text's REL_SEQ/REL_ACK (%d rows)",
	       rows);
	run_free(&r);
	run_free(&t);
	on("pair", &r, NULL, "-r", "-o", "csv", NULL);
	tap_ok(strstr(r.out, ",count,flags,errno,rel_seq,rel_ack\n") &&
	       strstr(r.out, ",4294967290,,0,0,0,65483,65483,32741,40,,,,,,,,,,,,\n"),
	       "csv -r: rel_seq and rel_ack columns, empty where text has '-'");
	run_free(&r);
}

/* #7: the ring position and snd_nxt have names that cannot be confused. */
static void names(void)
{
	struct run_result r;

	on("pair", &r, NULL, "-o", "json", NULL, NULL);
	tap_ok(count_lines(r.out, "{\"pos\":") == 13 && !strstr(r.out, "\"seq\""),
	       "json: the ring position is pos, there is no seq key");
	run_free(&r);
	on("pair", &r, NULL, "-o", "csv", NULL, NULL);
	tap_ok(!strncmp(r.out, "pos,ts_ns,", 10), "csv: the first column is pos");
	run_free(&r);
	on("pair", &r, NULL, "-W", NULL, NULL, NULL);
	tap_ok(strstr(r.out, " SND_NXT    RCV_NXT\n") && !strstr(r.out, " SEQ "),
	       "text: the columns are SND_NXT and RCV_NXT");
	run_free(&r);
}

/* #8: repeats combine, from the command line to the output. */
static void repeats(void)
{
	struct run_result r;

	on("pair", &r, NULL, "-a", "127.0.0.0/8", "-a", "10.0.0.0/8");
	tap_ok(r.status == 0 && count_lines(r.out, "127.0.0.1") == 13,
	       "filters: -a 127.0.0.0/8 -a 10.0.0.0/8 shows the loopback events");
	run_free(&r);
	on("pair", &r, NULL, "-s", "ESTABLISHED", "-s", "LISTEN");
	/* syn_recv is LISTEN -> NEW_SYN_RECV, as the module records it. */
	tap_ok(strstr(r.out, "LISTEN      -> SYN_RECV") && strstr(r.out, "SYN_SENT    -> ESTABLISHED") &&
	       count_lines(r.out, "syn_recv") == 1 && count_lines(r.out, NULL) == 7,
	       "filters: -s ESTABLISHED -s LISTEN shows both states' changes, the SYN's arrival too");
	run_free(&r);
	on("pair", &r, NULL, "-s", "listen", "--comm", "curl");
	tap_ok(count_lines(r.out, NULL) == 1, "filters: AND across keys (LISTEN and curl: none)");
	run_free(&r);
	{
		/* The kernel gets one covering prefix in one write, and it is put back. */
		char dir[4200], kv[4300], *ctl;
		const char *env[] = { kv, "TCPTRAIL_TIME_OFFSET_NS=" FX_OFFSET, NULL };
		const char *args[] = { "-a", "127.0.0.0/8", "-a", "10.0.0.0/8", "-s", "fin-wait-1",
				       "-s", "time-wait", NULL };
		struct tcptrail_event evs[FX_MAX];
		int n = fx_pair(evs);

		snprintf(dir, sizeof(dir), "%s/proc-repeats", tmpdir_make());
		mkdir(dir, 0755);
		snprintf(kv, sizeof(kv), "%s/raw", dir);
		fx_write_dump(kv, NULL, evs, n);
		snprintf(kv, sizeof(kv), "%s/control", dir);
		write_file(kv, "", 0);
		snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
		run_tcptrail(args, env, &r);
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/control");
		ctl = read_file(dir, NULL);
		tap_ok(r.status == 0 && ctl &&
		       !strcmp(ctl, "addr 0.0.0.0/1\nstate FIN_WAIT1,TIME_WAIT\naddr any\nstate any\n"),
		       "filters: repeats reach the kernel as one covering prefix and one state list");
		free(ctl);
		run_free(&r);
	}
}

/* #9: a capture without its clock offset is said so; --time picks the form. */
static void times(void)
{
	const char *copy = NULL;
	struct run_result r;

	on("pair", &r, (const char *const[]){ NULL }, NULL, NULL, NULL, NULL);
	tap_ok(r.status == 0 && count_lines(r.err, "has no clock offset") == 1 &&
	       strstr(r.err, "--time=rel"), "time: a capture without its offset: one warning");
	run_free(&r);
	on("pair", &r, (const char *const[]){ NULL }, "--time=rel", NULL, NULL, NULL);
	tap_ok(r.status == 0 && !strstr(r.err, "clock offset") &&
	       strstr(r.out, "\n0.000000     1234    curl") && strstr(r.out, "\n60.001120    1234"),
	       "time: --time=rel needs no offset: seconds since the first event");
	run_free(&r);
	on("pair", &r, NULL, "--time=date", NULL, NULL, NULL);
	tap_ok(strstr(r.out, "\n2023-11-14 22:30:00.000 1234    curl ") &&
	       widest_line(r.out) <= 131, "time: --time=date has the date");
	run_free(&r);
	on("pair", &r, NULL, "--time", "epoch", NULL, NULL);
	tap_ok(strstr(r.out, "\n1700001000.000000 1234 ") != NULL,
	       "time: --time epoch is seconds since 1970");
	run_free(&r);
	{
		/* Saved by -w, the copy has its offset: no warning when replayed. */
		const char *args[] = { "--file", fx_path("pair"), "-w", NULL, NULL };
		const char *replay[] = { "--file", NULL, NULL };

		copy = strcat(strcpy(malloc(4300), tmpdir_make()), "/with-offset.bin");
		args[3] = copy;
		replay[1] = copy;
		run_tcptrail(args, fixed_time, &r);
		run_free(&r);
		run_tcptrail(replay, NULL, &r);
		tap_ok(r.status == 0 && !strstr(r.err, "clock offset") &&
		       strstr(r.out, "\n22:30:00.000 1234 "),
		       "time: a capture saved by -w has its offset: no warning");
		run_free(&r);
		free((void *)copy);
	}
}

/* The peer tools' habits: -c N, -H, stats -o json, -4/-6, cookies as ss prints them. */
static void peers(void)
{
	struct run_result r;
	struct stat st;
	char copy[4300];

	snprintf(copy, sizeof(copy), "%s/count.bin", tmpdir_make());
	on("pair", &r, NULL, "-c3", "-otext", "-w", copy);
	tap_ok(r.status == 0 && count_lines(r.out, NULL) == 4 && !stat(copy, &st) &&
	       st.st_size == 4 * 176, "count: -c 3 stops after 3 events; -w holds 3 records");
	run_free(&r);
	on("pair", &r, NULL, "--count", "1", "--state", "last-ack");
	tap_ok(count_lines(r.out, "CLOSE_WAIT  -> LAST_ACK") == 1 && count_lines(r.out, NULL) == 2,
	       "count: counts the events shown, after filters");
	run_free(&r);
	on("pair", &r, NULL, "-H", "-c", "1", NULL);
	tap_ok(count_lines(r.out, NULL) == 1 && !strstr(r.out, "TIME"), "header: -H drops it (text)");
	run_free(&r);
	on("pair", &r, NULL, "--no-header", "-o", "csv", NULL);
	tap_ok(count_lines(r.out, NULL) == 13 && strncmp(r.out, "pos,", 4),
	       "header: --no-header drops it (CSV)");
	run_free(&r);
	on("v6", &r, NULL, "-4", NULL, NULL, NULL);
	tap_ok(count_lines(r.out, NULL) == 1, "family: -4 on an IPv6 capture shows nothing");
	run_free(&r);
	on("v6", &r, NULL, "-6", "-4", NULL, NULL);
	/* 12 events and the header, and tw_skip's flag on a line of its own */
	tap_ok(count_lines(r.out, NULL) == 14, "family: -4 -6 shows both");
	run_free(&r);
	on("pair", &r, NULL, "--cookie", "sk:1001", NULL, NULL);
	tap_ok(count_lines(r.out, " curl ") == 7 && !strstr(r.out, "server"),
	       "cookie: --cookie sk:1001 (ss -e's form) is cookie 4097");
	run_free(&r);
	on("pair", &r, NULL, "-t", NULL, NULL, NULL);
	tap_ok(strstr(r.out, "cookie 4097 (ss sk:1001)") != NULL,
	       "cookie: timelines show it as ss -e does too");
	run_free(&r);
	{
		char dir[4200], kv[4300];
		const char *env[] = { kv, NULL };
		const char *args[] = { "stats", "-o", "json", NULL };

		snprintf(dir, sizeof(dir), "%s/proc-stats", tmpdir_make());
		mkdir(dir, 0755);
		snprintf(kv, sizeof(kv), "%s/stats", dir);
		write_file(kv, "abi 1.0\nhook_mode tracepoint\nevents.state 12\noverwritten 0\n", 59);
		snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
		run_tcptrail(args, env, &r);
		tap_ok(r.status == 0 && !strcmp(r.out, "{\"abi\":\"1.0\",\"hook_mode\":\"tracepoint\","
						       "\"events.state\":12,\"overwritten\":0}\n"),
		       "stats -o json: one object, counters as numbers");
		run_free(&r);
	}
	{
		const char *args[] = { "--help", NULL };

		run_tcptrail(args, NULL, &r);
		tap_ok(strstr(r.out, "-c, --count N") && strstr(r.out, "    --comm COMM") &&
		       strstr(r.out, "-W, --wide") && strstr(r.out, "-H, --no-header") &&
		       strstr(r.out, "--time FMT") && strstr(r.out, "EXAMPLES:") &&
		       widest_line(r.out) <= 80, "help: the new options, EXAMPLES, 80 columns");
		run_free(&r);
	}
}

/* #10: the decoder and every output form under ASan+UBSan, on mutated fixtures. */
static void fuzz(void)
{
	const char *args[] = { "10000", "8", NULL };
	const char *self[] = { "--ubsan-selftest", NULL };
	struct run_result r;

	run_program(TR_FUZZ, self, NULL, &r);
	tap_ok(r.status != 0 && strstr(r.err, "runtime error"),
	       "fuzz: a UBSan report fails the fuzzer (status %d)", r.status);
	run_free(&r);
	run_program(TR_FUZZ, args, NULL, &r);
	if (!tap_ok(r.status == 0 && !r.errlen && strstr(r.out, "mutated captures replayed"),
		    "fuzz: mutated captures decode and print clean under ASan+UBSan: %.*s",
		    (int)strcspn(r.out, "\n"), r.out))
		tap_diag("%s", r.err);
	run_free(&r);
}

/*
 * The reader's names are its own (tr_): the module's are tt_, and the same
 * name meaning two things (tt_conn, tt_filter) misleads. A comment may
 * still name a kernel function it mirrors ("the kernel's tt_...").
 */
static void prefixes(void)
{
	char dir[512], path[1024], line[512];
	const char *slash = strrchr(TR_BIN, '/');
	int files = 0, hits = 0;
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - TR_BIN), TR_BIN);
	dp = opendir(dir);
	while (dp && (d = readdir(dp))) {
		size_t n = strlen(d->d_name);
		FILE *f;

		if (n < 3 || d->d_name[n - 2] != '.' ||
		    (d->d_name[n - 1] != 'c' && d->d_name[n - 1] != 'h'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		files++;
		while (fgets(line, sizeof(line), f)) {
			for (const char *p = line; (p = strpbrk(p, "tT")); p++) {
				if ((p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) ||
				    strncasecmp(p, "tt_", 3) || strstr(line, "kernel's"))
					continue;
				if (!hits++)
					tap_diag("%s: %s", d->d_name, line);
			}
		}
		fclose(f);
	}
	if (dp)
		closedir(dp);
	tap_ok(files >= 20 && !hits,
	       "names: the reader's sources use tr_, not the module's tt_ (%d files, %d hits)", files,
	       hits);
}

void test_conventions(void)
{
	widths();
	machine_output();
	names();
	repeats();
	times();
	peers();
	fuzz();
	prefixes();
}
