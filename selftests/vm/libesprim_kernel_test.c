// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim's kernel backend in the VM: session keys in the keyring,
 * sealing and opening through onem2m-esprim(gcm(aes)) over AF_ALG.
 *
 * The differential test: an object the kernel backend seals and the one
 * the soft backend seals with the same key, IV and input are the same
 * bytes, for every enc and for sizes across libkcapi's one-shot and
 * stream paths.  Objects cross between the backends both ways.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "esprim.h"
#include "../lib/iv.h"
#include "../lib/scale.h"

#define KID	"13-gw1.example.net"
#define PEER	"Cgw1"
#define RRO	"{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\"," \
		"\"esrv\":\"AAECAwQFBgcICQoLDA0ODw\",\"esrx\":\"20991231T235959\"}"
#define ORO	"{\"esk\":1,\"espa\":[10,11,12],\"esri\":\"o1\"," \
		"\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":\"20991231T235959\"}"

static const size_t sizes[] = { 0, 1, 100, 1024, 5000, 70000,
				 ONEM2M_ESPRIM_MAX_TEXT };

struct side {
	struct esprim_ctx *ctx;
	struct esprim_session *s;
};

static int side_new(struct side *d, enum esprim_backend_kind backend,
		    enum onem2m_esprim_enc enc, bool originator)
{
	struct esprim_ctx_config cfg = { .backend = backend };
	struct esprim_rand rro, oro;
	uint8_t key[32];
	int i, rc;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xa0 + i);
	d->s = NULL;
	rc = esprim_rand_parse(&rro, RRO, strlen(RRO), true, 0, NULL);
	rc = rc ?: esprim_rand_parse(&oro, ORO, strlen(ORO), false, 0, NULL);
	rc = rc ?: esprim_ctx_new(&d->ctx, &cfg, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(d->ctx, KID, key, 32, PEER, 0,
					   NULL);
	if (rc || !originator)
		return rc ?: esprim_ctx_add_rand(d->ctx, &rro, NULL) ?:
			esprim_ctx_add_rand(d->ctx, &oro, NULL);
	return esprim_session_new(d->ctx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro, .enc = enc,
		.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR }, &d->s, NULL);
}

/* A JSON request of exactly len bytes (the From check needs "fr"). */
static char *inner(size_t len)
{
	static const char head[] = "{\"fr\":\"" PEER "\",\"x\":\"";
	char *p = malloc(len + 1);

	memset(p, 'a', len);
	if (len >= sizeof(head) + 1) {
		memcpy(p, head, sizeof(head) - 1);
		memcpy(p + len - 2, "\"}", 2);
	}
	p[len] = 0;
	return p;
}

/* The IV the kernel chose, read back from the object. */
static void object_iv(const char *obj, uint32_t *fixed, uint64_t *counter)
{
	struct esprim_compact c;
	uint8_t iv[12];

	esprim_compact_split(&c, obj, strlen(obj), NULL);
	esprim_b64url_decode(c.part[2], c.len[2], iv);
	*fixed = iv_fixed(iv);
	*counter = iv_counter(iv);
}

TEST(kernel_and_soft_objects_are_byte_identical)
{
	struct esprim_error err = { 0 };
	struct side k, soft;
	size_t i, n, size;
	char *text, *ko, *so;
	uint32_t fixed;
	uint64_t counter;
	int enc;

	for (enc = 1; enc <= 3; enc++) {
		ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, enc, true));
		ASSERT_EQ(0, side_new(&soft, ESPRIM_BACKEND_SOFT, enc, true));
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			text = inner(sizes[i]);
			size = esprim_seal_size(k.s, sizes[i]) + 1;
			ko = malloc(size);
			so = malloc(size);
			ASSERT_EQ(0, esprim_seal(k.s, text, sizes[i], ko, size,
						 &n, &err)) TH_LOG("%s", err.msg);
			object_iv(ko, &fixed, &counter);
			EXPECT_EQ(i, counter);
			EXPECT_EQ(0U, fixed & ONEM2M_ESPRIM_IV_ROLE_BIT);
			ASSERT_EQ(0, esprim_session_set_iv(soft.s, fixed,
							   counter, NULL));
			ASSERT_EQ(0, esprim_seal(soft.s, text, sizes[i], so,
						 size, &n, NULL));
			EXPECT_EQ(0, strcmp(ko, so))
				TH_LOG("enc %d, %zu bytes differ", enc,
				       sizes[i]);
			free(text);
			free(ko);
			free(so);
		}
		/* The kernel owns its IVs. */
		EXPECT_EQ(4000, esprim_session_set_iv(k.s, 0, 0, NULL));
		esprim_ctx_free(k.ctx);
		esprim_ctx_free(soft.ctx);
	}
}

