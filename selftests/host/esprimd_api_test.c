// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd's socket API (user/daemon/api.c, Documentation/esprimd-socket.md)
 * and libesprim's client of it (user/lib/esprim_client.c), built with ASan
 * and UBSan.
 *
 * Each test of the "api" fixture runs the server in a forked child on its
 * own sd-event loop with the operations below (an echo, an operation
 * answered from a timer, an operator's operation, stand-ins for the CSE
 * operations...), talks to it over the socket as raw bytes or through
 * esprim_client_*, and at the end stops it with SIGTERM: the child frees
 * everything, answers the calls still pending after the API is gone, and
 * exits, LeakSanitizer checking; the teardown requires exit status 0.
 *
 * The line checks are also run directly (esprimd_api_check_line()), and
 * the client against a server that breaks the protocol.  The connection
 * limits are tested with children that become other users (as root), and
 * that answering a call runs no operation with a server on a loop in the
 * test's own process.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <jansson.h>
#include <systemd/sd-event.h>

#include "kselftest_harness.h"
#include "esprim.h"
#include "api.h"
#include "api_line.h"

/* The test process's own leaks (the client's), where it is sanitized. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define EXPECT_NO_LEAKS() EXPECT_EQ(0, __lsan_do_recoverable_leak_check())
#else
#define EXPECT_NO_LEAKS() do { } while (0)
#endif

#define TEST_ADMIN_GID	4242	/* the fixture server's admin_group */
#define NOBODY		65534
#define LIMIT		ESPRIMD_API_MAX_LINE

/* ---- the server under test (in the forked child) ---- */

/**
 * struct srv - the test server's state
 * @api: the API under test
 * @event: its loop
 * @pending: deferred calls not answered yet
 * @alive, @dead: deferred calls answered with their connection there, gone
 */
struct srv {
	struct esprimd_api *api;
	sd_event *event;
	struct deferred *pending;
	unsigned int alive, dead;
};

struct deferred {
	struct srv *srv;
	struct deferred *next;
	struct esprimd_api_call *call;
	sd_event_source *timer;
	json_int_t size;
};

static json_t *pad(json_int_t size)
{
	char *s = malloc((size_t)size + 1);
	json_t *j;

	if (!s)
		return NULL;
	memset(s, 'x', (size_t)size);
	s[size] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

static void op_echo(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	esprimd_api_reply(call, json_pack("{s:O}", "echo", args));
}

/* The length of "pad": lines at the limit without a reply as long. */
static void op_len(struct esprimd_api_call *call,
		   const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	esprimd_api_reply(call, json_pack("{s:I}", "len", (json_int_t)
		json_string_length(json_object_get(args, "pad"))));
}

static void op_big(struct esprimd_api_call *call,
		   const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	json_int_t size = json_integer_value(json_object_get(args, "size"));

	esprimd_api_reply(call, json_pack("{s:o}", "pad", pad(size)));
}

static void deferred_unlink(struct deferred *d)
{
	struct deferred **p;

	for (p = &d->srv->pending; *p != d; p = &(*p)->next)
		;
	*p = d->next;
}

static int deferred_fire(sd_event_source *s, uint64_t usec, void *data)
{
	struct deferred *d = data;

	if (esprimd_api_call_alive(d->call))
		d->srv->alive++;
	else
		d->srv->dead++;
	deferred_unlink(d);
	esprimd_api_reply(d->call, json_pack("{s:b, s:o}", "deferred", 1,
					     "pad", pad(d->size)));
	sd_event_source_disable_unref(d->timer);
	free(d);
	return 0;
}

/* Answered from a timer after "ms" (default 50), with "size" bytes of pad. */
static void op_defer(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *peer, json_t *args,
		     void *u)
{
	json_int_t ms = json_integer_value(json_object_get(args, "ms"));
	struct srv *srv = u;
	struct deferred *d = calloc(1, sizeof(*d));

	if (!d) {
		esprimd_api_error(call, 0, ENOMEM, "out of memory");
		return;
	}
	d->srv = srv;
	d->call = call;
	d->size = json_integer_value(json_object_get(args, "size"));
	if (sd_event_add_time_relative(srv->event, &d->timer, CLOCK_MONOTONIC,
				       (uint64_t)(ms ? ms : 50) * 1000, 1,
				       deferred_fire, d) < 0) {
		free(d);
		esprimd_api_error(call, 0, EIO, "no timer");
		return;
	}
	d->next = srv->pending;
	srv->pending = d;
}

static void op_peer(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	esprimd_api_reply(call, json_pack("{s:I, s:I, s:I, s:b}",
					  "pid", (json_int_t)peer->pid,
					  "uid", (json_int_t)peer->uid,
					  "gid", (json_int_t)peer->gid,
					  "admin", peer->admin));
}

static void op_admin(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *peer, json_t *args,
		     void *u)
{
	esprimd_api_reply(call, json_pack("{s:b}", "operator", 1));
}

static void op_stats(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *peer, json_t *args,
		     void *u)
{
	struct srv *srv = u;

	esprimd_api_reply(call, json_pack("{s:i, s:i}", "alive", srv->alive,
					  "dead", srv->dead));
}

static void op_set_idle(struct esprimd_api_call *call,
			const struct esprimd_api_peer *peer, json_t *args,
			void *u)
{
	struct srv *srv = u;

	esprimd_api_set_idle_timeout(srv->api, (unsigned int)
		json_integer_value(json_object_get(args, "ms")));
	esprimd_api_reply(call, NULL);
}

static void op_set_admin_gid(struct esprimd_api_call *call,
			     const struct esprimd_api_peer *peer,
			     json_t *args, void *u)
{
	struct srv *srv = u;

	esprimd_api_set_admin_gid(srv->api, (gid_t)json_integer_value(
		json_object_get(args, "gid")));
	esprimd_api_reply(call, NULL);
}

/* esprimd_api_error() with the request's rsc, errno and message. */
static void op_fail(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	esprimd_api_error(call,
			  (int)json_integer_value(json_object_get(args, "rsc")),
			  (int)json_integer_value(json_object_get(args, "errno")),
			  "%s", json_string_value(json_object_get(args,
								  "message")) ?: "");
}

/* A result with members "id" and "ok" of its own, which the reply drops. */
static void op_clash(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *peer, json_t *args,
		     void *u)
{
	esprimd_api_reply(call, json_pack("{s:s, s:b, s:i}", "id", "mine",
					  "ok", 0, "n", 1));
}

/*
 * Stand-ins for the CSE operations, for the client: the target, the epo
 * or the handle picks the answer.
 */
static void answer_by(struct esprimd_api_call *call, const char *key,
		      json_t *ok)
{
	if (!strcmp(key, "rsc4112")) {
		json_decref(ok);
		esprimd_api_error(call, 4112, 0, "no pairwise key for %s", key);
	} else if (!strcmp(key, "eacces")) {
		json_decref(ok);
		esprimd_api_error(call, 0, EACCES, "uid 1002 is no configured CSE");
	} else if (!strcmp(key, "both")) {
		json_decref(ok);
		esprimd_api_error(call, 5211, ENOMEM, "no memory to seal");
	} else if (!strcmp(key, "empty")) {
		json_decref(ok);
		esprimd_api_reply(call, NULL);
	} else {
		esprimd_api_reply(call, ok);
	}
}

static json_t *seci_epo(const char *epo)
{
	return json_pack("{s:{s:i, s:s}}", "m2m:seci", "sit", 5, "epo", epo);
}

static void op_seal(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	const char *target = json_string_value(json_object_get(args, "target"));
	json_t *prim = json_object_get(args, "primitive");
	const char *rqi = json_string_value(json_object_get(prim, "rqi"));

	answer_by(call, target ?: "", json_pack("{s:o, s:s}", "content",
						seci_epo(rqi ?: "none"),
						"session", "s-1f"));
}

static void op_open(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	json_t *seci = json_object_get(json_object_get(args, "content"),
				       "m2m:seci");
	const char *epo = json_string_value(json_object_get(seci, "epo"));

	answer_by(call, epo ?: "", json_pack("{s:{s:i, s:s}, s:s}",
					     "primitive", "rsc", 2000,
					     "rqi", epo ?: "",
					     "peer", "//sp2.example/CSE-gw2"));
}

static void op_notify(struct esprimd_api_call *call,
		      const struct esprimd_api_peer *peer, json_t *args,
		      void *u)
{
	json_t *seci = json_object_get(json_object_get(args, "content"),
				       "m2m:seci");
	json_int_t sit = json_integer_value(json_object_get(seci, "sit"));
	const char *epo = json_string_value(json_object_get(seci, "epo"));

	if (sit == 5 && epo && !strcmp(epo, "odd-kind"))
		esprimd_api_reply(call, json_pack("{s:s}", "kind", "odd"));
	else if (sit == 5 && epo && !strcmp(epo, "no-handle"))
		esprimd_api_reply(call, json_pack("{s:s, s:{}, s:s}", "kind",
						  "request", "primitive",
						  "originator", "//sp2/C2"));
	else if (sit == 5)
		answer_by(call, epo ?: "",
			  json_pack("{s:s, s:{s:i, s:s, s:s}, s:s, s:s}",
				    "kind", "request", "primitive",
				    "op", 2, "fr", "//sp2.example/CSE-gw2",
				    "rqi", "r9", "originator",
				    "//sp2.example/CSE-gw2",
				    "handle", "h-9c2e"));
	else if (sit == 3)
		esprimd_api_reply(call, json_pack("{s:s, s:{s:{s:i, s:{}}}}",
						  "kind", "reply", "content",
						  "m2m:seci", "sit", 4,
						  "ero"));
	else
		esprimd_api_error(call, 4000, 0, "sit %lld is not for notify",
				  (long long)sit);
}

static void op_respond(struct esprimd_api_call *call,
		       const struct esprimd_api_peer *peer, json_t *args,
		       void *u)
{
	const char *handle = json_string_value(json_object_get(args,
							       "handle"));

	if (!handle || strcmp(handle, "h-9c2e")) {
		esprimd_api_error(call, 4000, 0, "unknown handle");
		return;
	}
	esprimd_api_reply(call, json_pack("{s:o}", "content",
					  seci_epo("response")));
}

static const struct esprimd_api_op test_ops[] = {
	{ "echo", op_echo, false },
	{ "len", op_len, false },
	{ "big", op_big, false },
	{ "defer", op_defer, false },
	{ "peer", op_peer, false },
	{ "fail", op_fail, false },
	{ "clash", op_clash, false },
	{ "seal", op_seal, false },
	{ "open", op_open, false },
	{ "notify", op_notify, false },
	{ "respond", op_respond, false },
	{ "admin", op_admin, true },
	{ "stats", op_stats, true },
	{ "set_admin_gid", op_set_admin_gid, true },
	{ "set_idle", op_set_idle, true },
	{ NULL, NULL, false },
};

/* The child: serves until SIGTERM, then frees everything; exit status. */
static int serve(const char *path, gid_t admin_gid)
{
	struct srv srv = { 0 };
	struct deferred *d;
	char err[256];
	sigset_t ss;
	int rc;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (sd_event_new(&srv.event) < 0 ||
	    sd_event_add_signal(srv.event, NULL, SIGTERM, NULL, NULL) < 0)
		return 10;
	rc = esprimd_api_new(&srv.api, srv.event, path, admin_gid, test_ops,
			     &srv, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "# server: %s\n", err);
		return 11;
	}
	rc = sd_event_loop(srv.event);
	esprimd_api_free(srv.api);
	/* The calls still pending are answered after the API is gone. */
	while ((d = srv.pending)) {
		srv.pending = d->next;
		if (esprimd_api_call_alive(d->call))
			rc = -1;
		esprimd_api_error(d->call, 0, ECANCELED, "shutting down");
		sd_event_source_disable_unref(d->timer);
		free(d);
	}
	sd_event_unref(srv.event);
	return rc ? 12 : 0;
}

