// SPDX-License-Identifier: GPL-2.0
/*
 * One session state per (key bytes, role) on the machine (uapi header,
 * "Nonce uniqueness"): however often and by whichever process a session
 * key is derived again, and whatever tfm sets the same raw key, the IV
 * counter, the replay window and the hard limits carry on.  Also: the key
 * chain (enrolment key, pairwise key) is checked on every use, and the
 * replay statistics count authentic objects only.  Runs inside the test
 * VM as root; every test starts in a new session keyring.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <kcapi.h>
#include <keyutils.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "../lib/proc_keys.h"
#include "esprim_afalg.h"
#include "../lib/iv.h"
#include "../lib/scale.h"

#define TRAILER		ONEM2M_ESPRIM_TRAILER_LEN
#define TAG_LEN		ONEM2M_ESPRIM_TAG_LEN
#define OBJ_LEN		(2 + TRAILER)	/* AAD "a", text "b" */
#define IV_OFF		(2 + TAG_LEN)	/* the IV in an object */
#define ROLE_O		ONEM2M_ESPRIM_ROLE_ORIGINATOR
#define ROLE_R		ONEM2M_ESPRIM_ROLE_RECEIVER

/* One session of a pairwise key: the inputs of its derivation. */
struct sess {
	char kid[32];
	uint8_t pw[32];			/* the pairwise key bytes */
	key_serial_t pairwise;		/* 0: found by kid */
	char rro[64], oro[64];		/* the rand objects */
};

/* New rand objects: a new session key, so a new session state. */
static void sess_rekey(struct sess *x)
{
	uint8_t r[16];
	char hex[33];
	int i;

	RAND_bytes(r, sizeof(r));
	for (i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", r[i]);
	snprintf(x->rro, sizeof(x->rro), "{\"esri\":\"r1\",\"esrv\":\"%.16s\"}",
		 hex);
	snprintf(x->oro, sizeof(x->oro), "{\"esri\":\"o1\",\"esrv\":\"%.16s\"}",
		 hex + 16);
}

/* "pairwise:<kid>" of 32 bytes @key in @ring. */
static key_serial_t add_pairwise(const char *kid, const uint8_t *key,
				 uint32_t lifetime, key_serial_t ring)
{
	struct onem2m_esprim_pairwise_payload p;
	char desc[64];

	memset(&p, 0, sizeof(p));
	p.hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	p.key_len = 32;
	p.peer_len = strlen("CAE1");
	p.lifetime = lifetime;
	memcpy(p.key, key, 32);
	memcpy(p.peer, "CAE1", 4);
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, &p, sizeof(p), ring);
}

/* A random pairwise key "pairwise:<kid>" in @ring, and rand objects. */
static key_serial_t sess_init(struct sess *x, const char *kid,
			      uint32_t lifetime, key_serial_t ring)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->kid, sizeof(x->kid), "%s", kid);
	RAND_bytes(x->pw, sizeof(x->pw));
	sess_rekey(x);
	x->pairwise = add_pairwise(kid, x->pw, lifetime, ring);
	return x->pairwise;
}

/* The session payload of @x for @role (A256GCM). */
static size_t sess_payload(const struct sess *x, uint8_t *buf, int role,
			   int replay, uint32_t hard_seconds)
{
	struct onem2m_esprim_session_payload *p = (void *)buf;
	size_t rl = strlen(x->rro), ol = strlen(x->oro);

	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	p->pairwise = x->pairwise;
	p->enc = ONEM2M_ESPRIM_ENC_A256GCM;
	p->role = role;
	p->replay = replay;
	p->hard_seconds = hard_seconds;
	p->rro_len = rl;
	p->oro_len = ol;
	memcpy(p->rand_objects, x->rro, rl);
	memcpy(p->rand_objects + rl, x->oro, ol);
	return sizeof(*p) + rl + ol;
}

/* Derives "session:<kid>:o1:<rri>" into @ring. */
static key_serial_t derive(const struct sess *x, key_serial_t ring,
			   const char *rri, int role, int replay,
			   uint32_t hard_seconds)
{
	uint8_t buf[512];
	size_t len = sess_payload(x, buf, role, replay, hard_seconds);
	char desc[96];

	snprintf(desc, sizeof(desc), "session:%s:o1:%s", x->kid, rri);
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, buf, len, ring);
}

/* The session key of @x as the uapi header defines it (32 octets). */
static void session_key_bytes(const struct sess *x, uint8_t out[32])
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	uint8_t msg[256];
	unsigned int md_len;
	size_t m = 0;

	memcpy(msg, x->rro, strlen(x->rro));
	m += strlen(x->rro);
	memcpy(msg + m, x->oro, strlen(x->oro));
	m += strlen(x->oro);
	memcpy(msg + m, label, strlen(label));
	m += strlen(label);
	HMAC(EVP_sha256(), x->pw, sizeof(x->pw), msg, m, out, &md_len);
}

