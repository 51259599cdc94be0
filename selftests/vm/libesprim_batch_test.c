// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim's batches on the kernel backend in the VM: esprim_seal_batch
 * and esprim_open_batch go to the module's generic netlink family (SEAL
 * and OPEN requests of up to ONEM2M_ESPRIM_BATCH_MAX_ITEMS items), single
 * operations to the template over AF_ALG, and both reach the same session
 * state.
 *
 *   - a batch seals the same bytes as the soft backend with the same IVs,
 *     and opens on both backends; items too large for a netlink
 *     attribute go over AF_ALG inside the batch, in order;
 *   - a batch of mixed items ends each item with the RSC or error that
 *     esprim_open() / esprim_seal() one by one gives (the soft backend is
 *     the reference), kernel errnos included (revoked keys, replays);
 *   - batches larger than 256 items, or than 256 KiB, are split, the IVs
 *     following item order;
 *   - singles and batches interleave on one session.
 *
 * Every test has rand objects of its own, so its session keys are new:
 * the kernel keeps one session state per key on the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <keyutils.h>
#include <linux/onem2m_esprim_netlink.h>

#include "kselftest_harness.h"
#include "esprim.h"
#include "../lib/iv.h"

#define KID	"13-gw1.example.net"
#define PEER	"Cgw1"

struct pair {
	struct esprim_rand *rro, *oro;
};

struct side {
	struct esprim_ctx *ctx;
	struct esprim_session *s;
};

static int pair_new(struct pair *p)
{
	int64_t expiry = esprim_now_ms() + 3600000;

	p->rro = p->oro = NULL;
	return esprim_rand_new_receiver(&p->rro, NULL, 0, expiry,
					ESPRIM_ESPA_ALL, NULL) ?:
	       esprim_rand_new_originator(&p->oro, p->rro, NULL, expiry,
					  ESPRIM_ESPA_ALL, NULL);
}

static void pair_free(struct pair *p)
{
	esprim_rand_free(p->rro);
	esprim_rand_free(p->oro);
}

/* An originator sealing enc, or a receiver (rro its own, oro learnt). */
static int side_new(struct side *d, enum esprim_backend_kind backend,
		    const struct pair *p, enum onem2m_esprim_enc enc,
		    bool originator)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	uint8_t key[32];
	int i, rc;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xa0 + i);
	cfg.backend = backend;
	pc.kid = KID;
	pc.key = key;
	pc.key_len = sizeof(key);
	pc.peer = PEER;
	d->s = NULL;
	rc = esprim_ctx_new(&d->ctx, &cfg, NULL) ?:
	     esprim_ctx_add_pairwise(d->ctx, &pc, NULL);
	if (rc || !originator)
		return rc ?: esprim_ctx_add_own_rand(d->ctx, p->rro, NULL) ?:
		       esprim_ctx_add_learnt_rand(d->ctx, KID, p->oro, NULL);
	sc.kid = KID;
	sc.rro = p->rro;
	sc.oro = p->oro;
	sc.enc = enc;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	return esprim_session_new(d->ctx, &sc, &d->s, NULL);
}

static void side_free(struct side *d)
{
	esprim_session_put(d->s);
	esprim_ctx_free(d->ctx);
}

/* A JSON request of exactly len bytes (at least 32) from fr. */
static char *request(size_t len, const char *fr, unsigned int seed)
{
	char *p = malloc(len > 32 ? len + 1 : 33);
	int n;

	memset(p, 'a' + seed % 26, len > 32 ? len : 32);
	n = sprintf(p, "{\"fr\":\"%.8s\",\"x\":\"", fr);
	p[n] = 'a' + seed % 26;
	memcpy(p + len - 2, "\"}", 2);
	p[len] = 0;
	return p;
}

