// SPDX-License-Identifier: GPL-2.0
/*
 * Key type "esprim": pairwise keys, session keys derived in the kernel,
 * and the template using them by reference.  Runs inside the test VM as
 * root; every test starts in a new session keyring.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kcapi.h>
#include <keyutils.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "../lib/proc_keys.h"
#include "esprim_afalg.h"
#include "../lib/gcm_ref.h"
#include "../lib/iv.h"
#include "../lib/scale.h"

#define TRAILER	ONEM2M_ESPRIM_TRAILER_LEN
#define TAG_LEN	ONEM2M_ESPRIM_TAG_LEN

/* Rand objects in their canonical (RFC 8785) form, as userspace makes them. */
static const char rro[] =
	"{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\","
	"\"esrv\":\"q83vEjRWeJq83vEjRWeJqw\",\"esrx\":\"20261122T120000\"}";
static const char oro[] =
	"{\"esk\":1,\"espa\":[12],\"esri\":\"o1\","
	"\"esrv\":\"ASNFZ4mrze8BI0VniavN7w\",\"esrx\":\"20261122T110000\"}";

static void pairwise_payload(struct onem2m_esprim_pairwise_payload *p,
			     const uint8_t *key, unsigned int key_len,
			     const char *peer, uint32_t lifetime)
{
	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	p->key_len = key_len;
	p->peer_len = strlen(peer);
	p->lifetime = lifetime;
	memcpy(p->key, key, key_len);
	memcpy(p->peer, peer, strlen(peer));
}

static key_serial_t add_pairwise(const char *kid, const uint8_t *key,
				 unsigned int key_len, uint32_t lifetime)
{
	struct onem2m_esprim_pairwise_payload p;
	char desc[160];

	pairwise_payload(&p, key, key_len, "/gw1.example.net/CAE-meter",
			 lifetime);
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, &p, sizeof(p),
		       KEY_SPEC_SESSION_KEYRING);
}

/*
 * A session payload deriving from @pairwise (0: find it by kid), with
 * @tag appended to the originator rand object: sessions with other tags
 * derive other keys, so they get session states of their own (one state
 * per key bytes and role on the machine).
 */
static size_t session_payload_tagged(uint8_t *buf, key_serial_t pairwise,
				     int enc, int role, const char *tag)
{
	struct onem2m_esprim_session_payload *p = (void *)buf;
	size_t oro_len = strlen(oro) + strlen(tag);

	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	p->pairwise = pairwise;
	p->enc = enc;
	p->role = role;
	p->rro_len = strlen(rro);
	p->oro_len = oro_len;
	memcpy(p->rand_objects, rro, strlen(rro));
	memcpy(p->rand_objects + strlen(rro), oro, strlen(oro));
	memcpy(p->rand_objects + strlen(rro) + strlen(oro), tag, strlen(tag));
	return sizeof(*p) + strlen(rro) + oro_len;
}

static size_t session_payload(uint8_t *buf, key_serial_t pairwise, int enc,
			      int role)
{
	return session_payload_tagged(buf, pairwise, enc, role, "");
}

static key_serial_t add_session(const char *desc, key_serial_t pairwise,
				int enc, int role)
{
	uint8_t buf[4096];
	size_t len = session_payload(buf, pairwise, enc, role);

	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, buf, len,
		       KEY_SPEC_SESSION_KEYRING);
}

/* A session with limits: soft/hard invocations and seconds. */
static key_serial_t add_limited_session(const char *desc,
					key_serial_t pairwise,
					uint64_t soft_inv, uint64_t hard_inv,
					uint32_t soft_secs, uint32_t hard_secs)
{
	uint8_t buf[4096];
	struct onem2m_esprim_session_payload *p = (void *)buf;
	size_t len = session_payload_tagged(buf, pairwise, 3, 0, desc);

	p->soft_invocations = soft_inv;
	p->hard_invocations = hard_inv;
	p->soft_seconds = soft_secs;
	p->hard_seconds = hard_secs;
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, buf, len,
		       KEY_SPEC_SESSION_KEYRING);
}

/* Seals one small message; returns the AF_ALG result. */
static ssize_t seal_small(struct kcapi_handle *h, uint8_t *out)
{
	return esprim_afalg_crypt(h, true, NULL, 1, (const uint8_t *)"ab", 2,
				  out, 2 + TRAILER);
}

/* add_key's result as 0 or -errno. */
static int add_errno(key_serial_t serial)
{
	return serial < 0 ? -errno : 0;
}

static int open_ref_alg(struct kcapi_handle **h, const char *alg,
			key_serial_t session)
{
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
		.serial = session,
	};

	return esprim_afalg_open(h, alg, &ref, sizeof(ref), TRAILER);
}

static int open_ref(struct kcapi_handle **h, key_serial_t session)
{
	return open_ref_alg(h, ONEM2M_ESPRIM_AEAD_ALG, session);
}

