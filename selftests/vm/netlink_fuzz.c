// SPDX-License-Identifier: GPL-2.0
/*
 * Random messages to the onem2m_esprim generic netlink family: valid
 * requests of every command, mutated attribute by attribute (dropped,
 * duplicated, truncated, retyped, relengthened, overwritten, filled with
 * nested garbage, inserted) and in their headers (command, version,
 * reserved bytes, flags, lengths, trailing bytes).  Every answer must be
 * an ack, a documented error or a well-formed reply; afterwards the module
 * still answers correctly and nothing is left behind (session keys, the
 * session count).  The guest log check catches kernel noise.
 *
 *   ESPRIM_FUZZ_MESSAGES   messages to send (default 100000, divided by
 *                          ESPRIM_TEST_SCALE: the debug kernel under TCG
 *                          takes some 450 s for 100,000, 4.5 ms each)
 *   ESPRIM_FUZZ_SEED       the generator's seed (default: from the clock)
 *
 * Runs inside the test VM as root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "../lib/genl.h"
#include "../lib/scale.h"
#include "../lib/session_keys.h"

#define TRAILER		ONEM2M_ESPRIM_TRAILER_LEN
#define RING		KEY_SPEC_SESSION_KEYRING
#define CMD(x)		ONEM2M_ESPRIM_CMD_##x
#define A_SESSION(x)	ONEM2M_ESPRIM_A_SESSION_##x
#define A_CONFIG(x)	ONEM2M_ESPRIM_A_CONFIG_##x
#define A_UPCALL(x)	ONEM2M_ESPRIM_A_UPCALL_##x
#define A_ITEM(x)	ONEM2M_ESPRIM_A_ITEM_##x
#define A_BATCH_ITEM	ONEM2M_ESPRIM_A_BATCH_ITEM

#define BUFSZ		16384
#define MAXSPAN		512
#define NTEMPLATES	16

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct fmsg {
	uint8_t b[BUFSZ];
	size_t len;
};

static struct nlmsghdr *fhdr(struct fmsg *m)
{
	return (struct nlmsghdr *)m->b;
}

/* Where the attributes are: offset of each header, and its parent. */
struct span {
	size_t off;
	int parent;
};

static int walk(struct fmsg *m, size_t start, size_t end, int parent,
		struct span *sp, int n)
{
	size_t off = start;

	while (off + NLA_HDRLEN <= end && n < MAXSPAN) {
		struct nlattr *a = (struct nlattr *)(m->b + off);
		int me = n;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		sp[n].off = off;
		sp[n].parent = parent;
		n++;
		if (a->nla_type & NLA_F_NESTED)
			n = walk(m, off + NLA_HDRLEN, off + a->nla_len, me, sp,
				 n);
		off += NLA_ALIGN(a->nla_len);
	}
	return n;
}

static size_t attrs_start(void)
{
	return NLMSG_HDRLEN + GENL_HDRLEN;
}

static int find_spans(struct fmsg *m, struct span *sp)
{
	size_t end = fhdr(m)->nlmsg_len;

	if (end > m->len)
		end = m->len;
	if (end < attrs_start())
		return 0;
	return walk(m, attrs_start(), end, -1, sp, 0);
}

/*
 * Replaces @del bytes at @pos with @n bytes of @ins; the attributes from
 * @owner up (those containing @pos) and the message grow or shrink with
 * it.  Returns 0, or -1 (nothing done) when that cannot be.
 */
static int splice(struct fmsg *m, const struct span *sp, int owner,
		  size_t pos, size_t del, const void *ins, size_t n)
{
	long delta = (long)n - (long)del;
	int i;

	if (pos + del > m->len || m->len + delta > BUFSZ)
		return -1;
	for (i = owner; i >= 0; i = sp[i].parent) {
		struct nlattr *a = (struct nlattr *)(m->b + sp[i].off);

		if ((long)a->nla_len + delta > 0xffff ||
		    (long)a->nla_len + delta < NLA_HDRLEN)
			return -1;
	}
	memmove(m->b + pos + n, m->b + pos + del, m->len - pos - del);
	if (n)
		memcpy(m->b + pos, ins, n);
	m->len += delta;
	for (i = owner; i >= 0; i = sp[i].parent)
		((struct nlattr *)(m->b + sp[i].off))->nla_len += delta;
	fhdr(m)->nlmsg_len += delta;
	return 0;
}

