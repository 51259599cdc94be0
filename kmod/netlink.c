// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "onem2m_esprim": sessions (get, dump,
 * flush), module-wide counters, configuration, and the "events" multicast
 * group.  Commands, attributes and policies come from
 * Documentation/netlink/specs/onem2m_esprim.yaml (netlink_gen.c); the
 * family and its multicast group are here, the upcall commands in
 * upcall.c, the batched data path in batch.c.
 *
 * Sessions are session keys of the "esprim" type.  Keys are not
 * namespaced: reading shows the keys the caller may view; flushing
 * invalidates the keys the caller may search (as keyctl invalidate does)
 * and needs CAP_NET_ADMIN over the caller's network namespace; the
 * configuration is the machine's and needs CAP_NET_ADMIN in the initial
 * user namespace.  Events go to the namespace of the process whose action
 * caused them.
 */

#include <linux/cred.h>
#include <linux/key.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <linux/onem2m_esprim.h>

#include "compat.h"
#include "esprim.h"
#include "netlink_gen.h"

static const struct genl_multicast_group esprim_genl_mcgrps[] = {
	[ONEM2M_ESPRIM_NLGRP_EVENTS] = {
		.name = "events",
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family esprim_genl_family __ro_after_init = {
	.name = ONEM2M_ESPRIM_GENL_NAME,
	.version = ONEM2M_ESPRIM_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = onem2m_esprim_nl_ops,
	.n_ops = ARRAY_SIZE(onem2m_esprim_nl_ops),
	.resv_start_op = 0,	/* strict validation of every command */
	.mcgrps = esprim_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(esprim_genl_mcgrps),
};

/* Events before registration (the load-time self-test) go nowhere. */
static bool esprim_genl_registered;

/* ---- events ---- */

struct net *esprim_current_net(void)
{
	if (in_task() && current->nsproxy)
		return current->nsproxy->net_ns;
	return &init_net;
}

/* An ID from a key description, which is not NUL-terminated there. */
static int esprim_nl_put_id(struct sk_buff *skb, int attr, const char *id,
			    size_t len)
{
	struct nlattr *nla = nla_reserve(skb, attr, len + 1);

	if (!nla)
		return -EMSGSIZE;
	memcpy(nla_data(nla), id, len);
	((char *)nla_data(nla))[len] = '\0';
	return 0;
}

static int esprim_event_fill(struct sk_buff *skb, const struct esprim_event *ev)
{
	const char *kid;
	size_t kid_len;
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &esprim_genl_family, 0,
			  ONEM2M_ESPRIM_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, ONEM2M_ESPRIM_A_EVENT_TYPE, ev->type))
		goto cancel;
	if (ev->key) {
		esprim_desc_ids(ev->key, &kid, &kid_len, 1);
		if (nla_put_s32(skb, ONEM2M_ESPRIM_A_EVENT_KEY_SERIAL,
				ev->key->serial) ||
		    (esprim_key_parent_serial(ev->key) &&
		     nla_put_s32(skb, ONEM2M_ESPRIM_A_EVENT_PAIRWISE_SERIAL,
				 esprim_key_parent_serial(ev->key))) ||
		    esprim_nl_put_id(skb, ONEM2M_ESPRIM_A_EVENT_KID, kid,
				     kid_len))
			goto cancel;
	}
	if (ev->role >= 0 &&
	    nla_put_u8(skb, ONEM2M_ESPRIM_A_EVENT_ROLE, ev->role))
		goto cancel;
	if (ev->description &&
	    nla_put_string(skb, ONEM2M_ESPRIM_A_EVENT_DESCRIPTION,
			   ev->description))
		goto cancel;
	if (ev->error && nla_put_u32(skb, ONEM2M_ESPRIM_A_EVENT_ERROR, ev->error))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

void esprim_event_send(struct net *net, const struct esprim_event *ev)
{
	struct sk_buff *skb;

	/* Hard interrupt context (a driver's completion): not from here. */
	if (in_hardirq() || in_nmi() || !READ_ONCE(esprim_genl_registered) ||
	    !genl_has_listeners(&esprim_genl_family, net,
				ONEM2M_ESPRIM_NLGRP_EVENTS))
		return;
	/* Any context, the data path's softirqs included. */
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return;
	if (esprim_event_fill(skb, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&esprim_genl_family, net, skb, 0,
				ONEM2M_ESPRIM_NLGRP_EVENTS, GFP_ATOMIC);
}

void esprim_event_send_cookie(u64 net_cookie, const struct esprim_event *ev)
{
	struct net *net, *found = NULL;

	rcu_read_lock();
	for_each_net_rcu(net) {
		if (net->net_cookie == net_cookie) {
			found = maybe_get_net(net);
			break;
		}
	}
	rcu_read_unlock();
	if (!found)
		return;	/* the namespace is gone, and its listeners */
	esprim_event_send(found, ev);
	put_net(found);
}

void esprim_event_session(struct net *net, u32 type, const struct key *key,
			  const struct esprim_session *s)
{
	struct esprim_event ev = {
		.type = type,
		.key = key,
		.role = s->role,
	};

	esprim_event_send(net, &ev);
}

/* ---- sessions ---- */

static int esprim_nl_put_u64(struct sk_buff *skb, int attr, u64 value)
{
	return nla_put_u64_64bit(skb, attr, value,
				 ONEM2M_ESPRIM_A_SESSION_PAD);
}

static int esprim_nl_session_fill(struct sk_buff *skb, struct key *key,
				  u32 portid, u32 seq, int flags)
{
	struct esprim_session_info info, *si = &info;
	const char *ids[3];
	size_t lens[3];
	void *hdr;
	int err;

	err = esprim_session_key_info(key, si);
	if (err)
		return err;
	esprim_desc_ids(key, ids, lens, 3);

	hdr = genlmsg_put(skb, portid, seq, &esprim_genl_family, flags,
			  ONEM2M_ESPRIM_CMD_SESSION_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_s32(skb, ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL, key->serial) ||
	    nla_put_s32(skb, ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL,
			si->pairwise_serial) ||
	    esprim_nl_put_id(skb, ONEM2M_ESPRIM_A_SESSION_KID, ids[0], lens[0]) ||
	    nla_put_string(skb, ONEM2M_ESPRIM_A_SESSION_PEER, si->peer) ||
	    esprim_nl_put_id(skb, ONEM2M_ESPRIM_A_SESSION_ORI, ids[1], lens[1]) ||
	    esprim_nl_put_id(skb, ONEM2M_ESPRIM_A_SESSION_RRI, ids[2], lens[2]) ||
	    nla_put_u8(skb, ONEM2M_ESPRIM_A_SESSION_ENC, si->enc) ||
	    nla_put_u8(skb, ONEM2M_ESPRIM_A_SESSION_ROLE, si->role) ||
	    nla_put_u8(skb, ONEM2M_ESPRIM_A_SESSION_REPLAY, si->replay) ||
	    (si->replay != ONEM2M_ESPRIM_REPLAY_OFF &&
	     nla_put_u32(skb, ONEM2M_ESPRIM_A_SESSION_REPLAY_WINDOW,
			 si->replay_window)) ||
	    nla_put_u32(skb, ONEM2M_ESPRIM_A_SESSION_UID,
			from_kuid_munged(current_user_ns(), key->uid)) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_SOFT_INVOCATIONS,
			      si->soft_invocations) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_HARD_INVOCATIONS,
			      si->hard_invocations) ||
	    (si->soft_deadline &&
	     esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_SOFT_DEADLINE,
			       si->soft_deadline)) ||
	    (si->hard_deadline &&
	     esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_HARD_DEADLINE,
			       si->hard_deadline)) ||
	    (si->soft_expired &&
	     nla_put_flag(skb, ONEM2M_ESPRIM_A_SESSION_SOFT_EXPIRED)) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_SEALS, si->seals) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_OPENS, si->opens) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_BAD_MAC,
			      si->bad_mac) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_REPLAYS,
			      si->replays) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_REFLECTIONS,
			      si->reflections) ||
	    esprim_nl_put_u64(skb, ONEM2M_ESPRIM_A_SESSION_LIMIT_HITS,
			      si->limit_hits)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Errors of a session key that is on its way out: not shown. */
