#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Why connections end, and why they are slow (issue 12): each scenario in its
# own pair of network namespaces (veth, neighbours permanent so that only
# TCP's timers decide), the link broken with netem "loss 100%" on the
# client's side exactly when the scenario needs it:
#   blackhole  connect() to a host that never answers, tcp_syn_retries=2:
#              SYN retransmits 1 and 2, then ETIMEDOUT, cause syn_timeout
#   refused    connect() to a closed port: RST, ECONNREFUSED, cause refused
#   synlost    the first SYN lost: one retransmit, ESTABLISHED after ~1 s;
#              then an orderly close: active_close and passive_close
#   linger0    the server closes with SO_LINGER 0: linger0 and an RST sent
#              on its side, reset and ECONNRESET on the client's
#   unread     the server closes with unread data: unread_data, RST, reset
#   rto        data into the broken link, tcp_retries2=3: RTO retransmits,
#              then ETIMEDOUT, cause rto_timeout
#   keepalive  idle 1 s, 2 probes 1 s apart, none answered: keepalive
#   usertmo    TCP_USER_TIMEOUT 1500 ms with data in flight: user_timeout
#   orphan     close() into the broken link, tcp_orphan_retries=1: the FIN
#              retransmitted in FIN_WAIT1, then orphan_timeout
#   epipe      the server shuts down, then resets: the RST reaches the
#              client in CLOSE_WAIT, reset and EPIPE
#   lastack    the server's side of the link broken, the client closes
#              first: each FIN retransmitted, in FIN_WAIT1 and in LAST_ACK,
#              until both orphans give up (tcp_orphan_retries=1)
# and the reader's ladders of blackhole, synlost, linger0 and lastack draw
# those retransmits and RSTs where they happened, with the causes.
. "$(dirname "$0")/lib.sh"

WHY="python3 $TOP/tests/integration/why.py"
load ring_size=16384
echo "netns all" >$PROC/control

# wpair NAME N: pair() with permanent neighbours both ways.
wpair() {
	local name=$1 n=$2 cmac smac
	pair "$name" "$n"
	cmac=$(ip -n "$name-c" -br link show "$name-c0" | awk '{ print $3 }')
	smac=$(ip -n "$name-s" -br link show "$name-s0" | awk '{ print $3 }')
	ip -n "$name-c" neigh replace "198.18.$n.1" lladdr "$smac" nud permanent dev "$name-c0"
	ip -n "$name-s" neigh replace "198.18.$n.2" lladdr "$cmac" nud permanent dev "$name-s0"
}

# cut NAME [SIDE] / mend NAME: drop everything the client (SIDE s: the
# server) sends, or nothing.
cut() {
	local side=${2:-c}
	ip netns exec "$1-$side" tc qdisc add dev "$1-${side}0" root netem loss 100% ||
		fail "netem on $1-$side"
}
mend() { ip netns exec "$1-c" tc qdisc del dev "$1-c0" root || fail "netem off $1"; }

# client NAME N OUT ARGS...: why.py client to the server of pair NAME.
client() {
	local name=$1 n=$2 out=$3
	shift 3
	ip netns exec "$name-c" $WHY client "198.18.$n.1" 7100 "$@" >"$out" 2>&1
}

# await FLAG WHAT: wait for a client to touch FLAG (python starts slowly).
await() {
	for _ in $(seq 300); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	fail "$2"
}

# broken NAME N OUT ARGS...: a client whose link breaks once connected
# (BREAK: the command that breaks it, cut NAME by default).
broken() {
	local name=$1 n=$2 out=$3 flag
	shift 3
	flag=$(mktemp -u /tmp/why-$name.XXXXXX)
	client "$name" "$n" "$out" --after-connect "$flag" "$@" &
	await "$flag" "$name: no connection"
	${BREAK:-cut "$name"}
	rm -f "$flag"
}

N=21
declare -A NUM
ALL="blackhole refused synlost linger0 unread rto keepalive usertmo orphan epipe lastack"
for s in $ALL; do
	NUM[$s]=$N
	wpair "$s" "$N"
	N=$((N + 1))