static void random_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd();
}

/* Values attributes are likely to be checked against. */
static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 63, 64, 96, 100, 255, 256, 4095, 4096, 4097,
		0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
		1ULL << 32, (1ULL << 32) + 1, ~0ULL, 262144, 262145, 600000,
		600001, 3600, 3601,
	};

	return v[rn(sizeof(v) / sizeof(v[0]))];
}

/* An attribute of random type and payload into @out; its length. */
static size_t random_attr(uint8_t *out, size_t room, int depth)
{
	struct nlattr *a = (struct nlattr *)out;
	size_t plen = 0, len;

	if (room < NLA_HDRLEN + 8)
		return 0;
	a->nla_type = rn(8) ? 1 + rn(12) : rnd();
	switch (rn(6)) {
	case 0:
		plen = 4;
		*(uint32_t *)(out + NLA_HDRLEN) = interesting();
		break;
	case 1:
		plen = 8;
		*(uint64_t *)(out + NLA_HDRLEN) = interesting();
		break;
	case 2:
		plen = rn(3);
		random_bytes(out + NLA_HDRLEN, plen);
		break;
	case 3:
		if (depth < 5) {
			size_t k, n = rn(4);

			a->nla_type |= NLA_F_NESTED;
			for (k = 0; k < n; k++)
				plen += random_attr(out + NLA_HDRLEN + plen,
						    room - NLA_HDRLEN - plen,
						    depth + 1);
			break;
		}
		/* fall through */
	default:
		plen = rn(room - NLA_HDRLEN < 64 ? room - NLA_HDRLEN : 64);
		random_bytes(out + NLA_HDRLEN, plen);
	}
	len = NLA_HDRLEN + plen;
	a->nla_len = len;
	if (!rn(16))
		a->nla_len = rn(2) ? rnd() : len + rn(9) - 4;	/* a lie */
	return NLA_ALIGN(len) <= room ? NLA_ALIGN(len) : len;
}

