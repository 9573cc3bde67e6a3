// SPDX-License-Identifier: GPL-2.0
/* test_record.c - header checks (ABI mismatch), record decoding, name tables, seq math with wrap-around. */
#include <string.h>
#include <sys/socket.h>

#include "fixtures.h"
#include "record.h"
#include "tap.h"

static void names(void)
{
	tap_ok(!strcmp(tr_state_name(TCPTRAIL_ESTABLISHED), "ESTABLISHED") &&
	       !strcmp(tr_state_name(TCPTRAIL_NEW_SYN_RECV), "NEW_SYN_RECV") &&
	       !strcmp(tr_state_name(TCPTRAIL_TIME_WAIT), "TIME_WAIT"), "state names come from the X-macro");
	tap_ok(!tr_state_name(0) && !tr_state_name(TCPTRAIL_STATE_MAX) && !tr_state_name(255),
	       "state names: 0 and out of range are unknown");
	tap_ok(tr_state_from_name("ESTABLISHED") == TCPTRAIL_ESTABLISHED &&
	       tr_state_from_name("time-wait") == TCPTRAIL_TIME_WAIT &&
	       tr_state_from_name("Syn_Sent") == TCPTRAIL_SYN_SENT &&
	       tr_state_from_name("new_syn_recv") == TCPTRAIL_NEW_SYN_RECV,
	       "state from name: any case, '-' for '_'");
	tap_ok(tr_state_from_name("") == -1 && tr_state_from_name("ESTABLISHEDX") == -1 &&
	       tr_state_from_name("CLOSEDX") == -1, "state from name: unknown names rejected");
	tap_ok(!strcmp(tr_kind_name(TCPTRAIL_EV_STATE), "state") &&
	       !strcmp(tr_kind_name(TCPTRAIL_EV_SYNACK_RETRANS), "synack_retrans") &&
	       !strcmp(tr_kind_name(TCPTRAIL_EV_RST_RECV), "rst_recv") && !tr_kind_name(0) &&
	       !tr_kind_name(TCPTRAIL_EV_MAX), "kind names");
	tap_ok(!strcmp(tr_cause_name(TCPTRAIL_CAUSE_OVERWRITTEN), "overwritten") &&
	       !strcmp(tr_cause_name(TCPTRAIL_CAUSE_REUSED), "reused") && !tr_cause_name(0) &&
	       !tr_cause_name(TCPTRAIL_CAUSE_MAX), "cause names");
	tap_ok(!tr_is_lifecycle(TCPTRAIL_EV_STATE) && !tr_is_lifecycle(TCPTRAIL_EV_LOST) &&
	       tr_is_lifecycle(TCPTRAIL_EV_TW_ENTER) && tr_is_lifecycle(TCPTRAIL_EV_RST_RECV) &&
	       !tr_is_lifecycle(TCPTRAIL_EV_MAX), "lifecycle kinds");
}

static void header(void)
{
	struct tcptrail_header h, out;
	char msg[512];

	fx_header(&h, TCPTRAIL_MAGIC, 1, 0, 176);
	memset(&out, 0, sizeof(out));
	tap_ok(tr_check_header(&h, sizeof(h), "k", &out, msg, sizeof(msg)) == TR_HDR_OK &&
	       out.nr_cpus == 2, "header: valid 1.0/176 accepted");

	fx_header(&h, TCPTRAIL_MAGIC, 1, 7, 176);
	tap_ok(tr_check_header(&h, sizeof(h), "k", NULL, msg, sizeof(msg)) == TR_HDR_OK,
	       "header: a newer minor (1.7) is accepted");

	fx_header(&h, 0x50435454, 1, 0, 176);
	tap_ok(tr_check_header(&h, sizeof(h), "x.bin", NULL, msg, sizeof(msg)) == TR_HDR_MAGIC &&
	       strstr(msg, "x.bin is not a tcptrail stream") && strstr(msg, "0x50435454"),
	       "header: wrong magic rejected (%s)", msg);

	fx_header(&h, TCPTRAIL_MAGIC, 2, 3, 176);
	tap_ok(tr_check_header(&h, sizeof(h), "the kernel module", NULL, msg, sizeof(msg)) ==
		       TR_HDR_MISMATCH &&
	       strstr(msg, "ABI mismatch: the kernel module speaks tcptrail ABI 2.3 with 176-byte records") &&
	       strstr(msg, "this tcptrail speaks 1.1 with 176-byte records"),
	       "header: wrong major rejected, both versions named");

	fx_header(&h, TCPTRAIL_MAGIC, 1, 0, 184);
	tap_ok(tr_check_header(&h, sizeof(h), "the kernel module", NULL, msg, sizeof(msg)) ==
		       TR_HDR_MISMATCH && strstr(msg, "1.0 with 184-byte records") &&
	       strstr(msg, "1.1 with 176-byte records"),
	       "header: wrong record size rejected, both sizes named");

	fx_header(&h, TCPTRAIL_MAGIC, 1, 0, 176);
	tap_ok(tr_check_header(&h, 100, "k", NULL, msg, sizeof(msg)) == TR_HDR_SHORT &&
	       tr_check_header(&h, 0, "k", NULL, msg, sizeof(msg)) == TR_HDR_SHORT,
	       "header: short stream rejected");
}

