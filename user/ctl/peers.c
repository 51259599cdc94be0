// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl peers: esprimd's peers operation, one block per configured
 * peer: its identity, kid, address, key and session.
 */
#include <stdio.h>

#include "ctl.h"

static const char peers_usage[] =
	"Usage: esprimctl peers [-j] [--socket PATH]\n"
	"Shows the peers esprimd is configured with: identity, kid, address,\n"
	"key source and state, session, counters and the last error.\n\n"
	CTL_USAGE_SOCKET
	"  -j, --json      the daemon's reply as JSON: {\"ok\":true,\"peers\":[..]}\n"
	"  -h, --help      this text\n";

static const char *const peers_known[] = {
	"name", "identity", "kid", "address", "source", "key", "session",
	NULL,
};

/* What a key source (SUID) stands for (ESPRIM-PROFILE.md). */
static const char *peers_source(json_int_t suid)
{
	switch (suid) {
	case 13:
		return "pre-provisioned";
	case 23:
		return "RSPF-provisioned";
	case 33:
		return "MAF-distributed";
	case 43:
		return "certificate";
	}
	return "unknown";
}

static void peers_show(json_t *reply)
{
	json_t *peers = json_object_get(reply, "peers"), *p, *src;
	struct ctl_block b = { 0 };
	char heading[512];
	size_t i;

	if (!json_array_size(peers)) {
		puts("no peers configured");
		return;
	}
	json_array_foreach(peers, i, p) {
		snprintf(heading, sizeof(heading), "%speer %s: %s", i ? "\n" : "",
			 ctl_jstr(p, "name") ?: "?",
			 ctl_jstr(p, "identity") ?:
			 "?");
		ctl_block_member(&b, "kid", p, "kid");
		ctl_block_member(&b, "address", p, "address");
		src = json_object_get(p, "source");
		if (json_is_integer(src))
			ctl_block_add(&b, "key source", "%lld (%s)",
				      (long long)json_integer_value(src),
				      peers_source(json_integer_value(src)));
		ctl_block_member(&b, "key", p, "key");
		ctl_block_member(&b, "session", p, "session");
		ctl_block_rest(&b, p, peers_known);
		ctl_block_print(&b, heading);
	}
}

int cmd_peers(int argc, char **argv)
{
	int rc = ctl_daemon_opts(argc, argv, peers_usage, 0, 0, NULL);

	if (rc >= 0)
		return rc;
	return ctl_daemon_command("peers", NULL, peers_show);
}
