#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Chooses the accelerator of the test VM and says why, on one line:
#
#   kvm <reason>     KVM boots a kernel here
#   tcg <reason>     software emulation
#
#   vm/accel.sh KVER
#
# /dev/kvm can exist, be writable and still not work: qemu aborts at once
# ("failed to set MSR", an assertion in kvm_buf_set_msrs) or a vCPU spins
# in the firmware forever.  So KVM is used only once a probe shows it
# works: the kernel KVER, booted under KVM with the VM's own -cpu and -smp
# and no root file system, must reach its "cannot mount root" panic within
# ESPRIM_VM_PROBE_TIMEOUT seconds (default 20).  The answer is cached for
# the machine (the cache names qemu's version, the host kernel and CPU).
#
# Environment:
#   ESPRIM_VM_ACCEL=kvm|tcg   no probe: use this one
#   ESPRIM_VM_QEMU            the qemu binary (default qemu-system-x86_64)
#   ESPRIM_VM_CACHE           cache directory (default
#                             /var/cache/onem2m-esprim, else build/vm)
#   ESPRIM_VM_KVM_DEV         the KVM device (default /dev/kvm)
set -euo pipefail

kver=${1:?usage: accel.sh KVER}
qemu=${ESPRIM_VM_QEMU:-qemu-system-x86_64}
kvm_dev=${ESPRIM_VM_KVM_DEV:-/dev/kvm}
probe_timeout=${ESPRIM_VM_PROBE_TIMEOUT:-20}

case "${ESPRIM_VM_ACCEL:-}" in
kvm|tcg)
	echo "$ESPRIM_VM_ACCEL (ESPRIM_VM_ACCEL=$ESPRIM_VM_ACCEL)"
	exit 0
	;;
"")
	;;
*)
	echo "vm: ESPRIM_VM_ACCEL must be kvm or tcg, not '$ESPRIM_VM_ACCEL'" >&2
	exit 2
	;;
esac

if [ ! -w "$kvm_dev" ]; then
	echo "tcg (no writable $kvm_dev)"
	exit 0
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cache_dir=${ESPRIM_VM_CACHE:-/var/cache/onem2m-esprim}
if ! mkdir -p "$cache_dir" 2>/dev/null || [ ! -w "$cache_dir" ]; then
	cache_dir=$top/build/vm
	mkdir -p "$cache_dir"
fi
# What the answer depends on: qemu, the host kernel (KVM itself) and CPU.
identity=$({
	"$qemu" --version 2>/dev/null | head -n 1 || echo "no qemu"
	uname -r
	grep -m 1 '^model name' /proc/cpuinfo || true
	echo "$kver"
} | sha256sum | cut -c1-16)
cache=$cache_dir/accel-$identity
if [ -s "$cache" ]; then
	echo "$(cat "$cache") (cached in $cache)"
	exit 0
fi

serial=$(mktemp)
trap 'rm -f "$serial"' EXIT
start=$SECONDS
set +e
# In a subshell that outlives timeout: no "Killed" note from the shell.
(timeout -s KILL "$probe_timeout" "$qemu" -nodefaults -no-reboot \
	-display none -machine q35 -smp 2 -m 256 -accel kvm -cpu host \
	-kernel "/boot/vmlinuz-$kver" \
	-append "console=ttyS0 panic=-1 root=/dev/nonexistent loglevel=4" \
	-serial "file:$serial" </dev/null >/dev/null 2>&1; exit $?) 2>/dev/null
rc=$?
set -e
if grep -aqE 'VFS: Unable to mount root|Kernel panic' "$serial"; then
	answer="kvm (probe booted $kver in $((SECONDS - start)) s)"
elif [ "$rc" = 137 ]; then
	answer="tcg (KVM probe: no boot within ${probe_timeout} s)"
else
	answer="tcg (KVM probe: qemu failed with status $rc before booting)"
fi
echo "$answer" >"$cache.tmp"
mv "$cache.tmp" "$cache"
echo "$answer"
