#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packages installed for real in the VM: dpkg -i, DKMS's build, modprobe, run -- curl, dpkg --purge.
#
# In a writable copy of the guest's root (overlayfs): dpkg -i of both .debs
# builds the module with DKMS for the running kernel, modprobe loads it, the
# installed reader follows a curl, dpkg --purge leaves nothing behind.
# DKMS compiles under TCG here: minutes (README, "What is tested, and how").
# tt-timeout: 1500
# tt-kernels: 6.1
# (6.12's DKMS build and depmod take another ~15 min under TCG; tests/package/host
# runs make dkms for both kernels.)
#
# The guest's / is the host's, read-only over 9p. An overlay over it, its
# writes on the guest's tmpfs, is a root that dpkg, DKMS and depmod can
# change and that is thrown away at the end: the host is never touched.
# tests/package/host builds the .debs and the throwaway MOK key used here.
. "$(dirname "$0")/lib.sh"

PKG=${MOD%/mod-*/tcptrail.ko}/pkg
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
rel=$(uname -r)
dkms_deb=$PKG/deb/tcptrail-dkms_${version}_all.deb
deb=$PKG/deb/tcptrail_${version}_amd64.deb
for f in "$dkms_deb" "$deb" "$PKG/dkms/mok.key" "$PKG/dkms/mok.pub"; do
	[ -f "$f" ] || fail "no $f (scripts/check --only package builds it)"
done

# DKMS builds through the kernel's build link, as on an installed system.
check "/lib/modules/$rel/build resolves to the kernel's headers" \
	test -f "/lib/modules/$rel/build/Makefile"

# --- the writable root ----------------------------------------------------------
T=/tmp/pkgvm
R=$T/root
teardown() {
	if mountpoint -q "$R" 2>/dev/null; then
		umount -R "$R" 2>/dev/null || umount -R -l "$R"
	fi
	# Never into a mount left behind (the run folder is the host's).
	rm -rf --one-file-system "$T"
}
trap teardown EXIT
teardown
mkdir -p "$T"/{up,work,mup,mwork} "$R"
modprobe overlay || fail "modprobe overlay"
# The lower layer is the 9p mount alone (no submounts): the guest's /proc,
# /dev, /tmp and module tree are mounted again below.
check "an overlay over the read-only root mounts" \
	mount -t overlay overlay -o "lowerdir=/,upperdir=$T/up,workdir=$T/work" "$R"
mount --rbind /proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/tmp"
mount -t tmpfs tmpfs "$R/run"
# Only the running kernel's modules (the host's /lib/modules may hold other
# kernels, which dkms's postinst would build for too), writable for DKMS
# and depmod.
mount -t tmpfs tmpfs "$R/lib/modules"
mkdir -p "$R/lib/modules/$rel"
mount -t overlay overlay -o "lowerdir=/lib/modules/$rel,upperdir=$T/mup,workdir=$T/mwork" \
	"$R/lib/modules/$rel"
# The checkout (may live under /tmp) and the run folder (results kept on the host).
mkdir -p "$R$TOP" "$R$TCPTRAIL_OUT"
mount --bind "$TOP" "$R$TOP"
mount --bind "$TCPTRAIL_OUT" "$R$TCPTRAIL_OUT"
# DKMS signs with the test key, not with a key of the host's /var/lib/dkms.
mkdir -p "$R/etc/dkms/framework.conf.d"
printf 'mok_signing_key=%s\nmok_certificate=%s\n' "$PKG/dkms/mok.key" "$PKG/dkms/mok.pub" \
	>"$R/etc/dkms/framework.conf.d/tcptrail-test.conf"
# man-db's trigger would rebuild the whole man database (minutes under TCG).
rm -f "$R/var/lib/man-db/auto-update"

