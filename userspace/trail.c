/* trail.c - per-connection tracking: events by connection, timeline of states, following `run`'s connections. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ladder.h"
#include "trail.h"

/*
 * After FIN_WAIT*->CLOSE a timewait sock usually takes over: give its
 * TW_ENTER this long to show up before calling the connection gone.
 */
#define TW_GRACE_NS 200000000ull

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "tcptrail: out of memory\n");
		exit(1);
	}
	return q;
}

const char *tt_role_name(enum tt_role r)
{
	switch (r) {
	case TT_ROLE_CLIENT:
		return "client";
	case TT_ROLE_SERVER:
		return "server";
	case TT_ROLE_LISTENER:
		return "listener";
	default:
		return "connection";
	}
}

struct tt_trail *tt_trail_new(void)
{
	struct tt_trail *t = xrealloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->nbuckets = 256;
	t->buckets = xrealloc(NULL, t->nbuckets * sizeof(*t->buckets));
	memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
	return t;
}

void tt_trail_free(struct tt_trail *t)
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

static size_t bucket_of(const struct tt_trail *t, uint32_t netns, uint64_t cookie)
{
	uint64_t h = (cookie ^ ((uint64_t)netns << 32 | netns)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (t->nbuckets - 1);
}

struct tt_conn *tt_trail_find(const struct tt_trail *t, uint32_t netns, uint64_t cookie)
{
	struct tt_conn *c = t->buckets[bucket_of(t, netns, cookie)];

	while (c && (c->netns != netns || c->cookie != cookie))
		c = c->hnext;
	return c;
}

static void rehash(struct tt_trail *t)
{
	t->nbuckets *= 2;
	t->buckets = xrealloc(t->buckets, t->nbuckets * sizeof(*t->buckets));
	memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
	for (size_t i = 0; i < t->n; i++) {
		struct tt_conn *c = t->conns[i];
		size_t b = bucket_of(t, c->netns, c->cookie);

		c->hnext = t->buckets[b];
		t->buckets[b] = c;
	}
}

static int ev_has_tuple(const struct tcptrail_event *ev)
{
	return !(ev->flags & TCPTRAIL_F_NO_TUPLE) && ev->sport && ev->dport;
}

static void conn_learn(struct tt_conn *c, const struct tcptrail_event *ev)
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

	if (c->role == TT_ROLE_UNKNOWN) {
		if (ev->kind == TCPTRAIL_EV_STATE) {
			if (ev->new_state == 2 || ev->old_state == 2)	/* SYN_SENT */
				c->role = TT_ROLE_CLIENT;
			else if (ev->new_state == 10)			/* LISTEN */
				c->role = TT_ROLE_LISTENER;
			else if (ev->new_state == 3 || ev->old_state == 3 || ev->old_state == 10)
				c->role = TT_ROLE_SERVER;		/* SYN_RECV, child of LISTEN */
		} else if (ev->kind == TCPTRAIL_EV_SYN_RECV ||
			   ev->kind == TCPTRAIL_EV_SYNACK_RETRANS ||
			   ev->kind == TCPTRAIL_EV_REQ_DROP) {
			c->role = TT_ROLE_SERVER;
		}
	}

	switch (ev->kind) {
	case TCPTRAIL_EV_STATE:
		c->state = ev->new_state;
		if (ev->new_state == 7) {	/* CLOSE */
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

struct tt_conn *tt_trail_add(struct tt_trail *t, const struct tcptrail_event *ev)
{
	struct tt_conn *c;
	size_t i;

	if (ev->kind == TCPTRAIL_EV_LOST || !ev->cookie)
		return NULL;
	if (ev->ts_ns > t->last_ts)
		t->last_ts = ev->ts_ns;
	c = tt_trail_find(t, ev->netns, ev->cookie);
	if (!c) {
		size_t b;

		if (t->n * 2 >= t->nbuckets)
			rehash(t);
		c = xrealloc(NULL, sizeof(*c));
		memset(c, 0, sizeof(*c));
		c->netns = ev->netns;
		c->cookie = ev->cookie;
		c->first_ts = ev->ts_ns;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->conns = xrealloc(t->conns, t->cap * sizeof(*t->conns));
		}
		t->conns[t->n++] = c;
		c->id = (unsigned int)t->n;
		b = bucket_of(t, c->netns, c->cookie);
		c->hnext = t->buckets[b];
		t->buckets[b] = c;
	}
	if (c->nevs == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->evs = xrealloc(c->evs, c->cap * sizeof(*c->evs));
	}
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

int tt_conn_gone(const struct tt_conn *c, uint64_t now_ns)
{
	if (c->tw_done || c->tw_skipped || c->req_dropped)
		return 1;
	if (c->in_tw || !c->closed)
		return 0;
	/* FIN_WAIT1/FIN_WAIT2/CLOSING -> CLOSE: a TW_ENTER may still be on its way. */
	if (c->close_from == 4 || c->close_from == 5 || c->close_from == 11)
		return now_ns >= c->close_ts + TW_GRACE_NS;
	return 1;
}

int tt_trail_all_gone(const struct tt_trail *t, uint64_t now_ns)
{
	for (size_t i = 0; i < t->n; i++)
		if (!tt_conn_gone(t->conns[i], now_ns))
			return 0;
	return 1;
}

static int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Is @c the far end of a connection with local @saddr:@sport, remote @daddr:@dport? */
static int reversed_tuple(const struct tt_conn *c, uint32_t netns, int family,
			  const uint8_t *saddr, uint16_t sport, const uint8_t *daddr,
			  uint16_t dport)
{
	return c->have_tuple && c->netns == netns && c->family == family && c->sport == dport &&
	       c->dport == sport && !memcmp(c->saddr, daddr, addr_len(family)) &&
	       !memcmp(c->daddr, saddr, addr_len(family));
}

struct tt_conn *tt_trail_find_peer_of(const struct tt_trail *t, const struct tcptrail_event *ev,
				      uint64_t now_ns)
{
	if (!ev_has_tuple(ev))
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		struct tt_conn *c = t->conns[i];

		if (c->cookie != ev->cookie && !tt_conn_gone(c, now_ns) &&
		    reversed_tuple(c, ev->netns, ev->family, ev->saddr, ev->sport, ev->daddr,
				   ev->dport))
			return c;
	}
	return NULL;
}

/* Order-independent key of a connection's endpoints, to find both ends by sorting. */
static int endpoint_cmp(const struct tt_conn *c, int side_a, const struct tt_conn *d, int side_b)
{
	const uint8_t *a1 = side_a ? c->daddr : c->saddr, *b1 = side_b ? d->daddr : d->saddr;
	uint16_t a2 = side_a ? c->dport : c->sport, b2 = side_b ? d->dport : d->sport;
	int r = memcmp(a1, b1, 16);

	if (r)
		return r;
	return (int)a2 - (int)b2;
}

/* Which endpoint sorts first: 0 = local, 1 = remote. */
static int low_side(const struct tt_conn *c)
{
	return endpoint_cmp(c, 0, c, 1) <= 0 ? 0 : 1;
}

static int pair_cmp(const void *pa, const void *pb)
{
	const struct tt_conn *a = *(struct tt_conn *const *)pa, *b = *(struct tt_conn *const *)pb;
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

static int pairable(const struct tt_conn *c, const struct tt_conn *s)
{
	if (c->peer || s->peer || c->role != TT_ROLE_CLIENT)
		return 0;
	if (s->role != TT_ROLE_SERVER && s->role != TT_ROLE_UNKNOWN)
		return 0;
	if (!reversed_tuple(s, c->netns, c->family, c->saddr, c->sport, c->daddr, c->dport))
		return 0;
	/* The same 4-tuple may be reused later: the two ends must overlap in time. */
	return s->first_ts <= c->last_ts && c->first_ts <= s->last_ts;
}

void tt_trail_pair(struct tt_trail *t)
{
	struct tt_conn **v;
	size_t n = 0;

	v = xrealloc(NULL, t->n * sizeof(*v));
	for (size_t i = 0; i < t->n; i++)
		if (t->conns[i]->have_tuple && t->conns[i]->role != TT_ROLE_LISTENER)
			v[n++] = t->conns[i];
	qsort(v, n, sizeof(*v), pair_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = i + 1; j < n; j++) {
			struct tt_conn *a = v[i], *b = v[j];

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
	free(v);
}

/* ---- timeline ---- */

struct timeline {
	struct tt_tl_row *rows;
	size_t n, cap;
	int cur;		/* index of the open state row, or -1 */
};

static struct tt_tl_row *tl_push(struct timeline *tl, uint64_t start, const char *label, int note,
				 int state)
{
	struct tt_tl_row *r;

	if (tl->n == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 16;
		tl->rows = xrealloc(tl->rows, tl->cap * sizeof(*tl->rows));
	}
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
	struct tt_tl_row *r;

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
	const char *n = tt_state_name(st);

	return n ? n : "?";
}

static void timeline_build(const struct tt_conn *c, struct timeline *tl)
{
	int in_tw = 0;

	memset(tl, 0, sizeof(*tl));
	tl->cur = -1;
	for (size_t i = 0; i < c->nevs; i++) {
		const struct tcptrail_event *ev = &c->evs[i];
		char why[96], cb[16];
		struct tt_tl_row *r;

		switch (ev->kind) {
		case TCPTRAIL_EV_STATE:
			if (in_tw && ev->new_state == 7) {
				/* The full socket goes; its timewait sock carries on. */
				r = tl_push(tl, ev->ts_ns, "", 1, 0);
				snprintf(r->end, sizeof(r->end), "%s -> CLOSE: full socket released",
					 sname(ev->old_state));
				break;
			}
			if (tl->cur < 0 && ev->dur_ns && ev->old_state != 7 &&
			    (!tl->n || tl->rows[tl->n - 1].is_note)) {
				/*
				 * First sight mid-connection: the kernel knows since when. An
				 * accepted child was never in LISTEN: that time was its request sock's.
				 */
				r = tl_push(tl, ev->ts_ns - ev->dur_ns,
					    ev->old_state == 10 ? "NEW_SYN_RECV" : sname(ev->old_state), 0,
					    ev->old_state == 10 ? 12 : ev->old_state);
				r->before_trace = 1;
			}
			snprintf(why, sizeof(why), "-> %s", sname(ev->new_state));
			tl_close(tl, ev->ts_ns, ev->dur_ns, why);
			r = tl_push(tl, ev->ts_ns, sname(ev->new_state), 0, ev->new_state);
			if (ev->new_state == 7) {	/* CLOSE: nothing more to measure */
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
			r = tl_push(tl, ev->ts_ns, why, 0, ev->substate ? ev->substate : 6);
			r->timewait = 1;
			in_tw = 1;
			break;
		case TCPTRAIL_EV_TW_SUBSTATE:
			snprintf(why, sizeof(why), "-> %s", ev->substate ? sname(ev->substate) : "TIME_WAIT");
			tl_close(tl, ev->ts_ns, 0, why);
			snprintf(why, sizeof(why), "%s (timewait)", ev->substate ? sname(ev->substate) : "TIME_WAIT");
			r = tl_push(tl, ev->ts_ns, why, 0, ev->substate ? ev->substate : 6);
			r->timewait = 1;
			break;
		case TCPTRAIL_EV_TW_EXIT: {
			const char *cause = tt_cause_name(ev->cause);

			snprintf(cb, sizeof(cb), "%u", ev->cause);
			snprintf(why, sizeof(why), "tw_exit (%s)", cause ? cause : cb);
			tl_close(tl, ev->ts_ns, 0, why);
			in_tw = 0;
			break;
		}
		case TCPTRAIL_EV_SYN_RECV:
			tl_close(tl, ev->ts_ns, 0, "syn_recv");
			r = tl_push(tl, ev->ts_ns, "NEW_SYN_RECV", 0, 12);
			break;
		case TCPTRAIL_EV_REQ_DROP:
			tl_close(tl, ev->ts_ns, 0, "req_drop (request sock dropped)");
			break;
		case TCPTRAIL_EV_TW_SKIP:
			r = tl_push(tl, ev->ts_ns, "", 1, 0);
			snprintf(r->end, sizeof(r->end), "tw_skip: no TIME_WAIT (tcp_max_tw_buckets)");
			break;
		default:
			r = tl_push(tl, ev->ts_ns, "", 1, 0);
			snprintf(r->end, sizeof(r->end), "%s", tt_kind_name(ev->kind));
			break;
		}
	}
}

size_t tt_conn_timeline(const struct tt_conn *c, struct tt_tl_row **rows)
{
	struct timeline tl;

	timeline_build(c, &tl);
	*rows = tl.rows;
	return tl.n;
}

void tt_conn_print_timeline(FILE *f, const struct tt_conn *c, const struct tt_fmt *fmt,
			    uint64_t end_ts)
{
	char la[64], ra[64], when[48], comm[80];
	struct timeline tl;

	tt_fmt_addrport(la, sizeof(la), c->family, c->saddr, c->sport);
	tt_fmt_addrport(ra, sizeof(ra), c->family, c->daddr, c->dport);
	tt_fmt_clock(when, sizeof(when), fmt, c->first_ts);
	fprintf(f, "connection %u: %s%s%s -> %s", c->id,
		c->role == TT_ROLE_UNKNOWN ? "" : tt_role_name(c->role),
		c->role == TT_ROLE_UNKNOWN ? "" : " ", la, ra);
	if (c->have_owner) {
		tt_fmt_comm(comm, sizeof(comm), c->comm);
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
		const struct tt_tl_row *r = &tl.rows[i];
		char at[32], dur[40];
		/* Unsigned both ways: a corrupt ts must not overflow a negation. */
		if (r->start < c->first_ts) {
			uint64_t before = c->first_ts - r->start;

			snprintf(at, sizeof(at), "-%" PRIu64 ".%03" PRIu64, before / 1000000,
				 before / 1000 % 1000);
		} else {
			tt_fmt_ms(at, sizeof(at), r->start - c->first_ts);
		}
		if (r->is_note) {
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, "", "", r->end);
			continue;
		}
		if (r->open) {
			tt_fmt_ms(dur, sizeof(dur), end_ts > r->start ? end_ts - r->start : 0);
			memmove(dur + 2, dur, strlen(dur) + 1);
			memcpy(dur, ">=", 2);
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, r->label, dur,
				"(still in it at the end of the trace)");
		} else if (r->have_dur) {
			tt_fmt_ms(dur, sizeof(dur), r->dur);
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, r->label, dur, r->end);
		} else {
			fprintf(f, "  %10s  %-24s %12s  %s\n", at, r->label, "", r->end);
		}
	}
	free(tl.rows);
}

void tt_trail_print(FILE *f, struct tt_trail *t, const struct tt_fmt *fmt, uint64_t end_ts)
{
	int first = 1;

	tt_trail_pair(t);
	if (t->incomplete)
		fprintf(f, "(events were lost: timelines and ladders below may have gaps)\n\n");
	for (size_t i = 0; i < t->n; i++) {
		struct tt_conn *c = t->conns[i], *client, *server;

		/* A pair is printed once, where its first-seen end comes. */
		if (c->peer && c->peer->id < c->id)
			continue;
		if (!first)
			fputc('\n', f);
		first = 0;
		tt_conn_print_timeline(f, c, fmt, end_ts);
		if (c->peer) {
			fputc('\n', f);
			tt_conn_print_timeline(f, c->peer, fmt, end_ts);
		}
		if (c->role == TT_ROLE_LISTENER)
			continue;
		client = c->role == TT_ROLE_CLIENT ? c : c->peer;
		server = c->role == TT_ROLE_CLIENT ? c->peer : c;
		fputc('\n', f);
		if (c->role == TT_ROLE_UNKNOWN && !c->peer)
			tt_ladder_print(f, c, NULL, 1);
		else
			tt_ladder_print(f, client, server, 0);
	}
}

/* ---- run: whose events ---- */

void tt_pidcache_init(struct tt_pidcache *pc, pid_t root, pid_t self, const char *proc)
{
	memset(pc, 0, sizeof(*pc));
	pc->root = root;
	pc->self = self;
	pc->proc = proc;
	pc->size = 256;
	pc->slot = xrealloc(NULL, pc->size * sizeof(*pc->slot));
	memset(pc->slot, 0, pc->size * sizeof(*pc->slot));
}

void tt_pidcache_free(struct tt_pidcache *pc)
{
	free(pc->slot);
	pc->slot = NULL;
}

static int *pc_lookup(struct tt_pidcache *pc, pid_t pid, int insert)
{
	size_t i = ((size_t)pid * 2654435761u) & (pc->size - 1);

	while (pc->slot[i].pid) {
		if (pc->slot[i].pid == pid)
			return &pc->slot[i].ours;
		i = (i + 1) & (pc->size - 1);
	}
	if (!insert)
		return NULL;
	pc->slot[i].pid = pid;
	pc->used++;
	return &pc->slot[i].ours;
}

static void pc_set(struct tt_pidcache *pc, pid_t pid, int ours)
{
	if (pc->used * 2 >= pc->size) {
		size_t old = pc->size;
		__typeof__(pc->slot) s = pc->slot;

		pc->size *= 2;
		pc->used = 0;
		pc->slot = xrealloc(NULL, pc->size * sizeof(*pc->slot));
		memset(pc->slot, 0, pc->size * sizeof(*pc->slot));
		for (size_t i = 0; i < old; i++)
			if (s[i].pid)
				*pc_lookup(pc, s[i].pid, 1) = s[i].ours;
		free(s);
	}
	*pc_lookup(pc, pid, 1) = ours;
}

/* ppid from /proc/PID/stat; the comm in parentheses may hold anything, so parse after the last ')'. */
static int read_ppid(const char *proc, pid_t pid, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, pp;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &pp) != 1)
		return -1;
	*ppid = pp;
	return 0;
}

