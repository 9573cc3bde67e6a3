// SPDX-License-Identifier: GPL-2.0
/* ladder.c - the ladder (sequence) diagram of one connection, from one or both of its ends. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "format.h"
#include "ladder.h"
#include "xalloc.h"

enum seg { SEG_SYN, SEG_SYNACK, SEG_ACK, SEG_DATA, SEG_FIN, SEG_RST };

static const char *const seg_names[] = { "SYN", "SYN-ACK", "ACK", "data", "FIN", "RST" };

#define LABEL_W 12
#define MIN_W 40
#define LINE_MAX_W 120	/* a terminal: longer rows wrap their proofs */

struct arrow {
	int from;			/* 0: left end sent it, 1: right end */
	enum seg type;
	int have_seq, have_ack;
	uint32_t seq, end, ack;		/* relative; end only for data */
	int retrans;			/* 0: the first send; else which retransmit */
	int late;			/* drawn when a later record proved it: sent before */
	char again[32];			/* a retransmit's "+1 s" since the first, or its timeout */
	char proof[2][96];		/* [0] the sender's evidence, [1] the receiver's */
	uint64_t ts[2];			/* when each proof was recorded; 0: no proof */
};

struct row {
	uint64_t ts;
	int arrow;			/* index, or -1 for a row with labels only */
	char label[2][LABEL_W + 1];
	char note[96];
};

struct side {
	const struct tr_conn *c;	/* NULL: this end was not observed */
	const char *name;
	int have_isn;
	uint32_t isn;
	int state;
	int in_tw;
	int rst_recv;
	int simopen;			/* SYN_SENT -> SYN_RECV: both ends sent a SYN */
	char shown[LABEL_W + 1];	/* last state label drawn on this side */
	uint32_t snd_hi, rcv_hi;	/* highest relative snd_nxt/rcv_nxt seen: they only grow */
	uint32_t data_end;		/* data from this end drawn up to here (relative) */
	int fin_known;
	uint32_t fin_seq;		/* relative seq of this end's FIN */
};

struct ladder {
	struct side s[2];
	struct arrow *a;
	size_t na, acap;
	struct row *r;
	size_t nr, rcap;
};

/* The facts one event proves, with what it needs from the record. */
struct ctx {
	struct ladder *ld;
	int l;				/* the side whose event this is */
	uint64_t ts;
	char proof[96];
	int touched;			/* last row this event drew on */
	int ok_snd, ok_rcv, ok_una;
	uint32_t snx, rnx, una;		/* relative to own / peer / own ISN */
};

static int new_row(struct ladder *ld, uint64_t ts, int arrow)
{
	struct row *r;

	ld->r = tr_xgrow(ld->r, &ld->rcap, ld->nr, sizeof(*ld->r));
	r = &ld->r[ld->nr];
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->arrow = arrow;
	return (int)ld->nr++;
}

static int row_of_arrow(const struct ladder *ld, size_t ai)
{
	for (size_t i = 0; i < ld->nr; i++)
		if (ld->r[i].arrow == (int)ai)
			return (int)i;
	return -1;
}

/*
 * One segment proven sent (@slot 0) or received (@slot 1) by @x->l's event.
 * The same segment seen from both ends is drawn once with both proofs.
 */
