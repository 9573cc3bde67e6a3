/* SPDX-License-Identifier: GPL-2.0 */
/* hist.h - `tcptrail hist`: log2 histograms of connect, handshake, closing-state and lifetime times. */
#ifndef TCPTRAIL_HIST_H
#define TCPTRAIL_HIST_H

#include <stdint.h>
#include <stdio.h>

#include "record.h"

enum tr_hist_by { TR_HIST_ALL, TR_HIST_PORT, TR_HIST_COMM };

struct tr_hists;

/* What is measured: see hist.c. */
enum tr_hist_metric {
	TR_M_CONNECT,
	TR_M_HANDSHAKE,
	TR_M_FIN_WAIT1,
	TR_M_FIN_WAIT2,
	TR_M_CLOSING,
	TR_M_TIME_WAIT,
	TR_M_CLOSE_WAIT,
	TR_M_LAST_ACK,
	TR_M_LIFETIME,
	TR_M_MAX
};

#define TR_HIST_SLOTS 64

struct tr_hist {
	uint64_t slot[TR_HIST_SLOTS];	/* slot k: [2^k, 2^(k+1)) us; slot 0 also holds 0 */
	uint64_t n;
	uint64_t sum_ns;
};

struct tr_hists *tr_hists_new(enum tr_hist_by by);
void tr_hists_free(struct tr_hists *h);
/* Account one event (in stream order); events of unknown connections are fine. */
void tr_hists_add(struct tr_hists *h, const struct tcptrail_event *ev);
/* Every histogram with at least one value, bcc style, in µs. */
void tr_hists_print(FILE *f, const struct tr_hists *h);

/* For other outputs (prom.c): groups in order of first sight, each one's histograms. */
enum tr_hist_by tr_hists_by(const struct tr_hists *h);
size_t tr_hists_ngroups(const struct tr_hists *h);
/* "" (no --by), "port 80" or "comm curl". */
const char *tr_hists_group_key(const struct tr_hists *h, size_t g);
const struct tr_hist *tr_hists_get(const struct tr_hists *h, size_t g, enum tr_hist_metric m);
/* Connections (not listeners) that went to CLOSE with @cause. */
uint64_t tr_hists_closes(const struct tr_hists *h, size_t g, unsigned int cause);

#endif
