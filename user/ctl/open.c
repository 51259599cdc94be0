// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl open: verifies an ESPrim Object (or the m2m:seci content
 * carrying one) on stdin and prints the inner primitive.  A request is
 * printed only once its From names the identity bound to the key.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char open_usage[] =
	"Usage: esprimctl open --rro FILE (--pairwise-key-file FILE --peer ID |\n"
	"                      --backend kernel [--key-serial N]) [<options>]\n"
	"       esprimctl open --role originator --rro FILE --oro FILE\n"
	"                      (--pairwise-key-file FILE | --backend kernel ...)\n"
	"Verifies the ESPrim Object (or m2m:seci content) on stdin and prints the\n"
	"inner primitive.\n\n"
	"  --pairwise-key-file FILE  the pairwise key, 16 to 64 bytes in hex\n"
	"  --backend soft|kernel     where the key lives and opening runs\n"
	"                            (default soft)\n"
	"  --key-serial N            kernel: the \"pairwise:<kid>\" key's serial;\n"
	"                            else the keyrings are searched by kid\n"
	"  --peer ID                 the identity bound to the key: the From of\n"
	"                            a request must name it.  Required with a\n"
	"                            key file to open requests (a keyring key\n"
	"                            has its own)\n"
	"  --kid KID                 refuse objects for another key (4112)\n"
	"  --rro FILE                the receiver rand object\n"
	"  --oro FILE                the originator rand object (else the header's)\n"
	"  --role receiver|originator  receiver opens requests (default),\n"
	"                            originator the responses to its own\n"
	"                            requests (needs --oro)\n"
	"  --from FR                 the From of a request whose primitive is not\n"
	"                            JSON, which the library cannot read; checked\n"
	"                            against the bound identity (ignored otherwise)\n"
	"  --replay-off              replay policy OFF (default AUTO)\n"
	"  -j, --json                the primitive and what was verified as JSON\n"
	"  -h, --help                this text\n";

enum {
	OPT_ROLE = CTL_OPT_CMD_BASE,
	OPT_FROM,
	OPT_REPLAY_OFF,
};

struct open_opts {
	struct ctl_key key;
	const char *rro_file;
	const char *oro_file;
	const char *from;
	enum onem2m_esprim_role role;
	bool replay_off;
};

/* Who checked the From: "library", "caller" (--from) or "none" (response). */
static int open_print(const struct esprim_opened *op, const char *text,
		      size_t len, const char *from, struct esprim_error *e)
{
	json_t *j, *parsed;
	char *b64;

	if (!ctl_json) {
		fwrite(text, 1, len, stdout);
		return 0;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		      "kid", esprim_opened_kid(op),
		      "peer", esprim_opened_peer(op),
		      "role", ctl_role_name(esprim_opened_role(op)),
		      "enc", esprim_enc_name(esprim_opened_enc(op)),
		      "cty", esprim_opened_cty(op),
		      "from", from);
	/* JSON text in UTF-8 goes as a string; anything else as base64url. */
	parsed = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	if (j && parsed) {
		json_object_set_new(j, "text", json_stringn(text, len));
	} else if (j) {
		b64 = malloc(esprim_b64url_encoded_len(len) + 1);
		if (b64)
			b64[esprim_b64url_encode((const uint8_t *)text, len,
						 b64)] = 0;
		json_object_set_new(j, "text_b64url",
				    b64 ? json_string(b64) : NULL);
		free(b64);
	}
	json_decref(parsed);
	if (j)
		json_object_set_new(j, "next_rand",
				    ctl_rand_json(esprim_opened_next_rand(op)));
	if (ctl_json_print(j))
		return ctl_fail_local(e, ENOMEM, ESPRIM_RSC_DECRYPTION_ERROR,
				      "out of memory");
	return 0;
}

/* Whether the library reads the From of a request of this cty. */
static bool open_cty_readable(const char *cty)
{
	return !cty[0] || esprim_cty_is_json(cty, strlen(cty));
}

