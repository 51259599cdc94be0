// SPDX-License-Identifier: GPL-2.0
/*
 * The TS-0003 7.2.2 From check of libesprim (esprim_from.c): Absolute-ID
 * expansion (profile B.11), cty kinds (profile B.12), peer identities,
 * and the one-pass JSON scan of esprim_check_from() held against jansson
 * (json_loadb() with JSON_REJECT_DUPLICATES, then the top-level "fr")
 * over a generated corpus of valid and mutated texts, deterministic seed.
 *
 * The one documented difference from jansson: a repeated member name
 * other than the top-level "fr" does not make the text malformed for the
 * From check.  Such texts are counted apart (the oracle then checks them
 * with jansson without JSON_REJECT_DUPLICATES and counts the top-level
 * "fr" members itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "kselftest_harness.h"
#include "esprim.h"

/* esprim_internal.h declares it; the library exports it to tests. */
bool esprim_is_identity(const char *s, size_t n);

/* ---- B.11 ---- */

static const struct {
	const char *fr;
	const char *peer;
	int rsc;
} from_vectors[] = {
	/* absolute peer: fr in all three forms */
	{ "//sp/cse1/Cae", "//sp/cse1/Cae", 0 },
	{ "/cse1/Cae", "//sp/cse1/Cae", 0 },
	{ "Cae", "//sp/cse1/Cae", 0 },
	{ "/cse2/Cae", "//sp/cse1/Cae", 4116 },
	{ "//sp2/cse1/Cae", "//sp/cse1/Cae", 4116 },
	{ "//sp/cse1/Cae2", "//sp/cse1/Cae", 4116 },
	{ "Cae2", "//sp/cse1/Cae", 4116 },
	{ "cae", "//sp/cse1/Cae", 4116 },		/* no case folding */
	{ "//SP/cse1/Cae", "//sp/cse1/Cae", 4116 },
	{ "Cae/", "//sp/cse1/Cae", 4116 },		/* no trimming */
	{ "/cse1/Cae/", "//sp/cse1/Cae", 4116 },
	{ "cse1/Cae", "//sp/cse1/Cae", 4116 },
	{ "/Cae", "//sp/cse1/Cae", 4116 },
	{ "", "//sp/cse1/Cae", 4116 },
	{ "/", "//sp/cse1/Cae", 4116 },
	{ "//", "//sp/cse1/Cae", 4116 },
	/* deeper AE-IDs and CSEs as peers */
	{ "Cae/x", "//sp/cse1/Cae/x", 0 },
	{ "/cse1/Cae/x", "//sp/cse1/Cae/x", 0 },
	{ "//sp/cse1", "//sp/cse1", 0 },
	{ "/cse1", "//sp/cse1", 0 },
	{ "cse1", "//sp/cse1", 4116 },		/* //sp/cse1/cse1 */
	{ "Cae", "//sp/cse1", 4116 },
	{ "/cse1", "//sp", 4116 },
	{ "x", "//sp", 4116 },
	{ "//sp", "//sp", 0 },
	/* SP-relative peer: no SP-ID to expand or reduce with */
	{ "/cse1/Cae", "/cse1/Cae", 0 },
	{ "Cae", "/cse1/Cae", 0 },
	{ "//sp/cse1/Cae", "/cse1/Cae", 4116 },
	{ "/cse2/Cae", "/cse1/Cae", 4116 },
	{ "Cae2", "/cse1/Cae", 4116 },
	{ "/cse1", "/cse1", 0 },
	{ "cse1", "/cse1", 4116 },
	/* CSE-relative peer: only the identical fr */
	{ "Cgw1", "Cgw1", 0 },
	{ "Cgw1 ", "Cgw1", 4116 },
	{ "/cse1/Cgw1", "Cgw1", 4116 },
	{ "//sp/cse1/Cgw1", "Cgw1", 4116 },
	{ "cgw1", "Cgw1", 4116 },
	{ "Cgw", "Cgw1", 4116 },
	/* empty segments supply nothing */
	{ "Cae", "///cse1/Cae", 4116 },
	{ "/cse1/Cae", "///cse1/Cae", 4116 },
	{ "Cae", "//sp//Cae", 4116 },
	{ "Cae", "//Cae", 4116 },
	{ "Cae", "//sp/", 4116 },
};

