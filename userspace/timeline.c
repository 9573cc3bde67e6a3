// SPDX-License-Identifier: GPL-2.0
/* timeline.c - one connection's timeline: the states it went through, how long each lasted, what ended it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"
#include "xalloc.h"

/* Timeouts listed one by one; more are only added up. */


struct timeline {
	struct tr_tl_row *rows;
	size_t n, cap;
	int cur;		/* index of the open state row, or -1 */
};

static struct tr_tl_row *tl_push(struct timeline *tl, uint64_t start, const char *label, int note,
				 int state)
{
	struct tr_tl_row *r;

	tl->rows = tr_xgrow(tl->rows, &tl->cap, tl->n, sizeof(*tl->rows));
	r = &tl->rows[tl->n++];
	memset(r, 0, sizeof(*r));
	r->start = start;
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->is_note = note;
	r->state = note ? 0 : state;
	if (!note) {
		r->open = 1;
		tl->cur = (int)(tl->n - 1);
	}
	return r;
}

/*
 * Close the open state row at @ts. A row we saw begin is measured between
 * the two records, so durations add up with the "at" column; the kernel's
 * dur_ns only measures the row that began before the trace.
 */
static void tl_close(struct timeline *tl, uint64_t ts, uint64_t kernel_dur, const char *why)
{
	struct tr_tl_row *r;

	if (tl->cur < 0)
		return;
	r = &tl->rows[tl->cur];
	r->open = 0;
	r->have_dur = 1;
	if (r->before_trace && kernel_dur)
		r->dur = kernel_dur;
	else
		r->dur = ts > r->start ? ts - r->start : 0;
	snprintf(r->end, sizeof(r->end), "%s", why);
	tl->cur = -1;
}

static const char *sname(unsigned int st)
{
	const char *n = tr_state_name(st);

	return n ? n : "?";
}

/* Count a retransmit in the state it happened in; a request sock's timeout is the gap since its last SYN-ACK. */
static void tl_resent(struct timeline *tl, const struct tcptrail_event *ev, uint64_t *synack_ts)
{
	enum tr_resent what = tr_resent_of(ev);
	uint64_t timeout = 0;
	struct tr_tl_row *r;
	char why[32];

	if (tl->cur < 0 && ev->dur_ns && ev->old_state != TCPTRAIL_CLOSE) {
		/* First sight: the kernel's dur_ns says since when it is in the state. */
		r = tl_push(tl, ev->ts_ns - ev->dur_ns, sname(ev->old_state), 0, ev->old_state);
		r->before_trace = 1;
	}
	if (ev->kind == TCPTRAIL_EV_SYNACK_RETRANS) {
		if (*synack_ts && ev->ts_ns > *synack_ts)
			timeout = ev->ts_ns - *synack_ts;
		*synack_ts = ev->ts_ns;
	} else if (ev->flags & TCPTRAIL_F_RTO) {
		timeout = ev->timeout_ns;
	}
	if (tl->cur >= 0) {
		r = &tl->rows[tl->cur];
		r->resent[what]++;
		if (timeout) {
			if (r->ntimeouts < TR_TL_TIMEOUTS)
				r->timeout[r->ntimeouts] = timeout;
			r->ntimeouts++;
			r->waited += timeout;
		} else {
			r->untimed++;
		}
	}
	r = tl_push(tl, ev->ts_ns, "", 1, 0);
	if (timeout) {
		tr_fmt_secs(why, sizeof(why), timeout);
		snprintf(r->end, sizeof(r->end), "%s sent again after a %s timeout (%s)",
			 tr_resent_name(what), why, tr_kind_name(ev->kind));
	} else {
		snprintf(r->end, sizeof(r->end), "%s sent again, no timeout (%s)", tr_resent_name(what),
			 tr_kind_name(ev->kind));
	}
}

/* "-> CLOSE: syn_timeout, errno ETIMEDOUT" */
static void why_left(char *buf, size_t len, const char *head, const struct tcptrail_event *ev)
{
	char why[64];

	if (tr_fmt_why(why, sizeof(why), ev))
		snprintf(buf, len, "%.48s: %.63s", head, why);
	else
		snprintf(buf, len, "%s", head);
}

