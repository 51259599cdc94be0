#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots a Debian kernel (or the debug kernel) under qemu with the host's
# root shared read-only (the virtme-ng approach), loads the freshly built
# module and runs a command in the guest, streaming the serial console.
#
#   vm/run.sh --series 6.1|6.12|debug [--icount] [--shell] [--quiet]
#             [--mm-debug] [--timeout SEC] [--log FILE] [--ko PATH]
#             [--cmdline ARGS] [-- COMMAND [ARG...]]
#
# The console streams to stdout; --quiet shows only the command's output
# (the whole console still goes to the log).  --mm-debug boots with SLUB
# debugging (slub_debug=FZPU) on Debian's kernels and, where the kernel
# has KFENCE, a KFENCE sample every 10 ms.
#
# Series "debug" is the kernel scripts/debug-kernel.sh built (KASAN,
# lockdep, kmemleak, UBSAN, KFENCE, failslab; drivers built in); the guest
# runs a kmemleak scan after the command.
#
# Exit status: the command's, or 1 when the guest log shows a kernel
# warning, BUG, oops, KASAN/UBSAN/KFENCE/SLUB debugging or lockdep report,
# a kmemleak suspect, or a taint flag other than O (out-of-tree) and E
# (unsigned), or when the guest did not finish within the timeout.  No
# qemu process outlives this script.
#
# --icount runs TCG with -icount shift=0,align=off,sleep=off: guest time
# then advances 1 ns per guest instruction, so guest timings are exact,
# repeatable instruction counts.  Otherwise KVM runs the guest when a probe
# shows it works here (vm/accel.sh, ESPRIM_VM_ACCEL=kvm|tcg overrides),
# else TCG; the choice and its reason go to stderr.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
series=6.1
icount=0
shell=0
quiet=0
mm_debug=0
timeout=900
log=
ko=
extra_cmdline=
mem=2048

usage() {
	sed -n '3,24p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--series) series=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--shell) shell=1; shift ;;
	--quiet) quiet=1; shift ;;
	--mm-debug) mm_debug=1; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--cmdline) extra_cmdline=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || [ "$shell" = 1 ] || usage

kver=$("$top/scripts/kernels.sh" kver "$series")
kdir=$("$top/scripts/kernels.sh" builddir "$series")
image=$("$top/scripts/kernels.sh" image "$series")
# The kernel's config: Debian's in /boot, the debug kernel's in its tree.
if [ -e "/boot/config-$kver" ]; then
	kconfig=/boot/config-$kver
else
	kconfig=$kdir/.config
fi
ko=${ko:-$top/build/kmod/$kver/onem2m_esprim.ko}
[ -e "$ko" ] || { echo "vm: no module at $ko (make check builds it)" >&2; exit 1; }
ko=$(realpath "$ko")

mkdir -p "$top/build/vm"
initrd="$top/build/vm/initramfs-$kver.cpio.gz"
"$top/vm/mkinitramfs.sh" "$kver" "$initrd"

# Install the module into a staged modules dir for the guest and run
# depmod there, as a package would; skipped when the module is unchanged.
# A kernel with no modules dir on the host (the debug kernel, its drivers
# built in) has its indexes of built-in modules in its build dir.
modroot="$top/build/vm/modroot-$kver"
staged="$modroot/lib/modules/$kver"
if ! cmp -s "$ko" "$staged/updates/onem2m_esprim.ko"; then
	rm -rf "$modroot"
	mkdir -p "$staged/updates"
	if [ -d "/lib/modules/$kver/kernel" ]; then
		ln -s "/lib/modules/$kver/kernel" "$staged/kernel"
		cp "/lib/modules/$kver"/modules.builtin* \
			"/lib/modules/$kver/modules.order" "$staged/"
	else
		cp "$kdir"/modules.builtin* "$kdir/modules.order" "$staged/"
	fi
	cp "$ko" "$staged/updates/"
	depmod -b "$modroot" "$kver"
fi

