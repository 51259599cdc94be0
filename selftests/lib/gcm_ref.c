// SPDX-License-Identifier: GPL-2.0
/*
 * Reference AES-GCM (OpenSSL EVP) that the tests hold the kernel to.
 */
#include <openssl/evp.h>

#include "gcm_ref.h"

static const EVP_CIPHER *gcm_cipher(size_t key_len)
{
	switch (key_len) {
	case 16: return EVP_aes_128_gcm();
	case 24: return EVP_aes_192_gcm();
	case 32: return EVP_aes_256_gcm();
	default: return NULL;
	}
}

static int gcm_ref_crypt(int enc, const uint8_t *key, size_t key_len,
			 const uint8_t iv[12], const uint8_t *aad,
			 size_t aad_len, const uint8_t *in, size_t len,
			 uint8_t *out, uint8_t tag[16])
{
	const EVP_CIPHER *cipher = gcm_cipher(key_len);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = cipher && ctx &&
	     EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) &&
	     (aad_len == 0 ||
	      EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len)) &&
	     (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len)) &&
	     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag)) &&
	     EVP_CipherFinal_ex(ctx, out + len, &n) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int gcm_ref_seal(const uint8_t *key, size_t key_len, const uint8_t iv[12],
		 const uint8_t *aad, size_t aad_len,
		 const uint8_t *text, size_t text_len,
		 uint8_t *ct, uint8_t tag[16])
{
	return gcm_ref_crypt(1, key, key_len, iv, aad, aad_len, text,
			     text_len, ct, tag);
}

int gcm_ref_open(const uint8_t *key, size_t key_len, const uint8_t iv[12],
		 const uint8_t *aad, size_t aad_len,
		 const uint8_t *ct, size_t ct_len, const uint8_t tag[16],
		 uint8_t *text)
{
	return gcm_ref_crypt(0, key, key_len, iv, aad, aad_len, ct, ct_len,
			     text, (uint8_t *)tag);
}
