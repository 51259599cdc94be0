// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd measured through its socket API (Documentation/esprimd-socket.md)
 * with two running daemons, gw1 and gw2, peers of each other:
 *
 *   a) request/response exchanges per second: seal on gw1, notify and
 *      respond on gw2, open on gw1 (four socket calls, each waited for);
 *   b) sessions set up per second: flush on gw1, then a seal, which makes
 *      gw1 ask gw2 for a receiver rand object over HTTP and derive a key;
 *   c) the same exchange through libesprim in this process (bench_pair.c),
 *      one by one and in batches, and the ratio of a) to it;
 *   d) the daemons' resident memory before and after they take on --many
 *      more sessions, and the session counts of their "stats".
 *
 *   esprimd_bench --gw1 SOCK --gw2 SOCK --target ID --from ID
 *                 [--pid1 PID --pid2 PID] [--exchanges N] [--sessions N]
 *                 [--many N] [--backend soft|kernel]
 *
 * scripts/bench-daemon.sh starts the daemons and runs it.  The caller must
 * be an operator of gw1 and gw2 (flush, stats) and a CSE of gw1 allowed to
 * seal as --from.  Prints measured figures, no verdict; any failed call
 * ends the run with its reason.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "bench_pair.h"

#define PROG		"esprimd_bench"
#define PRIM_LEN	200	/* bytes of each primitive's JSON text */
#define DIRECT_BATCH	32
#define OBJ_KID		"13-gw1.example.net"

/**
 * struct opts - the command line
 * @gw1, @gw2: the daemons' sockets
 * @target: the Absolute CSE-ID requests are sealed for (gw2's identity)
 * @from: the inner From of the requests (an identity gw1 seals as)
 * @pid1, @pid2: the daemons' process ids, 0 when not given (no RSS)
 * @exchanges: exchanges of a) and objects' worth of c)
 * @sessions: set-ups of b)
 * @many: sessions d) adds
 * @backend: c)'s libesprim backend
 */
struct opts {
	const char *gw1, *gw2, *target, *from;
	long pid1, pid2;
	long exchanges, sessions, many;
	enum esprim_backend_kind backend;
};

static void fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", PROG, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A failed esprim_client_* call: its RSC or errno and message. */
static void client_fail(const char *what, int rc,
			const struct esprim_error *e)
{
	if (rc < 0)
		fail(what, "%s (%s)", strerror(-rc), e->msg);
	fail(what, "rsc %d %s", rc, e->msg);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s --gw1 SOCK --gw2 SOCK --target ID --from ID\n"
		"\t[--pid1 PID --pid2 PID] [--exchanges N] [--sessions N]\n"
		"\t[--many N] [--backend soft|kernel]\n", PROG);
}

static long number(const char *name, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "%s: --%s: a number from %ld to %ld\n", PROG,
			name, min, max);
		exit(2);
	}
	return v;
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gw1", required_argument, NULL, '1' },
		{ "gw2", required_argument, NULL, '2' },
		{ "target", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "pid1", required_argument, NULL, 'p' },
		{ "pid2", required_argument, NULL, 'q' },
		{ "exchanges", required_argument, NULL, 'n' },
		{ "sessions", required_argument, NULL, 's' },
		{ "many", required_argument, NULL, 'm' },
		{ "backend", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*o = (struct opts){ .exchanges = 2000, .sessions = 200,
			    .many = 10000 };
	o->backend = access("/sys/module/onem2m_esprim", F_OK) ?
		     ESPRIM_BACKEND_SOFT : ESPRIM_BACKEND_KERNEL;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case '1': o->gw1 = optarg; break;
		case '2': o->gw2 = optarg; break;
		case 't': o->target = optarg; break;
		case 'f': o->from = optarg; break;
		case 'p': o->pid1 = number("pid1", optarg, 1, INT_MAX); break;
		case 'q': o->pid2 = number("pid2", optarg, 1, INT_MAX); break;
		case 'n':
			o->exchanges = number("exchanges", optarg, 1, 1000000);
			break;
		case 's':
			o->sessions = number("sessions", optarg, 0, 1000000);
			break;
		case 'm': o->many = number("many", optarg, 0, 1000000); break;
		case 'b':
			if (!strcmp(optarg, "soft"))
				o->backend = ESPRIM_BACKEND_SOFT;
			else if (!strcmp(optarg, "kernel"))
				o->backend = ESPRIM_BACKEND_KERNEL;
			else
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind == argc && o->gw1 && o->gw2 && o->target && o->from &&
	    !o->pid1 == !o->pid2)
		return;
