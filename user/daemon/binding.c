// SPDX-License-Identifier: GPL-2.0
/*
 * The oneM2M HTTP binding (TS-0009 V3.9.1) as a mapping between HTTP
 * messages and JSON primitives (TS-0004 V3.32 short names), both ways,
 * for the sidecar in front of an unmodified CSE (binding.h).
 *
 * Request-Line (TS-0009 6.2):
 *   POST + Content-Type ty=N  op 1 (Create), ty N
 *   POST without ty           op 5 (Notify)
 *   GET, PUT, DELETE          op 2, 3, 4; any other method is refused
 *                             with 4000 (the caller answers 405)
 *   path "/~/cse-id/rest"     to "/cse-id/rest"        (SP-relative)
 *   path "/_/sp-id/cse/rest"  to "//sp-id/cse/rest"    (absolute)
 *   path "/rest"              to "rest"                (CSE-relative)
 * Segments are percent-decoded on the way in and everything outside RFC
 * 3986 pchar percent-encoded on the way out; an empty, "." or ".."
 * segment is refused, and so is a segment with '/' or '#' once decoded
 * ('#' starts the attribute of a partial Retrieve in a To).
 *
 * Header fields (TS-0009 6.4), request and response unless said:
 *   X-M2M-Origin  fr        X-M2M-RI    rqi       X-M2M-RVI  rvi
 *   X-M2M-GID     gid (rq)  X-M2M-RTU   rt.nu (rq, '&'-separated)
 *   X-M2M-OT      ot        X-M2M-RST   rset      X-M2M-RET  rqet (rq)
 *   X-M2M-OET     oet (rq)  X-M2M-EC    ec (integer)
 *   X-M2M-VSI     vsi       X-M2M-AS    aus (rq, '+'-separated list)
 *   X-M2M-RSC     rsc (rs, integer, required)
 *   X-M2M-CTS     cnst (rs, integer)        X-M2M-CTO  cnot (rs, integer)
 *   X-M2M-ATI     ati (rs, "lti:tkid+lti:tkid" <-> {"ltia":[{lti,tkid}]})
 *   X-M2M-ASRI    asri (rs, boolean)
 * X-M2M-Origin and X-M2M-RI are required in requests (X-M2M-Origin but
 * for the Create of an <AE>, ty 2: TS-0004 Table 6.4.1-1 note 2), X-M2M-RSC
 * and X-M2M-RI in responses.  Other headers are ignored (TS-0009 6.4.0);
 * the Authorization header (Tokens, tkns) is not mapped: it also carries
 * the HTTP credentials of the hop to the sidecar.  Content-Location is not
 * a parameter: a 2001 response gets it back from the m2m:uri or
 * m2m:rce/uri of its pc (TS-0009 6.4.4), else it has none.
 *
 * Query string (TS-0009 Table 6.2.2.2-1): rt (rt.rtv), rp, rcn, da, drt,
 * rids, tids, ltids, tqi, asi, auri, sqi at the top; crb, cra, ms, us,
 * sts, stb, exb, exa, lbl, ty, sza, szb, cty, lim, fu, smf, fo, cfs, cfq,
 * lvl, ofst in fc; the members TS-0004 V3.32 added to filterCriteria
 * (Table 6.3.5.8-1) under their short names: lbq, clbl, palb, chty, pty,
 * arp; "name=value" for a resource attribute short name of TS-0004
 * Tables 8.2.3-1 to -6 into fc.atr ({"nm","val"}), "c.name=value" into
 * fc.catr and "p.name=value" into fc.patr; atrl (partial Retrieve) into
 * pc's m2m:atrl.  List parameters (lbl, ty, cty, rids, tids, ltids, clbl,
 * palb, chty, pty, atrl) may be repeated and '+'-separated, smf and the
 * attributes repeated; every other parameter at most once.  Integers and
 * booleans ("true", "false", "1", "0") where TS-0004 has them.
 *
 * Body: JSON only (application/json or application/vnd.onem2m-res+json,
 * case-insensitive, parameters ty and charset=utf-8), one object, no
 * duplicate keys.
 *
 * What comes out is what goes back in: request -> primitive -> request
 * gives the same method, To, parameters and body, in a canonical form
 * (lists '+'-joined, booleans "true"/"false", decimal integers without
 * leading zeros, only what is not pchar percent-encoded).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "binding.h"
#include "http.h"

#define RSC_BAD_REQUEST	4000
#define RSC_INTERNAL	5000
#define RSC_CREATED	2001
#define TY_MAX		99999	/* http_check.c's bound too */
#define RSC_MAX		9999
#define MAX_HEADERS	24	/* more than every mapped header at once */
#define SHOW		40	/* characters of a name in a reason */

/* RFC 3986 beyond ALPHA and DIGIT: pchar, and what a query value keeps. */
#define PCHAR_OTHER	"-._~!$&'()*+,;=:@"
#define QUERY_IN_OTHER	PCHAR_OTHER "/?"
#define QUERY_OUT_OTHER	"-._~!$'()*,:@/"

#define JSON_CT		"application/json"
#define RES_JSON_CT	"application/vnd.onem2m-res+json"

/* Where a message goes, for the header table. */
#define DIR_REQ		1
#define DIR_RSP		2

/**
 * struct ctx - the reason of a refusal
 * @err: where it goes
 * @err_size: its size
 * @bad: the RSC of a message that breaks the binding: 4000 for requests
 *	and primitives, 5000 for a CSE's response
 */
struct ctx {
	char *err;
	size_t err_size;
	int bad;
};

struct span {
	const char *p;
	size_t n;
};

/* The types of values: scalars, then lists. */
enum vtype {
	V_STR,		/* a non-empty string */
	V_ART,		/* m2m:absRelTimestamp: a string, or an integer */
	V_UINT,		/* xs:nonNegativeInteger and enumerations */
	V_POS,		/* xs:positiveInteger */
	V_TY,		/* m2m:resourceType: 1..TY_MAX */
	V_BOOL,
	V_RVI,		/* m2m:releaseVersion */
	V_RSC,		/* an RSC of TS-0009 Table 6.3.2-1 */
	L_STRS,		/* query: strings, '+'-separated, repeatable */
	L_TYS,		/* query: resource types, likewise */
	L_SMF,		/* query: strings, repeatable, '+' is literal */
	L_NU,		/* X-M2M-RTU: URIs, '&'-separated, may be empty */
	L_AS,		/* X-M2M-AS: signatures, '+'-separated */
	L_ATI,		/* X-M2M-ATI: lti:tkid pairs, '+'-separated */
};

struct hmap {
	const char *name;
	const char *key;
	unsigned char type;
	unsigned char dir;
};

/* TS-0009 6.4; the order is the order of the headers sent. */
static const struct hmap hmaps[] = {
	{ "X-M2M-RSC",	"rsc",	V_RSC,	DIR_RSP },
	{ "X-M2M-Origin", "fr",	V_STR,	DIR_REQ | DIR_RSP },
	{ "X-M2M-RI",	"rqi",	V_STR,	DIR_REQ | DIR_RSP },
	{ "X-M2M-RVI",	"rvi",	V_RVI,	DIR_REQ | DIR_RSP },
	{ "X-M2M-GID",	"gid",	V_STR,	DIR_REQ },
	{ "X-M2M-RTU",	"rt",	L_NU,	DIR_REQ },
	{ "X-M2M-OT",	"ot",	V_STR,	DIR_REQ | DIR_RSP },
	{ "X-M2M-RST",	"rset",	V_ART,	DIR_REQ | DIR_RSP },
	{ "X-M2M-RET",	"rqet",	V_ART,	DIR_REQ },
	{ "X-M2M-OET",	"oet",	V_ART,	DIR_REQ },
	{ "X-M2M-EC",	"ec",	V_UINT,	DIR_REQ | DIR_RSP },
	{ "X-M2M-VSI",	"vsi",	V_STR,	DIR_REQ | DIR_RSP },
	{ "X-M2M-AS",	"aus",	L_AS,	DIR_REQ },
	{ "X-M2M-CTS",	"cnst",	V_UINT,	DIR_RSP },
	{ "X-M2M-CTO",	"cnot",	V_POS,	DIR_RSP },
	{ "X-M2M-ATI",	"ati",	L_ATI,	DIR_RSP },
	{ "X-M2M-ASRI",	"asri",	V_BOOL,	DIR_RSP },
};

