// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl: what the onem2m_esprim module says over its generic netlink
 * family (Documentation/netlink/specs/onem2m_esprim.yaml): its counters
 * (stats-get) and the session keys the caller may view (session-get
 * dump).  libnl-genl-3 resolves the family and parses the attributes
 * against the policies below; a reply the policy refuses is EPROTO.
 *
 * No acks are asked for: a do is answered by its reply or an error, a
 * dump by its messages and NLMSG_DONE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/onem2m_esprim_netlink.h>

#include "ctl.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/**
 * struct ctl_nl - one request to the family
 * @sk: the socket
 * @family: the family's id
 * @errnum: the errno of the kernel's error message, 0 if none came
 * @parse_err: a reply the policy refused (EPROTO)
 * @out: what the replies are collected into: an array (a dump) or an
 *	object (a do)
 */
struct ctl_nl {
	struct nl_sock *sk;
	int family;
	int errnum;
	bool parse_err;
	json_t *out;
};

static struct nla_policy ctl_stats_policy[ONEM2M_ESPRIM_A_STATS_MAX + 1] = {
	[ONEM2M_ESPRIM_A_STATS_SEALS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_OPENS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_BAD_MAC] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_REPLAYS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_REFLECTIONS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_LIMIT_HITS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_UPCALLS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_UPCALL_FAILURES] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_STATS_SESSIONS] = { .type = NLA_U32 },
};

static struct nla_policy ctl_session_policy[ONEM2M_ESPRIM_A_SESSION_MAX + 1] = {
	[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL] = { .type = NLA_S32 },
	[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL] = { .type = NLA_S32 },
	[ONEM2M_ESPRIM_A_SESSION_KID] = { .type = NLA_NUL_STRING },
	[ONEM2M_ESPRIM_A_SESSION_PEER] = { .type = NLA_NUL_STRING },
	[ONEM2M_ESPRIM_A_SESSION_ORI] = { .type = NLA_NUL_STRING },
	[ONEM2M_ESPRIM_A_SESSION_RRI] = { .type = NLA_NUL_STRING },
	[ONEM2M_ESPRIM_A_SESSION_ENC] = { .type = NLA_U8 },
	[ONEM2M_ESPRIM_A_SESSION_ROLE] = { .type = NLA_U8 },
	[ONEM2M_ESPRIM_A_SESSION_REPLAY] = { .type = NLA_U8 },
	[ONEM2M_ESPRIM_A_SESSION_REPLAY_WINDOW] = { .type = NLA_U32 },
	[ONEM2M_ESPRIM_A_SESSION_UID] = { .type = NLA_U32 },
	[ONEM2M_ESPRIM_A_SESSION_SOFT_INVOCATIONS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_HARD_INVOCATIONS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_SOFT_DEADLINE] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_HARD_DEADLINE] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_SOFT_EXPIRED] = { .type = NLA_FLAG },
	[ONEM2M_ESPRIM_A_SESSION_SEALS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_OPENS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_BAD_MAC] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_REPLAYS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_REFLECTIONS] = { .type = NLA_U64 },
	[ONEM2M_ESPRIM_A_SESSION_LIMIT_HITS] = { .type = NLA_U64 },
};

/**
 * struct ctl_attr_name - an attribute and its JSON member
 * @attr: ONEM2M_ESPRIM_A_*
 * @name: the member's name
 */
struct ctl_attr_name {
	int attr;
	const char *name;
};

/* The JSON members of the counters, in the order of the spec. */
static const struct ctl_attr_name ctl_stats_members[] = {
	{ ONEM2M_ESPRIM_A_STATS_SESSIONS, "sessions" },
	{ ONEM2M_ESPRIM_A_STATS_SEALS, "seals" },
	{ ONEM2M_ESPRIM_A_STATS_OPENS, "opens" },
	{ ONEM2M_ESPRIM_A_STATS_BAD_MAC, "bad_mac" },
	{ ONEM2M_ESPRIM_A_STATS_REPLAYS, "replays" },
	{ ONEM2M_ESPRIM_A_STATS_REFLECTIONS, "reflections" },
	{ ONEM2M_ESPRIM_A_STATS_LIMIT_HITS, "limit_hits" },
	{ ONEM2M_ESPRIM_A_STATS_UPCALLS, "upcalls" },
	{ ONEM2M_ESPRIM_A_STATS_UPCALL_FAILURES, "upcall_failures" },
};

