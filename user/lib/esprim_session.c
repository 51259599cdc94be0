// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: set-up from a pairwise key and two rand objects, sealing into
 * and opening ESPrim Objects, batches.
 *
 * The protected header a session seals with is built once and kept as
 * base64url, which is also the AAD.  The header a peer sends is kept after
 * it verified: an object repeating it byte for byte is not parsed again.
 * A context and its sessions are used by one thread at a time.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "esprim_internal.h"

#define ESPRIM_IV_B64_LEN	16	/* 12 octets */
#define ESPRIM_TAG_B64_LEN	22	/* 16 octets */

static uint32_t esprim_fnv(uint32_t h, const char *s, size_t n)
{
	while (n--) {
		h ^= (uint8_t)*s++;
		h *= 16777619U;
	}
	return h;
}

static unsigned int esprim_session_bucket(const char *kid, const char *ori,
					  const char *rri)
{
	uint32_t h = 2166136261U;

	h = esprim_fnv(h, kid, strlen(kid) + 1);
	h = esprim_fnv(h, ori, strlen(ori) + 1);
	h = esprim_fnv(h, rri, strlen(rri) + 1);
	return h % ESPRIM_HASH_BUCKETS;
}

struct esprim_session *esprim_ctx_find_session(struct esprim_ctx *ctx,
					       const char *kid,
					       const char *ori,
					       const char *rri)
{
	struct esprim_session *s;

	s = ctx->sessions[esprim_session_bucket(kid, ori, rri)];
	for (; s; s = s->next)
		if (!strcmp(s->kid, kid) && !strcmp(s->ori, ori) &&
		    !strcmp(s->rri, rri))
			return s;
	return NULL;
}

static int64_t esprim_min_expiry(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* The RSC for a session that can no longer be used, or 0. */
static int esprim_session_expired(const struct esprim_session *s,
				  int64_t now, struct esprim_error *err)
{
	if (now < s->expiry_ms || !s->expiry_ms)
		return 0;
	if (s->pairwise->expiry_ms && s->pairwise->expiry_ms <= now)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "pairwise key %s has expired", s->kid);
	if (s->rro.expiry_ms <= now)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
				   "receiver rand object %s has expired",
				   s->rri);
	return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
			   "originator rand object %s has expired", s->ori);
}

int esprim_session_new(struct esprim_ctx *ctx,
		       const struct esprim_session_config *cfg,
		       struct esprim_session **out, struct esprim_error *err)
{
	int64_t now = esprim_now_ms();
	struct esprim_pairwise *pw;
	struct esprim_session *s;
	unsigned int bucket;
	const char *cty;
	int rc;

