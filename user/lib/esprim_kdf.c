// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sessionESPrimKey derivation in userspace (TS-0003 10.3.8.2), what the
 * soft backend uses and what the kernel key type computes for the kernel
 * backend:
 *
 *   HMAC-SHA256(pairwiseESPrimKey, rro || oro || label)
 *
 * with the rand objects as their JCS octets (profile B.1) and the leftmost
 * 16, 24 or 32 octets kept for A128GCM, A192GCM, A256GCM (profile B.3).
 */
#include <string.h>
#include <openssl/evp.h>

#include "esprim_internal.h"

int esprim_derive_session_key(const uint8_t *pairwise, size_t pairwise_len,
			      const struct esprim_rand *rro,
			      const struct esprim_rand *oro,
			      enum onem2m_esprim_enc enc, uint8_t *key,
			      struct esprim_error *err)
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	uint8_t msg[2 * ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN + sizeof(label)];
	unsigned int key_len = esprim_enc_key_len(enc);
	uint8_t mac[32];
	size_t n = 0, mac_len = 0;

	if (!key_len)
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "unsupported enc %d", enc);
	if (pairwise_len < ONEM2M_ESPRIM_MIN_PAIRWISE_LEN ||
	    pairwise_len > ONEM2M_ESPRIM_MAX_PAIRWISE_LEN)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "pairwise key of %zu bytes (16 to 64 allowed)",
				   pairwise_len);
	memcpy(msg, rro->canon, rro->canon_len);
	n += rro->canon_len;
	memcpy(msg + n, oro->canon, oro->canon_len);
	n += oro->canon_len;
	memcpy(msg + n, label, sizeof(label) - 1);
	n += sizeof(label) - 1;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, pairwise,
		       pairwise_len, msg, n, mac, sizeof(mac), &mac_len) ||
	    mac_len != sizeof(mac))
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "HMAC-SHA256 failed");
	memcpy(key, mac, key_len);
	esprim_wipe(mac, sizeof(mac));
	return 0;
}
