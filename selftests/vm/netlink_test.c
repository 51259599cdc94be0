// SPDX-License-Identifier: GPL-2.0
/*
 * The onem2m_esprim generic netlink family (Documentation/netlink/specs/
 * onem2m_esprim.yaml) through libnl-genl-3: every command, the
 * configuration and what new session keys take from it, permissions (an
 * unprivileged user, a user namespace of its own), malformed requests with
 * the kernel's extended ack text, events and the namespaces they reach,
 * the key-establishment upcall to a daemon (answered, refused, timed out,
 * the daemon dying, none registered, two namespaces), and batches of
 * sealing and opening against AF_ALG and OpenSSL.  Runs inside the test VM
 * as root; every test starts in a new session keyring.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <kcapi.h>
#include <keyutils.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "../lib/proc_keys.h"
#include "esprim_afalg.h"
#include "../lib/gcm_ref.h"
#include "../lib/genl.h"
#include "../lib/iv.h"
#include "../lib/scale.h"
#include "../lib/session_keys.h"

#define TRAILER		ONEM2M_ESPRIM_TRAILER_LEN
#define TAG_LEN		ONEM2M_ESPRIM_TAG_LEN
#define RING		KEY_SPEC_SESSION_KEYRING
#define ROLE_O		ONEM2M_ESPRIM_ROLE_ORIGINATOR
#define ROLE_R		ONEM2M_ESPRIM_ROLE_RECEIVER
#define NOBODY		65534
#define CALLOUT		"netlink_test"
#define NO_KEY		0x7ffffff0	/* a serial no key has */
#define EVENTS		ONEM2M_ESPRIM_MCGRP_EVENTS

#define A_SESSION(x)	ONEM2M_ESPRIM_A_SESSION_##x
#define A_STATS(x)	ONEM2M_ESPRIM_A_STATS_##x
#define A_CONFIG(x)	ONEM2M_ESPRIM_A_CONFIG_##x
#define A_UPCALL(x)	ONEM2M_ESPRIM_A_UPCALL_##x
#define A_ITEM(x)	ONEM2M_ESPRIM_A_ITEM_##x
#define A_EVENT(x)	ONEM2M_ESPRIM_A_EVENT_##x
#define CMD(x)		ONEM2M_ESPRIM_CMD_##x
#define EV(x)		ONEM2M_ESPRIM_EVENT_TYPE_##x

/* A forked child's check: counted, and told on stderr. */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d, %s:%d: failed: %s\n",	\
			getpid(), __FILE__, __LINE__, #cond);		\
		fails++;						\
	}								\
} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A name no other test or run uses: kids, tags. */
static void uniq(char *buf, size_t len, const char *what)
{
	static unsigned int n;
	uint32_t r;

	RAND_bytes((uint8_t *)&r, sizeof(r));
	snprintf(buf, len, "%s-%d-%u-%08x", what, getpid(), n++, r);
}

/* Whether @serial stops being there (invalidated, gone) within @ms. */
static int key_gone(key_serial_t serial, int ms)
{
	double end = now_s() + ms / 1000.0;
	char desc[512];

	do {
		if (keyctl_describe(serial, desc, sizeof(desc)) < 0)
			return 1;
		usleep(20000);
	} while (now_s() < end);
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Integer attributes into v[] (present: a bit per attribute), each one's
 * width held to @width (1, 4, 8; 0 for others).  Returns the number of
 * integer attributes of a wrong width.
 */
static int take_ints(struct nlattr **tb, int max, const int *width,
		     uint64_t *v, uint32_t *present)
{
	int i, bad = 0;

	for (i = 1; i <= max; i++) {
		if (!tb[i])
			continue;
		*present |= 1u << i;
		if (!width[i])
			continue;
		if (nla_len(tb[i]) != width[i]) {
			bad++;
			continue;
		}
		v[i] = width[i] == 1 ? nla_get_u8(tb[i]) :
		       width[i] == 4 ? nla_get_u32(tb[i]) : nla_get_u64(tb[i]);
	}
	return bad;
}

static void take_str(struct nlattr *a, char *out, size_t len)
{
	out[0] = 0;
	if (a)
		snprintf(out, len, "%.*s", nla_len(a), (const char *)nla_data(a));
}

static void put_int(struct nl_msg *m, int type, int width, uint64_t v)
{
	if (width == 1)
		nla_put_u8(m, type, v);
	else if (width == 4)
		nla_put_u32(m, type, v);
	else
		nla_put_u64(m, type, v);
}

/* Sessions: session-get do and dump. */

static const int session_width[A_SESSION(MAX) + 1] = {
	[A_SESSION(KEY_SERIAL)] = 4, [A_SESSION(PAIRWISE_SERIAL)] = 4,
	[A_SESSION(ENC)] = 1, [A_SESSION(ROLE)] = 1, [A_SESSION(REPLAY)] = 1,
	[A_SESSION(REPLAY_WINDOW)] = 4, [A_SESSION(UID)] = 4,
	[A_SESSION(SOFT_INVOCATIONS)] = 8, [A_SESSION(HARD_INVOCATIONS)] = 8,
	[A_SESSION(SOFT_DEADLINE)] = 8, [A_SESSION(HARD_DEADLINE)] = 8,
	[A_SESSION(SEALS)] = 8, [A_SESSION(OPENS)] = 8,
	[A_SESSION(BAD_MAC)] = 8, [A_SESSION(REPLAYS)] = 8,
	[A_SESSION(REFLECTIONS)] = 8, [A_SESSION(LIMIT_HITS)] = 8,
};

struct session_info {
	uint64_t v[A_SESSION(MAX) + 1];
	uint32_t present;
	int bad_width;
	char kid[140], peer[260], ori[140], rri[140];
};

#define SV(s, x)	((s)->v[A_SESSION(x)])
#define HAS(s, x)	(!!((s)->present & (1u << A_SESSION(x))))

struct session_list {
	struct session_info *s;
	int n, cap;
	int unordered;		/* replies not in key serial order */
};

static int parse_session(struct nlmsghdr *nlh, struct session_info *s)
{
	struct nlattr *tb[A_SESSION(MAX) + 1];

	memset(s, 0, sizeof(*s));
	if (genlc_cmd(nlh) != CMD(SESSION_GET) ||
	    genlc_parse(nlh, tb, A_SESSION(MAX)))
		return -EPROTO;
	s->bad_width = take_ints(tb, A_SESSION(MAX), session_width, s->v,
				 &s->present);
	take_str(tb[A_SESSION(KID)], s->kid, sizeof(s->kid));
	take_str(tb[A_SESSION(PEER)], s->peer, sizeof(s->peer));
	take_str(tb[A_SESSION(ORI)], s->ori, sizeof(s->ori));
	take_str(tb[A_SESSION(RRI)], s->rri, sizeof(s->rri));
	return 0;
}

static int on_session(struct nlmsghdr *nlh, void *arg)
{
	struct session_list *l = arg;

	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;
		void *s = realloc(l->s, cap * sizeof(*l->s));

		if (!s)
			return -ENOMEM;
		l->s = s;
		l->cap = cap;
	}
	if (parse_session(nlh, &l->s[l->n]))
		return -EPROTO;
	if (l->n && SV(&l->s[l->n], KEY_SERIAL) <=
		    SV(&l->s[l->n - 1], KEY_SERIAL))
		l->unordered++;
	l->n++;
	return 0;
}

static void session_list_free(struct session_list *l)
{
	free(l->s);
	memset(l, 0, sizeof(*l));
}

static const struct session_info *session_find(const struct session_list *l,
					       key_serial_t key)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (SV(&l->s[i], KEY_SERIAL) == (uint64_t)key)
			return &l->s[i];
	return NULL;
}

static int session_get(struct genlc *c, key_serial_t key,
		       struct session_info *out)
{
	struct session_list l = { 0 };
	struct nl_msg *m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	int ret;

	if (key)
		nla_put_u32(m, A_SESSION(KEY_SERIAL), key);
	ret = genlc_call(c, m, on_session, &l);
	if (!ret && l.n != 1)
		ret = -EPROTO;
	if (!ret && out)
		*out = l.s[0];
	session_list_free(&l);
	return ret;
}

/* Dumps the sessions (filters 0: none) into @l. */
static int session_dump(struct genlc *c, key_serial_t key,
			key_serial_t pairwise, struct session_list *l)
{
	struct nl_msg *m = genlc_msg(c, CMD(SESSION_GET), NLM_F_DUMP, 0);

	memset(l, 0, sizeof(*l));
	if (key)
		nla_put_u32(m, A_SESSION(KEY_SERIAL), key);
	if (pairwise)
		nla_put_u32(m, A_SESSION(PAIRWISE_SERIAL), pairwise);
	return genlc_call(c, m, on_session, l);
}

static int session_flush(struct genlc *c, key_serial_t key,
			 key_serial_t pairwise)
{
	struct nl_msg *m = genlc_msg(c, CMD(SESSION_FLUSH), 0, 0);

	if (key)
		nla_put_u32(m, A_SESSION(KEY_SERIAL), key);
	if (pairwise)
		nla_put_u32(m, A_SESSION(PAIRWISE_SERIAL), pairwise);
	return genlc_call(c, m, NULL, NULL);
}

/* Statistics and configuration. */

static const int stats_width[A_STATS(MAX) + 1] = {
	[A_STATS(SEALS)] = 8, [A_STATS(OPENS)] = 8, [A_STATS(BAD_MAC)] = 8,
	[A_STATS(REPLAYS)] = 8, [A_STATS(REFLECTIONS)] = 8,
	[A_STATS(LIMIT_HITS)] = 8, [A_STATS(UPCALLS)] = 8,
	[A_STATS(UPCALL_FAILURES)] = 8, [A_STATS(SESSIONS)] = 4,
};

static const int config_width[A_CONFIG(MAX) + 1] = {
	[A_CONFIG(REPLAY)] = 1, [A_CONFIG(REPLAY_WINDOW)] = 4,
	[A_CONFIG(SOFT_INVOCATIONS)] = 8, [A_CONFIG(HARD_INVOCATIONS)] = 8,
	[A_CONFIG(SOFT_SECONDS)] = 4, [A_CONFIG(HARD_SECONDS)] = 4,
	[A_CONFIG(UPCALL_TIMEOUT)] = 4, [A_CONFIG(NEGATIVE_TIMEOUT)] = 4,
	[A_CONFIG(SESSION_CAP)] = 4,
};

/* Integer attributes of one reply (stats, config). */
struct ints {
	uint8_t cmd;
	int max;
	const int *width;
	uint64_t v[16];
	uint32_t present;
	int bad_width, replies;
};

#define STAT(s, x)	((s)->v[A_STATS(x)])
#define CONF(s, x)	((s)->v[A_CONFIG(x)])

static int on_ints(struct nlmsghdr *nlh, void *arg)
{
	struct ints *r = arg;
	struct nlattr *tb[16];

	if (genlc_cmd(nlh) != r->cmd || genlc_parse(nlh, tb, r->max))
		return -EPROTO;
	r->bad_width += take_ints(tb, r->max, r->width, r->v, &r->present);
	r->replies++;
	return 0;
}

static int stats_get(struct genlc *c, struct ints *s)
{
	memset(s, 0, sizeof(*s));
	s->cmd = CMD(STATS_GET);
	s->max = A_STATS(MAX);
	s->width = stats_width;
	return genlc_call(c, genlc_msg(c, CMD(STATS_GET), 0, 0), on_ints, s);
}

static int config_get(struct genlc *c, struct ints *s)
{
	memset(s, 0, sizeof(*s));
	s->cmd = CMD(CONFIG_GET);
	s->max = A_CONFIG(MAX);
	s->width = config_width;
	return genlc_call(c, genlc_msg(c, CMD(CONFIG_GET), 0, 0), on_ints, s);
}

/* Sets the configuration attributes present in @s. */
static int config_set(struct genlc *c, const struct ints *s)
{
	struct nl_msg *m = genlc_msg(c, CMD(CONFIG_SET), 0, 0);
	int i;

	for (i = 1; i <= A_CONFIG(MAX); i++)
		if (s->present & (1u << i) && config_width[i])
			put_int(m, i, config_width[i], s->v[i]);
	return genlc_call(c, m, NULL, NULL);
}

/* One configuration attribute. */
static int config_set1(struct genlc *c, int attr, uint64_t v)
{
	struct ints s = { .present = 1u << attr };

	s.v[attr] = v;
	return config_set(c, &s);
}

/* The session count once it stopped moving (keys of earlier tests). */
static uint64_t stable_sessions(struct genlc *c)
{
	struct ints a, b;
	int i;

	stats_get(c, &a);
	for (i = 0; i < 30; i++) {
		usleep(300000);
		stats_get(c, &b);
		if (STAT(&a, SESSIONS) == STAT(&b, SESSIONS))
			break;
		a = b;
	}
	return STAT(&b, SESSIONS);
}

/* Batches: seal and open. */

struct item {
	key_serial_t key;			/* 0: left out */
	const void *aad, *text, *trailer;	/* NULL: left out */
	size_t aad_len, text_len, trailer_len;
	/* The reply. */
	int replied;
	uint32_t status;
	uint8_t *out;
	size_t out_len;
	uint8_t trailer_out[TRAILER];
	int has_out, has_trailer, bad;
};

struct batch {
	struct item *items;
	int n, replies, misordered, unknown;
};

static int on_batch(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct batch *b = arg;
	struct nlattr *a;
	int rem;

	if (genlc_cmd(nlh) != CMD(SEAL) && genlc_cmd(nlh) != CMD(OPEN))
		return -EPROTO;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		struct nlattr *tb[A_ITEM(MAX) + 1];
		struct item *it;
		uint32_t idx;

		if (nla_type(a) != ONEM2M_ESPRIM_A_BATCH_ITEM ||
		    nla_parse_nested(tb, A_ITEM(MAX), a, NULL) ||
		    !tb[A_ITEM(INDEX)] || !tb[A_ITEM(STATUS)] ||
		    nla_get_u32(tb[A_ITEM(INDEX)]) >= (uint32_t)b->n) {
			b->unknown++;
			continue;
		}
		idx = nla_get_u32(tb[A_ITEM(INDEX)]);
		if (idx != (uint32_t)b->replies)
			b->misordered++;
		b->replies++;
		it = &b->items[idx];
		it->replied++;
		it->status = nla_get_u32(tb[A_ITEM(STATUS)]);
		if (tb[A_ITEM(TEXT)]) {
			free(it->out);
			it->out_len = nla_len(tb[A_ITEM(TEXT)]);
			it->out = malloc(it->out_len + 1);
			if (!it->out)
				return -ENOMEM;
			memcpy(it->out, nla_data(tb[A_ITEM(TEXT)]), it->out_len);
			it->has_out = 1;
		}
		if (tb[A_ITEM(TRAILER)]) {
			if (nla_len(tb[A_ITEM(TRAILER)]) == TRAILER) {
				memcpy(it->trailer_out,
				       nla_data(tb[A_ITEM(TRAILER)]), TRAILER);
				it->has_trailer = 1;
			} else {
				it->bad++;
			}
		}
	}
	return 0;
}

