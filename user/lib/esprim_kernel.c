// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel backend: keys live in the keyring as "esprim" keys and never come
 * back to userspace, nor stay in this process: a pairwise key's octets go
 * to add_key() and are wiped, or the key is one provisioned already
 * (keyctl, a daemon) and found by kid or serial.  Sessions are
 * "session:<kid>:<ori>:<rri>" keys the kernel derives, one per role and
 * enc used (profile B.13), each in a keyring of its own below the
 * context's so that their descriptions do not meet.  Sealing and opening
 * run in the onem2m-esprim(gcm(aes)) template over AF_ALG, bound to the
 * session key by reference, so the IV counter, limits and replay state
 * are the kernel's.
 *
 * The template's layout is AAD || text -> AAD || ciphertext || tag || IV
 * (uapi header); one buffer per context carries it, wiped after use.
 *
 * Batches (esprim_seal_batch, esprim_open_batch) go to the module's
 * generic netlink family instead (esprim_genl.c): one SEAL or OPEN
 * request of up to ONEM2M_ESPRIM_BATCH_MAX_ITEMS items, each naming its
 * session key by serial and answered with its own status, which maps to
 * the same RSCs and errors as the template's.  Both reach the same
 * session state, so the IVs and replay checks are shared.  A module
 * without the family (older than it) gets everything over AF_ALG; any
 * other failure to reach the family is an error, not a reason to switch.
 * Items too large for a netlink attribute (over about 64 KiB) go over
 * AF_ALG.  Single operations take ESPRIM_KERNEL_SINGLE_NETLINK's path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keyutils.h>
#include <kcapi.h>

#include "esprim_afalg.h"
#include "esprim_genl.h"
#include "esprim_internal.h"

/*
 * Single seals and opens over netlink (a batch of one) rather than
 * AF_ALG: whichever costs fewer instructions.  bench/netlink_bench.c,
 * 1 KiB with a 120-byte AAD, guest instructions under icount: AF_ALG
 * 18,811 per seal and 18,975 per open on 6.12 (28,530 and 28,753 on
 * 6.1), a netlink batch of one 24,102 and 24,934 (37,475 and 38,325).
 * From 8 items on, a netlink batch costs less per item than AF_ALG.
 */
#ifndef ESPRIM_KERNEL_SINGLE_NETLINK
#define ESPRIM_KERNEL_SINGLE_NETLINK	0
#endif

enum esprim_kernel_genl_state {
	ESPRIM_GENL_UNTRIED = 0,
	ESPRIM_GENL_READY,
	ESPRIM_GENL_ABSENT,	/* no family: AF_ALG for everything */
};

#define ESPRIM_KERNEL_RINGS	(2 * (ONEM2M_ESPRIM_ENC_A256GCM + 1))

struct esprim_kernel_ctx {
	key_serial_t keyring;
	bool own_keyring;
	key_serial_t rings[ESPRIM_KERNEL_RINGS];	/* per role and enc */
	uint8_t *buf;
	size_t buf_size;
	enum esprim_kernel_genl_state genl_state;
	struct esprim_genl *genl;
	struct esprim_genl_item items[ONEM2M_ESPRIM_BATCH_MAX_ITEMS];
};

struct esprim_kernel_enc {
	key_serial_t serial;
	struct kcapi_handle *handle;
};

struct esprim_kernel_session {
	struct esprim_kernel_enc enc[ONEM2M_ESPRIM_ENC_A256GCM + 1];
};

/* pw->backend of a key this context added (and so removes). */
static char esprim_kernel_owned;

static int esprim_kernel_ctx_init(struct esprim_ctx *ctx,
				  struct esprim_error *err)
{
	struct esprim_kernel_ctx *kc = calloc(1, sizeof(*kc));
	char name[48];
	int e;

	if (!kc)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	kc->keyring = ctx->config.keyring;
	if (!kc->keyring) {
		snprintf(name, sizeof(name), "esprim-ctx-%p", (void *)ctx);
		kc->keyring = add_key("keyring", name, NULL, 0,
				      KEY_SPEC_PROCESS_KEYRING);
		kc->own_keyring = true;
	}
	if (kc->keyring < 0) {
		e = errno;
		free(kc);
		return esprim_fail_local(err, e, ESPRIM_RSC_DECRYPTION_ERROR,
					 "cannot create a keyring: %s",
					 strerror(e));
	}
	ctx->backend = kc;
	return 0;
}

