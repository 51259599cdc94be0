// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl seal: the primitive on stdin sealed into an ESPrim Object (or
 * the m2m:seci content carrying one) on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char seal_usage[] =
	"Usage: esprimctl seal --kid KID --rro FILE --oro FILE --enc ENC\n"
	"                      (--pairwise-key-file FILE | --backend kernel\n"
	"                      [--key-serial N]) [<options>] < primitive\n"
	"Seals the primitive on stdin and prints the ESPrim Object.\n\n"
	"  --kid KID                 pairwiseESPrimKeyID (header kid)\n"
	"  --pairwise-key-file FILE  the pairwise key, 16 to 64 bytes in hex\n"
	"  --backend soft|kernel     where the key lives and sealing runs\n"
	"                            (default soft)\n"
	"  --key-serial N            kernel: the \"pairwise:<kid>\" key's serial;\n"
	"                            else the keyrings are searched by kid\n"
	"  --peer ID                 the identity the key is bound to (optional)\n"
	"  --rro FILE                the receiver rand object\n"
	"  --oro FILE                the originator rand object\n"
	"  --enc ENC                 A128GCM, A192GCM or A256GCM (in the oro's espa)\n"
	"  --role originator|receiver  originator seals requests (default),\n"
	"                            receiver responses\n"
	"  --cty TYPE                content type (default: the role's JSON one)\n"
	"  --announce auto|always|never  the full rand object in the header:\n"
	"                            auto (default) includes the oro of a request\n"
	"  --iv HEX                  24 hex digits: the IV (soft backend, vectors)\n"
	"  --seci                    print m2m:seci content (sit 5) instead\n"
	"  -j, --json                the object and its header as JSON\n"
	"  -h, --help                this text\n";

enum {
	OPT_CTY = CTL_OPT_CMD_BASE,
	OPT_ROLE,
	OPT_ANNOUNCE,
	OPT_IV,
	OPT_SECI,
};

struct seal_opts {
	struct ctl_key key;
	const char *rro_file;
	const char *oro_file;
	const char *cty;
	const char *iv;
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_role role;
	enum esprim_announce announce;
	bool seci;
};

