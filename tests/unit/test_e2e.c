// SPDX-License-Identifier: GPL-2.0
/* test_e2e.c - the tcptrail binary end to end: errors, lost records, kernel filters, run, stats, captures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "tap.h"

const char *fx_path(const char *name);

static const char *const fixed_time[] = { "TCPTRAIL_TIME_OFFSET_NS=" FX_OFFSET, NULL };

static char *path_in(const char *dir, const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%.200s/%.200s", dir, name);
	return buf[i];
}

/* A fake /proc/net/tcptrail: raw is a capture, control and stats are plain files. */
static const char *fake_proc(const char *control, const struct tcptrail_event *evs, int n)
{
	static char dir[256];
	static int k;

	snprintf(dir, sizeof(dir), "%.200s/proc%d", tmpdir_make(), ++k);
	mkdir(dir, 0755);
	fx_write_dump(path_in(dir, "raw"), NULL, evs, n);
	write_file(path_in(dir, "control"), control, strlen(control));
	return dir;
}

static void abi_mismatch(void)
{
	static const struct { uint32_t magic; uint16_t major; uint32_t size; const char *want; } cases[] = {
		{ 0x12345678, 1, 176, "is not a tcptrail stream (magic 0x12345678, expected 0x54435054)" },
		{ TCPTRAIL_MAGIC, 2, 176, "speaks tcptrail ABI 2.0 with 176-byte records, this tcptrail speaks 1.1 with 176-byte records" },
		{ TCPTRAIL_MAGIC, 1, 200, "speaks tcptrail ABI 1.0 with 200-byte records, this tcptrail speaks 1.1 with 176-byte records" },
	};
	struct tcptrail_event evs[FX_MAX];
	struct tcptrail_header h;
	int n = fx_pair(evs);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = path_in(tmpdir_make(), "bad-abi.bin");
		const char *args[] = { "--file", p, NULL };
		struct run_result r;

		fx_header(&h, cases[i].magic, cases[i].major, 0, cases[i].size);
		fx_write_dump(p, &h, evs, n);
		run_tcptrail(args, NULL, &r);
		tap_ok(r.status == 1 && strstr(r.err, cases[i].want) && !r.outlen,
		       "abi: --file with magic 0x%x major %u size %u fails: %s", cases[i].magic,
		       cases[i].major, cases[i].size, r.err);
		run_free(&r);
	}
	{
		/* The same through the /proc path, as the kernel module would be named. */
		const char *dir = fake_proc("", NULL, 0);
		const char *env[] = { NULL, NULL };
		const char *args[] = { NULL };
		char kv[4300];
		struct run_result r;

		fx_header(&h, TCPTRAIL_MAGIC, 3, 1, 176);
		fx_write_dump(path_in(dir, "raw"), &h, NULL, 0);
		snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
		env[0] = kv;
		run_tcptrail(args, env, &r);
		tap_ok(r.status == 1 && strstr(r.err, "ABI mismatch: the kernel module speaks tcptrail ABI 3.1"),
		       "abi: a kernel module of another major is refused");
		run_free(&r);
	}
	{
		const char *p = path_in(tmpdir_make(), "empty.bin");
		const char *args[] = { "--file", p, NULL };
		struct run_result r;

		write_file(p, "", 0);
		run_tcptrail(args, NULL, &r);
		tap_ok(r.status == 1 && strstr(r.err, "before the 176-byte header"),
		       "abi: an empty stream has no header");
		run_free(&r);
	}
}

