// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sealing: the session's cached protected header (also the AAD), the IV
 * and ciphertext of the backend, and the tag, as a compact object.
 */
#include <errno.h>
#include <string.h>

#include "esprim_internal.h"

#define ESPRIM_IV_B64_LEN	16	/* 12 octets */
#define ESPRIM_TAG_B64_LEN	22	/* 16 octets */

size_t esprim_seal_size(const struct esprim_session *s, size_t text_len)
{
	return s->hdr_len + 2 + ESPRIM_IV_B64_LEN + 1 +
	       esprim_b64url_encoded_len(text_len) + 1 + ESPRIM_TAG_B64_LEN;
}

int esprim_seal(struct esprim_session *s, const void *text, size_t text_len,
		char *out, size_t out_size, size_t *out_len,
		struct esprim_error *err)
{
	uint8_t iv[ONEM2M_ESPRIM_IV_LEN], tag[ONEM2M_ESPRIM_TAG_LEN];
	size_t need;
	const uint8_t *ct;
	char *o = out;
	int rc;

	*out_len = 0;
	/* B.14: an empty ciphertext part is not an object. */
	if (!text_len || text_len > ONEM2M_ESPRIM_MAX_TEXT)
		return esprim_fail_local(err, EINVAL,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "primitive of %zu bytes: 1 to %d",
					 text_len, ONEM2M_ESPRIM_MAX_TEXT);
	need = esprim_seal_size(s, text_len);
	if (out_size < need)
		return esprim_fail_local(err, ENOBUFS,
					 ESPRIM_RSC_ENCRYPTION_ERROR,
					 "output buffer of %zu bytes, %zu needed",
					 out_size, need);
	/* The cause (4112, 4113, 4114) is what the caller needs to know. */
	rc = esprim_session_expired(s, esprim_now_ms(), err);
	if (rc)
		return rc;
	rc = s->ctx->ops->seal(s, s->enc, text, text_len, &ct, tag, iv, err);
	if (rc)
		return rc;

	memcpy(o, s->hdr, s->hdr_len);
	o += s->hdr_len;
	*o++ = '.';
	*o++ = '.';
	o += esprim_b64url_encode(iv, sizeof(iv), o);
	*o++ = '.';
	o += esprim_b64url_encode(ct, text_len, o);
	*o++ = '.';
	o += esprim_b64url_encode(tag, sizeof(tag), o);
	if ((size_t)(o - out) < out_size)
		*o = 0;
	*out_len = (size_t)(o - out);
	return 0;
}

unsigned int esprim_seal_batch(struct esprim_session *s,
			       struct esprim_batch_item *items, unsigned int n)
{
	unsigned int i, done = 0;

	for (i = 0; i < n; i++) {
		items[i].rsc = esprim_seal(s, items[i].in, items[i].in_len,
					   items[i].out, items[i].out_size,
					   &items[i].out_len, NULL);
		done += !items[i].rsc;
	}
	return done;
}
