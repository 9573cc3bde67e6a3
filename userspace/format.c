// SPDX-License-Identifier: GPL-2.0
/* format.c - printing events as aligned text, JSON Lines or CSV. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "format.h"

/* Decimal digits of @v at @p, no terminator; returns the end. */
static char *put_u32(char *p, uint32_t v)
{
	char t[10];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = t[--n];
	return p;
}

/* @v as exactly @n digits (zero-padded) at @p; returns the end. */
static char *put_fixed(char *p, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/*
 * Addresses are on every line: IPv4 by hand (glibc's inet_ntop formats it
 * with sprintf, a fifth of the reader's time), IPv6 by inet_ntop.
 */
void tr_fmt_addr(char *buf, size_t len, int family, const uint8_t *addr)
{
	if (family != AF_INET6 && len >= INET_ADDRSTRLEN) {
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			p = put_u32(p, addr[i]);
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void tr_fmt_addrport(char *buf, size_t len, int family, const uint8_t *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];
	size_t n;

	tr_fmt_addr(a, sizeof(a), family, addr);
	n = strlen(a);
	if (len < n + sizeof("[]:65535")) {
		snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
		return;
	}
	if (family == AF_INET6) {
		*buf++ = '[';
		memcpy(buf, a, n);
		buf += n;
		*buf++ = ']';
	} else {
		memcpy(buf, a, n);
		buf += n;
	}
	*buf++ = ':';
	*put_u32(buf, port) = '\0';
}

/*
 * CLOCK_REALTIME ns of a CLOCK_MONOTONIC ts. Both come from the stream (a
 * capture's header holds the offset), so anything can arrive: clamp to
 * 0..INT64_MAX (1970..2262) with checked arithmetic, never overflow.
 */
static int64_t wall_ns(const struct tr_fmt *fmt, uint64_t ts_ns)
{
	int64_t w;

	if (ts_ns > (uint64_t)INT64_MAX ||
	    __builtin_add_overflow((int64_t)ts_ns, fmt->wall_offset_ns, &w))
		return INT64_MAX;	/* only a positive sum can overflow */
	return w < 0 ? 0 : w;
}

/* Events come in bursts within one second: localtime_r() once per second. */
static void local_tm(int64_t w, struct tm *tm)
{
	static time_t last = -1;
	static struct tm last_tm;
	time_t sec = (time_t)(w / 1000000000);

	if (sec != last) {
		if (!localtime_r(&sec, &last_tm))
			memset(&last_tm, 0, sizeof(last_tm));
		last = sec;
	}
	*tm = last_tm;
}

void tr_fmt_clock(char *buf, size_t len, const struct tr_fmt *fmt, uint64_t ts_ns)
{
	int64_t w = wall_ns(fmt, ts_ns);
	struct tm tm;

	switch (fmt->time) {
	case TR_TIME_REL: {
		/* Before the first event (a reordered CPU) is negative, not huge. */
		uint64_t d = ts_ns >= fmt->t0_ns ? ts_ns - fmt->t0_ns : fmt->t0_ns - ts_ns;

		snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, ts_ns >= fmt->t0_ns ? "" : "-",
			 d / 1000000000, d / 1000 % 1000000);
		return;
	}
	case TR_TIME_EPOCH:
		snprintf(buf, len, "%" PRId64 ".%06d", w / 1000000000, (int)(w % 1000000000 / 1000));
		return;
	case TR_TIME_DATE:
		local_tm(w, &tm);
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(w % 1000000000 / 1000000));
		return;
	case TR_TIME_ABS:
		break;
	}
	local_tm(w, &tm);
	if (len < sizeof("HH:MM:SS.mmm")) {
		if (len)
			*buf = '\0';
		return;
	}
	/* Every text line: by hand, not snprintf. */
	buf = put_fixed(buf, (uint32_t)tm.tm_hour, 2);
	*buf++ = ':';
	buf = put_fixed(buf, (uint32_t)tm.tm_min, 2);
	*buf++ = ':';
	buf = put_fixed(buf, (uint32_t)tm.tm_sec, 2);
	*buf++ = '.';
	buf = put_fixed(buf, (uint32_t)(w % 1000000000 / 1000000), 3);
	*buf = '\0';
}

