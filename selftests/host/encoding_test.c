// SPDX-License-Identifier: GPL-2.0
/*
 * Encodings libesprim reads and writes, held to independent references:
 * base64url (RFC 4648 5, RFC 7515 2) against a bit-at-a-time encoder here,
 * the absolute oneM2M timestamps of esrx against dates computed outside
 * the library, and m2m:seci content.  Built for the host and, by
 * scripts/cross-check.sh, for a big-endian (s390x) and a 32-bit (armhf)
 * target run under qemu: byte order and a 32-bit time_t are what these
 * tests are for.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "esprim.h"
#include "esprim_internal.h"

#define RRO_JSON \
	"{ \"esrx\":\"20991231T235959\", \"esri\":\"r1\", \"espa\":[10, 11, 12]," \
	" \"esks\":[1], \"esrv\":\"AAECAwQFBgcICQoLDA0ODw\" }"
#define RRO_JCS \
	"{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\"," \
	"\"esrv\":\"AAECAwQFBgcICQoLDA0ODw\",\"esrx\":\"20991231T235959\"}"
#define ORO_JSON \
	"{\"esk\":1,\"espa\":[12],\"esri\":\"o1\"," \
	"\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":\"20991231T235959\"}"

/* 9999-12-31T23:59:59.999 is the last instant a timestamp can name. */
#define LAST_MS		253402300799999LL

static const char url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Reference: six bits at a time, most significant first; no padding. */
static size_t ref_b64url(const uint8_t *in, size_t n, char *out)
{
	size_t bits = n * 8, i, o = 0;

	for (i = 0; i < bits; i += 6) {
		unsigned int v = 0, b;

		for (b = i; b < i + 6; b++) {
			unsigned int bit = b < bits ?
				(in[b / 8] >> (7 - b % 8)) & 1 : 0;

			v = v << 1 | bit;
		}
		out[o++] = url_alphabet[v];
	}
	out[o] = 0;
	return o;
}

/* Bytes that differ from each of their neighbours and use all 8 bits. */
static void pattern(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 151 + seed * 29 + (i >> 3) + 0x5a);
}

TEST(b64url_round_trip_every_length_0_to_64)
{
	uint8_t in[64], back[64 + 8];
	char enc[100], ref[100];
	unsigned int seed;
	size_t n, len;

	for (seed = 0; seed < 4; seed++) {
		pattern(in, sizeof(in), seed);
		for (n = 0; n <= 64; n++) {
			memset(enc, '#', sizeof(enc));
			len = esprim_b64url_encode(in, n, enc);
			ASSERT_EQ(esprim_b64url_encoded_len(n), len);
			ASSERT_EQ(ref_b64url(in, n, ref), len);
			/* Nothing written past the encoding. */
			ASSERT_EQ('#', enc[len]);
			enc[len] = 0;
			ASSERT_STREQ(ref, enc)
				TH_LOG("length %zu, seed %u", n, seed);
			memset(back, 0xa5, sizeof(back));
			ASSERT_EQ((long)n,
				  esprim_b64url_decode(enc, len, back, n))
				TH_LOG("length %zu, seed %u", n, seed);
			ASSERT_EQ(0, memcmp(in, back, n))
				TH_LOG("length %zu, seed %u", n, seed);
			/* Nor past the decoded octets. */
			ASSERT_EQ(0xa5, back[n]);
		}
	}
}

/*
 * The vector encoders (SSSE3 twelve octets, AVX2 twenty-four per step)
 * against the reference at every length to 1 KiB and random ones beyond,
 * with random octets, so each of the 64 characters comes from each lane.
 */
