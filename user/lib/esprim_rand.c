// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ESPrim rand objects (TS-0003 8.4.3.1, TS-0004 short names): creation,
 * strict parsing, the pairing rules B.2g, C.6b.2 and C.6c.1, and the
 * RFC 8785 (JCS) octets the session key derivation hashes (profile B.1).
 *
 * Members: esri (NCName), esrv (16..128 characters), esrx (absolute
 * "YYYYMMDDTHHMMSS[,f][Z]" UTC, or relative milliseconds as an integer or
 * a digit string), esk (originator) or esks (receiver), espa.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>
#include <openssl/rand.h>

#include "esprim_internal.h"

/* A list member holds at most this many identifiers. */
#define ESPRIM_RAND_LIST_MAX	16

bool esprim_is_ncname(const char *s, size_t len)
{
	size_t i;

	if (!len || len > ONEM2M_ESPRIM_MAX_ID_LEN)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	      s[0] == '_'))
		return false;
	for (i = 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_'))
			return false;
	}
	return true;
}

/* esrx: absolute timestamp, or relative milliseconds (integer or digits). */
static bool esprim_parse_expiry(const json_t *v, int64_t now_ms,
				int64_t *ms, bool *relative)
{
	const char *s;
	size_t i, n;
	int64_t rel = 0;

	*relative = !json_is_string(v) ||
		    !memchr(json_string_value(v), 'T', json_string_length(v));
	if (json_is_integer(v)) {
		/* As the 15-digit string form: about 35,000 years at most. */
		rel = json_integer_value(v);
		return rel >= 0 && rel <= (int64_t)1 << 50 &&
		       esprim_time_add(now_ms, rel, ms);
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, 'T', n))
		return esprim_time_parse(s, n, ms);
	/* At most 15 digits: about 31,000 years, no overflow. */
	if (!n || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		rel = rel * 10 + (s[i] - '0');
	}
	return esprim_time_add(now_ms, rel, ms);
}

/* Appends to the canonical octets; false when they would not fit. */
struct esprim_jcs {
	char *buf;
	size_t len;
	size_t size;
	bool overflow;
};

static void jcs_raw(struct esprim_jcs *j, const char *s, size_t n)
{
	if (j->overflow || j->len + n >= j->size) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = 0;
}

/* A JSON string as RFC 8785 3.2.2.2 (ECMAScript) writes it. */
static void jcs_string(struct esprim_jcs *j, const char *s, size_t n)
{
	static const char short_esc[0x20] = {
		['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f',
		['\r'] = 'r',
	};
	char esc[8];
	size_t i;

	jcs_raw(j, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jcs_raw(j, esc, 2);
		} else if (c < 0x20 && short_esc[c]) {
			esc[0] = '\\';
			esc[1] = short_esc[c];
			jcs_raw(j, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jcs_raw(j, esc, 6);
		} else {
			jcs_raw(j, (const char *)&s[i], 1);
		}
	}
	jcs_raw(j, "\"", 1);
}

static void jcs_member(struct esprim_jcs *j, const char *name)
{
	jcs_raw(j, j->len > 1 ? "," : "", j->len > 1 ? 1 : 0);
	jcs_string(j, name, strlen(name));
	jcs_raw(j, ":", 1);
}

static void jcs_value(struct esprim_jcs *j, const json_t *v)
{
	char num[24];
	size_t i;

	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		jcs_raw(j, num, strlen(num));
	} else if (json_is_string(v)) {
		jcs_string(j, json_string_value(v), json_string_length(v));
	} else {
		jcs_raw(j, "[", 1);
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				jcs_raw(j, ",", 1);
			jcs_value(j, json_array_get(v, i));
		}
		jcs_raw(j, "]", 1);
	}
}

