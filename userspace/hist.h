/* hist.h - `tcptrail hist`: log2 histograms of connect, handshake, closing-state and lifetime times. */
#ifndef TCPTRAIL_HIST_H
#define TCPTRAIL_HIST_H

#include <stdint.h>
#include <stdio.h>

#include "record.h"

enum tt_hist_by { TT_HIST_ALL, TT_HIST_PORT, TT_HIST_COMM };

struct tt_hists;

/* What is measured: see hist.c. */
enum tt_hist_metric {
	TT_M_CONNECT,
	TT_M_HANDSHAKE,
	TT_M_FIN_WAIT1,
	TT_M_FIN_WAIT2,
	TT_M_CLOSING,
	TT_M_TIME_WAIT,
	TT_M_CLOSE_WAIT,
	TT_M_LAST_ACK,
	TT_M_LIFETIME,
	TT_M_MAX
};

#define TT_HIST_SLOTS 64

struct tt_hist {
	uint64_t slot[TT_HIST_SLOTS];	/* slot k: [2^k, 2^(k+1)) us; slot 0 also holds 0 */
	uint64_t n;
	uint64_t sum_ns;
};

struct tt_hists *tt_hists_new(enum tt_hist_by by);
void tt_hists_free(struct tt_hists *h);
/* Account one event (in stream order); events of unknown connections are fine. */
void tt_hists_add(struct tt_hists *h, const struct tcptrail_event *ev);
/* Every histogram with at least one value, bcc style, in µs. */
void tt_hists_print(FILE *f, const struct tt_hists *h);

/* For other outputs (prom.c): groups in order of first sight, each one's histograms. */
enum tt_hist_by tt_hists_by(const struct tt_hists *h);
size_t tt_hists_ngroups(const struct tt_hists *h);
/* "" (no --by), "port 80" or "comm curl". */
const char *tt_hists_group_key(const struct tt_hists *h, size_t g);
const struct tt_hist *tt_hists_get(const struct tt_hists *h, size_t g, enum tt_hist_metric m);
/* Connections (not listeners) that went to CLOSE with @cause. */
uint64_t tt_hists_closes(const struct tt_hists *h, size_t g, unsigned int cause);

#endif
