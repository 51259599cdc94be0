/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * onem2m_esprim: oneM2M End-to-End Security of Primitives (ESPrim),
 * kernel/user interface.
 *
 * This header is the single definition of every format shared between the
 * onem2m_esprim module and userspace.
 *
 * AEAD template "onem2m-esprim(gcm(aes))"
 * ========================================
 *
 * The template wraps an AES-GCM implementation (any driver whose cra_name is
 * "gcm(aes)", with a 12-byte IV and a 16-byte tag) and generates the IV
 * itself, following NIST SP 800-38D 8.2.1 (deterministic construction):
 *
 *   IV = fixed field (4 bytes) || invocation counter (8 bytes, big endian)
 *   fixed field = role bit (bit 31, ONEM2M_ESPRIM_ROLE_*) | 31 random bits
 *
 * Both directions of an ESPrim session share one key; the role bit keeps
 * the originator's and the receiver's IV spaces apart.  The counter starts
 * at 0 and never wraps: once the invocation limit is reached, encryption
 * fails with -EKEYEXPIRED.
 *
 * Nonce uniqueness.  The module keeps exactly one session state (fixed
 * field, invocation counter, limits, replay state) per (key bytes, role)
 * on the machine, for as long as a session key or a tfm refers to it.
 * Every tfm and every session key with the same key bytes and role shares
 * it, whether it was reached by reference (a session key, however often
 * and by whichever process it is derived again) or by a raw setkey of the
 * same bytes: such a user continues the existing counter and replay state,
 * with the limits and replay policy the state was made with.  Once nothing
 * refers to a state it is wiped; a later use of the same key bytes starts
 * a new state with a new random fixed field, so (key, IV) pairs can then
 * repeat only if the 31 random bits do (2^-31 per restart), and under AUTO
 * this side's objects from before the restart (our role bit, the old fixed
 * field) count as a random-IV peer's rather than as reflected: rekey (new
 * rand objects) rather than restarting a session from nothing.
 *
 * Replay protection (enum onem2m_esprim_replay) is applied after the tag
 * verified: nothing an unauthenticated object carries changes the state
 * or the counters.  An object whose IV carries this side's own role bit
 * and fixed field is refused as reflected under every policy.
 *
 * The IV travels in the authentication "tag": the template's authsize is
 * ONEM2M_ESPRIM_TRAILER_LEN (28) and the trailer is GCM tag || IV.  The
 * template's ivsize is 0: AF_ALG callers send no IV.
 *
 *   encrypt: in  = AAD || plaintext
 *            out = AAD || ciphertext || tag (16) || IV (12)
 *   decrypt: in  = AAD || ciphertext || tag (16) || IV (12)
 *            out = AAD || plaintext
 *
 * The AAD is ASCII(BASE64URL(protected header)) of the JWE, of any length up
 * to ONEM2M_ESPRIM_MAX_AAD; the text is at most ONEM2M_ESPRIM_MAX_TEXT bytes.
 * The inner GCM runs in place on the caller's scatterlists; the payload is
 * never copied.  Errors: -EINVAL for a wrong authsize, short or oversize
 * request or malformed key blob, -EBADMSG for a failed integrity check,
 * -EKEYEXPIRED when the invocation limit or hard lifetime is reached or
 * the key (or a key it derives from) expired, -EKEYREVOKED when such a key
 * was revoked, -ENOKEY when it was invalidated, -EALREADY for a replayed or
 * reflected object, -ENOSPC when opening on a session whose IV set is full,
 * -ENOMEM when the IV set cannot be allocated.  An object refused after
 * decryption (bad tag, replay, full set) leaves no plaintext in the output.
 *
 * setkey takes a versioned key blob: struct onem2m_esprim_key_raw (the key
 * itself) or struct onem2m_esprim_key_ref (a session key of the "esprim"
 * key type, by serial).
 *
 * Key type "esprim"
 * =================
 *
 * Holds pairwise and session keys; key material is never readable back
 * (no read operation), /proc/keys shows metadata only.
 *
 *   description                 payload
 *   enrolment:<id>              struct onem2m_esprim_enrolment_payload
 *   pairwise:<kid>              struct onem2m_esprim_pairwise_payload, or
 *                               struct onem2m_esprim_rspf_payload (derived)
 *   session:<kid>:<ori>:<rri>   struct onem2m_esprim_session_payload
 *
 * kid, ori and rri are 1 to ONEM2M_ESPRIM_MAX_ID_LEN printable ASCII
 * characters other than space and ':' (the module checks no more; ori and
 * rri are NCNames on the wire, which libesprim checks).  Peer identities
 * are printable ASCII other than space (0x21 to 0x7e), as oneM2M
 * identifiers are; RSPF targets are FQDNs (letters, digits, '-', '.').
 *
 * A session key is derived in the kernel from non-secret inputs only
 * (TS-0003 10.3.8.2):
 *
 *   sessionESPrimKey = HMAC-SHA256(pairwiseESPrimKey,
 *       receiverESPrimRandObject || originatorESPrimRandObject ||
 *       "oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm")
 *
 * truncated to its leftmost 16 or 24 octets for A128GCM or A192GCM.  The
 * rand objects are the octets userspace gives (the project's profile: their
 * RFC 8785 canonical JSON).  The pairwise key is named by serial, or found
 * as "pairwise:<kid>" in the caller's keyrings; either way the caller
 * needs search permission on it.  A session key expires no later than its
 * pairwise key: each use checks the whole chain (session key, pairwise
 * key, and the enrolment key an RSPF pairwise key was derived from) for
 * revocation, invalidation and expiry, and the hard lifetimes given in the
 * payloads are kept in the module as well, so that changing a key's
 * timeout (keyctl timeout) cannot extend them.
 *
 * A pairwise key can itself be derived in the kernel from an enrolment key
 * Ke provisioned by a Remote Security Provisioning Framework (TS-0003
 * 10.3.7), so that RSPF keys never pass through userspace either:
 *
 *   pairwiseESPrimKey = HMAC-SHA-256(Ke, "oneM2M Enrolment Key to
 *       Usage-Constrained Symmetric Key derivation" || SUID ||
 *       Enrolment-Target-ID)
 *
 * SUID is written as ASCII decimal digits ("23"; the specification does
 * not fix an encoding, this is the project's choice), the Enrolment-Target-ID
 * is the target's FQDN in ASCII (IDNA A-labels, which NFKC leaves as they
 * are).
 *
 *   keyctl padd esprim pairwise:13-gw1.example.net @s < pairwise.bin
 *   keyctl padd esprim session:13-gw1.example.net:o1:r1 @s < derive.bin
 */