	*out = NULL;
	if (!cfg->kid || !cfg->rro || !cfg->oro)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "a session needs kid, rro and oro");
	pw = esprim_ctx_find_pairwise(ctx, cfg->kid);
	if (!pw || (pw->expiry_ms && pw->expiry_ms <= now))
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "no valid pairwise key %.64s", cfg->kid);
	rc = esprim_rand_check_pair(cfg->rro, cfg->oro, now, err);
	if (rc)
		return rc;
	if (!esprim_enc_key_len(cfg->enc) ||
	    !(cfg->oro->espa & (1U << cfg->enc)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "enc %s is not offered by originator rand object %s",
				   esprim_enc_name(cfg->enc) ?: "?", cfg->oro->id);
	if (cfg->role != ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
	    cfg->role != ONEM2M_ESPRIM_ROLE_RECEIVER)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "role %d unknown", cfg->role);
	cty = cfg->cty ?: cfg->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR ?
	      ESPRIM_CTY_REQUEST : ESPRIM_CTY_RESPONSE;
	if (strlen(cty) > ESPRIM_MAX_CTY_LEN || strchr(cty, '"') ||
	    strchr(cty, '\\'))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "cty must be at most %d characters without quotes",
				   ESPRIM_MAX_CTY_LEN);
	if (esprim_ctx_find_session(ctx, cfg->kid, cfg->oro->id,
				    cfg->rro->id))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "session %s:%s:%s exists", cfg->kid,
				   cfg->oro->id, cfg->rro->id);

	s = calloc(1, sizeof(*s));
	if (!s)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	s->ctx = ctx;
	s->pairwise = pw;
	strcpy(s->kid, cfg->kid);
	strcpy(s->ori, cfg->oro->id);
	strcpy(s->rri, cfg->rro->id);
	strcpy(s->cty, cty);
	s->enc = cfg->enc;
	s->role = cfg->role;
	s->announce = cfg->announce;
	s->rro = *cfg->rro;
	s->oro = *cfg->oro;
	s->expiry_ms = esprim_min_expiry(pw->expiry_ms,
					 esprim_min_expiry(s->rro.expiry_ms,
							   s->oro.expiry_ms));
	if (RAND_bytes((uint8_t *)&s->fixed, sizeof(s->fixed)) != 1) {
		free(s);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "no random bytes for the IV fixed field");
	}
	s->fixed &= ~ONEM2M_ESPRIM_IV_ROLE_BIT;
	if (s->role == ONEM2M_ESPRIM_ROLE_RECEIVER)
		s->fixed |= ONEM2M_ESPRIM_IV_ROLE_BIT;
	s->max_invocations = ONEM2M_ESPRIM_MAX_INVOCATIONS;
	esprim_replay_init(&s->replay, (uint8_t)ctx->config.replay,
			   ctx->config.replay_window, ctx->config.replay_set);

	rc = esprim_session_build_header(s, err);
	rc = rc ?: ctx->ops->session_init(s, err);
	if (rc) {
		free(s->hdr);
		free(s);
		return rc;
	}
	bucket = esprim_session_bucket(s->kid, s->ori, s->rri);
	s->next = ctx->sessions[bucket];
	ctx->sessions[bucket] = s;
	*out = s;
	return 0;
}

void esprim_session_free(struct esprim_session *s)
{
	struct esprim_session **pp;
	struct esprim_ctx *ctx;
	unsigned int i;

	if (!s)
		return;
	ctx = s->ctx;
	for (i = 0; i < ESPRIM_HASH_BUCKETS; i++)
		if (ctx->hdr_cache[i] == s)
			ctx->hdr_cache[i] = NULL;
	pp = &ctx->sessions[esprim_session_bucket(s->kid, s->ori, s->rri)];
	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp)
		*pp = s->next;
	ctx->ops->session_fini(s);
	esprim_replay_fini(&s->replay);
	free(s->hdr);
	free(s->peer_hdr);
	free(s->next_rro);
	esprim_wipe(s, sizeof(*s));
	free(s);
}

int esprim_session_offer_rro(struct esprim_session *s,
			     const struct esprim_rand *next,
			     struct esprim_error *err)
{
	int rc;

	if (s->role != ONEM2M_ESPRIM_ROLE_RECEIVER)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "only a receiver offers receiver rand objects");
	if (next && !next->receiver)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "not a receiver rand object");
	if (next) {
		rc = esprim_ctx_add_rand(s->ctx, next, err);
		if (rc)
			return rc;
		if (!s->next_rro)
			s->next_rro = malloc(sizeof(*s->next_rro));
		if (!s->next_rro)
			return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
					   "out of memory");
		*s->next_rro = *next;
	} else {
		free(s->next_rro);
		s->next_rro = NULL;
	}
	return esprim_session_build_header(s, err);
}

const char *esprim_session_header(const struct esprim_session *s,
				  size_t *len)
{
	*len = s->hdr_len;
	return s->hdr;
}

int esprim_session_set_iv(struct esprim_session *s, uint32_t fixed,
			  uint64_t counter, struct esprim_error *err)
{
	if (s->ctx->ops != &esprim_soft_ops)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "the %s backend chooses its own IVs",
				   s->ctx->ops->name);
	s->fixed = fixed;
	s->counter = counter;
	return 0;
}

