// SPDX-License-Identifier: GPL-2.0
/*
 * The sidecar's HTTP binding (user/daemon/binding.c): every mapping of
 * TS-0009 between plain HTTP messages and JSON primitives both ways, the
 * round trips, and each refusal with its RSC and reason.  Built with ASan
 * and UBSan; every test ends with a leak check.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "kselftest_harness.h"
#include "binding.h"

#define MAXH	32
#define ORI	"X-M2M-Origin: Cae1"
#define RI	"X-M2M-RI: rq-1"
#define JSON	"Content-Type: application/json"

/* An HTTP message to give the binding, its headers as "Name: value". */
struct msg {
	struct binding_http http;
	struct binding_header h[MAXH];
	char line[MAXH][1024];
};

static void msg_set(struct msg *m, const char *method, const char *path,
		    const char *query, const char *const *hdrs,
		    const char *body)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->http.method = method;
	m->http.path = path;
	m->http.query = query;
	m->http.headers = m->h;
	for (i = 0; hdrs && hdrs[i] && i < MAXH; i++) {
		char *colon;

		snprintf(m->line[i], sizeof(m->line[i]), "%s", hdrs[i]);
		colon = strchr(m->line[i], ':');
		if (!colon)
			abort();
		*colon = '\0';
		m->h[i].name = m->line[i];
		m->h[i].value = colon + 1;
	}
	m->http.n_headers = i;
	m->http.body = body;
	m->http.body_len = body ? strlen(body) : 0;
}

/* The message a binding_out describes (pointers into it). */
static void msg_of_out(struct msg *m, const struct binding_out *o)
{
	memset(m, 0, sizeof(*m));
	m->http.method = o->method;
	m->http.path = o->path;
	m->http.query = o->query;
	m->http.status = o->status;
	m->http.headers = o->headers;
	m->http.n_headers = o->n_headers;
	m->http.body = o->body;
	m->http.body_len = o->body_len;
}

/* got equals the JSON text want; says what differs on stderr if not. */
static bool json_is(json_t *got, const char *want)
{
	json_error_t e;
	json_t *w = json_loads(want, 0, &e);
	bool same;
	char *g;

	if (!w) {
		fprintf(stderr, "# bad expectation %s: %s\n", want, e.text);
		return false;
	}
	same = json_equal(got, w);
	if (!same) {
		g = got ? json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS) :
			  strdup("(null)");
		fprintf(stderr, "# got  %s\n# want %s\n", g, want);
		free(g);
	}
	json_decref(w);
	return same;
}

/* A primitive as a peer could send it: NUL in strings too. */
static json_t *jparse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &e);

	if (!j)
		fprintf(stderr, "# bad JSON %s: %s\n", text, e.text);
	return j;
}

/* The value of header name in o, NULL when absent. */
static const char *out_header(const struct binding_out *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n_headers; i++)
		if (!strcasecmp(o->headers[i].name, name))
			return o->headers[i].value;
	return NULL;
}

/* The headers of o as "Name: value|Name: value...". */
static char *out_headers(const struct binding_out *o)
{
	char *s = NULL;
	size_t n = 0, i;
	FILE *f = open_memstream(&s, &n);

	for (i = 0; i < o->n_headers; i++)
		fprintf(f, "%s%s: %s", i ? "|" : "", o->headers[i].name,
			o->headers[i].value);
	fclose(f);
	return s;
}

static bool has(const char *err, const char *want)
{
	if (strstr(err, want))
		return true;
	fprintf(stderr, "# reason \"%s\" lacks \"%s\"\n", err, want);
	return false;
}

FIXTURE(map) {
	char err[256];
};

FIXTURE_SETUP(map)
{
	self->err[0] = '\0';
}

FIXTURE_TEARDOWN(map)
{
#if defined(__SANITIZE_ADDRESS__)
	EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
#endif
}

/* ---- request -> primitive ---- */

static int req_prim(struct msg *m, json_t **prim, char *err)
{
	return binding_request_to_primitive(&m->http, prim, err, 256);
}

TEST_F(map, path_forms)
{
	static const struct {
		const char *path, *to, *back;
	} cases[] = {
		{ "/~/cse-id/cnt", "/cse-id/cnt", NULL },
		{ "/_/sp.example/cse-id/cnt", "//sp.example/cse-id/cnt", NULL },
		{ "/CSEBase/ae12/cont27/cin696", "CSEBase/ae12/cont27/cin696",
		  NULL },
		{ "/cin00856", "cin00856", NULL },
		{ "/~/CSE178/cin00856", "/CSE178/cin00856", NULL },
		{ "/~/CSE178", "/CSE178", NULL },
		{ "/_/sp/CSE178", "//sp/CSE178", NULL },
		{ "/%7E/cse/a", "/cse/a", "/~/cse/a" },
		{ "/%5f/sp/cse/a", "//sp/cse/a", "/_/sp/cse/a" },
		{ "/cse/a%20b/%C3%BC", "cse/a b/\xc3\xbc", NULL },
		{ "/cse/%61%62", "cse/ab", "/cse/ab" },
		{ "/cse/-/cnt", "cse/-/cnt", NULL },
		{ "/cse/a;b=c@d:e!$&'()*+,", "cse/a;b=c@d:e!$&'()*+,", NULL },
		{ "/cse/a%3Fb%25c%5B", "cse/a?b%c[", NULL },
		{ "/cse/~/_", "cse/~/_", NULL },
	};
	const char *hdrs[] = { ORI, RI, NULL };
	struct binding_out o;
	struct msg m;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		msg_set(&m, "GET", cases[i].path, NULL, hdrs, NULL);
		ASSERT_EQ(0, req_prim(&m, &p, self->err))
			TH_LOG("%s: %s", cases[i].path, self->err);
		EXPECT_STREQ(cases[i].to,
			     json_string_value(json_object_get(p, "to")));
		ASSERT_EQ(0, binding_primitive_to_request(p, &o, self->err,
							  sizeof(self->err)))
			TH_LOG("%s: %s", cases[i].path, self->err);
		EXPECT_STREQ(cases[i].back ? cases[i].back : cases[i].path,
			     o.path);
		binding_out_free(&o);
		json_decref(p);
	}
}

TEST_F(map, path_refusals)
{
	static const struct {
		const char *path, *why;
	} cases[] = {
		{ NULL, "does not begin with '/'" },
		{ "", "does not begin with '/'" },
		{ "cse/a", "does not begin with '/'" },
		{ "/", "empty segment" },
		{ "//cse", "empty segment" },
		{ "/cse/", "empty segment" },
		{ "/cse//a", "empty segment" },
		{ "/cse/../a", "\"..\" segment" },
		{ "/cse/./a", "\"..\" segment" },
		{ "/cse/%2E%2E/a", "\"..\" segment" },
		{ "/..", "\"..\" segment" },
		{ "/~", "no CSE-ID after /~" },
		{ "/~/", "empty segment" },
		{ "/_/sp", "no SP-ID and CSE-ID" },
		{ "/_", "no SP-ID and CSE-ID" },
		{ "/cse/a%2Fb", "encoded '/'" },
		{ "/cse/a%23b", "'#'" },
		{ "/cse/a%00b", "%00" },
		{ "/cse/a%0Ab", "control character" },
		{ "/cse/a%zz", "neither RFC 3986 pchar" },
		{ "/cse/a%2", "neither RFC 3986 pchar" },
		{ "/cse/a b", "neither RFC 3986 pchar" },
		{ "/cse/a?b", "neither RFC 3986 pchar" },
		{ "/cse/a#b", "neither RFC 3986 pchar" },
		{ "/cse/\xc3\xbc", "neither RFC 3986 pchar" },
		{ "/cse/%FF", "not UTF-8" },
	};
	const char *hdrs[] = { ORI, RI, NULL };
	struct msg m;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		msg_set(&m, "GET", cases[i].path, NULL, hdrs, NULL);
		self->err[0] = '\0';
		EXPECT_EQ(4000, req_prim(&m, &p, self->err))
			TH_LOG("%s", cases[i].path);
		EXPECT_NULL(p);
		EXPECT_TRUE(has(self->err, cases[i].why))
			TH_LOG("%s", cases[i].path);
	}
}