TEST(from_matches)
{
	struct esprim_error err;
	size_t i;

	for (i = 0; i < sizeof(from_vectors) / sizeof(from_vectors[0]); i++) {
		int rc = esprim_from_matches(from_vectors[i].fr,
					     strlen(from_vectors[i].fr),
					     from_vectors[i].peer, &err);

		EXPECT_EQ(from_vectors[i].rsc, rc)
			TH_LOG("fr \"%s\" peer \"%s\"", from_vectors[i].fr,
			       from_vectors[i].peer);
		if (rc)
			EXPECT_EQ(rc, err.rsc);
	}
	/* Lengths, not NUL terminators, bound fr. */
	EXPECT_EQ(0, esprim_from_matches("Cae\0x", 3, "//sp/cse1/Cae", NULL));
	EXPECT_EQ(4116, esprim_from_matches("Cae\0x", 5, "//sp/cse1/Cae",
					    NULL));
	EXPECT_EQ(4116, esprim_from_matches("Cae", 3, NULL, NULL));
	EXPECT_EQ(4116, esprim_from_matches("Cae", 3, "", NULL));
}

/* ---- B.12 ---- */

static const struct {
	const char *cty;
	enum esprim_cty_kind kind;
	bool json;
} cty_vectors[] = {
	{ "application/vnd.onem2m-preq+json", ESPRIM_CTY_KIND_REQUEST, true },
	{ "vnd.onem2m-preq+json", ESPRIM_CTY_KIND_REQUEST, true },
	{ "VND.ONEM2M-PREQ+JSON", ESPRIM_CTY_KIND_REQUEST, true },
	{ "Application/Vnd.oneM2M-pReq+Json", ESPRIM_CTY_KIND_REQUEST, true },
	{ "vnd.onem2m-preq+xml", ESPRIM_CTY_KIND_REQUEST, false },
	{ "vnd.onem2m-preq+cbor", ESPRIM_CTY_KIND_REQUEST, false },
	{ "vnd.onem2m-prsp+json", ESPRIM_CTY_KIND_RESPONSE, true },
	{ "vnd.onem2m-prsp+xml", ESPRIM_CTY_KIND_RESPONSE, false },
	{ "APPLICATION/VND.ONEM2M-PRSP+CBOR", ESPRIM_CTY_KIND_RESPONSE, false },
	/* parameters are not examined */
	{ "vnd.onem2m-preq+json;charset=utf-8", ESPRIM_CTY_KIND_REQUEST,
	  true },
	{ "application/vnd.onem2m-prsp+json ; ty=4", ESPRIM_CTY_KIND_RESPONSE,
	  true },
	{ "vnd.onem2m-preq+json\t;", ESPRIM_CTY_KIND_REQUEST, true },
	{ "vnd.onem2m-preq+json;", ESPRIM_CTY_KIND_REQUEST, true },
	/* anything else names no primitive */
	{ "", ESPRIM_CTY_NONE, false },
	{ "text/plain", ESPRIM_CTY_NONE, false },
	{ "json", ESPRIM_CTY_NONE, false },
	{ "application/json", ESPRIM_CTY_NONE, false },
	{ "JWT", ESPRIM_CTY_NONE, false },
	{ "text/vnd.onem2m-preq+json", ESPRIM_CTY_NONE, false },
	{ "application/application/vnd.onem2m-preq+json", ESPRIM_CTY_NONE,
	  false },
	{ " vnd.onem2m-preq+json", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-preq+json ", ESPRIM_CTY_NONE, false },
	{ "application /vnd.onem2m-preq+json", ESPRIM_CTY_NONE, false },
	{ "application/ vnd.onem2m-preq+json", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-preq", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-preq+", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-preq+jsonx", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-preq+jso", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-pre+json", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-preqx+json", ESPRIM_CTY_NONE, false },
	{ "x-vnd.onem2m-preq+json", ESPRIM_CTY_NONE, false },
	{ "vnd.onem2m-prsq+json", ESPRIM_CTY_NONE, false },
	{ ";vnd.onem2m-preq+json", ESPRIM_CTY_NONE, false },
};

TEST(cty_kind)
{
	size_t i;

	for (i = 0; i < sizeof(cty_vectors) / sizeof(cty_vectors[0]); i++) {
		const char *c = cty_vectors[i].cty;

		EXPECT_EQ(cty_vectors[i].kind, esprim_cty_kind(c, strlen(c)))
			TH_LOG("cty \"%s\"", c);
		EXPECT_EQ(cty_vectors[i].json, esprim_cty_is_json(c, strlen(c)))
			TH_LOG("cty \"%s\"", c);
	}
	/* The length bounds the value; a NUL inside is not skipped. */
	EXPECT_EQ(ESPRIM_CTY_KIND_REQUEST,
		  esprim_cty_kind("vnd.onem2m-preq+jsonXYZ", 20));
	EXPECT_EQ(ESPRIM_CTY_NONE,
		  esprim_cty_kind("vnd.onem2m-preq+json\0", 21));
	EXPECT_EQ(ESPRIM_CTY_NONE, esprim_cty_kind(NULL, 0));
	EXPECT_FALSE(esprim_cty_is_json(NULL, 0));
}

TEST(identity)
{
	char s[ONEM2M_ESPRIM_MAX_PEER_LEN + 2];
	int c;

	EXPECT_TRUE(esprim_is_identity("Cgw1", 4));
	EXPECT_TRUE(esprim_is_identity("//sp.example/cse1/C-ae_1", 24));
	EXPECT_TRUE(esprim_is_identity("!~", 2));
	EXPECT_FALSE(esprim_is_identity("", 0));
	EXPECT_FALSE(esprim_is_identity(NULL, 0));
	EXPECT_FALSE(esprim_is_identity("C gw1", 5));
	EXPECT_FALSE(esprim_is_identity("Cgw1\0", 5));
	for (c = 0; c < 256; c++) {
		s[0] = 'C';
		s[1] = (char)c;
		EXPECT_EQ(c >= 0x21 && c <= 0x7e, esprim_is_identity(s, 2))
			TH_LOG("byte 0x%02x", c);
	}
	memset(s, 'a', sizeof(s));
	EXPECT_TRUE(esprim_is_identity(s, ONEM2M_ESPRIM_MAX_PEER_LEN));
	EXPECT_FALSE(esprim_is_identity(s, ONEM2M_ESPRIM_MAX_PEER_LEN + 1));
}

/* ---- base64url bounds (the rest is in encoding_test) ---- */

TEST(b64url_out_size)
{
	uint8_t in[64], out[80];
	char enc[100];
	size_t n, e, j;

	for (n = 0; n < sizeof(in); n++)
		in[n] = (uint8_t)(n * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		e = esprim_b64url_encode(in, n, enc);
		ASSERT_EQ(esprim_b64url_encoded_len(n), e);
		/* Exactly n bytes of room: nothing written past them. */
		memset(out, 0xa5, sizeof(out));
		ASSERT_EQ((long)n, esprim_b64url_decode(enc, e, out, n));
		EXPECT_EQ(0, memcmp(out, in, n));
		for (j = n; j < sizeof(out); j++)
			ASSERT_EQ(0xa5, out[j]) TH_LOG("n %zu byte %zu", n, j);
		/* Room past the decoded length is not written either. */
		memset(out, 0xa5, sizeof(out));
		ASSERT_EQ((long)n, esprim_b64url_decode(enc, e, out,
							sizeof(out)));
		for (j = n; j < sizeof(out); j++)
			ASSERT_EQ(0xa5, out[j]) TH_LOG("n %zu byte %zu", n, j);
		if (n) {
			memset(out, 0xa5, sizeof(out));
			ASSERT_EQ(-1, esprim_b64url_decode(enc, e, out, n - 1));
			for (j = n - 1; j < sizeof(out); j++)
				ASSERT_EQ(0xa5, out[j]);
		}
	}
	EXPECT_EQ(0, esprim_b64url_decode("", 0, NULL, 0));
	EXPECT_EQ(-1, esprim_b64url_decode("A", 1, out, sizeof(out)));
	EXPECT_EQ(-1, esprim_b64url_decode("AB", 2, out, sizeof(out)));
	EXPECT_EQ(1, esprim_b64url_decode("AA", 2, out, sizeof(out)));
	EXPECT_EQ(-1, esprim_b64url_decode("AA==", 4, out, sizeof(out)));
	EXPECT_EQ(-1, esprim_b64url_decode("AAAAAAA+", 8, out, sizeof(out)));
	EXPECT_EQ(-1, esprim_b64url_decode("AAAAAAA/", 8, out, sizeof(out)));
}

/* ---- the JSON scan against jansson ---- */

#define PEER	"//sp/cse1/Cae"

static const struct {
	const char *text;
	int rsc;
} check_vectors[] = {
	{ "{\"fr\":\"Cae\"}", 0 },
	{ " \t\r\n{ \"fr\" : \"Cae\" } \n", 0 },
	{ "{\"op\":1,\"fr\":\"/cse1/Cae\",\"pc\":{\"fr\":\"x\"}}", 0 },
	{ "{\"fr\":\"//sp/cse1/Cae\"}", 0 },
	{ "{\"f\\u0072\":\"Cae\"}", 0 },
	{ "{\"\\u0066\\u0072\":\"Cae\"}", 0 },
	{ "{\"fr\":\"\\/cse1\\/Cae\"}", 0 },
	{ "{\"fr\":\"\\u0043ae\"}", 0 },
	{ "{\"fr\":\"/cse2/Cae\"}", 4116 },
	/* a repeat further down is not the From */
	{ "{\"fr\":\"Cae\",\"x\":{\"fr\":\"Cae\",\"fr\":1}}", 0 },
	{ "{\"fr\":\"Cbe\"}", 4116 },
	{ "{\"fr\":\"\"}", 4116 },
	{ "{\"fr\":\"Cae\\u00e9\"}", 4116 },
	{ "{\"fr\":\"Cae\",\"fr\":\"Cae\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"f\\u0072\":\"Cae\"}", 4000 },
	{ "{\"fr\":1}", 4000 },
	{ "{\"fr\":null}", 4000 },
	{ "{\"fr\":[\"Cae\"]}", 4000 },
	{ "{\"fr\":{}}", 4000 },
	{ "{\"x\":{\"fr\":\"Cae\"}}", 4000 },
	{ "[{\"fr\":\"Cae\"}]", 4000 },
	{ "{\"fr\":\"Cae\"} x", 4000 },
	{ "{\"fr\":\"Cae\"}{}", 4000 },
	{ "{\"fr\":\"Cae\",}", 4000 },
	{ "{\"fr\":\"Cae\"", 4000 },
	{ "{\"fr\":\"Ca\\u0000e\"}", 4000 },
	{ "{\"fr\\u0000\":\"Cae\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":\"\\ud800\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":\"\\udc00\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":\"\\ud83d\\ude00\"}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":\"\xc3\xa9\xf0\x9f\x98\x80\"}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":\"\xc0\x80\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":\"\xed\xa0\x80\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":\"\xf4\x90\x80\x80\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":\"\x7f\"}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":\"\x1f\"}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":9223372036854775807}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":9223372036854775808}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":-9223372036854775808}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":-9223372036854775809}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":1.7976931348623158e308}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":1.7976931348623159e308}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":1e-400}", 0 },
	{ "{\"fr\":\"Cae\",\"x\":01}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":1.}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":.5}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":tru}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":True}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":truee}", 4000 },
	{ "{\"fr\":\"Cae\",\"x\":'a'}", 4000 },
	{ "\xef\xbb\xbf{\"fr\":\"Cae\"}", 4000 },
	{ "", 4000 },
	{ "{}", 4000 },
	{ "\"fr\"", 4000 },
};