static const struct ctl_attr_name ctl_session_u64[] = {
	{ ONEM2M_ESPRIM_A_SESSION_SEALS, "seals" },
	{ ONEM2M_ESPRIM_A_SESSION_OPENS, "opens" },
	{ ONEM2M_ESPRIM_A_SESSION_BAD_MAC, "bad_mac" },
	{ ONEM2M_ESPRIM_A_SESSION_REPLAYS, "replays" },
	{ ONEM2M_ESPRIM_A_SESSION_REFLECTIONS, "reflections" },
	{ ONEM2M_ESPRIM_A_SESSION_LIMIT_HITS, "limit_hits" },
	{ ONEM2M_ESPRIM_A_SESSION_SOFT_INVOCATIONS, "soft_invocations" },
	{ ONEM2M_ESPRIM_A_SESSION_HARD_INVOCATIONS, "hard_invocations" },
	{ ONEM2M_ESPRIM_A_SESSION_SOFT_DEADLINE, "soft_deadline" },
	{ ONEM2M_ESPRIM_A_SESSION_HARD_DEADLINE, "hard_deadline" },
};

/* libnl's error codes as errnos, for those it does not carry over. */
static int ctl_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:		return ENOMEM;
	case NLE_PERM:		return EPERM;
	case NLE_NOACCESS:	return EACCES;
	case NLE_INVAL:		return EINVAL;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return ENOENT;
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:	return EPROTO;
	case NLE_AGAIN:		return ETIMEDOUT;
	default:		return EIO;
	}
}

static json_t *ctl_u64(const struct nlattr *a)
{
	return json_integer((json_int_t)nla_get_u64((struct nlattr *)a));
}

static int ctl_nl_error(struct sockaddr_nl *nla, struct nlmsgerr *err,
			void *arg)
{
	struct ctl_nl *nl = arg;

	nl->errnum = err->error < 0 ? -err->error : err->error;
	return NL_STOP;
}

static int ctl_stats_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ONEM2M_ESPRIM_A_STATS_MAX + 1];
	struct ctl_nl *nl = arg;
	size_t i;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ONEM2M_ESPRIM_A_STATS_MAX,
			  ctl_stats_policy) < 0) {
		nl->parse_err = true;
		return NL_STOP;
	}
	for (i = 0; i < ARRAY_LEN(ctl_stats_members); i++) {
		struct nlattr *a = tb[ctl_stats_members[i].attr];

		if (!a)
			continue;
		json_object_set_new(nl->out, ctl_stats_members[i].name,
				    ctl_stats_members[i].attr ==
				    ONEM2M_ESPRIM_A_STATS_SESSIONS ?
				    json_integer(nla_get_u32(a)) :
				    ctl_u64(a));
	}
	return NL_OK;
}

/* Member name of s from attribute a, if the kernel sent it. */
static void ctl_put_str(json_t *s, const char *name, struct nlattr *a)
{
	if (a)
		json_object_set_new(s, name, json_string(nla_get_string(a)));
}

static void ctl_put_s32(json_t *s, const char *name, struct nlattr *a)
{
	if (a)
		json_object_set_new(s, name, json_integer(nla_get_s32(a)));
}

static void ctl_put_u32(json_t *s, const char *name, struct nlattr *a)
{
	if (a)
		json_object_set_new(s, name, json_integer(nla_get_u32(a)));
}

