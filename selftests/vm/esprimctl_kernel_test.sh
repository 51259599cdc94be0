#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# esprimctl on the kernel backend with a pairwise key an operator
# provisioned with keyctl: found by kid and by serial, no key octets on
# the command line or in the process; its objects open with the soft
# backend and the key's octets, and the other way round.  Then the
# operator commands' kernel part (no esprimd runs here: they exit with 6
# and still show the module): stats, sessions and keys over the netlink
# family and /proc/keys.  TAP output.
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
echo "1..15"
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

# ---- the operator commands' kernel part ----
# A session key of the pairwise key (A256GCM, originator, replay AUTO).
sess=$(python3 -c 'import struct,sys
rro = b"{\"esri\":\"r7\"}"; oro = b"{\"esri\":\"o7\"}"
sys.stdout.buffer.write(struct.pack("<BBHiBBBBHHHHIIIQQ", 1, 2, 0, 0, 3, 0,
	0, 0, 0, len(rro), len(oro), 0, 0, 0, 0, 0, 0) + rro + oro)' |
	keyctl padd esprim "session:$kid:o7:r7" @s)
# A path no user finds a socket at (ENOENT, not EACCES, for nobody too).
nosock="--socket /nonexistent/esprimd.sock"
"$ctl" -j stats $nosock >stats.json
rc=$?
python3 -c 'import json,sys; j = json.load(open(sys.argv[1]))
k = j["kernel"]; s = k["stats"]
names = ["sessions", "seals", "opens", "bad_mac", "replays", "reflections",
	"limit_hits", "upcalls", "upcall_failures"]
sys.exit(not (j["ok"] is False and j["daemon"]["error"] == "ENOENT" and
	k["ok"] and k["loaded"] and all(type(s[n]) is int for n in names) and
	s["sessions"] >= 1))' \
	stats.json && [ "$rc" = 6 ]
tap $? "stats -j without esprimd: status 6, the module's counters over netlink"

"$ctl" -j sessions $nosock --peer "$kid" >sessions.json
rc=$?
python3 -c 'import json,sys; j = json.load(open(sys.argv[1]))
k = j["kernel"]; mine = [s for s in k["sessions"]
	if s["key_serial"] == int(sys.argv[2])]
others = [s for s in k["sessions"] if s["kid"] != sys.argv[3]]
s = mine[0] if mine else {}
sys.exit(not (k["loaded"] and len(mine) == 1 and not others and
	s["kid"] == sys.argv[3] and s["peer"] == sys.argv[4] and
	s["ori"] == "o7" and s["rri"] == "r7" and s["enc"] == "A256GCM" and
	s["role"] == "originator" and s["replay"] in ("auto", "strict") and
	s["pairwise_serial"] == int(sys.argv[5]) and s["uid"] == 0 and
	s["seals"] == 0 and s["soft_expired"] is False))' \
	sessions.json "$sess" "$kid" "$peer" "$serial" && [ "$rc" = 6 ]
tap $? "sessions -j --peer KID: the session key from the dump, status 6"

"$ctl" sessions $nosock >out 2>err
rc=$?
hex=$(printf %08x "$sess")
[ "$rc" = 6 ] && grep -q '^esprimd is not running (no socket at ' out &&
	grep -q '^kernel module onem2m_esprim: [0-9]* session keys\{0,1\} visible$' out &&
	grep -q "^session key $sess ($hex): $kid\$" out &&
	grep -q "^  peer: *$peer\$" out && grep -q '^  ori: *o7$' out
tap $? "sessions: the kernel's session key as text"

# In a session keyring of its own: this one's would make it a possessor.
setpriv --reuid=65534 --regid=65534 --clear-groups keyctl session - \
	"$ctl" -j sessions $nosock >nobody.json 2>/dev/null
rc=$?
python3 -c 'import json,sys
j = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][0])
sys.exit(int(sys.argv[2]) in [s["key_serial"] for s in j["kernel"]["sessions"]])' \
	nobody.json "$sess" && [ "$rc" = 6 ]
tap $? "another user does not see root's session key"

"$ctl" -j keys >keys.json &&
	python3 -c 'import json,sys; j = json.load(open(sys.argv[1]))
k = [k for k in j["keys"] if k["serial"] == int(sys.argv[2])]
sys.exit(not (len(k) == 1 and k[0]["kind"] == "pairwise" and
	k[0]["kid"] == sys.argv[3] and k[0]["details"]["peer"] == sys.argv[4] and
	k[0]["details"]["len"] == "32" and k[0]["state"] == "instantiated" and
	not [x for x in j["keys"] if x["kind"] == "session"]))' \
	keys.json "$serial" "$kid" "$peer"
tap $? "keys -j: the pairwise key from /proc/keys, no session keys"

"$ctl" keys --all >out && grep -q "^session key $sess ($hex): $kid\$" out &&
	grep -q "^pairwise key $serial ($(printf %08x "$serial")): $kid\$" out
tap $? "keys --all: the pairwise and the session key as text"

"$ctl" status $nosock >out
rc=$?
[ "$rc" = 6 ] && grep -q '^kernel module onem2m_esprim: loaded$' out &&
	grep -q '^  sessions: *[1-9]' out
tap $? "status without esprimd: status 6, the module loaded, its sessions"
exit $failed
