#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# esprimctl's documented interface (esprimctl.8): --help and --version,
# usage errors (status 2, the missing option named), round trips, m2m:seci
# in and out, the pinned objects, inspect, -j on success and failure, RSC
# on stderr.  The operator commands against two real esprimd (soft
# backend, 127.0.0.1) that establish a session with each other, against no
# daemon, a stale socket and a server out of the protocol, and as a user
# who is no operator.  Prints TAP.  Usage: esprimctl_test.sh BUILD_DIR
set -uo pipefail
build=$(cd "$1" && pwd)
ctl=$build/user/esprimctl
esprimd=$build/user/esprimd
tmp=$(mktemp -d)
pids=()
cleanup() {
	local pid

	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
is_json() {	# file: one JSON value
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"
}
jget() {	# file expr: evaluates expr on the JSON value j
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

printf %s 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >pw.hex
printf '%s' '{ "esrx":"20991231T235959", "esri":"r1", "espa":[10, 11, 12], "esks":[1], "esrv":"AAECAwQFBgcICQoLDA0ODw" }' >rro.json
printf '%s' '{"esk":1,"espa":[12],"esri":"o1","esrv":"EBESExQVFhcYGRobHB0eHw","esrx":"20991231T235959"}' >oro.json
printf '%s' '{"op":1,"to":"//example.net/in-cse/ae-meter","fr":"Cgw1","rqi":"req-0042","rvi":"4","ty":4,"pc":{"m2m:cin":{"con":"21.5"}}}' >inner.json
key="--pairwise-key-file pw.hex"

# ---- help, version, usage errors ----
"$ctl" --help >out 2>err
[ $? = 0 ] && grep -q '^Usage: esprimctl' out && [ ! -s err ]
ok $? "esprimctl --help: status 0, usage on stdout"
for cmd in rand seal open derive inspect status peers sessions keys stats \
	establish rekey flush reload; do
	"$ctl" $cmd --help >out 2>err
	[ $? = 0 ] && grep -q "^Usage: esprimctl $cmd" out && [ ! -s err ]
	ok $? "esprimctl $cmd --help: status 0, its usage on stdout"
	"$ctl" $cmd -h >out2 2>/dev/null && cmp -s out out2
	ok $? "esprimctl $cmd -h is --help"
done
"$ctl" --version >out
[ $? = 0 ] && grep -q '^esprimctl [0-9.]* (libesprim 1\.[0-9]*\.[0-9]*)$' out
ok $? "--version: esprimctl's and the library's versions"

"$ctl" no-such-command >out 2>err
[ $? = 2 ] && grep -q "'no-such-command' is not a command" err &&
	grep -q '^Usage: esprimctl' err && [ ! -s out ]
ok $? "an unknown command: status 2, usage on stderr"
"$ctl" >/dev/null 2>err
[ $? = 2 ] && grep -q 'no command' err
ok $? "no command: status 2"
"$ctl" seal --no-such-option >out 2>err
[ $? = 2 ] && grep -q "unrecognized option '--no-such-option'" err &&
	grep -q '^Usage: esprimctl seal' err && [ ! -s out ]
ok $? "an unknown option: status 2, the seal usage on stderr"
"$ctl" seal $key --rro rro.json --oro oro.json --enc A128GCM \
	<inner.json >out 2>err
[ $? = 2 ] && grep -q '^esprimctl seal: --kid is required$' err &&
	grep -q '^Usage: esprimctl seal' err && [ ! -s out ]
ok $? "seal without --kid: status 2, names --kid"
"$ctl" seal $key --kid k --rro rro.json --enc A128GCM <inner.json 2>err
[ $? = 2 ] && grep -q -- '--oro is required' err
ok $? "seal without --oro: status 2, names --oro"
"$ctl" seal --kid k --rro rro.json --oro oro.json --enc A128GCM \
	<inner.json 2>err
[ $? = 2 ] && grep -q -- '--pairwise-key-file is required' err
ok $? "seal with the soft backend and no key file: status 2"
"$ctl" derive $key --rro rro.json --oro oro.json 2>err
[ $? = 2 ] && grep -q '^esprimctl derive: --enc is required$' err
ok $? "derive without --enc: status 2, names --enc"
"$ctl" seal $key --kid k --rro rro.json --oro oro.json --enc A999GCM \
	<inner.json 2>err
[ $? = 2 ] && grep -q -- '--enc is A128GCM' err
ok $? "an unknown enc: status 2"
"$ctl" rand --originator 2>err
[ $? = 2 ] && grep -q -- '--rro is required' err
ok $? "rand --originator without --rro: status 2"
"$ctl" seal $key --kid k --rro rro.json --oro oro.json --enc A256GCM \
	--announce sometimes <inner.json 2>err
[ $? = 2 ] && grep -q -- '--announce is auto, always or never' err
ok $? "--announce takes auto, always or never"

# ---- derive and the pinned objects ----
k=$("$ctl" derive $key --rro rro.json --oro oro.json --enc A256GCM)
[ "$k" = e2fe46f3ede87df93b23c0a926e3213f8dd73bb74564fe00d40c13bb33a8cdd2 ]
ok $? "derive prints the pinned session key"
"$ctl" -j derive $key --rro rro.json --oro oro.json --enc A128GCM >out
[ "$(jget out 'j["enc"] + " " + j["key"]')" = "A128GCM e2fe46f3ede87df93b23c0a926e3213f" ]
ok $? "derive -j: enc and the leftmost 16 octets"

hdr_never=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiMTMtZ3cxLmV4YW1wbGUubmV0IiwiY3R5Ijoidm5kLm9uZW0ybS1wcmVxK2pzb24iLCJvcmkiOiJvMSIsInJyaSI6InIxIn0
"$ctl" seal $key --kid 13-gw1.example.net --rro rro.json --oro oro.json \
	--enc A256GCM --announce never --iv 0000002a0000000000000007 \
	<inner.json >obj
grep -q "^$hdr_never..AAAAKgAAAAAAAAAH.6gJFaDAP.*hZzF96wd43T4gpVjPD-k4w$" obj
ok $? "seal --announce never --iv gives the pinned object"

# The default (AUTO) announces the oro: the header carries its JCS text.
hdr_auto=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiMTMtZ3cxLmV4YW1wbGUubmV0IiwiY3R5Ijoidm5kLm9uZW0ybS1wcmVxK2pzb24iLCJvcmkiOiJvMSIsInJyaSI6InIxIiwib3JvIjp7ImVzayI6MSwiZXNwYSI6WzEyXSwiZXNyaSI6Im8xIiwiZXNydiI6IkVCRVNFeFFWRmhjWUdSb2JIQjBlSHciLCJlc3J4IjoiMjA5OTEyMzFUMjM1OTU5In19
"$ctl" seal $key --kid 13-gw1.example.net --rro rro.json --oro oro.json \
	--enc A256GCM --iv 0000002a0000000000000007 <inner.json >obj_auto
grep -q "^$hdr_auto..AAAAKgAAAAAAAAAH.6gJFaDAP.*IBOY1b09JNI8fipDTKELYg$" obj_auto
ok $? "seal with the default announce gives the pinned object, oro included"
printf '%s' "$hdr_auto" | tr -- '-_' '+/' | base64 -d 2>/dev/null >hdr.json
[ "$(cat hdr.json)" = '{"alg":"dir","enc":"A256GCM","kid":"13-gw1.example.net","cty":"vnd.onem2m-preq+json","ori":"o1","rri":"r1","oro":{"esk":1,"espa":[12],"esri":"o1","esrv":"EBESExQVFhcYGRobHB0eHw","esrx":"20991231T235959"}}' ]
ok $? "the pinned default header is the announced oro's JCS text"

# ---- open ----
"$ctl" open $key --rro rro.json --oro oro.json --peer Cgw1 <obj >out &&
	cmp -s out inner.json
ok $? "open returns the inner primitive"
"$ctl" open $key --rro rro.json --peer Cgw1 <obj_auto >out &&
	cmp -s out inner.json
ok $? "open with the oro from the header (fresh receiver)"
"$ctl" seal $key --kid k1 --rro rro.json --oro oro.json --enc A256GCM \
	<inner.json >rt && "$ctl" open $key --rro rro.json --peer Cgw1 <rt >out &&
	cmp -s out inner.json
ok $? "round trip seal -> open with the default settings"
"$ctl" open $key --rro rro.json --oro oro.json <obj >out 2>err
[ $? = 2 ] && grep -q -- '--peer is required' err && [ ! -s out ]
ok $? "open of requests without --peer: status 2, names --peer"
"$ctl" open $key --peer Cgw1 <obj 2>err
[ $? = 2 ] && grep -q -- '--rro is required' err
ok $? "open without --rro: status 2"

"$ctl" seal $key --kid k1 --rro rro.json --oro oro.json --enc A256GCM \
	--announce always --seci <inner.json >seci.json
grep -q '^{"m2m:seci":{"sit":5,"epo":"' seci.json &&
	"$ctl" open $key --rro rro.json --peer Cgw1 <seci.json >out &&
	cmp -s out inner.json
ok $? "seal --seci and open of m2m:seci content, oro from the header"

"$ctl" -j seal $key --kid k1 --rro rro.json --oro oro.json --enc A192GCM \
	--espa-is-not-an-option <inner.json >/dev/null 2>&1
[ $? = 2 ]
ok $? "seal -j with an unknown option is still a usage error"
printf '%s' '{"esk":1,"espa":[11,12],"esri":"o2","esrv":"EBESExQVFhcYGRobHB0eHw","esrx":"20991231T235959"}' >oro2.json
"$ctl" -j seal $key --kid k1 --rro rro.json --oro oro2.json --enc A192GCM \
	<inner.json >out
[ $? = 0 ] && is_json out &&
	[ "$(jget out '" ".join([j["kid"], j["enc"], j["cty"], j["ori"], j["rri"], j["oro"]["esri"]])')" = "k1 A192GCM vnd.onem2m-preq+json o2 r1 o2" ]
ok $? "seal -j: object, kid, enc, cty, ori, rri and oro as JSON"
jget out 'j["object"]' >obj_j
"$ctl" -j open $key --rro rro.json --peer Cgw1 <obj_j >out
[ $? = 0 ] && is_json out &&
	[ "$(jget out '" ".join([j["kid"], j["peer"], j["role"], j["enc"], j["cty"], j["from"]])')" = "k1 Cgw1 receiver A192GCM vnd.onem2m-preq+json library" ] &&
	[ "$(jget out 'j["text"]')" = "$(cat inner.json)" ]
ok $? "open -j: kid, peer, role, enc, cty, from and the text as JSON"

sed 's/.$/A/' obj >bad
"$ctl" open $key --rro rro.json --oro oro.json --peer Cgw1 <bad >out 2>err
[ $? = 1 ] && grep -q '^esprimctl: 4115 ESPRIM_BAD_MAC: ' err && [ ! -s out ]
ok $? "a bad tag: status 1, 4115 on stderr, nothing on stdout"

"$ctl" -j open $key --rro rro.json --oro oro.json --peer Cother <obj >out
[ $? = 1 ] && grep -q '^{"rsc":4116,"error":"ESPRIM_IMPERSONATION_ERROR","message":' out
ok $? "-j: impersonation as JSON on stdout"

"$ctl" -j open $key --rro rro.json --kid other --peer Cgw1 <obj >out
[ $? = 1 ] && grep -q '"rsc":4112' out
ok $? "--kid that does not match: 4112"

# A primitive whose From the library cannot read is not accepted unchecked.
printf '%s' '<m2m:rqp><op>2</op><fr>Cgw1</fr></m2m:rqp>' >inner.xml
"$ctl" seal $key --kid k1 --rro rro.json --oro oro.json --enc A256GCM \
	--cty vnd.onem2m-preq+xml <inner.xml >xobj
"$ctl" open $key --rro rro.json --peer Cgw1 <xobj >out 2>err
[ $? = 1 ] && [ ! -s out ] && grep -q -- '--from' err
ok $? "an XML request without --from: status 1, nothing printed"
"$ctl" open $key --rro rro.json --peer Cgw1 --from Cgw1 <xobj >out &&
	cmp -s out inner.xml
ok $? "an XML request with --from naming the peer opens"
"$ctl" open $key --rro rro.json --peer Cgw1 --from Cevil <xobj >out 2>err
[ $? = 1 ] && [ ! -s out ] && grep -q '^esprimctl: 4116 ' err
ok $? "an XML request with another --from: 4116"
"$ctl" -j open $key --rro rro.json --peer Cgw1 --from Cgw1 <xobj >out
[ $? = 0 ] && [ "$(jget out 'j["from"]')" = caller ] &&
	jget out 'j["text_b64url"]' | tr -- '-_' '+/' |
	python3 -c 'import base64, sys; s = sys.stdin.read().strip(); sys.stdout.buffer.write(base64.b64decode(s + "=" * (-len(s) % 4)))' |
	cmp -s - inner.xml
ok $? "open -j of a non-JSON text: text_b64url"

# ---- key files ----
echo 'zz' >short.hex
"$ctl" -j derive --pairwise-key-file short.hex --rro rro.json \
	--oro oro.json --enc A128GCM >out
[ $? = 1 ] && grep -q '"errno":22' out && grep -q '16 to 64 bytes' out
ok $? "a short key file: status 1, EINVAL"
printf '%s\n' 000102030405060708090a0b0c0d0e0fXX >badhex.hex
"$ctl" seal --pairwise-key-file badhex.hex --kid k --rro rro.json \
	--oro oro.json --enc A256GCM <inner.json >out 2>err
[ $? = 1 ] && [ ! -s out ] &&
	grep -q '^esprimctl: 5211 ESPRIM_ENCRYPTION_ERROR: Invalid argument: badhex.hex: not hex' err
ok $? "a key file with bad hex: status 1, the errno text and 5211"
"$ctl" derive --pairwise-key-file missing.hex --rro rro.json \
	--oro oro.json --enc A128GCM 2>err
[ $? = 1 ] && grep -q 'No such file or directory: missing.hex' err
ok $? "a missing key file: status 1, ENOENT"

"$ctl" -j seal $key --kid k --rro rro.json --oro oro.json \
	--enc A128GCM <inner.json >out
[ $? = 1 ] && grep -q '"rsc":4111' out
ok $? "an enc the originator object does not offer: 4111"

# ---- responses ----
# The receiver answers; the originator opens the response (role bit 1).
"$ctl" seal $key --kid k1 --rro rro.json --oro oro.json \
	--enc A256GCM --role receiver <inner.json >resp
"$ctl" open $key --rro rro.json --oro oro.json \
	--role originator <resp >out && cmp -s out inner.json
ok $? "open --role originator opens a receiver's response"
"$ctl" open $key --rro rro.json --role originator <resp 2>err
[ $? = 2 ] && grep -q -- '--oro is required' err
ok $? "open --role originator without --oro: status 2"
"$ctl" open $key --rro rro.json --oro oro.json --peer Cgw1 <resp \
	>/dev/null 2>err
[ $? = 1 ] && grep -q '^esprimctl: 5210 ' err
ok $? "a receiver refuses a response as reflected (5210)"

# ---- inspect ----
"$ctl" inspect <obj_auto >out
[ $? = 0 ] && grep -qx 'kid: 13-gw1.example.net' out &&
	grep -qx 'enc: A256GCM' out &&
	grep -qx 'cty: vnd.onem2m-preq+json' out && grep -qx 'ori: o1' out &&
	grep -qx 'rri: r1' out && grep -qxF "oro: $(cat oro.json)" out &&
	grep -qx 'rro: (none)' out
ok $? "inspect shows kid, enc, cty, ori, rri and the announced oro"
"$ctl" -j inspect seci.json >out
[ $? = 0 ] && is_json out &&
	[ "$(jget out '" ".join([j["kid"], j["enc"], j["ori"], j["rri"], j["oro"]["esri"], str(j["rro"]), str(j["seci"])])')" = "k1 A256GCM o1 r1 o1 None True" ]
ok $? "inspect -j of m2m:seci content"
"$ctl" -j inspect <obj >out && [ "$(jget out 'j["oro"]')" = None ]
ok $? "inspect -j: no oro with --announce never"
echo 'not.an.object' | "$ctl" inspect >out 2>err
[ $? = 1 ] && grep -q '^esprimctl: 4000 BAD_REQUEST: ' err && [ ! -s out ]
ok $? "inspect of garbage: 4000"

# ---- rand ----
"$ctl" rand --receiver --id n-r9 --lifetime 60 >r9.json &&
	"$ctl" rand --originator --rro r9.json --id n-o9 --espa 10 >o9.json &&
	grep -q '"espa":\[10\],"esri":"n-o9"' o9.json
ok $? "rand creates receiver and originator objects"
"$ctl" rand --receiver >r.json && "$ctl" rand --receiver --shared >s.json &&
	"$ctl" rand --originator --rro s.json >o.json &&
	grep -q '"esri":"n-' r.json && grep -q '"esri":"s-' s.json &&
	grep -q '"esri":"n-' o.json
ok $? "rand without --id: fresh ids with the n-/s- prefixes"
"$ctl" rand --receiver --id r9 >out 2>err
[ $? = 1 ] && [ ! -s out ] && grep -q 'beginning "n-"' err
ok $? "rand --id without the n- prefix is refused"
"$ctl" rand --receiver --shared --id n-x >out 2>err
[ $? = 1 ] && grep -q 'beginning "s-"' err
ok $? "rand --shared --id needs the s- prefix"
"$ctl" rand --originator --shared --rro s.json 2>err
[ $? = 2 ] && grep -q -- '--shared is for receiver objects only' err
ok $? "rand --originator --shared: status 2"

# ---- operator commands: usage ----
"$ctl" establish >out 2>err
[ $? = 2 ] && grep -q '^esprimctl establish: a peer is required$' err &&
	grep -q '^Usage: esprimctl establish' err && [ ! -s out ]
ok $? "establish without a peer: status 2"
"$ctl" peers extra 2>err
[ $? = 2 ] && grep -q "unexpected argument 'extra'" err
ok $? "peers with an argument: status 2"
"$ctl" flush gw1 gw2 2>err
[ $? = 2 ] && grep -q "unexpected argument 'gw2'" err
ok $? "flush with two peers: status 2"
"$ctl" establish --wait soon gw2 2>err
[ $? = 2 ] && grep -q -- '--wait takes seconds' err
ok $? "establish --wait with no number: status 2"
"$ctl" status --no-such-option 2>err
[ $? = 2 ] && grep -q '^Usage: esprimctl status' err
ok $? "status with an unknown option: status 2"

# ---- operator commands without esprimd ----
none=$tmp/none.sock
"$ctl" status --socket "$none" >out 2>err
[ $? = 6 ] && grep -qx "esprimd is not running (no socket at $none)" out &&
	grep -q '^kernel module onem2m_esprim: ' out
ok $? "status without esprimd: status 6, says so, shows the kernel part"
"$ctl" -j status --socket "$none" >out
[ $? = 6 ] && [ "$(jget out '" ".join([str(j["ok"]), j["daemon"]["error"], str(j["kernel"]["ok"])])')" = "False ENOENT True" ]
ok $? "status -j without esprimd: daemon ENOENT, kernel part ok"
ESPRIMD_SOCKET=$none "$ctl" peers >out 2>err
[ $? = 6 ] && [ ! -s out ] &&
	grep -qx "esprimctl: ENOENT: esprimd is not running (no socket at $none)" err
ok $? "peers without esprimd (\$ESPRIMD_SOCKET): status 6, the message on stderr"
"$ctl" --socket "$none" -j flush >out
[ $? = 6 ] && [ "$(jget out 'j["error"] + " " + str(j["ok"])')" = "ENOENT False" ]
ok $? "--socket before the command, -j: the failure as JSON, status 6"
for cmd in "stats" "sessions" "establish gw2" "rekey" "reload"; do
	"$ctl" $cmd --socket "$none" >/dev/null 2>&1
	ok $(($? != 6)) "$cmd without esprimd: status 6"
done
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
	"$tmp/stale.sock"
"$ctl" peers --socket "$tmp/stale.sock" 2>err
[ $? = 1 ] && grep -q 'ECONNREFUSED: esprimd is not running' err
ok $? "a stale socket: status 1, ECONNREFUSED"
# A server that answers a line out of the protocol.
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
s.settimeout(30)
c, _ = s.accept(); c.recv(65536); c.sendall(b"{\"id\":1,\"ok\":\"yes\"}\n")
c.close()' "$tmp/bad.sock" &
pids+=($!)
for _ in $(seq 100); do
	[ -S "$tmp/bad.sock" ] && break
	sleep 0.1
done
"$ctl" -j peers --socket "$tmp/bad.sock" >out
[ $? = 1 ] && [ "$(jget out 'j["error"]')" = EPROTO ]
ok $? "a reply out of the protocol: status 1, EPROTO, not shown as the daemon's"

# ---- operator commands against two esprimd ----
keys=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
read -r port1 port2 <<<"$keys"
chmod 755 "$tmp"
printf '%s\n' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
	>"$tmp/k12.key"
chmod 600 "$tmp/k12.key"
gw_conf() {	# name identity port peer-name peer-identity peer-port
	cat <<-EOF
	[daemon]
	identity = $2
	backend = soft
	socket = $tmp/$1.sock
	listen = 127.0.0.1:$3

	[limits]
	request_timeout = 3000

	[peer $4]
	identity = $5
	kid = 13-gw1-gw2.example
	address = http://127.0.0.1:$6/
	key = 13
	key_file = $tmp/k12.key
	EOF
}
id1=//sp1.example/CSE-gw1
id2=//sp2.example/CSE-gw2
gw_conf gw1 $id1 "$port1" gw2 $id2 "$port2" >"$tmp/gw1.conf"
gw_conf gw2 $id2 "$port2" gw1 $id1 "$port1" >"$tmp/gw2.conf"
for gw in gw1 gw2; do
	"$esprimd" -f -c "$tmp/$gw.conf" >"$tmp/$gw.log" 2>&1 &
	pids+=($!)
done
for _ in $(seq 100); do
	[ -S "$tmp/gw1.sock" ] && [ -S "$tmp/gw2.sock" ] && break
	sleep 0.1
done
[ -S "$tmp/gw1.sock" ] && [ -S "$tmp/gw2.sock" ]
ok $? "two esprimd start (soft backend)" || cat "$tmp"/gw*.log
export ESPRIMD_SOCKET=$tmp/gw1.sock

"$ctl" status >out 2>err
[ $? = 0 ] && grep -q '^esprimd [0-9.]*: running$' out &&
	grep -qx "  identity: *$id1" out && grep -qx '  backend: *soft (.*)' out &&
	grep -qx '  peers: *1' out && grep -qx "  listen: *127.0.0.1:$port1" out &&
	grep -q '^  uptime: *[0-9]' out && [ ! -s err ]
ok $? "status: running, identity, backend and why, peers, listen, uptime"
"$ctl" -j status >out
[ $? = 0 ] && [ "$(jget out '" ".join(str(x) for x in [j["ok"], j["daemon"]["identity"], j["daemon"]["backend"], j["daemon"]["peers"], j["daemon"]["listen"], j["kernel"]["ok"], "id" in j["daemon"]])')" = "True $id1 soft 1 ['127.0.0.1:$port1'] True False" ]
ok $? "status -j: the daemon's members (no id), the kernel part"

"$ctl" peers >out
[ $? = 0 ] && grep -qx "peer gw2: $id2" out &&
	grep -qx '  kid: *13-gw1-gw2.example' out &&
	grep -qx "  address: *http://127.0.0.1:$port2/" out &&
	grep -qx '  key source: *13 (pre-provisioned)' out &&
	grep -qx '  key: *loaded' out
ok $? "peers: one block per peer, key loaded"
"$ctl" peers -j >out
[ $? = 0 ] && [ "$(jget out '" ".join(str(x) for x in [j["ok"], len(j["peers"]), j["peers"][0]["name"], j["peers"][0]["key"]])')" = "True 1 gw2 loaded" ]
ok $? "peers -j"

"$ctl" establish gw2 --wait 20 >out 2>err
[ $? = 0 ] && grep -qx 'gw2: session established' out
ok $? "establish gw2 --wait: the session is established" ||
	cat err "$tmp"/gw*.log
"$ctl" sessions >out
[ $? = 0 ] && grep -qx 'esprimd: 1 session' out &&
	grep -qx "session gw2: $id2" out && grep -qx '  role: *originator' out &&
	grep -q '^  expires: .*(in ' out &&
	grep -q '^kernel module onem2m_esprim: ' out
ok $? "sessions: esprimd's session with gw2, then the kernel part"
"$ctl" -j sessions --peer "$id2" >out
[ $? = 0 ] && [ "$(jget out '" ".join(str(x) for x in [j["ok"], len(j["daemon"]["sessions"]), j["daemon"]["sessions"][0]["kid"], j["kernel"]["ok"]])')" = "True 1 13-gw1-gw2.example True" ]
ok $? "sessions -j --peer IDENTITY"
"$ctl" -j sessions --peer nobody >out
[ $? = 0 ] && [ "$(jget out 'len(j["daemon"]["sessions"])')" = 0 ]
ok $? "sessions --peer of no peer: none"
"$ctl" stats >out
[ $? = 0 ] && grep -qx '^esprimd' out && grep -qx '  sessions established: *1' out &&
	grep -q '^kernel module onem2m_esprim: ' out
ok $? "stats: the daemon's counters by name, then the kernel part"
"$ctl" -j stats >out
[ $? = 0 ] && [ "$(jget out 'str(j["ok"]) + " " + str(j["daemon"]["stats"]["rand_requests_out"] >= 1)')" = "True True" ]
ok $? "stats -j"

"$ctl" flush gw2 >out
[ $? = 0 ] && grep -qx '1 session flushed with gw2' out
ok $? "flush gw2: one session dropped"
"$ctl" -j sessions >out && [ "$(jget out 'len(j["daemon"]["sessions"])')" = 0 ]
ok $? "no session after the flush"
"$ctl" -j flush >out
[ $? = 0 ] && [ "$(jget out 'str(j["ok"]) + " " + str(j["flushed"])')" = "True 0" ]
ok $? "flush -j: nothing left to flush"
"$ctl" -j rekey --wait 20 >out
[ $? = 0 ] && [ "$(jget out '" ".join(str(x) for x in [j["ok"], j["peers"][0]["peer"], j["peers"][0]["established"]])')" = "True gw2 True" ]
ok $? "rekey --wait -j: a new session with every peer"
"$ctl" establish gw2 >out
[ $? = 0 ] && grep -qx 'a session with gw2 requested' out
ok $? "establish without --wait: requested"
"$ctl" -j establish nope >out
[ $? = 1 ] && [ "$(jget out 'j["error"]')" = ENOENT ]
ok $? "establish of a peer esprimd does not have: status 1"

"$ctl" reload >out
[ $? = 0 ] && grep -qx 'configuration reloaded' out
ok $? "reload"
cp "$tmp/gw1.conf" "$tmp/gw1.conf.good"
echo 'no_such_key = 1' >>"$tmp/gw1.conf"
"$ctl" reload >out 2>err
[ $? = 1 ] && [ ! -s out ] && grep -q "^esprimctl: EINVAL: .*gw1.conf:[0-9]*: " err
ok $? "reload of a broken configuration: status 1, the daemon's message"
"$ctl" -j reload >out
[ $? = 1 ] && [ "$(jget out 'j["error"] + " " + str(j["ok"])')" = "EINVAL False" ]
ok $? "reload -j of a broken configuration"
cp "$tmp/gw1.conf.good" "$tmp/gw1.conf"
"$ctl" status >/dev/null
ok $? "esprimd still answers after the refused reload"

# ---- a user who is no operator ----
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
nobody "$ctl" peers >out 2>err
[ $? = 4 ] && [ ! -s out ] && grep -q '^esprimctl: EACCES: ' err
ok $? "peers as nobody: status 4, EACCES"
nobody "$ctl" status >out 2>err
[ $? = 4 ] && grep -q '^esprimd: .*(EACCES)$' out
ok $? "status as nobody: status 4"
nobody "$ctl" -j flush >out
[ $? = 4 ] && [ "$(jget out 'j["error"]')" = EACCES ]
ok $? "flush -j as nobody: status 4, EACCES as JSON"
nobody "$ctl" reload >/dev/null 2>&1
ok $(($? != 4)) "reload as nobody: status 4"
echo "1..$n"
