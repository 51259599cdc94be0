// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd in front of an unmodified CSE (sidecar.h).  Each request that
 * crosses is a struct crossing, alive from its arrival to its answer; the
 * steps are callbacks of the HTTP client and of the daemon's operations,
 * all on the loop's one thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api.h"
#include "binding.h"
#include "exchange.h"
#include "http.h"
#include "log.h"
#include "replies.h"
#include "sidecar.h"

/* X-M2M-RI of the Notify requests sent, unique in a run. */
static uint64_t notify_seq;

struct sidecar {
	struct esprimd_http *outbound;	/* listener for the local CSE, AEs */
	struct replies *replies;	/* requests the CSE executed */
};

/**
 * struct crossing - one request crossing the sidecar
 * @d: the daemon
 * @req: the request to answer
 * @prim: inbound: the opened request; outbound: the request to seal
 * @handle: inbound: the handle its response is sealed with
 * @peer: outbound: the peer's name
 * @address: outbound: its address, without a final '/'
 * @prefer: outbound: plain when it cannot be sealed
 * @in: outbound: the request as received, for plain
 * @key: inbound: the request's digest (replies.h)...
 * @keyed: ...when its response is to be kept
 * @identity: outbound: the peer's identity, which its response must be
 *	sealed with (and carry the request's rqi)
 * @notify_base, @notify_path: outbound: the peer's address, split
 * @retried: outbound: sent again once after the peer refused the session
 */
struct crossing {
	struct esprimd *d;
	struct esprimd_http_request *req;
	json_t *prim;
	char *handle;
	char *peer;
	char *address;
	bool prefer;
	const struct binding_http *in;
	uint8_t key[32];
	bool keyed;
	char *identity;
	char *notify_base;
	char *notify_path;
	bool retried;
};

static void crossing_free(struct crossing *x)
{
	json_decref(x->prim);
	free(x->handle);
	free(x->peer);
	free(x->address);
	free(x->identity);
	free(x->notify_base);
	free(x->notify_path);
	free(x);
}

/* The sidecar itself on the daemon's operations: the gateway. */
static const struct esprimd_api_peer *self(void)
{
	static struct esprimd_api_peer who;

	who.pid = getpid();
	who.uid = geteuid();
	who.gid = getegid();
	who.admin = true;
	return &who;
}

/* An unprotected answer: a oneM2M RSC and why, as m2m:dbg. */
static void answer_error(struct esprimd_http_request *req, int rsc,
			 const char *why)
{
	json_t *dbg = json_pack("{s:s}", "m2m:dbg", why);

	if (esprimd_http_respond(req, rsc, dbg))
		esprimd_http_respond(req, 5000, NULL);
	json_decref(dbg);
}

/* The RSC of an operation's failure ({"ok":false, ...}). */
static int reply_rsc(json_t *reply, int otherwise)
{
	int rsc = (int)json_integer_value(json_object_get(reply, "rsc"));
	int errnum = (int)json_integer_value(json_object_get(reply, "errno"));

	if (rsc >= 4000 && rsc < 7000)
		return rsc;
	if (errnum == ECONNREFUSED || errnum == ETIMEDOUT ||
	    errnum == EHOSTUNREACH || errnum == ECONNRESET)
		return 5103;	/* TARGET_NOT_REACHABLE */
	return otherwise;
}

static const char *reply_message(json_t *reply)
{
	const char *m = json_string_value(json_object_get(reply, "message"));

	return m ? m : "out of memory";
}

static bool reply_ok(json_t *reply)
{
	return json_is_true(json_object_get(reply, "ok"));
}

/* A header's value (the first), or NULL. */
static const char *header(const struct binding_http *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->n_headers; i++)
		if (!strcasecmp(in->headers[i].name, name))
			return in->headers[i].value;
	return NULL;
}

