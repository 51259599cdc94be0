// SPDX-License-Identifier: GPL-2.0
/*
 * The module's generic netlink family against AF_ALG and OpenSSL, in the
 * VM, in one run (scripts/bench.sh runs it under icount, where guest
 * nanoseconds are guest instructions):
 *
 *   - 1 KiB items (120-byte AAD) sealed and opened by the template over
 *     AF_ALG, one operation per call, with a session key by reference;
 *   - the same items through the batched netlink path (SEAL / OPEN, the
 *     library's esprim_genl.c) at batch sizes 1, 8, 32 and 128;
 *   - raw AES-256-GCM with OpenSSL EVP in this process;
 *   - whole ESPrim Objects of 1 KiB (framing included) through
 *     libesprim's kernel backend and its soft backend (bench_pair.c), one
 *     by one and in batches of 32;
 *   - a SESSION_GET dump of N session keys (default 100,000);
 *   - the upcall: a thread registered as the key daemon answers ACQUIRE
 *     with a pairwise payload while the main thread calls request_key().
 *
 *   netlink_bench [ITEMS [SESSIONS [UPCALLS]]]   (default 2048 100000 200)
 *
 * As root in the test VM.  Prints measured figures, checks nothing
 * beyond the operations succeeding.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <kcapi.h>
#include <keyutils.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <openssl/evp.h>

#include "bench_pair.h"
#include "esprim.h"
#include "esprim_afalg.h"
#include "esprim_genl.h"

#define AAD_LEN		120
#define TEXT_LEN	1024
#define KID		"bench"
#define PEER		"CAE1"
#define OBJ_KID		"13-gw1.example.net"
#define LIB_BATCH	32

static const unsigned int batch_sizes[] = { 1, 8, 32, 128 };

static void die(const char *what, int e)
{
	fprintf(stderr, "netlink_bench: %s: %s\n", what, strerror(e));
	exit(1);
}

static void write_sysctl(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

static void pairwise_payload(struct onem2m_esprim_pairwise_payload *pw)
{
	memset(pw, 0, sizeof(*pw));
	pw->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	pw->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	pw->key_len = 32;
	pw->peer_len = strlen(PEER);
	memcpy(pw->peer, PEER, strlen(PEER));
	memset(pw->key, 0x5a, 32);
}

/* A session key of pairwise, oro its own, in ring; serial or exits. */
static key_serial_t session_key(key_serial_t pairwise, key_serial_t ring,
				const char *desc, const char *oro,
				enum onem2m_esprim_role role,
				enum onem2m_esprim_replay replay)
{
	static const char rro[] = "{\"esri\":\"r1\",\"esrv\":\"q83vEjRWeJq83vEjRWeJqw\"}";
	uint8_t buf[sizeof(struct onem2m_esprim_session_payload) + 256] = { 0 };
	struct onem2m_esprim_session_payload *sp = (void *)buf;
	key_serial_t k;

	sp->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	sp->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	sp->pairwise = pairwise;
	sp->enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sp->role = role;
	sp->replay = replay;
	sp->rro_len = strlen(rro);
	sp->oro_len = strlen(oro);
	memcpy(sp->rand_objects, rro, sp->rro_len);
	memcpy(sp->rand_objects + sp->rro_len, oro, sp->oro_len);
	k = add_key("esprim", desc, buf,
		    sizeof(*sp) + sp->rro_len + sp->oro_len, ring);
	if (k < 0)
		die(desc, errno);
	return k;
}

/* ---- AF_ALG, one operation per call ---- */

struct afalg {
	struct kcapi_handle *h;
};

static void afalg_open(struct afalg *a, key_serial_t serial)
{
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
		.serial = serial,
	};
	int rc = esprim_afalg_open(&a->h, ONEM2M_ESPRIM_AEAD_ALG, &ref,
				   sizeof(ref), ONEM2M_ESPRIM_TRAILER_LEN);

	if (rc)
		die("AF_ALG", -rc);
}

