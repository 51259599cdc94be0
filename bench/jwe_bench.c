// SPDX-License-Identifier: GPL-2.0
/*
 * Sealing and opening ESPrim Objects on the host: libesprim's soft
 * backend beside cjose (same JWE, "dir" + A256GCM) and raw OpenSSL
 * AES-256-GCM (no JOSE framing), in one run.
 *
 *   jwe_bench [ITERATIONS]         median ns per operation, all sizes
 *   jwe_bench --one IMPL OP SIZE N  N operations of one kind, for
 *                                   callgrind (loop_* functions)
 *
 * IMPL: esprim, cjose, raw; OP: seal, open (esprim also openfr: open
 * with the From check, which parses the inner request with jansson).
 * libesprim opens in its steady state: the session exists and the header
 * repeats (replay protection off so one object can be opened again and
 * again).  The text is a JSON request of the given size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjose/cjose.h>
#include <openssl/evp.h>

#include "esprim.h"

#define KID	"13-gw1.example.net"

static const size_t sizes[] = { 256, 1024, 4096, 16384 };

struct bench {
	size_t size;
	uint8_t *text;
	uint8_t *out;
	/* libesprim */
	struct esprim_ctx *tx, *rx, *rx_from;
	struct esprim_session *s;
	char *obj;
	size_t obj_len;
	struct esprim_opened *opened;
	/* cjose */
	cjose_jwk_t *jwk;
	cjose_header_t *hdr;
	char *cjose_obj;
	/* raw OpenSSL */
	EVP_CIPHER_CTX *enc, *dec;
	uint8_t iv[12], tag[16], *ct;
};

static volatile size_t sink;

static void die(const char *what)
{
	fprintf(stderr, "jwe_bench: %s\n", what);
	exit(1);
}

static void bench_setup(struct bench *b, size_t size)
{
	struct esprim_ctx_config cfg = {
		.backend = ESPRIM_BACKEND_SOFT,
		.replay = ONEM2M_ESPRIM_REPLAY_OFF,
	};
	struct esprim_rand rro, oro;
	uint8_t pw[32], key[32];
	cjose_err err;
	size_t i;

	memset(b, 0, sizeof(*b));
	b->size = size;
	b->text = malloc(size);
	b->out = malloc(2 * size + 4096);
	b->obj = malloc(2 * size + 4096);
	b->ct = malloc(size);
	b->opened = malloc(sizeof(*b->opened));
	for (i = 0; i < size; i++)
		b->text[i] = (uint8_t)('a' + i % 26);
	memcpy(b->text, "{\"fr\":\"Cgw1\",\"x\":\"", 18);
	memcpy(b->text + size - 2, "\"}", 2);
	for (i = 0; i < 32; i++)
		pw[i] = (uint8_t)i;

	if (esprim_rand_new_receiver(&rro, "r1", esprim_now_ms() + 3600000,
				     0xe, NULL) ||
	    esprim_rand_new_originator(&oro, &rro, "o1",
				       esprim_now_ms() + 3600000, 0xe, NULL) ||
	    esprim_ctx_new(&b->tx, &cfg, NULL) ||
	    esprim_ctx_new(&b->rx, &cfg, NULL) ||
	    esprim_ctx_new(&b->rx_from, &cfg, NULL) ||
	    esprim_ctx_add_pairwise(b->rx_from, KID, pw, 32, "Cgw1", 0, NULL) ||
	    esprim_ctx_add_rand(b->rx_from, &rro, NULL) ||
	    esprim_ctx_add_rand(b->rx_from, &oro, NULL) ||
	    esprim_ctx_add_pairwise(b->tx, KID, pw, 32, NULL, 0, NULL) ||
	    esprim_ctx_add_pairwise(b->rx, KID, pw, 32, NULL, 0, NULL) ||
	    esprim_ctx_add_rand(b->rx, &rro, NULL) ||
	    esprim_ctx_add_rand(b->rx, &oro, NULL) ||
	    esprim_session_new(b->tx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM }, &b->s, NULL) ||
	    esprim_seal(b->s, b->text, size, b->obj, 2 * size + 4096,
			&b->obj_len, NULL) ||
	    esprim_open(b->rx, b->obj, b->obj_len, b->out, size, b->opened,
			NULL) ||
	    esprim_open(b->rx_from, b->obj, b->obj_len, b->out, size,
			b->opened, NULL) ||
	    esprim_derive_session_key(pw, 32, &rro, &oro,
				      ONEM2M_ESPRIM_ENC_A256GCM, key, NULL))
		die("libesprim set-up");

	b->jwk = cjose_jwk_create_oct_spec(key, 32, &err);
	b->hdr = cjose_header_new(&err);
	if (!b->jwk || !b->hdr ||
	    !cjose_header_set(b->hdr, CJOSE_HDR_ALG, CJOSE_HDR_ALG_DIR, &err) ||
	    !cjose_header_set(b->hdr, CJOSE_HDR_ENC, CJOSE_HDR_ENC_A256GCM,
			      &err) ||
	    !cjose_header_set(b->hdr, CJOSE_HDR_KID, KID, &err) ||
	    !cjose_header_set(b->hdr, "cty", ESPRIM_CTY_REQUEST, &err) ||
	    !cjose_header_set(b->hdr, "ori", "o1", &err) ||
	    !cjose_header_set(b->hdr, "rri", "r1", &err))
		die("cjose set-up");
	b->cjose_obj = strdup(b->obj);

	b->enc = EVP_CIPHER_CTX_new();
	b->dec = EVP_CIPHER_CTX_new();
	if (!EVP_EncryptInit_ex(b->enc, EVP_aes_256_gcm(), NULL, key, NULL) ||
	    !EVP_DecryptInit_ex(b->dec, EVP_aes_256_gcm(), NULL, key, NULL))
		die("OpenSSL set-up");
}