TEST_F(map, methods)
{
	static const struct {
		const char *method, *ctype, *body, *want;
	} cases[] = {
		{ "POST", JSON ";ty=3", "{\"m2m:cnt\":{\"rn\":\"c\"}}",
		  "{\"op\":1,\"ty\":3,\"to\":\"cse\",\"fr\":\"Cae1\","
		  "\"rqi\":\"rq-1\",\"pc\":{\"m2m:cnt\":{\"rn\":\"c\"}}}" },
		{ "POST",
		  "Content-Type: application/vnd.onem2m-res+json; ty=4",
		  "{\"m2m:cin\":{\"con\":\"x\"}}",
		  "{\"op\":1,\"ty\":4,\"to\":\"cse\",\"fr\":\"Cae1\","
		  "\"rqi\":\"rq-1\",\"pc\":{\"m2m:cin\":{\"con\":\"x\"}}}" },
		{ "POST", JSON, "{\"m2m:sgn\":{\"vrq\":true}}",
		  "{\"op\":5,\"to\":\"cse\",\"fr\":\"Cae1\",\"rqi\":\"rq-1\","
		  "\"pc\":{\"m2m:sgn\":{\"vrq\":true}}}" },
		{ "POST", NULL, NULL,
		  "{\"op\":5,\"to\":\"cse\",\"fr\":\"Cae1\",\"rqi\":\"rq-1\"}" },
		{ "GET", NULL, NULL,
		  "{\"op\":2,\"to\":\"cse\",\"fr\":\"Cae1\",\"rqi\":\"rq-1\"}" },
		{ "PUT", JSON, "{\"m2m:cnt\":{\"lbl\":[\"a\"]}}",
		  "{\"op\":3,\"to\":\"cse\",\"fr\":\"Cae1\",\"rqi\":\"rq-1\","
		  "\"pc\":{\"m2m:cnt\":{\"lbl\":[\"a\"]}}}" },
		{ "DELETE", NULL, NULL,
		  "{\"op\":4,\"to\":\"cse\",\"fr\":\"Cae1\",\"rqi\":\"rq-1\"}" },
	};
	static const char *const refused[] = {
		"PATCH", "HEAD", "OPTIONS", "get", "Post", "", NULL
	};
	struct msg m;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = { ORI, RI, cases[i].ctype, NULL };

		msg_set(&m, cases[i].method, "/cse", NULL, hdrs, cases[i].body);
		ASSERT_EQ(0, req_prim(&m, &p, self->err))
			TH_LOG("%s: %s", cases[i].method, self->err);
		EXPECT_TRUE(json_is(p, cases[i].want));
		json_decref(p);
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		const char *hdrs[] = { ORI, RI, NULL };

		msg_set(&m, refused[i], "/cse", NULL, hdrs, NULL);
		EXPECT_EQ(4000, req_prim(&m, &p, self->err));
		EXPECT_NULL(p);
		EXPECT_TRUE(has(self->err, "is not POST, GET, PUT or DELETE"));
	}
}

