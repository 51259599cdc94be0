// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening (TS-0003 C.6, C.11): the session an object belongs to, its
 * direction, verification and decryption, what a verified header teaches
 * (the peer's rand objects, in-band refresh) and the From check.
 *
 * Direction (profile B.9).  A request is opened only by a receiver's
 * session, against a receiver rand object this side issued; a response
 * only by the originator's session it answers.  The cty kind says which
 * one an object claims to be: a request that names one of our originator
 * sessions and none of our receiver objects, or a response that names one
 * of our receiver sessions, is our own object coming back (reflected),
 * and so is an object with our own IVs (the backends check those).
 *
 * The header a peer sends is kept once an object verified: an object
 * repeating it byte for byte is not parsed again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esprim_internal.h"

struct esprim_opened {
	struct esprim_session *session;		/* a reference */
	size_t text_len;
	void *text;				/* the caller's, for wiping */
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_role role;
	bool header_cached;
	bool from_pending;
	bool has_next;
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char peer[ONEM2M_ESPRIM_MAX_PEER_LEN + 1];
	char cty[ESPRIM_MAX_CTY_LEN + 1];
	struct esprim_rand next;
};

/* What the header of an object says, parsed or cached. */
struct esprim_open_info {
	enum onem2m_esprim_enc enc;
	enum esprim_from_mode from;
	const char *cty;
	const struct esprim_rand *next;		/* in-band refresh */
	const struct esprim_rand *oro;		/* oro of this session */
};

struct esprim_opened *esprim_opened_new(void)
{
	return calloc(1, sizeof(struct esprim_opened));
}

static void esprim_opened_reset(struct esprim_opened *o)
{
	esprim_session_put(o->session);
	o->session = NULL;
	o->text_len = 0;
	o->text = NULL;
	o->header_cached = false;
	o->from_pending = false;
	o->has_next = false;
	o->kid[0] = 0;
	o->peer[0] = 0;
	o->cty[0] = 0;
}

void esprim_opened_free(struct esprim_opened *o)
{
	if (!o)
		return;
	esprim_opened_reset(o);
	free(o);
}

struct esprim_session *esprim_opened_session(const struct esprim_opened *o)
{
	return o->session;
}

size_t esprim_opened_text_len(const struct esprim_opened *o)
{
	return o->text_len;
}

enum onem2m_esprim_enc esprim_opened_enc(const struct esprim_opened *o)
{
	return o->enc;
}

const char *esprim_opened_kid(const struct esprim_opened *o)
{
	return o->kid;
}

const char *esprim_opened_peer(const struct esprim_opened *o)
{
	return o->peer;
}

const char *esprim_opened_cty(const struct esprim_opened *o)
{
	return o->cty;
}

enum onem2m_esprim_role esprim_opened_role(const struct esprim_opened *o)
{
	return o->role;
}

bool esprim_opened_header_cached(const struct esprim_opened *o)
{
	return o->header_cached;
}

const struct esprim_rand *esprim_opened_next_rand(const struct esprim_opened *o)
{
	return o->has_next ? &o->next : NULL;
}

int esprim_opened_check_from(struct esprim_opened *o, const char *fr,
			     size_t fr_len, struct esprim_error *err)
{
	int rc;

	if (!o->from_pending)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "no request awaits a From check");
	rc = esprim_from_matches(fr, fr_len, o->peer, err);
	if (rc) {
		/* Refused: its text must not be processed. */
		esprim_wipe(o->text, o->text_len);
		o->text_len = 0;
	}
	o->from_pending = false;
	return rc;
}

/* Which of this side's sessions, as which role, the object is for. */
static int esprim_open_role(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
			    const struct esprim_header *h,
			    enum onem2m_esprim_role *role,
			    struct esprim_session **s,
			    struct esprim_error *err)
{
	struct esprim_session *recv, *orig;
	bool own_rri;

	recv = esprim_ctx_find_session(ctx, pw, h->ori, h->rri,
				       ONEM2M_ESPRIM_ROLE_RECEIVER);
	orig = esprim_ctx_find_session(ctx, pw, h->ori, h->rri,
				       ONEM2M_ESPRIM_ROLE_ORIGINATOR);
	own_rri = recv || esprim_rands_find(ctx, 0, h->rri, true);

