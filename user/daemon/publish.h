/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Publishing this gateway's e2eSecInfo on its <remoteCSE> at the registrar
 * CSE ([rand] publish = URL): TS-0003 8.4.2 B.1b, profile B.17.  An Update
 * of the resource's esi after each new shared receiver rand object, so that
 * originators retrieving it there (B.2a) find one that has not expired;
 * a failed Update is tried again every minute until one goes through.
 */
#ifndef ESPRIMD_PUBLISH_H
#define ESPRIMD_PUBLISH_H

#include "esprimd.h"

/* Updates the esi now (a new shared object); nothing when not configured. */
void publish_esi(struct esprimd *d);
/* Stops a retry pending (the daemon stopping). */
void publish_stop(struct esprimd *d);

#endif /* ESPRIMD_PUBLISH_H */