/* A u8 enum by its name in names (n of them), "unknown" beyond. */
static void ctl_put_enum(json_t *s, const char *name, struct nlattr *a,
			 const char *const *names, unsigned int n)
{
	unsigned int v;

	if (!a)
		return;
	v = nla_get_u8(a);
	json_object_set_new(s, name, json_string(v < n && names[v] ?
						 names[v] : "unknown"));
}

static int ctl_session_reply(struct nl_msg *msg, void *arg)
{
	static const char *const enc_names[] = {
		[ONEM2M_ESPRIM_ENC_A128GCM] = "A128GCM",
		[ONEM2M_ESPRIM_ENC_A192GCM] = "A192GCM",
		[ONEM2M_ESPRIM_ENC_A256GCM] = "A256GCM",
	};
	static const char *const role_names[] = {
		[ONEM2M_ESPRIM_ROLE_ORIGINATOR] = "originator",
		[ONEM2M_ESPRIM_ROLE_RECEIVER] = "receiver",
	};
	static const char *const replay_names[] = {
		[ONEM2M_ESPRIM_REPLAY_AUTO] = "auto",
		[ONEM2M_ESPRIM_REPLAY_OFF] = "off",
		[ONEM2M_ESPRIM_REPLAY_STRICT] = "strict",
	};
	struct nlattr *tb[ONEM2M_ESPRIM_A_SESSION_MAX + 1], *a;
	struct ctl_nl *nl = arg;
	json_t *s;
	size_t i;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ONEM2M_ESPRIM_A_SESSION_MAX,
			  ctl_session_policy) < 0 ||
	    !tb[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL]) {
		nl->parse_err = true;
		return NL_STOP;
	}
	s = json_object();
	if (!s)
		return NL_STOP;
	ctl_put_s32(s, "key_serial", tb[ONEM2M_ESPRIM_A_SESSION_KEY_SERIAL]);
	ctl_put_s32(s, "pairwise_serial",
		    tb[ONEM2M_ESPRIM_A_SESSION_PAIRWISE_SERIAL]);
	ctl_put_str(s, "kid", tb[ONEM2M_ESPRIM_A_SESSION_KID]);
	ctl_put_str(s, "peer", tb[ONEM2M_ESPRIM_A_SESSION_PEER]);
	ctl_put_str(s, "ori", tb[ONEM2M_ESPRIM_A_SESSION_ORI]);
	ctl_put_str(s, "rri", tb[ONEM2M_ESPRIM_A_SESSION_RRI]);
	ctl_put_enum(s, "enc", tb[ONEM2M_ESPRIM_A_SESSION_ENC], enc_names,
		     ARRAY_LEN(enc_names));
	ctl_put_enum(s, "role", tb[ONEM2M_ESPRIM_A_SESSION_ROLE], role_names,
		     ARRAY_LEN(role_names));
	ctl_put_enum(s, "replay", tb[ONEM2M_ESPRIM_A_SESSION_REPLAY],
		     replay_names, ARRAY_LEN(replay_names));
	ctl_put_u32(s, "replay_window",
		    tb[ONEM2M_ESPRIM_A_SESSION_REPLAY_WINDOW]);
	ctl_put_u32(s, "uid", tb[ONEM2M_ESPRIM_A_SESSION_UID]);
	a = tb[ONEM2M_ESPRIM_A_SESSION_SOFT_EXPIRED];
	json_object_set_new(s, "soft_expired", json_boolean(a));
	for (i = 0; i < ARRAY_LEN(ctl_session_u64); i++) {
		a = tb[ctl_session_u64[i].attr];
		if (a)
			json_object_set_new(s, ctl_session_u64[i].name,
					    ctl_u64(a));
	}
	json_array_append_new(nl->out, s);
	return NL_OK;
}

/*
 * Opens the socket and resolves the family (nl->family stays 0 when no
 * such family is registered).  An exit status; *out the failure if not 0.
 */