/* One mutation of @m, at a random place. */
static void mutate(struct fmsg *m)
{
	struct span sp[MAXSPAN];
	int n = find_spans(m, sp), i = n ? (int)rn(n) : -1;
	struct nlattr *a = i >= 0 ? (struct nlattr *)(m->b + sp[i].off) : NULL;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->b + NLMSG_HDRLEN);
	uint8_t tmp[4096];
	size_t off = a ? sp[i].off : 0, len, k;

	switch (rn(12)) {
	case 0:		/* drop an attribute */
		if (!a)
			break;
		len = NLA_ALIGN(a->nla_len);
		if (off + len > m->len)
			len = m->len - off;
		splice(m, sp, sp[i].parent, off, len, NULL, 0);
		break;
	case 1:		/* duplicate one */
		if (!a)
			break;
		len = NLA_ALIGN(a->nla_len);
		if (off + len > m->len || len > sizeof(tmp))
			break;
		memcpy(tmp, m->b + off, len);
		splice(m, sp, sp[i].parent, off + len, 0, tmp, len);
		break;
	case 2:		/* shorter, its bytes left behind */
		if (a)
			a->nla_len = rn(a->nla_len);
		break;
	case 3:		/* shorter, its bytes cut */
		if (!a || a->nla_len <= NLA_HDRLEN)
			break;
		len = a->nla_len - 1 - rn(a->nla_len - NLA_HDRLEN);
		k = NLA_ALIGN(a->nla_len) - NLA_ALIGN(len);
		if (off + NLA_ALIGN(a->nla_len) > m->len)
			break;
		if (!splice(m, sp, sp[i].parent, off + NLA_ALIGN(len), k, NULL,
			    0))
			((struct nlattr *)(m->b + off))->nla_len = len;
		break;
	case 4:		/* another type */
		if (!a)
			break;
		switch (rn(4)) {
		case 0:
			a->nla_type = rnd();
			break;
		case 1:
			a->nla_type ^= NLA_F_NESTED;
			break;
		case 2:
			a->nla_type ^= NLA_F_NET_BYTEORDER;
			break;
		default:
			a->nla_type = rn(12) | (a->nla_type & NLA_F_NESTED);
		}
		break;
	case 5:		/* another length */
		if (a)
			a->nla_len = rn(3) ? a->nla_len + rn(17) - 8 : rnd();
		break;
	case 6:		/* random bytes in the payload */
		if (!a || a->nla_len <= NLA_HDRLEN ||
		    off + a->nla_len > m->len)
			break;
		for (k = 0, len = 1 + rn(4); k < len; k++)
			m->b[off + NLA_HDRLEN +
			     rn(a->nla_len - NLA_HDRLEN)] = rnd();
		break;
	case 7:		/* nested garbage for a payload */
		if (!a || off + NLA_ALIGN(a->nla_len) > m->len)
			break;
		len = 0;
		for (k = rn(5); k > 0; k--)
			len += random_attr(tmp + len, 512 - len, 0);
		if (!splice(m, sp, i, off + NLA_HDRLEN,
			    NLA_ALIGN(a->nla_len) - NLA_HDRLEN, tmp, len)) {
			a = (struct nlattr *)(m->b + off);
			a->nla_len = NLA_HDRLEN + len;
			if (rn(4))
				a->nla_type |= NLA_F_NESTED;
		}
		break;
	case 8:		/* a new attribute, before another or at the end */
		len = random_attr(tmp, 256, 0);
		if (a && rn(2))
			splice(m, sp, sp[i].parent, off, 0, tmp, len);
		else if (fhdr(m)->nlmsg_len == m->len)
			splice(m, sp, -1, m->len, 0, tmp, len);
		break;
	case 9:		/* the generic netlink header */
		if (m->len < attrs_start())
			break;
		switch (rn(4)) {
		case 0:
			g->cmd = rn(4) ? 1 + rn(12) : rnd();
			break;
		case 1:
			g->version = rnd();
			break;
		case 2:
			g->reserved = rnd() | 1;
			break;
		default:
			fhdr(m)->nlmsg_flags ^= 1 << rn(16);
		}
		break;
	case 10:	/* the message's length, trailing bytes */
		switch (rn(4)) {
		case 0:
			fhdr(m)->nlmsg_len = rn(m->len + 16);
			break;
		case 1:
			fhdr(m)->nlmsg_len += rn(9) - 4;
			break;
		default:
			len = 1 + rn(24);
			if (m->len + len <= BUFSZ) {
				random_bytes(m->b + m->len, len);
				m->len += len;
				if (rn(2))
					fhdr(m)->nlmsg_len += len;
			}
		}
		break;
	default:	/* an attribute moved to the end */
		if (!a || sp[i].parent >= 0)
			break;
		len = NLA_ALIGN(a->nla_len);
		if (off + len > m->len || len > sizeof(tmp) ||
		    fhdr(m)->nlmsg_len != m->len)
			break;
		memcpy(tmp, m->b + off, len);
		if (!splice(m, sp, -1, off, len, NULL, 0))
			splice(m, sp, -1, m->len, 0, tmp, len);
	}
}

/* The configuration, as config-get tells it. */
struct ints_cfg {
	uint64_t v[A_CONFIG(MAX) + 1];
	uint32_t present;
};

