#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generates the netlink family's uapi header and the module's policy and
# op tables from Documentation/netlink/specs/onem2m_esprim.yaml with the
# kernel's own tools/net/ynl/ynl-gen-c.py, taken from Debian's
# linux-source-6.12 (nothing of it is committed).  The generated files are
# committed, so that the module builds (DKMS) without Python or the kernel
# source; `--check` (make check) fails when they are out of date.
#
#   ynl-gen.sh           regenerate
#   ynl-gen.sh --check   compare, print a diff, fail on any difference
#
# The generator validates the spec against the schema of its kernel
# (Documentation/netlink/genetlink-legacy.yaml, one directory above the
# spec's) and walks up from the spec to a MAINTAINERS file to name it in
# the output, so it runs in a scratch tree laid out like the kernel's.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
spec=Documentation/netlink/specs/onem2m_esprim.yaml
outputs=(
	"uapi --header include/uapi/linux/onem2m_esprim_netlink.h"
	"kernel --header kmod/netlink_gen.h"
	"kernel --source kmod/netlink_gen.c"
)
check=0
[ "${1:-}" = --check ] && check=1

tarball=$(ls /usr/src/linux-source-6.12*.tar.* 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] ||
	{ echo "ynl-gen: linux-source-6.12 is not installed" >&2; exit 1; }
/usr/bin/python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	{ echo "ynl-gen: needs python3-yaml and python3-jsonschema" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ktop=$(basename "$tarball" | sed 's/\.tar\..*//')
tar -xf "$tarball" -C "$tmp" --strip-components=1 \
	"$ktop/tools/net/ynl" "$ktop/Documentation/netlink/genetlink-legacy.yaml"
mkdir -p "$tmp/Documentation/netlink/specs"
cp "$top/$spec" "$tmp/$spec"
touch "$tmp/MAINTAINERS"

status=0
for o in "${outputs[@]}"; do
	read -r mode kind out <<<"$o"
	mkdir -p "$tmp/out/$(dirname "$out")"
	(cd "$tmp" && /usr/bin/python3 tools/net/ynl/ynl-gen-c.py \
		--mode "$mode" "$kind" --spec "$spec" -o "out/$out") >/dev/null
	# The kernel's tree includes uapi headers as <uapi/linux/...>; this
	# module's Kbuild has include/ on its path for that.
	if [ $check = 1 ]; then
		if ! diff -u "$top/$out" "$tmp/out/$out"; then
			echo "ynl-gen: $out is out of date (scripts/ynl-gen.sh)" >&2
			status=1
		fi
	else
		cp "$tmp/out/$out" "$top/$out"
	fi
done
exit $status
