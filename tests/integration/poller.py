#!/usr/bin/env python3
"""A reader of a tcptrail file that waits in one chosen way, for the unload
and netns-exit tests.

poller.py MODE PATH READY

Opens PATH, creates the file READY, then waits on it until the file says it
is gone (EOF, an error, POLLHUP/POLLERR) and exits 0. MODE is
  select-w  select() with the fd only in writefds
  select-x  select() with the fd only in exceptfds
  poll      poll() for POLLIN, reading what comes (SIGSTOP it to get a
            poller that never runs again)
  epoll     epoll_wait() for EPOLLIN, reading what comes
  read      blocking read()
A wait that ends with nothing to report just waits again.
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


def main():
    mode, path, ready = sys.argv[1:4]
    flags = os.O_RDONLY | (0 if mode == "read" else os.O_NONBLOCK)
    fd = os.open(path, flags)
    if mode != "read":
        os.lseek(fd, 0, os.SEEK_END)  # only what comes next
    open(ready, "w").close()
    if mode == "select-w":
        select.select([], [fd], [])
    elif mode == "select-x":
        select.select([], [], [fd])
    elif mode == "poll":
        p = select.poll()
        p.register(fd, select.POLLIN)
        while True:
            ev = p.poll()
            if any(e & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, e in ev):
                break
            if drain(fd):
                break
    elif mode == "epoll":
        ep = select.epoll()
        ep.register(fd, select.EPOLLIN)
        while True:
            ev = ep.poll()
            if any(e & (select.EPOLLHUP | select.EPOLLERR) for _, e in ev):
                break
            if drain(fd):
                break
    elif mode == "read":
        while True:
            try:
                if os.read(fd, 65536) == b"":
                    break
            except OSError:
                break
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
