/* SPDX-License-Identifier: GPL-2.0 */
/*
 * onem2m_esprim module internals shared between its source files.
 */
#ifndef _ONEM2M_ESPRIM_H
#define _ONEM2M_ESPRIM_H

#include <crypto/aead.h>
#include <linux/atomic.h>
#include <linux/key.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/genetlink.h>
#include <linux/onem2m_esprim.h>
#include <linux/onem2m_esprim_netlink.h>

/* NIST SP 800-38D 8.2.1 deterministic IV, as it goes on the wire. */
struct esprim_iv {
	__be32 fixed;
	__be64 counter;
} __packed;

/* A setkey blob, checked and decoded (key_blob.c). */
struct esprim_key_params {
	u8 form;		/* enum onem2m_esprim_key_form */
	const u8 *key;		/* RAW: points into the caller's blob */
	unsigned int key_len;	/* RAW */
	u8 role;		/* RAW: enum onem2m_esprim_role */
	u8 replay;		/* RAW: enum onem2m_esprim_replay */
	u64 max_invocations;	/* RAW */
	s32 serial;		/* REF: the session key */
};

int esprim_key_blob_parse(const u8 *blob, unsigned int len,
			  struct esprim_key_params *params);

/* Session limits and replay policy, fixed when the session state is made. */
struct esprim_limits {
	u64 soft_invocations;	/* 0: none */
	u64 hard_invocations;	/* 1 to ONEM2M_ESPRIM_MAX_INVOCATIONS */
	time64_t soft_deadline;	/* 0: none */
	time64_t hard_deadline;	/* 0: none; seal and open fail after it */
	u8 replay;		/* enum onem2m_esprim_replay */
	u16 replay_window;	/* a power of two */
	u16 replay_set;		/* AUTO: IVs of a random-IV peer kept */
};

enum esprim_session_flags {
	ESPRIM_SESSION_SOFT_EXPIRED,
	ESPRIM_SESSION_SET_FULL,	/* used up for opening */
	ESPRIM_SESSION_HARD_REPORTED,	/* its hard-expired event was sent */
};

/* The state of one side of a session, one per (key, role) (session.c). */
struct esprim_session {
	struct hlist_node node;		/* in the registry */
	refcount_t refs;
	unsigned long flags;		/* enum esprim_session_flags */
	u32 fixed;			/* our IV fixed field */
	u8 role;
	u8 key_len;
	u8 key[ONEM2M_ESPRIM_MAX_KEY_LEN];	/* what the registry matches */
	struct esprim_limits lim;
	atomic64_t next_counter;	/* our IV counter */
	atomic64_t soft_events;
	atomic64_t opens;		/* objects opened */
	atomic64_t bad_mac;		/* objects failing their tag */
	atomic64_t replays;		/* authentic objects refused as replays */
	atomic64_t reflections;		/* authentic objects of our own */
	atomic64_t limit_hits;		/* refused at the hard limits */
	spinlock_t lock;		/* the replay state below */
	struct esprim_iv_set *set;	/* AUTO: a random-IV peer's IVs */
	bool peer_seen;
	u32 peer_fixed;
	u64 peer_top;			/* highest peer counter accepted */
	unsigned long window[];		/* lim.replay_window bits */
};

void esprim_sessions_init(void);
bool esprim_sessions_empty(void);

/*
 * The state of (@key, @role): the one in the registry, with a new
 * reference, or a new one made with @lim.  A state found keeps its own
 * limits and policy.
 */
struct esprim_session *esprim_session_get_or_create(const u8 *key,
						    unsigned int key_len,
						    u8 role,
						    const struct esprim_limits *lim);
void esprim_session_put(struct esprim_session *s);

static inline struct esprim_session *
esprim_session_get(struct esprim_session *s)
{
	refcount_inc(&s->refs);
	return s;
}

/* 0, or -EKEYEXPIRED past the hard deadline. */
int esprim_session_usable(const struct esprim_session *s);

/*
 * The next IV of our side, or -EKEYEXPIRED at the hard limits.  Returns
 * ESPRIM_SOFT_LIMIT_REACHED (positive, the IV is good) from the one call
 * that crossed the soft limit or lifetime: the rekey event.
 */
#define ESPRIM_SOFT_LIMIT_REACHED	1
int esprim_session_next_iv(struct esprim_session *s, struct esprim_iv *iv);

/*
 * Before opening an object with IV fixed field @fixed: when it would be the
 * first of a random-IV peer, an IV set for the session, which the commit
 * installs only once the tag verified.  NULL if none is needed, or
 * ERR_PTR(-ENOMEM).  Whatever the commit leaves goes to
 * esprim_iv_set_free().
 */