#ifndef _UAPI_LINUX_ONEM2M_ESPRIM_H
#define _UAPI_LINUX_ONEM2M_ESPRIM_H

#include <linux/types.h>

/* Template and algorithm names. */
#define ONEM2M_ESPRIM_TEMPLATE		"onem2m-esprim"
#define ONEM2M_ESPRIM_AEAD_ALG		"onem2m-esprim(gcm(aes))"

/* Layout of the generated IV and of the trailer. */
#define ONEM2M_ESPRIM_IV_LEN		12
#define ONEM2M_ESPRIM_IV_FIXED_LEN	4
#define ONEM2M_ESPRIM_IV_COUNTER_LEN	8
#define ONEM2M_ESPRIM_TAG_LEN		16
#define ONEM2M_ESPRIM_TRAILER_LEN	(ONEM2M_ESPRIM_TAG_LEN + ONEM2M_ESPRIM_IV_LEN)
#define ONEM2M_ESPRIM_IV_ROLE_BIT	0x80000000U

/* Request size limits (bytes). */
#define ONEM2M_ESPRIM_MAX_AAD		8192
#define ONEM2M_ESPRIM_MAX_TEXT		131072

/* Invocation limit per key: default and largest accepted value. */
#define ONEM2M_ESPRIM_MAX_INVOCATIONS	(1ULL << 32)

/* Session key lengths for A128GCM, A192GCM and A256GCM. */
#define ONEM2M_ESPRIM_MAX_KEY_LEN	32

/* Key blob versions and forms. */
#define ONEM2M_ESPRIM_KEY_BLOB_V1	1

enum onem2m_esprim_key_form {
	ONEM2M_ESPRIM_KEY_FORM_RAW = 1,	/* key bytes in the blob */
	ONEM2M_ESPRIM_KEY_FORM_REF = 2,	/* an "esprim" session key */
};

/* Whose messages a tfm seals; selects the IV role bit. */
enum onem2m_esprim_role {
	ONEM2M_ESPRIM_ROLE_ORIGINATOR = 0,	/* requests, IV role bit 0 */
	ONEM2M_ESPRIM_ROLE_RECEIVER = 1,	/* responses, IV role bit 1 */
};

