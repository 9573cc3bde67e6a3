#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A curl to a local python3 http.server, IPv4 and IPv6: both sides' full
# trails, in order, with real ports, cookies and ISNs.
. "$(dirname "$0")/lib.sh"

load
check "hook mode is the tracepoint" grep -qx 'hook_mode tracepoint' $PROC/stats
serve 127.0.0.1 8000
serve ::1 8006
curl -sf -o /dev/null http://127.0.0.1:8000/ || fail "curl v4"
curl -sf -o /dev/null 'http://[::1]:8006/' || fail "curl v6"
sleep 0.5
drain >"$TCPTRAIL_OUT/curl_trail.events"
$TRAIL check-http "$TCPTRAIL_OUT/curl_trail.events" 8000 ipv4
$TRAIL check-http "$TCPTRAIL_OUT/curl_trail.events" 8006 ipv6