/* What jansson decides, and whether only a repeated name kept it apart. */
static int jansson_check(const char *t, size_t n, const char *peer,
			 bool *other_dup);

TEST(check_from_vectors)
{
	struct esprim_error err;
	size_t i;

	for (i = 0; i < sizeof(check_vectors) / sizeof(check_vectors[0]);
	     i++) {
		const char *t = check_vectors[i].text;
		size_t n = strlen(t);
		bool dup;

		EXPECT_EQ(check_vectors[i].rsc,
			  esprim_check_from(t, n, PEER, &err))
			TH_LOG("text %s: %s", t, err.msg);
		EXPECT_EQ(check_vectors[i].rsc, jansson_check(t, n, PEER, &dup))
			TH_LOG("jansson on %s", t);
	}
	/* Raw NUL bytes: the length bounds the text. */
	EXPECT_EQ(4000, esprim_check_from("{\"fr\":\"C\0ae\"}", 13, PEER,
					  NULL));
	EXPECT_EQ(4000, esprim_check_from("{\"fr\":\"Cae\"}\0", 13, PEER,
					  NULL));
	EXPECT_EQ(0, esprim_check_from("{\"fr\":\"Cae\"}\0", 12, PEER, NULL));
	EXPECT_EQ(4000, esprim_check_from(NULL, 0, PEER, NULL));
}

