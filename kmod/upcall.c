// SPDX-License-Identifier: GPL-2.0
/*
 * The key-establishment upcall: request_key() for an "esprim" key that
 * does not exist asks the key daemon of the caller's network namespace
 * (esprimd) to establish it.
 *
 * The daemon registers a generic netlink socket (UPCALL_REGISTER); the key
 * type's request_key operation sends it an ACQUIRE message naming the
 * authorisation key, and the daemon answers with UPCALL_COMPLETE: a
 * payload, with which this module instantiates the key on the daemon's
 * behalf (as the NFS idmapper does through its pipe), or an error, with
 * which it refuses the key.  Whatever happens, the key under construction
 * ends instantiated or negative: at once when no daemon is registered
 * (ENOTCONN), when the configured timeout passes (ETIMEDOUT), when the
 * daemon's socket closes (ECONNRESET) or the message cannot be delivered
 * (ECONNREFUSED).  A negative key lasts the configured negative timeout,
 * so that later callers fail fast.  net/handshake follows the same idea
 * for TLS handshakes on newer kernels; this is its pattern on 6.1 too.
 */

#include <keys/request_key_auth-type.h>
#include <linux/cred.h>
#include <linux/key-type.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"
#include "netlink_gen.h"

/* The key daemon of one network namespace: a socket of this family. */
struct esprim_daemon {
	struct list_head node;
	struct net *net;	/* the socket holds it */
	u32 portid;
};

/* A request_key() waiting for the daemon's answer. */
struct esprim_upcall {
	struct list_head node;	/* empty once taken for completion */
	struct net *net;
	u32 portid;		/* the daemon asked */
	s32 id;			/* the authorisation key's serial */
	struct key *authkey;
	struct delayed_work timeout;
};

static DEFINE_MUTEX(esprim_upcall_lock);
static LIST_HEAD(esprim_daemons);
static LIST_HEAD(esprim_upcalls);
static bool esprim_upcall_closed;	/* module unloading */

static struct esprim_daemon *esprim_daemon_find(struct net *net)
{
	struct esprim_daemon *d;

	lockdep_assert_held(&esprim_upcall_lock);
	list_for_each_entry(d, &esprim_daemons, node)
		if (net_eq(d->net, net))
			return d;
	return NULL;
}

static struct key *esprim_upcall_target(struct key *authkey)
{
	return get_request_key_auth(authkey)->target_key;
}

static void esprim_upcall_report(struct net *net, struct key *authkey,
				 u32 error)
{
	struct key *target = esprim_upcall_target(authkey);
	struct esprim_event ev = {
		.type = ONEM2M_ESPRIM_EVENT_TYPE_UPCALL,
		.key = target,
		.role = -1,
		.description = target->description,
		.error = error,
	};

	esprim_event_send(net, &ev);
}

/* Refuses the key under construction; its callers get @error. */
static void esprim_upcall_refuse(struct net *net, struct key *authkey,
				 u32 error, unsigned int negative_timeout)
{
	struct esprim_config cfg;

	if (!negative_timeout) {
		esprim_config_get(&cfg);
		negative_timeout = cfg.negative_timeout;
	}
	key_reject_and_link(esprim_upcall_target(authkey), negative_timeout,
			    error, NULL, authkey);
	esprim_stat_inc(ESPRIM_STAT_UPCALL_FAILURES);
	esprim_upcall_report(net, authkey, error);
}

/* Takes @up for completion; false if another path already took it. */
static bool esprim_upcall_take(struct esprim_upcall *up)
{
	bool pending;

	mutex_lock(&esprim_upcall_lock);
	pending = !list_empty(&up->node);
	list_del_init(&up->node);
	mutex_unlock(&esprim_upcall_lock);
	return pending;
}

static void esprim_upcall_free(struct esprim_upcall *up)
{
	key_put(up->authkey);
	kfree(up);
}

static void esprim_upcall_timeout(struct work_struct *work)
{
	struct esprim_upcall *up = container_of(to_delayed_work(work),
						struct esprim_upcall, timeout);

	if (!esprim_upcall_take(up))
		return;	/* being completed; that path frees it */
	esprim_upcall_refuse(up->net, up->authkey, ETIMEDOUT, 0);
	esprim_upcall_free(up);
}

