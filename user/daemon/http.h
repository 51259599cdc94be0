/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The oneM2M HTTP binding (TS-0009) of esprimd's exchanges with peer
 * daemons: Notify requests carrying m2m:seci (rand requests, sit 3 -> 4),
 * and retrieving a peer's esi.  Server on libmicrohttpd, client on
 * libcurl (multi interface, connections reused), both driven by the
 * daemon's sd-event loop on its one thread.
 *
 * A request as it arrives is checked strictly before anyone sees it:
 *   - method POST (Notify, or Create when Content-Type has ty=) or GET
 *     (Retrieve), anything else 405;
 *   - X-M2M-Origin present, 1 to 256 printable ASCII characters;
 *   - X-M2M-RI present, 1 to 256 printable ASCII characters;
 *   - X-M2M-RVI, when present, one of "1", "2", "2a", "3", "4", "5";
 *   - POST: Content-Type application/json, with at most the parameter
 *     ty=N (a decimal resource type), case-insensitive; a body of at most
 *     ESPRIMD_HTTP_MAX_BODY bytes that is one JSON object (jansson,
 *     duplicate keys refused), else 4000 before the handler runs
 *     (HTTP 413 for a body over the limit);
 *   - the path: 1 to 512 characters of RFC 3986 path characters.
 * Responses carry X-M2M-RSC, X-M2M-RI (echoed), X-M2M-RVI and, with a
 * body, Content-Type: application/json; the HTTP status is the TS-0009
 * mapping of the RSC (V3.9.1 Table 6.3.2-1: 2000 -> 200, 2001 -> 201,
 * 4000 -> 400, 4004 -> 404, 4103 -> 403, 4111..4116 -> 403, 5000 -> 500,
 * 5210 -> 500 ...).
 */
#ifndef ESPRIMD_HTTP_H
#define ESPRIMD_HTTP_H

#include <stddef.h>
#include <jansson.h>
#include <systemd/sd-event.h>

#include "binding.h"

#define ESPRIMD_HTTP_MAX_BODY	(256 * 1024)
#define ESPRIMD_HTTP_RVI	"4"

struct esprimd_http;		/* the server and client of one daemon */
struct esprimd_http_request;	/* one request received, until answered */

enum esprimd_http_op {
	ESPRIMD_HTTP_NOTIFY = 1,	/* POST without ty */
	ESPRIMD_HTTP_CREATE,		/* POST with ty */
	ESPRIMD_HTTP_RETRIEVE,		/* GET */
};

/* What the handler sees of a checked request; valid until answered. */
struct esprimd_http_incoming {
	enum esprimd_http_op op;
	int ty;				/* CREATE: the resource type */
	const char *path;		/* "/..." as received */
	const char *origin;		/* X-M2M-Origin */
	const char *ri;			/* X-M2M-RI */
	const char *rvi;		/* X-M2M-RVI, "" when absent */
	json_t *body;			/* POST: the object; NULL for GET */
	char peer_addr[64];		/* "a.b.c.d:port" or "[v6]:port" */
};

/*
 * Called for every checked request.  The handler answers at once or later
 * (from the loop) with esprimd_http_respond(), exactly once.
 */
typedef void (*esprimd_http_handler)(struct esprimd_http_request *req,
				     const struct esprimd_http_incoming *in,
				     void *userdata);

/*
 * The server listens on every "host:port" of listen (host a literal IPv4
 * or IPv6 address, "[::1]:8080", or "*" for all); n_listen may be 0 for a
 * client only.  timeout_ms bounds each request sent and, rounded up to
 * seconds, an idle connection of the server (0: 10 s).  Returns 0 or a
 * negative errno with a message in err.
 */
int esprimd_http_new(struct esprimd_http **http, sd_event *event,
		     char *const *listen, size_t n_listen,
		     esprimd_http_handler handler, void *userdata,
		     unsigned int timeout_ms, char *err, size_t err_size);
/* Stops listening, aborts requests in flight (their callbacks run with -ECANCELED), frees. */
void esprimd_http_free(struct esprimd_http *http);

/*
 * Answers a request: rsc (a oneM2M Response Status Code) and an optional
 * body (a reference is taken).  0, or -EINVAL for an unknown RSC.  The
 * request of a connection that went meanwhile is just freed (0).
 */
int esprimd_http_respond(struct esprimd_http_request *req, int rsc,
			 json_t *body);

/*
 * Sidecar mode (esprimd in front of an unmodified CSE): every request goes
 * to handler as received, method (GET, POST, PUT or DELETE; others get
 * 405), path and query as sent, every header, the body in any content
 * type (at most ESPRIMD_HTTP_MAX_BODY bytes, else 413), none of the checks
 * above.  The handler answers with esprimd_http_respond_raw() or, for a
 * request it found to be a oneM2M one, esprimd_http_respond().  Valid
 * until answered.
 */
typedef void (*esprimd_http_raw_handler)(struct esprimd_http_request *req,
					 const struct binding_http *in,
					 const char *peer_addr,
					 void *userdata);
void esprimd_http_set_raw(struct esprimd_http *http,
			  esprimd_http_raw_handler handler, void *userdata);
/* Answers a raw request with status, headers and body (copied). */
int esprimd_http_respond_raw(struct esprimd_http_request *req,
			     const struct binding_out *out);

/*
 * The outcome of a request sent raw: err 0 and the response as received
 * (status, every header, the body in any content type; valid during the
 * callback), or err a negative errno as for esprimd_http_done.
 */
typedef void (*esprimd_http_raw_done)(int err, const struct binding_http *rsp,
				      void *userdata);
/*
 * Sends req (method, path, query, headers, body as given; hop-by-hop
 * headers are the caller's to leave out) to base ("http://host:port").
 */
int esprimd_http_send_raw(struct esprimd_http *http, const char *base,
			  const struct binding_out *req,
			  esprimd_http_raw_done done, void *userdata);

/*
 * "http://host:port/path" as esprimd_http_send_raw() takes it: the base
 * ("http://host:port") and the path ("/path", "/" when none), malloc'ed.
 * 0, or -EINVAL (not such a URL) or -ENOMEM.
 */
int esprimd_http_split_url(const char *url, char **base, char **path);

/* The port a listener got ("*:0" binds an ephemeral one), for tests. */
int esprimd_http_port(const struct esprimd_http *http, size_t index);

/*
 * The outcome of a request sent: err 0 and the peer's RSC and body (NULL
 * when there was none; owned by the caller of nothing: valid during the
 * callback), or err a negative errno (-ETIMEDOUT, -ECONNREFUSED, -EPROTO
 * for a response that breaks the binding: no or a bad X-M2M-RSC, a body
 * that is not one JSON object or is over ESPRIMD_HTTP_MAX_BODY;
 * -ECANCELED when esprimd_http_free() came first).
 */
typedef void (*esprimd_http_done)(int err, int rsc, json_t *body,
				  void *userdata);

/*
 * Sends a oneM2M request to url ("http://host:port/path"): Notify (a POST
 * of body, no ty), or Retrieve (GET, body NULL).  origin is X-M2M-Origin;
 * X-M2M-RI is generated.  done runs once, from the loop, never from
 * within this call.  0 or a negative errno.
 */
int esprimd_http_send(struct esprimd_http *http, enum esprimd_http_op op,
		      const char *url, const char *origin, json_t *body,
		      esprimd_http_done done, void *userdata);

/* The HTTP status of an RSC (TS-0009 6.4.1), 0 for one not known. */
unsigned int esprimd_http_status(int rsc);

#endif /* ESPRIMD_HTTP_H */
