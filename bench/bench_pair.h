/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benches that seal and open whole ESPrim Objects through
 * libesprim share: two contexts of one backend holding one session, the
 * originator's sealing and the receiver's opening, a clock and an exit on
 * a libesprim error.
 */
#ifndef BENCH_PAIR_H
#define BENCH_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "esprim.h"

/**
 * struct bench_pair - an originator and a receiver of one session
 * @tx: the originator's context, which seals
 * @rx: the receiver's context, which opens
 * @s: the originator's session (a reference of ours)
 * @opened: the receiver's open result, reused for every open
 */
struct bench_pair {
	struct esprim_ctx *tx, *rx;
	struct esprim_session *s;
	struct esprim_opened *opened;
};

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* Prints "prog: what: rsc (errno n) message" and exits 1. */
void bench_die(const char *prog, const char *what,
	       const struct esprim_error *err)
	__attribute__((noreturn));

/*
 * A receiver rand object "n-r1" and an originator object "n-o1" for it,
 * valid for an hour, offering every enc.  Exits on failure.
 */
void bench_pair_rands(struct esprim_rand **rro, struct esprim_rand **oro);

/*
 * Two contexts of backend sharing a pairwise key kid and a session on
 * rro and oro, A256GCM, caller_checks_from (the From check costs the same
 * on every backend).  Exits on failure.
 */
void bench_pair_setup(struct bench_pair *pair,
		      enum esprim_backend_kind backend,
		      const struct esprim_rand *rro,
		      const struct esprim_rand *oro, const char *kid);
void bench_pair_free(struct bench_pair *pair);

/*
 * Seals n fresh objects of text_len bytes, then opens them: one by one
 * (batch 0) or in batches of that size (esprim_seal_batch(),
 * esprim_open_batch()).  ns per seal and per open in *seal_ns, *open_ns.
 * Exits on failure.
 */
void bench_pair_run(struct bench_pair *pair, int n, unsigned int batch,
		    size_t text_len, double *seal_ns, double *open_ns);

#endif /* BENCH_PAIR_H */
