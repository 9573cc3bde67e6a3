// SPDX-License-Identifier: GPL-2.0
/* test_options.c - option parsing (valid and invalid), control commands, local filter matching. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "filter.h"
#include "fixtures.h"
#include "options.h"
#include "tap.h"

/* Parse a space-separated command line. */
static enum tr_opts_result parse(const char *line, struct tr_opts *o, char *err, size_t errlen)
{
	static char buf[1024];
	static char *argv[64];
	int argc = 0;

	snprintf(buf, sizeof(buf), "tcptrail %s", line);
	for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return tr_parse_options(argc, argv, o, err, errlen);
}

static void valid(void)
{
	struct tr_opts o;
	char err[256], cmds[512];

	tap_ok(parse("", &o, err, sizeof(err)) == TR_OPTS_OK && o.mode == TR_MODE_TRACE &&
	       o.format == TR_FMT_TEXT && !o.now && o.wait == 5 && !tr_filter_has_kernel_part(&o.filter),
	       "options: defaults");
	tap_ok(parse("-o json -p 80,443 -a 10.1.2.3/8 -s established,time-wait -d 2.5", &o, err,
		     sizeof(err)) == TR_OPTS_OK && o.format == TR_FMT_JSON &&
	       o.filter.nports[TR_EITHER] == 2 && o.filter.ports[TR_EITHER][1] == 443 &&
	       o.filter.addrs[TR_EITHER][0].len == 8 && o.filter.states == ((1u << TCPTRAIL_ESTABLISHED) | (1u << TCPTRAIL_TIME_WAIT)) &&
	       o.duration == 2.5, "options: output, port, addr, state, duration");
	tr_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds));
	tap_ok(!strcmp(cmds, "port 80,443\naddr 10.0.0.0/8\nstate ESTABLISHED,TIME_WAIT\n"),
	       "options: control commands, address masked to its prefix");

	parse("--lport 22 --rport 1,2,3,4,5,6,7,8 --laddr 2001:db8::1 --raddr ::ffff:1.2.3.4/120 "
	      "--state LISTEN", &o, err, sizeof(err));
	tr_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds));
	tap_ok(!strcmp(cmds, "lport 22\nrport 1,2,3,4,5,6,7,8\nladdr 2001:db8::1/128\n"
			     "raddr ::ffff:1.2.3.0/120\nstate LISTEN\n"),
	       "options: local/remote keys, 8 ports, IPv6");

	tap_ok(parse("--pid 42 --comm nginx --netns 4026531840 -r -t -N", &o, err, sizeof(err)) ==
		       TR_OPTS_OK && o.filter.npids == 1 && o.filter.pids[0] == 42 &&
	       o.filter.ncomms == 1 && !strcmp(o.filter.comms[0], "nginx") &&
	       o.filter.netns[0] == FX_NETNS && o.relative && o.wide && o.timeline && o.now &&
	       !tr_filter_has_kernel_part(&o.filter),
	       "options: local-only filters, relative (implies wide), timeline, now");

	tap_ok(parse("-o csv run --wait -1 -- curl -s http://x/", &o, err, sizeof(err)) ==
		       TR_OPTS_OK && o.mode == TR_MODE_RUN && o.wait == -1 && o.now &&
	       o.format == TR_FMT_CSV && o.cmd && !strcmp(o.cmd[0], "curl") &&
	       !strcmp(o.cmd[1], "-s") && !strcmp(o.cmd[2], "http://x/") && !o.cmd[3],
	       "options: run with options before and after, command keeps its own options");
	tap_ok(parse("run sleep 1", &o, err, sizeof(err)) == TR_OPTS_OK && o.mode == TR_MODE_RUN &&
	       !strcmp(o.cmd[0], "sleep") && o.wait == 5, "options: run without --");
	tap_ok(parse("run --wait 0 -- true", &o, err, sizeof(err)) == TR_OPTS_OK && o.wait == 0,
	       "options: --wait 0");
	tap_ok(parse("stats", &o, err, sizeof(err)) == TR_OPTS_OK && o.mode == TR_MODE_STATS,
	       "options: stats");
	tap_ok(parse("-f cap.bin -w out.bin -t", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       !strcmp(o.file, "cap.bin") && !strcmp(o.raw_out, "out.bin"), "options: file and raw-out");
	tap_ok(parse("-O trail.txt run -o json -- curl -s -O http://x/f", &o, err, sizeof(err)) ==
		       TR_OPTS_OK && o.mode == TR_MODE_RUN && !strcmp(o.out_file, "trail.txt") &&
	       o.format == TR_FMT_JSON && !strcmp(o.cmd[2], "-O"),
	       "options: -O FILE for run; the command's own -O stays its own");
	tap_ok(parse("-f cap.bin --out-file=t.txt -w out.bin", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       !strcmp(o.out_file, "t.txt") && !strcmp(o.raw_out, "out.bin") && !o.format_set,
	       "options: --out-file with a capture and -w");
	tap_ok(parse("--help", &o, err, sizeof(err)) == TR_OPTS_HELP &&
	       parse("run -h", &o, err, sizeof(err)) == TR_OPTS_HELP &&
	       parse("-V", &o, err, sizeof(err)) == TR_OPTS_VERSION, "options: help and version");
}

static void invalid(void)
{
	static const char *const bad[] = {
		"-o xml", "-o", "--port", "--port 0", "--port 65536", "--port 80,", "--port ,80",
		"--port 8o", "--port 1,2,3,4,5,6,7,8,9", "--port -1", "--addr 10.0.0.0/33",
		"--addr ::1/129", "--addr 300.1.1.1", "--addr 10.0.0.1/", "--addr 10.0.0.1/x",
		"--state FOO", "--state ESTABLISHED,", "--state CLOSEDX", "--pid 0", "--pid -5",
		"--pid 99999999999", "--comm 0123456789abcdef", "--comm=", "--netns x",
		"--duration 0", "--duration -1", "--duration 1s", "--wait 3", "run --wait -2 -- true",
		"run --wait x -- true", "run", "run --", "run -f x -- true", "run -d 3 -- true",
		"stats -o csv", "stats -p 80", "stats extra", "-o json -W", "-o csv --time=rel",
		"--time=utc", "--time", "-c 0", "-c x", "-c -3", "run -c 3 -- true", "--cookie sk:xyz",
		"--cookie 0x", "--netns nosuchname", "--netns /nonexistent/ns", "-c",
		"-p 1,2,3,4,5 -p 6,7,8,9", "-o csv -t", "-f x --now", "--bogus", "-Z", "extra-arg",
		"-O", "run -O", "hist -O h.txt", "stats -O s.txt", "--out json",
	};
	struct tr_opts o;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		tap_ok(parse(bad[i], &o, err, sizeof(err)) == TR_OPTS_ERROR && err[0],
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

	tr_filter_restore_cmds(keys, 3, "port 22,2222\nportx 1\nresume\nnetns own\n", buf, sizeof(buf));
	tap_ok(!strcmp(buf, "port 22,2222\naddr any\nstate any\n"),
	       "filters: restore puts back saved values, removes the rest");
	tr_filter_restore_cmds(keys, 1, NULL, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "port any\n"), "filters: restore with nothing saved");
	tap_ok(tr_filter_restore_cmds(keys, 3, NULL, buf, 5) == -1, "filters: restore overflow detected");
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
	struct tcptrail_event e = ev_v4("10.1.2.3", 40000, "192.168.1.9", 80, TCPTRAIL_SYN_SENT,
					   TCPTRAIL_ESTABLISHED), lost;
	struct tr_filter f;
	char err[128];

	memset(&f, 0, sizeof(f));
	tap_ok(tr_filter_match(&f, &e, 1), "match: empty filter passes");
	tr_parse_ports("443,80", f.ports[TR_EITHER], &f.nports[TR_EITHER], err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 1), "match: port on either side (remote 80)");
	tap_ok(tr_filter_match(&f, &e, 0), "match: kernel part skipped when asked");
	memset(&f, 0, sizeof(f));
	tr_parse_ports("80", f.ports[TR_LOCAL], &f.nports[TR_LOCAL], err, sizeof(err));
	tap_ok(!tr_filter_match(&f, &e, 1), "match: lport 80 misses a remote 80");
	memset(&f, 0, sizeof(f));
	tr_parse_ports("40000", f.ports[TR_LOCAL], &f.nports[TR_LOCAL], err, sizeof(err));
	tr_parse_ports("80", f.ports[TR_REMOTE], &f.nports[TR_REMOTE], err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 1), "match: lport and rport together");

	memset(&f, 0, sizeof(f));
	tr_filter_add_addr(&f, TR_EITHER, "192.168.0.0/16", err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 1), "match: address prefix, either side");
	tr_filter_add_addr(&f, TR_LOCAL, "192.168.0.0/16", err, sizeof(err));
	tap_ok(!tr_filter_match(&f, &e, 1), "match: laddr prefix misses the remote address");
	memset(&f, 0, sizeof(f));
	tr_filter_add_addr(&f, TR_LOCAL, "10.1.2.0/23", err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 1), "match: /23 prefix");
	memset(&f, 0, sizeof(f));
	tr_filter_add_addr(&f, TR_LOCAL, "10.1.4.0/23", err, sizeof(err));
	tap_ok(!tr_filter_match(&f, &e, 1), "match: /23 prefix, other half");
	memset(&f, 0, sizeof(f));
	tr_filter_add_addr(&f, TR_LOCAL, "::/0", err, sizeof(err));
	tap_ok(!tr_filter_match(&f, &e, 1), "match: an IPv6 prefix never matches IPv4");

	memset(&f, 0, sizeof(f));
	tr_parse_states("ESTABLISHED", &f.states, err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 1), "match: state, new side");
	tr_parse_states("SYN_SENT", &f.states, err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 1), "match: state, old side");
	tr_parse_states("TIME_WAIT,CLOSE", &f.states, err, sizeof(err));
	tap_ok(!tr_filter_match(&f, &e, 1), "match: state not in the set");

	memset(&f, 0, sizeof(f));
	f.npids = 1;
	f.pids[0] = 7;
	tap_ok(tr_filter_match(&f, &e, 0), "match: pid");
	f.pids[0] = 8;
	tap_ok(!tr_filter_match(&f, &e, 0), "match: other pid");
	f.pids[0] = 7;
	e.flags = 0;
	tap_ok(!tr_filter_match(&f, &e, 0), "match: pid filter drops events without owner");
	e.flags = TCPTRAIL_F_OWNER;
	memset(&f, 0, sizeof(f));
	tr_filter_add_comm(&f, "curl", err, sizeof(err));
	tap_ok(tr_filter_match(&f, &e, 0), "match: comm");
	strcpy(f.comms[0], "cur");
	tap_ok(!tr_filter_match(&f, &e, 0), "match: comm is exact");
	memset(&f, 0, sizeof(f));
	f.nnetns = 1;
	f.netns[0] = 1;
	tap_ok(!tr_filter_match(&f, &e, 0), "match: netns");

	memset(&lost, 0, sizeof(lost));
	lost.kind = TCPTRAIL_EV_LOST;
	tap_ok(tr_filter_match(&f, &lost, 1), "match: LOST records always pass");
}

