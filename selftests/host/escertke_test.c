// SPDX-License-Identifier: GPL-2.0
/*
 * The ESCertKE engine (user/daemon/escertke.c): two engines agree on kid
 * and key; the suite chosen (AES-GCM when offered, CBC-SHA256 when it is
 * all the initiator offers, against a plain OpenSSL client); and each
 * refusal with its errno, no result and no handshake left: wrong trust
 * anchor, wrong identity, expired certificate, no extended master secret,
 * a bit flipped in message 2 and in message 3, a replayed message 3, a
 * peer that stops after message 1 (expired, then timed out), per-peer
 * and global limits, malformed eckm, message 3 before message 1; message
 * 1s counted per peer and window whatever became of their handshakes;
 * input that never reached TLS leaves the terminator's handshake alone;
 * a CA certificate, or one whose keyUsage lacks digitalSignature, as
 * either end's.
 * Certificates: selftests/host/escertke_certs.sh into a directory of each
 * test's own.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "kselftest_harness.h"
#include "escertke.h"

#define ID_A	"//sp.example/CSE-A"
#define ID_B	"//sp.example/CSE-B"
#define ID_X	"//sp.example/CSE-X"

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

FIXTURE(esk) {
	char dir[64];
	char err[256];
};

FIXTURE_SETUP(esk)
{
	char cmd[256];

	strcpy(self->dir, "/tmp/escertke_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(cmd, sizeof(cmd), "%s %s", CERTS_SH, self->dir);
	ASSERT_EQ(0, system(cmd));
}

FIXTURE_TEARDOWN(esk)
{
	nftw(self->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *path(FIXTURE_DATA(esk) *self, const char *name)
{
	static char p[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", self->dir, name);
	return p[i];
}

static struct escertke_config conf(FIXTURE_DATA(esk) *self, const char *who,
				   const char *trust, const char *id)
{
	char name[16];
	struct escertke_config c = {
		.trust_file = strdup(path(self, trust)),
		.identity = id,
		.key_lifetime_s = 3600,
		.timeout_ms = 5000,
		.max_per_peer = 4,
		.max_total = 64,
	};

	snprintf(name, sizeof(name), "%s.pem", who);
	c.cert_file = strdup(path(self, name));
	snprintf(name, sizeof(name), "%s.key", who);
	c.key_file = strdup(path(self, name));
	return c;
}

static void conf_free(struct escertke_config *c)
{
	free((char *)c->cert_file);
	free((char *)c->key_file);
	free((char *)c->trust_file);
}

/* An engine with who.pem/who.key, trusting trust, named id. */
static struct escertke *engine(FIXTURE_DATA(esk) *self, const char *who,
			       const char *trust, const char *id,
			       unsigned int per_peer, unsigned int total)
{
	struct escertke_config c = conf(self, who, trust, id);
	struct escertke *e = NULL;

	if (per_peer)
		c.max_per_peer = per_peer;
	if (total)
		c.max_total = total;
	if (escertke_new(&e, &c, self->err, sizeof(self->err)))
		fprintf(stderr, "# escertke_new: %s\n", self->err);
	conf_free(&c);
	return e;
}

static bool no_result(const struct escertke_result *r)
{
	static const struct escertke_result zero;

	return !memcmp(r, &zero, sizeof(zero));
}

/* Flips one bit of the octet at off (from the end if negative). */
static char *tamper(const char *b64, long off)
{
	unsigned char raw[20000];
	char *out;
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64,
				(int)strlen(b64));
	size_t len = strlen(b64);

	n -= (len && b64[len - 1] == '=') + (len > 1 && b64[len - 2] == '=');
	raw[off < 0 ? n + off : off] ^= 0x10;
	out = malloc(len + 1);
	EVP_EncodeBlock((unsigned char *)out, raw, n);
	return out;
}

static char hs_err[256];	/* the error of the last handshake() that failed */

/*
 * A whole handshake a -> b; a knows b as b_id, b is told From = from.
 * 0 and both results, or the first error; the four messages kept in m
 * when given.
 */
static int handshake(struct escertke *a, struct escertke *b, const char *b_id,
		     const char *from, struct escertke_result *ra,
		     struct escertke_result *rb, char *m[4])
{
	char err[256], *m1, *m2 = NULL, *m3 = NULL, *m4 = NULL;
	int ret;

	memset(ra, 0, sizeof(*ra));
	memset(rb, 0, sizeof(*rb));
	ret = escertke_initiate(a, b_id, &m1, err, sizeof(err));
	if (ret)
		goto out;
	ret = escertke_respond(b, from, m1, &m2, rb, err, sizeof(err));
	if (ret)
		goto out;
	ret = escertke_initiator_step(a, b_id, m2, &m3, ra, err, sizeof(err));
	if (ret)
		goto out;
	ret = escertke_respond(b, from, m3, &m4, rb, err, sizeof(err));
	if (ret != 1)
		goto out;
	ret = escertke_initiator_step(a, b_id, m4, &(char *){NULL}, ra, err,
				      sizeof(err));
	ret = ret == 1 ? 0 : ret;
out:
	if (ret) {
		fprintf(stderr, "# handshake: %d %s\n", ret, err);
		snprintf(hs_err, sizeof(hs_err), "%s", err);
	}
	if (m) {
		m[0] = m1;
		m[1] = m2;
		m[2] = m3;
		m[3] = m4;
	} else {
		free(m1);
		free(m2);
		free(m3);
		free(m4);
	}
	return ret;
}

/*
 * Messages 1 to 3 of a handshake a -> b (b told From = ID_A), each step
 * checked: 0, or the first error.
 */