done
ip netns exec blackhole-c sysctl -qw net.ipv4.tcp_syn_retries=2
# 6.5+: the first tcp_syn_linear_timeouts (4) SYN RTOs do not back off, and
# add as many retries: off here, for the classic 1 s, 3 s, 7 s of 6.1.
if [ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]; then
	ip netns exec blackhole-c sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
fi
ip netns exec rto-c sysctl -qw net.ipv4.tcp_retries2=3
ip netns exec orphan-c sysctl -qw net.ipv4.tcp_orphan_retries=1
ip netns exec lastack-c sysctl -qw net.ipv4.tcp_orphan_retries=1
ip netns exec lastack-s sysctl -qw net.ipv4.tcp_orphan_retries=1
linear=$(ip netns exec blackhole-c cat /proc/sys/net/ipv4/tcp_syn_linear_timeouts 2>/dev/null || echo 0)

for s in synlost:eof linger0:linger0 unread:unread rto:hold keepalive:hold usertmo:hold \
	orphan:hold epipe:finrst lastack:eof; do
	ip netns exec "${s%:*}-s" $WHY server 7100 "${s#*:}" &
	wait_listen "${s%:*}-s" 7100
done
R=$TCPTRAIL_OUT

echo "$(date +%T) scenarios, one at a time (a busy guest runs TCP's timers late)"
cut blackhole
client blackhole "${NUM[blackhole]}" "$R/blackhole.out"
flag=$(mktemp -u /tmp/why-synlost.XXXXXX)
client synlost "${NUM[synlost]}" "$R/synlost.out" --ready "$flag" --send 1 --close-first &
await "$flag" "synlost: the client did not start"
cut synlost
rm -f "$flag"	# connect() now: its SYN is lost, the retransmit 1 s later is not
for _ in $(seq 100); do	# mend once the SYN is out (SYN-SENT), well before 1 s
	ip netns exec synlost-c ss -Htn state syn-sent | grep -q . && break
	sleep 0.01
done
mend synlost
wait $!
client refused "${NUM[refused]}" "$R/refused.out"
client linger0 "${NUM[linger0]}" "$R/linger0.out" --send 1
client unread "${NUM[unread]}" "$R/unread.out" --send 100
broken rto "${NUM[rto]}" "$R/rto.out" --send 1000
wait $!
broken keepalive "${NUM[keepalive]}" "$R/keepalive.out" --keepalive
wait $!
broken usertmo "${NUM[usertmo]}" "$R/usertmo.out" --user-timeout 1500 --send 1000
wait $!
broken orphan "${NUM[orphan]}" "$R/orphan.out" --orphan
wait $!
client epipe "${NUM[epipe]}" "$R/epipe.out" --after-eof 0.8
BREAK="cut lastack s" broken lastack "${NUM[lastack]}" "$R/lastack.out" \
	--close-first --recv-timeout 1
wait $!
sleep 3		# the orphan's retries
echo "$(date +%T) done"
for s in $ALL; do
	echo "$s: $(cat "$R/$s.out")"
	echo "  $(ip netns exec "$s-c" nstat -az TcpRetransSegs TcpExtTCPSynRetrans \
		TcpExtTCPTimeouts TcpExtTCPRetransFail TcpExtTCPLossProbes | awk '!/^#/ { printf "%s=%s ", $1, $2 }')"
done
drain >"$R/why.events"
# The reader on the same records: timelines and ladders with the
# retransmits, RSTs and causes (check_why.py reads them).
for s in blackhole synlost linger0 lastack; do
	"$TCPTRAIL_BIN" -t -d 1 -n "$s-c" -n "$s-s" >"$R/$s.ladder" 2>&1 ||
		fail "tcptrail -t for $s: $(tail -3 "$R/$s.ladder")"
done

args=(linear="$linear" ladders="$R")
for s in $ALL; do
	args+=("$s-c=$(stat -L -c %i "/run/netns/$s-c")" "$s-s=$(stat -L -c %i "/run/netns/$s-s")")
	args+=("$s.app=$(awk '$1 == "result" { print $2 ":" $3 }' "$R/$s.out")")
done
python3 "$TOP/tests/integration/check_why.py" "$R/why.events" "${args[@]}"
