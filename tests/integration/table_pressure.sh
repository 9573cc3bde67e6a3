#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A connection table far too small (conns=64) under hundreds of TIME_WAITs and half-open handshakes: every event without a slot is marked table_full and stats counts exactly those, and once everything has ended table_used is back at its baseline and a new connection gets its slot again.
# Issue 9's "table pressure". Sizes: TT_TABLE_CONNS connections (default
# 300), TT_TABLE_HALFOPEN half-open handshakes (default 100).
. "$(dirname "$0")/lib.sh"

N=${TT_TABLE_CONNS:-300}
H=${TT_TABLE_HALFOPEN:-100}
PORT=7400	# full connections; PORT+1: the half-open ones
out=$TCPTRAIL_OUT/table
mkdir -p "$out"
splat_mark

# Every event kept (no loss, so the counts can be compared exactly).
load conns=64 ring_size=65536
echo "netns all" >$PROC/control
size=$(stat_of table_size)
full0=$(stat_of table_full)
exec 3<$PROC/events

# To PORT+1 the client sends SYNs only: those handshakes stay half-open.
halfopen_pair tp 8 "$H" $((PORT + 1))
workload tp-s server $PORT eof &
server=$!
ip netns exec tp-s python3 "$TOP/tests/integration/halfopen.py" listen 198.18.8.1 $((PORT + 1)) "$H" &
halfsrv=$!
wait_listen tp-s $PORT
wait_listen tp-s $((PORT + 1))
# The baseline: the two listeners hold a slot each.
used0=$(stat_of table_used)
echo "table_size $size, table_used $used0, table_full $full0 before"

# N connections one after the other: each client ends in TIME_WAIT (60 s)
# and keeps its slot, so the table is full after the first few dozen.
start=$(date +%s)
workload tp-c client 198.18.8.1 $PORT -n "$N" >/dev/null || fail "client"
echo "$(date +%T) $N connections done; table_used $(stat_of table_used)"
# H handshakes whose final ACK never arrives, into a full table.
ip netns exec tp-c python3 "$TOP/tests/integration/halfopen.py" connect 198.18.8.1 $((PORT + 1)) "$H" ||
	fail "half-open client"
full1=$(stat_of table_full)
echo "$(date +%T) half-open done; table_used $(stat_of table_used), table_full $full1"

# Everything ends by itself: the TIME_WAITs after 60 s, the request socks
# after their retry; then the table must be back where it was.
for _ in $(seq 150); do
	tw=$(ip netns exec tp-c ss -Htan state time-wait | wc -l)
	rq=$(ip netns exec tp-s ss -Htan state syn-recv | wc -l)
	[ "$tw" = 0 ] && [ "$rq" = 0 ] && break
	sleep 1
done
echo "$(date +%T) $(($(date +%s) - start)) s after the first connection: $tw TIME_WAITs, $rq request socks left"
check "every TIME_WAIT and request sock has ended" test "$tw" = 0 -a "$rq" = 0
# The last timers' events, and a release that may come from the sweep.
for _ in $(seq 40); do
	[ "$(stat_of table_used)" = "$used0" ] && break
	sleep 0.5
done
used1=$(stat_of table_used)

# A new connection once the table has room: its slot, its ISNs, no mark.
workload tp-c client 198.18.8.1 $PORT -n 1 >/dev/null || fail "last client"
sleep 1
$TRAIL drain-fd 3 >"$out/events"
kill "$server" "$halfsrv" 2>/dev/null || true
full2=$(stat_of table_full)
reclaimed=$(stat_of table_reclaimed)
grep -E '^(events\.|table_|overwritten|no_tuple)' $PROC/stats >"$out/stats"

python3 - "$out/events" "$full2" "$((full2 - full0))" $PORT <<'PY' || fail "the events do not add up"
import os, sys
sys.path.insert(0, "%s/tests/integration" % os.environ["TCPTRAIL_TOP"])
import trail
from trail import expect
path, counted, new, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path) as f:
    events, lost = trail.parse(f)
FULL = 0x10
marked = [e for e in events if e["flags"] & FULL]
kinds = {}
for e in marked:
    kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
print("figures: %d events read, %d lost, %d marked table_full (%s); stats table_full %d"
      % (len(events), lost, len(marked), kinds, counted))
expect(lost == 0, "the reader lost nothing (%d)" % lost)
expect(len(marked) > 0, "events were marked table_full")
expect(len(marked) == counted,
       "stats table_full (%d) == the events marked table_full (%d)" % (counted, len(marked)))
expect(new == counted, "all of them during this test (%d new)" % new)
# The last connection, made after every marked event (seq is per CPU: time).
last = max(e["ts_ns"] for e in marked) if marked else 0
after = [e for e in events if e["kind"] == "state" and e["ts_ns"] > last
         and e["dport"] == port and e["new"] == "ESTABLISHED"]
expect(len(after) >= 1, "a connection after the pressure reached ESTABLISHED")
for e in after[-1:]:
    expect(not e["flags"] & FULL and e["isn"] is not None and e["peer_isn"] is not None,
           "and has its slot: ISNs %s/%s, flags %#x" % (e["isn"], e["peer_isn"], e["flags"]))
trail.verdict()
PY
figure connections "$N"
figure halfopen "$H"
figure table_size "$size"
figure table_full "$((full2 - full0))"
figure table_reclaimed "$reclaimed"
figure splats "$(splat_count)"
echo "table_used after: $used1 (before: $used0)"
check "table_used back at its baseline ($used0) once everything ended" test "$used1" = "$used0"
check "the table did fill (table_full $full1 after the connections)" test "$full1" -gt "$full0"
check "no kernel splat" test "$(splat_count)" = 0
