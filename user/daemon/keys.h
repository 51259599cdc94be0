/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pairwise keys of configured peers (TS-0003 8.4.2 phase A): provisioned
 * (SUID 13) or derived from an RSPF enrolment key Ke (SUID 23).  With the
 * module they go into the daemon's keyring and the octets are wiped at
 * once; on the soft backend they stay in this process's locked memory.
 */
#ifndef ESPRIMD_KEYS_H
#define ESPRIMD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "esprimd.h"

/*
 * The keyring of the daemon's keys, "esprimd:<identity>" in root's user
 * keyring: keys and sessions outlive a daemon killed and restarted, and
 * two daemons of different identities on one machine keep apart.  Found
 * again or created; a serial, or a negative errno.
 */
int32_t keys_keyring(const char *identity);

/* Locks the process's memory and makes it non-dumpable (soft backend). */
int keys_protect_memory(char *err, size_t err_size);

/*
 * Loads the pairwise key of a peer into the context; print gets the key
 * file's fingerprint (keys_fingerprint()).
 */
int keys_load_peer(struct esprimd *d, const struct esprimd_peer *p,
		   uint8_t print[32], char *err, size_t err_size);
/*
 * SHA-256 of a key file's octets: whether a reload brings another key.
 * 0 or -1.
 */
int keys_fingerprint(const char *file, uint8_t print[32]);
/*
 * Removes it, and its sessions; with the module, the RSPF pairwise key
 * and its enrolment key leave the keyring too.
 */
void keys_unload_peer(struct esprimd *d, const struct esprimd_peer *p);

struct escertke_result;

/*
 * A pairwise key of an ESCertKE handshake (SUID 43), bound to the peer's
 * identity, with its expiry: into the daemon's keyring as
 * "pairwise:<kid>" with the module (the octets then exist nowhere else),
 * into locked memory on the soft backend.  res is wiped either way.
 */
int keys_install_escertke(struct esprimd *d, const struct esprimd_peer *p,
			  struct escertke_result *res, char *err,
			  size_t err_size);
/* Removes an ESCertKE key (replaced, or its peer gone) and its sessions. */
void keys_remove_escertke(struct esprimd *d, const char *kid);

/*
 * The payload of "pairwise:<kid>" for an upcall: the provisioned key, or
 * an RSPF payload naming the enrolment key in the daemon's keyring.
 * malloc'ed; the caller wipes and frees it.
 */
int keys_pairwise_payload(struct esprimd *d, const struct esprimd_peer *p,
			  void **payload, size_t *len);

/*
 * The serial of the peer's "pairwise:<kid>" key in the daemon's keyring
 * (kernel backend), or a negative errno.
 */
int32_t keys_pairwise_serial(struct esprimd *d, const char *kid);

/*
 * At start: the session keyrings an earlier run of the daemon left in its
 * keyring (libesprim's "esprim-sessions-<pid>-..." of a pid that is gone;
 * kill -9 leaves them) lose their expired keys, and go when empty.  The
 * others stay until they expire: they hold the kernel's state of their
 * sessions (IV counter, replay window) until this run derives them again.
 * Returns how many keyrings went.
 */
unsigned int keys_drop_stale(struct esprimd *d);

/*
 * The RSPF derivation (TS-0003 10.3.7, profile B.10) for the soft
 * backend: HMAC-SHA-256(Ke, label || "23" || target) into out (32 octets).
 */
int keys_rspf_derive(const uint8_t *ke, size_t ke_len, const char *target,
		     uint8_t out[32]);

#endif /* ESPRIMD_KEYS_H */
