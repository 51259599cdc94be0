// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ESPrim Object as a JWE Compact Serialization (TS-0003 8.4.3.2,
 * RFC 7516): splitting, and the protected header, parsed strictly and
 * built for a session.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esprim_internal.h"

static const char *const esprim_enc_names[] = {
	[ONEM2M_ESPRIM_ENC_A128GCM] = "A128GCM",
	[ONEM2M_ESPRIM_ENC_A192GCM] = "A192GCM",
	[ONEM2M_ESPRIM_ENC_A256GCM] = "A256GCM",
};

enum onem2m_esprim_enc esprim_enc_from_name(const char *name)
{
	int i;

	for (i = ONEM2M_ESPRIM_ENC_A128GCM; i <= ONEM2M_ESPRIM_ENC_A256GCM; i++)
		if (name && !strcmp(name, esprim_enc_names[i]))
			return (enum onem2m_esprim_enc)i;
	return 0;
}

const char *esprim_enc_name(enum onem2m_esprim_enc enc)
{
	return esprim_enc_key_len(enc) ? esprim_enc_names[enc] : NULL;
}

unsigned int esprim_enc_key_len(enum onem2m_esprim_enc enc)
{
	switch (enc) {
	case ONEM2M_ESPRIM_ENC_A128GCM:
		return 16;
	case ONEM2M_ESPRIM_ENC_A192GCM:
		return 24;
	case ONEM2M_ESPRIM_ENC_A256GCM:
		return 32;
	}
	return 0;
}

bool esprim_is_kid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > ONEM2M_ESPRIM_MAX_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\' ||
		    s[i] == ':')
			return false;
	return true;
}

int esprim_compact_split(struct esprim_compact *c, const char *obj,
			 size_t len, struct esprim_error *err)
{
	const char *p = obj, *end = obj + len, *dot;
	int i;

	if (len > ESPRIM_MAX_OBJECT_LEN)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "ESPrim Object longer than %d characters",
				   ESPRIM_MAX_OBJECT_LEN);
	for (i = 0; i < 5; i++) {
		dot = i < 4 ? memchr(p, '.', (size_t)(end - p)) : NULL;
		if (i < 4 && !dot)
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "ESPrim Object has %d parts, not 5",
					   i + 1);
		c->part[i] = p;
		c->len[i] = (size_t)((dot ? dot : end) - p);
		p = dot ? dot + 1 : end;
	}
	if (memchr(c->part[4], '.', c->len[4]))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "ESPrim Object has more than 5 parts");
	if (c->len[1])
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "encrypted key part must be empty for alg \"dir\"");
	/* B.14: the ciphertext is never empty (TS-0003 8.4.3.2-1). */
	if (!c->len[0] || !c->len[2] || !c->len[3] || !c->len[4])
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "empty header, IV, ciphertext or tag part");
	if (c->len[0] > esprim_b64url_encoded_len(ESPRIM_MAX_HEADER_LEN))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header longer than %d octets",
				   ESPRIM_MAX_HEADER_LEN);
	return 0;
}

/* A required or optional string member; 0, or rsc when bad. */
static int esprim_member_string(const json_t *obj, const char *name,
				bool required, const char **value,
				struct esprim_error *err)
{
	const json_t *v = json_object_get(obj, name);

	*value = NULL;
	if (!v)
		return required ? esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					      "header member \"%s\" missing",
					      name) : 0;
	if (!json_is_string(v))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "header member \"%s\" must be a string",
				   name);
	*value = json_string_value(v);
	return 0;
}

static int esprim_header_rand(const json_t *obj, const char *name,
			      bool receiver, struct esprim_rand *r,
			      bool *present, int64_t now_ms,
			      struct esprim_error *err)
{
	const json_t *v = json_object_get(obj, name);
	int rc;

	*present = v != NULL;
	if (!v)
		return 0;
	rc = esprim_rand_from_json(r, v, receiver, now_ms, err);
	if (rc && err) {
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		snprintf(err->msg, sizeof(err->msg), "header \"%s\": %.180s",
			 name, msg);
	}
	return rc;
}