/* Deterministic generator: xorshift64*. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
	if (!n)
		return;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void ws(struct buf *b)
{
	static const char *const w[] = {
		"", "", "", " ", "\n", "\t", "\r\n  ",
	};

	puts_(b, w[rnd(7)]);
}

static const char *const string_bodies[] = {
	"", "a", "Cae", "hello world", "\\n", "\\\"", "\\\\", "\\/",
	"\\b\\f\\r\\t",
	"\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\uD834\\uDD1E", "\xc3\xa9",
	"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
	"fr", "f\\u0072", "\x7f", "//sp/cse1/Cae", "a\\u0001b", "\\u0041",
};

static const char *const numbers[] = {
	"0", "-0", "1", "-1", "42", "3.14", "-2.5e10", "1E5", "1e+5", "1e-5",
	"0.000", "123456789012345678", "9223372036854775807",
	"-9223372036854775808", "9223372036854775808", "-9223372036854775809",
	"99999999999999999999", "1.7976931348623157e308",
	"1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309",
	"-1e309", "0.1e310", "10e307", "1e-400", "0e99999999999999999999",
	"0.0000000001e318",
	/* 2^1024 - 2^970 (the rounding limit) and one below it */
	"179769313486231580793728971405303415079934132710037826936173778980444"
	"968292764750946649017977587207096330286416692887910946555547851940402"
	"630657488671505820681908902000708383676273854845817711531764475730270"
	"069855571366959622842914819860834936475292719074168444365510704342711"
	"559699508093042880177904174497792.0",
	"179769313486231580793728971405303415079934132710037826936173778980444"
	"968292764750946649017977587207096330286416692887910946555547851940402"
	"630657488671505820681908902000708383676273854845817711531764475730270"
	"069855571366959622842914819860834936475292719074168444365510704342711"
	"559699508093042880177904174497791.9999",
	"0.17976931348623158079372897140530341507993413271003782693617377898"
	"0444968292764750946649017977587207096330286416692887910946555547851"
	"9404026306574886715058206819089020007083836762738548458177115317644"
	"7573027006985557136695962284291481986083493647529271907416844436551"
	"0704342711559699508093042880177904174497792e309",
};