TEST(b64url_long_random_inputs)
{
	static uint8_t in[4096], back[4096];
	static char enc[5500], ref[5500];
	unsigned int seed = 12345, i;
	size_t n, len;

	for (i = 0; i < 1024 + 200; i++) {
		size_t k;

		n = i <= 1024 ? i : 1024 + (seed % 3072);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			in[k] = (uint8_t)(seed >> 16);
		}
		enc[esprim_b64url_encoded_len(n)] = '#';
		len = esprim_b64url_encode(in, n, enc);
		ASSERT_EQ('#', enc[len]);
		enc[len] = 0;
		ASSERT_EQ(ref_b64url(in, n, ref), len);
		ASSERT_STREQ(ref, enc) TH_LOG("length %zu", n);
		ASSERT_EQ((long)n, esprim_b64url_decode(enc, len, back, n));
		ASSERT_EQ(0, memcmp(in, back, n)) TH_LOG("length %zu", n);
	}
}

TEST(b64url_rfc4648_vectors)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} v[] = {
		{ "", 0, "" },
		{ "f", 1, "Zg" },
		{ "fo", 2, "Zm8" },
		{ "foo", 3, "Zm9v" },
		{ "foob", 4, "Zm9vYg" },
		{ "fooba", 5, "Zm9vYmE" },
		{ "foobar", 6, "Zm9vYmFy" },
		/* URL alphabet: '-' for 62, '_' for 63 (RFC 4648 5). */
		{ "\xfb\xff", 2, "-_8" },
		{ "\xfb\xff\xbf\xfe\xef\xff\x3e\x3f\xfb\xef\xbe", 11,
		  "-_-__u__Pj_7774" },
		/* Long enough for the eight-character paths. */
		{ "foobarfoobarfoobar", 18, "Zm9vYmFyZm9vYmFyZm9vYmFy" },
		{ "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
		  "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
		  "\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29"
		  "\x2a\x2b\x2c\x2d\x2e\x2f", 48,
		  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygp"
		  "KissLS4v" },
	};
	uint8_t back[64];
	char enc[100];
	size_t i, len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		len = esprim_b64url_encode((const uint8_t *)v[i].in, v[i].n,
					   enc);
		enc[len] = 0;
		EXPECT_STREQ(v[i].out, enc);
		EXPECT_EQ((long)v[i].n,
			  esprim_b64url_decode(v[i].out, strlen(v[i].out),
					       back, sizeof(back)));
		EXPECT_EQ(0, memcmp(v[i].in, back, v[i].n))
			TH_LOG("vector %zu", i);
	}
}

TEST(b64url_strict_decode_refusals)
{
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
		{ "Zg==", 4 },		/* padding */
		{ "Zm8=", 4 },
		{ "Zg=", 3 },
		{ "AA+A", 4 },		/* standard alphabet */
		{ "AA/A", 4 },
		{ "AA A", 4 },
		{ "AA\nA", 4 },
		{ "A\0AA", 4 },
		{ "AA\x80" "A", 4 },
		{ "AA\xff" "A", 4 },
		{ "A", 1 },		/* 4n + 1 characters */
		{ "AAAAA", 5 },
		{ "Zh", 2 },		/* stray low bits */
		{ "AB", 2 },
		{ "Zm9", 3 },
		{ "AAB", 3 },
		{ "Zm9vYmFyZm9vYh", 14 },
		{ "Zm9vYmFyZm9vYm9", 15 },
	};
	uint8_t in[60], back[64];
	char enc[100];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-1, esprim_b64url_decode(bad[i].s, bad[i].n, back,
						   sizeof(back)))
			TH_LOG("accepted bad input %zu", i);

	/* A bad character at every position, fast paths included. */
	pattern(in, sizeof(in), 7);
	len = esprim_b64url_encode(in, sizeof(in), enc);
	for (i = 0; i < len; i++) {
		char c = enc[i];

		enc[i] = "=.+/ "[i % 5];
		EXPECT_EQ(-1, esprim_b64url_decode(enc, len, back,
						   sizeof(back)))
			TH_LOG("bad character at %zu", i);
		enc[i] = c;
	}
	EXPECT_EQ((long)sizeof(in),
		  esprim_b64url_decode(enc, len, back, sizeof(back)));
}