static int open_run(const struct open_opts *o, struct esprim_error *e)
{
	struct esprim_ctx_config ccfg = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_rand *rro = NULL, *oro = NULL;
	struct esprim_seci seci = { 0 };
	struct esprim_opened *op = NULL;
	struct esprim_header *h = NULL;
	struct esprim_ctx *ctx = NULL;
	const char *obj = NULL, *from = "none";
	char *in, *text = NULL;
	size_t len = 0, obj_len = 0;
	int rc;

	in = ctl_read_file("-", CTL_MAX_INPUT, &len,
			   ESPRIM_RSC_DECRYPTION_ERROR, e);
	if (!in)
		return -e->errnum;
	ctl_chomp(in, &len);
	rc = ctl_rand_file(o->rro_file, true, &rro,
			   ESPRIM_RSC_DECRYPTION_ERROR, e);
	if (!rc && o->oro_file)
		rc = ctl_rand_file(o->oro_file, false, &oro,
				   ESPRIM_RSC_DECRYPTION_ERROR, e);
	rc = rc ?: ctl_object(in, len, &seci, &obj, &obj_len, e);
	/* The key is registered under the kid the header names. */
	rc = rc ?: esprim_object_inspect(&h, obj, obj_len, esprim_now_ms(), e);
	if (rc)
		goto out;
	if (o->key.kid && strcmp(o->key.kid, esprim_header_kid(h))) {
		rc = ESPRIM_RSC_UNKNOWN_KEY_ID;
		e->rsc = rc;
		e->errnum = 0;
		snprintf(e->msg, sizeof(e->msg), "no pairwise key %.64s",
			 esprim_header_kid(h));
		goto out;
	}
	ccfg.backend = o->key.backend;
	if (o->replay_off)
		ccfg.replay = ONEM2M_ESPRIM_REPLAY_OFF;
	/*
	 * The library reads the From of JSON requests; of others only the
	 * operator can say it (--from), and then the check is ours to make.
	 */
	if (o->role == ONEM2M_ESPRIM_ROLE_RECEIVER &&
	    !open_cty_readable(esprim_header_cty(h))) {
		if (!o->from) {
			rc = ctl_fail_local(e, EOPNOTSUPP,
					    ESPRIM_RSC_DECRYPTION_ERROR,
					    "the From of a '%s' request cannot be read here: give it with --from",
					    esprim_header_cty(h));
			goto out;
		}
		ccfg.caller_checks_from = true;
	}
	rc = esprim_ctx_new(&ctx, &ccfg, e);
	rc = rc ?: ctl_key_add(ctx, &o->key, esprim_header_kid(h),
			       ESPRIM_RSC_DECRYPTION_ERROR, e);
	if (rc)
		goto out;
	if (o->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR) {
		/* A response opens on the session that sealed the request. */
		struct esprim_session_config scfg = ESPRIM_SESSION_CONFIG_INIT;
		struct esprim_session *s;

		scfg.kid = esprim_header_kid(h);
		scfg.rro = rro;
		scfg.oro = oro;
		scfg.enc = esprim_header_enc(h);
		scfg.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
		rc = esprim_session_new(ctx, &scfg, &s, e);
		if (!rc)
			esprim_session_put(s);
	} else {
		rc = esprim_ctx_add_own_rand(ctx, rro, e);
		if (!rc && oro)
			rc = esprim_ctx_add_learnt_rand(ctx,
							esprim_header_kid(h),
							oro, e);
	}
	if (rc)
		goto out;
	op = esprim_opened_new();
	text = malloc(obj_len + 1);
	if (!op || !text) {
		rc = ctl_fail_local(e, ENOMEM, ESPRIM_RSC_DECRYPTION_ERROR,
				    "out of memory");
		goto out;
	}
	rc = esprim_open(ctx, obj, obj_len, text, obj_len, op, e);
	if (!rc && esprim_opened_role(op) == ONEM2M_ESPRIM_ROLE_RECEIVER)
		from = "library";
	if (rc == ESPRIM_FROM_UNCHECKED) {
		/* Verified, but not accepted before the From given matches. */
		rc = esprim_opened_check_from(op, o->from, strlen(o->from), e);
		from = "caller";
	}
	if (!rc)
		rc = open_print(op, text, esprim_opened_text_len(op), from, e);
out:
	if (text)
		explicit_bzero(text, obj_len + 1);
	free(text);
	esprim_opened_free(op);
	esprim_ctx_free(ctx);
	esprim_header_free(h);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	esprim_seci_release(&seci);
	free(in);
	return rc;
}

int cmd_open(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		CTL_KEY_LONGOPTS,
		{ "rro", required_argument, NULL, CTL_OPT_RRO },
		{ "oro", required_argument, NULL, CTL_OPT_ORO },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "replay-off", no_argument, NULL, OPT_REPLAY_OFF },
		{ NULL, 0, NULL, 0 },
	};
	struct open_opts o = { .role = ONEM2M_ESPRIM_ROLE_RECEIVER };
	struct esprim_error e = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		rc = ctl_key_opt(&o.key, c, optarg, open_usage);
		if (rc == CTL_EXIT_USAGE)
			return rc;
		if (rc)
			continue;
		switch (c) {
		case 'h':
			return ctl_help(open_usage);
		case 'j':
			ctl_json = true;
			break;
		case CTL_OPT_RRO:
			o.rro_file = optarg;
			break;
		case CTL_OPT_ORO:
			o.oro_file = optarg;
			break;
		case OPT_ROLE:
			if (ctl_parse_role(optarg, &o.role))
				return ctl_usage_error(open_usage,
						       "--role is receiver or originator, not '%s'",
						       optarg);
			break;
		case OPT_FROM:
			o.from = optarg;
			break;
		case OPT_REPLAY_OFF:
			o.replay_off = true;
			break;
		default:
			return ctl_usage_getopt(open_usage);
		}
	}
	if (optind != argc)
		return ctl_usage_error(open_usage, "unexpected argument '%s'",
				       argv[optind]);
	rc = ctl_key_validate(&o.key, open_usage);
	if (rc)
		return rc;
	if (!o.rro_file)
		return ctl_usage_error(open_usage, "--rro is required");
	if (o.role == ONEM2M_ESPRIM_ROLE_ORIGINATOR && !o.oro_file)
		return ctl_usage_error(open_usage,
				       "--oro is required with --role originator");
	/*
	 * A request is accepted only if its From names the identity bound to
	 * the key; a key from a file is bound to nothing but --peer.
	 */
	if (o.role == ONEM2M_ESPRIM_ROLE_RECEIVER && o.key.file && !o.key.peer)
		return ctl_usage_error(open_usage,
				       "--peer is required to open requests with --pairwise-key-file");
	rc = open_run(&o, &e);
	return rc ? ctl_report(rc, &e) : CTL_EXIT_OK;
}
