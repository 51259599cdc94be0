// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures injected into every step of one ESPrim exchange, on
 * a kernel with CONFIG_FAILSLAB (selftests/vm/fault_injection.sh sets
 * failslab up; this program only touches its own thread).
 *
 * The exchange: add a pairwise key, derive the originator's and the
 * receiver's session keys from it, bind two AF_ALG tfms of
 * onem2m-esprim(gcm(aes)) and set their keys by reference (REF blobs),
 * seal on the originator's, open on the receiver's.  For each step and
 * N = 1, 2, ... the Nth slab allocation of the step fails
 * (/proc/thread-self/fail-nth), until the step makes fewer than N.  The
 * step must then succeed or fail with an errno; when it failed, doing it
 * again without a fault must work (nothing was left half done), and the
 * rest of the exchange must go through, the receiver getting the
 * plaintext back.  TAP output, one line per step.
 *
 * The random mode runs the exchange ROUNDS times with this process's
 * /proc/self/make-it-fail set during each step, failslab failing the
 * share of its allocations the caller set (probability, task-filter): each
 * step must succeed or fail with an errno, and a clean exchange must work
 * after each round.
 *
 *   fault_ops nth [MAX_N]       (default 400: a step making more fails)
 *   fault_ops random ROUNDS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kcapi.h>
#include <keyutils.h>

#include "esprim_afalg.h"

#define TRAILER	ONEM2M_ESPRIM_TRAILER_LEN
#define AAD	"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0"
#define TEXT	"{\"m2m:rqp\":{\"op\":2,\"to\":\"/cse1\",\"fr\":\"CAE1\"}}"
#define OBJ_LEN	(sizeof(AAD) - 1 + sizeof(TEXT) - 1 + TRAILER)

static const char rro[] =
	"{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\","
	"\"esrv\":\"q83vEjRWeJq83vEjRWeJqw\",\"esrx\":\"20261122T120000\"}";
static const char oro[] =
	"{\"esk\":1,\"espa\":[12],\"esri\":\"o1\","
	"\"esrv\":\"ASNFZ4mrze8BI0VniavN7w\",\"esrx\":\"20261122T110000\"}";

enum step {
	PAIRWISE, SESSION_O, SESSION_R, TFM_O, TFM_R, SEAL, OPEN, NSTEPS
};

static const char *const step_name[NSTEPS] = {
	"add_key pairwise:<kid>",
	"add_key session (derive, originator)",
	"add_key session (derive, receiver)",
	"AF_ALG bind + setkey REF (originator)",
	"AF_ALG bind + setkey REF (receiver)",
	"seal",
	"open (receiver)",
};

struct exchange {
	key_serial_t pairwise, session[2];
	struct kcapi_handle *tfm[2];
	uint8_t sealed[OBJ_LEN];
	uint8_t opened[sizeof(AAD) - 1 + sizeof(TEXT) - 1];
};

static int fail_nth = -1, make_it_fail = -1;

static int add_pairwise(struct exchange *x)
{
	struct onem2m_esprim_pairwise_payload p;

	memset(&p, 0, sizeof(p));
	p.hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	p.key_len = 32;
	memset(p.key, 0x5c, 32);
	p.peer_len = strlen("CAE1");
	memcpy(p.peer, "CAE1", p.peer_len);
	x->pairwise = add_key(ONEM2M_ESPRIM_KEY_TYPE, "pairwise:fi", &p,
			      sizeof(p), KEY_SPEC_SESSION_KEYRING);
	return x->pairwise < 0 ? -errno : 0;
}

/* Both sides of one session: same pairwise key and rand objects. */
static int add_session(struct exchange *x, int role)
{
	static const char *const desc[2] = {
		"session:fi:o1:r1", "session:fi:o1:r1b"
	};
	uint8_t buf[1024];
	struct onem2m_esprim_session_payload *p = (void *)buf;
	size_t len = sizeof(*p) + strlen(rro) + strlen(oro);

	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	p->pairwise = x->pairwise;
	p->enc = ONEM2M_ESPRIM_ENC_A256GCM;
	p->role = role;
	p->rro_len = strlen(rro);
	p->oro_len = strlen(oro);
	memcpy(p->rand_objects, rro, strlen(rro));
	memcpy(p->rand_objects + strlen(rro), oro, strlen(oro));
	x->session[role] = add_key(ONEM2M_ESPRIM_KEY_TYPE, desc[role], buf,
				   len, KEY_SPEC_SESSION_KEYRING);
	return x->session[role] < 0 ? -errno : 0;
}

