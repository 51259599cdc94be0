// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl inspect: the protected header of an ESPrim Object (or of the
 * m2m:seci content carrying one), parsed as strictly as for opening but
 * without keys.  Nothing is verified: the header may be forged.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

static const char inspect_usage[] =
	"Usage: esprimctl inspect [-j] [FILE]\n"
	"Shows the protected header of the ESPrim Object (or m2m:seci content)\n"
	"in FILE or on stdin: kid, enc, cty, ori, rri and the rand objects it\n"
	"carries.  No key is needed, and nothing is verified.\n\n"
	"  -j, --json   the header as JSON\n"
	"  -h, --help   this text\n";

static void inspect_rand(const char *name, const struct esprim_rand *r)
{
	if (r)
		printf("%s: %s\n", name, esprim_rand_json(r, NULL));
	else
		printf("%s: (none)\n", name);
}

static int inspect_print(const struct esprim_header *h, bool seci,
			 struct esprim_error *e)
{
	const char *cty = esprim_header_cty(h);
	json_t *j;

	if (!ctl_json) {
		printf("kid: %s\n", esprim_header_kid(h));
		printf("enc: %s\n", esprim_enc_name(esprim_header_enc(h)));
		printf("cty: %s\n", cty[0] ? cty : "(none)");
		printf("ori: %s\n", esprim_header_ori(h));
		printf("rri: %s\n", esprim_header_rri(h));
		inspect_rand("oro", esprim_header_oro(h));
		inspect_rand("rro", esprim_header_rro(h));
		return 0;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b}",
		      "kid", esprim_header_kid(h),
		      "enc", esprim_enc_name(esprim_header_enc(h)),
		      "cty", cty,
		      "ori", esprim_header_ori(h),
		      "rri", esprim_header_rri(h),
		      "oro", ctl_rand_json(esprim_header_oro(h)),
		      "rro", ctl_rand_json(esprim_header_rro(h)),
		      "seci", seci);
	if (ctl_json_print(j))
		return ctl_fail_local(e, ENOMEM, ESPRIM_RSC_DECRYPTION_ERROR,
				      "out of memory");
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct esprim_seci seci = { 0 };
	struct esprim_error e = { 0 };
	struct esprim_header *h = NULL;
	const char *path = "-", *obj;
	size_t len, obj_len;
	char *in;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return ctl_help(inspect_usage);
		case 'j':
			ctl_json = true;
			break;
		default:
			return ctl_usage_getopt(inspect_usage);
		}
	}
	if (argc - optind > 1)
		return ctl_usage_error(inspect_usage,
				       "unexpected argument '%s'",
				       argv[optind + 1]);
	if (optind < argc)
		path = argv[optind];
	/* A local failure reading an object: what a receiver answers. */
	in = ctl_read_file(path, CTL_MAX_INPUT, &len,
			   ESPRIM_RSC_DECRYPTION_ERROR, &e);
	if (!in)
		return ctl_report(-e.errnum, &e);
	ctl_chomp(in, &len);
	rc = ctl_object(in, len, &seci, &obj, &obj_len, &e);
	rc = rc ?: esprim_object_inspect(&h, obj, obj_len, esprim_now_ms(),
					 &e);
	rc = rc ?: inspect_print(h, seci.sit == ESPRIM_SIT_EPO, &e);
	esprim_header_free(h);
	esprim_seci_release(&seci);
	free(in);
	return rc ? ctl_report(rc, &e) : CTL_EXIT_OK;
}
