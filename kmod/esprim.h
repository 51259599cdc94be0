/* SPDX-License-Identifier: GPL-2.0 */
/*
 * onem2m_esprim module internals shared between its source files.
 */
#ifndef _ONEM2M_ESPRIM_H
#define _ONEM2M_ESPRIM_H

#include <linux/types.h>

struct crypto_aead;

/* A setkey blob, checked and decoded (key_blob.c). */
struct esprim_key_params {
	const u8 *key;		/* points into the caller's blob */
	unsigned int key_len;
	u8 role;		/* enum onem2m_esprim_role */
	u64 max_invocations;
};

int esprim_key_blob_parse(const u8 *blob, unsigned int len,
			  struct esprim_key_params *params);

/* AEAD template (aead.c). */
extern struct crypto_template esprim_aead_tmpl;

/*
 * Known-answer tests only: replace the random bits of the IV fixed field
 * (the role bit stays as setkey put it) and the next invocation counter.
 */
void esprim_aead_set_iv_state(struct crypto_aead *tfm, u32 random_bits,
			      u64 next_counter);

/* Known-answer self-test run before the module goes live (selftest.c). */
int esprim_aead_selftest(void);

#endif /* _ONEM2M_ESPRIM_H */
