// SPDX-License-Identifier: GPL-2.0
/*
 * Pairwise keys of configured peers, from their key files into the
 * kernel (or, on the soft backend, into locked memory).  Key octets live
 * on this function's stack only as long as it takes to hand them over,
 * and are wiped with OPENSSL_cleanse().
 */
#include <errno.h>
#include <stdbool.h>
#include <keyutils.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "escertke.h"
#include "keys.h"
#include "log.h"

int32_t keys_keyring(const char *identity)
{
	char name[300];
	key_serial_t k;

	/*
	 * Possession: systemd gives a service a private session keyring with
	 * no link to the user keyring, so that keys in it would be only
	 * viewable.  Linked, the daemon possesses the keys it adds (and the
	 * module may search the enrolment keys of RSPF derivations).
	 */
	keyctl_link(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING);
	snprintf(name, sizeof(name), "esprimd:%s", identity);
	k = keyctl_search(KEY_SPEC_USER_KEYRING, "keyring", name, 0);
	if (k >= 0)
		return k;
	k = add_key("keyring", name, NULL, 0, KEY_SPEC_USER_KEYRING);
	return k < 0 ? -errno : k;
}

int keys_protect_memory(char *err, size_t err_size)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, err_size, "prctl(PR_SET_DUMPABLE): %s",
			 strerror(errno));
		return -errno;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) {
		snprintf(err, err_size,
			 "mlockall: %s (needs CAP_IPC_LOCK or a larger RLIMIT_MEMLOCK)",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int keys_rspf_derive(const uint8_t *ke, size_t ke_len, const char *target,
		     uint8_t out[32])
{
	static const char label[] = ONEM2M_ESPRIM_RSPF_LABEL;
	unsigned int len = 32;
	uint8_t msg[sizeof(label) - 1 + 3 + ONEM2M_ESPRIM_MAX_PEER_LEN];
	size_t n = 0, tlen = strlen(target);
	int ok;

	if (tlen > ONEM2M_ESPRIM_MAX_PEER_LEN)
		return -EINVAL;
	memcpy(msg, label, sizeof(label) - 1);
	n = sizeof(label) - 1;
	n += (size_t)snprintf((char *)msg + n, 3, "%u",
			      ONEM2M_ESPRIM_SUID_RSPF);
	memcpy(msg + n, target, tlen);
	n += tlen;
	ok = HMAC(EVP_sha256(), ke, (int)ke_len, msg, n, out, &len) != NULL;
	return ok && len == 32 ? 0 : -EIO;
}

/* "enrolment:<kid>": one enrolment key per peer, named after its kid. */
static int32_t keys_add_enrolment(int32_t keyring, const char *kid,
				  const uint8_t *ke, size_t ke_len)
{
	struct onem2m_esprim_enrolment_payload p = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_ENROLMENT },
		.key_len = (uint8_t)ke_len,
	};
	char desc[16 + ONEM2M_ESPRIM_MAX_ID_LEN];
	key_serial_t k;

	snprintf(desc, sizeof(desc), "enrolment:%s", kid);
	memcpy(p.key, ke, ke_len);
	k = add_key("esprim", desc, &p, sizeof(p), keyring);
	OPENSSL_cleanse(&p, sizeof(p));
	return k < 0 ? -errno : k;
}

static void keys_rspf_payload(struct onem2m_esprim_rspf_payload *p,
			      int32_t enrolment,
			      const struct esprimd_peer *peer)
{
	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_RSPF;
	p->enrolment = enrolment;
	p->suid = ONEM2M_ESPRIM_SUID_RSPF;
	p->target_len = (uint8_t)strlen(peer->rspf_target);
	p->peer_len = (uint8_t)strlen(peer->identity);
	memcpy(p->target, peer->rspf_target, p->target_len);
	memcpy(p->peer, peer->identity, p->peer_len);
}

static int32_t keys_add_rspf(int32_t keyring, int32_t enrolment,
			     const struct esprimd_peer *peer)
{
	struct onem2m_esprim_rspf_payload p;
	char desc[16 + ONEM2M_ESPRIM_MAX_ID_LEN];
	key_serial_t k;

	snprintf(desc, sizeof(desc), "pairwise:%s", peer->kid);
	keys_rspf_payload(&p, enrolment, peer);
	k = add_key("esprim", desc, &p, sizeof(p), keyring);
	return k < 0 ? -errno : k;
}

