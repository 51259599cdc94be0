// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl keys: the "esprim" keys of the kernel's keyrings the caller
 * may view, as /proc/keys shows them: pairwise and enrolment keys (and,
 * with --all, session keys).  No key octets: the kernel shows none.
 *
 * A /proc/keys line is the serial (hex), flags, usage, expiry,
 * permissions (hex), uid, gid and type, then what the type describes:
 * for "esprim" the key's description and, once instantiated, ": " and
 * its kind followed by name=value words (kmod/key_type.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

#define KEYS_PROC	"/proc/keys"

static const char keys_usage[] =
	"Usage: esprimctl keys [-j] [--all]\n"
	"Shows the pairwise and enrolment keys of type esprim in the kernel's\n"
	"keyrings that the caller may view (" KEYS_PROC "): serial, kid, bound\n"
	"identity, length, state, expiry, owner and permissions.\n\n"
	"  --all        session keys too (esprimctl sessions shows more of them)\n"
	"  -j, --json   as JSON: {\"ok\":true,\"keys\":[..]}\n"
	"  -h, --help   this text\n";

enum { OPT_ALL = CTL_OPT_CMD_BASE };

/* What the flags of a /proc/keys line say, the gravest first. */
static const char *keys_state(const char *flags)
{
	static const struct {
		char flag;
		const char *state;
	} states[] = {
		{ 'D', "dead" }, { 'R', "revoked" }, { 'i', "invalidated" },
		{ 'N', "negative" }, { 'U', "under construction" },
		{ 'I', "instantiated" },
	};
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strchr(flags, states[i].flag))
			return states[i].state;
	return "uninstantiated";
}

/*
 * "peer=X len=32" as members of an object, values as the kernel's text
 * (a serial in hex may be all digits: no guessing at numbers).
 */
static json_t *keys_details(char *words)
{
	json_t *d = json_object();
	char *save = NULL, *w, *eq;

	for (w = strtok_r(words, " \n", &save); d && w;
	     w = strtok_r(NULL, " \n", &save)) {
		eq = strchr(w, '=');
		if (!eq || eq == w)
			continue;
		*eq++ = 0;
		json_object_set_new(d, w, json_string(eq));
	}
	return d;
}

/* One /proc/keys line of type esprim as an object, or NULL. */
static json_t *keys_parse(char *line)
{
	char flags[16], expiry[16], type[32], perm_hex[16], *desc, *words, *p;
	unsigned int serial, perm, uid, gid;
	int usage, off = 0;
	json_t *k;

	if (sscanf(line, "%x %15s %d %15s %x %u %u %31s %n", &serial, flags,
		   &usage, expiry, &perm, &uid, &gid, type, &off) != 8 ||
	    !off || strcmp(type, "esprim"))
		return NULL;
	desc = line + off;
	desc[strcspn(desc, "\n")] = 0;
	/* A description has no spaces (kids are NCNames): ": " ends it. */
	words = strstr(desc, ": ");
	if (words) {
		*words = 0;
		words += 2;
	}
	snprintf(perm_hex, sizeof(perm_hex), "%08x", perm);
	k = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:I}",
		      "serial", (json_int_t)(int32_t)serial,
		      "description", desc, "state", keys_state(flags),
		      "flags", flags, "usage", usage, "expires", expiry,
		      "perm", perm_hex, "uid", (json_int_t)uid,
		      "gid", (json_int_t)gid);
	p = strchr(desc, ':');
	if (k && p) {
		json_object_set_new(k, "kind",
				    json_stringn(desc, (size_t)(p - desc)));
		json_object_set_new(k, "kid",
				    json_stringn(p + 1, strcspn(p + 1, ":")));
	}
	/* The kernel's words after the kind: "peer=... len=32". */
	if (k && words)
		json_object_set_new(k, "details",
				    keys_details(words + strcspn(words, " ")));
	return k;
}

/* The esprim keys of /proc/keys; a failure object and NULL if unread. */
static json_t *keys_read(bool all, json_t **failure)
{
	json_t *keys = json_array(), *k;
	FILE *f = fopen(KEYS_PROC, "re");
	char line[1024];
	const char *kind;

	if (!f) {
		*failure = ctl_failure_new(errno, "%s: %s", KEYS_PROC,
					   strerror(errno));
		json_decref(keys);
		return NULL;
	}
	while (keys && fgets(line, sizeof(line), f)) {
		k = keys_parse(line);
		kind = ctl_jstr(k, "kind");
		if (k && (all || !kind || strcmp(kind, "session")))
			json_array_append(keys, k);
		json_decref(k);
	}
	fclose(f);
	if (!keys)
		*failure = ctl_failure_new(ENOMEM, "out of memory");
	return keys;
}

static void keys_show(json_t *keys)
{
	static const char *const skip[] = {
		"serial", "description", "kind", "kid", "state", "flags",
		"details", "uid", "gid", NULL,
	};
	struct ctl_block b = { 0 };
	char heading[512], serial[48];
	json_t *k;
	size_t i;

	if (!json_array_size(keys)) {
		puts("no esprim keys visible");
		return;
	}
	json_array_foreach(keys, i, k) {
		ctl_fmt_serial(serial, sizeof(serial), ctl_jint(k, "serial"));
		snprintf(heading, sizeof(heading), "%s%s key %s: %s",
			 i ? "\n" : "", ctl_jstr(k, "kind") ?: "esprim", serial,
			 ctl_jstr(k, "kid") ?: ctl_jstr(k, "description"));
		ctl_block_rest(&b, json_object_get(k, "details"), NULL);
		ctl_block_add(&b, "state", "%s (%s)", ctl_jstr(k, "state"),
			      ctl_jstr(k, "flags"));
		ctl_block_add(&b, "owner", "uid %lld, gid %lld",
			      (long long)ctl_jint(k, "uid"),
			      (long long)ctl_jint(k, "gid"));
		ctl_block_rest(&b, k, skip);
		ctl_block_print(&b, heading);
	}
}

int cmd_keys(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	json_t *keys, *failure = NULL;
	bool all = false;
	int c;

	while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return ctl_help(keys_usage);
		case 'j':
			ctl_json = true;
			break;
		case OPT_ALL:
			all = true;
			break;
		default:
			return ctl_usage_getopt(keys_usage);
		}
	}
	if (optind != argc)
		return ctl_usage_error(keys_usage, "unexpected argument '%s'",
				       argv[optind]);
	keys = keys_read(all, &failure);
	if (!keys)
		return ctl_failure_report(failure, ctl_failure_status(failure));
	if (ctl_json)
		return ctl_json_print(json_pack("{s:b, s:o}", "ok", 1, "keys",
						keys));
	keys_show(keys);
	json_decref(keys);
	return CTL_EXIT_OK;
}