static int esprim_header_fields(struct esprim_header *h, const json_t *obj,
				int64_t now_ms, struct esprim_error *err)
{
	const char *alg, *enc, *kid, *ori, *rri, *cty;
	int rc;

	if (!json_is_object(obj))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header is not a JSON object");
	if (json_object_get(obj, "crit"))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "header member \"crit\" names extensions this receiver does not support");
	if (json_object_get(obj, "zip"))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "compression (\"zip\") is not supported");
	rc = esprim_member_string(obj, "alg", true, &alg, err);
	rc = rc ?: esprim_member_string(obj, "enc", true, &enc, err);
	rc = rc ?: esprim_member_string(obj, "kid", true, &kid, err);
	rc = rc ?: esprim_member_string(obj, "ori", true, &ori, err);
	rc = rc ?: esprim_member_string(obj, "rri", true, &rri, err);
	rc = rc ?: esprim_member_string(obj, "cty", false, &cty, err);
	if (rc)
		return rc;
	if (strcmp(alg, "dir"))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "alg \"%.32s\" is not supported, only \"dir\"",
				   alg);
	h->enc = esprim_enc_from_name(enc);
	if (!h->enc)
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "enc \"%.32s\" is not supported (A128GCM, A192GCM, A256GCM)",
				   enc);
	if (!esprim_is_kid(kid, strlen(kid)))
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "kid is not a key identifier this receiver can hold");
	if (!esprim_is_ncname(ori, strlen(ori)))
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "ori is not an esprimRandID");
	if (!esprim_is_ncname(rri, strlen(rri)))
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
				   "rri is not an esprimRandID");
	if (cty && strlen(cty) > ESPRIM_MAX_CTY_LEN)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "cty longer than %d characters",
				   ESPRIM_MAX_CTY_LEN);
	strcpy(h->kid, kid);
	strcpy(h->ori, ori);
	strcpy(h->rri, rri);
	strcpy(h->cty, cty ? cty : "");
	h->cty_kind = esprim_cty_kind(h->cty, strlen(h->cty));

	rc = esprim_header_rand(obj, "oro", false, &h->oro, &h->has_oro,
				now_ms, err);
	rc = rc ?: esprim_header_rand(obj, "rro", true, &h->rro, &h->has_rro,
				      now_ms, err);
	/*
	 * An oro whose esri is not ori (an rro whose esri is not rri) is the
	 * sender's next object (profile B.15), not an error.
	 */
	return rc;
}

int esprim_header_parse_into(struct esprim_header *h, const char *json,
			     size_t len, int64_t now_ms,
			     struct esprim_error *err)
{
	json_error_t jerr;
	json_t *obj;
	int rc;

	memset(h, 0, offsetof(struct esprim_header, oro));
	if (len > ESPRIM_MAX_HEADER_LEN)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header longer than %d octets",
				   ESPRIM_MAX_HEADER_LEN);
	obj = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header: %s", jerr.text);
	rc = esprim_header_fields(h, obj, now_ms, err);
	json_decref(obj);
	return rc;
}

int esprim_header_parse(struct esprim_header **out, const char *json,
			size_t len, int64_t now_ms, struct esprim_error *err)
{
	struct esprim_header *h = malloc(sizeof(*h));
	int rc;

	*out = NULL;
	if (!h)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	rc = esprim_header_parse_into(h, json, len, now_ms, err);
	if (rc)
		free(h);
	else
		*out = h;
	return rc;
}

int esprim_object_inspect(struct esprim_header **out, const char *obj,
			  size_t len, int64_t now_ms,
			  struct esprim_error *err)
{
	uint8_t json[ESPRIM_MAX_HEADER_LEN];
	struct esprim_compact c;
	long n;
	int rc;

	*out = NULL;
	rc = esprim_compact_split(&c, obj, len, err);
	if (rc)
		return rc;
	n = esprim_b64url_decode(c.part[0], c.len[0], json, sizeof(json));
	if (n < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "protected header is not base64url");
	return esprim_header_parse(out, (const char *)json, (size_t)n,
				   now_ms, err);
}

void esprim_header_free(struct esprim_header *h)
{
	free(h);
}

enum onem2m_esprim_enc esprim_header_enc(const struct esprim_header *h)
{
	return h->enc;
}

const char *esprim_header_kid(const struct esprim_header *h)
{
	return h->kid;
}

const char *esprim_header_ori(const struct esprim_header *h)
{
	return h->ori;
}

const char *esprim_header_rri(const struct esprim_header *h)
{
	return h->rri;
}

const char *esprim_header_cty(const struct esprim_header *h)
{
	return h->cty;
}

const struct esprim_rand *esprim_header_oro(const struct esprim_header *h)
{
	return h->has_oro ? &h->oro : NULL;
}

const struct esprim_rand *esprim_header_rro(const struct esprim_header *h)
{
	return h->has_rro ? &h->rro : NULL;
}

/*
 * The header this side seals with: its own rand object in full while
 * announcing (C.3), or the next one it offers in-band (B.15).
 */
int esprim_session_build_header(struct esprim_session *s,
				struct esprim_error *err)
{
	bool orig = s->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	/* The current object until the peer has it, then a next one. */
	const struct esprim_rand *own = s->announcing && orig ? &s->oro :
					s->next;
	json_t *obj, *rand = NULL;
	char *text, *hdr;
	size_t n;

	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alg", "dir",
			"enc", esprim_enc_name(s->enc), "kid",
			s->pairwise->kid, "cty", s->cty, "ori", s->ori,
			"rri", s->rri);
	if (obj && own) {
		rand = json_loadb(own->canon, own->canon_len, 0, NULL);
		if (json_object_set_new(obj, orig ? "oro" : "rro", rand))
			rand = NULL;
	}
	text = obj && (rand || !own) ?
	       json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(obj);
	n = text ? strlen(text) : 0;
	hdr = text ? malloc(esprim_b64url_encoded_len(n) + 1) : NULL;
	if (!hdr) {
		free(text);
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory");
	}
	free(s->hdr);
	s->hdr = hdr;
	s->hdr_len = esprim_b64url_encode((const uint8_t *)text, n, s->hdr);
	s->hdr[s->hdr_len] = 0;
	free(text);
	return 0;
}
