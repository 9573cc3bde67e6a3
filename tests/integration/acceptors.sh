#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 100 threads blocked in accept() on one listener do not starve the probes: every child keeps its 4-tuple, ISNs and owner, no probe misses (issue 9, defect 5).
. "$(dirname "$0")/lib.sh"

T=${TT_ACCEPTORS:-100}
N=${TT_ACCEPT_CONNS:-100}
PORT=7300
# About 13 events per connection, all kept: a ring big enough for them.
ring=4096
while [ "$ring" -lt $((N * 16)) ] && [ "$ring" -lt 1048576 ]; do ring=$((ring * 2)); done
load ring_size=$ring

missed() {	# "name value" of each probe's missed hits, and no_tuple
	grep -E '^(missed\.|no_tuple )' $PROC/stats | sort
}

missed >"$TCPTRAIL_OUT/acceptors.missed0"
echo "$(date +%T) starting $T acceptors"
# The server: T threads in accept(); each accepted connection is read to EOF.
python3 - "$T" $PORT "$TCPTRAIL_OUT/acceptors.ready" <<'PY' &
import resource, socket, sys, threading, time
t, port, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, 65536),) * 2)
lst = socket.socket()
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(("127.0.0.1", port))
lst.listen(1024)
started = threading.Semaphore(0)


def acceptor():
    # Named apart from the listener's thread: the owner of each child after
    # accept() must be the thread that accepted it.
    with open("/proc/self/task/%d/comm" % threading.get_native_id(), "w") as f:
        f.write("acceptor")
    started.release()
    while True:
        c, _ = lst.accept()
        while c.recv(4096):
            pass
        c.close()


for _ in range(t):
    threading.Thread(target=acceptor, daemon=True).start()
for _ in range(t):
    started.acquire()
open(ready, "w").close()
time.sleep(3600)
PY
server=$!
for _ in $(seq 600); do
	[ -e "$TCPTRAIL_OUT/acceptors.ready" ] && break
	sleep 0.1
done
check "the server started $T acceptor threads" test -e "$TCPTRAIL_OUT/acceptors.ready"
# Wait until they all sleep in accept() (wchan), at most 30 s.
for _ in $(seq 60); do
	inacc=$(grep -l accept /proc/$server/task/*/wchan 2>/dev/null | wc -l)
	[ "$inacc" -ge "$T" ] && break
	sleep 0.5
done
echo "threads sleeping in accept: $inacc (wchan)"
[ "$inacc" -ge "$T" ] || sleep 5	# no wchan symbols: give them time
echo "$(date +%T) connecting"

# N connections in waves of T (one per acceptor thread): each wave is held
# open until it has been accepted, then closed.
python3 - "$N" $PORT "$T" <<'PY' || fail "client"
import resource, socket, sys, time
n, port = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < n + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, n + 64),) * 2)
t = int(sys.argv[3])
for done in range(0, n, t):
    socks = [socket.create_connection(("127.0.0.1", port), timeout=30)
             for _ in range(min(t, n - done))]
    time.sleep(2)
    for s in socks:
        s.close()
PY
sleep 2
missed >"$TCPTRAIL_OUT/acceptors.missed1"
drain >"$TCPTRAIL_OUT/acceptors.events"
kill "$server"
echo "$(date +%T) done; probe misses, before the acceptors started -> after:"
join "$TCPTRAIL_OUT/acceptors.missed0" "$TCPTRAIL_OUT/acceptors.missed1" | sed 's/^/  /'
# Every verdict is printed before the test fails: the log is the evidence.
bad=0
verify() {	# verify DESCRIPTION COMMAND...: like check, but carries on
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; bad=$((bad + 1)); fi
}
verify "no probe missed a hit (blocked acceptors included), no_tuple did not grow" \
	cmp -s "$TCPTRAIL_OUT/acceptors.missed0" "$TCPTRAIL_OUT/acceptors.missed1"

if python3 - "$TCPTRAIL_OUT/acceptors.events" "$N" $PORT <<'PY'
import sys
sys.path.insert(0, "%s/tests/integration" % __import__("os").environ["TCPTRAIL_TOP"])
import trail
NO_TUPLE = 0x40
with open(sys.argv[1]) as f:
    events, lost = trail.parse(f)
n, port = int(sys.argv[2]), int(sys.argv[3])
expect = trail.expect
expect(lost == 0, "no events lost")
st = [e for e in events if e["kind"] == "state"]
client = {e["sport"]: e for e in st
          if e["dport"] == port and e["old"] == "CLOSE" and e["new"] == "SYN_SENT"}
expect(len(client) == n, "%d client CLOSE -> SYN_SENT (got %d)" % (n, len(client)))
for step in (("LISTEN", "SYN_RECV"), ("SYN_RECV", "ESTABLISHED")):
    name = "%s -> %s" % step
    srv = [e for e in st if e["sport"] == port and (e["old"], e["new"]) == step]
    expect(len(srv) == n and len({e["dport"] for e in srv}) == n,
           "%d children's %s, one per client port (got %d)" % (n, name, len(srv)))
    bad = [e for e in srv if e["flags"] & NO_TUPLE or not e["dport"]
           or e["saddr"] != "127.0.0.1" or e["daddr"] != "127.0.0.1"]
    expect(not bad, "%s: every child has its 4-tuple, no no_tuple (%d without)" % (name, len(bad)))
    bad = [e for e in srv if e["isn"] is None or e["peer_isn"] is None]
    expect(not bad, "%s: every child has both ISNs (%d without)" % (name, len(bad)))
    bad = [e for e in srv if e["pid"] is None or e["comm"] == "-"]
    expect(not bad, "%s: every child has an owner (%d without)" % (name, len(bad)))
    bad = [e for e in srv if e["dport"] not in client
           or e["peer_isn"] != client[e["dport"]]["isn"]]
    expect(not bad, "%s: the child's peer_isn is its client's isn (%d differ)" % (name, len(bad)))
# After accept() the child belongs to the accepting thread: its FIN arrives
# in softirq, the owner comes from accept().
fin = [e for e in st if e["sport"] == port and e["old"] == "ESTABLISHED" and e["new"] == "CLOSE_WAIT"]
expect(len(fin) == n, "%d children's ESTABLISHED -> CLOSE_WAIT (got %d)" % (n, len(fin)))
bad = [e for e in fin if e["comm"] != "acceptor"]
expect(not bad, "ESTABLISHED -> CLOSE_WAIT: every child owned by its acceptor thread (%d not: %s)"
       % (len(bad), sorted({e["comm"] for e in bad})))
trail.verdict()
PY
then :; else bad=$((bad + 1)); fi
[ "$bad" = 0 ] || fail "$bad checks failed"
