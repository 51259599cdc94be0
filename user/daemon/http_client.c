// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of the HTTP binding: libcurl's multi interface on the
 * caller's sd-event loop.  CURLMOPT_SOCKETFUNCTION keeps one io source per
 * socket libcurl watches, CURLMOPT_TIMERFUNCTION one timer; both hand
 * over to curl_multi_socket_action().  Connections stay in the multi
 * handle's cache for the next request to the same peer.
 *
 * A finished request is queued and reported from a defer source, one per
 * loop iteration: a done callback never runs inside libcurl or inside
 * esprimd_http_send(), and may send again or free everything.
 *
 * Responses are held to the binding: one numeric X-M2M-RSC, and a body
 * (when there is one) of at most ESPRIMD_HTTP_MAX_BODY bytes that is one
 * JSON object without duplicate keys; anything else is -EPROTO.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <curl/curl.h>

#include "http_internal.h"

/**
 * struct client_sock - a socket libcurl asked to watch
 * @src: its io source
 * @prev, @next: http_client.socks
 */
struct client_sock {
	sd_event_source *src;
	struct client_sock *prev, *next;
};

/**
 * struct http_xfer - one request sent
 * @c: its client
 * @easy: its transfer (NULL once finished)
 * @headers: the request's headers
 * @req_body: the request's body (Notify)
 * @buf: the response's body so far, @len bytes of @cap
 * @too_big: the response's body ran over the limit
 * @done, @userdata: the caller's callback
 * @err, @rsc, @body: the outcome, once finished
 * @prev, @next: http_client.running, or @next alone in the done queue
 * @raw_done: sent raw: its callback, and the response as received in
 *	@raw (headers copied to @raw_headers, the body kept in @raw_body)
 */
struct http_xfer {
	struct http_client *c;
	CURL *easy;
	struct curl_slist *headers;
	char *req_body;
	char *buf;
	size_t len, cap;
	bool too_big;
	esprimd_http_done done;
	void *userdata;
	int err;
	int rsc;
	json_t *body;
	struct http_xfer *prev, *next;
	/* sent raw (sidecar mode) */
	esprimd_http_raw_done raw_done;
	struct binding_http raw;
	struct binding_header *raw_headers;
	size_t n_raw_headers;
	char *raw_body;
};

/**
 * struct http_client - libcurl's side of an esprimd_http
 * @http: its owner
 * @multi: the multi handle (and its connection cache)
 * @timer: libcurl's timeout
 * @defer: reports finished requests, on while @done_head is not empty
 * @socks: the sockets watched
 * @running: requests in flight
 * @done_head, @done_tail: finished requests not yet reported, in order
 * @ri_prefix: random, so that X-M2M-RI values differ across restarts...
 * @ri_seq: ...and within a run
 * @global: curl_global_init() done
 */
struct http_client {
	struct esprimd_http *http;
	CURLM *multi;
	sd_event_source *timer;
	sd_event_source *kick;
	sd_event_source *defer;
	struct client_sock *socks;
	struct http_xfer *running;
	struct http_xfer *done_head, *done_tail;
	char ri_prefix[17];
	uint64_t ri_seq;
	bool global;
};

/* ---- requests finishing ---- */

