// SPDX-License-Identifier: GPL-2.0
/*
 * The checks a request passes before esprimd's handler sees it (http.h
 * lists them).  Plain functions over the method, the path, the headers
 * and the body, so that the server and the fuzz target run the same code.
 * A refusal says why in a sentence of printable ASCII (it becomes the
 * m2m:dbg of the answer) and never repeats a header's value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_internal.h"

void http_check_init(struct http_check *c)
{
	memset(c, 0, sizeof(*c));
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && !strncasecmp(name, want, len);
}

/* Content-Length: digits only; anything else stays "not given". */
static void parse_length(struct http_check *c, const char *v, size_t n)
{
	uint64_t x = 0;
	size_t i;

	if (!n || n > 19)
		return;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	c->content_length = x;
	c->has_length = true;
}

void http_check_header(struct http_check *c, const char *name,
		       size_t name_len, const char *value, size_t value_len)
{
	if (name_is(name, name_len, "X-M2M-Origin")) {
		c->origin = value;
		c->origin_len = value_len;
		c->n_origin++;
	} else if (name_is(name, name_len, "X-M2M-RI")) {
		c->ri = value;
		c->ri_len = value_len;
		c->n_ri++;
	} else if (name_is(name, name_len, "X-M2M-RVI")) {
		c->rvi = value;
		c->rvi_len = value_len;
		c->n_rvi++;
	} else if (name_is(name, name_len, "Content-Type")) {
		c->ctype = value;
		c->ctype_len = value_len;
		c->n_ctype++;
	} else if (name_is(name, name_len, "Content-Length")) {
		parse_length(c, value, value_len);
	}
}

__attribute__((format(printf, 4, 5)))
static int refuse(struct http_check *c, unsigned int status, int rsc,
		  const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	/* jansson's messages may quote the input: keep the text ASCII. */
	for (p = c->reason; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	c->status = status;
	c->rsc = rsc;
	return -1;
}

bool http_is_id(const char *s, size_t len)
{
	size_t i;

	if (!s || !len || len > HTTP_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/*
 * RFC 3986 3.3: "/" and pchar (unreserved, pct-encoded, sub-delims, ":",
 * "@"), beginning with "/".
 */
static bool path_ok(const char *path)
{
	static const char other[] = "-._~!$&'()*+,;=:@/";
	size_t i, n = strlen(path);

	if (!n || n > HTTP_PATH_MAX || path[0] != '/')
		return false;
	for (i = 0; i < n; i++) {
		char ch = path[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr(other, ch))
			continue;
		/* path[i + 2] is read only when path[i + 1] was no NUL. */
		if (ch == '%' && is_hex(path[i + 1]) && is_hex(path[i + 2])) {
			i += 2;
			continue;
		}
		return false;
	}
	return true;
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * "application/json", optionally "; ty=N" (TS-0009 6.4.3), names
 * case-insensitive, no other parameter.  0 with c->ty (0: none), or -1.
 */
static int check_ctype(struct http_check *c)
{
	static const char json[] = "application/json";
	const char *p, *end;
	int ty = 0, digits = 0;

	if (c->n_ctype == 0)
		return refuse(c, 400, 4000, "Content-Type missing");
	if (c->n_ctype > 1)
		return refuse(c, 400, 4000,
			      "Content-Type given more than once");
	end = c->ctype + c->ctype_len;
	p = skip_ows(c->ctype, end);
	if ((size_t)(end - p) < sizeof(json) - 1 ||
	    strncasecmp(p, json, sizeof(json) - 1))
		return refuse(c, 400, 4000, "Content-Type is not %s", json);
	p = skip_ows(p + sizeof(json) - 1, end);
	if (p == end) {
		c->ty = 0;
		return 0;
	}
	if (*p != ';')
		return refuse(c, 400, 4000, "Content-Type is not %s", json);
	p = skip_ows(p + 1, end);
	if (end - p < 3 || strncasecmp(p, "ty=", 3))
		return refuse(c, 400, 4000,
			      "Content-Type has a parameter other than ty");
	for (p += 3; p < end && *p >= '0' && *p <= '9'; p++) {
		if (++digits > 5)
			break;
		ty = ty * 10 + (*p - '0');
	}
	if (!digits || digits > 5 || ty == 0 || skip_ows(p, end) != end)
		return refuse(c, 400, 4000,
			      "ty of Content-Type is not a resource type");
	c->ty = ty;
	return 0;
}

static int check_id(struct http_check *c, const char *name, const char *v,
		    size_t len, unsigned int n)
{
	if (n == 0)
		return refuse(c, 400, 4000, "%s missing", name);
	if (n > 1)
		return refuse(c, 400, 4000, "%s given more than once", name);
	if (!http_is_id(v, len))
		return refuse(c, 400, 4000,
			      "%s is not 1 to %d printable ASCII characters",
			      name, HTTP_ID_MAX);
	return 0;
}

static bool rvi_ok(const char *v, size_t len)
{
	static const char *const known[] = { "1", "2", "2a", "3", "4", "5" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (len == strlen(known[i]) && !memcmp(v, known[i], len))
			return true;
	return false;
}

int http_check_head(struct http_check *c, const char *method,
		    const char *path)
{
	if (!strcmp(method, "POST"))
		c->op = ESPRIMD_HTTP_NOTIFY;
	else if (!strcmp(method, "GET"))
		c->op = ESPRIMD_HTTP_RETRIEVE;
	else
		return refuse(c, 405, 4005, "method not allowed: GET or POST");
	if (!path_ok(path))
		return refuse(c, 400, 4000,
			      "path is not 1 to %d RFC 3986 path characters",
			      HTTP_PATH_MAX);
	if (check_id(c, "X-M2M-Origin", c->origin, c->origin_len,
		     c->n_origin) ||
	    check_id(c, "X-M2M-RI", c->ri, c->ri_len, c->n_ri))
		return -1;
	if (c->n_rvi > 1)
		return refuse(c, 400, 4000, "X-M2M-RVI given more than once");
	if (c->n_rvi && !rvi_ok(c->rvi, c->rvi_len))
		return refuse(c, 400, 4000,
			      "X-M2M-RVI is not one of 1, 2, 2a, 3, 4, 5");
	if (c->op == ESPRIMD_HTTP_RETRIEVE) {
		if (c->has_length && c->content_length)
			return refuse(c, 400, 4000, "a GET carries no body");
		return 0;
	}
	if (check_ctype(c))
		return -1;
	if (c->ty)
		c->op = ESPRIMD_HTTP_CREATE;
	if (c->has_length && c->content_length > ESPRIMD_HTTP_MAX_BODY)
		return refuse(c, 413, 4000, "body over %d bytes",
			      ESPRIMD_HTTP_MAX_BODY);
	return 0;
}

int http_check_body(struct http_check *c, const char *body, size_t body_len,
		    json_t **obj)
{
	json_error_t e;
	json_t *j;

	*obj = NULL;
	if (c->op == ESPRIMD_HTTP_RETRIEVE)
		return body_len ? refuse(c, 400, 4000, "a GET carries no body")
				: 0;
	if (body_len > ESPRIMD_HTTP_MAX_BODY)
		return refuse(c, 413, 4000, "body over %d bytes",
			      ESPRIMD_HTTP_MAX_BODY);
	if (!body_len)
		return refuse(c, 400, 4000, "POST without a body");
	j = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		return refuse(c, 400, 4000,
			      "body is not JSON: %s (line %d, column %d)",
			      e.text, e.line, e.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return refuse(c, 400, 4000, "body is not a JSON object");
	}
	*obj = j;
	return 0;
}
