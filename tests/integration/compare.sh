#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compare: scripts/compare-timewait on a reduced matrix (5 connections per
# workload, every setting at once), checked against what Linux does, from the
# numbers it measured: TIME_WAIT lasts 60 s whatever tcp_fin_timeout says, an
# orphaned FIN_WAIT2 lasts tcp_fin_timeout, tcp_max_tw_buckets skips TIME_WAIT
# exactly as often as nstat's TcpExtTCPTimeWaitOverflow counts, and
# tcp_tw_reuse=1 (only) lets connect() end a TIME_WAIT early.
# Timers of 60 s sit in a timer-wheel level of 512 jiffies (2.048 s at
# Debian's HZ=250): they fire up to that late, never early, hence 58..62.5 s.
. "$(dirname "$0")/lib.sh"

CMP="bash $TOP/scripts/compare-timewait"
out=$TCPTRAIL_OUT/compare

# Refusals come before anything changes: no module, no namespace.
rc=0
$CMP --set tcp_tw_reuse=3 2>"$TCPTRAIL_OUT/compare.bad" || rc=$?
check "a value out of range exits 2" [ $rc -eq 2 ]
check "... saying which" grep -q "tcp_tw_reuse: '3'" "$TCPTRAIL_OUT/compare.bad"
rc=0
$CMP --set tcp_fin_timeout=60 --set tcp_nonsense=1 2>/dev/null || rc=$?
check "an unknown sysctl exits 2" [ $rc -eq 2 ]
untouched() { [ ! -d "$PROC" ] && [ -z "$(ip netns list)" ]; }
check "... and nothing was set up (no module, no netns)" untouched
rc=0
TCPTRAIL_MOD='' $CMP -n 1 2>"$TCPTRAIL_OUT/compare.nomod" || rc=$?
check "without the module (and no TCPTRAIL_MOD): exit 1" [ $rc -eq 1 ]
check "... with a clear error naming insmod" grep -q 'not loaded: insmod' "$TCPTRAIL_OUT/compare.nomod"

# The run: the script loads the module itself (ring_size=65536).
start=$(date +%s)
$CMP -n 5 --out "$out" --set tcp_fin_timeout=60,5 --set tcp_tw_reuse=0,1 \
	--set tcp_max_tw_buckets=default,1 --set tcp_tw_reuse_delay=500 >"$out.txt" ||
	fail "compare-timewait exited $? (report: $out.txt)"
cat "$out.txt"
echo "compare-timewait took $(($(date +%s) - start)) s"
csv=$out/timewait.csv

check "timewait.csv has rows" [ "$(wc -l <"$csv")" -gt 1 ]
check "timewait.png is a PNG" bash -c "head -c 4 '$out/timewait.png' | grep -q PNG"
check "no event lost" grep -qx 'events lost: 0' "$out.txt"
if [ -e /proc/sys/net/ipv4/tcp_tw_reuse_delay ]; then
	check "tcp_tw_reuse_delay=500 was run" grep -q '^tcp_tw_reuse_delay=500,' "$csv"
else
	check "tcp_tw_reuse_delay=500 is reported as not in this kernel" \
		grep -qx 'tcp_tw_reuse_delay=500: not in this kernel (not run)' "$out.txt"
fi
nset=$(grep -c '^setting [0-9]*:' "$out.txt")
check "every one of the $nset settings established its 5+5+5 connections" \
	[ "$(grep -cE '^[^,]+,(client-first|server-first|orphan-fin2),' "$csv")" -eq $((nset * 15)) ]

