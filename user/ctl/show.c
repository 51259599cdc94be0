// SPDX-License-Identifier: GPL-2.0
/*
 * esprimctl: the operator commands' text output.  A block is a heading
 * and indented "label: value" lines whose values line up, as swanctl
 * --list-sas and wg show print; -j prints the JSON the blocks come from.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

const char *ctl_jstr(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

json_int_t ctl_jint(const json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

void ctl_block_add(struct ctl_block *b, const char *label, const char *fmt,
		   ...)
{
	va_list ap;
	char *v;
	int rc;

	if (b->n == CTL_BLOCK_MAX)
		return;
	va_start(ap, fmt);
	rc = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return;
	b->label[b->n] = strdup(label);
	if (!b->label[b->n]) {
		free(v);
		return;
	}
	b->value[b->n++] = v;
}

void ctl_block_member(struct ctl_block *b, const char *label,
		      const json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	char *s;

	if (!v)
		return;
	s = ctl_json_text(v);
	if (s)
		ctl_block_add(b, label, "%s", s);
	free(s);
}

static bool ctl_skipped(const char *name, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (!strcmp(name, *skip))
			return true;
	return false;
}

void ctl_block_rest(struct ctl_block *b, json_t *obj,
		    const char *const *skip)
{
	const char *name;
	char label[64], *p;
	json_t *v;

	json_object_foreach(obj, name, v) {
		if (ctl_skipped(name, skip))
			continue;
		snprintf(label, sizeof(label), "%s", name);
		for (p = label; *p; p++)
			if (*p == '_')
				*p = ' ';
		ctl_block_member(b, label, obj, name);
	}
}

void ctl_block_print(struct ctl_block *b, const char *heading)
{
	size_t i, w = 0;
	char *p;

	for (i = 0; i < b->n; i++)
		if (strlen(b->label[i]) > w)
			w = strlen(b->label[i]);
	if (heading)
		printf("%s\n", heading);
	for (i = 0; i < b->n; i++) {
		/* Control characters a reply may hold do not reach the tty. */
		for (p = b->value[i]; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		printf("  %s:%*s %s\n", b->label[i],
		       (int)(w - strlen(b->label[i])), "", b->value[i]);
		free(b->label[i]);
		free(b->value[i]);
	}
	b->n = 0;
}

char *ctl_json_text(const json_t *v)
{
	size_t i, len = 0;
	char *s, *item, *out;
	FILE *f;

	switch (json_typeof(v)) {
	case JSON_STRING:
		/* An empty string (no error, no reason) as "-". */
		return strdup(*json_string_value(v) ? json_string_value(v) :
			      "-");
	case JSON_TRUE:
		return strdup("yes");
	case JSON_FALSE:
		return strdup("no");
	case JSON_NULL:
		return strdup("-");
	case JSON_ARRAY:
		f = open_memstream(&out, &len);
		if (!f)
			return NULL;
		for (i = 0; i < json_array_size(v); i++) {
			item = ctl_json_text(json_array_get(v, i));
			fprintf(f, "%s%s", i ? ", " : "", item ?: "?");
			free(item);
		}
		if (!i)
			fputs("(none)", f);
		fclose(f);
		return out;
	default:
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		return s;
	}
}

void ctl_fmt_span(char *buf, size_t size, long long s)
{
	const char *sign = s < 0 ? "-" : "";

	if (s < 0)
		s = -s;
	if (s >= 86400)
		snprintf(buf, size, "%s%lldd %lldh %02lldm %02llds", sign,
			 s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
	else if (s >= 3600)
		snprintf(buf, size, "%s%lldh %02lldm %02llds", sign, s / 3600,
			 s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(buf, size, "%s%lldm %02llds", sign, s / 60, s % 60);
	else
		snprintf(buf, size, "%s%llds", sign, s);
}

void ctl_fmt_serial(char *buf, size_t size, json_int_t serial)
{
	snprintf(buf, size, "%lld (%08x)", (long long)serial,
		 (unsigned int)(uint32_t)serial);
}

void ctl_fmt_time(char *buf, size_t size, long long epoch_s)
{
	long long now = (long long)time(NULL);
	time_t t = (time_t)epoch_s;
	char date[32] = "?", span[48];
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	ctl_fmt_span(span, sizeof(span), epoch_s > now ? epoch_s - now :
		     now - epoch_s);
	snprintf(buf, size, "%s (%s%s%s)", date, epoch_s > now ? "in " : "",
		 span, epoch_s > now ? "" : " ago");
}

int ctl_json_print_parts(int status, json_t *daemon, json_t *kernel)
{
	json_t *j = json_object();

	if (j) {
		json_object_set_new(j, "ok", json_boolean(!status));
		if (daemon)
			json_object_set_new(j, "daemon", daemon);
		if (kernel)
			json_object_set_new(j, "kernel", kernel);
	} else {
		json_decref(daemon);
		json_decref(kernel);
	}
	return ctl_json_print(j);
}

int ctl_show_parts(json_t *d, int ds, void (*show_d)(json_t *d, int status),
		   json_t *k, int ks, void (*show_k)(json_t *k, int status))
{
	if (ctl_json)
		return ctl_json_print_parts(ds ?: ks, d, k) ?: ds ?: ks;
	show_d(d, ds);
	putchar('\n');
	show_k(k, ks);
	json_decref(d);
	json_decref(k);
	return ds ?: ks;
}

void ctl_show_failure(const char *heading, const json_t *failure)
{
	const char *error = ctl_jstr(failure, "error");
	const char *msg = ctl_jstr(failure, "message");
	json_int_t rsc = ctl_jint(failure, "rsc");
	size_t len = strlen(heading);

	if (!msg)
		msg = "";
	/* "esprimd is not running (...)" says all by itself. */
	if (!strncmp(msg, heading, len) && msg[len] == ' ') {
		printf("%s\n", msg);
		return;
	}
	printf("%s: %s", heading, msg);
	if (rsc)
		printf(" (%lld %s)\n", (long long)rsc, error ?: "UNKNOWN");
	else
		printf(" (%s)\n", error ?: "EIO");
}

bool ctl_show_kernel_absent(const json_t *k, int status)
{
	if (status) {
		ctl_show_failure("kernel module onem2m_esprim", k);
		return true;
	}
	if (!json_is_true(json_object_get(k, "loaded"))) {
		puts("kernel module onem2m_esprim: not loaded (no generic netlink family onem2m_esprim)");
		return true;
	}
	return false;
}

void ctl_show_kernel_stats(json_t *k, int status)
{
	static const char *const skip[] = { "sessions", NULL };
	json_t *stats = json_object_get(k, "stats");
	struct ctl_block b = { 0 };

	if (ctl_show_kernel_absent(k, status))
		return;
	ctl_block_member(&b, "sessions", stats, "sessions");
	ctl_block_rest(&b, stats, skip);
	ctl_block_print(&b, "kernel module onem2m_esprim: loaded");
}
