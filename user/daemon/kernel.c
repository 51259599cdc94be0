// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd and the module's generic netlink family (onem2m_esprim.yaml):
 *   - the key upcall: the daemon registers its socket for the netns and
 *     answers ACQUIRE (request_key() of an "esprim" key nobody has) with
 *     the key's payload or an error, as tlshd answers the handshake
 *     upcall;
 *   - the events group: soft limits renew the session ahead of time, hard
 *     expiry drops it, refusals are logged and counted.
 * Only on the kernel backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/onem2m_esprim_netlink.h>

#include "exchange.h"
#include "kernel.h"
#include "keys.h"
#include "log.h"

/* What the daemon reads of the kernel's messages, checked by libnl. */
static struct nla_policy upcall_policy[ONEM2M_ESPRIM_A_UPCALL_MAX + 1] = {
	[ONEM2M_ESPRIM_A_UPCALL_ID] = { .type = NLA_S32 },
	[ONEM2M_ESPRIM_A_UPCALL_DESCRIPTION] = { .type = NLA_NUL_STRING,
						 .maxlen = 512 },
	[ONEM2M_ESPRIM_A_UPCALL_UID] = { .type = NLA_U32 },
};

static struct nla_policy event_policy[ONEM2M_ESPRIM_A_EVENT_MAX + 1] = {
	[ONEM2M_ESPRIM_A_EVENT_TYPE] = { .type = NLA_U32 },
	[ONEM2M_ESPRIM_A_EVENT_KID] = { .type = NLA_NUL_STRING,
					.maxlen = ONEM2M_ESPRIM_MAX_ID_LEN + 1 },
	[ONEM2M_ESPRIM_A_EVENT_ROLE] = { .type = NLA_U8 },
};

struct esprimd_kernel {
	struct esprimd *d;
	struct nl_sock *sk;
	int family;
	sd_event_source *io;
};

/* Answers an upcall with a payload, or with an error (errnum > 0). */
static int upcall_complete(struct esprimd_kernel *k, int32_t id,
			   const void *payload, size_t len, int errnum)
{
	struct nl_msg *msg = nlmsg_alloc();
	int rc = -ENOMEM;

	if (!msg)
		return rc;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, 0,
			 ONEM2M_ESPRIM_CMD_UPCALL_COMPLETE, 1) ||
	    nla_put_s32(msg, ONEM2M_ESPRIM_A_UPCALL_ID, id) ||
	    (payload && nla_put(msg, ONEM2M_ESPRIM_A_UPCALL_PAYLOAD, (int)len,
				payload)) ||
	    (errnum && nla_put_u32(msg, ONEM2M_ESPRIM_A_UPCALL_ERROR,
				   (uint32_t)errnum)))
		goto out;
	rc = nl_send_auto(k->sk, msg);
	rc = rc < 0 ? -EIO : 0;
out:
	/* The payload may hold key octets. */
	memset(nlmsg_hdr(msg), 0, nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	return rc;
}

/*
 * A requester the configuration allows: root, or a CSE user given the
 * gateway's keys (kernel_keys = yes: trusted with every identity of the
 * gateway, as holding the pairwise key makes it).
 */
static bool upcall_allowed(struct esprimd *d, uint32_t uid)
{
	const struct esprimd_cse *cse = esprimd_config_cse_by_uid(d->config,
								 uid);

	return uid == 0 || (cse && cse->kernel_keys);
}

static void on_acquire(struct esprimd_kernel *k, struct nlattr **tb)
{
	struct esprimd *d = k->d;
	const char *desc;
	uint32_t uid;
	void *payload = NULL;
	size_t len = 0;
	int32_t id;
	int err;

	if (!tb[ONEM2M_ESPRIM_A_UPCALL_ID] ||
	    !tb[ONEM2M_ESPRIM_A_UPCALL_DESCRIPTION] ||
	    !tb[ONEM2M_ESPRIM_A_UPCALL_UID]) {
		log_err("an acquire request without id, description or uid");
		return;
	}
	id = nla_get_s32(tb[ONEM2M_ESPRIM_A_UPCALL_ID]);
	desc = nla_get_string(tb[ONEM2M_ESPRIM_A_UPCALL_DESCRIPTION]);
	uid = nla_get_u32(tb[ONEM2M_ESPRIM_A_UPCALL_UID]);
	d->stats.upcalls++;
	if (!upcall_allowed(d, uid)) {
		log_warn("upcall for %s from uid %u, no configured CSE: refused",
			 desc, uid);
		err = EACCES;
	} else {
		err = -exchange_upcall_payload(d, desc, &payload, &len);
		log_info("upcall for %s from uid %u: %s", desc, uid,
			 err ? strerror(err) : "answered");
	}
	if (upcall_complete(k, id, payload, len, err))
		log_err("answering the upcall for %s failed", desc);
	if (payload) {
		memset(payload, 0, len);
		free(payload);
	}
}