TEST_F(map, request_headers)
{
	const char *hdrs[] = {
		"x-m2m-origin:  Cae1 ", RI, "X-M2M-RVI: 3", "X-M2M-GID: g-7",
		"X-M2M-RTU: http://a.example/n&mqtt://b/n",
		"X-M2M-OT: 20240101T000000", "X-M2M-RST: 20240101T010000",
		"X-M2M-RET: 1000", "X-M2M-OET: 20240101T000500",
		"X-M2M-EC: 3", "X-M2M-VSI: vendor x", "X-M2M-AS: s1 + s-2_",
		/* ignored: not mapped, or not of requests (TS-0009 6.4.0) */
		"Accept: application/json", "X-M2M-NM: old", "Host: h",
		"X-M2M-RSC: 2000", "X-M2M-CTO: 1", "Authorization: Basic x",
		NULL
	};
	struct msg m;
	json_t *p;

	msg_set(&m, "GET", "/cse/cnt", "rt=2", hdrs, NULL);
	ASSERT_EQ(0, req_prim(&m, &p, self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(p, "{\"op\":2,\"to\":\"cse/cnt\",\"fr\":\"Cae1\","
		"\"rqi\":\"rq-1\",\"rvi\":\"3\",\"gid\":\"g-7\","
		"\"ot\":\"20240101T000000\",\"rset\":\"20240101T010000\","
		"\"rqet\":\"1000\",\"oet\":\"20240101T000500\",\"ec\":3,"
		"\"vsi\":\"vendor x\",\"aus\":[\"s1\",\"s-2_\"],"
		"\"rt\":{\"rtv\":2,\"nu\":[\"http://a.example/n\","
		"\"mqtt://b/n\"]}}"));
	json_decref(p);
}

TEST_F(map, request_header_cases)
{
	const char *empty_rtu[] = { ORI, RI, "X-M2M-RTU:", NULL };
	const char *ae[] = { RI, "Content-Type: application/json; ty=2",
			     NULL };
	struct msg m;
	json_t *p;

	/* TS-0004 6.3.5.30: an empty notificationURI list is allowed. */
	msg_set(&m, "GET", "/cse", "rt=2", empty_rtu, NULL);
	ASSERT_EQ(0, req_prim(&m, &p, self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(json_object_get(p, "rt"),
			    "{\"rtv\":2,\"nu\":[]}"));
	json_decref(p);
	/* TS-0004 Table 6.4.1-1 note 2: no From in an <AE> Create. */
	msg_set(&m, "POST", "/cse", NULL, ae, "{\"m2m:ae\":{\"rr\":true}}");
	ASSERT_EQ(0, req_prim(&m, &p, self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(p, "{\"op\":1,\"ty\":2,\"to\":\"cse\","
			    "\"rqi\":\"rq-1\",\"pc\":{\"m2m:ae\":{\"rr\":true}}}"));
	json_decref(p);
}

TEST_F(map, request_header_refusals)
{
	static const struct {
		const char *h1, *h2, *h3, *query, *why;
	} cases[] = {
		{ RI, NULL, NULL, NULL, "X-M2M-Origin missing" },
		{ ORI, NULL, NULL, NULL, "X-M2M-RI missing" },
		{ ORI, RI, "X-M2M-Origin: C2", NULL,
		  "X-M2M-Origin given more than once" },
		{ ORI, RI, "x-m2m-ri: 2", NULL, "X-M2M-RI given more than once" },
		{ ORI, "X-M2M-RI:  ", NULL, NULL, "X-M2M-RI is empty" },
		{ ORI, RI, "X-M2M-RVI: 9", NULL, "X-M2M-RVI is not a release" },
		{ ORI, RI, "X-M2M-EC: x", NULL, "X-M2M-EC is not a non-negative" },
		{ ORI, RI, "X-M2M-EC: -1", NULL,
		  "X-M2M-EC is not a non-negative" },
		{ ORI, RI, "X-M2M-EC: 1 2", NULL,
		  "X-M2M-EC is not a non-negative" },
		{ ORI, RI, "X-M2M-RTU: http://a/n", NULL,
		  "X-M2M-RTU without rt=2" },
		{ ORI, RI, "X-M2M-RTU: http://a/n", "rt=1",
		  "X-M2M-RTU with rt other than 2" },
		{ ORI, RI, "X-M2M-RTU: a&&b", "rt=2", "X-M2M-RTU has an empty" },
		{ ORI, RI, "X-M2M-RTU: a&", "rt=2", "X-M2M-RTU has an empty" },
		{ ORI, RI, "X-M2M-AS: a++b", NULL, "X-M2M-AS has an empty" },
		{ ORI, RI, "X-M2M-OT: a\x01z", NULL,
		  "X-M2M-OT is not printable" },
		{ "X-M2M-Origin: C\xc3\xa9", RI, NULL, NULL,
		  "X-M2M-Origin is not printable" },
		{ ORI, RI, "Content-Type: application/json;ty=3", NULL,
		  "ty in Content-Type of a request other than POST" },
	};
	struct msg m;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = { cases[i].h1, cases[i].h2, cases[i].h3,
				       NULL };

		msg_set(&m, "GET", "/cse", cases[i].query, hdrs, NULL);
		self->err[0] = '\0';
		EXPECT_EQ(4000, req_prim(&m, &p, self->err)) TH_LOG("%zu", i);
		EXPECT_NULL(p);
		EXPECT_TRUE(has(self->err, cases[i].why)) TH_LOG("%zu", i);
	}
}

TEST_F(map, query_parameters)
{
	const char *hdrs[] = { ORI, RI, NULL };
	struct msg m;
	json_t *p;

	msg_set(&m, "GET", "/cse",
		"rt=1&rp=P1D&rcn=4&da=1&drt=2&rids=r1+r2&tids=t1&ltids=l1"
		"&tqi=false&asi=0&auri=true&sqi=1&crb=20240101T000000"
		"&cra=20230101T000000&ms=20230201T000000&us=20240201T000000"
		"&sts=5&stb=0&exb=20250101T000000&exa=20220101T000000"
		"&lbl=a+b&lbl=c&lbq=q1&clbl=x&palb=y&ty=2+3&ty=4&chty=5&pty=1"
		"&sza=0&szb=10&cty=text%2Fplain+image/png&lim=10&fu=1"
		"&smf=SELECT%20%3Fx+%7B%7D&smf=s2&fo=2&cfs=1&cfq=q%3D1"
		"&lvl=2&ofst=3&arp=m2m:x&rn=foo&c.ty=4&p.lbl=z&st=5&rn=b%2Bc",
		hdrs, NULL);
	ASSERT_EQ(0, req_prim(&m, &p, self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(p, "{\"op\":2,\"to\":\"cse\",\"fr\":\"Cae1\","
		"\"rqi\":\"rq-1\",\"rt\":{\"rtv\":1},\"rp\":\"P1D\",\"rcn\":4,"
		"\"da\":true,\"drt\":2,\"rids\":[\"r1\",\"r2\"],"
		"\"tids\":[\"t1\"],\"ltids\":[\"l1\"],\"tqi\":false,"
		"\"asi\":false,\"auri\":true,\"sqi\":true,"
		"\"fc\":{\"crb\":\"20240101T000000\",\"cra\":\"20230101T000000\","
		"\"ms\":\"20230201T000000\",\"us\":\"20240201T000000\","
		"\"sts\":5,\"stb\":0,\"exb\":\"20250101T000000\","
		"\"exa\":\"20220101T000000\",\"lbl\":[\"a\",\"b\",\"c\"],"
		"\"lbq\":\"q1\",\"clbl\":[\"x\"],\"palb\":[\"y\"],"
		"\"ty\":[2,3,4],\"chty\":[5],\"pty\":[1],\"sza\":0,\"szb\":10,"
		"\"cty\":[\"text/plain\",\"image/png\"],\"lim\":10,\"fu\":1,"
		"\"smf\":[\"SELECT ?x+{}\",\"s2\"],\"fo\":2,\"cfs\":1,"
		"\"cfq\":\"q=1\",\"lvl\":2,\"ofst\":3,\"arp\":\"m2m:x\","
		"\"atr\":[{\"nm\":\"rn\",\"val\":\"foo\"},"
		"{\"nm\":\"st\",\"val\":\"5\"},{\"nm\":\"rn\",\"val\":\"b+c\"}],"
		"\"catr\":[{\"nm\":\"ty\",\"val\":\"4\"}],"
		"\"patr\":[{\"nm\":\"lbl\",\"val\":\"z\"}]}}"));
	json_decref(p);

	/* A partial Retrieve: the attribute list into pc (TS-0009 6.2.2.2). */
	msg_set(&m, "GET", "/cse/cnt", "atrl=ri+lbl&atrl=rr", hdrs, NULL);
	ASSERT_EQ(0, req_prim(&m, &p, self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(p, "{\"op\":2,\"to\":\"cse/cnt\",\"fr\":\"Cae1\","
		"\"rqi\":\"rq-1\",\"pc\":{\"m2m:atrl\":[\"ri\",\"lbl\",\"rr\"]}}"));
	json_decref(p);

	/* '+' is literal in a single value, %2B in a list element. */
	msg_set(&m, "GET", "/cse", "cfq=a+b&lbl=x%2By&%72cn=1", hdrs, NULL);
	ASSERT_EQ(0, req_prim(&m, &p, self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(p, "{\"op\":2,\"to\":\"cse\",\"fr\":\"Cae1\","
		"\"rqi\":\"rq-1\",\"rcn\":1,"
		"\"fc\":{\"cfq\":\"a+b\",\"lbl\":[\"x+y\"]}}"));
	json_decref(p);
}

TEST_F(map, query_refusals)
{
	static const struct {
		const char *method, *query, *why;
	} cases[] = {
		{ "GET", "x=1", "unknown query parameter \"x\"" },
		{ "GET", "rcn=1&foo=2", "unknown query parameter \"foo\"" },
		{ "GET", "c.zzz=1", "unknown query parameter \"c.zzz\"" },
		{ "GET", "q.rn=1", "unknown query parameter \"q.rn\"" },
		{ "GET", "rcn=1&rcn=2", "rcn given more than once" },
		{ "GET", "rt=1&rt=1", "rt given more than once" },
		{ "GET", "fu=1&fu=2", "fu given more than once" },
		{ "GET", "rcn=a", "rcn is not a non-negative integer" },
		{ "GET", "rcn=-1", "rcn is not a non-negative integer" },
		{ "GET", "rcn=+1", "rcn is not a non-negative integer" },
		{ "GET", "rcn=1234567890123456789",
		  "rcn is not a non-negative integer" },
		{ "GET", "sts=0", "sts is not a positive integer" },
		{ "GET", "ty=0", "ty is not a resource type" },
		{ "GET", "ty=2+x", "ty is not a resource type" },
		{ "GET", "ty=100000", "ty is not a resource type" },
		{ "GET", "da=yes", "da is not true, false, 1 or 0" },
		{ "GET", "da=TRUE", "da is not true, false, 1 or 0" },
		{ "GET", "rcn=", "rcn has no value" },
		{ "GET", "rcn", "field without '='" },
		{ "GET", "&rcn=1", "empty field" },
		{ "GET", "rcn=1&", "empty field" },
		{ "GET", "rcn=1&&lim=2", "empty field" },
		{ "GET", "=1", "empty name" },
		{ "GET", "lbl=a++b", "lbl is empty" },
		{ "GET", "lbl=a+", "lbl is empty" },
		{ "GET", "a%zz=1", "neither RFC 3986 query" },
		{ "GET", "rp=a%00", "%00" },
		{ "GET", "cfq=%FF", "cfq is not UTF-8" },
		{ "GET", "rn=%C3", "not UTF-8" },
		{ "GET", "rcn=1#x", "neither RFC 3986 query" },
		{ "GET", "cfq=a b", "neither RFC 3986 query" },
		{ "PUT", "atrl=ri", "atrl in the query of a request other" },
		{ "DELETE", "atrl=ri", "atrl in the query of a request other" },
	};
	const char *hdrs[] = { ORI, RI, JSON, NULL };
	struct msg m;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		msg_set(&m, cases[i].method, "/cse", cases[i].query, hdrs,
			NULL);
		self->err[0] = '\0';
		EXPECT_EQ(4000, req_prim(&m, &p, self->err))
			TH_LOG("%s", cases[i].query);
		EXPECT_NULL(p);
		EXPECT_TRUE(has(self->err, cases[i].why))
			TH_LOG("%s", cases[i].query);
	}
}

TEST_F(map, bodies)
{
	static const struct {
		const char *method, *ctype, *ctype2, *body, *why;
	} cases[] = {
		{ "POST", "Content-Type: application/xml;ty=3", NULL, "<x/>",
		  "only the JSON serialization is mapped" },
		{ "POST", "Content-Type: application/vnd.onem2m-res+cbor",
		  NULL, "x", "only the JSON serialization is mapped" },
		{ "POST", "Content-Type: text/plain", NULL, "{}",
		  "only the JSON serialization is mapped" },
		{ "POST", "Content-Type: application/jsonx", NULL, "{}",
		  "only the JSON serialization is mapped" },
		{ "POST", JSON "; foo=bar", NULL, "{}",
		  "a parameter other than ty and charset" },
		{ "POST", JSON "; charset=latin1", NULL, "{}",
		  "charset of Content-Type is not utf-8" },
		{ "POST", JSON ";", NULL, "{}", "parameter without '='" },
		{ "POST", JSON ";ty=0", NULL, "{}", "ty of Content-Type is not" },
		{ "POST", JSON ";ty=100000", NULL, "{}",
		  "ty of Content-Type is not" },
		{ "POST", JSON ";ty=3;ty=3", NULL, "{}", "ty given twice" },
		{ "POST", JSON ";ty=-3", NULL, "{}", "ty of Content-Type is not" },
		{ "POST", JSON, "Content-Type: application/json", "{}",
		  "Content-Type given more than once" },
		{ "POST", JSON, NULL, "{\"a\":1,\"a\":2}", "not JSON" },
		{ "POST", JSON, NULL, "[1]", "not a JSON object" },
		{ "POST", JSON, NULL, "\"s\"", "not JSON: '[' or '{' expected" },
		{ "POST", JSON, NULL, "{\"a\":", "not JSON" },
		{ "POST", JSON, NULL, "{} {}", "not JSON" },
		{ "POST", JSON, NULL, "{\"a\":\"\\u0000\"}", "not JSON" },
		{ "POST", NULL, NULL, "{}", "a body without Content-Type" },
		{ "GET", JSON, NULL, "{}", "a GET request with a body" },
		{ "DELETE", JSON, NULL, "{}", "a DELETE request with a body" },
	};
	static const char *const accepted[] = {
		JSON, "Content-Type: Application/JSON; Charset=\"UTF-8\"",
		"Content-Type: application/vnd.onem2m-res+json",
		"Content-Type:  APPLICATION/VND.ONEM2M-RES+JSON ; TY = 3 ",
	};
	struct msg m;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = { ORI, RI, cases[i].ctype,
				       cases[i].ctype2, NULL };

		msg_set(&m, cases[i].method, "/cse", NULL, hdrs,
			cases[i].body);
		self->err[0] = '\0';
		EXPECT_EQ(4000, req_prim(&m, &p, self->err)) TH_LOG("%zu", i);
		EXPECT_NULL(p);
		EXPECT_TRUE(has(self->err, cases[i].why)) TH_LOG("%zu", i);
	}
	for (i = 0; i < ARRAY_SIZE(accepted); i++) {
		const char *hdrs[] = { ORI, RI, accepted[i], NULL };

		msg_set(&m, "POST", "/cse", NULL, hdrs, " {\"m2m:x\":{}} ");
		ASSERT_EQ(0, req_prim(&m, &p, self->err))
			TH_LOG("%s: %s", accepted[i], self->err);
		EXPECT_TRUE(json_is(json_object_get(p, "pc"),
				    "{\"m2m:x\":{}}"));
		json_decref(p);
	}
}

/* ---- primitive -> request ---- */

static int prim_req(const char *text, struct binding_out *o, char *err)
{
	json_t *p = jparse(text);
	int rc;

	if (!p)
		return -1;
	rc = binding_primitive_to_request(p, o, err, 256);
	json_decref(p);
	return rc;
}

TEST_F(map, primitive_to_request)
{
	struct binding_out o;
	char *h;

	ASSERT_EQ(0, prim_req("{\"op\":2,\"to\":\"/cse-id/cnt\","
		"\"fr\":\"Cae1\",\"rqi\":\"r 1\",\"rvi\":\"4\",\"gid\":\"g\","
		"\"ot\":\"20240101T000000\",\"rset\":\"20240101T010000\","
		"\"rqet\":1000,\"oet\":\"20240101T000500\",\"ec\":4,"
		"\"vsi\":\"v\",\"aus\":[\"s1\",\"s2\"],"
		"\"rt\":{\"rtv\":2,\"nu\":[\"http://a/n\",\"b\"]},"
		"\"rp\":\"P1D\",\"rcn\":1,\"da\":false,\"drt\":1,"
		"\"rids\":[\"r1\"],\"tids\":[\"t1\",\"t2\"],\"ltids\":[\"l\"],"
		"\"tqi\":true,\"asi\":false,\"auri\":true,\"sqi\":false,"
		"\"fc\":{\"lbl\":[\"a+b\",\"c d\"],\"ty\":[3,4],\"fu\":1,"
		"\"smf\":[\"SELECT ?x\",\"y&z\"],\"cty\":[\"text/plain\"],"
		"\"crb\":\"20240101T000000\",\"lim\":5,\"ofst\":2,\"lvl\":1,"
		"\"arp\":\"m2m:x\",\"atr\":[{\"nm\":\"rn\",\"val\":\"n=1\"},"
		"{\"nm\":\"st\",\"val\":7},{\"nm\":\"rr\",\"val\":true}],"
		"\"catr\":[{\"nm\":\"ty\",\"val\":\"4\"}],"
		"\"patr\":[{\"nm\":\"lbl\",\"val\":\"p\"}]},"
		"\"pc\":{\"m2m:atrl\":[\"ri\",\"lbl\"]}}", &o, self->err))
		TH_LOG("%s", self->err);
	EXPECT_STREQ("GET", o.method);
	EXPECT_STREQ("/~/cse-id/cnt", o.path);
	EXPECT_STREQ("rt=2&rp=P1D&rcn=1&da=false&drt=1&rids=r1&tids=t1+t2"
		"&ltids=l&tqi=true&asi=false&auri=true&sqi=false"
		"&crb=20240101T000000&lbl=a%2Bb+c%20d&ty=3+4&cty=text/plain"
		"&lim=5&fu=1&smf=SELECT%20%3Fx&smf=y%26z&lvl=1&ofst=2"
		"&arp=m2m:x&atrl=ri+lbl&rn=n%3D1&st=7&rr=true&c.ty=4&p.lbl=p",
		o.query);
	h = out_headers(&o);
	EXPECT_STREQ("X-M2M-Origin: Cae1|X-M2M-RI: r 1|X-M2M-RVI: 4"
		"|X-M2M-GID: g|X-M2M-RTU: http://a/n&b"
		"|X-M2M-OT: 20240101T000000|X-M2M-RST: 20240101T010000"
		"|X-M2M-RET: 1000|X-M2M-OET: 20240101T000500|X-M2M-EC: 4"
		"|X-M2M-VSI: v|X-M2M-AS: s1+s2", h);
	free(h);
	EXPECT_NULL(o.body);
	EXPECT_EQ(0, o.body_len);
	binding_out_free(&o);

	/* Create: ty in Content-Type, pc the body. */
	ASSERT_EQ(0, prim_req("{\"op\":1,\"ty\":3,\"to\":\"//sp/cse/-\","
		"\"fr\":\"Cae1\",\"rqi\":\"1\",\"pc\":{\"m2m:cnt\":"
		"{\"rn\":\"c\",\"mni\":5}}}", &o, self->err))
		TH_LOG("%s", self->err);
	EXPECT_STREQ("POST", o.method);
	EXPECT_STREQ("/_/sp/cse/-", o.path);
	EXPECT_NULL(o.query);
	EXPECT_STREQ("application/json;ty=3", out_header(&o, "Content-Type"));
	EXPECT_STREQ("{\"m2m:cnt\":{\"rn\":\"c\",\"mni\":5}}", o.body);
	EXPECT_EQ(strlen(o.body), o.body_len);
	binding_out_free(&o);

	/* The Create of an <AE> without From, and without pc. */
	ASSERT_EQ(0, prim_req("{\"op\":1,\"ty\":2,\"to\":\"cse\","
		"\"rqi\":\"1\"}", &o, self->err)) TH_LOG("%s", self->err);
	EXPECT_NULL(out_header(&o, "X-M2M-Origin"));
	EXPECT_STREQ("application/json;ty=2", out_header(&o, "Content-Type"));
	EXPECT_NULL(o.body);
	binding_out_free(&o);

	/* A partial Retrieve of one attribute: To's '#' into atrl. */
	ASSERT_EQ(0, prim_req("{\"op\":2,\"to\":\"cse/cnt#rr\",\"fr\":\"C\","
		"\"rqi\":\"1\"}", &o, self->err)) TH_LOG("%s", self->err);
	EXPECT_STREQ("/cse/cnt", o.path);
	EXPECT_STREQ("atrl=rr", o.query);
	binding_out_free(&o);

	/* Update, Delete and Notify. */
	ASSERT_EQ(0, prim_req("{\"op\":3,\"to\":\"cse/a b\",\"fr\":\"C\","
		"\"rqi\":\"1\",\"pc\":{\"m2m:cnt\":{}}}", &o, self->err));
	EXPECT_STREQ("PUT", o.method);
	EXPECT_STREQ("/cse/a%20b", o.path);
	EXPECT_STREQ("application/json", out_header(&o, "Content-Type"));
	binding_out_free(&o);
	ASSERT_EQ(0, prim_req("{\"op\":4,\"to\":\"cse/x\",\"fr\":\"C\","
		"\"rqi\":\"1\"}", &o, self->err));
	EXPECT_STREQ("DELETE", o.method);
	EXPECT_NULL(out_header(&o, "Content-Type"));
	binding_out_free(&o);
	ASSERT_EQ(0, prim_req("{\"op\":5,\"to\":\"ae\",\"fr\":\"/cse\","
		"\"rqi\":\"1\",\"pc\":{\"m2m:sgn\":{\"vrq\":true}}}", &o,
		self->err));
	EXPECT_STREQ("POST", o.method);
	EXPECT_STREQ("application/json", out_header(&o, "Content-Type"));
	EXPECT_STREQ("{\"m2m:sgn\":{\"vrq\":true}}", o.body);
	binding_out_free(&o);
	/* An empty notificationURI list: an empty X-M2M-RTU. */
	ASSERT_EQ(0, prim_req("{\"op\":2,\"to\":\"c\",\"fr\":\"C\","
		"\"rqi\":\"1\",\"rt\":{\"rtv\":2,\"nu\":[]}}", &o, self->err));
	EXPECT_STREQ("", out_header(&o, "X-M2M-RTU"));
	EXPECT_STREQ("rt=2", o.query);
	binding_out_free(&o);
}

TEST_F(map, primitive_to_request_refusals)
{
#define BASE "\"to\":\"cse\",\"fr\":\"C\",\"rqi\":\"1\""
	static const struct {
		const char *prim, *why;
	} cases[] = {
		{ "[1]", "not an object" },
		{ "{\"op\":2," BASE ",\"tkns\":[\"x\"]}",
		  "request parameter tkns has no HTTP mapping" },
		{ "{\"op\":2," BASE ",\"grtm\":[\"x\"]}",
		  "request parameter grtm has no HTTP mapping" },
		{ "{\"op\":2," BASE ",\"rsc\":2000}", "rsc has no HTTP mapping" },
		{ "{\"op\":0," BASE "}", "op is not 1 to 5" },
		{ "{\"op\":6," BASE "}", "op is not 1 to 5" },
		{ "{\"op\":\"2\"," BASE "}", "op is not 1 to 5" },
		{ "{" BASE "}", "op is not 1 to 5" },
		{ "{\"op\":2,\"ty\":3," BASE "}", "ty in a request other than" },
		{ "{\"op\":1," BASE "}", "a Create without ty" },
		{ "{\"op\":1,\"ty\":0," BASE "}", "ty is not a resource type" },
		{ "{\"op\":1,\"ty\":\"3\"," BASE "}", "ty is not a resource" },
		{ "{\"op\":2,\"to\":\"c\",\"fr\":\"C\"}", "rqi missing" },
		{ "{\"op\":2,\"to\":\"c\",\"rqi\":\"1\"}", "fr missing" },
		{ "{\"op\":1,\"ty\":3,\"to\":\"c\",\"rqi\":\"1\"}", "fr missing" },
		{ "{\"op\":2,\"fr\":\"C\",\"rqi\":\"1\"}", "to is not" },
		{ "{\"op\":3," BASE ",\"pc\":[1]}", "pc is not an object" },
		{ "{\"op\":4," BASE ",\"pc\":{}}", "a Delete with pc" },
		{ "{\"op\":2," BASE ",\"pc\":{\"m2m:cnt\":{}}}",
		  "pc of a Retrieve is not an m2m:atrl only" },
		{ "{\"op\":2," BASE ",\"pc\":{\"m2m:atrl\":[]}}",
		  "atrl is not a non-empty list" },
		{ "{\"op\":2," BASE ",\"pc\":{\"m2m:atrl\":\"ri\"}}",
		  "atrl is not a non-empty list" },
		{ "{\"op\":2,\"to\":\"c#a\",\"fr\":\"C\",\"rqi\":\"1\","
		  "\"pc\":{\"m2m:atrl\":[\"ri\"]}}", "both an attribute in to" },
		{ "{\"op\":2,\"to\":\"c#\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "empty or second attribute" },
		{ "{\"op\":2,\"to\":\"c#a#b\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "empty or second attribute" },
		{ "{\"op\":3,\"to\":\"c#a\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to has a '#'" },
		{ "{\"op\":2,\"to\":\"\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to is not a non-empty string" },
		{ "{\"op\":2,\"to\":5,\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to is not a non-empty string" },
		{ "{\"op\":2,\"to\":\"a//b\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to has an empty segment" },
		{ "{\"op\":2,\"to\":\"a/\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to has an empty segment" },
		{ "{\"op\":2,\"to\":\"/\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to has an empty segment" },
		{ "{\"op\":2,\"to\":\"///a\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to has an empty segment" },
		{ "{\"op\":2,\"to\":\"a/../b\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "\"..\" segment" },
		{ "{\"op\":2,\"to\":\"~/x\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "CSE-relative but begins with \"~/\"" },
		{ "{\"op\":2,\"to\":\"_\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "CSE-relative but begins with \"_/\"" },
		{ "{\"op\":2,\"to\":\"//sp\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "absolute without SP-ID and CSE-ID" },
		{ "{\"op\":2,\"to\":\"a\\u0001b\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "control character" },
		{ "{\"op\":2,\"to\":\"a\\u0000b\",\"fr\":\"C\",\"rqi\":\"1\"}",
		  "to is not a non-empty string" },
		{ "{\"op\":2," BASE ",\"rt\":{\"rtv\":1,\"nu\":[\"a\"]}}",
		  "rt has nu with rtv other than 2" },
		{ "{\"op\":2," BASE ",\"rt\":{\"nu\":[\"a\"]}}",
		  "rt is not an object with rtv" },
		{ "{\"op\":2," BASE ",\"rt\":{\"rtv\":1,\"x\":1}}",
		  "rt has members other than" },
		{ "{\"op\":2," BASE ",\"rt\":{\"rtv\":\"1\"}}",
		  "rt is not a non-negative integer" },
		{ "{\"op\":2," BASE ",\"rt\":{\"rtv\":2,\"nu\":[\"a&b\"]}}",
		  "X-M2M-RTU has an element with one of \"&\"" },
		{ "{\"op\":2," BASE ",\"rt\":{\"rtv\":2,\"nu\":[\"\"]}}",
		  "X-M2M-RTU has an element that is not a non-empty" },
		{ "{\"op\":2," BASE ",\"rt\":{\"rtv\":2,\"nu\":\"a\"}}",
		  "rt is not a list" },
		{ "{\"op\":2," BASE ",\"aus\":[\"a+b\"]}",
		  "X-M2M-AS has an element with one of \"+\"" },
		{ "{\"op\":2," BASE ",\"aus\":[]}", "aus is an empty list" },
		{ "{\"op\":2," BASE ",\"aus\":[\" a\"]}",
		  "X-M2M-AS begins or ends with white space" },
		{ "{\"op\":2,\"to\":\"c\",\"fr\":\"a\\r\\nb\",\"rqi\":\"1\"}",
		  "X-M2M-Origin is not printable ASCII" },
		{ "{\"op\":2,\"to\":\"c\",\"fr\":\" C\",\"rqi\":\"1\"}",
		  "X-M2M-Origin begins or ends with white space" },
		{ "{\"op\":2,\"to\":\"c\",\"fr\":\"C\",\"rqi\":\"\\u00e9\"}",
		  "X-M2M-RI is not printable ASCII" },
		{ "{\"op\":2,\"to\":\"c\",\"fr\":\"C\",\"rqi\":1}",
		  "rqi is not a non-empty string" },
		{ "{\"op\":2," BASE ",\"rvi\":\"6\"}", "rvi is not a release" },
		{ "{\"op\":2," BASE ",\"ec\":-1}", "ec is not a non-negative" },
		{ "{\"op\":2," BASE ",\"rqet\":-5}", "rqet is not a non-empty" },
		{ "{\"op\":2," BASE ",\"rcn\":\"1\"}",
		  "rcn is not a non-negative integer" },
		{ "{\"op\":2," BASE ",\"rcn\":1.0}",
		  "rcn is not a non-negative integer" },
		{ "{\"op\":2," BASE ",\"da\":\"true\"}", "da is not a boolean" },
		{ "{\"op\":2," BASE ",\"rids\":[]}", "rids is not a non-empty" },
		{ "{\"op\":2," BASE ",\"rids\":[1]}",
		  "rids is not a non-empty string" },
		{ "{\"op\":2," BASE ",\"fc\":[]}", "fc is not an object" },
		{ "{\"op\":2," BASE ",\"fc\":{\"gmty\":1}}",
		  "filter criteria member gmty has no HTTP mapping" },
		{ "{\"op\":2," BASE ",\"fc\":{\"rcn\":1}}",
		  "filter criteria member rcn has no HTTP mapping" },
		{ "{\"op\":2," BASE ",\"fc\":{\"ty\":[0]}}",
		  "ty is not a resource type" },
		{ "{\"op\":2," BASE ",\"fc\":{\"sts\":0}}",
		  "sts is not a positive integer" },
		{ "{\"op\":2," BASE ",\"fc\":{\"lbl\":[\"\"]}}",
		  "lbl is not a non-empty string" },
		{ "{\"op\":2," BASE ",\"fc\":{\"atr\":[{\"nm\":\"lbl\","
		  "\"val\":\"x\"}]}}", "atr names lbl, a query parameter" },
		{ "{\"op\":2," BASE ",\"fc\":{\"atr\":[{\"nm\":\"zzz\","
		  "\"val\":\"x\"}]}}", "atr names zzz, no resource attribute" },
		{ "{\"op\":2," BASE ",\"fc\":{\"atr\":[{\"nm\":\"rn\","
		  "\"val\":{}}]}}", "val of rn is not a string, integer" },
		{ "{\"op\":2," BASE ",\"fc\":{\"atr\":[{\"nm\":\"rn\","
		  "\"val\":\"\"}]}}", "rn is not a non-empty string" },
		{ "{\"op\":2," BASE ",\"fc\":{\"atr\":[{\"nm\":\"rn\"}]}}",
		  "an element of atr is not {nm, val}" },
		{ "{\"op\":2," BASE ",\"fc\":{\"catr\":[]}}",
		  "catr is not a non-empty list" },
	};
#undef BASE
	struct binding_out o;
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		self->err[0] = '\0';
		memset(&o, 0x5a, sizeof(o));
		EXPECT_EQ(4000, prim_req(cases[i].prim, &o, self->err))
			TH_LOG("%s", cases[i].prim);
		EXPECT_NULL(o.method);
		EXPECT_NULL(o.headers);
		EXPECT_EQ(0, o.n_headers);
		EXPECT_TRUE(has(self->err, cases[i].why))
			TH_LOG("%s", cases[i].prim);
	}
	EXPECT_EQ(4000, binding_primitive_to_request(NULL, &o, self->err,
						     sizeof(self->err)));
	p = json_object();
	EXPECT_EQ(4000, binding_primitive_to_request(p, NULL, self->err,
						     sizeof(self->err)));
	json_decref(p);
}

/* ---- responses ---- */

static int rsp_prim(unsigned int status, const char *const *hdrs,
		    const char *body, json_t **prim, char *err)
{
	struct msg m;

	msg_set(&m, NULL, NULL, NULL, hdrs, body);
	m.http.status = status;
	return binding_response_to_primitive(&m.http, prim, err, 256);
}

TEST_F(map, response_to_primitive)
{
	const char *full[] = {
		"X-M2M-RSC: 2001", "X-M2M-RI: rq-1", "X-M2M-Origin: /cse",
		"X-M2M-RVI: 4", "X-M2M-OT: 20240101T000000",
		"X-M2M-RST: 20240101T010000", "X-M2M-EC: 2", "X-M2M-VSI: v",
		"X-M2M-CTS: 1", "X-M2M-CTO: 3",
		"X-M2M-ATI: l1:t1 + l2 : t:2", "X-M2M-ASRI: true",
		"Content-Location: /cse/x", "Content-Type: application/json",
		"X-M2M-GID: ignored", "Server: s", NULL
	};
	const char *min[] = { "X-M2M-RSC: 4004", "X-M2M-RI: 1", NULL };
	json_t *p;

	ASSERT_EQ(0, rsp_prim(201, full, "{\"m2m:uri\":\"cse/x\"}", &p,
			      self->err)) TH_LOG("%s", self->err);
	EXPECT_TRUE(json_is(p, "{\"rsc\":2001,\"rqi\":\"rq-1\","
		"\"fr\":\"/cse\",\"rvi\":\"4\",\"ot\":\"20240101T000000\","
		"\"rset\":\"20240101T010000\",\"ec\":2,\"vsi\":\"v\","
		"\"cnst\":1,\"cnot\":3,\"ati\":{\"ltia\":[{\"lti\":\"l1\","
		"\"tkid\":\"t1\"},{\"lti\":\"l2\",\"tkid\":\"t:2\"}]},"
		"\"asri\":true,\"pc\":{\"m2m:uri\":\"cse/x\"}}"));
	json_decref(p);
	ASSERT_EQ(0, rsp_prim(404, min, NULL, &p, self->err));
	EXPECT_TRUE(json_is(p, "{\"rsc\":4004,\"rqi\":\"1\"}"));
	json_decref(p);
}

TEST_F(map, response_refusals)
{
	static const struct {
		unsigned int status;
		const char *h1, *h2, *h3, *body;
		int rsc;
		const char *why;
	} cases[] = {
		{ 200, "X-M2M-RI: 1", NULL, NULL, NULL, 5000,
		  "X-M2M-RSC missing" },
		{ 200, "X-M2M-RSC: 2000", NULL, NULL, NULL, 5000,
		  "X-M2M-RI missing" },
		{ 200, "X-M2M-RSC: ok", "X-M2M-RI: 1", NULL, NULL, 5000,
		  "X-M2M-RSC is not a Response Status Code" },
		{ 200, "X-M2M-RSC: 2999", "X-M2M-RI: 1", NULL, NULL, 5000,
		  "X-M2M-RSC is not a Response Status Code" },
		{ 200, "X-M2M-RSC: 99999", "X-M2M-RI: 1", NULL, NULL, 5000,
		  "X-M2M-RSC is not a Response Status Code" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", "X-M2M-RSC: 2000",
		  NULL, 5000, "X-M2M-RSC given more than once" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", JSON, "{", 5000,
		  "not JSON" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", JSON, "[]", 5000,
		  "not a JSON object" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", NULL, "{}", 5000,
		  "a body without Content-Type" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", JSON ";ty=3", "{}",
		  5000, "ty in the Content-Type of a response" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", "X-M2M-CTO: 0", NULL,
		  5000, "X-M2M-CTO is not a positive integer" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", "X-M2M-ATI: x", NULL,
		  5000, "X-M2M-ATI has an element that is not lti:tkid" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", "X-M2M-ATI: :t",
		  NULL, 5000, "X-M2M-ATI has an element that is not lti:tkid" },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1", "X-M2M-ASRI: yes",
		  NULL, 5000, "X-M2M-ASRI is not true, false" },
		{ 0, "X-M2M-RSC: 2000", "X-M2M-RI: 1", NULL, NULL, 5000,
		  "HTTP status 0" },
		{ 600, "X-M2M-RSC: 2000", "X-M2M-RI: 1", NULL, NULL, 5000,
		  "HTTP status 600" },
		/* A valid response this mapping does not cover. */
		{ 200, "X-M2M-RSC: 2000", "X-M2M-RI: 1",
		  "Content-Type: application/xml", "<x/>", 4000,
		  "only the JSON serialization is mapped" },
	};
	json_t *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = { cases[i].h1, cases[i].h2, cases[i].h3,
				       NULL };

		self->err[0] = '\0';
		EXPECT_EQ(cases[i].rsc, rsp_prim(cases[i].status, hdrs,
						 cases[i].body, &p, self->err))
			TH_LOG("%zu", i);
		EXPECT_NULL(p);
		EXPECT_TRUE(has(self->err, cases[i].why)) TH_LOG("%zu", i);
	}
}

static int prim_rsp(const char *text, struct binding_out *o, char *err)
{
	json_t *p = jparse(text);
	int rc;

	if (!p)
		return -1;
	rc = binding_primitive_to_response(p, o, err, 256);
	json_decref(p);
	return rc;
}

TEST_F(map, primitive_to_response)
{
	static const struct {
		const char *prim;
		unsigned int status;
		const char *location;
	} cases[] = {
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"pc\":{\"m2m:cnt\":{}}}", 200,
		  NULL },
		{ "{\"rsc\":2001,\"rqi\":\"1\",\"pc\":{\"m2m:uri\":"
		  "\"cse/ae/cnt 1\"}}", 201, "cse/ae/cnt%201" },
		{ "{\"rsc\":2001,\"rqi\":\"1\",\"pc\":{\"m2m:rce\":{\"m2m:cnt\":"
		  "{},\"uri\":\"/cse-id/x\"}}}", 201, "/cse-id/x" },
		{ "{\"rsc\":2001,\"rqi\":\"1\",\"pc\":{\"m2m:cnt\":{\"ri\":"
		  "\"x\"}}}", 201, NULL },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"pc\":{\"m2m:uri\":\"c\"}}",
		  200, NULL },
		{ "{\"rsc\":2002,\"rqi\":\"1\"}", 200, NULL },
		{ "{\"rsc\":2004,\"rqi\":\"1\"}", 200, NULL },
		{ "{\"rsc\":1001,\"rqi\":\"1\"}", 202, NULL },
		{ "{\"rsc\":4000,\"rqi\":\"1\"}", 400, NULL },
		{ "{\"rsc\":4004,\"rqi\":\"1\"}", 404, NULL },
		{ "{\"rsc\":4103,\"rqi\":\"1\"}", 403, NULL },
		{ "{\"rsc\":4115,\"rqi\":\"1\"}", 403, NULL },
		{ "{\"rsc\":5000,\"rqi\":\"1\"}", 500, NULL },
		{ "{\"rsc\":5210,\"rqi\":\"1\"}", 500, NULL },
		{ "{\"rsc\":5207,\"rqi\":\"1\"}", 406, NULL },
	};
	struct binding_out o;
	size_t i;
	char *h;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, prim_rsp(cases[i].prim, &o, self->err))
			TH_LOG("%s: %s", cases[i].prim, self->err);
		EXPECT_EQ(cases[i].status, o.status) TH_LOG("%zu", i);
		if (cases[i].location) {
			EXPECT_STREQ(cases[i].location,
				     out_header(&o, "Content-Location"));
		} else {
			EXPECT_NULL(out_header(&o, "Content-Location"));
		}
		EXPECT_EQ(!!strstr(cases[i].prim, "\"pc\""), !!o.body);
		binding_out_free(&o);
	}
	ASSERT_EQ(0, prim_rsp("{\"rsc\":2001,\"rqi\":\"rq\",\"fr\":\"/cse\","
		"\"rvi\":\"3\",\"ot\":\"20240101T000000\",\"rset\":5000,"
		"\"ec\":4,\"vsi\":\"v\",\"cnst\":2,\"cnot\":1,"
		"\"ati\":{\"ltia\":[{\"lti\":\"l\",\"tkid\":\"t:1\"},"
		"{\"lti\":\"m\",\"tkid\":\"u\"}]},\"asri\":false,"
		"\"pc\":{\"m2m:uri\":\"cse/c\"}}", &o, self->err))
		TH_LOG("%s", self->err);
	EXPECT_EQ(201, o.status);
	h = out_headers(&o);
	EXPECT_STREQ("X-M2M-RSC: 2001|X-M2M-Origin: /cse|X-M2M-RI: rq"
		"|X-M2M-RVI: 3|X-M2M-OT: 20240101T000000|X-M2M-RST: 5000"
		"|X-M2M-EC: 4|X-M2M-VSI: v|X-M2M-CTS: 2|X-M2M-CTO: 1"
		"|X-M2M-ATI: l:t:1+m:u|X-M2M-ASRI: false"
		"|Content-Location: cse/c|Content-Type: application/json", h);
	free(h);
	EXPECT_STREQ("{\"m2m:uri\":\"cse/c\"}", o.body);
	binding_out_free(&o);
}

TEST_F(map, primitive_to_response_refusals)
{
	static const struct {
		const char *prim, *why;
	} cases[] = {
		{ "[]", "not an object" },
		{ "{\"rqi\":\"1\"}", "rsc missing" },
		{ "{\"rsc\":2000}", "rqi missing" },
		{ "{\"rsc\":2999,\"rqi\":\"1\"}",
		  "rsc is not a Response Status Code" },
		{ "{\"rsc\":\"2000\",\"rqi\":\"1\"}",
		  "rsc is not a Response Status Code" },
		{ "{\"rsc\":-1,\"rqi\":\"1\"}",
		  "rsc is not a Response Status Code" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"to\":\"c\"}",
		  "response parameter to has no HTTP mapping" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"tqf\":{}}",
		  "response parameter tqf has no HTTP mapping" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"op\":1}",
		  "response parameter op has no HTTP mapping" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"pc\":5}", "pc is not an object" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"cnot\":0}",
		  "cnot is not a positive integer" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"asri\":1}",
		  "asri is not a boolean" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"ati\":[]}",
		  "ati is not an object of ltia only" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"ati\":{\"ltia\":[]}}",
		  "ati is an empty list" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"ati\":{\"ltia\":"
		  "[{\"lti\":\"a:b\",\"tkid\":\"t\"}]}}",
		  "X-M2M-ATI has an element with one of \":+\"" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"ati\":{\"ltia\":"
		  "[{\"lti\":\"a\"}]}}", "an ltia of ati is not {lti, tkid}" },
		{ "{\"rsc\":2000,\"rqi\":\"1\",\"vsi\":\"a\\nb\"}",
		  "X-M2M-VSI is not printable ASCII" },
	};
	struct binding_out o;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		self->err[0] = '\0';
		EXPECT_EQ(4000, prim_rsp(cases[i].prim, &o, self->err))
			TH_LOG("%s", cases[i].prim);
		EXPECT_NULL(o.headers);
		EXPECT_TRUE(has(self->err, cases[i].why))
			TH_LOG("%s", cases[i].prim);
	}
}

