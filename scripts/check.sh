#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every test of the project, on every supported kernel.
#
#   - the debug kernel (scripts/debug-kernel.sh: KASAN, lockdep, kmemleak,
#     UBSAN, KFENCE, failslab), built once per machine and cached
#   - the module builds for 6.1, 6.12 and the debug kernel with W=1 and
#     sparse, warning-free
#   - checkpatch --strict on the kernel sources
#   - host unit tests (libesprim among them), interop with three JOSE
#     implementations, a bounded fuzzing run of the parsers
#   - VM selftests on each kernel, and a clean guest log (no warning, BUG,
#     oops, lockdep/KASAN/UBSAN/KFENCE/SLUB debugging report, kmemleak
#     suspect or unexpected taint); Debian's kernels boot with slub_debug
#     and KFENCE sampling, the debug kernel adds an allocation failure
#     injection pass and a kmemleak scan
#   - the README's demonstration, in the VM
#   - dkms add / build for each kernel / remove
#
# Every check prints a TAP line; the last line is "N passed, N failed".
# Logs: build/check/.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logs=build/check
rm -rf "$logs"
mkdir -p "$logs"

passed=0
failed=0
skipped=0

result() {	# status name
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		echo "not ok - $2"
	fi
}

# Adds the TAP results of a test program's output to the totals.
count_tap() {	# log
	local p f s
	p=$(grep -aE '^ok ' "$1" | grep -vc '# SKIP')
	s=$(grep -aE '^ok .*# SKIP' "$1" | wc -l)
	f=$(grep -acE '^not ok ' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	grep -aE '^(not ok|ok) ' "$1" | sed 's/^/    /'
	[ $((p + f + s)) -gt 0 ] || result 1 "$1 ran no test"
}

# One VM suite; its results are read by vm_results.  Logs in
# $logs/vm-KVER.{log,err}, its wall time in $logs/vm-KVER.time.
vm_suite() {	# series timeout
	local kver start scale=()
	kver=$(scripts/kernels.sh kver "$1")
	start=$SECONDS
	# The long tests (threads sealing, 10,000 derivations, 100,000 fuzzed
	# messages) run an eighth of their rounds on Debian's kernels, to keep
	# make check within its budget; ESPRIM_TEST_SCALE=1 runs them whole.
	# The debug kernel's suite sets its own (selftests/vm/run.sh).
	[ "$1" = debug ] ||
		scale=(env "ESPRIM_TEST_SCALE=${ESPRIM_TEST_SCALE:-8}")
	# rcu_nocbs=all: RCU callbacks run late, so a callback left in the
	# module's text at unload would run after it is gone.
	vm/run.sh --series "$1" --mm-debug --timeout "$2" \
		--cmdline rcu_nocbs=all --log "$logs/vm-$kver.log" -- \
		"${scale[@]}" selftests/vm/run.sh build/selftests/vm \
		>/dev/null 2>"$logs/vm-$kver.err"
	echo $((SECONDS - start)) >"$logs/vm-$kver.time"
}

vm_results() {	# series
	local kver rc
	kver=$(scripts/kernels.sh kver "$1")
	echo "# VM selftests on $kver: $(cat "$logs/vm-$kver.time") s"
	count_tap "$logs/vm-$kver.log"
	if grep -q '^vm: FAIL' "$logs/vm-$kver.err"; then
		cat "$logs/vm-$kver.err"
		rc=1
	else
		rc=0
	fi
	result $rc "guest $kver finished with a clean kernel log"
}

# Builds the module for SERIES with W=1 and sparse; 0 when it built
# without a single compiler or sparse report.  Log in $logs/build-SERIES.log.
module_build() {	# series
	local log=$logs/build-$1.log

	scripts/build-module.sh "$(scripts/kernels.sh builddir "$1")" \
		build/kmod C=2 >"$log" 2>&1 &&
		! grep -qE 'warning:|error:' "$log"
}

module_build_result() {	# series rc
	local kver

	kver=$(scripts/kernels.sh kver "$1")
	[ "$2" = 0 ] || grep -E 'warning:|error:' "$logs/build-$1.log" | head -n 20
	result "$2" "module builds for $kver with W=1 and sparse, no warnings"
}

# Objects from the three libraries for the kernel backend in the VM (the
# debug kernel's suite may start at once).
log="$logs/jose-corpus.log"
selftests/interop/jose_corpus.sh build build/jose-corpus 1000 >"$log" 2>&1
result $? "1,000 objects from each of cjose, latchset jose, npm jose for the VM"

# The debug kernel: built once per machine (about 8 minutes) or cached,
# then the module for it, then its VM suite, the longest (KASAN, lockdep,
# kmemleak under TCG, plus fault injection).  All in the background beside
# the rest: qemu's TCG runs a guest on one host thread.
debug_suite() {
	local start=$SECONDS rc

	scripts/debug-kernel.sh build >"$logs/debug-kernel.log" 2>&1
	rc=$?
	echo "$rc $((SECONDS - start))" >"$logs/debug-kernel.rc"
	[ "$rc" = 0 ] || return
	module_build debug
	rc=$?
	echo "$rc" >"$logs/build-debug.rc"
	[ "$rc" = 0 ] || return
	vm_suite debug 2700
}
# After it, on the same core, the README's demonstration (a VM of its
# own) and dkms: the Debian kernels' suites on the other core take longer.
background_pipeline() {
	local rc

	debug_suite
	scripts/demo.sh >"$logs/demo.log" 2>&1
	rc=$?
	[ $rc = 0 ] && ! grep -q '^vm: FAIL' "$logs/demo.log" || rc=1
	echo "$rc" >"$logs/demo.rc"
	scripts/dkms.sh test "$logs/dkms.log" >"$logs/dkms.tap"
}
echo "# debug kernel (build or cache, module, VM suite), then the demo and"
echo "# dkms, in the background"
background_pipeline &
debug_pid=$!

echo "# kernel module: W=1 and sparse builds, checkpatch"
vm_series=$(scripts/kernels.sh series)
for series in $vm_series; do
	module_build "$series"
	module_build_result "$series" $?
done

# The files ynl-gen-c.py writes are the generator's style, not ours: they
# are checked against the spec instead.
log="$logs/checkpatch.log"
perl build/ksrc/scripts/checkpatch.pl --strict --no-tree --terse \
	-f $(ls kmod/*.c kmod/*.h | grep -v '_gen\.[ch]$') \
	include/uapi/linux/onem2m_esprim.h >"$log" 2>&1
rc=$?
grep -vE 'total: 0 errors, 0 warnings, 0 checks' "$log"
result $rc "checkpatch --strict"

log="$logs/ynl-gen.log"
scripts/ynl-gen.sh --check >"$log" 2>&1
rc=$?
cat "$log"
result $rc "netlink tables and uapi header generated from the spec are up to date"

echo "# host tests"
for test in build/selftests/host/*_test; do
	log="$logs/$(basename "$test").log"
	"$test" >"$log" 2>&1
	count_tap "$log"
done

# The same unit tests built for s390x (big-endian) and armhf (32-bit
# time_t and size_t), run under qemu-user.
echo "# host unit tests on s390x and armhf (cross-built, qemu-user)"
log="$logs/cross.log"
scripts/cross-check.sh >"$log" 2>&1
rc=$?
count_tap "$log"
[ $rc = 0 ] || grep -q '^not ok ' "$log" ||
	result $rc "scripts/cross-check.sh exited with $rc"

# Every file names its licence, the one COPYING gives its part.
scripts/licence-check.sh >"$logs/licence.log" 2>&1
rc=$?
[ $rc = 0 ] || cat "$logs/licence.log"
result $rc "every file names its licence (SPDX), as COPYING assigns them"

# libesprim.so exports exactly the functions esprim.h declares.
exported=$(nm -D --defined-only build/lib/libesprim.so.1 |
	awk '$3 !~ /^LIBESPRIM/ { sub(/@.*/, "", $3); print $3 }' | sort)
