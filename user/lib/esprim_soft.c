// SPDX-License-Identifier: GPL-2.0
/*
 * Soft backend: the session key in this process, AES-GCM through OpenSSL
 * EVP.  Each session keeps two cipher contexts with the key schedule
 * expanded once; an operation only sets the IV.  IVs and the replay
 * window follow the kernel template (uapi header), so both backends give
 * the same bytes.
 */
#include <stdlib.h>
#include <openssl/evp.h>

#include "esprim_internal.h"

struct esprim_soft_session {
	EVP_CIPHER_CTX *seal;
	EVP_CIPHER_CTX *open;
};

static const EVP_CIPHER *esprim_soft_cipher(enum onem2m_esprim_enc enc)
{
	switch (enc) {
	case ONEM2M_ESPRIM_ENC_A128GCM:
		return EVP_aes_128_gcm();
	case ONEM2M_ESPRIM_ENC_A192GCM:
		return EVP_aes_192_gcm();
	default:
		return EVP_aes_256_gcm();
	}
}

static void esprim_soft_session_fini(struct esprim_session *s)
{
	struct esprim_soft_session *ss = s->backend;

	if (!ss)
		return;
	EVP_CIPHER_CTX_free(ss->seal);
	EVP_CIPHER_CTX_free(ss->open);
	free(ss);
	s->backend = NULL;
}

static int esprim_soft_session_init(struct esprim_session *s,
				    struct esprim_error *err)
{
	const EVP_CIPHER *cipher = esprim_soft_cipher(s->enc);
	struct esprim_soft_session *ss;
	uint8_t key[ONEM2M_ESPRIM_MAX_KEY_LEN];
	int rc;

	rc = esprim_derive_session_key(s->pairwise->key, s->pairwise->key_len,
				       &s->rro, &s->oro, s->enc, key, err);
	if (rc)
		return rc;
	ss = calloc(1, sizeof(*ss));
	s->backend = ss;
	if (ss) {
		ss->seal = EVP_CIPHER_CTX_new();
		ss->open = EVP_CIPHER_CTX_new();
	}
	if (!ss || !ss->seal || !ss->open ||
	    !EVP_EncryptInit_ex(ss->seal, cipher, NULL, key, NULL) ||
	    !EVP_DecryptInit_ex(ss->open, cipher, NULL, key, NULL)) {
		esprim_wipe(key, sizeof(key));
		esprim_soft_session_fini(s);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "OpenSSL AES-GCM set-up failed");
	}
	esprim_wipe(key, sizeof(key));
	return 0;
}

static int esprim_soft_seal(struct esprim_session *s, const uint8_t *text,
			    size_t len, const uint8_t **ct_out,
			    uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			    uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			    struct esprim_error *err)
{
	struct esprim_soft_session *ss = s->backend;
	uint64_t c = s->counter;
	uint8_t *ct;
	int n, i;

	if (esprim_ctx_scratch(s->ctx, len + 1))
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	ct = s->ctx->scratch;
	if (c >= s->max_invocations)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "session %s:%s:%s used all its IVs",
				   s->kid, s->ori, s->rri);
	for (i = 0; i < 4; i++)
		iv[i] = (uint8_t)(s->fixed >> (24 - 8 * i));
	for (i = 11; i >= 4; i--, c >>= 8)
		iv[i] = (uint8_t)c;
	if (!EVP_EncryptInit_ex(ss->seal, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(ss->seal, NULL, &n, (const uint8_t *)s->hdr,
			       (int)s->hdr_len) ||
	    !EVP_EncryptUpdate(ss->seal, ct, &n, text, (int)len) ||
	    !EVP_EncryptFinal_ex(ss->seal, ct + n, &n) ||
	    !EVP_CIPHER_CTX_ctrl(ss->seal, EVP_CTRL_GCM_GET_TAG,
				 ONEM2M_ESPRIM_TAG_LEN, tag))
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "OpenSSL AES-GCM encryption failed");
	s->counter++;
	*ct_out = ct;
	return 0;
}

static int esprim_soft_open(struct esprim_session *s, const char *aad,
			    size_t aad_len,
			    const uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			    const uint8_t *ct, size_t len,
			    const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			    uint8_t *text, struct esprim_error *err)
{
	struct esprim_soft_session *ss = s->backend;
	int n, rc;

	if (!EVP_DecryptInit_ex(ss->open, NULL, NULL, NULL, iv) ||
	    !EVP_DecryptUpdate(ss->open, NULL, &n, (const uint8_t *)aad,
			       (int)aad_len) ||
	    !EVP_DecryptUpdate(ss->open, text, &n, ct, (int)len) ||
	    !EVP_CIPHER_CTX_ctrl(ss->open, EVP_CTRL_GCM_SET_TAG,
				 ONEM2M_ESPRIM_TAG_LEN, (void *)tag))
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "OpenSSL AES-GCM decryption failed");
	if (EVP_DecryptFinal_ex(ss->open, text + n, &n) <= 0) {
		esprim_wipe(text, len);
		return esprim_fail(err, ESPRIM_RSC_BAD_MAC,
				   "integrity check of the ESPrim Object failed");
	}
	/* Like the kernel: the replay state once the tag verified. */
	rc = esprim_replay_commit(&s->replay, s->fixed, iv);
	if (rc)
		esprim_wipe(text, len);
	return rc ? esprim_replay_fail(rc, err) : 0;
}

const struct esprim_backend_ops esprim_soft_ops = {
	.name = "soft",
	.session_init = esprim_soft_session_init,
	.session_fini = esprim_soft_session_fini,
	.seal = esprim_soft_seal,
	.open = esprim_soft_open,
};
