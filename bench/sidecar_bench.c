// SPDX-License-Identifier: GPL-2.0
/*
 * sidecar_bench: a load generator for the oneM2M HTTP binding (TS-0009),
 * an AE sending plain requests over keep-alive connections: to a CSE
 * directly, or to esprimd's sidecar outbound address (pass-through or
 * sealed across two gateways).  scripts/bench-sidecar.sh runs it.
 *
 *   sidecar_bench --url http://HOST:PORT/PREFIX [--connections N]
 *                 [--requests N] [--warmup N] [--op create|retrieve]
 *                 [--origin ID] [--container RN] [--con-bytes N]
 *
 * Each request is a Retrieve of PREFIX/RN/la (GET) or a Create of a
 * contentInstance in PREFIX/RN (POST, ty=4), with X-M2M-Origin, a unique
 * X-M2M-RI and X-M2M-RVI; the container must exist (and, for retrieve,
 * hold a contentInstance).  --connections requests are in flight at any
 * time, one per connection, through libcurl's multi interface; the
 * --warmup requests before the measured ones (connections, a sidecar's
 * session set-up) are not counted.  A response whose X-M2M-RSC is not
 * 2000 or 2001, and a failed transfer, is an error.
 *
 * Prints requests/s, the latency percentiles p50 and p99 in microseconds,
 * the errors, and the wall-clock ns per exchange (elapsed / requests);
 * under vm/run.sh --icount guest time advances 1 ns per guest
 * instruction, so that figure is guest instructions per exchange, all
 * processes and the kernel counted.  The last line, "result: ...", is for
 * scripts.  Exit status 1 when any request failed.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <curl/curl.h>

#define PROG		"sidecar_bench"
#define MAX_CONNECTIONS	1024
#define MAX_REQUESTS	100000000L
#define MAX_CON_BYTES	65536
#define TIMEOUT_MS	10000L
#define HDR_MAX		320

enum op { OP_CREATE, OP_RETRIEVE };

/**
 * struct opts - the command line
 * @url: the target prefix, without a final '/'
 * @origin: X-M2M-Origin
 * @container: the container's name under @url
 * @connections: requests in flight, one per connection
 * @requests: measured requests
 * @warmup: requests before them, not measured
 * @con_bytes: characters of a created contentInstance's con
 * @op: Create or Retrieve
 */
struct opts {
	const char *url, *origin, *container;
	long connections, requests, warmup, con_bytes;
	enum op op;
};

/**
 * struct slot - one connection's request in flight
 * @easy: its handle, kept across requests (and so its connection)
 * @headers: the request's header list
 * @start: when it was added to the multi handle, ns
 * @rsc: the response's X-M2M-RSC, 0 before it came
 * @index: which request it is (for X-M2M-RI)
 */
struct slot {
	CURL *easy;
	struct curl_slist *headers;
	uint64_t start;
	int rsc;
	long index;
};

/**
 * struct run - the state of the generator
 * @o: the options
 * @multi: the multi handle
 * @slots: @o->connections of them
 * @target: the URL every request goes to
 * @body: a Create's body
 * @tag: makes request identifiers unique across runs
 * @next: requests started so far in this phase
 * @done: requests finished so far in this phase
 * @total: requests of this phase
 * @lat: latencies of the measured phase, ns (NULL in the warm-up)
 * @errors: failed requests of this phase
 * @err_shown: errors described on stderr so far
 */
struct run {
	const struct opts *o;
	CURLM *multi;
	struct slot *slots;
	char *target;
	char *body;
	char tag[32];
	long next, done, total;
	uint64_t *lat;
	long errors;
	int err_shown;
};

static void fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s --url http://HOST:PORT/PREFIX [--connections N]\n"
		"       [--requests N] [--warmup N] [--op create|retrieve]\n"
		"       [--origin ID] [--container RN] [--con-bytes N]\n"
		"Retrieves PREFIX/RN/la or creates contentInstances in PREFIX/RN\n"
		"(RN: --container, default \"data\") over keep-alive connections\n"
		"and prints requests/s, p50 and p99 latency (us) and errors.\n",
		PROG);
}