TEST(pairwise_key_unreadable)
{
	uint8_t key[32];
	char line[512], desc[256], hex[8];
	key_serial_t k;
	void *data;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	memset(key, 0xa5, sizeof(key));
	k = add_pairwise("13-gw1.example.net", key, sizeof(key), 0);
	ASSERT_LT(0, k) TH_LOG("add_key: %s", strerror(errno));

	EXPECT_EQ(-1, keyctl_read(k, (char *)key, sizeof(key)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, keyctl_read_alloc(k, &data));

	ASSERT_LT(0, keyctl_describe(k, desc, sizeof(desc)));
	EXPECT_NE(NULL, strstr(desc, "esprim;0;0;"));
	EXPECT_NE(NULL, strstr(desc, ";pairwise:13-gw1.example.net"));

	proc_keys_line(k, line, sizeof(line));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " esprim "));
	EXPECT_NE(NULL, strstr(line, "pairwise:13-gw1.example.net: pairwise "
			       "peer=/gw1.example.net/CAE-meter len=32"));
	snprintf(hex, sizeof(hex), "a5a5");
	EXPECT_EQ(NULL, strstr(line, hex));
}

TEST(pairwise_payloads_checked)
{
	struct onem2m_esprim_pairwise_payload good, bad;
	uint8_t key[64] = { 1 }, big[sizeof(good) + 1] = { 0 };
	static const char *const bad_desc[] = {
		"pairwise:", "pairwise:a b", "pairwise:a:b", "other:x",
		"pairwise", "session:k:o", "session:k:o:r:x", "session::o:r",
	};
	char long_kid[200];
	size_t i;
	int c;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pairwise_payload(&good, key, 32, "CAE1", 0);
	EXPECT_EQ(0, add_errno(add_key("esprim", "pairwise:k", &good,
				       sizeof(good), KEY_SPEC_SESSION_KEYRING)));

	EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", "pairwise:k", &good, 4,
					     KEY_SPEC_SESSION_KEYRING)));
	EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", "pairwise:k", &good,
					     sizeof(good) - 1,
					     KEY_SPEC_SESSION_KEYRING)));
	memcpy(big, &good, sizeof(good));
	EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", "pairwise:k", big,
					     sizeof(big),
					     KEY_SPEC_SESSION_KEYRING)));
	for (c = 0; c < 11; c++) {
		bad = good;
		switch (c) {
		case 0: bad.hdr.version = 2; break;
		case 1: bad.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION; break;
		case 2: bad.hdr.reserved = 1; break;
		case 3: bad.reserved = 1; break;
		case 4: bad.key_len = 15; break;
		case 5: bad.key_len = 65; break;
		case 6: bad.key[40] = 1; break;	/* after key_len */
		case 7: bad.peer_len = 0; break;
		case 8: bad.peer[1] = ' '; break;
		case 9: bad.peer[10] = 'x'; break;	/* after peer_len */
		case 10: bad.hdr.kind = 9; break;
		}
		EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", "pairwise:k", &bad,
						     sizeof(bad),
						     KEY_SPEC_SESSION_KEYRING)))
			TH_LOG("case %d", c);
	}
	for (i = 0; i < sizeof(bad_desc) / sizeof(bad_desc[0]); i++)
		EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", bad_desc[i],
						     &good, sizeof(good),
						     KEY_SPEC_SESSION_KEYRING)))
			TH_LOG("%s", bad_desc[i]);
	memset(long_kid, 'k', sizeof(long_kid));
	memcpy(long_kid, "pairwise:", 9);
	long_kid[9 + ONEM2M_ESPRIM_MAX_ID_LEN + 1] = 0;
	EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", long_kid, &good,
					     sizeof(good),
					     KEY_SPEC_SESSION_KEYRING)));
}

/* HMAC-SHA256(pairwise, rro || oro || label), leftmost n octets. */
static void expected_session_key(const uint8_t *pairwise, size_t len,
				 uint8_t *out, unsigned int n)
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	uint8_t msg[4096], md[32];
	unsigned int md_len;
	size_t m = 0;

	memcpy(msg, rro, strlen(rro));
	m += strlen(rro);
	memcpy(msg + m, oro, strlen(oro));
	m += strlen(oro);
	memcpy(msg + m, label, strlen(label));
	m += strlen(label);
	HMAC(EVP_sha256(), pairwise, (int)len, msg, m, md, &md_len);
	memcpy(out, md, n);
}

/*
 * The key derived in the kernel, used through the template by reference,
 * seals exactly what OpenSSL seals with HMAC-SHA256 computed in userspace.
 */
