// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl establish: asks esprimd to establish a session with a peer
 * now (the rand request over the HTTP binding, then the session key),
 * rather than at the first seal.  esprimd answers once it has sent the
 * request; with --wait this command then watches the peer (the peers
 * operation) until a session more than before was established, or the
 * peer's last error changed, or the time is up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* How often --wait asks. */
#define ESTABLISH_POLL_MS	100

static const char establish_usage[] =
	"Usage: esprimctl establish [-j] [--wait SECONDS] [--socket PATH] PEER\n"
	"Asks esprimd to establish a session with PEER (a peer's name or\n"
	"identity) now.  esprimd answers once the rand request is on its way.\n\n"
	"  --wait SECONDS  then wait up to SECONDS for the session (or the error)\n"
	CTL_USAGE_SOCKET
	"  -j, --json      the daemon's reply as JSON\n"
	"  -h, --help      this text\n";

/**
 * struct establish_peer - what --wait watches of one peer
 * @name: the peer's name
 * @established: its "established" counter before the request
 * @last_error: its last error before the request
 * @outcome: NULL while waiting; then "established" or the new error
 */
struct establish_peer {
	char *name;
	json_int_t established;
	char *last_error;
	char *outcome;
};

struct establish_wait {
	struct establish_peer *p;
	size_t n;
};

static bool establish_selects(const json_t *p, const char *peer)
{
	const char *name = ctl_jstr(p, "name");
	const char *id = ctl_jstr(p, "identity");

	return !peer || (name && !strcmp(name, peer)) ||
	       (id && !strcmp(id, peer));
}

static const char *establish_str(const json_t *p, const char *member)
{
	return json_string_value(json_object_get(p, member)) ?: "";
}

/* The peers the operation is for, as they are before it. */
static int establish_snapshot(struct establish_wait *w, const char *peer,
			      json_t **failure)
{
	json_t *reply, *p;
	size_t i;
	int status = ctl_daemon_call("peers", NULL, &reply);

	if (status) {
		*failure = reply;
		return status;
	}
	w->p = calloc(json_array_size(json_object_get(reply, "peers")) + 1,
		      sizeof(*w->p));
	json_array_foreach(json_object_get(reply, "peers"), i, p) {
		if (!w->p || !establish_selects(p, peer))
			continue;
		w->p[w->n].name = strdup(establish_str(p, "name"));
		w->p[w->n].last_error = strdup(establish_str(p,
							    "last_error"));
		w->p[w->n].established =
			ctl_jint(p, "established");
		w->n++;
	}
	json_decref(reply);
	if (!w->p) {
		*failure = ctl_failure_new(ENOMEM, "out of memory");
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

/* Asks once; true when every watched peer has an outcome. */
static bool establish_poll(struct establish_wait *w)
{
	json_t *reply, *p;
	size_t i, j, left = 0;

	if (ctl_daemon_call("peers", NULL, &reply)) {
		json_decref(reply);
		return false;
	}
	json_array_foreach(json_object_get(reply, "peers"), i, p) {
		const char *err = establish_str(p, "last_error");

		for (j = 0; j < w->n; j++) {
			struct establish_peer *e = &w->p[j];

			if (e->outcome || !e->name ||
			    strcmp(e->name, establish_str(p, "name")))
				continue;
			if (ctl_jint(p, "established") >
			    e->established)
				e->outcome = strdup("established");
			else if (*err && e->last_error &&
				 strcmp(err, e->last_error))
				e->outcome = strdup(err);
		}
	}
	json_decref(reply);
	for (j = 0; j < w->n; j++)
		left += !w->p[j].outcome;
	return !left;
}

static void establish_sleep(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long long establish_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to seconds; reports each peer.  An exit status. */
static int establish_wait(struct establish_wait *w, long seconds)
{
	long long deadline = establish_now_ms() + seconds * 1000LL;
	int status = CTL_EXIT_OK;
	json_t *j = json_array();
	size_t i;

	while (!establish_poll(w) && establish_now_ms() < deadline)
		establish_sleep(ESTABLISH_POLL_MS);
	for (i = 0; i < w->n; i++) {
		const char *o = w->p[i].outcome;
		bool ok = o && !strcmp(o, "established");

		if (!ok)
			status = CTL_EXIT_FAIL;
		if (ctl_json)
			json_array_append_new(j, json_pack("{s:s, s:b, s:s}",
				"peer", w->p[i].name ?: "?", "established", ok,
				"message", o ?: "no session in time"));
		else if (ok)
			printf("%s: session established\n", w->p[i].name);
		else
			fprintf(stderr, "esprimctl: %s: %s\n", w->p[i].name,
				o ?: "no session in time");
	}
	if (ctl_json)
		ctl_json_print(json_pack("{s:b, s:b, s:o}", "ok", !status,
					 "requested", 1, "peers", j));
	else
		json_decref(j);
	return status;
}

static void establish_free(struct establish_wait *w)
{
	size_t i;

	for (i = 0; w->p && i < w->n; i++) {
		free(w->p[i].name);
		free(w->p[i].last_error);
		free(w->p[i].outcome);
	}
	free(w->p);
}

int ctl_establish_run(int argc, char **argv, const char *usage,
		      const char *op, bool peer_required)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct establish_wait w = { 0 };
	const char *peer;
	json_t *reply;
	long wait = -1;
	char *end;
	int c, status;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		if (c != 'w') {
			status = ctl_daemon_opt(c, usage);
			if (status >= 0)
				return status;
			continue;
		}
		errno = 0;
		wait = strtol(optarg, &end, 10);
		if (errno || *end || end == optarg || wait < 0 || wait > 3600)
			return ctl_usage_error(usage,
					       "--wait takes seconds from 0 to 3600, not '%s'",
					       optarg);
	}
	if (argc - optind > 1)
		return ctl_usage_error(usage, "unexpected argument '%s'",
				       argv[optind + 1]);
	peer = optind < argc ? argv[optind] : NULL;
	if (peer_required && !peer)
		return ctl_usage_error(usage, "a peer is required");
	if (peer && !*peer)
		return ctl_usage_error(usage,
				       "a peer is a name or an identity, not ''");

	if (wait >= 0) {
		status = establish_snapshot(&w, peer, &reply);
		if (status)
			return ctl_failure_report(reply, status);
		if (!w.n) {
			establish_free(&w);
			reply = peer ? ctl_failure_new(ENOENT,
						       "esprimd has no peer %s",
						       peer) :
				ctl_failure_new(ENOENT, "esprimd has no peers");
			return ctl_failure_report(reply, CTL_EXIT_FAIL);
		}
	}
	status = ctl_daemon_call(op, peer ? json_pack("{s:s}", "peer", peer) :
				 NULL, &reply);
	if (status) {
		establish_free(&w);
		return ctl_failure_report(reply, status);
	}
	if (wait >= 0) {
		json_decref(reply);
		status = establish_wait(&w, wait);
		establish_free(&w);
		return status;
	}
	if (ctl_json)
		return ctl_json_print(reply);
	if (json_is_string(json_object_get(reply, "session")))
		printf("session with %s: %s\n", peer ?: "the peers",
		       ctl_jstr(reply, "session"));
	else
		printf("%s with %s requested\n",
		       strcmp(op, "rekey") ? "a session" : "a new session",
		       peer ?: "every peer");
	json_decref(reply);
	return CTL_EXIT_OK;
}

int cmd_establish(int argc, char **argv)
{
	return ctl_establish_run(argc, argv, establish_usage, "establish",
				 true);
}
