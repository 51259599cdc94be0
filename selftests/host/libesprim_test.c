// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim unit tests (soft backend, no kernel module): base64url, rand
 * objects and their JCS octets, the pairing rules, the KDF against OpenSSL
 * HMAC and pinned vectors, header parsing, seal/open, replay, the From
 * check, rand namespaces, m2m:seci, batches, and the malformed-object
 * corpus (malformed_objects.txt beside this file, each line with its RSC).
 *
 * The rand object and header structs are opaque in esprim.h; the tests see
 * their layout through esprim_internal.h to keep copies on the stack and
 * to read what no getter shows (kdf, esrv).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "esprim.h"
#include "esprim_internal.h"
#include "../lib/replay_vectors.h"

#define FAR_EXPIRY	"20991231T235959"
#define RRO_JSON \
	"{ \"esrx\":\"" FAR_EXPIRY "\", \"esri\":\"r1\", \"espa\":[10, 11, 12]," \
	" \"esks\":[1], \"esrv\":\"AAECAwQFBgcICQoLDA0ODw\" }"
#define RRO_JCS \
	"{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\"," \
	"\"esrv\":\"AAECAwQFBgcICQoLDA0ODw\",\"esrx\":\"" FAR_EXPIRY "\"}"
#define ORO_JCS \
	"{\"esk\":1,\"espa\":[12],\"esri\":\"o1\"," \
	"\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":\"" FAR_EXPIRY "\"}"
#define KID	"13-gw1.example.net"
#define PEER	"Cgw1"
#define INNER \
	"{\"op\":1,\"to\":\"//example.net/in-cse/ae-meter\",\"fr\":\"Cgw1\"," \
	"\"rqi\":\"req-0042\",\"rvi\":\"4\",\"ty\":4," \
	"\"pc\":{\"m2m:cin\":{\"con\":\"21.5\"}}}"

/* Sized configs as compound literals. */
#define CTX_CFG(...) (&(struct esprim_ctx_config){ \
	.size = sizeof(struct esprim_ctx_config), __VA_ARGS__ })
#define SESS_CFG(...) (&(struct esprim_session_config){ \
	.size = sizeof(struct esprim_session_config), __VA_ARGS__ })

/* Pinned vectors (profile B.1, B.3, B.7); README lists them. */
static const char session_key_hex[] =
	"e2fe46f3ede87df93b23c0a926e3213f8dd73bb74564fe00d40c13bb33a8cdd2";
static const char pinned_object[] =
	"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiMTMtZ3cxLmV4YW1wbGUubmV0"
	"IiwiY3R5Ijoidm5kLm9uZW0ybS1wcmVxK2pzb24iLCJvcmkiOiJvMSIsInJyaSI6InIxIn0"
	"..AAAAKgAAAAAAAAAH."
	"6gJFaDAPTqYdozQj_aykmGrdg3B8iLJHEM5WrIpqlFW2tZ8X6GcDmTGOyAeFnlX-7yRD6LgP"
	"jaiyiVkT1QAEFP4guiTu2-U7iTy7jwu39p4t1p7XSKhCkYebIGsmOSTIK4tHkIrcd1_c_NMU"
	"OsuapVfKfnU87VSTtLhD.hZzF96wd43T4gpVjPD-k4w";

static const uint8_t pairwise[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static void hex(const uint8_t *b, size_t n, char *out)
{
	while (n--)
		out += sprintf(out, "%02x", *b++);
}

/* esprim_rand_parse() into a copy the test owns; *r untouched on failure. */
static int parse_rand(struct esprim_rand *r, const char *json, bool receiver)
{
	struct esprim_rand *p = (struct esprim_rand *)1;
	int rc = esprim_rand_parse(&p, json, strlen(json), receiver,
				   esprim_now_ms(), NULL);

	if (rc)
		return p ? -999 : rc;	/* a failure must leave NULL */
	*r = *p;
	esprim_rand_free(p);
	return 0;
}

/* esprim_rand_new_receiver() / _originator() into a copy, likewise. */
static int new_receiver(struct esprim_rand *r, const char *id,
			unsigned int flags, int64_t expiry_ms, uint32_t espa,
			struct esprim_error *err)
{
	struct esprim_rand *p = (struct esprim_rand *)1;
	int rc = esprim_rand_new_receiver(&p, id, flags, expiry_ms, espa, err);

	if (rc)
		return p ? -999 : rc;
	*r = *p;
	esprim_rand_free(p);
	return 0;
}

static int new_originator(struct esprim_rand *o, const struct esprim_rand *rro,
			  const char *id, int64_t expiry_ms, uint32_t espa,
			  struct esprim_error *err)
{
	struct esprim_rand *p = (struct esprim_rand *)1;
	int rc = esprim_rand_new_originator(&p, rro, id, expiry_ms, espa, err);

	if (rc)
		return p ? -999 : rc;
	*o = *p;
	esprim_rand_free(p);
	return 0;
}

static int header_rsc(const char *json)
{
	struct esprim_header *h = (struct esprim_header *)1;
	int rc = esprim_header_parse(&h, json, strlen(json), esprim_now_ms(),
				     NULL);

	if (rc && h)
		return -999;
	esprim_header_free(h);
	return rc;
}

static int add_pw(struct esprim_ctx *ctx, const char *kid,
		  const uint8_t *key, size_t key_len, const char *peer,
		  int64_t expiry_ms, struct esprim_error *err)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;

	pc.kid = kid;
	pc.key = key;
	pc.key_len = key_len;
	pc.peer = peer;
	pc.expiry_ms = expiry_ms;
	return esprim_ctx_add_pairwise(ctx, &pc, err);
}

/* The header of an object, inspected without a key; NULL if malformed. */
static struct esprim_header *inspect(const char *obj)
{
	struct esprim_header *h;

	return esprim_object_inspect(&h, obj, strlen(obj), esprim_now_ms(),
				     NULL) ? NULL : h;
}

/* Whether the object's header carries the originator's oro (C.3). */
static int has_oro(const char *obj)
{
	struct esprim_header *h = inspect(obj);
	int rc = h ? esprim_header_oro(h) != NULL : -1;

	esprim_header_free(h);
	return rc;
}

/* Length of the protected header part of an object. */
static size_t header_len(const char *obj)
{
	return strcspn(obj, ".");
}

/*
 * Receiver and originator contexts with one originator session, and an
 * open result (which holds a session reference: it is reset before a
 * context goes).
 */
struct pair {
	struct esprim_ctx *rx, *tx;
	struct esprim_session *s;
	struct esprim_opened *o;
	struct esprim_rand rro, oro;
};

/* Drops the receiver's context, and the open result with it. */
static void pair_drop_rx(struct pair *p)
{
	esprim_opened_free(p->o);
	p->o = esprim_opened_new();
	esprim_ctx_free(p->rx);
	p->rx = NULL;
}

/*
 * (Re)creates the receiver's context with cfg: the pairwise key bound to
 * PEER, the receiver rand object as its own and, when with_oro, the
 * originator's learnt under the key (else it must come in the header).
 */
static int pair_rx(struct pair *p, const struct esprim_ctx_config *cfg,
		   bool with_oro)
{
	int rc;

	pair_drop_rx(p);
	if (!p->o)
		return -ENOMEM;
	rc = esprim_ctx_new(&p->rx, cfg, NULL);
	rc = rc ?: add_pw(p->rx, KID, pairwise, 32, PEER, 0, NULL);
	rc = rc ?: esprim_ctx_add_own_rand(p->rx, &p->rro, NULL);
	if (!rc && with_oro)
		rc = esprim_ctx_add_learnt_rand(p->rx, KID, &p->oro, NULL);
	return rc;
}

/*
 * announce: the originator sends its oro in the headers until a response
 * verified (ESPRIM_ANNOUNCE_AUTO) and the receiver does not have it; else
 * it never does (ESPRIM_ANNOUNCE_NEVER) and the receiver learnt it out of
 * band.  The originator object "o1" offers enc only.
 */
static int pair_setup(struct pair *p, enum onem2m_esprim_enc enc,
		      bool announce)
{
	const struct esprim_ctx_config *cfg = CTX_CFG(
		.backend = ESPRIM_BACKEND_SOFT);
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	char oro[256];
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(oro, sizeof(oro),
		 "{\"esk\":1,\"espa\":[%d],\"esri\":\"o1\","
		 "\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":60000}",
		 ESPRIM_ESPA_BASE + (int)enc);
	rc = parse_rand(&p->rro, RRO_JCS, true);
	rc = rc ?: parse_rand(&p->oro, oro, false);
	rc = rc ?: pair_rx(p, cfg, !announce);
	rc = rc ?: esprim_ctx_new(&p->tx, cfg, NULL);
	rc = rc ?: add_pw(p->tx, KID, pairwise, 32, PEER, 0, NULL);
	sc.kid = KID;
	sc.rro = &p->rro;
	sc.oro = &p->oro;
	sc.enc = enc;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	sc.announce = announce ? ESPRIM_ANNOUNCE_AUTO : ESPRIM_ANNOUNCE_NEVER;
	return rc ?: esprim_session_new(p->tx, &sc, &p->s, NULL);
}

static void pair_free(struct pair *p)
{
	pair_drop_rx(p);
	esprim_opened_free(p->o);
	p->o = NULL;
	esprim_ctx_free(p->tx);
	p->tx = NULL;
}

static int seal_str(struct esprim_session *s, const char *text, char *out,
		    size_t size)
{
	size_t len;

	return esprim_seal(s, text, strlen(text), out, size, &len, NULL);
}

/* Opens obj; the text is a C string in out when it was decrypted. */
static int open_str(struct esprim_ctx *ctx, const char *obj, char *out,
		    size_t size, struct esprim_opened *o)
{
	int rc = esprim_open(ctx, obj, strlen(obj), out, size - 1, o, NULL);

	out[rc == 0 || rc == ESPRIM_FROM_UNCHECKED ?
	    esprim_opened_text_len(o) : 0] = 0;
	return rc;
}