bad:
	usage(stderr);
	exit(2);
}

static struct esprim_client *connect_to(const char *path)
{
	struct esprim_client *c;
	int rc = esprim_client_connect(&c, path);

	if (rc)
		fail(path, "%s", strerror(-rc));
	return c;
}

/* Sends an operator request; its reply object when it says ok. */
static json_t *call_ok(struct esprim_client *c, const char *request)
{
	char *line;
	json_t *reply;
	int rc = esprim_client_call(c, request, 30000, &line);

	if (rc)
		fail(request, "%s", strerror(-rc));
	reply = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_true(json_object_get(reply, "ok")))
		fail(request, "%s", line);
	esprim_free(line);
	return reply;
}

/* A counter of the daemon's "stats" reply. */
static long long stat_of(struct esprim_client *c, const char *name)
{
	json_t *reply = call_ok(c, "{\"op\":\"stats\"}");
	json_t *v = json_object_get(json_object_get(reply, "stats"), name);
	long long n;

	if (!json_is_integer(v))
		fail("stats", "no counter \"%s\"", name);
	n = json_integer_value(v);
	json_decref(reply);
	return n;
}

/* VmRSS of pid in KiB, from /proc/PID/status. */
static long rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		fail(path, "%s", strerror(errno));
	while (kib < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) != 1)
			kib = -1;
	fclose(f);
	if (kib < 0)
		fail(path, "no VmRSS line");
	return kib;
}

/*
 * A JSON text of the object obj with its member path "pc" / "m2m:cin" /
 * "con" padded with c so that the text is PRIM_LEN bytes.
 */
static char *padded(json_t *obj, char c)
{
	json_t *cin = json_object_get(json_object_get(obj, "pc"), "m2m:cin");
	char pad[PRIM_LEN + 1];
	char *text = json_dumps(obj, JSON_COMPACT);
	size_t len = text ? strlen(text) : SIZE_MAX;

	if (!cin || len == SIZE_MAX)
		fail("primitive", "cannot build it (--target, --from UTF-8?)");
	if (len < PRIM_LEN) {
		memset(pad, c, PRIM_LEN - len);
		pad[PRIM_LEN - len] = '\0';
		free(text);
		if (json_object_set_new(cin, "con", json_string(pad)) ||
		    !(text = json_dumps(obj, JSON_COMPACT)))
			fail("primitive", "out of memory");
	}
	json_decref(obj);
	return text;
}

/* Request i: a Create of a contentInstance from --from under the target. */
static char *request_text(const struct opts *o, long i)
{
	char to[1024], rqi[32];

	if ((size_t)snprintf(to, sizeof(to), "%s/base/cnt", o->target) >=
	    sizeof(to))
		fail("--target", "too long");
	snprintf(rqi, sizeof(rqi), "b-%07ld", i);
	return padded(json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:{s:{s:s}}}",
				"op", 1, "to", to, "fr", o->from, "rqi", rqi,
				"rvi", "4", "ty", 4, "pc", "m2m:cin", "con",
				""), 'x');
}

/* Response i: Created, with the contentInstance. */
static char *response_text(long i)
{
	char rqi[32];

	snprintf(rqi, sizeof(rqi), "b-%07ld", i);
	return padded(json_pack("{s:i, s:s, s:s, s:{s:{s:s}}}", "rsc", 2001,
				"rqi", rqi, "rvi", "4", "pc", "m2m:cin",
				"con", ""), 'y');
}

/*
 * A request sealed on gw1, opened on gw2 (notify) and answered there
 * (respond): 0 with the sealed response in *answer, or the failed call's
 * result, its name in *what and the reason in e.
 */
static int request_through(struct esprim_client *c1, struct esprim_client *c2,
			   const char *target, const char *req,
			   const char *rsp, char **answer, const char **what,
			   struct esprim_error *e)
{
	char *content, *prim = NULL, *orig = NULL, *handle = NULL, *reply;
	int rc;

	*answer = NULL;
	*what = "seal on gw1";
	rc = esprim_client_seal(c1, target, req, &content, e);
	if (rc)
		return rc;
	*what = "notify on gw2";
	rc = esprim_client_notify(c2, content, &prim, &orig, &handle, &reply,
				  e);
	if (!rc && !handle) {
		esprim_free(reply);
		rc = -EPROTO;
		snprintf(e->msg, sizeof(e->msg), "no request in the content");
	}
	if (!rc) {
		*what = "respond on gw2";
		rc = esprim_client_respond(c2, handle, rsp, answer, e);
	}
	esprim_free(content);
	esprim_free(prim);
	esprim_free(orig);
	esprim_free(handle);
	return rc;
}

