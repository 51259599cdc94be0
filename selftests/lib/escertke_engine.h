/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ESCertKE engine on the certificates selftests/host/escertke_certs.sh
 * makes, for programs that run handshakes back to back with one peer (the
 * benchmark, the fuzz target): no flood limit.
 */
#ifndef _ESPRIM_TEST_ESCERTKE_ENGINE_H
#define _ESPRIM_TEST_ESCERTKE_ENGINE_H

#include <stdio.h>

#include "escertke.h"

/* DIR/WHO.pem and .key, trusting DIR/ca.pem, named id; NULL and err. */
static inline struct escertke *escertke_engine_in(const char *dir,
						  const char *who,
						  const char *id, char *err,
						  size_t err_size)
{
	char cert[256], key[256], trust[256];
	struct escertke_config c = {
		.cert_file = cert, .key_file = key, .trust_file = trust,
		.identity = id, .key_lifetime_s = 3600, .timeout_ms = 60000,
		.max_per_peer = 1000000, .max_total = 16,
	};
	struct escertke *e;

	snprintf(cert, sizeof(cert), "%s/%s.pem", dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", dir, who);
	snprintf(trust, sizeof(trust), "%s/ca.pem", dir);
	return escertke_new(&e, &c, err, err_size) ? NULL : e;
}

#endif /* _ESPRIM_TEST_ESCERTKE_ENGINE_H */