/* ---- the client side of the tests ---- */

/* A connection with a line reader. */
struct tc {
	int fd;
	char *buf;
	size_t len, size;
};

static int connect_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	/* A test that waits for a reply that never comes fails, not hangs. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static struct tc *tc_open(const char *path)
{
	struct tc *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->size = 65536;
	c->buf = malloc(c->size);
	c->fd = connect_path(path);
	if (c->fd < 0 || !c->buf) {
		free(c->buf);
		free(c);
		return NULL;
	}
	return c;
}

static void tc_close(struct tc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

static bool tc_send(struct tc *c, const char *s, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

static bool tc_puts(struct tc *c, const char *s)
{
	return tc_send(c, s, strlen(s));
}

/* The next line (malloc'ed, no newline), NULL at EOF or on an error. */
static char *tc_line(struct tc *c)
{
	char *nl, *line;
	ssize_t n;

	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			line = strndup(c->buf, (size_t)(nl - c->buf));
			c->len -= (size_t)(nl - c->buf) + 1;
			memmove(c->buf, nl + 1, c->len);
			return line;
		}
		if (c->len == c->size) {
			if (c->size >= 2 * LIMIT)
				return NULL;
			nl = realloc(c->buf, 2 * c->size);
			if (!nl)
				return NULL;
			c->buf = nl;
			c->size *= 2;
		}
		n = recv(c->fd, c->buf + c->len, c->size - c->len, 0);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

/* The next reply, parsed as the client would (duplicates refused). */
static json_t *tc_reply(struct tc *c)
{
	char *line = tc_line(c);
	json_t *j;

	if (!line)
		return NULL;
	j = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	free(line);
	return j;
}

/* Sends a request line and reads the next reply. */
static json_t *tc_call(struct tc *c, const char *line)
{
	return tc_puts(c, line) ? tc_reply(c) : NULL;
}

/* Whether the peer closed: EOF or ECONNRESET within the read timeout. */
static bool tc_closed(struct tc *c)
{
	char b[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, b, sizeof(b), 0);
		if (!n || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0)
			return false;
	}
}

static json_int_t jint(json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static const char *jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key)) ?: "";
}

static bool jok(json_t *j)
{
	return json_is_true(json_object_get(j, "ok"));
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A request line {"op":op,"id":id,"pad":"xx..."} of exactly total bytes. */
static char *padded_line(const char *op, int id, size_t total)
{
	char head[64];
	size_t h = (size_t)snprintf(head, sizeof(head),
				    "{\"op\":\"%s\",\"id\":%d,\"pad\":\"", op,
				    id);
	char *s = malloc(total + 1);

	if (!s || total < h + 3) {
		free(s);
		return NULL;
	}
	memcpy(s, head, h);
	memset(s + h, 'x', total - h - 3);
	memcpy(s + total - 3, "\"}\n", 3);
	s[total] = '\0';
	return s;
}

/*
 * The server's counts of deferred calls answered, once they add up to n
 * (or after 5 s): alive and dead in *alive and *dead.
 */
static bool deferred_counts(const char *path, json_int_t n, json_int_t *alive,
			    json_int_t *dead)
{
	struct tc *c = tc_open(path);
	int64_t t0 = now_ms();
	json_t *r;

	*alive = *dead = -1;
	while (c && now_ms() - t0 < 5000) {
		r = tc_call(c, "{\"op\":\"stats\"}\n");
		if (!r)
			break;
		*alive = jint(r, "alive");
		*dead = jint(r, "dead");
		json_decref(r);
		if (*alive + *dead >= n)
			break;
		msleep(20);
	}
	tc_close(c);
	return *alive >= 0;
}

/* ---- the fixture: a server per test ---- */

FIXTURE(api) {
	char dir[64];
	char path[108];
	pid_t server;
	gid_t admin_gid;
};

static pid_t start_server(const char *path, gid_t admin_gid)
{
	pid_t pid = fork();
	int i, fd;

	if (!pid)
		exit(serve(path, admin_gid));
	for (i = 0; pid > 0 && i < 500; i++) {
		fd = connect_path(path);
		if (fd >= 0) {
			close(fd);
			return pid;
		}
		msleep(10);
	}
	return -1;
}

/* SIGTERM; the server's exit status (LeakSanitizer's included). */
static int stop_server(pid_t pid)
{
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

FIXTURE_SETUP(api)
{
	strcpy(self->dir, "/tmp/esprimd_api_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* Users dropped to nobody connect too. */
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->path, sizeof(self->path), "%s/esprimd.sock", self->dir);
	/* Not root: the tests' own group is the operators'. */
	self->admin_gid = getuid() ? getgid() : TEST_ADMIN_GID;
	self->server = start_server(self->path, self->admin_gid);
	ASSERT_LT(0, self->server);
}

FIXTURE_TEARDOWN(api)
{
	EXPECT_EQ(0, stop_server(self->server)) {
		TH_LOG("the server did not exit cleanly (leak, crash or a live call)");
	}
	/* The API unlinked its socket on the way out. */
	EXPECT_NE(0, access(self->path, F_OK));
	unlink(self->path);
	rmdir(self->dir);
}

/* ---- framing ---- */

TEST_F(api, reply_format)
{
	struct tc *c = tc_open(self->path);
	char *line;

	ASSERT_NE(NULL, c);
	ASSERT_TRUE(tc_puts(c, "{\"x\": [1, 2], \"op\": \"echo\", \"id\": 7}\n"));
	line = tc_line(c);
	ASSERT_NE(NULL, line);
	/* "id" first, compact, one line. */
	EXPECT_STREQ("{\"id\":7,\"ok\":true,\"echo\":{\"x\":[1,2],\"op\":\"echo\",\"id\":7}}",
		     line);
	free(line);
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"echo\",\"id\":\"a\\nb\"}\n"));
	line = tc_line(c);
	ASSERT_NE(NULL, line);
	EXPECT_EQ(line, strstr(line, "{\"id\":\"a\\nb\",\"ok\":true,"));
	free(line);
	/* No id: none in the reply. */
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"echo\"}\n"));
	line = tc_line(c);
	ASSERT_NE(NULL, line);
	EXPECT_STREQ("{\"ok\":true,\"echo\":{\"op\":\"echo\"}}", line);
	free(line);
	/* An operation's own "id" and "ok" do not override the reply's. */
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"clash\",\"id\":8}\n"));
	line = tc_line(c);
	ASSERT_NE(NULL, line);
	EXPECT_STREQ("{\"id\":8,\"ok\":true,\"n\":1}", line);
	free(line);
	tc_close(c);
}

TEST_F(api, two_requests_in_one_write)
{
	struct tc *c = tc_open(self->path);
	json_t *r1, *r2;

	ASSERT_NE(NULL, c);
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"echo\",\"id\":1}\n"
			       "{\"op\":\"echo\",\"id\":2}\n"));
	r1 = tc_reply(c);
	r2 = tc_reply(c);
	ASSERT_NE(NULL, r1);
	ASSERT_NE(NULL, r2);
	EXPECT_EQ(1, jint(r1, "id"));
	EXPECT_EQ(2, jint(r2, "id"));
	EXPECT_TRUE(jok(r1) && jok(r2));
	json_decref(r1);
	json_decref(r2);
	tc_close(c);
}

TEST_F(api, one_request_split_over_many_writes)
{
	const char *req = "{\"op\":\"echo\",\"id\":\"split\",\"text\":\"\xc3\xa9t\xc3\xa9\"}\n";
	struct tc *c = tc_open(self->path);
	json_t *r;
	size_t i;

	ASSERT_NE(NULL, c);
	/* Byte by byte, a UTF-8 character split between writes too. */
	for (i = 0; req[i]; i++) {
		ASSERT_TRUE(tc_send(c, req + i, 1));
		msleep(1);
	}
	r = tc_reply(c);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("split", jstr(r, "id"));
	EXPECT_STREQ("\xc3\xa9t\xc3\xa9",
		     jstr(json_object_get(r, "echo"), "text"));
	json_decref(r);
	tc_close(c);
}

TEST_F(api, replies_by_id_out_of_order)
{
	struct tc *c = tc_open(self->path);
	json_t *r1, *r2, *r3;

	ASSERT_NE(NULL, c);
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"defer\",\"id\":\"slow\",\"ms\":800}\n"
			       "{\"op\":\"defer\",\"id\":\"quick\",\"ms\":100}\n"
			       "{\"op\":\"echo\",\"id\":\"now\"}\n"));
	r1 = tc_reply(c);
	r2 = tc_reply(c);
	r3 = tc_reply(c);
	ASSERT_NE(NULL, r3);
	EXPECT_STREQ("now", jstr(r1, "id"));
	EXPECT_STREQ("quick", jstr(r2, "id"));
	EXPECT_STREQ("slow", jstr(r3, "id"));
	EXPECT_TRUE(json_is_true(json_object_get(r3, "deferred")));
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	tc_close(c);
}

/* ---- refusals ---- */

