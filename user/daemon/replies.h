/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar's memory of requests its CSE executed, with the responses
 * the CSE gave, so that a retried request is not executed twice: when the
 * originator's sidecar dies between sending a request and returning the
 * answer (kill -9, a lost connection), its AE sends the request again, and
 * the retry gets the first response.  A request is known by a digest of
 * its authenticated originator, rqi, op, to and pc.  Retrieves are never
 * kept (executing them again changes nothing).
 *
 * Bounded: REPLIES_MAX requests, REPLIES_MAX_BYTES of responses, each kept
 * REPLIES_TTL_MS; the oldest go first.
 */
#ifndef ESPRIMD_REPLIES_H
#define ESPRIMD_REPLIES_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#define REPLIES_MAX		4096
#define REPLIES_MAX_BYTES	(8u << 20)
#define REPLIES_TTL_MS		120000

struct replies;

/* Called once with the first execution's response (a borrowed reference). */
typedef void (*replies_ready)(json_t *rsp, void *userdata);

struct replies *replies_new(void);
/* Frees it; waiters still there are called with rsp NULL first. */
void replies_free(struct replies *r);

/* The digest of a request (prim, opened from originator). */
void replies_key(json_t *prim, const char *originator, uint8_t key[32]);

enum replies_state {
	REPLIES_EXECUTE,	/* new: execute it, then replies_done() */
	REPLIES_KNOWN,		/* executed: *rsp is the response (a ref) */
	REPLIES_WAITING,	/* being executed: ready is called later */
	REPLIES_UNKEPT,		/* not kept (a Retrieve, or full): execute */
};

/*
 * What to do with a request: see enum replies_state.  With
 * REPLIES_WAITING, ready(rsp, userdata) runs once when the first execution
 * ends (rsp NULL when it ended without a response from the CSE: execute it
 * then).
 */
enum replies_state replies_begin(struct replies *r, const uint8_t key[32],
				 json_t *prim, int64_t now_ms, json_t **rsp,
				 replies_ready ready, void *userdata);
/*
 * The execution of key ended: rsp is the CSE's response (kept, waiters
 * called with it), or NULL when there was none (forgotten; waiters called
 * with NULL).
 */
void replies_done(struct replies *r, const uint8_t key[32], json_t *rsp,
		  int64_t now_ms);

#endif /* ESPRIMD_REPLIES_H */
