/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels this module supports (6.1 and
 * 6.12), kept in one place.  Kbuild detects them in the target kernel's
 * headers rather than by version number.
 */
#ifndef _ONEM2M_ESPRIM_COMPAT_H
#define _ONEM2M_ESPRIM_COMPAT_H

#include <linux/crypto.h>

/*
 * Crypto completion callbacks take the request's data pointer since 6.3,
 * the request itself before.  Defines @name as a completion callback that
 * calls @fn(data, err).
 */
#ifdef ESPRIM_COMPLETION_TAKES_DATA
#define ESPRIM_DEFINE_COMPLETION(name, fn)				\
static void name(void *data, int err)					\
{									\
	fn(data, err);							\
}
#else
#define ESPRIM_DEFINE_COMPLETION(name, fn)				\
static void name(struct crypto_async_request *base, int err)		\
{									\
	fn(base->data, err);						\
}
#endif

/*
 * The validated attributes of a dump request: in the dump's genl_info
 * since 6.2, in struct genl_dumpit_info before.
 */
#ifdef ESPRIM_GENL_INFO_DUMP
#define esprim_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define esprim_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* _ONEM2M_ESPRIM_COMPAT_H */