/* Seals with one backend, opens with the other, sizes across paths. */
static void cross(struct __test_metadata *_metadata,
		  enum esprim_backend_kind from, enum esprim_backend_kind to)
{
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_error err = { 0 };
	struct side tx, rx;
	char *text, *obj, *out;
	size_t i, n, size;

	ASSERT_EQ(0, side_new(&tx, from, ONEM2M_ESPRIM_ENC_A256GCM, true));
	ASSERT_EQ(0, side_new(&rx, to, 0, false));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (sizes[i] < 32)
			continue;	/* the receiver checks From */
		text = inner(sizes[i]);
		size = esprim_seal_size(tx.s, sizes[i]) + 1;
		obj = malloc(size);
		out = malloc(sizes[i] + 1);
		ASSERT_EQ(0, esprim_seal(tx.s, text, sizes[i], obj, size, &n,
					 NULL));
		ASSERT_EQ(0, esprim_open(rx.ctx, obj, n, out, sizes[i], o,
					 &err)) TH_LOG("%s", err.msg);
		EXPECT_EQ(sizes[i], o->text_len);
		EXPECT_EQ(0, memcmp(out, text, sizes[i]));
		/* Replay of the same object. */
		EXPECT_EQ(5210, esprim_open(rx.ctx, obj, n, out, sizes[i], o,
					    NULL));
		/* A flipped tag character. */
		ASSERT_EQ(0, esprim_seal(tx.s, text, sizes[i], obj, size, &n,
					 NULL));
		obj[n - 2] = obj[n - 2] == 'A' ? 'B' : 'A';
		EXPECT_EQ(4115, esprim_open(rx.ctx, obj, n, out, sizes[i], o,
					    NULL));
		free(text);
		free(obj);
		free(out);
	}
	esprim_ctx_free(tx.ctx);
	esprim_ctx_free(rx.ctx);
	free(o);
}

TEST(kernel_seals_soft_opens)
{
	cross(_metadata, ESPRIM_BACKEND_KERNEL, ESPRIM_BACKEND_SOFT);
}

TEST(soft_seals_kernel_opens)
{
	cross(_metadata, ESPRIM_BACKEND_SOFT, ESPRIM_BACKEND_KERNEL);
}

TEST(replacing_a_pairwise_key)
{
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_rand rro, oro;
	struct esprim_error err;
	struct side k, rx;
	char obj[2048], out[256];
	uint8_t key[32];
	size_t n;
	int i;

	/* A new key for the kid ends the old sessions in the keyring. */
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL,
			      ONEM2M_ESPRIM_ENC_A128GCM, true));
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x50 + i);
	ASSERT_EQ(0, esprim_ctx_add_pairwise(k.ctx, KID, key, 32, PEER, 0,
					     NULL));
	ASSERT_EQ(0, esprim_rand_parse(&rro, RRO, strlen(RRO), true, 0, NULL));
	ASSERT_EQ(0, esprim_rand_parse(&oro, ORO, strlen(ORO), false, 0, NULL));
	ASSERT_EQ(0, esprim_session_new(k.ctx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM }, &k.s, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(0, esprim_seal(k.s, "{\"fr\":\"" PEER "\"}", 13, obj,
				 sizeof(obj), &n, NULL));
	/* A receiver with the new key opens it; one with the old does not. */
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_SOFT, 0, false));
	EXPECT_EQ(4115, esprim_open(rx.ctx, obj, n, out, sizeof(out), o,
				    NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(rx.ctx, KID, key, 32, PEER, 0,
					     NULL));
	EXPECT_EQ(0, esprim_open(rx.ctx, obj, n, out, sizeof(out), o, NULL));
	esprim_ctx_free(rx.ctx);
	esprim_ctx_free(k.ctx);
	free(o);
}

TEST(kernel_backend_needs_peer_identity)
{
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_KERNEL };
	struct esprim_ctx *ctx;
	uint8_t key[16] = { 1 };

	ASSERT_EQ(0, esprim_ctx_new(&ctx, &cfg, NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, KID, key, 16, NULL, 0,
						NULL));
	esprim_ctx_free(ctx);
}

