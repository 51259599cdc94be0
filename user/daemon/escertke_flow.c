// SPDX-License-Identifier: GPL-2.0
/*
 * ESCertKE over the HTTP binding: the engine's flights in m2m:seci sit 6
 * Notify requests and their responses, a timer for stalled handshakes,
 * and the Response Status Codes of the Terminating End-Point:
 *
 *   content not m2m:seci sit 6 with eckm (base64Binary) only  4000
 *   a flight that is not TLS, or breaks the handshake         4000
 *   no TLS version, suite or group in common                  4111
 *   message 3 with no handshake in progress for the From
 *   (never begun, timed out, replayed)                        4000
 *   From not a peer configured with key = 43                  4103
 *   authentication failed (chain, identity, validity)         4103
 *   the limits of handshakes in progress                      5000
 *   anything else local                                       5000
 *
 * (TS-0004 6.6.3: no code names a failed key establishment; 4103
 * ACCESS_DENIED is what TS-0001 answers an originator it does not admit.)
 * The HTTP status follows from the RSC (http_status.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "escertke_flow.h"
#include "exchange.h"
#include "http.h"
#include "log.h"

/* How often stalled handshakes are looked for, at most. */
#define CKE_TICK_MS	1000

struct escertke_flow {
	struct esprimd *d;
	struct escertke *e;
	sd_event_source *tick;
	json_t *escert;
};

/* One initiated handshake between its two Notify requests. */
struct cke_out {
	struct esprimd *d;
	char peer[ONEM2M_ESPRIM_MAX_PEER_LEN + 1];
	char *address;
	unsigned int message;		/* the one awaited: 2 or 4 */
	escertke_flow_done done;
	void *userdata;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int cke_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct escertke_flow *f = userdata;
	unsigned int n = escertke_expire(f->e, mono_ms());

	if (n) {
		f->d->stats.escertke_expired += n;
		log_info("ESCertKE: %u stalled handshake%s dropped", n,
			 n == 1 ? "" : "s");
	}
	exchange_cert_keys_expire(f->d);
	sd_event_source_set_time_relative(s, CKE_TICK_MS * 1000ULL);
	return 0;
}

/* The certificates of a PEM text, each as base64 of its DER. */
static json_t *escert_of(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	json_t *list = json_array();
	unsigned char *der, *b64;
	X509 *x;
	int len;

	while (bio && list && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		der = NULL;
		len = i2d_X509(x, &der);
		X509_free(x);
		b64 = len > 0 ? malloc(4 * ((size_t)len + 2) / 3 + 1) : NULL;
		if (b64) {
			EVP_EncodeBlock(b64, der, len);
			json_array_append_new(list, json_string((char *)b64));
		}
		free(b64);
		OPENSSL_free(der);
		if (!b64) {
			json_decref(list);
			list = NULL;
		}
	}
	ERR_clear_error();	/* the end of the text */
	BIO_free(bio);
	if (list && !json_array_size(list)) {
		json_decref(list);
		list = NULL;
	}
	return list;
}

int escertke_flow_new(struct esprimd *d, char *err, size_t err_size)
{
	const struct esprimd_escertke *x = d->config->escertke;
	struct escertke_config cfg = { 0 };
	struct escertke_flow *f;
	char why[256] = "";
	int rc;

	if (!x)
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->d = d;
	cfg.cert_file = x->cert_file;
	cfg.key_file = x->key_file;
	cfg.trust_file = x->trust_file;
	cfg.identity = d->config->identity;
	cfg.key_lifetime_s = x->key_lifetime_s;
	cfg.timeout_ms = x->timeout_ms;
	cfg.max_per_peer = x->max_per_peer;
	cfg.max_total = x->max_total;
	rc = escertke_new(&f->e, &cfg, why, sizeof(why));
	if (rc) {
		snprintf(err, err_size, "[escertke] (%s:%u): %s", x->file,
			 x->line, why[0] ? why : strerror(-rc));
		free(f);
		return rc;
	}
	rc = sd_event_add_time_relative(d->event, &f->tick, CLOCK_MONOTONIC,
					CKE_TICK_MS * 1000ULL, 100000ULL,
					cke_tick, f);
	if (rc >= 0)
		rc = sd_event_source_set_enabled(f->tick, SD_EVENT_ON);
	if (rc < 0) {
		snprintf(err, err_size, "ESCertKE timer: %s", strerror(-rc));
		escertke_free(f->e);
		free(f);
		return rc;
	}
	f->escert = escert_of(escertke_cert_pem(f->e));
	d->cke = f;
	log_info("ESCertKE: certificate %s, trust anchors %s, keys for %u s",
		 x->cert_file, x->trust_file, x->key_lifetime_s);
	return 0;
}

void escertke_flow_free(struct esprimd *d)
{
	struct escertke_flow *f = d->cke;

	if (!f)
		return;
	sd_event_source_disable_unref(f->tick);
	escertke_free(f->e);
	json_decref(f->escert);
	free(f);
	d->cke = NULL;
}

