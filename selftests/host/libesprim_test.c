// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim unit tests (soft backend, no kernel module): base64url, rand
 * objects and their JCS octets, the pairing rules, the KDF against OpenSSL
 * HMAC and pinned vectors, header parsing, seal/open, replay, the From
 * check, m2m:seci, batches, and the malformed-object corpus
 * (malformed_objects.txt beside this file, each line with its RSC).
 */
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

static int parse_rand(struct esprim_rand *r, const char *json, bool receiver)
{
	return esprim_rand_parse(r, json, strlen(json), receiver,
				 esprim_now_ms(), NULL);
}

static int header_rsc(const char *json)
{
	struct esprim_header *h = malloc(sizeof(*h));
	int rc = esprim_header_parse(h, json, strlen(json), esprim_now_ms(),
				     NULL);

	free(h);
	return rc;
}

/* Receiver and originator contexts with one session each way. */
struct pair {
	struct esprim_ctx *rx, *tx;
	struct esprim_session *s;
	struct esprim_rand rro, oro;
};

/*
 * (Re)creates the receiver's context with cfg: the pairwise key bound to
 * PEER, the receiver rand object and, when with_oro, the originator's.
 */
static int pair_rx(struct pair *p, const struct esprim_ctx_config *cfg,
		   bool with_oro)
{
	int rc;

	esprim_ctx_free(p->rx);
	p->rx = NULL;
	rc = esprim_ctx_new(&p->rx, cfg, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(p->rx, KID, pairwise, 32, PEER, 0,
					   NULL);
	rc = rc ?: esprim_ctx_add_rand(p->rx, &p->rro, NULL);
	if (!rc && with_oro)
		rc = esprim_ctx_add_rand(p->rx, &p->oro, NULL);
	return rc;
}

static int pair_setup(struct pair *p, enum onem2m_esprim_enc enc,
		      bool announce)
{
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_SOFT };
	struct esprim_session_config sc = {
		.kid = KID, .enc = enc, .role = ONEM2M_ESPRIM_ROLE_ORIGINATOR,
		.announce = announce,
	};
	int rc;

	memset(p, 0, sizeof(*p));
	rc = parse_rand(&p->rro, RRO_JCS, true);
	rc = rc ?: esprim_rand_new_originator(&p->oro, &p->rro, "o1",
					      esprim_now_ms() + 60000,
					      1U << enc, NULL);
	rc = rc ?: pair_rx(p, &cfg, !announce);
	rc = rc ?: esprim_ctx_new(&p->tx, &cfg, NULL);
	rc = rc ?: esprim_ctx_add_pairwise(p->tx, KID, pairwise, 32, PEER, 0,
					   NULL);
	sc.rro = &p->rro;
	sc.oro = &p->oro;
	return rc ?: esprim_session_new(p->tx, &sc, &p->s, NULL);
}

static void pair_free(struct pair *p)
{
	esprim_ctx_free(p->rx);
	esprim_ctx_free(p->tx);
}

static int seal_str(struct esprim_session *s, const char *text, char *out,
		    size_t size)
{
	size_t len;

	return esprim_seal(s, text, strlen(text), out, size, &len, NULL);
}

