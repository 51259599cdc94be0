#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libesprim on the host (soft backend) beside cjose and raw OpenSSL
# AES-256-GCM: nanoseconds per seal, open and open with the From check
# (median of 7 runs) and the ratios of the performance goals, then
# instructions per operation under callgrind (N operations of each kind,
# counted inside the loop function only).  Pinned to one CPU (BENCH_CPU,
# default 1) when taskset is there, so the ratios compare like with like.
#   scripts/bench-lib.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/bench/jwe_bench
iterations=${1:-20000}
n=200

cpu=${BENCH_CPU:-1}
pin=()
if command -v taskset >/dev/null && [ "$cpu" -lt "$(nproc)" ]; then
	pin=(taskset -c "$cpu")
fi

echo "# wall time (this machine, $(nproc) cores${pin:+, pinned to CPU $cpu})"
"${pin[@]}" "$bench" "$iterations"

echo "# instructions per operation (callgrind, $n operations)"
printf '%6s %10s %10s %10s %10s %10s %10s %10s\n' bytes esprim-sl \
	esprim-op es-op+fr cjose-sl cjose-op raw-sl raw-op
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 256 1024 4096 16384; do
	printf '%6s' "$size"
	for kind in esprim:seal esprim:open esprim:openfr cjose:seal \
		cjose:open raw:seal raw:open; do
		impl=${kind%:*}
		op=${kind#*:}
		valgrind --tool=callgrind --collect-atstart=no \
			--toggle-collect="loop_${impl}_$op" \
			--callgrind-out-file="$tmp/out" \
			"$bench" --one "$impl" "$op" "$size" "$n" \
			>/dev/null 2>"$tmp/log"
		ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/log")
		printf ' %10s' $((ir / n))
	done
	echo
done
