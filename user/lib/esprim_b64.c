// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Base64url without padding (RFC 7515 2, RFC 4648 5).
 *
 * Encoding emits two characters per table load (a 4096-entry table of
 * character pairs indexed by 12 bits, built once at run time) and takes
 * six octets per 64-bit load, three loads per step.  Decoding takes eight
 * characters per step through four tables of the character's six bits
 * already shifted into place, so four loads and three ORs give three
 * octets; a character outside the alphabet sets bit 24.  Loads and
 * stores of words go through be64toh()/htobe64(), so both work on either
 * byte order.  Decoding is
 * strict: the URL-safe alphabet only, no padding, and the unused low bits
 * of the last character must be zero, so every byte string has exactly
 * one accepted encoding.
 *
 * On x86 with SSSE3 (chosen at run time) encoding takes twelve octets per
 * step in vector registers: a byte shuffle spreads each three octets over
 * a 32-bit lane, two multiplies move the four 6-bit fields into the four
 * bytes, and a 16-entry shuffle table adds each range's offset to ASCII.
 * With AVX2 two such steps run side by side in the two 128-bit lanes.
 * It is most of a seal's cost beyond AES-GCM otherwise.
 */
#include <endian.h>
#include <pthread.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ESPRIM_B64_SSSE3
#endif

#include "esprim.h"

static const char esprim_b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Each entry holds its two characters in memory order. */
static uint16_t esprim_b64_pairs[4096];
/* [i][c]: the value of c shifted left by 18 - 6 i; ESPRIM_B64_BAD if none */
static uint32_t esprim_b64_values[4][256];
#define ESPRIM_B64_BAD	0x01000000u
static pthread_once_t esprim_b64_once = PTHREAD_ONCE_INIT;
static bool esprim_b64_done;	/* the tables are built */
#ifdef ESPRIM_B64_SSSE3
static bool esprim_b64_vector;	/* SSSE3 is there */
static bool esprim_b64_vector2;	/* AVX2 too */
#endif

static void esprim_b64_init(void)
{
	unsigned int i;

	for (i = 0; i < 4096; i++) {
		char pair[2] = { esprim_b64_alphabet[i >> 6],
				 esprim_b64_alphabet[i & 63] };

		memcpy(&esprim_b64_pairs[i], pair, 2);
	}
	for (i = 0; i < 256; i++) {
		esprim_b64_values[0][i] = ESPRIM_B64_BAD;
		esprim_b64_values[1][i] = ESPRIM_B64_BAD;
		esprim_b64_values[2][i] = ESPRIM_B64_BAD;
		esprim_b64_values[3][i] = ESPRIM_B64_BAD;
	}
	for (i = 0; i < 64; i++) {
		uint8_t c = (uint8_t)esprim_b64_alphabet[i];

		esprim_b64_values[0][c] = i << 18;
		esprim_b64_values[1][c] = i << 12;
		esprim_b64_values[2][c] = i << 6;
		esprim_b64_values[3][c] = i;
	}
#ifdef ESPRIM_B64_SSSE3
	esprim_b64_vector = __builtin_cpu_supports("ssse3");
	esprim_b64_vector2 = esprim_b64_vector &&
			     __builtin_cpu_supports("avx2");
#endif
	__atomic_store_n(&esprim_b64_done, true, __ATOMIC_RELEASE);
}

/*
 * A seal encodes three parts: one acquire load here rather than three
 * calls into pthread_once().
 */
static inline void esprim_b64_ready(void)
{
	if (!__atomic_load_n(&esprim_b64_done, __ATOMIC_ACQUIRE))
		pthread_once(&esprim_b64_once, esprim_b64_init);
}

size_t esprim_b64url_encoded_len(size_t len)
{
	return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
}

