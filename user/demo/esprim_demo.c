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
	fprintf(stderr, "esprim_demo: %s: %d %s: %s\n", what, e->rsc,
		esprim_rsc_name(e->rsc) ?: "?", e->msg);
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

static struct esprim_ctx *kernel_ctx(struct esprim_error *e)
{
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_KERNEL };
	struct esprim_ctx *ctx;

	if (esprim_ctx_new(&ctx, &cfg, e) ||
	    esprim_ctx_add_pairwise(ctx, KID, pairwise, sizeof(pairwise),
				    AE_ID, 0, e)) {
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

static int open_obj(struct esprim_ctx *ctx, const char *obj, char *out,
		    size_t size, struct esprim_opened *o,
		    struct esprim_error *e)
{
	int rc = esprim_open(ctx, obj, strlen(obj), out, size - 1, o, e);

	out[rc ? 0 : o->text_len] = 0;
	return rc;
}

int main(void)
{
	struct esprim_ctx *cse = NULL, *ae = NULL, *soft = NULL;
	struct esprim_ctx_config soft_cfg = { .backend = ESPRIM_BACKEND_SOFT };
	struct esprim_rand rro, oro;
	struct esprim_session *s;
	struct esprim_opened *o = malloc(sizeof(*o));
	struct esprim_error e = { 0 };
	struct esprim_seci seci;
	char *json, *req = NULL, *rsp = NULL, text[1024];
	int rc = 1;

	cse = kernel_ctx(&e);
	ae = cse ? kernel_ctx(&e) : NULL;
	if (!o || !ae)
		return fail("kernel backend", &e);

	printf("== Receiver (CSE) issues a receiverESPrimRandObject\n");
	if (esprim_rand_new_receiver(&rro, "r-41d7",
				     esprim_now_ms() + 3600 * 1000, 0xe, &e) ||
	    esprim_ctx_add_rand(cse, &rro, &e))
		return fail("receiver rand object", &e);
	json = esprim_seci_build(4, &rro, NULL, 0);
	printf("Notify response content: %s\n\n", json);

	printf("== Originator (gateway AE) seals the request\n");
	if (esprim_seci_parse(&seci, json, strlen(json), esprim_now_ms(), &e))
		return fail("m2m:seci", &e);
	free(json);
	if (esprim_rand_new_originator(&oro, &seci.ero, "o-9f2c",
				       esprim_now_ms() + 3600 * 1000,
				       1U << ONEM2M_ESPRIM_ENC_A256GCM, &e) ||
	    esprim_session_new(ae, &(struct esprim_session_config){
			.kid = KID, .rro = &seci.ero, .oro = &oro,
			.enc = ONEM2M_ESPRIM_ENC_A256GCM, .announce = true },
			&s, &e))
		return fail("originator session", &e);
	esprim_seci_release(&seci);
	printf("originatorESPrimRandObject: %s\n", oro.canon);
	printf("inner request: %s\n", request);
	req = seal(s, request, &e);
	if (!req)
		return fail("seal", &e);

	printf("\n== Receiver opens it and answers with the same session\n");
	if (open_obj(cse, req, text, sizeof(text), o, &e))
		goto out;
	printf("verified inner request (From checked against %s): %s\n",
	       AE_ID, text);
	rsp = seal(o->session, response, &e);
	if (!rsp)
		goto out;

	printf("\n== Originator opens the response\n");
	if (open_obj(ae, rsp, text, sizeof(text), o, &e))
		goto out;
	printf("verified inner response: %s\n", text);
	if (strcmp(text, response))
		goto out;

	printf("\n== The soft backend (OpenSSL) opens the kernel's request\n");
	if (esprim_ctx_new(&soft, &soft_cfg, &e) ||
	    esprim_ctx_add_pairwise(soft, KID, pairwise, sizeof(pairwise),
				    AE_ID, 0, &e) ||
	    esprim_ctx_add_rand(soft, &rro, &e) ||
	    open_obj(soft, req, text, sizeof(text), o, &e))
		goto out;
	printf("equal to the request: %s\n", strcmp(text, request) ? "NO" :
	       "yes");
	if (strcmp(text, request))
		goto out;

	printf("\n== /proc/crypto\n");
	print_matching("/proc/crypto", ONEM2M_ESPRIM_AEAD_ALG, true);
	printf("== /proc/keys (no key material: the type has no read)\n");
	print_matching("/proc/keys", " esprim ", false);
	rc = 0;
out:
	if (rc && e.rsc)
		fail("exchange", &e);
	esprim_ctx_free(soft);
	esprim_ctx_free(ae);
	esprim_ctx_free(cse);
	free(req);
	free(rsp);
	free(o);
	return rc;
}
