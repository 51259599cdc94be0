// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The client side of esprimd's local API (esprim.h,
 * Documentation/esprimd-socket.md): blocking, one request at a time on a
 * UNIX stream socket, one JSON object per line each way.
 *
 * The client numbers its requests ("id" 1, 2, ...) and reads lines until
 * the reply that carries its id.  As it sends one request at a time, the
 * only other replies that can come are those of calls it gave up waiting
 * for (-ETIMEDOUT); they are skipped.  Any other line is -EPROTO.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "esprim_internal.h"

#define CLIENT_SOCKET_PATH	"/run/onem2m-esprim/esprimd.sock"
/* A line of the protocol, its newline included, each way. */
#define CLIENT_MAX_LINE		(512 * 1024)
#define CLIENT_BUF_MIN		4096
/* errno values and RSCs a reply may carry. */
#define CLIENT_ERRNO_MAX	4095
#define CLIENT_RSC_MIN		1000
#define CLIENT_RSC_MAX		9999

/**
 * struct esprim_client - a connection to esprimd
 * @fd: the socket (non-blocking: waits go through poll() for timeouts),
 *	-1 once the stream is lost
 * @next_id: the id of the next request
 * @given_up: the first id whose reply was given up waiting for, or 0:
 *	replies to ids from there below the current one are skipped
 * @buf, @len, @size: bytes read and not yet taken as lines
 */
struct esprim_client {
	int fd;
	json_int_t next_id;
	json_int_t given_up;
	char *buf;
	size_t len, size;
};

int esprim_client_connect(struct esprim_client **cp, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct esprim_client *c;
	int fd, rc;

	if (!cp)
		return -EINVAL;
	*cp = NULL;
	if (!path)
		path = secure_getenv("ESPRIMD_SOCKET");
	if (!path || !*path)
		path = CLIENT_SOCKET_PATH;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* Connected blocking (a full backlog waits), then non-blocking. */
	do
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc < 0 && errno == EINTR);
	if (rc < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		close(fd);
		goto fail;
	}
	c->fd = fd;
	c->next_id = 1;
	*cp = c;
	return 0;
fail:
	free(c);
	return rc;
}