/* Eight characters for the top 48 bits of w. */
static inline void esprim_b64_put8(char *o, uint64_t w)
{
	const uint16_t *p = esprim_b64_pairs;

	memcpy(o, &p[w >> 52], 2);
	memcpy(o + 2, &p[(w >> 40) & 0xfff], 2);
	memcpy(o + 4, &p[(w >> 28) & 0xfff], 2);
	memcpy(o + 6, &p[(w >> 16) & 0xfff], 2);
}

static inline uint64_t esprim_load_be64(const uint8_t *in)
{
	uint64_t w;

	memcpy(&w, in, 8);
	return be64toh(w);
}

#ifdef ESPRIM_B64_SSSE3
/* Encodes twelve octets per step while 16 can be loaded; returns the rest. */
__attribute__((target("ssse3")))
static size_t esprim_b64_encode_ssse3(const uint8_t **inp, size_t len,
				      char **outp)
{
	/* Lane bytes b, a, c, b of each three octets a, b, c. */
	const __m128i spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4,
					     7, 6, 8, 7, 10, 9, 11, 10);
	/* Offsets to ASCII by range: 26..51, 52..61, 62, 63, then 0..25. */
	const __m128i offsets = _mm_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4,
					      -4, -4, -4, -17, 32, 65, 0, 0);
	const uint8_t *in = *inp;
	char *o = *outp;

	for (; len >= 16; len -= 12, in += 12, o += 16) {
		__m128i v = _mm_shuffle_epi8(
			_mm_loadu_si128((const __m128i *)in), spread);
		/* Fields 0 and 2 down into place, 1 and 3 up. */
		__m128i hi = _mm_mulhi_epu16(
			_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)),
			_mm_set1_epi32(0x04000040));
		__m128i lo = _mm_mullo_epi16(
			_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)),
			_mm_set1_epi32(0x01000010));
		__m128i idx = _mm_or_si128(hi, lo);
		/* 0 for 0..51, 1..12 for 52..63, 13 for 0..25. */
		__m128i range = _mm_subs_epu8(idx, _mm_set1_epi8(51));

		range = _mm_or_si128(range,
				     _mm_and_si128(_mm_cmpgt_epi8(
							   _mm_set1_epi8(26),
							   idx),
						   _mm_set1_epi8(13)));
		_mm_storeu_si128((__m128i *)o,
				 _mm_add_epi8(idx,
					      _mm_shuffle_epi8(offsets,
							       range)));
	}
	*inp = in;
	*outp = o;
	return len;
}

/* Twice the SSSE3 step, one in each 128-bit lane, while 28 can be loaded. */
__attribute__((target("avx2")))
static size_t esprim_b64_encode_avx2(const uint8_t **inp, size_t len,
				     char **outp)
{
	const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4,
						7, 6, 8, 7, 10, 9, 11, 10,
						1, 0, 2, 1, 4, 3, 5, 4,
						7, 6, 8, 7, 10, 9, 11, 10);
	const __m256i offsets = _mm256_setr_epi8(71, -4, -4, -4, -4, -4, -4,
						 -4, -4, -4, -4, -17, 32, 65,
						 0, 0, 71, -4, -4, -4, -4, -4,
						 -4, -4, -4, -4, -4, -17, 32,
						 65, 0, 0);
	const uint8_t *in = *inp;
	char *o = *outp;

	for (; len >= 28; len -= 24, in += 24, o += 32) {
		__m256i v = _mm256_inserti128_si256(
			_mm256_castsi128_si256(
				_mm_loadu_si128((const __m128i *)in)),
			_mm_loadu_si128((const __m128i *)(in + 12)), 1);
		__m256i hi, lo, idx, range;

		v = _mm256_shuffle_epi8(v, spread);
		hi = _mm256_mulhi_epu16(
			_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
			_mm256_set1_epi32(0x04000040));
		lo = _mm256_mullo_epi16(
			_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
			_mm256_set1_epi32(0x01000010));
		idx = _mm256_or_si256(hi, lo);
		range = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
		range = _mm256_or_si256(range,
					_mm256_and_si256(_mm256_cmpgt_epi8(
							_mm256_set1_epi8(26),
							idx),
						_mm256_set1_epi8(13)));
		_mm256_storeu_si256((__m256i *)o,
				    _mm256_add_epi8(idx,
						    _mm256_shuffle_epi8(offsets,
									range)));
	}
	*inp = in;
	*outp = o;
	return len;
}
#endif