static struct nl_msg *batch_msg(struct genlc *c, int cmd,
				const struct item *items, int n)
{
	size_t size = 0;
	struct nl_msg *m;
	int i;

	for (i = 0; i < n; i++)
		size += items[i].aad_len + items[i].text_len +
			items[i].trailer_len + 64;
	m = genlc_msg(c, cmd, 0, size);
	for (i = 0; m && i < n; i++) {
		struct nlattr *nest = nla_nest_start(m,
						     ONEM2M_ESPRIM_A_BATCH_ITEM);

		if (items[i].key)
			nla_put_u32(m, A_ITEM(KEY_SERIAL), items[i].key);
		if (items[i].aad)
			nla_put(m, A_ITEM(AAD), items[i].aad_len,
				items[i].aad);
		if (items[i].text)
			nla_put(m, A_ITEM(TEXT), items[i].text_len,
				items[i].text);
		if (items[i].trailer)
			nla_put(m, A_ITEM(TRAILER), items[i].trailer_len,
				items[i].trailer);
		nla_nest_end_keep_empty(m, nest);
	}
	return m;
}

/* Runs a batch; @b (may be NULL) tells how the reply came. */
static int batch_call(struct genlc *c, int cmd, struct item *items, int n,
		      struct batch *b)
{
	struct batch local;
	struct nl_msg *m = batch_msg(c, cmd, items, n);

	if (!m)
		return -ENOMEM;
	if (!b)
		b = &local;
	memset(b, 0, sizeof(*b));
	b->items = items;
	b->n = n;
	return genlc_call(c, m, on_batch, b);
}

static void items_free(struct item *items, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(items[i].out);
		items[i].out = NULL;
	}
}

/*
 * One seal: @ct gets the ciphertext, @trailer tag || IV.  Returns the
 * item's status (0 or a positive errno) or the call's -errno.
 */
static int nl_seal(struct genlc *c, key_serial_t key, const void *aad,
		   size_t aad_len, const void *text, size_t text_len,
		   uint8_t *ct, uint8_t *trailer)
{
	struct item it = {
		.key = key, .aad = aad, .aad_len = aad_len,
		.text = text, .text_len = text_len,
	};
	int ret = batch_call(c, CMD(SEAL), &it, 1, NULL);

	if (!ret && it.replied != 1)
		ret = -EPROTO;
	if (!ret && !it.status) {
		if (!it.has_trailer || it.out_len != text_len)
			ret = -EPROTO;
		else {
			if (ct)
				memcpy(ct, it.out, text_len);
			if (trailer)
				memcpy(trailer, it.trailer_out, TRAILER);
		}
	}
	if (!ret)
		ret = it.status;
	items_free(&it, 1);
	return ret;
}

static int nl_open(struct genlc *c, key_serial_t key, const void *aad,
		   size_t aad_len, const void *ct, size_t ct_len,
		   const uint8_t *trailer, uint8_t *text)
{
	struct item it = {
		.key = key, .aad = aad, .aad_len = aad_len,
		.text = ct, .text_len = ct_len,
		.trailer = trailer, .trailer_len = TRAILER,
	};
	int ret = batch_call(c, CMD(OPEN), &it, 1, NULL);

	if (!ret && it.replied != 1)
		ret = -EPROTO;
	if (!ret && !it.status) {
		if (it.out_len != ct_len || it.has_trailer)
			ret = -EPROTO;
		else if (text)
			memcpy(text, it.out, ct_len);
	}
	if (!ret)
		ret = it.status;
	items_free(&it, 1);
	return ret;
}

/* Events. */

struct event {
	uint32_t type, key, pairwise, error, role;
	int has_key, has_role, has_error;
	char kid[140], desc[300];
};

struct evlog {
	struct event e[512];
	int n, other;		/* other messages */
};

static int on_event(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[A_EVENT(MAX) + 1];
	struct evlog *l = arg;
	struct event *e;

	if (genlc_cmd(nlh) != CMD(EVENT) || genlc_parse(nlh, tb, A_EVENT(MAX))) {
		l->other++;
		return 0;
	}
	if (l->n == 512)
		return 0;
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	if (tb[A_EVENT(TYPE)])
		e->type = nla_get_u32(tb[A_EVENT(TYPE)]);
	if (tb[A_EVENT(KEY_SERIAL)]) {
		e->key = nla_get_u32(tb[A_EVENT(KEY_SERIAL)]);
		e->has_key = 1;
	}
	if (tb[A_EVENT(PAIRWISE_SERIAL)])
		e->pairwise = nla_get_u32(tb[A_EVENT(PAIRWISE_SERIAL)]);
	if (tb[A_EVENT(ROLE)]) {
		e->role = nla_get_u8(tb[A_EVENT(ROLE)]);
		e->has_role = 1;
	}
	if (tb[A_EVENT(ERROR)]) {
		e->error = nla_get_u32(tb[A_EVENT(ERROR)]);
		e->has_error = 1;
	}
	take_str(tb[A_EVENT(KID)], e->kid, sizeof(e->kid));
	take_str(tb[A_EVENT(DESCRIPTION)], e->desc, sizeof(e->desc));
	return 0;
}

/* An event of @type about @key (0: any) and @desc (NULL: any). */
static const struct event *find_event(const struct evlog *l, uint32_t type,
				      key_serial_t key, const char *desc)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].type == type &&
		    (!key || l->e[i].key == (uint32_t)key) &&
		    (!desc || !strcmp(l->e[i].desc, desc)))
			return &l->e[i];
	return NULL;
}

static int count_events(const struct evlog *l, uint32_t type,
			key_serial_t key)
{
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->e[i].type == type && l->e[i].key == (uint32_t)key;
	return n;
}

static const struct event *wait_event(struct genlc *c, struct evlog *l,
				      uint32_t type, key_serial_t key,
				      const char *desc, int ms)
{
	double end = now_s() + ms / 1000.0;

	for (;;) {
		const struct event *e = find_event(l, type, key, desc);
		double left = end - now_s();

		if (e)
			return e;
		if (left <= 0)
			return NULL;
		genlc_recv(c, (int)(left * 1000) + 1, on_event, l);
	}
}

/* Takes what came within @ms into the log. */
static void drain_events(struct genlc *c, struct evlog *l, int ms)
{
	double end = now_s() + ms / 1000.0;

	while (now_s() < end)
		genlc_recv(c, 50, on_event, l);
}

/*
 * A listener in a network namespace of its own (a child): counts every
 * message it gets until stopped, once it heard the creation of a session
 * key of @kid that it made there itself (so it does hear its own).
 */
struct nslistener {
	pid_t pid;
	int stop_fd, result_fd;
};

static int nslistener_start(struct nslistener *n, const char *kid)
{
	int ready[2], stop[2], res[2];
	char ch = 0;

	if (pipe(ready) || pipe(stop) || pipe(res))
		return -1;
	n->pid = fork();
	if (n->pid < 0)
		return -1;
	if (n->pid == 0) {
		struct genlc c;
		int count = 0;

		struct tk_session own = { .tag = "nslistener" };
		struct evlog *log = calloc(1, sizeof(*log));
		key_serial_t k;

		if (!log || unshare(CLONE_NEWNET) || genlc_open(&c) ||
		    genlc_join(&c, EVENTS)) {
			if (write(ready[1], "E", 1) < 0)
				_exit(2);
			_exit(1);
		}
		k = tk_add_session(kid, "nsl", "r", &own, RING);
		if (k < 0 ||
		    !wait_event(&c, log, EV(SESSION_CREATED), k, NULL, 5000)) {
			if (write(ready[1], "N", 1) < 0)
				_exit(2);
			_exit(1);
		}
		if (write(ready[1], "R", 1) < 0)
			_exit(2);
		for (;;) {
			struct pollfd p[2] = {
				{ .fd = stop[0], .events = POLLIN },
				{ .fd = nl_socket_get_fd(c.sk), .events = POLLIN },
			};

			if (poll(p, 2, -1) < 0)
				break;
			while (genlc_recv(&c, 0, NULL, NULL) > 0)
				count++;
			if (p[0].revents)
				break;
		}
		while (genlc_recv(&c, 0, NULL, NULL) > 0)
			count++;
		if (write(res[1], &count, sizeof(count)) < 0)
			_exit(2);
		_exit(0);
	}
	close(ready[1]);
	close(stop[0]);
	close(res[1]);
	n->stop_fd = stop[1];
	n->result_fd = res[0];
	if (read(ready[0], &ch, 1) != 1 || ch != 'R')
		return -1;
	close(ready[0]);
	return 0;
}

/* Returns the number of messages the listener got, or -1. */
static int nslistener_stop(struct nslistener *n)
{
	int count = -1, status;

	if (write(n->stop_fd, "x", 1) != 1 ||
	    read(n->result_fd, &count, sizeof(count)) != sizeof(count))
		count = -1;
	close(n->stop_fd);
	close(n->result_fd);
	waitpid(n->pid, &status, 0);
	return count;
}

/* Upcalls: the daemon's side. */

struct acquire {
	int is_acquire;
	uint32_t present;
	uint32_t id, key, uid, gid, pid;
	char desc[300];
	uint8_t callout[300];
	int callout_len;
};

#define ACQ_HAS(a, x)	(!!((a)->present & (1u << A_UPCALL(x))))

static int on_acquire(struct nlmsghdr *nlh, void *arg)
{
	static const int width[A_UPCALL(MAX) + 1] = {
		[A_UPCALL(ID)] = 4, [A_UPCALL(KEY_SERIAL)] = 4,
		[A_UPCALL(UID)] = 4, [A_UPCALL(GID)] = 4,
		[A_UPCALL(PID)] = 4,
	};
	struct nlattr *tb[A_UPCALL(MAX) + 1];
	struct acquire *a = arg;
	uint64_t v[A_UPCALL(MAX) + 1] = { 0 };

	memset(a, 0, sizeof(*a));
	if (genlc_cmd(nlh) != CMD(ACQUIRE) ||
	    genlc_parse(nlh, tb, A_UPCALL(MAX)))
		return 0;
	a->is_acquire = 1;
	take_ints(tb, A_UPCALL(MAX), width, v, &a->present);
	a->id = v[A_UPCALL(ID)];
	a->key = v[A_UPCALL(KEY_SERIAL)];
	a->uid = v[A_UPCALL(UID)];
	a->gid = v[A_UPCALL(GID)];
	a->pid = v[A_UPCALL(PID)];
	take_str(tb[A_UPCALL(DESCRIPTION)], a->desc, sizeof(a->desc));
	if (tb[A_UPCALL(CALLOUT)]) {
		a->callout_len = nla_len(tb[A_UPCALL(CALLOUT)]);
		if (a->callout_len > (int)sizeof(a->callout))
			a->callout_len = sizeof(a->callout);
		memcpy(a->callout, nla_data(tb[A_UPCALL(CALLOUT)]),
		       a->callout_len);
	}
	return 0;
}

static int upcall_register(struct genlc *c)
{
	return genlc_call(c, genlc_msg(c, CMD(UPCALL_REGISTER), 0, 0), NULL,
			  NULL);
}

/* @payload NULL: none; @error, @neg 0: none. */
static int upcall_complete(struct genlc *c, uint32_t id, const void *payload,
			   size_t len, uint32_t error, uint32_t neg)
{
	struct nl_msg *m = genlc_msg(c, CMD(UPCALL_COMPLETE), 0, len);

	if (id)
		nla_put_u32(m, A_UPCALL(ID), id);
	if (payload)
		nla_put(m, A_UPCALL(PAYLOAD), len, payload);
	if (error)
		nla_put_u32(m, A_UPCALL(ERROR), error);
	if (neg)
		nla_put_u32(m, A_UPCALL(NEGATIVE_TIMEOUT), neg);
	return genlc_call(c, m, NULL, NULL);
}

enum { D_ANSWER, D_REJECT, D_SILENT };

/* A key daemon on a thread: registered, answering acquire requests. */
struct daemon {
	struct genlc c;
	pthread_t th;
	volatile int mode, stop;
	uint32_t error, neg_timeout;
	uint8_t payload[4200];
	size_t payload_len;
	int n;			/* acquire requests taken */
	struct acquire acq[8];
	int ret[8];		/* what upcall-complete returned */
	char extack[8][256];
};

