# SPDX-License-Identifier: GPL-2.0
# Helpers for the integration tests, which run as root inside the dev VM.
# shellcheck shell=bash
set -euo pipefail

TOP=${TCPTRAIL_TOP:?run through scripts/vm}
MOD=${TCPTRAIL_MOD:?}
TRAIL="python3 $TOP/tests/integration/trail.py"
PROC=/proc/net/tcptrail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		fail "$what"
	fi
}

load() {
	insmod "$MOD" "$@" || fail "insmod $*"
}

# serve ADDR PORT [NETNS]: a python3 http.server, up when this returns.
serve() {
	local addr=$1 port=$2 ns=${3:-}
	local run=()
	[ -n "$ns" ] && run=(ip netns exec "$ns")
	(cd /tmp && exec "${run[@]}" python3 -m http.server "$port" --bind "$addr" \
		>/dev/null 2>&1) &
	for _ in $(seq 100); do
		if "${run[@]}" ss -Hltn "sport = :$port" | grep -q LISTEN; then
			return 0
		fi
		sleep 0.1
	done
	fail "http.server on $addr:$port did not start"
}

# curl_trail_json FILE: the reader's JSON (-o json) has curl's connection,
# SYN_SENT and ESTABLISHED first and CLOSE last.
curl_trail_json() {
	python3 - "$1" <<-'PY'
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	curl = [r["new"] for r in recs if r["event"] == "state" and r["comm"] == "curl"]
	print("curl:", curl)
	sys.exit(0 if curl[:2] == ["SYN_SENT", "ESTABLISHED"] and curl[-1] == "CLOSE" else 1)
	PY
}

# drain FILE: every event held for a new reader, as text (never blocks).
drain() {
	$TRAIL drain "${1:-$PROC/events}"
}

# pair NAME N [DELAY]: netns NAME-c (198.18.N.2) and NAME-s (198.18.N.1)
# joined by veth; DELAY (e.g. 50ms) on the client's egress makes the RTT.
pair() {
	local name=$1 n=$2 delay=${3:-}
	ip netns add "$name-c"
	ip netns add "$name-s"
	ip link add "$name-c0" netns "$name-c" type veth peer "$name-s0" netns "$name-s"
	ip -n "$name-c" addr add "198.18.$n.2/24" dev "$name-c0"
	ip -n "$name-s" addr add "198.18.$n.1/24" dev "$name-s0"
	ip -n "$name-c" link set lo up
	ip -n "$name-s" link set lo up
	ip -n "$name-c" link set "$name-c0" up
	ip -n "$name-s" link set "$name-s0" up
	if [ -n "$delay" ]; then
		ip netns exec "$name-c" tc qdisc add dev "$name-c0" root netem delay "$delay" ||
			fail "netem on $name-c0"
	fi
}

# halfopen_pair NAME N COUNT [PORT]: the pair NAME (as pair makes it) ready
# for COUNT half-open handshakes (halfopen.py). The server sends one SYN-ACK
# retry, so its request socks expire ~3 s after their SYN, and queues them
# all, so that no syncookie replaces a request. The client may send SYNs
# only: its other TCP segments (to PORT only, if given) are dropped on its
# egress (u32: IPv4, TCP, SYN bit clear; a 20-byte IP header).
halfopen_pair() {
	local name=$1 n=$2 count=$3 port=${4:-} dport=()
	pair "$name" "$n"
	ip netns exec "$name-s" sysctl -qw net.ipv4.tcp_synack_retries=1 \
		net.ipv4.tcp_max_syn_backlog=$((count * 2 + 256)) \
		net.core.somaxconn=$((count * 2 + 256))
	# (a kernel without CONFIG_SYN_COOKIES, as the test kernel, has none)
	[ ! -e /proc/sys/net/ipv4/tcp_syncookies ] ||
		ip netns exec "$name-s" sysctl -qw net.ipv4.tcp_syncookies=0
	# The kernel's own module autoload cannot reach the chroot's modprobe.
	modprobe -a sch_ingress cls_u32 act_gact 2>/dev/null || true
	[ -z "$port" ] || dport=(match ip dport "$port" 0xffff)
	tc -n "$name-c" qdisc add dev "$name-c0" clsact || fail "clsact on $name-c0"
	tc -n "$name-c" filter add dev "$name-c0" egress protocol ip prio 1 u32 \
		match ip protocol 6 0xff "${dport[@]}" match u8 0x00 0x02 at 33 \
		action drop || fail "tc u32 drop filter on $name-c0"
}

