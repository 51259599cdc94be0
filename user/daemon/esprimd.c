// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd: oneM2M ESPrim for a gateway's CSEs, with the keys in the kernel.
 *
 *   esprimd [--config FILE] [--foreground] [--debug] [--check-config]
 *
 * One thread on an sd-event loop (libsystemd): it is what systemd's own
 * daemons use, it integrates signals, timers, the watchdog and sd_notify,
 * and libmicrohttpd and libcurl plug into it through their file
 * descriptors.  esprimd(8) documents the daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "api.h"
#include "escertke_flow.h"
#include "exchange.h"
#include "http.h"
#include "kernel.h"
#include "keys.h"
#include "log.h"
#include "ops.h"
#include "publish.h"
#include "sidecar.h"

static const char usage[] =
	"Usage: esprimd [--config FILE] [--foreground] [--debug]\n"
	"       esprimd --check-config [--config FILE]\n\n"
	"  -c, --config FILE   the configuration (default "
	ESPRIMD_CONFIG_PATH ";\n"
	"                      conf.d/*.conf beside it is read after it)\n"
	"  -f, --foreground    log to stderr rather than the journal\n"
	"  -d, --debug         log debugging messages too\n"
	"  --check-config      read the configuration, report, exit\n"
	"  -h, --help          this text\n"
	"  -V, --version       the version\n\n"
	"Exit status: 0 stopped, 1 failed, 2 usage error, 6 bad configuration.\n"
	"esprimd(8), esprimd.conf(5).\n";

static bool str_differ(const char *a, const char *b)
{
	return !a != !b || (a && strcmp(a, b));
}

/*
 * [escertke]: the engine loaded its files at start (a new certificate
 * needs a restart too).
 */
static bool escertke_differ(const struct esprimd_escertke *a,
			    const struct esprimd_escertke *b)
{
	if (!a || !b)
		return a != b;
	return str_differ(a->cert_file, b->cert_file) ||
		str_differ(a->key_file, b->key_file) ||
		str_differ(a->trust_file, b->trust_file) ||
		a->key_lifetime_s != b->key_lifetime_s ||
		a->timeout_ms != b->timeout_ms ||
		a->max_per_peer != b->max_per_peer ||
		a->max_total != b->max_total;
}

/* The parts of a configuration a reload cannot change. */
static const char *reload_fixed(const struct esprimd_config *a,
				const struct esprimd_config *b)
{
	size_t i;

	if (escertke_differ(a->escertke, b->escertke))
		return "[escertke]";
	if (strcmp(a->identity, b->identity))
		return "identity";
	if (a->backend != b->backend)
		return "backend";
	if (strcmp(a->socket_path, b->socket_path))
		return "socket";
	if (a->max_sessions != b->max_sessions)
		return "max_sessions";
	if (a->request_timeout_ms != b->request_timeout_ms)
		return "request_timeout";
	if (a->n_listen != b->n_listen)
		return "listen";
	for (i = 0; i < a->n_listen; i++)
		if (strcmp(a->listen[i], b->listen[i]))
			return "listen";
	if (!a->sidecar_cse != !b->sidecar_cse ||
	    (a->sidecar_cse && strcmp(a->sidecar_cse, b->sidecar_cse)))
		return "[sidecar] cse";
	if (a->n_outbound != b->n_outbound)
		return "[sidecar] outbound";
	for (i = 0; i < a->n_outbound; i++)
		if (strcmp(a->outbound[i], b->outbound[i]))
			return "[sidecar] outbound";
	return NULL;
}

