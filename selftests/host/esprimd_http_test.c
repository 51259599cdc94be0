// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd's HTTP binding (user/daemon/http*.c): its server and its client
 * in one process on one sd-event loop, on 127.0.0.1 with ephemeral ports.
 *
 * The server's refusals are checked with requests written byte by byte
 * over plain sockets, so that the server's parsing is tested and not
 * libcurl's; the client's strictness with a stub server of canned
 * responses on a plain socket.  Built with ASan and UBSan; every test
 * ends with a leak check, after the binding is freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <jansson.h>
#include <systemd/sd-event.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "kselftest_harness.h"
#include "http.h"
#include "http_internal.h"

#define ORIGIN	"Cclient"
#define HDRS	"X-M2M-Origin: Corigin\r\nX-M2M-RI: ri-1\r\n" \
		"X-M2M-RVI: 4\r\n"
#define JSON_CT	"Content-Type: application/json\r\n"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until *n reaches want, for at most ms. */
static bool run_until(sd_event *e, const unsigned int *n, unsigned int want,
		      unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (*n < want && now_ms() < end)
		if (sd_event_run(e, 10000) < 0)
			return false;
	return *n >= want;
}

static void run_for(sd_event *e, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		sd_event_run(e, 10000);
}

/* ---- a raw HTTP client: bytes out, bytes in until the server closes ---- */

struct raw {
	int fd;
	sd_event_source *src;
	char *out;
	size_t out_len, off;
	char in[65536];
	size_t in_len;
	bool hangup;		/* close once written, without reading */
	unsigned int finished;
};

static void raw_close(struct raw *r)
{
	r->src = sd_event_source_disable_unref(r->src);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->finished = 1;
}

static int raw_io(sd_event_source *s, int fd, uint32_t rev, void *ud)
{
	struct raw *r = ud;
	ssize_t n;

	if ((rev & EPOLLOUT) && r->off < r->out_len) {
		n = send(fd, r->out + r->off, r->out_len - r->off,
			 MSG_NOSIGNAL);
		if (n > 0)
			r->off += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			r->off = r->out_len;	/* read what it said */
		if (r->off == r->out_len) {
			if (r->hangup) {
				raw_close(r);
				return 0;
			}
			sd_event_source_set_io_events(s, EPOLLIN);
		}
	}
	if (rev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = recv(fd, r->in + r->in_len, sizeof(r->in) - 1 - r->in_len,
			 0);
		if (n > 0) {
			r->in_len += (size_t)n;
			r->in[r->in_len] = 0;
			if (r->in_len == sizeof(r->in) - 1)
				raw_close(r);
		} else if (n == 0 || errno != EAGAIN) {
			raw_close(r);
		}
	}
	return 0;
}

static void raw_free(struct raw *r)
{
	if (!r)
		return;
	raw_close(r);
	free(r->out);
	free(r);
}

static struct raw *raw_start(sd_event *e, int family, int port,
			     const char *text, size_t len, bool hangup)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct raw *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->hangup = hangup;
	r->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r->out = malloc(len + 1);
	if (r->fd < 0 || !r->out ||
	    ((family == AF_INET ? connect(r->fd, (void *)&s4, sizeof(s4)) :
	      connect(r->fd, (void *)&s6, sizeof(s6))) &&
	     errno != EINPROGRESS) ||
	    sd_event_add_io(e, &r->src, r->fd, EPOLLIN | EPOLLOUT, raw_io,
			    r) < 0) {
		raw_free(r);
		return NULL;
	}
	memcpy(r->out, text, len);
	r->out_len = len;
	return r;
}

/* One exchange over IPv4: the bytes the server wrote, or NULL. */
static struct raw *raw_exchange(sd_event *e, int port, const char *text,
				size_t len)
{
	struct raw *r = raw_start(e, AF_INET, port, text, len, false);

	if (r && !run_until(e, &r->finished, 1, 5000)) {
		raw_free(r);
		return NULL;
	}
	return r;
}

