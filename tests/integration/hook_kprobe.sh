#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hook=kprobe: tcp_set_state instead of the tracepoint. Same trails, but
# without CLOSE->LISTEN and the child's LISTEN->SYN_RECV (documented).
. "$(dirname "$0")/lib.sh"

load hook=kprobe
check "hook mode is kprobe" grep -qx 'hook_mode kprobe' $PROC/stats
check "tcp_set_state kprobe attached" grep -qx 'hook.tcp_set_state attached' $PROC/stats
serve 127.0.0.1 8001
curl -sf -o /dev/null http://127.0.0.1:8001/ || fail curl
sleep 0.5
drain >"$TCPTRAIL_OUT/hook_kprobe.events"
$TRAIL check-http "$TCPTRAIL_OUT/hook_kprobe.events" 8001 ipv4 --no-listen
check "kprobe mode cannot see CLOSE->LISTEN (documented)" \
	bash -c "! grep -qE '^state .* CLOSE LISTEN ' $TCPTRAIL_OUT/hook_kprobe.events"
