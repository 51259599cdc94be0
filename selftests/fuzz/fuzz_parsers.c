// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for everything libesprim parses from peers.  The first
 * input byte picks the parser, the rest is its input:
 *   0: esprim_open() on a receiver context that holds the key and rand
 *      objects of the pinned vector (split, base64url, header, session
 *      set-up, decryption, From check)
 *   1: protected header   2: m2m:seci content   3: rand object
 * Built with -fsanitize=fuzzer,address,undefined; seeds in seeds/.
 */
#include <stdlib.h>
#include <string.h>

#include "esprim.h"

#define RRO "{\"esks\":[1],\"espa\":[10,11,12],\"esri\":\"r1\"," \
	"\"esrv\":\"AAECAwQFBgcICQoLDA0ODw\",\"esrx\":\"20991231T235959\"}"
#define ORO "{\"esk\":1,\"espa\":[12],\"esri\":\"o1\"," \
	"\"esrv\":\"EBESExQVFhcYGRobHB0eHw\",\"esrx\":\"20991231T235959\"}"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct esprim_ctx *ctx;
static struct esprim_opened opened;
static struct esprim_header header;
static uint8_t out[1 << 18];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct esprim_ctx_config cfg = {
		.backend = ESPRIM_BACKEND_SOFT,
		.replay = ONEM2M_ESPRIM_REPLAY_OFF,
	};
	uint8_t key[32];
	struct esprim_rand r;
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	if (esprim_ctx_new(&ctx, &cfg, NULL) ||
	    esprim_ctx_add_pairwise(ctx, "13-gw1.example.net", key, 32, "Cgw1",
				    0, NULL) ||
	    esprim_rand_parse(&r, RRO, strlen(RRO), true, 0, NULL) ||
	    esprim_ctx_add_rand(ctx, &r, NULL) ||
	    esprim_rand_parse(&r, ORO, strlen(ORO), false, 0, NULL) ||
	    esprim_ctx_add_rand(ctx, &r, NULL))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	struct esprim_error err;
	struct esprim_seci seci;
	struct esprim_rand r;
	int rc;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		rc = esprim_open(ctx, s, size - 1, out, sizeof(out), &opened,
				 &err);
		break;
	case 1:
		rc = esprim_header_parse(&header, s, size - 1, 0, &err);
		break;
	case 2:
		rc = esprim_seci_parse(&seci, s, size - 1, 0, &err);
		if (!rc)
			esprim_seci_release(&seci);
		break;
	default:
		rc = esprim_rand_parse(&r, s, size - 1, data[0] & 4, 0, &err);
		break;
	}
	/* Every refusal is a Response Status Code with a message. */
	if (rc && (!esprim_rsc_name(rc) || err.rsc != rc || !err.msg[0]))
		abort();
	return 0;
}
