/* timewait.h - `tcptrail timewait`: one row per connection, how its closing state (TIME_WAIT, orphaned FIN_WAIT2) went. */
#ifndef TCPTRAIL_TIMEWAIT_H
#define TCPTRAIL_TIMEWAIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format.h"
#include "record.h"

enum tt_tw_close { TT_TW_CLOSE_UNKNOWN, TT_TW_CLOSE_ACTIVE, TT_TW_CLOSE_PASSIVE };

/* What became of a connection's timewait sock: its row's "cause". */
enum tt_tw_end {
	TT_TW_NONE,	/* no timewait sock seen, nor a skip */
	TT_TW_OPEN,	/* entered, its end not seen (yet) */
	TT_TW_SKIPPED,	/* tcp_max_tw_buckets: no timewait sock at all */
	TT_TW_EXITED,	/* ended: see cause */
};

struct tt_twrow {
	uint32_t netns;
	uint64_t cookie;
	uint8_t family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	int have_tuple;
	int established;	/* seen reaching ESTABLISHED */
	enum tt_tw_close close;	/* who closed first: FIN_WAIT1 or CLOSE_WAIT */
	int entered;		/* tw_enter or tw_substate seen */
	enum tt_tw_end end;
	uint8_t substate;	/* the last timewait event's (tw_skip's: what it would have been) */
	uint8_t cause;		/* tw_exit's */
	uint64_t dur_ns;	/* tw_exit's: time in the last substate */
	uint64_t timeout_ns;	/* the last timer armed (tw_enter, tw_substate) */
	int have_sysctls;
	int32_t fin_timeout, tw_reuse, max_tw_buckets, tw_reuse_delay;
};

struct tt_twrows;

struct tt_twrows *tt_twrows_new(void);
void tt_twrows_free(struct tt_twrows *t);
/* Account one event, in stream order. */
void tt_twrows_add(struct tt_twrows *t, const struct tcptrail_event *ev);
/*
 * The rows, in the order their connections were first seen: those that
 * reached ESTABLISHED or had a timewait event; NULL past the last.
 */
const struct tt_twrow *tt_twrows_get(const struct tt_twrows *t, size_t i);
/* "expired", "reused", ... for an exit; "skipped", "open", "none" otherwise. */
const char *tt_twrow_cause(const struct tt_twrow *r);
/* Every row as text (a table), CSV or JSON Lines; @no_header: text and CSV. */
void tt_twrows_print(FILE *f, const struct tt_twrows *t, enum tt_format format, int no_header);

#endif
