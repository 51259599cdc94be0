// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd's configuration: esprimd.conf, then conf.d/ *.conf beside it in
 * strcmp() order, parsed with libinih; every value is checked and the
 * first problem is reported as "FILE:LINE: reason".  esprimd.conf(5).
 * Each file and conf.d/ is checked, on the descriptor opened, for its
 * owner (root or the effective uid) and mode (not writable by group or
 * others): who can write them can add [cse] sections.
 *
 * inih is driven through ini_parse_stream() with a reader of our own.
 * The reader counts lines (the handler of inih's default build is given
 * none), refuses over-long lines and NUL bytes (inih would cut a long
 * line into two), and reads section headers itself: inih keeps only the
 * first 49 characters of a section name, which "[peer NAME]" outgrows,
 * and tells its handler nothing about a section that has no keys.
 * Everything else on a line (comments, "key = value", blanks) is inih's.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ini.h>
#include <openssl/crypto.h>

#include "config.h"

/* inih's line buffer: 4094 characters, a newline and a NUL. */
#define CFG_MAX_LINE		4096
#define CFG_MAX_NAME		64	/* NAME of [peer NAME] and [cse NAME] */
#define CFG_MIN_LIFETIME	60
#define CFG_MAX_LIFETIME	31536000	/* a year */
#define CFG_MAX_SESSIONS	1048576
#define CFG_MAX_REKEY_MARGIN	86400
#define CFG_MIN_TIMEOUT_MS	100
#define CFG_MAX_TIMEOUT_MS	600000
#define CFG_MAX_IDENTITIES	64	/* per [cse NAME] */
#define CFG_MAX_LISTEN		16
#define CFG_SUN_PATH		sizeof(((struct sockaddr_un *)0)->sun_path)
/* A key file: 32 to 128 hex digits and an optional newline. */
#define CFG_KEY_MIN_HEX		(2 * ONEM2M_ESPRIM_MIN_PAIRWISE_LEN)
#define CFG_KEY_MAX_HEX		(2 * ONEM2M_ESPRIM_MAX_PAIRWISE_LEN)

enum cfg_section {
	SEC_NONE,
	SEC_DAEMON,
	SEC_RAND,
	SEC_LIMITS,
	SEC_SIDECAR,
	SEC_ESCERTKE,
	SEC_PEER,
	SEC_CSE,
	SEC_COUNT,
};

static const char *const cfg_section_names[SEC_COUNT] = {
	[SEC_DAEMON] = "daemon", [SEC_RAND] = "rand",
	[SEC_LIMITS] = "limits", [SEC_SIDECAR] = "sidecar",
	[SEC_ESCERTKE] = "escertke",
	[SEC_PEER] = "peer", [SEC_CSE] = "cse",
};

/* Keys of each section, in the order of their tables below. */
enum { DAEMON_IDENTITY, DAEMON_BACKEND, DAEMON_SOCKET, DAEMON_ADMIN_GROUP,
	DAEMON_LISTEN };
enum { RAND_SHARED_LIFETIME, RAND_ROTATE_MARGIN, RAND_PER_REQUEST,
	RAND_ORIGINATOR_LIFETIME, RAND_PUBLISH };
enum { LIMITS_MAX_SESSIONS, LIMITS_SOFT_INVOCATIONS, LIMITS_HARD_INVOCATIONS,
	LIMITS_REKEY_MARGIN, LIMITS_REQUEST_TIMEOUT };
enum { PEER_IDENTITY, PEER_KID, PEER_ADDRESS, PEER_KEY, PEER_KEY_FILE,
	PEER_RSPF_TARGET, PEER_ENC, PEER_REPLAY, PEER_ESI, PEER_PROTECT };
enum { SIDECAR_CSE, SIDECAR_OUTBOUND };
enum { ESCERTKE_CERTIFICATE, ESCERTKE_PRIVATE_KEY, ESCERTKE_TRUST_ANCHORS,
	ESCERTKE_KEY_LIFETIME, ESCERTKE_TIMEOUT, ESCERTKE_MAX_PER_PEER,
	ESCERTKE_MAX_HANDSHAKES };
enum { CSE_USER, CSE_IDENTITY, CSE_KERNEL_KEYS };

/* Keys of the largest section, which the arrays below hold. */
#define CFG_MAX_KEYS	(PEER_PROTECT + 1)
_Static_assert(DAEMON_LISTEN < CFG_MAX_KEYS &&
	       RAND_PUBLISH < CFG_MAX_KEYS &&
	       LIMITS_REQUEST_TIMEOUT < CFG_MAX_KEYS &&
	       SIDECAR_OUTBOUND < CFG_MAX_KEYS &&
	       ESCERTKE_MAX_HANDSHAKES < CFG_MAX_KEYS &&
	       CSE_KERNEL_KEYS < CFG_MAX_KEYS, "CFG_MAX_KEYS too small");

/**
 * struct cfg_where - where a key of [daemon], [rand] or [limits] was set
 * @file: the file (owned by struct cfg_parse), NULL while unset
 * @line: its line
 */
struct cfg_where {
	const char *file;
	unsigned int line;
};

/**
 * struct cfg_parse - the state of one esprimd_config_load()
 * @c: the configuration being filled
 * @err, @err_size: the caller's message buffer
 * @failed: a problem was reported; the first one stays in @err
 * @file: the file being read (one of @files)
 * @fp: its stream
 * @buf, @cap: getline()'s buffer
 * @line: the number of the line last read
 * @sec: the section the lines belong to
 * @idx: the peer or CSE of a [peer NAME] or [cse NAME] section
 * @key: the key whose value is being set
 * @first: @key is given for the first time in this file (global sections)
 *	or this section (peers and CSEs)
 * @file_seen: keys of [daemon], [rand] and [limits] given in this file
 * @peer_seen, @cse_seen: keys given in each peer's and CSE's section
 * @cse_id_line: the line of each CSE's identities (in the file of its
 *	section), for the checks made once every file is read
 * @where: where each key of the global sections was last given
 * @files, @n_files: the names of the files read, for @where
 */
struct cfg_parse {
	struct esprimd_config *c;
	char *err;
	size_t err_size;
	bool failed;
	const char *file;
	FILE *fp;
	char *buf;
	size_t cap;
	unsigned int line;
	enum cfg_section sec;
	size_t idx;
	const char *key;
	bool first;
	uint32_t file_seen[SEC_COUNT];
	uint32_t *peer_seen;
	uint32_t *cse_seen;
	unsigned int (*cse_id_line)[CFG_MAX_IDENTITIES];
	struct cfg_where where[SEC_COUNT][CFG_MAX_KEYS];
	char **files;
	size_t n_files;
};

typedef int (*cfg_setter)(struct cfg_parse *p, const char *value);

/**
 * struct cfg_key - a key of a section
 * @name: as written in the file
 * @set: checks the value and stores it; 0 or -1 with the problem reported
 * @repeatable: may be given more than once (the values add up)
 */
struct cfg_key {
	const char *name;
	cfg_setter set;
	bool repeatable;
};