TEST(session_key_derivation_matches_openssl)
{
	static const unsigned int key_len[] = { 0, 16, 24, 32 };
	const char aad[] = "eyJhbGciOiJkaXIifQ", text[] = "{\"op\":2}";
	size_t aad_len = strlen(aad), text_len = strlen(text);
	uint8_t pairwise[32], in[64], out[128], ct[16], tag[16], want[32];
	int enc, by_kid;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	RAND_bytes(pairwise, sizeof(pairwise));
	ASSERT_LT(0, add_pairwise("13-gw1", pairwise, sizeof(pairwise), 0));
	memcpy(in, aad, aad_len);
	memcpy(in + aad_len, text, text_len);

	for (enc = 1; enc <= 3; enc++) {
		for (by_kid = 0; by_kid <= 1; by_kid++) {
			int role = by_kid ? ONEM2M_ESPRIM_ROLE_RECEIVER :
					    ONEM2M_ESPRIM_ROLE_ORIGINATOR;
			key_serial_t pw = 0, s;
			struct kcapi_handle *h;
			const uint8_t *iv;

			if (!by_kid)
				pw = request_key("esprim", "pairwise:13-gw1",
						 NULL, 0);
			s = add_session("session:13-gw1:o1:r1", pw, enc, role);
			ASSERT_LT(0, s) TH_LOG("enc %d: %s", enc,
					       strerror(errno));
			EXPECT_EQ(-1, keyctl_read(s, (char *)want,
						  sizeof(want)));
			ASSERT_EQ(0, open_ref(&h, s));
			ASSERT_EQ((ssize_t)(aad_len + text_len + TRAILER),
				  esprim_afalg_crypt(h, true, NULL, aad_len, in,
						     aad_len + text_len, out,
						     aad_len + text_len +
						     TRAILER));
			iv = out + aad_len + text_len + TAG_LEN;
			EXPECT_EQ(role, iv[0] >> 7);

			expected_session_key(pairwise, sizeof(pairwise), want,
					     key_len[enc]);
			ASSERT_EQ(0, gcm_ref_seal(want, key_len[enc], iv,
						  (const uint8_t *)aad, aad_len,
						  (const uint8_t *)text,
						  text_len, ct, tag));
			EXPECT_EQ(0, memcmp(out + aad_len, ct, text_len))
				TH_LOG("enc %d by_kid %d", enc, by_kid);
			EXPECT_EQ(0, memcmp(out + aad_len + text_len, tag, 16));
			kcapi_aead_destroy(h);
		}
	}
}

TEST(session_payloads_and_lookup_checked)
{
	uint8_t pairwise[32] = { 7 }, buf[4096];
	struct onem2m_esprim_session_payload *p = (void *)buf;
	key_serial_t pw, user_key, s;
	size_t len;
	int c;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_pairwise("kid1", pairwise, sizeof(pairwise), 0);
	ASSERT_LT(0, pw);
	user_key = add_key("user", "pairwise:kid1", "x", 1,
			   KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, user_key);

	for (c = 0; c < 11; c++) {
		len = session_payload(buf, pw, ONEM2M_ESPRIM_ENC_A256GCM, 0);
		switch (c) {
		case 0: p->enc = 0; break;
		case 1: p->enc = 4; break;
		case 2: p->role = 2; break;
		case 3: p->rro_len = 0; break;
		case 4: p->oro_len = ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN + 1; break;
		case 5: p->reserved = 1; break;
		case 6: len--; break;
		case 7: len = 8; break;
		case 8: p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE; break;
		case 9: p->replay_set = ONEM2M_ESPRIM_MAX_REPLAY_SET + 1; break;
		case 10: p->replay_window = 96; break;	/* not a power of 2 */
		}
		EXPECT_EQ(-EINVAL, add_errno(add_key("esprim",
						     "session:kid1:o:r", buf,
						     len,
						     KEY_SPEC_SESSION_KEYRING)))
			TH_LOG("case %d", c);
	}

	/* Only an esprim pairwise key of the same kid will do. */
	EXPECT_EQ(-EKEYREJECTED,
		  add_errno(add_session("session:kid2:o:r", pw, 3, 0)));
	EXPECT_EQ(-EKEYREJECTED,
		  add_errno(add_session("session:kid1:o:r", user_key, 3, 0)));
	s = add_session("session:kid1:o:r", pw, 3, 0);
	ASSERT_LT(0, s);
	EXPECT_EQ(-EKEYREJECTED,
		  add_errno(add_session("session:kid1:o2:r2", s, 3, 0)));
	EXPECT_EQ(-ENOKEY,
		  add_errno(add_session("session:nokid:o:r", 0, 3, 0)));
	EXPECT_EQ(-ENOKEY,
		  add_errno(add_session("session:kid1:o:r", 0x7ffffff0, 3, 0)));

	/* Nor a revoked one. */
	ASSERT_EQ(0, keyctl_revoke(pw));
	EXPECT_EQ(-EKEYREVOKED,
		  add_errno(add_session("session:kid1:o3:r3", pw, 3, 0)));
}

