// SPDX-License-Identifier: GPL-2.0
/*
 * libesprim against a clock the test moves (soft backend, ASan, UBSan):
 * the library is built with its clock_gettime() calls routed to
 * test_clock_gettime() below, so expiry can come at any point of an open.
 *
 *   - a session that expires while its object is being opened, and is
 *     reaped by the open itself, stays valid until the open is done;
 *   - an originator object with a relative esrx, replayed in a captured
 *     header after its session expired, does not derive the session anew
 *     with a fresh replay state.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"
#include "esprim.h"

#define KID	"13-gw1.example.net"
#define PEER	"//example.net/gw1"
#define REQ	"{\"op\":2,\"to\":\"/in-cse\",\"fr\":\"/gw1\",\"rqi\":\"1\"}"
#define BUF	4096
#define T0	1800000000000LL		/* a whole second, 2027 */

static const uint8_t key[32] = { 7, 7, 7, 7, 7, 7, 7, 7 };

/* The time, and a jump it takes at the jump_at-th reading. */
static int64_t clock_ms = T0;
static int clock_reads, jump_at;
static int64_t jump_ms;

int test_clock_gettime(clockid_t id, struct timespec *ts);
int test_clock_gettime(clockid_t id, struct timespec *ts)
{
	if (++clock_reads == jump_at)
		clock_ms += jump_ms;
	ts->tv_sec = clock_ms / 1000;
	ts->tv_nsec = clock_ms % 1000 * 1000000;
	return 0;
}

static void clock_set(int64_t ms, int at, int64_t by)
{
	clock_ms = ms;
	clock_reads = 0;
	jump_at = at;
	jump_ms = by;
}

static struct esprim_ctx *ctx_new(uint32_t max_learnt)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_ctx *ctx = NULL;

	cfg.max_learnt_rands = max_learnt;
	esprim_ctx_new(&ctx, &cfg, NULL);
	return ctx;
}

static int add_key(struct esprim_ctx *ctx, const char *peer)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;

	pc.kid = KID;
	pc.key = key;
	pc.key_len = sizeof(key);
	pc.peer = peer;
	return esprim_ctx_add_pairwise(ctx, &pc, NULL);
}

static struct esprim_rand *parse(const char *json, bool receiver)
{
	struct esprim_rand *r = NULL;

	esprim_rand_parse(&r, json, strlen(json), receiver, esprim_now_ms(),
			  NULL);
	return r;
}

static struct esprim_session *originator(struct esprim_ctx *ctx,
					 const struct esprim_rand *rro,
					 const struct esprim_rand *oro,
					 enum esprim_announce announce)
{
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_session *s = NULL;

	sc.kid = KID;
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	sc.announce = announce;
	esprim_session_new(ctx, &sc, &s, NULL);
	return s;
}

#define RRO "{\"esks\":[1],\"espa\":[12],\"esri\":\"r1\"," \
	"\"esrv\":\"AAECAwQFBgcICQoLDA0ODw\",\"esrx\":\"20290101T000000\"}"
/* Expires one second after T0. */
#define ORO_SHORT "{\"esk\":1,\"espa\":[12],\"esri\":\"o1\"," \
	"\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":\"20270115T080001\"}"
#define ORO_NEXT "{\"esk\":1,\"espa\":[12],\"esri\":\"o2\"," \
	"\"esrv\":\"ICEiIyQlJicoKSorLC0uLw\",\"esrx\":\"20281231T000000\"}"
#define ORO_RELATIVE "{\"esk\":1,\"espa\":[12],\"esri\":\"o3\"," \
	"\"esrv\":\"MDEyMzQ1Njc4OTo7PD0-Pw\",\"esrx\":1500}"

/*
 * The receiver's one learnt slot is taken, so learning the next object
 * the request offers reaps; the clock jumps past the session's expiry at
 * each possible reading in turn.  Every open must end cleanly (ASan).
 */
