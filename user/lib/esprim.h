/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libesprim: oneM2M End-to-End Security of Primitives in userspace.
 *
 * ESPrim Objects (JWE compact serialization, "dir" + AES-GCM), rand
 * objects, m2m:seci Notify content and the Response Status Codes of every
 * failure.  Sealing and opening go through a backend: "soft" (OpenSSL, in
 * process) or "kernel" (session keys in the keyring, the
 * onem2m-esprim(gcm(aes)) template over AF_ALG).  Both produce the same
 * bytes for the same key, IV and input.
 *
 * Every function that can fail returns 0 or a Response Status Code (enum
 * esprim_rsc) and, when err is not NULL, fills it with the code and a
 * message.
 */
#ifndef ESPRIM_H
#define ESPRIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/onem2m_esprim.h>

/* Response Status Codes (TS-0004 6.6.3.5/6.6.3.6, TS-0001 7.6.x-1). */
enum esprim_rsc {
	ESPRIM_RSC_OK = 0,
	ESPRIM_RSC_BAD_REQUEST = 4000,
	ESPRIM_RSC_UNSUPPORTED_OPTION = 4111,
	ESPRIM_RSC_UNKNOWN_KEY_ID = 4112,
	ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID = 4113,
	ESPRIM_RSC_UNKNOWN_RECV_RAND_ID = 4114,
	ESPRIM_RSC_BAD_MAC = 4115,
	ESPRIM_RSC_IMPERSONATION_ERROR = 4116,
	ESPRIM_RSC_DECRYPTION_ERROR = 5210,
	ESPRIM_RSC_ENCRYPTION_ERROR = 5211,
};

struct esprim_error {
	int rsc;
	char msg[200];
};

/* "ESPRIM_BAD_MAC" for 4115, "BAD_REQUEST" for 4000; NULL if unknown. */
const char *esprim_rsc_name(int rsc);

/* Size limits of what is accepted from peers. */
#define ESPRIM_MAX_OBJECT_LEN	(4 * (ONEM2M_ESPRIM_MAX_TEXT + 2) / 3 + 8192)
#define ESPRIM_MAX_HEADER_LEN	4096	/* decoded protected header */
#define ESPRIM_MAX_CTY_LEN	64
#define ESPRIM_RAND_VALUE_MIN	16
#define ESPRIM_RAND_VALUE_MAX	128
#define ESPRIM_RAND_OCTETS	16	/* esrv we generate */
#define ESPRIM_KDF_HMAC_SHA256	1	/* esk / esks */
#define ESPRIM_ESPA_BASE	9	/* espa 10, 11, 12 = enc 1, 2, 3 */

#define ESPRIM_CTY_REQUEST	"vnd.onem2m-preq+json"
#define ESPRIM_CTY_RESPONSE	"vnd.onem2m-prsp+json"

/* Maps between "A256GCM" and enum onem2m_esprim_enc; 0 / NULL if none. */
enum onem2m_esprim_enc esprim_enc_from_name(const char *name);
const char *esprim_enc_name(enum onem2m_esprim_enc enc);
unsigned int esprim_enc_key_len(enum onem2m_esprim_enc enc);

/*
 * Base64url without padding (RFC 7515 2).  Decoding is strict: only the
 * URL-safe alphabet, no '=', no stray bits in the last character.
 */
size_t esprim_b64url_encoded_len(size_t len);
size_t esprim_b64url_encode(const uint8_t *in, size_t len, char *out);
/* Returns the decoded length, or -1; out holds at least 3 * n / 4 bytes. */
long esprim_b64url_decode(const char *in, size_t n, uint8_t *out);

/* ---- rand objects (TS-0003 8.4.3.1, TS-0004 short names) ---- */

/**
 * struct esprim_rand - an originator or receiver ESPrim rand object
 * @receiver: receiver object (esks) rather than originator (esk)
 * @id: esri, an NCName of ASCII letters, digits, '.', '-' and '_'
 * @value: esrv as written
 * @expiry_ms: esrx as absolute Unix time in milliseconds
 * @espa: bit n set when enc n (enum onem2m_esprim_enc) is offered; bit 0
 *	when an identifier this library does not know is
 * @kdf: bit n set when key-generation algorithm n is offered (esk/esks),
 *	bit 0 for unknown ones
 * @canon: the RFC 8785 (JCS) octets, what the derivation hashes and what
 *	this library writes on the wire; @canon_len bytes, NUL after
 */
