// SPDX-License-Identifier: GPL-2.0
/*
 * The key derivations of TS-0003, both HMAC-SHA256 with the crypto API:
 *
 *   10.3.8.2 sessionESPrimKey = HMAC-SHA256(pairwiseESPrimKey,
 *       rro || oro || "oneM2M HMAC-SHA256 sessionESPrimKey derivation
 *       algorithm"), leftmost 16, 24 or 32 octets for A128/A192/A256GCM
 *   10.3.7 usage-constrained key = HMAC-SHA-256(Ke, "oneM2M Enrolment Key
 *       to Usage-Constrained Symmetric Key derivation" || SUID ||
 *       Enrolment-Target-ID), SUID in ASCII decimal digits
 */

#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

struct esprim_kdf_part {
	const void *data;
	unsigned int len;
};

/*
 * One hmac(sha256) transform for the module's life, allocated at load (so
 * no derivation allocates, or loads a module, with a key lock held);
 * setkey and digest are serialised by the mutex, derivations being rare.
 */
static struct crypto_shash *esprim_hmac_tfm;
static const u8 esprim_hmac_blank[SHA256_DIGEST_SIZE];
static DEFINE_MUTEX(esprim_hmac_lock);

int esprim_kdf_init(void)
{
	struct crypto_shash *tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	esprim_hmac_tfm = tfm;
	return 0;
}

void esprim_kdf_exit(void)
{
	crypto_free_shash(esprim_hmac_tfm);
	esprim_hmac_tfm = NULL;
}

/* HMAC-SHA256 of the concatenated parts, leftmost out_len octets. */
static int esprim_hmac_sha256(const u8 *key, unsigned int key_len,
			      const struct esprim_kdf_part *parts,
			      unsigned int nparts, u8 *out,
			      unsigned int out_len)
{
	struct crypto_shash *tfm = esprim_hmac_tfm;
	u8 digest[SHA256_DIGEST_SIZE];
	unsigned int i;
	int err;

	if (out_len > sizeof(digest))
		return -EINVAL;

	mutex_lock(&esprim_hmac_lock);
	err = crypto_shash_setkey(tfm, key, key_len);
	if (!err) {
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		err = crypto_shash_init(desc);
		for (i = 0; !err && i < nparts; i++)
			err = crypto_shash_update(desc, parts[i].data,
						  parts[i].len);
		if (!err)
			err = crypto_shash_final(desc, digest);
		shash_desc_zero(desc);
	}
	/*
	 * Leave no state derived from the key in the shared transform: a
	 * fixed key long enough for every hmac (FIPS refuses short ones).
	 */
	WARN_ON_ONCE(crypto_shash_setkey(tfm, esprim_hmac_blank,
					 sizeof(esprim_hmac_blank)));
	mutex_unlock(&esprim_hmac_lock);
	if (!err)
		memcpy(out, digest, out_len);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

int esprim_session_kdf(const u8 *pairwise, unsigned int pairwise_len,
		       const u8 *rro, unsigned int rro_len,
		       const u8 *oro, unsigned int oro_len,
		       u8 *out, unsigned int out_len)
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	const struct esprim_kdf_part parts[] = {
		{ rro, rro_len },
		{ oro, oro_len },
		{ label, sizeof(label) - 1 },
	};

	return esprim_hmac_sha256(pairwise, pairwise_len, parts,
				  ARRAY_SIZE(parts), out, out_len);
}

int esprim_rspf_kdf(const u8 *ke, unsigned int ke_len, u8 suid,
		    const char *target, unsigned int target_len,
		    u8 out[SHA256_DIGEST_SIZE])
{
	static const char label[] = ONEM2M_ESPRIM_RSPF_LABEL;
	char digits[4];
	const struct esprim_kdf_part parts[] = {
		{ label, sizeof(label) - 1 },
		{ digits, snprintf(digits, sizeof(digits), "%u", suid) },
		{ target, target_len },
	};

	return esprim_hmac_sha256(ke, ke_len, parts, ARRAY_SIZE(parts), out,
				  SHA256_DIGEST_SIZE);
}