static void *daemon_run(void *arg)
{
	struct daemon *d = arg;

	while (!d->stop) {
		struct acquire a;
		int r = genlc_recv(&d->c, 50, on_acquire, &a), n = d->n;

		if (r < 0)
			break;
		if (r == 0 || !a.is_acquire || n == 8)
			continue;
		d->acq[n] = a;
		if (d->mode == D_ANSWER)
			d->ret[n] = upcall_complete(&d->c, a.id, d->payload,
						    d->payload_len, 0, 0);
		else if (d->mode == D_REJECT)
			d->ret[n] = upcall_complete(&d->c, a.id, NULL, 0,
						    d->error, d->neg_timeout);
		memcpy(d->extack[n], d->c.extack, sizeof(d->extack[n]));
		__atomic_store_n(&d->n, n + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int daemon_start(struct daemon *d, int mode)
{
	int ret = genlc_open(&d->c);

	if (ret)
		return ret;
	ret = upcall_register(&d->c);
	if (ret) {
		genlc_close(&d->c);
		return ret;
	}
	d->mode = mode;
	d->stop = 0;
	if (pthread_create(&d->th, NULL, daemon_run, d)) {
		genlc_close(&d->c);
		return -EAGAIN;
	}
	return 0;
}

static void daemon_stop(struct daemon *d)
{
	d->stop = 1;
	pthread_join(d->th, NULL);
	genlc_close(&d->c);
}

/*
 * The acquire requests the daemon took and answered, once there are
 * @want of them (or 5 s passed): a requester may return before its
 * daemon has the ack of its answer.
 */
static int daemon_wait(struct daemon *d, int want)
{
	double end = now_s() + 5;
	int n;

	while ((n = __atomic_load_n(&d->n, __ATOMIC_ACQUIRE)) < want &&
	       now_s() < end)
		usleep(5000);
	return n;
}


static void daemon_pairwise(struct daemon *d, const uint8_t key[32])
{
	tk_pairwise_payload((void *)d->payload, key, TK_PEER);
	d->payload_len = sizeof(struct onem2m_esprim_pairwise_payload);
}

/* request_key() with a callout (else the kernel asks nobody). */
static key_serial_t request(const char *desc, double *secs)
{
	double t0 = now_s();
	key_serial_t k = request_key(ONEM2M_ESPRIM_KEY_TYPE, desc, CALLOUT,
				     RING);
	int err = errno;

	if (secs)
		*secs = now_s() - t0;
	return k < 0 ? -err : k;
}

/* The fixture: a socket, and the configuration put back afterwards. */

FIXTURE(nl) {
	struct genlc c;
	struct ints saved;
};

FIXTURE_SETUP(nl)
{
	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_EQ(0, genlc_open(&self->c));
	ASSERT_EQ(0, config_get(&self->c, &self->saved));
}

FIXTURE_TEARDOWN(nl)
{
	if (self->c.sk) {
		EXPECT_EQ(0, config_set(&self->c, &self->saved));
		genlc_close(&self->c);
	}
}

/* A pairwise key with random bytes and its kid. */
static key_serial_t new_pairwise(char *kid, size_t kid_len, const char *what,
				 uint8_t key[32])
{
	uint8_t k[32];

	uniq(kid, kid_len, what);
	RAND_bytes(key ? key : k, 32);
	return tk_add_pairwise(kid, key ? key : k, RING);
}

/* Configuration. */

TEST_F(nl, config_defaults)
{
	const struct ints *s = &self->saved;

	EXPECT_EQ(1, s->replies);
	EXPECT_EQ(0, s->bad_width);
	EXPECT_EQ(0x3fe, s->present & 0x3fe);
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_AUTO, CONF(s, REPLAY));
	EXPECT_EQ(1024, CONF(s, REPLAY_WINDOW));
	EXPECT_EQ(0, CONF(s, SOFT_INVOCATIONS));
	EXPECT_EQ(1ULL << 32, CONF(s, HARD_INVOCATIONS));
	EXPECT_EQ(0, CONF(s, SOFT_SECONDS));
	EXPECT_EQ(0, CONF(s, HARD_SECONDS));
	EXPECT_EQ(5000, CONF(s, UPCALL_TIMEOUT));
	EXPECT_EQ(5, CONF(s, NEGATIVE_TIMEOUT));
	EXPECT_EQ(262144, CONF(s, SESSION_CAP));
}

TEST_F(nl, config_set_and_get)
{
	struct ints want = { .present = 0x3fe }, got;
	int i;

	CONF(&want, REPLAY) = ONEM2M_ESPRIM_REPLAY_STRICT;
	CONF(&want, REPLAY_WINDOW) = 256;
	CONF(&want, SOFT_INVOCATIONS) = 1000;
	CONF(&want, HARD_INVOCATIONS) = 100000;
	CONF(&want, SOFT_SECONDS) = 60;
	CONF(&want, HARD_SECONDS) = 120;
	CONF(&want, UPCALL_TIMEOUT) = 1000;
	CONF(&want, NEGATIVE_TIMEOUT) = 2;
	CONF(&want, SESSION_CAP) = 5000;
	ASSERT_EQ(0, config_set(&self->c, &want)) TH_LOG("%s", self->c.extack);
	ASSERT_EQ(0, config_get(&self->c, &got));
	for (i = 1; i <= A_CONFIG(SESSION_CAP); i++) {
		EXPECT_EQ(want.v[i], got.v[i]) TH_LOG("attribute %d", i);
	}

	/* Attributes left out keep their values. */
	ASSERT_EQ(0, config_set1(&self->c, A_CONFIG(REPLAY_WINDOW), 4096));
	ASSERT_EQ(0, config_get(&self->c, &got));
	EXPECT_EQ(4096, CONF(&got, REPLAY_WINDOW));
	EXPECT_EQ(5000, CONF(&got, SESSION_CAP));
	EXPECT_EQ(100000, CONF(&got, HARD_INVOCATIONS));
	/* The edges of the ranges. */
	EXPECT_EQ(0, config_set1(&self->c, A_CONFIG(REPLAY_WINDOW), 64));
	EXPECT_EQ(0, config_set1(&self->c, A_CONFIG(HARD_INVOCATIONS),
				 1ULL << 32));
	EXPECT_EQ(0, config_set1(&self->c, A_CONFIG(UPCALL_TIMEOUT), 100));
	EXPECT_EQ(0, config_set1(&self->c, A_CONFIG(UPCALL_TIMEOUT), 600000));
	EXPECT_EQ(0, config_set1(&self->c, A_CONFIG(NEGATIVE_TIMEOUT), 3600));
	EXPECT_EQ(0, config_set1(&self->c, A_CONFIG(SESSION_CAP), 1));
	/* None at all: an ack. */
	EXPECT_EQ(0, genlc_call(&self->c, genlc_msg(&self->c, CMD(CONFIG_SET),
						    0, 0), NULL, NULL));
}

TEST_F(nl, config_values_refused)
{
	/* err 0: EINVAL or ERANGE (the module's choice). */
	static const struct {
		int attr;
		uint64_t v;
		int err;
		const char *msg;
	} cases[] = {
		{ A_CONFIG(REPLAY_WINDOW), 32, -ERANGE, "integer out of range" },
		{ A_CONFIG(REPLAY_WINDOW), 63, -ERANGE, "integer out of range" },
		{ A_CONFIG(REPLAY_WINDOW), 8192, -ERANGE,
		  "integer out of range" },
		{ A_CONFIG(REPLAY_WINDOW), 96, -EINVAL,
		  "replay-window must be a power of two" },
		{ A_CONFIG(REPLAY_WINDOW), 4095, -EINVAL,
		  "replay-window must be a power of two" },
		{ A_CONFIG(HARD_INVOCATIONS), (1ULL << 32) + 1, 0,
		  "hard-invocations above 2^32" },
		{ A_CONFIG(HARD_INVOCATIONS), ~0ULL, 0,
		  "hard-invocations above 2^32" },
		{ A_CONFIG(HARD_INVOCATIONS), 0, -ERANGE,
		  "integer out of range" },
		{ A_CONFIG(UPCALL_TIMEOUT), 99, -ERANGE, "integer out of range" },
		{ A_CONFIG(UPCALL_TIMEOUT), 600001, -ERANGE, NULL },
		{ A_CONFIG(NEGATIVE_TIMEOUT), 0, -ERANGE,
		  "integer out of range" },
		{ A_CONFIG(NEGATIVE_TIMEOUT), 3601, -ERANGE,
		  "integer out of range" },
		{ A_CONFIG(SESSION_CAP), 0, -ERANGE, "integer out of range" },
		{ A_CONFIG(REPLAY), 3, -ERANGE, "integer out of range" },
	};
	struct ints got, two = { 0 };
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = config_set1(&self->c, cases[i].attr, cases[i].v);
		if (cases[i].err) {
			EXPECT_EQ(cases[i].err, ret) TH_LOG("case %zu", i);
		} else {
			EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
				TH_LOG("case %zu: %d", i, ret);
		}
		if (cases[i].msg) {
			EXPECT_STREQ(cases[i].msg, self->c.extack)
				TH_LOG("case %zu", i);
		} else {
			EXPECT_NE(0, self->c.extack[0]) TH_LOG("case %zu", i);
		}
	}
	/* A refused request changes nothing, not even its good values. */
	two.present = 1u << A_CONFIG(SESSION_CAP) |
		      1u << A_CONFIG(REPLAY_WINDOW);
	CONF(&two, SESSION_CAP) = 1000;
	CONF(&two, REPLAY_WINDOW) = 96;
	EXPECT_EQ(-EINVAL, config_set(&self->c, &two));
	two.present = 1u << A_CONFIG(SESSION_CAP) |
		      1u << A_CONFIG(HARD_INVOCATIONS);
	CONF(&two, HARD_INVOCATIONS) = (1ULL << 32) + 1;
	EXPECT_GT(0, config_set(&self->c, &two));
	ASSERT_EQ(0, config_get(&self->c, &got));
	for (i = 1; i <= A_CONFIG(SESSION_CAP); i++) {
		EXPECT_EQ(self->saved.v[i], got.v[i]) TH_LOG("attribute %zu", i);
	}
}

TEST_F(nl, new_sessions_take_configured_defaults)
{
	struct tk_session spec = { .replay = ONEM2M_ESPRIM_REPLAY_DEFAULT };
	struct ints cfg = { .present = 0x7e };
	struct session_info s;
	time_t now = time(NULL);
	key_serial_t pw, k;
	char kid[64];

	CONF(&cfg, REPLAY) = ONEM2M_ESPRIM_REPLAY_STRICT;
	CONF(&cfg, REPLAY_WINDOW) = 128;
	CONF(&cfg, SOFT_INVOCATIONS) = 7;
	CONF(&cfg, HARD_INVOCATIONS) = 1000;
	CONF(&cfg, SOFT_SECONDS) = 100;
	CONF(&cfg, HARD_SECONDS) = 200;
	ASSERT_EQ(0, config_set(&self->c, &cfg)) TH_LOG("%s", self->c.extack);
	pw = new_pairwise(kid, sizeof(kid), "def", NULL);
	ASSERT_LT(0, pw);

	/* Everything left to the configuration. */
	spec.tag = "d1";
	k = tk_add_session(kid, "o1", "r1", &spec, RING);
	ASSERT_LT(0, k) TH_LOG("add_key: %s", strerror(errno));
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_STRICT, SV(&s, REPLAY));
	EXPECT_EQ(128, SV(&s, REPLAY_WINDOW));
	EXPECT_EQ(7, SV(&s, SOFT_INVOCATIONS));
	EXPECT_EQ(1000, SV(&s, HARD_INVOCATIONS));
	EXPECT_TRUE(HAS(&s, SOFT_DEADLINE));
	EXPECT_TRUE(HAS(&s, HARD_DEADLINE));
	EXPECT_LE(now + 95, (time_t)SV(&s, SOFT_DEADLINE));
	EXPECT_GE(now + 110, (time_t)SV(&s, SOFT_DEADLINE));
	EXPECT_LE(now + 195, (time_t)SV(&s, HARD_DEADLINE));
	EXPECT_GE(now + 210, (time_t)SV(&s, HARD_DEADLINE));

	/* What the payload gives stays. */
	spec.tag = "d2";
	spec.replay = ONEM2M_ESPRIM_REPLAY_AUTO;
	spec.replay_window = 256;
	spec.soft_invocations = 3;
	spec.hard_invocations = 50;
	spec.soft_seconds = 10;
	spec.hard_seconds = 20;
	k = tk_add_session(kid, "o2", "r2", &spec, RING);
	ASSERT_LT(0, k);
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_AUTO, SV(&s, REPLAY));
	EXPECT_EQ(256, SV(&s, REPLAY_WINDOW));
	EXPECT_EQ(3, SV(&s, SOFT_INVOCATIONS));
	EXPECT_EQ(50, SV(&s, HARD_INVOCATIONS));
	EXPECT_GE(now + 25, (time_t)SV(&s, SOFT_DEADLINE));
	EXPECT_GE(now + 35, (time_t)SV(&s, HARD_DEADLINE));

	/* AUTO is asked for, not left to the configuration; the window is. */
	memset(&spec, 0, sizeof(spec));
	spec.tag = "d3";
	k = tk_add_session(kid, "o3", "r3", &spec, RING);
	ASSERT_LT(0, k);
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_AUTO, SV(&s, REPLAY));
	EXPECT_EQ(128, SV(&s, REPLAY_WINDOW));

	/* The configuration put back: the built-in defaults again. */
	ASSERT_EQ(0, config_set(&self->c, &self->saved));
	spec.tag = "d4";
	spec.replay = ONEM2M_ESPRIM_REPLAY_DEFAULT;
	k = tk_add_session(kid, "o4", "r4", &spec, RING);
	ASSERT_LT(0, k);
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_AUTO, SV(&s, REPLAY));
	EXPECT_EQ(1024, SV(&s, REPLAY_WINDOW));
	EXPECT_EQ(0, SV(&s, SOFT_INVOCATIONS));
	EXPECT_EQ(1ULL << 32, SV(&s, HARD_INVOCATIONS));
	EXPECT_FALSE(HAS(&s, SOFT_DEADLINE));
	EXPECT_FALSE(HAS(&s, HARD_DEADLINE));
}

TEST_F_TIMEOUT(nl, session_cap, 120)
{
	struct tk_session spec = { 0 };
	key_serial_t pw, a = -1, b = -1;
	int attempt, capped = 0, err = 0;
	char kid[64], tag[32];

	pw = new_pairwise(kid, sizeof(kid), "cap", NULL);
	ASSERT_LT(0, pw);
	/* Keys of earlier tests may still go meanwhile: then again. */
	for (attempt = 0; attempt < 5 && !capped; attempt++) {
		uint64_t n = stable_sessions(&self->c);

		ASSERT_EQ(0, config_set1(&self->c, A_CONFIG(SESSION_CAP), n + 1));
		snprintf(tag, sizeof(tag), "a%d", attempt);
		spec.tag = tag;
		a = tk_add_session(kid, tag, "r", &spec, RING);
		snprintf(tag, sizeof(tag), "b%d", attempt);
		b = tk_add_session(kid, tag, "r", &spec, RING);
		err = errno;
		capped = a > 0 && b < 0 && err == EDQUOT;
		if (b > 0)
			keyctl_invalidate(b);
		TH_LOG("attempt %d: %llu sessions, %d, %d (%s)", attempt,
		       (unsigned long long)n, a, b, b < 0 ? strerror(err) : "");
	}
	EXPECT_TRUE(capped);
	ASSERT_EQ(0, config_set(&self->c, &self->saved));
	spec.tag = "after";
	EXPECT_LT(0, tk_add_session(kid, "after", "r", &spec, RING));
}

/* Statistics, sessions. */

TEST_F(nl, stats_count)
{
	struct tk_session spec = { .tag = "st" };
	uint8_t ct[4][8], tr[4][TRAILER], bad[TRAILER], own_ct[8], own_tr[TRAILER];
	struct ints a, b;
	struct session_info s;
	key_serial_t pw, so, sr, sh;
	char kid[64];
	int i;

	pw = new_pairwise(kid, sizeof(kid), "st", NULL);
	ASSERT_LT(0, pw);
	ASSERT_EQ(0, stats_get(&self->c, &a));
	EXPECT_EQ(1, a.replies);
	EXPECT_EQ(0, a.bad_width);
	EXPECT_EQ(0x3fe, a.present & 0x3fe);

	spec.pairwise = pw;
	so = tk_add_session(kid, "o", "r", &spec, RING);
	spec.role = ROLE_R;
	sr = tk_add_session(kid, "o", "rr", &spec, RING);
	spec.role = ROLE_O;
	spec.tag = "st-hard";
	spec.hard_invocations = 1;
	sh = tk_add_session(kid, "o", "rh", &spec, RING);
	ASSERT_LT(0, so);
	ASSERT_LT(0, sr);
	ASSERT_LT(0, sh);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, nl_seal(&self->c, so, "h", 1, "text1234", 8, ct[i],
				     tr[i]));
	}
	EXPECT_EQ(0, nl_open(&self->c, sr, "h", 1, ct[0], 8, tr[0], NULL));
	EXPECT_EQ(0, nl_open(&self->c, sr, "h", 1, ct[1], 8, tr[1], NULL));
	memcpy(bad, tr[2], TRAILER);
	bad[3] ^= 0x10;
	EXPECT_EQ(EBADMSG, nl_open(&self->c, sr, "h", 1, ct[2], 8, bad, NULL));
	EXPECT_EQ(EALREADY, nl_open(&self->c, sr, "h", 1, ct[0], 8, tr[0], NULL));
	ASSERT_EQ(0, nl_seal(&self->c, sr, "h", 1, "reflect!", 8, own_ct,
			     own_tr));
	EXPECT_EQ(EALREADY, nl_open(&self->c, sr, "h", 1, own_ct, 8, own_tr,
				    NULL));
	EXPECT_EQ(0, nl_seal(&self->c, sh, "h", 1, "a", 1, ct[3], tr[3]));
	EXPECT_EQ(EKEYEXPIRED, nl_seal(&self->c, sh, "h", 1, "a", 1, ct[3],
				       tr[3]));

	ASSERT_EQ(0, stats_get(&self->c, &b));
	EXPECT_EQ(5, STAT(&b, SEALS) - STAT(&a, SEALS));
	EXPECT_EQ(2, STAT(&b, OPENS) - STAT(&a, OPENS));
	EXPECT_EQ(1, STAT(&b, BAD_MAC) - STAT(&a, BAD_MAC));
	EXPECT_EQ(1, STAT(&b, REPLAYS) - STAT(&a, REPLAYS));
	EXPECT_EQ(1, STAT(&b, REFLECTIONS) - STAT(&a, REFLECTIONS));
	EXPECT_EQ(1, STAT(&b, LIMIT_HITS) - STAT(&a, LIMIT_HITS));
	EXPECT_EQ(STAT(&a, UPCALLS), STAT(&b, UPCALLS));

	/* The same per session. */
	ASSERT_EQ(0, session_get(&self->c, so, &s));
	EXPECT_EQ(3, SV(&s, SEALS));
	ASSERT_EQ(0, session_get(&self->c, sr, &s));
	EXPECT_EQ(1, SV(&s, SEALS));
	EXPECT_EQ(2, SV(&s, OPENS));
	EXPECT_EQ(1, SV(&s, BAD_MAC));
	EXPECT_EQ(1, SV(&s, REPLAYS));
	EXPECT_EQ(1, SV(&s, REFLECTIONS));
	EXPECT_EQ(0, SV(&s, LIMIT_HITS));
	ASSERT_EQ(0, session_get(&self->c, sh, &s));
	EXPECT_EQ(1, SV(&s, SEALS));
	EXPECT_EQ(1, SV(&s, LIMIT_HITS));
}