static void bench_teardown(struct bench *b)
{
	esprim_ctx_free(b->tx);
	esprim_ctx_free(b->rx);
	esprim_ctx_free(b->rx_from);
	cjose_jwk_release(b->jwk);
	cjose_header_release(b->hdr);
	EVP_CIPHER_CTX_free(b->enc);
	EVP_CIPHER_CTX_free(b->dec);
	free(b->cjose_obj);
	free(b->text);
	free(b->out);
	free(b->obj);
	free(b->ct);
	free(b->opened);
}

__attribute__((noinline)) static void loop_esprim_seal(struct bench *b,
						       long n)
{
	size_t len;

	while (n--) {
		if (esprim_seal(b->s, b->text, b->size, b->obj,
				2 * b->size + 4096, &len, NULL))
			die("esprim_seal");
		sink += len;
	}
}

__attribute__((noinline)) static void loop_esprim_open(struct bench *b,
						       long n)
{
	while (n--) {
		if (esprim_open(b->rx, b->obj, b->obj_len, b->out, b->size,
				b->opened, NULL))
			die("esprim_open");
		sink += b->opened->text_len;
	}
}

__attribute__((noinline)) static void loop_esprim_openfr(struct bench *b,
							 long n)
{
	while (n--) {
		if (esprim_open(b->rx_from, b->obj, b->obj_len, b->out,
				b->size, b->opened, NULL))
			die("esprim_open with the From check");
		sink += b->opened->text_len;
	}
}

__attribute__((noinline)) static void loop_cjose_seal(struct bench *b, long n)
{
	cjose_jwe_t *jwe;
	cjose_err err;
	char *s;

	while (n--) {
		jwe = cjose_jwe_encrypt(b->jwk, b->hdr, b->text, b->size, &err);
		s = jwe ? cjose_jwe_export(jwe, &err) : NULL;
		if (!s)
			die("cjose_jwe_encrypt");
		sink += strlen(s);
		free(s);
		cjose_jwe_release(jwe);
	}
}

__attribute__((noinline)) static void loop_cjose_open(struct bench *b, long n)
{
	cjose_jwe_t *jwe;
	cjose_err err;
	uint8_t *pt;
	size_t len;

	while (n--) {
		jwe = cjose_jwe_import(b->cjose_obj, strlen(b->cjose_obj), &err);
		pt = jwe ? cjose_jwe_decrypt(jwe, b->jwk, &len, &err) : NULL;
		if (!pt)
			die("cjose_jwe_decrypt");
		sink += len;
		free(pt);
		cjose_jwe_release(jwe);
	}
}