void tr_fmt_iso(char *buf, size_t len, const struct tr_fmt *fmt, uint64_t ts_ns)
{
	static time_t last = -1;
	static struct tm tm;
	static char head[80];	/* "YYYY-MM-DDTHH:MM:SS." of @last */
	int64_t w = wall_ns(fmt, ts_ns);
	time_t sec = (time_t)(w / 1000000000);
	char *p;

	/* JSON and CSV print this on every line: the date once per second. */
	if (sec != last) {
		if (!gmtime_r(&sec, &tm))
			memset(&tm, 0, sizeof(tm));
		snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d.",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		last = sec;
	}
	if (len < strlen(head) + 11) {
		if (len)
			*buf = '\0';
		return;
	}
	p = stpcpy(buf, head);
	p = put_fixed(p, (uint32_t)(w % 1000000000), 9);
	*p++ = 'Z';
	*p = '\0';
}

void tr_fmt_ms(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, ns / 1000000, ns / 1000 % 1000);
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

size_t tr_fmt_comm(char *buf, size_t len, const char *comm)
{
	const unsigned char *s = (const unsigned char *)comm;
	size_t off = 0, width = 0;

	while (*s && off + 5 < len) {
		int n = utf8_len(s);

		/* Keep what a terminal shows as one column; the rest becomes '?'. */
		if (!n || *s < 0x20 || *s == 0x7f) {
			buf[off++] = '?';
			s++;
		} else {
			memcpy(buf + off, s, (size_t)n);
			off += (size_t)n;
			s += n;
		}
		width++;
	}
	buf[off] = '\0';
	return width;
}

static const char *state_or(unsigned int st, const char *dflt)
{
	const char *n = tr_state_name(st);

	return n ? n : dflt;
}

static const char *cause_str(unsigned int cause, char *buf, size_t len)
{
	const char *n = tr_cause_name(cause);

	if (n)
		return n;
	if (!cause)
		return NULL;
	/* A cause from a newer minor: still say something. */
	snprintf(buf, len, "cause_%u", cause);
	return buf;
}

/* The errno a closed connection's application sees: its name, else its number. */
static const char *errno_str(unsigned int err, char *buf, size_t len)
{
	const char *n = err ? strerrorname_np((int)err) : NULL;

	if (n)
		return n;
	if (!err)
		return NULL;
	snprintf(buf, len, "%u", err);
	return buf;
}

static void resolve_isns(const struct tcptrail_event *ev, const struct tr_isns *known,
			 struct tr_isns *out)
{
	memset(out, 0, sizeof(*out));
	if (ev->flags & TCPTRAIL_F_ISN) {
		out->have_isn = 1;
		out->isn = ev->isn;
	} else if (known && known->have_isn) {
		out->have_isn = 1;
		out->isn = known->isn;
	}
	if (ev->flags & TCPTRAIL_F_PEER_ISN) {
		out->have_peer = 1;
		out->peer = ev->peer_isn;
	} else if (known && known->have_peer) {
		out->have_peer = 1;
		out->peer = known->peer;
	}
}

/*
 * --relative numbers, Wireshark's: snd_nxt - ISN and rcv_nxt - peer ISN.
 * 0 when there is nothing meaningful: the socket has no sequence state yet,
 * or SYN_SENT/LISTEN, recorded before snd_nxt is set.
 */
static int rel_seq(const struct tcptrail_event *ev, const struct tr_isns *is, uint32_t *v)
{
	if (!tr_seq_fields_set(ev) || !is->have_isn ||
	    (ev->kind == TCPTRAIL_EV_STATE &&
	     (ev->new_state == TCPTRAIL_SYN_SENT || ev->new_state == TCPTRAIL_LISTEN)))
		return 0;
	*v = tr_seq_rel(ev->snd_nxt, is->isn);
	return 1;
}

static int rel_ack(const struct tcptrail_event *ev, const struct tr_isns *is, uint32_t *v)
{
	if (!tr_seq_fields_set(ev) || !is->have_peer)
		return 0;
	*v = tr_seq_rel(ev->rcv_nxt, is->peer);
	return 1;
}

