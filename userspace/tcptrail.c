// SPDX-License-Identifier: GPL-2.0
/* tcptrail.c - the tcptrail command: trace TCP state changes, follow a command's connections, show stats. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "filter.h"
#include "follow.h"
#include "format.h"
#include "hist.h"
#include "options.h"
#include "pidcache.h"
#include "plot.h"
#include "prom.h"
#include "record.h"
#include "summary.h"
#include "timewait.h"

#define TCPTRAIL_VERSION "0.1"
#define PROC_DIR "/proc/net/tcptrail"
#define NREC 256		/* records per read() */
/*
 * After the ring has been drained, wait this long before polling again, so
 * that a busy stream is read in batches (one wake-up, read and write per
 * batch, not per event) instead of waking for every event. 20 ms is well
 * under what a person notices, and a 4096-slot ring per CPU would need
 * 200 000 events/s on one CPU to wrap in it.
 */
#define BATCH_NS 20000000ll

/* stdio buffers for the output and the capture (glibc ignores a size without one). */
static char out_buf[1 << 16], cap_buf[1 << 16];
#define DRAIN_BUDGET 64		/* reads before looking at signals and timers again */
#define GONE_RECHECK_NS 100000000ll

static const char usage_text[] =
	"Usage: tcptrail [OPTIONS]\n"
	"       tcptrail run [OPTIONS] [--] CMD [ARGS...]\n"
	"       tcptrail hist [--by port|comm] [FILTERS] [-f FILE] [-d SEC]\n"
	"                     [-o prometheus]\n"
	"       tcptrail timewait [FILTERS] [-f FILE] [-d SEC] [-o csv|json] [-H]\n"
	"       tcptrail stats [-o json|prometheus]\n"
	"       tcptrail plot [FILTERS] [-f FILE] [-d SEC] [--ladder] [--conn C]\n"
	"                     [-o svg|png]\n"
	"\n"
	"Trace TCP state transitions recorded by the tcptrail kernel module.\n"
	"\n"
	"  (no command)  print every state change as it happens, oldest buffered first\n"
	"  run           start CMD, print the changes of its connections (and of their\n"
	"                local peers), then a timeline and ladder per connection;\n"
	"                exits with CMD's status\n"
	"  hist          log2 histograms (us) of connect latency, the server's handshake,\n"
	"                time in each closing state and connection lifetime, printed\n"
	"                at Ctrl-C, -d or the end of -f; --by port|comm: one set each;\n"
	"                -o prometheus: as Prometheus histograms (seconds), with the\n"
	"                close causes counted, for node_exporter's textfile collector\n"
	"  timewait      one row per connection, printed at the same moments: who\n"
	"                closed first, its timewait sock's substate, what ended it\n"
	"                (expired, reused, rst, ...; skipped: tcp_max_tw_buckets; open:\n"
	"                not ended yet; none: no timewait sock), seconds in it, timer\n"
	"                and the netns sysctls it had\n"
	"  stats         print the module's counters (-o json: one JSON object;\n"
	"                -o prometheus: Prometheus text format)\n"
	"  plot          draw the connections read (at Ctrl-C, -d or the end of -f) as\n"
	"                standalone SVG on standard output: one row per connection,\n"
	"                coloured by state, retransmits and RSTs marked; --ladder: the\n"
	"                ladder of one connection to scale instead (--conn C: the one\n"
	"                with cookie C); -o png: rendered by rsvg-convert\n"
	"\n"
	"Output:\n"
	"  -o, --output FORMAT   text (default), json (JSON Lines) or csv\n"
	"  -O, --out-file FILE   write the output to FILE, not stdout (run: CMD keeps\n"
	"                        stdout for its own)\n"
	"  -W, --wide            text: IPv6-wide address columns, ISN, SND_NXT, RCV_NXT,\n"
	"                        peer ISN and the sysctl snapshot\n"
	"  -r, --relative        seq/ack relative to the ISNs (text: implies -W;\n"
	"                        JSON/CSV: adds rel_seq and rel_ack)\n"
	"      --time FMT        text time: abs (HH:MM:SS.mmm, default), date (the\n"
	"                        same, dated), epoch (s since 1970), rel (s since the\n"
	"                        first event)\n"
	"  -H, --no-header       no column header (text, CSV)\n"
	"  -t, --timeline        at the end, print each connection's timeline and ladder\n"
	"      --by port|comm    hist: a set of histograms per service port or command\n"
	"      --ladder          plot: the ladder of one connection, not the timeline\n"
	"      --conn C          plot: the ladder of the connection with cookie C (as\n"
	"                        --cookie takes it); both ends when both were seen\n"
	"\n"
	"When to stop:\n"
	"  -d, --duration SEC    stop after SEC seconds\n"
	"  -c, --count N         stop after N events shown\n"
	"  -N, --now             skip the events already buffered: only new ones\n"
	"\n"
	"Filters (repeat one to add values: OR within an option, AND across options):\n"
	"  -p, --port P[,P...]   either port is one of these (up to 8)\n"
	"      --lport P[,P...]  local port is one of these\n"
	"      --rport P[,P...]  remote port is one of these\n"
	"  -a, --addr A[/LEN]    either address is in this IPv4 or IPv6 prefix\n"
	"      --laddr A[/LEN]   local address is in the prefix\n"
	"      --raddr A[/LEN]   remote address is in the prefix\n"
	"  -s, --state S[,S...]  old or new state is one of these: the kernel's names\n"
	"                        (ESTABLISHED) or ss's (time-wait, fin-wait-1)\n"
	"  -4, --ipv4            IPv4 sockets only\n"
	"  -6, --ipv6            IPv6 sockets only (v4-mapped peers included)\n"
	"  -P, --pid PID         owner process is PID\n"
	"      --comm COMM       owner process is named COMM\n"
	"  -n, --netns NS        network namespace: inode, name (ip netns) or path\n"
	"      --cookie C        socket cookie: decimal, 0xHEX or ss -e's sk:HEX\n"
	"\n"
	"Input and capture:\n"
	"  -f, --file PATH       read a capture (header, records) instead of the kernel\n"
	"  -w, --raw-out PATH    save the raw records to PATH, for --file; alone it\n"
	"                        prints nothing (as tcpdump -w), with -o it prints too\n"
	"      --plot FILE       run: also draw its connections' timeline to FILE (SVG;\n"
	"                        PNG if FILE ends in .png)\n"
	"      --wait SEC        run: after CMD exits, follow its connections SEC seconds\n"
	"                        more (default 5; 0: stop at once; -1: until all gone)\n"
	"  -h, --help            this text\n"
	"  -V, --version         version and ABI\n"
	"\n"
	"Port, address and state filters are written to " PROC_DIR "/control,\n"
	"so the kernel records only what matches. They are per network namespace and\n"
	"shared by every reader in it; on exit tcptrail puts back what it changed.\n"
	"Reading the kernel's records needs root or CAP_NET_ADMIN.\n"
	"\n"
	"EXAMPLES:\n"
	"    tcptrail                        # all TCP state changes, oldest first\n"
	"    tcptrail -N -p 80 -p 443        # only new ones, on port 80 or 443\n"
	"    tcptrail -s time-wait -o json   # in or out of TIME_WAIT, as JSON Lines\n"
	"    tcptrail -a 10.0.0.0/8 -a 192.168.0.0/16 -t -d 30\n"
	"                                    # 30 s of two prefixes, then timelines\n"
	"    tcptrail -r --comm nginx        # nginx's connections, seq/ack relative\n"
	"    tcptrail -c 10 -4 -n blue       # 10 IPv4 events in netns 'blue'\n"
	"    tcptrail run -- curl -s http://example.com/\n"
	"                                    # curl's connections, then ladders\n"
	"    tcptrail run --wait -1 -- ./client # ... and wait out TIME_WAIT\n"
	"    tcptrail run -O trail.txt -- curl -s http://example.com/ >page.html\n"
	"                                    # the page and the trail, each to its file\n"
	"    tcptrail -w cap.bin -d 60       # save a minute of records\n"
	"    tcptrail -f cap.bin -t --time=date # replay them, dated, with timelines\n"
	"    tcptrail hist --by port -d 60   # a minute of latencies, per service port\n"
	"    tcptrail timewait -f cap.bin -o csv # per connection: how its TIME_WAIT went\n"
	"    tcptrail stats -o json          # the module's counters\n"
	"    tcptrail plot -f cap.bin > conns.svg  # a timeline of every connection\n"
	"    tcptrail plot -f cap.bin --conn sk:3 -o png > ladder.png\n"
	"                                    # the ladder of one, as PNG\n"
	"    tcptrail run --plot curl.svg -- curl -s http://example.com/\n"
	"    tcptrail stats -o prometheus > /var/lib/node_exporter/tcptrail.prom\n"
	"    tcptrail hist -o prometheus -d 60 # a minute's histograms, as metrics\n";

