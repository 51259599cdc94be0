// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP binding's object: its server (http_server.c) and its client
 * (http_client.c) on the daemon's loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "http_internal.h"

int esprimd_http_new(struct esprimd_http **httpp, sd_event *event,
		     char *const *listen, size_t n_listen,
		     esprimd_http_handler handler, void *userdata,
		     unsigned int timeout_ms, char *err, size_t err_size)
{
	struct esprimd_http *http;
	int r;

	*httpp = NULL;
	if (!event || (n_listen && (!listen || !handler))) {
		snprintf(err, err_size, "http: bad arguments");
		return -EINVAL;
	}
	http = calloc(1, sizeof(*http));
	if (!http) {
		snprintf(err, err_size, "http: out of memory");
		return -ENOMEM;
	}
	http->event = sd_event_ref(event);
	http->handler = handler;
	http->userdata = userdata;
	http->timeout_ms = timeout_ms ? timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
	r = http_client_start(http, err, err_size);
	if (!r)
		r = http_server_start(http, listen, n_listen, err, err_size);
	if (r) {
		esprimd_http_free(http);
		return r;
	}
	*httpp = http;
	return 0;
}

void esprimd_http_free(struct esprimd_http *http)
{
	if (!http || http->closing)
		return;
	http->closing = true;
	/* The client's callbacks may still answer requests of the server. */
	http_client_stop(http);
	http_server_stop(http);
	sd_event_unref(http->event);
	free(http);
}

void esprimd_http_set_raw(struct esprimd_http *http,
			  esprimd_http_raw_handler handler, void *userdata)
{
	http->raw_handler = handler;
	http->raw_userdata = userdata;
}

int esprimd_http_split_url(const char *url, char **base, char **path)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL;
	CURLU *u = curl_url();
	int rc = -EINVAL;

	*base = *path = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		rc = asprintf(base, "%s://%s%s%s", scheme, host,
			      port ? ":" : "", port ? port : "") < 0 ?
			-ENOMEM : 0;
		*path = rc ? NULL : strdup(p);
		if (!rc && !*path) {
			free(*base);
			*base = NULL;
			rc = -ENOMEM;
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

int http_timeout_arm(struct esprimd_http *http, sd_event_source *timer,
		     sd_event_source *kick, long long ms)
{
	uint64_t now, slack;
	int r;

	if (ms == 0) {
		r = sd_event_source_set_enabled(timer, SD_EVENT_OFF);
		return r < 0 ? r :
		       sd_event_source_set_enabled(kick, SD_EVENT_ONESHOT);
	}
	r = sd_event_source_set_enabled(kick, SD_EVENT_OFF);
	if (r < 0 || ms < 0)
		return r < 0 ? r :
		       sd_event_source_set_enabled(timer, SD_EVENT_OFF);
	if (ms > 86400000)
		ms = 86400000;
	slack = (uint64_t)ms * 1000 / 16;
	if (slack > 250000)
		slack = 250000;
	r = sd_event_now(http->event, CLOCK_MONOTONIC, &now);
	if (r >= 0)
		r = sd_event_source_set_time_accuracy(timer, slack ? slack : 1);
	if (r >= 0)
		r = sd_event_source_set_time(timer, now + (uint64_t)ms * 1000);
	if (r >= 0)
		r = sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
	return r;
}
