#!/bin/bash
# A small ring overflows: the reader is told exactly how many it missed.
. "$(dirname "$0")/lib.sh"

load ring_size=64
serve 127.0.0.1 8004
# A reader opened before the traffic, not reading until after it.
exec 3<$PROC/events
for i in $(seq 30); do curl -sf -o /dev/null http://127.0.0.1:8004/; done
sleep 0.5
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
total=$(awk '$1 ~ /^events\./ { s += $2 } END { print s }' $PROC/stats)
echo "received $got, told lost $lost, recorded $total"
check "events were lost" test "$lost" -gt 0
check "received + lost == recorded, exactly" test $((got + lost)) -eq "$total"
check "stats count what the ring overwrote" \
	bash -c "awk '\$1 == \"overwritten\" && \$2 > 0' $PROC/stats | grep -q ."
