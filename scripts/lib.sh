# SPDX-License-Identifier: GPL-2.0
# Shared helpers for tcptrail's scripts: paths, errors, Debian kernel lookup.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="${TCPTRAIL_BUILD:-$TOP/build}"
# Unpacked kernels, the test kernel and checkpatch: per user, shared by
# every checkout and worktree.
CACHE="${TCPTRAIL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcptrail}"
# Resolved: the guest mounts paths under the host root, where an absolute
# symlink would point into the initramfs.
CACHE=$(readlink -m "$CACHE")

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "${0##*/}: $*" >&2
}

# meta_dep PKG PREFIX: the concrete package a Debian meta package depends on
# (linux-image-amd64 -> linux-image-6.1.0-NN-amd64). Never hard-code the ABI.
meta_dep() {
	local pkg=$1 prefix=$2 dep
	dep=$(apt-cache depends "$pkg" 2>/dev/null |
		awk -v p="$prefix" '$1 == "Depends:" && index($2, p) == 1 { print $2; exit }')
	[ -n "$dep" ] || die "cannot resolve $pkg (run scripts/setup)"
	echo "$dep"
}

# kernel_release NAME: uname -r of the Debian kernel called 6.1 or 6.12.
kernel_release() {
	local img
	case "$1" in
	6.1) img=$(meta_dep linux-image-amd64 linux-image-) ;;
	6.12) img=$(meta_dep linux-image-6.12-amd64 linux-image-) ;;
	*) die "unknown kernel '$1' (6.1, 6.12 or test)" ;;
	esac
	img=${img#linux-image-}
	echo "${img%-unsigned}"
}

# kernel_dir NAME: the cache folder where the kernel image package is unpacked.
kernel_dir() {
	echo "$CACHE/kernel-$(kernel_release "$1")"
}

# headers_dir NAME: the build tree of the kernel's installed headers.
headers_dir() {
	echo "/usr/src/linux-headers-$(kernel_release "$1")"
}
