#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Four raw readers (2 fast, 2 slow) of one netns's ring during TT_EVENTS events: for each, received + reported lost == produced, exactly (issue 9, campaign "overflow").
. "$(dirname "$0")/lib.sh"

EVENTS=${TT_EVENTS:-20000}
RING=${TT_OV_RING:-256}
BATCH=${TT_OV_BATCH:-200}
# Seconds to produce them: what the test's own time limit leaves (a busy
# host makes TCG slow; scripts/stress gives hours).
LIMIT=${TT_OV_SECS:-$((${TT_TEST_TIMEOUT:-600} - 60))}
PORT=7400
TCPWORK=$TOP/userspace/tcpwork
[ -x "$TCPWORK" ] || fail "no $TCPWORK (make -C userspace)"
load ring_size="$RING"
# A netns of its own: its ring and its stats hold only this traffic. No
# TIME_WAIT (tcp_max_tw_buckets=0: tw_skip instead), so no event comes late.
ip netns add ov
ip -n ov link set lo up
ip netns exec ov sysctl -qw net.ipv4.tcp_max_tw_buckets=0
ip netns exec ov sysctl -qw net.ipv4.ip_local_port_range="10000 60999"

cat >"$TCPTRAIL_OUT/ovreader.py" <<'PY'
# ovreader.py NAME fast|slow STOPFILE: read raw until STOPFILE exists and
# nothing is left; print "NAME received N lost M dup D".
import os, select, struct, sys, time
name, speed, stop = sys.argv[1:4]
REC, LOST = 176, 2
fd = os.open("/proc/net/tcptrail/raw", os.O_RDONLY | os.O_NONBLOCK)
open(stop + "." + name, "w").close()		# ready: opened before any event
received = lost = dup = 0
seen = set()
hdr = None
chunk = REC * (256 if speed == "fast" else 1)


def take(buf):
    global hdr, received, lost, dup
    if len(buf) % REC:
        raise SystemExit("%s: read returned %d bytes, not whole records" % (name, len(buf)))
    if hdr is None:
        magic, major, minor, size = struct.unpack_from("<IHHI", buf)
        if magic != 0x54435054 or size != REC:
            raise SystemExit("%s: bad header" % name)
        hdr = (major, minor)
        buf = buf[REC:]
    # seq, count (at 32), kind and cpu (at 56) of every record at once.
    for seq, count, kind, cpu in struct.iter_unpack("<Q24xQ16xHH116x", buf):
        if kind == LOST:
            lost += count
            continue
        received += 1
        if (cpu, seq) in seen:
            dup += 1
        seen.add((cpu, seq))


poller = select.poll()
poller.register(fd, select.POLLIN)
while True:
    done = os.path.exists(stop)
    try:
        buf = os.read(fd, REC * 4096 if done else chunk)
    except BlockingIOError:
        if done:
            break
        poller.poll(200)
        continue
    take(buf)
    if speed == "slow" and not done:
        time.sleep(0.02)
print("%s %s received %d lost %d dup %d" % (name, speed, received, lost, dup))
PY

echo "$(date +%T) starting the readers"
stop=$TCPTRAIL_OUT/overflow.stop
rm -f "$stop" "$stop".*
pids=()
for r in fast1:fast fast2:fast slow1:slow slow2:slow; do
	ip netns exec ov python3 "$TCPTRAIL_OUT/ovreader.py" "${r%:*}" "${r#*:}" "$stop" \
		>"$TCPTRAIL_OUT/overflow.${r%:*}" &
	pids+=($!)
done
for r in fast1 fast2 slow1 slow2; do
	for _ in $(seq 300); do [ -e "$stop.$r" ] && break; sleep 0.1; done
	[ -e "$stop.$r" ] || fail "reader $r did not start"
done

produced() {
	ip netns exec ov awk '$1 ~ /^events\./ { s += $2 } END { print s + 0 }' $PROC/stats
}
echo "$(date +%T) readers ready"
check "nothing recorded before the traffic" test "$(produced)" = 0
ip netns exec ov "$TCPWORK" server $PORT eof &
server=$!
wait_listen ov $PORT
start=$(date +%s)
while [ "$(produced)" -lt "$EVENTS" ]; do
	# Two clients at once: one per vCPU, the rings of both CPUs fill.
	ip netns exec ov "$TCPWORK" client 127.0.0.1 $PORT -n "$BATCH" >/dev/null &
	c1=$!
	ip netns exec ov "$TCPWORK" client 127.0.0.1 $PORT -n "$BATCH" >/dev/null ||
		fail "tcpwork client"
	wait "$c1" || fail "tcpwork client"
	[ $(($(date +%s) - start)) -lt "$LIMIT" ] ||
		fail "could not produce $EVENTS events in $LIMIT s (TT_OV_SECS)"
done
sleep 1
# Nothing more from here on: what stats count now is what was produced.
echo pause | ip netns exec ov tee $PROC/control >/dev/null
kill "$server"
total=$(produced)
echo "produced $total events in $(($(date +%s) - start)) s (ring_size $RING per CPU)"
ip netns exec ov grep -E '^(events\.|overwritten|filtered|dropped_paused)' $PROC/stats
touch "$stop"
echo "$(date +%T) traffic done, readers draining"
for p in "${pids[@]}"; do
	wait "$p" || fail "a reader failed"
done
echo "$(date +%T) readers done"
for r in fast1 fast2 slow1 slow2; do
	read -r name speed _ got _ lost _ dup <"$TCPTRAIL_OUT/overflow.$r"
	echo "$name ($speed): received $got, told lost $lost, sum $((got + lost)), produced $total, duplicates $dup"
	check "$r: received + reported lost == produced, exactly" test $((got + lost)) -eq "$total"
	check "$r: no record twice" test "$dup" = 0
	if [ "$speed" = slow ]; then
		check "$r (slow) was told of losses" test "$lost" -gt 0
	fi
done
check "at least $EVENTS events produced" test "$total" -ge "$EVENTS"
