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

/* Whether counter @c of the peer is in the window and not seen yet. */
static bool esprim_replay_fresh(const struct esprim_session *s, u32 fixed,
				u64 c)
{
	u32 w = s->lim.replay_window;

	if (!s->peer_seen)
		return true;
	if (fixed != s->peer_fixed)
		return false;
	if (c > s->peer_top)
		return true;
	if (s->peer_top >= w && c <= s->peer_top - w)
		return false;	/* older than the window */
	return !test_bit(c % w, s->window);
}

static void esprim_replay_record(struct esprim_session *s, u32 fixed, u64 c)
{
	u32 w = s->lim.replay_window;
	u64 i;

	if (!s->peer_seen) {
		s->peer_seen = true;
		s->peer_fixed = fixed;
		s->peer_top = c;
		bitmap_zero(s->window, w);
	} else if (c > s->peer_top) {
		/* Slide: forget the counters that fall out of the window. */
		if (c - s->peer_top >= w)
			bitmap_zero(s->window, w);
		else
			for (i = s->peer_top + 1; i < c; i++)
				clear_bit(i % w, s->window);
		s->peer_top = c;
	}
	set_bit(c % w, s->window);
}

int esprim_session_replay(struct esprim_session *s,
			  const struct esprim_iv *iv, bool commit)
{
	u32 fixed = be32_to_cpu(iv->fixed);
	u64 c = be64_to_cpu(iv->counter);
	bool fresh;

	if (!s->lim.replay_window)
		return 0;
	/* The peer's IVs carry the other role bit: no reflected objects. */
	if ((fixed ^ s->fixed) & ONEM2M_ESPRIM_IV_ROLE_BIT) {
		spin_lock_bh(&s->lock);
		fresh = esprim_replay_fresh(s, fixed, c);
		if (fresh && commit)
			esprim_replay_record(s, fixed, c);
		spin_unlock_bh(&s->lock);
	} else {
		fresh = false;
	}
	if (fresh)
		return 0;
	atomic64_inc(&s->replays);
	return -EALREADY;
}
