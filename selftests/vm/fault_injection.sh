#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Slab allocation failures injected into one ESPrim exchange (key
# creation, session derivation, AF_ALG setkey, seal, open) on a kernel with
# failslab (the debug kernel, scripts/debug-kernel.sh), in the test VM:
#
#   selftests/vm/fault_injection.sh build/selftests/vm
#
# failslab fails only for the test process: fault_ops fails the Nth
# allocation of each step through its own /proc/thread-self/fail-nth, then
# random ones with its own /proc/self/make-it-fail (task-filter=Y).  Sleeping
# (GFP_KERNEL) allocations are included.  No failure is logged (verbose=0):
# the guest log must stay clean and kmemleak find nothing afterwards
# (vm/guest.sh scans).  Then the module must still unload and load.  TAP.
# Skips everything on a kernel without failslab.
dir=${1:?directory of the built VM selftests}
fs=/sys/kernel/debug/failslab
module=onem2m_esprim

if [ ! -d "$fs" ]; then
	echo "1..0 # SKIP no $fs (CONFIG_FAILSLAB, debugfs)"
	exit 0
fi

rc=0
tap() {	# status name
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; rc=1; fi
}

# The pass needs the module loaded (module_test leaves it so).
modprobe "$module"

set_failslab() {	# probability
	echo N >"$fs/ignore-gfp-wait" &&
	echo Y >"$fs/task-filter" &&
	echo 0 >"$fs/verbose" &&
	echo 0 >"$fs/space" &&
	echo 1 >"$fs/interval" &&
	echo -1 >"$fs/times" &&
	echo "$1" >"$fs/probability"
}

# The Nth allocation of each step: fail-nth needs no probability.
set_failslab 0
"$dir/fault_ops" nth || rc=1

# Random: 2 % of the test process's allocations fail (an exchange makes
# some 200: most rounds meet one or more failures, some none).
set_failslab 2
"$dir/fault_ops" random 40 || rc=1
set_failslab 0
echo Y >"$fs/ignore-gfp-wait"

# Keys go away asynchronously (the key garbage collector): retry a while.
i=0
while ! rmmod "$module" 2>/dev/null && [ $i -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
[ ! -d "/sys/module/$module" ]
tap $? "the module unloads after the fault injection pass"
modprobe "$module"
tap $? "the module loads again"
exit $rc
