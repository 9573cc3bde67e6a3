#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A FUSE file system whose one file never answers poll(), for pollers.sh.

fuse_stall.py MOUNTPOINT

Mounts itself on MOUNTPOINT (as root: mount(2) on an fd of /dev/fuse, no
libfuse) with one empty regular file, `f`. It answers INIT, LOOKUP, GETATTR,
OPEN, FLUSH and RELEASE; it reads FUSE_POLL and never answers it. A task
whose poll() also waits on `f` therefore stays inside the file system's
->poll, uninterruptibly once the request was read (even SIGKILL waits), with
its entries on the other files' wait queues. It prints "ready" once `f` can
be opened. On SIGTERM it unmounts (lazily) and exits: closing /dev/fuse
aborts the connection, which ends every pending request, and the pollers go
on.
"""
import ctypes
import errno
import os
import signal
import struct
import sys

INIT, LOOKUP, GETATTR, OPEN, RELEASE, FLUSH, INTERRUPT, POLL = 26, 1, 3, 14, 18, 25, 36, 40
NO_REPLY = (2, INTERRUPT, 42)  # FORGET, INTERRUPT, BATCH_FORGET
ROOT, FILE = 1, 2
IN_HEADER = struct.Struct("=IIQQIIIHH")  # len opcode unique nodeid uid gid pid extlen pad
MNT_DETACH = 2

libc = ctypes.CDLL(None, use_errno=True)


def attr(nodeid):
    """struct fuse_attr: ino size blocks atime mtime ctime, nsecs, mode nlink
    uid gid rdev blksize flags."""
    mode = 0o40755 if nodeid == ROOT else 0o100444
    return struct.pack("=6Q10I", nodeid, 0, 0, 0, 0, 0, 0, 0, 0, mode,
                       2 if nodeid == ROOT else 1, 0, 0, 0, 4096, 0)


def reply(fd, unique, body=b"", error=0):
    os.write(fd, struct.pack("=IiQ", 16 + len(body), -error, unique) + body)


def serve(fd):
    day = 86400
    while True:
        try:
            req = os.read(fd, 1 << 18)
        except OSError as e:
            if e.errno in (errno.EINTR, errno.EAGAIN, errno.ENOENT):
                continue  # ENOENT: a request interrupted before we read it
            raise
        _, op, unique, nodeid, *_ = IN_HEADER.unpack_from(req)
        arg = req[IN_HEADER.size:]
        if op in NO_REPLY or op == POLL:
            continue  # POLL: never answered, on purpose
        if op == INIT:
            major, minor, readahead = struct.unpack_from("=III", arg)
            # major minor max_readahead flags max_background
            # congestion_threshold max_write time_gran max_pages
            # map_alignment flags2 unused[7]
            reply(fd, unique, struct.pack("=IIIIHHIIHHI7I", 7, 31, readahead,
                                          0, 16, 12, 65536, 1, 0, 0, 0,
                                          *[0] * 7))
        elif op == LOOKUP:
            if nodeid == ROOT and arg.rstrip(b"\0") == b"f":
                # nodeid generation entry_valid attr_valid, their nsecs
                reply(fd, unique, struct.pack("=QQQQII", FILE, 1, day, day, 0, 0)
                      + attr(FILE))
            else:
                reply(fd, unique, error=errno.ENOENT)
        elif op == GETATTR:
            reply(fd, unique, struct.pack("=QII", day, 0, 0) + attr(nodeid))
        elif op == OPEN:
            reply(fd, unique, struct.pack("=QII", 1, 0, 0))
        elif op in (FLUSH, RELEASE):
            reply(fd, unique)
        else:
            reply(fd, unique, error=errno.ENOSYS)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    mnt = os.path.abspath(sys.argv[1])
    os.makedirs(mnt, exist_ok=True)
    fd = os.open("/dev/fuse", os.O_RDWR)
    opts = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
    if libc.mount(b"ttfuse", mnt.encode(), b"fuse", 0, opts.encode()) != 0:
        e = ctypes.get_errno()
        raise SystemExit("fuse_stall: mount %s: %s" % (mnt, os.strerror(e)))

    def stop(*_):
        libc.umount2(mnt.encode(), MNT_DETACH)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    if os.fork() == 0:
        # INIT must be answered before the first lookup gets through.
        os.close(fd)
        f = os.open(os.path.join(mnt, "f"), os.O_RDONLY)
        os.close(f)
        print("ready", flush=True)
        os._exit(0)
    serve(fd)


if __name__ == "__main__":
    main()
