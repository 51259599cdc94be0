// SPDX-License-Identifier: GPL-2.0
/*
 * A program outside the tree: built against an installed libesprim with
 * pkg-config, it seals and opens one object with the soft backend, using
 * only the public API (opaque objects, sized configs, getters).
 */
#include <stdio.h>
#include <string.h>
#include <esprim.h>

static int fail(const struct esprim_error *e)
{
	fprintf(stderr, "%d (errno %d) %s\n", e->rsc, e->errnum, e->msg);
	return 1;
}

int main(void)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	static const char text[] = "{\"op\":2,\"fr\":\"Cgw1\"}";
	uint8_t key[16] = "0123456789abcdef";
	struct esprim_rand *rro = NULL, *oro = NULL;
	struct esprim_opened *opened = NULL;
	struct esprim_session *s;
	struct esprim_error e = { 0 };
	struct esprim_ctx *ctx = NULL;
	char obj[1024], out[64];
	size_t len;
	int rc = 1;

	cfg.backend = ESPRIM_BACKEND_SOFT;
	pc.kid = "k1";
	pc.key = key;
	pc.key_len = sizeof(key);
	pc.peer = "Cgw1";
	/* The originator announces its rand object (ESPRIM_ANNOUNCE_AUTO). */
	if (esprim_ctx_new(&ctx, &cfg, &e) ||
	    esprim_ctx_add_pairwise(ctx, &pc, &e) ||
	    esprim_rand_new_receiver(&rro, NULL, 0, esprim_now_ms() + 60000,
				     ESPRIM_ESPA_ALL, &e) ||
	    esprim_rand_new_originator(&oro, rro, NULL,
				       esprim_now_ms() + 60000,
				       ESPRIM_ESPA_ALL, &e))
		goto out;
	sc.kid = "k1";
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A128GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	if (esprim_session_new(ctx, &sc, &s, &e) ||
	    esprim_seal(s, text, strlen(text), obj, sizeof(obj), &len, &e))
		goto out;
	/* A second context opens it as the receiver that issued rro. */
	esprim_ctx_free(ctx);
	ctx = NULL;
	opened = esprim_opened_new();
	if (!opened || esprim_ctx_new(&ctx, &cfg, &e) ||
	    esprim_ctx_add_pairwise(ctx, &pc, &e) ||
	    esprim_ctx_add_own_rand(ctx, rro, &e) ||
	    esprim_open(ctx, obj, len, out, sizeof(out), opened, &e))
		goto out;
	if (esprim_opened_text_len(opened) != strlen(text) ||
	    memcmp(out, text, strlen(text))) {
		fprintf(stderr, "opened text differs\n");
		goto done;
	}
	printf("sealed and opened through the installed libesprim.so %s\n",
	       esprim_version());
	rc = 0;
	goto done;
out:
	fail(&e);
done:
	/* The result holds a session reference: it goes before its context. */
	esprim_opened_free(opened);
	esprim_ctx_free(ctx);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return rc;
}
