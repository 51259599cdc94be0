// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim's kernel backend in the VM: session keys in the keyring,
 * sealing and opening through onem2m-esprim(gcm(aes)) over AF_ALG.
 *
 * The differential test: an object the kernel backend seals and the one
 * the soft backend seals with the same key, IV and input are the same
 * bytes, for every enc and for sizes across libkcapi's one-shot and
 * stream paths.  Objects cross between the backends both ways.
 *
 * Then what the kernel backend promises beyond the soft one: no pairwise
 * or session key octets in the process, keys provisioned in the keyring
 * by others, an enc per object (profile B.13) on one session, replays and
 * reflections refused by the kernel, bounded state under a flood of
 * forged objects, and expired sessions reaped with their keys and
 * sockets.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>
#include <sys/mman.h>
#include <sys/random.h>

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
#define REQUEST	"{\"fr\":\"" PEER "\"}"

static const size_t sizes[] = { 0, 1, 100, 1024, 5000, 70000,
				 ONEM2M_ESPRIM_MAX_TEXT };

struct side {
	struct esprim_ctx *ctx;
	struct esprim_session *s;
};

static struct esprim_rand *rand_of(const char *json, bool receiver)
{
	struct esprim_rand *r = NULL;

	if (esprim_rand_parse(&r, json, strlen(json), receiver, 0, NULL))
		return NULL;
	return r;
}

static void default_key(uint8_t key[32])
{
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xa0 + i);
}

static int ctx_new(struct esprim_ctx **ctx, enum esprim_backend_kind backend,
		   const struct esprim_ctx_config *base)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;

	if (base)
		cfg = *base;
	cfg.backend = backend;
	return esprim_ctx_new(ctx, &cfg, NULL);
}

static int add_pairwise(struct esprim_ctx *ctx, const char *kid,
		   const uint8_t *key, size_t len)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;

	pc.kid = kid;
	pc.key = key;
	pc.key_len = len;
	pc.peer = PEER;
	return esprim_ctx_add_pairwise(ctx, &pc, NULL);
}

static int originator_session(struct esprim_ctx *ctx, const char *kid,
			      const struct esprim_rand *rro,
			      const struct esprim_rand *oro,
			      enum onem2m_esprim_enc enc,
			      struct esprim_session **s)
{
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;

	sc.kid = kid;
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = enc;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	return esprim_session_new(ctx, &sc, s, NULL);
}

/*
 * An originator (a session of RRO and ORO sealing enc) or a receiver
 * (RRO its own, ORO learnt) with the default key, on backend.
 */
static int side_new_key(struct side *d, enum esprim_backend_kind backend,
			enum onem2m_esprim_enc enc, bool originator,
			const struct esprim_ctx_config *base,
			const uint8_t *pairwise)
{
	struct esprim_rand *rro = rand_of(RRO, true), *oro = rand_of(ORO, false);
	uint8_t key[32];
	int rc;

	default_key(key);
	if (pairwise)
		memcpy(key, pairwise, sizeof(key));
	d->s = NULL;
	d->ctx = NULL;
	rc = rro && oro ? 0 : -EINVAL;
	rc = rc ?: ctx_new(&d->ctx, backend, base);
	rc = rc ?: add_pairwise(d->ctx, KID, key, 32);
	if (!rc && originator)
		rc = originator_session(d->ctx, KID, rro, oro, enc, &d->s);
	else if (!rc)
		rc = esprim_ctx_add_own_rand(d->ctx, rro, NULL) ?:
		     esprim_ctx_add_learnt_rand(d->ctx, KID, oro, NULL);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return rc;
}

static int side_new_cfg(struct side *d, enum esprim_backend_kind backend,
			enum onem2m_esprim_enc enc, bool originator,
			const struct esprim_ctx_config *base)
{
	return side_new_key(d, backend, enc, originator, base, NULL);
}

static int side_new(struct side *d, enum esprim_backend_kind backend,
		    enum onem2m_esprim_enc enc, bool originator)
{
	return side_new_cfg(d, backend, enc, originator, NULL);
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
	uint8_t iv[12] = { 0 };

	esprim_compact_split(&c, obj, strlen(obj), NULL);
	esprim_b64url_decode(c.part[2], c.len[2], iv, sizeof(iv));
	*fixed = iv_fixed(iv);
	*counter = iv_counter(iv);
}

/* Flips a character of the tag of an object of n characters. */
static void flip_tag(char *obj, size_t n)
{
	obj[n - 2] = obj[n - 2] == 'A' ? 'B' : 'A';
}