/* The objects of the fuzzing: sessions, templates of valid requests. */
struct world {
	struct genlc c, v;		/* the fuzzed socket, the checker */
	char kid[64];
	uint8_t pwk[32];
	key_serial_t pw, so, sr, soff, victim;
	uint8_t ct[4][16], tr[4][TRAILER];
	struct fmsg tmpl[NTEMPLATES];
	int ntmpl;
	struct ints_cfg saved;
};

static int on_config(struct nlmsghdr *nlh, void *arg)
{
	struct ints_cfg *cfg = arg;
	struct nlattr *tb[A_CONFIG(MAX) + 1];
	int i;

	if (genlc_parse(nlh, tb, A_CONFIG(MAX)))
		return -EPROTO;
	for (i = 1; i <= A_CONFIG(MAX); i++) {
		if (!tb[i])
			continue;
		cfg->present |= 1u << i;
		cfg->v[i] = nla_len(tb[i]) == 1 ? nla_get_u8(tb[i]) :
			    nla_len(tb[i]) == 4 ? nla_get_u32(tb[i]) :
			    nla_get_u64(tb[i]);
	}
	return 0;
}

static const int config_width[A_CONFIG(MAX) + 1] = {
	[A_CONFIG(REPLAY)] = 1, [A_CONFIG(REPLAY_WINDOW)] = 4,
	[A_CONFIG(SOFT_INVOCATIONS)] = 8, [A_CONFIG(HARD_INVOCATIONS)] = 8,
	[A_CONFIG(SOFT_SECONDS)] = 4, [A_CONFIG(HARD_SECONDS)] = 4,
	[A_CONFIG(UPCALL_TIMEOUT)] = 4, [A_CONFIG(NEGATIVE_TIMEOUT)] = 4,
	[A_CONFIG(SESSION_CAP)] = 4,
};

static struct nl_msg *config_set_msg(struct genlc *c,
				     const struct ints_cfg *cfg)
{
	struct nl_msg *m = genlc_msg(c, CMD(CONFIG_SET), 0, 0);
	int i;

	for (i = 1; i <= A_CONFIG(MAX); i++) {
		if (!(cfg->present & (1u << i)))
			continue;
		if (config_width[i] == 1)
			nla_put_u8(m, i, cfg->v[i]);
		else if (config_width[i] == 4)
			nla_put_u32(m, i, cfg->v[i]);
		else if (config_width[i] == 8)
			nla_put_u64(m, i, cfg->v[i]);
	}
	return m;
}

/* Counts the replies of a batch and their statuses. */
struct batch_result {
	int items, ok;
	uint8_t text[16], trailer[TRAILER];
};

static int on_batch(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct batch_result *r = arg;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		struct nlattr *tb[A_ITEM(MAX) + 1];

		if (nla_parse_nested(tb, A_ITEM(MAX), a, NULL) ||
		    !tb[A_ITEM(STATUS)])
			return -EPROTO;
		r->items++;
		if (nla_get_u32(tb[A_ITEM(STATUS)]))
			continue;
		r->ok++;
		if (tb[A_ITEM(TEXT)] && nla_len(tb[A_ITEM(TEXT)]) <= 16)
			memcpy(r->text, nla_data(tb[A_ITEM(TEXT)]),
			       nla_len(tb[A_ITEM(TEXT)]));
		if (tb[A_ITEM(TRAILER)] && nla_len(tb[A_ITEM(TRAILER)]) == TRAILER)
			memcpy(r->trailer, nla_data(tb[A_ITEM(TRAILER)]),
			       TRAILER);
	}
	return 0;
}

static void put_item(struct nl_msg *m, key_serial_t key, const void *aad,
		     size_t aad_len, const void *text, size_t text_len,
		     const uint8_t *trailer)
{
	struct nlattr *nest = nla_nest_start(m, A_BATCH_ITEM);

	nla_put_u32(m, A_ITEM(KEY_SERIAL), key);
	if (aad)
		nla_put(m, A_ITEM(AAD), aad_len, aad);
	nla_put(m, A_ITEM(TEXT), text_len, text);
	if (trailer)
		nla_put(m, A_ITEM(TRAILER), TRAILER, trailer);
	nla_nest_end_keep_empty(m, nest);
}

