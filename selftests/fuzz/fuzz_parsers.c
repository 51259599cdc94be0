// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for everything libesprim parses from peers.  The first
 * input byte picks the parser, the rest is its input:
 *   0: esprim_open() on a receiver context that holds the key of the
 *      pinned vector, its receiver rand object as its own and its
 *      originator rand object learnt under the key (split, base64url,
 *      header, session set-up, decryption, From check)
 *   1: protected header   2: m2m:seci content   3: rand object
 * Built with -fsanitize=fuzzer,address,undefined; seeds in seeds/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esprim.h"

#define KID "13-gw1.example.net"
#define RRO "{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\"," \
	"\"esrv\":\"AAECAwQFBgcICQoLDA0ODw\",\"esrx\":\"20991231T235959\"}"
#define ORO "{\"esk\":1,\"espa\":[12],\"esri\":\"o1\"," \
	"\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":\"20991231T235959\"}"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct esprim_ctx *ctx;
static struct esprim_opened *opened;
static uint8_t out[1 << 18];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_rand *rro = NULL, *oro = NULL;
	uint8_t key[32];
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	cfg.backend = ESPRIM_BACKEND_SOFT;
	cfg.replay = ONEM2M_ESPRIM_REPLAY_OFF;
	/* Fuzzed objects set up sessions at any rate. */
	cfg.setup_rate = 1000000;
	pc.kid = KID;
	pc.key = key;
	pc.key_len = sizeof(key);
	pc.peer = "Cgw1";
	opened = esprim_opened_new();
	if (!opened || esprim_ctx_new(&ctx, &cfg, NULL) ||
	    esprim_ctx_add_pairwise(ctx, &pc, NULL) ||
	    esprim_rand_parse(&rro, RRO, strlen(RRO), true, 0, NULL) ||
	    esprim_ctx_add_own_rand(ctx, rro, NULL) ||
	    esprim_rand_parse(&oro, ORO, strlen(ORO), false, 0, NULL) ||
	    esprim_ctx_add_learnt_rand(ctx, KID, oro, NULL))
		abort();
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	struct esprim_header *header;
	struct esprim_error err;
	struct esprim_seci seci;
	struct esprim_rand *r;
	int rc;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		rc = esprim_open(ctx, s, size - 1, out, sizeof(out), opened,
				 &err);
		/* The caller's part of the From check, when it is left to it. */
		if (rc == ESPRIM_FROM_UNCHECKED)
			rc = esprim_opened_check_from(opened, "Cgw1", 4, &err);
		break;
	case 1:
		rc = esprim_header_parse(&header, s, size - 1, 0, &err);
		if (!rc != !!header)
			abort();
		esprim_header_free(header);
		break;
	case 2:
		rc = esprim_seci_parse(&seci, s, size - 1, 0, &err);
		if (!rc)
			esprim_seci_release(&seci);
		break;
	default:
		rc = esprim_rand_parse(&r, s, size - 1, data[0] & 4, 0, &err);
		if (!rc != !!r)
			abort();
		esprim_rand_free(r);
		break;
	}
	/*
	 * Every refusal of data is a Response Status Code with a message; a
	 * local failure (-errno) can only be running out of memory here.
	 */
	if (rc > 0 && (!esprim_rsc_name(rc) || err.rsc != rc || !err.msg[0] ||
		       err.errnum))
		abort();
	if (rc < 0 && (rc != -ENOMEM || err.errnum != ENOMEM ||
		       !esprim_rsc_name(err.rsc) || !err.msg[0]))
		abort();
	return 0;
}
