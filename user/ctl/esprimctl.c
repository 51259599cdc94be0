// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl: operator and script interface to libesprim.
 *
 *   esprimctl rand --receiver --id ID [--lifetime S] [--espa LIST]
 *   esprimctl rand --originator --rro FILE --id ID [--lifetime S] [--espa L]
 *   esprimctl seal --pairwise-key-file F --kid K --rro FILE --oro FILE
 *                  --enc ENC [--cty T] [--role originator|receiver]
 *                  [--announce] [--iv HEX] [--seci]
 *   esprimctl open --pairwise-key-file F --rro FILE [--oro FILE] [--kid K]
 *                  [--peer ID] [--role receiver|originator] [--replay-off]
 *   esprimctl derive --pairwise-key-file F --rro FILE --oro FILE --enc ENC
 *
 * seal reads the inner primitive on stdin and writes the ESPrim Object;
 * open reads an object (or m2m:seci content) and writes the verified inner
 * primitive.  All use the soft backend.  Failures exit with status 1 and
 * print the Response Status Code on stderr, or with -j as JSON on stdout;
 * usage errors exit with status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "esprim.h"

#define ESPRIMCTL_MAX_INPUT	(ESPRIM_MAX_OBJECT_LEN + 4096)

struct ctl_opts {
	const char *cmd;
	const char *key_file;
	const char *kid;
	const char *rro_file;
	const char *oro_file;
	const char *cty;
	const char *peer;
	const char *id;
	const char *iv;
	enum onem2m_esprim_enc enc;
	enum onem2m_esprim_role role;
	bool role_set;
	bool receiver;
	bool originator;
	bool announce;
	bool seci;
	bool replay_off;
	bool json;
	long lifetime;
	uint32_t espa;
};

