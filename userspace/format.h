/* SPDX-License-Identifier: GPL-2.0 */
/* format.h - printing events as aligned text, JSON Lines or CSV. */
#ifndef TCPTRAIL_FORMAT_H
#define TCPTRAIL_FORMAT_H

#include <stdint.h>
#include <stdio.h>

#include "record.h"

enum tr_format { TR_FMT_TEXT, TR_FMT_JSON, TR_FMT_CSV };

/* --time: how text shows an event's time. */
enum tr_time {
	TR_TIME_ABS,	/* local HH:MM:SS.mmm */
	TR_TIME_REL,	/* seconds since the first event read */
	TR_TIME_DATE,	/* local YYYY-MM-DD HH:MM:SS.mmm */
	TR_TIME_EPOCH,	/* seconds since 1970, UTC */
};

struct tr_fmt {
	enum tr_format format;
	int relative;		/* seq/ack relative to the ISNs (text; rel_* in JSON/CSV) */
	int wide;		/* text: IPv6-wide addresses, ISN/SND_NXT/RCV_NXT, sysctls */
	int no_header;		/* text and CSV: no column header */
	enum tr_time time;
	int64_t wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t t0_ns;		/* TR_TIME_REL: the first event's ts_ns */
};

/* "1.2.3.4:80" or "[2001:db8::1]:80"; the address alone without brackets. */
void tr_fmt_addr(char *buf, size_t len, int family, const uint8_t *addr);
void tr_fmt_addrport(char *buf, size_t len, int family, const uint8_t *addr, uint16_t port);
/*
 * Time of a CLOCK_MONOTONIC ts as fmt->time says (tr_fmt_clock), or as UTC
 * ISO 8601 with ns (tr_fmt_iso). Any ts and offset give a time: the sum is
 * clamped to 1970..2262 rather than overflow.
 */
void tr_fmt_clock(char *buf, size_t len, const struct tr_fmt *fmt, uint64_t ts_ns);
void tr_fmt_iso(char *buf, size_t len, const struct tr_fmt *fmt, uint64_t ts_ns);
/* "12.345" ms, truncated to the microsecond. */
void tr_fmt_ms(char *buf, size_t len, uint64_t ns);
/*
 * Owner's comm made safe for a terminal: control bytes and invalid UTF-8
 * become '?'. Returns its width in columns. @len >= 4 * 16 keeps it whole.
 */
size_t tr_fmt_comm(char *buf, size_t len, const char *comm);

/* Column header: text and CSV; JSON has none. */
void tr_fmt_print_header(FILE *f, const struct tr_fmt *fmt);
/* One event; @isns may be NULL. In text mode a LOST record goes nowhere: see tr_fmt_print_lost. */
void tr_fmt_print_event(FILE *f, const struct tr_fmt *fmt, const struct tcptrail_event *ev,
			const struct tr_isns *isns);
/* "tcptrail: lost N events (overwritten)" for stderr. */
void tr_fmt_print_lost(FILE *f, const struct tcptrail_event *ev);
/* A JSON string literal of arbitrary bytes: escapes, and U+FFFD for invalid UTF-8. */
void tr_fmt_json_string(FILE *f, const char *s);
/* Seconds with up to ms, trailing zeros cut, and a unit: "1 s", "0.204 s". */
void tr_fmt_secs(char *buf, size_t len, uint64_t ns);
/*
 * Why a record's connection ended or an RST went, for timelines and
 * ladders: "syn_timeout, errno ETIMEDOUT", "linger0". Empty when the record
 * says nothing (no cause, no errno); returns the length.
 */
size_t tr_fmt_why(char *buf, size_t len, const struct tcptrail_event *ev);

#endif