static __attribute__((format(printf, 4, 5)))
int cfg_fail_at(struct cfg_parse *p, const char *file, unsigned int line,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return -1;
	p->failed = true;
	if (line)
		n = snprintf(p->err, p->err_size, "%s:%u: ", file, line);
	else
		n = snprintf(p->err, p->err_size, "%s: ", file);
	if (n < 0 || (size_t)n >= p->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A problem on the line being read. */
#define cfg_fail(p, ...) cfg_fail_at(p, (p)->file, (p)->line, __VA_ARGS__)

/*
 * A value as it may be shown in a message: printable ASCII, others as
 * '?', at most 80 characters.
 */
static const char *cfg_shown(const char *v, size_t n, char *buf, size_t size)
{
	size_t i, max = size - 4;

	for (i = 0; i < n && i < max; i++)
		buf[i] = v[i] >= 0x20 && v[i] <= 0x7e ? v[i] : '?';
	if (n > max)
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}

#define SHOWN_N(v, n) cfg_shown(v, n, (char[84]){ 0 }, 84)
#define SHOWN(v) SHOWN_N(v, strlen(v))

static int cfg_nomem(struct cfg_parse *p)
{
	return cfg_fail(p, "out of memory");
}

/* ---- checks of values ---- */

static bool cfg_is_ldh(char ch)
{
	return isascii(ch) && (isalnum(ch) || ch == '-');
}

/*
 * Whether s[0..n) is a domain name: labels of 1 to 63 letters, digits
 * and '-', not beginning or ending with '-', 253 characters at most.
 */
static bool cfg_is_domain(const char *s, size_t n)
{
	size_t i, label = 0;

	if (!n || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!cfg_is_ldh(s[i]) || (!label && s[i] == '-') ||
		    ++label > 63)
			return false;
	}
	return label && s[n - 1] != '-';
}

/* NULL when s is 1 to 255 printable ASCII characters without spaces. */
static const char *cfg_id_chars_problem(const char *s)
{
	size_t i, n = strlen(s);

	if (!n)
		return "empty";
	if (n > ONEM2M_ESPRIM_MAX_PEER_LEN)
		return "longer than 255 characters";
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return "printable ASCII without spaces";
	return NULL;
}

/*
 * NULL when s is an Absolute CSE-ID "//SP-ID/CSE-ID" or, when ae is
 * allowed, an Absolute AE-ID "//SP-ID/CSE-ID/AE-ID"; else what is wrong.
 */
static const char *cfg_identity_problem(const char *s, bool ae)
{
	const char *sp, *cse, *aeid, *why = cfg_id_chars_problem(s);

	if (why)
		return why;
	if (strlen(s) < 2 || s[0] != '/' || s[1] != '/')
		return "not Absolute: \"//SP-ID/CSE-ID\" expected";
	sp = s + 2;
	cse = strchr(sp, '/');
	if (!cse || !cfg_is_domain(sp, (size_t)(cse - sp)))
		return "the SP-ID is no domain name";
	cse++;
	aeid = strchr(cse, '/');
	if (aeid == cse || !*cse)
		return "no CSE-ID";
	if (!aeid)
		return NULL;
	if (!ae)
		return "an Absolute CSE-ID \"//SP-ID/CSE-ID\" is needed here";
	aeid++;
	if (!*aeid || strchr(aeid, '/'))
		return "\"//SP-ID/CSE-ID/AE-ID\" with one AE-ID expected";
	return NULL;
}

/*
 * 1 to ONEM2M_ESPRIM_MAX_ID_LEN printable ASCII characters other than
 * space and ':' (the key type's rule), nor '"' and '\' (libesprim's, as
 * the kid goes into JSON).
 */
static bool cfg_is_kid(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > ONEM2M_ESPRIM_MAX_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ':' || s[i] == '"' ||
		    s[i] == '\\')
			return false;
	return true;
}

static bool cfg_is_section_name(const char *s, size_t n)
{
	size_t i;

	if (!n || n > CFG_MAX_NAME)
		return false;
	for (i = 0; i < n; i++)
		if (!isascii(s[i]) ||
		    !(isalnum(s[i]) || s[i] == '_' || s[i] == '.' ||
		      s[i] == '-'))
			return false;
	return true;
}

/* A decimal number of digits only, within [min, max]. */
static int cfg_number(struct cfg_parse *p, const char *v, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return cfg_fail(p, "%s = %s: not a decimal number", p->key,
				SHOWN(v));
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end)
		return cfg_fail(p, "%s = %s: not a decimal number", p->key,
				SHOWN(v));
	if (errno || n < min || n > max)
		return cfg_fail(p, "%s = %s: out of range (%" PRIu64 " to %"
				PRIu64 ")", p->key, SHOWN(v), min, max);
	*out = n;
	return 0;
}

static int cfg_u32(struct cfg_parse *p, const char *v, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	uint64_t n;

	if (cfg_number(p, v, min, max, &n))
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int cfg_yes_no(struct cfg_parse *p, const char *v, bool *out)
{
	if (!strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "no"))
		*out = false;
	else
		return cfg_fail(p, "%s = %s: yes or no expected", p->key,
				SHOWN(v));
	return 0;
}

/* Replaces *field with a copy of v. */
static int cfg_strdup(struct cfg_parse *p, char **field, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return cfg_nomem(p);
	free(*field);
	*field = s;
	return 0;
}

/* Appends a copy of v to the array *a of *n strings. */
static int cfg_append(struct cfg_parse *p, char ***a, size_t *n,
		      const char *v)
{
	char **na = realloc(*a, (*n + 1) * sizeof(**a));

	if (!na)
		return cfg_nomem(p);
	*a = na;
	na[*n] = strdup(v);
	if (!na[*n])
		return cfg_nomem(p);
	(*n)++;
	return 0;
}

static bool cfg_all_digits(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!isdigit((unsigned char)*v))
			return false;
	return true;
}

/* A user or group id as a number: 0 to 2^32 - 2 ((uid_t)-1 is none). */
static int cfg_id_number(struct cfg_parse *p, const char *v, uint32_t *id)
{
	uint64_t n;

	if (cfg_number(p, v, 0, UINT32_MAX - 1, &n))
		return -1;
	*id = (uint32_t)n;
	return 0;
}

/* getpwnam_r() and getgrnam_r() want a buffer whose size they choose. */
static size_t cfg_nss_bufsize(int name)
{
	long n = sysconf(name);

	return n > 0 ? (size_t)n : 16384;
}

/*
 * One *nam_r() lookup with a buffer of size octets: 0 with the id stored,
 * -ENOENT where name is unknown, or -errno (-ERANGE: the buffer is short).
 */
typedef int (*cfg_nss_get)(const char *name, char *buf, size_t size,
			   void *id);

static int cfg_getpw(const char *name, char *buf, size_t size, void *id)
{
	struct passwd pw, *res = NULL;
	int rc = getpwnam_r(name, &pw, buf, size, &res);

	if (rc)
		return -rc;
	if (!res)
		return -ENOENT;
	*(uid_t *)id = pw.pw_uid;
	return 0;
}

static int cfg_getgr(const char *name, char *buf, size_t size, void *id)
{
	struct group gr, *res = NULL;
	int rc = getgrnam_r(name, &gr, buf, size, &res);

	if (rc)
		return -rc;
	if (!res)
		return -ENOENT;
	*(gid_t *)id = gr.gr_gid;
	return 0;
}

/* get with a buffer that grows while it is short, up to 1 MiB. */
static int cfg_nss_lookup(const char *name, int size_name, cfg_nss_get get,
			  void *id)
{
	size_t size = cfg_nss_bufsize(size_name);
	char *buf;
	int rc;

	for (;;) {
		buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		rc = get(name, buf, size, id);
		if (rc != -ERANGE || size >= (1 << 20))
			break;
		free(buf);
		size *= 2;
	}
	free(buf);
	return rc;
}

static int cfg_lookup_user(const char *name, uid_t *uid)
{
	return cfg_nss_lookup(name, _SC_GETPW_R_SIZE_MAX, cfg_getpw, uid);
}

static int cfg_lookup_group(const char *name, gid_t *gid)
{
	return cfg_nss_lookup(name, _SC_GETGR_R_SIZE_MAX, cfg_getgr, gid);
}

/* ---- [daemon] ---- */

static int set_daemon_identity(struct cfg_parse *p, const char *v)
{
	const char *why = cfg_identity_problem(v, false);

	if (why)
		return cfg_fail(p, "identity = %s: %s", SHOWN(v), why);
	return cfg_strdup(p, &p->c->identity, v);
}

static int set_backend(struct cfg_parse *p, const char *v)
{
	if (!strcmp(v, "auto"))
		p->c->backend = ESPRIMD_BACKEND_AUTO;
	else if (!strcmp(v, "kernel"))
		p->c->backend = ESPRIMD_BACKEND_KERNEL;
	else if (!strcmp(v, "soft"))
		p->c->backend = ESPRIMD_BACKEND_SOFT;
	else
		return cfg_fail(p, "backend = %s: auto, kernel or soft expected",
				SHOWN(v));
	return 0;
}

static int set_socket(struct cfg_parse *p, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			break;
	if (v[0] != '/' || i < n || n >= CFG_SUN_PATH)
		return cfg_fail(p, "socket = %s: an absolute path of at most %zu printable characters expected",
				SHOWN(v), CFG_SUN_PATH - 1);
	return cfg_strdup(p, &p->c->socket_path, v);
}

static int set_admin_group(struct cfg_parse *p, const char *v)
{
	uint32_t id;
	gid_t gid = 0;
	int rc;

	if (cfg_all_digits(v)) {
		if (cfg_id_number(p, v, &id))
			return -1;
		p->c->admin_gid = id;
		return 0;
	}
	rc = cfg_lookup_group(v, &gid);
	if (rc == -ENOENT)
		return cfg_fail(p, "admin_group = %s: no such group", SHOWN(v));
	if (rc)
		return cfg_fail(p, "admin_group = %s: %s", SHOWN(v),
				strerror(-rc));
	p->c->admin_gid = gid;
	return 0;
}

/* "host:port": a literal IPv4 address, "[IPv6]" or "*"; port 0 to 65535. */
static const char *cfg_listen_problem(const char *v)
{
	const char *colon = strrchr(v, ':');
	char host[INET6_ADDRSTRLEN + 2];
	unsigned char addr[sizeof(struct in6_addr)];
	size_t n;

	if (!colon)
		return "host:port expected";
	if (!cfg_all_digits(colon + 1) || strlen(colon + 1) > 5 ||
	    atoi(colon + 1) > 65535)
		return "the port is a number from 0 to 65535";
	n = (size_t)(colon - v);
	if (n == 1 && v[0] == '*')
		return NULL;
	if (n >= sizeof(host))
		return "the host must be a literal IPv4 address, [IPv6] or *";
	memcpy(host, v, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1)
		return NULL;
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) == 1)
			return NULL;
	}
	return "the host must be a literal IPv4 address, [IPv6] or *";
}

