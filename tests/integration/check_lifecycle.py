#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the events of timewait.sh: check_lifecycle.py FILE key=value..."""
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import trail  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        events, lost = trail.parse(f)
    arg = dict(a.split("=", 1) for a in sys.argv[2:])
    ns = {k: int(v) for k, v in arg.items() if k != "overflow"}
    expect = trail.expect
    expect(lost == 0, "no events lost")

    def of(name, kind=None):
        return [e for e in events if e["netns"] == ns[name] and (kind is None or e["kind"] == kind)]

    def secs(e):
        return e["dur_ns"] / 1e9

    # a: client closes first, TIME_WAIT for 60 s, then expired.
    enter = of("a-c", "tw_enter")
    exit_ = of("a-c", "tw_exit")
    expect(len(enter) == 1 and enter[0]["substate"] == "TIME_WAIT"
           and enter[0]["timeout_ns"] == "60000000000",
           "a: client enters TIME_WAIT with the kernel's 60 s timer")
    if exit_:
        print("a: TIME_WAIT lasted %.3f s" % secs(exit_[0]))
    expect(len(exit_) == 1 and exit_[0]["cause"] == "expired" and 58 <= secs(exit_[0]) <= 62.5,
           "a: TIME_WAIT ends expired after 60 s (58..62.5)")
    expect(enter and exit_ and enter[0]["cookie"] == exit_[0]["cookie"]
           and any(e["kind"] == "state" and e["cookie"] == enter[0]["cookie"] for e in of("a-c")),
           "a: the timewait sock's events carry the connection's cookie")
    states = [e for e in of("a-c", "state") if e["cookie"] == (enter[0]["cookie"] if enter else 0)]
    trail_a = trail.trail(states)
    print("a: client trail", trail_a, "then TIME_WAIT>CLOSE")
    expect(trail.subsequence(["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED", "ESTABLISHED>FIN_WAIT1",
                              "FIN_WAIT1>FIN_WAIT2"], trail_a),
           "a: client CLOSE>SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2 before TIME_WAIT")
    expect(enter and enter[0]["old"] == "FIN_WAIT2", "a: TIME_WAIT entered from FIN_WAIT2")
    for e in enter + exit_:
        expect(e["fin_timeout"] == "60" and e["tw_reuse"] == "2",
               "a: %s snapshots the netns sysctls" % e["kind"])
    syn = of("a-s", "syn_recv")
    expect(len(syn) == 1, "a: the server sees the SYN arrive")
    cli = [e for e in of("a-c", "state") if e["new"] == "ESTABLISHED"]
    srv = [e for e in of("a-s", "state") if e["new"] == "ESTABLISHED"]
    if syn and cli and srv:
        expect(syn[0]["isn"] == srv[0]["isn"] and syn[0]["peer_isn"] == cli[0]["isn"]
               and syn[0]["cookie"] == srv[0]["cookie"],
               "a: SYN arrival ISNs and cookie are the connection's")
        print("a: handshake server %.1f ms, client %.1f ms" % (srv[0]["dur_ns"] / 1e6, cli[0]["dur_ns"] / 1e6))
        expect(45e6 <= srv[0]["dur_ns"] <= 90e6, "a: server SYN->ESTABLISHED ~ one RTT (50 ms)")
        expect(45e6 <= cli[0]["dur_ns"] <= 90e6, "a: client SYN_SENT->ESTABLISHED ~ one RTT (50 ms)")

    # b: orphaned FIN_WAIT2 lives tcp_fin_timeout, in the timewait sock.
    enter = of("b-c", "tw_enter")
    exit_ = of("b-c", "tw_exit")
    expect(len(enter) == 1 and enter[0]["substate"] == "FIN_WAIT2"
           and enter[0]["timeout_ns"] == "5000000000" and enter[0]["fin_timeout"] == "5",
           "b: orphaned FIN_WAIT2 armed for tcp_fin_timeout = 5 s")
    if exit_:
        print("b: FIN_WAIT2 lasted %.3f s" % secs(exit_[0]))
    expect(len(exit_) == 1 and exit_[0]["cause"] == "expired" and 4.5 <= secs(exit_[0]) <= 6.5,
           "b: then gone, expired after ~5 s")

    # c: tcp_max_tw_buckets=1.
    skips = of("c-c", "tw_skip")
    print("c: %d skipped, nstat TcpExtTCPTimeWaitOverflow delta %s" % (len(skips), arg["overflow"]))
    expect(len(skips) == int(arg["overflow"]) and len(skips) >= 3,
           "c: TIME_WAIT skipped (overflow) as often as the kernel counted")
    expect(all(e["max_tw_buckets"] == "1" for e in skips), "c: skip events show tcp_max_tw_buckets=1")

    # d: a reconnect from a bound port takes the TIME_WAIT over.
    exit_ = of("d-c", "tw_exit")
    reused = [e for e in exit_ if e["cause"] == "reused"]
    expect(len(reused) == 1 and reused[0]["sport"] == 40000 and secs(reused[0]) < 10,
           "d: TIME_WAIT on port 40000 ends early when the port is reused, cause reused")
    syns = [e for e in of("d-c", "state") if e["new"] == "SYN_SENT" and e["sport"] == 40000]
    expect(len(syns) == 2 and syns[0]["cookie"] != syns[1]["cookie"],
           "d: the reconnect from port 40000 is a new connection")

    # e: resets.
    rr = [e for e in of("e-c", "rst_recv") if e["dport"] == 7099]
    expect(len(rr) == 1 and rr[0]["old"] == "SYN_SENT", "e: a closed port answers the SYN with an RST")
    expect(any(e["old"] == "SYN_SENT" and e["new"] == "CLOSE" and e["dport"] == 7099
               for e in of("e-c", "state")), "e: ... and the connect ends SYN_SENT>CLOSE")
    rs = [e for e in of("e-c", "rst_sent") if e["dport"] == 7005]
    expect(len(rs) == 1 and rs[0]["comm"] == "tcpwork", "e: SO_LINGER 0 close sends an RST, owner known")
    expect(any(e["sport"] == 7005 for e in of("e-s", "rst_recv")), "e: the server receives it")
    # f: orphaned FIN_WAIT2, then the peer's FIN: substate change, re-armed.
    enter = of("f-c", "tw_enter")
    sub = of("f-c", "tw_substate")
    exit_ = of("f-c", "tw_exit")
    expect(len(enter) == 1 and enter[0]["substate"] == "FIN_WAIT2",
           "f: the orphan enters the timewait sock in FIN_WAIT2")
    expect(len(sub) == 1 and sub[0]["old"] == "FIN_WAIT2" and sub[0]["new"] == "TIME_WAIT"
           and sub[0]["timeout_ns"] == "60000000000" and 0.8 <= secs(sub[0]) <= 3,
           "f: the peer's FIN ~1 s later turns it TIME_WAIT, timer re-armed to 60 s")
    if exit_:
        print("f: TIME_WAIT after the substate change lasted %.3f s" % secs(exit_[0]))
    expect(len(exit_) == 1 and exit_[0]["old"] == "TIME_WAIT" and exit_[0]["cause"] == "expired"
           and 58 <= secs(exit_[0]) <= 62.5,
           "f: then it expires 60 s after the change")
    trail.verdict()


if __name__ == "__main__":
    main()