/* The IV counter (and fixed field) of an object. */
static uint64_t object_counter(const char *obj, size_t len, uint32_t *fixed)
{
	struct esprim_compact c;
	uint8_t iv[12] = { 0 };

	if (esprim_compact_split(&c, obj, len, NULL))
		return UINT64_MAX;
	esprim_b64url_decode(c.part[2], c.len[2], iv, sizeof(iv));
	if (fixed)
		*fixed = iv_fixed(iv);
	return iv_counter(iv);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* n items sealing texts[i] into objects of their own. */
static struct esprim_batch_item *seal_items(struct esprim_session *s,
					    char **texts, const size_t *lens,
					    unsigned int n)
{
	struct esprim_batch_item *it = calloc(n, sizeof(*it));
	unsigned int i;

	for (i = 0; it && i < n; i++) {
		it[i].in = texts[i];
		it[i].in_len = lens[i];
		it[i].out_size = esprim_seal_size(s, lens[i] ? lens[i] : 1) + 1;
		it[i].out = malloc(it[i].out_size);
	}
	return it;
}

/* Items opening the objects the sealed items hold. */
static struct esprim_batch_item *open_items(const struct esprim_batch_item *sealed,
					    unsigned int n)
{
	struct esprim_batch_item *it = calloc(n, sizeof(*it));
	unsigned int i;

	for (i = 0; it && i < n; i++) {
		it[i].in = sealed[i].out;
		it[i].in_len = sealed[i].out_len;
		it[i].out_size = sealed[i].out_len;
		it[i].out = malloc(it[i].out_size + 1);
	}
	return it;
}

static void items_free(struct esprim_batch_item *it, unsigned int n)
{
	unsigned int i;

	for (i = 0; it && i < n; i++)
		free(it[i].out);
	free(it);
}

static void texts_free(char **t, unsigned int n)
{
	unsigned int i;

	for (i = 0; t && i < n; i++)
		free(t[i]);
	free(t);
}

/* Sizes across the netlink path and the AF_ALG one (over 64 KiB). */
static const size_t round_trip_sizes[] = { 32, 33, 100, 1000, 1024, 4096,
					   5000, 40000,
					   ONEM2M_ESPRIM_BATCH_MAX_TEXT,
					   ONEM2M_ESPRIM_BATCH_MAX_TEXT + 1,
					   70000, ONEM2M_ESPRIM_MAX_TEXT };

TEST(batch_round_trip_matches_soft)
{
	const unsigned int per = sizeof(round_trip_sizes) /
				 sizeof(round_trip_sizes[0]);
	const unsigned int n = 3 * per;
	struct esprim_batch_item *sealed, *opened, *sopened;
	struct side k, soft, rx, srx;
	size_t lens[3 * 12], len;
	uint64_t counter, first = 0;
	struct pair p;
	char **texts, *so;
	uint32_t fixed = 0;
	unsigned int i;
	int enc;

	ASSERT_EQ(12U, per);
	for (enc = 1; enc <= 3; enc++) {
		ASSERT_EQ(0, pair_new(&p));
		ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, &p, enc, true));
		ASSERT_EQ(0, side_new(&soft, ESPRIM_BACKEND_SOFT, &p, enc, true));
		ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, &p, 0, false));
		ASSERT_EQ(0, side_new(&srx, ESPRIM_BACKEND_SOFT, &p, 0, false));
		texts = calloc(n, sizeof(*texts));
		ASSERT_NE(NULL, texts);
		for (i = 0; i < n; i++) {
			lens[i] = round_trip_sizes[i % per];
			texts[i] = request(lens[i], PEER, i);
		}
		sealed = seal_items(k.s, texts, lens, n);
		ASSERT_NE(NULL, sealed);
		ASSERT_EQ(n, esprim_seal_batch(k.s, sealed, n));
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0, sealed[i].rsc) TH_LOG("item %u", i);
			counter = object_counter(sealed[i].out,
						 sealed[i].out_len, &fixed);
			if (!i)
				first = counter;
			/* In item order, whichever path an item took. */
			EXPECT_EQ(first + i, counter) TH_LOG("item %u", i);
			EXPECT_EQ(0U, fixed & ONEM2M_ESPRIM_IV_ROLE_BIT);
			/* The soft backend with that IV: the same bytes. */
			ASSERT_EQ(0, esprim_session_set_iv(soft.s, fixed,
							   counter, NULL));
			so = malloc(sealed[i].out_size);
			ASSERT_EQ(0, esprim_seal(soft.s, texts[i], lens[i], so,
						 sealed[i].out_size, &len,
						 NULL));
			EXPECT_EQ(sealed[i].out_len, len);
			EXPECT_EQ(0, memcmp(so, sealed[i].out, len))
				TH_LOG("enc %d item %u (%zu bytes) differs",
				       enc, i, lens[i]);
			free(so);
		}
		/* Opened on both backends, as a batch. */
		opened = open_items(sealed, n);
		sopened = open_items(sealed, n);
		ASSERT_TRUE(opened && sopened);
		EXPECT_EQ(n, esprim_open_batch(rx.ctx, opened, NULL, n));
		EXPECT_EQ(n, esprim_open_batch(srx.ctx, sopened, NULL, n));
		for (i = 0; i < n; i++) {
			EXPECT_EQ(0, opened[i].rsc) TH_LOG("item %u", i);
			EXPECT_EQ(lens[i], opened[i].out_len);
			EXPECT_EQ(0, memcmp(opened[i].out, texts[i], lens[i]));
			EXPECT_EQ(0, sopened[i].rsc) TH_LOG("item %u", i);
		}
		/* The whole batch again: every item a replay. */
		EXPECT_EQ(0U, esprim_open_batch(rx.ctx, opened, NULL, n));
		for (i = 0; i < n; i++)
			EXPECT_EQ(5210, opened[i].rsc) TH_LOG("item %u", i);
		items_free(opened, n);
		items_free(sopened, n);
		items_free(sealed, n);
		texts_free(texts, n);
		side_free(&k);
		side_free(&soft);
		side_free(&rx);
		side_free(&srx);
		pair_free(&p);
	}
}

