// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What an opened request says about its sender: the content type of the
 * primitive (profile B.12), peer identities and the TS-0003 7.2.2 From
 * check (profile B.11), read from the JSON primitive in one pass without
 * allocating.
 *
 * Content types (esprim_cty_kind, esprim_cty_is_json).  RFC 7515 4.1.10:
 * a value without '/' has "application/" implied.  The media type is the
 * text before the first ';' with the spaces and tabs before that ';'
 * removed; parameters after it are not examined (no oneM2M parameter
 * changes what the primitive is).  Type and subtype compare ASCII
 * case-insensitively; anything else (leading spaces, spaces around the
 * '/', another type) is not a oneM2M primitive.  The kinds are
 * application/vnd.onem2m-preq+{json,xml,cbor} (request) and
 * application/vnd.onem2m-prsp+{json,xml,cbor} (response); only the +json
 * ones are JSON for the From check.
 *
 * Identities (esprim_from_matches).  Both the inner fr and the identity
 * bound to the pairwise key (the peer) are in one of three forms:
 *   absolute       "//sp-id/cse-id[/...]"
 *   SP-relative    "/cse-id[/...]"
 *   CSE-relative   anything not beginning with '/' ("Cxxx")
 * fr is expanded with what the peer's own form supplies: a SP-relative fr
 * takes the peer's SP-ID ("//sp-id"), a CSE-relative one the peer's SP-ID
 * and CSE-ID ("//sp-id/cse-id/").  The peer is never expanded (nothing
 * here knows which SP or CSE it is relative to), so:
 *   - an absolute peer matches fr in any of the three forms;
 *   - a SP-relative peer "/cse-id/..." matches a SP-relative fr, and a
 *     CSE-relative fr expanded with "/cse-id/"; never an absolute fr;
 *   - a CSE-relative peer ("Cgw1") matches only the identical fr.
 * After expansion the bytes must be equal: no case folding, no removal of
 * a trailing '/'.  An empty fr names nobody.  The SP-ID and CSE-ID of the
 * peer are its first and second non-empty segments; a peer that is the
 * CSE itself ("//sp/cse1") only matches fr that expand to exactly it.
 *
 * The JSON (esprim_check_from).  As strict as jansson's json_loadb() with
 * JSON_REJECT_DUPLICATES and without JSON_ALLOW_NUL, for the decision
 * taken here: the text must be one JSON object with optional whitespace
 * around; strings without raw control characters, with valid escapes
 * (surrogates paired, no \u0000 anywhere) and valid UTF-8 (no overlong
 * forms, surrogates or code points past U+10FFFF); literals, numbers
 * (integers within int64_t, reals that do not overflow a double) and
 * punctuation where JSON puts them; at most 2048 levels of nesting,
 * counted as jansson counts them (a scalar counts one more level).
 * Member names are compared after unescaping, so "f\u0072" is "fr".  The
 * object must have exactly one top-level member "fr" (members named "fr"
 * further down are not the request's From) and its value must be a
 * string; that string is unescaped before it is compared.  Unlike
 * jansson, other repeated member names are not refused: finding them all
 * would need memory proportional to the text, and they do not change
 * what the From is.
 */
#include <endian.h>
#include <string.h>

#include "esprim_internal.h"

/* ---- content types ---- */

static bool esprim_ascii_caseeq(const char *a, const char *lower, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = a[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lower[i])
			return false;
	}
	return true;
}

/* The subtype of a cty, or NULL when the type is not "application". */
static const char *esprim_cty_subtype(const char *cty, size_t *len)
{
	const char *semi = memchr(cty, ';', *len);
	size_t n = *len;

	if (semi) {
		n = (size_t)(semi - cty);
		while (n && (cty[n - 1] == ' ' || cty[n - 1] == '\t'))
			n--;
	}
	*len = n;
	if (!memchr(cty, '/', n))
		return cty;
	if (n < 12 || !esprim_ascii_caseeq(cty, "application/", 12))
		return NULL;
	*len = n - 12;
	return cty + 12;
}

/*
 * 0 for none, else ESPRIM_CTY_KIND_* and *json whether the suffix is
 * +json.
 */
