// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Soft backend: keys in this process, AES-GCM through OpenSSL EVP.
 *
 * A session keeps the HMAC output of its derivation; each enc used (B.13)
 * gets the leftmost 16, 24 or 32 octets as its key, two cipher contexts
 * with the key schedule expanded once, and its own IV counter and replay
 * state, as each is a key of its own in the kernel.  IVs and replay
 * checks follow the kernel template (uapi header), so both backends give
 * the same bytes and refuse the same objects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "esprim_internal.h"

struct esprim_soft_pairwise {
	size_t len;
	uint8_t key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
};

struct esprim_soft_enc {
	EVP_CIPHER_CTX *seal;
	EVP_CIPHER_CTX *open;
	uint32_t fixed;
	uint64_t counter;
	struct esprim_replay replay;
};

struct esprim_soft_session {
	uint8_t secret[ONEM2M_ESPRIM_MAX_KEY_LEN];
	struct esprim_soft_enc enc[ONEM2M_ESPRIM_ENC_A256GCM + 1];
};

static int esprim_soft_pairwise_add(struct esprim_ctx *ctx,
				    struct esprim_pairwise *pw,
				    const struct esprim_pairwise_config *cfg,
				    struct esprim_error *err)
{
	struct esprim_soft_pairwise *sp;

	if (!cfg->key)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "the soft backend needs the key's octets");
	sp = malloc(sizeof(*sp));
	if (!sp)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	memcpy(sp->key, cfg->key, cfg->key_len);
	sp->len = cfg->key_len;
	pw->backend = sp;
	return 0;
}

static void esprim_soft_pairwise_del(struct esprim_ctx *ctx,
				     struct esprim_pairwise *pw)
{
	if (pw->backend)
		esprim_wipe(pw->backend, sizeof(struct esprim_soft_pairwise));
	free(pw->backend);
	pw->backend = NULL;
}

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
	unsigned int i;

	if (!ss)
		return;
	for (i = 0; i <= ONEM2M_ESPRIM_ENC_A256GCM; i++) {
		EVP_CIPHER_CTX_free(ss->enc[i].seal);
		EVP_CIPHER_CTX_free(ss->enc[i].open);
		esprim_replay_fini(&ss->enc[i].replay);
	}
	esprim_wipe(ss, sizeof(*ss));
	free(ss);
	s->backend = NULL;
}

static int esprim_soft_session_init(struct esprim_session *s,
				    struct esprim_error *err)
{
	struct esprim_soft_pairwise *sp = s->pairwise->backend;
	struct esprim_soft_session *ss;
	int rc;

	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory");
	/* A256GCM's key is the whole HMAC output; others its left part. */
	rc = esprim_derive_session_key(sp->key, sp->len, &s->rro, &s->oro,
				       ONEM2M_ESPRIM_ENC_A256GCM, ss->secret,
				       err);
	if (rc) {
		esprim_wipe(ss, sizeof(*ss));
		free(ss);
		return rc;
	}
	s->backend = ss;
	return 0;
}

/* The state of one enc, set up on first use. */
static int esprim_soft_enc(struct esprim_session *s,
			   enum onem2m_esprim_enc enc,
			   struct esprim_soft_enc **out,
			   struct esprim_error *err)
{
	struct esprim_soft_session *ss = s->backend;
	const EVP_CIPHER *cipher = esprim_soft_cipher(enc);
	struct esprim_soft_enc *e = &ss->enc[enc];
	const struct esprim_ctx_config *cfg = &s->ctx->config;

	*out = e;
	if (e->seal)
		return 0;
	e->seal = EVP_CIPHER_CTX_new();
	e->open = EVP_CIPHER_CTX_new();
	if (!e->seal || !e->open ||
	    !EVP_EncryptInit_ex(e->seal, cipher, NULL, ss->secret, NULL) ||
	    !EVP_DecryptInit_ex(e->open, cipher, NULL, ss->secret, NULL) ||
	    RAND_bytes((uint8_t *)&e->fixed, sizeof(e->fixed)) != 1) {
		EVP_CIPHER_CTX_free(e->seal);
		EVP_CIPHER_CTX_free(e->open);
		e->seal = NULL;
		e->open = NULL;
		return esprim_fail_local(err, EIO, ESPRIM_RSC_ENCRYPTION_ERROR,
					 "OpenSSL AES-GCM set-up failed");
	}
	/* Profile B.7: bit 31 of the fixed field is the sender's role. */
	e->fixed &= ~ONEM2M_ESPRIM_IV_ROLE_BIT;
	if (s->role == ONEM2M_ESPRIM_ROLE_RECEIVER)
		e->fixed |= ONEM2M_ESPRIM_IV_ROLE_BIT;
	esprim_replay_init(&e->replay, (uint8_t)s->pairwise->replay,
			   cfg->replay_window, cfg->replay_set);
	return 0;
}

