/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimd's log: the journal (with a priority per message), or stderr
 * with --foreground.  Never key material: messages name keys by kid.
 */
#ifndef ESPRIMD_LOG_H
#define ESPRIMD_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(bool to_stderr, bool debug);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* ESPRIMD_LOG_H */
