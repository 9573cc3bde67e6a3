# Helpers for the integration tests, which run as root inside the dev VM.
# shellcheck shell=bash
set -euo pipefail

TOP=${TCPTRAIL_TOP:?run through scripts/vm}
MOD=${TCPTRAIL_MOD:?}
TRAIL="python3 $TOP/tests/integration/trail.py"
PROC=/proc/net/tcptrail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		fail "$what"
	fi
}

load() {
	insmod "$MOD" "$@" || fail "insmod $*"
}

# serve ADDR PORT [NETNS]: a python3 http.server, up when this returns.
serve() {
	local addr=$1 port=$2 ns=${3:-}
	local run=()
	[ -n "$ns" ] && run=(ip netns exec "$ns")
	(cd /tmp && exec "${run[@]}" python3 -m http.server "$port" --bind "$addr" \
		>/dev/null 2>&1) &
	for _ in $(seq 100); do
		if "${run[@]}" ss -Hltn "sport = :$port" | grep -q LISTEN; then
			return 0
		fi
		sleep 0.1
	done
	fail "http.server on $addr:$port did not start"
}

# drain FILE: every event held for a new reader, as text (never blocks).
drain() {
	$TRAIL drain "${1:-$PROC/events}"
}