static key_serial_t new_keyring(const char *name)
{
	return add_key("keyring", name, NULL, 0, KEY_SPEC_SESSION_KEYRING);
}

/* add_key's result as 0 or -errno. */
static int add_errno(key_serial_t serial)
{
	return serial < 0 ? -errno : 0;
}

static int open_ref(struct kcapi_handle **h, key_serial_t session)
{
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
		.serial = session,
	};

	return esprim_afalg_open(h, ONEM2M_ESPRIM_AEAD_ALG, &ref, sizeof(ref),
				 TRAILER);
}

static int open_raw(struct kcapi_handle **h, const uint8_t key[32], int role)
{
	struct onem2m_esprim_key_raw blob;

	esprim_key_raw_init(&blob, key, 32, role, 0);
	return esprim_afalg_open(h, ONEM2M_ESPRIM_AEAD_ALG, &blob,
				 sizeof(blob), TRAILER);
}

/* Seals one small object; returns the AF_ALG result. */
static ssize_t seal_obj(struct kcapi_handle *h, uint8_t *out)
{
	return esprim_afalg_crypt(h, true, NULL, 1, (const uint8_t *)"ab", 2,
				  out, OBJ_LEN);
}

static ssize_t open_obj(struct kcapi_handle *h, const uint8_t *obj)
{
	uint8_t out[2];

	return esprim_afalg_crypt(h, false, NULL, 1, obj, OBJ_LEN, out,
				  sizeof(out));
}

/* The replays= and reflected= counts of a session key; 0 if found. */
static int replay_stats(key_serial_t serial, long *replays, long *reflected)
{
	char line[512];
	const char *p;

	proc_keys_line(serial, line, sizeof(line));
	p = strstr(line, " replays=");
	if (!p || sscanf(p, " replays=%ld reflected=%ld", replays,
			 reflected) != 2)
		return -1;
	return 0;
}

/* A recorded IV, sortable. */
struct iv_rec {
	uint32_t fixed;
	uint64_t counter;
};

static int iv_rec_cmp(const void *a, const void *b)
{
	const struct iv_rec *x = a, *y = b;

	if (x->fixed != y->fixed)
		return x->fixed < y->fixed ? -1 : 1;
	return x->counter < y->counter ? -1 : x->counter > y->counter;
}

/*
 * Checks @n IVs of one state, all of them the state ever issued: one
 * fixed field, no IV twice, counters exactly 0 to n - 1.  Returns the
 * number of problems and logs them.
 */
static int check_ivs(struct __test_metadata *_metadata, struct iv_rec *ivs,
		     size_t n)
{
	size_t i, dups = 0, fixed = 1, gaps = 0;

	qsort(ivs, n, sizeof(*ivs), iv_rec_cmp);
	for (i = 1; i < n; i++) {
		if (ivs[i].fixed != ivs[i - 1].fixed)
			fixed++;
		else if (ivs[i].counter == ivs[i - 1].counter)
			dups++;
	}
	for (i = 0; fixed == 1 && i < n; i++)
		gaps += ivs[i].counter != i;
	TH_LOG("%zu IVs: %zu fixed fields, %zu duplicates, %zu off sequence",
	       n, fixed, dups, gaps);
	return (fixed != 1) + (dups != 0) + (gaps != 0);
}

/* Sealing threads: record every IV, stop at @cap or when told. */
struct sealer {
	pthread_t thread;
	struct kcapi_handle *h;
	/* REF sealers: re-open on the derivers' latest serials. */
	volatile key_serial_t *serials;	/* NULL: RAW, keep @h */
	unsigned int nserials;
	unsigned int reopen_every;
	volatile int *stop;
	struct iv_rec *ivs;
	size_t n, cap;
	unsigned long tries, reopened, reopen_refused, revoked, errors;
	int last_error;
};

/* A re-open may lose the race with a re-derivation: these are expected. */
static bool reopen_refusal(int err)
{
	return err == -EKEYREVOKED || err == -ENOKEY || err == -EACCES ||
	       err == -EKEYEXPIRED;
}

static void sealer_reopen(struct sealer *w)
{
	key_serial_t serial = w->serials[w->tries++ % w->nserials];
	struct kcapi_handle *h;
	int err;

	if (serial <= 0)
		return;
	err = open_ref(&h, serial);
	if (err) {
		if (reopen_refusal(err)) {
			w->reopen_refused++;
		} else {
			w->errors++;
			w->last_error = err;
		}
		return;
	}
	/* The new tfm holds the state before the old one lets go. */
	kcapi_aead_destroy(w->h);
	w->h = h;
	w->reopened++;
}