json_t *escertke_flow_escert(struct esprimd *d)
{
	return d->cke ? json_incref(d->cke->escert) : NULL;
}

json_t *escertke_flow_stats(struct esprimd *d)
{
	const struct esprimd_stats *s = &d->stats;

	return json_pack("{s:b,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			 "configured", d->cke != NULL,
			 "in_progress",
			 d->cke ? (int)escertke_in_progress(d->cke->e) : 0,
			 "initiated", (json_int_t)s->escertke_initiated,
			 "initiated_done",
			 (json_int_t)s->escertke_initiated_done,
			 "initiated_failed",
			 (json_int_t)s->escertke_initiated_failed,
			 "responded", (json_int_t)s->escertke_responded,
			 "responded_done",
			 (json_int_t)s->escertke_responded_done,
			 "responded_failed",
			 (json_int_t)s->escertke_responded_failed,
			 "expired", (json_int_t)s->escertke_expired,
			 "keys", (json_int_t)s->escertke_keys);
}

/* {"m2m:seci":{"sit":6,"eckm":b64}} */
static json_t *eckm_content(const char *b64)
{
	return json_pack("{s:{s:i,s:s}}", "m2m:seci", "sit", ESPRIM_SIT_ECKM,
			 "eckm", b64);
}

/* The RSC of an engine error (the table at the top). */
static int cke_rsc(int rc)
{
	switch (rc) {
	case -EACCES:
		return 4103;
	case -EPROTO:
		return ESPRIM_RSC_UNSUPPORTED_OPTION;
	case -EBADMSG:
	case -EINVAL:
	case -ENOENT:
	case -ETIMEDOUT:
		return ESPRIM_RSC_BAD_REQUEST;
	default:
		return 5000;
	}
}

/*
 * The eckm of a response's body: m2m:seci sit 6 with eckm only, checked
 * by libesprim (base64Binary); the string as received.
 */
static const char *body_eckm(json_t *body, char *why, size_t why_size)
{
	struct esprim_seci seci;
	struct esprim_error e;
	const char *b64;
	char *text;
	int rc;

	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (!text) {
		snprintf(why, why_size, "no content");
		return NULL;
	}
	rc = esprim_seci_parse(&seci, text, strlen(text), esprim_now_ms(), &e);
	free(text);
	if (rc) {
		snprintf(why, why_size, "%s", e.msg);
		return NULL;
	}
	if (seci.sit != ESPRIM_SIT_ECKM) {
		snprintf(why, why_size, "m2m:seci sit %d, not 6", seci.sit);
		esprim_seci_release(&seci);
		return NULL;
	}
	esprim_seci_release(&seci);
	b64 = json_string_value(json_object_get(json_object_get(body,
								"m2m:seci"),
						"eckm"));
	if (!b64)
		snprintf(why, why_size, "no eckm");
	return b64;
}

static void out_response(int err, int rsc, json_t *body, void *userdata);

/* Sends a flight to the peer; 0 or a negative errno. */
static int out_send(struct cke_out *o, const char *b64)
{
	json_t *body = eckm_content(b64);
	int rc;

	if (!body)
		return -ENOMEM;
	rc = esprimd_http_send(o->d->http, ESPRIMD_HTTP_NOTIFY, o->address,
			       o->d->config->identity, body, out_response, o);
	json_decref(body);
	return rc;
}

/*
 * The engine's handshake ends on an error only: a flight that cannot be
 * base64 is one (escertke.h), so an empty one ends it when the failure
 * was in transport or the peer refused.
 */
static void out_abort(struct cke_out *o)
{
	struct escertke_result res;
	char *out = NULL, why[64];

	if (!o->d->cke)
		return;
	escertke_initiator_step(o->d->cke->e, o->peer, "", &out, &res, why,
				sizeof(why));
	free(out);
	escertke_result_wipe(&res);
}

static void out_end(struct cke_out *o, int rsc, int errnum,
		    struct escertke_result *res, const char *why)
{
	if (errnum != ECANCELED) {
		if (res)
			o->d->stats.escertke_initiated_done++;
		else
			o->d->stats.escertke_initiated_failed++;
	}
	o->done(rsc, errnum, res, why, o->userdata);
	free(o->address);
	free(o);
}

