/* format.c - printing events as aligned text, JSON Lines or CSV. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "format.h"

/*
 * Text columns. Addresses get the width of the longest IPv6 form
 * "[ffff:...:ffff]:65535" (47) so that v4 and v6 lines stay aligned.
 */
#define TXT_LINE "%-12s %-7s %-15s %-47s %-47s %-28s %10s %10s %10s %10s"

void tt_fmt_addr(char *buf, size_t len, int family, const uint8_t *addr)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void tt_fmt_addrport(char *buf, size_t len, int family, const uint8_t *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	tt_fmt_addr(a, sizeof(a), family, addr);
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static int64_t wall_ns(const struct tt_fmt *fmt, uint64_t ts_ns)
{
	int64_t w = (int64_t)ts_ns + fmt->wall_offset_ns;

	return w < 0 ? 0 : w;
}

void tt_fmt_clock(char *buf, size_t len, const struct tt_fmt *fmt, uint64_t ts_ns)
{
	int64_t w = wall_ns(fmt, ts_ns);
	time_t sec = (time_t)(w / 1000000000);
	struct tm tm;

	localtime_r(&sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(w % 1000000000 / 1000000));
}

void tt_fmt_iso(char *buf, size_t len, const struct tt_fmt *fmt, uint64_t ts_ns)
{
	int64_t w = wall_ns(fmt, ts_ns);
	time_t sec = (time_t)(w / 1000000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(w % 1000000000));
}

void tt_fmt_ms(char *buf, size_t len, uint64_t ns)
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

size_t tt_fmt_comm(char *buf, size_t len, const char *comm)
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
	const char *n = tt_state_name(st);

	return n ? n : dflt;
}

