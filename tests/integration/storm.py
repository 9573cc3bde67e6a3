#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A connection storm for the stress tests: connect, request, response, close,
over and over, IPv4 and IPv6 in turn, against servers in the same process.

storm.py [--port P] [--count-file F] [--v4-only] [--seconds S]

Listens on 127.0.0.1:P and [::1]:P (P+1), then loops until killed (SIGTERM)
or S seconds have passed; each connection sends b"ping", reads b"pong" and
closes first (its socket ends in TIME_WAIT). The number of connections
completed is written to F (on exit, and every 100 connections).
Pin it with taskset to load one CPU.
"""
import argparse
import signal
import socket
import sys
import threading
import time


def serve(lst):
    while True:
        try:
            c, _ = lst.accept()
        except OSError:
            continue
        try:
            c.settimeout(5)
            if c.recv(16):
                c.sendall(b"pong")
            c.recv(16)  # the client's FIN
        except OSError:
            pass
        c.close()


def listener(family, addr, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    s.listen(512)
    threading.Thread(target=serve, args=(s,), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=7300)
    p.add_argument("--count-file")
    p.add_argument("--v4-only", action="store_true")
    p.add_argument("--seconds", type=float, default=0)
    a = p.parse_args()

    targets = [(socket.AF_INET, "127.0.0.1", a.port)]
    listener(socket.AF_INET, "127.0.0.1", a.port)
    if not a.v4_only:
        listener(socket.AF_INET6, "::1", a.port + 1)
        targets.append((socket.AF_INET6, "::1", a.port + 1))

    done = [0, 0]
    errors = 0

    def save():
        if a.count_file:
            with open(a.count_file, "w") as f:
                f.write("v4 %d v6 %d errors %d\n" % (done[0], done[1], errors))

    def stop(*_):
        save()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    end = time.monotonic() + a.seconds if a.seconds else None
    i = 0
    while end is None or time.monotonic() < end:
        fam, addr, port = targets[i % len(targets)]
        i += 1
        try:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect((addr, port))
            s.sendall(b"ping")
            s.recv(16)
            s.close()
            done[fam == socket.AF_INET6] += 1
        except OSError:
            errors += 1
            time.sleep(0.01)
        if i % 100 == 0:
            save()
    save()


if __name__ == "__main__":
    main()