static void out_response(int err, int rsc, json_t *body, void *userdata)
{
	struct cke_out *o = userdata;
	struct escertke_result res = { 0 };
	char why[800], msg[256] = "";
	const char *in;
	char *out = NULL;
	int rc;

	if (err == -ECANCELED) {
		/* Shutting down: the engine may be gone already. */
		out_end(o, 0, ECANCELED, NULL, "cancelled");
		return;
	}
	if (err) {
		snprintf(why, sizeof(why),
			 "ESCertKE with %s: message %u: %s", o->peer,
			 o->message - 1, strerror(-err));
		out_abort(o);
		out_end(o, 0, -err, NULL, why);
		return;
	}
	if (rsc != 2000) {
		snprintf(why, sizeof(why),
			 "ESCertKE with %s: message %u refused: %d%s%s%s",
			 o->peer, o->message - 1, rsc,
			 esprim_rsc_name(rsc) ? " (" : "",
			 esprim_rsc_name(rsc) ? esprim_rsc_name(rsc) : "",
			 esprim_rsc_name(rsc) ? ")" : "");
		out_abort(o);
		out_end(o, rsc, 0, NULL, why);
		return;
	}
	in = body_eckm(body, msg, sizeof(msg));
	if (!in) {
		snprintf(why, sizeof(why),
			 "ESCertKE with %s: the answer to message %u: %s",
			 o->peer, o->message - 1, msg);
		out_abort(o);
		out_end(o, 0, EBADMSG, NULL, why);
		return;
	}
	rc = o->d->cke ? escertke_initiator_step(o->d->cke->e, o->peer, in,
						 &out, &res, msg,
						 sizeof(msg)) : -ECANCELED;
	if (rc < 0) {
		free(out);
		snprintf(why, sizeof(why), "ESCertKE with %s: message %u: %s",
			 o->peer, o->message, msg[0] ? msg : strerror(-rc));
		out_end(o, 0, -rc, NULL, why);
		return;
	}
	if (rc == 1 || o->message == 4) {
		free(out);
		if (rc != 1) {
			escertke_result_wipe(&res);
			snprintf(why, sizeof(why),
				 "ESCertKE with %s: message 4 did not finish the handshake",
				 o->peer);
			out_abort(o);
			out_end(o, 0, EPROTO, NULL, why);
			return;
		}
		out_end(o, 0, 0, &res, NULL);
		escertke_result_wipe(&res);
		return;
	}
	o->message = 4;
	rc = out ? out_send(o, out) : -EPROTO;
	free(out);
	if (rc) {
		snprintf(why, sizeof(why), "ESCertKE with %s: message 3: %s",
			 o->peer, strerror(-rc));
		out_abort(o);
		out_end(o, 0, -rc, NULL, why);
	}
}

int escertke_flow_initiate(struct esprimd *d, const struct esprimd_peer *p,
			   escertke_flow_done done, void *userdata,
			   char *why, size_t why_size)
{
	struct cke_out *o;
	char *m1 = NULL, msg[256] = "";
	int rc;

	if (!d->cke) {
		snprintf(why, why_size, "ESCertKE is not configured ([escertke])");
		return -ENOKEY;
	}
	if (!p->address) {
		snprintf(why, why_size,
			 "ESCertKE with %s: the peer has no address to send message 1 to",
			 p->name);
		return -EDESTADDRREQ;
	}
	o = calloc(1, sizeof(*o));
	if (!o || !(o->address = strdup(p->address))) {
		free(o);
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	o->d = d;
	snprintf(o->peer, sizeof(o->peer), "%s", p->identity);
	o->message = 2;
	o->done = done;
	o->userdata = userdata;
	rc = escertke_initiate(d->cke->e, p->identity, &m1, msg, sizeof(msg));
	if (!rc)
		rc = m1 ? out_send(o, m1) : -EPROTO;
	free(m1);
	if (rc) {
		snprintf(why, why_size, "ESCertKE with %s: message 1: %s",
			 p->name, msg[0] ? msg : strerror(-rc));
		out_abort(o);
		free(o->address);
		free(o);
		d->stats.escertke_initiated_failed++;
		return rc;
	}
	d->stats.escertke_initiated++;
	log_info("ESCertKE with %s (%s): message 1 sent to %s", p->name,
		 p->identity, p->address);
	return 0;
}

int escertke_flow_respond(struct esprimd *d, const char *from,
			  const char *eckm, json_t **content,
			  struct escertke_result *res, char *why,
			  size_t why_size)
{
	char *out = NULL, msg[256] = "";
	int rc, rsc;

	*content = NULL;
	memset(res, 0, sizeof(*res));
	if (!d->cke) {
		snprintf(why, why_size, "ESCertKE is not configured here");
		return ESPRIM_RSC_UNSUPPORTED_OPTION;
	}
	rc = escertke_respond(d->cke->e, from, eckm, &out, res, msg,
			      sizeof(msg));
	if (rc < 0) {
		/* A TLS alert for the peer is not sent: an error has no content. */
		free(out);
		escertke_result_wipe(res);
		rsc = cke_rsc(rc);
		snprintf(why, why_size, "ESCertKE from %s: %s", from,
			 msg[0] ? msg : strerror(-rc));
		d->stats.escertke_responded_failed++;
		return rsc;
	}
	*content = out ? eckm_content(out) : NULL;
	free(out);
	if (!*content) {
		escertke_result_wipe(res);
		snprintf(why, why_size, "ESCertKE from %s: %s", from,
			 rc == 1 ? "the engine gave no message 4" :
			 "no message 2, or out of memory");
		d->stats.escertke_responded_failed++;
		return 5000;
	}
	if (rc == 1)
		d->stats.escertke_responded_done++;
	else
		d->stats.escertke_responded++;
	return 2000;
}
