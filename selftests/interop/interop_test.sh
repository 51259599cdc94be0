#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interop both ways with three independent JOSE implementations: cjose
# (Debian libcjose), latchset jose (Debian "jose" CLI) and the npm "jose"
# package.  For each implementation and enc:
#   - an object esprimctl seals (oro announced in the header) decrypts
#     there with the session key from `esprimctl derive`;
#   - an object they make with the ESPrim header members (and oro) opens
#     with `esprimctl open` under the default replay policy (AUTO), although
#     they draw random IVs.
# Prints TAP.  Usage: interop_test.sh BUILD_DIR
set -uo pipefail

build=$1
ctl=$build/user/esprimctl
cjose=$build/selftests/interop/cjose_tool
npmdir=$build/npm
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

"$here/npm_install.sh" "$npmdir"

# The latchset CLI takes the key as a JWK file.
jose_cli() {	# enc|dec keyhex [header]
	local k
	k=$(printf '%s' "$2" | xxd -r -p | base64 -w0 | tr '+/' '-_' | tr -d '=')
	printf '{"kty":"oct","k":"%s"}' "$k" >"$tmp/key.jwk"
	if [ "$1" = enc ]; then
		jose jwe enc -i "{\"protected\":$3}" -k "$tmp/key.jwk" -I - -c -o -
	else
		tr -d '\n' >"$tmp/in.jwe"
		jose jwe dec -i "$tmp/in.jwe" -k "$tmp/key.jwk" -O -
	fi
}
cjose_impl() { "$cjose" "$@"; }
npm_impl() { node "$npmdir/npm_jose_tool.mjs" "$@"; }

kid=13-gw1.example.net
peer=Cgw1
head -c 32 /dev/urandom | xxd -p -c 64 >"$tmp/pw.hex"
"$ctl" rand --receiver --id n-r1 --lifetime 600 >"$tmp/rro.json"
"$ctl" rand --originator --rro "$tmp/rro.json" --id n-o1 \
	--lifetime 600 >"$tmp/oro.json"
inner='{"op":1,"to":"//example.net/in-cse/ae-meter","fr":"Cgw1","rqi":"req-7","rvi":"4","pc":{"m2m:cin":{"con":"21.5 \u00b0C"}}}'
printf '%s' "$inner" >"$tmp/inner.json"
oro=$(cat "$tmp/oro.json")

for impl in cjose_impl jose_cli npm_impl; do
	name=${impl%_*}
	[ "$name" = jose ] && name="latchset jose"
	[ "$name" = npm ] && name="npm jose"
	for enc in A128GCM A192GCM A256GCM; do
		key=$("$ctl" derive --pairwise-key-file "$tmp/pw.hex" \
			--rro "$tmp/rro.json" --oro "$tmp/oro.json" --enc "$enc")

		"$ctl" seal --pairwise-key-file "$tmp/pw.hex" --kid "$kid" \
			--rro "$tmp/rro.json" --oro "$tmp/oro.json" --enc "$enc" \
			--announce always <"$tmp/inner.json" >"$tmp/ours.jwe"
		$impl dec "$key" <"$tmp/ours.jwe" >"$tmp/out" 2>"$tmp/err"
		cmp -s "$tmp/out" "$tmp/inner.json"
		ok $? "$name decrypts our $enc object"
		[ -s "$tmp/err" ] && sed 's/^/# /' "$tmp/err"

		header="{\"alg\":\"dir\",\"enc\":\"$enc\",\"kid\":\"$kid\",\"cty\":\"vnd.onem2m-preq+json\",\"ori\":\"n-o1\",\"rri\":\"n-r1\",\"oro\":$oro}"
		$impl enc "$key" "$header" <"$tmp/inner.json" >"$tmp/theirs.jwe" \
			2>"$tmp/err"
		"$ctl" open --pairwise-key-file "$tmp/pw.hex" \
			--rro "$tmp/rro.json" --peer "$peer" \
			<"$tmp/theirs.jwe" >"$tmp/out" 2>>"$tmp/err"
		cmp -s "$tmp/out" "$tmp/inner.json"
		ok $? "we open a $enc object from $name"
		[ -s "$tmp/err" ] && sed 's/^/# /' "$tmp/err"
	done
done
echo "1..$n"
