// SPDX-License-Identifier: GPL-2.0
/* timewait.c - `tcptrail timewait`: one row per connection, how its closing state (TIME_WAIT, orphaned FIN_WAIT2) went. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conntab.h"
#include "timewait.h"
#include "xalloc.h"

/*
 * Every connection seen gets a row (its index kept in the connection
 * table); those that reached ESTABLISHED or had a timewait event are shown,
 * in the order they first qualified, as compare-timewait lists them.
 */
struct tr_twrows {
	struct tr_conntab *conns;	/* (netns, cookie) -> size_t index into rows */
	struct tr_twrow *rows;
	size_t nrows, caprows;
	size_t *shown;			/* indexes into rows */
	size_t nshown, capshown;
	unsigned char *is_shown;	/* per row */
};

struct tr_twrows *tr_twrows_new(void)
{
	struct tr_twrows *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->conns = tr_conntab_new(sizeof(size_t));
	if (!t->conns) {
		free(t);
		return NULL;
	}
	return t;
}

void tr_twrows_free(struct tr_twrows *t)
{
	if (!t)
		return;
	tr_conntab_free(t->conns);
	free(t->rows);
	free(t->shown);
	free(t->is_shown);
	free(t);
}

static struct tr_twrow *row_for(struct tr_twrows *t, const struct tcptrail_event *ev, size_t *idx)
{
	size_t *slot = tr_conntab_find(t->conns, ev->netns, ev->cookie);
	size_t cap = t->caprows;
	struct tr_twrow *r;

	if (slot) {
		*idx = *slot;
		return &t->rows[*slot];
	}
	t->rows = tr_xgrow(t->rows, &t->caprows, t->nrows, sizeof(*t->rows));
	if (cap != t->caprows)
		t->is_shown = tr_xrealloc(t->is_shown, t->caprows);
	slot = tr_conntab_add(t->conns, ev->netns, ev->cookie);
	if (!slot)
		return NULL;	/* out of memory: this connection goes unlisted */
	*idx = *slot = t->nrows;
	t->is_shown[t->nrows] = 0;
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->netns = ev->netns;
	r->cookie = ev->cookie;
	return r;
}

static void show(struct tr_twrows *t, size_t idx)
{
	if (t->is_shown[idx])
		return;
	t->shown = tr_xgrow(t->shown, &t->capshown, t->nshown, sizeof(*t->shown));
	t->is_shown[idx] = 1;
	t->shown[t->nshown++] = idx;
}

void tr_twrows_add(struct tr_twrows *t, const struct tcptrail_event *ev)
{
	struct tr_twrow *r;
	size_t idx;

	if (!tr_conn_event(ev))
		return;
	r = row_for(t, ev, &idx);
	if (!r)
		return;
	/* The 4-tuple as the connection's first complete event has it. */
	if (!r->have_tuple && !(ev->flags & TCPTRAIL_F_NO_TUPLE)) {
		r->have_tuple = 1;
		r->family = ev->family;
		memcpy(r->saddr, ev->saddr, sizeof(r->saddr));
		memcpy(r->daddr, ev->daddr, sizeof(r->daddr));
		r->sport = ev->sport;
		r->dport = ev->dport;
	}
	switch (ev->kind) {
	case TCPTRAIL_EV_STATE:
		if (ev->new_state == TCPTRAIL_ESTABLISHED && !r->established) {
			r->established = 1;
			show(t, idx);
		}
		/* Whoever sends the first FIN closes first. */
		if (!r->close && ev->new_state == TCPTRAIL_FIN_WAIT1)
			r->close = TR_TW_CLOSE_ACTIVE;
		if (!r->close && ev->new_state == TCPTRAIL_CLOSE_WAIT)
			r->close = TR_TW_CLOSE_PASSIVE;
		return;
	case TCPTRAIL_EV_TW_ENTER:
	case TCPTRAIL_EV_TW_SUBSTATE:
		r->entered = 1;
		r->timeout_ns = ev->timeout_ns;
		if (r->end != TR_TW_EXITED)
			r->end = TR_TW_OPEN;
		break;
	case TCPTRAIL_EV_TW_EXIT:
		r->end = TR_TW_EXITED;
		r->cause = ev->cause;
		r->dur_ns = ev->dur_ns;
		break;
	case TCPTRAIL_EV_TW_SKIP:
		r->end = TR_TW_SKIPPED;
		break;
	default:
		return;
	}
	/* A timewait sock (or its absence) belongs to the side that closed first. */
	if (!r->close)
		r->close = TR_TW_CLOSE_ACTIVE;
	r->substate = ev->substate;
	if (ev->flags & TCPTRAIL_F_SYSCTLS) {
		r->have_sysctls = 1;
		r->fin_timeout = ev->sysctl_fin_timeout;
		r->tw_reuse = ev->sysctl_tw_reuse;
		r->max_tw_buckets = ev->sysctl_max_tw_buckets;
		r->tw_reuse_delay = ev->sysctl_tw_reuse_delay;
	}
	show(t, idx);
}