static long number(const char *name, const char *v, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max) {
		fprintf(stderr, "%s: --%s: a number from %ld to %ld\n", PROG,
			name, min, max);
		exit(2);
	}
	return n;
}

/* A header value must not carry a line break or a control character. */
static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A name in a path: no '/', '?', '#', '%', blanks or controls. */
static bool name_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '/' ||
		    *s == '?' || *s == '#' || *s == '%')
			return false;
	return true;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "connections", required_argument, NULL, 'c' },
		{ "requests", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "op", required_argument, NULL, 'o' },
		{ "origin", required_argument, NULL, 'O' },
		{ "container", required_argument, NULL, 'C' },
		{ "con-bytes", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long warmup = -1;
	int c;

	*o = (struct opts){ .origin = "Cbench", .container = "data",
			    .connections = 1, .requests = 10000,
			    .con_bytes = 16, .op = OP_CREATE };
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->url = optarg;
			break;
		case 'c':
			o->connections = number("connections", optarg, 1,
						MAX_CONNECTIONS);
			break;
		case 'n':
			o->requests = number("requests", optarg, 1,
					     MAX_REQUESTS);
			break;
		case 'w':
			warmup = number("warmup", optarg, 0, MAX_REQUESTS);
			break;
		case 'o':
			if (!strcmp(optarg, "create"))
				o->op = OP_CREATE;
			else if (!strcmp(optarg, "retrieve"))
				o->op = OP_RETRIEVE;
			else
				fail("--op: create or retrieve");
			break;
		case 'O':
			o->origin = optarg;
			break;
		case 'C':
			o->container = optarg;
			break;
		case 'b':
			o->con_bytes = number("con-bytes", optarg, 0,
					      MAX_CON_BYTES);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || !o->url) {
		usage(stderr);
		exit(2);
	}
	if (strncmp(o->url, "http://", 7) || !header_safe(o->url) ||
	    strchr(o->url, ' ') || strchr(o->url, '?') || strchr(o->url, '#'))
		fail("--url: http://HOST:PORT/PREFIX, without query or fragment");
	if (o->url[strlen(o->url) - 1] == '/')
		fail("--url: without a final '/'");
	if (!*o->origin || strlen(o->origin) > 200 || !header_safe(o->origin))
		fail("--origin: 1 to 200 characters, no control characters");
	if (strlen(o->container) > 128 || !name_safe(o->container))
		fail("--container: a resource name");
	/* Default: every connection made and used a few times. */
	o->warmup = warmup >= 0 ? warmup : 4 * o->connections + 100;
}

/* Takes X-M2M-RSC from the response's header lines. */
static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
	static const char name[] = "X-M2M-RSC:";
	struct slot *s = ud;
	size_t len = size * n, i = sizeof(name) - 1;
	int rsc = 0;

	if (len <= i || strncasecmp(line, name, i))
		return len;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && line[i] >= '0' && line[i] <= '9' && rsc < 100000)
		rsc = rsc * 10 + (line[i++] - '0');
	s->rsc = rsc;
	return len;
}

/* The body is not looked at: the RSC says how it went. */
static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	return size * n;
}

static void prepare_handles(struct run *r)
{
	const struct opts *o = r->o;
	struct slot *s;
	long i;

	for (i = 0; i < o->connections; i++) {
		s = &r->slots[i];
		s->easy = curl_easy_init();
		if (!s->easy)
			fail("curl_easy_init failed");
		curl_easy_setopt(s->easy, CURLOPT_URL, r->target);
		curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
		curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
		curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
		curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http");
		/* No proxy: spares the environment look-ups per transfer. */
		curl_easy_setopt(s->easy, CURLOPT_PROXY, "");
		curl_easy_setopt(s->easy, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
		if (o->op == OP_CREATE) {
			curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, r->body);
			curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE,
					 (long)strlen(r->body));
		} else {
			curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
		}
	}
}

