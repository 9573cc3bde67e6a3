// SPDX-License-Identifier: GPL-2.0
/* filter.c - parsing --port/--addr/--state/... values, the control commands they become, local matching. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "filter.h"

static const char *const side_port_key[TR_SIDES] = { "port", "lport", "rport" };
static const char *const side_addr_key[TR_SIDES] = { "addr", "laddr", "raddr" };

int tr_parse_u32(const char *s, uint32_t *v, char *err, size_t errlen, const char *what)
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

int tr_parse_ports(const char *s, uint16_t *ports, int *n, char *err, size_t errlen)
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
		if (tr_parse_u32(tok, &v, err, errlen, "port") || v < 1 || v > 65535)
			goto bad;
		if (*n == TR_MAX_PORTS) {
			snprintf(err, errlen, "too many ports in '%s' (at most %d)", s, TR_MAX_PORTS);
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

int tr_parse_prefix(const char *s, struct tr_prefix *p, char *err, size_t errlen)
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

		if (tr_parse_u32(slash, &v, err, errlen, "prefix length") || v > (uint32_t)max)
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

int tr_parse_states(const char *s, uint32_t *mask, char *err, size_t errlen)
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
		st = tr_state_from_name(tok);
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

int tr_parse_cookie(const char *s, uint64_t *v, char *err, size_t errlen)
{
	const char *p = s;
	int base = 10;
	char *end;

	if (!strncmp(p, "sk:", 3))
		p += 3, base = 16;
	else if (!strncmp(p, "0x", 2) || !strncmp(p, "0X", 2))
		p += 2, base = 16;
	errno = 0;
	if (!*p || !(base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		goto bad;
	*v = strtoull(p, &end, base);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "invalid cookie '%s' (want decimal, 0xHEX or ss's sk:HEX)", s);
	return -1;
}

int tr_parse_netns(const char *s, uint32_t *ino, char *err, size_t errlen)
{
	const char *dir = getenv("TCPTRAIL_NETNS_DIR");
	char path[4096];
	struct stat st;

	if (isdigit((unsigned char)*s) && strspn(s, "0123456789") == strlen(s)) {
		if (tr_parse_u32(s, ino, err, errlen, "netns inode") || !*ino) {
			snprintf(err, errlen, "invalid netns inode '%s'", s);
			return -1;
		}
		return 0;
	}
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..")) {
		snprintf(err, errlen, "invalid netns '%s' (want an inode, a name or a path)", s);
		return -1;
	}
	if (strchr(s, '/'))
		snprintf(path, sizeof(path), "%s", s);
	else
		snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/run/netns", s);
	if (stat(path, &st)) {
		snprintf(err, errlen, "netns '%s': %s: %s", s, path, strerror(errno));
		return -1;
	}
	if (st.st_ino > UINT32_MAX) {
		snprintf(err, errlen, "netns '%s': %s is not a namespace (inode %ju)", s, path,
			 (uintmax_t)st.st_ino);
		return -1;
	}
	*ino = (uint32_t)st.st_ino;
	return 0;
}

int tr_filter_add_ports(struct tr_filter *f, enum tr_side side, const char *s, char *err,
			size_t errlen)
{
	uint16_t ports[TR_MAX_PORTS];
	int n;

	if (tr_parse_ports(s, ports, &n, err, errlen))
		return -1;
	for (int i = 0; i < n; i++) {
		int dup = 0;

		for (int j = 0; j < f->nports[side]; j++)
			dup |= f->ports[side][j] == ports[i];
		if (dup)
			continue;
		if (f->nports[side] == TR_MAX_PORTS) {
			snprintf(err, errlen, "too many ports: at most %d per option, repeats included "
				 "(the kernel's limit)", TR_MAX_PORTS);
			return -1;
		}
		f->ports[side][f->nports[side]++] = ports[i];
	}
	return 0;
}

int tr_filter_add_addr(struct tr_filter *f, enum tr_side side, const char *s, char *err,
		       size_t errlen)
{
	if (f->naddrs[side] == TR_MAX_VALUES) {
		snprintf(err, errlen, "too many addresses (at most %d per option)", TR_MAX_VALUES);
		return -1;
	}
	if (tr_parse_prefix(s, &f->addrs[side][f->naddrs[side]], err, errlen))
		return -1;
	f->naddrs[side]++;
	return 0;
}

int tr_filter_add_states(struct tr_filter *f, const char *s, char *err, size_t errlen)
{
	uint32_t mask;

	if (tr_parse_states(s, &mask, err, errlen))
		return -1;
	f->states |= mask;
	return 0;
}

static int too_many(int n, const char *what, char *err, size_t errlen)
{
	if (n < TR_MAX_VALUES)
		return 0;
	snprintf(err, errlen, "too many %s (at most %d)", what, TR_MAX_VALUES);
	return 1;
}

int tr_filter_add_pid(struct tr_filter *f, const char *s, char *err, size_t errlen)
{
	uint32_t pid;

	if (too_many(f->npids, "pids", err, errlen))
		return -1;
	if (tr_parse_u32(s, &pid, err, errlen, "pid") || !pid || pid > 0x7fffffff) {
		snprintf(err, errlen, "invalid pid '%s'", s);
		return -1;
	}
	f->pids[f->npids++] = pid;
	return 0;
}

int tr_filter_add_comm(struct tr_filter *f, const char *s, char *err, size_t errlen)
{
	if (too_many(f->ncomms, "comms", err, errlen))
		return -1;
	if (!*s || strlen(s) >= sizeof(f->comms[0])) {
		snprintf(err, errlen, "invalid comm '%s' (1 to %zu characters)", s,
			 sizeof(f->comms[0]) - 1);
		return -1;
	}
	strcpy(f->comms[f->ncomms++], s);
	return 0;
}

int tr_filter_add_netns(struct tr_filter *f, const char *s, char *err, size_t errlen)
{
	if (too_many(f->nnetns, "netns", err, errlen) ||
	    tr_parse_netns(s, &f->netns[f->nnetns], err, errlen))
		return -1;
	f->nnetns++;
	return 0;
}

int tr_filter_add_cookie(struct tr_filter *f, const char *s, char *err, size_t errlen)
{
	if (too_many(f->ncookies, "cookies", err, errlen) ||
	    tr_parse_cookie(s, &f->cookies[f->ncookies], err, errlen))
		return -1;
	f->ncookies++;
	return 0;
}

/*
 * The one prefix the kernel gets for a key: the longest one holding all of
 * them. 0 when they are of both families (then the key stays local).
 */
