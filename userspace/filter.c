/* filter.c - parsing --port/--addr/--state/... values, the control commands they become, local matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"

static const char *const side_port_key[TT_SIDES] = { "port", "lport", "rport" };
static const char *const side_addr_key[TT_SIDES] = { "addr", "laddr", "raddr" };

int tt_parse_u32(const char *s, uint32_t *v, char *err, size_t errlen, const char *what)
{
	unsigned long long x;
	char *end;

	errno = 0;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		goto bad;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > UINT32_MAX)
		goto bad;
	*v = (uint32_t)x;
	return 0;
bad:
	snprintf(err, errlen, "invalid %s '%s'", what, s);
	return -1;
}

int tt_parse_ports(const char *s, uint16_t *ports, int *n, char *err, size_t errlen)
{
	const char *p = s;

	*n = 0;
	for (;;) {
		char tok[16];
		size_t len = strcspn(p, ",");
		uint32_t v;

		if (!len || len >= sizeof(tok))
			goto bad;
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (tt_parse_u32(tok, &v, err, errlen, "port") || v < 1 || v > 65535)
			goto bad;
		if (*n == TT_MAX_PORTS) {
			snprintf(err, errlen, "too many ports in '%s' (at most %d)", s, TT_MAX_PORTS);
			return -1;
		}
		ports[(*n)++] = (uint16_t)v;
		p += len;
		if (!*p)
			return 0;
		p++;
	}
bad:
	snprintf(err, errlen, "invalid port list '%s' (want P[,P...], 1-65535)", s);
	return -1;
}

static void mask_prefix(uint8_t *addr, int bytes, int len)
{
	for (int i = 0; i < bytes; i++) {
		int keep = len - 8 * i;

		if (keep >= 8)
			continue;
		addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int tt_parse_prefix(const char *s, struct tt_prefix *p, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	int max;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		goto bad;
	}
	p->len = max;
	if (slash) {
		uint32_t v;

		if (tt_parse_u32(slash, &v, err, errlen, "prefix length") || v > (uint32_t)max)
			goto bad;
		p->len = (int)v;
	}
	mask_prefix(p->addr, max / 8, p->len);
	p->set = 1;
	return 0;
bad:
	snprintf(err, errlen, "invalid address '%s' (want IPv4 or IPv6 address, optional /LEN)", s);
	return -1;
}

int tt_parse_states(const char *s, uint32_t *mask, char *err, size_t errlen)
{
	const char *p = s;

	*mask = 0;
	for (;;) {
		char tok[32];
		size_t len = strcspn(p, ",");
		int st;

		if (!len || len >= sizeof(tok))
			goto bad;
		memcpy(tok, p, len);
		tok[len] = '\0';
		st = tt_state_from_name(tok);
		if (st < 0)
			goto bad;
		*mask |= 1u << st;
		p += len;
		if (!*p)
			return 0;
		p++;
	}
bad:
	snprintf(err, errlen, "invalid state list '%s' (names like ESTABLISHED,TIME_WAIT)", s);
	return -1;
}

int tt_filter_has_kernel_part(const struct tt_filter *f)
{
	const char *keys[8];

	return tt_filter_kernel_keys(f, keys) > 0;
}

int tt_filter_kernel_keys(const struct tt_filter *f, const char **keys)
{
	int n = 0;

	for (int s = 0; s < TT_SIDES; s++)
		if (f->nports[s])
			keys[n++] = side_port_key[s];
	for (int s = 0; s < TT_SIDES; s++)
		if (f->addr[s].set)
			keys[n++] = side_addr_key[s];
	if (f->states)
		keys[n++] = "state";
	return n;
}

/* snprintf into buf+*off; *over notes that it did not fit. */
__attribute__((format(printf, 5, 6)))
static void put(char *buf, size_t len, size_t *off, int *over, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off) {
		*over = 1;
		return;
	}
	*off += (size_t)n;
}

