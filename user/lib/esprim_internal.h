/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libesprim internals: the opaque types, the context's tables and the
 * backend interface.
 */
#ifndef ESPRIM_INTERNAL_H
#define ESPRIM_INTERNAL_H

#include <jansson.h>
#include <linux/onem2m_esprim_netlink.h>

#include "esprim.h"

/* ---- errors (esprim_rsc.c) ---- */

/* Sets err (if any) and returns rsc: the data is at fault. */
int esprim_fail(struct esprim_error *err, int rsc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Sets err (if any) with errnum and the RSC to answer a peer with, and
 * returns -errnum: a local failure.
 */
int esprim_fail_local(struct esprim_error *err, int errnum, int rsc,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Wipes memory the compiler must not optimise away. */
void esprim_wipe(void *p, size_t len);

/*
 * Reads a sized config (its first member the size the caller knows):
 * what that size covers, zeros after; refused below min_size.
 */
int esprim_config_read(void *dst, size_t dst_size, const void *in,
		       size_t min_size, const char *what, int rsc,
		       struct esprim_error *err);

/* Grows a buffer (wiping the old one) to at least need bytes; 0 or -1. */
int esprim_buf_grow(uint8_t **buf, size_t *size, size_t need);

/* ---- time (esprim_time.c) ---- */

/* An absolute oneM2M timestamp of exactly n characters. */
bool esprim_time_parse(const char *s, size_t n, int64_t *ms);
/* "YYYYMMDDTHHMMSS" UTC; 0, or -1 (out is then "") */
int esprim_time_format(int64_t ms, char out[16]);
/* now + rel; false on overflow */
bool esprim_time_add(int64_t now_ms, int64_t rel_ms, int64_t *out);

/* ---- identities (esprim_from.c) ---- */

/* What a pairwise key may be bound to (the kernel's rule). */
bool esprim_is_identity(const char *s, size_t n);

/* ---- rand objects (esprim_rand.c) ---- */

/*
 * JSON is read with jansson, without JSON_ALLOW_NUL: no string holds a
 * NUL, so json_string_value() is a C string of json_string_length().
 */
struct esprim_rand {
	bool receiver;
	char id[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char value[ESPRIM_RAND_VALUE_MAX + 1];
	int64_t expiry_ms;
	bool relative;		/* esrx was relative: resolved on parsing */
	uint32_t espa;		/* ESPRIM_ESPA_* */
	uint32_t kdf;		/* bit n: algorithm n; bit 0: unknown ones */
	size_t canon_len;
	char canon[ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN + 1];
};

/* esprim_rand_parse() on a parsed JSON value, into r. */
int esprim_rand_from_json(struct esprim_rand *r, const json_t *obj,
			  bool receiver, int64_t now_ms,
			  struct esprim_error *err);
bool esprim_rand_equal(const struct esprim_rand *a,
		       const struct esprim_rand *b);

/* Whether s is an NCName of ASCII letters, digits, '.', '-', '_'. */
bool esprim_is_ncname(const char *s, size_t len);
/* Whether s can be a pairwiseESPrimKeyID: printable ASCII, no '"', '\\', ':'. */
bool esprim_is_kid(const char *s, size_t len);

/* ---- protected header (esprim_jwe.c) ---- */

struct esprim_header {
	enum onem2m_esprim_enc enc;
	enum esprim_cty_kind cty_kind;
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char ori[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char rri[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char cty[ESPRIM_MAX_CTY_LEN + 1];
	bool has_oro;
	bool has_rro;
	struct esprim_rand oro;
	struct esprim_rand rro;
};

int esprim_header_parse_into(struct esprim_header *h, const char *json,
			     size_t len, int64_t now_ms,
			     struct esprim_error *err);

/* ---- hash tables (esprim_htable.c) ---- */

struct esprim_hnode {
	struct esprim_hnode *next;
	uint32_t hash;
};

/* Chained, a power of two of buckets, grown as entries are added. */
struct esprim_htable {
	struct esprim_hnode **buckets;
	uint32_t mask;
	uint32_t count;
};

int esprim_htable_init(struct esprim_htable *t, uint32_t buckets);
void esprim_htable_fini(struct esprim_htable *t);
/* Adds n with hash; grows the table when it fills (failure to grow is not an error). */
void esprim_htable_add(struct esprim_htable *t, struct esprim_hnode *n,
		       uint32_t hash);
void esprim_htable_del(struct esprim_htable *t, struct esprim_hnode *n);
/* The first node of hash's chain; walk with ->next, compare ->hash. */
struct esprim_hnode *esprim_htable_first(const struct esprim_htable *t,
					 uint32_t hash);
/*
 * Calls fn on every node (fn may remove the node it is given); returns
 * the sum of what fn returned.
 */
unsigned int esprim_htable_walk(struct esprim_htable *t,
				unsigned int (*fn)(struct esprim_hnode *n,
						   void *arg),
				void *arg);
/* FNV-1a over strings, each with its NUL, and a number. */
uint32_t esprim_hash(uint64_t n, const char *a, const char *b,
		     const char *c);

#define esprim_container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* ---- context and pairwise keys (esprim_ctx.c) ---- */

struct esprim_pairwise {
	struct esprim_hnode node;	/* ctx->pairwise by kid */
	struct esprim_ctx *ctx;
	unsigned int refs;		/* the context's and its sessions' */
	bool linked;
	uint64_t ns;			/* learnt rand objects' namespace */
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char *peer;
	int64_t expiry_ms;		/* 0: none */
	enum onem2m_esprim_replay replay;
	uint32_t sessions;		/* linked sessions of this key */
	uint32_t learnt;		/* learnt rand objects */
	int32_t serial;			/* kernel backend: "pairwise:<kid>" */
	void *backend;			/* soft backend: the key's octets */
	/* Token bucket of set-ups for unverified objects naming this key. */
	double setup_tokens;
	int64_t setup_ms;
};

struct esprim_ctx {
	struct esprim_ctx_config config;
	const struct esprim_backend_ops *ops;
	void *backend;
	struct esprim_htable pairwise;
	struct esprim_htable rands;
	struct esprim_htable sessions;
	struct esprim_session *all;	/* linked or still referenced */
	uint64_t next_ns;
	int64_t next_reap_ms;
	struct esprim_ctx_stats stats;
	/* Session whose peer header text hashes to the slot (open's cache). */
	struct esprim_session *hdr_cache[256];
	/* Parsed header and decode scratch of esprim_open(). */
	struct esprim_header hdr;
	uint8_t *scratch;
	size_t scratch_size;
	/* The window of a batch on a backend with a batched path. */
	struct esprim_batch_op *batch_ops;
	void *batch_state;
};

struct esprim_pairwise *esprim_ctx_find_pairwise(struct esprim_ctx *ctx,
						 const char *kid);
void esprim_pairwise_put(struct esprim_pairwise *pw);
/* Whether a key is usable at now; the RSC (4112) if not. */
int esprim_pairwise_check(const struct esprim_pairwise *pw, const char *kid,
			  int64_t now, struct esprim_error *err);
/* Takes a token of pw's for setting up a session for an unverified object. */
int esprim_ctx_setup_allowed(struct esprim_ctx *ctx,
			     struct esprim_pairwise *pw, int64_t now,
			     struct esprim_error *err);
/* Reaps if it is time (once a second) or force is set. */
void esprim_ctx_maybe_reap(struct esprim_ctx *ctx, int64_t now, bool force);
/* Grows ctx->scratch to at least size bytes; 0 or -1. */
int esprim_ctx_scratch(struct esprim_ctx *ctx, size_t size);
/* The context's batch window (ESPRIM_BATCH_WINDOW ops), or NULL. */
struct esprim_batch_op *esprim_ctx_batch_ops(struct esprim_ctx *ctx);

/* ---- rand object namespaces (esprim_rand_cache.c) ---- */

/* Namespace 0 holds this side's own objects; each key has its own. */
const struct esprim_rand *esprim_rands_find(struct esprim_ctx *ctx,
					    uint64_t ns, const char *id,
					    bool receiver);
int esprim_rands_add(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
		     const struct esprim_rand *r, struct esprim_error *err);
/* Drops the objects of a namespace (a key going). */
void esprim_rands_drop_ns(struct esprim_ctx *ctx, uint64_t ns);
/* Drops expired objects; how many. */
unsigned int esprim_rands_reap(struct esprim_ctx *ctx, int64_t now);
void esprim_rands_fini(struct esprim_ctx *ctx);

/* ---- sessions (esprim_session.c) ---- */

/* How the inner From of requests opened with a header is checked. */
enum esprim_from_mode {
	ESPRIM_FROM_NONE,	/* a response: nothing to check */
	ESPRIM_FROM_LIBRARY,	/* a JSON request: esprim_check_from() */
	ESPRIM_FROM_CALLER,	/* ESPRIM_FROM_UNCHECKED to the caller */
};

struct esprim_session {
	struct esprim_hnode node;	/* ctx->sessions */
	struct esprim_session *all_next;	/* every session of ctx */
	struct esprim_session **all_pprev;
	struct esprim_ctx *ctx;
	struct esprim_pairwise *pairwise;	/* a reference */
	unsigned int refs;
	bool linked;
	char ori[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char rri[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char cty[ESPRIM_MAX_CTY_LEN + 1];
	enum onem2m_esprim_enc enc;	/* what this side seals with */
	enum onem2m_esprim_role role;
	enum esprim_announce announce;
	bool announcing;		/* own rand object in the header */
	bool verified;			/* an object of the peer verified */
	int64_t expiry_ms;		/* earliest of key and rand objects */
	struct esprim_rand rro;
	struct esprim_rand oro;
	struct esprim_rand *next;	/* offered in-band (B.15) */

	/* Protected header this side seals with, base64url: the AAD. */
	char *hdr;
	size_t hdr_len;

	/* The peer's last verified header, to skip parsing repeats. */
	char *peer_hdr;
	size_t peer_hdr_len;
	size_t peer_hdr_size;
	enum onem2m_esprim_enc peer_enc;
	enum esprim_from_mode peer_from;
	char peer_cty[ESPRIM_MAX_CTY_LEN + 1];

	void *backend;			/* per enc: keys, IVs, replay */
};

uint32_t esprim_session_hash(uint64_t ns, const char *ori, const char *rri,
			     enum onem2m_esprim_role role);
struct esprim_session *esprim_ctx_find_session(struct esprim_ctx *ctx,
					       const struct esprim_pairwise *pw,
					       const char *ori,
					       const char *rri,
					       enum onem2m_esprim_role role);
/* esprim_session_new() with a key found already; the session is linked. */
int esprim_session_create(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
			  const struct esprim_session_config *cfg,
			  struct esprim_session **out,
			  struct esprim_error *err);
/* Whether an expired session stays, without keys, to refuse replays. */
bool esprim_session_tombstone(const struct esprim_session *s, int64_t now);
/* Frees every session, references held or not (the context goes). */
void esprim_sessions_destroy_all(struct esprim_ctx *ctx);
/* Unlinks from the context (idempotent); drops the context's reference. */
void esprim_session_unlink(struct esprim_session *s);
/* The RSC (4112/4113/4114) for a session that can no longer be used, or 0. */
int esprim_session_expired(const struct esprim_session *s, int64_t now,
			   struct esprim_error *err);
/* Rebuilds the protected header (after enc or announce changes). */
int esprim_session_build_header(struct esprim_session *s,
				struct esprim_error *err);
/* After an object of the peer verified: announcing may stop. */
int esprim_session_peer_verified(struct esprim_session *s,
				 struct esprim_error *err);

/* ---- replay state (esprim_replay.c) ---- */

/* Replay state of one receiving direction of a session key, soft backend. */
struct esprim_replay {
	uint8_t policy;			/* enum onem2m_esprim_replay */
	bool peer_seen;
	bool set_full;			/* used up for opening */
	uint32_t window_size;		/* a power of two */
	uint32_t peer_fixed;
	uint64_t peer_top;
	uint64_t window[ONEM2M_ESPRIM_MAX_REPLAY_WINDOW / 64];
	struct esprim_iv_slot *set;	/* IVs of a random-IV peer */
	uint32_t set_capacity;
	uint32_t set_count;
	uint32_t set_mask;
	uint64_t replays;		/* authentic objects refused */
	uint64_t reflections;
};

void esprim_replay_init(struct esprim_replay *r, uint8_t policy,
			uint32_t window, uint32_t set_capacity);
void esprim_replay_fini(struct esprim_replay *r);

enum esprim_replay_result {
	ESPRIM_REPLAY_REPLAYED = 1,	/* the kernel's EALREADY */
	ESPRIM_REPLAY_REFLECTED,	/* EALREADY too */
	ESPRIM_REPLAY_SET_FULL,		/* ENOSPC: used up for opening */
	ESPRIM_REPLAY_NOMEM,		/* ENOMEM */
};

/*
 * After the tag of an object verified: checks its IV against the state
 * of a side whose own fixed field is own_fixed and records it.  0 or an
 * enum esprim_replay_result.
 */
int esprim_replay_commit(struct esprim_replay *r, uint32_t own_fixed,
			 const uint8_t iv[ONEM2M_ESPRIM_IV_LEN]);
/* Records the RSC and message of an enum esprim_replay_result; the return. */
int esprim_replay_fail(int result, struct esprim_error *err);

/* ---- backends (esprim_soft.c, esprim_kernel.c) ---- */

/* Messages a batch hands a backend at once, at most. */
#define ESPRIM_BATCH_WINDOW	ONEM2M_ESPRIM_BATCH_MAX_ITEMS

/*
 * One message of a batch as a backend sees it.  Seal: @in is the text,
 * and on success @ct the ciphertext (in the backend's buffer, valid until
 * its next operation) and @trailer the tag and IV it used.  Open: @in is
 * the ciphertext, @trailer the tag and IV given, the text goes to @out
 * (@len bytes; @out may be @in).  @rc is 0, an RSC or -errno.
 */
struct esprim_batch_op {
	struct esprim_session *s;
	enum onem2m_esprim_enc enc;
	const char *aad;		/* the protected header as sent */
	size_t aad_len;
	const uint8_t *in;
	size_t len;
	uint8_t *out;
	const uint8_t *ct;
	uint8_t trailer[ONEM2M_ESPRIM_TRAILER_LEN];	/* tag || IV */
	unsigned int item;		/* the caller's */
	int rc;
};

/*
 * A backend keeps the keys and seals and opens one message of a session
 * under one enc (profile B.13: each enc has its own key, IV counter and
 * replay state, as in the kernel).  seal points *ct at the ciphertext in
 * a buffer of its own (valid until the next operation) and returns the IV
 * it used (the kernel template chooses its own); open verifies with the
 * IV given and checks replays.  All return 0, an RSC or -errno.
 */
struct esprim_backend_ops {
	const char *name;
	int (*ctx_init)(struct esprim_ctx *ctx, struct esprim_error *err);
	void (*ctx_fini)(struct esprim_ctx *ctx);
	/* Takes the key (or finds it in the keyring); sets pw->peer if NULL. */
	int (*pairwise_add)(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
			    const struct esprim_pairwise_config *cfg,
			    struct esprim_error *err);
	void (*pairwise_del)(struct esprim_ctx *ctx,
			     struct esprim_pairwise *pw);
	int (*session_init)(struct esprim_session *s,
			    struct esprim_error *err);
	void (*session_fini)(struct esprim_session *s);
	int (*seal)(struct esprim_session *s, enum onem2m_esprim_enc enc,
		    const uint8_t *text, size_t len, const uint8_t **ct,
		    uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
		    uint8_t iv[ONEM2M_ESPRIM_IV_LEN], struct esprim_error *err);
	int (*open)(struct esprim_session *s, enum onem2m_esprim_enc enc,
		    const char *aad, size_t aad_len,
		    const uint8_t iv[ONEM2M_ESPRIM_IV_LEN], const uint8_t *ct,
		    size_t len, const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
		    uint8_t *text, struct esprim_error *err);
	/* Soft backend only: the next IV of enc. */
	int (*set_iv)(struct esprim_session *s, enum onem2m_esprim_enc enc,
		      uint32_t fixed, uint64_t counter,
		      struct esprim_error *err);
	/*
	 * Optional batched paths: handle the first of ops[0..n) (as many as
	 * go together, at least one) in order, as seal and open would one by
	 * one, and return how many.
	 */
	unsigned int (*seal_batch)(struct esprim_ctx *ctx,
				   struct esprim_batch_op *ops, unsigned int n);
	unsigned int (*open_batch)(struct esprim_ctx *ctx,
				   struct esprim_batch_op *ops, unsigned int n);
};

extern const struct esprim_backend_ops esprim_soft_ops;
extern const struct esprim_backend_ops esprim_kernel_ops;

#endif /* ESPRIM_INTERNAL_H */