static void timeline_build(const struct tr_conn *c, struct timeline *tl)
{
	uint64_t synack_ts = 0;	/* the request sock's last SYN-ACK */
	int in_tw = 0;

	memset(tl, 0, sizeof(*tl));
	tl->cur = -1;
	for (size_t i = 0; i < c->nevs; i++) {
		const struct tcptrail_event *ev = &c->evs[i];
		char why[160], cb[64];
		struct tr_tl_row *r;

		switch (ev->kind) {
		case TCPTRAIL_EV_STATE:
			if (in_tw && ev->new_state == TCPTRAIL_CLOSE) {
				/* The full socket goes; its timewait sock carries on. */
				r = tl_push(tl, ev->ts_ns, "", 1, 0);
				snprintf(why, sizeof(why), "%s -> CLOSE: full socket released",
					 sname(ev->old_state));
				if (tr_fmt_why(cb, sizeof(cb), ev))
					snprintf(r->end, sizeof(r->end), "%.80s (%.63s)", why, cb);
				else
					snprintf(r->end, sizeof(r->end), "%s", why);
				break;
			}
			if (tl->cur < 0 && ev->dur_ns && ev->old_state != TCPTRAIL_CLOSE &&
			    (!tl->n || tl->rows[tl->n - 1].is_note)) {
				/*
				 * First sight mid-connection: the kernel knows since when. An
				 * accepted child was never in LISTEN: that time was its request sock's.
				 */
				r = tl_push(tl, ev->ts_ns - ev->dur_ns,
					    ev->old_state == TCPTRAIL_LISTEN ? "NEW_SYN_RECV" : sname(ev->old_state), 0,
					    ev->old_state == TCPTRAIL_LISTEN ? TCPTRAIL_NEW_SYN_RECV : ev->old_state);
				r->before_trace = 1;
			}
			snprintf(cb, sizeof(cb), "-> %s", sname(ev->new_state));
			why_left(why, sizeof(why), cb, ev);
			tl_close(tl, ev->ts_ns, ev->dur_ns, why);
			r = tl_push(tl, ev->ts_ns, sname(ev->new_state), 0, ev->new_state);
			if (ev->new_state == TCPTRAIL_CLOSE) {	/* nothing more to measure */
				r->open = 0;
				tl->cur = -1;
				snprintf(r->end, sizeof(r->end), "(closed)");
			}
			break;
		case TCPTRAIL_EV_TW_ENTER:
			if (tl->n && !tl->rows[tl->n - 1].is_note && !strcmp(tl->rows[tl->n - 1].label, "CLOSE")) {
				/* CLOSE came first: it was the full socket's end, not the connection's. */
				r = &tl->rows[tl->n - 1];
				snprintf(r->end, sizeof(r->end), "-> CLOSE: full socket released");
				snprintf(r->label, sizeof(r->label), "%s", "");
				r->is_note = 1;
			}
			tl_close(tl, ev->ts_ns, 0, "tw_enter");
			snprintf(why, sizeof(why), "%s (timewait)", ev->substate ? sname(ev->substate) : "TIME_WAIT");
			r = tl_push(tl, ev->ts_ns, why, 0, ev->substate ? ev->substate : TCPTRAIL_TIME_WAIT);
			r->timewait = 1;
			in_tw = 1;
			break;
		case TCPTRAIL_EV_TW_SUBSTATE:
			snprintf(why, sizeof(why), "-> %s", ev->substate ? sname(ev->substate) : "TIME_WAIT");
			tl_close(tl, ev->ts_ns, 0, why);
			snprintf(why, sizeof(why), "%s (timewait)", ev->substate ? sname(ev->substate) : "TIME_WAIT");
			r = tl_push(tl, ev->ts_ns, why, 0, ev->substate ? ev->substate : TCPTRAIL_TIME_WAIT);
			r->timewait = 1;
			break;
		case TCPTRAIL_EV_TW_EXIT: {
			const char *cause = tr_cause_name(ev->cause);

			snprintf(cb, sizeof(cb), "%u", ev->cause);
			snprintf(why, sizeof(why), "tw_exit (%s)", cause ? cause : cb);
			tl_close(tl, ev->ts_ns, 0, why);
			in_tw = 0;
			break;
		}
		case TCPTRAIL_EV_SYN_RECV:
			tl_close(tl, ev->ts_ns, 0, "syn_recv");
			r = tl_push(tl, ev->ts_ns, "NEW_SYN_RECV", 0, TCPTRAIL_NEW_SYN_RECV);
			synack_ts = ev->ts_ns;
			break;
		case TCPTRAIL_EV_REQ_DROP:
			why_left(why, sizeof(why), "req_drop (request sock dropped)", ev);
			tl_close(tl, ev->ts_ns, 0, why);
			break;
		case TCPTRAIL_EV_RETRANS:
		case TCPTRAIL_EV_SYNACK_RETRANS:
			tl_resent(tl, ev, &synack_ts);
			break;
		case TCPTRAIL_EV_RST_SENT:
		case TCPTRAIL_EV_RST_RECV:
			r = tl_push(tl, ev->ts_ns, "", 1, 0);
			why_left(r->end, sizeof(r->end), tr_kind_name(ev->kind), ev);
			break;
		case TCPTRAIL_EV_TW_SKIP:
			r = tl_push(tl, ev->ts_ns, "", 1, 0);
			snprintf(r->end, sizeof(r->end), "tw_skip: no TIME_WAIT (tcp_max_tw_buckets)");
			break;
		default:
			r = tl_push(tl, ev->ts_ns, "", 1, 0);
			snprintf(r->end, sizeof(r->end), "%s", tr_kind_name(ev->kind));
			break;
		}
	}
}