static const char *cause_str(unsigned int cause, char *buf, size_t len)
{
	const char *n = tt_cause_name(cause);

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

static void resolve_isns(const struct tcptrail_event *ev, const struct tt_isns *known,
			 struct tt_isns *out)
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

/* ---- text ---- */

static void text_header(FILE *f, const struct tt_fmt *fmt)
{
	fprintf(f, TXT_LINE "\n", "TIME", "PID", "COMM", "LADDR:LPORT", "RADDR:RPORT",
		"OLD          -> NEW", "MS", "ISN", fmt->relative ? "REL_SEQ" : "SEQ",
		fmt->relative ? "REL_ACK" : "ACK");
}

static void text_transition(char *buf, size_t len, const struct tcptrail_event *ev)
{
	char cb[16];
	const char *c;

	switch (ev->kind) {
	case TCPTRAIL_EV_STATE:
		snprintf(buf, len, "%-12s -> %s", state_or(ev->old_state, "?"),
			 state_or(ev->new_state, "?"));
		break;
	case TCPTRAIL_EV_TW_ENTER:
	case TCPTRAIL_EV_TW_SUBSTATE:
		snprintf(buf, len, "%s -> %s", tt_kind_name(ev->kind), state_or(ev->substate, "?"));
		break;
	case TCPTRAIL_EV_TW_EXIT:
		c = cause_str(ev->cause, cb, sizeof(cb));
		snprintf(buf, len, "tw_exit (%s)", c ? c : "unknown");
		break;
	case TCPTRAIL_EV_RETRANS:
		snprintf(buf, len, "retrans %s", state_or(ev->old_state, "?"));
		break;
	default:
		snprintf(buf, len, "%s", tt_kind_name(ev->kind));
		break;
	}
}

static void text_extra(char *buf, size_t len, const struct tcptrail_event *ev)
{
	size_t off = 0;

#define ADD(...)                                                                  \
	do {                                                                      \
		int n_ = snprintf(buf + off, len - off, __VA_ARGS__);             \
		if (n_ > 0 && (size_t)n_ < len - off)                             \
			off += (size_t)n_;                                        \
	} while (0)

	buf[0] = '\0';
	/* Why it ended (-> CLOSE), why an RST was sent; what the application saw. */
	if ((ev->kind == TCPTRAIL_EV_STATE || ev->kind == TCPTRAIL_EV_RST_SENT) && ev->cause) {
		char cb[16];

		ADD(" cause=%s", cause_str(ev->cause, cb, sizeof(cb)));
	}
	if (ev->err) {
		char eb[16];

		ADD(" errno=%s", errno_str(ev->err, eb, sizeof(eb)));
	}
	if (ev->kind == TCPTRAIL_EV_RETRANS) {
		char ms[32];

		if (ev->flags & TCPTRAIL_F_SYN)
			ADD(" syn");
		if (ev->flags & TCPTRAIL_F_FIN)
			ADD(" fin");
		if (ev->flags & TCPTRAIL_F_RTO) {
			tt_fmt_ms(ms, sizeof(ms), ev->timeout_ns);
			ADD(" rto#%" PRIu64 " rto=%sms", (uint64_t)ev->count, ms);
		}
	}
	if (ev->kind == TCPTRAIL_EV_SYNACK_RETRANS && ev->count)
		ADD(" #%" PRIu64, (uint64_t)ev->count);
	if (ev->kind == TCPTRAIL_EV_TW_ENTER || ev->kind == TCPTRAIL_EV_TW_SUBSTATE) {
		char ms[32];

		tt_fmt_ms(ms, sizeof(ms), ev->timeout_ns);
		ADD(" timeout=%sms", ms);
	}
	/* The peer's ISN shows up once: where it is first learnt. */
	if ((ev->flags & TCPTRAIL_F_PEER_ISN) &&
	    (ev->kind == TCPTRAIL_EV_SYN_RECV ||
	     (ev->kind == TCPTRAIL_EV_STATE && ev->old_state == 2 /* SYN_SENT */)))
		ADD(" peer_isn=%u", ev->peer_isn);
	if (ev->flags & TCPTRAIL_F_SYNCOOKIE)
		ADD(" syncookie");
	if (ev->flags & TCPTRAIL_F_TABLE_FULL)
		ADD(" table_full");
	if (ev->flags & TCPTRAIL_F_NO_TUPLE)
		ADD(" no_tuple");
	if (tt_is_lifecycle(ev->kind) && (ev->flags & TCPTRAIL_F_SYSCTLS)) {
		ADD(" fin_timeout=%d tw_reuse=%d max_tw_buckets=%d", ev->sysctl_fin_timeout, ev->sysctl_tw_reuse,
		    ev->sysctl_max_tw_buckets);
		if (ev->sysctl_tw_reuse_delay < 0)
			ADD(" tw_reuse_delay=n/a");
		else
			ADD(" tw_reuse_delay=%d", ev->sysctl_tw_reuse_delay);
	}
#undef ADD
}

static void text_event(FILE *f, const struct tt_fmt *fmt, const struct tcptrail_event *ev,
		       const struct tt_isns *known)
{
	char when[32], pid[16], comm[80], la[64], ra[64], trans[48], ms[32];
	char isn[16], seq[16], ack[16], extra[256];
	struct tt_isns is;

	resolve_isns(ev, known, &is);
	tt_fmt_clock(when, sizeof(when), fmt, ev->ts_ns);
	if (ev->flags & TCPTRAIL_F_OWNER) {
		size_t w;

		snprintf(pid, sizeof(pid), "%u", ev->pid);
		/* printf pads bytes, not columns: pad multibyte names by hand. */
		w = tt_fmt_comm(comm, sizeof(comm), ev->comm);
		for (size_t n = strlen(comm); w < 15; w++)
			comm[n++] = ' ', comm[n] = '\0';
	} else {
		strcpy(pid, "-");
		strcpy(comm, "-");
	}
	tt_fmt_addrport(la, sizeof(la), ev->family, ev->saddr, ev->sport);
	tt_fmt_addrport(ra, sizeof(ra), ev->family, ev->daddr, ev->dport);
	text_transition(trans, sizeof(trans), ev);
	if (ev->kind == TCPTRAIL_EV_STATE || ev->kind == TCPTRAIL_EV_TW_EXIT || ev->dur_ns)
		tt_fmt_ms(ms, sizeof(ms), ev->dur_ns);
	else
		strcpy(ms, "-");
	if (ev->flags & TCPTRAIL_F_ISN)
		snprintf(isn, sizeof(isn), "%u", ev->isn);
	else
		strcpy(isn, "-");
	if (!fmt->relative)
		snprintf(seq, sizeof(seq), "%u", ev->snd_nxt);
	else if (!tt_seq_fields_set(ev) ||
		 (ev->kind == TCPTRAIL_EV_STATE && (ev->new_state == 2 || ev->new_state == 10)))
		strcpy(seq, "-");	/* not recorded; SYN_SENT is recorded before snd_nxt is set */
	else if (is.have_isn)
		snprintf(seq, sizeof(seq), "%u", tt_seq_rel(ev->snd_nxt, is.isn));
	else
		strcpy(seq, "-");
	if (!fmt->relative)
		snprintf(ack, sizeof(ack), "%u", ev->rcv_nxt);
	else if (is.have_peer && tt_seq_fields_set(ev))
		snprintf(ack, sizeof(ack), "%u", tt_seq_rel(ev->rcv_nxt, is.peer));
	else
		strcpy(ack, "-");
	text_extra(extra, sizeof(extra), ev);
	fprintf(f, TXT_LINE "%s\n", when, pid, comm, la, ra, trans, ms, isn, seq, ack, extra);
}

void tt_fmt_print_lost(FILE *f, const struct tcptrail_event *ev)
{
	char cb[16];
	const char *c = cause_str(ev->cause, cb, sizeof(cb));

	fprintf(f, "tcptrail: lost %" PRIu64 " event%s (%s)\n", (uint64_t)ev->count,
		ev->count == 1 ? "" : "s", c ? c : "unknown cause");
}

/* ---- JSON ---- */

void tt_fmt_json_string(FILE *f, const char *str)
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
	const char *n = st ? tt_state_name(st) : NULL;

	fprintf(f, ",\"%s\":", key);
	if (n)
		fprintf(f, "\"%s\"", n);
	else
		fputs("null", f);
}