/*
 * Waits until the session count drops below @above: the keys garbage
 * collector ran (up to 60 s with two VMs on two cores).  The count then.
 */
static uint64_t sessions_below(struct genlc *c, uint64_t above)
{
	struct ints b;
	int i;

	for (i = 0; i < 1200; i++) {
		if (stats_get(c, &b))
			return ~0ULL;
		if (STAT(&b, SESSIONS) < above)
			break;
		usleep(50000);
	}
	return STAT(&b, SESSIONS);
}

/*
 * The session count follows creation and the keys garbage collector.
 * Keys earlier tests left wait for the collector too, some for a second
 * pass (those of a keyring the first one destroyed): keys made and
 * invalidated make it run until a pass takes nothing else, so that the
 * count then moves only with this test's own key.
 */
TEST_F_TIMEOUT(nl, stats_session_count, 300)
{
	struct tk_session spec = { 0 };
	uint64_t before = ~0ULL, prev, added, gone;
	key_serial_t pw, k;
	char kid[64], tag[16];
	struct ints b;
	int i;

	pw = new_pairwise(kid, sizeof(kid), "sc", NULL);
	ASSERT_LT(0, pw);
	spec.pairwise = pw;
	for (i = 0; i < 8; i++) {
		prev = before;
		snprintf(tag, sizeof(tag), "sc-gc%d", i);
		spec.tag = tag;
		k = tk_add_session(kid, tag, "r", &spec, RING);
		ASSERT_LT(0, k);
		ASSERT_EQ(0, stats_get(&self->c, &b));
		ASSERT_EQ(0, keyctl_invalidate(k));
		before = sessions_below(&self->c, STAT(&b, SESSIONS));
		if (before == prev)
			break;
	}
	spec.tag = "sc";
	k = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, k);
	ASSERT_EQ(0, stats_get(&self->c, &b));
	added = STAT(&b, SESSIONS);
	ASSERT_EQ(0, keyctl_invalidate(k));
	gone = sessions_below(&self->c, added);
	TH_LOG("%llu sessions after %d collector passes, %llu with one more, %llu once it went",
	       (unsigned long long)before, i + 1, (unsigned long long)added,
	       (unsigned long long)gone);
	EXPECT_EQ(before + 1, added);
	EXPECT_EQ(before, gone);
}

TEST_F(nl, session_get_attributes)
{
	struct tk_session spec = {
		.enc = ONEM2M_ESPRIM_ENC_A128GCM, .role = ROLE_R,
		.replay = ONEM2M_ESPRIM_REPLAY_STRICT, .replay_window = 256,
		.soft_invocations = 100, .hard_invocations = 1000,
		.hard_seconds = 3600, .tag = "attrs",
	};
	struct session_info s;
	time_t now = time(NULL);
	key_serial_t pw, k;
	char kid[64];
	int i;

	pw = new_pairwise(kid, sizeof(kid), "get", NULL);
	ASSERT_LT(0, pw);
	spec.pairwise = pw;
	k = tk_add_session(kid, "o1", "r1", &spec, RING);
	ASSERT_LT(0, k);
	ASSERT_EQ(0, session_get(&self->c, k, &s)) TH_LOG("%s", self->c.extack);
	EXPECT_EQ(0, s.bad_width);
	EXPECT_EQ(k, SV(&s, KEY_SERIAL));
	EXPECT_EQ(pw, SV(&s, PAIRWISE_SERIAL));
	EXPECT_STREQ(kid, s.kid);
	EXPECT_STREQ(TK_PEER, s.peer);
	EXPECT_STREQ("o1", s.ori);
	EXPECT_STREQ("r1", s.rri);
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A128GCM, SV(&s, ENC));
	EXPECT_EQ(ROLE_R, SV(&s, ROLE));
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_STRICT, SV(&s, REPLAY));
	EXPECT_EQ(256, SV(&s, REPLAY_WINDOW));
	EXPECT_EQ(0, SV(&s, UID));
	EXPECT_EQ(100, SV(&s, SOFT_INVOCATIONS));
	EXPECT_EQ(1000, SV(&s, HARD_INVOCATIONS));
	EXPECT_FALSE(HAS(&s, SOFT_DEADLINE));
	EXPECT_TRUE(HAS(&s, HARD_DEADLINE));
	EXPECT_LE(now + 3595, (time_t)SV(&s, HARD_DEADLINE));
	EXPECT_GE(now + 3610, (time_t)SV(&s, HARD_DEADLINE));
	EXPECT_FALSE(HAS(&s, SOFT_EXPIRED));
	for (i = A_SESSION(SEALS); i <= A_SESSION(LIMIT_HITS); i++) {
		EXPECT_TRUE(s.present & (1u << i)) TH_LOG("attribute %d", i);
		EXPECT_EQ(0, s.v[i]) TH_LOG("attribute %d", i);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, nl_seal(&self->c, k, NULL, 0, "x", 1, NULL, NULL));
	}
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(3, SV(&s, SEALS));

	/* Replay off: no window.  A soft limit reached: the flag. */
	memset(&spec, 0, sizeof(spec));
	spec.replay = ONEM2M_ESPRIM_REPLAY_OFF;
	spec.soft_invocations = 1;
	spec.soft_seconds = 100;
	spec.tag = "attrs-off";
	k = tk_add_session(kid, "o2", "r2", &spec, RING);
	ASSERT_LT(0, k);
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_OFF, SV(&s, REPLAY));
	EXPECT_FALSE(HAS(&s, REPLAY_WINDOW));
	EXPECT_EQ(pw, SV(&s, PAIRWISE_SERIAL));	/* found by kid */
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A256GCM, SV(&s, ENC));
	EXPECT_EQ(ROLE_O, SV(&s, ROLE));
	EXPECT_TRUE(HAS(&s, SOFT_DEADLINE));
	EXPECT_LE(now + 95, (time_t)SV(&s, SOFT_DEADLINE));
	EXPECT_GE(now + 110, (time_t)SV(&s, SOFT_DEADLINE));
	EXPECT_FALSE(HAS(&s, SOFT_EXPIRED));
	ASSERT_EQ(0, nl_seal(&self->c, k, NULL, 0, "x", 1, NULL, NULL));
	ASSERT_EQ(0, nl_seal(&self->c, k, NULL, 0, "x", 1, NULL, NULL));
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_TRUE(HAS(&s, SOFT_EXPIRED));
}

TEST_F(nl, session_get_refused)
{
	struct tk_session spec = { .tag = "ref" };
	key_serial_t pw, k, user;
	char kid[64];

	pw = new_pairwise(kid, sizeof(kid), "ref", NULL);
	ASSERT_LT(0, pw);
	k = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, k);
	user = add_key("user", "u", "x", 1, RING);
	ASSERT_LT(0, user);

	EXPECT_EQ(-EINVAL, session_get(&self->c, 0, NULL));
	EXPECT_STREQ("key-serial is required", self->c.extack);
	EXPECT_EQ(-EINVAL, session_get(&self->c, pw, NULL));
	EXPECT_STREQ("not an esprim session key", self->c.extack);
	EXPECT_EQ(-EINVAL, session_get(&self->c, user, NULL));
	EXPECT_STREQ("not an esprim session key", self->c.extack);
	EXPECT_EQ(-EINVAL, session_get(&self->c,
				       keyctl_get_keyring_ID(RING, 0), NULL));
	EXPECT_EQ(-ENOKEY, session_get(&self->c, NO_KEY, NULL));
	ASSERT_EQ(0, keyctl_revoke(k));
	EXPECT_EQ(-EKEYREVOKED, session_get(&self->c, k, NULL));
}

TEST_F(nl, session_dump_filters)
{
	struct tk_session spec = { 0 };
	key_serial_t pw1, pw2, s1[3], s2[2];
	struct session_list l;
	char kid1[64], kid2[64], tag[16];
	int i;

	pw1 = new_pairwise(kid1, sizeof(kid1), "dump1", NULL);
	pw2 = new_pairwise(kid2, sizeof(kid2), "dump2", NULL);
	ASSERT_LT(0, pw1);
	ASSERT_LT(0, pw2);
	for (i = 0; i < 3; i++) {
		snprintf(tag, sizeof(tag), "o%d", i);
		spec.tag = tag;
		s1[i] = tk_add_session(kid1, tag, "r", &spec, RING);
		ASSERT_LT(0, s1[i]);
	}
	for (i = 0; i < 2; i++) {
		snprintf(tag, sizeof(tag), "o%d", i);
		spec.tag = tag;
		s2[i] = tk_add_session(kid2, tag, "r", &spec, RING);
		ASSERT_LT(0, s2[i]);
	}

	ASSERT_EQ(0, session_dump(&self->c, 0, pw1, &l)) TH_LOG("%s",
								self->c.extack);
	EXPECT_EQ(3, l.n);
	EXPECT_EQ(0, l.unordered);
	for (i = 0; i < 3; i++) {
		const struct session_info *s = session_find(&l, s1[i]);

		ASSERT_NE(NULL, s) TH_LOG("session %d", i);
		EXPECT_EQ(pw1, SV(s, PAIRWISE_SERIAL));
		EXPECT_STREQ(kid1, s->kid);
		EXPECT_EQ(0, s->bad_width);
	}
	session_list_free(&l);

	ASSERT_EQ(0, session_dump(&self->c, 0, pw2, &l));
	EXPECT_EQ(2, l.n);
	EXPECT_NE(NULL, session_find(&l, s2[0]));
	EXPECT_NE(NULL, session_find(&l, s2[1]));
	session_list_free(&l);

	ASSERT_EQ(0, session_dump(&self->c, s1[1], 0, &l));
	EXPECT_EQ(1, l.n);
	EXPECT_NE(NULL, session_find(&l, s1[1]));
	session_list_free(&l);

	/* Both filters: sessions that match both. */
	ASSERT_EQ(0, session_dump(&self->c, s1[1], pw2, &l));
	EXPECT_EQ(0, l.n);
	session_list_free(&l);
	ASSERT_EQ(0, session_dump(&self->c, s1[1], pw1, &l));
	EXPECT_EQ(1, l.n);
	session_list_free(&l);

	/* No filter: all of them, in key serial order. */
	ASSERT_EQ(0, session_dump(&self->c, 0, 0, &l));
	EXPECT_LE(5, l.n);
	EXPECT_EQ(0, l.unordered);
	for (i = 0; i < 3; i++) {
		EXPECT_NE(NULL, session_find(&l, s1[i]));
	}
	for (i = 0; i < 2; i++) {
		EXPECT_NE(NULL, session_find(&l, s2[i]));
	}
	session_list_free(&l);

	/* Revoked sessions are left out. */
	ASSERT_EQ(0, keyctl_revoke(s1[2]));
	ASSERT_EQ(0, session_dump(&self->c, 0, pw1, &l));
	EXPECT_EQ(2, l.n);
	EXPECT_EQ(NULL, session_find(&l, s1[2]));
	session_list_free(&l);
	/* A filter no session matches. */
	ASSERT_EQ(0, session_dump(&self->c, NO_KEY, 0, &l));
	EXPECT_EQ(0, l.n);
	session_list_free(&l);
}

TEST_F(nl, session_flush)
{
	struct tk_session spec = { 0 };
	key_serial_t pw[3], s[3][2];
	char kid[3][64], tag[16];
	int i, j;

	for (i = 0; i < 3; i++) {
		pw[i] = new_pairwise(kid[i], sizeof(kid[i]), "flush", NULL);
		ASSERT_LT(0, pw[i]);
		for (j = 0; j < 2; j++) {
			snprintf(tag, sizeof(tag), "o%d", j);
			spec.tag = tag;
			s[i][j] = tk_add_session(kid[i], tag, "r", &spec, RING);
			ASSERT_LT(0, s[i][j]);
		}
	}
	/* One session key. */
	ASSERT_EQ(0, session_flush(&self->c, s[0][0], 0))
		TH_LOG("%s", self->c.extack);
	EXPECT_TRUE(key_gone(s[0][0], 5000));
	EXPECT_NE(0, session_get(&self->c, s[0][0], NULL));
	EXPECT_EQ(0, session_get(&self->c, s[0][1], NULL));

	/* The sessions of one pairwise key, not the key itself. */
	ASSERT_EQ(0, session_flush(&self->c, 0, pw[1]));
	EXPECT_TRUE(key_gone(s[1][0], 5000));
	EXPECT_TRUE(key_gone(s[1][1], 5000));
	EXPECT_EQ(0, session_get(&self->c, s[0][1], NULL));
	EXPECT_EQ(0, session_get(&self->c, s[2][0], NULL));
	EXPECT_FALSE(key_gone(pw[1], 0));

	EXPECT_EQ(-EINVAL, session_flush(&self->c, s[0][1], pw[0]));
	EXPECT_STREQ("give key-serial or pairwise-serial, not both",
		     self->c.extack);
	EXPECT_EQ(0, session_get(&self->c, s[0][1], NULL));

	/* All. */
	ASSERT_EQ(0, session_flush(&self->c, 0, 0));
	EXPECT_TRUE(key_gone(s[0][1], 5000));
	EXPECT_TRUE(key_gone(s[2][0], 5000));
	EXPECT_TRUE(key_gone(s[2][1], 5000));
	for (i = 0; i < 3; i++) {
		EXPECT_FALSE(key_gone(pw[i], 0));
	}
}

/* Malformed requests, with what the kernel says about them. */