const struct tr_twrow *tr_twrows_get(const struct tr_twrows *t, size_t i)
{
	return i < t->nshown ? &t->rows[t->shown[i]] : NULL;
}

const char *tr_twrow_cause(const struct tr_twrow *r)
{
	const char *c;

	switch (r->end) {
	case TR_TW_NONE:
		return "none";
	case TR_TW_OPEN:
		return "open";
	case TR_TW_SKIPPED:
		return "skipped";
	case TR_TW_EXITED:
		break;
	}
	c = tr_cause_name(r->cause);
	return c ? c : "other";
}

static const char *close_name(const struct tr_twrow *r)
{
	return r->close == TR_TW_CLOSE_ACTIVE ? "active" :
	       r->close == TR_TW_CLOSE_PASSIVE ? "passive" : NULL;
}

static const char *substate_name(const struct tr_twrow *r)
{
	return r->substate ? tr_state_name(r->substate) : NULL;
}

/*
 * The time in the closing state is known only when its start was seen:
 * tw_exit's dur_ns is from the last arming, and without an entry (a
 * capture begun too late) there is nothing to say which.
 */
static int have_dur(const struct tr_twrow *r)
{
	return r->entered && r->end == TR_TW_EXITED;
}

static void addr(char *buf, size_t len, const struct tr_twrow *r, const uint8_t *a)
{
	if (r->have_tuple)
		tr_fmt_addr(buf, len, r->family, a);
	else
		snprintf(buf, len, "%s", "");
}

/* Only ever appended to, as tcptrail's own CSV: readers may count columns. */
static const char csv_columns[] =
	"netns,cookie,family,saddr,sport,daddr,dport,close,substate,cause,dur_ns,timeout_ns,"
	"tcp_fin_timeout,tcp_tw_reuse,tcp_max_tw_buckets,tcp_tw_reuse_delay";

static void print_csv(FILE *f, const struct tr_twrow *r)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	const char *s;

	addr(sa, sizeof(sa), r, r->saddr);
	addr(da, sizeof(da), r, r->daddr);
	fprintf(f, "%u,%" PRIu64 ",%s,%s,", r->netns, r->cookie,
		!r->have_tuple ? "" : r->family == AF_INET6 ? "ipv6" : "ipv4", sa);
	if (r->have_tuple)
		fprintf(f, "%u", r->sport);
	fprintf(f, ",%s,", da);
	if (r->have_tuple)
		fprintf(f, "%u", r->dport);
	s = close_name(r);
	fprintf(f, ",%s", s ? s : "");
	s = substate_name(r);
	fprintf(f, ",%s,%s,", s ? s : "", tr_twrow_cause(r));
	if (have_dur(r))
		fprintf(f, "%" PRIu64, r->dur_ns);
	fputc(',', f);
	if (r->entered)
		fprintf(f, "%" PRIu64, r->timeout_ns);
	if (r->have_sysctls) {
		fprintf(f, ",%d,%d,%d,", r->fin_timeout, r->tw_reuse, r->max_tw_buckets);
		if (r->tw_reuse_delay >= 0)
			fprintf(f, "%d", r->tw_reuse_delay);
	} else {
		fputs(",,,,", f);
	}
	fputc('\n', f);
}

