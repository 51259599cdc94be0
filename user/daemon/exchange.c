// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions and exchanges for the gateway's CSEs.  libesprim does the
 * cryptography and the rules of TS-0003 8.4.2 (C.6, C.8, C.11) and the
 * profile; this file decides when sessions are set up and renewed, talks
 * to peer daemons, and keeps the handles of requests awaiting responses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <linux/onem2m_esprim_netlink.h>

#include "escertke_flow.h"
#include "exchange.h"
#include "keys.h"
#include "log.h"
#include "publish.h"
#include "rand_store.h"

/*
 * Unique receiver rand objects given out and not yet expired, in the order
 * given (one lifetime for all: the oldest expire first).  Bounded, so that
 * rand requests, which anyone can send, cannot make the daemon keep objects
 * without limit: beyond, they get the shared object.
 */
struct issued {
	int64_t *expiry;
	size_t cap, head, n;
};

/* Unique receiver objects a peer may hold at once; then the shared one. */
#define ESPRIMD_RANDS_PER_PEER	64
/* Seals waiting for one peer's session, and their bytes. */
#define ESPRIMD_MAX_WAITERS	64
#define ESPRIMD_MAX_WAITING_BYTES	(4u << 20)
/* A receiver object from a peer must live this long, at least. */
#define ESPRIMD_MIN_RRO_LIFE_MS	60000

/* A seal waiting for its peer's session to be set up. */
struct waiter {
	struct waiter *next;
	struct esprimd_api_call *call;
	char *text;
	size_t len;
};

/**
 * struct peer_state - what esprimd keeps per configured peer
 * @conf: the peer's section in the running configuration
 * @key_rc: 0 when its pairwise key is loaded, else why not (@key_err)
 * @session: the current originator session towards it, or NULL
 * @expiry_ms: when @session's rand objects expire
 * @rekey: a timer ahead of @expiry_ms
 * @establishing: a rand request, or an ESCertKE handshake, is in flight
 * @waiters: seals waiting for it
 * @kid: the pairwise key's ID: the configured one, or (key = 43) the
 *	current ESCertKE key's, "" while there is none
 * @key_expiry_ms: key = 43: when @kid expires
 * @key_installed_ms: key = 43: when @kid came (realtime)
 * @prev_kid, @prev_expiry_ms: key = 43: the key @kid replaced, kept until
 *	it expires or another replaces @kid, so that sessions on it (the
 *	peer's, in flight) still open
 */
struct peer_state {
	struct esprimd *d;
	const struct esprimd_peer *conf;
	int key_rc;
	char key_err[256];
	struct esprim_session *session;
	struct esprim_rand *rro;	/* @session's receiver object */
	struct esprim_rand *next_rro;	/* the peer's next one (B.15) */
	char ori[ONEM2M_ESPRIM_MAX_ID_LEN + 1];	/* @session's own object */
	int64_t expiry_ms;
	sd_event_source *rekey;
	bool establishing;
	struct waiter *waiters;
	unsigned int n_waiters;
	size_t waiting_bytes;
	struct issued issued;
	uint8_t key_print[32];
	uint64_t seals, opens, established;
	char last_error[512];
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	int64_t key_expiry_ms;
	int64_t key_installed_ms;
	char prev_kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	int64_t prev_expiry_ms;
	uint64_t handshakes;
};

/* A request opened and not yet answered. */
struct handle {
	struct handle *next;
	char id[24];
	uid_t uid;
	int64_t expiry_ms;
	struct esprim_session *session;
};

struct esprimd_exchange {
	struct peer_state **peers;
	size_t n_peers;
	struct esprim_rand *shared;	/* the shared receiver object */
	sd_event_source *rotate;
	struct issued issued;		/* every unique object given out */
	int64_t unknown_logged_ms;	/* rand requests of strangers, logged */
	struct handle *handles;
	unsigned int n_handles;
	struct esprim_opened *opened;
	uint64_t handle_seq;
	char *buf;			/* opened texts, sealed objects */
	size_t buf_size;
	struct burnt *burnt;		/* peers' objects of before a restart */
	size_t n_burnt;
};

static int64_t now_ms(void)
{
	return esprim_now_ms();
}

static int ensure_buf(struct esprimd_exchange *ex, size_t size)
{
	char *p;

	if (size <= ex->buf_size)
		return 0;
	p = realloc(ex->buf, size);
	if (!p)
		return -ENOMEM;
	ex->buf = p;
	ex->buf_size = size;
	return 0;
}

static void api_fail(struct esprimd_api_call *call, int rc,
		     const struct esprim_error *e)
{
	if (rc > 0)
		esprimd_api_error(call, rc, 0, "%s", e->msg);
	else
		esprimd_api_error(call, 0, e->errnum ? e->errnum : -rc, "%s",
				  e->msg);
}

/* Whether an operator's "peer" argument (NULL: all) names a peer. */
static bool peer_matches(const struct peer_state *ps, const char *what)
{
	return !what || !strcmp(ps->conf->name, what) ||
		!strcmp(ps->conf->identity, what);
}

static struct peer_state *peer_by(struct esprimd *d, const char *what)
{
	struct esprimd_exchange *ex = d->ex;
	size_t i;

	for (i = 0; i < ex->n_peers; i++)
		if (peer_matches(ex->peers[i], what))
			return ex->peers[i];
	return NULL;
}

static int issued_init(struct issued *q, size_t cap)
{
	q->expiry = calloc(cap ? cap : 1, sizeof(*q->expiry));
	q->cap = cap;
	return q->expiry ? 0 : -ENOMEM;
}

