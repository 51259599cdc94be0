// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Outer Notify content {"m2m:seci":{...}} (TS-0004 securityInfo,
 * TS-0001 7.6.x): sit 3 (rand object request), 4 (ero, the receiver's
 * rand object), 5 (epo, an ESPrim Object) and 6 (eckm, ESCertKE octets).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "esprim_internal.h"

/* eckm octets at most: what 4 * 65536 base64 characters hold. */
#define ESPRIM_ECKM_MAX		(65536 * 3)

/* The one member each sit carries besides "sit" (NULL: none). */
static const char *const esprim_sit_member[] = {
	[ESPRIM_SIT_RRO_REQUEST] = NULL,
	[ESPRIM_SIT_RRO_RESPONSE] = "ero",
	[ESPRIM_SIT_EPO] = "epo",
	[ESPRIM_SIT_ECKM] = "eckm",
};

/* The 6-bit value of a base64 character (standard alphabet), or -1. */
static int esprim_base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * base64Binary (standard alphabet, padded), strictly: 0, 1 when in is
 * not such text (including spare bits before the padding that are not
 * zero: one octet string has one encoding, as the daemon's ESCertKE engine
 * requires), or -ENOMEM.
 */
static int esprim_base64_decode(const char *in, size_t n, uint8_t **out,
				size_t *out_len)
{
	size_t pad = 0, i;
	int len, last;

	if (!n || n % 4 || n > 4 * (ESPRIM_ECKM_MAX / 3))
		return 1;
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (pad || esprim_base64_value(c) < 0)
			return 1;
	}
	/* Two octets leave 2 spare bits, one octet 4. */
	last = esprim_base64_value(in[n - pad - 1]);
	if ((pad == 1 && (last & 0x3)) || (pad == 2 && (last & 0xf)))
		return 1;
	*out = malloc(n / 4 * 3);
	if (!*out)
		return -ENOMEM;
	len = EVP_DecodeBlock(*out, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(*out);
		*out = NULL;
		return 1;
	}
	*out_len = (size_t)len - pad;
	return 0;
}

/* ero: a receiver rand object the seci owns. */
static int esprim_seci_ero(struct esprim_seci *seci, const json_t *v,
			   int64_t now_ms, struct esprim_error *err)
{
	int rc;

	seci->ero = malloc(sizeof(*seci->ero));
	if (!seci->ero)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory for ero");
	rc = esprim_rand_from_json(seci->ero, v, true, now_ms, err);
	if (rc) {
		free(seci->ero);
		seci->ero = NULL;
	}
	return rc;
}

static int esprim_seci_fields(struct esprim_seci *seci, json_t *root,
			      int64_t now_ms, struct esprim_error *err)
{
	json_t *obj = json_object_get(root, "m2m:seci"), *v;
	const char *key, *member;
	json_int_t sit;
	int rc;

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
		return esprim_seci_ero(seci, v, now_ms, err);
	case ESPRIM_SIT_EPO:
		if (!json_is_string(v))
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "epo must be a string");
		seci->epo = json_string_value(v);
		seci->epo_len = json_string_length(v);
		return 0;
	default:
		rc = json_is_string(v) ?
		     esprim_base64_decode(json_string_value(v),
					  json_string_length(v), &seci->eckm,
					  &seci->eckm_len) : 1;
		if (rc < 0)
			return esprim_fail_local(err, -rc,
						 ESPRIM_RSC_DECRYPTION_ERROR,
						 "out of memory for eckm");
		if (rc)
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "eckm must be base64Binary of at most %d octets",
					   ESPRIM_ECKM_MAX);
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
	esprim_rand_free(seci->ero);
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

/*
 * The text is written directly rather than through jansson: the ero goes
 * out as its RFC 8785 octets, byte for byte what the derivation hashes,
 * and the only failure left is an allocation.
 */
int esprim_seci_build(char **out, int sit, const struct esprim_rand *ero,
		      const uint8_t *eckm, size_t eckm_len,
		      struct esprim_error *err)
{
	static const char tail[] = "}}";
	const char *canon = NULL;
	size_t canon_len = 0, n;
	char *text, *p;

	*out = NULL;
	/* Only the member of the sit, and it is required. */
	if (ero && sit != ESPRIM_SIT_RRO_RESPONSE)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "m2m:seci with sit %d carries no ero",
					 sit);
	if (eckm_len && sit != ESPRIM_SIT_ECKM)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "m2m:seci with sit %d carries no eckm",
					 sit);
	switch (sit) {
	case ESPRIM_SIT_RRO_REQUEST:
		n = 0;
		break;
	case ESPRIM_SIT_RRO_RESPONSE:
		if (!ero || !esprim_rand_is_receiver(ero))
			return esprim_fail_local(err, EINVAL,
						 ESPRIM_RSC_ENCRYPTION_ERROR,
						 "m2m:seci with sit 4 needs a receiver rand object");
		canon = esprim_rand_json(ero, &canon_len);
		n = sizeof(",\"ero\":") - 1 + canon_len;
		break;
	case ESPRIM_SIT_ECKM:
		/* What esprim_seci_parse() takes back: 1 to 196608 octets. */
		if (!eckm || !eckm_len || eckm_len > ESPRIM_ECKM_MAX)
			return esprim_fail_local(err, EINVAL,
						 ESPRIM_RSC_ENCRYPTION_ERROR,
						 "m2m:seci with sit 6 needs 1 to %d eckm octets",
						 ESPRIM_ECKM_MAX);
		n = sizeof(",\"eckm\":\"\"") - 1 + 4 * ((eckm_len + 2) / 3);
		break;
	default:
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "m2m:seci build: sit %d is not 3, 4 or 6",
					 sit);
	}
	n += sizeof("{\"m2m:seci\":{\"sit\":N") - 1 + sizeof(tail);
	text = malloc(n);
	if (!text)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory for m2m:seci");
	p = text + sprintf(text, "{\"m2m:seci\":{\"sit\":%d", sit);
	if (canon) {
		p += sprintf(p, ",\"ero\":");
		memcpy(p, canon, canon_len);
		p += canon_len;
	} else if (sit == ESPRIM_SIT_ECKM) {
		p += sprintf(p, ",\"eckm\":\"");
		p += EVP_EncodeBlock((unsigned char *)p, eckm, (int)eckm_len);
		*p++ = '"';
	}
	memcpy(p, tail, sizeof(tail));
	*out = text;
	return 0;
}