static const char *const froms[] = {
	"Cae", "/cse1/Cae", "//sp/cse1/Cae", "Cbe", "/cse2/Cae", "",
	"\\/cse1\\/Cae", "\\u0043ae", "C\\u0061e", "Cae\\u0000",
};

static void gen_value(struct buf *b, int depth);

static void gen_string(struct buf *b)
{
	int i, n = (int)rnd(4);

	puts_(b, "\"");
	for (i = 0; i < n; i++)
		puts_(b, string_bodies[rnd(sizeof(string_bodies) /
					   sizeof(string_bodies[0]))]);
	puts_(b, "\"");
}

static void gen_object(struct buf *b, int depth, bool top)
{
	static const char *const keys[] = {
		"\"op\"", "\"to\"", "\"rqi\"", "\"pc\"", "\"ty\"", "\"fr\"",
		"\"f\\u0072\"", "\"\\u0066r\"", "\"frr\"", "\"f\"", "\"FR\"",
		"\"\"", "\"x\\ny\"",
	};
	int i, n = (int)rnd(top ? 6 : 4), fr_at = top ? (int)rnd(n + 1) : -1;
	int emitted = 0;

	puts_(b, "{");
	for (i = 0; i <= n; i++) {
		if (i == fr_at) {
			if (emitted++)
				puts_(b, ",");
			ws(b);
			puts_(b, rnd(8) ? "\"fr\"" : "\"f\\u0072\"");
			ws(b);
			puts_(b, ":");
			ws(b);
			puts_(b, "\"");
			puts_(b, froms[rnd(sizeof(froms) / sizeof(froms[0]))]);
			puts_(b, "\"");
			ws(b);
		}
		if (i == n)
			break;
		if (emitted++)
			puts_(b, ",");
		ws(b);
		/* top level: no "fr" but the one above (repeats on purpose) */
		puts_(b, keys[rnd(top ? 5 : sizeof(keys) / sizeof(keys[0]))]);
		ws(b);
		puts_(b, ":");
		ws(b);
		gen_value(b, depth + 1);
		ws(b);
	}
	puts_(b, "}");
}