TEST(template_reference_checked)
{
	uint8_t pairwise[32] = { 9 };
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
	};
	struct kcapi_handle *h;
	key_serial_t pw, s, user_key;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_pairwise("kid1", pairwise, sizeof(pairwise), 0);
	s = add_session("session:kid1:o:r", pw, 1, 0);
	user_key = add_key("user", "u", "0123456789abcdef", 16,
			   KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, s);
	ASSERT_LT(0, user_key);

	EXPECT_EQ(-EKEYREJECTED, open_ref(&h, pw));
	EXPECT_EQ(-EKEYREJECTED, open_ref(&h, user_key));
	EXPECT_EQ(-ENOKEY, open_ref(&h, 0x7ffffff0));
	EXPECT_EQ(-EINVAL, open_ref(&h, 0));
	EXPECT_EQ(-EINVAL, open_ref(&h, -3));	/* special keyring IDs */
	ASSERT_EQ(0, kcapi_aead_init(&h, ONEM2M_ESPRIM_AEAD_ALG, 0));
	ref.serial = s;
	EXPECT_EQ(-EINVAL, kcapi_aead_setkey(h, (uint8_t *)&ref,
					     sizeof(ref) - 1));
	EXPECT_EQ(-EINVAL, kcapi_aead_setkey(h, (uint8_t *)&ref,
					     sizeof(ref) + 1));
	kcapi_aead_destroy(h);

	ASSERT_EQ(0, open_ref(&h, s));
	kcapi_aead_destroy(h);
	ASSERT_EQ(0, keyctl_revoke(s));
	EXPECT_EQ(-EKEYREVOKED, open_ref(&h, s));
}

/* The /proc/keys timeout column of @serial, in seconds; -1 if none. */
static int proc_keys_timeout(key_serial_t serial)
{
	char line[512];
	int secs;

	proc_keys_line(serial, line, sizeof(line));
	if (sscanf(line, "%*x %*s %*d %ds", &secs) == 1)
		return secs;
	return -1;
}

TEST(session_key_expires_with_pairwise)
{
	uint8_t pairwise[16] = { 3 };
	key_serial_t pw, s;
	int tp, ts;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_pairwise("kid1", pairwise, sizeof(pairwise), 50);
	ASSERT_LT(0, pw);
	s = add_session("session:kid1:o:r", pw, 1, 1);
	ASSERT_LT(0, s);
	tp = proc_keys_timeout(pw);
	ts = proc_keys_timeout(s);
	EXPECT_LT(0, tp);
	EXPECT_LE(tp, 50);
	EXPECT_LT(0, ts);
	EXPECT_LE(ts, tp);

	/* An expired pairwise key derives nothing. */
	pw = add_pairwise("kid2", pairwise, sizeof(pairwise), 1);
	ASSERT_LT(0, pw);
	sleep(2);
	EXPECT_EQ(-EKEYEXPIRED,
		  add_errno(add_session("session:kid2:o:r", pw, 1, 1)));
}

/* Another user, with keyrings of its own, can neither use nor see them. */
TEST(other_user_refused)
{
	uint8_t pairwise[32] = { 5 };
	key_serial_t pw, s;
	pid_t pid;
	int status;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_pairwise("kid1", pairwise, sizeof(pairwise), 0);
	s = add_session("session:kid1:o:r", pw, 3, 0);
	ASSERT_LT(0, s);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kcapi_handle *h;
		char line[512];
		int bad = 0;

		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000) ||
		    keyctl_join_session_keyring(NULL) < 0)
			_exit(2);
		bad |= open_ref(&h, s) != -EACCES;
		bad |= add_errno(add_session("session:kid1:o2:r2", pw, 3, 0)) !=
		       -EACCES;
		bad |= add_errno(add_session("session:kid1:o3:r3", 0, 3, 0)) !=
		       -ENOKEY;
		proc_keys_line(s, line, sizeof(line));
		bad |= line[0] != 0;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

struct seal_worker {
	struct kcapi_handle *h;
	uint64_t *counters;
	uint32_t fixed;
	int n, failures;
};

static void *seal_worker_run(void *arg)
{
	struct seal_worker *w = arg;
	uint8_t out[2 + TRAILER];
	const uint8_t *iv = out + 2 + TAG_LEN;
	int i;

	for (i = 0; i < w->n; i++) {
		if (seal_small(w->h, out) != sizeof(out)) {
			w->failures++;
			continue;
		}
		w->counters[i] = iv_counter(iv);
		w->fixed = iv_fixed(iv);
	}
	return NULL;
}

/* Long-running tests: a generous timeout for slow emulation. */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/* Four tfms on one session, one per thread: one IV space among them. */
TEST_F_TIMEOUT(slow, session_counter_shared_by_tfms, 300)
{
	enum { THREADS = 4 };
	const size_t PER_THREAD = test_scaled(100000);
	char want[64];
	struct seal_worker w[THREADS] = { { 0 } };
	pthread_t threads[THREADS];
	uint8_t pairwise[32] = { 1 };
	uint64_t *all;
	key_serial_t s;
	size_t i;
	char line[512];

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, add_pairwise("kid1", pairwise, sizeof(pairwise), 0));
	s = add_session("session:kid1:o:r", 0, 1, 0);
	ASSERT_LT(0, s);
	all = calloc(THREADS * PER_THREAD, sizeof(*all));
	ASSERT_NE(NULL, all);
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, open_ref(&w[i].h, s));
		w[i].n = PER_THREAD;
		w[i].counters = all + i * PER_THREAD;
	}
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL,
					    seal_worker_run, &w[i]));
	for (i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);

	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, w[i].failures);
		EXPECT_EQ(w[0].fixed, w[i].fixed);
		kcapi_aead_destroy(w[i].h);
	}
	EXPECT_EQ(0, iv_count_duplicates(all, THREADS * PER_THREAD));
	EXPECT_EQ(THREADS * PER_THREAD - 1, all[THREADS * PER_THREAD - 1]);
	free(all);

	proc_keys_line(s, line, sizeof(line));
	snprintf(want, sizeof(want), " sealed=%zu ", (size_t)THREADS * PER_THREAD);
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
}

