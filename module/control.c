// SPDX-License-Identifier: GPL-2.0
/*
 * control.c - the grammar of /proc/net/tcptrail/control and the filters it
 * sets.
 *
 * One command per line; blank lines and lines starting with '#' are skipped.
 * A write is parsed whole before anything changes: one bad line and the
 * write fails with -EINVAL, changing nothing.
 *
 *   port P[,P...]       either port is one of these (up to 8)
 *   lport P[,P...]      local port is one of these
 *   rport P[,P...]      remote port is one of these
 *   addr A[/LEN]        either address is in this IPv4 or IPv6 prefix
 *   laddr A[/LEN]       local address is in the prefix
 *   raddr A[/LEN]       remote address is in the prefix
 *   state S[,S...]      old or new state is one of these (ESTABLISHED, ...)
 *   KEY any             drop the filter KEY
 *   reset               drop all filters
 *   pause | resume      stop or restart recording in this netns
 *   clear               discard the events held; readers are told
 *   netns all | own     initial netns only: also record other namespaces
 *
 * Filters combine with AND. Lost records are never filtered.
 */
#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "tcptrail.h"

static int tt_parse_ports(char *arg, struct tt_ports *p)
{
	char *tok;

	memset(p, 0, sizeof(*p));
	if (!strcmp(arg, "any"))
		return 0;
	while ((tok = strsep(&arg, ","))) {
		u16 port;

		if (p->n == TT_MAX_PORTS || kstrtou16(tok, 10, &port) || !port)
			return -EINVAL;
		p->port[p->n++] = port;
	}
	return 0;
}

static int tt_parse_prefix(char *arg, struct tt_prefix *p)
{
	char *slash = strchr(arg, '/');
	unsigned int max;
	u8 len;

	memset(p, 0, sizeof(*p));
	if (!strcmp(arg, "any"))
		return 0;
	if (slash)
		*slash++ = 0;
	if (in4_pton(arg, -1, p->addr, -1, NULL)) {
		p->family = AF_INET;
		max = 32;
	} else if (in6_pton(arg, -1, p->addr, -1, NULL)) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (!slash) {
		p->len = max;
		return 0;
	}
	if (kstrtou8(slash, 10, &len) || len > max)
		return -EINVAL;
	p->len = len;
	return 0;
}

static int tt_parse_states(char *arg, u16 *states)
{
	char *tok;

	*states = 0;
	if (!strcmp(arg, "any"))
		return 0;
	while ((tok = strsep(&arg, ","))) {
		int s = tt_state_parse(tok);

		if (s < 0)
			return s;
		*states |= BIT(s);
	}
	return 0;
}

