#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boots the newest supported kernel in the VM, loads the module
# and seals and opens a oneM2M primitive through onem2m-esprim(gcm(aes)).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
series=$(scripts/kernels.sh series | tr ' ' '\n' | tail -n 1)
kver=$(scripts/kernels.sh kver "$series")

scripts/build-module.sh "/lib/modules/$kver/build" build/kmod >/dev/null
echo "Booting Debian kernel $kver in qemu, loading onem2m_esprim..."
vm/run.sh --series "$series" --quiet --timeout 300 -- build/user/esprim_demo
