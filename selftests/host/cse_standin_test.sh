#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CSE stand-in (selftests/fixtures/cse_standin.c, the test fixture in
# place of a third-party oneM2M CSE for the sidecar's tests), built with
# ASan and UBSan, driven with curl over HTTP: the CSEBase in its path
# forms, an AE (assigned and kept AE-IDs), a container, three
# contentInstances, la / ol, Update, recursive Delete, the refusals (bad
# ty, missing X-M2M-Origin / X-M2M-RI, duplicate rn, wrong parent, bad
# JSON, a body over 1 MiB, a read-only attribute), Notify kept, a
# remoteCSE and its esi updated, the request log line by line, the
# resource bound, garbage; then each stand-in must exit cleanly on
# SIGTERM with no sanitizer report.  Prints TAP.
# Usage: cse_standin_test.sh BUILD_DIR
set -uo pipefail
bin=$(cd "$1" && pwd)/selftests/fixtures/cse_standin_asan
tmp=$(mktemp -d)
pid=
pid2=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	[ -z "$pid2" ] || kill "$pid2" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# A stand-in in the background: its pid in $started, its port in $port.
start() {	# name args...
	local name=$1 _
	shift
	"$bin" "$@" >"$name.out" 2>"$name.err" &
	started=$!
	for _ in $(seq 200); do
		port=$(sed -n 's/^listening on \([0-9][0-9]*\)$/\1/p' "$name.out")
		[ -n "$port" ] && return 0
		kill -0 "$started" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# SIGTERM; status 0 and nothing on stderr but the counters.
stop() {	# pid name
	local rc
	kill "$1"
	wait "$1"
	rc=$?
	[ $rc = 0 ] && ! grep -qv '^cse_standin: [0-9]* requests' "$2.err"
	ok $? "$2: SIGTERM: exit 0, no sanitizer report"
	[ $rc = 0 ] || echo "# exit status $rc"
	grep -v '^cse_standin: [0-9]* requests' "$2.err" | head -20 |
		sed 's/^/# /'
}

start cse --listen 127.0.0.1:0 --csi /cse-b --rn cseb --log "$tmp/log"
ok $? "the stand-in prints its ephemeral port"
pid=$started
base=http://127.0.0.1:$port

# One request: $code the HTTP status, headers in h, body in b.  Adds
# X-M2M-RI rqN (N counts the requests the log must show) and the
# headers in $from (X-M2M-Origin) unless told otherwise.
sent=0
from=(-H "X-M2M-Origin: Cadmin" -H "X-M2M-RVI: 3")
req() {	# method path [curl args...]
	local m=$1 p=$2
	shift 2
	sent=$((sent + 1))
	code=$(curl -s -o b -D h -w '%{http_code}' -X "$m" "$base$p" \
		-H "X-M2M-RI: rq$sent" "${from[@]}" "$@")
}
create() {	# path ty json [curl args...]
	local p=$1 ty=$2 body=$3
	shift 3
	req POST "$p" -H "Content-Type: application/json;ty=$ty" -d "$body" "$@"
}
notify() {	# path json
	req POST "$1" -H "Content-Type: application/json" -d "$2"
}
update() {	# path json
	req PUT "$1" -H "Content-Type: application/json" -d "$2"
}
hdr() {	# name: its value in h
	tr -d '\r' <h | sed -n "s/^$1: //Ip" | head -n 1
}
rsc() {
	hdr X-M2M-RSC
}
# A Python expression over the body's JSON (j).
jb() {	# expr
	python3 -c 'import json, sys; j = json.load(open("b")); print(eval(sys.argv[1]))' "$1" 2>/dev/null
}
# status and RSC as expected, X-M2M-RI echoed
is() {	# status rsc
	[ "$code" = "$1" ] && [ "$(rsc)" = "$2" ] &&
		[ "$(hdr X-M2M-RI)" = "rq$sent" ]
}

# ---- the CSEBase ----
req GET /cseb
is 200 2000 && [ "$(hdr X-M2M-RVI)" = 3 ] &&
	[ "$(jb 'j["m2m:cb"]["csi"], j["m2m:cb"]["rn"], j["m2m:cb"]["ty"]')" = "('/cse-b', 'cseb', 5)" ]
ok $? "GET /cseb: 2000, the CSEBase (csi, rn, ty 5), X-M2M-RI and X-M2M-RVI echoed"
req GET /~/cse-b && a=$(jb 'j["m2m:cb"]["ri"]') &&
	req GET /~/cse-b/cseb && [ "$(jb 'j["m2m:cb"]["ri"]')" = "$a" ] &&
	req GET /cse-b && is 200 2000 && [ "$(jb 'j["m2m:cb"]["ri"]')" = "$a" ]
ok $? "the CSEBase as /~/cse-b, /~/cse-b/cseb and by its ri /$a"
from=(-H "X-M2M-Origin: Cadmin")
req GET /cseb
is 200 2000 && [ -z "$(hdr X-M2M-RVI)" ] && ts=$(jb 'j["m2m:cb"]["ct"]') &&
	[[ $ts =~ ^[0-9]{8}T[0-9]{6}$ ]]
ok $? "no X-M2M-RVI asked, none answered; ct of the form 20261201T120000"
from=(-H "X-M2M-Origin: Cadmin" -H "X-M2M-RVI: 3")

# ---- AE ----
from=(-H "X-M2M-Origin: C")
create /cseb 2 '{"m2m:ae":{"rn":"app1","api":"Napp1","rr":true,"poa":["http://127.0.0.1:1"]}}'
aei=$(jb 'j["m2m:ae"]["aei"]')
is 201 2001 && [ "$(hdr Content-Location)" = /cseb/app1 ] &&
	[[ $aei =~ ^C.+ ]] && [ "$(jb 'j["m2m:ae"]["ri"]')" = "$aei" ] &&
	[ "$(jb 'j["m2m:ae"]["pi"], j["m2m:ae"]["api"], j["m2m:ae"]["ty"], j["m2m:ae"]["poa"]')" = \
		"('cse-b', 'Napp1', 2, ['http://127.0.0.1:1'])" ]
ok $? "AE from C: 2001, Content-Location /cseb/app1, an assigned AE-ID $aei"
from=(-H "X-M2M-Origin: Cmyapp")
create /cseb 2 '{"m2m:ae":{"api":"Napp2","rr":false}}'
is 201 2001 && [ "$(jb 'j["m2m:ae"]["aei"], j["m2m:ae"]["rn"]')" = "('Cmyapp', 'Cmyapp')" ]
ok $? "AE from Cmyapp: its AE-ID kept, its rn by default"
create /cseb 2 '{"m2m:ae":{"rn":"again","api":"Napp2","rr":false}}'
is 403 4117
ok $? "a second AE from Cmyapp: 4117 ORIGINATOR_HAS_ALREADY_REGISTERED"
from=(-H "X-M2M-Origin: Cadmin" -H "X-M2M-RVI: 3")

# ---- container and contentInstances ----
create /cseb/app1 3 '{"m2m:cnt":{"rn":"cnt1","lbl":["a"]}}'
is 201 2001 && [ "$(hdr Content-Location)" = /cseb/app1/cnt1 ] &&
	[ "$(jb 'j["m2m:cnt"]["cni"], j["m2m:cnt"]["cbs"], j["m2m:cnt"]["ty"]')" = "(0, 0, 3)" ]
ok $? "container under the AE: 2001, cni 0, cbs 0"
cnt_ri=$(jb 'j["m2m:cnt"]["ri"]')
good=0
for i in 1 2 3; do
	create /cseb/app1/cnt1 4 "{\"m2m:cin\":{\"con\":\"v$i\",\"cnf\":\"text/plain:0\"}}"
	is 201 2001 && [ "$(jb 'j["m2m:cin"]["con"], j["m2m:cin"]["cs"], j["m2m:cin"]["pi"]')" = \
		"('v$i', 2, '$cnt_ri')" ] || good=1
	[ $i = 2 ] && cin2=$(jb 'j["m2m:cin"]["ri"]')
done
ok $good "three contentInstances: 2001 each, con, cs, pi"
req GET /cseb/app1/cnt1/la
is 200 2000 && [ "$(jb 'j["m2m:cin"]["con"]')" = v3 ]
ok $? "la: the latest (v3)"
req GET /~/cse-b/cseb/app1/cnt1/ol
is 200 2000 && [ "$(jb 'j["m2m:cin"]["con"]')" = v1 ]
ok $? "ol, SP-relative: the oldest (v1)"
req GET "/$cnt_ri"
is 200 2000 && [ "$(jb 'j["m2m:cnt"]["cni"], j["m2m:cnt"]["cbs"], j["m2m:cnt"]["rn"]')" = "(3, 6, 'cnt1')" ]
ok $? "the container by its ri: cni 3, cbs 6"
req GET "/cseb/app1/cnt1?rcn=4"
is 200 2000 && [ "$(jb '[c["con"] for c in j["m2m:cnt"]["m2m:cin"]]')" = "['v1', 'v2', 'v3']" ]
ok $? "rcn=4: the container with its contentInstances in order"
req GET "/cseb/app1/cnt1?rcn=7"
is 400 4000
ok $? "rcn=7 on a Retrieve: 4000"

# ---- Update ----
update /cseb/app1/cnt1 '{"m2m:cnt":{"lbl":["b","c"],"mni":10}}'
is 200 2004 && [ "$(jb 'j["m2m:cnt"]["lbl"], j["m2m:cnt"]["mni"], j["m2m:cnt"]["cni"]')" = "(['b', 'c'], 10, 3)" ]
ok $? "Update of the container: 2004, lbl and mni merged, cni kept"
req GET /cseb/app1/cnt1
[ "$(jb 'j["m2m:cnt"]["lbl"], j["m2m:cnt"]["rn"]')" = "(['b', 'c'], 'cnt1')" ]
ok $? "Retrieve after it shows the update"
update /cseb/app1/cnt1 '{"m2m:cnt":{"cni":0}}'
is 400 4000
ok $? "Update of a read-only attribute (cni): 4000"
update /cseb/app1/cnt1/la '{"m2m:cin":{"con":"x"}}'
is 405 4005
ok $? "Update of a contentInstance: 4005"

# ---- refusals ----
create /cseb/app1 99 '{"m2m:xyz":{}}'
is 400 4000 && grep -q '"m2m:dbg"' b
ok $? "ty=99: 4000 with an m2m:dbg"
create /cseb/app1 x '{"m2m:cnt":{}}'
is 400 4000
ok $? "ty=x: 4000"
create /cseb 4 '{"m2m:cin":{"con":"x"}}'
is 403 4108
ok $? "a contentInstance under the CSEBase: 4108"
create /cseb/app1 3 '{"m2m:cnt":{"rn":"cnt1"}}'
is 409 4105
ok $? "duplicate rn: 4105 (409)"
create /cseb/app1 3 '{"m2m:cnt":{"rn":"x"'
is 400 4000
ok $? "malformed JSON: 4000"
create /cseb/app1 3 '{"m2m:cnt":{"rn":"x","rn":"y"}}'
is 400 4000
ok $? "duplicate JSON keys: 4000"
create /cseb/app1 3 '{"m2m:ae":{"rn":"x"}}'
is 400 4000
ok $? "a body whose key is not the ty's: 4000"
create /cseb/app1 3 '{"m2m:cnt":{"ri":"mine"}}'
is 400 4000
ok $? "a read-only attribute (ri) at Create: 4000"
create /cseb/nothere 3 '{"m2m:cnt":{}}'
is 404 4004
ok $? "a Create under no resource: 4004"
req POST /cseb/app1 -H "Content-Type: text/plain;ty=3" -d x
is 415 4015
ok $? "Content-Type text/plain: 4015"
sent=$((sent + 1))
code=$(curl -s -o b -D h -w '%{http_code}' "$base/cseb" -H "X-M2M-RI: rq$sent")
is 400 4000
ok $? "no X-M2M-Origin: 4000 (400), X-M2M-RI echoed"
sent=$((sent + 1))
code=$(curl -s -o b -D h -w '%{http_code}' "$base/cseb" -H "X-M2M-Origin: Cadmin")
[ "$code" = 400 ] && [ "$(rsc)" = 4000 ] && [ -z "$(hdr X-M2M-RI)" ]
ok $? "no X-M2M-RI: 4000 (400)"
req PATCH /cseb
is 405 4005
ok $? "PATCH: 4005"
head -c 1100000 /dev/zero | tr '\0' a >big
create /cseb/app1 3 @big
is 413 4000
ok $? "a body over 1 MiB (Content-Length): 4000 (413)"

# ---- Delete ----
req DELETE /cseb/app1/cnt1
is 200 2002
ok $? "Delete of the container: 2002"
req GET /cseb/app1/cnt1
is 404 4004 && req GET "/$cin2" && is 404 4004 &&
	req GET /cseb/app1/cnt1/la && is 404 4004
ok $? "after it: the container, its contentInstance by ri and its la 4004"
req DELETE /cseb
is 405 4005
ok $? "Delete of the CSEBase: 4005"

# ---- Notify ----
from=(-H "X-M2M-Origin: /cse-a/Cae7")
notify /cseb/app1 '{"m2m:sgn":{"nev":{"rep":{"m2m:cin":{"con":"n1"}},"net":3},"sur":"/cse-a/sub1"}}'
is 200 2000 && [ ! -s b ] &&
	code=$(curl -s -o b "$base/__standin/notify" -w '%{http_code}') &&
	[ "$code" = 200 ] &&
	[ "$(jb 'j["count"], j["last"]["path"], j["last"]["from"], j["last"]["body"]["m2m:sgn"]["nev"]["rep"]["m2m:cin"]["con"]')" = \
		"(1, '/cseb/app1', '/cse-a/Cae7', 'n1')" ]
ok $? "Notify to the AE: 2000, kept (GET /__standin/notify)"
notify /~/cse-b '{"m2m:sgn":{"vrq":true}}'
is 200 2000
ok $? "Notify to the CSEBase (SP-relative): 2000"
from=(-H "X-M2M-Origin: Cadmin" -H "X-M2M-RVI: 3")
create /cseb/app1 3 '{"m2m:cnt":{"rn":"c2"}}' && notify /cseb/app1/c2 '{"m2m:sgn":{}}'
is 405 4005
ok $? "Notify to a container: 4005"

# ---- remoteCSE ----
from=(-H "X-M2M-Origin: /cse-a" -H "X-M2M-RVI: 3")
create /cseb 16 '{"m2m:csr":{"csi":"/cse-a","cb":"/cse-a/csea","rr":true,"poa":["http://127.0.0.1:2"],"esi":{"esprim":{"v":1,"kid":"k1"}}}}'
is 201 2001 && [ "$(hdr Content-Location)" = /cseb/cse-a ] &&
	[ "$(jb 'j["m2m:csr"]["csi"], j["m2m:csr"]["ty"], j["m2m:csr"]["esi"]')" = \
		"('/cse-a', 16, {'esprim': {'v': 1, 'kid': 'k1'}})" ]
ok $? "remoteCSE from /cse-a with an esi: 2001, rn cse-a"
update /cseb/cse-a '{"m2m:csr":{"esi":{"esprim":{"v":2,"kid":"k2"}}}}'
is 200 2004 && [ "$(jb 'j["m2m:csr"]["esi"]["esprim"]["kid"]')" = k2 ]
ok $? "Update of its esi: 2004"
req GET /~/cse-b/cseb/cse-a
is 200 2000 && [ "$(jb 'j["m2m:csr"]["esi"], j["m2m:csr"]["poa"], j["m2m:csr"]["cb"]')" = \
	"({'esprim': {'v': 2, 'kid': 'k2'}}, ['http://127.0.0.1:2'], '/cse-a/csea')" ]
ok $? "Retrieve: the new esi, the rest kept"
update /cseb/cse-a '{"m2m:csr":{"esi":"not an object"}}'
is 400 4000
ok $? "an esi that is no object: 4000"
update /cseb/cse-a '{"m2m:csr":{"csi":"/cse-x"}}'
is 400 4000
ok $? "Update of csi: 4000"
from=(-H "X-M2M-Origin: Cadmin" -H "X-M2M-RVI: 3")

# ---- garbage ----
req GET '/cseb/%ff%fe'
is 404 4004
ok $? "a path of bytes that are no UTF-8: 4004"
python3 -c 'print("{\"m2m:cnt\":" + "[" * 100000 + "]" * 100000 + "}")' >deep
create /cseb/app1 3 @deep
is 400 4000
ok $? "JSON nested 100000 deep: 4000"
notify /cseb '[1,2]'
is 400 4000
ok $? "a JSON array as a body: 4000"
sent=$((sent + 1))
code=$(curl -s -o b -D h -w '%{http_code}' "$base/cseb" -H "X-M2M-RI: rq$sent" \
	-H "$(printf 'X-M2M-Origin: C\xff\x01')")
is 400 4000
ok $? "an X-M2M-Origin of non-ASCII bytes: 4000"
head -c 1100000 /dev/zero | tr '\0' a >big
create /cseb/app1 3 @big -H "Transfer-Encoding: chunked"
is 413 4000
ok $? "a chunked body over 1 MiB: 4000 (413)"
python3 - "$port" <<'EOF'
import socket, sys
for junk in (b"\x00\xff garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
             b"POST /cseb HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
             b"GET /" + b"a/" * 40000 + b" HTTP/1.1\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(junk)
    s.settimeout(0.5)
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
EOF
req GET /cseb
is 200 2000 && kill -0 "$pid"
ok $? "after garbage on the socket the stand-in answers"

# ---- the log ----
# Each request in it, in order, one JSON object a line, the RSC as
# answered; some lines whole.
python3 - "$tmp/log" "$sent" "$aei" <<'EOF' >logcheck 2>&1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
keys = {"op", "path", "from", "ri", "ty", "body", "rsc"}
assert all(set(l) == keys for l in lines), "keys"
ris = [l["ri"] for l in lines]
want = ["rq%d" % i for i in range(1, int(sys.argv[2]) + 1)]
assert len(lines) == len(want), (len(lines), len(want))
# the request without X-M2M-RI logs ri null
i = ris.index(None)
assert ris.count(None) == 1 and ris[:i] + ris[i + 1:] == want[:i] + want[i + 1:]
first = lines[0]
assert first == {"op": "retrieve", "path": "/cseb", "from": "Cadmin",
                 "ri": "rq1", "ty": None, "body": None, "rsc": 2000}, first
ae = [l for l in lines if l["op"] == "create" and l["ty"] == 2][0]
assert ae["from"] == "C" and ae["rsc"] == 2001, ae
assert ae["body"] == {"m2m:ae": {"rn": "app1", "api": "Napp1", "rr": True,
                                  "poa": ["http://127.0.0.1:1"]}}, ae
noorig = [l for l in lines if l["from"] is None]
assert len(noorig) == 1 and noorig[0]["rsc"] == 4000, noorig
n = [l for l in lines if l["op"] == "notify" and l["rsc"] == 2000]
assert n[0]["from"] == "/cse-a/Cae7" and n[0]["path"] == "/cseb/app1", n
assert n[0]["body"]["m2m:sgn"]["sur"] == "/cse-a/sub1"
csr = [l for l in lines if l["op"] == "update" and l["path"] == "/cseb/cse-a"]
assert csr[0]["from"] == "/cse-a" and csr[0]["rsc"] == 2004, csr
assert csr[0]["body"] == {"m2m:csr": {"esi": {"esprim": {"v": 2, "kid": "k2"}}}}
d = [l for l in lines if l["op"] == "delete"]
assert [x["rsc"] for x in d] == [2002, 4005], d
assert [l for l in lines if l["op"] is None][0]["rsc"] == 4005
bad = [l for l in lines if l["ty"] == 99][0]
assert bad["op"] == "create" and bad["rsc"] == 4000, bad
print("ok")
EOF
[ "$(cat logcheck)" = ok ]
ok $? "the log: one JSON line per request ($sent), in order, as the CSE saw them"
[ "$(cat logcheck)" = ok ] || sed 's/^/# /' logcheck
code=$(curl -s -o b "$base/__standin/stats" -w '%{http_code}')
[ "$code" = 200 ] && [ "$(jb 'j["requests"]')" = "$sent" ]
ok $? "GET /__standin/stats counts them ($sent)"

# ---- the resource bound, on a second stand-in ----
start small --listen 127.0.0.1:0 --csi /cse-c --rn csec --max-resources 2
ok $? "a second stand-in, --max-resources 2"
pid2=$started
base=http://127.0.0.1:$port
create /csec 3 '{"m2m:cnt":{"rn":"a"}}' && is 201 2001 &&
	create /csec 3 '{"m2m:cnt":{"rn":"b"}}' && is 201 2001 &&
	create /csec 3 '{"m2m:cnt":{"rn":"c"}}' && is 500 5000 &&
	req DELETE /csec/a && is 200 2002 &&
	create /csec 3 '{"m2m:cnt":{"rn":"c"}}' && is 201 2001
ok $? "the third resource: 5000; after a Delete it is created"
kill -USR1 "$pid2" && sleep 0.2 && grep -q '^cse_standin: 5 requests (4 create, 0 retrieve, 0 update, 1 delete, 0 notify; 1 refused), 2 resources$' small.err
ok $? "SIGUSR1 prints the counters"

stop "$pid2" small
pid2=
stop "$pid" cse
pid=
echo "1..$n"