__attribute__((noinline)) static void loop_raw_seal(struct bench *b, long n)
{
	int len;

	while (n--) {
		b->iv[11]++;
		if (!EVP_EncryptInit_ex(b->enc, NULL, NULL, NULL, b->iv) ||
		    !EVP_EncryptUpdate(b->enc, b->ct, &len, b->text,
				       (int)b->size) ||
		    !EVP_EncryptFinal_ex(b->enc, b->ct + len, &len) ||
		    !EVP_CIPHER_CTX_ctrl(b->enc, EVP_CTRL_GCM_GET_TAG, 16,
					 b->tag))
			die("AES-GCM");
		sink += b->tag[0];
	}
}

__attribute__((noinline)) static void loop_raw_open(struct bench *b, long n)
{
	int len;

	while (n--) {
		if (!EVP_DecryptInit_ex(b->dec, NULL, NULL, NULL, b->iv) ||
		    !EVP_DecryptUpdate(b->dec, b->out, &len, b->ct,
				       (int)b->size) ||
		    !EVP_CIPHER_CTX_ctrl(b->dec, EVP_CTRL_GCM_SET_TAG, 16,
					 b->tag) ||
		    EVP_DecryptFinal_ex(b->dec, b->out + len, &len) <= 0)
			die("AES-GCM open");
		sink += b->out[0];
	}
}

static const struct {
	const char *impl, *op;
	void (*loop)(struct bench *b, long n);
} loops[] = {
	{ "esprim", "seal", loop_esprim_seal },
	{ "esprim", "open", loop_esprim_open },
	{ "esprim", "openfr", loop_esprim_openfr },
	{ "cjose", "seal", loop_cjose_seal },
	{ "cjose", "open", loop_cjose_open },
	{ "raw", "seal", loop_raw_seal },
	{ "raw", "open", loop_raw_open },
};

#define NLOOPS (sizeof(loops) / sizeof(loops[0]))

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of 7 timed runs of n operations, in ns per operation. */
static double time_loop(void (*loop)(struct bench *b, long n),
			struct bench *b, long n)
{
	double t[7], start;
	int i;

	loop(b, n / 10 + 1);	/* warm caches and the header cache */
	for (i = 0; i < 7; i++) {
		start = now_ns();
		loop(b, n);
		t[i] = (now_ns() - start) / n;
	}
	qsort(t, 7, sizeof(t[0]), cmp_double);
	return t[3];
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 && strcmp(argv[1], "--one") ?
			  atol(argv[1]) : 20000;
	double ns[NLOOPS];
	struct bench b;
	size_t i, j;

	if (argc == 6 && !strcmp(argv[1], "--one")) {
		bench_setup(&b, strtoul(argv[4], NULL, 0));
		for (j = 0; j < NLOOPS; j++)
			if (!strcmp(loops[j].impl, argv[2]) &&
			    !strcmp(loops[j].op, argv[3]))
				break;
		if (j == NLOOPS)
			die("unknown IMPL or OP");
		loop_raw_seal(&b, 1);	/* what the raw open verifies */
		loops[j].loop(&b, atol(argv[5]));
		bench_teardown(&b);
		return 0;
	}
	printf("# median of 7 runs of %ld operations, ns per operation\n",
	       iterations);
	printf("%6s %10s %10s %10s %10s %10s %10s %10s %8s %8s\n", "bytes",
	       "esprim-sl", "esprim-op", "es-op+fr", "cjose-sl", "cjose-op",
	       "raw-sl", "raw-op", "cjose/es", "es/raw");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bench_setup(&b, sizes[i]);
		for (j = 0; j < NLOOPS; j++)
			ns[j] = time_loop(loops[j].loop, &b,
					  loops[j].loop == loop_cjose_seal ||
					  loops[j].loop == loop_cjose_open ?
					  iterations / 10 : iterations);
		printf("%6zu %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %7.1fx %7.2fx\n",
		       sizes[i], ns[0], ns[1], ns[2], ns[3], ns[4], ns[5],
		       ns[6], ns[3] / ns[0], ns[0] / ns[5]);
		bench_teardown(&b);
	}
	return 0;
}
