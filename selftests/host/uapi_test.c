// SPDX-License-Identifier: GPL-2.0
/*
 * Pins the binary layout of the uapi formats: a change here breaks every
 * deployed userspace, so it must be deliberate.
 */
#include <stddef.h>
#include <linux/onem2m_esprim.h>

#include "kselftest_harness.h"

TEST(key_raw_layout)
{
	EXPECT_EQ(4, sizeof(struct onem2m_esprim_key_hdr));
	EXPECT_EQ(48, sizeof(struct onem2m_esprim_key_raw));
	EXPECT_EQ(0, offsetof(struct onem2m_esprim_key_raw, hdr));
	EXPECT_EQ(4, offsetof(struct onem2m_esprim_key_raw, role));
	EXPECT_EQ(5, offsetof(struct onem2m_esprim_key_raw, key_len));
	EXPECT_EQ(8, offsetof(struct onem2m_esprim_key_raw, max_invocations));
	EXPECT_EQ(16, offsetof(struct onem2m_esprim_key_raw, key));
}

TEST(key_ref_and_payload_layouts)
{
	EXPECT_EQ(8, sizeof(struct onem2m_esprim_key_ref));
	EXPECT_EQ(4, offsetof(struct onem2m_esprim_key_ref, serial));
	EXPECT_EQ(4, sizeof(struct onem2m_esprim_payload_hdr));
	EXPECT_EQ(332, sizeof(struct onem2m_esprim_pairwise_payload));
	EXPECT_EQ(12, offsetof(struct onem2m_esprim_pairwise_payload, key));
	EXPECT_EQ(76, offsetof(struct onem2m_esprim_pairwise_payload, peer));
	EXPECT_EQ(76, sizeof(struct onem2m_esprim_enrolment_payload));
	EXPECT_EQ(528, sizeof(struct onem2m_esprim_rspf_payload));
	EXPECT_EQ(16, offsetof(struct onem2m_esprim_rspf_payload, target));
	EXPECT_EQ(48, sizeof(struct onem2m_esprim_session_payload));
	EXPECT_EQ(20, offsetof(struct onem2m_esprim_session_payload,
			       soft_seconds));
	EXPECT_EQ(32, offsetof(struct onem2m_esprim_session_payload,
			       soft_invocations));
	EXPECT_EQ(48, offsetof(struct onem2m_esprim_session_payload,
			       rand_objects));
}

TEST(trailer_and_iv_layout)
{
	EXPECT_EQ(12, ONEM2M_ESPRIM_IV_LEN);
	EXPECT_EQ(ONEM2M_ESPRIM_IV_LEN, ONEM2M_ESPRIM_IV_FIXED_LEN +
		  ONEM2M_ESPRIM_IV_COUNTER_LEN);
	EXPECT_EQ(28, ONEM2M_ESPRIM_TRAILER_LEN);
	EXPECT_EQ(1ULL << 32, ONEM2M_ESPRIM_MAX_INVOCATIONS);
}

TEST(names_and_enums)
{
	EXPECT_STREQ("onem2m-esprim(gcm(aes))", ONEM2M_ESPRIM_AEAD_ALG);
	EXPECT_EQ(1, ONEM2M_ESPRIM_KEY_BLOB_V1);
	EXPECT_EQ(1, ONEM2M_ESPRIM_KEY_FORM_RAW);
	EXPECT_EQ(0, ONEM2M_ESPRIM_ROLE_ORIGINATOR);
	EXPECT_EQ(1, ONEM2M_ESPRIM_ROLE_RECEIVER);
	EXPECT_EQ(2, ONEM2M_ESPRIM_KEY_FORM_REF);
	EXPECT_STREQ("esprim", ONEM2M_ESPRIM_KEY_TYPE);
	EXPECT_EQ(23, ONEM2M_ESPRIM_SUID_RSPF);
	/* AUTO is the default: a zeroed payload or blob asks for it. */
	EXPECT_EQ(0, ONEM2M_ESPRIM_REPLAY_AUTO);
	EXPECT_EQ(1, ONEM2M_ESPRIM_REPLAY_OFF);
	EXPECT_EQ(2, ONEM2M_ESPRIM_REPLAY_STRICT);
}

TEST_HARNESS_MAIN