struct esprim_rand {
	bool receiver;
	char id[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char value[ESPRIM_RAND_VALUE_MAX + 1];
	int64_t expiry_ms;
	uint32_t espa;
	uint32_t kdf;
	size_t canon_len;
	char canon[ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN + 1];
};

/* Current time in Unix milliseconds; what the library uses for "now". */
int64_t esprim_now_ms(void);

/*
 * A new rand object with a fresh 128-bit esrv and an absolute esrx.  A
 * receiver object offers HMAC-SHA256 (esks [1]) and the encs in espa; an
 * originator object is created against its receiver object with
 * esprim_rand_new_originator().
 */
int esprim_rand_new_receiver(struct esprim_rand *r, const char *id,
			     int64_t expiry_ms, uint32_t espa,
			     struct esprim_error *err);
/*
 * B.2g: the expiry is capped at the receiver's, esk is HMAC-SHA256 (which
 * the receiver must offer), espa is the given set within the receiver's.
 */
int esprim_rand_new_originator(struct esprim_rand *o,
			       const struct esprim_rand *rro, const char *id,
			       int64_t expiry_ms, uint32_t espa,
			       struct esprim_error *err);

/*
 * Parses a rand object in any JSON layout; members of other names, wrong
 * types, duplicates and bad values are refused with 4000.  receiver
 * selects the kind expected; a relative esrx counts from now_ms.
 */
int esprim_rand_parse(struct esprim_rand *r, const char *json, size_t len,
		      bool receiver, int64_t now_ms, struct esprim_error *err);

/*
 * Whether an originator object may be used with a receiver object at
 * now_ms (B.2g, C.6b.2.i/ii, C.6c.1): neither expired, originator expiry
 * not after the receiver's, esk among esks, espa a subset.
 */
int esprim_rand_check_pair(const struct esprim_rand *rro,
			   const struct esprim_rand *oro, int64_t now_ms,
			   struct esprim_error *err);

/*
 * sessionESPrimKey = HMAC-SHA256(pairwise, rro || oro || label), the
 * leftmost 16, 24 or 32 octets for enc (TS-0003 10.3.8.2, profile B.3).
 */
int esprim_derive_session_key(const uint8_t *pairwise, size_t pairwise_len,
			      const struct esprim_rand *rro,
			      const struct esprim_rand *oro,
			      enum onem2m_esprim_enc enc, uint8_t *key,
			      struct esprim_error *err);

/* ---- ESPrim Object (JWE compact serialization) ---- */

/**
 * struct esprim_header - a parsed protected header (TS-0003 8.4.3.2)
 * @enc: content encryption
 * @kid: pairwiseESPrimKeyID
 * @ori: esri of the originator rand object
 * @rri: esri of the receiver rand object
 * @cty: content type, empty when absent
 * @has_oro: @oro holds the originator rand object carried in the header
 * @has_rro: @rro holds a receiver rand object carried in the header
 */
struct esprim_header {
	enum onem2m_esprim_enc enc;
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char ori[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char rri[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char cty[ESPRIM_MAX_CTY_LEN + 1];
	bool has_oro;
	bool has_rro;
	struct esprim_rand oro;
	struct esprim_rand rro;
};

/*
 * Parses the decoded protected header strictly: a JSON object without
 * duplicate members, alg "dir" only, no crit, the required members with
 * the right types.  Unknown members are ignored (RFC 7515 4).
 */
int esprim_header_parse(struct esprim_header *h, const char *json,
			size_t len, int64_t now_ms, struct esprim_error *err);

/* The five parts of a compact object, pointing into the input. */
struct esprim_compact {
	const char *part[5];
	size_t len[5];
};

/* Splits into exactly five parts with an empty encrypted-key part. */
int esprim_compact_split(struct esprim_compact *c, const char *obj,
			 size_t len, struct esprim_error *err);

/* ---- context, keys and sessions ---- */

enum esprim_backend_kind {
	ESPRIM_BACKEND_SOFT = 0,	/* OpenSSL in this process */
	ESPRIM_BACKEND_KERNEL = 1,	/* keyring + onem2m-esprim template */
};

/**
 * struct esprim_ctx_config - how a context works
 * @backend: where keys live and where sealing and opening run
 * @keyring: kernel backend: keyring the keys are added to (a serial or
 *	KEY_SPEC_*); 0 means the process keyring
 * @replay: ONEM2M_ESPRIM_REPLAY_AUTO (default: counter IVs through a
 *	window, a random-IV peer's through an exact set), _STRICT (counter
 *	IVs only) or _OFF; reflected objects are refused under each (uapi
 *	header, profile B.9)
 * @replay_window: a power of two from 64 to 4096 counters; 0 means 1024
 * @replay_set: AUTO: IVs of a random-IV peer remembered per session, up
 *	to 4096; 0 means 1024.  When full, the session is used up for
 *	opening (4113)
 * @caller_checks_from: esprim_open() leaves the TS-0003 7.2.2 check to the
 *	caller, which parses the inner primitive anyway: it must compare the
 *	request's fr with esprim_opened.peer and answer 4116 on a mismatch.
 *	Saves parsing the primitive twice (most of the cost of opening).
 */
struct esprim_ctx_config {
	enum esprim_backend_kind backend;
	int32_t keyring;
	enum onem2m_esprim_replay replay;
	uint16_t replay_window;
	uint16_t replay_set;
	bool caller_checks_from;
};

struct esprim_ctx;
struct esprim_session;

int esprim_ctx_new(struct esprim_ctx **ctx,
		   const struct esprim_ctx_config *config,
		   struct esprim_error *err);
/* Frees the context, its sessions and keys; wipes key material. */
void esprim_ctx_free(struct esprim_ctx *ctx);

/*
 * A pairwiseESPrimKey under kid, bound to peer (the CSE-ID or AE-ID that
 * the inner From must equal, TS-0003 7.2.2; NULL: no check), expiring at
 * expiry_ms (0: never).  Replaces an earlier key of the same kid and
 * frees the sessions derived from it.
 */
int esprim_ctx_add_pairwise(struct esprim_ctx *ctx, const char *kid,
			    const uint8_t *key, size_t key_len,
			    const char *peer, int64_t expiry_ms,
			    struct esprim_error *err);

/*
 * Caches a rand object: the receiver objects this side issued (a receiver
 * opens requests against them) and originator objects learnt out of band.
 */
int esprim_ctx_add_rand(struct esprim_ctx *ctx, const struct esprim_rand *r,
			struct esprim_error *err);

/**
 * struct esprim_session_config - one sessionESPrimKey, one direction
 * @kid: the pairwise key
 * @rro: receiver rand object
 * @oro: originator rand object
 * @enc: content encryption; must be in @oro's espa
 * @role: ORIGINATOR seals requests, RECEIVER seals responses
 * @cty: content type of what this side seals; NULL: by role
 * @announce: put the full rand object of this side into the header (oro
 *	for an originator, rro for a receiver) until a reply has been opened
 */
struct esprim_session_config {
	const char *kid;
	const struct esprim_rand *rro;
	const struct esprim_rand *oro;
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_role role;
	const char *cty;
	bool announce;
};

/*
 * Sets up a session: checks the rand objects (esprim_rand_check_pair),
 * derives the key (in the kernel for the kernel backend), caches the
 * protected header.  The context owns the session.
 */
int esprim_session_new(struct esprim_ctx *ctx,
		       const struct esprim_session_config *config,
		       struct esprim_session **session,
		       struct esprim_error *err);
/* Removes a session from its context and frees it. */
void esprim_session_free(struct esprim_session *s);

/* Bytes an object sealing text_len bytes takes, without the NUL. */
size_t esprim_seal_size(const struct esprim_session *s, size_t text_len);

/*
 * Seals text into an ESPrim Object in out (NUL-terminated when room is
 * left).  The IV is the session's next counter IV.  No allocation in the
 * steady state.
 */
int esprim_seal(struct esprim_session *s, const void *text, size_t text_len,
		char *out, size_t out_size, size_t *out_len,
		struct esprim_error *err);

/**
 * struct esprim_opened - what esprim_open() learnt
 * @session: the session the object belongs to (seal the reply with it)
 * @text_len: bytes of verified inner primitive written to out
 * @header: the protected header, parsed unless it repeated the previous
 *	object's of the same session byte for byte (then @header_cached)
 * @header_cached: the header text matched and was not parsed again
 * @peer: the identity bound to the pairwise key (NULL: none)
 * @from_pending: a request the caller must check From of (with
 *	@caller_checks_from set): fr must equal @peer
 */
struct esprim_opened {
	struct esprim_session *session;
	size_t text_len;
	bool header_cached;
	const char *peer;
	bool from_pending;
	struct esprim_header header;
};

/*
 * Opens an ESPrim Object (C.6, C.11): finds or sets up its session from
 * kid, ori/oro and rri, verifies and decrypts into out (at most the
 * ciphertext's length), checks the replay window and, for JSON requests,
 * the inner From against the identity bound to the pairwise key.
 */
int esprim_open(struct esprim_ctx *ctx, const char *obj, size_t obj_len,
		void *out, size_t out_size, struct esprim_opened *opened,
		struct esprim_error *err);

/* One message of a batch; @rsc and @out_len are results. */
struct esprim_batch_item {
	const void *in;
	size_t in_len;
	void *out;
	size_t out_size;
	size_t out_len;
	int rsc;
};

/*
 * Seals (or, with esprim_open_batch, opens) n messages in one call; a
 * backend with a batched path hands them to the kernel together.  Returns
 * the number that succeeded; each item carries its own rsc.
 */
unsigned int esprim_seal_batch(struct esprim_session *s,
			       struct esprim_batch_item *items, unsigned int n);
unsigned int esprim_open_batch(struct esprim_ctx *ctx,
			       struct esprim_batch_item *items, unsigned int n);

/*
 * In-band refresh: a receiver puts next, a new receiver rand object, into
 * the "rro" header member of its responses (and caches it, so sessions
 * against it open).  The originator caches it when a response verifies
 * and reports it in esprim_opened.header.rro.  NULL stops offering.
 */
int esprim_session_offer_rro(struct esprim_session *s,
			     const struct esprim_rand *next,
			     struct esprim_error *err);

/* A cached rand object by esri, or NULL. */
const struct esprim_rand *esprim_ctx_find_rand(struct esprim_ctx *ctx,
					       const char *id, bool receiver);

/* The session's cached protected header, base64url (the AAD). */
const char *esprim_session_header(const struct esprim_session *s,
				  size_t *len);

/*
 * Test vectors and differential tests only: the IV the next seal uses,
 * fixed field (role bit included) and counter.  Soft backend only; the
 * kernel template owns its IVs.
 */
int esprim_session_set_iv(struct esprim_session *s, uint32_t fixed,
			  uint64_t counter, struct esprim_error *err);

/* ---- m2m:seci Notify content (TS-0004, TS-0001 7.6.x) ---- */

/**
 * struct esprim_seci - parsed {"m2m:seci":{...}}
 * @sit: securityInfoType, 3 to 6
 * @epo: sit 5: the ESPrim Object string, pointing into @json_owner
 * @ero: sit 4: the receiver rand object
 * @eckm: sit 6: decoded ESCertKE message octets (malloc'd), @eckm_len
 */
struct esprim_seci {
	int sit;
	const char *epo;
	size_t epo_len;
	struct esprim_rand ero;
	uint8_t *eckm;
	size_t eckm_len;
	void *json_owner;
};

int esprim_seci_parse(struct esprim_seci *seci, const char *json, size_t len,
		      int64_t now_ms, struct esprim_error *err);
void esprim_seci_release(struct esprim_seci *seci);

/*
 * Writes {"m2m:seci":{"sit":5,"epo":"<obj>"}} into out; returns the
 * length, or 0 when out is too small.
 */
size_t esprim_seci_build_epo(const char *obj, size_t obj_len, char *out,
			     size_t out_size);
/* sit 3, 4 (ero = rand), 6 (eckm = octets): malloc'd JSON or NULL. */
char *esprim_seci_build(int sit, const struct esprim_rand *ero,
			const uint8_t *eckm, size_t eckm_len);

/*
 * TS-0003 7.2.2: the From (fr) of a JSON inner request must equal the
 * identity bound to the pairwise key.  4000 if the primitive is not JSON
 * with a string fr, 4116 if fr differs.
 */
int esprim_check_from(const char *text, size_t len, const char *peer,
		      struct esprim_error *err);

#endif /* ESPRIM_H */
