#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tcptrail reader against the real module: run -- curl follows both
# sides, keeps curl's exit status and (-O) its stdout, JSON parses and
# agrees with the /proc text; a missing module is a clear error.
. "$(dirname "$0")/lib.sh"

BIN=$TCPTRAIL_BIN
load
serve 127.0.0.1 8010
out=$TCPTRAIL_OUT/reader
$BIN run -o json --wait 1 -- curl -s -o /dev/null http://127.0.0.1:8010/ >"$out.json" ||
	fail "tcptrail run -- curl failed ($?)"
drain >"$out.events"
python3 - "$out.json" "$out.events" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["TCPTRAIL_TOP"] + "/tests/integration")
import trail
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
with open(sys.argv[2]) as f:
    text, _ = trail.parse(f)
expect = trail.expect
states = [r for r in recs if r["event"] == "state"]
client = [r for r in states if r["comm"] == "curl"]
server = [r for r in states if r["comm"] == "python3" and r["old"] != "CLOSE"]
expect(len(recs) > 0 and all("pos" in r and "ts_ns" in r and "time" in r for r in recs),
       "every JSON line parses and has pos, ts_ns, time")
expect([r["new"] for r in client][:2] == ["SYN_SENT", "ESTABLISHED"] and client[-1]["new"] == "CLOSE",
       "run follows curl's connection from SYN_SENT to CLOSE")
expect(any(r["old"] == "SYN_RECV" and r["new"] == "ESTABLISHED" for r in server),
       "run follows the server side of curl's connection")
expect(any(r["event"] == "syn_recv" for r in recs), "run includes the server's SYN arrival")
by_id = {(e["cpu"], e["seq"]): e for e in text}
same = 0
for r in recs:
    if r["event"] == "lost":
        continue
    t = by_id.get((r["cpu"], r["pos"]))  # the reader's pos is the events file's seq
    if t is None:
        continue
    keys = ["cookie", "sport", "dport", "ts_ns", "dur_ns", "snd_una", "snd_nxt", "rcv_nxt", "netns"]
    ok = all(r[k] == t[k] for k in keys) and r["isn"] == t["isn"] and r["peer_isn"] == t["peer_isn"]
    ok = ok and r["saddr"] == t["saddr"] and r["daddr"] == t["daddr"]
    expect(ok, "JSON %s pos %d agrees with /proc text" % (r["event"], r["pos"]))
    same += 1
expect(same == len([r for r in recs if r["event"] != "lost"]), "every JSON event is in the /proc text (%d)" % same)
if trail.FAILED:
    raise SystemExit(1)
PY
set +e
$BIN run --wait 0 -- curl -s -o /dev/null http://127.0.0.1:1/ >/dev/null 2>&1
rc=$?
set -e
check "run exits with curl's status (7: connection refused), got $rc" test "$rc" = 7
# -O: curl's page alone on stdout, the trail alone in the file.
$BIN run -o json --wait 1 -O "$out.run-O.json" -- curl -s http://127.0.0.1:8010/ \
	>"$out.run-O.stdout" || fail "tcptrail run -O FILE -- curl failed ($?)"
check "run -O: curl's stdout is the page, with no trail in it" python3 - "$out.run-O.stdout" <<'PY'
import sys
page = open(sys.argv[1]).read()
sys.exit(0 if page.startswith("<!DOCTYPE HTML") and "Directory listing" in page and
         '"event"' not in page else 1)
PY
check "run -O: the file has the trail (curl's SYN_SENT .. CLOSE), JSON only" \
	curl_trail_json "$out.run-O.json"
# hist over real connections: three curls, each measured once on both ends.
$BIN hist -N -d 6 -p 8010 >"$out.hist" 2>&1 &
hist=$!
for _ in $(seq 50); do
	grep -qE '^readers [1-9]' "$PROC/stats" && break
	sleep 0.1
done
for _ in 1 2 3; do curl -s -o /dev/null http://127.0.0.1:8010/; done
wait "$hist" || fail "tcptrail hist failed: $(cat "$out.hist")"
cat "$out.hist"
check "hist: three connect latencies measured" \
	grep -q 'connect latency (SYN_SENT -> ESTABLISHED), 3 measured' "$out.hist"
check "hist: three server handshakes, from the SYN arrival" \
	grep -q 'server handshake (SYN arrival -> ESTABLISHED), 3 measured' "$out.hist"
# Pictures of live records: run --plot draws curl's connections; plot
# --ladder, reading the ring, draws the next connection's ladder.
$BIN run --wait 1 --plot "$out.run.svg" -- curl -s -o /dev/null http://127.0.0.1:8010/ \
	>/dev/null || fail "tcptrail run --plot -- curl failed ($?)"
check "run --plot: well-formed SVG" xmllint --noout "$out.run.svg"
check "run --plot: a row for curl's connection and one for the server's end" bash -c \
	"grep -Eq '127.0.0.1:[0-9]+ -&gt; 127.0.0.1:8010 curl' '$out.run.svg' &&
	 grep -Eq '127.0.0.1:8010 -&gt; 127.0.0.1:[0-9]+ python3' '$out.run.svg'"
$BIN plot -N -d 4 -p 8010 --ladder >"$out.ladder.svg" 2>"$out.ladder.err" &
plot=$!
for _ in $(seq 50); do
	grep -qE '^readers [1-9]' "$PROC/stats" && break
	sleep 0.1
done
curl -s -o /dev/null http://127.0.0.1:8010/
wait "$plot" || fail "tcptrail plot --ladder failed: $(cat "$out.ladder.err")"
check "plot --ladder: well-formed SVG" xmllint --noout "$out.ladder.svg"
check "plot --ladder: both ends, the handshake and both FINs drawn" bash -c \
	"grep -q '>client 127.0.0.1:' '$out.ladder.svg' && grep -q '>server 127.0.0.1:8010<' '$out.ladder.svg' &&
	 grep -q '>SYN seq=0<' '$out.ladder.svg' && grep -q '>SYN-ACK seq=0 ack=1<' '$out.ladder.svg' &&
	 [ \$(grep -c 'middle\">FIN seq=' '$out.ladder.svg') -ge 2 ]"
$BIN stats >"$out.stats"
check "tcptrail stats shows the hook mode" grep -q 'hook_mode' "$out.stats"
rmmod tcptrail
set +e
msg=$($BIN 2>&1)
rc=$?
set -e
echo "$msg"
check "module missing: non-zero exit" test "$rc" -ne 0
check "module missing: says how to load it" bash -c "grep -q 'insmod' <<<'$msg'"