# The run dir is under the project, which the guest keeps visible.
rundir=$(mktemp -d "$top/build/vm/run.XXXXXX")
log=${log:-$rundir/console.log}
{
	printf 'cd %q || exit 1\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$rundir/cmd.sh"

append="console=ttyS0 loglevel=4 panic=-1 oops=panic"
append="$append esprim.guest=$top/vm/guest.sh esprim.top=$top"
append="$append esprim.modroot=$modroot"
append="$append esprim.cmd=$rundir/cmd.sh"
[ "$shell" = 1 ] && append="$append esprim.shell=1"
if [ "$mm_debug" = 1 ]; then
	# KASAN already guards the debug kernel's slabs.
	grep -qx 'CONFIG_KASAN=y' "$kconfig" ||
		append="$append slub_debug=FZPU"
	grep -qx 'CONFIG_KFENCE=y' "$kconfig" &&
		append="$append kfence.sample_interval=10"
fi
[ -n "$extra_cmdline" ] && append="$append $extra_cmdline"

qemu=("${ESPRIM_VM_QEMU:-qemu-system-x86_64}" -nodefaults -no-reboot -display none
	-machine q35 -smp 2 -m "$mem"
	-kernel "$image" -initrd "$initrd" -append "$append"
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
	-device virtio-rng-pci)
if [ "$icount" = 1 ]; then
	# One vCPU: bringing up a second one hangs under icount.
	qemu+=(-accel tcg -cpu max -icount shift=0,align=off,sleep=off
		-smp 1)
else
	# The probe boots a kernel from /boot; whether KVM works does not
	# depend on which.
	probe_kver=$kver
	[ -e "/boot/vmlinuz-$kver" ] || probe_kver=$("$top/scripts/kernels.sh" \
		kver "$("$top/scripts/kernels.sh" series | awk '{ print $NF }')")
	accel_line=$("$top/vm/accel.sh" "$probe_kver")
	accel=${accel_line%% *}
	echo "vm: accelerator $accel_line" >&2
	if [ "$accel" = kvm ]; then
		qemu+=(-accel kvm -cpu host)
	else
		# Single-threaded TCG: with one host thread per vCPU, qemu 7.2
		# lets a vCPU run stale code while the kernel live-patches text
		# (int3 oopses).
		qemu+=(-accel tcg,thread=single -cpu max)
	fi
fi

if [ "$shell" = 1 ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

qemu_pid=
# Keeps only the console log, and that only when no --log was asked for.
cleanup() {
	[ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null
	if [ "$log" = "$rundir/console.log" ]; then
		rm -f "$rundir/cmd.sh" "$rundir/serial" "$rundir/bad"
	else
		rm -rf "$rundir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s.%N)
"${qemu[@]}" -serial "file:$rundir/serial" </dev/null &
qemu_pid=$!
# Stream the console while qemu runs, with a hard deadline.
show_output() {
	if [ "$quiet" = 1 ]; then
		sed -u -n '/^ESPRIM-VM-OUTPUT-BEGIN$/,/^ESPRIM-VM-OUTPUT-END$/{//!p}'
	else
		cat
	fi
}
tail -s 0.2 -n +1 -F "$rundir/serial" 2>/dev/null --pid="$qemu_pid" |
	tr -d '\r' | tee "$log" | show_output &
tail_pid=$!
timed_out=0
deadline=$((SECONDS + timeout))
while kill -0 "$qemu_pid" 2>/dev/null; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		timed_out=1
		kill -9 "$qemu_pid" 2>/dev/null || true
		break
	fi
	sleep 0.5
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
wait "$tail_pid" 2>/dev/null || true
elapsed=$(echo "$(date +%s.%N) - $start" | bc)

status=0
if [ "$timed_out" = 1 ]; then
	echo "vm: FAIL: the guest did not finish within ${timeout}s" >&2
	status=1
fi
exit_line=$(grep -a '^ESPRIM-VM-EXIT ' "$log" | tail -n 1 || true)
if [ -z "$exit_line" ]; then
	echo "vm: FAIL: the guest did not report an exit status" >&2
	status=1
elif [ "${exit_line#ESPRIM-VM-EXIT }" != 0 ]; then
	echo "vm: the command exited with status ${exit_line#ESPRIM-VM-EXIT }" >&2
	status=1
fi
# Lockdep's reports start with WARNING: or BUG:, SLUB debugging's with
# "BUG <cache> (...): <what>" or "<cache>: slab error", KFENCE's with "BUG:
# KFENCE:", kmemleak's suspects with "unreferenced object".
bad='WARNING:|BUG:|Call Trace|general protection|KASAN|UBSAN|lockdep|kernel BUG|Oops|Kernel panic'
bad="$bad|KFENCE|unreferenced object|suspected memory leak|Poison overwritten"
bad="$bad|Redzone|Object padding|Padding overwritten|slab error|BUG kmalloc"
bad="$bad|BUG [^ ]+ \\(|Freepointer|possible circular locking"
bad="$bad|inconsistent lock state|suspicious RCU|list_add corruption"
bad="$bad|list_del corruption|INFO: task .* blocked"
bad="$bad|turning off the locking correctness validator"
# Boot banners of the debug kernel's checkers.
benign='RCU lockdep checking is enabled'
if grep -aE "$bad" "$log" | grep -qvaE "$benign"; then
	echo "vm: FAIL: kernel problems in the guest log ($log):" >&2
	grep -aE "$bad" "$log" | grep -vaE "$benign" | head -n 20 >&2
	status=1
fi
taint=$(sed -n 's/^ESPRIM-VM-TAINT //p' "$log" | tail -n 1)
# Allowed: O (4096, out-of-tree module) and E (8192, unsigned module).
if [ -n "$taint" ] && [ $((taint & ~(4096 | 8192))) != 0 ]; then
	echo "vm: FAIL: kernel tainted ($taint)" >&2
	status=1
fi
[ "$icount" = 1 ] && accel=icount
printf 'vm: kernel %s, %s, %.1f s wall\n' "$kver" "$accel" "$elapsed" >&2
exit "$status"
