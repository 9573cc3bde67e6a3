#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod while connections are being made and readers block in read() and
# poll(): it succeeds, the readers end, the guest log stays clean.
. "$(dirname "$0")/lib.sh"

load
serve 127.0.0.1 8005
(for i in $(seq 400); do curl -s -o /dev/null http://127.0.0.1:8005/; done) &
traffic=$!
sleep 1
cat $PROC/events >/dev/null &
r1=$!
$TRAIL drain $PROC/raw >/dev/null
python3 -c "
import select
f = open('$PROC/raw', 'rb', buffering=0)
p = select.poll(); p.register(f, select.POLLIN)
while True:
    for _, ev in p.poll():
        if ev & (select.POLLHUP | select.POLLERR):
            raise SystemExit(0)
        try:
            if not f.read(176 * 64):
                raise SystemExit(0)
        except OSError:
            raise SystemExit(0)
" &
r2=$!
cat $PROC/events >/dev/null &
r3=$!
sleep 2
check "rmmod succeeds under traffic with blocked readers" timeout 30 rmmod tcptrail
for r in $r1 $r2 $r3; do
	check "reader $r ended" timeout 10 tail --pid=$r -f /dev/null
done
kill $traffic 2>/dev/null || true
wait $traffic 2>/dev/null || true
check "module gone" bash -c "! test -d $PROC"
