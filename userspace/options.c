// SPDX-License-Identifier: GPL-2.0
/* options.c - the command line, parsed into struct tr_opts (apart from main so tests can call it). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

enum {
	OPT_LPORT = 256,
	OPT_RPORT,
	OPT_LADDR,
	OPT_RADDR,
	OPT_WAIT,
	OPT_COMM,
	OPT_COOKIE,
	OPT_TIME,
	OPT_BY,
	OPT_LADDER,
	OPT_CONN,
	OPT_PLOT,
};

/* No -c for --comm: -c N is a count in tcpdump, tshark and ping. */
static const char short_opts[] = "+:o:O:rWHtd:Nc:p:a:s:P:n:f:w:46hV";

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "out-file", required_argument, NULL, 'O' },
	{ "relative", no_argument, NULL, 'r' },
	{ "wide", no_argument, NULL, 'W' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "timeline", no_argument, NULL, 't' },
	{ "duration", required_argument, NULL, 'd' },
	{ "now", no_argument, NULL, 'N' },
	{ "count", required_argument, NULL, 'c' },
	{ "port", required_argument, NULL, 'p' },
	{ "lport", required_argument, NULL, OPT_LPORT },
	{ "rport", required_argument, NULL, OPT_RPORT },
	{ "addr", required_argument, NULL, 'a' },
	{ "laddr", required_argument, NULL, OPT_LADDR },
	{ "raddr", required_argument, NULL, OPT_RADDR },
	{ "state", required_argument, NULL, 's' },
	{ "pid", required_argument, NULL, 'P' },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "netns", required_argument, NULL, 'n' },
	{ "cookie", required_argument, NULL, OPT_COOKIE },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "file", required_argument, NULL, 'f' },
	{ "raw-out", required_argument, NULL, 'w' },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "by", required_argument, NULL, OPT_BY },
	{ "ladder", no_argument, NULL, OPT_LADDER },
	{ "conn", required_argument, NULL, OPT_CONN },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_seconds(const char *s, double *v, int allow_minus_one, char *err, size_t errlen,
			 const char *opt)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end || !isfinite(d) || d > 1e9 ||
	    (d < 0 && !(allow_minus_one && d == -1)) || (!allow_minus_one && d <= 0)) {
		snprintf(err, errlen, "invalid %s '%s' (want %s)", opt, s,
			 allow_minus_one ? "seconds >= 0, or -1" : "seconds > 0");
		return -1;
	}
	*v = d;
	return 0;
}

