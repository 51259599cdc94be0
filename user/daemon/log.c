// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd's log: sd_journal_printv() under systemd, stderr in the
 * foreground (with the syslog priority prefix journald also reads).
 */
#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-journal.h>

#include "log.h"

static bool log_stderr;
static bool log_debug_on;

void log_init(bool to_stderr, bool debug)
{
	log_stderr = to_stderr;
	log_debug_on = debug;
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug_on)
		return;
	va_start(ap, fmt);
	if (log_stderr) {
		fprintf(stderr, "esprimd: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		sd_journal_printv(prio, fmt, ap);
	}
	va_end(ap);
}
