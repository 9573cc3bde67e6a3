// SPDX-License-Identifier: GPL-2.0
/* conn.c - connection tracking: events grouped by connection, each end's role, pairing the two ends. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "xalloc.h"

/*
 * After FIN_WAIT*->CLOSE a timewait sock usually takes over: give its
 * TW_ENTER this long to show up before calling the connection gone.
 */
#define TW_GRACE_NS 200000000ull

const char *tr_role_name(enum tr_role r)
{
	switch (r) {
	case TR_ROLE_CLIENT:
		return "client";
	case TR_ROLE_SERVER:
		return "server";
	case TR_ROLE_LISTENER:
		return "listener";
	default:
		return "connection";
	}
}

struct tr_trail *tr_trail_new(void)
{
	struct tr_trail *t = tr_xrealloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->nbuckets = 256;
	t->buckets = tr_xrealloc(NULL, t->nbuckets * sizeof(*t->buckets));
	memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
	return t;
}

void tr_trail_free(struct tr_trail *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->conns[i]->evs);
		free(t->conns[i]);
	}
	free(t->conns);
	free(t->buckets);
	free(t);
}

static size_t bucket_of(const struct tr_trail *t, uint32_t netns, uint64_t cookie)
{
	uint64_t h = (cookie ^ ((uint64_t)netns << 32 | netns)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (t->nbuckets - 1);
}

struct tr_conn *tr_trail_find(const struct tr_trail *t, uint32_t netns, uint64_t cookie)
{
	struct tr_conn *c = t->buckets[bucket_of(t, netns, cookie)];

	while (c && (c->netns != netns || c->cookie != cookie))
		c = c->hnext;
	return c;
}

static void rehash(struct tr_trail *t)
{
	t->nbuckets *= 2;
	t->buckets = tr_xrealloc(t->buckets, t->nbuckets * sizeof(*t->buckets));
	memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
	for (size_t i = 0; i < t->n; i++) {
		struct tr_conn *c = t->conns[i];
		size_t b = bucket_of(t, c->netns, c->cookie);

		c->hnext = t->buckets[b];
		t->buckets[b] = c;
	}
}

static int ev_has_tuple(const struct tcptrail_event *ev)
{
	return !(ev->flags & TCPTRAIL_F_NO_TUPLE) && ev->sport && ev->dport;
}

static void conn_learn(struct tr_conn *c, const struct tcptrail_event *ev)
{
	if (ev_has_tuple(ev) || !c->have_tuple) {
		c->family = ev->family;
		memcpy(c->saddr, ev->saddr, sizeof(c->saddr));
		memcpy(c->daddr, ev->daddr, sizeof(c->daddr));
		c->sport = ev->sport;
		c->dport = ev->dport;
		c->have_tuple = ev_has_tuple(ev);
	}
	if (ev->flags & TCPTRAIL_F_ISN) {
		c->isns.have_isn = 1;
		c->isns.isn = ev->isn;
	}
	if (ev->flags & TCPTRAIL_F_PEER_ISN) {
		c->isns.have_peer = 1;
		c->isns.peer = ev->peer_isn;
	}
	if (ev->flags & TCPTRAIL_F_OWNER) {
		c->have_owner = 1;
		c->pid = ev->pid;
		memcpy(c->comm, ev->comm, sizeof(c->comm));
	}

	if (c->role == TR_ROLE_UNKNOWN) {
		if (ev->kind == TCPTRAIL_EV_STATE) {
			if (ev->new_state == TCPTRAIL_SYN_SENT || ev->old_state == TCPTRAIL_SYN_SENT)
				c->role = TR_ROLE_CLIENT;
			else if (ev->new_state == TCPTRAIL_LISTEN)
				c->role = TR_ROLE_LISTENER;
			else if (ev->new_state == TCPTRAIL_SYN_RECV || ev->old_state == TCPTRAIL_SYN_RECV ||
				 ev->old_state == TCPTRAIL_LISTEN)
				c->role = TR_ROLE_SERVER;	/* a child of LISTEN */
		} else if (ev->kind == TCPTRAIL_EV_SYN_RECV ||
			   ev->kind == TCPTRAIL_EV_SYNACK_RETRANS ||
			   ev->kind == TCPTRAIL_EV_REQ_DROP) {
			c->role = TR_ROLE_SERVER;
		}
	}

	switch (ev->kind) {
	case TCPTRAIL_EV_STATE:
		c->state = ev->new_state;
		if (ev->new_state == TCPTRAIL_CLOSE) {
			c->closed = 1;
			c->close_from = ev->old_state;
			c->close_ts = ev->ts_ns;
		}
		break;
	case TCPTRAIL_EV_TW_ENTER:
		c->in_tw = 1;
		break;
	case TCPTRAIL_EV_TW_EXIT:
		c->tw_done = 1;
		break;
	case TCPTRAIL_EV_TW_SKIP:
		c->tw_skipped = 1;
		break;
	case TCPTRAIL_EV_REQ_DROP:
		c->req_dropped = 1;
		break;
	}
}

struct tr_conn *tr_trail_add(struct tr_trail *t, const struct tcptrail_event *ev)
{
	struct tr_conn *c;
	size_t i;

	if (ev->kind == TCPTRAIL_EV_LOST || !ev->cookie)
		return NULL;
	if (ev->ts_ns > t->last_ts)
		t->last_ts = ev->ts_ns;
	c = tr_trail_find(t, ev->netns, ev->cookie);
	if (!c) {
		size_t b;

		if (t->n * 2 >= t->nbuckets)
			rehash(t);
		c = tr_xrealloc(NULL, sizeof(*c));
		memset(c, 0, sizeof(*c));
		c->netns = ev->netns;
		c->cookie = ev->cookie;
		c->first_ts = ev->ts_ns;
		t->conns = tr_xgrow(t->conns, &t->cap, t->n, sizeof(*t->conns));
		t->conns[t->n++] = c;
		c->id = (unsigned int)t->n;
		b = bucket_of(t, c->netns, c->cookie);
		c->hnext = t->buckets[b];
		t->buckets[b] = c;
	}
	c->evs = tr_xgrow(c->evs, &c->cap, c->nevs, sizeof(*c->evs));
	/* Late (adopted) events go where their timestamp says. */
	for (i = c->nevs; i > 0 && c->evs[i - 1].ts_ns > ev->ts_ns; i--)
		c->evs[i] = c->evs[i - 1];
	c->evs[i] = *ev;
	c->nevs++;
	if (ev->ts_ns < c->first_ts)
		c->first_ts = ev->ts_ns;
	if (ev->ts_ns > c->last_ts)
		c->last_ts = ev->ts_ns;
	conn_learn(c, ev);
	return c;
}

int tr_conn_gone(const struct tr_conn *c, uint64_t now_ns)
{
	if (c->tw_done || c->tw_skipped || c->req_dropped)
		return 1;
	if (c->in_tw || !c->closed)
		return 0;
	/* FIN_WAIT1/FIN_WAIT2/CLOSING -> CLOSE: a TW_ENTER may still be on its way. */
	if (c->close_from == TCPTRAIL_FIN_WAIT1 || c->close_from == TCPTRAIL_FIN_WAIT2 ||
	    c->close_from == TCPTRAIL_CLOSING)
		return now_ns >= c->close_ts + TW_GRACE_NS;
	return 1;
}

int tr_trail_all_gone(const struct tr_trail *t, uint64_t now_ns)
{
	for (size_t i = 0; i < t->n; i++)
		if (!tr_conn_gone(t->conns[i], now_ns))
			return 0;
	return 1;
}

static int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Is @c the far end of a connection with local @saddr:@sport, remote @daddr:@dport? */
static int reversed_tuple(const struct tr_conn *c, uint32_t netns, int family,
			  const uint8_t *saddr, uint16_t sport, const uint8_t *daddr,
			  uint16_t dport)
{
	return c->have_tuple && c->netns == netns && c->family == family && c->sport == dport &&
	       c->dport == sport && !memcmp(c->saddr, daddr, addr_len(family)) &&
	       !memcmp(c->daddr, saddr, addr_len(family));
}

/* Each end's ISN is the other's peer ISN. */
static int crossed_isns(const struct tr_conn *c, const struct tr_conn *d)
{
	return c->isns.have_isn && c->isns.have_peer && d->isns.have_isn && d->isns.have_peer &&
	       c->isns.isn == d->isns.peer && c->isns.peer == d->isns.isn;
}

struct tr_conn *tr_trail_find_peer_of(const struct tr_trail *t, const struct tcptrail_event *ev,
				      uint64_t now_ns)
{
	if (!ev_has_tuple(ev))
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		struct tr_conn *c = t->conns[i];

		if (c->cookie != ev->cookie && !tr_conn_gone(c, now_ns) &&
		    reversed_tuple(c, ev->netns, ev->family, ev->saddr, ev->sport, ev->daddr,
				   ev->dport))
			return c;
	}
	return NULL;
}

