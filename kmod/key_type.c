// SPDX-License-Identifier: GPL-2.0
/*
 * Key type "esprim": enrolment keys, pairwise keys (provisioned, or derived
 * from an enrolment key) and the session keys derived from them, all in
 * the kernel.  Formats: the uapi header.
 *
 * Key material never leaves the kernel: the type has no read operation,
 * /proc/keys shows metadata only, payloads are zeroed when freed.  A
 * session key holds a reference to its pairwise key (payload.data[1]) and
 * expires no later than it.
 */

#include <crypto/sha2.h>
#include <linux/ctype.h>
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
#define ESPRIM_KEY_PAIRWISE	1	/* session keys: their pairwise key */

static const char *const esprim_enc_names[] = {
	[ONEM2M_ESPRIM_ENC_A128GCM] = "A128GCM",
	[ONEM2M_ESPRIM_ENC_A192GCM] = "A192GCM",
	[ONEM2M_ESPRIM_ENC_A256GCM] = "A256GCM",
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
		prep->expiry = ktime_get_real_seconds() + p->lifetime;
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->quotalen = struct_size(ek, peer, ek->peer_len);
	err = 0;
out:
	kfree_sensitive(p);
	return err;
}

/*
 * Key @serial of this type with a payload of @kind, found in the caller's
 * context with search permission and valid: returned with its semaphore
 * held for reading and its payload in *@ekp.  esprim_key_release() ends it.
 */
static struct key *esprim_key_acquire(s32 serial, u8 kind,
				      const struct esprim_key **ekp)
{
	const struct esprim_key *ek;
	struct key *key;
	key_ref_t ref;
	int err;

	ref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
	if (IS_ERR(ref))
		return ERR_CAST(ref);
	key = key_ref_to_ptr(ref);
	if (key->type != &esprim_key_type) {
		key_put(key);
		return ERR_PTR(-EKEYREJECTED);
	}

	down_read(&key->sem);
	err = key_validate(key);
	ek = dereference_key_locked(key);
	if (!err && !ek)
		err = -EKEYREVOKED;
	if (!err && ek->kind != kind)
		err = -EKEYREJECTED;
	if (err) {
		up_read(&key->sem);
		key_put(key);
		return ERR_PTR(err);
	}
	*ekp = ek;
	return key;
}

