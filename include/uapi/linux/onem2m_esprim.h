/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * onem2m_esprim: oneM2M End-to-End Security of Primitives (ESPrim),
 * kernel/user interface.
 *
 * This header is the single definition of every format shared between the
 * onem2m_esprim module and userspace.
 *
 * AEAD template "onem2m-esprim(gcm(aes))"
 * ========================================
 *
 * The template wraps an AES-GCM implementation (any driver whose cra_name is
 * "gcm(aes)", with a 12-byte IV and a 16-byte tag) and generates the IV
 * itself, following NIST SP 800-38D 8.2.1 (deterministic construction):
 *
 *   IV = fixed field (4 bytes) || invocation counter (8 bytes, big endian)
 *   fixed field = role bit (bit 31, ONEM2M_ESPRIM_ROLE_*) | 31 random bits
 *
 * Both directions of an ESPrim session share one key; the role bit keeps
 * the originator's and the receiver's IV spaces apart, the random bits keep
 * two tfms keyed with the same raw key apart.  The counter starts at 0 at
 * each setkey and never wraps: once max_invocations IVs have been issued,
 * encryption fails with -EKEYEXPIRED.  Decryption accepts any 96-bit IV.
 *
 * The IV travels in the authentication "tag": the template's authsize is
 * ONEM2M_ESPRIM_TRAILER_LEN (28) and the trailer is GCM tag || IV.  The
 * template's ivsize is 0: AF_ALG callers send no IV.
 *
 *   encrypt: in  = AAD || plaintext
 *            out = AAD || ciphertext || tag (16) || IV (12)
 *   decrypt: in  = AAD || ciphertext || tag (16) || IV (12)
 *            out = AAD || plaintext
 *
 * The AAD is ASCII(BASE64URL(protected header)) of the JWE, of any length up
 * to ONEM2M_ESPRIM_MAX_AAD; the text is at most ONEM2M_ESPRIM_MAX_TEXT bytes.
 * The inner GCM runs in place on the caller's scatterlists; the payload is
 * never copied.  Errors: -EINVAL for a wrong authsize, short or oversize
 * request or malformed key blob, -EBADMSG for a failed integrity check,
 * -EKEYEXPIRED when the invocation limit is reached.
 *
 * setkey takes a versioned key blob (struct onem2m_esprim_key_raw below).
 */
#ifndef _UAPI_LINUX_ONEM2M_ESPRIM_H
#define _UAPI_LINUX_ONEM2M_ESPRIM_H

#include <linux/types.h>

/* Template and algorithm names. */
#define ONEM2M_ESPRIM_TEMPLATE		"onem2m-esprim"
#define ONEM2M_ESPRIM_AEAD_ALG		"onem2m-esprim(gcm(aes))"

/* Layout of the generated IV and of the trailer. */
#define ONEM2M_ESPRIM_IV_LEN		12
#define ONEM2M_ESPRIM_IV_FIXED_LEN	4
#define ONEM2M_ESPRIM_IV_COUNTER_LEN	8
#define ONEM2M_ESPRIM_TAG_LEN		16
#define ONEM2M_ESPRIM_TRAILER_LEN	(ONEM2M_ESPRIM_TAG_LEN + ONEM2M_ESPRIM_IV_LEN)
#define ONEM2M_ESPRIM_IV_ROLE_BIT	0x80000000U

/* Request size limits (bytes). */
#define ONEM2M_ESPRIM_MAX_AAD		8192
#define ONEM2M_ESPRIM_MAX_TEXT		131072

/* Invocation limit per key: default and largest accepted value. */
#define ONEM2M_ESPRIM_MAX_INVOCATIONS	(1ULL << 32)

/* Session key lengths for A128GCM, A192GCM and A256GCM. */
#define ONEM2M_ESPRIM_MAX_KEY_LEN	32

/* Key blob versions and forms. */
#define ONEM2M_ESPRIM_KEY_BLOB_V1	1

enum onem2m_esprim_key_form {
	ONEM2M_ESPRIM_KEY_FORM_RAW = 1,	/* key bytes in the blob */
};

/* Whose messages a tfm seals; selects the IV role bit. */
enum onem2m_esprim_role {
	ONEM2M_ESPRIM_ROLE_ORIGINATOR = 0,	/* requests, IV role bit 0 */
	ONEM2M_ESPRIM_ROLE_RECEIVER = 1,	/* responses, IV role bit 1 */
};

/**
 * struct onem2m_esprim_key_hdr - common head of every key blob
 * @version: ONEM2M_ESPRIM_KEY_BLOB_V1
 * @form: enum onem2m_esprim_key_form
 * @reserved: must be zero
 */
struct onem2m_esprim_key_hdr {
	__u8 version;
	__u8 form;
	__u16 reserved;
};

/**
 * struct onem2m_esprim_key_raw - setkey blob carrying the session key
 * @hdr: version 1, form ONEM2M_ESPRIM_KEY_FORM_RAW
 * @role: enum onem2m_esprim_role
 * @key_len: 16, 24 or 32 (A128GCM, A192GCM, A256GCM)
 * @reserved: must be zero
 * @max_invocations: IVs this key may issue; 0 means
 *	ONEM2M_ESPRIM_MAX_INVOCATIONS, larger values are refused
 * @key: the sessionESPrimKey in the first @key_len bytes, zero after
 *
 * The blob passed to setkey is exactly sizeof(struct onem2m_esprim_key_raw)
 * bytes long.
 */
struct onem2m_esprim_key_raw {
	struct onem2m_esprim_key_hdr hdr;
	__u8 role;
	__u8 key_len;
	__u16 reserved;
	__aligned_u64 max_invocations;
	__u8 key[ONEM2M_ESPRIM_MAX_KEY_LEN];
};

#endif /* _UAPI_LINUX_ONEM2M_ESPRIM_H */