TEST(kernel_and_soft_objects_are_byte_identical)
{
	struct esprim_error err = { 0 };
	struct side k, soft;
	size_t i, n, size, sealed;
	char *text, *ko, *so;
	uint32_t fixed;
	uint64_t counter;
	int enc;

	for (enc = 1; enc <= 3; enc++) {
		ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL, enc, true));
		ASSERT_EQ(0, side_new(&soft, ESPRIM_BACKEND_SOFT, enc, true));
		sealed = 0;
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			text = inner(sizes[i]);
			size = esprim_seal_size(k.s, sizes[i]) + 1;
			ko = malloc(size);
			so = malloc(size);
			if (!sizes[i]) {
				/* B.14: no object of an empty text. */
				EXPECT_EQ(-EINVAL, esprim_seal(k.s, text, 0, ko,
							       size, &n, NULL));
				EXPECT_EQ(-EINVAL, esprim_seal(soft.s, text, 0,
							       so, size, &n,
							       NULL));
				goto next;
			}
			ASSERT_EQ(0, esprim_seal(k.s, text, sizes[i], ko, size,
						 &n, &err)) TH_LOG("%s", err.msg);
			object_iv(ko, &fixed, &counter);
			EXPECT_EQ(sealed, counter);
			EXPECT_EQ(0U, fixed & ONEM2M_ESPRIM_IV_ROLE_BIT);
			sealed++;
			ASSERT_EQ(0, esprim_session_set_iv(soft.s, fixed,
							   counter, NULL));
			ASSERT_EQ(0, esprim_seal(soft.s, text, sizes[i], so,
						 size, &n, NULL));
			EXPECT_EQ(0, strcmp(ko, so))
				TH_LOG("enc %d, %zu bytes differ", enc,
				       sizes[i]);
next:
			free(text);
			free(ko);
			free(so);
		}
		/* The kernel owns its IVs. */
		EXPECT_EQ(-EOPNOTSUPP, esprim_session_set_iv(k.s, 0, 0, NULL));
		esprim_ctx_free(k.ctx);
		esprim_ctx_free(soft.ctx);
	}
}

/* Seals with one backend, opens with the other, sizes across paths. */
static void cross(struct __test_metadata *_metadata,
		  enum esprim_backend_kind from, enum esprim_backend_kind to)
{
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_error err = { 0 };
	struct side tx, rx;
	char *text, *obj, *out;
	size_t i, n, size;

	ASSERT_NE(NULL, o);
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
		EXPECT_EQ(sizes[i], esprim_opened_text_len(o));
		EXPECT_EQ(0, memcmp(out, text, sizes[i]));
		EXPECT_STREQ(PEER, esprim_opened_peer(o));
		/* Replay of the same object. */
		EXPECT_EQ(5210, esprim_open(rx.ctx, obj, n, out, sizes[i], o,
					    NULL));
		/* A flipped tag character. */
		ASSERT_EQ(0, esprim_seal(tx.s, text, sizes[i], obj, size, &n,
					 NULL));
		flip_tag(obj, n);
		EXPECT_EQ(4115, esprim_open(rx.ctx, obj, n, out, sizes[i], o,
					    NULL));
		free(text);
		free(obj);
		free(out);
	}
	esprim_opened_free(o);
	esprim_ctx_free(tx.ctx);
	esprim_ctx_free(rx.ctx);
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
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_rand *rro = rand_of(RRO, true), *oro = rand_of(ORO, false);
	struct esprim_session *old;
	struct esprim_error err;
	struct side k, rx;
	char obj[2048], out[256];
	uint8_t key[32];
	size_t n;
	int i;

	ASSERT_TRUE(o && rro && oro);
	/* A new key for the kid ends the old sessions in the keyring. */
	ASSERT_EQ(0, side_new(&k, ESPRIM_BACKEND_KERNEL,
			      ONEM2M_ESPRIM_ENC_A128GCM, true));
	old = k.s;
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x50 + i);
	ASSERT_EQ(0, add_pairwise(k.ctx, KID, key, 32));
	/* A reference the caller kept fails from then on. */
	EXPECT_EQ(4112, esprim_seal(old, REQUEST, strlen(REQUEST), obj,
				    sizeof(obj), &n, NULL));
	esprim_session_put(old);
	ASSERT_EQ(0, originator_session(k.ctx, KID, rro, oro,
					ONEM2M_ESPRIM_ENC_A128GCM, &k.s));
	ASSERT_EQ(0, esprim_seal(k.s, REQUEST, strlen(REQUEST), obj,
				 sizeof(obj), &n, &err)) TH_LOG("%s", err.msg);
	/* A receiver with the new key opens it; one with the old does not. */
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_SOFT, 0, false));
	EXPECT_EQ(4115, esprim_open(rx.ctx, obj, n, out, sizeof(out), o,
				    NULL));
	ASSERT_EQ(0, add_pairwise(rx.ctx, KID, key, 32));
	EXPECT_EQ(0, esprim_open(rx.ctx, obj, n, out, sizeof(out), o, NULL));
	esprim_opened_free(o);
	esprim_ctx_free(rx.ctx);
	esprim_ctx_free(k.ctx);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
}

TEST(kernel_backend_needs_peer_identity)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_ctx *ctx;
	uint8_t key[16] = { 1 };

	ASSERT_EQ(0, ctx_new(&ctx, ESPRIM_BACKEND_KERNEL, NULL));
	pc.kid = KID;
	pc.key = key;
	pc.key_len = sizeof(key);
	EXPECT_EQ(-EINVAL, esprim_ctx_add_pairwise(ctx, &pc, NULL));
	EXPECT_EQ(NULL, esprim_ctx_pairwise_peer(ctx, KID));
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
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_opened *o = esprim_opened_new();
	size_t want_n = test_scaled(1000);
	char *hex, *kid, *peer, *rro_json, out[1024], name[64];
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_error err;
	struct esprim_rand *rro = NULL;
	struct esprim_ctx *ctx;
	uint8_t key[32];
	size_t i, rro_len;
	unsigned int b;

	ASSERT_NE(NULL, o);
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
				       &err)) TH_LOG("rro.json: %s", err.msg);
	pc.kid = kid;
	pc.key = key;
	pc.key_len = sizeof(key);
	pc.peer = peer;
	/* Default configuration: replay policy AUTO. */
	cfg.backend = ESPRIM_BACKEND_KERNEL;
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &cfg, NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(ctx, &pc, NULL));
	ASSERT_EQ(0, esprim_ctx_add_own_rand(ctx, rro, &err))
		TH_LOG("%s", err.msg);

	for (i = 0; i < 3; i++) {
		size_t n = 0, opened = 0, refused = 0, len;
		char *objs, *line, *next;

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
	ASSERT_EQ(0, esprim_ctx_add_pairwise(ctx, &pc, NULL));
	ASSERT_EQ(0, esprim_ctx_add_own_rand(ctx, rro, NULL));
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
	esprim_rand_free(rro);
	free(rro_json);
	free(peer);
	free(kid);
	free(hex);
	esprim_opened_free(o);
}