TEST(b64url_round_trip_and_strictness)
{
	uint8_t in[70], back[70];
	char enc[100];
	size_t n, len;

	for (n = 0; n < sizeof(in); n++)
		in[n] = (uint8_t)(n * 37 + 1);
	for (n = 0; n <= sizeof(in); n++) {
		len = esprim_b64url_encode(in, n, enc);
		ASSERT_EQ(esprim_b64url_encoded_len(n), len);
		ASSERT_EQ((long)n, esprim_b64url_decode(enc, len, back,
							sizeof(back)));
		ASSERT_EQ(0, memcmp(in, back, n));
		/* The output size bounds what is written. */
		if (n)
			ASSERT_EQ(-1, esprim_b64url_decode(enc, len, back,
							   n - 1));
	}
	enc[esprim_b64url_encode((const uint8_t *)"\xfb\xff", 2, enc)] = 0;
	EXPECT_STREQ("-_8", enc);
#define DEC(s) esprim_b64url_decode(s, sizeof(s) - 1, back, sizeof(back))
	EXPECT_EQ(-1, DEC("AAA="));
	EXPECT_EQ(-1, DEC("AA+A"));
	EXPECT_EQ(-1, DEC("AA/A"));
	EXPECT_EQ(-1, DEC("AA A"));
	EXPECT_EQ(-1, DEC("AAAAA"));
	EXPECT_EQ(-1, DEC("AB"));	/* stray bits */
	EXPECT_EQ(-1, DEC("AAB"));
	EXPECT_EQ(1, DEC("AA"));
	EXPECT_EQ(-1, DEC("A\0AA"));
#undef DEC
	/* Bad characters inside the eight-at-a-time loop. */
	len = esprim_b64url_encode(in, 60, enc);
	for (n = 0; n < len; n += 7) {
		char c = enc[n];

		enc[n] = n % 2 ? '=' : '.';
		EXPECT_EQ(-1, esprim_b64url_decode(enc, len, back,
						   sizeof(back)))
			TH_LOG("bad character at %zu", n);
		enc[n] = c;
	}
	EXPECT_EQ(60, esprim_b64url_decode(enc, len, back, sizeof(back)));
}

TEST(rsc_names)
{
	static const struct { int rsc; const char *name; } t[] = {
		{ 4000, "BAD_REQUEST" },
		{ 4111, "ESPRIM_UNSUPPORTED_OPTION" },
		{ 4112, "ESPRIM_UNKNOWN_KEY_ID" },
		{ 4113, "ESPRIM_UNKNOWN_ORIG_RAND_ID" },
		{ 4114, "ESPRIM_UNKNOWN_RECV_RAND_ID" },
		{ 4115, "ESPRIM_BAD_MAC" },
		{ 4116, "ESPRIM_IMPERSONATION_ERROR" },
		{ 5210, "ESPRIM_DECRYPTION_ERROR" },
		{ 5211, "ESPRIM_ENCRYPTION_ERROR" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		EXPECT_STREQ(t[i].name, esprim_rsc_name(t[i].rsc));
	EXPECT_EQ(NULL, esprim_rsc_name(2000));
}


TEST(rand_jcs_octets)
{
	struct esprim_rand r;
	size_t len;

	ASSERT_EQ(0, parse_rand(&r, RRO_JSON, true));
	EXPECT_STREQ(RRO_JCS, esprim_rand_json(&r, &len));
	EXPECT_EQ(strlen(RRO_JCS), len);
	EXPECT_STREQ("r1", esprim_rand_id(&r));
	EXPECT_TRUE(esprim_rand_is_receiver(&r));
	EXPECT_FALSE(esprim_rand_is_shared(&r));
	EXPECT_EQ(0xeU, esprim_rand_espa(&r));
	EXPECT_EQ(0x2U, r.kdf);
	/* Escapes as RFC 8785 writes them; unknown identifiers are kept. */
	ASSERT_EQ(0, parse_rand(&r, "{\"esk\":1,\"espa\":[12,99],\"esri\":\"o\","
				"\"esrv\":\"\\u00e9\\\"\\\\\\u0001\\n\\u2028/abcdefghijk\","
				"\"esrx\":3600000}", false));
	EXPECT_STREQ("{\"esk\":1,\"espa\":[12,99],\"esri\":\"o\","
		     "\"esrv\":\"\xc3\xa9\\\"\\\\\\u0001\\n\xe2\x80\xa8/abcdefghijk\","
		     "\"esrx\":3600000}", esprim_rand_json(&r, NULL));
	EXPECT_EQ((1U << 3) | 1U, esprim_rand_espa(&r));
	EXPECT_FALSE(esprim_rand_is_receiver(&r));
	/* A parsed object may have any NCName esri; "s-" says shared. */
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"s-x\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":1000}", true));
	EXPECT_TRUE(esprim_rand_is_shared(&r));
	{
		struct esprim_rand *a, *b;

		ASSERT_EQ(0, esprim_rand_parse(&a, RRO_JSON, strlen(RRO_JSON),
					       true, 0, NULL));
		b = esprim_rand_dup(a);
		ASSERT_NE(NULL, b);
		EXPECT_NE(a, b);
		EXPECT_STREQ(esprim_rand_json(a, NULL),
			     esprim_rand_json(b, NULL));
		EXPECT_EQ(esprim_rand_expiry_ms(a), esprim_rand_expiry_ms(b));
		esprim_rand_free(a);
		esprim_rand_free(b);
		esprim_rand_free(NULL);
		EXPECT_EQ(NULL, esprim_rand_dup(NULL));
	}
}

TEST(rand_expiry_forms)
{
	struct esprim_rand r;
	int64_t now = esprim_now_ms();

	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T000000\"}",
				true));
	EXPECT_EQ(1893456000000LL, esprim_rand_expiry_ms(&r));
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T000000,5Z\"}",
				true));
	EXPECT_EQ(1893456000500LL, esprim_rand_expiry_ms(&r));
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"60000\"}",
				true));
	EXPECT_LE(now + 60000, esprim_rand_expiry_ms(&r));
	EXPECT_GT(now + 70000, esprim_rand_expiry_ms(&r));
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":60000}",
				true));
	EXPECT_LE(now + 60000, esprim_rand_expiry_ms(&r));
}

TEST(rand_refusals)
{
	static const char *const bad[] = {
		"[]",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"1a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a:b\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"short\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10.5],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":1,\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esk\":1,\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"20301301T000000\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"2030-01-01\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":-5}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1,\"x\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esri\":\"b\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T00000x\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"2030010100T0000\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T000000,Z\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T000000Zx\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300230T000000\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T0000\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"19690101T000000\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":[1]}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"1234567890123456\"}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":\"12a\"}",
		"{\"esks\":[1],\"espa\":[70000],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[\"10\"],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[-1],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":12345678901234567,\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":7,\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef\",\"esrx\":2251799813685249}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"\",\"esrv\":\"0123456789abcdef\",\"esrx\":1}",
		"{\"esks\":[1],\"espa\":[10],\"esri\":\"a\",\"esrv\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\",\"esrx\":1}",
	};
	struct esprim_error err;
	struct esprim_rand r, *rp;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rp = (struct esprim_rand *)1;
		EXPECT_EQ(4000, esprim_rand_parse(&rp, bad[i], strlen(bad[i]),
						  true, 0, &err))
			TH_LOG("case %zu accepted: %s", i, bad[i]);
		EXPECT_EQ(NULL, rp);
		esprim_rand_free(rp);
		EXPECT_EQ(4000, err.rsc);
		EXPECT_EQ(0, err.errnum);
		EXPECT_NE(0, err.msg[0]);
	}
	/* Originator objects: esk a small integer, no esks. */
	EXPECT_EQ(4000, parse_rand(&r, "{\"esk\":\"1\",\"espa\":[10],\"esri\":\"a\","
				   "\"esrv\":\"0123456789abcdef\",\"esrx\":1}", false));
	EXPECT_EQ(4000, parse_rand(&r, "{\"esk\":70000,\"espa\":[10],\"esri\":\"a\","
				   "\"esrv\":\"0123456789abcdef\",\"esrx\":1}", false));
	EXPECT_EQ(0, parse_rand(&r, "{\"esk\":40,\"espa\":[10],\"esri\":\"_a.b-c\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":1}", false));
	EXPECT_EQ(0U, r.kdf);	/* an algorithm this library does not know */
	/* An originator object is not a receiver object and vice versa. */
	EXPECT_EQ(4000, parse_rand(&r, ORO_JCS, true));
	EXPECT_EQ(4000, parse_rand(&r, RRO_JCS, false));
	{
		struct esprim_rand rro;
		char json[2048], id[ONEM2M_ESPRIM_MAX_ID_LEN + 2];
		int k, n;

		/* esri one character too long. */
		memset(id, 'a', sizeof(id) - 1);
		id[sizeof(id) - 1] = 0;
		snprintf(json, sizeof(json),
			 "{\"esks\":[1],\"espa\":[10],\"esri\":\"%s\","
			 "\"esrv\":\"0123456789abcdef\",\"esrx\":1}", id);
		EXPECT_EQ(4000, parse_rand(&r, json, true));
		id[sizeof(id) - 2] = 0;
		snprintf(json, sizeof(json),
			 "{\"esks\":[1],\"espa\":[10],\"esri\":\"%s\","
			 "\"esrv\":\"0123456789abcdef\",\"esrx\":1}", id);
		EXPECT_EQ(0, parse_rand(&r, json, true));
		/* Octets beyond the 1024 a key payload carries. */
#define L16 "[65535,65535,65535,65535,65535,65535,65535,65535," \
	"65535,65535,65535,65535,65535,65535,65535,65535]"
		n = snprintf(json, sizeof(json),
			     "{\"esks\":" L16 ",\"espa\":" L16 ",\"esri\":\"%s\","
			     "\"esrx\":1,\"esrv\":\"", id);
		for (k = 0; k < ESPRIM_RAND_VALUE_MAX; k++)
			n += snprintf(json + n, sizeof(json) - (size_t)n,
				      "\\u0001");
		snprintf(json + n, sizeof(json) - (size_t)n, "\"}");
		EXPECT_EQ(4000, esprim_rand_parse(&rp, json, strlen(json), true,
						  0, &err));
		EXPECT_NE(NULL, strstr(err.msg, "longer than 1024"));
		/* An originator object cannot serve as a receiver's: a bad argument. */
		ASSERT_EQ(0, parse_rand(&rro, ORO_JCS, false));
		EXPECT_EQ(-EINVAL, new_originator(&r, &rro, "n-o", 1, 0xe,
						  &err));
		EXPECT_EQ(EINVAL, err.errnum);
		EXPECT_EQ(5211, err.rsc);
	}
}

