// SPDX-License-Identifier: GPL-2.0
/* tcpwork.c - TCP workloads whose closing order is chosen, for compare-timewait, the integration tests and make bench. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: tcpwork server PORT eof|first|never|late|rr [--cpu C]\n"
	"       tcpwork client ADDR PORT [-n N] [--bind-port P] [--linger0]\n"
	"                      [--close-now] [--close-last] [--pause SEC]\n"
	"       tcpwork loop ADDR PORT [-t SEC] [--cpu C]\n"
	"\n"
	"TCP workloads whose closing order is chosen (IPv4), to watch TIME_WAIT,\n"
	"orphaned FIN_WAIT2 and tcp_tw_reuse.\n"
	"\n"
	"server PORT MODE     listen on 0.0.0.0:PORT; for each connection MODE is\n"
	"                     eof    read until the client's FIN, then close\n"
	"                     first  close at once (the server closes first)\n"
	"                     never  keep it open, never close (orphans the peer)\n"
	"                     late   close 1 s after the client's FIN (against\n"
	"                            --close-now: the orphaned FIN_WAIT2 turns\n"
	"                            into TIME_WAIT inside its timewait sock)\n"
	"                     rr     answer each request with one byte; close at\n"
	"                            the client's FIN (the server of loop)\n"
	"  --cpu C            pin the process to CPU C (sched_setaffinity)\n"
	"client ADDR PORT     N connections, one after the other: connect, send a\n"
	"                     byte, close first, then wait (up to 5 s) for the\n"
	"                     server's FIN: the client ends in TIME_WAIT\n"
	"  -n, --n N          connections (default 1)\n"
	"  --bind-port P      bind every connection to local port P (SO_REUSEADDR)\n"
	"  --linger0          close with SO_LINGER 0: an RST, no TIME_WAIT\n"
	"  --close-now        close at once without waiting for the server's FIN\n"
	"                     (against a 'never' server: an orphaned FIN_WAIT2)\n"
	"  --close-last       send nothing, wait for the server's FIN, then close\n"
	"                     (against a 'first' server: TIME_WAIT on the server)\n"
	"  --pause SEC        sleep SEC seconds after each connection (default 0)\n"
	"loop ADDR PORT       for SEC seconds, as fast as it can: connect, send a\n"
	"                     1-byte request, read the 1-byte response, close\n"
	"                     first (TIME_WAIT on the client); against an 'rr'\n"
	"                     server. Prints one line at the end:\n"
	"                       connections N seconds S rate R errors E\n"
	"  -t SEC             how long (default 5; 0.1..3600)\n"
	"  --cpu C            pin the process to CPU C (sched_setaffinity)\n"
	"\n"
	"A connect() that fails (EADDRNOTAVAIL: the port is still in TIME_WAIT and\n"
	"tcp_tw_reuse says no) is reported on stderr and the next one is tried; the\n"
	"exit status is then 1. Bad arguments: this text on stderr, exit 2.\n"
	"\n"
	"EXAMPLES\n"
	"  tcpwork server 7001 eof &\n"
	"  tcpwork client 198.18.1.1 7001 -n 50              # 50 TIME_WAITs on the client\n"
	"  tcpwork server 7002 first &\n"
	"  tcpwork client 198.18.1.1 7002 -n 50 --close-last # 50 on the server\n"
	"  tcpwork client 198.18.1.1 7004 -n 3 --bind-port 30000 --pause 2.2\n"
	"  tcpwork server 7006 rr --cpu 0 &\n"
	"  tcpwork loop 127.0.0.1 7006 -t 7 --cpu 0         # connections/s on CPU 0\n";

static void usage_exit(const char *why)
{
	if (why)
		fprintf(stderr, "tcpwork: %s\n", why);
	fputs(usage_text, stderr);
	exit(2);
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "bad %s '%s' (%ld..%ld)", what, s, min, max);
		usage_exit(msg);
	}
	return v;
}

static double parse_seconds(const char *s, double min, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max)) {
		char msg[128];

		snprintf(msg, sizeof(msg), "bad %s '%s' (%g..%g)", what, s, min, max);
		usage_exit(msg);
	}
	return v;
}

/* --cpu C: run on that CPU only; the workload's cost then lands on one CPU. */
static void pin_to(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "tcpwork: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		exit(1);
	}
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Many 'never' connections are held at once: allow as many files as we may. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

enum mode { MODE_EOF, MODE_FIRST, MODE_NEVER, MODE_LATE, MODE_RR };

#define LATE_S 1.0	/* late: seconds from the client's FIN to our close */