static enum esprim_cty_kind esprim_cty_parse(const char *cty, size_t len,
					     bool *json)
{
	static const char preq[] = "vnd.onem2m-preq+";
	static const char prsp[] = "vnd.onem2m-prsp+";
	const size_t plen = sizeof(preq) - 1;
	enum esprim_cty_kind kind;
	const char *sub, *sfx;
	size_t slen;

	*json = false;
	if (!cty)
		return ESPRIM_CTY_NONE;
	sub = esprim_cty_subtype(cty, &len);
	if (!sub || len <= plen)
		return ESPRIM_CTY_NONE;
	if (esprim_ascii_caseeq(sub, preq, plen))
		kind = ESPRIM_CTY_KIND_REQUEST;
	else if (esprim_ascii_caseeq(sub, prsp, plen))
		kind = ESPRIM_CTY_KIND_RESPONSE;
	else
		return ESPRIM_CTY_NONE;
	sfx = sub + plen;
	slen = len - plen;
	if (slen == 4 && esprim_ascii_caseeq(sfx, "json", 4))
		*json = true;
	else if (!(slen == 3 && esprim_ascii_caseeq(sfx, "xml", 3)) &&
		 !(slen == 4 && esprim_ascii_caseeq(sfx, "cbor", 4)))
		return ESPRIM_CTY_NONE;
	return kind;
}

enum esprim_cty_kind esprim_cty_kind(const char *cty, size_t len)
{
	bool json;

	return esprim_cty_parse(cty, len, &json);
}

bool esprim_cty_is_json(const char *cty, size_t len)
{
	bool json;

	return esprim_cty_parse(cty, len, &json) != ESPRIM_CTY_NONE && json;
}

/* ---- identities ---- */

/* The kernel's rule for a pairwise key's peer (uapi header). */
bool esprim_is_identity(const char *s, size_t n)
{
	size_t i;

	if (!s || !n || n > ONEM2M_ESPRIM_MAX_PEER_LEN)
		return false;
	for (i = 0; i < n; i++)
		if ((uint8_t)s[i] < 0x21 || (uint8_t)s[i] > 0x7e)
			return false;
	return true;
}

/* Index of the next '/' at or after i, or n. */
static size_t esprim_next_slash(const char *s, size_t i, size_t n)
{
	const char *p = i < n ? memchr(s + i, '/', n - i) : NULL;

	return p ? (size_t)(p - s) : n;
}

/*
 * How many leading bytes of peer are to be put before fr, or -1 when the
 * peer's form does not supply what fr lacks.  The expansion ends in '/'
 * for a CSE-relative fr: that '/' is the peer's own.
 */
static long esprim_from_prefix(const char *fr, size_t fr_len,
			       const char *peer, size_t peer_len)
{
	bool fr_abs = fr_len >= 2 && fr[0] == '/' && fr[1] == '/';
	bool fr_sp = !fr_abs && fr[0] == '/';
	size_t sp, cse;

	if (peer_len >= 2 && peer[0] == '/' && peer[1] == '/') {
		if (fr_abs)
			return 0;
		sp = esprim_next_slash(peer, 2, peer_len);
		if (sp == 2)
			return -1;		/* no SP-ID */
		if (fr_sp)
			return (long)sp;
		cse = esprim_next_slash(peer, sp + 1, peer_len);
		if (sp == peer_len || cse == sp + 1 || cse == peer_len)
			return -1;	/* no CSE-ID, or no room for fr */
		return (long)cse + 1;
	}
	if (peer[0] == '/') {
		if (fr_abs)
			return -1;		/* the peer's SP is unknown */
		if (fr_sp)
			return 0;
		cse = esprim_next_slash(peer, 1, peer_len);
		if (cse == 1 || cse == peer_len)
			return -1;
		return (long)cse + 1;
	}
	return fr[0] == '/' ? -1 : 0;
}

/* A printable excerpt of untrusted bytes for messages. */
static const char *esprim_excerpt(char *buf, size_t size, const char *s,
				  size_t n)
{
	size_t i;

	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[n] = 0;
	return buf;
}

int esprim_from_matches(const char *fr, size_t fr_len, const char *peer,
			struct esprim_error *err)
{
	size_t peer_len = peer ? strlen(peer) : 0;
	char shown[65];
	long pre;

	if (!peer_len)
		return esprim_fail(err, ESPRIM_RSC_IMPERSONATION_ERROR,
				   "no identity is bound to the pairwise key");
	if (!fr || !fr_len)
		return esprim_fail(err, ESPRIM_RSC_IMPERSONATION_ERROR,
				   "inner From is empty");
	pre = esprim_from_prefix(fr, fr_len, peer, peer_len);
	if (pre < 0 || peer_len != (size_t)pre + fr_len ||
	    memcmp(peer + pre, fr, fr_len))
		return esprim_fail(err, ESPRIM_RSC_IMPERSONATION_ERROR,
				   "inner From \"%s\" does not name %.64s, the identity bound to the pairwise key",
				   esprim_excerpt(shown, sizeof(shown), fr,
						  fr_len), peer);
	return 0;
}