static int seal_hex(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (uint64_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v = *v << 4 | (uint64_t)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

/* What -j prints: the object and what its header says. */
static int seal_json(const char *obj, size_t len, const char *seci,
		     struct esprim_error *e)
{
	struct esprim_header *h;
	json_t *j;
	int rc;

	rc = esprim_object_inspect(&h, obj, len, esprim_now_ms(), e);
	if (rc)
		return rc;
	j = json_pack("{s:s#, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
		      "object", obj, (int)len,
		      "kid", esprim_header_kid(h),
		      "enc", esprim_enc_name(esprim_header_enc(h)),
		      "cty", esprim_header_cty(h),
		      "ori", esprim_header_ori(h),
		      "rri", esprim_header_rri(h),
		      "oro", ctl_rand_json(esprim_header_oro(h)),
		      "rro", ctl_rand_json(esprim_header_rro(h)));
	esprim_header_free(h);
	if (j && seci)
		json_object_set_new(j, "seci", json_loads(seci, 0, NULL));
	if (ctl_json_print(j))
		return ctl_fail_local(e, ENOMEM, ESPRIM_RSC_ENCRYPTION_ERROR,
				      "out of memory");
	return 0;
}

static int seal_run(const struct seal_opts *o, struct esprim_error *e)
{
	struct esprim_ctx_config ccfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_session_config scfg = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_rand *rro = NULL, *oro = NULL;
	struct esprim_session *s = NULL;
	struct esprim_ctx *ctx = NULL;
	char *text = NULL, *out = NULL, *seci = NULL;
	size_t len = 0, size, out_len = 0, seci_size;
	uint64_t fixed, counter;
	int rc;

	ccfg.backend = o->key.backend;
	rc = ctl_rand_file(o->rro_file, true, &rro,
			   ESPRIM_RSC_ENCRYPTION_ERROR, e);
	rc = rc ?: ctl_rand_file(o->oro_file, false, &oro,
				 ESPRIM_RSC_ENCRYPTION_ERROR, e);
	rc = rc ?: esprim_ctx_new(&ctx, &ccfg, e);
	rc = rc ?: ctl_key_add(ctx, &o->key, o->key.kid,
			       ESPRIM_RSC_ENCRYPTION_ERROR, e);
	if (rc)
		goto out;
	scfg.kid = o->key.kid;
	scfg.rro = rro;
	scfg.oro = oro;
	scfg.enc = o->enc;
	scfg.role = o->role;
	scfg.cty = o->cty;
	scfg.announce = o->announce;
	rc = esprim_session_new(ctx, &scfg, &s, e);
	if (!rc && o->iv) {
		seal_hex(o->iv, 8, &fixed);
		seal_hex(o->iv + 8, 16, &counter);
		rc = esprim_session_set_iv(s, (uint32_t)fixed, counter, e);
	}
	if (rc)
		goto out;
	text = ctl_read_file("-", ONEM2M_ESPRIM_MAX_TEXT, &len,
			     ESPRIM_RSC_ENCRYPTION_ERROR, e);
	if (!text) {
		rc = -e->errnum;
		goto out;
	}
	size = esprim_seal_size(s, len) + 1;
	out = malloc(size);
	if (!out) {
		rc = ctl_fail_local(e, ENOMEM, ESPRIM_RSC_ENCRYPTION_ERROR,
				    "out of memory");
		goto out;
	}
	rc = esprim_seal(s, text, len, out, size, &out_len, e);
	if (rc)
		goto out;
	if (o->seci) {
		/* {"m2m:seci":{"sit":5,"epo":""}} is 31 characters. */
		seci_size = out_len + 64;
		seci = malloc(seci_size);
		if (!seci || !esprim_seci_build_epo(out, out_len, seci,
						    seci_size)) {
			rc = ctl_fail_local(e, ENOMEM,
					    ESPRIM_RSC_ENCRYPTION_ERROR,
					    "out of memory");
			goto out;
		}
	}
	if (ctl_json)
		rc = seal_json(out, out_len, seci, e);
	else
		printf("%s\n", seci ?: out);
out:
	if (s)
		esprim_session_free(s);
	esprim_ctx_free(ctx);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	free(seci);
	free(out);
	if (text)
		explicit_bzero(text, len);
	free(text);
	return rc;
}

int cmd_seal(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		CTL_KEY_LONGOPTS,
		{ "rro", required_argument, NULL, CTL_OPT_RRO },
		{ "oro", required_argument, NULL, CTL_OPT_ORO },
		{ "enc", required_argument, NULL, CTL_OPT_ENC },
		{ "cty", required_argument, NULL, OPT_CTY },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "announce", required_argument, NULL, OPT_ANNOUNCE },
		{ "iv", required_argument, NULL, OPT_IV },
		{ "seci", no_argument, NULL, OPT_SECI },
		{ NULL, 0, NULL, 0 },
	};
	struct seal_opts o = {
		.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR,
		.announce = ESPRIM_ANNOUNCE_AUTO,
	};
	struct esprim_error e = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		rc = ctl_key_opt(&o.key, c, optarg, seal_usage);
		if (rc == CTL_EXIT_USAGE)
			return rc;
		if (rc)
			continue;
		switch (c) {
		case 'h':
			return ctl_help(seal_usage);
		case 'j':
			ctl_json = true;
			break;
		case CTL_OPT_RRO:
			o.rro_file = optarg;
			break;
		case CTL_OPT_ORO:
			o.oro_file = optarg;
			break;
		case CTL_OPT_ENC:
			o.enc = ctl_parse_enc(optarg);
			if (!o.enc)
				return ctl_usage_error(seal_usage,
						       "--enc is A128GCM, A192GCM or A256GCM, not '%s'",
						       optarg);
			break;
		case OPT_CTY:
			o.cty = optarg;
			break;
		case OPT_ROLE:
			if (ctl_parse_role(optarg, &o.role))
				return ctl_usage_error(seal_usage,
						       "--role is originator or receiver, not '%s'",
						       optarg);
			break;
		case OPT_ANNOUNCE:
			if (!strcmp(optarg, "auto"))
				o.announce = ESPRIM_ANNOUNCE_AUTO;
			else if (!strcmp(optarg, "always"))
				o.announce = ESPRIM_ANNOUNCE_ALWAYS;
			else if (!strcmp(optarg, "never"))
				o.announce = ESPRIM_ANNOUNCE_NEVER;
			else
				return ctl_usage_error(seal_usage,
						       "--announce is auto, always or never, not '%s'",
						       optarg);
			break;
		case OPT_IV:
			if (strlen(optarg) != 24 ||
			    strspn(optarg, "0123456789abcdefABCDEF") != 24)
				return ctl_usage_error(seal_usage,
						       "--iv takes 24 hex digits, not '%s'",
						       optarg);
			o.iv = optarg;
			break;
		case OPT_SECI:
			o.seci = true;
			break;
		default:
			return ctl_usage_getopt(seal_usage);
		}
	}
	if (optind != argc)
		return ctl_usage_error(seal_usage, "unexpected argument '%s'",
				       argv[optind]);
	if (!o.key.kid)
		return ctl_usage_error(seal_usage, "--kid is required");
	rc = ctl_key_validate(&o.key, seal_usage);
	if (rc)
		return rc;
	if (!o.rro_file)
		return ctl_usage_error(seal_usage, "--rro is required");
	if (!o.oro_file)
		return ctl_usage_error(seal_usage, "--oro is required");
	if (!o.enc)
		return ctl_usage_error(seal_usage, "--enc is required");
	rc = seal_run(&o, &e);
	return rc ? ctl_report(rc, &e) : CTL_EXIT_OK;
}
