// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/onem2m_esprim.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink_gen.h"

#include <uapi/linux/onem2m_esprim_netlink.h>
#include <linux/onem2m_esprim.h>
#include <linux/onem2m_esprim.h>
#include <linux/onem2m_esprim.h>

/* Common nested types */
const struct nla_policy onem2m_esprim_item_nl_policy[ONEM2M_ESPRIM_A_ITEM_STATUS + 1] = {
	[ONEM2M_ESPRIM_A_ITEM_KEY_SERIAL] = NLA_POLICY_MIN(NLA_S32, 1),
	[ONEM2M_ESPRIM_A_ITEM_AAD] = { .type = NLA_BINARY, },
	[ONEM2M_ESPRIM_A_ITEM_TEXT] = { .type = NLA_BINARY, },
	[ONEM2M_ESPRIM_A_ITEM_TRAILER] = NLA_POLICY_EXACT_LEN(28),
	[ONEM2M_ESPRIM_A_ITEM_INDEX] = { .type = NLA_U32, },
	[ONEM2M_ESPRIM_A_ITEM_STATUS] = { .type = NLA_U32, },
};

/* ONEM2M_ESPRIM_CMD_SESSION_GET - do */
const struct nla_policy onem2m_esprim_session_get_nl_policy[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL + 1] = {
	[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL] = NLA_POLICY_MIN(NLA_S32, 1),
	[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL] = NLA_POLICY_MIN(NLA_S32, 1),
};

/* ONEM2M_ESPRIM_CMD_SESSION_FLUSH - do */
const struct nla_policy onem2m_esprim_session_flush_nl_policy[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL + 1] = {
	[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL] = NLA_POLICY_MIN(NLA_S32, 1),
	[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL] = NLA_POLICY_MIN(NLA_S32, 1),
};

/* ONEM2M_ESPRIM_CMD_STATS_GET - do */
const struct nla_policy onem2m_esprim_stats_get_nl_policy[ONEM2M_ESPRIM_A_STATS_PAD + 1] = {
};

/* ONEM2M_ESPRIM_CMD_CONFIG_GET - do */
const struct nla_policy onem2m_esprim_config_get_nl_policy[ONEM2M_ESPRIM_A_CONFIG_PAD + 1] = {
};

/* ONEM2M_ESPRIM_CMD_CONFIG_SET - do */
const struct nla_policy onem2m_esprim_config_set_nl_policy[ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP + 1] = {
	[ONEM2M_ESPRIM_A_CONFIG_REPLAY] = NLA_POLICY_MAX(NLA_U8, 2),
	[ONEM2M_ESPRIM_A_CONFIG_REPLAY_WINDOW] = NLA_POLICY_RANGE(NLA_U32, 64, 4096),
	[ONEM2M_ESPRIM_A_CONFIG_SOFT_INVOCATIONS] = { .type = NLA_U64, },
	[ONEM2M_ESPRIM_A_CONFIG_HARD_INVOCATIONS] = NLA_POLICY_MIN(NLA_U64, 1),
	[ONEM2M_ESPRIM_A_CONFIG_SOFT_SECONDS] = { .type = NLA_U32, },
	[ONEM2M_ESPRIM_A_CONFIG_HARD_SECONDS] = { .type = NLA_U32, },
	[ONEM2M_ESPRIM_A_CONFIG_UPCALL_TIMEOUT] = NLA_POLICY_MIN(NLA_U32, 100),
	[ONEM2M_ESPRIM_A_CONFIG_NEGATIVE_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, 1, 3600),
	[ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ONEM2M_ESPRIM_CMD_UPCALL_REGISTER - do */
const struct nla_policy onem2m_esprim_upcall_register_nl_policy[ONEM2M_ESPRIM_A_UPCALL_PAD + 1] = {
};

/* ONEM2M_ESPRIM_CMD_UPCALL_COMPLETE - do */
const struct nla_policy onem2m_esprim_upcall_complete_nl_policy[ONEM2M_ESPRIM_A_UPCALL_NEGATIVE_TIMEOUT + 1] = {
	[ONEM2M_ESPRIM_A_UPCALL_ID] = NLA_POLICY_MIN(NLA_S32, 1),
	[ONEM2M_ESPRIM_A_UPCALL_PAYLOAD] = { .type = NLA_BINARY, },
	[ONEM2M_ESPRIM_A_UPCALL_ERROR] = NLA_POLICY_RANGE(NLA_U32, 1, 511),
	[ONEM2M_ESPRIM_A_UPCALL_NEGATIVE_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, 1, 3600),
};

/* ONEM2M_ESPRIM_CMD_SEAL - do */
const struct nla_policy onem2m_esprim_seal_nl_policy[ONEM2M_ESPRIM_A_BATCH_ITEM + 1] = {
	[ONEM2M_ESPRIM_A_BATCH_ITEM] = NLA_POLICY_NESTED(onem2m_esprim_item_nl_policy),
};

/* ONEM2M_ESPRIM_CMD_OPEN - do */
const struct nla_policy onem2m_esprim_open_nl_policy[ONEM2M_ESPRIM_A_BATCH_ITEM + 1] = {
	[ONEM2M_ESPRIM_A_BATCH_ITEM] = NLA_POLICY_NESTED(onem2m_esprim_item_nl_policy),
};

/* Ops table for onem2m_esprim */
const struct genl_ops onem2m_esprim_nl_ops[9] = {
	{
		.cmd		= ONEM2M_ESPRIM_CMD_SESSION_GET,
		.doit		= onem2m_esprim_nl_session_get_doit,
		.dumpit		= onem2m_esprim_nl_session_get_dumpit,
		.policy		= onem2m_esprim_session_get_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_SESSION_FLUSH,
		.doit		= onem2m_esprim_nl_session_flush_doit,
		.policy		= onem2m_esprim_session_flush_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_STATS_GET,
		.doit		= onem2m_esprim_nl_stats_get_doit,
		.policy		= onem2m_esprim_stats_get_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_STATS_PAD,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_CONFIG_GET,
		.doit		= onem2m_esprim_nl_config_get_doit,
		.policy		= onem2m_esprim_config_get_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_CONFIG_PAD,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_CONFIG_SET,
		.doit		= onem2m_esprim_nl_config_set_doit,
		.policy		= onem2m_esprim_config_set_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_UPCALL_REGISTER,
		.doit		= onem2m_esprim_nl_upcall_register_doit,
		.policy		= onem2m_esprim_upcall_register_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_UPCALL_PAD,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_UPCALL_COMPLETE,
		.doit		= onem2m_esprim_nl_upcall_complete_doit,
		.policy		= onem2m_esprim_upcall_complete_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_UPCALL_NEGATIVE_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_SEAL,
		.doit		= onem2m_esprim_nl_seal_doit,
		.policy		= onem2m_esprim_seal_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_BATCH_ITEM,
	},
	{
		.cmd		= ONEM2M_ESPRIM_CMD_OPEN,
		.doit		= onem2m_esprim_nl_open_doit,
		.policy		= onem2m_esprim_open_nl_policy,
		.maxattr	= ONEM2M_ESPRIM_A_BATCH_ITEM,
	},
};

static const struct genl_multicast_group onem2m_esprim_nl_mcgrps[] = {
	[ONEM2M_ESPRIM_NLGRP_EVENTS] = { "events", },
};