/* Flags that no field of their own shows; a newer minor's bits by number. */
static const struct { uint16_t bit; const char *name; } flag_names[] = {
	{ TCPTRAIL_F_SYNCOOKIE, "syncookie" },
	{ TCPTRAIL_F_TABLE_FULL, "table_full" },
	{ TCPTRAIL_F_NO_TUPLE, "no_tuple" },
};
#define KNOWN_FLAGS (TCPTRAIL_F_SOFTIRQ | TCPTRAIL_F_OWNER | TCPTRAIL_F_ISN | \
		     TCPTRAIL_F_PEER_ISN | TCPTRAIL_F_TABLE_FULL | TCPTRAIL_F_SYNCOOKIE | \
		     TCPTRAIL_F_NO_TUPLE | TCPTRAIL_F_SYSCTLS | \
		     /* retrans's syn, fin, rto#N: fields of their own */ \
		     TCPTRAIL_F_SYN | TCPTRAIL_F_FIN | TCPTRAIL_F_RTO)

/* Call @put for each such flag's name, in a fixed order. */
static void each_flag(const struct tcptrail_event *ev, void (*put)(void *arg, const char *name),
		      void *arg)
{
	char b[16];

	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (ev->flags & flag_names[i].bit)
			put(arg, flag_names[i].name);
	for (unsigned int bit = 1; bit <= 0x8000; bit <<= 1) {
		if (!(ev->flags & bit & ~KNOWN_FLAGS))
			continue;
		snprintf(b, sizeof(b), "flag_0x%x", bit);
		put(arg, b);
	}
}

/* ---- text ---- */

/*
 * Columns: narrow by default, so that an IPv4 line fits a terminal (address
 * columns fit "255.255.255.255:65535"; a longer IPv6 address pushes the rest
 * of its line right, as tcpstates does). -W: addresses as wide as the
 * longest IPv6 form "[ffff:...:ffff]:65535", and the sequence columns.
 */
#define ADDR_NARROW 21
#define ADDR_WIDE 47
#define NARROW_COLS 120

static int time_width(const struct tr_fmt *fmt)
{
	switch (fmt->time) {
	case TR_TIME_DATE:
		return 23;
	case TR_TIME_EPOCH:
		return 17;
	default:
		return 12;
	}
}

static void text_row(FILE *f, const struct tr_fmt *fmt, const char *when, const char *pid,
		     const char *comm, const char *la, const char *ra, const char *trans,
		     const char *ms, const char *isn, const char *snd, const char *rcv,
		     const char *extra)
{
	int aw = fmt->wide ? ADDR_WIDE : ADDR_NARROW;
	int n;

	n = fprintf(f, "%-*s %-7s %-15s %-*s %-*s %-26s %10s", time_width(fmt), when, pid, comm,
		    aw, la, aw, ra, trans, ms);
	if (fmt->wide) {
		fprintf(f, " %10s %10s %10s%s\n", isn, snd, rcv, extra);
		return;
	}
	/*
	 * Narrow lines stay within a terminal of NARROW_COLS: what does not fit
	 * (a close's cause and errno, flags) goes on the next line, indented
	 * under the PID column so that it reads as part of the event above.
	 */
	if (n > 0 && n <= NARROW_COLS && *extra && n + (int)strlen(extra) > NARROW_COLS)
		fprintf(f, "\n%*s", time_width(fmt), "");
	fprintf(f, "%s\n", extra);
}

static void text_header(FILE *f, const struct tr_fmt *fmt)
{
	text_row(f, fmt, "TIME", "PID", "COMM", "LADDR:LPORT", "RADDR:RPORT", "OLD         -> NEW",
		 "MS", "ISN", fmt->relative ? "REL_SEQ" : "SND_NXT",
		 fmt->relative ? "REL_ACK" : "RCV_NXT", "");
}

/* A timer as "60s" or "59.996s": short enough for the transition column. */
static void fmt_secs(char *buf, size_t len, uint64_t ns)
{
	size_t n;

	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, ns / 1000000000, ns / 1000000 % 1000);
	n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	snprintf(buf + n, len - n, "s");
}