/* ---- round trips ---- */

/*
 * A canonical request -> primitive -> request: the same method, path,
 * query, X-M2M headers and body; and the request read again gives the
 * same primitive.
 */
static bool request_round_trip(struct msg *m, char *err)
{
	struct binding_out o;
	json_t *p1 = NULL, *p2 = NULL, *b1 = NULL, *b2 = NULL;
	struct msg back;
	bool ok = false;
	size_t i, n_m2m = 0;

	if (binding_request_to_primitive(&m->http, &p1, err, 256))
		return false;
	if (binding_primitive_to_request(p1, &o, err, 256))
		goto out_p;
	if (strcmp(o.method, m->http.method) ||
	    strcmp(o.path, m->http.path) ||
	    !!o.query != !!m->http.query ||
	    (o.query && strcmp(o.query, m->http.query))) {
		snprintf(err, 256, "%s %s?%s", o.method, o.path,
			 o.query ? o.query : "");
		goto out;
	}
	for (i = 0; i < m->http.n_headers; i++) {
		const char *name = m->http.headers[i].name, *v;

		if (strncasecmp(name, "X-M2M-", 6))
			continue;
		n_m2m++;
		v = out_header(&o, name);
		if (!v || strcmp(v, m->http.headers[i].value + 1)) {
			snprintf(err, 256, "%s: %s", name, v ? v : "(none)");
			goto out;
		}
	}
	for (i = 0; i < o.n_headers; i++)
		n_m2m -= !strncasecmp(o.headers[i].name, "X-M2M-", 6);
	if (n_m2m) {
		snprintf(err, 256, "X-M2M headers differ in number");
		goto out;
	}
	if (m->http.body_len || o.body_len) {
		b1 = json_loadb(m->http.body, m->http.body_len, 0, NULL);
		b2 = json_loadb(o.body, o.body_len, 0, NULL);
		if (!b1 || !b2 || !json_equal(b1, b2)) {
			snprintf(err, 256, "bodies differ");
			goto out;
		}
	}
	msg_of_out(&back, &o);
	if (binding_request_to_primitive(&back.http, &p2, err, 256))
		goto out;
	ok = json_equal(p1, p2);
	if (!ok)
		snprintf(err, 256, "primitives differ");
out:
	binding_out_free(&o);
out_p:
	json_decref(p1);
	json_decref(p2);
	json_decref(b1);
	json_decref(b2);
	return ok;
}