static bool esprim_nl_session_gone(int err)
{
	return err == -ENOKEY || err == -EKEYREVOKED || err == -EKEYEXPIRED;
}

/* A session key by serial, with @perm on it, or an error for extack. */
static struct key *esprim_nl_session_key(struct genl_info *info, s32 serial,
					 enum key_need_perm perm)
{
	struct key *key;
	key_ref_t ref;

	ref = lookup_user_key(serial, 0, perm);
	if (IS_ERR(ref)) {
		GENL_SET_ERR_MSG(info, "no such key, or not permitted");
		return ERR_CAST(ref);
	}
	key = key_ref_to_ptr(ref);
	if (!esprim_is_session_key(key)) {
		key_put(key);
		GENL_SET_ERR_MSG(info, "not an esprim session key");
		return ERR_PTR(-EINVAL);
	}
	return key;
}

int onem2m_esprim_nl_session_get_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct sk_buff *msg;
	s32 serial;
	struct key *key;
	int err;

	if (!info->attrs[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL]) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL,
				     ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL);
		GENL_SET_ERR_MSG(info, "key-serial is required");
		return -EINVAL;
	}
	serial = nla_get_s32(info->attrs[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL]);
	key = esprim_nl_session_key(info, serial, KEY_NEED_VIEW);
	if (IS_ERR(key))
		return PTR_ERR(key);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = esprim_nl_session_fill(msg, key, info->snd_portid,
				     info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		if (esprim_nl_session_gone(err))
			GENL_SET_ERR_MSG(info,
					 "session key invalidated, revoked or expired");
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	key_put(key);
	return err;
}