TEST(b64url_decode_bound)
{
	uint8_t in[64], back[64 + 16];
	char enc[100];
	size_t n, len;

	pattern(in, sizeof(in), 3);
	for (n = 1; n <= 64; n++) {
		len = esprim_b64url_encode(in, n, enc);
		memset(back, 0xa5, sizeof(back));
		/* One octet short: refused, and nothing past the bound. */
		EXPECT_EQ(-1, esprim_b64url_decode(enc, len, back, n - 1))
			TH_LOG("length %zu", n);
		EXPECT_EQ(0xa5, back[n - 1]) TH_LOG("length %zu", n);
		EXPECT_EQ((long)n, esprim_b64url_decode(enc, len, back, n));
		EXPECT_EQ(0xa5, back[n]) TH_LOG("length %zu", n);
		EXPECT_EQ((long)n,
			  esprim_b64url_decode(enc, len, back, sizeof(back)));
	}
	EXPECT_EQ(0, esprim_b64url_decode("", 0, back, 0));
	EXPECT_EQ(-1, esprim_b64url_decode("Zg", 2, back, 0));
	EXPECT_EQ(-1, esprim_b64url_decode("Zm9vYmFy", 8, back, 5));
	EXPECT_EQ(6, esprim_b64url_decode("Zm9vYmFy", 8, back, 6));
}

static bool parse(const char *s, int64_t *ms)
{
	return esprim_time_parse(s, strlen(s), ms);
}

TEST(time_leap_days)
{
	int64_t ms = -1;

	/* Known instants (computed outside the library). */
	ASSERT_TRUE(parse("20280229T000000", &ms));
	EXPECT_EQ(1835395200000LL, ms);
	ASSERT_TRUE(parse("20000229T000000", &ms));	/* 400 divides 2000 */
	EXPECT_EQ(951782400000LL, ms);
	EXPECT_FALSE(parse("20270229T000000", &ms));
	EXPECT_FALSE(parse("21000229T000000", &ms));	/* 100 divides 2100 */
	EXPECT_FALSE(parse("20280230T000000", &ms));
	ASSERT_TRUE(parse("21000301T000000", &ms));
	EXPECT_EQ(4107542400000LL, ms);
	EXPECT_TRUE(parse("24000229T120000", &ms));
	EXPECT_FALSE(parse("23000229T120000", &ms));
}

TEST(time_field_ranges)
{
	static const char *const bad[] = {
		"20261301T000000", "20260001T000000", "20260100T000000",
		"20260132T000000", "20260431T000000", "20260631T000000",
		"20260931T000000", "20261131T000000", "20260101T240000",
		"20260101T006000", "20260101T000060", "19691231T235959",
		"00000101T000000", "2026010IT000000", "20260101 000000",
		"20260101t000000", "2026-01-01T00:0", "+2026010T000000",
		"20260101T00000", "2026010T0000000", "",
	};
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_FALSE(parse(bad[i], &ms)) TH_LOG("accepted bad %zu", i);
	ASSERT_TRUE(parse("19700101T000000", &ms));
	EXPECT_EQ(0, ms);
	ASSERT_TRUE(parse("20261231T235959", &ms));
	ASSERT_TRUE(parse("20260131T000000", &ms));
	ASSERT_TRUE(parse("20260430T000000", &ms));
}