static void xfer_release(struct http_xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(x->c->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	free(x->req_body);
	x->req_body = NULL;
	free(x->buf);
	x->buf = NULL;
}

static void running_del(struct http_client *c, struct http_xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		c->running = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
}

/* Out of flight, into the queue of callbacks to run. */
static void xfer_finish(struct http_xfer *x)
{
	struct http_client *c = x->c;

	running_del(c, x);
	xfer_release(x);
	if (c->done_tail)
		c->done_tail->next = x;
	else
		c->done_head = x;
	c->done_tail = x;
	if (c->defer)
		sd_event_source_set_enabled(c->defer, SD_EVENT_ON);
}

static struct http_xfer *done_pop(struct http_client *c)
{
	struct http_xfer *x = c->done_head;

	if (x) {
		c->done_head = x->next;
		if (!c->done_head)
			c->done_tail = NULL;
		x->next = NULL;
	}
	return x;
}

static void raw_free(struct http_xfer *x)
{
	size_t i;

	for (i = 0; i < x->n_raw_headers; i++) {
		free((char *)x->raw_headers[i].name);
		free((char *)x->raw_headers[i].value);
	}
	free(x->raw_headers);
	free(x->raw_body);
}

/* The callback, then the request is gone; nothing of c is used after. */
static void xfer_report(struct http_xfer *x)
{
	if (x->raw_done) {
		x->raw.headers = x->raw_headers;
		x->raw.n_headers = x->n_raw_headers;
		x->raw.body = x->raw_body;
		x->raw_done(x->err, x->err ? NULL : &x->raw, x->userdata);
		raw_free(x);
	} else {
		x->done(x->err, x->rsc, x->body, x->userdata);
	}
	json_decref(x->body);
	free(x);
}

/* A response sent raw: its status and headers, before the handle goes. */
static int raw_keep(struct http_xfer *x)
{
	struct curl_header *h, *prev = NULL;
	struct binding_header *a;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	x->raw.status = (unsigned int)status;
	while ((h = curl_easy_nextheader(x->easy, CURLH_HEADER, -1, prev))) {
		prev = h;
		a = reallocarray(x->raw_headers, x->n_raw_headers + 1,
				 sizeof(*a));
		if (!a)
			return -ENOMEM;
		x->raw_headers = a;
		a += x->n_raw_headers++;
		a->name = strdup(h->name);
		a->value = strdup(h->value);
		if (!a->name || !a->value)
			return -ENOMEM;
	}
	x->raw_body = x->buf;
	x->raw.body_len = x->len;
	x->buf = NULL;
	x->len = x->cap = 0;
	return 0;
}

static int on_defer(sd_event_source *s, void *ud)
{
	struct http_client *c = ud;
	struct http_xfer *x = done_pop(c);

	if (!c->done_head)
		sd_event_source_set_enabled(c->defer, SD_EVENT_OFF);
	if (x)
		xfer_report(x);
	return 0;
}

static int curl_errno(CURLcode res, CURL *easy)
{
	long os = 0;

	switch (res) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os);
		return os > 0 && os < 4096 ? -(int)os : -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return -ECONNRESET;
	case CURLE_WRITE_ERROR:		/* the body over the limit */
	case CURLE_FILESIZE_EXCEEDED:	/* its Content-Length said so */
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_TOO_MANY_REDIRECTS:
		return -EPROTO;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return -ECONNABORTED;
	default:
		return -EIO;
	}
}

/* X-M2M-RSC: four decimal digits, the first not 0. */
static int parse_rsc(const char *v, int *rsc)
{
	int i, x = 0;

	for (i = 0; v[i]; i++) {
		if (i == 4 || v[i] < '0' || v[i] > '9')
			return -EPROTO;
		x = x * 10 + (v[i] - '0');
	}
	if (i != 4 || v[0] == '0')
		return -EPROTO;
	*rsc = x;
	return 0;
}

static int xfer_parse(struct http_xfer *x)
{
	struct curl_header *h;
	json_t *j;

	if (curl_easy_header(x->easy, "X-M2M-RSC", 0, CURLH_HEADER, -1,
			     &h) != CURLHE_OK || h->amount != 1 ||
	    parse_rsc(h->value, &x->rsc))
		return -EPROTO;
	if (!x->len)
		return 0;
	j = json_loadb(x->buf, x->len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return -EPROTO;
	}
	x->body = j;
	return 0;
}

static void client_reap(struct http_client *c)
{
	struct http_xfer *x;
	CURLcode res;
	CURLMsg *m;
	CURL *easy;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		easy = m->easy_handle;
		res = m->data.result;
		if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &x) != CURLE_OK)
			continue;
		if (x->too_big)
			x->err = -EPROTO;
		else if (res != CURLE_OK)
			x->err = curl_errno(res, easy);
		else if (x->raw_done)
			x->err = raw_keep(x);
		else
			x->err = xfer_parse(x);
		if (x->err) {
			json_decref(x->body);
			x->body = NULL;
			x->rsc = 0;
		}
		xfer_finish(x);
	}
}