/* ---- the JSON scan ---- */

#define ESPRIM_JSON_MAX_DEPTH	2048	/* jansson's JSON_PARSER_MAX_DEPTH */
#define ESPRIM_ONES		0x0101010101010101ULL

/* Where a string's decoded bytes go, when they are wanted. */
struct esprim_jstr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool over;		/* more than cap bytes */
};

static void esprim_jstr_put(struct esprim_jstr *d, const uint8_t *s,
			    size_t n)
{
	if (!d)
		return;
	if (n > d->cap - d->len) {
		d->over = true;
		n = d->cap - d->len;
	}
	memcpy(d->buf + d->len, s, n);
	d->len += n;
}

/*
 * Bit 7 of each byte of x that is '"', '\\', a control character or not
 * ASCII.  A borrow may set bits above a real hit, never below one, so the
 * lowest bit set is exact.
 */
static inline uint64_t esprim_json_special(uint64_t x)
{
	uint64_t q = x ^ (ESPRIM_ONES * '"');
	uint64_t b = x ^ (ESPRIM_ONES * '\\');

	return ((x - ESPRIM_ONES * 0x20) | (q - ESPRIM_ONES) |
		(b - ESPRIM_ONES) | x) & (ESPRIM_ONES * 0x80);
}

static inline bool esprim_json_plain(uint8_t c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), or 0. */
static size_t esprim_utf8_len(const uint8_t *p, const uint8_t *end)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;		/* past U+10FFFF */
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Four hex digits at p, or -1. */
static long esprim_hex4(const uint8_t *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		uint8_t c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * An escape at p (the '\\'): its decoded bytes into d; the byte after
 * it, or NULL when it is invalid.
 */
static const uint8_t *esprim_json_escape(const uint8_t *p,
					 const uint8_t *end,
					 struct esprim_jstr *d)
{
	uint8_t u[4];
	long cp, lo;

	if (end - p < 2)
		return NULL;
	switch (p[1]) {
	case '"': case '\\': case '/':
		u[0] = p[1];
		break;
	case 'b':
		u[0] = '\b';
		break;
	case 'f':
		u[0] = '\f';
		break;
	case 'n':
		u[0] = '\n';
		break;
	case 'r':
		u[0] = '\r';
		break;
	case 't':
		u[0] = '\t';
		break;
	case 'u':
		if (end - p < 6 || (cp = esprim_hex4(p + 2)) <= 0)
			return NULL;	/* \u0000: jansson refuses NUL */
		p += 6;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return NULL;	/* a lone low surrogate */
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
				return NULL;
			lo = esprim_hex4(p + 2);
			if (lo < 0xdc00 || lo > 0xdfff)
				return NULL;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		}
		if (cp < 0x80) {
			u[0] = (uint8_t)cp;
			esprim_jstr_put(d, u, 1);
		} else if (cp < 0x800) {
			u[0] = (uint8_t)(0xc0 | cp >> 6);
			u[1] = (uint8_t)(0x80 | (cp & 0x3f));
			esprim_jstr_put(d, u, 2);
		} else if (cp < 0x10000) {
			u[0] = (uint8_t)(0xe0 | cp >> 12);
			u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			u[2] = (uint8_t)(0x80 | (cp & 0x3f));
			esprim_jstr_put(d, u, 3);
		} else {
			u[0] = (uint8_t)(0xf0 | cp >> 18);
			u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
			u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			u[3] = (uint8_t)(0x80 | (cp & 0x3f));
			esprim_jstr_put(d, u, 4);
		}
		return p;
	default:
		return NULL;
	}
	esprim_jstr_put(d, u, 1);
	return p + 2;
}

/*
 * A string whose opening quote is before p: decoded into d when d is not
 * NULL.  The byte after the closing quote, or NULL when invalid.
 */