static int to_message3(struct escertke *a, struct escertke *b, char **m1,
		       char **m2, char **m3, struct escertke_result *ra,
		       struct escertke_result *rb)
{
	char err[256];
	int ret;

	*m1 = *m2 = *m3 = NULL;
	ret = escertke_initiate(a, ID_B, m1, err, sizeof(err));
	if (!ret)
		ret = escertke_respond(b, ID_A, *m1, m2, rb, err, sizeof(err));
	if (!ret)
		ret = escertke_initiator_step(a, ID_B, *m2, m3, ra, err,
					      sizeof(err));
	if (ret)
		fprintf(stderr, "# to_message3: %d %s\n", ret, err);
	return ret;
}

static void free4(char *m[4])
{
	for (int i = 0; i < 4; i++)
		free(m[i]);
}

TEST_F(esk, agree)
{
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra, rb, ra2, rb2;
	time_t now = time(NULL);
	char *m[4];

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, handshake(a, b, ID_B, ID_A, &ra, &rb, m));
	EXPECT_STREQ(ra.kid, rb.kid);
	EXPECT_EQ(0, memcmp(ra.key, rb.key, 32));
	EXPECT_EQ(32, strspn(ra.kid, "0123456789abcdef"));
	EXPECT_EQ(32, strlen(ra.kid));
	EXPECT_STREQ(ID_B, ra.peer);
	EXPECT_STREQ(ID_A, rb.peer);
	EXPECT_GE(ra.expires, now + 3600);
	EXPECT_LE(ra.expires, now + 3602);
	EXPECT_EQ(0, escertke_in_progress(a));
	EXPECT_EQ(0, escertke_in_progress(b));
	/* A flight is one line of padded standard base64. */
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0, strlen(m[i]) % 4);
		EXPECT_EQ(strlen(m[i]), strspn(m[i], "ABCDEFGHIJKLMNOPQRSTUVWX"
			  "YZabcdefghijklmnopqrstuvwxyz0123456789+/="));
	}
	free4(m);

	/* SP-relative forms, and a new key each time. */
	ASSERT_EQ(0, handshake(a, b, "/CSE-B", "/CSE-A", &ra2, &rb2, NULL));
	EXPECT_STREQ(ra2.kid, rb2.kid);
	EXPECT_STRNE(ra.kid, ra2.kid);
	EXPECT_STREQ(ID_A, rb2.peer);
	escertke_result_wipe(&ra);
	EXPECT_TRUE(no_result(&ra));
	escertke_free(a);
	escertke_free(b);
}

TEST_F(esk, lifetime_capped_by_certificate)
{
	struct escertke_config c = conf(self, "a", "ca.pem", ID_A);
	struct escertke *a, *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra, rb;
	time_t now = time(NULL);

	c.key_lifetime_s = 400 * 86400;
	ASSERT_EQ(0, escertke_new(&a, &c, self->err, sizeof(self->err)));
	ASSERT_EQ(0, handshake(a, b, ID_B, ID_A, &ra, &rb, NULL));
	/* The certificates end in 30 days. */
	EXPECT_LE(ra.expires, now + 30 * 86400 + 5);
	EXPECT_GE(ra.expires, now + 30 * 86400 - 5);
	EXPECT_LE(rb.expires, now + 30 * 86400 + 5);
	escertke_free(a);
	escertke_free(b);
	conf_free(&c);
}

TEST_F(esk, load_errors)
{
	struct escertke_config c = conf(self, "old", "ca.pem", ID_A);
	struct escertke *e = (void *)1;

	/* Expired, the wrong identity, a key of another certificate. */
	EXPECT_EQ(-EINVAL, escertke_new(&e, &c, self->err,
					sizeof(self->err)));
	EXPECT_EQ(NULL, e);
	EXPECT_NE(NULL, strstr(self->err, "not valid now"));
	conf_free(&c);
	c = conf(self, "a", "ca.pem", ID_B);
	EXPECT_EQ(-EINVAL, escertke_new(&e, &c, self->err,
					sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, ID_B));
	free((char *)c.key_file);
	c.key_file = strdup(path(self, "b.key"));
	c.identity = ID_A;
	EXPECT_EQ(-EINVAL, escertke_new(&e, &c, self->err,
					sizeof(self->err)));
	c.identity = "/CSE-A";
	EXPECT_EQ(-EINVAL, escertke_new(&e, &c, self->err,
					sizeof(self->err)));
	conf_free(&c);
}

/*
 * A plain OpenSSL end-point over memory BIOs, to offer what the engine
 * would not (other suites, no extended master secret, an expired
 * certificate).
 */
struct raw {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *r, *w;
};

static int raw_new(struct raw *p, FIXTURE_DATA(esk) *self, const char *who,
		   const char *ciphers, bool server, uint64_t opts)
{
	char name[16];

	p->ctx = SSL_CTX_new(TLS_method());
	SSL_CTX_set_min_proto_version(p->ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(p->ctx, TLS1_2_VERSION);
	if (!SSL_CTX_set_cipher_list(p->ctx, ciphers))
		return -1;
	SSL_CTX_set_options(p->ctx, opts);
	SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER, NULL);
	snprintf(name, sizeof(name), "%s.pem", who);
	if (SSL_CTX_use_certificate_chain_file(p->ctx, path(self, name)) != 1)
		return -1;
	snprintf(name, sizeof(name), "%s.key", who);
	if (SSL_CTX_use_PrivateKey_file(p->ctx, path(self, name),
					SSL_FILETYPE_PEM) != 1)
		return -1;
	if (SSL_CTX_load_verify_locations(p->ctx, path(self, "ca.pem"),
					  NULL) != 1)
		return -1;
	p->ssl = SSL_new(p->ctx);
	p->r = BIO_new(BIO_s_mem());
	p->w = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(p->r, -1);
	SSL_set_bio(p->ssl, p->r, p->w);
	if (server)
		SSL_set_accept_state(p->ssl);
	else
		SSL_set_connect_state(p->ssl);
	return 0;
}

