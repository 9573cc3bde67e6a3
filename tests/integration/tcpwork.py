#!/usr/bin/env python3
"""TCP workloads whose closing order is chosen, for the lifecycle tests.

server PORT MODE      listen on all addresses; per connection MODE is
                      eof     read until the client's FIN, then close
                      first   close at once (the server closes first)
                      never   keep it open, never close (orphans the peer)
                      late    close 1 s after the client's FIN
client ADDR PORT [--n N] [--bind-port P] [--linger0] [--close-now] [--pause S]
                      N connections, one after the other: connect, send a
                      byte, close first (RST instead with --linger0), wait
                      for the server's FIN, unless --close-now (orphans it)
"""
import argparse
import socket
import struct
import sys
import threading
import time


def serve(port, mode):
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("0.0.0.0", port))
    lst.listen(128)
    held = []
    while True:
        conn, _ = lst.accept()
        if mode == "first":
            conn.close()
        elif mode == "never":
            held.append(conn)
        elif mode == "late":
            threading.Thread(target=late_close, args=(conn,), daemon=True).start()
        else:
            threading.Thread(target=drain_close, args=(conn,), daemon=True).start()


def late_close(conn):
    while conn.recv(4096):
        pass
    time.sleep(1)
    conn.close()


def drain_close(conn):
    try:
        while conn.recv(4096):
            pass
    except ConnectionResetError:
        pass  # the client closed with SO_LINGER 0
    conn.close()


def client(addr, port, n, bind_port, linger0, close_now, pause):
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if bind_port:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", bind_port))
        s.connect((addr, port))
        s.sendall(b"x")
        if linger0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        elif close_now:
            s.close()
        else:
            s.shutdown(socket.SHUT_WR)
            s.settimeout(5)
            try:
                while s.recv(4096):
                    pass
            except (socket.timeout, ConnectionResetError):
                pass
            s.close()
        time.sleep(pause)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("port", type=int)
    s.add_argument("mode", choices=["eof", "first", "never", "late"])
    c = sub.add_parser("client")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("--n", type=int, default=1)
    c.add_argument("--bind-port", type=int, default=0)
    c.add_argument("--linger0", action="store_true")
    c.add_argument("--close-now", action="store_true")
    c.add_argument("--pause", type=float, default=0.0)
    a = p.parse_args()
    if a.cmd == "server":
        serve(a.port, a.mode)
    else:
        client(a.addr, a.port, a.n, a.bind_port, a.linger0, a.close_now, a.pause)


if __name__ == "__main__":
    sys.exit(main())
