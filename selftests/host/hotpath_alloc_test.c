// SPDX-License-Identifier: GPL-2.0
/*
 * The hot path allocates nothing: after a session's first messages,
 * sealing, opening (the header cache hit, the From check included, by the
 * library or by the caller) and batches make no call to malloc, calloc or
 * realloc, in libesprim or in the libraries below it (OpenSSL, jansson).
 * The test interposes the allocator for the whole process and counts calls
 * inside the measured loops.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "esprim.h"

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);

static bool counting;
static unsigned long allocations;

void *malloc(size_t size)
{
	allocations += counting;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	allocations += counting;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	allocations += counting;
	return __libc_realloc(p, size);
}

#define KID	"13-gw1.example.net"
#define PEER	"Cgw1"
#define N	500

struct hot {
	struct esprim_ctx *tx, *rx;
	struct esprim_session *s;
	struct esprim_rand *rro, *oro;
	struct esprim_opened *opened;
	char (*objs)[4096];
	size_t lens[N];
	char text[1024];
};

/*
 * The receiver holds the rand object it issued (own) and the originator's
 * (learnt under the key); the originator does not announce, so every
 * object carries the same header.  caller_checks: the receiver leaves the
 * From check to the caller (ESPRIM_FROM_UNCHECKED), else makes it itself.
 */