int keys_pairwise_payload(struct esprimd *d, const struct esprimd_peer *peer,
			  void **payload, size_t *len)
{
	struct onem2m_esprim_pairwise_payload *pp;
	struct onem2m_esprim_rspf_payload *rp;
	char desc[16 + ONEM2M_ESPRIM_MAX_ID_LEN], err[160];
	key_serial_t ke;
	int n;

	*payload = NULL;
	if (peer->source == ESPRIMD_KEY_RSPF) {
		/* The enrolment key keys_load_peer() put in the keyring. */
		snprintf(desc, sizeof(desc), "enrolment:%s", peer->kid);
		ke = keys_keyring(d->config->identity);
		ke = ke < 0 ? ke : keyctl_search(ke, "esprim", desc, 0);
		if (ke < 0)
			return -ENOKEY;
		rp = malloc(sizeof(*rp));
		if (!rp)
			return -ENOMEM;
		keys_rspf_payload(rp, ke, peer);
		*payload = rp;
		*len = sizeof(*rp);
		return 0;
	}
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return -ENOMEM;
	n = esprimd_config_read_key(peer->key_file, pp->key, sizeof(pp->key),
				    err, sizeof(err));
	if (n < 0) {
		free(pp);
		return -ENOKEY;
	}
	pp->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	pp->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	pp->key_len = (uint8_t)n;
	pp->peer_len = (uint8_t)strlen(peer->identity);
	memcpy(pp->peer, peer->identity, pp->peer_len);
	*payload = pp;
	*len = sizeof(*pp);
	return 0;
}

int keys_fingerprint(const char *file, uint8_t print[32])
{
	uint8_t key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	char err[256];
	int n;

	n = esprimd_config_read_key(file, key, sizeof(key), err, sizeof(err));
	if (n >= 0)
		SHA256(key, (size_t)n, print);
	OPENSSL_cleanse(key, sizeof(key));
	return n < 0 ? -1 : 0;
}

int keys_load_peer(struct esprimd *d, const struct esprimd_peer *p,
		   uint8_t print[32], char *err, size_t err_size)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	uint8_t key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN], derived[32];
	struct esprim_error e;
	int32_t keyring, ke;
	int n, rc;

	n = esprimd_config_read_key(p->key_file, key, sizeof(key), err,
				    err_size);
	if (n < 0)
		return -EINVAL;
	SHA256(key, (size_t)n, print);
	pc.kid = p->kid;
	pc.peer = p->identity;
	pc.replay = p->replay;
	if (p->source == ESPRIMD_KEY_PROVISIONED) {
		pc.key = key;
		pc.key_len = (size_t)n;
	} else if (d->backend == ESPRIM_BACKEND_SOFT) {
		rc = keys_rspf_derive(key, (size_t)n, p->rspf_target, derived);
		if (rc) {
			snprintf(err, err_size, "RSPF derivation failed");
			goto out;
		}
		pc.key = derived;
		pc.key_len = sizeof(derived);
	} else {
		/* Ke and the key derived from it both stay in the kernel. */
		keyring = keys_keyring(d->config->identity);
		ke = keyring < 0 ? keyring :
			keys_add_enrolment(keyring, p->kid, key, (size_t)n);
		pc.serial = ke < 0 ? ke : keys_add_rspf(keyring, ke, p);
		if (pc.serial < 0) {
			rc = pc.serial;
			snprintf(err, err_size, "adding the RSPF keys: %s",
				 strerror(-rc));
			goto out;
		}
	}
	rc = esprim_ctx_add_pairwise(d->ctx, &pc, &e);
	if (rc)
		snprintf(err, err_size, "%s", e.msg);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(derived, sizeof(derived));
	return rc;
}

/*
 * Two Absolute IDs ("//sp-id/rest") alike: the SP-ID is a domain name,
 * compared as the engine compares it, without regard to case.
 */
static bool same_absolute_id(const char *a, const char *b)
{
	const char *ea = strchr(a + 2, '/'), *eb = strchr(b + 2, '/');

	if (strncmp(a, "//", 2) || strncmp(b, "//", 2) || !ea || !eb ||
	    ea - a != eb - b)
		return false;
	return !strncasecmp(a, b, (size_t)(ea - a)) && !strcmp(ea, eb);
}

