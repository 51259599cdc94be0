#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every VM selftest (TAP on stdout) inside the test VM:
#   vm/run.sh --series 6.1 -- selftests/vm/run.sh build/selftests/vm
# module_test unloads and reloads the module; keyctl_test checks the
# keyctl(1) usage README.md documents.
dir=${1:?directory of the built VM selftests}
rc=0
for test in aead_test keys_test module_test libesprim_kernel_test; do
	"$dir/$test" || rc=1
done
"$(dirname "$0")/keyctl_test.sh" || rc=1
exit $rc