static void errors(void)
{
	struct run_result r;
	const char *env[] = { "TCPTRAIL_PROC_DIR=/nonexistent/tcptrail", NULL };
	const char *none[] = { NULL };

	run_tcptrail(none, env, &r);
	tap_ok(r.status == 1 && !strcmp(r.err, "tcptrail: /nonexistent/tcptrail/raw not found: is the "
					       "module loaded? (sudo insmod tcptrail.ko)\n"),
	       "error: module not loaded");
	run_free(&r);
	{
		/* Installed for this kernel (make install, DKMS): modprobe it. */
		const char *mods = tmpdir_make();
		const char *dep = "kernel/net/ipv4/tcp_diag.ko:\nupdates/dkms/tcptrail.ko.xz:\n";
		char kv[300];
		const char *ienv[] = { "TCPTRAIL_PROC_DIR=/nonexistent/tcptrail", kv, NULL };

		snprintf(kv, sizeof(kv), "TCPTRAIL_MODULES_DIR=%s", mods);
		write_file(path_in(mods, "modules.dep"), dep, strlen(dep));
		run_tcptrail(none, ienv, &r);
		tap_ok(r.status == 1 && strstr(r.err, "is the module loaded? (sudo modprobe tcptrail)"),
		       "error: module installed but not loaded says modprobe: %s", r.err);
		run_free(&r);
	}
	{
		const char *args[] = { "stats", NULL };

		run_tcptrail(args, env, &r);
		tap_ok(r.status == 1 && strstr(r.err, "not found: is the module loaded?"),
		       "error: stats without the module");
		run_free(&r);
	}
	{
		const char *args[] = { "--file", "/nonexistent.bin", NULL };

		run_tcptrail(args, NULL, &r);
		tap_ok(r.status == 1 && strstr(r.err, "cannot open /nonexistent.bin: No such file"),
		       "error: missing --file");
		run_free(&r);
	}
	{
		/* Permission: raw mode 000, read by an unprivileged user. */
		const char *dir = fake_proc("", NULL, 0);
		char kv[4300];
		const char *penv[] = { kv, NULL };
		static const char *const prefix[] = { "setpriv", "--reuid=65534", "--regid=65534",
						      "--clear-groups", "--inh-caps=-all", NULL };
		int root = geteuid() == 0;

		snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
		chmod(path_in(dir, "raw"), 0);
		if (root && access("/usr/bin/setpriv", X_OK)) {
			tap_ok(1, "error: permission # SKIP no setpriv to drop root");
		} else {
			run_wrapped(root ? prefix : NULL, none, penv, &r);
			tap_ok(r.status == 1 && strstr(r.err, "Permission denied") &&
			       strstr(r.err, "needs root or CAP_NET_ADMIN"),
			       "error: permission denied names root or CAP_NET_ADMIN: %s", r.err);
			run_free(&r);
		}
	}
	{
		const char *args[] = { "--help", NULL };

		run_tcptrail(args, NULL, &r);
		tap_ok(r.status == 0 && strstr(r.out, "EXAMPLES:") && strstr(r.out, "tcptrail run") &&
		       !r.errlen, "help: usage with EXAMPLES on stdout, exit 0");
		run_free(&r);
	}
	{
		const char *args[] = { "--frobnicate", NULL };

		run_tcptrail(args, NULL, &r);
		tap_ok(r.status == 2 && !strcmp(r.err, "tcptrail: unrecognized option '--frobnicate'\n"
						       "Try 'tcptrail --help' for more information.\n") &&
		       !r.outlen,
		       "usage error: one line and where to look, on stderr, exit 2");
		run_free(&r);
	}
}

static void lost(void)
{
	const char *args[] = { "--file", fx_path("v6"), NULL };
	const char *json[] = { "--file", fx_path("v6"), "-o", "json", NULL };
	const char *csv[] = { "--file", fx_path("v6"), "-o", "csv", NULL };
	struct run_result r;

	run_tcptrail(args, fixed_time, &r);
	tap_ok(r.status == 0 && strstr(r.err, "tcptrail: lost 7 events (overwritten)\n") &&
	       !strstr(r.out, "lost"), "lost: text mode says it on stderr, not in the table");
	tap_ok(strstr(r.err, "tcptrail: 12 events seen, 7 lost\n") != NULL,
	       "lost: the closing summary counts events seen and lost");
	run_free(&r);
	run_tcptrail(json, fixed_time, &r);
	tap_ok(strstr(r.out, "\n{\"event\":\"lost\",\"count\":7,\"cause\":\"overwritten\"}\n") &&
	       !strstr(r.err, "lost 7 events ("), "lost: JSON carries the lost record in the stream");
	run_free(&r);
	run_tcptrail(csv, fixed_time, &r);
	tap_ok(strstr(r.out, "\n,,,,lost,,,,,,,,,,,,,,,,,,,,,,,overwritten,,,,,,,7,,\n") != NULL,
	       "lost: CSV has a lost row");
	run_free(&r);
}

