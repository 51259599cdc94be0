#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every VM selftest (TAP on stdout) inside the test VM:
#   vm/run.sh --series 6.1 -- selftests/vm/run.sh build/selftests/vm
# module_test unloads and reloads the module; keyctl_test checks the
# keyctl(1) usage README.md documents; on a kernel with failslab (the
# debug kernel), fault_injection fails allocations under one exchange.
dir=${1:?directory of the built VM selftests}
# Objects of three JOSE libraries, made on the host before the VM boots
# (selftests/interop/jose_corpus.sh), for libesprim_kernel_test.
ESPRIM_JOSE_CORPUS=${ESPRIM_JOSE_CORPUS:-$dir/../../jose-corpus}
export ESPRIM_JOSE_CORPUS
# The debug kernel (KASAN, lockdep, kmemleak, under TCG) is some ten times
# slower: the long tests run a twentieth of their rounds there.
debug=0
case $(uname -r) in
*-esprim-debug)
	debug=1
	export ESPRIM_TEST_SCALE=${ESPRIM_TEST_SCALE:-20}
	# The daemons' exchanges too: 50 rather than 1,000.
	export ESPRIMD_TEST_EXCHANGES=${ESPRIMD_TEST_EXCHANGES:-50}
	export SIDECAR_TEST_CIN=${SIDECAR_TEST_CIN:-50}
	;;
*)
	# make check's scale (ESPRIM_TEST_SCALE=8) for the daemons' 1,000
	# exchanges and contentInstances too; the host runs them whole.
	scale=${ESPRIM_TEST_SCALE:-1}
	export ESPRIMD_TEST_EXCHANGES=${ESPRIMD_TEST_EXCHANGES:-$((1000 / scale))}
	export SIDECAR_TEST_CIN=${SIDECAR_TEST_CIN:-$((1000 / scale))}
	;;
esac
here=$(dirname "$0")
rc=0
# Runs one test program and says how long it took (a TAP comment).
timed() {	# program [args]
	local name=$1

	case $1 in */python3) name=$2 ;; esac
	start=$(date +%s)
	"$@" || rc=1
	echo "# $(basename "$name"): $(($(date +%s) - start)) s"
}
for test in aead_test keys_test session_state_test module_test \
	libesprim_kernel_test libesprim_batch_test; do
	timed "$dir/$test"
done
timed "$here/keyctl_test.sh"
timed "$here/esprimctl_kernel_test.sh" "$dir/../.."
if [ -d /sys/kernel/debug/failslab ]; then
	timed "$here/fault_injection.sh" "$dir"
fi
# The generic netlink family: its commands, permissions, events, upcall
# and batches; 100,000 mutated messages (5,000 on the debug kernel); the
# kernel's YNL command line, except on the debug kernel: there its six
# cli.py start-ups under TCG took 114 s, time the daemon test below needs
# within make check's budget, and netlink_test drives the same kernel
# paths (config and stats get, session dump and get, events) there.
for test in netlink_test netlink_fuzz; do
	timed "$dir/$test"
done
# On Debian's 6.1 only with the tests whole (ESPRIM_TEST_SCALE=1): the
# same Python tool and YAML spec as on 6.12, a minute of make check.
if [ "$debug" = 1 ]; then
	echo "# ynl_cli_test.sh: not run on the debug kernel (time)"
elif [ "${ESPRIM_TEST_SCALE:-1}" != 1 ] && uname -r | grep -q '^6\.1\.'; then
	echo "# ynl_cli_test.sh: on 6.12 only when make check scales (time)"
else
	timed "$here/ynl_cli_test.sh" "$here/../.."
fi
# Two esprimd in two network namespaces joined by a veth pair, on the
# module: exchanges, errors, upcalls from CSE users, rekey at soft limits.
# Not on a kernel without TCP/IP (vm/debug-kernel.config has it for this).
# Then the same two gateways as sidecars, each in front of a CSE stand-in:
# requests sealed across, a capture of the veth without plain text.
if [ -e /proc/net/tcp ]; then
	timed /usr/bin/python3 "$here/../host/esprimd_test.py" --kernel \
		"$dir/../.."
	# ESCertKE between two daemons, the keys in their keyrings; not on
	# the debug kernel, where it took 163 s: it adds no kernel path to
	# esprimd_test's (a pairwise key added to the daemon's keyring, with
	# an expiry), and the handshake itself is OpenSSL in userspace.
	if [ "$debug" = 0 ]; then
		timed /usr/bin/python3 "$here/../host/escertke_daemon_test.py" \
			--kernel "$dir/../.."
	fi
	timed /usr/bin/python3 "$here/../host/sidecar_test.py" --kernel \
		"$dir/../.."
else
	echo "# esprimd_test.py, sidecar_test.py: not run, no TCP/IP in this kernel"
fi
exit $rc