static void *sealer_run(void *arg)
{
	struct sealer *w = arg;
	uint8_t out[OBJ_LEN];
	unsigned long i;
	bool reopen = false;

	for (i = 0; !*w->stop && w->n < w->cap; i++) {
		ssize_t ret;

		if (w->serials && (reopen || i % w->reopen_every == 0)) {
			sealer_reopen(w);
			reopen = false;
		}
		ret = seal_obj(w->h, out);
		if (ret == OBJ_LEN) {
			w->ivs[w->n].fixed = iv_fixed(out + IV_OFF);
			w->ivs[w->n].counter = iv_counter(out + IV_OFF);
			w->n++;
		} else if (reopen_refusal((int)ret) && w->serials) {
			/*
			 * Its key was revoked or replaced by a re-derivation
			 * (the refusals a re-open may meet too): move on.
			 */
			w->revoked++;
			reopen = true;
		} else {
			w->errors++;
			w->last_error = (int)ret;
		}
	}
	return NULL;
}

/* Long-running tests: a generous timeout for slow emulation. */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/*
 * Derivations per deriving process, and raw setkeys (ESPRIM_TEST_DERIVATIONS
 * overrides).  Measured in the TCG guest (2 vCPUs, host shared with other
 * jobs): 10,000 x 2 derivations take 9-13 s on 6.12 and 19-20 s on 6.1,
 * 10,000 raw setkeys 22-27 s on 6.12 and 25-50 s on 6.1; the whole file
 * runs in about 60 s (6.12) to 80 s (6.1).
 */
#define DERIVATIONS	10000
#define SEALERS		4
#define IV_CAP		(1 << 20)	/* IVs recorded per sealer, at most */

static unsigned int derivations(void)
{
	const char *env = getenv("ESPRIM_TEST_DERIVATIONS");

	return env ? (unsigned int)atoi(env) : test_scaled(DERIVATIONS);
}

/* What the deriving processes share with the test. */
struct deriver_shm {
	volatile key_serial_t serial[2];	/* the latest key of each */
	volatile unsigned long done[2], failed[2], revoke_failed;
	volatile int last_error[2];
};

/*
 * Deriver 0 derives into the session keyring by pairwise serial, each new
 * key replacing the last; deriver 1 finds the pairwise key by kid and
 * alternates between two keyrings, revoking its previous key once the new
 * one is there.
 */
static void deriver_run(struct deriver_shm *shm, int id, const struct sess *x,
			const key_serial_t rings[2], unsigned int n)
{
	struct sess by_kid = *x;
	key_serial_t prev = 0, s;
	unsigned int i;

	by_kid.pairwise = 0;
	for (i = 0; i < n; i++) {
		if (id == 0)
			s = derive(x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0);
		else
			s = derive(&by_kid, rings[i % 2], "r1", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0);
		if (s < 0) {
			shm->failed[id]++;
			shm->last_error[id] = errno;
			continue;
		}
		shm->serial[id] = s;
		if (id == 1 && prev && keyctl_revoke(prev))
			shm->revoke_failed++;
		prev = s;
		shm->done[id]++;
	}
}

/*
 * Two processes derive the same session key again and again while four
 * threads seal through tfms that follow the freshly derived keys: every
 * IV comes from the one state, none twice.
 */