enum where { W_TOP, W_RT, W_FC, W_ATRL };

struct qfield {
	const char *name;
	unsigned char type;
	unsigned char where;
};

/* TS-0009 Table 6.2.2.2-1 (and 6.2.2.2 for atrl); the order sent. */
static const struct qfield qfields[] = {
	{ "rt",		V_UINT,	W_RT },
	{ "rp",		V_ART,	W_TOP },
	{ "rcn",	V_UINT,	W_TOP },
	{ "da",		V_BOOL,	W_TOP },
	{ "drt",	V_UINT,	W_TOP },
	{ "rids",	L_STRS,	W_TOP },
	{ "tids",	L_STRS,	W_TOP },
	{ "ltids",	L_STRS,	W_TOP },
	{ "tqi",	V_BOOL,	W_TOP },
	{ "asi",	V_BOOL,	W_TOP },
	{ "auri",	V_BOOL,	W_TOP },
	{ "sqi",	V_BOOL,	W_TOP },
	{ "crb",	V_STR,	W_FC },
	{ "cra",	V_STR,	W_FC },
	{ "ms",		V_STR,	W_FC },
	{ "us",		V_STR,	W_FC },
	{ "sts",	V_POS,	W_FC },
	{ "stb",	V_UINT,	W_FC },
	{ "exb",	V_STR,	W_FC },
	{ "exa",	V_STR,	W_FC },
	{ "lbl",	L_STRS,	W_FC },
	{ "lbq",	V_STR,	W_FC },
	{ "clbl",	L_STRS,	W_FC },
	{ "palb",	L_STRS,	W_FC },
	{ "ty",		L_TYS,	W_FC },
	{ "chty",	L_TYS,	W_FC },
	{ "pty",	L_TYS,	W_FC },
	{ "sza",	V_UINT,	W_FC },
	{ "szb",	V_POS,	W_FC },
	{ "cty",	L_STRS,	W_FC },
	{ "lim",	V_UINT,	W_FC },
	{ "fu",		V_UINT,	W_FC },
	{ "smf",	L_SMF,	W_FC },
	{ "fo",		V_UINT,	W_FC },
	{ "cfs",	V_UINT,	W_FC },
	{ "cfq",	V_STR,	W_FC },
	{ "lvl",	V_POS,	W_FC },
	{ "ofst",	V_POS,	W_FC },
	{ "arp",	V_STR,	W_FC },
	{ "atrl",	L_STRS,	W_ATRL },
};

/* The attribute conditions of fc and their prefixes in the query. */
static const struct {
	const char *key;
	const char *prefix;
} attr_conds[] = {
	{ "atr", "" },
	{ "catr", "c." },
	{ "patr", "p." },
};

/*
 * The resource attribute short names of TS-0004 V3.32 Tables 8.2.3-1 to
 * 8.2.3-6, sorted for bsearch(): what may stand left of '=' in an
 * attribute condition of the query.
 */
static const char *const attr_names[] = {
	"aa", "aae", "aai", "acmlk", "acn", "acpi", "acrs", "act", "acts",
	"adri", "aec", "aecs", "aei", "aid", "ail", "airi", "ajir", "ajop",
	"ant", "apci", "ape", "api", "apn", "apri", "ari", "arq", "asd",
	"at", "att", "awi", "bn", "bop", "btl", "bts", "ca", "can", "cas",
	"cb", "cbs", "cdi", "cei", "clst", "cmlk", "cmt", "cnd", "cnf", "cni",
	"cnm", "cnty", "con", "conr", "cp", "cpn", "cr", "crv", "cs", "csi",
	"cst", "csy", "csz", "ct", "cus", "daci", "dae", "dal", "dap", "dc",
	"dcrp", "dcse", "dda", "dea", "dec", "dev", "dgt", "di", "dir", "dis",
	"disr", "dlb", "dmd", "doet", "dqet", "dr", "drp", "drr", "ds",
	"dset", "dsp", "dtw", "dty", "dvd", "dvnm", "dvt", "ec", "egid",
	"ena", "enc", "encs", "eris", "erts", "esi", "et", "eve", "evi",
	"evs", "evt", "exc", "exd", "exe", "exf", "exm", "exn", "exr", "exra",
	"exs", "ext", "exy", "far", "fr", "fu", "fucd", "fwn", "fwv", "gec",
	"ggi", "gli", "gn", "gpi", "gta", "hael", "hcl", "hsl", "hwv", "in",
	"inp", "ins", "iptd", "jpin", "lbl", "lda", "ldv", "lec", "lga",
	"lgd", "lgo", "lgst", "lgt", "li", "lit", "ln", "lnh", "lnk", "loc",
	"loet", "loi", "lon", "lor", "los", "lost", "lot", "lou", "lqet",
	"lrp", "ls", "lset", "lt", "luec", "macp", "mad", "man", "mbfs",
	"mbft", "mbs", "mdc", "mdd", "mdlt", "mdn", "mdt", "mei", "mfd",
	"mfdl", "mgca", "mgd", "mgft", "mgs", "mi", "mia", "mid", "miid",
	"mjid", "mli", "mma", "mmt", "mni", "mnm", "mod", "mrf", "mrt", "mrv",
	"msm", "mst", "mt", "mtcc", "mtv", "nar", "nco", "ncp", "nct", "nec",
	"nfu", "ni", "nic", "nid", "nl", "non", "npi", "nrq", "nsp", "ntu",
	"nu", "obis", "obps", "od", "ohc", "oip", "olo", "ontc", "ontf", "op",
	"opt", "or", "org", "ors", "osd", "osv", "out", "pc", "pei", "peid",
	"pi", "plbl", "pn", "poa", "prg", "ps", "psn", "ptl", "purl", "pv",
	"pvs", "rbo", "rch", "rct", "rctn", "regs", "rels", "rgt", "ri",
	"rid", "rids", "rl", "rlid", "rlk", "rlkl", "rlnm", "rltl", "rms",
	"rn", "ror", "rqps", "rqv", "rr", "rrat", "rrats", "rrs", "rrt", "rs",
	"rsps", "rstt", "rstw", "rtm", "sci", "scp", "se", "sgp", "sld",
	"sli", "sm", "smod", "snr", "soe", "soi", "spty", "spur", "sr",
	"srat", "srs", "srt", "srv", "ss", "ssi", "sst", "st", "su", "sus",
	"svd", "swn", "swt", "swv", "syst", "tct", "tctl", "tept", "text",
	"tg", "tia", "tiae", "tid", "tids", "tio", "tirt", "tkau", "tkex",
	"tkhd", "tkid", "tkis", "tkna", "tknb", "tknm", "tkns", "tkob",
	"tkps", "tltm", "tltp", "tmd", "tmgi", "tmh", "tmr", "to", "tpe",
	"tren", "trf", "tri", "trn", "trps", "trst", "tsg", "tst", "ttn",
	"tvt", "tws", "twt", "ty", "ud", "uds", "un", "uptd", "url", "vlde",
	"vpn", "vr",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- reasons ---- */

__attribute__((format(printf, 3, 0)))
static int vfail(struct ctx *c, int rsc, const char *fmt, va_list ap)
{
	char *p;

	if (c->err && c->err_size) {
		vsnprintf(c->err, c->err_size, fmt, ap);
		/* Names and jansson's messages quote the input: keep ASCII. */
		for (p = c->err; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				*p = '?';
	}
	return rsc;
}

/* The reason of a message that breaks the binding; returns c->bad. */
__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, c->bad, fmt, ap);
	va_end(ap);
	return rc;
}

__attribute__((format(printf, 3, 4)))
static int failc(struct ctx *c, int rsc, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, rsc, fmt, ap);
	va_end(ap);
	return rc;
}

static int oom(struct ctx *c)
{
	return failc(c, RSC_INTERNAL, "out of memory");
}

/* Sets key of obj to v (a new reference, NULL when out of memory). */
static int set_new(struct ctx *c, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v))
		return oom(c);
	return 0;
}

