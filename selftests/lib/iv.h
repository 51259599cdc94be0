/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the template's IVs (fixed field || big-endian counter) and
 * checking a set of them for reuse.
 */
#ifndef ESPRIM_TEST_IV_H
#define ESPRIM_TEST_IV_H

#include <stddef.h>
#include <stdint.h>

uint32_t iv_fixed(const uint8_t iv[12]);
uint64_t iv_counter(const uint8_t iv[12]);

/* Sorts @counters and returns how many repeat an earlier one. */
size_t iv_count_duplicates(uint64_t *counters, size_t n);

#endif /* ESPRIM_TEST_IV_H */
