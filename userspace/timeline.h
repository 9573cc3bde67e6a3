/* SPDX-License-Identifier: GPL-2.0 */
/* timeline.h - one connection's timeline: the states it went through, how long each lasted, what ended it. */
#ifndef TCPTRAIL_TIMELINE_H
#define TCPTRAIL_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "format.h"

#define TR_TL_TIMEOUTS 8

/* One row of a connection's timeline: a state it was in, or a note between states. */
struct tr_tl_row {
	uint64_t start;
	char label[32];
	int state;		/* the TCP state's number; NEW_SYN_RECV: the request sock */
	int timewait;		/* the state of its timewait sock */
	int is_note;
	int open;		/* still in this state at the end of the trace */
	int have_dur;
	uint64_t dur;
	int before_trace;	/* began before its first record: start from dur_ns */
	char end[160];
	/* Retransmits while in this state: what made it slow. */
	unsigned int resent[TR_RESENT_KINDS];
	unsigned int untimed;	/* sent again without a timeout: fast retransmit, loss probe */
	unsigned int ntimeouts;
	uint64_t timeout[TR_TL_TIMEOUTS];	/* the first few, in order */
	uint64_t waited;	/* all the timeouts added up */
};

/* The rows tr_conn_print_timeline prints, in order; the caller frees *@rows. */
size_t tr_conn_timeline(const struct tr_conn *c, struct tr_tl_row **rows);

/* Open states are measured up to @end_ts. */
void tr_conn_print_timeline(FILE *f, const struct tr_conn *c, const struct tr_fmt *fmt,
			    uint64_t end_ts);

#endif
