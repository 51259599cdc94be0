/* SPDX-License-Identifier: GPL-2.0 */
/*
 * onem2m_esprim module internals shared between its source files.
 */
#ifndef _ONEM2M_ESPRIM_H
#define _ONEM2M_ESPRIM_H

#include <crypto/aead.h>
#include <linux/atomic.h>
#include <linux/key.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/onem2m_esprim.h>

/* A setkey blob, checked and decoded (key_blob.c). */
struct esprim_key_params {
	u8 form;		/* enum onem2m_esprim_key_form */
	const u8 *key;		/* RAW: points into the caller's blob */
	unsigned int key_len;	/* RAW */
	u8 role;		/* RAW: enum onem2m_esprim_role */
	s32 serial;		/* REF: the session key */
	u64 max_invocations;
};

int esprim_key_blob_parse(const u8 *blob, unsigned int len,
			  struct esprim_key_params *params);

/* Key type "esprim" (key_type.c): the payload of its keys. */
struct esprim_key {
	struct rcu_head rcu;
	u8 kind;		/* enum onem2m_esprim_payload_kind */
	u8 enc;			/* session keys: enum onem2m_esprim_enc */
	u8 role;		/* session keys: enum onem2m_esprim_role */
	u8 key_len;
	u8 peer_len;		/* pairwise keys */
	char peer[ONEM2M_ESPRIM_MAX_PEER_LEN];
	u8 key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
};

extern struct key_type esprim_key_type;

/*
 * Copies the key and role of session key @serial, found in the caller's
 * context with search permission.  @key has room for 32 bytes.
 */
int esprim_session_key_get(s32 serial, u8 *key, unsigned int *key_len,
			   u8 *role);

/* sessionESPrimKey derivation (session_kdf.c). */
int esprim_session_kdf(const u8 *pairwise, unsigned int pairwise_len,
		       const u8 *rro, unsigned int rro_len,
		       const u8 *oro, unsigned int oro_len,
		       u8 *out, unsigned int out_len);

/* AEAD template (aead.c). */
extern struct crypto_template esprim_aead_tmpl;

struct esprim_aead_ctx {
	struct crypto_aead *inner;
	atomic64_t next_counter;	/* invocation counter of the next IV */
	u64 max_invocations;
	u32 fixed;			/* IV fixed field: role bit | random */
};

/* NIST SP 800-38D 8.2.1 deterministic IV, as it goes on the wire. */
struct esprim_iv {
	__be32 fixed;
	__be64 counter;
} __packed;

struct esprim_aead_req_ctx {
	struct esprim_iv iv;
	/* Must be last: the inner driver's request context follows it. */
	struct aead_request subreq;
};

static inline unsigned int esprim_aead_req_ctx_size(struct crypto_aead *inner)
{
	return sizeof(struct esprim_aead_req_ctx) + crypto_aead_reqsize(inner);
}

/*
 * The template's operations on an explicit context, so that the load-time
 * self-test runs them without looking up the template's own name.
 */
int esprim_aead_ctx_setkey(struct esprim_aead_ctx *ctx, u32 tfm_flags,
			   const u8 *blob, unsigned int len);
int esprim_aead_seal(struct esprim_aead_ctx *ctx,
		     struct esprim_aead_req_ctx *rctx, struct aead_request *req);
int esprim_aead_open(struct esprim_aead_ctx *ctx,
		     struct esprim_aead_req_ctx *rctx, struct aead_request *req);

/* Known-answer self-test run before the module goes live (selftest.c). */
int esprim_aead_selftest(void);

#endif /* _ONEM2M_ESPRIM_H */