static void fact(struct ctx *x, int from, enum seg type, int have_seq, uint32_t seq, int have_ack,
		 uint32_t ack, int retrans)
{
	struct ladder *ld = x->ld;
	int slot = from == x->l ? 0 : 1;
	struct arrow *a;
	size_t i;

	for (i = 0; !retrans && i < ld->na; i++) {
		a = &ld->a[i];
		if (a->from != from || a->type != type || a->retrans)
			continue;
		if (type == SEG_ACK && !(a->have_ack && have_ack && a->ack == ack))
			continue;
		/* What the receiver got is the last one sent: a retransmit, if there was one. */
		for (size_t j = ld->na; slot == 1 && j-- > i + 1;) {
			struct arrow *b = &ld->a[j];

			if (b->from == from && b->type == type && b->retrans) {
				if (!b->proof[1][0]) {
					snprintf(b->proof[1], sizeof(b->proof[1]), "%s", x->proof);
					b->ts[1] = x->ts;
				}
				x->touched = row_of_arrow(ld, j);
				return;
			}
		}
		if (!a->proof[slot][0]) {
			snprintf(a->proof[slot], sizeof(a->proof[slot]), "%s", x->proof);
			a->ts[slot] = x->ts;
		}
		if (!a->have_seq && have_seq) {
			a->have_seq = 1;
			a->seq = seq;
		}
		if (!a->have_ack && have_ack) {
			a->have_ack = 1;
			a->ack = ack;
		}
		x->touched = row_of_arrow(ld, i);
		return;
	}
	ld->a = tr_xgrow(ld->a, &ld->acap, ld->na, sizeof(*ld->a));
	a = &ld->a[ld->na];
	memset(a, 0, sizeof(*a));
	a->from = from;
	a->type = type;
	a->have_seq = have_seq;
	a->seq = seq;
	a->have_ack = have_ack;
	a->ack = ack;
	a->retrans = retrans;
	snprintf(a->proof[slot], sizeof(a->proof[slot]), "%s", x->proof);
	a->ts[slot] = x->ts;
	x->touched = new_row(ld, x->ts, (int)ld->na++);
}

/* Bytes from @from up to relative seq @end: draw what no earlier arrow covered. */
static void data_fact(struct ctx *x, int from, uint32_t end)
{
	struct ladder *ld = x->ld;
	struct side *s = &ld->s[from];
	int slot = from == x->l ? 0 : 1;
	struct arrow *a;

	if (s->fin_known && tr_seq_before(s->fin_seq, end))
		end = s->fin_seq;
	if (!tr_seq_before(s->data_end, end)) {
		/* Nothing new; the last data arrow may still want this end's proof. */
		for (size_t i = ld->na; i-- > 0;) {
			a = &ld->a[i];
			if (a->from == from && a->type == SEG_DATA) {
				if (a->end == end && !a->proof[slot][0]) {
					snprintf(a->proof[slot], sizeof(a->proof[slot]), "%s", x->proof);
					a->ts[slot] = x->ts;
				}
				break;
			}
		}
		return;
	}
	ld->a = tr_xgrow(ld->a, &ld->acap, ld->na, sizeof(*ld->a));
	a = &ld->a[ld->na];
	memset(a, 0, sizeof(*a));
	a->from = from;
	a->type = SEG_DATA;
	a->have_seq = 1;
	a->seq = s->data_end;
	a->end = end;
	snprintf(a->proof[slot], sizeof(a->proof[slot]), "%s", x->proof);
	a->ts[slot] = x->ts;
	s->data_end = end;
	x->touched = new_row(ld, x->ts, (int)ld->na++);
}

/*
 * Data proven by snd_nxt/rcv_nxt at this event: what this end sent and what
 * it received. @peer_fin: the peer's FIN is counted in rcv_nxt. The client's
 * bytes are drawn first (request before response): the order is not proven.
 */
static void data_facts(struct ctx *x, int peer_fin)
{
	int l = x->l, p = !l;

	for (int from = 0; from < 2; from++) {
		if (from == l && x->ok_snd)
			data_fact(x, l, x->snx);
		else if (from == p && x->ok_rcv)
			data_fact(x, p, x->rnx - (peer_fin ? 1 : 0));
	}
}

/*
 * A record proves where @from's FIN is: @seq. close() queues the FIN behind
 * data not yet sent, so snd_nxt at the close was only a lower bound. Then
 * the data that went first is drawn now and the FIN (and any retransmit of
 * it drawn since) after it; the close's row keeps its state label.
 */