/* One seal on the checker socket: 0 and @ct, @tr, or an error. */
static int seal1(struct world *w, key_serial_t key, uint8_t *ct, uint8_t *tr)
{
	struct nl_msg *m = genlc_msg(&w->v, CMD(SEAL), 0, 0);
	struct batch_result r = { 0 };
	int ret;

	put_item(m, key, "hdr", 3, "fuzzing!", 8, NULL);
	ret = genlc_call(&w->v, m, on_batch, &r);
	if (ret)
		return ret;
	if (r.items != 1 || r.ok != 1)
		return -EPROTO;
	memcpy(ct, r.text, 8);
	memcpy(tr, r.trailer, TRAILER);
	return 0;
}

static int open1(struct world *w, key_serial_t key, const uint8_t *ct,
		 const uint8_t *tr)
{
	struct nl_msg *m = genlc_msg(&w->v, CMD(OPEN), 0, 0);
	struct batch_result r = { 0 };
	int ret;

	put_item(m, key, "hdr", 3, ct, 8, tr);
	ret = genlc_call(&w->v, m, on_batch, &r);
	if (ret)
		return ret;
	if (r.items != 1 || r.ok != 1 || memcmp(r.text, "fuzzing!", 8))
		return -EPROTO;
	return 0;
}

static int session_ok(struct world *w, key_serial_t key)
{
	struct nl_msg *m = genlc_msg(&w->v, CMD(SESSION_GET), 0, 0);

	nla_put_u32(m, A_SESSION(KEY_SERIAL), key);
	return genlc_call(&w->v, m, NULL, NULL) == 0;
}

static void add_template(struct world *w, struct nl_msg *m, int flags)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct fmsg *t = &w->tmpl[w->ntmpl++];

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(t->b, nlh, nlh->nlmsg_len);
	t->len = nlh->nlmsg_len;
	nlmsg_free(m);
}

/*
 * Sessions (again, when the fuzzing flushed them) and valid requests of
 * every command on them.  Returns 0, or what failed.
 */
