/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESCertKE in esprimd (TS-0003 8.7.2.2; profile A, B.4 to B.6): the
 * engine (escertke.h) driven over the oneM2M HTTP binding and the event
 * loop.  Initiating End-Point: message 1 in a Notify (m2m:seci sit 6) to
 * the peer's address, message 2 in its response, message 3 in a second
 * Notify, message 4 in that response.  Terminating End-Point: the same
 * Notify requests answered, correlated by their From.  The key a finished
 * handshake exports is handed to the caller (exchange.c), which installs
 * it and wipes it.
 */
#ifndef ESPRIMD_ESCERTKE_FLOW_H
#define ESPRIMD_ESCERTKE_FLOW_H

#include <jansson.h>

#include "escertke.h"
#include "esprimd.h"

/*
 * The engine for [escertke] (none without the section: 0), and its timer
 * that drops stalled handshakes.  0, or a negative errno with err.
 */
int escertke_flow_new(struct esprimd *d, char *err, size_t err_size);
/* After esprimd_http_free(): handshakes in flight are gone by then. */
void escertke_flow_free(struct esprimd *d);

/*
 * The outcome of an initiated handshake, once, from the loop: rsc 0 and
 * res (the caller installs the key and wipes res), or the failure: rsc the
 * peer's Response Status Code when it refused a message (else 0), errnum
 * an errno when the failure is local or in transport (-ECANCELED at
 * shutdown: nothing else may be touched then), why the message.
 */
typedef void (*escertke_flow_done)(int rsc, int errnum,
				   struct escertke_result *res,
				   const char *why, void *userdata);

/*
 * Starts a handshake with peer p (its address and identity).  0, with
 * done to come, or a negative errno with why (done is then not called).
 */
int escertke_flow_initiate(struct esprimd *d, const struct esprimd_peer *p,
			   escertke_flow_done done, void *userdata,
			   char *why, size_t why_size);

/*
 * Terminating End-Point: a sit 6 Notify whose outer From is a configured
 * peer of key = 43 (the caller checked it), its eckm as received (base64).
 * Returns 2000 with *content ({"m2m:seci":{"sit":6,"eckm":...}}, a new
 * reference) and, after message 3, res filled (res->kid[0] set: install
 * and wipe it); or an error RSC with why (escertke_flow.c says which).
 */
int escertke_flow_respond(struct esprimd *d, const char *from,
			  const char *eckm, json_t **content,
			  struct escertke_result *res, char *why,
			  size_t why_size);

/* {"in_progress":n, ...the counters}, for the stats operation. */
json_t *escertke_flow_stats(struct esprimd *d);

/*
 * esi's escert: this gateway's certificate and its chain, each the base64
 * of its DER (as JOSE's x5c writes them); a new reference, or NULL.
 */
json_t *escertke_flow_escert(struct esprimd *d);

#endif /* ESPRIMD_ESCERTKE_FLOW_H */