static void fin_proven(struct ctx *x, int from, uint32_t seq)
{
	struct ladder *ld = x->ld;
	struct side *s = &ld->s[from];
	uint32_t was = s->fin_seq;
	size_t i;
	int r, slot;

	if (!s->fin_known || !tr_seq_before(was, seq))
		return;
	s->fin_seq = seq;
	data_fact(x, from, seq);
	for (i = 0; i < ld->na; i++) {
		struct arrow *a = &ld->a[i];

		if (a->from != from || a->type != SEG_FIN || !a->have_seq || a->seq != was)
			continue;
		a->seq = seq;
		r = row_of_arrow(ld, i);
		if (r < 0 || a->retrans)
			continue;
		if (ld->r[r].label[0][0] || ld->r[r].label[1][0]) {
			ld->r[r].arrow = -1;
			snprintf(ld->r[r].note, sizeof(ld->r[r].note), "%s", a->proof[0]);
		} else {
			memmove(&ld->r[r], &ld->r[r + 1], (ld->nr - r - 1) * sizeof(*ld->r));
			ld->nr--;
		}
		slot = from == x->l ? 0 : 1;	/* the sender's own record, or the receiver's */
		snprintf(a->proof[slot], sizeof(a->proof[slot]), "%s", x->proof);
		a->ts[slot] = x->ts;
		a->late = 1;
		x->touched = new_row(ld, x->ts, (int)i);
	}
}

static void send_fin(struct ctx *x)
{
	struct side *L = &x->ld->s[x->l];

	data_facts(x, 0);
	if (x->ok_snd) {
		L->fin_known = 1;
		L->fin_seq = x->snx;
	}
	fact(x, x->l, SEG_FIN, x->ok_snd, x->snx, x->ok_rcv, x->rnx, 0);
}

static void recv_fin(struct ctx *x)
{
	struct side *P = &x->ld->s[!x->l];

	if (x->ok_rcv)
		fin_proven(x, !x->l, x->rnx - 1);
	data_facts(x, 1);
	if (x->ok_rcv) {
		P->fin_known = 1;
		P->fin_seq = x->rnx - 1;
	}
	fact(x, !x->l, SEG_FIN, x->ok_rcv, x->rnx - 1, x->ok_una, x->una, 0);
}

/*
 * The peer acked our FIN: ack is one past it. Its seq is our rcv_nxt, or,
 * when the record has none, one past the peer's FIN if that came first.
 */
static void recv_fin_ack(struct ctx *x)
{
	struct side *L = &x->ld->s[x->l], *P = &x->ld->s[!x->l];
	int have_ack, have_seq = x->ok_rcv || P->fin_known;
	uint32_t ack, seq = x->ok_rcv ? x->rnx : P->fin_seq + 1;

	if (x->ok_snd)
		fin_proven(x, x->l, x->snx - 1);	/* snd_nxt is one past the FIN acked */
	have_ack = L->fin_known || x->ok_una;
	ack = L->fin_known ? L->fin_seq + 1 : x->una;

	fact(x, !x->l, SEG_ACK, have_seq, seq, have_ack, ack, 0);
}

/* We ack the peer's FIN, after our own: from the record, else one past each FIN. */
static void send_fin_ack(struct ctx *x)
{
	struct side *L = &x->ld->s[x->l], *P = &x->ld->s[!x->l];
	int have_seq = x->ok_snd || L->fin_known, have_ack = x->ok_rcv || P->fin_known;
	uint32_t seq = x->ok_snd ? x->snx : L->fin_seq + 1;
	uint32_t ack = x->ok_rcv ? x->rnx : P->fin_seq + 1;

	fact(x, x->l, SEG_ACK, have_seq, seq, have_ack, ack, 0);
}

/* Into TIME_WAIT from @prev: what got us there. */
static void to_time_wait(struct ctx *x, int prev)
{
	if (prev == TCPTRAIL_CLOSING) {
		recv_fin_ack(x);
		return;
	}
	if (prev == TCPTRAIL_FIN_WAIT1)
		recv_fin_ack(x);
	recv_fin(x);
	send_fin_ack(x);
}

/*
 * A segment sent again, at its real time: numbered per segment, with the
 * time since the first send when the ladder has it, else the timeout that
 * fired. Data is numbered per sequence number.
 */