/* Room for one more, once the expired ones are forgotten. */
static bool issued_room(struct issued *q, int64_t now)
{
	while (q->n && q->expiry[q->head] <= now) {
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	return q->n < q->cap;
}

static void issued_add(struct issued *q, int64_t expiry)
{
	q->expiry[(q->head + q->n) % q->cap] = expiry;
	q->n++;
}

static struct peer_state *peer_by_kid(struct esprimd *d, const char *kid)
{
	struct esprimd_exchange *ex = d->ex;
	size_t i;

	if (!kid || !kid[0])
		return NULL;
	for (i = 0; i < ex->n_peers; i++)
		if (!strcmp(ex->peers[i]->kid, kid) ||
		    !strcmp(ex->peers[i]->prev_kid, kid))
			return ex->peers[i];
	return NULL;
}

static bool is_cert(const struct peer_state *ps)
{
	return ps->conf->source == ESPRIMD_KEY_CERTIFICATE;
}

/*
 * The current session goes (it stays linked in the context until it
 * expires, for responses in flight), and with it the peer's receiver
 * objects: the next seal sets up another.
 */
static void session_drop(struct peer_state *ps)
{
	if (ps->session)
		esprim_session_put(ps->session);
	ps->session = NULL;
	esprim_rand_free(ps->rro);
	esprim_rand_free(ps->next_rro);
	ps->rro = ps->next_rro = NULL;
}

/*
 * Whether a peer's key may start a session: any configured key; an
 * ESCertKE key that lives beyond the renewal margin (the session would
 * end with it), else a handshake comes first.  A key that came within the
 * margin serves its whole life, however short: the certificates' end caps
 * it (or key_lifetime is short), and a new handshake would give one no
 * longer, again and again.
 */
static bool key_fresh(const struct peer_state *ps)
{
	int64_t margin = (int64_t)ps->d->config->rekey_margin_s * 1000 +
		5000, now = esprim_now_ms();

	if (!is_cert(ps))
		return true;
	if (!ps->kid[0] || ps->key_expiry_ms <= now)
		return false;
	return ps->key_expiry_ms - now > margin ||
	       now - ps->key_installed_ms < margin;
}

/* ---- the shared receiver rand object, rotated ahead of its esrx ---- */

static int rotate_shared(sd_event_source *s, uint64_t usec, void *userdata);

static int new_shared(struct esprimd *d)
{
	const struct esprimd_config *c = d->config;
	struct esprimd_exchange *ex = d->ex;
	int64_t expiry = now_ms() + (int64_t)c->shared_rand_lifetime_s * 1000;
	struct esprim_rand *r;
	struct esprim_error e;
	uint64_t when;
	int rc;

	rc = esprim_rand_new_receiver(&r, NULL, ESPRIM_RAND_SHARED, expiry,
				      ESPRIM_ESPA_ALL, &e);
	if (!rc)
		rc = esprim_ctx_add_own_rand(d->ctx, r, &e);
	if (!rc)
		rand_store_put(d, NULL, r);
	if (rc) {
		log_err("a new shared receiver rand object: %s", e.msg);
		if (!ex->shared)
			return rc;
		/* Keep the old one; try again in a minute. */
		when = 60;
	} else {
		esprim_rand_free(ex->shared);
		ex->shared = r;
		log_info("shared receiver rand object %s, until %" PRId64
			 " (Unix ms)", esprim_rand_id(r), expiry);
		publish_esi(d);
		when = c->shared_rand_lifetime_s - c->rand_rotate_margin_s;
	}
	sd_event_source_unref(ex->rotate);
	ex->rotate = NULL;
	sd_event_add_time_relative(d->event, &ex->rotate, CLOCK_MONOTONIC,
				   when * 1000000ULL, 1000000ULL,
				   rotate_shared, d);
	return 0;
}

static int rotate_shared(sd_event_source *s, uint64_t usec, void *userdata)
{
	new_shared(userdata);
	return 0;
}

/* ---- originator: sessions with peers ---- */

static void waiter_seal(struct peer_state *ps, struct waiter *w);

static void fail_waiters(struct peer_state *ps, int rsc, int errnum)
{
	struct waiter *w;

	ps->n_waiters = 0;
	ps->waiting_bytes = 0;
	while ((w = ps->waiters)) {
		ps->waiters = w->next;
		ps->d->stats.seal_failures++;
		esprimd_api_error(w->call, rsc, errnum, "%s", ps->last_error);
		free(w->text);
		free(w);
	}
}

static void flush_waiters(struct peer_state *ps)
{
	struct waiter *w;

	ps->n_waiters = 0;
	ps->waiting_bytes = 0;
	while ((w = ps->waiters)) {
		ps->waiters = w->next;
		waiter_seal(ps, w);
		free(w->text);
		free(w);
	}
}

static int rekey_timer(sd_event_source *s, uint64_t usec, void *userdata);
static int establish(struct peer_state *ps);

/*
 * A session with a receiver rand object of the peer: a new originator
 * object of this side, the key derived (in the kernel on its backend).
 * The new object goes in full in the requests' headers until a response
 * verified (libesprim's ANNOUNCE_AUTO), so the peer needs no other word.
 */
static int session_start(struct peer_state *ps, const struct esprim_rand *rro,
			 const struct esprim_rand *resumed)
{
	struct esprimd *d = ps->d;
	const struct esprimd_config *c = d->config;
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_rand *oro = NULL, *keep;
	struct esprim_session *s;
	struct esprim_error e;
	int64_t now = now_ms(), margin;
	int rc;

	if (!key_fresh(ps)) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "no ESCertKE key with %s, or it is about to expire",
			 ps->conf->name);
		return -EKEYEXPIRED;
	}
	if (resumed) {
		oro = esprim_rand_dup(resumed);
		rc = oro ? 0 : -ENOMEM;
		if (rc)
			snprintf(e.msg, sizeof(e.msg), "out of memory");
	} else {
		rc = esprim_rand_new_originator(&oro, rro, NULL, now +
						(int64_t)c->originator_lifetime_s * 1000,
						esprim_rand_espa(rro) &
						ESPRIM_ESPA_ALL, &e);
		/* Kept as this side's own: a session upcall may ask for it. */
		if (!rc)
			rc = esprim_ctx_add_own_rand(d->ctx, oro, &e);
		if (!rc)
			rand_store_put(d, NULL, oro);
	}
	sc.kid = ps->kid;
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = ps->conf->enc;
	sc.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
	if (!rc && !(esprim_rand_espa(oro) & (1U << sc.enc)))
		sc.enc = esprim_rand_espa(oro) & ESPRIM_ESPA_A256GCM ?
			ONEM2M_ESPRIM_ENC_A256GCM : ONEM2M_ESPRIM_ENC_A128GCM;
	if (!rc)
		rc = esprim_session_new(d->ctx, &sc, &s, &e);
	keep = rc ? NULL : esprim_rand_dup(rro);
	if (!rc && !keep) {
		esprim_session_free(s);
		rc = -ENOMEM;
		snprintf(e.msg, sizeof(e.msg), "out of memory");
	}
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "a session with %s: %s", ps->conf->name, e.msg);
		esprim_rand_free(oro);
		return rc;
	}
	/*
	 * The old session stays linked in the context until it expires, so
	 * responses to requests sealed with it still open.
	 */
	if (ps->session)
		esprim_session_put(ps->session);
	ps->session = s;
	/* rro may be ps->rro itself: it is not used after this. */
	esprim_rand_free(ps->rro);
	ps->rro = keep;
	ps->expiry_ms = esprim_rand_expiry_ms(oro);
	/* A session ends with its ESCertKE key at the latest. */
	if (is_cert(ps) && ps->key_expiry_ms < ps->expiry_ms)
		ps->expiry_ms = ps->key_expiry_ms;
	snprintf(ps->ori, sizeof(ps->ori), "%s", esprim_rand_id(oro));
	if (resumed) {
		d->stats.sessions_resumed++;
	} else {
		ps->established++;
		d->stats.sessions_established++;
	}
	log_info("session with %s (%s)%s: ori %s, rri %s, %s", ps->conf->name,
		 ps->conf->identity, resumed ? ", from before" : "",
		 esprim_rand_id(oro), esprim_rand_id(keep),
		 esprim_enc_name(sc.enc));
	margin = (int64_t)c->rekey_margin_s * 1000;
	/*
	 * Renewed ahead of its end; one that ends with a short ESCertKE key
	 * (key_fresh()) at its end: a new one now would end no later.
	 */
	if (ps->expiry_ms - margin > now)
		margin = ps->expiry_ms - margin - now;
	else if (is_cert(ps) && ps->expiry_ms == ps->key_expiry_ms &&
		 ps->expiry_ms > now)
		margin = ps->expiry_ms - now;
	else
		margin = 0;
	sd_event_source_unref(ps->rekey);
	ps->rekey = NULL;
	sd_event_add_time_relative(d->event, &ps->rekey, CLOCK_MONOTONIC,
				   (uint64_t)margin * 1000ULL, 1000000ULL,
				   rekey_timer, ps);
	esprim_rand_free(oro);
	return 0;
}

/* Whether a receiver object of the peer lives long enough to use. */
static bool rro_usable(const struct esprim_rand *rro, int64_t now)
{
	return rro && esprim_rand_expiry_ms(rro) - now >=
		ESPRIMD_MIN_RRO_LIFE_MS;
}

/*
 * Sets up the session with a receiver object of the peer (given in sit 4
 * or published in its esi), kept as learnt under the peer's key.
 */
static int session_from_rro(struct peer_state *ps,
			    const struct esprim_rand *rro, const char *how)
{
	struct esprimd *d = ps->d;
	struct esprim_error e;
	int64_t now = now_ms();
	int rc;

	if (!rro_usable(rro, now)) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "%s gave a receiver rand object (%s) that expires in %lld ms",
			 ps->conf->name, how,
			 (long long)(esprim_rand_expiry_ms(rro) - now));
		return ESPRIM_RSC_UNKNOWN_RECV_RAND_ID;
	}
	rc = esprim_ctx_add_learnt_rand(d->ctx, ps->kid, rro, &e);
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "the rand object of %s (%s): %s", ps->conf->name, how,
			 e.msg);
		return rc;
	}
	rand_store_put(d, ps->kid, rro);
	return session_start(ps, rro, NULL);
}

/* Sets up the session from the receiver object the peer gave (sit 4). */
static int session_from_ero(struct peer_state *ps, json_t *body)
{
	struct esprim_seci seci;
	struct esprim_error e;
	char *text;
	int rc;

	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (!text) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "%s answered the rand request without content",
			 ps->conf->name);
		return ESPRIM_RSC_UNKNOWN_RECV_RAND_ID;
	}
	rc = esprim_seci_parse(&seci, text, strlen(text), now_ms(), &e);
	free(text);
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "the rand response of %s: %s", ps->conf->name, e.msg);
		return rc;
	}
	if (seci.sit != ESPRIM_SIT_RRO_RESPONSE || !seci.ero) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "%s answered the rand request with sit %d",
			 ps->conf->name, seci.sit);
		rc = ESPRIM_RSC_BAD_REQUEST;
	} else {
		rc = session_from_rro(ps, seci.ero, "sit 4");
	}
	esprim_seci_release(&seci);
	return rc;
}

/*
 * Sets up the session from the peer's e2eSecInfo, a resource retrieved
 * ({"m2m:cb"|"m2m:csr"|"m2m:ae": {..., "esi": {"esf": [...], "esro": ...}}}):
 * 0, ESPRIM_RSC_ENCRYPTION_ERROR when esf says the peer does not support
 * ESPrim with this key's SUID (B.2c.1), or another value when there is no
 * usable shared object (B.2c.3, expired: B.2d), ps->last_error saying why.
 */
static int session_from_esi(struct peer_state *ps, json_t *body)
{
	json_t *res = NULL, *esi, *esf, *esro, *v;
	struct esprim_rand *rro = NULL;
	struct esprim_error e;
	bool supported = false;
	const char *name;
	char *text;
	size_t i;
	int rc;

	if (json_is_object(body) && json_object_size(body) == 1)
		json_object_foreach(body, name, v)
			res = v;
	esi = json_object_get(res, "esi");
	esf = json_object_get(esi, "esf");
	if (!json_is_object(esi) || !json_is_array(esf)) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "the resource of %s at %s has no esi with esf",
			 ps->conf->name, ps->conf->esi);
		return ESPRIM_RSC_ENCRYPTION_ERROR;
	}
	json_array_foreach(esf, i, v)
		if (json_is_integer(v) &&
		    json_integer_value(v) == (json_int_t)ps->conf->source)
			supported = true;
	if (!supported) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "%s does not support ESPrim with SUID %d (its esf)",
			 ps->conf->name, (int)ps->conf->source);
		return ESPRIM_RSC_ENCRYPTION_ERROR;
	}
	esro = json_object_get(esi, "esro");
	if (!esro) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "%s publishes no shared receiver rand object",
			 ps->conf->name);
		return -ENOENT;
	}
	text = json_dumps(esro, JSON_COMPACT);
	rc = text ? esprim_rand_parse(&rro, text, strlen(text), true,
				      now_ms(), &e) : -ENOMEM;
	free(text);
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "the esro of %s: %s", ps->conf->name,
			 rc == -ENOMEM ? "out of memory" : e.msg);
		return rc;
	}
	rc = session_from_rro(ps, rro, "esro");
	esprim_rand_free(rro);
	return rc;
}

/*
 * The next session, ahead of the current one's end: in band when a
 * receiver object of the peer still lives (the one offered in a response,
 * profile B.15, or the current one: a new originator object rides in the
 * headers), else with a rand request over the HTTP binding.
 */