static int esprim_soft_set_iv(struct esprim_session *s,
			      enum onem2m_esprim_enc enc, uint32_t fixed,
			      uint64_t counter, struct esprim_error *err)
{
	struct esprim_soft_enc *e;
	int rc = esprim_soft_enc(s, enc, &e, err);

	if (rc)
		return rc;
	e->fixed = fixed;
	e->counter = counter;
	return 0;
}

static int esprim_soft_seal(struct esprim_session *s,
			    enum onem2m_esprim_enc enc, const uint8_t *text,
			    size_t len, const uint8_t **ct_out,
			    uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			    uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			    struct esprim_error *err)
{
	struct esprim_soft_enc *e;
	uint64_t c;
	uint8_t *ct;
	int n, i, rc;

	rc = esprim_soft_enc(s, enc, &e, err);
	if (rc)
		return rc;
	if (esprim_ctx_scratch(s->ctx, len + 1))
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory");
	ct = s->ctx->scratch;
	c = e->counter;
	if (c >= ONEM2M_ESPRIM_MAX_INVOCATIONS)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "session %s:%s:%s used all its IVs: a new rand object is needed",
				   s->pairwise->kid, s->ori, s->rri);
	for (i = 0; i < 4; i++)
		iv[i] = (uint8_t)(e->fixed >> (24 - 8 * i));
	for (i = 11; i >= 4; i--, c >>= 8)
		iv[i] = (uint8_t)c;
	if (!EVP_EncryptInit_ex(e->seal, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(e->seal, NULL, &n, (const uint8_t *)s->hdr,
			       (int)s->hdr_len) ||
	    !EVP_EncryptUpdate(e->seal, ct, &n, text, (int)len) ||
	    !EVP_EncryptFinal_ex(e->seal, ct + n, &n) ||
	    !EVP_CIPHER_CTX_ctrl(e->seal, EVP_CTRL_GCM_GET_TAG,
				 ONEM2M_ESPRIM_TAG_LEN, tag))
		return esprim_fail_local(err, EIO, ESPRIM_RSC_ENCRYPTION_ERROR,
					 "OpenSSL AES-GCM encryption failed");
	e->counter++;
	*ct_out = ct;
	return 0;
}

static int esprim_soft_open(struct esprim_session *s,
			    enum onem2m_esprim_enc enc, const char *aad,
			    size_t aad_len,
			    const uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			    const uint8_t *ct, size_t len,
			    const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			    uint8_t *text, struct esprim_error *err)
{
	struct esprim_soft_enc *e;
	int n, rc;

	rc = esprim_soft_enc(s, enc, &e, err);
	if (rc)
		return rc;
	if (!EVP_DecryptInit_ex(e->open, NULL, NULL, NULL, iv) ||
	    !EVP_DecryptUpdate(e->open, NULL, &n, (const uint8_t *)aad,
			       (int)aad_len) ||
	    !EVP_DecryptUpdate(e->open, text, &n, ct, (int)len) ||
	    !EVP_CIPHER_CTX_ctrl(e->open, EVP_CTRL_GCM_SET_TAG,
				 ONEM2M_ESPRIM_TAG_LEN, (void *)tag)) {
		esprim_wipe(text, len);
		return esprim_fail_local(err, EIO, ESPRIM_RSC_DECRYPTION_ERROR,
					 "OpenSSL AES-GCM decryption failed");
	}
	if (EVP_DecryptFinal_ex(e->open, text + n, &n) <= 0) {
		esprim_wipe(text, len);
		return esprim_fail(err, ESPRIM_RSC_BAD_MAC,
				   "integrity check of the ESPrim Object failed");
	}
	/* Like the kernel: the replay state once the tag verified. */
	rc = esprim_replay_commit(&e->replay, e->fixed, iv);
	if (rc)
		esprim_wipe(text, len);
	return rc ? esprim_replay_fail(rc, err) : 0;
}

const struct esprim_backend_ops esprim_soft_ops = {
	.name = "soft",
	.pairwise_add = esprim_soft_pairwise_add,
	.pairwise_del = esprim_soft_pairwise_del,
	.session_init = esprim_soft_session_init,
	.session_fini = esprim_soft_session_fini,
	.seal = esprim_soft_seal,
	.open = esprim_soft_open,
	.set_iv = esprim_soft_set_iv,
};
