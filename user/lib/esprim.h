/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libesprim: oneM2M End-to-End Security of Primitives in userspace.
 *
 * ESPrim Objects (JWE compact serialization, "dir" + AES-GCM), rand
 * objects, m2m:seci Notify content and the Response Status Codes of every
 * failure.  Sealing and opening go through a backend: "soft" (OpenSSL, in
 * process) or "kernel" (keys in the keyring, the onem2m-esprim(gcm(aes))
 * template over AF_ALG).  Both produce the same bytes for the same key, IV
 * and input, and accept and refuse the same objects.
 *
 * ABI policy (libesprim.so.1, symbol version LIBESPRIM_1):
 *   - contexts, sessions, rand objects, parsed headers and open results
 *     are opaque, created by esprim_*_new() or a parser, read with
 *     getters and released with esprim_*_free();
 *   - configuration structs are sized: the caller sets .size with the
 *     ESPRIM_*_INIT macros, members are only ever appended, and the
 *     library reads only what .size covers (later members count as 0);
 *   - struct esprim_error and struct esprim_batch_item are frozen;
 *   - memory the library returns as a plain pointer (JSON texts) is
 *     released with esprim_free();
 *   - symbols added later get a new version node; none is removed or
 *     changes meaning within a soname.
 *
 * Errors.  Every function that can fail returns 0 on success and:
 *   - a positive Response Status Code (enum esprim_rsc) when the data is
 *     at fault: an object, header or rand object that is malformed, keys
 *     or rand objects that are unknown or expired, a failed integrity
 *     check, a replay.  When the data came from a peer, answer with it;
 *   - a negative errno when the call could not be carried out here:
 *     -ENOMEM, -ENOBUFS (an output buffer too small), -EINVAL (a bad
 *     argument), -ENOSPC (a configured cap reached), -EAGAIN (set-up rate
 *     exceeded), or the errno of a keyring or AF_ALG call.  The peer did
 *     nothing wrong; err->rsc holds what to answer it with (5210 when
 *     opening, 5211 when sealing) and err->errnum the errno.
 * One positive value is no RSC: ESPRIM_FROM_UNCHECKED (1), which only a
 * context whose caller took the From check on sees (see there).
 * When err is not NULL it is filled either way.
 *
 * Threads: a context and everything from it are used by one thread at a
 * time; separate contexts are independent.
 */
#ifndef ESPRIM_H
#define ESPRIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/onem2m_esprim.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESPRIM_VERSION_MAJOR	1
#define ESPRIM_VERSION_MINOR	1
#define ESPRIM_VERSION_PATCH	0

/* The version of the library running, "1.1.0". */
const char *esprim_version(void);

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

/**
 * struct esprim_error - why a call failed (frozen layout)
 * @rsc: the Response Status Code to answer a peer with
 * @errnum: 0 when the data was at fault, else the errno of a local failure
 * @msg: a message for logs
 */
struct esprim_error {
	int rsc;
	int errnum;
	char msg[200];
};

/* "ESPRIM_BAD_MAC" for 4115, "BAD_REQUEST" for 4000; NULL if unknown. */
const char *esprim_rsc_name(int rsc);

/* Releases memory this library returned as a plain pointer. */
void esprim_free(void *p);

/* Size limits of what is accepted from peers. */
#define ESPRIM_MAX_OBJECT_LEN	(4 * (ONEM2M_ESPRIM_MAX_TEXT + 2) / 3 + 8192)
#define ESPRIM_MAX_HEADER_LEN	4096	/* decoded protected header */
#define ESPRIM_MAX_CTY_LEN	64
#define ESPRIM_RAND_VALUE_MIN	16
#define ESPRIM_RAND_VALUE_MAX	128
#define ESPRIM_RAND_OCTETS	16	/* esrv we generate */
#define ESPRIM_KDF_HMAC_SHA256	1	/* esk / esks */