/* A seal batch that only has small items uses netlink, not AF_ALG. */
TEST(batch_goes_over_netlink)
{
	struct esprim_batch_item *it;
	char *texts[8], obj[4096];
	size_t lens[8], n;
	struct side k;
	struct pair p;
	int fds, i;

	ASSERT_EQ(0, pair_new(&p));
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, &p,
			      ONEM2M_ESPRIM_ENC_A256GCM, true));
	for (i = 0; i < 8; i++) {
		lens[i] = 200;
		texts[i] = request(lens[i], PEER, i);
	}
	fds = count_fds();
	it = seal_items(k.s, texts, lens, 8);
	ASSERT_EQ(8U, esprim_seal_batch(k.s, it, 8));
	/* One netlink socket for the context, no AF_ALG tfm. */
	EXPECT_EQ(fds + 1, count_fds());
	ASSERT_EQ(8U, esprim_seal_batch(k.s, it, 8));
	EXPECT_EQ(fds + 1, count_fds());
	/* A single seal takes AF_ALG (cheaper for one item). */
	ASSERT_EQ(0, esprim_seal(k.s, texts[0], lens[0], obj, sizeof(obj), &n,
				 NULL));
	EXPECT_LT(fds + 1, count_fds());
	EXPECT_EQ(16U, object_counter(obj, n, NULL));
	items_free(it, 8);
	for (i = 0; i < 8; i++)
		free(texts[i]);
	side_free(&k);
	EXPECT_EQ(fds, count_fds());
	pair_free(&p);
}

/*
 * What a batch of mixed objects gives, item by item, is what the soft
 * backend gives opening them one by one.
 */