static void text_transition(char *buf, size_t len, const struct tcptrail_event *ev)
{
	char cb[16], t[32];
	const char *c;

	switch (ev->kind) {
	case TCPTRAIL_EV_STATE:
		snprintf(buf, len, "%-11s -> %s", state_or(ev->old_state, "?"),
			 state_or(ev->new_state, "?"));
		break;
	case TCPTRAIL_EV_TW_ENTER:
	case TCPTRAIL_EV_TW_SUBSTATE:
		fmt_secs(t, sizeof(t), ev->timeout_ns);
		snprintf(buf, len, "%s -> %s %s", tr_kind_name(ev->kind), state_or(ev->substate, "?"),
			 t);
		break;
	case TCPTRAIL_EV_TW_EXIT:
		c = cause_str(ev->cause, cb, sizeof(cb));
		snprintf(buf, len, "tw_exit (%s)", c ? c : "unknown");
		break;
	case TCPTRAIL_EV_RETRANS:
		snprintf(buf, len, "retrans %s", state_or(ev->old_state, "?"));
		break;
	default:
		snprintf(buf, len, "%s", tr_kind_name(ev->kind));
		break;
	}
}

struct sbuf {
	char *buf;
	size_t len, off;
};

__attribute__((format(printf, 2, 3)))
static void sadd(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < b->len - b->off)
		b->off += (size_t)n;
}

static void text_flag(void *arg, const char *name)
{
	sadd(arg, " %s", name);
}

static void text_extra(char *buf, size_t len, const struct tr_fmt *fmt,
		       const struct tcptrail_event *ev)
{
	struct sbuf b = { buf, len, 0 };

	buf[0] = '\0';
	/* Why it ended (-> CLOSE), why an RST was sent; what the application saw. */
	if ((ev->kind == TCPTRAIL_EV_STATE || ev->kind == TCPTRAIL_EV_RST_SENT) && ev->cause) {
		char cb[16];

		sadd(&b, " cause=%s", cause_str(ev->cause, cb, sizeof(cb)));
	}
	if (ev->err) {
		char eb[16];

		sadd(&b, " errno=%s", errno_str(ev->err, eb, sizeof(eb)));
	}
	if (ev->kind == TCPTRAIL_EV_RETRANS) {
		char ms[32];

		if (ev->flags & TCPTRAIL_F_SYN)
			sadd(&b, " syn");
		if (ev->flags & TCPTRAIL_F_FIN)
			sadd(&b, " fin");
		if (ev->flags & TCPTRAIL_F_RTO) {
			tr_fmt_ms(ms, sizeof(ms), ev->timeout_ns);
			sadd(&b, " rto#%" PRIu64 " rto=%sms", (uint64_t)ev->count, ms);
		}
	}
	if (ev->kind == TCPTRAIL_EV_SYNACK_RETRANS && ev->count)
		sadd(&b, " #%" PRIu64, (uint64_t)ev->count);
	/* The peer's ISN shows up once: where it is first learnt. */
	if (fmt->wide && (ev->flags & TCPTRAIL_F_PEER_ISN) &&
	    (ev->kind == TCPTRAIL_EV_SYN_RECV ||
	     (ev->kind == TCPTRAIL_EV_STATE && ev->old_state == TCPTRAIL_SYN_SENT)))
		sadd(&b, " peer_isn=%u", ev->peer_isn);
	each_flag(ev, text_flag, &b);
	if (fmt->wide && tr_is_lifecycle(ev->kind) && (ev->flags & TCPTRAIL_F_SYSCTLS)) {
		sadd(&b, " fin_timeout=%d tw_reuse=%d max_tw_buckets=%d", ev->sysctl_fin_timeout,
		     ev->sysctl_tw_reuse, ev->sysctl_max_tw_buckets);
		if (ev->sysctl_tw_reuse_delay < 0)
			sadd(&b, " tw_reuse_delay=n/a");
		else
			sadd(&b, " tw_reuse_delay=%d", ev->sysctl_tw_reuse_delay);
	}
}