/* Ends upcalls taken off the list: the daemon will not answer them. */
static void esprim_upcall_abort_list(struct list_head *list, u32 error)
{
	struct esprim_upcall *up, *next;

	list_for_each_entry_safe(up, next, list, node) {
		list_del_init(&up->node);
		cancel_delayed_work_sync(&up->timeout);
		esprim_upcall_refuse(up->net, up->authkey, error, 0);
		esprim_upcall_free(up);
	}
}

static struct sk_buff *esprim_acquire_msg(struct net *net,
					  struct key *authkey)
{
	struct request_key_auth *rka = get_request_key_auth(authkey);
	struct key *target = rka->target_key;
	size_t desc_len = strlen(target->description) + 1;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(5 * nla_total_size(sizeof(u32)) +
			  nla_total_size(desc_len) +
			  nla_total_size(rka->callout_len), GFP_KERNEL);
	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, 0, 0, &esprim_genl_family, 0,
			  ONEM2M_ESPRIM_CMD_ACQUIRE);
	if (!hdr ||
	    nla_put_s32(msg, ONEM2M_ESPRIM_A_UPCALL_ID, key_serial(authkey)) ||
	    nla_put_s32(msg, ONEM2M_ESPRIM_A_UPCALL_KEY_SERIAL,
			key_serial(target)) ||
	    nla_put_string(msg, ONEM2M_ESPRIM_A_UPCALL_DESCRIPTION,
			   target->description) ||
	    (rka->callout_len &&
	     nla_put(msg, ONEM2M_ESPRIM_A_UPCALL_CALLOUT, rka->callout_len,
		     rka->callout_info)) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_UPCALL_UID,
			from_kuid_munged(net->user_ns, rka->cred->fsuid)) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_UPCALL_GID,
			from_kgid_munged(net->user_ns, rka->cred->fsgid)) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_UPCALL_PID, pid_vnr(rka->pid))) {
		nlmsg_free(msg);
		return NULL;
	}
	genlmsg_end(msg, hdr);
	return msg;
}

/*
 * The key type's request_key operation, in the requester's context.  It
 * always leaves the key either waiting for the daemon or refused (which
 * invalidates @authkey), and returns 0: the requester then waits for the
 * key, or gets the refusal's error.
 */
int esprim_request_key(struct key *authkey, void *aux)
{
	struct net *net = esprim_current_net();
	struct esprim_daemon *daemon;
	struct esprim_config cfg;
	struct esprim_upcall *up;
	struct sk_buff *msg;
	int err;

	esprim_stat_inc(ESPRIM_STAT_UPCALLS);
	esprim_upcall_report(net, authkey, 0);
	esprim_config_get(&cfg);

	up = kzalloc(sizeof(*up), GFP_KERNEL);
	msg = esprim_acquire_msg(net, authkey);
	if (!up || !msg) {
		err = ENOMEM;
		goto refuse;
	}
	INIT_LIST_HEAD(&up->node);
	INIT_DELAYED_WORK(&up->timeout, esprim_upcall_timeout);
	up->net = net;
	up->id = key_serial(authkey);
	up->authkey = key_get(authkey);

	mutex_lock(&esprim_upcall_lock);
	daemon = esprim_upcall_closed ? NULL : esprim_daemon_find(net);
	err = ENOTCONN;
	/*
	 * Sent under the lock, so that no answer can come before the upcall
	 * is listed.  genlmsg_unicast() consumes msg; it fails when the
	 * daemon's socket is gone or its queue full.
	 */
	if (daemon) {
		err = genlmsg_unicast(net, msg, daemon->portid) ?
		      ECONNREFUSED : 0;
		msg = NULL;
	}
	if (err) {
		mutex_unlock(&esprim_upcall_lock);
		key_put(up->authkey);
		goto refuse;
	}
	up->portid = daemon->portid;
	list_add_tail(&up->node, &esprim_upcalls);
	schedule_delayed_work(&up->timeout,
			      msecs_to_jiffies(cfg.upcall_timeout_ms));
	mutex_unlock(&esprim_upcall_lock);
	return 0;

refuse:
	nlmsg_free(msg);
	kfree(up);
	esprim_upcall_refuse(net, authkey, err, 0);
	return 0;
}

