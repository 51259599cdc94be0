// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target of the ESCertKE engine (user/daemon/escertke.c), the
 * sit 6 handling: an input is
 *
 *   octet 0   bit 0: the rest is raw TLS octets, base64-encoded here (to
 *             reach the TLS stack), else the eckm text as it comes;
 *             bits 1-2: where it goes: 0 message 1 (escertke_respond,
 *             no handshake), 1 message 3 (escertke_respond after a real
 *             message 1), 2 message 2 and 3 message 4
 *             (escertke_initiator_step after real messages)
 *   rest      the eckm
 *
 * Whatever the input, the engine either answers 0 with a flight, or fails
 * with one of its errnos, no result, and no handshake left behind by the
 * failure (except the terminator's in progress, kept when -EBADMSG input
 * never reached TLS); a result is never claimed for a handshake the input
 * could not have completed.  Two engines with certificates of
 * selftests/host/escertke_certs.sh, made once into a temporary directory
 * (removed once the engines are loaded).
 * Built with -fsanitize=fuzzer,address,undefined.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "../lib/escertke_engine.h"

#define ID_A	"//sp.example/CSE-A"
#define ID_B	"//sp.example/CSE-B"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct escertke *a, *b;
static char dir[] = "/tmp/fuzz_escertke.XXXXXX";

static struct escertke *engine(const char *who, const char *id)
{
	char err[256];
	struct escertke *e = escertke_engine_in(dir, who, id, err,
						sizeof(err));

	if (!e) {
		fprintf(stderr, "fuzz_escertke: %s\n", err);
		abort();
	}
	return e;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char cmd[128];

	if (!mkdtemp(dir))
		abort();
	snprintf(cmd, sizeof(cmd), "%s %s", CERTS_SH, dir);
	if (system(cmd)) {
		fprintf(stderr, "fuzz_escertke: %s failed\n", cmd);
		abort();
	}
	a = engine("a", ID_A);
	b = engine("b", ID_B);
	/* The engines hold what they need: no files left behind. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "fuzz_escertke: %s left\n", dir);
	return 0;
}

static void check(int ret, const char *out, const struct escertke_result *r,
		  const char *err)
{
	static const struct escertke_result zero;

	if (ret == 0 && !out)
		abort();	/* "more to do" without a flight */
	if (ret == 1)
		abort();	/* nothing here can complete a handshake */
	if (ret < 0 && ret != -EBADMSG && ret != -EACCES && ret != -EPROTO &&
	    ret != -ENOENT && ret != -EBUSY && ret != -ENOMEM) {
		fprintf(stderr, "fuzz_escertke: errno %d: %s\n", ret, err);
		abort();
	}
	if (memcmp(r, &zero, sizeof(zero)))
		abort();
}

/* The state a step in position pos needs; message 2 from b into *m2. */
static void prepare(int pos, char **m1, char **m2)
{
	struct escertke_result r = {0};
	char err[256], *m3 = NULL;

	*m1 = *m2 = NULL;
	if (pos == 0)
		return;
	if (escertke_initiate(a, ID_B, m1, err, sizeof(err)))
		abort();
	if (pos == 2)
		return;
	if (escertke_respond(b, ID_A, *m1, m2, &r, err, sizeof(err)))
		abort();
	if (pos == 3 && (escertke_initiator_step(a, ID_B, *m2, &m3, &r, err,
						 sizeof(err)) || !m3))
		abort();
	free(m3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct escertke_result r = {0};
	char err[256], *in, *out = NULL, *m1, *m2;
	int pos, ret;

	if (!size)
		return 0;
	pos = (data[0] >> 1) & 3;
	data++;
	size--;
	if (data[-1] & 1) {
		in = malloc((size + 2) / 3 * 4 + 1);
		EVP_EncodeBlock((unsigned char *)in, data, (int)size);
	} else {
		in = malloc(size + 1);
		memcpy(in, data, size);
		in[size] = 0;
	}
	prepare(pos, &m1, &m2);
	if (pos <= 1)
		ret = escertke_respond(b, ID_A, in, &out, &r, err,
				       sizeof(err));
	else
		ret = escertke_initiator_step(a, ID_B, in, &out, &r, err,
					      sizeof(err));
	check(ret, out, &r, err);
	/*
	 * A failed step leaves nothing of its handshake, but for the
	 * terminator's, which what never reached TLS (-EBADMSG) leaves alone.
	 */
	if (ret < 0 && ret != -EBUSY &&
	    escertke_in_progress(pos <= 1 ? b : a) >
	    (unsigned int)(pos == 1 && ret == -EBADMSG))
		abort();
	free(out);
	free(m1);
	free(m2);
	free(in);
	escertke_expire(a, UINT64_MAX);
	escertke_expire(b, UINT64_MAX);
	if (escertke_in_progress(a) || escertke_in_progress(b))
		abort();
	return 0;
}