declared=$(grep -oE 'esprim_[a-z0-9_]+\(' user/lib/esprim.h | tr -d '(' |
	sort -u)
[ "$exported" = "$declared" ]
result $? "libesprim.so exports the API of esprim.h and nothing else"

# make install into a staging root; a program outside the tree builds
# with pkg-config against it and runs.
log="$logs/install.log"
stage=$top/build/install
rm -rf "$stage"
{
	make -s install DESTDIR="$stage" PREFIX=/usr &&
	flags=$(PKG_CONFIG_SYSROOT_DIR=$stage \
		PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig \
		pkg-config --cflags --libs libesprim) &&
	cc -o "$stage/installed_lib_user" \
		selftests/host/installed_lib_user.c $flags &&
	LD_LIBRARY_PATH=$stage/usr/lib "$stage/installed_lib_user"
} >"$log" 2>&1
result $? "make install; a program built with pkg-config uses libesprim.so"

log="$logs/vm_accel.log"
selftests/host/vm_accel_test.sh >"$log" 2>&1
count_tap "$log"

log="$logs/esprimctl.log"
selftests/host/esprimctl_test.sh build >"$log" 2>&1
count_tap "$log"

log="$logs/man_pages.log"
selftests/host/man_pages_test.sh build >"$log" 2>&1
count_tap "$log"