TEST(time_fraction_and_zone)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = {
		{ "20400101T000000Z", 2208988800000LL },
		{ "20400101T000000,5", 2208988800500LL },
		{ "20400101T000000.5Z", 2208988800500LL },
		{ "20400101T000000,123Z", 2208988800123LL },
		{ "20400101T000000.0123", 2208988800012LL },
		/* Digits past the millisecond are dropped, not rounded. */
		{ "20400101T000000,9999999", 2208988800999LL },
		{ "20400101T000000.000", 2208988800000LL },
	};
	static const char *const bad[] = {
		"20400101T000000,", "20400101T000000.", "20400101T000000,Z",
		"20400101T000000ZZ", "20400101T000000z", "20400101T000000Z,5",
		"20400101T000000,5,5", "20400101T000000,5 ", "20400101T000000+01",
		"20400101T000000 ", "20400101T000000,x",
	};
	char buf[40];
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		EXPECT_TRUE(parse(good[i].s, &ms))
			TH_LOG("refused %s", good[i].s);
		EXPECT_EQ(good[i].ms, ms) TH_LOG("%s", good[i].s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_FALSE(parse(bad[i], &ms)) TH_LOG("accepted bad %zu", i);

	/* Exactly n characters: what follows them is not read. */
	strcpy(buf, "20400101T000000,25Zjunk");
	ASSERT_TRUE(esprim_time_parse(buf, 19, &ms));
	EXPECT_EQ(2208988800250LL, ms);
	ASSERT_TRUE(esprim_time_parse(buf, 15, &ms));
	EXPECT_EQ(2208988800000LL, ms);
	EXPECT_FALSE(esprim_time_parse(buf, 16, &ms));
	EXPECT_FALSE(esprim_time_parse(buf, 20, &ms));
	EXPECT_FALSE(esprim_time_parse(buf, 14, &ms));
}

TEST(time_past_2038_round_trip)
{
	static const struct {
		const char *s;
		int64_t ms;
	} v[] = {
		{ "19700101T000000", 0 },
		{ "20380119T031407", 2147483647000LL },	/* 32-bit time_t's last */
		{ "20380119T031408", 2147483648000LL },
		{ "20400101T000000", 2208988800000LL },
		{ "20991231T235959", 4102444799000LL },
		{ "99991231T235959", 253402300799000LL },
	};
	char out[16];
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ASSERT_TRUE(parse(v[i].s, &ms)) TH_LOG("%s", v[i].s);
		EXPECT_EQ(v[i].ms, ms) TH_LOG("%s", v[i].s);
		ASSERT_EQ(0, esprim_time_format(v[i].ms + 999, out));
		EXPECT_STREQ(v[i].s, out);
	}
}

/* Every day from 1970 to 2400, then every 97th to 9999: day after day. */
TEST(time_day_by_day)
{
	int64_t day, ms, prev = -1;
	char out[16], last[16] = "";

	for (day = 0; day * 86400000LL <= LAST_MS;
	     day += day < 157000 ? 1 : 97) {
		int64_t t = day * 86400000LL + (day % 86400) * 1000;

		ASSERT_EQ(0, esprim_time_format(t, out))
			TH_LOG("day %lld", (long long)day);
		ASSERT_TRUE(parse(out, &ms)) TH_LOG("%s", out);
		ASSERT_EQ(t, ms) TH_LOG("%s", out);
		/* Fixed width, so string order is time order. */
		ASSERT_GT(strcmp(out, last), 0)
			TH_LOG("%s after %s", out, last);
		ASSERT_GT(ms, prev);
		strcpy(last, out);
		prev = ms;
	}
	/* The loop reached the last year. */
	EXPECT_EQ(0, strncmp(out, "9999", 4)) TH_LOG("ended at %s", out);
}

TEST(time_format_limits)
{
	char out[16];

	ASSERT_EQ(0, esprim_time_format(0, out));
	EXPECT_STREQ("19700101T000000", out);
	ASSERT_EQ(0, esprim_time_format(LAST_MS, out));
	EXPECT_STREQ("99991231T235959", out);
	/* Never left unset: "" on failure. */
	memset(out, 'x', sizeof(out));
	EXPECT_EQ(-1, esprim_time_format(LAST_MS + 1, out));	/* year 10000 */
	EXPECT_EQ(0, out[0]);
	memset(out, 'x', sizeof(out));
	EXPECT_EQ(-1, esprim_time_format(-1, out));
	EXPECT_EQ(0, out[0]);
	memset(out, 'x', sizeof(out));
	EXPECT_EQ(-1, esprim_time_format(INT64_MAX, out));
	EXPECT_EQ(0, out[0]);
	memset(out, 'x', sizeof(out));
	EXPECT_EQ(-1, esprim_time_format(INT64_MIN, out));
	EXPECT_EQ(0, out[0]);
}