int esprimd_reload(struct esprimd *d, json_t **failed, char *err,
		   size_t err_size)
{
	struct esprimd_config *c, *old = d->config;
	const char *fixed;
	json_t *bad;

	sd_notify(0, "RELOADING=1\nSTATUS=Reloading the configuration");
	if (esprimd_config_load(d->config_path, &c, err, err_size))
		goto refused;
	fixed = reload_fixed(old, c);
	if (fixed) {
		snprintf(err, err_size,
			 "%s changed: it takes effect when esprimd restarts",
			 fixed);
		esprimd_config_free(c);
		goto refused;
	}
	d->config = c;
	esprimd_api_set_admin_gid(d->api, c->admin_gid);
	bad = exchange_reconfigure(d);
	if (failed)
		*failed = bad;
	else
		json_decref(bad);
	if (d->kernel && kernel_configure(d))
		log_warn("the module's session limits were left as they were");
	esprimd_config_free(old);
	d->stats.reloads++;
	log_info("configuration reloaded: %zu peers, %zu CSEs", c->n_peers,
		 c->n_cses);
	sd_notify(0, "READY=1\nSTATUS=Running");
	return 0;
refused:
	d->stats.reload_failures++;
	log_err("reload refused, the running configuration stays: %s", err);
	sd_notify(0, "READY=1\nSTATUS=Running (the last reload was refused)");
	return -1;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si,
		     void *userdata)
{
	char err[512];

	esprimd_reload(userdata, NULL, err, sizeof(err));
	return 0;
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si,
		   void *userdata)
{
	struct esprimd *d = userdata;

	sd_notify(0, "STOPPING=1");
	log_info("stopping (signal %u)", si->ssi_signo);
	sd_event_exit(d->event, 0);
	return 0;
}

/* kernel with the module loaded, else soft: and why, for status. */
static int choose_backend(struct esprimd *d, char *err, size_t err_size)
{
	bool module = access("/sys/module/onem2m_esprim", F_OK) == 0;

	switch (d->config->backend) {
	case ESPRIMD_BACKEND_KERNEL:
		if (!module) {
			snprintf(err, err_size,
				 "backend = kernel, but the onem2m_esprim module is not loaded");
			return -ENOENT;
		}
		d->backend = ESPRIM_BACKEND_KERNEL;
		snprintf(d->backend_why, sizeof(d->backend_why),
			 "configured");
		break;
	case ESPRIMD_BACKEND_SOFT:
		d->backend = ESPRIM_BACKEND_SOFT;
		snprintf(d->backend_why, sizeof(d->backend_why),
			 "configured");
		break;
	default:
		d->backend = module ? ESPRIM_BACKEND_KERNEL :
			ESPRIM_BACKEND_SOFT;
		snprintf(d->backend_why, sizeof(d->backend_why), "%s",
			 module ? "the module is loaded" :
			 "the onem2m_esprim module is not loaded");
	}
	if (d->backend == ESPRIM_BACKEND_SOFT)
		return keys_protect_memory(err, err_size);
	return 0;
}

/*
 * On the kernel backend each session holds AF_ALG sockets: the soft limit
 * of open files (1024) would cap sessions at some 250, so it goes up to
 * the hard one (the unit's LimitNOFILE).
 */