/* A request with "Connection: close", and Content-Length when body. */
static char *build(const char *method, const char *path, const char *hdrs,
		   const char *body, size_t *len)
{
	char *s;
	int n;

	if (body)
		n = asprintf(&s, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Connection: close\r\n%sContent-Length: %zu\r\n"
			     "\r\n%s", method, path, hdrs, strlen(body), body);
	else
		n = asprintf(&s, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Connection: close\r\n%s\r\n", method, path, hdrs);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return s;
}

struct resp {
	int status;
	char rsc[32], ri[300], rvi[16], ctype[64], allow[64];
	const char *body;
	size_t body_len;
};

static void header_value(struct resp *p, const char *name, size_t nl,
			 const char *v, size_t vl)
{
	static const struct {
		const char *name;
		size_t off, size;
	} want[] = {
		{ "X-M2M-RSC", offsetof(struct resp, rsc), 32 },
		{ "X-M2M-RI", offsetof(struct resp, ri), 300 },
		{ "X-M2M-RVI", offsetof(struct resp, rvi), 16 },
		{ "Content-Type", offsetof(struct resp, ctype), 64 },
		{ "Allow", offsetof(struct resp, allow), 64 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (nl == strlen(want[i].name) &&
		    !strncasecmp(name, want[i].name, nl))
			snprintf((char *)p + want[i].off, want[i].size, "%.*s",
				 (int)vl, v);
}

static bool resp_parse(const struct raw *r, struct resp *p)
{
	const char *end, *line, *eol, *colon, *v;

	memset(p, 0, sizeof(*p));
	if (!r || sscanf(r->in, "HTTP/1.%*c %d", &p->status) != 1)
		return false;
	end = strstr(r->in, "\r\n\r\n");
	if (!end)
		return false;
	for (line = strstr(r->in, "\r\n") + 2; line <= end; line = eol + 2) {
		eol = strstr(line, "\r\n");
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			continue;
		for (v = colon + 1; *v == ' '; v++)
			;
		header_value(p, line, (size_t)(colon - line), v,
			     (size_t)(eol - v));
	}
	p->body = end + 4;
	p->body_len = (size_t)(r->in + r->in_len - p->body);
	return true;
}

/* {"m2m:dbg": "..."} and nothing else. */
static bool is_dbg(const struct resp *p)
{
	json_t *j = json_loadb(p->body, p->body_len, JSON_REJECT_DUPLICATES,
			       NULL);
	bool ok = json_is_object(j) && json_object_size(j) == 1 &&
		  json_is_string(json_object_get(j, "m2m:dbg"));

	json_decref(j);
	return ok;
}

/* ---- a stub server of canned responses ---- */

struct stub_conn {
	struct stub *stub;
	int fd;
	sd_event_source *src;
	char in[8192];
	size_t in_len, off;
	bool writing;
};

struct stub {
	int lfd, port;
	sd_event_source *lsrc;
	const char *resp;
	size_t resp_len;
	struct stub_conn conns[32];
	unsigned int n_conns;
};

static void stub_conn_close(struct stub_conn *c)
{
	c->src = sd_event_source_disable_unref(c->src);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int stub_conn_io(sd_event_source *s, int fd, uint32_t rev, void *ud)
{
	struct stub_conn *c = ud;
	struct stub *st = c->stub;
	const char *end, *cl;
	ssize_t n;

	if (!c->writing) {
		n = recv(fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len,
			 0);
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				stub_conn_close(c);
			return 0;
		}
		c->in_len += (size_t)n;
		c->in[c->in_len] = 0;
		/* The whole request, body included, then the answer. */
		end = strstr(c->in, "\r\n\r\n");
		cl = strcasestr(c->in, "\r\nContent-Length:");
		if (end && (!cl || cl > end ||
			    c->in_len >= (size_t)(end + 4 - c->in) +
					  strtoul(cl + 17, NULL, 10))) {
			c->writing = true;
			sd_event_source_set_io_events(s, EPOLLOUT);
		}
		return 0;
	}
	n = send(fd, st->resp + c->off, st->resp_len - c->off, MSG_NOSIGNAL);
	if (n > 0)
		c->off += (size_t)n;
	else if (errno != EAGAIN)
		c->off = st->resp_len;
	if (c->off == st->resp_len)
		stub_conn_close(c);
	return 0;
}

static int stub_accept(sd_event_source *s, int fd, uint32_t rev, void *ud)
{
	struct stub *st = ud;
	struct stub_conn *c;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	if (st->n_conns == 32) {
		close(cfd);
		return 0;
	}
	c = &st->conns[st->n_conns++];
	c->stub = st;
	c->fd = cfd;
	if (sd_event_add_io(sd_event_source_get_event(s), &c->src, cfd,
			    EPOLLIN, stub_conn_io, c) < 0)
		stub_conn_close(c);
	return 0;
}

/* Listens on 127.0.0.1; answers when serve, else never even accepts. */
static int stub_listen(struct stub *st, sd_event *e, bool serve)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	memset(st, 0, sizeof(*st));
	st->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (st->lfd < 0 || bind(st->lfd, (void *)&sa, sizeof(sa)) ||
	    listen(st->lfd, 16) ||
	    getsockname(st->lfd, (void *)&sa, &len))
		return -1;
	st->port = ntohs(sa.sin_port);
	if (serve && sd_event_add_io(e, &st->lsrc, st->lfd, EPOLLIN,
				     stub_accept, st) < 0)
		return -1;
	return 0;
}

static void stub_free(struct stub *st)
{
	unsigned int i;

	for (i = 0; i < st->n_conns; i++)
		stub_conn_close(&st->conns[i]);
	st->lsrc = sd_event_source_disable_unref(st->lsrc);
	if (st->lfd >= 0)
		close(st->lfd);
	st->lfd = -1;
}

/* A port nobody listens on (bound, then closed). */
static int closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd >= 0 && !bind(fd, (void *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (void *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* ---- the fixture: a server on 127.0.0.1:0, its handler, a client ---- */

enum answer_mode {
	ANSWER_NOW,
	ANSWER_LATER,		/* from a timer 100 ms on */
	ANSWER_NEVER,		/* the test answers */
	ANSWER_BAD_RSC_FIRST,	/* an unknown RSC first, then a good one */
};

struct seen {
	enum esprimd_http_op op;
	int ty;
	char path[HTTP_PATH_MAX + 1];
	char origin[HTTP_ID_MAX + 1];
	char ri[HTTP_ID_MAX + 1];
	char rvi[8];
	char peer[64];
	char *body;
};

FIXTURE(http) {
	sd_event *event;
	struct esprimd_http *http;
	int port;
	/* the handler */
	enum answer_mode mode;
	int answer_rsc;
	unsigned int handled;
	struct seen seen[16];
	struct esprimd_http_request *held;
	const struct esprimd_http_incoming *held_in;
	sd_event_source *later;
	unsigned int late_calls;
	int late_ret;
	int bad_rsc_ret;
	/* the client's last outcome */
	unsigned int done_calls;
	int err, rsc;
	json_t *body;
	int errs[16];
};

static json_t *echo(const struct esprimd_http_incoming *in)
{
	return json_pack("{s:{s:i,s:i,s:s,s:s,s:s,s:s,s:O?}}", "m2m:echo",
			 "op", (int)in->op, "ty", in->ty, "path", in->path,
			 "fr", in->origin, "rqi", in->ri, "rvi", in->rvi,
			 "pc", in->body);
}

static int answer(FIXTURE_DATA(http) *self, struct esprimd_http_request *req,
		  const struct esprimd_http_incoming *in)
{
	json_t *j = echo(in);
	int r = esprimd_http_respond(req, self->answer_rsc, j);

	json_decref(j);
	return r;
}

static int on_later(sd_event_source *s, uint64_t usec, void *ud)
{
	FIXTURE_DATA(http) *self = ud;

	/* in is still valid: the request is not answered yet. */
	self->late_ret = answer(self, self->held, self->held_in);
	self->held = NULL;
	self->late_calls++;
	return 0;
}

static void handler(struct esprimd_http_request *req,
		    const struct esprimd_http_incoming *in, void *ud)
{
	FIXTURE_DATA(http) *self = ud;
	struct seen *s = &self->seen[self->handled % 16];

	s->op = in->op;
	s->ty = in->ty;
	snprintf(s->path, sizeof(s->path), "%s", in->path);
	snprintf(s->origin, sizeof(s->origin), "%s", in->origin);
	snprintf(s->ri, sizeof(s->ri), "%s", in->ri);
	snprintf(s->rvi, sizeof(s->rvi), "%s", in->rvi);
	snprintf(s->peer, sizeof(s->peer), "%s", in->peer_addr);
	free(s->body);
	s->body = in->body ? json_dumps(in->body, JSON_COMPACT |
					JSON_SORT_KEYS) : NULL;
	self->handled++;
	switch (self->mode) {
	case ANSWER_NOW:
		answer(self, req, in);
		break;
	case ANSWER_BAD_RSC_FIRST:
		self->bad_rsc_ret = esprimd_http_respond(req, 1234, NULL);
		answer(self, req, in);
		break;
	case ANSWER_LATER:
		self->held = req;
		self->held_in = in;
		sd_event_source_disable_unref(self->later);
		sd_event_add_time_relative(self->event, &self->later,
					   CLOCK_MONOTONIC, 100000, 0,
					   on_later, self);
		break;
	case ANSWER_NEVER:
		self->held = req;
		break;
	}
}

static void on_done(int err, int rsc, json_t *body, void *ud)
{
	FIXTURE_DATA(http) *self = ud;

	self->errs[self->done_calls % 16] = err;
	self->done_calls++;
	self->err = err;
	self->rsc = rsc;
	json_decref(self->body);
	self->body = json_incref(body);
}

FIXTURE_SETUP(http)
{
	char *listen[] = { "127.0.0.1:0" };
	char err[256] = "";

	ASSERT_EQ(0, sd_event_new(&self->event));
	ASSERT_EQ(0, esprimd_http_new(&self->http, self->event, listen, 1,
				      handler, self, 5000, err, sizeof(err)))
		TH_LOG("%s", err);
	self->port = esprimd_http_port(self->http, 0);
	ASSERT_LT(0, self->port);
	self->mode = ANSWER_NOW;
	self->answer_rsc = 2000;
}

FIXTURE_TEARDOWN(http)
{
	unsigned int i;

	self->later = sd_event_source_disable_unref(self->later);
	esprimd_http_free(self->http);
	for (i = 0; i < 16; i++)
		free(self->seen[i].body);
	json_decref(self->body);
	sd_event_unref(self->event);
#if defined(__SANITIZE_ADDRESS__)
	EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
#endif
}

static void url(char *buf, size_t n, int port, const char *path)
{
	snprintf(buf, n, "http://127.0.0.1:%d%s", port, path);
}

/* ---- round trips through both sides ---- */

TEST_F(http, notify_round_trip)
{
	json_t *seci = json_pack("{s:{s:i}}", "m2m:seci", "sit", 3);
	json_t *e;
	const char *fr, *rqi, *rvi, *path;
	int op;
	char u[64];

	url(u, sizeof(u), self->port, "/cse1/notify");
	ASSERT_EQ(0, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY, u,
				       ORIGIN, seci, on_done, self));
	/* Never from within the call. */
	ASSERT_EQ(0, self->done_calls);
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	ASSERT_EQ(1, self->handled);
	EXPECT_EQ(ESPRIMD_HTTP_NOTIFY, self->seen[0].op);
	EXPECT_EQ(0, self->seen[0].ty);
	EXPECT_STREQ("/cse1/notify", self->seen[0].path);
	EXPECT_STREQ(ORIGIN, self->seen[0].origin);
	EXPECT_STREQ(ESPRIMD_HTTP_RVI, self->seen[0].rvi);
	EXPECT_TRUE(http_is_id(self->seen[0].ri, strlen(self->seen[0].ri)));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":3}}", self->seen[0].body);
	EXPECT_EQ(0, strncmp(self->seen[0].peer, "127.0.0.1:", 10));
	ASSERT_EQ(0, self->err);
	EXPECT_EQ(2000, self->rsc);
	ASSERT_NE(NULL, self->body);
	ASSERT_EQ(0, json_unpack(self->body,
				 "{s:{s:i,s:s,s:s,s:s,s:s,s:o}}", "m2m:echo",
				 "op", &op, "path", &path, "fr", &fr,
				 "rqi", &rqi, "rvi", &rvi, "pc", &e));
	EXPECT_EQ(ESPRIMD_HTTP_NOTIFY, op);
	EXPECT_STREQ("/cse1/notify", path);
	EXPECT_STREQ(ORIGIN, fr);
	EXPECT_STREQ(self->seen[0].ri, rqi);
	EXPECT_TRUE(json_equal(seci, e));
	json_decref(seci);
	/* Run on: the callback ran once. */
	run_for(self->event, 50);
	EXPECT_EQ(1, self->done_calls);
}

TEST_F(http, answer_from_a_later_timer)
{
	json_t *b = json_pack("{s:s}", "a", "b");
	uint64_t t0 = now_ms();
	char u[64];

	self->mode = ANSWER_LATER;
	self->answer_rsc = 2001;
	url(u, sizeof(u), self->port, "/later");
	ASSERT_EQ(0, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY, u,
				       ORIGIN, b, on_done, self));
	json_decref(b);
	ASSERT_TRUE(run_until(self->event, &self->handled, 1, 5000));
	ASSERT_EQ(0, self->done_calls);
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	EXPECT_LE(90, now_ms() - t0);
	EXPECT_EQ(1, self->late_calls);
	EXPECT_EQ(0, self->late_ret);
	EXPECT_EQ(0, self->err);
	EXPECT_EQ(2001, self->rsc);
	EXPECT_NE(NULL, json_object_get(self->body, "m2m:echo"));
}

TEST_F(http, retrieve)
{
	char u[64];
	const char *path;
	json_t *pc;
	int op;

	url(u, sizeof(u), self->port, "/~/cse1/esi");
	ASSERT_EQ(0, esprimd_http_send(self->http, ESPRIMD_HTTP_RETRIEVE, u,
				       ORIGIN, NULL, on_done, self));
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	ASSERT_EQ(1, self->handled);
	EXPECT_EQ(ESPRIMD_HTTP_RETRIEVE, self->seen[0].op);
	EXPECT_EQ(NULL, self->seen[0].body);
	EXPECT_STREQ("/~/cse1/esi", self->seen[0].path);
	ASSERT_EQ(0, self->err);
	EXPECT_EQ(2000, self->rsc);
	ASSERT_EQ(0, json_unpack(self->body, "{s:{s:i,s:s,s:o}}", "m2m:echo",
				 "op", &op, "path", &path, "pc", &pc));
	EXPECT_EQ(ESPRIMD_HTTP_RETRIEVE, op);
	EXPECT_TRUE(json_is_null(pc));
}

TEST_F(http, ten_requests_one_connection)
{
	json_t *b = json_pack("{s:i}", "n", 0);
	unsigned int i, j;
	char u[64];

	url(u, sizeof(u), self->port, "/n");
	for (i = 0; i < 10; i++) {
		json_object_set_new(b, "n", json_integer(i));
		ASSERT_EQ(0, esprimd_http_send(self->http,
					       ESPRIMD_HTTP_NOTIFY, u, ORIGIN,
					       b, on_done, self));
		ASSERT_TRUE(run_until(self->event, &self->done_calls, i + 1,
				      5000));
		ASSERT_EQ(0, self->err);
		ASSERT_EQ(2000, self->rsc);
	}
	json_decref(b);
	ASSERT_EQ(10, self->handled);
	/* One connection: the same client port every time... */
	for (i = 1; i < 10; i++)
		EXPECT_STREQ(self->seen[0].peer, self->seen[i].peer);
	/* ...and the server accepted one. */
	EXPECT_EQ(1, self->http->conn_total);
	/* X-M2M-RI is new for each request. */
	for (i = 0; i < 10; i++)
		for (j = i + 1; j < 10; j++)
			EXPECT_STRNE(self->seen[i].ri, self->seen[j].ri);
}

TEST_F(http, respond_refuses_an_unknown_rsc)
{
	char u[64];

	self->mode = ANSWER_BAD_RSC_FIRST;
	url(u, sizeof(u), self->port, "/x");
	ASSERT_EQ(0, esprimd_http_send(self->http, ESPRIMD_HTTP_RETRIEVE, u,
				       ORIGIN, NULL, on_done, self));
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	EXPECT_EQ(-EINVAL, self->bad_rsc_ret);
	EXPECT_EQ(0, self->err);
	EXPECT_EQ(2000, self->rsc);
}

/* ---- the server, with raw requests ---- */

TEST_F(http, raw_notify_headers_and_status)
{
	static const struct {
		int rsc;
		int status;
	} cases[] = {
		{ 2000, 200 }, { 2001, 201 }, { 4004, 404 }, { 4103, 403 },
		{ 4115, 403 }, { 4116, 403 }, { 5210, 500 }, { 5000, 500 },
		{ 1000, 202 },
	};
	struct resp p;
	struct raw *r;
	size_t i, len;
	char *req, rsc[16];

	req = build("POST", "/cse1?rcn=1", HDRS JSON_CT, "{\"a\":[1,2]}",
		    &len);
	ASSERT_NE(NULL, req);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		self->answer_rsc = cases[i].rsc;
		r = raw_exchange(self->event, self->port, req, len);
		ASSERT_TRUE(resp_parse(r, &p)) TH_LOG("rsc %d", cases[i].rsc);
		snprintf(rsc, sizeof(rsc), "%d", cases[i].rsc);
		EXPECT_EQ(cases[i].status, p.status);
		EXPECT_STREQ(rsc, p.rsc);
		EXPECT_STREQ("ri-1", p.ri);
		EXPECT_STREQ("4", p.rvi);
		EXPECT_STREQ("application/json", p.ctype);
		EXPECT_EQ(0, strncmp(p.body, "{\"m2m:echo\":", 12));
		raw_free(r);
	}
	free(req);
	EXPECT_EQ(i, self->handled);
	/* The query is not part of the path. */
	EXPECT_STREQ("/cse1", self->seen[0].path);
	EXPECT_STREQ("Corigin", self->seen[0].origin);
	EXPECT_STREQ("ri-1", self->seen[0].ri);
	EXPECT_STREQ("{\"a\":[1,2]}", self->seen[0].body);
}

/* Requests the checks let through, and what the handler sees of them. */
TEST_F(http, raw_accepted_variants)
{
	static const struct {
		const char *method, *path, *hdrs, *body;
		enum esprimd_http_op op;
		int ty;
		const char *rvi;
	} cases[] = {
		{ "POST", "/c", HDRS "Content-Type: application/json; ty=3\r\n",
		  "{}", ESPRIMD_HTTP_CREATE, 3, "4" },
		{ "POST", "/c", HDRS "content-type: APPLICATION/JSON;TY=23\r\n",
		  "{}", ESPRIMD_HTTP_CREATE, 23, "4" },
		{ "POST", "/c",
		  HDRS "Content-Type: application/json ; ty=16 \r\n",
		  "{}", ESPRIMD_HTTP_CREATE, 16, "4" },
		{ "POST", "/_/sp.example/cse1/%7Ex",
		  "x-m2m-origin: //sp/C1\r\nx-m2m-ri: 7\r\n" JSON_CT, "{}",
		  ESPRIMD_HTTP_NOTIFY, 0, "" },
		{ "POST", "/a", "X-M2M-Origin: C\r\nX-M2M-RI: r\r\n"
		  "X-M2M-RVI: 2a\r\n" JSON_CT, " {\"x\":{}} ",
		  ESPRIMD_HTTP_NOTIFY, 0, "2a" },
		{ "GET", "/", HDRS, NULL, ESPRIMD_HTTP_RETRIEVE, 0, "4" },
		{ "GET", "/x", HDRS "Content-Length: 0\r\n", NULL,
		  ESPRIMD_HTTP_RETRIEVE, 0, "4" },
	};
	struct resp p;
	struct raw *r;
	size_t i, len;
	char *req;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req = build(cases[i].method, cases[i].path, cases[i].hdrs,
			    cases[i].body, &len);
		r = raw_exchange(self->event, self->port, req, len);
		free(req);
		ASSERT_TRUE(resp_parse(r, &p)) TH_LOG("case %zu", i);
		EXPECT_EQ(200, p.status) TH_LOG("case %zu: %s", i, r->in);
		raw_free(r);
		ASSERT_EQ(i + 1, self->handled) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].op, self->seen[i].op) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].ty, self->seen[i].ty) TH_LOG("case %zu", i);
		EXPECT_STREQ(cases[i].path, self->seen[i].path);
		EXPECT_STREQ(cases[i].rvi, self->seen[i].rvi);
	}
}

