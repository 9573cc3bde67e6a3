/* fixtures.h - binary records for the tests: a full IPv4 client/server pair, IPv6 odds and ends. */
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

/* curl (pid 1234) 127.0.0.1:40000 -> server (pid 999) 127.0.0.1:8080, both ends, close by the client. */
int fx_pair(struct tcptrail_event *out);
/* IPv6 and v4-mapped: lifecycle kinds, a LOST record, odd comm bytes, unknown ISNs. */
int fx_v6(struct tcptrail_event *out);

/*
 * As recorded by the module in the dev VM (6.12): curl fetches a page from
 * python3's http.server, which closes first; the timewait record has no
 * sequence numbers, and there is a FIN_WAIT1 -> FIN_WAIT1.
 */
int fx_vm(struct tcptrail_event *out);

void fx_header(struct tcptrail_header *h, uint32_t magic, uint16_t major, uint16_t minor,
	       uint32_t size);
/* Header (valid unless @h given) then records; 0 on success. */
int fx_write_dump(const char *path, const struct tcptrail_header *h,
		  const struct tcptrail_event *evs, int n);

#endif
