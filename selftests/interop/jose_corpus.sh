#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Makes the objects the VM test libesprim_kernel_test opens with the kernel
# backend under the default replay policy: COUNT ESPrim Objects from each
# of cjose, latchset jose and npm jose (each draws random IVs), one file a
# library, each library on a session of its own (its own oro).
#
#   jose_corpus.sh BUILD_DIR OUT_DIR COUNT
#
# OUT_DIR gets: pairwise.hex, rro.json, peer, kid, and for each library
# NAME (cjose, jose, npm) NAME.oro.json and NAME.jwe (COUNT lines); and
# full.oro.json, full.jwe: 8 cjose objects on a session of their own.
set -euo pipefail

build=${1:?BUILD_DIR}
out=${2:?OUT_DIR}
count=${3:?COUNT}
ctl=$build/user/esprimctl
cjose=$build/selftests/interop/cjose_tool
npmdir=$build/npm
here=$(cd "$(dirname "$0")" && pwd)
kid=13-gw1.example.net
peer=Cgw1

"$here/npm_install.sh" "$npmdir"
rm -rf "$out"
mkdir -p "$out"
head -c 32 /dev/urandom | xxd -p -c 64 >"$out/pairwise.hex"
echo "$kid" >"$out/kid"
echo "$peer" >"$out/peer"
"$ctl" rand --receiver --id n-r1 --lifetime 3600 >"$out/rro.json"
inner='{"op":1,"to":"//example.net/in-cse/ae-meter","fr":"Cgw1","rqi":"req-7","rvi":"4","pc":{"m2m:cin":{"con":"21.5"}}}'
printf '%s' "$inner" >"$out/inner.json"

# "full": a few cjose objects on a session of their own, for the test of
# a full IV set.
for lib in cjose jose npm full; do
	"$ctl" rand --originator --rro "$out/rro.json" --id "n-o-$lib" \
		--lifetime 3600 >"$out/$lib.oro.json"
	key=$("$ctl" derive --pairwise-key-file "$out/pairwise.hex" \
		--rro "$out/rro.json" --oro "$out/$lib.oro.json" --enc A256GCM)
	header="{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"$kid\",\"cty\":\"vnd.onem2m-preq+json\",\"ori\":\"n-o-$lib\",\"rri\":\"n-r1\",\"oro\":$(cat "$out/$lib.oro.json")}"
	n=$count
	[ "$lib" = full ] && n=8
	case $lib in
	cjose|full)
		for _ in $(seq "$n"); do
			"$cjose" enc "$key" "$header" <"$out/inner.json"
		done ;;
	jose)
		kb=$(printf '%s' "$key" | xxd -r -p | base64 -w0 | tr '+/' '-_' |
			tr -d '=')
		printf '{"kty":"oct","k":"%s"}' "$kb" >"$out/key.jwk"
		for _ in $(seq "$count"); do
			jose jwe enc -i "{\"protected\":$header}" \
				-k "$out/key.jwk" -I "$out/inner.json" -c -o -
			echo
		done
		rm -f "$out/key.jwk" ;;
	npm)
		node "$npmdir/npm_jose_tool.mjs" enc-many "$key" "$header" \
			"$count" <"$out/inner.json" ;;
	esac >"$out/$lib.jwe"
	made=$(grep -c . "$out/$lib.jwe")
	[ "$made" = "$n" ] || { echo "corpus: $lib made $made objects, not $n" >&2; exit 1; }
done
