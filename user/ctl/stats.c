// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl stats: esprimd's counters (the stats operation) and the
 * onem2m_esprim module's (stats-get), as each names them.
 */
#include "ctl.h"

static const char stats_usage[] =
	"Usage: esprimctl stats [-j] [--socket PATH]\n"
	"Shows esprimd's counters and those of the onem2m_esprim module.\n\n"
	CTL_USAGE_BOTH_PARTS;

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
	return ctl_daemon_kernel_command(argc, argv, stats_usage, "stats",
					 stats_show_daemon);
}
