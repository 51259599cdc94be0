#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DKMS packaging of the module, with the name and version of dkms.conf.
#
#   dkms.sh add      copy the module sources to /usr/src and `dkms add`
#   dkms.sh remove   `dkms remove --all` and delete the /usr/src copy
#   dkms.sh test     add, `dkms build -k` for every supported installed
#                    kernel, remove; TAP lines on stdout
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src="/usr/src/$name-$version"

add() {
	remove
	mkdir -p "$src/include/uapi/linux"
	cp -r "$top/dkms.conf" "$top/Kbuild" "$top/kmod" "$src/"
	cp "$top"/include/uapi/linux/onem2m_esprim*.h "$src/include/uapi/linux/"
	dkms add -m "$name" -v "$version"
}

remove() {
	if dkms status -m "$name" -v "$version" 2>/dev/null | grep -q .; then
		dkms remove -m "$name" -v "$version" --all
	fi
	rm -rf "$src"
}

tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

run_test() {
	n=0
	add >"$log" 2>&1
	tap $? "dkms add $name/$version"
	for series in $("$top/scripts/kernels.sh" series); do
		kver=$("$top/scripts/kernels.sh" kver "$series")
		rc=0
		dkms build -m "$name" -v "$version" -k "$kver" >>"$log" 2>&1 || rc=1
		[ -e "/var/lib/dkms/$name/$version/$kver/x86_64/module/onem2m_esprim.ko" ] ||
			[ -e "/var/lib/dkms/$name/$version/$kver/x86_64/module/onem2m_esprim.ko.xz" ] ||
			rc=1
		tap $rc "dkms build -k $kver"
	done
	rc=0
	remove >>"$log" 2>&1 || rc=1
	dkms status -m "$name" 2>/dev/null | grep -q . && rc=1
	[ -e "$src" ] && rc=1
	tap $rc "dkms remove"
}

case "${1:-}" in
add) add ;;
remove) remove ;;
test)
	log=${2:-/dev/null}
	run_test
	;;
*) echo "usage: $0 add | remove | test [LOG]" >&2; exit 2 ;;
esac
