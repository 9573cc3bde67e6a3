/* SPDX-License-Identifier: GPL-2.0 */
/* filter.h - parsing --port/--addr/--state/... values, the control commands they become, local matching. */
#ifndef TCPTRAIL_FILTER_H
#define TCPTRAIL_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TR_MAX_PORTS 8	/* the kernel's limit per port key */
#define TR_MAX_VALUES 16	/* per repeated address/pid/comm/netns/cookie option */

/* Which side of the connection a port or address filter looks at. */
enum tr_side { TR_EITHER, TR_LOCAL, TR_REMOTE, TR_SIDES };

struct tr_prefix {
	int set;
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* already masked to len bits */
	int len;
};

/*
 * Repeating an option adds to its values: an event matches a key when it
 * matches any of the key's values, and the filter when it matches every
 * key given (OR within a key, AND across keys).
 */
struct tr_filter {
	/* Pushed to the kernel (addresses: see tr_filter_kernel_cmds), and applied here too. */
	int nports[TR_SIDES];
	uint16_t ports[TR_SIDES][TR_MAX_PORTS];
	int naddrs[TR_SIDES];
	struct tr_prefix addrs[TR_SIDES][TR_MAX_VALUES];
	uint32_t states;	/* bit per kernel state number; 0 = any */
	/* Applied here only. */
	int npids, ncomms, nnetns, ncookies;
	uint32_t pids[TR_MAX_VALUES];
	char comms[TR_MAX_VALUES][16];
	uint32_t netns[TR_MAX_VALUES];
	uint64_t cookies[TR_MAX_VALUES];
	int families;		/* TR_FAM_* bits (-4, -6); 0 = both */
};

#define TR_FAM_4 1
#define TR_FAM_6 2

/* Parsers return 0, or -1 with a message in @err. */
int tr_parse_ports(const char *s, uint16_t *ports, int *n, char *err, size_t errlen);
int tr_parse_prefix(const char *s, struct tr_prefix *p, char *err, size_t errlen);
int tr_parse_states(const char *s, uint32_t *mask, char *err, size_t errlen);
int tr_parse_u32(const char *s, uint32_t *v, char *err, size_t errlen, const char *what);
/* Decimal, 0xHEX, or ss's "sk:HEX". */
int tr_parse_cookie(const char *s, uint64_t *v, char *err, size_t errlen);
/*
 * An inode number, a path (/proc/PID/ns/net, /run/netns/NAME) or a name in
 * /run/netns (ip netns add NAME); $TCPTRAIL_NETNS_DIR replaces /run/netns.
 */
int tr_parse_netns(const char *s, uint32_t *ino, char *err, size_t errlen);

/* Add an option's value(s) to the filter: the same parsers, with repeats combined. */
int tr_filter_add_ports(struct tr_filter *f, enum tr_side side, const char *s, char *err,
			size_t errlen);
int tr_filter_add_addr(struct tr_filter *f, enum tr_side side, const char *s, char *err,
		       size_t errlen);
int tr_filter_add_states(struct tr_filter *f, const char *s, char *err, size_t errlen);
int tr_filter_add_pid(struct tr_filter *f, const char *s, char *err, size_t errlen);
int tr_filter_add_comm(struct tr_filter *f, const char *s, char *err, size_t errlen);
int tr_filter_add_netns(struct tr_filter *f, const char *s, char *err, size_t errlen);
int tr_filter_add_cookie(struct tr_filter *f, const char *s, char *err, size_t errlen);

/* Does the filter need the control file? */
int tr_filter_has_kernel_part(const struct tr_filter *f);

/* Control keys the filter sets, e.g. "port"; returns how many (at most 7). */
int tr_filter_kernel_keys(const struct tr_filter *f, const char **keys);

/*
 * The control commands for the kernel part, one per line, in the grammar of
 * /proc/net/tcptrail/control. The kernel holds one prefix per address key:
 * several prefixes of one family go as the shortest prefix covering them
 * all (this side filters exactly), of both families not at all.
 * Returns the length, or -1 if @len is too small.
 */
int tr_filter_kernel_cmds(const struct tr_filter *f, char *buf, size_t len);

/*
 * Lines that put back the previous settings of @keys, given what reading
 * control returned before we changed it (@saved may be NULL or empty):
 * the saved line for a key if there was one, else "KEY any".
 */
int tr_filter_restore_cmds(const char *const *keys, int nkeys, const char *saved,
			   char *buf, size_t len);

/*
 * Match an event. @kernel_part: also apply the kernel's filters, with the
 * kernel's semantics (for --file input, and for events buffered before the
 * filter was set). LOST records always match.
 */
int tr_filter_match(const struct tr_filter *f, const struct tcptrail_event *ev, int kernel_part);

#endif
