// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl sessions: esprimd's sessions and, when the module's family
 * is registered, every session key the caller may view in the kernel
 * (session-get dump): the daemon's, and those of other programs on the
 * kernel backend.  --peer narrows both: the daemon by the peer's name or
 * identity, the kernel's by the identity and kid that peer has (asked of
 * the daemon), or by the given text as an identity or kid.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char sessions_usage[] =
	"Usage: esprimctl sessions [-j] [--peer PEER] [--socket PATH]\n"
	"Shows esprimd's sessions and the session keys of the onem2m_esprim\n"
	"module the caller may view: serial, kid, peer, ori, rri, enc, role,\n"
	"limits and counters.\n\n"
	"  --peer PEER     only those of PEER (a peer's name or identity, or a kid)\n"
	CTL_USAGE_BOTH_PARTS;

/**
 * struct sessions_filter - which kernel sessions --peer selects
 * @arg: --peer as given, matched against a session's peer and kid
 * @identity: the identity of the daemon's peer of that name, or NULL
 * @kid: the kid of that peer, or NULL
 */
struct sessions_filter {
	const char *arg;
	const char *identity;
	const char *kid;
};

static bool sessions_str_is(const json_t *s, const char *name,
			    const char *v)
{
	const char *m = json_string_value(json_object_get(s, name));

	return v && m && !strcmp(m, v);
}

static bool sessions_match(const json_t *s, const struct sessions_filter *f)
{
	return sessions_str_is(s, "peer", f->arg) ||
	       sessions_str_is(s, "kid", f->arg) ||
	       sessions_str_is(s, "peer", f->identity) ||
	       sessions_str_is(s, "kid", f->kid);
}

/* Keeps the kernel's sessions that --peer selects. */
static void sessions_narrow(json_t *k, const char *peer)
{
	json_t *list = json_object_get(k, "sessions");
	struct sessions_filter f = { .arg = peer };
	json_t *reply = NULL, *p;
	size_t i;

	if (!peer || !json_is_array(list))
		return;
	if (!ctl_daemon_call("peers", NULL, &reply)) {
		json_array_foreach(json_object_get(reply, "peers"), i, p) {
			if (!sessions_str_is(p, "name", peer) &&
			    !sessions_str_is(p, "identity", peer))
				continue;
			f.identity = ctl_jstr(p, "identity");
			f.kid = ctl_jstr(p, "kid");
			break;
		}
	}
	for (i = json_array_size(list); i-- > 0;)
		if (!sessions_match(json_array_get(list, i), &f))
			json_array_remove(list, i);
	json_decref(reply);
}

static const char *const sessions_daemon_known[] = {
	"peer", "identity", "expires_ms", NULL,
};

static void sessions_show_daemon(json_t *d, int status)
{
	json_t *list = json_object_get(d, "sessions"), *s, *exp;
	struct ctl_block b = { 0 };
	char heading[512], when[96];
	size_t i;

	if (status) {
		ctl_show_failure("esprimd", d);
		return;
	}
	printf("esprimd: %zu session%s\n", json_array_size(list),
	       json_array_size(list) == 1 ? "" : "s");
	json_array_foreach(list, i, s) {
		snprintf(heading, sizeof(heading), "%ssession %s: %s",
			 i ? "\n" : "", ctl_jstr(s, "peer") ?: "?",
			 ctl_jstr(s, "identity") ?:
			 "");
		ctl_block_rest(&b, s, sessions_daemon_known);
		exp = json_object_get(s, "expires_ms");
		if (json_is_integer(exp)) {
			ctl_fmt_time(when, sizeof(when),
				     json_integer_value(exp) / 1000);
			ctl_block_add(&b, "expires", "%s", when);
		}
		ctl_block_print(&b, heading);
	}
}

static const char *const sessions_kernel_known[] = {
	"key_serial", "pairwise_serial", "kid", "peer", "ori", "rri", "enc",
	"role", "replay", "replay_window", "uid", "soft_invocations",
	"hard_invocations", "soft_deadline", "hard_deadline", "soft_expired",
	NULL,
};

