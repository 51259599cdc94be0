/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimd's configuration: /etc/onem2m-esprim/esprimd.conf, then
 * conf.d/ *.conf beside it in name order, read with libinih.  A later
 * file's [daemon], [rand] and [limits] keys override earlier ones; a peer
 * or CSE section of a name already seen is an error.  esprimd.conf(5).
 */
#ifndef ESPRIMD_CONFIG_H
#define ESPRIMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "esprim.h"

#define ESPRIMD_CONFIG_PATH	"/etc/onem2m-esprim/esprimd.conf"
#define ESPRIMD_SOCKET_PATH	"/run/onem2m-esprim/esprimd.sock"

/* Exit status of esprimd for a configuration it cannot run with. */
#define ESPRIMD_EXIT_CONFIG	6

/* Where a peer's pairwise key comes from (TS-0003 8.4.2, the SUID). */
enum esprimd_key_source {
	ESPRIMD_KEY_PROVISIONED = 13,	/* the key, from key_file */
	ESPRIMD_KEY_RSPF = 23,		/* derived from Ke (key_file) */
	ESPRIMD_KEY_CERTIFICATE = 43,	/* ESCertKE with certificates */
};

enum esprimd_backend {
	ESPRIMD_BACKEND_AUTO = 0,	/* the module if loaded, else soft */
	ESPRIMD_BACKEND_KERNEL,
	ESPRIMD_BACKEND_SOFT,
};

/* Whether the sidecar protects requests to a peer (its outbound side). */
enum esprimd_protect {
	ESPRIMD_PROTECT_REQUIRE = 0,	/* sealed, or refused */
	ESPRIMD_PROTECT_PREFER,		/* sealed, plain when no session */
	ESPRIMD_PROTECT_NEVER,		/* passed on plain */
};

/**
 * struct esprimd_peer - a [peer NAME] section
 * @name: NAME
 * @identity: the peer's Absolute CSE-ID or AE-ID ("//sp/CSE" or "//sp/CSE/AE"),
 *	bound to the key: the inner From of its requests must name it
 * @kid: pairwiseESPrimKeyID; NULL for SUID 43, whose keys are named by
 *	their handshake (lowercase hex of the exported key ID, profile B.4)
 * @address: the peer daemon's point of access, "http://host:port[/path]"
 * @esi: where the peer's e2eSecInfo is retrieved (its <remoteCSE> at a
 *	registrar CSE, or its daemon's address), for a shared receiver rand
 *	object before asking for one (TS-0003 8.4.2 B.2a); NULL: ask at once
 * @source: key source
 * @key_file: SUID 13: the pairwise key; SUID 23: the enrolment key Ke.
 *	A file of 32 to 128 hex digits (16 to 64 octets) and a newline, owned
 *	by the daemon's user and readable by nobody else.  NULL for SUID 43
 * @rspf_target: SUID 23: the Enrolment-Target-ID (an FQDN)
 * @protect: sidecar: what requests to it get (protect = require|prefer|never)
 * @enc: what this side seals with
 * @replay: replay policy of the key's sessions
 * @file, @line: where the section began, for messages
 */
struct esprimd_peer {
	char *name;
	char *identity;
	char *kid;
	char *address;
	char *esi;
	enum esprimd_key_source source;
	char *key_file;
	char *rspf_target;
	enum esprimd_protect protect;
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_replay replay;
	char *file;
	unsigned int line;
};

/**
 * struct esprimd_cse - a [cse NAME] section: a local CSE allowed on the socket
 * @name: NAME
 * @uid: the user it runs as (user = name or number)
 * @identities: the From values its inner requests may carry (identity =
 *	repeated or space-separated).  Each names this gateway: the
 *	[daemon] identity, or its SP-relative form "/CSE-ID", as a peer's
 *	From check expands it (profile B.11).  A peer compares the inner
 *	From with the identity bound to the pairwise key, the gateway's, so
 *	no other From could pass.  Default: the [daemon] identity alone
 * @n_identities: how many, at least one
 * @kernel_keys: kernel_keys = yes: esprimd answers the key upcalls of
 *	this user ("pairwise:<kid>", "session:<kid>:<ori>:<rri>"), handing
 *	it the gateway's pairwise keys in its own keyring, for libesprim's
 *	kernel backend in the CSE's process.  Such a CSE is trusted with the
 *	gateway's keys, hence with every identity of the gateway: it can
 *	seal as any of them and derive other CSEs' session keys.  Default no
 * @file, @line: where the section began, for messages
 */
struct esprimd_cse {
	char *name;
	uid_t uid;
	char **identities;
	size_t n_identities;
	bool kernel_keys;
	char *file;
	unsigned int line;
};