size_t esprim_seal_size(const struct esprim_session *s, size_t text_len)
{
	return s->hdr_len + 2 + ESPRIM_IV_B64_LEN + 1 +
	       esprim_b64url_encoded_len(text_len) + 1 + ESPRIM_TAG_B64_LEN;
}

int esprim_seal(struct esprim_session *s, const void *text, size_t text_len,
		char *out, size_t out_size, size_t *out_len,
		struct esprim_error *err)
{
	struct esprim_ctx *ctx = s->ctx;
	uint8_t iv[ONEM2M_ESPRIM_IV_LEN], tag[ONEM2M_ESPRIM_TAG_LEN];
	size_t need = esprim_seal_size(s, text_len);
	const uint8_t *ct;
	char *o = out;
	int rc;

	if (text_len > ONEM2M_ESPRIM_MAX_TEXT)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "primitive of %zu bytes exceeds %d",
				   text_len, ONEM2M_ESPRIM_MAX_TEXT);
	if (out_size < need)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "output buffer of %zu bytes, %zu needed",
				   out_size, need);
	if (esprim_session_expired(s, esprim_now_ms(), err))
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "session %s:%s:%s has expired", s->kid,
				   s->ori, s->rri);
	rc = ctx->ops->seal(s, text, text_len, &ct, tag, iv, err);
	if (rc)
		return rc;

	memcpy(o, s->hdr, s->hdr_len);
	o += s->hdr_len;
	*o++ = '.';
	*o++ = '.';
	o += esprim_b64url_encode(iv, sizeof(iv), o);
	*o++ = '.';
	o += esprim_b64url_encode(ct, text_len, o);
	*o++ = '.';
	o += esprim_b64url_encode(tag, sizeof(tag), o);
	if ((size_t)(o - out) < out_size)
		*o = 0;
	*out_len = (size_t)(o - out);
	return 0;
}

unsigned int esprim_seal_batch(struct esprim_session *s,
			       struct esprim_batch_item *items, unsigned int n)
{
	unsigned int i, done = 0;

	for (i = 0; i < n; i++) {
		items[i].rsc = esprim_seal(s, items[i].in, items[i].in_len,
					   items[i].out, items[i].out_size,
					   &items[i].out_len, NULL);
		done += !items[i].rsc;
	}
	return done;
}

/* Decodes one base64url part of exactly want octets (0: any, up to max). */
static long esprim_part(const struct esprim_compact *c, int i, uint8_t *out,
			size_t want)
{
	if (want && c->len[i] != esprim_b64url_encoded_len(want))
		return -1;
	return esprim_b64url_decode(c->part[i], c->len[i], out);
}

/* Sets up the receiver's session for an object from a new originator. */
static int esprim_open_new_session(struct esprim_ctx *ctx,
				   const struct esprim_header *h,
				   struct esprim_session **out,
				   struct esprim_error *err)
{
	struct esprim_session_config cfg = {
		.kid = h->kid,
		.enc = h->enc,
		.role = ONEM2M_ESPRIM_ROLE_RECEIVER,
	};

	cfg.rro = esprim_ctx_find_rand(ctx, h->rri, true);
	if (!cfg.rro)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
				   "no receiver rand object %s", h->rri);
	cfg.oro = h->has_oro ? &h->oro : esprim_ctx_find_rand(ctx, h->ori,
							       false);
	if (!cfg.oro)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "no originator rand object %s", h->ori);
	return esprim_session_new(ctx, &cfg, out, err);
}

/* Finds the session a freshly parsed header names, checks it fits. */
static int esprim_open_session(struct esprim_ctx *ctx,
			       const struct esprim_header *h,
			       struct esprim_session **out,
			       struct esprim_error *err)
{
	struct esprim_pairwise *pw = esprim_ctx_find_pairwise(ctx, h->kid);
	int64_t now = esprim_now_ms();
	struct esprim_session *s;
	int rc;

