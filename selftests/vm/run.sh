#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every VM selftest (TAP on stdout) inside the test VM:
#   vm/run.sh --series 6.1 -- selftests/vm/run.sh build/selftests/vm
# module_test goes last: it unloads and reloads the module.
dir=${1:?directory of the built VM selftests}
rc=0
for test in aead_test keys_test module_test; do
	"$dir/$test" || rc=1
done
exit $rc