	if (h->cty_kind != ESPRIM_CTY_KIND_RESPONSE && own_rri) {
		*role = ONEM2M_ESPRIM_ROLE_RECEIVER;
		*s = recv;
		return 0;
	}
	if (h->cty_kind != ESPRIM_CTY_KIND_REQUEST && orig) {
		*role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
		*s = orig;
		return 0;
	}
	if (orig || own_rri)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "reflected object: a %s for this side's own %s session %s:%s:%s",
				   h->cty_kind == ESPRIM_CTY_KIND_REQUEST ?
				   "request" : "response",
				   orig ? "originator" : "receiver", h->kid,
				   h->ori, h->rri);
	if (h->cty_kind == ESPRIM_CTY_KIND_RESPONSE)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "no session of originator rand object %s",
				   h->ori);
	return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
			   "no receiver rand object %s of this side", h->rri);
}

/* Sets up the receiver's session for an object from a new originator. */
static int esprim_open_new_session(struct esprim_ctx *ctx,
				   struct esprim_pairwise *pw,
				   const struct esprim_header *h, int64_t now,
				   struct esprim_session **out,
				   struct esprim_error *err)
{
	struct esprim_session_config cfg = {
		.size = sizeof(cfg),
		.kid = h->kid,
		.enc = h->enc,
		.role = ONEM2M_ESPRIM_ROLE_RECEIVER,
		.announce = ESPRIM_ANNOUNCE_NEVER,
	};
	int rc;

	cfg.rro = esprim_rands_find(ctx, 0, h->rri, true);
	if (!cfg.rro)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
				   "no receiver rand object %s of this side",
				   h->rri);
	if (h->has_oro && !strcmp(h->oro.id, h->ori))
		cfg.oro = &h->oro;
	else
		cfg.oro = esprim_rands_find(ctx, pw->ns, h->ori, false);
	if (!cfg.oro)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "no originator rand object %s", h->ori);
	/* Each costs a derivation (and a key and sockets in the kernel). */
	rc = esprim_ctx_setup_allowed(ctx, pw, now, err);
	return rc ?: esprim_session_create(ctx, pw, &cfg, out, err);
}

/*
 * Who checks the From of a request (TS-0003 7.2.2): the library reads a
 * JSON primitive; a caller that took the check on (caller_checks_from)
 * reads any.  Without it, a primitive the library cannot read is refused:
 * no request goes through unchecked because of what its sender chose.
 */
static int esprim_open_from_mode(const struct esprim_ctx *ctx,
				 const struct esprim_header *h,
				 enum esprim_from_mode *mode,
				 struct esprim_error *err)
{
	if (ctx->config.caller_checks_from) {
		*mode = ESPRIM_FROM_CALLER;
		return 0;
	}
	if (h->cty[0] && !esprim_cty_is_json(h->cty, strlen(h->cty)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "cty %.64s: the From check reads JSON requests only (a CSE reading others sets caller_checks_from)",
				   h->cty);
	*mode = ESPRIM_FROM_LIBRARY;
	return 0;
}

/* Parses a header not seen before and finds or sets up its session. */
static int esprim_open_header(struct esprim_ctx *ctx,
			      const struct esprim_compact *c, int64_t now,
			      struct esprim_session **out, bool *created,
			      struct esprim_open_info *info,
			      struct esprim_error *err)
{
	struct esprim_header *h = &ctx->hdr;
	enum onem2m_esprim_role role = ONEM2M_ESPRIM_ROLE_RECEIVER;
	struct esprim_pairwise *pw;
	struct esprim_session *s = NULL;
	bool same;
	long n;
	int rc;

