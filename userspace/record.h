/* SPDX-License-Identifier: GPL-2.0 */
/* record.h - decoding and validating tcptrail's binary records, name tables, TCP seq math. */
#ifndef TCPTRAIL_RECORD_H
#define TCPTRAIL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "../module/tcptrail_abi.h"

#define TR_REC TCPTRAIL_RECORD_SIZE

/* ISNs learnt from earlier events of a connection, for --relative. */
struct tr_isns {
	int have_isn, have_peer;
	uint32_t isn, peer;
};

/* Names: NULL when the number is unknown to this version. */
const char *tr_state_name(unsigned int state);
const char *tr_kind_name(unsigned int kind);	/* "state", "lost", "tw_enter", ... */
const char *tr_cause_name(unsigned int cause);	/* "expired", ...; NULL for NONE */
/*
 * Kernel state number for NAME, or -1. Case, '-' and '_' do not matter, so
 * ss's names work too (fin-wait-1, time-wait; also estab, closed, listening).
 */
int tr_state_from_name(const char *name);

/* What a retransmit (RETRANS, SYNACK_RETRANS) sent again; TR_RESENT_NONE for other records. */
enum tr_resent { TR_RESENT_NONE = -1, TR_RESENT_SYN, TR_RESENT_SYNACK, TR_RESENT_FIN, TR_RESENT_DATA,
		 TR_RESENT_KINDS };

enum tr_resent tr_resent_of(const struct tcptrail_event *ev);
const char *tr_resent_name(enum tr_resent r);	/* "SYN", "SYN-ACK", "FIN", "data" */

/* Every kind except STATE and LOST describes a socket lifecycle step. */
int tr_is_lifecycle(unsigned int kind);

/* Result of tr_check_header(). */
enum tr_hdr_status {
	TR_HDR_OK = 0,
	TR_HDR_SHORT,
	TR_HDR_MAGIC,
	TR_HDR_MISMATCH,	/* major or record_size differ */
};

/*
 * Check the first record of a stream. @who names the other side in the
 * message ("the kernel module", a file name). On error @msg gets a full
 * sentence fit for stderr.
 */
enum tr_hdr_status tr_check_header(const void *buf, size_t len, const char *who,
				   struct tcptrail_header *out, char *msg, size_t msglen);

/* Result of tr_decode_event(). */
enum tr_ev_status {
	TR_EV_OK = 0,
	TR_EV_UNKNOWN,	/* a kind from a newer minor: skip it quietly */
	TR_EV_HEADER,	/* a repeated header (e.g. after lseek): skip it */
	TR_EV_BAD,	/* malformed: skip it and say so */
};

/* Copy one record out of @buf (no alignment needed) and sanity-check it. */
enum tr_ev_status tr_decode_event(const void *buf, size_t len, struct tcptrail_event *out,
				  const char **why);

/*
 * Captures written by --raw-out keep the CLOCK_REALTIME - CLOCK_MONOTONIC
 * offset of the capturing machine at the end of the header's reserved
 * bytes, so --file can show the wall-clock time of another boot.
 */
void tr_header_set_wall_offset(struct tcptrail_header *h, int64_t off_ns);
int tr_header_get_wall_offset(const struct tcptrail_header *h, int64_t *off_ns);

/* TCP sequence arithmetic, modulo 2^32 like the kernel's before()/after(). */
static inline uint32_t tr_seq_rel(uint32_t seq, uint32_t isn)
{
	return seq - isn;
}

static inline int32_t tr_seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline int tr_seq_before(uint32_t a, uint32_t b)
{
	return tr_seq_diff(a, b) < 0;
}

/* A relative seq that looks like a real offset (0..2^31) rather than garbage. */
static inline int tr_seq_sane(uint32_t rel)
{
	return rel < 0x80000000u;
}

/* Did the kernel fill in snd_una/snd_nxt/rcv_nxt? Sockets without sequence state leave zeros. */
static inline int tr_seq_fields_set(const struct tcptrail_event *ev)
{
	return ev->snd_una || ev->snd_nxt || ev->rcv_nxt;
}

#endif