static void raise_nofile(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

static int setup(struct esprimd *d, char *err, size_t err_size)
{
	struct esprim_ctx_config cc = ESPRIM_CTX_CONFIG_INIT;
	struct esprim_error e;
	sigset_t mask;
	int rc;

	rc = choose_backend(d, err, err_size);
	if (rc)
		return rc;
	raise_nofile();
	cc.backend = d->backend;
	/* One pairwise key per peer: the daemon's cap is the only one. */
	cc.max_sessions = d->config->max_sessions;
	cc.max_sessions_per_key = d->config->max_sessions;
	/*
	 * A peer's receiver objects (one per set-up with per_request) and
	 * originator objects (one per session it sets up) are learnt: as many
	 * as there may be sessions, not libesprim's 64.
	 */
	cc.max_learnt_rands = d->config->max_sessions;
	if (d->backend == ESPRIM_BACKEND_KERNEL) {
		cc.keyring = keys_keyring(d->config->identity);
		if (cc.keyring < 0) {
			snprintf(err, err_size, "the keyring esprimd:%s: %s",
				 d->config->identity, strerror(-cc.keyring));
			return cc.keyring;
		}
	}
	rc = esprim_ctx_new(&d->ctx, &cc, &e);
	if (rc) {
		snprintf(err, err_size, "libesprim: %s", e.msg);
		return rc;
	}
	rc = sd_event_default(&d->event);
	if (rc < 0) {
		snprintf(err, err_size, "sd_event: %s", strerror(-rc));
		return rc;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sd_event_add_signal(d->event, NULL, SIGTERM, on_stop, d);
	sd_event_add_signal(d->event, NULL, SIGINT, on_stop, d);
	sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d);
	/* WATCHDOG=1 at half of WATCHDOG_USEC, when systemd asks for it. */
	sd_event_set_watchdog(d->event, true);

	rc = esprimd_http_new(&d->http, d->event, d->config->listen,
			      d->config->n_listen, exchange_http, d,
			      d->config->request_timeout_ms, err, err_size);
	if (rc)
		return rc;
	rc = escertke_flow_new(d, err, err_size);
	if (rc)
		return rc;
	rc = exchange_new(d, err, err_size);
	if (!rc)
		rc = sidecar_start(d, err, err_size);
	if (rc)
		return rc;
	if (d->backend == ESPRIM_BACKEND_KERNEL) {
		rc = kernel_open(d, err, err_size);
		if (rc)
			return rc;
	}
	return esprimd_api_new(&d->api, d->event, d->config->socket_path,
			       d->config->admin_gid, esprimd_ops, d, err,
			       err_size);
}

static void teardown(struct esprimd *d)
{
	publish_stop(d);
	sidecar_stop(d);
	kernel_close(d);
	exchange_free(d);
	esprimd_http_free(d->http);
	/* After the HTTP client: its handshakes in flight are cancelled. */
	escertke_flow_free(d);
	esprimd_api_free(d->api);
	esprim_ctx_free(d->ctx);
	sd_event_unref(d->event);
	esprimd_config_free(d->config);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct esprimd d = { .config_path = ESPRIMD_CONFIG_PATH };
	bool foreground = false, debug = false, check = false;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:fdhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'C':
			check = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("esprimd %s (libesprim %s)\n", ESPRIMD_VERSION,
			       esprim_version());
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "esprimd: unexpected argument '%s'\n%s",
			argv[optind], usage);
		return 2;
	}
	/* Configuration errors go to stderr too: systemd shows them. */
	if (esprimd_config_load(d.config_path, &d.config, err, sizeof(err))) {
		fprintf(stderr, "esprimd: %s\n", err);
		return ESPRIMD_EXIT_CONFIG;
	}
	if (check) {
		printf("%s: %zu peers, %zu CSEs\n", d.config_path,
		       d.config->n_peers, d.config->n_cses);
		esprimd_config_free(d.config);
		return 0;
	}
	log_init(foreground || !getenv("JOURNAL_STREAM"), debug);
	d.started_ms = esprim_now_ms();
	rc = setup(&d, err, sizeof(err));
	if (rc) {
		log_err("cannot start: %s", err);
		sd_notifyf(0, "STATUS=Failed: %s", err);
		teardown(&d);
		return 1;
	}
	log_info("esprimd %s for %s: backend %s (%s), %zu peers, socket %s",
		 ESPRIMD_VERSION, d.config->identity,
		 d.backend == ESPRIM_BACKEND_KERNEL ? "kernel" : "soft",
		 d.backend_why, d.config->n_peers, d.config->socket_path);
	sd_notifyf(0, "READY=1\nSTATUS=Running, backend %s",
		   d.backend == ESPRIM_BACKEND_KERNEL ? "kernel" : "soft");
	rc = sd_event_loop(d.event);
	teardown(&d);
	return rc < 0 ? 1 : 0;
}