static const uint8_t *esprim_json_string(const uint8_t *p,
					 const uint8_t *end,
					 struct esprim_jstr *d)
{
	for (;;) {
		const uint8_t *run = p;
		size_t n;

		/* Plain bytes eight at a time: the bulk of a primitive. */
		while (end - p >= 8) {
			uint64_t x, m;

			memcpy(&x, p, 8);
			m = esprim_json_special(le64toh(x));
			if (m) {
				p += __builtin_ctzll(m) >> 3;
				break;
			}
			p += 8;
		}
		while (p < end && esprim_json_plain(*p))
			p++;
		esprim_jstr_put(d, run, (size_t)(p - run));
		if (p == end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			p = esprim_json_escape(p, end, d);
			if (!p)
				return NULL;
		} else if (*p < 0x20) {
			return NULL;
		} else {
			n = esprim_utf8_len(p, end);
			if (!n)
				return NULL;
			esprim_jstr_put(d, p, n);
			p += n;
		}
	}
}

static inline bool esprim_is_digit(const uint8_t *p, const uint8_t *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/*
 * 2^1024 - 2^970, the least magnitude strtod() rounds to infinity, which
 * jansson refuses: its digits, to compare with a real's.
 */
static const char esprim_dbl_limit[] =
	"1797693134862315807937289714053034150799341327100378269361737789"
	"8044496829276475094664901797758720709633028641669288791094655554"
	"7851940402630657488671505820681908902000708383676273854845817711"
	"5317644757302700698555713669596228429148198608349364752927190741"
	"68444365510704342711559699508093042880177904174497792";

/*
 * Whether the real with integer digits [ip, ie), fraction digits [fp, fe)
 * and exponent exp rounds to infinity as a double.
 */
static bool esprim_real_overflows(const uint8_t *ip, const uint8_t *ie,
				  const uint8_t *fp, const uint8_t *fe,
				  int64_t exp)
{
	const int64_t limit_exp = sizeof(esprim_dbl_limit) - 1;
	const uint8_t *p = ip;
	int64_t e = ie - ip;
	size_t i;

	/* value = 0.D * 10^e, D the digits without leading zeros */
	for (;;) {
		if (p == ie)
			p = fp;
		if (p == fe || !p)
			return false;		/* zero */
		if (*p != '0')
			break;
		p++;
		e--;
	}
	e += exp;
	if (e != limit_exp)
		return e > limit_exp;
	for (i = 0; i < sizeof(esprim_dbl_limit) - 1; i++, p++) {
		if (p == ie)
			p = fp;
		if (p == fe || !p)
			return false;		/* a prefix of the limit */
		if (*p != (uint8_t)esprim_dbl_limit[i])
			return *p > (uint8_t)esprim_dbl_limit[i];
	}
	return true;				/* at least the limit */
}

/* A number at p; the byte after it, or NULL as jansson refuses it. */
static const uint8_t *esprim_json_number(const uint8_t *p,
					 const uint8_t *end)
{
	const uint8_t *ip, *ie, *fp = NULL, *fe = NULL;
	bool neg = *p == '-', real = false;
	int64_t exp = 0;

	if (neg)
		p++;
	ip = p;
	if (!esprim_is_digit(p, end))
		return NULL;
	if (*p++ == '0') {
		if (esprim_is_digit(p, end))
			return NULL;		/* leading zero */
	} else {
		while (esprim_is_digit(p, end))
			p++;
	}
	ie = p;
	if (p < end && *p == '.') {
		fp = ++p;
		if (!esprim_is_digit(p, end))
			return NULL;
		while (esprim_is_digit(p, end))
			p++;
		fe = p;
		real = true;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (!esprim_is_digit(p, end))
			return NULL;
		/* Saturates far beyond any exponent that matters. */
		for (; esprim_is_digit(p, end); p++)
			if (exp < 1000000000)
				exp = exp * 10 + (*p - '0');
		if (eneg)
			exp = -exp;
		real = true;
	}
	if (!real) {
		/* int64_t, as strtoll() takes it. */
		static const char max[] = "9223372036854775807";
		static const char min[] = "9223372036854775808";
		size_t n = (size_t)(ie - ip);

		if (n > 19 || (n == 19 && memcmp(ip, neg ? min : max, 19) > 0))
			return NULL;
		return p;
	}
	return esprim_real_overflows(ip, ie, fp, fe, exp) ? NULL : p;
}

static inline const uint8_t *esprim_json_ws(const uint8_t *p,
					    const uint8_t *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' ||
			   *p == '\t'))
		p++;
	return p;
}

