#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Half-open handshakes whose SYN-ACK retries run out give their table slot back and each get a req_drop with its cause (issue 9, defect 1).
. "$(dirname "$0")/lib.sh"

N=${TT_HALFOPEN:-200}
PORT=7100
echo "$(date +%T) setting up"
# syn_recv, synack_retrans and req_drop per handshake, possibly all on one
# CPU: a ring big enough to keep them all.
ring=4096
while [ "$ring" -lt $((N * 4)) ] && [ "$ring" -lt 1048576 ]; do ring=$((ring * 2)); done
load ring_size=$ring
halfopen_pair rq 7 "$N"
# A namespace records once its files are opened.
ip netns exec rq-s cat $PROC/control >/dev/null
ip netns exec rq-c ping -c1 -W2 198.18.7.1 >/dev/null || fail "ping"

ip netns exec rq-s python3 "$TOP/tests/integration/halfopen.py" listen 198.18.7.1 $PORT "$N" &
wait_listen rq-s $PORT
sleep 0.5

used0=$(stat_of table_used)
echo "$(date +%T) table_used before: $used0"

start=$(date +%s)
ip netns exec rq-c python3 "$TOP/tests/integration/halfopen.py" connect 198.18.7.1 $PORT "$N" ||
	fail "half-open client"

echo "$(date +%T) client done"
seen=$(ip netns exec rq-s ss -Hn state syn-recv "sport = :$PORT" | wc -l)
echo "request socks after the client: $seen"
# Wait until the server's request socks have all expired: none left, and at
# least the retry timers' 1 + 2 s since the last SYN (in case ss missed them).
for i in $(seq 120); do
	left=$(ip netns exec rq-s ss -Hn state syn-recv "sport = :$PORT" | wc -l)
	[ "$left" = 0 ] && [ $(($(date +%s) - start)) -ge 5 ] && break
	[ $((i % 10)) = 1 ] && echo "request socks left: $left"
	sleep 0.5
done
check "the server's request socks all expired" test "$left" = 0
echo "$(date +%T) expired after about $(($(date +%s) - start)) s"
# Timer slack, and a release that may come from a periodic sweep: give the
# table up to TT_REQSK_SETTLE seconds (default 10) to get back to its baseline.
for _ in $(seq $((${TT_REQSK_SETTLE:-10} * 2))); do
	[ "$(stat_of table_used)" = "$used0" ] &&
		[ "$(stat_of events.req_drop rq-s)" = "$N" ] && break
	sleep 0.5
done
used1=$(stat_of table_used)
echo "table_used after: $used1 (before: $used0)"
ip netns exec rq-s cat $PROC/stats | grep -E '^(events\.|table_|no_tuple|missed\.)' |
	tee "$TCPTRAIL_OUT/reqsk.stats"

# Every verdict is printed before the test fails: the log is the evidence.
bad=0
verify() {	# verify DESCRIPTION COMMAND...: like check, but carries on
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; bad=$((bad + 1)); fi
}
verify "table_used back at its value before the test ($used0)" test "$used1" = "$used0"
verify "stats: $N syn_recv in the server netns" test "$(stat_of events.syn_recv rq-s)" = "$N"
verify "stats: $N req_drop in the server netns" test "$(stat_of events.req_drop rq-s)" = "$N"
# The server netns's events, drained and checked in one python.
if ip netns exec rq-s python3 - "$TCPTRAIL_OUT/reqsk.events" "$N" $PORT <<'PY'
import collections, os, sys
sys.path.insert(0, "%s/tests/integration" % os.environ["TCPTRAIL_TOP"])
import trail
fd, text = os.open("/proc/net/tcptrail/events", os.O_RDONLY | os.O_NONBLOCK), b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        break
    if not chunk:
        break
    text += chunk
with open(sys.argv[1], "wb") as f:
    f.write(text)
with open(sys.argv[1]) as f:
    events, lost = trail.parse(f)
n, port = int(sys.argv[2]), int(sys.argv[3])
mine = [e for e in events if e["sport"] == port]
syn = [e for e in mine if e["kind"] == "syn_recv"]
drop = [e for e in mine if e["kind"] == "req_drop"]
child = [e for e in mine if e["kind"] == "state" and e["old"] != "CLOSE"]
print("events: %d syn_recv, %d synack_retrans, %d req_drop, %d child state, lost %d" % (
    len(syn), sum(e["kind"] == "synack_retrans" for e in mine), len(drop), len(child), lost))
print("req_drop causes:", dict(collections.Counter(e["cause"] for e in drop)))
trail.expect(lost == 0, "no events lost")
trail.expect(len(syn) == n, "%d syn_recv events" % n)
trail.expect(not child, "no child socket was ever created")
trail.expect(len(drop) == n, "exactly %d req_drop events" % n)
trail.expect(drop and all(e["cause"] != "-" for e in drop), "every req_drop has its cause")
trail.expect({e["cookie"] for e in drop} == {e["cookie"] for e in syn},
             "one req_drop per request sock (cookies of the syn_recv events)")
trail.expect(all(e["isn"] is not None and e["peer_isn"] is not None for e in drop),
             "req_drop events carry both ISNs")
arrived = {e["cookie"]: e["ts_ns"] for e in syn}
trail.expect(all(e["ts_ns"] - arrived.get(e["cookie"], e["ts_ns"]) >= 2.5e9 for e in drop),
             "each req_drop comes after the SYN-ACK retry timers (>= 2.5 s after its SYN)")
trail.verdict()
PY
then :; else bad=$((bad + 1)); fi
[ "$bad" = 0 ] || fail "$bad checks failed"