/* Every refusal of http.h's list, answered by the server itself. */
TEST_F(http, raw_refusals)
{
	static char long_origin[400], long_path[600];
	static const struct {
		const char *name, *method, *path, *hdrs, *body;
		int status;
		const char *rsc;
		bool ri;	/* X-M2M-RI echoed */
	} cases[] = {
		{ "no X-M2M-Origin", "POST", "/n",
		  "X-M2M-RI: ri-1\r\n" JSON_CT, "{}", 400, "4000", true },
		{ "empty X-M2M-Origin", "POST", "/n",
		  "X-M2M-Origin:\r\nX-M2M-RI: ri-1\r\n" JSON_CT, "{}", 400,
		  "4000", true },
		{ "X-M2M-Origin twice", "POST", "/n",
		  HDRS "X-M2M-Origin: Cother\r\n" JSON_CT, "{}", 400, "4000",
		  true },
		{ "X-M2M-Origin of 257 characters", "POST", "/n", long_origin,
		  "{}", 400, "4000", true },
		{ "no X-M2M-RI", "POST", "/n",
		  "X-M2M-Origin: C\r\n" JSON_CT, "{}", 400, "4000", false },
		{ "X-M2M-RI not printable", "POST", "/n",
		  "X-M2M-Origin: C\r\nX-M2M-RI: a\x01z\r\n" JSON_CT, "{}", 400,
		  "4000", false },
		{ "X-M2M-RVI 6", "POST", "/n",
		  "X-M2M-Origin: C\r\nX-M2M-RI: ri-1\r\nX-M2M-RVI: 6\r\n"
		  JSON_CT, "{}", 400, "4000", true },
		{ "X-M2M-RVI 2A", "POST", "/n",
		  "X-M2M-Origin: C\r\nX-M2M-RI: ri-1\r\nX-M2M-RVI: 2A\r\n"
		  JSON_CT, "{}", 400, "4000", true },
		{ "no Content-Type", "POST", "/n", HDRS, "{}", 400, "4000",
		  true },
		{ "Content-Type text/plain", "POST", "/n",
		  HDRS "Content-Type: text/plain\r\n", "{}", 400, "4000",
		  true },
		{ "Content-Type with charset", "POST", "/n",
		  HDRS "Content-Type: application/json; charset=utf-8\r\n",
		  "{}", 400, "4000", true },
		{ "Content-Type vnd.onem2m-res+json", "POST", "/n",
		  HDRS "Content-Type: application/vnd.onem2m-res+json;"
		  " ty=3\r\n",
		  "{}", 400, "4000", true },
		{ "ty=abc", "POST", "/n",
		  HDRS "Content-Type: application/json; ty=abc\r\n", "{}", 400,
		  "4000", true },
		{ "ty=0", "POST", "/n",
		  HDRS "Content-Type: application/json; ty=0\r\n", "{}", 400,
		  "4000", true },
		{ "ty=123456", "POST", "/n",
		  HDRS "Content-Type: application/json; ty=123456\r\n", "{}",
		  400, "4000", true },
		{ "body not JSON", "POST", "/n", HDRS JSON_CT, "{\"a\":", 400,
		  "4000", true },
		{ "body with trailing bytes", "POST", "/n", HDRS JSON_CT,
		  "{} {}", 400, "4000", true },
		{ "body an array", "POST", "/n", HDRS JSON_CT, "[1]", 400,
		  "4000", true },
		{ "body with a duplicate key", "POST", "/n", HDRS JSON_CT,
		  "{\"a\":1,\"a\":2}", 400, "4000", true },
		{ "body with a nested duplicate key", "POST", "/n",
		  HDRS JSON_CT,
		  "{\"a\":{\"b\":1,\"b\":1}}", 400, "4000", true },
		{ "body not UTF-8", "POST", "/n", HDRS JSON_CT,
		  "{\"a\":\"\xff\"}", 400, "4000", true },
		{ "empty body", "POST", "/n", HDRS JSON_CT, "", 400, "4000",
		  true },
		{ "GET with a body", "GET", "/n", HDRS JSON_CT, "{}", 400,
		  "4000", true },
		{ "path with |", "POST", "/a|b", HDRS JSON_CT, "{}", 400,
		  "4000", true },
		{ "path with a bad %-escape", "POST", "/a%zz", HDRS JSON_CT,
		  "{}", 400, "4000", true },
		{ "path of 513 characters", "POST", long_path, HDRS JSON_CT,
		  "{}", 400, "4000", true },
		{ "method PUT", "PUT", "/n", HDRS JSON_CT, "{}", 405, "4005",
		  true },
		{ "method DELETE", "DELETE", "/n", HDRS, NULL, 405, "4005",
		  true },
		{ "method post", "post", "/n", HDRS JSON_CT, "{}", 405, "4005",
		  true },
	};
	struct resp p;
	struct raw *r;
	size_t i, len;
	char *req;

	snprintf(long_origin, sizeof(long_origin),
		 "X-M2M-Origin: %0257d\r\nX-M2M-RI: ri-1\r\n" JSON_CT, 0);
	memset(long_path, 'p', 513);
	long_path[0] = '/';
	long_path[513] = 0;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req = build(cases[i].method, cases[i].path, cases[i].hdrs,
			    cases[i].body, &len);
		r = raw_exchange(self->event, self->port, req, len);
		free(req);
		ASSERT_TRUE(resp_parse(r, &p)) TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].status, p.status)
			TH_LOG("%s: %s", cases[i].name, r->in);
		EXPECT_STREQ(cases[i].rsc, p.rsc) TH_LOG("%s", cases[i].name);
		EXPECT_STREQ(cases[i].ri ? "ri-1" : "", p.ri)
			TH_LOG("%s", cases[i].name);
		EXPECT_STREQ("4", p.rvi) TH_LOG("%s", cases[i].name);
		EXPECT_STREQ("application/json", p.ctype)
			TH_LOG("%s", cases[i].name);
		EXPECT_TRUE(is_dbg(&p)) TH_LOG("%s: %s", cases[i].name, r->in);
		if (cases[i].status == 405) {
			EXPECT_STREQ("GET, POST", p.allow);
		}
		raw_free(r);
	}
	/* None of them reached the handler. */
	EXPECT_EQ(0, self->handled);
}