	n = esprim_b64url_decode(c->part[0], c->len[0], ctx->scratch,
				 ctx->scratch_size);
	if (n < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header is not base64url");
	rc = esprim_header_parse_into(h, (const char *)ctx->scratch,
				      (size_t)n, now, err);
	if (rc)
		return rc;
	pw = esprim_ctx_find_pairwise(ctx, h->kid);
	rc = esprim_pairwise_check(pw, h->kid, now, err);
	rc = rc ?: esprim_open_role(ctx, pw, h, &role, &s, err);
	if (rc)
		return rc;
	/* oro is the originator's member, rro the receiver's (8.4.3.2). */
	if (role == ONEM2M_ESPRIM_ROLE_RECEIVER ? h->has_rro : h->has_oro)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "a %s carries \"%s\"",
				   role == ONEM2M_ESPRIM_ROLE_RECEIVER ?
				   "request" : "response",
				   role == ONEM2M_ESPRIM_ROLE_RECEIVER ?
				   "rro" : "oro");
	if (s) {
		rc = esprim_session_expired(s, now, err);
		if (rc)
			return rc;
		same = h->has_oro && !strcmp(h->oro.id, h->ori);
		if (same && !esprim_rand_equal(&h->oro, &s->oro))
			return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
					   "oro differs from originator rand object %s of the session",
					   h->ori);
		same = h->has_rro && !strcmp(h->rro.id, h->rri);
		if (same && !esprim_rand_equal(&h->rro, &s->rro))
			return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
					   "rro differs from receiver rand object %s of the session",
					   h->rri);
	}
	info->from = ESPRIM_FROM_NONE;
	if (role == ONEM2M_ESPRIM_ROLE_RECEIVER) {
		rc = esprim_open_from_mode(ctx, h, &info->from, err);
		if (rc)
			return rc;
	}
	/* B.13: any enc of the originator's espa, object by object. */
	if (s && !(s->oro.espa & (1U << h->enc)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "enc %s is not offered by originator rand object %s",
				   esprim_enc_name(h->enc), h->ori);
	if (!s) {
		rc = esprim_open_new_session(ctx, pw, h, now, &s, err);
		if (rc)
			return rc;
		*created = true;
	}
	*out = s;

	info->enc = h->enc;
	info->cty = h->cty;
	/* B.15: a member whose esri is not the session's is the next one. */
	info->next = NULL;
	if (role == ONEM2M_ESPRIM_ROLE_RECEIVER && h->has_oro &&
	    strcmp(h->oro.id, h->ori))
		info->next = &h->oro;
	if (role == ONEM2M_ESPRIM_ROLE_ORIGINATOR && h->has_rro &&
	    strcmp(h->rro.id, h->rri))
		info->next = &h->rro;
	info->oro = h->has_oro && !strcmp(h->oro.id, h->ori) ? &h->oro : NULL;
	return 0;
}

/*
 * What opening one object found before the backend runs: its parts, its
 * session and header information, and its decoded IV, tag and
 * ciphertext.
 */
struct esprim_open_state {
	struct esprim_compact c;
	struct esprim_session *s;	/* our reference, or NULL */
	struct esprim_open_info info;
	unsigned int slot;		/* of the header cache */
	bool cached;			/* the header was the session's last */
	bool created;			/* the session was set up for it */
	size_t len;			/* ciphertext octets */
	uint8_t trailer[ONEM2M_ESPRIM_TRAILER_LEN];	/* tag || IV */
};

/* Decodes the object's IV, tag and ciphertext (into ct). */
static int esprim_open_decode(struct esprim_open_state *st, size_t out_size,
			      uint8_t *ct, size_t ct_size,
			      struct esprim_error *err)
{
	const struct esprim_compact *c = &st->c;
	uint8_t *iv = st->trailer + ONEM2M_ESPRIM_TAG_LEN;
	long n;

	if (c->len[2] != esprim_b64url_encoded_len(ONEM2M_ESPRIM_IV_LEN) ||
	    esprim_b64url_decode(c->part[2], c->len[2], iv,
				 ONEM2M_ESPRIM_IV_LEN) < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "IV is not 12 octets of base64url");
	if (c->len[4] != esprim_b64url_encoded_len(ONEM2M_ESPRIM_TAG_LEN) ||
	    esprim_b64url_decode(c->part[4], c->len[4], st->trailer,
				 ONEM2M_ESPRIM_TAG_LEN) < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "tag is not 16 octets of base64url");
	n = esprim_b64url_decode(c->part[3], c->len[3], ct, ct_size);
	if (n <= 0 || n > ONEM2M_ESPRIM_MAX_TEXT)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "ciphertext is not base64url of 1 to %d octets",
				   ONEM2M_ESPRIM_MAX_TEXT);
	if ((size_t)n > out_size)
		return esprim_fail_local(err, ENOBUFS,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "output buffer of %zu bytes, %ld needed",
					 out_size, n);
	st->len = (size_t)n;
	return 0;
}

/* Keeps the verified header text of the peer to skip parsing repeats. */
static void esprim_remember_peer_header(struct esprim_session *s,
					const char *hdr, size_t len,
					const struct esprim_open_info *info)
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
	s->peer_enc = info->enc;
	s->peer_from = info->from;
	strcpy(s->peer_cty, info->cty);
}