log="$logs/esprimd_clients.log"
selftests/host/esprimd_clients_test.sh build >"$log" 2>&1
count_tap "$log"

# sidecar: the CSE stand-in (the fixture in place of a third-party CSE).
log="$logs/cse_standin.log"
selftests/host/cse_standin_test.sh build >"$log" 2>&1
count_tap "$log"

# Two esprimd on the host (soft backend); selftests/vm/run.sh runs them
# again in the VM, with the module, in two network namespaces.
log="$logs/esprimd.log"
ESPRIMD_BIN=build/selftests/host/esprimd_asan \
	selftests/host/esprimd_test.py build >"$log" 2>&1
count_tap "$log"

# esprimd: ESCertKE between two daemons with certificates made by the
# OpenSSL CLI (soft backend); in the VM again with the module.
log="$logs/escertke_daemon.log"
ESPRIMD_BIN=build/selftests/host/esprimd_asan \
	selftests/host/escertke_daemon_test.py build >"$log" 2>&1
count_tap "$log"

# Two sidecars, each in front of a CSE stand-in (soft backend); in the VM
# again with the module.
log="$logs/sidecar.log"
ESPRIMD_BIN=build/selftests/host/esprimd_asan \
	selftests/host/sidecar_test.py build >"$log" 2>&1
count_tap "$log"

echo "# interop with cjose, latchset jose, npm jose"
log="$logs/interop.log"
selftests/interop/interop_test.sh build >"$log" 2>&1
count_tap "$log"

echo "# ESCertKE with Node.js's TLS stack, both directions"
log="$logs/escertke_interop.log"
selftests/interop/escertke_interop_test.sh build >"$log" 2>&1
count_tap "$log"

echo "# fuzzing the parsers (libFuzzer, ASan, UBSan)"
log="$logs/fuzz.tap"
scripts/fuzz.sh 10 >"$log"
count_tap "$log"

for series in $vm_series; do
	vm_suite "$series" 1500
	vm_results "$series"
done

# The background pipeline: the debug kernel, the demo, dkms.
wait "$debug_pid"
read -r rc secs <"$logs/debug-kernel.rc"
echo "# debug kernel: $secs s ($(grep -h '^debug-kernel: \(cached\|built\)' \
	"$logs/debug-kernel.log" | tail -n 1))"
[ "$rc" = 0 ] || tail -n 20 "$logs/debug-kernel.log"
result "$rc" "debug kernel built (or cached)"
if [ "$rc" = 0 ]; then
	module_build_result debug "$(cat "$logs/build-debug.rc")"
	[ "$(cat "$logs/build-debug.rc")" = 0 ] && vm_results debug
fi

echo "# demonstration (README)"
result "$(cat "$logs/demo.rc" 2>/dev/null || echo 1)" "make demo"
echo "# dkms"
count_tap "$logs/dkms.tap"

summary="$passed passed, $failed failed"
[ "$skipped" = 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