int keys_install_escertke(struct esprimd *d, const struct esprimd_peer *p,
			  struct escertke_result *res, char *err,
			  size_t err_size)
{
	struct esprim_pairwise_config pc = ESPRIM_PAIRWISE_CONFIG_INIT;
	struct esprim_error e;
	int rc = 0;

	/* The engine checked the certificate names the peer expected. */
	if (!same_absolute_id(res->peer, p->identity)) {
		snprintf(err, err_size,
			 "the handshake authenticated %.200s, not %.200s",
			 res->peer, p->identity);
		rc = -EACCES;
		goto out;
	}
	pc.kid = res->kid;
	pc.key = res->key;
	pc.key_len = sizeof(res->key);
	pc.peer = p->identity;
	pc.replay = p->replay;
	pc.expiry_ms = (int64_t)res->expires * 1000;
	rc = esprim_ctx_add_pairwise(d->ctx, &pc, &e);
	if (rc)
		snprintf(err, err_size, "%s", e.msg);
out:
	escertke_result_wipe(res);
	return rc;
}

void keys_remove_escertke(struct esprimd *d, const char *kid)
{
	struct esprim_error e;

	/* libesprim drops the keyring key it added. */
	if (esprim_ctx_del_pairwise(d->ctx, kid, &e))
		log_debug("removing the ESCertKE key %s: %s", kid, e.msg);
}

int32_t keys_pairwise_serial(struct esprimd *d, const char *kid)
{
	char desc[16 + ONEM2M_ESPRIM_MAX_ID_LEN];
	key_serial_t ring = keys_keyring(d->config->identity), k;

	if (ring < 0)
		return ring;
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	k = keyctl_search(ring, "esprim", desc, 0);
	return k < 0 ? -errno : k;
}

/* Invalidates "<what>:<kid>" in the daemon's keyring, if there. */
static void keys_invalidate(struct esprimd *d, const char *what,
			    const char *kid)
{
	char desc[16 + ONEM2M_ESPRIM_MAX_ID_LEN];
	key_serial_t ring = keys_keyring(d->config->identity), k;

	snprintf(desc, sizeof(desc), "%s:%s", what, kid);
	k = ring < 0 ? -1 : keyctl_search(ring, "esprim", desc, 0);
	if (k >= 0)
		keyctl_invalidate(k);
}

void keys_unload_peer(struct esprimd *d, const struct esprimd_peer *p)
{
	struct esprim_error e;

	if (esprim_ctx_del_pairwise(d->ctx, p->kid, &e))
		log_debug("removing the key %s: %s", p->kid, e.msg);
	/* libesprim drops only the keys it added from octets. */
	if (d->backend == ESPRIM_BACKEND_KERNEL &&
	    p->source == ESPRIMD_KEY_RSPF) {
		keys_invalidate(d, "pairwise", p->kid);
		keys_invalidate(d, "enrolment", p->kid);
	}
}

unsigned int keys_drop_stale(struct esprimd *d)
{
	key_serial_t ring = keys_keyring(d->config->identity);
	key_serial_t *rings = NULL, *keys;
	unsigned int dropped = 0;
	char *desc, *name;
	int len, i, j, nk, pid;

	len = ring < 0 ? -1 : keyctl_read_alloc(ring, (void **)&rings);
	for (i = 0; i < len / (int)sizeof(*rings); i++) {
		/* "keyring;uid;gid;perm;esprim-sessions-<pid>-..." */
		if (keyctl_describe_alloc(rings[i], &desc) < 0)
			continue;
		name = strrchr(desc, ';');
		if (strncmp(desc, "keyring;", 8) || !name ||
		    sscanf(name + 1, "esprim-sessions-%d-", &pid) != 1)
			pid = 0;
		free(desc);
		/* Only an earlier run's, that is gone. */
		if (pid <= 0 || pid == getpid() ||
		    !(kill(pid, 0) < 0 && errno == ESRCH))
			continue;
		keys = NULL;
		nk = keyctl_read_alloc(rings[i], (void **)&keys);
		if (nk < 0)
			continue;
		nk /= (int)sizeof(*keys);
		/* Expired keys (describing them fails) are unlinked. */
		for (j = 0; j < nk; j++) {
			desc = NULL;
			if (keyctl_describe_alloc(keys[j], &desc) < 0 &&
			    keyctl_unlink(keys[j], rings[i]) == 0)
				keys[j] = 0;
			free(desc);
		}
		for (j = 0; j < nk && !keys[j]; j++)
			;
		free(keys);
		if (j == nk && keyctl_invalidate(rings[i]) == 0)
			dropped++;
	}
	free(rings);
	return dropped;
}
