// SPDX-License-Identifier: GPL-2.0
/*
 * Base64url without padding (RFC 7515 2, RFC 4648 5).
 *
 * Encoding emits two characters per table load (a 4096-entry table of
 * character pairs indexed by 12 bits), so a 1 KiB ciphertext costs a few
 * hundred nanoseconds.  Decoding is strict: the URL-safe alphabet only, no
 * padding, and the unused low bits of the last character must be zero, so
 * every byte string has exactly one accepted encoding.
 */
#include <pthread.h>
#include <string.h>

#include "esprim.h"

static const char esprim_b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint16_t esprim_b64_pairs[4096];
static int8_t esprim_b64_values[256];
static pthread_once_t esprim_b64_once = PTHREAD_ONCE_INIT;

static void esprim_b64_init(void)
{
	unsigned int i;

	for (i = 0; i < 4096; i++) {
		char pair[2] = { esprim_b64_alphabet[i >> 6],
				 esprim_b64_alphabet[i & 63] };

		memcpy(&esprim_b64_pairs[i], pair, 2);
	}
	memset(esprim_b64_values, -1, sizeof(esprim_b64_values));
	for (i = 0; i < 64; i++)
		esprim_b64_values[(uint8_t)esprim_b64_alphabet[i]] = (int8_t)i;
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
	const int8_t *t = esprim_b64_values;
	uint8_t *o = out;
	int32_t v;

	pthread_once(&esprim_b64_once, esprim_b64_init);
	if (n % 4 == 1)
		return -1;
	for (; n >= 4; n -= 4, s += 4, o += 3) {
		/* An invalid character (-1) makes the OR negative. */
		if ((t[s[0]] | t[s[1]] | t[s[2]] | t[s[3]]) < 0)
			return -1;
		v = t[s[0]] << 18 | t[s[1]] << 12 | t[s[2]] << 6 | t[s[3]];
		o[0] = (uint8_t)(v >> 16);
		o[1] = (uint8_t)(v >> 8);
		o[2] = (uint8_t)v;
	}
	if (n == 3) {
		if ((t[s[0]] | t[s[1]] | t[s[2]]) < 0 || (t[s[2]] & 3))
			return -1;
		v = t[s[0]] << 10 | t[s[1]] << 4 | t[s[2]] >> 2;
		*o++ = (uint8_t)(v >> 8);
		*o++ = (uint8_t)v;
	} else if (n == 2) {
		if ((t[s[0]] | t[s[1]]) < 0 || (t[s[1]] & 15))
			return -1;
		*o++ = (uint8_t)(t[s[0]] << 2 | t[s[1]] >> 4);
	}
	return (long)(o - out);
}
