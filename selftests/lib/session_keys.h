/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pairwise and session keys of the "esprim" key type for the netlink
 * tests, built from the payload structs of the uapi header as the other
 * VM tests build them.  Each session's rand objects carry a tag: sessions
 * of one pairwise key and tag derive one key (the two sides of a session
 * when their roles differ), other tags other keys and so session states
 * of their own.
 */
#ifndef ESPRIM_TEST_SESSION_KEYS_H
#define ESPRIM_TEST_SESSION_KEYS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <keyutils.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <linux/onem2m_esprim.h>

#define TK_PEER	"/gw1.example.net/CAE-nl"

static inline void tk_pairwise_payload(struct onem2m_esprim_pairwise_payload *p,
				       const uint8_t key[32], const char *peer)
{
	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE;
	p->key_len = 32;
	p->peer_len = strlen(peer);
	memcpy(p->key, key, 32);
	memcpy(p->peer, peer, strlen(peer));
}

/* "pairwise:<kid>" with 32 key bytes, in @ring. */
static inline key_serial_t tk_add_pairwise(const char *kid,
					   const uint8_t key[32],
					   key_serial_t ring)
{
	struct onem2m_esprim_pairwise_payload p;
	char desc[200];

	tk_pairwise_payload(&p, key, TK_PEER);
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, &p, sizeof(p), ring);
}

/* What a session payload asks for; zero fields take the defaults. */
struct tk_session {
	key_serial_t pairwise;		/* 0: "pairwise:<kid>" by search */
	uint8_t enc;			/* 0: A256GCM */
	uint8_t role;
	uint8_t replay;
	uint16_t replay_window;
	uint32_t soft_seconds, hard_seconds;
	uint64_t soft_invocations, hard_invocations;
	const char *tag;		/* NULL: "" */
};

static inline void tk_rand_objects(const char *tag, char *rro, char *oro,
				   size_t len)
{
	snprintf(rro, len, "{\"esri\":\"r1\",\"esrv\":\"%s\"}", tag ? tag : "");
	snprintf(oro, len, "{\"esri\":\"o1\",\"esrv\":\"%s\"}", tag ? tag : "");
}

static inline size_t tk_session_payload(uint8_t *buf,
					const struct tk_session *s)
{
	struct onem2m_esprim_session_payload *p = (void *)buf;
	char rro[160], oro[160];

	tk_rand_objects(s->tag, rro, oro, sizeof(rro));
	memset(p, 0, sizeof(*p));
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	p->pairwise = s->pairwise;
	p->enc = s->enc ? s->enc : ONEM2M_ESPRIM_ENC_A256GCM;
	p->role = s->role;
	p->replay = s->replay;
	p->replay_window = s->replay_window;
	p->soft_seconds = s->soft_seconds;
	p->hard_seconds = s->hard_seconds;
	p->soft_invocations = s->soft_invocations;
	p->hard_invocations = s->hard_invocations;
	p->rro_len = strlen(rro);
	p->oro_len = strlen(oro);
	memcpy(p->rand_objects, rro, strlen(rro));
	memcpy(p->rand_objects + strlen(rro), oro, strlen(oro));
	return sizeof(*p) + strlen(rro) + strlen(oro);
}

/* "session:<kid>:<ori>:<rri>" in @ring. */
static inline key_serial_t tk_add_session(const char *kid, const char *ori,
					  const char *rri,
					  const struct tk_session *s,
					  key_serial_t ring)
{
	uint8_t buf[512];
	size_t len = tk_session_payload(buf, s);
	char desc[400];

	snprintf(desc, sizeof(desc), "session:%s:%s:%s", kid, ori, rri);
	return add_key(ONEM2M_ESPRIM_KEY_TYPE, desc, buf, len, ring);
}

/* The session key the kernel derives (TS-0003 10.3.8.2), for @enc. */
static inline unsigned int tk_session_key(const uint8_t pairwise[32],
					  const char *tag, int enc,
					  uint8_t out[32])
{
	static const char label[] = ONEM2M_ESPRIM_KDF_LABEL;
	char rro[160], oro[160];
	uint8_t msg[512], md[32];
	unsigned int md_len;
	size_t m = 0;

	tk_rand_objects(tag, rro, oro, sizeof(rro));
	memcpy(msg + m, rro, strlen(rro));
	m += strlen(rro);
	memcpy(msg + m, oro, strlen(oro));
	m += strlen(oro);
	memcpy(msg + m, label, strlen(label));
	m += strlen(label);
	HMAC(EVP_sha256(), pairwise, 32, msg, m, md, &md_len);
	memcpy(out, md, 32);
	return enc == ONEM2M_ESPRIM_ENC_A128GCM ? 16 :
	       enc == ONEM2M_ESPRIM_ENC_A192GCM ? 24 : 32;
}

#endif /* ESPRIM_TEST_SESSION_KEYS_H */