# stat_of NAME [NETNS]: a counter from stats (the initial namespace's, or
# NETNS's)
stat_of() {
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" awk -v k="$1" '$1 == k { print $2 }' "$PROC/stats"
	else
		awk -v k="$1" '$1 == k { print $2 }' "$PROC/stats"
	fi
}

# start_pollers DIR SPEC...: poller.py's readers (MODE:PATH each, pid files
# in DIR) in the background, POLLER_PID their parent; returns once every one
# has opened its file and is about to wait, the "stopped" ones SIGSTOPped.
start_pollers() {
	local dir=$1 want have f
	shift
	want=$#
	python3 "$TOP/tests/integration/poller.py" "$dir" "$@" &
	POLLER_PID=$!
	for _ in $(seq 300); do
		have=$(find "$dir" -name '*.[0-9]' | wc -l)
		[ "$have" -ge "$want" ] && break
		if ls "$dir"/*.err >/dev/null 2>&1; then
			cat "$dir"/*.err
			fail "a reader could not open its file"
		fi
		sleep 0.1
	done
	[ "$have" -ge "$want" ] || fail "only $have of $want readers started"
	sleep 0.5	# let them get into their wait
	for f in "$dir"/stopped.*; do
		[ -e "$f" ] && kill -STOP "$(cat "$f")"
	done
	return 0
}

# workload NETNS ARGS...: userspace/tcpwork in a netns
workload() {
	local ns=$1
	shift
	ip netns exec "$ns" "$TOP/userspace/tcpwork" "$@"
}

# wait_listen NETNS PORT
wait_listen() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN && return 0
		sleep 0.1
	done
	fail "nothing listens on port $2 in $1"
}

# overflow NETNS: the kernel's own count of skipped TIME_WAITs there
overflow() {
	ip netns exec "$1" nstat -az TcpExtTCPTimeWaitOverflow | awk '$1 == "TcpExtTCPTimeWaitOverflow" { print $2 }'
}

# figure NAME VALUE: a number scripts/stress collects from the test's log.
figure() {
	echo "figure: $1 $2"
}

# Kernel splats (the patterns scripts/vm fails a run on) logged since
# splat_mark: splat_mark at the start of a test, splat_count at its end.
SPLAT_RE='Oops|BUG:|kernel BUG at|WARNING:|Kernel panic|general protection fault|UBSAN:|KASAN:|possible (circular|recursive) locking|possible irq lock inversion|inconsistent lock state|suspicious RCU usage|lock held when returning|INFO: task .* blocked|rcu: INFO:|detected stalls|sleeping function called'
splat_mark() {
	SPLAT_FROM=$(dmesg | wc -l)
}
splat_count() {
	dmesg | tail -n +"$((${SPLAT_FROM:-0} + 1))" | grep -cE "$SPLAT_RE" || true
}

# bg_wait PID SECONDS: wait up to SECONDS for PID (a child or not) to end;
# status 0 if it did, 1 if it is still there. Never blocks longer.
bg_wait() {
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		[ $SECONDS -lt "$deadline" ] || return 1
		sleep 0.1
	done
	return 0
}

# timed_rmmod SECONDS: rmmod tcptrail in the background (a blocked rmmod
# cannot be killed); status 0 if it returned success within SECONDS.
# RMMOD_MS is set to how long it took, RMMOD_PID to the rmmod if still there.
timed_rmmod() {
	local t0 rcf
	rcf=$(mktemp)
	t0=$(date +%s%N)
	(rmmod tcptrail; echo $? >"$rcf") &
	RMMOD_PID=$!
	if ! bg_wait "$RMMOD_PID" "$1"; then
		RMMOD_MS=$((($(date +%s%N) - t0) / 1000000))
		rm -f "$rcf"
		return 1
	fi
	RMMOD_MS=$((($(date +%s%N) - t0) / 1000000))
	wait "$RMMOD_PID" 2>/dev/null || true
	RMMOD_PID=
	local rc=0
	[ "$(cat "$rcf" 2>/dev/null)" = 0 ] || rc=1
	rm -f "$rcf"
	return $rc
}