/**
 * struct onem2m_esprim_key_hdr - common head of every key blob
 * @version: ONEM2M_ESPRIM_KEY_BLOB_V1
 * @form: enum onem2m_esprim_key_form
 * @reserved: must be zero
 */
struct onem2m_esprim_key_hdr {
	__u8 version;
	__u8 form;
	__u16 reserved;
};

/**
 * struct onem2m_esprim_key_raw - setkey blob carrying the session key
 * @hdr: version 1, form ONEM2M_ESPRIM_KEY_FORM_RAW
 * @role: enum onem2m_esprim_role
 * @key_len: 16, 24 or 32 (A128GCM, A192GCM, A256GCM)
 * @replay: enum onem2m_esprim_replay (window and set of default size)
 * @reserved: must be zero
 * @max_invocations: IVs this key may issue; 0 means
 *	ONEM2M_ESPRIM_MAX_INVOCATIONS, larger values are refused
 * @key: the sessionESPrimKey in the first @key_len bytes, zero after
 *
 * The blob passed to setkey is exactly sizeof(struct onem2m_esprim_key_raw)
 * bytes long.  If a state for these key bytes and role exists (see "Nonce
 * uniqueness"), the tfm joins it and @replay and @max_invocations are
 * those of the state.
 */
struct onem2m_esprim_key_raw {
	struct onem2m_esprim_key_hdr hdr;
	__u8 role;
	__u8 key_len;
	__u8 replay;
	__u8 reserved;
	__aligned_u64 max_invocations;
	__u8 key[ONEM2M_ESPRIM_MAX_KEY_LEN];
};

/**
 * struct onem2m_esprim_key_ref - setkey blob naming a session key
 * @hdr: version 1, form ONEM2M_ESPRIM_KEY_FORM_REF
 * @serial: serial of a session key of the "esprim" type; the caller needs
 *	search permission on it
 *
 * The role, key length, limits and replay policy are the session's; all
 * tfms using one session share its IV counter and replay window.  Each
 * operation fails with -EKEYREVOKED, -ENOKEY or -EKEYEXPIRED once the
 * session key, its pairwise key or the enrolment key that one was derived
 * from is revoked, invalidated or expired (or its hard deadline passed).
 */
struct onem2m_esprim_key_ref {
	struct onem2m_esprim_key_hdr hdr;
	__s32 serial;
};

/* Key type "esprim". */
#define ONEM2M_ESPRIM_KEY_TYPE		"esprim"
#define ONEM2M_ESPRIM_ENROLMENT_PREFIX	"enrolment:"
#define ONEM2M_ESPRIM_PAIRWISE_PREFIX	"pairwise:"
#define ONEM2M_ESPRIM_SESSION_PREFIX	"session:"
#define ONEM2M_ESPRIM_MAX_ID_LEN	128
#define ONEM2M_ESPRIM_MAX_PEER_LEN	255
#define ONEM2M_ESPRIM_MIN_PAIRWISE_LEN	16
#define ONEM2M_ESPRIM_MAX_PAIRWISE_LEN	64
#define ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN 1024
#define ONEM2M_ESPRIM_REPLAY_WINDOW	1024	/* default */
#define ONEM2M_ESPRIM_MIN_REPLAY_WINDOW	64	/* windows: powers of two */
#define ONEM2M_ESPRIM_MAX_REPLAY_WINDOW	4096
#define ONEM2M_ESPRIM_REPLAY_SET	1024	/* default */
#define ONEM2M_ESPRIM_MAX_REPLAY_SET	4096

#define ONEM2M_ESPRIM_KDF_LABEL \
	"oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm"
#define ONEM2M_ESPRIM_RSPF_LABEL \
	"oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation"

/* Security Usage Identifier of RSPF-provisioned ESPrim keys. */
#define ONEM2M_ESPRIM_SUID_RSPF		23

#define ONEM2M_ESPRIM_PAYLOAD_V1	1

enum onem2m_esprim_payload_kind {
	ONEM2M_ESPRIM_PAYLOAD_PAIRWISE = 1,	/* pairwiseESPrimKey */
	ONEM2M_ESPRIM_PAYLOAD_SESSION = 2,	/* derive a sessionESPrimKey */
	ONEM2M_ESPRIM_PAYLOAD_ENROLMENT = 3,	/* RSPF enrolment key Ke */
	ONEM2M_ESPRIM_PAYLOAD_RSPF = 4,		/* derive a pairwise key */
};

