// SPDX-License-Identifier: GPL-2.0
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
#include <time.h>
#include <openssl/rand.h>

#include "esprim_internal.h"

/* A list member holds at most this many identifiers. */
#define ESPRIM_RAND_LIST_MAX	16

int64_t esprim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* The value of n decimal digits at s, or -1 if any is not a digit. */
static int esprim_digits(const char *s, int n)
{
	int v = 0;

	while (n--) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* Parses "YYYYMMDDTHHMMSS" with an optional ",fraction" and 'Z'. */
static bool esprim_parse_timestamp(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int year, mon, day, hour, min, sec, frac_ms = 0, scale = 100;
	const char *p = s + 15;
	struct tm tm = { 0 };
	time_t t;

	if (strnlen(s, 15) < 15)
		return false;
	year = esprim_digits(s, 4);
	mon = esprim_digits(s + 4, 2);
	day = esprim_digits(s + 6, 2);
	hour = esprim_digits(s + 9, 2);
	min = esprim_digits(s + 11, 2);
	sec = esprim_digits(s + 13, 2);
	if (year < 1970 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1] || s[8] != 'T' || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 60)
		return false;
	if (*p == ',' || *p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac_ms += (*p - '0') * scale;
	}
	if (*p == 'Z')
		p++;
	if (*p)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	/* Fails only where time_t cannot hold the date (32-bit). */
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*ms = (int64_t)t * 1000 + frac_ms;
	return true;
}

/* esrx: absolute timestamp, or relative milliseconds (integer or digits). */
static bool esprim_parse_expiry(const json_t *v, int64_t now_ms,
				int64_t *ms)
{
	const char *s;
	size_t i, n;
	int64_t rel = 0;

	if (json_is_integer(v)) {
		rel = json_integer_value(v);
		if (rel < 0 || rel > (int64_t)1 << 50)
			return false;
		*ms = now_ms + rel;
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, 'T', n))
		return esprim_parse_timestamp(s, ms);
	/* At most 15 digits: about 31,000 years, no overflow. */
	if (!n || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		rel = rel * 10 + (s[i] - '0');
	}
	*ms = now_ms + rel;
	return true;
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

	if (!v[5] || !esprim_parse_expiry(v[5], now_ms, &r->expiry_ms))
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

int esprim_rand_parse(struct esprim_rand *r, const char *json, size_t len,
		      bool receiver, int64_t now_ms, struct esprim_error *err)
{
	json_error_t jerr;
	json_t *obj;
	int rc;

	obj = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "rand object: %s", jerr.text);
	rc = esprim_rand_from_json(r, obj, receiver, now_ms, err);
	json_decref(obj);
	return rc;
}

/* Writes esrx as the absolute "YYYYMMDDTHHMMSS" senders use (B.8). */
static void esprim_format_expiry(int64_t ms, char out[16])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y%m%dT%H%M%S", &tm);
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

static int esprim_rand_new(struct esprim_rand *r, bool receiver,
			   const char *id, int64_t expiry_ms, uint32_t espa,
			   struct esprim_error *err)
{
	uint8_t value[ESPRIM_RAND_OCTETS];
	char b64[32], expiry[16];
	json_t *obj;
	int rc;

	if (!id || !esprim_is_ncname(id, strlen(id)))
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "esri must be an NCName of at most %d characters",
				   ONEM2M_ESPRIM_MAX_ID_LEN);
	espa &= (1U << ONEM2M_ESPRIM_ENC_A128GCM) |
		(1U << ONEM2M_ESPRIM_ENC_A192GCM) |
		(1U << ONEM2M_ESPRIM_ENC_A256GCM);
	if (!espa)
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "no supported AEAD algorithm offered");
	if (RAND_bytes(value, sizeof(value)) != 1)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "no random bytes for esrv");
	b64[esprim_b64url_encode(value, sizeof(value), b64)] = 0;
	esprim_format_expiry(expiry_ms, expiry);

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
	if (!obj)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	rc = esprim_rand_from_json(r, obj, receiver, 0, err);
	json_decref(obj);
	return rc;
}

int esprim_rand_new_receiver(struct esprim_rand *r, const char *id,
			     int64_t expiry_ms, uint32_t espa,
			     struct esprim_error *err)
{
	return esprim_rand_new(r, true, id, expiry_ms, espa, err);
}

int esprim_rand_new_originator(struct esprim_rand *o,
			       const struct esprim_rand *rro, const char *id,
			       int64_t expiry_ms, uint32_t espa,
			       struct esprim_error *err)
{
	if (!rro->receiver)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "not a receiver rand object");
	if (!(rro->kdf & (1U << ESPRIM_KDF_HMAC_SHA256)))
		return esprim_fail(err, ESPRIM_RSC_UNSUPPORTED_OPTION,
				   "receiver rand object does not offer HMAC-SHA256");
	/* Whole seconds on the wire: round down to stay within the rro. */
	if (expiry_ms > rro->expiry_ms)
		expiry_ms = rro->expiry_ms;
	return esprim_rand_new(o, false, id, expiry_ms / 1000 * 1000,
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
