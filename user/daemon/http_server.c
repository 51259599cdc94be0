// SPDX-License-Identifier: GPL-2.0
/*
 * The server side of the HTTP binding: one libmicrohttpd daemon per listen
 * address, in MHD_USE_EPOLL mode without a thread of its own, driven by
 * the caller's sd-event loop: MHD's epoll fd is an io source (MHD_run()
 * when it is readable) and a timer follows MHD_get_timeout().
 *
 * A request goes through http_check.c; one that passes goes to the handler
 * with its connection suspended until esprimd_http_respond() resumes it.
 * The request object lives until both the handler answered and MHD is
 * done with the connection; a connection that goes first (or a server
 * that stops) leaves the object "dead", for the late answer to free.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "http_internal.h"

/*
 * A body without Content-Length that runs over the limit is read and
 * dropped, to answer 413 at its end, but not for ever: past this the
 * connection is closed unanswered.
 */
#define DROP_MAX	(16 * (size_t)ESPRIMD_HTTP_MAX_BODY)
/* Headers of a request kept in sidecar mode, at most. */
#define RAW_MAX_HEADERS	100

/**
 * struct http_listener - one listen address
 * @http: its owner
 * @mhd: its daemon
 * @io: MHD's epoll fd on the loop
 * @timer: MHD's next timeout
 * @port: the port bound
 */
struct http_listener {
	struct esprimd_http *http;
	struct MHD_Daemon *mhd;
	sd_event_source *io;
	sd_event_source *timer;
	sd_event_source *kick;
	int port;
};

enum req_state {
	REQ_NEW,	/* its target seen, not yet its head */
	REQ_RECEIVING,	/* head checked, body coming */
	REQ_REFUSED,	/* answered from check.status/rsc/reason */
	REQ_HANDLER,	/* with the handler, connection suspended */
	REQ_ANSWERED,	/* answer ready, queued when MHD calls back */
	REQ_DEAD,	/* connection gone before the handler answered */
};

/**
 * struct esprimd_http_request - one request, from its head to its answer
 * @l: its listener (NULL once dead)
 * @conn: its connection (NULL once dead)
 * @state: see enum req_state
 * @in_handler: the handler is running with it: an answer is queued when
 *	the handler returns, the connection is not suspended
 * @check: what the checks found
 * @buf: the body so far, @len bytes of @cap
 * @dropped: bytes of a body over the limit read and dropped
 * @in: what the handler sees
 * @strings: @in's strings, one allocation
 * @rsc: the handler's answer...
 * @answer: ...and its body as JSON text (or NULL)
 * @prev, @next: http->waiting while REQ_HANDLER
 * @uri: the request target as sent, path and query (from MHD's URI log)
 * @raw: sidecar mode: the request as the raw handler sees it...
 * @raw_headers: ...its headers, copies, @n_raw_headers of them
 * @out: sidecar mode: the raw answer
 */
struct esprimd_http_request {
	struct http_listener *l;
	struct MHD_Connection *conn;
	enum req_state state;
	bool in_handler;
	struct http_check check;
	char *buf;
	size_t len, cap;
	size_t dropped;
	struct esprimd_http_incoming in;
	char *strings;
	int rsc;
	char *answer;
	struct esprimd_http_request *prev, *next;
	/* sidecar mode */
	char *uri;
	struct binding_http raw;
	struct binding_header *raw_headers;
	size_t n_raw_headers;
	struct binding_out *out;
};

static void raw_headers_free(struct binding_header *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)h[i].name);
		free((char *)h[i].value);
	}
	free(h);
}

static void request_free(struct esprimd_http_request *req)
{
	free(req->buf);
	free(req->strings);
	free(req->answer);
	free(req->uri);
	raw_headers_free(req->raw_headers, req->n_raw_headers);
	if (req->out) {
		binding_out_free(req->out);
		free(req->out);
	}
	json_decref(req->in.body);
	free(req);
}

static void waiting_add(struct esprimd_http *http,
			struct esprimd_http_request *req)
{
	req->prev = NULL;
	req->next = http->waiting;
	if (http->waiting)
		http->waiting->prev = req;
	http->waiting = req;
}

static void waiting_del(struct esprimd_http *http,
			struct esprimd_http_request *req)
{
	if (req->prev)
		req->prev->next = req->next;
	else
		http->waiting = req->next;
	if (req->next)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
}