int tt_pidcache_ours(struct tt_pidcache *pc, uint32_t pid32)
{
	pid_t chain[64], p = (pid_t)pid32;
	int n = 0, verdict = -1;

	while (n < (int)(sizeof(chain) / sizeof(chain[0]))) {
		int *cached;
		pid_t pp;

		/* Orphans of the command are reparented to us (we are its subreaper). */
		if (p == pc->root || p == pc->self) {
			verdict = 1;
			break;
		}
		if (p <= 1) {
			verdict = 0;
			break;
		}
		cached = pc_lookup(pc, p, 0);
		if (cached) {
			verdict = *cached;
			break;
		}
		chain[n++] = p;
		if (read_ppid(pc->proc, p, &pp))
			break;	/* gone: can't tell, and don't remember a guess */
		p = pp;
	}
	if (verdict < 0)
		return 0;
	for (int i = 0; i < n; i++)
		pc_set(pc, chain[i], verdict);
	return verdict;
}

void tt_follow_init(struct tt_follow *fo, struct tt_trail *trail,
		    int (*is_ours)(void *arg, uint32_t pid), void *arg)
{
	memset(fo, 0, sizeof(*fo));
	fo->trail = trail;
	fo->is_ours = is_ours;
	fo->arg = arg;
}

/* Does @ev belong to what we follow, without asking about its owner? */
static int follow_known(struct tt_follow *fo, const struct tcptrail_event *ev, uint64_t now_ns)
{
	return tt_trail_find(fo->trail, ev->netns, ev->cookie) ||
	       tt_trail_find_peer_of(fo->trail, ev, now_ns);
}

