// SPDX-License-Identifier: GPL-2.0
/*
 * Response Status Codes and error reporting.
 */
#include <stdarg.h>
#include <stdio.h>

#include "esprim_internal.h"

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

int esprim_fail(struct esprim_error *err, int rsc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->rsc = rsc;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rsc;
}