TEST_F(nl, malformed_requests)
{
	struct genlc *c = &self->c;
	struct tk_session spec = { .tag = "mal" };
	uint8_t trailer[TRAILER + 1] = { 0 };
	struct nlattr *nest;
	struct nl_msg *m;
	key_serial_t pw, k;
	uint16_t u16 = 1;
	char kid[64];

	pw = new_pairwise(kid, sizeof(kid), "mal", NULL);
	ASSERT_LT(0, pw);
	k = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, k);

	/* An unknown attribute, with where it was. */
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(MAX) + 1, k);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("Unknown attribute type", c->extack);
	EXPECT_EQ(NLMSG_HDRLEN + GENL_HDRLEN, c->extack_offs);
	m = genlc_msg(c, CMD(STATS_GET), 0, 0);
	nla_put_u32(m, A_STATS(SEALS), 1);	/* a reply attribute */
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	m = genlc_msg(c, CMD(CONFIG_GET), 0, 0);
	nla_put_u32(m, 0, 1);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("Unknown attribute type", c->extack);
	m = genlc_msg(c, CMD(STATS_GET), 0, 0);
	nla_put(m, A_STATS(PAD), 0, NULL);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));

	/* Wrong lengths. */
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put(m, A_SESSION(KEY_SERIAL), sizeof(u16), &u16);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("invalid attribute length", c->extack);
	m = genlc_msg(c, CMD(CONFIG_SET), 0, 0);
	nla_put_u32(m, A_CONFIG(HARD_INVOCATIONS), 1000);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("invalid attribute length", c->extack);
	m = genlc_msg(c, CMD(CONFIG_SET), 0, 0);
	nla_put_u64(m, A_CONFIG(REPLAY), 1);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));

	/* Out of range: serials, the window (config_values_refused). */
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), 0);
	EXPECT_EQ(-ERANGE, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("integer out of range", c->extack);
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), 0x80000000u);
	EXPECT_EQ(-ERANGE, genlc_call(c, m, NULL, NULL));
	EXPECT_EQ(-ERANGE, config_set1(c, A_CONFIG(REPLAY_WINDOW), 32));
	EXPECT_STREQ("integer out of range", c->extack);
	EXPECT_EQ(-EINVAL, config_set1(c, A_CONFIG(REPLAY_WINDOW), 96));
	EXPECT_STREQ("replay-window must be a power of two", c->extack);

	/* Missing or contradictory attributes. */
	EXPECT_EQ(-EINVAL, session_get(c, 0, NULL));
	EXPECT_STREQ("key-serial is required", c->extack);
	EXPECT_EQ(-EINVAL, session_flush(c, k, pw));
	EXPECT_STREQ("give key-serial or pairwise-serial, not both", c->extack);

	/* Bytes after the attributes; reserved header bytes. */
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), k);
	nlmsg_append(m, "xy", 2, 0);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("bytes leftover after parsing attributes", c->extack);
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), k);
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(m)))->reserved = 1;
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("genlmsghdr.reserved field is not 0", c->extack);
	/* Well formed, it works. */
	EXPECT_EQ(0, session_get(c, k, NULL));

	/* Commands the family has not, or not so. */
	EXPECT_EQ(-EOPNOTSUPP, genlc_call(c, genlc_msg(c, 99, 0, 0), NULL,
					  NULL));
	EXPECT_EQ(-EOPNOTSUPP, genlc_call(c, genlc_msg(c, 0, 0, 0), NULL,
					  NULL));
	EXPECT_EQ(-EOPNOTSUPP, genlc_call(c, genlc_msg(c, CMD(ACQUIRE), 0, 0),
					  NULL, NULL));
	EXPECT_EQ(-EOPNOTSUPP, genlc_call(c, genlc_msg(c, CMD(EVENT), 0, 0),
					  NULL, NULL));
	EXPECT_EQ(-EOPNOTSUPP, genlc_call(c, genlc_msg(c, CMD(STATS_GET),
						       NLM_F_DUMP, 0),
					  NULL, NULL));
	EXPECT_EQ(-EOPNOTSUPP, genlc_call(c, genlc_msg(c, CMD(SEAL),
						       NLM_F_DUMP, 0),
					  NULL, NULL));

	/* Batches: items not nested, garbage in items, the trailer. */
	m = genlc_msg(c, CMD(SEAL), 0, 0);
	nla_put(m, ONEM2M_ESPRIM_A_BATCH_ITEM, 8, "abcdefgh");
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("NLA_F_NESTED is missing", c->extack);
	m = genlc_msg(c, CMD(SEAL), 0, 0);
	nest = nla_nest_start(m, ONEM2M_ESPRIM_A_BATCH_ITEM);
	nla_put_u32(m, A_ITEM(KEY_SERIAL), k);
	nla_put_u32(m, A_ITEM(MAX) + 3, 1);
	nla_nest_end_keep_empty(m, nest);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("Unknown attribute type", c->extack);
	m = genlc_msg(c, CMD(SEAL), 0, 0);
	nest = nla_nest_start(m, ONEM2M_ESPRIM_A_BATCH_ITEM);
	nla_put(m, A_ITEM(KEY_SERIAL), 3, "abc");
	nla_nest_end_keep_empty(m, nest);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("invalid attribute length", c->extack);
	m = genlc_msg(c, CMD(OPEN), 0, 0);
	nest = nla_nest_start(m, ONEM2M_ESPRIM_A_BATCH_ITEM);
	nla_put_u32(m, A_ITEM(KEY_SERIAL), k);
	nla_put(m, A_ITEM(TEXT), 4, "abcd");
	nla_put(m, A_ITEM(TRAILER), TRAILER - 1, trailer);
	nla_nest_end_keep_empty(m, nest);
	EXPECT_EQ(-ERANGE, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("binary attribute size out of range", c->extack);
	m = genlc_msg(c, CMD(OPEN), 0, 0);
	nest = nla_nest_start(m, ONEM2M_ESPRIM_A_BATCH_ITEM);
	nla_put_u32(m, A_ITEM(KEY_SERIAL), k);
	nla_put(m, A_ITEM(TEXT), 4, "abcd");
	nla_put(m, A_ITEM(TRAILER), TRAILER + 1, trailer);
	nla_nest_end_keep_empty(m, nest);
	EXPECT_EQ(-ERANGE, genlc_call(c, m, NULL, NULL));
	/* Nests within nests. */
	m = genlc_msg(c, CMD(SEAL), 0, 0);
	nest = nla_nest_start(m, ONEM2M_ESPRIM_A_BATCH_ITEM);
	nla_nest_end_keep_empty(m, nla_nest_start(m, A_ITEM(AAD)));
	nla_nest_end_keep_empty(m, nest);
	EXPECT_EQ(-EINVAL, genlc_call(c, m, NULL, NULL));
	EXPECT_STREQ("NLA_F_NESTED not expected", c->extack);

	/* Upcall answers: an id is needed, and exactly one of the two. */
	EXPECT_EQ(-EINVAL, upcall_complete(c, 0, NULL, 0, EIO, 0));
	EXPECT_EQ(-ERANGE, upcall_complete(c, 5, NULL, 0, 4096, 0));
	EXPECT_STREQ("integer out of range", c->extack);
}

/* Events: each trigger, and only in the namespace of its cause. */

TEST_F_TIMEOUT(nl, events_each_trigger_own_netns_only, 180)
{
	struct evlog *log = calloc(1, sizeof(*log));
	struct tk_session spec = { 0 };
	uint8_t ct[8], tr[TRAILER], bad[TRAILER], ct2[8], tr2[TRAILER];
	const struct event *e;
	struct nslistener other;
	key_serial_t pw, so, sr, ss, sh;
	struct genlc l;
	char kid[64];

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, genlc_open(&l));
	ASSERT_EQ(0, genlc_join(&l, EVENTS));
	pw = new_pairwise(kid, sizeof(kid), "ev", NULL);
	ASSERT_LT(0, pw);
	ASSERT_EQ(0, nslistener_start(&other, kid));

	/* Created. */
	spec.pairwise = pw;
	spec.tag = "ev-a";
	so = tk_add_session(kid, "o1", "r1", &spec, RING);
	ASSERT_LT(0, so);
	e = wait_event(&l, log, EV(SESSION_CREATED), so, NULL, 5000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(pw, e->pairwise);
	EXPECT_STREQ(kid, e->kid);
	EXPECT_TRUE(e->has_role);
	EXPECT_EQ(ROLE_O, e->role);
	spec.role = ROLE_R;
	sr = tk_add_session(kid, "o1", "r1-rx", &spec, RING);
	ASSERT_LT(0, sr);
	e = wait_event(&l, log, EV(SESSION_CREATED), sr, NULL, 5000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(ROLE_R, e->role);

	/* Soft limit: one invocation, two seals. */
	spec.role = ROLE_O;
	spec.tag = "ev-soft";
	spec.soft_invocations = 1;
	ss = tk_add_session(kid, "o2", "r2", &spec, RING);
	ASSERT_LT(0, ss);
	EXPECT_EQ(0, nl_seal(&self->c, ss, "a", 1, "b", 1, NULL, NULL));
	EXPECT_EQ(0, nl_seal(&self->c, ss, "a", 1, "b", 1, NULL, NULL));
	e = wait_event(&l, log, EV(SOFT_LIMIT), ss, NULL, 5000);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(kid, e->kid);
	EXPECT_EQ(pw, e->pairwise);

	/* Hard limit: one invocation, the second seal refused. */
	spec.tag = "ev-hard";
	spec.soft_invocations = 0;
	spec.hard_invocations = 1;
	sh = tk_add_session(kid, "o3", "r3", &spec, RING);
	ASSERT_LT(0, sh);
	EXPECT_EQ(0, nl_seal(&self->c, sh, "a", 1, "b", 1, NULL, NULL));
	EXPECT_EQ(EKEYEXPIRED, nl_seal(&self->c, sh, "a", 1, "b", 1, NULL,
				       NULL));
	EXPECT_NE(NULL, wait_event(&l, log, EV(HARD_EXPIRED), sh, NULL, 5000));

	/* Replay: the same object opened twice. */
	ASSERT_EQ(0, nl_seal(&self->c, so, "h", 1, "payload", 7, ct, tr));
	EXPECT_EQ(0, nl_open(&self->c, sr, "h", 1, ct, 7, tr, ct2));
	EXPECT_EQ(EALREADY, nl_open(&self->c, sr, "h", 1, ct, 7, tr, NULL));
	e = wait_event(&l, log, EV(REPLAY), sr, NULL, 5000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(ROLE_R, e->role);

	/* Reflection: our own object back. */
	EXPECT_EQ(EALREADY, nl_open(&self->c, so, "h", 1, ct, 7, tr, NULL));
	EXPECT_NE(NULL, wait_event(&l, log, EV(REFLECTION), so, NULL, 5000));

	/* Bad MAC. */
	ASSERT_EQ(0, nl_seal(&self->c, so, "h", 1, "payload", 7, ct2, tr2));
	memcpy(bad, tr2, TRAILER);
	bad[0] ^= 1;
	EXPECT_EQ(EBADMSG, nl_open(&self->c, sr, "h", 1, ct2, 7, bad, NULL));
	EXPECT_NE(NULL, wait_event(&l, log, EV(BAD_MAC), sr, NULL, 5000));

	/* Destroyed. */
	ASSERT_EQ(0, keyctl_invalidate(sr));
	e = wait_event(&l, log, EV(SESSION_DESTROYED), sr, NULL, 10000);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(kid, e->kid);

	/* Soft and hard limits are told once per session. */
	EXPECT_EQ(0, nl_seal(&self->c, ss, "a", 1, "b", 1, NULL, NULL));
	EXPECT_EQ(EKEYEXPIRED, nl_seal(&self->c, sh, "a", 1, "b", 1, NULL,
				       NULL));
	drain_events(&l, log, 1000);
	EXPECT_EQ(1, count_events(log, EV(SOFT_LIMIT), ss));
	EXPECT_EQ(1, count_events(log, EV(HARD_EXPIRED), sh));
	EXPECT_EQ(1, count_events(log, EV(SESSION_CREATED), so));
	EXPECT_EQ(0, log->other);
	/* Nor did we hear the other namespace's session. */
	for (int i = 0; i < log->n; i++)
		if (log->e[i].type == EV(SESSION_CREATED)) {
			EXPECT_TRUE(log->e[i].key == (uint32_t)so ||
				    log->e[i].key == (uint32_t)sr ||
				    log->e[i].key == (uint32_t)ss ||
				    log->e[i].key == (uint32_t)sh ||
				    strcmp(log->e[i].kid, kid))
				TH_LOG("session %08x", log->e[i].key);
		}

	/* The listener in another network namespace heard none of it. */
	EXPECT_EQ(0, nslistener_stop(&other));
	genlc_close(&l);
	free(log);
}

/* Permissions. */

TEST_F_TIMEOUT(nl, unprivileged_user, 120)
{
	struct tk_session spec = { .tag = "priv" };
	struct session_info s;
	key_serial_t pw, k;
	struct ints cfg;
	char kid[64];
	int status;
	pid_t pid;

	pw = new_pairwise(kid, sizeof(kid), "priv", NULL);
	ASSERT_LT(0, pw);
	k = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, k);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tk_session own = { .tag = "own" };
		struct session_list l;
		key_serial_t opw, ok;
		struct genlc c;
		struct ints st;
		char okid[64];
		int fails = 0, i;

		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) ||
		    keyctl_join_session_keyring(NULL) < 0 || genlc_open(&c))
			_exit(100);
		CHILD_CHECK(stats_get(&c, &st) == 0);
		CHILD_CHECK(config_get(&c, &st) == 0);
		CHILD_CHECK(config_set1(&c, A_CONFIG(REPLAY_WINDOW), 128) ==
			    -EPERM);
		CHILD_CHECK(session_flush(&c, 0, 0) == -EPERM);
		CHILD_CHECK(session_flush(&c, k, 0) == -EPERM);
		CHILD_CHECK(upcall_register(&c) == -EPERM);
		CHILD_CHECK(genlc_join(&c, EVENTS) == -EPERM);
		CHILD_CHECK(session_get(&c, k, NULL) == -EACCES);

		opw = new_pairwise(okid, sizeof(okid), "own", NULL);
		ok = tk_add_session(okid, "o", "r", &own, RING);
		CHILD_CHECK(opw > 0 && ok > 0);
		CHILD_CHECK(session_get(&c, ok, &s) == 0);
		CHILD_CHECK(SV(&s, UID) == NOBODY);
		CHILD_CHECK(session_dump(&c, 0, 0, &l) == 0);
		CHILD_CHECK(session_find(&l, ok) != NULL);
		CHILD_CHECK(session_find(&l, k) == NULL);
		for (i = 0; i < l.n; i++)
			CHILD_CHECK(SV(&l.s[i], UID) == NOBODY);
		session_list_free(&l);
		CHILD_CHECK(session_dump(&c, 0, pw, &l) == 0 && l.n == 0);
		session_list_free(&l);

		/* Someone else's session seals nothing; one's own does. */
		CHILD_CHECK(nl_seal(&c, k, "a", 1, "b", 1, NULL, NULL) ==
			    EACCES);
		CHILD_CHECK(nl_seal(&c, ok, "a", 1, "b", 1, NULL, NULL) == 0);
		genlc_close(&c);
		_exit(fails);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Nothing of root's changed. */
	EXPECT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(0, SV(&s, SEALS));
	ASSERT_EQ(0, config_get(&self->c, &cfg));
	EXPECT_EQ(CONF(&self->saved, REPLAY_WINDOW), CONF(&cfg, REPLAY_WINDOW));
}

