#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench`: seal/open cost of onem2m-esprim(gcm(aes)) against plain
# gcm(aes) through AF_ALG, on each supported kernel, in the VM:
#
#   icount  guest ns = guest instructions (qemu -icount shift=0): exact and
#           repeatable, the figures to compare
#   tcg     guest ns follow the host clock: wall time, under emulation
#
# libesprim's kernel backend against its soft backend, whole ESPrim
# Objects (bench/backend_bench.c, icount), the generic netlink family
# (bench/netlink_bench.c, icount: batched SEAL/OPEN at 1, 8, 32 and 128
# items against AF_ALG and OpenSSL, objects through libesprim, a
# SESSION_GET dump of 100,000 sessions, the upcall round trip), and the
# scale of the key type:
# 100,000 sessions created, kernel memory per session, use of a random one
# (bench/session_scale.c).
#
#   scripts/bench.sh [ITERATIONS]   (default 2000)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=${1:-2000}

for series in $(scripts/kernels.sh series); do
	kver=$(scripts/kernels.sh kver "$series")
	scripts/build-module.sh "/lib/modules/$kver/build" build/kmod >/dev/null
	for mode in icount tcg; do
		echo "== $kver, $mode"
		flag=
		[ "$mode" = icount ] && flag=--icount
		# shellcheck disable=SC2086
		vm/run.sh --series "$series" --quiet $flag --timeout 1800 -- \
			build/bench/aead_bench "$n"
		echo
	done
	echo "== $kver, libesprim kernel backend against soft backend, icount"
	vm/run.sh --series "$series" --quiet --icount --timeout 1800 -- \
		build/bench/backend_bench 1000
	echo
	echo "== $kver, netlink family: batches, session dump, upcall, icount"
	vm/run.sh --series "$series" --quiet --icount --timeout 1800 -- \
		build/bench/netlink_bench 2048 100000 200
	echo
	echo "== $kver, key type scale"
	vm/run.sh --series "$series" --quiet --timeout 1800 -- \
		build/bench/session_scale 100000
	echo
done
