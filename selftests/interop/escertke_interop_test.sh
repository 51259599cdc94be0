#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ESCertKE against an independent TLS stack: Node.js's tls module
# (escertke_node_peer.mjs) and the project's engine (escertke_tool), the
# flights as lines of base64 over two pipes, both directions:
#   - both ends name the same kid and the same HMAC-SHA256(key, "interop");
#   - an object esprimctl seals with the engine's key opens in npm jose
#     under the session key Node derives from its own key, and the reverse;
#   - the suite: GCM by default, CBC-SHA256 when the initiator offers only
#     that;
#   - a Node peer that expects another identity, or trusts another CA,
#     refuses the handshake and has no key (nor has the engine, when Node
#     refuses it at message 3).
# Certificates from selftests/host/escertke_certs.sh.  Prints TAP.
#   escertke_interop_test.sh BUILD_DIR
set -uo pipefail

build=$1
ctl=$build/user/esprimctl
tool=$build/selftests/interop/escertke_tool
npmdir=$build/npm
here=$(cd "$(dirname "$0")" && pwd)
peer_js=$here/escertke_node_peer.mjs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
A=//sp.example/CSE-A
B=//sp.example/CSE-B

n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

"$here/npm_install.sh" "$npmdir"
"$here/../host/escertke_certs.sh" "$tmp/pki"
c=$tmp/pki

# One handshake: C_ROLE (initiate|respond) NODE_TRUST NODE_EXPECTS
# [CIPHERS] (NODE_EXPECTS: the identity Node requires of the engine).  The engine is CSE-A when it initiates, CSE-B when it
# responds; Node the other.  Results in $tmp/{c,n}.{res,key}, errors in
# $tmp/{c,n}.err; returns both exit codes as "C N" on stdout.
pair() {
	local crole=$1 ntrust=$2 nexpect=$3 ciphers=${4:-} me peer nrole nme
	rm -f "$tmp"/c.* "$tmp"/n.* "$tmp/c2n" "$tmp/n2c"
	mkfifo "$tmp/c2n" "$tmp/n2c"
	if [ "$crole" = initiate ]; then
		me=a peer=$B nme=b nrole=server
	else
		me=b peer=$A nme=a nrole=client
	fi
	timeout 20 "$tool" --cert "$c/$me.pem" --key "$c/$me.key" \
		--trust "$c/ca.pem" --identity "//sp.example/CSE-${me^^}" \
		--peer "$peer" "--$crole" --result "$tmp/c.res" \
		--key-out "$tmp/c.key" >"$tmp/c2n" <"$tmp/n2c" \
		2>"$tmp/c.err" &
	local cpid=$!
	timeout 20 node "$peer_js" "$nrole" "$c/$nme.pem" "$c/$nme.key" \
		"$c/$ntrust" "$nexpect" "$tmp/n.res" "$tmp/n.key" $ciphers \
		<"$tmp/c2n" >"$tmp/n2c" 2>"$tmp/n.err"
	local nrc=$?
	wait $cpid
	echo "$? $nrc"
}

field() { sed -n "s/^$1 //p" "$2" 2>/dev/null; }