/* Feeds a flight (or none), returns what it wrote; *done on completion. */
static char *raw_step(struct raw *p, const char *in, int *done)
{
	unsigned char raw[20000];
	char *out;
	int n;

	if (in) {
		size_t len = strlen(in);

		n = EVP_DecodeBlock(raw, (const unsigned char *)in, (int)len);
		n -= (in[len - 1] == '=') + (in[len - 2] == '=');
		BIO_write(p->r, raw, n);
	}
	*done = SSL_do_handshake(p->ssl) == 1;
	n = BIO_read(p->w, raw, sizeof(raw));
	if (n <= 0)
		return NULL;
	out = malloc(n / 3 * 4 + 8);
	EVP_EncodeBlock((unsigned char *)out, raw, n);
	return out;
}

static void raw_free(struct raw *p)
{
	SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
}

/* The raw client who (CSE-A's identity) against engine b: 1 done. */
static int raw_to_engine(struct raw *c, struct escertke *b,
			 struct escertke_result *rb, char *err, size_t size)
{
	char *m1, *m2 = NULL, *m3, *m4 = NULL;
	int done, ret;

	m1 = raw_step(c, NULL, &done);
	ret = escertke_respond(b, ID_A, m1, &m2, rb, err, size);
	if (ret)
		goto out;
	m3 = raw_step(c, m2, &done);
	ret = escertke_respond(b, ID_A, m3, &m4, rb, err, size);
	free(m3);
	if (ret == 1) {
		free(raw_step(c, m4, &done));
		ret = done ? 1 : -EPROTO;
	}
out:
	free(m1);
	free(m2);
	free(m4);
	return ret;
}

TEST_F(esk, suites)
{
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result rb;
	unsigned char km[48];
	struct raw c;

	ASSERT_NE(NULL, b);
	/* Both offered, CBC first: the terminator's preference, GCM. */
	ASSERT_EQ(0, raw_new(&c, self, "a", "ECDHE-ECDSA-AES128-SHA256:"
			     "ECDHE-ECDSA-AES128-GCM-SHA256", false, 0));
	ASSERT_EQ(1, raw_to_engine(&c, b, &rb, self->err, sizeof(self->err)));
	EXPECT_STREQ("ECDHE-ECDSA-AES128-GCM-SHA256",
		     SSL_get_cipher_name(c.ssl));
	raw_free(&c);
	escertke_result_wipe(&rb);

	/* Only the suite 10.2.3 requires: it works, and the keys agree. */
	ASSERT_EQ(0, raw_new(&c, self, "a", "ECDHE-ECDSA-AES128-SHA256",
			     false, 0));
	ASSERT_EQ(1, raw_to_engine(&c, b, &rb, self->err, sizeof(self->err)));
	EXPECT_STREQ("ECDHE-ECDSA-AES128-SHA256", SSL_get_cipher_name(c.ssl));
	ASSERT_EQ(1, SSL_export_keying_material(c.ssl, km, 48,
			"EXPORTER-oneM2M-ESCertKE", 24, NULL, 0, 0));
	EXPECT_EQ(0, memcmp(km + 16, rb.key, 32));
	EXPECT_EQ(0, escertke_in_progress(b));
	raw_free(&c);

	/* No ECDHE_ECDSA suite at all. */
	memset(&rb, 0, sizeof(rb));
	ASSERT_EQ(0, raw_new(&c, self, "a", "ECDHE-RSA-AES128-GCM-SHA256",
			     false, 0));
	EXPECT_EQ(-EPROTO, raw_to_engine(&c, b, &rb, self->err,
					 sizeof(self->err)));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	raw_free(&c);
	escertke_free(b);
}

TEST_F(esk, extended_master_secret_required)
{
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke_result rb, ra = {0};
	char *m1, *m2 = NULL, *m3 = NULL, *m4, *m5 = NULL;
	int done;
	struct raw c;

	/* The initiator does not offer it: refused at message 3. */
	ASSERT_EQ(0, raw_new(&c, self, "a", "ECDHE-ECDSA-AES128-GCM-SHA256",
			     false, SSL_OP_NO_EXTENDED_MASTER_SECRET));
	memset(&rb, 0, sizeof(rb));
	EXPECT_EQ(-EACCES, raw_to_engine(&c, b, &rb, self->err,
					 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "extended master secret"));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	raw_free(&c);

	/*
	 * The terminator does not echo it: refused at message 4 (OpenSSL
	 * tells only once the handshake is over).
	 */
	ASSERT_EQ(0, raw_new(&c, self, "b", "ECDHE-ECDSA-AES128-GCM-SHA256",
			     true, SSL_OP_NO_EXTENDED_MASTER_SECRET));
	ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, self->err,
				       sizeof(self->err)));
	m2 = raw_step(&c, m1, &done);
	ASSERT_NE(NULL, m2);
	ASSERT_EQ(0, escertke_initiator_step(a, ID_B, m2, &m3, &ra,
					     self->err, sizeof(self->err)));
	m4 = raw_step(&c, m3, &done);
	ASSERT_TRUE(done);
	EXPECT_EQ(-EACCES, escertke_initiator_step(a, ID_B, m4, &m5, &ra,
						   self->err,
						   sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "extended master secret"));
	EXPECT_EQ(NULL, m5);
	EXPECT_TRUE(no_result(&ra));
	EXPECT_EQ(0, escertke_in_progress(a));
	free(m1);
	free(m2);
	free(m3);
	free(m4);
	raw_free(&c);
	escertke_free(a);
	escertke_free(b);
}

