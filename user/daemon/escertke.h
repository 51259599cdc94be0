/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESCertKE (TS-0003 8.7, 10.3.1; profile A, B.4 to B.6): a TLS 1.2
 * handshake with mutual ECDSA certificates whose four flights travel as
 * `eckm` (base64 of the records of one flight) in m2m:seci sit 6, in two
 * Notify request/response pairs.  The pairwise key is exported from the
 * session ("EXPORTER-oneM2M-ESCertKE", 48 octets: the key is the last 32,
 * the key ID the first 16 as lowercase hex) and handed over once.
 *
 * The engine knows nothing of HTTP or of the event loop: the daemon carries
 * the flights, calls escertke_expire() from a timer, and installs the key.
 * OpenSSL runs over memory BIOs; one handshake per peer and direction.
 */
#ifndef ESPRIMD_ESCERTKE_H
#define ESPRIMD_ESCERTKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/**
 * struct escertke_config - what the [escertke] section gives the engine
 * @cert_file: PEM: this end-point's certificate, then its chain
 * @key_file: PEM: its EC private key (owner-only)
 * @trust_file: PEM: the trust anchors a peer's certificate must chain to
 * @identity: this end-point's CSE-ID or AE-ID, as its own certificate
 *	carries it (checked at load: a certificate that does not name it is
 *	a configuration error)
 * @key_lifetime_s: the pairwise key's lifetime, capped by both
 *	certificates' notAfter
 * @timeout_ms: a handshake that stalls this long is dropped
 * @max_per_peer: message-1s accepted from one peer per timeout window,
 *	and handshakes in progress with it (each message 1 costs an ECDSA
 *	signature and an ECDHE key; counted however its handshake ended)
 * @max_total: handshakes in progress in all, and peers whose message-1s
 *	are being counted (message 1 from one more is refused)
 */
struct escertke_config {
	const char *cert_file;
	const char *key_file;
	const char *trust_file;
	const char *identity;
	unsigned int key_lifetime_s;
	unsigned int timeout_ms;
	unsigned int max_per_peer;
	unsigned int max_total;
};

/**
 * struct escertke_result - a finished handshake
 * @peer: the authenticated identity of the peer (from its certificate,
 *	equal to the one expected)
 * @kid: pairwiseESPrimKeyID, 32 lowercase hex digits
 * @key: pairwiseESPrimKey; the caller installs it and wipes it at once
 *	(escertke_result_wipe())
 * @expires: when the key ends (realtime seconds)
 */
struct escertke_result {
	char peer[256];
	char kid[33];
	uint8_t key[32];
	time_t expires;
};

struct escertke;

/*
 * Loads the certificate, key and trust anchors and checks them (the
 * certificate names identity, is valid now, matches the key).  0, or a
 * negative errno with a message in err.
 */
int escertke_new(struct escertke **out, const struct escertke_config *cfg,
		 char *err, size_t err_size);
void escertke_free(struct escertke *e);

/* The PEM of this end-point's certificate, for `escert` in esi. */
const char *escertke_cert_pem(const struct escertke *e);

/*
 * Initiating end-point.  escertke_initiate() starts a handshake with the
 * peer of the given identity and returns message 1 (base64, malloc'ed).
 * escertke_initiator_step() takes the peer's answer: message 2 gives
 * message 3 in *out; message 4 gives no output, returns 1 and fills res.
 * Returns 0 (more to do), 1 (done), or a negative errno (-EBADMSG for
 * a malformed flight, -EACCES for an authentication failure, -EPROTO when
 * the end-points share no suite, group or version, -ETIMEDOUT, -ENOENT
 * when no handshake is in progress, -EBUSY at a limit, -EINVAL for a peer
 * identity that is neither Absolute nor SP-relative); on error the
 * handshake is gone and err says why.
 */
int escertke_initiate(struct escertke *e, const char *peer, char **out,
		      char *err, size_t err_size);
int escertke_initiator_step(struct escertke *e, const char *peer,
			    const char *in, char **out,
			    struct escertke_result *res,
			    char *err, size_t err_size);

/*
 * Terminating end-point: a sit 6 request from `from` (the outer From,
 * which the handshake is correlated by, TS-0003 8.7.2.2).  Message 1
 * starts a handshake (any earlier one with the same From is dropped) and
 * gives message 2 in *out; message 3 gives message 4 in *out, returns 1
 * and fills res.  The caller has checked that `from` is a configured peer
 * whose key source is ESCertKE; the certificate must name `from`.  Errors
 * as above; *out may then carry a TLS alert for the peer.  -EBUSY for a
 * message 1 beyond max_per_peer from `from` within timeout_ms (whatever
 * became of the handshakes they started), or from one peer more than
 * max_total being counted.  Input that never reaches TLS (not base64, not
 * a TLS record) is refused with -EBADMSG and leaves a handshake in
 * progress alone, since the From is not authenticated; a flight that TLS
 * refuses ends it.
 */
int escertke_respond(struct escertke *e, const char *from, const char *in,
		     char **out, struct escertke_result *res,
		     char *err, size_t err_size);

/*
 * Drops handshakes stalled past timeout_ms (CLOCK_MONOTONIC, ms);
 * returns how many.
 */
unsigned int escertke_expire(struct escertke *e, uint64_t now_ms);

/* Handshakes in progress (for stats). */
unsigned int escertke_in_progress(const struct escertke *e);

void escertke_result_wipe(struct escertke_result *res);

#endif /* ESPRIMD_ESCERTKE_H */
