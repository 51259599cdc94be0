// SPDX-License-Identifier: GPL-2.0
/*
 * sessionESPrimKey derivation, TS-0003 10.3.8.2:
 *
 *   HMAC-SHA256(pairwiseESPrimKey, receiverESPrimRandObject ||
 *               originatorESPrimRandObject || label)
 *
 * truncated to the leftmost out_len octets (16 for A128GCM, 24 for
 * A192GCM, all 32 for A256GCM).
 */

#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/err.h>
#include <linux/string.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

int esprim_session_kdf(const u8 *pairwise, unsigned int pairwise_len,
		       const u8 *rro, unsigned int rro_len,
		       const u8 *oro, unsigned int oro_len,
		       u8 *out, unsigned int out_len)
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	u8 digest[SHA256_DIGEST_SIZE];
	struct crypto_shash *tfm;
	int err;

	if (out_len > sizeof(digest))
		return -EINVAL;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	err = crypto_shash_setkey(tfm, pairwise, pairwise_len);
	if (!err) {
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		err = crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, rro, rro_len) ?:
		      crypto_shash_update(desc, oro, oro_len) ?:
		      crypto_shash_finup(desc, label, sizeof(label) - 1,
					 digest);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	if (!err)
		memcpy(out, digest, out_len);
	memzero_explicit(digest, sizeof(digest));
	return err;
}
