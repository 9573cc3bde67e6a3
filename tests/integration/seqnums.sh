#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The two completed events carry the connection's own sequence numbers: child LISTEN->SYN_RECV snd_nxt=isn+1 rcv_nxt=peer_isn+1, client CLOSE->SYN_SENT snd_una=isn snd_nxt=isn+1 (issue 9, defect 8).
. "$(dirname "$0")/lib.sh"

N=${TT_SEQ_CONNS:-5}
PORT=7200
load
"$TOP/userspace/tcpwork" server $PORT eof &
for _ in $(seq 100); do
	ss -Hltn "sport = :$PORT" | grep -q LISTEN && break
	sleep 0.1
done
"$TOP/userspace/tcpwork" client 127.0.0.1 $PORT -n "$N" || fail "client"
sleep 0.5
drain >"$TCPTRAIL_OUT/seqnums.events"

python3 - "$TCPTRAIL_OUT/seqnums.events" "$N" $PORT <<'PY'
import os
import sys

sys.path.insert(0, "%s/tests/integration" % os.environ["TCPTRAIL_TOP"])
from trail import expect, verdict  # noqa: E402

path, n, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


# Columns by name, from the events file's own header line.
cols, events = None, []
with open(path) as f:
    for line in f:
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "#":
            cols = fields[1:]
            continue
        if fields[0] == "lost":
            events.append({"kind": "lost", "count": int(fields[1])})
            continue
        if cols is None or len(fields) != len(cols):
            raise SystemExit("no header line before, or bad line: %s" % line)
        events.append(dict(zip(cols, fields)))
expect(cols is not None, "events begins with a '# kind seq ts_ns ...' header")
expect(not any(e["kind"] == "lost" for e in events), "no events lost")


def num(e, k):
    return None if e[k] == "-" else int(e[k])


def plus(v, k):
    return None if v is None else (v + k) % 2**32


st = [e for e in events if e["kind"] == "state" and e["family"] == "ipv4"]
client = [e for e in st if e["old"] == "CLOSE" and e["new"] == "SYN_SENT" and int(e["dport"]) == port]
child = [e for e in st if e["old"] == "LISTEN" and e["new"] == "SYN_RECV" and int(e["sport"]) == port]
expect(len(client) == n, "%d client CLOSE -> SYN_SENT events (got %d)" % (n, len(client)))
# Two CPUs may complete the same handshake: the kernel drops one child (its
# CLOSE says duplicate), both are LISTEN -> SYN_RECV with the request
# sock's cookie. One connection per cookie; every child event is checked.
dups = {e["cookie"] for e in st if e["new"] == "CLOSE" and e["cause"] == "duplicate"}
expect(len({e["cookie"] for e in child}) == n,
       "%d connections' child LISTEN -> SYN_RECV (%d events, %d cookies with a duplicate child)" % (
           n, len(child), len(dups)))
expect(len(child) - n <= len(dups), "every extra child event is a duplicate's")
for e in client:
    isn = num(e, "isn")
    print("client %s:%s isn=%s snd_una=%s snd_nxt=%s rcv_nxt=%s" % (
        e["saddr"], e["sport"], e["isn"], e["snd_una"], e["snd_nxt"], e["rcv_nxt"]))
    expect(isn is not None, "client port %s: ISN known at SYN_SENT" % e["sport"])
    expect(num(e, "snd_una") == isn, "client port %s: snd_una == isn at SYN_SENT" % e["sport"])
    expect(num(e, "snd_nxt") == plus(isn, 1),
           "client port %s: snd_nxt == isn + 1 at SYN_SENT (the SYN consumed one)" % e["sport"])
for e in child:
    isn, peer = num(e, "isn"), num(e, "peer_isn")
    print("child %s:%s isn=%s peer_isn=%s snd_una=%s snd_nxt=%s rcv_nxt=%s" % (
        e["daddr"], e["dport"], e["isn"], e["peer_isn"], e["snd_una"], e["snd_nxt"], e["rcv_nxt"]))
    expect(isn is not None and peer is not None, "child of port %s: both ISNs known" % e["dport"])
    expect(num(e, "snd_nxt") == plus(isn, 1), "child of port %s: snd_nxt == isn + 1" % e["dport"])
    expect(num(e, "rcv_nxt") == plus(peer, 1), "child of port %s: rcv_nxt == peer_isn + 1" % e["dport"])
# Each side's numbers are the other's: the child's peer ISN is a client's ISN.
expect({num(e, "peer_isn") for e in child} == {num(e, "isn") for e in client},
       "the children's peer ISNs are the clients' ISNs")
verdict()
PY