static void bad_records(void)
{
	struct tcptrail_event evs[FX_MAX], recs[4];
	const char *p = path_in(tmpdir_make(), "odd.bin");
	const char *args[] = { "--file", p, "-o", "json", NULL };
	struct run_result r;
	FILE *f;

	fx_pair(evs);
	recs[0] = evs[0];
	recs[1] = evs[2];
	recs[1].family = 3;
	recs[2] = evs[2];
	recs[2].kind = 40;
	recs[3] = evs[5];
	fx_write_dump(p, NULL, recs, 4);
	f = fopen(p, "ab");
	fwrite(&evs[6], 100, 1, f);	/* a torn last record */
	fclose(f);
	run_tcptrail(args, fixed_time, &r);
	tap_ok(r.status == 1 && strstr(r.err, "skipping a malformed record (cpu 0, pos 101): address family") &&
	       strstr(r.err, "skipping events of kind 40, newer than this tcptrail") &&
	       strstr(r.err, "ends inside a record (100 bytes left over)") &&
	       strstr(r.err, "2 events seen, 0 lost, 1 malformed skipped, 1 of unknown kinds skipped"),
	       "records: malformed, unknown and torn records are skipped and reported; a torn end exits 1");
	tap_ok(strstr(r.out, "\"pos\":100,") && strstr(r.out, "\"pos\":102,") &&
	       !strstr(r.out, "\"pos\":101,"), "records: the good ones still print");
	run_free(&r);
}

static void kernel_filters(void)
{
	struct tcptrail_event evs[FX_MAX];
	int n = fx_pair(evs);
	const char *dir = fake_proc("port 22\nresume\nnetns own\n", evs, n);
	char kv[4300], *ctl;
	const char *env[] = { kv, "TCPTRAIL_TIME_OFFSET_NS=" FX_OFFSET, NULL };
	struct run_result r;

	snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
	{
		const char *args[] = { "-p", "8080", "-s", "last-ack,TIME_WAIT", "-o", "json", NULL };

		run_tcptrail(args, env, &r);
		ctl = read_file(path_in(dir, "control"), NULL);
		tap_ok(r.status == 0 && ctl &&
		       !strcmp(ctl, "port 22\nresume\nnetns own\n"
				    "port 8080\nstate TIME_WAIT,LAST_ACK\n"
				    "port 22\nstate any\n"),
		       "filters: one write sets them, one write at exit restores what they replaced");
		tap_ok(r.outlen && strstr(r.out, "\"new\":\"LAST_ACK\"") &&
		       !strstr(r.out, "\"new\":\"SYN_SENT\""),
		       "filters: buffered events are filtered here too");
		free(ctl);
		run_free(&r);
	}
	write_file(path_in(dir, "control"), "", 0);
	{
		const char *args[] = { "--port", "70000", NULL };

		run_tcptrail(args, env, &r);
		ctl = read_file(path_in(dir, "control"), NULL);
		tap_ok(r.status == 2 && ctl && !ctl[0] && strstr(r.err, "invalid port list '70000'"),
		       "filters: invalid port: exit 2, nothing written to the kernel");
		free(ctl);
		run_free(&r);
	}
	{
		const char *args[] = { "-p", "80", "--state", "BOGUS", NULL };

		run_tcptrail(args, env, &r);
		ctl = read_file(path_in(dir, "control"), NULL);
		tap_ok(r.status == 2 && ctl && !ctl[0], "filters: invalid state: exit 2, nothing written");
		free(ctl);
		run_free(&r);
	}
	{
		const char *args[] = { "--pid", "999", "-o", "csv", NULL };

		run_tcptrail(args, env, &r);
		ctl = read_file(path_in(dir, "control"), NULL);
		tap_ok(r.status == 0 && ctl && !ctl[0] && strstr(r.out, ",999,server,") &&
		       !strstr(r.out, ",1234,curl,"), "filters: --pid is local: control untouched");
		free(ctl);
		run_free(&r);
	}
	{
		const char *args[] = { "-p", "8080", "--file", fx_path("pair"), NULL };

		run_tcptrail(args, env, &r);
		ctl = read_file(path_in(dir, "control"), NULL);
		tap_ok(r.status == 0 && ctl && !ctl[0], "filters: with --file nothing goes to the kernel");
		free(ctl);
		run_free(&r);
	}
}

