#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A client of esprimd's local socket API, standard library only.

The protocol is Documentation/esprimd-socket.md: one JSON object per line
each way over a UNIX stream socket; replies carry the request's "id".
This client sends one request at a time and waits for its reply.

    from esprim_client import EsprimClient, EsprimError

    with EsprimClient() as esprimd:          # connects
        sealed = esprimd.seal("//sp2.example/CSE-gw2", primitive)
        # send sealed["content"] to the target in a Notify, then:
        response = esprimd.open(content_of_the_answer)["primitive"]

call(op, **args) returns any reply as it is, "ok" true or false (like
esprim_client_call()); seal, open, notify and respond raise EsprimError
for a refusal (its rsc is the oneM2M Response Status Code, or errno the
local failure).

As a script: hello, then a seal of a sample request for the target given,
each reply printed as a line of JSON.

    esprim_client.py [--socket PATH] TARGET
"""

import argparse
import itertools
import json
import os
import socket
import sys

DEFAULT_SOCKET = "/run/onem2m-esprim/esprimd.sock"
MAX_LINE = 512 * 1024  # bytes of a line, its newline included, each way


def _compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class EsprimError(Exception):
    """esprimd refused a request: the reply's rsc or errno, and message."""

    def __init__(self, reply):
        self.reply = reply
        self.rsc = reply.get("rsc")
        self.errno = reply.get("errno")
        self.error = reply.get("error", "")
        self.message = reply.get("message", "")
        code = f"rsc {self.rsc}" if self.rsc else f"errno {self.errno}"
        super().__init__(f"{self.error} ({code}): {self.message}")


class ProtocolError(Exception):
    """A reply that is not what the protocol says."""


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ProtocolError(f"duplicate key {key!r} in a reply")
        obj[key] = value
    return obj


class EsprimClient:
    """One connection to esprimd; the socket is path, $ESPRIMD_SOCKET or
    the default.  Connects at once unless connect=False (then call
    connect()).  timeout (seconds) bounds each call, None waits; a call
    that times out closes the connection."""

    def __init__(self, path=None, timeout=None, connect=True):
        self.path = path or os.environ.get("ESPRIMD_SOCKET") or DEFAULT_SOCKET
        self.timeout = timeout
        self._sock = None
        self._buf = b""
        self._ids = itertools.count(1)
        if connect:
            self.connect()

    def connect(self):
        if self._sock:
            return self
        self._buf = b""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        return self

    def close(self):
        if self._sock:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, op, **args):
        """Sends {"op": op, "id": n, **args} and returns its reply (a
        dict) as it is: "ok" true and the operation's members, or false
        with "rsc" or "errno", "error" and "message"."""
        if not self._sock:
            raise ConnectionError("not connected to esprimd")
        rid = next(self._ids)
        request = dict(args, op=op, id=rid)
        line = _compact(request).encode() + b"\n"
        if len(line) > MAX_LINE:
            raise ValueError(f"request of {len(line)} bytes, over the line limit")
        try:
            self._sock.sendall(line)
            reply = self._read_reply()
        except socket.timeout:
            # Its reply may still come and would answer the next call.
            self.close()
            raise
        # A refusal without an id answers a request the daemon could not
        # read the id of: ours, as only one is in flight.
        if reply.get("id", None if reply["ok"] else rid) != rid:
            raise ProtocolError(f"a reply to another request: {reply!r}")
        return reply

    def _checked(self, op, **args):
        reply = self.call(op, **args)
        if not reply["ok"]:
            raise EsprimError(reply)
        return reply

    def _read_reply(self):
        while b"\n" not in self._buf:
            if len(self._buf) >= MAX_LINE:
                raise ProtocolError("a reply line over the limit")
            data = self._sock.recv(65536)
            if not data:
                raise ConnectionResetError("esprimd closed the connection")
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            reply = json.loads(line, object_pairs_hook=_no_duplicates)
        except ValueError as e:
            raise ProtocolError(f"a reply that is no JSON: {e}") from None
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise ProtocolError(f"a reply without ok: {line[:200]!r}")
        return reply

    # The operations for CSEs (Documentation/esprimd-socket.md): the
    # reply when it says ok, else EsprimError.

    def hello(self):
        return self._checked("hello")

    def seal(self, target, primitive):
        """primitive (a dict) for target -> {"content": m2m:seci, "session"}"""
        return self._checked("seal", target=target, primitive=primitive)

    def open(self, content):
        """The m2m:seci content of a response -> {"primitive", "peer"}"""
        return self._checked("open", content=content)

    def notify(self, content, origin=None):
        """An incoming m2m:seci -> "kind" "request" (primitive, originator,
        handle) or "reply" (the content to answer the Notify with)"""
        args = {"content": content}
        if origin is not None:
            args["origin"] = origin
        return self._checked("notify", **args)

    def respond(self, handle, primitive):
        """The response to a request from notify -> {"content": m2m:seci}"""
        return self._checked("respond", handle=handle, primitive=primitive)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Say hello to esprimd and seal a sample request.")
    parser.add_argument("--socket", help="esprimd's socket (default: "
                        "$ESPRIMD_SOCKET, else " + DEFAULT_SOCKET + ")")
    parser.add_argument("target", help="the target's Absolute CSE-ID, "
                        "e.g. //sp2.example/CSE-gw2")
    opts = parser.parse_args(argv)
    try:
        with EsprimClient(opts.socket, timeout=30) as esprimd:
            hello = esprimd.hello()
            print("hello:", _compact(hello))
            primitive = {"op": 2, "to": opts.target + "/base", "fr":
                         hello.get("identity", ""), "rqi": "demo-1",
                         "rvi": "4"}
            print("seal:", _compact(esprimd.seal(opts.target, primitive)))
    except EsprimError as e:
        print(f"esprim_client.py: {e}", file=sys.stderr)
        return 1
    except (OSError, ProtocolError) as e:
        print(f"esprim_client.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