TEST_F(esk, wrong_trust_anchor)
{
	struct escertke *a = engine(self, "a", "ca2.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke *r = engine(self, "rogue", "ca.pem", ID_A, 0, 0);
	struct escertke_result ra, rb;

	ASSERT_NE(NULL, r);
	/* a does not trust b's CA: refused at message 2. */
	EXPECT_EQ(-EACCES, handshake(a, b, ID_B, ID_A, &ra, &rb, NULL));
	EXPECT_TRUE(no_result(&ra));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(a));
	/* b's handshake waits for a message 3 that does not come. */
	EXPECT_EQ(1, escertke_expire(b, UINT64_MAX));

	/* The rogue's certificate (CSE-A, by ca2): refused at message 3. */
	EXPECT_EQ(-EACCES, handshake(r, b, ID_B, ID_A, &ra, &rb, NULL));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	escertke_free(a);
	escertke_free(b);
	escertke_free(r);
}

TEST_F(esk, wrong_identity)
{
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke *x = engine(self, "x", "ca.pem", ID_X, 0, 0);
	struct escertke_result ra, rb;
	char err[256], *m1, *m2 = NULL, *m3 = NULL;

	ASSERT_NE(NULL, x);
	/* x claims to be CSE-A (the From); its certificate says CSE-X. */
	ASSERT_EQ(0, escertke_initiate(x, ID_B, &m1, err, sizeof(err)));
	ASSERT_EQ(0, escertke_respond(b, ID_A, m1, &m2, &rb, err,
				      sizeof(err)));
	ASSERT_EQ(0, escertke_initiator_step(x, ID_B, m2, &m3, &ra, err,
					     sizeof(err)));
	free(m1);
	free(m2);
	m1 = NULL;
	memset(&rb, 0, sizeof(rb));
	EXPECT_EQ(-EACCES, escertke_respond(b, ID_A, m3, &m1, &rb, err,
					    sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "does not name " ID_A));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	free(m1);	/* the alert for x, if any */
	free(m3);

	/* a expects CSE-C at b's address: refused at message 2. */
	EXPECT_EQ(-EACCES, handshake(a, b, "//sp.example/CSE-C", ID_A, &ra,
				     &rb, NULL));
	EXPECT_TRUE(no_result(&ra));
	EXPECT_EQ(0, escertke_in_progress(a));
	/* Another SP's CSE-B is someone else. */
	escertke_expire(b, UINT64_MAX);
	EXPECT_EQ(-EACCES, handshake(a, b, "//sp2.example/CSE-B", ID_A, &ra,
				     &rb, NULL));
	/* The SP-ID's case does not matter. */
	escertke_expire(b, UINT64_MAX);
	EXPECT_EQ(0, handshake(a, b, "//SP.Example/CSE-B", ID_A, &ra, &rb,
			       NULL));
	EXPECT_STREQ(ra.kid, rb.kid);
	escertke_free(a);
	escertke_free(b);
	escertke_free(x);
}

TEST_F(esk, expired_certificate)
{
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result rb = {0};
	struct raw c;

	ASSERT_EQ(0, raw_new(&c, self, "old", "ECDHE-ECDSA-AES128-GCM-SHA256",
			     false, 0));
	EXPECT_EQ(-EACCES, raw_to_engine(&c, b, &rb, self->err,
					 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "expired"));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	raw_free(&c);
	escertke_free(b);
}

