// SPDX-License-Identifier: GPL-2.0
/* fixtures.c - records for the tests: real captures from the VM, and synthetic ones for what no run gives. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fixtures.h"
#include "tap.h"

#define CI FX_CLIENT_ISN
#define SI FX_SERVER_ISN

static struct tcptrail_event base(uint64_t ts_us, uint16_t cpu, uint64_t seq, uint64_t cookie,
				  int kind, int family, const char *sa, uint16_t sp,
				  const char *da, uint16_t dp)
{
	struct tcptrail_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = FX_TS0 + ts_us * 1000;
	e.cpu = cpu;
	e.seq = seq;
	e.cookie = cookie;
	e.kind = (uint16_t)kind;
	e.family = (uint8_t)family;
	e.netns = FX_NETNS;
	inet_pton(family, sa, e.saddr);
	inet_pton(family, da, e.daddr);
	e.sport = sp;
	e.dport = dp;
	return e;
}

static void owner(struct tcptrail_event *e, uint32_t pid, const char *comm)
{
	e->flags |= TCPTRAIL_F_OWNER;
	e->pid = pid;
	strncpy(e->comm, comm, sizeof(e->comm) - 1);
}

static void seqs(struct tcptrail_event *e, uint32_t una, uint32_t nxt, uint32_t rcv)
{
	e->snd_una = una;
	e->snd_nxt = nxt;
	e->rcv_nxt = rcv;
	e->snd_wnd = 65483;
	e->rcv_wnd = 65483;
	e->mss = 32741;
	e->srtt_us = 40;
}

static void isns(struct tcptrail_event *e, int have_isn, uint32_t isn, int have_peer, uint32_t peer)
{
	if (have_isn) {
		e->flags |= TCPTRAIL_F_ISN;
		e->isn = isn;
	}
	if (have_peer) {
		e->flags |= TCPTRAIL_F_PEER_ISN;
		e->peer_isn = peer;
	}
}

static void sysctls(struct tcptrail_event *e, int delay)
{
	e->flags |= TCPTRAIL_F_SYSCTLS;
	e->sysctl_fin_timeout = 60;
	e->sysctl_tw_reuse = 2;
	e->sysctl_max_tw_buckets = 262144;
	e->sysctl_tw_reuse_delay = delay;
}

/* A client event: 127.0.0.1:40000 -> :8080. */
static struct tcptrail_event cl(uint64_t us, uint64_t seq, int kind, int o, int n, uint64_t dur)
{
	struct tcptrail_event e = base(us, 0, seq, 4097, kind, AF_INET, "127.0.0.1", 40000,
				       "127.0.0.1", 8080);

	e.old_state = (uint8_t)o;
	e.new_state = (uint8_t)n;
	e.dur_ns = dur;
	owner(&e, 1234, "curl");
	return e;
}

/* A server event: 127.0.0.1:8080 -> :40000. */
static struct tcptrail_event sv(uint64_t us, uint64_t seq, int kind, int o, int n, uint64_t dur)
{
	struct tcptrail_event e = base(us, 1, seq, 4098, kind, AF_INET, "127.0.0.1", 8080,
				       "127.0.0.1", 40000);

	e.old_state = (uint8_t)o;
	e.new_state = (uint8_t)n;
	e.dur_ns = dur;
	owner(&e, 999, "server");
	return e;
}

/*
 * Synthetic: what the module records for: connect, 100 bytes request, 500 bytes
 * response, client closes first, server closes, 60 s of TIME_WAIT.
 * Client seq wraps: ISN 2^32-6, so after 101 it reads 95.
 */