static void resend(struct ctx *x, const struct tcptrail_event *ev)
{
	static const enum seg segs[TR_RESENT_KINDS] = { SEG_SYN, SEG_SYNACK, SEG_FIN, SEG_DATA };
	enum tr_resent what = tr_resent_of(ev);
	struct ladder *ld = x->ld;
	struct side *L = &ld->s[x->l];
	enum seg type = segs[what];
	int have_seq = 1, have_ack = 0, n = 1, first = -1;
	uint32_t seq = 0, ack = 0;
	struct arrow *a;
	char t[20];

	if (type == SEG_SYNACK) {
		have_ack = 1;
		ack = 1;
	} else if (type == SEG_FIN) {
		if (x->ok_snd)
			fin_proven(x, x->l, x->snx - 1);	/* nothing is sent after a FIN */
		data_facts(x, 0);
		have_seq = L->fin_known;
		seq = L->fin_seq;
		have_ack = x->ok_rcv;
		ack = x->rnx;
	} else if (type == SEG_DATA) {
		data_facts(x, 0);
		have_seq = x->ok_una;
		seq = x->una;
		have_ack = x->ok_rcv;
		ack = x->rnx;
	}
	for (size_t i = 0; i < ld->na; i++) {
		a = &ld->a[i];
		if (a->from != x->l || a->type != type || (type == SEG_DATA && !a->retrans))
			continue;
		if (type == SEG_DATA && (a->have_seq != have_seq || a->seq != seq))
			continue;
		if (!a->retrans && first < 0 && !a->late)
			first = row_of_arrow(ld, i);
		else if (a->retrans)
			n = a->retrans + 1;
	}
	fact(x, x->l, type, have_seq, seq, have_ack, ack, n);
	a = &ld->a[ld->na - 1];
	if (first >= 0 && x->ts >= ld->r[first].ts) {
		uint64_t d = x->ts - ld->r[first].ts, tenths = (d + 50000000ull) / 100000000ull;

		/* A second and more to one decimal, as a timer's backoff reads; less in ms. */
		if (d >= 1000000000ull)
			snprintf(a->again, sizeof(a->again), "+%" PRIu64 ".%" PRIu64 " s", tenths / 10,
				 tenths % 10);
		else
			snprintf(a->again, sizeof(a->again), "+%" PRIu64 " ms", d / 1000000);
	} else if ((ev->flags & TCPTRAIL_F_RTO) && ev->timeout_ns) {
		tr_fmt_secs(t, sizeof(t), ev->timeout_ns);
		snprintf(a->again, sizeof(a->again), "rto %s", t);
	}
}

static void place_label(struct ctx *x, const char *label)
{
	struct ladder *ld = x->ld;
	struct side *L = &ld->s[x->l];
	int r;

	if (!label || !strcmp(label, L->shown))
		return;
	snprintf(L->shown, sizeof(L->shown), "%s", label);
	if (x->touched >= 0 && x->touched == (int)ld->nr - 1 && !ld->r[x->touched].label[x->l][0]) {
		snprintf(ld->r[x->touched].label[x->l], LABEL_W + 1, "%s", label);
		return;
	}
	r = new_row(ld, x->ts, -1);
	snprintf(ld->r[r].label[x->l], LABEL_W + 1, "%s", label);
	snprintf(ld->r[r].note, sizeof(ld->r[r].note), "%s", x->proof);
}

static const char *st(unsigned int s)
{
	const char *n = tr_state_name(s);

	return n ? n : "?";
}