/* ---- key octets in the process ---- */

/*
 * A secret the test never keeps in clear: the octets XORed with a random
 * mask, unmasked byte by byte while comparing.
 */
struct secret {
	uint8_t masked[32];
	uint8_t mask[32];
};

static void secret_random(struct secret *s)
{
	getrandom(s->mask, sizeof(s->mask), 0);
	getrandom(s->masked, sizeof(s->masked), 0);
}

static void secret_reveal(const struct secret *s, uint8_t *out)
{
	size_t i;

	for (i = 0; i < 32; i++)
		out[i] = s->masked[i] ^ s->mask[i];
}

/* Takes the 32 octets of plain (and wipes them). */
static void secret_hide(struct secret *s, uint8_t *plain)
{
	size_t i;

	getrandom(s->mask, sizeof(s->mask), 0);
	for (i = 0; i < 32; i++)
		s->masked[i] = plain[i] ^ s->mask[i];
	explicit_bzero(plain, 32);
}

/* Matches of s starting in b[0, limit), within n bytes. */
static size_t secret_count(const struct secret *s, const uint8_t *b,
			   size_t n, size_t limit)
{
	const uint8_t *p, *end;
	size_t hits = 0, i, j;
	uint8_t anchor;

	if (n < 32)
		return 0;
	if (limit > n - 31)
		limit = n - 31;
	/* memchr() for a byte that is not 0 or 0xff, pages of which abound. */
	for (j = 0; j < 31; j++) {
		anchor = s->masked[j] ^ s->mask[j];
		if (anchor && anchor != 0xff)
			break;
	}
	anchor = s->masked[j] ^ s->mask[j];
	p = b + j;
	end = b + limit + j;
	while (p < end && (p = memchr(p, anchor, (size_t)(end - p)))) {
		for (i = 0; i < 32 && p[i - j] == (s->masked[i] ^ s->mask[i]);
		     i++)
			;
		hits += i == 32;
		p++;
	}
	return hits;
}

/*
 * Occurrences of the secret in every readable, writable private mapping
 * of this process (heap, stacks, data, anonymous memory), read through
 * /proc/self/mem.  The read buffer is a shared mapping, so not scanned.
 */
static size_t scan_process(const struct secret *s)
{
	const size_t chunk = 1 << 20;
	unsigned long lo, hi, addr;
	char line[512], perms[8];
	size_t hits = 0, len;
	uint8_t *buf;
	ssize_t n;
	FILE *maps;
	int mem;

	maps = fopen("/proc/self/maps", "re");
	mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	buf = mmap(NULL, chunk + 32, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!maps || mem < 0 || buf == MAP_FAILED) {
		fprintf(stderr, "# scan: cannot read the process: %s\n",
			strerror(errno));
		abort();
	}
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p')
			continue;
		for (addr = lo; addr < hi; addr += chunk) {
			len = hi - addr < chunk + 31 ? hi - addr : chunk + 31;
			n = pread(mem, buf, len, (off_t)addr);
			if (n <= 0)
				break;
			hits += secret_count(s, buf, (size_t)n, chunk);
		}
	}
	fclose(maps);
	close(mem);
	explicit_bzero(buf, chunk + 32);
	munmap(buf, chunk + 32);
	return hits;
}

/* Seals and opens a few requests and responses between tx and rx. */
static void exchange(struct __test_metadata *_metadata,
		     struct esprim_session *s, struct esprim_ctx *tx,
		     struct esprim_ctx *rx, int rounds)
{
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_error err;
	char obj[2048], out[256];
	size_t n;
	int i;

	ASSERT_NE(NULL, o);
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, esprim_seal(s, REQUEST, strlen(REQUEST), obj,
					 sizeof(obj), &n, &err))
			TH_LOG("%s", err.msg);
		ASSERT_EQ(0, esprim_open(rx, obj, n, out, sizeof(out), o,
					 &err)) TH_LOG("%s", err.msg);
		ASSERT_EQ(0, esprim_seal(esprim_opened_session(o), "{}", 2,
					 obj, sizeof(obj), &n, &err))
			TH_LOG("%s", err.msg);
		ASSERT_EQ(0, esprim_open(tx, obj, n, out, sizeof(out), o,
					 &err)) TH_LOG("%s", err.msg);
	}
	esprim_opened_free(o);
}

/*
 * With the kernel backend the process keeps neither the pairwise key
 * (its octets go to add_key() and are wiped) nor session keys (derived
 * in the kernel): a scan of the process's memory after sealing and
 * opening finds neither.  The same scan finds both with the soft
 * backend, which holds them, and neither once its context is freed.
 */
