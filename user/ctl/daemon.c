// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl: the operator commands' side of esprimd's socket
 * (Documentation/esprimd-socket.md), through libesprim's client.  One
 * connection per operation: each command asks one or two questions.
 *
 * Every reply is checked before a command shows it: one JSON object
 * whose "ok" is a boolean; a refusal carries a string "error" and a
 * string "message", and an "rsc" or an "errno" within range.  Anything
 * else is a failure of its own (EPROTO), never printed as if it were the
 * daemon's answer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* errno values and RSCs a reply may carry (as the client library). */
#define CTL_ERRNO_MAX	4095
#define CTL_RSC_MIN	1000
#define CTL_RSC_MAX	9999

const char *ctl_socket;

const char *ctl_socket_path(void)
{
	const char *env;

	if (ctl_socket)
		return ctl_socket;
	env = secure_getenv("ESPRIMD_SOCKET");
	return env && *env ? env : CTL_DAEMON_SOCKET;
}

json_t *ctl_failure_new(int errnum, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s, s:i, s:s}", "ok", 0,
			 "error", strerrorname_np(errnum) ?: "EIO",
			 "errno", errnum, "message", msg);
}

int ctl_failure_status(const json_t *failure)
{
	json_int_t errnum = ctl_jint(failure, "errno");

	if (errnum == EACCES || errnum == EPERM)
		return CTL_EXIT_PERM;
	return CTL_EXIT_FAIL;
}

int ctl_failure_report(json_t *failure, int status)
{
	const char *error, *msg;
	json_int_t rsc;

	if (ctl_json && !ctl_json_print(json_incref(failure))) {
		json_decref(failure);
		return status;
	}
	error = ctl_jstr(failure, "error");
	msg = ctl_jstr(failure, "message");
	rsc = ctl_jint(failure, "rsc");
	if (rsc)
		fprintf(stderr, "esprimctl: %lld %s: %s\n", (long long)rsc,
			error ?: "UNKNOWN", msg ?: "");
	else
		fprintf(stderr, "esprimctl: %s: %s\n", error ?: "EIO",
			msg ?: "");
	json_decref(failure);
	return status;
}

/* Why connect() failed, as the operator needs to hear it. */
static int ctl_connect_failure(int errnum, const char *path, json_t **reply)
{
	switch (errnum) {
	case ENOENT:
		*reply = ctl_failure_new(errnum,
					 "esprimd is not running (no socket at %s)",
					 path);
		return CTL_EXIT_NO_DAEMON;
	case ECONNREFUSED:
		*reply = ctl_failure_new(errnum,
					 "esprimd is not running (%s refuses connections: a stale socket?)",
					 path);
		return CTL_EXIT_FAIL;
	case EACCES:
	case EPERM:
		*reply = ctl_failure_new(errnum,
					 "no permission to connect to %s",
					 path);
		return CTL_EXIT_PERM;
	}
	*reply = ctl_failure_new(errnum, "cannot connect to %s: %s", path,
				 strerror(errnum));
	return CTL_EXIT_FAIL;
}

/* Whether a refusal has the members the protocol promises. */
static bool ctl_refusal_valid(const json_t *r)
{
	json_t *rsc = json_object_get(r, "rsc");
	json_t *errnum = json_object_get(r, "errno");
	json_int_t v;

	if (!json_is_string(json_object_get(r, "error")) ||
	    !json_is_string(json_object_get(r, "message")))
		return false;
	if (errnum) {
		v = json_integer_value(errnum);
		return json_is_integer(errnum) && v > 0 && v <= CTL_ERRNO_MAX;
	}
	v = json_integer_value(rsc);
	return json_is_integer(rsc) && v >= CTL_RSC_MIN && v <= CTL_RSC_MAX;
}