static void json_str_or_null(FILE *f, const char *key, const char *v)
{
	if (v)
		fprintf(f, ",\"%s\":\"%s\"", key, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

static void print_json(FILE *f, const struct tr_twrow *r)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];

	fprintf(f, "{\"netns\":%u,\"cookie\":%" PRIu64, r->netns, r->cookie);
	if (r->have_tuple) {
		addr(sa, sizeof(sa), r, r->saddr);
		addr(da, sizeof(da), r, r->daddr);
		fprintf(f, ",\"family\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,\"daddr\":\"%s\",\"dport\":%u",
			r->family == AF_INET6 ? "ipv6" : "ipv4", sa, r->sport, da, r->dport);
	} else {
		fputs(",\"family\":null,\"saddr\":null,\"sport\":null,\"daddr\":null,\"dport\":null", f);
	}
	json_str_or_null(f, "close", close_name(r));
	json_str_or_null(f, "substate", substate_name(r));
	json_str_or_null(f, "cause", tr_twrow_cause(r));
	if (have_dur(r))
		fprintf(f, ",\"dur_ns\":%" PRIu64, r->dur_ns);
	else
		fputs(",\"dur_ns\":null", f);
	if (r->entered)
		fprintf(f, ",\"timeout_ns\":%" PRIu64, r->timeout_ns);
	else
		fputs(",\"timeout_ns\":null", f);
	if (r->have_sysctls) {
		fprintf(f, ",\"sysctls\":{\"tcp_fin_timeout\":%d,\"tcp_tw_reuse\":%d"
			   ",\"tcp_max_tw_buckets\":%d,\"tcp_tw_reuse_delay\":",
			r->fin_timeout, r->tw_reuse, r->max_tw_buckets);
		if (r->tw_reuse_delay >= 0)
			fprintf(f, "%d}", r->tw_reuse_delay);
		else
			fputs("null}", f);
	} else {
		fputs(",\"sysctls\":null", f);
	}
	fputs("}\n", f);
}

/* Seconds with the millisecond, or "-". */
static void secs(char *buf, size_t len, int have, uint64_t ns)
{
	if (have)
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, ns / 1000000000u, ns / 1000000u % 1000u);
	else
		snprintf(buf, len, "-");
}

#define TEXT_ROW "%-10s %-8s %-21s %-21s %-7s %-9s %-8s %8s %8s\n"

static void print_text(FILE *f, const struct tr_twrow *r)
{
	char la[64], ra[64], dur[32], tmo[32], netns[16], cookie[24];
	const char *s = substate_name(r), *c = close_name(r);

	if (r->have_tuple) {
		tr_fmt_addrport(la, sizeof(la), r->family, r->saddr, r->sport);
		tr_fmt_addrport(ra, sizeof(ra), r->family, r->daddr, r->dport);
	} else {
		snprintf(la, sizeof(la), "-");
		snprintf(ra, sizeof(ra), "-");
	}
	secs(dur, sizeof(dur), have_dur(r), r->dur_ns);
	secs(tmo, sizeof(tmo), r->entered, r->timeout_ns);
	snprintf(netns, sizeof(netns), "%u", r->netns);
	snprintf(cookie, sizeof(cookie), "%" PRIu64, r->cookie);
	fprintf(f, TEXT_ROW, netns, cookie, la, ra, c ? c : "-", s ? s : "-", tr_twrow_cause(r), dur,
		tmo);
}

void tr_twrows_print(FILE *f, const struct tr_twrows *t, enum tr_format format, int no_header)
{
	if (format == TR_FMT_CSV && !no_header)
		fprintf(f, "%s\n", csv_columns);
	if (format == TR_FMT_TEXT && !no_header)
		fprintf(f, TEXT_ROW, "NETNS", "COOKIE", "LADDR:LPORT", "RADDR:RPORT", "CLOSE",
			"SUBSTATE", "CAUSE", "SECONDS", "TIMEOUT");
	for (size_t i = 0; i < t->nshown; i++) {
		const struct tr_twrow *r = &t->rows[t->shown[i]];

		if (format == TR_FMT_CSV)
			print_csv(f, r);
		else if (format == TR_FMT_JSON)
			print_json(f, r);
		else
			print_text(f, r);
	}
}
