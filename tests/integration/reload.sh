#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load/read/unload TT_CYCLES times under an IPv4+IPv6 connection storm pinned to CPU 0 (loopback and a netns pair), with readers in read(), poll(), epoll, select() on writefds and exceptfds, a SIGSTOPped poller, and racing control writes: no crash, every rmmod returns within 30 s, every reader ends.
# Defect 0 of issue 9: 6.1 panicked in a kretprobe trampoline after 5-40 cycles.
# Sizes: TT_CYCLES (default 6, campaign 100), TT_READ_SECS per cycle (1).
. "$(dirname "$0")/lib.sh"

cycles=${TT_CYCLES:-6}
secs=${TT_READ_SECS:-1}
out=$TCPTRAIL_OUT/reload
mkdir -p "$out"
BIN=$TCPTRAIL_BIN
WORK=$TOP/userspace/tcpwork
splat_mark

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# The storm, all on CPU 0: python v4+v6 loop, and tcpwork's C client (v4).
taskset -c 0 python3 "$TOP/tests/integration/storm.py" --port 7300 \
	--count-file "$out/storm.count" &
pids+=($!)
taskset -c 0 "$WORK" server 7310 eof &
pids+=($!)
wait_listen_here() {
	for _ in $(seq 100); do
		ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
		sleep 0.1
	done
	fail "nothing listens on port $1"
}
wait_listen_here 7300
wait_listen_here 7301
wait_listen_here 7310
(while :; do taskset -c 0 "$WORK" client 127.0.0.1 7310 -n 200 2>/dev/null; done) &
pids+=($!)
# and across a veth pair of namespaces (seen with `netns all`)
pair rl 9
taskset -c 0 ip netns exec rl-s "$WORK" server 7320 eof &
pids+=($!)
wait_listen rl-s 7320
(while :; do taskset -c 0 ip netns exec rl-c "$WORK" client 198.18.9.1 7320 -n 200 2>/dev/null; done) &
pids+=($!)

events=0 losses=0 max_ms=0 insmod_max=0 done_cycles=0
for i in $(seq "$cycles"); do
	t0=$(date +%s%N)
	load
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -gt "$insmod_max" ] && insmod_max=$ms
	readers=()
	cat "$PROC/events" >"$out/cat" 2>/dev/null &
	readers+=($!)
	"$BIN" -o json >"$out/json" 2>/dev/null &
	readers+=($!)
	# poller.py's readers (one process): poll and epoll end by themselves;
	# select() on writefds or exceptfds only and a stopped poller may stay
	# for ever, and rmmod must not wait for them
	pdir=$out/pollers
	rm -rf "$pdir" && mkdir -p "$pdir"
	p0=$SECONDS
	start_pollers "$pdir" "poll:$PROC/raw" "epoll:$PROC/raw" \
		"select-w:$PROC/events" "select-x:$PROC/events" "stopped:$PROC/events"
	readers+=("$POLLER_PID")
	up=$((SECONDS - p0))
	# control writes racing with the readers and with the unload
	(for _ in $(seq 50); do
		for cmd in "port 7300,7301" reset "netns all"; do
			{ echo "$cmd" >"$PROC/control"; } 2>/dev/null || true
		done
		sleep 0.05
	done) &
	writer=$!
	sleep "$secs"
	if ! timed_rmmod 30; then
		echo "cycle $i: rmmod still blocked after ${RMMOD_MS} ms; killing the readers"
		kill -9 "${readers[@]}" "$writer" 2>/dev/null || true
		bg_wait "$RMMOD_PID" 30 || echo "rmmod still blocked with the readers gone"
		fail "cycle $i: rmmod did not return within 30 s"
	fi
	[ "$RMMOD_MS" -gt "$max_ms" ] && max_ms=$RMMOD_MS
	# What cannot see the end by itself is told: the stopped poller runs
	# again, the selects that do not wait for input are killed.
	kill -CONT "$(cat "$pdir/stopped.0")"
	kill -TERM "$(cat "$pdir/select-w.0")" "$(cat "$pdir/select-x.0")" 2>/dev/null || true
	e0=$SECONDS
	for r in "${readers[@]}"; do
		bg_wait "$r" 10 || fail "cycle $i: reader $r ($(tr '\0' ' ' </proc/$r/cmdline)) still running 10 s after rmmod"
	done
	ended=$((SECONDS - e0))
	kill "$writer" 2>/dev/null || true
	wait "$writer" 2>/dev/null || true
	n=$(grep -cv '^lost ' "$out/cat" || true)
	l=$(awk '$1 == "lost" { s += $2 } END { print s + 0 }' "$out/cat")
	events=$((events + n))
	losses=$((losses + l))
	done_cycles=$i
	echo "[$SECONDS s] cycle $i: $n events, $l lost, insmod $ms ms, rmmod ${RMMOD_MS} ms, pollers up in $up s, readers ended in $ended s, storm: $(cat "$out/storm.count" 2>/dev/null)"
done

cleanup
trap - EXIT
sleep 0.5
read -r _ v4 _ v6 _ errs <"$out/storm.count" || fail "no storm count"
pairs=$(ip netns exec rl-s awk '$1 == "Tcp:" && $2 ~ /^[0-9]+$/ { print $7 }' /proc/net/snmp)
figure cycles "$done_cycles"
figure events "$events"
figure losses "$losses"
figure connections $((v4 + v6 + pairs))
figure rmmod_max_ms "$max_ms"
figure insmod_max_ms "$insmod_max"
figure splats "$(splat_count)"
check "the storm made IPv4 and IPv6 connections all along ($v4, $v6)" \
	test "$v4" -gt "$cycles" -a "$v6" -gt "$cycles"
check "and across the netns pair ($pairs)" test "$pairs" -gt "$cycles"
check "the readers saw events ($events)" test "$events" -gt 0
check "module gone" bash -c "! test -d $PROC"
check "no kernel splat" test "$(splat_count)" = 0
