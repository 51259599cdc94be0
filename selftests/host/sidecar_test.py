#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""esprimd as a sidecar: two gateways, each an unmodified CSE (the
cse_standin fixture, selftests/fixtures/) behind its esprimd.  An AE on
gateway A (this script) sends its requests for gateway B's CSE to A's
sidecar (its outbound address, the poa of B's <remoteCSE>); A seals them
into Notify requests to B's sidecar, which opens them and hands B's CSE
plain requests with the authenticated originator.  TAP on stdout.

    sidecar_test.py BUILD_DIR            on the host: soft backend
    sidecar_test.py --kernel BUILD_DIR   in the VM: the module, each
                                         gateway in a network namespace
"""
import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esprimd_test as et  # noqa: E402

N_CIN = int(os.environ.get("SIDECAR_TEST_CIN", "1000"))
CB = "/_/sp2.example/CSE-gw2/cseb"      # B's CSEBase, absolute


class CseStandIn:
    """The cse_standin fixture: an unmodified CSE."""

    def __init__(self, root, name, csi, rn, ns=None, host="127.0.0.1"):
        self.log = os.path.join(root, name + "-cse.log")
        netns = ["ip", "netns", "exec", ns] if ns else []
        self.proc = subprocess.Popen(
            netns + [os.path.join(et.BUILD, "selftests", "fixtures",
                                  "cse_standin"),
                     "--listen", host + ":0", "--csi", csi, "--rn", rn,
                     "--log", self.log],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.port = int(line.split()[-1])
        STARTED.append(self)

    def seen(self):
        with open(self.log) as f:
            return [json.loads(x) for x in f if x.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def in_netns(ns, fn):
    """fn() with this thread in network namespace ns (None: as it is):
    the sockets it makes live there."""
    if not ns:
        return fn()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(there, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + ns)
        return fn()
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(home)
        os.close(there)


def connect(ns, host, port):
    """A keep-alive connection from namespace ns."""
    c = http.client.HTTPConnection(host, port, timeout=10)
    c.netns = ns
    in_netns(ns, c.connect)
    return c


class Capture:
    """Every frame on a link (AF_PACKET), kept to look for plain text in:
    what crossed the wire between the gateways."""

    def __init__(self, ns, dev):
        self.frames = []
        self.sock = None
        try:
            self.sock = in_netns(ns, lambda: socket.socket(
                socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)))
            in_netns(ns, lambda: self.sock.bind((dev, 0)))
        except OSError as e:
            print("# no capture on %s: %s" % (dev, e), flush=True)
            self.sock = None
            return
        self.sock.settimeout(0.2)
        self.stop_flag = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_flag:
            try:
                self.frames.append(self.sock.recv(65536))
            except socket.timeout:
                pass

    def stop(self):
        if self.sock:
            self.stop_flag = True
            self.t.join()
            self.sock.close()
        return b"".join(self.frames)


def request(conn, method, path, origin, ri, body=None, ty=None,
            ctype="application/json"):
    headers = {"X-M2M-Origin": origin, "X-M2M-RI": ri, "X-M2M-RVI": "4"}
    if body is not None:
        headers["Content-Type"] = ctype + (";ty=%d" % ty if ty else "")
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
    except (BrokenPipeError, ConnectionResetError,
            http.client.RemoteDisconnected):
        # The server closed the idle connection (its idle timeout is the
        # daemons' request_timeout, 3 s, and node takes longer to start
        # under TCG): the request went into a closed connection, unread.
        # Once more on a new one.
        conn.close()
        in_netns(getattr(conn, "netns", None), conn.connect)
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
    data = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def random_iv_peer(root, conn, rro, cse):
    """A peer whose objects come from npm jose (random IVs, profile B.9):
    two requests sealed with it against B's shared receiver object, each
    opened by B's sidecar and answered sealed with the same session."""
    tool = os.path.join(et.BUILD, "npm", "npm_jose_tool.mjs")
    ctl = os.path.join(et.BUILD, "user", "esprimctl")
    if not os.path.exists(tool):
        print("ok - npm jose peer # SKIP no %s (selftests/interop/"
              "npm_install.sh)" % tool, flush=True)
        return
    # Node.js dies at start on the debug kernel (SIGTRAP): not ours.
    if subprocess.run(["node", "-e", "0"], capture_output=True).returncode:
        print("ok - npm jose peer # SKIP node does not run on this kernel",
              flush=True)
        return
    d = tempfile.mkdtemp(dir=root)
    paths = {n: os.path.join(d, n) for n in ("rro", "oro", "key")}
    with open(paths["rro"], "w") as f:
        json.dump(rro, f)
    with open(paths["key"], "w") as f:
        f.write(et.KEY12 + "\n")
    subprocess.run([ctl, "rand", "--originator", "--rro", paths["rro"],
                    "--id", "n-o-npm", "--lifetime", "600"],
                   stdout=open(paths["oro"], "w"), check=True)
    key = subprocess.run([ctl, "derive", "--pairwise-key-file",
                          paths["key"], "--rro", paths["rro"], "--oro",
                          paths["oro"], "--enc", "A256GCM"],
                         capture_output=True, text=True,
                         check=True).stdout.strip()
    header = json.dumps({"alg": "dir", "enc": "A256GCM",
                         "kid": "13-gw1-gw2.example",
                         "cty": "vnd.onem2m-preq+json", "ori": "n-o-npm",
                         "rri": rro["esri"],
                         "oro": json.load(open(paths["oro"]))})
    n0 = len(cse.seen())
    answers = []
    # The second one's From is SP-relative: it names the key's identity,
    # which is what B's CSE must see (absolute: another SP's).
    for i, fr in enumerate((et.ID1, "/CSE-gw1")):
        inner = json.dumps({"op": 2, "to": et.ID2 + "/cseb", "fr": fr,
                            "rqi": "npm%d" % i, "rvi": "4"})
        jwe = subprocess.run(["node", tool, "enc", key, header],
                             input=inner, capture_output=True, text=True,
                             check=True).stdout.strip()
        st, h, body = request(conn, "POST", "/cseb", et.ID1, "npm%d" % i,
                              {"m2m:seci": {"sit": 5, "epo": jwe}})
        epo = json.loads(body or b"{}").get("m2m:seci", {}).get("epo", "")
        rsp = subprocess.run(["node", tool, "dec", key], input=epo,
                             capture_output=True, text=True).stdout
        answers.append((st, h.get("x-m2m-rsc"), rsp[:80]))
    seen = cse.seen()[n0:]
    et.tap(all(a[0] == 200 and '"rsc":2000' in a[2] for a in answers) and
           [x["ri"] for x in seen] == ["npm0", "npm1"] and
           all(x["from"] == et.ID1 for x in seen),
           "a peer sealing with npm jose (random IVs): both requests "
           "opened, the CSE saw them from the authenticated identity (also "
           "for an SP-relative From), the sealed answers open with its "
           "key (%r, %r)" % (answers, seen))

    # The error cases of TS-0001 Table 7.6.x-1 and impersonation, made
    # with the same tool: each answered unprotected with its code, none
    # reaching the CSE.
    hdr = json.loads(header)
    cases = [
        ("impersonation: a From not the key's identity", 4116, 403, hdr,
         "//sp1.example/CSE-other"),
        ("a kid B has no key for", 4112, 403,
         dict(hdr, kid="13-nobody.example"), et.ID1),
        ("an originator rand object B was never given", 4113, 403,
         {k: v for k, v in dict(hdr, ori="n-o-unknown").items()
          if k != "oro"}, et.ID1),
        ("a receiver rand object B never issued", 4114, 403,
         {k: v for k, v in dict(hdr, rri="s-unknown").items()
          if k != "oro"}, et.ID1),
    ]
    n0 = len(cse.seen())
    for name, rsc, status, h0, fr in cases:
        inner = json.dumps({"op": 2, "to": et.ID2 + "/cseb", "fr": fr,
                            "rqi": "bad", "rvi": "4"})
        jwe = subprocess.run(["node", tool, "enc", key, json.dumps(h0)],
                             input=inner, capture_output=True, text=True,
                             check=True).stdout.strip()
        st, h, body = request(conn, "POST", "/cseb", et.ID1, "bad",
                              {"m2m:seci": {"sit": 5, "epo": jwe}})
        et.tap(h.get("x-m2m-rsc") == str(rsc) and st == status,
               "through the sidecar, %s: %d, HTTP %d (%d %r)" %
               (name, rsc, status, st, h.get("x-m2m-rsc")))
    st, h, body = request(conn, "POST", "/cseb", et.ID1, "bad6",
                          {"m2m:seci": {"sit": 6, "eckm": "AAAA"}})
    et.tap(h.get("x-m2m-rsc") == "4111",
           "through the sidecar, ESCertKE (sit 6) where it is not "
           "configured: 4111 (%d %r)"
           % (st, h.get("x-m2m-rsc")))
    et.tap(len(cse.seen()) == n0, "none of them reached the CSE (%r)" %
           cse.seen()[n0:])


def kill_mid_stream(gw1, cse, ae_conn, n=300):
    """A's sidecar killed with SIGKILL while the AE creates n
    contentInstances, and started again; the AE retries what failed, as
    AEs do (the same request, the same rqi).  B's CSE must see each
    exactly once."""
    done = []
    errors = []

    def ae():
        conn = None
        deadline = time.monotonic() + 60
        for i in range(n):
            while time.monotonic() < deadline:
                try:
                    conn = conn or ae_conn()
                    st, h, body = request(conn, "POST", CB + "/data",
                                          "Cae1", "k%d" % i,
                                          {"m2m:cin": {"con": "k%d" % i}},
                                          4)
                    if st == 201:
                        done.append(i)
                        break
                    errors.append((i, st, h.get("x-m2m-rsc")))
                except (OSError, http.client.HTTPException):
                    errors.append((i, "connection"))
                    conn = None
                time.sleep(0.05)
    n0 = len(cse.seen())
    t = threading.Thread(target=ae)
    t.start()
    while len(done) < n // 3 and t.is_alive():
        time.sleep(0.01)
    gw1.stop(signal.SIGKILL)
    ok = gw1.start()
    t.join()
    ris = [x["ri"] for x in cse.seen()[n0:] if x["op"] == "create"]
    dups = sorted({r for r in ris if ris.count(r) > 1})
    et.tap(ok and len(done) == n and sorted(set(ris)) ==
           sorted("k%d" % i for i in range(n)) and not dups,
           "A's sidecar killed with SIGKILL mid-stream and restarted: %d "
           "creates, none lost, none executed twice (%d retries; "
           "duplicates %r)" % (len(done), len(errors), dups[:5]))


def main():
    root = tempfile.mkdtemp(prefix="sidecar-test.")
    os.chmod(root, 0o755)
    k12 = os.path.join(root, "k12.key")
    et.write(k12, et.KEY12 + "\n")
    print("TAP version 13", flush=True)
    for ident in (et.ID1, et.ID2):
        et.forget_rands(ident)
    ns1 = ns2 = None
    if et.KERNEL:
        if not os.path.exists("/run/netns/esprim-gw1"):
            et.netns_up()
        ns1, ns2 = "esprim-gw1", "esprim-gw2"
        gw1 = et.Gateway(root, "gw1", et.ID1, "10.77.0.1", ns1)
        gw2 = et.Gateway(root, "gw2", et.ID2, "10.77.0.2", ns2)
    else:
        gw1 = et.Gateway(root, "gw1", et.ID1, "127.0.0.1")
        gw2 = et.Gateway(root, "gw2", et.ID2, "127.0.0.1")
    # A's CSE is B's registrar too: B's <remoteCSE> there gets its esi.
    cse1 = CseStandIn(root, "gw1", "/CSE-gw1", "csea", ns1, "*")
    cse2 = CseStandIn(root, "gw2", "/CSE-gw2", "cseb", ns2)
    reg = "http://%s:%d/csea/CSE-gw2" % (gw1.addr, cse1.port)
    r0 = in_netns(ns1, lambda: connect(None, "127.0.0.1", cse1.port))
    st, h, body = request(r0, "POST", "/csea", et.ID2, "reg1",
                          {"m2m:csr": {"rn": "CSE-gw2", "csi": "/CSE-gw2",
                                       "cb": "//sp2.example/CSE-gw2/cseb",
                                       "rr": True}}, 16)
    et.tap(st == 201, "B registered at A's CSE: its <remoteCSE> (%d %r)"
           % (st, body[:120]))
    out1 = et.free_port()
    gw1.peers = [et.peer_section("gw2", et.ID2, "13-gw1-gw2.example", gw2,
                                 k12).rstrip("\n") +
                 "\nesi = %s?atrl=esi\n\n" % reg]
    gw2.peers = [et.peer_section("gw1", et.ID1, "13-gw1-gw2.example", gw1,
                                 k12)]
    gw1.write_conf("[sidecar]\ncse = http://127.0.0.1:%d\n"
                   "outbound = 127.0.0.1:%d\n" % (cse1.port, out1))
    gw2.rand = "[rand]\npublish = %s\n" % reg
    gw2.write_conf("[sidecar]\ncse = http://127.0.0.1:%d\n" % cse2.port)
    STARTED.extend((gw1, gw2))
    ok = gw1.start() and gw2.start()
    et.tap(ok, "two sidecars start, each in front of a CSE stand-in")
    if not ok:
        for g in (gw1, gw2):
            sys.stdout.write(open(g.log).read())
        return 1
    # B publishes its shared receiver object at the registrar (B.1b).
    for _ in range(50):
        pub = [x for x in CseStandIn.seen(cse1) if x["op"] == "update"]
        if pub:
            break
        time.sleep(0.1)
    esro = pub[0]["body"]["m2m:csr"]["esi"].get("esro", {}) if pub else {}
    et.tap(pub and pub[0]["from"] == et.ID2 and pub[0]["rsc"] == 2004 and
           esro.get("esri", "").startswith("s-") and
           pub[0]["body"]["m2m:csr"]["esi"].get("esf") == [13],
           "B updated the esi of its <remoteCSE> at the registrar: esf "
           "[13], its shared receiver object (%r)" % pub[:1])

    def ae_conn():
        # The AE reaches A's outbound address, in A's namespace.
        return connect(ns1, "127.0.0.1", out1)

    cap = Capture(ns1, "v1") if et.KERNEL else None
    ae = ae_conn()
    st, h, body = request(ae, "POST", CB, "Cae1", "c0",
                          {"m2m:cnt": {"rn": "data"}}, 3)
    et.tap(st == 201 and h.get("x-m2m-rsc") == "2001",
           "the AE creates a container on B's CSE through both sidecars "
           "(%d %r %r)" % (st, h.get("x-m2m-rsc"), body[:200]))
    t0 = time.monotonic()
    bad = None
    for i in range(N_CIN):
        st, h, body = request(ae, "POST", CB + "/data", "Cae1", "i%d" % i,
                              {"m2m:cin": {"con": "v%d" % i}}, 4)
        if st != 201 or h.get("x-m2m-rsc") != "2001":
            bad = (i, st, h, body[:200])
            break
    secs = time.monotonic() - t0
    et.tap(bad is None, "%d contentInstances created, each sealed across "
           "(%r)" % (N_CIN, bad))
    print("# %d sealed creates in %.2f s: %.0f/s (one AE, keep-alive)" %
          (N_CIN, secs, N_CIN / secs), flush=True)
    st, h, body = request(ae, "GET", CB + "/data/la", "Cae1", "g1")
    got = json.loads(body or b"{}").get("m2m:cin", {}).get("con")
    et.tap(st == 200 and got == "v%d" % (N_CIN - 1),
           "the latest contentInstance retrieved through both sidecars "
           "(%d %r)" % (st, got))
    seen = cse2.seen()
    sealed_ops = [s for s in seen if s["path"].startswith("/~/CSE-gw2") or
                  s["path"].startswith("/cseb")]
    et.tap(len(sealed_ops) == N_CIN + 2 and
           all(s["from"] == et.ID1 for s in sealed_ops),
           "B's CSE saw %d plain requests, each from the authenticated "
           "originator %s (%r)" % (len(sealed_ops), et.ID1,
                                   [s for s in sealed_ops
                                    if s["from"] != et.ID1][:2]))
    # A retry (same rqi, same request): B's CSE executes it once, both
    # answers are its response.
    n0 = len(cse2.seen())
    r1 = request(ae, "POST", CB + "/data", "Cae1", "dup1",
                 {"m2m:cin": {"con": "once"}}, 4)
    r2 = request(ae, "POST", CB + "/data", "Cae1", "dup1",
                 {"m2m:cin": {"con": "once"}}, 4)
    last = cse2.seen()[n0:]
    et.tap(r1[0] == r2[0] == 201 and r1[2] == r2[2] and len(last) == 1 and
           gw2.client().call("stats")["stats"]["retries_answered"] == 1,
           "a retried create is executed once, and answered twice with "
           "its response (%r)" % last)
    n_sent = N_CIN + 4

    ses = gw1.client().call("sessions").get("sessions", [])
    s1 = gw1.client().call("stats")["stats"]
    et.tap(ses and ses[0]["rri"] == esro.get("esri") and
           s1["esi_retrieved"] == 1 and s1["rand_requests_out"] == 0,
           "A's session uses the shared object it retrieved from the "
           "registrar (B.2a, B.2c.2), no rand request (%r, %r)" %
           (ses, {k: s1[k] for k in ("esi_retrieved",
                                     "rand_requests_out")}))
    if cap and not cap.sock:
        print("ok - the capture on the veth # SKIP no AF_PACKET in this "
              "kernel", flush=True)
    elif cap:
        wire = cap.stop()
        plain = [m for m in (b'"m2m:cin"', b'"con"', b'v%d"' % (N_CIN - 1),
                             b'"m2m:cnt"') if m in wire]
        et.tap(len(wire) > 1000 * N_CIN and b'"m2m:seci"' in wire and
               not plain, "the capture on the veth (%d bytes): Notify "
               "requests with m2m:seci, no plain primitive (%r)" %
               (len(wire), plain))
    st1 = gw1.client().call("stats")["stats"]
    st2 = gw2.client().call("stats")["stats"]
    et.tap(st1["seals"] >= n_sent and st2["requests_in"] >= n_sent and
           st2["responses_sealed"] >= n_sent,
           "the sidecars sealed and opened every one (A seals %d, B opened "
           "%d and sealed %d responses)" % (st1["seals"], st2["requests_in"],
                                           st2["responses_sealed"]))

    kill_mid_stream(gw1, cse2, ae_conn)

    # Not ESPrim: straight through B's sidecar to its CSE, as it came.
    direct = connect(ns1, gw2.addr, gw2.port)
    n0 = len(cse2.seen())
    st, h, body = request(direct, "POST", "/cseb", "Cplain", "p1",
                          {"m2m:ae": {"rn": "plainae", "api": "Nplain",
                                      "rr": False, "srv": ["4"]}}, 2)
    last = cse2.seen()[n0:]
    et.tap(st == 201 and h.get("x-m2m-ri") == "p1" and len(last) == 1 and
           last[0]["from"] == "Cplain" and last[0]["body"] ==
           {"m2m:ae": {"rn": "plainae", "api": "Nplain", "rr": False,
                       "srv": ["4"]}},
           "a plain request passes through B's sidecar unchanged (%d %r)"
           % (st, last))
    st, h, body = request(direct, "PUT", "/cseb/plainae", "Cplain", "p2",
                          {"m2m:ae": {"lbl": ["x"]}})
    st2_, h2, body2 = request(direct, "DELETE", "/cseb/plainae", "Cplain",
                              "p3")
    et.tap(st == 200 and h.get("x-m2m-rsc") == "2004" and st2_ == 200 and
           h2.get("x-m2m-rsc") == "2002",
           "Update and Delete pass through (%d %r, %d %r)" %
           (st, h.get("x-m2m-rsc"), st2_, h2.get("x-m2m-rsc")))

    # A peer's partial Retrieve of the esi at B's sidecar: answered there.
    st, h, body = request(direct, "GET", "/cseb?atrl=esi", et.ID1, "esi1")
    got = json.loads(body or b"{}").get("m2m:cb", {}).get("esi", {})
    et.tap(st == 200 and got.get("esro", {}).get("esri") == esro.get("esri"),
           "B's sidecar answers a peer's Retrieve of its esi (%d %r)" %
           (st, got))

    random_iv_peer(root, direct, esro, cse2)

    # Error cases of TS-0001 Table 7.6.x-1 at B's sidecar, unprotected.
    a = gw1.client()
    req = {"op": 2, "to": et.ID2 + "/cseb", "fr": et.ID1, "rqi": "e1",
           "rvi": "4"}
    content = a.call("seal", target=et.ID2, primitive=req)["content"]
    epo = content["m2m:seci"]["epo"]
    parts = epo.split(".")

    def notify(c):
        return request(direct, "POST", "/cseb", et.ID1, "n1", c)

    tag = parts[4]
    tampered = parts[:4] + [("A" if tag[0] != "A" else "B") + tag[1:]]
    st, h, body = notify({"m2m:seci": {"sit": 5,
                                       "epo": ".".join(tampered)}})
    et.tap(h.get("x-m2m-rsc") == "4115" and st == 403,
           "a tampered object through the sidecar: 4115, HTTP 403 (%d %r)"
           % (st, h.get("x-m2m-rsc")))
    st, h, body = notify(content)
    st, h, body = notify(content)
    et.tap(h.get("x-m2m-rsc") == "5210" and st == 500,
           "the same object again: 5210, HTTP 500 (%d %r)" %
           (st, h.get("x-m2m-rsc")))
    st, h, body = notify({"m2m:seci": {"sit": 5, "epo": "a.b"}})
    et.tap(h.get("x-m2m-rsc") == "4000" and st == 400,
           "not an object: 4000 (%d %r)" % (st, h.get("x-m2m-rsc")))
    st, h, body = notify({"m2m:seci": {"sit": 3}})
    got = json.loads(body or b"{}").get("m2m:seci", {})
    et.tap(st == 200 and got.get("sit") == 4 and got.get("ero"),
           "a rand request through the sidecar: sit 4 (%d %r)" % (st, got))
    st, h, body = request(direct, "POST", "/cseb", "//sp9.example/CSE-x",
                          "n2", {"m2m:seci": {"sit": 3}})
    et.tap(h.get("x-m2m-rsc") == "4103",
           "a rand request from no peer: 4103 (%d %r)" %
           (st, h.get("x-m2m-rsc")))

    # A plain request that says it comes from a peer whose requests come
    # sealed: refused, the CSE sees nothing of it.
    n0 = len(cse2.seen())
    st, h, body = request(direct, "POST", "/cseb", et.ID1, "f1",
                          {"m2m:cnt": {"rn": "forged"}}, 3)
    et.tap(h.get("x-m2m-rsc") == "4107" and st == 403 and
           len(cse2.seen()) == n0,
           "a plain request with a peer's identity as From: 4107, not "
           "passed on (%d %r)" % (st, h.get("x-m2m-rsc")))

    # B killed and restarted: what A's session rests on may be gone (the
    # soft backend keeps no replay state: 4113); A's sidecar sets up a new
    # session and sends the request again, the AE sees nothing of it.
    gw2.stop(signal.SIGKILL)
    ok = gw2.start()
    ae = ae_conn()
    st, h, body = request(ae, "POST", CB + "/data", "Cae1", "afterB",
                          {"m2m:cin": {"con": "after"}}, 4)
    et.tap(ok and st == 201, "B's sidecar killed and restarted: A's next "
           "request goes through (%d %r %r)" % (st, h.get("x-m2m-rsc"),
                                                 body[:100]))

    # protect = never: passed on plain, the AE's own From reaches B.
    gw1.peers[0] = gw1.peers[0].rstrip("\n") + "\nprotect = never\n\n"
    gw1.write_conf("[sidecar]\ncse = http://127.0.0.1:%d\n"
                   "outbound = 127.0.0.1:%d\n" % (cse1.port, out1))
    r = a.call("reload")
    n0 = len(cse2.seen())
    seals0 = a.call("stats")["stats"]["seals"]
    ae = ae_conn()
    st, h, body = request(ae, "GET", CB + "/data", "Cae1", "nv1")
    last = cse2.seen()[n0:]
    et.tap(r.get("ok") and st == 200 and len(last) == 1 and
           last[0]["from"] == "Cae1",
           "protect = never: the request goes plain (%d %r)" % (st, last))
    st_ = a.call("stats")["stats"]["seals"]
    et.tap(st_ == seals0,
           "... and nothing was sealed for it (%d, %d)" % (st_, seals0))

    for g in (gw1, gw2):
        g.stop()
    cse1.stop()
    cse2.stop()
    leaks = [g.log for g in (gw1, gw2) if
             any(m in open(g.log, errors="replace").read() for m in
                 ("AddressSanitizer", "LeakSanitizer", "runtime error"))]
    et.tap(not leaks, "no sanitizer report in the sidecars' logs %r" % leaks)
    print("%d passed, %d failed" % (et.n_test - et.failed, et.failed))
    return 1 if et.failed else 0


# Every process started, stopped however the test ends.
STARTED = []


if __name__ == "__main__":
    try:
        rc = main()
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc(file=sys.stdout)
        et.tap(False, "the test ended early: %r" % e)
        print("%d passed, %d failed" % (et.n_test - et.failed, et.failed))
        rc = 1
    for x in STARTED:
        try:
            x.stop()
        except Exception:  # noqa: BLE001
            pass
    sys.exit(rc)