static void stats(void)
{
	const char *dir = fake_proc("", NULL, 0);
	char kv[4300];
	const char *env[] = { kv, NULL };
	const char *args[] = { "stats", NULL };
	struct run_result r;

	snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
	write_file(path_in(dir, "stats"), "abi 1.0\nhook_mode tracepoint\nevents.state 12\noverwritten 0\n",
		   59);
	run_tcptrail(args, env, &r);
	tap_ok(r.status == 0 && !strcmp(r.out, "abi                  1.0\n"
					       "hook_mode     tracepoint\n"
					       "events.state          12\n"
					       "overwritten            0\n"),
	       "stats: aligned key/value table");
	run_free(&r);
}

static void run_mode(void)
{
	const char *dir = fake_proc("", NULL, 0);
	char kv[4300];
	const char *env[] = { kv, NULL };
	struct run_result r;

	snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", dir);
	{
		const char *args[] = { "run", "--wait", "0", "--", "sh", "-c", "exit 3", NULL };

		run_tcptrail(args, env, &r);
		tap_ok(r.status == 3 && strstr(r.out, "no TCP connections of the command were seen") &&
		       strstr(r.err, "0 connections followed"), "run: exit status is the command's");
		run_free(&r);
	}
	{
		const char *args[] = { "run", "--wait", "0", "sh", "-c", "kill -TERM $$", NULL };

		run_tcptrail(args, env, &r);
		tap_ok(r.status == 128 + 15, "run: killed by SIGTERM gives 143 (%d)", r.status);
		run_free(&r);
	}
	{
		const char *args[] = { "run", "--", "/nonexistent/cmd", NULL };

		run_tcptrail(args, env, &r);
		tap_ok(r.status == 127 && strstr(r.err, "cannot run /nonexistent/cmd"),
		       "run: a command that can't start gives 127");
		run_free(&r);
	}
	{
		const char *args[] = { "run", "-o", "json", "--", "true", NULL };

		run_tcptrail(args, env, &r);
		tap_ok(r.status == 0 && !r.outlen, "run: JSON output has no summary");
		run_free(&r);
	}
}

static void capture(void)
{
	const char *copy = path_in(tmpdir_make(), "copy.bin");
	const char *args[] = { "--file", fx_path("pair"), "--raw-out", copy, "-o", "text", NULL };
	const char *alone[] = { "--file", fx_path("pair"), "-w", copy, NULL };
	const char *replay[] = { "--file", copy, NULL };
	struct run_result r1, r2, r3;
	struct stat st, in;

	run_tcptrail(args, fixed_time, &r1);
	/* No offset in the environment: the copy's header has the capture's. */
	run_tcptrail(replay, NULL, &r2);
	tap_ok(r1.status == 0 && r2.status == 0 && r1.outlen && r1.outlen == r2.outlen &&
	       !memcmp(r1.out, r2.out, r1.outlen),
	       "capture: --raw-out replays identically, wall clock included");
	/* As tcpdump -w: -w without -o saves every record and prints none. */
	run_tcptrail(alone, fixed_time, &r3);
	tap_ok(r3.status == 0 && r3.outlen == 0 && !stat(fx_path("pair"), &in) &&
	       !stat(copy, &st) && st.st_size == in.st_size && strstr(r3.err, "events seen"),
	       "capture: -w alone prints nothing and saves every record");
	run_free(&r1);
	run_free(&r2);
	run_free(&r3);
}

