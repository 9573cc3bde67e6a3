#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Namespaces created and destroyed with live connections, TIME_WAITs and open tcptrail files in them ('netns all' on for half): every TIME_WAIT purged with its namespace gets its tw_exit (cause netns), table_used returns to its baseline, no splat.
# Issue 9: defect 6 (20 TIME_WAITs purged with their netns gave 20 tw_enter,
# 0 tw_exit; table_used stayed up), and the netns-churn part of the campaign.
# Sizes: TT_NETNS namespaces (default 40, campaign 500), TT_TW TIME_WAITs in
# each (4) and in the one counted exactly (20), TT_PAR at once (4).
. "$(dirname "$0")/lib.sh"

total=${TT_NETNS:-40}
tw=${TT_TW:-4}
[ "$tw" -ge 2 ] || fail "TT_TW must be 2 or more"
par=${TT_PAR:-4}
WORK=$TOP/userspace/tcpwork
out=$TCPTRAIL_OUT/netns_churn
mkdir -p "$out"
splat_mark

# one_ns NAME TW [open]: a namespace with a listener, TW connections left
# in TIME_WAIT on the client side, two orphaned FIN_WAIT2s whose peer is
# killed with the namespace, and (with "open") its events file held open
# by this shell through the deletion; then delete it. Writes NAME.tw (the
# TIME_WAITs ss saw just before) and NAME.ino.
one_ns() {
	local ns=$1 n=$2 holder s1 s2 fd in
	in=(nsenter "--net=/run/netns/$ns")	# lighter than ip netns exec
	ip netns add "$ns" || return 1
	"${in[@]}" ip link set lo up
	"${in[@]}" sleep 1000 &
	holder=$!
	"${in[@]}" "$WORK" server 7400 eof &
	s1=$!
	"${in[@]}" "$WORK" server 7401 never &
	s2=$!
	exec {fd}<"/proc/$holder/net/tcptrail/events" || return 1
	# the first connection also waits for the listener
	for _ in $(seq 100); do
		"${in[@]}" "$WORK" client 127.0.0.1 7400 2>/dev/null && break
		sleep 0.1
	done
	"${in[@]}" "$WORK" client 127.0.0.1 7400 -n $((n - 1)) || return 1
	if [ "${3:-}" != exact ]; then
		for _ in $(seq 100); do
			"${in[@]}" "$WORK" client 127.0.0.1 7401 -n 2 --close-now 2>/dev/null && break
			sleep 0.1
		done
	fi
	sleep 0.2
	"${in[@]}" ss -Htan state time-wait | wc -l >"$out/$ns.tw"
	stat -L -c %i "/run/netns/$ns" >"$out/$ns.ino"
	kill "$holder" "$s1" "$s2" || true
	wait "$holder" "$s1" "$s2" 2>/dev/null || true
	ip netns del "$ns"
	exec {fd}<&-
	return 0
}

# netns_settle: every namespace deleted so far has been cleaned up:
# cleanup_net takes them in order, so once a veth whose peer lives in a
# namespace deleted after them is gone, so are they (30 s at most).
netns_settle() {
	ip netns add ttc-probe
	ip link add ttc-pr0 type veth peer ttc-pr1 netns ttc-probe
	ip netns del ttc-probe
	for _ in $(seq 300); do
		ip link show ttc-pr0 >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}

load ring_size=8192
base=$(stat_of table_used)
echo "table_used at load: $base"
cat "$PROC/events" >"$out/init.events" &
reader=$!

# 1. The exact count: one namespace, 'netns all' on, TIME_WAITs only.
echo "netns all" >"$PROC/control"
one_ns ttc-exact "${TT_TW_EXACT:-20}" exact || fail "namespace ttc-exact"
check "the namespaces before are cleaned up (cleanup_net ran)" netns_settle
sleep 1
ino=$(cat "$out/ttc-exact.ino")
n=$(cat "$out/ttc-exact.tw")
enter=$(awk -v i="$ino" '$1 == "tw_enter" && $5 == i' "$out/init.events" | wc -l)
exits=$(awk -v i="$ino" '$1 == "tw_exit" && $5 == i && $28 == "netns"' "$out/init.events" | wc -l)
anyexit=$(awk -v i="$ino" '$1 == "tw_exit" && $5 == i' "$out/init.events" | wc -l)
echo "ttc-exact: $n TIME_WAITs at deletion; tw_enter $enter, tw_exit $anyexit ($exits cause netns)"
figure tw_purged "$n"
figure tw_exit_netns "$exits"
check "the namespace had TIME_WAITs ($n)" test "$n" -ge "${TT_TW_EXACT:-20}"
check "one tw_enter per TIME_WAIT ($enter == $n)" test "$enter" = "$n"
check "one tw_exit with cause netns per TIME_WAIT purged with the namespace ($exits == $n)" \
	test "$exits" = "$n"

# 2. The churn: the first half with 'netns all' on, the second with it off,
# TT_PAR namespaces at a time, each with its events file held open.
made=0
for half in all own; do
	echo "netns $half" >"$PROC/control"
	[ "$half" = all ] && count=$((total / 2)) || count=$((total - total / 2))
	i=0
	while [ $i -lt $count ]; do
		jobs_=()
		for _ in $(seq "$par"); do
			[ $i -lt $count ] || break
			i=$((i + 1))
			made=$((made + 1))
			one_ns "ttc$made" "$tw" open >"$out/ttc$made.log" 2>&1 &
			jobs_+=($!)
		done
		for j in "${jobs_[@]}"; do
			wait "$j" || fail "a namespace failed: $(cat "$out"/ttc*.log | tail -5)"
		done
	done
	check "the $half half's namespaces are cleaned up" netns_settle
done
echo "netns own" >"$PROC/control"

# 3. Afterwards: table back to its baseline, no loss, clean log.
used=
for _ in $(seq 100); do
	used=$(stat_of table_used)
	[ "$used" -le "$base" ] && break
	sleep 0.2
done
kill "$reader" 2>/dev/null || true
wait "$reader" 2>/dev/null || true
lost=$(awk '$1 == "lost" { s += $2 } END { print s + 0 }' "$out/init.events")
events=$(grep -cv '^lost ' "$out/init.events" || true)
twall=$(awk '$1 == "tw_enter" && $5 != "'"$(stat -L -c %i /proc/1/ns/net)"'"' "$out/init.events" | wc -l)
twexit=$(awk '$1 == "tw_exit" && $5 != "'"$(stat -L -c %i /proc/1/ns/net)"'"' "$out/init.events" | wc -l)
echo "namespaces $((made + 1)), events $events, lost $lost, table_used $used (baseline $base)," \
	"tw_enter $twall, tw_exit $twexit in the 'netns all' stream"
figure namespaces $((made + 1))
figure events "$events"
figure losses "$lost"
figure table_leak $((used - base))
figure splats "$(splat_count)"
check "table_used back to its baseline $base (now $used)" test "$used" -le "$base"
check "every TIME_WAIT seen entering in the 'netns all' stream left it ($twall, $twexit)" \
	test "$twall" = "$twexit"
check "the initial netns's reader lost nothing ($lost)" test "$lost" = 0
check "no kernel splat" test "$(splat_count)" = 0
