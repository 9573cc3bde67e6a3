// SPDX-License-Identifier: GPL-2.0
/* test_ladder.c - ladder diagrams of synthetic record sequences, against golden files. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "fixtures.h"
#include "ladder.h"
#include "summary.h"
#include "tap.h"
#include "timeline.h"

static struct tr_trail *trail_of(const struct tcptrail_event *evs, int n)
{
	struct tr_trail *t = tr_trail_new();

	for (int i = 0; i < n; i++)
		tr_trail_add(t, &evs[i]);
	return t;
}

static void ladder_golden(const char *name, const struct tr_conn *l, const struct tr_conn *r,
			  int local_peer)
{
	struct tr_fmt fmt = { .wall_offset_ns = 1700000000000000000ll };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (local_peer) {
		/* Mid-connection: the timeline starts from the kernel's duration. */
		tr_conn_print_timeline(f, l, &fmt, l->last_ts);
		fputc('\n', f);
	}
	tr_ladder_print(f, l, r, local_peer);
	fclose(f);
	tap_golden(name, buf, len);
	free(buf);
}

static void ladders(void)
{
	struct tcptrail_event evs[FX_MAX], only[FX_MAX];
	int n = fx_pair(evs), k = 0;
	struct tr_trail *t = trail_of(evs, n);

	ladder_golden("ladder_pair.txt", tr_trail_find(t, FX_NETNS, 4097),
		      tr_trail_find(t, FX_NETNS, 4098), 0);
	ladder_golden("ladder_client_only.txt", tr_trail_find(t, FX_NETNS, 4097), NULL, 0);
	ladder_golden("ladder_server_only.txt", NULL, tr_trail_find(t, FX_NETNS, 4098), 0);
	tr_trail_free(t);

	/* Seen from the middle: no SYN_SENT, no ISNs. Only what the states prove. */
	for (int i = 5; i < n; i++)
		if (evs[i].cookie == 4097) {
			only[k] = evs[i];
			only[k].flags &= (uint16_t)~(TCPTRAIL_F_ISN | TCPTRAIL_F_PEER_ISN);
			k++;
		}
	t = trail_of(only, k);
	ladder_golden("ladder_midway.txt", tr_trail_find(t, FX_NETNS, 4097), NULL, 1);
	tr_trail_free(t);
}

/*
 * Synthetic sequences for what made a connection slow or end: each end's
 * records as the module writes them, for tr_trail_print (timelines and the
 * ladder of the pair).
 */
#define CI 3000000000u		/* the client's (or end A's) ISN */
#define SI 7000u		/* the server's (or end B's) */
#define SEC 1000000ull		/* in µs */

struct seq {
	struct tcptrail_event ev[40];
	int n;
	uint64_t cookie[2];
	uint16_t port[2];
};

/* Record @kind at @us on end @end (0: client, 1: server), old -> new state. */
static struct tcptrail_event *rec(struct seq *q, int end, uint64_t us, int kind, int o, int n)
{
	struct tcptrail_event *e = &q->ev[q->n++];

	memset(e, 0, sizeof(*e));
	e->ts_ns = FX_TS0 + us * 1000;
	e->seq = (uint64_t)q->n;
	e->cpu = (uint16_t)end;
	e->kind = (uint16_t)kind;
	e->family = AF_INET;
	e->netns = FX_NETNS;
	e->cookie = q->cookie[end];
	inet_pton(AF_INET, end ? "10.0.0.2" : "10.0.0.1", e->saddr);
	inet_pton(AF_INET, end ? "10.0.0.1" : "10.0.0.2", e->daddr);
	e->sport = q->port[end];
	e->dport = q->port[!end];
	e->old_state = (uint8_t)o;
	e->new_state = (uint8_t)n;
	e->flags = TCPTRAIL_F_OWNER | TCPTRAIL_F_ISN;
	e->pid = end ? 80 : 4000;
	strcpy(e->comm, end ? "server" : "client");
	e->isn = end ? SI : CI;
	if (kind != TCPTRAIL_EV_STATE || n != TCPTRAIL_SYN_SENT) {
		e->flags |= TCPTRAIL_F_PEER_ISN;
		e->peer_isn = end ? CI : SI;
	}
	return e;
}

