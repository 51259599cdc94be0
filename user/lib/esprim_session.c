// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sessions: set-up from a pairwise key and two rand objects, their life
 * (references, expiry, the context's table), and what a session puts in
 * its protected header.  Sealing is in esprim_seal.c, opening in
 * esprim_open.c.
 *
 * A session is found by (pairwise key, ori, rri, role): the originator's
 * session and a receiver's session of the same rand IDs are different
 * sessions, as each side's objects are (profile B.16).  The context holds
 * one reference while the session is linked; callers hold their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esprim_internal.h"

uint32_t esprim_session_hash(uint64_t ns, const char *ori, const char *rri,
			     enum onem2m_esprim_role role)
{
	return esprim_hash(ns, ori, rri,
			   role == ONEM2M_ESPRIM_ROLE_RECEIVER ? "r" : "o");
}

struct esprim_session *esprim_ctx_find_session(struct esprim_ctx *ctx,
					       const struct esprim_pairwise *pw,
					       const char *ori,
					       const char *rri,
					       enum onem2m_esprim_role role)
{
	uint32_t h = esprim_session_hash(pw->ns, ori, rri, role);
	struct esprim_hnode *n;

	for (n = esprim_htable_first(&ctx->sessions, h); n; n = n->next) {
		struct esprim_session *s =
			esprim_container_of(n, struct esprim_session, node);

		if (n->hash == h && s->pairwise == pw && s->role == role &&
		    !strcmp(s->ori, ori) && !strcmp(s->rri, rri))
			return s;
	}
	return NULL;
}

static int64_t esprim_min_expiry(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

int esprim_session_expired(const struct esprim_session *s, int64_t now,
			   struct esprim_error *err)
{
	const struct esprim_pairwise *pw = s->pairwise;

	if (!pw->linked)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "pairwise key %s was replaced or removed",
				   pw->kid);
	if (!s->linked)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "session %s:%s:%s was closed", pw->kid,
				   s->ori, s->rri);
	if (now < s->expiry_ms || !s->expiry_ms)
		return 0;
	if (pw->expiry_ms && pw->expiry_ms <= now)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "pairwise key %s has expired", pw->kid);
	if (s->rro.expiry_ms <= now)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
				   "receiver rand object %s has expired",
				   s->rri);
	return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
			   "originator rand object %s has expired", s->ori);
}

/*
 * Whether an expired receiver session stays (without keys) as a
 * tombstone: its originator object had a relative esrx, which a replayed
 * header would resolve anew and so derive the same key again with a new
 * replay state.  It stays while its receiver object, which this side
 * wrote with an absolute esrx, and its key are valid: a replay finds it
 * and gets 4113.
 */
bool esprim_session_tombstone(const struct esprim_session *s, int64_t now)
{
	const struct esprim_pairwise *pw = s->pairwise;

	return s->linked && s->role == ONEM2M_ESPRIM_ROLE_RECEIVER &&
	       s->oro.relative && pw->linked &&
	       (!pw->expiry_ms || pw->expiry_ms > now) &&
	       s->rro.expiry_ms > now;
}

static int esprim_session_config_read(struct esprim_session_config *c,
				      const struct esprim_session_config *in,
				      struct esprim_error *err)
{
	int rc = esprim_config_read(c, sizeof(*c), in,
				    offsetof(struct esprim_session_config,
					     announce) +
				    sizeof(enum esprim_announce),
				    "session", ESPRIM_RSC_ENCRYPTION_ERROR,
				    err);

	if (rc)
		return rc;
	if (!c->kid || !c->rro || !c->oro)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "a session needs kid, rro and oro");
	if (c->role != ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
	    c->role != ONEM2M_ESPRIM_ROLE_RECEIVER)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "role %d unknown", c->role);
	if (c->announce > ESPRIM_ANNOUNCE_NEVER)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "announce %d unknown", c->announce);
	if (c->cty && (strlen(c->cty) > ESPRIM_MAX_CTY_LEN ||
		       strpbrk(c->cty, "\"\\")))
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "cty must be at most %d characters without quotes",
					 ESPRIM_MAX_CTY_LEN);
	return 0;
}