/* The filters of a get, dump or flush: 0 matches any. */
struct esprim_nl_filter {
	s32 key_serial;
	s32 pairwise_serial;
};

static void esprim_nl_filter_parse(struct nlattr **attrs,
				   struct esprim_nl_filter *f)
{
	f->key_serial = attrs[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL] ?
		nla_get_s32(attrs[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL]) : 0;
	f->pairwise_serial = attrs[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL] ?
		nla_get_s32(attrs[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL]) : 0;
}

static bool esprim_nl_filter_match(const struct esprim_nl_filter *f,
				   struct key *key)
{
	return (!f->key_serial || key->serial == f->key_serial) &&
	       (!f->pairwise_serial ||
		esprim_key_parent_serial(key) == f->pairwise_serial);
}

/*
 * Whether the caller has @perm on @key, as a keyctl() naming it by serial
 * would: possessed through the caller's keyrings, or by owner, group or
 * other rights.
 */
static bool esprim_nl_permitted(struct key *key, enum key_need_perm perm)
{
	key_ref_t ref = lookup_user_key(key->serial, 0, perm);

	if (IS_ERR(ref))
		return false;
	key_ref_put(ref);
	return true;
}

struct esprim_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct esprim_nl_filter filter;
};

static int esprim_nl_dump_one(struct key *key, void *arg)
{
	struct esprim_nl_dump *d = arg;
	int err;

	if (!esprim_nl_filter_match(&d->filter, key) ||
	    !esprim_nl_permitted(key, KEY_NEED_VIEW))
		return 0;
	err = esprim_nl_session_fill(d->skb, key,
				     NETLINK_CB(d->cb->skb).portid,
				     d->cb->nlh->nlmsg_seq, NLM_F_MULTI);
	return esprim_nl_session_gone(err) ? 0 : err;
}

int onem2m_esprim_nl_session_get_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb)
{
	struct esprim_nl_dump d = { .skb = skb, .cb = cb };
	unsigned long next = cb->args[0] ?: 1;
	int err;

	esprim_nl_filter_parse(esprim_dump_attrs(cb), &d.filter);
	err = esprim_session_keys_walk(&next, esprim_nl_dump_one, &d);
	cb->args[0] = next;
	/* A full message: the rest goes in the next one. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* As keyctl invalidate: search permission, and not a key to keep. */
static int esprim_nl_flush_one(struct key *key, void *arg)
{
	const struct esprim_nl_filter *f = arg;

	if (esprim_nl_filter_match(f, key) &&
	    !test_bit(KEY_FLAG_KEEP, &key->flags) &&
	    esprim_nl_permitted(key, KEY_NEED_SEARCH))
		key_invalidate(key);
	return 0;
}

int onem2m_esprim_nl_session_flush_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	struct esprim_nl_filter f;
	unsigned long next = 1;
	struct key *key;
	int err = 0;

	esprim_nl_filter_parse(info->attrs, &f);
	if (f.key_serial && f.pairwise_serial) {
		GENL_SET_ERR_MSG(info,
				 "give key-serial or pairwise-serial, not both");
		return -EINVAL;
	}
	if (f.key_serial) {
		key = esprim_nl_session_key(info, f.key_serial,
					    KEY_NEED_SEARCH);
		if (IS_ERR(key))
			return PTR_ERR(key);
		if (test_bit(KEY_FLAG_KEEP, &key->flags)) {
			GENL_SET_ERR_MSG(info, "the key is kept");
			err = -EPERM;
		} else {
			key_invalidate(key);
		}
		key_put(key);
		return err;
	}
	return esprim_session_keys_walk(&next, esprim_nl_flush_one, &f);
}

