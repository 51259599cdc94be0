#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm/accel.sh against fake qemus: KVM is used only when the probe boots,
# a qemu that aborts or hangs under KVM means TCG, the answer is cached,
# ESPRIM_VM_ACCEL overrides the probe.  TAP on stdout.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
accel=$top/vm/accel.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0

check() {	# name expected-first-word command...
	local name=$1 want=$2 got
	shift 2
	n=$((n + 1))
	got=$("$@" 2>"$work/stderr")
	if [ "${got%% *}" = "$want" ]; then
		echo "ok $n - $name: $got"
	else
		echo "not ok $n - $name: wanted $want, got '$got' $(cat "$work/stderr")"
		failed=1
	fi
}

# A fake qemu: prints its version, then behaves as $1 says under KVM.
fake_qemu() {	# name behaviour
	cat >"$work/$1" <<FAKE
#!/bin/bash
[ "\$1" = --version ] && { echo "QEMU emulator version 0.0.0 ($1)"; exit 0; }
for arg; do
	case "\$arg" in file:*) serial=\${arg#file:} ;; esac
done
case $2 in
abort)	echo "failed to set MSR 0x10a" >&2; kill -ABRT \$\$ ;;
hang)	exec sleep 600 ;;
boot)	echo "VFS: Unable to mount root fs on unknown-block(0,0)" >"\$serial"
	exit 0 ;;
esac
FAKE
	chmod +x "$work/$1"
}
fake_qemu qemu-abort abort
fake_qemu qemu-hang hang
fake_qemu qemu-boot boot
: >"$work/kvm"	# a writable stand-in for /dev/kvm
kver=$(uname -r)

env_for() {	# qemu cache
	echo ESPRIM_VM_QEMU="$work/$1" ESPRIM_VM_CACHE="$work/$2" \
		ESPRIM_VM_KVM_DEV="$work/kvm" ESPRIM_VM_PROBE_TIMEOUT=3
}

# shellcheck disable=SC2046
check "qemu aborting under KVM falls back to TCG" tcg \
	env $(env_for qemu-abort c1) "$accel" "$kver"
start=$SECONDS
# shellcheck disable=SC2046
check "qemu hanging under KVM falls back to TCG" tcg \
	env $(env_for qemu-hang c2) "$accel" "$kver"
n=$((n + 1))
if [ $((SECONDS - start)) -le 10 ] && ! pgrep -f "$work/qemu-hang" >/dev/null; then
	echo "ok $n - the hanging probe was killed at its timeout"
else
	echo "not ok $n - the hanging probe outlived its timeout"
	failed=1
fi
# shellcheck disable=SC2046
check "a KVM that boots is used" kvm env $(env_for qemu-boot c3) "$accel" "$kver"
# The answer is cached: a now-broken qemu does not change it.
cp "$work/qemu-abort" "$work/qemu-boot"
sed -i 's/(qemu-abort)/(qemu-boot)/' "$work/qemu-boot"
# shellcheck disable=SC2046
check "the probe's answer is cached" kvm env $(env_for qemu-boot c3) "$accel" "$kver"
# shellcheck disable=SC2046
check "no writable KVM device: TCG without a probe" tcg \
	env $(env_for qemu-boot c4) ESPRIM_VM_KVM_DEV=/nonexistent "$accel" "$kver"
# shellcheck disable=SC2046
check "ESPRIM_VM_ACCEL=tcg overrides a working KVM" tcg \
	env $(env_for qemu-boot c5) ESPRIM_VM_ACCEL=tcg "$accel" "$kver"
# shellcheck disable=SC2046
check "ESPRIM_VM_ACCEL=kvm overrides the probe" kvm \
	env $(env_for qemu-abort c6) ESPRIM_VM_ACCEL=kvm "$accel" "$kver"
n=$((n + 1))
if ESPRIM_VM_ACCEL=xen "$accel" "$kver" >/dev/null 2>&1; then
	echo "not ok $n - ESPRIM_VM_ACCEL=xen accepted"
	failed=1
elif [ $? = 2 ]; then
	echo "ok $n - ESPRIM_VM_ACCEL=xen is a usage error (status 2)"
else
	echo "not ok $n - ESPRIM_VM_ACCEL=xen: wrong exit status"
	failed=1
fi
echo "1..$n"
exit $failed