static volatile sig_atomic_t sig_got;		/* last SIGINT/SIGTERM */
static volatile sig_atomic_t sig_count;
static volatile sig_atomic_t sig_from_user;	/* kill(), not the terminal */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGCHLD)
		return;		/* only wakes ppoll(); waitpid() finds out what */
	sig_got = sig;
	sig_count++;
	sig_from_user = si->si_code <= 0;
}

struct app {
	struct tr_opts o;
	struct tr_fmt fmt;
	const char *dir;
	char path[PATH_MAX];
	int fd;
	FILE *raw_out;
	struct tr_trail *trail;		/* run or --timeline */
	struct tr_follow follow;
	struct tr_pidcache pids;
	int have_pids;
	uint64_t seen, lost, bad, unknown;
	uint64_t shown;			/* for --count */
	int done;			/* --count reached */
	int quiet;			/* -w alone: save the records, print nothing */
	int got;			/* the last drain() read something */
	struct tr_hists *hists;		/* hist */
	struct tr_twrows *twrows;	/* timewait */
	int have_t0;
	/* Kernel filters we changed, and what control said before. */
	const char *keys[8];
	int nkeys;
	char *saved;
	int control_set;
	pid_t child;
	int child_done, child_status;
	int64_t child_exit_ns;
	int cmd_stdout;			/* -O: the stdout CMD gets (ours goes to the file) */
	int out_broken;
	int out_errno;			/* why stdout failed; EPIPE is quiet */
	int truncated;			/* the capture ended inside a record */
	unsigned char buf[NREC * TR_REC];
	size_t have;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, read between two monotonic samples. */
static int64_t clock_offset(void)
{
	struct timespec real;
	int64_t m1, m2;

	m1 = mono_ns();
	clock_gettime(CLOCK_REALTIME, &real);
	m2 = mono_ns();
	return (int64_t)real.tv_sec * 1000000000 + real.tv_nsec - (m1 + (m2 - m1) / 2);
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
		/* The kernel hands out the header alone; don't block for more. */
		if (done == TR_REC)
			break;
	}
	return (ssize_t)done;
}