static void esprim_key_release(struct key *key)
{
	up_read(&key->sem);
	key_put(key);
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
		prep->expiry = ktime_get_real_seconds() + p->lifetime;
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
	const struct esprim_key *ke;
	struct esprim_key *ek = NULL;
	struct key *enrolment;
	time64_t expiry;
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

	enrolment = esprim_key_acquire(p->enrolment,
				       ONEM2M_ESPRIM_PAYLOAD_ENROLMENT, &ke);
	if (IS_ERR(enrolment)) {
		err = PTR_ERR(enrolment);
		goto out;
	}
	err = esprim_rspf_kdf(ke->key, ke->key_len, p->suid, p->target,
			      p->target_len, ek->key);
	/* The derived key expires with Ke at the latest. */
	expiry = enrolment->expiry ?: TIME64_MAX;
	esprim_key_release(enrolment);
	if (err)
		goto out;

	ek->kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	ek->key_len = SHA256_DIGEST_SIZE;
	ek->peer_len = p->peer_len;
	memcpy(ek->peer, p->peer, p->peer_len);
	if (p->lifetime)
		expiry = min(expiry, ktime_get_real_seconds() + p->lifetime);
	prep->expiry = expiry;
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->quotalen = struct_size(ek, peer, ek->peer_len);
	ek = NULL;
	err = 0;
out:
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
		snprintf(desc, sizeof(desc), "%s%.*s",
			 ONEM2M_ESPRIM_PAIRWISE_PREFIX, (int)kid_len, kid);
		key = request_key(&esprim_key_type, desc, NULL);
		if (IS_ERR(key))
			return key;
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

/* Checks a session payload's head and turns it into session limits. */
static int esprim_session_head_parse(const struct onem2m_esprim_session_payload *h,
				     size_t datalen, struct esprim_limits *lim)
{
	unsigned int window = h->replay_window ?: ONEM2M_ESPRIM_REPLAY_WINDOW;
	time64_t now = ktime_get_real_seconds();

	if (h->reserved || h->reserved2 || h->reserved3 ||
	    h->enc < ONEM2M_ESPRIM_ENC_A128GCM ||
	    h->enc > ONEM2M_ESPRIM_ENC_A256GCM ||
	    (h->role != ONEM2M_ESPRIM_ROLE_ORIGINATOR &&
	     h->role != ONEM2M_ESPRIM_ROLE_RECEIVER) ||
	    (h->replay != ONEM2M_ESPRIM_REPLAY_STRICT &&
	     h->replay != ONEM2M_ESPRIM_REPLAY_OFF) ||
	    window < ONEM2M_ESPRIM_MIN_REPLAY_WINDOW ||
	    window > ONEM2M_ESPRIM_REPLAY_WINDOW ||
	    !h->rro_len || h->rro_len > ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN ||
	    !h->oro_len || h->oro_len > ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN ||
	    datalen != sizeof(*h) + h->rro_len + h->oro_len ||
	    h->hard_invocations > ONEM2M_ESPRIM_MAX_INVOCATIONS)
		return -EINVAL;

	lim->hard_invocations = h->hard_invocations ?:
				ONEM2M_ESPRIM_MAX_INVOCATIONS;
	lim->soft_invocations = h->soft_invocations;
	lim->soft_deadline = h->soft_seconds ? now + h->soft_seconds : 0;
	lim->replay_window = h->replay == ONEM2M_ESPRIM_REPLAY_STRICT ?
			     window : 0;
	return 0;
}

static int esprim_session_preparse(struct key_preparsed_payload *prep)
{
	const struct onem2m_esprim_session_payload *p = prep->data;
	struct onem2m_esprim_session_payload head;
	const struct esprim_key *pw;
	struct esprim_limits lim;
	struct esprim_key *ek;
	struct key *pairwise;
	time64_t expiry;
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
	ek->session = esprim_session_alloc(&lim, head.role, GFP_KERNEL);
	if (!ek->session) {
		kfree(ek);
		return -ENOMEM;
	}
	ek->kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	ek->enc = head.enc;
	ek->key_len = esprim_enc_key_len[head.enc];

	kid = esprim_desc_kid(prep->orig_description, &kid_len);
	pairwise = esprim_find_pairwise(head.pairwise, kid, kid_len);
	if (IS_ERR(pairwise)) {
		err = PTR_ERR(pairwise);
		goto err_free;
	}

	down_read(&pairwise->sem);
	err = key_validate(pairwise);
	pw = dereference_key_locked(pairwise);
	if (!err && !pw)
		err = -EKEYREVOKED;
	if (!err)
		err = esprim_session_kdf(pw->key, pw->key_len,
					 p->rand_objects, head.rro_len,
					 p->rand_objects + head.rro_len,
					 head.oro_len, ek->key, ek->key_len);
	/* A session key never outlives its pairwise key (0: no expiry). */
	expiry = pairwise->expiry ?: TIME64_MAX;
	up_read(&pairwise->sem);
	if (err) {
		key_put(pairwise);
		goto err_free;
	}

	if (head.hard_seconds)
		expiry = min(expiry, ktime_get_real_seconds() + head.hard_seconds);
	prep->expiry = expiry;
	prep->payload.data[ESPRIM_KEY_PAYLOAD] = ek;
	prep->payload.data[ESPRIM_KEY_PAIRWISE] = pairwise;
	prep->quotalen = sizeof(*ek) + sizeof(*ek->session);
	return 0;

err_free:
	esprim_session_put(ek->session);
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
	key_put(prep->payload.data[ESPRIM_KEY_PAIRWISE]);
}

static void esprim_key_free_rcu(struct rcu_head *head)
{
	esprim_key_free(container_of(head, struct esprim_key, rcu));
}

static void esprim_key_revoke(struct key *key)
{
	struct esprim_key *ek = dereference_key_locked(key);

	key_payload_reserve(key, 0);
	if (ek) {
		rcu_assign_keypointer(key, NULL);
		call_rcu(&ek->rcu, esprim_key_free_rcu);
	}
}

static void esprim_key_destroy(struct key *key)
{
	esprim_key_free(key->payload.data[ESPRIM_KEY_PAYLOAD]);
	key_put(key->payload.data[ESPRIM_KEY_PAIRWISE]);
}

static void esprim_key_describe(const struct key *key, struct seq_file *m)
{
	const struct esprim_key *ek = dereference_key_rcu(key);
	const struct key *pairwise = key->payload.data[ESPRIM_KEY_PAIRWISE];
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
	seq_printf(m, ": session enc=%s role=%s pairwise=%08x replay=",
		   esprim_enc_names[ek->enc],
		   s->role == ONEM2M_ESPRIM_ROLE_RECEIVER ?
		   "receiver" : "originator",
		   pairwise ? key_serial(pairwise) : 0);
	if (s->lim.replay_window)
		seq_printf(m, "%u", s->lim.replay_window);
	else
		seq_puts(m, "off");
	seq_printf(m, " sealed=%lld soft_expired=%lld replays=%lld",
		   (long long)min_t(s64, atomic64_read(&s->next_counter),
				    s->lim.hard_invocations),
		   (long long)atomic64_read(&s->soft_events),
		   (long long)atomic64_read(&s->replays));
}

struct key_type esprim_key_type = {
	.name = ONEM2M_ESPRIM_KEY_TYPE,
	.vet_description = esprim_vet_description,
	.preparse = esprim_key_preparse,
	.free_preparse = esprim_key_free_preparse,
	.instantiate = generic_key_instantiate,
	.revoke = esprim_key_revoke,
	.destroy = esprim_key_destroy,
	.describe = esprim_key_describe,
};

int esprim_session_key_get(s32 serial, u8 *key, unsigned int *key_len,
			   struct key **keyp, struct esprim_session **sessionp)
{
	const struct esprim_key *ek;
	struct key *k;
	int err;

	k = esprim_key_acquire(serial, ONEM2M_ESPRIM_PAYLOAD_SESSION, &ek);
	if (IS_ERR(k))
		return PTR_ERR(k);
	err = esprim_session_key_usable(k);	/* its pairwise key too */
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
	const struct key *pairwise = key->payload.data[ESPRIM_KEY_PAIRWISE];
	int err;

	err = key_validate(key);
	if (!err && pairwise)
		err = key_validate(pairwise);
	return err;
}