/* espa identifiers (TS-0004) and the flags of an espa set. */
#define ESPRIM_ESPA_BASE	9	/* espa 10, 11, 12 = enc 1, 2, 3 */
#define ESPRIM_ESPA_A128GCM	(1U << ONEM2M_ESPRIM_ENC_A128GCM)
#define ESPRIM_ESPA_A192GCM	(1U << ONEM2M_ESPRIM_ENC_A192GCM)
#define ESPRIM_ESPA_A256GCM	(1U << ONEM2M_ESPRIM_ENC_A256GCM)
#define ESPRIM_ESPA_ALL		(ESPRIM_ESPA_A128GCM | ESPRIM_ESPA_A192GCM | \
				 ESPRIM_ESPA_A256GCM)
#define ESPRIM_ESPA_UNKNOWN	1U	/* an identifier this library lacks */

/* securityInfoType (TS-0004) values of m2m:seci. */
#define ESPRIM_SIT_DYN_AUTH_REQUEST	1
#define ESPRIM_SIT_DYN_AUTH_RESPONSE	2
#define ESPRIM_SIT_RRO_REQUEST		3
#define ESPRIM_SIT_RRO_RESPONSE		4
#define ESPRIM_SIT_EPO			5
#define ESPRIM_SIT_ECKM			6

/* Content types this library writes (profile B.12). */
#define ESPRIM_CTY_REQUEST	"vnd.onem2m-preq+json"
#define ESPRIM_CTY_RESPONSE	"vnd.onem2m-prsp+json"

/* What a cty names, read per RFC 7515 4.1.10 (profile B.12). */
enum esprim_cty_kind {
	ESPRIM_CTY_NONE = 0,		/* absent, or another media type */
	ESPRIM_CTY_KIND_REQUEST,	/* vnd.onem2m-preq+json / +xml / +cbor */
	ESPRIM_CTY_KIND_RESPONSE,	/* vnd.onem2m-prsp+... */
};
enum esprim_cty_kind esprim_cty_kind(const char *cty, size_t len);
/* Whether the primitive of a cty is JSON (+json), which the From check reads. */
bool esprim_cty_is_json(const char *cty, size_t len);

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
/* Decoded length, or -1 if not base64url or longer than out_size. */
long esprim_b64url_decode(const char *in, size_t n, uint8_t *out,
			  size_t out_size);

/* ---- rand objects (TS-0003 8.4.3.1, TS-0004 short names) ---- */

struct esprim_rand;

/* Current time in Unix milliseconds; what the library uses for "now". */
int64_t esprim_now_ms(void);

/*
 * Rand IDs this library issues say whether the object is shared (profile
 * B.16): "s-" begins the esri of a shared receiver object, "n-" that of
 * every other.  A NULL id asks for a fresh one with that prefix; a given
 * id must carry the right prefix.
 */
#define ESPRIM_RAND_SHARED	0x1u	/* a receiver object for many originators */

/*
 * A new receiver rand object with a fresh 128-bit esrv and an absolute
 * esrx, offering HMAC-SHA256 (esks [1]) and the encs of espa.
 */
int esprim_rand_new_receiver(struct esprim_rand **r, const char *id,
			     unsigned int flags, int64_t expiry_ms,
			     uint32_t espa, struct esprim_error *err);
/*
 * An originator object for a receiver object (B.2g): the expiry capped at
 * the receiver's, esk HMAC-SHA256 (which the receiver must offer), espa
 * the given set within the receiver's.
 */
int esprim_rand_new_originator(struct esprim_rand **o,
			       const struct esprim_rand *rro, const char *id,
			       int64_t expiry_ms, uint32_t espa,
			       struct esprim_error *err);

/*
 * Parses a rand object in any JSON layout; members of other names, wrong
 * types, duplicates and bad values are refused with 4000.  receiver
 * selects the kind expected; a relative esrx counts from now_ms.
 */
int esprim_rand_parse(struct esprim_rand **r, const char *json, size_t len,
		      bool receiver, int64_t now_ms, struct esprim_error *err);
/* A copy, or NULL when out of memory. */
struct esprim_rand *esprim_rand_dup(const struct esprim_rand *r);
void esprim_rand_free(struct esprim_rand *r);

