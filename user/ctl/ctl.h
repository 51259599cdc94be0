/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimctl: what the commands share.  Each command lives in a file of its
 * own with its usage text and options; esprimctl.c dispatches.
 */
#ifndef ESPRIMCTL_CTL_H
#define ESPRIMCTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "esprim.h"

#define ESPRIMCTL_VERSION	"2.1.0"

/* Exit statuses (esprimctl.8). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_FAIL		1
#define CTL_EXIT_USAGE		2
#define CTL_EXIT_PERM		4	/* esprimd or the kernel refused */
#define CTL_EXIT_NO_DAEMON	6	/* no socket of esprimd */

/* Input a command reads: an object, m2m:seci content or a primitive. */
#define CTL_MAX_INPUT		(ESPRIM_MAX_OBJECT_LEN + 4096)
#define CTL_MAX_RAND_FILE	(4 * ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN)

struct ctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *desc;
};

/* Set by -j anywhere on the command line. */
extern bool ctl_json;
/* "esprimctl seal": what messages of the running command begin with. */
extern const char *ctl_prog;

int cmd_rand(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_derive(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_peers(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_establish(int argc, char **argv);
int cmd_rekey(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_reload(int argc, char **argv);

/* Long-only options several commands take. */
enum {
	CTL_OPT_KEY_FILE = 256,
	CTL_OPT_KEY_SERIAL,
	CTL_OPT_BACKEND,
	CTL_OPT_KID,
	CTL_OPT_PEER,
	CTL_OPT_RRO,
	CTL_OPT_ORO,
	CTL_OPT_ENC,
	CTL_OPT_SOCKET,
	CTL_OPT_CMD_BASE,	/* a command's own options from here */
};

#define CTL_KEY_LONGOPTS \
	{ "pairwise-key-file", required_argument, NULL, CTL_OPT_KEY_FILE }, \
	{ "key-serial", required_argument, NULL, CTL_OPT_KEY_SERIAL }, \
	{ "backend", required_argument, NULL, CTL_OPT_BACKEND }, \
	{ "kid", required_argument, NULL, CTL_OPT_KID }, \
	{ "peer", required_argument, NULL, CTL_OPT_PEER }

/* Where the pairwise key comes from, and what it is bound to. */
struct ctl_key {
	enum esprim_backend_kind backend;
	const char *file;
	const char *kid;
	const char *peer;
	int32_t serial;
};

/*
 * Takes one of CTL_KEY_LONGOPTS into k: 1 if it was one, 0 if not, or a
 * usage error's exit status.
 */
int ctl_key_opt(struct ctl_key *k, int c, const char *arg,
		const char *usage);
/* Usage errors of the key options: which source the backend allows. */
int ctl_key_validate(const struct ctl_key *k, const char *usage);
/*
 * Adds the key to ctx under kid, bound to k->peer: from the file (the
 * octets wiped before returning), or, kernel backend, a keyring key.  A
 * key file without --peer is for commands that never open a request
 * (the From check is all the identity serves): the caller makes sure.
 */
int ctl_key_add(struct esprim_ctx *ctx, const struct ctl_key *k,
		const char *kid, int rsc, struct esprim_error *e);
/* A pairwise key file: 16 to 64 bytes in hex; key is wiped by the caller. */
int ctl_key_file(const char *path, uint8_t *key, size_t *key_len, int rsc,
		 struct esprim_error *e);

/* Prints usage to stdout for --help; 0. */
int ctl_help(const char *usage);
/* "esprimctl seal: <why>" and the usage to stderr; 2. */
int ctl_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The usage to stderr after getopt's own message; 2. */
int ctl_usage_getopt(const char *usage);
/* Reports a failure (rc an RSC or -errno, e filled); 1. */
int ctl_report(int rc, const struct esprim_error *e);
/* Fills e with a local failure; returns -errnum. */
int ctl_fail_local(struct esprim_error *e, int errnum, int rsc,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A whole file ("-": stdin) of at most max bytes, NUL-terminated, read
 * with read(2); NULL with e filled.  Freed with free().
 */
char *ctl_read_file(const char *path, size_t max, size_t *len, int rsc,
		    struct esprim_error *e);
/* Strips the trailing newlines shells add to files and pipes. */
void ctl_chomp(char *s, size_t *len);
/* A rand object from a file. */
int ctl_rand_file(const char *path, bool receiver, struct esprim_rand **r,
		  int rsc, struct esprim_error *e);
/*
 * The ESPrim Object in in: in itself, or the epo of m2m:seci content
 * (seci is then filled; release it with esprim_seci_release()).
 */
int ctl_object(const char *in, size_t len, struct esprim_seci *seci,
	       const char **obj, size_t *obj_len, struct esprim_error *e);
/* Writes all of buf to fd; 0 or -errno. */
int ctl_write(int fd, const void *buf, size_t len);
/* Prints j compactly on a line of stdout and drops it; 0 or 1. */
int ctl_json_print(json_t *j);
/* A rand object as a JSON value (its JCS octets parsed), or null. */
json_t *ctl_rand_json(const struct esprim_rand *r);

enum onem2m_esprim_enc ctl_parse_enc(const char *name);
/* 0 and *role, or -1. */
int ctl_parse_role(const char *name, enum onem2m_esprim_role *role);
/* "10,11,12" as ESPRIM_ESPA_* flags; 0 if malformed. */
uint32_t ctl_parse_espa(const char *list);
const char *ctl_role_name(enum onem2m_esprim_role role);

/* ---- the operator commands: esprimd's socket (daemon.c) ---- */

#define CTL_DAEMON_SOCKET	"/run/onem2m-esprim/esprimd.sock"
/* Milliseconds esprimd has to answer one operation. */
#define CTL_DAEMON_TIMEOUT_MS	30000

/* --socket in a command's usage text. */
#define CTL_USAGE_SOCKET \
	"  --socket PATH   esprimd's socket (default $ESPRIMD_SOCKET, else\n" \
	"                  " CTL_DAEMON_SOCKET ")\n"
/* The end of the usage of status, stats and sessions: both parts shown. */
#define CTL_USAGE_BOTH_PARTS \
	CTL_USAGE_SOCKET \
	"  -j, --json      as JSON: {\"ok\":..,\"daemon\":{..},\"kernel\":{..}}\n" \
	"  -h, --help      this text\n\n" \
	"Exit status: 0, 1 failed, 2 usage, 4 permission denied, 6 esprimd not\n" \
	"running (no socket).  The kernel part is shown in any case.\n"

/* Set by --socket, before the command or among its options. */
extern const char *ctl_socket;

/* --socket, else $ESPRIMD_SOCKET, else CTL_DAEMON_SOCKET. */
const char *ctl_socket_path(void);
/*
 * Asks esprimd for op with the members of args (stolen; NULL for none).
 * Returns an exit status and, in *reply, what the command shows: on 0
 * the reply without its "id" ({"ok":true, ...}); otherwise a failure
 * {"ok":false,"error":NAME,"message":MSG[,"rsc":N][,"errno":N]}, the
 * daemon's or one made here when it could not be asked (status 6 when
 * the socket does not exist, 4 for EACCES and EPERM, else 1).
 */
int ctl_daemon_call(const char *op, json_t *args, json_t **reply);
/*
 * The options of a command that takes no others than -h, -j and
 * --socket, and from min_args to max_args arguments (into args[]):
 * -1 to go on, or the exit status to return (--help, a usage error).
 */
int ctl_daemon_opts(int argc, char **argv, const char *usage, int min_args,
		    int max_args, char **args);
/*
 * What getopt_long() returned (c) when it is -h, -j, --socket or not an
 * option of the command: -1 to go on, or the exit status to return.
 */
int ctl_daemon_opt(int c, const char *usage);
/*
 * A command that asks esprimd one thing: the reply shown by show (text)
 * or printed as JSON (-j); a failure reported.  An exit status.
 */
int ctl_daemon_command(const char *op, json_t *args,
		       void (*show)(json_t *reply));
/*
 * status and stats: what esprimd replies to op (no arguments), shown by
 * show, and the module's counters, shown whatever esprimd answered.
 */
int ctl_daemon_kernel_command(int argc, char **argv, const char *usage,
			      const char *op,
			      void (*show)(json_t *d, int status));
/*
 * establish and rekey (establish.c): op for the peer in argv (required
 * if peer_required), and with --wait until the session is up.
 */
int ctl_establish_run(int argc, char **argv, const char *usage,
		      const char *op, bool peer_required);
/* A failure object's exit status: 4 for EACCES and EPERM, else 1. */
int ctl_failure_status(const json_t *failure);
/*
 * Reports a failure object: "esprimctl: [RSC ]NAME: MSG" on stderr, or
 * with -j the object on stdout.  Drops it; returns status.
 */
int ctl_failure_report(json_t *failure, int status);
/* A failure object of an errno, the message formatted. */
json_t *ctl_failure_new(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- the module's generic netlink family (kernel.c) ---- */

/*
 * The module's counters (stats-get).  Returns an exit status and, in
 * *out, {"ok":true,"loaded":true,"stats":{...}}; {"ok":true,
 * "loaded":false} when no onem2m_esprim family is registered (not a
 * failure: the daemon may run on the soft backend); or a failure object,
 * with "loaded":true once the family was found (4 for EPERM and EACCES,
 * else 1).
 */
int ctl_kernel_stats(json_t **out);
/*
 * The session keys the caller may view (session-get dump), as
 * ctl_kernel_stats() with "sessions":[{...}, ...].
 */
int ctl_kernel_sessions(json_t **out);

/* ---- text output (show.c) ---- */

/* Member name of o: its string (NULL if none), its integer (0 if none). */
const char *ctl_jstr(const json_t *o, const char *name);
json_int_t ctl_jint(const json_t *o, const char *name);
/*
 * The heading of the module's part when it has nothing else to show:
 * its failure, or that it is not loaded.  True if it printed one.
 */
bool ctl_show_kernel_absent(const json_t *k, int status);

#define CTL_BLOCK_MAX	48
/**
 * struct ctl_block - aligned "label: value" lines under a heading, as
 *	wg show prints them
 * @n: lines so far (lines past CTL_BLOCK_MAX are left out)
 * @label: their labels
 * @value: their values
 */
struct ctl_block {
	size_t n;
	char *label[CTL_BLOCK_MAX];
	char *value[CTL_BLOCK_MAX];
};

void ctl_block_add(struct ctl_block *b, const char *label, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
/* Adds member name of obj (if present) as label. */
void ctl_block_member(struct ctl_block *b, const char *label,
		      const json_t *obj, const char *name);
/*
 * Adds the members of obj not named in skip (NULL-terminated, may be
 * NULL), labelled by their names with '_' as ' ': what a newer esprimd
 * replies is shown too.
 */
void ctl_block_rest(struct ctl_block *b, json_t *obj,
		    const char *const *skip);
/* Prints heading (if not NULL), then the lines indented; empties b. */
void ctl_block_print(struct ctl_block *b, const char *heading);
/* A JSON value as text: strings as they are, arrays joined by ", ". */
char *ctl_json_text(const json_t *v);
/* "1h 02m 03s"; for a negative span, "-" before it. */
void ctl_fmt_span(char *buf, size_t size, long long seconds);
/* A key serial as keyctl (decimal) and /proc/keys (hex) show it. */
void ctl_fmt_serial(char *buf, size_t size, json_int_t serial);
/* "2026-12-01 17:03:04 (in 59m 58s)" of a time in seconds since 1970. */
void ctl_fmt_time(char *buf, size_t size, long long epoch_s);
/* "HEADING: message (ERROR)" of a failure object, on stdout. */
void ctl_show_failure(const char *heading, const json_t *failure);
/* The module's counters (ctl_kernel_stats()'s part), as text. */
void ctl_show_kernel_stats(json_t *k, int status);
/* Prints {"ok":..., "daemon":d, "kernel":k} (both stolen); 0 or 1. */
int ctl_json_print_parts(int status, json_t *daemon, json_t *kernel);
/*
 * esprimd's part d (of status ds) and the module's k (ks), as JSON (-j)
 * or shown by show_d and show_k; drops both.  The exit status: the
 * daemon's, else the module's (or 1 if the JSON could not be printed).
 */
int ctl_show_parts(json_t *d, int ds, void (*show_d)(json_t *d, int status),
		   json_t *k, int ks, void (*show_k)(json_t *k, int status));

#endif /* ESPRIMCTL_CTL_H */
