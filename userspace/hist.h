/* hist.h - `tcptrail hist`: log2 histograms of connect, handshake, closing-state and lifetime times. */
#ifndef TCPTRAIL_HIST_H
#define TCPTRAIL_HIST_H

#include <stdint.h>
#include <stdio.h>

#include "record.h"

enum tr_hist_by { TR_HIST_ALL, TR_HIST_PORT, TR_HIST_COMM };

struct tr_hists;

struct tr_hists *tr_hists_new(enum tr_hist_by by);
void tr_hists_free(struct tr_hists *h);
/* Account one event (in stream order); events of unknown connections are fine. */
void tr_hists_add(struct tr_hists *h, const struct tcptrail_event *ev);
/* Every histogram with at least one value, bcc style, in µs. */
void tr_hists_print(FILE *f, const struct tr_hists *h);

#endif