/* ---- the loop ---- */

/* The timer to MHD's next timeout, or off when it has none. */
static void listener_arm(struct http_listener *l)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(l->mhd, &ms) != MHD_YES)
		http_timeout_arm(l->http, l->timer, l->kick, -1);
	else
		http_timeout_arm(l->http, l->timer, l->kick,
				 ms > 86400000 ? 86400000 : (long long)ms);
}

static void listener_run(struct http_listener *l)
{
	MHD_run(l->mhd);
	listener_arm(l);
}

static int on_epoll(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	listener_run(ud);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	listener_run(ud);
	return 0;
}

static int on_kick(sd_event_source *s, void *ud)
{
	listener_run(ud);
	return 0;
}

/*
 * A resumed connection: MHD's inter-thread channel wakes its epoll fd
 * already; the run at once is for certainty, and costs one MHD_run().
 */
static void listener_kick(struct http_listener *l)
{
	http_timeout_arm(l->http, l->timer, l->kick, 0);
}

/* ---- answers ---- */

static char *dbg_text(const char *reason)
{
	json_t *j = json_pack("{s:s}", "m2m:dbg", reason);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

/* A raw answer (sidecar mode) given to MHD. */
static enum MHD_Result queue_raw(struct esprimd_http_request *req)
{
	const struct binding_out *o = req->out;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t i;
	int r = 0;

	resp = MHD_create_response_from_buffer(o->body_len, o->body,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	for (i = 0; i < o->n_headers; i++)
		r |= MHD_add_response_header(resp, o->headers[i].name,
					     o->headers[i].value) != MHD_YES;
	ret = r ? MHD_NO : MHD_queue_response(req->conn, o->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The answer of a request, refused or from the handler, given to MHD. */
static enum MHD_Result queue_answer(struct esprimd_http_request *req)
{
	const struct http_check *c = &req->check;
	struct MHD_Response *resp;
	unsigned int status;
	char rsc[16], *text, *dbg = NULL;
	const char *ri = NULL;
	enum MHD_Result ret;
	int r = 0;

	if (req->out)
		return queue_raw(req);
	if (req->state == REQ_REFUSED) {
		status = c->status;
		snprintf(rsc, sizeof(rsc), "%d", c->rsc);
		text = dbg = dbg_text(c->reason);
		/* Echoed only when it passed: a refusal may be about it. */
		if (c->n_ri == 1 && http_is_id(c->ri, c->ri_len))
			ri = c->ri;
	} else {
		status = esprimd_http_status(req->rsc);
		snprintf(rsc, sizeof(rsc), "%d", req->rsc);
		text = req->answer;
		ri = req->in.ri;
	}
	resp = MHD_create_response_from_buffer(text ? strlen(text) : 0, text,
					       MHD_RESPMEM_MUST_COPY);
	free(dbg);
	if (!resp)
		return MHD_NO;
	r |= MHD_add_response_header(resp, "X-M2M-RSC", rsc) != MHD_YES;
	if (ri)
		r |= MHD_add_response_header(resp, "X-M2M-RI", ri) != MHD_YES;
	r |= MHD_add_response_header(resp, "X-M2M-RVI",
				     ESPRIMD_HTTP_RVI) != MHD_YES;
	if (text)
		r |= MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					     "application/json") != MHD_YES;
	if (status == 405)
		r |= MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					     req->l->http->raw_handler ?
					     "GET, POST, PUT, DELETE" :
					     "GET, POST") != MHD_YES;
	ret = r ? MHD_NO : MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The handler's answer is in: the connection goes on. */
static void answered(struct esprimd_http_request *req)
{
	req->state = REQ_ANSWERED;
	waiting_del(req->l->http, req);
	json_decref(req->in.body);
	req->in.body = NULL;
	if (!req->in_handler) {
		MHD_resume_connection(req->conn);
		listener_kick(req->l);
	}
}

int esprimd_http_respond(struct esprimd_http_request *req, int rsc,
			 json_t *body)
{
	char *text = NULL;

	if (!req || !http_rsc_known(rsc))
		return -EINVAL;
	if (req->state == REQ_DEAD) {
		/* Nobody to answer: the connection or the server went. */
		request_free(req);
		return 0;
	}
	if (req->state != REQ_HANDLER)
		return -EINVAL;
	if (body) {
		text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			return -ENOMEM;
	}
	req->rsc = rsc;
	req->answer = text;
	answered(req);
	return 0;
}

static int out_copy(struct binding_out *to, const struct binding_out *from)
{
	size_t i;

	to->status = from->status;
	to->headers = calloc(from->n_headers + 1, sizeof(*to->headers));
	to->body = malloc(from->body_len + 1);
	if (!to->headers || !to->body)
		return -ENOMEM;
	memcpy(to->body, from->body ? from->body : "", from->body_len);
	to->body_len = from->body_len;
	for (i = 0; i < from->n_headers; i++) {
		to->headers[i].name = strdup(from->headers[i].name);
		to->headers[i].value = strdup(from->headers[i].value);
		to->n_headers++;
		if (!to->headers[i].name || !to->headers[i].value)
			return -ENOMEM;
	}
	return 0;
}

int esprimd_http_respond_raw(struct esprimd_http_request *req,
			     const struct binding_out *out)
{
	struct binding_out *o;

	if (!req || !out || out->status < 100 || out->status > 599)
		return -EINVAL;
	if (req->state == REQ_DEAD) {
		request_free(req);
		return 0;
	}
	if (req->state != REQ_HANDLER)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o || out_copy(o, out)) {
		if (o)
			binding_out_free(o);
		free(o);
		return -ENOMEM;
	}
	req->out = o;
	answered(req);
	return 0;
}

/* ---- requests ---- */

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind,
				 const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	http_check_header(cls, key, key_size, value, value_size);
	return MHD_YES;
}

static void format_peer(const struct sockaddr *sa, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, n, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		/* An IPv4 peer of a dual-stack socket reads as IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a,
				  sizeof(a));
			snprintf(out, n, "%s:%u", a, ntohs(s6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(out, n, "[%s]:%u", a, ntohs(s6->sin6_port));
		}
	} else {
		snprintf(out, n, "unknown");
	}
}

/* Copies of what the handler sees, which must outlive the connection. */
static int request_strings(struct esprimd_http_request *req, const char *url)
{
	const struct http_check *c = &req->check;
	size_t pl = strlen(url), rvl = c->n_rvi ? c->rvi_len : 0;
	char *p;

	p = malloc(pl + c->origin_len + c->ri_len + rvl + 4);
	if (!p)
		return -ENOMEM;
	req->strings = p;
	req->in.path = memcpy(p, url, pl);
	p[pl] = 0;
	p += pl + 1;
	req->in.origin = memcpy(p, c->origin, c->origin_len);
	p[c->origin_len] = 0;
	p += c->origin_len + 1;
	req->in.ri = memcpy(p, c->ri, c->ri_len);
	p[c->ri_len] = 0;
	p += c->ri_len + 1;
	req->in.rvi = memcpy(p, c->n_rvi ? c->rvi : "", rvl);
	p[rvl] = 0;
	return 0;
}

/* Sidecar mode: every header kept as received (and checked as usual). */
static enum MHD_Result on_raw_header(void *cls, enum MHD_ValueKind kind,
				     const char *key, size_t key_size,
				     const char *value, size_t value_size)
{
	struct esprimd_http_request *req = cls;
	struct binding_header *h;

	http_check_header(&req->check, key, key_size, value, value_size);
	if (req->n_raw_headers >= RAW_MAX_HEADERS) {
		req->n_raw_headers++;
		return MHD_YES;
	}
	h = reallocarray(req->raw_headers, req->n_raw_headers + 1,
			 sizeof(*h));
	if (!h)
		return MHD_NO;
	req->raw_headers = h;
	h += req->n_raw_headers;
	h->name = strndup(key, key_size);
	h->value = strndup(value, value_size);
	req->n_raw_headers++;
	return h->name && h->value ? MHD_YES : MHD_NO;
}

static int raw_refuse(struct http_check *c, unsigned int status, int rsc,
		      const char *reason)
{
	c->status = status;
	c->rsc = rsc;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	return -1;
}

/*
 * Sidecar mode: the head as received, for the raw handler.  What is
 * refused here cannot be passed on: another method, too many headers, a
 * body over the limit.
 */
static int raw_head(struct esprimd_http_request *req, const char *method)
{
	static const char *const methods[] = { "GET", "POST", "PUT",
					       "DELETE" };
	struct http_check *c = &req->check;
	char *q;
	size_t i;

	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, on_raw_header,
				    req);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(method, methods[i]))
			req->raw.method = methods[i];
	if (!req->raw.method)
		return raw_refuse(c, 405, 4005,
				  "method not allowed: GET, POST, PUT or DELETE");
	if (req->n_raw_headers > RAW_MAX_HEADERS)
		return raw_refuse(c, 400, 4000, "too many headers");
	if (!req->uri || req->uri[0] != '/')
		return raw_refuse(c, 400, 4000, "the target is no path");
	if (c->has_length && c->content_length > ESPRIMD_HTTP_MAX_BODY)
		return raw_refuse(c, 413, 4000, "body over the limit");
	q = strchr(req->uri, '?');
	if (q)
		*q++ = '\0';
	req->raw.path = req->uri;
	req->raw.query = q;
	req->raw.headers = req->raw_headers;
	req->raw.n_headers = req->n_raw_headers;
	/* What esprimd_http_respond() echoes, when it is well-formed. */
	if (c->n_origin != 1 || !http_is_id(c->origin, c->origin_len)) {
		c->origin = "";
		c->origin_len = 0;
	}
	if (c->n_ri != 1 || !http_is_id(c->ri, c->ri_len)) {
		c->ri = "";
		c->ri_len = 0;
	}
	if (c->n_rvi != 1)
		c->n_rvi = 0;
	return 0;
}

