// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer self-test of the onem2m-esprim template, run at module load
 * before the module goes live.  It drives the registered template through
 * the crypto API exactly as any user would, with the IV state pinned so
 * that the output can be compared byte for byte with vectors computed
 * independently with OpenSSL (selftest_vectors.h).
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

static int esprim_kat_setkey(struct crypto_aead *tfm,
			     const struct esprim_kat_vector *v)
{
	struct onem2m_esprim_key_raw blob = {
		.hdr.version = ONEM2M_ESPRIM_KEY_BLOB_V1,
		.hdr.form = ONEM2M_ESPRIM_KEY_FORM_RAW,
		.role = v->role,
		.key_len = v->key_len,
	};
	int err;

	memcpy(blob.key, v->key, v->key_len);
	err = crypto_aead_setkey(tfm, (const u8 *)&blob, sizeof(blob));
	memzero_explicit(&blob, sizeof(blob));
	if (!err)
		esprim_aead_set_iv_state(tfm, v->fixed_random, v->counter);
	return err;
}

/* Seal, compare with the vector, open again, then refuse a flipped bit. */
static int esprim_kat_run(struct crypto_aead *tfm, struct aead_request *req,
			  const struct esprim_kat_vector *v, u8 *buf)
{
	unsigned int aad_len = strlen(v->aad);
	unsigned int text_len = strlen(v->text);
	unsigned int sealed_len = text_len + ONEM2M_ESPRIM_TRAILER_LEN;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	err = esprim_kat_setkey(tfm, v);
	if (err)
		return err;

	memcpy(buf, v->aad, aad_len);
	memcpy(buf + aad_len, v->text, text_len);
	sg_init_one(&sg, buf, aad_len + sealed_len);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, aad_len);

	aead_request_set_crypt(req, &sg, &sg, text_len, NULL);
	err = crypto_wait_req(crypto_aead_encrypt(req), &wait);
	if (err)
		return err;
	if (v->sealed_len != sealed_len ||
	    memcmp(buf + aad_len, v->sealed, sealed_len))
		return -EBADMSG;

	aead_request_set_crypt(req, &sg, &sg, sealed_len, NULL);
	err = crypto_wait_req(crypto_aead_decrypt(req), &wait);
	if (err)
		return err;
	if (memcmp(buf + aad_len, v->text, text_len))
		return -EBADMSG;

	memcpy(buf + aad_len, v->sealed, sealed_len);
	buf[aad_len + text_len] ^= 0x01;	/* first tag byte */
	err = crypto_wait_req(crypto_aead_decrypt(req), &wait);
	return err == -EBADMSG ? 0 : -EINVAL;
}

static int esprim_kat_one(const struct esprim_kat_vector *v)
{
	struct crypto_aead *tfm;
	struct aead_request *req;
	u8 *buf;
	int err;

	tfm = crypto_alloc_aead(ONEM2M_ESPRIM_AEAD_ALG, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	err = -ENOMEM;
	buf = kmalloc(strlen(v->aad) + strlen(v->text) +
		      ONEM2M_ESPRIM_TRAILER_LEN, GFP_KERNEL);
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (buf && req)
		err = esprim_kat_run(tfm, req, v, buf);

	aead_request_free(req);
	kfree(buf);
	crypto_free_aead(tfm);
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
