// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl: reporting, reading files and keys, parsing option values.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

bool ctl_json;
const char *ctl_prog = "esprimctl";

/*
 * What a key file without --peer is bound to.  Only commands that open no
 * request use one, so no From is ever compared with it.
 */
#define CTL_UNBOUND_PEER	"esprimctl-unbound"

int ctl_help(const char *usage)
{
	fputs(usage, stdout);
	return CTL_EXIT_OK;
}

int ctl_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ctl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return CTL_EXIT_USAGE;
}

int ctl_usage_getopt(const char *usage)
{
	fputs(usage, stderr);
	return CTL_EXIT_USAGE;
}

int ctl_report(int rc, const struct esprim_error *e)
{
	int rsc = rc > 0 ? rc : e->rsc;
	const char *name = esprim_rsc_name(rsc) ?: "UNKNOWN";
	char msg[sizeof(e->msg) + 64];

	/* A local failure: the errno says what went wrong here. */
	if (rc < 0)
		snprintf(msg, sizeof(msg), "%s: %s",
			 strerror(e->errnum ?: -rc), e->msg);
	else
		snprintf(msg, sizeof(msg), "%s", e->msg);
	if (ctl_json) {
		json_t *j = json_pack("{s:i, s:s, s:s}", "rsc", rsc,
				      "error", name, "message", msg);

		if (j && rc < 0)
			json_object_set_new(j, "errno",
					    json_integer(e->errnum ?: -rc));
		if (ctl_json_print(j))
			fprintf(stderr, "esprimctl: %d %s: %s\n", rsc, name,
				msg);
	} else {
		fprintf(stderr, "esprimctl: %d %s: %s\n", rsc, name, msg);
	}
	return CTL_EXIT_FAIL;
}

int ctl_fail_local(struct esprim_error *e, int errnum, int rsc,
		   const char *fmt, ...)
{
	va_list ap;

	e->rsc = rsc;
	e->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -errnum;
}

int ctl_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_json_print(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int rc = s ? 0 : 1;

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(j);
	return rc;
}

json_t *ctl_rand_json(const struct esprim_rand *r)
{
	const char *s;
	size_t len;

	if (!r)
		return json_null();
	s = esprim_rand_json(r, &len);
	return json_loadb(s, len, 0, NULL) ?: json_null();
}

/*
 * read(2) rather than stdio: key files leave no copy in a FILE buffer,
 * and the caller wipes the one buffer there is.
 */
static long ctl_read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += (size_t)n;
	}
	return (long)len;
}

char *ctl_read_file(const char *path, size_t max, size_t *len, int rsc,
		    struct esprim_error *e)
{
	bool in = !strcmp(path, "-");
	int fd = in ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	long n;