/* ns per seal (objs NULL) or open of the n objects in objs. */
static double afalg_run(struct afalg *a, bool open, int n, uint8_t *objs)
{
	size_t in_len = AAD_LEN + TEXT_LEN, obj_len = in_len +
			ONEM2M_ESPRIM_TRAILER_LEN;
	static uint8_t in[AAD_LEN + TEXT_LEN], out[AAD_LEN + TEXT_LEN + 28];
	uint64_t t;
	ssize_t r;
	int i;

	memset(in, 'A', AAD_LEN);
	memset(in + AAD_LEN, 'x', TEXT_LEN);
	t = bench_now_ns();
	for (i = 0; i < n; i++) {
		if (open)
			r = esprim_afalg_crypt(a->h, false, NULL, AAD_LEN,
					       objs + i * obj_len, obj_len,
					       out, in_len);
		else
			r = esprim_afalg_crypt(a->h, true, NULL, AAD_LEN, in,
					       in_len, objs ? objs +
					       i * obj_len : out, obj_len);
		if (r < 0)
			die(open ? "AF_ALG open" : "AF_ALG seal", (int)-r);
	}
	return (double)(bench_now_ns() - t) / n;
}

/* ---- the batched netlink path ---- */

/*
 * ns per item sealing (open false) n items in batches of size, or
 * opening them; sealed items are AAD || ciphertext || tag || IV in objs.
 */
static double genl_run(struct esprim_genl *g, bool open, key_serial_t key,
		       unsigned int size, int n, uint8_t *objs)
{
	static struct esprim_genl_item it[ONEM2M_ESPRIM_BATCH_MAX_ITEMS];
	static uint8_t text[TEXT_LEN], aad[AAD_LEN];
	size_t obj_len = AAD_LEN + TEXT_LEN + ONEM2M_ESPRIM_TRAILER_LEN;
	unsigned int i, k;
	uint64_t t;
	int done, rc;

	memset(aad, 'A', sizeof(aad));
	memset(text, 'x', sizeof(text));
	t = bench_now_ns();
	for (done = 0; done < n; done += (int)k) {
		k = n - done < (int)size ? (unsigned int)(n - done) : size;
		for (i = 0; i < k; i++) {
			uint8_t *o = objs + (size_t)(done + i) * obj_len;

			it[i] = (struct esprim_genl_item){
				.serial = key,
				.aad = aad, .aad_len = AAD_LEN,
				.text = open ? o + AAD_LEN : text,
				.text_len = TEXT_LEN,
				.trailer = open ? o + AAD_LEN + TEXT_LEN :
					   NULL,
			};
		}
		if (esprim_genl_fit(g, open, it, k) != k)
			die("batch does not fit", EMSGSIZE);
		rc = esprim_genl_batch(g, open, it, k);
		if (rc)
			die(esprim_genl_error(g), -rc);
		for (i = 0; i < k; i++) {
			uint8_t *o = objs + (size_t)(done + i) * obj_len;

			if (it[i].status)
				die(open ? "netlink open item" :
				    "netlink seal item", it[i].status);
			if (open)
				continue;
			memcpy(o, aad, AAD_LEN);
			memcpy(o + AAD_LEN, it[i].out, TEXT_LEN);
			memcpy(o + AAD_LEN + TEXT_LEN, it[i].trailer_out,
			       ONEM2M_ESPRIM_TRAILER_LEN);
		}
	}
	return (double)(bench_now_ns() - t) / n;
}

/* ---- OpenSSL in process ---- */

static double evp_run(bool open, int n)
{
	static uint8_t aad[AAD_LEN], text[TEXT_LEN], ct[TEXT_LEN],
		out[TEXT_LEN];
	uint8_t key[32], iv[12] = { 0 }, tag[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint64_t t;
	int i, len;

	memset(key, 0x5a, sizeof(key));
	memset(aad, 'A', sizeof(aad));
	memset(text, 'x', sizeof(text));
	if (!c || !EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) ||
	    !EVP_EncryptUpdate(c, NULL, &len, aad, AAD_LEN) ||
	    !EVP_EncryptUpdate(c, ct, &len, text, TEXT_LEN) ||
	    !EVP_EncryptFinal_ex(c, ct + len, &len) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag))
		die("OpenSSL", EIO);
	if (open && !EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv))
		die("OpenSSL", EIO);
	t = bench_now_ns();
	for (i = 0; i < n; i++) {
		if (open) {
			if (!EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) ||
			    !EVP_DecryptUpdate(c, NULL, &len, aad, AAD_LEN) ||
			    !EVP_DecryptUpdate(c, out, &len, ct, TEXT_LEN) ||
			    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
						 tag) ||
			    EVP_DecryptFinal_ex(c, out + len, &len) <= 0)
				die("OpenSSL open", EBADMSG);
			continue;
		}
		iv[11]++;
		if (!EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) ||
		    !EVP_EncryptUpdate(c, NULL, &len, aad, AAD_LEN) ||
		    !EVP_EncryptUpdate(c, out, &len, text, TEXT_LEN) ||
		    !EVP_EncryptFinal_ex(c, out + len, &len) ||
		    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag))
			die("OpenSSL seal", EIO);
	}
	t = bench_now_ns() - t;
	EVP_CIPHER_CTX_free(c);
	return (double)t / n;
}

