// SPDX-License-Identifier: GPL-2.0
/* hist.c - `tcptrail hist`: log2 histograms of connect, handshake, closing-state and lifetime times. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conntab.h"
#include "hist.h"

/*
 * What is measured, each from the events alone:
 *   connect    a client's SYN_SENT -> ESTABLISHED: its dur_ns
 *   handshake  a server's SYN arrival (syn_recv) to the child's
 *              SYN_RECV -> ESTABLISHED: they share the cookie
 *   FIN_WAIT1 ... LAST_ACK
 *              the dur_ns of the change that leaves the state
 *   TIME_WAIT  tw_exit's dur_ns: the timewait sock's whole life
 *   lifetime   first event of a connection to its -> CLOSE, as tcplife
 *              counts it (the TIME_WAIT that may follow is not in it)
 */

static const char *const metric_names[TR_M_MAX] = {
	[TR_M_CONNECT] = "connect latency (SYN_SENT -> ESTABLISHED)",
	[TR_M_HANDSHAKE] = "server handshake (SYN arrival -> ESTABLISHED)",
	[TR_M_FIN_WAIT1] = "time in FIN_WAIT1",
	[TR_M_FIN_WAIT2] = "time in FIN_WAIT2",
	[TR_M_CLOSING] = "time in CLOSING",
	[TR_M_TIME_WAIT] = "time in TIME_WAIT (timewait sock)",
	[TR_M_CLOSE_WAIT] = "time in CLOSE_WAIT",
	[TR_M_LAST_ACK] = "time in LAST_ACK",
	[TR_M_LIFETIME] = "connection lifetime (first event -> CLOSE)",
};

/* One group: everything (--by none), a port or a command. */
struct group {
	char key[24];
	struct tr_hist h[TR_M_MAX];
	uint64_t closes[TCPTRAIL_CAUSE_MAX + 1];	/* -> CLOSE by cause; [MAX]: newer causes */
};

/* A connection seen from its first event: when, and which group it is in. */
struct conn {
	uint64_t first_ts;
	int in_tw;		/* tw_enter seen: kept until tw_exit */
	char key[24];
};

struct tr_hists {
	enum tr_hist_by by;
	struct group *groups;
	size_t ngroups, capgroups;
	struct tr_conntab *conns;
};

struct tr_hists *tr_hists_new(enum tr_hist_by by)
{
	struct tr_hists *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->by = by;
	h->conns = tr_conntab_new(sizeof(struct conn));
	if (!h->conns) {
		free(h);
		return NULL;
	}
	return h;
}

void tr_hists_free(struct tr_hists *h)
{
	if (!h)
		return;
	free(h->groups);
	tr_conntab_free(h->conns);
	free(h);
}

/* The group a new connection belongs to, from its first event. */
static void conn_key(const struct tr_hists *h, const struct tcptrail_event *ev, char *key,
		     size_t len)
{
	switch (h->by) {
	case TR_HIST_ALL:
		key[0] = '\0';
		return;
	case TR_HIST_PORT:
		/* The service's port: the remote one for a client, ours for a server. */
		snprintf(key, len, "port %u",
			 ev->kind == TCPTRAIL_EV_STATE && ev->new_state == TCPTRAIL_SYN_SENT ?
				 ev->dport : ev->sport);
		return;
	case TR_HIST_COMM:
		if (ev->flags & TCPTRAIL_F_OWNER)
			snprintf(key, len, "comm %.15s", ev->comm);
		else
			snprintf(key, len, "comm -");
		return;
	}
}

static struct group *group_get(struct tr_hists *h, const char *key)
{
	struct group *g;

	for (size_t i = 0; i < h->ngroups; i++)
		if (!strcmp(h->groups[i].key, key))
			return &h->groups[i];
	if (h->ngroups == h->capgroups) {
		size_t cap = h->capgroups ? h->capgroups * 2 : 8;

		g = realloc(h->groups, cap * sizeof(*g));
		if (!g)
			return NULL;
		h->groups = g;
		h->capgroups = cap;
	}
	g = &h->groups[h->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->key, sizeof(g->key), "%s", key);
	return g;
}

static void put(struct tr_hists *h, const char *key, enum tr_hist_metric m, uint64_t ns)
{
	struct group *g = group_get(h, key);
	uint64_t us = ns / 1000;
	int k = us ? 63 - __builtin_clzll(us) : 0;

	if (!g)
		return;
	g->h[m].slot[k]++;
	g->h[m].n++;
	g->h[m].sum_ns += ns;
}

static int closing_metric(unsigned int state)
{
	switch (state) {
	case TCPTRAIL_FIN_WAIT1: return TR_M_FIN_WAIT1;
	case TCPTRAIL_FIN_WAIT2: return TR_M_FIN_WAIT2;
	case TCPTRAIL_CLOSING: return TR_M_CLOSING;
	case TCPTRAIL_CLOSE_WAIT: return TR_M_CLOSE_WAIT;
	case TCPTRAIL_LAST_ACK: return TR_M_LAST_ACK;
	default: return -1;
	}
}