static int renew(struct peer_state *ps)
{
	int64_t now = now_ms();
	int64_t need = now + (int64_t)ps->d->config->rekey_margin_s * 1000 +
		ESPRIMD_MIN_RRO_LIFE_MS;
	struct esprim_rand *next = ps->next_rro;

	ps->d->stats.rekeys++;
	ps->next_rro = NULL;
	if (next && esprim_rand_expiry_ms(next) > need &&
	    !session_start(ps, next, NULL)) {
		esprim_rand_free(next);
		return 0;
	}
	esprim_rand_free(next);
	if (ps->rro && esprim_rand_expiry_ms(ps->rro) > need &&
	    !session_start(ps, ps->rro, NULL))
		return 0;
	return establish(ps);
}

/*
 * The end of what establish() set going (a rand request, an esi
 * retrieval, a handshake): true when the peer went with a reload while
 * it was in flight, and its state is freed now.
 */
static bool establishing_ended(struct peer_state *ps)
{
	ps->establishing = false;
	if (ps->conf)
		return false;
	free(ps->issued.expiry);
	free(ps);
	return true;
}

static void rand_response(int err, int rsc, json_t *body, void *userdata)
{
	struct peer_state *ps = userdata;
	int rc;

	if (establishing_ended(ps))
		return;
	if (err) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "rand request to %s at %s: %s", ps->conf->name,
			 ps->conf->address, strerror(-err));
		log_warn("%s", ps->last_error);
		ps->d->stats.establish_failures++;
		if (err != -ECANCELED)
			fail_waiters(ps, 0, -err);
		return;
	}
	if (rsc != 2000) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "%s refused the rand request: %d (%s)",
			 ps->conf->name, rsc,
			 esprim_rsc_name(rsc) ? esprim_rsc_name(rsc) : "?");
		log_warn("%s", ps->last_error);
		ps->d->stats.establish_failures++;
		fail_waiters(ps, rsc >= 4000 && rsc < 7000 ? rsc :
			     ESPRIM_RSC_ENCRYPTION_ERROR, 0);
		return;
	}
	rc = session_from_ero(ps, body);
	if (rc) {
		log_warn("%s", ps->last_error);
		ps->d->stats.establish_failures++;
		fail_waiters(ps, rc > 0 ? rc : 0, rc > 0 ? 0 : -rc);
		return;
	}
	flush_waiters(ps);
}

/* Asks the peer for a receiver object of its own (sit 3, B.2d). */
static int rand_request(struct peer_state *ps)
{
	struct esprimd *d = ps->d;
	json_t *body;
	int rc;

	body = json_pack("{s:{s:i}}", "m2m:seci", "sit",
			 ESPRIM_SIT_RRO_REQUEST);
	if (!body)
		return -ENOMEM;
	rc = esprimd_http_send(d->http, ESPRIMD_HTTP_NOTIFY,
			       ps->conf->address, d->config->identity, body,
			       rand_response, ps);
	json_decref(body);
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "rand request to %s: %s", ps->conf->name,
			 strerror(-rc));
		return rc;
	}
	ps->establishing = true;
	d->stats.rand_requests_out++;
	return 0;
}

static void esi_response(int err, int rsc, json_t *body, void *userdata)
{
	struct peer_state *ps = userdata;
	int rc;

	if (establishing_ended(ps))
		return;
	if (err == -ECANCELED)
		return;
	ps->d->stats.esi_retrieved++;
	if (err)
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "retrieving the esi of %s at %s: %s", ps->conf->name,
			 ps->conf->esi, strerror(-err));
	else if (rsc != 2000)
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "retrieving the esi of %s at %s: %d (%s)",
			 ps->conf->name, ps->conf->esi, rsc,
			 esprim_rsc_name(rsc) ? esprim_rsc_name(rsc) : "?");
	rc = err || rsc != 2000 ? -ENOENT : session_from_esi(ps, body);
	if (!rc) {
		flush_waiters(ps);
		return;
	}
	/*
	 * No shared object to use: ask for one (B.2c.3, B.2d).  An esf that
	 * says the peer does not support ESPrim with its key is not believed
	 * either: the esi comes unauthenticated (from a registrar, maybe over
	 * plain HTTP), and the key is configured; the peer's own answer to a
	 * rand request is what counts.
	 */
	log_info("%s; asking for a receiver rand object", ps->last_error);
	rc = rand_request(ps);
	if (rc) {
		ps->d->stats.establish_failures++;
		fail_waiters(ps, 0, -rc);
	}
}

/* ---- ESCertKE keys (key = 43) ---- */

/*
 * A key a handshake gave, in either role: installed (keys.c wipes res),
 * then the key of the peer.  The one it replaces stays until it expires
 * (sessions on it, the peer's too, go on until then) or until a newer
 * one replaces this one; the key before that goes now, with its sessions.
 * The originator session moves to the new key: the next seal sets up a
 * session with it.
 */
static int cert_install(struct peer_state *ps, struct escertke_result *res)
{
	struct esprimd *d = ps->d;
	char kid[sizeof(ps->kid)], err[256];
	int64_t expiry = (int64_t)res->expires * 1000;
	int rc;

	snprintf(kid, sizeof(kid), "%s", res->kid);
	rc = keys_install_escertke(d, ps->conf, res, err, sizeof(err));
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "the ESCertKE key %s with %s: %s", kid,
			 ps->conf->name, err);
		log_err("%s", ps->last_error);
		return rc;
	}
	if (ps->prev_kid[0] && strcmp(ps->prev_kid, kid))
		keys_remove_escertke(d, ps->prev_kid);
	ps->prev_kid[0] = '\0';
	if (ps->kid[0] && strcmp(ps->kid, kid) &&
	    ps->key_expiry_ms > now_ms()) {
		memcpy(ps->prev_kid, ps->kid, sizeof(ps->prev_kid));
		ps->prev_expiry_ms = ps->key_expiry_ms;
	} else if (ps->kid[0] && strcmp(ps->kid, kid)) {
		keys_remove_escertke(d, ps->kid);
	}
	memcpy(ps->kid, kid, sizeof(ps->kid));
	ps->key_expiry_ms = expiry;
	ps->key_installed_ms = esprim_now_ms();
	session_drop(ps);
	ps->handshakes++;
	d->stats.escertke_keys++;
	log_info("peer %s (%s): ESCertKE key %s until %lld (Unix ms)%s%s",
		 ps->conf->name, ps->conf->identity, kid, (long long)expiry,
		 ps->prev_kid[0] ? ", replacing " : "", ps->prev_kid);
	return 0;
}

static int establish(struct peer_state *ps);

/* The end of a handshake this side began for a session (establish()). */
static void cert_done(int rsc, int errnum, struct escertke_result *res,
		      const char *why, void *userdata)
{
	struct peer_state *ps = userdata;
	int rc;

	if (establishing_ended(ps))
		return;
	if (errnum == ECANCELED)
		return;
	if (!res) {
		snprintf(ps->last_error, sizeof(ps->last_error), "%s", why);
		log_warn("%s", ps->last_error);
		ps->d->stats.establish_failures++;
		fail_waiters(ps, rsc >= 4000 && rsc < 7000 ? rsc : 0,
			     rsc >= 4000 && rsc < 7000 ? 0 :
			     errnum ? errnum : EPROTO);
		return;
	}
	rc = cert_install(ps, res);
	if (!rc)
		rc = establish(ps);
	if (rc) {
		log_warn("%s", ps->last_error);
		ps->d->stats.establish_failures++;
		fail_waiters(ps, rc > 0 ? rc : 0, rc > 0 ? 0 : -rc);
	}
}

void exchange_cert_keys_expire(struct esprimd *d)
{
	struct esprimd_exchange *ex = d->ex;
	int64_t now = esprim_now_ms();
	size_t i;

	for (i = 0; ex && i < ex->n_peers; i++) {
		struct peer_state *ps = ex->peers[i];

		if (!is_cert(ps))
			continue;
		if (ps->prev_kid[0] && ps->prev_expiry_ms <= now) {
			keys_remove_escertke(d, ps->prev_kid);
			ps->prev_kid[0] = '\0';
		}
		if (ps->kid[0] && ps->key_expiry_ms <= now) {
			log_info("peer %s: the ESCertKE key %s expired",
				 ps->conf->name, ps->kid);
			keys_remove_escertke(d, ps->kid);
			ps->kid[0] = '\0';
		}
	}
}

/* A handshake with the peer, for a key to set up sessions with. */
static int cert_handshake(struct peer_state *ps)
{
	int rc;

	rc = escertke_flow_initiate(ps->d, ps->conf, cert_done, ps,
				    ps->last_error, sizeof(ps->last_error));
	if (rc) {
		ps->d->stats.establish_failures++;
		return rc;
	}
	ps->establishing = true;
	return 0;
}

/*
 * A sit 6 Notify from `from` (the outer From): answered for peers of
 * key = 43 only; a key at its end is installed before message 4 goes.
 * The RSC, with *content (2000) or why.
 */