/* One option; returns 0, 1 for --help, 2 for --version, -1 on error. */
static int one_option(int c, const char *arg, const char *bad, struct tr_opts *o, char *err,
		      size_t errlen)
{
	struct tr_filter *f = &o->filter;

	switch (c) {
	case 'o':
		if (!strcmp(arg, "text"))
			o->format = TR_FMT_TEXT;
		else if (!strcmp(arg, "json"))
			o->format = TR_FMT_JSON;
		else if (!strcmp(arg, "csv"))
			o->format = TR_FMT_CSV;
		else if (!strcmp(arg, "svg"))
			o->out = TR_OUT_SVG;
		else if (!strcmp(arg, "png"))
			o->out = TR_OUT_PNG;
		else if (!strcmp(arg, "prometheus"))
			o->out = TR_OUT_PROMETHEUS;
		else {
			snprintf(err, errlen, "invalid output format '%s' (want text, json, csv; "
				 "svg or png for plot; prometheus for stats and hist)", arg);
			return -1;
		}
		o->format_set = 1;
		return 0;
	case 'O':
		o->out_file = arg;
		return 0;
	case 'r':
		o->relative = 1;
		return 0;
	case 'W':
		o->wide = 1;
		return 0;
	case 'H':
		o->no_header = 1;
		return 0;
	case OPT_TIME: {
		static const char *const names[] = {
			[TR_TIME_ABS] = "abs", [TR_TIME_REL] = "rel", [TR_TIME_DATE] = "date",
			[TR_TIME_EPOCH] = "epoch",
		};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (!strcmp(arg, names[i])) {
				o->time = (enum tr_time)i;
				return 0;
			}
		}
		snprintf(err, errlen, "invalid time format '%s' (want abs, rel, date or epoch)", arg);
		return -1;
	}
	case 't':
		o->timeline = 1;
		return 0;
	case 'd':
		return parse_seconds(arg, &o->duration, 0, err, errlen, "duration");
	case 'N':
		o->now = 1;
		return 0;
	case 'c': {
		char *end;

		errno = 0;
		o->count = strtoull(arg, &end, 10);
		if (!isdigit((unsigned char)*arg) || *end || errno || !o->count) {
			snprintf(err, errlen, "invalid count '%s' (want a number of events >= 1)", arg);
			return -1;
		}
		return 0;
	}
	case 'p':
		return tr_filter_add_ports(f, TR_EITHER, arg, err, errlen);
	case OPT_LPORT:
		return tr_filter_add_ports(f, TR_LOCAL, arg, err, errlen);
	case OPT_RPORT:
		return tr_filter_add_ports(f, TR_REMOTE, arg, err, errlen);
	case 'a':
		return tr_filter_add_addr(f, TR_EITHER, arg, err, errlen);
	case OPT_LADDR:
		return tr_filter_add_addr(f, TR_LOCAL, arg, err, errlen);
	case OPT_RADDR:
		return tr_filter_add_addr(f, TR_REMOTE, arg, err, errlen);
	case 's':
		return tr_filter_add_states(f, arg, err, errlen);
	case 'P':
		return tr_filter_add_pid(f, arg, err, errlen);
	case OPT_COMM:
		return tr_filter_add_comm(f, arg, err, errlen);
	case 'n':
		return tr_filter_add_netns(f, arg, err, errlen);
	case OPT_COOKIE:
		return tr_filter_add_cookie(f, arg, err, errlen);
	case '4':
		f->families |= TR_FAM_4;
		return 0;
	case '6':
		f->families |= TR_FAM_6;
		return 0;
	case 'f':
		o->file = arg;
		return 0;
	case 'w':
		o->raw_out = arg;
		return 0;
	case OPT_BY:
		if (!strcmp(arg, "port"))
			o->hist_by = TR_HIST_PORT;
		else if (!strcmp(arg, "comm"))
			o->hist_by = TR_HIST_COMM;
		else {
			snprintf(err, errlen, "invalid --by '%s' (want port or comm)", arg);
			return -1;
		}
		o->hist_by_set = 1;
		return 0;
	case OPT_LADDER:
		o->ladder = 1;
		return 0;
	case OPT_CONN:
		o->have_conn = 1;
		o->ladder = 1;
		return tr_parse_cookie(arg, &o->conn, err, errlen);
	case OPT_PLOT:
		o->plot = arg;
		return 0;
	case OPT_WAIT:
		o->wait_set = 1;
		return parse_seconds(arg, &o->wait, 1, err, errlen, "wait");
	case 'h':
		return 1;
	case 'V':
		return 2;
	case ':':
		snprintf(err, errlen, "option '%s' needs a value", bad);
		return -1;
	default:
		snprintf(err, errlen, "unrecognized option '%s'", bad);
		return -1;
	}
}

/* getopt over argv[0..argc); the first non-option is left at *next. */
static int parse_span(int argc, char **argv, struct tr_opts *o, int *nopts, int *nformat,
		      int *next, char *err, size_t errlen)
{
	int c;

	optind = 0;	/* glibc: start over, also after an earlier call */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		char bad[64];
		int r;

		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				snprintf(bad, sizeof(bad), "-%c", optopt);
			else
				snprintf(bad, sizeof(bad), "%.60s", argv[optind - 1]);
		}
		r = one_option(c, optarg, bad, o, err, errlen);
		if (r)
			return r;
		(*nopts)++;
		*nformat += c == 'o';
	}
	*next = optind;
	return 0;
}