static void text_event(FILE *f, const struct tr_fmt *fmt, const struct tcptrail_event *ev,
		       const struct tr_isns *known)
{
	char when[48], pid[16], comm[80], la[64], ra[64], trans[64], ms[32];
	char isn[16], seq[16], ack[16], extra[256];
	struct tr_isns is;
	uint32_t v;

	resolve_isns(ev, known, &is);
	tr_fmt_clock(when, sizeof(when), fmt, ev->ts_ns);
	if (ev->flags & TCPTRAIL_F_OWNER) {
		size_t w;

		snprintf(pid, sizeof(pid), "%u", ev->pid);
		/* printf pads bytes, not columns: pad multibyte names by hand. */
		w = tr_fmt_comm(comm, sizeof(comm), ev->comm);
		for (size_t n = strlen(comm); w < 15; w++)
			comm[n++] = ' ', comm[n] = '\0';
	} else {
		strcpy(pid, "-");
		strcpy(comm, "-");
	}
	tr_fmt_addrport(la, sizeof(la), ev->family, ev->saddr, ev->sport);
	tr_fmt_addrport(ra, sizeof(ra), ev->family, ev->daddr, ev->dport);
	text_transition(trans, sizeof(trans), ev);
	if (ev->kind == TCPTRAIL_EV_STATE || ev->kind == TCPTRAIL_EV_TW_EXIT || ev->dur_ns)
		tr_fmt_ms(ms, sizeof(ms), ev->dur_ns);
	else
		strcpy(ms, "-");
	isn[0] = seq[0] = ack[0] = '\0';	/* narrow: not shown, not worked out */
	if (fmt->wide) {
		if (ev->flags & TCPTRAIL_F_ISN)
			snprintf(isn, sizeof(isn), "%u", ev->isn);
		else
			strcpy(isn, "-");
		if (!fmt->relative)
			snprintf(seq, sizeof(seq), "%u", ev->snd_nxt);
		else if (rel_seq(ev, &is, &v))
			snprintf(seq, sizeof(seq), "%u", v);
		else
			strcpy(seq, "-");
		if (!fmt->relative)
			snprintf(ack, sizeof(ack), "%u", ev->rcv_nxt);
		else if (rel_ack(ev, &is, &v))
			snprintf(ack, sizeof(ack), "%u", v);
		else
			strcpy(ack, "-");
	}
	text_extra(extra, sizeof(extra), fmt, ev);
	text_row(f, fmt, when, pid, comm, la, ra, trans, ms, isn, seq, ack, extra);
}

void tr_fmt_print_lost(FILE *f, const struct tcptrail_event *ev)
{
	char cb[16];
	const char *c = cause_str(ev->cause, cb, sizeof(cb));

	fprintf(f, "tcptrail: lost %" PRIu64 " event%s (%s)\n", (uint64_t)ev->count,
		ev->count == 1 ? "" : "s", c ? c : "unknown cause");
}

/* ---- JSON ---- */

void tr_fmt_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		int n;

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			s++;
			continue;
		case '\\':
			fputs("\\\\", f);
			s++;
			continue;
		case '\n':
			fputs("\\n", f);
			s++;
			continue;
		case '\r':
			fputs("\\r", f);
			s++;
			continue;
		case '\t':
			fputs("\\t", f);
			s++;
			continue;
		}
		if (*s < 0x20) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, (size_t)n, f);
		s += n;
	}
	fputc('"', f);
}

static void json_state(FILE *f, const char *key, unsigned int st)
{
	const char *n = st ? tr_state_name(st) : NULL;

	fprintf(f, ",\"%s\":", key);
	if (n)
		fprintf(f, "\"%s\"", n);
	else
		fputs("null", f);
}

struct json_flags {
	FILE *f;
	int n;
};

static void json_flag(void *arg, const char *name)
{
	struct json_flags *j = arg;

	fprintf(j->f, "%s\"%s\"", j->n++ ? "," : "", name);
}

/* --relative: rel_seq and rel_ack, null where text shows "-". */
static void json_rel(FILE *f, const struct tcptrail_event *ev, const struct tr_isns *known)
{
	struct tr_isns is;
	uint32_t v;

	resolve_isns(ev, known, &is);
	if (rel_seq(ev, &is, &v))
		fprintf(f, ",\"rel_seq\":%u", v);
	else
		fputs(",\"rel_seq\":null", f);
	if (rel_ack(ev, &is, &v))
		fprintf(f, ",\"rel_ack\":%u", v);
	else
		fputs(",\"rel_ack\":null", f);
}

