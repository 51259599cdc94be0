// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the template's IVs (fixed field || big-endian counter) and
 * checking a set of them for reuse.
 */
#include <stdlib.h>

#include "iv.h"

uint32_t iv_fixed(const uint8_t iv[12])
{
	return (uint32_t)iv[0] << 24 | iv[1] << 16 | iv[2] << 8 | iv[3];
}

uint64_t iv_counter(const uint8_t iv[12])
{
	uint64_t c = 0;
	int i;

	for (i = 4; i < 12; i++)
		c = c << 8 | iv[i];
	return c;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t iv_count_duplicates(uint64_t *counters, size_t n)
{
	size_t i, dups = 0;

	qsort(counters, n, sizeof(*counters), cmp_u64);
	for (i = 1; i < n; i++)
		dups += counters[i] == counters[i - 1];
	return dups;
}