/* Content-Length over the limit: 413 before a byte of the body is sent. */
TEST_F(http, raw_body_too_big_by_its_length)
{
	struct resp p;
	struct raw *r;
	char req[512];
	int n;

	n = snprintf(req, sizeof(req), "POST /n HTTP/1.1\r\nHost: x\r\n"
		     HDRS JSON_CT "Content-Length: %d\r\n\r\n",
		     ESPRIMD_HTTP_MAX_BODY + 1);
	r = raw_exchange(self->event, self->port, req, (size_t)n);
	ASSERT_TRUE(resp_parse(r, &p));
	EXPECT_EQ(413, p.status);
	EXPECT_STREQ("4000", p.rsc);
	EXPECT_TRUE(is_dbg(&p));
	raw_free(r);
	EXPECT_EQ(0, self->handled);
}

/* Chunked, without a length: read and dropped past the limit, then 413. */
TEST_F(http, raw_body_too_big_chunked)
{
	size_t chunk = 64 * 1024, total = 0, len = 0, cap;
	struct resp p;
	struct raw *r;
	char *req;
	int n;

	cap = ESPRIMD_HTTP_MAX_BODY * 2 + 4096;
	req = malloc(cap);
	ASSERT_NE(NULL, req);
	n = snprintf(req, cap, "POST /n HTTP/1.1\r\nHost: x\r\n"
		     "Connection: close\r\n" HDRS JSON_CT
		     "Transfer-Encoding: chunked\r\n\r\n");
	len = (size_t)n;
	while (total <= ESPRIMD_HTTP_MAX_BODY) {
		len += (size_t)sprintf(req + len, "%zx\r\n", chunk);
		memset(req + len, total ? ' ' : '{', chunk);
		len += chunk;
		len += (size_t)sprintf(req + len, "\r\n");
		total += chunk;
	}
	len += (size_t)sprintf(req + len, "0\r\n\r\n");
	r = raw_exchange(self->event, self->port, req, len);
	free(req);
	ASSERT_TRUE(resp_parse(r, &p));
	EXPECT_EQ(413, p.status);
	EXPECT_STREQ("4000", p.rsc);
	EXPECT_STREQ("ri-1", p.ri);
	EXPECT_TRUE(is_dbg(&p));
	raw_free(r);
	EXPECT_EQ(0, self->handled);
}