/*
 * Replay protection when opening (beyond TS-0003; TR-0012 asks for replay
 * detection; the project's profile B.9).  In every policy an object
 * carrying this side's own role bit and fixed field is refused as
 * reflected (-EALREADY), and state changes only once the tag verified.
 *
 * AUTO, the default: an IV with the peer's role bit and the fixed field of
 * the first such object opened (this project's counter IVs) goes through a
 * sliding window of counters (replay_window, a power of two from 64 to
 * 4096, default 1024): a counter seen before or older than the window is
 * refused with -EALREADY, reordering inside the window is accepted.  Any
 * other IV (a peer whose JOSE library draws random IVs) goes through an
 * exact set of the IVs seen, allocated when such a peer appears and
 * bounded (replay_set entries, default 1024, at most 4096): a repeat is
 * refused with -EALREADY; once the set is full the session is used up for
 * opening and every further object is refused with -ENOSPC, so the
 * originator moves to a new rand object.  The set is allocated before the
 * tag is checked but kept only once an authentic such object arrived.
 * STRICT: counter IVs only; any other IV is refused with -EALREADY.
 * OFF: any IV other than a reflected one is accepted; no replay state.
 * DEFAULT (session payloads only): the policy the module is configured
 * with (netlink CONFIG_SET, AUTO unless changed).
 */
enum onem2m_esprim_replay {
	ONEM2M_ESPRIM_REPLAY_AUTO = 0,
	ONEM2M_ESPRIM_REPLAY_OFF = 1,
	ONEM2M_ESPRIM_REPLAY_STRICT = 2,
	ONEM2M_ESPRIM_REPLAY_DEFAULT = 3,
};

/* Content encryption of a session (JWE "enc"). */
enum onem2m_esprim_enc {
	ONEM2M_ESPRIM_ENC_A128GCM = 1,
	ONEM2M_ESPRIM_ENC_A192GCM = 2,
	ONEM2M_ESPRIM_ENC_A256GCM = 3,
};

/**
 * struct onem2m_esprim_payload_hdr - common head of every key payload
 * @version: ONEM2M_ESPRIM_PAYLOAD_V1
 * @kind: enum onem2m_esprim_payload_kind, matching the description
 * @reserved: must be zero
 */
struct onem2m_esprim_payload_hdr {
	__u8 version;
	__u8 kind;
	__u16 reserved;
};

/**
 * struct onem2m_esprim_pairwise_payload - payload of "pairwise:<kid>"
 * @hdr: version 1, kind ONEM2M_ESPRIM_PAYLOAD_PAIRWISE
 * @key_len: ONEM2M_ESPRIM_MIN_PAIRWISE_LEN to ONEM2M_ESPRIM_MAX_PAIRWISE_LEN
 * @peer_len: 1 to ONEM2M_ESPRIM_MAX_PEER_LEN
 * @reserved: must be zero
 * @lifetime: seconds until the key expires; 0: no expiry of its own
 * @key: the pairwiseESPrimKey in the first @key_len bytes, zero after
 * @peer: the identity the key is bound to (the peer's CSE-ID or AE-ID,
 *	TS-0003 7.2.2), @peer_len printable ASCII bytes other than space,
 *	zero after
 *
 * The payload is exactly sizeof(struct onem2m_esprim_pairwise_payload)
 * bytes long.
 */
struct onem2m_esprim_pairwise_payload {
	struct onem2m_esprim_payload_hdr hdr;
	__u8 key_len;
	__u8 peer_len;
	__u16 reserved;
	__u32 lifetime;
	__u8 key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
	char peer[ONEM2M_ESPRIM_MAX_PEER_LEN + 1];
};

/**
 * struct onem2m_esprim_enrolment_payload - payload of "enrolment:<id>"
 * @hdr: version 1, kind ONEM2M_ESPRIM_PAYLOAD_ENROLMENT
 * @key_len: ONEM2M_ESPRIM_MIN_PAIRWISE_LEN to ONEM2M_ESPRIM_MAX_PAIRWISE_LEN
 * @reserved: must be zero
 * @lifetime: seconds until the key expires; 0: no expiry of its own
 * @key: the enrolment key Ke in the first @key_len bytes, zero after
 */
struct onem2m_esprim_enrolment_payload {
	struct onem2m_esprim_payload_hdr hdr;
	__u8 key_len;
	__u8 reserved[3];
	__u32 lifetime;
	__u8 key[ONEM2M_ESPRIM_MAX_PAIRWISE_LEN];
};