static void json_event(FILE *f, const struct tr_fmt *fmt, const struct tcptrail_event *ev,
		       const struct tr_isns *known)
{
	struct json_flags jf = { f, 0 };
	char iso[48], a[INET6_ADDRSTRLEN], cb[16];
	const char *c;

	if (ev->kind == TCPTRAIL_EV_LOST) {
		c = cause_str(ev->cause, cb, sizeof(cb));
		fprintf(f, "{\"event\":\"lost\",\"count\":%" PRIu64 ",\"cause\":", (uint64_t)ev->count);
		if (c)
			fprintf(f, "\"%s\"}\n", c);
		else
			fputs("null}\n", f);
		return;
	}
	tr_fmt_iso(iso, sizeof(iso), fmt, ev->ts_ns);
	fprintf(f, "{\"pos\":%" PRIu64 ",\"ts_ns\":%" PRIu64 ",\"time\":\"%s\",\"cpu\":%u",
		(uint64_t)ev->seq, (uint64_t)ev->ts_ns, iso, ev->cpu);
	fprintf(f, ",\"event\":\"%s\",\"netns\":%u,\"cookie\":%" PRIu64, tr_kind_name(ev->kind),
		ev->netns, (uint64_t)ev->cookie);
	if (ev->flags & TCPTRAIL_F_OWNER) {
		fprintf(f, ",\"pid\":%u,\"comm\":", ev->pid);
		tr_fmt_json_string(f, ev->comm);
	} else {
		fputs(",\"pid\":null,\"comm\":null", f);
	}
	fprintf(f, ",\"ctx\":\"%s\",\"family\":\"%s\"",
		ev->flags & TCPTRAIL_F_SOFTIRQ ? "softirq" : "task",
		ev->family == AF_INET6 ? "ipv6" : "ipv4");
	tr_fmt_addr(a, sizeof(a), ev->family, ev->saddr);
	fprintf(f, ",\"saddr\":\"%s\",\"sport\":%u", a, ev->sport);
	tr_fmt_addr(a, sizeof(a), ev->family, ev->daddr);
	fprintf(f, ",\"daddr\":\"%s\",\"dport\":%u", a, ev->dport);
	json_state(f, "old", ev->old_state);
	json_state(f, "new", ev->new_state);
	fprintf(f, ",\"dur_ns\":%" PRIu64, (uint64_t)ev->dur_ns);
	if (ev->flags & TCPTRAIL_F_ISN)
		fprintf(f, ",\"isn\":%u", ev->isn);
	else
		fputs(",\"isn\":null", f);
	if (ev->flags & TCPTRAIL_F_PEER_ISN)
		fprintf(f, ",\"peer_isn\":%u", ev->peer_isn);
	else
		fputs(",\"peer_isn\":null", f);
	fprintf(f,
		",\"snd_una\":%u,\"snd_nxt\":%u,\"rcv_nxt\":%u,\"snd_wnd\":%u,\"rcv_wnd\":%u"
		",\"mss\":%u,\"srtt_us\":%u",
		ev->snd_una, ev->snd_nxt, ev->rcv_nxt, ev->snd_wnd, ev->rcv_wnd, ev->mss,
		ev->srtt_us);
	fputs(",\"flags\":[", f);
	each_flag(ev, json_flag, &jf);
	fputc(']', f);
	if (fmt->relative)
		json_rel(f, ev, known);
	if (ev->kind == TCPTRAIL_EV_STATE && ev->cause)	/* why it went to CLOSE */
		fprintf(f, ",\"cause\":\"%s\"", cause_str(ev->cause, cb, sizeof(cb)));
	if (ev->err)
		fprintf(f, ",\"errno\":\"%s\"", errno_str(ev->err, cb, sizeof(cb)));
	if (ev->kind == TCPTRAIL_EV_RETRANS || (ev->kind == TCPTRAIL_EV_SYNACK_RETRANS && ev->count))
		fprintf(f, ",\"count\":%" PRIu64, (uint64_t)ev->count);
	if (ev->kind == TCPTRAIL_EV_RETRANS)
		fprintf(f, ",\"syn\":%s,\"fin\":%s,\"rto\":%s",
			ev->flags & TCPTRAIL_F_SYN ? "true" : "false",
			ev->flags & TCPTRAIL_F_FIN ? "true" : "false",
			ev->flags & TCPTRAIL_F_RTO ? "true" : "false");
	if (tr_is_lifecycle(ev->kind)) {
		c = cause_str(ev->cause, cb, sizeof(cb));
		if (c)
			fprintf(f, ",\"cause\":\"%s\"", c);
		else
			fputs(",\"cause\":null", f);
		json_state(f, "substate", ev->substate);
		fprintf(f, ",\"timeout_ns\":%" PRIu64, (uint64_t)ev->timeout_ns);
		if (ev->flags & TCPTRAIL_F_SYSCTLS) {
			fprintf(f,
				",\"sysctls\":{\"tcp_fin_timeout\":%d,\"tcp_tw_reuse\":%d"
				",\"tcp_max_tw_buckets\":%d,\"tcp_tw_reuse_delay\":",
				ev->sysctl_fin_timeout, ev->sysctl_tw_reuse, ev->sysctl_max_tw_buckets);
			if (ev->sysctl_tw_reuse_delay < 0)
				fputs("null}", f);
			else
				fprintf(f, "%d}", ev->sysctl_tw_reuse_delay);
		} else {
			fputs(",\"sysctls\":null", f);
		}
	}
	fputs("}\n", f);
}

