#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds onem2m_esprim.ko for the kernel whose build dir is KDIR, in
# OUTDIR/<kernelrelease>, so that builds for several kernels can coexist.
# Extra arguments go to kbuild (make check passes C=2 for sparse).
#
#   build-module.sh KDIR OUTDIR [KBUILD_ARGS...]
set -eu

kdir=${1:?KDIR}
out=${2:?OUTDIR}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

# Debian 6.1 headers keep the upstream version in kernel.release; the
# release modules are built for is UTS_RELEASE.
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h")
dir="$out/$kver"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# Stage the module sources; cp -p keeps timestamps so rebuilds stay
# incremental.  Files removed from the tree are removed here too.
for f in "$dir"/kmod/*.[ch]; do
	[ -e "$f" ] && [ ! -e "$top/kmod/${f##*/}" ] && rm -f "$f" "${f%.c}.o"
done
mkdir -p "$dir/kmod" "$dir/include/uapi/linux"
cp -p "$top/Kbuild" "$dir/"
cp -p "$top"/kmod/*.[ch] "$dir/kmod/"
cp -p "$top"/include/uapi/linux/onem2m_esprim*.h "$dir/include/uapi/linux/"

make -C "$kdir" M="$dir" W=1 "$@" modules