TEST_F_TIMEOUT(slow, same_session_derived_many_times, 600)
{
	struct sealer w[SEALERS];
	struct deriver_shm *shm;
	volatile int stop = 0;
	key_serial_t rings[2], s0;
	struct iv_rec *all;
	unsigned int n = derivations();
	size_t total = 0, i;
	struct sess x;
	pid_t pids[2];
	int d, status;
	time_t t0;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, sess_init(&x, "many1", 0, KEY_SPEC_SESSION_KEYRING));
	rings[0] = new_keyring("ring1a");
	rings[1] = new_keyring("ring1b");
	ASSERT_LT(0, rings[0]);
	ASSERT_LT(0, rings[1]);
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
	memset((void *)shm, 0, sizeof(*shm));

	/* The first key, and the sealers' first tfms on it. */
	s0 = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s0) TH_LOG("%s", strerror(errno));
	shm->serial[0] = shm->serial[1] = s0;
	memset(w, 0, sizeof(w));
	for (i = 0; i < SEALERS; i++) {
		ASSERT_EQ(0, open_ref(&w[i].h, s0));
		w[i].serials = shm->serial;
		w[i].nserials = 2;
		w[i].reopen_every = 16 + 8 * i;
		w[i].stop = &stop;
		w[i].cap = IV_CAP;
		w[i].ivs = malloc(IV_CAP * sizeof(*w[i].ivs));
		ASSERT_NE(NULL, w[i].ivs);
	}

	t0 = time(NULL);
	for (d = 0; d < 2; d++) {
		pids[d] = fork();
		ASSERT_LE(0, pids[d]);
		if (pids[d] == 0) {
			deriver_run(shm, d, &x, rings, n);
			_exit(0);
		}
	}
	for (i = 0; i < SEALERS; i++)
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, sealer_run,
					    &w[i]));
	for (d = 0; d < 2; d++) {
		ASSERT_EQ(pids[d], waitpid(pids[d], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	stop = 1;
	for (i = 0; i < SEALERS; i++) {
		pthread_join(w[i].thread, NULL);
		kcapi_aead_destroy(w[i].h);
		total += w[i].n;
	}
	TH_LOG("%u derivations x 2 in %lds; derived %lu + %lu",
	       n, (long)(time(NULL) - t0), shm->done[0], shm->done[1]);

	EXPECT_EQ(0, shm->revoke_failed);
	for (d = 0; d < 2; d++) {
		EXPECT_EQ(n, shm->done[d])
			TH_LOG("deriver %d: %lu failed, last errno %d", d,
			       shm->failed[d], shm->last_error[d]);
	}
	all = malloc(total * sizeof(*all));
	ASSERT_NE(NULL, all);
	total = 0;
	for (i = 0; i < SEALERS; i++) {
		TH_LOG("sealer %zu: %zu sealed, %lu re-opened, %lu re-opens "
		       "refused, %lu refused as revoked, %lu errors (last %d)",
		       i, w[i].n, w[i].reopened, w[i].reopen_refused,
		       w[i].revoked, w[i].errors, w[i].last_error);
		EXPECT_EQ(0, w[i].errors);
		EXPECT_LT(0, w[i].n);
		EXPECT_LT(0, w[i].reopened);
		memcpy(all + total, w[i].ivs, w[i].n * sizeof(*all));
		total += w[i].n;
		free(w[i].ivs);
	}
	EXPECT_EQ(0, check_ivs(_metadata, all, total));
	free(all);
	munmap((void *)shm, sizeof(*shm));
}

/*
 * Raw setkey of the same key bytes and role on ever new tfms, while four
 * threads seal with tfms of their own on the same bytes: one IV space.
 */
TEST_F_TIMEOUT(slow, raw_setkey_same_bytes_many_times, 600)
{
	struct sealer w[SEALERS];
	volatile int stop = 0;
	struct iv_rec *all, mine[256];
	unsigned int n = derivations(), k, refused = 0;
	size_t total = 0, nmine = 0, i;
	uint8_t key[32], out[OBJ_LEN];
	int last_error = 0;
	time_t t0;

	RAND_bytes(key, sizeof(key));
	memset(w, 0, sizeof(w));
	for (i = 0; i < SEALERS; i++) {
		ASSERT_EQ(0, open_raw(&w[i].h, key, ROLE_O));
		w[i].stop = &stop;
		w[i].cap = IV_CAP;
		w[i].ivs = malloc(IV_CAP * sizeof(*w[i].ivs));
		ASSERT_NE(NULL, w[i].ivs);
	}
	for (i = 0; i < SEALERS; i++)
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, sealer_run,
					    &w[i]));
	t0 = time(NULL);
	for (k = 0; k < n; k++) {
		struct kcapi_handle *h;
		int err = open_raw(&h, key, ROLE_O);

		if (err) {
			refused++;
			last_error = err;
			continue;
		}
		/* Now and then, an IV from the new tfm too. */
		if (k % (n / 200 + 1) == 0 && nmine < 256) {
			if (seal_obj(h, out) == OBJ_LEN) {
				mine[nmine].fixed = iv_fixed(out + IV_OFF);
				mine[nmine].counter = iv_counter(out + IV_OFF);
				nmine++;
			} else {
				refused++;
			}
		}
		kcapi_aead_destroy(h);
	}
	stop = 1;
	for (i = 0; i < SEALERS; i++) {
		pthread_join(w[i].thread, NULL);
		kcapi_aead_destroy(w[i].h);
		total += w[i].n;
	}
	TH_LOG("%u raw setkeys in %lds", n, (long)(time(NULL) - t0));
	EXPECT_EQ(0, refused) TH_LOG("last error %d", last_error);
	EXPECT_LT(0, nmine);

	all = malloc((total + nmine) * sizeof(*all));
	ASSERT_NE(NULL, all);
	total = 0;
	for (i = 0; i < SEALERS; i++) {
		TH_LOG("sealer %zu: %zu sealed, %lu errors (last %d)", i,
		       w[i].n, w[i].errors, w[i].last_error);
		EXPECT_EQ(0, w[i].errors);
		EXPECT_LT(0, w[i].n);
		memcpy(all + total, w[i].ivs, w[i].n * sizeof(*all));
		total += w[i].n;
		free(w[i].ivs);
	}
	memcpy(all + total, mine, nmine * sizeof(*all));
	total += nmine;
	EXPECT_EQ(0, check_ivs(_metadata, all, total));
	free(all);
}

/*
 * A raw tfm given the bytes of a derived session key (computed here with
 * OpenSSL) continues that session's IV sequence, and the other way round.
 */
