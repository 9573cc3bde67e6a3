/* SPDX-License-Identifier: GPL-2.0 */
/* options.h - the command line, parsed into struct tr_opts (apart from main so tests can call it). */
#ifndef TCPTRAIL_OPTIONS_H
#define TCPTRAIL_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "format.h"
#include "hist.h"

enum tr_mode { TR_MODE_TRACE, TR_MODE_RUN, TR_MODE_STATS, TR_MODE_HIST, TR_MODE_TIMEWAIT, TR_MODE_PLOT };

/* -o beyond the event formats: pictures (plot, run --plot) and metrics (stats, hist). */
enum tr_out { TR_OUT_EVENTS, TR_OUT_SVG, TR_OUT_PNG, TR_OUT_PROMETHEUS };

struct tr_opts {
	enum tr_mode mode;
	enum tr_format format;
	int format_set;		/* -o given: -w then prints as well */
	enum tr_out out;	/* -o svg|png|prometheus */
	int ladder;		/* plot --ladder */
	int have_conn;		/* plot --conn */
	uint64_t conn;
	const char *plot;	/* run --plot FILE */
	int relative;
	int wide;
	int no_header;
	enum tr_time time;
	int timeline;
	enum tr_hist_by hist_by;	/* hist --by */
	int hist_by_set;
	int now;		/* start with new events (lseek SEEK_END) */
	uint64_t count;		/* stop after this many events shown; 0: no limit */
	double duration;	/* seconds; 0: until interrupted */
	double wait;		/* run: seconds after CMD exits; < 0: until gone */
	int wait_set;
	const char *file;	/* --file: a capture instead of /proc */
	const char *raw_out;
	const char *out_file;	/* -O: the formatted output, instead of stdout */
	struct tr_filter filter;
	char **cmd;		/* run: NULL-terminated */
};

enum tr_opts_result { TR_OPTS_OK, TR_OPTS_HELP, TR_OPTS_VERSION, TR_OPTS_ERROR };

/* On TR_OPTS_ERROR, @err says why (one line, no "tcptrail: " prefix). */
enum tr_opts_result tr_parse_options(int argc, char **argv, struct tr_opts *o, char *err,
				     size_t errlen);

#endif
