// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl derive: the sessionESPrimKey of a pairwise key and a pair of
 * rand objects (TS-0003 10.3.8.2), for tests and interop with other JOSE
 * implementations.  Always computed in this process.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char derive_usage[] =
	"Usage: esprimctl derive --pairwise-key-file FILE --rro FILE --oro FILE\n"
	"                        --enc ENC [-j]\n"
	"Prints the session key (hex) a pair of rand objects gives.\n\n"
	"  --pairwise-key-file FILE  the pairwise key, 16 to 64 bytes in hex\n"
	"  --rro FILE                the receiver rand object\n"
	"  --oro FILE                the originator rand object\n"
	"  --enc ENC                 A128GCM, A192GCM or A256GCM\n"
	"  -j, --json                {\"enc\":ENC,\"key\":HEX}; failures as JSON\n"
	"  -h, --help                this text\n";

int cmd_derive(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "pairwise-key-file", required_argument, NULL,
		  CTL_OPT_KEY_FILE },
		{ "rro", required_argument, NULL, CTL_OPT_RRO },
		{ "oro", required_argument, NULL, CTL_OPT_ORO },
		{ "enc", required_argument, NULL, CTL_OPT_ENC },
		{ NULL, 0, NULL, 0 },
	};
	static const char digits[] = "0123456789abcdef";
	const char *key_file = NULL, *rro_file = NULL, *oro_file = NULL;
	uint8_t pw[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN], key[32];
	/* {"enc":"A256GCM","key":"<64 hex>"} and a newline. */
	char line[128];
	struct esprim_rand *rro = NULL, *oro = NULL;
	struct esprim_error e = { 0 };
	enum onem2m_esprim_enc enc = 0;
	size_t pw_len = 0, n = 0;
	unsigned int i, klen;
	int c, rc;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return ctl_help(derive_usage);
		case 'j':
			ctl_json = true;
			break;
		case CTL_OPT_KEY_FILE:
			key_file = optarg;
			break;
		case CTL_OPT_RRO:
			rro_file = optarg;
			break;
		case CTL_OPT_ORO:
			oro_file = optarg;
			break;
		case CTL_OPT_ENC:
			enc = ctl_parse_enc(optarg);
			if (!enc)
				return ctl_usage_error(derive_usage,
						       "--enc is A128GCM, A192GCM or A256GCM, not '%s'",
						       optarg);
			break;
		default:
			return ctl_usage_getopt(derive_usage);
		}
	}
	if (optind != argc)
		return ctl_usage_error(derive_usage,
				       "unexpected argument '%s'", argv[optind]);
	if (!key_file)
		return ctl_usage_error(derive_usage,
				       "--pairwise-key-file is required");
	if (!rro_file)
		return ctl_usage_error(derive_usage, "--rro is required");
	if (!oro_file)
		return ctl_usage_error(derive_usage, "--oro is required");
	if (!enc)
		return ctl_usage_error(derive_usage, "--enc is required");

	rc = ctl_rand_file(rro_file, true, &rro, ESPRIM_RSC_ENCRYPTION_ERROR,
			   &e);
	rc = rc ?: ctl_rand_file(oro_file, false, &oro,
				 ESPRIM_RSC_ENCRYPTION_ERROR, &e);
	rc = rc ?: ctl_key_file(key_file, pw, &pw_len,
				ESPRIM_RSC_ENCRYPTION_ERROR, &e);
	rc = rc ?: esprim_derive_session_key(pw, pw_len, rro, oro, enc, key,
					     &e);
	explicit_bzero(pw, sizeof(pw));
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	if (rc) {
		explicit_bzero(key, sizeof(key));
		return ctl_report(rc, &e);
	}
	/* Formatted by hand and written with write(2): no stdio copy. */
	klen = esprim_enc_key_len(enc);
	if (ctl_json)
		n = (size_t)snprintf(line, sizeof(line),
				     "{\"enc\":\"%s\",\"key\":\"",
				     esprim_enc_name(enc));
	for (i = 0; i < klen; i++) {
		line[n++] = digits[key[i] >> 4];
		line[n++] = digits[key[i] & 15];
	}
	if (ctl_json) {
		memcpy(line + n, "\"}", 2);
		n += 2;
	}
	line[n++] = '\n';
	explicit_bzero(key, sizeof(key));
	fflush(stdout);
	rc = ctl_write(1, line, n);
	explicit_bzero(line, sizeof(line));
	if (rc)
		return ctl_report(ctl_fail_local(&e, -rc,
						 ESPRIM_RSC_ENCRYPTION_ERROR,
						 "stdout"), &e);
	return CTL_EXIT_OK;
}
