/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference AES-GCM (OpenSSL EVP) that the tests hold the kernel to.
 */
#ifndef ESPRIM_GCM_REF_H
#define ESPRIM_GCM_REF_H

#include <stddef.h>
#include <stdint.h>

/* ct receives text_len bytes, tag 16.  Returns 0, or -1 on an error. */
int gcm_ref_seal(const uint8_t *key, size_t key_len, const uint8_t iv[12],
		 const uint8_t *aad, size_t aad_len,
		 const uint8_t *text, size_t text_len,
		 uint8_t *ct, uint8_t tag[16]);

/* Returns 0 when the tag verifies, -1 otherwise. */
int gcm_ref_open(const uint8_t *key, size_t key_len, const uint8_t iv[12],
		 const uint8_t *aad, size_t aad_len,
		 const uint8_t *ct, size_t ct_len, const uint8_t tag[16],
		 uint8_t *text);

#endif /* ESPRIM_GCM_REF_H */
