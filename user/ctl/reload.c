// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl reload: makes esprimd read its configuration again (as
 * SIGHUP does).  A configuration it refuses leaves the running one in
 * place; the daemon's message names the file and line.
 */
#include <stdio.h>

#include "ctl.h"

static const char reload_usage[] =
	"Usage: esprimctl reload [-j] [--socket PATH]\n"
	"Makes esprimd read its configuration again.  If esprimd refuses the\n"
	"new one (its message names the file and line), the running one stays\n"
	"and the status is 1.\n\n"
	CTL_USAGE_SOCKET
	"  -j, --json      the daemon's reply as JSON\n"
	"  -h, --help      this text\n";

static void reload_show(json_t *reply)
{
	puts("configuration reloaded");
}

int cmd_reload(int argc, char **argv)
{
	int rc = ctl_daemon_opts(argc, argv, reload_usage, 0, 0, NULL);

	if (rc >= 0)
		return rc;
	return ctl_daemon_command("reload", NULL, reload_show);
}
