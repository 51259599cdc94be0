// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd's local API (api.h): a UNIX stream socket on the daemon's
 * sd-event loop, one JSON object per line each way
 * (Documentation/esprimd-socket.md).
 *
 * Nothing here blocks: sockets are non-blocking, replies are queued per
 * connection and written as the peer reads them.  A connection whose
 * queued output passes API_OUT_HIGH is not read from until it drains
 * (requests wait in the kernel's buffers), so a client that pipelines
 * requests and reads slowly is slowed down, not cut off; replies of
 * deferred operations still come, and a connection whose queue would
 * pass API_OUT_MAX is closed.
 *
 * A connection may go while operations of its calls are in flight: the
 * calls stay (the operations own them until they answer) with no
 * connection, and are freed silently when answered.
 *
 * Operations are called from the loop only, never from inside another
 * operation's or the daemon's code: answering a call queues its reply
 * and, when that frees room for held-back request lines, arms the
 * connection's defer source, which takes them on a later turn of the loop.
 * So the daemon may answer calls while it walks or updates its own state.
 *
 * A local user cannot lock others out: connections are capped per uid,
 * the last slots of the global cap are kept for operators, and a
 * connection idle for the idle timeout is closed.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "esprim.h"
#include "api.h"
#include "api_line.h"

#define API_OUT_MAX	(4 * 1024 * 1024)	/* queued output, then closed */
#define API_OUT_HIGH	(1024 * 1024)		/* stop reading requests above */
#define API_IN_MIN	4096			/* first input buffer */
#define API_ACCEPT_BURST 16			/* connections per wake-up */
/* How long a connection closed after an error may take to read it. */
#define API_LINGER_USEC	(5 * 1000000ULL)
/* How long accepting pauses when the process is out of descriptors. */
#define API_PAUSE_USEC	(100 * 1000ULL)
#define USEC_PER_MSEC	1000ULL

/**
 * struct api_conn - one client connection
 * @api: the server
 * @prev, @next: in the server's list
 * @fd: the socket
 * @io: its event source
 * @linger: closing: the timer that gives up waiting for the peer to read
 * @idle: the timer that closes it when idle (NULL while there is no timeout)
 * @defer: takes held-back lines and settles it on the next turn of the loop
 * @active: when the peer last sent or read bytes, or a call of it was
 *	answered (CLOCK_MONOTONIC, for @idle)
 * @peer: the credentials read at accept
 * @in, @in_len, @in_size: bytes read and not yet taken as lines
 * @out, @out_off, @out_len, @out_size: output, unsent from @out_off
 * @calls: calls in flight, answered or not
 * @in_flight: how many
 * @busy: handlers running on it; it is freed when the last one returns
 * @eof: the peer sends no more (it may still read)
 * @lines_pending: complete lines wait in @in until the output drains
 * @closing: an error was queued after which the connection closes
 * @dead: closed; freed as soon as it is not @busy
 */
struct api_conn {
	struct esprimd_api *api;
	struct api_conn *prev, *next;
	int fd;
	sd_event_source *io;
	sd_event_source *linger;
	sd_event_source *idle;
	sd_event_source *defer;
	uint64_t active;
	struct esprimd_api_peer peer;
	char *in;
	size_t in_len, in_size;
	char *out;
	size_t out_off, out_len, out_size;
	struct esprimd_api_call *calls;
	unsigned int in_flight;
	unsigned int busy;
	bool eof;
	bool lines_pending;
	bool closing;
	bool dead;
};

/**
 * struct esprimd_api_call - one request until its operation answers
 * @conn: the connection, NULL once it is gone
 * @prev, @next: in the connection's list
 * @id: the request's id, or NULL
 * @peer: the caller (a copy: valid until the call is answered)
 */
struct esprimd_api_call {
	struct api_conn *conn;
	struct esprimd_api_call *prev, *next;
	json_t *id;
	struct esprimd_api_peer peer;
	esprimd_api_local_done local_done;
	void *local_userdata;
};

/**
 * struct esprimd_api - the server
 * @event: the daemon's loop
 * @fd: the listening socket
 * @listen: its event source
 * @pause: out of descriptors: the timer that resumes accepting
 * @path: the socket's path
 * @dev, @ino: the socket file bound, unlinked at the end if still there
 * @admin_gid: the operators' group, (gid_t)-1 for none
 * @ops: the operations, ending with a NULL name
 * @userdata: for the operations
 * @conns: the connections
 * @n_conns: how many
 * @idle_usec: the idle timeout, 0 for none
 */
struct esprimd_api {
	sd_event *event;
	int fd;
	sd_event_source *listen;
	sd_event_source *pause;
	char *path;
	dev_t dev;
	ino_t ino;
	gid_t admin_gid;
	const struct esprimd_api_op *ops;
	void *userdata;
	struct api_conn *conns;
	unsigned int n_conns;
	uint64_t idle_usec;
};

/* ---- lines ---- */

int esprimd_api_split(const char *buf, size_t len, size_t *line_len)
{
	size_t scan = len < ESPRIMD_API_MAX_LINE ? len : ESPRIMD_API_MAX_LINE;
	const char *nl = memchr(buf, '\n', scan);

	if (nl) {
		*line_len = (size_t)(nl - buf);
		return 1;
	}
	return len >= ESPRIMD_API_MAX_LINE ? -1 : 0;
}

/* Characters (code points) of a string jansson accepted as UTF-8. */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

static bool id_valid(const json_t *id)
{
	if (json_is_integer(id))
		return true;
	return json_is_string(id) &&
	       utf8_chars(json_string_value(id), json_string_length(id)) <=
	       ESPRIMD_API_MAX_ID;
}

static int refuse(struct esprimd_api_request *r, int rsc, int errnum,
		  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct esprimd_api_request *r, int rsc, int errnum,
		  const char *fmt, ...)
{
	va_list ap;

	r->op = NULL;
	r->rsc = rsc;
	r->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return -1;
}

int esprimd_api_check_line(const char *line, size_t len,
			   const struct esprimd_api_op *ops, bool admin,
			   struct esprimd_api_request *r)
{
	const struct esprimd_api_op *op;
	json_error_t jerr;
	const char *name;
	json_t *id, *jop;

	memset(r, 0, sizeof(*r));
	/*
	 * Without JSON_ALLOW_NUL: no string of a request holds a NUL.  Any
	 * value is parsed, for a clearer message when it is no object.
	 */
	r->req = json_loadb(line, len, JSON_REJECT_DUPLICATES |
			    JSON_DECODE_ANY, &jerr);
	if (!r->req)
		return refuse(r, ESPRIM_RSC_BAD_REQUEST, 0,
			      "malformed JSON at byte %d: %s", jerr.position,
			      jerr.text);
	if (!json_is_object(r->req))
		return refuse(r, ESPRIM_RSC_BAD_REQUEST, 0,
			      "a request is a JSON object");
	id = json_object_get(r->req, "id");
	if (id && !id_valid(id))
		return refuse(r, ESPRIM_RSC_BAD_REQUEST, 0,
			      "id must be a string of at most %d characters or an integer",
			      ESPRIMD_API_MAX_ID);
	r->id = id;
	jop = json_object_get(r->req, "op");
	if (!jop)
		return refuse(r, ESPRIM_RSC_BAD_REQUEST, 0, "op missing");
	if (!json_is_string(jop))
		return refuse(r, ESPRIM_RSC_BAD_REQUEST, 0,
			      "op must be a string");
	name = json_string_value(jop);
	for (op = ops; op->name; op++)
		if (!strcmp(op->name, name))
			break;
	if (!op->name)
		return refuse(r, ESPRIM_RSC_BAD_REQUEST, 0, "unknown op");
	if (op->admin && !admin)
		return refuse(r, 0, EACCES, "op %s is for operators", op->name);
	r->op = op;
	return 0;
}

void esprimd_api_request_release(struct esprimd_api_request *r)
{
	json_decref(r->req);
	r->req = NULL;
	r->id = NULL;
}

/* The message as a JSON string: bytes that are not UTF-8 become '?'. */
static json_t *message_string(const char *msg)
{
	json_t *s = json_string(msg);
	char *copy, *p;

	if (s)
		return s;
	copy = strdup(msg);
	if (!copy)
		return NULL;
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	s = json_string(copy);
	free(copy);
	return s;
}

/* The text of reply with its newline; NULL when too long or no memory. */
static char *reply_text(json_t *reply, size_t *len, size_t *too_long)
{
	char *text = json_dumps(reply, JSON_COMPACT), *line;
	size_t n;

	*too_long = 0;
	if (!text)
		return NULL;
	n = strlen(text);
	if (n + 1 > ESPRIMD_API_MAX_LINE) {
		*too_long = n + 1;
		free(text);
		return NULL;
	}
	line = realloc(text, n + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

char *esprimd_api_error_line(json_t *id, int rsc, int errnum,
			     const char *message, size_t *len)
{
	json_t *reply = json_object();
	const char *name;
	char fallback[32];
	size_t too_long;
	char *line;
	int bad = 0;

	if (!reply)
		return NULL;
	if (errnum < 0)
		errnum = -errnum;
	if (rsc <= 0 && !errnum)
		errnum = EIO;	/* an operation that gave no reason */
	if (id)
		bad |= json_object_set(reply, "id", id);
	bad |= json_object_set_new(reply, "ok", json_false());
	if (rsc > 0) {
		name = esprim_rsc_name(rsc);
		if (!name) {
			snprintf(fallback, sizeof(fallback), "RSC_%d", rsc);
			name = fallback;
		}
		bad |= json_object_set_new(reply, "rsc", json_integer(rsc));
	} else {
		name = strerrorname_np(errnum);
		if (!name) {
			snprintf(fallback, sizeof(fallback), "ERRNO_%d", errnum);
			name = fallback;
		}
	}
	bad |= json_object_set_new(reply, "error", json_string(name));
	if (errnum)
		bad |= json_object_set_new(reply, "errno", json_integer(errnum));
	bad |= json_object_set_new(reply, "message", message_string(message));
	line = bad ? NULL : reply_text(reply, len, &too_long);
	json_decref(reply);
	return line;
}

char *esprimd_api_ok_line(json_t *id, json_t *result, size_t *len)
{
	json_t *reply = json_object(), *value;
	char message[80];
	const char *key;
	size_t too_long;
	char *line;
	int bad = 0;

	if (!reply)
		return NULL;
	if (id)
		bad |= json_object_set(reply, "id", id);
	bad |= json_object_set_new(reply, "ok", json_true());
	/* An operation's "id" or "ok" would contradict the reply's own. */
	json_object_foreach(result, key, value)
		if (strcmp(key, "id") && strcmp(key, "ok"))
			bad |= json_object_set(reply, key, value);
	line = bad ? NULL : reply_text(reply, len, &too_long);
	json_decref(reply);
	if (line || !too_long)
		return line;
	snprintf(message, sizeof(message),
		 "the reply of %zu bytes exceeds the line limit", too_long);
	return esprimd_api_error_line(id, 0, EMSGSIZE, message, len);
}

/* ---- connections ---- */

static void conn_free(struct api_conn *conn)
{
	free(conn->in);
	free(conn->out);
	free(conn);
}

/*
 * Closes the connection: its calls lose it, its socket goes.  The memory
 * stays while a handler runs on it (busy); the last one frees it.
 */
static void conn_kill(struct api_conn *conn)
{
	struct esprimd_api *api = conn->api;
	struct esprimd_api_call *call;

	if (conn->dead)
		return;
	conn->dead = true;
	while ((call = conn->calls)) {
		conn->calls = call->next;
		call->conn = NULL;
		call->prev = call->next = NULL;
	}
	conn->in_flight = 0;
	conn->io = sd_event_source_disable_unref(conn->io);
	conn->linger = sd_event_source_disable_unref(conn->linger);
	conn->idle = sd_event_source_disable_unref(conn->idle);
	conn->defer = sd_event_source_disable_unref(conn->defer);
	close(conn->fd);
	conn->fd = -1;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		api->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	api->n_conns--;
	conn->api = NULL;
	if (!conn->busy)
		conn_free(conn);
}

static void conn_hold(struct api_conn *conn)
{
	conn->busy++;
}

/* Drops a hold; the connection may be gone after. */
static void conn_put(struct api_conn *conn)
{
	if (!--conn->busy && conn->dead)
		conn_free(conn);
}

/* The loop's time of this turn: cheap, and exact enough for idleness. */
static uint64_t api_now(struct esprimd_api *api)
{
	uint64_t now = 0;

	sd_event_now(api->event, CLOCK_MONOTONIC, &now);
	return now;
}

static void conn_touch(struct api_conn *conn)
{
	conn->active = api_now(conn->api);
}

/*
 * Has conn settled (and its held-back lines taken) on the next turn of
 * the loop, not in the caller's code; false when that failed and the
 * connection was closed.
 */
static bool conn_settle_later(struct api_conn *conn)
{
	if (sd_event_source_set_enabled(conn->defer, SD_EVENT_ONESHOT) >= 0)
		return true;
	conn_kill(conn);
	return false;
}

/* Writes what the socket takes; false when the connection broke. */
static bool conn_flush(struct api_conn *conn)
{
	ssize_t n;

	while (conn->out_off < conn->out_len) {
		n = send(conn->fd, conn->out + conn->out_off,
			 conn->out_len - conn->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return true;
			conn_kill(conn);
			return false;
		}
		conn->out_off += (size_t)n;
		conn_touch(conn);	/* the peer reads: not idle */
	}
	conn->out_off = conn->out_len = 0;
	/* A burst of big replies need not keep its buffer for ever. */
	if (conn->out_size > API_OUT_HIGH) {
		free(conn->out);
		conn->out = NULL;
		conn->out_size = 0;
	}
	return true;
}

/* Queues a line (taking it) and writes what the socket takes. */
static void conn_send(struct api_conn *conn, char *line, size_t len)
{
	size_t queued = conn->out_len - conn->out_off, size;
	char *out;

	if (!line || queued + len > API_OUT_MAX) {
		/* Out of memory, or a peer that does not read its replies. */
		free(line);
		conn_kill(conn);
		return;
	}
	if (conn->out_off) {
		memmove(conn->out, conn->out + conn->out_off, queued);
		conn->out_off = 0;
		conn->out_len = queued;
	}
	if (queued + len > conn->out_size) {
		size = conn->out_size ? conn->out_size : API_IN_MIN;
		while (size < queued + len)
			size *= 2;
		out = realloc(conn->out, size);
		if (!out) {
			free(line);
			conn_kill(conn);
			return;
		}
		conn->out = out;
		conn->out_size = size;
	}
	memcpy(conn->out + conn->out_len, line, len);
	conn->out_len += len;
	free(line);
	conn_flush(conn);
}

static void conn_send_error(struct api_conn *conn, json_t *id, int rsc,
			    int errnum, const char *message)
{
	size_t len = 0;
	char *line = esprimd_api_error_line(id, rsc, errnum, message, &len);

	conn_send(conn, line, len);
}

static void call_unlink(struct esprimd_api_call *call)
{
	struct api_conn *conn = call->conn;

	if (!conn)
		return;
	if (call->prev)
		call->prev->next = call->next;
	else
		conn->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	conn->in_flight--;
	call->conn = NULL;
}

static void call_free(struct esprimd_api_call *call)
{
	json_decref(call->id);
	free(call);
}

/* One request line: refused, or handed to its operation. */
static void conn_line(struct api_conn *conn, const char *line, size_t len)
{
	struct esprimd_api *api = conn->api;
	struct esprimd_api_request r;
	struct esprimd_api_call *call;

	if (esprimd_api_check_line(line, len, api->ops, conn->peer.admin,
				   &r)) {
		conn_send_error(conn, r.id, r.rsc, r.errnum, r.message);
		goto out;
	}
	if (conn->in_flight >= ESPRIMD_API_MAX_IN_FLIGHT) {
		conn_send_error(conn, r.id, 0, EBUSY,
				"too many requests in flight on this connection");
		goto out;
	}
	call = calloc(1, sizeof(*call));
	if (!call) {
		conn_send_error(conn, r.id, 0, ENOMEM, "out of memory");
		goto out;
	}
	call->conn = conn;
	call->id = json_incref(r.id);
	call->peer = conn->peer;
	call->next = conn->calls;
	if (call->next)
		call->next->prev = call;
	conn->calls = call;
	conn->in_flight++;
	/* It may answer at once, and so close the connection. */
	r.op->fn(call, &call->peer, r.req, api->userdata);
out:
	esprimd_api_request_release(&r);
}

/*
 * Takes the complete lines read, while the output is not backed up.  It
 * calls operations: only from the loop's handlers of the connection
 * (conn_io(), conn_deferred()), never from the answering functions.
 */
static void conn_lines(struct api_conn *conn)
{
	size_t off = 0, len;
	char msg[96];
	int rc;

	conn->lines_pending = false;
	while (!conn->dead && !conn->closing) {
		if (conn->out_len - conn->out_off >= API_OUT_HIGH) {
			conn->lines_pending = true;
			break;
		}
		rc = esprimd_api_split(conn->in + off, conn->in_len - off,
				       &len);
		if (rc < 0) {
			conn->closing = true;
			snprintf(msg, sizeof(msg),
				 "line too long (the limit is %d bytes with its newline); closing",
				 ESPRIMD_API_MAX_LINE);
			conn_send_error(conn, NULL, ESPRIM_RSC_BAD_REQUEST, 0,
					msg);
			break;
		}
		if (!rc)
			break;
		conn_line(conn, conn->in + off, len);
		off += len + 1;
	}
	if (conn->dead || !off)
		return;
	conn->in_len -= off;
	memmove(conn->in, conn->in + off, conn->in_len);
}

/* Reads once; false when the connection broke. */
static bool conn_read(struct api_conn *conn)
{
	size_t size;
	ssize_t n;
	char *in;

	if (conn->in_len == conn->in_size) {
		size = conn->in_size ? conn->in_size * 2 : API_IN_MIN;
		if (size > ESPRIMD_API_MAX_LINE)
			size = ESPRIMD_API_MAX_LINE;
		if (size == conn->in_size)
			return true;	/* a long line, seen by conn_lines() */
		in = realloc(conn->in, size);
		if (!in) {
			conn_kill(conn);
			return false;
		}
		conn->in = in;
		conn->in_size = size;
	}
	n = recv(conn->fd, conn->in + conn->in_len,
		 conn->in_size - conn->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return true;
		conn_kill(conn);
		return false;
	}
	if (!n)
		conn->eof = true;
	else
		conn_touch(conn);
	conn->in_len += (size_t)n;
	return true;
}

static int conn_linger_done(sd_event_source *s, uint64_t usec, void *data)
{
	conn_kill(data);
	return 0;
}

/*
 * After anything happened: closes a connection that is done (an error
 * that closes it was written, or the peer sends no more and every call
 * was answered and written), else watches what it waits for.  It calls
 * no operation: lines held back that may be taken now are left to the
 * defer source.
 */
static void conn_settle(struct api_conn *conn)
{
	uint32_t events = 0;
	size_t queued;

	if (conn->dead)
		return;
	queued = conn->out_len - conn->out_off;
	/* Lines held back while the output was backed up. */
	if (conn->lines_pending && queued < API_OUT_HIGH &&
	    !conn_settle_later(conn))
		return;
	if (conn->closing ||
	    (conn->eof && !conn->in_flight && !conn->lines_pending)) {
		if (!queued) {
			conn_kill(conn);
			return;
		}
		if (conn->closing && !conn->linger &&
		    sd_event_add_time_relative(conn->api->event, &conn->linger,
					       CLOCK_MONOTONIC, API_LINGER_USEC,
					       0, conn_linger_done, conn) < 0) {
			conn_kill(conn);
			return;
		}
	}
	if (queued)
		events |= EPOLLOUT;
	if (!conn->eof && !conn->closing && !conn->lines_pending &&
	    queued < API_OUT_HIGH)
		events |= EPOLLIN;
	if (sd_event_source_set_io_events(conn->io, events) < 0)
		conn_kill(conn);
}

static int conn_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct api_conn *conn = data;

	conn_hold(conn);
	/* The peer closed both ways: nobody reads the replies. */
	if (revents & (EPOLLERR | EPOLLHUP)) {
		conn_kill(conn);
		goto out;
	}
	if ((revents & EPOLLOUT) && !conn_flush(conn))
		goto out;
	if ((revents & EPOLLIN) && !conn_read(conn))
		goto out;
	conn_lines(conn);
	conn_settle(conn);
out:
	conn_put(conn);
	return 0;
}

/* The next turn of the loop after a call was answered, or room came. */
static int conn_deferred(sd_event_source *s, void *data)
{
	struct api_conn *conn = data;

	conn_hold(conn);
	conn_lines(conn);
	conn_settle(conn);
	conn_put(conn);
	return 0;
}

static int conn_idle_check(sd_event_source *s, uint64_t usec, void *data);

/* (Re)arms the idle timer for when; a negative errno when it cannot. */
static int conn_idle_arm(struct api_conn *conn, uint64_t when)
{
	struct esprimd_api *api = conn->api;
	int rc;

	if (!api->idle_usec)
		return conn->idle ? sd_event_source_set_enabled(conn->idle,
								SD_EVENT_OFF) : 0;
	if (!conn->idle)
		/* Idleness is coarse: let the loop batch its wake-ups. */
		return sd_event_add_time(api->event, &conn->idle,
					 CLOCK_MONOTONIC, when,
					 api->idle_usec / 16, conn_idle_check,
					 conn);
	rc = sd_event_source_set_time(conn->idle, when);
	if (rc >= 0)
		rc = sd_event_source_set_enabled(conn->idle, SD_EVENT_ONESHOT);
	return rc;
}

/*
 * The idle timer: a connection that has sent nothing, read nothing and
 * had no call in flight for the timeout is told so and closed, its slot
 * freed for others; else the timer is armed for the earliest time it
 * can be.
 */
static int conn_idle_check(sd_event_source *s, uint64_t usec, void *data)
{
	struct api_conn *conn = data;
	uint64_t idle = conn->api->idle_usec, now = api_now(conn->api), when;
	char msg[96];

	if (conn->closing)
		return 0;	/* the linger timer ends it */
	if (conn->in_flight)
		when = now + idle;	/* answering it touches it */
	else if (conn->active + idle > now)
		when = conn->active + idle;
	else
		when = 0;
	if (when) {
		if (conn_idle_arm(conn, when) < 0)
			conn_kill(conn);
		return 0;
	}
	if (idle % (1000 * USEC_PER_MSEC))
		snprintf(msg, sizeof(msg), "idle for %llu ms; closing",
			 (unsigned long long)(idle / USEC_PER_MSEC));
	else
		snprintf(msg, sizeof(msg), "idle for %llu s; closing",
			 (unsigned long long)(idle / 1000 / USEC_PER_MSEC));
	conn_hold(conn);
	conn->closing = true;
	conn_send_error(conn, NULL, 0, ETIMEDOUT, msg);
	conn_settle(conn);
	conn_put(conn);
	return 0;
}

/* ---- credentials ---- */

/*
 * Whether the user's group list (the database's, as getgrouplist() reads
 * it from the passwd entry: the peer's own supplementary groups cannot be
 * read without a race) holds gid.
 */
static bool user_in_group(uid_t uid, gid_t gid)
{
	struct passwd pw, *res = NULL;
	gid_t *groups = NULL, *g;
	size_t buf_size = 4096;
	char *buf = NULL, *b;
	bool found = false;
	int n = 64, i, rc;

	for (;;) {
		b = realloc(buf, buf_size);
		if (!b)
			goto out;
		buf = b;
		rc = getpwuid_r(uid, &pw, buf, buf_size, &res);
		if (rc != ERANGE || buf_size >= 1024 * 1024)
			break;
		buf_size *= 2;
	}
	if (rc || !res)
		goto out;
	for (;;) {
		g = realloc(groups, (size_t)n * sizeof(*groups));
		if (!g)
			goto out;
		groups = g;
		i = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) >= 0)
			break;
		if (n <= i)	/* no growth asked for: give up */
			goto out;
	}
	for (i = 0; i < n && !found; i++)
		found = groups[i] == gid;
out:
	free(groups);
	free(buf);
	return found;
}

