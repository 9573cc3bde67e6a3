/* timeline.h - one connection's timeline: the states it went through, how long each lasted, what ended it. */
#ifndef TCPTRAIL_TIMELINE_H
#define TCPTRAIL_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "format.h"

/* Open states are measured up to @end_ts. */
void tr_conn_print_timeline(FILE *f, const struct tr_conn *c, const struct tr_fmt *fmt,
			    uint64_t end_ts);

#endif
