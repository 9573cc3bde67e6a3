/* ladder.h - the ladder (sequence) diagram of one connection, from one or both of its ends. */
#ifndef TCPTRAIL_LADDER_H
#define TCPTRAIL_LADDER_H

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

#endif
