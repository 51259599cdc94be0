// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl flush: makes esprimd drop its sessions (of one peer, or all);
 * the next seal for a peer establishes a new one.
 */
#include <stdio.h>

#include "ctl.h"

static const char flush_usage[] =
	"Usage: esprimctl flush [-j] [--socket PATH] [PEER]\n"
	"Makes esprimd drop its sessions with PEER (a peer's name or identity),\n"
	"or all of them.  Prints how many were dropped.\n\n"
	CTL_USAGE_SOCKET
	"  -j, --json      the daemon's reply as JSON: {\"ok\":true,\"flushed\":N}\n"
	"  -h, --help      this text\n";

static const char *flush_peer;

static void flush_show(json_t *reply)
{
	json_int_t n = ctl_jint(reply, "flushed");

	printf("%lld session%s flushed%s%s\n", (long long)n, n == 1 ? "" : "s",
	       flush_peer ? " with " : "", flush_peer ?: "");
}

int cmd_flush(int argc, char **argv)
{
	char *peer[1];
	int rc = ctl_daemon_opts(argc, argv, flush_usage, 0, 1, peer);

	if (rc >= 0)
		return rc;
	flush_peer = peer[0];
	return ctl_daemon_command("flush",
				  peer[0] ? json_pack("{s:s}", "peer", peer[0]) :
				  NULL, flush_show);
}
