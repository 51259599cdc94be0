// SPDX-License-Identifier: GPL-2.0
/*
 * Outer Notify content {"m2m:seci":{...}} (TS-0004 securityInfo,
 * TS-0001 7.6.x) and the impersonation check on the inner request
 * (TS-0003 7.2.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "esprim_internal.h"

/* sit values this library handles, and the one member each carries. */
#define ESPRIM_SIT_RRO_REQUEST	3
#define ESPRIM_SIT_RRO_RESPONSE	4
#define ESPRIM_SIT_EPO		5
#define ESPRIM_SIT_ECKM		6

static const char *const esprim_sit_member[] = {
	[ESPRIM_SIT_RRO_REQUEST] = NULL,
	[ESPRIM_SIT_RRO_RESPONSE] = "ero",
	[ESPRIM_SIT_EPO] = "epo",
	[ESPRIM_SIT_ECKM] = "eckm",
};

/* base64Binary (standard alphabet, padded), strictly. */
static int esprim_base64_decode(const char *in, size_t n, uint8_t **out,
				size_t *out_len)
{
	size_t pad = 0, i;
	int len;

	if (!n || n % 4 || n > 4 * 65536)
		return -1;
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return -1;
	}
	*out = malloc(n / 4 * 3);
	if (!*out)
		return -1;
	len = EVP_DecodeBlock(*out, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*out_len = (size_t)len - pad;
	return 0;
}

static int esprim_seci_fields(struct esprim_seci *seci, json_t *root,
			      int64_t now_ms, struct esprim_error *err)
{
	json_t *obj = json_object_get(root, "m2m:seci"), *v;
	const char *key, *member;
	json_int_t sit;

	if (!json_is_object(root) || json_object_size(root) != 1 ||
	    !json_is_object(obj))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "content is not {\"m2m:seci\":{...}}");
	v = json_object_get(obj, "sit");
	if (!json_is_integer(v))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "m2m:seci needs an integer sit");
	sit = json_integer_value(v);
	if (sit < ESPRIM_SIT_RRO_REQUEST || sit > ESPRIM_SIT_ECKM)
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "securityInfoType %lld is not handled here",
				   (long long)sit);
	seci->sit = (int)sit;
	member = esprim_sit_member[sit];
	json_object_foreach(obj, key, v)
		if (strcmp(key, "sit") && (!member || strcmp(key, member)))
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "m2m:seci with sit %d has member \"%.32s\"",
					   seci->sit, key);
	if (!member)
		return 0;
	v = json_object_get(obj, member);
	if (!v)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "m2m:seci with sit %d needs \"%s\"",
				   seci->sit, member);
	switch (seci->sit) {
	case ESPRIM_SIT_RRO_RESPONSE:
		return esprim_rand_from_json(&seci->ero, v, true, now_ms, err);
	case ESPRIM_SIT_EPO:
		if (!json_is_string(v))
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "epo must be a string");
		seci->epo = json_string_value(v);
		seci->epo_len = json_string_length(v);
		return 0;
	default:
		if (!json_is_string(v) ||
		    esprim_base64_decode(json_string_value(v),
					 json_string_length(v), &seci->eckm,
					 &seci->eckm_len))
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "eckm must be base64Binary");
		return 0;
	}
}

int esprim_seci_parse(struct esprim_seci *seci, const char *json, size_t len,
		      int64_t now_ms, struct esprim_error *err)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(seci, 0, sizeof(*seci));
	if (len > ESPRIM_MAX_OBJECT_LEN + 64)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "m2m:seci content too long");
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "m2m:seci content: %s", jerr.text);
	seci->json_owner = root;
	rc = esprim_seci_fields(seci, root, now_ms, err);
	if (rc)
		esprim_seci_release(seci);
	return rc;
}

void esprim_seci_release(struct esprim_seci *seci)
{
	json_decref(seci->json_owner);
	free(seci->eckm);
	memset(seci, 0, sizeof(*seci));
}

size_t esprim_seci_build_epo(const char *obj, size_t obj_len, char *out,
			     size_t out_size)
{
	static const char head[] = "{\"m2m:seci\":{\"sit\":5,\"epo\":\"";
	static const char tail[] = "\"}}";
	size_t n = sizeof(head) - 1 + obj_len + sizeof(tail) - 1;

	/* The object is base64url and dots: nothing to escape. */
	if (n >= out_size)
		return 0;
	memcpy(out, head, sizeof(head) - 1);
	memcpy(out + sizeof(head) - 1, obj, obj_len);
	memcpy(out + sizeof(head) - 1 + obj_len, tail, sizeof(tail));
	return n;
}

char *esprim_seci_build(int sit, const struct esprim_rand *ero,
			const uint8_t *eckm, size_t eckm_len)
{
	json_t *seci = json_pack("{s:i}", "sit", sit), *root;
	char *b64 = NULL, *text = NULL;

	if (!seci)
		return NULL;
	if (sit == ESPRIM_SIT_RRO_RESPONSE && ero) {
		json_object_set_new(seci, "ero",
				    json_loadb(ero->canon, ero->canon_len, 0,
					       NULL));
	} else if (sit == ESPRIM_SIT_ECKM && eckm && eckm_len <= 65536 * 3) {
		b64 = malloc(4 * ((eckm_len + 2) / 3) + 1);
		if (b64)
			EVP_EncodeBlock((unsigned char *)b64, eckm,
					(int)eckm_len);
		json_object_set_new(seci, "eckm", json_string(b64 ? b64 : ""));
		free(b64);
	} else if (sit != ESPRIM_SIT_RRO_REQUEST) {
		json_decref(seci);
		return NULL;
	}
	root = json_pack("{s:o}", "m2m:seci", seci);
	if (root)
		text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

int esprim_check_from(const char *text, size_t len, const char *peer,
		      struct esprim_error *err)
{
	json_t *root, *fr;
	int rc = 0;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	fr = json_object_get(root, "fr");
	if (!json_is_string(fr))
		rc = esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				 "inner request is not JSON with a string \"fr\"");
	else if (strcmp(json_string_value(fr), peer))
		rc = esprim_fail(err, ESPRIM_RSC_IMPERSONATION_ERROR,
				 "inner From \"%.64s\" is not %.64s, the identity bound to the pairwise key",
				 json_string_value(fr), peer);
	json_decref(root);
	return rc;
}
