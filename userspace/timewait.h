/* SPDX-License-Identifier: GPL-2.0 */
/* timewait.h - `tcptrail timewait`: one row per connection, how its closing state (TIME_WAIT, orphaned FIN_WAIT2) went. */
#ifndef TCPTRAIL_TIMEWAIT_H
#define TCPTRAIL_TIMEWAIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format.h"
#include "record.h"

enum tr_tw_close { TR_TW_CLOSE_UNKNOWN, TR_TW_CLOSE_ACTIVE, TR_TW_CLOSE_PASSIVE };

/* What became of a connection's timewait sock: its row's "cause". */
enum tr_tw_end {
	TR_TW_NONE,	/* no timewait sock seen, nor a skip */
	TR_TW_OPEN,	/* entered, its end not seen (yet) */
	TR_TW_SKIPPED,	/* tcp_max_tw_buckets: no timewait sock at all */
	TR_TW_EXITED,	/* ended: see cause */
};

struct tr_twrow {
	uint32_t netns;
	uint64_t cookie;
	uint8_t family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	int have_tuple;
	int established;	/* seen reaching ESTABLISHED */
	enum tr_tw_close close;	/* who closed first: FIN_WAIT1 or CLOSE_WAIT */
	int entered;		/* tw_enter or tw_substate seen */
	enum tr_tw_end end;
	uint8_t substate;	/* the last timewait event's (tw_skip's: what it would have been) */
	uint8_t cause;		/* tw_exit's */
	uint64_t dur_ns;	/* tw_exit's: time in the last substate */
	uint64_t timeout_ns;	/* the last timer armed (tw_enter, tw_substate) */
	int have_sysctls;
	int32_t fin_timeout, tw_reuse, max_tw_buckets, tw_reuse_delay;
};

struct tr_twrows;

struct tr_twrows *tr_twrows_new(void);
void tr_twrows_free(struct tr_twrows *t);
/* Account one event, in stream order. */
void tr_twrows_add(struct tr_twrows *t, const struct tcptrail_event *ev);
/*
 * The rows, in the order their connections were first seen: those that
 * reached ESTABLISHED or had a timewait event; NULL past the last.
 */
const struct tr_twrow *tr_twrows_get(const struct tr_twrows *t, size_t i);
/* "expired", "reused", ... for an exit; "skipped", "open", "none" otherwise. */
const char *tr_twrow_cause(const struct tr_twrow *r);
/* Every row as text (a table), CSV or JSON Lines; @no_header: text and CSV. */
void tr_twrows_print(FILE *f, const struct tr_twrows *t, enum tr_format format, int no_header);

#endif