int fx_pair(struct tcptrail_event *out)
{
	int n = 0;
	struct tcptrail_event e;

	e = cl(0, 100, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE, TCPTRAIL_SYN_SENT, 0);
	isns(&e, 1, CI, 0, 0);
	seqs(&e, 0, 0, 0);
	out[n++] = e;

	e = sv(20, 200, TCPTRAIL_EV_SYN_RECV, TCPTRAIL_LISTEN, TCPTRAIL_NEW_SYN_RECV, 0);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, SI, 1, CI);
	seqs(&e, SI, SI + 1, CI + 1);
	sysctls(&e, 1000);
	out[n++] = e;

	e = cl(40, 101, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_SENT, TCPTRAIL_ESTABLISHED, 40000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, CI, 1, SI);
	seqs(&e, CI + 1, CI + 1, SI + 1);
	out[n++] = e;

	e = sv(60, 201, TCPTRAIL_EV_STATE, TCPTRAIL_LISTEN, TCPTRAIL_SYN_RECV, 40000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, SI, 1, CI);
	seqs(&e, SI + 1, SI + 1, CI + 1);
	out[n++] = e;

	e = sv(61, 202, TCPTRAIL_EV_STATE, TCPTRAIL_SYN_RECV, TCPTRAIL_ESTABLISHED, 1000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, SI, 1, CI);
	seqs(&e, SI + 1, SI + 1, CI + 1);
	out[n++] = e;

	e = cl(1000, 102, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_FIN_WAIT1, 960000);
	isns(&e, 1, CI, 1, SI);
	seqs(&e, CI + 101, CI + 101, SI + 501);
	out[n++] = e;

	e = sv(1030, 203, TCPTRAIL_EV_STATE, TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE_WAIT, 969000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, SI, 1, CI);
	seqs(&e, SI + 501, SI + 501, CI + 102);
	out[n++] = e;

	e = cl(1040, 103, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT1, TCPTRAIL_FIN_WAIT2, 40000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, CI, 1, SI);
	seqs(&e, CI + 102, CI + 102, SI + 501);
	out[n++] = e;

	e = sv(1100, 204, TCPTRAIL_EV_STATE, TCPTRAIL_CLOSE_WAIT, TCPTRAIL_LAST_ACK, 70000);
	isns(&e, 1, SI, 1, CI);
	seqs(&e, SI + 501, SI + 501, CI + 102);
	out[n++] = e;

	e = cl(1120, 104, TCPTRAIL_EV_TW_ENTER, TCPTRAIL_FIN_WAIT2, TCPTRAIL_TIME_WAIT, 0);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	e.substate = TCPTRAIL_TIME_WAIT;
	e.timeout_ns = 60000000000ull;
	isns(&e, 1, CI, 1, SI);
	seqs(&e, CI + 102, CI + 102, SI + 502);
	sysctls(&e, 1000);
	out[n++] = e;

	e = cl(1121, 105, TCPTRAIL_EV_STATE, TCPTRAIL_FIN_WAIT2, TCPTRAIL_CLOSE, 81000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, CI, 1, SI);
	seqs(&e, CI + 102, CI + 102, SI + 502);
	out[n++] = e;

	e = sv(1140, 205, TCPTRAIL_EV_STATE, TCPTRAIL_LAST_ACK, TCPTRAIL_CLOSE, 40000);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, SI, 1, CI);
	seqs(&e, SI + 502, SI + 502, CI + 102);
	out[n++] = e;

	e = cl(60001120, 106, TCPTRAIL_EV_TW_EXIT, TCPTRAIL_TIME_WAIT, TCPTRAIL_CLOSE, 60000000000ull);
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	e.substate = TCPTRAIL_TIME_WAIT;
	e.cause = TCPTRAIL_CAUSE_EXPIRED;
	isns(&e, 1, CI, 1, SI);
	seqs(&e, CI + 102, CI + 102, SI + 502);
	sysctls(&e, 1000);
	out[n++] = e;
	return n;
}