/**
 * struct onem2m_esprim_rspf_payload - "pairwise:<kid>" derived from Ke
 * @hdr: version 1, kind ONEM2M_ESPRIM_PAYLOAD_RSPF
 * @enrolment: serial of the enrolment key (search permission needed)
 * @suid: ONEM2M_ESPRIM_SUID_RSPF
 * @target_len: 1 to ONEM2M_ESPRIM_MAX_PEER_LEN
 * @peer_len: 1 to ONEM2M_ESPRIM_MAX_PEER_LEN
 * @reserved: must be zero
 * @lifetime: as for a pairwise payload; the key also expires with Ke
 * @target: the Enrolment-Target-ID, @target_len ASCII FQDN bytes (letters,
 *	digits, '-' and '.'), zero after
 * @peer: the identity the derived key is bound to, as for a pairwise payload
 */
struct onem2m_esprim_rspf_payload {
	struct onem2m_esprim_payload_hdr hdr;
	__s32 enrolment;
	__u8 suid;
	__u8 target_len;
	__u8 peer_len;
	__u8 reserved;
	__u32 lifetime;
	char target[ONEM2M_ESPRIM_MAX_PEER_LEN + 1];
	char peer[ONEM2M_ESPRIM_MAX_PEER_LEN + 1];
};

/**
 * struct onem2m_esprim_session_payload - payload of "session:<kid>:<ori>:<rri>"
 * @hdr: version 1, kind ONEM2M_ESPRIM_PAYLOAD_SESSION
 * @pairwise: serial of the pairwise key, or 0 to search the caller's
 *	keyrings for "pairwise:<kid>"
 * @enc: enum onem2m_esprim_enc
 * @role: enum onem2m_esprim_role of this side of the session
 * @replay: enum onem2m_esprim_replay
 * @reserved: must be zero
 * @replay_window: counters the window spans, a power of two from
 *	ONEM2M_ESPRIM_MIN_REPLAY_WINDOW to ONEM2M_ESPRIM_MAX_REPLAY_WINDOW;
 *	0: the configured default (initially ONEM2M_ESPRIM_REPLAY_WINDOW)
 * @rro_len: length of the receiver rand object octets, 1 to
 *	ONEM2M_ESPRIM_MAX_RAND_OBJECT_LEN
 * @oro_len: the same for the originator rand object
 * @replay_set: AUTO: IVs of a random-IV peer remembered, 1 to
 *	ONEM2M_ESPRIM_MAX_REPLAY_SET; 0: ONEM2M_ESPRIM_REPLAY_SET
 * @soft_seconds: seconds after which the session is soft-expired (an
 *	event to rekey on; use goes on); 0: the configured default
 *	(initially none)
 * @hard_seconds: seconds after which the key expires and its session
 *	state refuses to seal and open; 0: the configured default
 *	(initially none; it still expires with its pairwise key)
 * @reserved3: must be zero
 * @soft_invocations: IVs after which the session is soft-expired; 0: the
 *	configured default (initially none)
 * @hard_invocations: IVs this side may issue, at most
 *	ONEM2M_ESPRIM_MAX_INVOCATIONS; then sealing fails with -EKEYEXPIRED;
 *	0: the configured default (initially ONEM2M_ESPRIM_MAX_INVOCATIONS)
 * @rand_objects: @rro_len octets of the receiver rand object, then
 *	@oro_len octets of the originator rand object
 *
 * The payload is sizeof(struct onem2m_esprim_session_payload) + @rro_len +
 * @oro_len bytes long.  If the derived key bytes and @role already have a
 * session state (see "Nonce uniqueness"), the new key shares it, with the
 * state's limits and replay policy.  The configured defaults are those of
 * the generic netlink family (onem2m_esprim_netlink.h, CONFIG_SET), as is
 * the cap on session keys (EDQUOT beyond it).
 */
struct onem2m_esprim_session_payload {
	struct onem2m_esprim_payload_hdr hdr;
	__s32 pairwise;
	__u8 enc;
	__u8 role;
	__u8 replay;
	__u8 reserved;
	__u16 replay_window;
	__u16 rro_len;
	__u16 oro_len;
	__u16 replay_set;
	__u32 soft_seconds;
	__u32 hard_seconds;
	__u32 reserved3;
	__aligned_u64 soft_invocations;
	__aligned_u64 hard_invocations;
	__u8 rand_objects[];
};

#endif /* _UAPI_LINUX_ONEM2M_ESPRIM_H */