static enum MHD_Result request_begin(struct http_listener *l,
				     struct MHD_Connection *conn,
				     const char *url, const char *method,
				     void **ctx)
{
	const union MHD_ConnectionInfo *ci;
	struct esprimd_http_request *req = *ctx;
	int r;

	if (!req)
		req = calloc(1, sizeof(*req));
	if (!req)
		return MHD_NO;
	req->l = l;
	req->conn = conn;
	*ctx = req;
	http_check_init(&req->check);
	if (l->http->raw_handler) {
		r = raw_head(req, method);
		url = req->raw.path;
	} else {
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND, on_header,
					    &req->check);
		r = http_check_head(&req->check, method, url);
	}
	if (r) {
		/* At once: MHD then drops the body and closes. */
		req->state = REQ_REFUSED;
		return queue_answer(req);
	}
	if (request_strings(req, url))
		return MHD_NO;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	format_peer(ci ? ci->client_addr : NULL, req->in.peer_addr,
		    sizeof(req->in.peer_addr));
	req->state = REQ_RECEIVING;
	return MHD_YES;
}

static enum MHD_Result request_data(struct esprimd_http_request *req,
				    const char *data, size_t n)
{
	json_t *none;
	size_t cap;
	char *p;

	if (req->state == REQ_REFUSED) {
		req->dropped += n;
		return req->dropped > DROP_MAX ? MHD_NO : MHD_YES;
	}
	if (n > ESPRIMD_HTTP_MAX_BODY - req->len) {
		/* Refused by its length alone; the rest is dropped. */
		http_check_body(&req->check, NULL, ESPRIMD_HTTP_MAX_BODY + 1,
				&none);
		req->state = REQ_REFUSED;
		req->dropped = req->len + n;
		free(req->buf);
		req->buf = NULL;
		req->len = req->cap = 0;
		return MHD_YES;
	}
	if (req->len + n > req->cap) {
		cap = req->cap ? req->cap : 4096;
		if (req->check.has_length && req->check.content_length > cap)
			cap = req->check.content_length;
		while (cap < req->len + n)
			cap *= 2;
		if (cap > ESPRIMD_HTTP_MAX_BODY)
			cap = ESPRIMD_HTTP_MAX_BODY;
		p = realloc(req->buf, cap);
		if (!p)
			return MHD_NO;
		req->buf = p;
		req->cap = cap;
	}
	memcpy(req->buf + req->len, data, n);
	req->len += n;
	return MHD_YES;
}

