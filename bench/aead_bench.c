// SPDX-License-Identifier: GPL-2.0
/*
 * Seal and open cost of onem2m-esprim(gcm(aes)) against plain gcm(aes),
 * both through AF_ALG with the same libkcapi calls, at 256 B, 1 KiB, 4 KiB
 * and 16 KiB of text with a 120-byte AAD (a typical protected header).
 *
 *   aead_bench [ITERATIONS]
 *
 * Prints guest nanoseconds per operation.  Run under vm/run.sh --icount
 * (scripts/bench.sh does), guest time advances one nanosecond per executed
 * instruction, so the figures are instruction counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kcapi.h>

#include "esprim_afalg.h"

#define AAD_LEN		120
#define MAX_TEXT	16384

static const size_t sizes[] = { 256, 1024, 4096, 16384 };

struct aead_under_test {
	const char *name;
	struct kcapi_handle *h;
	unsigned int authsize;
	bool takes_iv;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* Nanoseconds per operation over n seals (or opens) of text_len bytes. */
static double run(struct aead_under_test *a, bool seal, size_t text_len,
		  int n, uint8_t *in, uint8_t *out, uint8_t *sealed)
{
	size_t in_len = AAD_LEN + text_len;
	uint8_t iv[12] = { 0 };
	uint64_t start;
	int i;

	/* One seal gives the object that the open runs use. */
	if (esprim_afalg_crypt(a->h, true, a->takes_iv ? iv : NULL, AAD_LEN, in,
			       in_len, sealed, in_len + a->authsize) < 0)
		return -1;

	start = now_ns();
	for (i = 0; i < n; i++) {
		ssize_t ret;

		if (seal) {
			iv[11]++;	/* what a caller of plain gcm(aes) must do */
			ret = esprim_afalg_crypt(a->h, true,
						 a->takes_iv ? iv : NULL,
						 AAD_LEN, in, in_len, out,
						 in_len + a->authsize);
		} else {
			ret = esprim_afalg_crypt(a->h, false,
						 a->takes_iv ? iv : NULL,
						 AAD_LEN, sealed,
						 in_len + a->authsize, out,
						 in_len);
		}
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", a->name, strerror(-ret));
			return -1;
		}
	}
	return (double)(now_ns() - start) / n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	struct onem2m_esprim_key_raw blob;
	struct aead_under_test aead[2] = {
		{ .name = ONEM2M_ESPRIM_AEAD_ALG,
		  .authsize = ONEM2M_ESPRIM_TRAILER_LEN },
		{ .name = "gcm(aes)", .authsize = 16, .takes_iv = true },
	};
	uint8_t key[32], *in, *out, *sealed;
	size_t i;
	int ret;

	memset(key, 0x5a, sizeof(key));
	esprim_key_raw_init(&blob, key, sizeof(key),
			    ONEM2M_ESPRIM_ROLE_ORIGINATOR, 0);
	ret = esprim_afalg_open(&aead[0].h, aead[0].name, &blob, sizeof(blob),
				aead[0].authsize);
	if (!ret)
		ret = esprim_afalg_open(&aead[1].h, aead[1].name, key,
					sizeof(key), aead[1].authsize);
	if (ret) {
		fprintf(stderr, "aead_bench: %s\n", strerror(-ret));
		return 1;
	}

	in = calloc(1, AAD_LEN + MAX_TEXT);
	out = malloc(AAD_LEN + MAX_TEXT + ONEM2M_ESPRIM_TRAILER_LEN);
	sealed = malloc(AAD_LEN + MAX_TEXT + ONEM2M_ESPRIM_TRAILER_LEN);
	if (!in || !out || !sealed)
		return 1;
	memset(in, 'A', AAD_LEN);

	printf("# %d operations per figure, AAD %d bytes, ns/op (guest clock)\n",
	       n, AAD_LEN);
	printf("%-6s %-5s %14s %14s %9s\n", "bytes", "op", "template",
	       "gcm(aes)", "overhead");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int op;

		for (op = 1; op >= 0; op--) {
			double t, g;

			/* Warm both paths, then measure them back to back. */
			run(&aead[0], op, sizes[i], n / 10 + 1, in, out, sealed);
			run(&aead[1], op, sizes[i], n / 10 + 1, in, out, sealed);
			t = run(&aead[0], op, sizes[i], n, in, out, sealed);
			g = run(&aead[1], op, sizes[i], n, in, out, sealed);
			if (t < 0 || g < 0)
				return 1;
			printf("%-6zu %-5s %14.0f %14.0f %+8.1f%%\n", sizes[i],
			       op ? "seal" : "open", t, g, 100.0 * (t - g) / g);
		}
	}
	kcapi_aead_destroy(aead[0].h);
	kcapi_aead_destroy(aead[1].h);
	free(sealed);
	free(out);
	free(in);
	return 0;
}