/* ---- libcurl on the loop ---- */

static int on_sock_io(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct http_client *c = ud;
	int flags = 0, running;

	if (revents & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(c->multi, fd, flags, &running);
	client_reap(c);
	return 0;
}

static void on_timeout(struct http_client *c)
{
	int running;

	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	client_reap(c);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	on_timeout(ud);
	return 0;
}

static int on_kick(sd_event_source *s, void *ud)
{
	on_timeout(ud);
	return 0;
}

static void sock_del(struct http_client *c, struct client_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	sd_event_source_disable_unref(s->src);
	free(s);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *ud,
		     void *sockp)
{
	struct http_client *c = ud;
	struct client_sock *s = sockp;
	uint32_t events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s) {
			curl_multi_assign(c->multi, fd, NULL);
			sock_del(c, s);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (s)
		return sd_event_source_set_io_events(s->src, events) < 0 ?
		       -1 : 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	if (sd_event_add_io(c->http->event, &s->src, fd, events, on_sock_io,
			    c) < 0) {
		free(s);
		return -1;
	}
	s->next = c->socks;
	if (c->socks)
		c->socks->prev = s;
	c->socks = s;
	curl_multi_assign(c->multi, fd, s);
	return 0;
}

static int on_curl_timer(CURLM *multi, long ms, void *ud)
{
	struct http_client *c = ud;

	if (!c->timer)
		return 0;
	return http_timeout_arm(c->http, c->timer, c->kick, ms) < 0 ? -1 : 0;
}

/* ---- sending ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_xfer *x = ud;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > ESPRIMD_HTTP_MAX_BODY - x->len) {
		x->too_big = true;
		return 0;
	}
	if (x->len + n > x->cap) {
		cap = x->cap ? x->cap : 4096;
		while (cap < x->len + n)
			cap *= 2;
		p = realloc(x->buf, cap);
		if (!p)
			return 0;
		x->buf = p;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	return n;
}

/* An absolute http or https URL, as libcurl's own parser reads it. */
static int url_check(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int r = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (!strcmp(scheme, "http") || !strcmp(scheme, "https")))
		r = 0;
	curl_free(scheme);
	curl_url_cleanup(u);
	return r;
}

/* "name: value"; an empty value ("name:") drops a header of libcurl's. */
static int add_header(struct curl_slist **list, const char *name,
		      const char *value)
{
	struct curl_slist *l;
	char line[HTTP_ID_MAX + 64];

	if (*value)
		snprintf(line, sizeof(line), "%s: %s", name, value);
	else
		snprintf(line, sizeof(line), "%s:", name);
	l = curl_slist_append(*list, line);
	if (!l)
		return -ENOMEM;
	*list = l;
	return 0;
}

static int xfer_headers(struct http_xfer *x, enum esprimd_http_op op,
			const char *origin)
{
	struct http_client *c = x->c;
	char ri[64];

	snprintf(ri, sizeof(ri), "%s-%" PRIu64, c->ri_prefix, ++c->ri_seq);
	if (add_header(&x->headers, "X-M2M-Origin", origin) ||
	    add_header(&x->headers, "X-M2M-RI", ri) ||
	    add_header(&x->headers, "X-M2M-RVI", ESPRIMD_HTTP_RVI) ||
	    add_header(&x->headers, "Accept", "application/json"))
		return -ENOMEM;
	if (op != ESPRIMD_HTTP_NOTIFY)
		return 0;
	/* No "Expect: 100-continue" round trip for the bodies sent here. */
	if (add_header(&x->headers, "Content-Type", "application/json") ||
	    add_header(&x->headers, "Expect", ""))
		return -ENOMEM;
	return 0;
}

