#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A small ring overflows: the reader is told exactly how many it missed.
. "$(dirname "$0")/lib.sh"

load ring_size=64
serve 127.0.0.1 8004
# A reader opened before the traffic, not reading until after it.
exec 3<$PROC/events
for i in $(seq 30); do curl -sf -o /dev/null http://127.0.0.1:8004/; done
# Wait until nothing more is recorded (a slow guest's tail-loss probes and
# FIN retransmits are events too), so that the count read is the count made.
recorded() { awk '$1 ~ /^events\./ { s += $2 } END { print s }' $PROC/stats; }
before=$(recorded)
for _ in $(seq 20); do
	sleep 0.5
	now=$(recorded)
	[ "$now" = "$before" ] && break
	before=$now
done
python3 - <<'PY' >"$TCPTRAIL_OUT/loss.events"
import os, fcntl
fcntl.fcntl(3, fcntl.F_SETFL, os.O_NONBLOCK)
buf = b""
while True:
    try:
        b = os.read(3, 65536)
    except BlockingIOError:
        break
    if not b:
        break
    buf += b
print(buf.decode(), end="")
PY
exec 3<&-
read -r _ got _ lost < <($TRAIL count "$TCPTRAIL_OUT/loss.events")
total=$(recorded)
echo "received $got, told lost $lost, recorded $before before the read, $total after"
check "events were lost" test "$lost" -gt 0
if [ "$total" = "$before" ]; then
	check "received + lost == recorded, exactly" test $((got + lost)) -eq "$total"
else
	# Something was recorded while we read: the reader may or may not have got it.
	check "received + lost between what was recorded before and after the read" \
		test $((got + lost)) -ge "$before" -a $((got + lost)) -le "$total"
fi
check "stats count what the ring overwrote" \
	bash -c "awk '\$1 == \"overwritten\" && \$2 > 0' $PROC/stats | grep -q ."