int tt_filter_kernel_cmds(const struct tt_filter *f, char *buf, size_t len)
{
	size_t off = 0;
	int over = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (int s = 0; s < TT_SIDES; s++) {
		if (!f->nports[s])
			continue;
		put(buf, len, &off, &over, "%s ", side_port_key[s]);
		for (int i = 0; i < f->nports[s]; i++)
			put(buf, len, &off, &over, "%s%u", i ? "," : "", f->ports[s][i]);
		put(buf, len, &off, &over, "\n");
	}
	for (int s = 0; s < TT_SIDES; s++) {
		char a[INET6_ADDRSTRLEN];

		if (!f->addr[s].set)
			continue;
		inet_ntop(f->addr[s].family, f->addr[s].addr, a, sizeof(a));
		put(buf, len, &off, &over, "%s %s/%d\n", side_addr_key[s], a, f->addr[s].len);
	}
	if (f->states) {
		int first = 1;

		put(buf, len, &off, &over, "state ");
		for (int st = 1; st < TCPTRAIL_STATE_MAX; st++) {
			if (!(f->states & (1u << st)))
				continue;
			put(buf, len, &off, &over, "%s%s", first ? "" : ",", tt_state_name(st));
			first = 0;
		}
		put(buf, len, &off, &over, "\n");
	}
	return over ? -1 : (int)off;
}

int tt_filter_restore_cmds(const char *const *keys, int nkeys, const char *saved,
			   char *buf, size_t len)
{
	size_t off = 0;
	int over = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (int k = 0; k < nkeys; k++) {
		size_t klen = strlen(keys[k]);
		const char *line = saved;
		int found = 0;

		while (line && *line) {
			size_t llen = strcspn(line, "\n");

			if (llen > klen && !strncmp(line, keys[k], klen) && line[klen] == ' ') {
				put(buf, len, &off, &over, "%.*s\n", (int)llen, line);
				found = 1;
				break;
			}
			line += llen;
			if (*line)
				line++;
		}
		if (!found)
			put(buf, len, &off, &over, "%s any\n", keys[k]);
	}
	return over ? -1 : (int)off;
}

static int port_in(const uint16_t *ports, int n, uint16_t port)
{
	for (int i = 0; i < n; i++)
		if (ports[i] == port)
			return 1;
	return 0;
}

static int prefix_has(const struct tt_prefix *p, int family, const uint8_t *addr)
{
	uint8_t a[16];
	int bytes = family == AF_INET ? 4 : 16;

	if (family != p->family)
		return 0;
	memcpy(a, addr, bytes);
	mask_prefix(a, bytes, p->len);
	return !memcmp(a, p->addr, bytes);
}

int tt_filter_match(const struct tt_filter *f, const struct tcptrail_event *ev, int kernel_part)
{
	if (ev->kind == TCPTRAIL_EV_LOST)
		return 1;
	if (f->have_pid && (!(ev->flags & TCPTRAIL_F_OWNER) || ev->pid != f->pid))
		return 0;
	if (f->have_comm && (!(ev->flags & TCPTRAIL_F_OWNER) || strcmp(ev->comm, f->comm)))
		return 0;
	if (f->have_netns && ev->netns != f->netns)
		return 0;
	if (!kernel_part)
		return 1;

	/* The same tests as the kernel's tt_filter_match(), so local and kernel agree. */
	if (f->nports[TT_EITHER] &&
	    !port_in(f->ports[TT_EITHER], f->nports[TT_EITHER], ev->sport) &&
	    !port_in(f->ports[TT_EITHER], f->nports[TT_EITHER], ev->dport))
		return 0;
	if (f->nports[TT_LOCAL] && !port_in(f->ports[TT_LOCAL], f->nports[TT_LOCAL], ev->sport))
		return 0;
	if (f->nports[TT_REMOTE] && !port_in(f->ports[TT_REMOTE], f->nports[TT_REMOTE], ev->dport))
		return 0;
	if (f->addr[TT_EITHER].set && !prefix_has(&f->addr[TT_EITHER], ev->family, ev->saddr) &&
	    !prefix_has(&f->addr[TT_EITHER], ev->family, ev->daddr))
		return 0;
	if (f->addr[TT_LOCAL].set && !prefix_has(&f->addr[TT_LOCAL], ev->family, ev->saddr))
		return 0;
	if (f->addr[TT_REMOTE].set && !prefix_has(&f->addr[TT_REMOTE], ev->family, ev->daddr))
		return 0;
	if (f->states && !(f->states & (1u << ev->old_state)) && !(f->states & (1u << ev->new_state)))
		return 0;
	return 1;
}