static const struct {
	const char *line;
	const char *id;		/* the reply's id as JSON, NULL for none */
	int rsc;
	int errnum;
	const char *message;	/* a part of the message */
} refusals[] = {
	{ "hello", NULL, 4000, 0, "malformed JSON" },
	{ "", NULL, 4000, 0, "malformed JSON" },
	{ "{\"op\":\"echo\",\"id\":1", NULL, 4000, 0, "malformed JSON" },
	{ "{\"op\":\"echo\"} {}", NULL, 4000, 0, "malformed JSON" },
	{ "{\"op\":\"ech\xff\"}", NULL, 4000, 0, "malformed JSON" },
	{ "{\"op\":\"echo\",\"x\":\"\\u0000\"}", NULL, 4000, 0,
	  "malformed JSON" },
	{ "[{\"op\":\"echo\"}]", NULL, 4000, 0, "a request is a JSON object" },
	{ "\"echo\"", NULL, 4000, 0, "a request is a JSON object" },
	{ "42", NULL, 4000, 0, "a request is a JSON object" },
	{ "null", NULL, 4000, 0, "a request is a JSON object" },
	{ "{\"op\":\"echo\",\"id\":1,\"op\":\"admin\"}", NULL, 4000, 0,
	  "duplicate" },
	{ "{\"id\":3,\"id\":4,\"op\":\"echo\"}", NULL, 4000, 0, "duplicate" },
	{ "{\"id\":5}", "5", 4000, 0, "op missing" },
	{ "{\"id\":6,\"op\":5}", "6", 4000, 0, "op must be a string" },
	{ "{\"id\":7,\"op\":null}", "7", 4000, 0, "op must be a string" },
	{ "{\"id\":8,\"op\":[\"echo\"]}", "8", 4000, 0,
	  "op must be a string" },
	{ "{\"op\":\"echo\",\"id\":\"0123456789012345678901234567890123456789012345678901234567890123X\"}",
	  NULL, 4000, 0, "id must be" },
	{ "{\"op\":\"echo\",\"id\":1.5}", NULL, 4000, 0, "id must be" },
	{ "{\"op\":\"echo\",\"id\":true}", NULL, 4000, 0, "id must be" },
	{ "{\"op\":\"echo\",\"id\":null}", NULL, 4000, 0, "id must be" },
	{ "{\"op\":\"echo\",\"id\":[1]}", NULL, 4000, 0, "id must be" },
	{ "{\"op\":\"echo\",\"id\":{}}", NULL, 4000, 0, "id must be" },
	{ "{\"op\":\"no-such-op\",\"id\":9}", "9", 4000, 0, "unknown op" },
	{ "{\"op\":\"\",\"id\":\"e\"}", "\"e\"", 4000, 0, "unknown op" },
	{ "{\"op\":\"ECHO\",\"id\":10}", "10", 4000, 0, "unknown op" },
};

/* Every refusal on one connection, which stays usable after each. */
TEST_F(api, refusals_keep_the_connection)
{
	struct tc *c = tc_open(self->path);
	char line[256];
	json_t *r, *id, *want;
	size_t i;

	ASSERT_NE(NULL, c);
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		snprintf(line, sizeof(line), "%s\n", refusals[i].line);
		r = tc_call(c, line);
		ASSERT_NE(NULL, r) TH_LOG("%s: no reply", refusals[i].line);
		EXPECT_TRUE(json_is_false(json_object_get(r, "ok")));
		EXPECT_EQ(refusals[i].rsc, jint(r, "rsc"))
			TH_LOG("%s", refusals[i].line);
		EXPECT_STREQ("BAD_REQUEST", jstr(r, "error"));
		EXPECT_EQ(NULL, json_object_get(r, "errno"));
		EXPECT_NE(NULL, strstr(jstr(r, "message"), refusals[i].message))
			TH_LOG("%s: message %s", refusals[i].line,
			       jstr(r, "message"));
		id = json_object_get(r, "id");
		if (refusals[i].id) {
			want = json_loads(refusals[i].id, JSON_DECODE_ANY,
					  NULL);
			EXPECT_TRUE(json_equal(want, id))
				TH_LOG("%s: wrong id", refusals[i].line);
			json_decref(want);
		} else {
			EXPECT_EQ(NULL, id) TH_LOG("%s", refusals[i].line);
		}
		json_decref(r);
		r = tc_call(c, "{\"op\":\"echo\",\"id\":\"after\"}\n");
		ASSERT_NE(NULL, r);
		EXPECT_TRUE(jok(r)) TH_LOG("after %s", refusals[i].line);
		EXPECT_STREQ("after", jstr(r, "id"));
		json_decref(r);
	}
	tc_close(c);
}