void tr_hists_add(struct tr_hists *h, const struct tcptrail_event *ev)
{
	struct conn *c;
	char key[24];
	int m;

	if (!tr_conn_event(ev))
		return;
	c = tr_conntab_find(h->conns, ev->netns, ev->cookie);
	if (!c && !tr_is_tw_kind(ev->kind)) {
		/* Out of memory: this connection goes unmeasured. */
		c = tr_conntab_add(h->conns, ev->netns, ev->cookie);
		if (c) {
			c->first_ts = ev->ts_ns;
			conn_key(h, ev, c->key, sizeof(c->key));
		}
	}
	/* A server's connection has its owner only from accept() on. */
	if (c && h->by == TR_HIST_COMM && !strcmp(c->key, "comm -") &&
	    (ev->flags & TCPTRAIL_F_OWNER))
		conn_key(h, ev, c->key, sizeof(c->key));
	if (c)
		snprintf(key, sizeof(key), "%s", c->key);
	else
		conn_key(h, ev, key, sizeof(key));

	switch (ev->kind) {
	case TCPTRAIL_EV_STATE:
		if (ev->old_state == TCPTRAIL_SYN_SENT && ev->new_state == TCPTRAIL_ESTABLISHED)
			put(h, key, TR_M_CONNECT, ev->dur_ns);
		if (ev->old_state == TCPTRAIL_SYN_RECV && ev->new_state == TCPTRAIL_ESTABLISHED &&
		    c && ev->ts_ns >= c->first_ts)
			put(h, key, TR_M_HANDSHAKE, ev->ts_ns - c->first_ts);
		m = closing_metric(ev->old_state);
		/* The kernel's own FIN_WAIT1 -> FIN_WAIT1 does not leave the state. */
		if (m >= 0 && ev->new_state != ev->old_state)
			put(h, key, (enum tr_hist_metric)m, ev->dur_ns);
		if (ev->new_state == TCPTRAIL_CLOSE) {
			/* Active closes too: the cause is given as the full socket goes. */
			struct group *g = group_get(h, key);

			if (g)
				g->closes[ev->cause < TCPTRAIL_CAUSE_MAX ? ev->cause :
										TCPTRAIL_CAUSE_MAX]++;
		}
		if (ev->new_state == TCPTRAIL_CLOSE && c) {
			if (ev->ts_ns >= c->first_ts)
				put(h, key, TR_M_LIFETIME, ev->ts_ns - c->first_ts);
			/* A timewait sock (same cookie) lives on: keep its group. */
			if (!c->in_tw)
				tr_conntab_del(h->conns, c);
		}
		break;
	case TCPTRAIL_EV_TW_ENTER:
		if (c)
			c->in_tw = 1;
		break;
	case TCPTRAIL_EV_TW_EXIT:
		put(h, key, TR_M_TIME_WAIT, ev->dur_ns);
		if (c)
			tr_conntab_del(h->conns, c);
		break;
	case TCPTRAIL_EV_REQ_DROP:
		if (c)
			tr_conntab_del(h->conns, c);	/* no child came of it */
		break;
	default:
		break;
	}
}

/* As bcc's print_log2_hist(): "usecs : count distribution", 40 stars wide. */
static void print_hist(FILE *f, const struct tr_hist *h)
{
	int lo = TR_HIST_SLOTS, hi = -1;
	uint64_t max = 0;

	for (int k = 0; k < TR_HIST_SLOTS; k++) {
		if (!h->slot[k])
			continue;
		lo = k < lo ? k : lo;
		hi = k;
		max = h->slot[k] > max ? h->slot[k] : max;
	}
	fprintf(f, "%24s : %-9s %s\n", "usecs", "count", "distribution");
	for (int k = lo; k <= hi; k++) {
		uint64_t from = k ? 1ull << k : 0, to = (1ull << (k + 1)) - 1;
		int stars = (int)(h->slot[k] * 40 / max);
		char range[48];

		snprintf(range, sizeof(range), "%" PRIu64 " -> %" PRIu64, from, to);
		fprintf(f, "%24s : %-9" PRIu64 " |%-40.*s|\n", range, h->slot[k], stars,
			"****************************************");
	}
}

void tr_hists_print(FILE *f, const struct tr_hists *h)
{
	int any = 0;

	for (size_t i = 0; i < h->ngroups; i++) {
		const struct group *g = &h->groups[i];

		for (int m = 0; m < TR_M_MAX; m++) {
			if (!g->h[m].n)
				continue;
			fprintf(f, "%s%s%s%s, %" PRIu64 " measured\n", any ? "\n" : "",
				g->key, g->key[0] ? ": " : "", metric_names[m], g->h[m].n);
			print_hist(f, &g->h[m]);
			any = 1;
		}
	}
	if (!any)
		fprintf(f, "nothing to measure: no connection was seen opening or closing\n");
}

enum tr_hist_by tr_hists_by(const struct tr_hists *h)
{
	return h->by;
}

size_t tr_hists_ngroups(const struct tr_hists *h)
{
	return h->ngroups;
}

const char *tr_hists_group_key(const struct tr_hists *h, size_t g)
{
	return h->groups[g].key;
}

const struct tr_hist *tr_hists_get(const struct tr_hists *h, size_t g, enum tr_hist_metric m)
{
	return &h->groups[g].h[m];
}

uint64_t tr_hists_closes(const struct tr_hists *h, size_t g, unsigned int cause)
{
	return h->groups[g].closes[cause < TCPTRAIL_CAUSE_MAX ? cause : TCPTRAIL_CAUSE_MAX];
}