/* The handler answers after the client went: nothing breaks or leaks. */
TEST_F(http, answer_after_the_client_went)
{
	struct raw *r;
	size_t len;
	char *req;

	self->mode = ANSWER_LATER;
	req = build("POST", "/n", HDRS JSON_CT, "{}", &len);
	r = raw_start(self->event, AF_INET, self->port, req, len, true);
	free(req);
	ASSERT_NE(NULL, r);
	ASSERT_TRUE(run_until(self->event, &r->finished, 1, 5000));
	ASSERT_TRUE(run_until(self->event, &self->late_calls, 1, 5000));
	EXPECT_EQ(1, self->handled);
	EXPECT_EQ(0, self->late_ret);
	/* The connection goes once the answer meets the closed socket. */
	run_for(self->event, 300);
	EXPECT_EQ(0, self->http->conn_open);
	raw_free(r);
}

/* The server stops with a request at the handler, answered afterwards. */
TEST_F(http, answer_after_the_server_stopped)
{
	struct raw *r;
	size_t len;
	char *req;

	self->mode = ANSWER_NEVER;
	req = build("POST", "/n", HDRS JSON_CT, "{}", &len);
	r = raw_start(self->event, AF_INET, self->port, req, len, false);
	free(req);
	ASSERT_NE(NULL, r);
	ASSERT_TRUE(run_until(self->event, &self->handled, 1, 5000));
	ASSERT_NE(NULL, self->held);
	esprimd_http_free(self->http);
	self->http = NULL;
	/* The client sees its connection closed, unanswered. */
	ASSERT_TRUE(run_until(self->event, &r->finished, 1, 5000));
	EXPECT_EQ(0, r->in_len);
	raw_free(r);
	/* The dead request: its answer frees it (the leak check says so). */
	EXPECT_EQ(0, esprimd_http_respond(self->held, 2000, NULL));
	self->held = NULL;
}