/* Issue 11 #8: a repeated filter adds values (OR), keys still AND. */
static void repeats(void)
{
	struct tcptrail_event lo = ev_v4("127.0.0.1", 40000, "127.0.0.1", 8080,
						 TCPTRAIL_ESTABLISHED, TCPTRAIL_FIN_WAIT1);
	struct tcptrail_event ten = ev_v4("10.1.1.1", 40000, "10.2.2.2", 443,
						  TCPTRAIL_LISTEN, TCPTRAIL_SYN_RECV);
	struct tcptrail_event other = ev_v4("192.0.2.1", 40000, "192.0.2.2", 80,
						    TCPTRAIL_ESTABLISHED, TCPTRAIL_CLOSE_WAIT);
	struct tr_opts o;
	char err[256], cmds[512];

	tap_ok(parse("-a 127.0.0.0/8 -a 10.0.0.0/8", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       tr_filter_match(&o.filter, &lo, 1) && tr_filter_match(&o.filter, &ten, 1) &&
	       !tr_filter_match(&o.filter, &other, 1),
	       "repeats: -a 127.0.0.0/8 -a 10.0.0.0/8 matches either prefix");
	tr_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds));
	tap_ok(!strcmp(cmds, "addr 0.0.0.0/1\n"), "repeats: the kernel gets the prefix covering both");
	parse("-a 10.1.0.0/16 -a 10.2.0.0/16 --raddr 10.2.2.2", &o, err, sizeof(err));
	tr_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds));
	tap_ok(!strcmp(cmds, "addr 10.0.0.0/14\nraddr 10.2.2.2/32\n") &&
	       tr_filter_match(&o.filter, &ten, 1), "repeats: covering prefix /14, raddr apart");
	parse("-a 10.0.0.0/8 -a 2001:db8::/32", &o, err, sizeof(err));
	tap_ok(tr_filter_kernel_cmds(&o.filter, cmds, sizeof(cmds)) == 0 &&
	       !tr_filter_has_kernel_part(&o.filter) && tr_filter_match(&o.filter, &ten, 1) &&
	       !tr_filter_match(&o.filter, &lo, 1),
	       "repeats: prefixes of both families stay local, and still match exactly");

	tap_ok(parse("-s ESTABLISHED -s LISTEN", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       o.filter.states == ((1u << 1) | (1u << 10)) && tr_filter_match(&o.filter, &lo, 1) &&
	       tr_filter_match(&o.filter, &ten, 1),
	       "repeats: -s ESTABLISHED -s LISTEN keeps both");
	tap_ok(parse("-p 80 -p 443,80 --lport 1", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       o.filter.nports[TR_EITHER] == 2 && o.filter.ports[TR_EITHER][1] == 443 &&
	       o.filter.nports[TR_LOCAL] == 1, "repeats: ports add up, duplicates once");
	tap_ok(parse("-P 7 -P 8 --comm nginx --comm curl", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       tr_filter_match(&o.filter, &lo, 0), "repeats: pids and comms, OR within each");
	parse("-P 8 -P 9 --comm curl", &o, err, sizeof(err));
	tap_ok(!tr_filter_match(&o.filter, &lo, 0), "repeats: AND across keys (pid misses)");
	parse("-s LISTEN -p 8080", &o, err, sizeof(err));
	tap_ok(!tr_filter_match(&o.filter, &lo, 1) && !tr_filter_match(&o.filter, &ten, 1),
	       "repeats: state and port are ANDed");
}

/* Peer conventions: ss's state names, netns by name, cookies as ss shows them, -4/-6, -c, -H. */
static void peers(void)
{
	struct tcptrail_event e = ev_v4("10.1.2.3", 40000, "192.168.1.9", 80, TCPTRAIL_SYN_SENT,
					 TCPTRAIL_ESTABLISHED);
	const char *dir = tmpdir_make();
	char err[256], path[4300], env_was[4300] = "";
	struct tr_opts o;
	struct stat st;
	uint32_t mask = 0;
	uint64_t cookie = 0;
	int ok;

	ok = !tr_parse_states("fin-wait-1,fin-wait-2,time-wait,syn-sent,syn-recv,close-wait,"
			      "last-ack,closing,estab,listening,closed", &mask, err, sizeof(err));
	tap_ok(ok && mask == ((1u << 4) | (1u << 5) | (1u << 6) | (1u << 2) | (1u << 3) |
			      (1u << 8) | (1u << 9) | (1u << 11) | (1u << 1) | (1u << 10) |
			      (1u << 7)), "states: ss's names (fin-wait-1, estab, listening, ...)");
	tap_ok(tr_state_from_name("FinWait1") == TCPTRAIL_FIN_WAIT1 &&
	       tr_state_from_name("new_syn_recv") == TCPTRAIL_NEW_SYN_RECV &&
	       tr_state_from_name("SYN-RECV") == TCPTRAIL_SYN_RECV && tr_state_from_name("fin-wait") < 0,
	       "states: case and punctuation do not matter, names must be whole");

	tap_ok(!tr_parse_cookie("sk:1001", &cookie, err, sizeof(err)) && cookie == 4097 &&
	       !tr_parse_cookie("0x1001", &cookie, err, sizeof(err)) && cookie == 4097 &&
	       !tr_parse_cookie("4097", &cookie, err, sizeof(err)) && cookie == 4097,
	       "cookie: decimal, 0xHEX and ss -e's sk:HEX");

	snprintf(path, sizeof(path), "%s/blue", dir);
	write_file(path, "", 0);
	stat(path, &st);
	if (getenv("TCPTRAIL_NETNS_DIR"))
		snprintf(env_was, sizeof(env_was), "%s", getenv("TCPTRAIL_NETNS_DIR"));
	setenv("TCPTRAIL_NETNS_DIR", dir, 1);
	tap_ok(parse("-n blue", &o, err, sizeof(err)) == TR_OPTS_OK && o.filter.nnetns == 1 &&
	       o.filter.netns[0] == (uint32_t)st.st_ino, "netns: a name in /run/netns is its inode");
	snprintf(path, sizeof(path), "-n %s/blue -n 42", dir);
	tap_ok(parse(path, &o, err, sizeof(err)) == TR_OPTS_OK && o.filter.nnetns == 2 &&
	       o.filter.netns[0] == (uint32_t)st.st_ino && o.filter.netns[1] == 42,
	       "netns: a path, and an inode, repeated");
	if (env_was[0])
		setenv("TCPTRAIL_NETNS_DIR", env_was, 1);
	else
		unsetenv("TCPTRAIL_NETNS_DIR");

	tap_ok(parse("-4", &o, err, sizeof(err)) == TR_OPTS_OK && tr_filter_match(&o.filter, &e, 0),
	       "family: -4 keeps IPv4");
	parse("-6", &o, err, sizeof(err));
	tap_ok(!tr_filter_match(&o.filter, &e, 0), "family: -6 drops IPv4");
	tap_ok(parse("-c 5 -H -W --time=date", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       o.count == 5 && o.no_header && o.wide && o.time == TR_TIME_DATE &&
	       !o.filter.ncomms, "options: -c is --count, -H, -W, --time");
	tap_ok(parse("--count 3 --no-header --wide --time epoch", &o, err, sizeof(err)) ==
		       TR_OPTS_OK && o.count == 3 && o.no_header && o.time == TR_TIME_EPOCH,
	       "options: long forms");
	tap_ok(parse("stats -o json", &o, err, sizeof(err)) == TR_OPTS_OK &&
	       o.mode == TR_MODE_STATS && o.format == TR_FMT_JSON, "options: stats -o json");
	tap_ok(parse("-o json -r", &o, err, sizeof(err)) == TR_OPTS_OK && o.relative,
	       "options: -r with JSON (adds rel_seq/rel_ack)");
}

void test_options(void)
{
	repeats();
	peers();
	valid();
	invalid();
	restore();
	match();
}
