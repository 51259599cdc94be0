/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * AF_ALG access to the onem2m-esprim AEAD template through libkcapi.
 */
#ifndef ESPRIM_AFALG_H
#define ESPRIM_AFALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/onem2m_esprim.h>

struct kcapi_handle;

/* Fills the RAW setkey blob of the uapi header. */
void esprim_key_raw_init(struct onem2m_esprim_key_raw *blob,
			 const uint8_t *key, unsigned int key_len,
			 enum onem2m_esprim_role role,
			 uint64_t max_invocations);

/*
 * Opens an AEAD by name (ONEM2M_ESPRIM_AEAD_ALG, or plain "gcm(aes)" for
 * comparisons), sets its key (a key blob for the template) and authsize.
 * Returns 0 or -errno.
 */
int esprim_afalg_open(struct kcapi_handle **handle, const char *alg,
		      const void *key, size_t key_len, unsigned int authsize);

/*
 * One AEAD operation.  in = AAD || text; the output layout is the
 * algorithm's (the uapi header has the template's).  out_len must be the
 * exact output length: libkcapi waits for that many bytes.  iv is NULL
 * for the template, which takes none.  Returns the output length or
 * -errno.
 */
ssize_t esprim_afalg_crypt(struct kcapi_handle *handle, bool encrypt,
			   const uint8_t *iv, size_t assoclen,
			   const uint8_t *in, size_t in_len,
			   uint8_t *out, size_t out_len);

#endif /* ESPRIM_AFALG_H */