TEST(no_key_octets_in_the_process_with_kernel_backend)
{
	struct esprim_rand *rro = rand_of(RRO, true), *oro = rand_of(ORO, false);
	struct esprim_ctx *tx, *rx, *soft;
	struct esprim_session *s;
	struct secret pw, sk;
	uint8_t *key = malloc(32), *skey = malloc(32);

	ASSERT_TRUE(rro && oro && key && skey);
	secret_random(&pw);
	secret_reveal(&pw, key);
	/* The A256GCM session key is the whole HMAC output. */
	ASSERT_EQ(0, esprim_derive_session_key(key, 32, rro, oro,
					       ONEM2M_ESPRIM_ENC_A256GCM, skey,
					       NULL));
	secret_hide(&sk, skey);

	ASSERT_EQ(0, ctx_new(&tx, ESPRIM_BACKEND_KERNEL, NULL));
	ASSERT_EQ(0, ctx_new(&rx, ESPRIM_BACKEND_KERNEL, NULL));
	ASSERT_EQ(0, add_pairwise(tx, KID, key, 32));
	ASSERT_EQ(0, add_pairwise(rx, KID, key, 32));
	explicit_bzero(key, 32);
	ASSERT_EQ(0, esprim_ctx_add_own_rand(rx, rro, NULL));
	ASSERT_EQ(0, originator_session(tx, KID, rro, oro,
					ONEM2M_ESPRIM_ENC_A256GCM, &s));
	exchange(_metadata, s, tx, rx, 3);
	ASSERT_EQ(0, esprim_session_set_enc(s, ONEM2M_ESPRIM_ENC_A128GCM,
					    NULL));
	exchange(_metadata, s, tx, rx, 2);
	EXPECT_EQ(0U, scan_process(&pw)) TH_LOG("pairwise key found");
	EXPECT_EQ(0U, scan_process(&sk)) TH_LOG("session key found");
	esprim_session_put(s);
	esprim_ctx_free(tx);
	esprim_ctx_free(rx);

	/* The soft backend holds them: the scan does find keys. */
	secret_reveal(&pw, key);
	ASSERT_EQ(0, ctx_new(&soft, ESPRIM_BACKEND_SOFT, NULL));
	ASSERT_EQ(0, add_pairwise(soft, KID, key, 32));
	explicit_bzero(key, 32);
	ASSERT_EQ(0, originator_session(soft, KID, rro, oro,
					ONEM2M_ESPRIM_ENC_A256GCM, &s));
	EXPECT_LE(1U, scan_process(&pw));
	EXPECT_LE(1U, scan_process(&sk));
	esprim_session_put(s);
	esprim_ctx_free(soft);
	/* ... and wipes them when its context goes. */
	EXPECT_EQ(0U, scan_process(&pw));
	EXPECT_EQ(0U, scan_process(&sk));
	free(key);
	free(skey);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
}

/* ---- keys provisioned in the keyring ---- */

#define PKID	"provisioned.example.net"

static key_serial_t provision(const char *kid, const uint8_t key[32],
			      const char *peer, key_serial_t ring)
{
	struct onem2m_esprim_pairwise_payload p = {
		.hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1,
		.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE,
		.key_len = 32,
		.peer_len = (uint8_t)strlen(peer),
	};
	char desc[128];
	key_serial_t serial;

	memcpy(p.key, key, 32);
	memcpy(p.peer, peer, strlen(peer));
	snprintf(desc, sizeof(desc), "%s%s", ONEM2M_ESPRIM_PAIRWISE_PREFIX,
		 kid);
	serial = add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, &p, sizeof(p), ring);
	explicit_bzero(&p, sizeof(p));
	return serial;
}

/* A receiver using a keyring key; opens one request from orig. */
static int provisioned_receiver(struct esprim_ctx **rx, key_serial_t serial,
				const char *peer, struct esprim_error *err)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_rand *rro = rand_of(RRO, true);
	int rc;

	pc.kid = PKID;
	pc.serial = serial;
	pc.peer = peer;
	rc = ctx_new(rx, ESPRIM_BACKEND_KERNEL, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(*rx, &pc, err);
	rc = rc ?: esprim_ctx_add_own_rand(*rx, rro, err);
	esprim_rand_free(rro);
	return rc;
}

/*
 * A key provisioned with keyctl ("keyctl padd esprim pairwise:<kid> @s")
 * is used by kid and by serial, the identity bound to it read from the
 * kernel; a wrong identity is refused; a kid without a key is 4112; the
 * context leaves a key it did not add in place.
 */