TEST(open_batch_mixed_failures_per_item)
{
	enum { N = 14 };
	struct esprim_batch_item it[N], sit[N];
	struct esprim_opened *res[N], *sres;
	char *objs[N], *texts[N], *other_obj, *orig1, *p;
	struct side k, rx, srx, other;
	unsigned int i, src[N];
	struct pair pp, po;
	size_t lens[N], n;
	int expect[N];

	ASSERT_EQ(0, pair_new(&pp));
	ASSERT_EQ(0, pair_new(&po));
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, &pp,
			      ONEM2M_ESPRIM_ENC_A128GCM, true));
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, &pp, 0, false));
	ASSERT_EQ(0, side_new(&srx, ESPRIM_BACKEND_SOFT, &pp, 0, false));
	/* A session whose receiver rand object rx does not hold. */
	ASSERT_EQ(0, side_new(&other, ESPRIM_BACKEND_KERNEL, &po,
			      ONEM2M_ESPRIM_ENC_A128GCM, true));
	for (i = 0; i < N; i++) {
		lens[i] = 300 + i;
		texts[i] = request(lens[i], i == 10 ? "Cother" : PEER, i);
		objs[i] = malloc(4096);
		ASSERT_EQ(0, esprim_seal(k.s, texts[i], lens[i], objs[i], 4096,
					 &n, NULL));
		res[i] = esprim_opened_new();
	}
	other_obj = malloc(4096);
	ASSERT_EQ(0, esprim_seal(other.s, texts[0], lens[0], other_obj, 4096,
				 &n, NULL));

	orig1 = strdup(objs[1]);
	for (i = 0; i < N; i++) {
		it[i] = (struct esprim_batch_item){
			.in = objs[i], .in_len = strlen(objs[i]),
			.out = malloc(lens[i] + 1), .out_size = lens[i],
		};
		expect[i] = 0;
		src[i] = i;
	}
	/* 1: a flipped tag character. */
	p = objs[1] + strlen(objs[1]) - 2;
	*p = *p == 'A' ? 'B' : 'A';
	expect[1] = 4115;
	/* 3: item 0 again, a replay. */
	it[3].in = objs[0];
	it[3].in_len = strlen(objs[0]);
	it[3].out_size = lens[0];
	expect[3] = 5210;
	/* 4: not five parts. */
	it[4].in_len = strlen(objs[4]) / 2;
	expect[4] = 4000;
	/* 5: an output buffer one byte short. */
	it[5].out_size = lens[5] - 1;
	expect[5] = -ENOBUFS;
	/* 6: a character outside base64url in the ciphertext. */
	p = strchr(strchr(strchr(objs[6], '.') + 1, '.') + 1, '.') + 3;
	*p = '*';
	expect[6] = 4000;
	/* 8: a receiver rand object rx does not hold. */
	it[8].in = other_obj;
	it[8].in_len = strlen(other_obj);
	it[8].out_size = lens[0];
	expect[8] = 4114;
	/* 10: From names someone else. */
	expect[10] = 4116;
	/* 12: item 1 as it was sealed: a bad tag changed no state. */
	it[12].in = orig1;
	it[12].in_len = strlen(orig1);
	it[12].out_size = lens[1];
	src[12] = 1;
	/* 13: item 7 again. */
	it[13].in = objs[7];
	it[13].in_len = strlen(objs[7]);
	it[13].out_size = lens[7];
	expect[13] = 5210;

	memcpy(sit, it, sizeof(it));
	for (i = 0; i < N; i++)
		sit[i].out = malloc(lens[i] + 1);
	EXPECT_EQ(6U, esprim_open_batch(rx.ctx, it, res, N));
	sres = esprim_opened_new();
	for (i = 0; i < N; i++) {
		sit[i].rsc = esprim_open(srx.ctx, sit[i].in, sit[i].in_len,
					 sit[i].out, sit[i].out_size, sres,
					 NULL);
		sit[i].out_len = esprim_opened_text_len(sres);
	}
	for (i = 0; i < N; i++) {
		EXPECT_EQ(expect[i], it[i].rsc) TH_LOG("item %u", i);
		EXPECT_EQ(sit[i].rsc, it[i].rsc) TH_LOG("item %u", i);
		EXPECT_EQ(sit[i].out_len, it[i].out_len) TH_LOG("item %u", i);
		if (it[i].rsc)
			continue;
		EXPECT_EQ(lens[src[i]], it[i].out_len);
		EXPECT_EQ(0, memcmp(it[i].out, texts[src[i]], lens[src[i]]))
			TH_LOG("item %u", i);
		EXPECT_STREQ(KID, esprim_opened_kid(res[i]));
		EXPECT_STREQ(PEER, esprim_opened_peer(res[i]));
		EXPECT_EQ(ONEM2M_ESPRIM_ROLE_RECEIVER,
			  esprim_opened_role(res[i]));
		/* The first object of the session set it up. */
		EXPECT_EQ(i != 0, esprim_opened_header_cached(res[i]));
	}
	for (i = 0; i < N; i++) {
		free(it[i].out);
		free(sit[i].out);
		free(objs[i]);
		free(texts[i]);
		esprim_opened_free(res[i]);
	}
	esprim_opened_free(sres);
	free(other_obj);
	free(orig1);
	side_free(&k);
	side_free(&rx);
	side_free(&srx);
	side_free(&other);
	pair_free(&pp);
	pair_free(&po);
}

