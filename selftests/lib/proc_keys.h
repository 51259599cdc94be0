/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading /proc/keys in the VM tests: what the kernel shows of a key.
 */
#ifndef _ESPRIM_SELFTESTS_PROC_KEYS_H
#define _ESPRIM_SELFTESTS_PROC_KEYS_H

#include <stdio.h>
#include <string.h>
#include <keyutils.h>

/* The /proc/keys line of @serial, or "" when it is not visible. */
static inline void proc_keys_line(key_serial_t serial, char *line, size_t len)
{
	FILE *f = fopen("/proc/keys", "r");
	char id[16];

	snprintf(id, sizeof(id), "%08x ", serial);
	line[0] = 0;
	while (f && fgets(line, len, f))
		if (!strncmp(line, id, strlen(id)))
			break;
		else
			line[0] = 0;
	if (f)
		fclose(f);
}

#endif /* _ESPRIM_SELFTESTS_PROC_KEYS_H */