TEST_F(api, ids_at_the_limits)
{
	struct tc *c = tc_open(self->path);
	char line[512], id[200];
	json_t *r;
	int i;

	ASSERT_NE(NULL, c);
	/* 64 characters, each of two bytes: accepted. */
	id[0] = '\0';
	for (i = 0; i < 64; i++)
		strcat(id, "\xc3\xa9");
	snprintf(line, sizeof(line), "{\"op\":\"echo\",\"id\":\"%s\"}\n", id);
	r = tc_call(c, line);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	EXPECT_STREQ(id, jstr(r, "id"));
	json_decref(r);
	/* 65 of them: refused. */
	snprintf(line, sizeof(line), "{\"op\":\"echo\",\"id\":\"%s\xc3\xa9\"}\n",
		 id);
	r = tc_call(c, line);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(jok(r));
	EXPECT_EQ(NULL, json_object_get(r, "id"));
	json_decref(r);
	/* Integers: negative, zero and large ones are ids. */
	r = tc_call(c, "{\"op\":\"echo\",\"id\":-9007199254740993}\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(-9007199254740993LL, jint(r, "id"));
	json_decref(r);
	r = tc_call(c, "{\"op\":\"echo\",\"id\":\"\"}\n");
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	EXPECT_STREQ("", jstr(r, "id"));
	json_decref(r);
	tc_close(c);
}

TEST_F(api, error_replies_of_operations)
{
	struct tc *c = tc_open(self->path);
	json_t *r;

	ASSERT_NE(NULL, c);
	r = tc_call(c, "{\"op\":\"fail\",\"id\":1,\"rsc\":4112,\"message\":\"no key\"}\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(4112, jint(r, "rsc"));
	EXPECT_STREQ("ESPRIM_UNKNOWN_KEY_ID", jstr(r, "error"));
	EXPECT_STREQ("no key", jstr(r, "message"));
	EXPECT_EQ(NULL, json_object_get(r, "errno"));
	json_decref(r);
	r = tc_call(c, "{\"op\":\"fail\",\"id\":2,\"errno\":13,\"message\":\"no\"}\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NULL, json_object_get(r, "rsc"));
	EXPECT_STREQ("EACCES", jstr(r, "error"));
	EXPECT_EQ(13, jint(r, "errno"));
	json_decref(r);
	/* A negative errno is taken for what it means. */
	r = tc_call(c, "{\"op\":\"fail\",\"id\":3,\"errno\":-16}\n");
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("EBUSY", jstr(r, "error"));
	EXPECT_EQ(16, jint(r, "errno"));
	json_decref(r);
	/* An RSC this library has no name for, and no reason at all. */
	r = tc_call(c, "{\"op\":\"fail\",\"id\":4,\"rsc\":4004}\n");
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("RSC_4004", jstr(r, "error"));
	json_decref(r);
	r = tc_call(c, "{\"op\":\"fail\",\"id\":5}\n");
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("EIO", jstr(r, "error"));
	json_decref(r);
	/* A reply beyond the line limit becomes an error. */
	r = tc_call(c, "{\"op\":\"big\",\"id\":6,\"size\":600000}\n");
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(jok(r));
	EXPECT_EQ(6, jint(r, "id"));
	EXPECT_STREQ("EMSGSIZE", jstr(r, "error"));
	json_decref(r);
	r = tc_call(c, "{\"op\":\"echo\",\"id\":7}\n");
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
}

TEST_F(api, line_at_the_limit_and_one_byte_over)
{
	char *line = padded_line("len", 1, LIMIT);
	struct tc *c = tc_open(self->path);
	json_t *r;

	ASSERT_NE(NULL, line);
	ASSERT_NE(NULL, c);
	/* 524,288 bytes with the newline: served. */
	r = tc_call(c, line);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	EXPECT_EQ(1, jint(r, "id"));
	/* {"op":"len","id":1,"pad":"...."}\n: 29 bytes around the pad */
	EXPECT_EQ((json_int_t)LIMIT - 29, jint(r, "len"));
	json_decref(r);
	free(line);
	/* One more: the error, then the connection is closed. */
	line = padded_line("len", 2, LIMIT + 1);
	ASSERT_NE(NULL, line);
	ASSERT_TRUE(tc_puts(c, line));
	r = tc_reply(c);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(jok(r));
	EXPECT_EQ(4000, jint(r, "rsc"));
	EXPECT_EQ(NULL, json_object_get(r, "id"));
	EXPECT_NE(NULL, strstr(jstr(r, "message"), "line too long"));
	EXPECT_TRUE(tc_closed(c));
	json_decref(r);
	free(line);
	tc_close(c);
}

/* A line too long that the client goes on sending: the same. */
TEST_F(api, endless_line_closes)
{
	size_t size = 3 * LIMIT;
	char *junk = malloc(size);
	struct tc *c = tc_open(self->path);
	json_t *r;

	ASSERT_NE(NULL, junk);
	ASSERT_NE(NULL, c);
	memset(junk, '{', size);
	/* The server stops reading: this write fails when it closes. */
	tc_send(c, junk, size);
	r = tc_reply(c);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(4000, jint(r, "rsc"));
	EXPECT_TRUE(tc_closed(c));
	json_decref(r);
	free(junk);
	tc_close(c);
	/* Others are served. */
	c = tc_open(self->path);
	ASSERT_NE(NULL, c);
	r = tc_call(c, "{\"op\":\"echo\"}\n");
	EXPECT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
}

TEST_F(api, in_flight_limit_ebusy)
{
	struct tc *c = tc_open(self->path);
	char line[128];
	bool seen[ESPRIMD_API_MAX_IN_FLIGHT] = { false };
	json_t *r;
	int i;

	ASSERT_NE(NULL, c);
	for (i = 0; i < ESPRIMD_API_MAX_IN_FLIGHT; i++) {
		snprintf(line, sizeof(line),
			 "{\"op\":\"defer\",\"id\":%d,\"ms\":400}\n", i);
		ASSERT_TRUE(tc_puts(c, line));
	}
	r = tc_call(c, "{\"op\":\"echo\",\"id\":\"one-too-many\"}\n");
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("one-too-many", jstr(r, "id"));
	EXPECT_FALSE(jok(r));
	EXPECT_STREQ("EBUSY", jstr(r, "error"));
	EXPECT_EQ(EBUSY, jint(r, "errno"));
	json_decref(r);
	for (i = 0; i < ESPRIMD_API_MAX_IN_FLIGHT; i++) {
		r = tc_reply(c);
		ASSERT_NE(NULL, r);
		EXPECT_TRUE(jok(r));
		ASSERT_TRUE(json_is_integer(json_object_get(r, "id")));
		ASSERT_LE(0, jint(r, "id"));
		ASSERT_GT(ESPRIMD_API_MAX_IN_FLIGHT, jint(r, "id"));
		EXPECT_FALSE(seen[jint(r, "id")]);
		seen[jint(r, "id")] = true;
		json_decref(r);
	}
	/* Answered: room again. */
	r = tc_call(c, "{\"op\":\"echo\",\"id\":\"again\"}\n");
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
}

/* ---- who may do what ---- */

TEST_F(api, peer_credentials_and_root_is_operator)
{
	struct tc *c = tc_open(self->path);
	json_t *r;

	ASSERT_NE(NULL, c);
	r = tc_call(c, "{\"op\":\"peer\"}\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(getpid(), jint(r, "pid"));
	EXPECT_EQ(getuid(), jint(r, "uid"));
	EXPECT_EQ(getgid(), jint(r, "gid"));
	EXPECT_TRUE(json_is_true(json_object_get(r, "admin")));
	json_decref(r);
	r = tc_call(c, "{\"op\":\"admin\",\"id\":1}\n");
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
}

/* Exit status of a child that drops to uid/gid (no other groups) first. */
static int as_user(uid_t uid, gid_t gid, int (*fn)(const char *, void *),
		   const char *path, void *arg)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
			_exit(100);
		_exit(fn(path, arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* Each check a distinct status, for the log. */
static int expect_refused_admin(const char *path, void *arg)
{
	struct tc *c = tc_open(path);
	json_t *r;
	int rc = 0;

	if (!c)
		return 1;
	r = tc_call(c, "{\"op\":\"admin\",\"id\":\"x\"}\n");
	if (!r || jok(r) || strcmp(jstr(r, "error"), "EACCES") ||
	    jint(r, "errno") != EACCES || json_object_get(r, "rsc") ||
	    strcmp(jstr(r, "id"), "x") ||
	    !strstr(jstr(r, "message"), "for operators"))
		rc = 2;
	json_decref(r);
	r = tc_call(c, "{\"op\":\"peer\"}\n");
	if (!r || jint(r, "uid") != (json_int_t)getuid() ||
	    !json_is_false(json_object_get(r, "admin")))
		rc = rc ?: 3;
	json_decref(r);
	/* What is not the operators' still works. */
	r = tc_call(c, "{\"op\":\"echo\"}\n");
	if (!jok(r))
		rc = rc ?: 4;
	json_decref(r);
	tc_close(c);
	return rc;
}

static int expect_admin(const char *path, void *arg)
{
	struct tc *c = tc_open(path);
	json_t *r;
	int rc = 0;

	if (!c)
		return 1;
	r = tc_call(c, "{\"op\":\"admin\"}\n");
	if (!jok(r))
		rc = 2;
	json_decref(r);
	tc_close(c);
	return rc;
}

TEST_F(api, operator_ops_refused_to_others)
{
	if (getuid())
		SKIP(return, "not root: cannot become nobody");
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, expect_refused_admin,
			     self->path, NULL));
	/* The admin group as the primary group. */
	EXPECT_EQ(0, as_user(NOBODY, TEST_ADMIN_GID, expect_admin,
			     self->path, NULL));
}

/* A user whose group list has a group other than its primary one. */
static bool find_supplementary(uid_t *uid, gid_t *pgid, gid_t *sgid)
{
	struct passwd *pw;
	struct group *gr;
	bool found = false;
	char **m;

	setgrent();
	while (!found && (gr = getgrent())) {
		for (m = gr->gr_mem; *m && !found; m++) {
			pw = getpwnam(*m);
			if (pw && pw->pw_uid && pw->pw_gid != gr->gr_gid &&
			    gr->gr_gid != TEST_ADMIN_GID) {
				*uid = pw->pw_uid;
				*pgid = pw->pw_gid;
				*sgid = gr->gr_gid;
				found = true;
			}
		}
	}
	endgrent();
	return found;
}

TEST_F(api, operator_by_supplementary_group)
{
	struct tc *c = tc_open(self->path);
	char line[128];
	uid_t uid;
	gid_t pgid, sgid;
	json_t *r;

	if (getuid())
		SKIP(return, "not root");
	ASSERT_NE(NULL, c);
	if (!find_supplementary(&uid, &pgid, &sgid))
		SKIP(return, "no user with a supplementary group in the group database");
	/* Not the operators' group yet. */
	EXPECT_EQ(0, as_user(uid, pgid, expect_refused_admin, self->path,
			     NULL));
	snprintf(line, sizeof(line), "{\"op\":\"set_admin_gid\",\"gid\":%u}\n",
		 (unsigned int)sgid);
	r = tc_call(c, line);
	ASSERT_TRUE(jok(r));
	json_decref(r);
	/* Its process has no supplementary group: the database says. */
	EXPECT_EQ(0, as_user(uid, pgid, expect_admin, self->path, NULL));
	tc_close(c);
}

struct reload_sync {
	int ready[2];	/* child -> parent: connected, refused */
	int go[2];	/* parent -> child: the group changed */
};

static int refused_then_admin(const char *path, void *arg)
{
	struct reload_sync *s = arg;
	struct tc *c = tc_open(path);
	json_t *r;
	char b;
	int rc = 0;

	if (!c)
		return 1;
	r = tc_call(c, "{\"op\":\"admin\"}\n");
	if (jok(r) || jint(r, "errno") != EACCES)
		rc = 2;
	json_decref(r);
	if (write(s->ready[1], "r", 1) != 1 || read(s->go[0], &b, 1) != 1)
		rc = rc ?: 3;
	/* The same connection, after esprimd_api_set_admin_gid(). */
	r = tc_call(c, "{\"op\":\"admin\"}\n");
	if (!jok(r))
		rc = rc ?: 4;
	json_decref(r);
	tc_close(c);
	return rc;
}

TEST_F(api, set_admin_gid_applies_to_open_connections)
{
	struct reload_sync s;
	struct tc *c = tc_open(self->path);
	pid_t pid;
	json_t *r;
	int status;
	char b;

	if (getuid())
		SKIP(return, "not root");
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, pipe(s.ready));
	ASSERT_EQ(0, pipe(s.go));
	pid = fork();
	if (!pid) {
		if (setgroups(0, NULL) || setgid(4243) || setuid(NOBODY))
			_exit(100);
		_exit(refused_then_admin(self->path, &s));
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(s.ready[0], &b, 1));
	r = tc_call(c, "{\"op\":\"set_admin_gid\",\"gid\":4243}\n");
	EXPECT_TRUE(jok(r));
	json_decref(r);
	ASSERT_EQ(1, write(s.go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("child status %d", status);
	tc_close(c);
}

/* ---- connections that go, slow readers, many clients ---- */

TEST_F(api, client_gone_with_calls_pending)
{
	struct tc *c = tc_open(self->path);
	json_int_t alive, dead;
	json_t *r;

	ASSERT_NE(NULL, c);
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"defer\",\"ms\":300}\n"
			       "{\"op\":\"defer\",\"ms\":300}\n"
			       "{\"op\":\"defer\",\"ms\":300,\"size\":100000}\n"));
	/* The echo's reply says the three were taken. */
	r = tc_call(c, "{\"op\":\"echo\",\"id\":1}\n");
	ASSERT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
	/* One more left pending when the server stops (teardown). */
	c = tc_open(self->path);
	ASSERT_NE(NULL, c);
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"defer\",\"ms\":60000}\n"));
	ASSERT_TRUE(deferred_counts(self->path, 3, &alive, &dead));
	/* Answered without their connection, freed silently. */
	EXPECT_EQ(3, dead);
	EXPECT_EQ(0, alive);
	tc_close(c);
}

TEST_F(api, half_closed_client_gets_its_replies)
{
	struct tc *c = tc_open(self->path);
	json_t *r;

	ASSERT_NE(NULL, c);
	ASSERT_TRUE(tc_puts(c, "{\"op\":\"defer\",\"id\":1,\"ms\":100}\n"
			       "{\"op\":\"echo\",\"id\":2}\n"
			       "{\"op\":\"echo\",\"id\":3}"));	/* no newline */
	ASSERT_EQ(0, shutdown(c->fd, SHUT_WR));
	r = tc_reply(c);
	EXPECT_EQ(2, jint(r, "id"));
	json_decref(r);
	r = tc_reply(c);
	EXPECT_EQ(1, jint(r, "id"));
	EXPECT_TRUE(jok(r));
	json_decref(r);
	/* The unfinished line is dropped and the server closes. */
	EXPECT_TRUE(tc_closed(c));
	tc_close(c);
}

TEST_F(api, slow_reader_does_not_block_others)
{
	struct tc *slow = tc_open(self->path), *other;
	int64_t t0;
	char line[128];
	json_t *r;
	int i, n = 100;

	ASSERT_NE(NULL, slow);
	/* 100 replies of 100 kB, 10 MB that it does not read for now. */
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
			 "{\"op\":\"big\",\"id\":%d,\"size\":100000}\n", i);
		ASSERT_TRUE(tc_puts(slow, line));
	}
	msleep(200);
	other = tc_open(self->path);
	ASSERT_NE(NULL, other);
	t0 = now_ms();
	r = tc_call(other, "{\"op\":\"echo\",\"id\":1}\n");
	EXPECT_TRUE(jok(r));
	EXPECT_GT(3000, now_ms() - t0);
	json_decref(r);
	tc_close(other);
	/* Then it reads, slowly: every reply, in order, none lost. */
	for (i = 0; i < n; i++) {
		r = tc_reply(slow);
		ASSERT_NE(NULL, r) TH_LOG("reply %d missing", i);
		EXPECT_EQ(i, jint(r, "id"));
		EXPECT_EQ(100000, json_string_length(json_object_get(r, "pad")));
		json_decref(r);
		if (i % 10 == 0)
			msleep(20);
	}
	tc_close(slow);
}

TEST_F(api, reader_that_never_reads_is_cut_off)
{
	struct tc *c = tc_open(self->path);
	json_int_t alive, dead;
	char line[128], *l;
	int i, got = 0;

	ASSERT_NE(NULL, c);
	/* 64 deferred replies of 100 kB: over the 4 MiB output cap. */
	for (i = 0; i < ESPRIMD_API_MAX_IN_FLIGHT; i++) {
		snprintf(line, sizeof(line),
			 "{\"op\":\"defer\",\"id\":%d,\"ms\":50,\"size\":100000}\n",
			 i);
		ASSERT_TRUE(tc_puts(c, line));
	}
	msleep(800);
	while ((l = tc_line(c))) {
		got++;
		free(l);
	}
	/* Some came before the cap, then the connection was closed. */
	EXPECT_LT(0, got);
	EXPECT_GT(ESPRIMD_API_MAX_IN_FLIGHT, got);
	tc_close(c);
	ASSERT_TRUE(deferred_counts(self->path, ESPRIMD_API_MAX_IN_FLIGHT,
				    &alive, &dead));
	EXPECT_EQ(ESPRIMD_API_MAX_IN_FLIGHT, alive + dead);
	EXPECT_LT(0, dead);
}

/*
 * Connections held by a child that became uid (its gid the same, no other
 * groups): it opens up to n, each answering an echo, stops at the first
 * refused, tells how many it holds and the refusal's error and message
 * ("-" for none), and holds them until the parent closes release.
 */