TEST_F(map, request_round_trips)
{
	static const struct {
		const char *method, *path, *query, *h1, *h2, *body;
	} cases[] = {
		{ "GET", "/~/cse-id/cnt", NULL, NULL, NULL, NULL },
		{ "GET", "/_/sp/cse-id/a%20b", "rcn=4&da=true", NULL, NULL,
		  NULL },
		{ "GET", "/cse", "rt=2&rp=P1D&rcn=1&drt=2&rids=a+b&tids=t"
		  "&ltids=l&tqi=true&asi=false&auri=true&sqi=false"
		  "&crb=20240101T000000&cra=x&ms=y&us=z&sts=1&stb=0&exb=e"
		  "&exa=f&lbl=a%2Bb+c&lbq=q&clbl=c&palb=p&ty=2+3&chty=4&pty=5"
		  "&sza=0&szb=1&cty=text/plain&lim=3&fu=1&smf=S%20x&smf=T"
		  "&fo=1&cfs=1&cfq=a%3Db&lvl=1&ofst=1&arp=m2m:x&atrl=ri+lbl"
		  "&rn=a&st=3&c.ty=2&p.lbl=q",
		  "X-M2M-RTU: http://a/n&b", "X-M2M-AS: s1+s2", NULL },
		{ "POST", "/cse/ae", NULL,
		  "Content-Type: application/json;ty=4", NULL,
		  "{\"m2m:cin\":{\"con\":\"hello\",\"cnf\":\"text/plain:0\"}}" },
		{ "POST", "/cse", NULL, "X-M2M-RVI: 4", "X-M2M-EC: 3",
		  "{\"m2m:sgn\":{\"nev\":{\"rep\":{\"a\":[1,2.5,null]}}}}" },
		{ "PUT", "/cse/x", NULL, "X-M2M-OT: 20240101T000000",
		  "X-M2M-GID: g", "{\"m2m:cnt\":{\"lbl\":[\"x\"]}}" },
		{ "DELETE", "/cse/x", NULL, "X-M2M-RET: 1000",
		  "X-M2M-OET: 20240101T000500", NULL },
		{ "GET", "/cse", "rt=1", "X-M2M-RST: 20240101T010000",
		  "X-M2M-VSI: v 1", NULL },
	};
	struct msg m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = {
			"X-M2M-Origin: Cae1", "X-M2M-RI: 1", cases[i].h1,
			cases[i].h2, NULL
		};
		const char *ct[] = {
			"X-M2M-Origin: Cae1", "X-M2M-RI: 1", JSON, cases[i].h1,
			cases[i].h2, NULL
		};

		msg_set(&m, cases[i].method, cases[i].path, cases[i].query,
			cases[i].body && !(cases[i].h1 &&
					   strstr(cases[i].h1, "Content")) ?
			ct : hdrs, cases[i].body);
		self->err[0] = '\0';
		EXPECT_TRUE(request_round_trip(&m, self->err))
			TH_LOG("%zu: %s", i, self->err);
	}
}

