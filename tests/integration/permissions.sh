#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sequence numbers are secrets: events, raw and control need root with
# CAP_NET_ADMIN; stats is world-readable; an fd keeps its opener's rights.
. "$(dirname "$0")/lib.sh"

load
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
for f in events raw control; do
	check "$f is mode 0400/0600 root" \
		bash -c "stat -c '%U %a' $PROC/$f | grep -qE '^root (400|600)$'"
	check "nobody cannot open $f" bash -c "! ${nobody[*]} cat $PROC/$f"
	check "root without CAP_NET_ADMIN cannot open $f" bash -c \
		"setpriv --bounding-set -net_admin timeout 1 cat $PROC/$f 2>&1 | grep -q 'Operation not permitted'"
done
check "nobody can read stats" bash -c "${nobody[*]} cat $PROC/stats | grep -q '^hook_mode'"
check "no kernel pointer in stats" bash -c "! grep -qE 'ffff[0-9a-f]{12}' $PROC/stats"
# An fd opened by root still reads after the holder drops to nobody.
check "an fd keeps its opener's rights" python3 - <<PY
import os
fd = os.open("$PROC/events", os.O_RDONLY | os.O_NONBLOCK)
os.setgid(65534); os.setuid(65534)
print(os.read(fd, 4096).decode().splitlines()[0])
PY
check "the tcptrail reader says root or CAP_NET_ADMIN is needed" \
	bash -c "${nobody[*]} $TCPTRAIL_BIN 2>&1 | grep -qi 'CAP_NET_ADMIN'"