void esprim_client_close(struct esprim_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on the socket until deadline_ms (0: none). */
static int client_wait(struct esprim_client *c, short events,
		       int64_t deadline_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int64_t left;
	int rc;

	for (;;) {
		left = -1;
		if (deadline_ms) {
			left = deadline_ms - mono_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			if (left > INT_MAX)
				left = INT_MAX;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			return 0;
		if (!rc)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* The stream is lost (a request sent in part, a line too long). */
static void client_break(struct esprim_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static int client_send(struct esprim_client *c, const char *text, size_t len,
		       int64_t deadline_ms)
{
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < len) {
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			rc = errno == EPIPE ? -ECONNRESET : -errno;
			if (off)
				client_break(c);
			return rc;
		}
		rc = client_wait(c, POLLOUT, deadline_ms);
		if (rc) {
			if (off)
				client_break(c);
			return rc;
		}
	}
	return 0;
}

/* The next line, without its newline, in *line (*line_len bytes). */
static int client_read_line(struct esprim_client *c, int64_t deadline_ms,
			    char **line, size_t *line_len)
{
	size_t scanned = 0, size;
	char *nl, *buf;
	ssize_t n;
	int rc;

	for (;;) {
		nl = c->len ? memchr(c->buf + scanned, '\n',
				     c->len - scanned) : NULL;
		if (nl) {
			*line = c->buf;
			*line_len = (size_t)(nl - c->buf);
			return 0;
		}
		scanned = c->len;
		if (c->len >= CLIENT_MAX_LINE) {
			client_break(c);
			return -EPROTO;
		}
		if (c->len == c->size) {
			size = c->size ? c->size * 2 : CLIENT_BUF_MIN;
			if (size > CLIENT_MAX_LINE)
				size = CLIENT_MAX_LINE;
			buf = realloc(c->buf, size);
			if (!buf)
				return -ENOMEM;
			c->buf = buf;
			c->size = size;
		}
		n = recv(c->fd, c->buf + c->len, c->size - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (!n)
			return -ECONNRESET;	/* the daemon closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return errno == EPIPE ? -ECONNRESET : -errno;
		rc = client_wait(c, POLLIN, deadline_ms);
		if (rc)
			return rc;
	}
}

static void client_consume(struct esprim_client *c, size_t n)
{
	c->len -= n;
	memmove(c->buf, c->buf + n, c->len);
}

/*
 * Whether a reply line answers request id: 1 yes, 0 a reply to a call
 * given up (skip it), -EPROTO anything else.  A refusal without an id is
 * the daemon's answer to a request it could not read the id of.
 */
static int client_match(struct esprim_client *c, const char *line,
			size_t len, json_int_t id)
{
	json_t *reply = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *rid = json_object_get(reply, "id");
	json_t *ok = json_object_get(reply, "ok");
	json_int_t n;
	int rc = -EPROTO;

	if (!json_is_object(reply) || !json_is_boolean(ok))
		goto out;
	if (!rid) {
		rc = json_is_false(ok) ? 1 : -EPROTO;
		goto out;
	}
	if (!json_is_integer(rid))
		goto out;
	n = json_integer_value(rid);
	if (n == id)
		rc = 1;
	else if (c->given_up && n >= c->given_up && n < id)
		rc = 0;
out:
	json_decref(reply);
	return rc;
}

/* Waits for the reply to id: 0 with it in *reply, or a negative errno. */
static int client_reply(struct esprim_client *c, json_int_t id,
			int64_t deadline_ms, char **reply)
{
	size_t len = 0;
	char *line = NULL;
	int rc;

	for (;;) {
		rc = client_read_line(c, deadline_ms, &line, &len);
		if (rc)
			return rc;
		rc = client_match(c, line, len, id);
		if (rc == 1) {
			*reply = strndup(line, len);
			client_consume(c, len + 1);
			return *reply ? 0 : -ENOMEM;
		}
		client_consume(c, len + 1);
		if (rc < 0)
			return rc;
	}
}

int esprim_client_call(struct esprim_client *c, const char *request,
		       int timeout_ms, char **reply)
{
	int64_t deadline_ms = 0;
	json_t *req = NULL;
	char *text = NULL;
	json_int_t id;
	size_t len;
	int rc;

	if (reply)
		*reply = NULL;
	if (!c || !request || !reply || timeout_ms < 0)
		return -EINVAL;
	if (c->fd < 0)
		return -ENOTCONN;
	if (timeout_ms)
		deadline_ms = mono_ms() + timeout_ms;
	req = json_loads(request, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(req)) {
		rc = -EINVAL;
		goto out;
	}
	id = c->next_id++;
	if (!json_object_set_new(req, "id", json_integer(id)))
		text = json_dumps(req, JSON_COMPACT);
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	len = strlen(text);
	/* The daemon would refuse it and close the connection. */
	if (len + 1 > CLIENT_MAX_LINE) {
		rc = -EMSGSIZE;
		goto out;
	}
	text[len] = '\n';	/* over the NUL: sent by length */
	rc = client_send(c, text, len + 1, deadline_ms);
	if (!rc)
		rc = client_reply(c, id, deadline_ms, reply);
	if (rc == -ETIMEDOUT && !c->given_up)
		c->given_up = id;
out:
	free(text);
	json_decref(req);
	return rc;
}

/* ---- the operations for CSEs ---- */

/* A JSON object text given by the caller, parsed. */
static json_t *client_object(const char *text)
{
	json_t *obj = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) :
			     NULL;

	if (json_is_object(obj))
		return obj;
	json_decref(obj);
	return NULL;
}

static int client_text(json_t *value, char **out)
{
	*out = json_dumps(value, JSON_COMPACT);
	return *out ? 0 : -ENOMEM;
}

/*
 * Sends req (stolen) and reads its reply: 0 with the reply object in
 * *result when it says ok; else the reply's RSC, or a negative errno
 * with local_rsc (what to answer a peer with) unless the reply has one.
 */
static int client_op(struct esprim_client *c, json_t *req, int local_rsc,
		     json_t **result, struct esprim_error *err)
{
	json_t *reply = NULL, *rsc, *errnum, *message;
	char *text, *line = NULL;
	json_int_t r = 0, e = 0;
	const char *msg;
	int rc;

	*result = NULL;
	/* json_pack() fails on arguments that are not UTF-8. */
	if (!req)
		return esprim_fail_local(err, EINVAL, local_rsc,
					 "an argument is no UTF-8 text");
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return esprim_fail_local(err, ENOMEM, local_rsc,
					 "out of memory");
	rc = esprim_client_call(c, text, 0, &line);
	free(text);
	if (rc)
		return esprim_fail_local(err, -rc, local_rsc, "esprimd: %s",
					 strerror(-rc));
	reply = json_loads(line, 0, NULL);
	free(line);
	if (!reply)
		return esprim_fail_local(err, ENOMEM, local_rsc,
					 "out of memory");
	if (json_is_true(json_object_get(reply, "ok"))) {
		*result = reply;
		esprim_fail(err, 0, "%s", "");
		return 0;
	}
	rsc = json_object_get(reply, "rsc");
	errnum = json_object_get(reply, "errno");
	message = json_object_get(reply, "message");
	msg = json_is_string(message) ? json_string_value(message) : "";
	if (json_is_integer(rsc))
		r = json_integer_value(rsc);
	if (json_is_integer(errnum))
		e = json_integer_value(errnum);
	if ((rsc && (r < CLIENT_RSC_MIN || r > CLIENT_RSC_MAX)) ||
	    (errnum && (e < 1 || e > CLIENT_ERRNO_MAX)) || (!rsc && !errnum))
		rc = esprim_fail_local(err, EPROTO, local_rsc,
				       "esprimd: a refusal without a valid rsc or errno");
	else if (errnum)
		rc = esprim_fail_local(err, (int)e, r ? (int)r : local_rsc,
				       "%s", msg);
	else
		rc = esprim_fail(err, (int)r, "%s", msg);
	json_decref(reply);
	return rc;
}

/* A member of an ok reply that is not what the protocol says. */
static int client_bad_reply(struct esprim_error *err, int local_rsc,
			    const char *op, const char *member)
{
	return esprim_fail_local(err, EPROTO, local_rsc,
				 "esprimd: the %s reply has no valid \"%s\"",
				 op, member);
}

/* An object member of result as a JSON text in *out. */
static int client_member(json_t *result, const char *member, char **out,
			 const char *op, int local_rsc,
			 struct esprim_error *err)
{
	json_t *value = json_object_get(result, member);

	if (!json_is_object(value))
		return client_bad_reply(err, local_rsc, op, member);
	if (client_text(value, out))
		return esprim_fail_local(err, ENOMEM, local_rsc,
					 "out of memory");
	return 0;
}

/*
 * Sends op with the object in text (the caller's JSON) as its member
 * name, and key: value before it where key is not NULL; as client_op().
 */
static int client_object_op(struct esprim_client *c, const char *op,
			    const char *key, const char *value,
			    const char *name, const char *text, int local_rsc,
			    json_t **result, struct esprim_error *err)
{
	json_t *obj = client_object(text);

	if (!obj)
		return esprim_fail_local(err, EINVAL, local_rsc,
					 "the %s is no JSON object", name);
	return client_op(c, key ? json_pack("{s:s, s:s, s:o}", "op", op, key,
					    value, name, obj) :
				  json_pack("{s:s, s:o}", "op", op, name, obj),
			 local_rsc, result, err);
}

/* seal (key "target") and respond (key "handle"): primitive in, content out. */
static int client_seal_op(struct esprim_client *c, const char *op,
			  const char *key, const char *value,
			  const char *primitive, char **content,
			  struct esprim_error *err)
{
	const int local = ESPRIM_RSC_ENCRYPTION_ERROR;
	json_t *result;
	int rc;

	if (content)
		*content = NULL;
	if (!c || !value || !content)
		return esprim_fail_local(err, EINVAL, local, "bad argument");
	rc = client_object_op(c, op, key, value, "primitive", primitive, local,
			      &result, err);
	if (rc)
		return rc;
	rc = client_member(result, "content", content, op, local, err);
	json_decref(result);
	return rc;
}

int esprim_client_seal(struct esprim_client *c, const char *target,
		       const char *primitive, char **content,
		       struct esprim_error *err)
{
	return client_seal_op(c, "seal", "target", target, primitive, content,
			      err);
}

int esprim_client_open(struct esprim_client *c, const char *content,
		       char **primitive, struct esprim_error *err)
{
	const int local = ESPRIM_RSC_DECRYPTION_ERROR;
	json_t *result;
	int rc;

	if (primitive)
		*primitive = NULL;
	if (!c || !primitive)
		return esprim_fail_local(err, EINVAL, local, "bad argument");
	rc = client_object_op(c, "open", NULL, NULL, "content", content, local,
			      &result, err);
	if (rc)
		return rc;
	rc = client_member(result, "primitive", primitive, "open", local, err);
	json_decref(result);
	return rc;
}

/* A request from a peer: the primitive, who sent it and its handle. */
static int client_notify_request(json_t *result, char **primitive,
				 char **originator, char **handle,
				 struct esprim_error *err)
{
	const int local = ESPRIM_RSC_DECRYPTION_ERROR;
	json_t *orig = json_object_get(result, "originator");
	json_t *hdl = json_object_get(result, "handle");
	int rc;

	if (!json_is_string(orig))
		return client_bad_reply(err, local, "notify", "originator");
	if (!json_is_string(hdl))
		return client_bad_reply(err, local, "notify", "handle");
	rc = client_member(result, "primitive", primitive, "notify", local,
			   err);
	if (rc)
		return rc;
	*originator = strdup(json_string_value(orig));
	*handle = strdup(json_string_value(hdl));
	if (*originator && *handle)
		return 0;
	free(*primitive);
	free(*originator);
	free(*handle);
	*primitive = *originator = *handle = NULL;
	return esprim_fail_local(err, ENOMEM, local, "out of memory");
}

int esprim_client_notify(struct esprim_client *c, const char *content,
			 char **primitive, char **originator, char **handle,
			 char **reply_content, struct esprim_error *err)
{
	const int local = ESPRIM_RSC_DECRYPTION_ERROR;
	const char *kind;
	json_t *result;
	int rc;

	if (!primitive || !originator || !handle || !reply_content || !c)
		return esprim_fail_local(err, EINVAL, local, "bad argument");
	*primitive = *originator = *handle = *reply_content = NULL;
	rc = client_object_op(c, "notify", NULL, NULL, "content", content,
			      local, &result, err);
	if (rc)
		return rc;
	kind = json_string_value(json_object_get(result, "kind"));
	if (kind && !strcmp(kind, "request"))
		rc = client_notify_request(result, primitive, originator,
					   handle, err);
	else if (kind && !strcmp(kind, "reply"))
		rc = client_member(result, "content", reply_content, "notify",
				   local, err);
	else
		rc = client_bad_reply(err, local, "notify", "kind");
	json_decref(result);
	return rc;
}

int esprim_client_respond(struct esprim_client *c, const char *handle,
			  const char *primitive, char **content,
			  struct esprim_error *err)
{
	return client_seal_op(c, "respond", "handle", handle, primitive,
			      content, err);
}