/* An idle connection closes after timeout_ms, rounded up to seconds. */
TEST_F(http, idle_connection_times_out)
{
	char *listen[] = { "127.0.0.1:0" };
	struct esprimd_http *h;
	char err[256] = "";
	struct raw *r;
	uint64_t t0;

	ASSERT_EQ(0, esprimd_http_new(&h, self->event, listen, 1, handler,
				      self, 700, err, sizeof(err)));
	t0 = now_ms();
	r = raw_start(self->event, AF_INET, esprimd_http_port(h, 0),
		      "POST /n HTTP/1.1\r\n", 18, false);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(run_until(self->event, &r->finished, 1, 5000));
	EXPECT_LE(900, now_ms() - t0);
	EXPECT_GE(3000, now_ms() - t0);
	EXPECT_EQ(0, self->handled);
	raw_free(r);
	esprimd_http_free(h);
}

TEST_F(http, dual_stack_listener)
{
	char *listen[] = { "*:0" };
	struct esprimd_http *h;
	char err[256] = "", *req;
	struct resp p;
	struct raw *r;
	size_t len;
	int port;

	ASSERT_EQ(0, esprimd_http_new(&h, self->event, listen, 1, handler,
				      self, 5000, err, sizeof(err)))
		TH_LOG("%s", err);
	port = esprimd_http_port(h, 0);
	ASSERT_LT(0, port);
	req = build("GET", "/", HDRS, NULL, &len);
	r = raw_exchange(self->event, port, req, len);
	ASSERT_TRUE(resp_parse(r, &p));
	EXPECT_EQ(200, p.status);
	raw_free(r);
	ASSERT_EQ(1, self->handled);
	/* An IPv4 peer of the dual-stack socket reads as IPv4. */
	EXPECT_EQ(0, strncmp(self->seen[0].peer, "127.0.0.1:", 10))
		TH_LOG("%s", self->seen[0].peer);
	r = raw_start(self->event, AF_INET6, port, req, len, false);
	if (r && run_until(self->event, &r->finished, 1, 5000) &&
	    resp_parse(r, &p)) {
		EXPECT_EQ(200, p.status);
		EXPECT_EQ(0, strncmp(self->seen[1].peer, "[::1]:", 6))
			TH_LOG("%s", self->seen[1].peer);
	} else {
		TH_LOG("no IPv6 loopback here: the IPv4 half only");
	}
	raw_free(r);
	free(req);
	esprimd_http_free(h);
}

TEST_F(http, listen_addresses_refused)
{
	static const char *const bad[] = {
		"localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:80x", ":80", "[::1]:", "::1:80", "[::1:80",
		"1.2.3:80", "[127.0.0.1]:80", "*",
	};
	struct esprimd_http *h;
	char err[256], used[64], *l[1];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l[0] = (char *)bad[i];
		err[0] = 0;
		EXPECT_EQ(-EINVAL, esprimd_http_new(&h, self->event, l, 1,
						    handler, self, 1000, err,
						    sizeof(err)))
			TH_LOG("%s", bad[i]);
		EXPECT_EQ(NULL, h);
		EXPECT_NE(0, err[0]);
	}
	snprintf(used, sizeof(used), "127.0.0.1:%d", self->port);
	l[0] = used;
	EXPECT_EQ(-EADDRINUSE, esprimd_http_new(&h, self->event, l, 1, handler,
						self, 1000, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, used));
}

/* ---- the client against refusing, silent and broken servers ---- */