static int append_new(struct ctx *c, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v))
		return oom(c);
	return 0;
}

/* ---- characters ---- */

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	return (ch | 0x20) - 'a' + 10;
}

static bool is_ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

static struct span trim(const char *p, size_t n)
{
	while (n && is_ows(*p)) {
		p++;
		n--;
	}
	while (n && is_ows(p[n - 1]))
		n--;
	return (struct span){ p, n };
}

static bool printable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static bool has_ctl(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return true;
	return false;
}

static bool span_is(struct span s, const char *want)
{
	return s.n == strlen(want) && !memcmp(s.p, want, s.n);
}

/*
 * Percent-decodes p[0..n) into a new NUL-terminated string after checking
 * that every character is ALPHA, DIGIT, one of other or a %XX.  %00 is
 * refused: values end up in C strings.
 */
static int pct_decode(struct ctx *c, const char *p, size_t n, bool query,
		      const char *what, char **out, size_t *out_n)
{
	const char *other = query ? QUERY_IN_OTHER : PCHAR_OTHER;
	char *d;
	size_t i, k = 0;

	d = malloc(n + 1);
	if (!d)
		return oom(c);
	for (i = 0; i < n; i++) {
		char ch = p[i];

		if (ch == '%') {
			if (i + 2 >= n || !is_hex(p[i + 1]) ||
			    !is_hex(p[i + 2]))
				goto bad;
			ch = (char)(hex_val(p[i + 1]) << 4 | hex_val(p[i + 2]));
			if (!ch) {
				free(d);
				return fail(c, "%s has %%00", what);
			}
			i += 2;
		} else if (!is_alnum(ch) && !(ch && strchr(other, ch))) {
			goto bad;
		}
		d[k++] = ch;
	}
	d[k] = '\0';
	*out = d;
	if (out_n)
		*out_n = k;
	return 0;
bad:
	free(d);
	return fail(c, "%s has a character that is neither RFC 3986 %s nor %%XX",
		    what, query ? "query" : "pchar");
}

static void pct_put(FILE *f, const char *s, size_t n, const char *other)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (is_alnum(ch) || (ch && strchr(other, ch)))
			fputc(ch, f);
		else
			fprintf(f, "%%%02X", (unsigned char)ch);
	}
}

/* ---- growing strings (open_memstream) ---- */

struct buf {
	char *p;
	size_t n;
	FILE *f;
};

static int buf_open(struct ctx *c, struct buf *b)
{
	b->p = NULL;
	b->n = 0;
	b->f = open_memstream(&b->p, &b->n);
	return b->f ? 0 : oom(c);
}

/* Closes b: 0 with *out the string (or freed when out is NULL). */
static int buf_close(struct ctx *c, struct buf *b, char **out, size_t *n)
{
	bool bad = ferror(b->f);

	if (fclose(b->f) || bad) {
		free(b->p);
		return oom(c);
	}
	if (out) {
		*out = b->p;
		if (n)
			*n = b->n;
	} else {
		free(b->p);
	}
	return 0;
}

/* ---- scalars ---- */

/* Decimal digits only, 1 to 18 of them: no sign, no space. */
static bool parse_uint(const char *p, size_t n, json_int_t *out)
{
	json_int_t x = 0;
	size_t i;

	if (!n || n > 18)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (p[i] - '0');
	}
	*out = x;
	return true;
}

