#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# esprimctl's documented interface: round trip, m2m:seci in and out, the
# pinned object, exit statuses, RSC on stderr and as JSON with -j.
# Prints TAP.  Usage: esprimctl_test.sh BUILD_DIR
set -uo pipefail
ctl=$(cd "$1" && pwd)/user/esprimctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

printf %s 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >pw.hex
printf '%s' '{ "esrx":"20991231T235959", "esri":"r1", "espa":[10, 11, 12], "esks":[1], "esrv":"AAECAwQFBgcICQoLDA0ODw" }' >rro.json
printf '%s' '{"esk":1,"espa":[12],"esri":"o1","esrv":"EBESExQVFhcYGRobHB0eHw","esrx":"20991231T235959"}' >oro.json
printf '%s' '{"op":1,"to":"//example.net/in-cse/ae-meter","fr":"Cgw1","rqi":"req-0042","rvi":"4","ty":4,"pc":{"m2m:cin":{"con":"21.5"}}}' >inner.json

key=$("$ctl" derive --pairwise-key-file pw.hex --rro rro.json --oro oro.json --enc A256GCM)
[ "$key" = e2fe46f3ede87df93b23c0a926e3213f8dd73bb74564fe00d40c13bb33a8cdd2 ]
ok $? "derive prints the pinned session key"

"$ctl" seal --pairwise-key-file pw.hex --kid 13-gw1.example.net --rro rro.json \
	--oro oro.json --enc A256GCM --iv 0000002a0000000000000007 <inner.json >obj
grep -q '^eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiMTMtZ3cxLmV4YW1wbGUubmV0IiwiY3R5Ijoidm5kLm9uZW0ybS1wcmVxK2pzb24iLCJvcmkiOiJvMSIsInJyaSI6InIxIn0..AAAAKgAAAAAAAAAH.6gJFaDAP.*hZzF96wd43T4gpVjPD-k4w$' obj
ok $? "seal --iv gives the pinned object"

"$ctl" open --pairwise-key-file pw.hex --rro rro.json --oro oro.json \
	--peer Cgw1 <obj >out && cmp -s out inner.json
ok $? "open returns the inner primitive"

"$ctl" seal --pairwise-key-file pw.hex --kid k1 --rro rro.json --oro oro.json \
	--enc A256GCM --announce --seci <inner.json >seci.json
grep -q '^{"m2m:seci":{"sit":5,"epo":"' seci.json &&
	"$ctl" open --pairwise-key-file pw.hex --rro rro.json <seci.json >out &&
	cmp -s out inner.json
ok $? "seal --seci and open of m2m:seci content, oro from the header"

sed 's/.$/A/' obj >bad
"$ctl" open --pairwise-key-file pw.hex --rro rro.json --oro oro.json <bad \
	>out 2>err
[ $? = 1 ] && grep -q '^esprimctl: 4115 ESPRIM_BAD_MAC: ' err && [ ! -s out ]
ok $? "a bad tag: status 1, 4115 on stderr, nothing on stdout"

"$ctl" -j open --pairwise-key-file pw.hex --rro rro.json --oro oro.json \
	--peer Cother <obj >out
[ $? = 1 ] && grep -q '^{"rsc":4116,"error":"ESPRIM_IMPERSONATION_ERROR","message":' out
ok $? "-j: impersonation as JSON on stdout"

"$ctl" -j open --pairwise-key-file pw.hex --rro rro.json --kid other <obj >out
[ $? = 1 ] && grep -q '"rsc":4112' out
ok $? "--kid that does not match: 4112"

echo 'zz' >short.hex
"$ctl" -j derive --pairwise-key-file short.hex --rro rro.json --oro oro.json \
	--enc A128GCM >out
[ $? = 1 ] && grep -q '"rsc":4000' out
ok $? "a bad key file: 4000"

"$ctl" -j seal --pairwise-key-file pw.hex --kid k --rro rro.json --oro oro.json \
	--enc A128GCM <inner.json >out
[ $? = 1 ] && grep -q '"rsc":4111' out
ok $? "an enc the originator object does not offer: 4111"

"$ctl" seal --no-such-option 2>/dev/null
[ $? = 2 ]
ok $? "usage errors exit with 2"

"$ctl" seal --pairwise-key-file pw.hex --rro rro.json --oro oro.json \
	--enc A128GCM <inner.json 2>/dev/null
[ $? = 2 ]
ok $? "seal without --kid is a usage error"

# The receiver answers; the originator opens the response (role bit 1).
"$ctl" seal --pairwise-key-file pw.hex --kid k1 --rro rro.json --oro oro.json \
	--enc A256GCM --role receiver <inner.json >resp
"$ctl" open --pairwise-key-file pw.hex --rro rro.json --oro oro.json \
	--role originator <resp >out && cmp -s out inner.json
ok $? "open --role originator opens a receiver's response"

"$ctl" open --pairwise-key-file pw.hex --rro rro.json --oro oro.json \
	--peer Cgw1 <resp >/dev/null 2>err
[ $? = 1 ] && grep -q '4111' err
ok $? "a receiver checking From refuses a response-typed object (4111)"

"$ctl" rand --receiver --id r9 --lifetime 60 >r9.json &&
	"$ctl" rand --originator --rro r9.json --id o9 --espa 10 >o9.json &&
	grep -q '"espa":\[10\],"esri":"o9"' o9.json
ok $? "rand creates receiver and originator objects"
echo "1..$n"
