/* SPDX-License-Identifier: GPL-2.0 */
/* prom.h - Prometheus text exposition (what node_exporter's textfile collector reads) of stats and hist. */
#ifndef TCPTRAIL_PROM_H
#define TCPTRAIL_PROM_H

#include <stdio.h>

#include "hist.h"

/*
 * The module's counters, one "key value" line of /proc/net/tcptrail/stats
 * each: counters as _total, levels as gauges, hooks and the ABI as labels
 * of gauges worth 1. A key this version does not know is a gauge named
 * after it when its value is a number, and left out when not.
 */
void tr_prom_stats(FILE *f, const char (*keys)[64], const char (*vals)[128], int n);
/*
 * The histograms of hist as Prometheus histograms in seconds (buckets the
 * log2 slots' upper bounds), and the connections ended, by close cause.
 * --by port|comm become a port or comm label.
 */
void tr_prom_hists(FILE *f, const struct tr_hists *h);

#endif