/* Installed for the running kernel (make install, DKMS, a package): modprobe finds it. */
static int module_installed(void)
{
	const char *fake = getenv("TCPTRAIL_MODULES_DIR");	/* tests */
	char path[PATH_MAX], line[1024];
	struct utsname u;
	FILE *f;
	int found = 0;

	if (fake)
		snprintf(path, sizeof(path), "%s/modules.dep", fake);
	else if (!uname(&u))
		snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	else
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = 0;
		base = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
		/* tcptrail.ko, or compressed: tcptrail.ko.xz, .zst, .gz */
		found = !strncmp(base, "tcptrail.ko", 11) && (!base[11] || base[11] == '.');
	}
	fclose(f);
	return found;
}

/*
 * Secure Boot, cheaply: the kernel's lockdown mode (Debian's kernels lock
 * down to "integrity" under Secure Boot), else the EFI variable that
 * mokutil --sb-state reads. Then an unsigned module fails to load with
 * "Key was rejected by service". Returns what said so, or NULL.
 */
static const char *secure_boot_on(void)
{
	const char *lockdown = getenv("TCPTRAIL_LOCKDOWN");	/* tests */
	const char *efivar = getenv("TCPTRAIL_SB_EFIVAR");	/* tests */
	unsigned char v[5];
	char line[128];
	FILE *f;
	size_t n;
	int on = 0;

	f = fopen(lockdown ? lockdown : "/sys/kernel/security/lockdown", "re");
	if (f) {
		/* "none [integrity] confidentiality": the bracketed one is in force. */
		on = fgets(line, sizeof(line), f) && strchr(line, '[') && !strstr(line, "[none]");
		fclose(f);
		if (on)
			return "kernel lockdown is on";
	}
	/* 4 bytes of attributes, then the value: 1 when Secure Boot is enabled. */
	f = fopen(efivar ? efivar :
		  "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", "re");
	if (f) {
		n = fread(v, 1, sizeof(v), f);
		on = n == sizeof(v) && v[4] == 1;
		fclose(f);
		if (on)
			return "Secure Boot is enabled";
	}
	return NULL;
}

static void say_open_error(const char *path, int err, int live)
{
	const char *sb;

	if (live && err == ENOENT) {
		fprintf(stderr, "tcptrail: %s not found: is the module loaded? (sudo %s)\n", path,
			module_installed() ? "modprobe tcptrail" : "insmod tcptrail.ko");
		sb = secure_boot_on();
		if (sb)
			fprintf(stderr,
				"tcptrail: %s: only signed modules load (else \"Key was rejected by service\");\n"
				"tcptrail: DKMS signs with its MOK key: mokutil --import /var/lib/dkms/mok.pub, reboot, enroll\n",
				sb);
	} else if (live && (err == EACCES || err == EPERM))
		fprintf(stderr, "tcptrail: %s: %s: reading TCP records needs root or CAP_NET_ADMIN\n",
			path, strerror(err));
	else
		fprintf(stderr, "tcptrail: cannot open %s: %s\n", path, strerror(err));
}

/* Same device and inode, whatever the names: an output must never truncate an open file. */
static int same_file(int fd, const char *path)
{
	struct stat fd_st, path_st;

	return !fstat(fd, &fd_st) && !stat(path, &path_st) && fd_st.st_dev == path_st.st_dev &&
	       fd_st.st_ino == path_st.st_ino;
}

/* @path with its folder resolved: two names of a file not yet created. */
static void canon_path(const char *path, char *out, size_t n)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], res[PATH_MAX];

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + 1, path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(dir, res))
		snprintf(res, sizeof(res), "%s", dir);
	snprintf(out, n, "%s/%s", res, slash ? slash + 1 : path);
}

static int same_path(const char *p, const char *q)
{
	char cp[2 * PATH_MAX], cq[2 * PATH_MAX];
	struct stat ps, qs;
	int pe = !stat(p, &ps), qe = !stat(q, &qs);

	if (pe || qe)
		return pe && qe && ps.st_dev == qs.st_dev && ps.st_ino == qs.st_ino;
	canon_path(p, cp, sizeof(cp));
	canon_path(q, cq, sizeof(cq));
	return !strcmp(cp, cq);
}

