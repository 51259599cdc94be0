// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl rand: a new receiver or originator rand object, printed as its
 * RFC 8785 (JCS) text, which is what the derivation hashes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

static const char rand_usage[] =
	"Usage: esprimctl rand --receiver [--shared] [<options>]\n"
	"       esprimctl rand --originator --rro FILE [<options>]\n"
	"Creates a rand object and prints it as JSON (RFC 8785).\n\n"
	"  --receiver          a receiver rand object (esks [1])\n"
	"  --shared            with --receiver: one for many originators (\"s-\" id)\n"
	"  --originator        an originator rand object for the receiver's\n"
	"  --rro FILE          with --originator: the receiver rand object\n"
	"  --id ID             esri; omitted: a fresh one.  Must begin \"s-\" for a\n"
	"                      shared receiver object, \"n-\" for any other\n"
	"  --lifetime SECONDS  esrx from now (default 3600; an originator object's\n"
	"                      is capped at the receiver's)\n"
	"  --espa LIST         comma-separated espa: 10 A128GCM, 11 A192GCM,\n"
	"                      12 A256GCM (default 10,11,12)\n"
	"  -j, --json          failures as JSON on stdout\n"
	"  -h, --help          this text\n";

enum {
	OPT_RECEIVER = CTL_OPT_CMD_BASE,
	OPT_ORIGINATOR,
	OPT_SHARED,
	OPT_ID,
	OPT_LIFETIME,
	OPT_ESPA,
};

int cmd_rand(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "receiver", no_argument, NULL, OPT_RECEIVER },
		{ "originator", no_argument, NULL, OPT_ORIGINATOR },
		{ "shared", no_argument, NULL, OPT_SHARED },
		{ "rro", required_argument, NULL, CTL_OPT_RRO },
		{ "id", required_argument, NULL, OPT_ID },
		{ "lifetime", required_argument, NULL, OPT_LIFETIME },
		{ "espa", required_argument, NULL, OPT_ESPA },
		{ NULL, 0, NULL, 0 },
	};
	bool receiver = false, originator = false, shared = false;
	const char *rro_file = NULL, *id = NULL;
	uint32_t espa = ESPRIM_ESPA_ALL;
	struct esprim_rand *rro = NULL, *r = NULL;
	struct esprim_error e = { 0 };
	long lifetime = 3600;
	const char *json;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return ctl_help(rand_usage);
		case 'j':
			ctl_json = true;
			break;
		case OPT_RECEIVER:
			receiver = true;
			break;
		case OPT_ORIGINATOR:
			originator = true;
			break;
		case OPT_SHARED:
			shared = true;
			break;
		case CTL_OPT_RRO:
			rro_file = optarg;
			break;
		case OPT_ID:
			id = optarg;
			break;
		case OPT_LIFETIME:
			errno = 0;
			lifetime = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || lifetime <= 0 ||
			    lifetime > 1L << 31)
				return ctl_usage_error(rand_usage,
						       "--lifetime takes seconds from 1 to 2^31, not '%s'",
						       optarg);
			break;
		case OPT_ESPA:
			espa = ctl_parse_espa(optarg);
			if (!espa)
				return ctl_usage_error(rand_usage,
						       "--espa takes a list of 10, 11, 12, not '%s'",
						       optarg);
			break;
		default:
			return ctl_usage_getopt(rand_usage);
		}
	}
	if (optind != argc)
		return ctl_usage_error(rand_usage, "unexpected argument '%s'",
				       argv[optind]);
	if (receiver == originator)
		return ctl_usage_error(rand_usage,
				       "one of --receiver and --originator is required");
	if (originator && !rro_file)
		return ctl_usage_error(rand_usage,
				       "--rro is required with --originator");
	if (originator && shared)
		return ctl_usage_error(rand_usage,
				       "--shared is for receiver objects only");
	if (receiver && rro_file)
		return ctl_usage_error(rand_usage,
				       "--rro is for --originator only");

	/* The library checks a given id's prefix: it owns the rule (B.16). */
	if (receiver) {
		rc = esprim_rand_new_receiver(&r, id,
					      shared ? ESPRIM_RAND_SHARED : 0,
					      esprim_now_ms() + lifetime * 1000,
					      espa, &e);
	} else {
		rc = ctl_rand_file(rro_file, true, &rro,
				   ESPRIM_RSC_ENCRYPTION_ERROR, &e);
		rc = rc ?: esprim_rand_new_originator(&r, rro, id,
						      esprim_now_ms() +
						      lifetime * 1000,
						      espa, &e);
	}
	if (!rc) {
		json = esprim_rand_json(r, NULL);
		printf("%s\n", json);
	}
	esprim_rand_free(r);
	esprim_rand_free(rro);
	return rc ? ctl_report(rc, &e) : CTL_EXIT_OK;
}