/* ---- counters ---- */

int onem2m_esprim_nl_stats_get_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	static const u8 attrs[ESPRIM_STAT_COUNT] = {
		[ESPRIM_STAT_SEALS] = ONEM2M_ESPRIM_A_STATS_SEALS,
		[ESPRIM_STAT_OPENS] = ONEM2M_ESPRIM_A_STATS_OPENS,
		[ESPRIM_STAT_BAD_MAC] = ONEM2M_ESPRIM_A_STATS_BAD_MAC,
		[ESPRIM_STAT_REPLAYS] = ONEM2M_ESPRIM_A_STATS_REPLAYS,
		[ESPRIM_STAT_REFLECTIONS] = ONEM2M_ESPRIM_A_STATS_REFLECTIONS,
		[ESPRIM_STAT_LIMIT_HITS] = ONEM2M_ESPRIM_A_STATS_LIMIT_HITS,
		[ESPRIM_STAT_UPCALLS] = ONEM2M_ESPRIM_A_STATS_UPCALLS,
		[ESPRIM_STAT_UPCALL_FAILURES] =
			ONEM2M_ESPRIM_A_STATS_UPCALL_FAILURES,
	};
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &esprim_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		goto err;
	for (i = 0; i < ESPRIM_STAT_COUNT; i++)
		if (nla_put_u64_64bit(msg, attrs[i], esprim_stat_read(i),
				      ONEM2M_ESPRIM_A_STATS_PAD))
			goto err;
	if (nla_put_u32(msg, ONEM2M_ESPRIM_A_STATS_SESSIONS,
			esprim_session_keys_count()))
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- configuration ---- */

static DEFINE_MUTEX(esprim_config_update);

#define ESPRIM_UPCALL_MAX_TIMEOUT_MS	600000

int onem2m_esprim_nl_config_get_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct esprim_config cfg;
	struct sk_buff *msg;
	void *hdr;

	esprim_config_get(&cfg);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &esprim_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr ||
	    nla_put_u8(msg, ONEM2M_ESPRIM_A_CONFIG_REPLAY, cfg.replay) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_CONFIG_REPLAY_WINDOW,
			cfg.replay_window) ||
	    nla_put_u64_64bit(msg, ONEM2M_ESPRIM_A_CONFIG_SOFT_INVOCATIONS,
			      cfg.soft_invocations,
			      ONEM2M_ESPRIM_A_CONFIG_PAD) ||
	    nla_put_u64_64bit(msg, ONEM2M_ESPRIM_A_CONFIG_HARD_INVOCATIONS,
			      cfg.hard_invocations,
			      ONEM2M_ESPRIM_A_CONFIG_PAD) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_CONFIG_SOFT_SECONDS,
			cfg.soft_seconds) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_CONFIG_HARD_SECONDS,
			cfg.hard_seconds) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_CONFIG_UPCALL_TIMEOUT,
			cfg.upcall_timeout_ms) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_CONFIG_NEGATIVE_TIMEOUT,
			cfg.negative_timeout) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP,
			cfg.session_cap)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int onem2m_esprim_nl_config_set_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct esprim_config cfg;
	struct nlattr *a;

	a = tb[ONEM2M_ESPRIM_A_CONFIG_REPLAY_WINDOW];
	if (a && !is_power_of_2(nla_get_u32(a))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "replay-window must be a power of two");
		return -EINVAL;
	}
	a = tb[ONEM2M_ESPRIM_A_CONFIG_UPCALL_TIMEOUT];
	if (a && nla_get_u32(a) > ESPRIM_UPCALL_MAX_TIMEOUT_MS) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "upcall-timeout above 600000 ms");
		return -ERANGE;
	}
	a = tb[ONEM2M_ESPRIM_A_CONFIG_HARD_INVOCATIONS];
	if (a && nla_get_u64(a) > ONEM2M_ESPRIM_MAX_INVOCATIONS) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "hard-invocations above 2^32");
		return -ERANGE;
	}

	mutex_lock(&esprim_config_update);
	esprim_config_get(&cfg);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_REPLAY])
		cfg.replay = nla_get_u8(tb[ONEM2M_ESPRIM_A_CONFIG_REPLAY]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_REPLAY_WINDOW])
		cfg.replay_window =
			nla_get_u32(tb[ONEM2M_ESPRIM_A_CONFIG_REPLAY_WINDOW]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_SOFT_INVOCATIONS])
		cfg.soft_invocations =
			nla_get_u64(tb[ONEM2M_ESPRIM_A_CONFIG_SOFT_INVOCATIONS]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_HARD_INVOCATIONS])
		cfg.hard_invocations =
			nla_get_u64(tb[ONEM2M_ESPRIM_A_CONFIG_HARD_INVOCATIONS]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_SOFT_SECONDS])
		cfg.soft_seconds =
			nla_get_u32(tb[ONEM2M_ESPRIM_A_CONFIG_SOFT_SECONDS]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_HARD_SECONDS])
		cfg.hard_seconds =
			nla_get_u32(tb[ONEM2M_ESPRIM_A_CONFIG_HARD_SECONDS]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_UPCALL_TIMEOUT])
		cfg.upcall_timeout_ms =
			nla_get_u32(tb[ONEM2M_ESPRIM_A_CONFIG_UPCALL_TIMEOUT]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_NEGATIVE_TIMEOUT])
		cfg.negative_timeout =
			nla_get_u32(tb[ONEM2M_ESPRIM_A_CONFIG_NEGATIVE_TIMEOUT]);
	if (tb[ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP])
		cfg.session_cap =
			nla_get_u32(tb[ONEM2M_ESPRIM_A_CONFIG_SESSION_CAP]);
	esprim_config_set(&cfg);
	mutex_unlock(&esprim_config_update);
	return 0;
}

