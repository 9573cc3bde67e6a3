#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# control: bad writes are rejected and change nothing; filters, pause and
# clear work; concurrent writers are safe.
. "$(dirname "$0")/lib.sh"

load
C=$PROC/control
check "control reads before any write" grep -qx 'resume' $C
echo "lport 4242" >$C
before=$(cat $C)
for bad in bogus "port 0" "port 99999" "addr 1.2.3.4/40" "state NOPE" \
	"port 80 81" "lport 1
bogus"; do
	# One write(2) per case: a filter change must not slip in line by line.
	check "rejects '${bad//$'\n'/|}'" python3 -c "
import os, sys
fd = os.open('$C', os.O_WRONLY)
try:
    os.write(fd, sys.argv[1].encode() + b'\\n')
except OSError as e:
    raise SystemExit(0 if e.errno == 22 else 1)
raise SystemExit(1)" "$bad"
	check "'${bad//$'\n'/|}' changed nothing" test "$(cat $C)" = "$before"
done
check "rejects a write over a page" \
	bash -c "! python3 -c 'print(\"#\" * 5000)' >$C"
check "EINVAL is the error" \
	bash -c "bash -c 'echo bogus >$C' 2>&1 | grep -q 'Invalid argument'"
check "netns all refused outside the initial netns" \
	bash -c "ip netns add other && ! ip netns exec other sh -c 'echo netns all >$C'"

# The filter first: even the listeners' events must be filtered.
echo reset >$C
echo "port 8002" >$C
serve 127.0.0.1 8002
serve 127.0.0.1 8003
check "control shows the filter" grep -qx 'port 8002' $C
curl -sf -o /dev/null http://127.0.0.1:8002/ || fail curl
curl -sf -o /dev/null http://127.0.0.1:8003/ || fail curl
sleep 0.3
drain >"$TCPTRAIL_OUT/control.events"
check "port filter keeps port 8002" grep -q ' 8002 ' "$TCPTRAIL_OUT/control.events"
check "port filter drops port 8003" bash -c "! grep -q ' 8003 ' $TCPTRAIL_OUT/control.events"
check "stats count the filtered" bash -c "awk '\$1 == \"filtered\" && \$2 > 0' $PROC/stats | grep -q ."

echo -e "reset\npause" >$C
n0=$(drain | grep -c '^state' || true)
curl -sf -o /dev/null http://127.0.0.1:8003/ || fail curl
sleep 0.3
check "pause records nothing" test "$(drain | grep -c '^state' || true)" = "$n0"
echo resume >$C
exec 4<$PROC/events		# a reader open before the clear
curl -sf -o /dev/null http://127.0.0.1:8003/ || fail curl
sleep 0.3
echo clear >$C
check "clear: an open reader is told exactly what was discarded" \
	bash -c "$TRAIL drain-fd 4 | grep -qE '^lost [1-9][0-9]* cleared$'"
exec 4<&-
check "clear: a new reader starts with nothing" \
	bash -c "test \$($TRAIL drain $PROC/events | grep -c '^state') = 0"

# Writers racing each other: every write succeeds, the result is one of them.
writers=()
for i in 1 2 3 4; do
	(for j in $(seq 50); do echo "port 80$i$((j % 10))" >$C; done) &
	writers+=($!)
done
wait "${writers[@]}"
check "concurrent writers leave a valid filter" grep -qE '^port 80[1-4][0-9]$' $C