static int open_tfm(struct exchange *x, int role)
{
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
		.serial = x->session[role],
	};

	if (x->tfm[role]) {
		kcapi_aead_destroy(x->tfm[role]);
		x->tfm[role] = NULL;
	}
	return esprim_afalg_open(&x->tfm[role], ONEM2M_ESPRIM_AEAD_ALG, &ref,
				 sizeof(ref), TRAILER);
}

static int crypt_result(ssize_t ret, size_t want)
{
	if (ret < 0)
		return ret;
	return (size_t)ret == want ? 0 : -EPROTO;
}

static int do_step(struct exchange *x, enum step s)
{
	uint8_t in[sizeof(AAD) - 1 + sizeof(TEXT) - 1];

	switch (s) {
	case PAIRWISE:
		return add_pairwise(x);
	case SESSION_O:
	case SESSION_R:
		return add_session(x, s == SESSION_R);
	case TFM_O:
	case TFM_R:
		return open_tfm(x, s == TFM_R);
	case SEAL:
		memcpy(in, AAD, sizeof(AAD) - 1);
		memcpy(in + sizeof(AAD) - 1, TEXT, sizeof(TEXT) - 1);
		return crypt_result(esprim_afalg_crypt(x->tfm[0], true, NULL,
						       sizeof(AAD) - 1, in,
						       sizeof(in), x->sealed,
						       OBJ_LEN),
				    OBJ_LEN);
	case OPEN:
		return crypt_result(esprim_afalg_crypt(x->tfm[1], false, NULL,
						       sizeof(AAD) - 1,
						       x->sealed, OBJ_LEN,
						       x->opened,
						       sizeof(x->opened)),
				    sizeof(x->opened));
	default:
		return -EINVAL;
	}
}

/*
 * After a failed AF_ALG operation the socket may hold half a request:
 * redo seal and open on fresh tfms of the same sessions.
 */
static int redo_step(struct exchange *x, enum step s)
{
	int err;

	if (s == SEAL && (err = open_tfm(x, 0)))
		return err;
	if (s == OPEN && (err = open_tfm(x, 1)))
		return err;
	return do_step(x, s);
}

static void teardown(struct exchange *x)
{
	int i;

	for (i = 0; i < 2; i++)
		if (x->tfm[i])
			kcapi_aead_destroy(x->tfm[i]);
	memset(x, 0, sizeof(*x));
}

static int set_fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fail_nth, buf, len, 0) == len ? 0 : -errno;
}

/* Whether the fault set up by set_fail_nth() was injected; resets it. */
static int fault_injected(void)
{
	char buf[16] = { 0 };
	ssize_t len = pread(fail_nth, buf, sizeof(buf) - 1, 0);
	int injected = len > 0 && atoi(buf) == 0;

	set_fail_nth(0);
	return injected;
}

/*
 * One exchange with the Nth allocation of step @s failing.  Returns 1
 * when the fault was injected, 0 when the step made fewer than N
 * allocations, -1 (having printed why) when something went wrong.  @err
 * gets the faulted step's result.
 */
static int run(enum step s, unsigned int n, int *err)
{
	struct exchange x;
	enum step t;
	int injected, ret = 0, e;

	memset(&x, 0, sizeof(x));
	/* A new session keyring: the last run's keys go with the old one. */
	if (keyctl_join_session_keyring(NULL) < 0) {
		printf("# keyctl_join_session_keyring: %s\n", strerror(errno));
		return -1;
	}
	for (t = 0; t < NSTEPS; t++) {
		if (t != s) {
			e = do_step(&x, t);
			if (e) {
				printf("# %s, fault %u in %s: then %s failed: %s\n",
				       step_name[s], n, step_name[s],
				       step_name[t], strerror(-e));
				ret = -1;
				break;
			}
			continue;
		}
		if (set_fail_nth(n)) {
			printf("# /proc/thread-self/fail-nth: %s\n",
			       strerror(errno));
			ret = -1;
			break;
		}
		*err = do_step(&x, t);
		injected = fault_injected();
		if (*err > 0 || *err < -4095) {
			printf("# %s, fault %u: result %d is no errno\n",
			       step_name[s], n, *err);
			ret = -1;
			break;
		}
		if (!injected && *err) {
			printf("# %s failed without a fault: %s\n",
			       step_name[s], strerror(-*err));
			ret = -1;
			break;
		}
		ret = injected;
		if (*err && (e = redo_step(&x, t))) {
			printf("# %s, fault %u (%s): done again without a fault, %s\n",
			       step_name[s], n, strerror(-*err), strerror(-e));
			ret = -1;
			break;
		}
	}
	if (ret >= 0 && memcmp(x.opened + sizeof(AAD) - 1, TEXT,
			       sizeof(TEXT) - 1)) {
		printf("# %s, fault %u: the receiver opened something else\n",
		       step_name[s], n);
		ret = -1;
	}
	teardown(&x);
	return ret;
}