/*
 * An unprivileged user in a user namespace of its own, with a network
 * namespace of its own: CAP_NET_ADMIN over that network namespace lets it
 * flush (what it may search), register a daemon and hear events there;
 * the configuration stays the machine's.
 */
TEST_F_TIMEOUT(nl, user_namespace, 120)
{
	struct tk_session spec = { .tag = "userns" };
	struct evlog *log = calloc(1, sizeof(*log));
	char kid[64], ukid[64];
	key_serial_t pw, k;
	struct genlc l;
	int status;
	pid_t pid;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, genlc_open(&l));
	ASSERT_EQ(0, genlc_join(&l, EVENTS));
	pw = new_pairwise(kid, sizeof(kid), "userns", NULL);
	ASSERT_LT(0, pw);
	k = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, k);
	uniq(ukid, sizeof(ukid), "inner");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tk_session own = { .tag = "inner" };
		struct evlog *ilog = calloc(1, sizeof(*ilog));
		struct genlc c, d, d2, il;
		key_serial_t opw, ok;
		uint8_t key[32];
		int fails = 0, ret;

		/* Dumpable again after the uid change: /proc/self/uid_map
		 * is then ours to write. */
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) ||
		    prctl(PR_SET_DUMPABLE, 1))
			_exit(100);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
			fprintf(stderr, "# unshare: %s\n", strerror(errno));
			_exit(101);
		}
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/gid_map", "0 65534 1") ||
		    write_file("/proc/self/uid_map", "0 65534 1"))
			_exit(102);
		if (keyctl_join_session_keyring(NULL) < 0 || genlc_open(&c) ||
		    genlc_open(&d) || genlc_open(&d2) || genlc_open(&il) ||
		    !ilog)
			_exit(103);
		CHILD_CHECK(config_set1(&c, A_CONFIG(REPLAY_WINDOW), 128) ==
			    -EPERM);
		CHILD_CHECK(genlc_join(&il, EVENTS) == 0);
		CHILD_CHECK(upcall_register(&d) == 0);
		CHILD_CHECK(upcall_register(&d2) == -EBUSY);

		RAND_bytes(key, sizeof(key));
		opw = tk_add_pairwise(ukid, key, RING);
		ok = tk_add_session(ukid, "o", "r", &own, RING);
		CHILD_CHECK(opw > 0 && ok > 0);
		CHILD_CHECK(wait_event(&il, ilog, EV(SESSION_CREATED), ok, NULL,
				       5000) != NULL);
		CHILD_CHECK(session_get(&c, ok, NULL) == 0);
		CHILD_CHECK(session_get(&c, k, NULL) == -EACCES);

		/* Root's session is not the namespace's to flush. */
		ret = session_flush(&c, k, 0);
		CHILD_CHECK(ret == 0 || ret == -EACCES);
		CHILD_CHECK(session_flush(&c, 0, 0) == 0);
		CHILD_CHECK(key_gone(ok, 5000));
		/* Sent when the keys garbage collector destroys the key. */
		CHILD_CHECK(wait_event(&il, ilog, EV(SESSION_DESTROYED), ok,
				       NULL, 60000) != NULL);
		genlc_close(&c);
		genlc_close(&d);
		genlc_close(&d2);
		genlc_close(&il);
		_exit(fails);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Root's session is there; the namespace's events stayed there. */
	EXPECT_FALSE(key_gone(k, 0));
	EXPECT_EQ(0, session_get(&self->c, k, NULL));
	drain_events(&l, log, 1000);
	for (int i = 0; i < log->n; i++) {
		EXPECT_STRNE(ukid, log->e[i].kid);
	}
	genlc_close(&l);
	free(log);
}

/* The upcall. */

TEST_F_TIMEOUT(nl, upcall_answered, 120)
{
	struct evlog *log = calloc(1, sizeof(*log));
	struct tk_session spec = { .tag = "up" };
	struct daemon d = { 0 };
	char kid[64], desc[100], line[512], want[300];
	struct ints a, b;
	const struct acquire *q;
	key_serial_t k, s;
	struct genlc l;
	uint8_t key[32];
	double secs;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, genlc_open(&l));
	ASSERT_EQ(0, genlc_join(&l, EVENTS));
	uniq(kid, sizeof(kid), "up");
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	RAND_bytes(key, sizeof(key));
	daemon_pairwise(&d, key);
	ASSERT_EQ(0, stats_get(&self->c, &a));
	ASSERT_EQ(0, daemon_start(&d, D_ANSWER));

	k = request(desc, &secs);
	ASSERT_LT(0, k) TH_LOG("request_key: %s", strerror(-k));
	TH_LOG("answered in %.3f s", secs);
	ASSERT_EQ(1, daemon_wait(&d, 1));
	q = &d.acq[0];
	EXPECT_EQ(0, d.ret[0]) TH_LOG("%s", d.extack[0]);
	EXPECT_TRUE(ACQ_HAS(q, ID));
	EXPECT_LT(0, (int32_t)q->id);
	EXPECT_EQ(k, q->key);
	EXPECT_STREQ(desc, q->desc);
	EXPECT_EQ(0, q->uid);
	EXPECT_EQ(0, q->gid);
	EXPECT_EQ(getpid(), (pid_t)q->pid);
	EXPECT_EQ(strlen(CALLOUT), q->callout_len);
	EXPECT_EQ(0, memcmp(q->callout, CALLOUT, strlen(CALLOUT)));

	proc_keys_line(k, line, sizeof(line));
	snprintf(want, sizeof(want), "%s: pairwise peer=%s len=32", desc,
		 TK_PEER);
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);

	/* Found the second time: no upcall. */
	EXPECT_EQ(k, request(desc, NULL));
	EXPECT_EQ(1, daemon_wait(&d, 1));

	/* The key is a pairwise key like any other. */
	spec.pairwise = k;
	s = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, s);
	EXPECT_EQ(0, nl_seal(&self->c, s, "a", 1, "b", 1, NULL, NULL));

	ASSERT_EQ(0, stats_get(&self->c, &b));
	EXPECT_EQ(1, STAT(&b, UPCALLS) - STAT(&a, UPCALLS));
	EXPECT_EQ(STAT(&a, UPCALL_FAILURES), STAT(&b, UPCALL_FAILURES));
	EXPECT_NE(NULL, wait_event(&l, log, EV(UPCALL), 0, desc, 5000));
	daemon_stop(&d);
	genlc_close(&l);
	free(log);
}

/* Whether /proc/keys has a line of @serial, or an auth key naming it. */
static int key_or_auth_listed(key_serial_t serial)
{
	FILE *f = fopen("/proc/keys", "r");
	char line[512], id[16], auth[32];
	int found = 0;

	snprintf(id, sizeof(id), "%08x ", serial);
	snprintf(auth, sizeof(auth), " key:%08x ", serial);
	while (f && fgets(line, sizeof(line), f))
		found |= !strncmp(line, id, strlen(id)) || strstr(line, auth);
	if (f)
		fclose(f);
	return found;
}

/*
 * Once the requester is gone with its keyrings, a key the daemon gave it
 * and the upcall's authorisation key are collected: nothing of the
 * upcall holds on to them (nor to the requester's keyring).
 */
TEST_F_TIMEOUT(nl, upcall_leaves_nothing, 120)
{
	key_serial_t k[2] = { 0 };
	int pipefd[2], status, i, listed = 1;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct daemon d = { 0 };
		char kid[64], desc[100];
		uint8_t key[32];

		if (keyctl_join_session_keyring(NULL) < 0)
			_exit(100);
		RAND_bytes(key, sizeof(key));
		daemon_pairwise(&d, key);
		if (daemon_start(&d, D_ANSWER))
			_exit(101);
		uniq(kid, sizeof(kid), "gone");
		snprintf(desc, sizeof(desc), "pairwise:%s", kid);
		k[0] = request(desc, NULL);
		d.mode = D_REJECT;
		d.error = EHOSTUNREACH;
		d.neg_timeout = 1;
		snprintf(desc, sizeof(desc), "pairwise:%s-rej", kid);
		k[1] = request(desc, NULL);
		daemon_wait(&d, 2);
		daemon_stop(&d);
		if (write(pipefd[1], k, sizeof(k)) != sizeof(k))
			_exit(102);
		_exit(0);
	}
	ASSERT_EQ(sizeof(k), read(pipefd[0], k, sizeof(k)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_LT(0, k[0]);
	EXPECT_EQ(-EHOSTUNREACH, k[1]);
	/* Up to 60 s: the collector is slow with two VMs on two cores. */
	for (i = 0; i < 600 && listed; i++) {
		listed = key_or_auth_listed(k[0]);
		if (listed)
			usleep(100000);
	}
	EXPECT_FALSE(listed) TH_LOG("key %08x or its auth key still listed",
				    k[0]);
}

/* A session key asked for, derived from a pairwise key already there. */
TEST_F_TIMEOUT(nl, upcall_session_key, 120)
{
	struct tk_session spec = { .tag = "up-sess", .role = ROLE_R };
	struct daemon d = { 0 };
	struct session_info s;
	char kid[64], desc[200];
	key_serial_t pw, k;

	pw = new_pairwise(kid, sizeof(kid), "ups", NULL);
	ASSERT_LT(0, pw);
	spec.pairwise = pw;
	d.payload_len = tk_session_payload(d.payload, &spec);
	snprintf(desc, sizeof(desc), "session:%s:o9:r9", kid);
	ASSERT_EQ(0, daemon_start(&d, D_ANSWER));
	k = request(desc, NULL);
	ASSERT_LT(0, k) TH_LOG("request_key: %s", strerror(-k));
	EXPECT_EQ(1, daemon_wait(&d, 1));
	EXPECT_STREQ(desc, d.acq[0].desc);
	ASSERT_EQ(0, session_get(&self->c, k, &s));
	EXPECT_EQ(pw, SV(&s, PAIRWISE_SERIAL));
	EXPECT_STREQ("o9", s.ori);
	EXPECT_STREQ("r9", s.rri);
	EXPECT_EQ(ROLE_R, SV(&s, ROLE));
	EXPECT_EQ(0, nl_seal(&self->c, k, "a", 1, "b", 1, NULL, NULL));
	daemon_stop(&d);
}

TEST_F_TIMEOUT(nl, upcall_refused, 120)
{
	struct daemon d = { 0 };
	char kid[64], desc[100];
	uint8_t key[32];
	key_serial_t k;
	double secs;

	uniq(kid, sizeof(kid), "rej");
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	RAND_bytes(key, sizeof(key));
	daemon_pairwise(&d, key);
	d.error = EHOSTUNREACH;
	d.neg_timeout = 1;
	ASSERT_EQ(0, daemon_start(&d, D_REJECT));

	EXPECT_EQ(-EHOSTUNREACH, request(desc, &secs));
	EXPECT_EQ(1, daemon_wait(&d, 1));
	EXPECT_EQ(0, d.ret[0]) TH_LOG("%s", d.extack[0]);
	/* The negative key answers for a while, without asking again. */
	EXPECT_EQ(-EHOSTUNREACH, request(desc, &secs));
	EXPECT_GT(0.5, secs);
	EXPECT_EQ(1, daemon_wait(&d, 1));
	/* Once it expired (1 s), the daemon is asked again. */
	sleep(3);
	d.mode = D_ANSWER;
	k = request(desc, &secs);
	EXPECT_LT(0, k) TH_LOG("request_key: %s", strerror(-k));
	EXPECT_EQ(2, daemon_wait(&d, 2));
	daemon_stop(&d);
}

/* A payload the key type refuses: the daemon told why, the key refused. */
TEST_F_TIMEOUT(nl, upcall_payload_refused, 120)
{
	struct onem2m_esprim_pairwise_payload *p;
	struct daemon d = { 0 };
	char kid[64], desc[100];
	uint8_t key[32] = { 1 };

	uniq(kid, sizeof(kid), "badp");
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	daemon_pairwise(&d, key);
	p = (void *)d.payload;
	p->key_len = 3;
	ASSERT_EQ(0, daemon_start(&d, D_ANSWER));
	EXPECT_EQ(-EKEYREJECTED, request(desc, NULL));
	EXPECT_EQ(1, daemon_wait(&d, 1));
	EXPECT_EQ(-EINVAL, d.ret[0]);
	daemon_stop(&d);
}

TEST_F_TIMEOUT(nl, upcall_timeout, 120)
{
	struct evlog *log = calloc(1, sizeof(*log));
	struct daemon d = { 0 };
	char kid[64], desc[100];
	const struct event *e;
	struct ints a, b;
	struct genlc l;
	double secs;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, genlc_open(&l));
	ASSERT_EQ(0, genlc_join(&l, EVENTS));
	ASSERT_EQ(0, config_set1(&self->c, A_CONFIG(UPCALL_TIMEOUT), 300));
	uniq(kid, sizeof(kid), "tmo");
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	ASSERT_EQ(0, stats_get(&self->c, &a));
	ASSERT_EQ(0, daemon_start(&d, D_SILENT));

	EXPECT_EQ(-ETIMEDOUT, request(desc, &secs));
	TH_LOG("timed out after %.3f s", secs);
	EXPECT_LE(0.28, secs);
	EXPECT_GT(5.0, secs);
	EXPECT_EQ(1, daemon_wait(&d, 1));
	/* Later callers: the negative key, at once. */
	EXPECT_EQ(-ETIMEDOUT, request(desc, &secs));
	EXPECT_GT(0.25, secs);
	usleep(500000);
	EXPECT_EQ(1, daemon_wait(&d, 1));

	ASSERT_EQ(0, stats_get(&self->c, &b));
	EXPECT_EQ(1, STAT(&b, UPCALLS) - STAT(&a, UPCALLS));
	EXPECT_EQ(1, STAT(&b, UPCALL_FAILURES) - STAT(&a, UPCALL_FAILURES));
	e = wait_event(&l, log, EV(UPCALL), 0, desc, 5000);
	ASSERT_NE(NULL, e);
	drain_events(&l, log, 500);
	e = NULL;
	for (int i = 0; i < log->n; i++)
		if (log->e[i].type == EV(UPCALL) &&
		    !strcmp(log->e[i].desc, desc) && log->e[i].has_error)
			e = &log->e[i];
	ASSERT_NE(NULL, e);
	EXPECT_EQ(ETIMEDOUT, e->error);
	daemon_stop(&d);
	genlc_close(&l);
	free(log);
}

