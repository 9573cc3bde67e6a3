/* options.c - the command line, parsed into struct tt_opts (apart from main so tests can call it). */
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
};

static const char short_opts[] = "+:o:rtd:Np:a:s:P:c:n:f:w:hV";

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "relative", no_argument, NULL, 'r' },
	{ "timeline", no_argument, NULL, 't' },
	{ "duration", required_argument, NULL, 'd' },
	{ "now", no_argument, NULL, 'N' },
	{ "port", required_argument, NULL, 'p' },
	{ "lport", required_argument, NULL, OPT_LPORT },
	{ "rport", required_argument, NULL, OPT_RPORT },
	{ "addr", required_argument, NULL, 'a' },
	{ "laddr", required_argument, NULL, OPT_LADDR },
	{ "raddr", required_argument, NULL, OPT_RADDR },
	{ "state", required_argument, NULL, 's' },
	{ "pid", required_argument, NULL, 'P' },
	{ "comm", required_argument, NULL, 'c' },
	{ "netns", required_argument, NULL, 'n' },
	{ "file", required_argument, NULL, 'f' },
	{ "raw-out", required_argument, NULL, 'w' },
	{ "wait", required_argument, NULL, OPT_WAIT },
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
		return 0;
	case 'r':
		o->relative = 1;
		return 0;
	case 't':
		o->timeline = 1;
		return 0;
	case 'd':
		return parse_seconds(arg, &o->duration, 0, err, errlen, "duration");
	case 'N':
		o->now = 1;
		return 0;
	case 'p':
		return tt_parse_ports(arg, f->ports[TT_EITHER], &f->nports[TT_EITHER], err, errlen);
	case OPT_LPORT:
		return tt_parse_ports(arg, f->ports[TT_LOCAL], &f->nports[TT_LOCAL], err, errlen);
	case OPT_RPORT:
		return tt_parse_ports(arg, f->ports[TT_REMOTE], &f->nports[TT_REMOTE], err, errlen);
	case 'a':
		return tt_parse_prefix(arg, &f->addr[TT_EITHER], err, errlen);
	case OPT_LADDR:
		return tt_parse_prefix(arg, &f->addr[TT_LOCAL], err, errlen);
	case OPT_RADDR:
		return tt_parse_prefix(arg, &f->addr[TT_REMOTE], err, errlen);
	case 's':
		return tt_parse_states(arg, &f->states, err, errlen);
	case 'P':
		if (tt_parse_u32(arg, &f->pid, err, errlen, "pid") || !f->pid || f->pid > 0x7fffffff) {
			snprintf(err, errlen, "invalid pid '%s'", arg);
			return -1;
		}
		f->have_pid = 1;
		return 0;
	case 'c':
		if (!*arg || strlen(arg) >= sizeof(f->comm)) {
			snprintf(err, errlen, "invalid comm '%s' (1 to %zu characters)", arg,
				 sizeof(f->comm) - 1);
			return -1;
		}
		strcpy(f->comm, arg);
		f->have_comm = 1;
		return 0;
	case 'n':
		if (tt_parse_u32(arg, &f->netns, err, errlen, "netns inode") || !f->netns) {
			snprintf(err, errlen, "invalid netns inode '%s'", arg);
			return -1;
		}
		f->have_netns = 1;
		return 0;
	case 'f':
		o->file = arg;
		return 0;
	case 'w':
		o->raw_out = arg;
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
static int parse_span(int argc, char **argv, struct tt_opts *o, int *nopts, int *next, char *err,
		      size_t errlen)
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
	}
	*next = optind;
	return 0;
}

enum tt_opts_result tt_parse_options(int argc, char **argv, struct tt_opts *o, char *err,
				     size_t errlen)
{
	int nopts = 0, next, r;

	memset(o, 0, sizeof(*o));
	o->wait = 5;
	err[0] = '\0';
	r = parse_span(argc, argv, o, &nopts, &next, err, errlen);
	if (r == 0 && next < argc && (!strcmp(argv[next], "run") || !strcmp(argv[next], "stats"))) {
		int sub = next;

		o->mode = argv[sub][0] == 'r' ? TT_MODE_RUN : TT_MODE_STATS;
		r = parse_span(argc - sub, argv + sub, o, &nopts, &next, err, errlen);
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
		if (nopts || next < argc)
			FAIL("stats takes no options or arguments");
		return TT_OPTS_OK;
	case TT_MODE_RUN:
		if (next >= argc)
			FAIL("run needs a command: tcptrail run [OPTIONS] -- CMD [ARGS...]");
		o->cmd = argv + next;
		if (o->file)
			FAIL("run follows live events: --file does not go with it");
		if (o->duration)
			FAIL("run ends with its command: use --wait, not --duration");
		o->now = 1;
		break;
	case TT_MODE_TRACE:
		if (next < argc)
			FAIL("unexpected argument '%s'", argv[next]);
		if (o->wait_set)
			FAIL("--wait only applies to run");
		if (o->file && o->now)
			FAIL("--now skips what is buffered in the kernel: not with --file");
		break;
	}
	if (o->format != TT_FMT_TEXT && o->relative)
		FAIL("--relative is for text output: JSON and CSV always carry absolute numbers");
	if (o->format != TT_FMT_TEXT && o->timeline)
		FAIL("--timeline prints text: not with -o %s", o->format == TT_FMT_JSON ? "json" : "csv");
	return TT_OPTS_OK;
#undef FAIL
}