/* snd_una, snd_nxt, rcv_nxt relative to the ISNs. */
static void at(struct tcptrail_event *e, uint32_t una, uint32_t nxt, uint32_t rcv)
{
	uint32_t own = e->isn, peer = e->isn == CI ? SI : CI;

	e->snd_una = own + una;
	e->snd_nxt = own + nxt;
	e->rcv_nxt = rcv ? peer + rcv : 0;
}

/* A retransmit: what it carried (TCPTRAIL_F_SYN/FIN), the RTO that fired. */
static struct tcptrail_event *resent(struct seq *q, int end, uint64_t us, int state, uint16_t what,
				     uint64_t count, uint64_t rto_ms)
{
	struct tcptrail_event *e = rec(q, end, us, TCPTRAIL_EV_RETRANS, state, state);

	e->flags |= what | TCPTRAIL_F_SOFTIRQ;
	if (rto_ms) {
		e->flags |= TCPTRAIL_F_RTO;
		e->count = count;
		e->timeout_ns = rto_ms * 1000000ull;
	}
	return e;
}

static void summary_golden(const char *name, struct seq *q)
{
	struct tr_fmt fmt = { .time = TR_TIME_REL, .t0_ns = FX_TS0 };
	struct tr_trail *t = trail_of(q->ev, q->n);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tr_trail_print(f, t, &fmt, t->last_ts);
	fclose(f);
	tap_golden(name, buf, len);
	free(buf);
	tr_trail_free(t);
}

/* Two SYNs lost, one SYN-ACK, the request's first byte, the client's FIN: each sent again. */
static void retransmits(void)
{
	struct seq q = { .cookie = { 501, 502 }, .port = { 40000, 80 } };
	struct tcptrail_event *e;

	e = rec(&q, 0, 0, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE, TCPTRAIL_SYN_SENT);
	at(resent(&q, 0, 1 * SEC + 3000, TCPTRAIL_SYN_SENT, TCPTRAIL_F_SYN, 1, 1000), 0, 1, 0);
	at(resent(&q, 0, 3 * SEC + 9000, TCPTRAIL_SYN_SENT, TCPTRAIL_F_SYN, 2, 2000), 0, 1, 0);
	e = rec(&q, 1, 3 * SEC + 9050, TCPTRAIL_EV_SYN_RECV, TCPTRAIL_LISTEN, TCPTRAIL_NEW_SYN_RECV);
	at(e, 0, 1, 1);
	e = rec(&q, 1, 4 * SEC + 12000, TCPTRAIL_EV_SYNACK_RETRANS, TCPTRAIL_NEW_SYN_RECV,
		TCPTRAIL_NEW_SYN_RECV);
	e->count = 1;
	e = rec(&q, 0, 4 * SEC + 12050, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_SENT, TCPTRAIL_ESTABLISHED);
	e->dur_ns = (4 * SEC + 12050) * 1000;
	at(e, 1, 1, 1);
	e = rec(&q, 1, 4 * SEC + 12100, TCPTRAIL_EV_STATE, TCPTRAIL_LISTEN, TCPTRAIL_SYN_RECV);
	at(e, 1, 1, 1);
	e = rec(&q, 1, 4 * SEC + 12101, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_RECV, TCPTRAIL_ESTABLISHED);
	e->dur_ns = (SEC + 3051) * 1000;
	at(e, 1, 1, 1);
	at(resent(&q, 0, 4 * SEC + 215000, TCPTRAIL_ESTABLISHED, 0, 1, 200), 1, 101, 1);
	/* snd_nxt at a state change is before the FIN that follows it. */
	e = rec(&q, 0, 4 * SEC + 500000, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_FIN_WAIT1);
	at(e, 101, 101, 501);
	at(resent(&q, 0, 4 * SEC + 704000, TCPTRAIL_FIN_WAIT1, TCPTRAIL_F_FIN, 1, 200), 101, 102, 501);
	e = rec(&q, 1, 4 * SEC + 704050, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE_WAIT);
	at(e, 501, 501, 102);
	e = rec(&q, 0, 4 * SEC + 704100, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT1, TCPTRAIL_FIN_WAIT2);
	at(e, 102, 102, 501);
	e = rec(&q, 1, 4 * SEC + 800000, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE_WAIT, TCPTRAIL_LAST_ACK);
	at(e, 501, 501, 102);
	e = rec(&q, 0, 4 * SEC + 800050, TCPTRAIL_EV_TW_ENTER, 0, 0);
	e->substate = TCPTRAIL_TIME_WAIT;
	e->timeout_ns = 60000000000ull;
	at(e, 102, 102, 502);
	e = rec(&q, 0, 4 * SEC + 800051, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT2, TCPTRAIL_CLOSE);
	e->cause = TCPTRAIL_CAUSE_ACTIVE_CLOSE;
	at(e, 102, 102, 502);
	e = rec(&q, 1, 4 * SEC + 800100, TCPTRAIL_EV_STATE, TCPTRAIL_LAST_ACK, TCPTRAIL_CLOSE);
	e->cause = TCPTRAIL_CAUSE_PASSIVE_CLOSE;
	at(e, 502, 502, 102);
	summary_golden("ladder_retrans.txt", &q);
}

