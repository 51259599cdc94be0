/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimd's local API: a UNIX stream socket, one JSON object per line
 * each way (Documentation/esprimd-socket.md).  This file is the framing,
 * the peer credentials and the dispatch; the operations are the daemon's.
 *
 * Every line is checked before an operation sees it: at most
 * ESPRIMD_API_MAX_LINE bytes with its newline, UTF-8, one JSON object
 * (duplicate keys refused) with a string "op" and an optional "id" (a
 * string of at most 64 characters or an integer), else an error reply
 * (rsc 4000) and the connection stays usable; a line too long closes the
 * connection after the error.  A client sends requests while earlier ones
 * are in flight; replies carry the request's id and may come in any order.
 */
#ifndef ESPRIMD_API_H
#define ESPRIMD_API_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>
#include <systemd/sd-event.h>

#define ESPRIMD_API_MAX_LINE		(512 * 1024)
#define ESPRIMD_API_MAX_CLIENTS		256
/* Of ESPRIMD_API_MAX_CLIENTS, the last ones only operators get. */
#define ESPRIMD_API_ADMIN_RESERVE	16
#define ESPRIMD_API_MAX_CLIENTS_PER_UID	32	/* operators' uids too */
#define ESPRIMD_API_MAX_IN_FLIGHT	64	/* per connection */
/*
 * A connection that has sent nothing, read nothing and had no call in
 * flight for this long is closed (the default of
 * esprimd_api_set_idle_timeout()).
 */
#define ESPRIMD_API_IDLE_S		300

struct esprimd_api;
struct esprimd_api_call;	/* one request, until it is answered */

/* Who is calling (SO_PEERCRED at accept). */
struct esprimd_api_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool admin;	/* root, or a member of the configured admin group */
};

/*
 * An operation: answers with esprimd_api_reply() or esprimd_api_error(),
 * at once or later from the loop, exactly once.  args is the request
 * object (borrowed for the call; json_incref to keep it).
 */
typedef void (*esprimd_api_op_fn)(struct esprimd_api_call *call,
				  const struct esprimd_api_peer *peer,
				  json_t *args, void *userdata);

struct esprimd_api_op {
	const char *name;
	esprimd_api_op_fn fn;
	bool admin;	/* refused (EACCES) for callers that are not */
};

/*
 * Listens on path (created with mode 0666: access is checked per
 * operation against the caller's credentials; the directory's permissions
 * may narrow it further), replacing a stale socket.  admin_gid
 * (gid_t)-1 for none.  ops ends with a NULL name.  0 or a negative errno
 * with a message in err.
 */
int esprimd_api_new(struct esprimd_api **api, sd_event *event,
		    const char *path, gid_t admin_gid,
		    const struct esprimd_api_op *ops, void *userdata,
		    char *err, size_t err_size);
/* Closes every connection (calls in flight are dropped) and the socket. */
void esprimd_api_free(struct esprimd_api *api);
void esprimd_api_set_admin_gid(struct esprimd_api *api, gid_t admin_gid);
/*
 * The idle timeout in milliseconds, for the connections there are too;
 * 0 for none.  ESPRIMD_API_IDLE_S seconds until set.
 */
void esprimd_api_set_idle_timeout(struct esprimd_api *api, unsigned int ms);

/* {"id":..,"ok":true, <members of result>}; steals result (may be NULL). */
void esprimd_api_reply(struct esprimd_api_call *call, json_t *result);
/*
 * {"id":..,"ok":false,"rsc":N,"error":NAME,"message":MSG} with rsc a oneM2M
 * code (error its esprim_rsc_name()), or errnum > 0 with rsc 0:
 * {"ok":false,"error":"EACCES","errno":13,"message":MSG}.
 */
void esprimd_api_error(struct esprimd_api_call *call, int rsc, int errnum,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * A call from within the daemon (the sidecar uses the operations as a CSE
 * on the socket would): esprimd_api_reply() and esprimd_api_error() hand
 * done the reply object ({"ok":true, <members>} or {"ok":false,"rsc":N,
 * "errno":N,"message":..}; NULL when out of memory), once, then the call
 * is gone.  NULL when out of memory.
 */
typedef void (*esprimd_api_local_done)(json_t *reply, void *userdata);
struct esprimd_api_call *esprimd_api_local_call(esprimd_api_local_done done,
					       void *userdata);

/* Whether the caller's connection is still there (for long operations). */
bool esprimd_api_call_alive(const struct esprimd_api_call *call);

#endif /* ESPRIMD_API_H */
