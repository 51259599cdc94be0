// SPDX-License-Identifier: GPL-2.0
/*
 * Scale of the "esprim" key type: creates N session keys (default
 * 100,000) derived from one pairwise key in one keyring, and reports
 *
 *   - the time to create them, per batch of N/10 (flat when creation
 *     stays O(1) or O(log n) as the keyring grows),
 *   - the kernel memory per session (the slab growth over N),
 *   - setkey by reference plus one seal on sessions picked at random.
 *
 *   session_scale [N]      (as root, in the test VM: scripts/bench.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kcapi.h>
#include <keyutils.h>

#include "esprim_afalg.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* A /proc/meminfo field in KiB. */
static long meminfo_kib(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) &&
		    line[strlen(field)] == ':')
			v = atol(line + strlen(field) + 1);
	if (f)
		fclose(f);
	return v;
}

static void write_sysctl(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

static double seal_on(key_serial_t session)
{
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
		.serial = session,
	};
	uint8_t out[2 + ONEM2M_ESPRIM_TRAILER_LEN];
	struct kcapi_handle *h;
	uint64_t t = now_ns();

	if (esprim_afalg_open(&h, ONEM2M_ESPRIM_AEAD_ALG, &ref, sizeof(ref),
			      ONEM2M_ESPRIM_TRAILER_LEN) ||
	    esprim_afalg_crypt(h, true, NULL, 1, (const uint8_t *)"ab", 2, out,
			       sizeof(out)) != sizeof(out))
		return -1;
	t = now_ns() - t;
	kcapi_aead_destroy(h);
	return t / 1000.0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000, batch = n / 10, i;
	struct onem2m_esprim_pairwise_payload pw = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE },
		.key_len = 32, .peer_len = 4, .peer = "CAE1",
	};
	static const char rro[] = "{\"esri\":\"r1\",\"esrv\":\"q83vEjRWeJq83vEjRWeJqw\"}";
	uint8_t buf[256] = { 0 };
	struct onem2m_esprim_session_payload *sp = (void *)buf;
	key_serial_t ring, *sessions;
	long slab0, slab1;
	uint64_t t0, t;
	double us = 0;

	sessions = calloc(n, sizeof(*sessions));
	if (!sessions || batch < 1)
		return 1;
	write_sysctl("/proc/sys/kernel/keys/root_maxkeys", "1000000");
	write_sysctl("/proc/sys/kernel/keys/root_maxbytes", "400000000");
	if (keyctl_join_session_keyring(NULL) < 0)
		return 1;
	ring = add_key("keyring", "esprim-sessions", NULL, 0,
		       KEY_SPEC_SESSION_KEYRING);
	memset(pw.key, 0x42, 32);
	if (ring < 0 || add_key("esprim", "pairwise:kid1", &pw, sizeof(pw),
				ring) < 0) {
		perror("add_key");
		return 1;
	}

	sp->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	sp->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	sp->enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sp->rro_len = strlen(rro);
	sp->oro_len = 17;	/* {"esri":"NNNNNN"} */
	memcpy(sp->rand_objects, rro, strlen(rro));

	printf("# %d sessions in one keyring, derived from one pairwise key\n",
	       n);
	printf("%-18s %14s\n", "sessions", "us per create");
	slab0 = meminfo_kib("Slab");
	t0 = now_ns();
	t = t0;
	for (i = 0; i < n; i++) {
		char desc[64];

		/* Every session its own originator rand object. */
		snprintf((char *)sp->rand_objects + sp->rro_len, 18,
			 "{\"esri\":\"%06d\"}", i % 1000000);
		snprintf(desc, sizeof(desc), "session:kid1:o%d:r1", i);
		sessions[i] = add_key("esprim", desc, buf,
				      sizeof(*sp) + sp->rro_len + sp->oro_len,
				      ring);
		if (sessions[i] < 0) {
			perror("add_key session");
			return 1;
		}
		if ((i + 1) % batch == 0) {
			uint64_t now = now_ns();

			printf("%8d - %-7d %14.1f\n", i + 1 - batch, i + 1,
			       (now - t) / 1000.0 / batch);
			t = now;
		}
	}
	slab1 = meminfo_kib("Slab");
	printf("created %d sessions in %.2f s (guest clock)\n", n,
	       (now_ns() - t0) / 1e9);
	printf("kernel memory per session: %.0f bytes (slab growth %ld KiB)\n",
	       (slab1 - slab0) * 1024.0 / n, slab1 - slab0);

	for (i = 0; i < 20; i++)	/* loads af_alg, makes the instance */
		seal_on(sessions[i]);
	srandom(1);
	for (i = 0; i < 200; i++)
		us += seal_on(sessions[random() % n]);
	printf("setkey by reference + seal, random session of %d: %.1f us\n",
	       n, us / 200);
	us = 0;
	for (i = 0; i < 200; i++)
		us += seal_on(sessions[i % 100]);
	printf("setkey by reference + seal, first 100 sessions: %.1f us\n",
	       us / 200);
	free(sessions);
	return 0;
}