static bool esprim_json_literal(const uint8_t **p, const uint8_t *end,
				const char *word, size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

#define ESPRIM_BAD(why)	do { what = (why); goto bad; } while (0)

int esprim_check_from(const char *text, size_t len, const char *peer,
		      struct esprim_error *err)
{
	const uint8_t *p = (const uint8_t *)text, *end = p + len;
	/* Bit set: the container at that depth is an object. */
	uint8_t objects[ESPRIM_JSON_MAX_DEPTH / 8];
	uint8_t frbuf[ONEM2M_ESPRIM_MAX_PEER_LEN + 1], keybuf[2];
	struct esprim_jstr fr = { frbuf, sizeof(frbuf), 0, false };
	struct esprim_jstr key = { keybuf, sizeof(keybuf), 0, false };
	const char *what;
	unsigned int depth = 1, nfr = 0;
	bool in_object;

	if (!text)
		ESPRIM_BAD("no text");
	p = esprim_json_ws(p, end);
	if (p == end || *p != '{')
		ESPRIM_BAD("not a JSON object");
	p++;
	objects[0] = 1;

object_first:			/* after '{' */
	p = esprim_json_ws(p, end);
	if (p < end && *p == '}') {
		p++;
		goto close;
	}
member:				/* a member name is due */
	if (p == end || *p != '"')
		ESPRIM_BAD("member name expected");
	if (depth == 1) {
		key.len = 0;
		key.over = false;
		p = esprim_json_string(p + 1, end, &key);
	} else {
		p = esprim_json_string(p + 1, end, NULL);
	}
	if (!p)
		ESPRIM_BAD("invalid string");
	p = esprim_json_ws(p, end);
	if (p == end || *p != ':')
		ESPRIM_BAD("':' expected");
	p = esprim_json_ws(p + 1, end);
	if (depth == 1 && !key.over && key.len == 2 &&
	    !memcmp(keybuf, "fr", 2)) {
		if (++nfr > 1)
			ESPRIM_BAD("two members \"fr\"");
		if (p == end || *p != '"')
			ESPRIM_BAD("\"fr\" is not a string");
		p = esprim_json_string(p + 1, end, &fr);
		if (!p)
			ESPRIM_BAD("invalid string");
		goto next;
	}
value:				/* a value is due at p */
	if (p == end)
		ESPRIM_BAD("value expected");
	if (*p == '{' || *p == '[') {
		/* jansson counts the container's level... */
		if (depth >= ESPRIM_JSON_MAX_DEPTH)
			ESPRIM_BAD("nested too deeply");
		if (*p == '{')
			objects[depth / 8] |= (uint8_t)(1u << (depth % 8));
		else
			objects[depth / 8] &= (uint8_t)~(1u << (depth % 8));
		depth++;
		if (*p++ == '{')
			goto object_first;
		p = esprim_json_ws(p, end);
		if (p < end && *p == ']') {
			p++;
			goto close;
		}
		goto value;
	}
	/* ... and a scalar's as one more. */
	if (depth >= ESPRIM_JSON_MAX_DEPTH)
		ESPRIM_BAD("nested too deeply");
	switch (*p) {
	case '"':
		p = esprim_json_string(p + 1, end, NULL);
		break;
	case 't':
		p = esprim_json_literal(&p, end, "true", 4) ? p : NULL;
		break;
	case 'f':
		p = esprim_json_literal(&p, end, "false", 5) ? p : NULL;
		break;
	case 'n':
		p = esprim_json_literal(&p, end, "null", 4) ? p : NULL;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		p = esprim_json_number(p, end);
		break;
	default:
		p = NULL;
	}
	if (!p)
		ESPRIM_BAD("invalid value");
next:				/* after a value */
	in_object = objects[(depth - 1) / 8] & (1u << ((depth - 1) % 8));
	p = esprim_json_ws(p, end);
	if (p == end)
		ESPRIM_BAD("unterminated");
	if (*p == ',') {
		p = esprim_json_ws(p + 1, end);
		if (in_object)
			goto member;
		goto value;
	}
	if (*p != (in_object ? '}' : ']'))
		ESPRIM_BAD("',' or end of container expected");
	p++;
close:				/* after the end of a container */
	if (--depth)
		goto next;
	if (esprim_json_ws(p, end) != end)
		ESPRIM_BAD("text after the object");
	if (!nfr)
		ESPRIM_BAD("no member \"fr\"");
	if (fr.over)
		return esprim_fail(err, ESPRIM_RSC_IMPERSONATION_ERROR,
				   "inner From of more than %d bytes",
				   ONEM2M_ESPRIM_MAX_PEER_LEN);
	return esprim_from_matches((const char *)frbuf, fr.len, peer, err);

bad:
	return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
			   "inner request is not a JSON object with one string member \"fr\": %s at byte %zu",
			   what, p ? (size_t)(p - (const uint8_t *)text) : len);
}
