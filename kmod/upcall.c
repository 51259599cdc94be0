// SPDX-License-Identifier: GPL-2.0
/*
 * The key-establishment upcall: request_key() for an "esprim" pairwise or
 * session key that does not exist asks the key daemon of the caller's
 * network namespace (esprimd) to establish it.
 *
 * The daemon registers a generic netlink socket (UPCALL_REGISTER); the key
 * type's request_key operation sends it an ACQUIRE message naming the
 * authorisation key, and the daemon answers with UPCALL_COMPLETE: a
 * payload, with which this module instantiates the key on the daemon's
 * behalf (as the NFS idmapper does through its pipe), or an error, with
 * which it refuses the key.  Whatever happens, the key under construction
 * ends instantiated or negative: at once when no daemon serves the caller
 * (ENOTCONN), when the configured timeout passes (ETIMEDOUT), when the
 * daemon's socket closes (ECONNRESET) or the message cannot be delivered
 * (ECONNREFUSED).  A negative key lasts the configured negative timeout,
 * so that later callers fail fast.  net/handshake follows the same idea
 * for TLS handshakes on newer kernels; this is its pattern on 6.1 too.
 *
 * A daemon serves requesters whose user namespace is its network
 * namespace's owner or below it: a container's daemon never sees the
 * requests of a host process that merely entered its network namespace.
 */

#include <keys/request_key_auth-type.h>
#include <linux/cred.h>
#include <linux/key-type.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"
#include "netlink_gen.h"

/* The key daemon of one network namespace: a socket of this family. */
struct esprim_daemon {
	struct list_head node;
	struct net *net;		/* the socket holds it */
	const struct sock *sk;		/* identity only, never dereferenced */
	u32 portid;
	struct pid_namespace *pid_ns;	/* the daemon's, for requester pids */
};

/*
 * A request_key() waiting for the daemon's answer.  Whoever sets @taken
 * (under esprim_upcall_lock) ends it and frees it: the answer, the
 * timeout, the daemon's socket closing, or the module unloading.
 */
struct esprim_upcall {
	struct list_head node;		/* on esprim_upcalls until taken */
	struct net *net;		/* a reference */
	const struct sock *sk;		/* the daemon asked */
	u32 portid;
	s32 id;				/* the authorisation key's serial */
	bool taken;
	struct key *authkey;
	struct delayed_work timeout;
};

static DEFINE_MUTEX(esprim_upcall_lock);
static LIST_HEAD(esprim_daemons);
static LIST_HEAD(esprim_upcalls);
static bool esprim_upcall_closed;	/* module unloading */
/* The timeouts: flushed before the module goes. */
static struct workqueue_struct *esprim_upcall_wq;

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
				 int error)
{
	struct key *target = esprim_upcall_target(authkey);
	struct esprim_event ev = {
		.type = ONEM2M_ESPRIM_EVENT_TYPE_UPCALL,
		.key = target,
		.role = -1,
		.description = target->description,
		.error = -error,
	};

	esprim_event_send(net, &ev);
}

/* Refuses the key under construction; its callers get @error (< 0). */
static void esprim_upcall_refuse(struct net *net, struct key *authkey,
				 int error, unsigned int negative_timeout)
{
	struct esprim_config cfg;

	if (!negative_timeout) {
		esprim_config_get(&cfg);
		negative_timeout = cfg.negative_timeout;
	}
	key_reject_and_link(esprim_upcall_target(authkey), negative_timeout,
			    -error, NULL, authkey);
	esprim_stat_inc(ESPRIM_STAT_UPCALL_FAILURES);
	esprim_upcall_report(net, authkey, error);
}

/* Takes @up for ending it; false if another path has it already. */
static bool esprim_upcall_take(struct esprim_upcall *up)
{
	bool mine;

	mutex_lock(&esprim_upcall_lock);
	mine = !up->taken;
	if (mine) {
		up->taken = true;
		list_del_init(&up->node);
	}
	mutex_unlock(&esprim_upcall_lock);
	return mine;
}

static void esprim_upcall_free(struct esprim_upcall *up)
{
	key_put(up->authkey);
	put_net(up->net);
	kfree(up);
}

static void esprim_upcall_timeout(struct work_struct *work)
{
	struct esprim_upcall *up = container_of(to_delayed_work(work),
						struct esprim_upcall, timeout);

	if (!esprim_upcall_take(up))
		return;	/* being ended elsewhere; that path frees it */
	esprim_upcall_refuse(up->net, up->authkey, -ETIMEDOUT, 0);
	esprim_upcall_free(up);
}

/*
 * Moves the upcalls for which @match holds to @list, taken: the daemon
 * will not answer them.
 */
typedef bool (*esprim_upcall_match_t)(struct esprim_upcall *up,
				      const void *arg);

