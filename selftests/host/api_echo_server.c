// SPDX-License-Identifier: GPL-2.0
/*
 * api_echo_server: a TEST STAND-IN for esprimd, not a daemon.  It serves
 * esprimd's socket protocol (Documentation/esprimd-socket.md) with the
 * daemon's own socket code (user/daemon/api.c) but operations that only
 * echo, with no key, no kernel and no peer: the example clients
 * (user/examples/) are run against it by
 * selftests/host/esprimd_clients_test.sh.
 *
 *   seal     {"content":{"m2m:seci":{"sit":5,"epo":B64}},"session":"echo"}
 *            where B64 is the primitive's compact JSON in base64url (no
 *            encryption at all); a target containing "unknown" gets rsc
 *            4112, as an unconfigured peer would
 *   open     the primitive back out of such an epo, "peer" the stand-in
 *   notify   sit 5: the same as a request ("kind":"request", a handle);
 *            sit 3: "kind":"reply" with a placeholder sit 4 content
 *   respond  a handle from notify: the primitive as a sit 5 content
 *   hello, echo ({"echo": the request})
 *
 * Usage: api_echo_server SOCKET [ADMIN_GID]; serves until SIGTERM or
 * SIGINT, then frees everything and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <systemd/sd-event.h>

#include "esprim.h"
#include "api.h"

#define STANDIN_IDENTITY	"//stand-in.example/CSE-echo"
#define STANDIN_HANDLE		"h-echo-"

static void op_hello(struct esprimd_api_call *call,
		     const struct esprimd_api_peer *peer, json_t *args,
		     void *u)
{
	esprimd_api_reply(call, json_pack("{s:i, s:s, s:s, s:s, s:b}",
		"version", 1,
		"daemon", "api_echo_server (a test stand-in for esprimd)",
		"identity", STANDIN_IDENTITY, "backend", "none",
		"admin", peer->admin));
}

static void op_echo(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	esprimd_api_reply(call, json_pack("{s:O}", "echo", args));
}

/* {"m2m:seci":{"sit":5,"epo":base64url(compact JSON of prim)}} */
static json_t *echo_content(json_t *prim)
{
	char *text = json_dumps(prim, JSON_COMPACT), *b64;
	json_t *content = NULL;
	size_t n;

	if (!text)
		return NULL;
	n = strlen(text);
	b64 = malloc(esprim_b64url_encoded_len(n) + 1);
	if (b64) {
		b64[esprim_b64url_encode((const uint8_t *)text, n, b64)] = '\0';
		content = json_pack("{s:{s:i, s:s}}", "m2m:seci", "sit", 5,
				    "epo", b64);
	}
	free(b64);
	free(text);
	return content;
}

/* The primitive out of an echo content; NULL when it is none. */
static json_t *echo_primitive(json_t *content)
{
	json_t *seci = json_object_get(content, "m2m:seci");
	json_t *epo = json_object_get(seci, "epo"), *prim = NULL;
	uint8_t *text;
	long len = -1;
	size_t n;

	if (!json_is_string(epo))
		return NULL;
	n = json_string_length(epo);
	text = malloc(n + 1);
	if (text)
		len = esprim_b64url_decode(json_string_value(epo), n, text,
					   n + 1);
	if (len >= 0)
		prim = json_loadb((const char *)text, (size_t)len,
				  JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (!json_is_object(prim)) {
		json_decref(prim);
		return NULL;
	}
	return prim;
}

static void op_seal(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	const char *target = json_string_value(json_object_get(args,
							       "target"));
	json_t *prim = json_object_get(args, "primitive");

	if (!target || !json_is_object(prim)) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "seal needs a string target and an object primitive");
		return;
	}
	if (strstr(target, "unknown")) {
		esprimd_api_error(call, ESPRIM_RSC_UNKNOWN_KEY_ID, 0,
				  "no pairwise key for %s", target);
		return;
	}
	esprimd_api_reply(call, json_pack("{s:o, s:s}", "content",
					  echo_content(prim), "session",
					  "echo"));
}

static void op_open(struct esprimd_api_call *call,
		    const struct esprimd_api_peer *peer, json_t *args, void *u)
{
	json_t *prim = echo_primitive(json_object_get(args, "content"));

	if (!prim) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "not a content of this stand-in");
		return;
	}
	esprimd_api_reply(call, json_pack("{s:o, s:s}", "primitive", prim,
					  "peer", STANDIN_IDENTITY));
}

static void op_notify(struct esprimd_api_call *call,
		      const struct esprimd_api_peer *peer, json_t *args,
		      void *u)
{
	static unsigned int handles;
	json_t *content = json_object_get(args, "content");
	json_int_t sit = json_integer_value(json_object_get(
		json_object_get(content, "m2m:seci"), "sit"));
	char handle[32];
	json_t *prim;

	if (sit == 3) {
		esprimd_api_reply(call, json_pack("{s:s, s:{s:{s:i, s:{s:s}}}}",
						  "kind", "reply", "content",
						  "m2m:seci", "sit", 4, "ero",
						  "esri", "echo"));
		return;
	}
	prim = sit == 5 ? echo_primitive(content) : NULL;
	if (!prim) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "not a content of this stand-in");
		return;
	}
	snprintf(handle, sizeof(handle), STANDIN_HANDLE "%u", ++handles);
	esprimd_api_reply(call, json_pack("{s:s, s:o, s:s, s:s}", "kind",
					  "request", "primitive", prim,
					  "originator", STANDIN_IDENTITY,
					  "handle", handle));
}

static void op_respond(struct esprimd_api_call *call,
		       const struct esprimd_api_peer *peer, json_t *args,
		       void *u)
{
	const char *handle = json_string_value(json_object_get(args,
							       "handle"));
	json_t *prim = json_object_get(args, "primitive");

	if (!handle || strncmp(handle, STANDIN_HANDLE,
			       strlen(STANDIN_HANDLE)) ||
	    !json_is_object(prim)) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "respond needs a handle from notify and an object primitive");
		return;
	}
	esprimd_api_reply(call, json_pack("{s:o}", "content",
					  echo_content(prim)));
}

static const struct esprimd_api_op standin_ops[] = {
	{ "hello", op_hello, false },
	{ "echo", op_echo, false },
	{ "seal", op_seal, false },
	{ "open", op_open, false },
	{ "notify", op_notify, false },
	{ "respond", op_respond, false },
	{ NULL, NULL, false },
};

int main(int argc, char **argv)
{
	struct esprimd_api *api = NULL;
	gid_t admin_gid = (gid_t)-1;
	sd_event *event = NULL;
	char err[256];
	sigset_t ss;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s SOCKET [ADMIN_GID]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		admin_gid = (gid_t)strtoul(argv[2], NULL, 10);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	rc = sd_event_new(&event);
	if (rc >= 0)
		rc = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
	if (rc >= 0)
		rc = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
	if (rc < 0) {
		fprintf(stderr, "api_echo_server: sd-event: %s\n",
			strerror(-rc));
		return 1;
	}
	rc = esprimd_api_new(&api, event, argv[1], admin_gid, standin_ops,
			     NULL, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "api_echo_server: %s\n", err);
		sd_event_unref(event);
		return 1;
	}
	rc = sd_event_loop(event);
	esprimd_api_free(api);
	sd_event_unref(event);
	return rc < 0 ? 1 : 0;
}
