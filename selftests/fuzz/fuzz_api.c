// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for esprimd's socket API (user/daemon/api.c): the bytes
 * a client sends, through the steps the daemon runs on them
 * (api_line.h): framing into lines, each line checked and its operation
 * looked up, and the reply line written, an echo of the request when it
 * is accepted and the refusal when not, as well as an operation's error
 * with the line as its message.
 *
 * The first input byte: bit 0, the caller is an operator; the rest is the
 * stream.  Every reply is checked to be what the protocol says: one line
 * within the limit, a JSON object with a boolean "ok", "id" first and the
 * request's when it had a valid one, none otherwise.
 * Built with -fsanitize=fuzzer,address,undefined; seeds in seeds/api/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api.h"
#include "api_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void op_none(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
}

static const struct esprimd_api_op ops[] = {
	{ "hello", op_none, false },
	{ "seal", op_none, false },
	{ "open", op_none, false },
	{ "status", op_none, true },
	{ "reload", op_none, true },
	{ NULL, NULL, false },
};

/* A reply line as the protocol says, with id (NULL: none) first. */
static void check_reply(char *line, size_t len, json_t *id)
{
	json_t *reply, *first;
	void *iter;

	if (!line || !len || len > ESPRIMD_API_MAX_LINE ||
	    line[len - 1] != '\n' || memchr(line, '\n', len - 1) ||
	    strlen(line) != len)
		abort();
	reply = json_loadb(line, len - 1, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(reply) ||
	    !json_is_boolean(json_object_get(reply, "ok")))
		abort();
	iter = json_object_iter(reply);
	first = id ? json_object_iter_value(iter) : NULL;
	if (id && (strcmp(json_object_iter_key(iter), "id") ||
		   !json_equal(first, id)))
		abort();
	if (!id && json_object_get(reply, "id"))
		abort();
	json_decref(reply);
	free(line);
}

static void one_line(const char *line, size_t len, bool admin)
{
	struct esprimd_api_request r;
	char message[512];
	size_t out_len = 0;
	int rc;

	rc = esprimd_api_check_line(line, len, ops, admin, &r);
	if (!rc) {
		/* Accepted: a string op of the table, for this caller. */
		if (!r.op || !json_is_object(r.req) ||
		    strcmp(json_string_value(json_object_get(r.req, "op")),
			   r.op->name) || (r.op->admin && !admin))
			abort();
		check_reply(esprimd_api_ok_line(r.id, r.req, &out_len), out_len,
			    r.id);
	} else {
		if (r.op || (r.rsc <= 0 && r.errnum <= 0))
			abort();
		check_reply(esprimd_api_error_line(r.id, r.rsc, r.errnum,
						   r.message, &out_len),
			    out_len, r.id);
	}
	/* An operation's error whose message has the peer's bytes. */
	snprintf(message, sizeof(message), "%.*s",
		 (int)(len < 511 ? len : 511), line);
	check_reply(esprimd_api_error_line(r.id, len % 4 ? 4112 : 0,
					   (int)(len % 5) - 2, message,
					   &out_len),
		    out_len, r.id);
	esprimd_api_request_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 1;
	size_t len, off = 0;
	bool admin;
	int rc;

	if (!size)
		return 0;
	admin = data[0] & 1;
	size--;
	while (off < size) {
		rc = esprimd_api_split(buf + off, size - off, &len);
		if (rc < 0) {
			/* The daemon answers and closes. */
			len = 0;
			check_reply(esprimd_api_error_line(NULL, 4000, 0,
							   "line too long",
							   &len), len, NULL);
			break;
		}
		if (!rc)
			break;	/* the daemon waits for the rest */
		if (buf[off + len] != '\n' ||
		    memchr(buf + off, '\n', len))
			abort();
		one_line(buf + off, len, admin);
		off += len + 1;
	}
	return 0;
}