/*
 * After the tag verified: what the header carried may be kept, in the
 * namespace of the key (B.16).  A cap reached is not the peer's fault,
 * and the object stays opened: the caller sees the next object anyway.
 */
static void esprim_open_learn(struct esprim_ctx *ctx, struct esprim_session *s,
			      const struct esprim_open_info *info)
{
	if (info->oro)
		esprim_rands_add(ctx, s->pairwise, info->oro, NULL);
	if (info->next)
		esprim_rands_add(ctx, s->pairwise, info->next, NULL);
}

static unsigned int esprim_hdr_slot(const char *hdr, size_t len)
{
	uint32_t h = 2166136261U;

	while (len--) {
		h ^= (uint8_t)*hdr++;
		h *= 16777619U;
	}
	return h & 255;
}

/* What a verified object teaches, once it is accepted. */
static int esprim_open_commit(struct esprim_ctx *ctx, struct esprim_session *s,
			      const struct esprim_compact *c, unsigned int slot,
			      const struct esprim_open_info *info,
			      struct esprim_opened *o, struct esprim_error *err)
{
	if (!o->header_cached) {
		esprim_open_learn(ctx, s, info);
		esprim_remember_peer_header(s, c->part[0], c->len[0], info);
		/* Learning may have reaped it: then it is not cached. */
		if (s->linked)
			ctx->hdr_cache[slot] = s;
		if (info->next) {
			o->next = *info->next;
			o->has_next = true;
		}
	}
	return s->verified ? 0 : esprim_session_peer_verified(s, err);
}

/* Splits the object; the scratch is then large enough to decode it. */
static int esprim_open_split(struct esprim_ctx *ctx, const char *obj,
			     size_t obj_len, struct esprim_open_state *st,
			     struct esprim_error *err)
{
	int rc;

	st->s = NULL;
	st->cached = false;
	st->created = false;
	st->len = 0;
	rc = esprim_compact_split(&st->c, obj, obj_len, err);
	if (rc)
		return rc;
	if (esprim_ctx_scratch(ctx, st->c.len[0] + st->c.len[3] + 4))
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	return 0;
}

/* Whether the header repeats the last one of the session in its slot. */
static void esprim_open_lookup(struct esprim_ctx *ctx,
			       struct esprim_open_state *st)
{
	const struct esprim_compact *c = &st->c;
	struct esprim_session *s;

	st->slot = esprim_hdr_slot(c->part[0], c->len[0]);
	s = ctx->hdr_cache[st->slot];
	st->cached = s && s->peer_hdr_len == c->len[0] &&
		     !memcmp(s->peer_hdr, c->part[0], c->len[0]);
}

/*
 * Finds or sets up the session (st->s, a reference, is set once one is
 * found) and decodes IV, tag and ciphertext, the ciphertext into ct.
 */
static int esprim_open_prepare(struct esprim_ctx *ctx,
			       struct esprim_open_state *st, int64_t now,
			       size_t out_size, uint8_t *ct, size_t ct_size,
			       struct esprim_error *err)
{
	struct esprim_session *s = NULL;
	int rc;

	if (st->cached) {
		s = ctx->hdr_cache[st->slot];
		st->info.enc = s->peer_enc;
		st->info.from = s->peer_from;
		st->info.cty = s->peer_cty;
		st->info.next = NULL;
		st->info.oro = NULL;
		rc = esprim_session_expired(s, now, err);
	} else {
		rc = esprim_open_header(ctx, &st->c, now, &s, &st->created,
					&st->info, err);
	}
	if (rc)
		return rc;
	/*
	 * Our own reference until the end: learning may reap, and a reaped
	 * session must not go while it is used here.
	 */
	st->s = esprim_session_get(s);
	return esprim_open_decode(st, out_size, ct, ct_size, err);
}

/* The backend's verdict rc on the text in out: the rest of esprim_open(). */
static int esprim_open_end(struct esprim_ctx *ctx,
			   struct esprim_open_state *st, int rc, void *out,
			   struct esprim_opened *o, struct esprim_error *err)
{
	struct esprim_session *s = st->s;

