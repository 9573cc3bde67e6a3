#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole life of closing connections, each scenario in its own pair of
# network namespaces (veth, netem 50 ms on the client side), all at once so
# the one TIME_WAIT minute is waited for only once:
#   a  client closes first: TIME_WAIT entry, expiry after ~60 s; SYN arrival
#      ISNs and handshake times (one RTT on both sides)
#   b  orphaned FIN_WAIT2, tcp_fin_timeout=5, a peer that never closes
#   c  tcp_max_tw_buckets=1: later connections skip TIME_WAIT, as nstat says
#   d  reconnect from a bound port: connect() takes the TIME_WAIT over,
#      cause "reused" (tcp_twsk_unique; compare.sh shows tcp_tw_reuse itself)
#   e  RSTs: a closed port, and close() with SO_LINGER 0
#   f  orphaned FIN_WAIT2 whose peer closes 1 s later: the timewait sock
#      turns FIN_WAIT2 -> TIME_WAIT and its timer is re-armed to 60 s
. "$(dirname "$0")/lib.sh"

load ring_size=16384
echo "netns all" >$PROC/control
pair a 1 50ms
pair b 2
pair c 3
pair d 4
pair e 5
pair f 6
ip netns exec b-c sysctl -qw net.ipv4.tcp_fin_timeout=5
ip netns exec c-c sysctl -qw net.ipv4.tcp_max_tw_buckets=1
ip netns exec d-c sysctl -qw net.ipv4.tcp_tw_reuse=1

workload a-s server 7001 eof &
workload b-s server 7002 never &
workload c-s server 7003 eof &
workload d-s server 7004 eof &
workload e-s server 7005 eof &
workload f-s server 7006 late &
for p in a-s:7001 b-s:7002 c-s:7003 d-s:7004 e-s:7005 f-s:7006; do
	wait_listen "${p%:*}" "${p#*:}"
done

# Resolve neighbours first: the handshake times below are one RTT, not ARP's.
for n in a:1 b:2 c:3 d:4 e:5 f:6; do
	ip netns exec "${n%:*}-c" ping -c1 -W2 "198.18.${n#*:}.1" >/dev/null || fail "ping ${n%:*}"
done
over0=$(overflow c-c)
workload f-c client 198.18.6.1 7006 --close-now
workload a-c client 198.18.1.1 7001
workload b-c client 198.18.2.1 7002 --close-now
workload c-c client 198.18.3.1 7003 --n 5
over1=$(overflow c-c)
workload d-c client 198.18.4.1 7004 --bind-port 40000
sleep 2		# tw_reuse needs the last timestamp to be over a second old
workload d-c client 198.18.4.1 7004 --bind-port 40000
ip netns exec e-c curl -s -o /dev/null http://198.18.5.1:7099/ && fail "closed port answered"
workload e-c client 198.18.5.1 7005 --linger0

echo "waiting for TIME_WAIT to expire ($(date +%T))"
sleep 66
drain >"$TCPTRAIL_OUT/timewait.events"

args=()
for ns in a-c a-s b-c c-c d-c e-c e-s f-c; do
	args+=("$ns=$(stat -L -c %i "/run/netns/$ns")")
done
python3 "$TOP/tests/integration/check_lifecycle.py" "$TCPTRAIL_OUT/timewait.events" \
	overflow=$((over1 - over0)) "${args[@]}"