static struct curl_slist *add_header(struct curl_slist *l, const char *h)
{
	struct curl_slist *n = curl_slist_append(l, h);

	if (!n)
		fail("out of memory");
	return n;
}

/* Starts request r->next on slot s. */
static void start(struct run *r, struct slot *s)
{
	const struct opts *o = r->o;
	struct curl_slist *h = NULL;
	char line[HDR_MAX];

	curl_slist_free_all(s->headers);
	snprintf(line, sizeof(line), "X-M2M-Origin: %s", o->origin);
	h = add_header(h, line);
	snprintf(line, sizeof(line), "X-M2M-RI: %s-%ld", r->tag, r->next);
	h = add_header(h, line);
	h = add_header(h, "X-M2M-RVI: 4");
	h = add_header(h, "Accept: application/json");
	if (o->op == OP_CREATE) {
		h = add_header(h, "Content-Type: application/json;ty=4");
		h = add_header(h, "Expect:");
	}
	s->headers = h;
	s->index = r->next++;
	s->rsc = 0;
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, h);
	s->start = now_ns();
	if (curl_multi_add_handle(r->multi, s->easy) != CURLM_OK)
		fail("curl_multi_add_handle failed");
}

/* The first few failures described on stderr, the rest counted. */
static void report_error(struct run *r, const struct slot *s, CURLcode res)
{
	if (r->err_shown++ >= 5)
		return;
	if (res != CURLE_OK)
		fprintf(stderr, "%s: request %ld: %s\n", PROG, s->index,
			curl_easy_strerror(res));
	else
		fprintf(stderr, "%s: request %ld: X-M2M-RSC %d\n", PROG,
			s->index, s->rsc);
}

/* A finished transfer: its latency and status; the slot goes again. */
static void finish(struct run *r, CURLMsg *m)
{
	struct slot *s;
	uint64_t t = now_ns();
	bool bad;

	curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
	curl_multi_remove_handle(r->multi, m->easy_handle);
	bad = m->data.result != CURLE_OK || (s->rsc != 2000 && s->rsc != 2001);
	if (bad) {
		r->errors++;
		report_error(r, s, m->data.result);
	}
	if (r->lat)
		r->lat[r->done] = t - s->start;
	r->done++;
	if (r->next < r->total)
		start(r, s);
}