static int ctl_nl_open(struct ctl_nl *nl, json_t **out)
{
	int rc;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		*out = ctl_failure_new(ENOMEM, "out of memory");
		return CTL_EXIT_FAIL;
	}
	rc = genl_connect(nl->sk);
	if (!rc)
		rc = genl_ctrl_resolve(nl->sk, ONEM2M_ESPRIM_GENL_NAME);
	if (rc == -NLE_OBJ_NOTFOUND)
		return CTL_EXIT_OK;
	if (rc < 0) {
		*out = ctl_failure_new(ctl_nl_errno(rc),
				       "generic netlink family %s: %s",
				       ONEM2M_ESPRIM_GENL_NAME,
				       nl_geterror(rc));
		return ctl_failure_status(*out);
	}
	nl->family = rc;
	nl_socket_disable_auto_ack(nl->sk);
	return CTL_EXIT_OK;
}

/*
 * One request of cmd (a dump if dump) whose replies go through fn into
 * nl->out.  Returns an exit status; *out the failure object if not 0.
 */
static int ctl_nl_request(struct ctl_nl *nl, uint8_t cmd, bool dump,
			  nl_recvmsg_msg_cb_t fn, const char *what,
			  json_t **out)
{
	struct nl_msg *msg = nlmsg_alloc();
	int rc = -NLE_NOMEM;

	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			       dump ? NLM_F_DUMP : 0, cmd,
			       ONEM2M_ESPRIM_GENL_VERSION))
		rc = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (rc >= 0) {
		nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, fn, nl);
		nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, ctl_nl_error,
					nl);
		rc = nl_recvmsgs_default(nl->sk);
	}
	if (nl->errnum) {
		*out = ctl_failure_new(nl->errnum, "%s: %s", what,
				       strerror(nl->errnum));
		return ctl_failure_status(*out);
	}
	if (nl->parse_err) {
		*out = ctl_failure_new(EPROTO, "%s: a reply out of the spec",
				       what);
		return CTL_EXIT_FAIL;
	}
	if (rc < 0) {
		*out = ctl_failure_new(ctl_nl_errno(rc), "%s: %s", what,
				       nl_geterror(rc));
		return ctl_failure_status(*out);
	}
	return CTL_EXIT_OK;
}

/*
 * The module's answer to cmd as {"ok":true,"loaded":true,name:value}
 * (value stolen), {"ok":true,"loaded":false}, or a failure.
 */
static int ctl_kernel_ask(uint8_t cmd, bool dump, nl_recvmsg_msg_cb_t fn,
			  const char *name, json_t *value, const char *what,
			  json_t **out)
{
	struct ctl_nl nl = { .out = value };
	int status;

	*out = NULL;
	if (!value) {
		*out = ctl_failure_new(ENOMEM, "out of memory");
		return CTL_EXIT_FAIL;
	}
	status = ctl_nl_open(&nl, out);
	if (!status && nl.family)
		status = ctl_nl_request(&nl, cmd, dump, fn, what, out);
	nl_socket_free(nl.sk);
	if (status && nl.family)
		json_object_set_new(*out, "loaded", json_true());
	else if (!status)
		*out = json_pack("{s:b, s:b, s:O*}", "ok", 1, "loaded",
				 nl.family > 0, name,
				 nl.family ? value : NULL);
	json_decref(value);
	if (!*out) {
		*out = ctl_failure_new(ENOMEM, "out of memory");
		status = CTL_EXIT_FAIL;
	}
	return status;
}

int ctl_kernel_stats(json_t **out)
{
	return ctl_kernel_ask(ONEM2M_ESPRIM_CMD_STATS_GET, false,
			      ctl_stats_reply, "stats", json_object(),
			      "the module's stats-get", out);
}

int ctl_kernel_sessions(json_t **out)
{
	return ctl_kernel_ask(ONEM2M_ESPRIM_CMD_SESSION_GET, true,
			      ctl_session_reply, "sessions", json_array(),
			      "the module's session-get dump", out);
}