static int xfer_setup(struct http_xfer *x, enum esprimd_http_op op,
		      const char *url)
{
	long timeout = (long)x->c->http->timeout_ms;
	CURL *e = x->easy;
	CURLcode r = CURLE_OK;

	r |= curl_easy_setopt(e, CURLOPT_URL, url);
	r |= curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	r |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	r |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	r |= curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	r |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	r |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	r |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	r |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	r |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
			      (long)CURL_HTTP_VERSION_1_1);
	/* Peers are addressed directly, whatever the environment says. */
	r |= curl_easy_setopt(e, CURLOPT_PROXY, "");
	r |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	r |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	r |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
			      (curl_off_t)ESPRIMD_HTTP_MAX_BODY);
	if (op == ESPRIMD_HTTP_NOTIFY) {
		r |= curl_easy_setopt(e, CURLOPT_POST, 1L);
		r |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)strlen(x->req_body));
		r |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req_body);
	} else {
		r |= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	return r == CURLE_OK ? 0 : -EINVAL;
}

static void xfer_free(struct http_xfer *x)
{
	xfer_release(x);
	json_decref(x->body);
	free(x);
}

int esprimd_http_send(struct esprimd_http *http, enum esprimd_http_op op,
		      const char *url, const char *origin, json_t *body,
		      esprimd_http_done done, void *userdata)
{
	struct http_client *c;
	struct http_xfer *x;
	int r;

	if (!http || !url || !origin || !done ||
	    !http_is_id(origin, strlen(origin)))
		return -EINVAL;
	if (op == ESPRIMD_HTTP_NOTIFY ? !json_is_object(body) :
	    op != ESPRIMD_HTTP_RETRIEVE || body)
		return -EINVAL;
	if (http->closing || !http->client)
		return -ESHUTDOWN;
	r = url_check(url);
	if (r)
		return r;
	c = http->client;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->c = c;
	x->done = done;
	x->userdata = userdata;
	if (op == ESPRIMD_HTTP_NOTIFY) {
		x->req_body = json_dumps(body, JSON_COMPACT);
		r = !x->req_body ? -ENOMEM :
		    strlen(x->req_body) > ESPRIMD_HTTP_MAX_BODY ? -EMSGSIZE : 0;
	}
	if (!r)
		r = xfer_headers(x, op, origin);
	if (!r)
		r = (x->easy = curl_easy_init()) ? 0 : -ENOMEM;
	if (!r)
		r = xfer_setup(x, op, url);
	if (!r && curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		r = -ENOMEM;
	}
	if (r) {
		xfer_free(x);
		return r;
	}
	x->next = c->running;
	if (c->running)
		c->running->prev = x;
	c->running = x;
	return 0;
}

/* Sidecar mode: the request's method, headers and body as given. */
static int raw_setup(struct http_xfer *x, const struct binding_out *req)
{
	CURL *e = x->easy;
	CURLcode r = CURLE_OK;
	struct curl_slist *l;
	size_t i;
	char *line;

	for (i = 0; i < req->n_headers; i++) {
		if (asprintf(&line, "%s: %s", req->headers[i].name,
			     req->headers[i].value) < 0)
			return -ENOMEM;
		l = curl_slist_append(x->headers, line);
		free(line);
		if (!l)
			return -ENOMEM;
		x->headers = l;
	}
	/* libcurl's own: no Expect round trip, no Accept it would add. */
	if (add_header(&x->headers, "Expect", ""))
		return -ENOMEM;
	if (req->body_len) {
		x->req_body = malloc(req->body_len);
		if (!x->req_body)
			return -ENOMEM;
		memcpy(x->req_body, req->body, req->body_len);
		r |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)req->body_len);
		r |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req_body);
	}
	/* The method as given, also a GET with a body (POSTFIELDS: POST). */
	r |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	return r == CURLE_OK ? 0 : -EINVAL;
}