static int set_listen(struct cfg_parse *p, const char *v)
{
	struct esprimd_config *c = p->c;
	const char *why = cfg_listen_problem(v);
	size_t i;

	if (why)
		return cfg_fail(p, "listen = %s: %s", SHOWN(v), why);
	/* The first listen of a file replaces those of earlier files. */
	if (p->first) {
		for (i = 0; i < c->n_listen; i++)
			free(c->listen[i]);
		c->n_listen = 0;
	}
	for (i = 0; i < c->n_listen; i++)
		if (!strcmp(c->listen[i], v))
			return cfg_fail(p, "listen = %s: given twice", SHOWN(v));
	if (c->n_listen >= CFG_MAX_LISTEN)
		return cfg_fail(p, "more than %d listen addresses",
				CFG_MAX_LISTEN);
	return cfg_append(p, &c->listen, &c->n_listen, v);
}

/* ---- [rand] ---- */

static int set_shared_lifetime(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, CFG_MIN_LIFETIME, CFG_MAX_LIFETIME,
		       &p->c->shared_rand_lifetime_s);
}

static int set_rotate_margin(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, 0, CFG_MAX_LIFETIME - 1,
		       &p->c->rand_rotate_margin_s);
}

static int set_per_request(struct cfg_parse *p, const char *v)
{
	return cfg_yes_no(p, v, &p->c->per_request_rand);
}

static const char *cfg_address_problem(const char *v);

static int set_publish(struct cfg_parse *p, const char *v)
{
	const char *why = cfg_address_problem(v);

	if (why)
		return cfg_fail(p, "publish = %s: %s", SHOWN(v), why);
	free(p->c->publish);
	p->c->publish = NULL;
	return cfg_strdup(p, &p->c->publish, v);
}

static int set_originator_lifetime(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, CFG_MIN_LIFETIME, CFG_MAX_LIFETIME,
		       &p->c->originator_lifetime_s);
}

/* ---- [limits] ---- */

static int set_max_sessions(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, 1, CFG_MAX_SESSIONS, &p->c->max_sessions);
}

static int set_soft_invocations(struct cfg_parse *p, const char *v)
{
	return cfg_number(p, v, 1, ONEM2M_ESPRIM_MAX_INVOCATIONS - 1,
			  &p->c->soft_invocations);
}

static int set_hard_invocations(struct cfg_parse *p, const char *v)
{
	return cfg_number(p, v, 2, ONEM2M_ESPRIM_MAX_INVOCATIONS,
			  &p->c->hard_invocations);
}

static int set_rekey_margin(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, 0, CFG_MAX_REKEY_MARGIN, &p->c->rekey_margin_s);
}

static int set_request_timeout(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, CFG_MIN_TIMEOUT_MS, CFG_MAX_TIMEOUT_MS,
		       &p->c->request_timeout_ms);
}

/* ---- [sidecar] ---- */

static int set_sidecar_cse(struct cfg_parse *p, const char *v)
{
	const char *why = cfg_address_problem(v);
	size_t n = strlen(v);
	int rc;

	if (why)
		return cfg_fail(p, "cse = %s: %s", SHOWN(v), why);
	free(p->c->sidecar_cse);
	p->c->sidecar_cse = NULL;
	rc = cfg_strdup(p, &p->c->sidecar_cse, v);
	/* Request paths begin with '/': no "//" after a base ending in one. */
	if (!rc && n && v[n - 1] == '/')
		p->c->sidecar_cse[n - 1] = '\0';
	return rc;
}

static int set_sidecar_outbound(struct cfg_parse *p, const char *v)
{
	struct esprimd_config *c = p->c;
	const char *why = cfg_listen_problem(v);
	size_t i;

	if (!why && strncmp(v, "127.", 4) && strncmp(v, "[::1]:", 6))
		why = "a loopback address (127.x.x.x or [::1]) expected: what arrives there is sealed as this gateway";
	if (why)
		return cfg_fail(p, "outbound = %s: %s", SHOWN(v), why);
	if (p->first) {
		for (i = 0; i < c->n_outbound; i++)
			free(c->outbound[i]);
		c->n_outbound = 0;
	}
	for (i = 0; i < c->n_outbound; i++)
		if (!strcmp(c->outbound[i], v))
			return cfg_fail(p, "outbound = %s: given twice",
					SHOWN(v));
	if (c->n_outbound >= CFG_MAX_LISTEN)
		return cfg_fail(p, "more than %d outbound addresses",
				CFG_MAX_LISTEN);
	return cfg_append(p, &c->outbound, &c->n_outbound, v);
}

/* ---- [escertke] ---- */

#define CFG_MAX_HANDSHAKES	65536

static int cfg_key_stat(const char *file, const struct stat *st, char *err,
			size_t err_size);

/*
 * A PEM file of [escertke]: an absolute path to a regular file (not a
 * link), readable now; secret (the private key): as a key file, owned by
 * the daemon's user or root and open to nobody else.  Its contents are
 * the engine's to check when the daemon starts (escertke_new()).
 */
static int cfg_pem_file(struct cfg_parse *p, char **field, const char *v,
			bool secret)
{
	char why[512];
	struct stat st;
	int fd, rc = 0;

	if (v[0] != '/')
		return cfg_fail(p, "%s = %s: an absolute path expected", p->key,
				SHOWN(v));
	if (lstat(v, &st))
		return cfg_fail(p, "%s = %s: %s", p->key, SHOWN(v),
				strerror(errno));
	if (S_ISLNK(st.st_mode) && secret)
		return cfg_fail(p, "%s = %s: a symbolic link; name the file itself",
				p->key, SHOWN(v));
	fd = open(v, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
		  (secret ? O_NOFOLLOW : 0));
	if (fd < 0)
		return cfg_fail(p, "%s = %s: %s", p->key, SHOWN(v),
				strerror(errno));
	if (fstat(fd, &st))
		rc = cfg_fail(p, "%s = %s: %s", p->key, SHOWN(v),
			      strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = cfg_fail(p, "%s = %s: not a regular file", p->key,
			      SHOWN(v));
	else if (secret && cfg_key_stat(v, &st, why, sizeof(why)))
		rc = cfg_fail(p, "%s = %s", p->key, why);
	close(fd);
	return rc ? rc : cfg_strdup(p, field, v);
}

static int set_escertke_certificate(struct cfg_parse *p, const char *v)
{
	return cfg_pem_file(p, &p->c->escertke->cert_file, v, false);
}

static int set_escertke_private_key(struct cfg_parse *p, const char *v)
{
	return cfg_pem_file(p, &p->c->escertke->key_file, v, true);
}

static int set_escertke_trust_anchors(struct cfg_parse *p, const char *v)
{
	return cfg_pem_file(p, &p->c->escertke->trust_file, v, false);
}

static int set_escertke_key_lifetime(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, CFG_MIN_LIFETIME, CFG_MAX_LIFETIME,
		       &p->c->escertke->key_lifetime_s);
}

static int set_escertke_timeout(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, CFG_MIN_TIMEOUT_MS, CFG_MAX_TIMEOUT_MS,
		       &p->c->escertke->timeout_ms);
}

static int set_escertke_max_per_peer(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, 1, 64, &p->c->escertke->max_per_peer);
}

static int set_escertke_max_handshakes(struct cfg_parse *p, const char *v)
{
	return cfg_u32(p, v, 1, CFG_MAX_HANDSHAKES,
		       &p->c->escertke->max_total);
}

/* [escertke] seen: the section exists from then on, with its defaults. */
static int cfg_new_escertke(struct cfg_parse *p)
{
	struct esprimd_escertke *x = p->c->escertke;

	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return cfg_nomem(p);
		x->key_lifetime_s = 86400;
		x->timeout_ms = 10000;
		x->max_per_peer = 2;
		x->max_total = 256;
		p->c->escertke = x;
	}
	free(x->file);
	x->file = strdup(p->file);
	x->line = p->line;
	return x->file ? 0 : cfg_nomem(p);
}

/* ---- [peer NAME] ---- */

static struct esprimd_peer *cfg_peer(struct cfg_parse *p)
{
	return &p->c->peers[p->idx];
}

static int set_peer_identity(struct cfg_parse *p, const char *v)
{
	const char *why = cfg_identity_problem(v, true);
	const struct esprimd_peer *o;
	size_t i;

	if (why)
		return cfg_fail(p, "identity = %s: %s", SHOWN(v), why);
	for (i = 0; i < p->idx; i++) {
		o = &p->c->peers[i];
		if (o->identity && !strcmp(o->identity, v))
			return cfg_fail(p, "identity = %s: already the identity of [peer %s] (%s:%u)",
					SHOWN(v), o->name, o->file, o->line);
	}
	return cfg_strdup(p, &cfg_peer(p)->identity, v);
}