static void esprim_upcall_take_all(esprim_upcall_match_t match,
				   const void *arg, struct list_head *list)
{
	struct esprim_upcall *up, *next;

	lockdep_assert_held(&esprim_upcall_lock);
	list_for_each_entry_safe(up, next, &esprim_upcalls, node) {
		if (match(up, arg)) {
			up->taken = true;
			list_move(&up->node, list);
		}
	}
}

/* Ends upcalls taken onto @list. */
static void esprim_upcall_abort_list(struct list_head *list, int error)
{
	struct esprim_upcall *up, *next;

	list_for_each_entry_safe(up, next, list, node) {
		list_del(&up->node);
		cancel_delayed_work_sync(&up->timeout);
		esprim_upcall_refuse(up->net, up->authkey, error, 0);
		esprim_upcall_free(up);
	}
}

static struct sk_buff *esprim_acquire_msg(struct esprim_daemon *d,
					  struct key *authkey)
{
	struct request_key_auth *rka = get_request_key_auth(authkey);
	struct user_namespace *user_ns = d->net->user_ns;
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
			from_kuid_munged(user_ns, rka->cred->fsuid)) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_UPCALL_GID,
			from_kgid_munged(user_ns, rka->cred->fsgid)) ||
	    nla_put_u32(msg, ONEM2M_ESPRIM_A_UPCALL_PID,
			pid_nr_ns(rka->pid, d->pid_ns))) {
		nlmsg_free(msg);
		return NULL;
	}
	genlmsg_end(msg, hdr);
	return msg;
}

/* The daemon that serves the current task, if any. */
static struct esprim_daemon *esprim_daemon_serving(struct net *net)
{
	struct esprim_daemon *d;

	if (esprim_upcall_closed)
		return NULL;
	d = esprim_daemon_find(net);
	if (d && !current_in_userns(net->user_ns))
		return NULL;
	return d;
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
	struct key *target = esprim_upcall_target(authkey);
	struct sk_buff *msg = NULL;
	struct esprim_daemon *d;
	struct esprim_config cfg;
	struct esprim_upcall *up;
	int err;

	esprim_stat_inc(ESPRIM_STAT_UPCALLS);
	esprim_upcall_report(net, authkey, 0);
	/* Enrolment keys come from provisioning, never from the daemon. */
	if (str_has_prefix(target->description,
			   ONEM2M_ESPRIM_ENROLMENT_PREFIX)) {
		esprim_upcall_refuse(net, authkey, -ENOKEY, 0);
		return 0;
	}
	esprim_config_get(&cfg);
	up = kzalloc(sizeof(*up), GFP_KERNEL);
	if (!up) {
		esprim_upcall_refuse(net, authkey, -ENOMEM, 0);
		return 0;
	}
	INIT_LIST_HEAD(&up->node);
	INIT_DELAYED_WORK(&up->timeout, esprim_upcall_timeout);
	up->id = key_serial(authkey);

	mutex_lock(&esprim_upcall_lock);
	d = esprim_daemon_serving(net);
	err = -ENOTCONN;
	if (d) {
		err = -ENOMEM;
		msg = esprim_acquire_msg(d, authkey);
	}
	/*
	 * Sent under the lock, so that no answer can come before the upcall
	 * is listed.  genlmsg_unicast() consumes msg; it fails when the
	 * daemon's socket is gone or its queue is full.
	 */
	if (msg)
		err = genlmsg_unicast(net, msg, d->portid) ? -ECONNREFUSED : 0;
	if (err) {
		mutex_unlock(&esprim_upcall_lock);
		kfree(up);
		esprim_upcall_refuse(net, authkey, err, 0);
		return 0;
	}
	up->net = get_net(net);
	up->sk = d->sk;
	up->portid = d->portid;
	up->authkey = key_get(authkey);
	list_add_tail(&up->node, &esprim_upcalls);
	queue_delayed_work(esprim_upcall_wq, &up->timeout,
			   msecs_to_jiffies(cfg.upcall_timeout_ms));
	mutex_unlock(&esprim_upcall_lock);
	return 0;
}

int esprim_upcall_register(struct net *net, const struct sock *sk, u32 portid,
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
		d->sk = sk;
		d->portid = portid;
		d->pid_ns = get_pid_ns(task_active_pid_ns(current));
		list_add(&d->node, &esprim_daemons);
		d = NULL;
	}
	mutex_unlock(&esprim_upcall_lock);
	kfree(d);
	return err;
}

static void esprim_daemon_free(struct esprim_daemon *d)
{
	if (d)
		put_pid_ns(d->pid_ns);
	kfree(d);
}

/*
 * Instantiates the key of @up with the daemon's payload.  A failure the
 * daemon may retry (a signal, memory) leaves the upcall waiting;
 * otherwise the key is refused.
 */
static int esprim_upcall_instantiate(struct esprim_upcall *up,
				     const void *payload, unsigned int len,
				     struct netlink_ext_ack *extack)
{
	struct esprim_config cfg;
	int err;