struct holder {
	pid_t pid;
	int release;
	int held;
	char error[16];
	char message[200];
};

static void hold_as(const char *path, uid_t uid, int n, int report,
		    int release)
{
	struct tc *c[ESPRIMD_API_MAX_CLIENTS + 1];
	char error[16] = "-", message[200] = "-", b;
	int held = 0, lo, hi;
	json_t *r;

	/* Not the other holders' release pipes: each ends on its own. */
	lo = report < release ? report : release;
	hi = report < release ? release : report;
	if ((lo > 3 && close_range(3, lo - 1, 0)) ||
	    (hi > lo + 1 && close_range(lo + 1, hi - 1, 0)) ||
	    close_range(hi + 1, ~0U, 0))
		_exit(99);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		_exit(100);
	while (held < n && held <= ESPRIMD_API_MAX_CLIENTS) {
		c[held] = tc_open(path);
		if (!c[held])
			break;
		/* A refused one has its line waiting; a send may fail. */
		tc_puts(c[held], "{\"op\":\"echo\"}\n");
		r = tc_reply(c[held]);
		if (!jok(r)) {
			/* Closed with no line: "?". */
			snprintf(error, sizeof(error), "%s",
				 *jstr(r, "error") ? jstr(r, "error") : "?");
			snprintf(message, sizeof(message), "%s",
				 *jstr(r, "message") ? jstr(r, "message") : "?");
			json_decref(r);
			break;
		}
		json_decref(r);
		held++;
	}
	if (dprintf(report, "%d %s %s\n", held, error, message) < 0)
		_exit(101);
	/* Until the parent closes its end. */
	while (read(release, &b, 1) > 0)
		;
	_exit(0);
}

static bool holder_start(struct holder *h, const char *path, uid_t uid,
			 int n)
{
	char line[300];
	int report[2], release[2];
	ssize_t got = 0, k;

	memset(h, 0, sizeof(*h));
	if (pipe(report) || pipe(release))
		return false;
	h->pid = fork();
	if (!h->pid) {
		close(report[0]);
		close(release[1]);
		hold_as(path, uid, n, report[1], release[0]);
	}
	close(report[1]);
	close(release[0]);
	h->release = release[1];
	while (h->pid > 0 && got < (ssize_t)sizeof(line) - 1 &&
	       (k = read(report[0], line + got, sizeof(line) - 1 - got)) > 0) {
		got += k;
		if (line[got - 1] == '\n')
			break;
	}
	close(report[0]);
	line[got] = '\0';
	return h->pid > 0 &&
	       sscanf(line, "%d %15s %199[^\n]", &h->held, h->error,
		      h->message) == 3;
}

/* Closes its connections; its exit status. */
static int holder_stop(struct holder *h)
{
	int status;

	close(h->release);
	if (h->pid <= 0 || waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* Whether a connection of ours is served within a second. */
static bool served(const char *path)
{
	struct tc *c;
	json_t *r;
	bool ok = false;
	int i;

	for (i = 0; i < 100 && !ok; i++) {
		c = tc_open(path);
		if (!c)
			return false;
		tc_puts(c, "{\"op\":\"echo\",\"id\":\"served\"}\n");
		r = tc_reply(c);
		ok = jok(r) && !strcmp(jstr(r, "id"), "served");
		json_decref(r);
		tc_close(c);
		if (!ok)
			msleep(10);
	}
	return ok;
}

/*
 * Whether a connection of uid is served within a second (the server sees
 * connections that were closed go in its own time).
 */
static bool served_as(const char *path, uid_t uid)
{
	struct holder h;
	bool ok = false;
	int i;

	for (i = 0; i < 100 && !ok; i++) {
		ok = holder_start(&h, path, uid, 1) && h.held == 1;
		if (holder_stop(&h))
			return false;
		if (!ok)
			msleep(10);
	}
	return ok;
}

/* A user with no rights cannot take the slots: per uid. */
TEST_F(api, connection_limit_per_uid)
{
	struct tc *c, *mine[ESPRIMD_API_MAX_CLIENTS_PER_UID];
	struct holder h, other;
	json_t *r;
	int i;

	if (getuid())
		SKIP(return, "not root: cannot become other users");
	ASSERT_TRUE(holder_start(&h, self->path, NOBODY,
				 ESPRIMD_API_MAX_CLIENTS_PER_UID + 5));
	EXPECT_EQ(ESPRIMD_API_MAX_CLIENTS_PER_UID, h.held);
	EXPECT_STREQ("EBUSY", h.error);
	EXPECT_NE(NULL, strstr(h.message, "of uid 65534"))
		TH_LOG("message: %s", h.message);
	EXPECT_NE(NULL, strstr(h.message, "the limit is 32 per user"))
		TH_LOG("message: %s", h.message);
	/* While it holds them, root is served, and another user too. */
	c = tc_open(self->path);
	ASSERT_NE(NULL, c);
	r = tc_call(c, "{\"op\":\"echo\",\"id\":\"root\"}\n");
	EXPECT_TRUE(jok(r));
	EXPECT_STREQ("root", jstr(r, "id"));
	json_decref(r);
	r = tc_call(c, "{\"op\":\"admin\"}\n");
	EXPECT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
	ASSERT_TRUE(holder_start(&other, self->path, NOBODY - 1, 1));
	EXPECT_EQ(1, other.held);
	EXPECT_STREQ("-", other.error);
	EXPECT_EQ(0, holder_stop(&other));
	/* Once they are closed, the user is served again. */
	EXPECT_EQ(0, holder_stop(&h));
	EXPECT_TRUE(served_as(self->path, NOBODY));
	ASSERT_TRUE(holder_start(&h, self->path, NOBODY,
				 ESPRIMD_API_MAX_CLIENTS_PER_UID));
	EXPECT_EQ(ESPRIMD_API_MAX_CLIENTS_PER_UID, h.held)
		TH_LOG("refused: %s", h.message);
	EXPECT_EQ(0, holder_stop(&h));
	/* Root is counted too. */
	for (i = 0; i < ESPRIMD_API_MAX_CLIENTS_PER_UID; i++) {
		mine[i] = tc_open(self->path);
		ASSERT_NE(NULL, mine[i]);
		r = tc_call(mine[i], "{\"op\":\"echo\"}\n");
		ASSERT_TRUE(jok(r)) TH_LOG("connection %d", i);
		json_decref(r);
	}
	c = tc_open(self->path);
	ASSERT_NE(NULL, c);
	r = tc_reply(c);
	EXPECT_STREQ("EBUSY", jstr(r, "error"));
	EXPECT_NE(NULL, strstr(jstr(r, "message"), "of uid 0 "));
	EXPECT_TRUE(tc_closed(c));
	json_decref(r);
	tc_close(c);
	for (i = 0; i < ESPRIMD_API_MAX_CLIENTS_PER_UID; i++)
		tc_close(mine[i]);
}

/*
 * Users with no rights fill the table but for the operators' reserve;
 * operators get that, and nobody gets more than the table.
 */
TEST_F(api, connection_limit_and_operators_reserve)
{
	enum { OTHERS = ESPRIMD_API_MAX_CLIENTS - ESPRIMD_API_ADMIN_RESERVE,
	       USERS = (OTHERS + ESPRIMD_API_MAX_CLIENTS_PER_UID - 1) /
		       ESPRIMD_API_MAX_CLIENTS_PER_UID };
	struct tc *c[ESPRIMD_API_ADMIN_RESERVE], *extra;
	struct holder h[USERS], late;
	int i, n, left = OTHERS;
	json_t *r;

	if (getuid())
		SKIP(return, "not root: cannot become other users");
	ASSERT_GE(ESPRIMD_API_MAX_CLIENTS_PER_UID, ESPRIMD_API_ADMIN_RESERVE);
	for (i = 0; i < USERS; i++) {
		n = left < ESPRIMD_API_MAX_CLIENTS_PER_UID ?
		    left : ESPRIMD_API_MAX_CLIENTS_PER_UID;
		ASSERT_TRUE(holder_start(&h[i], self->path, 61000 + i, n));
		ASSERT_EQ(n, h[i].held) TH_LOG("user %d: %s", i, h[i].message);
		left -= n;
	}
	/* Another user with no rights: the rest is the operators'. */
	ASSERT_TRUE(holder_start(&late, self->path, 61000 + USERS, 1));
	EXPECT_EQ(0, late.held);
	EXPECT_STREQ("EBUSY", late.error);
	EXPECT_NE(NULL, strstr(late.message,
			       "the last 16 of 256 are kept for operators"))
		TH_LOG("message: %s", late.message);
	EXPECT_EQ(0, holder_stop(&late));
	for (i = 0; i < ESPRIMD_API_ADMIN_RESERVE; i++) {
		c[i] = tc_open(self->path);
		ASSERT_NE(NULL, c[i]);
		r = tc_call(c[i], "{\"op\":\"admin\"}\n");
		ASSERT_TRUE(jok(r)) TH_LOG("operator's connection %d", i);
		json_decref(r);
	}
	/* The table is full. */
	extra = tc_open(self->path);
	ASSERT_NE(NULL, extra);
	r = tc_reply(extra);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("EBUSY", jstr(r, "error"));
	EXPECT_NE(NULL, strstr(jstr(r, "message"),
			       "too many connections (the limit is 256)"))
		TH_LOG("message: %s", jstr(r, "message"));
	EXPECT_TRUE(tc_closed(extra));
	json_decref(r);
	tc_close(extra);
	/* One goes, another comes. */
	tc_close(c[0]);
	EXPECT_TRUE(served(self->path));
	for (i = 1; i < ESPRIMD_API_ADMIN_RESERVE; i++)
		tc_close(c[i]);
	for (i = 0; i < USERS; i++)
		EXPECT_EQ(0, holder_stop(&h[i]));
}

/*
 * Idle connections are closed after the timeout (200 ms here, set on a
 * connection that is itself then idle); those with a call in flight, or
 * that send, are not.
 */
TEST_F(api, idle_connections_closed)
{
	struct tc *setter = tc_open(self->path), *idle, *busy, *talker, *slow;
	int64_t t0, told = -1;
	struct pollfd pfd;
	json_t *r;

	ASSERT_NE(NULL, setter);
	r = tc_call(setter, "{\"op\":\"set_idle\",\"ms\":200}\n");
	ASSERT_TRUE(jok(r));
	json_decref(r);
	t0 = now_ms();
	talker = tc_open(self->path);
	idle = tc_open(self->path);
	busy = tc_open(self->path);
	slow = tc_open(self->path);
	ASSERT_TRUE(idle && busy && talker && slow);
	ASSERT_TRUE(tc_puts(busy, "{\"op\":\"defer\",\"id\":\"d\",\"ms\":800}\n"));
	ASSERT_TRUE(tc_puts(slow, "{\"op\":\"echo\",\"id\":\"s\""));
	/*
	 * Requests every 50 ms keep a connection, and so do the bytes of
	 * one request every 50 ms; when is idle told?
	 */
	pfd.fd = idle->fd;
	pfd.events = POLLIN;
	while (now_ms() - t0 < 700) {
		r = tc_call(talker, "{\"op\":\"echo\",\"id\":\"t\"}\n");
		ASSERT_TRUE(jok(r)) TH_LOG("after %lld ms",
					   (long long)(now_ms() - t0));
		json_decref(r);
		ASSERT_TRUE(tc_puts(slow, " "));
		if (told < 0 && poll(&pfd, 1, 50) == 1)
			told = now_ms() - t0;
		else
			msleep(50);
	}
	r = tc_call(slow, "}\n");
	EXPECT_TRUE(jok(r));
	EXPECT_STREQ("s", jstr(r, "id"));
	json_decref(r);
	/* Told, then closed, not before the timeout. */
	r = tc_reply(idle);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NULL, json_object_get(r, "id"));
	EXPECT_STREQ("ETIMEDOUT", jstr(r, "error"));
	EXPECT_EQ(ETIMEDOUT, jint(r, "errno"));
	EXPECT_STREQ("idle for 200 ms; closing", jstr(r, "message"));
	EXPECT_LE(200, told);
	EXPECT_GT(600, told);
	EXPECT_TRUE(tc_closed(idle));
	json_decref(r);
	/* The timeout applies to the connections there were too. */
	r = tc_reply(setter);
	EXPECT_STREQ("ETIMEDOUT", jstr(r, "error"));
	EXPECT_TRUE(tc_closed(setter));
	json_decref(r);
	/* A call in flight keeps one that sends nothing for 800 ms. */
	r = tc_reply(busy);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(jok(r));
	EXPECT_STREQ("d", jstr(r, "id"));
	EXPECT_TRUE(json_is_true(json_object_get(r, "deferred")));
	json_decref(r);
	/* Answered, it is idle from then on. */
	t0 = now_ms();
	r = tc_reply(busy);
	EXPECT_STREQ("ETIMEDOUT", jstr(r, "error"));
	EXPECT_LE(150, now_ms() - t0);
	EXPECT_TRUE(tc_closed(busy));
	json_decref(r);
	tc_close(setter);
	tc_close(idle);
	tc_close(busy);
	tc_close(talker);
	tc_close(slow);
}

/*
 * A client that reads replies queued for it, slowly, is not idle either:
 * 900 kB answered at once, read 100 kB every 100 ms with a 200 ms timeout.
 */
TEST_F(api, idle_timeout_spares_slow_readers)
{
	struct tc *c = tc_open(self->path);
	char line[128];
	json_t *r;
	int i, n = 9;

	ASSERT_NE(NULL, c);
	r = tc_call(c, "{\"op\":\"set_idle\",\"ms\":200}\n");
	ASSERT_TRUE(jok(r));
	json_decref(r);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
			 "{\"op\":\"big\",\"id\":%d,\"size\":100000}\n", i);
		ASSERT_TRUE(tc_puts(c, line));
	}
	for (i = 0; i < n; i++) {
		msleep(100);
		r = tc_reply(c);
		ASSERT_NE(NULL, r);
		EXPECT_EQ(i, jint(r, "id")) TH_LOG("%s", jstr(r, "message"));
		json_decref(r);
	}
	r = tc_call(c, "{\"op\":\"echo\",\"id\":\"still\"}\n");
	EXPECT_TRUE(jok(r)) TH_LOG("%s", jstr(r, "message"));
	EXPECT_STREQ("still", jstr(r, "id"));
	json_decref(r);
	tc_close(c);
}