/* One exchange through the two daemons: four socket calls. */
static void exchange(struct esprim_client *c1, struct esprim_client *c2,
		     const char *target, const char *req, const char *rsp)
{
	char *answer, *opened;
	struct esprim_error e;
	const char *what;
	int rc;

	rc = request_through(c1, c2, target, req, rsp, &answer, &what, &e);
	if (rc)
		client_fail(what, rc, &e);
	rc = esprim_client_open(c1, answer, &opened, &e);
	if (rc)
		client_fail("open on gw1", rc, &e);
	esprim_free(answer);
	esprim_free(opened);
}

/* a) exchanges through the socket API; µs per exchange. */
static double bench_exchanges(const struct opts *o, struct esprim_client *c1,
			      struct esprim_client *c2)
{
	char **req = calloc((size_t)o->exchanges, sizeof(*req));
	char **rsp = calloc((size_t)o->exchanges, sizeof(*rsp));
	double secs;
	uint64_t t;
	long i;

	if (!req || !rsp)
		fail("exchanges", "out of memory");
	for (i = 0; i < o->exchanges; i++) {
		req[i] = request_text(o, i);
		rsp[i] = response_text(i);
	}
	/* The session set up beforehand: b) measures set-ups. */
	exchange(c1, c2, o->target, req[0], rsp[0]);
	t = bench_now_ns();
	for (i = 0; i < o->exchanges; i++)
		exchange(c1, c2, o->target, req[i], rsp[i]);
	secs = (double)(bench_now_ns() - t) / 1e9;
	printf("a) socket API: %ld exchanges (seal gw1, notify gw2, respond gw2, open gw1; %zu-byte primitives) in %.3f s\n",
	       o->exchanges, strlen(req[0]), secs);
	printf("a) %.0f exchanges/s, %.1f us per exchange, %.1f us per socket call\n",
	       o->exchanges / secs, secs * 1e6 / o->exchanges,
	       secs * 1e6 / (4.0 * o->exchanges));
	for (i = 0; i < o->exchanges; i++) {
		free(req[i]);
		free(rsp[i]);
	}
	free(req);
	free(rsp);
	return secs * 1e6 / o->exchanges;
}

/* Flushes gw1's sessions and seals one request: a new session. */
static void new_session(const struct opts *o, struct esprim_client *c1,
			const char *req)
{
	struct esprim_error e;
	char *content;
	int rc;

	json_decref(call_ok(c1, "{\"op\":\"flush\"}"));
	rc = esprim_client_seal(c1, o->target, req, &content, &e);
	if (rc)
		client_fail("seal on gw1 after a flush", rc, &e);
	esprim_free(content);
}

/* b) sessions set up per second by gw1. */
static void bench_setups(const struct opts *o, struct esprim_client *c1)
{
	char *req = request_text(o, 0);
	long long before = stat_of(c1, "sessions_established");
	double secs;
	uint64_t t;
	long i;

	t = bench_now_ns();
	for (i = 0; i < o->sessions; i++)
		new_session(o, c1, req);
	secs = (double)(bench_now_ns() - t) / 1e9;
	printf("b) %ld session set-ups in %.3f s: %.0f sessions/s, %.3f ms per set-up\n",
	       o->sessions, secs, o->sessions / secs,
	       secs * 1e3 / o->sessions);
	/* What a set-up's time holds. */
	printf("b) each: a flush call, then a seal call in which gw1 gets a receiver\n"
	       "b)   rand object from gw2 over HTTP, makes its originator object,\n"
	       "b)   derives the key and seals (gw1 stats: sessions_established +%lld)\n",
	       stat_of(c1, "sessions_established") - before);
	free(req);
}

