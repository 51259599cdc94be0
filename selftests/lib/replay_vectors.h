/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay protection test vectors (profile B.9, the uapi header), run
 * against the kernel template (selftests/vm/aead_test.c) and libesprim's
 * soft backend (selftests/host/libesprim_test.c), so that the two
 * implementations cannot drift apart.
 *
 * Each vector is one receiving side (role receiver: its own IVs carry the
 * role bit, the peer's do not) with a policy and the default window (1024)
 * and IV set (1024), and a sequence of objects opened in order, each with
 * the result expected.  An object is named by its IV: fixed field and
 * counter, or this side's own IV (a reflected object), or a run of n IVs
 * with fixed fields base, base + 1, ... and counters 0, 1, ... (a peer
 * drawing random IVs).
 */
#ifndef _ESPRIM_REPLAY_VECTORS_H
#define _ESPRIM_REPLAY_VECTORS_H

#include <stdint.h>
#include <linux/onem2m_esprim.h>

enum replay_step_kind {
	RV_PEER,	/* fixed, counter */
	RV_OWN,		/* an object this side sealed */
	RV_RUN,		/* n objects: fixed + i, counter i */
};

enum replay_expect {
	RV_OK,
	RV_REPLAYED,	/* kernel -EALREADY, RSC 5210 */
	RV_REFLECTED,	/* kernel -EALREADY, RSC 5210 */
	RV_FULL,	/* kernel -ENOSPC, RSC 4113 */
};

struct replay_step {
	enum replay_step_kind kind;
	uint32_t fixed;
	uint64_t counter;	/* RV_RUN: how many */
	enum replay_expect expect;
};

#define RV_MAX_STEPS	16

struct replay_vector {
	const char *name;
	uint8_t policy;		/* enum onem2m_esprim_replay */
	struct replay_step steps[RV_MAX_STEPS];
	unsigned int n;
};

#define RV_WINDOW	ONEM2M_ESPRIM_REPLAY_WINDOW
#define RV_SET		ONEM2M_ESPRIM_REPLAY_SET

static const struct replay_vector replay_vectors[] = {
	{ "auto: counter IVs through the window", ONEM2M_ESPRIM_REPLAY_AUTO, {
		{ RV_PEER, 0x11, 0, RV_OK },
		{ RV_PEER, 0x11, 0, RV_REPLAYED },
		{ RV_PEER, 0x11, 5, RV_OK },
		{ RV_PEER, 0x11, 3, RV_OK },		/* reordered */
		{ RV_PEER, 0x11, 3, RV_REPLAYED },
		{ RV_PEER, 0x11, 2000, RV_OK },
		{ RV_PEER, 0x11, 2000 - RV_WINDOW, RV_REPLAYED },	/* old */
		{ RV_PEER, 0x11, 2000 - RV_WINDOW + 1, RV_OK },
		{ RV_PEER, 0x11, 2000 - RV_WINDOW + 1, RV_REPLAYED },
		{ RV_PEER, 0x11, 2000 + RV_WINDOW + 5, RV_OK },	/* jump */
		{ RV_PEER, 0x11, 2000, RV_REPLAYED },
		{ RV_OWN, 0, 0, RV_REFLECTED },
	}, 12 },
	{ "auto: counters up to the last one", ONEM2M_ESPRIM_REPLAY_AUTO, {
		{ RV_PEER, 0x11, UINT64_MAX - 16, RV_OK },
		{ RV_PEER, 0x11, UINT64_MAX, RV_OK },
		{ RV_PEER, 0x11, UINT64_MAX - 16, RV_REPLAYED },
		{ RV_PEER, 0x11, UINT64_MAX - 8, RV_OK },
		{ RV_PEER, 0x11, UINT64_MAX, RV_REPLAYED },
		{ RV_PEER, 0x11, 0, RV_REPLAYED },	/* older than the window */
	}, 6 },
	{ "auto: random IVs through the exact set", ONEM2M_ESPRIM_REPLAY_AUTO, {
		/* The first object fixes the peer's counter space... */
		{ RV_PEER, 0x5a17c0de, 0x0123456789abcdefULL, RV_OK },
		/* ...every other fixed field goes to the set. */
		{ RV_PEER, 0x0badf00d, 0xfedcba9876543210ULL, RV_OK },
		{ RV_PEER, 0x2468ace0, 7, RV_OK },
		{ RV_PEER, 0x0badf00d, 0xfedcba9876543210ULL, RV_REPLAYED },
		{ RV_PEER, 0x5a17c0de, 0x0123456789abcdefULL, RV_REPLAYED },
		/* Our role bit, not our fixed field: a random IV too. */
		{ RV_PEER, 0x80000001, 3, RV_OK },
		{ RV_PEER, 0x80000001, 3, RV_REPLAYED },
		{ RV_OWN, 0, 0, RV_REFLECTED },
	}, 8 },
	{ "auto: a full IV set uses the session up", ONEM2M_ESPRIM_REPLAY_AUTO, {
		{ RV_PEER, 0x11, 0, RV_OK },
		{ RV_RUN, 0x1000, RV_SET, RV_OK },
		{ RV_PEER, 0x7777, 1, RV_FULL },
		{ RV_PEER, 0x11, 1, RV_FULL },
		{ RV_OWN, 0, 0, RV_REFLECTED },
	}, 5 },
	{ "strict: counter IVs of one fixed field only",
	  ONEM2M_ESPRIM_REPLAY_STRICT, {
		{ RV_PEER, 0x11, 0, RV_OK },
		{ RV_PEER, 0x22, 0, RV_REPLAYED },
		{ RV_PEER, 0x80000033, 1, RV_REPLAYED },
		{ RV_PEER, 0x11, 1, RV_OK },
		{ RV_PEER, 0x11, 1, RV_REPLAYED },
		{ RV_OWN, 0, 0, RV_REFLECTED },
	}, 6 },
	{ "off: no replay state, still no reflection", ONEM2M_ESPRIM_REPLAY_OFF, {
		{ RV_PEER, 0x11, 0, RV_OK },
		{ RV_PEER, 0x11, 0, RV_OK },
		{ RV_PEER, 0x80000001, 0, RV_OK },
		{ RV_OWN, 0, 0, RV_REFLECTED },
		{ RV_PEER, 0x11, 0, RV_OK },
	}, 5 },
};

#endif /* _ESPRIM_REPLAY_VECTORS_H */
