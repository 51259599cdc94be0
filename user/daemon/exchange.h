/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sessions (TS-0003 8.4.2 phase B) and exchanges (phase C) as esprimd runs
 * them for the CSEs on its gateway:
 *   - as Receiver: a shared receiver rand object rotated before its esrx,
 *     unique ones on request (sit 3 -> sit 4), requests opened and their
 *     responses sealed through one-time handles;
 *   - as Originator: a session per peer, set up by asking the peer's
 *     daemon for a receiver object over the HTTP binding, renewed ahead of
 *     its expiry; requests sealed, responses opened.
 */
#ifndef ESPRIMD_EXCHANGE_H
#define ESPRIMD_EXCHANGE_H

#include <jansson.h>

#include "api.h"
#include "esprimd.h"
#include "http.h"

/* Requests opened and not yet answered, at most. */
#define ESPRIMD_MAX_HANDLES	4096
#define ESPRIMD_HANDLE_TTL_MS	60000

int exchange_new(struct esprimd *d, char *err, size_t err_size);
void exchange_free(struct esprimd *d);
/*
 * After a reload: per-peer state follows the new configuration.  The
 * names of peers whose key did not load, as a JSON array.
 */
json_t *exchange_reconfigure(struct esprimd *d);

/* The socket API's operations (Documentation/esprimd-socket.md). */
void exchange_seal(struct esprimd *d, struct esprimd_api_call *call,
		   const struct esprimd_api_peer *who, json_t *args);
void exchange_open(struct esprimd *d, struct esprimd_api_call *call,
		   json_t *args);
void exchange_notify(struct esprimd *d, struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args);
void exchange_respond(struct esprimd *d, struct esprimd_api_call *call,
		      const struct esprimd_api_peer *who, json_t *args);
/*
 * notify and open for the sidecar, on the m2m:seci content's text as it
 * arrived over the HTTP binding (no JSON round trip); origin is the outer
 * From: a rand request is answered for configured peers only (B.1).
 */
void exchange_notify_text(struct esprimd *d, struct esprimd_api_call *call,
			  const struct esprimd_api_peer *who,
			  const char *origin, const char *text, size_t len);
void exchange_open_text(struct esprimd *d, struct esprimd_api_call *call,
			const char *text, size_t len);
/* Operators: set up (again) the session with a peer, or with all (NULL). */
int exchange_establish(struct esprimd *d, const char *peer);
/*
 * A CSE reports that a peer refused a request sealed for it with 4112,
 * 4113 or 4114 (the peer lost the rand objects, e.g. it restarted): the
 * session goes, and the next seal sets up another.
 */
void exchange_failed(struct esprimd *d, struct esprimd_api_call *call,
		     json_t *args);
/* Operators: forget sessions with a peer (or all); the count. */
unsigned int exchange_flush(struct esprimd *d, const char *peer);

/* HTTP binding: a Notify from a peer daemon. */
void exchange_http(struct esprimd_http_request *req,
		   const struct esprimd_http_incoming *in, void *userdata);

/*
 * The payload for an upcall's key (description "pairwise:<kid>" or
 * "session:<kid>:<ori>:<rri>"), malloc'ed (the caller wipes and frees
 * it); 0 or a negative errno (-ENOKEY: nothing known of it).
 */
int exchange_upcall_payload(struct esprimd *d, const char *desc,
			    void **payload, size_t *len);
/* An event of the module's events group about a session of kid. */
void exchange_kernel_event(struct esprimd *d, unsigned int type,
			   const char *kid, unsigned int role);

/**
 * struct esprimd_kernel_session - a session key of the kernel's dump
 * @serial: the session key
 * @kid, @ori, @rri: its pairwise key and rand objects
 * @role: ONEM2M_ESPRIM_ROLE_*
 * @uid: its owner
 */
struct esprimd_kernel_session {
	int32_t serial;
	const char *kid;
	const char *ori;
	const char *rri;
	unsigned int role;
	uint32_t uid;
};

/*
 * At start, a session the kernel keeps from an earlier run of the daemon
 * (kernel.c reads them from the module's dump): derived again in this
 * run's context when its rand objects were kept, so that the same session
 * goes on (an originator's is the peer's current one again).  Returns
 * true when it was.
 */
bool exchange_resume(struct esprimd *d,
		     const struct esprimd_kernel_session *ks);

/*
 * This gateway's e2eSecInfo (TS-0003 8.4.3.1.3, profile B.17): esf, the
 * SUIDs of the key sources configured, and esro, the shared receiver rand
 * object.  A new reference, or NULL when out of memory.
 */
json_t *exchange_esi(struct esprimd *d);

/*
 * ESCertKE keys past their expiry leave the context (and the keyring):
 * the key replaced and kept for sessions in flight, and the current one.
 */
void exchange_cert_keys_expire(struct esprimd *d);

/* What operators read: per peer, and the sessions. */
json_t *exchange_peers_json(struct esprimd *d);
json_t *exchange_sessions_json(struct esprimd *d, const char *peer);
unsigned int exchange_session_count(struct esprimd *d);

#endif /* ESPRIMD_EXCHANGE_H */