static int set_peer_kid(struct cfg_parse *p, const char *v)
{
	const struct esprimd_peer *o;
	size_t i;

	if (!cfg_is_kid(v))
		return cfg_fail(p, "kid = %s: 1 to %d printable characters other than space, ':', '\"' and '\\' expected",
				SHOWN(v), ONEM2M_ESPRIM_MAX_ID_LEN);
	for (i = 0; i < p->idx; i++) {
		o = &p->c->peers[i];
		if (o->kid && !strcmp(o->kid, v))
			return cfg_fail(p, "kid = %s: already the kid of [peer %s] (%s:%u)",
					SHOWN(v), o->name, o->file, o->line);
	}
	return cfg_strdup(p, &cfg_peer(p)->kid, v);
}

/* Returns a part of a parsed URL, or NULL when it has none. */
static char *cfg_url_part(CURLU *u, CURLUPart what)
{
	char *s = NULL;

	if (curl_url_get(u, what, &s, 0) != CURLUE_OK)
		return NULL;
	return s;
}

/* Whether u has the part; curl_free()s it. */
static bool cfg_url_has(CURLU *u, CURLUPart what)
{
	char *s = cfg_url_part(u, what);

	curl_free(s);
	return s != NULL;
}

/*
 * "http://host[:port][/path]" (or https), parsed by libcurl as the HTTP
 * client will: no user information, query or fragment, a host name or an
 * IP literal, a port from 1 to 65535.
 */
