#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The keyctl(1) usage README.md documents, as an operator would type it:
# payloads built with python3's struct, added with `keyctl padd`; key
# material unreadable by `keyctl read`, `print` and `pipe`.  TAP output.
set -u
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
echo "1..7"
keyctl new_session >/dev/null

# struct onem2m_esprim_pairwise_payload: 32-byte key bound to /gw1/CAE1
pw=$(python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(
	"<BBHBBHI64s256s", 1, 1, 0, 32, 9, 0, 0, bytes(range(32)), b"/gw1/CAE1"))' |
	keyctl padd esprim pairwise:13-gw1.example.net @s)
tap $? "keyctl padd esprim pairwise:<kid>"

# struct onem2m_esprim_session_payload: derive A256GCM, originator
sess=$(python3 -c 'import struct,sys
rro = b"{\"esri\":\"r1\"}"; oro = b"{\"esri\":\"o1\"}"
sys.stdout.buffer.write(struct.pack("<BBHiBBBBHHHHIIIQQ", 1, 2, 0, 0, 3, 0,
	0, 0, 0, len(rro), len(oro), 0, 0, 0, 0, 0, 0) + rro + oro)' |
	keyctl padd esprim session:13-gw1.example.net:o1:r1 @s)
tap $? "keyctl padd esprim session:<kid>:<ori>:<rri> (derived by kid)"

for key in "$pw" "$sess"; do
	out=$( (keyctl read "$key"; keyctl print "$key"; keyctl pipe "$key") 2>/dev/null)
	[ -z "$out" ]
	tap $? "keyctl read/print/pipe give nothing for key $key"
done

keyctl rdescribe "$sess" | grep -q 'esprim;0;0;.*;session:13-gw1.example.net:o1:r1$'
tap $? "keyctl rdescribe"
grep -q "session:13-gw1.example.net:o1:r1: session enc=A256GCM role=originator" /proc/keys
tap $? "/proc/keys shows the session, no key material"
keyctl revoke "$pw" && ! python3 -c 'import struct,sys
rro = b"{}"; oro = b"{}"
sys.stdout.buffer.write(struct.pack("<BBHiBBBBHHHHIIIQQ", 1, 2, 0, 0, 3, 0,
	0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0) + rro + oro)' |
	keyctl padd esprim session:13-gw1.example.net:o2:r2 @s 2>/dev/null
tap $? "no session from a revoked pairwise key"
exit $failed
