// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The context: backend choice, limits, pairwise keys, the reaping of
 * expired state and the rate of set-ups for objects not yet verified.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "esprim_internal.h"

#define ESPRIM_DEFAULT_MAX_SESSIONS	4096
#define ESPRIM_DEFAULT_SESSIONS_PER_KEY	256
#define ESPRIM_DEFAULT_LEARNT_RANDS	64
#define ESPRIM_DEFAULT_SETUP_RATE	1000
#define ESPRIM_REAP_INTERVAL_MS		1000

void esprim_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

int esprim_buf_grow(uint8_t **buf, size_t *size, size_t need)
{
	uint8_t *p;

	if (need <= *size)
		return 0;
	p = malloc(need);
	if (!p)
		return -1;
	if (*buf)
		esprim_wipe(*buf, *size);
	free(*buf);
	*buf = p;
	*size = need;
	return 0;
}

int esprim_ctx_scratch(struct esprim_ctx *ctx, size_t size)
{
	return esprim_buf_grow(&ctx->scratch, &ctx->scratch_size, size);
}

struct esprim_batch_op *esprim_ctx_batch_ops(struct esprim_ctx *ctx)
{
	if (!ctx->batch_ops)
		ctx->batch_ops = calloc(ESPRIM_BATCH_WINDOW,
					sizeof(*ctx->batch_ops));
	return ctx->batch_ops;
}

int esprim_config_read(void *dst, size_t dst_size, const void *in,
		       size_t min_size, const char *what, int rsc,
		       struct esprim_error *err)
{
	size_t size = in ? *(const size_t *)in : 0;

	if (size < min_size)
		return esprim_fail_local(err, EINVAL, rsc,
					 "%s config of %zu bytes: its size must be set (ESPRIM_*_CONFIG_INIT)",
					 what, size);
	memset(dst, 0, dst_size);
	memcpy(dst, in, size < dst_size ? size : dst_size);
	*(size_t *)dst = dst_size;
	return 0;
}

/* The members of version 1, which every caller has. */
#define ESPRIM_CTX_CONFIG_V1 \
	(offsetof(struct esprim_ctx_config, caller_checks_from) + sizeof(bool))
#define ESPRIM_PAIRWISE_CONFIG_V1 \
	(offsetof(struct esprim_pairwise_config, expiry_ms) + sizeof(int64_t))

static int esprim_ctx_config_read(struct esprim_ctx_config *c,
				  const struct esprim_ctx_config *in,
				  struct esprim_error *err)
{
	int rc = esprim_config_read(c, sizeof(*c), in, ESPRIM_CTX_CONFIG_V1,
				    "context", ESPRIM_RSC_DECRYPTION_ERROR,
				    err);

	if (rc)
		return rc;
	if (c->replay != ONEM2M_ESPRIM_REPLAY_AUTO &&
	    c->replay != ONEM2M_ESPRIM_REPLAY_STRICT &&
	    c->replay != ONEM2M_ESPRIM_REPLAY_OFF)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "replay policy %d unknown", c->replay);
	if (c->replay_window &&
	    (c->replay_window < ONEM2M_ESPRIM_MIN_REPLAY_WINDOW ||
	     c->replay_window > ONEM2M_ESPRIM_MAX_REPLAY_WINDOW ||
	     (c->replay_window & (c->replay_window - 1))))
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "replay window must be a power of two from %d to %d",
					 ONEM2M_ESPRIM_MIN_REPLAY_WINDOW,
					 ONEM2M_ESPRIM_MAX_REPLAY_WINDOW);
	if (c->replay_set > ONEM2M_ESPRIM_MAX_REPLAY_SET)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "replay IV set of %u entries: at most %d",
					 c->replay_set,
					 ONEM2M_ESPRIM_MAX_REPLAY_SET);
	if (c->backend != ESPRIM_BACKEND_SOFT &&
	    c->backend != ESPRIM_BACKEND_KERNEL)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "backend %d unknown", c->backend);
	if (!c->replay_window)
		c->replay_window = ONEM2M_ESPRIM_REPLAY_WINDOW;
	if (!c->replay_set)
		c->replay_set = ONEM2M_ESPRIM_REPLAY_SET;
	if (!c->max_sessions)
		c->max_sessions = ESPRIM_DEFAULT_MAX_SESSIONS;
	if (!c->max_sessions_per_key)
		c->max_sessions_per_key = ESPRIM_DEFAULT_SESSIONS_PER_KEY;
	if (!c->max_learnt_rands)
		c->max_learnt_rands = ESPRIM_DEFAULT_LEARNT_RANDS;
	if (!c->setup_rate)
		c->setup_rate = ESPRIM_DEFAULT_SETUP_RATE;
	return 0;
}

