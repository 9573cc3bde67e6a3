#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads and checks /proc/net/tcptrail/events text for the integration tests.

drain PATH                 print every event held for a new reader, never block
drain-fd N                 the same for the reader already open on fd N
check-http FILE PORT FAM [--no-listen]
                           a curl to a local http.server on PORT: both trails
                           complete, in order, with ports, cookies and ISNs
count FILE                 "events N lost N" of a drained file
"""
import errno
import os
import sys

COLS = ("kind seq ts_ns cpu netns cookie pid comm ctx family saddr sport daddr "
        "dport old new dur_ns isn peer_isn snd_una snd_nxt rcv_nxt snd_wnd "
        "rcv_wnd mss srtt_us flags cause substate timeout_ns fin_timeout "
        "tw_reuse max_tw_buckets tw_reuse_delay count errno").split()
INTS = {"seq", "ts_ns", "cpu", "netns", "cookie", "sport", "dport", "dur_ns",
        "snd_una", "snd_nxt", "rcv_nxt", "snd_wnd", "rcv_wnd", "mss", "srtt_us"}
FAILED = []


def parse(lines):
    events, lost = [], 0
    for line in lines:
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        if f[0] == "lost":
            lost += int(f[1])
            continue
        if len(f) != len(COLS):
            raise SystemExit("bad line (%d columns): %s" % (len(f), line))
        ev = dict(zip(COLS, f))
        for k in INTS:
            ev[k] = int(ev[k])
        for k in ("isn", "peer_isn", "pid", "count"):
            ev[k] = None if ev[k] == "-" else int(ev[k])
        ev["flags"] = int(ev["flags"], 16)
        events.append(ev)
    return events, lost


def drain(path):
    drain_fd(os.open(path, os.O_RDONLY | os.O_NONBLOCK))


def drain_fd(fd):
    os.set_blocking(fd, False)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EAGAIN:
                break
            raise
        if not chunk:
            break
        out += chunk
    os.close(fd)
    sys.stdout.buffer.write(out)


def expect(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILED.append(what)


def verdict():
    """Ends a checker: the failed checks again, last, where a cut log shows them."""
    if FAILED:
        for what in FAILED:
            print("failed: " + what)
        raise SystemExit("%d checks failed" % len(FAILED))


def subsequence(want, got):
    it = iter(got)
    return all(any(w == g for g in it) for w in want)


def trail(evs):
    return ["%s>%s" % (e["old"], e["new"]) for e in evs]


def check_http(path, port, family, no_listen):
    with open(path) as f:
        events, lost = parse(f)
    expect(lost == 0, "no events lost")
    states = [e for e in events if e["kind"] == "state" and e["family"] == family]
    client = [e for e in states if e["dport"] == port and e["comm"] == "curl"]
    expect(len(client) > 0, "curl's connection is seen")
    if not client:
        return
    cookie = client[0]["cookie"]
    client = [e for e in states if e["cookie"] == cookie]
    cport = client[0]["sport"]
    server = [e for e in states if e["sport"] == port and e["dport"] == cport]
    print("client:", " ".join(trail(client)))
    print("server:", " ".join(trail(server)))
    expect(subsequence(["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED"], trail(client))
           and trail(client)[-1].endswith(">CLOSE"),
           "client trail CLOSE>SYN_SENT>ESTABLISHED ... >CLOSE")
    first = "SYN_RECV>ESTABLISHED" if no_listen else "LISTEN>SYN_RECV"
    expect(server and trail(server)[0] == first and trail(server)[-1].endswith(">CLOSE")
           and "SYN_RECV>ESTABLISHED" in trail(server),
           "server child trail %s ... SYN_RECV>ESTABLISHED ... >CLOSE" % first)
    if not server:
        return
    expect(all(e["sport"] and e["dport"] for e in client + server),
           "non-zero ports on every event, SYN_SENT and CLOSE included")
    expect(len({e["cookie"] for e in server}) == 1 and server[0]["cookie"] != cookie
           and cookie != 0 and server[0]["cookie"] != 0,
           "one cookie per connection, distinct between the two sides")
    expect(client[0]["dur_ns"] == 0 and all(e["dur_ns"] > 0 for e in client[1:]),
           "time in old state: 0 on the first event, positive after")
    expect(all(e["isn"] is not None for e in client),
           "client ISN known from SYN_SENT on")
    syn = client[0]
    est = next(e for e in client if e["new"] == "ESTABLISHED")
    sest = next(e for e in server if e["new"] == "ESTABLISHED")
    expect(est["snd_una"] == (syn["isn"] + 1) % 2**32, "client snd_una == ISN + 1 at ESTABLISHED")
    expect(sest["snd_una"] == (sest["isn"] + 1) % 2**32, "server snd_una == ISN + 1 at ESTABLISHED")
    expect(est["peer_isn"] == sest["isn"] and sest["peer_isn"] == syn["isn"],
           "each side's peer ISN is the other's ISN")
    expect(all(e["comm"] == "curl" for e in client), "every client event owned by curl")
    expect(all(e["comm"] == "python3" for e in server),
           "every server event owned by python3, softirq ones too")
    if not no_listen:
        listen = [e for e in states if e["sport"] == port and e["new"] == "LISTEN"]
        expect(len(listen) == 1, "the listener's CLOSE>LISTEN is seen")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == "drain":
        drain(argv[2])
    elif cmd == "drain-fd":
        drain_fd(int(argv[2]))
    elif cmd == "check-http":
        check_http(argv[2], int(argv[3]), argv[4], "--no-listen" in argv)
    elif cmd == "count":
        with open(argv[2]) as f:
            events, lost = parse(f)
        print("events %d lost %d" % (len(events), lost))
    else:
        raise SystemExit(__doc__)
    verdict()


if __name__ == "__main__":
    main(sys.argv)