/* Order-independent key of a connection's endpoints, to find both ends by sorting. */
static int endpoint_cmp(const struct tr_conn *c, int side_a, const struct tr_conn *d, int side_b)
{
	const uint8_t *a1 = side_a ? c->daddr : c->saddr, *b1 = side_b ? d->daddr : d->saddr;
	uint16_t a2 = side_a ? c->dport : c->sport, b2 = side_b ? d->dport : d->sport;
	int r = memcmp(a1, b1, 16);

	if (r)
		return r;
	return (int)a2 - (int)b2;
}

/* Which endpoint sorts first: 0 = local, 1 = remote. */
static int low_side(const struct tr_conn *c)
{
	return endpoint_cmp(c, 0, c, 1) <= 0 ? 0 : 1;
}

static int pair_cmp(const void *pa, const void *pb)
{
	const struct tr_conn *a = *(struct tr_conn *const *)pa, *b = *(struct tr_conn *const *)pb;
	int la = low_side(a), lb = low_side(b), r;

	if (a->netns != b->netns)
		return a->netns < b->netns ? -1 : 1;
	if (a->family != b->family)
		return a->family - b->family;
	r = endpoint_cmp(a, la, b, lb);
	if (!r)
		r = endpoint_cmp(a, !la, b, !lb);
	if (r)
		return r;
	if (a->first_ts != b->first_ts)
		return a->first_ts < b->first_ts ? -1 : 1;
	return (int)a->id - (int)b->id;
}