static void esprim_kernel_ctx_fini(struct esprim_ctx *ctx)
{
	struct esprim_kernel_ctx *kc = ctx->backend;
	unsigned int i;

	for (i = 0; i < ESPRIM_KERNEL_RINGS; i++)
		if (kc->rings[i] > 0)
			keyctl_invalidate(kc->rings[i]);
	if (kc->own_keyring)
		keyctl_invalidate(kc->keyring);
	if (kc->buf)
		esprim_wipe(kc->buf, kc->buf_size);
	free(kc->buf);
	esprim_genl_close(kc->genl);
	free(kc);
}

/*
 * The context's netlink socket, opened on first use: 0 with *g set, 0
 * with *g NULL when the module has no family (AF_ALG then), or the error
 * (an RSC of rsc) that kept it from being opened; tried again next time.
 */
static int esprim_kernel_genl(struct esprim_ctx *ctx, struct esprim_genl **g,
			      int rsc, struct esprim_error *err)
{
	struct esprim_kernel_ctx *kc = ctx->backend;
	char msg[128];
	int rc;

	*g = kc->genl;
	if (kc->genl_state != ESPRIM_GENL_UNTRIED)
		return 0;
	rc = esprim_genl_open(&kc->genl, msg, sizeof(msg));
	if (rc == -ENOENT) {
		kc->genl_state = ESPRIM_GENL_ABSENT;
		return 0;
	}
	if (rc)
		return esprim_fail_local(err, -rc, rsc, "%s", msg);
	kc->genl_state = ESPRIM_GENL_READY;
	*g = kc->genl;
	return 0;
}

/* Seconds from now until expiry_ms, at least 1; 0 for none. */
static uint32_t esprim_seconds_left(int64_t expiry_ms)
{
	int64_t left;

	if (!expiry_ms)
		return 0;
	left = (expiry_ms - esprim_now_ms() + 999) / 1000;
	return left < 1 ? 1 : left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

static int esprim_kernel_add_error(struct esprim_error *err, int e,
				   const char *desc)
{
	if (e == ENODEV)
		return esprim_fail_local(err, e, ESPRIM_RSC_DECRYPTION_ERROR,
					 "no key type \"%s\": is onem2m_esprim loaded?",
					 ONEM2M_ESPRIM_KEY_TYPE);
	return esprim_fail_local(err, e, ESPRIM_RSC_DECRYPTION_ERROR,
				 "adding %s to the keyring: %s", desc,
				 strerror(e));
}

/*
 * The identity a pairwise key in the keyring is bound to.  The key type
 * has no read operation; its description line in /proc/keys says
 * "pairwise peer=<identity> len=<n>".
 */
static int esprim_kernel_key_peer(key_serial_t serial, char **peer)
{
	char line[1024], id[16], *p, *end;
	FILE *f = fopen("/proc/keys", "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	snprintf(id, sizeof(id), "%08x ", (unsigned int)serial);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, id, strlen(id)))
			continue;
		p = strstr(line, ": pairwise peer=");
		if (!p)
			break;
		p += strlen(": pairwise peer=");
		end = strstr(p, " len=");
		if (!end)
			break;
		*peer = strndup(p, (size_t)(end - p));
		rc = *peer ? 0 : -ENOMEM;
		break;
	}
	fclose(f);
	return rc;
}

/* A "pairwise:<kid>" key already in the keyring, by serial or search. */
static int esprim_kernel_pairwise_find(struct esprim_ctx *ctx,
				       struct esprim_pairwise *pw,
				       const struct esprim_pairwise_config *cfg,
				       const char *desc,
				       struct esprim_error *err)
{
	static const key_serial_t rings[] = { KEY_SPEC_PROCESS_KEYRING,
					      KEY_SPEC_SESSION_KEYRING,
					      KEY_SPEC_USER_KEYRING };
	struct esprim_kernel_ctx *kc = ctx->backend;
	char *info = NULL, *peer = NULL, *d;
	key_serial_t serial = cfg->serial, found;
	size_t i;
	int rc;

	/* keyctl_search() gives -1 for a keyring without it: try the next. */
	for (i = 0; !serial && i <= sizeof(rings) / sizeof(rings[0]); i++) {
		found = keyctl_search(i ? rings[i - 1] : kc->keyring,
				      ONEM2M_ESPRIM_KEY_TYPE, desc, 0);
		if (found > 0)
			serial = found;
	}
	if (serial <= 0)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "no key %s in the keyrings searched", desc);
	/*
	 * "type;uid;gid;perm;description": the description follows the
	 * fourth ';' (a kid may hold ';' itself).
	 */
	if (keyctl_describe_alloc(serial, &info) < 0)
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "key %d: %s", serial, strerror(errno));
	for (d = info, i = 0; d && i < 4; i++) {
		d = strchr(d, ';');
		if (d)
			d++;
	}
	rc = strncmp(info, ONEM2M_ESPRIM_KEY_TYPE ";",
		     strlen(ONEM2M_ESPRIM_KEY_TYPE) + 1) || !d ||
	     strcmp(d, desc);
	free(info);
	if (rc)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "key %d is not an %s key %s", serial,
					 ONEM2M_ESPRIM_KEY_TYPE, desc);
	rc = esprim_kernel_key_peer(serial, &peer);
	if (rc)
		return esprim_fail_local(err, -rc, ESPRIM_RSC_DECRYPTION_ERROR,
					 "the identity key %d is bound to: %s",
					 serial, strerror(-rc));
	if (pw->peer && strcmp(pw->peer, peer)) {
		rc = esprim_fail_local(err, EINVAL,
				       ESPRIM_RSC_DECRYPTION_ERROR,
				       "key %d is bound to %.64s, not %.64s",
				       serial, peer, pw->peer);
		free(peer);
		return rc;
	}
	free(pw->peer);
	pw->peer = peer;
	pw->serial = serial;
	return 0;
}