/* "  slow: SYN_SENT 3.006 s, 2 SYN retransmits (timeouts 1 s, 2 s): 3 s of it, 99%" */
static void print_resent(FILE *f, const struct tr_tl_row *r, uint64_t end_ts)
{
	uint64_t dur = r->have_dur ? r->dur : r->open && end_ts > r->start ? end_ts - r->start : 0;
	char d[32], t[32];
	tr_fmt_secs(d, sizeof(d), dur);
	fprintf(f, "  slow: %s %s%s", r->label, r->open ? ">=" : "", d);
	for (int k = 0; k < TR_RESENT_KINDS; k++) {
		if (!r->resent[k])
			continue;
		fprintf(f, "%s %u %s retransmit%s", ",", r->resent[k],
			tr_resent_name((enum tr_resent)k), r->resent[k] == 1 ? "" : "s");
	}
	if (!r->ntimeouts) {
		fputs(" (no timeout: fast retransmit or loss probe)\n", f);
		return;
	}
	fprintf(f, " (timeout%s", r->ntimeouts == 1 ? "" : "s");
	for (unsigned int i = 0; i < r->ntimeouts && i < TR_TL_TIMEOUTS; i++) {
		tr_fmt_secs(t, sizeof(t), r->timeout[i]);
		fprintf(f, "%s %s", i ? "," : "", t);
	}
	if (r->ntimeouts > TR_TL_TIMEOUTS)
		fprintf(f, ", ... %u in all", r->ntimeouts);
	if (r->untimed)
		fprintf(f, "; %u without one", r->untimed);
	tr_fmt_secs(t, sizeof(t), r->waited);
	fprintf(f, "): %s of it", t);
	/* A busy machine runs timers late: the state outlasts its timeouts, rarely the reverse. */
	if (dur)
		fprintf(f, ", %u%%", (unsigned int)(r->waited >= dur ? 100 : r->waited * 100 / dur));
	fputc('\n', f);
}

size_t tr_conn_timeline(const struct tr_conn *c, struct tr_tl_row **rows)
{
	struct timeline tl;

	timeline_build(c, &tl);
	*rows = tl.rows;
	return tl.n;
}

void tr_conn_print_timeline(FILE *f, const struct tr_conn *c, const struct tr_fmt *fmt,
			    uint64_t end_ts)
{
	char la[64], ra[64], when[48], comm[80];
	struct timeline tl;

	tr_fmt_addrport(la, sizeof(la), c->family, c->saddr, c->sport);
	tr_fmt_addrport(ra, sizeof(ra), c->family, c->daddr, c->dport);
	tr_fmt_clock(when, sizeof(when), fmt, c->first_ts);
	fprintf(f, "connection %u: %s%s%s -> %s", c->id,
		c->role == TR_ROLE_UNKNOWN ? "" : tr_role_name(c->role),
		c->role == TR_ROLE_UNKNOWN ? "" : " ", la, ra);
	if (c->have_owner) {
		tr_fmt_comm(comm, sizeof(comm), c->comm);
		fprintf(f, ", pid %u (%s)", c->pid, comm);
	}
	/* ss -e shows the cookie in hex as sk:; say it both ways. */
	fprintf(f, "\n  netns %u, cookie %" PRIu64 " (ss sk:%" PRIx64 "), first seen %s\n", c->netns,
		c->cookie, c->cookie, when);
	if (c->isns.have_isn || c->isns.have_peer) {
		fputs("  ISN", f);
		if (c->isns.have_isn)
			fprintf(f, " %u", c->isns.isn);
		else
			fputs(" unknown", f);
		if (c->isns.have_peer)
			fprintf(f, ", peer ISN %u", c->isns.peer);
		fputc('\n', f);
	}
	timeline_build(c, &tl);
	fprintf(f, "  %10s  %-24s %12s  %s\n", "at ms", "state", "ms in state", "left by");
	for (size_t i = 0; i < tl.n; i++) {
		const struct tr_tl_row *r = &tl.rows[i];
		char at[32], dur[40];
		/* Unsigned both ways: a corrupt ts must not overflow a negation. */
		if (r->start < c->first_ts) {
			uint64_t before = c->first_ts - r->start;

			snprintf(at, sizeof(at), "-%" PRIu64 ".%03" PRIu64, before / 1000000,
				 before / 1000 % 1000);
		} else {
			tr_fmt_ms(at, sizeof(at), r->start - c->first_ts);
		}
		if (r->is_note) {
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, "", "", r->end);
			continue;
		}
		if (r->open) {
			tr_fmt_ms(dur, sizeof(dur), end_ts > r->start ? end_ts - r->start : 0);
			memmove(dur + 2, dur, strlen(dur) + 1);
			memcpy(dur, ">=", 2);
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, r->label, dur,
				"(still in it at the end of the trace)");
		} else if (r->have_dur) {
			tr_fmt_ms(dur, sizeof(dur), r->dur);
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, r->label, dur, r->end);
		} else {
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, r->label, "", r->end);
		}
	}
	for (size_t i = 0; i < tl.n; i++)
		if (!tl.rows[i].is_note && (tl.rows[i].ntimeouts || tl.rows[i].untimed))
			print_resent(f, &tl.rows[i], end_ts);
	free(tl.rows);
}