static int ctl_report(const struct ctl_opts *o, const struct esprim_error *e)
{
	const char *name = esprim_rsc_name(e->rsc) ?: "UNKNOWN";
	json_t *j;

	if (o->json) {
		j = json_pack("{s:i, s:s, s:s}", "rsc", e->rsc, "error", name,
			      "message", e->msg);
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else {
		fprintf(stderr, "esprimctl: %d %s: %s\n", e->rsc, name, e->msg);
	}
	return 1;
}

static int ctl_fail(struct esprim_error *e, int rsc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ctl_fail(struct esprim_error *e, int rsc, const char *fmt, ...)
{
	va_list ap;

	e->rsc = rsc;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return rsc;
}

static int ctl_oom(struct esprim_error *e)
{
	return ctl_fail(e, ESPRIM_RSC_BAD_REQUEST, "out of memory");
}

static void ctl_usage(FILE *f)
{
	fputs("usage: esprimctl [-j] rand|seal|open|derive [options]\n"
	      "  rand   --receiver --id ID [--lifetime S] [--espa 10,11,12]\n"
	      "  rand   --originator --rro FILE --id ID [--lifetime S] [--espa L]\n"
	      "  seal   --pairwise-key-file F --kid K --rro FILE --oro FILE --enc ENC\n"
	      "         [--cty T] [--role originator|receiver] [--announce]\n"
	      "         [--iv HEX24] [--seci]\n"
	      "  open   --pairwise-key-file F --rro FILE [--oro FILE] [--kid K]\n"
	      "         [--peer ID] [--role receiver|originator] [--replay-off]\n"
	      "  derive --pairwise-key-file F --rro FILE --oro FILE --enc ENC\n"
	      "ENC: A128GCM, A192GCM or A256GCM.  See README.md.\n", f);
}

/* Reads a whole file ("-": stdin) of at most max bytes, NUL-terminated. */
static char *ctl_read(const char *path, size_t max, size_t *len,
		      struct esprim_error *e)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = f ? malloc(max + 2) : NULL;

	if (!buf) {
		ctl_fail(e, ESPRIM_RSC_BAD_REQUEST, "%s: %s", path,
			 strerror(errno));
		if (f && f != stdin)
			fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, max + 1, f);
	if (f != stdin)
		fclose(f);
	if (*len > max) {
		free(buf);
		ctl_fail(e, ESPRIM_RSC_BAD_REQUEST,
			 "%s: longer than %zu bytes", path, max);
		return NULL;
	}
	buf[*len] = 0;
	return buf;
}

/* Strips trailing newlines (what shells add to files and pipes). */
static void ctl_chomp(char *s, size_t *len)
{
	while (*len && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = 0;
}

static int ctl_key_file(const char *path, uint8_t *key, size_t *key_len,
			struct esprim_error *e)
{
	size_t len, i, n = 0;
	char *hex = ctl_read(path, 4 * ONEM2M_ESPRIM_MAX_PAIRWISE_LEN, &len, e);
	unsigned int byte;

	if (!hex)
		return e->rsc;
	ctl_chomp(hex, &len);
	for (i = 0; i + 1 < len + 1 && n < ONEM2M_ESPRIM_MAX_PAIRWISE_LEN;
	     i += 2) {
		if (i + 2 > len || sscanf(hex + i, "%2x", &byte) != 1 ||
		    !strchr("0123456789abcdefABCDEF", hex[i]) ||
		    !strchr("0123456789abcdefABCDEF", hex[i + 1]))
			break;
		key[n++] = (uint8_t)byte;
	}
	memset(hex, 0, len);
	free(hex);
	if (i != len || n < ONEM2M_ESPRIM_MIN_PAIRWISE_LEN)
		return ctl_fail(e, ESPRIM_RSC_BAD_REQUEST,
				"%s: the pairwise key must be 16 to 64 bytes in hex",
				path);
	*key_len = n;
	return 0;
}

static int ctl_rand_file(const char *path, bool receiver,
			 struct esprim_rand *r, struct esprim_error *e)
{
	size_t len;
	char *json = ctl_read(path, ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN * 4,
			      &len, e);
	int rc;

	if (!json)
		return e->rsc;
	rc = esprim_rand_parse(r, json, len, receiver, esprim_now_ms(), e);
	free(json);
	return rc;
}

static int ctl_rand(const struct ctl_opts *o, struct esprim_error *e)
{
	int64_t expiry = esprim_now_ms() + o->lifetime * 1000;
	struct esprim_rand r, rro;
	int rc;

	if (o->receiver == o->originator || !o->id)
		return -1;
	if (o->receiver) {
		rc = esprim_rand_new_receiver(&r, o->id, expiry, o->espa, e);
	} else {
		if (!o->rro_file)
			return -1;
		rc = ctl_rand_file(o->rro_file, true, &rro, e);
		rc = rc ?: esprim_rand_new_originator(&r, &rro, o->id, expiry,
						      o->espa, e);
	}
	if (!rc)
		printf("%s\n", r.canon);
	return rc;
}

static int ctl_derive(const struct ctl_opts *o, struct esprim_error *e)
{
	uint8_t pw[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN], key[32];
	struct esprim_rand rro, oro;
	size_t pw_len;
	unsigned int i;
	char hex[65];
	int rc;

	if (!o->key_file || !o->rro_file || !o->oro_file || !o->enc)
		return -1;
	rc = ctl_key_file(o->key_file, pw, &pw_len, e);
	rc = rc ?: ctl_rand_file(o->rro_file, true, &rro, e);
	rc = rc ?: ctl_rand_file(o->oro_file, false, &oro, e);
	rc = rc ?: esprim_derive_session_key(pw, pw_len, &rro, &oro, o->enc,
					     key, e);
	if (rc)
		return rc;
	for (i = 0; i < esprim_enc_key_len(o->enc); i++)
		sprintf(hex + 2 * i, "%02x", key[i]);
	if (o->json)
		printf("{\"enc\":\"%s\",\"key\":\"%s\"}\n",
		       esprim_enc_name(o->enc), hex);
	else
		printf("%s\n", hex);
	return 0;
}

static int ctl_parse_iv(const char *hex, uint32_t *fixed, uint64_t *counter,
			struct esprim_error *e)
{
	unsigned long long c;
	unsigned int f;
	int n = 0;

	if (strlen(hex) != 24 ||
	    strspn(hex, "0123456789abcdefABCDEF") != 24 ||
	    sscanf(hex, "%8x%16llx%n", &f, &c, &n) != 2 || n != 24)
		return ctl_fail(e, ESPRIM_RSC_BAD_REQUEST,
				"--iv takes 24 hex digits");
	*fixed = f;
	*counter = c;
	return 0;
}

static int ctl_seal(const struct ctl_opts *o, struct esprim_ctx *ctx,
		    struct esprim_error *e)
{
	struct esprim_session_config cfg = {
		.kid = o->kid, .enc = o->enc, .cty = o->cty,
		.role = o->role_set ? o->role : ONEM2M_ESPRIM_ROLE_ORIGINATOR,
		.announce = o->announce,
	};
	struct esprim_session *s;
	struct esprim_rand rro, oro;
	size_t len, out_len, size;
	char *text, *out = NULL, *seci;
	uint32_t fixed = 0;
	uint64_t counter = 0;
	int rc;

	if (!o->rro_file || !o->oro_file || !o->kid || !o->enc)
		return -1;
	rc = ctl_rand_file(o->rro_file, true, &rro, e);
	rc = rc ?: ctl_rand_file(o->oro_file, false, &oro, e);
	if (rc)
		return rc;
	cfg.rro = &rro;
	cfg.oro = &oro;
	rc = esprim_session_new(ctx, &cfg, &s, e);
	if (!rc && o->iv) {
		rc = ctl_parse_iv(o->iv, &fixed, &counter, e);
		rc = rc ?: esprim_session_set_iv(s, fixed, counter, e);
	}
	if (rc)
		return rc;
	text = ctl_read("-", ONEM2M_ESPRIM_MAX_TEXT, &len, e);
	if (!text)
		return e->rsc;
	size = esprim_seal_size(s, len) + 1;
	out = malloc(size + 64);
	rc = out ? esprim_seal(s, text, len, out, size, &out_len, e) :
		   ctl_oom(e);
	if (!rc && o->seci) {
		seci = malloc(out_len + 64);
		if (seci && esprim_seci_build_epo(out, out_len, seci,
						  out_len + 64))
			printf("%s\n", seci);
		free(seci);
	} else if (!rc) {
		printf("%s\n", out);
	}
	free(out);
	free(text);
	return rc;
}

/* The object of an m2m:seci content, or the input itself. */
static int ctl_object(char *in, size_t len, struct esprim_seci *seci,
		      const char **obj, size_t *obj_len,
		      struct esprim_error *e)
{
	int rc;

	if (len && in[0] != '{') {
		*obj = in;
		*obj_len = len;
		return 0;
	}
	rc = esprim_seci_parse(seci, in, len, esprim_now_ms(), e);
	if (rc)
		return rc;
	if (seci->sit != 5)
		return ctl_fail(e, ESPRIM_RSC_BAD_REQUEST,
				"m2m:seci with sit %d carries no ESPrim Object",
				seci->sit);
	*obj = seci->epo;
	*obj_len = seci->epo_len;
	return 0;
}

/*
 * The kid and enc the object's header names: the key file is registered
 * under that kid, an originator's session takes that enc.
 */
static int ctl_header_kid(const char *obj, size_t len, char *kid,
			  enum onem2m_esprim_enc *enc, struct esprim_error *e)
{
	struct esprim_header *h = malloc(sizeof(*h));
	struct esprim_compact c;
	uint8_t *raw = NULL;
	long n;
	int rc;

	rc = h ? esprim_compact_split(&c, obj, len, e) : ctl_oom(e);
	if (!rc) {
		raw = malloc(c.len[0]);
		n = raw ? esprim_b64url_decode(c.part[0], c.len[0], raw) : -1;
		rc = n < 0 ? ctl_fail(e, ESPRIM_RSC_BAD_REQUEST,
				      "protected header is not base64url") :
			     esprim_header_parse(h, (char *)raw, (size_t)n,
						 esprim_now_ms(), e);
	}
	if (!rc) {
		strcpy(kid, h->kid);
		*enc = h->enc;
	}
	free(raw);
	free(h);
	return rc;
}

static int ctl_open(const struct ctl_opts *o, struct esprim_ctx *ctx,
		    const uint8_t *pw, size_t pw_len, struct esprim_error *e)
{
	struct esprim_seci seci = { 0 };
	struct esprim_opened *opened = malloc(sizeof(*opened));
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	enum onem2m_esprim_enc enc = 0;
	struct esprim_rand rro, oro;
	struct esprim_session *s;
	const char *obj = NULL;
	size_t len, obj_len = 0;
	char *in, *text = NULL;
	int rc;

	in = ctl_read("-", ESPRIMCTL_MAX_INPUT, &len, e);
	if (!in || !opened) {
		free(in);
		free(opened);
		return in ? ctl_oom(e) : e->rsc;
	}
	ctl_chomp(in, &len);
	rc = ctl_rand_file(o->rro_file, true, &rro, e);
	if (!rc && o->oro_file)
		rc = ctl_rand_file(o->oro_file, false, &oro, e);
	rc = rc ?: ctl_object(in, len, &seci, &obj, &obj_len, e);
	rc = rc ?: ctl_header_kid(obj, obj_len, kid, &enc, e);
	if (!rc && o->kid && strcmp(o->kid, kid))
		rc = ctl_fail(e, ESPRIM_RSC_UNKNOWN_KEY_ID,
			      "no pairwise key %.64s", kid);
	rc = rc ?: esprim_ctx_add_pairwise(ctx, kid, pw, pw_len, o->peer, 0,
					   e);
	if (!rc && o->role_set && o->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR) {
		/* Opening a response: the originator's session exists. */
		struct esprim_session_config cfg = {
			.kid = kid, .rro = &rro, .oro = &oro, .enc = enc,
			.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR,
		};

		rc = esprim_session_new(ctx, &cfg, &s, e);
	} else if (!rc) {
		rc = esprim_ctx_add_rand(ctx, &rro, e);
		if (!rc && o->oro_file)
			rc = esprim_ctx_add_rand(ctx, &oro, e);
	}
	text = rc ? NULL : malloc(obj_len);
	if (!rc && !text)
		rc = ctl_oom(e);
	rc = rc ?: esprim_open(ctx, obj, obj_len, text, obj_len, opened, e);
	if (!rc)
		fwrite(text, 1, opened->text_len, stdout);
	esprim_seci_release(&seci);
	free(text);
	free(in);
	free(opened);
	return rc;
}

static int ctl_run(struct ctl_opts *o, struct esprim_error *e)
{
	struct esprim_ctx_config cfg = {
		.backend = ESPRIM_BACKEND_SOFT,
		.replay = o->replay_off ? ONEM2M_ESPRIM_REPLAY_OFF :
					  ONEM2M_ESPRIM_REPLAY_AUTO,
	};
	uint8_t pw[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	struct esprim_ctx *ctx = NULL;
	size_t pw_len = 0;
	int rc;

	if (!strcmp(o->cmd, "open") && o->role_set &&
	    o->role == ONEM2M_ESPRIM_ROLE_ORIGINATOR && !o->oro_file)
		return -1;
	if (!strcmp(o->cmd, "rand"))
		return ctl_rand(o, e);
	if (!strcmp(o->cmd, "derive"))
		return ctl_derive(o, e);
	if (strcmp(o->cmd, "seal") && strcmp(o->cmd, "open"))
		return -1;
	if (!o->key_file || !o->rro_file)
		return -1;
	if (!strcmp(o->cmd, "seal") && (!o->kid || !o->oro_file || !o->enc))
		return -1;
	rc = ctl_key_file(o->key_file, pw, &pw_len, e);
	rc = rc ?: esprim_ctx_new(&ctx, &cfg, e);
	if (!rc && !strcmp(o->cmd, "seal")) {
		rc = esprim_ctx_add_pairwise(ctx, o->kid, pw, pw_len, o->peer,
					     0, e);
		rc = rc ?: ctl_seal(o, ctx, e);
	} else if (!rc) {
		rc = ctl_open(o, ctx, pw, pw_len, e);
	}
	esprim_ctx_free(ctx);
	memset(pw, 0, sizeof(pw));
	return rc;
}

static uint32_t ctl_espa(const char *list)
{
	uint32_t mask = 0;
	char *end;
	long v;

	do {
		v = strtol(list, &end, 10);
		if (end == list || v <= ESPRIM_ESPA_BASE ||
		    v > ESPRIM_ESPA_BASE + ONEM2M_ESPRIM_ENC_A256GCM)
			return 0;
		mask |= 1U << (v - ESPRIM_ESPA_BASE);
		list = end + (*end == ',');
	} while (*end == ',');
	return *end ? 0 : mask;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "pairwise-key-file", required_argument, NULL, 'k' },
		{ "kid", required_argument, NULL, 'K' },
		{ "rro", required_argument, NULL, 'r' },
		{ "oro", required_argument, NULL, 'o' },
		{ "enc", required_argument, NULL, 'e' },
		{ "cty", required_argument, NULL, 'c' },
		{ "role", required_argument, NULL, 'R' },
		{ "peer", required_argument, NULL, 'p' },
		{ "id", required_argument, NULL, 'i' },
		{ "lifetime", required_argument, NULL, 'l' },
		{ "espa", required_argument, NULL, 'a' },
		{ "iv", required_argument, NULL, 'v' },
		{ "receiver", no_argument, NULL, 1 },
		{ "originator", no_argument, NULL, 2 },
		{ "announce", no_argument, NULL, 3 },
		{ "seci", no_argument, NULL, 4 },
		{ "replay-off", no_argument, NULL, 5 },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = {
		.lifetime = 3600,
		.espa = (1U << ONEM2M_ESPRIM_ENC_A128GCM) |
			(1U << ONEM2M_ESPRIM_ENC_A192GCM) |
			(1U << ONEM2M_ESPRIM_ENC_A256GCM),
	};
	struct esprim_error e = { 0 };
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	o.cmd = argv[optind];
	optind++;
	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'k':
			o.key_file = optarg;
			break;
		case 'K':
			o.kid = optarg;
			break;
		case 'r':
			o.rro_file = optarg;
			break;
		case 'o':
			o.oro_file = optarg;
			break;
		case 'c':
			o.cty = optarg;
			break;
		case 'p':
			o.peer = optarg;
			break;
		case 'i':
			o.id = optarg;
			break;
		case 'v':
			o.iv = optarg;
			break;
		case 1:
			o.receiver = true;
			break;
		case 2:
			o.originator = true;
			break;
		case 3:
			o.announce = true;
			break;
		case 4:
			o.seci = true;
			break;
		case 5:
			o.replay_off = true;
			break;
		case 'e':
			o.enc = esprim_enc_from_name(optarg);
			if (!o.enc) {
				e.rsc = ESPRIM_RSC_UNSUPPORTED_OPTION;
				snprintf(e.msg, sizeof(e.msg),
					 "enc %.32s is not A128GCM, A192GCM or A256GCM",
					 optarg);
				return ctl_report(&o, &e);
			}
			break;
		case 'R':
			o.role_set = true;
			if (!strcmp(optarg, "originator"))
				o.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
			else if (!strcmp(optarg, "receiver"))
				o.role = ONEM2M_ESPRIM_ROLE_RECEIVER;
			else
				goto usage;
			break;
		case 'l':
			o.lifetime = strtol(optarg, &end, 10);
			if (*end || o.lifetime <= 0 || o.lifetime > 1L << 31)
				goto usage;
			break;
		case 'a':
			o.espa = ctl_espa(optarg);
			if (!o.espa)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	rc = ctl_run(&o, &e);
	if (rc < 0)
		goto usage;
	return rc ? ctl_report(&o, &e) : 0;
usage:
	ctl_usage(stderr);
	return 2;
}