static void on_event(struct esprimd_kernel *k, struct nlattr **tb)
{
	uint32_t type, role = 0;
	const char *kid = NULL;

	if (!tb[ONEM2M_ESPRIM_A_EVENT_TYPE])
		return;
	type = nla_get_u32(tb[ONEM2M_ESPRIM_A_EVENT_TYPE]);
	if (tb[ONEM2M_ESPRIM_A_EVENT_KID])
		kid = nla_get_string(tb[ONEM2M_ESPRIM_A_EVENT_KID]);
	if (tb[ONEM2M_ESPRIM_A_EVENT_ROLE])
		role = nla_get_u8(tb[ONEM2M_ESPRIM_A_EVENT_ROLE]);
	if (kid)
		exchange_kernel_event(k->d, type, kid, role);
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct esprimd_kernel *k = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[ONEM2M_ESPRIM_A_UPCALL_MAX +
			  ONEM2M_ESPRIM_A_EVENT_MAX + 2];

	switch (gh->cmd) {
	case ONEM2M_ESPRIM_CMD_ACQUIRE:
		if (!genlmsg_parse(nlh, 0, tb, ONEM2M_ESPRIM_A_UPCALL_MAX,
				   upcall_policy))
			on_acquire(k, tb);
		break;
	case ONEM2M_ESPRIM_CMD_EVENT:
		if (!genlmsg_parse(nlh, 0, tb, ONEM2M_ESPRIM_A_EVENT_MAX,
				   event_policy))
			on_event(k, tb);
		break;
	}
	return NL_OK;
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents,
		       void *userdata)
{
	struct esprimd_kernel *k = userdata;
	int rc = nl_recvmsgs_default(k->sk);

	/* Errors of our own completions come back as error messages. */
	if (rc < 0 && rc != -NLE_AGAIN)
		log_warn("netlink: %s", nl_geterror(rc));
	return 0;
}

static int register_upcall(struct esprimd_kernel *k)
{
	struct nl_msg *msg = nlmsg_alloc();
	int rc;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, 0,
			 ONEM2M_ESPRIM_CMD_UPCALL_REGISTER, 1)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = nl_send_sync(k->sk, msg);
	return rc < 0 ? -EPERM : 0;
}

/*
 * The module's defaults for new sessions take the configured invocation
 * limits: the sessions libesprim derives for the daemon, and those the
 * upcall gives CSEs, then reach their soft limit (and an event that
 * renews them) well before the hard one.
 */
int kernel_configure(struct esprimd *d)
{
	const struct esprimd_config *c = d->config;
	struct esprimd_kernel *k = d->kernel;
	struct nl_msg *msg = nlmsg_alloc();
	int rc = -ENOMEM;

	if (!msg)
		return rc;
	if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, 0,
			ONEM2M_ESPRIM_CMD_CONFIG_SET, 1) &&
	    !nla_put_u64(msg, ONEM2M_ESPRIM_A_CONFIG_SOFT_INVOCATIONS,
			 c->soft_invocations) &&
	    !nla_put_u64(msg, ONEM2M_ESPRIM_A_CONFIG_HARD_INVOCATIONS,
			 c->hard_invocations)) {
		/* Its ack (or error) is read by on_readable() once running. */
		rc = nl_send_auto(k->sk, msg);
		rc = rc < 0 ? -EIO : 0;
	}
	nlmsg_free(msg);
	return rc;
}

static struct nla_policy session_policy[ONEM2M_ESPRIM_A_SESSION_MAX + 1] = {
	[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL] = { .type = NLA_S32 },
	[ONEM2M_ESPRIM_A_SESSION_KID] = { .type = NLA_NUL_STRING,
					  .maxlen = ONEM2M_ESPRIM_MAX_ID_LEN + 1 },
	[ONEM2M_ESPRIM_A_SESSION_ORI] = { .type = NLA_NUL_STRING,
					  .maxlen = ONEM2M_ESPRIM_MAX_ID_LEN + 1 },
	[ONEM2M_ESPRIM_A_SESSION_RRI] = { .type = NLA_NUL_STRING,
					  .maxlen = ONEM2M_ESPRIM_MAX_ID_LEN + 1 },
	[ONEM2M_ESPRIM_A_SESSION_ROLE] = { .type = NLA_U8 },
	[ONEM2M_ESPRIM_A_SESSION_UID] = { .type = NLA_U32 },
};

/*
 * The sessions of the dump derived again in this run ("<role>:<kid>:<ori>:
 * <rri>"): the dump has one key per enc of each.
 */
struct resumed {
	struct esprimd *d;
	char **names;
	size_t n_names;
	unsigned int sessions;
};

/* Whether the session is one resumed already; else resumes it. */
static bool resume_once(struct resumed *r,
			const struct esprimd_kernel_session *ks)
{
	char *name, **grown;
	size_t i;

	if (asprintf(&name, "%u:%s:%s:%s", ks->role, ks->kid, ks->ori,
		     ks->rri) < 0)
		return false;
	for (i = 0; i < r->n_names; i++)
		if (!strcmp(r->names[i], name)) {
			free(name);
			return true;
		}
	grown = reallocarray(r->names, r->n_names + 1, sizeof(*grown));
	if (!grown || !exchange_resume(r->d, ks)) {
		if (grown)
			r->names = grown;
		free(name);
		return false;
	}
	r->names = grown;
	r->names[r->n_names++] = name;
	return true;
}