# The same key on both sides: kid and mac equal, and non-empty.
agree() {
	local k1 k2 m1 m2
	k1=$(field kid "$tmp/c.res") k2=$(field kid "$tmp/n.res")
	m1=$(field mac "$tmp/c.res") m2=$(field mac "$tmp/n.res")
	[ ${#k1} = 32 ] && [ "$k1" = "$k2" ] && [ ${#m1} = 64 ] &&
		[ "$m1" = "$m2" ]
}

# Sealed by esprimctl with the engine's key, opened by npm jose with the
# key Node derived from its own; then the reverse.
cross_seal() {	# label
	local kid enc=A256GCM skey
	kid=$(field kid "$tmp/c.res")
	"$ctl" rand --receiver --id n-r1 --lifetime 600 >"$tmp/rro.json" &&
	"$ctl" rand --originator --rro "$tmp/rro.json" --id n-o1 \
		--lifetime 600 >"$tmp/oro.json" || { ok 1 "$1: rand"; return; }
	printf '%s' '{"op":2,"to":"//sp.example/CSE-B/la","fr":"//sp.example/CSE-A","rqi":"r1","rvi":"4"}' \
		>"$tmp/inner.json"
	skey=$(node "$peer_js" derive "$tmp/n.key" "$tmp/rro.json" \
		"$tmp/oro.json" "$enc" 2>/dev/null) || { ok 1 "$1: Node derives"; return; }
	"$ctl" seal --pairwise-key-file "$tmp/c.key" --kid "$kid" \
		--rro "$tmp/rro.json" --oro "$tmp/oro.json" --enc "$enc" \
		--announce always <"$tmp/inner.json" >"$tmp/ours.jwe" &&
	node "$npmdir/npm_jose_tool.mjs" dec "$skey" <"$tmp/ours.jwe" \
		>"$tmp/out" && cmp -s "$tmp/out" "$tmp/inner.json"
	ok $? "$1: esprimctl seals with the engine's key, npm jose opens with Node's"
	local header
	header="{\"alg\":\"dir\",\"enc\":\"$enc\",\"kid\":\"$kid\",\"cty\":\"vnd.onem2m-preq+json\",\"ori\":\"n-o1\",\"rri\":\"n-r1\",\"oro\":$(cat "$tmp/oro.json")}"
	node "$npmdir/npm_jose_tool.mjs" enc "$skey" "$header" \
		<"$tmp/inner.json" >"$tmp/theirs.jwe" &&
	"$ctl" open --pairwise-key-file "$tmp/c.key" --rro "$tmp/rro.json" \
		--peer "//sp.example/CSE-A" <"$tmp/theirs.jwe" >"$tmp/out" &&
		cmp -s "$tmp/out" "$tmp/inner.json"
	ok $? "$1: npm jose seals with Node's key, esprimctl opens with the engine's"
}

show_errs() { cat "$tmp/c.err" "$tmp/n.err" 2>/dev/null | sed 's/^/# /'; }

rcs=$(pair initiate ca.pem "$A")
[ "$rcs" = "0 0" ] && agree
ok $? "engine initiates, Node terminates: same kid and key"
[ "$rcs" = "0 0" ] || show_errs
[ "$(field cipher "$tmp/n.res")" = ECDHE-ECDSA-AES128-GCM-SHA256 ]
ok $? "engine initiates: AES-128-GCM chosen"
[ "$(field peer "$tmp/c.res")" = "$B" ]
ok $? "engine initiates: the peer authenticated as $B"
cross_seal "engine initiates"

rcs=$(pair respond ca.pem "$B")
[ "$rcs" = "0 0" ] && agree
ok $? "Node initiates, engine terminates: same kid and key"
[ "$rcs" = "0 0" ] || show_errs
[ "$(field peer "$tmp/c.res")" = "$A" ]
ok $? "Node initiates: the peer authenticated as $A"
cross_seal "Node initiates"

rcs=$(pair respond ca.pem "$B" ECDHE-ECDSA-AES128-SHA256)
[ "$rcs" = "0 0" ] && agree &&
	[ "$(field cipher "$tmp/n.res")" = ECDHE-ECDSA-AES128-SHA256 ]
ok $? "Node offers only ECDHE-ECDSA-AES128-SHA256: same kid and key"
[ "$rcs" = "0 0" ] || show_errs

rcs=$(pair initiate ca.pem "$A" ECDHE-ECDSA-AES128-SHA256)
[ "$rcs" = "0 0" ] && agree &&
	[ "$(field cipher "$tmp/n.res")" = ECDHE-ECDSA-AES128-SHA256 ]
ok $? "Node terminates accepting only ECDHE-ECDSA-AES128-SHA256: same kid and key"
[ "$rcs" = "0 0" ] || show_errs

# Node checks the server's name once its handshake is over (after
# message 4): the engine has finished by then; Node keeps no key.
rcs=$(pair respond ca.pem //sp.example/CSE-C)
[ "${rcs#* }" != 0 ] && [ ! -e "$tmp/n.res" ] && [ ! -e "$tmp/n.key" ]
ok $? "Node expecting CSE-C refuses CSE-B: no key on its side"

# Node's server hangs up on a chain it does not trust (no alert).
rcs=$(pair initiate ca2.pem "$A")
[ "${rcs% *}" != 0 ] && [ "${rcs#* }" != 0 ] && [ ! -e "$tmp/c.res" ] &&
	[ ! -e "$tmp/c.key" ] && [ ! -e "$tmp/n.res" ]
ok $? "Node trusting another CA refuses the engine: no key on either side"

echo "1..$n"