/* "N invocations, 2026-12-01 17:00:00 (in 59m 10s)", or "none". */
static void sessions_limit(struct ctl_block *b, const char *label,
			   const json_t *s, const char *inv,
			   const char *deadline)
{
	json_t *n = json_object_get(s, inv), *t = json_object_get(s, deadline);
	char when[96] = "";

	if (json_is_integer(t))
		ctl_fmt_time(when, sizeof(when), json_integer_value(t));
	if (json_integer_value(n) && *when)
		ctl_block_add(b, label, "%lld invocations, %s",
			      (long long)json_integer_value(n), when);
	else if (json_integer_value(n))
		ctl_block_add(b, label, "%lld invocations",
			      (long long)json_integer_value(n));
	else if (*when)
		ctl_block_add(b, label, "%s", when);
	else
		ctl_block_add(b, label, "none");
}

static void sessions_show_kernel_one(struct ctl_block *b, json_t *s,
				     bool first)
{
	json_t *pw = json_object_get(s, "pairwise_serial");
	json_t *window = json_object_get(s, "replay_window");
	const char *replay = ctl_jstr(s, "replay");
	char heading[512], serial[48];

	ctl_fmt_serial(serial, sizeof(serial), ctl_jint(s, "key_serial"));
	snprintf(heading, sizeof(heading), "%ssession key %s: %s",
		 first ? "" : "\n", serial, ctl_jstr(s, "kid") ?: "?");
	ctl_block_member(b, "peer", s, "peer");
	ctl_block_member(b, "ori", s, "ori");
	ctl_block_member(b, "rri", s, "rri");
	ctl_block_member(b, "enc", s, "enc");
	ctl_block_member(b, "role", s, "role");
	if (replay && json_is_integer(window) && strcmp(replay, "off"))
		ctl_block_add(b, "replay", "%s, window %lld", replay,
			      (long long)json_integer_value(window));
	else
		ctl_block_member(b, "replay", s, "replay");
	if (json_is_integer(pw)) {
		ctl_fmt_serial(serial, sizeof(serial), json_integer_value(pw));
		ctl_block_add(b, "pairwise key", "%s", serial);
	}
	ctl_block_member(b, "uid", s, "uid");
	sessions_limit(b, "soft limit", s, "soft_invocations",
		       "soft_deadline");
	sessions_limit(b, "hard limit", s, "hard_invocations",
		       "hard_deadline");
	ctl_block_member(b, "soft expired", s, "soft_expired");
	ctl_block_rest(b, s, sessions_kernel_known);
	ctl_block_print(b, heading);
}

static void sessions_show_kernel(json_t *k, int status)
{
	json_t *list = json_object_get(k, "sessions"), *s;
	struct ctl_block b = { 0 };
	size_t i;

	if (ctl_show_kernel_absent(k, status))
		return;
	printf("kernel module onem2m_esprim: %zu session key%s visible\n",
	       json_array_size(list), json_array_size(list) == 1 ? "" : "s");
	json_array_foreach(list, i, s)
		sessions_show_kernel_one(&b, s, !i);
}

int cmd_sessions(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "peer", required_argument, NULL, CTL_OPT_PEER },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ NULL, 0, NULL, 0 },
	};
	const char *peer = NULL;
	int c, ds, ks, rc;
	json_t *d, *k;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		if (c != CTL_OPT_PEER) {
			rc = ctl_daemon_opt(c, sessions_usage);
			if (rc >= 0)
				return rc;
			continue;
		}
		if (!*optarg)
			return ctl_usage_error(sessions_usage,
					       "--peer takes a peer's name, identity or kid");
		peer = optarg;
	}
	if (optind != argc)
		return ctl_usage_error(sessions_usage,
				       "unexpected argument '%s'", argv[optind]);

	ds = ctl_daemon_call("sessions",
			     peer ? json_pack("{s:s}", "peer", peer) : NULL,
			     &d);
	ks = ctl_kernel_sessions(&k);
	if (!ks)
		sessions_narrow(k, peer);
	return ctl_show_parts(d, ds, sessions_show_daemon, k, ks,
			      sessions_show_kernel);
}