/* Whether the key may hold one more session; reaps once if not. */
static int esprim_session_room(struct esprim_ctx *ctx,
			       struct esprim_pairwise *pw, int64_t now,
			       struct esprim_error *err)
{
	esprim_ctx_maybe_reap(ctx, now, false);
	if (ctx->sessions.count >= ctx->config.max_sessions ||
	    pw->sessions >= ctx->config.max_sessions_per_key)
		esprim_ctx_maybe_reap(ctx, now, true);
	if (ctx->sessions.count >= ctx->config.max_sessions)
		return esprim_fail_local(err, ENOSPC,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "the context holds %u sessions already",
					 ctx->config.max_sessions);
	if (pw->sessions >= ctx->config.max_sessions_per_key)
		return esprim_fail_local(err, ENOSPC,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "pairwise key %s holds %u sessions already",
					 pw->kid,
					 ctx->config.max_sessions_per_key);
	return 0;
}

/* Open's header cache must not lead to a session that is not linked. */
static void esprim_session_uncache(struct esprim_session *s)
{
	struct esprim_ctx *ctx = s->ctx;
	unsigned int i;

	for (i = 0; i < sizeof(ctx->hdr_cache) / sizeof(ctx->hdr_cache[0]);
	     i++)
		if (ctx->hdr_cache[i] == s)
			ctx->hdr_cache[i] = NULL;
}

static void esprim_session_destroy(struct esprim_session *s)
{
	struct esprim_ctx *ctx = s->ctx;

	esprim_session_uncache(s);
	*s->all_pprev = s->all_next;
	if (s->all_next)
		s->all_next->all_pprev = s->all_pprev;
	if (s->backend)
		ctx->ops->session_fini(s);
	esprim_pairwise_put(s->pairwise);
	free(s->hdr);
	free(s->peer_hdr);
	free(s->next);
	esprim_wipe(s, sizeof(*s));
	free(s);
}

int esprim_session_create(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
			  const struct esprim_session_config *cfg,
			  struct esprim_session **out,
			  struct esprim_error *err)
{
	int64_t now = esprim_now_ms();
	struct esprim_session *s;
	int rc;

	*out = NULL;
	rc = esprim_pairwise_check(pw, cfg->kid, now, err);
	rc = rc ?: esprim_rand_check_pair(cfg->rro, cfg->oro, now, err);
	if (rc)
		return rc;
	if (!esprim_enc_key_len(cfg->enc) ||
	    !(cfg->oro->espa & (1U << cfg->enc)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "enc %s is not offered by originator rand object %s",
				   esprim_enc_name(cfg->enc) ?: "?", cfg->oro->id);
	if (esprim_ctx_find_session(ctx, pw, cfg->oro->id, cfg->rro->id,
				    cfg->role))
		return esprim_fail_local(err, EEXIST,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "session %s:%s:%s exists", pw->kid,
					 cfg->oro->id, cfg->rro->id);
	rc = esprim_session_room(ctx, pw, now, err);
	if (rc)
		return rc;

	s = calloc(1, sizeof(*s));
	if (!s)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory");
	s->ctx = ctx;
	s->pairwise = pw;
	pw->refs++;
	s->refs = 1;
	s->all_next = ctx->all;
	if (ctx->all)
		ctx->all->all_pprev = &s->all_next;
	s->all_pprev = &ctx->all;
	ctx->all = s;
	strcpy(s->ori, cfg->oro->id);
	strcpy(s->rri, cfg->rro->id);
	strcpy(s->cty, cfg->cty ?: cfg->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR ?
		       ESPRIM_CTY_REQUEST : ESPRIM_CTY_RESPONSE);
	s->enc = cfg->enc;
	s->role = cfg->role;
	s->announce = cfg->announce;
	s->announcing = cfg->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
			cfg->announce != ESPRIM_ANNOUNCE_NEVER;
	s->rro = *cfg->rro;
	s->oro = *cfg->oro;
	s->expiry_ms = esprim_min_expiry(pw->expiry_ms,
					 esprim_min_expiry(s->rro.expiry_ms,
							   s->oro.expiry_ms));
	rc = esprim_session_build_header(s, err);
	rc = rc ?: ctx->ops->session_init(s, err);
	if (rc) {
		esprim_session_destroy(s);
		return rc;
	}
	esprim_htable_add(&ctx->sessions, &s->node,
			  esprim_session_hash(pw->ns, s->ori, s->rri, s->role));
	s->linked = true;
	pw->sessions++;
	*out = s;
	return 0;
}

int esprim_session_new(struct esprim_ctx *ctx,
		       const struct esprim_session_config *config,
		       struct esprim_session **out, struct esprim_error *err)
{
	struct esprim_session_config cfg;
	struct esprim_session *s;
	int rc;