static void esprim_ctx_tables_fini(struct esprim_ctx *ctx)
{
	esprim_htable_fini(&ctx->pairwise);
	esprim_htable_fini(&ctx->rands);
	esprim_htable_fini(&ctx->sessions);
}

int esprim_ctx_new(struct esprim_ctx **out,
		   const struct esprim_ctx_config *config,
		   struct esprim_error *err)
{
	struct esprim_ctx *ctx;
	int rc;

	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	rc = esprim_ctx_config_read(&ctx->config, config, err);
	if (rc) {
		free(ctx);
		return rc;
	}
	ctx->ops = ctx->config.backend == ESPRIM_BACKEND_KERNEL ?
		   &esprim_kernel_ops : &esprim_soft_ops;
	ctx->next_ns = 1;
	if (esprim_htable_init(&ctx->pairwise, 64) ||
	    esprim_htable_init(&ctx->rands, 256) ||
	    esprim_htable_init(&ctx->sessions,
			       ctx->config.max_sessions / 2)) {
		esprim_ctx_tables_fini(ctx);
		free(ctx);
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	}
	rc = ctx->ops->ctx_init ? ctx->ops->ctx_init(ctx, err) : 0;
	if (rc) {
		esprim_ctx_tables_fini(ctx);
		free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

static unsigned int esprim_session_unlink_of_key(struct esprim_hnode *n,
						 void *pw)
{
	struct esprim_session *s =
		esprim_container_of(n, struct esprim_session, node);

	if (s->pairwise == pw)
		esprim_session_unlink(s);
	return 0;
}

static void esprim_pairwise_unlink(struct esprim_pairwise *pw)
{
	struct esprim_ctx *ctx = pw->ctx;

	if (!pw->linked)
		return;
	/* Its sessions stop; references held elsewhere see 4112. */
	esprim_htable_walk(&ctx->sessions, esprim_session_unlink_of_key, pw);
	esprim_rands_drop_ns(ctx, pw->ns);
	esprim_htable_del(&ctx->pairwise, &pw->node);
	pw->linked = false;
	esprim_pairwise_put(pw);
}

void esprim_pairwise_put(struct esprim_pairwise *pw)
{
	if (--pw->refs)
		return;
	if (pw->ctx->ops->pairwise_del)
		pw->ctx->ops->pairwise_del(pw->ctx, pw);
	free(pw->peer);
	esprim_wipe(pw, sizeof(*pw));
	free(pw);
}

void esprim_ctx_free(struct esprim_ctx *ctx)
{
	struct esprim_hnode *n;
	uint32_t i;

	if (!ctx)
		return;
	/* Sessions first: they hold references to their keys. */
	esprim_sessions_destroy_all(ctx);
	for (i = 0; i <= ctx->pairwise.mask; i++)
		while ((n = ctx->pairwise.buckets[i]))
			esprim_pairwise_unlink(esprim_container_of(
				n, struct esprim_pairwise, node));
	esprim_rands_fini(ctx);
	if (ctx->ops->ctx_fini)
		ctx->ops->ctx_fini(ctx);
	if (ctx->scratch)
		esprim_wipe(ctx->scratch, ctx->scratch_size);
	free(ctx->scratch);
	free(ctx->batch_ops);
	free(ctx->batch_state);
	esprim_wipe(&ctx->hdr, sizeof(ctx->hdr));
	esprim_ctx_tables_fini(ctx);
	free(ctx);
}

struct esprim_pairwise *esprim_ctx_find_pairwise(struct esprim_ctx *ctx,
						 const char *kid)
{
	uint32_t h = esprim_hash(0, kid, NULL, NULL);
	struct esprim_hnode *n;

	for (n = esprim_htable_first(&ctx->pairwise, h); n; n = n->next) {
		struct esprim_pairwise *pw =
			esprim_container_of(n, struct esprim_pairwise, node);

		if (n->hash == h && !strcmp(pw->kid, kid))
			return pw;
	}
	return NULL;
}

int esprim_pairwise_check(const struct esprim_pairwise *pw, const char *kid,
			  int64_t now, struct esprim_error *err)
{
	if (!pw || !pw->linked)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "no pairwise key %.64s", kid);
	if (pw->expiry_ms && pw->expiry_ms <= now)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "pairwise key %.64s has expired", kid);
	return 0;
}