/* c) the exchange's sealing and opening in this process. */
static void bench_direct(const struct opts *o, double socket_us)
{
	const char *name = o->backend == ESPRIM_BACKEND_KERNEL ? "kernel" :
			   "soft";
	int n = (int)(2 * o->exchanges < 1024 ? 1024 : 2 * o->exchanges);
	struct esprim_rand *rro, *oro;
	double seal, open, us[2];
	struct bench_pair pair;
	int b;

	bench_pair_rands(&rro, &oro);
	bench_pair_setup(&pair, o->backend, rro, oro, OBJ_KID);
	for (b = 0; b < 2; b++) {
		bench_pair_run(&pair, n, b ? DIRECT_BATCH : 0, PRIM_LEN,
			       &seal, &open);
		/* A request and its response: two seals and two opens. */
		us[b] = 2 * (seal + open) / 1e3;
		printf("c) libesprim %s backend in process, %s: seal %.0f ns + open %.0f ns per %d-byte text; %.2f us, %.0f exchanges/s\n",
		       name, b ? "batches of 32" : "one by one", seal, open,
		       PRIM_LEN, us[b], 1e6 / us[b]);
	}
	printf("c) ratio socket API / direct: %.1fx (one by one), %.1fx (batches of %d)\n",
	       socket_us / us[0], socket_us / us[1], DIRECT_BATCH);
	bench_pair_free(&pair);
	esprim_rand_free(rro);
	esprim_rand_free(oro);
}

/*
 * One more session on each side: flush gw1, seal on gw1 (a set-up), notify
 * on gw2 (a set-up there) and respond, which frees the handle: esprimd
 * keeps at most ESPRIMD_MAX_HANDLES (4096) requests awaiting responses,
 * and handles are no session memory.
 */
static void one_more(const struct opts *o, struct esprim_client *c1,
		     struct esprim_client *c2, const char *req,
		     const char *rsp, long i)
{
	struct esprim_error e;
	const char *what;
	char *answer;
	int rc;

	json_decref(call_ok(c1, "{\"op\":\"flush\"}"));
	rc = request_through(c1, c2, o->target, req, rsp, &answer, &what, &e);
	if (rc) {
		fprintf(stderr, "%s: after %ld of %ld set-ups:\n", PROG, i,
			o->many);
		client_fail(what, rc, &e);
	}
	esprim_free(answer);
}

static void print_rss(const char *gw, long pid, long before, long long held)
{
	long after = rss_kib(pid);

	printf("d) VmRSS %s (pid %ld): %ld KiB -> %ld KiB, +%ld KiB", gw, pid,
	       before, after, after - before);
	if (held > 0)
		printf(", %.2f KiB per session held",
		       (double)(after - before) / held);
	printf("\n");
}

/* d) resident memory of the daemons holding --many more sessions. */
static void bench_memory(const struct opts *o, struct esprim_client *c1,
			 struct esprim_client *c2)
{
	long rss1 = o->pid1 ? rss_kib(o->pid1) : 0;
	long rss2 = o->pid2 ? rss_kib(o->pid2) : 0;
	long long s1 = stat_of(c1, "sessions"), s2 = stat_of(c2, "sessions");
	char *req = request_text(o, 0), *rsp = response_text(0);
	long long a1, a2;
	double secs;
	uint64_t t;
	long i;

	t = bench_now_ns();
	for (i = 0; i < o->many; i++)
		one_more(o, c1, c2, req, rsp, i);
	secs = (double)(bench_now_ns() - t) / 1e9;
	a1 = stat_of(c1, "sessions");
	a2 = stat_of(c2, "sessions");
	printf("d) %ld set-ups (flush gw1, seal gw1, notify gw2, respond gw2) in %.3f s; \"sessions\" of stats: gw1 %lld -> %lld, gw2 %lld -> %lld\n",
	       o->many, secs, s1, a1, s2, a2);
	printf("d) \"rands\" of stats: gw1 %lld, gw2 %lld\n",
	       stat_of(c1, "rands"), stat_of(c2, "rands"));
	if (o->pid1) {
		print_rss("gw1", o->pid1, rss1, a1 - s1);
		print_rss("gw2", o->pid2, rss2, a2 - s2);
	}
	free(req);
	free(rsp);
}

int main(int argc, char **argv)
{
	struct esprim_client *c1, *c2;
	struct opts o;
	double socket_us;

	parse_opts(&o, argc, argv);
	c1 = connect_to(o.gw1);
	c2 = connect_to(o.gw2);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# esprimd_bench: gw1 %s, gw2 %s, target %s, from %s\n", o.gw1,
	       o.gw2, o.target, o.from);
	socket_us = bench_exchanges(&o, c1, c2);
	if (o.sessions)
		bench_setups(&o, c1);
	bench_direct(&o, socket_us);
	if (o.many)
		bench_memory(&o, c1, c2);
	esprim_client_close(c1);
	esprim_client_close(c2);
	return 0;
}