static void gen_value(struct buf *b, int depth)
{
	int i, n;

	switch (depth > 5 ? rnd(4) : rnd(7)) {
	case 0:
		gen_string(b);
		break;
	case 1:
		puts_(b, numbers[rnd(sizeof(numbers) / sizeof(numbers[0]))]);
		break;
	case 2:
		puts_(b, rnd(3) ? rnd(2) ? "true" : "false" : "null");
		break;
	case 3:
		gen_string(b);
		break;
	case 4:
	case 5:
		gen_object(b, depth, false);
		break;
	default:
		n = (int)rnd(4);
		puts_(b, "[");
		for (i = 0; i < n; i++) {
			ws(b);
			gen_value(b, depth + 1);
			ws(b);
			if (i + 1 < n)
				puts_(b, ",");
		}
		puts_(b, "]");
	}
}

static const uint8_t interesting[] = {
	'"', '\\', '{', '}', '[', ']', ',', ':', 0, 0x80, 0xbf, 0xc0, 0xc3,
	0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff, ' ', '\n', 'e', 'E', '-', '+', '.',
	'0', '9', 'u', 'f', 'r', 'n', 't', 0x1f, 0x7f, '/',
};

static void mutate(struct buf *b)
{
	size_t pos = b->len ? rnd((uint32_t)b->len) : 0;
	struct buf t = { 0 };

	switch (rnd(9)) {
	case 0:			/* truncate */
		b->len = pos;
		break;
	case 1:			/* flip a byte at random */
		if (b->len)
			b->p[pos] = (char)rnd(256);
		break;
	case 2:			/* an interesting byte in place */
		if (b->len)
			b->p[pos] = (char)interesting[rnd(sizeof(interesting))];
		break;
	case 3:			/* insert one */
		put(&t, b->p, pos);
		put(&t, &interesting[rnd(sizeof(interesting))], 1);
		put(&t, b->p + pos, b->len - pos);
		free(b->p);
		*b = t;
		break;
	case 4:			/* delete one */
		if (b->len) {
			memmove(b->p + pos, b->p + pos + 1, b->len - pos - 1);
			b->len--;
		}
		break;
	case 5:			/* trailing garbage */
		puts_(b, rnd(2) ? " x" : rnd(2) ? "{}" : ",");
		break;
	case 6:			/* repeat a slice */
		if (b->len) {
			size_t n = rnd((uint32_t)(b->len - pos)) + 1;

			put(&t, b->p, pos + n);
			put(&t, b->p + pos, b->len - pos);
			free(b->p);
			*b = t;
		}
		break;
	case 7:			/* flip one bit */
		if (b->len)
			b->p[pos] ^= (char)(1 << rnd(8));
		break;
	default:		/* two of the above */
		mutate(b);
		mutate(b);
	}
}