/* ---- operations are called from the loop, never nested ---- */

/*
 * In this process, on a loop of the test's own: connection a sends
 * "hold" (answered later), then "big" requests whose replies it does not
 * read, so that the server holds the rest of its lines back, then "tail"
 * requests.  Then the held call is answered, from a timer or from an
 * operation of connection b, right after a's replies were read, so that
 * the answer makes room for a's held-back lines.  Their operations must
 * run after the answering function returned, on a later turn of the loop.
 */
#define NEST_BIGS	200
#define NEST_TAILS	8
#define NEST_BIG_SIZE	16384

/**
 * struct nest - the state of the nesting test
 * @event, @api: the loop and the API under test
 * @a, @b: the client ends of the two connections (non-blocking)
 * @held: the "hold" call, until answered
 * @answering: inside the code that answers @held
 * @depth: operations running
 * @ran: operations called (tests' own: hold, big, tail)
 * @nested: of those, called while @answering or inside another operation
 * @ran_before: @ran when @held was answered
 * @answered: @held was answered
 * @replies: reply lines connection a read
 */
struct nest {
	sd_event *event;
	struct esprimd_api *api;
	int a, b;
	struct esprimd_api_call *held;
	bool answering;
	int depth;
	unsigned int ran, nested, ran_before;
	bool answered;
	unsigned int replies;
};

static void nest_enter(struct nest *n)
{
	if (n->answering || n->depth)
		n->nested++;
	n->depth++;
	n->ran++;
}

/* Reads the replies the socket holds; how many lines. */
static unsigned int nest_drain(int fd)
{
	unsigned int lines = 0;
	char b[65536];
	ssize_t k, i;

	while ((k = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0)
		for (i = 0; i < k; i++)
			lines += b[i] == '\n';
	return lines;
}

/* Answers the held call right after a's replies were read. */
static void nest_answer(struct nest *n)
{
	n->replies += nest_drain(n->a);
	n->ran_before = n->ran;
	n->answering = true;
	esprimd_api_reply(n->held, json_pack("{s:b}", "held", 1));
	n->answering = false;
	n->held = NULL;
	n->answered = true;
}

static void nest_op_hold(struct esprimd_api_call *call,
			 const struct esprimd_api_peer *peer, json_t *args,
			 void *u)
{
	struct nest *n = u;

	nest_enter(n);
	n->held = call;
	n->depth--;
}

static void nest_op_big(struct esprimd_api_call *call,
			const struct esprimd_api_peer *peer, json_t *args,
			void *u)
{
	struct nest *n = u;

	nest_enter(n);
	esprimd_api_reply(call, json_pack("{s:o}", "pad",
					  pad(NEST_BIG_SIZE)));
	n->depth--;
}

static void nest_op_tail(struct esprimd_api_call *call,
			 const struct esprimd_api_peer *peer, json_t *args,
			 void *u)
{
	struct nest *n = u;

	nest_enter(n);
	esprimd_api_reply(call, NULL);
	n->depth--;
}

/* Connection b's operation that answers a's held call. */
static void nest_op_release(struct esprimd_api_call *call,
			    const struct esprimd_api_peer *peer,
			    json_t *args, void *u)
{
	struct nest *n = u;

	n->depth++;
	nest_answer(n);
	n->depth--;
	esprimd_api_reply(call, NULL);
}

static int nest_timer(sd_event_source *s, uint64_t usec, void *u)
{
	nest_answer(u);
	return 0;
}

static const struct esprimd_api_op nest_ops[] = {
	{ "hold", nest_op_hold, false },
	{ "big", nest_op_big, false },
	{ "tail", nest_op_tail, false },
	{ "release", nest_op_release, false },
	{ NULL, NULL, false },
};

static const struct {
	const char *how;
	bool by_op;	/* by connection b's operation, else from a timer */
} nest_cases[] = {
	{ "answered from a timer", false },
	{ "answered by an operation of another connection", true },
};

/* Runs the loop until it has been idle for 100 ms. */
static void nest_settle(struct nest *n)
{
	while (sd_event_run(n->event, 100 * 1000) > 0)
		;
}

TEST(answering_calls_no_operation)
{
	unsigned int total = 1 + NEST_BIGS + NEST_TAILS, want;
	char dir[] = "/tmp/esprimd_nest.XXXXXX", path[108], err[256];
	sd_event_source *timer = NULL;
	struct nest n;
	int64_t t0;
	size_t i, k;
	char *req;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/esprimd.sock", dir);
	for (i = 0; i < sizeof(nest_cases) / sizeof(nest_cases[0]); i++) {
		memset(&n, 0, sizeof(n));
		ASSERT_LE(0, sd_event_new(&n.event));
		ASSERT_EQ(0, esprimd_api_new(&n.api, n.event, path, -1,
					     nest_ops, &n, err, sizeof(err)))
			TH_LOG("%s", err);
		n.a = connect_path(path);
		n.b = connect_path(path);
		ASSERT_LE(0, n.a);
		ASSERT_LE(0, n.b);
		/* Every request of a in one write. */
		req = NULL;
		f = open_memstream(&req, &k);
		ASSERT_NE(NULL, f);
		fputs("{\"op\":\"hold\",\"id\":\"h\"}\n", f);
		for (want = 0; want < NEST_BIGS; want++)
			fputs("{\"op\":\"big\"}\n", f);
		for (want = 0; want < NEST_TAILS; want++)
			fputs("{\"op\":\"tail\"}\n", f);
		ASSERT_EQ(0, fclose(f));
		ASSERT_EQ((ssize_t)k, send(n.a, req, k, MSG_DONTWAIT));
		free(req);
		nest_settle(&n);
		/* The held call waits, and a's output holds its lines back. */
		ASSERT_NE(NULL, n.held) TH_LOG("%s", nest_cases[i].how);
		ASSERT_LT(n.ran, total) TH_LOG("%s: no line held back",
					       nest_cases[i].how);
		ASSERT_EQ(0, n.nested);
		if (nest_cases[i].by_op) {
			ASSERT_EQ(17, send(n.b, "{\"op\":\"release\"}\n", 17,
					   MSG_DONTWAIT));
		} else {
			ASSERT_LE(0, sd_event_add_time_relative(n.event,
				&timer, CLOCK_MONOTONIC, 0, 0, nest_timer,
				&n));
		}
		/* Until every operation ran and a read every reply. */
		t0 = now_ms();
		while ((n.ran < total || n.replies < total) &&
		       now_ms() - t0 < 10000) {
			sd_event_run(n.event, 10 * 1000);
			if (n.answered)
				n.replies += nest_drain(n.a);
		}
		EXPECT_TRUE(n.answered) TH_LOG("%s", nest_cases[i].how);
		EXPECT_EQ(total, n.ran) TH_LOG("%s", nest_cases[i].how);
		EXPECT_LT(n.ran_before, total);
		/* The lines made room for ran after the answer returned. */
		EXPECT_EQ(0, n.nested) TH_LOG("%s: %u of %u operations nested",
					      nest_cases[i].how, n.nested,
					      n.ran - n.ran_before);
		timer = sd_event_source_disable_unref(timer);
		close(n.a);
		close(n.b);
		esprimd_api_free(n.api);
		sd_event_unref(n.event);
	}
	rmdir(dir);
	EXPECT_NO_LEAKS();
}

/* ---- the socket file ---- */

TEST_F(api, socket_mode_and_refusals_to_start)
{
	struct esprimd_api *api = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[108], err[256], longpath[200];
	sd_event *event;
	struct stat st;
	json_t *r;
	struct tc *c;
	int fd;

	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 0777);
	ASSERT_LE(0, sd_event_new(&event));
	/* The server of the fixture answers: refused, its socket left. */
	EXPECT_EQ(-EADDRINUSE, esprimd_api_new(&api, event, self->path, -1,
					       test_ops, NULL, err,
					       sizeof(err)));
	EXPECT_EQ(NULL, api);
	EXPECT_NE(NULL, strstr(err, "another daemon"));
	c = tc_open(self->path);
	ASSERT_NE(NULL, c);
	r = tc_call(c, "{\"op\":\"echo\"}\n");
	EXPECT_TRUE(jok(r));
	json_decref(r);
	tc_close(c);
	/* Not a socket: refused, the file left. */
	snprintf(path, sizeof(path), "%s/file", self->dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EEXIST, esprimd_api_new(&api, event, path, -1, test_ops,
					   NULL, err, sizeof(err)));
	EXPECT_EQ(0, access(path, F_OK));
	unlink(path);
	/* A stale socket (bound, nobody listening): replaced. */
	snprintf(path, sizeof(path), "%s/stale.sock", self->dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	ASSERT_EQ(0, esprimd_api_new(&api, event, path, -1, test_ops, NULL,
				     err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0666, st.st_mode & 0777);
	esprimd_api_free(api);
	EXPECT_NE(0, access(path, F_OK));
	/* A path sun_path cannot hold. */
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, esprimd_api_new(&api, event, longpath, -1,
						 test_ops, NULL, err,
						 sizeof(err)));
	sd_event_unref(event);
	EXPECT_NO_LEAKS();
}

/* ---- the line checks, directly ---- */

static const struct esprimd_api_op check_ops[] = {
	{ "echo", op_echo, false },
	{ "admin", op_admin, true },
	{ NULL, NULL, false },
};

TEST(check_line_verdicts)
{
	const char *admin = "{\"op\":\"admin\",\"id\":2}";
	struct esprimd_api_request r;
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		EXPECT_EQ(-1, esprimd_api_check_line(refusals[i].line,
						     strlen(refusals[i].line),
						     check_ops, true, &r));
		EXPECT_EQ(NULL, r.op);
		EXPECT_EQ(refusals[i].rsc, r.rsc);
		EXPECT_EQ(refusals[i].id == NULL, r.id == NULL)
			TH_LOG("%s", refusals[i].line);
		esprimd_api_request_release(&r);
	}
	/* The operators' op: refused as EACCES to others only. */
	EXPECT_EQ(-1, esprimd_api_check_line(admin, strlen(admin), check_ops,
					     false, &r));
	EXPECT_EQ(0, r.rsc);
	EXPECT_EQ(EACCES, r.errnum);
	EXPECT_EQ(2, json_integer_value(r.id));
	esprimd_api_request_release(&r);
	EXPECT_EQ(0, esprimd_api_check_line(admin, strlen(admin), check_ops,
					    true, &r));
	EXPECT_EQ(&check_ops[1], r.op);
	esprimd_api_request_release(&r);
	/* A NUL inside the line, outside strings: malformed. */
	EXPECT_EQ(-1, esprimd_api_check_line("{\"op\":\"echo\"}\0", 14,
					     check_ops, true, &r));
	esprimd_api_request_release(&r);
	/* Whitespace and CR around the object are JSON's. */
	EXPECT_EQ(0, esprimd_api_check_line(" {\"op\":\"echo\"}\r", 15,
					    check_ops, true, &r));
	esprimd_api_request_release(&r);
	EXPECT_NO_LEAKS();
}