static int serve(int port, enum mode mode)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd *fds;
	double *due;		/* late: when fds[i] is closed (0: not at its FIN yet) */
	size_t nfds = 1, cap = 64;
	int lst, one = 1;
	char buf[4096];

	raise_nofile();
	lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lst < 0 || setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lst, (struct sockaddr *)&a, sizeof(a)) || listen(lst, 128)) {
		fprintf(stderr, "tcpwork: listen on port %d: %s\n", port, strerror(errno));
		return 1;
	}
	fds = malloc(cap * sizeof(*fds));
	due = malloc(cap * sizeof(*due));
	if (!fds || !due)
		return 1;
	fds[0] = (struct pollfd){ .fd = lst, .events = POLLIN };
	for (;;) {
		double now = mono_s(), next = 0;

		/* late: close those whose second is up; wake for the next one. */
		for (size_t i = 1; i < nfds; i++) {
			if (!due[i])
				continue;
			if (due[i] <= now) {
				close(fds[i].fd);
				fds[i] = fds[nfds - 1];
				due[i--] = due[--nfds];
			} else if (!next || due[i] < next) {
				next = due[i];
			}
		}
		if (poll(fds, nfds, next ? (int)((next - now) * 1000) + 1 : -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("tcpwork: poll");
			return 1;
		}
		/* eof, rr, late: drain each connection; at its FIN (or an RST) close it. */
		for (size_t i = 1; i < nfds; i++) {
			ssize_t n;

			if (!fds[i].revents || due[i])
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n > 0 && mode == MODE_RR && send(fds[i].fd, "y", 1, MSG_NOSIGNAL) != 1)
				n = 0;	/* the peer is gone: close */
			if (n > 0 || (n < 0 && errno == EINTR))
				continue;
			if (mode == MODE_LATE && n == 0) {
				/* Polled no more: it is closed when its second is up. */
				fds[i].events = 0;
				due[i] = mono_s() + LATE_S;
				continue;
			}
			close(fds[i].fd);
			fds[i] = fds[nfds - 1];
			due[i--] = due[--nfds];
		}
		if (fds[0].revents & POLLIN) {
			int c = accept4(lst, NULL, NULL, SOCK_CLOEXEC);

			if (c < 0)
				continue;
			if (mode == MODE_FIRST) {
				close(c);
			} else if (mode != MODE_NEVER) {
				if (nfds == cap) {
					struct pollfd *more = realloc(fds, 2 * cap * sizeof(*fds));
					double *more_due = more ? realloc(due, 2 * cap * sizeof(*due)) : NULL;

					if (more)
						fds = more;
					if (!more_due) {
						close(c);
						continue;
					}
					due = more_due;
					cap *= 2;
				}
				due[nfds] = 0;
				fds[nfds++] = (struct pollfd){ .fd = c, .events = POLLIN };
			}
			/* never: the descriptor stays open until we are killed. */
		}
	}
}

struct client_opts {
	struct sockaddr_in dst;
	long n;
	int bind_port;
	int linger0, close_now, close_last;
	double pause;
};

/* Read until the peer's FIN, an error, or 5 s. */
static void read_to_eof(int s)
{
	struct timeval tv = { .tv_sec = 5 };
	char buf[4096];

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (read(s, buf, sizeof(buf)) > 0)
		;
}

static int one_connection(const struct client_opts *o, long i)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (s < 0) {
		perror("tcpwork: socket");
		return -1;
	}
	if (o->bind_port) {
		struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(o->bind_port) };

		if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(s, (struct sockaddr *)&b, sizeof(b))) {
			fprintf(stderr, "tcpwork: connection %ld: bind port %d: %s\n",
				i + 1, o->bind_port, strerror(errno));
			close(s);
			return -1;
		}
	}
	if (connect(s, (const struct sockaddr *)&o->dst, sizeof(o->dst))) {
		char addr[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &o->dst.sin_addr, addr, sizeof(addr));
		fprintf(stderr, "tcpwork: connection %ld: connect to %s:%d: %s\n",
			i + 1, addr, ntohs(o->dst.sin_port), strerror(errno));
		close(s);
		return -1;
	}
	if (!o->close_last && send(s, "x", 1, MSG_NOSIGNAL) != 1)
		fprintf(stderr, "tcpwork: connection %ld: send: %s\n", i + 1, strerror(errno));
	if (o->linger0) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	} else if (o->close_last) {
		read_to_eof(s);
	} else if (!o->close_now) {
		shutdown(s, SHUT_WR);
		read_to_eof(s);
	}
	close(s);
	return 0;
}

