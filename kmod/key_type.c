// SPDX-License-Identifier: GPL-2.0
/*
 * Key type "esprim": enrolment keys, pairwise keys (provisioned, or derived
 * from an enrolment key) and the session keys derived from them, all in
 * the kernel.  Formats: the uapi header.
 *
 * Key material never leaves the kernel: the type has no read operation,
 * /proc/keys shows metadata only, payloads are zeroed when freed.  A key
 * derived from another (a session key from its pairwise key, an RSPF
 * pairwise key from its enrolment key) holds a reference to it
 * (payload.data[1]): every use checks the whole chain, and the hard
 * deadlines of the chain are kept in the payloads and the session state,
 * out of reach of keyctl timeout.
 */

#include <crypto/sha2.h>
#include <linux/ctype.h>
#include <linux/log2.h>
#include <linux/err.h>
#include <linux/key-type.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

#define ESPRIM_KEY_PAYLOAD	0	/* struct esprim_key */
#define ESPRIM_KEY_PARENT	1	/* a derived key: the key it came from */

static const char *const esprim_enc_names[] = {
	[ONEM2M_ESPRIM_ENC_A128GCM] = "A128GCM",
	[ONEM2M_ESPRIM_ENC_A192GCM] = "A192GCM",
	[ONEM2M_ESPRIM_ENC_A256GCM] = "A256GCM",
};

static const char *const esprim_replay_names[] = {
	[ONEM2M_ESPRIM_REPLAY_AUTO] = "auto",
	[ONEM2M_ESPRIM_REPLAY_OFF] = "off",
	[ONEM2M_ESPRIM_REPLAY_STRICT] = "strict",
};

static const unsigned int esprim_enc_key_len[] = {
	[ONEM2M_ESPRIM_ENC_A128GCM] = 16,
	[ONEM2M_ESPRIM_ENC_A192GCM] = 24,
	[ONEM2M_ESPRIM_ENC_A256GCM] = 32,
};

/* Printable ASCII other than space and ':'. */
static bool esprim_id_char(char c)
{
	return c > ' ' && c <= '~' && c != ':';
}

/* Length of the ID at the start of s, ended by ':' or NUL; 0 if invalid. */
static size_t esprim_id_len(const char *s)
{
	size_t n = 0;

	while (esprim_id_char(s[n]))
		n++;
	if (n > ONEM2M_ESPRIM_MAX_ID_LEN || (s[n] && s[n] != ':'))
		return 0;
	return n;
}

/*
 * The payload kind a description names (PAIRWISE also stands for RSPF),
 * or 0 when it is malformed.
 */
static int esprim_desc_kind(const char *desc)
{
	size_t n;
	int i;

	if (!desc)
		return 0;
	if (str_has_prefix(desc, ONEM2M_ESPRIM_ENROLMENT_PREFIX)) {
		desc += strlen(ONEM2M_ESPRIM_ENROLMENT_PREFIX);
		n = esprim_id_len(desc);
		return n && !desc[n] ? ONEM2M_ESPRIM_PAYLOAD_ENROLMENT : 0;
	}
	if (str_has_prefix(desc, ONEM2M_ESPRIM_PAIRWISE_PREFIX)) {
		desc += strlen(ONEM2M_ESPRIM_PAIRWISE_PREFIX);
		n = esprim_id_len(desc);
		return n && !desc[n] ? ONEM2M_ESPRIM_PAYLOAD_PAIRWISE : 0;
	}
	if (!str_has_prefix(desc, ONEM2M_ESPRIM_SESSION_PREFIX))
		return 0;
	desc += strlen(ONEM2M_ESPRIM_SESSION_PREFIX);
	for (i = 0; i < 3; i++) {	/* kid:ori:rri */
		bool last = i == 2;

		n = esprim_id_len(desc);
		if (!n || last == (desc[n] == ':'))
			return 0;
		desc += last ? n : n + 1;
	}
	return ONEM2M_ESPRIM_PAYLOAD_SESSION;
}

static int esprim_vet_description(const char *desc)
{
	return esprim_desc_kind(desc) ? 0 : -EINVAL;
}