TEST(split_at_the_limit)
{
	char *buf = malloc(LIMIT + 10);
	size_t len = 0;

	ASSERT_NE(NULL, buf);
	memset(buf, 'x', LIMIT + 10);
	EXPECT_EQ(0, esprimd_api_split(buf, LIMIT - 1, &len));
	EXPECT_EQ(-1, esprimd_api_split(buf, LIMIT, &len));
	buf[LIMIT - 1] = '\n';
	EXPECT_EQ(1, esprimd_api_split(buf, LIMIT + 10, &len));
	EXPECT_EQ(LIMIT - 1, len);
	buf[LIMIT - 1] = 'x';
	buf[LIMIT] = '\n';
	EXPECT_EQ(-1, esprimd_api_split(buf, LIMIT + 10, &len));
	buf[0] = '\n';
	EXPECT_EQ(1, esprimd_api_split(buf, 1, &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, esprimd_api_split(buf, 0, &len));
	free(buf);
}

TEST(error_line_message_not_utf8)
{
	size_t len = 0;
	char *line = esprimd_api_error_line(NULL, 4000, 0, "bad \xff op", &len);

	ASSERT_NE(NULL, line);
	EXPECT_STREQ("{\"ok\":false,\"rsc\":4000,\"error\":\"BAD_REQUEST\",\"message\":\"bad ? op\"}\n",
		     line);
	EXPECT_EQ(strlen(line), len);
	free(line);
}

/* ---- the C client (libesprim) against the server ---- */

TEST_F(api, client_call)
{
	struct esprim_client *cl = NULL;
	char *reply = NULL;
	json_t *r;

	ASSERT_EQ(0, esprim_client_connect(&cl, self->path));
	ASSERT_EQ(0, esprim_client_call(cl, "{\"op\":\"echo\",\"id\":\"mine\",\"v\":1}",
					1000, &reply));
	/* The client's id replaces the caller's. */
	r = json_loads(reply, 0, NULL);
	EXPECT_EQ(1, jint(r, "id"));
	EXPECT_EQ(1, jint(json_object_get(r, "echo"), "v"));
	json_decref(r);
	esprim_free(reply);
	/* An error reply is a reply. */
	ASSERT_EQ(0, esprim_client_call(cl, "{\"op\":\"nope\"}", 0, &reply));
	r = json_loads(reply, 0, NULL);
	EXPECT_EQ(2, jint(r, "id"));
	EXPECT_EQ(4000, jint(r, "rsc"));
	json_decref(r);
	esprim_free(reply);
	EXPECT_EQ(-EINVAL, esprim_client_call(cl, "[1]", 0, &reply));
	EXPECT_EQ(NULL, reply);
	EXPECT_EQ(-EINVAL, esprim_client_call(cl, "{\"op\":1", 0, &reply));
	EXPECT_EQ(-EINVAL, esprim_client_call(cl, "{\"a\":1,\"a\":2}", 0,
					      &reply));
	EXPECT_EQ(-EINVAL, esprim_client_call(cl, NULL, 0, &reply));
	EXPECT_EQ(-EINVAL, esprim_client_call(cl, "{}", -1, &reply));
	/* A request the daemon would close the connection for. */
	{
		char *big = padded_line("echo", 1, LIMIT + 100);

		ASSERT_NE(NULL, big);
		big[LIMIT + 99] = '\0';
		EXPECT_EQ(-EMSGSIZE, esprim_client_call(cl, big, 0, &reply));
		free(big);
	}
	ASSERT_EQ(0, esprim_client_call(cl, "{\"op\":\"echo\"}", 0, &reply));
	esprim_free(reply);
	esprim_client_close(cl);
	esprim_client_close(NULL);
	EXPECT_NO_LEAKS();
}

TEST_F(api, client_connect_paths)
{
	struct esprim_client *cl = NULL;
	char path[160];

	ASSERT_EQ(0, setenv("ESPRIMD_SOCKET", self->path, 1));
	ASSERT_EQ(0, esprim_client_connect(&cl, NULL));
	esprim_client_close(cl);
	snprintf(path, sizeof(path), "%s/none.sock", self->dir);
	EXPECT_EQ(-ENOENT, esprim_client_connect(&cl, path));
	EXPECT_EQ(NULL, cl);
	ASSERT_EQ(0, setenv("ESPRIMD_SOCKET", path, 1));
	EXPECT_EQ(-ENOENT, esprim_client_connect(&cl, NULL));
	unsetenv("ESPRIMD_SOCKET");
	EXPECT_EQ(-EINVAL, esprim_client_connect(NULL, path));
}

TEST_F(api, client_timeout_then_next_call)
{
	struct esprim_client *cl = NULL;
	char *reply = NULL;
	int64_t t0 = now_ms();
	json_t *r;

	ASSERT_EQ(0, esprim_client_connect(&cl, self->path));
	EXPECT_EQ(-ETIMEDOUT, esprim_client_call(cl,
		"{\"op\":\"defer\",\"ms\":1000}", 100, &reply));
	EXPECT_EQ(NULL, reply);
	EXPECT_LE(100, now_ms() - t0);
	EXPECT_GT(900, now_ms() - t0);
	EXPECT_EQ(-ETIMEDOUT, esprim_client_call(cl,
		"{\"op\":\"defer\",\"ms\":1000}", 100, &reply));
	/* Both late replies come first; they are skipped. */
	msleep(1100);
	ASSERT_EQ(0, esprim_client_call(cl, "{\"op\":\"echo\"}", 1000, &reply));
	r = json_loads(reply, 0, NULL);
	EXPECT_EQ(3, jint(r, "id"));
	EXPECT_NE(NULL, json_object_get(r, "echo"));
	json_decref(r);
	esprim_free(reply);
	esprim_client_close(cl);
	EXPECT_NO_LEAKS();
}

TEST_F(api, client_seal)
{
	const char *prim = "{\"op\":2,\"to\":\"//sp2.example/CSE-gw2/base\","
			   "\"fr\":\"//sp1.example/CSE-gw1\",\"rqi\":\"r1\",\"rvi\":\"4\"}";
	struct esprim_client *cl = NULL;
	struct esprim_error err;
	char *content = NULL;

	ASSERT_EQ(0, esprim_client_connect(&cl, self->path));
	memset(&err, 0x55, sizeof(err));
	ASSERT_EQ(0, esprim_client_seal(cl, "//sp2.example/CSE-gw2", prim,
					&content, &err));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":5,\"epo\":\"r1\"}}", content);
	EXPECT_EQ(0, err.rsc);
	EXPECT_EQ(0, err.errnum);
	EXPECT_STREQ("", err.msg);
	esprim_free(content);
	/* An RSC reply. */
	EXPECT_EQ(4112, esprim_client_seal(cl, "rsc4112", prim, &content,
					   &err));
	EXPECT_EQ(NULL, content);
	EXPECT_EQ(4112, err.rsc);
	EXPECT_EQ(0, err.errnum);
	EXPECT_STREQ("no pairwise key for rsc4112", err.msg);
	/* An errno reply: what to answer a peer with is the seal's 5211. */
	EXPECT_EQ(-EACCES, esprim_client_seal(cl, "eacces", prim, &content,
					      &err));
	EXPECT_EQ(5211, err.rsc);
	EXPECT_EQ(EACCES, err.errnum);
	EXPECT_STREQ("uid 1002 is no configured CSE", err.msg);
	/* Both: the reply's RSC and its errno. */
	EXPECT_EQ(-ENOMEM, esprim_client_seal(cl, "both", prim, &content,
					      &err));
	EXPECT_EQ(5211, err.rsc);
	EXPECT_EQ(ENOMEM, err.errnum);
	/* ok without "content": the daemon broke the protocol. */
	EXPECT_EQ(-EPROTO, esprim_client_seal(cl, "empty", prim, &content,
					      &err));
	EXPECT_EQ(EPROTO, err.errnum);
	EXPECT_EQ(NULL, content);
	/* The caller's mistakes, sent nowhere. */
	EXPECT_EQ(-EINVAL, esprim_client_seal(cl, "t", "[1]", &content, &err));
	EXPECT_EQ(EINVAL, err.errnum);
	EXPECT_EQ(-EINVAL, esprim_client_seal(cl, "t", "{", &content, &err));
	EXPECT_EQ(-EINVAL, esprim_client_seal(cl, "\xff", prim, &content,
					      &err));
	EXPECT_EQ(-EINVAL, esprim_client_seal(cl, NULL, prim, &content, &err));
	EXPECT_EQ(-EINVAL, esprim_client_seal(cl, "t", prim, NULL, NULL));
	/* The connection still serves. */
	ASSERT_EQ(0, esprim_client_seal(cl, "t", prim, &content, NULL));
	esprim_free(content);
	esprim_client_close(cl);
	EXPECT_NO_LEAKS();
}

