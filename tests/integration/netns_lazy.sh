#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A network namespace costs (close to) nothing until someone opens its
# tcptrail files; the ring then comes, charged to the opener's memory cgroup.
# Prints the memory per netns with and without the module (figures:).
. "$(dirname "$0")/lib.sh"

# 40 by default to stay within make check's time under TCG; TT_LAZY_NETNS=200
# and TT_FIGURES_ONLY=1 (any module, even an old one) for the README's figures.
N=${TT_LAZY_NETNS:-40}
cpus=$(cat /sys/devices/system/cpu/possible)
ncpu=$(($(echo "$cpus" | sed 's/.*-//') + 1))

# kmem: Slab + VmallocUsed + Percpu, KiB; avail: MemAvailable, KiB.
mem() {
	awk '/^(Slab|VmallocUsed|Percpu):/ { k += $2 } /^MemAvailable:/ { a = $2 }
		END { print k, a }' /proc/meminfo
}
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
}
# per_netns LABEL: create N namespaces, print KiB per netns, delete them.
per_netns() {
	local k0 a0 k1 a1 i
	settle
	read -r k0 a0 < <(mem)
	for i in $(seq "$N"); do ip netns add "lazy$i"; done
	settle
	read -r k1 a1 < <(mem)
	echo "figures: $1: $N netns, kernel memory +$(((k1 - k0) / N)) KiB/netns" \
		"(Slab+VmallocUsed+Percpu), MemAvailable -$(((a0 - a1) / N)) KiB/netns" \
		"($ncpu possible CPUs)"
	echo "$(((a0 - a1) / N))" >"$TCPTRAIL_OUT/lazy.$2"
	for i in $(seq "$N"); do ip netns delete "lazy$i"; done
	sleep 3
}

per_netns "without the module" without
load
per_netns "module loaded, no reader" with
[ -z "${TT_FIGURES_ONLY:-}" ] || exit 0
without=$(cat "$TCPTRAIL_OUT/lazy.without")
with=$(cat "$TCPTRAIL_OUT/lazy.with")
ring_kib=$((4096 * 184 * ncpu / 1024))
# Noise is some tens of KiB per netns at this N; a ring per netns is far more.
check "a namespace nobody reads costs less than a quarter ring more ($((with - without)) KiB; ring: $ring_kib KiB)" \
	test $((with - without)) -lt $((ring_kib / 4))

ip netns add lazy
check "its stats say it records nothing yet" \
	bash -c "ip netns exec lazy cat $PROC/stats | grep -qx 'recording 0'"
check "its stats show no host-wide figures" \
	bash -c "! ip netns exec lazy setpriv --reuid=65534 --regid=65534 --clear-groups \
		cat $PROC/stats | grep -qE '^(table_|missed\\.)'"
check "the initial namespace records from load" grep -qx 'recording 1' $PROC/stats
check "and shows the table" grep -q '^table_used ' $PROC/stats

# The first opener pays, in its memory cgroup.
cg=/tmp/ttcg
mkdir -p $cg
mountpoint -q $cg || mount -t cgroup2 none $cg ||
	fail "no cgroup2 in this kernel"
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/opener
read -r k0 _ < <(mem)
charged=$(sh -c "echo \$\$ >$cg/opener/cgroup.procs
	exec ip netns exec lazy python3 -c '
import os, sys
before = int(open(\"$cg/opener/memory.current\").read())
fd = os.open(\"$PROC/events\", os.O_RDONLY)
after = int(open(\"$cg/opener/memory.current\").read())
print((after - before) // 1024)
'")
read -r k1 _ < <(mem)
echo "figures: first open in a netns: +$((k1 - k0)) KiB kernel memory," \
	"$charged KiB charged to the opener's memcg (ring alone: $ring_kib KiB)"
check "the ring is charged to the opener's memory cgroup" \
	test "$charged" -ge "$ring_kib"
check "after an open it records" \
	bash -c "ip netns exec lazy cat $PROC/stats | grep -qx 'recording 1'"
ip netns delete lazy

# Rings far too big to give every namespace one: creating many still works.
rmmod tcptrail
total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
size=64
while [ $((size * 2 * 184 * ncpu / 1024)) -le $((total / 8)) ]; do
	size=$((size * 2))
done
load ring_size=$size
echo "figures: ring_size=$size: $((size * 184 * ncpu / 1024)) KiB per ring, MemTotal $total KiB"
check "40 namespaces with rings of 1/8 of memory each: all created" \
	bash -c "for i in \$(seq 40); do ip netns add big\$i || exit 1; done"
check "and each has its files" \
	bash -c "ip netns exec big40 test -r $PROC/stats"
for i in $(seq 40); do ip netns delete "big$i"; done