static int set_make_it_fail(int on)
{
	return pwrite(make_it_fail, on ? "1" : "0", 1, 0) == 1 ? 0 : -errno;
}

/* Random failures in every step; then a clean exchange must work. */
static int random_rounds(unsigned int rounds)
{
	unsigned int i, errors = 0, done = 0;
	struct exchange x;
	enum step t;
	int e, bad = 0;

	make_it_fail = open("/proc/self/make-it-fail", O_RDWR);
	if (make_it_fail < 0) {
		printf("ok 1 random slab failures # SKIP no make-it-fail\n");
		return 0;
	}
	for (i = 0; i < rounds && !bad; i++) {
		memset(&x, 0, sizeof(x));
		if (keyctl_join_session_keyring(NULL) < 0) {
			printf("# keyctl_join_session_keyring: %s\n",
			       strerror(errno));
			bad = 1;
			break;
		}
		for (t = 0; t < NSTEPS; t++) {
			if (set_make_it_fail(1)) {
				printf("# make-it-fail: %s\n", strerror(errno));
				bad = 1;
				break;
			}
			e = do_step(&x, t);
			set_make_it_fail(0);
			if (e > 0 || e < -4095) {
				printf("# round %u, %s: result %d is no errno\n",
				       i, step_name[t], e);
				bad = 1;
			}
			if (e) {
				errors++;
				break;
			}
		}
		if (t == NSTEPS) {
			done++;
			if (memcmp(x.opened + sizeof(AAD) - 1, TEXT,
				   sizeof(TEXT) - 1)) {
				printf("# round %u: the receiver opened something else\n",
				       i);
				bad = 1;
			}
		}
		teardown(&x);
		/* And without faults, the whole exchange. */
		memset(&x, 0, sizeof(x));
		keyctl_join_session_keyring(NULL);
		for (t = 0; t < NSTEPS && !bad; t++) {
			e = do_step(&x, t);
			if (e) {
				printf("# round %u, then without faults: %s: %s\n",
				       i, step_name[t], strerror(-e));
				bad = 1;
			}
		}
		teardown(&x);
	}
	printf("# %u rounds: %u stopped at an errno, %u went through\n", i,
	       errors, done);
	printf("%sok 1 random slab failures in every step\n", bad ? "not " : "");
	return bad;
}

/* The Nth allocation of each step failing in turn. */
static int nth_sweep(unsigned int max_n)
{
	int failed = 0;
	unsigned int n;
	enum step s;

	fail_nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth < 0) {
		for (s = 0; s < NSTEPS; s++)
			printf("ok %d %s # SKIP no /proc/thread-self/fail-nth\n",
			       s + 1, step_name[s]);
		return 0;
	}
	for (s = 0; s < NSTEPS; s++) {
		unsigned int errors = 0, ok = 0, enomem = 0;
		int bad = 0, r = 1, err = 0;

		for (n = 1; n <= max_n; n++) {
			err = 0;
			r = run(s, n, &err);
			if (r <= 0)
				break;
			if (err)
				errors++;
			else
				ok++;
			if (err == -ENOMEM)
				enomem++;
		}
		if (r < 0)
			bad = 1;
		if (r > 0) {
			printf("# %s makes more than %u allocations\n",
			       step_name[s], max_n);
			bad = 1;
		}
		printf("# %s: %u allocations failed in turn: %u times an errno "
		       "(%u ENOMEM), %u times handled\n", step_name[s], n - 1,
		       errors, enomem, ok);
		printf("%sok %d Nth allocation failing: %s\n", bad ? "not " : "",
		       s + 1, step_name[s]);
		failed |= bad;
	}
	return failed;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "nth")) {
		printf("TAP version 13\n1..%d\n", NSTEPS);
		return nth_sweep(argc > 2 ? atoi(argv[2]) : 400);
	}
	if (argc > 2 && !strcmp(argv[1], "random")) {
		printf("TAP version 13\n1..1\n");
		return random_rounds(atoi(argv[2]));
	}
	fprintf(stderr, "usage: fault_ops nth [MAX_N] | random ROUNDS\n");
	return 2;
}