static int esprim_kernel_pairwise_add(struct esprim_ctx *ctx,
				      struct esprim_pairwise *pw,
				      const struct esprim_pairwise_config *cfg,
				      struct esprim_error *err)
{
	struct esprim_kernel_ctx *kc = ctx->backend;
	struct onem2m_esprim_pairwise_payload p = {
		.hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1,
		.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE,
	};
	char desc[sizeof(ONEM2M_ESPRIM_PAIRWISE_PREFIX) +
		  ONEM2M_ESPRIM_MAX_ID_LEN];

	snprintf(desc, sizeof(desc), "%s%s", ONEM2M_ESPRIM_PAIRWISE_PREFIX,
		 pw->kid);
	if (!cfg->key)
		return esprim_kernel_pairwise_find(ctx, pw, cfg, desc, err);
	p.key_len = (uint8_t)cfg->key_len;
	p.peer_len = (uint8_t)strlen(pw->peer);
	p.lifetime = esprim_seconds_left(pw->expiry_ms);
	memcpy(p.key, cfg->key, cfg->key_len);
	memcpy(p.peer, pw->peer, p.peer_len);
	pw->serial = add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, &p, sizeof(p),
			     kc->keyring);
	esprim_wipe(&p, sizeof(p));
	if (pw->serial < 0)
		return esprim_kernel_add_error(err, errno, desc);
	pw->backend = &esprim_kernel_owned;
	return 0;
}

/* Whether ring links serial itself (keyctl_read() lists its serials). */
static bool esprim_kernel_ring_links(key_serial_t ring, key_serial_t serial)
{
	const key_serial_t *list;
	void *buf = NULL;
	bool found = false;
	long n, i;

	n = keyctl_read_alloc(ring, &buf);
	list = buf;
	for (i = 0; n > 0 && i < n / (long)sizeof(*list); i++)
		found |= list[i] == serial;
	free(buf);
	return found;
}

/*
 * Drops a key this context added to ring.  Invalidation takes it from
 * every keyring at once.  keyctl_invalidate() fails on an expired key
 * (a reaped session's: its lookup no longer finds it possessed), so that
 * one is unlinked from ring instead and goes when its last user does,
 * not gc_delay (5 minutes) after it expired.  Only when ring links this very key: unlinking
 * removes whatever key of that description the ring links, which is a
 * newer one when this key was displaced (a pairwise key replaced).
 */
