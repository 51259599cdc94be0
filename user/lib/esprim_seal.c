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

/* The checks before the backend: sizes, then the session's life. */
static int esprim_seal_check(struct esprim_session *s, size_t text_len,
			     size_t out_size, int64_t now,
			     struct esprim_error *err)
{
	size_t need;

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
	return esprim_session_expired(s, now, err);
}

/* Writes the compact object (room checked); returns its length. */
static size_t esprim_seal_frame(const struct esprim_session *s,
				const uint8_t *ct, size_t text_len,
				const uint8_t tag[ONEM2M_ESPRIM_TAG_LEN],
				const uint8_t iv[ONEM2M_ESPRIM_IV_LEN],
				char *out, size_t out_size)
{
	char *o = out;

	memcpy(o, s->hdr, s->hdr_len);
	o += s->hdr_len;
	*o++ = '.';
	*o++ = '.';
	o += esprim_b64url_encode(iv, ONEM2M_ESPRIM_IV_LEN, o);
	*o++ = '.';
	o += esprim_b64url_encode(ct, text_len, o);
	*o++ = '.';
	o += esprim_b64url_encode(tag, ONEM2M_ESPRIM_TAG_LEN, o);
	if ((size_t)(o - out) < out_size)
		*o = 0;
	return (size_t)(o - out);
}

int esprim_seal(struct esprim_session *s, const void *text, size_t text_len,
		char *out, size_t out_size, size_t *out_len,
		struct esprim_error *err)
{
	uint8_t iv[ONEM2M_ESPRIM_IV_LEN], tag[ONEM2M_ESPRIM_TAG_LEN];
	const uint8_t *ct;
	int rc;

	*out_len = 0;
	rc = esprim_seal_check(s, text_len, out_size, esprim_now_ms(), err);
	if (rc)
		return rc;
	rc = s->ctx->ops->seal(s, s->enc, text, text_len, &ct, tag, iv, err);
	if (rc)
		return rc;
	*out_len = esprim_seal_frame(s, ct, text_len, tag, iv, out, out_size);
	return 0;
}

/* Hands ops[0..k) to the backend's batched path; how many succeeded. */
static unsigned int esprim_seal_run(struct esprim_session *s,
				    struct esprim_batch_op *ops,
				    unsigned int k,
				    struct esprim_batch_item *items)
{
	struct esprim_ctx *ctx = s->ctx;
	struct esprim_batch_op *op;
	struct esprim_batch_item *it;
	unsigned int i, end, done = 0;

	for (i = 0; i < k; i = end) {
		end = i + ctx->ops->seal_batch(ctx, ops + i, k - i);
		if (end <= i || end > k)
			end = k;	/* cannot be: the backend handles 1 to k - i */
		for (op = ops + i; op < ops + end; op++) {
			it = &items[op->item];
			it->rsc = op->rc;
			if (op->rc)
				continue;
			it->out_len = esprim_seal_frame(
				s, op->ct, op->len, op->trailer,
				op->trailer + ONEM2M_ESPRIM_TAG_LEN, it->out,
				it->out_size);
			done++;
		}
	}
	return done;
}

unsigned int esprim_seal_batch(struct esprim_session *s,
			       struct esprim_batch_item *items, unsigned int n)
{
	struct esprim_batch_op *ops = NULL;
	unsigned int i, k = 0, done = 0;
	int64_t now;

	if (s->ctx->ops->seal_batch)
		ops = esprim_ctx_batch_ops(s->ctx);
	if (!ops) {
		for (i = 0; i < n; i++) {
			items[i].rsc = esprim_seal(s, items[i].in,
						   items[i].in_len,
						   items[i].out,
						   items[i].out_size,
						   &items[i].out_len, NULL);
			done += !items[i].rsc;
		}
		return done;
	}
	now = esprim_now_ms();
	for (i = 0; i < n; i++) {
		items[i].out_len = 0;
		items[i].rsc = esprim_seal_check(s, items[i].in_len,
						 items[i].out_size, now, NULL);
		if (items[i].rsc)
			continue;
		ops[k] = (struct esprim_batch_op){
			.s = s,
			.enc = s->enc,
			.aad = s->hdr,
			.aad_len = s->hdr_len,
			.in = items[i].in,
			.len = items[i].in_len,
			.item = i,
		};
		if (++k == ESPRIM_BATCH_WINDOW) {
			done += esprim_seal_run(s, ops, k, items);
			k = 0;
		}
	}
	if (k)
		done += esprim_seal_run(s, ops, k, items);
	return done;
}