/* The whole of a small file, NUL-terminated; NULL if unreadable. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf)
		return NULL;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/*
 * Objects of three JOSE libraries that draw random IVs (made on the host
 * by selftests/interop/jose_corpus.sh: 1,000 each, one session each) open
 * with the kernel backend under the default replay policy (AUTO); a
 * replay of every one of them is refused; a full IV set answers 4113.
 */
TEST(jose_objects_open_once_under_default_policy)
{
	static const char *const libs[] = { "cjose", "jose", "npm" };
	const char *dir = getenv("ESPRIM_JOSE_CORPUS");
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_KERNEL };
	struct esprim_opened *o = malloc(sizeof(*o));
	size_t want_n = test_scaled(1000);
	char *hex, *kid, *peer, *rro_json, out[1024], name[64];
	struct esprim_rand rro;
	struct esprim_ctx *ctx;
	uint8_t key[32];
	size_t i, rro_len;
	unsigned int b;

	ASSERT_NE(NULL, dir) TH_LOG("ESPRIM_JOSE_CORPUS is not set");
	hex = slurp(dir, "pairwise.hex", NULL);
	kid = slurp(dir, "kid", NULL);
	peer = slurp(dir, "peer", NULL);
	rro_json = slurp(dir, "rro.json", &rro_len);
	ASSERT_TRUE(hex && kid && peer && rro_json)
		TH_LOG("no corpus in %s (selftests/interop/jose_corpus.sh)",
		       dir);
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(1, sscanf(hex + 2 * i, "%2x", &b));
		key[i] = (uint8_t)b;
	}
	ASSERT_EQ(0, esprim_rand_parse(&rro, rro_json, rro_len, true, 0,
				       NULL));
	/* Default configuration: replay policy AUTO. */
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &cfg, NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(ctx, kid, key, 32, peer, 0,
					     NULL));
	ASSERT_EQ(0, esprim_ctx_add_rand(ctx, &rro, NULL));

	for (i = 0; i < 3; i++) {
		size_t n = 0, opened = 0, refused = 0, len;
		char *objs, *line, *next;
		struct esprim_error err;

		snprintf(name, sizeof(name), "%s.jwe", libs[i]);
		objs = slurp(dir, name, NULL);
		ASSERT_NE(NULL, objs) TH_LOG("%s", name);
		for (line = objs; line && *line && n < want_n; line = next) {
			next = strchr(line, '\n');
			len = next ? (size_t)(next - line) : strlen(line);
			if (next)
				next++;
			n++;
			if (!esprim_open(ctx, line, len, out, sizeof(out), o,
					 &err))
				opened++;
			else
				TH_LOG("%s object %zu: %d %s", libs[i], n,
				       err.rsc, err.msg);
			if (esprim_open(ctx, line, len, out, sizeof(out), o,
					&err) == ESPRIM_RSC_DECRYPTION_ERROR)
				refused++;
		}
		EXPECT_EQ(want_n, n) TH_LOG("%s", libs[i]);
		EXPECT_EQ(n, opened) TH_LOG("%s", libs[i]);
		EXPECT_EQ(n, refused) TH_LOG("%s", libs[i]);
		free(objs);
	}
	esprim_ctx_free(ctx);

	/*
	 * A session of its own (the states of the sessions above outlive
	 * their context until the keyring's garbage collection, and a new
	 * derivation would continue them) whose IV set (4 here) is full is
	 * used up for opening:
	 * the first object fixes the counter space, 4 fill the set, then
	 * every object gets 4113 so that the originator moves on.
	 */
	cfg.replay_set = 4;
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &cfg, NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(ctx, kid, key, 32, peer, 0,
					     NULL));
	ASSERT_EQ(0, esprim_ctx_add_rand(ctx, &rro, NULL));
	{
		char *objs = slurp(dir, "full.jwe", NULL), *line, *next;
		int want[] = { 0, 0, 0, 0, 0, 4113, 4113 };
		size_t len, k = 0;

		ASSERT_NE(NULL, objs);
		for (line = objs; k < 7; line = next, k++) {
			next = strchr(line, '\n') + 1;
			len = next - line - 1;
			EXPECT_EQ(want[k], esprim_open(ctx, line, len, out,
						       sizeof(out), o, NULL))
				TH_LOG("object %zu", k);
		}
		free(objs);
	}
	esprim_ctx_free(ctx);
	free(rro_json);
	free(peer);
	free(kid);
	free(hex);
	free(o);
}

TEST_HARNESS_MAIN