static int open_str(struct esprim_ctx *ctx, const char *obj, char *out,
		    size_t size, struct esprim_opened *o)
{
	int rc = esprim_open(ctx, obj, strlen(obj), out, size - 1, o, NULL);

	out[rc ? 0 : o->text_len] = 0;
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
		ASSERT_EQ((long)n, esprim_b64url_decode(enc, len, back));
		ASSERT_EQ(0, memcmp(in, back, n));
	}
	enc[esprim_b64url_encode((const uint8_t *)"\xfb\xff", 2, enc)] = 0;
	EXPECT_STREQ("-_8", enc);
	EXPECT_EQ(-1, esprim_b64url_decode("AAA=", 4, back));
	EXPECT_EQ(-1, esprim_b64url_decode("AA+A", 4, back));
	EXPECT_EQ(-1, esprim_b64url_decode("AA/A", 4, back));
	EXPECT_EQ(-1, esprim_b64url_decode("AA A", 4, back));
	EXPECT_EQ(-1, esprim_b64url_decode("AAAAA", 5, back));
	EXPECT_EQ(-1, esprim_b64url_decode("AB", 2, back));	/* stray bits */
	EXPECT_EQ(-1, esprim_b64url_decode("AAB", 3, back));
	EXPECT_EQ(1, esprim_b64url_decode("AA", 2, back));
	EXPECT_EQ(-1, esprim_b64url_decode("A\0AA", 4, back));
	/* Bad characters inside the eight-at-a-time loop. */
	len = esprim_b64url_encode(in, 60, enc);
	for (n = 0; n < len; n += 7) {
		char c = enc[n];

		enc[n] = n % 2 ? '=' : '.';
		EXPECT_EQ(-1, esprim_b64url_decode(enc, len, back))
			TH_LOG("bad character at %zu", n);
		enc[n] = c;
	}
	EXPECT_EQ(60, esprim_b64url_decode(enc, len, back));
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

	ASSERT_EQ(0, parse_rand(&r, RRO_JSON, true));
	EXPECT_STREQ(RRO_JCS, r.canon);
	EXPECT_EQ(strlen(RRO_JCS), r.canon_len);
	EXPECT_STREQ("r1", r.id);
	EXPECT_EQ(0xeU, r.espa);
	EXPECT_EQ(0x2U, r.kdf);
	/* Escapes as RFC 8785 writes them; unknown identifiers are kept. */
	ASSERT_EQ(0, parse_rand(&r, "{\"esk\":1,\"espa\":[12,99],\"esri\":\"o\","
				"\"esrv\":\"\\u00e9\\\"\\\\\\u0001\\n\\u2028/abcdefghijk\","
				"\"esrx\":3600000}", false));
	EXPECT_STREQ("{\"esk\":1,\"espa\":[12,99],\"esri\":\"o\","
		     "\"esrv\":\"\xc3\xa9\\\"\\\\\\u0001\\n\xe2\x80\xa8/abcdefghijk\","
		     "\"esrx\":3600000}", r.canon);
	EXPECT_EQ((1U << 3) | 1U, r.espa);
}

TEST(rand_expiry_forms)
{
	struct esprim_rand r;
	int64_t now = esprim_now_ms();

	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T000000\"}",
				true));
	EXPECT_EQ(1893456000000LL, r.expiry_ms);
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"20300101T000000,5Z\"}",
				true));
	EXPECT_EQ(1893456000500LL, r.expiry_ms);
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":\"60000\"}",
				true));
	EXPECT_LE(now + 60000, r.expiry_ms);
	EXPECT_GT(now + 70000, r.expiry_ms);
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"a\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":60000}",
				true));
	EXPECT_LE(now + 60000, r.expiry_ms);
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
	struct esprim_rand r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(4000, esprim_rand_parse(&r, bad[i], strlen(bad[i]),
						  true, 0, &err))
			TH_LOG("case %zu accepted: %s", i, bad[i]);
		EXPECT_EQ(4000, err.rsc);
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
		EXPECT_EQ(4000, esprim_rand_parse(&r, json, strlen(json), true,
						  0, &err));
		EXPECT_NE(NULL, strstr(err.msg, "longer than 1024"));
		/* An originator object cannot serve as a receiver's. */
		ASSERT_EQ(0, parse_rand(&rro, ORO_JCS, false));
		EXPECT_EQ(4000, esprim_rand_new_originator(&r, &rro, "o", 1,
							   0xe, NULL));
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
	ASSERT_EQ(0, esprim_rand_new_originator(&x, &rro, "o2",
						rro.expiry_ms + 86400000,
						0xe, NULL));
	EXPECT_EQ(rro.expiry_ms, x.expiry_ms);
	EXPECT_EQ(22U, strlen(x.value));
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
	EXPECT_EQ(4111, esprim_rand_new_originator(&oro, &x, "o", now + 1000,
						   0xe, NULL));
	EXPECT_EQ(4000, esprim_rand_new_receiver(&x, "no:colon", now, 0xe,
						 NULL));
	EXPECT_EQ(4111, esprim_rand_new_receiver(&x, "r", now, 0, NULL));
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
		{ 4000, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\",\"oro\":" ORO_JCS "}" },
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
}