	*out = NULL;
	rc = esprim_session_config_read(&cfg, config, err);
	if (rc)
		return rc;
	rc = esprim_session_create(ctx, esprim_ctx_find_pairwise(ctx, cfg.kid),
				   &cfg, &s, err);
	if (rc)
		return rc;
	/* One reference for the context, one for the caller. */
	s->refs++;
	*out = s;
	return 0;
}

void esprim_session_unlink(struct esprim_session *s)
{
	if (!s->linked)
		return;
	esprim_htable_del(&s->ctx->sessions, &s->node);
	s->linked = false;
	s->pairwise->sessions--;
	esprim_session_uncache(s);
	esprim_session_put(s);
}

void esprim_sessions_destroy_all(struct esprim_ctx *ctx)
{
	while (ctx->all) {
		struct esprim_session *s = ctx->all;

		if (s->linked) {
			esprim_htable_del(&ctx->sessions, &s->node);
			s->linked = false;
			s->pairwise->sessions--;
		}
		esprim_session_destroy(s);
	}
}

struct esprim_session *esprim_session_get(struct esprim_session *s)
{
	s->refs++;
	return s;
}

void esprim_session_put(struct esprim_session *s)
{
	if (s && !--s->refs)
		esprim_session_destroy(s);
}

void esprim_session_free(struct esprim_session *s)
{
	if (!s)
		return;
	esprim_session_unlink(s);
	esprim_session_put(s);
}

const char *esprim_session_kid(const struct esprim_session *s)
{
	return s->pairwise->kid;
}

enum onem2m_esprim_role esprim_session_role(const struct esprim_session *s)
{
	return s->role;
}

enum onem2m_esprim_enc esprim_session_enc(const struct esprim_session *s)
{
	return s->enc;
}

int esprim_session_set_enc(struct esprim_session *s,
			   enum onem2m_esprim_enc enc,
			   struct esprim_error *err)
{
	enum onem2m_esprim_enc old = s->enc;
	int rc;

	if (!esprim_enc_key_len(enc) || !(s->oro.espa & (1U << enc)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "enc %s is not offered by originator rand object %s",
				   esprim_enc_name(enc) ?: "?", s->ori);
	s->enc = enc;
	rc = esprim_session_build_header(s, err);
	if (rc)
		s->enc = old;
	return rc;
}

int esprim_session_peer_verified(struct esprim_session *s,
				 struct esprim_error *err)
{
	s->verified = true;
	/* C.3: the receiver has our originator object now. */
	if (!s->announcing || s->announce == ESPRIM_ANNOUNCE_ALWAYS)
		return 0;
	s->announcing = false;
	return esprim_session_build_header(s, err);
}

int esprim_session_offer_next(struct esprim_session *s,
			      const struct esprim_rand *next,
			      struct esprim_error *err)
{
	bool orig = s->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	struct esprim_rand *copy = NULL;
	int rc;

	if (next && next->receiver == orig)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "an %s offers %s rand objects",
					 orig ? "originator" : "receiver",
					 orig ? "originator" : "receiver");
	if (next && next->expiry_ms <= esprim_now_ms())
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "rand object %s has expired", next->id);
	if (next && !orig) {
		/* Sessions against it open from now on: it is ours. */
		rc = esprim_rands_add(s->ctx, NULL, next, err);
		if (rc)
			return rc;
	}
	if (next) {
		copy = esprim_rand_dup(next);
		if (!copy)
			return esprim_fail_local(err, ENOMEM,
						 ESPRIM_RSC_ENCRYPTION_ERROR,
						 "out of memory");
	}
	free(s->next);
	s->next = copy;
	return esprim_session_build_header(s, err);
}

int esprim_session_set_iv(struct esprim_session *s, uint32_t fixed,
			  uint64_t counter, struct esprim_error *err)
{
	if (!s->backend)
		return esprim_session_expired(s, esprim_now_ms(), err) ?:
		       esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "session without keys");
	if (!s->ctx->ops->set_iv)
		return esprim_fail_local(err, EOPNOTSUPP,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "the %s backend chooses its own IVs",
					 s->ctx->ops->name);
	return s->ctx->ops->set_iv(s, s->enc, fixed, counter, err);
}
