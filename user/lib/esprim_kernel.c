// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel backend: keys live in the keyring as "esprim" keys and never come
 * back to userspace.  Each context gets its own keyring (below the process
 * keyring unless one is configured); a pairwise key is added as
 * "pairwise:<kid>", a session as "session:<kid>:<ori>:<rri>" whose key the
 * kernel derives.  Sealing and opening run in the onem2m-esprim(gcm(aes))
 * template over AF_ALG, bound to the session key by reference, so the IV
 * counter, limits and replay window are the kernel's.
 *
 * The template's layout is AAD || text -> AAD || ciphertext || tag || IV
 * (uapi header); one buffer per context carries it.  A batched kernel
 * path plugs in as a seal_batch operation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keyutils.h>
#include <kcapi.h>

#include "esprim_afalg.h"
#include "esprim_internal.h"

struct esprim_kernel_ctx {
	key_serial_t keyring;
	bool own_keyring;
	uint8_t *buf;
	size_t buf_size;
};

struct esprim_kernel_session {
	key_serial_t serial;
	struct kcapi_handle *handle;
};

static int esprim_kernel_ctx_init(struct esprim_ctx *ctx,
				  struct esprim_error *err)
{
	struct esprim_kernel_ctx *kc = calloc(1, sizeof(*kc));
	char name[48];

	if (!kc)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	kc->keyring = ctx->config.keyring;
	if (!kc->keyring) {
		snprintf(name, sizeof(name), "esprim-ctx-%p", (void *)ctx);
		kc->keyring = add_key("keyring", name, NULL, 0,
				      KEY_SPEC_PROCESS_KEYRING);
		kc->own_keyring = true;
	}
	if (kc->keyring < 0) {
		free(kc);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "cannot create a keyring: %s",
				   strerror(errno));
	}
	ctx->backend = kc;
	return 0;
}

static void esprim_kernel_ctx_fini(struct esprim_ctx *ctx)
{
	struct esprim_kernel_ctx *kc = ctx->backend;

	if (kc->own_keyring)
		keyctl_invalidate(kc->keyring);
	if (kc->buf)
		esprim_wipe(kc->buf, kc->buf_size);
	free(kc->buf);
	free(kc);
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

static int esprim_kernel_pairwise_add(struct esprim_ctx *ctx,
				      struct esprim_pairwise *pw,
				      struct esprim_error *err)
{
	struct esprim_kernel_ctx *kc = ctx->backend;
	struct onem2m_esprim_pairwise_payload p = {
		.hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1,
		.hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE,
		.key_len = (uint8_t)pw->key_len,
	};
	char desc[sizeof(ONEM2M_ESPRIM_PAIRWISE_PREFIX) +
		  ONEM2M_ESPRIM_MAX_ID_LEN];

	if (!pw->peer)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "the kernel backend binds every pairwise key to a peer identity");
	p.peer_len = (uint8_t)strlen(pw->peer);
	p.lifetime = esprim_seconds_left(pw->expiry_ms);
	memcpy(p.key, pw->key, pw->key_len);
	memcpy(p.peer, pw->peer, p.peer_len);
	snprintf(desc, sizeof(desc), "%s%s", ONEM2M_ESPRIM_PAIRWISE_PREFIX,
		 pw->kid);
	pw->serial = add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, &p, sizeof(p),
			     kc->keyring);
	esprim_wipe(&p, sizeof(p));
	if (pw->serial < 0 && errno == ENODEV)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "no key type \"%s\": is onem2m_esprim loaded?",
				   ONEM2M_ESPRIM_KEY_TYPE);
	if (pw->serial < 0)
		return esprim_fail(err, ESPRIM_RSC_BAD_REQUEST,
				   "adding %s to the keyring: %s", desc,
				   strerror(errno));
	return 0;
}

static void esprim_kernel_pairwise_del(struct esprim_ctx *ctx,
				       struct esprim_pairwise *pw)
{
	if (pw->serial > 0)
		keyctl_invalidate(pw->serial);
}

static int esprim_kernel_session_init(struct esprim_session *s,
				      struct esprim_error *err)
{
	struct esprim_kernel_ctx *kc = s->ctx->backend;
	struct onem2m_esprim_session_payload *p;
	struct onem2m_esprim_key_ref ref = {
		.hdr.version = ONEM2M_ESPRIM_KEY_BLOB_V1,
		.hdr.form = ONEM2M_ESPRIM_KEY_FORM_REF,
	};
	struct esprim_kernel_session *ks;
	size_t size = sizeof(*p) + s->rro.canon_len + s->oro.canon_len;
	char desc[3 * ONEM2M_ESPRIM_MAX_ID_LEN + 16];
	int ret;

