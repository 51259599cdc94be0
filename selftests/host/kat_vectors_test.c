// SPDX-License-Identifier: GPL-2.0
/*
 * The module's known-answer vectors (kmod/selftest_vectors.h) recomputed
 * with OpenSSL: proves they were not produced by the code they test.  On
 * a mismatch it prints the array OpenSSL computed, ready to paste.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/onem2m_esprim.h>

#include "kselftest_harness.h"
#include "../lib/gcm_ref.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#include "../../kmod/selftest_vectors.h"

#define NVECTORS (sizeof(esprim_kat_vectors) / sizeof(esprim_kat_vectors[0]))

static void kat_iv(const struct esprim_kat_vector *v, uint8_t iv[12])
{
	uint32_t fixed = (v->fixed_random & ~ONEM2M_ESPRIM_IV_ROLE_BIT) |
			 (v->role ? ONEM2M_ESPRIM_IV_ROLE_BIT : 0);
	int i;

	for (i = 0; i < 4; i++)
		iv[i] = fixed >> (24 - 8 * i);
	for (i = 0; i < 8; i++)
		iv[4 + i] = v->counter >> (56 - 8 * i);
}

static void print_sealed(const char *name, const uint8_t *b, size_t len)
{
	size_t i;

	printf("# OpenSSL computes for %s:\n# { ", name);
	for (i = 0; i < len; i++)
		printf("0x%02x,%s", b[i], (i % 8 == 7) ? "\n#   " : " ");
	printf("}\n");
}

TEST(vectors_match_openssl)
{
	uint8_t buf[1024], iv[12];
	size_t i;

	ASSERT_EQ(3, NVECTORS);
	for (i = 0; i < NVECTORS; i++) {
		const struct esprim_kat_vector *v = &esprim_kat_vectors[i];
		size_t aad_len = strlen(v->aad), text_len = strlen(v->text);
		size_t sealed_len = text_len + ONEM2M_ESPRIM_TRAILER_LEN;

		ASSERT_LE(sealed_len, sizeof(buf));
		kat_iv(v, iv);
		ASSERT_EQ(0, gcm_ref_seal(v->key, v->key_len, iv,
					  (const uint8_t *)v->aad, aad_len,
					  (const uint8_t *)v->text, text_len,
					  buf, buf + text_len));
		memcpy(buf + text_len + ONEM2M_ESPRIM_TAG_LEN, iv, 12);
		if (v->sealed_len != sealed_len ||
		    memcmp(buf, v->sealed, sealed_len))
			print_sealed(v->name, buf, sealed_len);
		EXPECT_EQ(sealed_len, v->sealed_len);
		EXPECT_EQ(0, memcmp(buf, v->sealed, sealed_len))
			TH_LOG("vector %s", v->name);
	}
}

/* The vectors cover every key size and both roles. */
TEST(vectors_cover_key_sizes_and_roles)
{
	unsigned int seen_len = 0, seen_role = 0;
	size_t i;

	for (i = 0; i < NVECTORS; i++) {
		seen_len |= esprim_kat_vectors[i].key_len;
		seen_role |= 1u << esprim_kat_vectors[i].role;
	}
	EXPECT_EQ(16 | 24 | 32, seen_len);
	EXPECT_EQ(3, seen_role);
}

TEST_HARNESS_MAIN