/* A request read, written and read again gives the same primitive. */
static bool request_stable(struct msg *m, char *err, char **path,
			   char **query)
{
	struct binding_out o;
	json_t *p1 = NULL, *p2 = NULL;
	struct msg back;
	bool ok;

	if (binding_request_to_primitive(&m->http, &p1, err, 256))
		return false;
	if (binding_primitive_to_request(p1, &o, err, 256)) {
		json_decref(p1);
		return false;
	}
	msg_of_out(&back, &o);
	ok = !binding_request_to_primitive(&back.http, &p2, err, 256) &&
	     json_equal(p1, p2);
	*path = strdup(o.path);
	*query = o.query ? strdup(o.query) : NULL;
	binding_out_free(&o);
	json_decref(p1);
	json_decref(p2);
	return ok;
}

TEST_F(map, request_normalised)
{
	static const struct {
		const char *path, *query, *path_out, *query_out;
	} cases[] = {
		{ "/%7E/cse/a", "da=1", "/~/cse/a", "da=true" },
		{ "/cse/%61", "lbl=a&lbl=b", "/cse/a", "lbl=a+b" },
		{ "/cse", "rcn=007&tqi=0", "/cse", "rcn=7&tqi=false" },
		{ "/cse", "lim=1&rcn=2", "/cse", "rcn=2&lim=1" },
		{ "/cse", "%6c%62%6c=a%2fb", "/cse", "lbl=a/b" },
		{ "/cse", "cfq=a+b", "/cse", "cfq=a%2Bb" },
	};
	const char *hdrs[] = { "X-M2M-Origin:  C1  ", "X-M2M-RI: \t1",
			       NULL };
	struct msg m;
	char *path, *query;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		msg_set(&m, "GET", cases[i].path, cases[i].query, hdrs, NULL);
		ASSERT_TRUE(request_stable(&m, self->err, &path, &query))
			TH_LOG("%zu: %s", i, self->err);
		EXPECT_STREQ(cases[i].path_out, path);
		EXPECT_STREQ(cases[i].query_out, query);
		free(path);
		free(query);
	}
}