/* ---- upcall ---- */

int onem2m_esprim_nl_upcall_register_doit(struct sk_buff *skb,
					  struct genl_info *info)
{
	return esprim_upcall_register(genl_info_net(info), NETLINK_CB(skb).sk,
				      info->snd_portid, info->extack);
}

int onem2m_esprim_nl_upcall_complete_doit(struct sk_buff *skb,
					  struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *payload = tb[ONEM2M_ESPRIM_A_UPCALL_PAYLOAD];
	struct nlattr *error = tb[ONEM2M_ESPRIM_A_UPCALL_ERROR];
	struct nlattr *timeout = tb[ONEM2M_ESPRIM_A_UPCALL_NEGATIVE_TIMEOUT];

	if (!tb[ONEM2M_ESPRIM_A_UPCALL_ID]) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL,
				     ONEM2M_ESPRIM_A_UPCALL_ID);
		GENL_SET_ERR_MSG(info, "id is required");
		return -EINVAL;
	}
	if (!payload == !error) {
		GENL_SET_ERR_MSG(info, "give payload or error, one of them");
		return -EINVAL;
	}
	if (payload && nla_len(payload) > ESPRIM_UPCALL_MAX_PAYLOAD) {
		NL_SET_ERR_MSG_ATTR(info->extack, payload,
				    "payload longer than 4096 bytes");
		return -EINVAL;
	}
	if (payload && timeout) {
		NL_SET_ERR_MSG_ATTR(info->extack, timeout,
				    "negative-timeout goes with error");
		return -EINVAL;
	}
	return esprim_upcall_complete(genl_info_net(info), NETLINK_CB(skb).sk,
				      info->snd_portid,
				      nla_get_s32(tb[ONEM2M_ESPRIM_A_UPCALL_ID]),
				      payload ? nla_data(payload) : NULL,
				      payload ? nla_len(payload) : 0,
				      error ? nla_get_u32(error) : 0,
				      timeout ? nla_get_u32(timeout) : 0,
				      info->extack);
}

/* ---- the family ---- */

int esprim_netlink_init(void)
{
	int err;

	err = genl_register_family(&esprim_genl_family);
	if (err)
		return err;
	WRITE_ONCE(esprim_genl_registered, true);
	return 0;
}

void esprim_netlink_exit(void)
{
	WRITE_ONCE(esprim_genl_registered, false);
	genl_unregister_family(&esprim_genl_family);
}
