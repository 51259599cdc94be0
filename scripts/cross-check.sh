#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make cross-check`: libesprim and its host unit tests (libesprim_test,
# encoding_test) built with Debian's cross compilers for other
# architectures and run under qemu-user, so that byte order (s390x is
# big-endian) and a 32-bit time_t and size_t (armhf) are tested on every
# check.
#
#   scripts/cross-check.sh [ARCH...]	(default: s390x armhf)
#
# As root it installs what it lacks, once: qemu-user and the cross gcc
# from apt, and the target's libraries (jansson, OpenSSL, libkcapi,
# keyutils) downloaded with apt-get and unpacked into a sysroot of its
# own under build/cross/ARCH rather than installed as multiarch packages:
# Multi-Arch: same packages must have the host's exact version, which a
# port whose security updates lag (s390x) cannot always offer.
#
# Prints TAP: the test programs' lines with "[ARCH]" before each test
# name, and one line per build.  Exits non-zero if anything failed.
# Logs: build/cross/ARCH/*.log.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

HARNESS_INC=build/ksrc/tools/testing/selftests
TARGET_LIBS="libjansson4 libjansson-dev libssl3 libssl-dev libkcapi1
libkcapi-dev libkeyutils1 libkeyutils-dev"
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
-Wformat=2 -Wno-unused-parameter -Werror"

failed=0
updated=

# Debian architecture -> GNU triplet and qemu-user binary.
arch_info() {	# arch
	case $1 in
	s390x)	echo "s390x-linux-gnu qemu-s390x" ;;
	armhf)	echo "arm-linux-gnueabihf qemu-arm" ;;
	armel)	echo "arm-linux-gnueabi qemu-arm" ;;
	arm64)	echo "aarch64-linux-gnu qemu-aarch64" ;;
	i386)	echo "i686-linux-gnu qemu-i386" ;;
	ppc64el) echo "powerpc64le-linux-gnu qemu-ppc64le" ;;
	ppc64)	echo "powerpc64-linux-gnu qemu-ppc64" ;;
	mips64el) echo "mips64el-linux-gnuabi64 qemu-mips64el" ;;
	*)	return 1 ;;
	esac
}

apt_update() {
	[ -n "$updated" ] && return 0
	apt-get update -q && updated=1
}

# Installs the host packages given that are missing.
host_install() {	# pkg...
	local pkg missing=""

	for pkg in "$@"; do
		[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = \
			"install ok installed" ] || missing="$missing $pkg"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "cross-check: needs root to install$missing" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing ||
		{ apt_update && apt-get install -y -q \
			--no-install-recommends $missing; }
}

