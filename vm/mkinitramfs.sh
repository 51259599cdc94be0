#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds the VM's initramfs for kernel release KVER: static busybox, the
# modules needed to mount the host's root over virtio-9p (dependencies
# resolved by the host's modprobe, decompressed for busybox insmod), and
# vm/init.  Rebuilt only when an input is newer than OUT.  A kernel
# without a modules dir on the host (the debug kernel, scripts/
# debug-kernel.sh) has those drivers built in: its initramfs has no module.
#
#   mkinitramfs.sh KVER OUT
set -eu

kver=${1:?KVER}
out=${2:?OUT}
here=$(cd "$(dirname "$0")" && pwd)
MODULES="virtio_pci 9pnet_virtio 9p virtio_rng"
moddir=/lib/modules/$kver
[ -d "$moddir" ] || MODULES=

if [ -e "$out" ] && [ "$out" -nt "$here/init" ] && \
   [ "$out" -nt "$here/mkinitramfs.sh" ] && \
   { [ -z "$MODULES" ] || [ "$out" -nt "$moddir/modules.dep" ]; }; then
	exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/newroot"
cp /bin/busybox "$stage/bin/busybox"
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"

# insmod order: modprobe lists dependencies first; keep the first mention.
n=0
[ -z "$MODULES" ] ||
# shellcheck disable=SC2086
modprobe -S "$kver" --show-depends -a $MODULES | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
while read -r ko; do
	n=$((n + 1))
	name=$(printf '%02d-%s' "$n" "$(basename "$ko" | sed 's/\.ko.*$//')")
	case "$ko" in
	*.xz) xz -dc "$ko" >"$stage/lib/modules/$name.ko" ;;
	*.zst) zstd -qdc "$ko" >"$stage/lib/modules/$name.ko" ;;
	*) cp "$ko" "$stage/lib/modules/$name.ko" ;;
	esac
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