TEST(raw_setkey_joins_ref_session)
{
	struct kcapi_handle *ref, *raw, *raw_r;
	uint8_t key[32], out[OBJ_LEN];
	uint32_t fixed;
	struct sess x;
	key_serial_t s;
	int i;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, sess_init(&x, "join1", 0, KEY_SPEC_SESSION_KEYRING));
	s = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		   ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s);
	ASSERT_EQ(0, open_ref(&ref, s));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(OBJ_LEN, seal_obj(ref, out));
	fixed = iv_fixed(out + IV_OFF);
	EXPECT_EQ(2, iv_counter(out + IV_OFF));
	EXPECT_EQ(0, fixed >> 31);

	session_key_bytes(&x, key);
	ASSERT_EQ(0, open_raw(&raw, key, ROLE_O));
	for (i = 3; i < 8; i++) {
		ASSERT_EQ(OBJ_LEN, seal_obj(i % 2 ? raw : ref, out));
		EXPECT_EQ(fixed, iv_fixed(out + IV_OFF));
		EXPECT_EQ(i, iv_counter(out + IV_OFF));
	}

	/* The other role of the same bytes is another IV space. */
	ASSERT_EQ(0, open_raw(&raw_r, key, ROLE_R));
	ASSERT_EQ(OBJ_LEN, seal_obj(raw_r, out));
	EXPECT_EQ(1, iv_fixed(out + IV_OFF) >> 31);
	EXPECT_EQ(0, iv_counter(out + IV_OFF));

	/* The raw tfm alone keeps the state: the key goes, the count stays. */
	kcapi_aead_destroy(ref);
	ASSERT_EQ(0, keyctl_revoke(s));
	ASSERT_EQ(0, keyctl_unlink(s, KEY_SPEC_SESSION_KEYRING));
	s = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		   ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s);
	ASSERT_EQ(0, open_ref(&ref, s));
	ASSERT_EQ(OBJ_LEN, seal_obj(ref, out));
	EXPECT_EQ(fixed, iv_fixed(out + IV_OFF));
	EXPECT_EQ(8, iv_counter(out + IV_OFF));
	kcapi_aead_destroy(ref);
	kcapi_aead_destroy(raw);
	kcapi_aead_destroy(raw_r);
}

/*
 * The receiver's replay window survives deriving its session key again:
 * an object opened before is refused through the new key.
 */
TEST(replay_refused_after_rederivation)
{
	static uint8_t m[4][OBJ_LEN];
	struct kcapi_handle *a, *b;
	key_serial_t ro, rr, rr2, so, sr, sr2, sr3;
	uint8_t key[32];
	struct sess x;
	int i;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ro = new_keyring("originator");
	rr = new_keyring("receiver");
	rr2 = new_keyring("receiver2");
	ASSERT_LT(0, ro);
	ASSERT_LT(0, rr);
	ASSERT_LT(0, rr2);
	ASSERT_LT(0, sess_init(&x, "replay1", 0, KEY_SPEC_SESSION_KEYRING));
	/* Both sides of one session, each in a keyring of its own. */
	so = derive(&x, ro, "r1", ROLE_O, ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	sr = derive(&x, rr, "r1", ROLE_R, ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, so);
	ASSERT_LT(0, sr);
	ASSERT_EQ(0, open_ref(&a, so));
	ASSERT_EQ(0, open_ref(&b, sr));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(OBJ_LEN, seal_obj(a, m[i]));
	EXPECT_EQ(2, open_obj(b, m[0]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[0]));
	kcapi_aead_destroy(b);

	/* Derived again into the same keyring: the new key replaces it. */
	sr2 = derive(&x, rr, "r1", ROLE_R, ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, sr2);
	EXPECT_NE(sr, sr2);
	ASSERT_EQ(0, open_ref(&b, sr2));
	EXPECT_EQ(-EALREADY, open_obj(b, m[0]));
	EXPECT_EQ(2, open_obj(b, m[1]));
	kcapi_aead_destroy(b);

	/* Derived again elsewhere, the previous key revoked. */
	sr3 = derive(&x, rr2, "r1", ROLE_R, ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, sr3);
	ASSERT_EQ(0, keyctl_revoke(sr2));
	ASSERT_EQ(0, open_ref(&b, sr3));
	EXPECT_EQ(-EALREADY, open_obj(b, m[0]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[1]));
	EXPECT_EQ(2, open_obj(b, m[2]));
	kcapi_aead_destroy(b);

	/* A raw tfm of the receiver's bytes has the same window. */
	session_key_bytes(&x, key);
	ASSERT_EQ(0, open_raw(&b, key, ROLE_R));
	EXPECT_EQ(-EALREADY, open_obj(b, m[2]));
	EXPECT_EQ(2, open_obj(b, m[3]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[3]));
	kcapi_aead_destroy(b);
	kcapi_aead_destroy(a);
}

/*
 * An object opened by the side that sealed it, through a key derived
 * again or a raw tfm of the same bytes, is refused as reflected under
 * every policy; the peer's objects still open.
 */
TEST(reflection_refused_under_every_policy)
{
	static const int policies[] = {
		ONEM2M_ESPRIM_REPLAY_AUTO, ONEM2M_ESPRIM_REPLAY_STRICT,
		ONEM2M_ESPRIM_REPLAY_OFF,
	};
	uint8_t own[OBJ_LEN], peer[OBJ_LEN], key[32];
	struct kcapi_handle *a, *a2, *raw, *r;
	key_serial_t so, so2, sr;
	long replays, reflected;
	struct sess x;
	size_t p;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, sess_init(&x, "reflect1", 0, KEY_SPEC_SESSION_KEYRING));
	for (p = 0; p < sizeof(policies) / sizeof(policies[0]); p++) {
		int policy = policies[p];

		sess_rekey(&x);	/* a new state made with this policy */
		so = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O, policy,
			    0);
		sr = derive(&x, KEY_SPEC_SESSION_KEYRING, "r2", ROLE_R, policy,
			    0);
		ASSERT_LT(0, so);
		ASSERT_LT(0, sr);
		ASSERT_EQ(0, open_ref(&a, so));
		ASSERT_EQ(0, open_ref(&r, sr));
		ASSERT_EQ(OBJ_LEN, seal_obj(a, own));
		EXPECT_EQ(-EALREADY, open_obj(a, own)) TH_LOG("policy %d",
							       policy);

		/* The originator's key derived again, replacing the first. */
		so2 = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
			     policy, 0);
		ASSERT_LT(0, so2);
		EXPECT_NE(so, so2);
		ASSERT_EQ(0, open_ref(&a2, so2));
		EXPECT_EQ(-EALREADY, open_obj(a2, own)) TH_LOG("policy %d",
								policy);
		session_key_bytes(&x, key);
		ASSERT_EQ(0, open_raw(&raw, key, ROLE_O));
		EXPECT_EQ(-EALREADY, open_obj(raw, own)) TH_LOG("policy %d",
								 policy);

		/* The peer's object opens on every one of them. */
		ASSERT_EQ(OBJ_LEN, seal_obj(r, peer));
		EXPECT_EQ(2, open_obj(a2, peer)) TH_LOG("policy %d", policy);

		ASSERT_EQ(0, replay_stats(so2, &replays, &reflected));
		EXPECT_EQ(3, reflected) TH_LOG("policy %d", policy);
		EXPECT_EQ(0, replays) TH_LOG("policy %d", policy);
		kcapi_aead_destroy(a);
		kcapi_aead_destroy(a2);
		kcapi_aead_destroy(raw);
		kcapi_aead_destroy(r);
	}
}