static void sleep_for(double sec)
{
	struct timespec ts = { .tv_sec = (time_t)sec };

	ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int client(const struct client_opts *o)
{
	int failed = 0;

	for (long i = 0; i < o->n; i++) {
		if (one_connection(o, i))
			failed++;
		if (o->pause > 0)
			sleep_for(o->pause);
	}
	return failed ? 1 : 0;
}

/* loop: connect, 1-byte request, 1-byte response, close; for sec seconds. */
static int loop(const struct sockaddr_in *dst, double sec)
{
	long conns = 0, errors = 0;
	double start = mono_s(), now = start;
	char c;

	while (now - start < sec) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			perror("tcpwork: socket");
			return 1;
		}
		if (connect(s, (const struct sockaddr *)dst, sizeof(*dst)) ||
		    send(s, "x", 1, MSG_NOSIGNAL) != 1 || recv(s, &c, 1, 0) != 1) {
			/* A few are expected (ports in TIME_WAIT); a stream of them is not. */
			if (errors++ < 3)
				fprintf(stderr, "tcpwork: loop: %s\n", strerror(errno));
			if (errors > 1000 && errors > conns) {
				close(s);
				fprintf(stderr, "tcpwork: loop: %ld errors, giving up\n", errors);
				return 1;
			}
		} else {
			conns++;
		}
		close(s);
		now = mono_s();
	}
	printf("connections %ld seconds %.3f rate %.1f errors %ld\n", conns, now - start,
	       (double)conns / (now - start), errors);
	return 0;
}

int main(int argc, char **argv)
{
	struct client_opts o = { .dst = { .sin_family = AF_INET }, .n = 1 };

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if ((argc == 4 || (argc == 6 && !strcmp(argv[4], "--cpu"))) && !strcmp(argv[1], "server")) {
		int port = parse_long(argv[2], 1, 65535, "PORT");

		if (argc == 6)
			pin_to(parse_long(argv[5], 0, CPU_SETSIZE - 1, "--cpu"));
		if (!strcmp(argv[3], "eof"))
			return serve(port, MODE_EOF);
		if (!strcmp(argv[3], "first"))
			return serve(port, MODE_FIRST);
		if (!strcmp(argv[3], "never"))
			return serve(port, MODE_NEVER);
		if (!strcmp(argv[3], "late"))
			return serve(port, MODE_LATE);
		if (!strcmp(argv[3], "rr"))
			return serve(port, MODE_RR);
		usage_exit("MODE is eof, first, never, late or rr");
	}
	if (argc >= 4 && !strcmp(argv[1], "loop")) {
		double sec = 5;
		int cpu = -1;

		if (inet_pton(AF_INET, argv[2], &o.dst.sin_addr) != 1)
			usage_exit("ADDR must be an IPv4 address");
		o.dst.sin_port = htons(parse_long(argv[3], 1, 65535, "PORT"));
		for (int i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "-t") && i + 1 < argc)
				sec = parse_seconds(argv[++i], 0.1, 3600, "-t SEC");
			else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
				cpu = parse_long(argv[++i], 0, CPU_SETSIZE - 1, "--cpu");
			else
				usage_exit("loop takes -t SEC and --cpu C");
		}
		pin_to(cpu);
		return loop(&o.dst, sec);
	}
	if (argc < 4 || strcmp(argv[1], "client"))
		usage_exit(NULL);
	if (inet_pton(AF_INET, argv[2], &o.dst.sin_addr) != 1)
		usage_exit("ADDR must be an IPv4 address");
	o.dst.sin_port = htons(parse_long(argv[3], 1, 65535, "PORT"));
	for (int i = 4; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;

		if ((!strcmp(a, "-n") || !strcmp(a, "--n")) && more) {
			o.n = parse_long(argv[++i], 1, 1000000, "N");
		} else if (!strcmp(a, "--bind-port") && more) {
			o.bind_port = parse_long(argv[++i], 1, 65535, "--bind-port");
		} else if (!strcmp(a, "--linger0")) {
			o.linger0 = 1;
		} else if (!strcmp(a, "--close-now")) {
			o.close_now = 1;
		} else if (!strcmp(a, "--close-last")) {
			o.close_last = 1;
		} else if (!strcmp(a, "--pause") && more) {
			char *end;

			errno = 0;
			o.pause = strtod(argv[++i], &end);
			if (errno || end == argv[i] || *end || !(o.pause >= 0 && o.pause <= 3600))
				usage_exit("bad --pause SEC (0..3600)");
		} else {
			char msg[128];

			snprintf(msg, sizeof(msg), "unknown or incomplete option '%s'", a);
			usage_exit(msg);
		}
	}
	if (o.linger0 + o.close_now + o.close_last > 1)
		usage_exit("--linger0, --close-now and --close-last exclude each other");
	return client(&o);
}