TEST(pairwise_key_provisioned_in_the_keyring)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_rand *rro = rand_of(RRO, true), *oro = rand_of(ORO, false);
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_ctx *rx, *tx;
	struct esprim_session *s;
	struct esprim_error err;
	key_serial_t serial, user;
	char obj[2048], out[256], *desc = NULL;
	uint8_t key[32];
	size_t n;
	int i;

	ASSERT_TRUE(rro && oro && o);
	default_key(key);
	serial = provision(PKID, key, PEER, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, serial) TH_LOG("add_key: %s", strerror(errno));
	/* The originator: a soft context with the octets. */
	ASSERT_EQ(0, ctx_new(&tx, ESPRIM_BACKEND_SOFT, NULL));
	ASSERT_EQ(0, add_pairwise(tx, PKID, key, 32));
	ASSERT_EQ(0, originator_session(tx, PKID, rro, oro,
					ONEM2M_ESPRIM_ENC_A192GCM, &s));

	/* By kid (serial 0): found in the session keyring. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, provisioned_receiver(&rx, i ? serial : 0, NULL,
						  &err))
			TH_LOG("%s: %s", i ? "by serial" : "by kid", err.msg);
		EXPECT_STREQ(PEER, esprim_ctx_pairwise_peer(rx, PKID));
		ASSERT_EQ(0, esprim_seal(s, REQUEST, strlen(REQUEST), obj,
					 sizeof(obj), &n, NULL));
		EXPECT_EQ(0, esprim_open(rx, obj, n, out, sizeof(out), o,
					 &err)) TH_LOG("%s", err.msg);
		EXPECT_STREQ(PEER, esprim_opened_peer(o));
		/* A reference the result holds goes before the context. */
		EXPECT_EQ(5210, esprim_open(rx, obj, n, out, sizeof(out), o,
					    NULL));
		esprim_ctx_free(rx);
		/* The context did not add it: it stays. */
		usleep(100000);
		EXPECT_LT(0, keyctl_describe_alloc(serial, &desc))
			TH_LOG("key %d gone: %s", serial, strerror(errno));
		free(desc);
		desc = NULL;
	}
	/* The right identity given is accepted, a wrong one refused. */
	ASSERT_EQ(0, provisioned_receiver(&rx, serial, PEER, &err))
		TH_LOG("%s", err.msg);
	esprim_ctx_free(rx);
	EXPECT_EQ(-EINVAL, provisioned_receiver(&rx, serial, "Cother", &err));
	esprim_ctx_free(rx);
	EXPECT_EQ(-EINVAL, provisioned_receiver(&rx, 0, "Cother", &err));
	esprim_ctx_free(rx);

	ASSERT_EQ(0, ctx_new(&rx, ESPRIM_BACKEND_KERNEL, NULL));
	/* A kid with no key in any keyring. */
	pc.kid = "no-such-key.example.net";
	EXPECT_EQ(4112, esprim_ctx_add_pairwise(rx, &pc, NULL));
	EXPECT_EQ(NULL, esprim_ctx_pairwise_peer(rx, pc.kid));
	/* A serial of a key for another kid, or of another type. */
	pc.kid = KID;
	pc.serial = serial;
	EXPECT_EQ(-EINVAL, esprim_ctx_add_pairwise(rx, &pc, NULL));
	user = add_key("user", "pairwise:" PKID, "x", 1,
		       KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, user);
	pc.kid = PKID;
	pc.serial = user;
	EXPECT_EQ(-EINVAL, esprim_ctx_add_pairwise(rx, &pc, NULL));
	/* The soft backend needs the octets. */
	esprim_ctx_free(rx);
	ASSERT_EQ(0, ctx_new(&rx, ESPRIM_BACKEND_SOFT, NULL));
	pc.serial = serial;
	EXPECT_EQ(-EINVAL, esprim_ctx_add_pairwise(rx, &pc, NULL));
	esprim_ctx_free(rx);

	keyctl_invalidate(user);
	keyctl_invalidate(serial);
	esprim_session_put(s);
	esprim_ctx_free(tx);
	esprim_opened_free(o);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
}

/* ---- an enc per object (profile B.13) ---- */

/*
 * An originator changes its enc between objects; the receiver opens
 * each with the one session (each enc a key of its own in the kernel)
 * and answers in any enc of the originator's espa.  Objects of each enc
 * cross between the backends both ways.
 */
TEST(enc_per_object_on_one_session)
{
	static const enum esprim_backend_kind kinds[][2] = {
		{ ESPRIM_BACKEND_KERNEL, ESPRIM_BACKEND_KERNEL },
		{ ESPRIM_BACKEND_SOFT, ESPRIM_BACKEND_KERNEL },
		{ ESPRIM_BACKEND_KERNEL, ESPRIM_BACKEND_SOFT },
	};
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_session *rs = NULL;
	struct esprim_ctx_stats st;
	struct esprim_error err;
	struct side tx, rx;
	char obj[2048], out[256];
	size_t n, k;
	int enc, renc;

	ASSERT_NE(NULL, o);
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(0, side_new(&tx, kinds[k][0],
				      ONEM2M_ESPRIM_ENC_A128GCM, true));
		ASSERT_EQ(0, side_new(&rx, kinds[k][1], 0, false));
		for (enc = 1; enc <= 3; enc++) {
			ASSERT_EQ(0, esprim_session_set_enc(tx.s, enc, NULL));
			EXPECT_EQ(enc, esprim_session_enc(tx.s));
			ASSERT_EQ(0, esprim_seal(tx.s, REQUEST,
						 strlen(REQUEST), obj,
						 sizeof(obj), &n, NULL));
			ASSERT_EQ(0, esprim_open(rx.ctx, obj, n, out,
						 sizeof(out), o, &err))
				TH_LOG("pair %zu enc %d: %s", k, enc, err.msg);
			EXPECT_EQ(enc, esprim_opened_enc(o));
			if (enc == 1)
				rs = esprim_session_get(esprim_opened_session(o));
			EXPECT_EQ(rs, esprim_opened_session(o));
			/* The answer in another enc of the espa. */
			renc = enc % 3 + 1;
			ASSERT_EQ(0, esprim_session_set_enc(rs, renc, NULL));
			ASSERT_EQ(0, esprim_seal(rs, "{}", 2, obj, sizeof(obj),
						 &n, NULL));
			ASSERT_EQ(0, esprim_open(tx.ctx, obj, n, out,
						 sizeof(out), o, &err))
				TH_LOG("pair %zu response enc %d: %s", k,
				       renc, err.msg);
			EXPECT_EQ(renc, esprim_opened_enc(o));
			EXPECT_EQ(tx.s, esprim_opened_session(o));
		}
		/* Back to the first enc: its state continues. */
		ASSERT_EQ(0, esprim_session_set_enc(tx.s, 1, NULL));
		ASSERT_EQ(0, esprim_seal(tx.s, REQUEST, strlen(REQUEST), obj,
					 sizeof(obj), &n, NULL));
		EXPECT_EQ(0, esprim_open(rx.ctx, obj, n, out, sizeof(out), o,
					 NULL));
		EXPECT_EQ(5210, esprim_open(rx.ctx, obj, n, out, sizeof(out),
					    o, NULL));
		esprim_ctx_get_stats(rx.ctx, &st);
		EXPECT_EQ(1U, st.sessions);
		EXPECT_EQ(1U, st.setups);
		esprim_opened_free(o);
		o = esprim_opened_new();
		esprim_session_put(rs);
		esprim_ctx_free(tx.ctx);
		esprim_ctx_free(rx.ctx);
	}
	esprim_opened_free(o);
}

