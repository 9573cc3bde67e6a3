#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the events of why.sh: check_why.py FILE key=value...

Keys: NAME-c / NAME-s, the netns inodes of each scenario's client and
server; NAME.app, "ERRNO:SECONDS" that the client application saw;
linear, tcp_syn_linear_timeouts (0 where the kernel has none); ladders,
the folder with `tcptrail -t` of some scenarios (NAME.ladder).
"""
import re
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import trail  # noqa: E402

F_SYN, F_FIN, F_RTO = 0x100, 0x200, 0x400
PORT = 7100
expect = trail.expect


def main():
    with open(sys.argv[1]) as f:
        events, lost = trail.parse(f)
    arg = dict(a.split("=", 1) for a in sys.argv[2:])
    expect(lost == 0, "no events lost")

    def of(ns):
        return [e for e in events if e["netns"] == int(arg[ns])]

    def conn(name, side):
        """The one connection to or from port 7100 on that side, every event of it."""
        evs = of("%s-%s" % (name, side))
        if side == "c":
            first = [e for e in evs if e["kind"] == "state" and e["dport"] == PORT]
        else:
            first = [e for e in evs if e["kind"] == "state" and e["sport"] == PORT
                     and e["old"] != "CLOSE" and e["new"] != "LISTEN"]
        if not first:
            return []
        return [e for e in evs if e["cookie"] == first[0]["cookie"]]

    def show(name, side, evs):
        print("%s %s:" % (name, "client" if side == "c" else "server"))
        for e in evs:
            print("   %-8s %-12s %-12s %9.3f ms cause=%s errno=%s count=%s timeout=%s flags=0x%x" % (
                e["kind"], e["old"], e["new"], e["dur_ns"] / 1e6, e["cause"], e["errno"],
                e["count"], e["timeout_ns"], e["flags"]))

    def shape(evs):
        return ["%s:%s>%s" % (e["kind"], e["old"], e["new"]) if e["kind"] == "state" else e["kind"]
                for e in evs]

    def app(name):
        err, secs = arg[name + ".app"].split(":")
        return err, float(secs)

    def close_of(evs):
        c = [e for e in evs if e["kind"] == "state" and e["new"] == "CLOSE"]
        return c[-1] if c else None

    def secs(e):
        return e["dur_ns"] / 1e9

    def near(v, want, late):
        """A timer never fires early; a guest starved by its host runs it late."""
        return want - 0.1 <= v <= want + late

    def ended(name, side, evs, cause, err):
        c = close_of(evs)
        expect(c is not None and c["cause"] == cause and c["errno"] == err,
               "%s: %s's CLOSE has cause %s, errno %s (got %s, %s)" % (
                   name, "client" if side == "c" else "server", cause, err,
                   c and c["cause"], c and c["errno"]))

    def strip_dup(name, srv):
        """The ACK and the data, sent from two CPUs, may complete the request
        sock twice: the kernel drops the second child (same cookie)."""
        srv = list(srv)
        dup = [i for i, e in enumerate(srv) if e["kind"] == "state"
               and e["old"] == "SYN_RECV" and e["new"] == "CLOSE"]
        for i in reversed(dup):
            expect(i > 0 and srv[i]["cause"] == "duplicate" and srv[i - 1]["new"] == "SYN_RECV",
                   "%s: a second child of the request sock is dropped, cause duplicate" % name)
            del srv[i - 1:i + 1]
        return srv

    def retrans(evs):
        return [e for e in evs if e["kind"] == "retrans"]

    # blackhole: SYN retransmits at the RTO, doubling (6.12: linear first).
    name = "blackhole"
    evs = conn(name, "c")
    show(name, "c", evs)
    linear = int(arg["linear"])
    t, rto, want = 0.0, 1.0, []
    for k in (1, 2):
        t += rto
        want.append((k, t, rto))
        if k > linear:
            rto *= 2
    total = t + rto
    expect(shape(evs) == ["state:CLOSE>SYN_SENT", "retrans", "retrans", "state:SYN_SENT>CLOSE"],
           "%s: whole trail SYN_SENT, 2 SYN retransmits, CLOSE" % name)
    rt = retrans(evs)
    for (k, at, fired), e in zip(want, rt):
        print("%s: retransmit %d at %.3f s (want %.1f), RTO %.3f s (want %.1f)" % (
            name, e["count"], secs(e), at, int(e["timeout_ns"]) / 1e9, fired))
        expect(e["count"] == k and e["flags"] & F_SYN and e["flags"] & F_RTO
               and e["old"] == "SYN_SENT" and not e["flags"] & F_FIN,
               "%s: retransmit %d is SYN retransmit number %d, by the RTO" % (name, k, k))
        expect(near(secs(e), at, 0.5) and int(e["timeout_ns"]) == int(fired * 1e9),
               "%s: retransmit %d %.1f s after the first SYN, the %.0f s RTO fired" % (
                   name, k, at, fired))
    ended(name, "c", evs, "syn_timeout", "ETIMEDOUT")
    c = close_of(evs)
    expect(c is not None and near(secs(c), total, 1.0),
           "%s: SYN_SENT lasted %.1f s (%.3f)" % (name, total, c and secs(c)))
    err, took = app(name)
    expect(err == "ETIMEDOUT" and near(took, total, 1.5),
           "%s: connect() failed ETIMEDOUT after %.1f s (%s, %.3f)" % (name, total, err, took))

    # refused
    name = "refused"
    evs = conn(name, "c")
    show(name, "c", evs)
    expect(shape(evs) == ["state:CLOSE>SYN_SENT", "rst_recv", "state:SYN_SENT>CLOSE"],
           "%s: whole trail SYN_SENT, RST received, CLOSE" % name)
    ended(name, "c", evs, "refused", "ECONNREFUSED")
    expect(app(name)[0] == "ECONNREFUSED", "%s: connect() failed ECONNREFUSED" % name)

    # synlost: one SYN retransmit, then an orderly close, client first.
    name = "synlost"
    evs = conn(name, "c")
    show(name, "c", evs)
    expect(shape(evs) == ["state:CLOSE>SYN_SENT", "retrans", "state:SYN_SENT>ESTABLISHED",
                          "state:ESTABLISHED>FIN_WAIT1", "state:FIN_WAIT1>FIN_WAIT2",
                          "tw_enter", "state:FIN_WAIT2>CLOSE"],
           "%s: client trail SYN_SENT, 1 retransmit, ESTABLISHED, FIN_WAIT1/2, "
           "TIME_WAIT, CLOSE" % name)
    rt = retrans(evs)
    est = [e for e in evs if e["new"] == "ESTABLISHED"]
    expect(len(rt) == 1 and rt[0]["count"] == 1 and rt[0]["flags"] & F_SYN
           and near(secs(rt[0]), 1.0, 0.3),
           "%s: the SYN is retransmitted once, 1 s after the first" % name)
    expect(len(est) == 1 and near(secs(est[0]), 1.0, 0.3),
           "%s: connected ~1 s after connect() (%.3f s)" % (name, est and secs(est[0])))
    ended(name, "c", evs, "active_close", "-")
    srv = conn(name, "s")
    show(name, "s", srv)
    srv = strip_dup(name, srv)
    expect(shape(srv) == ["syn_recv", "state:LISTEN>SYN_RECV", "state:SYN_RECV>ESTABLISHED",
                          "state:ESTABLISHED>CLOSE_WAIT", "state:CLOSE_WAIT>LAST_ACK",
                          "state:LAST_ACK>CLOSE"],
           "%s: server trail SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE" % name)
    ended(name, "s", srv, "passive_close", "-")
    expect(app(name)[0] == "ok", "%s: the client saw no error" % name)

    # linger0 and unread: the server resets; the client is reset.
    for name, cause in (("linger0", "linger0"), ("unread", "unread_data")):
        srv = conn(name, "s")
        show(name, "s", srv)
        srv = strip_dup(name, srv)
        expect(shape(srv) == ["syn_recv", "state:LISTEN>SYN_RECV",
                              "state:SYN_RECV>ESTABLISHED", "state:ESTABLISHED>CLOSE",
                              "rst_sent"],
               "%s: server trail ESTABLISHED, CLOSE, then the RST it sends" % name)
        ended(name, "s", srv, cause, "-")
        rs = [e for e in srv if e["kind"] == "rst_sent"]
        expect(rs and rs[0]["cause"] == cause,
               "%s: the RST sent says %s (%s)" % (name, cause, rs and rs[0]["cause"]))
        evs = conn(name, "c")
        show(name, "c", evs)
        expect(shape(evs) == ["state:CLOSE>SYN_SENT", "state:SYN_SENT>ESTABLISHED",
                              "rst_recv", "state:ESTABLISHED>CLOSE"],
               "%s: client trail ESTABLISHED, RST received, CLOSE" % name)
        ended(name, "c", evs, "reset", "ECONNRESET")
        expect(app(name)[0] == "ECONNRESET", "%s: the client's recv() failed ECONNRESET" % name)

    # Timeouts of an established connection whose link broke (when it
    # broke depends on how fast python starts: no time asserted but the
    # user timeout's).
    for name, cause in (("rto", "rto_timeout"), ("keepalive", "keepalive"),
                        ("usertmo", "user_timeout")):
        evs = conn(name, "c")
        show(name, "c", evs)
        ended(name, "c", evs, cause, "ETIMEDOUT")
        err, took = app(name)
        print("%s: the application saw %s after %.3f s" % (name, err, took))
        expect(err == "ETIMEDOUT", "%s: recv() failed ETIMEDOUT" % name)
        rt = retrans(evs)
        c = close_of(evs)
        if rt and c:
            print("%s: %.3f s from the first retransmit to CLOSE" % (
                name, (c["ts_ns"] - rt[0]["ts_ns"]) / 1e9))
        if name == "usertmo":
            expect(rt and c and 1.0 <= (c["ts_ns"] - rt[0]["ts_ns"]) / 1e9 <= 2.5,
                   "%s: CLOSE 1..2.5 s after the first retransmit (1.5 s user timeout)" % name)
        if name == "keepalive":
            rs = [e for e in evs if e["kind"] == "rst_sent"]
            expect(not rt, "%s: nothing retransmitted (probes are not retransmits)" % name)
            expect(len(rs) == 1 and rs[0]["cause"] in ("keepalive", "-"),
                   "%s: an RST sent before the CLOSE (6.12: reason keepalive)" % name)
        else:
            counts = [e["count"] for e in rt if e["flags"] & F_RTO]
            expect(len(counts) >= 2 and counts == list(range(1, len(counts) + 1))
                   and all(e["old"] == "ESTABLISHED" and not e["flags"] & (F_SYN | F_FIN)
                           for e in rt),
                   "%s: data retransmits by the RTO, numbered 1.. (%s)" % (name, counts))
            rtos = [int(e["timeout_ns"]) for e in rt if e["flags"] & F_RTO]
            expect(all(b >= a for a, b in zip(rtos, rtos[1:])) and rtos and rtos[0] >= 200e6,
                   "%s: the RTO that fired backs off from at least 200 ms (%s)" % (name, rtos))

    # orphan: the FIN retransmitted in FIN_WAIT1 until the orphan gives up.
    name = "orphan"
    evs = conn(name, "c")
    show(name, "c", evs)
    rt = retrans(evs)
    counts = [e["count"] for e in rt if e["flags"] & F_RTO]
    expect(rt and all(e["old"] == "FIN_WAIT1" and e["flags"] & F_FIN for e in rt)
           and len(counts) >= 1 and counts == list(range(1, len(counts) + 1)),
           "%s: the FIN retransmitted in FIN_WAIT1, by the RTO numbered 1.. (%s)" % (
               name, counts))
    ended(name, "c", evs, "orphan_timeout", "ETIMEDOUT")
    expect(shape(evs)[-1] == "state:FIN_WAIT1>CLOSE", "%s: FIN_WAIT1 -> CLOSE" % name)

    # epipe: the server's FIN, then its RST while the client is in CLOSE_WAIT.
    name = "epipe"
    evs = conn(name, "c")
    show(name, "c", evs)
    expect(shape(evs) == ["state:CLOSE>SYN_SENT", "state:SYN_SENT>ESTABLISHED",
                          "state:ESTABLISHED>CLOSE_WAIT", "rst_recv", "state:CLOSE_WAIT>CLOSE"],
           "%s: client trail ESTABLISHED, CLOSE_WAIT, RST received, CLOSE" % name)
    ended(name, "c", evs, "reset", "EPIPE")
    expect(app(name)[0] == "EPIPE", "%s: the client's send() failed EPIPE" % name)
    srv = strip_dup(name, conn(name, "s"))
    show(name, "s", srv)
    expect(shape(srv)[-4:] == ["state:ESTABLISHED>FIN_WAIT1", "state:FIN_WAIT1>FIN_WAIT2",
                               "state:FIN_WAIT2>CLOSE", "rst_sent"],
           "%s: server trail FIN_WAIT1, FIN_WAIT2, CLOSE, RST sent" % name)
    ended(name, "s", srv, "linger0", "-")

    # lastack: FINs retransmitted on both sides until both orphans give up.
    name = "lastack"
    for side, state in (("c", "FIN_WAIT1"), ("s", "LAST_ACK")):
        evs = conn(name, side)
        if side == "s":
            evs = strip_dup(name, evs)
        show(name, side, evs)
        rt = retrans(evs)
        counts = [e["count"] for e in rt if e["flags"] & F_RTO]
        who = "client" if side == "c" else "server"
        expect(rt and all(e["old"] == state and e["flags"] & F_FIN for e in rt)
               and counts == list(range(1, len(counts) + 1)) and counts,
               "%s: the %s's FIN retransmitted in %s, by the RTO numbered 1.. (%s)" % (
                   name, who, state, counts))
        expect(shape(evs)[-1] == "state:%s>CLOSE" % state, "%s: %s %s -> CLOSE" % (name, who, state))
        ended(name, side, evs, "orphan_timeout", "ETIMEDOUT")
    expect(app(name)[0] == "timeout", "%s: the client gave up waiting for the FIN" % name)

    # The reader's summary of the same records: ladders and timelines.
    def ladder(name):
        with open("%s/%s.ladder" % (arg["ladders"], name)) as f:
            text = f.read()
        print("--- tcptrail -t, %s:\n%s" % (name, text))
        return text

    name = "blackhole"
    text = ladder(name)
    for k, at, fired in want:
        m = re.search(r"\|-- SYN seq=0 \(retrans %d, \+([0-9.]+) s\) -+>\|" % k, text)
        expect(m and near(float(m.group(1)), at, 0.6),
               "%s ladder: SYN retransmit %d drawn %.1f s after the first SYN (%s)" % (
                   name, k, at, m and m.group(1)))
    m = re.search(r"slow: SYN_SENT ([0-9.]+) s, 2 SYN retransmits \(timeouts (.*?)\): ([0-9.]+) s of it", text)
    expect(m and m.group(2) == "%g s, %g s" % (want[0][2], want[1][2])
           and abs(float(m.group(3)) - want[0][2] - want[1][2]) < 0.001
           and near(float(m.group(1)), total, 1.0),
           "%s timeline: SYN_SENT %.0f s, 2 SYN retransmits, their timeouts (%s)" % (
               name, total, m and m.group(0)))
    expect("-> CLOSE: syn_timeout, errno ETIMEDOUT" in text and
           re.search(r"client SYN_SENT->CLOSE\s*(\|.*\|\s*)?\(syn_timeout, errno ETIMEDOUT\)", text),
           "%s: timeline and ladder say syn_timeout, ETIMEDOUT" % name)

    # As many SYN retransmits as the records hold (the checks above want one;
    # a host too busy to mend the link in time makes it two).
    name = "synlost"
    text = ladder(name)
    rt = [e for e in retrans(conn(name, "c")) if e["flags"] & F_SYN]
    for e in rt:
        m = re.search(r"\|-- SYN seq=0 \(retrans %d, \+([0-9.]+) s\) -+>\|" % e["count"], text)
        expect(m and abs(float(m.group(1)) - secs(e)) < 0.051,
               "%s ladder: SYN retransmit %d drawn at its record's %.3f s (%s)" % (
                   name, e["count"], secs(e), m and m.group(1)))
    fired = ", ".join("%g s" % (int(e["timeout_ns"]) / 1e9) for e in rt)
    expect(rt and re.search(r"slow: SYN_SENT [0-9.]+ s, %d SYN retransmits? \(timeouts? %s\)" % (
        len(rt), re.escape(fired)), text),
        "%s timeline: SYN_SENT's %d SYN retransmits, timeouts %s" % (name, len(rt), fired))
    expect("-> CLOSE: active_close" in text or "full socket released (active_close)" in text,
           "%s timeline: the client's close is active_close" % name)

    name = "linger0"
    text = ladder(name)
    expect(re.search(r"\|-- RST( seq=\d+)? -+>\|.*server rst_sent \(linger0\)", text)
           or re.search(r"\|<-+ RST( seq=\d+)? --\|.*server rst_sent \(linger0\)", text),
           "%s ladder: the server's RST drawn, sent because of linger0" % name)
    expect(re.search(r"<-+ RST( seq=\d+)? --\|.*client rst_recv", text),
           "%s ladder: the client's RST received" % name)
    expect("reset, errno ECONNRESET" in text, "%s: the client's close: reset, ECONNRESET" % name)

    name = "lastack"
    text = ladder(name)
    for who, state in (("client", "FIN_WAIT1"), ("server", "LAST_ACK")):
        # One end per netns: the client draws from the left, the server from the right.
        arrow = r"-- FIN seq=\d+ \(retrans 1, \+[0-9.]+ m?s\) -+>" if who == "client" else \
            r"<-+ FIN seq=\d+ \(retrans 1, \+[0-9.]+ m?s\) --"
        expect(re.search(r"%s\|.*%s retrans %s" % (arrow, who, state), text),
               "%s ladder: the %s's FIN sent again in %s" % (name, who, state))
        expect(re.search(r"slow: %s [0-9.]+ s, \d+ FIN retransmits? \(timeouts? " % state, text),
               "%s timeline: %s's FIN retransmits and their timeouts" % (name, state))
    expect(text.count("orphan_timeout, errno ETIMEDOUT") >= 2,
           "%s: both ends' orphan_timeout, ETIMEDOUT" % name)

    if trail.FAILED:
        raise SystemExit("%d checks failed" % len(trail.FAILED))


if __name__ == "__main__":
    main()
