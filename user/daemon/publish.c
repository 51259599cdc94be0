// SPDX-License-Identifier: GPL-2.0
/*
 * The esi Update of publish.h, sent as the oneM2M HTTP binding carries it:
 * PUT of {"m2m:csr":{"esi":...}} to the <remoteCSE>, answered 2004.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "exchange.h"
#include "http.h"
#include "log.h"
#include "publish.h"

/* One Update in flight at a time; a newer object waits for its end. */
struct publish {
	sd_event_source *retry;
	bool in_flight;
	bool again;
	uint64_t seq;
};

#define PUBLISH_RETRY_S	60

static int retry_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void retry_later(struct esprimd *d)
{
	struct publish *p = d->publish;

	p->retry = sd_event_source_unref(p->retry);
	sd_event_add_time_relative(d->event, &p->retry, CLOCK_MONOTONIC,
				   PUBLISH_RETRY_S * 1000000ULL, 1000000ULL,
				   retry_timer, d);
}

static void update_done(int err, const struct binding_http *rsp, void *ud)
{
	struct esprimd *d = ud;
	struct publish *p = d->publish;
	const char *rsc = NULL;
	size_t i;

	/* Cancelled: the daemon is stopping (publish_stop() may be done). */
	if (err == -ECANCELED || !p)
		return;
	p->in_flight = false;
	for (i = 0; !err && i < rsp->n_headers; i++)
		if (!strcasecmp(rsp->headers[i].name, "X-M2M-RSC"))
			rsc = rsp->headers[i].value;
	if (!err && rsc && (!strcmp(rsc, "2004") || !strcmp(rsc, "2000"))) {
		d->stats.esi_published++;
		log_info("esi published at %s", d->config->publish);
	} else {
		d->stats.esi_publish_failures++;
		log_warn("publishing esi at %s: %s %s; again in %d s",
			 d->config->publish, err ? strerror(-err) : "RSC",
			 err ? "" : rsc ? rsc : "missing", PUBLISH_RETRY_S);
		retry_later(d);
	}
	if (p->again) {
		p->again = false;
		publish_esi(d);
	}
}

void publish_esi(struct esprimd *d)
{
	const char *url = d->config->publish;
	struct publish *p = d->publish;
	struct binding_header h[5];
	struct binding_out out = { 0 };
	char ri[48], *base = NULL, *path = NULL, *body = NULL;
	json_t *j;
	int rc;

	if (!url)
		return;
	if (!p) {
		p = d->publish = calloc(1, sizeof(*p));
		if (!p)
			return;
	}
	if (p->in_flight) {
		p->again = true;
		return;
	}
	p->retry = sd_event_source_unref(p->retry);
	j = json_pack("{s:{s:o}}", "m2m:csr", "esi", exchange_esi(d));
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	rc = body ? esprimd_http_split_url(url, &base, &path) : -ENOMEM;
	snprintf(ri, sizeof(ri), "esi-%" PRIu64, ++p->seq);
	h[0] = (struct binding_header){ "X-M2M-Origin", d->config->identity };
	h[1] = (struct binding_header){ "X-M2M-RI", ri };
	h[2] = (struct binding_header){ "X-M2M-RVI", ESPRIMD_HTTP_RVI };
	h[3] = (struct binding_header){ "Content-Type", "application/json" };
	h[4] = (struct binding_header){ "Accept", "application/json" };
	out.method = (char *)"PUT";
	out.path = path;
	out.headers = h;
	out.n_headers = 5;
	out.body = body;
	out.body_len = body ? strlen(body) : 0;
	if (!rc)
		rc = esprimd_http_send_raw(d->http, base, &out, update_done, d);
	if (rc) {
		log_warn("publishing esi at %s: %s", url, strerror(-rc));
		d->stats.esi_publish_failures++;
		retry_later(d);
	} else {
		p->in_flight = true;
	}
	free(body);
	free(base);
	free(path);
}

static int retry_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	publish_esi(userdata);
	return 0;
}

void publish_stop(struct esprimd *d)
{
	struct publish *p = d->publish;

	if (!p)
		return;
	sd_event_source_unref(p->retry);
	free(p);
	d->publish = NULL;
}