/* The whole request is in: its body checked, then the handler. */
static enum MHD_Result request_end(struct esprimd_http_request *req)
{
	struct esprimd_http *http = req->l->http;
	json_t *obj;

	if (req->state == REQ_REFUSED)
		return queue_answer(req);
	if (http->raw_handler) {
		req->raw.body = req->buf;
		req->raw.body_len = req->len;
		req->state = REQ_HANDLER;
		waiting_add(http, req);
		req->in_handler = true;
		http->raw_handler(req, &req->raw, req->in.peer_addr,
				  http->raw_userdata);
		req->in_handler = false;
		if (req->state == REQ_ANSWERED)
			return queue_answer(req);
		MHD_suspend_connection(req->conn);
		return MHD_YES;
	}
	if (http_check_body(&req->check, req->buf, req->len, &obj)) {
		req->state = REQ_REFUSED;
		return queue_answer(req);
	}
	free(req->buf);
	req->buf = NULL;
	req->in.op = req->check.op;
	req->in.ty = req->check.ty;
	req->in.body = obj;
	req->state = REQ_HANDLER;
	waiting_add(http, req);
	req->in_handler = true;
	http->handler(req, &req->in, http->userdata);
	req->in_handler = false;
	if (req->state == REQ_ANSWERED)
		return queue_answer(req);
	MHD_suspend_connection(req->conn);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **ctx)
{
	struct esprimd_http_request *req = *ctx;
	enum MHD_Result r;

	if (!req || req->state == REQ_NEW)
		return request_begin(cls, conn, url, method, ctx);
	switch (req->state) {
	case REQ_RECEIVING:
	case REQ_REFUSED:
		if (!*data_size)
			return request_end(req);
		r = request_data(req, data, *data_size);
		*data_size = 0;
		return r;
	case REQ_HANDLER:
		/* Resumed unanswered: only a server stopping does that. */
		if (req->l->http->closing)
			return MHD_NO;
		MHD_suspend_connection(conn);
		return MHD_YES;
	case REQ_ANSWERED:
		return queue_answer(req);
	case REQ_NEW:
	case REQ_DEAD:
		break;
	}
	return MHD_NO;
}

