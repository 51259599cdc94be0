/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esprimd: what the daemon's parts share.  One thread, one sd-event loop;
 * libesprim's context holds the keys (in the kernel, or in this process's
 * locked memory on the soft backend), the rand objects and the sessions.
 */
#ifndef ESPRIMD_H
#define ESPRIMD_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <systemd/sd-event.h>

#include "esprim.h"
#include "config.h"

#define ESPRIMD_VERSION	"1.0.0"

struct esprimd_api;
struct esprimd_http;
struct esprimd_exchange;
struct esprimd_kernel;
struct escertke_flow;

/**
 * struct esprimd_stats - the daemon's counters (the "stats" operation)
 */
struct esprimd_stats {
	uint64_t seals;
	uint64_t seal_failures;
	uint64_t opens;
	uint64_t open_failures;
	uint64_t requests_in;
	uint64_t requests_refused;
	uint64_t responses_sealed;
	uint64_t retries_answered;
	uint64_t rand_requests_in;
	uint64_t rand_requests_out;
	uint64_t esi_served;
	uint64_t esi_retrieved;
	uint64_t esi_published;
	uint64_t esi_publish_failures;
	uint64_t establish_failures;
	uint64_t sessions_established;
	uint64_t sessions_resumed;
	uint64_t rekeys;
	uint64_t upcalls;
	uint64_t kernel_refusals;
	uint64_t reloads;
	uint64_t reload_failures;
	/* ESCertKE (escertke_flow.c): per role, handshakes begun and ended */
	uint64_t escertke_initiated;
	uint64_t escertke_initiated_done;
	uint64_t escertke_initiated_failed;
	uint64_t escertke_responded;
	uint64_t escertke_responded_done;
	uint64_t escertke_responded_failed;
	uint64_t escertke_expired;
	uint64_t escertke_keys;		/* keys installed */
};

struct esprimd {
	sd_event *event;
	const char *config_path;
	struct esprimd_config *config;
	enum esprim_backend_kind backend;
	char backend_why[128];
	struct esprim_ctx *ctx;
	struct esprimd_api *api;
	struct esprimd_http *http;
	struct esprimd_exchange *ex;
	struct esprimd_kernel *kernel;	/* kernel backend: upcalls, events */
	struct sidecar *sidecar;	/* [sidecar]: in front of a CSE */
	struct publish *publish;	/* [rand] publish: esi at the registrar */
	struct escertke_flow *cke;	/* [escertke]: certificate-based keys */
	int64_t started_ms;
	struct esprimd_stats stats;
};

/*
 * esprimd.c: a new configuration, as SIGHUP and the reload operation ask.
 * On success, *failed (when not NULL) is the JSON array of the peers whose
 * key did not load (logged too).
 */
int esprimd_reload(struct esprimd *d, json_t **failed, char *err,
		   size_t err_size);

#endif /* ESPRIMD_H */