	o->header_cached = st->cached;
	if (rc) {
		/* Nothing unverified stays behind. */
		if (s && st->created) {
			ctx->stats.setups_failed++;
			esprim_session_unlink(s);
		}
		esprim_session_put(s);
		return rc;
	}
	/* A request naming someone else teaches nothing (TS-0003 7.2.2). */
	if (st->info.from == ESPRIM_FROM_LIBRARY) {
		rc = esprim_check_from(out, st->len, s->pairwise->peer, err);
		if (rc) {
			esprim_wipe(out, st->len);
			esprim_session_put(s);
			return rc;
		}
	}
	rc = esprim_open_commit(ctx, s, &st->c, st->slot, &st->info, o, err);
	if (rc) {
		esprim_wipe(out, st->len);
		esprim_session_put(s);
		return rc;
	}

	o->session = s;		/* our reference is the result's now */
	o->text = out;
	o->text_len = st->len;
	o->enc = st->info.enc;
	o->role = s->role;
	strcpy(o->kid, s->pairwise->kid);
	strcpy(o->peer, s->pairwise->peer ?: "");
	strcpy(o->cty, st->info.cty);
	if (st->info.from != ESPRIM_FROM_CALLER)
		return 0;
	o->from_pending = true;
	return ESPRIM_FROM_UNCHECKED;
}

/* Verifies and decrypts with the backend's single path. */
static int esprim_open_one(struct esprim_ctx *ctx,
			   struct esprim_open_state *st, void *out,
			   struct esprim_error *err)
{
	return ctx->ops->open(st->s, st->info.enc, st->c.part[0],
			      st->c.len[0],
			      st->trailer + ONEM2M_ESPRIM_TAG_LEN,
			      ctx->scratch, st->len, st->trailer, out, err);
}

int esprim_open(struct esprim_ctx *ctx, const char *obj, size_t obj_len,
		void *out, size_t out_size, struct esprim_opened *o,
		struct esprim_error *err)
{
	struct esprim_open_state st;
	int64_t now;
	int rc;

	if (!o)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "no esprim_opened to fill");
	esprim_opened_reset(o);
	rc = esprim_open_split(ctx, obj, obj_len, &st, err);
	if (rc)
		return rc;
	now = esprim_now_ms();
	esprim_ctx_maybe_reap(ctx, now, false);
	esprim_open_lookup(ctx, &st);
	rc = esprim_open_prepare(ctx, &st, now, out_size, ctx->scratch,
				 ctx->scratch_size, err);
	rc = rc ?: esprim_open_one(ctx, &st, out, err);
	return esprim_open_end(ctx, &st, rc, out, o, err);
}

/*
 * Batches on a backend with a batched path.  Objects whose header repeats
 * their session's last one (the steady state) need nothing from the
 * objects before them: they are collected, their ciphertexts in an arena,
 * and go to the backend together.  Any other object can depend on what
 * those before it teach (a session set up or closed, rand objects
 * learnt, the header cache), so the collected ones are finished first and
 * it is opened on its own; so is every object when it is time to reap.
 * Each item ends exactly as esprim_open() one after the other would.
 */
#define ESPRIM_OPEN_ARENA	ONEM2M_ESPRIM_BATCH_MAX_BYTES

struct esprim_open_batch {
	struct esprim_open_state st[ESPRIM_BATCH_WINDOW];
	size_t used;			/* of the arena */
	uint8_t arena[ESPRIM_OPEN_ARENA];
};

struct esprim_open_run {
	struct esprim_ctx *ctx;
	struct esprim_batch_item *items;
	struct esprim_opened **opened;
	struct esprim_opened tmp;
	struct esprim_batch_op *ops;
	struct esprim_open_batch *b;
	unsigned int k;			/* collected */
	unsigned int done;
};

/* Ends item i as esprim_open_batch() one by one would. */
static void esprim_open_finish(struct esprim_open_run *r, unsigned int i,
			       struct esprim_open_state *st, int rc)
{
	struct esprim_batch_item *it = &r->items[i];
	struct esprim_opened *o = r->opened && r->opened[i] ? r->opened[i] :
				  &r->tmp;

	esprim_opened_reset(o);
	rc = esprim_open_end(r->ctx, st, rc, it->out, o, NULL);
	/* Without a result to check it with, nobody can. */
	if (rc == ESPRIM_FROM_UNCHECKED && o == &r->tmp) {
		esprim_wipe(it->out, o->text_len);
		o->text_len = 0;
	}
	it->rsc = rc;
	it->out_len = o->text_len;
	r->done += !rc;
}