static void esprim_kernel_drop_key(key_serial_t serial, key_serial_t ring)
{
	if (keyctl_invalidate(serial) < 0 && ring > 0 &&
	    esprim_kernel_ring_links(ring, serial))
		keyctl_unlink(serial, ring);
}

static void esprim_kernel_pairwise_del(struct esprim_ctx *ctx,
				       struct esprim_pairwise *pw)
{
	struct esprim_kernel_ctx *kc = ctx->backend;

	/* Keys provisioned by others stay where they are. */
	if (pw->backend == &esprim_kernel_owned && pw->serial > 0)
		esprim_kernel_drop_key(pw->serial, kc->keyring);
}

static int esprim_kernel_session_init(struct esprim_session *s,
				      struct esprim_error *err)
{
	s->backend = calloc(1, sizeof(struct esprim_kernel_session));
	return s->backend ? 0 :
	       esprim_fail_local(err, ENOMEM, ESPRIM_RSC_DECRYPTION_ERROR,
				 "out of memory");
}

static void esprim_kernel_session_fini(struct esprim_session *s)
{
	struct esprim_kernel_session *ks = s->backend;
	struct esprim_kernel_ctx *kc = s->ctx->backend;
	unsigned int i, role = s->role == ONEM2M_ESPRIM_ROLE_RECEIVER;

	if (!ks)
		return;
	for (i = 0; i <= ONEM2M_ESPRIM_ENC_A256GCM; i++) {
		if (ks->enc[i].handle)
			kcapi_aead_destroy(ks->enc[i].handle);
		if (ks->enc[i].serial > 0)
			esprim_kernel_drop_key(ks->enc[i].serial,
					       kc->rings[2 * i + role]);
	}
	free(ks);
	s->backend = NULL;
}

/* The keyring of the context for sessions of a role and enc. */
static key_serial_t esprim_kernel_ring(struct esprim_session *s,
				       enum onem2m_esprim_enc enc)
{
	struct esprim_kernel_ctx *kc = s->ctx->backend;
	unsigned int i = 2 * enc + (s->role == ONEM2M_ESPRIM_ROLE_RECEIVER);
	char name[64];

	/*
	 * Named for this context: another one sharing a configured keyring
	 * must not replace it.
	 */
	if (kc->rings[i] <= 0) {
		snprintf(name, sizeof(name), "esprim-sessions-%d-%p-%c%d",
			 (int)getpid(), (void *)s->ctx,
			 s->role == ONEM2M_ESPRIM_ROLE_RECEIVER ? 'r' : 'o',
			 enc);
		kc->rings[i] = add_key("keyring", name, NULL, 0, kc->keyring);
	}
	return kc->rings[i];
}

/* The session key of one enc, derived by the kernel on first use. */
static int esprim_kernel_key(struct esprim_session *s,
			     enum onem2m_esprim_enc enc,
			     struct esprim_kernel_enc **out,
			     struct esprim_error *err)
{
	struct esprim_kernel_session *ks = s->backend;
	struct esprim_kernel_enc *e = &ks->enc[enc];
	const struct esprim_ctx_config *cfg = &s->ctx->config;
	struct onem2m_esprim_session_payload *p;
	size_t size = sizeof(*p) + s->rro.canon_len + s->oro.canon_len;
	char desc[3 * ONEM2M_ESPRIM_MAX_ID_LEN + 16];
	key_serial_t ring;
	int ret;

	*out = e;
	if (e->serial > 0)
		return 0;
	ring = esprim_kernel_ring(s, enc);
	if (ring < 0)
		return esprim_fail_local(err, errno,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "cannot create a keyring: %s",
					 strerror(errno));
	p = calloc(1, size);
	if (!p)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	p->pairwise = s->pairwise->serial;
	p->enc = (uint8_t)enc;
	p->role = (uint8_t)s->role;
	p->replay = (uint8_t)s->pairwise->replay;
	p->replay_window = cfg->replay_window;
	p->replay_set = cfg->replay_set;
	p->rro_len = (uint16_t)s->rro.canon_len;
	p->oro_len = (uint16_t)s->oro.canon_len;
	p->hard_seconds = esprim_seconds_left(s->expiry_ms);
	memcpy(p->rand_objects, s->rro.canon, s->rro.canon_len);
	memcpy(p->rand_objects + s->rro.canon_len, s->oro.canon,
	       s->oro.canon_len);
	snprintf(desc, sizeof(desc), "%s%s:%s:%s",
		 ONEM2M_ESPRIM_SESSION_PREFIX, s->pairwise->kid, s->ori,
		 s->rri);
	e->serial = add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, p, size, ring);
	free(p);
	if (e->serial < 0) {
		ret = errno;
		e->serial = 0;
		return esprim_kernel_add_error(err, ret, desc);
	}
	return 0;
}