inroot() {	# inroot CMD...: in the new root, with a clean environment
	chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
out=$TCPTRAIL_OUT/package
installed() {	# installed PKG: dpkg knows it as installed
	[ "$(inroot dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}
none_installed() {
	! inroot dpkg-query -W -f='${db:Status-Abbrev}\n' tcptrail tcptrail-dkms 2>/dev/null |
		grep -q '^i'
}
check "neither package is installed before (the host root has none)" none_installed

# --- dpkg -i ----------------------------------------------------------------------
t0=$(date +%s)
inroot dpkg -i "$dkms_deb" "$deb" >"$out-dpkg-i.log" 2>&1 ||
	{ cat "$out-dpkg-i.log"; fail "dpkg -i of tcptrail-dkms and tcptrail"; }
figure dpkg_i_s $(($(date +%s) - t0))
cp "$R/var/lib/dkms/tcptrail/$version/build/make.log" "$out-dkms-make.log" 2>/dev/null || true
cat "$out-dpkg-i.log"
both_installed() { installed tcptrail && installed tcptrail-dkms; }
check "both packages are installed" both_installed
check "dkms status: tcptrail/$version installed for $rel" \
	bash -c "chroot '$R' dkms status -m tcptrail -v '$version' -k '$rel' | grep -q ': installed'"
ko=$(inroot modinfo -n tcptrail 2>/dev/null) || true
echo "modprobe finds: $ko"
dkms_ko() { [[ $ko == "/lib/modules/$rel/updates/dkms/tcptrail.ko"* && -f $R$ko ]]; }
check "modprobe finds the DKMS-installed module (updates/dkms)" dkms_ko
check "DKMS signed it with the test MOK key" \
	test "$(inroot modinfo -F signer tcptrail)" = "tcptrail test key"
check "its vermagic is the running kernel's" \
	bash -c "chroot '$R' modinfo -F vermagic tcptrail | grep -q '^$rel '"

# --- modprobe, run -- curl --------------------------------------------------------
check "modprobe tcptrail" inroot modprobe tcptrail
loaded_is_dkms() {	# the loaded module's build ID is the installed file's
	local id
	case $ko in	# as the kernel's modules are: 6.12's DKMS compresses with xz
	*.xz) xz -dc "$R$ko" >"$T/ko" ;;
	*.zst) zstd -qdc "$R$ko" >"$T/ko" ;;
	*) cp "$R$ko" "$T/ko" ;;
	esac
	id=$(readelf -n "$T/ko" | sed -n 's/.*Build ID: *//p')
	echo "build ID: ${id:-none}"
	[ -n "$id" ] && od -An -tx1 -v /sys/module/tcptrail/notes/.note.gnu.build-id |
		tr -d ' \n' | grep -q "$id"
}
check "the loaded module is the DKMS-installed file (build ID)" loaded_is_dkms
serve 127.0.0.1 8020
inroot /usr/sbin/tcptrail run -o json --wait 1 -- curl -s -o /dev/null http://127.0.0.1:8020/ \
	>"$out.json" || fail "the installed tcptrail run -- curl failed"
check "curl's SYN_SENT, ESTABLISHED and CLOSE are in the installed reader's output" \
	curl_trail_json "$out.json"
compare_help() { inroot /usr/lib/tcptrail/scripts/compare-timewait --help >/dev/null; }
check "the installed compare-timewait starts (finds its lib.sh: --help)" compare_help
check "the installed tcpwork is there" test -x "$R/usr/lib/tcptrail/userspace/tcpwork"
check "the man page and completion are installed" \
	test -f "$R/usr/share/man/man8/tcptrail.8.gz" -a -f "$R/usr/share/bash-completion/completions/tcptrail"
check "modprobe -r tcptrail" inroot modprobe -r tcptrail
check "the module is unloaded" test ! -e /sys/module/tcptrail

# --- dpkg --purge -----------------------------------------------------------------
t0=$(date +%s)
inroot dpkg --purge tcptrail tcptrail-dkms >"$out-dpkg-purge.log" 2>&1 ||
	{ cat "$out-dpkg-purge.log"; fail "dpkg --purge tcptrail tcptrail-dkms"; }
figure dpkg_purge_s $(($(date +%s) - t0))
cat "$out-dpkg-purge.log"
gone() {	# gone: nothing of either package is left
	local f left=0
	while read -r f; do
		[ -e "$R/$f" ] || [ -L "$R/$f" ] || continue
		echo "left: /$f"
		left=1
	done < <({ dpkg-deb -c "$deb"; dpkg-deb -c "$dkms_deb"; } |
		awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./||')
	for f in "/usr/src/tcptrail-$version" /var/lib/dkms/tcptrail /usr/share/doc/tcptrail \
		/usr/share/doc/tcptrail-dkms /usr/lib/tcptrail; do
		[ ! -e "$R$f" ] || { echo "left: $f"; left=1; }
	done
	if ls "$R/lib/modules/$rel/updates/dkms/"tcptrail.ko* >/dev/null 2>&1; then
		echo "left: $(ls "$R/lib/modules/$rel/updates/dkms/"tcptrail.ko*)"
		left=1
	fi
	if grep -q tcptrail "$R/lib/modules/$rel/modules.dep"; then
		echo "left: tcptrail in modules.dep"
		left=1
	fi
	none_installed || { echo "left: dpkg still lists one"; left=1; }
	return $left
}
check "dpkg --purge: no file of either package, no DKMS tree, no module, not in modules.dep" gone
check "modprobe no longer finds tcptrail" bash -c "! chroot '$R' modprobe -n tcptrail 2>/dev/null"