struct esprim_iv_set *esprim_session_open_prepare(struct esprim_session *s,
						  u32 fixed, gfp_t gfp);
void esprim_iv_set_free(struct esprim_iv_set *set);

/*
 * After the tag of an object verified: checks its IV against the replay
 * state and records it.  -EALREADY: replayed; ESPRIM_OPEN_REFLECTED
 * (positive): reflected, which callers refuse with -EALREADY too;
 * -ENOSPC: the IV set is full, the session is used up for opening.
 */
#define ESPRIM_OPEN_REFLECTED	2
int esprim_session_open_commit(struct esprim_session *s, u32 fixed, u64 c,
			       struct esprim_iv_set **spare);

/* Key type "esprim" (key_type.c): the payload of its keys. */
struct esprim_key {
	struct rcu_head rcu;
	u8 kind;		/* enum onem2m_esprim_payload_kind */
	u8 enc;			/* session keys: enum onem2m_esprim_enc */
	u8 key_len;
	u8 peer_len;		/* pairwise keys */
	u8 key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	time64_t deadline;	/* hard end of use; 0: none */
	struct esprim_session *session;	/* session keys, one reference */
	u64 net_cookie;		/* session keys: the creator's netns */
	char peer[];		/* pairwise keys: @peer_len bytes */
};

extern struct key_type esprim_key_type;

/*
 * Resolves session key @serial in the caller's context (search permission
 * needed): copies its key bytes (room for 32) and takes a reference on the
 * key and on its session.
 */
int esprim_session_key_get(s32 serial, u8 *key, unsigned int *key_len,
			   struct key **keyp, struct esprim_session **sessionp);

/*
 * 0 while a key and the keys it was derived from are valid (not revoked,
 * invalidated or expired), else -errno.
 */
int esprim_session_key_usable(const struct key *key);

/*
 * Session keys by serial (key_type.c), for the netlink family.  Calls @fn
 * for each instantiated session key with serial >= *@serial, in serial
 * order, with a reference held and no lock, until @fn returns non-zero;
 * *@serial is then the serial to go on from.  The number of session keys
 * is esprim_session_keys_count().
 */
int esprim_session_keys_walk(unsigned long *serial,
			     int (*fn)(struct key *key, void *arg), void *arg);
unsigned int esprim_session_keys_count(void);
void esprim_session_keys_exit(void);
bool esprim_is_session_key(const struct key *key);

/* What the netlink family shows of a session key. */
struct esprim_session_info {
	s32 pairwise_serial;
	char peer[ONEM2M_ESPRIM_MAX_PEER_LEN + 1];
	u8 enc;
	u8 role;
	u8 replay;
	bool soft_expired;
	u32 replay_window;
	u64 soft_invocations;
	u64 hard_invocations;
	time64_t soft_deadline;	/* 0: none */
	time64_t hard_deadline;	/* 0: none */
	u64 seals;
	u64 opens;
	u64 bad_mac;
	u64 replays;
	u64 reflections;
	u64 limit_hits;
};

/*
 * Fills @si from session key @key; -ENOKEY, -EKEYREVOKED or -EKEYEXPIRED
 * once it is invalidated, revoked or expired.
 */
int esprim_session_key_info(struct key *key, struct esprim_session_info *si);

/* The serial of the pairwise key a session key derives from, else 0. */
s32 esprim_key_parent_serial(const struct key *key);

/*
 * The ID fields of an "esprim" key's description: @n of them (kid, then
 * ori and rri of a session key) into @ids as pointers and lengths.
 */
void esprim_desc_ids(const struct key *key, const char **ids, size_t *lens,
		     unsigned int n);

/* Key derivations (kdf.c), on a transform allocated at load. */
int esprim_kdf_init(void);
void esprim_kdf_exit(void);
int esprim_session_kdf(const u8 *pairwise, unsigned int pairwise_len,
		       const u8 *rro, unsigned int rro_len,
		       const u8 *oro, unsigned int oro_len,
		       u8 *out, unsigned int out_len);
int esprim_rspf_kdf(const u8 *ke, unsigned int ke_len, u8 suid,
		    const char *target, unsigned int target_len,
		    u8 out[32]);

/* AEAD template (aead.c). */
extern struct crypto_template esprim_aead_tmpl;

struct esprim_aead_ctx {
	struct crypto_aead *inner;
	struct esprim_session *session;	/* from setkey: own or the key's */
	struct key *key;		/* REF form: the session key, held */
};