/* Input and output are one file (a link, another name): refused, input intact. */
static void capture_onto_itself(void)
{
	const char *dir = tmpdir_make();
	const char *cap = path_in(dir, "cap.bin"), *alias = path_in(dir, "alias.bin");
	const char *args[] = { "--file", cap, "--raw-out", alias, NULL };
	const char *replay[] = { "--file", cap, NULL };
	struct run_result r, before;
	struct stat st0, st1;

	/* A copy of a fixture through the reader itself. */
	{
		const char *mk[] = { "--file", fx_path("pair"), "--raw-out", cap, NULL };

		run_tcptrail(mk, fixed_time, &r);
		run_free(&r);
	}
	run_tcptrail(replay, fixed_time, &before);
	stat(cap, &st0);
	link(cap, alias);
	run_tcptrail(args, fixed_time, &r);
	stat(cap, &st1);
	tap_ok(r.status == 1 && strstr(r.err, "is the file being read") &&
	       st0.st_size == st1.st_size && st1.st_size > 0,
	       "capture: -w onto the input file (another name) is refused, input intact: %s", r.err);
	run_free(&r);
	run_tcptrail(replay, fixed_time, &r);
	tap_ok(r.status == 0 && r.outlen == before.outlen && !memcmp(r.out, before.out, r.outlen),
	       "capture: the input still replays as before");
	run_free(&r);
	run_free(&before);
}

/* A capture cut inside a record is an error, after what could be shown. */
static void capture_truncated(void)
{
	const char *cut = path_in(tmpdir_make(), "cut.bin");
	const char *args[] = { "--file", cut, NULL };
	struct run_result r;
	FILE *in = fopen(fx_path("pair"), "rb");
	char buf[1 << 16];
	size_t n = in ? fread(buf, 1, sizeof(buf), in) : 0;

	if (in)
		fclose(in);
	/* Header, one record, and half of the next. */
	write_file(cut, buf, n > 176 * 2 + 88 ? 176 * 2 + 88 : n / 2);
	run_tcptrail(args, fixed_time, &r);
	tap_ok(r.status == 1 && strstr(r.err, "ends inside a record") && r.outlen,
	       "capture: a truncated capture exits 1 after printing what it holds: %d %s",
	       r.status, r.err);
	run_free(&r);
}

/* Output errors: /dev/full is an error (exit 1, message); a closed pipe is not. */
static void output_errors(void)
{
	static const char *const to_full[] = { "sh", "-c", "exec \"$0\" \"$@\" >/dev/full", NULL };
	static const char *const to_head[] = { "sh", "-c",
					       "\"$0\" \"$@\" | head -c 10 >/dev/null; "
					       "exit ${PIPESTATUS:-0}", NULL };
	const char *args[] = { "--file", fx_path("pair"), NULL };
	struct run_result r;

	run_wrapped(to_full, args, fixed_time, &r);
	tap_ok(r.status == 1 && strstr(r.err, "writing output: No space left on device"),
	       "output: a write error exits 1 and says so: %d %s", r.status, r.err);
	run_free(&r);
	run_wrapped(to_head, args, fixed_time, &r);
	tap_ok(!strstr(r.err, "writing output"), "output: a closed pipe stays quiet: %s", r.err);
	run_free(&r);
}