/* The reply's text checked and made what the command shows. */
static int ctl_reply_parse(const char *text, const char *op, json_t **reply)
{
	json_error_t jerr;
	json_t *r, *ok;

	r = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	ok = json_object_get(r, "ok");
	if (!json_is_object(r) || !json_is_boolean(ok) ||
	    (!json_is_true(ok) && !ctl_refusal_valid(r))) {
		json_decref(r);
		*reply = ctl_failure_new(EPROTO,
					 "esprimd's reply to %s is not of the protocol",
					 op);
		return CTL_EXIT_FAIL;
	}
	json_object_del(r, "id");
	*reply = r;
	return json_is_true(ok) ? CTL_EXIT_OK : ctl_failure_status(r);
}

int ctl_daemon_call(const char *op, json_t *args, json_t **reply)
{
	const char *path = ctl_socket_path();
	struct esprim_client *c = NULL;
	char *req = NULL, *text = NULL;
	int rc, status;

	if (!args)
		args = json_object();
	if (args && !json_object_set_new(args, "op", json_string(op)))
		req = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	if (!req) {
		*reply = ctl_failure_new(ENOMEM, "out of memory");
		return CTL_EXIT_FAIL;
	}
	rc = esprim_client_connect(&c, path);
	if (rc) {
		free(req);
		return ctl_connect_failure(-rc, path, reply);
	}
	rc = esprim_client_call(c, req, CTL_DAEMON_TIMEOUT_MS, &text);
	esprim_client_close(c);
	free(req);
	if (rc == -ETIMEDOUT) {
		*reply = ctl_failure_new(-rc, "esprimd did not answer %s within %d s",
					 op, CTL_DAEMON_TIMEOUT_MS / 1000);
		return CTL_EXIT_FAIL;
	}
	if (rc) {
		*reply = ctl_failure_new(-rc, "esprimd, %s: %s", op,
					 strerror(-rc));
		return CTL_EXIT_FAIL;
	}
	status = ctl_reply_parse(text, op, reply);
	esprim_free(text);
	return status;
}

int ctl_daemon_command(const char *op, json_t *args,
		       void (*show)(json_t *reply))
{
	json_t *reply;
	int status = ctl_daemon_call(op, args, &reply);

	if (status)
		return ctl_failure_report(reply, status);
	if (ctl_json)
		return ctl_json_print(reply);
	show(reply);
	json_decref(reply);
	return CTL_EXIT_OK;
}

int ctl_daemon_kernel_command(int argc, char **argv, const char *usage,
			      const char *op,
			      void (*show)(json_t *d, int status))
{
	int ds, ks, rc;
	json_t *d, *k;

	rc = ctl_daemon_opts(argc, argv, usage, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	ds = ctl_daemon_call(op, NULL, &d);
	ks = ctl_kernel_stats(&k);
	return ctl_show_parts(d, ds, show, k, ks, ctl_show_kernel_stats);
}

int ctl_daemon_opt(int c, const char *usage)
{
	switch (c) {
	case 'h':
		return ctl_help(usage);
	case 'j':
		ctl_json = true;
		return -1;
	case CTL_OPT_SOCKET:
		ctl_socket = optarg;
		return -1;
	default:
		return ctl_usage_getopt(usage);
	}
}

int ctl_daemon_opts(int argc, char **argv, const char *usage, int min_args,
		    int max_args, char **args)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ NULL, 0, NULL, 0 },
	};
	int c, i, rc;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		rc = ctl_daemon_opt(c, usage);
		if (rc >= 0)
			return rc;
	}
	if (argc - optind > max_args)
		return ctl_usage_error(usage, "unexpected argument '%s'",
				       argv[optind + max_args]);
	if (argc - optind < min_args)
		return ctl_usage_error(usage, "a peer is required");
	for (i = 0; i < max_args; i++) {
		args[i] = optind + i < argc ? argv[optind + i] : NULL;
		if (args[i] && !*args[i])
			return ctl_usage_error(usage,
					       "a peer is a name or an identity, not ''");
	}
	return -1;
}
