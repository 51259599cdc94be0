/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels this module supports (6.1 and
 * 6.12), kept in one place.
 */
#ifndef _ONEM2M_ESPRIM_COMPAT_H
#define _ONEM2M_ESPRIM_COMPAT_H

#include <linux/version.h>

/* 6.12 moved the unaligned access helpers out of asm/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* _ONEM2M_ESPRIM_COMPAT_H */