TEST(time_add_overflow)
{
	int64_t out = 7;

	EXPECT_TRUE(esprim_time_add(1000, 234, &out));
	EXPECT_EQ(1234, out);
	EXPECT_TRUE(esprim_time_add(1000, -2000, &out));
	EXPECT_EQ(-1000, out);
	EXPECT_TRUE(esprim_time_add(INT64_MAX - 5, 5, &out));
	EXPECT_EQ(INT64_MAX, out);
	EXPECT_FALSE(esprim_time_add(INT64_MAX - 5, 6, &out));
	EXPECT_FALSE(esprim_time_add(INT64_MAX, INT64_MAX, &out));
	EXPECT_FALSE(esprim_time_add(INT64_MIN, -1, &out));
	EXPECT_TRUE(esprim_time_add(INT64_MIN, INT64_MAX, &out));
	EXPECT_EQ(-1, out);
}

TEST(seci_sit3_round_trip)
{
	struct esprim_seci seci;
	char *json = NULL;

	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_RRO_REQUEST, NULL,
				       NULL, 0, NULL));
	ASSERT_NE(NULL, json);
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":3}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0, NULL));
	EXPECT_EQ(ESPRIM_SIT_RRO_REQUEST, seci.sit);
	EXPECT_EQ(NULL, seci.ero);
	EXPECT_EQ(NULL, seci.eckm);
	esprim_seci_release(&seci);
	esprim_free(json);
}

TEST(seci_sit4_round_trip)
{
	struct esprim_rand *rro = NULL, *oro = NULL;
	struct esprim_error err;
	struct esprim_seci seci;
	int64_t now = esprim_now_ms();
	const char *canon;
	char *json = NULL;
	size_t len;

	ASSERT_EQ(0, esprim_rand_parse(&rro, RRO_JSON, strlen(RRO_JSON), true,
				       now, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_RRO_RESPONSE, rro,
				       NULL, 0, &err)) TH_LOG("%s", err.msg);
	/* The ero goes out as its JCS octets. */
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":4,\"ero\":" RRO_JCS "}}", json);
	ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), now, &err))
		TH_LOG("%s", err.msg);
	EXPECT_EQ(ESPRIM_SIT_RRO_RESPONSE, seci.sit);
	ASSERT_NE(NULL, seci.ero);
	EXPECT_TRUE(esprim_rand_is_receiver(seci.ero));
	EXPECT_STREQ("r1", esprim_rand_id(seci.ero));
	EXPECT_EQ(4102444799000LL, esprim_rand_expiry_ms(seci.ero));
	canon = esprim_rand_json(seci.ero, &len);
	EXPECT_EQ(strlen(RRO_JCS), len);
	EXPECT_STREQ(RRO_JCS, canon);
	esprim_seci_release(&seci);
	esprim_free(json);

	/* Only sit 4 carries an ero. */
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_RRO_REQUEST, rro,
					     NULL, 0, &err));
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_ECKM, rro,
					     (const uint8_t *)"x", 1, &err));
	EXPECT_EQ(NULL, json);

	/* sit 4 carries a receiver object only, both ways. */
	ASSERT_EQ(0, esprim_rand_parse(&oro, ORO_JSON, strlen(ORO_JSON),
				       false, now, &err)) TH_LOG("%s", err.msg);
	json = (char *)"unset";
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_RRO_RESPONSE,
					     oro, NULL, 0, &err));
	EXPECT_EQ(NULL, json);
	EXPECT_EQ(ESPRIM_RSC_BAD_REQUEST,
		  esprim_seci_parse(&seci,
				    "{\"m2m:seci\":{\"sit\":4,\"ero\":" ORO_JSON
				    "}}", strlen("{\"m2m:seci\":{\"sit\":4,"
						 "\"ero\":" ORO_JSON "}}"),
				    now, &err));
	EXPECT_EQ(NULL, seci.ero);
	esprim_rand_free(oro);
	esprim_rand_free(rro);
}