/* Revocation or expiry of either key stops the next operation. */
TEST(revocation_and_expiry_mid_stream)
{
	uint8_t pairwise[32] = { 2 }, out[2 + TRAILER], back[2];
	struct kcapi_handle *h, *h2, *h3;
	key_serial_t pw, s1, s2, s3;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_pairwise("kid1", pairwise, sizeof(pairwise), 0);
	s1 = add_session("session:kid1:o1:r1", pw, 3, 0);
	s2 = add_session("session:kid1:o2:r2", pw, 3, 0);
	s3 = add_limited_session("session:kid1:o3:r3", pw, 0, 0, 0, 2);
	ASSERT_LT(0, s3);
	ASSERT_EQ(0, open_ref(&h, s1));
	ASSERT_EQ(0, open_ref(&h2, s2));
	ASSERT_EQ(0, open_ref(&h3, s3));

	/* The session key revoked: its tfm stops, the others go on. */
	ASSERT_EQ((ssize_t)sizeof(out), seal_small(h, out));
	ASSERT_EQ(0, keyctl_revoke(s1));
	EXPECT_EQ(-EKEYREVOKED, seal_small(h, out));
	EXPECT_EQ(-EKEYREVOKED,
		  esprim_afalg_crypt(h, false, NULL, 1, out, sizeof(out), back,
				     sizeof(back)));
	EXPECT_EQ((ssize_t)sizeof(out), seal_small(h2, out));

	/* The session key expired (hard_seconds). */
	EXPECT_EQ((ssize_t)sizeof(out), seal_small(h3, out));
	sleep(3);
	EXPECT_EQ(-EKEYEXPIRED, seal_small(h3, out));

	/* The pairwise key revoked: every session derived from it stops. */
	ASSERT_EQ(0, keyctl_revoke(pw));
	EXPECT_EQ(-EKEYREVOKED, seal_small(h2, out));

	kcapi_aead_destroy(h);
	kcapi_aead_destroy(h2);
	kcapi_aead_destroy(h3);
}

/* Hard limit shared by all tfms of a session; soft limit counted once. */
TEST(session_limits)
{
	uint8_t pairwise[32] = { 4 }, out[2 + TRAILER];
	struct kcapi_handle *a, *b;
	key_serial_t s, t;
	char line[512];
	int i;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, add_pairwise("kid1", pairwise, sizeof(pairwise), 0));
	s = add_limited_session("session:kid1:o:r", 0, 2, 5, 0, 0);
	ASSERT_LT(0, s);
	ASSERT_EQ(0, open_ref(&a, s));
	ASSERT_EQ(0, open_ref(&b, s));

	for (i = 0; i < 5; i++)
		EXPECT_EQ((ssize_t)sizeof(out), seal_small(i % 2 ? b : a, out));
	EXPECT_EQ(-EKEYEXPIRED, seal_small(a, out));
	EXPECT_EQ(-EKEYEXPIRED, seal_small(b, out));
	proc_keys_line(s, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " sealed=5 soft_expired=1 "))
		TH_LOG("%s", line);

	/* Soft seconds: the event, and use goes on. */
	t = add_limited_session("session:kid1:o2:r2", 0, 0, 0, 1, 0);
	ASSERT_LT(0, t);
	kcapi_aead_destroy(a);
	ASSERT_EQ(0, open_ref(&a, t));
	EXPECT_EQ((ssize_t)sizeof(out), seal_small(a, out));
	proc_keys_line(t, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " soft_expired=0 ")) TH_LOG("%s", line);
	sleep(2);
	EXPECT_EQ((ssize_t)sizeof(out), seal_small(a, out));
	proc_keys_line(t, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " soft_expired=1 ")) TH_LOG("%s", line);

	/* Limits beyond 2^32 invocations are refused. */
	EXPECT_EQ(-EINVAL, add_errno(add_limited_session("session:kid1:o3:r3",
							 0, 0, (1ULL << 32) + 1,
							 0, 0)));
	kcapi_aead_destroy(a);
	kcapi_aead_destroy(b);
}

struct revoke_worker {
	struct kcapi_handle *h;
	volatile int *stop;
	volatile int ok, revoked, other;
};

static void *revoke_worker_run(void *arg)
{
	struct revoke_worker *w = arg;
	uint8_t out[2 + TRAILER];

	while (!*w->stop) {
		ssize_t ret = seal_small(w->h, out);

		if (ret == (ssize_t)sizeof(out))
			w->ok++;
		else if (ret == -EKEYREVOKED)
			w->revoked++;
		else
			w->other++;
	}
	return NULL;
}