	if (fd < 0) {
		ctl_fail_local(e, errno, rsc, "%s", path);
		return NULL;
	}
	buf = malloc(max + 2);
	n = buf ? ctl_read_fd(fd, buf, max + 1) : -ENOMEM;
	if (!in)
		close(fd);
	if (n < 0) {
		free(buf);
		ctl_fail_local(e, (int)-n, rsc, "%s", in ? "stdin" : path);
		return NULL;
	}
	if ((size_t)n > max) {
		free(buf);
		ctl_fail_local(e, EFBIG, rsc, "%s: longer than %zu bytes",
			       in ? "stdin" : path, max);
		return NULL;
	}
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

void ctl_chomp(char *s, size_t *len)
{
	while (*len && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = 0;
}

static int ctl_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ctl_key_file(const char *path, uint8_t *key, size_t *key_len, int rsc,
		 struct esprim_error *e)
{
	/* The hex of the longest key, a line ending, and more to see excess. */
	char hex[2 * ONEM2M_ESPRIM_MAX_PAIRWISE_LEN + 8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int hi, lo, rc = 0;
	size_t len, i;
	long n;

	if (fd < 0)
		return ctl_fail_local(e, errno, rsc, "%s", path);
	n = ctl_read_fd(fd, hex, sizeof(hex));
	close(fd);
	if (n < 0) {
		rc = ctl_fail_local(e, (int)-n, rsc, "%s", path);
		goto out;
	}
	len = (size_t)n;
	while (len && (hex[len - 1] == '\n' || hex[len - 1] == '\r'))
		len--;
	if (len % 2 || len < 2 * ONEM2M_ESPRIM_MIN_PAIRWISE_LEN ||
	    len > 2 * ONEM2M_ESPRIM_MAX_PAIRWISE_LEN) {
		rc = ctl_fail_local(e, EINVAL, rsc,
				    "%s: a pairwise key file holds 16 to 64 bytes in hex",
				    path);
		goto out;
	}
	for (i = 0; i < len; i += 2) {
		hi = ctl_hexval(hex[i]);
		lo = ctl_hexval(hex[i + 1]);
		if (hi < 0 || lo < 0) {
			rc = ctl_fail_local(e, EINVAL, rsc,
					    "%s: not hex at offset %zu", path,
					    i + (hi >= 0));
			goto out;
		}
		key[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*key_len = len / 2;
out:
	explicit_bzero(hex, sizeof(hex));
	if (rc)
		explicit_bzero(key, ONEM2M_ESPRIM_MAX_PAIRWISE_LEN);
	return rc;
}

int ctl_rand_file(const char *path, bool receiver, struct esprim_rand **r,
		  int rsc, struct esprim_error *e)
{
	size_t len;
	char *json = ctl_read_file(path, CTL_MAX_RAND_FILE, &len, rsc, e);
	int rc;

	*r = NULL;
	if (!json)
		return -e->errnum;
	rc = esprim_rand_parse(r, json, len, receiver, esprim_now_ms(), e);
	free(json);
	return rc;
}

int ctl_object(const char *in, size_t len, struct esprim_seci *seci,
	       const char **obj, size_t *obj_len, struct esprim_error *e)
{
	int rc;

	if (!len || in[0] != '{') {
		*obj = in;
		*obj_len = len;
		return 0;
	}
	rc = esprim_seci_parse(seci, in, len, esprim_now_ms(), e);
	if (rc)
		return rc;
	if (seci->sit != ESPRIM_SIT_EPO) {
		e->rsc = ESPRIM_RSC_BAD_REQUEST;
		e->errnum = 0;
		snprintf(e->msg, sizeof(e->msg),
			 "m2m:seci with sit %d carries no ESPrim Object",
			 seci->sit);
		return ESPRIM_RSC_BAD_REQUEST;
	}
	*obj = seci->epo;
	*obj_len = seci->epo_len;
	return 0;
}

int ctl_key_opt(struct ctl_key *k, int c, const char *arg,
		const char *usage)
{
	char *end;
	long v;

	switch (c) {
	case CTL_OPT_KEY_FILE:
		k->file = arg;
		return 1;
	case CTL_OPT_KID:
		k->kid = arg;
		return 1;
	case CTL_OPT_PEER:
		k->peer = arg;
		return 1;
	case CTL_OPT_BACKEND:
		if (!strcmp(arg, "soft"))
			k->backend = ESPRIM_BACKEND_SOFT;
		else if (!strcmp(arg, "kernel"))
			k->backend = ESPRIM_BACKEND_KERNEL;
		else
			return ctl_usage_error(usage,
					       "--backend is soft or kernel, not '%s'",
					       arg);
		return 1;
	case CTL_OPT_KEY_SERIAL:
		errno = 0;
		v = strtol(arg, &end, 0);
		if (errno || *end || end == arg || v <= 0 || v > INT32_MAX)
			return ctl_usage_error(usage,
					       "--key-serial takes a key serial number, not '%s'",
					       arg);
		k->serial = (int32_t)v;
		return 1;
	}
	return 0;
}

int ctl_key_validate(const struct ctl_key *k, const char *usage)
{
	if (k->file && k->serial)
		return ctl_usage_error(usage,
				       "--pairwise-key-file and --key-serial exclude each other");
	if (k->backend == ESPRIM_BACKEND_SOFT && k->serial)
		return ctl_usage_error(usage,
				       "--key-serial needs --backend kernel");
	/* The soft backend holds keys in process only: it needs the octets. */
	if (k->backend == ESPRIM_BACKEND_SOFT && !k->file)
		return ctl_usage_error(usage,
				       "--pairwise-key-file is required (or --backend kernel)");
	return 0;
}

int ctl_key_add(struct esprim_ctx *ctx, const struct ctl_key *k,
		const char *kid, int rsc, struct esprim_error *e)
{
	struct esprim_pairwise_config cfg = ESPRIM_PAIRWISE_CONFIG_INIT;
	uint8_t key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	size_t key_len = 0;
	int rc;

	cfg.kid = kid;
	cfg.peer = k->peer;
	cfg.serial = k->serial;
	if (k->file) {
		rc = ctl_key_file(k->file, key, &key_len, rsc, e);
		if (rc)
			return rc;
		cfg.key = key;
		cfg.key_len = key_len;
		cfg.peer = k->peer ?: CTL_UNBOUND_PEER;
	}
	rc = esprim_ctx_add_pairwise(ctx, &cfg, e);
	explicit_bzero(key, sizeof(key));
	return rc;
}

enum onem2m_esprim_enc ctl_parse_enc(const char *name)
{
	return esprim_enc_from_name(name);
}

int ctl_parse_role(const char *name, enum onem2m_esprim_role *role)
{
	if (!strcmp(name, "originator"))
		*role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	else if (!strcmp(name, "receiver"))
		*role = ONEM2M_ESPRIM_ROLE_RECEIVER;
	else
		return -1;
	return 0;
}

const char *ctl_role_name(enum onem2m_esprim_role role)
{
	return role == ONEM2M_ESPRIM_ROLE_RECEIVER ? "receiver" : "originator";
}

uint32_t ctl_parse_espa(const char *list)
{
	uint32_t mask = 0;
	char *end;
	long v;

	do {
		errno = 0;
		v = strtol(list, &end, 10);
		if (errno || end == list || v <= ESPRIM_ESPA_BASE ||
		    v > ESPRIM_ESPA_BASE + ONEM2M_ESPRIM_ENC_A256GCM)
			return 0;
		mask |= 1U << (v - ESPRIM_ESPA_BASE);
		list = end + (*end == ',');
	} while (*end == ',');
	return *end ? 0 : mask;
}