TEST_F(esk, tampered_flights)
{
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra = {0}, rb = {0};
	char err[256], *m1, *m2, *m3, *m4, *bad;

	/* Message 2: a bit of ServerHello.random (signed in SKE). */
	ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, err, sizeof(err)));
	ASSERT_EQ(0, escertke_respond(b, ID_A, m1, &m2, &rb, err,
				      sizeof(err)));
	bad = tamper(m2, 5 + 4 + 2 + 7);
	m3 = NULL;
	EXPECT_EQ(-EACCES, escertke_initiator_step(a, ID_B, bad, &m3, &ra,
						   err, sizeof(err)));
	EXPECT_TRUE(no_result(&ra));
	EXPECT_EQ(0, escertke_in_progress(a));
	free(m3);
	free(bad);
	free(m1);
	free(m2);
	escertke_expire(b, UINT64_MAX);

	/* Message 3: the last octet (the encrypted Finished). */
	ASSERT_EQ(0, to_message3(a, b, &m1, &m2, &m3, &ra, &rb));
	bad = tamper(m3, -1);
	m4 = NULL;
	EXPECT_EQ(-EACCES, escertke_respond(b, ID_A, bad, &m4, &rb, err,
					    sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	free(bad);
	free(m4);

	/* Message 3 again, a bit of the CertificateVerify signature. */
	free(m1);
	free(m2);
	free(m3);
	ASSERT_EQ(0, to_message3(a, b, &m1, &m2, &m3, &ra, &rb));
	/* Before the CCS (6 octets) and the Finished record (45 or 85). */
	bad = tamper(m3, -100);
	m4 = NULL;
	EXPECT_EQ(-EACCES, escertke_respond(b, ID_A, bad, &m4, &rb, err,
					    sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	free(bad);
	free(m1);
	free(m2);
	free(m3);
	free(m4);
	escertke_free(a);
	escertke_free(b);
}

TEST_F(esk, replayed_message3)
{
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra, rb;
	char err[256], *m[4], *m1, *m2, *m3, *m4 = NULL;

	ASSERT_EQ(0, handshake(a, b, ID_B, ID_A, &ra, &rb, m));
	ASSERT_EQ(0, to_message3(a, b, &m1, &m2, &m3, &ra, &rb));
	memset(&rb, 0, sizeof(rb));
	EXPECT_EQ(-EACCES, escertke_respond(b, ID_A, m[2], &m4, &rb, err,
					    sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	/*
	 * TLS refused it, which ends the handshake (unlike input that never
	 * reaches TLS: forged_flight_keeps_handshake).
	 */
	EXPECT_EQ(0, escertke_in_progress(b));
	/* The genuine message 3 now finds nothing. */
	free(m4);
	m4 = NULL;
	EXPECT_EQ(-ENOENT, escertke_respond(b, ID_A, m3, &m4, &rb, err,
					    sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	free4(m);
	free(m1);
	free(m2);
	free(m3);
	escertke_free(a);
	escertke_free(b);
}

TEST_F(esk, stalled_peer)
{
	struct escertke_config c = conf(self, "b", "ca.pem", ID_B);
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b;
	struct escertke_result ra = {0}, rb = {0};
	char err[256], *m1, *m2, *m3, *m4 = NULL;
	struct timespec ts;
	uint64_t now;

	c.timeout_ms = 200;
	ASSERT_EQ(0, escertke_new(&b, &c, err, sizeof(err)));
	ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, err, sizeof(err)));
	ASSERT_EQ(0, escertke_respond(b, ID_A, m1, &m2, &rb, err,
				      sizeof(err)));
	ASSERT_EQ(1, escertke_in_progress(b));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	EXPECT_EQ(0, escertke_expire(b, now));
	EXPECT_EQ(1, escertke_expire(b, now + 250));
	EXPECT_EQ(0, escertke_in_progress(b));
	ASSERT_EQ(0, escertke_initiator_step(a, ID_B, m2, &m3, &ra, err,
					     sizeof(err)));
	EXPECT_EQ(-ENOENT, escertke_respond(b, ID_A, m3, &m4, &rb, err,
					    sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	free(m1);
	free(m2);
	free(m3);

	/* Past the timeout before escertke_expire() ran: -ETIMEDOUT. */
	ASSERT_EQ(0, to_message3(a, b, &m1, &m2, &m3, &ra, &rb));
	usleep(250 * 1000);
	EXPECT_EQ(-ETIMEDOUT, escertke_respond(b, ID_A, m3, &m4, &rb, err,
					       sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	free(m1);
	free(m2);
	free(m3);
	escertke_free(a);
	escertke_free(b);
	conf_free(&c);
}

TEST_F(esk, limits)
{
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 1, 2);
	struct escertke_result rb = {0}, ra;
	char err[256], *m1, *m2;

	/* Per peer: a second message 1 from CSE-A within the timeout. */
	ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, err, sizeof(err)));
	ASSERT_EQ(0, escertke_respond(b, ID_A, m1, &m2, &rb, err,
				      sizeof(err)));
	free(m2);
	m2 = (char *)1;
	EXPECT_EQ(-EBUSY, escertke_respond(b, ID_A, m1, &m2, &rb, err,
					   sizeof(err)));
	EXPECT_EQ(NULL, m2);
	EXPECT_EQ(1, escertke_in_progress(b));
	/* And b's own initiation towards CSE-A. */
	EXPECT_EQ(-EBUSY, escertke_initiate(b, ID_A, &m2, err, sizeof(err)));

	/* In all: two, whoever they are from. */
	ASSERT_EQ(0, escertke_respond(b, ID_X, m1, &m2, &rb, err,
				      sizeof(err)));
	free(m2);
	EXPECT_EQ(-EBUSY, escertke_respond(b, "//sp.example/CSE-Y", m1, &m2,
					   &rb, err, sizeof(err)));
	EXPECT_EQ(2, escertke_in_progress(b));
	EXPECT_TRUE(no_result(&rb));
	free(m1);

	/* Once they are gone, CSE-A is served again. */
	EXPECT_EQ(2, escertke_expire(b, UINT64_MAX));
	EXPECT_EQ(0, handshake(a, b, ID_B, ID_A, &ra, &rb, NULL));
	EXPECT_STREQ(ra.kid, rb.kid);
	escertke_free(a);
	escertke_free(b);
}

TEST_F(esk, garbage)
{
	static const char *const bad[] = {
		"", "!!!!", "QQ=", "QR==", "QUJD\n", " QUJD", "QUJD=",
		"QU=D", "====",
		"AAAAAAAA",		/* no TLS record */
		"FwMDAAEA",		/* application data */
		"FgMBAAUBAAAB",		/* a truncated ClientHello */
	};
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result r = {0};
	char err[256], *out, *m1, *big;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		EXPECT_EQ(-EBADMSG, escertke_respond(b, ID_A, bad[i], &out,
						     &r, err, sizeof(err)))
			TH_LOG("input %zu: %s", i, err);
		EXPECT_EQ(0, escertke_in_progress(b));
		free(out);
		ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, err,
					       sizeof(err)));
		free(m1);
		out = NULL;
		EXPECT_EQ(-EBADMSG, escertke_initiator_step(a, ID_B, bad[i],
				&out, &r, err, sizeof(err)))
			TH_LOG("input %zu: %s", i, err);
		EXPECT_EQ(0, escertke_in_progress(a));
		free(out);
	}
	EXPECT_EQ(-EBADMSG, escertke_respond(b, ID_A, NULL, &out, &r, err,
					     sizeof(err)));
	/* Over the 16 KiB cap. */
	big = malloc(30001);
	memset(big, 'A', 30000);
	big[30000] = 0;
	EXPECT_EQ(-EBADMSG, escertke_respond(b, ID_A, big, &out, &r, err,
					     sizeof(err)));
	free(big);
	/* Not an identity. */
	EXPECT_EQ(-EINVAL, escertke_respond(b, "CSE-A", "QUJD", &out, &r, err,
					    sizeof(err)));
	EXPECT_EQ(-EINVAL, escertke_initiate(a, "", &out, err, sizeof(err)));
	EXPECT_TRUE(no_result(&r));
	escertke_free(a);
	escertke_free(b);
}

TEST_F(esk, message3_first)
{
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke *b2 = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra, rb = {0};
	char err[256], *m1, *m2, *m3, *m4 = NULL;

	ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, err, sizeof(err)));
	ASSERT_EQ(0, escertke_respond(b2, ID_A, m1, &m2, &rb, err,
				      sizeof(err)));
	ASSERT_EQ(0, escertke_initiator_step(a, ID_B, m2, &m3, &ra, err,
					     sizeof(err)));
	EXPECT_EQ(-ENOENT, escertke_respond(b, ID_A, m3, &m4, &rb, err,
					    sizeof(err)));
	EXPECT_EQ(NULL, m4);
	EXPECT_TRUE(no_result(&rb));
	EXPECT_EQ(0, escertke_in_progress(b));
	/* Message 2 or 4 where no initiation is. */
	EXPECT_EQ(-ENOENT, escertke_initiator_step(b, ID_A, m2, &m4, &rb,
						   err, sizeof(err)));
	free(m1);
	free(m2);
	free(m3);
	escertke_free(a);
	escertke_free(b);
	escertke_free(b2);
}

/*
 * A fatal alert record (handshake_failure): it reaches TLS and ends the
 * handshake it is sent into.
 */
#define ALERT	"FQMDAAICKA=="

/*
 * Message 1 and then something that ends the handshake, again and again
 * from one From: at most max_per_peer message 2s (each an ECDSA signature
 * and an ECDHE key) per timeout window, whatever became of the handshakes;
 * and at most max_total peers counted, so a flood from many Froms is
 * bounded too.
 */
TEST_F(esk, message1_flood)
{
	static const char *const others[] = {
		ID_X, "//sp.example/CSE-Y", "//sp.example/CSE-Z",
	};
	struct escertke_config c = conf(self, "b", "ca.pem", ID_B);
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke_result rb = {0};
	char err[256], *m1, *out;
	struct escertke *b;
	int i, ret, accepted = 0;

	c.max_per_peer = 2;
	c.max_total = 3;
	c.timeout_ms = 1000;
	ASSERT_EQ(0, escertke_new(&b, &c, err, sizeof(err)));
	ASSERT_EQ(0, escertke_initiate(a, ID_B, &m1, err, sizeof(err)));
	for (i = 0; i < 20; i++) {
		out = NULL;
		ret = escertke_respond(b, ID_A, m1, &out, &rb, err,
				       sizeof(err));
		if (!ret) {
			accepted++;
			EXPECT_NE(NULL, out);
		} else {
			EXPECT_EQ(-EBUSY, ret) TH_LOG("%d: %s", i, err);
			EXPECT_EQ(NULL, out);
		}
		free(out);
		out = NULL;
		EXPECT_GT(0, escertke_respond(b, ID_A, ALERT, &out, &rb, err,
					      sizeof(err)));
		free(out);
		EXPECT_EQ(0, escertke_in_progress(b));
	}
	EXPECT_EQ(2, accepted);

	/* Three peers counted (CSE-A, CSE-X, CSE-Y): CSE-Z waits. */
	for (i = 0; i < 3; i++) {
		out = NULL;
		EXPECT_EQ(i < 2 ? 0 : -EBUSY,
			  escertke_respond(b, others[i], m1, &out, &rb, err,
					   sizeof(err))) TH_LOG("%d: %s", i, err);
		free(out);
		out = NULL;
		escertke_respond(b, others[i], ALERT, &out, &rb, err,
				 sizeof(err));
		free(out);
		EXPECT_EQ(0, escertke_in_progress(b));
	}
	EXPECT_TRUE(no_result(&rb));

	/* A window later, each is served again (counted anew). */
	usleep(1100 * 1000);
	for (i = 0; i < 3; i++) {
		out = NULL;
		EXPECT_EQ(0, escertke_respond(b, others[i], m1, &out, &rb, err,
					      sizeof(err))) TH_LOG("%s", err);
		free(out);
	}
	out = NULL;
	EXPECT_EQ(-EBUSY, escertke_respond(b, ID_A, m1, &out, &rb, err,
					   sizeof(err)));
	/* escertke_expire() forgets the counts with the handshakes. */
	EXPECT_EQ(3, escertke_expire(b, UINT64_MAX));
	EXPECT_EQ(0, escertke_respond(b, ID_A, m1, &out, &rb, err,
				      sizeof(err))) TH_LOG("%s", err);
	free(out);
	free(m1);
	escertke_free(a);
	escertke_free(b);
	conf_free(&c);
}

/*
 * What never reached TLS (not base64, not a TLS record) may come from
 * anyone who can send with the peer's From: refused, and the handshake in
 * progress goes on.
 */
TEST_F(esk, forged_flight_keeps_handshake)
{
	static const char *const bad[] = {
		"!!!!", "QUJD=", "QR==", "AAAAAAAA", "FwMDAAEA",
	};
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra = {0}, rb = {0};
	char err[256], *m1, *m2, *m3, *m4 = NULL, *out;
	size_t i;

	ASSERT_EQ(0, to_message3(a, b, &m1, &m2, &m3, &ra, &rb));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		EXPECT_EQ(-EBADMSG, escertke_respond(b, ID_A, bad[i], &out,
						     &rb, err, sizeof(err)));
		EXPECT_EQ(NULL, out);
		EXPECT_EQ(1, escertke_in_progress(b)) TH_LOG("input %zu", i);
	}
	EXPECT_EQ(-EBADMSG, escertke_respond(b, ID_A, NULL, &out, &rb, err,
					     sizeof(err)));
	EXPECT_TRUE(no_result(&rb));
	ASSERT_EQ(1, escertke_respond(b, ID_A, m3, &m4, &rb, err,
				      sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(1, escertke_initiator_step(a, ID_B, m4, &(char *){NULL},
					     &ra, err, sizeof(err)));
	EXPECT_STREQ(ra.kid, rb.kid);
	EXPECT_EQ(0, memcmp(ra.key, rb.key, 32));
	free(m1);
	free(m2);
	free(m3);
	free(m4);
	escertke_free(a);
	escertke_free(b);
}

/*
 * Message 2 (base64) with its Certificate message replaced by one that
 * carries who.pem alone: what a stack that would present that certificate
 * for ECDHE_ECDSA sends (OpenSSL's would not, for one without
 * digitalSignature).  NULL if message 2 has no Certificate record.
 */
static char *swap_cert(FIXTURE_DATA(esk) *self, const char *b64,
		       const char *who)
{
	unsigned char raw[20000], buf[24000], *der = NULL;
	size_t len = strlen(b64), n, i, o = 0, rl;
	char name[16], *out = NULL;
	bool swapped = false;
	int dlen, got;
	X509 *x;
	FILE *f;

	snprintf(name, sizeof(name), "%s.pem", who);
	f = fopen(path(self, name), "r");
	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	dlen = x ? i2d_X509(x, &der) : -1;
	X509_free(x);
	got = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	if (dlen <= 0 || got < 0 || dlen > 4000)
		goto out;
	n = (size_t)got - (b64[len - 1] == '=') - (b64[len - 2] == '=');
	for (i = 0; i + 5 <= n; i += 5 + rl) {
		rl = (size_t)raw[i + 3] << 8 | raw[i + 4];
		if (i + 5 + rl > n)
			goto out;
		if (raw[i] != 22 || rl < 4 || raw[i + 5] != 11) {
			memcpy(buf + o, raw + i, 5 + rl);
			o += 5 + rl;
			continue;
		}
		/* Record, handshake header, list length, one certificate. */
		size_t list = (size_t)dlen + 3, body = list + 3;
		size_t rec = body + 4;
		unsigned char h[] = {
			22, raw[i + 1], raw[i + 2], rec >> 8, rec & 0xff,
			11, body >> 16, (body >> 8) & 0xff, body & 0xff,
			list >> 16, (list >> 8) & 0xff, list & 0xff,
			dlen >> 16, (dlen >> 8) & 0xff, dlen & 0xff,
		};

		memcpy(buf + o, h, sizeof(h));
		memcpy(buf + o + sizeof(h), der, dlen);
		o += sizeof(h) + dlen;
		swapped = true;
	}
	if (!swapped || i != n)
		goto out;
	out = malloc((o + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)out, buf, (int)o);
out:
	OPENSSL_free(der);
	return out;
}

/*
 * End-entity certificates that chain and name the peer but may not be
 * used for this: a CA certificate, and one whose keyUsage leaves out
 * digitalSignature (ECDHE_ECDSA signs with it).  Refused from either end.
 */
TEST_F(esk, leaf_constraints)
{
	static const struct {
		const char *who, *id, *why;
	} t[] = {
		{ "caleaf", "//sp.example/CSE-C", "CA certificate" },
		{ "kaleaf", "//sp.example/CSE-K", "digitalSignature" },
	};
	struct escertke *a = engine(self, "a", "ca.pem", ID_A, 0, 0);
	struct escertke *b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	struct escertke_result ra, rb, rl;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct escertke *l = engine(self, t[i].who, "ca.pem", t[i].id,
					    0, 0);

		ASSERT_NE(NULL, l);
		/* The initiator's: b refuses message 3. */
		EXPECT_EQ(-EACCES, handshake(l, b, ID_B, t[i].id, &rl, &rb,
					     NULL)) TH_LOG("%s", t[i].who);
		EXPECT_NE(NULL, strstr(hs_err, t[i].why)) TH_LOG("%s", hs_err);
		EXPECT_TRUE(no_result(&rb));
		EXPECT_TRUE(no_result(&rl));
		EXPECT_EQ(0, escertke_in_progress(b));
		escertke_expire(l, UINT64_MAX);
		/*
		 * The terminator's: a refuses message 2 (OpenSSL offers no
		 * ECDHE_ECDSA suite with a certificate that cannot sign).
		 */
		EXPECT_EQ(i ? -EPROTO : -EACCES,
			  handshake(a, l, t[i].id, ID_A, &ra, &rl, NULL))
			TH_LOG("%s", t[i].who);
		EXPECT_TRUE(no_result(&ra));
		EXPECT_TRUE(no_result(&rl));
		if (!i) {
			EXPECT_NE(NULL, strstr(hs_err, t[i].why))
				TH_LOG("%s", hs_err);
			EXPECT_EQ(0, escertke_in_progress(a));
		}
		escertke_expire(a, UINT64_MAX);
		escertke_free(l);
	}
	/*
	 * The terminator's, from a stack that sends it whatever its
	 * keyUsage: a refuses message 2 on the certificate, before
	 * ServerKeyExchange's signature (b's key, not the certificate's) is
	 * looked at.
	 */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char err[256], *m1, *m2, *bad, *m3 = NULL;

		memset(&ra, 0, sizeof(ra));
		ASSERT_EQ(0, escertke_initiate(a, t[i].id, &m1, err,
					       sizeof(err)));
		ASSERT_EQ(0, escertke_respond(b, ID_A, m1, &m2, &rb, err,
					      sizeof(err)));
		bad = swap_cert(self, m2, t[i].who);
		ASSERT_NE(NULL, bad);
		EXPECT_EQ(-EACCES, escertke_initiator_step(a, t[i].id, bad,
							   &m3, &ra, err,
							   sizeof(err)));
		EXPECT_NE(NULL, strstr(err, t[i].why)) TH_LOG("%s", err);
		EXPECT_TRUE(no_result(&ra));
		EXPECT_EQ(0, escertke_in_progress(a));
		escertke_expire(b, UINT64_MAX);
		free(m1);
		free(m2);
		free(m3);
		free(bad);
	}
	escertke_free(a);
	escertke_free(b);
}