/* A client's connect() and the server's accept, no segment lost (0 to 151 us). */
static void handshake(struct seq *q)
{
	rec(q, 0, 0, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE, TCPTRAIL_SYN_SENT);
	at(rec(q, 1, 50, TCPTRAIL_EV_SYN_RECV, TCPTRAIL_LISTEN, TCPTRAIL_NEW_SYN_RECV), 0, 1, 1);
	at(rec(q, 0, 100, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_SENT, TCPTRAIL_ESTABLISHED), 1, 1, 1);
	at(rec(q, 1, 150, TCPTRAIL_EV_STATE, TCPTRAIL_LISTEN, TCPTRAIL_SYN_RECV), 1, 1, 1);
	at(rec(q, 1, 151, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_RECV, TCPTRAIL_ESTABLISHED), 1, 1, 1);
}

/* The server closes with SO_LINGER 0 (RST both ways of seeing it); a port nobody listens on. */
static void resets(void)
{
	struct seq q = { .cookie = { 511, 512 }, .port = { 40001, 80 } };
	struct tcptrail_event *e;

	handshake(&q);
	e = rec(&q, 1, 20000, TCPTRAIL_EV_RST_SENT, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE);
	e->cause = TCPTRAIL_CAUSE_LINGER0;
	at(e, 1, 1, 11);
	e = rec(&q, 1, 20001, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE);
	e->cause = TCPTRAIL_CAUSE_LINGER0;
	at(e, 1, 1, 11);
	at(rec(&q, 0, 20050, TCPTRAIL_EV_RST_RECV, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE), 11, 11, 1);
	e = rec(&q, 0, 20051, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE);
	e->cause = TCPTRAIL_CAUSE_RESET;
	e->err = 104;	/* ECONNRESET */
	at(e, 11, 11, 1);

	/* Another client, refused: its SYN answered by an RST. */
	q.cookie[0] = 513;
	q.port[0] = 40002;
	q.port[1] = 81;
	rec(&q, 0, 30000, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE, TCPTRAIL_SYN_SENT);
	e = rec(&q, 0, 30040, TCPTRAIL_EV_RST_RECV, TCPTRAIL_SYN_SENT, TCPTRAIL_CLOSE);
	e->flags &= (uint16_t)~TCPTRAIL_F_PEER_ISN;
	e = rec(&q, 0, 30041, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_SENT, TCPTRAIL_CLOSE);
	e->flags &= (uint16_t)~TCPTRAIL_F_PEER_ISN;
	e->cause = TCPTRAIL_CAUSE_REFUSED;
	e->err = 111;	/* ECONNREFUSED */
	summary_golden("ladder_rst.txt", &q);
}