static int tt_parse_line(char *line, struct tt_control *out)
{
	struct tt_filter *f = &out->filter;
	char *key, *arg;

	key = strsep(&line, " \t");
	arg = line ? skip_spaces(line) : NULL;
	if (arg && !*arg)
		arg = NULL;
	if (arg && strpbrk(arg, " \t"))
		return -EINVAL;		/* one argument, no spaces in it */

	if (!arg) {
		if (!strcmp(key, "reset")) {
			memset(f, 0, sizeof(*f));
			out->reset = true;
		} else if (!strcmp(key, "pause")) {
			out->pause = true;
			out->resume = false;
		} else if (!strcmp(key, "resume")) {
			out->resume = true;
			out->pause = false;
		} else if (!strcmp(key, "clear")) {
			out->clear = true;
		} else {
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "port"))
		return tt_parse_ports(arg, &f->port);
	if (!strcmp(key, "lport"))
		return tt_parse_ports(arg, &f->lport);
	if (!strcmp(key, "rport"))
		return tt_parse_ports(arg, &f->rport);
	if (!strcmp(key, "addr"))
		return tt_parse_prefix(arg, &f->addr);
	if (!strcmp(key, "laddr"))
		return tt_parse_prefix(arg, &f->laddr);
	if (!strcmp(key, "raddr"))
		return tt_parse_prefix(arg, &f->raddr);
	if (!strcmp(key, "state"))
		return tt_parse_states(arg, &f->states);
	if (!strcmp(key, "netns")) {
		if (!strcmp(arg, "all"))
			out->netns_all = 1;
		else if (!strcmp(arg, "own"))
			out->netns_all = 0;
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/*
 * Parse a whole write (NUL-terminated, modified in place) on top of the
 * current filter @cur. Nothing outside @out changes, whatever the result.
 */
int tt_control_parse(char *buf, const struct tt_filter *cur,
		     struct tt_control *out)
{
	char *line;

	memset(out, 0, sizeof(*out));
	out->filter = *cur;
	out->netns_all = -1;
	while ((line = strsep(&buf, "\n"))) {
		int err;

		line = strim(line);
		if (!*line || *line == '#')
			continue;
		err = tt_parse_line(line, out);
		if (err)
			return err;
	}
	return 0;
}

static bool tt_ports_match(const struct tt_ports *p, u16 a, u16 b)
{
	int i;

	if (!p->n)
		return true;
	for (i = 0; i < p->n; i++)
		if (p->port[i] == a || p->port[i] == b)
			return true;
	return false;
}

static const u8 tt_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/*
 * A dual-stack socket sees IPv4 peers as ::ffff:a.b.c.d: an IPv4 prefix
 * matches those, and a prefix inside ::ffff:0:0/96 matches IPv4 addresses.
 * Wider IPv6 prefixes (::/0) stay IPv6 only.
 */
static bool tt_prefix_match_one(const struct tt_prefix *p, u8 family,
				const u8 *addr)
{
	unsigned int bytes = p->len / 8, bits = p->len % 8;
	u8 mapped[16];

	if (p->family == AF_INET && family == AF_INET6) {
		if (memcmp(addr, tt_v4mapped, sizeof(tt_v4mapped)))
			return false;
		addr += sizeof(tt_v4mapped);
		family = AF_INET;
	} else if (p->family == AF_INET6 && family == AF_INET) {
		if (p->len < 96 ||
		    memcmp(p->addr, tt_v4mapped, sizeof(tt_v4mapped)))
			return false;
		memcpy(mapped, tt_v4mapped, sizeof(tt_v4mapped));
		memcpy(mapped + sizeof(tt_v4mapped), addr, 4);
		addr = mapped;
		family = AF_INET6;
	}
	if (p->family != family)
		return false;
	if (memcmp(p->addr, addr, bytes))
		return false;
	if (!bits)
		return true;
	return !((p->addr[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

static bool tt_prefix_match(const struct tt_prefix *p, u8 family,
			    const u8 *a, const u8 *b)
{
	if (!p->family)
		return true;
	return tt_prefix_match_one(p, family, a) ||
	       (b && tt_prefix_match_one(p, family, b));
}

bool tt_filter_match(const struct tt_filter *f, const struct tcptrail_event *ev)
{
	if (!tt_ports_match(&f->port, ev->sport, ev->dport) ||
	    !tt_ports_match(&f->lport, ev->sport, ev->sport) ||
	    !tt_ports_match(&f->rport, ev->dport, ev->dport))
		return false;
	if (!tt_prefix_match(&f->addr, ev->family, ev->saddr, ev->daddr) ||
	    !tt_prefix_match(&f->laddr, ev->family, ev->saddr, NULL) ||
	    !tt_prefix_match(&f->raddr, ev->family, ev->daddr, NULL))
		return false;
	if (f->states && !(f->states & (BIT(ev->old_state) | BIT(ev->new_state))))
		return false;
	return true;
}

bool tt_filter_empty(const struct tt_filter *f)
{
	static const struct tt_filter none;

	return !memcmp(f, &none, sizeof(none));
}

static int tt_show_ports(char *buf, size_t len, const char *key,
			 const struct tt_ports *p)
{
	int n, i;

	if (!p->n)
		return 0;
	n = scnprintf(buf, len, "%s ", key);
	for (i = 0; i < p->n; i++)
		n += scnprintf(buf + n, len - n, "%s%u", i ? "," : "",
			       p->port[i]);
	return n + scnprintf(buf + n, len - n, "\n");
}

static int tt_show_prefix(char *buf, size_t len, const char *key,
			  const struct tt_prefix *p)
{
	if (p->family == AF_INET)
		return scnprintf(buf, len, "%s %pI4/%u\n", key, p->addr, p->len);
	if (p->family == AF_INET6)
		return scnprintf(buf, len, "%s %pI6c/%u\n", key, p->addr, p->len);
	return 0;
}

/* The filter in the grammar that sets it. */
int tt_filter_show(char *buf, size_t len, const struct tt_filter *f)
{
	int n = 0, s;

	n += tt_show_ports(buf + n, len - n, "port", &f->port);
	n += tt_show_ports(buf + n, len - n, "lport", &f->lport);
	n += tt_show_ports(buf + n, len - n, "rport", &f->rport);
	n += tt_show_prefix(buf + n, len - n, "addr", &f->addr);
	n += tt_show_prefix(buf + n, len - n, "laddr", &f->laddr);
	n += tt_show_prefix(buf + n, len - n, "raddr", &f->raddr);
	if (f->states) {
		const char *sep = "";

		n += scnprintf(buf + n, len - n, "state ");
		for (s = 1; s < TCPTRAIL_STATE_MAX; s++) {
			if (!(f->states & BIT(s)))
				continue;
			n += scnprintf(buf + n, len - n, "%s%s", sep,
				       tt_state_name(s));
			sep = ",";
		}
		n += scnprintf(buf + n, len - n, "\n");
	}
	return n;
}