static const char *cfg_address_problem(const char *v)
{
	const char *why = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL;
	unsigned char addr[sizeof(struct in6_addr)];
	CURLU *u;
	size_t i;

	for (i = 0; v[i]; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return "printable ASCII without spaces expected";
	/* libcurl would take "http:/host" and "http:///host" as well. */
	i = !strncasecmp(v, "http://", 7) ? 7 :
	    !strncasecmp(v, "https://", 8) ? 8 : 0;
	if (!i)
		return "\"http://host[:port][/path]\" or https:// expected";
	if (v[i] == '/')
		return "no host";
	u = curl_url();
	if (!u)
		return "out of memory";
	if (curl_url_set(u, CURLUPART_URL, v, 0) != CURLUE_OK) {
		why = "not a URL: \"http://host[:port][/path]\" expected";
		goto out;
	}
	scheme = cfg_url_part(u, CURLUPART_SCHEME);
	host = cfg_url_part(u, CURLUPART_HOST);
	port = cfg_url_part(u, CURLUPART_PORT);
	if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https")))
		why = "the scheme must be http or https";
	else if (cfg_url_has(u, CURLUPART_USER) ||
		 cfg_url_has(u, CURLUPART_PASSWORD) ||
		 cfg_url_has(u, CURLUPART_OPTIONS))
		why = "no user information (user@) in an address";
	else if (cfg_url_has(u, CURLUPART_QUERY) ||
		 cfg_url_has(u, CURLUPART_FRAGMENT))
		why = "no query or fragment in an address";
	else if (!host || !(host[0] == '[' ||
			    inet_pton(AF_INET, host, addr) == 1 ||
			    cfg_is_domain(host, strlen(host))))
		why = "the host must be a domain name or an IP address";
	else if (port && (atoi(port) < 1 || atoi(port) > 65535))
		why = "the port must be 1 to 65535";
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return why;
}

static int set_peer_address(struct cfg_parse *p, const char *v)
{
	const char *why = cfg_address_problem(v);

	if (why)
		return cfg_fail(p, "address = %s: %s", SHOWN(v), why);
	return cfg_strdup(p, &cfg_peer(p)->address, v);
}

/* An address, and a query (a partial Retrieve: "?atrl=esi") allowed. */
static int set_peer_esi(struct cfg_parse *p, const char *v)
{
	const char *q = strchr(v, '?'), *why;
	char *base = strndup(v, q ? (size_t)(q - v) : strlen(v));

	why = !base ? "out of memory" : cfg_address_problem(base);
	if (!why && q && (!q[1] || strchr(q, '#')))
		why = "an empty query, or a fragment";
	free(base);
	if (why)
		return cfg_fail(p, "esi = %s: %s", SHOWN(v), why);
	return cfg_strdup(p, &cfg_peer(p)->esi, v);
}

static int set_peer_protect(struct cfg_parse *p, const char *v)
{
	if (!strcmp(v, "require"))
		cfg_peer(p)->protect = ESPRIMD_PROTECT_REQUIRE;
	else if (!strcmp(v, "prefer"))
		cfg_peer(p)->protect = ESPRIMD_PROTECT_PREFER;
	else if (!strcmp(v, "never"))
		cfg_peer(p)->protect = ESPRIMD_PROTECT_NEVER;
	else
		return cfg_fail(p, "protect = %s: require, prefer or never expected",
				SHOWN(v));
	return 0;
}

static int set_peer_key(struct cfg_parse *p, const char *v)
{
	if (!strcmp(v, "13") || !strcmp(v, "provisioned"))
		cfg_peer(p)->source = ESPRIMD_KEY_PROVISIONED;
	else if (!strcmp(v, "23") || !strcmp(v, "rspf"))
		cfg_peer(p)->source = ESPRIMD_KEY_RSPF;
	else if (!strcmp(v, "43") || !strcmp(v, "certificate"))
		cfg_peer(p)->source = ESPRIMD_KEY_CERTIFICATE;
	else
		return cfg_fail(p, "key = %s: 13 (provisioned), 23 (rspf) or 43 (certificate) expected",
				SHOWN(v));
	return 0;
}

static int set_peer_key_file(struct cfg_parse *p, const char *v)
{
	uint8_t key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	char why[512];
	int n;

	if (v[0] != '/')
		return cfg_fail(p, "key_file = %s: an absolute path expected",
				SHOWN(v));
	n = esprimd_config_read_key(v, key, sizeof(key), why, sizeof(why));
	OPENSSL_cleanse(key, sizeof(key));
	if (n < 0)
		return cfg_fail(p, "%s", why);
	return cfg_strdup(p, &cfg_peer(p)->key_file, v);
}

static int set_peer_rspf_target(struct cfg_parse *p, const char *v)
{
	if (!cfg_is_domain(v, strlen(v)))
		return cfg_fail(p, "rspf_target = %s: an FQDN expected (labels of letters, digits and '-', dot-separated)",
				SHOWN(v));
	return cfg_strdup(p, &cfg_peer(p)->rspf_target, v);
}

static int set_peer_enc(struct cfg_parse *p, const char *v)
{
	enum onem2m_esprim_enc enc = esprim_enc_from_name(v);

	if (!enc)
		return cfg_fail(p, "enc = %s: A128GCM, A192GCM or A256GCM expected",
				SHOWN(v));
	cfg_peer(p)->enc = enc;
	return 0;
}

static int set_peer_replay(struct cfg_parse *p, const char *v)
{
	if (!strcmp(v, "auto"))
		cfg_peer(p)->replay = ONEM2M_ESPRIM_REPLAY_AUTO;
	else if (!strcmp(v, "strict"))
		cfg_peer(p)->replay = ONEM2M_ESPRIM_REPLAY_STRICT;
	else if (!strcmp(v, "off"))
		cfg_peer(p)->replay = ONEM2M_ESPRIM_REPLAY_OFF;
	else
		return cfg_fail(p, "replay = %s: auto, strict or off expected",
				SHOWN(v));
	return 0;
}

/* ---- [cse NAME] ---- */

static struct esprimd_cse *cfg_cse(struct cfg_parse *p)
{
	return &p->c->cses[p->idx];
}

static int set_cse_user(struct cfg_parse *p, const char *v)
{
	const struct esprimd_cse *o;
	uint32_t id;
	uid_t uid = 0;
	size_t i;
	int rc;

	if (cfg_all_digits(v)) {
		if (cfg_id_number(p, v, &id))
			return -1;
		uid = id;
	} else {
		rc = cfg_lookup_user(v, &uid);
		if (rc == -ENOENT)
			return cfg_fail(p, "user = %s: no such user", SHOWN(v));
		if (rc)
			return cfg_fail(p, "user = %s: %s", SHOWN(v),
					strerror(-rc));
	}
	for (i = 0; i < p->idx; i++) {
		o = &p->c->cses[i];
		if ((p->cse_seen[i] & (1u << CSE_USER)) && o->uid == uid)
			return cfg_fail(p, "user = %s: uid %u is already [cse %s] (%s:%u)",
					SHOWN(v), (unsigned int)uid, o->name,
					o->file, o->line);
	}
	cfg_cse(p)->uid = uid;
	return 0;
}

/*
 * Whether the identity names this gateway is known only once every file
 * is read ([daemon] identity may come later): cfg_check_cse().  Several
 * CSEs may list the same identity, as they all can name only the gateway.
 */
static int cfg_cse_identity(struct cfg_parse *p, const char *id)
{
	struct esprimd_cse *cse = cfg_cse(p);
	const char *why = cfg_id_chars_problem(id);
	size_t j;

	if (why)
		return cfg_fail(p, "identity %s: %s", SHOWN(id), why);
	for (j = 0; j < cse->n_identities; j++)
		if (!strcmp(cse->identities[j], id))
			return cfg_fail(p, "identity %s: given twice",
					SHOWN(id));
	if (cse->n_identities >= CFG_MAX_IDENTITIES)
		return cfg_fail(p, "more than %d identities",
				CFG_MAX_IDENTITIES);
	p->cse_id_line[p->idx][cse->n_identities] = p->line;
	return cfg_append(p, &cse->identities, &cse->n_identities, id);
}

/* identity = one or more identities, space-separated; repeatable. */
static int set_cse_identity(struct cfg_parse *p, const char *v)
{
	char *copy = strdup(v), *save = NULL, *id;
	int rc = 0, n = 0;

	if (!copy)
		return cfg_nomem(p);
	for (id = strtok_r(copy, " \t", &save); id && !rc;
	     id = strtok_r(NULL, " \t", &save), n++)
		rc = cfg_cse_identity(p, id);
	free(copy);
	if (!rc && !n)
		return cfg_fail(p, "identity: empty; without identity the CSE has this gateway's");
	return rc;
}

static int set_cse_kernel_keys(struct cfg_parse *p, const char *v)
{
	return cfg_yes_no(p, v, &cfg_cse(p)->kernel_keys);
}

/* ---- sections and lines ---- */

/* A key, and a key that may be repeated. */
#define KEY(n, f)	{ .name = (n), .set = (f) }
#define KEY_REP(n, f)	{ .name = (n), .set = (f), .repeatable = true }

static const struct cfg_key daemon_keys[] = {
	[DAEMON_IDENTITY] = KEY("identity", set_daemon_identity),
	[DAEMON_BACKEND] = KEY("backend", set_backend),
	[DAEMON_SOCKET] = KEY("socket", set_socket),
	[DAEMON_ADMIN_GROUP] = KEY("admin_group", set_admin_group),
	[DAEMON_LISTEN] = KEY_REP("listen", set_listen),
	KEY(NULL, NULL),
};

static const struct cfg_key rand_keys[] = {
	[RAND_SHARED_LIFETIME] = KEY("shared_lifetime", set_shared_lifetime),
	[RAND_ROTATE_MARGIN] = KEY("rotate_margin", set_rotate_margin),
	[RAND_PER_REQUEST] = KEY("per_request", set_per_request),
	[RAND_ORIGINATOR_LIFETIME] = KEY("originator_lifetime",
					 set_originator_lifetime),
	[RAND_PUBLISH] = KEY("publish", set_publish),
	KEY(NULL, NULL),
};

static const struct cfg_key limits_keys[] = {
	[LIMITS_MAX_SESSIONS] = KEY("max_sessions", set_max_sessions),
	[LIMITS_SOFT_INVOCATIONS] = KEY("soft_invocations",
					set_soft_invocations),
	[LIMITS_HARD_INVOCATIONS] = KEY("hard_invocations",
					set_hard_invocations),
	[LIMITS_REKEY_MARGIN] = KEY("rekey_margin", set_rekey_margin),
	[LIMITS_REQUEST_TIMEOUT] = KEY("request_timeout", set_request_timeout),
	KEY(NULL, NULL),
};

static const struct cfg_key sidecar_keys[] = {
	[SIDECAR_CSE] = KEY("cse", set_sidecar_cse),
	[SIDECAR_OUTBOUND] = KEY_REP("outbound", set_sidecar_outbound),
	KEY(NULL, NULL),
};

static const struct cfg_key escertke_keys[] = {
	[ESCERTKE_CERTIFICATE] = KEY("certificate", set_escertke_certificate),
	[ESCERTKE_PRIVATE_KEY] = KEY("private_key", set_escertke_private_key),
	[ESCERTKE_TRUST_ANCHORS] = KEY("trust_anchors",
				       set_escertke_trust_anchors),
	[ESCERTKE_KEY_LIFETIME] = KEY("key_lifetime",
				      set_escertke_key_lifetime),
	[ESCERTKE_TIMEOUT] = KEY("timeout", set_escertke_timeout),
	[ESCERTKE_MAX_PER_PEER] = KEY("max_per_peer",
				      set_escertke_max_per_peer),
	[ESCERTKE_MAX_HANDSHAKES] = KEY("max_handshakes",
					set_escertke_max_handshakes),
	KEY(NULL, NULL),
};

static const struct cfg_key peer_keys[] = {
	[PEER_IDENTITY] = KEY("identity", set_peer_identity),
	[PEER_KID] = KEY("kid", set_peer_kid),
	[PEER_ADDRESS] = KEY("address", set_peer_address),
	[PEER_KEY] = KEY("key", set_peer_key),
	[PEER_KEY_FILE] = KEY("key_file", set_peer_key_file),
	[PEER_RSPF_TARGET] = KEY("rspf_target", set_peer_rspf_target),
	[PEER_ENC] = KEY("enc", set_peer_enc),
	[PEER_REPLAY] = KEY("replay", set_peer_replay),
	[PEER_ESI] = KEY("esi", set_peer_esi),
	[PEER_PROTECT] = KEY("protect", set_peer_protect),
	KEY(NULL, NULL),
};

static const struct cfg_key cse_keys[] = {
	[CSE_USER] = KEY("user", set_cse_user),
	[CSE_IDENTITY] = KEY_REP("identity", set_cse_identity),
	[CSE_KERNEL_KEYS] = KEY("kernel_keys", set_cse_kernel_keys),
	KEY(NULL, NULL),
};

static const struct cfg_key *const cfg_keys[SEC_COUNT] = {
	[SEC_DAEMON] = daemon_keys, [SEC_RAND] = rand_keys,
	[SEC_LIMITS] = limits_keys, [SEC_SIDECAR] = sidecar_keys,
	[SEC_ESCERTKE] = escertke_keys,
	[SEC_PEER] = peer_keys,
	[SEC_CSE] = cse_keys,
};

/* The bits of the keys given so far in this file or section. */
static uint32_t *cfg_seen(struct cfg_parse *p)
{
	if (p->sec == SEC_PEER)
		return &p->peer_seen[p->idx];
	if (p->sec == SEC_CSE)
		return &p->cse_seen[p->idx];
	return &p->file_seen[p->sec];
}

static int cfg_handler(void *user, const char *section, const char *name,
		       const char *value)
{
	struct cfg_parse *p = user;
	const struct cfg_key *k;
	uint32_t *seen, bit;
	size_t i;

	if (p->failed)
		return 0;
	if (p->sec == SEC_NONE) {
		cfg_fail(p, "%s: a key outside any section", SHOWN(name));
		return 0;
	}
	for (k = cfg_keys[p->sec]; k->name && strcmp(k->name, name); k++)
		;
	if (!k->name) {
		cfg_fail(p, "unknown key %s in [%s]", SHOWN(name),
			 cfg_section_names[p->sec]);
		return 0;
	}
	i = (size_t)(k - cfg_keys[p->sec]);
	bit = 1u << i;
	seen = cfg_seen(p);
	if ((*seen & bit) && !k->repeatable) {
		cfg_fail(p, "%s is given twice", k->name);
		return 0;
	}
	p->first = !(*seen & bit);
	*seen |= bit;
	p->key = k->name;
	p->where[p->sec][i] = (struct cfg_where){ p->file, p->line };
	return k->set(p, value) == 0;
}

/*
 * [peer NAME] or [cse NAME] with the NAME of an earlier section of its
 * kind (prev, at file:line) is refused: sections are not merged.
 */
static int cfg_name_again(struct cfg_parse *p, const char *name, size_t n,
			  const char *prev, const char *file, unsigned int line)
{
	if (strlen(prev) != n || memcmp(prev, name, n))
		return 0;
	return cfg_fail(p, "[%s %s] again (first at %s:%u)",
			cfg_section_names[p->sec], prev, file, line);
}

/* Room in *seen for the keys of section n (of n + 1), none seen yet. */
static int cfg_grow_seen(struct cfg_parse *p, uint32_t **seen, size_t n)
{
	uint32_t *s = realloc(*seen, (n + 1) * sizeof(*s));

	if (!s)
		return cfg_nomem(p);
	*seen = s;
	s[n] = 0;
	return 0;
}

static int cfg_new_peer(struct cfg_parse *p, const char *name, size_t n)
{
	struct esprimd_config *c = p->c;
	struct esprimd_peer *np, *peer;
	size_t i;

	for (i = 0; i < c->n_peers; i++)
		if (cfg_name_again(p, name, n, c->peers[i].name,
				   c->peers[i].file, c->peers[i].line))
			return -1;
	np = realloc(c->peers, (c->n_peers + 1) * sizeof(*np));
	if (!np)
		return cfg_nomem(p);
	c->peers = np;
	if (cfg_grow_seen(p, &p->peer_seen, c->n_peers))
		return -1;
	peer = &np[c->n_peers];
	*peer = (struct esprimd_peer){
		.name = strndup(name, n),
		.file = strdup(p->file),
		.line = p->line,
		.enc = ONEM2M_ESPRIM_ENC_A256GCM,
		.replay = ONEM2M_ESPRIM_REPLAY_AUTO,
	};
	p->idx = c->n_peers++;
	if (!peer->name || !peer->file)
		return cfg_nomem(p);
	return 0;
}

static int cfg_new_cse(struct cfg_parse *p, const char *name, size_t n)
{
	struct esprimd_config *c = p->c;
	struct esprimd_cse *nc, *cse;
	unsigned int (*lines)[CFG_MAX_IDENTITIES];
	size_t i;

	for (i = 0; i < c->n_cses; i++)
		if (cfg_name_again(p, name, n, c->cses[i].name,
				   c->cses[i].file, c->cses[i].line))
			return -1;
	nc = realloc(c->cses, (c->n_cses + 1) * sizeof(*nc));
	if (!nc)
		return cfg_nomem(p);
	c->cses = nc;
	if (cfg_grow_seen(p, &p->cse_seen, c->n_cses))
		return -1;
	lines = realloc(p->cse_id_line, (c->n_cses + 1) * sizeof(*lines));
	if (!lines)
		return cfg_nomem(p);
	p->cse_id_line = lines;
	cse = &nc[c->n_cses];
	*cse = (struct esprimd_cse){
		.name = strndup(name, n),
		.uid = (uid_t)-1,
		.file = strdup(p->file),
		.line = p->line,
	};
	p->idx = c->n_cses++;
	if (!cse->name || !cse->file)
		return cfg_nomem(p);
	return 0;
}

/* "[peer NAME]" or "[cse NAME]": s, n is what is between the brackets. */
static int cfg_named_section(struct cfg_parse *p, enum cfg_section sec,
			     const char *s, size_t n)
{
	size_t kw = strlen(cfg_section_names[sec]);
	const char *name = s + kw;

	while (name < s + n && (*name == ' ' || *name == '\t'))
		name++;
	n -= (size_t)(name - s);
	if (!cfg_is_section_name(name, n))
		return cfg_fail(p, "[%s %s]: a NAME of 1 to %d letters, digits, '_', '.' and '-' expected",
				cfg_section_names[sec], SHOWN_N(name, n),
				CFG_MAX_NAME);
	p->sec = sec;
	return sec == SEC_PEER ? cfg_new_peer(p, name, n) :
				 cfg_new_cse(p, name, n);
}

/* A section header; s is at its '['. */
static int cfg_header(struct cfg_parse *p, const char *s)
{
	const char *end = strchr(s, ']'), *t;
	enum cfg_section sec;
	size_t n, kw;

	if (!end)
		return cfg_fail(p, "a section header without ']'");
	for (t = end + 1; *t; t++)
		if (!isspace((unsigned char)*t))
			return cfg_fail(p, "text after the section header");
	s++;
	n = (size_t)(end - s);
	for (sec = SEC_DAEMON; sec < SEC_COUNT; sec++) {
		kw = strlen(cfg_section_names[sec]);
		if (n < kw || memcmp(s, cfg_section_names[sec], kw))
			continue;
		if (n == kw && sec < SEC_PEER) {
			p->sec = sec;
			return sec == SEC_ESCERTKE ? cfg_new_escertke(p) : 0;
		}
		if (n == kw)
			return cfg_fail(p, "[%s] without a NAME: [%s NAME]",
					cfg_section_names[sec],
					cfg_section_names[sec]);
		if (sec >= SEC_PEER && (s[kw] == ' ' || s[kw] == '\t'))
			return cfg_named_section(p, sec, s, n);
	}
	return cfg_fail(p, "unknown section [%s]", SHOWN_N(s, n));
}

/*
 * inih's fgets(): one line a call, counted, whole or refused, section
 * headers read here first.  NULL ends the parse (at the end of the file,
 * or after a problem was reported).
 */
static char *cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse *p = stream;
	const char *s;
	ssize_t n;

	if (p->failed)
		return NULL;
	errno = 0;
	n = getline(&p->buf, &p->cap, p->fp);
	if (n < 0) {
		if (ferror(p->fp))
			cfg_fail_at(p, p->file, 0, "%s",
				    strerror(errno ? errno : EIO));
		return NULL;
	}
	p->line++;
	if (strlen(p->buf) != (size_t)n) {
		cfg_fail(p, "a NUL byte in the line");
		return NULL;
	}
	if (n - (p->buf[n - 1] == '\n') > CFG_MAX_LINE - 2 || n >= num) {
		cfg_fail(p, "a line longer than %d characters",
			 CFG_MAX_LINE - 2);
		return NULL;
	}
	for (s = p->buf; isspace((unsigned char)*s); s++)
		;
	if (*s == '[' && cfg_header(p, s))
		return NULL;
	memcpy(str, p->buf, (size_t)n + 1);
	return str;
}