TEST(rand_pairing_rules)
{
	struct esprim_rand rro, oro, x;
	int64_t now = esprim_now_ms();
	struct esprim_error err;

	ASSERT_EQ(0, parse_rand(&rro, RRO_JCS, true));
	ASSERT_EQ(0, parse_rand(&oro, ORO_JCS, false));
	EXPECT_EQ(0, esprim_rand_check_pair(&rro, &oro, now, NULL));
	/* B.2g at creation: capped at the receiver's expiry. */
	ASSERT_EQ(0, new_originator(&x, &rro, "n-o2",
				    rro.expiry_ms + 86400000, 0xe, NULL));
	EXPECT_EQ(esprim_rand_expiry_ms(&rro), esprim_rand_expiry_ms(&x));
	EXPECT_EQ(22U, strlen(x.value));
	EXPECT_STREQ("n-o2", esprim_rand_id(&x));
	EXPECT_EQ(0, esprim_rand_check_pair(&rro, &x, now, NULL));
	/* C.6b.2.i: expired, or later than the receiver's. */
	EXPECT_EQ(4114, esprim_rand_check_pair(&rro, &oro, rro.expiry_ms,
					       NULL));
	x = oro;
	x.expiry_ms = now - 1;
	EXPECT_EQ(4113, esprim_rand_check_pair(&rro, &x, now, NULL));
	x.expiry_ms = rro.expiry_ms + 1000;
	EXPECT_EQ(4113, esprim_rand_check_pair(&rro, &x, now, &err));
	EXPECT_NE(NULL, strstr(err.msg, "expires after"));
	/* C.6b.2.ii: esk among esks. */
	ASSERT_EQ(0, parse_rand(&x, "{\"esk\":2,\"espa\":[12],\"esri\":\"o1\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":1000}", false));
	EXPECT_EQ(4111, esprim_rand_check_pair(&rro, &x, now, NULL));
	/* C.6c.1: espa a subset. */
	ASSERT_EQ(0, parse_rand(&x, "{\"esk\":1,\"espa\":[12,13],\"esri\":\"o1\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":1000}", false));
	EXPECT_EQ(4111, esprim_rand_check_pair(&rro, &x, now, NULL));
	/* oro offers 12, this receiver object only 10. */
	ASSERT_EQ(0, parse_rand(&x, "{\"esks\":[1],\"espa\":[10],\"esri\":\"r\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"" FAR_EXPIRY "\"}",
				true));
	EXPECT_EQ(4111, esprim_rand_check_pair(&x, &oro, now, NULL));
	/* Creation refuses a receiver without HMAC-SHA256. */
	ASSERT_EQ(0, parse_rand(&x, "{\"esks\":[7],\"espa\":[10],\"esri\":\"r\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":100000}", true));
	EXPECT_EQ(4111, new_originator(&oro, &x, "n-o", now + 1000, 0xe,
				       NULL));
	/* Bad arguments of creation are local failures (-EINVAL, 5211). */
	EXPECT_EQ(-EINVAL, new_receiver(&x, "n-no:colon", 0, now + 1000, 0xe,
					&err));
	EXPECT_EQ(EINVAL, err.errnum);
	EXPECT_EQ(5211, err.rsc);
	EXPECT_EQ(-EINVAL, new_receiver(&x, "n-r", 0, now + 1000, 0, NULL));
	EXPECT_EQ(-EINVAL, new_receiver(&x, "n-r", 0x2, now + 1000, 0xe,
					NULL));
}

/* Profile B.16: the esri of an object this library issues says its kind. */
TEST(rand_issued_ids)
{
	int64_t exp = esprim_now_ms() + 60000;
	struct esprim_rand r, o, r2;

	/* Given ids must carry the prefix of their kind. */
	EXPECT_EQ(-EINVAL, new_receiver(&r, "r1", 0, exp, 0xe, NULL));
	EXPECT_EQ(-EINVAL, new_receiver(&r, "s-r1", 0, exp, 0xe, NULL));
	EXPECT_EQ(-EINVAL, new_receiver(&r, "n-r1", ESPRIM_RAND_SHARED, exp,
					0xe, NULL));
	ASSERT_EQ(0, new_receiver(&r, "s-r1", ESPRIM_RAND_SHARED, exp, 0xe,
				  NULL));
	EXPECT_TRUE(esprim_rand_is_shared(&r));
	EXPECT_TRUE(esprim_rand_is_receiver(&r));
	ASSERT_EQ(0, new_receiver(&r, "n-r1", 0, exp, 0xe, NULL));
	EXPECT_FALSE(esprim_rand_is_shared(&r));
	EXPECT_EQ(-EINVAL, new_originator(&o, &r, "o1", exp, 0xe, NULL));
	EXPECT_EQ(-EINVAL, new_originator(&o, &r, "s-o1", exp, 0xe, NULL));
	ASSERT_EQ(0, new_originator(&o, &r, "n-o1", exp, 0x2, NULL));
	EXPECT_FALSE(esprim_rand_is_shared(&o));
	EXPECT_EQ(0x2U, esprim_rand_espa(&o));
	/* NULL: a fresh id with the prefix, another each time. */
	ASSERT_EQ(0, new_receiver(&r, NULL, ESPRIM_RAND_SHARED, exp, 0xe,
				  NULL));
	EXPECT_EQ(0, strncmp(esprim_rand_id(&r), "s-", 2));
	EXPECT_TRUE(esprim_is_ncname(r.id, strlen(r.id)));
	ASSERT_EQ(0, new_receiver(&r2, NULL, 0, exp, 0xe, NULL));
	EXPECT_EQ(0, strncmp(esprim_rand_id(&r2), "n-", 2));
	ASSERT_EQ(0, new_originator(&o, &r, NULL, exp, 0xe, NULL));
	EXPECT_EQ(0, strncmp(esprim_rand_id(&o), "n-", 2));
	EXPECT_STRNE(esprim_rand_id(&o), esprim_rand_id(&r2));
	/* Round trip through the JSON text. */
	ASSERT_EQ(0, parse_rand(&r2, esprim_rand_json(&r, NULL), true));
	EXPECT_TRUE(esprim_rand_equal(&r, &r2));
	EXPECT_EQ(esprim_rand_expiry_ms(&r) / 1000,
		  esprim_rand_expiry_ms(&r2) / 1000);
}

TEST(kdf_matches_openssl_hmac_and_vector)
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	struct esprim_rand rro, oro;
	uint8_t key[32], mac[32];
	char msg[1024], text[65];
	unsigned int mac_len, enc;
	int n;

	ASSERT_EQ(0, parse_rand(&rro, RRO_JSON, true));
	ASSERT_EQ(0, parse_rand(&oro, ORO_JCS, false));
	n = snprintf(msg, sizeof(msg), "%s%s%s", RRO_JCS, ORO_JCS, label);
	ASSERT_NE(NULL, HMAC(EVP_sha256(), pairwise, 32, (uint8_t *)msg,
			     (size_t)n, mac, &mac_len));
	for (enc = 1; enc <= 3; enc++) {
		ASSERT_EQ(0, esprim_derive_session_key(pairwise, 32, &rro,
						       &oro, enc, key, NULL));
		EXPECT_EQ(0, memcmp(key, mac, esprim_enc_key_len(enc)));
	}
	hex(key, 32, text);
	EXPECT_STREQ(session_key_hex, text);
	EXPECT_EQ(4112, esprim_derive_session_key(pairwise, 15, &rro, &oro,
						  3, key, NULL));
	EXPECT_EQ(4111, esprim_derive_session_key(pairwise, 32, &rro, &oro,
						  4, key, NULL));
}


TEST(header_parse_branches)
{
	static const struct { int rsc; const char *json; } t[] = {
		{ 0, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 0, " { \"rri\" : \"r\" , \"ori\":\"o\",\"kid\":\"k\",\"enc\":\"A192GCM\",\"alg\":\"dir\", \"x5u\":1 } " },
		{ 4000, "[1]" },
		{ 4000, "{\"alg\":\"dir\"" },
		{ 4000, "{\"alg\":\"dir\",\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":1,\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":7,\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"cty\":5}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"cty\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\\u0000x\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"oro\":\"x\"}" },
		/* An oro of another esri is the next object (B.15). */
		{ 0, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"oro\":" ORO_JCS "}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"rro\":" ORO_JCS "}" },
		{ 0, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o1\",\"rri\":\"r\",\"oro\":" ORO_JCS "}" },
		{ 0, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"rro\":" RRO_JCS "}" },
		{ 4111, "{\"alg\":\"A128KW\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4111, "{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4111, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"crit\":[\"exp\"]}" },
		{ 4111, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"zip\":\"DEF\"}" },
		{ 4112, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"a:b\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4112, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4113, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"9o\",\"rri\":\"r\"}" },
		{ 4114, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r r\"}" },
		{ 4112, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"a\\\"b\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4112, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"a\\\\b\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4112, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"\u00e9\",\"ori\":\"o\",\"rri\":\"r\"}" },
		{ 4000, "{\"alg\":\"dir\",\"enc\":1,\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}" },
	};
	char big[ESPRIM_MAX_HEADER_LEN + 200];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		EXPECT_EQ(t[i].rsc, header_rsc(t[i].json))
			TH_LOG("header case %zu", i);
	/* A kid one character longer than a key's; a header over 4096. */
	i = (size_t)snprintf(big, sizeof(big),
			     "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"ori\":\"o\",\"rri\":\"r\",\"kid\":\"");
	memset(big + i, 'k', ONEM2M_ESPRIM_MAX_ID_LEN + 1);
	strcpy(big + i + ONEM2M_ESPRIM_MAX_ID_LEN + 1, "\"}");
	EXPECT_EQ(4112, header_rsc(big));
	big[i + ONEM2M_ESPRIM_MAX_ID_LEN] = 0;
	strcat(big, "\"}");
	EXPECT_EQ(0, header_rsc(big));
	memset(big + i, 'k', sizeof(big) - i - 3);
	strcpy(big + sizeof(big) - 3, "\"}");
	EXPECT_EQ(4000, header_rsc(big));
	/* Names of the encs. */
	EXPECT_EQ(0, esprim_enc_from_name(NULL));
	EXPECT_EQ(0, esprim_enc_from_name("A512GCM"));
	EXPECT_EQ(NULL, esprim_enc_name(0));
	EXPECT_EQ(NULL, esprim_enc_name(4));
	EXPECT_STREQ("A192GCM", esprim_enc_name(ONEM2M_ESPRIM_ENC_A192GCM));
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A192GCM, esprim_enc_from_name("A192GCM"));
}

TEST(header_getters)
{
	static const char json[] =
		"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"" KID "\","
		"\"cty\":\"vnd.onem2m-preq+json\",\"ori\":\"o1\",\"rri\":\"r1\","
		"\"oro\":" ORO_JCS ",\"rro\":" RRO_JCS "}";
	struct esprim_header *h;

	ASSERT_EQ(0, esprim_header_parse(&h, json, strlen(json),
					 esprim_now_ms(), NULL));
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A256GCM, esprim_header_enc(h));
	EXPECT_STREQ(KID, esprim_header_kid(h));
	EXPECT_STREQ("o1", esprim_header_ori(h));
	EXPECT_STREQ("r1", esprim_header_rri(h));
	EXPECT_STREQ("vnd.onem2m-preq+json", esprim_header_cty(h));
	ASSERT_NE(NULL, esprim_header_oro(h));
	ASSERT_NE(NULL, esprim_header_rro(h));
	EXPECT_STREQ(ORO_JCS, esprim_rand_json(esprim_header_oro(h), NULL));
	EXPECT_STREQ(RRO_JCS, esprim_rand_json(esprim_header_rro(h), NULL));
	esprim_header_free(h);
	EXPECT_EQ(4000, esprim_header_parse(&h, json, 93, 0, NULL));
	EXPECT_EQ(NULL, h);
	/* The pinned object's header: no cty member means "". */
	ASSERT_EQ(0, esprim_object_inspect(&h, pinned_object,
					   strlen(pinned_object), 0, NULL));
	EXPECT_STREQ("vnd.onem2m-preq+json", esprim_header_cty(h));
	EXPECT_EQ(NULL, esprim_header_oro(h));
	EXPECT_EQ(NULL, esprim_header_rro(h));
	esprim_header_free(h);
	ASSERT_EQ(0, esprim_header_parse(&h, "{\"alg\":\"dir\",\"enc\":"
					 "\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\","
					 "\"rri\":\"r\"}", 59, 0, NULL));
	EXPECT_STREQ("", esprim_header_cty(h));
	esprim_header_free(h);
	EXPECT_EQ(4000, esprim_object_inspect(&h, "a.b", 3, 0, NULL));
	EXPECT_EQ(NULL, h);
}


TEST(compact_split)
{
	struct esprim_compact c;

	EXPECT_EQ(0, esprim_compact_split(&c, "a..b.c.d", 8, NULL));
	EXPECT_EQ(1U, c.len[0]);
	EXPECT_EQ(0U, c.len[1]);
	EXPECT_EQ('c', c.part[3][0]);
	/* Profile B.14: an empty ciphertext part is not an object. */
	EXPECT_EQ(4000, esprim_compact_split(&c, "a..b..d", 7, NULL));
	EXPECT_EQ(4000, esprim_compact_split(&c, "a..b.c", 6, NULL));
	EXPECT_EQ(4000, esprim_compact_split(&c, "a..b.c.d.e", 10, NULL));
	EXPECT_EQ(4000, esprim_compact_split(&c, "a.k.b.c.d", 9, NULL));
	EXPECT_EQ(4000, esprim_compact_split(&c, "..b.c.d", 7, NULL));
	EXPECT_EQ(4000, esprim_compact_split(&c, "a...c.d", 7, NULL));
	EXPECT_EQ(4000, esprim_compact_split(&c, "a..b.c.", 7, NULL));
}

TEST(size_bounds)
{
	size_t big = ESPRIM_MAX_OBJECT_LEN + 1, hdr;
	struct esprim_compact c;
	struct esprim_seci seci;
	char *p = malloc(big + 1);

	/* Objects, headers and m2m:seci content are bounded. */
	memset(p, 'A', big);
	memcpy(p + big - 8, "..AA.A.A", 8);
	p[big] = 0;
	EXPECT_EQ(4000, esprim_compact_split(&c, p, big, NULL));
	hdr = esprim_b64url_encoded_len(ESPRIM_MAX_HEADER_LEN) + 1;
	memcpy(p + hdr, "..AA.A.A", 9);
	EXPECT_EQ(4000, esprim_compact_split(&c, p, strlen(p), NULL));
	memcpy(p + hdr - 1, "..AA.A.A", 9);
	EXPECT_EQ(0, esprim_compact_split(&c, p, strlen(p), NULL));
	memset(p, ' ', big);
	memcpy(p, "{\"m2m:seci\":{\"sit\":3}}", 22);
	EXPECT_EQ(4000, esprim_seci_parse(&seci, p, ESPRIM_MAX_OBJECT_LEN + 65,
					  0, NULL));
	EXPECT_EQ(0, esprim_seci_parse(&seci, p, ESPRIM_MAX_OBJECT_LEN, 0,
				       NULL));
	esprim_seci_release(&seci);
	free(p);
}


TEST(pinned_object_vector)
{
	const struct esprim_ctx_config *cfg = CTX_CFG(
		.backend = ESPRIM_BACKEND_SOFT);
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_rand rro, oro;
	struct esprim_session *s;
	struct esprim_ctx *ctx;
	char out[1024];
	size_t len;

	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, parse_rand(&rro, RRO_JSON, true));
	ASSERT_EQ(0, parse_rand(&oro, ORO_JCS, false));
	sc.kid = KID;
	sc.rro = &rro;
	sc.oro = &oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	/* The vector's header carries no oro. */
	sc.announce = ESPRIM_ANNOUNCE_NEVER;
	ASSERT_EQ(0, esprim_ctx_new(&ctx, cfg, NULL));
	ASSERT_EQ(0, add_pw(ctx, KID, pairwise, 32, PEER, 0, NULL));
	ASSERT_EQ(0, esprim_session_new(ctx, &sc, &s, NULL));
	EXPECT_STREQ(KID, esprim_session_kid(s));
	EXPECT_EQ(ONEM2M_ESPRIM_ROLE_ORIGINATOR, esprim_session_role(s));
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A256GCM, esprim_session_enc(s));
	ASSERT_EQ(0, esprim_session_set_iv(s, 0x2a, 7, NULL));
	ASSERT_EQ(0, esprim_seal(s, INNER, strlen(INNER), out, sizeof(out),
				 &len, NULL));
	EXPECT_STREQ(pinned_object, out);
	EXPECT_EQ(esprim_seal_size(s, strlen(INNER)), len);
	/* The default (AUTO) announces: the same IV gives other bytes. */
	esprim_session_free(s);
	sc.announce = ESPRIM_ANNOUNCE_AUTO;
	ASSERT_EQ(0, esprim_session_new(ctx, &sc, &s, NULL));
	ASSERT_EQ(0, esprim_session_set_iv(s, 0x2a, 7, NULL));
	ASSERT_EQ(0, esprim_seal(s, INNER, strlen(INNER), out, sizeof(out),
				 &len, NULL));
	EXPECT_STRNE(pinned_object, out);
	EXPECT_EQ(1, has_oro(out));
	esprim_session_put(s);
	esprim_ctx_free(ctx);

	/*
	 * And the receiver opens it: its own rro, the originator's oro
	 * learnt under the key (the header does not carry it).
	 */
	ASSERT_EQ(0, esprim_ctx_new(&ctx, cfg, NULL));
	ASSERT_EQ(0, add_pw(ctx, KID, pairwise, 32, PEER, 0, NULL));
	ASSERT_EQ(0, esprim_ctx_add_own_rand(ctx, &rro, NULL));
	EXPECT_EQ(4113, open_str(ctx, pinned_object, out, sizeof(out), o));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(ctx, KID, &oro, NULL));
	ASSERT_EQ(0, open_str(ctx, pinned_object, out, sizeof(out), o));
	EXPECT_STREQ(INNER, out);
	EXPECT_STREQ("vnd.onem2m-preq+json", esprim_opened_cty(o));
	EXPECT_STREQ(KID, esprim_opened_kid(o));
	EXPECT_STREQ(PEER, esprim_opened_peer(o));
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A256GCM, esprim_opened_enc(o));
	EXPECT_EQ(ONEM2M_ESPRIM_ROLE_RECEIVER, esprim_opened_role(o));
	EXPECT_EQ(strlen(INNER), esprim_opened_text_len(o));
	EXPECT_EQ(NULL, esprim_opened_next_rand(o));
	EXPECT_FALSE(esprim_opened_header_cached(o));
	esprim_opened_free(o);
	esprim_ctx_free(ctx);
}

