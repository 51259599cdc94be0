// SPDX-License-Identifier: GPL-2.0
/*
 * Seal and open cost of onem2m-esprim(gcm(aes)) against plain gcm(aes),
 * all through AF_ALG with the same libkcapi calls, at 256 B, 1 KiB, 4 KiB
 * and 16 KiB of text with a 120-byte AAD (a typical protected header).
 * The template runs with a raw key and with a session key by reference
 * (the shared session state and key checks of the key type; replay checks
 * off, as the benchmark opens its own objects).
 *
 *   aead_bench [ITERATIONS]
 *
 * Prints guest nanoseconds per operation.  Run under vm/run.sh --icount
 * (scripts/bench.sh does), guest time advances one nanosecond per executed
 * instruction, so the figures are instruction counts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kcapi.h>
#include <keyutils.h>

#include "esprim_afalg.h"

#define AAD_LEN		120
#define MAX_TEXT	16384

static const size_t sizes[] = { 256, 1024, 4096, 16384 };

struct aead_under_test {
	const char *name;
	struct kcapi_handle *h;
	unsigned int authsize;
	bool takes_iv;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* Nanoseconds per operation over n seals (or opens) of text_len bytes. */
static double run(struct aead_under_test *a, bool seal, size_t text_len,
		  int n, uint8_t *in, uint8_t *out, uint8_t *sealed)
{
	size_t in_len = AAD_LEN + text_len;
	uint8_t iv[12] = { 0 };
	uint64_t start;
	int i;

	/* One seal gives the object that the open runs use. */
	if (esprim_afalg_crypt(a->h, true, a->takes_iv ? iv : NULL, AAD_LEN, in,
			       in_len, sealed, in_len + a->authsize) < 0)
		return -1;

	start = now_ns();
	for (i = 0; i < n; i++) {
		ssize_t ret;

		if (seal) {
			iv[11]++;	/* what a caller of plain gcm(aes) must do */
			ret = esprim_afalg_crypt(a->h, true,
						 a->takes_iv ? iv : NULL,
						 AAD_LEN, in, in_len, out,
						 in_len + a->authsize);
		} else {
			ret = esprim_afalg_crypt(a->h, false,
						 a->takes_iv ? iv : NULL,
						 AAD_LEN, sealed,
						 in_len + a->authsize, out,
						 in_len);
		}
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", a->name, strerror(-ret));
			return -1;
		}
	}
	return (double)(now_ns() - start) / n;
}

/* A session key derived from @key, replay checks off; serial or -errno. */
static key_serial_t add_session_key(const uint8_t *key)
{
	struct onem2m_esprim_pairwise_payload pw = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE },
		.key_len = 32, .peer_len = 4, .peer = "CAE1",
	};
	uint8_t buf[sizeof(struct onem2m_esprim_session_payload) + 4] = { 0 };
	struct onem2m_esprim_session_payload *sp = (void *)buf;
	key_serial_t s;

	memcpy(pw.key, key, 32);
	if (keyctl_join_session_keyring(NULL) < 0 ||
	    add_key("esprim", "pairwise:bench", &pw, sizeof(pw),
		    KEY_SPEC_SESSION_KEYRING) < 0)
		return -errno;
	sp->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	sp->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	sp->enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sp->replay = ONEM2M_ESPRIM_REPLAY_OFF;
	sp->rro_len = 2;
	sp->oro_len = 2;
	memcpy(sp->rand_objects, "{}{}", 4);
	s = add_key("esprim", "session:bench:o:r", buf, sizeof(buf),
		    KEY_SPEC_SESSION_KEYRING);
	return s < 0 ? -errno : s;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	struct onem2m_esprim_key_raw blob;
	struct aead_under_test aead[3] = {
		{ .name = ONEM2M_ESPRIM_AEAD_ALG,
		  .authsize = ONEM2M_ESPRIM_TRAILER_LEN },
		{ .name = "gcm(aes)", .authsize = 16, .takes_iv = true },
		{ .name = ONEM2M_ESPRIM_AEAD_ALG,
		  .authsize = ONEM2M_ESPRIM_TRAILER_LEN },
	};
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
	};
	uint8_t key[32], *in, *out, *sealed;
	size_t i;
	int ret;

	memset(key, 0x5a, sizeof(key));
	esprim_key_raw_init(&blob, key, sizeof(key),
			    ONEM2M_ESPRIM_ROLE_ORIGINATOR, 0);
	ret = esprim_afalg_open(&aead[0].h, aead[0].name, &blob, sizeof(blob),
				aead[0].authsize);
	if (!ret)
		ret = esprim_afalg_open(&aead[1].h, aead[1].name, key,
					sizeof(key), aead[1].authsize);
	if (!ret) {
		ref.serial = add_session_key(key);
		ret = ref.serial > 0 ? 0 : ref.serial;
	}
	if (!ret)
		ret = esprim_afalg_open(&aead[2].h, aead[2].name, &ref,
					sizeof(ref), aead[2].authsize);
	if (ret) {
		fprintf(stderr, "aead_bench: %s\n", strerror(-ret));
		return 1;
	}

	in = calloc(1, AAD_LEN + MAX_TEXT);
	out = malloc(AAD_LEN + MAX_TEXT + ONEM2M_ESPRIM_TRAILER_LEN);
	sealed = malloc(AAD_LEN + MAX_TEXT + ONEM2M_ESPRIM_TRAILER_LEN);
	if (!in || !out || !sealed)
		return 1;
	memset(in, 'A', AAD_LEN);

	printf("# %d operations per figure, AAD %d bytes, ns/op (guest clock)\n",
	       n, AAD_LEN);
	printf("%-6s %-5s %12s %12s %9s %12s %9s\n", "bytes", "op", "gcm(aes)",
	       "template", "overhead", "by session", "overhead");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int op;

		for (op = 1; op >= 0; op--) {
			double t, g, r;

			/* Warm all paths, then measure them back to back. */
			run(&aead[0], op, sizes[i], n / 10 + 1, in, out, sealed);
			run(&aead[1], op, sizes[i], n / 10 + 1, in, out, sealed);
			run(&aead[2], op, sizes[i], n / 10 + 1, in, out, sealed);
			g = run(&aead[1], op, sizes[i], n, in, out, sealed);
			t = run(&aead[0], op, sizes[i], n, in, out, sealed);
			r = run(&aead[2], op, sizes[i], n, in, out, sealed);
			if (t < 0 || g < 0 || r < 0)
				return 1;
			printf("%-6zu %-5s %12.0f %12.0f %+8.1f%% %12.0f %+8.1f%%\n",
			       sizes[i], op ? "seal" : "open", g, t,
			       100.0 * (t - g) / g, r, 100.0 * (r - g) / g);
		}
	}
	kcapi_aead_destroy(aead[0].h);
	kcapi_aead_destroy(aead[1].h);
	kcapi_aead_destroy(aead[2].h);
	free(sealed);
	free(out);
	free(in);
	return 0;
}
