#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0
/*
 * A client of esprimd's local socket API, Node.js's net module only.
 *
 * The protocol is Documentation/esprimd-socket.md: one JSON object per
 * line each way over a UNIX stream socket; replies carry the request's
 * "id" and come in the order operations finish, so several calls may be
 * in flight at once.
 *
 *   const { EsprimClient } = require('./esprim_client.js');
 *   const esprimd = await new EsprimClient().connect();
 *   const sealed = await esprimd.seal('//sp2.example/CSE-gw2', primitive);
 *   // send sealed.content to the target in a Notify, then:
 *   const response = (await esprimd.open(answerContent)).primitive;
 *   esprimd.close();
 *
 * call(op, args) resolves with any reply as it is, "ok" true or false
 * (like esprim_client_call()); seal, open, notify and respond reject a
 * refusal with an EsprimError (its rsc is the oneM2M Response Status
 * Code, or errno the local failure).
 *
 * As a script: hello, then a seal of a sample request for the target
 * given, each reply printed as a line of JSON.
 *
 *   esprim_client.js [--socket PATH] TARGET
 */
'use strict';

const net = require('net');

const DEFAULT_SOCKET = '/run/onem2m-esprim/esprimd.sock';
const MAX_LINE = 512 * 1024; // bytes of a line, its newline included

class EsprimError extends Error {
  constructor(reply) {
    const code = reply.rsc ? `rsc ${reply.rsc}` : `errno ${reply.errno}`;
    super(`${reply.error} (${code}): ${reply.message}`);
    this.name = 'EsprimError';
    this.reply = reply;
    this.rsc = reply.rsc;
    this.errno = reply.errno;
    this.error = reply.error;
  }
}

class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

class EsprimClient {
  // path, or $ESPRIMD_SOCKET, or the default; timeout (ms) bounds each
  // call, 0 waits.
  constructor(path, { timeout = 0 } = {}) {
    this.path = path || process.env.ESPRIMD_SOCKET || DEFAULT_SOCKET;
    this.timeout = timeout;
    this.sock = null;
    this.buf = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, reject, timer }
    this.givenUp = new Set(); // ids of calls that timed out
  }

  connect() {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(this.path);
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        sock.on('error', (e) => this._fail(e));
        sock.on('close', () =>
          this._fail(new Error('esprimd closed the connection')));
        sock.on('data', (data) => this._data(data));
        this.sock = sock;
        resolve(this);
      });
    });
  }

  close() {
    if (this.sock)
      this.sock.end();
  }

  // Sends {"op": op, "id": n, ...args}; resolves with its reply as it
  // is: "ok" true and the operation's members, or false with "rsc" or
  // "errno", "error" and "message".
  call(op, args = {}) {
    if (!this.sock || this.sock.destroyed)
      return Promise.reject(new Error('not connected to esprimd'));
    const id = this.nextId++;
    const line = JSON.stringify({ ...args, op, id }) + '\n';
    if (Buffer.byteLength(line) > MAX_LINE)
      return Promise.reject(new RangeError('request over the line limit'));
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, timer: null };
      if (this.timeout)
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          this.givenUp.add(id);
          reject(new Error(`ETIMEDOUT: no reply to ${op} in ${this.timeout} ms`));
        }, this.timeout);
      this.pending.set(id, entry);
      this.sock.write(line);
    });
  }

  _data(data) {
    this.buf = Buffer.concat([this.buf, data]);
    let nl;
    while ((nl = this.buf.indexOf(10)) >= 0) {
      const line = this.buf.subarray(0, nl).toString('utf8');
      this.buf = this.buf.subarray(nl + 1);
      this._reply(line);
    }
    if (this.buf.length >= MAX_LINE)
      this._fail(new ProtocolError('a reply line over the limit'));
  }

  _reply(line) {
    let reply;
    try {
      reply = JSON.parse(line);
    } catch (e) {
      return this._fail(new ProtocolError(`a reply that is no JSON: ${e.message}`));
    }
    if (reply === null || typeof reply !== 'object' ||
        typeof reply.ok !== 'boolean')
      return this._fail(new ProtocolError('a reply without ok'));
    let id = reply.id;
    // A refusal without an id answers a request the daemon could not read
    // the id of: this client sends none such, unless one call is in flight.
    if (id === undefined && !reply.ok && this.pending.size === 1)
      id = this.pending.keys().next().value;
    if (this.givenUp.delete(id))
      return;
    const entry = this.pending.get(id);
    if (!entry)
      return this._fail(new ProtocolError(`a reply to no request: ${line.slice(0, 200)}`));
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(reply);
  }

  async _checked(op, args) {
    const reply = await this.call(op, args);
    if (!reply.ok)
      throw new EsprimError(reply);
    return reply;
  }

  // The connection is lost or cannot be trusted: every call fails.
  _fail(err) {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
    this.pending.clear();
    if (this.sock && !this.sock.destroyed)
      this.sock.destroy();
  }

  // The operations for CSEs (Documentation/esprimd-socket.md): the reply
  // when it says ok, else an EsprimError.

  hello() {
    return this._checked('hello');
  }

  // primitive (an object) for target -> { content: m2m:seci, session }
  seal(target, primitive) {
    return this._checked('seal', { target, primitive });
  }

  // the m2m:seci content of a response -> { primitive, peer }
  open(content) {
    return this._checked('open', { content });
  }

  // an incoming m2m:seci -> kind "request" (primitive, originator,
  // handle) or "reply" (the content to answer the Notify with)
  notify(content, origin) {
    return this._checked('notify', origin === undefined ? { content } :
      { content, origin });
  }

  // the response to a request from notify -> { content: m2m:seci }
  respond(handle, primitive) {
    return this._checked('respond', { handle, primitive });
  }
}

async function main(argv) {
  let socketPath;
  const args = argv.slice();
  if (args[0] === '--socket' && args.length > 1) {
    socketPath = args[1];
    args.splice(0, 2);
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    process.stderr.write('usage: esprim_client.js [--socket PATH] TARGET\n');
    return 2;
  }
  const target = args[0];
  let esprimd;
  try {
    esprimd = await new EsprimClient(socketPath, { timeout: 30000 }).connect();
    const hello = await esprimd.hello();
    console.log('hello: ' + JSON.stringify(hello));
    const primitive = {
      op: 2, to: target + '/base', fr: hello.identity || '', rqi: 'demo-1',
      rvi: '4',
    };
    console.log('seal: ' + JSON.stringify(await esprimd.seal(target, primitive)));
    return 0;
  } catch (e) {
    process.stderr.write(`esprim_client.js: ${e.message}\n`);
    return e instanceof EsprimError ? 1 : 2;
  } finally {
    if (esprimd)
      esprimd.close();
  }
}

module.exports = { EsprimClient, EsprimError, ProtocolError };

if (require.main === module)
  main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; });