/* Opens the collected items in the backend and ends them in order. */
static void esprim_open_flush(struct esprim_open_run *r)
{
	struct esprim_ctx *ctx = r->ctx;
	unsigned int i, end;

	for (i = 0; i < r->k; i = end) {
		end = i + ctx->ops->open_batch(ctx, r->ops + i, r->k - i);
		if (end <= i || end > r->k)
			end = r->k;	/* cannot be: the backend handles 1 to k - i */
	}
	for (i = 0; i < r->k; i++)
		esprim_open_finish(r, r->ops[i].item, &r->b->st[i],
				   r->ops[i].rc);
	r->k = 0;
	r->b->used = 0;
}

/* One item as esprim_open() opens it. */
static void esprim_open_single(struct esprim_open_run *r, unsigned int i)
{
	struct esprim_batch_item *it = &r->items[i];
	struct esprim_opened *o = r->opened && r->opened[i] ? r->opened[i] :
				  &r->tmp;
	int rc;

	rc = esprim_open(r->ctx, it->in, it->in_len, it->out, it->out_size, o,
			 NULL);
	/* Without a result to check it with, nobody can. */
	if (rc == ESPRIM_FROM_UNCHECKED && o == &r->tmp) {
		esprim_wipe(it->out, o->text_len);
		o->text_len = 0;
	}
	it->rsc = rc;
	it->out_len = o->text_len;
	r->done += !rc;
}

/* One item: collected (its header is cached), or opened on its own. */
static void esprim_open_item(struct esprim_open_run *r, unsigned int i)
{
	struct esprim_ctx *ctx = r->ctx;
	struct esprim_batch_item *it = &r->items[i];
	struct esprim_open_state st;
	struct esprim_batch_op *op;
	size_t need;
	int64_t now;
	int rc;

	rc = esprim_open_split(ctx, it->in, it->in_len, &st, NULL);
	if (rc) {
		esprim_open_finish(r, i, &st, rc);
		return;
	}
	now = esprim_now_ms();
	/* Reaping may close sessions the collected items use. */
	if (r->k && now >= ctx->next_reap_ms)
		esprim_open_flush(r);
	esprim_ctx_maybe_reap(ctx, now, false);
	esprim_open_lookup(ctx, &st);
	/* Base64url of len characters decodes to at most this. */
	need = st.c.len[3] / 4 * 3 + 3;
	if (!st.cached || need > ESPRIM_OPEN_ARENA) {
		if (r->k)
			esprim_open_flush(r);
		rc = esprim_open_prepare(ctx, &st, now, it->out_size,
					 ctx->scratch, ctx->scratch_size, NULL);
		rc = rc ?: esprim_open_one(ctx, &st, it->out, NULL);
		esprim_open_finish(r, i, &st, rc);
		return;
	}
	if (need > ESPRIM_OPEN_ARENA - r->b->used)
		esprim_open_flush(r);
	rc = esprim_open_prepare(ctx, &st, now, it->out_size,
				 r->b->arena + r->b->used,
				 ESPRIM_OPEN_ARENA - r->b->used, NULL);
	if (rc) {
		esprim_open_finish(r, i, &st, rc);
		return;
	}
	r->b->st[r->k] = st;
	op = &r->ops[r->k];
	*op = (struct esprim_batch_op){
		.s = st.s,
		.enc = st.info.enc,
		.aad = st.c.part[0],
		.aad_len = st.c.len[0],
		.in = r->b->arena + r->b->used,
		.len = st.len,
		.out = it->out,
		.item = i,
	};
	memcpy(op->trailer, st.trailer, sizeof(op->trailer));
	r->b->used += st.len;
	if (++r->k == ESPRIM_BATCH_WINDOW)
		esprim_open_flush(r);
}

unsigned int esprim_open_batch(struct esprim_ctx *ctx,
			       struct esprim_batch_item *items,
			       struct esprim_opened **opened, unsigned int n)
{
	struct esprim_open_run r = {
		.ctx = ctx, .items = items, .opened = opened,
	};
	unsigned int i;

	if (ctx->ops->open_batch) {
		r.ops = esprim_ctx_batch_ops(ctx);
		if (!ctx->batch_state)
			ctx->batch_state = calloc(1, sizeof(*r.b));
		r.b = ctx->batch_state;
	}
	for (i = 0; i < n; i++) {
		if (r.ops && r.b) {
			esprim_open_item(&r, i);
			continue;
		}
		/* One by one, as the backend has no batched path. */
		esprim_open_single(&r, i);
	}
	if (r.k)
		esprim_open_flush(&r);
	esprim_opened_reset(&r.tmp);
	return r.done;
}