	if (!pw || (pw->expiry_ms && pw->expiry_ms <= now))
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "no valid pairwise key %s", h->kid);
	s = esprim_ctx_find_session(ctx, h->kid, h->ori, h->rri);
	if (!s)
		return esprim_open_new_session(ctx, h, out, err);
	rc = esprim_session_expired(s, now, err);
	if (rc)
		return rc;
	if (h->enc != s->enc)
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "enc %s differs from the session's %s",
				   esprim_enc_name(h->enc),
				   esprim_enc_name(s->enc));
	if (h->has_oro && (h->oro.canon_len != s->oro.canon_len ||
			   memcmp(h->oro.canon, s->oro.canon,
				  s->oro.canon_len)))
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "oro differs from originator rand object %s of the session",
				   h->ori);
	*out = s;
	return 0;
}

/* Keeps the verified header text of the peer to skip parsing repeats. */
static void esprim_remember_peer_header(struct esprim_session *s,
					const char *hdr, size_t len)
{
	char *p;

	if (len > s->peer_hdr_size) {
		p = realloc(s->peer_hdr, len);
		if (!p) {
			s->peer_hdr_len = 0;
			return;
		}
		s->peer_hdr = p;
		s->peer_hdr_size = len;
	}
	memcpy(s->peer_hdr, hdr, len);
	s->peer_hdr_len = len;
}

/* After the tag verified: what the header announced may be kept. */
static int esprim_open_learn(struct esprim_ctx *ctx, struct esprim_session *s,
			     const struct esprim_header *h,
			     struct esprim_error *err)
{
	int rc = 0;

	if (h->has_oro)
		rc = esprim_ctx_add_rand(ctx, &h->oro, err);
	/* In-band refresh: a receiver object for the next session. */
	if (!rc && h->has_rro && s->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR)
		rc = esprim_ctx_add_rand(ctx, &h->rro, err);
	/* The receiver has our originator object now. */
	if (!rc && s->announce && s->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR) {
		s->announce = false;
		rc = esprim_session_build_header(s, err);
	}
	return rc;
}

/*
 * Whether the inner primitive of objects with this header gets the
 * TS-0003 7.2.2 check: requests a receiver opens, when the pairwise key
 * is bound to an identity.  Only JSON requests can be checked.
 */
static int esprim_open_wants_from(const struct esprim_session *s,
				  const struct esprim_header *h, bool *check,
				  struct esprim_error *err)
{
	*check = false;
	if (!s->pairwise->peer || s->role != ONEM2M_ESPRIM_ROLE_RECEIVER)
		return 0;
	/* A caller that checks From parses the primitive in any encoding. */
	if (h->cty[0] && strcmp(h->cty, ESPRIM_CTY_REQUEST) &&
	    !s->ctx->config.caller_checks_from)
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "cty %s: the From check needs %s",
				   h->cty, ESPRIM_CTY_REQUEST);
	*check = true;
	return 0;
}

static unsigned int esprim_hdr_slot(const char *hdr, size_t len)
{
	return esprim_fnv(2166136261U, hdr, len) % ESPRIM_HASH_BUCKETS;
}

