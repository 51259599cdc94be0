#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boots the newest supported kernel in the VM, loads the module
# and runs user/demo/sidecar_demo.py there: two gateways, each an unmodified
# CSE behind esprimd as a sidecar, an AE on one creating contentInstances
# on the other's CSE, every request sealed on the wire.
#
# `make demo-lib` (scripts/demo.sh --lib): one ESPrim exchange on
# libesprim's kernel backend (user/demo/esprim_demo.c) instead.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
series=$(scripts/kernels.sh series | tr ' ' '\n' | tail -n 1)
kver=$(scripts/kernels.sh kver "$series")

scripts/build-module.sh "/lib/modules/$kver/build" build/kmod >/dev/null
echo "Booting Debian kernel $kver in qemu, loading onem2m_esprim..."
if [ "${1:-}" = --lib ]; then
	exec vm/run.sh --series "$series" --quiet --timeout 300 -- \
		build/user/esprim_demo
fi
exec vm/run.sh --series "$series" --quiet --timeout 600 -- \
	/usr/bin/python3 user/demo/sidecar_demo.py build
