#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each network namespace sees its own events; the initial one can opt in
# to all, and every event carries its netns inode.
. "$(dirname "$0")/lib.sh"

load
ip netns add a
ip netns exec a ip link set lo up
# A namespace records once its files are opened (issue 9, defect 3).
ip netns exec a cat $PROC/control >/dev/null
serve 127.0.0.1 8007 a
ip netns exec a curl -sf -o /dev/null http://127.0.0.1:8007/ || fail curl
sleep 0.3
ino=$(stat -L -c %i /run/netns/a)
ip netns exec a python3 $TOP/tests/integration/trail.py drain $PROC/events >"$TCPTRAIL_OUT/netns.a"
drain >"$TCPTRAIL_OUT/netns.init"
check "netns a sees its curl" grep -q " $ino .* 8007 " "$TCPTRAIL_OUT/netns.a"
check "the initial netns does not, by default" bash -c "! grep -q ' 8007 ' $TCPTRAIL_OUT/netns.init"
echo "netns all" >$PROC/control
ip netns exec a curl -sf -o /dev/null http://127.0.0.1:8007/ || fail curl
sleep 0.3
drain >"$TCPTRAIL_OUT/netns.all"
check "with 'netns all' the initial netns sees it, with a's inode" \
	bash -c "grep -E '^state [0-9]+ [0-9]+ [0-9]+ $ino ' $TCPTRAIL_OUT/netns.all | grep -q ' 8007 '"
check "deleting a netns with a reader open is safe" bash -c "
	ip netns exec a sh -c 'exec 3<$PROC/events; sleep 1' &
	sleep 0.3; ip netns delete a; wait"
