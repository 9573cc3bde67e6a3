/* SPDX-License-Identifier: GPL-2.0 */
/* fixtures.h - records for the tests: real captures from the VM, and synthetic ones for what no run gives. */
#ifndef TR_FIXTURES_H
#define TR_FIXTURES_H

#include <stdint.h>

#include "record.h"

#define FX_TS0 1000000000000ull		/* 1000 s of CLOCK_MONOTONIC */
#define FX_OFFSET "1700000000000000000"	/* wall - mono: FX_TS0 is 2023-11-14T22:30:00Z */
#define FX_NETNS 4026531840u
#define FX_CLIENT_ISN 4294967290u	/* wraps after 6 bytes */
#define FX_SERVER_ISN 1000000000u
#define FX_MAX 32

/*
 * Synthetic records, for cases no real run gives: round numbers, an ISN
 * that wraps, IPv6 and v4-mapped peers, odd comm bytes, a LOST record. Each
 * kind carries the old/new states the module sets for it.
 */
/* curl (pid 1234) 127.0.0.1:40000 -> server (pid 999) 127.0.0.1:8080, both ends, close by the client. */
int fx_pair(struct tcptrail_event *out);
/* IPv6 and v4-mapped: lifecycle kinds, a LOST record, odd comm bytes, unknown ISNs. */
int fx_v6(struct tcptrail_event *out);

/*
 * Real captures, recorded with tcptrail -w in the 6.1 VM by
 * tests/unit/captures/capture-guest (which says what each holds):
 * "curl.bin", "timewait.bin". The path of one, and its records (up to @max;
 * the count, or -1 if it cannot be read or holds more).
 */
const char *fx_capture_path(const char *name);
int fx_capture(const char *name, struct tcptrail_event *out, int max);

void fx_header(struct tcptrail_header *h, uint32_t magic, uint16_t major, uint16_t minor,
	       uint32_t size);
/* Header (valid unless @h given) then records; 0 on success. */
int fx_write_dump(const char *path, const struct tcptrail_header *h,
		  const struct tcptrail_event *evs, int n);

#endif