bool esprim_rand_is_receiver(const struct esprim_rand *r);
bool esprim_rand_is_shared(const struct esprim_rand *r);	/* "s-" */
const char *esprim_rand_id(const struct esprim_rand *r);	/* esri */
int64_t esprim_rand_expiry_ms(const struct esprim_rand *r);	/* esrx */
uint32_t esprim_rand_espa(const struct esprim_rand *r);	/* ESPRIM_ESPA_* */
/* The RFC 8785 (JCS) octets: what the derivation hashes, what is sent. */
const char *esprim_rand_json(const struct esprim_rand *r, size_t *len);

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

struct esprim_header;

/*
 * Parses a decoded protected header strictly: a JSON object without
 * duplicate members, alg "dir" only, no crit or zip, the required members
 * with the right types.  Unknown members are ignored (RFC 7515 4).
 */
int esprim_header_parse(struct esprim_header **h, const char *json,
			size_t len, int64_t now_ms, struct esprim_error *err);
/* Splits an ESPrim Object and parses its header; no key is needed. */
int esprim_object_inspect(struct esprim_header **h, const char *obj,
			  size_t len, int64_t now_ms,
			  struct esprim_error *err);
void esprim_header_free(struct esprim_header *h);

enum onem2m_esprim_enc esprim_header_enc(const struct esprim_header *h);
const char *esprim_header_kid(const struct esprim_header *h);
const char *esprim_header_ori(const struct esprim_header *h);
const char *esprim_header_rri(const struct esprim_header *h);
const char *esprim_header_cty(const struct esprim_header *h); /* "" if none */
/* The rand objects carried in the header, or NULL. */
const struct esprim_rand *esprim_header_oro(const struct esprim_header *h);
const struct esprim_rand *esprim_header_rro(const struct esprim_header *h);

/* The five parts of a compact object, pointing into the input. */
struct esprim_compact {
	const char *part[5];
	size_t len[5];
};

/*
 * Splits into exactly five parts with an empty encrypted-key part and
 * non-empty header, IV, ciphertext (profile B.14) and tag.
 */
int esprim_compact_split(struct esprim_compact *c, const char *obj,
			 size_t len, struct esprim_error *err);

/* ---- context and keys ---- */

enum esprim_backend_kind {
	ESPRIM_BACKEND_SOFT = 0,	/* OpenSSL in this process */
	ESPRIM_BACKEND_KERNEL = 1,	/* keyring + onem2m-esprim template */
};

/**
 * struct esprim_ctx_config - how a context works (sized: ESPRIM_CTX_CONFIG_INIT)
 * @size: sizeof(struct esprim_ctx_config) as the caller knows it
 * @backend: where keys live and where sealing and opening run
 * @keyring: kernel backend: keyring the keys are added to and searched
 *	(a serial or KEY_SPEC_*); 0 means a keyring of the context's own
 *	below the process keyring
 * @replay: default policy of pairwise keys: ONEM2M_ESPRIM_REPLAY_AUTO
 *	(counter IVs through a window, a random-IV peer's through an exact
 *	set), _STRICT (counter IVs only) or _OFF; reflected objects are
 *	refused under each (uapi header, profile B.9).  The kernel backend
 *	keeps one replay state per derived key and role on the machine; the
 *	soft backend one per session of this context
 * @replay_window: a power of two from 64 to 4096 counters; 0 means 1024
 * @replay_set: AUTO: IVs of a random-IV peer remembered per session, up
 *	to 4096; 0 means 1024.  When full, the session is used up for
 *	opening (4113)
 * @caller_checks_from: esprim_open() leaves the TS-0003 7.2.2 check of a
 *	request to the caller, which parses the primitive anyway (in any
 *	encoding): it then returns ESPRIM_FROM_UNCHECKED rather than 0
 * @max_sessions: sessions the context holds at most; 0 means 4096
 * @max_sessions_per_key: sessions per pairwise key at most; 0 means 256
 * @max_learnt_rands: rand objects learnt from peers per pairwise key at
 *	most; 0 means 64
 * @setup_rate: sessions set up per second at most for objects not yet
 *	verified (each costs a derivation, and a key and sockets in the
 *	kernel backend); 0 means 1000.  Beyond it, -EAGAIN.
 */