/*
 * Revoking a session key while requests are in flight, through a
 * synchronous and an asynchronous (pcrypt) inner driver: every request
 * either completes or gets -EKEYREVOKED, and nothing is freed under them
 * (the guest log check catches an oops).
 */
TEST(revoke_with_requests_in_flight)
{
	static const char *const algs[] = {
		ONEM2M_ESPRIM_AEAD_ALG, ONEM2M_ESPRIM_AEAD_ALG,
		"onem2m-esprim(pcrypt(gcm_base(ctr(aes-generic),ghash-generic)))",
		"onem2m-esprim(pcrypt(gcm_base(ctr(aes-generic),ghash-generic)))",
	};
	struct revoke_worker w[4] = { { 0 } };
	uint8_t pairwise[32] = { 8 };
	volatile int stop = 0;
	pthread_t threads[4];
	key_serial_t s;
	int i;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, add_pairwise("kid1", pairwise, sizeof(pairwise), 0));
	s = add_session("session:kid1:o:r", 0, 3, 0);
	ASSERT_LT(0, s);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, open_ref_alg(&w[i].h, algs[i], s));
		w[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&threads[i], NULL,
					    revoke_worker_run, &w[i]));
	}
	/* Revoke once every worker is under way, stop once each was refused. */
	for (i = 0; i < 4; i++)
		while (!w[i].ok)
			usleep(10000);
	ASSERT_EQ(0, keyctl_revoke(s));
	for (i = 0; i < 4; i++)
		while (!w[i].revoked && !w[i].other)
			usleep(10000);
	stop = 1;
	for (i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_LT(0, w[i].ok) TH_LOG("worker %d", i);
		EXPECT_LT(0, w[i].revoked) TH_LOG("worker %d", i);
		EXPECT_EQ(0, w[i].other) TH_LOG("worker %d", i);
		kcapi_aead_destroy(w[i].h);
	}
}

/* Sessions of one @tag share a key: the two sides of one session. */
static key_serial_t add_replay_session(const char *desc, const char *tag,
				       int role, int replay,
				       unsigned int window)
{
	uint8_t buf[4096];
	struct onem2m_esprim_session_payload *p = (void *)buf;
	size_t len = session_payload_tagged(buf, 0, 1, role, tag);

	p->replay = replay;
	p->replay_window = window;
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, buf, len,
		       KEY_SPEC_SESSION_KEYRING);
}

#define OBJ_LEN	(2 + TRAILER)	/* seal_small: AAD "a", text "b" */

static ssize_t open_obj(struct kcapi_handle *h, const uint8_t *obj)
{
	uint8_t out[2];

	return esprim_afalg_crypt(h, false, NULL, 1, obj, OBJ_LEN, out,
				  sizeof(out));
}

