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
# keyutils, libnl-genl-3) downloaded with apt-get and unpacked into a
# sysroot of its own under build/cross/ARCH rather than installed as
# multiarch packages:
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
libkcapi-dev libkeyutils1 libkeyutils-dev libnl-3-200 libnl-3-dev
libnl-genl-3-200 libnl-genl-3-dev"
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
	# apt downloads as _apt where it can.
	chown _apt "$debs" 2>/dev/null || true
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

# Compiler flags and libraries for a target.
cross_flags() {	# triplet sysroot
	cflags="-O2 $WARN -D_GNU_SOURCE -Iinclude/uapi -Iuser/lib
		-isystem $2/usr/include -isystem $2/usr/include/$1
		-isystem $2/usr/include/libnl3"
	# libnl's packages put their libraries in /lib rather than /usr/lib.
	libs="-L$2/usr/lib/$1 -Wl,-rpath-link,$2/usr/lib/$1
		-L$2/lib/$1 -Wl,-rpath-link,$2/lib/$1
		-ljansson -lcrypto -lkcapi -lkeyutils -lnl-genl-3 -lnl-3
		-lpthread"
}

# Builds libesprim into out/lib/libesprim.a.
cross_build_lib() {	# triplet out
	local cc="$1-gcc" src obj objs="" pids=""

	mkdir -p "$2/lib"
	rm -f "$2"/lib/*.o "$2"/lib/*.a
	# Both cores: the objects are independent.
	for src in user/lib/esprim*.c; do
		obj=$2/lib/$(basename "${src%.c}").o
		objs="$objs $obj"
		# shellcheck disable=SC2086
		$cc $cflags -c -o "$obj" "$src" &
		pids="$pids $!"
	done
	for src in $pids; do
		wait "$src" || return 1
	done
	# shellcheck disable=SC2086
	"$1-ar" rcs "$2/lib/libesprim.a" $objs
}

# Builds one host test program against it.
cross_build_test() {	# triplet out name
	rm -f "$2/$3"
	# shellcheck disable=SC2086
	"$1-gcc" $cflags -Wno-missing-prototypes -isystem "$HARNESS_INC" \
		-DCORPUS="\"$top/selftests/host/malformed_objects.txt\"" \
		-o "$2/$3" "selftests/host/$3.c" "$2/lib/libesprim.a" $libs
}

# Runs one test program under qemu; its TAP with the arch in each name.
cross_run() {	# arch qemu triplet sysroot test
	local arch=$1 log=$5.log rc

	timeout 900 "$2" -L "/usr/$3" \
		-E "LD_LIBRARY_PATH=$4/usr/lib/$3:$4/lib/$3" "$5" >"$log" 2>&1
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
	cross_flags "$triplet" "$sysroot"
	if ! cross_build_lib "$triplet" "$out" >"$out/build.log" 2>&1; then
		grep -E 'error|warning' "$out/build.log" | head -n 20 |
			sed 's/^/# /'
		echo "not ok - [$arch] libesprim builds with -Werror"
		failed=1
		continue
	fi
	echo "ok - [$arch] libesprim builds with -Werror"
	built=$SECONDS
	for test in libesprim_test encoding_test; do
		if ! cross_build_test "$triplet" "$out" "$test" \
			>"$out/$test.build.log" 2>&1; then
			grep -E 'error|warning' "$out/$test.build.log" |
				head -n 20 | sed 's/^/# /'
			echo "not ok - [$arch] $test builds with -Werror"
			failed=1
			continue
		fi
		cross_run "$arch" "$qemu" "$triplet" "$sysroot" "$out/$test" ||
			failed=1
	done
	echo "# [$arch] set up and library built in $((built - start)) s," \
		"tests built and ran in $((SECONDS - built)) s"
done
exit $failed
