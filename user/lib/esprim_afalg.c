// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ALG access to the onem2m-esprim AEAD template through libkcapi.
 *
 * Operations go through libkcapi's stream calls: its one-shot calls stop
 * at 16 pages of input, and ESPrim objects may be larger.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <kcapi.h>

#include "esprim_afalg.h"

void esprim_key_raw_init(struct onem2m_esprim_key_raw *blob,
			 const uint8_t *key, unsigned int key_len,
			 enum onem2m_esprim_role role,
			 uint64_t max_invocations)
{
	memset(blob, 0, sizeof(*blob));
	blob->hdr.version = ONEM2M_ESPRIM_KEY_BLOB_V1;
	blob->hdr.form = ONEM2M_ESPRIM_KEY_FORM_RAW;
	blob->role = role;
	blob->key_len = key_len;
	blob->max_invocations = max_invocations;
	if (key_len <= sizeof(blob->key))
		memcpy(blob->key, key, key_len);
}

int esprim_afalg_open(struct kcapi_handle **handle, const char *alg,
		      const void *key, size_t key_len, unsigned int authsize)
{
	int ret;

	ret = kcapi_aead_init(handle, alg, 0);
	if (ret)
		return ret;
	ret = kcapi_aead_setkey(*handle, key, key_len);
	if (!ret)
		ret = kcapi_aead_settaglen(*handle, authsize);
	if (ret) {
		kcapi_aead_destroy(*handle);
		*handle = NULL;
	}
	return ret;
}

ssize_t esprim_afalg_crypt(struct kcapi_handle *handle, bool encrypt,
			   const uint8_t *iv, size_t assoclen,
			   const uint8_t *in, size_t in_len,
			   uint8_t *out, size_t out_len)
{
	struct iovec in_iov = { .iov_base = (void *)in, .iov_len = in_len };
	struct iovec out_iov = { .iov_base = out, .iov_len = out_len };
	ssize_t ret;

	kcapi_aead_setassoclen(handle, assoclen);
	if (encrypt)
		ret = kcapi_aead_stream_init_enc(handle, iv, NULL, 0);
	else
		ret = kcapi_aead_stream_init_dec(handle, iv, NULL, 0);
	if (ret < 0)
		return ret;
	ret = kcapi_aead_stream_update_last(handle, &in_iov, 1);
	if (ret < 0)
		return ret;
	return kcapi_aead_stream_op(handle, &out_iov, 1);
}
