#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs each libFuzzer target for a bounded time (default 30 s each) from
# its seeds plus what earlier runs found:
#   fuzz_parsers  libesprim's parsers      seeds selftests/fuzz/seeds,
#                                          corpus build/fuzz/corpus
#   fuzz_http     esprimd's HTTP server    seeds selftests/fuzz/seeds/http,
#                                          corpus build/fuzz/corpus-http
#   fuzz_api      esprimd's socket lines   seeds selftests/fuzz/seeds/api,
#                                          corpus build/fuzz/corpus-api
#   fuzz_binding  the sidecar's TS-0009    seeds selftests/fuzz/seeds/binding,
#                 mapping                  corpus build/fuzz/corpus-binding
#   fuzz_escertke the ESCertKE engine's    seeds selftests/fuzz/seeds/escertke,
#                 sit 6 flights            corpus build/fuzz/corpus-escertke
# Prints one TAP line per target; the logs are build/fuzz/<target>.log
# (fuzz_parsers' keeps its old name, build/fuzz/fuzz.log).
#   scripts/fuzz.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
n=0
status=0

run() {	# target log corpus seeds
	local rc runs
	n=$((n + 1))
	mkdir -p "$3" build/fuzz/artifacts
	"build/fuzz/$1" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="build/fuzz/artifacts/$1-" -rss_limit_mb=2048 \
		"$3" "$4" >"$2" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$2")
	if [ $rc = 0 ]; then
		echo "ok $n $1: ${runs:-?} inputs in ${seconds}s, no crash, leak or UB"
	else
		grep -E 'ERROR|runtime error|SUMMARY' "$2" | head -5 |
			sed 's/^/# /'
		echo "not ok $n $1 (artifacts in build/fuzz/artifacts)"
		status=1
	fi
}

run fuzz_parsers build/fuzz/fuzz.log build/fuzz/corpus selftests/fuzz/seeds
run fuzz_http build/fuzz/fuzz_http.log build/fuzz/corpus-http \
	selftests/fuzz/seeds/http
run fuzz_api build/fuzz/fuzz_api.log build/fuzz/corpus-api \
	selftests/fuzz/seeds/api
run fuzz_binding build/fuzz/fuzz_binding.log build/fuzz/corpus-binding \
	selftests/fuzz/seeds/binding
run fuzz_escertke build/fuzz/fuzz_escertke.log build/fuzz/corpus-escertke \
	selftests/fuzz/seeds/escertke
exit $status
