// SPDX-License-Identifier: GPL-2.0
/*
 * Checks and decodes the versioned setkey blobs of the onem2m-esprim
 * template (struct onem2m_esprim_key_raw and _ref in the uapi header).
 */

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

static bool esprim_key_len_valid(unsigned int len)
{
	return len == 16 || len == 24 || len == 32;
}

/* The fields before the key, copied out: the blob may be unaligned. */
struct esprim_key_raw_head {
	struct onem2m_esprim_key_hdr hdr;
	u8 role;
	u8 key_len;
	u8 replay;
	u8 reserved;
	u64 max_invocations;
};

static int esprim_key_raw_parse(const u8 *blob, unsigned int len,
				struct esprim_key_params *params)
{
	const u8 *key = blob + offsetof(struct onem2m_esprim_key_raw, key);
	struct esprim_key_raw_head head;
	u64 max_invocations;

	BUILD_BUG_ON(sizeof(head) !=
		     offsetof(struct onem2m_esprim_key_raw, key));
	if (len != sizeof(struct onem2m_esprim_key_raw))
		return -EINVAL;
	memcpy(&head, blob, sizeof(head));

	if (head.role != ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
	    head.role != ONEM2M_ESPRIM_ROLE_RECEIVER)
		return -EINVAL;
	if (head.replay != ONEM2M_ESPRIM_REPLAY_AUTO &&
	    head.replay != ONEM2M_ESPRIM_REPLAY_OFF &&
	    head.replay != ONEM2M_ESPRIM_REPLAY_STRICT)
		return -EINVAL;
	if (!esprim_key_len_valid(head.key_len) || head.reserved ||
	    memchr_inv(key + head.key_len, 0,
		       ONEM2M_ESPRIM_MAX_KEY_LEN - head.key_len))
		return -EINVAL;

	max_invocations = head.max_invocations ?: ONEM2M_ESPRIM_MAX_INVOCATIONS;
	if (max_invocations > ONEM2M_ESPRIM_MAX_INVOCATIONS)
		return -EINVAL;

	params->form = ONEM2M_ESPRIM_KEY_FORM_RAW;
	params->key = key;
	params->key_len = head.key_len;
	params->role = head.role;
	params->replay = head.replay;
	params->max_invocations = max_invocations;
	return 0;
}

static int esprim_key_ref_parse(const u8 *blob, unsigned int len,
				struct esprim_key_params *params)
{
	struct onem2m_esprim_key_ref ref;

	if (len != sizeof(ref))
		return -EINVAL;
	memcpy(&ref, blob, sizeof(ref));
	if (ref.serial <= 0)	/* no special keyring IDs */
		return -EINVAL;

	params->form = ONEM2M_ESPRIM_KEY_FORM_REF;
	params->serial = ref.serial;
	return 0;
}

int esprim_key_blob_parse(const u8 *blob, unsigned int len,
			  struct esprim_key_params *params)
{
	struct onem2m_esprim_key_hdr hdr;

	if (len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, blob, sizeof(hdr));
	if (hdr.version != ONEM2M_ESPRIM_KEY_BLOB_V1 || hdr.reserved)
		return -EINVAL;

	switch (hdr.form) {
	case ONEM2M_ESPRIM_KEY_FORM_RAW:
		return esprim_key_raw_parse(blob, len, params);
	case ONEM2M_ESPRIM_KEY_FORM_REF:
		return esprim_key_ref_parse(blob, len, params);
	default:
		return -EINVAL;
	}
}