static int on_session(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ONEM2M_ESPRIM_A_SESSION_MAX + 1];
	struct esprimd_kernel_session ks = { 0 };
	struct resumed *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ONEM2M_ESPRIM_A_SESSION_MAX,
			  session_policy) ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL] ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_KID] ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_ORI] ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_RRI] ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_ROLE] ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_UID])
		return NL_SKIP;
	ks.serial = nla_get_s32(tb[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL]);
	ks.kid = nla_get_string(tb[ONEM2M_ESPRIM_A_SESSION_KID]);
	ks.ori = nla_get_string(tb[ONEM2M_ESPRIM_A_SESSION_ORI]);
	ks.rri = nla_get_string(tb[ONEM2M_ESPRIM_A_SESSION_RRI]);
	ks.role = nla_get_u8(tb[ONEM2M_ESPRIM_A_SESSION_ROLE]);
	ks.uid = nla_get_u32(tb[ONEM2M_ESPRIM_A_SESSION_UID]);
	r->sessions++;
	resume_once(r, &ks);
	return NL_OK;
}

/*
 * The sessions an earlier run of the daemon left in the kernel (kill -9):
 * read from the module's dump, derived again in this run's context when
 * their rand objects were kept (sharing the kernel's replay state and IV
 * counter, which live per derived key while a key of it does: the earlier
 * run's keys stay until they expire), the earlier run's empty keyrings
 * dropped.
 */
static void resume_sessions(struct esprimd_kernel *k)
{
	struct resumed r = { .d = k->d };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = nlmsg_alloc();
	unsigned int rings;
	size_t i;
	int rc;

	if (!sk || !msg || genl_connect(sk) < 0 ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0,
			 NLM_F_DUMP, ONEM2M_ESPRIM_CMD_SESSION_GET, 1)) {
		log_warn("reading the kernel's sessions: no netlink socket");
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_session, &r);
	rc = nl_send_auto(sk, msg);
	if (rc >= 0)
		rc = nl_recvmsgs_default(sk);
	if (rc < 0)
		log_warn("reading the kernel's sessions: %s", nl_geterror(rc));
	rings = keys_drop_stale(k->d);
	if (r.sessions || rings)
		log_info("%u session keys in the kernel, %zu sessions of an earlier run derived again, %u of its keyrings dropped",
			 r.sessions, r.n_names, rings);
out:
	for (i = 0; i < r.n_names; i++)
		free(r.names[i]);
	free(r.names);
	nlmsg_free(msg);
	nl_socket_free(sk);
}

int kernel_open(struct esprimd *d, char *err, size_t err_size)
{
	struct esprimd_kernel *k = calloc(1, sizeof(*k));
	int grp, rc;

	if (!k)
		return -ENOMEM;
	d->kernel = k;
	k->d = d;
	k->sk = nl_socket_alloc();
	if (!k->sk || genl_connect(k->sk) < 0) {
		snprintf(err, err_size, "a generic netlink socket");
		return -EIO;
	}
	k->family = genl_ctrl_resolve(k->sk, ONEM2M_ESPRIM_GENL_NAME);
	grp = genl_ctrl_resolve_grp(k->sk, ONEM2M_ESPRIM_GENL_NAME,
				    ONEM2M_ESPRIM_MCGRP_EVENTS);
	if (k->family < 0 || grp < 0) {
		snprintf(err, err_size,
			 "the module has no netlink family %s (too old?)",
			 ONEM2M_ESPRIM_GENL_NAME);
		return -ENOENT;
	}
	rc = kernel_configure(d);
	if (!rc)
		rc = nl_wait_for_ack(k->sk) < 0 ? -EPERM : 0;
	if (rc) {
		snprintf(err, err_size,
			 "setting the module's session limits: no CAP_NET_ADMIN?");
		return rc;
	}
	rc = register_upcall(k);
	if (rc) {
		snprintf(err, err_size,
			 "registering for key upcalls: another daemon has them, or no CAP_NET_ADMIN");
		return rc;
	}
	if (nl_socket_add_membership(k->sk, grp) < 0) {
		snprintf(err, err_size, "joining the events group");
		return -EPERM;
	}
	/*
	 * Upcalls share the socket with events, which peers can provoke
	 * (bad MACs, replays, rate-limited by the module): room for bursts.
	 */
	nl_socket_set_buffer_size(k->sk, 4 << 20, 0);
	nl_socket_disable_seq_check(k->sk);
	nl_socket_modify_cb(k->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, k);
	nl_socket_set_nonblocking(k->sk);
	rc = sd_event_add_io(d->event, &k->io, nl_socket_get_fd(k->sk),
			     EPOLLIN, on_readable, k);
	if (rc < 0) {
		snprintf(err, err_size, "sd_event_add_io: %s", strerror(-rc));
		return rc;
	}
	resume_sessions(k);
	return 0;
}

void kernel_close(struct esprimd *d)
{
	struct esprimd_kernel *k = d->kernel;

	if (!k)
		return;
	sd_event_source_unref(k->io);
	nl_socket_free(k->sk);
	free(k);
	d->kernel = NULL;
}
