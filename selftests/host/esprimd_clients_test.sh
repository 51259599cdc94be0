#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The example clients of esprimd's socket API (user/examples/python and
# user/examples/node) against api_echo_server, the test stand-in for
# esprimd (selftests/host/api_echo_server.c: the daemon's socket code,
# operations that echo, built with ASan and UBSan): the demo of each
# (hello, then a seal for a target), a refusal with its RSC, no daemon,
# $ESPRIMD_SOCKET, and the class's seal/open/notify/respond round trip;
# then the stand-in must exit cleanly.  Prints TAP.
# Usage: esprimd_clients_test.sh BUILD_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
server=$(cd "$1" && pwd)/selftests/host/api_echo_server
py=$top/user/examples/python/esprim_client.py
js=$top/user/examples/node/esprim_client.js
tmp=$(mktemp -d)
sock=$tmp/esprimd.sock
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
n=0
ok() {	# status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
skip() {	# name reason
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
# Evaluates a Python expression on the JSON after "PREFIX: " in a file's
# line that starts so; prints its value.
jline() {	# file prefix expr
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.startswith(sys.argv[2] + ": "):
        j = json.loads(line[len(sys.argv[2]) + 2:])
        print(eval(sys.argv[3]))
        break
else:
    sys.exit(1)' "$1" "$2" "$3"
}
# The primitive a stand-in content carries (base64url of its JSON).
epo_json() {	# file prefix
	jline "$1" "$2" 'json.loads(__import__("base64").urlsafe_b64decode(j["content"]["m2m:seci"]["epo"] + "=" * (-len(j["content"]["m2m:seci"]["epo"]) % 4)))["to"]'
}

"$server" "$sock" 2>server.err &
pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	sleep 0.05
done
[ -S "$sock" ]
ok $? "the stand-in listens on $sock"

target=//sp2.example/CSE-gw2

# The demo of each client, its output checked.
demo() {	# name command...
	local name=$1
	shift
	"$@" --socket "$sock" "$target" >out 2>err
	[ $? = 0 ] && [ ! -s err ] && [ "$(wc -l <out)" = 2 ]
	ok $? "$name demo: status 0, two lines, nothing on stderr"
	[ "$(jline out hello 'j["id"], j["ok"], j["version"], j["identity"]')" = \
		"(1, True, 1, '//stand-in.example/CSE-echo')" ]
	ok $? "$name demo: hello's reply (id 1, ok, version, identity)"
	[ "$(jline out seal 'j["id"], j["ok"], j["content"]["m2m:seci"]["sit"], j["session"]')" = \
		"(2, True, 5, 'echo')" ] &&
		[ "$(epo_json out seal)" = "$target/base" ]
	ok $? "$name demo: seal's reply (id 2, a sit 5 content of the request for the target)"

	"$@" --socket "$sock" //unknown.example/CSE-x >out 2>err
	[ $? = 1 ] && grep -q 'ESPRIM_UNKNOWN_KEY_ID (rsc 4112): no pairwise key for //unknown.example/CSE-x' err
	ok $? "$name demo: a refused seal: status 1, the RSC and message on stderr"

	"$@" --socket "$tmp/none.sock" "$target" >out 2>err
	[ $? = 2 ] && [ -s err ] && [ ! -s out ]
	ok $? "$name demo: no daemon: status 2, a message"

	ESPRIMD_SOCKET=$sock "$@" "$target" >out 2>err
	[ $? = 0 ] && [ "$(jline out seal 'j["ok"]')" = True ]
	ok $? "$name demo: the socket from \$ESPRIMD_SOCKET"
}

demo python python3 "$py"

# The class: seal, open, notify (request and rand request), respond, and
# the errors (EsprimError with its rsc).
PYTHONDONTWRITEBYTECODE=1 python3 - "$top/user/examples/python" "$sock" >out 2>err <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from esprim_client import EsprimClient, EsprimError
prim = {"op": 2, "to": "//sp2.example/CSE-gw2/base", "rqi": "r1", "rvi": "4"}
with EsprimClient(sys.argv[2], timeout=10) as c:
    sealed = c.seal("//sp2.example/CSE-gw2", prim)
    assert c.open(sealed["content"])["primitive"] == prim
    req = c.notify(sealed["content"], origin="//sp2.example/CSE-gw2")
    assert req["kind"] == "request" and req["primitive"] == prim
    resp = c.respond(req["handle"], {"rsc": 2000, "rqi": "r1"})
    assert c.open(resp["content"])["primitive"] == {"rsc": 2000, "rqi": "r1"}
    assert c.notify({"m2m:seci": {"sit": 3}})["kind"] == "reply"
    assert c.call("echo", x=[1, "é"])["echo"] == {"x": [1, "é"], "op": "echo", "id": 7}
    try:
        c.respond("h-0", {"rsc": 2000})
        raise AssertionError("respond to an unknown handle succeeded")
    except EsprimError as e:
        assert e.rsc == 4000 and e.error == "BAD_REQUEST", e
    r = c.call("no-such-op")
    assert not r["ok"] and r["rsc"] == 4000 and r["message"] == "unknown op", r
    assert r["id"] == 9, r
    c.close()
    assert c.connect().call("echo")["id"] == 10
    print("done")
EOF
[ $? = 0 ] && [ "$(cat out)" = done ]
ok $? "python class: seal, open, notify, respond; EsprimError's rsc; call's raw replies; reconnect"
[ -s err ] && sed 's/^/# /' err

if command -v node >/dev/null; then
	demo node node "$js"
	node - "$js" "$sock" >out 2>err <<'EOF'
const assert = require('assert');
const { EsprimClient, EsprimError } = require(process.argv[2]);
(async () => {
  const prim = { op: 2, to: '//sp2.example/CSE-gw2/base', rqi: 'r1', rvi: '4' };
  const c = await new EsprimClient(process.argv[3], { timeout: 10000 }).connect();
  // Several calls in flight at once, matched by id.
  const [sealed, hello] = await Promise.all([
    c.seal('//sp2.example/CSE-gw2', prim), c.hello()]);
  assert.strictEqual(hello.version, 1);
  assert.deepStrictEqual((await c.open(sealed.content)).primitive, prim);
  const req = await c.notify(sealed.content, '//sp2.example/CSE-gw2');
  assert.strictEqual(req.kind, 'request');
  assert.deepStrictEqual(req.primitive, prim);
  const resp = await c.respond(req.handle, { rsc: 2000, rqi: 'r1' });
  assert.deepStrictEqual((await c.open(resp.content)).primitive,
    { rsc: 2000, rqi: 'r1' });
  assert.strictEqual((await c.notify({ 'm2m:seci': { sit: 3 } })).kind, 'reply');
  await assert.rejects(c.respond('h-0', { rsc: 2000 }),
    (e) => e instanceof EsprimError && e.rsc === 4000 && e.error === 'BAD_REQUEST');
  const r = await c.call('no-such-op');
  assert.ok(!r.ok && r.rsc === 4000 && r.message === 'unknown op');
  c.close();
  console.log('done');
})().catch((e) => { console.error(e); process.exitCode = 1; });
EOF
	[ $? = 0 ] && [ "$(cat out)" = done ]
	ok $? "node class: calls in flight together, seal, open, notify, respond; EsprimError's rsc; call's raw replies"
	[ -s err ] && sed 's/^/# /' err
else
	skip "node demo and class" "node is not installed"
fi

kill "$pid"
wait "$pid"
rc=$?
pid=
[ $rc = 0 ] && [ ! -s server.err ] && [ ! -e "$sock" ]
ok $? "the stand-in exits cleanly (no sanitizer report), its socket removed"
[ -s server.err ] && sed 's/^/# /' server.err
echo "1..$n"