TEST_F(map, response_round_trips)
{
	static const struct {
		unsigned int status;
		const char *h1, *h2, *body;
	} cases[] = {
		{ 200, "X-M2M-RSC: 2000", NULL, "{\"m2m:cnt\":{\"st\":1}}" },
		{ 201, "X-M2M-RSC: 2001", "X-M2M-OT: 20240101T000000",
		  "{\"m2m:rce\":{\"m2m:cnt\":{},\"uri\":\"cse/c\"}}" },
		{ 404, "X-M2M-RSC: 4004", "X-M2M-VSI: x", NULL },
		{ 403, "X-M2M-RSC: 4103", "X-M2M-ATI: l:t+m:u", NULL },
		{ 200, "X-M2M-RSC: 2000", "X-M2M-CTS: 1", "{\"m2m:agr\":{}}" },
		{ 500, "X-M2M-RSC: 5000", "X-M2M-RST: 1000", NULL },
	};
	struct binding_out o;
	struct msg back;
	json_t *p1, *p2;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = {
			cases[i].h1, "X-M2M-RI: 1", "X-M2M-RVI: 4",
			cases[i].body ? JSON : "Server: s", cases[i].h2, NULL
		};

		ASSERT_EQ(0, rsp_prim(cases[i].status, hdrs, cases[i].body,
				      &p1, self->err)) TH_LOG("%zu", i);
		ASSERT_EQ(0, binding_primitive_to_response(p1, &o, self->err,
							   sizeof(self->err)))
			TH_LOG("%zu: %s", i, self->err);
		EXPECT_EQ(cases[i].status, o.status);
		for (j = 0; hdrs[j]; j++)
			if (!strncmp(hdrs[j], "X-M2M-", 6)) {
				const char *colon = strchr(hdrs[j], ':');
				char name[32];

				snprintf(name, sizeof(name), "%.*s",
					 (int)(colon - hdrs[j]), hdrs[j]);
				EXPECT_STREQ(colon + 2, out_header(&o, name));
			}
		msg_of_out(&back, &o);
		ASSERT_EQ(0, binding_response_to_primitive(&back.http, &p2,
							   self->err,
							   sizeof(self->err)));
		EXPECT_TRUE(json_equal(p1, p2));
		binding_out_free(&o);
		json_decref(p1);
		json_decref(p2);
	}
}

TEST_HARNESS_MAIN
