/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the HTTP binding share: the object (http.c), the
 * server (http_server.c), the client (http_client.c), the checks of a
 * request as it arrives (http_check.c) and the TS-0009 status map
 * (http_status.c).  Tests and the fuzz target include it too.
 */
#ifndef ESPRIMD_HTTP_INTERNAL_H
#define ESPRIMD_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define HTTP_ID_MAX		256	/* X-M2M-Origin, X-M2M-RI */
#define HTTP_PATH_MAX		512
#define HTTP_MAX_CONNECTIONS	256	/* per listen address */
#define HTTP_MAX_CONNECTIONS_PER_IP	64	/* of them, per client address */
#define HTTP_DEFAULT_TIMEOUT_MS	10000	/* when timeout_ms is 0 */

struct http_listener;
struct http_client;

/**
 * struct esprimd_http - the server and client of one daemon
 * @event: the loop everything runs on
 * @handler: called for every checked request
 * @userdata: the handler's
 * @timeout_ms: per client request; the server's idle connection timeout
 *	is this rounded up to seconds
 * @listeners: one MHD daemon per listen address
 * @n_listeners: how many
 * @waiting: requests the handler has and has not answered (their
 *	connections suspended), a list through their @prev and @next
 * @conn_open: connections the server holds now
 * @conn_total: connections it has accepted
 * @client: libcurl's side
 * @closing: esprimd_http_free() is under way: no new requests
 * @raw_handler: sidecar mode: every request goes there as received
 * @raw_userdata: its
 */
struct esprimd_http {
	sd_event *event;
	esprimd_http_handler handler;
	void *userdata;
	unsigned int timeout_ms;
	struct http_listener *listeners;
	size_t n_listeners;
	struct esprimd_http_request *waiting;
	unsigned long conn_open;
	unsigned long conn_total;
	struct http_client *client;
	bool closing;
	esprimd_http_raw_handler raw_handler;
	void *raw_userdata;
};

/*
 * The timeout of libmicrohttpd or libcurl on sd-event: ms < 0 none, 0 "at
 * once" (the defer source kick, no timerfd), else the timer with a slack
 * of 1/16 of it (at most 250 ms).  Their timeouts move with every request
 * (an idle connection's, a transfer's); the slack lets sd-event keep its
 * timerfd as it is rather than set it again each time.
 */
int http_timeout_arm(struct esprimd_http *http, sd_event_source *timer,
		     sd_event_source *kick, long long ms);

/* http_server.c */
int http_server_start(struct esprimd_http *http, char *const *listen,
		      size_t n_listen, char *err, size_t err_size);
void http_server_stop(struct esprimd_http *http);

/* http_client.c */
int http_client_start(struct esprimd_http *http, char *err, size_t err_size);
void http_client_stop(struct esprimd_http *http);

/* http_check.c */

/**
 * struct http_check - one request as the checks see it
 * @origin, @ri, @rvi, @ctype, @clen: the values of X-M2M-Origin,
 *	X-M2M-RI, X-M2M-RVI, Content-Type and Content-Length as received
 *	(NULL when absent), with their lengths in the @*_len members
 * @n_origin, @n_ri, @n_rvi, @n_ctype: how often each was given
 * @op: the operation, once the head passed
 * @ty: CREATE: the resource type of Content-Type
 * @content_length: Content-Length when given and well-formed
 * @has_length: whether it was
 * @status: the HTTP status of a refusal (400, 405 or 413)
 * @rsc: its RSC (4000, or 4005 for a method)
 * @reason: why, for the m2m:dbg body of the refusal
 */
struct http_check {
	const char *origin, *ri, *rvi, *ctype;
	size_t origin_len, ri_len, rvi_len, ctype_len;
	unsigned int n_origin, n_ri, n_rvi, n_ctype;
	enum esprimd_http_op op;
	int ty;
	uint64_t content_length;
	bool has_length;
	unsigned int status;
	int rsc;
	char reason[160];
};

void http_check_init(struct http_check *c);
/* One request header, name and value as received (not NUL-terminated). */
void http_check_header(struct http_check *c, const char *name,
		       size_t name_len, const char *value, size_t value_len);
/*
 * The method, the path and the headers seen: 0, or -1 with @status,
 * @rsc and @reason set.  Sets @op and @ty.
 */
int http_check_head(struct http_check *c, const char *method,
		    const char *path);
/*
 * The body of a request whose head passed (body_len 0: none).  0 with
 * *obj the object (POST) or NULL (GET), or -1 with the refusal set.
 */
int http_check_body(struct http_check *c, const char *body, size_t body_len,
		    json_t **obj);
/* Whether s[0..len) is 1 to HTTP_ID_MAX printable ASCII characters. */
bool http_is_id(const char *s, size_t len);

/* http_status.c: whether rsc is in the TS-0009 table. */
bool http_rsc_known(int rsc);

#endif /* ESPRIMD_HTTP_INTERNAL_H */