/* Counts the top-level members named "fr" of a text jansson accepted. */
static int count_top_fr(const char *t, size_t n)
{
	int depth = 0, count = 0;
	bool want_key = false;
	size_t i = 0;

	while (i < n) {
		char c = t[i];

		if (c == '"') {
			size_t s = i++;

			while (t[i] != '"')
				i += t[i] == '\\' ? 2 : 1;
			i++;
			if (depth == 1 && want_key) {
				/* Decode the name with jansson itself. */
				struct buf a = { 0 };
				json_t *arr;
				const char *k;

				puts_(&a, "[");
				put(&a, t + s, i - s);
				puts_(&a, "]");
				arr = json_loadb(a.p, a.len, 0, NULL);
				k = json_string_value(json_array_get(arr, 0));
				if (k && !strcmp(k, "fr"))
					count++;
				json_decref(arr);
				free(a.p);
				want_key = false;
			}
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
			want_key = c == '{' && depth == 1;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == ',' && depth == 1) {
			want_key = true;
		}
		i++;
	}
	return count;
}

static unsigned int nul_texts;

static int jansson_check(const char *t, size_t n, const char *peer,
			 bool *other_dup)
{
	json_error_t jerr;
	json_t *root, *fr;
	int rc;

	*other_dup = false;
	/*
	 * A raw NUL is not JSON, and jansson refuses it, except right after
	 * a number or literal: its reader takes the NUL it pushed back for
	 * an empty buffer and skips it.  That slip is not followed.
	 */
	if (memchr(t, 0, n)) {
		nul_texts++;
		return 4000;
	}
	root = json_loadb(t, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (json_error_code(&jerr) != json_error_duplicate_key)
			return 4000;
		root = json_loadb(t, n, 0, NULL);
		if (!root)
			return 4000;
		if (!json_is_object(root) || count_top_fr(t, n) != 1) {
			json_decref(root);
			return 4000;
		}
		*other_dup = true;
	}
	fr = json_object_get(root, "fr");
	if (!json_is_object(root) || !json_is_string(fr))
		rc = 4000;
	else
		rc = esprim_from_matches(json_string_value(fr),
					 json_string_length(fr), peer, NULL);
	json_decref(root);
	return rc;
}

struct tally {
	unsigned int texts, accepted, mismatched, malformed, other_dup;
	unsigned int disagree;
};

static void compare(struct __test_metadata *_metadata, struct tally *tl,
		    const char *t, size_t n, const char *peer)
{
	struct esprim_error err = { 0 };
	int want, got;
	bool dup;

	want = jansson_check(t, n, peer, &dup);
	got = esprim_check_from(t, n, peer, &err);
	tl->texts++;
	tl->other_dup += dup;
	tl->accepted += got == 0;
	tl->mismatched += got == 4116;
	tl->malformed += got == 4000;
	if (want != got) {
		tl->disagree++;
		if (tl->disagree <= 10)
			TH_LOG("jansson %d, esprim %d (%s) on %zu bytes: %.*s",
			       want, got, err.msg, n, (int)(n > 300 ? 300 : n),
			       t);
	}
}

static const char *const peers[] = {
	"//sp/cse1/Cae", "/cse1/Cae", "Cae", "//sp/cse1",
};

