#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Readers of tcptrail files that wait in chosen ways, for the unload and
netns-exit tests.

poller.py DIR MODE:PATH...

Forks one reader per MODE:PATH. Each opens PATH, writes its pid to
DIR/MODE.N (N counts from 0 per mode) once it is about to wait, then waits on
the file until the file says it is gone (EOF, an error, POLLHUP/POLLERR) and
exits 0. The parent exits when all have. MODE is
  select-w  select() with the fd only in writefds
  select-x  select() with the fd only in exceptfds
  poll      poll() for POLLIN, reading what comes
  stopped   the same as poll; the caller SIGSTOPs it (a poller that never
            runs again until SIGCONT)
  epoll     epoll_wait() for EPOLLIN, reading what comes
  read      blocking read()
  fuse      poll() for POLLIN on the file and, after it, on the FUSE file
            named by $POLLER_FUSE (fuse_stall.py), which never answers:
            the task stays inside FUSE's ->poll with its entry on ours
A select() that returns is done (whatever it says). A reader that cannot
open its file writes DIR/MODE.N.err with the reason and exits 1.
"""
import os
import select
import sys


def drain(fd):
    """Read what is there; True when the file is gone."""
    try:
        return os.read(fd, 65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def gone(events, bits):
    return any(e & bits for _, e in events)


def wait_on(mode, fd, fuse=None):
    if mode == "select-w":
        select.select([], [fd], [])
    elif mode == "select-x":
        select.select([], [], [fd])
    elif mode in ("poll", "stopped", "fuse"):
        p = select.poll()
        p.register(fd, select.POLLIN)
        if fuse is not None:
            p.register(fuse, select.POLLIN)
        while not gone(p.poll(), select.POLLHUP | select.POLLERR | select.POLLNVAL):
            if drain(fd):
                break
    elif mode == "epoll":
        ep = select.epoll()
        ep.register(fd, select.EPOLLIN)
        while not gone(ep.poll(), select.EPOLLHUP | select.EPOLLERR):
            if drain(fd):
                break
    elif mode == "read":
        while True:
            try:
                if os.read(fd, 65536) == b"":
                    break
            except OSError:
                break


def reader(mode, path, name):
    try:
        fd = os.open(path, os.O_RDONLY | (0 if mode == "read" else os.O_NONBLOCK))
        fuse = None
        if mode == "fuse":
            path = os.environ["POLLER_FUSE"]
            fuse = os.open(path, os.O_RDONLY)
    except OSError as e:
        with open(name + ".err", "w") as f:
            f.write("%s: %s\n" % (path, e))
        return 1
    if mode != "read":
        try:
            os.lseek(fd, 0, os.SEEK_END)  # only what comes next
        except OSError:
            pass  # stats, a seq_file, has no SEEK_END
    with open(name + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(name + ".tmp", name)
    wait_on(mode, fd, fuse)
    return 0


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out, specs = sys.argv[1], sys.argv[2:]
    modes = ("select-w", "select-x", "poll", "stopped", "epoll", "read", "fuse")
    if out in modes and len(specs) == 2:  # old form: MODE PATH READY
        return reader(out, specs[0], specs[1])
    count = {}
    kids = []
    for spec in specs:
        mode, _, path = spec.partition(":")
        if mode not in modes or not path:
            raise SystemExit("bad reader %r\n%s" % (spec, __doc__))
        n = count.get(mode, 0)
        count[mode] = n + 1
        pid = os.fork()
        if pid == 0:
            os._exit(reader(mode, path, "%s/%s.%d" % (out, mode, n)))
        kids.append(pid)
    rc = 0
    for pid in kids:
        _, status = os.waitpid(pid, 0)
        rc |= status != 0
    return rc


if __name__ == "__main__":
    sys.exit(main())