static int cert_answer(struct esprimd *d, const char *from,
		       const struct esprim_seci *seci, json_t **content,
		       char *why, size_t why_size)
{
	struct peer_state *ps = from ? peer_by(d, from) : NULL;
	struct escertke_result res;
	char *b64;
	int rsc;

	*content = NULL;
	if (!d->cke) {
		snprintf(why, why_size,
			 "ESCertKE (sit 6) is not configured here ([escertke])");
		return ESPRIM_RSC_UNSUPPORTED_OPTION;
	}
	if (!from || !*from) {
		snprintf(why, why_size,
			 "sit 6 needs the outer From (origin) of the Notify");
		return ESPRIM_RSC_BAD_REQUEST;
	}
	if (!ps || strcmp(ps->conf->identity, from) || !is_cert(ps)) {
		snprintf(why, why_size,
			 "ESCertKE from %.256s: no peer configured with key = 43",
			 from);
		return 4103;
	}
	b64 = malloc(4 * ((seci->eckm_len + 2) / 3) + 1);
	if (!b64) {
		snprintf(why, why_size, "out of memory");
		return 5000;
	}
	EVP_EncodeBlock((unsigned char *)b64, seci->eckm, (int)seci->eckm_len);
	rsc = escertke_flow_respond(d, from, b64, content, &res, why,
				    why_size);
	free(b64);
	if (rsc == 2000 && res.kid[0] && cert_install(ps, &res)) {
		json_decref(*content);
		*content = NULL;
		snprintf(why, why_size, "%s", ps->last_error);
		rsc = 5000;
	}
	escertke_result_wipe(&res);
	if (rsc != 2000) {
		snprintf(ps->last_error, sizeof(ps->last_error), "%s", why);
		log_info("%s: %d", why, rsc);
	}
	return rsc;
}

/*
 * A receiver object of the peer for a new session: its shared one from
 * its e2eSecInfo when configured (B.2a), else one on request (B.2d); a
 * peer of key = 43 without a fresh key gets a handshake first.
 */
static int establish(struct peer_state *ps)
{
	struct esprimd *d = ps->d;
	int rc;

	if (ps->establishing)
		return 0;
	if (!key_fresh(ps))
		return cert_handshake(ps);
	if (ps->key_rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "no pairwise key for %s: %s", ps->conf->name,
			 ps->key_err);
		return ESPRIM_RSC_UNKNOWN_KEY_ID;
	}
	if (!ps->conf->esi)
		return rand_request(ps);
	rc = esprimd_http_send(d->http, ESPRIMD_HTTP_RETRIEVE, ps->conf->esi,
			       d->config->identity, NULL, esi_response, ps);
	if (rc) {
		snprintf(ps->last_error, sizeof(ps->last_error),
			 "retrieving the esi of %s: %s", ps->conf->name,
			 strerror(-rc));
		return rc;
	}
	ps->establishing = true;
	return 0;
}

static int rekey_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct peer_state *ps = userdata;
	int rc;

	rc = renew(ps);
	if (rc)
		log_warn("renewing the session with %s: %s", ps->conf->name,
			 ps->last_error);
	return 0;
}

/* A session that can still seal: not expired, nor about to. */
static bool session_usable(const struct peer_state *ps)
{
	return ps->session && ps->expiry_ms > now_ms() + 1000;
}

/* {"m2m:seci":{"sit":5,"epo":obj}} as a JSON value. */
static json_t *epo_content(const char *obj, size_t len)
{
	return json_pack("{s:{s:i,s:s%}}", "m2m:seci", "sit", ESPRIM_SIT_EPO,
			 "epo", obj, len);
}

/* Seals text with a session and answers the call with the content. */
static void seal_reply(struct esprimd *d, struct esprimd_api_call *call,
		       struct esprim_session *s, const char *text,
		       size_t len, const char *session_name)
{
	struct esprimd_exchange *ex = d->ex;
	struct esprim_error e;
	size_t need = esprim_seal_size(s, len) + 1, out_len;
	json_t *content;
	int rc;

	rc = ensure_buf(ex, need);
	if (rc) {
		esprimd_api_error(call, 0, ENOMEM, "out of memory");
		return;
	}
	rc = esprim_seal(s, text, len, ex->buf, ex->buf_size, &out_len, &e);
	if (rc) {
		d->stats.seal_failures++;
		api_fail(call, rc, &e);
		return;
	}
	content = epo_content(ex->buf, out_len);
	if (!content) {
		esprimd_api_error(call, 0, ENOMEM, "out of memory");
		return;
	}
	d->stats.seals++;
	esprimd_api_reply(call, session_name ?
			  json_pack("{s:o,s:s}", "content", content, "session",
				    session_name) :
			  json_pack("{s:o}", "content", content));
}

static void waiter_seal(struct peer_state *ps, struct waiter *w)
{
	if (!esprimd_api_call_alive(w->call)) {
		esprimd_api_error(w->call, 0, ECONNRESET, "caller gone");
		return;
	}
	ps->seals++;
	seal_reply(ps->d, w->call, ps->session, w->text, w->len,
		   ps->conf->name);
}

/*
 * Whether a caller may send requests with this From: the identities of its
 * [cse] section; an operator without one, the gateway's own identity.
 */
static bool from_allowed(struct esprimd *d, const struct esprimd_api_peer *who,
			 const char *fr)
{
	const struct esprimd_cse *cse;
	size_t i;

	cse = esprimd_config_cse_by_uid(d->config, who->uid);
	if (!cse)
		return who->admin && !strcmp(fr, d->config->identity);
	for (i = 0; i < cse->n_identities; i++)
		if (!strcmp(cse->identities[i], fr))
			return true;
	return false;
}

void exchange_seal(struct esprimd *d, struct esprimd_api_call *call,
		   const struct esprimd_api_peer *who, json_t *args)
{
	json_t *prim = json_object_get(args, "primitive");
	const char *target = json_string_value(json_object_get(args, "target"));
	const char *fr = json_string_value(json_object_get(prim, "fr"));
	struct peer_state *ps;
	struct waiter *w;
	char *text;
	int rc;

	if (!target || !json_is_object(prim) || !fr) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "seal needs a string target and a primitive object with a string fr");
		return;
	}
	if (!from_allowed(d, who, fr)) {
		esprimd_api_error(call, 0, EACCES,
				  "uid %u may not send requests as %s",
				  (unsigned int)who->uid, fr);
		return;
	}
	ps = peer_by(d, target);
	if (!ps) {
		esprimd_api_error(call, 0, ENOENT, "no peer configured for %s",
				  target);
		return;
	}
	text = json_dumps(prim, JSON_COMPACT);
	if (!text) {
		esprimd_api_error(call, 0, ENOMEM, "out of memory");
		return;
	}
	/* A session gone (expired, dropped): in band again if possible. */
	if (!session_usable(ps) && !ps->establishing &&
	    rro_usable(ps->rro, now_ms()))
		session_start(ps, ps->rro, NULL);
	if (session_usable(ps)) {
		ps->seals++;
		seal_reply(d, call, ps->session, text, strlen(text),
			   ps->conf->name);
		free(text);
		return;
	}
	if (ps->n_waiters >= ESPRIMD_MAX_WAITERS ||
	    ps->waiting_bytes + strlen(text) > ESPRIMD_MAX_WAITING_BYTES) {
		free(text);
		esprimd_api_error(call, 0, EBUSY,
				  "%u seals already wait for the session with %s",
				  ps->n_waiters, ps->conf->name);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		free(text);
		esprimd_api_error(call, 0, ENOMEM, "out of memory");
		return;
	}
	w->call = call;
	w->text = text;
	w->len = strlen(text);
	w->next = ps->waiters;
	ps->waiters = w;
	ps->n_waiters++;
	ps->waiting_bytes += w->len;
	rc = establish(ps);
	if (rc) {
		log_warn("%s", ps->last_error);
		fail_waiters(ps, rc > 0 ? rc : 0, rc > 0 ? 0 : -rc);
	}
}

/* The epo of {"content":{"m2m:seci":{"sit":5,...}}} or {"object":...}. */
/* The ESPrim Object of an m2m:seci content's text (sit 5), and its sit. */
static const char *seci_object(const char *text, size_t text_len,
			       size_t *len, int *sit, struct esprim_seci *seci,
			       struct esprim_error *e)
{
	int rc;

	rc = esprim_seci_parse(seci, text, text_len, now_ms(), e);
	if (rc) {
		*sit = -rc;
		return NULL;
	}
	*sit = seci->sit;
	*len = seci->epo_len;
	return seci->epo;
}

static const char *args_object(json_t *args, size_t *len, int *sit,
			       struct esprim_seci *seci,
			       struct esprim_error *e)
{
	json_t *content = json_object_get(args, "content");
	const char *obj = json_string_value(json_object_get(args, "object"));
	char *text;

	*sit = 0;
	if (obj && !content) {
		*len = json_string_length(json_object_get(args, "object"));
		*sit = ESPRIM_SIT_EPO;
		return obj;
	}
	if (!json_is_object(content))
		return NULL;
	text = json_dumps(content, JSON_COMPACT);
	if (!text)
		return NULL;
	obj = seci_object(text, strlen(text), len, sit, seci, e);
	free(text);
	return obj;
}

/* The opened text as JSON when it is, else as a string. */
static json_t *opened_primitive(const char *text, size_t len)
{
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);

	return j ? j : json_stringn(text, len);
}

static int open_object(struct esprimd *d, const char *obj, size_t len,
		       size_t *text_len, struct esprim_error *e)
{
	struct esprimd_exchange *ex = d->ex;
	int rc;

	rc = ensure_buf(ex, len + 1);
	if (rc) {
		e->errnum = ENOMEM;
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return rc;
	}
	rc = esprim_open(d->ctx, obj, len, ex->buf, ex->buf_size, ex->opened,
			 e);
	if (!rc)
		*text_len = esprim_opened_text_len(ex->opened);
	return rc;
}

/* A response's object opened for the call (sit: what its seci said). */
static void open_response(struct esprimd *d, struct esprimd_api_call *call,
			  const char *obj, size_t len, int sit,
			  struct esprim_error *e)
{
	struct peer_state *ps;
	size_t text_len;
	int rc;