TEST_F(http, client_connection_refused)
{
	char u[64];
	int port = closed_port();

	ASSERT_LT(0, port);
	url(u, sizeof(u), port, "/x");
	ASSERT_EQ(0, esprimd_http_send(self->http, ESPRIMD_HTTP_RETRIEVE, u,
				       ORIGIN, NULL, on_done, self));
	ASSERT_EQ(0, self->done_calls);
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	EXPECT_EQ(-ECONNREFUSED, self->err);
	EXPECT_EQ(NULL, self->body);
}

TEST_F(http, client_timeout)
{
	json_t *b = json_object();
	struct esprimd_http *c;
	struct stub st;
	char err[256], u[64];
	uint64_t t0;

	ASSERT_EQ(0, stub_listen(&st, self->event, false));
	ASSERT_EQ(0, esprimd_http_new(&c, self->event, NULL, 0, NULL, NULL,
				      300, err, sizeof(err)));
	url(u, sizeof(u), st.port, "/x");
	t0 = now_ms();
	ASSERT_EQ(0, esprimd_http_send(c, ESPRIMD_HTTP_NOTIFY, u, ORIGIN, b,
				       on_done, self));
	json_decref(b);
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	EXPECT_EQ(-ETIMEDOUT, self->err);
	EXPECT_LE(250, now_ms() - t0);
	EXPECT_GE(2000, now_ms() - t0);
	esprimd_http_free(c);
	stub_free(&st);
}

/* Responses that break the binding, and two that keep to it. */
TEST_F(http, client_strict_responses)
{
	static char big_stream[ESPRIMD_HTTP_MAX_BODY + 4096];
	static char big_length[256];
	static const struct {
		const char *name, *resp;
		int err, rsc;
		const char *body;
	} cases[] = {
		{ "no X-M2M-RSC", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
		  "Content-Type: application/json\r\n\r\n{}",
		  -EPROTO, 0, NULL },
		{ "X-M2M-RSC not numeric", "HTTP/1.1 200 OK\r\n"
		  "X-M2M-RSC: 20x0\r\nContent-Length: 0\r\n\r\n",
		  -EPROTO, 0, NULL },
		{ "X-M2M-RSC of three digits", "HTTP/1.1 200 OK\r\n"
		  "X-M2M-RSC: 200\r\nContent-Length: 0\r\n\r\n",
		  -EPROTO, 0, NULL },
		{ "X-M2M-RSC empty", "HTTP/1.1 200 OK\r\n"
		  "X-M2M-RSC:\r\nContent-Length: 0\r\n\r\n",
		  -EPROTO, 0, NULL },
		{ "X-M2M-RSC twice", "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
		  "X-M2M-RSC: 2000\r\nContent-Length: 0\r\n\r\n",
		  -EPROTO, 0, NULL },
		{ "body an array", "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
		  "Content-Length: 2\r\n\r\n[]",
		  -EPROTO, 0, NULL },
		{ "body not JSON", "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
		  "Content-Length: 5\r\n\r\nhello",
		  -EPROTO, 0, NULL },
		{ "body cut short", "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
		  "Content-Length: 9\r\n\r\n{\"a\":",
		  -EPROTO, 0, NULL },
		{ "body with a duplicate key", "HTTP/1.1 200 OK\r\n"
		  "X-M2M-RSC: 2000\r\nContent-Length: 13\r\n\r\n"
		  "{\"a\":1,\"a\":2}",
		  -EPROTO, 0, NULL },
		{ "body too big, streamed", big_stream,
		  -EPROTO, 0, NULL },
		{ "body too big by its length", big_length,
		  -EPROTO, 0, NULL },
		{ "no body", "HTTP/1.1 404 Not Found\r\nX-M2M-RSC: 4004\r\n"
		  "Content-Length: 0\r\n\r\n", 0, 4004, NULL },
		{ "a body", "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
		  "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n"
		  "{\"a\":1}", 0, 2000, "{\"a\":1}" },
		/* Not followed: the redirection's own X-M2M-RSC comes back. */
		{ "a redirection", "HTTP/1.1 302 Found\r\nX-M2M-RSC: 2000\r\n"
		  "Location: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n",
		  0, 2000, NULL },
	};
	struct stub st;
	char u[64], *s;
	size_t i, n;

	n = (size_t)sprintf(big_stream, "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
			    "Connection: close\r\n\r\n{\"a\":\"");
	memset(big_stream + n, 'x', ESPRIMD_HTTP_MAX_BODY);
	strcpy(big_stream + n + ESPRIMD_HTTP_MAX_BODY, "\"}");
	snprintf(big_length, sizeof(big_length), "HTTP/1.1 200 OK\r\n"
		 "X-M2M-RSC: 2000\r\nContent-Length: %d\r\n\r\n{",
		 ESPRIMD_HTTP_MAX_BODY + 1);
	ASSERT_EQ(0, stub_listen(&st, self->event, true));
	url(u, sizeof(u), st.port, "/x");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st.resp = cases[i].resp;
		st.resp_len = strlen(cases[i].resp);
		ASSERT_EQ(0, esprimd_http_send(self->http,
					       ESPRIMD_HTTP_RETRIEVE, u,
					       ORIGIN, NULL, on_done, self));
		ASSERT_TRUE(run_until(self->event, &self->done_calls, i + 1,
				      5000)) TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].err, self->err) TH_LOG("%s", cases[i].name);
		if (cases[i].err) {
			EXPECT_EQ(NULL, self->body);
			continue;
		}
		EXPECT_EQ(cases[i].rsc, self->rsc) TH_LOG("%s", cases[i].name);
		s = self->body ? json_dumps(self->body, JSON_COMPACT) : NULL;
		if (cases[i].body) {
			EXPECT_STREQ(cases[i].body, s ? s : "(none)");
		} else {
			EXPECT_EQ(NULL, s);
		}
		free(s);
	}
	stub_free(&st);
}

