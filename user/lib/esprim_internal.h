/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libesprim internals: context, session and backend interface.
 */
#ifndef ESPRIM_INTERNAL_H
#define ESPRIM_INTERNAL_H

#include <jansson.h>

#include "esprim.h"

#define ESPRIM_HASH_BUCKETS	256

/* Sets err (if any) and returns rsc; msg is printf-style. */
int esprim_fail(struct esprim_error *err, int rsc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * JSON is read with jansson, without JSON_ALLOW_NUL: no string holds a
 * NUL, so json_string_value() is a C string of json_string_length().
 */

/* esprim_rand_parse() on a parsed JSON value. */
int esprim_rand_from_json(struct esprim_rand *r, const json_t *obj,
			  bool receiver, int64_t now_ms,
			  struct esprim_error *err);

/* Whether s can be a pairwiseESPrimKeyID: printable ASCII, no '"', '\\', ':'. */
bool esprim_is_kid(const char *s, size_t len);


/* Replay state of one session's receiving direction (esprim_replay.c). */
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

/* Whether s is an NCName of ASCII letters, digits, '.', '-', '_'. */
bool esprim_is_ncname(const char *s, size_t len);

struct esprim_pairwise {
	struct esprim_pairwise *next;
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char *peer;			/* NULL: no impersonation check */
	int64_t expiry_ms;		/* 0: none */
	int32_t serial;			/* kernel backend: "pairwise:<kid>" */
	size_t key_len;
	uint8_t key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
};

struct esprim_rand_entry {
	struct esprim_rand_entry *next;
	struct esprim_rand rand;
};

struct esprim_session {
	struct esprim_ctx *ctx;
	struct esprim_session *next;	/* hash chain by (kid, ori, rri) */
	struct esprim_pairwise *pairwise;
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char ori[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char rri[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char cty[ESPRIM_MAX_CTY_LEN + 1];
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_role role;
	int64_t expiry_ms;		/* earliest of keys and rand objects */
	bool announce;
	struct esprim_rand rro;
	struct esprim_rand oro;
	struct esprim_rand *next_rro;	/* offered in-band, receiver only */

	/* Protected header this side seals with, base64url: the AAD. */
	char *hdr;
	size_t hdr_len;
	/* The peer's last verified header text, to skip parsing repeats. */
	char *peer_hdr;
	size_t peer_hdr_len;
	size_t peer_hdr_size;
	bool check_from;		/* inner From check for that header */

	/* Soft backend IV state and replay state, as in the kernel. */
	uint32_t fixed;
	uint64_t counter;
	uint64_t max_invocations;
	struct esprim_replay replay;

	void *backend;			/* the backend's per-session state */
};

/*
 * A backend seals and opens one message of a session.  seal points *ct
 * at the ciphertext in a buffer of its own (valid until the next
 * operation) and returns the IV it used (the kernel template chooses its
 * own); open verifies with the IV given.  Both return 0 or an RSC.  A batched kernel path (netlink)
 * adds batch operations here; esprim_seal_batch() loops until then.
 */
struct esprim_backend_ops {
	const char *name;
	int (*ctx_init)(struct esprim_ctx *ctx, struct esprim_error *err);
	void (*ctx_fini)(struct esprim_ctx *ctx);
	int (*pairwise_add)(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
			    struct esprim_error *err);
	void (*pairwise_del)(struct esprim_ctx *ctx,
			     struct esprim_pairwise *pw);
	int (*session_init)(struct esprim_session *s,
			    struct esprim_error *err);
	void (*session_fini)(struct esprim_session *s);
	int (*seal)(struct esprim_session *s, const uint8_t *text, size_t len,
		    const uint8_t **ct, uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
		    uint8_t iv[ONEM2M_ESPRIM_IV_LEN], struct esprim_error *err);
	int (*open)(struct esprim_session *s, const char *aad, size_t aad_len,
		    const uint8_t iv[ONEM2M_ESPRIM_IV_LEN], const uint8_t *ct,
		    size_t len, const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
		    uint8_t *text, struct esprim_error *err);
};

struct esprim_ctx {
	struct esprim_ctx_config config;
	const struct esprim_backend_ops *ops;
	void *backend;
	struct esprim_pairwise *pairwise;
	struct esprim_rand_entry *rands;
	struct esprim_session *sessions[ESPRIM_HASH_BUCKETS];
	/* Session whose peer header text hashes to the slot (open's cache). */
	struct esprim_session *hdr_cache[ESPRIM_HASH_BUCKETS];
	/* Scratch for decoding an object's header and IV/ciphertext/tag. */
	uint8_t *scratch;
	size_t scratch_size;
};

extern const struct esprim_backend_ops esprim_soft_ops;
extern const struct esprim_backend_ops esprim_kernel_ops;

/*
 * Replay state of the soft backend (esprim_replay.c): the kernel's
 * semantics (uapi header, profile B.9).
 */
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

/* Records the RSC and message of an enum esprim_replay_result; the RSC. */
int esprim_replay_fail(int result, struct esprim_error *err);

/* Grows a buffer (wiping the old one) to at least need bytes; 0 or -1. */
int esprim_buf_grow(uint8_t **buf, size_t *size, size_t need);

/* Grows ctx->scratch to at least size bytes; 0 or -1. */
int esprim_ctx_scratch(struct esprim_ctx *ctx, size_t size);

struct esprim_pairwise *esprim_ctx_find_pairwise(struct esprim_ctx *ctx,
						 const char *kid);
struct esprim_session *esprim_ctx_find_session(struct esprim_ctx *ctx,
					       const char *kid,
					       const char *ori,
					       const char *rri);

/* Rebuilds the session's protected header (after announce changes). */
int esprim_session_build_header(struct esprim_session *s,
				struct esprim_error *err);

/* Wipes memory the compiler must not optimise away. */
void esprim_wipe(void *p, size_t len);

#endif /* ESPRIM_INTERNAL_H */