	if (!obj || sit != ESPRIM_SIT_EPO) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0, "%s",
				  sit < 0 ? e->msg :
				  "open needs content (m2m:seci sit 5) or object");
		return;
	}
	rc = open_object(d, obj, len, &text_len, e);
	if (!rc && esprim_opened_role(d->ex->opened) !=
	    ONEM2M_ESPRIM_ROLE_ORIGINATOR) {
		rc = ESPRIM_RSC_BAD_REQUEST;
		snprintf(e->msg, sizeof(e->msg),
			 "a request: hand it in with notify");
	}
	if (rc) {
		d->stats.open_failures++;
		api_fail(call, rc, e);
		return;
	}
	d->stats.opens++;
	ps = peer_by_kid(d, esprim_opened_kid(d->ex->opened));
	if (ps) {
		const struct esprim_rand *next =
			esprim_opened_next_rand(d->ex->opened);

		ps->opens++;
		/* A next receiver object offered in band: the next session's. */
		if (next && esprim_rand_is_receiver(next) &&
		    (!ps->next_rro || strcmp(esprim_rand_id(next),
					     esprim_rand_id(ps->next_rro)))) {
			esprim_rand_free(ps->next_rro);
			ps->next_rro = esprim_rand_dup(next);
		}
	}
	esprimd_api_reply(call, json_pack("{s:o,s:s}", "primitive",
					  opened_primitive(d->ex->buf,
							   text_len),
					  "peer",
					  esprim_opened_peer(d->ex->opened)));
}

void exchange_open(struct esprimd *d, struct esprimd_api_call *call,
		   json_t *args)
{
	struct esprim_seci seci = { 0 };
	struct esprim_error e = { 0 };
	const char *obj;
	size_t len = 0;
	int sit;

	obj = args_object(args, &len, &sit, &seci, &e);
	open_response(d, call, obj, len, sit, &e);
	esprim_seci_release(&seci);
}

void exchange_open_text(struct esprimd *d, struct esprimd_api_call *call,
			const char *text, size_t len)
{
	struct esprim_seci seci = { 0 };
	struct esprim_error e = { 0 };
	const char *obj;
	size_t obj_len = 0;
	int sit;

	obj = seci_object(text, len, &obj_len, &sit, &seci, &e);
	open_response(d, call, obj, obj_len, sit, &e);
	esprim_seci_release(&seci);
}

/* ---- receiver: rand requests, requests and responses ---- */

/*
 * The receiver object to answer a rand request with (sit 4 content): a
 * unique one, living as long as the shared one (several originator
 * objects in turn, in band), while the asking peer (ps, NULL for a CSE's
 * request) and the daemon are below their bounds; the shared one
 * otherwise.
 */
static int rand_reply(struct esprimd *d, struct peer_state *ps,
		      json_t **content, struct esprim_error *e)
{
	const struct esprimd_config *c = d->config;
	struct esprimd_exchange *ex = d->ex;
	int64_t now = now_ms();
	int64_t expiry = now + (int64_t)c->shared_rand_lifetime_s * 1000;
	struct esprim_rand *r = NULL;
	char *text;
	int rc;

	d->stats.rand_requests_in++;
	if (c->per_request_rand && issued_room(&ex->issued, now) &&
	    (!ps || issued_room(&ps->issued, now))) {
		rc = esprim_rand_new_receiver(&r, NULL, 0, expiry,
					      ESPRIM_ESPA_ALL, e);
		if (!rc)
			rc = esprim_ctx_add_own_rand(d->ctx, r, e);
		if (rc)
			goto out;
		rand_store_put(d, NULL, r);
		issued_add(&ex->issued, expiry);
		if (ps)
			issued_add(&ps->issued, expiry);
	}
	rc = esprim_seci_build(&text, ESPRIM_SIT_RRO_RESPONSE,
			       r ? r : ex->shared, NULL, 0, e);
	if (rc)
		goto out;
	*content = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	esprim_free(text);
	if (!*content)
		rc = -ENOMEM;
out:
	esprim_rand_free(r);
	return rc;
}

static struct handle *handle_new(struct esprimd *d, uid_t uid)
{
	struct esprimd_exchange *ex = d->ex;
	struct handle **pp = &ex->handles, *h;
	int64_t now = now_ms();
	uint32_t salt = 0;

	/* Handles not answered in time go first. */
	while ((h = *pp)) {
		if (h->expiry_ms <= now) {
			*pp = h->next;
			esprim_session_put(h->session);
			free(h);
			ex->n_handles--;
		} else {
			pp = &h->next;
		}
	}
	if (ex->n_handles >= ESPRIMD_MAX_HANDLES)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	RAND_bytes((unsigned char *)&salt, sizeof(salt));
	snprintf(h->id, sizeof(h->id), "h-%" PRIx64 "-%08x", ++ex->handle_seq,
		 salt);
	h->uid = uid;
	/* A CSE behind the sidecar may take up to request_timeout. */
	h->expiry_ms = now + ESPRIMD_HANDLE_TTL_MS +
		d->config->request_timeout_ms;
	h->next = ex->handles;
	ex->handles = h;
	ex->n_handles++;
	return h;
}

static struct handle *handle_take(struct esprimd *d, const char *id,
				  uid_t uid)
{
	struct esprimd_exchange *ex = d->ex;
	struct handle **pp, *h;

	for (pp = &ex->handles; (h = *pp); pp = &h->next) {
		if (strcmp(h->id, id) || h->uid != uid)
			continue;
		*pp = h->next;
		ex->n_handles--;
		if (h->expiry_ms <= now_ms()) {
			esprim_session_put(h->session);
			free(h);
			return NULL;
		}
		return h;
	}
	return NULL;
}

/*
 * The originator object a verified request carried in its header (a new
 * header, not the session's previous one): learnt under the key, so that
 * a session upcall finds it, and kept for a restart.
 */
/*
 * Originator objects of peers learnt before this start, "burnt": nothing
 * recorded which of their objects were opened (the replay state was the
 * earlier run's: gone, unless the kernel kept it and the session was
 * resumed from its dump), so requests on them are refused (4113) and the
 * peer sets up a new session.  Otherwise a request captured before the
 * restart would be executed again.
 */
struct burnt {
	char *kid;
	char *id;
	int64_t expiry_ms;
};

static void burn(struct esprimd *d, const char *kid,
		 const struct esprim_rand *r)
{
	struct esprimd_exchange *ex = d->ex;
	struct burnt *b;

	b = reallocarray(ex->burnt, ex->n_burnt + 1, sizeof(*b));
	if (!b)
		return;
	ex->burnt = b;
	b += ex->n_burnt;
	b->kid = strdup(kid);
	b->id = strdup(esprim_rand_id(r));
	b->expiry_ms = esprim_rand_expiry_ms(r);
	if (!b->kid || !b->id) {
		free(b->kid);
		free(b->id);
		return;
	}
	ex->n_burnt++;
}

/* Takes one out (a resumed session's, or an expired one). */
static void unburn(struct esprimd_exchange *ex, size_t i)
{
	free(ex->burnt[i].kid);
	free(ex->burnt[i].id);
	ex->burnt[i] = ex->burnt[--ex->n_burnt];
}

static bool is_burnt(struct esprimd *d, const char *kid, const char *id)
{
	struct esprimd_exchange *ex = d->ex;
	int64_t now = now_ms();
	size_t i = 0;

	while (i < ex->n_burnt) {
		if (ex->burnt[i].expiry_ms < now) {
			unburn(ex, i);
			continue;
		}
		if (!strcmp(ex->burnt[i].kid, kid) &&
		    !strcmp(ex->burnt[i].id, id))
			return true;
		i++;
	}
	return false;
}

/*
 * A request on a burnt originator object: 4113, before anything of it is
 * learnt or opened.  0 when it may be opened.
 */
static int refuse_burnt(struct esprimd *d, const char *obj, size_t len,
			struct esprim_error *e)
{
	struct esprim_header *h;
	int rc = 0;

	if (!d->ex->n_burnt ||
	    esprim_object_inspect(&h, obj, len, esprim_now_ms(), e))
		return 0;
	if (is_burnt(d, esprim_header_kid(h), esprim_header_ori(h))) {
		rc = ESPRIM_RSC_UNKNOWN_ORIG_RAND_ID;
		snprintf(e->msg, sizeof(e->msg),
			 "originator rand object %s of before this daemon's restart: set up a new session",
			 esprim_header_ori(h));
	}
	esprim_header_free(h);
	return rc;
}

static void keep_header_oro(struct esprimd *d, const char *obj, size_t len)
{
	struct esprim_opened *o = d->ex->opened;
	const struct esprim_rand *oro;
	struct esprim_header *h;
	struct esprim_error e;

	if (esprim_opened_header_cached(o) ||
	    esprim_object_inspect(&h, obj, len, esprim_now_ms(), &e))
		return;
	oro = esprim_header_oro(h);
	if (oro && !esprim_ctx_add_learnt_rand(d->ctx, esprim_opened_kid(o),
					      oro, &e))
		rand_store_put(d, esprim_opened_kid(o), oro);
	esprim_header_free(h);
}

static void notify_request(struct esprimd *d, struct esprimd_api_call *call,
			   const struct esprimd_api_peer *who,
			   const char *obj, size_t len)
{
	struct esprim_opened *o = d->ex->opened;
	struct esprim_error e = { 0 };
	struct peer_state *ps;
	struct handle *h;
	size_t text_len;
	int rc;

	d->stats.requests_in++;
	rc = refuse_burnt(d, obj, len, &e);
	if (!rc)
		rc = open_object(d, obj, len, &text_len, &e);
	if (!rc && esprim_opened_role(o) != ONEM2M_ESPRIM_ROLE_RECEIVER) {
		rc = ESPRIM_RSC_BAD_REQUEST;
		snprintf(e.msg, sizeof(e.msg),
			 "a response: open it with open");
	}
	if (rc) {
		d->stats.requests_refused++;
		log_info("request refused: %d %s", rc, e.msg);
		api_fail(call, rc, &e);
		return;
	}
	h = handle_new(d, who->uid);
	if (!h) {
		esprimd_api_error(call, 0, EBUSY,
				  "%u requests await responses",
				  ESPRIMD_MAX_HANDLES);
		return;
	}
	keep_header_oro(d, obj, len);
	h->session = esprim_session_get(esprim_opened_session(o));
	ps = peer_by_kid(d, esprim_opened_kid(o));
	if (ps)
		ps->opens++;
	d->stats.opens++;
	esprimd_api_reply(call, json_pack("{s:s,s:o,s:s,s:s}", "kind",
					  "request", "primitive",
					  opened_primitive(d->ex->buf,
							   text_len),
					  "originator", esprim_opened_peer(o),
					  "handle", h->id));
}