/*
 * The session key of one enc and the template bound to it by reference.
 * A key in use already (by batches) that the kernel refuses to bind
 * (revoked, expired, invalidated) is no local failure: *key_err then has
 * the template's errno for the caller to map, as an operation's.
 */
static int esprim_kernel_enc(struct esprim_session *s,
			     enum onem2m_esprim_enc enc,
			     struct esprim_kernel_enc **out, ssize_t *key_err,
			     struct esprim_error *err)
{
	struct onem2m_esprim_key_ref ref = {
		.hdr.version = ONEM2M_ESPRIM_KEY_BLOB_V1,
		.hdr.form = ONEM2M_ESPRIM_KEY_FORM_REF,
	};
	struct esprim_kernel_enc *e;
	bool added;
	int ret;

	*key_err = 0;
	added = !((struct esprim_kernel_session *)s->backend)->enc[enc].serial;
	ret = esprim_kernel_key(s, enc, &e, err);
	*out = e;
	if (ret || e->handle)
		return ret;
	ref.serial = e->serial;
	ret = esprim_afalg_open(&e->handle, ONEM2M_ESPRIM_AEAD_ALG, &ref,
				sizeof(ref), ONEM2M_ESPRIM_TRAILER_LEN);
	if (!ret)
		return 0;
	e->handle = NULL;
	if (!added && (ret == -EKEYEXPIRED || ret == -EKEYREVOKED ||
		       ret == -ENOKEY || ret == -EKEYREJECTED)) {
		*key_err = ret;
		return 0;
	}
	/* A key just added for this is of no use; one in use stays. */
	if (added) {
		keyctl_invalidate(e->serial);
		e->serial = 0;
	}
	return esprim_fail_local(err, -ret, ESPRIM_RSC_DECRYPTION_ERROR,
				 "%s over AF_ALG: %s", ONEM2M_ESPRIM_AEAD_ALG,
				 strerror(-ret));
}

static uint8_t *esprim_kernel_buf(struct esprim_ctx *ctx, size_t size)
{
	struct esprim_kernel_ctx *kc = ctx->backend;

	return esprim_buf_grow(&kc->buf, &kc->buf_size, size) ? NULL : kc->buf;
}

/* The RSC of a failed seal: an exhausted or expired key is no local fault. */
static int esprim_kernel_seal_error(struct esprim_session *s, ssize_t ret,
				    struct esprim_error *err)
{
	int e = ret < 0 ? (int)-ret : EIO;

	if (e == EKEYEXPIRED || e == EKEYREVOKED || e == ENOKEY ||
	    e == EKEYREJECTED)
		return esprim_session_expired(s, esprim_now_ms(), err) ?:
		       esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "session key of %s:%s:%s is used up or expired: %s",
				   s->pairwise->kid, s->ori, s->rri,
				   strerror(e));
	return esprim_fail_local(err, e, ESPRIM_RSC_ENCRYPTION_ERROR,
				 "kernel seal failed: %s", strerror(e));
}