static int make_world(struct world *w)
{
	struct tk_session spec = { .pairwise = w->pw, .tag = "fz" };
	struct onem2m_esprim_pairwise_payload pp;
	struct genlc *c = &w->c;
	struct nl_msg *m;
	char tag[48];
	int i;

	/* A fuzzed configuration (a session cap of 1...) first undone. */
	if (genlc_call(&w->v, config_set_msg(&w->v, &w->saved), NULL, NULL))
		return -1;
	if (!session_ok(w, w->so) || !session_ok(w, w->sr) ||
	    !session_ok(w, w->soff)) {
		snprintf(tag, sizeof(tag), "fz-%08x", (uint32_t)rnd());
		spec.tag = tag;
		spec.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
		w->so = tk_add_session(w->kid, "o", "r", &spec, RING);
		spec.role = ONEM2M_ESPRIM_ROLE_RECEIVER;
		w->sr = tk_add_session(w->kid, "o", "rr", &spec, RING);
		spec.role = ONEM2M_ESPRIM_ROLE_ORIGINATOR;
		spec.replay = ONEM2M_ESPRIM_REPLAY_OFF;
		snprintf(tag, sizeof(tag), "fz-off-%08x", (uint32_t)rnd());
		w->soff = tk_add_session(w->kid, "o", "roff", &spec, RING);
		if (w->so < 0 || w->sr < 0 || w->soff < 0)
			return -2;
	}
	if (!session_ok(w, w->victim)) {
		snprintf(tag, sizeof(tag), "fz-v-%08x", (uint32_t)rnd());
		spec.tag = tag;
		spec.replay = 0;
		w->victim = tk_add_session(w->kid, "o", "rv", &spec, RING);
		if (w->victim < 0)
			return -3;
	}
	for (i = 0; i < 4; i++)
		if (seal1(w, w->so, w->ct[i], w->tr[i]))
			return -4;

	w->ntmpl = 0;
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), w->so);
	add_template(w, m, 0);
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(PAIRWISE_SERIAL), w->pw);
	add_template(w, m, NLM_F_DUMP);
	m = genlc_msg(c, CMD(SESSION_GET), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), w->sr);
	nla_put_u32(m, A_SESSION(PAIRWISE_SERIAL), w->pw);
	add_template(w, m, NLM_F_DUMP);
	m = genlc_msg(c, CMD(SESSION_FLUSH), 0, 0);
	nla_put_u32(m, A_SESSION(KEY_SERIAL), w->victim);
	add_template(w, m, 0);
	add_template(w, genlc_msg(c, CMD(STATS_GET), 0, 0), 0);
	add_template(w, genlc_msg(c, CMD(CONFIG_GET), 0, 0), 0);
	add_template(w, config_set_msg(c, &w->saved), 0);
	add_template(w, genlc_msg(c, CMD(UPCALL_REGISTER), 0, 0), 0);
	m = genlc_msg(c, CMD(UPCALL_COMPLETE), 0, 0);
	nla_put_u32(m, A_UPCALL(ID), w->victim);
	nla_put_u32(m, A_UPCALL(ERROR), EIO);
	nla_put_u32(m, A_UPCALL(NEGATIVE_TIMEOUT), 1);
	add_template(w, m, 0);
	m = genlc_msg(c, CMD(UPCALL_COMPLETE), 0, sizeof(pp));
	tk_pairwise_payload(&pp, w->pwk, TK_PEER);
	nla_put_u32(m, A_UPCALL(ID), w->so);
	nla_put(m, A_UPCALL(PAYLOAD), sizeof(pp), &pp);
	add_template(w, m, 0);
	m = genlc_msg(c, CMD(SEAL), 0, 0);
	put_item(m, w->so, "hdr", 3, "fuzzing!", 8, NULL);
	put_item(m, w->soff, NULL, 0, "x", 1, NULL);
	put_item(m, w->so, "a", 1, "", 0, NULL);
	add_template(w, m, 0);
	m = genlc_msg(c, CMD(OPEN), 0, 0);
	put_item(m, w->sr, "hdr", 3, w->ct[0], 8, w->tr[0]);
	put_item(m, w->sr, "hdr", 3, w->ct[1], 8, w->tr[1]);
	add_template(w, m, 0);
	m = genlc_msg(c, CMD(OPEN), 0, 0);
	put_item(m, w->sr, "hdr", 3, w->ct[2], 8, w->tr[2]);
	add_template(w, m, 0);
	return 0;
}

/* The answers seen, by errno (0: ack or reply, 1: none). */
struct tally {
	unsigned long by_errno[4096];
	unsigned long unexpected, malformed_replies, replies;
};

static int on_reply(struct nlmsghdr *nlh, void *arg)
{
	struct tally *t = arg;
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *a;
	int rem;

	t->replies++;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		t->malformed_replies++;
		return 0;
	}
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		if (nla_type(a) == A_BATCH_ITEM &&
		    (g->cmd == CMD(SEAL) || g->cmd == CMD(OPEN))) {
			struct nlattr *b;
			int rem2;

			nla_for_each_nested(b, a, rem2)
				;
			if (rem2)
				t->malformed_replies++;
		}
	}
	if (rem)
		t->malformed_replies++;
	return 0;
}

static int expected_errno(int e)
{
	switch (e) {
	case EINVAL: case ERANGE: case EOPNOTSUPP: case EPERM: case ENOKEY:
	case EACCES: case EKEYREVOKED: case EKEYEXPIRED: case E2BIG:
	case EMSGSIZE: case ENOENT: case EBUSY: case EKEYREJECTED:
		return 1;
	}
	return 0;
}

