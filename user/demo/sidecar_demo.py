#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`make demo`, in the VM with the module loaded: two gateways, each an
unmodified CSE (the tests' CSE stand-in) behind esprimd as a sidecar, in
network namespaces joined by a veth pair.  An AE on gateway A creates and
reads contentInstances on gateway B's CSE through A's sidecar; the demo
shows the sessions set up, a sealed Notify as it crossed the wire, the plain
request B's CSE saw, the response, and the throughput.

    sidecar_demo.py BUILD_DIR
"""
import json
import os
import re
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "selftests", "host"))
sys.argv = [sys.argv[0], "--kernel"] + sys.argv[1:]
import esprimd_test as et  # noqa: E402
import sidecar_test as st  # noqa: E402

CB = "/_/sp2.example/CSE-gw2/cseb"


def show(title, text=""):
    print("\n== %s" % title)
    if text:
        print(text)
    sys.stdout.flush()


def short(s, n=100):
    return s if len(s) <= n else s[:n] + "...(%d more)" % (len(s) - n)


def first_notify(wire):
    """The first HTTP request on the wire carrying m2m:seci sit 5."""
    i = wire.find(b'{"m2m:seci":{"sit":5')
    if i < 0:
        i = wire.find(b'"m2m:seci"')
    if i < 0:
        return None
    head = wire.rfind(b"POST ", 0, i)
    end = wire.find(b"}}", i)
    raw = wire[head if head >= 0 else i:end + 2].decode(errors="replace")
    return re.sub(r'("epo":")([^"]{60})[^"]*', r"\1\2...", raw)


def main():
    root = tempfile.mkdtemp(prefix="sidecar-demo.")
    os.chmod(root, 0o755)
    key = os.path.join(root, "k12.key")
    et.write(key, et.KEY12 + "\n")
    for ident in (et.ID1, et.ID2):
        et.forget_rands(ident)
    if not os.path.exists("/run/netns/esprim-gw1"):
        et.netns_up()
    gw1 = et.Gateway(root, "gw1", et.ID1, "10.77.0.1", "esprim-gw1")
    gw2 = et.Gateway(root, "gw2", et.ID2, "10.77.0.2", "esprim-gw2")
    cse1 = st.CseStandIn(root, "gw1", "/CSE-gw1", "csea", "esprim-gw1")
    cse2 = st.CseStandIn(root, "gw2", "/CSE-gw2", "cseb", "esprim-gw2")
    out1 = et.free_port()
    gw1.peers = [et.peer_section("gw2", et.ID2, "13-gw1-gw2.example", gw2,
                                 key)]
    gw2.peers = [et.peer_section("gw1", et.ID1, "13-gw1-gw2.example", gw1,
                                 key)]
    gw1.write_conf("[sidecar]\ncse = http://127.0.0.1:%d\n"
                   "outbound = 127.0.0.1:%d\n" % (cse1.port, out1))
    gw2.write_conf("[sidecar]\ncse = http://127.0.0.1:%d\n" % cse2.port)
    st.STARTED.extend((gw1, gw2))
    if not (gw1.start() and gw2.start()):
        for g in (gw1, gw2):
            sys.stdout.write(open(g.log).read())
        return 1
    show("Two gateways, each an unmodified CSE behind esprimd (kernel "
         "backend)",
         "  gateway A %s: esprimd on 10.77.0.1:%d, AEs use 127.0.0.1:%d\n"
         "  gateway B %s: esprimd on 10.77.0.2:%d, its CSE on "
         "127.0.0.1:%d\n  one pairwise key (SUID 13, kid "
         "13-gw1-gw2.example), in the kernel keyring"
         % (et.ID1, gw1.port, out1, et.ID2, gw2.port, cse2.port))

    cap = st.Capture("esprim-gw1", "v1")
    ae = st.connect("esprim-gw1", "127.0.0.1", out1)
    body = {"m2m:cnt": {"rn": "demo"}}
    show("The AE on A creates a container on B's CSE, plain, through A's "
         "sidecar",
         "  POST %s  X-M2M-Origin: Cae1  Content-Type: application/json;"
         "ty=3\n  %s" % (CB, json.dumps(body)))
    status, h, data = st.request(ae, "POST", CB, "Cae1", "demo-1", body, 3)
    print("  -> HTTP %d, X-M2M-RSC %s" % (status, h.get("x-m2m-rsc")))
    body = {"m2m:cin": {"con": "21.5 C"}}
    status, h, data = st.request(ae, "POST", CB + "/demo", "Cae1",
                                 "demo-2", body, 4)
    print("  POST %s/demo  ty=4  %s\n  -> HTTP %d, X-M2M-RSC %s"
          % (CB, json.dumps(body), status, h.get("x-m2m-rsc")))
    wire = cap.stop()
    show("What crossed the wire between the gateways (captured on the "
         "veth)", short(first_notify(wire) or "(nothing captured)", 900))
    print("  plain text of the primitive on the wire: %s" %
          ("none" if b"21.5 C" not in wire and b'"m2m:cin"' not in wire
           else "FOUND"))

    seen = cse2.seen()
    show("What B's CSE saw (its request log)",
         "\n".join("  " + json.dumps(s) for s in seen[-2:]))

    status, h, data = st.request(ae, "GET", CB + "/demo/la", "Cae1",
                                 "demo-3")
    show("The AE reads it back through both sidecars",
         "  GET %s/demo/la\n  -> HTTP %d, X-M2M-RSC %s\n  %s"
         % (CB, status, h.get("x-m2m-rsc"), data.decode()))

    ses = gw1.client().call("sessions").get("sessions", [])
    show("Sessions (esprimd on A, originator)",
         "\n".join("  %s: kid %s, ori %s, rri %s, %s" %
                   (s["peer"], s["kid"], s["ori"], s["rri"], s["enc"])
                   for s in ses))
    n = int(os.environ.get("DEMO_REQUESTS", "200"))
    t0 = time.monotonic()
    for i in range(n):
        st.request(ae, "POST", CB + "/demo", "Cae1", "t%d" % i,
                   {"m2m:cin": {"con": str(i)}}, 4)
    secs = time.monotonic() - t0
    s1 = gw1.client().call("stats")["stats"]
    s2 = gw2.client().call("stats")["stats"]
    show("Throughput, one AE, keep-alive (in the VM: qemu, so slow)",
         "  %d sealed creates in %.2f s: %.0f/s\n  A sealed %d requests and "
         "opened %d responses; B opened %d and sealed %d"
         % (n, secs, n / secs, s1["seals"], s1["opens"], s2["requests_in"],
            s2["responses_sealed"]))
    return 0


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        for x in st.STARTED:
            x.stop()
    sys.exit(rc)