TEST(seci_sit6_round_trip)
{
	static const uint8_t hello[] = { 0x16, 0x03, 0x03 };
	static const char *const bad[] = {
		"{\"m2m:seci\":{\"sit\":6,\"eckm\":\"\"}}",
		"{\"m2m:seci\":{\"sit\":6,\"eckm\":\"Fg=D\"}}",
		"{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgM\"}}",
		"{\"m2m:seci\":{\"sit\":6,\"eckm\":\"Fg-D\"}}",
		"{\"m2m:seci\":{\"sit\":6,\"eckm\":3}}",
		"{\"m2m:seci\":{\"sit\":6}}",
	};
	struct esprim_error err;
	struct esprim_seci seci;
	uint8_t eckm[40];
	char *json = NULL;
	size_t n;

	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL, hello,
				       sizeof(hello), &err));
	/* base64Binary: the standard alphabet, padded. */
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":6,\"eckm\":\"FgMD\"}}", json);
	esprim_free(json);

	pattern(eckm, sizeof(eckm), 11);
	for (n = 1; n <= sizeof(eckm); n++) {
		ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL,
					       eckm, n, &err));
		ASSERT_EQ(0, esprim_seci_parse(&seci, json, strlen(json), 0,
					       &err)) TH_LOG("%s", json);
		EXPECT_EQ(ESPRIM_SIT_ECKM, seci.sit);
		ASSERT_EQ(n, seci.eckm_len);
		EXPECT_EQ(0, memcmp(eckm, seci.eckm, n)) TH_LOG("%s", json);
		esprim_seci_release(&seci);
		esprim_free(json);
	}
	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++)
		EXPECT_EQ(ESPRIM_RSC_BAD_REQUEST,
			  esprim_seci_parse(&seci, bad[n], strlen(bad[n]), 0,
					    &err)) TH_LOG("%s", bad[n]);
}

TEST(seci_build_refusals)
{
	static const int bad_sit[] = { -1, 0, 1, 2, 5, 7, 1000 };
	uint8_t *big;
	struct esprim_error err;
	char *json;
	size_t i;

	for (i = 0; i < sizeof(bad_sit) / sizeof(bad_sit[0]); i++) {
		json = (char *)"unset";
		memset(&err, 0, sizeof(err));
		EXPECT_EQ(-EINVAL, esprim_seci_build(&json, bad_sit[i], NULL,
						     NULL, 0, &err))
			TH_LOG("sit %d", bad_sit[i]);
		EXPECT_EQ(NULL, json);
		EXPECT_EQ(EINVAL, err.errnum);
		EXPECT_NE(0, err.rsc);
	}
	/* A missing member, a member the sit lacks, too many octets. */
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_RRO_RESPONSE,
					     NULL, NULL, 0, &err));
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL,
					     NULL, 0, &err));
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_RRO_REQUEST,
					     NULL, (const uint8_t *)"x", 1,
					     &err));
	big = calloc(1, 65536 * 3 + 1);
	ASSERT_NE(NULL, big);
	EXPECT_EQ(-EINVAL, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL, big,
					     65536 * 3 + 1, &err));
	EXPECT_EQ(NULL, json);
	ASSERT_EQ(0, esprim_seci_build(&json, ESPRIM_SIT_ECKM, NULL, big,
				       65536 * 3, &err));
	EXPECT_EQ(4 * 65536 + strlen("{\"m2m:seci\":{\"sit\":6,\"eckm\":\"\"}}"),
		  strlen(json));
	esprim_free(json);
	free(big);
}

TEST_HARNESS_MAIN