/* ---- replays and reflections ---- */

/*
 * With the kernel backend on both sides: a replayed request or response
 * is refused (5210) under AUTO and accepted under OFF; an object coming
 * back to the side that sealed it (a request to its originator, a
 * response to its receiver) is refused with 5210 under both.
 */
TEST(replayed_and_reflected_objects_refused_by_kernel_backend)
{
	static const enum onem2m_esprim_replay policies[] = {
		ONEM2M_ESPRIM_REPLAY_AUTO, ONEM2M_ESPRIM_REPLAY_OFF,
	};
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_session *rs;
	char req[2048], rsp[2048], out[256];
	struct esprim_error err;
	struct side tx, rx;
	size_t i, nq, np;
	uint8_t key[32];
	int replay_rc;

	ASSERT_NE(NULL, o);
	for (i = 0; i < 2; i++) {
		/*
		 * A key of its own: the kernel's state of a session (its
		 * policy included) is shared by every derivation of the same
		 * key until the last one goes, which the keyring's garbage
		 * collection decides.
		 */
		getrandom(key, sizeof(key), 0);
		cfg.replay = policies[i];
		replay_rc = cfg.replay == ONEM2M_ESPRIM_REPLAY_OFF ? 0 : 5210;
		ASSERT_EQ(0, side_new_key(&tx, ESPRIM_BACKEND_KERNEL,
					  ONEM2M_ESPRIM_ENC_A256GCM, true,
					  &cfg, key));
		ASSERT_EQ(0, side_new_key(&rx, ESPRIM_BACKEND_KERNEL, 0, false,
					  &cfg, key));
		ASSERT_EQ(0, esprim_seal(tx.s, REQUEST, strlen(REQUEST), req,
					 sizeof(req), &nq, NULL));
		/* The originator's own request, back to it. */
		EXPECT_EQ(5210, esprim_open(tx.ctx, req, nq, out, sizeof(out),
					    o, &err));
		ASSERT_EQ(0, esprim_open(rx.ctx, req, nq, out, sizeof(out), o,
					 &err)) TH_LOG("%s", err.msg);
		rs = esprim_session_get(esprim_opened_session(o));
		EXPECT_EQ(replay_rc, esprim_open(rx.ctx, req, nq, out,
						 sizeof(out), o, &err))
			TH_LOG("policy %d: %s", cfg.replay, err.msg);
		ASSERT_EQ(0, esprim_seal(rs, "{}", 2, rsp, sizeof(rsp), &np,
					 NULL));
		/* The receiver's own response, back to it. */
		EXPECT_EQ(5210, esprim_open(rx.ctx, rsp, np, out, sizeof(out),
					    o, &err));
		EXPECT_EQ(0, esprim_open(tx.ctx, rsp, np, out, sizeof(out), o,
					 &err)) TH_LOG("%s", err.msg);
		EXPECT_EQ(replay_rc, esprim_open(tx.ctx, rsp, np, out,
						 sizeof(out), o, NULL));
		/* Reflections stay refused after the session verified. */
		EXPECT_EQ(5210, esprim_open(tx.ctx, req, nq, out, sizeof(out),
					    o, NULL));
		EXPECT_EQ(5210, esprim_open(rx.ctx, rsp, np, out, sizeof(out),
					    o, NULL));
		esprim_session_put(rs);
		esprim_opened_free(o);
		o = esprim_opened_new();
		esprim_ctx_free(tx.ctx);
		esprim_ctx_free(rx.ctx);
	}
	esprim_opened_free(o);
}

/* ---- bounded state ---- */

/* Live "esprim" keys this process sees in /proc/keys. */
static int esprim_key_seen(key_serial_t parent, key_serial_t key, char *desc,
			   int desc_len, void *data)
{
	/* No description: the key went between listing and describing. */
	return desc && !strncmp(desc, ONEM2M_ESPRIM_KEY_TYPE ";",
				strlen(ONEM2M_ESPRIM_KEY_TYPE) + 1);
}

