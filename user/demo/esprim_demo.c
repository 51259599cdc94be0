// SPDX-License-Identifier: GPL-2.0
/*
 * Demonstration, run in the VM by `make demo`: one ESPrim exchange between
 * a gateway AE (originator) and a CSE (receiver), both on libesprim's
 * kernel backend.
 *
 *   - the receiver issues a receiverESPrimRandObject (m2m:seci sit 4);
 *   - the originator makes its originatorESPrimRandObject; each side's
 *     sessionESPrimKey is derived in the kernel from the pairwise key in
 *     the keyring and never reaches userspace;
 *   - the request is sealed by onem2m-esprim(gcm(aes)) into an ESPrim
 *     Object (JWE compact) and carried as m2m:seci sit 5;
 *   - the receiver opens it (C.6, the From check), answers with the same
 *     session, the originator opens the answer;
 *   - the soft backend (OpenSSL) opens the kernel's object too.
 * Prints the template's /proc/crypto entry and the keys in /proc/keys.
 * With --soft both sides use the soft backend (no module needed): the
 * same exchange on the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esprim.h"

#define KID	"13-gw1.example.net"
#define AE_ID	"Cgw1"

static const char request[] =
	"{\"op\":1,\"to\":\"//example.net/in-cse/ae-meter\",\"fr\":\"" AE_ID "\","
	"\"rqi\":\"req-0042\",\"rvi\":\"4\",\"ty\":4,"
	"\"pc\":{\"m2m:cin\":{\"cnf\":\"text/plain:0\",\"con\":\"21.5\"}}}";
static const char response[] =
	"{\"rsc\":2001,\"rqi\":\"req-0042\",\"rvi\":\"4\"}";

static const uint8_t pairwise[32] = "demo pairwise key, 32 bytes ...";

static int fail(const char *what, const struct esprim_error *e)
{
	fprintf(stderr, "esprim_demo: %s: %d %s%s%s: %s\n", what, e->rsc,
		esprim_rsc_name(e->rsc) ?: "?", e->errnum ? ", " : "",
		e->errnum ? strerror(e->errnum) : "", e->msg);
	return 1;
}

static void print_matching(const char *path, const char *match, bool entry)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool in_entry = false;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!entry) {
			if (strstr(line, match))
				fputs(line, stdout);
			continue;
		}
		if (!strncmp(line, "name", 4))
			in_entry = strstr(line, match) != NULL;
		if (in_entry)
			fputs(line, stdout);
		if (in_entry && line[0] == '\n')
			break;
	}
	fclose(f);
}

/* A context of backend holding the pairwise key bound to the AE. */
static struct esprim_ctx *new_ctx(enum esprim_backend_kind backend,
				  struct esprim_error *e)
{
	struct esprim_ctx_config cfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_ctx *ctx;