/*
 * esprim keys in /proc/keys (root sees its own) whose line has @tag (NULL:
 * all).
 */
static int proc_keys_esprim(const char *tag)
{
	FILE *f = fopen("/proc/keys", "r");
	char line[512], type[32];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*x %*s %*d %*s %*x %*d %*d %31s", type) == 1 &&
		    !strcmp(type, ONEM2M_ESPRIM_KEY_TYPE) &&
		    (!tag || strstr(line, tag)))
			n++;
	if (f)
		fclose(f);
	return n;
}

static int on_stats(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[ONEM2M_ESPRIM_A_STATS_MAX + 1];

	if (!genlc_parse(nlh, tb, ONEM2M_ESPRIM_A_STATS_MAX) &&
	    tb[ONEM2M_ESPRIM_A_STATS_SESSIONS])
		*(uint32_t *)arg = nla_get_u32(tb[ONEM2M_ESPRIM_A_STATS_SESSIONS]);
	return 0;
}

static uint32_t sessions_now(struct genlc *c)
{
	uint32_t sessions = ~0u;

	genlc_call(c, genlc_msg(c, CMD(STATS_GET), 0, 0), on_stats, &sessions);
	return sessions;
}

/* The esprim key and session counts once keys of earlier tests went. */
static void stable_counts(struct genlc *c, int *keys, uint32_t *sessions)
{
	int i, k = proc_keys_esprim(NULL);
	uint32_t s = sessions_now(c);

	for (i = 0; i < 40; i++) {
		usleep(250000);
		if (k == proc_keys_esprim(NULL) && s == sessions_now(c))
			break;
		k = proc_keys_esprim(NULL);
		s = sessions_now(c);
	}
	*keys = k;
	*sessions = s;
}

FIXTURE(fuzz) {
	struct world w;
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_EQ(0, genlc_open(&self->w.c));
	ASSERT_EQ(0, genlc_open(&self->w.v));
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->w.v.sk)
		genlc_call(&self->w.v, config_set_msg(&self->w.v,
						      &self->w.saved),
			   NULL, NULL);
	genlc_close(&self->w.c);
	genlc_close(&self->w.v);
}