TEST(seal_open_every_enc_both_ways)
{
	struct esprim_session *resp;
	char obj[4096], text[1024];
	struct esprim_opened *o;
	struct pair p;
	int enc;

	for (enc = 1; enc <= 3; enc++) {
		ASSERT_EQ(0, pair_setup(&p, enc, true));
		o = p.o;
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		/* AUTO: the oro in full until a response verified (C.3). */
		EXPECT_EQ(1, has_oro(obj));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_STREQ(INNER, text);
		EXPECT_FALSE(esprim_opened_header_cached(o));
		EXPECT_EQ(enc, esprim_opened_enc(o));
		/* The originator's object was learnt under the key. */
		{
			struct esprim_rand *l = esprim_ctx_get_rand(p.rx, KID,
								    "o1",
								    false);

			ASSERT_NE(NULL, l);
			EXPECT_STREQ(esprim_rand_json(&p.oro, NULL),
				     esprim_rand_json(l, NULL));
			esprim_rand_free(l);
			EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, NULL, "o1",
							    false));
		}
		/* A second request still announces. */
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		EXPECT_EQ(1, has_oro(obj));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_TRUE(esprim_opened_header_cached(o));
		/* The receiver's response with the same session. */
		resp = esprim_opened_session(o);
		ASSERT_NE(NULL, resp);
		EXPECT_EQ(ONEM2M_ESPRIM_ROLE_RECEIVER, esprim_session_role(resp));
		ASSERT_EQ(0, seal_str(resp, "{\"rsc\":2001}", obj, sizeof(obj)));
		EXPECT_EQ(0, has_oro(obj));
		ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
		EXPECT_STREQ("{\"rsc\":2001}", text);
		EXPECT_EQ(p.s, esprim_opened_session(o));
		EXPECT_EQ(ONEM2M_ESPRIM_ROLE_ORIGINATOR, esprim_opened_role(o));
		/* The originator stops announcing its rand object. */
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		EXPECT_EQ(0, has_oro(obj));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_FALSE(esprim_opened_header_cached(o));
		/* Same header again: parsed no more. */
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_TRUE(esprim_opened_header_cached(o));
		EXPECT_STREQ(INNER, text);
		pair_free(&p);
	}
}

/* ESPRIM_ANNOUNCE_ALWAYS keeps the oro in the header after a response. */
TEST(announce_always)
{
	char obj[4096], text[1024];
	struct esprim_session *s;
	struct pair p;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, true));
	/* One session per (kid, ori, rri, role). */
	EXPECT_EQ(-EEXIST, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.announce = ESPRIM_ANNOUNCE_ALWAYS), &s, NULL));
	EXPECT_EQ(NULL, s);
	esprim_session_free(p.s);
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.announce = ESPRIM_ANNOUNCE_ALWAYS), &p.s, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, seal_str(esprim_opened_session(p.o), "{}", obj,
			      sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(1, has_oro(obj));
	/* NEVER: no oro from the start, the receiver must know it. */
	esprim_session_free(p.s);
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.announce = ESPRIM_ANNOUNCE_NEVER), &p.s, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, has_oro(obj));
	pair_free(&p);
}

