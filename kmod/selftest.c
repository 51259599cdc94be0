// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer self-test of the onem2m-esprim template, run at module load
 * before the template can be used.  It runs the template's own setkey,
 * seal and open code on a plain gcm(aes) tfm, with the IV state pinned so
 * that the output can be compared byte for byte with vectors computed
 * independently with OpenSSL (selftest_vectors.h).
 *
 * It must not allocate the template by name: a lookup of that very name
 * may be what is loading this module, and it waits for this init.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"
#include "selftest_vectors.h"

/* A context of the template's own on a plain gcm(aes) tfm. */
static int esprim_kat_ctx_init(struct esprim_aead_ctx *ctx)
{
	int err;

	ctx->inner = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(ctx->inner)) {
		err = PTR_ERR(ctx->inner);
		ctx->inner = NULL;
		return err;
	}
	return crypto_aead_setauthsize(ctx->inner, ONEM2M_ESPRIM_TAG_LEN);
}

static void esprim_kat_ctx_fini(struct esprim_aead_ctx *ctx)
{
	esprim_aead_ctx_clear(ctx);
	crypto_free_aead(ctx->inner);
}

static int esprim_kat_setkey(struct esprim_aead_ctx *ctx,
			     const struct esprim_kat_vector *v, u8 role)
{
	struct onem2m_esprim_key_raw blob = {
		.hdr.version = ONEM2M_ESPRIM_KEY_BLOB_V1,
		.hdr.form = ONEM2M_ESPRIM_KEY_FORM_RAW,
		.role = role,
		.key_len = v->key_len,
	};
	int err;

	memcpy(blob.key, v->key, v->key_len);
	err = esprim_aead_ctx_setkey(ctx, 0, (const u8 *)&blob, sizeof(blob));
	memzero_explicit(&blob, sizeof(blob));
	return err;
}

/*
 * Seal with the vector's role and compare, open with the other role (a
 * side never opens its own objects), then refuse a flipped bit.
 */
static int esprim_kat_run(struct esprim_aead_ctx *sealer,
			  struct esprim_aead_ctx *opener,
			  struct esprim_aead_req_ctx *rctx,
			  const struct esprim_kat_vector *v, u8 *buf)
{
	unsigned int aad_len = strlen(v->aad);
	unsigned int text_len = strlen(v->text);
	unsigned int sealed_len = text_len + ONEM2M_ESPRIM_TRAILER_LEN;
	struct aead_request req = {};
	struct esprim_session *s;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	err = esprim_kat_setkey(sealer, v, v->role);
	if (!err)
		err = esprim_kat_setkey(opener, v, !v->role);
	if (err)
		return err;
	/*
	 * Pin what setkey randomised; the role bit stays as it set it.  No
	 * one else can reach this state: the module is not live yet.
	 */
	s = sealer->session;
	s->fixed = (s->fixed & ONEM2M_ESPRIM_IV_ROLE_BIT) |
		   (v->fixed_random & ~ONEM2M_ESPRIM_IV_ROLE_BIT);
	atomic64_set(&s->next_counter, v->counter);

	memcpy(buf, v->aad, aad_len);
	memcpy(buf + aad_len, v->text, text_len);
	sg_init_one(&sg, buf, aad_len + sealed_len);
	aead_request_set_callback(&req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(&req, aad_len);

	aead_request_set_crypt(&req, &sg, &sg, text_len, NULL);
	err = crypto_wait_req(esprim_aead_seal(sealer, rctx, &req), &wait);
	if (err)
		return err;
	if (v->sealed_len != sealed_len ||
	    memcmp(buf + aad_len, v->sealed, sealed_len))
		return -EBADMSG;

	aead_request_set_crypt(&req, &sg, &sg, sealed_len, NULL);
	err = crypto_wait_req(esprim_aead_open(opener, rctx, &req), &wait);
	if (err)
		return err;
	if (memcmp(buf + aad_len, v->text, text_len))
		return -EBADMSG;

	memcpy(buf + aad_len, v->sealed, sealed_len);
	buf[aad_len + text_len] ^= 0x01;	/* first tag byte */
	err = crypto_wait_req(esprim_aead_open(opener, rctx, &req), &wait);
	return err == -EBADMSG ? 0 : -EINVAL;
}

static int esprim_kat_one(const struct esprim_kat_vector *v)
{
	struct esprim_aead_ctx sealer = {}, opener = {};
	struct esprim_aead_req_ctx *rctx = NULL;
	u8 *buf = NULL;
	int err;

	err = esprim_kat_ctx_init(&sealer);
	if (!err)
		err = esprim_kat_ctx_init(&opener);
	if (err)
		goto out;
	err = -ENOMEM;
	rctx = kzalloc(max(esprim_aead_req_ctx_size(sealer.inner),
			   esprim_aead_req_ctx_size(opener.inner)), GFP_KERNEL);
	buf = kmalloc(strlen(v->aad) + strlen(v->text) +
		      ONEM2M_ESPRIM_TRAILER_LEN, GFP_KERNEL);
	if (rctx && buf)
		err = esprim_kat_run(&sealer, &opener, rctx, v, buf);
out:
	kfree(buf);
	kfree_sensitive(rctx);
	esprim_kat_ctx_fini(&opener);
	esprim_kat_ctx_fini(&sealer);
	return err;
}

int esprim_aead_selftest(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(esprim_kat_vectors); i++) {
		err = esprim_kat_one(&esprim_kat_vectors[i]);
		if (err) {
			pr_err("known-answer test %s failed: %d\n",
			       esprim_kat_vectors[i].name, err);
			return err;
		}
	}
	return 0;
}
