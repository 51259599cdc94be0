// SPDX-License-Identifier: GPL-2.0
/*
 * Checks and decodes the versioned setkey blobs of the onem2m-esprim
 * template (struct onem2m_esprim_key_* in the uapi header).
 */

#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/onem2m_esprim.h>

#include "compat.h"
#include "esprim.h"

static bool esprim_key_len_valid(unsigned int len)
{
	return len == 16 || len == 24 || len == 32;
}

static int esprim_key_raw_parse(const u8 *blob, unsigned int len,
				struct esprim_key_params *params)
{
	const struct onem2m_esprim_key_raw *raw = (const void *)blob;
	u64 max_invocations;
	unsigned int key_len;

	if (len != sizeof(*raw))
		return -EINVAL;
	if (raw->role != ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
	    raw->role != ONEM2M_ESPRIM_ROLE_RECEIVER)
		return -EINVAL;
	key_len = raw->key_len;
	if (!esprim_key_len_valid(key_len) ||
	    get_unaligned(&raw->reserved) ||
	    memchr_inv(raw->key + key_len, 0, sizeof(raw->key) - key_len))
		return -EINVAL;

	max_invocations = get_unaligned(&raw->max_invocations);
	if (!max_invocations)
		max_invocations = ONEM2M_ESPRIM_MAX_INVOCATIONS;
	if (max_invocations > ONEM2M_ESPRIM_MAX_INVOCATIONS)
		return -EINVAL;

	params->key = raw->key;
	params->key_len = key_len;
	params->role = raw->role;
	params->max_invocations = max_invocations;
	return 0;
}

int esprim_key_blob_parse(const u8 *blob, unsigned int len,
			  struct esprim_key_params *params)
{
	const struct onem2m_esprim_key_hdr *hdr = (const void *)blob;

	if (len < sizeof(*hdr) || hdr->version != ONEM2M_ESPRIM_KEY_BLOB_V1 ||
	    get_unaligned(&hdr->reserved))
		return -EINVAL;

	switch (hdr->form) {
	case ONEM2M_ESPRIM_KEY_FORM_RAW:
		return esprim_key_raw_parse(blob, len, params);
	default:
		return -EINVAL;
	}
}