static void on_event(struct ladder *ld, int l, const struct tcptrail_event *ev)
{
	struct side *L = &ld->s[l], *P = &ld->s[!l];
	struct ctx x = { .ld = ld, .l = l, .ts = ev->ts_ns, .touched = -1 };
	const char *label = NULL;
	char cb[16], why[64];

	/*
	 * Relative numbers only where the ISN is known and the result looks
	 * real: records of sockets without sequence state (timewait, request
	 * socks) carry zeros, and real numbers never go back nor jump 2^30.
	 */
	if (L->have_isn && tr_seq_fields_set(ev)) {
		x.snx = tr_seq_rel(ev->snd_nxt, L->isn);
		x.una = tr_seq_rel(ev->snd_una, L->isn);
		x.ok_snd = tr_seq_sane(x.snx) && !tr_seq_before(x.snx, L->snd_hi) &&
			   x.snx - L->snd_hi < 0x40000000u;
		x.ok_una = x.ok_snd && tr_seq_sane(x.una) && !tr_seq_before(x.snx, x.una);
		if (x.ok_snd)
			L->snd_hi = x.snx;
	}
	if (P->have_isn && tr_seq_fields_set(ev)) {
		x.rnx = tr_seq_rel(ev->rcv_nxt, P->isn);
		x.ok_rcv = tr_seq_sane(x.rnx) && x.rnx > 0 && !tr_seq_before(x.rnx, L->rcv_hi) &&
			   x.rnx - L->rcv_hi < 0x40000000u;
		if (x.ok_rcv)
			L->rcv_hi = x.rnx;
	}

	switch (ev->kind) {
	case TCPTRAIL_EV_STATE: {
		int o = ev->old_state, n = ev->new_state;

		if (tr_fmt_why(why, sizeof(why), ev))
			snprintf(x.proof, sizeof(x.proof), "%s %s->%s (%s)", L->name, st(o), st(n), why);
		else
			snprintf(x.proof, sizeof(x.proof), "%s %s->%s", L->name, st(o), st(n));
		label = st(n);
		if (n == TCPTRAIL_SYN_SENT) {
			fact(&x, l, SEG_SYN, 1, 0, 0, 0, 0);
		} else if (o == TCPTRAIL_SYN_SENT && n == TCPTRAIL_ESTABLISHED) {
			/* Handshake numbers are 0 and 1 relative, by definition. */
			fact(&x, !l, SEG_SYNACK, 1, 0, 1, 1, 0);
			fact(&x, l, SEG_ACK, 1, 1, 1, 1, 0);
		} else if (o == TCPTRAIL_SYN_SENT && n == TCPTRAIL_SYN_RECV) {
			/* Simultaneous open: the peer's SYN crossed ours; we answer with a SYN-ACK. */
			fact(&x, !l, SEG_SYN, 1, 0, 0, 0, 0);
			fact(&x, l, SEG_SYNACK, 1, 0, 1, 1, 0);
			L->simopen = 1;
		} else if (o == TCPTRAIL_SYN_RECV && n == TCPTRAIL_ESTABLISHED && L->simopen) {
			fact(&x, !l, SEG_SYNACK, 1, 0, 1, 1, 0);	/* the peer's, acking our SYN */
		} else if (o == TCPTRAIL_SYN_RECV && n == TCPTRAIL_ESTABLISHED) {
			fact(&x, !l, SEG_ACK, 1, 1, 1, 1, 0);
		} else if (o == TCPTRAIL_ESTABLISHED && n == TCPTRAIL_FIN_WAIT1) {
			send_fin(&x);
		} else if (o == TCPTRAIL_ESTABLISHED && n == TCPTRAIL_CLOSE_WAIT) {
			recv_fin(&x);
		} else if (o == TCPTRAIL_FIN_WAIT1 && n == TCPTRAIL_FIN_WAIT2) {
			data_facts(&x, 0);
			recv_fin_ack(&x);
		} else if (o == TCPTRAIL_FIN_WAIT1 && n == TCPTRAIL_CLOSING) {
			recv_fin(&x);
			send_fin_ack(&x);
		} else if (n == TCPTRAIL_TIME_WAIT) {
			to_time_wait(&x, o);
		} else if (o == TCPTRAIL_CLOSE_WAIT && n == TCPTRAIL_LAST_ACK) {
			send_fin(&x);
		} else if (o == TCPTRAIL_LAST_ACK && n == TCPTRAIL_CLOSE && !L->rst_recv) {
			recv_fin_ack(&x);
		} else if (n == TCPTRAIL_CLOSE && (o == TCPTRAIL_ESTABLISHED || o == TCPTRAIL_CLOSE_WAIT)) {
			data_facts(&x, o == TCPTRAIL_CLOSE_WAIT);	/* an abort: show what got through */
		}
		if (n == TCPTRAIL_CLOSE && L->in_tw)
			label = NULL;	/* the full socket goes; its timewait sock stays */
		L->state = n;
		break;
	}
	case TCPTRAIL_EV_TW_ENTER:
		snprintf(x.proof, sizeof(x.proof), "%s tw_enter %s", L->name,
			 st(ev->substate ? ev->substate : TCPTRAIL_TIME_WAIT));
		L->in_tw = 1;
		if (ev->substate == TCPTRAIL_FIN_WAIT2) {
			label = st(TCPTRAIL_FIN_WAIT2);
		} else {
			/* The state before the timewait sock: the last one a STATE event gave. */
			to_time_wait(&x, L->state == TCPTRAIL_CLOSE ? TCPTRAIL_FIN_WAIT2 : L->state);
			label = st(TCPTRAIL_TIME_WAIT);
		}
		break;
	case TCPTRAIL_EV_TW_SUBSTATE:
		snprintf(x.proof, sizeof(x.proof), "%s tw_substate %s", L->name, st(ev->substate));
		if (ev->substate == TCPTRAIL_TIME_WAIT) {
			to_time_wait(&x, TCPTRAIL_FIN_WAIT2);
			label = st(TCPTRAIL_TIME_WAIT);
		}
		break;
	case TCPTRAIL_EV_TW_EXIT: {
		const char *c = tr_cause_name(ev->cause);

		snprintf(cb, sizeof(cb), "%u", ev->cause);
		snprintf(x.proof, sizeof(x.proof), "%s tw_exit (%s)", L->name, c ? c : cb);
		if (ev->cause == TCPTRAIL_CAUSE_RST)
			fact(&x, !l, SEG_RST, 0, 0, 0, 0, 0);
		label = "CLOSED";
		L->in_tw = 0;
		break;
	}
	case TCPTRAIL_EV_SYN_RECV:
		snprintf(x.proof, sizeof(x.proof), "%s syn_recv", L->name);
		fact(&x, !l, SEG_SYN, 1, 0, 0, 0, 0);
		fact(&x, l, SEG_SYNACK, 1, 0, 1, 1, 0);
		label = st(TCPTRAIL_SYN_RECV);
		break;
	case TCPTRAIL_EV_SYNACK_RETRANS:
		snprintf(x.proof, sizeof(x.proof), "%s synack_retrans", L->name);
		resend(&x, ev);
		break;
	case TCPTRAIL_EV_RETRANS:
		snprintf(x.proof, sizeof(x.proof), "%s retrans %s", L->name, st(ev->old_state));
		resend(&x, ev);
		break;
	case TCPTRAIL_EV_REQ_DROP:
		snprintf(x.proof, sizeof(x.proof), "%s req_drop", L->name);
		label = "CLOSED";
		break;
	case TCPTRAIL_EV_RST_SENT:
		if (tr_fmt_why(why, sizeof(why), ev))
			snprintf(x.proof, sizeof(x.proof), "%s rst_sent (%s)", L->name, why);
		else
			snprintf(x.proof, sizeof(x.proof), "%s rst_sent", L->name);
		if (L->state == TCPTRAIL_ESTABLISHED || L->state == TCPTRAIL_CLOSE_WAIT)
			data_facts(&x, L->state == TCPTRAIL_CLOSE_WAIT);
		fact(&x, l, SEG_RST, x.ok_snd, x.snx, 0, 0, 0);
		break;
	case TCPTRAIL_EV_RST_RECV:
		snprintf(x.proof, sizeof(x.proof), "%s rst_recv", L->name);
		if (L->state == TCPTRAIL_ESTABLISHED || L->state == TCPTRAIL_CLOSE_WAIT)
			data_facts(&x, L->state == TCPTRAIL_CLOSE_WAIT);
		fact(&x, !l, SEG_RST, x.ok_rcv, x.rnx, 0, 0, 0);
		L->rst_recv = 1;
		break;
	case TCPTRAIL_EV_TW_SKIP:
		snprintf(x.proof, sizeof(x.proof), "%s tw_skip (no TIME_WAIT)", L->name);
		label = "CLOSED";
		break;
	default:
		return;
	}
	place_label(&x, label);
}