const char *esprim_ctx_pairwise_peer(const struct esprim_ctx *ctx,
				     const char *kid)
{
	struct esprim_pairwise *pw;

	pw = esprim_ctx_find_pairwise((struct esprim_ctx *)ctx, kid);
	return pw ? pw->peer : NULL;
}

static int esprim_pairwise_config_read(struct esprim_pairwise_config *c,
				       const struct esprim_pairwise_config *in,
				       struct esprim_error *err)
{
	int rc = esprim_config_read(c, sizeof(*c), in,
				    ESPRIM_PAIRWISE_CONFIG_V1, "pairwise",
				    ESPRIM_RSC_DECRYPTION_ERROR, err);

	if (rc)
		return rc;
	if (!c->kid || !esprim_is_kid(c->kid, strlen(c->kid)))
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "kid must be 1 to %d printable characters without '\"', '\\' or ':'",
					 ONEM2M_ESPRIM_MAX_ID_LEN);
	if (c->key && (c->key_len < ONEM2M_ESPRIM_MIN_PAIRWISE_LEN ||
		       c->key_len > ONEM2M_ESPRIM_MAX_PAIRWISE_LEN))
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "pairwise key must be %d to %d bytes, not %zu",
					 ONEM2M_ESPRIM_MIN_PAIRWISE_LEN,
					 ONEM2M_ESPRIM_MAX_PAIRWISE_LEN,
					 c->key_len);
	/* Without a bound identity the From check could not be made. */
	if (c->key && !c->peer)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "pairwise key %s needs the identity it is bound to",
					 c->kid);
	if (c->peer && !esprim_is_identity(c->peer, strlen(c->peer)))
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "peer identity must be 1 to %d printable characters without spaces",
					 ONEM2M_ESPRIM_MAX_PEER_LEN);
	if (c->replay != ONEM2M_ESPRIM_REPLAY_AUTO &&
	    c->replay != ONEM2M_ESPRIM_REPLAY_STRICT &&
	    c->replay != ONEM2M_ESPRIM_REPLAY_OFF)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "replay policy %d unknown", c->replay);
	return 0;
}

int esprim_ctx_add_pairwise(struct esprim_ctx *ctx,
			    const struct esprim_pairwise_config *config,
			    struct esprim_error *err)
{
	struct esprim_pairwise_config c;
	struct esprim_pairwise *pw, *old;
	int rc;