/* The kid of a description: what follows the prefix, up to ':' or NUL. */
static const char *esprim_desc_kid(const char *desc, size_t *len)
{
	desc = strchr(desc, ':') + 1;
	*len = esprim_id_len(desc);
	return desc;
}

/* Whether @len bytes of @s are printable ASCII and the rest of @size zero. */
static bool esprim_text_valid(const char *s, unsigned int len,
			      unsigned int size)
{
	unsigned int i;

	if (!len || len >= size || memchr_inv(s + len, 0, size - len))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* An FQDN in ASCII: letters, digits, '-' and '.'. */
static bool esprim_fqdn_valid(const char *s, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/*
 * The key's expiry from its hard deadline.  The keys core leaves expiry
 * alone when it is TIME64_MAX (its default): 0 would mean expired at once.
 */
static void esprim_prep_expiry(struct key_preparsed_payload *prep,
			       time64_t deadline)
{
	if (deadline)
		prep->expiry = deadline;
}

/* A private copy of a fixed-size payload, which must be exactly @size. */
static void *esprim_payload_dup(const struct key_preparsed_payload *prep,
				size_t size)
{
	void *p;

	if (prep->datalen != size)
		return ERR_PTR(-EINVAL);
	p = kmemdup(prep->data, size, GFP_KERNEL);
	return p ?: ERR_PTR(-ENOMEM);
}

/* A key of @len bytes in a field of @size: length in range, zero after. */
static bool esprim_key_bytes_valid(const u8 *key, unsigned int len,
				   unsigned int size)
{
	return len >= ONEM2M_ESPRIM_MIN_PAIRWISE_LEN &&
	       len <= ONEM2M_ESPRIM_MAX_PAIRWISE_LEN &&
	       !memchr_inv(key + len, 0, size - len);
}

static int esprim_pairwise_preparse(struct key_preparsed_payload *prep)
{
	struct onem2m_esprim_pairwise_payload *p;
	struct esprim_key *ek = NULL;
	int err = -EINVAL;

	p = esprim_payload_dup(prep, sizeof(*p));
	if (IS_ERR(p))
		return PTR_ERR(p);

	if (p->reserved ||
	    !esprim_key_bytes_valid(p->key, p->key_len, sizeof(p->key)) ||
	    !esprim_text_valid(p->peer, p->peer_len, sizeof(p->peer)))
		goto out;

	err = -ENOMEM;
	ek = kzalloc(struct_size(ek, peer, p->peer_len), GFP_KERNEL);
	if (!ek)
		goto out;
	ek->kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	ek->key_len = p->key_len;
	memcpy(ek->key, p->key, p->key_len);
	ek->peer_len = p->peer_len;
	memcpy(ek->peer, p->peer, p->peer_len);
	if (p->lifetime)
		ek->deadline = ktime_get_real_seconds() + p->lifetime;
	esprim_prep_expiry(prep, ek->deadline);
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->quotalen = struct_size(ek, peer, ek->peer_len);
	err = 0;
out:
	kfree_sensitive(p);
	return err;
}

/* What a derivation needs of the key it derives from, copied out. */
struct esprim_key_secret {
	u8 key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	unsigned int key_len;
	time64_t deadline;	/* 0: none */
};

/*
 * Copies out the key bytes and deadline of @key, which must be valid, of
 * this type and of payload @kind; the derivation then runs without the
 * key's semaphore held.
 */
static int esprim_key_copy_secret(struct key *key, u8 kind,
				  struct esprim_key_secret *secret)
{
	const struct esprim_key *ek;
	int err;

	if (key->type != &esprim_key_type)
		return -EKEYREJECTED;
	down_read(&key->sem);
	err = esprim_session_key_usable(key);
	ek = dereference_key_locked(key);
	if (!err && !ek)
		err = -EKEYREVOKED;
	if (!err && ek->kind != kind)
		err = -EKEYREJECTED;
	/* Its own deadline, whatever keyctl timeout did to key->expiry. */
	if (!err && ek->deadline && ktime_get_real_seconds() >= ek->deadline)
		err = -EKEYEXPIRED;
	if (!err) {
		memcpy(secret->key, ek->key, ek->key_len);
		secret->key_len = ek->key_len;
		secret->deadline = ek->deadline;
	}
	up_read(&key->sem);
	return err;
}

/* The earlier of two deadlines, 0 standing for none. */
static time64_t esprim_deadline_min(time64_t a, time64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return min(a, b);
}

static int esprim_enrolment_preparse(struct key_preparsed_payload *prep)
{
	struct onem2m_esprim_enrolment_payload *p;
	struct esprim_key *ek;
	int err = -EINVAL;

	p = esprim_payload_dup(prep, sizeof(*p));
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (memchr_inv(p->reserved, 0, sizeof(p->reserved)) ||
	    !esprim_key_bytes_valid(p->key, p->key_len, sizeof(p->key)))
		goto out;

	err = -ENOMEM;
	ek = kzalloc(sizeof(*ek), GFP_KERNEL);
	if (!ek)
		goto out;
	ek->kind = ONEM2M_ESPRIM_PAYLOAD_ENROLMENT;
	ek->key_len = p->key_len;
	memcpy(ek->key, p->key, p->key_len);
	if (p->lifetime)
		ek->deadline = ktime_get_real_seconds() + p->lifetime;
	esprim_prep_expiry(prep, ek->deadline);
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->quotalen = sizeof(*ek);
	err = 0;
out:
	kfree_sensitive(p);
	return err;
}

/* Derives a pairwise key from an enrolment key (TS-0003 10.3.7). */
static int esprim_rspf_preparse(struct key_preparsed_payload *prep)
{
	struct onem2m_esprim_rspf_payload *p;
	struct esprim_key_secret ke;
	struct esprim_key *ek = NULL;
	struct key *enrolment = NULL;
	key_ref_t ref;
	int err = -EINVAL;

	p = esprim_payload_dup(prep, sizeof(*p));
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (p->reserved || p->suid != ONEM2M_ESPRIM_SUID_RSPF ||
	    !esprim_text_valid(p->target, p->target_len, sizeof(p->target)) ||
	    !esprim_fqdn_valid(p->target, p->target_len) ||
	    !esprim_text_valid(p->peer, p->peer_len, sizeof(p->peer)))
		goto out;

	err = -ENOMEM;
	ek = kzalloc(struct_size(ek, peer, p->peer_len), GFP_KERNEL);
	if (!ek)
		goto out;

	ref = lookup_user_key(p->enrolment, 0, KEY_NEED_SEARCH);
	if (IS_ERR(ref)) {
		err = PTR_ERR(ref);
		goto out;
	}
	enrolment = key_ref_to_ptr(ref);
	err = esprim_key_copy_secret(enrolment,
				     ONEM2M_ESPRIM_PAYLOAD_ENROLMENT, &ke);
	if (!err)
		err = esprim_rspf_kdf(ke.key, ke.key_len, p->suid, p->target,
				      p->target_len, ek->key);
	memzero_explicit(ke.key, sizeof(ke.key));
	if (err)
		goto out;

	ek->kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	ek->key_len = SHA256_DIGEST_SIZE;
	ek->peer_len = p->peer_len;
	memcpy(ek->peer, p->peer, p->peer_len);
	/* The derived key ends with Ke at the latest, revoked or expired. */
	ek->deadline = ke.deadline;
	if (p->lifetime)
		ek->deadline = esprim_deadline_min(ek->deadline,
						   ktime_get_real_seconds() +
						   p->lifetime);
	esprim_prep_expiry(prep, ek->deadline);
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->payload.data[ESPRIM_KEY_PARENT] = enrolment;
	prep->quotalen = struct_size(ek, peer, ek->peer_len);
	ek = NULL;
	enrolment = NULL;
	err = 0;
out:
	key_put(enrolment);
	kfree_sensitive(ek);
	kfree_sensitive(p);
	return err;
}

/* The pairwise key a session payload names, with search permission. */
static struct key *esprim_find_pairwise(s32 serial, const char *kid,
					size_t kid_len)
{
	char desc[sizeof(ONEM2M_ESPRIM_PAIRWISE_PREFIX) +
		  ONEM2M_ESPRIM_MAX_ID_LEN];
	const char *found_kid;
	size_t found_len;
	key_ref_t ref;
	struct key *key;

	if (serial) {
		ref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
		if (IS_ERR(ref))
			return ERR_CAST(ref);
		key = key_ref_to_ptr(ref);
	} else {
		/*
		 * Found, not constructed and not waited for: this may run in
		 * the key daemon's own upcall answer.
		 */
		snprintf(desc, sizeof(desc), "%s%.*s",
			 ONEM2M_ESPRIM_PAIRWISE_PREFIX, (int)kid_len, kid);
		rcu_read_lock();
		key = request_key_rcu(&esprim_key_type, desc, NULL);
		rcu_read_unlock();
		if (IS_ERR(key))
			return key;
		if (!key_is_positive(key)) {
			key_put(key);
			return ERR_PTR(-ENOKEY);
		}
	}

	/* It must be a pairwise key for the kid the session names. */
	if (key->type != &esprim_key_type ||
	    esprim_desc_kind(key->description) !=
	    ONEM2M_ESPRIM_PAYLOAD_PAIRWISE) {
		key_put(key);
		return ERR_PTR(-EKEYREJECTED);
	}
	found_kid = esprim_desc_kid(key->description, &found_len);
	if (found_len != kid_len || memcmp(found_kid, kid, kid_len)) {
		key_put(key);
		return ERR_PTR(-EKEYREJECTED);
	}
	return key;
}

/*
 * Checks a session payload's head and turns it into session limits, the
 * module's configured defaults standing in for the fields left 0.
 */
static int esprim_session_head_parse(const struct onem2m_esprim_session_payload *h,
				     size_t datalen, struct esprim_limits *lim)
{
	time64_t now = ktime_get_real_seconds();
	struct esprim_config cfg;
	unsigned int window, set, replay;
	u32 soft_seconds, hard_seconds;

	esprim_config_get(&cfg);
	window = h->replay_window ?: cfg.replay_window;
	set = h->replay_set ?: ONEM2M_ESPRIM_REPLAY_SET;
	replay = h->replay == ONEM2M_ESPRIM_REPLAY_DEFAULT ? cfg.replay :
							     h->replay;
	if (h->reserved || h->reserved3 ||
	    h->enc < ONEM2M_ESPRIM_ENC_A128GCM ||
	    h->enc > ONEM2M_ESPRIM_ENC_A256GCM ||
	    (h->role != ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
	     h->role != ONEM2M_ESPRIM_ROLE_RECEIVER) ||
	    (replay != ONEM2M_ESPRIM_REPLAY_AUTO &&
	     replay != ONEM2M_ESPRIM_REPLAY_STRICT &&
	     replay != ONEM2M_ESPRIM_REPLAY_OFF) ||
	    window < ONEM2M_ESPRIM_MIN_REPLAY_WINDOW ||
	    window > ONEM2M_ESPRIM_MAX_REPLAY_WINDOW ||
	    !is_power_of_2(window) || set > ONEM2M_ESPRIM_MAX_REPLAY_SET ||
	    !h->rro_len || h->rro_len > ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN ||
	    !h->oro_len || h->oro_len > ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN ||
	    datalen != sizeof(*h) + h->rro_len + h->oro_len ||
	    h->hard_invocations > ONEM2M_ESPRIM_MAX_INVOCATIONS)
		return -EINVAL;

	soft_seconds = h->soft_seconds ?: cfg.soft_seconds;
	hard_seconds = h->hard_seconds ?: cfg.hard_seconds;
	lim->hard_invocations = h->hard_invocations ?: cfg.hard_invocations;
	lim->soft_invocations = h->soft_invocations ?: cfg.soft_invocations;
	lim->soft_deadline = soft_seconds ? now + soft_seconds : 0;
	lim->hard_deadline = hard_seconds ? now + hard_seconds : 0;
	lim->replay = replay;
	lim->replay_window = window;
	lim->replay_set = set;
	return 0;
}

static int esprim_session_preparse(struct key_preparsed_payload *prep)
{
	const struct onem2m_esprim_session_payload *p = prep->data;
	struct onem2m_esprim_session_payload head;
	struct esprim_key_secret pw;
	struct esprim_limits lim;
	struct esprim_key *ek;
	struct key *pairwise;
	const char *kid;
	size_t kid_len;
	int err;

	if (prep->datalen < sizeof(head))
		return -EINVAL;
	memcpy(&head, p, sizeof(head));
	err = esprim_session_head_parse(&head, prep->datalen, &lim);
	if (err)
		return err;

	ek = kzalloc(sizeof(*ek), GFP_KERNEL);
	if (!ek)
		return -ENOMEM;
	ek->kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	ek->enc = head.enc;
	ek->key_len = esprim_enc_key_len[head.enc];

	kid = esprim_desc_kid(prep->orig_description, &kid_len);
	pairwise = esprim_find_pairwise(head.pairwise, kid, kid_len);
	if (IS_ERR(pairwise)) {
		err = PTR_ERR(pairwise);
		goto err_free;
	}
	err = esprim_key_copy_secret(pairwise, ONEM2M_ESPRIM_PAYLOAD_PAIRWISE,
				     &pw);
	if (!err)
		err = esprim_session_kdf(pw.key, pw.key_len, p->rand_objects,
					 head.rro_len,
					 p->rand_objects + head.rro_len,
					 head.oro_len, ek->key, ek->key_len);
	memzero_explicit(pw.key, sizeof(pw.key));
	if (err)
		goto err_put;

	/* Never past the pairwise key's own hard deadline. */
	lim.hard_deadline = esprim_deadline_min(lim.hard_deadline, pw.deadline);
	ek->session = esprim_session_get_or_create(ek->key, ek->key_len,
						   head.role, &lim);
	if (IS_ERR(ek->session)) {
		err = PTR_ERR(ek->session);
		ek->session = NULL;
		goto err_put;
	}
	/* Its own deadline, and the state's if it joined an earlier one. */
	ek->deadline = esprim_deadline_min(lim.hard_deadline,
					   ek->session->lim.hard_deadline);

	esprim_prep_expiry(prep, ek->deadline);
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->payload.data[ESPRIM_KEY_PARENT] = pairwise;
	prep->quotalen = sizeof(*ek) + sizeof(*ek->session);
	return 0;

err_put:
	key_put(pairwise);
err_free:
	kfree_sensitive(ek);
	return err;
}

/* Each payload kind: the description it belongs to, and its parser. */
static const struct {
	int desc_kind;
	int (*preparse)(struct key_preparsed_payload *prep);
} esprim_payloads[] = {
	[ONEM2M_ESPRIM_PAYLOAD_PAIRWISE] = {
		ONEM2M_ESPRIM_PAYLOAD_PAIRWISE, esprim_pairwise_preparse },
	[ONEM2M_ESPRIM_PAYLOAD_SESSION] = {
		ONEM2M_ESPRIM_PAYLOAD_SESSION, esprim_session_preparse },
	[ONEM2M_ESPRIM_PAYLOAD_ENROLMENT] = {
		ONEM2M_ESPRIM_PAYLOAD_ENROLMENT, esprim_enrolment_preparse },
	[ONEM2M_ESPRIM_PAYLOAD_RSPF] = {
		ONEM2M_ESPRIM_PAYLOAD_PAIRWISE, esprim_rspf_preparse },
};

static int esprim_key_preparse(struct key_preparsed_payload *prep)
{
	struct onem2m_esprim_payload_hdr hdr;
	int kind;

	kind = esprim_desc_kind(prep->orig_description);
	if (!kind || !prep->data || prep->datalen < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, prep->data, sizeof(hdr));
	if (hdr.version != ONEM2M_ESPRIM_PAYLOAD_V1 || hdr.reserved ||
	    hdr.kind >= ARRAY_SIZE(esprim_payloads) ||
	    !esprim_payloads[hdr.kind].preparse ||
	    esprim_payloads[hdr.kind].desc_kind != kind)
		return -EINVAL;
	return esprim_payloads[hdr.kind].preparse(prep);
}

static void esprim_key_free(struct esprim_key *ek)
{
	if (ek)
		esprim_session_put(ek->session);
	kfree_sensitive(ek);
}

static void esprim_key_free_preparse(struct key_preparsed_payload *prep)
{
	esprim_key_free(prep->payload.data[ESPRIM_KEY_PAYLOAD]);
	key_put(prep->payload.data[ESPRIM_KEY_PARENT]);
}

static void esprim_key_free_rcu(struct rcu_head *head)
{
	esprim_key_free(container_of(head, struct esprim_key, rcu));
}

/*
 * Session keys by serial, for the netlink family.  A key is here from its
 * instantiation until it is revoked or destroyed; the key memory stays
 * valid while it is here (destroy takes it out before the keys core frees
 * it), so a reference is taken under the lock.
 */
static DEFINE_XARRAY(esprim_session_keys);
static atomic_t esprim_session_key_count = ATOMIC_INIT(0);

static u8 esprim_key_role(const struct esprim_key *ek)
{
	return ek->session->role;
}

/* Takes a session key out of the index; true if it was in it. */
static bool esprim_session_key_unindex(struct key *key)
{
	if (!xa_erase(&esprim_session_keys, key->serial))
		return false;
	atomic_dec(&esprim_session_key_count);
	return true;
}

/*
 * At module exit, once the key type is gone: no session key is left in the
 * index, but an xa_insert() that found no memory for a node may have left
 * empty nodes in it (the XArray frees them only on deletions beneath them,
 * kmemleak found them under failslab), and they go with the module.
 */
void esprim_session_keys_exit(void)
{
	xa_destroy(&esprim_session_keys);
}

static int esprim_key_instantiate(struct key *key,
				  struct key_preparsed_payload *prep)
{
	struct esprim_key *ek = prep->payload.data[ESPRIM_KEY_PAYLOAD];
	struct esprim_event ev = {
		.type = ONEM2M_ESPRIM_EVENT_TYPE_SESSION_CREATED,
		.key = key,
	};
	struct esprim_config cfg;
	struct net *net;
	int err;

	if (ek->kind != ONEM2M_ESPRIM_PAYLOAD_SESSION)
		return generic_key_instantiate(key, prep);

	esprim_config_get(&cfg);
	if (atomic_inc_return(&esprim_session_key_count) > cfg.session_cap) {
		err = -EDQUOT;
		goto err_count;
	}
	err = xa_insert(&esprim_session_keys, key->serial, key, GFP_KERNEL);
	if (err)
		goto err_count;
	net = esprim_current_net();
	ek->net_cookie = net->net_cookie;
	ev.role = esprim_key_role(ek);
	err = generic_key_instantiate(key, prep);
	if (err) {
		xa_erase(&esprim_session_keys, key->serial);
		goto err_count;
	}
	esprim_event_send(net, &ev);
	return 0;

err_count:
	atomic_dec(&esprim_session_key_count);
	return err;
}

static void esprim_key_revoke(struct key *key)
{
	struct esprim_key *ek = dereference_key_locked(key);
	struct esprim_event ev = {
		.type = ONEM2M_ESPRIM_EVENT_TYPE_SESSION_DESTROYED,
		.key = key,
	};

	key_payload_reserve(key, 0);
	if (!ek)
		return;
	/* As for garbage collection: to the namespace it was made in. */
	if (esprim_session_key_unindex(key)) {
		ev.role = esprim_key_role(ek);
		esprim_event_send_cookie(ek->net_cookie, &ev);
	}
	rcu_assign_keypointer(key, NULL);
	call_rcu(&ek->rcu, esprim_key_free_rcu);
}

static void esprim_key_destroy(struct key *key)
{
	struct esprim_key *ek = key->payload.data[ESPRIM_KEY_PAYLOAD];
	struct esprim_event ev = {
		.type = ONEM2M_ESPRIM_EVENT_TYPE_SESSION_DESTROYED,
		.key = key,
	};

	/* Garbage collection: to the namespace the key was made in. */
	if (ek && esprim_session_key_unindex(key)) {
		ev.role = esprim_key_role(ek);
		esprim_event_send_cookie(ek->net_cookie, &ev);
	}
	esprim_key_free(ek);
	key_put(key->payload.data[ESPRIM_KEY_PARENT]);
}

int esprim_session_keys_walk(unsigned long *serial,
			     int (*fn)(struct key *key, void *arg), void *arg)
{
	struct key *key;
	int ret;

	for (;; (*serial)++) {
		xa_lock(&esprim_session_keys);
		key = xa_find(&esprim_session_keys, serial, S32_MAX,
			      XA_PRESENT);
		/* One whose last reference is gone is being collected. */
		if (key && !refcount_inc_not_zero(&key->usage)) {
			xa_unlock(&esprim_session_keys);
			continue;
		}
		xa_unlock(&esprim_session_keys);
		if (!key)
			return 0;
		ret = fn(key, arg);
		key_put(key);
		if (ret)
			return ret;
		cond_resched();
	}
}

int esprim_session_key_info(struct key *key, struct esprim_session_info *si)
{
	const struct key *pairwise = key->payload.data[ESPRIM_KEY_PARENT];
	const struct esprim_key *ek, *pk;
	const struct esprim_session *s;
	int err = 0;

	memset(si, 0, sizeof(*si));
	rcu_read_lock();
	/* Invalidated, revoked or expired: no longer a session to show. */
	err = key_validate(key);
	ek = dereference_key_rcu(key);
	if (!err && (!ek || ek->kind != ONEM2M_ESPRIM_PAYLOAD_SESSION))
		err = -EKEYREVOKED;
	if (err)
		goto out;
	s = ek->session;
	si->pairwise_serial = pairwise ? key_serial(pairwise) : 0;
	pk = pairwise ? dereference_key_rcu(pairwise) : NULL;
	if (pk)
		memcpy(si->peer, pk->peer, pk->peer_len);
	si->enc = ek->enc;
	si->role = s->role;
	si->replay = s->lim.replay;
	si->soft_expired = test_bit(ESPRIM_SESSION_SOFT_EXPIRED, &s->flags);
	si->replay_window = s->lim.replay_window;
	si->soft_invocations = s->lim.soft_invocations;
	si->hard_invocations = s->lim.hard_invocations;
	si->soft_deadline = s->lim.soft_deadline;
	si->hard_deadline = ek->deadline;
	si->seals = min_t(u64, atomic64_read(&s->next_counter),
			  s->lim.hard_invocations);
	si->opens = atomic64_read(&s->opens);
	si->bad_mac = atomic64_read(&s->bad_mac);
	si->replays = atomic64_read(&s->replays);
	si->reflections = atomic64_read(&s->reflections);
	si->limit_hits = atomic64_read(&s->limit_hits);
out:
	rcu_read_unlock();
	return err;
}

s32 esprim_key_parent_serial(const struct key *key)
{
	const struct key *parent = key->payload.data[ESPRIM_KEY_PARENT];

	return parent ? key_serial(parent) : 0;
}

unsigned int esprim_session_keys_count(void)
{
	return atomic_read(&esprim_session_key_count);
}

bool esprim_is_session_key(const struct key *key)
{
	return key->type == &esprim_key_type &&
	       esprim_desc_kind(key->description) ==
	       ONEM2M_ESPRIM_PAYLOAD_SESSION;
}

void esprim_desc_ids(const struct key *key, const char **ids, size_t *lens,
		     unsigned int n)
{
	const char *p = strchr(key->description, ':');
	unsigned int i;

	for (i = 0; i < n; i++) {
		ids[i] = p ? p + 1 : "";
		lens[i] = p ? esprim_id_len(ids[i]) : 0;
		p = p ? strchr(ids[i], ':') : NULL;
	}
}

static void esprim_key_describe(const struct key *key, struct seq_file *m)
{
	const struct esprim_key *ek = dereference_key_rcu(key);
	const struct key *pairwise = key->payload.data[ESPRIM_KEY_PARENT];
	const struct esprim_session *s;

	seq_puts(m, key->description);
	if (!key_is_positive(key) || !ek)
		return;
	if (ek->kind == ONEM2M_ESPRIM_PAYLOAD_ENROLMENT) {
		seq_printf(m, ": enrolment len=%u", ek->key_len);
		return;
	}
	if (ek->kind == ONEM2M_ESPRIM_PAYLOAD_PAIRWISE) {
		seq_printf(m, ": pairwise peer=%.*s len=%u", ek->peer_len,
			   ek->peer, ek->key_len);
		return;
	}
	s = ek->session;
	seq_printf(m, ": session enc=%s role=%s pairwise=%08x replay=%s",
		   esprim_enc_names[ek->enc],
		   s->role == ONEM2M_ESPRIM_ROLE_RECEIVER ?
		   "receiver" : "originator",
		   pairwise ? key_serial(pairwise) : 0,
		   esprim_replay_names[s->lim.replay]);
	if (s->lim.replay != ONEM2M_ESPRIM_REPLAY_OFF)
		seq_printf(m, "/%u", s->lim.replay_window);
	seq_printf(m, " sealed=%lld soft_expired=%lld replays=%lld reflected=%lld",
		   (long long)min_t(s64, atomic64_read(&s->next_counter),
				    s->lim.hard_invocations),
		   (long long)atomic64_read(&s->soft_events),
		   (long long)atomic64_read(&s->replays),
		   (long long)atomic64_read(&s->reflections));
}

struct key_type esprim_key_type = {
	.name = ONEM2M_ESPRIM_KEY_TYPE,
	.vet_description = esprim_vet_description,
	.preparse = esprim_key_preparse,
	.free_preparse = esprim_key_free_preparse,
	.instantiate = esprim_key_instantiate,
	.request_key = esprim_request_key,
	.revoke = esprim_key_revoke,
	.destroy = esprim_key_destroy,
	.describe = esprim_key_describe,
};

int esprim_session_key_get(s32 serial, u8 *key, unsigned int *key_len,
			   struct key **keyp, struct esprim_session **sessionp)
{
	const struct esprim_key *ek;
	struct key *k;
	key_ref_t ref;
	int err;

	ref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
	if (IS_ERR(ref))
		return PTR_ERR(ref);
	k = key_ref_to_ptr(ref);
	if (k->type != &esprim_key_type) {
		key_put(k);
		return -EKEYREJECTED;
	}

	down_read(&k->sem);
	ek = dereference_key_locked(k);
	err = esprim_session_key_usable(k);	/* the chain above it too */
	if (!err && !ek)
		err = -EKEYREVOKED;
	if (!err && ek->kind != ONEM2M_ESPRIM_PAYLOAD_SESSION)
		err = -EKEYREJECTED;
	if (!err) {
		memcpy(key, ek->key, ek->key_len);
		*key_len = ek->key_len;
		*sessionp = esprim_session_get(ek->session);
	}
	up_read(&k->sem);
	if (err) {
		key_put(k);
		return err;
	}
	*keyp = k;	/* keeps the reference lookup_user_key took */
	return 0;
}

int esprim_session_key_usable(const struct key *key)
{
	time64_t now = ktime_get_real_seconds();
	const struct esprim_key *ek;
	const struct key *k;
	int err = 0;

	/*
	 * Session key, pairwise key, enrolment key: at most three.  Each
	 * one's own hard deadline counts, whatever its key->expiry says.
	 */
	rcu_read_lock();
	for (k = key; k && !err; k = k->payload.data[ESPRIM_KEY_PARENT]) {
		err = key_validate(k);
		ek = dereference_key_rcu(k);
		if (!err && ek && ek->deadline && now >= ek->deadline)
			err = -EKEYEXPIRED;
	}
	rcu_read_unlock();
	return err;
}