static void arrow_text(char *buf, size_t len, const struct arrow *a)
{
	size_t off;

	off = (size_t)snprintf(buf, len, "%s", seg_names[a->type]);
	if (a->type == SEG_DATA && !a->retrans)
		off += (size_t)snprintf(buf + off, len - off, " seq=%u:%u len=%u", a->seq, a->end,
					a->end - a->seq);
	else if (a->have_seq)
		off += (size_t)snprintf(buf + off, len - off, " seq=%u", a->seq);
	/* A retransmit is the same segment again: its seq says which, its ack adds nothing. */
	if (a->have_ack && !a->retrans && off < len)
		off += (size_t)snprintf(buf + off, len - off, " ack=%u", a->ack);
	if (a->retrans && off < len)
		snprintf(buf + off, len - off, " (retrans %d%s%s)", a->retrans, a->again[0] ? ", " : "",
			 a->again);
}

static void rtrim_puts(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(f, "%s\n", line);
}

static void side_init(struct side *s, const struct tr_conn *c, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->name = name;
	s->data_end = 1;	/* the SYN takes seq 0 */
	if (c && c->isns.have_isn) {
		s->have_isn = 1;
		s->isn = c->isns.isn;
	}
}

static void print_side(FILE *f, const struct side *s, const struct tr_conn *other)
{
	char ap[64], comm[80];

	if (s->c) {
		tr_fmt_addrport(ap, sizeof(ap), s->c->family, s->c->saddr, s->c->sport);
		fprintf(f, "  %-6s %s, connection %u", s->name, ap, s->c->id);
		if (s->c->have_owner) {
			tr_fmt_comm(comm, sizeof(comm), s->c->comm);
			fprintf(f, ", pid %u (%s)", s->c->pid, comm);
		}
	} else {
		tr_fmt_addrport(ap, sizeof(ap), other->family, other->daddr, other->dport);
		fprintf(f, "  %-6s %s, not observed (drawn from the other end's records)", s->name, ap);
	}
	if (s->have_isn)
		fprintf(f, ", ISN %u", s->isn);
	else
		fputs(", ISN unknown", f);
	fputc('\n', f);
}