struct esprim_aead_req_ctx {
	/* Opening: the peer's IV, decoded before the inner request runs. */
	u32 peer_fixed;
	u64 peer_counter;
	unsigned int textlen;
	struct esprim_session *session;
	const struct key *key;		/* the tfm's session key, if any */
	struct net *net;		/* of the task that submitted it */
	struct esprim_iv_set *spare;	/* from open_prepare, if any */
	struct aead_request *req;
	/*
	 * Must be last: the inner driver's request context follows it, then
	 * the IV buffer, aligned to the inner alignmask.
	 */
	struct aead_request subreq;
};

static inline unsigned int esprim_aead_req_ctx_size(struct crypto_aead *inner)
{
	return sizeof(struct esprim_aead_req_ctx) + crypto_aead_reqsize(inner) +
	       crypto_aead_alignmask(inner) + ONEM2M_ESPRIM_IV_LEN;
}

/*
 * The template's operations on an explicit context, so that the load-time
 * self-test runs them without looking up the template's own name.
 */
int esprim_aead_ctx_setkey(struct esprim_aead_ctx *ctx, u32 tfm_flags,
			   const u8 *blob, unsigned int len);
void esprim_aead_ctx_clear(struct esprim_aead_ctx *ctx);
int esprim_aead_seal(struct esprim_aead_ctx *ctx,
		     struct esprim_aead_req_ctx *rctx, struct aead_request *req);
int esprim_aead_open(struct esprim_aead_ctx *ctx,
		     struct esprim_aead_req_ctx *rctx, struct aead_request *req);

/* Known-answer self-test run before the module goes live (selftest.c). */
int esprim_aead_selftest(void);

/* Sets up the data path's event rate limit (aead.c). */
void esprim_aead_events_init(void);

/* The module's configuration (config.c), changed over netlink. */
struct esprim_config {
	u8 replay;		/* enum onem2m_esprim_replay, not DEFAULT */
	u32 replay_window;
	u64 soft_invocations;	/* 0: none */
	u64 hard_invocations;
	u32 soft_seconds;	/* 0: none */
	u32 hard_seconds;	/* 0: none */
	u32 upcall_timeout_ms;
	u32 negative_timeout;	/* seconds */
	u32 session_cap;
};

void esprim_config_get(struct esprim_config *cfg);
void esprim_config_set(const struct esprim_config *cfg);

/* Module-wide counters (config.c), per CPU. */
enum esprim_stat {
	ESPRIM_STAT_SEALS,
	ESPRIM_STAT_OPENS,
	ESPRIM_STAT_BAD_MAC,
	ESPRIM_STAT_REPLAYS,
	ESPRIM_STAT_REFLECTIONS,
	ESPRIM_STAT_LIMIT_HITS,
	ESPRIM_STAT_UPCALLS,
	ESPRIM_STAT_UPCALL_FAILURES,
	ESPRIM_STAT_COUNT
};

void esprim_stat_inc(enum esprim_stat stat);
u64 esprim_stat_read(enum esprim_stat stat);
/* Forgets what the load-time self-test counted. */
void esprim_stats_clear(void);

/* Generic netlink family (netlink.c). */
int esprim_netlink_init(void);
void esprim_netlink_exit(void);
extern struct genl_family esprim_genl_family;

/* What an event reports; the family sends it to the "events" group. */
struct esprim_event {
	u32 type;			/* enum onem2m_esprim_event_type */
	const struct key *key;		/* the key concerned, if known */
	int role;			/* enum onem2m_esprim_role, or -1 */
	const char *description;	/* upcall: the key requested */
	u32 error;			/* upcall: how it failed */
};

/*
 * The network namespace an event caused by the current context belongs
 * to: the current task's, or the initial one outside task context.
 */
struct net *esprim_current_net(void);
void esprim_event_send(struct net *net, const struct esprim_event *ev);
void esprim_event_send_cookie(u64 net_cookie, const struct esprim_event *ev);

/*
 * An event about a session from the data path (soft limit, hard expiry,
 * refusals), to @net: that of the task whose request it was.
 */
void esprim_event_session(struct net *net, u32 type, const struct key *key,
			  const struct esprim_session *s);

/* Key-establishment upcall (upcall.c). */
int esprim_upcall_init(void);
void esprim_upcall_exit(void);
int esprim_request_key(struct key *authkey, void *aux);
int esprim_upcall_register(struct net *net, const struct sock *sk, u32 portid,
			   struct netlink_ext_ack *extack);
#define ESPRIM_UPCALL_MAX_PAYLOAD	4096
int esprim_upcall_complete(struct net *net, const struct sock *sk, u32 portid,
			   s32 id, const void *payload, unsigned int len,
			   u32 error, u32 negative_timeout,
			   struct netlink_ext_ack *extack);

/* Batched sealing and opening (batch.c). */
void esprim_batch_exit(void);

#endif /* _ONEM2M_ESPRIM_H */
