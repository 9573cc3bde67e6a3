/* SPDX-License-Identifier: GPL-2.0 */
/* summary.h - the end-of-stream summary of `run` and --timeline: timelines, and a ladder per connection. */
#ifndef TCPTRAIL_SUMMARY_H
#define TCPTRAIL_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "format.h"

/*
 * Per connection its timeline, and a ladder per client/server pair (or
 * single side). Pairs the trail's ends first. Open states are measured up
 * to @end_ts.
 */
void tr_trail_print(FILE *f, struct tr_trail *t, const struct tr_fmt *fmt, uint64_t end_ts);

#endif