/* The RSC of a failed open, from the template's or an item's errno. */
static int esprim_kernel_open_error(struct esprim_session *s, ssize_t ret,
				    struct esprim_error *err)
{
	if (ret == -EBADMSG)
		return esprim_fail(err, ESPRIM_RSC_BAD_MAC,
				   "integrity check of the ESPrim Object failed");
	if (ret == -EALREADY)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "replayed or reflected object (IV seen before, older than the replay window, or this side's own)");
	if (ret == -ENOSPC)
		return esprim_replay_fail(ESPRIM_REPLAY_SET_FULL, err);
	if (ret == -ENOMEM)
		return esprim_replay_fail(ESPRIM_REPLAY_NOMEM, err);
	if (ret == -EKEYEXPIRED || ret == -EKEYREVOKED || ret == -ENOKEY)
		return esprim_session_expired(s, esprim_now_ms(), err) ?:
		       esprim_fail(err, ESPRIM_RSC_UNKNOWN_KEY_ID,
				   "session key of %s:%s:%s expired or revoked",
				   s->pairwise->kid, s->ori, s->rri);
	return esprim_fail_local(err, ret < 0 ? (int)-ret : EIO,
				 ESPRIM_RSC_DECRYPTION_ERROR,
				 "kernel open failed: %s",
				 strerror(ret < 0 ? (int)-ret : EIO));
}

/* A whole netlink request that failed: a local failure of each item. */
static int esprim_kernel_genl_error(struct esprim_genl *g, int ret, int rsc,
				    struct esprim_error *err)
{
	const char *why = esprim_genl_error(g);

	return esprim_fail_local(err, -ret, rsc, "kernel %s over netlink failed: %s%s%s",
				 rsc == ESPRIM_RSC_ENCRYPTION_ERROR ?
				 "seal" : "open", strerror(-ret),
				 *why ? ": " : "", why);
}

static int esprim_kernel_seal_afalg(struct esprim_session *s,
				    enum onem2m_esprim_enc enc,
				    const uint8_t *text, size_t len,
				    const uint8_t **ct,
				    uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
				    uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
				    struct esprim_error *err)
{
	size_t in_len = s->hdr_len + len;
	size_t out_len = in_len + ONEM2M_ESPRIM_TRAILER_LEN;
	struct esprim_kernel_enc *e;
	uint8_t *buf;
	ssize_t ret;
	int rc;

	rc = esprim_kernel_enc(s, enc, &e, &ret, err);
	if (rc)
		return rc;
	if (ret)
		return esprim_kernel_seal_error(s, ret, err);
	buf = esprim_kernel_buf(s->ctx, out_len);
	if (!buf)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "out of memory");
	memcpy(buf, s->hdr, s->hdr_len);
	memcpy(buf + s->hdr_len, text, len);
	ret = esprim_afalg_crypt(e->handle, true, NULL, s->hdr_len, buf,
				 in_len, buf, out_len);
	if (ret != (ssize_t)out_len) {
		esprim_wipe(buf, out_len);
		return esprim_kernel_seal_error(s, ret, err);
	}
	*ct = buf + s->hdr_len;
	memcpy(tag, buf + in_len, ONEM2M_ESPRIM_TAG_LEN);
	memcpy(iv, buf + in_len + ONEM2M_ESPRIM_TAG_LEN, ONEM2M_ESPRIM_IV_LEN);
	return 0;
}

static int esprim_kernel_open_afalg(struct esprim_session *s,
				    enum onem2m_esprim_enc enc,
				    const char *aad, size_t aad_len,
				    const uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
				    const uint8_t *ct, size_t len,
				    const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
				    uint8_t *text, struct esprim_error *err)
{
	size_t out_len = aad_len + len;
	size_t in_len = out_len + ONEM2M_ESPRIM_TRAILER_LEN;
	struct esprim_kernel_enc *e;
	uint8_t *buf;
	ssize_t ret;
	int rc;

	rc = esprim_kernel_enc(s, enc, &e, &ret, err);
	if (rc)
		return rc;
	if (ret)
		return esprim_kernel_open_error(s, ret, err);
	buf = esprim_kernel_buf(s->ctx, in_len);
	if (!buf)
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory");
	memcpy(buf, aad, aad_len);
	memcpy(buf + aad_len, ct, len);
	memcpy(buf + out_len, tag, ONEM2M_ESPRIM_TAG_LEN);
	memcpy(buf + out_len + ONEM2M_ESPRIM_TAG_LEN, iv, ONEM2M_ESPRIM_IV_LEN);
	ret = esprim_afalg_crypt(e->handle, false, NULL, aad_len, buf, in_len,
				 buf, out_len);
	if (ret == (ssize_t)out_len)
		memcpy(text, buf + aad_len, len);
	/* No plaintext stays behind in the context's buffer. */
	esprim_wipe(buf, in_len);
	if (ret == (ssize_t)out_len)
		return 0;
	return esprim_kernel_open_error(s, ret, err);
}

