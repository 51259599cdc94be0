// SPDX-License-Identifier: GPL-2.0
// An ESCertKE end-point made of Node.js's own TLS stack, for
// escertke_interop_test.sh: its tls module over an in-memory Duplex, TLS
// 1.2, the ECDHE_ECDSA suites, mutual certificates, the key from
// exportKeyingMaterial(48, "EXPORTER-oneM2M-ESCertKE").  Flights travel as
// lines of base64 (the eckm): ours on stdout, the peer's on stdin.  A
// flight is what the stack wrote before it went quiet (30 ms).
//
//   node escertke_node_peer.mjs client|server CERT KEY CA PEER_ID RESULT
//        [KEY_OUT] [CIPHERS]
//     RESULT gets "kid HEX", "mac HEX" (HMAC-SHA256 of "interop" under
//     the key) and "peer ID"; KEY_OUT ("-": none) the key in hex.
//   node escertke_node_peer.mjs derive KEY_HEX_FILE RRO ORO ENC
//     the sessionESPrimKey (TS-0003 10.3.8.2, profile B.1 and B.3) in hex,
//     derived here from this side's key, independently of libesprim.
import tls from 'node:tls';
import crypto from 'node:crypto';
import { Duplex } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import readline from 'node:readline';

const LABEL = 'EXPORTER-oneM2M-ESCertKE';
const SUITES = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:' +
	'ECDHE-ECDSA-AES128-SHA256';

// RFC 8785 for the rand objects: sorted members, no whitespace.
function jcs(v) {
	if (Array.isArray(v))
		return '[' + v.map(jcs).join(',') + ']';
	if (v !== null && typeof v === 'object')
		return '{' + Object.keys(v).sort().map(
			(k) => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';
	return JSON.stringify(v);
}

function derive([keyFile, rroFile, oroFile, enc]) {
	const pw = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
	const rro = JSON.parse(readFileSync(rroFile, 'utf8'));
	const oro = JSON.parse(readFileSync(oroFile, 'utf8'));
	const bits = { A128GCM: 16, A192GCM: 24, A256GCM: 32 }[enc];
	const k = crypto.createHmac('sha256', pw).update(jcs(rro))
		.update(jcs(oro))
		.update('oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm')
		.digest();
	process.stdout.write(k.subarray(0, bits).toString('hex') + '\n');
}

function fail(why) {
	process.stderr.write(`escertke_node_peer: ${why}\n`);
	process.exit(1);
}

function namesPeer(cert, id) {
	const sans = (cert && cert.subjectaltname) || '';
	return sans.split(', ').includes('URI:' + id);
}

function run([role, certFile, keyFile, caFile, peerId, result, keyOut,
	ciphers]) {
	const opts = {
		cert: readFileSync(certFile), key: readFileSync(keyFile),
		ca: readFileSync(caFile), minVersion: 'TLSv1.2',
		maxVersion: 'TLSv1.2', ciphers: ciphers || SUITES,
		ecdhCurve: 'P-256:P-384',
		sigalgs: 'ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384',
	};
	let out = [];
	let timer = null;
	const flush = () => {
		if (out.length)
			process.stdout.write(Buffer.concat(out).toString('base64') +
				'\n');
		out = [];
	};
	const wire = new Duplex({
		read() {},
		write(chunk, _enc, cb) {
			out.push(chunk);
			clearTimeout(timer);
			timer = setTimeout(flush, 30);
			cb();
		},
	});
	let sock;
	const done = () => {
		const peer = sock.getPeerCertificate();
		if (!sock.authorized || !namesPeer(peer, peerId))
			fail(`peer not authenticated as ${peerId}: ` +
				`${sock.authorizationError || peer.subjectaltname}`);
		const km = sock.exportKeyingMaterial(48, LABEL);
		const key = km.subarray(16);
		const mac = crypto.createHmac('sha256', key).update('interop')
			.digest('hex');
		writeFileSync(result, `kid ${km.subarray(0, 16).toString('hex')}\n` +
			`mac ${mac}\npeer ${peerId}\ncipher ${sock.getCipher().name}\n`);
		if (keyOut && keyOut !== '-')
			writeFileSync(keyOut, key.toString('hex') + '\n',
				{ mode: 0o600 });
		km.fill(0);
		// Message 4 (ours as the server) goes out before we leave.
		setTimeout(() => { flush(); process.exit(0); }, 60);
	};
	if (role === 'client') {
		sock = tls.connect({
			...opts, socket: wire, rejectUnauthorized: true,
			servername: 'escertke.invalid',
			checkServerIdentity: (_host, cert) => namesPeer(cert, peerId) ?
				undefined : new Error(`certificate does not name ${peerId}`),
		}, done);
	} else {
		// A tls.Server given the Duplex as its connection: it
		// verifies the client's chain and sets authorized.
		const server = tls.createServer({
			...opts, requestCert: true, rejectUnauthorized: true,
		}, (s) => { sock = s; done(); });
		server.on('tlsClientError', (e) => {
			flush();
			setTimeout(() => fail(e.message), 60);
		});
		server.emit('connection', wire);
	}
	if (sock)
		sock.on('error', (e) => {
			flush();
			setTimeout(() => fail(e.message), 60);
		});
	const lines = readline.createInterface({ input: process.stdin });
	lines.on('line', (l) => wire.push(Buffer.from(l, 'base64')));
	lines.on('close', () => setTimeout(() => fail('the peer stopped'), 200));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'derive')
	derive(args);
else if (mode === 'client' || mode === 'server')
	run([mode, ...args]);
else
	fail('usage: client|server CERT KEY CA PEER RESULT [KEY_OUT] [CIPHERS]' +
		' | derive KEY RRO ORO ENC');