/*
 * What a Notify's m2m:seci asks for.  origin: the outer From when it came
 * over the HTTP binding (a rand request is then answered for configured
 * peers only, B.1), NULL from the socket; from: the outer From as the
 * socket's caller gives it, which ESCertKE correlates its messages by
 * (the certificate is what authenticates).
 */
static void notify_seci(struct esprimd *d, struct esprimd_api_call *call,
			const struct esprimd_api_peer *who, const char *origin,
			const char *from, const struct esprim_seci *seci,
			const char *obj, size_t len, int sit,
			struct esprim_error *e)
{
	char why[512];
	struct peer_state *ps = NULL;
	json_t *content = NULL;
	int rc;

	switch (sit) {
	case ESPRIM_SIT_EPO:
		notify_request(d, call, who, obj, len);
		break;
	case ESPRIM_SIT_RRO_REQUEST:
		if (origin) {
			ps = peer_by(d, origin);
			if (!ps || strcmp(ps->conf->identity, origin)) {
				esprimd_api_error(call, 4103, 0,
						  "a rand request from no configured peer");
				break;
			}
		}
		rc = rand_reply(d, ps, &content, e);
		if (rc)
			api_fail(call, rc, e);
		else
			esprimd_api_reply(call, json_pack("{s:s,s:o}", "kind",
							  "reply", "content",
							  content));
		break;
	case ESPRIM_SIT_ECKM:
		rc = cert_answer(d, origin ? origin : from, seci, &content,
				 why, sizeof(why));
		if (rc != 2000)
			esprimd_api_error(call, rc, 0, "%s", why);
		else
			esprimd_api_reply(call, json_pack("{s:s,s:o}", "kind",
							  "reply", "content",
							  content));
		break;
	default:
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0, "%s",
				  sit < 0 ? e->msg : sit ?
				  "sit 4 comes only as a reply" :
				  "notify needs content: an m2m:seci");
	}
}

void exchange_notify(struct esprimd *d, struct esprimd_api_call *call,
		     const struct esprimd_api_peer *who, json_t *args)
{
	struct esprim_seci seci = { 0 };
	struct esprim_error e = { 0 };
	const char *obj;
	size_t len = 0;
	int sit;

	obj = args_object(args, &len, &sit, &seci, &e);
	notify_seci(d, call, who, NULL,
		    json_string_value(json_object_get(args, "origin")), &seci,
		    obj, len, sit, &e);
	esprim_seci_release(&seci);
}

void exchange_notify_text(struct esprimd *d, struct esprimd_api_call *call,
			  const struct esprimd_api_peer *who,
			  const char *origin, const char *text, size_t len)
{
	struct esprim_seci seci = { 0 };
	struct esprim_error e = { 0 };
	const char *obj;
	size_t obj_len = 0;
	int sit;

	obj = seci_object(text, len, &obj_len, &sit, &seci, &e);
	notify_seci(d, call, who, origin ? origin : "", NULL, &seci, obj,
		    obj_len, sit, &e);
	esprim_seci_release(&seci);
}

void exchange_respond(struct esprimd *d, struct esprimd_api_call *call,
		      const struct esprimd_api_peer *who, json_t *args)
{
	const char *id = json_string_value(json_object_get(args, "handle"));
	json_t *prim = json_object_get(args, "primitive");
	struct handle *h;
	char *text;

	if (!id || !json_is_object(prim)) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "respond needs a string handle and a primitive object");
		return;
	}
	h = handle_take(d, id, who->uid);
	if (!h) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "handle %s: unknown, answered, expired or another user's",
				  id);
		return;
	}
	text = json_dumps(prim, JSON_COMPACT);
	if (text) {
		seal_reply(d, call, h->session, text, strlen(text), NULL);
		d->stats.responses_sealed++;
	} else {
		esprimd_api_error(call, 0, ENOMEM, "out of memory");
	}
	free(text);
	esprim_session_put(h->session);
	free(h);
}

/* A Notify from a peer daemon over the HTTP binding: rand requests. */
/* Whether esf has the SUID already. */
static bool esf_has(json_t *esf, int suid)
{
	json_t *v;
	size_t i;

	json_array_foreach(esf, i, v)
		if (json_integer_value(v) == suid)
			return true;
	return false;
}

json_t *exchange_esi(struct esprimd *d)
{
	const struct esprimd_config *c = d->config;
	json_t *esf, *esro, *esi, *escert = escertke_flow_escert(d);
	const char *text;
	size_t i, len;

	esf = json_array();
	for (i = 0; esf && i < c->n_peers; i++)
		if (!esf_has(esf, (int)c->peers[i].source))
			json_array_append_new(esf,
					      json_integer(c->peers[i].source));
	/* ESCertKE with any peer that has a certificate of our anchors. */
	if (esf && c->escertke && !esf_has(esf, ESPRIMD_KEY_CERTIFICATE))
		json_array_append_new(esf,
				      json_integer(ESPRIMD_KEY_CERTIFICATE));
	text = esprim_rand_json(d->ex->shared, &len);
	esro = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	esi = json_pack("{s:o,s:o}", "esf", esf, "esro", esro);
	/* escert: this end-point's certificates (TS-0003 8.4.3.1.3). */
	if (esi && escert)
		json_object_set(esi, "escert", escert);
	json_decref(escert);
	return esi;
}

/* This gateway's CSEBase as a peer retrieves it: its CSE-ID and its esi. */
static json_t *esi_resource(struct esprimd *d)
{
	const char *id = d->config->identity;
	const char *csi = strchr(id + 2, '/');

	d->stats.esi_served++;
	return json_pack("{s:{s:s,s:o}}", "m2m:cb", "csi", csi ? csi : id,
			 "esi", exchange_esi(d));
}

void exchange_http(struct esprimd_http_request *req,
		   const struct esprimd_http_incoming *in, void *userdata)
{
	struct esprimd *d = userdata;
	struct esprim_seci seci = { 0 };
	struct esprim_error e = { 0 };
	struct peer_state *ps;
	json_t *content = NULL;
	char *text;
	int rc;

	if (in->op == ESPRIMD_HTTP_CREATE) {
		esprimd_http_respond(req, 4005, NULL);	/* OPERATION_NOT_ALLOWED */
		return;
	}
	/* Only configured peers get receiver objects (B.1). */
	ps = peer_by(d, in->origin);
	if (!ps || strcmp(ps->conf->identity, in->origin)) {
		/* Anyone can send these: a line every 10 s at most. */
		if (now_ms() - d->ex->unknown_logged_ms > 10000) {
			d->ex->unknown_logged_ms = now_ms();
			log_info("rand request from %s (%s), no configured peer",
				 in->origin, in->peer_addr);
		}
		esprimd_http_respond(req, 4103, NULL);
		return;
	}
	if (in->op == ESPRIMD_HTTP_RETRIEVE) {
		content = esi_resource(d);
		esprimd_http_respond(req, content ? 2000 : 5000, content);
		json_decref(content);
		return;
	}
	text = json_dumps(in->body, JSON_COMPACT);
	rc = text ? esprim_seci_parse(&seci, text, strlen(text), now_ms(), &e) :
		-ENOMEM;
	free(text);
	if (!rc && seci.sit == ESPRIM_SIT_ECKM) {
		char why[512];

		rc = cert_answer(d, in->origin, &seci, &content, why,
				 sizeof(why));
		esprimd_http_respond(req, rc, content);
		json_decref(content);
		goto out;
	}
	if (rc || seci.sit != ESPRIM_SIT_RRO_REQUEST) {
		esprimd_http_respond(req, ESPRIM_RSC_BAD_REQUEST, NULL);
		goto out;
	}
	rc = rand_reply(d, ps, &content, &e);
	if (rc) {
		/* A local failure: 5000 INTERNAL_SERVER_ERROR. */
		esprimd_http_respond(req, rc > 0 ? rc : 5000, NULL);
		goto out;
	}
	esprimd_http_respond(req, 2000, content);
	json_decref(content);
out:
	esprim_seci_release(&seci);
}

void exchange_failed(struct esprimd *d, struct esprimd_api_call *call,
		     json_t *args)
{
	const char *target = json_string_value(json_object_get(args, "target"));
	json_t *j = json_object_get(args, "rsc");
	struct peer_state *ps = target ? peer_by(d, target) : NULL;
	json_int_t rsc = json_integer_value(j);

	if (!ps || !json_is_integer(j)) {
		esprimd_api_error(call, ESPRIM_RSC_BAD_REQUEST, 0,
				  "failed needs the target of a configured peer and the integer rsc it answered");
		return;
	}
	/*
	 * An ESCertKE key the peer does not hold (its end of the handshake
	 * failed after ours finished: message 4 lost, or refused there): it
	 * goes, and the next seal runs a new handshake.
	 */
	if (rsc == ESPRIM_RSC_UNKNOWN_KEY_ID && is_cert(ps) && ps->kid[0] &&
	    !ps->establishing) {
		log_info("%s does not know the ESCertKE key %s: it goes",
			 ps->conf->name, ps->kid);
		keys_remove_escertke(d, ps->kid);
		ps->kid[0] = '\0';
		ps->key_expiry_ms = 0;
	}
	/* Only the codes that say the peer lost what the session rests on. */
	if (rsc < ESPRIM_RSC_UNKNOWN_KEY_ID ||
	    rsc > ESPRIM_RSC_UNKNOWN_RECV_RAND_ID || !ps->session) {
		esprimd_api_reply(call, json_pack("{s:b}", "dropped", 0));
		return;
	}
	log_info("%s answered %lld: its session goes, the next seal sets up another",
		 ps->conf->name, (long long)rsc);
	/* Whatever the peer lost, its receiver objects are no good now. */
	session_drop(ps);
	esprimd_api_reply(call, json_pack("{s:b}", "dropped", 1));
}

