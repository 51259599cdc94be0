#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# esprimctl on the kernel backend with a pairwise key an operator
# provisioned with keyctl: found by kid and by serial, no key octets on
# the command line or in the process; its objects open with the soft
# backend and the key's octets, and the other way round.  TAP output.
# Usage: esprimctl_kernel_test.sh BUILD_DIR
set -u
ctl=$(cd "$1" && pwd)/user/esprimctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
failed=0
tap() {	# status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..8"
keyctl new_session >/dev/null
kid=13-ctl.example.net
peer=//example.net/gw1
# struct onem2m_esprim_pairwise_payload: 32 bytes 00..1f bound to $peer
serial=$(python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(
	"<BBHBBHI64s256s", 1, 1, 0, 32, len(sys.argv[1]), 0, 0,
	bytes(range(32)), sys.argv[1].encode()))' "$peer" |
	keyctl padd esprim "pairwise:$kid" @s)
tap $? "keyctl padd esprim pairwise:$kid"
python3 -c 'print(bytes(range(32)).hex())' >pw.hex
"$ctl" rand --receiver --lifetime 600 >rro.json &&
	"$ctl" rand --originator --rro rro.json --lifetime 600 >oro.json
tap $? "rand objects"
printf '%s' '{"op":2,"to":"/in-cse","fr":"/gw1","rqi":"k1","rvi":"4"}' \
	>req.json

"$ctl" seal --backend kernel --kid "$kid" --rro rro.json --oro oro.json \
	--enc A256GCM <req.json >obj.kernel
tap $? "seal with the keyring's key, found by kid"
"$ctl" open --pairwise-key-file pw.hex --peer "$peer" --rro rro.json \
	<obj.kernel >out && cmp -s out req.json
tap $? "the soft backend opens it with the key's octets"

"$ctl" seal --pairwise-key-file pw.hex --kid "$kid" --rro rro.json \
	--oro oro.json --enc A128GCM <req.json >obj.soft
"$ctl" open --backend kernel --rro rro.json <obj.soft >out &&
	cmp -s out req.json
tap $? "the kernel backend opens a soft object, the bound identity from the kernel"
# Another object: the first one's session state (one per derived key on
# the machine) may outlive its process until the keys are collected.
"$ctl" seal --pairwise-key-file pw.hex --kid "$kid" --rro rro.json \
	--oro oro.json --enc A128GCM <req.json >obj.soft2
"$ctl" -j open --backend kernel --key-serial "$serial" --rro rro.json \
	<obj.soft2 >out.json &&
	python3 -c 'import json,sys; j = json.load(open(sys.argv[1]))
sys.exit(j["peer"] != sys.argv[2] or j["kid"] != sys.argv[3])' \
	out.json "$peer" "$kid"
tap $? "by serial, with -j naming the kid and the identity"

sed "s/\"fr\":\"\/gw1\"/\"fr\":\"\/gw2\"/" req.json >forged.json
"$ctl" seal --backend kernel --kid "$kid" --rro rro.json --oro oro.json \
	--enc A256GCM <forged.json >obj.forged
"$ctl" open --backend kernel --rro rro.json <obj.forged >out 2>err
[ $? = 1 ] && [ ! -s out ] && grep -q '^esprimctl: 4116 ' err
tap $? "a From that is not the kernel's bound identity: 4116"

"$ctl" seal --backend kernel --kid 13-none.example.net --rro rro.json \
	--oro oro.json --enc A256GCM <req.json >out 2>err
[ $? = 1 ] && [ ! -s out ] && grep -q '^esprimctl: 4112 ' err
tap $? "a kid with no key in the keyrings: 4112"
exit $failed
