#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug kernel of `make check`: KASAN, lockdep, kmemleak, UBSAN, KFENCE,
# failslab, which Debian's kernels do not have.  Built from Debian's
# linux-source package (the newest installed) with `make tinyconfig` plus
# vm/debug-kernel.config, into a cache outside the checkout:
#
#   /var/cache/onem2m-esprim/debug-kernel/<key>/
#
# key = the source package's version + a hash of the fragment and of this
# script, so runs on the same machine reuse the build and any change to
# either builds afresh.  The build runs under a lock (one at a time) in a
# temporary directory renamed into place when complete; a directory under
# its key is always a finished build.  Other keys' builds are removed once a
# new one is in place.
#
#   debug-kernel.sh build   build unless cached; prints the build dir
#   debug-kernel.sh dir     prints the build dir, fails if not built
#   debug-kernel.sh key     prints the key
#
# The build dir is the kernel tree itself (KDIR for out-of-tree modules,
# Module.symvers included); arch/x86/boot/bzImage is the image and
# include/config/kernel.release its release.
#
# Environment: ESPRIM_DEBUG_KERNEL_CACHE (default
# /var/cache/onem2m-esprim/debug-kernel), ESPRIM_DEBUG_KERNEL_JOBS (make
# -j, default 2).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
fragment=$top/vm/debug-kernel.config
cache=${ESPRIM_DEBUG_KERNEL_CACHE:-/var/cache/onem2m-esprim/debug-kernel}
jobs=${ESPRIM_DEBUG_KERNEL_JOBS:-2}

say() { echo "debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

# The newest installed linux-source-X.Y package and its version.
source_package() {
	dpkg-query -W -f='${db:Status-Status} ${Package} ${Version}\n' \
		'linux-source-*' 2>/dev/null |
		awk '$1 == "installed" && $2 ~ /^linux-source-[0-9.]+$/ {
			print $2, $3 }' |
		sort -V -k1,1 | tail -n 1
}

read -r pkg pkgver < <(source_package) ||
	die "no linux-source-X.Y package installed (apt-get install linux-source-6.12)"
hash=$(cat "$fragment" "$0" | sha256sum | cut -c1-16)
key="${pkgver//[:\/]/_}-$hash"
dir=$cache/$key

case "${1:-}" in
key) echo "$key"; exit 0 ;;
dir)
	[ -e "$dir/.esprim-built" ] ||
		die "not built: $dir (scripts/debug-kernel.sh build)"
	echo "$dir"
	exit 0
	;;
build) ;;
*) echo "usage: $0 build | dir | key" >&2; exit 2 ;;
esac

if [ -e "$dir/.esprim-built" ]; then
	say "cached: $dir ($(cat "$dir/.esprim-built"))"
	echo "$dir"
	exit 0
fi

# The kernel's own build needs these beyond what scripts/deps.sh installs.
missing=
for p in flex bison bc libelf-dev libssl-dev; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing >&2
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
	say "another build holds $cache/.lock; waiting"
	flock 9
fi
# Someone else may have built it while we waited.
if [ -e "$dir/.esprim-built" ]; then
	say "built meanwhile: $dir"
	echo "$dir"
	exit 0
fi

tarball=$(dpkg -L "$pkg" | grep -E '^/usr/src/linux-source-.*\.tar\.(xz|bz2|gz)$' |
	head -n 1)
[ -n "$tarball" ] || die "no source tarball in $pkg"

tmp=$(mktemp -d "$cache/.build-$key.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=$tmp.log
trap 'rm -rf "$tmp"; [ -e "$log" ] && say "build log kept: $log"' EXIT
start=$SECONDS
say "building $key from $tarball, make -j$jobs, log $log"
tar -xf "$tarball" -C "$tmp" --strip-components=1
cd "$tmp"

# Lockdep annotation, no change of behaviour: padata_reorder() holds a
# serial queue's lock while padata_find_next() takes a reorder list's,
# both padata_list locks of one lock class, never taken the other way
# round; without the nesting level lockdep reports "possible recursive
# locking" for every pcrypt user (and then turns itself off).  Applied
# only where the source still has that shape.
if grep -q 'padata = padata_find_next(pd, cpu, processed);' kernel/padata.c &&
   grep -q 'spin_unlock(&squeue->serial.lock);' kernel/padata.c; then
	sed -i '/^static struct padata_priv \*padata_find_next(/,/^}/ s/spin_lock(&reorder->lock);/spin_lock_nested(\&reorder->lock, SINGLE_DEPTH_NESTING);/' \
		kernel/padata.c
	grep -q 'spin_lock_nested(&reorder->lock, SINGLE_DEPTH_NESTING);' \
		kernel/padata.c && say "kernel/padata.c: lockdep nesting annotation applied"
fi
{
	make tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$fragment"
	make olddefconfig
} >"$log" 2>&1 || die "configuration failed (log $log)"

# Every line of the fragment must have survived olddefconfig.
bad=
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF -- "$line" .config || bad="$bad ${line%%=*}"
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		grep -qE "^$opt=" .config && bad="$bad $opt(should be unset)"
		;;
	esac
done <"$fragment"
if [ -n "$bad" ]; then
	for opt in $bad; do
		o=${opt%%(*}
		say "not in effect: $opt, .config has: $(grep -E "^(# )?$o[= ]" .config || echo nothing)"
	done
	die "vm/debug-kernel.config:$bad did not take effect (dependencies?)"
fi

# vmlinux, bzImage and `make modules` (Module.symvers for out-of-tree
# modules; the kernel itself has none).
make -j"$jobs" all >>"$log" 2>&1 ||
	{ tail -n 30 "$log" >&2; die "build failed (log $log)"; }
[ -e arch/x86/boot/bzImage ] && [ -e Module.symvers ] ||
	die "build produced no bzImage or Module.symvers (log $log)"
elapsed=$((SECONDS - start))
kver=$(cat include/config/kernel.release)
mv "$log" "$tmp/build.log"
echo "$kver, built $(date -u +%FT%TZ) in ${elapsed} s with -j$jobs" \
	>"$tmp/.esprim-built"
cd /
mv -T "$tmp" "$dir"
trap - EXIT
say "built $kver in $((elapsed / 60)) min $((elapsed % 60)) s: $dir"

# Other keys' builds are stale (another source version or fragment).
for old in "$cache"/*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || { say "removing stale $old"; rm -rf "$old"; }
done
echo "$dir"