	rc = esprim_pairwise_config_read(&c, config, err);
	if (rc)
		return rc;
	pw = calloc(1, sizeof(*pw));
	if (pw && c.peer)
		pw->peer = strdup(c.peer);
	if (!pw || (c.peer && !pw->peer)) {
		free(pw);
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	}
	pw->ctx = ctx;
	pw->refs = 1;
	strcpy(pw->kid, c.kid);
	pw->expiry_ms = c.expiry_ms;
	pw->replay = c.replay ?: ctx->config.replay;
	pw->ns = ctx->next_ns++;
	pw->setup_tokens = ctx->config.setup_rate;
	pw->setup_ms = esprim_now_ms();
	rc = ctx->ops->pairwise_add(ctx, pw, &c, err);
	if (rc) {
		/* Nothing of the backend's to undo: it failed. */
		free(pw->peer);
		esprim_wipe(pw, sizeof(*pw));
		free(pw);
		return rc;
	}
	old = esprim_ctx_find_pairwise(ctx, c.kid);
	if (old)
		esprim_pairwise_unlink(old);
	esprim_htable_add(&ctx->pairwise, &pw->node,
			  esprim_hash(0, pw->kid, NULL, NULL));
	pw->linked = true;
	return 0;
}

int esprim_ctx_del_pairwise(struct esprim_ctx *ctx, const char *kid,
			    struct esprim_error *err)
{
	struct esprim_pairwise *pw = kid ? esprim_ctx_find_pairwise(ctx, kid) :
				     NULL;

	if (!pw)
		return esprim_fail_local(err, ENOENT,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "no pairwise key %.64s", kid ?: "(null)");
	esprim_pairwise_unlink(pw);
	return 0;
}

/*
 * Per key: objects forged by whoever knows a kid (it is in every header)
 * use up that key's budget, not everyone's.
 */
int esprim_ctx_setup_allowed(struct esprim_ctx *ctx,
			     struct esprim_pairwise *pw, int64_t now,
			     struct esprim_error *err)
{
	double rate = ctx->config.setup_rate;

	if (now > pw->setup_ms) {
		pw->setup_tokens += rate * (double)(now - pw->setup_ms) / 1000;
		if (pw->setup_tokens > rate)
			pw->setup_tokens = rate;
		pw->setup_ms = now;
	}
	if (pw->setup_tokens < 1) {
		ctx->stats.setups_refused++;
		return esprim_fail_local(err, EAGAIN,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "more than %u session set-ups a second for unverified objects of key %s",
					 ctx->config.setup_rate, pw->kid);
	}
	pw->setup_tokens -= 1;
	ctx->stats.setups++;
	return 0;
}

/* An expired session goes, or stays as a tombstone without its keys. */
static unsigned int esprim_session_reap(struct esprim_hnode *n, void *arg)
{
	struct esprim_session *s =
		esprim_container_of(n, struct esprim_session, node);
	int64_t now = *(const int64_t *)arg;

	if (!esprim_session_expired(s, now, NULL))
		return 0;
	if (esprim_session_tombstone(s, now)) {
		if (!s->backend)
			return 0;
		s->ctx->ops->session_fini(s);
		return 1;
	}
	esprim_session_unlink(s);
	return 1;
}

static unsigned int esprim_sessions_reap(struct esprim_ctx *ctx, int64_t now)
{
	return esprim_htable_walk(&ctx->sessions, esprim_session_reap, &now);
}

void esprim_ctx_maybe_reap(struct esprim_ctx *ctx, int64_t now, bool force)
{
	if (!force && now < ctx->next_reap_ms)
		return;
	ctx->next_reap_ms = now + ESPRIM_REAP_INTERVAL_MS;
	ctx->stats.reaped += esprim_sessions_reap(ctx, now);
	ctx->stats.reaped += esprim_rands_reap(ctx, now);
}

unsigned int esprim_ctx_reap(struct esprim_ctx *ctx)
{
	uint64_t before = ctx->stats.reaped;

	esprim_ctx_maybe_reap(ctx, esprim_now_ms(), true);
	return (unsigned int)(ctx->stats.reaped - before);
}

void esprim_ctx_get_stats(const struct esprim_ctx *ctx,
			  struct esprim_ctx_stats *stats)
{
	*stats = ctx->stats;
	stats->sessions = ctx->sessions.count;
	stats->rands = ctx->rands.count;
}