struct esprim_ctx_config {
	size_t size;
	enum esprim_backend_kind backend;
	int32_t keyring;
	enum onem2m_esprim_replay replay;
	uint16_t replay_window;
	uint16_t replay_set;
	bool caller_checks_from;
	uint32_t max_sessions;
	uint32_t max_sessions_per_key;
	uint32_t max_learnt_rands;
	uint32_t setup_rate;
};

#define ESPRIM_CTX_CONFIG_INIT { .size = sizeof(struct esprim_ctx_config) }

struct esprim_ctx;
struct esprim_session;

int esprim_ctx_new(struct esprim_ctx **ctx,
		   const struct esprim_ctx_config *config,
		   struct esprim_error *err);
/*
 * Frees the context, its keys, rand objects and sessions (references the
 * caller still holds included); wipes key material.  Free the open
 * results (esprim_opened) and drop session references first: they
 * cannot be used, nor freed, once their context is gone.
 */
void esprim_ctx_free(struct esprim_ctx *ctx);

/**
 * struct esprim_pairwise_config - a pairwiseESPrimKey (sized:
 *	ESPRIM_PAIRWISE_CONFIG_INIT)
 * @size: sizeof(struct esprim_pairwise_config) as the caller knows it
 * @kid: pairwiseESPrimKeyID
 * @key: the key's octets, @key_len of them (16 to 64); NULL with the
 *	kernel backend to use a "pairwise:<kid>" key already in the keyring
 *	(provisioned with keyctl or by a daemon)
 * @serial: kernel backend, @key NULL: the key's serial; 0 searches the
 *	context's keyring, then the process, session and user keyrings
 * @peer: the Absolute CSE-ID or AE-ID the key is bound to: the inner From
 *	of requests must name it (TS-0003 7.2.2, profile B.11).  Required
 *	with @key; with a keyring key, the identity bound in the kernel
 * @expiry_ms: when the key expires (0: never)
 * @replay: policy for sessions of this key; 0 (AUTO) or the context's
 *
 * The kernel backend hands the octets to the keyring and keeps none.
 */
struct esprim_pairwise_config {
	size_t size;
	const char *kid;
	const uint8_t *key;
	size_t key_len;
	int32_t serial;
	const char *peer;
	int64_t expiry_ms;
	enum onem2m_esprim_replay replay;
};

#define ESPRIM_PAIRWISE_CONFIG_INIT \
	{ .size = sizeof(struct esprim_pairwise_config) }

/*
 * Adds a pairwise key.  A new key for a kid that is present replaces the
 * old one: its sessions stop (they are unlinked; references held by the
 * caller fail with 4112 from then on) and its learnt rand objects go.
 */
int esprim_ctx_add_pairwise(struct esprim_ctx *ctx,
			    const struct esprim_pairwise_config *config,
			    struct esprim_error *err);
/* Removes a pairwise key, as a replacement does. */
int esprim_ctx_del_pairwise(struct esprim_ctx *ctx, const char *kid,
			    struct esprim_error *err);
/* The identity bound to a pairwise key (owned by the context), or NULL. */
const char *esprim_ctx_pairwise_peer(const struct esprim_ctx *ctx,
				     const char *kid);

/*
 * Rand objects live in two namespaces (profile B.16):
 *   - this side's own: the receiver objects it issued (requests are
 *     opened against them) and its originator objects;
 *   - learnt from a peer, one namespace per pairwise key: the peer's
 *     originator objects (given out of band or carried in a verified oro)
 *     and receiver objects (given in sit 4 or carried in a verified rro).
 * A learnt object never satisfies a lookup for an own object, nor one of
 * another key.  Both keep a copy; expired objects are reaped.
 */
int esprim_ctx_add_own_rand(struct esprim_ctx *ctx,
			    const struct esprim_rand *r,
			    struct esprim_error *err);
int esprim_ctx_add_learnt_rand(struct esprim_ctx *ctx, const char *kid,
			       const struct esprim_rand *r,
			       struct esprim_error *err);
/*
 * A copy of a cached rand object (own when kid is NULL, else learnt
 * under kid), or NULL; the caller frees it.
 */
