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

#include "bench_pair.h"

#define PROG	"backend_bench"
#define KID	"13-gw1.example.net"

static const size_t sizes[] = { 256, 1024, 4096, 16384 };

/* ns per seal and per open of n fresh objects of len bytes. */
static void measure(struct bench_pair *d, size_t len, int n, char *objs,
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
		bench_die(PROG, "first object", &e);
	start = bench_now_ns();
	for (i = 0; i < n; i++)
		if (esprim_seal(d->s, text, len, objs + i * obj_size, obj_size,
				&lens[i], &e))
			bench_die(PROG, "seal", &e);
	*seal = (double)(bench_now_ns() - start) / n;
	start = bench_now_ns();
	for (i = 0; i < n; i++)
		if (esprim_open(d->rx, objs + i * obj_size, lens[i], out, len,
				d->opened, &e) != ESPRIM_FROM_UNCHECKED)
			bench_die(PROG, "open", &e);
	*open = (double)(bench_now_ns() - start) / n;
	free(lens);
	free(text);
	free(out);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct esprim_rand *rro, *oro;
	double ks, ko, ss, so;
	struct bench_pair k, s;
	size_t i, obj_size;
	char *objs;

	if (n < 1 || n > 100000)
		return 2;
	bench_pair_rands(&rro, &oro);
	printf("# guest ns per operation (instructions under --icount), %d objects\n",
	       n);
	printf("%6s %12s %12s %12s %12s %8s %8s\n", "bytes", "kernel-seal",
	       "kernel-open", "soft-seal", "soft-open", "k/s seal", "k/s open");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		obj_size = 2 * sizes[i] + 1024;
		objs = malloc((size_t)n * obj_size);
		if (!objs)
			return 1;
		bench_pair_setup(&k, ESPRIM_BACKEND_KERNEL, rro, oro, KID);
		measure(&k, sizes[i], n, objs, obj_size, &ks, &ko);
		bench_pair_free(&k);
		bench_pair_setup(&s, ESPRIM_BACKEND_SOFT, rro, oro, KID);
		measure(&s, sizes[i], n, objs, obj_size, &ss, &so);
		bench_pair_free(&s);
		free(objs);
		printf("%6zu %12.0f %12.0f %12.0f %12.0f %7.2fx %7.2fx\n",
		       sizes[i], ks, ko, ss, so, ks / ss, ko / so);
	}
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return 0;
}