/* A list of algorithm identifiers: non-empty array of small integers. */
static bool esprim_id_list(const json_t *v, uint32_t *mask, unsigned int base)
{
	json_int_t id;
	size_t i;

	if (!json_is_array(v) || !json_array_size(v) ||
	    json_array_size(v) > ESPRIM_RAND_LIST_MAX)
		return false;
	*mask = 0;
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_integer(json_array_get(v, i)))
			return false;
		id = json_integer_value(json_array_get(v, i));
		if (id < 0 || id > 0xffff)
			return false;
		/*
		 * Identifiers we know set their bit; any other sets bit 0.
		 * All of them stay in the octets.
		 */
		if (id > base && id - base < 32)
			*mask |= 1U << (id - base);
		else
			*mask |= 1U;
	}
	return true;
}

int esprim_rand_from_json(struct esprim_rand *r, const json_t *obj,
			  bool receiver, int64_t now_ms,
			  struct esprim_error *err)
{
	/* Sorted by code unit: the order JCS writes them in. */
	static const char *const names[] = { "esk", "esks", "espa",
					     "esri", "esrv", "esrx" };
	const json_t *v[6];
	const char *kind = receiver ? "receiver" : "originator";
	struct esprim_jcs j;
	const char *key;
	json_t *val;
	size_t i, n;

	memset(r, 0, sizeof(*r));
	r->receiver = receiver;
	if (!json_is_object(obj))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "%s rand object is not a JSON object", kind);
	json_object_foreach((json_t *)obj, key, val) {
		for (i = 0; i < 6 && strcmp(key, names[i]); i++)
			;
		if (i == 6)
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "%s rand object: unknown member \"%.32s\"",
					   kind, key);
	}
	for (i = 0; i < 6; i++)
		v[i] = json_object_get(obj, names[i]);

	if (!json_is_string(v[3]) ||
	    !esprim_is_ncname(json_string_value(v[3]),
			      json_string_length(v[3])))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "%s rand object: esri must be an NCName of at most %d characters",
				   kind, ONEM2M_ESPRIM_MAX_ID_LEN);
	strcpy(r->id, json_string_value(v[3]));

	n = json_is_string(v[4]) ? json_string_length(v[4]) : 0;
	if (n < ESPRIM_RAND_VALUE_MIN || n > ESPRIM_RAND_VALUE_MAX)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "%s rand object: esrv must be a string of %d to %d characters",
				   kind, ESPRIM_RAND_VALUE_MIN,
				   ESPRIM_RAND_VALUE_MAX);
	memcpy(r->value, json_string_value(v[4]), n + 1);

	if (!v[5] || !esprim_parse_expiry(v[5], now_ms, &r->expiry_ms,
					  &r->relative))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "%s rand object: esrx must be a timestamp YYYYMMDDTHHMMSS or relative milliseconds",
				   kind);

	if (!esprim_id_list(v[2], &r->espa, ESPRIM_ESPA_BASE))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "%s rand object: espa must be a non-empty list of identifiers",
				   kind);

	if (receiver) {
		if (v[0] || !esprim_id_list(v[1], &r->kdf, 0))
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "receiver rand object needs esks (a list) and no esk");
	} else {
		json_int_t id = json_integer_value(v[0]);

		if (v[1] || !json_is_integer(v[0]) || id < 0 || id > 0xffff)
			return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
					   "originator rand object needs esk (an identifier) and no esks");
		r->kdf = id < 32 ? 1U << id : 0;
	}

	j = (struct esprim_jcs){ r->canon, 0, sizeof(r->canon), false };
	jcs_raw(&j, "{", 1);
	for (i = 0; i < 6; i++) {
		if (!v[i])
			continue;
		jcs_member(&j, names[i]);
		jcs_value(&j, v[i]);
	}
	jcs_raw(&j, "}", 1);
	if (j.overflow)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "%s rand object longer than %d octets",
				   kind, ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN);
	r->canon_len = j.len;
	return 0;
}

int esprim_rand_parse(struct esprim_rand **out, const char *json,
		      size_t len, bool receiver, int64_t now_ms,
		      struct esprim_error *err)
{
	struct esprim_rand *r;
	json_error_t jerr;
	json_t *obj;
	int rc;

