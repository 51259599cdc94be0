// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl status: esprimd's status operation and, when the module's
 * family is registered, the module's counters.  The kernel part is shown
 * whether the daemon answers or not: it is what an operator needs most
 * when the daemon is down.
 */
#include <stdio.h>

#include "ctl.h"

static const char status_usage[] =
	"Usage: esprimctl status [-j] [--socket PATH]\n"
	"Shows esprimd's state (identity, backend and why, uptime, peers,\n"
	"sessions, listening addresses) and the onem2m_esprim module's counters.\n\n"
	CTL_USAGE_BOTH_PARTS;

/* The members shown in an order of their own, and how. */
static const char *const status_known[] = {
	"ok", "daemon", "identity", "backend", "backend_why", "uptime_s",
	"config", "peers", "sessions", "listen", NULL,
};

static void status_daemon(json_t *d, int status)
{
	struct ctl_block b = { 0 };
	const char *why = ctl_jstr(d, "backend_why");
	json_t *backend = json_object_get(d, "backend");
	json_t *up = json_object_get(d, "uptime_s");
	char heading[256], span[64];

	if (status) {
		ctl_show_failure("esprimd", d);
		return;
	}
	snprintf(heading, sizeof(heading), "%s: running",
		 ctl_jstr(d, "daemon") ?: "esprimd");
	ctl_block_member(&b, "identity", d, "identity");
	if (json_is_string(backend) && why && *why)
		ctl_block_add(&b, "backend", "%s (%s)",
			      json_string_value(backend), why);
	else
		ctl_block_member(&b, "backend", d, "backend");
	if (json_is_integer(up)) {
		ctl_fmt_span(span, sizeof(span), json_integer_value(up));
		ctl_block_add(&b, "uptime", "%s", span);
	}
	ctl_block_member(&b, "config", d, "config");
	ctl_block_member(&b, "peers", d, "peers");
	ctl_block_member(&b, "sessions", d, "sessions");
	ctl_block_member(&b, "listen", d, "listen");
	ctl_block_rest(&b, d, status_known);
	ctl_block_print(&b, heading);
}

int cmd_status(int argc, char **argv)
{
	return ctl_daemon_kernel_command(argc, argv, status_usage, "status",
					 status_daemon);
}
