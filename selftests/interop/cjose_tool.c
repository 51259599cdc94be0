// SPDX-License-Identifier: GPL-2.0
/*
 * cjose on the other end of the interop test:
 *   cjose_tool enc KEYHEX HEADER_JSON < plaintext > compact JWE
 *   cjose_tool dec KEYHEX < compact JWE > plaintext
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjose/cjose.h>
#include <jansson.h>

static size_t read_all(char *buf, size_t size)
{
	size_t n = fread(buf, 1, size - 1, stdin);

	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = 0;
	return n;
}

static cjose_jwk_t *key_from_hex(const char *hex, cjose_err *err)
{
	uint8_t key[64];
	size_t n = strlen(hex) / 2, i;
	unsigned int b;

	if (n > sizeof(key))
		return NULL;
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return NULL;
		key[i] = (uint8_t)b;
	}
	return cjose_jwk_create_oct_spec(key, n, err);
}

/* Copies every member of a JSON object into a cjose header. */
static cjose_header_t *header_from_json(const char *text, cjose_err *err)
{
	json_t *obj = json_loads(text, 0, NULL), *v;
	cjose_header_t *h = cjose_header_new(err);
	const char *key;
	char *raw;
	bool ok = obj && h;

	json_object_foreach(obj, key, v) {
		if (json_is_string(v)) {
			ok = ok && cjose_header_set(h, key, json_string_value(v),
						    err);
		} else {
			raw = json_dumps(v, JSON_COMPACT);
			ok = ok && raw && cjose_header_set_raw(h, key, raw, err);
			free(raw);
		}
	}
	json_decref(obj);
	if (!ok) {
		cjose_header_release(h);
		return NULL;
	}
	return h;
}

int main(int argc, char **argv)
{
	static char in[1 << 20];
	cjose_err err = { 0 };
	cjose_jwk_t *jwk;
	cjose_jwe_t *jwe;
	cjose_header_t *h;
	uint8_t *pt;
	size_t n, len;
	char *out;

	if (argc < 3 || !(jwk = key_from_hex(argv[2], &err))) {
		fprintf(stderr, "usage: cjose_tool enc|dec KEYHEX [HEADER]\n");
		return 2;
	}
	n = read_all(in, sizeof(in));
	if (!strcmp(argv[1], "enc") && argc == 4) {
		h = header_from_json(argv[3], &err);
		jwe = h ? cjose_jwe_encrypt(jwk, h, (uint8_t *)in, n, &err) :
			  NULL;
		out = jwe ? cjose_jwe_export(jwe, &err) : NULL;
		if (!out) {
			fprintf(stderr, "cjose: %s\n",
				err.message ? err.message : "header");
			return 1;
		}
		printf("%s\n", out);
		return 0;
	}
	jwe = cjose_jwe_import(in, n, &err);
	pt = jwe ? cjose_jwe_decrypt(jwe, jwk, &len, &err) : NULL;
	if (!pt) {
		fprintf(stderr, "cjose: %s\n", err.message);
		return 1;
	}
	fwrite(pt, 1, len, stdout);
	return 0;
}