/* Both ends connect at once: each SYN_SENT -> SYN_RECV, the SYN-ACKs cross. */
static void simultaneous_open(void)
{
	struct seq q = { .cookie = { 521, 522 }, .port = { 5000, 6000 } };

	rec(&q, 0, 0, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE, TCPTRAIL_SYN_SENT);
	rec(&q, 1, 10, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE, TCPTRAIL_SYN_SENT);
	at(rec(&q, 0, 50, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_SENT, TCPTRAIL_SYN_RECV), 0, 1, 1);
	at(rec(&q, 1, 60, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_SENT, TCPTRAIL_SYN_RECV), 0, 1, 1);
	at(rec(&q, 0, 100, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_RECV, TCPTRAIL_ESTABLISHED), 1, 1, 1);
	at(rec(&q, 1, 110, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_RECV, TCPTRAIL_ESTABLISHED), 1, 1, 1);
	summary_golden("ladder_simopen.txt", &q);
}

/* Both ends close at once: FIN_WAIT1 -> CLOSING -> TIME_WAIT on each. */
static void simultaneous_close(void)
{
	struct seq q = { .cookie = { 531, 532 }, .port = { 40003, 80 } };
	struct tcptrail_event *e;

	handshake(&q);
	at(rec(&q, 0, 10000, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_FIN_WAIT1), 1, 1, 1);
	at(rec(&q, 1, 10005, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_FIN_WAIT1), 1, 1, 1);
	at(rec(&q, 0, 10050, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT1, TCPTRAIL_CLOSING), 1, 2, 2);
	at(rec(&q, 1, 10055, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT1, TCPTRAIL_CLOSING), 1, 2, 2);
	for (int end = 0; end < 2; end++) {
		e = rec(&q, end, 10100 + 5 * end, TCPTRAIL_EV_TW_ENTER, 0, 0);
		e->substate = TCPTRAIL_TIME_WAIT;
		e->timeout_ns = 60000000000ull;
		at(e, 2, 2, 2);
		e = rec(&q, end, 10101 + 5 * end, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSING, TCPTRAIL_CLOSE);
		e->cause = TCPTRAIL_CAUSE_ACTIVE_CLOSE;
		at(e, 2, 2, 2);
	}
	summary_golden("ladder_simclose.txt", &q);
}

/*
 * The server closes with 4000 bytes still unsent: its FIN goes out behind
 * them, at 5001, not at the close's snd_nxt (1001). Both ends seen, and the
 * server's end alone.
 */
static void fin_behind_queued_data(void)
{
	struct seq q = { .cookie = { 541, 542 }, .port = { 40004, 80 } };
	struct tr_fmt fmt = { .time = TR_TIME_REL, .t0_ns = FX_TS0 };

	handshake(&q);
	at(rec(&q, 1, 10000, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_FIN_WAIT1), 1, 1001, 11);
	at(rec(&q, 0, 30000, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE_WAIT), 11, 11, 5002);
	at(rec(&q, 1, 30050, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT1, TCPTRAIL_FIN_WAIT2), 5002, 5002, 11);
	for (size_t first = 0; first < 2; first++) {
		/* first 0: both ends; 1: the server's records only */
		struct tcptrail_event ev[32];
		struct tr_trail *t;
		char *buf = NULL, *fin, *data;
		size_t len = 0, n = 0;
		FILE *f;

		for (int i = 0; i < q.n; i++)
			if (!first || q.ev[i].sport == 80)
				ev[n++] = q.ev[i];
		t = trail_of(ev, n);
		f = open_memstream(&buf, &len);
		tr_trail_print(f, t, &fmt, t->last_ts);
		fclose(f);
		fin = strstr(buf, "FIN seq=5001 ack=11");
		data = strstr(buf, "data seq=1001:5001 len=4000");
		tap_ok(fin && data && data < fin && !strstr(buf, "FIN seq=1001") &&
		       strstr(buf, "ACK seq=11 ack=5002"),
		       "ladder (%s): a FIN queued behind unsent data is drawn at its real seq, after them",
		       first ? "server's end" : "both ends");
		if (!(fin && data && data < fin))
			fputs(buf, stderr);
		free(buf);
		tr_trail_free(t);
	}
}

void test_ladder(void)
{
	ladders();
	retransmits();
	resets();
	simultaneous_open();
	simultaneous_close();
	fin_behind_queued_data();
}