/*
 * The esprim keys linked in this process's keyrings (each test runs in a
 * process of its own): other tests' keys, whose garbage collection may
 * still run, do not count.
 */
static int count_esprim_keys(void)
{
	return recursive_key_scan(KEY_SPEC_PROCESS_KEYRING, esprim_key_seen,
				  NULL);
}

/* The count once the keyring's garbage collection had time to run. */
static int settled_esprim_keys(int want)
{
	char line[1024];
	int i, n = count_esprim_keys();
	FILE *f;

	for (i = 0; i < 50 && n != want; i++) {
		usleep(100000);
		n = count_esprim_keys();
	}
	if (n != want && (f = fopen("/proc/keys", "re"))) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, " " ONEM2M_ESPRIM_KEY_TYPE " "))
				printf("# %s", line);
		fclose(f);
	}
	return n;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

#define FLOOD	200

/*
 * count requests from distinct originator sessions (their oro in the
 * header), sealed by a soft originator; forged ones have a flipped tag.
 */
static char **requests(const struct esprim_rand *rro, unsigned int count,
		       bool forged, size_t *lens)
{
	struct esprim_ctx *tx;
	struct esprim_session *s;
	struct esprim_rand *oro;
	uint8_t key[32];
	char **objs = calloc(count, sizeof(*objs));
	unsigned int i;

	default_key(key);
	if (!objs || ctx_new(&tx, ESPRIM_BACKEND_SOFT, NULL) ||
	    add_pairwise(tx, KID, key, 32))
		return NULL;
	for (i = 0; i < count; i++) {
		objs[i] = malloc(2048);
		if (!objs[i] ||
		    esprim_rand_new_originator(&oro, rro, NULL,
					       esprim_rand_expiry_ms(rro),
					       ESPRIM_ESPA_ALL, NULL) ||
		    originator_session(tx, KID, rro, oro,
				       ONEM2M_ESPRIM_ENC_A128GCM, &s) ||
		    esprim_seal(s, REQUEST, strlen(REQUEST), objs[i], 2048,
				&lens[i], NULL))
			return NULL;
		if (forged)
			flip_tag(objs[i], lens[i]);
		esprim_session_free(s);
		esprim_rand_free(oro);
	}
	esprim_ctx_free(tx);
	return objs;
}

static void free_requests(char **objs, unsigned int count)
{
	unsigned int i;

	for (i = 0; objs && i < count; i++)
		free(objs[i]);
	free(objs);
}

/*
 * max_sessions_per_key caps the sessions a receiver sets up; a flood of
 * forged objects, each a new session attempt, leaves no session, key or
 * socket behind, and setup_rate bounds how many are attempted.
 */
TEST(kernel_backend_state_is_bounded)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_rand *rro = rand_of(RRO, true);
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_ctx_stats st;
	struct esprim_error err;
	size_t lens[FLOOD];
	char **objs, out[256];
	int keys, fds, rc, i, bad = 0, again = 0;
	struct side rx;
	double t0, t1;

	ASSERT_TRUE(rro && o);
	/* The 5th originator is one session too many. */
	objs = requests(rro, 5, false, lens);
	ASSERT_NE(NULL, objs);
	cfg.max_sessions_per_key = 4;
	ASSERT_EQ(0, side_new_cfg(&rx, ESPRIM_BACKEND_KERNEL, 0, false,
				  &cfg));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, esprim_open(rx.ctx, objs[i], lens[i], out,
					 sizeof(out), o, &err))
			TH_LOG("%d: %s", i, err.msg);
	EXPECT_EQ(-ENOSPC, esprim_open(rx.ctx, objs[4], lens[4], out,
				       sizeof(out), o, &err));
	EXPECT_EQ(ENOSPC, err.errnum);
	EXPECT_EQ(5210, err.rsc);
	esprim_ctx_get_stats(rx.ctx, &st);
	EXPECT_EQ(4U, st.sessions);
	esprim_opened_free(o);
	o = esprim_opened_new();
	esprim_ctx_free(rx.ctx);
	free_requests(objs, 5);

	/* A flood of forged objects: nothing stays. */
	objs = requests(rro, FLOOD, true, lens);
	ASSERT_NE(NULL, objs);
	ASSERT_EQ(0, side_new(&rx, ESPRIM_BACKEND_KERNEL, 0, false));
	keys = count_esprim_keys();
	fds = count_fds();
	t0 = now_us();
	for (i = 0; i < FLOOD; i++)
		bad += esprim_open(rx.ctx, objs[i], lens[i], out, sizeof(out),
				   o, NULL) == 4115;
	t1 = now_us();
	printf("# flood: %.0f us per forged object (kernel backend: a session key derived, an AF_ALG tfm, a failed tag, all undone)\n",
	       (t1 - t0) / FLOOD);
	fflush(stdout);
	EXPECT_EQ(FLOOD, bad);
	esprim_ctx_get_stats(rx.ctx, &st);
	EXPECT_EQ(0U, st.sessions);
	EXPECT_EQ((uint64_t)FLOOD, st.setups);
	EXPECT_EQ((uint64_t)FLOOD, st.setups_failed);
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(keys, settled_esprim_keys(keys));
	esprim_ctx_free(rx.ctx);

	/* At 50 set-ups a second, part of it is not even attempted. */
	cfg = (struct esprim_ctx_config)ESPRIM_CTX_CONFIG_INIT;
	cfg.setup_rate = 50;
	ASSERT_EQ(0, side_new_cfg(&rx, ESPRIM_BACKEND_KERNEL, 0, false,
				  &cfg));
	bad = 0;
	t0 = now_us();
	for (i = 0; i < FLOOD; i++) {
		rc = esprim_open(rx.ctx, objs[i], lens[i], out, sizeof(out),
				 o, &err);
		bad += rc == 4115;
		again += rc == -EAGAIN;
		if (rc == -EAGAIN) {
			EXPECT_EQ(EAGAIN, err.errnum);
			EXPECT_EQ(5210, err.rsc);
		}
	}
	t1 = now_us();
	TH_LOG("setup_rate 50: %d refused with -EAGAIN, %d failed the tag in %.2f s",
	       again, bad, (t1 - t0) / 1e6);
	/* The bucket: 50 at first, then 50 a second. */
	EXPECT_LE(50, bad);
	EXPECT_GE(50 + 50 * (t1 - t0) / 1e6 + 1, bad);
	/* Unless the kernel is too slow to outrun 50 set-ups a second. */
	if (50 + 50 * (t1 - t0) / 1e6 < FLOOD - 10)
		EXPECT_LT(0, again);
	EXPECT_EQ(FLOOD, bad + again);
	esprim_ctx_get_stats(rx.ctx, &st);
	EXPECT_EQ((uint64_t)again, st.setups_refused);
	EXPECT_EQ(0U, st.sessions);
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(keys, settled_esprim_keys(keys));
	esprim_ctx_free(rx.ctx);
	free_requests(objs, FLOOD);
	esprim_opened_free(o);
	esprim_rand_free(rro);
}

