#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The netlink family driven by the kernel's own YNL command line
# (tools/net/ynl/cli.py of linux-source-6.12, which make extracts into
# build/ksrc) from Documentation/netlink/specs/onem2m_esprim.yaml, checked
# against that kernel's genetlink-legacy schema: do, dump and subscribe,
# as an operator would use them.  TAP output.
# Usage: ynl_cli_test.sh TOP_DIR
set -u
top=$(cd "${1:?top dir of the project}" && pwd)
cli=$top/build/ksrc/tools/net/ynl/cli.py
spec=$top/Documentation/netlink/specs/onem2m_esprim.yaml
schema=$top/build/ksrc/Documentation/netlink/genetlink-legacy.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
failed=0
# What a failed step printed, as TAP comments.
show() {
	for f; do
		[ -e "$f" ] && head -c 2000 "$f" | sed 's/^/# /'
	done
	echo
}

tap() {	# status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

# The spec is checked against the genetlink-legacy schema once (the first
# call); jsonschema under TCG costs seconds a call, so the others skip it.
schema_opt=--schema
schema_arg=$schema
ynl() {
	/usr/bin/python3 "$cli" --spec "$spec" $schema_opt \
		${schema_arg:+"$schema_arg"} --output-json "$@"
	schema_opt=--no-schema
	schema_arg=
}

# A JSON check: python3 -c CODE FILE [ARG...], the file's JSON as j.
check() {
	code=$1
	shift
	/usr/bin/python3 -c "import json, sys
j = json.load(open(sys.argv[1]))
$code" "$@"
}

# struct onem2m_esprim_pairwise_payload: 32 bytes bound to /gw1/CAE-ynl
pairwise() {	# kid
	/usr/bin/python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(
	"<BBHBBHI64s256s", 1, 1, 0, 32, 12, 0, 0, bytes(range(32)),
	b"/gw1/CAE-ynl"))' | keyctl padd esprim "pairwise:$1" @s
}

# struct onem2m_esprim_session_payload, A256GCM originator, the pairwise
# key found by kid; the tag makes a key (and session state) of its own.
session() {	# kid ori tag
	/usr/bin/python3 -c 'import struct,sys
rro = b"{\"esri\":\"r1\",\"t\":\"" + sys.argv[1].encode() + b"\"}"
oro = b"{\"esri\":\"o1\"}"
sys.stdout.buffer.write(struct.pack("<BBHiBBBBHHHHIIIQQ", 1, 2, 0, 0, 3, 0,
	0, 0, 0, len(rro), len(oro), 0, 0, 0, 0, 0, 0) + rro + oro)' "$3" |
	keyctl padd esprim "session:$1:$2:r1" @s
}

echo "TAP version 13"
echo "1..6"
if [ ! -e "$cli" ] || [ ! -e "$schema" ]; then
	echo "# $cli or $schema missing (make selftests extracts them)"
fi
keyctl new_session >/dev/null
kid=ynl-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')

ynl --do config-get >config.json 2>err && check '
w = j["replay-window"]
assert w >= 64 and w & (w - 1) == 0, j
assert j["replay"] in ("auto", "off", "strict"), j
assert j["upcall-timeout"] >= 100 and j["session-cap"] >= 1, j
assert j["hard-invocations"] <= 1 << 32, j' config.json
r=$?; tap $r "--do config-get"; [ $r = 0 ] || show config.json err

ynl --do stats-get >stats.json 2>err &&
	check '
for k in ("seals", "opens", "bad-mac", "replays", "reflections",
	  "limit-hits", "upcalls", "upcall-failures", "sessions"):
	assert isinstance(j[k], int), k' stats.json
r=$?; tap $r "--do stats-get"; [ $r = 0 ] || show stats.json err

pw=$(pairwise "$kid")
s1=$(session "$kid" o1 t1)
s2=$(session "$kid" o2 t2)
s3=$(session "$kid" o3 t3)
[ -n "$pw" ] && [ -n "$s1" ] && [ -n "$s2" ] && [ -n "$s3" ]
tap $? "a pairwise key and three session keys with keyctl padd"

ynl --dump session-get --json "{\"pairwise-serial\": $pw}" >dump.json \
	2>err && check '
assert len(j) == 3, j
assert sorted(s["key-serial"] for s in j) == sorted(
	int(x) for x in sys.argv[2:5]), j
assert [s["key-serial"] for s in j] == sorted(s["key-serial"] for s in j), j
for s in j:
	assert s["kid"] == sys.argv[5] and s["pairwise-serial"] == int(sys.argv[6]), s
	assert s["enc"] == "a256gcm" and s["role"] == "originator", s' \
	dump.json "$s1" "$s2" "$s3" "$kid" "$pw"
r=$?; tap $r "--dump session-get of the pairwise key: the 3 sessions"
[ $r = 0 ] || show dump.json err

ynl --do session-get --json "{\"key-serial\": $s2}" >get.json 2>err &&
	check '
assert j["key-serial"] == int(sys.argv[2]), j
assert j["ori"] == "o2" and j["rri"] == "r1", j
assert j["replay"] == "auto" and j["replay-window"] == 1024, j
assert j["seals"] == 0 and j["uid"] == 0, j' get.json "$s2"
r=$?; tap $r "--do session-get of one"; [ $r = 0 ] || show get.json err

# Subscribed, cli.py sleeps, then prints what came; sessions are created
# until it is done (its start-up under emulation is slow).
ynl --subscribe events --sleep 10 >events.json 2>err &
pid=$!
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 60 ]; do
	session "$kid" "sub$i" "sub$i" >>subs.txt
	i=$((i + 1))
	sleep 0.5
done
wait "$pid"
rc=$?
[ $rc = 0 ] && check '
ev = [e["msg"] for e in j if e["name"] == "event"]
mine = [e for e in ev if e.get("type") == "session-created" and
	e.get("kid") == sys.argv[2]]
assert mine, j
for e in mine:
	assert e["key-serial"] in [int(x) for x in open("subs.txt").read().split()], e
	assert e["pairwise-serial"] == int(sys.argv[3]) and e["role"] == "originator", e' \
	events.json "$kid" "$pw"
r=$?; tap $r "--subscribe events while session keys are created"
[ $r = 0 ] || show events.json err subs.txt
exit $failed