/*
 * Hard lifetimes are the module's: removing a key's timeout (keyctl
 * timeout 0) extends neither the session's hard_seconds nor its pairwise
 * key's lifetime.
 */
TEST_F_TIMEOUT(slow, hard_deadline_survives_keyctl_timeout, 120)
{
	uint8_t m[OBJ_LEN], m2[OBJ_LEN], out[OBJ_LEN], key[32];
	struct kcapi_handle *h, *h2, *peer, *late;
	key_serial_t s, sr, s2, sr2;
	struct sess x, y;
	char line[512];
	int err;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));

	/* A session key of hard_seconds 2, its timeout removed. */
	ASSERT_LT(0, sess_init(&x, "hard1", 0, KEY_SPEC_SESSION_KEYRING));
	s = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		   ONEM2M_ESPRIM_REPLAY_AUTO, 2);
	sr = derive(&x, KEY_SPEC_SESSION_KEYRING, "r2", ROLE_R,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s);
	ASSERT_LT(0, sr);
	ASSERT_EQ(0, open_ref(&h, s));
	ASSERT_EQ(0, open_ref(&peer, sr));
	ASSERT_EQ(OBJ_LEN, seal_obj(h, out));
	ASSERT_EQ(OBJ_LEN, seal_obj(peer, m));
	ASSERT_EQ(0, keyctl_set_timeout(s, 0));
	proc_keys_line(s, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " perm ")) TH_LOG("%s", line);
	kcapi_aead_destroy(peer);

	/* A pairwise key of lifetime 2, its and its session's removed. */
	ASSERT_LT(0, sess_init(&y, "hard2", 2, KEY_SPEC_SESSION_KEYRING));
	s2 = derive(&y, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	sr2 = derive(&y, KEY_SPEC_SESSION_KEYRING, "r2", ROLE_R,
		     ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s2);
	ASSERT_LT(0, sr2);
	ASSERT_EQ(0, open_ref(&h2, s2));
	ASSERT_EQ(0, open_ref(&peer, sr2));
	ASSERT_EQ(OBJ_LEN, seal_obj(h2, out));
	ASSERT_EQ(OBJ_LEN, seal_obj(peer, m2));
	kcapi_aead_destroy(peer);
	ASSERT_EQ(0, keyctl_set_timeout(y.pairwise, 0));
	ASSERT_EQ(0, keyctl_set_timeout(s2, 0));
	ASSERT_EQ(0, keyctl_set_timeout(sr2, 0));

	sleep(3);

	EXPECT_EQ(-EKEYEXPIRED, seal_obj(h, out));
	EXPECT_EQ(-EKEYEXPIRED, open_obj(h, m));
	/* Neither a new tfm on the key nor its raw bytes get round it. */
	err = open_ref(&late, s);
	EXPECT_TRUE(err == 0 || err == -EKEYEXPIRED) TH_LOG("%d", err);
	if (!err) {
		EXPECT_EQ(-EKEYEXPIRED, seal_obj(late, out));
		kcapi_aead_destroy(late);
	}
	session_key_bytes(&x, key);
	ASSERT_EQ(0, open_raw(&late, key, ROLE_O));
	EXPECT_EQ(-EKEYEXPIRED, seal_obj(late, out));
	EXPECT_EQ(-EKEYEXPIRED, open_obj(late, m));
	kcapi_aead_destroy(late);

	/* Sealing and opening with the session derived before the end. */
	EXPECT_EQ(-EKEYEXPIRED, seal_obj(h2, out));
	EXPECT_EQ(-EKEYEXPIRED, open_obj(h2, m2));
	/* Deriving afterwards, the same session or a new one. */
	EXPECT_EQ(-EKEYEXPIRED,
		  add_errno(derive(&y, KEY_SPEC_SESSION_KEYRING, "r3", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0)));
	sess_rekey(&y);
	EXPECT_EQ(-EKEYEXPIRED,
		  add_errno(derive(&y, KEY_SPEC_SESSION_KEYRING, "r4", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0)));
	kcapi_aead_destroy(h);
	kcapi_aead_destroy(h2);
}