struct esprim_rand *esprim_ctx_get_rand(struct esprim_ctx *ctx,
					const char *kid, const char *id,
					bool receiver);

/*
 * Drops expired sessions and rand objects now; also done as a side effect
 * of esprim_open() and esprim_session_new().  Returns how many went.
 */
unsigned int esprim_ctx_reap(struct esprim_ctx *ctx);

/**
 * struct esprim_ctx_stats - counters of a context
 * @sessions: sessions linked in the context
 * @rands: own and learnt rand objects cached
 * @setups: sessions set up for unverified objects
 * @setups_failed: of those, objects that did not verify
 * @setups_refused: objects refused by the set-up rate limit
 * @reaped: sessions and rand objects reaped
 */
struct esprim_ctx_stats {
	uint64_t sessions;
	uint64_t rands;
	uint64_t setups;
	uint64_t setups_failed;
	uint64_t setups_refused;
	uint64_t reaped;
};
void esprim_ctx_get_stats(const struct esprim_ctx *ctx,
			  struct esprim_ctx_stats *stats);

/* ---- sessions ---- */

/* What a session puts into its headers (C.3). */
enum esprim_announce {
	/* Originator: the full oro until a response verified. */
	ESPRIM_ANNOUNCE_AUTO = 0,
	ESPRIM_ANNOUNCE_ALWAYS,
	ESPRIM_ANNOUNCE_NEVER,
};

/**
 * struct esprim_session_config - one sessionESPrimKey as one side uses it
 *	(sized: ESPRIM_SESSION_CONFIG_INIT)
 * @size: sizeof(struct esprim_session_config) as the caller knows it
 * @kid: the pairwise key
 * @rro: receiver rand object
 * @oro: originator rand object
 * @enc: content encryption of what this side seals; must be in @oro's
 *	espa.  Objects opened may use any enc of that espa (profile B.13)
 * @role: ORIGINATOR seals requests, RECEIVER seals responses
 * @cty: content type of what this side seals; NULL: the JSON one of the
 *	role
 * @announce: when the full rand object of this side goes into the header
 */
struct esprim_session_config {
	size_t size;
	const char *kid;
	const struct esprim_rand *rro;
	const struct esprim_rand *oro;
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_role role;
	const char *cty;
	enum esprim_announce announce;
};

#define ESPRIM_SESSION_CONFIG_INIT \
	{ .size = sizeof(struct esprim_session_config) }

/*
 * Sets up a session: checks the rand objects (esprim_rand_check_pair),
 * derives the key (in the kernel for the kernel backend), caches the
 * protected header.  The context links the session (so responses, or
 * further requests, find it) and the caller gets a reference.
 */
int esprim_session_new(struct esprim_ctx *ctx,
		       const struct esprim_session_config *config,
		       struct esprim_session **session,
		       struct esprim_error *err);
/* Another reference to a session; each is dropped with esprim_session_put(). */
struct esprim_session *esprim_session_get(struct esprim_session *s);
void esprim_session_put(struct esprim_session *s);
/*
 * Unlinks the session from its context and drops the caller's reference:
 * one from esprim_session_new() or esprim_session_get(), never the one an
 * esprim_opened result holds.
 */
void esprim_session_free(struct esprim_session *s);

const char *esprim_session_kid(const struct esprim_session *s);
enum onem2m_esprim_role esprim_session_role(const struct esprim_session *s);
/* The enc this side seals with; changed with esprim_session_set_enc(). */
enum onem2m_esprim_enc esprim_session_enc(const struct esprim_session *s);
int esprim_session_set_enc(struct esprim_session *s,
			   enum onem2m_esprim_enc enc,
			   struct esprim_error *err);

/* Bytes an object sealing text_len bytes takes, without the NUL. */
size_t esprim_seal_size(const struct esprim_session *s, size_t text_len);

/*
 * Seals text into an ESPrim Object in out (NUL-terminated when room is
 * left).  The IV is the session's next counter IV.  No allocation in the
 * steady state.  An expired key or rand object gives 4112/4113/4114.
 */
int esprim_seal(struct esprim_session *s, const void *text, size_t text_len,
		char *out, size_t out_size, size_t *out_len,
		struct esprim_error *err);