/* Every request begins here, with its target as sent (query included). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct esprimd_http_request *req = calloc(1, sizeof(*req));

	if (req)
		req->uri = strdup(uri);
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
			 enum MHD_RequestTerminationCode toe)
{
	struct esprimd_http_request *req = *ctx;

	if (!req)
		return;
	*ctx = NULL;
	if (req->state == REQ_HANDLER) {
		waiting_del(req->l->http, req);
		req->state = REQ_DEAD;
		req->l = NULL;
		req->conn = NULL;
		return;
	}
	request_free(req);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_listener *l = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		l->http->conn_open++;
		l->http->conn_total++;
	} else if (l->http->conn_open) {
		l->http->conn_open--;
	}
}

/* The path stays as received: checked and handed over undecoded. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

/* ---- listening ---- */

static int bind_listen(int family, const struct sockaddr *sa, socklen_t len,
		       bool v6only, int *fdp)
{
	int fd, one = 1, v6 = v6only;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6))) ||
	    bind(fd, sa, len) || listen(fd, 128)) {
		int e = -errno;

		close(fd);
		return e;
	}
	*fdp = fd;
	return 0;
}

/* "*:port" listens on both families where IPv6 is there, else on IPv4. */
static int listen_any(unsigned int port, int *fdp)
{
	struct sockaddr_in6 s6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr_in s4 = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int r;

	r = bind_listen(AF_INET6, (void *)&s6, sizeof(s6), false, fdp);
	if (r == -EAFNOSUPPORT)
		r = bind_listen(AF_INET, (void *)&s4, sizeof(s4), false, fdp);
	return r;
}

static int parse_port(const char *s, unsigned int *port)
{
	unsigned int x = 0;
	size_t i, n = strlen(s);

	if (!n || n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned int)(s[i] - '0');
	}
	if (x > 65535)
		return -EINVAL;
	*port = x;
	return 0;
}

