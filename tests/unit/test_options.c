/* test_options.c - option parsing (valid and invalid), control commands, local filter matching. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "fixtures.h"
#include "options.h"
#include "tap.h"

/* Parse a space-separated command line. */
static enum tt_opts_result parse(const char *line, struct tt_opts *o, char *err, size_t errlen)
{
	static char buf[1024];
	static char *argv[64];
	int argc = 0;

	snprintf(buf, sizeof(buf), "tcptrail %s", line);
	for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return tt_parse_options(argc, argv, o, err, errlen);
}

static void valid(void)
{
	struct tt_opts o;
	char err[256], cmds[512];

	tap_ok(parse("", &o, err, sizeof(err)) == TT_OPTS_OK && o.mode == TT_MODE_TRACE &&
	       o.format == TT_FMT_TEXT && !o.now && o.wait == 5 && !tt_filter_has_kernel_part(&o.filter),
	       "options: defaults");
	tap_ok(parse("-o json -p 80,443 -a 10.1.2.3/8 -s established,time-wait -d 2.5", &o, err,
		     sizeof(err)) == TT_OPTS_OK && o.format == TT_FMT_JSON &&
	       o.filter.nports[TT_EITHER] == 2 && o.filter.ports[TT_EITHER][1] == 443 &&
	       o.filter.addr[TT_EITHER].len == 8 && o.filter.states == ((1u << 1) | (1u << 6)) &&
	       o.duration == 2.5, "options: output, port, addr, state, duration");
	tt_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds));
	tap_ok(!strcmp(cmds, "port 80,443\naddr 10.0.0.0/8\nstate ESTABLISHED,TIME_WAIT\n"),
	       "options: control commands, address masked to its prefix");

	parse("--lport 22 --rport 1,2,3,4,5,6,7,8 --laddr 2001:db8::1 --raddr ::ffff:1.2.3.4/120 "
	      "--state LISTEN", &o, err, sizeof(err));
	tt_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds));
	tap_ok(!strcmp(cmds, "lport 22\nrport 1,2,3,4,5,6,7,8\nladdr 2001:db8::1/128\n"
			     "raddr ::ffff:1.2.3.0/120\nstate LISTEN\n"),
	       "options: local/remote keys, 8 ports, IPv6");

	tap_ok(parse("--pid 42 --comm nginx --netns 4026531840 -r -t -N", &o, err, sizeof(err)) ==
		       TT_OPTS_OK && o.filter.have_pid && o.filter.pid == 42 && o.filter.have_comm &&
	       !strcmp(o.filter.comm, "nginx") && o.filter.netns == FX_NETNS && o.relative &&
	       o.timeline && o.now && !tt_filter_has_kernel_part(&o.filter),
	       "options: local-only filters, relative, timeline, now");

	tap_ok(parse("-o csv run --wait -1 -- curl -s http://x/", &o, err, sizeof(err)) ==
		       TT_OPTS_OK && o.mode == TT_MODE_RUN && o.wait == -1 && o.now &&
	       o.format == TT_FMT_CSV && o.cmd && !strcmp(o.cmd[0], "curl") &&
	       !strcmp(o.cmd[1], "-s") && !strcmp(o.cmd[2], "http://x/") && !o.cmd[3],
	       "options: run with options before and after, command keeps its own options");
	tap_ok(parse("run sleep 1", &o, err, sizeof(err)) == TT_OPTS_OK && o.mode == TT_MODE_RUN &&
	       !strcmp(o.cmd[0], "sleep") && o.wait == 5, "options: run without --");
	tap_ok(parse("run --wait 0 -- true", &o, err, sizeof(err)) == TT_OPTS_OK && o.wait == 0,
	       "options: --wait 0");
	tap_ok(parse("stats", &o, err, sizeof(err)) == TT_OPTS_OK && o.mode == TT_MODE_STATS,
	       "options: stats");
	tap_ok(parse("-f cap.bin -w out.bin -t", &o, err, sizeof(err)) == TT_OPTS_OK &&
	       !strcmp(o.file, "cap.bin") && !strcmp(o.raw_out, "out.bin"), "options: file and raw-out");
	tap_ok(parse("--help", &o, err, sizeof(err)) == TT_OPTS_HELP &&
	       parse("run -h", &o, err, sizeof(err)) == TT_OPTS_HELP &&
	       parse("-V", &o, err, sizeof(err)) == TT_OPTS_VERSION, "options: help and version");
}

