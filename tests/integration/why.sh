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
# Then, all at once (each waits on its own timers), with a scripted peer
# (peer.py, scapy) where sequence numbers must be exact:
#   synack     a scripted client ignores the first SYN-ACK: the server's
#              timer sends it again 1 s later (synack_retrans 1)
#   ackloss    the client's last ACK of the handshake dropped (tc): the
#              server sends its SYN-ACK again at 1 s, the client's
#              challenge ACK completes it
#   twrst0/1   an RST, in window, into the client's TIME_WAIT:
#              tcp_rfc1337=0 kills it (tw_exit rst), =1 keeps it (then
#              ss -K ends it: tw_exit abort)
#   cross      simultaneous open and close: SYNs and then FINs cross
#              (netem 250 ms each way): SYN_SENT -> SYN_RECV ->
#              ESTABLISHED, FIN_WAIT1 -> CLOSING -> TIME_WAIT on both sides
#   zerowin    a scripted server offers a zero window and never answers:
#              zero-window probes, tcp_retries2=3, probe0_timeout
#   sskill     ss -K on the client: RST and CLOSE with cause abort
#   dataclose  data reaching a client that shut down both ways: the kernel
#              aborts (data_after_close, not a received RST) and resets
#   linger2    close() in FIN_WAIT2 with TCP_LINGER2 -1: RST at once
#              (6.12's reason TCP_ABORT_ON_LINGER), fin_wait2_timeout
# The reader's ladders of blackhole, synlost, linger0 and lastack draw
# those retransmits and RSTs where they happened, with the causes.
. "$(dirname "$0")/lib.sh"

WHY="python3 $TOP/tests/integration/why.py"
# The kernel's own module autoload cannot reach the chroot's modprobe: tc's
# clsact, u32 and drop (ackloss), ss -K's sock_diag (sskill, twrst1).
modprobe -a sch_ingress cls_u32 act_gact inet_diag tcp_diag || fail "modprobe"
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

R=$TCPTRAIL_OUT
# The scripted peers at 198.18.N.3, an address neither kernel owns: its
# side's neighbour entry points at the peer's veth. python3-scapy is
# Debian's (/usr/bin/python3); it starts slowly, so the peers start first.
mac() { ip -n "$1" -br link show "$2" | awk '{ print $3 }'; }
# peer NAME SIDE MODE ISN [GO]: a peer on SIDE (c or s) of pair NAME (a
# client waits for GO to go away); PEER is its pid.
peer() {
	local name=$1 side=$2 mode=$3 isn=$4 n=${NUM[$1]} other
	other=$([ "$side" = c ] && echo s || echo c)
	ip -n "$name-$other" neigh replace "198.18.$n.3" \
		lladdr "$(mac "$name-$side" "$name-${side}0")" nud permanent dev "$name-${other}0"
	ip netns exec "$name-$side" /usr/bin/python3 "$TOP/tests/integration/peer.py" "$mode" \
		"$name-${side}0" "$(mac "$name-$side" "$name-${side}0")" \
		"$(mac "$name-$other" "$name-${other}0")" "198.18.$n.3" \
		"198.18.$n.$([ "$side" = c ] && echo 1 || echo 2)" 7100 "$isn" ${5:-} \
		>"$R/$name.peer" 2>&1 &
	PEER=$!
}
echo "$(date +%T) set-up"
N=21
declare -A NUM
OLD="blackhole refused synlost linger0 unread rto keepalive usertmo orphan epipe lastack"
NEW="synack ackloss twrst0 twrst1 cross zerowin sskill dataclose linger2"
# The peers' pairs first: the peers load while the rest is set up.
ALL="synack twrst0 twrst1 zerowin"
for s in $ALL $OLD $NEW; do
	case " $ALL " in *" $s "*) [ -n "${NUM[$s]:-}" ] && continue ;; esac
	NUM[$s]=$N
	wpair "$s" "$N"
	N=$((N + 1))
	case $s in
	synack)
		sgo=$(mktemp /tmp/why-go.XXXXXX)
		peer synack c synack 2000000000 "$sgo"	# the client's ISN
		speer=$PEER ;;
	twrst0) peer twrst0 s twrst 3000000000; t0peer=$PEER ;;
	twrst1) peer twrst1 s twrst 3100000000; t1peer=$PEER ;;
	zerowin) peer zerowin s zerowin 4000000000; zpeer=$PEER ;;
	esac
done
ALL="$OLD $NEW"
echo "$(date +%T) $((N - 21)) pairs"
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
ip netns exec twrst0-c sysctl -qw net.ipv4.tcp_rfc1337=0
ip netns exec twrst1-c sysctl -qw net.ipv4.tcp_rfc1337=1
ip netns exec zerowin-c sysctl -qw net.ipv4.tcp_retries2=3
# server NAME MODE: the server of pair NAME on port 7100: tcpwork's eof (an
# orderly close) and never (held open, never read), else why.py's MODE.
server() {
	case $2 in
	eof|never) ip netns exec "$1-s" "$TOP/userspace/tcpwork" server 7100 "$2" & ;;
	*) ip netns exec "$1-s" $WHY server 7100 "$2" & ;;
	esac
}
# The ISNs in the server's trail are the peer's (synack) or the client's.
for s in synack:eof ackloss:greet sskill:never dataclose:late linger2:never; do
	server "${s%:*}" "${s#*:}"
done

for s in synlost:eof linger0:linger0 unread:unread rto:never keepalive:never usertmo:never \
	orphan:never epipe:finrst lastack:eof; do
	server "${s%:*}" "${s#*:}"
	wait_listen "${s%:*}-s" 7100
done