/*
 * The netlink socket when an item of these lengths goes over it: 0 with
 * *g set, 0 with *g NULL for AF_ALG, or the error that kept the socket
 * from opening.
 */
static int esprim_kernel_route(struct esprim_ctx *ctx, bool open,
			       size_t aad_len, size_t len,
			       struct esprim_genl **g, struct esprim_error *err)
{
	*g = NULL;
	if (!esprim_genl_item_fits(open, aad_len, len))
		return 0;
	return esprim_kernel_genl(ctx, g, open ? ESPRIM_RSC_DECRYPTION_ERROR :
				  ESPRIM_RSC_ENCRYPTION_ERROR, err);
}

static int esprim_kernel_seal(struct esprim_session *s,
			      enum onem2m_esprim_enc enc, const uint8_t *text,
			      size_t len, const uint8_t **ct,
			      uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			      uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			      struct esprim_error *err)
{
	struct esprim_genl_item it = {
		.aad = s->hdr, .aad_len = s->hdr_len,
		.text = text, .text_len = len,
	};
	struct esprim_kernel_enc *e;
	struct esprim_genl *g = NULL;
	int rc;

	if (ESPRIM_KERNEL_SINGLE_NETLINK) {
		rc = esprim_kernel_route(s->ctx, false, s->hdr_len, len, &g,
					 err);
		if (rc)
			return rc;
	}
	if (!g)
		return esprim_kernel_seal_afalg(s, enc, text, len, ct, tag, iv,
						err);
	rc = esprim_kernel_key(s, enc, &e, err);
	if (rc)
		return rc;
	it.serial = e->serial;
	rc = esprim_genl_batch(g, false, &it, 1);
	if (rc)
		return esprim_kernel_genl_error(g, rc,
						ESPRIM_RSC_ENCRYPTION_ERROR,
						err);
	if (it.status)
		return esprim_kernel_seal_error(s, -it.status, err);
	*ct = it.out;
	memcpy(tag, it.trailer_out, ONEM2M_ESPRIM_TAG_LEN);
	memcpy(iv, it.trailer_out + ONEM2M_ESPRIM_TAG_LEN,
	       ONEM2M_ESPRIM_IV_LEN);
	return 0;
}

static int esprim_kernel_open(struct esprim_session *s,
			      enum onem2m_esprim_enc enc, const char *aad,
			      size_t aad_len,
			      const uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			      const uint8_t *ct, size_t len,
			      const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			      uint8_t *text, struct esprim_error *err)
{
	uint8_t trailer[ONEM2M_ESPRIM_TRAILER_LEN];
	struct esprim_genl_item it = {
		.aad = aad, .aad_len = aad_len,
		.text = ct, .text_len = len,
		.trailer = trailer,
	};
	struct esprim_kernel_enc *e;
	struct esprim_genl *g = NULL;
	int rc;

	if (ESPRIM_KERNEL_SINGLE_NETLINK) {
		rc = esprim_kernel_route(s->ctx, true, aad_len, len, &g, err);
		if (rc)
			return rc;
	}
	if (!g)
		return esprim_kernel_open_afalg(s, enc, aad, aad_len, iv, ct,
						len, tag, text, err);
	rc = esprim_kernel_key(s, enc, &e, err);
	if (rc)
		return rc;
	it.serial = e->serial;
	memcpy(trailer, tag, ONEM2M_ESPRIM_TAG_LEN);
	memcpy(trailer + ONEM2M_ESPRIM_TAG_LEN, iv, ONEM2M_ESPRIM_IV_LEN);
	rc = esprim_genl_batch(g, true, &it, 1);
	if (rc)
		return esprim_kernel_genl_error(g, rc,
						ESPRIM_RSC_DECRYPTION_ERROR,
						err);
	if (!it.status)
		memcpy(text, it.out, len);
	/* No plaintext stays behind in the reply buffer. */
	esprim_genl_wipe_reply(g);
	return it.status ? esprim_kernel_open_error(s, -it.status, err) : 0;
}

