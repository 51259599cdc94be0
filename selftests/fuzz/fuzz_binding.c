// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target of the sidecar's HTTP binding (user/daemon/binding.c).
 * An input is an HTTP message as the binding is given it:
 *
 *   line 1  the method (its leading digits, if any, the status of the
 *           same message read as a response; 200 when none)
 *   line 2  the path ("-" alone: none)
 *   line 3  the query ("-" alone: none)
 *   then    "Name:value" header lines up to an empty line
 *   rest    the body
 *
 * Each string is copied into a buffer of its own size, the body without
 * a NUL, so that ASan sees any read past them.  The message goes through
 * binding_request_to_primitive() and binding_response_to_primitive();
 * what parses must map back (binding_primitive_to_*() may not refuse a
 * primitive the binding made), be read again into the same primitive, and
 * map back into the very same message (the canonical form is a fixed
 * point).  A refusal must be 4000 or 5000 with a reason.  A body that is a
 * JSON object is also given to binding_primitive_to_*() as a primitive of
 * a peer: what those accept must read back, and map back the same.
 * Built with -fsanitize=fuzzer,address,undefined; seeds in seeds/binding/.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "binding.h"

#define MAX_HEADERS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_binding: %s: %s\n", what, err);
	abort();
}

/* The next line of [*p, end) as a string of its own, without '\n'. */
static char *line(const uint8_t **p, const uint8_t *end, bool *more)
{
	const uint8_t *nl = memchr(*p, '\n', end - *p);
	size_t n = (nl ? nl : end) - *p;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl ? nl + 1 : end;
	*more = nl != NULL;
	return s;
}

static bool same_out(const struct binding_out *a, const struct binding_out *b)
{
	size_t i;

#define SAME_STR(x, y) (!(x) == !(y) && (!(x) || !strcmp((x), (y))))
	if (!SAME_STR(a->method, b->method) || !SAME_STR(a->path, b->path) ||
	    !SAME_STR(a->query, b->query) || a->status != b->status ||
	    a->n_headers != b->n_headers || a->body_len != b->body_len ||
	    (a->body_len && memcmp(a->body, b->body, a->body_len)))
		return false;
	for (i = 0; i < a->n_headers; i++)
		if (strcmp(a->headers[i].name, b->headers[i].name) ||
		    strcmp(a->headers[i].value, b->headers[i].value))
			return false;
	return true;
#undef SAME_STR
}

static void http_of(struct binding_http *h, const struct binding_out *o)
{
	memset(h, 0, sizeof(*h));
	h->method = o->method;
	h->path = o->path;
	h->query = o->query;
	h->status = o->status;
	h->headers = o->headers;
	h->n_headers = o->n_headers;
	h->body = o->body;
	h->body_len = o->body_len;
}

typedef int (*to_prim_fn)(const struct binding_http *, json_t **, char *,
			  size_t);
typedef int (*to_http_fn)(json_t *, struct binding_out *, char *, size_t);

/*
 * A primitive the binding accepted (p) maps to a message o that reads back
 * into a primitive which maps to the same o.  must: p is the binding's own,
 * so it must map, and read back equal.
 */
static void back_and_forth(json_t *p, bool must, to_prim_fn to_prim,
			   to_http_fn to_http)
{
	struct binding_out o, o2;
	struct binding_http h;
	char err[256] = "";
	json_t *p2;
	int rc;

	rc = to_http(p, &o, err, sizeof(err));
	if (rc) {
		if (must)
			die("a primitive of the binding does not map back",
			    err);
		if ((rc != 4000 && rc != 5000) || !*err || o.headers)
			die("a refusal without its RSC or reason", err);
		return;
	}
	http_of(&h, &o);
	if (to_prim(&h, &p2, err, sizeof(err)))
		die("a message of the binding is not read back", err);
	if (must && !json_equal(p, p2))
		die("the primitive read back differs", "");
	if (to_http(p2, &o2, err, sizeof(err)))
		die("a primitive read back does not map", err);
	if (!same_out(&o, &o2))
		die("the canonical message is no fixed point", "");
	binding_out_free(&o2);
	binding_out_free(&o);
	json_decref(p2);
}

static void through(const struct binding_http *h, to_prim_fn to_prim,
		    to_http_fn to_http)
{
	char err[256] = "";
	json_t *p = NULL;
	int rc;

	rc = to_prim(h, &p, err, sizeof(err));
	if (rc) {
		if ((rc != 4000 && rc != 5000) || !*err || p)
			die("a refusal without its RSC or reason", err);
		return;
	}
	if (!json_is_object(p))
		die("a primitive that is no object", "");
	back_and_forth(p, true, to_prim, to_http);
	json_decref(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct binding_header hdrs[MAX_HEADERS];
	char *method, *path, *query, *body = NULL;
	struct binding_http h = { 0 };
	size_t i, n = 0;
	json_t *peer;
	bool more;

	method = line(&p, end, &more);
	path = line(&p, end, &more);
	query = line(&p, end, &more);
	while (more && n < MAX_HEADERS) {
		char *l = line(&p, end, &more), *colon = strchr(l, ':');

		if (!*l || !colon) {
			free(l);
			break;
		}
		*colon = '\0';
		hdrs[n].name = l;
		hdrs[n].value = strdup(colon + 1);
		if (!hdrs[n].value)
			abort();
		n++;
	}
	h.method = method;
	h.status = (unsigned int)strtoul(method, NULL, 10);
	if (!h.status)
		h.status = 200;
	h.path = strcmp(path, "-") ? path : NULL;
	h.query = strcmp(query, "-") ? query : NULL;
	h.headers = hdrs;
	h.n_headers = n;
	h.body_len = end - p;
	if (h.body_len) {
		body = malloc(h.body_len);
		if (!body)
			abort();
		memcpy(body, p, h.body_len);
		h.body = body;
	}

	through(&h, binding_request_to_primitive,
		binding_primitive_to_request);
	through(&h, binding_response_to_primitive,
		binding_primitive_to_response);
	peer = body ? json_loadb(body, h.body_len, JSON_ALLOW_NUL, NULL) :
		      NULL;
	if (json_is_object(peer)) {
		back_and_forth(peer, false, binding_request_to_primitive,
			       binding_primitive_to_request);
		back_and_forth(peer, false, binding_response_to_primitive,
			       binding_primitive_to_response);
	}
	json_decref(peer);

	for (i = 0; i < n; i++) {
		free((char *)hdrs[i].name);
		free((char *)hdrs[i].value);
	}
	free(method);
	free(path);
	free(query);
	free(body);
	return 0;
}