TEST(compact_split)
{
	struct esprim_compact c;

	EXPECT_EQ(0, esprim_compact_split(&c, "a..b.c.d", 8, NULL));
	EXPECT_EQ(0, esprim_compact_split(&c, "a..b..d", 7, NULL));
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
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_SOFT };
	struct esprim_session_config sc = {
		.kid = KID, .enc = ONEM2M_ESPRIM_ENC_A256GCM,
		.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR,
	};
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_rand rro, oro;
	struct esprim_session *s;
	struct esprim_ctx *ctx;
	char out[1024];
	size_t len;

	ASSERT_EQ(0, parse_rand(&rro, RRO_JSON, true));
	ASSERT_EQ(0, parse_rand(&oro, ORO_JCS, false));
	sc.rro = &rro;
	sc.oro = &oro;
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &cfg, NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(ctx, KID, pairwise, 32, PEER,
					     0, NULL));
	ASSERT_EQ(0, esprim_session_new(ctx, &sc, &s, NULL));
	ASSERT_EQ(0, esprim_session_set_iv(s, 0x2a, 7, NULL));
	ASSERT_EQ(0, esprim_seal(s, INNER, strlen(INNER), out, sizeof(out),
				 &len, NULL));
	EXPECT_STREQ(pinned_object, out);
	EXPECT_EQ(esprim_seal_size(s, strlen(INNER)), len);
	esprim_ctx_free(ctx);

	/* And the receiver opens it. */
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &cfg, NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(ctx, KID, pairwise, 32, PEER,
					     0, NULL));
	ASSERT_EQ(0, esprim_ctx_add_rand(ctx, &rro, NULL));
	ASSERT_EQ(0, esprim_ctx_add_rand(ctx, &oro, NULL));
	ASSERT_EQ(0, open_str(ctx, pinned_object, out, sizeof(out), o));
	EXPECT_STREQ(INNER, out);
	EXPECT_STREQ("vnd.onem2m-preq+json", o->header.cty);
	esprim_ctx_free(ctx);
	free(o);
}

TEST(seal_open_every_enc_both_ways)
{
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_session *resp;
	char obj[4096], text[1024];
	struct pair p;
	int enc;

	for (enc = 1; enc <= 3; enc++) {
		ASSERT_EQ(0, pair_setup(&p, enc, true));
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_STREQ(INNER, text);
		EXPECT_FALSE(o->header_cached);
		EXPECT_TRUE(o->header.has_oro);
		/* The receiver's response with the same session. */
		resp = o->session;
		ASSERT_EQ(0, seal_str(resp, "{\"rsc\":2001}", obj, sizeof(obj)));
		ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
		EXPECT_STREQ("{\"rsc\":2001}", text);
		EXPECT_EQ(p.s, o->session);
		/* The originator stops announcing its rand object. */
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_FALSE(o->header.has_oro);
		/* Same header again: parsed no more. */
		ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
		ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
		EXPECT_TRUE(o->header_cached);
		EXPECT_STREQ(INNER, text);
		pair_free(&p);
	}
	free(o);
}

