// SPDX-License-Identifier: GPL-2.0
/*
 * The context: backend choice, pairwise keys, cached rand objects and the
 * sessions, found by (kid, ori, rri).
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "esprim_internal.h"

void esprim_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

int esprim_ctx_new(struct esprim_ctx **out,
		   const struct esprim_ctx_config *config,
		   struct esprim_error *err)
{
	struct esprim_ctx *ctx;
	int rc;

	*out = NULL;
	if (config->replay != ONEM2M_ESPRIM_REPLAY_AUTO &&
	    config->replay != ONEM2M_ESPRIM_REPLAY_STRICT &&
	    config->replay != ONEM2M_ESPRIM_REPLAY_OFF)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "replay policy %d unknown", config->replay);
	if (config->replay_window &&
	    (config->replay_window < ONEM2M_ESPRIM_MIN_REPLAY_WINDOW ||
	     config->replay_window > ONEM2M_ESPRIM_MAX_REPLAY_WINDOW ||
	     (config->replay_window & (config->replay_window - 1))))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "replay window must be a power of two from %d to %d",
				   ONEM2M_ESPRIM_MIN_REPLAY_WINDOW,
				   ONEM2M_ESPRIM_MAX_REPLAY_WINDOW);
	if (config->replay_set > ONEM2M_ESPRIM_MAX_REPLAY_SET)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "replay IV set of %u entries: at most %d",
				   config->replay_set,
				   ONEM2M_ESPRIM_MAX_REPLAY_SET);
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	ctx->config = *config;
	if (!ctx->config.replay_window)
		ctx->config.replay_window = ONEM2M_ESPRIM_REPLAY_WINDOW;
	if (!ctx->config.replay_set)
		ctx->config.replay_set = ONEM2M_ESPRIM_REPLAY_SET;
	switch (config->backend) {
	case ESPRIM_BACKEND_SOFT:
		ctx->ops = &esprim_soft_ops;
		break;
	case ESPRIM_BACKEND_KERNEL:
		ctx->ops = &esprim_kernel_ops;
		break;
	default:
		free(ctx);
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "backend %d unknown", config->backend);
	}
	rc = ctx->ops->ctx_init ? ctx->ops->ctx_init(ctx, err) : 0;
	if (rc) {
		free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

static void esprim_pairwise_free(struct esprim_ctx *ctx,
				 struct esprim_pairwise *pw)
{
	if (ctx->ops->pairwise_del)
		ctx->ops->pairwise_del(ctx, pw);
	free(pw->peer);
	esprim_wipe(pw, sizeof(*pw));
	free(pw);
}

void esprim_ctx_free(struct esprim_ctx *ctx)
{
	struct esprim_rand_entry *r;
	struct esprim_pairwise *pw;
	unsigned int i;

	if (!ctx)
		return;
	for (i = 0; i < ESPRIM_HASH_BUCKETS; i++)
		while (ctx->sessions[i])
			esprim_session_free(ctx->sessions[i]);
	while ((pw = ctx->pairwise)) {
		ctx->pairwise = pw->next;
		esprim_pairwise_free(ctx, pw);
	}
	while ((r = ctx->rands)) {
		ctx->rands = r->next;
		free(r);
	}
	if (ctx->ops->ctx_fini)
		ctx->ops->ctx_fini(ctx);
	if (ctx->scratch)
		esprim_wipe(ctx->scratch, ctx->scratch_size);
	free(ctx->scratch);
	free(ctx);
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

struct esprim_pairwise *esprim_ctx_find_pairwise(struct esprim_ctx *ctx,
						 const char *kid)
{
	struct esprim_pairwise *pw;

	for (pw = ctx->pairwise; pw; pw = pw->next)
		if (!strcmp(pw->kid, kid))
			return pw;
	return NULL;
}

int esprim_ctx_add_pairwise(struct esprim_ctx *ctx, const char *kid,
			    const uint8_t *key, size_t key_len,
			    const char *peer, int64_t expiry_ms,
			    struct esprim_error *err)
{
	struct esprim_pairwise *pw, **pp;
	size_t i;
	int rc;

	if (!kid || !esprim_is_kid(kid, strlen(kid)))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "kid must be 1 to %d printable characters without '\"', '\\' or ':'",
				   ONEM2M_ESPRIM_MAX_ID_LEN);
	if (key_len < ONEM2M_ESPRIM_MIN_PAIRWISE_LEN ||
	    key_len > ONEM2M_ESPRIM_MAX_PAIRWISE_LEN)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "pairwise key must be %d to %d bytes, not %zu",
				   ONEM2M_ESPRIM_MIN_PAIRWISE_LEN,
				   ONEM2M_ESPRIM_MAX_PAIRWISE_LEN, key_len);
	if (peer) {
		for (i = 0; peer[i]; i++)
			if (peer[i] <= ' ' || peer[i] > '~')
				break;
		if (!i || peer[i] || i > ONEM2M_ESPRIM_MAX_PEER_LEN)
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "peer identity must be 1 to %d printable characters",
					   ONEM2M_ESPRIM_MAX_PEER_LEN);
	}
	pw = calloc(1, sizeof(*pw));
	if (pw && peer)
		pw->peer = strdup(peer);
	if (!pw || (peer && !pw->peer)) {
		free(pw);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	}
	strcpy(pw->kid, kid);
	memcpy(pw->key, key, key_len);
	pw->key_len = key_len;
	pw->expiry_ms = expiry_ms;
	rc = ctx->ops->pairwise_add ? ctx->ops->pairwise_add(ctx, pw, err) : 0;
	if (rc) {
		esprim_wipe(pw, sizeof(*pw));
		free(pw);
		return rc;
	}
	/* A new key for a kid replaces the old one and its sessions. */
	for (pp = &ctx->pairwise; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->kid, kid))
			continue;
		for (i = 0; i < ESPRIM_HASH_BUCKETS; i++) {
			struct esprim_session **sp = &ctx->sessions[i];

			while (*sp) {
				if ((*sp)->pairwise == *pp)
					esprim_session_free(*sp);
				else
					sp = &(*sp)->next;
			}
		}
		pw->next = (*pp)->next;
		esprim_pairwise_free(ctx, *pp);
		*pp = pw;
		return 0;
	}
	pw->next = ctx->pairwise;
	ctx->pairwise = pw;
	return 0;
}

const struct esprim_rand *esprim_ctx_find_rand(struct esprim_ctx *ctx,
					       const char *id, bool receiver)
{
	struct esprim_rand_entry *e;

	for (e = ctx->rands; e; e = e->next)
		if (e->rand.receiver == receiver && !strcmp(e->rand.id, id))
			return &e->rand;
	return NULL;
}

int esprim_ctx_add_rand(struct esprim_ctx *ctx, const struct esprim_rand *r,
			struct esprim_error *err)
{
	struct esprim_rand_entry *e, **pp;
	int64_t now = esprim_now_ms();

	/* Drop expired objects while walking the list. */
	for (pp = &ctx->rands; (e = *pp);) {
		if (e->rand.expiry_ms <= now ||
		    (e->rand.receiver == r->receiver &&
		     !strcmp(e->rand.id, r->id))) {
			*pp = e->next;
			free(e);
		} else {
			pp = &e->next;
		}
	}
	e = malloc(sizeof(*e));
	if (!e)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "out of memory");
	e->rand = *r;
	e->next = ctx->rands;
	ctx->rands = e;
	return 0;
}