static bool rvi_known(const char *p, size_t n)
{
	static const char *const known[] = { "1", "2", "2a", "3", "4", "5" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (n == strlen(known[i]) && !memcmp(p, known[i], n))
			return true;
	return false;
}

static bool int_ok(int type, json_int_t x)
{
	switch (type) {
	case V_POS:
		return x >= 1;
	case V_TY:
		return x >= 1 && x <= TY_MAX;
	case V_RSC:
		return x >= 0 && x <= RSC_MAX && esprimd_http_status((int)x);
	default:
		return x >= 0;
	}
}

static const char *type_name(int type)
{
	switch (type) {
	case V_UINT:
		return "a non-negative integer";
	case V_POS:
		return "a positive integer";
	case V_TY:
		return "a resource type (1 to 99999)";
	case V_RSC:
		return "a Response Status Code of TS-0009 Table 6.3.2-1";
	case V_BOOL:
		return "true, false, 1 or 0";
	case V_RVI:
		return "a release version (1, 2, 2a, 3, 4 or 5)";
	default:
		return "a non-empty string";
	}
}

/* A scalar from its text (p[0..n), no NUL in it) into *out. */
static int scalar_in(struct ctx *c, int type, const char *p, size_t n,
		     const char *what, json_t **out)
{
	json_int_t x;

	*out = NULL;
	switch (type) {
	case V_UINT:
	case V_POS:
	case V_TY:
	case V_RSC:
		if (!parse_uint(p, n, &x) || !int_ok(type, x))
			return fail(c, "%s is not %s", what, type_name(type));
		*out = json_integer(x);
		break;
	case V_BOOL:
		if (span_is((struct span){ p, n }, "true") ||
		    span_is((struct span){ p, n }, "1"))
			*out = json_true();
		else if (span_is((struct span){ p, n }, "false") ||
			 span_is((struct span){ p, n }, "0"))
			*out = json_false();
		else
			return fail(c, "%s is not %s", what, type_name(type));
		break;
	case V_RVI:
		if (!rvi_known(p, n))
			return fail(c, "%s is not %s", what, type_name(type));
		*out = json_stringn(p, n);
		break;
	default:
		if (!n)
			return fail(c, "%s is empty", what);
		*out = json_stringn(p, n);
		/* jansson refuses what is not UTF-8. */
		if (!*out)
			return fail(c, "%s is not UTF-8", what);
		return 0;
	}
	return *out ? 0 : oom(c);
}

/* A string of v without NUL, at least one character; NULL if none. */
static const char *str_of(json_t *v)
{
	const char *s;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (!*s || strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

/* A scalar of a primitive into its text (malloc'ed). */
static int scalar_out(struct ctx *c, int type, json_t *v, const char *what,
		      char **out)
{
	const char *s;

	*out = NULL;
	switch (type) {
	case V_UINT:
	case V_POS:
	case V_TY:
	case V_RSC:
		if (!json_is_integer(v) || !int_ok(type, json_integer_value(v)))
			return fail(c, "%s is not %s", what, type_name(type));
		if (asprintf(out, "%" JSON_INTEGER_FORMAT,
			     json_integer_value(v)) < 0) {
			*out = NULL;
			return oom(c);
		}
		return 0;
	case V_BOOL:
		if (!json_is_boolean(v))
			return fail(c, "%s is not a boolean", what);
		s = json_is_true(v) ? "true" : "false";
		break;
	case V_ART:
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			return scalar_out(c, V_UINT, v, what, out);
		/* fall through */
	default:
		s = str_of(v);
		if (!s || (type == V_RVI && !rvi_known(s, strlen(s))))
			return fail(c, "%s is not %s", what,
				    type_name(type == V_ART ? V_STR : type));
		break;
	}
	*out = strdup(s);
	return *out ? 0 : oom(c);
}

/* ---- the message given ---- */

static int check_http(struct ctx *c, const struct binding_http *in)
{
	size_t i;

	if (!in)
		return failc(c, RSC_BAD_REQUEST, "no message");
	if (in->n_headers && !in->headers)
		return failc(c, RSC_BAD_REQUEST, "no headers");
	for (i = 0; i < in->n_headers; i++)
		if (!in->headers[i].name || !in->headers[i].value)
			return fail(c, "header %zu has no name or value", i);
	if (in->body_len && !in->body)
		return failc(c, RSC_BAD_REQUEST, "no body");
	return 0;
}

/* 1 with *v the trimmed value of the one header name, 0: none, <0: twice */
static int header(struct ctx *c, const struct binding_http *in,
		  const char *name, struct span *v)
{
	size_t i;
	int found = 0;

	for (i = 0; i < in->n_headers; i++) {
		const char *val = in->headers[i].value;

		if (strcasecmp(in->headers[i].name, name))
			continue;
		if (found) {
			fail(c, "%s given more than once", name);
			return -1;
		}
		*v = trim(val, strlen(val));
		found = 1;
	}
	return found;
}

/*
 * Content-Type: application/json or application/vnd.onem2m-res+json,
 * case-insensitive, with at most the parameters ty (*ty, 0 when none) and
 * charset=utf-8.  0 when absent or accepted (*present says which).
 */
static int content_type(struct ctx *c, const struct binding_http *in,
			bool *present, int *ty)
{
	struct span v, s;
	const char *p, *end, *semi;
	json_int_t x;
	int rc;

	*ty = 0;
	rc = header(c, in, "Content-Type", &v);
	*present = rc > 0;
	if (rc <= 0)
		return rc < 0 ? c->bad : 0;
	end = v.p + v.n;
	semi = memchr(v.p, ';', v.n);
	s = trim(v.p, (semi ? semi : end) - v.p);
	if (!((s.n == strlen(JSON_CT) && !strncasecmp(s.p, JSON_CT, s.n)) ||
	      (s.n == strlen(RES_JSON_CT) &&
	       !strncasecmp(s.p, RES_JSON_CT, s.n))))
		return failc(c, RSC_BAD_REQUEST,
			     "Content-Type is not %s or %s: only the JSON serialization is mapped",
			     JSON_CT, RES_JSON_CT);
	for (p = semi; p; p = semi) {
		const char *eq;
		struct span name, val;

		p++;
		semi = memchr(p, ';', end - p);
		s = trim(p, (semi ? semi : end) - p);
		eq = memchr(s.p, '=', s.n);
		if (!eq)
			return fail(c, "Content-Type has a parameter without '='");
		name = trim(s.p, eq - s.p);
		val = trim(eq + 1, s.p + s.n - eq - 1);
		if (name.n == 2 && !strncasecmp(name.p, "ty", 2)) {
			if (*ty)
				return fail(c, "ty given twice in Content-Type");
			if (!parse_uint(val.p, val.n, &x) ||
			    !int_ok(V_TY, x))
				return fail(c, "ty of Content-Type is not %s",
					    type_name(V_TY));
			*ty = (int)x;
		} else if (name.n == 7 && !strncasecmp(name.p, "charset", 7)) {
			if (val.n >= 2 && val.p[0] == '"' &&
			    val.p[val.n - 1] == '"') {
				val.p++;
				val.n -= 2;
			}
			if (val.n != 5 || strncasecmp(val.p, "utf-8", 5))
				return fail(c, "charset of Content-Type is not utf-8");
		} else {
			return fail(c, "Content-Type has a parameter other than ty and charset");
		}
	}
	return 0;
}

/* The body: NULL when there is none, else one JSON object. */
static int body_in(struct ctx *c, const struct binding_http *in,
		   bool has_ct, json_t **pc)
{
	json_error_t e;

	*pc = NULL;
	if (!in->body_len)
		return 0;
	if (!has_ct)
		return fail(c, "a body without Content-Type");
	*pc = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!*pc)
		return fail(c, "the body is not JSON: %s at %d:%d", e.text,
			    e.line, e.column);
	if (!json_is_object(*pc)) {
		json_decref(*pc);
		*pc = NULL;
		return fail(c, "the body is not a JSON object");
	}
	return 0;
}

/* ---- headers ---- */

/* X-M2M-RTU, X-M2M-AS and X-M2M-ATI: a list in one header. */
static int list_header_in(struct ctx *c, const struct hmap *hm,
			  struct span v, json_t **out)
{
	const char *p = v.p, *end = v.p + v.n;
	char sep = hm->type == L_NU ? '&' : '+';
	json_t *arr;
	int rc = 0;

	arr = json_array();
	if (!arr)
		return oom(c);
	/* TS-0004 6.3.5.30: an empty notificationURI list is allowed. */
	while (!(hm->type == L_NU && !v.n)) {
		const char *e = memchr(p, sep, end - p);
		struct span s = trim(p, (e ? e : end) - p);
		const char *colon;
		json_t *ltia;

		if (!s.n) {
			rc = fail(c, "%s has an empty element", hm->name);
			break;
		}
		if (hm->type != L_ATI) {
			rc = append_new(c, arr, json_stringn(s.p, s.n));
		} else {
			struct span lti, tkid;

			colon = memchr(s.p, ':', s.n);
			if (!colon) {
				rc = fail(c, "%s has an element that is not lti:tkid",
					  hm->name);
				break;
			}
			lti = trim(s.p, colon - s.p);
			tkid = trim(colon + 1, s.p + s.n - colon - 1);
			if (!lti.n || !tkid.n) {
				rc = fail(c, "%s has an element that is not lti:tkid",
					  hm->name);
				break;
			}
			ltia = json_pack("{s:s%,s:s%}", "lti", lti.p, lti.n,
					 "tkid", tkid.p, tkid.n);
			rc = append_new(c, arr, ltia);
		}
		if (rc || !e)
			break;
		p = e + 1;
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	if (hm->type == L_ATI) {
		*out = json_pack("{s:o}", "ltia", arr);
		return *out ? 0 : oom(c);
	}
	*out = arr;
	return 0;
}

/*
 * The mapped headers of a message going dir into prim; X-M2M-RTU's list
 * into *nu (NULL when absent).
 */
static int headers_in(struct ctx *c, const struct binding_http *in, int dir,
		      json_t *prim, json_t **nu)
{
	const struct hmap *hm;
	struct span v;
	json_t *j;
	int rc;

	*nu = NULL;
	for (hm = hmaps; hm < hmaps + ARRAY_SIZE(hmaps); hm++) {
		if (!(hm->dir & dir))
			continue;
		rc = header(c, in, hm->name, &v);
		if (rc < 0)
			return c->bad;
		if (!rc)
			continue;
		if (!printable(v.p, v.n))
			return fail(c, "%s is not printable ASCII", hm->name);
		if (hm->type >= L_STRS) {
			rc = list_header_in(c, hm, v, &j);
			if (rc)
				return rc;
			if (hm->type == L_NU) {
				*nu = j;
				continue;
			}
		} else {
			rc = scalar_in(c, hm->type, v.p, v.n, hm->name, &j);
			if (rc)
				return rc;
		}
		rc = set_new(c, prim, hm->key, j);
		if (rc)
			return rc;
	}
	return 0;
}

/* What a header value must be to be read back as it is. */
static int header_value_ok(struct ctx *c, const char *name, const char *s,
			   bool may_be_empty)
{
	size_t n = strlen(s);

	if (!n && !may_be_empty)
		return fail(c, "%s would be empty", name);
	if (!printable(s, n))
		return fail(c, "%s is not printable ASCII", name);
	if (n && (is_ows(s[0]) || is_ows(s[n - 1])))
		return fail(c, "%s begins or ends with white space", name);
	return 0;
}

static int add_header(struct ctx *c, struct binding_out *o,
		      const char *name, char *value)
{
	struct binding_header *h;

	if (!value)
		return oom(c);
	if (o->n_headers == MAX_HEADERS) {
		free(value);
		return failc(c, RSC_INTERNAL, "too many headers");
	}
	h = &o->headers[o->n_headers];
	h->name = strdup(name);
	if (!h->name) {
		free(value);
		return oom(c);
	}
	h->value = value;
	o->n_headers++;
	return 0;
}

/* One element of a list header: no separator, no outer white space. */
static int element_ok(struct ctx *c, const char *name, json_t *v,
		      const char *forbidden, const char **s)
{
	*s = str_of(v);
	if (!*s)
		return fail(c, "%s has an element that is not a non-empty string",
			    name);
	if (strpbrk(*s, forbidden))
		return fail(c, "%s has an element with one of \"%s\"", name,
			    forbidden);
	return header_value_ok(c, name, *s, false);
}

/* A list header's value from its JSON (array, or ati's object). */
static int list_header_out(struct ctx *c, const struct hmap *hm, json_t *v,
			   char **out)
{
	const char *sep = hm->type == L_NU ? "&" : "+";
	json_t *arr = v, *e;
	struct buf b;
	size_t i;
	int rc;

	*out = NULL;
	if (hm->type == L_ATI) {
		if (!json_is_object(v) || json_object_size(v) != 1)
			return fail(c, "ati is not an object of ltia only");
		arr = json_object_get(v, "ltia");
	}
	if (!json_is_array(arr))
		return fail(c, "%s is not a list", hm->key);
	if (hm->type != L_NU && !json_array_size(arr))
		return fail(c, "%s is an empty list", hm->key);
	rc = buf_open(c, &b);
	if (rc)
		return rc;
	json_array_foreach(arr, i, e) {
		const char *s, *t;

		if (i)
			fputs(sep, b.f);
		if (hm->type != L_ATI) {
			rc = element_ok(c, hm->name, e,
					hm->type == L_NU ? "&" : "+", &s);
			if (rc)
				break;
			fputs(s, b.f);
			continue;
		}
		if (!json_is_object(e) || json_object_size(e) != 2) {
			rc = fail(c, "an ltia of ati is not {lti, tkid}");
			break;
		}
		rc = element_ok(c, hm->name, json_object_get(e, "lti"), ":+",
				&s);
		if (!rc)
			rc = element_ok(c, hm->name,
					json_object_get(e, "tkid"), "+", &t);
		if (rc)
			break;
		fprintf(b.f, "%s:%s", s, t);
	}
	if (rc) {
		buf_close(c, &b, NULL, NULL);
		return rc;
	}
	return buf_close(c, &b, out, NULL);
}

static int headers_out(struct ctx *c, json_t *prim, int dir,
		       struct binding_out *o)
{
	const struct hmap *hm;
	json_t *v;
	char *s;
	int rc;

	for (hm = hmaps; hm < hmaps + ARRAY_SIZE(hmaps); hm++) {
		if (!(hm->dir & dir))
			continue;
		v = json_object_get(prim, hm->key);
		if (hm->type == L_NU)
			v = json_object_get(v, "nu");
		if (!v)
			continue;
		if (hm->type >= L_STRS)
			rc = list_header_out(c, hm, v, &s);
		else
			rc = scalar_out(c, hm->type, v, hm->key, &s);
		if (rc)
			return rc;
		rc = header_value_ok(c, hm->name, s, hm->type == L_NU);
		if (rc) {
			free(s);
			return rc;
		}
		rc = add_header(c, o, hm->name, s);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the path ---- */

static bool dot_segment(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') ||
	       (n == 2 && s[0] == '.' && s[1] == '.');
}

/* One decoded segment of a path or a To. */
static int segment_ok(struct ctx *c, const char *s, size_t n,
		      const char *what)
{
	if (!n)
		return fail(c, "%s has an empty segment", what);
	if (dot_segment(s, n))
		return fail(c, "%s has a \".\" or \"..\" segment", what);
	if (memchr(s, '/', n))
		return fail(c, "%s has a segment with an encoded '/'", what);
	if (memchr(s, '#', n))
		return fail(c, "%s has a '#'", what);
	if (has_ctl(s, n))
		return fail(c, "%s has a control character", what);
	return 0;
}

enum { FORM_CSE, FORM_SP, FORM_ABS };

/* TS-0009 6.2.2.1 the other way: the To of a request's path. */
static int path_in(struct ctx *c, const char *path, json_t **to)
{
	const char *p, *slash;
	int form = FORM_CSE, rc = 0;
	size_t segs = 0;
	struct buf b;
	char *d, *s;
	size_t n;

	*to = NULL;
	if (!path || path[0] != '/')
		return fail(c, "the path does not begin with '/'");
	rc = buf_open(c, &b);
	if (rc)
		return rc;
	for (p = path + 1; ; p = slash + 1) {
		slash = strchr(p, '/');
		rc = pct_decode(c, p, slash ? (size_t)(slash - p) : strlen(p),
				false, "the path", &d, &n);
		if (rc)
			break;
		rc = segment_ok(c, d, n, "the path");
		if (!rc && p == path + 1 && n == 1 &&
		    (d[0] == '~' || d[0] == '_')) {
			form = d[0] == '~' ? FORM_SP : FORM_ABS;
			fputs(form == FORM_SP ? "/" : "//", b.f);
		} else if (!rc) {
			if (segs++)
				fputc('/', b.f);
			fwrite(d, 1, n, b.f);
		}
		free(d);
		if (rc || !slash)
			break;
	}
	if (!rc && form == FORM_SP && !segs)
		rc = fail(c, "the path has no CSE-ID after /~");
	if (!rc && form == FORM_ABS && segs < 2)
		rc = fail(c, "the path has no SP-ID and CSE-ID after /_");
	if (rc) {
		buf_close(c, &b, NULL, NULL);
		return rc;
	}
	rc = buf_close(c, &b, &s, &n);
	if (rc)
		return rc;
	*to = json_stringn(s, n);
	free(s);
	return *to ? 0 : fail(c, "the path is not UTF-8");
}

/*
 * TS-0009 6.2.2.1: the path of a To.  With frag (Retrieve), the name after
 * a '#' goes to *frag (NULL when none).
 */
static int path_out(struct ctx *c, json_t *jto, char **frag, char **path)
{
	const char *to = str_of(jto), *hash, *p, *end, *slash;
	size_t segs = 0;
	struct buf b;
	int rc = 0;

	*path = NULL;
	if (frag)
		*frag = NULL;
	if (!to)
		return fail(c, "to is not a non-empty string");
	end = to + strlen(to);
	hash = strchr(to, '#');
	if (hash && frag) {
		if (!hash[1] || strchr(hash + 1, '#'))
			return fail(c, "to has an empty or second attribute after '#'");
		*frag = strdup(hash + 1);
		if (!*frag)
			return oom(c);
		end = hash;
	}
	rc = buf_open(c, &b);
	if (rc)
		goto out;
	if (to[0] == '/' && to[1] == '/') {
		fputs("/_", b.f);
		p = to + 2;
	} else if (to[0] == '/') {
		fputs("/~", b.f);
		p = to + 1;
	} else {
		p = to;
	}
	for (; ; p = slash + 1) {
		size_t n;

		slash = memchr(p, '/', end - p);
		n = (slash ? slash : end) - p;
		rc = segment_ok(c, p, n, "to");
		if (!rc && !segs && p == to && n == 1 &&
		    (p[0] == '~' || p[0] == '_'))
			rc = fail(c, "to is CSE-relative but begins with \"%c/\"",
				  p[0]);
		if (rc)
			break;
		segs++;
		fputc('/', b.f);
		pct_put(b.f, p, n, PCHAR_OTHER);
		if (!slash)
			break;
	}
	if (!rc && to[0] == '/' && to[1] == '/' && segs < 2)
		rc = fail(c, "to is absolute without SP-ID and CSE-ID");
	if (rc) {
		buf_close(c, &b, NULL, NULL);
		goto out;
	}
	rc = buf_close(c, &b, path, NULL);
out:
	if (rc && frag) {
		free(*frag);
		*frag = NULL;
	}
	return rc;
}

/* ---- the query ---- */

static const struct qfield *qfield_of(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(qfields); i++)
		if (!strcmp(qfields[i].name, name))
			return &qfields[i];
	return NULL;
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool attr_name(const char *name)
{
	return bsearch(name, attr_names, ARRAY_SIZE(attr_names),
		       sizeof(attr_names[0]), cmp_name);
}

/**
 * struct qstate - what the query string gives, as it is read
 * @prim: the primitive (top-level parameters)
 * @fc: the filter criteria, NULL until one is given
 * @rtv: rt's responseTypeValue, NULL unless given
 * @atrl: the attribute list, NULL unless given
 */
struct qstate {
	json_t *prim;
	json_t *fc;
	json_t *rtv;
	json_t *atrl;
};

/* Where the value of qf goes: its object and key (NULL obj for rt/atrl). */
static int qdest(struct ctx *c, struct qstate *q, const struct qfield *qf,
		 json_t **obj)
{
	*obj = NULL;
	if (qf->where == W_TOP) {
		*obj = q->prim;
	} else if (qf->where == W_FC) {
		if (!q->fc)
			q->fc = json_object();
		if (!q->fc)
			return oom(c);
		*obj = q->fc;
	}
	return 0;
}

/* A list parameter: every '+'-separated (smf: whole) value appended. */
static int qlist_in(struct ctx *c, const struct qfield *qf, json_t *arr,
		    const char *raw, size_t n, const char *what)
{
	const char *p = raw, *end = raw + n, *plus;
	json_t *v;
	char *d;
	size_t dn;
	int rc;

	for (; ; p = plus + 1) {
		plus = qf->type == L_SMF ? NULL : memchr(p, '+', end - p);
		rc = pct_decode(c, p, (plus ? plus : end) - p, true, what, &d,
				&dn);
		if (rc)
			return rc;
		rc = scalar_in(c, qf->type == L_TYS ? V_TY : V_STR, d, dn,
			       what, &v);
		free(d);
		if (!rc)
			rc = append_new(c, arr, v);
		if (rc || !plus)
			return rc;
	}
}

/* An attribute condition: name=value, c.name=value or p.name=value. */
static int qattr_in(struct ctx *c, struct qstate *q, const char *name,
		    const char *raw, size_t n)
{
	const char *key = "atr", *attr = name;
	json_t *arr, *v;
	char *d;
	size_t dn;
	int rc;

	if ((name[0] == 'c' || name[0] == 'p') && name[1] == '.') {
		key = name[0] == 'c' ? "catr" : "patr";
		attr = name + 2;
	}
	if (!attr_name(attr))
		return fail(c, "unknown query parameter \"%.*s\"", SHOW, name);
	if (!q->fc)
		q->fc = json_object();
	if (!q->fc)
		return oom(c);
	arr = json_object_get(q->fc, key);
	if (!arr) {
		rc = set_new(c, q->fc, key, json_array());
		if (rc)
			return rc;
		arr = json_object_get(q->fc, key);
	}
	rc = pct_decode(c, raw, n, true, name, &d, &dn);
	if (rc)
		return rc;
	v = json_stringn(d, dn);
	free(d);
	if (!v)
		return fail(c, "the value of %.*s is not UTF-8", SHOW, name);
	return append_new(c, arr, json_pack("{s:s,s:o}", "nm", attr,
					    "val", v));
}

/* One name=value of the query string. */
static int qfield_in(struct ctx *c, struct qstate *q, const char *p,
		     size_t n)
{
	const char *eq = memchr(p, '=', n);
	const struct qfield *qf;
	json_t *obj, *arr, *v, **slot = NULL;
	char *name, *d;
	size_t dn;
	int rc;

	if (!n)
		return fail(c, "the query has an empty field");
	if (!eq)
		return fail(c, "the query has a field without '='");
	rc = pct_decode(c, p, eq - p, true, "a query name", &name, &dn);
	if (rc)
		return rc;
	if (strlen(name) != dn || !dn) {
		rc = fail(c, "the query has an empty name");
		goto out;
	}
	n -= eq + 1 - p;
	p = eq + 1;
	if (!n) {
		rc = fail(c, "query parameter %.*s has no value", SHOW, name);
		goto out;
	}
	qf = qfield_of(name);
	if (!qf) {
		rc = qattr_in(c, q, name, p, n);
		goto out;
	}
	rc = qdest(c, q, qf, &obj);
	if (rc)
		goto out;
	if (qf->where == W_RT)
		slot = &q->rtv;
	else if (qf->where == W_ATRL)
		slot = &q->atrl;
	if (qf->type >= L_STRS) {
		arr = slot ? *slot : json_object_get(obj, qf->name);
		if (!arr) {
			arr = json_array();
			if (slot)
				*slot = arr;
			else
				rc = set_new(c, obj, qf->name, arr);
			if (!rc && !arr)
				rc = oom(c);
			if (rc)
				goto out;
		}
		rc = qlist_in(c, qf, arr, p, n, qf->name);
		goto out;
	}
	if (slot ? *slot != NULL : json_object_get(obj, qf->name) != NULL) {
		rc = fail(c, "query parameter %s given more than once",
			  qf->name);
		goto out;
	}
	rc = pct_decode(c, p, n, true, qf->name, &d, &dn);
	if (rc)
		goto out;
	rc = scalar_in(c, qf->type, d, dn, qf->name, &v);
	free(d);
	if (rc)
		goto out;
	if (slot)
		*slot = v;
	else
		rc = set_new(c, obj, qf->name, v);
out:
	free(name);
	return rc;
}

static int query_in(struct ctx *c, const char *query, struct qstate *q)
{
	const char *p = query, *amp;
	int rc;

	if (!query || !*query)
		return 0;
	for (; ; p = amp + 1) {
		amp = strchr(p, '&');
		rc = qfield_in(c, q, p, amp ? (size_t)(amp - p) : strlen(p));
		if (rc || !amp)
			return rc;
	}
}

static void qsep(FILE *f, bool *first)
{
	if (!*first)
		fputc('&', f);
	*first = false;
}

/* One parameter of the query from its JSON value. */
static int qfield_out(struct ctx *c, FILE *f, bool *first,
		      const struct qfield *qf, json_t *v)
{
	json_t *e;
	size_t i;
	char *s;
	int rc;

	if (qf->type < L_STRS) {
		rc = scalar_out(c, qf->type, v, qf->name, &s);
		if (rc)
			return rc;
		qsep(f, first);
		fprintf(f, "%s=", qf->name);
		pct_put(f, s, strlen(s), QUERY_OUT_OTHER);
		free(s);
		return 0;
	}
	if (!json_is_array(v) || !json_array_size(v))
		return fail(c, "%s is not a non-empty list", qf->name);
	json_array_foreach(v, i, e) {
		rc = scalar_out(c, qf->type == L_TYS ? V_TY : V_STR, e,
				qf->name, &s);
		if (rc)
			return rc;
		if (!i || qf->type == L_SMF) {
			qsep(f, first);
			fprintf(f, "%s=", qf->name);
		} else {
			fputc('+', f);
		}
		pct_put(f, s, strlen(s), QUERY_OUT_OTHER);
		free(s);
	}
	return 0;
}

/* The val of an attribute condition as the query has it. */
static int attr_val_out(struct ctx *c, json_t *val, const char *nm,
			char **s)
{
	*s = NULL;
	if (json_is_string(val))
		return scalar_out(c, V_STR, val, nm, s);
	if (json_is_boolean(val))
		return scalar_out(c, V_BOOL, val, nm, s);
	if (!json_is_integer(val))
		return fail(c, "the val of %s is not a string, integer or boolean",
			    nm);
	if (asprintf(s, "%" JSON_INTEGER_FORMAT, json_integer_value(val)) < 0) {
		*s = NULL;
		return oom(c);
	}
	return 0;
}

/* The attribute conditions of fc: atr, catr, patr. */
static int qattrs_out(struct ctx *c, FILE *f, bool *first, json_t *fc)
{
	json_t *arr, *e;
	const char *nm;
	size_t k, i;
	char *s;
	int rc;

	for (k = 0; k < ARRAY_SIZE(attr_conds); k++) {
		arr = json_object_get(fc, attr_conds[k].key);
		if (!arr)
			continue;
		if (!json_is_array(arr) || !json_array_size(arr))
			return fail(c, "%s is not a non-empty list",
				    attr_conds[k].key);
		json_array_foreach(arr, i, e) {
			nm = str_of(json_object_get(e, "nm"));
			if (json_object_size(e) != 2 || !nm)
				return fail(c, "an element of %s is not {nm, val}",
					    attr_conds[k].key);
			if (!attr_name(nm))
				return fail(c, "%s names %.*s, no resource attribute of TS-0004",
					    attr_conds[k].key, SHOW, nm);
			/* "lbl=x" would be read back as labels. */
			if (!*attr_conds[k].prefix && qfield_of(nm))
				return fail(c, "atr names %s, a query parameter of its own",
					    nm);
			rc = attr_val_out(c, json_object_get(e, "val"), nm, &s);
			if (rc)
				return rc;
			qsep(f, first);
			fprintf(f, "%s%s=", attr_conds[k].prefix, nm);
			pct_put(f, s, strlen(s), QUERY_OUT_OTHER);
			free(s);
		}
	}
	return 0;
}

static bool fc_key_known(const char *key)
{
	const struct qfield *qf = qfield_of(key);
	size_t k;

	if (qf)
		return qf->where == W_FC;
	for (k = 0; k < ARRAY_SIZE(attr_conds); k++)
		if (!strcmp(key, attr_conds[k].key))
			return true;
	return false;
}

/*
 * The query string of a request primitive; atrl is the attribute list of
 * a partial Retrieve (pc's m2m:atrl, or the To's '#' name), or NULL.
 */
static int query_out(struct ctx *c, json_t *prim, json_t *atrl,
		     char **query)
{
	json_t *fc = json_object_get(prim, "fc"), *rt, *v;
	const struct qfield *qf;
	bool first = true;
	const char *key;
	struct buf b;
	int rc = 0;

	*query = NULL;
	if (fc && !json_is_object(fc))
		return fail(c, "fc is not an object");
	json_object_foreach(fc, key, v) {
		if (!fc_key_known(key))
			return fail(c, "filter criteria member %.*s has no HTTP mapping",
				    SHOW, key);
	}
	rt = json_object_get(prim, "rt");
	rc = buf_open(c, &b);
	if (rc)
		return rc;
	for (qf = qfields; qf < qfields + ARRAY_SIZE(qfields) && !rc; qf++) {
		switch (qf->where) {
		case W_TOP:
			v = json_object_get(prim, qf->name);
			break;
		case W_RT:
			v = json_object_get(rt, "rtv");
			break;
		case W_FC:
			v = json_object_get(fc, qf->name);
			break;
		default:
			v = atrl;
			break;
		}
		if (v)
			rc = qfield_out(c, b.f, &first, qf, v);
	}
	if (!rc)
		rc = qattrs_out(c, b.f, &first, fc);
	if (rc) {
		buf_close(c, &b, NULL, NULL);
		return rc;
	}
	rc = buf_close(c, &b, query, NULL);
	if (!rc && !**query) {
		free(*query);
		*query = NULL;
	}
	return rc;
}

/* ---- requests ---- */

static int method_op(const char *method)
{
	static const char *const methods[] = { "POST", "GET", "PUT", "DELETE" };
	static const int ops[] = { 5, 2, 3, 4 };
	size_t i;

	for (i = 0; method && i < ARRAY_SIZE(methods); i++)
		if (!strcmp(method, methods[i]))
			return ops[i];
	return 0;
}

/* rt from the query's rtv and X-M2M-RTU's nu (both consumed). */
static int rt_in(struct ctx *c, json_t *prim, json_t *rtv, json_t *nu)
{
	json_t *rt;

	if (nu && !rtv) {
		json_decref(nu);
		return fail(c, "X-M2M-RTU without rt=2 in the query");
	}
	if (!rtv)
		return 0;
	if (nu && json_integer_value(rtv) != 2) {
		json_decref(rtv);
		json_decref(nu);
		return fail(c, "X-M2M-RTU with rt other than 2 (nonBlockingRequestAsynch)");
	}
	rt = nu ? json_pack("{s:o,s:o}", "rtv", rtv, "nu", nu) :
		  json_pack("{s:o}", "rtv", rtv);
	return set_new(c, prim, "rt", rt);
}

int binding_request_to_primitive(const struct binding_http *in,
				 json_t **prim, char *err, size_t err_size)
{
	struct ctx c = { err, err_size, RSC_BAD_REQUEST };
	struct qstate q = { 0 };
	json_t *p = NULL, *nu = NULL, *pc = NULL, *to;
	bool has_ct;
	int rc, op, ty;

	if (!prim)
		return fail(&c, "nowhere to put the primitive");
	*prim = NULL;
	rc = check_http(&c, in);
	if (rc)
		return rc;
	op = method_op(in->method);
	if (!op)
		return fail(&c, "method %.*s is not POST, GET, PUT or DELETE (TS-0009 6.2.1)",
			    SHOW, in->method ? in->method : "(none)");
	rc = content_type(&c, in, &has_ct, &ty);
	if (rc)
		return rc;
	if (ty && op != 5)
		return fail(&c, "ty in Content-Type of a request other than POST");
	if (ty)
		op = 1;
	if ((op == 2 || op == 4) && in->body_len)
		return fail(&c, "a %s request with a body", in->method);
	rc = path_in(&c, in->path, &to);
	if (rc)
		return rc;
	p = json_pack("{s:i,s:o}", "op", op, "to", to);
	if (!p)
		return oom(&c);
	if (ty)
		rc = set_new(&c, p, "ty", json_integer(ty));
	if (!rc)
		rc = headers_in(&c, in, DIR_REQ, p, &nu);
	if (!rc && !json_object_get(p, "rqi"))
		rc = fail(&c, "X-M2M-RI missing");
	if (!rc && !json_object_get(p, "fr") && !(op == 1 && ty == 2))
		rc = fail(&c, "X-M2M-Origin missing");
	q.prim = p;
	if (!rc)
		rc = query_in(&c, in->query, &q);
	if (!rc && q.fc) {
		rc = set_new(&c, p, "fc", q.fc);
		q.fc = NULL;
	}
	if (!rc) {
		rc = rt_in(&c, p, q.rtv, nu);
		q.rtv = nu = NULL;
	}
	if (!rc && q.atrl && op != 2)
		rc = fail(&c, "atrl in the query of a request other than GET");
	if (!rc)
		rc = body_in(&c, in, has_ct, &pc);
	if (!rc && q.atrl) {
		pc = json_pack("{s:o}", "m2m:atrl", q.atrl);
		q.atrl = NULL;
		if (!pc)
			rc = oom(&c);
	}
	if (!rc && pc) {
		rc = set_new(&c, p, "pc", pc);
		pc = NULL;
	}
	json_decref(q.fc);
	json_decref(q.rtv);
	json_decref(q.atrl);
	json_decref(nu);
	json_decref(pc);
	if (rc) {
		json_decref(p);
		return rc;
	}
	*prim = p;
	return 0;
}

/* Every member of a request primitive is one we can map. */
static int request_keys_ok(struct ctx *c, json_t *prim)
{
	static const char *const own[] = { "op", "to", "ty", "pc", "fc", "rt" };
	const struct hmap *hm;
	const struct qfield *qf;
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(prim, key, v) {
		bool ok = false;

		for (i = 0; i < ARRAY_SIZE(own) && !ok; i++)
			ok = !strcmp(key, own[i]);
		for (hm = hmaps; hm < hmaps + ARRAY_SIZE(hmaps) && !ok; hm++)
			ok = (hm->dir & DIR_REQ) && !strcmp(key, hm->key);
		qf = qfield_of(key);
		ok = ok || (qf && qf->where == W_TOP);
		if (!ok)
			return fail(c, "request parameter %.*s has no HTTP mapping",
				    SHOW, key);
	}
	return 0;
}

static int rt_ok(struct ctx *c, json_t *rt)
{
	json_t *rtv = json_object_get(rt, "rtv"), *nu;
	size_t n = 1;

	if (!rt)
		return 0;
	if (!json_is_object(rt) || !rtv)
		return fail(c, "rt is not an object with rtv");
	nu = json_object_get(rt, "nu");
	n += nu != NULL;
	if (json_object_size(rt) != n)
		return fail(c, "rt has members other than rtv and nu");
	if (nu && (!json_is_integer(rtv) || json_integer_value(rtv) != 2))
		return fail(c, "rt has nu with rtv other than 2");
	return 0;
}

/* A Retrieve's pc: only an attribute list (*atrl), TS-0009 6.5. */
static int retrieve_pc(struct ctx *c, json_t *pc, json_t **atrl)
{
	*atrl = NULL;
	if (!pc)
		return 0;
	*atrl = json_object_get(pc, "m2m:atrl");
	if (json_object_size(pc) != 1 || !*atrl)
		return fail(c, "the pc of a Retrieve is not an m2m:atrl only");
	return 0;
}

static int request_out(struct ctx *c, json_t *prim, struct binding_out *o)
{
	static const char *const methods[] = {
		NULL, "POST", "GET", "PUT", "DELETE", "POST"
	};
	json_t *op = json_object_get(prim, "op"), *ty, *pc, *atrl = NULL;
	json_t *frag_list = NULL;
	char *frag = NULL, *s = NULL;
	json_int_t opv;
	int rc;

	rc = request_keys_ok(c, prim);
	if (rc)
		return rc;
	if (!json_is_integer(op) || json_integer_value(op) < 1 ||
	    json_integer_value(op) > 5)
		return fail(c, "op is not 1 to 5");
	opv = json_integer_value(op);
	ty = json_object_get(prim, "ty");
	if ((opv == 1) != (ty != NULL))
		return fail(c, opv == 1 ? "a Create without ty" :
			    "ty in a request other than Create");
	if (ty && !int_ok(V_TY, json_is_integer(ty) ?
			  json_integer_value(ty) : 0))
		return fail(c, "ty is not %s", type_name(V_TY));
	if (!json_object_get(prim, "rqi"))
		return fail(c, "rqi missing");
	if (!json_object_get(prim, "fr") &&
	    !(opv == 1 && json_integer_value(ty) == 2))
		return fail(c, "fr missing");
	pc = json_object_get(prim, "pc");
	if (pc && !json_is_object(pc))
		return fail(c, "pc is not an object");
	if (pc && opv == 4)
		return fail(c, "a Delete with pc");
	rc = rt_ok(c, json_object_get(prim, "rt"));
	if (!rc && opv == 2)
		rc = retrieve_pc(c, pc, &atrl);
	if (rc)
		return rc;
	o->method = strdup(methods[opv]);
	if (!o->method)
		return oom(c);
	rc = path_out(c, json_object_get(prim, "to"), opv == 2 ? &frag : NULL,
		      &o->path);
	if (rc)
		return rc;
	if (frag && atrl) {
		free(frag);
		return fail(c, "a Retrieve with both an attribute in to and m2m:atrl");
	}
	if (frag) {
		frag_list = json_pack("[s]", frag);
		free(frag);
		if (!frag_list)
			return oom(c);
		atrl = frag_list;
	}
	rc = query_out(c, prim, atrl, &o->query);
	json_decref(frag_list);
	if (!rc)
		rc = headers_out(c, prim, DIR_REQ, o);
	if (rc)
		return rc;
	if (ty) {
		if (asprintf(&s, JSON_CT ";ty=%" JSON_INTEGER_FORMAT,
			     json_integer_value(ty)) < 0)
			return oom(c);
		rc = add_header(c, o, "Content-Type", s);
	} else if (pc && opv != 2) {
		rc = add_header(c, o, "Content-Type", strdup(JSON_CT));
	}
	if (rc || !pc || opv == 2)
		return rc;
	o->body = json_dumps(pc, JSON_COMPACT);
	if (!o->body)
		return oom(c);
	o->body_len = strlen(o->body);
	return 0;
}

static int out_init(struct ctx *c, struct binding_out *out)
{
	memset(out, 0, sizeof(*out));
	out->headers = calloc(MAX_HEADERS, sizeof(*out->headers));
	return out->headers ? 0 : oom(c);
}

int binding_primitive_to_request(json_t *prim, struct binding_out *out,
				 char *err, size_t err_size)
{
	struct ctx c = { err, err_size, RSC_BAD_REQUEST };
	int rc;

	if (!out)
		return fail(&c, "nowhere to put the request");
	rc = out_init(&c, out);
	if (rc)
		return rc;
	if (!json_is_object(prim))
		rc = fail(&c, "the primitive is not an object");
	else
		rc = request_out(&c, prim, out);
	if (rc)
		binding_out_free(out);
	return rc;
}

/* ---- responses ---- */

int binding_response_to_primitive(const struct binding_http *in,
				  json_t **prim, char *err, size_t err_size)
{
	struct ctx c = { err, err_size, RSC_INTERNAL };
	json_t *p, *nu = NULL, *pc = NULL;
	bool has_ct;
	int rc, ty;

	if (!prim)
		return failc(&c, RSC_BAD_REQUEST,
			     "nowhere to put the primitive");
	*prim = NULL;
	rc = check_http(&c, in);
	if (rc)
		return rc;
	if (in->status < 100 || in->status > 599)
		return fail(&c, "HTTP status %u", in->status);
	rc = content_type(&c, in, &has_ct, &ty);
	if (rc)
		return rc;
	if (ty)
		return fail(&c, "ty in the Content-Type of a response");
	p = json_object();
	if (!p)
		return oom(&c);
	rc = headers_in(&c, in, DIR_RSP, p, &nu);
	if (!rc && !json_object_get(p, "rsc"))
		rc = fail(&c, "X-M2M-RSC missing");
	if (!rc && !json_object_get(p, "rqi"))
		rc = fail(&c, "X-M2M-RI missing");
	if (!rc)
		rc = body_in(&c, in, has_ct, &pc);
	if (!rc && pc)
		rc = set_new(&c, p, "pc", pc);
	if (rc) {
		json_decref(p);
		return rc;
	}
	*prim = p;
	return 0;
}

/*
 * TS-0009 6.4.4: the Content-Location of a Create's response is the URI
 * of the created resource when pc has it (rcn 2: m2m:uri, rcn 3:
 * m2m:rce/uri; TS-0004 7.3.3.12); without it there is none.
 */
static int content_location(struct ctx *c, json_t *prim, json_t *pc,
			    struct binding_out *o)
{
	const char *uri;
	struct buf b;
	char *s = NULL;
	int rc;

	if (json_integer_value(json_object_get(prim, "rsc")) != RSC_CREATED)
		return 0;
	uri = str_of(json_object_get(pc, "m2m:uri"));
	if (!uri)
		uri = str_of(json_object_get(json_object_get(pc, "m2m:rce"),
					     "uri"));
	if (!uri)
		return 0;
	rc = buf_open(c, &b);
	if (rc)
		return rc;
	pct_put(b.f, uri, strlen(uri), PCHAR_OTHER "/");
	rc = buf_close(c, &b, &s, NULL);
	return rc ? rc : add_header(c, o, "Content-Location", s);
}

static int response_out(struct ctx *c, json_t *prim, struct binding_out *o)
{
	const struct hmap *hm;
	const char *key;
	json_t *v, *pc;
	int rc;

	json_object_foreach(prim, key, v) {
		bool ok = !strcmp(key, "pc");

		for (hm = hmaps; hm < hmaps + ARRAY_SIZE(hmaps) && !ok; hm++)
			ok = (hm->dir & DIR_RSP) && !strcmp(key, hm->key);
		if (!ok)
			return fail(c, "response parameter %.*s has no HTTP mapping",
				    SHOW, key);
	}
	v = json_object_get(prim, "rsc");
	if (!v)
		return fail(c, "rsc missing");
	if (!json_object_get(prim, "rqi"))
		return fail(c, "rqi missing");
	pc = json_object_get(prim, "pc");
	if (pc && !json_is_object(pc))
		return fail(c, "pc is not an object");
	rc = headers_out(c, prim, DIR_RSP, o);
	if (rc)
		return rc;
	o->status = esprimd_http_status((int)json_integer_value(v));
	if (!pc)
		return 0;
	rc = content_location(c, prim, pc, o);
	if (!rc)
		rc = add_header(c, o, "Content-Type", strdup(JSON_CT));
	if (rc)
		return rc;
	o->body = json_dumps(pc, JSON_COMPACT);
	if (!o->body)
		return oom(c);
	o->body_len = strlen(o->body);
	return 0;
}

int binding_primitive_to_response(json_t *prim, struct binding_out *out,
				  char *err, size_t err_size)
{
	struct ctx c = { err, err_size, RSC_BAD_REQUEST };
	int rc;

	if (!out)
		return fail(&c, "nowhere to put the response");
	rc = out_init(&c, out);
	if (rc)
		return rc;
	if (!json_is_object(prim))
		rc = fail(&c, "the primitive is not an object");
	else
		rc = response_out(&c, prim, out);
	if (rc)
		binding_out_free(out);
	return rc;
}

void binding_out_free(struct binding_out *out)
{
	size_t i;

	if (!out)
		return;
	free(out->method);
	free(out->path);
	free(out->query);
	free(out->body);
	for (i = 0; out->headers && i < out->n_headers; i++) {
		free((char *)out->headers[i].name);
		free((char *)out->headers[i].value);
	}
	free(out->headers);
	memset(out, 0, sizeof(*out));
}