/* ---- operators ---- */

int exchange_establish(struct esprimd *d, const char *peer)
{
	struct esprimd_exchange *ex = d->ex;
	size_t i;
	int rc = -ENOENT, n = 0;

	for (i = 0; i < ex->n_peers; i++) {
		struct peer_state *ps = ex->peers[i];

		if (!peer_matches(ps, peer))
			continue;
		rc = establish(ps);
		if (rc)
			return rc;
		n++;
	}
	return n ? 0 : rc;
}

unsigned int exchange_flush(struct esprimd *d, const char *peer)
{
	struct esprimd_exchange *ex = d->ex;
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < ex->n_peers; i++) {
		struct peer_state *ps = ex->peers[i];

		if (!peer_matches(ps, peer))
			continue;
		if (ps->session) {
			esprim_session_free(ps->session);
			ps->session = NULL;
			n++;
		}
		/* The next seal asks the peer again. */
		esprim_rand_free(ps->rro);
		esprim_rand_free(ps->next_rro);
		ps->rro = ps->next_rro = NULL;
	}
	return n;
}

json_t *exchange_peers_json(struct esprimd *d)
{
	struct esprimd_exchange *ex = d->ex;
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < ex->n_peers; i++) {
		const struct peer_state *ps = ex->peers[i];
		const struct esprimd_peer *p = ps->conf;

		json_t *o = json_pack(
			"{s:s,s:s,s:s?,s:s?,s:i,s:s,s:b,s:I,s:I,s:I,s:s}",
			"name", p->name, "identity", p->identity,
			"kid", ps->kid[0] ? ps->kid : NULL,
			"address", p->address,
			"source", (int)p->source,
			"key", ps->key_rc ? ps->key_err :
			is_cert(ps) && !ps->kid[0] ? "none" : "loaded",
			"session", session_usable(ps),
			"seals", (json_int_t)ps->seals,
			"opens", (json_int_t)ps->opens,
			"established", (json_int_t)ps->established,
			"last_error", ps->last_error);

		/* key = 43: the handshakes' keys and how long they live. */
		if (o && is_cert(ps))
			json_object_update_new(o, json_pack(
				"{s:I,s:s?,s:I,s:I,s:b}",
				"key_expires_ms", (json_int_t)ps->key_expiry_ms,
				"previous_kid",
				ps->prev_kid[0] ? ps->prev_kid : NULL,
				"previous_expires_ms",
				(json_int_t)ps->prev_expiry_ms,
				"handshakes", (json_int_t)ps->handshakes,
				"handshaking", ps->establishing &&
				!key_fresh(ps)));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *exchange_sessions_json(struct esprimd *d, const char *peer)
{
	struct esprimd_exchange *ex = d->ex;
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < ex->n_peers; i++) {
		const struct peer_state *ps = ex->peers[i];

		if (!ps->session || !peer_matches(ps, peer))
			continue;
		json_array_append_new(a, json_pack(
			"{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}",
			"peer", ps->conf->name, "identity", ps->conf->identity,
			"kid", esprim_session_kid(ps->session),
			"ori", ps->ori, "rri", esprim_rand_id(ps->rro),
			"role", "originator",
			"enc", esprim_enc_name(esprim_session_enc(ps->session)),
			"expires_ms", (json_int_t)ps->expiry_ms));
	}
	return a;
}

unsigned int exchange_session_count(struct esprimd *d)
{
	struct esprim_ctx_stats st;

	esprim_ctx_get_stats(d->ctx, &st);
	return (unsigned int)st.sessions;
}

/* ---- the module's upcalls and events ---- */

/*
 * A session's payload from the rand objects this daemon knows: the
 * receiver object is its own when it is the Receiver, learnt otherwise.
 */
static int session_payload(struct esprimd *d, const char *kid,
			   const char *ori, const char *rri, void **payload,
			   size_t *len)
{
	struct onem2m_esprim_session_payload *p;
	struct esprim_rand *rro, *oro;
	enum onem2m_esprim_role role = ONEM2M_ESPRIM_ROLE_RECEIVER;
	struct peer_state *ps = peer_by_kid(d, kid);
	size_t rlen, olen;
	const char *rj, *oj;
	int rc = -ENOKEY;

	if (!ps || ps->key_rc)
		return -ENOKEY;
	rro = esprim_ctx_get_rand(d->ctx, NULL, rri, true);
	oro = rro ? esprim_ctx_get_rand(d->ctx, kid, ori, false) : NULL;
	if (!rro) {
		role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
		rro = esprim_ctx_get_rand(d->ctx, kid, rri, true);
		oro = esprim_ctx_get_rand(d->ctx, NULL, ori, false);
	}
	if (!rro || !oro)
		goto out;
	rj = esprim_rand_json(rro, &rlen);
	oj = esprim_rand_json(oro, &olen);
	p = calloc(1, sizeof(*p) + rlen + olen);
	rc = -ENOMEM;
	if (!p)
		goto out;
	p->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	p->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	/*
	 * By serial: the requester's keyrings need not hold the pairwise
	 * key; the kernel checks the daemon's search permission on it.
	 */
	p->pairwise = keys_pairwise_serial(d, kid);
	if (p->pairwise < 0) {
		rc = p->pairwise;
		free(p);
		goto out;
	}
	p->enc = (uint8_t)ps->conf->enc;
	p->role = (uint8_t)role;
	p->replay = ONEM2M_ESPRIM_REPLAY_DEFAULT;
	p->rro_len = (uint16_t)rlen;
	p->oro_len = (uint16_t)olen;
	p->soft_invocations = d->config->soft_invocations;
	p->hard_invocations = d->config->hard_invocations;
	memcpy(p->rand_objects, rj, rlen);
	memcpy(p->rand_objects + rlen, oj, olen);
	*payload = p;
	*len = sizeof(*p) + rlen + olen;
	rc = 0;
out:
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return rc;
}

