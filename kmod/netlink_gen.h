/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/onem2m_esprim.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_ONEM2M_ESPRIM_GEN_H
#define _LINUX_ONEM2M_ESPRIM_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/onem2m_esprim_netlink.h>
#include <linux/onem2m_esprim.h>
#include <linux/onem2m_esprim.h>
#include <linux/onem2m_esprim.h>

/* Common nested types */
extern const struct nla_policy onem2m_esprim_item_nl_policy[ONEM2M_ESPRIM_A_ITEM_STATUS + 1];

extern const struct nla_policy onem2m_esprim_session_get_nl_policy[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL + 1];

extern const struct nla_policy onem2m_esprim_session_flush_nl_policy[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL + 1];

extern const struct nla_policy onem2m_esprim_stats_get_nl_policy[ONEM2M_ESPRIM_A_STATS_PAD + 1];

extern const struct nla_policy onem2m_esprim_config_get_nl_policy[ONEM2M_ESPRIM_A_CONFIG_PAD + 1];

extern const struct nla_policy onem2m_esprim_config_set_nl_policy[ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP + 1];

extern const struct nla_policy onem2m_esprim_upcall_register_nl_policy[ONEM2M_ESPRIM_A_UPCALL_PAD + 1];

extern const struct nla_policy onem2m_esprim_upcall_complete_nl_policy[ONEM2M_ESPRIM_A_UPCALL_NEGATIVE_TIMEOUT + 1];

extern const struct nla_policy onem2m_esprim_seal_nl_policy[ONEM2M_ESPRIM_A_BATCH_ITEM + 1];

extern const struct nla_policy onem2m_esprim_open_nl_policy[ONEM2M_ESPRIM_A_BATCH_ITEM + 1];

/* Ops table for onem2m_esprim */
extern const struct genl_ops onem2m_esprim_nl_ops[9];

int onem2m_esprim_nl_session_get_doit(struct sk_buff *skb,
				      struct genl_info *info);
int onem2m_esprim_nl_session_get_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb);
int onem2m_esprim_nl_session_flush_doit(struct sk_buff *skb,
					struct genl_info *info);
int onem2m_esprim_nl_stats_get_doit(struct sk_buff *skb,
				    struct genl_info *info);
int onem2m_esprim_nl_config_get_doit(struct sk_buff *skb,
				     struct genl_info *info);
int onem2m_esprim_nl_config_set_doit(struct sk_buff *skb,
				     struct genl_info *info);
int onem2m_esprim_nl_upcall_register_doit(struct sk_buff *skb,
					  struct genl_info *info);
int onem2m_esprim_nl_upcall_complete_doit(struct sk_buff *skb,
					  struct genl_info *info);
int onem2m_esprim_nl_seal_doit(struct sk_buff *skb, struct genl_info *info);
int onem2m_esprim_nl_open_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	ONEM2M_ESPRIM_NLGRP_EVENTS,
};

#endif /* _LINUX_ONEM2M_ESPRIM_GEN_H */