/* Both ends' events, merged by time, into arrows and rows; *@t0 the first event's time. */
static void ladder_build(struct ladder *ld, const struct tr_conn *left, const struct tr_conn *right,
			 int local_peer, uint64_t *t0)
{
	size_t i[2] = { 0, 0 };

	memset(ld, 0, sizeof(*ld));
	side_init(&ld->s[0], left, local_peer ? "local" : "client");
	side_init(&ld->s[1], right, local_peer ? "peer" : "server");
	/* An end not observed (or without its own ISN) is known through its peer. */
	for (int k = 0; k < 2; k++) {
		const struct tr_conn *o = ld->s[!k].c;

		if (!ld->s[k].have_isn && o && o->isns.have_peer) {
			ld->s[k].have_isn = 1;
			ld->s[k].isn = o->isns.peer;
		}
	}
	*t0 = UINT64_MAX;
	if (left)
		*t0 = left->first_ts;
	if (right && right->first_ts < *t0)
		*t0 = right->first_ts;

	for (;;) {
		const struct tcptrail_event *e0 = left && i[0] < left->nevs ? &left->evs[i[0]] : NULL;
		const struct tcptrail_event *e1 = right && i[1] < right->nevs ? &right->evs[i[1]] : NULL;

		if (!e0 && !e1)
			break;
		if (e0 && (!e1 || e0->ts_ns <= e1->ts_ns)) {
			on_event(ld, 0, e0);
			i[0]++;
		} else {
			on_event(ld, 1, e1);
			i[1]++;
		}
	}
}

void tr_ladder_view(struct tr_ladder_view *v, const struct tr_conn *left,
		    const struct tr_conn *right, int local_peer)
{
	struct ladder ld;

	memset(v, 0, sizeof(*v));
	if (!left && !right)
		return;
	ladder_build(&ld, left, right, local_peer, &v->t0);
	for (int k = 0; k < 2; k++) {
		v->name[k] = ld.s[k].name;
		v->have_isn[k] = ld.s[k].have_isn;
		v->isn[k] = ld.s[k].isn;
	}
	v->rows = tr_xrealloc(NULL, (ld.nr ? ld.nr : 1) * sizeof(*v->rows));
	memset(v->rows, 0, (ld.nr ? ld.nr : 1) * sizeof(*v->rows));
	v->n = ld.nr;
	for (size_t k = 0; k < ld.nr; k++) {
		const struct row *r = &ld.r[k];
		struct tr_ladder_row *o = &v->rows[k];
		const struct arrow *a = r->arrow >= 0 ? &ld.a[r->arrow] : NULL;

		o->ts = r->ts;
		memcpy(o->label, r->label, sizeof(o->label));
		snprintf(o->note, sizeof(o->note), "%s", r->note);
		if (!a)
			continue;
		o->arrow = 1;
		o->from = a->from;
		o->retrans = a->retrans;
		o->rst = a->type == SEG_RST;
		memcpy(o->proof, a->proof, sizeof(o->proof));
		memcpy(o->proof_ts, a->ts, sizeof(o->proof_ts));
		arrow_text(o->text, sizeof(o->text), a);
	}
	free(ld.a);
	free(ld.r);
}

