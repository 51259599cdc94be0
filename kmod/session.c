// SPDX-License-Identifier: GPL-2.0
/*
 * The shared state of one ESPrim session: the IV space of this side (fixed
 * field and invocation counter), its limits, and the replay window over the
 * peer's counters.  Every user of a session (tfms of any process, by
 * reference to its key) shares one such object, so IVs stay unique across
 * the machine.  Reference counted: the key payload holds one reference,
 * every tfm using it another.
 */

#include <linux/bitmap.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

struct esprim_session *esprim_session_alloc(const struct esprim_limits *lim,
					    u8 role, gfp_t gfp)
{
	struct esprim_session *s = kzalloc(sizeof(*s), gfp);
	u32 fixed;

	if (!s)
		return NULL;
	refcount_set(&s->refs, 1);
	spin_lock_init(&s->lock);
	fixed = get_random_u32() & ~ONEM2M_ESPRIM_IV_ROLE_BIT;
	if (role == ONEM2M_ESPRIM_ROLE_RECEIVER)
		fixed |= ONEM2M_ESPRIM_IV_ROLE_BIT;
	s->fixed = fixed;
	s->role = role;
	s->lim = *lim;
	return s;
}

void esprim_session_put(struct esprim_session *s)
{
	if (s && refcount_dec_and_test(&s->refs))
		kfree(s);
}

/* Counts the soft expiry once: the event the daemon rekeys on. */
static void esprim_session_soft_expire(struct esprim_session *s)
{
	if (!test_and_set_bit(ESPRIM_SESSION_SOFT_EXPIRED, &s->flags))
		atomic64_inc(&s->soft_events);
}

int esprim_session_next_iv(struct esprim_session *s, struct esprim_iv *iv)
{
	u64 counter;

	/* Stops at the limit instead of wrapping: an IV is never reissued. */
	counter = atomic64_fetch_add_unless(&s->next_counter, 1,
					    s->lim.hard_invocations);
	if (counter >= s->lim.hard_invocations)
		return -EKEYEXPIRED;

	if ((s->lim.soft_invocations && counter >= s->lim.soft_invocations) ||
	    (s->lim.soft_deadline &&
	     ktime_get_real_seconds() >= s->lim.soft_deadline))
		esprim_session_soft_expire(s);

	iv->fixed = cpu_to_be32(s->fixed);
	iv->counter = cpu_to_be64(counter);
	return 0;
}