# The target's libraries and headers, unpacked into sysroot once.
target_sysroot() {	# arch sysroot
	local arch=$1 sysroot=$2 debs pkg pkgs=""

	[ "$(cat "$sysroot/.packages" 2>/dev/null)" = "$TARGET_LIBS" ] &&
		return 0
	if [ "$(id -u)" != 0 ]; then
		echo "cross-check: needs root to add architecture $arch" >&2
		return 1
	fi
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		dpkg --add-architecture "$arch" || return 1
		updated=
	fi
	compgen -G "/var/lib/apt/lists/*_binary-${arch}_Packages*" \
		>/dev/null || apt_update || return 1
	for pkg in $TARGET_LIBS; do
		pkgs="$pkgs $pkg:$arch"
	done
	rm -rf "$sysroot"
	debs=$(mktemp -d)
	chmod 755 "$debs"	# apt's download sandbox (_apt) writes there
	# shellcheck disable=SC2086
	(cd "$debs" && { apt-get download $pkgs ||
		{ apt_update && apt-get download $pkgs; }; }) || {
		rm -rf "$debs"
		return 1
	}
	mkdir -p "$sysroot"
	for pkg in "$debs"/*.deb; do
		dpkg-deb -x "$pkg" "$sysroot" || return 1
	done
	rm -rf "$debs"
	echo "$TARGET_LIBS" >"$sysroot/.packages"
}

# Builds libesprim and the two test programs into out; logs in out.
cross_build() {	# triplet sysroot out
	local triplet=$1 sysroot=$2 out=$3 cc="$1-gcc" src obj objs="" pids=""
	local cflags libs

	cflags="-O2 $WARN -D_GNU_SOURCE -Iinclude/uapi -Iuser/lib
		-isystem $sysroot/usr/include
		-isystem $sysroot/usr/include/$triplet"
	libs="-L$sysroot/usr/lib/$triplet -Wl,-rpath-link,$sysroot/usr/lib/$triplet
		-ljansson -lcrypto -lkcapi -lkeyutils -lpthread"
	mkdir -p "$out/lib"
	rm -f "$out"/lib/*.o "$out"/lib/*.a "$out"/*_test
	# Both cores: the objects are independent.
	for src in user/lib/esprim*.c; do
		obj=$out/lib/$(basename "${src%.c}").o
		objs="$objs $obj"
		# shellcheck disable=SC2086
		$cc $cflags -c -o "$obj" "$src" 2>"$obj.log" &
		pids="$pids $!"
	done
	for src in $pids; do
		wait "$src" || { cat "$out"/lib/*.o.log; return 1; }
	done
	# shellcheck disable=SC2086
	"$triplet-ar" rcs "$out/lib/libesprim.a" $objs || return 1
	# shellcheck disable=SC2086
	$cc $cflags -Wno-missing-prototypes -isystem "$HARNESS_INC" \
		-DCORPUS="\"$top/selftests/host/malformed_objects.txt\"" \
		-o "$out/libesprim_test" selftests/host/libesprim_test.c \
		"$out/lib/libesprim.a" $libs &&
	$cc $cflags -Wno-missing-prototypes -isystem "$HARNESS_INC" \
		-o "$out/encoding_test" selftests/host/encoding_test.c \
		"$out/lib/libesprim.a" $libs
}

# Runs one test program under qemu; its TAP with the arch in each name.
cross_run() {	# arch qemu triplet sysroot test
	local arch=$1 log=$5.log rc

	timeout 900 "$2" -L "/usr/$3" \
		-E "LD_LIBRARY_PATH=$4/usr/lib/$3" "$5" >"$log" 2>&1
	rc=$?
	sed -E -e '/^(TAP version|1\.\.)/d' \
		-e "s/^(ok|not ok) ([0-9]+) /\\1 \\2 [$arch] /" \
		-e "/^(ok|not ok) /!s/^/# [$arch] /" "$log"
	[ "$rc" = 0 ] && return 0
	# A crash leaves no "not ok" line of its own.
	grep -q '^not ok ' "$log" ||
		echo "not ok - [$arch] $(basename "$5") exited with $rc"
	return 1
}

[ -f "$HARNESS_INC/kselftest_harness.h" ] || make -s build/ksrc/.extracted ||
	exit 1

[ $# -gt 0 ] || set -- s390x armhf
for arch in "$@"; do
	start=$SECONDS
	if ! info=$(arch_info "$arch"); then
		echo "not ok - [$arch] no cross toolchain known for $arch"
		failed=1
		continue
	fi
	read -r triplet qemu <<<"$info"
	out=build/cross/$arch
	sysroot=$top/$out/sysroot
	mkdir -p "$out"
	# The cross gcc only recommends its libc.
	if ! { host_install qemu-user "gcc-$triplet" "libc6-dev-$arch-cross" &&
	       target_sysroot "$arch" "$sysroot"; } >"$out/setup.log" 2>&1; then
		tail -n 20 "$out/setup.log" | sed 's/^/# /'
		echo "not ok - [$arch] cross compiler, qemu-user and target libraries"
		failed=1
		continue
	fi
	if ! cross_build "$triplet" "$sysroot" "$out" >"$out/build.log" 2>&1
	then
		grep -E 'error|warning' "$out/build.log" | head -n 20 |
			sed 's/^/# /'
		echo "not ok - [$arch] libesprim and its tests build with -Werror"
		failed=1
		continue
	fi
	echo "ok - [$arch] libesprim and its tests build with -Werror"
	built=$SECONDS
	for test in "$out/libesprim_test" "$out/encoding_test"; do
		cross_run "$arch" "$qemu" "$triplet" "$sysroot" "$test" ||
			failed=1
	done
	echo "# [$arch] set up and built in $((built - start)) s," \
		"tests ran in $((SECONDS - built)) s"
done
exit $failed
