#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Half-open handshakes, for reqsk.sh and table_pressure.sh.

halfopen.py listen ADDR PORT N
halfopen.py connect ADDR PORT N

listen: a listener that never accepts (nothing would reach its accept queue
anyway), with a backlog for N request socks, until killed.

connect: N connects at once. Each client socket sees the SYN-ACK and believes it is
ESTABLISHED, but its ACK never arrives (the test drops it: lib.sh's
halfopen_pair). Then the client aborts them all (SO_LINGER 0: its RSTs are
dropped too) so that its own slots go away. Exits 1 unless all N connected.
"""
import errno
import resource
import select
import socket
import struct
import sys
import time


def listen(addr, port, n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(n * 2 + 256)
    while True:
        time.sleep(3600)


def connect(addr, port, n):
    # Campaign sizes need more than 1024 descriptors (select() does not: poll).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, n + 64),) * 2)
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        e = s.connect_ex((addr, port))
        if e not in (0, errno.EINPROGRESS):
            raise SystemExit("connect: %s" % errno.errorcode.get(e, e))
        socks.append(s)
    pending, deadline = {s.fileno() for s in socks}, time.time() + 60
    while pending and time.time() < deadline:
        p = select.poll()
        for fd in pending:
            p.register(fd, select.POLLOUT)
        for fd, _ in p.poll(1000):
            pending.discard(fd)
    bad = [s for s in socks if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)]
    print("half-open client: %d connected, %d pending, %d failed"
          % (n - len(pending), len(pending), len(bad)))
    for s in socks:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    return 1 if pending or bad else 0


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("listen", "connect"):
        raise SystemExit(__doc__)
    run = listen if sys.argv[1] == "listen" else connect
    return run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))


if __name__ == "__main__":
    sys.exit(main())
