/* hist.h - `tcptrail hist`: log2 histograms of connect, handshake, closing-state and lifetime times. */
#ifndef TCPTRAIL_HIST_H
#define TCPTRAIL_HIST_H

#include <stdint.h>
#include <stdio.h>

#include "record.h"

enum tt_hist_by { TT_HIST_ALL, TT_HIST_PORT, TT_HIST_COMM };

struct tt_hists;

struct tt_hists *tt_hists_new(enum tt_hist_by by);
void tt_hists_free(struct tt_hists *h);
/* Account one event (in stream order); events of unknown connections are fine. */
void tt_hists_add(struct tt_hists *h, const struct tcptrail_event *ev);
/* Every histogram with at least one value, bcc style, in µs. */
void tt_hists_print(FILE *f, const struct tt_hists *h);

#endif
