// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Chained hash tables of intrusive nodes, for pairwise keys, rand objects
 * and sessions: lookups stay constant however many a gateway holds.  The
 * table doubles when it holds twice as many nodes as buckets.
 */
#include <stdlib.h>

#include "esprim_internal.h"

#define ESPRIM_HTABLE_MAX_BUCKETS	(1U << 20)

int esprim_htable_init(struct esprim_htable *t, uint32_t buckets)
{
	uint32_t n = 16;

	while (n < buckets && n < ESPRIM_HTABLE_MAX_BUCKETS)
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	t->mask = n - 1;
	t->count = 0;
	return t->buckets ? 0 : -1;
}

void esprim_htable_fini(struct esprim_htable *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

static void esprim_htable_grow(struct esprim_htable *t)
{
	uint32_t n = 2 * (t->mask + 1), i;
	struct esprim_hnode **b, *p, *next;

	if (n > ESPRIM_HTABLE_MAX_BUCKETS)
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;		/* longer chains, still correct */
	for (i = 0; i <= t->mask; i++) {
		for (p = t->buckets[i]; p; p = next) {
			next = p->next;
			p->next = b[p->hash & (n - 1)];
			b[p->hash & (n - 1)] = p;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->mask = n - 1;
}

void esprim_htable_add(struct esprim_htable *t, struct esprim_hnode *n,
		       uint32_t hash)
{
	struct esprim_hnode **b;

	if (t->count >= 2 * (t->mask + 1))
		esprim_htable_grow(t);
	b = &t->buckets[hash & t->mask];
	n->hash = hash;
	n->next = *b;
	*b = n;
	t->count++;
}

void esprim_htable_del(struct esprim_htable *t, struct esprim_hnode *n)
{
	struct esprim_hnode **pp = &t->buckets[n->hash & t->mask];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		t->count--;
	}
	n->next = NULL;
}

struct esprim_hnode *esprim_htable_first(const struct esprim_htable *t,
					 uint32_t hash)
{
	return t->buckets[hash & t->mask];
}

unsigned int esprim_htable_walk(struct esprim_htable *t,
				unsigned int (*fn)(struct esprim_hnode *n,
						   void *arg),
				void *arg)
{
	struct esprim_hnode *n, *next;
	unsigned int sum = 0;
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		for (n = t->buckets[i]; n; n = next) {
			next = n->next;
			sum += fn(n, arg);
		}
	}
	return sum;
}

static uint32_t esprim_fnv(uint32_t h, const char *s)
{
	do {
		h ^= (uint8_t)*s;
		h *= 16777619U;
	} while (*s++);
	return h;
}

uint32_t esprim_hash(uint64_t n, const char *a, const char *b,
		     const char *c)
{
	uint32_t h = 2166136261U;
	int i;

	for (i = 0; i < 8; i++, n >>= 8) {
		h ^= (uint8_t)n;
		h *= 16777619U;
	}
	if (a)
		h = esprim_fnv(h, a);
	if (b)
		h = esprim_fnv(h, b);
	if (c)
		h = esprim_fnv(h, c);
	return h;
}