static bool peer_admin(gid_t admin_gid, const struct esprimd_api_peer *peer)
{
	if (!peer->uid)
		return true;
	if (admin_gid == (gid_t)-1)
		return false;
	return peer->gid == admin_gid || user_in_group(peer->uid, admin_gid);
}

/* ---- the listening socket ---- */

static void api_refuse_conn(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void api_refuse_conn(int fd, const char *fmt, ...)
{
	char message[128];
	size_t len = 0;
	va_list ap;
	char *line;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	line = esprimd_api_error_line(NULL, 0, EBUSY, message, &len);

	/* A fresh socket takes a short line; if not, closing says enough. */
	if (line && send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		line[0] = '\0';
	free(line);
	close(fd);
}

static unsigned int api_conns_of(const struct esprimd_api *api, uid_t uid)
{
	const struct api_conn *conn;
	unsigned int n = 0;

	for (conn = api->conns; conn; conn = conn->next)
		n += conn->peer.uid == uid;
	return n;
}

/*
 * The limits, each named in its refusal: the per-uid one before the
 * group database is asked whether the caller is an operator.
 */
static bool api_admit(struct esprimd_api *api, int fd,
		      struct esprimd_api_peer *peer)
{
	if (api_conns_of(api, peer->uid) >= ESPRIMD_API_MAX_CLIENTS_PER_UID) {
		api_refuse_conn(fd, "too many connections of uid %u (the limit is %d per user)",
				(unsigned int)peer->uid,
				ESPRIMD_API_MAX_CLIENTS_PER_UID);
		return false;
	}
	peer->admin = peer_admin(api->admin_gid, peer);
	if (!peer->admin && api->n_conns >= ESPRIMD_API_MAX_CLIENTS -
					    ESPRIMD_API_ADMIN_RESERVE) {
		api_refuse_conn(fd, "too many connections (the last %d of %d are kept for operators)",
				ESPRIMD_API_ADMIN_RESERVE,
				ESPRIMD_API_MAX_CLIENTS);
		return false;
	}
	return true;
}

static void api_accept_one(struct esprimd_api *api, int fd)
{
	struct esprimd_api_peer peer = { 0 };
	struct api_conn *conn;
	struct ucred cred;
	socklen_t cred_len = sizeof(cred);

	if (api->n_conns >= ESPRIMD_API_MAX_CLIENTS) {
		api_refuse_conn(fd, "too many connections (the limit is %d)",
				ESPRIMD_API_MAX_CLIENTS);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0 ||
	    cred_len != sizeof(cred)) {
		close(fd);
		return;
	}
	peer.pid = cred.pid;
	peer.uid = cred.uid;
	peer.gid = cred.gid;
	if (!api_admit(api, fd, &peer))
		return;
	conn = calloc(1, sizeof(*conn));
	if (!conn) {
		close(fd);
		return;
	}
	conn->api = api;
	conn->fd = fd;
	conn->peer = peer;
	conn->active = api_now(api);
	if (sd_event_add_io(api->event, &conn->io, fd, EPOLLIN, conn_io,
			    conn) < 0 ||
	    sd_event_add_defer(api->event, &conn->defer, conn_deferred,
			       conn) < 0 ||
	    sd_event_source_set_enabled(conn->defer, SD_EVENT_OFF) < 0 ||
	    conn_idle_arm(conn, conn->active + api->idle_usec) < 0) {
		sd_event_source_disable_unref(conn->io);
		sd_event_source_disable_unref(conn->defer);
		sd_event_source_disable_unref(conn->idle);
		close(fd);
		free(conn);
		return;
	}
	conn->next = api->conns;
	if (conn->next)
		conn->next->prev = conn;
	api->conns = conn;
	api->n_conns++;
}

static int api_resume(sd_event_source *s, uint64_t usec, void *data)
{
	struct esprimd_api *api = data;

	api->pause = sd_event_source_disable_unref(api->pause);
	sd_event_source_set_enabled(api->listen, SD_EVENT_ON);
	return 0;
}

static int api_accept(sd_event_source *s, int lfd, uint32_t revents,
		      void *data)
{
	struct esprimd_api *api = data;
	int i, fd;

	for (i = 0; i < API_ACCEPT_BURST; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			api_accept_one(api, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/*
			 * The waiting connection stays readable: pause
			 * rather than spin until descriptors are free.
			 */
			if (!api->pause &&
			    sd_event_add_time_relative(api->event, &api->pause,
						       CLOCK_MONOTONIC,
						       API_PAUSE_USEC, 0,
						       api_resume, api) >= 0)
				sd_event_source_set_enabled(api->listen,
							    SD_EVENT_OFF);
		}
		break;
	}
	return 0;
}

/*
 * Removes a socket left by a daemon that is gone; refuses when something
 * answers on it, or when path is no socket.
 */
static int api_clear_path(const char *path, const struct sockaddr_un *sa,
			  char *err, size_t err_size)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, err_size, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, err_size, "socket: %s", strerror(-rc));
		return rc;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	rc = rc < 0 ? -errno : 0;
	close(fd);
	/* EAGAIN: a listener whose backlog is full, still a listener. */
	if (!rc || rc == -EAGAIN) {
		snprintf(err, err_size,
			 "%s: another daemon answers on this socket", path);
		return -EADDRINUSE;
	}
	if (rc != -ECONNREFUSED) {
		snprintf(err, err_size, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, err_size, "%s: removing the stale socket: %s",
			 path, strerror(-rc));
		return rc;
	}
	return 0;
}

