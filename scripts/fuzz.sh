#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the libFuzzer target of the parsers for a bounded time (default 30 s)
# from the seed corpus plus what earlier runs found (build/fuzz/corpus).
# Prints one TAP line; the log is build/fuzz/fuzz.log.
#   scripts/fuzz.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
mkdir -p build/fuzz/corpus build/fuzz/artifacts
build/fuzz/fuzz_parsers -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix=build/fuzz/artifacts/ -rss_limit_mb=2048 \
	build/fuzz/corpus selftests/fuzz/seeds >build/fuzz/fuzz.log 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/fuzz.log)
if [ $rc = 0 ]; then
	echo "ok 1 fuzz_parsers: ${runs:-?} inputs in ${seconds}s, no crash, leak or UB"
else
	grep -E 'ERROR|runtime error|SUMMARY' build/fuzz/fuzz.log | head -5 |
		sed 's/^/# /'
	echo "not ok 1 fuzz_parsers (artifacts in build/fuzz/artifacts)"
fi
