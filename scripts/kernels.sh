#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Resolves installed Debian kernels at run time; nothing here names a
# version that Debian updates can change.
#
#   kernels.sh kdir          build dir for the default module build: the
#                            running kernel's, else the newest installed
#   kernels.sh kver SERIES   newest installed release of SERIES (6.1, 6.12)
#                            with an image and headers, e.g. 6.1.0-42-amd64
#   kernels.sh series        the series the project supports
#   kernels.sh builddir SERIES   its kernel build dir (KDIR)
#   kernels.sh image SERIES      its kernel image, for qemu -kernel
#
# SERIES "debug" is the debug kernel scripts/debug-kernel.sh builds into its
# cache (KASAN, lockdep, kmemleak...); it must have been built, these only
# find it.  Its modules dir does not exist on the host.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

SUPPORTED_SERIES="6.1 6.12"

newest_build_dir() {
	ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1
}

# Debian names 6.1 releases 6.1.0-N-amd64 and 6.12 ones 6.12.N+deb12-amd64.
kver_of_series() {
	for dir in /lib/modules/"$1".*; do
		kver=${dir#/lib/modules/}
		[ -e "/boot/vmlinuz-$kver" ] && [ -d "$dir/build" ] && echo "$kver"
	done | sort -V | tail -n 1
}

case "${1:-}" in
kdir)
	running="/lib/modules/$(uname -r)/build"
	if [ -d "$running" ]; then echo "$running"; else newest_build_dir; fi
	;;
kver)
	if [ "${2:-}" = debug ]; then
		dir=$("$here/debug-kernel.sh" dir)
		cat "$dir/include/config/kernel.release"
		exit
	fi
	kver=$(kver_of_series "${2:?series}")
	[ -n "$kver" ] || { echo "no installed kernel of series $2" >&2; exit 1; }
	echo "$kver"
	;;
series)
	echo "$SUPPORTED_SERIES"
	;;
builddir)
	if [ "${2:-}" = debug ]; then
		"$here/debug-kernel.sh" dir
	else
		kver=$("$0" kver "${2:?series}")
		echo "/lib/modules/$kver/build"
	fi
	;;
image)
	if [ "${2:-}" = debug ]; then
		dir=$("$here/debug-kernel.sh" dir)
		echo "$dir/arch/x86/boot/bzImage"
	else
		kver=$("$0" kver "${2:?series}")
		echo "/boot/vmlinuz-$kver"
	fi
	;;
*)
	echo "usage: $0 kdir | kver SERIES | series | builddir SERIES | image SERIES" >&2
	exit 2
	;;
esac
