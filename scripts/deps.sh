#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages the project needs; quick no-op when they are
# all present.  Kernel packages are the Debian metapackages, so the newest
# 6.1 and 6.12 kernels are what gets installed.
set -eu

PACKAGES="
make gcc libc6-dev pkg-config perl xz-utils cpio
linux-image-amd64 linux-headers-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64
linux-source-6.12
sparse
qemu-system-x86 busybox-static kmod
dkms
libkcapi-dev libssl-dev libkeyutils-dev libjansson-dev keyutils python3
libnl-genl-3-dev
libinih-dev libsystemd-dev libmicrohttpd-dev libcurl4-openssl-dev curl
flex bison bc libelf-dev
libcjose-dev jose clang libclang-rt-dev valgrind xxd
python3-yaml python3-jsonschema
man-db systemd
"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $pkg"
done
# Node.js and npm, for the interop test with the npm "jose" package; a
# machine may have them from elsewhere (NodeSource) already.
command -v npm >/dev/null || missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root (or with sudo) to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