/* Replay window: duplicates and too-old counters refused, reorder fine. */
TEST(replay_window)
{
	static uint8_t m[70][OBJ_LEN];
	uint8_t pairwise[32] = { 6 }, own[OBJ_LEN], forged[OBJ_LEN];
	struct kcapi_handle *a, *b, *b_async, *c, *d;
	key_serial_t sa, sb, sc, sd;
	char line[512];
	int i;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_LT(0, add_pairwise("kid1", pairwise, sizeof(pairwise), 0));
	/* Both sides of one session: same pairwise key and rand objects. */
	sa = add_replay_session("session:kid1:o:r", "1",
				ONEM2M_ESPRIM_ROLE_ORIGINATOR,
				ONEM2M_ESPRIM_REPLAY_STRICT, 0);
	sb = add_replay_session("session:kid1:o:rb", "1",
				ONEM2M_ESPRIM_ROLE_RECEIVER,
				ONEM2M_ESPRIM_REPLAY_STRICT, 64);
	/* A second session, policy off on the receiving side. */
	sc = add_replay_session("session:kid1:o:rc", "2",
				ONEM2M_ESPRIM_ROLE_RECEIVER,
				ONEM2M_ESPRIM_REPLAY_OFF, 0);
	sd = add_replay_session("session:kid1:o:rd", "2",
				ONEM2M_ESPRIM_ROLE_ORIGINATOR,
				ONEM2M_ESPRIM_REPLAY_OFF, 0);
	ASSERT_LT(0, sa);
	ASSERT_LT(0, sb);
	ASSERT_LT(0, sc);
	ASSERT_LT(0, sd);
	ASSERT_EQ(0, open_ref(&a, sa));
	ASSERT_EQ(0, open_ref(&b, sb));
	ASSERT_EQ(0, open_ref(&c, sc));
	ASSERT_EQ(0, open_ref(&d, sd));
	/* pcrypt completes asynchronously: the window's commit path. */
	ASSERT_EQ(0, open_ref_alg(&b_async, "onem2m-esprim(pcrypt(gcm_base("
				  "ctr(aes-generic),ghash-generic)))", sb));
	for (i = 0; i < 70; i++)
		ASSERT_EQ(OBJ_LEN, seal_small(a, m[i]));

	EXPECT_EQ(2, open_obj(b, m[0]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[0]));
	EXPECT_EQ(2, open_obj(b, m[5]));
	EXPECT_EQ(2, open_obj(b, m[3]));		/* reordered */
	EXPECT_EQ(-EALREADY, open_obj(b, m[3]));

	/* A forged object does not use up its counter. */
	memcpy(forged, m[7], OBJ_LEN);
	forged[1] ^= 0x40;
	EXPECT_EQ(-EBADMSG, open_obj(b, forged));
	EXPECT_EQ(2, open_obj(b, m[7]));

	/* Asynchronous inner driver: same window. */
	EXPECT_EQ(2, open_obj(b_async, m[10]));
	EXPECT_EQ(-EALREADY, open_obj(b_async, m[10]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[10]));
	EXPECT_EQ(-EALREADY, open_obj(b_async, m[5]));

	/* Window edges (64): after 69, counter 5 is too old, 6 is not. */
	EXPECT_EQ(2, open_obj(b, m[69]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[4]));
	EXPECT_EQ(2, open_obj(b, m[6]));
	EXPECT_EQ(-EALREADY, open_obj(b, m[6]));

	/* An object of our own side reflected back is refused. */
	ASSERT_EQ(OBJ_LEN, seal_small(b, own));
	EXPECT_EQ(-EALREADY, open_obj(b, own));

	/* Refusals counted only for authentic objects, by kind. */
	proc_keys_line(sb, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " replay=strict/64 ")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " replays=7 reflected=1"))
		TH_LOG("%s", line);

	/* Policy off: the same object opens as often as it comes... */
	ASSERT_EQ(OBJ_LEN, seal_small(d, own));
	EXPECT_EQ(2, open_obj(c, own));
	EXPECT_EQ(2, open_obj(c, own));
	/* ...but not on the side that sealed it. */
	EXPECT_EQ(-EALREADY, open_obj(d, own));
	proc_keys_line(sc, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " replay=off ")) TH_LOG("%s", line);

	/*
	 * Windows: powers of two from 64 to 4096; policies 0 to 2, and 3
	 * for the configured default (AUTO unless the family changed it).
	 */
	EXPECT_EQ(-EINVAL, add_errno(add_replay_session("session:kid1:o:x",
							"3", 1, 0, 63)));
	EXPECT_EQ(-EINVAL, add_errno(add_replay_session("session:kid1:o:x",
							"3", 1, 0, 1025)));
	EXPECT_EQ(-EINVAL, add_errno(add_replay_session("session:kid1:o:x",
							"3", 1, 0, 8192)));
	EXPECT_EQ(-EINVAL, add_errno(add_replay_session("session:kid1:o:x",
							"3", 1, 4, 0)));
	sd = add_replay_session("session:kid1:o:y", "3", 1, 3, 0);
	ASSERT_LT(0, sd);
	proc_keys_line(sd, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " replay=auto/1024 ")) TH_LOG("%s", line);
	EXPECT_LT(0, add_replay_session("session:kid1:o:x", "3", 1, 0, 4096));
	kcapi_aead_destroy(d);
	kcapi_aead_destroy(a);
	kcapi_aead_destroy(b);
	kcapi_aead_destroy(b_async);
	kcapi_aead_destroy(c);
}

static size_t rspf_payload(struct onem2m_esprim_rspf_payload *p,
			   key_serial_t enrolment, const char *target)
{
	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_RSPF;
	p->enrolment = enrolment;
	p->suid = ONEM2M_ESPRIM_SUID_RSPF;
	p->target_len = strlen(target);
	memcpy(p->target, target, strlen(target));
	p->peer_len = strlen("/in-cse.example.net/CSE1");
	memcpy(p->peer, "/in-cse.example.net/CSE1", p->peer_len);
	return sizeof(*p);
}

/*
 * RSPF: Ke -> pairwise key (10.3.7) -> session key (10.3.8.2), all in the
 * kernel, equal to both HMACs computed with OpenSSL.
 */