TEST(open_errors)
{
	char obj[4096], obj2[4096], text[1024];
	struct esprim_session *resp;
	struct esprim_error err;
	struct esprim_opened *o;
	struct esprim_rand r;
	struct pair p;
	size_t len;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A256GCM, false));
	o = p.o;
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj2, sizeof(obj2)));
	/* Output too small: a local failure, nothing consumed. */
	EXPECT_EQ(-ENOBUFS, esprim_open(p.rx, obj, strlen(obj), text, 10, o,
					&err));
	EXPECT_EQ(ENOBUFS, err.errnum);
	EXPECT_EQ(5210, err.rsc);
	EXPECT_EQ(NULL, esprim_opened_session(o));
	EXPECT_EQ(0U, esprim_opened_text_len(o));
	ASSERT_EQ(0, open_str(p.rx, obj2, text, sizeof(text), o));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	resp = esprim_opened_session(o);
	/* Replays, on the parsed and the cached path. */
	EXPECT_EQ(5210, esprim_open(p.rx, obj, strlen(obj), text,
				    sizeof(text), o, &err));
	EXPECT_EQ(0, err.errnum);
	EXPECT_EQ(5210, open_str(p.rx, obj2, text, sizeof(text), o));
	/* Reflection: the originator's own object back to it. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.tx, obj, text, sizeof(text), o));
	/* And the receiver's response back to the receiver. */
	ASSERT_EQ(0, seal_str(resp, "{}", obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), o));
	/* Impersonation: another From; the text is not handed out. */
	ASSERT_EQ(0, seal_str(p.s, "{\"op\":2,\"fr\":\"Cother\"}", obj,
			      sizeof(obj)));
	EXPECT_EQ(4116, esprim_open(p.rx, obj, strlen(obj), text,
				    sizeof(text), o, &err));
	EXPECT_EQ(4116, err.rsc);
	EXPECT_EQ(0U, esprim_opened_text_len(o));
	ASSERT_EQ(0, seal_str(p.s, "not json", obj, sizeof(obj)));
	EXPECT_EQ(4000, open_str(p.rx, obj, text, sizeof(text), o));
	/* Seal: output too small, input too long or empty (B.14). */
	EXPECT_EQ(-ENOBUFS, esprim_seal(p.s, INNER, strlen(INNER), obj, 20,
					&len, &err));
	EXPECT_EQ(5211, err.rsc);
	EXPECT_EQ(0U, len);
	EXPECT_EQ(-EINVAL, esprim_seal(p.s, INNER, ONEM2M_ESPRIM_MAX_TEXT + 1,
				       obj, sizeof(obj), &len, NULL));
	EXPECT_EQ(-EINVAL, esprim_seal(p.s, "", 0, obj, sizeof(obj), &len,
				       &err));
	EXPECT_EQ(EINVAL, err.errnum);
	EXPECT_EQ(5211, err.rsc);
	pair_free(&p);

	/* Unknown pairwise key, receiver and originator rand objects. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	o = p.o;
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	pair_drop_rx(&p);
	o = p.o;
	ASSERT_EQ(0, esprim_ctx_new(&p.rx, CTX_CFG(0), NULL));
	EXPECT_EQ(4112, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, add_pw(p.rx, KID, pairwise, 32, PEER, 0, NULL));
	EXPECT_EQ(4114, open_str(p.rx, obj, text, sizeof(text), o));
	/* Namespaces (B.16): a learnt rro is not one of ours... */
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, KID, &p.rro, NULL));
	EXPECT_EQ(4114, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_ctx_add_own_rand(p.rx, &p.rro, NULL));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), o));
	/* ...and an own oro is not the peer's, nor is another key's. */
	ASSERT_EQ(0, esprim_ctx_add_own_rand(p.rx, &p.oro, NULL));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, add_pw(p.rx, "other-kid", pairwise, 32, "Cother", 0,
			    NULL));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, "other-kid", &p.oro,
						NULL));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), o));
	/* A kid the caller names that is not there: its own mistake. */
	EXPECT_EQ(-ENOENT, esprim_ctx_add_learnt_rand(p.rx, "nokey", &p.oro,
						      NULL));
	EXPECT_EQ(-EINVAL, esprim_ctx_add_learnt_rand(p.rx, KID, NULL, &err));
	EXPECT_EQ(-EINVAL, esprim_ctx_add_own_rand(p.rx, NULL, NULL));
	/* Wrong pairwise key: the MAC fails, no session is left behind. */
	memcpy(text, pairwise, 32);
	text[0] ^= 1;
	ASSERT_EQ(0, add_pw(p.rx, KID, (uint8_t *)text, 32, PEER, 0, NULL));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, KID, &p.oro, NULL));
	EXPECT_EQ(4115, open_str(p.rx, obj, text, sizeof(text), o));
	{
		struct esprim_ctx_stats st;

		esprim_ctx_get_stats(p.rx, &st);
		EXPECT_EQ(0U, st.sessions);
		EXPECT_LE(1U, st.setups_failed);
	}
	/* A new key for the kid: the rand objects learnt under it go. */
	ASSERT_EQ(0, add_pw(p.rx, KID, pairwise, 32, PEER, 0, NULL));
	EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, KID, "o1", false));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, KID, &p.oro, NULL));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_STREQ(INNER, text);
	/* An expired pairwise key. */
	ASSERT_EQ(0, add_pw(p.rx, KID, pairwise, 32, PEER,
			    esprim_now_ms() - 1, NULL));
	EXPECT_EQ(4112, open_str(p.rx, obj, text, sizeof(text), o));
	/* A removed one. */
	EXPECT_EQ(0, esprim_ctx_del_pairwise(p.rx, KID, NULL));
	EXPECT_EQ(-ENOENT, esprim_ctx_del_pairwise(p.rx, KID, NULL));
	EXPECT_EQ(NULL, esprim_ctx_pairwise_peer(p.rx, KID));
	EXPECT_STREQ("Cother", esprim_ctx_pairwise_peer(p.rx, "other-kid"));
	EXPECT_EQ(4112, open_str(p.rx, obj, text, sizeof(text), o));
	pair_free(&p);

	/*
	 * XML inner primitives: the library cannot read their From.  Unless
	 * the caller took the check on they are refused (4111), else the
	 * caller gets ESPRIM_FROM_UNCHECKED and must make the check.
	 */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	o = p.o;
	esprim_session_free(p.s);
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.announce = ESPRIM_ANNOUNCE_NEVER,
		.cty = "vnd.onem2m-preq+xml"), &p.s, NULL));
	ASSERT_EQ(0, seal_str(p.s, "<m2m:rqp/>", obj, sizeof(obj)));
	EXPECT_EQ(4111, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, pair_rx(&p, CTX_CFG(.caller_checks_from = true), true));
	o = p.o;
	EXPECT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_STREQ("<m2m:rqp/>", text);
	EXPECT_STREQ("vnd.onem2m-preq+xml", esprim_opened_cty(o));
	EXPECT_EQ(4116, esprim_opened_check_from(o, "Cother", 6, &err));
	EXPECT_EQ(4116, err.rsc);
	EXPECT_EQ(0U, esprim_opened_text_len(o));
	/* The check is made once. */
	EXPECT_EQ(-EINVAL, esprim_opened_check_from(o, PEER, strlen(PEER),
						    NULL));
	ASSERT_EQ(0, seal_str(p.s, "<m2m:rqp/>", obj, sizeof(obj)));
	EXPECT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_TRUE(esprim_opened_header_cached(o));
	EXPECT_EQ(0, esprim_opened_check_from(o, PEER, strlen(PEER), NULL));
	EXPECT_EQ(10U, esprim_opened_text_len(o));
	/* A second session for a (kid, ori, rri, role) is refused. */
	EXPECT_EQ(-EEXIST, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &resp, NULL));
	/* An enc outside the oro's espa. */
	EXPECT_EQ(4111, esprim_session_new(p.rx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM), &resp, NULL));
	EXPECT_EQ(4111, esprim_session_set_enc(p.s, ONEM2M_ESPRIM_ENC_A256GCM,
					       NULL));
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A128GCM, esprim_session_enc(p.s));
	EXPECT_EQ(4112, esprim_session_new(p.rx, SESS_CFG(
		.kid = "nokey", .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &resp, NULL));
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"r1\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":1}", true));
	usleep(5000);
	EXPECT_EQ(4114, esprim_session_new(p.rx, SESS_CFG(
		.kid = KID, .rro = &r, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &resp, NULL));
	EXPECT_EQ(NULL, resp);
	/* Expired objects are not cached. */
	EXPECT_EQ(4114, esprim_ctx_add_own_rand(p.rx, &r, NULL));
	pair_free(&p);
}

TEST(ivs_run_out_and_sessions_expire)
{
	struct esprim_session *s;
	struct esprim_rand rro, oro;
	char obj[4096], text[1024];
	struct esprim_error err;
	struct pair p;

	/* The soft backend stops at 2^32 IVs as the template does. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x1234,
					   ONEM2M_ESPRIM_MAX_INVOCATIONS - 1,
					   NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	EXPECT_EQ(4113, esprim_seal(p.s, INNER, strlen(INNER), obj,
				    sizeof(obj), &(size_t){ 0 }, &err));
	EXPECT_NE(NULL, strstr(err.msg, "used all its IVs"));
	pair_free(&p);

	/* A session ends with its rand objects: 4113 to seal and to open. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, parse_rand(&rro, RRO_JCS, true));
	ASSERT_EQ(0, parse_rand(&oro, "{\"esk\":1,\"espa\":[10],\"esri\":\"o5\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":300}", false));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, KID, &oro, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.announce = ESPRIM_ANNOUNCE_NEVER), &s, NULL));
	ASSERT_EQ(0, seal_str(s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, seal_str(s, INNER, obj, sizeof(obj)));
	usleep(400 * 1000);
	EXPECT_EQ(4113, esprim_seal(s, INNER, strlen(INNER), text,
				    sizeof(text), &(size_t){ 0 }, &err));
	EXPECT_NE(NULL, strstr(err.msg, "o5"));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), p.o));
	pair_free(&p);
}

TEST(context_and_session_edges)
{
	struct esprim_session *s2, *s3;
	struct esprim_rand rro, oro, oro_b, fresh;
	char obj[4096], obj2[4096], text[1024];
	struct esprim_error err;
	struct esprim_opened *o;
	struct esprim_ctx *ctx;
	size_t hlen, len;
	struct pair p, q;

	/* Context configuration: bad values are bad arguments. */
#define BAD_CTX(...) do { \
		ctx = (struct esprim_ctx *)1; \
		EXPECT_EQ(-EINVAL, esprim_ctx_new(&ctx, CTX_CFG(__VA_ARGS__), \
						  &err)); \
		EXPECT_EQ(EINVAL, err.errnum); \
		EXPECT_EQ(NULL, ctx); \
	} while (0)
	BAD_CTX(.replay = 7);
	BAD_CTX(.replay_window = 100);
	BAD_CTX(.replay_window = 8192);
	BAD_CTX(.replay_set = 4097);
	BAD_CTX(.backend = 9);
	EXPECT_EQ(-EINVAL, esprim_ctx_new(&ctx,
		&(struct esprim_ctx_config){ .backend = ESPRIM_BACKEND_SOFT },
		NULL));
	EXPECT_EQ(-EINVAL, esprim_ctx_new(&ctx, NULL, NULL));