/* An RSPF pairwise key and its sessions end with the enrolment key. */
TEST(rspf_key_follows_enrolment_key)
{
	static const char target[] = "gw1.example.net";
	static const char peer_id[] = "/in-cse.example.net/CSE1";
	struct onem2m_esprim_enrolment_payload ep = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_ENROLMENT },
		.key_len = 32,
	};
	struct onem2m_esprim_rspf_payload rp;
	struct kcapi_handle *h, *h2;
	uint8_t out[OBJ_LEN];
	key_serial_t ke, s;
	struct sess x;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	RAND_bytes(ep.key, ep.key_len);
	ke = add_key(ONEM2M_ESPRIM_KEY_TYPE, "enrolment:ke1", &ep, sizeof(ep),
		     KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ke) TH_LOG("%s", strerror(errno));

	memset(&rp, 0, sizeof(rp));
	rp.hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	rp.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_RSPF;
	rp.enrolment = ke;
	rp.suid = ONEM2M_ESPRIM_SUID_RSPF;
	rp.target_len = strlen(target);
	memcpy(rp.target, target, strlen(target));
	rp.peer_len = strlen(peer_id);
	memcpy(rp.peer, peer_id, strlen(peer_id));
	memset(&x, 0, sizeof(x));
	snprintf(x.kid, sizeof(x.kid), "rspf1");
	sess_rekey(&x);
	x.pairwise = add_key(ONEM2M_ESPRIM_KEY_TYPE, "pairwise:rspf1", &rp,
			     sizeof(rp), KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, x.pairwise) TH_LOG("%s", strerror(errno));

	s = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		   ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s);
	ASSERT_EQ(0, open_ref(&h, s));
	ASSERT_EQ(OBJ_LEN, seal_obj(h, out));

	ASSERT_EQ(0, keyctl_revoke(ke));
	EXPECT_EQ(-EKEYREVOKED, seal_obj(h, out));
	EXPECT_EQ(-EKEYREVOKED, open_ref(&h2, s));
	/* Neither a new session nor the same one derived again. */
	EXPECT_EQ(-EKEYREVOKED,
		  add_errno(derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0)));
	sess_rekey(&x);
	EXPECT_EQ(-EKEYREVOKED,
		  add_errno(derive(&x, KEY_SPEC_SESSION_KEYRING, "r2", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0)));
	x.pairwise = 0;		/* found by kid */
	EXPECT_EQ(-EKEYREVOKED,
		  add_errno(derive(&x, KEY_SPEC_SESSION_KEYRING, "r3", ROLE_O,
				   ONEM2M_ESPRIM_REPLAY_AUTO, 0)));
	kcapi_aead_destroy(h);
}

/*
 * replays= and reflected= in /proc/keys count authentic objects only: a
 * tampered copy of a replayed or reflected object changes nothing.
 */