/* Parses a header not seen before and finds or sets up its session. */
static int esprim_open_header(struct esprim_ctx *ctx,
			      const struct esprim_compact *c,
			      struct esprim_header *h,
			      struct esprim_session **s, bool *created,
			      bool *check_from, struct esprim_error *err)
{
	long n = esprim_part(c, 0, ctx->scratch, 0);
	int rc;

	if (n < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header is not base64url");
	rc = esprim_header_parse(h, (const char *)ctx->scratch, (size_t)n,
				 esprim_now_ms(), err);
	if (rc)
		return rc;
	*s = esprim_ctx_find_session(ctx, h->kid, h->ori, h->rri);
	*created = !*s;
	rc = esprim_open_session(ctx, h, s, err);
	if (rc)
		return rc;
	rc = esprim_open_wants_from(*s, h, check_from, err);
	if (rc && *created) {
		esprim_session_free(*s);
		*s = NULL;
	}
	return rc;
}

/* Decrypts the object's ciphertext with its session into out. */
static int esprim_open_payload(struct esprim_ctx *ctx,
			       struct esprim_session *s,
			       const struct esprim_compact *c, void *out,
			       size_t out_size, size_t *len,
			       struct esprim_error *err)
{
	uint8_t iv[ONEM2M_ESPRIM_IV_LEN], tag[ONEM2M_ESPRIM_TAG_LEN];
	long n;

	if (esprim_part(c, 2, iv, sizeof(iv)) < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "IV is not 12 octets of base64url");
	if (esprim_part(c, 4, tag, sizeof(tag)) < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "tag is not 16 octets of base64url");
	n = esprim_part(c, 3, ctx->scratch, 0);
	if (n < 0 || n > ONEM2M_ESPRIM_MAX_TEXT)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "ciphertext is not base64url of at most %d octets",
				   ONEM2M_ESPRIM_MAX_TEXT);
	if ((size_t)n > out_size)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "output buffer of %zu bytes, %ld needed",
				   out_size, n);
	*len = (size_t)n;
	return ctx->ops->open(s, c->part[0], c->len[0], iv, ctx->scratch,
			      (size_t)n, tag, out, err);
}

int esprim_open(struct esprim_ctx *ctx, const char *obj, size_t obj_len,
		void *out, size_t out_size, struct esprim_opened *opened,
		struct esprim_error *err)
{
	struct esprim_header *h = &opened->header;
	bool created = false, check_from = false;
	struct esprim_session *s;
	struct esprim_compact c;
	unsigned int slot;
	size_t len = 0;
	int rc;

	opened->session = NULL;
	opened->text_len = 0;
	opened->peer = NULL;
	opened->from_pending = false;
	rc = esprim_compact_split(&c, obj, obj_len, err);
	if (rc)
		return rc;
	if (esprim_ctx_scratch(ctx, c.len[0] + c.len[3] + 4))
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "out of memory");

	slot = esprim_hdr_slot(c.part[0], c.len[0]);
	s = ctx->hdr_cache[slot];
	opened->header_cached = s && s->peer_hdr_len == c.len[0] &&
				!memcmp(s->peer_hdr, c.part[0], c.len[0]);
	if (opened->header_cached) {
		h->has_oro = false;
		h->has_rro = false;
		check_from = s->check_from;
		rc = esprim_session_expired(s, esprim_now_ms(), err);
	} else {
		rc = esprim_open_header(ctx, &c, h, &s, &created, &check_from,
					err);
	}
	rc = rc ?: esprim_open_payload(ctx, s, &c, out, out_size, &len, err);
	if (rc) {
		/* Nothing unverified stays behind. */
		if (created)
			esprim_session_free(s);
		return rc;
	}

	opened->session = s;
	opened->text_len = len;
	opened->peer = s->pairwise->peer;
	opened->from_pending = check_from && ctx->config.caller_checks_from;
	if (!opened->header_cached) {
		rc = esprim_open_learn(ctx, s, h, err);
		if (rc)
			return rc;
		esprim_remember_peer_header(s, c.part[0], c.len[0]);
		s->check_from = check_from;
		ctx->hdr_cache[slot] = s;
	}
	if (!check_from || ctx->config.caller_checks_from)
		return 0;
	return esprim_check_from(out, len, s->pairwise->peer, err);
}

unsigned int esprim_open_batch(struct esprim_ctx *ctx,
			       struct esprim_batch_item *items, unsigned int n)
{
	struct esprim_opened opened;
	unsigned int i, done = 0;

	for (i = 0; i < n; i++) {
		items[i].rsc = esprim_open(ctx, items[i].in, items[i].in_len,
					   items[i].out, items[i].out_size,
					   &opened, NULL);
		items[i].out_len = items[i].rsc ? 0 : opened.text_len;
		done += !items[i].rsc;
	}
	return done;
}
