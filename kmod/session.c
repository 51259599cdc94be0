// SPDX-License-Identifier: GPL-2.0
/*
 * The state of one side of an ESPrim session: the IV space of this side
 * (fixed field and invocation counter), its limits, and the replay state
 * over the peer's IVs (profile B.9).
 *
 * There is exactly one such state per (key bytes, role) on the machine for
 * as long as anything refers to it: session keys deriving the same bytes
 * again, and tfms given the same raw key, all find the state already in
 * the registry and share it.  A second IV space for one key would repeat
 * (key, IV) pairs with probability n^2/2^32 over n spaces, and a fresh
 * replay window would accept old objects again.  Reference counted: each
 * session key payload and each tfm holds one reference; the last put
 * takes the state out of the registry and wipes it.
 */

#include <crypto/algapi.h>
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/onem2m_esprim.h>

#include "compat.h"
#include "esprim.h"

/* Exact set of the IVs of a peer that draws them at random. */
struct esprim_iv_set {
	unsigned int capacity;		/* IVs it may hold */
	unsigned int count;
	unsigned int mask;		/* slots - 1; slots >= 2 * capacity */
	struct esprim_iv_slot {
		u64 counter;
		u32 fixed;
		u32 used;
	} slots[];
};

#define ESPRIM_REGISTRY_BITS	12

static DEFINE_HASHTABLE(esprim_registry, ESPRIM_REGISTRY_BITS);
static DEFINE_SPINLOCK(esprim_registry_lock);
static siphash_key_t esprim_registry_key __read_mostly;

void esprim_sessions_init(void)
{
	get_random_bytes(&esprim_registry_key, sizeof(esprim_registry_key));
}

bool esprim_sessions_empty(void)
{
	return hash_empty(esprim_registry);
}

static u32 esprim_registry_hash(const u8 *key, unsigned int key_len, u8 role)
{
	u8 buf[ONEM2M_ESPRIM_MAX_KEY_LEN + 1];
	u32 h;

	memcpy(buf, key, key_len);
	buf[key_len] = role;
	h = (u32)siphash(buf, key_len + 1, &esprim_registry_key);
	memzero_explicit(buf, sizeof(buf));
	return h;
}

static void esprim_session_free(struct esprim_session *s)
{
	kvfree(s->set);
	kfree_sensitive(s);
}