static int pairable(const struct tr_conn *c, const struct tr_conn *s)
{
	if (c->peer || s->peer || c->role != TR_ROLE_CLIENT)
		return 0;
	/* Two clients: a simultaneous open, both ends sent a SYN. */
	if (s->role == TR_ROLE_LISTENER)
		return 0;
	/* In two namespaces the same addresses may be others': the ISNs must cross too. */
	if (!reversed_tuple(s, s->netns, c->family, c->saddr, c->sport, c->daddr, c->dport) ||
	    (c->netns != s->netns && !crossed_isns(c, s)))
		return 0;
	/* The same 4-tuple may be reused later: the two ends must overlap in time. */
	return s->first_ts <= c->last_ts && c->first_ts <= s->last_ts;
}

/* Sorts ends by their pair of ISNs, whichever is whose: the two ends of a connection meet. */
static uint64_t isn_key(const struct tr_conn *c)
{
	uint32_t a = c->isns.isn, b = c->isns.peer;

	return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

static int isn_cmp(const void *pa, const void *pb)
{
	const struct tr_conn *a = *(struct tr_conn *const *)pa, *b = *(struct tr_conn *const *)pb;
	uint64_t ka = isn_key(a), kb = isn_key(b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return (int)a->id - (int)b->id;
}

/*
 * Ends in two namespaces (veth, containers): their addresses alone may
 * repeat across namespaces, so the reversed 4-tuple must come with the
 * ISNs crossed, which a pair of random 32-bit numbers does not repeat.
 */
static void pair_across_netns(struct tr_trail *t, struct tr_conn **v)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct tr_conn *c = t->conns[i];

		if (!c->peer && c->have_tuple && c->role != TR_ROLE_LISTENER && c->isns.have_isn &&
		    c->isns.have_peer)
			v[n++] = c;
	}
	qsort(v, n, sizeof(*v), isn_cmp);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n && isn_key(v[j]) == isn_key(v[i]); j++) {
			struct tr_conn *a = v[i], *b = v[j];

			if (a->netns != b->netns && (pairable(a, b) || pairable(b, a))) {
				a->peer = b;
				b->peer = a;
				break;
			}
		}
}

void tr_trail_pair(struct tr_trail *t)
{
	struct tr_conn **v;
	size_t n = 0;

	v = tr_xrealloc(NULL, t->n * sizeof(*v));
	for (size_t i = 0; i < t->n; i++)
		if (t->conns[i]->have_tuple && t->conns[i]->role != TR_ROLE_LISTENER)
			v[n++] = t->conns[i];
	qsort(v, n, sizeof(*v), pair_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = i + 1; j < n; j++) {
			struct tr_conn *a = v[i], *b = v[j];

			if (a->netns != b->netns || a->family != b->family ||
			    !reversed_tuple(b, a->netns, a->family, a->saddr, a->sport, a->daddr,
					    a->dport))
				break;
			if (pairable(a, b) || pairable(b, a)) {
				a->peer = b;
				b->peer = a;
				break;
			}
		}
	}
	pair_across_netns(t, v);
	free(v);
}
