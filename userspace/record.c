// SPDX-License-Identifier: GPL-2.0
/* record.c - decoding and validating tcptrail's binary records, name tables, TCP seq math. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "record.h"

static const char *const state_names[TCPTRAIL_STATE_MAX] = {
	TCPTRAIL_STATE_NAMES
};

static const char *const kind_names[TCPTRAIL_EV_MAX] = {
	TCPTRAIL_KIND_NAMES
};

static const char *const cause_names[TCPTRAIL_CAUSE_MAX] = {
	TCPTRAIL_CAUSE_NAMES
};

const char *tr_state_name(unsigned int state)
{
	return state < TCPTRAIL_STATE_MAX ? state_names[state] : NULL;
}

const char *tr_kind_name(unsigned int kind)
{
	return kind < TCPTRAIL_EV_MAX ? kind_names[kind] : NULL;
}

const char *tr_cause_name(unsigned int cause)
{
	return cause < TCPTRAIL_CAUSE_MAX ? cause_names[cause] : NULL;
}

enum tr_resent tr_resent_of(const struct tcptrail_event *ev)
{
	if (ev->kind == TCPTRAIL_EV_SYNACK_RETRANS)
		return TR_RESENT_SYNACK;
	if (ev->kind != TCPTRAIL_EV_RETRANS)
		return TR_RESENT_NONE;
	/* A SYN sent again from anywhere but SYN_SENT answers one: a SYN-ACK. */
	if (ev->flags & TCPTRAIL_F_SYN)
		return ev->old_state == TCPTRAIL_SYN_SENT ? TR_RESENT_SYN : TR_RESENT_SYNACK;
	if (ev->flags & TCPTRAIL_F_FIN)
		return TR_RESENT_FIN;
	return TR_RESENT_DATA;
}

const char *tr_resent_name(enum tr_resent r)
{
	static const char *const names[TR_RESENT_KINDS] = { "SYN", "SYN-ACK", "FIN", "data" };

	return r > TR_RESENT_NONE && r < TR_RESENT_KINDS ? names[r] : "?";
}

/* Letters and digits only, lower case: "FIN_WAIT1", "fin-wait-1" and "FinWait1" meet. */
static int squash(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in; in++) {
		if (*in == '-' || *in == '_')
			continue;
		if (o + 1 >= len)
			return -1;
		out[o++] = (char)(*in >= 'A' && *in <= 'Z' ? *in - 'A' + 'a' : *in);
	}
	out[o] = '\0';
	return 0;
}

int tr_state_from_name(const char *name)
{
	/* ss(8)'s words that are not the kernel's names with other punctuation. */
	static const struct { const char *ss; int state; } alias[] = {
		{ "estab", TCPTRAIL_ESTABLISHED }, { "closed", TCPTRAIL_CLOSE },
		{ "listening", TCPTRAIL_LISTEN },
	};
	char want[32], have[32];
	size_t i;

	if (!*name || squash(name, want, sizeof(want)))
		return -1;
	for (i = 1; i < TCPTRAIL_STATE_MAX; i++)
		if (state_names[i] && !squash(state_names[i], have, sizeof(have)) &&
		    !strcmp(want, have))
			return (int)i;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(want, alias[i].ss))
			return alias[i].state;
	return -1;
}

int tr_is_lifecycle(unsigned int kind)
{
	return kind > TCPTRAIL_EV_LOST && kind < TCPTRAIL_EV_MAX;
}

enum tr_hdr_status tr_check_header(const void *buf, size_t len, const char *who,
				   struct tcptrail_header *out, char *msg, size_t msglen)
{
	struct tcptrail_header h;

	if (len < sizeof(h)) {
		snprintf(msg, msglen, "%s: stream ended after %zu bytes, before the %zu-byte header",
			 who, len, sizeof(h));
		return TR_HDR_SHORT;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != TCPTRAIL_MAGIC) {
		snprintf(msg, msglen, "%s is not a tcptrail stream (magic 0x%08x, expected 0x%08x)",
			 who, h.magic, TCPTRAIL_MAGIC);
		return TR_HDR_MAGIC;
	}
	/* A minor bump only adds kinds/flags/causes; major or size changes break the layout. */
	if (h.major != TCPTRAIL_ABI_MAJOR || h.record_size != TCPTRAIL_RECORD_SIZE) {
		snprintf(msg, msglen,
			 "ABI mismatch: %s speaks tcptrail ABI %u.%u with %u-byte records, "
			 "this tcptrail speaks %u.%u with %u-byte records; "
			 "build the module and tcptrail from the same source",
			 who, h.major, h.minor, h.record_size, (unsigned int)TCPTRAIL_ABI_MAJOR,
			 (unsigned int)TCPTRAIL_ABI_MINOR, (unsigned int)TCPTRAIL_RECORD_SIZE);
		return TR_HDR_MISMATCH;
	}
	if (out)
		*out = h;
	return TR_HDR_OK;
}

enum tr_ev_status tr_decode_event(const void *buf, size_t len, struct tcptrail_event *out,
				  const char **why)
{
	struct tcptrail_event *ev = out;
	uint32_t magic;

	*why = NULL;
	if (len < sizeof(*ev)) {
		*why = "short record";
		return TR_EV_BAD;
	}
	memcpy(ev, buf, sizeof(*ev));
	/* The kernel's comm is NUL-padded; never trust that blindly. */
	ev->comm[sizeof(ev->comm) - 1] = '\0';

	memcpy(&magic, buf, sizeof(magic));
	if (magic == TCPTRAIL_MAGIC && ev->kind == 0)
		return TR_EV_HEADER;

	if (ev->kind == 0) {
		*why = "kind 0";
		return TR_EV_BAD;
	}
	if (ev->kind >= TCPTRAIL_EV_MAX)
		return TR_EV_UNKNOWN;
	if (ev->kind == TCPTRAIL_EV_LOST)
		return TR_EV_OK;
	if (ev->family != AF_INET && ev->family != AF_INET6) {
		*why = "address family is neither AF_INET nor AF_INET6";
		return TR_EV_BAD;
	}
	if (ev->old_state >= TCPTRAIL_STATE_MAX || ev->new_state >= TCPTRAIL_STATE_MAX ||
	    ev->substate >= TCPTRAIL_STATE_MAX) {
		*why = "state number out of range";
		return TR_EV_BAD;
	}
	if (ev->kind == TCPTRAIL_EV_STATE && (!ev->old_state || !ev->new_state)) {
		*why = "state change without both states";
		return TR_EV_BAD;
	}
	return TR_EV_OK;
}

/* Last 16 reserved bytes: an 8-byte tag then the offset, both host order. */
static const char wall_tag[8] = "ttwall1";
#define WALL_AT (sizeof(((struct tcptrail_header *)0)->reserved) - 16)

void tr_header_set_wall_offset(struct tcptrail_header *h, int64_t off_ns)
{
	memcpy(h->reserved + WALL_AT, wall_tag, sizeof(wall_tag));
	memcpy(h->reserved + WALL_AT + 8, &off_ns, sizeof(off_ns));
}

int tr_header_get_wall_offset(const struct tcptrail_header *h, int64_t *off_ns)
{
	if (memcmp(h->reserved + WALL_AT, wall_tag, sizeof(wall_tag)))
		return 0;
	memcpy(off_ns, h->reserved + WALL_AT + 8, sizeof(*off_ns));
	return 1;
}