/*
 * Debian's libinih has its build options as variables; set before each
 * parse (esprimd is one thread).  No multi-line values and no inline
 * comments: a value is the rest of its line, ';' and '#' included.
 */
static void cfg_inih_options(void)
{
	ini_allow_multiline = false;
	ini_allow_inline_comments = false;
	ini_allow_bom = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = true;
	ini_use_stack = true;
	ini_max_line = CFG_MAX_LINE;
}

/* Keeps file's name for messages; it is p->file from then on. */
static int cfg_add_file(struct cfg_parse *p, const char *file)
{
	char **nf = realloc(p->files, (p->n_files + 1) * sizeof(*nf));

	if (!nf)
		return cfg_fail_at(p, file, 0, "out of memory");
	p->files = nf;
	nf[p->n_files] = strdup(file);
	if (!nf[p->n_files])
		return cfg_fail_at(p, file, 0, "out of memory");
	p->file = nf[p->n_files++];
	return 0;
}

/*
 * Who may change a configuration file or conf.d/ may add [cse] sections
 * or change admin_group: only root or the daemon's own user.  Being
 * readable by others is fine, as the files hold no secrets.
 */
static int cfg_check_owner(struct cfg_parse *p, const char *file,
			   const struct stat *st)
{
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return cfg_fail_at(p, file, 0,
				   "writable by group or others (mode %04o); chmod go-w it",
				   (unsigned int)(st->st_mode & 07777));
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return cfg_fail_at(p, file, 0,
				   "owned by uid %u, not root or the daemon's user",
				   (unsigned int)st->st_uid);
	return 0;
}

/*
 * Opens name (relative to dirfd) as file, checked by what was opened.
 * O_NONBLOCK: a FIFO is refused, not waited on.
 */
static FILE *cfg_open(struct cfg_parse *p, int dirfd, const char *name,
		      const char *file)
{
	struct stat st;
	FILE *fp;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		cfg_fail_at(p, file, 0, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		cfg_fail_at(p, file, 0, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_fail_at(p, file, 0, "not a regular file");
		goto fail;
	}
	if (cfg_check_owner(p, file, &st))
		goto fail;
	fp = fdopen(fd, "r");
	if (fp)
		return fp;
	cfg_fail_at(p, file, 0, "%s", strerror(errno));
fail:
	close(fd);
	return NULL;
}

/* file (its name for messages) is name in dirfd. */
static int cfg_parse_file(struct cfg_parse *p, int dirfd, const char *name,
			  const char *file)
{
	int rc;

	if (cfg_add_file(p, file))
		return -1;
	p->fp = cfg_open(p, dirfd, name, file);
	if (!p->fp)
		return -1;
	p->line = 0;
	p->sec = SEC_NONE;
	memset(p->file_seen, 0, sizeof(p->file_seen));
	cfg_inih_options();
	rc = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (p->failed)
		rc = -1;
	else if (rc == -2)
		rc = cfg_fail_at(p, file, 0, "out of memory");
	else if (rc)
		rc = cfg_fail_at(p, file, (unsigned int)rc,
				 "neither \"key = value\", a [section] nor a comment");
	fclose(p->fp);
	p->fp = NULL;
	return rc;
}

static int cfg_confd_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       !strcmp(d->d_name + n - 5, ".conf");
}

/* Byte order, whatever the locale. */
static int cfg_confd_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * conf.d/ opened and checked: who may write in it may add files, so it is
 * held to the rule of the files.  -1 (reported), 0 with *fd, or 0 with
 * *fd -1 when there is no conf.d.
 */
