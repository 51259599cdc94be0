// SPDX-License-Identifier: GPL-2.0
/*
 * The socket API's operations (Documentation/esprimd-socket.md): those
 * of CSEs go to exchange.c, those of operators read and steer the daemon.
 */
#include <errno.h>
#include <string.h>

#include "escertke_flow.h"
#include "exchange.h"
#include "ops.h"

static void op_hello(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args,
		     void *userdata)
{
	struct esprimd *d = userdata;

	esprimd_api_reply(call, json_pack("{s:i,s:s,s:s,s:s,s:b}", "version", 1,
					  "daemon", "esprimd " ESPRIMD_VERSION,
					  "identity", d->config->identity,
					  "backend",
					  d->backend == ESPRIM_BACKEND_KERNEL ?
					  "kernel" : "soft",
					  "admin", who->admin));
}

/* CSE operations: configured CSE users and operators only. */
static bool is_cse(struct esprimd_api_call *call,
		   const struct esprimd_api_peer *who, struct esprimd *d)
{
	if (who->admin || esprimd_config_cse_by_uid(d->config, who->uid))
		return true;
	esprimd_api_error(call, 0, EACCES, "uid %u is no configured CSE",
			  (unsigned int)who->uid);
	return false;
}

static void op_seal(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *who, json_t *args,
		    void *userdata)
{
	if (is_cse(call, who, userdata))
		exchange_seal(userdata, call, who, args);
}

static void op_open(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *who, json_t *args,
		    void *userdata)
{
	if (is_cse(call, who, userdata))
		exchange_open(userdata, call, args);
}

static void op_notify(struct esprimd_api_call *call,
		      const struct esprimd_api_peer *who, json_t *args,
		      void *userdata)
{
	if (is_cse(call, who, userdata))
		exchange_notify(userdata, call, who, args);
}

static void op_respond(struct esprimd_api_call *call,
		       const struct esprimd_api_peer *who, json_t *args,
		       void *userdata)
{
	if (is_cse(call, who, userdata))
		exchange_respond(userdata, call, who, args);
}

static void op_failed(struct esprimd_api_call *call,
		      const struct esprimd_api_peer *who, json_t *args,
		      void *userdata)
{
	if (is_cse(call, who, userdata))
		exchange_failed(userdata, call, args);
}

static void op_status(struct esprimd_api_call *call,
		      const struct esprimd_api_peer *who, json_t *args,
		      void *userdata)
{
	struct esprimd *d = userdata;
	json_t *listen = json_array();
	size_t i;

	for (i = 0; listen && i < d->config->n_listen; i++)
		json_array_append_new(listen,
				      json_string(d->config->listen[i]));
	esprimd_api_reply(call, json_pack(
		"{s:s,s:s,s:s,s:s,s:I,s:s,s:i,s:i,s:o}",
		"daemon", "esprimd " ESPRIMD_VERSION,
		"identity", d->config->identity,
		"backend", d->backend == ESPRIM_BACKEND_KERNEL ? "kernel" :
			"soft",
		"backend_why", d->backend_why,
		"uptime_s", (json_int_t)((esprim_now_ms() - d->started_ms) /
					 1000),
		"config", d->config_path,
		"peers", (int)d->config->n_peers,
		"sessions", (int)exchange_session_count(d),
		"listen", listen));
}

static void op_peers(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args,
		     void *userdata)
{
	esprimd_api_reply(call, json_pack("{s:o}", "peers",
					  exchange_peers_json(userdata)));
}

/* The optional "peer" argument: a string, or absent. */
static bool peer_arg(struct esprimd_api_call *call, json_t *args,
		     const char **peer)
{
	json_t *p = json_object_get(args, "peer");

	*peer = json_string_value(p);
	if (p && !*peer) {
		esprimd_api_error(call, 4000, 0, "peer must be a string");
		return false;
	}
	return true;
}

static void op_sessions(struct esprimd_api_call *call,
			const struct esprimd_api_peer *who, json_t *args,
			void *userdata)
{
	const char *peer;

	if (peer_arg(call, args, &peer))
		esprimd_api_reply(call, json_pack("{s:o}", "sessions",
						  exchange_sessions_json(userdata,
									 peer)));
}

#define STAT(name) #name, (json_int_t)d->stats.name

static void op_stats(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args,
		     void *userdata)
{
	struct esprimd *d = userdata;
	struct esprim_ctx_stats st;

	esprim_ctx_get_stats(d->ctx, &st);
	esprimd_api_reply(call, json_pack(
		"{s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		"s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}}", "stats",
		STAT(seals), STAT(seal_failures), STAT(opens),
		STAT(open_failures), STAT(requests_in), STAT(requests_refused),
		STAT(responses_sealed), STAT(retries_answered),
		STAT(rand_requests_in),
		STAT(rand_requests_out), STAT(esi_served),
		STAT(esi_retrieved), STAT(esi_published),
		STAT(esi_publish_failures), STAT(establish_failures),
		STAT(sessions_established),
		STAT(sessions_resumed), STAT(rekeys), STAT(upcalls),
		STAT(kernel_refusals),
		STAT(reloads), STAT(reload_failures),
		"sessions", (json_int_t)st.sessions,
		"rands", (json_int_t)st.rands,
		"reaped", (json_int_t)st.reaped,
		"escertke", escertke_flow_stats(d)));
}

static void op_establish(struct esprimd_api_call *call,
			 const struct esprimd_api_peer *who, json_t *args,
			 void *userdata)
{
	const char *peer;
	int rc;

	if (!peer_arg(call, args, &peer))
		return;
	rc = exchange_establish(userdata, peer);
	if (rc > 0)
		esprimd_api_error(call, rc, 0, "cannot establish with %s",
				  peer ? peer : "the peers");
	else if (rc)
		esprimd_api_error(call, 0, -rc, "cannot establish with %s",
				  peer ? peer : "the peers");
	else
		esprimd_api_reply(call, json_pack("{s:b}", "requested", 1));
}

static void op_rekey(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args,
		     void *userdata)
{
	op_establish(call, who, args, userdata);
}

static void op_flush(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args,
		     void *userdata)
{
	const char *peer;

	if (peer_arg(call, args, &peer))
		esprimd_api_reply(call, json_pack("{s:i}", "flushed",
						  (int)exchange_flush(userdata,
								      peer)));
}

static void op_reload(struct esprimd_api_call *call,
		      const struct esprimd_api_peer *who, json_t *args,
		      void *userdata)
{
	json_t *failed = NULL;
	char err[512];

	if (esprimd_reload(userdata, &failed, err, sizeof(err)))
		esprimd_api_error(call, 0, EINVAL, "%s", err);
	else
		esprimd_api_reply(call, json_pack("{s:b,s:o}", "reloaded", 1,
						  "keys_not_loaded", failed));
}

const struct esprimd_api_op esprimd_ops[] = {
	{ "hello", op_hello, false },
	{ "seal", op_seal, false },
	{ "open", op_open, false },
	{ "notify", op_notify, false },
	{ "respond", op_respond, false },
	{ "failed", op_failed, false },
	{ "status", op_status, true },
	{ "peers", op_peers, true },
	{ "sessions", op_sessions, true },
	{ "stats", op_stats, true },
	{ "establish", op_establish, true },
	{ "rekey", op_rekey, true },
	{ "flush", op_flush, true },
	{ "reload", op_reload, true },
	{ NULL, NULL, false },
};