void tr_ladder_view_free(struct tr_ladder_view *v)
{
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
}

void tr_ladder_print(FILE *f, const struct tr_conn *left, const struct tr_conn *right,
		     int local_peer)
{
	struct ladder ld;
	uint64_t t0;
	int w = MIN_W;
	char text[128], line[1024];

	if (!left && !right)
		return;
	ladder_build(&ld, left, right, local_peer, &t0);

	for (size_t k = 0; k < ld.na; k++) {
		arrow_text(text, sizeof(text), &ld.a[k]);
		if ((int)strlen(text) + 8 > w)
			w = (int)strlen(text) + 8;
	}

	fprintf(f, "ladder%s: seq/ack relative to the ISNs below; each arrow names the record "
		   "that proves it\n", left && right ? "" : " (one end only)");
	print_side(f, &ld.s[0], right);
	print_side(f, &ld.s[1], left);
	snprintf(line, sizeof(line), "%10s  %-*s |%*s| %s", "ms", LABEL_W, ld.s[0].name, w, "",
		 ld.s[1].name);
	rtrim_puts(f, line);
	for (size_t k = 0; k < ld.nr; k++) {
		const struct row *r = &ld.r[k];
		char ms[32], mid[320], note[4][200];
		int nn = 0;

		tr_fmt_ms(ms, sizeof(ms), r->ts - t0);
		if (r->arrow >= 0) {
			const struct arrow *a = &ld.a[r->arrow];
			int fill;

			arrow_text(text, sizeof(text), a);
			fill = w - (int)strlen(text) - 5;
			if (a->from == 0)
				snprintf(mid, sizeof(mid), "-- %s %.*s>", text, fill,
					 "----------------------------------------------------------------"
					 "----------------------------------------------------------------");
			else
				snprintf(mid, sizeof(mid), "<%.*s %s --", fill,
					 "----------------------------------------------------------------"
					 "----------------------------------------------------------------",
					 text);
			if (a->proof[0][0] && a->proof[1][0])
				snprintf(note[nn++], sizeof(note[0]), "%s; %s", a->proof[0], a->proof[1]);
			else
				snprintf(note[nn++], sizeof(note[0]), "%s",
					 a->proof[0][0] ? a->proof[0] : a->proof[1]);
			/* Past the width of a terminal: the second proof on a line of its own. */
			if (a->proof[0][0] && a->proof[1][0] && w + 42 + (int)strlen(note[0]) > LINE_MAX_W) {
				snprintf(note[0], sizeof(note[0]), "%s;", a->proof[0]);
				snprintf(note[nn++], sizeof(note[0]), "%s", a->proof[1]);
			}
		} else {
			snprintf(mid, sizeof(mid), "%*s", w, "");
			snprintf(note[nn++], sizeof(note[0]), "%s", r->note);
		}
		/* A proof still too long: its cause, in parentheses, on the next line. */
		for (int i = nn - 1; i >= 0; i--) {
			char *paren = strstr(note[i], " (");

			if (w + 42 + (int)strlen(note[i]) <= LINE_MAX_W || !paren)
				continue;
			memmove(note[i + 2], note[i + 1], (size_t)(nn - i - 1) * sizeof(note[0]));
			snprintf(note[i + 1], sizeof(note[0]), "%s", paren + 1);
			*paren = '\0';
			nn++;
		}
		for (int i = 0; i < nn; i++) {
			if (!i)
				snprintf(line, sizeof(line), "%10s  %-*s |%s| %-*s  %s", ms, LABEL_W,
					 r->label[0], mid, LABEL_W, r->label[1], note[0]);
			else
				snprintf(line, sizeof(line), "%10s  %-*s |%*s| %-*s  %s", "", LABEL_W, "",
					 w, "", LABEL_W, "", note[i]);
			rtrim_puts(f, line);
		}
	}
	free(ld.a);
	free(ld.r);
}