size_t esprim_b64url_encode(const uint8_t *in, size_t len, char *out)
{
	const char *a = esprim_b64_alphabet;
	char *o = out;
	uint32_t v;

	esprim_b64_ready();
#ifdef ESPRIM_B64_SSSE3
	if (esprim_b64_vector2)
		len = esprim_b64_encode_avx2(&in, len, &o);
	if (esprim_b64_vector)
		len = esprim_b64_encode_ssse3(&in, len, &o);
#endif
	/*
	 * Eighteen octets per step from three overlapping 64-bit loads; each
	 * load reads two octets past the six it encodes, so 20 must remain.
	 */
	for (; len >= 20; len -= 18, in += 18, o += 24) {
		uint64_t w0 = esprim_load_be64(in);
		uint64_t w1 = esprim_load_be64(in + 6);
		uint64_t w2 = esprim_load_be64(in + 12);

		esprim_b64_put8(o, w0);
		esprim_b64_put8(o + 8, w1);
		esprim_b64_put8(o + 16, w2);
	}
	for (; len >= 8; len -= 6, in += 6, o += 8)
		esprim_b64_put8(o, esprim_load_be64(in));
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

/* Four characters as 24 bits, ESPRIM_B64_BAD set if one is not base64url. */
static inline uint32_t esprim_b64_quad(const uint8_t *s)
{
	return esprim_b64_values[0][s[0]] | esprim_b64_values[1][s[1]] |
	       esprim_b64_values[2][s[2]] | esprim_b64_values[3][s[3]];
}

long esprim_b64url_decode(const char *in, size_t n, uint8_t *out,
			  size_t out_size)
{
	const uint8_t *s = (const uint8_t *)in;
	uint8_t *o = out, *end;
	uint32_t x, y;
	uint64_t w;
	size_t len;

	esprim_b64_ready();
	if (n % 4 == 1)
		return -1;
	len = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
	if (len > out_size)
		return -1;
	end = out + len;
	/*
	 * Eight characters per step into one 64-bit store of which six bytes
	 * count: only while eight bytes of the decoded length remain, so
	 * nothing past it is written.
	 */
	for (; n >= 8 && end - o >= 8; n -= 8, s += 8, o += 6) {
		x = esprim_b64_quad(s);
		y = esprim_b64_quad(s + 4);
		if ((x | y) & ESPRIM_B64_BAD)
			return -1;
		w = htobe64((uint64_t)x << 40 | (uint64_t)y << 16);
		memcpy(o, &w, 8);
	}
	for (; n >= 4; n -= 4, s += 4, o += 3) {
		x = esprim_b64_quad(s);
		if (x & ESPRIM_B64_BAD)
			return -1;
		o[0] = (uint8_t)(x >> 16);
		o[1] = (uint8_t)(x >> 8);
		o[2] = (uint8_t)x;
	}
	/* The unused low bits of the last character must be zero. */
	if (n == 3) {
		x = esprim_b64_values[0][s[0]] | esprim_b64_values[1][s[1]] |
		    esprim_b64_values[2][s[2]];
		if (x & (ESPRIM_B64_BAD | 0xc0))
			return -1;
		*o++ = (uint8_t)(x >> 16);
		*o++ = (uint8_t)(x >> 8);
	} else if (n == 2) {
		x = esprim_b64_values[0][s[0]] | esprim_b64_values[1][s[1]];
		if (x & (ESPRIM_B64_BAD | 0xf000))
			return -1;
		*o++ = (uint8_t)(x >> 16);
	}
	return (long)(o - out);
}