	cfg.backend = backend;
	pc.kid = KID;
	pc.key = pairwise;
	pc.key_len = sizeof(pairwise);
	pc.peer = AE_ID;
	if (esprim_ctx_new(&ctx, &cfg, e))
		return NULL;
	if (esprim_ctx_add_pairwise(ctx, &pc, e)) {
		esprim_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Seals text and prints it as m2m:seci content; returns the object. */
static char *seal(struct esprim_session *s, const char *text,
		  struct esprim_error *e)
{
	size_t size = esprim_seal_size(s, strlen(text)) + 1, len;
	char *obj = malloc(size), *seci = malloc(size + 64);

	if (!obj || !seci || esprim_seal(s, text, strlen(text), obj, size,
					 &len, e)) {
		free(obj);
		free(seci);
		return NULL;
	}
	esprim_seci_build_epo(obj, len, seci, size + 64);
	printf("Notify content: %s\n", seci);
	free(seci);
	return obj;
}

/* Opens obj into out as a C string; 0, or the RSC or -errno of e. */
static int open_obj(struct esprim_ctx *ctx, const char *obj, char *out,
		    size_t size, struct esprim_opened *o,
		    struct esprim_error *e)
{
	int rc = esprim_open(ctx, obj, strlen(obj), out, size - 1, o, e);

	out[rc ? 0 : esprim_opened_text_len(o)] = 0;
	return rc;
}

/*
 * esprim_demo [--soft]: --soft runs both sides on the soft backend, to try
 * the exchange without the module (on the host).
 */
int main(int argc, char **argv)
{
	bool soft_only = argc > 1 && !strcmp(argv[1], "--soft");
	enum esprim_backend_kind backend = soft_only ? ESPRIM_BACKEND_SOFT :
					   ESPRIM_BACKEND_KERNEL;
	struct esprim_ctx *cse = NULL, *ae = NULL, *soft = NULL;
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_rand *rro = NULL, *oro = NULL;
	struct esprim_opened *o = esprim_opened_new();
	struct esprim_session *s = NULL;
	struct esprim_error e = { 0 };
	struct esprim_seci seci = { 0 };
	char *json = NULL, *req = NULL, *rsp = NULL, text[1024];
	size_t len;
	const char *what = "exchange";
	int rc = 1;

	cse = new_ctx(backend, &e);
	ae = cse ? new_ctx(backend, &e) : NULL;
	if (!o || !ae) {
		what = soft_only ? "soft backend" : "kernel backend";
		goto out;
	}

	printf("== Receiver (CSE) issues a receiverESPrimRandObject\n");
	if (esprim_rand_new_receiver(&rro, "n-41d7", 0,
				     esprim_now_ms() + 3600 * 1000,
				     ESPRIM_ESPA_ALL, &e) ||
	    esprim_ctx_add_own_rand(cse, rro, &e) ||
	    esprim_seci_build(&json, ESPRIM_SIT_RRO_RESPONSE, rro, NULL, 0,
			      &e)) {
		what = "receiver rand object";
		goto out;
	}
	printf("Notify response content: %s\n\n", json);

	printf("== Originator (gateway AE) seals the request\n");
	if (esprim_seci_parse(&seci, json, strlen(json), esprim_now_ms(), &e) ||
	    !seci.ero) {
		what = "m2m:seci";
		goto out;
	}
	/*
	 * The receiver object is learnt from the CSE, the key's peer; the
	 * originator object goes in full into the request headers until a
	 * response verified (ESPRIM_ANNOUNCE_AUTO).
	 */
	if (esprim_ctx_add_learnt_rand(ae, KID, seci.ero, &e) ||
	    esprim_rand_new_originator(&oro, seci.ero, "n-9f2c",
				       esprim_now_ms() + 3600 * 1000,
				       ESPRIM_ESPA_A256GCM, &e)) {
		what = "originator rand object";
		goto out;
	}
	sc.kid = KID;
	sc.rro = seci.ero;
	sc.oro = oro;
	sc.enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	sc.announce = ESPRIM_ANNOUNCE_AUTO;
	if (esprim_session_new(ae, &sc, &s, &e)) {
		what = "originator session";
		goto out;
	}
	printf("originatorESPrimRandObject: %s\n", esprim_rand_json(oro, &len));
	printf("inner request: %s\n", request);
	req = seal(s, request, &e);
	if (!req) {
		what = "seal";
		goto out;
	}

	printf("\n== Receiver opens it and answers with the same session\n");
	if (open_obj(cse, req, text, sizeof(text), o, &e))
		goto out;
	printf("verified inner request (From checked against %s): %s\n",
	       esprim_opened_peer(o), text);
	rsp = seal(esprim_opened_session(o), response, &e);
	if (!rsp)
		goto out;

	printf("\n== Originator opens the response\n");
	if (open_obj(ae, rsp, text, sizeof(text), o, &e))
		goto out;
	printf("verified inner response: %s\n", text);
	if (strcmp(text, response) ||
	    esprim_opened_role(o) != ONEM2M_ESPRIM_ROLE_ORIGINATOR)
		goto out;

	printf("\n== The soft backend (OpenSSL) opens the %s's request\n",
	       soft_only ? "first context" : "kernel");
	soft = new_ctx(ESPRIM_BACKEND_SOFT, &e);
	if (!soft || esprim_ctx_add_own_rand(soft, rro, &e) ||
	    open_obj(soft, req, text, sizeof(text), o, &e))
		goto out;
	printf("equal to the request: %s\n", strcmp(text, request) ? "NO" :
	       "yes");
	if (strcmp(text, request))
		goto out;

	if (!soft_only) {
		printf("\n== /proc/crypto\n");
		print_matching("/proc/crypto", ONEM2M_ESPRIM_AEAD_ALG, true);
		printf("== /proc/keys (no key material: the type has no read)\n");
		print_matching("/proc/keys", " esprim ", false);
	}
	rc = 0;
out:
	if (rc)
		fail(what, &e);
	/* Results and sessions hold references into their contexts. */
	esprim_opened_free(o);
	esprim_session_put(s);
	esprim_ctx_free(soft);
	esprim_ctx_free(ae);
	esprim_ctx_free(cse);
	esprim_seci_release(&seci);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	esprim_free(json);
	free(req);
	free(rsp);
	return rc;
}
