#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Extracts the few files the project takes from Debian's linux-source-6.12
# (the kselftest harness and checkpatch) into build/ksrc.  Nothing from
# the kernel tree is committed.
set -eu

out=${1:?output dir}
stamp="$out/.extracted"
[ -e "$stamp" ] && exit 0

tarball=$(ls /usr/src/linux-source-6.12*.tar.* 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "ksrc: linux-source-6.12 is not installed" >&2; exit 1; }

top=$(basename "$tarball" | sed 's/\.tar\..*//')
rm -rf "$out"
mkdir -p "$out"
tar -xf "$tarball" -C "$out" --strip-components=1 \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch" \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/tools/net/ynl" \
	"$top/Documentation/netlink/genetlink-legacy.yaml"
touch "$stamp"