static void decode(void)
{
	struct tcptrail_event evs[FX_MAX], e, out;
	struct tcptrail_header h;
	const char *why;
	int64_t off = 0;
	unsigned char raw[TR_REC];

	fx_pair(evs);
	memcpy(raw + 0, &evs[2], sizeof(evs[2]));
	tap_ok(tr_decode_event(raw, sizeof(raw), &out, &why) == TR_EV_OK &&
	       !memcmp(&out, &evs[2], sizeof(out)) && out.sport == 40000 && out.isn == FX_CLIENT_ISN &&
	       out.peer_isn == FX_SERVER_ISN, "decode: a state record round-trips");
	tap_ok(tr_decode_event(raw, TR_REC - 1, &out, &why) == TR_EV_BAD, "decode: short record is bad");

	e = evs[0];
	memset(e.comm, 'x', sizeof(e.comm));
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_OK && strlen(out.comm) == 15,
	       "decode: comm without NUL is cut at 15 bytes");

	e = evs[0];
	e.kind = 0;
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_BAD && why, "decode: kind 0 is bad");
	e.kind = TCPTRAIL_EV_MAX + 3;
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_UNKNOWN,
	       "decode: a kind from a newer minor is skipped, not an error");
	e = evs[0];
	e.family = 0;
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_BAD, "decode: bad family");
	e = evs[0];
	e.new_state = TCPTRAIL_STATE_MAX;
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_BAD, "decode: state 13 is bad");
	e = evs[0];
	e.old_state = 0;
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_BAD,
	       "decode: a state change needs both states");
	memset(&e, 0, sizeof(e));
	e.kind = TCPTRAIL_EV_LOST;
	e.count = 5;
	e.cause = TCPTRAIL_CAUSE_CLEARED;
	tap_ok(tr_decode_event(&e, sizeof(e), &out, &why) == TR_EV_OK && out.count == 5,
	       "decode: a LOST record needs no address");
	fx_header(&h, TCPTRAIL_MAGIC, 1, 0, 176);
	tap_ok(tr_decode_event(&h, sizeof(h), &out, &why) == TR_EV_HEADER,
	       "decode: a repeated header is recognised");

	tr_header_set_wall_offset(&h, -1234567890123456789ll);
	tap_ok(tr_header_get_wall_offset(&h, &off) && off == -1234567890123456789ll &&
	       h.magic == TCPTRAIL_MAGIC && h.record_size == 176,
	       "capture header keeps the wall-clock offset");
	fx_header(&h, TCPTRAIL_MAGIC, 1, 0, 176);
	tap_ok(!tr_header_get_wall_offset(&h, &off), "kernel header has no wall-clock offset");
}

static void seq_math(void)
{
	tap_ok(tr_seq_rel(95, 4294967290u) == 101, "seq: relative across the 2^32 wrap");
	tap_ok(tr_seq_rel(1000000501u, 1000000000u) == 501, "seq: relative without wrap");
	tap_ok(tr_seq_rel(0, 1) == 0xffffffffu && tr_seq_rel(7, 7) == 0, "seq: relative edge values");
	tap_ok(tr_seq_diff(5, 0xfffffffbu) == 10 && tr_seq_diff(0xfffffffbu, 5) == -10,
	       "seq: signed difference across the wrap");
	tap_ok(tr_seq_before(0xfffffff0u, 5) && !tr_seq_before(5, 0xfffffff0u) &&
	       !tr_seq_before(9, 9) && tr_seq_before(1, 2), "seq: before() across the wrap");
	tap_ok(tr_seq_sane(0) && tr_seq_sane(101) && tr_seq_sane(0x7fffffffu) &&
	       !tr_seq_sane(0x80000000u) && !tr_seq_sane(0xffffffffu),
	       "seq: sanity of relative offsets");
}

void test_record(void)
{
	names();
	header();
	decode();
	seq_math();
}
