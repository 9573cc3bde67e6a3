/* options.c - the command line, parsed into struct tt_opts (apart from main so tests can call it). */
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
static int one_option(int c, const char *arg, const char *bad, struct tt_opts *o, char *err,
		      size_t errlen)
{
	struct tt_filter *f = &o->filter;

	switch (c) {
	case 'o':
		if (!strcmp(arg, "text"))
			o->format = TT_FMT_TEXT;
		else if (!strcmp(arg, "json"))
			o->format = TT_FMT_JSON;
		else if (!strcmp(arg, "csv"))
			o->format = TT_FMT_CSV;
		else {
			snprintf(err, errlen, "invalid output format '%s' (want text, json or csv)", arg);
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
			[TT_TIME_ABS] = "abs", [TT_TIME_REL] = "rel", [TT_TIME_DATE] = "date",
			[TT_TIME_EPOCH] = "epoch",
		};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (!strcmp(arg, names[i])) {
				o->time = (enum tt_time)i;
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
		return tt_filter_add_ports(f, TT_EITHER, arg, err, errlen);
	case OPT_LPORT:
		return tt_filter_add_ports(f, TT_LOCAL, arg, err, errlen);
	case OPT_RPORT:
		return tt_filter_add_ports(f, TT_REMOTE, arg, err, errlen);
	case 'a':
		return tt_filter_add_addr(f, TT_EITHER, arg, err, errlen);
	case OPT_LADDR:
		return tt_filter_add_addr(f, TT_LOCAL, arg, err, errlen);
	case OPT_RADDR:
		return tt_filter_add_addr(f, TT_REMOTE, arg, err, errlen);
	case 's':
		return tt_filter_add_states(f, arg, err, errlen);
	case 'P':
		return tt_filter_add_pid(f, arg, err, errlen);
	case OPT_COMM:
		return tt_filter_add_comm(f, arg, err, errlen);
	case 'n':
		return tt_filter_add_netns(f, arg, err, errlen);
	case OPT_COOKIE:
		return tt_filter_add_cookie(f, arg, err, errlen);
	case '4':
		f->families |= TT_FAM_4;
		return 0;
	case '6':
		f->families |= TT_FAM_6;
		return 0;
	case 'f':
		o->file = arg;
		return 0;
	case 'w':
		o->raw_out = arg;
		return 0;
	case OPT_BY:
		if (!strcmp(arg, "port"))
			o->hist_by = TT_HIST_PORT;
		else if (!strcmp(arg, "comm"))
			o->hist_by = TT_HIST_COMM;
		else {
			snprintf(err, errlen, "invalid --by '%s' (want port or comm)", arg);
			return -1;
		}
		o->hist_by_set = 1;
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
static int parse_span(int argc, char **argv, struct tt_opts *o, int *nopts, int *nformat,
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

enum tt_opts_result tt_parse_options(int argc, char **argv, struct tt_opts *o, char *err,
				     size_t errlen)
{
	int nopts = 0, nformat = 0, next, r;

	memset(o, 0, sizeof(*o));
	o->wait = 5;
	err[0] = '\0';
	r = parse_span(argc, argv, o, &nopts, &nformat, &next, err, errlen);
	if (r == 0 && next < argc && (!strcmp(argv[next], "run") || !strcmp(argv[next], "stats") ||
				      !strcmp(argv[next], "hist"))) {
		int sub = next;

		o->mode = argv[sub][0] == 'r' ? TT_MODE_RUN :
			  argv[sub][0] == 's' ? TT_MODE_STATS : TT_MODE_HIST;
		r = parse_span(argc - sub, argv + sub, o, &nopts, &nformat, &next, err, errlen);
		next += sub;
	}
	if (r == 1)
		return TT_OPTS_HELP;
	if (r == 2)
		return TT_OPTS_VERSION;
	if (r < 0)
		return TT_OPTS_ERROR;

#define FAIL(...)                                   \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return TT_OPTS_ERROR;               \
	} while (0)

	switch (o->mode) {
	case TT_MODE_STATS:
		/* Only -o: the counters as a table or one JSON object. */
		if (nopts > nformat || next < argc)
			FAIL("stats takes no options but -o text|json, and no arguments");
		if (o->format == TT_FMT_CSV)
			FAIL("stats prints text or JSON, not CSV");
		return TT_OPTS_OK;
	case TT_MODE_RUN:
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
	case TT_MODE_HIST:
		if (next < argc)
			FAIL("unexpected argument '%s'", argv[next]);
		if (nformat || o->raw_out || o->out_file || o->timeline || o->wide || o->relative ||
		    o->count || o->wait_set)
			FAIL("hist prints histograms: it takes filters, --file, --duration, --now "
			     "and --by, not output options");
		break;
	case TT_MODE_TRACE:
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
	if (o->format != TT_FMT_TEXT && (o->wide || o->time != TT_TIME_ABS))
		FAIL("%s is for text output: JSON and CSV carry every field, and ts_ns and time",
		     o->wide ? "--wide" : "--time");
	/* The sequence columns are where --relative shows. */
	if (o->relative && o->format == TT_FMT_TEXT)
		o->wide = 1;
	if (o->format != TT_FMT_TEXT && o->timeline)
		FAIL("--timeline prints text: not with -o %s", o->format == TT_FMT_JSON ? "json" : "csv");
	return TT_OPTS_OK;
#undef FAIL
}
