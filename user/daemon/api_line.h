/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-line steps of esprimd's socket API (api.c), declared apart so
 * that its tests and the fuzz target (selftests/fuzz/fuzz_api.c) run the
 * very code the daemon runs: framing a buffer into lines, checking one
 * request line and finding its operation, and writing reply lines.  Not
 * part of the daemon's interface (api.h).
 */
#ifndef ESPRIMD_API_LINE_H
#define ESPRIMD_API_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "api.h"

#define ESPRIMD_API_MAX_ID	64	/* characters of a string id */

/*
 * The next line of buf: 1 with its length (without the newline) in
 * *line_len; 0 when more bytes are needed; -1 when no newline comes
 * within ESPRIMD_API_MAX_LINE bytes (the line is too long).
 */
int esprimd_api_split(const char *buf, size_t len, size_t *line_len);

/**
 * struct esprimd_api_request - one request line, checked
 * @req: the request object (a reference), NULL when the line is none
 * @id: its "id" (borrowed from @req), NULL when absent or invalid
 * @op: the operation to call, NULL when the request is refused
 * @rsc: refused: the RSC of the error reply (0 for an errno reply)
 * @errnum: refused: the errno of the error reply (0 for an RSC reply)
 * @message: refused: why, for the error reply
 */
struct esprimd_api_request {
	json_t *req;
	json_t *id;
	const struct esprimd_api_op *op;
	int rsc;
	int errnum;
	char message[200];
};

/*
 * Checks one line (without its newline) as the protocol says and looks
 * its "op" up in ops (ending with a NULL name), for a caller who is an
 * operator or not.  0: call r->op with r->req; -1: answer r's refusal
 * (with r->id when not NULL).  Release r either way.
 */
int esprimd_api_check_line(const char *line, size_t len,
			   const struct esprimd_api_op *ops, bool admin,
			   struct esprimd_api_request *r);
void esprimd_api_request_release(struct esprimd_api_request *r);

/*
 * Reply lines, compact JSON with "id" first (when id is not NULL) and a
 * final newline, malloc'ed, the length in *len; NULL only when out of
 * memory.  A reply that would exceed ESPRIMD_API_MAX_LINE becomes an
 * EMSGSIZE error.  Neither steals a reference.
 */
char *esprimd_api_ok_line(json_t *id, json_t *result, size_t *len);
char *esprimd_api_error_line(json_t *id, int rsc, int errnum,
			     const char *message, size_t *len);

#endif /* ESPRIMD_API_LINE_H */
