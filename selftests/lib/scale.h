/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much of the long VM tests to run.  The debug kernel (KASAN, lockdep,
 * kmemleak under TCG) runs every test but fewer iterations: it is there to
 * find memory and locking bugs, which show on the first round as on the
 * last.  selftests/vm/run.sh sets ESPRIM_TEST_SCALE there.
 */
#ifndef _ESPRIM_TEST_SCALE_H
#define _ESPRIM_TEST_SCALE_H

#include <stdlib.h>

/* @n divided by ESPRIM_TEST_SCALE (default 1), at least 1. */
static inline unsigned long test_scaled(unsigned long n)
{
	const char *env = getenv("ESPRIM_TEST_SCALE");
	long div = env ? atol(env) : 1;

	if (div <= 1)
		return n;
	return n / div ?: 1;
}

#endif /* _ESPRIM_TEST_SCALE_H */