#undef BAD_CTX
	esprim_ctx_free(NULL);
	/* A caller built against a shorter struct: the rest counts as 0. */
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &(struct esprim_ctx_config){
		.size = offsetof(struct esprim_ctx_config, max_sessions),
		.max_sessions = 7 }, NULL));
	esprim_ctx_free(ctx);

	/* Pairwise keys. */
	ASSERT_EQ(0, esprim_ctx_new(&ctx, CTX_CFG(0), NULL));
	EXPECT_EQ(-EINVAL, add_pw(ctx, "a:b", pairwise, 32, PEER, 0, NULL));
	EXPECT_EQ(-EINVAL, add_pw(ctx, NULL, pairwise, 32, PEER, 0, NULL));
	EXPECT_EQ(-EINVAL, add_pw(ctx, "k", pairwise, 15, PEER, 0, NULL));
	EXPECT_EQ(-EINVAL, add_pw(ctx, "k", pairwise, 65, PEER, 0, NULL));
	EXPECT_EQ(-EINVAL, add_pw(ctx, "k", pairwise, 32, "C gw", 0, NULL));
	EXPECT_EQ(-EINVAL, add_pw(ctx, "k", pairwise, 32, "", 0, NULL));
	/* The From check needs the identity the key is bound to. */
	EXPECT_EQ(-EINVAL, add_pw(ctx, "k", pairwise, 32, NULL, 0, &err));
	EXPECT_EQ(EINVAL, err.errnum);
	EXPECT_EQ(5210, err.rsc);
	EXPECT_EQ(-EINVAL, esprim_ctx_add_pairwise(ctx,
		&(struct esprim_pairwise_config){ .kid = "k", .key = pairwise,
						  .key_len = 32, .peer = PEER },
		NULL));
	EXPECT_EQ(NULL, esprim_ctx_pairwise_peer(ctx, "k"));
	EXPECT_EQ(0, add_pw(ctx, "k", pairwise, 32, PEER, 0, NULL));
	EXPECT_STREQ(PEER, esprim_ctx_pairwise_peer(ctx, "k"));
	esprim_ctx_free(ctx);

	/* Session configuration. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	o = p.o;
	EXPECT_EQ(-EINVAL, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .oro = &p.oro, .enc = 1), &s2, NULL));
	EXPECT_EQ(NULL, s2);
	ASSERT_EQ(0, parse_rand(&oro_b, "{\"esk\":1,\"espa\":[10],\"esri\":\"ob\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":60000}",
				false));
	EXPECT_EQ(-EINVAL, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 1,
		.role = 5), &s2, NULL));
	EXPECT_EQ(-EINVAL, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 1,
		.cty = "a\"b"), &s2, NULL));
	EXPECT_EQ(-EINVAL, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 1,
		.announce = 3), &s2, NULL));
	EXPECT_EQ(-EINVAL, esprim_session_new(p.tx,
		&(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 1 }, &s2,
		NULL));
	EXPECT_EQ(4111, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 4), &s2,
		NULL));

	/* Every object of a session starts with the same header. */
	ASSERT_EQ(0, esprim_seal(p.s, INNER, strlen(INNER), obj, sizeof(obj),
				 &len, NULL));
	EXPECT_EQ(esprim_seal_size(p.s, strlen(INNER)), len);
	EXPECT_EQ(len, strlen(obj));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj2, sizeof(obj2)));
	hlen = header_len(obj);
	EXPECT_EQ(hlen, header_len(obj2));
	EXPECT_EQ(0, strncmp(obj, obj2, hlen + 2));
	EXPECT_EQ(0, strncmp(obj + hlen, "..", 2));
	EXPECT_STRNE(obj, obj2);

	/* A receiver's offer of a next rand object, and withdrawing it. */
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	s3 = esprim_session_get(esprim_opened_session(o));
	ASSERT_EQ(0, seal_str(s3, "{}", obj, sizeof(obj)));
	hlen = header_len(obj);
	EXPECT_EQ(-EINVAL, esprim_session_offer_next(s3, &p.oro, &err));
	EXPECT_EQ(EINVAL, err.errnum);
	ASSERT_EQ(0, new_receiver(&fresh, "n-r2", 0, esprim_now_ms() + 60000,
				  0xe, NULL));
	ASSERT_EQ(0, esprim_session_offer_next(s3, &fresh, NULL));
	ASSERT_EQ(0, seal_str(s3, "{}", obj, sizeof(obj)));
	EXPECT_LT(hlen, header_len(obj));
	{
		struct esprim_header *h = inspect(obj);

		ASSERT_NE(NULL, h);
		ASSERT_NE(NULL, esprim_header_rro(h));
		EXPECT_STREQ("n-r2", esprim_rand_id(esprim_header_rro(h)));
		EXPECT_STREQ("r1", esprim_header_rri(h));
		esprim_header_free(h);
	}
	ASSERT_EQ(0, esprim_session_offer_next(s3, NULL, NULL));
	ASSERT_EQ(0, seal_str(s3, "{}", obj, sizeof(obj)));
	EXPECT_EQ(hlen, header_len(obj));
	/* The receiver's offered object is its own from then on. */
	{
		struct esprim_rand *own = esprim_ctx_get_rand(p.rx, NULL,
							      "n-r2", true);

		ASSERT_NE(NULL, own);
		EXPECT_TRUE(esprim_rand_equal(&fresh, own));
		esprim_rand_free(own);
		EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, KID, "n-r2", true));
	}
	esprim_session_put(s3);

	/*
	 * Same kid, ori, rri from elsewhere with another oro or enc.  q's
	 * oro is p's, so the header fits the receiver's session; a second
	 * sender (another IV fixed field) is taken as a random-IV peer under
	 * AUTO: its object opens once.
	 */
	ASSERT_EQ(0, pair_setup(&q, ONEM2M_ESPRIM_ENC_A128GCM, false));
	esprim_session_free(q.s);
	rro = p.rro;
	ASSERT_EQ(0, esprim_session_new(q.tx, SESS_CFG(
		.kid = KID, .rro = &rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &s2, NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	EXPECT_EQ(1, has_oro(obj2));
	EXPECT_EQ(0, open_str(p.rx, obj2, text, sizeof(text), o));
	EXPECT_EQ(5210, open_str(p.rx, obj2, text, sizeof(text), o));
	esprim_session_free(s2);
	/* An oro "o1" that is not the session's: 4113. */
	ASSERT_EQ(0, parse_rand(&oro, "{\"esk\":1,\"espa\":[10,11,12],"
				"\"esri\":\"o1\",\"esrv\":\"ZZZZZZZZZZZZZZZZ\","
				"\"esrx\":60000}", false));
	ASSERT_EQ(0, esprim_session_new(q.tx, SESS_CFG(
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &s2, NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	EXPECT_EQ(4113, open_str(p.rx, obj2, text, sizeof(text), o));
	esprim_session_free(s2);
	/* The same without the oro, in an enc the session's oro lacks: 4111. */
	ASSERT_EQ(0, esprim_session_new(q.tx, SESS_CFG(
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM,
		.announce = ESPRIM_ANNOUNCE_NEVER), &s2, NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	EXPECT_EQ(4111, open_str(p.rx, obj2, text, sizeof(text), o));
	/* In A128GCM it reaches the MAC, under another session key. */
	ASSERT_EQ(0, esprim_session_set_enc(s2, ONEM2M_ESPRIM_ENC_A128GCM,
					    NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	EXPECT_EQ(4115, open_str(p.rx, obj2, text, sizeof(text), o));
	pair_free(&q);
	pair_free(&p);

	/* Replay window: a new fixed field, the window's edges, policy off. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	o = p.o;
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 0, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 2000, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 2000 - 1024, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 2000 - 1023, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	/* AUTO: another fixed field goes through the exact IV set. */
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x12, 3000, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), p.o));
	/* STRICT: only the counters of the first fixed field. */
	ASSERT_EQ(0, pair_rx(&p, CTX_CFG(.replay = ONEM2M_ESPRIM_REPLAY_STRICT),
			     true));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x13, 5, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), p.o));
	ASSERT_EQ(0, pair_rx(&p, CTX_CFG(.replay = ONEM2M_ESPRIM_REPLAY_OFF),
			     true));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	/* A key's own policy overrides the context's. */
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.rx,
		&(struct esprim_pairwise_config){
			.size = sizeof(struct esprim_pairwise_config),
			.kid = KID, .key = pairwise, .key_len = 32,
			.peer = PEER, .replay = ONEM2M_ESPRIM_REPLAY_STRICT },
		NULL));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, KID, &p.oro, NULL));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), p.o));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), p.o));
	pair_free(&p);

	/* Expiry through the pairwise key and through the receiver's object. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, add_pw(p.tx, KID, pairwise, 32, PEER,
			    esprim_now_ms() + 300, NULL));
	/* The key was replaced: its sessions stopped. */
	EXPECT_EQ(4112, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, parse_rand(&rro, "{\"esks\":[1],\"espa\":[10],\"esri\":\"r7\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":300}", true));
	ASSERT_EQ(0, parse_rand(&oro, "{\"esk\":1,\"espa\":[10],\"esri\":\"o7\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":250}", false));
	ASSERT_EQ(0, esprim_ctx_add_own_rand(p.rx, &rro, NULL));
	ASSERT_EQ(0, esprim_ctx_add_learnt_rand(p.rx, KID, &oro, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &s2, NULL));
	ASSERT_EQ(0, esprim_session_new(p.rx, SESS_CFG(
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.role = ONEM2M_ESPRIM_ROLE_RECEIVER), &s3, NULL));
	ASSERT_EQ(0, seal_str(s3, "{}", obj, sizeof(obj)));
	usleep(400 * 1000);
	EXPECT_EQ(4112, seal_str(s2, INNER, obj, sizeof(obj)));
	EXPECT_EQ(4114, seal_str(s3, "{}", obj, sizeof(obj)));
	/* Expired rand objects are found no more, and reaped. */
	EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, NULL, "r7", true));
	EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, KID, "o7", false));
	{
		struct esprim_rand *r1 = esprim_ctx_get_rand(p.rx, NULL, "r1",
							     true);
		struct esprim_ctx_stats before, after;

		ASSERT_NE(NULL, r1);
		EXPECT_STREQ(RRO_JCS, esprim_rand_json(r1, NULL));
		esprim_rand_free(r1);
		esprim_ctx_get_stats(p.rx, &before);
		/* r7, o7 and the receiver's session s3. */
		EXPECT_LE(3U, esprim_ctx_reap(p.rx));
		esprim_ctx_get_stats(p.rx, &after);
		EXPECT_EQ(before.rands - 2, after.rands);
		EXPECT_EQ(before.sessions - 1, after.sessions);
		EXPECT_LE(before.reaped + 3, after.reaped);
	}
	/* s3 was unlinked: the reference still held says so. */
	EXPECT_NE(0, seal_str(s3, "{}", obj, sizeof(obj)));
	esprim_session_put(s3);
	esprim_session_put(s2);
	pair_free(&p);
}