TEST(statistics_count_only_authentic_objects)
{
	uint8_t m[2][OBJ_LEN], own[OBJ_LEN], bad[OBJ_LEN];
	struct kcapi_handle *a, *b;
	long replays, reflected;
	key_serial_t so, sr;
	struct sess x;
	int i;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, sess_init(&x, "stats1", 0, KEY_SPEC_SESSION_KEYRING));
	so = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	sr = derive(&x, KEY_SPEC_SESSION_KEYRING, "r2", ROLE_R,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, so);
	ASSERT_LT(0, sr);
	ASSERT_EQ(0, open_ref(&a, so));
	ASSERT_EQ(0, open_ref(&b, sr));
	ASSERT_EQ(OBJ_LEN, seal_obj(a, m[0]));
	ASSERT_EQ(OBJ_LEN, seal_obj(a, m[1]));
	ASSERT_EQ(OBJ_LEN, seal_obj(b, own));

	EXPECT_EQ(2, open_obj(b, m[0]));
	ASSERT_EQ(0, replay_stats(sr, &replays, &reflected));
	EXPECT_EQ(0, replays);
	EXPECT_EQ(0, reflected);

	/* Tampered replays: tag, ciphertext, IV counter, IV fixed field. */
	for (i = 0; i < 4; i++) {
		static const int at[] = { 2, 1, OBJ_LEN - 1, IV_OFF + 1 };

		memcpy(bad, m[0], OBJ_LEN);
		bad[at[i]] ^= 0x01;
		EXPECT_EQ(-EBADMSG, open_obj(b, bad)) TH_LOG("byte %d", at[i]);
	}
	/* m[1]'s IV on m[0]'s body: a replayed-looking IV, no valid tag. */
	memcpy(bad, m[0], OBJ_LEN);
	memcpy(bad + IV_OFF, m[1] + IV_OFF, ONEM2M_ESPRIM_IV_LEN);
	EXPECT_EQ(-EBADMSG, open_obj(b, bad));
	ASSERT_EQ(0, replay_stats(sr, &replays, &reflected));
	EXPECT_EQ(0, replays);

	/* A genuine replay counts. */
	EXPECT_EQ(-EALREADY, open_obj(b, m[0]));
	ASSERT_EQ(0, replay_stats(sr, &replays, &reflected));
	EXPECT_EQ(1, replays);

	/* Reflected: a tampered copy does not count, the object does. */
	memcpy(bad, own, OBJ_LEN);
	bad[2] ^= 0x80;
	EXPECT_EQ(-EBADMSG, open_obj(b, bad));
	ASSERT_EQ(0, replay_stats(sr, &replays, &reflected));
	EXPECT_EQ(0, reflected);
	EXPECT_EQ(-EALREADY, open_obj(b, own));
	ASSERT_EQ(0, replay_stats(sr, &replays, &reflected));
	EXPECT_EQ(1, reflected);
	EXPECT_EQ(1, replays);

	/* None of it used up m[1]'s counter. */
	EXPECT_EQ(2, open_obj(b, m[1]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[1]));
	ASSERT_EQ(0, replay_stats(sr, &replays, &reflected));
	EXPECT_EQ(2, replays);
	EXPECT_EQ(1, reflected);
	kcapi_aead_destroy(a);
	kcapi_aead_destroy(b);
}

/*
 * A session key derived from a pairwise key of lifetime 2 whose bytes
 * already have a state without a deadline (the same pairwise key bytes
 * provisioned before without a lifetime) still ends with that pairwise
 * key, timeouts removed or not.
 */
TEST_F_TIMEOUT(slow, pairwise_deadline_kept_when_joining_a_state, 60)
{
	struct kcapi_handle *h1, *h2;
	uint8_t out[OBJ_LEN];
	key_serial_t s1, s2;
	struct sess x, y;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, sess_init(&x, "join2", 0, KEY_SPEC_SESSION_KEYRING));
	s1 = derive(&x, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s1);
	ASSERT_EQ(0, open_ref(&h1, s1));
	ASSERT_EQ(OBJ_LEN, seal_obj(h1, out));

	/* The same bytes again as "pairwise:join3", of lifetime 2. */
	y = x;
	snprintf(y.kid, sizeof(y.kid), "join3");
	y.pairwise = add_pairwise(y.kid, y.pw, 2, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, y.pairwise);
	s2 = derive(&y, KEY_SPEC_SESSION_KEYRING, "r1", ROLE_O,
		    ONEM2M_ESPRIM_REPLAY_AUTO, 0);
	ASSERT_LT(0, s2);
	ASSERT_EQ(0, open_ref(&h2, s2));
	ASSERT_EQ(OBJ_LEN, seal_obj(h2, out));
	EXPECT_EQ(1, iv_counter(out + IV_OFF));	/* joined s1's state */
	ASSERT_EQ(0, keyctl_set_timeout(y.pairwise, 0));
	ASSERT_EQ(0, keyctl_set_timeout(s2, 0));

	sleep(3);
	EXPECT_EQ(-EKEYEXPIRED, seal_obj(h2, out));
	kcapi_aead_destroy(h1);
	kcapi_aead_destroy(h2);
}

TEST_HARNESS_MAIN