/* One op of a batch over AF_ALG. */
static unsigned int esprim_kernel_batch_afalg(bool open,
					      struct esprim_batch_op *op)
{
	if (open)
		op->rc = esprim_kernel_open_afalg(
			op->s, op->enc, op->aad, op->aad_len,
			op->trailer + ONEM2M_ESPRIM_TAG_LEN, op->in, op->len,
			op->trailer, op->out, NULL);
	else
		op->rc = esprim_kernel_seal_afalg(
			op->s, op->enc, op->in, op->len, &op->ct, op->trailer,
			op->trailer + ONEM2M_ESPRIM_TAG_LEN, NULL);
	return 1;
}

/*
 * The first ops that go together in one netlink request (their keys
 * derived first), or the first on its own over AF_ALG (no family, or too
 * large for netlink).
 */
static unsigned int esprim_kernel_batch(struct esprim_ctx *ctx, bool open,
					struct esprim_batch_op *ops,
					unsigned int n)
{
	int rsc = open ? ESPRIM_RSC_DECRYPTION_ERROR :
		  ESPRIM_RSC_ENCRYPTION_ERROR;
	struct esprim_kernel_ctx *kc = ctx->backend;
	struct esprim_genl_item *it = kc->items;
	struct esprim_kernel_enc *e;
	struct esprim_batch_op *op;
	struct esprim_genl *g;
	unsigned int i, k;
	int rc;

	rc = esprim_kernel_genl(ctx, &g, rsc, NULL);
	if (rc) {
		ops[0].rc = rc;
		return 1;
	}
	if (!g)
		return esprim_kernel_batch_afalg(open, &ops[0]);
	if (n > ONEM2M_ESPRIM_BATCH_MAX_ITEMS)
		n = ONEM2M_ESPRIM_BATCH_MAX_ITEMS;
	for (k = 0; k < n; k++) {
		op = &ops[k];
		rc = esprim_kernel_key(op->s, op->enc, &e, NULL);
		if (rc) {
			if (k)
				break;
			op->rc = rc;
			return 1;
		}
		it[k] = (struct esprim_genl_item){
			.serial = e->serial,
			.aad = op->aad, .aad_len = op->aad_len,
			.text = op->in, .text_len = op->len,
			.trailer = open ? op->trailer : NULL,
		};
	}
	k = esprim_genl_fit(g, open, it, k);
	if (!k)
		return esprim_kernel_batch_afalg(open, &ops[0]);
	rc = esprim_genl_batch(g, open, it, k);
	for (i = 0; i < k; i++) {
		op = &ops[i];
		if (rc)
			op->rc = rc;
		else if (it[i].status && open)
			op->rc = esprim_kernel_open_error(op->s,
							  -it[i].status, NULL);
		else if (it[i].status)
			op->rc = esprim_kernel_seal_error(op->s,
							  -it[i].status, NULL);
		else if (open)
			memcpy(op->out, it[i].out, op->len);
		else {
			op->ct = it[i].out;
			memcpy(op->trailer, it[i].trailer_out,
			       ONEM2M_ESPRIM_TRAILER_LEN);
		}
		if (!rc && !it[i].status)
			op->rc = 0;
	}
	/* No plaintext stays behind in the reply buffer. */
	if (open)
		esprim_genl_wipe_reply(g);
	return k;
}

static unsigned int esprim_kernel_seal_batch(struct esprim_ctx *ctx,
					     struct esprim_batch_op *ops,
					     unsigned int n)
{
	return esprim_kernel_batch(ctx, false, ops, n);
}

static unsigned int esprim_kernel_open_batch(struct esprim_ctx *ctx,
					     struct esprim_batch_op *ops,
					     unsigned int n)
{
	return esprim_kernel_batch(ctx, true, ops, n);
}

const struct esprim_backend_ops esprim_kernel_ops = {
	.name = "kernel",
	.ctx_init = esprim_kernel_ctx_init,
	.ctx_fini = esprim_kernel_ctx_fini,
	.pairwise_add = esprim_kernel_pairwise_add,
	.pairwise_del = esprim_kernel_pairwise_del,
	.session_init = esprim_kernel_session_init,
	.session_fini = esprim_kernel_session_fini,
	.seal = esprim_kernel_seal,
	.open = esprim_kernel_open,
	.seal_batch = esprim_kernel_seal_batch,
	.open_batch = esprim_kernel_open_batch,
};