TEST(caller_checks_from)
{
	struct esprim_session *xml;
	char obj[4096], text[1024];
	struct esprim_error err;
	struct esprim_rand oro2;
	struct esprim_opened *o;
	struct pair p;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, pair_rx(&p, CTX_CFG(.caller_checks_from = true), true));
	o = p.o;
	/* An impersonating request opens; the caller is told to check. */
	ASSERT_EQ(0, seal_str(p.s, "{\"fr\":\"Cother\"}", obj, sizeof(obj)));
	ASSERT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_STREQ("{\"fr\":\"Cother\"}", text);
	EXPECT_STREQ(PEER, esprim_opened_peer(o));
	EXPECT_EQ(4116, esprim_check_from(text, esprim_opened_text_len(o),
					  esprim_opened_peer(o), NULL));
	/* Completing the check refuses it, and the text goes. */
	EXPECT_EQ(4116, esprim_opened_check_from(o, "Cother", 6, &err));
	EXPECT_EQ(4116, err.rsc);
	EXPECT_EQ(0U, esprim_opened_text_len(o));
	EXPECT_NE(0, memcmp(text, "{\"fr\":\"Cother\"}", 15));
	/* Also on the cached-header path. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_TRUE(esprim_opened_header_cached(o));
	EXPECT_EQ(0, esprim_check_from(text, esprim_opened_text_len(o),
				       esprim_opened_peer(o), NULL));
	EXPECT_EQ(0, esprim_opened_check_from(o, PEER, strlen(PEER), NULL));
	EXPECT_EQ(strlen(INNER), esprim_opened_text_len(o));
	/* Another identity does not match. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(4116, esprim_opened_check_from(o, "Cgw2", 4, NULL));
	/* An XML request is the caller's to check too. */
	ASSERT_EQ(0, new_originator(&oro2, &p.rro, "n-o2",
				    esprim_now_ms() + 60000, 0x2, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &p.rro, .oro = &oro2,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.cty = "vnd.onem2m-preq+xml"), &xml, NULL));
	ASSERT_EQ(0, seal_str(xml, "<m2m:rqp/>", obj, sizeof(obj)));
	ASSERT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(0, esprim_opened_check_from(o, PEER, strlen(PEER), NULL));
	/* Responses the originator opens need no check. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(ESPRIM_FROM_UNCHECKED,
		  open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, seal_str(esprim_opened_session(o), "{}", obj,
			      sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
	EXPECT_EQ(-EINVAL, esprim_opened_check_from(o, PEER, strlen(PEER),
						    NULL));
	EXPECT_STREQ(PEER, esprim_opened_peer(o));
	esprim_session_put(xml);
	pair_free(&p);
}

TEST(in_band_refresh)
{
	struct esprim_rand fresh, oro2, oro3, *learnt;
	const struct esprim_rand *next;
	struct esprim_session *s2, *resp;
	char obj[4096], text[1024];
	struct esprim_error err;
	struct esprim_opened *o;
	struct esprim_header *h;
	struct pair p;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, true));
	o = p.o;
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(NULL, esprim_opened_next_rand(o));
	/* The receiver offers n-r2 in its response. */
	ASSERT_EQ(0, new_receiver(&fresh, "n-r2", 0, esprim_now_ms() + 600000,
				  0xe, NULL));
	EXPECT_EQ(-EINVAL, esprim_session_offer_next(p.s, &fresh, &err));
	EXPECT_EQ(5211, err.rsc);
	resp = esprim_opened_session(o);
	ASSERT_EQ(0, esprim_session_offer_next(resp, &fresh, NULL));
	ASSERT_EQ(0, seal_str(resp, "{\"rsc\":2000}", obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
	next = esprim_opened_next_rand(o);
	ASSERT_NE(NULL, next);
	EXPECT_STREQ("n-r2", esprim_rand_id(next));
	EXPECT_TRUE(esprim_rand_is_receiver(next));
	EXPECT_STREQ(esprim_rand_json(&fresh, NULL),
		     esprim_rand_json(next, NULL));
	/* The originator learnt it under the key, not as its own. */
	EXPECT_EQ(NULL, esprim_ctx_get_rand(p.tx, NULL, "n-r2", true));
	learnt = esprim_ctx_get_rand(p.tx, KID, "n-r2", true);
	ASSERT_NE(NULL, learnt);
	EXPECT_STREQ(esprim_rand_json(&fresh, NULL),
		     esprim_rand_json(learnt, NULL));
	/* A repeat of the response header teaches nothing new. */
	ASSERT_EQ(0, seal_str(resp, "{\"rsc\":2000}", obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
	EXPECT_TRUE(esprim_opened_header_cached(o));
	/* The next session uses it and the receiver opens it. */
	ASSERT_EQ(0, new_originator(&oro2, learnt, "n-o2",
				    esprim_rand_expiry_ms(learnt), 0x2, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = learnt, .oro = &oro2,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM), &s2, NULL));
	esprim_rand_free(learnt);
	ASSERT_EQ(0, seal_str(s2, INNER, obj, sizeof(obj)));
	h = inspect(obj);
	ASSERT_NE(NULL, h);
	EXPECT_STREQ("n-r2", esprim_header_rri(h));
	EXPECT_STREQ("n-o2", esprim_header_ori(h));
	esprim_header_free(h);
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_STREQ(INNER, text);

	/*
	 * The originator offers its next object (n-o3) in its requests; the
	 * receiver learns it under the key once a request verified.
	 */
	ASSERT_EQ(-EINVAL, esprim_session_offer_next(s2, &fresh, NULL));
	ASSERT_EQ(0, new_originator(&oro3, &fresh, "n-o3",
				    esprim_now_ms() + 60000, 0x2, NULL));
	ASSERT_EQ(0, seal_str(esprim_opened_session(o), "{}", obj,
			      sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_session_offer_next(s2, &oro3, NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj, sizeof(obj)));
	h = inspect(obj);
	ASSERT_NE(NULL, h);
	ASSERT_NE(NULL, esprim_header_oro(h));
	EXPECT_STREQ("n-o3", esprim_rand_id(esprim_header_oro(h)));
	EXPECT_STREQ("n-o2", esprim_header_ori(h));
	esprim_header_free(h);
	EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, KID, "n-o3", false));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	next = esprim_opened_next_rand(o);
	ASSERT_NE(NULL, next);
	EXPECT_STREQ("n-o3", esprim_rand_id(next));
	learnt = esprim_ctx_get_rand(p.rx, KID, "n-o3", false);
	ASSERT_NE(NULL, learnt);
	EXPECT_TRUE(esprim_rand_equal(&oro3, learnt));
	esprim_rand_free(learnt);
	EXPECT_EQ(NULL, esprim_ctx_get_rand(p.rx, NULL, "n-o3", false));
	/* A session of the next object opens without announcing. */
	esprim_session_put(s2);
	ASSERT_EQ(0, esprim_session_new(p.tx, SESS_CFG(
		.kid = KID, .rro = &fresh, .oro = &oro3,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.announce = ESPRIM_ANNOUNCE_NEVER), &s2, NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_STREQ(INNER, text);
	esprim_session_put(s2);
	pair_free(&p);
}

TEST(seci_content)
{
	struct esprim_seci seci;
	struct esprim_rand rro;
	struct esprim_error err;
	char buf[256], *json;
	const char *text;

	ASSERT_EQ(0, parse_rand(&rro, RRO_JCS, true));
	ASSERT_LT(0, esprim_seci_build_epo("a..b.c.d", 8, buf, sizeof(buf)));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":5,\"epo\":\"a..b.c.d\"}}", buf);
	EXPECT_EQ(0U, esprim_seci_build_epo("a..b.c.d", 8, buf, 20));
	ASSERT_EQ(0, esprim_seci_parse(&seci, buf, strlen(buf), 0, NULL));
	EXPECT_EQ(5, seci.sit);
	EXPECT_EQ(8U, seci.epo_len);
	EXPECT_EQ(0, strncmp("a..b.c.d", seci.epo, 8));
	esprim_seci_release(&seci);

	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_RRO_REQUEST, NULL,
				       NULL, 0, NULL));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":3}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	EXPECT_EQ(3, seci.sit);
	EXPECT_EQ(NULL, seci.ero);
	esprim_seci_release(&seci);
	esprim_free(json);

	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_RRO_RESPONSE, &rro,
				       NULL, 0, NULL));
	ASSERT_NE(NULL, json);
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":4,\"ero\":" RRO_JCS "}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	ASSERT_NE(NULL, seci.ero);
	EXPECT_STREQ(RRO_JCS, esprim_rand_json(seci.ero, NULL));
	EXPECT_TRUE(esprim_rand_is_receiver(seci.ero));
	esprim_seci_release(&seci);
	EXPECT_EQ(NULL, seci.ero);
	esprim_seci_release(&seci);	/* twice is harmless */
	esprim_free(json);

	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL,
				       (const uint8_t *)"\x16\x03\x03", 3,
				       NULL));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMD\"}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	EXPECT_EQ(3U, seci.eckm_len);
	EXPECT_EQ(0, memcmp(seci.eckm, "\x16\x03\x03", 3));
	esprim_seci_release(&seci);
	esprim_free(json);
	/* One and two padding characters, spare bits zero. */
	text = "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMDFg==\"}}";
	ASSERT_EQ(0, esprim_seci_parse(&seci, text, strlen(text), 0, NULL));
	EXPECT_EQ(4U, seci.eckm_len);
	EXPECT_EQ(0, memcmp(seci.eckm, "\x16\x03\x03\x16", 4));
	esprim_seci_release(&seci);
	text = "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMDFgM=\"}}";
	ASSERT_EQ(0, esprim_seci_parse(&seci, text, strlen(text), 0, NULL));
	EXPECT_EQ(5U, seci.eckm_len);
	EXPECT_EQ(0, memcmp(seci.eckm, "\x16\x03\x03\x16\x03", 5));
	esprim_seci_release(&seci);
	/* What cannot be built is a bad argument, and nothing is returned. */
	json = (char *)1;
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, 7, NULL, NULL, 0, &err));
	EXPECT_EQ(NULL, json);
	EXPECT_EQ(EINVAL, err.errnum);
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_RRO_RESPONSE,
					     NULL, NULL, 0, NULL));
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL,
					     NULL, 0, NULL));
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_RRO_REQUEST,
					     &rro, NULL, 0, NULL));
	EXPECT_EQ(NULL, json);


