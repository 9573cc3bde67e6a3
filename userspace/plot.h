/* SPDX-License-Identifier: GPL-2.0 */
/* plot.h - `tcptrail plot`: the timeline of many connections, or the ladder of one, as SVG. */
#ifndef TCPTRAIL_PLOT_H
#define TCPTRAIL_PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "format.h"
#include "conn.h"
#include "timeline.h"

/*
 * One row per connection of @t, in order of first sight, coloured by state
 * from its first record (or the start of the state it was first seen in)
 * to @end_ts; a mark per retransmit and per RST sent or received.
 */
void tr_plot_timeline(FILE *f, struct tr_trail *t, const struct tr_fmt *fmt, uint64_t end_ts);

/*
 * The ladder of @c and, when both ends were seen, of its peer: client on
 * the left, server on the right, time running down. Pairs @t's connections.
 */
void tr_plot_ladder(FILE *f, struct tr_trail *t, struct tr_conn *c, const struct tr_fmt *fmt);

/* The connection --conn names (its cookie, in any netns), or the first that is not a listener. */
struct tr_conn *tr_plot_pick(const struct tr_trail *t, int have_cookie, uint64_t cookie);

#endif