static int hot_setup(struct hot *h, bool caller_checks)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	static const uint8_t pw[32] = { 7 };
	int rc;

	memset(h, 0, sizeof(*h));
	memset(h->text, 'x', sizeof(h->text));
	memcpy(h->text, "{\"fr\":\"" PEER "\",\"x\":\"", 18);
	memcpy(h->text + sizeof(h->text) - 2, "\"}", 2);
	h->objs = malloc(N * sizeof(*h->objs));
	h->opened = esprim_opened_new();
	if (!h->objs || !h->opened)
		return -1;
	cfg.backend = ESPRIM_BACKEND_SOFT;
	pc.kid = KID;
	pc.key = pw;
	pc.key_len = sizeof(pw);
	pc.peer = PEER;
	rc = esprim_rand_new_receiver(&h->rro, NULL, 0,
				      esprim_now_ms() + 60000,
				      ESPRIM_ESPA_ALL, NULL);
	rc = rc ?: esprim_rand_new_originator(&h->oro, h->rro, NULL,
					      esprim_now_ms() + 60000,
					      ESPRIM_ESPA_ALL, NULL);
	rc = rc ?: esprim_ctx_new(&h->tx, &cfg, NULL);
	cfg.caller_checks_from = caller_checks;
	rc = rc ?: esprim_ctx_new(&h->rx, &cfg, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(h->tx, &pc, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(h->rx, &pc, NULL);
	rc = rc ?: esprim_ctx_add_own_rand(h->rx, h->rro, NULL);
	rc = rc ?: esprim_ctx_add_learnt_rand(h->rx, KID, h->oro, NULL);
	sc.kid = KID;
	sc.rro = h->rro;
	sc.oro = h->oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	sc.announce = ESPRIM_ANNOUNCE_NEVER;
	return rc ?: esprim_session_new(h->tx, &sc, &h->s, NULL);
}

static void hot_free(struct hot *h)
{
	esprim_opened_free(h->opened);
	esprim_ctx_free(h->tx);
	esprim_ctx_free(h->rx);
	esprim_rand_free(h->rro);
	esprim_rand_free(h->oro);
	free(h->objs);
}

/* Opens objs[i]; what the From check gives back is checked by the caller. */
static int hot_open(struct hot *h, int i, char *out, size_t size,
		    bool caller_checks)
{
	int rc = esprim_open(h->rx, h->objs[i], h->lens[i], out, size,
			     h->opened, NULL);

	if (caller_checks && rc == ESPRIM_FROM_UNCHECKED)
		rc = esprim_opened_check_from(h->opened, PEER,
					      strlen(PEER), NULL);
	else if (caller_checks)
		rc = rc ?: -1;	/* the caller's check was not asked for */
	return rc;
}

static void seal_and_open(struct __test_metadata *_metadata,
			  bool caller_checks)
{
	char out[1024];
	struct hot h;
	int i;

	ASSERT_EQ(0, hot_setup(&h, caller_checks));
	/* First messages: session state, scratch and caches get sized. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, esprim_seal(h.s, h.text, sizeof(h.text), h.objs[i],
					 sizeof(h.objs[i]), &h.lens[i], NULL));
		ASSERT_EQ(0, hot_open(&h, i, out, sizeof(out), caller_checks));
	}

	allocations = 0;
	counting = true;
	for (i = 2; i < N; i++)
		ASSERT_EQ(0, esprim_seal(h.s, h.text, sizeof(h.text), h.objs[i],
					 sizeof(h.objs[i]), &h.lens[i], NULL));
	counting = false;
	EXPECT_EQ(0UL, allocations);

	allocations = 0;
	counting = true;
	for (i = 2; i < N; i++) {
		ASSERT_EQ(0, hot_open(&h, i, out, sizeof(out), caller_checks));
		ASSERT_TRUE(esprim_opened_header_cached(h.opened));
		ASSERT_EQ(sizeof(h.text), esprim_opened_text_len(h.opened));
	}
	counting = false;
	EXPECT_EQ(0UL, allocations);
	EXPECT_EQ(0, memcmp(out, h.text, sizeof(h.text)));
	hot_free(&h);
}

/* The library's From check (esprim_check_from) on every request. */
TEST(seal_and_open_allocate_nothing)
{
	seal_and_open(_metadata, false);
}

/* caller_checks_from: ESPRIM_FROM_UNCHECKED, then esprim_opened_check_from. */
TEST(seal_and_open_caller_from_check_allocate_nothing)
{
	seal_and_open(_metadata, true);
}

TEST(batches_allocate_nothing)
{
	struct esprim_batch_item in[16], out[16];
	char texts[16][1024];
	struct hot h;
	int i;

	ASSERT_EQ(0, hot_setup(&h, false));
	for (i = 0; i < 16; i++) {
		in[i] = (struct esprim_batch_item){
			.in = h.text, .in_len = sizeof(h.text),
			.out = h.objs[i], .out_size = sizeof(h.objs[i]) };
		out[i] = (struct esprim_batch_item){
			.in = h.objs[i], .out = texts[i],
			.out_size = sizeof(texts[i]) };
	}
	ASSERT_EQ(16U, esprim_seal_batch(h.s, in, 16));
	for (i = 0; i < 16; i++)
		out[i].in_len = in[i].out_len;
	ASSERT_EQ(16U, esprim_open_batch(h.rx, out, NULL, 16));

	allocations = 0;
	counting = true;
	ASSERT_EQ(16U, esprim_seal_batch(h.s, in, 16));
	for (i = 0; i < 16; i++)
		out[i].in_len = in[i].out_len;
	ASSERT_EQ(16U, esprim_open_batch(h.rx, out, NULL, 16));
	counting = false;
	EXPECT_EQ(0UL, allocations);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, out[i].rsc);
		EXPECT_EQ(sizeof(h.text), out[i].out_len);
	}
	hot_free(&h);
}

/*
 * What is not the steady state allocates: a new header is parsed with
 * jansson and a new session set up.  Seeing those allocations shows the
 * counter works, so the zeros above mean something.
 */
TEST(session_setup_allocates)
{
	char out[1024];
	struct hot h;

	ASSERT_EQ(0, hot_setup(&h, false));
	ASSERT_EQ(0, esprim_seal(h.s, h.text, sizeof(h.text), h.objs[0],
				 sizeof(h.objs[0]), &h.lens[0], NULL));
	allocations = 0;
	counting = true;
	ASSERT_EQ(0, hot_open(&h, 0, out, sizeof(out), false));
	counting = false;
	EXPECT_FALSE(esprim_opened_header_cached(h.opened));
	EXPECT_LE(3UL, allocations);
	TH_LOG("%lu allocations for the first open of a session",
	       allocations);
	hot_free(&h);
}

TEST_HARNESS_MAIN
