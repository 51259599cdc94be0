// SPDX-License-Identifier: GPL-2.0
/*
 * replies.h: a ring of REPLIES_MAX entries, the oldest reused first, and a
 * hash index over them (chains through the entries).
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "replies.h"

#define REPLIES_BUCKETS		(2 * REPLIES_MAX)
/* A response kept is at most this big: creates', updates', deletes'. */
#define REPLIES_MAX_RSP		(REPLIES_MAX_BYTES / REPLIES_MAX)

struct waiter {
	struct waiter *next;
	replies_ready ready;
	void *userdata;
};

/**
 * struct entry - a request executed, or being executed
 * @key: its digest
 * @used: the slot holds one
 * @rsp: the response once done, NULL while being executed
 * @expiry_ms: when it is forgotten (done)
 * @waiters: retries waiting for the first execution
 * @next: the next entry of its hash chain, -1 at the end
 */
struct entry {
	uint8_t key[32];
	bool used;
	json_t *rsp;
	int64_t expiry_ms;
	struct waiter *waiters;
	int32_t next;
};

struct replies {
	struct entry e[REPLIES_MAX];
	int32_t bucket[REPLIES_BUCKETS];
	uint32_t head;
};

struct replies *replies_new(void)
{
	struct replies *r = calloc(1, sizeof(*r));
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < REPLIES_BUCKETS; i++)
		r->bucket[i] = -1;
	return r;
}

static uint32_t bucket_of(const uint8_t key[32])
{
	uint32_t b;

	memcpy(&b, key, sizeof(b));
	return b % REPLIES_BUCKETS;
}

static struct entry *find(struct replies *r, const uint8_t key[32])
{
	int32_t i;

	for (i = r->bucket[bucket_of(key)]; i >= 0; i = r->e[i].next)
		if (!memcmp(r->e[i].key, key, 32))
			return &r->e[i];
	return NULL;
}

/* Calls an entry's waiters with rsp (the entry may be gone by then). */
static void wake(struct waiter *w, json_t *rsp)
{
	struct waiter *next;

	for (; w; w = next) {
		next = w->next;
		w->ready(rsp, w->userdata);
		free(w);
	}
}

/* Takes an entry out; its waiters are the caller's to wake. */
static struct waiter *drop(struct replies *r, struct entry *x)
{
	int32_t *p = &r->bucket[bucket_of(x->key)];
	struct waiter *w = x->waiters;

	while (*p >= 0 && &r->e[*p] != x)
		p = &r->e[*p].next;
	if (*p >= 0)
		*p = x->next;
	json_decref(x->rsp);
	memset(x, 0, sizeof(*x));
	return w;
}

void replies_free(struct replies *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < REPLIES_MAX; i++)
		if (r->e[i].used)
			wake(drop(r, &r->e[i]), NULL);
	free(r);
}

void replies_key(json_t *prim, const char *originator, uint8_t key[32])
{
	static const char *const members[] = { "rqi", "op", "to", "pc" };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 32;
	char *text;
	size_t i;

	memset(key, 0, 32);
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return;
	}
	EVP_DigestUpdate(md, originator, strlen(originator) + 1);
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		text = json_dumps(json_object_get(prim, members[i]),
				  JSON_COMPACT | JSON_SORT_KEYS |
				  JSON_ENCODE_ANY);
		EVP_DigestUpdate(md, text ? text : "", text ? strlen(text) + 1 :
				 1);
		free(text);
	}
	EVP_DigestFinal_ex(md, key, &len);
	EVP_MD_CTX_free(md);
}

enum replies_state replies_begin(struct replies *r, const uint8_t key[32],
				 json_t *prim, int64_t now_ms, json_t **rsp,
				 replies_ready ready, void *userdata)
{
	struct entry *x;
	struct waiter *w;
	uint32_t b;

	*rsp = NULL;
	if (!r || json_integer_value(json_object_get(prim, "op")) == 2)
		return REPLIES_UNKEPT;
	x = find(r, key);
	if (x && x->rsp && x->expiry_ms < now_ms) {
		wake(drop(r, x), NULL);
		x = NULL;
	}
	if (x && x->rsp) {
		*rsp = json_incref(x->rsp);
		return REPLIES_KNOWN;
	}
	if (x) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return REPLIES_UNKEPT;
		w->ready = ready;
		w->userdata = userdata;
		w->next = x->waiters;
		x->waiters = w;
		return REPLIES_WAITING;
	}
	/* The oldest slot: its waiters, if any, execute on their own. */
	x = &r->e[r->head];
	r->head = (r->head + 1) % REPLIES_MAX;
	if (x->used)
		wake(drop(r, x), NULL);
	memcpy(x->key, key, 32);
	x->used = true;
	b = bucket_of(key);
	x->next = r->bucket[b];
	r->bucket[b] = (int32_t)(x - r->e);
	return REPLIES_EXECUTE;
}

void replies_done(struct replies *r, const uint8_t key[32], json_t *rsp,
		  int64_t now_ms)
{
	struct entry *x = r ? find(r, key) : NULL;
	struct waiter *w;
	char *text = NULL;

	if (!x || x->rsp)
		return;
	if (rsp)
		text = json_dumps(rsp, JSON_COMPACT);
	if (!text || strlen(text) > REPLIES_MAX_RSP) {
		/* Too big to keep: the waiters get it all the same. */
		free(text);
		wake(drop(r, x), rsp);
		return;
	}
	free(text);
	x->rsp = json_incref(rsp);
	x->expiry_ms = now_ms + REPLIES_TTL_MS;
	w = x->waiters;
	x->waiters = NULL;
	wake(w, rsp);
}