/*
 * In-band refresh (profile B.15).  An originator puts next, a new
 * originator rand object for the same receiver object, into the "oro"
 * member of its requests; a receiver puts a new receiver rand object into
 * the "rro" member of its responses (and keeps it as its own, so sessions
 * against it open).  The peer learns it once the object verified.  NULL
 * stops offering.
 */
int esprim_session_offer_next(struct esprim_session *s,
			      const struct esprim_rand *next,
			      struct esprim_error *err);

/*
 * Test vectors and differential tests only: the IV the next seal uses,
 * fixed field (role bit included) and counter.  Soft backend only; the
 * kernel template owns its IVs.
 */
int esprim_session_set_iv(struct esprim_session *s, uint32_t fixed,
			  uint64_t counter, struct esprim_error *err);

/* ---- opening ---- */

/*
 * What esprim_open() learnt about an object.  One is reused for any
 * number of opens; what its getters return is owned by it and stays
 * valid until it is passed to esprim_open() again or freed.
 */
struct esprim_opened;

struct esprim_opened *esprim_opened_new(void);
void esprim_opened_free(struct esprim_opened *o);

/*
 * Returned by esprim_open() (instead of 0), and only in a context with
 * caller_checks_from, for a verified request whose From the caller has to
 * check: the text is in out, and the request must not be processed unless
 * esprim_opened_check_from() returns 0.  Without caller_checks_from a
 * request the library cannot read (a cty other than +json) gets 4111.
 */
#define ESPRIM_FROM_UNCHECKED	1

/*
 * Opens an ESPrim Object (C.6, C.11): finds or sets up its session from
 * kid, ori/oro and rri, checks the direction (a request is opened only
 * against this side's receiver objects, a response only by the
 * originator's session; profile B.9), verifies and decrypts into out (at
 * most the ciphertext's length), checks replays and, for JSON requests,
 * the inner From against the identity bound to the pairwise key.
 */
int esprim_open(struct esprim_ctx *ctx, const char *obj, size_t obj_len,
		void *out, size_t out_size, struct esprim_opened *opened,
		struct esprim_error *err);

/*
 * The TS-0003 7.2.2 check the caller took on: fr is the inner request's
 * From as the caller parsed it.  0, or 4116 (and the request is refused).
 */
int esprim_opened_check_from(struct esprim_opened *o, const char *fr,
			     size_t fr_len, struct esprim_error *err);

/*
 * The session of the last object opened: seal the reply with it.  A
 * reference of the opened result; esprim_session_get() keeps it longer.
 */
struct esprim_session *esprim_opened_session(const struct esprim_opened *o);
size_t esprim_opened_text_len(const struct esprim_opened *o);
enum onem2m_esprim_enc esprim_opened_enc(const struct esprim_opened *o);
const char *esprim_opened_kid(const struct esprim_opened *o);
const char *esprim_opened_peer(const struct esprim_opened *o);
const char *esprim_opened_cty(const struct esprim_opened *o); /* "" if none */
enum onem2m_esprim_role esprim_opened_role(const struct esprim_opened *o);
/* The header text repeated the session's previous one and was not parsed. */
bool esprim_opened_header_cached(const struct esprim_opened *o);
/* A next rand object the peer offered in-band (profile B.15), or NULL. */
const struct esprim_rand *esprim_opened_next_rand(const struct esprim_opened *o);

/* One message of a batch (frozen layout); @rsc and @out_len are results. */
struct esprim_batch_item {
	const void *in;
	size_t in_len;
	void *out;
	size_t out_size;
	size_t out_len;
	int rsc;
};

/*
 * Seals n messages in one call; a backend with a batched path hands them
 * to the kernel together.  Returns how many succeeded; each item carries
 * its own result (0, an RSC or a negative errno).
 */
unsigned int esprim_seal_batch(struct esprim_session *s,
			       struct esprim_batch_item *items, unsigned int n);
/*
 * Opens n objects as esprim_open() does, From check included: an item is
 * 0 only if its request passed it.  Items left to the caller's check
 * (ESPRIM_FROM_UNCHECKED) are not counted as succeeded; opened, when not
 * NULL, is an array of n results to check them with.
 */