/* ---- CSV ---- */

/* Only ever appended to: readers may still count columns. */
static const char csv_columns[] =
	"pos,ts_ns,time,cpu,event,netns,cookie,pid,comm,ctx,family,saddr,sport,daddr,dport,"
	"old,new,dur_ns,isn,peer_isn,snd_una,snd_nxt,rcv_nxt,snd_wnd,rcv_wnd,mss,srtt_us,"
	"cause,substate,timeout_ns,tcp_fin_timeout,tcp_tw_reuse,tcp_max_tw_buckets,"
	"tcp_tw_reuse_delay,count,flags,errno";

/* RFC 4180: quote when needed, double the quotes; invalid UTF-8 becomes U+FFFD. */
static void csv_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int quote = str[strcspn(str, ",\"\r\n")] != '\0';

	if (quote)
		fputc('"', f);
	while (*s) {
		int n = utf8_len(s);

		if (!n) {
			fputs("\xef\xbf\xbd", f);
			s++;
			continue;
		}
		if (*s == '"')
			fputc('"', f);
		fwrite(s, 1, (size_t)n, f);
		s += n;
	}
	if (quote)
		fputc('"', f);
}

static void csv_flag(void *arg, const char *name)
{
	struct json_flags *j = arg;

	fprintf(j->f, "%s%s", j->n++ ? " " : "", name);
}