/* What the client writes: the binding's headers, and no more. */
TEST_F(http, client_request_headers)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char *const want[] = {
		"POST /cse1/n HTTP/1.1\r\n", "\r\nX-M2M-Origin: " ORIGIN "\r\n",
		"\r\nX-M2M-RVI: 4\r\n", "\r\nAccept: application/json\r\n",
		"\r\nContent-Type: application/json\r\n",
		"\r\nContent-Length: 9\r\n", "\r\n\r\n",
	};
	json_t *b = json_pack("{s:i}", "sit", 3);
	const char *ri;
	struct stub st;
	char u[64];
	size_t i;

	ASSERT_EQ(0, stub_listen(&st, self->event, true));
	st.resp = resp;
	st.resp_len = strlen(resp);
	url(u, sizeof(u), st.port, "/cse1/n");
	ASSERT_EQ(0, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY, u,
				       ORIGIN, b, on_done, self));
	json_decref(b);
	ASSERT_TRUE(run_until(self->event, &self->done_calls, 1, 5000));
	EXPECT_EQ(0, self->err);
	ASSERT_EQ(1, st.n_conns);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		EXPECT_NE(NULL, strstr(st.conns[0].in, want[i]))
			TH_LOG("no %s in %s", want[i], st.conns[0].in);
	ri = strstr(st.conns[0].in, "\r\nX-M2M-RI: ");
	ASSERT_NE(NULL, ri);
	EXPECT_LT(14, strcspn(ri + 13, "\r"));
	/* No 100-continue round trip. */
	EXPECT_EQ(NULL, strcasestr(st.conns[0].in, "Expect:"));
	stub_free(&st);
}

/* Freed with requests in flight: each callback runs, once, cancelled. */
TEST_F(http, free_cancels_requests_in_flight)
{
	json_t *b = json_object();
	struct esprimd_http *c;
	struct stub st;
	char err[256], u[64];
	int i;

	ASSERT_EQ(0, stub_listen(&st, self->event, false));
	ASSERT_EQ(0, esprimd_http_new(&c, self->event, NULL, 0, NULL, NULL,
				      5000, err, sizeof(err)));
	url(u, sizeof(u), st.port, "/x");
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, esprimd_http_send(c, ESPRIMD_HTTP_NOTIFY, u,
					       ORIGIN, b, on_done, self));
	json_decref(b);
	run_for(self->event, 200);
	ASSERT_EQ(0, self->done_calls);
	esprimd_http_free(c);
	ASSERT_EQ(3, self->done_calls);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-ECANCELED, self->errs[i]);
	run_for(self->event, 100);
	EXPECT_EQ(3, self->done_calls);
	stub_free(&st);
}

struct free_ctx {
	struct esprimd_http *http;
	unsigned int calls;
	int errs[4];
};

static void done_frees(int err, int rsc, json_t *body, void *ud)
{
	struct free_ctx *f = ud;
	struct esprimd_http *h = f->http;

	f->errs[f->calls++ % 4] = err;
	f->http = NULL;
	esprimd_http_free(h);
}

/* A callback that frees the binding: the other request ends cancelled. */
TEST_F(http, free_from_a_callback)
{
	struct free_ctx f = { 0 };
	char err[256], u[64];
	int port = closed_port();

	ASSERT_EQ(0, esprimd_http_new(&f.http, self->event, NULL, 0, NULL,
				      NULL, 5000, err, sizeof(err)));
	url(u, sizeof(u), port, "/x");
	ASSERT_EQ(0, esprimd_http_send(f.http, ESPRIMD_HTTP_RETRIEVE, u,
				       ORIGIN, NULL, done_frees, &f));
	ASSERT_EQ(0, esprimd_http_send(f.http, ESPRIMD_HTTP_RETRIEVE, u,
				       ORIGIN, NULL, done_frees, &f));
	ASSERT_TRUE(run_until(self->event, &f.calls, 2, 5000));
	EXPECT_EQ(-ECONNREFUSED, f.errs[0]);
	EXPECT_EQ(-ECANCELED, f.errs[1]);
	run_for(self->event, 100);
	EXPECT_EQ(2, f.calls);
}

TEST_F(http, send_refuses_bad_arguments)
{
	json_t *b = json_object(), *arr = json_array();
	char u[64], origin[300], *big;

	big = malloc(ESPRIMD_HTTP_MAX_BODY + 1);
	ASSERT_NE(NULL, big);
	memset(big, 'b', ESPRIMD_HTTP_MAX_BODY);
	big[ESPRIMD_HTTP_MAX_BODY] = 0;
	url(u, sizeof(u), self->port, "/x");
	memset(origin, 'o', 257);
	origin[257] = 0;
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     "ftp://127.0.0.1/x", ORIGIN, b,
					     on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     "file:///etc/passwd", ORIGIN, b,
					     on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     "127.0.0.1/x", ORIGIN, b,
					     on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     "http://[::1/x", ORIGIN, b,
					     on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     u, "C\r\nX-Evil: 1", b, on_done,
					     self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     u, "", b, on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     u, origin, b, on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     u, ORIGIN, NULL, on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     u, ORIGIN, arr, on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http,
					     ESPRIMD_HTTP_RETRIEVE, u, ORIGIN,
					     b, on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_CREATE,
					     u, ORIGIN, b, on_done, self));
	EXPECT_EQ(-EINVAL, esprimd_http_send(self->http, ESPRIMD_HTTP_NOTIFY,
					     u, ORIGIN, b, NULL, self));
	/* A body over the limit is not sent. */
	json_object_set_new(b, "big", json_string(big));
	EXPECT_EQ(-EMSGSIZE, esprimd_http_send(self->http,
					       ESPRIMD_HTTP_NOTIFY, u, ORIGIN,
					       b, on_done, self));
	free(big);
	json_decref(b);
	json_decref(arr);
	run_for(self->event, 100);
	EXPECT_EQ(0, self->done_calls);
	EXPECT_EQ(0, self->handled);
}

/* ---- TS-0009 Table 6.3.2-1 ---- */

TEST(status_map)
{
	static const int map[][2] = {
		{ 1000, 202 }, { 2000, 200 }, { 2001, 201 }, { 2002, 200 },
		{ 2004, 200 }, { 4000, 400 }, { 4004, 404 }, { 4005, 405 },
		{ 4008, 504 }, { 4102, 400 }, { 4103, 403 }, { 4105, 409 },
		{ 4111, 403 }, { 4112, 403 }, { 4113, 403 }, { 4114, 403 },
		{ 4115, 403 }, { 4116, 403 }, { 5000, 500 }, { 5001, 501 },
		{ 5103, 404 }, { 5105, 403 }, { 5106, 409 }, { 5207, 406 },
		{ 5210, 500 }, { 5211, 500 }, { 6031, 504 },
		{ 0, 0 }, { 1234, 0 }, { 2003, 0 }, { 4110 + 20, 0 },
		{ 5999, 0 }, { -4000, 0 }, { 200, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		EXPECT_EQ(map[i][1], esprimd_http_status(map[i][0]))
			TH_LOG("rsc %d", map[i][0]);
}

TEST_HARNESS_MAIN