/* Synthetic: no run here has IPv6 peers, a LOST record or these comm bytes. */
int fx_v6(struct tcptrail_event *out)
{
	/* Quote, backslash, comma, tab, UTF-8 e-acute, a stray 0xff. */
	static const char odd_comm[] = "a\"b\\c,d\t\xc3\xa9\xff";
	static const char *const la = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", *const ra = "2001:db8::2";
	struct tcptrail_event e;
	int n = 0;

	e = base(0, 1, 10, 77, TCPTRAIL_EV_STATE, AF_INET6, la, 65535, ra, 443);
	e.old_state = TCPTRAIL_CLOSE;
	e.new_state = TCPTRAIL_SYN_SENT;
	owner(&e, 4242, odd_comm);
	isns(&e, 1, 123456789, 0, 0);
	seqs(&e, 123456789, 123456790, 0);
	out[n++] = e;

	memset(&e, 0, sizeof(e));
	e.kind = TCPTRAIL_EV_LOST;
	e.count = 7;
	e.cause = TCPTRAIL_CAUSE_OVERWRITTEN;
	out[n++] = e;

	e = base(1500, 1, 11, 77, TCPTRAIL_EV_STATE, AF_INET6, la, 65535, ra, 443);
	e.old_state = TCPTRAIL_SYN_SENT;
	e.new_state = TCPTRAIL_ESTABLISHED;
	e.dur_ns = 1500000;
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	owner(&e, 4242, odd_comm);
	isns(&e, 1, 123456789, 1, 987654321);
	seqs(&e, 123456790, 123456790, 987654322);
	e.snd_wnd = 64800;
	e.rcv_wnd = 65535;
	e.mss = 1428;
	e.srtt_us = 1500;
	out[n++] = e;

	e = base(2001500, 1, 12, 77, TCPTRAIL_EV_RST_RECV, AF_INET6, la, 65535, ra, 443);
	e.old_state = TCPTRAIL_ESTABLISHED;
	e.new_state = TCPTRAIL_ESTABLISHED;
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	owner(&e, 4242, odd_comm);
	isns(&e, 1, 123456789, 1, 987654321);
	seqs(&e, 123456890, 123456890, 987655322);
	sysctls(&e, -1);
	out[n++] = e;

	e = base(2001501, 1, 13, 77, TCPTRAIL_EV_STATE, AF_INET6, la, 65535, ra, 443);
	e.old_state = TCPTRAIL_ESTABLISHED;
	e.new_state = TCPTRAIL_CLOSE;
	e.dur_ns = 2000000001;
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	owner(&e, 4242, odd_comm);
	isns(&e, 1, 123456789, 1, 987654321);
	seqs(&e, 123456890, 123456890, 987655322);
	out[n++] = e;

	/* A v4 client of a v6 listener: v4-mapped addresses, no owner known, a syncookie. */
	e = base(3000000, 0, 50, 88, TCPTRAIL_EV_SYN_RECV, AF_INET6, "::ffff:192.0.2.1", 22,
		 "::ffff:198.51.100.7", 60000);
	e.old_state = TCPTRAIL_LISTEN;
	e.new_state = TCPTRAIL_NEW_SYN_RECV;
	e.flags |= TCPTRAIL_F_SOFTIRQ | TCPTRAIL_F_SYNCOOKIE;
	isns(&e, 1, 555, 1, 666);
	sysctls(&e, -1);
	out[n++] = e;

	e = base(4000000, 0, 51, 88, TCPTRAIL_EV_SYNACK_RETRANS, AF_INET6, "::ffff:192.0.2.1", 22,
		 "::ffff:198.51.100.7", 60000);
	e.old_state = TCPTRAIL_NEW_SYN_RECV;
	e.new_state = TCPTRAIL_NEW_SYN_RECV;
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	isns(&e, 1, 555, 1, 666);
	sysctls(&e, -1);
	out[n++] = e;

	e = base(9000000, 0, 52, 88, TCPTRAIL_EV_REQ_DROP, AF_INET6, "::ffff:192.0.2.1", 22,
		 "::ffff:198.51.100.7", 60000);
	e.old_state = TCPTRAIL_NEW_SYN_RECV;
	e.new_state = TCPTRAIL_CLOSE;
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	sysctls(&e, -1);
	out[n++] = e;

	/* Closed in FIN_WAIT2: timewait sock with substate FIN_WAIT2, then TIME_WAIT, reused. */
	e = base(10000000, 1, 14, 99, TCPTRAIL_EV_TW_ENTER, AF_INET6, "fe80::1", 80, "fe80::2", 5555);
	e.old_state = TCPTRAIL_FIN_WAIT2;
	e.new_state = TCPTRAIL_FIN_WAIT2;
	e.substate = TCPTRAIL_FIN_WAIT2;
	e.timeout_ns = 60000000000ull;
	owner(&e, 80, "nginx");
	sysctls(&e, 1000);
	out[n++] = e;

	e = base(10500000, 1, 15, 99, TCPTRAIL_EV_TW_SUBSTATE, AF_INET6, "fe80::1", 80, "fe80::2", 5555);
	e.old_state = TCPTRAIL_FIN_WAIT2;
	e.new_state = TCPTRAIL_TIME_WAIT;
	e.flags |= TCPTRAIL_F_SOFTIRQ;
	e.substate = TCPTRAIL_TIME_WAIT;
	e.timeout_ns = 60000000000ull;
	sysctls(&e, 1000);
	out[n++] = e;

	e = base(11000000, 1, 16, 99, TCPTRAIL_EV_TW_EXIT, AF_INET6, "fe80::1", 80, "fe80::2", 5555);
	e.old_state = TCPTRAIL_TIME_WAIT;
	e.new_state = TCPTRAIL_CLOSE;
	e.substate = TCPTRAIL_TIME_WAIT;
	e.cause = TCPTRAIL_CAUSE_REUSED;
	e.dur_ns = 1000000000;
	sysctls(&e, 1000);
	out[n++] = e;

	e = base(12000000, 0, 53, 100, TCPTRAIL_EV_TW_SKIP, AF_INET6, "fe80::1", 81, "fe80::3", 6666);
	e.old_state = TCPTRAIL_FIN_WAIT2;
	e.new_state = TCPTRAIL_CLOSE;
	e.substate = TCPTRAIL_TIME_WAIT;
	e.flags |= TCPTRAIL_F_SOFTIRQ | TCPTRAIL_F_TABLE_FULL;
	sysctls(&e, 1000);
	out[n++] = e;

	e = base(12000001, 0, 54, 100, TCPTRAIL_EV_RST_SENT, AF_INET6, "fe80::1", 81, "fe80::3", 6666);
	e.old_state = TCPTRAIL_LAST_ACK;
	e.new_state = TCPTRAIL_LAST_ACK;
	sysctls(&e, 1000);
	out[n++] = e;
	return n;
}

