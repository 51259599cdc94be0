// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Response Status Codes and error reporting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "esprim_internal.h"

#define ESPRIM_STR2(x)	#x
#define ESPRIM_STR(x)	ESPRIM_STR2(x)

static const struct {
	int rsc;
	const char *name;
} esprim_rsc_names[] = {
	{ ESPRIM_RSC_BAD_REQUEST, "BAD_REQUEST" },
	{ ESPRIM_RSC_UNSUPPORTED_OPTION, "ESPRIM_UNSUPPORTED_OPTION" },
	{ ESPRIM_RSC_UNKNOWN_KEY_ID, "ESPRIM_UNKNOWN_KEY_ID" },
	{ ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID, "ESPRIM_UNKNOWN_ORIG_RAND_ID" },
	{ ESPRIM_RSC_UNKNOWN_RECV_RAND_ID, "ESPRIM_UNKNOWN_RECV_RAND_ID" },
	{ ESPRIM_RSC_BAD_MAC, "ESPRIM_BAD_MAC" },
	{ ESPRIM_RSC_IMPERSONATION_ERROR, "ESPRIM_IMPERSONATION_ERROR" },
	{ ESPRIM_RSC_DECRYPTION_ERROR, "ESPRIM_DECRYPTION_ERROR" },
	{ ESPRIM_RSC_ENCRYPTION_ERROR, "ESPRIM_ENCRYPTION_ERROR" },
};

const char *esprim_rsc_name(int rsc)
{
	size_t i;

	for (i = 0; i < sizeof(esprim_rsc_names) / sizeof(esprim_rsc_names[0]);
	     i++)
		if (esprim_rsc_names[i].rsc == rsc)
			return esprim_rsc_names[i].name;
	return NULL;
}

const char *esprim_version(void)
{
	return ESPRIM_STR(ESPRIM_VERSION_MAJOR) "." ESPRIM_STR(ESPRIM_VERSION_MINOR)
	       "." ESPRIM_STR(ESPRIM_VERSION_PATCH);
}

void esprim_free(void *p)
{
	free(p);
}

int esprim_fail(struct esprim_error *err, int rsc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->rsc = rsc;
		err->errnum = 0;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rsc;
}

int esprim_fail_local(struct esprim_error *err, int errnum, int rsc,
		      const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->rsc = rsc;
		err->errnum = errnum;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}
