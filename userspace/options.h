/* options.h - the command line, parsed into struct tt_opts (apart from main so tests can call it). */
#ifndef TCPTRAIL_OPTIONS_H
#define TCPTRAIL_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "format.h"
#include "hist.h"

enum tt_mode { TT_MODE_TRACE, TT_MODE_RUN, TT_MODE_STATS, TT_MODE_HIST };

struct tt_opts {
	enum tt_mode mode;
	enum tt_format format;
	int format_set;		/* -o given: -w then prints as well */
	int relative;
	int wide;
	int no_header;
	enum tt_time time;
	int timeline;
	enum tt_hist_by hist_by;	/* hist --by */
	int hist_by_set;
	int now;		/* start with new events (lseek SEEK_END) */
	uint64_t count;		/* stop after this many events shown; 0: no limit */
	double duration;	/* seconds; 0: until interrupted */
	double wait;		/* run: seconds after CMD exits; < 0: until gone */
	int wait_set;
	const char *file;	/* --file: a capture instead of /proc */
	const char *raw_out;
	const char *out_file;	/* -O: the formatted output, instead of stdout */
	struct tt_filter filter;
	char **cmd;		/* run: NULL-terminated */
};

enum tt_opts_result { TT_OPTS_OK, TT_OPTS_HELP, TT_OPTS_VERSION, TT_OPTS_ERROR };

/* On TT_OPTS_ERROR, @err says why (one line, no "tcptrail: " prefix). */
enum tt_opts_result tt_parse_options(int argc, char **argv, struct tt_opts *o, char *err,
				     size_t errlen);

#endif