/**
 * struct esprimd_escertke - the [escertke] section: this gateway's
 *	certificate for ESCertKE (TS-0003 8.7), for peers with key = 43
 * @cert_file: certificate = PEM file: the end-point certificate naming
 *	the [daemon] identity in subjectAltName, then its chain
 * @key_file: private_key = PEM file of its EC key, owner-only like a key
 *	file
 * @trust_file: trust_anchors = PEM file: the CA certificates a peer's
 *	certificate must chain to
 * @key_lifetime_s: key_lifetime: a pairwise key's lifetime, capped by
 *	both certificates' notAfter (default 86400)
 * @timeout_ms: timeout: a handshake that stalls this long is dropped
 *	(default 10000)
 * @max_per_peer: handshakes in progress with one peer (default 2)
 * @max_total: max_handshakes: handshakes in progress in all (default 256)
 * @file, @line: where the section was (last) given, for messages
 */
struct esprimd_escertke {
	char *cert_file;
	char *key_file;
	char *trust_file;
	uint32_t key_lifetime_s;
	uint32_t timeout_ms;
	uint32_t max_per_peer;
	uint32_t max_total;
	char *file;
	unsigned int line;
};

/**
 * struct esprimd_config - the whole configuration
 * @identity: [daemon] identity, this gateway's Absolute CSE-ID
 * @backend: [daemon] backend = auto | kernel | soft
 * @socket_path: [daemon] socket (default ESPRIMD_SOCKET_PATH)
 * @admin_gid: [daemon] admin_group: members may use the operator commands
 *	besides root; (gid_t)-1 when unset
 * @listen: [daemon] listen = host:port, repeatable: the HTTP binding
 * @shared_rand_lifetime_s: [rand] shared_lifetime, seconds (default 3600)
 * @rand_rotate_margin_s: [rand] rotate_margin: a new shared receiver
 *	object this long before esrx (default 300)
 * @per_request_rand: [rand] per_request = yes|no: unique receiver objects
 *	on request, sit 3 -> sit 4 (default yes)
 * @originator_lifetime_s: [rand] originator_lifetime (default 600)
 * @publish: [rand] publish = URL: this gateway's <remoteCSE> at its
 *	registrar CSE, whose esi is updated with each shared receiver object
 *	(B.1b, profile B.17); NULL: not published
 * @max_sessions: [limits] max_sessions (default 4096)
 * @soft_invocations, @hard_invocations: [limits] per session (defaults
 *	2^20 and 2^24)
 * @rekey_margin_s: [limits] rekey_margin: a session is renewed this long
 *	before it expires (default 60)
 * @request_timeout_ms: [limits] request_timeout: HTTP exchanges with peers
 *	(default 5000)
 * @sidecar_cse: [sidecar] cse = URL: the local CSE esprimd stands in front
 *	of (sidecar mode: what arrives on listen and is not ESPrim goes
 *	there); NULL: no sidecar
 * @outbound: [sidecar] outbound = host:port, repeatable: where the local
 *	CSE and AEs send requests for peers (their poa for esprimd)
 * @escertke: the [escertke] section, NULL when there is none
 */
struct esprimd_config {
	char *identity;
	enum esprimd_backend backend;
	char *socket_path;
	gid_t admin_gid;
	char **listen;
	size_t n_listen;
	uint32_t shared_rand_lifetime_s;
	uint32_t rand_rotate_margin_s;
	bool per_request_rand;
	uint32_t originator_lifetime_s;
	char *publish;
	uint32_t max_sessions;
	uint64_t soft_invocations;
	uint64_t hard_invocations;
	uint32_t rekey_margin_s;
	uint32_t request_timeout_ms;
	char *sidecar_cse;
	char **outbound;
	size_t n_outbound;
	struct esprimd_escertke *escertke;
	struct esprimd_peer *peers;
	size_t n_peers;
	struct esprimd_cse *cses;
	size_t n_cses;
};

/*
 * Reads path and the conf.d/ directory beside it.  0, or -1 with
 * "FILE:LINE: reason" (or "FILE: reason") in err.  Configuration files
 * and conf.d/ must be owned by root or the effective uid and not be
 * writable by group or others.  Key files are checked (exist, a regular
 * file, not readable or writable by group or others, the right length)
 * but their contents are not kept.
 */
int esprimd_config_load(const char *path, struct esprimd_config **config,
			char *err, size_t err_size);
void esprimd_config_free(struct esprimd_config *config);

const struct esprimd_peer *
esprimd_config_peer_by_identity(const struct esprimd_config *c,
				const char *identity);
const struct esprimd_peer *
esprimd_config_peer_by_kid(const struct esprimd_config *c, const char *kid);
const struct esprimd_peer *
esprimd_config_peer_by_name(const struct esprimd_config *c, const char *name);
const struct esprimd_cse *
esprimd_config_cse_by_uid(const struct esprimd_config *c, uid_t uid);

/*
 * Reads a key file (as checked at load) into key, locked memory the caller
 * provides: the octets' count, or -1 with the reason in err.
 */
int esprimd_config_read_key(const char *file, uint8_t *key, size_t key_size,
			    char *err, size_t err_size);

#endif /* ESPRIMD_CONFIG_H */