	err = key_instantiate_and_link(esprim_upcall_target(up->authkey),
				       payload, len, NULL, up->authkey);
	if (!err) {
		esprim_upcall_free(up);
		return 0;
	}
	if (err == -ERESTARTSYS || err == -EINTR || err == -ENOMEM) {
		esprim_config_get(&cfg);
		mutex_lock(&esprim_upcall_lock);
		up->taken = false;
		list_add_tail(&up->node, &esprim_upcalls);
		queue_delayed_work(esprim_upcall_wq, &up->timeout,
				   msecs_to_jiffies(cfg.upcall_timeout_ms));
		mutex_unlock(&esprim_upcall_lock);
		NL_SET_ERR_MSG(extack, "interrupted; the upcall still waits");
		return -EAGAIN;
	}
	NL_SET_ERR_MSG(extack, "payload refused by the key type");
	esprim_upcall_refuse(up->net, up->authkey, -EKEYREJECTED, 0);
	esprim_upcall_free(up);
	return err;
}

int esprim_upcall_complete(struct net *net, const struct sock *sk, u32 portid,
			   s32 id, const void *payload, unsigned int len,
			   u32 error, u32 negative_timeout,
			   struct netlink_ext_ack *extack)
{
	struct esprim_upcall *up, *found = NULL;
	struct esprim_daemon *d;

	mutex_lock(&esprim_upcall_lock);
	/* The socket itself: a port ID may be bound again once released. */
	d = esprim_daemon_find(net);
	if (!d || d->sk != sk || d->portid != portid) {
		mutex_unlock(&esprim_upcall_lock);
		NL_SET_ERR_MSG(extack, "not the registered key daemon");
		return -EPERM;
	}
	list_for_each_entry(up, &esprim_upcalls, node) {
		if (up->id == id && net_eq(up->net, net) && up->sk == sk) {
			found = up;
			found->taken = true;
			list_del_init(&found->node);
			break;
		}
	}
	mutex_unlock(&esprim_upcall_lock);
	if (!found) {
		NL_SET_ERR_MSG(extack, "no such upcall");
		return -ENOENT;
	}
	cancel_delayed_work_sync(&found->timeout);

	if (payload)
		return esprim_upcall_instantiate(found, payload, len, extack);
	esprim_upcall_refuse(net, found->authkey, -(int)error,
			     negative_timeout);
	esprim_upcall_free(found);
	return 0;
}

struct esprim_upcall_owner {
	struct net *net;
	u32 portid;
};

static bool esprim_upcall_of(struct esprim_upcall *up, const void *arg)
{
	const struct esprim_upcall_owner *o = arg;

	return net_eq(up->net, o->net) && up->portid == o->portid;
}

static bool esprim_upcall_any(struct esprim_upcall *up, const void *arg)
{
	return true;
}

/* A socket closed: if it was a key daemon, its upcalls fail now. */
static int esprim_upcall_netlink_event(struct notifier_block *nb,
				       unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct esprim_upcall_owner owner = {
		.net = n->net,
		.portid = n->portid,
	};
	struct esprim_daemon *d, *gone = NULL;
	LIST_HEAD(orphans);

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&esprim_upcall_lock);
	d = esprim_daemon_find(n->net);
	if (d && d->portid == n->portid) {
		list_del(&d->node);
		gone = d;
	}
	esprim_upcall_take_all(esprim_upcall_of, &owner, &orphans);
	mutex_unlock(&esprim_upcall_lock);

	esprim_daemon_free(gone);
	esprim_upcall_abort_list(&orphans, -ECONNRESET);
	return NOTIFY_DONE;
}

static struct notifier_block esprim_upcall_notifier = {
	.notifier_call = esprim_upcall_netlink_event,
};

int esprim_upcall_init(void)
{
	int err;

	esprim_upcall_wq = alloc_workqueue("esprim_upcall", 0, 0);
	if (!esprim_upcall_wq)
		return -ENOMEM;
	err = netlink_register_notifier(&esprim_upcall_notifier);
	if (err)
		destroy_workqueue(esprim_upcall_wq);
	return err;
}

void esprim_upcall_exit(void)
{
	struct esprim_daemon *d, *next;
	LIST_HEAD(orphans);

	netlink_unregister_notifier(&esprim_upcall_notifier);
	mutex_lock(&esprim_upcall_lock);
	esprim_upcall_closed = true;
	esprim_upcall_take_all(esprim_upcall_any, NULL, &orphans);
	list_for_each_entry_safe(d, next, &esprim_daemons, node) {
		list_del(&d->node);
		esprim_daemon_free(d);
	}
	mutex_unlock(&esprim_upcall_lock);
	esprim_upcall_abort_list(&orphans, -ECONNRESET);
	/* Timeouts that took their upcall before: let them finish. */
	destroy_workqueue(esprim_upcall_wq);
}