#define SECI_BAD(rsc, s) \
	EXPECT_EQ(rsc, esprim_seci_parse(&seci, s, strlen(s), 0, NULL)) \
		TH_LOG("%s", s)
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":5}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":5,\"epo\":1}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":3,\"epo\":\"x\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":\"5\",\"epo\":\"x\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":5,\"epo\":\"x\",\"epo\":\"y\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":5,\"epo\":\"x\"},\"x\":1}");
	SECI_BAD(4000, "{\"m2m:sec\":{\"sit\":5,\"epo\":\"x\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgM\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"Fg=D\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"Fg!D\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":7}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"F===\"}}");
	/* Spare bits after the last octet must be zero (canonical). */
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMDFh==\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMDFgN=\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMDFgP=\"}}");
	SECI_BAD(4000, "{\"m2m:seci\":5}");
	SECI_BAD(4000, "[{\"m2m:seci\":{\"sit\":3}}]");
	SECI_BAD(4111, "{\"m2m:seci\":{\"sit\":-1}}");
	SECI_BAD(4000, "{\"m2m:seci\":{\"sit\":4,\"ero\":{}}}");
	SECI_BAD(4000, "not json");
	SECI_BAD(4111, "{\"m2m:seci\":{\"sit\":1}}");
	SECI_BAD(4111, "{\"m2m:seci\":{\"sit\":7}}");
}

TEST(check_from)
{
	EXPECT_EQ(0, esprim_check_from("{\"fr\":\"Cgw1\"}", 13, "Cgw1", NULL));
	EXPECT_EQ(4116, esprim_check_from("{\"fr\":\"Cgw2\"}", 13, "Cgw1",
					  NULL));
	EXPECT_EQ(4116, esprim_check_from("{\"fr\":\"Cgw1x\"}", 14, "Cgw1",
					  NULL));
	EXPECT_EQ(4000, esprim_check_from("{\"fr\":1}", 8, "Cgw1", NULL));
	EXPECT_EQ(4000, esprim_check_from("{\"fr\":\"a\",\"fr\":\"b\"}", 19,
					  "a", NULL));
}


TEST(batch)
{
	struct esprim_batch_item in[8], out[8];
	struct esprim_opened *res[8];
	char objs[8][2048], texts[8][512];
	struct pair p;
	int i;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A256GCM, true));
	for (i = 0; i < 8; i++)
		in[i] = (struct esprim_batch_item){
			.in = INNER, .in_len = strlen(INNER),
			.out = objs[i], .out_size = sizeof(objs[i]) };
	in[5].out_size = 10;
	EXPECT_EQ(7U, esprim_seal_batch(p.s, in, 8));
	EXPECT_EQ(-ENOBUFS, in[5].rsc);
	for (i = 0; i < 8; i++)
		out[i] = (struct esprim_batch_item){
			.in = objs[i], .in_len = i == 5 ? 0 : in[i].out_len,
			.out = texts[i], .out_size = sizeof(texts[i]) };
	EXPECT_EQ(7U, esprim_open_batch(p.rx, out, NULL, 8));
	EXPECT_EQ(4000, out[5].rsc);
	EXPECT_EQ(0, out[7].rsc);
	EXPECT_EQ(strlen(INNER), out[7].out_len);
	EXPECT_EQ(0, memcmp(texts[7], INNER, strlen(INNER)));
	/* Replayed as a batch: each item refused. */
	EXPECT_EQ(0U, esprim_open_batch(p.rx, out, NULL, 8));
	EXPECT_EQ(5210, out[0].rsc);
	EXPECT_EQ(0U, out[0].out_len);

	/*
	 * The caller's From check: without results to check them with,
	 * items are refused and their text wiped; with them, each item is
	 * ESPRIM_FROM_UNCHECKED until esprim_opened_check_from().
	 */
	ASSERT_EQ(0, pair_rx(&p, CTX_CFG(.caller_checks_from = true), false));
	ASSERT_EQ(8U, esprim_seal_batch(p.s, in, 8) + 1);
	for (i = 0; i < 8; i++)
		out[i].in_len = i == 5 ? 0 : in[i].out_len;
	EXPECT_EQ(0U, esprim_open_batch(p.rx, out, NULL, 4));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(ESPRIM_FROM_UNCHECKED, out[i].rsc);
		EXPECT_EQ(0U, out[i].out_len);
		EXPECT_NE(0, memcmp(texts[i], INNER, strlen(INNER)));
	}
	for (i = 0; i < 8; i++) {
		res[i] = esprim_opened_new();
		ASSERT_NE(NULL, res[i]);
	}
	EXPECT_EQ(0U, esprim_open_batch(p.rx, out + 4, res + 4, 4));
	EXPECT_EQ(ESPRIM_FROM_UNCHECKED, out[4].rsc);
	EXPECT_EQ(4000, out[5].rsc);
	EXPECT_EQ(ESPRIM_FROM_UNCHECKED, out[7].rsc);
	EXPECT_EQ(strlen(INNER), out[7].out_len);
	EXPECT_EQ(0, memcmp(texts[7], INNER, strlen(INNER)));
	EXPECT_EQ(0, esprim_opened_check_from(res[7], PEER, strlen(PEER),
					      NULL));
	EXPECT_EQ(4116, esprim_opened_check_from(res[6], "Cother", 6, NULL));
	EXPECT_EQ(0U, esprim_opened_text_len(res[6]));
	for (i = 0; i < 8; i++)
		esprim_opened_free(res[i]);
	pair_free(&p);
}

/* ---- malformed-object corpus ---- */

static void b64_append(char *dst, const char *text, size_t n)
{
	dst += strlen(dst);
	dst[esprim_b64url_encode((const uint8_t *)text, n, dst)] = 0;
}

/*
 * Expands a corpus template: $H, $IV, $CT, $TAG are the parts of a valid
 * object, <<json>> is base64url of the text between the brackets.
 */
static void expand(const char *t, const struct esprim_compact *v, char *out)
{
	static const char *const names[] = { "$H", "$IV", "$CT", "$TAG" };
	static const int parts[] = { 0, 2, 3, 4 };
	const char *end;
	int i;

	*out = 0;
	while (*t) {
		if (!strncmp(t, "<<", 2) && (end = strstr(t, ">>"))) {
			b64_append(out, t + 2, (size_t)(end - t - 2));
			t = end + 2;
			continue;
		}
		for (i = 0; i < 4; i++)
			if (!strncmp(t, names[i], strlen(names[i])) &&
			    !(t[strlen(names[i])] >= 'A' &&
			      t[strlen(names[i])] <= 'Z'))
				break;
		if (i < 4) {
			strncat(out, v->part[parts[i]], v->len[parts[i]]);
			t += strlen(names[i]);
			continue;
		}
		strncat(out, t++, 1);
	}
}

TEST(malformed_corpus)
{
	char line[4096], obj[8192], valid[4096], text[2048];
	struct esprim_compact v;
	int rsc, got, n = 0, pos;
	struct esprim_error err;
	struct pair p;
	FILE *f;

	f = fopen(CORPUS, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		ASSERT_EQ(1, sscanf(line, "%d %*s %n", &rsc, &pos));
		ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A256GCM, false));
		ASSERT_EQ(0, seal_str(p.s, INNER, valid, sizeof(valid)));
		ASSERT_EQ(0, esprim_compact_split(&v, valid, strlen(valid),
						  NULL));
		expand(line + pos, &v, obj);
		memset(&err, 0, sizeof(err));
		got = esprim_open(p.rx, obj, strlen(obj), text, sizeof(text),
				  p.o, &err);
		EXPECT_EQ(rsc, got)
			TH_LOG("%s -> %d %s", line, got, got ? err.msg : "");
		/* Every refusal comes with a message and its RSC. */
		if (got) {
			EXPECT_NE(0, err.msg[0]);
			EXPECT_EQ(got, err.rsc);
			EXPECT_EQ(0, err.errnum);
			EXPECT_EQ(0U, esprim_opened_text_len(p.o));
		}
		pair_free(&p);
		n++;
	}
	fclose(f);
	EXPECT_LE(50, n);
	TH_LOG("%d malformed objects", n);
}

/*
 * The shared replay vectors (selftests/lib/replay_vectors.h) against the
 * soft backend's replay state, with the results the kernel gives.
 */
TEST(shared_replay_vectors)
{
	static const int want[] = {
		[RV_OK] = 0,
		[RV_REPLAYED] = ESPRIM_REPLAY_REPLAYED,
		[RV_REFLECTED] = ESPRIM_REPLAY_REFLECTED,
		[RV_FULL] = ESPRIM_REPLAY_SET_FULL,
	};
	const uint32_t own = ONEM2M_ESPRIM_IV_ROLE_BIT | 0x0abcdef0;
	struct esprim_replay r;
	uint8_t iv[ONEM2M_ESPRIM_IV_LEN];
	size_t v, i;
	uint64_t k, c;
	uint32_t fixed;
	int b;

	for (v = 0; v < sizeof(replay_vectors) / sizeof(replay_vectors[0]);
	     v++) {
		const struct replay_vector *rv = &replay_vectors[v];

		esprim_replay_init(&r, rv->policy, RV_WINDOW, RV_SET);
		for (i = 0; i < rv->n; i++) {
			const struct replay_step *st = &rv->steps[i];
			uint64_t runs = st->kind == RV_RUN ? st->counter : 1;

			for (k = 0; k < runs; k++) {
				fixed = st->kind == RV_OWN ? own :
					st->kind == RV_RUN ? st->fixed + (uint32_t)k :
					st->fixed;
				c = st->kind == RV_RUN ? k :
				    st->kind == RV_OWN ? 0 : st->counter;
				for (b = 0; b < 4; b++)
					iv[b] = (uint8_t)(fixed >> (24 - 8 * b));
				for (b = 0; b < 8; b++)
					iv[4 + b] = (uint8_t)(c >> (56 - 8 * b));
				EXPECT_EQ(want[st->expect],
					  esprim_replay_commit(&r, own, iv))
					TH_LOG("%s: step %zu (%llu)", rv->name,
					       i, (unsigned long long)k);
			}
		}
		esprim_replay_fini(&r);
	}
}

TEST_HARNESS_MAIN