int exchange_upcall_payload(struct esprimd *d, const char *desc,
			    void **payload, size_t *len)
{
	char kid[ONEM2M_ESPRIM_MAX_ID_LEN + 1], ori[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	char rri[ONEM2M_ESPRIM_MAX_ID_LEN + 1];
	struct peer_state *ps;

	*payload = NULL;
	if (!strncmp(desc, "pairwise:", 9)) {
		ps = peer_by_kid(d, desc + 9);
		if (!ps || ps->key_rc)
			return -ENOKEY;
		/*
		 * An ESCertKE key's octets exist only in the daemon's keyring
		 * (wiped at the export): CSEs reach it through session keys,
		 * whose payloads name it by serial.
		 */
		if (is_cert(ps)) {
			log_info("upcall for %s: an ESCertKE key is not handed out; session keys of it are",
				 desc);
			return -EKEYREJECTED;
		}
		return keys_pairwise_payload(d, ps->conf, payload, len);
	}
	/* session:<kid>:<ori>:<rri>; the module checked the characters. */
	if (sscanf(desc, "session:%128[^:]:%128[^:]:%128s", kid, ori, rri) != 3)
		return -ENOKEY;
	return session_payload(d, kid, ori, rri, payload, len);
}

void exchange_kernel_event(struct esprimd *d, unsigned int type,
			   const char *kid, unsigned int role)
{
	struct peer_state *ps = peer_by_kid(d, kid);
	int rc;

	switch (type) {
	case ONEM2M_ESPRIM_EVENT_TYPE_SOFT_LIMIT:
		/* Renewed now, so that sealing never meets the hard limit. */
		if (!ps || role != ONEM2M_ESPRIM_ROLE_ORIGINATOR)
			return;
		log_info("session with %s reached its soft limit: renewing",
			 ps->conf->name);
		rc = renew(ps);
		if (rc)
			log_warn("renewing: %s", ps->last_error);
		break;
	case ONEM2M_ESPRIM_EVENT_TYPE_HARD_EXPIRED:
		if (!ps || role != ONEM2M_ESPRIM_ROLE_ORIGINATOR ||
		    !ps->session)
			return;
		log_info("session with %s expired: the next seal sets up another",
			 ps->conf->name);
		esprim_session_put(ps->session);
		ps->session = NULL;
		break;
	case ONEM2M_ESPRIM_EVENT_TYPE_REPLAY:
	case ONEM2M_ESPRIM_EVENT_TYPE_REFLECTION:
	case ONEM2M_ESPRIM_EVENT_TYPE_BAD_MAC:
		d->stats.kernel_refusals++;
		log_info("the module refused an object of key %s (event %u)",
			 kid, type);
		break;
	}
}

/* ---- life cycle ---- */

/*
 * A session of the earlier run linked in this run's context (responses to
 * requests sealed with it, and requests against it, still open).
 */
static bool resume_linked(struct esprimd *d, struct peer_state *ps,
			  const struct esprimd_kernel_session *ks,
			  const struct esprim_rand *rro,
			  const struct esprim_rand *oro)
{
	struct esprim_session_config sc = ESPRIM_SESSION_CONFIG_INIT;
	struct esprim_session *s;
	struct esprim_error e;
	size_t i;

	sc.kid = ks->kid;
	sc.rro = rro;
	sc.oro = oro;
	sc.enc = ps->conf->enc;
	sc.role = ks->role;
	if (esprim_session_new(d->ctx, &sc, &s, &e)) {
		log_debug("session %s/%s of before: %s", ks->ori, ks->rri,
			  e.msg);
		return false;
	}
	/* The context keeps it linked until its rand objects expire. */
	esprim_session_put(s);
	d->stats.sessions_resumed++;
	/* Its replay state is the kernel's, kept: its requests may open. */
	for (i = 0; ks->role == ONEM2M_ESPRIM_ROLE_RECEIVER &&
	     i < d->ex->n_burnt; i++)
		if (!strcmp(d->ex->burnt[i].kid, ks->kid) &&
		    !strcmp(d->ex->burnt[i].id, ks->ori)) {
			unburn(d->ex, i);
			break;
		}
	return true;
}

bool exchange_resume(struct esprimd *d,
		     const struct esprimd_kernel_session *ks)
{
	struct peer_state *ps = peer_by_kid(d, ks->kid);
	bool receiver = ks->role == ONEM2M_ESPRIM_ROLE_RECEIVER;
	struct esprim_rand *rro, *oro;
	int64_t need;
	bool done = false;

	if (!ps || ps->key_rc || ks->uid != geteuid() ||
	    ks->role > ONEM2M_ESPRIM_ROLE_RECEIVER)
		return false;
	/* Own objects, and the peer's learnt under its key (B.16). */
	rro = esprim_ctx_get_rand(d->ctx, receiver ? NULL : ks->kid, ks->rri,
				  true);
	oro = esprim_ctx_get_rand(d->ctx, receiver ? ks->kid : NULL, ks->ori,
				  false);
	if (!rro || !oro)
		goto out;
	/* The peer's current session is the one that lives longest. */
	need = now_ms() + (int64_t)d->config->rekey_margin_s * 1000;
	if (ps->session && ps->expiry_ms > need)
		need = ps->expiry_ms;
	if (!receiver && esprim_rand_expiry_ms(oro) > need)
		done = !session_start(ps, rro, oro);
	if (!done)
		done = resume_linked(d, ps, ks, rro, oro);
out:
	esprim_rand_free(rro);
	esprim_rand_free(oro);
	return done;
}

static void peer_clear(struct peer_state *ps)
{
	snprintf(ps->last_error, sizeof(ps->last_error), "stopping");
	fail_waiters(ps, 0, ECANCELED);
	session_drop(ps);
	ps->rekey = sd_event_source_unref(ps->rekey);
}

static struct peer_state *peer_load(struct esprimd *d,
				    const struct esprimd_peer *p)
{
	struct peer_state *ps = calloc(1, sizeof(*ps));

	if (!ps || issued_init(&ps->issued, ESPRIMD_RANDS_PER_PEER)) {
		free(ps);
		return NULL;
	}
	ps->d = d;
	ps->conf = p;
	if (p->source == ESPRIMD_KEY_CERTIFICATE) {
		/* Its keys come from handshakes, when needed. */
		log_info("peer %s (%s): keys by ESCertKE (SUID 43)", p->name,
			 p->identity);
		return ps;
	}
	snprintf(ps->kid, sizeof(ps->kid), "%s", p->kid);
	ps->key_rc = keys_load_peer(d, p, ps->key_print, ps->key_err,
				    sizeof(ps->key_err));
	if (ps->key_rc)
		log_err("peer %s: key %s not loaded: %s", p->name, p->kid,
			ps->key_err);
	else
		log_info("peer %s (%s): key %s loaded (SUID %d)", p->name,
			 p->identity, p->kid, (int)p->source);
	return ps;
}

/* Frees a peer's state, or leaves it to its rand request in flight. */
static void peer_free(struct peer_state *ps)
{
	peer_clear(ps);
	ps->conf = NULL;
	if (!ps->establishing) {
		free(ps->issued.expiry);
		free(ps);
	}
}

/*
 * An object learnt from a peer and kept from before: a receiver object is
 * the next session's, an originator object is burnt.
 */
static void learnt(struct esprimd *d, const char *kid,
		   const struct esprim_rand *r)
{
	struct peer_state *ps = peer_by_kid(d, kid);

	if (!esprim_rand_is_receiver(r)) {
		burn(d, kid, r);
		return;
	}
	if (!ps || !rro_usable(r, now_ms()) ||
	    (ps->rro && esprim_rand_expiry_ms(ps->rro) >=
	     esprim_rand_expiry_ms(r)))
		return;
	esprim_rand_free(ps->rro);
	ps->rro = esprim_rand_dup(r);
}

int exchange_new(struct esprimd *d, char *err, size_t err_size)
{
	const struct esprimd_config *c = d->config;
	struct esprimd_exchange *ex;
	unsigned int n;
	size_t i;

	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	d->ex = ex;
	ex->opened = esprim_opened_new();
	ex->peers = calloc(c->n_peers + 1, sizeof(*ex->peers));
	if (!ex->opened || !ex->peers ||
	    issued_init(&ex->issued, c->max_sessions)) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < c->n_peers; i++) {
		ex->peers[i] = peer_load(d, &c->peers[i]);
		if (!ex->peers[i]) {
			snprintf(err, err_size, "out of memory");
			return -ENOMEM;
		}
		ex->n_peers++;
	}
	n = rand_store_load(d, learnt);
	if (n)
		log_info("%u rand objects of the daemon before this one taken back",
			 n);
	if (new_shared(d)) {
		snprintf(err, err_size, "no shared receiver rand object");
		return -EIO;
	}
	return 0;
}

/* A peer's keys out of the context (a reload took the peer away). */
static void peer_unload(struct esprimd *d, struct peer_state *ps)
{
	if (!is_cert(ps)) {
		keys_unload_peer(d, ps->conf);
		return;
	}
	if (ps->kid[0])
		keys_remove_escertke(d, ps->kid);
	if (ps->prev_kid[0])
		keys_remove_escertke(d, ps->prev_kid);
	ps->kid[0] = ps->prev_kid[0] = '\0';
}

/*
 * Whether a reload left a peer's key as it was: its settings, and the
 * contents of its key file (rotated in place, it is another key).
 */
static bool same_key(const struct peer_state *old,
		     const struct esprimd_peer *b)
{
	const struct esprimd_peer *a = old->conf;
	uint8_t print[32];

	/* ESCertKE keys are bound to the identity, nothing else. */
	if (a->source == ESPRIMD_KEY_CERTIFICATE ||
	    b->source == ESPRIMD_KEY_CERTIFICATE)
		return a->source == b->source &&
			!strcmp(a->identity, b->identity) &&
			a->replay == b->replay;
	if (old->key_rc || keys_fingerprint(b->key_file, print) ||
	    memcmp(print, old->key_print, sizeof(print)))
		return false;
	return !strcmp(a->identity, b->identity) && !strcmp(a->kid, b->kid) &&
		a->source == b->source && !strcmp(a->key_file, b->key_file) &&
		a->replay == b->replay &&
		!strcmp(a->rspf_target ? a->rspf_target : "",
			b->rspf_target ? b->rspf_target : "");
}

json_t *exchange_reconfigure(struct esprimd *d)
{
	const struct esprimd_config *c = d->config;
	struct esprimd_exchange *ex = d->ex;
	json_t *failed = json_array();
	struct peer_state **peers;
	size_t i, j;

	peers = calloc(c->n_peers + 1, sizeof(*peers));
	if (!peers) {
		log_err("reload: out of memory; peers left as they were");
		return failed;
	}
	/* Peers whose key is as it was stay, with their sessions. */
	for (i = 0; i < c->n_peers; i++) {
		for (j = 0; j < ex->n_peers; j++) {
			struct peer_state *old = ex->peers[j];

			if (!old || strcmp(old->conf->name, c->peers[i].name) ||
			    !same_key(old, &c->peers[i]))
				continue;
			old->conf = &c->peers[i];
			peers[i] = old;
			ex->peers[j] = NULL;
			break;
		}
	}
	/* The others go before new keys come: a kid may be reused. */
	for (j = 0; j < ex->n_peers; j++) {
		if (!ex->peers[j])
			continue;
		peer_unload(d, ex->peers[j]);
		peer_free(ex->peers[j]);
	}
	for (i = 0; i < c->n_peers; i++) {
		if (peers[i])
			continue;
		peers[i] = peer_load(d, &c->peers[i]);
		if (!peers[i] || peers[i]->key_rc)
			json_array_append_new(failed,
					      json_string(c->peers[i].name));
	}
	free(ex->peers);
	ex->peers = peers;
	/* A peer that could not be allocated is left out. */
	for (i = j = 0; i < c->n_peers; i++)
		if (peers[i])
			peers[j++] = peers[i];
	ex->n_peers = j;
	return failed;
}

void exchange_free(struct esprimd *d)
{
	struct esprimd_exchange *ex = d->ex;
	struct handle *h;
	size_t i;

	if (!ex)
		return;
	for (i = 0; ex->peers && i < ex->n_peers; i++)
		peer_free(ex->peers[i]);
	while ((h = ex->handles)) {
		ex->handles = h->next;
		esprim_session_put(h->session);
		free(h);
	}
	sd_event_source_unref(ex->rotate);
	free(ex->issued.expiry);
	esprim_rand_free(ex->shared);
	esprim_opened_free(ex->opened);
	while (ex->n_burnt)
		unburn(ex, 0);
	free(ex->burnt);
	free(ex->peers);
	free(ex->buf);
	free(ex);
	d->ex = NULL;
}