static void invalid(void)
{
	static const char *const bad[] = {
		"-o xml", "-o", "--port", "--port 0", "--port 65536", "--port 80,", "--port ,80",
		"--port 8o", "--port 1,2,3,4,5,6,7,8,9", "--port -1", "--addr 10.0.0.0/33",
		"--addr ::1/129", "--addr 300.1.1.1", "--addr 10.0.0.1/", "--addr 10.0.0.1/x",
		"--state FOO", "--state ESTABLISHED,", "--state CLOSED", "--pid 0", "--pid -5",
		"--pid 99999999999", "--comm 0123456789abcdef", "--comm=", "--netns x",
		"--duration 0", "--duration -1", "--duration 1s", "--wait 3", "run --wait -2 -- true",
		"run --wait x -- true", "run", "run --", "run -f x -- true", "run -d 3 -- true",
		"stats -o json", "stats extra", "-o json -r", "-o csv -t", "-f x --now", "--bogus",
		"-Z", "extra-arg",
	};
	struct tt_opts o;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		tap_ok(parse(bad[i], &o, err, sizeof(err)) == TT_OPTS_ERROR && err[0],
		       "options: '%s' rejected: %s", bad[i], err);
	}
	parse("-o", &o, err, sizeof(err));
	tap_ok(strstr(err, "needs a value") != NULL, "options: a missing value is named as such");
	parse("--bogus", &o, err, sizeof(err));
	tap_ok(strstr(err, "'--bogus'") != NULL, "options: an unknown option is named");
}

static void restore(void)
{
	const char *keys[] = { "port", "addr", "state" };
	char buf[512];

	tt_filter_restore_cmds(keys, 3, "port 22,2222\nportx 1\nresume\nnetns own\n", buf, sizeof(buf));
	tap_ok(!strcmp(buf, "port 22,2222\naddr any\nstate any\n"),
	       "filters: restore puts back saved values, removes the rest");
	tt_filter_restore_cmds(keys, 1, NULL, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "port any\n"), "filters: restore with nothing saved");
	tap_ok(tt_filter_restore_cmds(keys, 3, NULL, buf, 5) == -1, "filters: restore overflow detected");
}

static struct tcptrail_event ev_v4(const char *sa, uint16_t sp, const char *da, uint16_t dp,
				   int o, int n)
{
	struct tcptrail_event e;

	memset(&e, 0, sizeof(e));
	e.kind = TCPTRAIL_EV_STATE;
	e.family = AF_INET;
	inet_pton(AF_INET, sa, e.saddr);
	inet_pton(AF_INET, da, e.daddr);
	e.sport = sp;
	e.dport = dp;
	e.old_state = (uint8_t)o;
	e.new_state = (uint8_t)n;
	e.netns = FX_NETNS;
	e.flags = TCPTRAIL_F_OWNER;
	e.pid = 7;
	strcpy(e.comm, "curl");
	return e;
}

