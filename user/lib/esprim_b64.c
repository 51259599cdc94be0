// SPDX-License-Identifier: GPL-2.0
/*
 * Base64url without padding (RFC 7515 2, RFC 4648 5).
 *
 * Encoding emits two characters per table load (a 4096-entry table of
 * character pairs indexed by 12 bits) and takes six octets per step;
 * decoding takes eight characters per step.  Decoding is strict: the URL-safe alphabet only, no
 * padding, and the unused low bits of the last character must be zero, so
 * every byte string has exactly one accepted encoding.
 */
#include <pthread.h>
#include <string.h>

#include "esprim.h"

static const char esprim_b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint16_t esprim_b64_pairs[4096];
static uint8_t esprim_b64_values[256];	/* 0xff: not in the alphabet */
static pthread_once_t esprim_b64_once = PTHREAD_ONCE_INIT;

static void esprim_b64_init(void)
{
	unsigned int i;

	for (i = 0; i < 4096; i++) {
		char pair[2] = { esprim_b64_alphabet[i >> 6],
				 esprim_b64_alphabet[i & 63] };

		memcpy(&esprim_b64_pairs[i], pair, 2);
	}
	memset(esprim_b64_values, 0xff, sizeof(esprim_b64_values));
	for (i = 0; i < 64; i++)
		esprim_b64_values[(uint8_t)esprim_b64_alphabet[i]] = (uint8_t)i;
}

size_t esprim_b64url_encoded_len(size_t len)
{
	return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
}

size_t esprim_b64url_encode(const uint8_t *in, size_t len, char *out)
{
	const char *a = esprim_b64_alphabet;
	char *o = out;
	uint32_t v;

	pthread_once(&esprim_b64_once, esprim_b64_init);
	/* Six octets per step from one 64-bit big-endian load. */
	for (; len >= 8; len -= 6, in += 6, o += 8) {
		uint64_t w;

		memcpy(&w, in, 8);
		w = __builtin_bswap64(w);
		memcpy(o, &esprim_b64_pairs[w >> 52], 2);
		memcpy(o + 2, &esprim_b64_pairs[(w >> 40) & 0xfff], 2);
		memcpy(o + 4, &esprim_b64_pairs[(w >> 28) & 0xfff], 2);
		memcpy(o + 6, &esprim_b64_pairs[(w >> 16) & 0xfff], 2);
	}
	for (; len >= 3; len -= 3, in += 3, o += 4) {
		v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
		memcpy(o, &esprim_b64_pairs[v >> 12], 2);
		memcpy(o + 2, &esprim_b64_pairs[v & 0xfff], 2);
	}
	if (len == 2) {
		v = (uint32_t)in[0] << 8 | in[1];
		*o++ = a[v >> 10];
		*o++ = a[(v >> 4) & 63];
		*o++ = a[(v << 2) & 63];
	} else if (len == 1) {
		*o++ = a[in[0] >> 2];
		*o++ = a[(in[0] << 4) & 63];
	}
	return (size_t)(o - out);
}

long esprim_b64url_decode(const char *in, size_t n, uint8_t *out)
{
	const uint8_t *s = (const uint8_t *)in;
	const uint8_t *t = esprim_b64_values;
	uint8_t *o = out;
	uint64_t a, b;

	pthread_once(&esprim_b64_once, esprim_b64_init);
	if (n % 4 == 1)
		return -1;
	/*
	 * Eight characters per step into one 64-bit store; while 12 or more
	 * remain, the output has room for the two bytes it runs over.
	 * Invalid characters map to 0xff, so any of them sets bit 7 of the OR.
	 */
	for (; n >= 12; n -= 8, s += 8, o += 6) {
		if ((t[s[0]] | t[s[1]] | t[s[2]] | t[s[3]] | t[s[4]] |
		     t[s[5]] | t[s[6]] | t[s[7]]) & 0x80)
			return -1;
		a = (uint64_t)t[s[0]] << 18 | (uint64_t)t[s[1]] << 12 |
		    (uint64_t)t[s[2]] << 6 | t[s[3]];
		b = (uint64_t)t[s[4]] << 18 | (uint64_t)t[s[5]] << 12 |
		    (uint64_t)t[s[6]] << 6 | t[s[7]];
		a = __builtin_bswap64(a << 40 | b << 16);
		memcpy(o, &a, 8);
	}
	for (; n >= 4; n -= 4, s += 4, o += 3) {
		if ((t[s[0]] | t[s[1]] | t[s[2]] | t[s[3]]) & 0x80)
			return -1;
		a = (uint64_t)t[s[0]] << 18 | (uint64_t)t[s[1]] << 12 |
		    (uint64_t)t[s[2]] << 6 | t[s[3]];
		o[0] = (uint8_t)(a >> 16);
		o[1] = (uint8_t)(a >> 8);
		o[2] = (uint8_t)a;
	}
	/* The unused low bits of the last character must be zero. */
	if (n == 3) {
		if (((t[s[0]] | t[s[1]] | t[s[2]]) & 0x80) || (t[s[2]] & 3))
			return -1;
		a = (uint64_t)t[s[0]] << 10 | (uint64_t)t[s[1]] << 4 |
		    t[s[2]] >> 2;
		*o++ = (uint8_t)(a >> 8);
		*o++ = (uint8_t)a;
	} else if (n == 2) {
		if (((t[s[0]] | t[s[1]]) & 0x80) || (t[s[1]] & 15))
			return -1;
		*o++ = (uint8_t)(t[s[0]] << 2 | t[s[1]] >> 4);
	}
	return (long)(o - out);
}
