// SPDX-License-Identifier: GPL-2.0
// The npm "jose" package on the other end of the interop test:
//   node npm_jose_tool.mjs enc KEYHEX HEADER_JSON < plaintext > compact JWE
//   node npm_jose_tool.mjs dec KEYHEX < compact JWE > plaintext
//   node npm_jose_tool.mjs enc-many KEYHEX HEADER_JSON COUNT < plaintext
//       > COUNT compact JWEs, one a line (random IVs, as jose draws them)
import { CompactEncrypt, compactDecrypt } from 'jose';
import { readFileSync } from 'node:fs';

const [op, keyHex, header, count] = process.argv.slice(2);
const key = Uint8Array.from(Buffer.from(keyHex, 'hex'));
const input = readFileSync(0);

if (op === 'enc' || op === 'enc-many') {
	const n = op === 'enc' ? 1 : Number(count);
	const lines = [];
	for (let i = 0; i < n; i++) {
		lines.push(await new CompactEncrypt(input)
			.setProtectedHeader(JSON.parse(header))
			.encrypt(key));
	}
	process.stdout.write(lines.join('\n') + '\n');
} else {
	const { plaintext } = await compactDecrypt(input.toString().trim(), key);
	process.stdout.write(Buffer.from(plaintext));
}