int tt_follow_event(struct tt_follow *fo, const struct tcptrail_event *ev, uint64_t now_ns,
		    tt_emit_fn emit, void *emit_arg)
{
	struct tt_conn *c;
	int emitted = 0, again;

	if (ev->kind == TCPTRAIL_EV_LOST) {
		fo->trail->incomplete = 1;
		emit(emit_arg, ev, NULL);
		return 1;
	}
	if (!ev->cookie)
		return 0;
	if (!follow_known(fo, ev, now_ns) &&
	    !((ev->flags & TCPTRAIL_F_OWNER) && fo->is_ours(fo->arg, ev->pid))) {
		fo->pending[fo->pend_next] = *ev;
		fo->pend_used[fo->pend_next] = 1;
		fo->pend_next = (fo->pend_next + 1) % TT_PENDING;
		return 0;
	}
	c = tt_trail_add(fo->trail, ev);
	emit(emit_arg, ev, c);
	emitted++;

	/* A new connection or 4-tuple may claim events seen before it. */
	do {
		again = 0;
		for (size_t k = 0; k < TT_PENDING; k++) {
			size_t i = (fo->pend_next + k) % TT_PENDING;	/* oldest first */

			if (!fo->pend_used[i] || !follow_known(fo, &fo->pending[i], now_ns))
				continue;
			fo->pend_used[i] = 0;
			c = tt_trail_add(fo->trail, &fo->pending[i]);
			emit(emit_arg, &fo->pending[i], c);
			emitted++;
			again = 1;
		}
	} while (again);
	return emitted;
}