static int cfg_open_confd(struct cfg_parse *p, const char *dir, int *fd)
{
	struct stat st;

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? 0 :
		       cfg_fail_at(p, dir, 0, "%s", strerror(errno));
	if (fstat(*fd, &st))
		cfg_fail_at(p, dir, 0, "%s", strerror(errno));
	else
		cfg_check_owner(p, dir, &st);
	if (!p->failed)
		return 0;
	close(*fd);
	*fd = -1;
	return -1;
}

/*
 * conf.d/ *.conf beside path, in name order; no conf.d is no error.  The
 * directory is listed and its files opened through the descriptor that
 * was checked.
 */
static int cfg_parse_confd(struct cfg_parse *p, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct dirent **names = NULL;
	char *dir = NULL, *file;
	int i, n, fd, rc = 0;

	if (asprintf(&dir, "%.*sconf.d", slash ? (int)(slash - path + 1) : 0,
		     path) < 0)
		return cfg_fail_at(p, path, 0, "out of memory");
	if (cfg_open_confd(p, dir, &fd) || fd < 0) {
		free(dir);
		return p->failed ? -1 : 0;
	}
	n = scandirat(fd, ".", &names, cfg_confd_filter, cfg_confd_order);
	if (n < 0)
		rc = cfg_fail_at(p, dir, 0, "%s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (!rc && asprintf(&file, "%s/%s", dir,
				    names[i]->d_name) < 0) {
			rc = cfg_fail_at(p, dir, 0, "out of memory");
		} else if (!rc) {
			rc = cfg_parse_file(p, fd, names[i]->d_name, file);
			free(file);
		}
		free(names[i]);
	}
	free(names);
	close(fd);
	free(dir);
	return rc;
}

/* Where a or else b was last given (one was: the defaults agree). */
static struct cfg_where cfg_where_of(struct cfg_parse *p, const char *path,
				     enum cfg_section sa, int a,
				     enum cfg_section sb, int b)
{
	if (p->where[sa][a].file)
		return p->where[sa][a];
	if (p->where[sb][b].file)
		return p->where[sb][b];
	return (struct cfg_where){ path, 0 };
}

/*
 * [escertke] needs its three files; a key must outlive the margin at
 * which sessions are renewed, or every renewal would start a handshake.
 */
static int cfg_check_escertke(struct cfg_parse *p, const char *path)
{
	const struct esprimd_escertke *x = p->c->escertke;
	struct cfg_where w;

	if (!x)
		return 0;
	if (!x->cert_file || !x->key_file || !x->trust_file)
		return cfg_fail_at(p, x->file, x->line,
				   "[escertke] needs %s",
				   !x->cert_file ? "certificate" :
				   !x->key_file ? "private_key" :
				   "trust_anchors");
	if (x->key_lifetime_s <= p->c->rekey_margin_s) {
		w = cfg_where_of(p, path, SEC_ESCERTKE, ESCERTKE_KEY_LIFETIME,
				 SEC_LIMITS, LIMITS_REKEY_MARGIN);
		return cfg_fail_at(p, w.file, w.line,
				   "key_lifetime (%u) must be more than rekey_margin (%u)",
				   x->key_lifetime_s, p->c->rekey_margin_s);
	}
	return 0;
}

/* The relations between values that may come from different files. */
static int cfg_check_globals(struct cfg_parse *p, const char *path)
{
	const struct esprimd_config *c = p->c;
	struct cfg_where w;

	if (!c->identity)
		return cfg_fail_at(p, path, 0, "[daemon] identity is required");
	if (c->n_outbound && !c->sidecar_cse)
		return cfg_fail_at(p, path, 0,
				   "[sidecar] outbound needs [sidecar] cse");
	if (c->rand_rotate_margin_s >= c->shared_rand_lifetime_s) {
		w = cfg_where_of(p, path, SEC_RAND, RAND_ROTATE_MARGIN,
				 SEC_RAND, RAND_SHARED_LIFETIME);
		return cfg_fail_at(p, w.file, w.line,
				   "rotate_margin (%u) must be less than shared_lifetime (%u)",
				   c->rand_rotate_margin_s,
				   c->shared_rand_lifetime_s);
	}
	if (c->soft_invocations >= c->hard_invocations) {
		w = cfg_where_of(p, path, SEC_LIMITS, LIMITS_SOFT_INVOCATIONS,
				 SEC_LIMITS, LIMITS_HARD_INVOCATIONS);
		return cfg_fail_at(p, w.file, w.line,
				   "soft_invocations (%" PRIu64 ") must be less than hard_invocations (%" PRIu64 ")",
				   c->soft_invocations, c->hard_invocations);
	}
	if (c->rekey_margin_s >= c->originator_lifetime_s) {
		w = cfg_where_of(p, path, SEC_LIMITS, LIMITS_REKEY_MARGIN,
				 SEC_RAND, RAND_ORIGINATOR_LIFETIME);
		return cfg_fail_at(p, w.file, w.line,
				   "rekey_margin (%u) must be less than originator_lifetime (%u)",
				   c->rekey_margin_s, c->originator_lifetime_s);
	}
	return cfg_check_escertke(p, path);
}

static int cfg_check_peer(struct cfg_parse *p, size_t i)
{
	static const int required[] = {
		PEER_IDENTITY, PEER_KEY, PEER_KID, PEER_KEY_FILE,
	};
	const struct esprimd_peer *peer = &p->c->peers[i];
	bool cert = peer->source == ESPRIMD_KEY_CERTIFICATE;
	size_t r;

	/* SUID 43: identity and key only; the handshake makes the rest. */
	for (r = 0; r < (cert ? 2 : sizeof(required) / sizeof(required[0]));
	     r++)
		if (!(p->peer_seen[i] & (1u << required[r])))
			return cfg_fail_at(p, peer->file, peer->line,
					   "[peer %s] has no %s", peer->name,
					   peer_keys[required[r]].name);
	if (cert && (peer->kid || peer->key_file))
		return cfg_fail_at(p, peer->file, peer->line,
				   "[peer %s]: key = 43 takes no %s: ESCertKE makes the key and names it (lowercase hex of its key ID)",
				   peer->name, peer->kid ? "kid" : "key_file");
	if (cert && !p->c->escertke)
		return cfg_fail_at(p, peer->file, peer->line,
				   "[peer %s]: key = 43 needs an [escertke] section (this gateway's certificate)",
				   peer->name);
	if (peer->source == ESPRIMD_KEY_RSPF && !peer->rspf_target)
		return cfg_fail_at(p, peer->file, peer->line,
				   "[peer %s]: key = 23 needs rspf_target",
				   peer->name);
	if (peer->source != ESPRIMD_KEY_RSPF && peer->rspf_target)
		return cfg_fail_at(p, peer->file, peer->line,
				   "[peer %s]: rspf_target is for key = 23 only",
				   peer->name);
	if (!strcmp(peer->identity, p->c->identity))
		return cfg_fail_at(p, peer->file, peer->line,
				   "[peer %s]: identity %s is this daemon's own",
				   peer->name, peer->identity);
	return 0;
}

/*
 * A CSE's identities must name this gateway as a peer's From check reads
 * them (TS-0003 7.2.2, profile B.11: fr expanded with the SP-ID of the
 * identity bound to the pairwise key, then compared): the gateway's
 * identity, or its SP-relative form.  The key is bound to the gateway's
 * identity, so any other From fails with 4116 at a conformant peer.
 */
static int cfg_check_cse(struct cfg_parse *p, size_t i)
{
	struct esprimd_cse *cse = &p->c->cses[i];
	const char *gw = p->c->identity, *id;
	struct esprim_error e;
	size_t j;

	if (!(p->cse_seen[i] & (1u << CSE_USER)))
		return cfg_fail_at(p, cse->file, cse->line,
				   "[cse %s] has no user", cse->name);
	for (j = 0; j < cse->n_identities; j++) {
		id = cse->identities[j];
		if (esprim_from_matches(id, strlen(id), gw, &e))
			return cfg_fail_at(p, cse->file,
					   p->cse_id_line[i][j],
					   "[cse %s]: identity %s does not name this gateway (%s), the only From its peers accept (TS-0003 7.2.2)",
					   cse->name, id, gw);
	}
	if (cse->n_identities)
		return 0;
	cse->identities = malloc(sizeof(*cse->identities));
	if (cse->identities)
		cse->identities[0] = strdup(gw);
	if (!cse->identities || !cse->identities[0])
		return cfg_fail_at(p, cse->file, cse->line, "out of memory");
	cse->n_identities = 1;
	return 0;
}

static int cfg_check(struct cfg_parse *p, const char *path)
{
	size_t i;

	if (cfg_check_globals(p, path))
		return -1;
	for (i = 0; i < p->c->n_peers; i++)
		if (cfg_check_peer(p, i))
			return -1;
	for (i = 0; i < p->c->n_cses; i++)
		if (cfg_check_cse(p, i))
			return -1;
	return 0;
}

