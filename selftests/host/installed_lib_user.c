// SPDX-License-Identifier: GPL-2.0
/*
 * A program outside the tree: built against an installed libesprim with
 * pkg-config, it seals and opens one object with the soft backend.
 */
#include <stdio.h>
#include <string.h>
#include <esprim.h>

int main(void)
{
	struct esprim_ctx_config cfg = { .backend = ESPRIM_BACKEND_SOFT };
	static const char text[] = "{\"op\":2,\"fr\":\"Cgw1\"}";
	uint8_t key[16] = "0123456789abcdef";
	struct esprim_rand rro, oro;
	struct esprim_opened opened;
	struct esprim_session *s;
	struct esprim_error e = { 0 };
	struct esprim_ctx *ctx;
	char obj[1024], out[64];
	size_t len;

	if (esprim_ctx_new(&ctx, &cfg, &e) ||
	    esprim_ctx_add_pairwise(ctx, "k1", key, 16, NULL, 0, &e) ||
	    esprim_rand_new_receiver(&rro, "r1", esprim_now_ms() + 60000, 0xe,
				     &e) ||
	    esprim_rand_new_originator(&oro, &rro, "o1",
				       esprim_now_ms() + 60000, 0xe, &e) ||
	    esprim_ctx_add_rand(ctx, &rro, &e) ||
	    esprim_session_new(ctx, &(struct esprim_session_config){
		.kid = "k1", .rro = &rro, .oro = &oro,
		.enc = ONEM2M_ESPRIM_ENC_A128GCM, .announce = true }, &s, &e) ||
	    esprim_seal(s, text, strlen(text), obj, sizeof(obj), &len, &e)) {
		fprintf(stderr, "%d %s\n", e.rsc, e.msg);
		return 1;
	}
	/* A second context opens it as the receiver. */
	esprim_ctx_free(ctx);
	if (esprim_ctx_new(&ctx, &cfg, &e) ||
	    esprim_ctx_add_pairwise(ctx, "k1", key, 16, "Cgw1", 0, &e) ||
	    esprim_ctx_add_rand(ctx, &rro, &e) ||
	    esprim_open(ctx, obj, len, out, sizeof(out), &opened, &e) ||
	    opened.text_len != strlen(text) || memcmp(out, text, opened.text_len)) {
		fprintf(stderr, "%d %s\n", e.rsc, e.msg);
		return 1;
	}
	esprim_ctx_free(ctx);
	printf("sealed and opened through the installed libesprim.so\n");
	return 0;
}
