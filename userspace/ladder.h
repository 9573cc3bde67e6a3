/* SPDX-License-Identifier: GPL-2.0 */
/* ladder.h - the ladder (sequence) diagram of one connection, from one or both of its ends. */
#ifndef TCPTRAIL_LADDER_H
#define TCPTRAIL_LADDER_H

#include <stdint.h>
#include <stdio.h>

struct tr_conn;

/*
 * Draw the segments that the recorded state changes prove, client on the
 * left, server on the right; either may be NULL (that end was not seen).
 * With @local_peer the roles are unknown: @left is "local", the other "peer".
 * seq/ack are relative to the sender's/receiver's ISN, printed once above.
 */
void tr_ladder_print(FILE *f, const struct tr_conn *left, const struct tr_conn *right,
		     int local_peer);

/* The same ladder as rows, for drawing it elsewhere (plot). */
struct tr_ladder_row {
	uint64_t ts;			/* when the first record proving it was taken */
	int arrow;			/* a segment on this row: the fields below */
	int from;			/* 0: left to right, 1: right to left */
	uint64_t proof_ts[2];		/* the sender's, the receiver's proof; 0: none */
	int retrans, rst;
	char text[128];			/* "SYN seq=0", "data seq=1:78 len=77 ack=1" */
	char proof[2][96];
	char label[2][13];		/* a state each end entered here, or "" */
	char note[96];			/* rows without an arrow: the record behind the label */
};

struct tr_ladder_view {
	const char *name[2];		/* "client", "server" or "local", "peer" */
	int have_isn[2];
	uint32_t isn[2];
	uint64_t t0;			/* first event of either end */
	struct tr_ladder_row *rows;	/* in drawing order */
	size_t n;
};

void tr_ladder_view(struct tr_ladder_view *v, const struct tr_conn *left,
		    const struct tr_conn *right, int local_peer);
void tr_ladder_view_free(struct tr_ladder_view *v);

#endif