/* One buffer per name: a path stays valid however many others are asked for. */
const char *fx_capture_path(const char *name)
{
	static char path[8][4200];
	int i;

	for (i = 0; i < 8 && path[i][0]; i++)
		if (!strcmp(strrchr(path[i], '/') + 1, name))
			return path[i];
	i %= 8;	/* more names than the tests use: reuse the first */
	snprintf(path[i], sizeof(path[i]), "%s/%s", TR_CAPTURES, name);
	return path[i];
}

int fx_capture(const char *name, struct tcptrail_event *out, int max)
{
	FILE *f = fopen(fx_capture_path(name), "rb");
	unsigned char rec[TR_REC];
	int n = 0;

	if (!f)
		return -1;
	/* The header first, then whole records: decoded as the reader does. */
	if (fread(rec, 1, sizeof(rec), f) != sizeof(rec)) {
		fclose(f);
		return -1;
	}
	while (fread(rec, 1, sizeof(rec), f) == sizeof(rec)) {
		const char *why;

		if (n == max || tr_decode_event(rec, sizeof(rec), &out[n], &why) != TR_EV_OK) {
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	return n;
}

void fx_header(struct tcptrail_header *h, uint32_t magic, uint16_t major, uint16_t minor,
	       uint32_t size)
{
	memset(h, 0, sizeof(*h));
	h->magic = magic;
	h->major = major;
	h->minor = minor;
	h->record_size = size;
	h->nr_cpus = 2;
}

int fx_write_dump(const char *path, const struct tcptrail_header *h,
		  const struct tcptrail_event *evs, int n)
{
	struct tcptrail_header def;
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	if (!h) {
		fx_header(&def, TCPTRAIL_MAGIC, TCPTRAIL_ABI_MAJOR, TCPTRAIL_ABI_MINOR,
			  TCPTRAIL_RECORD_SIZE);
		h = &def;
	}
	ok = fwrite(h, sizeof(*h), 1, f) == 1;
	if (n)
		ok = ok && fwrite(evs, sizeof(*evs), (size_t)n, f) == (size_t)n;
	return fclose(f) == 0 && ok ? 0 : -1;
}