static struct esprimd_config *cfg_new(void)
{
	struct esprimd_config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->backend = ESPRIMD_BACKEND_AUTO;
	c->socket_path = strdup(ESPRIMD_SOCKET_PATH);
	c->admin_gid = (gid_t)-1;
	c->shared_rand_lifetime_s = 3600;
	c->rand_rotate_margin_s = 300;
	c->per_request_rand = true;
	c->originator_lifetime_s = 600;
	c->max_sessions = 4096;
	c->soft_invocations = 1ULL << 20;
	c->hard_invocations = 1ULL << 24;
	c->rekey_margin_s = 60;
	c->request_timeout_ms = 5000;
	if (!c->socket_path) {
		free(c);
		return NULL;
	}
	return c;
}

int esprimd_config_load(const char *path, struct esprimd_config **config,
			char *err, size_t err_size)
{
	struct cfg_parse p = { .err = err, .err_size = err_size };
	size_t i;
	int rc;

	*config = NULL;
	if (err_size)
		err[0] = '\0';
	p.c = cfg_new();
	if (!p.c)
		return cfg_fail_at(&p, path, 0, "out of memory");
	rc = cfg_parse_file(&p, AT_FDCWD, path, path);
	if (!rc)
		rc = cfg_parse_confd(&p, path);
	if (!rc)
		rc = cfg_check(&p, path);
	free(p.buf);
	free(p.peer_seen);
	free(p.cse_seen);
	free(p.cse_id_line);
	for (i = 0; i < p.n_files; i++)
		free(p.files[i]);
	free(p.files);
	if (rc) {
		esprimd_config_free(p.c);
		return -1;
	}
	*config = p.c;
	return 0;
}

void esprimd_config_free(struct esprimd_config *c)
{
	size_t i, j;

	if (!c)
		return;
	free(c->identity);
	free(c->socket_path);
	for (i = 0; i < c->n_listen; i++)
		free(c->listen[i]);
	free(c->listen);
	for (i = 0; i < c->n_outbound; i++)
		free(c->outbound[i]);
	free(c->outbound);
	free(c->sidecar_cse);
	free(c->publish);
	if (c->escertke) {
		free(c->escertke->cert_file);
		free(c->escertke->key_file);
		free(c->escertke->trust_file);
		free(c->escertke->file);
		free(c->escertke);
	}
	for (i = 0; i < c->n_peers; i++) {
		free(c->peers[i].name);
		free(c->peers[i].identity);
		free(c->peers[i].kid);
		free(c->peers[i].address);
		free(c->peers[i].esi);
		free(c->peers[i].key_file);
		free(c->peers[i].rspf_target);
		free(c->peers[i].file);
	}
	free(c->peers);
	for (i = 0; i < c->n_cses; i++) {
		for (j = 0; j < c->cses[i].n_identities; j++)
			free(c->cses[i].identities[j]);
		free(c->cses[i].identities);
		free(c->cses[i].name);
		free(c->cses[i].file);
	}
	free(c->cses);
	free(c);
}

const struct esprimd_peer *
esprimd_config_peer_by_identity(const struct esprimd_config *c,
				const char *identity)
{
	size_t i;

	for (i = 0; c && identity && i < c->n_peers; i++)
		if (c->peers[i].identity &&
		    !strcmp(c->peers[i].identity, identity))
			return &c->peers[i];
	return NULL;
}

const struct esprimd_peer *
esprimd_config_peer_by_kid(const struct esprimd_config *c, const char *kid)
{
	size_t i;

	for (i = 0; c && kid && i < c->n_peers; i++)
		if (c->peers[i].kid && !strcmp(c->peers[i].kid, kid))
			return &c->peers[i];
	return NULL;
}

const struct esprimd_peer *
esprimd_config_peer_by_name(const struct esprimd_config *c, const char *name)
{
	size_t i;

	for (i = 0; c && name && i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}

const struct esprimd_cse *
esprimd_config_cse_by_uid(const struct esprimd_config *c, uid_t uid)
{
	size_t i;

	for (i = 0; c && i < c->n_cses; i++)
		if (c->cses[i].uid == uid)
			return &c->cses[i];
	return NULL;
}

/* ---- key files ---- */

static __attribute__((format(printf, 3, 4)))
int cfg_key_fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *cfg_mode_problem(mode_t m)
{
	if (m & S_IROTH)
		return "readable by others";
	if (m & S_IWOTH)
		return "writable by others";
	if (m & S_IRGRP)
		return "readable by its group";
	if (m & S_IWGRP)
		return "writable by its group";
	return "open to its group or others";
}

/* What is checked of the file opened: type, permissions, owner. */
static int cfg_key_stat(const char *file, const struct stat *st, char *err,
			size_t err_size)
{
	if (!S_ISREG(st->st_mode))
		return cfg_key_fail(err, err_size, "%s: not a regular file",
				    file);
	if (st->st_mode & 077)
		return cfg_key_fail(err, err_size,
				    "%s: %s (mode %04o); chmod 600 it", file,
				    cfg_mode_problem(st->st_mode),
				    (unsigned int)(st->st_mode & 07777));
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return cfg_key_fail(err, err_size,
				    "%s: owned by uid %u; a key file belongs to esprimd's user (uid %u) or root",
				    file, (unsigned int)st->st_uid,
				    (unsigned int)geteuid());
	return 0;
}

/* Reads at most size - 1 bytes and a NUL; the count, or -errno. */
static ssize_t cfg_read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Checks the hex of hex[0..len) and decodes it into key. */
static int cfg_key_decode(const char *file, char *hex, size_t len,
			  uint8_t *key, size_t key_size, char *err,
			  size_t err_size)
{
	size_t i, out = 0;

	if (len && hex[len - 1] == '\n')
		hex[--len] = '\0';
	for (i = 0; i < len; i++)
		if (!isascii(hex[i]) || !isxdigit(hex[i]))
			return cfg_key_fail(err, err_size,
					    "%s: character %zu is not a hex digit; a key file is %d to %d hex digits and a newline",
					    file, i + 1, CFG_KEY_MIN_HEX,
					    CFG_KEY_MAX_HEX);
	if (len < CFG_KEY_MIN_HEX || len > CFG_KEY_MAX_HEX)
		return cfg_key_fail(err, err_size,
				    "%s: %s%zu hex digits; a key file holds %d to %d (%d to %d octets)",
				    file, len > CFG_KEY_MAX_HEX ? "over " : "",
				    len > CFG_KEY_MAX_HEX ? (size_t)CFG_KEY_MAX_HEX : len,
				    CFG_KEY_MIN_HEX, CFG_KEY_MAX_HEX,
				    ONEM2M_ESPRIM_MIN_PAIRWISE_LEN,
				    ONEM2M_ESPRIM_MAX_PAIRWISE_LEN);
	if (len % 2)
		return cfg_key_fail(err, err_size,
				    "%s: an odd number of hex digits (%zu)",
				    file, len);
	if (len / 2 > key_size)
		return cfg_key_fail(err, err_size,
				    "%s: a key of %zu octets, more than the %zu expected",
				    file, len / 2, key_size);
	if (OPENSSL_hexstr2buf_ex(key, key_size, &out, hex, '\0') != 1 ||
	    out != len / 2) {
		OPENSSL_cleanse(key, key_size);
		return cfg_key_fail(err, err_size, "%s: not hex", file);
	}
	return (int)out;
}

int esprimd_config_read_key(const char *file, uint8_t *key, size_t key_size,
			    char *err, size_t err_size)
{
	/* The hex of the longest key, a newline, one more to see excess. */
	char hex[CFG_KEY_MAX_HEX + 3];
	struct stat st;
	ssize_t len;
	int fd, rc;

	if (lstat(file, &st))
		return cfg_key_fail(err, err_size, "%s: %s", file,
				    strerror(errno));
	if (S_ISLNK(st.st_mode))
		return cfg_key_fail(err, err_size,
				    "%s: a symbolic link; name the key file itself",
				    file);
	/* Before open(): a FIFO or a device is never opened. */
	if (!S_ISREG(st.st_mode))
		return cfg_key_fail(err, err_size, "%s: not a regular file",
				    file);
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		  O_CLOEXEC);
	if (fd < 0)
		return cfg_key_fail(err, err_size, "%s: %s", file,
				    errno == ELOOP ? "a symbolic link; name the key file itself" :
				    strerror(errno));
	/* What was opened is what counts. */
	rc = fstat(fd, &st) ? cfg_key_fail(err, err_size, "%s: %s", file,
					    strerror(errno)) :
	     cfg_key_stat(file, &st, err, err_size);
	if (!rc) {
		len = cfg_read_all(fd, hex, sizeof(hex));
		rc = len < 0 ? cfg_key_fail(err, err_size, "%s: %s", file,
					    strerror((int)-len)) :
		     cfg_key_decode(file, hex, (size_t)len, key, key_size,
				    err, err_size);
	}
	close(fd);
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc;
}