static void match(void)
{
	struct tcptrail_event e = ev_v4("10.1.2.3", 40000, "192.168.1.9", 80, 2, 1), lost;
	struct tt_filter f;
	char err[128];

	memset(&f, 0, sizeof(f));
	tap_ok(tt_filter_match(&f, &e, 1), "match: empty filter passes");
	tt_parse_ports("443,80", f.ports[TT_EITHER], &f.nports[TT_EITHER], err, sizeof(err));
	tap_ok(tt_filter_match(&f, &e, 1), "match: port on either side (remote 80)");
	tap_ok(tt_filter_match(&f, &e, 0), "match: kernel part skipped when asked");
	memset(&f, 0, sizeof(f));
	tt_parse_ports("80", f.ports[TT_LOCAL], &f.nports[TT_LOCAL], err, sizeof(err));
	tap_ok(!tt_filter_match(&f, &e, 1), "match: lport 80 misses a remote 80");
	memset(&f, 0, sizeof(f));
	tt_parse_ports("40000", f.ports[TT_LOCAL], &f.nports[TT_LOCAL], err, sizeof(err));
	tt_parse_ports("80", f.ports[TT_REMOTE], &f.nports[TT_REMOTE], err, sizeof(err));
	tap_ok(tt_filter_match(&f, &e, 1), "match: lport and rport together");

	memset(&f, 0, sizeof(f));
	tt_parse_prefix("192.168.0.0/16", &f.addr[TT_EITHER], err, sizeof(err));
	tap_ok(tt_filter_match(&f, &e, 1), "match: address prefix, either side");
	tt_parse_prefix("192.168.0.0/16", &f.addr[TT_LOCAL], err, sizeof(err));
	tap_ok(!tt_filter_match(&f, &e, 1), "match: laddr prefix misses the remote address");
	memset(&f, 0, sizeof(f));
	tt_parse_prefix("10.1.2.0/23", &f.addr[TT_LOCAL], err, sizeof(err));
	tap_ok(tt_filter_match(&f, &e, 1), "match: /23 prefix");
	tt_parse_prefix("10.1.4.0/23", &f.addr[TT_LOCAL], err, sizeof(err));
	tap_ok(!tt_filter_match(&f, &e, 1), "match: /23 prefix, other half");
	tt_parse_prefix("::/0", &f.addr[TT_LOCAL], err, sizeof(err));
	tap_ok(!tt_filter_match(&f, &e, 1), "match: an IPv6 prefix never matches IPv4");

	memset(&f, 0, sizeof(f));
	tt_parse_states("ESTABLISHED", &f.states, err, sizeof(err));
	tap_ok(tt_filter_match(&f, &e, 1), "match: state, new side");
	tt_parse_states("SYN_SENT", &f.states, err, sizeof(err));
	tap_ok(tt_filter_match(&f, &e, 1), "match: state, old side");
	tt_parse_states("TIME_WAIT,CLOSE", &f.states, err, sizeof(err));
	tap_ok(!tt_filter_match(&f, &e, 1), "match: state not in the set");

	memset(&f, 0, sizeof(f));
	f.have_pid = 1;
	f.pid = 7;
	tap_ok(tt_filter_match(&f, &e, 0), "match: pid");
	f.pid = 8;
	tap_ok(!tt_filter_match(&f, &e, 0), "match: other pid");
	f.pid = 7;
	e.flags = 0;
	tap_ok(!tt_filter_match(&f, &e, 0), "match: pid filter drops events without owner");
	e.flags = TCPTRAIL_F_OWNER;
	memset(&f, 0, sizeof(f));
	f.have_comm = 1;
	strcpy(f.comm, "curl");
	tap_ok(tt_filter_match(&f, &e, 0), "match: comm");
	strcpy(f.comm, "cur");
	tap_ok(!tt_filter_match(&f, &e, 0), "match: comm is exact");
	memset(&f, 0, sizeof(f));
	f.have_netns = 1;
	f.netns = 1;
	tap_ok(!tt_filter_match(&f, &e, 0), "match: netns");

	memset(&lost, 0, sizeof(lost));
	lost.kind = TCPTRAIL_EV_LOST;
	tap_ok(tt_filter_match(&f, &lost, 1), "match: LOST records always pass");
}

void test_options(void)
{
	valid();
	invalid();
	restore();
	match();
}