int esprim_upcall_register(struct net *net, u32 portid,
			   struct netlink_ext_ack *extack)
{
	struct esprim_daemon *d;
	int err = 0;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	mutex_lock(&esprim_upcall_lock);
	if (esprim_daemon_find(net)) {
		NL_SET_ERR_MSG(extack, "another key daemon is registered");
		err = -EBUSY;
	} else {
		d->net = net;
		d->portid = portid;
		list_add(&d->node, &esprim_daemons);
		d = NULL;
	}
	mutex_unlock(&esprim_upcall_lock);
	kfree(d);
	return err;
}

int esprim_upcall_complete(struct net *net, u32 portid, s32 id,
			   const void *payload, unsigned int len, u32 error,
			   u32 negative_timeout, struct netlink_ext_ack *extack)
{
	struct esprim_upcall *up, *found = NULL;
	int err;

	mutex_lock(&esprim_upcall_lock);
	list_for_each_entry(up, &esprim_upcalls, node) {
		if (up->id == id && net_eq(up->net, net)) {
			found = up;
			break;
		}
	}
	if (found && found->portid != portid) {
		mutex_unlock(&esprim_upcall_lock);
		NL_SET_ERR_MSG(extack, "not the registered key daemon");
		return -EPERM;
	}
	if (found)
		list_del_init(&found->node);
	mutex_unlock(&esprim_upcall_lock);
	if (!found) {
		NL_SET_ERR_MSG(extack, "no such upcall");
		return -ENOENT;
	}
	cancel_delayed_work_sync(&found->timeout);

	if (!payload) {
		esprim_upcall_refuse(net, found->authkey, error,
				     negative_timeout);
		err = 0;
	} else {
		err = key_instantiate_and_link(esprim_upcall_target(found->authkey),
					       payload, len, NULL,
					       found->authkey);
		if (err) {
			NL_SET_ERR_MSG(extack, "payload refused by the key type");
			esprim_upcall_refuse(net, found->authkey, EKEYREJECTED,
					     0);
		}
	}
	esprim_upcall_free(found);
	return err;
}

/* A socket closed: if it was a key daemon, its upcalls fail now. */
static int esprim_upcall_netlink_event(struct notifier_block *nb,
				       unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct esprim_daemon *d, *gone = NULL;
	struct esprim_upcall *up, *next;
	LIST_HEAD(orphans);

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&esprim_upcall_lock);
	d = esprim_daemon_find(n->net);
	if (d && d->portid == n->portid) {
		list_del(&d->node);
		gone = d;
	}
	list_for_each_entry_safe(up, next, &esprim_upcalls, node)
		if (net_eq(up->net, n->net) && up->portid == n->portid)
			list_move(&up->node, &orphans);
	mutex_unlock(&esprim_upcall_lock);

	kfree(gone);
	esprim_upcall_abort_list(&orphans, ECONNRESET);
	return NOTIFY_DONE;
}

static struct notifier_block esprim_upcall_notifier = {
	.notifier_call = esprim_upcall_netlink_event,
};

int esprim_upcall_init(void)
{
	return netlink_register_notifier(&esprim_upcall_notifier);
}

void esprim_upcall_exit(void)
{
	struct esprim_daemon *d, *next;
	LIST_HEAD(orphans);

	mutex_lock(&esprim_upcall_lock);
	esprim_upcall_closed = true;
	list_splice_init(&esprim_upcalls, &orphans);
	list_for_each_entry_safe(d, next, &esprim_daemons, node) {
		list_del(&d->node);
		kfree(d);
	}
	mutex_unlock(&esprim_upcall_lock);
	esprim_upcall_abort_list(&orphans, ECONNRESET);
	netlink_unregister_notifier(&esprim_upcall_notifier);
}