/* A session key of the context by description, from the process keyring. */
static key_serial_t find_session_key(const struct pair *p)
{
	char desc[512];

	snprintf(desc, sizeof(desc), "session:%s:%s:%s", KID,
		 esprim_rand_id(p->oro), esprim_rand_id(p->rro));
	return keyctl_search(KEY_SPEC_PROCESS_KEYRING, "esprim", desc, 0);
}

/*
 * Sealing items refused before the kernel, and items the kernel refuses
 * (a revoked session key), end as esprim_seal() ends them one by one.
 */
TEST(seal_batch_mixed_failures_per_item)
{
	enum { N = 6 };
	struct esprim_batch_item it[N], sit[N];
	struct side k, soft, rx;
	struct esprim_opened *o;
	char *texts[N], obj[4096], out[512];
	size_t lens[N], n;
	key_serial_t key;
	struct pair p;
	unsigned int i;

	ASSERT_EQ(0, pair_new(&p));
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, &p,
			      ONEM2M_ESPRIM_ENC_A256GCM, true));
	ASSERT_EQ(0, side_new(&soft, ESPRIM_BACKEND_SOFT, &p,
			      ONEM2M_ESPRIM_ENC_A256GCM, true));
	for (i = 0; i < N; i++) {
		lens[i] = 100;
		texts[i] = request(lens[i], PEER, i);
	}
	lens[1] = 0;					/* -EINVAL */
	lens[3] = ONEM2M_ESPRIM_MAX_TEXT + 1;		/* -EINVAL */
	for (i = 0; i < N; i++)
		it[i] = (struct esprim_batch_item){
			.in = texts[i], .in_len = lens[i],
			.out = malloc(4096), .out_size = 4096,
		};
	it[3].in = calloc(1, lens[3]);
	it[4].out_size = 50;				/* -ENOBUFS */
	memcpy(sit, it, sizeof(it));
	for (i = 0; i < N; i++)
		sit[i].out = malloc(4096);
	EXPECT_EQ(3U, esprim_seal_batch(k.s, it, N));
	EXPECT_EQ(3U, esprim_seal_batch(soft.s, sit, N));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(sit[i].rsc, it[i].rsc) TH_LOG("item %u", i);
		EXPECT_EQ(sit[i].out_len, it[i].out_len);
	}
	EXPECT_EQ(-EINVAL, it[1].rsc);
	EXPECT_EQ(-EINVAL, it[3].rsc);
	EXPECT_EQ(-ENOBUFS, it[4].rsc);
	EXPECT_EQ(0, it[5].rsc);

	/* The receiver opens them, then its session key is revoked. */
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, &p, 0, false));
	o = esprim_opened_new();
	EXPECT_EQ(0, esprim_open(rx.ctx, it[0].out, it[0].out_len, out,
				 sizeof(out), o, NULL));
	esprim_opened_free(o);
	side_free(&rx);

	/* The kernel refuses every item of a revoked key: 4113, as AF_ALG. */
	key = find_session_key(&p);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, keyctl_revoke(key));
	EXPECT_EQ(0U, esprim_seal_batch(k.s, it, N));
	EXPECT_EQ(4113, it[0].rsc);
	EXPECT_EQ(-EINVAL, it[1].rsc);
	EXPECT_EQ(4113, it[2].rsc);
	EXPECT_EQ(-ENOBUFS, it[4].rsc);
	EXPECT_EQ(4113, it[5].rsc);
	EXPECT_EQ(4113, esprim_seal(k.s, texts[0], lens[0], obj, sizeof(obj),
				    &n, NULL));
	for (i = 0; i < N; i++) {
		free(it[i].out);
		free(sit[i].out);
		free(texts[i]);
	}
	free((void *)it[3].in);
	side_free(&k);
	side_free(&soft);
	pair_free(&p);
}