TEST(check_from_differential)
{
	struct tally tl = { 0 };
	unsigned int i, m;

	for (i = 0; i < 4000; i++) {
		struct buf base = { 0 };
		const char *peer = peers[rnd(4)];

		ws(&base);
		gen_object(&base, 1, true);
		ws(&base);
		/* Now and then a second "fr", or a top-level array. */
		if (!rnd(16)) {
			struct buf two = { 0 };
			char *brace = memchr(base.p, '{', base.len);
			size_t at = (size_t)(brace - base.p) + 1;

			put(&two, base.p, at);
			puts_(&two, rnd(2) ? "\"fr\":\"Cae\"," :
					     "\"f\\u0072\":\"/cse1/Cae\",");
			put(&two, base.p + at, base.len - at);
			free(base.p);
			base = two;
		} else if (!rnd(32)) {
			struct buf arr = { 0 };

			puts_(&arr, "[");
			put(&arr, base.p, base.len);
			puts_(&arr, "]");
			free(base.p);
			base = arr;
		}
		compare(_metadata, &tl, base.p, base.len, peer);
		for (m = 0; m < 4; m++) {
			struct buf mut = { 0 };

			put(&mut, base.p, base.len);
			mutate(&mut);
			compare(_metadata, &tl, mut.p, mut.len, peer);
			free(mut.p);
		}
		free(base.p);
	}
	TH_LOG("%u texts: %u accepted, %u 4116, %u 4000; %u with a repeated name other than the top-level fr, %u with a NUL byte",
	       tl.texts, tl.accepted, tl.mismatched, tl.malformed,
	       tl.other_dup, nul_texts);
	EXPECT_EQ(0U, tl.disagree);
	EXPECT_GT(tl.accepted, 1000U);
	EXPECT_GT(tl.mismatched, 1000U);
	EXPECT_GT(tl.malformed, 5000U);
}

/* Every prefix and every single-byte change of a few valid texts. */
TEST(check_from_exhaustive_edits)
{
	static const char *const texts[] = {
		"{\"fr\":\"C\\u0061e\",\"n\":[-1.5e+3,true,null,"
		"{\"a\":\"\\ud83d\\ude00\xc3\xa9\"}]}",
		"{ \"op\" : 1 , \"f\\u0072\" : \"\\/cse1\\/Cae\" , "
		"\"x\" : 9223372036854775807 }",
	};
	static const uint8_t bytes[] = {
		0, ' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', '-',
		'e', 'u', 'D', 'a', 0x7f, 0x80, 0xc3, 0xed, 0xff,
	};
	struct tally tl = { 0 };
	size_t t, i, j;

	for (t = 0; t < 2; t++) {
		size_t n = strlen(texts[t]);
		char *c = malloc(n + 1);

		for (i = 0; i <= n; i++)
			compare(_metadata, &tl, texts[t], i, PEER);
		for (i = 0; i < n; i++) {
			for (j = 0; j < sizeof(bytes); j++) {
				memcpy(c, texts[t], n);
				c[i] = (char)bytes[j];
				compare(_metadata, &tl, c, n, PEER);
			}
		}
		free(c);
	}
	TH_LOG("%u texts: %u accepted, %u 4116, %u 4000", tl.texts,
	       tl.accepted, tl.mismatched, tl.malformed);
	EXPECT_EQ(0U, tl.disagree);
}

/* jansson's depth limit: containers and scalars counted as it does. */
TEST(check_from_depth)
{
	static const char *const inner[] = { "", "1", "\"s\"", "{}", "[]" };
	struct tally tl = { 0 };
	unsigned int k, v;

	for (k = 2040; k <= 2050; k++) {
		for (v = 0; v < sizeof(inner) / sizeof(inner[0]); v++) {
			struct buf b = { 0 };
			unsigned int i;

			puts_(&b, "{\"fr\":\"Cae\",\"d\":");
			for (i = 0; i < k; i++)
				puts_(&b, v == 3 && i % 2 ? "{\"k\":" : "[");
			puts_(&b, inner[v]);
			for (i = k; i-- > 0;)
				puts_(&b, v == 3 && i % 2 ? "}" : "]");
			puts_(&b, "}");
			compare(_metadata, &tl, b.p, b.len, PEER);
			free(b.p);
		}
	}
	EXPECT_EQ(0U, tl.disagree);
	EXPECT_GT(tl.accepted, 10U);
	EXPECT_GT(tl.malformed, 10U);
}

TEST_HARNESS_MAIN
