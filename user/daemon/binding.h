/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The oneM2M HTTP binding (TS-0009) as a mapping between HTTP messages and
 * the JSON request and response primitives (TS-0004 short names) that
 * ESPrim seals: the sidecar turns a plain request of an unmodified CSE or
 * AE into the inner primitive of a Notify, and the inner primitive it
 * opened back into the plain HTTP request the CSE understands; likewise
 * for responses.  Pure functions: no I/O, no global state.
 *
 * Only the JSON serialization is mapped (ESPrim's inner primitives are
 * vnd.onem2m-preq+json / prsp+json here); other content types give 4000.
 */
#ifndef ESPRIMD_BINDING_H
#define ESPRIMD_BINDING_H

#include <stddef.h>
#include <jansson.h>

/* One header of an HTTP message: name as sent, value without CR/LF. */
struct binding_header {
	const char *name;
	const char *value;
};

/*
 * An HTTP message as received (pointers into the caller's buffers).
 * @method: "GET", "POST", "PUT" or "DELETE" (requests)
 * @path: the request target's path as received, percent-encoded: "/~/...",
 *	"/_/..." or "/..." (TS-0009 6.2.1 / 6.4: SP-relative, absolute,
 *	CSE-relative)
 * @query: the query string without '?', or NULL
 * @status: responses: the HTTP status
 * @headers: every header received (names compare case-insensitively)
 * @body: the body, @body_len bytes (not NUL-terminated), or NULL
 */
struct binding_http {
	const char *method;
	const char *path;
	const char *query;
	unsigned int status;
	const struct binding_header *headers;
	size_t n_headers;
	const char *body;
	size_t body_len;
};

/* An HTTP message built from a primitive; everything malloc'ed. */
struct binding_out {
	char *method;			/* requests */
	char *path;			/* requests: percent-encoded */
	char *query;			/* requests: NULL when none */
	unsigned int status;		/* responses */
	struct binding_header *headers;	/* names and values malloc'ed */
	size_t n_headers;
	char *body;			/* NULL when none */
	size_t body_len;
};

void binding_out_free(struct binding_out *out);

/*
 * A plain HTTP request into a request primitive: op from the method (POST
 * with ty= in Content-Type: 1 Create, POST without: 5 Notify, GET: 2,
 * PUT: 3, DELETE: 4), to from the path, fr/rqi/rvi and the other
 * parameters from the X-M2M-* headers, ty from Content-Type, the query
 * string's parameters (rcn, da, drt, rp, the filter criteria into fc ...),
 * pc from the JSON body.  0 with *prim set (a new reference), else the RSC
 * to answer with (4000) and the reason in err.  Any other method is 4000
 * too: the caller answers it with HTTP 405.  X-M2M-Origin may lack only in
 * the Create of an <AE> (ty 2, TS-0004 Table 6.4.1-1 note 2).
 */
int binding_request_to_primitive(const struct binding_http *in,
				 json_t **prim, char *err, size_t err_size);

/*
 * A request primitive into the plain HTTP request a CSE receives: method,
 * path (from to), query, headers (X-M2M-Origin from fr, X-M2M-RI,
 * X-M2M-RVI, Content-Type: application/json, with ;ty=N for Create), body
 * (pc).  0, or 4000 with the reason in err.
 */
int binding_primitive_to_request(json_t *prim, struct binding_out *out,
				 char *err, size_t err_size);

/*
 * A plain HTTP response into a response primitive: rsc from X-M2M-RSC
 * (required), rqi from X-M2M-RI (required), rvi, ot ..., pc from the JSON
 * body.  0 with *prim set, else 4000 (a valid response in a serialization
 * other than JSON) or 5000 (a response that breaks the binding) and the
 * reason in err.
 */
int binding_response_to_primitive(const struct binding_http *in,
				  json_t **prim, char *err, size_t err_size);

/*
 * A response primitive into the plain HTTP response: status (the TS-0009
 * mapping of rsc), X-M2M-RSC, X-M2M-RI, X-M2M-RVI, Content-Type:
 * application/json when there is a pc, Content-Location for a created
 * resource when known (rsc 2001 and pc's m2m:uri or m2m:rce/uri, TS-0009
 * 6.4.4), body.  0, or 4000 with the reason in err.
 */
int binding_primitive_to_response(json_t *prim, struct binding_out *out,
				  char *err, size_t err_size);

#endif /* ESPRIMD_BINDING_H */
