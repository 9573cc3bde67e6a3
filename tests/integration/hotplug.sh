#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CPU 1 taken offline and back while traffic is traced: the events recorded on CPU 1 before stay readable (by new readers and by one opened before), no loss is reported that did not happen, tracing on CPU 1 resumes, no splat.
# Campaign part of issue 9 (rings are per possible CPU). No skipping: a guest
# without CPU hotplug fails here. Sizes: TT_HOTPLUG rounds (default 2).
. "$(dirname "$0")/lib.sh"

rounds=${TT_HOTPLUG:-2}
WORK=$TOP/userspace/tcpwork
CPU1=/sys/devices/system/cpu/cpu1/online
out=$TCPTRAIL_OUT/hotplug
mkdir -p "$out"
splat_mark

[ -e "$CPU1" ] || fail "CPU hotplug is not possible in this guest: no $CPU1" \
	"($(nproc) CPUs online; kernel without CONFIG_HOTPLUG_CPU, or -smp 1?)"
[ "$(cat "$CPU1")" = 1 ] || fail "CPU 1 is not online at the start"

# summary FILE: per CPU "cpu N events E first S last L" and "lost N"
summary() {
	awk '$1 == "lost" { lost += $2; next }
	     $1 ~ /^#/ { next }
	     { n[$4]++; if (!($4 in lo) || $2 < lo[$4]) lo[$4] = $2; if ($2 > hi[$4]) hi[$4] = $2 }
	     END { for (c in n) printf "cpu %s events %d first %d last %d\n", c, n[c], lo[c], hi[c];
	           printf "lost %d\n", lost + 0 }' "$1" | sort
}
count_cpu() {	# count_cpu FILE CPU
	awk -v c="$2" '$1 != "lost" && $1 !~ /^#/ && $4 == c' "$1" | wc -l
}
ids_cpu() {	# ids_cpu FILE CPU: the seqs of CPU's events, sorted
	awk -v c="$2" '$1 != "lost" && $1 !~ /^#/ && $4 == c { print $2 }' "$1" | sort -n
}
lost_of() {
	awk '$1 == "lost" { s += $2 } END { print s + 0 }' "$1"
}
# contiguous FILE: per CPU, the seqs held form one run (a gap is a loss)
contiguous() {
	awk '$1 != "lost" && $1 !~ /^#/ { n[$4]++; if (!($4 in lo) || $2 < lo[$4]) lo[$4] = $2; if ($2 > hi[$4]) hi[$4] = $2 }
	     END { for (c in n) if (hi[c] - lo[c] + 1 != n[c]) { print "cpu " c ": gap"; bad = 1 } exit bad }' "$1"
}

# A ring that holds every round: each round records ~1800 events on CPU 0,
# and a ring that wraps would rightly report a loss to the held reader.
load ring_size=$((4096 * (rounds + 2)))
ip link set lo up
"$WORK" server 7500 eof &
srv=$! traffic=
trap 'kill $srv $traffic 2>/dev/null; echo 1 >$CPU1 2>/dev/null' EXIT
for _ in $(seq 100); do ss -Hltn "sport = :7500" | grep -q LISTEN && break; sleep 0.1; done

total_cpu1=0 total_lost=0 offline_ms_max=0
for r in $(seq "$rounds"); do
	# Traffic on CPU 1, then a reader that has read nothing yet.
	taskset -c 1 "$WORK" client 127.0.0.1 7500 -n 20 || fail "traffic on CPU 1"
	drain >"$out/before.$r"
	n1=$(count_cpu "$out/before.$r" 1)
	echo "round $r: before offlining: $(summary "$out/before.$r" | tr '\n' ' ')"
	check "round $r: events recorded on CPU 1 ($n1)" test "$n1" -gt 0
	exec 3<"$PROC/events"

	# Offline CPU 1 while traffic runs on both CPUs.
	(while :; do "$WORK" client 127.0.0.1 7500 -n 5 2>/dev/null; done) &
	traffic=$!
	sleep 0.5
	t0=$(date +%s%N)
	echo 0 >"$CPU1" || fail "round $r: cannot take CPU 1 offline (echo 0 > $CPU1)"
	ms=$((($(date +%s%N) - t0) / 1000000))
	offline_ms_max=$((ms > offline_ms_max ? ms : offline_ms_max))
	check "round $r: CPU 1 is offline" test "$(cat "$CPU1")" = 0
	sleep 1
	kill "$traffic"
	wait "$traffic" 2>/dev/null || true

	drain >"$out/offline.$r"
	$TRAIL drain-fd 3 >"$out/held.$r"
	exec 3<&-
	echo "round $r: CPU 1 offline, new reader: $(summary "$out/offline.$r" | tr '\n' ' ')"
	echo "round $r: CPU 1 offline, reader opened before: $(summary "$out/held.$r" | tr '\n' ' ')"
	ids_cpu "$out/before.$r" 1 >"$out/ids.before"
	for f in offline held; do
		ids_cpu "$out/$f.$r" 1 >"$out/ids.$f"
		check "round $r: every CPU 1 event recorded before offlining is still readable ($f reader)" \
			bash -c "comm -23 '$out/ids.before' '$out/ids.$f' | wc -l | grep -qx 0"
		check "round $r: no loss reported ($f reader: $(lost_of "$out/$f.$r"))" \
			test "$(lost_of "$out/$f.$r")" = 0
		check "round $r: no gap in any CPU's sequence ($f reader)" contiguous "$out/$f.$r"
	done

	# Back online: tracing on CPU 1 goes on where it was.
	echo 1 >"$CPU1" || fail "round $r: cannot bring CPU 1 back online"
	check "round $r: CPU 1 is online again" test "$(cat "$CPU1")" = 1
	last=$(tail -n 1 "$out/ids.offline")
	taskset -c 1 "$WORK" client 127.0.0.1 7500 -n 10 || fail "traffic on CPU 1 after onlining"
	drain >"$out/after.$r"
	echo "round $r: CPU 1 back: $(summary "$out/after.$r" | tr '\n' ' ')"
	new=$(awk -v c=1 -v l="${last:--1}" '$1 != "lost" && $1 !~ /^#/ && $4 == c && $2 > l' "$out/after.$r" | wc -l)
	check "round $r: new events on CPU 1 after onlining ($new)" test "$new" -gt 0
	check "round $r: no loss reported after onlining" test "$(lost_of "$out/after.$r")" = 0
	check "round $r: no gap in any CPU's sequence after onlining" contiguous "$out/after.$r"
	total_cpu1=$(count_cpu "$out/after.$r" 1)
	total_lost=$((total_lost + $(lost_of "$out/after.$r") + $(lost_of "$out/offline.$r") + $(lost_of "$out/held.$r")))
done
overwritten=$(awk '$1 == "overwritten" { print $2 }' "$PROC/stats")
figure hotplug_rounds "$rounds"
figure events_cpu1 "$total_cpu1"
figure losses "$total_lost"
figure offline_ms_max "$offline_ms_max"
figure splats "$(splat_count)"
check "nothing overwritten ($overwritten)" test "$overwritten" = 0
check "rmmod after hotplug returns within 30 s" timed_rmmod 30
check "no kernel splat" test "$(splat_count)" = 0
