/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimd as a sidecar in front of an unmodified CSE ([sidecar] in
 * esprimd.conf(5)), as a service-mesh proxy adds mutual TLS to services
 * that know nothing of it:
 *   - inbound, on the daemon's listen addresses: a Notify carrying
 *     m2m:seci sit 5 is opened, its verified inner request goes to the CSE
 *     as a plain request (the authenticated originator as X-M2M-Origin),
 *     and the CSE's response is sealed into the Notify's response (C.8);
 *     sit 3 gets sit 4; everything else passes through to the CSE as it
 *     came, headers and body;
 *   - outbound, on the outbound addresses (the poa of remote CSEs for the
 *     local CSE and AEs): a request for a peer is sealed into a Notify to
 *     the peer's address, its response opened and returned plain, or
 *     passed on plain, as the peer's protect says.
 * The ESPrim work goes through the daemon's own operations (seal, open,
 * notify, respond), as a CSE on the socket would use them.
 */
#ifndef ESPRIMD_SIDECAR_H
#define ESPRIMD_SIDECAR_H

#include <stddef.h>

#include "esprimd.h"

/* Starts the sidecar when [sidecar] cse is configured: 0 or -errno. */
int sidecar_start(struct esprimd *d, char *err, size_t err_size);
void sidecar_stop(struct esprimd *d);

#endif /* ESPRIMD_SIDECAR_H */