/* Open the record stream and check its header. */
static int open_stream(struct app *a)
{
	struct tcptrail_header h;
	unsigned char hb[TR_REC];
	char msg[512];
	int live = !a->o.file;
	int64_t off;
	ssize_t n;

	if (live)
		snprintf(a->path, sizeof(a->path), "%s/raw", a->dir);
	else
		snprintf(a->path, sizeof(a->path), "%s", a->o.file);
	a->fd = open(a->path, O_RDONLY | O_CLOEXEC);
	if (a->fd < 0) {
		say_open_error(a->path, errno, live);
		return -1;
	}
	n = read_full(a->fd, hb, sizeof(hb));
	if (n < 0) {
		say_open_error(a->path, errno, live);
		return -1;
	}
	if (tr_check_header(hb, (size_t)n, live ? "the kernel module" : a->path, &h, msg,
			    sizeof(msg)) != TR_HDR_OK) {
		fprintf(stderr, "tcptrail: %s\n", msg);
		return -1;
	}

	/* Wall clock: a test's fixed offset, else the capture's, else this boot's. */
	if (getenv("TCPTRAIL_TIME_OFFSET_NS")) {
		a->fmt.wall_offset_ns = strtoll(getenv("TCPTRAIL_TIME_OFFSET_NS"), NULL, 10);
	} else if (!live && tr_header_get_wall_offset(&h, &off)) {
		a->fmt.wall_offset_ns = off;
	} else {
		a->fmt.wall_offset_ns = clock_offset();
		/* A copy of raw (cat, dd) has no offset: its times may be another boot's. */
		if (!live && a->o.mode != TR_MODE_HIST && a->o.mode != TR_MODE_TIMEWAIT &&
		    (a->o.format != TR_FMT_TEXT || a->o.time != TR_TIME_REL))
			fprintf(stderr, "tcptrail: warning: %s has no clock offset (not saved by "
					"tcptrail -w): wall-clock times are right only if it was "
					"recorded since this machine last booted; --time=rel needs "
					"none\n", a->path);
	}

	if (a->o.raw_out) {
		struct tcptrail_header out = h;

		if (same_file(a->fd, a->o.raw_out)) {
			fprintf(stderr, "tcptrail: %s is the file being read; not overwriting it\n",
				a->o.raw_out);
			return -1;
		}
		/* Refused before either is opened: opening truncates. */
		if (a->o.out_file && same_path(a->o.raw_out, a->o.out_file)) {
			fprintf(stderr, "tcptrail: %s is the file being saved by -w; not overwriting it\n",
				a->o.out_file);
			return -1;
		}
		a->raw_out = fopen(a->o.raw_out, "wbe");
		if (!a->raw_out) {
			fprintf(stderr, "tcptrail: cannot create %s: %s\n", a->o.raw_out, strerror(errno));
			return -1;
		}
		setvbuf(a->raw_out, cap_buf, _IOFBF, sizeof(cap_buf));
		tr_header_set_wall_offset(&out, a->fmt.wall_offset_ns);
		fwrite(&out, sizeof(out), 1, a->raw_out);
	}
	if (a->o.now && lseek(a->fd, 0, SEEK_END) < 0) {
		fprintf(stderr, "tcptrail: cannot skip to new events in %s: %s\n", a->path,
			strerror(errno));
		return -1;
	}
	if (live && fcntl(a->fd, F_SETFL, fcntl(a->fd, F_GETFL) | O_NONBLOCK) < 0) {
		fprintf(stderr, "tcptrail: %s: %s\n", a->path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * -O: stdout becomes the file, so every printf of the output goes there;
 * CMD (run) gets the original stdout back in start_child.
 */
static int open_output(struct app *a)
{
	const char *path = a->o.out_file;
	int fd;

	if (!path)
		return 0;
	if (same_file(a->fd, path)) {
		fprintf(stderr, "tcptrail: %s is the file being read; not overwriting it\n", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "tcptrail: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	a->cmd_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (a->cmd_stdout < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		fprintf(stderr, "tcptrail: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int write_control(struct app *a, const char *cmds, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/control", a->dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		say_open_error(path, errno, 1);
		return -1;
	}
	n = write(fd, cmds, len);	/* one write: the kernel applies it all or nothing */
	err = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && err == EINVAL)
		fprintf(stderr, "tcptrail: the kernel rejected the filter:\n%s", cmds);
	else if (n < 0 && (err == EPERM || err == EACCES))
		fprintf(stderr, "tcptrail: %s: %s: filters need root or CAP_NET_ADMIN\n", path,
			strerror(err));
	else
		fprintf(stderr, "tcptrail: writing %s: %s\n", path, n < 0 ? strerror(err) : "short write");
	return -1;
}

/* Push the port/address/state filters, remembering what they replace. */
static int control_set(struct app *a)
{
	char path[PATH_MAX], cmds[1024];
	size_t cap = 4096, len = 0;
	int fd, n;

	a->nkeys = tr_filter_kernel_keys(&a->o.filter, a->keys);
	if (!a->nkeys || a->o.file)
		return 0;
	snprintf(path, sizeof(path), "%s/control", a->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say_open_error(path, errno, 1);
		return -1;
	}
	a->saved = malloc(cap);
	for (;;) {
		ssize_t r;

		if (!a->saved) {
			close(fd);
			fprintf(stderr, "tcptrail: out of memory\n");
			return -1;
		}
		r = read(fd, a->saved + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len + 1 == cap)
			a->saved = realloc(a->saved, cap *= 2);
	}
	close(fd);
	a->saved[len] = '\0';
	n = tr_filter_kernel_cmds(&a->o.filter, cmds, sizeof(cmds));
	if (n < 0 || write_control(a, cmds, (size_t)n))
		return -1;
	a->control_set = 1;
	return 0;
}

static void control_restore(struct app *a)
{
	char cmds[4096];
	int n;

	if (!a->control_set)
		return;
	a->control_set = 0;
	n = tr_filter_restore_cmds(a->keys, a->nkeys, a->saved, cmds, sizeof(cmds));
	if (n > 0)
		write_control(a, cmds, (size_t)n);
}

static void emit(void *arg, const struct tcptrail_event *ev, const struct tr_conn *c)
{
	struct app *a = arg;

	if (ev->kind == TCPTRAIL_EV_LOST && (a->fmt.format == TR_FMT_TEXT || a->quiet)) {
		fflush(stdout);
		tr_fmt_print_lost(stderr, ev);
		return;
	}
	if (!a->quiet)
		tr_fmt_print_event(stdout, &a->fmt, ev, c ? &c->isns : NULL);
	if (ev->kind != TCPTRAIL_EV_LOST && a->o.count && ++a->shown >= a->o.count)
		a->done = 1;
}

static void handle_record(struct app *a, const unsigned char *rec)
{
	struct tcptrail_event ev;
	const char *why;

	switch (tr_decode_event(rec, TR_REC, &ev, &why)) {
	case TR_EV_HEADER:
		return;
	case TR_EV_UNKNOWN:
		if (!a->unknown++)
			fprintf(stderr, "tcptrail: skipping events of kind %u, newer than this "
					"tcptrail (ABI %d.%d)\n", ev.kind, TCPTRAIL_ABI_MAJOR,
				TCPTRAIL_ABI_MINOR);
		return;
	case TR_EV_BAD:
		if (a->bad++ < 3)
			fprintf(stderr, "tcptrail: skipping a malformed record (cpu %u, pos %" PRIu64
					"): %s\n", ev.cpu, (uint64_t)ev.seq, why);
		return;
	case TR_EV_OK:
		break;
	}
	if (ev.kind == TCPTRAIL_EV_LOST) {
		a->lost += ev.count;
	} else {
		a->seen++;
		if (!a->have_t0) {
			/* --time=rel counts from the first event read, shown or not. */
			a->fmt.t0_ns = ev.ts_ns;
			a->have_t0 = 1;
		}
	}
	/* The kernel's filters again: events buffered before we set them, and --file. */
	if (!tr_filter_match(&a->o.filter, &ev, 1))
		return;
	if (a->o.mode == TR_MODE_RUN) {
		tr_follow_event(&a->follow, &ev, (uint64_t)mono_ns(), emit, a);
		return;
	}
	if (a->hists || a->twrows) {
		if (ev.kind == TCPTRAIL_EV_LOST)
			emit(a, &ev, NULL);	/* said on stderr: the histograms or rows miss them */
		else if (a->hists)
			tr_hists_add(a->hists, &ev);
		else
			tr_twrows_add(a->twrows, &ev);
		return;
	}
	if (ev.kind == TCPTRAIL_EV_LOST) {
		if (a->trail)
			a->trail->incomplete = 1;
		emit(a, &ev, NULL);
		return;
	}
	emit(a, &ev, a->trail ? tr_trail_add(a->trail, &ev) : NULL);
}

/* Read what is there: 0 drained (EAGAIN), 1 end of stream, 2 more to read, -1 error. */
static int drain(struct app *a)
{
	for (int i = 0; i < DRAIN_BUDGET; i++) {
		ssize_t n = read(a->fd, a->buf + a->have, sizeof(a->buf) - a->have);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			say_open_error(a->path, errno, !a->o.file);
			return -1;
		}
		if (n == 0) {
			if (a->have) {
				if (a->raw_out)
					fwrite(a->buf, 1, a->have, a->raw_out);
				fprintf(stderr, "tcptrail: %s ends inside a record (%zu bytes left over)\n",
					a->path, a->have);
				a->truncated = 1;
			}
			return 1;
		}
		a->have += (size_t)n;
		a->got = 1;
		/* Record by record, so that -w holds what --count let through and no more. */
		for (; a->have - off >= TR_REC && !a->done; off += TR_REC) {
			if (a->raw_out)
				fwrite(a->buf + off, 1, TR_REC, a->raw_out);
			handle_record(a, a->buf + off);
		}
		memmove(a->buf, a->buf + off, a->have - off);
		a->have -= off;
		if (a->done)
			return 1;
		if (ferror(stdout)) {
			a->out_broken = 1;
			if (!a->out_errno)
				a->out_errno = errno;
			return 0;
		}
	}
	return 2;
}

static int start_child(struct app *a, const sigset_t *orig_mask)
{
	fflush(stdout);
	fflush(stderr);
	/* Orphaned grandchildren come to us, so their ppid chain still leads here. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	a->child = fork();
	if (a->child < 0) {
		fprintf(stderr, "tcptrail: fork: %s\n", strerror(errno));
		return -1;
	}
	if (a->child == 0) {
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, orig_mask, NULL);
		if (a->cmd_stdout >= 0 && dup2(a->cmd_stdout, STDOUT_FILENO) < 0)
			_exit(126);
		execvp(a->o.cmd[0], a->o.cmd);
		fprintf(stderr, "tcptrail: cannot run %s: %s\n", a->o.cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	tr_pidcache_init(&a->pids, a->child, getpid(), "/proc");
	a->have_pids = 1;
	return 0;
}

static int pid_is_ours(void *arg, uint32_t pid)
{
	return tr_pidcache_ours(arg, pid);
}

/* Reap the command, and orphans we adopted as subreaper (only after draining: see start_child). */
static void reap(struct app *a)
{
	pid_t p;
	int status;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		if (p != a->child || a->child_done)
			continue;
		a->child_done = 1;
		a->child_exit_ns = mono_ns();
		if (WIFEXITED(status))
			a->child_status = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			a->child_status = 128 + WTERMSIG(status);
	}
}

/* A counter's value goes to JSON as a number when it is one. */
static int is_integer(const char *s)
{
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 19;
}

static int do_stats(const char *dir, int json, int prom)
{
	char path[PATH_MAX], line[512];
	char keys[256][64], vals[256][128];
	int n = 0, kw = 0, vw = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stats", dir);
	f = fopen(path, "re");
	if (!f) {
		say_open_error(path, errno, 1);
		return 1;
	}
	while (n < 256 && fgets(line, sizeof(line), f)) {
		char *sp;

		line[strcspn(line, "\n")] = '\0';
		sp = strchr(line, ' ');
		snprintf(vals[n], sizeof(vals[n]), "%.127s", sp ? sp + 1 : "");
		if (sp)
			*sp = '\0';
		snprintf(keys[n], sizeof(keys[n]), "%.63s", line);
		if ((int)strlen(keys[n]) > kw)
			kw = (int)strlen(keys[n]);
		if ((int)strlen(vals[n]) > vw)
			vw = (int)strlen(vals[n]);
		n++;
	}
	fclose(f);
	if (prom) {
		tr_prom_stats(stdout, (const char (*)[64])keys, (const char (*)[128])vals, n);
	} else if (json) {
		/* One object, keys as the module names them (events.state, ...). */
		for (int i = 0; i < n; i++) {
			fputs(i ? "," : "{", stdout);
			tr_fmt_json_string(stdout, keys[i]);
			putchar(':');
			if (is_integer(vals[i]))
				fputs(vals[i], stdout);
			else
				tr_fmt_json_string(stdout, vals[i]);
		}
		puts(n ? "}" : "{}");
	} else {
		for (int i = 0; i < n; i++)
			printf("%-*s  %*s\n", kw, keys[i], vw, vals[i]);
	}
	if (fflush(stdout) && errno != EPIPE) {
		fprintf(stderr, "tcptrail: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* The picture plot asks for: the timeline, or the ladder of the chosen connection. */
static int draw(struct app *a, FILE *f, uint64_t end)
{
	struct tr_conn *c;

	if (!a->o.ladder) {
		tr_plot_timeline(f, a->trail, &a->fmt, end);
		return 0;
	}
	c = tr_plot_pick(a->trail, a->o.have_conn, a->o.conn);
	if (!c) {
		if (a->o.have_conn)
			fprintf(stderr, "tcptrail: no connection with cookie %" PRIu64 " (ss sk:%" PRIx64
					") was seen\n", a->o.conn, a->o.conn);
		else
			fprintf(stderr, "tcptrail: no connection was seen: no ladder to draw\n");
		return -1;
	}
	if (c->role == TR_ROLE_LISTENER) {
		fprintf(stderr, "tcptrail: cookie %" PRIu64 " is a listener: it has no ladder\n",
			c->cookie);
		return -1;
	}
	tr_plot_ladder(f, a->trail, c, &a->fmt);
	return 0;
}

/*
 * SVG to @path (NULL: stdout); PNG through rsvg-convert, which renders the
 * same SVG: one drawing, whatever the format.
 */
static int picture(struct app *a, const char *path, int png, uint64_t end)
{
	int fd = STDOUT_FILENO, p[2], status, r;
	pid_t pid;
	FILE *f;

	fflush(stdout);
	if (path) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "tcptrail: cannot create %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	if (!png) {
		f = path ? fdopen(fd, "w") : stdout;
		if (!f) {
			close(fd);
			return -1;
		}
		r = draw(a, f, end);
		if ((path ? fclose(f) : fflush(f)) && errno != EPIPE) {
			fprintf(stderr, "tcptrail: writing %s: %s\n", path ? path : "output",
				strerror(errno));
			r = -1;
		}
		return r;
	}
	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "tcptrail: pipe: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tcptrail: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		execlp("rsvg-convert", "rsvg-convert", "-f", "png", (char *)NULL);
		fprintf(stderr, "tcptrail: -o png needs rsvg-convert (Debian: apt install "
				"librsvg2-bin): %s\n", strerror(errno));
		_exit(127);
	}
	close(p[0]);
	if (path)
		close(fd);
	f = fdopen(p[1], "w");
	if (!f) {
		close(p[1]);
		return -1;
	}
	r = draw(a, f, end);
	fclose(f);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
			fprintf(stderr, "tcptrail: rsvg-convert failed\n");
		r = -1;
	}
	return r;
}

int main(int argc, char **argv)
{
	static struct app app;
	struct app *a = &app;
	struct sigaction sa;
	sigset_t block, orig;
	char msg[256];
	int64_t deadline = 0, now;
	int ret = 1, more = 0, abandon = 0, picture_failed = 0;

	switch (tr_parse_options(argc, argv, &a->o, msg, sizeof(msg))) {
	case TR_OPTS_HELP:
		fputs(usage_text, stdout);
		return 0;
	case TR_OPTS_VERSION:
		printf("tcptrail %s (ABI %d.%d, %d-byte records)\n", TCPTRAIL_VERSION,
		       TCPTRAIL_ABI_MAJOR, TCPTRAIL_ABI_MINOR, TCPTRAIL_RECORD_SIZE);
		return 0;
	case TR_OPTS_ERROR:
		/* One line that stays on screen, as coreutils do. */
		fprintf(stderr, "tcptrail: %s\nTry 'tcptrail --help' for more information.\n", msg);
		return 2;
	case TR_OPTS_OK:
		break;
	}
	/* Tests point this at a directory of plain files. */
	a->dir = getenv("TCPTRAIL_PROC_DIR") ? getenv("TCPTRAIL_PROC_DIR") : PROC_DIR;
	if (a->o.mode == TR_MODE_STATS)
		return do_stats(a->dir, a->o.format == TR_FMT_JSON, a->o.out == TR_OUT_PROMETHEUS);

	a->fd = -1;
	a->cmd_stdout = -1;
	a->fmt.format = a->o.format;
	a->fmt.relative = a->o.relative;
	a->fmt.wide = a->o.wide;
	a->fmt.no_header = a->o.no_header;
	a->fmt.time = a->o.time;

	/* Signals only arrive inside ppoll(), so the loop never races them. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout must not skip the filter restore */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);

	if (open_stream(a) || open_output(a))
		goto cleanup;
	/* Fewer, larger writes to a file or pipe (the loop flushes each batch). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	if (control_set(a))
		goto cleanup;
	if (a->o.mode == TR_MODE_RUN || a->o.timeline || a->o.mode == TR_MODE_PLOT)
		a->trail = tr_trail_new();
	if (a->o.mode == TR_MODE_PLOT)
		a->quiet = 1;
	/* As tcpdump -w: a capture alone is the cheap path (no formatting). */
	a->quiet = a->quiet || (a->o.raw_out && !a->o.format_set && !a->o.out_file &&
				a->o.mode == TR_MODE_TRACE && !a->o.timeline);
	if (a->o.mode == TR_MODE_HIST) {
		a->hists = tr_hists_new(a->o.hist_by);
		if (!a->hists) {
			fprintf(stderr, "tcptrail: out of memory\n");
			goto cleanup;
		}
		a->quiet = 1;
	}
	if (a->o.mode == TR_MODE_TIMEWAIT) {
		a->twrows = tr_twrows_new();
		if (!a->twrows) {
			fprintf(stderr, "tcptrail: out of memory\n");
			goto cleanup;
		}
		a->quiet = 1;
	}
	if (!a->quiet)
		tr_fmt_print_header(stdout, &a->fmt);
	if (a->o.mode == TR_MODE_RUN) {
		/* raw already points at "now": nothing CMD does can be missed. */
		if (start_child(a, &orig))
			goto cleanup;
		tr_follow_init(&a->follow, a->trail, pid_is_ours, &a->pids);
	}
	if (a->o.duration)
		deadline = mono_ns() + (int64_t)(a->o.duration * 1e9);

	for (;;) {
		struct pollfd pfd = { .fd = a->fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		int64_t timeout = -1;
		int drained = 0;

		if (a->fd >= 0) {
			int r = drain(a);

			drained = r == 0 && a->got;
			a->got = 0;

			if (r < 0)
				goto cleanup;
			more = r == 2;
			if (r == 1) {
				if (a->o.mode != TR_MODE_RUN)
					break;
				close(a->fd);	/* run: the module went away; still wait for CMD */
				a->fd = -1;
			}
		}
		if (a->raw_out)
			fflush(a->raw_out);	/* its errors: at fclose() */
		if (fflush(stdout) || a->out_broken) {
			if (!a->out_errno)
				a->out_errno = errno;
			abandon = 1;
			break;
		}
		if (a->o.mode == TR_MODE_RUN)
			reap(a);
		now = mono_ns();
		if (sig_got) {
			if (a->o.mode != TR_MODE_RUN || a->child_done)
				break;
			if (sig_count > 1) {
				/* Asked twice: stop without CMD. */
				a->child_status = 128 + sig_got;
				abandon = 1;
				break;
			}
			/* The terminal already told CMD; pass on what was sent to us alone. */
			if (sig_from_user)
				kill(a->child, sig_got);
			sig_from_user = 0;
		}
		if (deadline && now >= deadline)
			break;
		if (a->o.mode == TR_MODE_RUN && a->child_done) {
			int64_t until = a->child_exit_ns + (int64_t)(a->o.wait * 1e9);

			if (sig_got || a->o.wait == 0 || tr_trail_all_gone(a->trail, (uint64_t)now) ||
			    (a->o.wait > 0 && now >= until))
				break;
			timeout = GONE_RECHECK_NS;
			if (a->o.wait > 0 && until - now < timeout)
				timeout = until - now;
		}
		if (deadline && (timeout < 0 || deadline - now < timeout))
			timeout = deadline - now;
		if (more)
			timeout = 0;
		if (drained && !a->o.file && !sig_got) {
			/* Signals stay blocked here: they wait for ppoll(). */
			int64_t pause = BATCH_NS;

			if (timeout >= 0 && timeout < pause)
				pause = timeout;
			ts.tv_sec = 0;
			ts.tv_nsec = pause;
			nanosleep(&ts, NULL);
			if (timeout > 0)
				timeout -= pause;
		}
		if (timeout >= 0) {
			ts.tv_sec = timeout / 1000000000;
			ts.tv_nsec = timeout % 1000000000;
			tsp = &ts;
		}
		if (ppoll(&pfd, a->fd >= 0 ? 1 : 0, tsp, &orig) < 0 && errno != EINTR) {
			fprintf(stderr, "tcptrail: poll: %s\n", strerror(errno));
			goto cleanup;
		}
	}

	if (a->o.mode == TR_MODE_RUN && !abandon && a->fd >= 0) {
		/* What CMD did just before it exited may still be unread. */
		while (drain(a) == 2)
			;
	}
	if (a->hists && !abandon) {
		if (a->o.out == TR_OUT_PROMETHEUS)
			tr_prom_hists(stdout, a->hists);
		else
			tr_hists_print(stdout, a->hists);
	}
	if (a->o.mode == TR_MODE_PLOT && !abandon &&
	    picture(a, NULL, a->o.out == TR_OUT_PNG, a->o.file ? a->trail->last_ts :
							    (uint64_t)mono_ns()))
		picture_failed = 1;
	if (a->o.plot && !abandon) {
		size_t n = strlen(a->o.plot);

		if (picture(a, a->o.plot, n > 4 && !strcmp(a->o.plot + n - 4, ".png"),
			    (uint64_t)mono_ns()))
			picture_failed = 1;
	}
	if (a->twrows && !abandon)
		tr_twrows_print(stdout, a->twrows, a->o.format, a->o.no_header);
	if (a->trail && a->fmt.format == TR_FMT_TEXT && !abandon && a->o.mode != TR_MODE_PLOT) {
		uint64_t end = a->o.file ? a->trail->last_ts : (uint64_t)mono_ns();

		printf("\n");
		if (!a->trail->n)
			printf("no TCP connections %s\n",
			       a->o.mode == TR_MODE_RUN ? "of the command were seen" : "seen");
		tr_trail_print(stdout, a->trail, &a->fmt, end);
	}
	if (fflush(stdout) && !a->out_errno)
		a->out_errno = errno;
	ret = a->o.mode == TR_MODE_RUN ? a->child_status : 0;
	/* A closed pipe (| head) is how a reader is stopped; anything else is an error. */
	if (a->out_errno && a->out_errno != EPIPE) {
		fprintf(stderr, "tcptrail: writing %s: %s\n",
			a->o.out_file ? a->o.out_file : "output", strerror(a->out_errno));
		ret = 1;
	}
	if (a->truncated && a->o.mode != TR_MODE_RUN)
		ret = 1;
	if (picture_failed && !ret)
		ret = 1;
	fprintf(stderr, "tcptrail: %" PRIu64 " events seen, %" PRIu64 " lost", a->seen, a->lost);
	if (a->bad)
		fprintf(stderr, ", %" PRIu64 " malformed skipped", a->bad);
	if (a->unknown)
		fprintf(stderr, ", %" PRIu64 " of unknown kinds skipped", a->unknown);
	if (a->o.mode == TR_MODE_RUN)
		fprintf(stderr, ", %zu connection%s followed", a->trail->n, a->trail->n == 1 ? "" : "s");
	fputc('\n', stderr);

cleanup:
	control_restore(a);
	if (a->raw_out && fclose(a->raw_out)) {
		fprintf(stderr, "tcptrail: writing %s: %s\n", a->o.raw_out, strerror(errno));
		ret = 1;
	}
	if (a->fd >= 0)
		close(a->fd);
	if (a->cmd_stdout >= 0)
		close(a->cmd_stdout);
	if (a->have_pids)
		tr_pidcache_free(&a->pids);
	tr_trail_free(a->trail);
	tr_hists_free(a->hists);
	tr_twrows_free(a->twrows);
	free(a->saved);
	return ret;
}
