#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted TCP peer for why.sh (scapy, Debian's python3-scapy): segments
with exact sequence numbers, sent and awaited on a veth from an address no
kernel in its namespace owns (so no kernel answers for it).

peer.py MODE IFACE LMAC RMAC LADDR RADDR PORT ISN [GO]

synack   a client from LADDR:40000 to RADDR:PORT: SYN, the first SYN-ACK
         ignored (lost), the one the server's timer sends again answered;
         then FIN, and the server's FIN acked (a passive close there)
twrst    a server on LADDR:PORT: one handshake, the client's FIN answered
         with ACK+FIN, then, 0.3 s after the client's last ACK, an RST in
         the client's window (the client's TIME_WAIT gets it)
zerowin  a server on LADDR:PORT whose SYN-ACK offers a zero window, and
         that never answers again: the client's zero-window probes run
         until the kernel gives up (the test ends the peer then)
Prints "ready" once it can send and receive (then waits while the file GO
exists), one line per segment
("tx"/"rx" SECONDS FLAGS seq ack len win, SECONDS since the first SYN)
and "done".
"""
import os
import select
import sys
import time

# Only what is needed: scapy.all loads every layer, seconds in a TCG guest.
from scapy.config import conf
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

T0 = None


def now():
    return time.monotonic() - T0 if T0 is not None else 0.0


class Peer:
    def __init__(self, iface, lmac, rmac, laddr, raddr):
        self.sock = conf.L2socket(iface=iface)
        self.lmac, self.rmac, self.laddr, self.raddr = lmac, rmac, laddr, raddr
        self.lport = self.rport = 0

    def log(self, d, t):
        print("%s %.3f %s %d %d %d %d" % (d, now(), t.sprintf("%TCP.flags%"), t.seq, t.ack,
                                           len(t.payload), t.window), flush=True)

    def send(self, flags, seq, ack, win=65535):
        t = TCP(sport=self.lport, dport=self.rport, flags=flags, seq=seq, ack=ack, window=win)
        self.sock.send(Ether(src=self.lmac, dst=self.rmac) / IP(src=self.laddr, dst=self.raddr) / t)
        self.log("tx", t)

    def recv(self, timeout):
        """The next segment from the other side, None after TIMEOUT s."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            p = self.sock.recv()
            if p is None or IP not in p or TCP not in p or p[IP].src != self.raddr \
                    or p[IP].dst != self.laddr:
                continue
            t = p[TCP]
            if self.rport and (t.sport != self.rport or t.dport != self.lport):
                continue
            if not self.rport:
                self.rport = t.sport
            self.log("rx", t)
            return t

    def expect(self, flags, timeout, what):
        t = self.recv(timeout)
        while t is not None and t.sprintf("%TCP.flags%") != flags:
            t = self.recv(timeout)
        if t is None:
            raise SystemExit("peer: no %s (%s) within %.1f s" % (what, flags, timeout))
        return t


def synack(p, port, isn):
    global T0
    p.lport, p.rport = 40000, port
    T0 = time.monotonic()
    p.send("S", isn, 0)
    first = p.expect("SA", 5, "SYN-ACK")
    again = p.expect("SA", 5, "SYN-ACK sent again")
    if again.seq != first.seq:
        raise SystemExit("peer: the SYN-ACK sent again has another ISN")
    srv = again.seq
    p.send("A", isn + 1, srv + 1)
    p.send("FA", isn + 1, srv + 1)
    fin = p.expect("FA", 5, "the server's FIN")
    p.send("A", isn + 2, fin.seq + 1)


def server_handshake(p, port, isn, win=65535):
    global T0
    p.lport = port
    syn = p.recv(600)
    while syn is not None and (syn.dport != port or syn.sprintf("%TCP.flags%") != "S"):
        syn = p.recv(600)
    if syn is None:
        raise SystemExit("peer: no SYN")
    T0 = time.monotonic()
    p.send("SA", isn, syn.seq + 1, win)
    p.expect("A", 5, "the handshake's ACK")
    return syn.seq


def twrst(p, port, isn):
    cli = server_handshake(p, port, isn)
    fin = p.recv(10)
    while fin is not None and "F" not in fin.sprintf("%TCP.flags%"):
        fin = p.recv(10)
    if fin is None:
        raise SystemExit("peer: no FIN from the client")
    p.send("FA", isn + 1, cli + 2)
    p.expect("A", 5, "the client's last ACK")
    time.sleep(0.3)
    p.send("R", isn + 2, 0)


def zerowin(p, port, isn):
    server_handshake(p, port, isn, win=0)
    while True:		# the test ends it once the client has given up
        p.recv(60)


def main():
    if len(sys.argv) not in (9, 10):
        raise SystemExit(__doc__)
    mode, iface, lmac, rmac, laddr, raddr, port, isn = sys.argv[1:9]
    p = Peer(iface, lmac, rmac, laddr, raddr)
    print("ready", flush=True)
    while len(sys.argv) == 10 and os.path.exists(sys.argv[9]):
        time.sleep(0.1)
    {"synack": synack, "twrst": twrst, "zerowin": zerowin}[mode](p, int(port), int(isn))
    print("done", flush=True)


if __name__ == "__main__":
    main()
