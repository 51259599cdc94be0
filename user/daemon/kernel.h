/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimd and the module's generic netlink family: the key upcall and the
 * events group (kernel backend only).
 */
#ifndef ESPRIMD_KERNEL_H
#define ESPRIMD_KERNEL_H

#include <stddef.h>

#include "esprimd.h"

/* Registers for upcalls and joins the events group. */
int kernel_open(struct esprimd *d, char *err, size_t err_size);
void kernel_close(struct esprimd *d);
/* The module's defaults for new sessions: the configured limits. */
int kernel_configure(struct esprimd *d);

#endif /* ESPRIMD_KERNEL_H */
