// SPDX-License-Identifier: GPL-2.0
/*
 * Two libesprim contexts of one backend and a session between them, for
 * the benches that seal and open whole ESPrim Objects (backend_bench,
 * netlink_bench, esprimd_bench).  See bench_pair.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_pair.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void bench_die(const char *prog, const char *what,
	       const struct esprim_error *err)
{
	fprintf(stderr, "%s: %s: %d (errno %d) %s\n", prog, what, err->rsc,
		err->errnum, err->msg);
	exit(1);
}

/* The errors of this file carry the name the bench was run by. */
static void pair_die(const char *what, const struct esprim_error *err)
{
	bench_die(program_invocation_short_name, what, err);
}

/*
 * The receiver holds its receiver rand object (own) and the originator's
 * (learnt under the key); the originator does not announce, so every
 * object has the same header, as in a long-lived session.
 */
void bench_pair_setup(struct bench_pair *pair,
		      enum esprim_backend_kind backend,
		      const struct esprim_rand *rro,
		      const struct esprim_rand *oro, const char *kid)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_error e = { 0 };
	uint8_t pw[32];
	int i;

	for (i = 0; i < 32; i++)
		pw[i] = (uint8_t)(i * 7);
	cfg.backend = backend;
	cfg.caller_checks_from = true;
	pc.kid = kid;
	pc.key = pw;
	pc.key_len = sizeof(pw);
	pc.peer = "Cgw1";
	sc.kid = kid;
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	sc.announce = ESPRIM_ANNOUNCE_NEVER;
	pair->opened = esprim_opened_new();
	if (!pair->opened)
		pair_die("set-up: out of memory", &e);
	if (esprim_ctx_new(&pair->tx, &cfg, &e) ||
	    esprim_ctx_new(&pair->rx, &cfg, &e) ||
	    esprim_ctx_add_pairwise(pair->tx, &pc, &e) ||
	    esprim_ctx_add_pairwise(pair->rx, &pc, &e) ||
	    esprim_ctx_add_own_rand(pair->rx, rro, &e) ||
	    esprim_ctx_add_learnt_rand(pair->rx, kid, oro, &e) ||
	    esprim_session_new(pair->tx, &sc, &pair->s, &e))
		pair_die("set-up", &e);
}

void bench_pair_rands(struct esprim_rand **rro, struct esprim_rand **oro)
{
	int64_t expiry = esprim_now_ms() + 3600000;
	struct esprim_error e = { 0 };

	if (esprim_rand_new_receiver(rro, "n-r1", 0, expiry, ESPRIM_ESPA_ALL,
				     &e) ||
	    esprim_rand_new_originator(oro, *rro, "n-o1", expiry,
				       ESPRIM_ESPA_ALL, &e))
		pair_die("rand objects", &e);
}

void bench_pair_free(struct bench_pair *pair)
{
	esprim_session_put(pair->s);
	esprim_opened_free(pair->opened);
	esprim_ctx_free(pair->tx);
	esprim_ctx_free(pair->rx);
}

/* A failed item of a batch as an error to die with. */
static void batch_die(const char *what, const struct esprim_batch_item *it)
{
	struct esprim_error e = { .rsc = it->rsc > 0 ? it->rsc : 0,
				  .errnum = it->rsc < 0 ? -it->rsc : 0 };

	pair_die(what, &e);
}

/**
 * struct pair_run - one bench_pair_run(): n objects sealed, then opened
 * @pair: the contexts and the session
 * @batch: items per batch call, 0 for one call per object
 * @text: what is sealed, @text_len bytes
 * @objs: n objects of @obj_size bytes at most, @lens[i] each
 * @out: n opened texts of @text_len bytes
 * @items: @batch items (one when 0)
 */
struct pair_run {
	struct bench_pair *pair;
	unsigned int batch;
	uint8_t *text;
	size_t text_len;
	char *objs;
	size_t obj_size;
	size_t *lens;
	uint8_t *out;
	struct esprim_batch_item *items;
};