/* -O: the output in a file; run's command keeps stdout; never onto a file in use. */
static void out_file(void)
{
	const char *dir = tmpdir_make();
	const char *f = path_in(dir, "out.txt"), *cap = path_in(dir, "out-cap.bin");
	const char *alias = path_in(dir, "out-alias.bin");
	char cap_alias[600];
	const char *pdir = fake_proc("", NULL, 0);
	char kv[4300];
	const char *env[] = { kv, NULL };
	struct run_result r, plain;

	snprintf(cap_alias, sizeof(cap_alias), "%s/./out-cap.bin", dir);	/* cap, named otherwise */
	char *got;
	size_t len;

	snprintf(kv, sizeof(kv), "TCPTRAIL_PROC_DIR=%s", pdir);
	{
		const char *args[] = { "run", "--wait", "0", "-O", f, "--", "sh", "-c",
				       "echo from-cmd", NULL };

		run_tcptrail(args, env, &r);
		got = read_file(f, NULL);
		tap_ok(r.status == 0 && !strcmp(r.out, "from-cmd\n") && got &&
		       strstr(got, "no TCP connections of the command were seen") &&
		       !strstr(got, "from-cmd"),
		       "out-file: run's command keeps stdout, the output goes to the file");
		free(got);
		run_free(&r);
	}
	{
		const char *args[] = { "--file", fx_path("pair"), "-t", "-O", f, NULL };
		const char *to_stdout[] = { "--file", fx_path("pair"), "-t", NULL };

		run_tcptrail(to_stdout, fixed_time, &plain);
		run_tcptrail(args, fixed_time, &r);
		got = read_file(f, &len);
		tap_ok(r.status == 0 && !r.outlen && got && len == plain.outlen && len &&
		       !memcmp(got, plain.out, len),
		       "out-file: the file holds what stdout would have, stdout nothing");
		free(got);
		run_free(&r);
		run_free(&plain);
	}
	{
		/* -w with -O: the output is asked for, so it is printed. */
		const char *args[] = { "--file", fx_path("pair"), "-w", cap, "-O", f, NULL };
		const char *onto_input[] = { "--file", cap, "-O", alias, NULL };
		const char *onto_capture[] = { "--file", fx_path("pair"), "-w", cap, "-O", cap, NULL };
		const char *onto_new[] = { "--file", fx_path("pair"), "-w", cap, "-O", cap_alias, NULL };
		struct stat st0, st1;

		run_tcptrail(args, fixed_time, &r);
		got = read_file(f, &len);
		tap_ok(r.status == 0 && got && len > 0 && !stat(cap, &st0) && st0.st_size > 0,
		       "out-file: with -w, the records are saved and the output printed");
		free(got);
		run_free(&r);
		link(cap, alias);
		run_tcptrail(onto_input, fixed_time, &r);
		stat(cap, &st1);
		tap_ok(r.status == 1 && strstr(r.err, "is the file being read") &&
		       st1.st_size == st0.st_size,
		       "out-file: onto the input (another name) is refused, input intact: %s", r.err);
		run_free(&r);
		run_tcptrail(onto_capture, fixed_time, &r);
		stat(cap, &st1);
		tap_ok(r.status == 1 && strstr(r.err, "is the file being saved by -w") &&
		       st1.st_size == st0.st_size,
		       "out-file: onto -w's capture is refused, the capture intact: %s", r.err);
		run_free(&r);
		unlink(cap);
		run_tcptrail(onto_new, fixed_time, &r);
		tap_ok(r.status == 1 && strstr(r.err, "is the file being saved by -w") &&
		       stat(cap, &st1) < 0,
		       "out-file: -w and -O naming one new file two ways: refused, nothing created: %s",
		       r.err);
		run_free(&r);
	}
	{
		const char *args[] = { "--file", fx_path("pair"), "-O", "/dev/full", NULL };

		run_tcptrail(args, fixed_time, &r);
		tap_ok(r.status == 1 && strstr(r.err, "writing /dev/full: No space left on device"),
		       "out-file: a write error names the file: %s", r.err);
		run_free(&r);
	}
}

void test_e2e(void)
{
	out_file();
	capture_onto_itself();
	capture_truncated();
	output_errors();
	abi_mismatch();
	errors();
	lost();
	bad_records();
	kernel_filters();
	stats();
	run_mode();
	capture();
}