TEST_F(api, client_open_notify_respond)
{
	struct esprim_client *cl = NULL;
	char *prim = NULL, *orig = NULL, *handle = NULL, *reply = NULL;
	char *content = NULL;
	struct esprim_error err;

	ASSERT_EQ(0, esprim_client_connect(&cl, self->path));
	ASSERT_EQ(0, esprim_client_open(cl,
		"{\"m2m:seci\":{\"sit\":5,\"epo\":\"r1\"}}", &prim, &err));
	EXPECT_STREQ("{\"rsc\":2000,\"rqi\":\"r1\"}", prim);
	esprim_free(prim);
	EXPECT_EQ(4112, esprim_client_open(cl,
		"{\"m2m:seci\":{\"sit\":5,\"epo\":\"rsc4112\"}}", &prim, &err));
	EXPECT_EQ(4112, err.rsc);
	EXPECT_EQ(-EACCES, esprim_client_open(cl,
		"{\"m2m:seci\":{\"sit\":5,\"epo\":\"eacces\"}}", &prim, &err));
	/* Opening: a peer is answered 5210. */
	EXPECT_EQ(5210, err.rsc);
	EXPECT_EQ(-EINVAL, esprim_client_open(cl, "\"x\"", &prim, &err));

	/* notify: a request... */
	ASSERT_EQ(0, esprim_client_notify(cl,
		"{\"m2m:seci\":{\"sit\":5,\"epo\":\"e\"}}", &prim, &orig,
		&handle, &reply, &err));
	EXPECT_STREQ("{\"op\":2,\"fr\":\"//sp2.example/CSE-gw2\",\"rqi\":\"r9\"}",
		     prim);
	EXPECT_STREQ("//sp2.example/CSE-gw2", orig);
	EXPECT_STREQ("h-9c2e", handle);
	EXPECT_EQ(NULL, reply);
	esprim_free(prim);
	esprim_free(orig);
	/* ... a rand request ... */
	ASSERT_EQ(0, esprim_client_notify(cl, "{\"m2m:seci\":{\"sit\":3}}",
					  &prim, &orig, &reply, &content,
					  &err));
	EXPECT_EQ(NULL, prim);
	EXPECT_EQ(NULL, orig);
	EXPECT_EQ(NULL, reply);
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":4,\"ero\":{}}}", content);
	esprim_free(content);
	content = NULL;
	/* ... a refusal, and replies that break the protocol. */
	EXPECT_EQ(4000, esprim_client_notify(cl, "{\"m2m:seci\":{\"sit\":4}}",
					     &prim, &orig, &reply, &content,
					     &err));
	EXPECT_EQ(-EPROTO, esprim_client_notify(cl,
		"{\"m2m:seci\":{\"sit\":5,\"epo\":\"odd-kind\"}}", &prim,
		&orig, &reply, &content, &err));
	EXPECT_NE(NULL, strstr(err.msg, "kind"));
	EXPECT_EQ(-EPROTO, esprim_client_notify(cl,
		"{\"m2m:seci\":{\"sit\":5,\"epo\":\"no-handle\"}}", &prim,
		&orig, &reply, &content, &err));
	EXPECT_EQ(NULL, prim);
	EXPECT_EQ(NULL, orig);
	EXPECT_EQ(-EINVAL, esprim_client_notify(cl, "{}", NULL, &orig, &reply,
						&content, &err));

	/* respond */
	ASSERT_EQ(0, esprim_client_respond(cl, handle,
		"{\"rsc\":2000,\"rqi\":\"r9\"}", &content, &err));
	EXPECT_STREQ("{\"m2m:seci\":{\"sit\":5,\"epo\":\"response\"}}", content);
	esprim_free(content);
	EXPECT_EQ(4000, esprim_client_respond(cl, "h-0",
		"{\"rsc\":2000}", &content, &err));
	EXPECT_STREQ("unknown handle", err.msg);
	EXPECT_EQ(NULL, content);
	esprim_free(handle);
	esprim_client_close(cl);
	EXPECT_NO_LEAKS();
}

TEST_F(api, client_when_the_server_goes)
{
	struct esprim_client *cl = NULL;
	struct esprim_error err;
	char *reply = NULL;

	ASSERT_EQ(0, esprim_client_connect(&cl, self->path));
	ASSERT_EQ(0, esprim_client_call(cl, "{\"op\":\"echo\"}", 0, &reply));
	esprim_free(reply);
	ASSERT_EQ(0, stop_server(self->server));
	self->server = start_server(self->path, self->admin_gid);
	ASSERT_LT(0, self->server);
	/* The old connection is gone, with no reply. */
	EXPECT_EQ(-ECONNRESET, esprim_client_call(cl, "{\"op\":\"echo\"}", 0,
						  &reply));
	EXPECT_EQ(-ECONNRESET, esprim_client_seal(cl, "t", "{}", &reply,
						  &err));
	EXPECT_EQ(ECONNRESET, err.errnum);
	EXPECT_EQ(5211, err.rsc);
	esprim_client_close(cl);
	EXPECT_NO_LEAKS();
}

/* ---- the C client against a server that breaks the protocol ---- */

/*
 * A child that accepts one connection and answers each request line with
 * the next of lines (a NULL closes the connection without an answer).
 */
static pid_t fake_server(const char *path, const char *const *lines)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, fd;
	char b;
	pid_t pid;

	strcpy(sa.sun_path, path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4))
		return -1;
	pid = fork();
	if (pid) {
		close(lfd);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = accept(lfd, NULL, NULL);
	for (; *lines; lines++) {
		do {
			if (read(fd, &b, 1) != 1)
				_exit(1);
		} while (b != '\n');
		if (write(fd, *lines, strlen(*lines)) < 0)
			_exit(2);
	}
	_exit(0);
}

TEST_F(api, client_protocol_violations)
{
	char *toolong = malloc(LIMIT + 2);
	const char *const lines[] = {
		"not json\n",
		"[1]\n",
		"{\"id\":2}\n",					/* no ok */
		"{\"id\":4,\"ok\":\"yes\"}\n",
		"{\"id\":99,\"ok\":true}\n",			/* another id */
		"{\"id\":\"6\",\"ok\":true}\n",
		"{\"id\":7,\"ok\":true}\n",			/* ok: baseline */
		"{\"ok\":true}\n",				/* no id, ok */
		"{\"ok\":false,\"rsc\":4000,\"message\":\"x\"}\n",	/* refusal */
		"{\"id\":10,\"ok\":false,\"message\":\"x\"}\n",	/* no reason */
		"{\"id\":11,\"ok\":false,\"rsc\":12}\n",	/* no RSC */
		"{\"id\":12,\"ok\":false,\"errno\":\"EIO\"}\n",
		"{\"id\":13,\"ok\":true,\"id\":13}\n",
		toolong,
		NULL,
	};
	struct esprim_client *cl = NULL;
	struct esprim_error err;
	char path[160], *reply = NULL, *content = NULL;
	pid_t pid;
	int status;

	ASSERT_NE(NULL, toolong);
	memset(toolong, ' ', LIMIT + 1);
	toolong[LIMIT + 1] = '\0';
	snprintf(path, sizeof(path), "%s/fake.sock", self->dir);
	pid = fake_server(path, lines);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, esprim_client_connect(&cl, path));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	ASSERT_EQ(0, esprim_client_call(cl, "{}", 2000, &reply));
	EXPECT_STREQ("{\"id\":7,\"ok\":true}", reply);
	esprim_free(reply);
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	/* A refusal without an id answers the request sent. */
	ASSERT_EQ(0, esprim_client_call(cl, "{}", 2000, &reply));
	esprim_free(reply);
	EXPECT_EQ(-EPROTO, esprim_client_seal(cl, "t", "{}", &content, &err));
	EXPECT_EQ(EPROTO, err.errnum);
	EXPECT_EQ(-EPROTO, esprim_client_seal(cl, "t", "{}", &content, &err));
	EXPECT_EQ(-EPROTO, esprim_client_seal(cl, "t", "{}", &content, &err));
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 2000, &reply));
	/* A line over the limit: the stream cannot be trusted any more. */
	EXPECT_EQ(-EPROTO, esprim_client_call(cl, "{}", 5000, &reply));
	EXPECT_EQ(-ENOTCONN, esprim_client_call(cl, "{}", 2000, &reply));
	esprim_client_close(cl);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	free(toolong);
	unlink(path);
}

TEST_F(api, client_server_closes_without_reply)
{
	const char *const lines[] = { "{\"id\":1,\"ok\":true}\n", NULL };
	struct esprim_client *cl = NULL;
	char path[160], *reply = NULL;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/fake.sock", self->dir);
	pid = fake_server(path, lines);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, esprim_client_connect(&cl, path));
	ASSERT_EQ(0, esprim_client_call(cl, "{}", 2000, &reply));
	esprim_free(reply);
	EXPECT_EQ(-ECONNRESET, esprim_client_call(cl, "{}", 2000, &reply));
	esprim_client_close(cl);
	waitpid(pid, NULL, 0);
	unlink(path);
}

TEST_HARNESS_MAIN
