// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim's two backends side by side, in the VM: the kernel backend
 * (session key in the keyring, onem2m-esprim(gcm(aes)) over AF_ALG, one
 * copy in and out of the kernel per message) against the soft backend
 * (OpenSSL in process), sealing and opening whole ESPrim Objects at
 * 256 B, 1 KiB, 4 KiB and 16 KiB.  Every open is of a fresh object, so the
 * replay window stays on.  The From check is left out (caller_checks_from)
 * because it costs the same on both.
 *
 *   backend_bench [OBJECTS]      (default 1000)
 *
 * Prints guest nanoseconds per operation; under vm/run.sh --icount
 * (scripts/bench.sh) these are instruction counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esprim.h"

#define KID	"13-gw1.example.net"

static const size_t sizes[] = { 256, 1024, 4096, 16384 };

struct side {
	struct esprim_ctx *tx, *rx;
	struct esprim_session *s;
	struct esprim_opened *opened;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void die(const char *what, const struct esprim_error *e)
{
	fprintf(stderr, "backend_bench: %s: %d (errno %d) %s\n", what, e->rsc,
		e->errnum, e->msg);
	exit(1);
}

/*
 * The receiver holds its receiver rand object (own) and the originator's
 * (learnt under the key); the originator does not announce, so every
 * object has the same header, as in a long-lived session.
 */
static void side_setup(struct side *d, enum esprim_backend_kind backend,
		       const struct esprim_rand *rro,
		       const struct esprim_rand *oro)
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
	pc.kid = KID;
	pc.key = pw;
	pc.key_len = sizeof(pw);
	pc.peer = "Cgw1";
	sc.kid = KID;
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	sc.announce = ESPRIM_ANNOUNCE_NEVER;
	d->opened = esprim_opened_new();
	if (!d->opened)
		die("set-up: out of memory", &e);
	if (esprim_ctx_new(&d->tx, &cfg, &e) ||
	    esprim_ctx_new(&d->rx, &cfg, &e) ||
	    esprim_ctx_add_pairwise(d->tx, &pc, &e) ||
	    esprim_ctx_add_pairwise(d->rx, &pc, &e) ||
	    esprim_ctx_add_own_rand(d->rx, rro, &e) ||
	    esprim_ctx_add_learnt_rand(d->rx, KID, oro, &e) ||
	    esprim_session_new(d->tx, &sc, &d->s, &e))
		die("set-up", &e);
}

static void side_free(struct side *d)
{
	esprim_opened_free(d->opened);
	esprim_ctx_free(d->tx);
	esprim_ctx_free(d->rx);
}

/* ns per seal and per open of n fresh objects of len bytes. */
static void measure(struct side *d, size_t len, int n, char *objs,
		    size_t obj_size, double *seal, double *open)
{
	struct esprim_error e = { 0 };
	size_t *lens = calloc((size_t)n, sizeof(*lens));
	uint8_t *text = malloc(len), *out = malloc(len);
	uint64_t start;
	int i;

	memset(text, 'x', len);
	/* First object: session set-up and header cache, not measured. */
	if (esprim_seal(d->s, text, len, objs, obj_size, &lens[0], &e) ||
	    esprim_open(d->rx, objs, lens[0], out, len, d->opened, &e) !=
	    ESPRIM_FROM_UNCHECKED)
		die("first object", &e);
	start = now_ns();
	for (i = 0; i < n; i++)
		if (esprim_seal(d->s, text, len, objs + i * obj_size, obj_size,
				&lens[i], &e))
			die("seal", &e);
	*seal = (double)(now_ns() - start) / n;
	start = now_ns();
	for (i = 0; i < n; i++)
		if (esprim_open(d->rx, objs + i * obj_size, lens[i], out, len,
				d->opened, &e) != ESPRIM_FROM_UNCHECKED)
			die("open", &e);
	*open = (double)(now_ns() - start) / n;
	free(lens);
	free(text);
	free(out);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct esprim_error e = { 0 };
	struct esprim_rand *rro, *oro;
	double ks, ko, ss, so;
	struct side k, s;
	size_t i, obj_size;
	char *objs;

	if (n < 1 || n > 100000)
		return 2;
	if (esprim_rand_new_receiver(&rro, "n-r1", 0,
				     esprim_now_ms() + 3600000,
				     ESPRIM_ESPA_ALL, &e) ||
	    esprim_rand_new_originator(&oro, rro, "n-o1",
				       esprim_now_ms() + 3600000,
				       ESPRIM_ESPA_ALL, &e))
		die("rand objects", &e);
	printf("# guest ns per operation (instructions under --icount), %d objects\n",
	       n);
	printf("%6s %12s %12s %12s %12s %8s %8s\n", "bytes", "kernel-seal",
	       "kernel-open", "soft-seal", "soft-open", "k/s seal", "k/s open");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		obj_size = 2 * sizes[i] + 1024;
		objs = malloc((size_t)n * obj_size);
		if (!objs)
			return 1;
		side_setup(&k, ESPRIM_BACKEND_KERNEL, rro, oro);
		measure(&k, sizes[i], n, objs, obj_size, &ks, &ko);
		side_free(&k);
		side_setup(&s, ESPRIM_BACKEND_SOFT, rro, oro);
		measure(&s, sizes[i], n, objs, obj_size, &ss, &so);
		side_free(&s);
		free(objs);
		printf("%6zu %12.0f %12.0f %12.0f %12.0f %7.2fx %7.2fx\n",
		       sizes[i], ks, ko, ss, so, ks / ss, ko / so);
	}
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return 0;
}
