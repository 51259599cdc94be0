// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Replay protection of the soft backend: the kernel's semantics
 * (kmod/session.c, the uapi header, profile B.9) in userspace, so that
 * both backends accept and refuse the same objects.  A shared table of
 * vectors (selftests/lib/replay_vectors.h) runs against both.
 *
 * Called once the tag verified: only authentic objects change the state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "esprim_internal.h"

struct esprim_iv_slot {
	uint64_t counter;
	uint32_t fixed;
	uint32_t used;
};

void esprim_replay_init(struct esprim_replay *r, uint8_t policy,
			uint32_t window, uint32_t set_capacity)
{
	memset(r, 0, sizeof(*r));
	r->policy = policy;
	r->window_size = window;
	r->set_capacity = set_capacity;
}

void esprim_replay_fini(struct esprim_replay *r)
{
	if (r->set)
		esprim_wipe(r->set, ((size_t)r->set_mask + 1) * sizeof(*r->set));
	free(r->set);
	r->set = NULL;
}

enum esprim_iv_class {
	ESPRIM_IV_ANY,
	ESPRIM_IV_REFLECTED,
	ESPRIM_IV_WINDOW,
	ESPRIM_IV_SET,
	ESPRIM_IV_FOREIGN,
};

static enum esprim_iv_class esprim_iv_classify(const struct esprim_replay *r,
					       uint32_t own, uint32_t fixed)
{
	bool ours = !((fixed ^ own) & ONEM2M_ESPRIM_IV_ROLE_BIT);

	if (fixed == own)
		return ESPRIM_IV_REFLECTED;
	if (r->policy == ONEM2M_ESPRIM_REPLAY_OFF)
		return ESPRIM_IV_ANY;
	if (!ours && (!r->peer_seen || fixed == r->peer_fixed))
		return ESPRIM_IV_WINDOW;
	return r->policy == ONEM2M_ESPRIM_REPLAY_AUTO ? ESPRIM_IV_SET :
							 ESPRIM_IV_FOREIGN;
}

static void esprim_window_clear(struct esprim_replay *r, uint64_t i)
{
	i &= r->window_size - 1;
	r->window[i / 64] &= ~(1ULL << (i % 64));
}

/* Whether counter c is new to the window; records it if so. */
static bool esprim_window_record(struct esprim_replay *r, uint32_t fixed,
				 uint64_t c)
{
	uint64_t mask = r->window_size - 1, gap, i, bit;

	if (!r->peer_seen) {
		r->peer_seen = true;
		r->peer_fixed = fixed;
		r->peer_top = c;
		memset(r->window, 0, sizeof(r->window));
	} else if (c > r->peer_top) {
		/*
		 * Slide: the bits of counters top + 1 .. c are theirs now.
		 * Counted by the gap, which cannot wrap at UINT64_MAX.
		 */
		gap = c - r->peer_top;
		if (gap >= r->window_size)
			memset(r->window, 0, sizeof(r->window));
		else
			for (i = 1; i <= gap; i++)
				esprim_window_clear(r, r->peer_top + i);
		r->peer_top = c;
	} else if (r->peer_top - c >= r->window_size) {
		return false;	/* older than the window */
	}
	bit = c & mask;
	if (r->window[bit / 64] & (1ULL << (bit % 64)))
		return false;
	r->window[bit / 64] |= 1ULL << (bit % 64);
	return true;
}

static uint32_t esprim_iv_hash(uint32_t fixed, uint64_t c)
{
	/* The kernel's hash_64(), bits 32: golden-ratio multiply. */
	uint64_t v = c ^ ((uint64_t)fixed << 32) ^ (c >> 32);

	return (uint32_t)((v * 0x61C8864680B583EBULL) >> 32);
}

static int esprim_set_record(struct esprim_replay *r, uint32_t fixed,
			     uint64_t c)
{
	struct esprim_iv_slot *slot;
	uint32_t slots = 1, i;

	if (!r->set) {
		/* Allocated only when a random-IV peer appears. */
		while (slots < 2 * r->set_capacity)
			slots <<= 1;
		r->set = calloc(slots, sizeof(*r->set));
		if (!r->set)
			return ESPRIM_REPLAY_NOMEM;
		r->set_mask = slots - 1;
	}
	i = esprim_iv_hash(fixed, c) & r->set_mask;
	for (slot = &r->set[i]; slot->used;
	     i = (i + 1) & r->set_mask, slot = &r->set[i])
		if (slot->fixed == fixed && slot->counter == c)
			return ESPRIM_REPLAY_REPLAYED;
	if (r->set_count >= r->set_capacity) {
		r->set_full = true;
		return ESPRIM_REPLAY_SET_FULL;
	}
	slot->fixed = fixed;
	slot->counter = c;
	slot->used = 1;
	r->set_count++;
	return 0;
}

int esprim_replay_commit(struct esprim_replay *r, uint32_t own_fixed,
			 const uint8_t iv[ONEM2M_ESPRIM_IV_LEN])
{
	uint32_t fixed = (uint32_t)iv[0] << 24 | (uint32_t)iv[1] << 16 |
			 (uint32_t)iv[2] << 8 | iv[3];
	enum esprim_iv_class class;
	uint64_t c = 0;
	int i, rc;

	for (i = 4; i < ONEM2M_ESPRIM_IV_LEN; i++)
		c = c << 8 | iv[i];
	class = esprim_iv_classify(r, own_fixed, fixed);
	if (class == ESPRIM_IV_REFLECTED) {
		r->reflections++;
		return ESPRIM_REPLAY_REFLECTED;
	}
	if (r->set_full)
		return ESPRIM_REPLAY_SET_FULL;
	switch (class) {
	case ESPRIM_IV_ANY:
		rc = 0;
		break;
	case ESPRIM_IV_WINDOW:
		rc = esprim_window_record(r, fixed, c) ? 0 :
							 ESPRIM_REPLAY_REPLAYED;
		break;
	case ESPRIM_IV_SET:
		rc = esprim_set_record(r, fixed, c);
		break;
	default:
		rc = ESPRIM_REPLAY_REPLAYED;
		break;
	}
	if (rc == ESPRIM_REPLAY_REPLAYED)
		r->replays++;
	return rc;
}

int esprim_replay_fail(int result, struct esprim_error *err)
{
	switch (result) {
	case ESPRIM_REPLAY_REPLAYED:
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "replayed object (IV seen before or older than the replay window)");
	case ESPRIM_REPLAY_REFLECTED:
		return esprim_fail(err, ESPRIM_RSC_DECRYPTION_ERROR,
				   "reflected object (it carries this side's own IVs)");
	case ESPRIM_REPLAY_SET_FULL:
		return esprim_fail(err, ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID,
				   "session used up for opening (its IV set is full): the originator must move to a new rand object");
	default:
		return esprim_fail_local(err, ENOMEM,
					 ESPRIM_RSC_DECRYPTION_ERROR,
					 "out of memory for the replay state");
	}
}
