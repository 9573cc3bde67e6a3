/* filter.h - parsing --port/--addr/--state/... values, the control commands they become, local matching. */
#ifndef TCPTRAIL_FILTER_H
#define TCPTRAIL_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TT_MAX_PORTS 8	/* the kernel's limit per port key */

/* Which side of the connection a port or address filter looks at. */
enum tt_side { TT_EITHER, TT_LOCAL, TT_REMOTE, TT_SIDES };

struct tt_prefix {
	int set;
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* already masked to len bits */
	int len;
};

struct tt_filter {
	/* Pushed to the kernel, and applied here too. */
	int nports[TT_SIDES];
	uint16_t ports[TT_SIDES][TT_MAX_PORTS];
	struct tt_prefix addr[TT_SIDES];
	uint32_t states;	/* bit per kernel state number; 0 = any */
	/* Applied here only. */
	int have_pid;
	uint32_t pid;
	int have_comm;
	char comm[16];
	int have_netns;
	uint32_t netns;
};

/* Parsers return 0, or -1 with a message in @err. */
int tt_parse_ports(const char *s, uint16_t *ports, int *n, char *err, size_t errlen);
int tt_parse_prefix(const char *s, struct tt_prefix *p, char *err, size_t errlen);
int tt_parse_states(const char *s, uint32_t *mask, char *err, size_t errlen);
int tt_parse_u32(const char *s, uint32_t *v, char *err, size_t errlen, const char *what);

/* Does the filter need the control file? */
int tt_filter_has_kernel_part(const struct tt_filter *f);

/* Control keys the filter sets, e.g. "port"; returns how many (at most 7). */
int tt_filter_kernel_keys(const struct tt_filter *f, const char **keys);

/*
 * The control commands for the kernel part, one per line, in the grammar of
 * /proc/net/tcptrail/control. Returns the length, or -1 if @len is too small.
 */
int tt_filter_kernel_cmds(const struct tt_filter *f, char *buf, size_t len);

/*
 * Lines that put back the previous settings of @keys, given what reading
 * control returned before we changed it (@saved may be NULL or empty):
 * the saved line for a key if there was one, else "KEY any".
 */
int tt_filter_restore_cmds(const char *const *keys, int nkeys, const char *saved,
			   char *buf, size_t len);

/*
 * Match an event. @kernel_part: also apply the kernel's filters, with the
 * kernel's semantics (for --file input, and for events buffered before the
 * filter was set). LOST records always match.
 */
int tt_filter_match(const struct tt_filter *f, const struct tcptrail_event *ev, int kernel_part);

#endif
