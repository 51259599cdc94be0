#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test VM, running on the host's root (read-only over 9p).
# Gives the guest writable scratch space, installs the freshly built
# module the way a package would (modules dir + depmod), loads it, runs
# the command the host asked for and reports back on the console:
#
#   ESPRIM-VM-OUTPUT-BEGIN ... ESPRIM-VM-OUTPUT-END the command's output
#   ESPRIM-VM-KMEMLEAK-BEGIN ... -END              kmemleak's suspects, on a
#                                                   kernel that has it
#   ESPRIM-VM-DMESG-BEGIN ... ESPRIM-VM-DMESG-END   the whole kernel log
#   ESPRIM-VM-TAINT n                               /proc/sys/kernel/tainted
#   ESPRIM-VM-EXIT rc                               the command's status
#
# Parameters come on the kernel command line: esprim.top= (the project
# directory), esprim.modroot= (the module tree vm/run.sh staged and ran
# depmod on), esprim.cmd= (script to run), esprim.shell=1 (interactive
# shell instead).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp LANG=C.UTF-8

param() {
	sed -n "s/.*esprim\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}

# PID 1 must not exit; wait with a builtin, the root goes away meanwhile.
poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	while :; do :; done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts

# Scratch tmpfs over /tmp and friends, keeping the project visible at its
# own path even when it lives under one of them (a checkout in /tmp).
top=$(param top)
mount -t tmpfs -o mode=1777 tmpfs /run
mkdir -p /run/esprim-top
mount --bind "$top" /run/esprim-top
for dir in /tmp /var/tmp /root /dev/shm; do
	mount -t tmpfs -o mode=1777 tmpfs "$dir"
done
if [ ! -d "$top/vm" ]; then
	mkdir -p "$top"
	mount --bind /run/esprim-top "$top"
fi
hostname esprim-vm

kver=$(uname -r)
staged=$(param modroot)/lib/modules/$kver
cmd=$(param cmd)

# The modules dir as a package would leave it: the kernel's own modules,
# ours in updates/, and the indexes depmod made for both (on the host,
# where it is fast).  Writable, so tests can add and remove modules.
# A kernel with its drivers built in (the debug kernel) has no modules
# dir on the host: an empty /lib/modules then takes the host's place.
mods=/run/esprim-modules
mkdir -p "$mods"
cp -r "$staged"/modules.* "$staged/updates" "$mods/"
if [ -d /lib/modules/"$kver"/kernel ]; then
	mkdir -p "$mods/kernel"
	mount --bind /lib/modules/"$kver"/kernel "$mods/kernel"
fi
if [ ! -d /lib/modules/"$kver" ]; then
	mount -t tmpfs -o mode=755 tmpfs /lib/modules
	mkdir /lib/modules/"$kver"
fi
mount --rbind "$mods" /lib/modules/"$kver"
# failslab, kmemleak and the like, where the kernel has them.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# CPU feature drivers (AES-NI, CLMUL, ...), as udev loads them at boot:
# without them the crypto API would pick the generic implementations.
modprobe -q "$(cat /sys/devices/system/cpu/modalias)"

rc=0
if ! modprobe onem2m_esprim; then
	echo "guest: modprobe onem2m_esprim failed"
	rc=1
fi

if [ "$(param shell)" = 1 ]; then
	echo "guest: kernel $kver, module loaded; exit the shell to power off"
	setsid -c sh -l </dev/ttyS0 >/dev/ttyS0 2>&1
elif [ "$rc" = 0 ]; then
	echo "ESPRIM-VM-OUTPUT-BEGIN"
	sh "$cmd"
	rc=$?
	echo "ESPRIM-VM-OUTPUT-END"
fi

# On a kernel with kmemleak, a scan for leaks once the command is done:
# two scans with a pause, as objects younger than 5 s are not reported,
# and the suspects ("unreferenced object ...") go to the console.
leaks=/sys/kernel/debug/kmemleak
if [ -w "$leaks" ] && [ "$(param shell)" != 1 ]; then
	echo "ESPRIM-VM-KMEMLEAK-BEGIN"
	start=$(date +%s)
	echo scan >"$leaks"
	sleep 6
	echo scan >"$leaks"
	cat "$leaks"
	echo "guest: kmemleak scans took $(($(date +%s) - start)) s"
	echo "ESPRIM-VM-KMEMLEAK-END"
fi

echo "ESPRIM-VM-DMESG-BEGIN"
dmesg --color=never
echo "ESPRIM-VM-DMESG-END"
echo "ESPRIM-VM-TAINT $(cat /proc/sys/kernel/tainted)"
echo "ESPRIM-VM-EXIT $rc"
poweroff_now
