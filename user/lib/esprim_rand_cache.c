// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cached rand objects in namespaces (profile B.16): namespace 0 holds the
 * objects this side issued, each pairwise key has one for the objects
 * learnt from its peer.  A lookup names its namespace, so a peer's object
 * never stands in for one of ours (an rro "r1" from a peer cannot make
 * our own "r1" fail, nor become a valid rri), and two peers' "o1" do not
 * meet.  Learnt objects are capped per key; expired ones are reaped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esprim_internal.h"

struct esprim_rand_entry {
	struct esprim_hnode node;
	uint64_t ns;
	struct esprim_pairwise *pairwise;	/* NULL: own */
	struct esprim_rand rand;
};

static uint32_t esprim_rand_hash(uint64_t ns, const char *id, bool receiver)
{
	return esprim_hash(ns, id, receiver ? "r" : "o", NULL);
}

static struct esprim_rand_entry *esprim_rands_lookup(struct esprim_ctx *ctx,
						     uint64_t ns,
						     const char *id,
						     bool receiver)
{
	uint32_t h = esprim_rand_hash(ns, id, receiver);
	struct esprim_hnode *n;

	for (n = esprim_htable_first(&ctx->rands, h); n; n = n->next) {
		struct esprim_rand_entry *e =
			esprim_container_of(n, struct esprim_rand_entry, node);

		if (n->hash == h && e->ns == ns &&
		    e->rand.receiver == receiver && !strcmp(e->rand.id, id))
			return e;
	}
	return NULL;
}

const struct esprim_rand *esprim_rands_find(struct esprim_ctx *ctx,
					    uint64_t ns, const char *id,
					    bool receiver)
{
	struct esprim_rand_entry *e = esprim_rands_lookup(ctx, ns, id,
							  receiver);

	if (!e || e->rand.expiry_ms <= esprim_now_ms())
		return NULL;
	return &e->rand;
}

static void esprim_rands_remove(struct esprim_ctx *ctx,
				struct esprim_rand_entry *e)
{
	esprim_htable_del(&ctx->rands, &e->node);
	if (e->pairwise)
		e->pairwise->learnt--;
	free(e);
}

int esprim_rands_add(struct esprim_ctx *ctx, struct esprim_pairwise *pw,
		     const struct esprim_rand *r, struct esprim_error *err)
{
	uint64_t ns = pw ? pw->ns : 0;
	struct esprim_rand_entry *e;
	int64_t now = esprim_now_ms();

	if (r->expiry_ms <= now)
		return esprim_fail(err, r->receiver ?
				   ESPRIM_RSC_UNKNOWN_RECV_RAND_ID :
				   ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "rand object %s has expired", r->id);
	e = esprim_rands_lookup(ctx, ns, r->id, r->receiver);
	if (e && esprim_rand_equal(&e->rand, r)) {
		/*
		 * The same octets again: a relative esrx counts from when they
		 * were first seen, and a replayed header must not extend it.
		 */
		if (r->expiry_ms < e->rand.expiry_ms)
			e->rand.expiry_ms = r->expiry_ms;
		return 0;
	}
	if (e) {
		/* Another object of that esri replaces it. */
		e->rand = *r;
		return 0;
	}
	if (pw && pw->learnt >= ctx->config.max_learnt_rands) {
		esprim_ctx_maybe_reap(ctx, now, true);
		if (pw->learnt >= ctx->config.max_learnt_rands)
			return esprim_fail_local(err, ENOSPC,
						 ESPRIM_RSC_DECRYPTION_ERROR,
						 "pairwise key %s holds %u learnt rand objects already",
						 pw->kid,
						 ctx->config.max_learnt_rands);
	}
	e = malloc(sizeof(*e));
	if (!e)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	e->ns = ns;
	e->pairwise = pw;
	e->rand = *r;
	if (pw)
		pw->learnt++;
	esprim_htable_add(&ctx->rands, &e->node,
			  esprim_rand_hash(ns, r->id, r->receiver));
	return 0;
}

struct esprim_rands_filter {
	struct esprim_ctx *ctx;
	bool (*drop)(const struct esprim_rand_entry *e, const void *arg);
	const void *arg;
};

static unsigned int esprim_rand_filter(struct esprim_hnode *n, void *arg)
{
	struct esprim_rand_entry *e =
		esprim_container_of(n, struct esprim_rand_entry, node);
	const struct esprim_rands_filter *f = arg;

	if (!f->drop(e, f->arg))
		return 0;
	esprim_rands_remove(f->ctx, e);
	return 1;
}

/* Calls drop on every entry, removing those it says so of. */
static unsigned int esprim_rands_filter(struct esprim_ctx *ctx,
					bool (*drop)(const struct esprim_rand_entry *,
						     const void *),
					const void *arg)
{
	struct esprim_rands_filter f = { ctx, drop, arg };

	return esprim_htable_walk(&ctx->rands, esprim_rand_filter, &f);
}

static bool esprim_rand_in_ns(const struct esprim_rand_entry *e,
			      const void *arg)
{
	return e->ns == *(const uint64_t *)arg;
}

static bool esprim_rand_expired(const struct esprim_rand_entry *e,
				const void *arg)
{
	return e->rand.expiry_ms <= *(const int64_t *)arg;
}

static bool esprim_rand_any(const struct esprim_rand_entry *e,
			    const void *arg)
{
	return true;
}

void esprim_rands_drop_ns(struct esprim_ctx *ctx, uint64_t ns)
{
	esprim_rands_filter(ctx, esprim_rand_in_ns, &ns);
}

unsigned int esprim_rands_reap(struct esprim_ctx *ctx, int64_t now)
{
	return esprim_rands_filter(ctx, esprim_rand_expired, &now);
}

void esprim_rands_fini(struct esprim_ctx *ctx)
{
	esprim_rands_filter(ctx, esprim_rand_any, NULL);
}

int esprim_ctx_add_own_rand(struct esprim_ctx *ctx,
			    const struct esprim_rand *r,
			    struct esprim_error *err)
{
	if (!r)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "no rand object");
	return esprim_rands_add(ctx, NULL, r, err);
}

int esprim_ctx_add_learnt_rand(struct esprim_ctx *ctx, const char *kid,
			       const struct esprim_rand *r,
			       struct esprim_error *err)
{
	struct esprim_pairwise *pw = kid ? esprim_ctx_find_pairwise(ctx, kid) :
				     NULL;

	if (!r)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "no rand object");
	if (!pw)
		return esprim_fail_local(err, ENOENT,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "no pairwise key %.64s", kid ?: "(null)");
	return esprim_rands_add(ctx, pw, r, err);
}

struct esprim_rand *esprim_ctx_get_rand(struct esprim_ctx *ctx,
					const char *kid, const char *id,
					bool receiver)
{
	struct esprim_pairwise *pw = NULL;
	const struct esprim_rand *r;

	if (kid) {
		pw = esprim_ctx_find_pairwise(ctx, kid);
		if (!pw)
			return NULL;
	}
	r = id ? esprim_rands_find(ctx, pw ? pw->ns : 0, id, receiver) : NULL;
	return r ? esprim_rand_dup(r) : NULL;
}