/* Seals objects j to j + k - 1. */
static void seal_some(struct pair_run *r, int j, unsigned int k)
{
	struct esprim_error e = { 0 };
	unsigned int i;

	if (!r->batch) {
		if (esprim_seal(r->pair->s, r->text, r->text_len,
				r->objs + j * r->obj_size, r->obj_size,
				&r->lens[j], &e))
			pair_die("seal", &e);
		return;
	}
	for (i = 0; i < k; i++)
		r->items[i] = (struct esprim_batch_item){
			.in = r->text, .in_len = r->text_len,
			.out = r->objs + (j + i) * r->obj_size,
			.out_size = r->obj_size,
		};
	if (esprim_seal_batch(r->pair->s, r->items, k) != k)
		for (i = 0; i < k; i++)
			if (r->items[i].rsc)
				batch_die("seal batch", &r->items[i]);
	for (i = 0; i < k; i++)
		r->lens[j + i] = r->items[i].out_len;
}

/* Opens objects j to j + k - 1. */
static void open_some(struct pair_run *r, int j, unsigned int k)
{
	struct esprim_error e = { 0 };
	unsigned int i;

	if (!r->batch) {
		if (esprim_open(r->pair->rx, r->objs + j * r->obj_size,
				r->lens[j], r->out + j * r->text_len,
				r->text_len, r->pair->opened, &e) !=
		    ESPRIM_FROM_UNCHECKED)
			pair_die("open", &e);
		return;
	}
	for (i = 0; i < k; i++)
		r->items[i] = (struct esprim_batch_item){
			.in = r->objs + (j + i) * r->obj_size,
			.in_len = r->lens[j + i],
			.out = r->out + (j + i) * r->text_len,
			.out_size = r->text_len,
		};
	/* caller_checks_from: no opened results, so none succeed. */
	esprim_open_batch(r->pair->rx, r->items, NULL, k);
	for (i = 0; i < k; i++)
		if (r->items[i].rsc != ESPRIM_FROM_UNCHECKED)
			batch_die("open batch", &r->items[i]);
}

/* ns per object sealing (open false) or opening n objects. */
static double pair_pass(struct pair_run *r, int n, bool open)
{
	uint64_t t = bench_now_ns();
	unsigned int k;
	int j;

	for (j = 0; j < n; j += (int)k) {
		k = !r->batch ? 1 : n - j < (int)r->batch ?
		    (unsigned int)(n - j) : r->batch;
		if (open)
			open_some(r, j, k);
		else
			seal_some(r, j, k);
	}
	return (double)(bench_now_ns() - t) / n;
}

void bench_pair_run(struct bench_pair *pair, int n, unsigned int batch,
		    size_t text_len, double *seal_ns, double *open_ns)
{
	struct pair_run r = {
		.pair = pair, .batch = batch, .text_len = text_len,
		.obj_size = 2 * text_len + 1024,
	};
	struct esprim_error e = { 0 };

	r.objs = malloc((size_t)n * r.obj_size);
	r.lens = calloc((size_t)n, sizeof(*r.lens));
	r.items = calloc(batch ? batch : 1, sizeof(*r.items));
	r.text = malloc(text_len);
	r.out = malloc((size_t)n * text_len);
	if (!r.objs || !r.lens || !r.items || !r.text || !r.out)
		pair_die("out of memory", &e);
	memset(r.text, 'x', text_len);
	/* Buffers in use already, as a server's are: no page faults timed. */
	memset(r.objs, 0, (size_t)n * r.obj_size);
	memset(r.out, 0, (size_t)n * text_len);
	/* First object: session set-up and header cache, not measured. */
	if (esprim_seal(pair->s, r.text, text_len, r.objs, r.obj_size,
			&r.lens[0], &e) ||
	    esprim_open(pair->rx, r.objs, r.lens[0], r.out, text_len,
			pair->opened, &e) != ESPRIM_FROM_UNCHECKED)
		pair_die("first object", &e);
	*seal_ns = pair_pass(&r, n, false);
	*open_ns = pair_pass(&r, n, true);
	free(r.items);
	free(r.lens);
	free(r.objs);
	free(r.text);
	free(r.out);
}