/* The daemon dies with an upcall pending: the requester hears at once. */
TEST_F_TIMEOUT(nl, upcall_daemon_dies, 120)
{
	char kid[64], desc[100], ch = 0;
	int pipefd[2], status;
	double secs;
	pid_t pid;

	ASSERT_EQ(0, config_set1(&self->c, A_CONFIG(UPCALL_TIMEOUT), 30000));
	uniq(kid, sizeof(kid), "die");
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct acquire a = { 0 };
		struct genlc c;

		if (genlc_open(&c) || upcall_register(&c)) {
			if (write(pipefd[1], "E", 1) < 0)
				_exit(2);
			_exit(1);
		}
		if (write(pipefd[1], "R", 1) < 0)
			_exit(2);
		while (genlc_recv(&c, 60000, on_acquire, &a) > 0 &&
		       !a.is_acquire)
			;
		/* Gone without an answer: the socket closes with us. */
		_exit(a.is_acquire && !strcmp(a.desc, desc) ? 0 : 3);
	}
	ASSERT_EQ(1, read(pipefd[0], &ch, 1));
	ASSERT_EQ('R', ch);
	EXPECT_EQ(-ECONNRESET, request(desc, &secs));
	TH_LOG("reset after %.3f s", secs);
	EXPECT_GT(5.0, secs);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Another daemon may register now. */
	{
		struct genlc c;

		ASSERT_EQ(0, genlc_open(&c));
		EXPECT_EQ(0, upcall_register(&c));
		genlc_close(&c);
	}
}

TEST_F_TIMEOUT(nl, upcall_no_daemon, 120)
{
	struct evlog *log = calloc(1, sizeof(*log));
	char kid[64], desc[100];
	const struct event *e = NULL;
	struct genlc l;
	double secs;
	int i;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, genlc_open(&l));
	ASSERT_EQ(0, genlc_join(&l, EVENTS));
	uniq(kid, sizeof(kid), "none");
	snprintf(desc, sizeof(desc), "pairwise:%s", kid);
	EXPECT_EQ(-ENOTCONN, request(desc, &secs));
	EXPECT_GT(1.0, secs);
	EXPECT_EQ(-ENOTCONN, request(desc, &secs));
	EXPECT_GT(0.5, secs);
	snprintf(desc, sizeof(desc), "session:%s:o:r", kid);
	EXPECT_EQ(-ENOTCONN, request(desc, &secs));

	drain_events(&l, log, 1000);
	for (i = 0; i < log->n; i++)
		if (log->e[i].type == EV(UPCALL) &&
		    !strcmp(log->e[i].desc, desc) && log->e[i].has_error)
			e = &log->e[i];
	ASSERT_NE(NULL, e);
	EXPECT_EQ(ENOTCONN, e->error);
	genlc_close(&l);
	free(log);
}

/*
 * Daemons in two network namespaces: each hears only its own namespace's
 * requests; a namespace without one (here the initial) gets ENOTCONN.
 */
TEST_F_TIMEOUT(nl, upcall_two_namespaces, 120)
{
	int ready[2], stop[2], status_a, status_b;
	char kid[64], desc_b[100], desc_i[100], ch = 0;
	pid_t a, b;

	uniq(kid, sizeof(kid), "ns");
	snprintf(desc_b, sizeof(desc_b), "pairwise:%s-b", kid);
	snprintf(desc_i, sizeof(desc_i), "pairwise:%s-i", kid);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(stop));

	/* A: a daemon that only counts what it gets. */
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		struct genlc c;
		int n = 0;

		close(stop[1]);
		if (unshare(CLONE_NEWNET) || genlc_open(&c) ||
		    upcall_register(&c))
			_exit(100);
		if (write(ready[1], "R", 1) < 0)
			_exit(101);
		for (;;) {
			struct pollfd p[2] = {
				{ .fd = stop[0], .events = POLLIN },
				{ .fd = nl_socket_get_fd(c.sk), .events = POLLIN },
			};
			struct acquire q;

			if (poll(p, 2, -1) < 0)
				break;
			while (genlc_recv(&c, 0, on_acquire, &q) > 0)
				n += q.is_acquire;
			if (p[0].revents)
				break;
		}
		_exit(n);
	}
	ASSERT_EQ(1, read(ready[0], &ch, 1));
	ASSERT_EQ('R', ch);

	/* B: a daemon and a requester of its own. */
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		struct daemon d = { 0 };
		uint8_t key[32];
		key_serial_t k;
		int fails = 0;

		if (unshare(CLONE_NEWNET))
			_exit(100);
		RAND_bytes(key, sizeof(key));
		daemon_pairwise(&d, key);
		if (daemon_start(&d, D_ANSWER))
			_exit(101);
		k = request(desc_b, NULL);
		CHILD_CHECK(k > 0);
		CHILD_CHECK(daemon_wait(&d, 1) == 1);
		CHILD_CHECK(!strcmp(d.acq[0].desc, desc_b));
		CHILD_CHECK(d.acq[0].pid == (uint32_t)getpid());
		daemon_stop(&d);
		_exit(fails);
	}
	ASSERT_EQ(b, waitpid(b, &status_b, 0));
	EXPECT_TRUE(WIFEXITED(status_b));
	EXPECT_EQ(0, WEXITSTATUS(status_b));

	/* The initial namespace has no daemon: A is not asked. */
	EXPECT_EQ(-ENOTCONN, request(desc_i, NULL));

	ASSERT_EQ(1, write(stop[1], "x", 1));
	ASSERT_EQ(a, waitpid(a, &status_a, 0));
	EXPECT_TRUE(WIFEXITED(status_a));
	EXPECT_EQ(0, WEXITSTATUS(status_a)) TH_LOG("acquire requests A got");
}

struct requester {
	char desc[100];
	key_serial_t result;
};

static void *requester_run(void *arg)
{
	struct requester *r = arg;

	r->result = request(r->desc, NULL);
	return NULL;
}

TEST_F_TIMEOUT(nl, upcall_register_rules, 120)
{
	struct onem2m_esprim_pairwise_payload p;
	struct requester r = { .result = 0 };
	struct acquire q = { 0 };
	struct genlc a, b;
	uint8_t key[32] = { 7 };
	pthread_t th;
	char kid[64];
	int i, ret = 0;

	ASSERT_EQ(0, genlc_open(&a));
	ASSERT_EQ(0, genlc_open(&b));
	ASSERT_EQ(0, upcall_register(&a));
	EXPECT_EQ(-EBUSY, upcall_register(&b));
	EXPECT_STREQ("another key daemon is registered", b.extack);
	EXPECT_EQ(-ENOENT, upcall_complete(&a, NO_KEY, NULL, 0, EIO, 0));
	EXPECT_STREQ("no such upcall", a.extack);
	EXPECT_EQ(-EINVAL, upcall_complete(&a, NO_KEY, "x", 1, EIO, 0));
	EXPECT_EQ(-EINVAL, upcall_complete(&a, NO_KEY, NULL, 0, 0, 0));
	EXPECT_EQ(-EINVAL, upcall_complete(&a, 0, NULL, 0, EIO, 0));

	/* A pending upcall is answered by its daemon only. */
	uniq(kid, sizeof(kid), "rules");
	snprintf(r.desc, sizeof(r.desc), "pairwise:%s", kid);
	ASSERT_EQ(0, pthread_create(&th, NULL, requester_run, &r));
	while (genlc_recv(&a, 10000, on_acquire, &q) > 0 && !q.is_acquire)
		;
	ASSERT_TRUE(q.is_acquire);
	EXPECT_EQ(-EPERM, upcall_complete(&b, q.id, NULL, 0, EIO, 0));
	EXPECT_STREQ("not the registered key daemon", b.extack);
	tk_pairwise_payload(&p, key, TK_PEER);
	EXPECT_EQ(0, upcall_complete(&a, q.id, &p, sizeof(p), 0, 0));
	/* Answered once only. */
	EXPECT_EQ(-ENOENT, upcall_complete(&a, q.id, &p, sizeof(p), 0, 0));
	pthread_join(th, NULL);
	EXPECT_LT(0, r.result) TH_LOG("request_key: %s", strerror(-r.result));

	/* The registration ends with its socket. */
	genlc_close(&a);
	for (i = 0; i < 50; i++) {
		ret = upcall_register(&b);
		if (ret != -EBUSY)
			break;
		usleep(20000);
	}
	EXPECT_EQ(0, ret);
	genlc_close(&b);
}

/*
 * Only the registered daemon may answer (README: "else -EPERM"), even an
 * upcall that does not exist: other sockets learn nothing of upcall ids.
 */
TEST_F(nl, upcall_complete_from_other_socket)
{
	struct genlc a, b;

	ASSERT_EQ(0, genlc_open(&a));
	ASSERT_EQ(0, genlc_open(&b));
	EXPECT_EQ(-EPERM, upcall_complete(&b, NO_KEY, NULL, 0, EIO, 0))
		TH_LOG("no daemon: %s", b.extack);
	ASSERT_EQ(0, upcall_register(&a));
	EXPECT_EQ(-EPERM, upcall_complete(&b, NO_KEY, NULL, 0, EIO, 0));
	EXPECT_STREQ("not the registered key daemon", b.extack);
	genlc_close(&a);
	genlc_close(&b);
}

/* Batches. */

/* Netlink's sealing is the template's: OpenSSL agrees, for every enc. */
TEST_F_TIMEOUT(nl, batch_seal_open_match_openssl, 120)
{
	static const size_t text_len[] = { 100, 1, 0, 60000 };
	static const size_t aad_len[] = { 40, 0, 8192, 100 };
	uint8_t pwk[32], key[32], *buf = malloc(70000);
	struct tk_session spec = { .tag = "ossl" };
	struct item it[4] = { { 0 } }, op[4] = { { 0 } };
	struct batch b;
	key_serial_t pw, so, sr;
	char kid[64], ori[8];
	int enc, i;

	ASSERT_NE(NULL, buf);
	RAND_bytes(buf, 70000);
	pw = new_pairwise(kid, sizeof(kid), "ossl", pwk);
	ASSERT_LT(0, pw);
	for (enc = 1; enc <= 3; enc++) {
		unsigned int key_len = tk_session_key(pwk, spec.tag, enc, key);
		uint64_t counter = 0;

		snprintf(ori, sizeof(ori), "o%d", enc);
		spec.enc = enc;
		spec.role = ROLE_O;
		so = tk_add_session(kid, ori, "r", &spec, RING);
		spec.role = ROLE_R;
		sr = tk_add_session(kid, ori, "rr", &spec, RING);
		ASSERT_LT(0, so);
		ASSERT_LT(0, sr);
		for (i = 0; i < 4; i++) {
			memset(&it[i], 0, sizeof(it[i]));
			it[i].key = so;
			it[i].aad = aad_len[i] ? buf + 5000 : NULL;
			it[i].aad_len = aad_len[i];
			it[i].text = buf;
			it[i].text_len = text_len[i];
		}
		ASSERT_EQ(0, batch_call(&self->c, CMD(SEAL), it, 4, &b))
			TH_LOG("%s", self->c.extack);
		EXPECT_EQ(4, b.replies);
		EXPECT_EQ(0, b.misordered);
		EXPECT_EQ(0, b.unknown);
		for (i = 0; i < 4; i++) {
			const uint8_t *iv = it[i].trailer_out + TAG_LEN;
			uint8_t *ct = malloc(text_len[i] + 1), tag[16];

			ASSERT_EQ(0, it[i].status) TH_LOG("enc %d item %d", enc, i);
			ASSERT_TRUE(it[i].has_trailer);
			ASSERT_EQ(text_len[i], it[i].out_len);
			EXPECT_EQ(0, iv[0] >> 7);	/* originator */
			if (i) {
				EXPECT_EQ(counter + 1, iv_counter(iv));
			}
			counter = iv_counter(iv);
			ASSERT_EQ(0, gcm_ref_seal(key, key_len, iv,
						  it[i].aad, aad_len[i], buf,
						  text_len[i], ct, tag));
			EXPECT_EQ(0, memcmp(ct, it[i].out, text_len[i]))
				TH_LOG("enc %d item %d", enc, i);
			EXPECT_EQ(0, memcmp(tag, it[i].trailer_out, TAG_LEN));
			free(ct);

			memset(&op[i], 0, sizeof(op[i]));
			op[i].key = sr;
			op[i].aad = it[i].aad;
			op[i].aad_len = aad_len[i];
			op[i].text = it[i].out;
			op[i].text_len = text_len[i];
			op[i].trailer = it[i].trailer_out;
			op[i].trailer_len = TRAILER;
		}
		ASSERT_EQ(0, batch_call(&self->c, CMD(OPEN), op, 4, &b));
		EXPECT_EQ(4, b.replies);
		for (i = 0; i < 4; i++) {
			EXPECT_EQ(0, op[i].status) TH_LOG("enc %d item %d", enc, i);
			EXPECT_EQ(text_len[i], op[i].out_len);
			EXPECT_FALSE(op[i].has_trailer);
			if (op[i].out) {
				EXPECT_EQ(0, memcmp(op[i].out, buf, text_len[i]));
			}
		}
		items_free(it, 4);
		items_free(op, 4);
	}
	free(buf);
}

TEST_F_TIMEOUT(nl, batch_limits, 180)
{
	const int max = ONEM2M_ESPRIM_BATCH_MAX_ITEMS;
	struct tk_session spec = { .tag = "lim" };
	struct item *it = calloc(max + 1, sizeof(*it));
	uint8_t *big = calloc(1, 65000), trailer[TRAILER] = { 0 };
	uint64_t *counters = calloc(max, sizeof(*counters));
	key_serial_t pw, k;
	struct batch b;
	char kid[64];
	int i;

	ASSERT_NE(NULL, it);
	ASSERT_NE(NULL, big);
	ASSERT_NE(NULL, counters);
	pw = new_pairwise(kid, sizeof(kid), "lim", NULL);
	ASSERT_LT(0, pw);
	k = tk_add_session(kid, "o", "r", &spec, RING);
	ASSERT_LT(0, k);

	/* No items. */
	EXPECT_EQ(-EINVAL, batch_call(&self->c, CMD(SEAL), it, 0, NULL));
	EXPECT_STREQ("no items", self->c.extack);
	EXPECT_EQ(-EINVAL, batch_call(&self->c, CMD(OPEN), it, 0, NULL));
	EXPECT_STREQ("no items", self->c.extack);

	/* As many as may be, in order, each with its own IV. */
	for (i = 0; i <= max; i++) {
		it[i].key = k;
		it[i].aad = "aad";
		it[i].aad_len = 3;
		it[i].text = "text";
		it[i].text_len = 4;
	}
	ASSERT_EQ(0, batch_call(&self->c, CMD(SEAL), it, max, &b))
		TH_LOG("%s", self->c.extack);
	EXPECT_EQ(max, b.replies);
	EXPECT_EQ(0, b.misordered);
	EXPECT_EQ(0, b.unknown);
	for (i = 0; i < max; i++) {
		EXPECT_EQ(1, it[i].replied);
		EXPECT_EQ(0, it[i].status);
		counters[i] = iv_counter(it[i].trailer_out + TAG_LEN);
	}
	EXPECT_EQ(0, iv_count_duplicates(counters, max));
	items_free(it, max);

	/* One more is too many. */
	EXPECT_EQ(-E2BIG, batch_call(&self->c, CMD(SEAL), it, max + 1, NULL));
	EXPECT_STREQ("too many items", self->c.extack);
	for (i = 0; i <= max; i++) {
		it[i].trailer = trailer;
		it[i].trailer_len = TRAILER;
	}
	EXPECT_EQ(-E2BIG, batch_call(&self->c, CMD(OPEN), it, max + 1, NULL));
	EXPECT_STREQ("too many items", self->c.extack);

	/* Bytes: exactly the most, then one more. */
	memset(it, 0, 6 * sizeof(*it));
	for (i = 0; i < 5; i++) {
		it[i].key = k;
		it[i].text = big;
		it[i].text_len = i < 4 ? 60000 : 22144;
	}
	EXPECT_EQ(ONEM2M_ESPRIM_BATCH_MAX_BYTES, 4 * 60000 + 22144);
	ASSERT_EQ(0, batch_call(&self->c, CMD(SEAL), it, 5, &b))
		TH_LOG("%s", self->c.extack);
	EXPECT_EQ(5, b.replies);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(0, it[i].status);
	}
	items_free(it, 5);
	it[4].aad = "x";
	it[4].aad_len = 1;
	EXPECT_EQ(-EMSGSIZE, batch_call(&self->c, CMD(SEAL), it, 5, NULL));
	EXPECT_STREQ("batch too large", self->c.extack);
	it[4].aad = NULL;
	it[4].text_len = 60000;
	EXPECT_EQ(-EMSGSIZE, batch_call(&self->c, CMD(SEAL), it, 5, NULL));
	EXPECT_STREQ("batch too large", self->c.extack);

	/* Trailers of 28 bytes only. */
	memset(it, 0, sizeof(*it));
	it[0].key = k;
	it[0].text = "abcd";
	it[0].text_len = 4;
	it[0].trailer = trailer;
	it[0].trailer_len = TRAILER - 1;
	EXPECT_EQ(-ERANGE, batch_call(&self->c, CMD(OPEN), it, 1, NULL));
	EXPECT_STREQ("binary attribute size out of range", self->c.extack);
	free(counters);
	free(big);
	free(it);
}