/* ---- netlink calls of the bench's own (dump, upcall) ---- */

struct nlc {
	struct nl_sock *sk;
	int fd, family;
	uint32_t seq;
	uint8_t buf[64 * 1024];
};

static void nlc_open(struct nlc *c)
{
	int size = 4 << 20;

	c->sk = nl_socket_alloc();
	if (!c->sk || genl_connect(c->sk))
		die("netlink socket", EIO);
	c->family = genl_ctrl_resolve(c->sk, ONEM2M_ESPRIM_GENL_NAME);
	if (c->family < 0)
		die("netlink family " ONEM2M_ESPRIM_GENL_NAME, ENOENT);
	c->fd = nl_socket_get_fd(c->sk);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/* Sends a request of cmd with flags; attributes by the caller after. */
static struct nl_msg *nlc_msg(struct nlc *c, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(8192);

	if (!m || !genlmsg_put(m, nl_socket_get_local_port(c->sk), ++c->seq,
			       c->family, 0, NLM_F_REQUEST | flags, cmd,
			       ONEM2M_ESPRIM_GENL_VERSION))
		die("netlink message", ENOMEM);
	return m;
}

static void nlc_send(struct nlc *c, struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	if (send(c->fd, h, h->nlmsg_len, 0) < 0)
		die("netlink send", errno);
	nlmsg_free(m);
}

/* Receives one datagram; its length. */
static int nlc_recv(struct nlc *c)
{
	ssize_t n;

	do
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("netlink recv", errno);
	return (int)n;
}

/* Waits for the answer (ack or error) to request seq; the errno. */
static int nlc_ack(struct nlc *c, uint32_t seq)
{
	struct nlmsghdr *h;
	int left;

	for (;;) {
		left = nlc_recv(c);
		for (h = (void *)c->buf; nlmsg_ok(h, left);
		     h = nlmsg_next(h, &left))
			if (h->nlmsg_seq == seq &&
			    h->nlmsg_type == NLMSG_ERROR)
				return -((struct nlmsgerr *)nlmsg_data(h))->error;
	}
}

/* One SESSION_GET dump: messages (sessions) seen. */
static long session_dump(struct nlc *c)
{
	struct nlmsghdr *h;
	long sessions = 0;
	uint32_t seq;
	int left;

	nlc_send(c, nlc_msg(c, ONEM2M_ESPRIM_CMD_SESSION_GET, NLM_F_DUMP));
	seq = c->seq;
	for (;;) {
		left = nlc_recv(c);
		for (h = (void *)c->buf; nlmsg_ok(h, left);
		     h = nlmsg_next(h, &left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return sessions;
			if (h->nlmsg_type == NLMSG_ERROR)
				die("SESSION_GET dump",
				    -((struct nlmsgerr *)nlmsg_data(h))->error);
			sessions += h->nlmsg_type == c->family;
		}
	}
}

/* The key daemon: answers every ACQUIRE with a pairwise payload. */
struct daemon {
	struct nlc c;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	bool registered;
	int answered;
	int expected;
};

static void *daemon_main(void *arg)
{
	struct daemon *d = arg;
	struct nlattr *tb[ONEM2M_ESPRIM_A_UPCALL_MAX + 1];
	struct onem2m_esprim_pairwise_payload pw;
	struct nlmsghdr *h;
	struct nl_msg *m;
	uint32_t id;
	int left, rc;

	pairwise_payload(&pw);
	m = nlc_msg(&d->c, ONEM2M_ESPRIM_CMD_UPCALL_REGISTER, NLM_F_ACK);
	nlc_send(&d->c, m);
	rc = nlc_ack(&d->c, d->c.seq);
	if (rc)
		die("UPCALL_REGISTER", rc);
	pthread_mutex_lock(&d->lock);
	d->registered = true;
	pthread_cond_signal(&d->ready);
	pthread_mutex_unlock(&d->lock);

	while (d->answered < d->expected) {
		left = nlc_recv(&d->c);
		for (h = (void *)d->c.buf; nlmsg_ok(h, left);
		     h = nlmsg_next(h, &left)) {
			struct genlmsghdr *gh = nlmsg_data(h);

			if (h->nlmsg_type == NLMSG_ERROR &&
			    ((struct nlmsgerr *)nlmsg_data(h))->error)
				die("UPCALL_COMPLETE", -((struct nlmsgerr *)
					nlmsg_data(h))->error);
			if (h->nlmsg_type != d->c.family ||
			    gh->cmd != ONEM2M_ESPRIM_CMD_ACQUIRE)
				continue;
			if (nla_parse(tb, ONEM2M_ESPRIM_A_UPCALL_MAX,
				      genlmsg_attrdata(gh, 0),
				      genlmsg_attrlen(gh, 0), NULL) < 0 ||
			    !tb[ONEM2M_ESPRIM_A_UPCALL_ID])
				die("ACQUIRE without an id", EPROTO);
			id = nla_get_u32(tb[ONEM2M_ESPRIM_A_UPCALL_ID]);
			m = nlc_msg(&d->c, ONEM2M_ESPRIM_CMD_UPCALL_COMPLETE,
				    0);
			if (nla_put_u32(m, ONEM2M_ESPRIM_A_UPCALL_ID, id) ||
			    nla_put(m, ONEM2M_ESPRIM_A_UPCALL_PAYLOAD,
				    sizeof(pw), &pw))
				die("UPCALL_COMPLETE message", EMSGSIZE);
			nlc_send(&d->c, m);
			d->answered++;
		}
	}
	return NULL;
}

/* ns per request_key() answered by the daemon thread. */
static double upcall_run(int n)
{
	struct daemon d = { .expected = n };
	pthread_t thread;
	char desc[64];
	uint64_t t;
	int i;

	nlc_open(&d.c);
	pthread_mutex_init(&d.lock, NULL);
	pthread_cond_init(&d.ready, NULL);
	if (pthread_create(&thread, NULL, daemon_main, &d))
		die("pthread_create", EAGAIN);
	pthread_mutex_lock(&d.lock);
	while (!d.registered)
		pthread_cond_wait(&d.ready, &d.lock);
	pthread_mutex_unlock(&d.lock);
	t = bench_now_ns();
	for (i = 0; i < n; i++) {
		snprintf(desc, sizeof(desc), "pairwise:upcall-%d", i);
		/* Without callout information nothing is constructed. */
		if (request_key("esprim", desc, "netlink_bench",
				KEY_SPEC_SESSION_KEYRING) < 0)
			die("request_key", errno);
	}
	t = bench_now_ns() - t;
	pthread_join(thread, NULL);
	nl_socket_free(d.c.sk);
	return (double)t / n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2048;
	int sessions = argc > 2 ? atoi(argv[2]) : 100000;
	int upcalls = argc > 3 ? atoi(argv[3]) : 200;
	size_t obj_len = AAD_LEN + TEXT_LEN + ONEM2M_ESPRIM_TRAILER_LEN;
	struct onem2m_esprim_pairwise_payload pw;
	double af_seal, af_open, nl_seal[4], nl_open[4], raw_seal, raw_open;
	double ks, ko, ss, so, kbs, kbo, sbs, sbo, up, per;
	key_serial_t pairwise, tx, rx, ring, lk;
	double lib_af, lib_nl;
	struct afalg a_lib;
	struct esprim_rand *rro, *oro;
	struct esprim_genl *g;
	struct bench_pair k, s;
	char msg[128], desc[64], oroj[32];
	struct afalg a_tx, a_rx;
	struct nlc c;
	uint8_t *objs;
	uint64_t t;
	long seen;
	unsigned int i;
	int rc;

	if (n < 128 || n % 128 || sessions < 0 || upcalls < 0)
		return 2;
	write_sysctl("/proc/sys/kernel/keys/maxkeys", "1000000");
	write_sysctl("/proc/sys/kernel/keys/maxbytes", "400000000");
	write_sysctl("/proc/sys/kernel/keys/root_maxkeys", "1000000");
	write_sysctl("/proc/sys/kernel/keys/root_maxbytes", "400000000");
	if (keyctl_join_session_keyring(NULL) < 0)
		die("session keyring", errno);
	pairwise_payload(&pw);
	pairwise = add_key("esprim", "pairwise:" KID, &pw, sizeof(pw),
			   KEY_SPEC_SESSION_KEYRING);
	if (pairwise < 0)
		die("pairwise key", errno);
	/* The two sides of one session, replay off: objects open again. */
	ring = add_key("keyring", "bench-rx", NULL, 0,
		       KEY_SPEC_SESSION_KEYRING);
	tx = session_key(pairwise, KEY_SPEC_SESSION_KEYRING,
			 "session:" KID ":o1:r1", "{\"esri\":\"o1\"}",
			 ONEM2M_ESPRIM_ROLE_ORIGINATOR,
			 ONEM2M_ESPRIM_REPLAY_OFF);
	rx = session_key(pairwise, ring, "session:" KID ":o1:r1",
			 "{\"esri\":\"o1\"}", ONEM2M_ESPRIM_ROLE_RECEIVER,
			 ONEM2M_ESPRIM_REPLAY_OFF);
	objs = malloc((size_t)n * obj_len);
	if (!objs)
		die("objects", ENOMEM);
	rc = esprim_genl_open(&g, msg, sizeof(msg));
	if (rc)
		die(msg, -rc);
	afalg_open(&a_tx, tx);
	afalg_open(&a_rx, rx);

	/* Warm every path (AF_ALG module, instances, the engine pool). */
	afalg_run(&a_tx, false, 128, objs);
	afalg_run(&a_rx, true, 128, objs);
	genl_run(g, false, tx, 128, 128, objs);
	genl_run(g, true, rx, 128, 128, objs);
	evp_run(false, 128);

	af_seal = afalg_run(&a_tx, false, n, NULL);
	afalg_run(&a_tx, false, n, objs);	/* objects to open */
	af_open = afalg_run(&a_rx, true, n, objs);
	for (i = 0; i < 4; i++) {
		nl_seal[i] = genl_run(g, false, tx, batch_sizes[i], n, objs);
		nl_open[i] = genl_run(g, true, rx, batch_sizes[i], n, objs);
	}
	raw_seal = evp_run(false, n);
	raw_open = evp_run(true, n);

	bench_pair_rands(&rro, &oro);
	bench_pair_setup(&k, ESPRIM_BACKEND_KERNEL, rro, oro, OBJ_KID);
	bench_pair_run(&k, n, 0, TEXT_LEN, &ks, &ko);
	bench_pair_run(&k, n, LIB_BATCH, TEXT_LEN, &kbs, &kbo);
	/* The raw paths again, on the session key libesprim derived. */
	lk = keyctl_search(KEY_SPEC_PROCESS_KEYRING, "esprim",
			   "session:" OBJ_KID ":n-o1:n-r1", 0);
	if (lk < 0)
		die("libesprim's session key", errno);
	afalg_open(&a_lib, lk);
	lib_af = afalg_run(&a_lib, false, n, NULL);
	kcapi_aead_destroy(a_lib.h);
	lib_nl = genl_run(g, false, lk, LIB_BATCH, n, objs);
	bench_pair_free(&k);
	bench_pair_setup(&s, ESPRIM_BACKEND_SOFT, rro, oro, OBJ_KID);
	bench_pair_run(&s, n, 0, TEXT_LEN, &ss, &so);
	bench_pair_run(&s, n, LIB_BATCH, TEXT_LEN, &sbs, &sbo);
	bench_pair_free(&s);
	esprim_rand_free(rro);
	esprim_rand_free(oro);

	printf("# guest ns per 1 KiB item, AAD %d bytes, %d items per figure\n",
	       AAD_LEN, n);
	printf("# (under vm/run.sh --icount: guest instructions per item)\n");
	printf("%-46s %10s %10s\n", "path", "seal", "open");
	printf("%-46s %10.0f %10.0f\n", "AF_ALG template, one operation per call",
	       af_seal, af_open);
	for (i = 0; i < 4; i++) {
		snprintf(msg, sizeof(msg), "netlink SEAL/OPEN, batch of %u",
			 batch_sizes[i]);
		printf("%-46s %10.0f %10.0f\n", msg, nl_seal[i], nl_open[i]);
	}
	printf("%-46s %10.0f %10.0f\n", "OpenSSL EVP AES-256-GCM in process",
	       raw_seal, raw_open);
	printf("%-46s %10.0f %10.0f\n", "ESPrim Object, libesprim kernel backend",
	       ks, ko);
	printf("%-46s %10.0f %10.0f\n", "ESPrim Object, libesprim soft backend",
	       ss, so);
	snprintf(msg, sizeof(msg), "ESPrim Object, kernel backend, batch of %d",
		 LIB_BATCH);
	printf("%-46s %10.0f %10.0f\n", msg, kbs, kbo);
	snprintf(msg, sizeof(msg), "ESPrim Object, soft backend, batch of %d",
		 LIB_BATCH);
	printf("%-46s %10.0f %10.0f\n", msg, sbs, sbo);
	printf("%-46s %10.0f %10s\n", "AF_ALG per call, libesprim's session key",
	       lib_af, "-");
	snprintf(msg, sizeof(msg), "netlink batch of %d, libesprim's session key",
		 LIB_BATCH);
	printf("%-46s %10.0f %10s\n", msg, lib_nl, "-");
	printf("ratio netlink batch of 32 / OpenSSL raw:      seal %.2fx  open %.2fx\n",
	       nl_seal[2] / raw_seal, nl_open[2] / raw_open);
	printf("ratio netlink batch of 1 / AF_ALG per call:   seal %.2fx  open %.2fx\n",
	       nl_seal[0] / af_seal, nl_open[0] / af_open);
	printf("ratio kernel object / soft object:            seal %.2fx  open %.2fx\n",
	       ks / ss, ko / so);
	printf("ratio kernel object / soft object, batch %d:  seal %.2fx  open %.2fx\n",
	       LIB_BATCH, kbs / sbs, kbo / sbo);
	fflush(stdout);

	kcapi_aead_destroy(a_tx.h);
	kcapi_aead_destroy(a_rx.h);
	esprim_genl_close(g);
	free(objs);

	nlc_open(&c);
	if (sessions) {
		ring = add_key("keyring", "bench-sessions", NULL, 0,
			       KEY_SPEC_SESSION_KEYRING);
		t = bench_now_ns();
		for (rc = 0; rc < sessions; rc++) {
			snprintf(desc, sizeof(desc), "session:" KID ":d%d:r1",
				 rc);
			snprintf(oroj, sizeof(oroj), "{\"esri\":\"d%d\"}", rc);
			session_key(pairwise, ring, desc, oroj,
				    ONEM2M_ESPRIM_ROLE_ORIGINATOR,
				    ONEM2M_ESPRIM_REPLAY_DEFAULT);
		}
		t = bench_now_ns() - t;
		printf("%d session keys added: %.0f ns each\n", sessions,
		       (double)t / sessions);
		t = bench_now_ns();
		seen = session_dump(&c);
		t = bench_now_ns() - t;
		printf("SESSION_GET dump of %ld sessions: %.3f s, %.0f ns per session\n",
		       seen, t / 1e9, (double)t / (seen ? seen : 1));
		fflush(stdout);
	}
	nl_socket_free(c.sk);
	if (upcalls) {
		up = upcall_run(upcalls);
		per = up;
		printf("upcall round trip (request_key -> ACQUIRE -> daemon thread -> UPCALL_COMPLETE -> key): %.0f ns each, %d calls\n",
		       per, upcalls);
	}
	return 0;
}