echo "$(date +%T) scenarios, one at a time (a busy guest runs TCP's timers late)"
cut blackhole
client blackhole "${NUM[blackhole]}" "$R/blackhole.out"
# synlost: the client's SYNs (flags byte 0x02 at 20 + 13) counted by tc's
# gact "determ": the first dropped, the second passed. No timing: a busy
# host cannot mend the link too late.
ip netns exec synlost-c tc qdisc add dev synlost-c0 clsact
ip netns exec synlost-c tc filter add dev synlost-c0 egress protocol ip prio 1 u32 \
	match ip protocol 6 0xff match u8 0x02 0xff at 33 \
	action gact drop random determ pass 2 || fail "tc gact on synlost-c0"
client synlost "${NUM[synlost]}" "$R/synlost.out" --send 1 --close-first
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

# ready FILE: wait for a peer to print "ready" (scapy loaded).
ready() {
	for _ in $(seq 1200); do
		grep -q '^ready' "$1" && return 0
		sleep 0.1
	done
	fail "peer $1 never got ready: $(cat "$1")"
}

echo "$(date +%T) scenarios, all at once"
for s in synack ackloss sskill dataclose linger2; do wait_listen "$s-s" 7100; done
JOBS=("$speer" "$t0peer" "$t1peer")
ready "$R/synack.peer"
rm -f "$sgo"	# the scripted client's SYN; it ignores the first SYN-ACK
# ackloss: the client's bare ACKs (flags byte 0x10 at 20 + 13) dropped
# until its connect() has returned, well before the server's 1 s timer.
ip netns exec ackloss-c tc qdisc add dev ackloss-c0 clsact
# The second passes whatever (gact determ): the challenge ACK that answers
# the SYN-ACK sent again, even when the filter goes late.
ip netns exec ackloss-c tc filter add dev ackloss-c0 egress protocol ip prio 1 u32 \
	match ip protocol 6 0xff match u8 0x10 0xff at 33 \
	action gact drop random determ pass 2 || fail "tc u32 on ackloss-c0"
BREAK="ip netns exec ackloss-c tc qdisc del dev ackloss-c0 clsact" \
	broken ackloss "${NUM[ackloss]}" "$R/ackloss.out" --recv-first --close-first
JOBS+=($!)
# twrst0/1: the client closes first towards the peer, which resets its
# TIME_WAIT 0.3 s after the last ACK.
for s in twrst0 twrst1; do
	ready "$R/$s.peer"
	ip netns exec "$s-c" $WHY client "198.18.${NUM[$s]}.3" 7100 --close-first >"$R/$s.out" 2>&1 &
	JOBS+=($!)
done
# cross: 250 ms each way; one process connects both ends at once, and
# closes both once connected.
n=${NUM[cross]}
ip netns exec cross-c tc qdisc add dev cross-c0 root netem delay 250ms
ip netns exec cross-s tc qdisc add dev cross-s0 root netem delay 250ms
ip netns exec cross-c $WHY cross "198.18.$n.2" 7101 "198.18.$n.1" 7100 cross-s \
	>"$R/cross.out" 2>&1 &
JOBS+=($!)
# zerowin: data into a closed window; the peer never answers a probe.
ready "$R/zerowin.peer"
ip netns exec zerowin-c $WHY client "198.18.${NUM[zerowin]}.3" 7100 --send 1000 \
	>"$R/zerowin.out" 2>&1 &
zpid=$!
# sskill: ss -K kills the client's connection while it waits in recv().
BREAK="ip netns exec sskill-c ss -K dst 198.18.${NUM[sskill]}.1 dport = :7100" \
	broken sskill "${NUM[sskill]}" "$R/sskill.out"
JOBS+=($!)
client dataclose "${NUM[dataclose]}" "$R/dataclose.out" --shut-all 1.5 &
JOBS+=($!)
client linger2 "${NUM[linger2]}" "$R/linger2.out" --linger2-off 0.3 &
JOBS+=($!)
# twrst1: the TIME_WAIT is still there 1 s after the RST; then ss -K.
for _ in $(seq 300); do [[ $(<"$R/twrst1.peer") == *$'\ntx '*' R '* ]] && break; sleep 0.05; done
sleep 1
tw1=$(ip netns exec twrst1-c ss -Htan state time-wait dst "198.18.${NUM[twrst1]}.3" | wc -l)
ip netns exec twrst1-c ss -K state time-wait dst "198.18.${NUM[twrst1]}.3" >/dev/null
for j in "${JOBS[@]}"; do wait "$j" || echo "job $j: status $?"; done
wait "$zpid" || true
sleep 0.5
kill "$zpeer" 2>/dev/null || true
echo "$(date +%T) done"
for s in $ALL; do
	[ -e "$R/$s.out" ] || echo "result none 0" >"$R/$s.out"
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

for s in synack twrst0 twrst1 zerowin; do
	echo "$s peer:"
	sed 's/^/    /' "$R/$s.peer"
done
reasons=0
case $(uname -r) in 6.1.*) ;; *) reasons=1 ;; esac

args=(linear="$linear" ladders="$R" reasons="$reasons" twrst1.tw="$tw1")
for s in $ALL; do
	args+=("$s-c=$(stat -L -c %i "/run/netns/$s-c")" "$s-s=$(stat -L -c %i "/run/netns/$s-s")")
	args+=("$s.app=$(awk '$1 == "result" { print $2 ":" $3 }' "$R/$s.out" | head -n 1)")
done
for s in synack twrst0 twrst1 zerowin; do args+=("$s.peer=$R/$s.peer"); done
printf '%s\n' "${args[@]}" >"$R/why.args"	# check_why.py "$R/why.events" $(cat why.args)
python3 "$TOP/tests/integration/check_why.py" "$R/why.events" "${args[@]}"
