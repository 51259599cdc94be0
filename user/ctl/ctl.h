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

#define ESPRIMCTL_VERSION	"2.0.0"

/* Exit statuses (esprimctl.8). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_FAIL		1
#define CTL_EXIT_USAGE		2

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

#endif /* ESPRIMCTL_CTL_H */
