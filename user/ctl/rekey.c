// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl rekey: asks esprimd for a new session with a peer, or with
 * every peer; the old session serves until the new one replaces it.
 * Works as establish does (establish.c).
 */
#include "ctl.h"

static const char rekey_usage[] =
	"Usage: esprimctl rekey [-j] [--wait SECONDS] [--socket PATH] [PEER]\n"
	"Asks esprimd for a new session with PEER (a peer's name or identity),\n"
	"or with every peer.  esprimd answers once the rand requests are on\n"
	"their way.\n\n"
	"  --wait SECONDS  then wait up to SECONDS for the sessions (or errors)\n"
	CTL_USAGE_SOCKET
	"  -j, --json      the daemon's reply as JSON\n"
	"  -h, --help      this text\n";

int cmd_rekey(int argc, char **argv)
{
	return ctl_establish_run(argc, argv, rekey_usage, "rekey", false);
}