	*out = NULL;
	obj = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "rand object: %s", jerr.text);
	r = malloc(sizeof(*r));
	rc = r ? esprim_rand_from_json(r, obj, receiver, now_ms, err) :
	     esprim_fail_local(err, ENOMEM, ESPRIM_RSC_DECRYPTION_ERROR,
			       "out of memory");
	json_decref(obj);
	if (rc)
		free(r);
	else
		*out = r;
	return rc;
}

struct esprim_rand *esprim_rand_dup(const struct esprim_rand *r)
{
	struct esprim_rand *d = r ? malloc(sizeof(*d)) : NULL;

	if (d)
		*d = *r;
	return d;
}

void esprim_rand_free(struct esprim_rand *r)
{
	free(r);
}

bool esprim_rand_equal(const struct esprim_rand *a,
		       const struct esprim_rand *b)
{
	return a->receiver == b->receiver && a->canon_len == b->canon_len &&
	       !memcmp(a->canon, b->canon, a->canon_len);
}

bool esprim_rand_is_receiver(const struct esprim_rand *r)
{
	return r->receiver;
}

bool esprim_rand_is_shared(const struct esprim_rand *r)
{
	return r->receiver && !strncmp(r->id, "s-", 2);
}

const char *esprim_rand_id(const struct esprim_rand *r)
{
	return r->id;
}

int64_t esprim_rand_expiry_ms(const struct esprim_rand *r)
{
	return r->expiry_ms;
}

uint32_t esprim_rand_espa(const struct esprim_rand *r)
{
	return r->espa;
}

const char *esprim_rand_json(const struct esprim_rand *r, size_t *len)
{
	if (len)
		*len = r->canon_len;
	return r->canon;
}

static json_t *esprim_id_array(uint32_t mask, unsigned int base)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 1; a && i < 32; i++)
		if (mask & (1U << i))
			json_array_append_new(a, json_integer(base + i));
	return a;
}

/*
 * The esri of an object this library issues (profile B.16): the given
 * one, which must carry the prefix of its kind, or a fresh random one.
 */
static int esprim_rand_issue_id(char *id, const char *given, bool shared,
				struct esprim_error *err)
{
	const char *prefix = shared ? "s-" : "n-";
	uint8_t octets[12];

	if (given) {
		if (!esprim_is_ncname(given, strlen(given)) ||
		    strncmp(given, prefix, 2))
			return esprim_fail_local(err, EINVAL,
						 ESPRIM_RSC_ENCRYPTION_ERROR,
						 "esri must be an NCName of at most %d characters beginning \"%s\" (%s object)",
						 ONEM2M_ESPRIM_MAX_ID_LEN,
						 prefix,
						 shared ? "a shared" :
						 "a non-shared");
		strcpy(id, given);
		return 0;
	}
	if (RAND_bytes(octets, sizeof(octets)) != 1)
		return esprim_fail_local(err, EIO, ESPRIM_RSC_ENCRYPTION_ERROR,
					 "no random bytes for an esri");
	memcpy(id, prefix, 2);
	id[2 + esprim_b64url_encode(octets, sizeof(octets), id + 2)] = 0;
	return 0;
}

static int esprim_rand_new(struct esprim_rand **out, bool receiver,
			   const char *given_id, bool shared,
			   int64_t expiry_ms, uint32_t espa,
			   struct esprim_error *err)
{
	char id[ONEM2M_ESPRIM_MAX_ID_LEN + 1], b64[32], expiry[16];
	uint8_t value[ESPRIM_RAND_OCTETS];
	struct esprim_rand *r;
	json_t *obj;
	int rc;