# TIME_WAIT: the median of those that expired, per netns (client and server
# of every setting), tcp_fin_timeout=5 included.
medians=$(awk -F, '
	NR > 1 && $9 == "TIME_WAIT" && $10 == "expired" { v[$4] = v[$4] " " $11 }
	END {
		for (ns in v) {
			n = split(v[ns], a, " ")
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			printf "%s %.3f %d\n", ns, (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) / 1e9, n
		}
	}' "$csv" | sort)
echo "TIME_WAIT median per netns (netns seconds count):"
echo "$medians"
# Every namespace entered TIME_WAIT; where none expired (tcp_max_tw_buckets=1
# has one), its TIME_WAIT must have been killed by an RST (see below).
unmeasured=$(awk -F, -v have="$(echo "$medians" | awk '{ printf "%s ", $1 }')" '
	NR > 1 && $9 == "TIME_WAIT" && $10 != "skipped" && !index(have, $4 " ") { c[$4] = c[$4] " " $10 }
	END { for (ns in c) print ns c[ns] }' "$csv")
[ -z "$unmeasured" ] || echo "no TIME_WAIT expired in: $unmeasured"
check "TIME_WAIT entered in all $((2 * nset)) namespaces" \
	[ "$(awk -F, 'NR > 1 && $9 == "TIME_WAIT" && $10 != "skipped" { print $4 }' "$csv" | sort -u | wc -l)" -eq $((2 * nset)) ]
check "... and expired in each, unless killed by an RST" \
	awk '{ for (i = 2; i <= NF; i++) if ($i != "rst") bad = 1 } END { exit bad }' <<<"$unmeasured"
check "TIME_WAIT median 58..62.5 s in every netns" \
	awk '$2 < 58 || $2 > 62.5 { bad = 1 } END { exit bad }' <<<"$medians"
fin5=$(awk -F, '$1 == "tcp_fin_timeout=5" { print $4 }' "$csv" | sort -u | tr '\n' ' ')
check "... tcp_fin_timeout=5 ($fin5) included" \
	awk -v ns="$fin5" 'index(ns, $1 " ") { n++ } END { exit (n != 2) }' <<<"$medians"

# Orphaned FIN_WAIT2: tcp_fin_timeout of the setting, else the kernel's own
# (the fin_timeout its events carry). 5 s timers are 256 ms-grained.
fw2=$(awk -F, 'NR > 1 && $2 == "orphan-fin2" && $9 == "FIN_WAIT2" && $10 == "expired" {
		want = ($1 ~ /^tcp_fin_timeout=/) ? substr($1, 17) : $13
		printf "%s %s %.3f\n", $1, want, $11 / 1e9 }' "$csv")
echo "orphaned FIN_WAIT2 (setting fin_timeout seconds):"
echo "$fw2"
check "tcp_fin_timeout=5: 5 orphaned FIN_WAIT2s" [ "$(grep -c '^tcp_fin_timeout=5 5 ' <<<"$fw2")" -eq 5 ]
check "... each lasting 5 s (+-1)" \
	awk '$1 == "tcp_fin_timeout=5" && ($3 < 4 || $3 > 6) { bad = 1 } END { exit bad }' <<<"$fw2"
check "default tcp_fin_timeout: FIN_WAIT2 lasts its 60 s (59..62.5)" \
	awk '$1 != "tcp_fin_timeout=5" && $1 != "tcp_max_tw_buckets=1" { n++; if ($2 != 60 || $3 < 59 || $3 > 62.5) bad = 1 }
		END { exit bad || n == 0 }' <<<"$fw2"

# tcp_max_tw_buckets: tcptrail's skips against the kernel's own count.
echo "per netns: setting netns overflow skipped"
awk -F, 'NR > 1 { print $1, $2, $4, $5 }' "$out/counters.csv"
check "skipped == nstat TcpExtTCPTimeWaitOverflow delta, in every netns" \
	awk -F, 'NR > 1 && $4 != $5 { bad = 1 } END { exit bad }' "$out/counters.csv"
check "tcp_max_tw_buckets=1 skips: client >= 10, server >= 4" \
	awk -F, '$1 == "tcp_max_tw_buckets=1" { s[substr($2, length($2))] = $5 } END { exit !(s["c"] >= 10 && s["s"] >= 4) }' \
	"$out/counters.csv"
check "the baseline skips none" \
	awk -F, '$1 == "defaults" && $5 != 0 { bad = 1 } END { exit bad }' "$out/counters.csv"

# tcp_tw_reuse: connect() picking port 30000 again ends its TIME_WAIT early
# with 1 only; with 0 the reconnect is refused (EADDRNOTAVAIL). (Rarely a
# TIME_WAIT is killed by an RST first, cause rst: packets reordered between
# the CPUs on veth make it re-ACK an old segment, and the closed peer answers
# with an RST. Then that reconnect is neither reused nor refused: >= 1.)
reused() {	# reused SETTING WORKLOAD: "COUNT MIN MAX" seconds of TIME_WAITs ended by reuse
	awk -F, -v s="$1" -v w="$2" '$1 == s && $2 == w && $10 == "reused" {
			n++; if ($11 > max) max = $11; if (min == "" || $11 < min) min = $11 }
		END { printf "%d %.3f %.3f\n", n, min / 1e9, max / 1e9 }' "$csv"
}
refused() {	# refused SETTING WORKLOAD: failed connect()s, from the report
	awk -v s="$1" -v w="$2" '/^setting [0-9]+:/ { in_ = ($3 == s) } in_ && $1 == w { print $NF }' "$out.txt"
}
r1=$(reused tcp_tw_reuse=1 reuse-port) r0=$(reused tcp_tw_reuse=0 reuse-port)
echo "reuse-port reused (count, min s, max s): tcp_tw_reuse=1: $r1; tcp_tw_reuse=0: $r0," \
	"refused $(refused tcp_tw_reuse=0 reuse-port)"
check "tcp_tw_reuse=1: reconnects end the TIME_WAIT early, cause reused, after 2..10 s" \
	awk '{ exit !($1 >= 1 && $2 >= 2 && $3 < 10) }' <<<"$r1"
check "tcp_tw_reuse=0: never reused" [ "${r0%% *}" = 0 ]
check "... the reconnects are refused" [ "$(refused tcp_tw_reuse=0 reuse-port)" -ge 1 ]
echo "reuse-bind (bind() to port 30001) reused: tcp_tw_reuse=0: $(reused tcp_tw_reuse=0 reuse-bind)," \
	"tcp_tw_reuse=1: $(reused tcp_tw_reuse=1 reuse-bind)"
check "TWRecycled == tcptrail's reused, in every netns" \
	awk -F, 'NR > 1 && $10 != $11 { bad = 1 } END { exit bad }' "$out/counters.csv"