/* "a.b.c.d:port", "[v6]:port" or "*:port": a listening socket. */
static int listen_socket(const char *spec, int *fdp, char *err,
			 size_t err_size)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
		.ai_socktype = SOCK_STREAM,
	};
	const char *colon = strrchr(spec, ':');
	struct addrinfo *ai;
	unsigned int port;
	char host[128];
	size_t hl;
	int r;

	if (!colon || colon == spec || parse_port(colon + 1, &port)) {
		snprintf(err, err_size, "listen %s: not host:port", spec);
		return -EINVAL;
	}
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host)) {
		snprintf(err, err_size, "listen %s: host too long", spec);
		return -EINVAL;
	}
	memcpy(host, spec, hl);
	host[hl] = 0;
	if (!strcmp(host, "*")) {
		r = listen_any(port, fdp);
		goto out;
	}
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = 0;
		memmove(host, host + 1, hl - 1);
		hints.ai_family = AF_INET6;
	} else {
		hints.ai_family = AF_INET;
	}
	/* getaddrinfo() takes "1.2" for 1.0.0.2: IPv4 as dotted quads only. */
	if ((hints.ai_family == AF_INET &&
	     inet_pton(AF_INET, host, &(struct in_addr){ 0 }) != 1) ||
	    getaddrinfo(host, colon + 1, &hints, &ai)) {
		snprintf(err, err_size,
			 "listen %s: not a literal IPv4 address, [IPv6 address] or *",
			 spec);
		return -EINVAL;
	}
	r = bind_listen(ai->ai_family, ai->ai_addr, ai->ai_addrlen, true, fdp);
	freeaddrinfo(ai);
out:
	if (r)
		snprintf(err, err_size, "listen %s: %s", spec, strerror(-r));
	return r;
}

static int socket_port(int fd, bool *v6)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	*v6 = ss.ss_family == AF_INET6;
	if (*v6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int listener_start(struct esprimd_http *http, struct http_listener *l,
			  const char *spec, char *err, size_t err_size)
{
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *di;
	unsigned int secs;
	bool v6 = false;
	int fd, r;

	l->http = http;
	r = listen_socket(spec, &fd, err, err_size);
	if (r)
		return r;
	l->port = socket_port(fd, &v6);
	if (l->port < 0) {
		close(fd);
		snprintf(err, err_size, "listen %s: %s", spec,
			 strerror(-l->port));
		return l->port;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	secs = (http->timeout_ms + 999) / 1000;
	l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
		/* One client cannot take every connection from the peers. */
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)HTTP_MAX_CONNECTIONS_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, secs,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
	if (!l->mhd) {
		close(fd);
		snprintf(err, err_size,
			 "listen %s: libmicrohttpd did not start", spec);
		return -EIO;
	}
	di = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	r = di ? sd_event_add_io(http->event, &l->io, di->epoll_fd, EPOLLIN,
				 on_epoll, l) : -EIO;
	if (r >= 0)
		r = sd_event_add_time(http->event, &l->timer, CLOCK_MONOTONIC,
				      0, 1, on_timer, l);
	if (r >= 0)
		r = sd_event_add_defer(http->event, &l->kick, on_kick, l);
	if (r < 0) {
		snprintf(err, err_size, "listen %s: sd-event: %s", spec,
			 strerror(-r));
		return r;
	}
	listener_arm(l);
	return 0;
}

int http_server_start(struct esprimd_http *http, char *const *listen,
		      size_t n_listen, char *err, size_t err_size)
{
	size_t i;
	int r;

	if (!n_listen)
		return 0;
	http->listeners = calloc(n_listen, sizeof(*http->listeners));
	if (!http->listeners) {
		snprintf(err, err_size, "http: out of memory");
		return -ENOMEM;
	}
	http->n_listeners = n_listen;
	for (i = 0; i < n_listen; i++) {
		r = listener_start(http, &http->listeners[i], listen[i], err,
				   err_size);
		if (r)
			return r;
	}
	return 0;
}

void http_server_stop(struct esprimd_http *http)
{
	struct esprimd_http_request *req;
	size_t i;

	/*
	 * MHD_stop_daemon() panics over suspended connections: the
	 * unanswered are resumed to be closed, and become dead.
	 */
	for (req = http->waiting; req; req = req->next)
		MHD_resume_connection(req->conn);
	for (i = 0; i < http->n_listeners; i++) {
		struct http_listener *l = &http->listeners[i];

		l->io = sd_event_source_disable_unref(l->io);
		l->timer = sd_event_source_disable_unref(l->timer);
		l->kick = sd_event_source_disable_unref(l->kick);
		if (l->mhd)
			MHD_stop_daemon(l->mhd);
	}
	free(http->listeners);
	http->listeners = NULL;
	http->n_listeners = 0;
}

int esprimd_http_port(const struct esprimd_http *http, size_t index)
{
	if (!http || index >= http->n_listeners)
		return -EINVAL;
	return http->listeners[index].port;
}