TEST(open_errors)
{
	struct esprim_opened *o = malloc(sizeof(*o));
	char obj[4096], obj2[4096], text[1024];
	struct esprim_session *resp;
	struct esprim_error err;
	struct esprim_rand r;
	struct pair p;
	size_t len;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A256GCM, false));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj2, sizeof(obj2)));
	/* Output too small: decryption error, nothing consumed. */
	EXPECT_EQ(5210, esprim_open(p.rx, obj, strlen(obj), text, 10, o,
				    &err));
	ASSERT_EQ(0, open_str(p.rx, obj2, text, sizeof(text), o));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	resp = o->session;
	/* Replays, on the parsed and the cached path. */
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(5210, open_str(p.rx, obj2, text, sizeof(text), o));
	/* Reflection: the originator's own object back to it. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.tx, obj, text, sizeof(text), o));
	/* A response-typed object at a receiver that checks From. */
	ASSERT_EQ(0, seal_str(resp, "{}", obj, sizeof(obj)));
	EXPECT_EQ(4111, open_str(p.rx, obj, text, sizeof(text), o));
	/* Impersonation: another From. */
	ASSERT_EQ(0, seal_str(p.s, "{\"op\":2,\"fr\":\"Cother\"}", obj,
			      sizeof(obj)));
	EXPECT_EQ(4116, esprim_open(p.rx, obj, strlen(obj), text,
				    sizeof(text), o, &err));
	EXPECT_EQ(4116, err.rsc);
	ASSERT_EQ(0, seal_str(p.s, "not json", obj, sizeof(obj)));
	EXPECT_EQ(4000, open_str(p.rx, obj, text, sizeof(text), o));
	/* Seal: output too small, input too long. */
	EXPECT_EQ(5211, esprim_seal(p.s, INNER, strlen(INNER), obj, 20, &len,
				    NULL));
	EXPECT_EQ(5211, esprim_seal(p.s, INNER, ONEM2M_ESPRIM_MAX_TEXT + 1,
				    obj, sizeof(obj), &len, NULL));
	pair_free(&p);

	/* Unknown pairwise key, receiver and originator rand objects. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	esprim_ctx_free(p.rx);
	ASSERT_EQ(0, esprim_ctx_new(&p.rx, &(struct esprim_ctx_config){ 0 },
				    NULL));
	EXPECT_EQ(4112, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.rx, KID, pairwise, 32, PEER,
					     0, NULL));
	EXPECT_EQ(4114, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_ctx_add_rand(p.rx, &p.rro, NULL));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), o));
	/* Wrong pairwise key: the MAC fails, no session is left behind. */
	memcpy(text, pairwise, 32);
	text[0] ^= 1;
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.rx, KID, (uint8_t *)text, 32,
					     PEER, 0, NULL));
	ASSERT_EQ(0, esprim_ctx_add_rand(p.rx, &p.oro, NULL));
	EXPECT_EQ(4115, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.rx, KID, pairwise, 32, PEER,
					     0, NULL));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	/* An expired pairwise key. */
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.rx, KID, pairwise, 32, PEER,
					     esprim_now_ms() - 1, NULL));
	EXPECT_EQ(4112, open_str(p.rx, obj, text, sizeof(text), o));
	pair_free(&p);

	/* XML inner primitives cannot get the From check. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	esprim_session_free(p.s);
	ASSERT_EQ(0, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.cty = "vnd.onem2m-preq+xml" }, &p.s, NULL));
	ASSERT_EQ(0, seal_str(p.s, "<m2m:rqp/>", obj, sizeof(obj)));
	EXPECT_EQ(4111, open_str(p.rx, obj, text, sizeof(text), o));
	/* A session's enc is fixed; a second session for a triple too. */
	EXPECT_EQ(4000, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM }, &p.s, NULL));
	EXPECT_EQ(4111, esprim_session_new(p.rx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM }, &p.s, NULL));
	EXPECT_EQ(4112, esprim_session_new(p.rx, &(struct esprim_session_config){
		.kid = "nokey", .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM }, &p.s, NULL));
	ASSERT_EQ(0, parse_rand(&r, "{\"esks\":[1],\"espa\":[10],\"esri\":\"r1\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":1}", true));
	usleep(5000);
	EXPECT_EQ(4114, esprim_session_new(p.rx, &(struct esprim_session_config){
		.kid = KID, .rro = &r, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM }, &p.s, NULL));
	pair_free(&p);
	free(o);
}