/* An open batch on a revoked receiver session key: 4112, as AF_ALG. */
TEST(open_batch_revoked_key)
{
	enum { N = 5 };
	struct esprim_batch_item it[N];
	struct esprim_opened *o;
	char *objs[N], *text, out[512];
	struct side k, rx;
	key_serial_t key;
	struct pair p;
	unsigned int i;
	size_t n;

	ASSERT_EQ(0, pair_new(&p));
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_SOFT, &p,
			      ONEM2M_ESPRIM_ENC_A256GCM, true));
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, &p, 0, false));
	text = request(100, PEER, 0);
	for (i = 0; i < N; i++) {
		objs[i] = malloc(4096);
		ASSERT_EQ(0, esprim_seal(k.s, text, 100, objs[i], 4096, &n,
					 NULL));
		it[i] = (struct esprim_batch_item){
			.in = objs[i], .in_len = n,
			.out = malloc(100), .out_size = 100,
		};
	}
	/* The first sets the session up (and its key) and is cached. */
	o = esprim_opened_new();
	EXPECT_EQ(0, esprim_open(rx.ctx, objs[0], it[0].in_len, out,
				 sizeof(out), o, NULL));
	esprim_opened_free(o);
	key = find_session_key(&p);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, keyctl_revoke(key));
	EXPECT_EQ(0U, esprim_open_batch(rx.ctx, it + 1, NULL, N - 1));
	for (i = 1; i < N; i++)
		EXPECT_EQ(4112, it[i].rsc) TH_LOG("item %u", i);
	for (i = 0; i < N; i++) {
		free(it[i].out);
		free(objs[i]);
	}
	free(text);
	side_free(&k);
	side_free(&rx);
	pair_free(&p);
}

/* Batches beyond 256 items or 256 KiB are split, IVs in item order. */
TEST(batch_larger_than_a_request_is_split)
{
	static const struct {
		unsigned int n;
		size_t len;
	} shapes[] = {
		{ 600, 1000 },		/* 3 requests by count */
		{ 150, 4000 },		/* 3 by bytes (600 KB) */
		{ 257, 40 },		/* 256 + 1 */
	};
	struct esprim_batch_item *sealed, *opened;
	struct side k, rx;
	unsigned int i, s;
	uint64_t first = 0;
	struct pair p;
	size_t *lens;
	char **texts;

	for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		unsigned int n = shapes[s].n;

		ASSERT_EQ(0, pair_new(&p));
		ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, &p,
				      ONEM2M_ESPRIM_ENC_A256GCM, true));
		ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, &p, 0,
				      false));
		texts = calloc(n, sizeof(*texts));
		lens = calloc(n, sizeof(*lens));
		ASSERT_TRUE(texts && lens);
		for (i = 0; i < n; i++) {
			lens[i] = shapes[s].len;
			texts[i] = request(lens[i], PEER, i);
		}
		sealed = seal_items(k.s, texts, lens, n);
		ASSERT_EQ(n, esprim_seal_batch(k.s, sealed, n));
		for (i = 0; i < n; i++) {
			uint64_t c = object_counter(sealed[i].out,
						    sealed[i].out_len, NULL);

			if (!i)
				first = c;
			EXPECT_EQ(first + i, c) TH_LOG("%u x %zu: item %u", n,
						      shapes[s].len, i);
		}
		opened = open_items(sealed, n);
		EXPECT_EQ(n, esprim_open_batch(rx.ctx, opened, NULL, n));
		for (i = 0; i < n; i++) {
			EXPECT_EQ(0, opened[i].rsc) TH_LOG("item %u", i);
			EXPECT_EQ(0, memcmp(opened[i].out, texts[i], lens[i]));
		}
		items_free(opened, n);
		items_free(sealed, n);
		texts_free(texts, n);
		free(lens);
		side_free(&k);
		side_free(&rx);
		pair_free(&p);
	}
}