static void json_event(FILE *f, const struct tt_fmt *fmt, const struct tcptrail_event *ev)
{
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
	tt_fmt_iso(iso, sizeof(iso), fmt, ev->ts_ns);
	fprintf(f, "{\"seq\":%" PRIu64 ",\"ts_ns\":%" PRIu64 ",\"time\":\"%s\",\"cpu\":%u",
		(uint64_t)ev->seq, (uint64_t)ev->ts_ns, iso, ev->cpu);
	fprintf(f, ",\"event\":\"%s\",\"netns\":%u,\"cookie\":%" PRIu64, tt_kind_name(ev->kind),
		ev->netns, (uint64_t)ev->cookie);
	if (ev->flags & TCPTRAIL_F_OWNER) {
		fprintf(f, ",\"pid\":%u,\"comm\":", ev->pid);
		tt_fmt_json_string(f, ev->comm);
	} else {
		fputs(",\"pid\":null,\"comm\":null", f);
	}
	fprintf(f, ",\"ctx\":\"%s\",\"family\":\"%s\"",
		ev->flags & TCPTRAIL_F_SOFTIRQ ? "softirq" : "task",
		ev->family == AF_INET6 ? "ipv6" : "ipv4");
	tt_fmt_addr(a, sizeof(a), ev->family, ev->saddr);
	fprintf(f, ",\"saddr\":\"%s\",\"sport\":%u", a, ev->sport);
	tt_fmt_addr(a, sizeof(a), ev->family, ev->daddr);
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
	if (tt_is_lifecycle(ev->kind)) {
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

static const char csv_columns[] =
	"seq,ts_ns,time,cpu,event,netns,cookie,pid,comm,ctx,family,saddr,sport,daddr,dport,"
	"old,new,dur_ns,isn,peer_isn,snd_una,snd_nxt,rcv_nxt,snd_wnd,rcv_wnd,mss,srtt_us,"
	"cause,substate,timeout_ns,tcp_fin_timeout,tcp_tw_reuse,tcp_max_tw_buckets,"
	"tcp_tw_reuse_delay,count,errno";

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

static void csv_event(FILE *f, const struct tt_fmt *fmt, const struct tcptrail_event *ev)
{
	char iso[48], a[INET6_ADDRSTRLEN], cb[16];
	const char *c = cause_str(ev->cause, cb, sizeof(cb));
	const char *n;

	if (ev->kind == TCPTRAIL_EV_LOST) {
		/* Same columns as JSON's lost record: event, cause, count. */
		fprintf(f, ",,,,lost,,,,,,,,,,,,,,,,,,,,,,,%s,,,,,,,%" PRIu64 ",\n", c ? c : "",
			(uint64_t)ev->count);
		return;
	}
	tt_fmt_iso(iso, sizeof(iso), fmt, ev->ts_ns);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%s,%u,%s,%u,%" PRIu64 ",", (uint64_t)ev->seq,
		(uint64_t)ev->ts_ns, iso, ev->cpu, tt_kind_name(ev->kind), ev->netns,
		(uint64_t)ev->cookie);
	if (ev->flags & TCPTRAIL_F_OWNER) {
		fprintf(f, "%u,", ev->pid);
		csv_string(f, ev->comm);
	} else {
		fputc(',', f);
	}
	fprintf(f, ",%s,%s", ev->flags & TCPTRAIL_F_SOFTIRQ ? "softirq" : "task",
		ev->family == AF_INET6 ? "ipv6" : "ipv4");
	tt_fmt_addr(a, sizeof(a), ev->family, ev->saddr);
	fprintf(f, ",%s,%u", a, ev->sport);
	tt_fmt_addr(a, sizeof(a), ev->family, ev->daddr);
	fprintf(f, ",%s,%u", a, ev->dport);
	n = ev->old_state ? tt_state_name(ev->old_state) : NULL;
	fprintf(f, ",%s", n ? n : "");
	n = ev->new_state ? tt_state_name(ev->new_state) : NULL;
	fprintf(f, ",%s", n ? n : "");
	fprintf(f, ",%" PRIu64 ",", (uint64_t)ev->dur_ns);
	if (ev->flags & TCPTRAIL_F_ISN)
		fprintf(f, "%u", ev->isn);
	fputc(',', f);
	if (ev->flags & TCPTRAIL_F_PEER_ISN)
		fprintf(f, "%u", ev->peer_isn);
	fprintf(f, ",%u,%u,%u,%u,%u,%u,%u", ev->snd_una, ev->snd_nxt, ev->rcv_nxt, ev->snd_wnd,
		ev->rcv_wnd, ev->mss, ev->srtt_us);
	if (tt_is_lifecycle(ev->kind)) {
		n = ev->substate ? tt_state_name(ev->substate) : NULL;
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
	if (ev->err)
		fputs(errno_str(ev->err, cb, sizeof(cb)), f);
	fputc('\n', f);
}

void tt_fmt_print_header(FILE *f, const struct tt_fmt *fmt)
{
	if (fmt->format == TT_FMT_TEXT)
		text_header(f, fmt);
	else if (fmt->format == TT_FMT_CSV)
		fprintf(f, "%s\n", csv_columns);
}

void tt_fmt_print_event(FILE *f, const struct tt_fmt *fmt, const struct tcptrail_event *ev,
			const struct tt_isns *isns)
{
	switch (fmt->format) {
	case TT_FMT_TEXT:
		if (ev->kind != TCPTRAIL_EV_LOST)
			text_event(f, fmt, ev, isns);
		break;
	case TT_FMT_JSON:
		json_event(f, fmt, ev);
		break;
	case TT_FMT_CSV:
		csv_event(f, fmt, ev);
		break;
	}
}