int esprimd_http_send_raw(struct esprimd_http *http, const char *base,
			  const struct binding_out *req,
			  esprimd_http_raw_done done, void *userdata)
{
	struct http_client *c;
	struct http_xfer *x;
	char *url = NULL;
	int r;

	if (!http || !base || !req || !req->method || !req->path ||
	    req->path[0] != '/' || !done ||
	    req->body_len > ESPRIMD_HTTP_MAX_BODY)
		return -EINVAL;
	if (http->closing || !http->client)
		return -ESHUTDOWN;
	if (asprintf(&url, "%s%s%s%s", base, req->path, req->query ? "?" : "",
		     req->query ? req->query : "") < 0)
		return -ENOMEM;
	r = url_check(url);
	c = http->client;
	x = r ? NULL : calloc(1, sizeof(*x));
	if (!r && !x)
		r = -ENOMEM;
	if (!r) {
		x->c = c;
		x->raw_done = done;
		x->userdata = userdata;
		r = (x->easy = curl_easy_init()) ? 0 : -ENOMEM;
	}
	/* xfer_setup() sets GET; raw_setup() the method given. */
	if (!r)
		r = xfer_setup(x, ESPRIMD_HTTP_RETRIEVE, url);
	if (!r)
		r = raw_setup(x, req);
	if (!r)
		r = curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers) ==
			CURLE_OK ? 0 : -EINVAL;
	if (!r && curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		r = -ENOMEM;
	}
	free(url);
	if (r) {
		if (x)
			xfer_free(x);
		return r;
	}
	x->next = c->running;
	if (c->running)
		c->running->prev = x;
	c->running = x;
	return 0;
}

/* ---- the client's life ---- */

static int client_setup(struct http_client *c)
{
	sd_event *event = c->http->event;
	uint8_t rnd[8];
	int i, r;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return errno ? -errno : -EIO;
	for (i = 0; i < 8; i++)
		snprintf(c->ri_prefix + 2 * i, 3, "%02x", rnd[i]);
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -EIO;
	c->global = true;
	c->multi = curl_multi_init();
	if (!c->multi)
		return -ENOMEM;
	/*
	 * A connection kept for each one the server side may hold: with
	 * libcurl's default cache, requests in flight beyond a few closed
	 * their connections and opened new ones.
	 */
	if (curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
			      (long)HTTP_MAX_CONNECTIONS) ||
	    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket) ||
	    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) ||
	    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION,
			      on_curl_timer) ||
	    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c))
		return -EIO;
	r = sd_event_add_time(event, &c->timer, CLOCK_MONOTONIC, 0, 1,
			      on_timer, c);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_defer(event, &c->kick, on_kick, c);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->kick, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_defer(event, &c->defer, on_defer, c);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->defer, SD_EVENT_OFF);
	return r < 0 ? r : 0;
}

int http_client_start(struct esprimd_http *http, char *err, size_t err_size)
{
	struct http_client *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, err_size, "http client: out of memory");
		return -ENOMEM;
	}
	c->http = http;
	http->client = c;
	r = client_setup(c);
	if (r)
		snprintf(err, err_size, "http client: %s", strerror(-r));
	return r;
}

void http_client_stop(struct esprimd_http *http)
{
	struct http_client *c = http->client;
	struct http_xfer *x;

	if (!c)
		return;
	/* Every request whose callback has not run ends cancelled. */
	while (c->running) {
		x = c->running;
		x->err = -ECANCELED;
		xfer_finish(x);
	}
	for (x = c->done_head; x; x = x->next) {
		x->err = -ECANCELED;
		x->rsc = 0;
		json_decref(x->body);
		x->body = NULL;
	}
	while ((x = done_pop(c)))
		xfer_report(x);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	while (c->socks)
		sock_del(c, c->socks);
	c->timer = sd_event_source_disable_unref(c->timer);
	c->kick = sd_event_source_disable_unref(c->kick);
	c->defer = sd_event_source_disable_unref(c->defer);
	if (c->global)
		curl_global_cleanup();
	free(c);
	http->client = NULL;
}