static int api_listen(struct esprimd_api *api, const char *path, char *err,
		      size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_size, "socket path too long (%zu bytes at most)",
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	rc = api_clear_path(path, &sa, err, err_size);
	if (rc)
		return rc;
	api->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 0);
	if (api->fd < 0) {
		rc = -errno;
		snprintf(err, err_size, "socket: %s", strerror(-rc));
		return rc;
	}
	if (bind(api->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		snprintf(err, err_size, "bind %s: %s", path, strerror(-rc));
		return rc;
	}
	/* Who may do what is checked per operation (the protocol). */
	if (chmod(path, 0666) < 0 || stat(path, &st) < 0) {
		rc = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(-rc));
		unlink(path);
		return rc;
	}
	api->dev = st.st_dev;
	api->ino = st.st_ino;
	if (listen(api->fd, SOMAXCONN) < 0) {
		rc = -errno;
		snprintf(err, err_size, "listen %s: %s", path, strerror(-rc));
		unlink(path);
		return rc;
	}
	return 0;
}

int esprimd_api_new(struct esprimd_api **apip, sd_event *event,
		    const char *path, gid_t admin_gid,
		    const struct esprimd_api_op *ops, void *userdata,
		    char *err, size_t err_size)
{
	struct esprimd_api *api;
	int rc;

	*apip = NULL;
	if (!event || !path || !*path || !ops) {
		snprintf(err, err_size, "esprimd_api_new: bad argument");
		return -EINVAL;
	}
	api = calloc(1, sizeof(*api));
	if (api)
		api->path = strdup(path);
	if (!api || !api->path) {
		free(api);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	api->fd = -1;
	api->event = sd_event_ref(event);
	api->admin_gid = admin_gid;
	api->idle_usec = ESPRIMD_API_IDLE_S * 1000 * USEC_PER_MSEC;
	api->ops = ops;
	api->userdata = userdata;
	rc = api_listen(api, path, err, err_size);
	if (rc)
		goto fail;
	rc = sd_event_add_io(event, &api->listen, api->fd, EPOLLIN,
			     api_accept, api);
	if (rc < 0) {
		snprintf(err, err_size, "sd_event_add_io: %s", strerror(-rc));
		unlink(path);
		goto fail;
	}
	*apip = api;
	return 0;
fail:
	api->ino = 0;	/* not ours to unlink */
	esprimd_api_free(api);
	return rc;
}

void esprimd_api_free(struct esprimd_api *api)
{
	struct stat st;

	if (!api)
		return;
	while (api->conns)
		conn_kill(api->conns);
	api->listen = sd_event_source_disable_unref(api->listen);
	api->pause = sd_event_source_disable_unref(api->pause);
	if (api->fd >= 0)
		close(api->fd);
	/* Our socket only: a daemon started since may have replaced it. */
	if (api->ino && !lstat(api->path, &st) && st.st_dev == api->dev &&
	    st.st_ino == api->ino)
		unlink(api->path);
	sd_event_unref(api->event);
	free(api->path);
	free(api);
}

void esprimd_api_set_admin_gid(struct esprimd_api *api, gid_t admin_gid)
{
	struct api_conn *conn;

	api->admin_gid = admin_gid;
	/* A reload applies to the connections there are too. */
	for (conn = api->conns; conn; conn = conn->next)
		conn->peer.admin = peer_admin(admin_gid, &conn->peer);
}

void esprimd_api_set_idle_timeout(struct esprimd_api *api, unsigned int ms)
{
	struct api_conn *conn, *next;

	api->idle_usec = ms * USEC_PER_MSEC;
	for (conn = api->conns; conn; conn = next) {
		next = conn->next;
		if (!conn->closing &&
		    conn_idle_arm(conn, conn->active + api->idle_usec) < 0)
			conn_kill(conn);
	}
}

/* ---- answers ---- */

/*
 * Sends a reply line for call (taking it) and frees the call.  It calls
 * no operation: the caller may be in the middle of updating the state
 * operations see, so the lines this reply makes room for are taken on the
 * next turn of the loop.
 */
static void call_answer(struct esprimd_api_call *call, char *line, size_t len)
{
	struct api_conn *conn = call->conn;

	call_unlink(call);
	call_free(call);
	if (!conn) {
		free(line);
		return;
	}
	conn_hold(conn);
	conn_touch(conn);
	conn_send(conn, line, len);
	/* Inside a handler of the connection, the handler settles it. */
	if (conn->busy == 1 && !conn->dead)
		conn_settle_later(conn);
	conn_put(conn);
}

struct esprimd_api_call *esprimd_api_local_call(esprimd_api_local_done done,
					       void *userdata)
{
	struct esprimd_api_call *call = calloc(1, sizeof(*call));

	if (call) {
		call->local_done = done;
		call->local_userdata = userdata;
	}
	return call;
}

/* A local call's answer: its callback, then the call is gone. */
static void local_answer(struct esprimd_api_call *call, json_t *reply)
{
	call->local_done(reply, call->local_userdata);
	json_decref(reply);
	call_free(call);
}

void esprimd_api_reply(struct esprimd_api_call *call, json_t *result)
{
	char *line = NULL;
	size_t len = 0;

	if (call->local_done) {
		json_t *reply = result ? json_pack("{s:b}", "ok", 1) : NULL;

		/* A result not built (out of memory) is no success. */
		if (reply && json_is_object(result)) {
			json_object_update(reply, result);
		} else {
			json_decref(reply);
			reply = json_pack("{s:b,s:i,s:i,s:s}", "ok", 0, "rsc", 0,
					  "errno", ENOMEM, "message",
					  "out of memory");
		}
		json_decref(result);
		local_answer(call, reply);
		return;
	}

	if (call->conn)
		line = esprimd_api_ok_line(call->id, result, &len);
	json_decref(result);
	call_answer(call, line, len);
}

void esprimd_api_error(struct esprimd_api_call *call, int rsc, int errnum,
		       const char *fmt, ...)
{
	char message[512];
	char *line = NULL;
	size_t len = 0;
	va_list ap;

	if (call->local_done) {
		va_start(ap, fmt);
		vsnprintf(message, sizeof(message), fmt, ap);
		va_end(ap);
		local_answer(call, json_pack("{s:b,s:i,s:i,s:s}", "ok", 0,
					     "rsc", rsc, "errno", errnum,
					     "message", message));
		return;
	}
	if (call->conn) {
		va_start(ap, fmt);
		vsnprintf(message, sizeof(message), fmt, ap);
		va_end(ap);
		line = esprimd_api_error_line(call->id, rsc, errnum, message,
					      &len);
	}
	call_answer(call, line, len);
}

bool esprimd_api_call_alive(const struct esprimd_api_call *call)
{
	return call->conn || call->local_done;
}
