// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl: operator and script interface to libesprim.
 *
 *   esprimctl [-j] COMMAND [OPTIONS]...
 *
 * One file per command (rand.c, seal.c, open.c, derive.c, inspect.c;
 * the operator commands status.c, peers.c, sessions.c, keys.c, stats.c,
 * establish.c, rekey.c, flush.c, reload.c, which talk to esprimd through
 * daemon.c and to the module through kernel.c), each with its usage text
 * and getopt_long options; this file holds the command table and the
 * options before the command.  Exit statuses: 0 done, 1 failed (on
 * stderr, or JSON on stdout with -j), 2 usage error, 4 permission denied
 * (by esprimd or the kernel), 6 esprimd not running (no socket at the
 * path).  esprimctl.8 documents the interface.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_cmd ctl_cmds[] = {
	{ "rand", cmd_rand, "Creates a receiver or originator rand object" },
	{ "seal", cmd_seal, "Seals the primitive on stdin into an object" },
	{ "open", cmd_open, "Verifies and opens the object on stdin" },
	{ "derive", cmd_derive, "Prints the session key of two rand objects" },
	{ "inspect", cmd_inspect, "Shows an object's header, without keys" },
	{ "status", cmd_status, "Shows esprimd's state and the module's counters" },
	{ "peers", cmd_peers, "Shows esprimd's peers" },
	{ "sessions", cmd_sessions, "Shows the sessions of esprimd and the kernel" },
	{ "keys", cmd_keys, "Shows the esprim keys of the kernel's keyrings" },
	{ "stats", cmd_stats, "Shows the counters of esprimd and the module" },
	{ "establish", cmd_establish, "Makes esprimd establish a session now" },
	{ "rekey", cmd_rekey, "Makes esprimd establish new sessions" },
	{ "flush", cmd_flush, "Makes esprimd drop sessions" },
	{ "reload", cmd_reload, "Makes esprimd read its configuration again" },
};

#define CTL_NCMDS	(sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static void ctl_usage(FILE *f)
{
	size_t i;

	fputs("Usage: esprimctl [-j] <command> [<options>]\n"
	      "       esprimctl --help | --version\n\n"
	      "Commands:\n", f);
	for (i = 0; i < CTL_NCMDS; i++)
		fprintf(f, "  %-10s %s\n", ctl_cmds[i].name, ctl_cmds[i].desc);
	fputs("\nOptions:\n"
	      "  -j, --json       results and failures as JSON on stdout\n"
	      "  --socket PATH    esprimd's socket (default $ESPRIMD_SOCKET, else\n"
	      "                   " CTL_DAEMON_SOCKET ")\n"
	      "  -h, --help       this text; 'esprimctl <command> --help' for one\n"
	      "  --version        esprimctl's and libesprim's versions\n\n"
	      "Exit status: 0 done, 1 failed, 2 usage error, 4 permission denied,\n"
	      "6 esprimd not running (no socket).  esprimctl(8).\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ NULL, 0, NULL, 0 },
	};
	/* "esprimctl <command>": what getopt begins its messages with. */
	static char prog[32];
	size_t i;
	int c;

	/* "+": the options after the command are the command's. */
	while ((c = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl_json = true;
			break;
		case 'h':
			ctl_usage(stdout);
			return CTL_EXIT_OK;
		case CTL_OPT_SOCKET:
			ctl_socket = optarg;
			break;
		case 'V':
			printf("esprimctl %s (libesprim %s)\n", ESPRIMCTL_VERSION,
			       esprim_version());
			return CTL_EXIT_OK;
		default:
			ctl_usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs("esprimctl: no command given\n", stderr);
		ctl_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	for (i = 0; i < CTL_NCMDS; i++) {
		if (strcmp(argv[optind], ctl_cmds[i].name))
			continue;
		snprintf(prog, sizeof(prog), "esprimctl %s", ctl_cmds[i].name);
		ctl_prog = prog;
		argv[optind] = prog;
		/* 0 makes getopt start afresh on the command's arguments. */
		argc -= optind;
		argv += optind;
		optind = 0;
		return ctl_cmds[i].fn(argc, argv);
	}
	fprintf(stderr, "esprimctl: '%s' is not a command\n", argv[optind]);
	ctl_usage(stderr);
	return CTL_EXIT_USAGE;
}