TEST(ivs_run_out_and_sessions_expire)
{
	struct esprim_opened *o = malloc(sizeof(*o));
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
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(5211, esprim_seal(p.s, INNER, strlen(INNER), obj,
				    sizeof(obj), &(size_t){ 0 }, &err));
	EXPECT_NE(NULL, strstr(err.msg, "used all its IVs"));
	pair_free(&p);

	/* A session ends with its rand objects: 5211 to seal, 4113 to open. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, parse_rand(&rro, RRO_JCS, true));
	ASSERT_EQ(0, parse_rand(&oro, "{\"esk\":1,\"espa\":[10],\"esri\":\"o5\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":300}", false));
	ASSERT_EQ(0, esprim_ctx_add_rand(p.rx, &oro, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM }, &s, NULL));
	ASSERT_EQ(0, seal_str(s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, seal_str(s, INNER, obj, sizeof(obj)));
	usleep(400 * 1000);
	EXPECT_EQ(5211, seal_str(s, INNER, text, sizeof(text)));
	EXPECT_EQ(4113, open_str(p.rx, obj, text, sizeof(text), o));
	pair_free(&p);
	free(o);
}

TEST(context_and_session_edges)
{
	struct esprim_ctx_config bad = { .replay = 7 };
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_session *s2, *s3;
	struct esprim_rand rro, oro, oro_b;
	char obj[4096], obj2[4096], text[1024];
	const char *hdr;
	struct esprim_ctx *ctx;
	struct pair p, q;
	size_t len;

	/* Context configuration. */
	EXPECT_EQ(4000, esprim_ctx_new(&ctx, &bad, NULL));
	bad = (struct esprim_ctx_config){ .replay_window = 100 };
	EXPECT_EQ(4000, esprim_ctx_new(&ctx, &bad, NULL));
	bad = (struct esprim_ctx_config){ .replay_window = 8192 };
	EXPECT_EQ(4000, esprim_ctx_new(&ctx, &bad, NULL));
	bad = (struct esprim_ctx_config){ .replay_set = 4097 };
	EXPECT_EQ(4000, esprim_ctx_new(&ctx, &bad, NULL));
	bad = (struct esprim_ctx_config){ .backend = 9 };
	EXPECT_EQ(4000, esprim_ctx_new(&ctx, &bad, NULL));
	esprim_ctx_free(NULL);

	/* Pairwise keys. */
	ASSERT_EQ(0, esprim_ctx_new(&ctx, &(struct esprim_ctx_config){ 0 },
				    NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, "a:b", pairwise, 32,
						NULL, 0, NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, NULL, pairwise, 32,
						NULL, 0, NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, "k", pairwise, 15, NULL,
						0, NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, "k", pairwise, 65, NULL,
						0, NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, "k", pairwise, 32,
						"C gw", 0, NULL));
	EXPECT_EQ(4000, esprim_ctx_add_pairwise(ctx, "k", pairwise, 32, "",
						0, NULL));
	esprim_ctx_free(ctx);

	/* Session configuration. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	EXPECT_EQ(4000, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .oro = &p.oro, .enc = 1 }, &s2, NULL));
	ASSERT_EQ(0, esprim_rand_new_originator(&oro_b, &p.rro, "ob",
						esprim_now_ms() + 60000, 0x2,
						NULL));
	EXPECT_EQ(4000, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 1,
		.role = 5 }, &s2, NULL));
	EXPECT_EQ(4000, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &oro_b, .enc = 1,
		.cty = "a\"b" }, &s2, NULL));

	/* The header a session seals with starts every object. */
	hdr = esprim_session_header(p.s, &len);
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, strncmp(obj, hdr, len));
	EXPECT_EQ('.', obj[len]);

	/* A receiver's offer of rand objects, and withdrawing it. */
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	s3 = o->session;
	EXPECT_EQ(4000, esprim_session_offer_rro(s3, &p.oro, NULL));
	ASSERT_EQ(0, esprim_session_offer_rro(s3, &p.rro, NULL));
	hdr = esprim_session_header(s3, &len);
	ASSERT_EQ(0, esprim_session_offer_rro(s3, NULL, NULL));
	EXPECT_GT(len, esprim_session_header(s3, &len) ? len : 0);

	/* Same kid, ori, rri from elsewhere with another enc or oro. */
	ASSERT_EQ(0, pair_setup(&q, ONEM2M_ESPRIM_ENC_A128GCM, false));
	esprim_session_free(q.s);
	rro = p.rro;
	oro = p.oro;
	oro.espa |= 1U << ONEM2M_ESPRIM_ENC_A256GCM;
	ASSERT_EQ(0, esprim_session_new(q.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM, .announce = true }, &s2,
		NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	/*
	 * q's oro is p's, so the header fits the session; a second sender
	 * (another IV fixed field) is taken as a random-IV peer under AUTO:
	 * its object opens once.
	 */
	EXPECT_EQ(0, open_str(p.rx, obj2, text, sizeof(text), o));
	EXPECT_EQ(5210, open_str(p.rx, obj2, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_rand_new_originator(&oro, &p.rro, "o1",
						esprim_now_ms() + 60000, 0xe,
						NULL));
	esprim_session_free(s2);
	ASSERT_EQ(0, esprim_session_new(q.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM, .announce = true }, &s2,
		NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	EXPECT_EQ(4111, open_str(p.rx, obj2, text, sizeof(text), o));
	esprim_session_free(s2);
	ASSERT_EQ(0, esprim_session_new(q.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM, .announce = true }, &s2,
		NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj2, sizeof(obj2)));
	EXPECT_EQ(4113, open_str(p.rx, obj2, text, sizeof(text), o));
	pair_free(&q);
	pair_free(&p);

	/* Replay window: a new fixed field, the window's edges, policy off. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 0, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 2000, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 2000 - 1024, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x11, 2000 - 1023, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	/* AUTO: another fixed field goes through the exact IV set. */
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x12, 3000, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), o));
	/* STRICT: only the counters of the first fixed field. */
	ASSERT_EQ(0, pair_rx(&p, &(struct esprim_ctx_config){
		.replay = ONEM2M_ESPRIM_REPLAY_STRICT }, true));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, esprim_session_set_iv(p.s, 0x13, 5, NULL));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5210, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, pair_rx(&p, &(struct esprim_ctx_config){
		.replay = ONEM2M_ESPRIM_REPLAY_OFF }, true));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	pair_free(&p);

	/* Expiry through the pairwise key and through the receiver's object. */
	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.tx, KID, pairwise, 32, PEER,
					     esprim_now_ms() + 300, NULL));
	ASSERT_EQ(0, parse_rand(&rro, "{\"esks\":[1],\"espa\":[10],\"esri\":\"r7\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":300}", true));
	ASSERT_EQ(0, parse_rand(&oro, "{\"esk\":1,\"espa\":[10],\"esri\":\"o7\","
				"\"esrv\":\"0123456789abcdef\",\"esrx\":250}", false));
	ASSERT_EQ(0, esprim_ctx_add_rand(p.rx, &rro, NULL));
	ASSERT_EQ(0, esprim_ctx_add_rand(p.rx, &oro, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &p.oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM }, &s2, NULL));
	ASSERT_EQ(0, esprim_ctx_add_pairwise(p.rx, KID, pairwise, 32, PEER,
					     0, NULL));
	ASSERT_EQ(0, esprim_session_new(p.rx, &(struct esprim_session_config){
		.kid = KID, .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM,
		.role = ONEM2M_ESPRIM_ROLE_RECEIVER }, &s3, NULL));
	usleep(400 * 1000);
	EXPECT_EQ(5211, seal_str(s2, INNER, obj, sizeof(obj)));
	EXPECT_EQ(5211, seal_str(s3, INNER, obj, sizeof(obj)));
	/* Adding a rand object drops expired ones. */
	ASSERT_EQ(0, esprim_ctx_add_rand(p.rx, &p.oro, NULL));
	EXPECT_EQ(NULL, esprim_ctx_find_rand(p.rx, "r7", true));
	EXPECT_NE(NULL, esprim_ctx_find_rand(p.rx, "r1", true));
	pair_free(&p);
	free(o);
}

