#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module parameters: nonsense fails the load with a clear message; good
# values show in stats.
. "$(dirname "$0")/lib.sh"

for bad in ring_size=3 ring_size=4000000 conns=1 hook=bogus; do
	check "insmod $bad fails" bash -c "! insmod $MOD $bad 2>/dev/null"
	check "insmod $bad says why" bash -c "dmesg | tail -n 5 | grep -q 'tcptrail: ${bad%%=*}='"
	check "nothing left loaded after $bad" bash -c "! test -d $PROC"
done
load ring_size=100 conns=1000
check "ring_size rounds up to a power of two" grep -qx 'ring_size 128' $PROC/stats
check "parameters are read-only" \
	bash -c "! echo 4096 >/sys/module/tcptrail/parameters/ring_size"
