#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Line and branch coverage of libesprim by its host unit tests (gcov).
#   scripts/coverage.sh        per-file summary; details in build/coverage/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/coverage
rm -rf "$out"
mkdir -p "$out"
cd "$out"
gcc -O0 --coverage -D_GNU_SOURCE -I"$top/include/uapi" -I"$top/user/lib" \
	-isystem "$top/build/ksrc/tools/testing/selftests" \
	-DCORPUS="\"$top/selftests/host/malformed_objects.txt\"" \
	-o libesprim_test "$top/selftests/host/libesprim_test.c" \
	"$top"/user/lib/esprim_*.c "$top/selftests/lib/gcov_exit.c" \
	-ljansson -lcrypto -lkcapi -lkeyutils -lpthread
./libesprim_test >test.log 2>&1
printf '%-20s %8s %10s\n' file lines branches
for src in "$top"/user/lib/esprim_*.c; do
	name=$(basename "$src" .c)
	gcov -b -o . "libesprim_test-$name.gcda" >"$name.summary" 2>/dev/null
	lines=$(grep -A3 "File '$src'" "$name.summary" |
		sed -n 's/^Lines executed:\([0-9.]*%\).*/\1/p')
	branches=$(grep -A3 "File '$src'" "$name.summary" |
		sed -n 's/^Taken at least once:\([0-9.]*%\).*/\1/p')
	printf '%-20s %8s %10s\n' "$name.c" "${lines:--}" "${branches:--}"
done
echo "# uncovered lines: build/coverage/*.c.gcov (#####); the kernel backend runs in the VM tests"