TEST_F_TIMEOUT(fuzz, random_messages, 3600)
{
	const char *env = getenv("ESPRIM_FUZZ_MESSAGES");
	unsigned long count = env ? strtoul(env, NULL, 0) :
				    test_scaled(100000), i;
	struct world *w = &self->w;
	struct tally *t = calloc(1, sizeof(*t));
	struct fmsg *m = malloc(sizeof(*m));
	int keys0, keys1 = -1, ours = -1, ret, e;
	uint32_t sessions0, sessions1 = 0;
	struct ints_cfg cfg = { 0 };
	uint64_t seed;
	double t0, secs;

	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, m);
	env = getenv("ESPRIM_FUZZ_SEED");
	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ getpid();
	rng = seed ? seed : 1;
	TH_LOG("seed %llu, %lu messages", (unsigned long long)seed, count);

	ASSERT_EQ(0, genlc_call(&w->v, genlc_msg(&w->v, CMD(CONFIG_GET), 0, 0),
				on_config, &w->saved));
	stable_counts(&w->v, &keys0, &sessions0);
	snprintf(w->kid, sizeof(w->kid), "fuzz-%d-%08x", getpid(),
		 (uint32_t)rnd());
	RAND_bytes(w->pwk, sizeof(w->pwk));
	w->pw = tk_add_pairwise(w->kid, w->pwk, RING);
	ASSERT_LT(0, w->pw);
	w->so = w->sr = w->soff = w->victim = 0;
	ASSERT_EQ(0, make_world(w));
	/* The count sees ours: the pairwise key and four sessions. */
	EXPECT_EQ(5, proc_keys_esprim(w->kid));

	t0 = now_s();
	for (i = 0; i < count; i++) {
		int mutations = rn(10) ? 1 + rn(3) : 0;

		if (i && i % 2000 == 0) {
			ret = make_world(w);
			ASSERT_EQ(0, ret) TH_LOG("message %lu", i);
		}
		*m = w->tmpl[rn(w->ntmpl)];
		while (mutations--)
			mutate(m);
		if (m->len < NLMSG_HDRLEN) {
			t->by_errno[1]++;
			continue;
		}
		ret = genlc_call_raw(&w->c, m->b, m->len, on_reply, t);
		if (ret == GENLC_NO_ANSWER) {
			t->by_errno[1]++;
			continue;
		}
		e = -ret;
		if (ret < 0 && e < 4096 && expected_errno(e)) {
			t->by_errno[e]++;
			continue;
		}
		if (ret == 0) {
			t->by_errno[0]++;
			continue;
		}
		t->unexpected++;
		if (t->unexpected <= 10)
			TH_LOG("message %lu: %d (%s), extack \"%s\"", i, ret,
			       strerror(e > 0 ? e : EIO), w->c.extack);
		ASSERT_NE(-ETIMEDOUT, ret);
	}
	secs = now_s() - t0;
	TH_LOG("%lu messages in %.1f s (%.0f/s), %lu replies", count, secs,
	       count / secs, t->replies);
	for (e = 0; e < 4096; e++)
		if (t->by_errno[e])
			TH_LOG("  %-12s %lu", e == 0 ? "ack/reply" :
			       e == 1 ? "no answer" : strerror(e),
			       t->by_errno[e]);
	EXPECT_EQ(0, t->unexpected);
	EXPECT_EQ(0, t->malformed_replies);
	EXPECT_LT(0, t->by_errno[0]);

	/* The fuzzed socket gone (a daemon it may have made with it). */
	genlc_close(&w->c);

	/* The module still answers, and correctly. */
	ASSERT_EQ(0, genlc_call(&w->v, config_set_msg(&w->v, &w->saved), NULL,
				NULL));
	ASSERT_EQ(0, genlc_call(&w->v, genlc_msg(&w->v, CMD(CONFIG_GET), 0, 0),
				on_config, &cfg));
	EXPECT_EQ(0, memcmp(cfg.v, w->saved.v, sizeof(cfg.v)));
	w->so = 0;
	ASSERT_EQ(0, make_world(w));
	{
		uint8_t ct[16], tr[TRAILER];

		ASSERT_EQ(0, seal1(w, w->so, ct, tr));
		EXPECT_EQ(0, open1(w, w->sr, ct, tr));
	}

	/* Nothing left behind once our keys are gone. */
	{
		struct nl_msg *fl = genlc_msg(&w->v, CMD(SESSION_FLUSH), 0, 0);

		nla_put_u32(fl, A_SESSION(PAIRWISE_SERIAL), w->pw);
		EXPECT_EQ(0, genlc_call(&w->v, fl, NULL, NULL));
	}
	EXPECT_EQ(0, keyctl_clear(KEY_SPEC_SESSION_KEYRING));
	/*
	 * Ours all gone; the totals no higher than before (keys of earlier
	 * tests may expire and go meanwhile: the collector takes expired
	 * keys minutes later).
	 */
	for (i = 0; i < 150; i++) {
		ours = proc_keys_esprim(w->kid);
		keys1 = proc_keys_esprim(NULL);
		sessions1 = sessions_now(&w->v);
		if (!ours && keys1 <= keys0 && sessions1 <= sessions0)
			break;
		usleep(100000);
	}
	TH_LOG("esprim keys %d -> %d (%d ours left), sessions %u -> %u", keys0,
	       keys1, ours, sessions0, sessions1);
	EXPECT_EQ(0, ours);
	EXPECT_GE(keys0, keys1);
	EXPECT_GE(sessions0, sessions1);
	free(t);
	free(m);
}

TEST_HARNESS_MAIN