	ks = calloc(1, sizeof(*ks));
	p = calloc(1, size);
	if (!ks || !p) {
		free(ks);
		free(p);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	}
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	p->pairwise = s->pairwise->serial;
	p->enc = (uint8_t)s->enc;
	p->role = (uint8_t)s->role;
	p->replay = (uint8_t)s->ctx->config.replay;
	p->replay_window = s->ctx->config.replay_window;
	p->replay_set = s->ctx->config.replay_set;
	p->rro_len = (uint16_t)s->rro.canon_len;
	p->oro_len = (uint16_t)s->oro.canon_len;
	p->hard_seconds = esprim_seconds_left(s->expiry_ms);
	memcpy(p->rand_objects, s->rro.canon, s->rro.canon_len);
	memcpy(p->rand_objects + s->rro.canon_len, s->oro.canon,
	       s->oro.canon_len);
	snprintf(desc, sizeof(desc), "%s%s:%s:%s",
		 ONEM2M_ESPRIM_SESSION_PREFIX, s->kid, s->ori, s->rri);
	ks->serial = add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, p, size,
			     kc->keyring);
	free(p);
	if (ks->serial < 0) {
		ret = errno;
		free(ks);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "kernel session %s: %s", desc,
				   strerror(ret));
	}
	ref.serial = ks->serial;
	ret = esprim_afalg_open(&ks->handle, ONEM2M_ESPRIM_AEAD_ALG, &ref,
				sizeof(ref), ONEM2M_ESPRIM_TRAILER_LEN);
	if (ret) {
		keyctl_invalidate(ks->serial);
		free(ks);
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "%s over AF_ALG: %s",
				   ONEM2M_ESPRIM_AEAD_ALG, strerror(-ret));
	}
	s->backend = ks;
	return 0;
}

static void esprim_kernel_session_fini(struct esprim_session *s)
{
	struct esprim_kernel_session *ks = s->backend;

	if (!ks)
		return;
	kcapi_aead_destroy(ks->handle);
	keyctl_invalidate(ks->serial);
	free(ks);
	s->backend = NULL;
}

static uint8_t *esprim_kernel_buf(struct esprim_ctx *ctx, size_t size)
{
	struct esprim_kernel_ctx *kc = ctx->backend;

	return esprim_buf_grow(&kc->buf, &kc->buf_size, size) ? NULL : kc->buf;
}

static int esprim_kernel_seal(struct esprim_session *s, const uint8_t *text,
			      size_t len, const uint8_t **ct,
			      uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			      uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			      struct esprim_error *err)
{
	struct esprim_kernel_session *ks = s->backend;
	size_t in_len = s->hdr_len + len;
	size_t out_len = in_len + ONEM2M_ESPRIM_TRAILER_LEN;
	uint8_t *buf = esprim_kernel_buf(s->ctx, out_len);
	ssize_t ret;

	if (!buf)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "out of memory");
	memcpy(buf, s->hdr, s->hdr_len);
	memcpy(buf + s->hdr_len, text, len);
	ret = esprim_afalg_crypt(ks->handle, true, NULL, s->hdr_len, buf,
				 in_len, buf, out_len);
	if (ret != (ssize_t)out_len)
		return esprim_fail(err, ESPRIM_RSC_ENCRYPTION_ERROR,
				   "kernel seal failed: %s",
				   strerror(ret < 0 ? (int)-ret : EIO));
	*ct = buf + s->hdr_len;
	memcpy(tag, buf + in_len, ONEM2M_ESPRIM_TAG_LEN);
	memcpy(iv, buf + in_len + ONEM2M_ESPRIM_TAG_LEN, ONEM2M_ESPRIM_IV_LEN);
	return 0;
}

static int esprim_kernel_open(struct esprim_session *s, const char *aad,
			      size_t aad_len,
			      const uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
			      const uint8_t *ct, size_t len,
			      const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
			      uint8_t *text, struct esprim_error *err)
{
	struct esprim_kernel_session *ks = s->backend;
	size_t out_len = aad_len + len;
	size_t in_len = out_len + ONEM2M_ESPRIM_TRAILER_LEN;
	uint8_t *buf = esprim_kernel_buf(s->ctx, in_len);
	ssize_t ret;

	if (!buf)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "out of memory");
	memcpy(buf, aad, aad_len);
	memcpy(buf + aad_len, ct, len);
	memcpy(buf + out_len, tag, ONEM2M_ESPRIM_TAG_LEN);
	memcpy(buf + out_len + ONEM2M_ESPRIM_TAG_LEN, iv, ONEM2M_ESPRIM_IV_LEN);
	ret = esprim_afalg_crypt(ks->handle, false, NULL, aad_len, buf, in_len,
				 buf, out_len);
	if (ret == -EBADMSG)
		return esprim_fail(err, ESPRIM_RSC_BAD_MAC,
				   "integrity check of the ESPrim Object failed");
	if (ret == -EALREADY)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "replayed or reflected object (IV seen before, older than the replay window, or this side's own)");
	if (ret == -ENOSPC)
		return esprim_replay_fail(ESPRIM_REPLAY_SET_FULL, err);
	if (ret != (ssize_t)out_len)
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "kernel open failed: %s",
				   strerror(ret < 0 ? (int)-ret : EIO));
	memcpy(text, buf + aad_len, len);
	return 0;
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
};