static struct esprim_session *esprim_session_alloc(const u8 *key,
						   unsigned int key_len,
						   u8 role,
						   const struct esprim_limits *lim)
{
	unsigned int window_longs = BITS_TO_LONGS(lim->replay_window);
	struct esprim_session *s;
	u32 fixed;

	s = kzalloc(struct_size(s, window, window_longs),
		    GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	refcount_set(&s->refs, 1);
	spin_lock_init(&s->lock);
	fixed = get_random_u32() & ~ONEM2M_ESPRIM_IV_ROLE_BIT;
	if (role == ONEM2M_ESPRIM_ROLE_RECEIVER)
		fixed |= ONEM2M_ESPRIM_IV_ROLE_BIT;
	s->fixed = fixed;
	s->role = role;
	s->key_len = key_len;
	memcpy(s->key, key, key_len);
	s->lim = *lim;
	return s;
}

struct esprim_session *esprim_session_get_or_create(const u8 *key,
						    unsigned int key_len,
						    u8 role,
						    const struct esprim_limits *lim)
{
	u32 hash = esprim_registry_hash(key, key_len, role);
	struct esprim_session *s, *new;
	unsigned long flags;

	/* Allocated up front: the registry lock is taken in RCU callbacks. */
	new = esprim_session_alloc(key, key_len, role, lim);
	if (!new)
		return ERR_PTR(-ENOMEM);

	spin_lock_irqsave(&esprim_registry_lock, flags);
	hash_for_each_possible(esprim_registry, s, node, hash) {
		/* A state whose last reference is gone is on its way out. */
		if (s->role == role && s->key_len == key_len &&
		    !crypto_memneq(s->key, key, key_len) &&
		    refcount_inc_not_zero(&s->refs)) {
			spin_unlock_irqrestore(&esprim_registry_lock, flags);
			esprim_session_free(new);
			return s;
		}
	}
	hash_add(esprim_registry, &new->node, hash);
	spin_unlock_irqrestore(&esprim_registry_lock, flags);
	return new;
}

void esprim_session_put(struct esprim_session *s)
{
	unsigned long flags;

	if (!s || !refcount_dec_and_test(&s->refs))
		return;
	spin_lock_irqsave(&esprim_registry_lock, flags);
	hash_del(&s->node);
	spin_unlock_irqrestore(&esprim_registry_lock, flags);
	esprim_session_free(s);
}

int esprim_session_usable(const struct esprim_session *s)
{
	if (s->lim.hard_deadline &&
	    ktime_get_real_seconds() >= s->lim.hard_deadline)
		return -EKEYEXPIRED;
	return 0;
}

/* Counts the soft expiry once: the event the daemon rekeys on. */
static bool esprim_session_soft_expire(struct esprim_session *s)
{
	if (test_and_set_bit(ESPRIM_SESSION_SOFT_EXPIRED, &s->flags))
		return false;
	atomic64_inc(&s->soft_events);
	return true;
}

int esprim_session_next_iv(struct esprim_session *s, struct esprim_iv *iv)
{
	u64 counter;
	int err;

	err = esprim_session_usable(s);
	if (err)
		return err;

	/* Stops at the limit instead of wrapping: an IV is never reissued. */
	counter = atomic64_fetch_add_unless(&s->next_counter, 1,
					    s->lim.hard_invocations);
	if (counter >= s->lim.hard_invocations)
		return -EKEYEXPIRED;

	iv->fixed = cpu_to_be32(s->fixed);
	iv->counter = cpu_to_be64(counter);
	if (((s->lim.soft_invocations && counter >= s->lim.soft_invocations) ||
	     (s->lim.soft_deadline &&
	      ktime_get_real_seconds() >= s->lim.soft_deadline)) &&
	    esprim_session_soft_expire(s))
		return ESPRIM_SOFT_LIMIT_REACHED;
	return 0;
}

/* How a peer IV is to be checked (profile B.9). */
enum esprim_iv_class {
	ESPRIM_IV_ANY,		/* policy OFF */
	ESPRIM_IV_REFLECTED,	/* our own direction */
	ESPRIM_IV_WINDOW,	/* the peer's counter IV space */
	ESPRIM_IV_SET,		/* AUTO: anything else */
	ESPRIM_IV_FOREIGN,	/* STRICT: anything else */
};

static enum esprim_iv_class esprim_iv_classify(const struct esprim_session *s,
					       u32 fixed)
{
	bool ours = !((fixed ^ s->fixed) & ONEM2M_ESPRIM_IV_ROLE_BIT);
	bool peer_space;

	if (fixed == s->fixed)
		return ESPRIM_IV_REFLECTED;
	if (s->lim.replay == ONEM2M_ESPRIM_REPLAY_OFF)
		return ESPRIM_IV_ANY;
	peer_space = !ours && (!s->peer_seen || fixed == s->peer_fixed);
	if (peer_space)
		return ESPRIM_IV_WINDOW;
	return s->lim.replay == ONEM2M_ESPRIM_REPLAY_AUTO ? ESPRIM_IV_SET :
							     ESPRIM_IV_FOREIGN;
}

static struct esprim_iv_set *esprim_iv_set_alloc(unsigned int capacity,
						 gfp_t gfp)
{
	unsigned int slots = roundup_pow_of_two(2 * capacity);
	struct esprim_iv_set *set;

	if (gfpflags_allow_blocking(gfp))
		set = kvzalloc(struct_size(set, slots, slots), gfp);
	else
		set = kzalloc(struct_size(set, slots, slots),
			      gfp | __GFP_NOWARN);
	if (!set)
		return NULL;
	set->capacity = capacity;
	set->mask = slots - 1;
	return set;
}

struct esprim_iv_set *esprim_session_open_prepare(struct esprim_session *s,
						  u32 fixed, gfp_t gfp)
{
	struct esprim_iv_set *set;
	bool need;

	if (s->lim.replay != ONEM2M_ESPRIM_REPLAY_AUTO || READ_ONCE(s->set))
		return NULL;
	spin_lock_bh(&s->lock);
	need = esprim_iv_classify(s, fixed) == ESPRIM_IV_SET;
	spin_unlock_bh(&s->lock);
	if (!need)
		return NULL;

	set = esprim_iv_set_alloc(s->lim.replay_set, gfp | __GFP_ACCOUNT);
	return set ?: ERR_PTR(-ENOMEM);
}

void esprim_iv_set_free(struct esprim_iv_set *set)
{
	kvfree(set);
}

/* Whether counter @c is new to the window; records it if so. */
static bool esprim_window_record(struct esprim_session *s, u32 fixed, u64 c)
{
	u32 w = s->lim.replay_window, mask = w - 1, start;
	u64 gap;

	if (!s->peer_seen) {
		s->peer_seen = true;
		s->peer_fixed = fixed;
		s->peer_top = c;
		bitmap_zero(s->window, w);
	} else if (c > s->peer_top) {
		/*
		 * Slide: the bits of counters top + 1 .. c now stand for
		 * them, no longer for the counters a window length before.
		 */
		gap = c - s->peer_top;
		if (gap >= w) {
			bitmap_zero(s->window, w);
		} else {
			start = (s->peer_top + 1) & mask;
			if (start + gap <= w) {
				bitmap_clear(s->window, start, gap);
			} else {
				bitmap_clear(s->window, start, w - start);
				bitmap_clear(s->window, 0, gap - (w - start));
			}
		}
		s->peer_top = c;
	} else if (s->peer_top - c >= w) {
		return false;	/* older than the window */
	}
	return !__test_and_set_bit(c & mask, s->window);
}

static u32 esprim_iv_hash(u32 fixed, u64 c)
{
	return hash_64(c ^ ((u64)fixed << 32) ^ (c >> 32), 32);
}

/*
 * 0 if the IV is new to the set and recorded, else -errno.  The set is
 * installed from *@spare (allocated before the tag was checked) when this
 * is the first authentic object of a random-IV peer.
 */
static int esprim_set_record(struct esprim_session *s, u32 fixed, u64 c,
			     struct esprim_iv_set **spare)
{
	struct esprim_iv_set *set = s->set;
	struct esprim_iv_slot *slot;
	u32 i;

	if (!set) {
		set = *spare;
		*spare = NULL;
		/* Raced with another object's classification: rare. */
		if (!set)
			set = esprim_iv_set_alloc(s->lim.replay_set,
						  GFP_ATOMIC | __GFP_ACCOUNT);
		if (!set)
			return -ENOMEM;
		WRITE_ONCE(s->set, set);
	}
	/* Linear probing; at most half the slots are ever used. */
	i = esprim_iv_hash(fixed, c) & set->mask;
	for (slot = &set->slots[i]; slot->used;
	     i = (i + 1) & set->mask, slot = &set->slots[i])
		if (slot->fixed == fixed && slot->counter == c)
			return -EALREADY;
	if (set->count >= set->capacity) {
		set_bit(ESPRIM_SESSION_SET_FULL, &s->flags);
		return -ENOSPC;
	}
	slot->fixed = fixed;
	slot->counter = c;
	slot->used = 1;
	set->count++;
	return 0;
}

int esprim_session_open_commit(struct esprim_session *s, u32 fixed, u64 c,
			       struct esprim_iv_set **spare)
{
	enum esprim_iv_class class;
	int err;

	spin_lock_bh(&s->lock);
	class = esprim_iv_classify(s, fixed);
	if (class == ESPRIM_IV_REFLECTED) {
		spin_unlock_bh(&s->lock);
		atomic64_inc(&s->reflections);
		return ESPRIM_OPEN_REFLECTED;
	}
	/* A full IV set ends the session for opening (profile B.9). */
	if (test_bit(ESPRIM_SESSION_SET_FULL, &s->flags)) {
		spin_unlock_bh(&s->lock);
		return -ENOSPC;
	}
	switch (class) {
	case ESPRIM_IV_ANY:
		err = 0;
		break;
	case ESPRIM_IV_WINDOW:
		err = esprim_window_record(s, fixed, c) ? 0 : -EALREADY;
		break;
	case ESPRIM_IV_SET:
		err = esprim_set_record(s, fixed, c, spare);
		break;
	default:
		err = -EALREADY;
		break;
	}
	spin_unlock_bh(&s->lock);
	if (err == -EALREADY)
		atomic64_inc(&s->replays);
	return err;
}