TEST(session_reaped_during_its_own_open)
{
	int at, opened = 0, refused = 0;

	ASSERT_EQ(T0, T0 / 1000 * 1000);
	for (at = 1; at <= 40; at++) {
		struct esprim_ctx *tx, *rx;
		struct esprim_rand *rro, *oro, *next;
		struct esprim_opened *o = esprim_opened_new();
		struct esprim_session *s;
		char obj[BUF], out[BUF];
		size_t len;
		int rc;

		clock_set(T0, 0, 0);
		tx = ctx_new(0);
		rx = ctx_new(1);
		ASSERT_EQ(0, add_key(tx, "//example.net/in-cse"));
		ASSERT_EQ(0, add_key(rx, PEER));
		rro = parse(RRO, true);
		oro = parse(ORO_SHORT, false);
		next = parse(ORO_NEXT, false);
		ASSERT_NE(NULL, next);
		ASSERT_EQ(0, esprim_ctx_add_own_rand(rx, rro, NULL));
		ASSERT_EQ(0, esprim_ctx_add_learnt_rand(rx, KID, oro, NULL));
		s = originator(tx, rro, oro, ESPRIM_ANNOUNCE_NEVER);
		ASSERT_NE(NULL, s);
		ASSERT_EQ(0, esprim_session_offer_next(s, next, NULL));
		ASSERT_EQ(0, esprim_seal(s, REQ, strlen(REQ), obj, sizeof(obj),
					 &len, NULL));

		clock_set(T0 + 500, at, 1000);
		rc = esprim_open(rx, obj, len, out, sizeof(out), o, NULL);
		opened += rc == 0;
		refused += rc == ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID;
		EXPECT_TRUE(rc == 0 || rc == ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID)
			TH_LOG("jump at reading %d: %d", at, rc);
		if (!rc)
			EXPECT_EQ(strlen(REQ), esprim_opened_text_len(o));
		/* Whatever happened, the context is whole. */
		esprim_ctx_reap(rx);
		esprim_opened_free(o);
		esprim_session_put(s);
		esprim_ctx_free(tx);
		esprim_ctx_free(rx);
		esprim_rand_free(rro);
		esprim_rand_free(oro);
		esprim_rand_free(next);
	}
	/* Jumps before the expiry check refuse, later ones open. */
	EXPECT_GT(opened, 0);
	EXPECT_GT(refused, 0);
}

/*
 * Profile B.8 has receivers accept a relative esrx, which each parse
 * resolves against its own now: a captured first request (full oro in the
 * header) must not open again once its session expired.
 */
TEST(relative_esrx_replay_after_expiry)
{
	struct esprim_ctx *tx, *rx;
	struct esprim_rand *rro, *oro;
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_session *s;
	char obj[BUF], out[BUF];
	size_t len;

	clock_set(T0, 0, 0);
	tx = ctx_new(0);
	rx = ctx_new(0);
	ASSERT_EQ(0, add_key(tx, "//example.net/in-cse"));
	ASSERT_EQ(0, add_key(rx, PEER));
	rro = parse(RRO, true);
	oro = parse(ORO_RELATIVE, false);
	ASSERT_NE(NULL, oro);
	ASSERT_EQ(T0 + 1500, esprim_rand_expiry_ms(oro));
	ASSERT_EQ(0, esprim_ctx_add_own_rand(rx, rro, NULL));
	s = originator(tx, rro, oro, ESPRIM_ANNOUNCE_AUTO);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, esprim_seal(s, REQ, strlen(REQ), obj, sizeof(obj), &len,
				 NULL));
	EXPECT_EQ(0, esprim_open(rx, obj, len, out, sizeof(out), o, NULL));
	EXPECT_EQ(ESPRIM_RSC_DECRYPTION_ERROR,
		  esprim_open(rx, obj, len, out, sizeof(out), o, NULL));

	/* Past the oro's expiry, reaped or not. */
	clock_set(T0 + 3000, 0, 0);
	EXPECT_EQ(ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
		  esprim_open(rx, obj, len, out, sizeof(out), o, NULL));
	esprim_ctx_reap(rx);
	EXPECT_EQ(ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
		  esprim_open(rx, obj, len, out, sizeof(out), o, NULL));
	clock_set(T0 + 60000, 0, 0);
	esprim_ctx_reap(rx);
	EXPECT_EQ(ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
		  esprim_open(rx, obj, len, out, sizeof(out), o, NULL));

	esprim_opened_free(o);
	esprim_session_put(s);
	esprim_ctx_free(tx);
	esprim_ctx_free(rx);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
}

TEST_HARNESS_MAIN