unsigned int esprim_open_batch(struct esprim_ctx *ctx,
			       struct esprim_batch_item *items,
			       struct esprim_opened **opened, unsigned int n);

/* ---- identities and the From check (TS-0003 7.2.2, profile B.11) ---- */

/*
 * Whether the From (fr) of the inner request names the identity bound to
 * the pairwise key, both as Absolute IDs: an SP-relative fr
 * ("/cse-id/...") takes the SP-ID of peer, a CSE-relative one (a bare
 * AE-ID or "Cxxx") its SP-ID and CSE-ID.  0 or 4116.
 */
int esprim_from_matches(const char *fr, size_t fr_len, const char *peer,
			struct esprim_error *err);
/*
 * The whole check on a JSON primitive: one JSON object with exactly one
 * string member "fr" that matches peer.  4000 when it is not such an
 * object, 4116 when fr names someone else.
 */
int esprim_check_from(const char *text, size_t len, const char *peer,
		      struct esprim_error *err);

/* ---- m2m:seci Notify content (TS-0004, TS-0001 7.6.x) ---- */

/**
 * struct esprim_seci - parsed {"m2m:seci":{...}}
 * @sit: securityInfoType, 3 to 6
 * @epo: sit 5: the ESPrim Object string, @epo_len characters, owned
 * @ero: sit 4: the receiver rand object, owned
 * @eckm: sit 6: decoded ESCertKE message octets, @eckm_len, owned
 * @json_owner: private
 *
 * Released with esprim_seci_release().
 */
struct esprim_seci {
	int sit;
	const char *epo;
	size_t epo_len;
	struct esprim_rand *ero;
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
/*
 * sit 3, 4 (ero = rand), 6 (eckm = octets): the JSON text in *out, freed
 * with esprim_free().
 */
int esprim_seci_build(char **out, int sit, const struct esprim_rand *ero,
		      const uint8_t *eckm, size_t eckm_len,
		      struct esprim_error *err);

/* ---- esprimd's local API, client side (Documentation/esprimd-socket.md) ---- */

struct esprim_client;

/*
 * Connects to esprimd's socket: path, or NULL for $ESPRIMD_SOCKET, else
 * /run/onem2m-esprim/esprimd.sock.  0 or a negative errno.
 */
int esprim_client_connect(struct esprim_client **c, const char *path);
void esprim_client_close(struct esprim_client *c);

/*
 * Sends a request (a JSON object text with "op"; the client sets "id")
 * and waits for its reply, timeout_ms at most (0: no limit).  0 with the
 * reply's JSON text in *reply (esprim_free() it), whether it says ok or
 * not; or a negative errno: -ETIMEDOUT, -ECONNRESET, -EPROTO (a reply
 * that is not one JSON object line), -EINVAL (request not an object).
 */
int esprim_client_call(struct esprim_client *c, const char *request,
		       int timeout_ms, char **reply);

/*
 * The operations for CSEs.  0 on success; a positive RSC, or a negative
 * errno, with err filled from the reply ("rsc", "errno", "message").
 * Texts returned are JSON, but *originator and *handle plain strings
 * (esprim_free() them all).
 *   seal:    primitive (a JSON object text) for target -> *content, the
 *            m2m:seci to send in a Notify
 *   open:    the m2m:seci content of a response -> *primitive
 *   notify:  an incoming m2m:seci -> a request: *primitive, *originator
 *            and *handle; or a rand request: *reply_content to answer
 *            with (the others NULL)
 *   respond: handle and the response primitive -> *content
 */
int esprim_client_seal(struct esprim_client *c, const char *target,
		       const char *primitive, char **content,
		       struct esprim_error *err);
int esprim_client_open(struct esprim_client *c, const char *content,
		       char **primitive, struct esprim_error *err);
int esprim_client_notify(struct esprim_client *c, const char *content,
			 char **primitive, char **originator, char **handle,
			 char **reply_content, struct esprim_error *err);
int esprim_client_respond(struct esprim_client *c, const char *handle,
			  const char *primitive, char **content,
			  struct esprim_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ESPRIM_H */