enum tr_opts_result tr_parse_options(int argc, char **argv, struct tr_opts *o, char *err,
				     size_t errlen)
{
	int nopts = 0, nformat = 0, next, r;

	memset(o, 0, sizeof(*o));
	o->wait = 5;
	err[0] = '\0';
	r = parse_span(argc, argv, o, &nopts, &nformat, &next, err, errlen);
	if (r == 0 && next < argc && (!strcmp(argv[next], "run") || !strcmp(argv[next], "stats") ||
				      !strcmp(argv[next], "hist") || !strcmp(argv[next], "timewait") ||
				      !strcmp(argv[next], "plot"))) {
		int sub = next;

		o->mode = argv[sub][0] == 'r' ? TR_MODE_RUN :
			  argv[sub][0] == 's' ? TR_MODE_STATS :
			  argv[sub][0] == 'h' ? TR_MODE_HIST :
			  argv[sub][0] == 't' ? TR_MODE_TIMEWAIT : TR_MODE_PLOT;
		r = parse_span(argc - sub, argv + sub, o, &nopts, &nformat, &next, err, errlen);
		next += sub;
	}
	if (r == 1)
		return TR_OPTS_HELP;
	if (r == 2)
		return TR_OPTS_VERSION;
	if (r < 0)
		return TR_OPTS_ERROR;

#define FAIL(...)                                   \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return TR_OPTS_ERROR;               \
	} while (0)

	if ((o->ladder || o->have_conn) && o->mode != TR_MODE_PLOT)
		FAIL("--ladder and --conn only apply to plot");
	if (o->plot && o->mode != TR_MODE_RUN)
		FAIL("--plot FILE only applies to run (plot writes to standard output)");
	if ((o->out == TR_OUT_SVG || o->out == TR_OUT_PNG) && o->mode != TR_MODE_PLOT)
		FAIL("-o svg and -o png only apply to plot");
	if (o->out == TR_OUT_PROMETHEUS && o->mode != TR_MODE_STATS && o->mode != TR_MODE_HIST)
		FAIL("-o prometheus only applies to stats and hist");

	switch (o->mode) {
	case TR_MODE_STATS:
		/* Only -o: the counters as a table, one JSON object or metrics. */
		if (nopts > nformat || next < argc)
			FAIL("stats takes no options but -o text|json|prometheus, and no arguments");
		if (o->format == TR_FMT_CSV)
			FAIL("stats prints text, JSON or metrics, not CSV");
		return TR_OPTS_OK;
	case TR_MODE_PLOT:
		if (next < argc)
			FAIL("unexpected argument '%s'", argv[next]);
		if (o->format != TR_FMT_TEXT)
			FAIL("plot draws SVG or PNG: -o svg|png");
		if (o->raw_out || o->timeline || o->wide || o->relative || o->count || o->wait_set ||
		    o->no_header || o->hist_by_set)
			FAIL("plot draws a picture: it takes filters, --file, --duration, --now, --time, "
			     "--ladder, --conn and -o svg|png");
		if (o->file && o->now)
			FAIL("--now skips what is buffered in the kernel: not with --file");
		if (o->out == TR_OUT_EVENTS)
			o->out = TR_OUT_SVG;
		return TR_OPTS_OK;
	case TR_MODE_RUN:
		if (next >= argc)
			FAIL("run needs a command: tcptrail run [OPTIONS] -- CMD [ARGS...]");
		o->cmd = argv + next;
		if (o->file)
			FAIL("run follows live events: --file does not go with it");
		if (o->duration)
			FAIL("run ends with its command: use --wait, not --duration");
		if (o->count)
			FAIL("run ends with its command: --count does not go with it");
		if (o->hist_by_set)
			FAIL("--by only applies to hist");
		o->now = 1;
		break;
	case TR_MODE_HIST:
		if (next < argc)
			FAIL("unexpected argument '%s'", argv[next]);
		if ((nformat && o->out != TR_OUT_PROMETHEUS) || o->format != TR_FMT_TEXT ||
		    o->raw_out || o->out_file || o->timeline || o->wide || o->relative || o->count || o->wait_set)
			FAIL("hist prints histograms: it takes filters, --file, --duration, --now, "
			     "--by and -o prometheus, not other output options");
		break;
	case TR_MODE_TIMEWAIT:
		if (next < argc)
			FAIL("unexpected argument '%s'", argv[next]);
		if (o->raw_out || o->timeline || o->wide || o->relative || o->count || o->wait_set ||
		    o->time != TR_TIME_ABS || o->hist_by_set)
			FAIL("timewait prints one row per connection: it takes filters, --file, "
			     "--duration, --now, -o and -H");
		if (o->file && o->now)
			FAIL("--now skips what is buffered in the kernel: not with --file");
		break;
	case TR_MODE_TRACE:
		if (o->hist_by_set)
			FAIL("--by only applies to hist");
		if (next < argc)
			FAIL("unexpected argument '%s'", argv[next]);
		if (o->wait_set)
			FAIL("--wait only applies to run");
		if (o->file && o->now)
			FAIL("--now skips what is buffered in the kernel: not with --file");
		break;
	}
	if (o->format != TR_FMT_TEXT && (o->wide || o->time != TR_TIME_ABS))
		FAIL("%s is for text output: JSON and CSV carry every field, and ts_ns and time",
		     o->wide ? "--wide" : "--time");
	/* The sequence columns are where --relative shows. */
	if (o->relative && o->format == TR_FMT_TEXT)
		o->wide = 1;
	if (o->format != TR_FMT_TEXT && o->timeline)
		FAIL("--timeline prints text: not with -o %s", o->format == TR_FMT_JSON ? "json" : "csv");
	return TR_OPTS_OK;
#undef FAIL
}