/*
 * Handshakes with many peers at once, their flights interleaved, and in
 * both directions with one of them: each ends with the key of its own
 * pair, and none is left in progress.
 */
#define N_PEERS 6
TEST_F(esk, many_peers)
{
	struct escertke *b, *p[N_PEERS];
	struct escertke_result rb[N_PEERS], rp[N_PEERS], rb0, rp0;
	char *m1[N_PEERS], *m2[N_PEERS], *m3[N_PEERS], *m4[N_PEERS];
	char id[N_PEERS][32], who[16], err[256], *x1, *x2, *x3, *x4;
	int i, j;

	b = engine(self, "b", "ca.pem", ID_B, 0, 0);
	ASSERT_NE(NULL, b);
	for (i = 0; i < N_PEERS; i++) {
		snprintf(id[i], sizeof(id[i]), "//sp.example/CSE-P%d", i);
		snprintf(who, sizeof(who), "p%d", i);
		p[i] = engine(self, who, "ca.pem", id[i], 0, 0);
		ASSERT_NE(NULL, p[i]);
		ASSERT_EQ(0, escertke_initiate(p[i], ID_B, &m1[i], err,
					       sizeof(err)));
	}
	for (i = 0; i < N_PEERS; i++)
		ASSERT_EQ(0, escertke_respond(b, id[i], m1[i], &m2[i], &rb[i],
					      err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(N_PEERS, escertke_in_progress(b));
	/* B initiates with P0 too, while P0's handshake with it goes on. */
	ASSERT_EQ(0, escertke_initiate(b, id[0], &x1, err, sizeof(err)));
	ASSERT_EQ(0, escertke_respond(p[0], ID_B, x1, &x2, &rp0, err,
				      sizeof(err))) TH_LOG("%s", err);
	for (i = 0; i < N_PEERS; i++)
		ASSERT_EQ(0, escertke_initiator_step(p[i], ID_B, m2[i], &m3[i],
						     &rp[i], err, sizeof(err)))
			TH_LOG("%s", err);
	ASSERT_EQ(0, escertke_initiator_step(b, id[0], x2, &x3, &rb0, err,
					     sizeof(err))) TH_LOG("%s", err);
	/* Message 3s in the reverse order. */
	for (i = N_PEERS - 1; i >= 0; i--)
		ASSERT_EQ(1, escertke_respond(b, id[i], m3[i], &m4[i], &rb[i],
					      err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(1, escertke_respond(p[0], ID_B, x3, &x4, &rp0, err,
				      sizeof(err))) TH_LOG("%s", err);
	for (i = 0; i < N_PEERS; i++)
		ASSERT_EQ(1, escertke_initiator_step(p[i], ID_B, m4[i],
						     &(char *){NULL}, &rp[i],
						     err, sizeof(err)))
			TH_LOG("%s", err);
	ASSERT_EQ(1, escertke_initiator_step(b, id[0], x4, &(char *){NULL},
					     &rb0, err, sizeof(err)))
		TH_LOG("%s", err);
	for (i = 0; i < N_PEERS; i++) {
		EXPECT_STREQ(rb[i].kid, rp[i].kid);
		EXPECT_EQ(0, memcmp(rb[i].key, rp[i].key, 32));
		EXPECT_STREQ(id[i], rb[i].peer);
		EXPECT_STREQ(ID_B, rp[i].peer);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(rb[i].kid, rb[j].kid);
		EXPECT_STRNE(rb[i].kid, rb0.kid);
	}
	EXPECT_STREQ(rb0.kid, rp0.kid);
	EXPECT_EQ(0, memcmp(rb0.key, rp0.key, 32));
	EXPECT_EQ(0, escertke_in_progress(b));
	for (i = 0; i < N_PEERS; i++) {
		EXPECT_EQ(0, escertke_in_progress(p[i]));
		escertke_result_wipe(&rb[i]);
		escertke_result_wipe(&rp[i]);
		free(m1[i]);
		free(m2[i]);
		free(m3[i]);
		free(m4[i]);
		escertke_free(p[i]);
	}
	escertke_result_wipe(&rb0);
	escertke_result_wipe(&rp0);
	free(x1);
	free(x2);
	free(x3);
	free(x4);
	escertke_free(b);
}

TEST_HARNESS_MAIN