	*out = NULL;
	rc = esprim_rand_issue_id(id, given_id, shared, err);
	if (rc)
		return rc;
	espa &= ESPRIM_ESPA_ALL;
	if (!espa)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "no supported AEAD algorithm offered");
	if (esprim_time_format(expiry_ms, expiry))
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "expiry %lld ms cannot be written as a timestamp",
					 (long long)expiry_ms);
	if (RAND_bytes(value, sizeof(value)) != 1)
		return esprim_fail_local(err, EIO, ESPRIM_RSC_ENCRYPTION_ERROR,
					 "no random bytes for esrv");
	b64[esprim_b64url_encode(value, sizeof(value), b64)] = 0;
	esprim_wipe(value, sizeof(value));

	obj = json_pack("{s:s, s:s, s:s, s:o}", "esri", id, "esrv", b64,
			"esrx", expiry, "espa",
			esprim_id_array(espa, ESPRIM_ESPA_BASE));
	if (obj && receiver)
		json_object_set_new(obj, "esks",
				    esprim_id_array(1U << ESPRIM_KDF_HMAC_SHA256,
						    0));
	else if (obj)
		json_object_set_new(obj, "esk",
				    json_integer(ESPRIM_KDF_HMAC_SHA256));
	r = obj ? malloc(sizeof(*r)) : NULL;
	if (!r) {
		json_decref(obj);
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory");
	}
	/* Parsing what was built gives the JCS octets (and checks it). */
	rc = esprim_rand_from_json(r, obj, receiver, 0, err);
	json_decref(obj);
	if (rc > 0 && err) {
		/* What was built is refused: the caller's argument is bad. */
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		rc = esprim_fail_local(err, EINVAL, ESPRIM_RSC_ENCRYPTION_ERROR,
				       "%s", msg);
	} else if (rc > 0) {
		rc = -EINVAL;
	}
	if (rc) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int esprim_rand_new_receiver(struct esprim_rand **r, const char *id,
			     unsigned int flags, int64_t expiry_ms,
			     uint32_t espa, struct esprim_error *err)
{
	if (flags & ~ESPRIM_RAND_SHARED) {
		*r = NULL;
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "unknown flags %#x", flags);
	}
	return esprim_rand_new(r, true, id, flags & ESPRIM_RAND_SHARED,
			       expiry_ms, espa, err);
}

int esprim_rand_new_originator(struct esprim_rand **o,
			       const struct esprim_rand *rro, const char *id,
			       int64_t expiry_ms, uint32_t espa,
			       struct esprim_error *err)
{
	*o = NULL;
	if (!rro || !rro->receiver)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "not a receiver rand object");
	if (!(rro->kdf & (1U << ESPRIM_KDF_HMAC_SHA256)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "receiver rand object does not offer HMAC-SHA256");
	/* Whole seconds on the wire: round down to stay within the rro. */
	if (expiry_ms > rro->expiry_ms)
		expiry_ms = rro->expiry_ms;
	return esprim_rand_new(o, false, id, false, expiry_ms / 1000 * 1000,
			       espa & rro->espa, err);
}

int esprim_rand_check_pair(const struct esprim_rand *rro,
			   const struct esprim_rand *oro, int64_t now_ms,
			   struct esprim_error *err)
{
	if (!rro->receiver || rro->expiry_ms <= now_ms)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_RECV_RAND_ID,
				   "receiver rand object %s has expired",
				   rro->id);
	if (oro->receiver || oro->expiry_ms <= now_ms)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "originator rand object %s has expired",
				   oro->id);
	if (oro->expiry_ms > rro->expiry_ms)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "originator rand object %s expires after receiver rand object %s",
				   oro->id, rro->id);
	if (!(oro->kdf & rro->kdf & (1U << ESPRIM_KDF_HMAC_SHA256)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "key generation algorithm of %s is not HMAC-SHA256 or not offered by %s",
				   oro->id, rro->id);
	/* Bit 0 stands for identifiers this library does not support. */
	if ((oro->espa & 1U) || (oro->espa & ~rro->espa))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "AEAD algorithms of %s are not a supported subset of those of %s",
				   oro->id, rro->id);
	return 0;
}