/* ---- reaping ---- */

/*
 * Sessions whose rand objects expire are reaped: esprim_ctx_reap()
 * drops them, their session keys leave the keyring and their sockets
 * close, on the originator's side and the receiver's.
 */
TEST(expired_sessions_are_reaped)
{
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_rand *rro, *oro;
	struct esprim_ctx *tx, *rx;
	struct esprim_session *s;
	struct esprim_ctx_stats st;
	struct esprim_error err;
	char obj[2048], out[256];
	int keys, fds, i, enc;
	unsigned int reaped;
	uint8_t key[32];
	int64_t expiry;
	size_t n;

	ASSERT_NE(NULL, o);
	default_key(key);
	ASSERT_EQ(0, ctx_new(&tx, ESPRIM_BACKEND_KERNEL, NULL));
	ASSERT_EQ(0, ctx_new(&rx, ESPRIM_BACKEND_KERNEL, NULL));
	ASSERT_EQ(0, add_pairwise(tx, KID, key, 32));
	ASSERT_EQ(0, add_pairwise(rx, KID, key, 32));
	/* 2 pairwise keys; earlier tests' keys may still be collected. */
	keys = settled_esprim_keys(2);
	fds = count_fds();
	expiry = esprim_now_ms() + 4000;
	ASSERT_EQ(0, esprim_rand_new_receiver(&rro, NULL, 0, expiry,
					      ESPRIM_ESPA_ALL, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(0, esprim_ctx_add_own_rand(rx, rro, NULL));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, esprim_rand_new_originator(&oro, rro, NULL,
							expiry,
							ESPRIM_ESPA_ALL,
							&err))
			TH_LOG("%s", err.msg);
		ASSERT_EQ(0, originator_session(tx, KID, rro, oro,
						ONEM2M_ESPRIM_ENC_A128GCM,
						&s));
		for (enc = 1; enc <= 2; enc++) {
			ASSERT_EQ(0, esprim_session_set_enc(s, enc, NULL));
			ASSERT_EQ(0, esprim_seal(s, REQUEST, strlen(REQUEST),
						 obj, sizeof(obj), &n, &err))
				TH_LOG("%s", err.msg);
			ASSERT_EQ(0, esprim_open(rx, obj, n, out, sizeof(out),
						 o, &err))
				TH_LOG("%s", err.msg);
		}
		/* The contexts' references are the last ones. */
		esprim_session_put(s);
		esprim_rand_free(oro);
	}
	esprim_opened_free(o);
	/* 3 sessions x 2 encs on each side. */
	EXPECT_EQ(keys + 12, count_esprim_keys());
	EXPECT_LT(fds + 12, count_fds());
	esprim_ctx_get_stats(rx, &st);
	EXPECT_EQ(3U, st.sessions);

	/* esrx has seconds: wait past the second after expiry. */
	while (esprim_now_ms() < expiry + 1500)
		usleep(100000);
	reaped = esprim_ctx_reap(rx);
	EXPECT_LE(3U, reaped);
	reaped = esprim_ctx_reap(tx);
	EXPECT_LE(3U, reaped);
	esprim_ctx_get_stats(rx, &st);
	EXPECT_EQ(0U, st.sessions);
	esprim_ctx_get_stats(tx, &st);
	EXPECT_EQ(0U, st.sessions);
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(keys, settled_esprim_keys(keys));
	esprim_ctx_free(tx);
	esprim_ctx_free(rx);
	esprim_rand_free(rro);
}

TEST_HARNESS_MAIN
