// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl stats: esprimd's counters (the stats operation) and the
 * onem2m_esprim module's (stats-get), as each names them.
 */
#include <stdio.h>

#include "ctl.h"

static const char stats_usage[] =
	"Usage: esprimctl stats [-j] [--socket PATH]\n"
	"Shows esprimd's counters and those of the onem2m_esprim module.\n\n"
	"  --socket PATH   esprimd's socket (default $ESPRIMD_SOCKET, else\n"
	"                  " CTL_DAEMON_SOCKET ")\n"
	"  -j, --json      as JSON: {\"ok\":..,\"daemon\":{..},\"kernel\":{..}}\n"
	"  -h, --help      this text\n\n"
	"Exit status: 0, 1 failed, 2 usage, 4 permission denied, 6 esprimd not\n"
	"running (no socket).  The kernel part is shown in any case.\n";

static void stats_show_daemon(json_t *d, int status)
{
	struct ctl_block b = { 0 };

	if (status) {
		ctl_show_failure("esprimd", d);
		return;
	}
	ctl_block_rest(&b, json_object_get(d, "stats"), NULL);
	ctl_block_print(&b, "esprimd");
}

int cmd_stats(int argc, char **argv)
{
	int ds, ks, rc;
	json_t *d, *k;

	rc = ctl_daemon_opts(argc, argv, stats_usage, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	ds = ctl_daemon_call("stats", NULL, &d);
	ks = ctl_kernel_stats(&k);
	if (ctl_json)
		return ctl_json_print_parts(ds ?: ks, d, k) ?: ds ?: ks;
	stats_show_daemon(d, ds);
	putchar('\n');
	ctl_show_kernel_stats(k, ks);
	json_decref(d);
	json_decref(k);
	return ds ?: ks;
}