/* Headers of one hop, which a proxy neither forwards nor returns. */
static bool hop_by_hop(const char *name)
{
	static const char *const names[] = {
		"Connection", "Keep-Alive", "Proxy-Authenticate",
		"Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding",
		"Upgrade", "Content-Length", "Host", "Expect", "Date",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

/* Whether Connection (RFC 9110 7.6.1) names the header: this hop's too. */
static bool named_by_connection(const struct binding_http *in,
				const char *name)
{
	size_t i, n = strlen(name);
	const char *v, *t;

	for (i = 0; i < in->n_headers; i++) {
		if (strcasecmp(in->headers[i].name, "Connection"))
			continue;
		for (v = in->headers[i].value; *v; v = t) {
			v += strspn(v, " \t,");
			t = v + strcspn(v, " \t,");
			if ((size_t)(t - v) == n && !strncasecmp(v, name, n))
				return true;
		}
	}
	return false;
}

/*
 * in's headers without the hop-by-hop ones (and Authorization, the
 * credentials of the hop to this sidecar, when the message goes to a
 * peer); the array is malloc'ed.
 */
static struct binding_header *end_to_end(const struct binding_http *in,
					 bool to_peer, size_t *n)
{
	struct binding_header *h = calloc(in->n_headers + 1, sizeof(*h));
	const char *name;
	size_t i;

	*n = 0;
	for (i = 0; h && i < in->n_headers; i++) {
		name = in->headers[i].name;
		if (!hop_by_hop(name) && !named_by_connection(in, name) &&
		    !(to_peer && !strcasecmp(name, "Authorization")))
			h[(*n)++] = in->headers[i];
	}
	return h;
}

/*
 * The configured peer an identity or target names (its identity, then "/"
 * or the end), or NULL.  SP-relative ones take this gateway's SP-ID.
 */
static const struct esprimd_peer *peer_named(const struct esprimd_config *c,
					     const char *to)
{
	char abs[1024];
	const char *sp_end;
	size_t i, n;

	if (!to)
		return NULL;
	if (to[0] == '/' && to[1] != '/') {
		sp_end = strchr(c->identity + 2, '/');
		if (!sp_end)
			return NULL;
		snprintf(abs, sizeof(abs), "%.*s%s",
			 (int)(sp_end - c->identity), c->identity, to);
	} else {
		snprintf(abs, sizeof(abs), "%s", to);
	}
	for (i = 0; i < c->n_peers; i++) {
		n = strlen(c->peers[i].identity);
		if (!strncmp(abs, c->peers[i].identity, n) &&
		    (abs[n] == '/' || !abs[n]))
			return &c->peers[i];
	}
	return NULL;
}

/* ---- pass-through: plain, as it came ---- */

static void plain_done(int err, const struct binding_http *rsp, void *ud)
{
	struct crossing *x = ud;
	struct binding_out out = { 0 };

	if (err) {
		answer_error(x->req, 5103, strerror(-err));
		goto out;
	}
	out.status = rsp->status;
	out.headers = end_to_end(rsp, false, &out.n_headers);
	out.body = (char *)rsp->body;
	out.body_len = rsp->body_len;
	if (!out.headers || esprimd_http_respond_raw(x->req, &out))
		answer_error(x->req, 5000, "out of memory");
	free(out.headers);
out:
	crossing_free(x);
}

/* Sends in on to base as it came; x is answered and freed from there. */
static void plain(struct crossing *x, const struct binding_http *in,
		  const char *base, bool to_peer)
{
	struct binding_out out = { 0 };
	int rc;

	out.method = (char *)in->method;
	out.path = (char *)in->path;
	out.query = (char *)in->query;
	out.headers = end_to_end(in, to_peer, &out.n_headers);
	out.body = (char *)in->body;
	out.body_len = in->body_len;
	rc = out.headers ? esprimd_http_send_raw(x->d->http, base, &out,
						 plain_done, x) : -ENOMEM;
	free(out.headers);
	if (rc) {
		answer_error(x->req, 5000, strerror(-rc));
		crossing_free(x);
	}
}

/* ---- inbound: a sealed request for the local CSE ---- */

static void respond_done(json_t *reply, void *ud)
{
	struct crossing *x = ud;
	json_t *content = json_object_get(reply, "content");

	/* A response that cannot be sealed: 5211 (TS-0001 Table 7.6.x-1). */
	if (!reply_ok(reply) || !content ||
	    esprimd_http_respond(x->req, 2000, content))
		answer_error(x->req, ESPRIM_RSC_ENCRYPTION_ERROR,
			     reply_message(reply));
	crossing_free(x);
}

/* The CSE's response (or the failure to get one) sealed back (C.8). */
static void seal_response(struct crossing *x, json_t *rsp)
{
	struct esprimd_api_call *call;
	json_t *args;

	if (rsp && !json_object_get(rsp, "rqi"))
		json_object_set(rsp, "rqi", json_object_get(x->prim, "rqi"));
	args = rsp ? json_pack("{s:s,s:O}", "handle", x->handle, "primitive",
			       rsp) : NULL;
	call = args ? esprimd_api_local_call(respond_done, x) : NULL;
	if (!call) {
		answer_error(x->req, 5000, "out of memory");
		crossing_free(x);
	} else {
		exchange_respond(x->d, call, self(), args);
	}
	json_decref(args);
}

/* A response primitive for what went wrong on the way to the CSE. */
static json_t *error_response(int rsc, const char *why)
{
	return json_pack("{s:i,s:s,s:{s:s}}", "rsc", rsc, "rvi",
			 ESPRIMD_HTTP_RVI, "pc", "m2m:dbg", why);
}

static void cse_done(int err, const struct binding_http *rsp, void *ud)
{
	struct crossing *x = ud;
	struct sidecar *s = x->d->sidecar;
	char why[256];
	json_t *prim = NULL;
	int rc = err;

	if (err == -ECANCELED) {
		/* The daemon is stopping: its sessions are gone. */
		answer_error(x->req, 5000, "esprimd is stopping");
		crossing_free(x);
		return;
	}
	if (!rc)
		rc = binding_response_to_primitive(rsp, &prim, why,
						   sizeof(why));
	if (x->keyed)
		replies_done(s->replies, x->key, rc ? NULL : prim,
			     esprim_now_ms());
	if (err)
		prim = error_response(5103, strerror(-err));
	else if (rc)
		prim = error_response(5000, why);
	seal_response(x, prim);
	json_decref(prim);
}

/* The opened request to the CSE; x is answered and freed from there. */
static void to_cse(struct crossing *x)
{
	struct binding_out out = { 0 };
	char why[256];
	json_t *rsp;
	int rc;

	rc = binding_primitive_to_request(x->prim, &out, why, sizeof(why));
	if (!rc)
		rc = esprimd_http_send_raw(x->d->http, x->d->config->sidecar_cse,
					   &out, cse_done, x);
	binding_out_free(&out);
	if (rc) {
		if (x->keyed)
			replies_done(x->d->sidecar->replies, x->key, NULL,
				     esprim_now_ms());
		rsp = error_response(rc > 0 ? rc : 5000,
				     rc > 0 ? why : strerror(-rc));
		seal_response(x, rsp);
		json_decref(rsp);
	}
}

/* A retry whose first execution ended: its response, or execute it. */
static void retry_ready(json_t *rsp, void *ud)
{
	struct crossing *x = ud;

	if (rsp)
		seal_response(x, rsp);
	else
		to_cse(x);
}

/*
 * An absolute target in this gateway's SP ("//sp/cse/...") as the CSE
 * reads it more surely: SP-relative ("/cse/...").
 */
static void local_target(struct esprimd *d, json_t *prim)
{
	const char *id = d->config->identity;
	const char *to = json_string_value(json_object_get(prim, "to"));
	const char *sp_end = strchr(id + 2, '/');
	size_t n = sp_end ? (size_t)(sp_end - id) : 0;

	if (to && n && !strncmp(to, id, n) && to[n] == '/')
		json_object_set_new(prim, "to", json_string(to + n));
}

/*
 * The From the CSE sees: the identity bound to the pairwise key (the From
 * check accepted the inner fr as naming it, maybe in a relative form the
 * CSE would read against its own SP and CSE), SP-relative when its SP is
 * this gateway's, else absolute.
 */
static void authenticated_from(struct esprimd *d, json_t *prim,
			       const char *originator)
{
	const char *id = d->config->identity;
	const char *sp_end = strchr(id + 2, '/');
	size_t n = sp_end ? (size_t)(sp_end - id) : 0;

	if (!originator)
		return;
	if (n && !strncmp(originator, id, n) && originator[n] == '/')
		originator += n;
	json_object_set_new(prim, "fr", json_string(originator));
}

static void notify_done(json_t *reply, void *ud)
{
	struct crossing *x = ud;
	const char *kind, *handle, *originator;
	json_t *rsp;

	if (!reply_ok(reply)) {
		/* TS-0001 Table 7.6.x-1: the error, unprotected. */
		answer_error(x->req, reply_rsc(reply, 5000),
			     reply_message(reply));
		crossing_free(x);
		return;
	}
	kind = json_string_value(json_object_get(reply, "kind"));
	if (kind && !strcmp(kind, "reply")) {
		/* sit 3 -> sit 4 */
		esprimd_http_respond(x->req, 2000,
				     json_object_get(reply, "content"));
		crossing_free(x);
		return;
	}
	handle = json_string_value(json_object_get(reply, "handle"));
	originator = json_string_value(json_object_get(reply, "originator"));
	x->prim = json_incref(json_object_get(reply, "primitive"));
	x->handle = handle ? strdup(handle) : NULL;
	if (!x->handle || !json_is_object(x->prim)) {
		answer_error(x->req, 5000, "out of memory");
		crossing_free(x);
		return;
	}
	local_target(x->d, x->prim);
	authenticated_from(x->d, x->prim, originator);
	replies_key(x->prim, originator ? originator : "", x->key);
	switch (replies_begin(x->d->sidecar->replies, x->key, x->prim,
			      esprim_now_ms(), &rsp, retry_ready, x)) {
	case REPLIES_KNOWN:
		/* A retry of a request executed: its response again. */
		x->d->stats.retries_answered++;
		seal_response(x, rsp);
		json_decref(rsp);
		return;
	case REPLIES_WAITING:
		x->d->stats.retries_answered++;
		return;
	case REPLIES_EXECUTE:
		x->keyed = true;
		break;
	case REPLIES_UNKEPT:
		break;
	}
	to_cse(x);
}

/* application/json or application/vnd.onem2m-res+json, parameters aside. */
static bool json_media_type(const char *ct)
{
	size_t n = strcspn(ct, ";");

	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return (n == 16 && !strncasecmp(ct, "application/json", n)) ||
		(n == 31 && !strncasecmp(ct, "application/vnd.onem2m-res+json",
					 n));
}

/*
 * Whether a request is a Notify whose content is m2m:seci: a POST without
 * ty of JSON whose first member is "m2m:seci".  Whatever else it holds,
 * libesprim's parse of the text (as it came, no JSON round trip) refuses.
 */
static bool is_seci(const struct binding_http *in)
{
	static const char member[] = "\"m2m:seci\"";
	const char *ct = header(in, "Content-Type");
	const char *b = in->body, *end = in->body + in->body_len;

	if (strcmp(in->method, "POST") || !in->body_len || !ct ||
	    !json_media_type(ct) || strstr(ct, "ty="))
		return false;
	while (b < end && strchr(" \t\r\n", *b))
		b++;
	if (b == end || *b++ != '{')
		return false;
	while (b < end && strchr(" \t\r\n", *b))
		b++;
	return (size_t)(end - b) >= sizeof(member) - 1 &&
		!memcmp(b, member, sizeof(member) - 1);
}

/*
 * A configured peer's partial Retrieve of the e2eSecInfo ("?atrl=esi", of
 * any resource: the CSE behind knows nothing of it) is answered here with
 * the gateway's; true when it was.  Others go to the CSE.
 */
static bool esi_retrieve(struct esprimd *d, struct esprimd_http_request *req,
			 const struct binding_http *in)
{
	const char *origin = header(in, "X-M2M-Origin");
	json_t *res;

	if (strcmp(in->method, "GET") || !in->query ||
	    strcmp(in->query, "atrl=esi") || !origin ||
	    !esprimd_config_peer_by_identity(d->config, origin))
		return false;
	res = json_pack("{s:{s:o}}", "m2m:cb", "esi", exchange_esi(d));
	d->stats.esi_served++;
	esprimd_http_respond(req, res ? 2000 : 5000, res);
	json_decref(res);
	return true;
}


static void inbound(struct esprimd_http_request *req,
		    const struct binding_http *in, const char *peer_addr,
		    void *userdata)
{
	struct esprimd *d = userdata;
	const struct esprimd_peer *p;
	struct esprimd_api_call *call;
	struct crossing *x = calloc(1, sizeof(*x));

	if (!x) {
		answer_error(req, 5000, "out of memory");
		return;
	}
	x->d = d;
	x->req = req;
	if (esi_retrieve(d, req, in)) {
		free(x);
		return;
	}
	if (!is_seci(in)) {
		p = peer_named(d->config, header(in, "X-M2M-Origin"));
		if (p && p->protect == ESPRIMD_PROTECT_REQUIRE) {
			/* Anyone can write a peer's name in a header. */
			answer_error(req, 4107, "SECURITY_ASSOCIATION_REQUIRED: "
				     "requests from this peer come sealed");
			free(x);
			return;
		}
		plain(x, in, d->config->sidecar_cse, false);
		return;
	}
	call = esprimd_api_local_call(notify_done, x);
	if (!call) {
		answer_error(req, 5000, "out of memory");
		crossing_free(x);
		return;
	}
	exchange_notify_text(d, call, self(), header(in, "X-M2M-Origin"),
			     in->body, in->body_len);
}

/* ---- outbound: a request of the local CSE for a peer ---- */

static void seal_out(struct crossing *x);

static void open_done(json_t *reply, void *ud)
{
	struct crossing *x = ud;
	json_t *rsp = json_object_get(reply, "primitive");
	const char *peer = json_string_value(json_object_get(reply, "peer"));
	const char *rqi = json_string_value(json_object_get(rsp, "rqi"));
	struct binding_out out = { 0 };
	char why[256];
	int rc;

	if (!reply_ok(reply)) {
		answer_error(x->req, reply_rsc(reply, 5000),
			     reply_message(reply));
		goto out;
	}
	/*
	 * The response of this request, from this peer: another one (two
	 * swapped on the way, another peer's) is discarded (C.11a).
	 */
	if (!peer || strcmp(peer, x->identity) || !rqi ||
	    strcmp(rqi, json_string_value(json_object_get(x->prim, "rqi")))) {
		log_warn("a response from %s for %s to a request for %s (rqi %s): discarded",
			 peer ? peer : "?", rqi ? rqi : "?", x->identity,
			 json_string_value(json_object_get(x->prim, "rqi")));
		answer_error(x->req, 5103, "the response was not this "
			     "request's: discarded");
		goto out;
	}
	rc = binding_primitive_to_response(rsp, &out, why, sizeof(why));
	if (rc)
		answer_error(x->req, 5000, why);
	else if (esprimd_http_respond_raw(x->req, &out))
		answer_error(x->req, 5000, "out of memory");
	binding_out_free(&out);
out:
	crossing_free(x);
}

/* The peer refused the session (4112-4114): it goes, one more try. */
static void failed_done(json_t *reply, void *ud)
{
	seal_out(ud);
}

static void peer_done(int err, const struct binding_http *rsp, void *ud)
{
	struct crossing *x = ud;
	struct esprimd_api_call *call;
	const char *v = err ? NULL : header(rsp, "X-M2M-RSC");
	int rsc = v ? atoi(v) : 0;
	json_t *args;

	if (err == -ECANCELED) {
		answer_error(x->req, 5000, "esprimd is stopping");
		crossing_free(x);
		return;
	}
	if (rsc >= ESPRIM_RSC_UNKNOWN_KEY_ID &&
	    rsc <= ESPRIM_RSC_UNKNOWN_RECV_RAND_ID && !x->retried) {
		/* It lost what the session rests on (a restart, say). */
		x->retried = true;
		args = json_pack("{s:s,s:i}", "target", x->peer, "rsc", rsc);
		call = args ? esprimd_api_local_call(failed_done, x) : NULL;
		if (call)
			exchange_failed(x->d, call, args);
		json_decref(args);
		if (call)
			return;
	}
	if (err || rsc != 2000 || !rsp->body_len) {
		/* The peer's refusal (TS-0001 Table 7.6.x-1), or no peer. */
		answer_error(x->req, err ? 5103 : rsc >= 4000 && rsc < 7000 ?
			     rsc : 5000,
			     err ? strerror(-err) : "the peer's sidecar refused");
		crossing_free(x);
		return;
	}
	call = esprimd_api_local_call(open_done, x);
	if (!call) {
		answer_error(x->req, 5000, "out of memory");
		crossing_free(x);
		return;
	}
	exchange_open_text(x->d, call, rsp->body, rsp->body_len);
}

/* The sealed request to the peer: a Notify of its content. */
static void seal_done(json_t *reply, void *ud)
{
	struct crossing *x = ud;
	struct binding_header h[5];
	struct binding_out out = { 0 };
	char ri[32];
	int rc;

	if (!reply_ok(reply)) {
		if (x->prefer && x->in) {
			log_info("to %s plain: %s", x->peer,
				 reply_message(reply));
			plain(x, x->in, x->address, true);
			return;
		}
		answer_error(x->req, reply_rsc(reply, 5000),
			     reply_message(reply));
		crossing_free(x);
		return;
	}
	out.body = json_dumps(json_object_get(reply, "content"),
			      JSON_COMPACT);
	snprintf(ri, sizeof(ri), "sc-%016" PRIx64, ++notify_seq);
	h[0] = (struct binding_header){ "X-M2M-Origin",
					x->d->config->identity };
	h[1] = (struct binding_header){ "X-M2M-RI", ri };
	h[2] = (struct binding_header){ "X-M2M-RVI", ESPRIMD_HTTP_RVI };
	h[3] = (struct binding_header){ "Content-Type", "application/json" };
	h[4] = (struct binding_header){ "Accept", "application/json" };
	out.method = (char *)"POST";
	out.path = x->notify_path;
	out.headers = h;
	out.n_headers = 5;
	out.body_len = out.body ? strlen(out.body) : 0;
	rc = out.body ? esprimd_http_send_raw(x->d->http, x->notify_base, &out,
					      peer_done, x) : -ENOMEM;
	free(out.body);
	if (rc) {
		answer_error(x->req, 5000, strerror(-rc));
		crossing_free(x);
	}
}

/* Seals x's request for its peer; x is answered and freed from there. */
static void seal_out(struct crossing *x)
{
	struct esprimd_api_call *call;
	json_t *args;

	args = json_pack("{s:s,s:O}", "target", x->peer, "primitive",
			 x->prim);
	call = args ? esprimd_api_local_call(seal_done, x) : NULL;
	if (!call) {
		answer_error(x->req, 5000, "out of memory");
		crossing_free(x);
	} else {
		exchange_seal(x->d, call, self(), args);
	}
	json_decref(args);
}

static void outbound(struct esprimd_http_request *req,
		     const struct binding_http *in, const char *peer_addr,
		     void *userdata)
{
	struct esprimd *d = userdata;
	const struct esprimd_peer *p;
	struct crossing *x;
	json_t *prim = NULL;
	char why[256];
	size_t n;
	int rc;

	rc = binding_request_to_primitive(in, &prim, why, sizeof(why));
	if (rc) {
		answer_error(req, rc, why);
		return;
	}
	p = peer_named(d->config,
		       json_string_value(json_object_get(prim, "to")));
	if (!p || !p->address) {
		snprintf(why, sizeof(why), "no peer with an address for %s",
			 json_string_value(json_object_get(prim, "to")));
		answer_error(req, 4004, why);
		json_decref(prim);
		return;
	}
	x = calloc(1, sizeof(*x));
	if (x) {
		x->d = d;
		x->req = req;
		x->prim = prim;
		x->peer = strdup(p->name);
		x->address = strdup(p->address);
		x->identity = strdup(p->identity);
		if (esprimd_http_split_url(p->address, &x->notify_base,
					   &x->notify_path))
			x->notify_base = x->notify_path = NULL;
		x->prefer = p->protect == ESPRIMD_PROTECT_PREFER;
		x->in = in;
	}
	if (!x || !x->peer || !x->address || !x->identity ||
	    !x->notify_base) {
		answer_error(req, 5000, "out of memory");
		if (x)
			crossing_free(x);
		else
			json_decref(prim);
		return;
	}
	n = strlen(x->address);
	if (n && x->address[n - 1] == '/')
		x->address[n - 1] = '\0';
	if (p->protect == ESPRIMD_PROTECT_NEVER) {
		plain(x, in, x->address, true);
		return;
	}
	/*
	 * The pairwise key is the gateway's: the peer's From check (TS-0003
	 * 7.2.2) accepts its identity alone, which is the originator the
	 * peer's CSE sees.
	 */
	json_object_set_new(prim, "fr", json_string(d->config->identity));
	seal_out(x);
}

int sidecar_start(struct esprimd *d, char *err, size_t err_size)
{
	const struct esprimd_config *c = d->config;
	struct sidecar *s;
	int rc;

	if (!c->sidecar_cse)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	d->sidecar = s;
	s->replies = replies_new();
	if (!s->replies)
		return -ENOMEM;
	esprimd_http_set_raw(d->http, inbound, d);
	if (!c->n_outbound)
		return 0;
	rc = esprimd_http_new(&s->outbound, d->event, c->outbound,
			      c->n_outbound, exchange_http, d,
			      c->request_timeout_ms, err, err_size);
	if (rc)
		return rc;
	esprimd_http_set_raw(s->outbound, outbound, d);
	log_info("sidecar: in front of %s, outbound on %s%s", c->sidecar_cse,
		 c->outbound[0], c->n_outbound > 1 ? " ..." : "");
	return 0;
}

void sidecar_stop(struct esprimd *d)
{
	struct sidecar *s = d->sidecar;

	if (!s)
		return;
	esprimd_http_free(s->outbound);
	replies_free(s->replies);
	free(s);
	d->sidecar = NULL;
}
