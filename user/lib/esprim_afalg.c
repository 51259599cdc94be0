// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * AF_ALG access to the onem2m-esprim AEAD template through libkcapi.
 *
 * Operations up to 16 pages of input take libkcapi's one-shot path (one
 * sendmsg, one recvmsg); larger ones its stream calls, as its one-shot
 * calls refuse them.  The stream is fed in chunks that fit libkcapi's
 * vmsplice pipe whatever the buffer's alignment.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <kcapi.h>

#include "esprim_afalg.h"

#define STREAM_CHUNK	(32 * 1024)

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
	struct iovec out_iov = { .iov_base = out, .iov_len = out_len };
	size_t done;
	ssize_t ret;

	kcapi_aead_setassoclen(handle, assoclen);
	if (in_len <= 16 * (size_t)sysconf(_SC_PAGESIZE)) {
		if (encrypt)
			return kcapi_aead_encrypt(handle, (uint8_t *)in, in_len,
						  iv, out, out_len,
						  KCAPI_ACCESS_SENDMSG);
		return kcapi_aead_decrypt(handle, (uint8_t *)in, in_len, iv,
					  out, out_len, KCAPI_ACCESS_SENDMSG);
	}

	if (encrypt)
		ret = kcapi_aead_stream_init_enc(handle, iv, NULL, 0);
	else
		ret = kcapi_aead_stream_init_dec(handle, iv, NULL, 0);
	if (ret < 0)
		return ret;
	for (done = 0; done < in_len; done += ret) {
		struct iovec iov = {
			.iov_base = (void *)(in + done),
			.iov_len = in_len - done < STREAM_CHUNK ?
				   in_len - done : STREAM_CHUNK,
		};

		if (done + iov.iov_len == in_len)
			ret = kcapi_aead_stream_update_last(handle, &iov, 1);
		else
			ret = kcapi_aead_stream_update(handle, &iov, 1);
		if (ret <= 0)
			return ret < 0 ? ret : -EIO;
	}
	return kcapi_aead_stream_op(handle, &out_iov, 1);
}