/* Singles (AF_ALG) and batches (netlink) share the session state. */
TEST(singles_and_batches_share_the_session)
{
	struct esprim_batch_item *b1, *b2, *o1, *o2;
	struct esprim_opened *o = esprim_opened_new();
	char *texts[4], obj1[2048], obj2[2048], out[512];
	size_t lens[4] = { 100, 200, 300, 400 }, n1, n2;
	struct side k, rx;
	unsigned int i;
	struct pair p;

	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, pair_new(&p));
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, &p,
			      ONEM2M_ESPRIM_ENC_A192GCM, true));
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, &p, 0, false));
	for (i = 0; i < 4; i++)
		texts[i] = request(lens[i], PEER, i);
	ASSERT_EQ(0, esprim_seal(k.s, texts[0], lens[0], obj1, sizeof(obj1),
				 &n1, NULL));
	b1 = seal_items(k.s, texts, lens, 4);
	ASSERT_EQ(4U, esprim_seal_batch(k.s, b1, 4));
	ASSERT_EQ(0, esprim_seal(k.s, texts[1], lens[1], obj2, sizeof(obj2),
				 &n2, NULL));
	b2 = seal_items(k.s, texts, lens, 4);
	ASSERT_EQ(4U, esprim_seal_batch(k.s, b2, 4));
	EXPECT_EQ(0U, object_counter(obj1, n1, NULL));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1U + i, object_counter(b1[i].out, b1[i].out_len,
						 NULL));
		EXPECT_EQ(6U + i, object_counter(b2[i].out, b2[i].out_len,
						 NULL));
	}
	EXPECT_EQ(5U, object_counter(obj2, n2, NULL));

	/* Opened one way, refused as a replay the other. */
	EXPECT_EQ(0, esprim_open(rx.ctx, obj1, n1, out, sizeof(out), o, NULL));
	o1 = open_items(b1, 4);
	EXPECT_EQ(4U, esprim_open_batch(rx.ctx, o1, NULL, 4));
	EXPECT_EQ(5210, esprim_open(rx.ctx, b1[2].out, b1[2].out_len, out,
				    sizeof(out), o, NULL));
	o2 = open_items(b2, 4);
	o2[1].in = obj1;
	o2[1].in_len = n1;
	EXPECT_EQ(3U, esprim_open_batch(rx.ctx, o2, NULL, 4));
	EXPECT_EQ(5210, o2[1].rsc);
	EXPECT_EQ(0, esprim_open(rx.ctx, obj2, n2, out, sizeof(out), o, NULL));
	EXPECT_EQ(0, memcmp(out, texts[1], lens[1]));
	items_free(o1, 4);
	items_free(o2, 4);
	items_free(b1, 4);
	items_free(b2, 4);
	for (i = 0; i < 4; i++)
		free(texts[i]);
	esprim_opened_free(o);
	side_free(&k);
	side_free(&rx);
	pair_free(&p);
}

TEST_HARNESS_MAIN
