#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Peers for why.sh: connections that end, or stall, in a chosen way.

server PORT MODE       listen on all addresses; per connection MODE is
                       (an orderly close and a connection held open are
                       userspace/tcpwork's server modes eof and never)
                       linger0  read one byte, close with SO_LINGER 0 (RST)
                       unread   wait 0.3 s, close without reading (RST)
                       finrst   shutdown, wait 0.3 s, close with SO_LINGER 0:
                                the RST reaches the peer in CLOSE_WAIT
                       late     read to EOF, then send (data after the
                                peer's shutdown)
                       greet    send a line, read to EOF, close
client ADDR PORT [--keepalive] [--user-timeout MS] [--send N] [--ready FILE]
       [--after-connect FILE] [--close-first] [--orphan] [--recv-timeout S]
       [--after-eof S] [--recv-first] [--shut-all S] [--linger2-off S]
                       touch the --ready FILE and wait for the test to remove
                       it, connect, touch the --after-connect FILE and wait
                       likewise (the test breaks the link meanwhile), send N
                       bytes, and then:
                       --close-first  shutdown, read to EOF, close
                       --orphan       close at once (the socket lives on)
                       else           read until EOF or an error
                       (--recv-timeout: give up reading after S seconds,
                       "timeout"; --after-eof: then wait S s and send)
                       prints "result ERRNO SECONDS" (ERRNO "ok" if none):
                       what the application saw, and when since connect()
cross LADDR LPORT RADDR RPORT NETNS
                       one socket bound to LADDR:LPORT here, one to
                       RADDR:RPORT in network namespace NETNS (ip netns),
                       each connecting to the other in the same instant (the
                       SYNs cross), both closed once connected (the FINs
                       cross): one process, so that neither side starts
                       late; prints "result"
"""
import argparse
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import threading
import time


def serve(port, mode):
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("0.0.0.0", port))
    lst.listen(16)
    while True:
        conn, _ = lst.accept()
        threading.Thread(target=handle, args=(conn, mode), daemon=True).start()


def handle(conn, mode):
    try:
        if mode == "linger0":
            conn.recv(1)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "unread":
            time.sleep(0.3)
        elif mode == "late":
            while conn.recv(4096):
                pass
            time.sleep(0.2)
            conn.sendall(b"late")
            time.sleep(1)
        elif mode == "greet":
            conn.sendall(b"hi\n")
            while conn.recv(4096):
                pass
        elif mode == "finrst":
            conn.shutdown(socket.SHUT_WR)
            time.sleep(0.3)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    conn.close()


def handshake(path):
    """Touch PATH, return once the test has removed it."""
    with open(path, "w"):
        pass
    while os.path.exists(path):
        time.sleep(0.02)


def client(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if a.keepalive:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
    if a.user_timeout:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, a.user_timeout)
    if a.ready:
        handshake(a.ready)
    t0 = time.monotonic()
    err = "ok"
    try:
        s.connect((a.addr, a.port))
        if a.after_connect:
            handshake(a.after_connect)
        if a.recv_first:
            s.recv(4096)
        if a.send:
            s.sendall(b"x" * a.send)
        if a.orphan:
            s.close()
        elif a.shut_all:
            s.shutdown(socket.SHUT_RDWR)
            time.sleep(a.shut_all)
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e:
                err = errno.errorcode.get(e, str(e))
        elif a.linger2_off:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_LINGER2, -1)
            s.shutdown(socket.SHUT_WR)
            time.sleep(a.linger2_off)
            s.close()
        else:
            if a.close_first:
                s.shutdown(socket.SHUT_WR)
            if a.recv_timeout:
                s.settimeout(a.recv_timeout)
            while s.recv(4096):
                pass
            if a.after_eof:
                time.sleep(a.after_eof)
                s.send(b"y")
    except OSError as e:
        # socket.timeout is TimeoutError, as is an ETIMEDOUT from the kernel:
        # only the former has no errno.
        if e.errno is None:
            err = "timeout"
        else:
            err = errno.errorcode.get(e.errno, str(e.errno))
    print("result %s %.3f" % (err, time.monotonic() - t0), flush=True)
    s.close()


def cross(a):
    here = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    here.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    here.bind((a.laddr, a.lport))
    # A socket keeps the namespace it was made in: make the other end there.
    fd = os.open("/run/netns/" + a.netns, os.O_RDONLY)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, 0x40000000) != 0:	# CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "setns " + a.netns)
    os.close(fd)
    there = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    there.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    there.bind((a.raddr, a.rport))
    ends = ((here, (a.raddr, a.rport)), (there, (a.laddr, a.lport)))
    t0 = time.monotonic()
    for s, peer in ends:
        s.setblocking(False)
        s.connect_ex(peer)
    err, waiting = "ok", [here, there]
    while waiting and err == "ok":
        _, ready, _ = select.select([], waiting, [], 10)
        if not ready:
            err = "timeout"
        for s in ready:
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e:
                err = errno.errorcode.get(e, str(e))
            waiting.remove(s)
    here.close()
    there.close()
    print("result %s %.3f" % (err, time.monotonic() - t0), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("port", type=int)
    s.add_argument("mode", choices=["linger0", "unread", "finrst", "late", "greet"])
    c = sub.add_parser("client")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("--keepalive", action="store_true")
    c.add_argument("--user-timeout", type=int, default=0)
    c.add_argument("--send", type=int, default=0)
    c.add_argument("--ready")
    c.add_argument("--after-connect")
    c.add_argument("--close-first", action="store_true")
    c.add_argument("--orphan", action="store_true")
    c.add_argument("--recv-timeout", type=float, default=0)
    c.add_argument("--after-eof", type=float, default=0)
    c.add_argument("--recv-first", action="store_true")
    c.add_argument("--shut-all", type=float, default=0)
    c.add_argument("--linger2-off", type=float, default=0)
    x = sub.add_parser("cross")
    x.add_argument("laddr")
    x.add_argument("lport", type=int)
    x.add_argument("raddr")
    x.add_argument("rport", type=int)
    x.add_argument("netns")
    a = p.parse_args()
    if a.cmd == "server":
        serve(a.port, a.mode)
    elif a.cmd == "cross":
        cross(a)
    else:
        client(a)


if __name__ == "__main__":
    sys.exit(main())