static void csv_event(FILE *f, const struct tr_fmt *fmt, const struct tcptrail_event *ev,
		      const struct tr_isns *known)
{
	struct json_flags jf = { f, 0 };
	char iso[48], a[INET6_ADDRSTRLEN], cb[16];
	const char *c = cause_str(ev->cause, cb, sizeof(cb));
	const char *n;

	if (ev->kind == TCPTRAIL_EV_LOST) {
		/* Same columns as JSON's lost record: event, cause, count. */
		fprintf(f, ",,,,lost,,,,,,,,,,,,,,,,,,,,,,,%s,,,,,,,%" PRIu64 ",,%s\n", c ? c : "",
			(uint64_t)ev->count, fmt->relative ? ",," : "");
		return;
	}
	tr_fmt_iso(iso, sizeof(iso), fmt, ev->ts_ns);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%s,%u,%s,%u,%" PRIu64 ",", (uint64_t)ev->seq,
		(uint64_t)ev->ts_ns, iso, ev->cpu, tr_kind_name(ev->kind), ev->netns,
		(uint64_t)ev->cookie);
	if (ev->flags & TCPTRAIL_F_OWNER) {
		fprintf(f, "%u,", ev->pid);
		csv_string(f, ev->comm);
	} else {
		fputc(',', f);
	}
	fprintf(f, ",%s,%s", ev->flags & TCPTRAIL_F_SOFTIRQ ? "softirq" : "task",
		ev->family == AF_INET6 ? "ipv6" : "ipv4");
	tr_fmt_addr(a, sizeof(a), ev->family, ev->saddr);
	fprintf(f, ",%s,%u", a, ev->sport);
	tr_fmt_addr(a, sizeof(a), ev->family, ev->daddr);
	fprintf(f, ",%s,%u", a, ev->dport);
	n = ev->old_state ? tr_state_name(ev->old_state) : NULL;
	fprintf(f, ",%s", n ? n : "");
	n = ev->new_state ? tr_state_name(ev->new_state) : NULL;
	fprintf(f, ",%s", n ? n : "");
	fprintf(f, ",%" PRIu64 ",", (uint64_t)ev->dur_ns);
	if (ev->flags & TCPTRAIL_F_ISN)
		fprintf(f, "%u", ev->isn);
	fputc(',', f);
	if (ev->flags & TCPTRAIL_F_PEER_ISN)
		fprintf(f, "%u", ev->peer_isn);
	fprintf(f, ",%u,%u,%u,%u,%u,%u,%u", ev->snd_una, ev->snd_nxt, ev->rcv_nxt, ev->snd_wnd,
		ev->rcv_wnd, ev->mss, ev->srtt_us);
	if (tr_is_lifecycle(ev->kind)) {
		n = ev->substate ? tr_state_name(ev->substate) : NULL;
		fprintf(f, ",%s,%s,%" PRIu64, c ? c : "", n ? n : "", (uint64_t)ev->timeout_ns);
		if (ev->flags & TCPTRAIL_F_SYSCTLS) {
			fprintf(f, ",%d,%d,%d,", ev->sysctl_fin_timeout, ev->sysctl_tw_reuse, ev->sysctl_max_tw_buckets);
			if (ev->sysctl_tw_reuse_delay >= 0)
				fprintf(f, "%d", ev->sysctl_tw_reuse_delay);
		} else {
			fputs(",,,,", f);
		}
	} else {
		/* A state event's cause: why it went to CLOSE. */
		fprintf(f, ",%s,,,,,,", ev->kind == TCPTRAIL_EV_STATE && c ? c : "");
	}
	fputc(',', f);
	if ((ev->kind == TCPTRAIL_EV_RETRANS || ev->kind == TCPTRAIL_EV_SYNACK_RETRANS) && ev->count)
		fprintf(f, "%" PRIu64, (uint64_t)ev->count);
	fputc(',', f);
	each_flag(ev, csv_flag, &jf);
	fputc(',', f);
	if (ev->err)
		fputs(errno_str(ev->err, cb, sizeof(cb)), f);
	if (fmt->relative) {
		struct tr_isns is;
		uint32_t v;

		resolve_isns(ev, known, &is);
		fputc(',', f);
		if (rel_seq(ev, &is, &v))
			fprintf(f, "%u", v);
		fputc(',', f);
		if (rel_ack(ev, &is, &v))
			fprintf(f, "%u", v);
	}
	fputc('\n', f);
}

void tr_fmt_print_header(FILE *f, const struct tr_fmt *fmt)
{
	if (fmt->no_header)
		return;
	if (fmt->format == TR_FMT_TEXT)
		text_header(f, fmt);
	else if (fmt->format == TR_FMT_CSV)
		fprintf(f, "%s%s\n", csv_columns, fmt->relative ? ",rel_seq,rel_ack" : "");
}

void tr_fmt_print_event(FILE *f, const struct tr_fmt *fmt, const struct tcptrail_event *ev,
			const struct tr_isns *isns)
{
	switch (fmt->format) {
	case TR_FMT_TEXT:
		if (ev->kind != TCPTRAIL_EV_LOST)
			text_event(f, fmt, ev, isns);
		break;
	case TR_FMT_JSON:
		json_event(f, fmt, ev, isns);
		break;
	case TR_FMT_CSV:
		csv_event(f, fmt, ev, isns);
		break;
	}
}

void tr_fmt_secs(char *buf, size_t len, uint64_t ns)
{
	size_t n;

	fmt_secs(buf, len, ns);
	n = strlen(buf);
	if (n && n + 2 < len) {
		buf[n - 1] = ' ';
		snprintf(buf + n, len - n, "s");
	}
}

size_t tr_fmt_why(char *buf, size_t len, const struct tcptrail_event *ev)
{
	char cb[16], eb[16];
	const char *c = NULL, *e = errno_str(ev->err, eb, sizeof(eb));
	int n;

	if (ev->kind == TCPTRAIL_EV_STATE || ev->kind == TCPTRAIL_EV_RST_SENT ||
	    ev->kind == TCPTRAIL_EV_REQ_DROP)
		c = cause_str(ev->cause, cb, sizeof(cb));
	n = snprintf(buf, len, "%s%s%s%s", c ? c : "", c && e ? ", " : "", e ? "errno " : "",
		     e ? e : "");
	return n > 0 ? (size_t)n : 0;
}