TEST(caller_checks_from)
{
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_session *xml;
	char obj[4096], text[1024];
	struct esprim_rand oro2;
	struct pair p;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, false));
	ASSERT_EQ(0, pair_rx(&p, &(struct esprim_ctx_config){
		.caller_checks_from = true }, true));
	/* An impersonating request opens; the caller is told to check. */
	ASSERT_EQ(0, seal_str(p.s, "{\"fr\":\"Cother\"}", obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_TRUE(o->from_pending);
	EXPECT_STREQ(PEER, o->peer);
	EXPECT_EQ(4116, esprim_check_from(text, o->text_len, o->peer, NULL));
	/* Also on the cached-header path. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_TRUE(o->header_cached);
	EXPECT_TRUE(o->from_pending);
	EXPECT_EQ(0, esprim_check_from(text, o->text_len, o->peer, NULL));
	/* An XML request is the caller's to check too. */
	ASSERT_EQ(0, esprim_rand_new_originator(&oro2, &p.rro, "o2",
						esprim_now_ms() + 60000,
						0x2, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = &p.rro, .oro = &oro2,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM, .announce = true,
		.cty = "vnd.onem2m-preq+xml" }, &xml, NULL));
	ASSERT_EQ(0, seal_str(xml, "<m2m:rqp/>", obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_TRUE(o->from_pending);
	/* Responses the originator opens need no check. */
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	ASSERT_EQ(0, seal_str(o->session, "{}", obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
	EXPECT_FALSE(o->from_pending);
	EXPECT_STREQ(PEER, o->peer);
	pair_free(&p);
	free(o);
}

TEST(in_band_refresh)
{
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_rand fresh, oro2;
	const struct esprim_rand *learnt;
	struct esprim_session *s2;
	char obj[4096], text[1024];
	struct pair p;

	ASSERT_EQ(0, pair_setup(&p, ONEM2M_ESPRIM_ENC_A128GCM, true));
	ASSERT_EQ(0, seal_str(p.s, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	/* The receiver offers r2 in its response. */
	ASSERT_EQ(0, esprim_rand_new_receiver(&fresh, "r2",
					      esprim_now_ms() + 600000, 0xe,
					      NULL));
	EXPECT_EQ(4000, esprim_session_offer_rro(p.s, &fresh, NULL));
	ASSERT_EQ(0, esprim_session_offer_rro(o->session, &fresh, NULL));
	ASSERT_EQ(0, seal_str(o->session, "{\"rsc\":2000}", obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.tx, obj, text, sizeof(text), o));
	ASSERT_TRUE(o->header.has_rro);
	EXPECT_STREQ("r2", o->header.rro.id);
	learnt = esprim_ctx_find_rand(p.tx, "r2", true);
	ASSERT_NE(NULL, learnt);
	EXPECT_STREQ(fresh.canon, learnt->canon);
	/* The next session uses it and the receiver opens it. */
	ASSERT_EQ(0, esprim_rand_new_originator(&oro2, learnt, "o2",
						learnt->expiry_ms, 0x2, NULL));
	ASSERT_EQ(0, esprim_session_new(p.tx, &(struct esprim_session_config){
		.kid = KID, .rro = learnt, .oro = &oro2,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM, .announce = true },
		&s2, NULL));
	ASSERT_EQ(0, seal_str(s2, INNER, obj, sizeof(obj)));
	ASSERT_EQ(0, open_str(p.rx, obj, text, sizeof(text), o));
	EXPECT_STREQ("r2", o->header.rri);
	pair_free(&p);
	free(o);
}

TEST(seci_content)
{
	struct esprim_seci seci;
	struct esprim_rand rro;
	char buf[256], *json;

	ASSERT_EQ(0, parse_rand(&rro, RRO_JCS, true));
	ASSERT_LT(0, esprim_seci_build_epo("a..b.c.d", 8, buf, sizeof(buf)));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":5,\"epo\":\"a..b.c.d\"}}", buf);
	EXPECT_EQ(0U, esprim_seci_build_epo("a..b.c.d", 8, buf, 20));
	ASSERT_EQ(0, esprim_seci_parse(&seci, buf, strlen(buf), 0, NULL));
	EXPECT_EQ(5, seci.sit);
	EXPECT_EQ(8U, seci.epo_len);
	esprim_seci_release(&seci);

	json = esprim_seci_build(3, NULL, NULL, 0);
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":3}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	EXPECT_EQ(3, seci.sit);
	esprim_seci_release(&seci);
	free(json);

	json = esprim_seci_build(4, &rro, NULL, 0);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	EXPECT_STREQ(RRO_JCS, seci.ero.canon);
	esprim_seci_release(&seci);
	free(json);

	json = esprim_seci_build(6, NULL, (const uint8_t *)"\x16\x03\x03", 3);
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMD\"}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	EXPECT_EQ(3U, seci.eckm_len);
	EXPECT_EQ(0, memcmp(seci.eckm, "\x16\x03\x03", 3));
	esprim_seci_release(&seci);
	free(json);
	EXPECT_EQ(NULL, esprim_seci_build(7, NULL, NULL, 0));

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
	EXPECT_EQ(5211, in[5].rsc);
	for (i = 0; i < 8; i++)
		out[i] = (struct esprim_batch_item){
			.in = objs[i], .in_len = i == 5 ? 0 : in[i].out_len,
			.out = texts[i], .out_size = sizeof(texts[i]) };
	EXPECT_EQ(7U, esprim_open_batch(p.rx, out, 8));
	EXPECT_EQ(4000, out[5].rsc);
	EXPECT_EQ(strlen(INNER), out[7].out_len);
	EXPECT_EQ(0, memcmp(texts[7], INNER, strlen(INNER)));
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
	struct esprim_opened *o = malloc(sizeof(*o));
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
		got = esprim_open(p.rx, obj, strlen(obj), text, sizeof(text),
				  o, &err);
		EXPECT_EQ(rsc, got)
			TH_LOG("%s -> %d %s", line, got, got ? err.msg : "");
		/* Every refusal comes with a message. */
		if (got)
			EXPECT_NE(0, err.msg[0]);
		pair_free(&p);
		n++;
	}
	fclose(f);
	free(o);
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
