// SPDX-License-Identifier: GPL-2.0
/*
 * The hot path allocates nothing: after a session's first messages,
 * sealing, opening (the header cache hit) and batches make no call to
 * malloc, calloc or realloc, in libesprim or in the libraries below it
 * (OpenSSL, jansson).  The test interposes the allocator for the whole
 * process and counts calls inside the measured loops.
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
#define N	500

struct hot {
	struct esprim_ctx *tx, *rx;
	struct esprim_session *s;
	char (*objs)[4096];
	size_t lens[N];
	char text[1024];
};

static int hot_setup(struct hot *h, bool peer)
{
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_SOFT };
	struct esprim_rand rro, oro;
	uint8_t pw[32] = { 7 };
	int rc;

	memset(h->text, 'x', sizeof(h->text));
	memcpy(h->text, "{\"fr\":\"Cgw1\",\"x\":\"", 18);
	memcpy(h->text + sizeof(h->text) - 2, "\"}", 2);
	h->objs = malloc(N * sizeof(*h->objs));
	rc = esprim_rand_new_receiver(&rro, "r1", esprim_now_ms() + 60000,
				      0xe, NULL);
	rc = rc ?: esprim_rand_new_originator(&oro, &rro, "o1",
					      esprim_now_ms() + 60000, 0xe,
					      NULL);
	rc = rc ?: esprim_ctx_new(&h->tx, &cfg, NULL);
	rc = rc ?: esprim_ctx_new(&h->rx, &cfg, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(h->tx, KID, pw, 32, NULL, 0, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(h->rx, KID, pw, 32,
					   peer ? "Cgw1" : NULL, 0, NULL);
	rc = rc ?: esprim_ctx_add_rand(h->rx, &rro, NULL);
	rc = rc ?: esprim_ctx_add_rand(h->rx, &oro, NULL);
	return rc ?: esprim_session_new(h->tx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM }, &h->s, NULL);
}

static void hot_free(struct hot *h)
{
	esprim_ctx_free(h->tx);
	esprim_ctx_free(h->rx);
	free(h->objs);
}

TEST(seal_and_open_allocate_nothing)
{
	struct esprim_opened opened;
	char out[1024];
	struct hot h;
	int i;

	ASSERT_EQ(0, hot_setup(&h, false));
	/* First messages: session state, scratch and caches get sized. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, esprim_seal(h.s, h.text, sizeof(h.text), h.objs[i],
					 sizeof(h.objs[i]), &h.lens[i], NULL));
		ASSERT_EQ(0, esprim_open(h.rx, h.objs[i], h.lens[i], out,
					 sizeof(out), &opened, NULL));
	}

	counting = true;
	for (i = 2; i < N; i++)
		ASSERT_EQ(0, esprim_seal(h.s, h.text, sizeof(h.text), h.objs[i],
					 sizeof(h.objs[i]), &h.lens[i], NULL));
	counting = false;
	EXPECT_EQ(0UL, allocations);

	counting = true;
	for (i = 2; i < N; i++) {
		ASSERT_EQ(0, esprim_open(h.rx, h.objs[i], h.lens[i], out,
					 sizeof(out), &opened, NULL));
		ASSERT_TRUE(opened.header_cached);
	}
	counting = false;
	EXPECT_EQ(0UL, allocations);
	hot_free(&h);
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
	ASSERT_EQ(16U, esprim_open_batch(h.rx, out, 16));

	counting = true;
	ASSERT_EQ(16U, esprim_seal_batch(h.s, in, 16));
	for (i = 0; i < 16; i++)
		out[i].in_len = in[i].out_len;
	ASSERT_EQ(16U, esprim_open_batch(h.rx, out, 16));
	counting = false;
	EXPECT_EQ(0UL, allocations);
	hot_free(&h);
}

/*
 * The From check is the one step that allocates: jansson parses the inner
 * request.  Seeing those allocations also shows the counter works, so the
 * zeros above mean something.
 */
TEST(from_check_allocates_in_jansson)
{
	struct esprim_opened opened;
	char out[1024];
	struct hot h;
	int i;

	ASSERT_EQ(0, hot_setup(&h, true));
	for (i = 0; i < 12; i++)
		ASSERT_EQ(0, esprim_seal(h.s, h.text, sizeof(h.text), h.objs[i],
					 sizeof(h.objs[i]), &h.lens[i], NULL));
	ASSERT_EQ(0, esprim_open(h.rx, h.objs[0], h.lens[0], out, sizeof(out),
				 &opened, NULL));
	counting = true;
	for (i = 1; i < 11; i++)
		ASSERT_EQ(0, esprim_open(h.rx, h.objs[i], h.lens[i], out,
					 sizeof(out), &opened, NULL));
	counting = false;
	EXPECT_LE(10UL, allocations);
	TH_LOG("%lu allocations per open with the From check",
	       allocations / 10);
	hot_free(&h);
}

TEST_HARNESS_MAIN
