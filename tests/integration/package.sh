#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packaged install in the VM: the DKMS-built module (tests/package/host
# built it on the host with dkms, signed) loads, and the tcptrail .deb's
# reader, unpacked with dpkg -x (/ is read-only here), follows a curl.
. "$(dirname "$0")/lib.sh"

PKG=${MOD%/mod-*/tcptrail.ko}/pkg
ko=$(ls "$PKG/dkms-$TCPTRAIL_KERNEL"/tcptrail.ko* 2>/dev/null | head -n 1) ||
	true
[ -n "$ko" ] || fail "no DKMS-built module in $PKG/dkms-$TCPTRAIL_KERNEL (scripts/check --only package builds it)"
deb=$(ls "$PKG"/deb/tcptrail_*_amd64.deb 2>/dev/null | head -n 1) || true
[ -n "$deb" ] || fail "no tcptrail .deb in $PKG/deb (scripts/check --only package builds it)"

root=/tmp/pkgroot
rm -rf "$root" && mkdir -p "$root"
check "dpkg -x unpacks the tcptrail package" dpkg -x "$deb" "$root"
BIN=$root/usr/sbin/tcptrail
check "the packaged reader runs (-V)" "$BIN" -V

check "modinfo: DKMS signed it with its MOK key" \
	bash -c "modinfo -F signer '$ko' | grep -q 'tcptrail test key'"
insmod "$ko" || fail "insmod of the DKMS-built $ko"
serve 127.0.0.1 8020
out=$TCPTRAIL_OUT/package
"$BIN" run -o json --wait 1 -- curl -s -o /dev/null http://127.0.0.1:8020/ >"$out.json" ||
	fail "packaged tcptrail run -- curl failed"
check "curl's SYN_SENT, ESTABLISHED and CLOSE are in the packaged reader's output" python3 - "$out.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
curl = [r["new"] for r in recs if r["event"] == "state" and r["comm"] == "curl"]
print("curl:", curl)
sys.exit(0 if curl[:2] == ["SYN_SENT", "ESTABLISHED"] and curl[-1] == "CLOSE" else 1)
PY
check "the packaged compare-timewait starts (finds its lib.sh: --help)" \
	bash -c "'$root/usr/lib/tcptrail/scripts/compare-timewait' --help >/dev/null"
check "the packaged tcpwork runs" test -x "$root/usr/lib/tcptrail/userspace/tcpwork"
rmmod tcptrail
