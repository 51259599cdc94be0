/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rand objects esprimd issued and learnt, kept until they expire as
 * "user" keys in its keyring (they are not secret): a daemon restarted,
 * even after SIGKILL, takes them back, so that requests sealed against
 * its receiver objects still open and its sessions go on where the
 * kernel kept their state.
 */
#ifndef ESPRIMD_RAND_STORE_H
#define ESPRIMD_RAND_STORE_H

#include "esprimd.h"

/* Keeps r: this side's own when kid is NULL, else learnt under kid. */
void rand_store_put(struct esprimd *d, const char *kid,
		    const struct esprim_rand *r);
/*
 * Puts every object kept back into the context (the peers' keys loaded
 * first); how many.  learnt, when not NULL, sees each object learnt from
 * a peer.
 */
unsigned int rand_store_load(struct esprimd *d,
			     void (*learnt)(struct esprimd *d, const char *kid,
					    const struct esprim_rand *r));

#endif /* ESPRIMD_RAND_STORE_H */