static int cover_prefix(const struct tr_prefix *p, int n, struct tr_prefix *out)
{
	*out = p[0];
	for (int i = 1; i < n; i++) {
		int len = 0;

		if (p[i].family != out->family)
			return 0;
		if (p[i].len < out->len)
			out->len = p[i].len;
		while (len < out->len &&
		       !((p[i].addr[len / 8] ^ out->addr[len / 8]) & (0x80 >> (len % 8))))
			len++;
		out->len = len;
	}
	mask_prefix(out->addr, out->family == AF_INET ? 4 : 16, out->len);
	return 1;
}

int tr_filter_has_kernel_part(const struct tr_filter *f)
{
	const char *keys[8];

	return tr_filter_kernel_keys(f, keys) > 0;
}

int tr_filter_kernel_keys(const struct tr_filter *f, const char **keys)
{
	int n = 0;

	for (int s = 0; s < TR_SIDES; s++)
		if (f->nports[s])
			keys[n++] = side_port_key[s];
	for (int s = 0; s < TR_SIDES; s++) {
		struct tr_prefix p;

		if (f->naddrs[s] && cover_prefix(f->addrs[s], f->naddrs[s], &p))
			keys[n++] = side_addr_key[s];
	}
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

int tr_filter_kernel_cmds(const struct tr_filter *f, char *buf, size_t len)
{
	size_t off = 0;
	int over = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (int s = 0; s < TR_SIDES; s++) {
		if (!f->nports[s])
			continue;
		put(buf, len, &off, &over, "%s ", side_port_key[s]);
		for (int i = 0; i < f->nports[s]; i++)
			put(buf, len, &off, &over, "%s%u", i ? "," : "", f->ports[s][i]);
		put(buf, len, &off, &over, "\n");
	}
	for (int s = 0; s < TR_SIDES; s++) {
		char a[INET6_ADDRSTRLEN];
		struct tr_prefix p;

		if (!f->naddrs[s] || !cover_prefix(f->addrs[s], f->naddrs[s], &p))
			continue;
		inet_ntop(p.family, p.addr, a, sizeof(a));
		put(buf, len, &off, &over, "%s %s/%d\n", side_addr_key[s], a, p.len);
	}
	if (f->states) {
		int first = 1;

		put(buf, len, &off, &over, "state ");
		for (int st = 1; st < TCPTRAIL_STATE_MAX; st++) {
			if (!(f->states & (1u << st)))
				continue;
			put(buf, len, &off, &over, "%s%s", first ? "" : ",", tr_state_name(st));
			first = 0;
		}
		put(buf, len, &off, &over, "\n");
	}
	return over ? -1 : (int)off;
}

int tr_filter_restore_cmds(const char *const *keys, int nkeys, const char *saved,
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

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/*
 * The kernel's tt_prefix_match_one(): an IPv4 prefix also matches
 * ::ffff:a.b.c.d, a prefix inside ::ffff:0:0/96 also matches IPv4.
 */
static int prefix_has(const struct tr_prefix *p, int family, const uint8_t *addr)
{
	uint8_t a[16];
	int bytes;

	if (p->family == AF_INET && family == AF_INET6) {
		if (memcmp(addr, v4mapped, sizeof(v4mapped)))
			return 0;
		addr += sizeof(v4mapped);
		family = AF_INET;
	} else if (p->family == AF_INET6 && family == AF_INET) {
		if (p->len < 96 || memcmp(p->addr, v4mapped, sizeof(v4mapped)))
			return 0;
		memcpy(a, v4mapped, sizeof(v4mapped));
		memcpy(a + sizeof(v4mapped), addr, 4);
		addr = a;
		family = AF_INET6;
	}
	if (family != p->family)
		return 0;
	bytes = family == AF_INET ? 4 : 16;
	memmove(a, addr, (size_t)bytes);
	mask_prefix(a, bytes, p->len);
	return !memcmp(a, p->addr, (size_t)bytes);
}

static int any_prefix(const struct tr_prefix *p, int n, int family, const uint8_t *a,
		      const uint8_t *b)
{
	for (int i = 0; i < n; i++)
		if (prefix_has(&p[i], family, a) || (b && prefix_has(&p[i], family, b)))
			return 1;
	return 0;
}

static int u32_in(const uint32_t *v, int n, uint32_t x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

int tr_filter_match(const struct tr_filter *f, const struct tcptrail_event *ev, int kernel_part)
{
	int owner = ev->flags & TCPTRAIL_F_OWNER;

	if (ev->kind == TCPTRAIL_EV_LOST)
		return 1;
	if (f->npids && (!owner || !u32_in(f->pids, f->npids, ev->pid)))
		return 0;
	if (f->ncomms) {
		int hit = 0;

		for (int i = 0; owner && i < f->ncomms; i++)
			hit |= !strcmp(ev->comm, f->comms[i]);
		if (!hit)
			return 0;
	}
	if (f->nnetns && !u32_in(f->netns, f->nnetns, ev->netns))
		return 0;
	if (f->ncookies) {
		int hit = 0;

		for (int i = 0; i < f->ncookies; i++)
			hit |= ev->cookie == f->cookies[i];
		if (!hit)
			return 0;
	}
	if (f->families && !(f->families & (ev->family == AF_INET6 ? TR_FAM_6 : TR_FAM_4)))
		return 0;
	if (!kernel_part)
		return 1;

	/* The same tests as the kernel's tt_filter_match(), so local and kernel agree. */
	if (f->nports[TR_EITHER] &&
	    !port_in(f->ports[TR_EITHER], f->nports[TR_EITHER], ev->sport) &&
	    !port_in(f->ports[TR_EITHER], f->nports[TR_EITHER], ev->dport))
		return 0;
	if (f->nports[TR_LOCAL] && !port_in(f->ports[TR_LOCAL], f->nports[TR_LOCAL], ev->sport))
		return 0;
	if (f->nports[TR_REMOTE] && !port_in(f->ports[TR_REMOTE], f->nports[TR_REMOTE], ev->dport))
		return 0;
	if (f->naddrs[TR_EITHER] && !any_prefix(f->addrs[TR_EITHER], f->naddrs[TR_EITHER],
						 ev->family, ev->saddr, ev->daddr))
		return 0;
	if (f->naddrs[TR_LOCAL] && !any_prefix(f->addrs[TR_LOCAL], f->naddrs[TR_LOCAL],
						ev->family, ev->saddr, NULL))
		return 0;
	if (f->naddrs[TR_REMOTE] && !any_prefix(f->addrs[TR_REMOTE], f->naddrs[TR_REMOTE],
						 ev->family, ev->daddr, NULL))
		return 0;
	if (f->states && !(f->states & (1u << ev->old_state)) && !(f->states & (1u << ev->new_state)))
		return 0;
	return 1;
}