TEST(rspf_pairwise_derivation_matches_openssl)
{
	static const char label[] = ONEM2M_ESPRIM_RSPF_LABEL;
	const char target[] = "gw1.example.net";
	struct onem2m_esprim_enrolment_payload ep = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_ENROLMENT },
		.key_len = 32,
	};
	struct onem2m_esprim_rspf_payload rp, bad;
	uint8_t msg[512], kp[32], ks[16], out[2 + TRAILER], ct[1], tag[16];
	struct kcapi_handle *h;
	key_serial_t ke, pw, s;
	unsigned int md_len;
	char line[512];
	size_t n = 0;
	int c;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	RAND_bytes(ep.key, 32);
	ke = add_key("esprim", "enrolment:ke1", &ep, sizeof(ep),
		     KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ke) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(-1, keyctl_read(ke, (char *)msg, sizeof(msg)));
	proc_keys_line(ke, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "enrolment:ke1: enrolment len=32"));

	rspf_payload(&rp, ke, target);
	pw = add_key("esprim", "pairwise:13-gw1", &rp, sizeof(rp),
		     KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, pw) TH_LOG("%s", strerror(errno));
	s = add_session("session:13-gw1:o:r", pw, ONEM2M_ESPRIM_ENC_A128GCM,
			0);
	ASSERT_LT(0, s);
	ASSERT_EQ(0, open_ref(&h, s));
	ASSERT_EQ((ssize_t)sizeof(out), seal_small(h, out));
	kcapi_aead_destroy(h);

	/* Kp = HMAC(Ke, label || "23" || target), then the session key. */
	memcpy(msg, label, strlen(label));
	n = strlen(label);
	memcpy(msg + n, "23", 2);
	n += 2;
	memcpy(msg + n, target, strlen(target));
	n += strlen(target);
	HMAC(EVP_sha256(), ep.key, 32, msg, n, kp, &md_len);
	expected_session_key(kp, sizeof(kp), ks, sizeof(ks));
	ASSERT_EQ(0, gcm_ref_seal(ks, sizeof(ks), out + 2 + TAG_LEN,
				  (const uint8_t *)"a", 1,
				  (const uint8_t *)"b", 1, ct, tag));
	EXPECT_EQ(ct[0], out[1]);
	EXPECT_EQ(0, memcmp(out + 2, tag, 16));

	/* Refused: other SUIDs, targets that are no FQDN, wrong key kinds. */
	for (c = 0; c < 6; c++) {
		const char *desc = "pairwise:k2";

		rspf_payload(&bad, ke, target);
		switch (c) {
		case 0: bad.suid = 13; break;
		case 1: bad.target[3] = '_'; break;
		case 2: bad.target_len = 0; break;
		case 3: bad.reserved = 1; break;
		case 4: bad.peer_len = 0; break;
		case 5: desc = "enrolment:k2"; break;
		}
		EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", desc, &bad,
						     sizeof(bad),
						     KEY_SPEC_SESSION_KEYRING)))
			TH_LOG("case %d", c);
	}
	rspf_payload(&bad, pw, target);		/* a pairwise key, not Ke */
	EXPECT_EQ(-EKEYREJECTED, add_errno(add_key("esprim", "pairwise:k2",
						   &bad, sizeof(bad),
						   KEY_SPEC_SESSION_KEYRING)));
	EXPECT_EQ(-EINVAL, add_errno(add_key("esprim", "pairwise:k3", &ep,
					     sizeof(ep),
					     KEY_SPEC_SESSION_KEYRING)));
}

/*
 * Random payloads and descriptions, mutated from valid ones of every kind:
 * each add_key succeeds or fails with one of the documented errors, never
 * anything else (the guest log check catches kernel noise).
 */
TEST(random_payloads_answered_cleanly)
{
	static const char *const descs[] = {
		"pairwise:kid1", "session:kid1:o:r", "enrolment:ke", "pairwise:k2",
	};
	struct onem2m_esprim_enrolment_payload ep = {
		.hdr = { .version = 1, .kind = ONEM2M_ESPRIM_PAYLOAD_ENROLMENT },
		.key_len = 32,
	};
	uint8_t valid[4][600], buf[700], pairwise[32] = { 3 };
	size_t len[4];
	key_serial_t pw, ke;
	int i, accepted = 0, other = 0;

	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_pairwise("kid1", pairwise, sizeof(pairwise), 0);
	ke = add_key("esprim", "enrolment:ke", &ep, sizeof(ep),
		     KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, pw);
	ASSERT_LT(0, ke);
	pairwise_payload((void *)valid[0], pairwise, 32, "CAE1", 0);
	len[0] = sizeof(struct onem2m_esprim_pairwise_payload);
	len[1] = session_payload(valid[1], pw, 3, 0);
	memcpy(valid[2], &ep, sizeof(ep));
	len[2] = sizeof(ep);
	len[3] = rspf_payload((void *)valid[3], ke, "gw1.example.net");

	for (i = 0; i < 4000; i++) {
		int kind = i % 4, ret;
		uint8_t r[6];
		size_t l = len[kind];
		char desc[64];

		RAND_bytes(r, sizeof(r));
		memcpy(buf, valid[kind], l);
		buf[(r[0] << 8 | r[1]) % l] ^= 1 << (r[2] % 8);
		if (r[3] < 16)
			l = (r[4] << 8 | r[5]) % sizeof(buf);
		snprintf(desc, sizeof(desc), "%s", descs[kind]);
		if (r[3] >= 16 && r[3] < 32)
			desc[r[4] % strlen(desc)] = (char)(r[5] | 1);
		ret = add_errno(add_key("esprim", desc, buf, l,
					KEY_SPEC_SESSION_KEYRING));
		if (!ret)
			accepted++;
		else if (ret != -EINVAL && ret != -EKEYREJECTED &&
			 ret != -ENOKEY && ret != -EACCES &&
			 ret != -EKEYREVOKED && ret != -EDQUOT) {
			TH_LOG("kind %d: %d", kind, ret);
			other++;
		}
	}
	EXPECT_EQ(0, other);
	EXPECT_LT(0, accepted);
}

TEST_HARNESS_MAIN