/* Runs total requests, connections of them in flight at a time. */
static void phase(struct run *r, long total, uint64_t *lat)
{
	long i, first;
	int running, left;
	CURLMsg *m;
	CURLMcode mc;
	bool started;

	r->next = r->done = r->errors = 0;
	r->total = total;
	r->lat = lat;
	first = total < r->o->connections ? total : r->o->connections;
	for (i = 0; i < first; i++)
		start(r, &r->slots[i]);
	while (r->done < total) {
		mc = curl_multi_perform(r->multi, &running);
		if (mc != CURLM_OK)
			fail("curl_multi_perform: %s", curl_multi_strerror(mc));
		started = false;
		while ((m = curl_multi_info_read(r->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			finish(r, m);
			started = true;
		}
		/* New transfers go out at once, not after a poll. */
		if (started || r->done >= total)
			continue;
		mc = curl_multi_poll(r->multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK)
			fail("curl_multi_poll: %s", curl_multi_strerror(mc));
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of n sorted values, in us. */
static double percentile_us(const uint64_t *v, long n, double p)
{
	long rank = (long)((p / 100.0) * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1000.0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void build_request(struct run *r)
{
	const struct opts *o = r->o;
	size_t n = strlen(o->url) + strlen(o->container) + 8;
	long i;

	r->target = malloc(n);
	r->body = malloc((size_t)o->con_bytes + 64);
	if (!r->target || !r->body)
		fail("out of memory");
	snprintf(r->target, n, "%s/%s%s", o->url, o->container,
		 o->op == OP_RETRIEVE ? "/la" : "");
	strcpy(r->body, "{\"m2m:cin\":{\"con\":\"");
	n = strlen(r->body);
	for (i = 0; i < o->con_bytes; i++)
		r->body[n++] = (char)('a' + i % 26);
	strcpy(r->body + n, "\"}}");
	snprintf(r->tag, sizeof(r->tag), "sb%ld-%lx", (long)getpid(),
		 (unsigned long)time(NULL));
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r = { .o = &o };
	uint64_t t0, t1, *lat;
	double secs, cpu0, cpu1, rps;
	long i;

	parse_opts(argc, argv, &o);
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		fail("curl_global_init failed");
	build_request(&r);
	r.multi = curl_multi_init();
	r.slots = calloc((size_t)o.connections, sizeof(*r.slots));
	lat = calloc((size_t)o.requests, sizeof(*lat));
	if (!r.multi || !r.slots || !lat)
		fail("out of memory");
	/* One connection per slot, all kept open between requests. */
	curl_multi_setopt(r.multi, CURLMOPT_MAXCONNECTS, o.connections);
	curl_multi_setopt(r.multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  o.connections);
	curl_multi_setopt(r.multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
	prepare_handles(&r);

	printf("# %s: %s %s, %ld connections (keep-alive), %ld requests after %ld warm-up\n",
	       PROG, o.op == OP_CREATE ? "POST (create ty=4)" : "GET",
	       r.target, o.connections, o.requests, o.warmup);
	fflush(stdout);
	if (o.warmup) {
		phase(&r, o.warmup, NULL);
		if (r.errors)
			fail("%ld of %ld warm-up requests failed", r.errors,
			     o.warmup);
	}
	cpu0 = cpu_seconds();
	t0 = now_ns();
	phase(&r, o.requests, lat);
	t1 = now_ns();
	cpu1 = cpu_seconds();

	secs = (double)(t1 - t0) / 1e9;
	rps = (double)o.requests / secs;
	qsort(lat, (size_t)o.requests, sizeof(*lat), cmp_u64);
	printf("%ld requests in %.3f s: %.0f requests/s, p50 %.1f us, p99 %.1f us, max %.1f us, errors %ld\n",
	       o.requests, secs, rps, percentile_us(lat, o.requests, 50),
	       percentile_us(lat, o.requests, 99),
	       (double)lat[o.requests - 1] / 1000.0, r.errors);
	printf("%.0f ns per exchange (elapsed / requests; under vm/run.sh --icount, 1 ns = 1 guest instruction: instructions per exchange, every process and the kernel)\n",
	       (double)(t1 - t0) / (double)o.requests);
	printf("load generator CPU: %.2f us per request (%.0f%% of one core)\n",
	       (cpu1 - cpu0) * 1e6 / (double)o.requests,
	       100.0 * (cpu1 - cpu0) / secs);
	printf("result: rps=%.0f p50_us=%.1f p99_us=%.1f errors=%ld ns_per_exchange=%.0f client_us=%.2f\n",
	       rps, percentile_us(lat, o.requests, 50),
	       percentile_us(lat, o.requests, 99), r.errors,
	       (double)(t1 - t0) / (double)o.requests,
	       (cpu1 - cpu0) * 1e6 / (double)o.requests);

	for (i = 0; i < o.connections; i++) {
		curl_multi_remove_handle(r.multi, r.slots[i].easy);
		curl_easy_cleanup(r.slots[i].easy);
		curl_slist_free_all(r.slots[i].headers);
	}
	curl_multi_cleanup(r.multi);
	curl_global_cleanup();
	free(r.slots);
	free(r.target);
	free(r.body);
	free(lat);
	return r.errors ? 1 : 0;
}