/* Each item fails on its own; the others are unharmed. */
TEST_F_TIMEOUT(nl, batch_mixed_failures, 120)
{
	struct tk_session spec = { .tag = "mix" };
	uint8_t aad[ONEM2M_ESPRIM_MAX_AAD + 1] = { 0 }, bad[TRAILER];
	struct item s[8] = { { 0 } }, o[9] = { { 0 } }, obj[4] = { { 0 } };
	key_serial_t pw, so, sr, revoked, hard;
	char kid[64];
	int i;

	pw = new_pairwise(kid, sizeof(kid), "mix", NULL);
	ASSERT_LT(0, pw);
	spec.pairwise = pw;
	so = tk_add_session(kid, "o", "r", &spec, RING);
	spec.role = ROLE_R;
	sr = tk_add_session(kid, "o", "rr", &spec, RING);
	spec.role = ROLE_O;
	spec.tag = "mix-rev";
	revoked = tk_add_session(kid, "o2", "r", &spec, RING);
	spec.tag = "mix-hard";
	spec.hard_invocations = 1;
	hard = tk_add_session(kid, "o3", "r", &spec, RING);
	ASSERT_LT(0, so);
	ASSERT_LT(0, sr);
	ASSERT_LT(0, revoked);
	ASSERT_LT(0, hard);
	ASSERT_EQ(0, keyctl_revoke(revoked));
	ASSERT_EQ(0, nl_seal(&self->c, hard, NULL, 0, "x", 1, NULL, NULL));

	/* Sealing: good, no such key, no key given, AAD too long, revoked,
	 * used up, a pairwise key, good. */
	for (i = 0; i < 8; i++) {
		s[i].key = so;
		s[i].aad = "hdr";
		s[i].aad_len = 3;
		s[i].text = "object";
		s[i].text_len = 6;
	}
	s[1].key = NO_KEY;
	s[2].key = 0;
	s[3].aad = aad;
	s[3].aad_len = sizeof(aad);
	s[4].key = revoked;
	s[5].key = hard;
	s[6].key = pw;
	ASSERT_EQ(0, batch_call(&self->c, CMD(SEAL), s, 8, NULL))
		TH_LOG("%s", self->c.extack);
	EXPECT_EQ(0, s[0].status);
	EXPECT_EQ(ENOKEY, s[1].status);
	EXPECT_EQ(EINVAL, s[2].status);
	EXPECT_EQ(EINVAL, s[3].status);
	EXPECT_EQ(EKEYREVOKED, s[4].status);
	EXPECT_EQ(EKEYEXPIRED, s[5].status);
	EXPECT_NE(0, s[6].status);
	EXPECT_EQ(0, s[7].status);
	for (i = 1; i < 7; i++) {
		EXPECT_FALSE(s[i].has_out) TH_LOG("item %d", i);
		EXPECT_FALSE(s[i].has_trailer) TH_LOG("item %d", i);
	}
	EXPECT_EQ(iv_counter(s[0].trailer_out + TAG_LEN) + 1,
		  iv_counter(s[7].trailer_out + TAG_LEN));

	/* Four objects to open. */
	for (i = 0; i < 4; i++) {
		obj[i].key = so;
		obj[i].aad = "hdr";
		obj[i].aad_len = 3;
		obj[i].text = "object";
		obj[i].text_len = 6;
	}
	ASSERT_EQ(0, batch_call(&self->c, CMD(SEAL), obj, 4, NULL));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, obj[i].status);
	}
	memcpy(bad, obj[1].trailer_out, TRAILER);
	bad[5] ^= 0x80;

	/* Opening: good, no such key, a forged tag, a replay (of item 0,
	 * in the same batch), good, a reflected object, the genuine object
	 * of the forged one, no trailer, no key. */
	for (i = 0; i < 9; i++) {
		int j = i == 2 || i == 6 ? 1 : i == 4 ? 2 : 0;

		o[i].key = sr;
		o[i].aad = "hdr";
		o[i].aad_len = 3;
		o[i].text = obj[j].out;
		o[i].text_len = 6;
		o[i].trailer = obj[j].trailer_out;
		o[i].trailer_len = TRAILER;
	}
	o[1].key = NO_KEY;
	o[1].text = obj[3].out;
	o[1].trailer = obj[3].trailer_out;
	o[2].trailer = bad;
	o[5].key = so;			/* so opening its own object */
	o[5].text = obj[3].out;
	o[5].trailer = obj[3].trailer_out;
	o[7].trailer = NULL;
	o[8].key = 0;
	o[8].text = obj[3].out;
	o[8].trailer = obj[3].trailer_out;
	ASSERT_EQ(0, batch_call(&self->c, CMD(OPEN), o, 9, NULL))
		TH_LOG("%s", self->c.extack);
	EXPECT_EQ(0, o[0].status);
	EXPECT_EQ(ENOKEY, o[1].status);
	EXPECT_EQ(EBADMSG, o[2].status);
	EXPECT_EQ(EALREADY, o[3].status);
	EXPECT_EQ(0, o[4].status);
	EXPECT_EQ(EALREADY, o[5].status);
	EXPECT_EQ(0, o[6].status);
	EXPECT_EQ(EINVAL, o[7].status);
	EXPECT_EQ(EINVAL, o[8].status);
	for (i = 0; i < 9; i++) {
		EXPECT_EQ(1, o[i].replied) TH_LOG("item %d", i);
		if (o[i].status) {
			EXPECT_FALSE(o[i].has_out) TH_LOG("item %d", i);
		} else {
			ASSERT_TRUE(o[i].has_out) TH_LOG("item %d", i);
			EXPECT_EQ(0, memcmp("object", o[i].out, 6));
		}
	}
	/* The object the failing items named still opens. */
	o[0].text = obj[3].out;
	o[0].trailer = obj[3].trailer_out;
	EXPECT_EQ(0, batch_call(&self->c, CMD(OPEN), o, 1, NULL));
	EXPECT_EQ(0, o[0].status);
	items_free(s, 8);
	items_free(o, 9);
	items_free(obj, 4);
}

/* Netlink and AF_ALG: one session state, one object format. */
TEST_F_TIMEOUT(nl, batch_afalg_interop, 120)
{
	struct tk_session spec = { .tag = "afalg" };
	const char aad[] = "eyJhbGciOiJkaXIifQ", text[] = "{\"op\":2}";
	size_t al = strlen(aad), tl = strlen(text);
	uint8_t in[64], out[128], ct[16], tr[TRAILER], pt[16];
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
	};
	struct kcapi_handle *ho, *hr;
	key_serial_t pw, so, sr;
	uint64_t c1, c2, c3;
	char kid[64];

	pw = new_pairwise(kid, sizeof(kid), "afalg", NULL);
	ASSERT_LT(0, pw);
	so = tk_add_session(kid, "o", "r", &spec, RING);
	spec.role = ROLE_R;
	sr = tk_add_session(kid, "o", "rr", &spec, RING);
	ASSERT_LT(0, so);
	ASSERT_LT(0, sr);
	ref.serial = so;
	ASSERT_EQ(0, esprim_afalg_open(&ho, ONEM2M_ESPRIM_AEAD_ALG, &ref,
				       sizeof(ref), TRAILER));
	ref.serial = sr;
	ASSERT_EQ(0, esprim_afalg_open(&hr, ONEM2M_ESPRIM_AEAD_ALG, &ref,
				       sizeof(ref), TRAILER));

	/* Sealed by netlink, opened by AF_ALG. */
	ASSERT_EQ(0, nl_seal(&self->c, so, aad, al, text, tl, ct, tr));
	c2 = iv_counter(tr + TAG_LEN);
	memcpy(in, aad, al);
	memcpy(in + al, ct, tl);
	memcpy(in + al + tl, tr, TRAILER);
	ASSERT_EQ((ssize_t)(al + tl),
		  esprim_afalg_crypt(hr, false, NULL, al, in, al + tl + TRAILER,
				     out, al + tl));
	EXPECT_EQ(0, memcmp(out + al, text, tl));
	/* The replay state is the session's, whoever opens. */
	EXPECT_EQ(EALREADY, nl_open(&self->c, sr, aad, al, ct, tl, tr, NULL));

	/* Sealed by AF_ALG, opened by netlink; the counter is shared. */
	memcpy(in, aad, al);
	memcpy(in + al, text, tl);
	ASSERT_EQ((ssize_t)(al + tl + TRAILER),
		  esprim_afalg_crypt(ho, true, NULL, al, in, al + tl, out,
				     al + tl + TRAILER));
	c3 = iv_counter(out + al + tl + TAG_LEN);
	EXPECT_EQ(c2 + 1, c3);
	EXPECT_EQ(iv_fixed(tr + TAG_LEN), iv_fixed(out + al + tl + TAG_LEN));
	ASSERT_EQ(0, nl_open(&self->c, sr, aad, al, out + al, tl, out + al + tl,
			     pt));
	EXPECT_EQ(0, memcmp(pt, text, tl));
	/* Opened once by netlink, the AF_ALG side refuses it again. */
	EXPECT_EQ(-EALREADY,
		  esprim_afalg_crypt(hr, false, NULL, al, out, al + tl + TRAILER,
				     in, al + tl));
	ASSERT_EQ(0, nl_seal(&self->c, so, aad, al, text, tl, ct, tr));
	c1 = iv_counter(tr + TAG_LEN);
	EXPECT_EQ(c3 + 1, c1);
	kcapi_aead_destroy(ho);
	kcapi_aead_destroy(hr);
}

struct sealer {
	struct genlc c;
	key_serial_t sessions[2];
	int rounds, failures;
	uint64_t *counters[2];
	size_t n[2];
	uint32_t fixed[2];
	int fixed_changed;
};

#define PER_BATCH	64

static void *sealer_run(void *arg)
{
	struct sealer *w = arg;
	struct item it[PER_BATCH];
	int r, i;

	for (r = 0; r < w->rounds; r++) {
		memset(it, 0, sizeof(it));
		for (i = 0; i < PER_BATCH; i++) {
			it[i].key = w->sessions[i % 2];
			it[i].text = "abc";
			it[i].text_len = 3;
		}
		if (batch_call(&w->c, CMD(SEAL), it, PER_BATCH, NULL)) {
			w->failures++;
			continue;
		}
		for (i = 0; i < PER_BATCH; i++) {
			const uint8_t *iv = it[i].trailer_out + TAG_LEN;
			int s = i % 2;

			if (it[i].status || !it[i].has_trailer) {
				w->failures++;
				continue;
			}
			if (w->n[s] && w->fixed[s] != iv_fixed(iv))
				w->fixed_changed++;
			w->fixed[s] = iv_fixed(iv);
			w->counters[s][w->n[s]++] = iv_counter(iv);
		}
		items_free(it, PER_BATCH);
	}
	return NULL;
}

/* Four threads sealing on two shared sessions: no IV twice. */
TEST_F_TIMEOUT(nl, batch_threads_unique_ivs, 300)
{
	enum { THREADS = 4 };
	const int rounds = test_scaled(100);
	struct tk_session spec = { 0 };
	struct sealer w[THREADS];
	pthread_t th[THREADS];
	key_serial_t pw, sess[2];
	struct session_info si;
	char kid[64];
	int i, s;

	pw = new_pairwise(kid, sizeof(kid), "thr", NULL);
	ASSERT_LT(0, pw);
	spec.tag = "t0";
	sess[0] = tk_add_session(kid, "o0", "r", &spec, RING);
	spec.tag = "t1";
	sess[1] = tk_add_session(kid, "o1", "r", &spec, RING);
	ASSERT_LT(0, sess[0]);
	ASSERT_LT(0, sess[1]);
	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, genlc_open(&w[i].c));
		w[i].sessions[0] = sess[0];
		w[i].sessions[1] = sess[1];
		w[i].rounds = rounds;
		for (s = 0; s < 2; s++) {
			w[i].counters[s] = calloc(rounds * PER_BATCH,
						  sizeof(uint64_t));
			ASSERT_NE(NULL, w[i].counters[s]);
		}
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_create(&th[i], NULL, sealer_run, &w[i]));
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);

	for (s = 0; s < 2; s++) {
		size_t total = 0, k = 0;
		uint64_t *all;

		for (i = 0; i < THREADS; i++)
			total += w[i].n[s];
		EXPECT_EQ((size_t)THREADS * rounds * PER_BATCH / 2, total);
		all = calloc(total + 1, sizeof(*all));
		ASSERT_NE(NULL, all);
		for (i = 0; i < THREADS; i++) {
			memcpy(all + k, w[i].counters[s],
			       w[i].n[s] * sizeof(*all));
			k += w[i].n[s];
			EXPECT_EQ(w[0].fixed[s], w[i].fixed[s]);
		}
		EXPECT_EQ(0, iv_count_duplicates(all, total)) TH_LOG("session %d", s);
		ASSERT_EQ(0, session_get(&self->c, sess[s], &si));
		EXPECT_EQ(total, SV(&si, SEALS));
		free(all);
	}
	EXPECT_NE(w[0].fixed[0], w[0].fixed[1]);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, w[i].failures);
		EXPECT_EQ(0, w[i].fixed_changed);
		genlc_close(&w[i].c);
		free(w[i].counters[0]);
		free(w[i].counters[1]);
	}
}

TEST_HARNESS_MAIN
