// SPDX-License-Identifier: GPL-2.0
/*
 * A small libnl-genl-3 client of the onem2m_esprim generic netlink family
 * for the VM tests (genl.h).
 *
 * Answers are matched by sequence number in the callbacks (libnl's own
 * check is replaced): the kernel's unasked messages (events, acquire
 * requests; sequence 0) may come between a request and its answer on the
 * same socket, and are queued for genlc_recv().  Kernel errors are taken
 * through nl_cb_err(), which sees the whole error message and so the
 * extended ack's attributes after it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/handlers.h>

#include "genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* What a wait for an answer has seen so far. */
struct genlc_wait {
	struct genlc *c;
	uint32_t seq;		/* of the request; 0: none (genlc_recv) */
	uint32_t sentinel;	/* of the NOOP after a raw request, or 0 */
	genlc_fn fn;
	void *arg;
	int done;		/* the request's ack, error or dump end */
	int sentinel_done;
	int multi;		/* a dump's part came */
	int answered;		/* anything came for the request */
	int err;		/* the kernel's -errno */
	int fn_err;
};

static int nlerr_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case NLE_NOMEM:
		return -ENOBUFS;	/* ENOMEM and ENOBUFS (overrun) */
	case NLE_AGAIN:
		return -ETIMEDOUT;	/* SO_RCVTIMEO */
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* The extended ack's attributes, @off bytes into the message's payload. */
static void take_extack(struct genlc *c, struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= payload)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      payload - off, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		size_t n = nla_len(tb[NLMSGERR_ATTR_MSG]);

		if (n >= sizeof(c->extack))
			n = sizeof(c->extack) - 1;
		memcpy(c->extack, nla_data(tb[NLMSGERR_ATTR_MSG]), n);
		c->extack[n] = 0;
	}
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) == 4)
		c->extack_offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == 4)
		c->extack_miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/* Error and ack messages: the original request follows unless capped. */
static void take_error_extack(struct genlc *c, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = nlmsg_data(nlh);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off = NLMSG_ALIGN(sizeof(*e) + e->msg.nlmsg_len - NLMSG_HDRLEN);
	take_extack(c, nlh, off);
}

static void enqueue(struct genlc *c, struct nlmsghdr *nlh)
{
	struct nl_msg *m;

	if (c->qlen == GENLC_QUEUE) {
		c->dropped++;
		return;
	}
	m = nlmsg_convert(nlh);
	if (!m) {
		c->dropped++;
		return;
	}
	c->queue[(c->qhead + c->qlen++) % GENLC_QUEUE] = m;
}

static int on_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct genlc_wait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!w->seq || nlh->nlmsg_seq != w->seq) {
		if (!nlh->nlmsg_seq)
			enqueue(w->c, nlh);
		return NL_SKIP;
	}
	w->answered = 1;
	if (nlh->nlmsg_flags & NLM_F_MULTI)
		w->multi = 1;
	if (w->fn) {
		int ret = w->fn(nlh, w->arg);

		if (ret < 0 && !w->fn_err)
			w->fn_err = ret;
	}
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct genlc_wait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (w->seq && nlh->nlmsg_seq == w->seq) {
		take_error_extack(w->c, nlh);
		w->answered = w->done = 1;
		w->err = 0;
	} else if (w->sentinel && nlh->nlmsg_seq == w->sentinel) {
		w->sentinel_done = 1;
	}
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct genlc_wait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!w->seq || nlh->nlmsg_seq != w->seq)
		return NL_OK;
	w->answered = w->done = 1;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		memcpy(&w->err, nlmsg_data(nlh), sizeof(int));
		take_extack(w->c, nlh, NLMSG_ALIGN(sizeof(int)));
	}
	return NL_OK;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct genlc_wait *w = arg;
	/* libnl hands over the payload of the whole error message. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	if (w->seq && nlh->nlmsg_seq == w->seq) {
		take_error_extack(w->c, nlh);
		w->err = e->error;
		w->answered = w->done = 1;
	} else if (w->sentinel && nlh->nlmsg_seq == w->sentinel) {
		w->sentinel_done = 1;
	}
	return NL_SKIP;
}

static struct nl_cb *wait_cb(struct genlc_wait *w)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, w);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, w);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, w);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, w);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, w);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, w);
	return cb;
}

static int wait_answer(struct genlc *c, struct genlc_wait *w)
{
	struct nl_cb *cb = wait_cb(w);
	int ret = 0;

	if (!cb)
		return -ENOMEM;
	for (;;) {
		if (w->sentinel) {
			/* A dump goes on only as it is read: to its end. */
			if (w->sentinel_done && (w->done || !w->multi))
				break;
		} else if (w->done) {
			break;
		}
		ret = nl_recvmsgs(c->sk, cb);
		if (ret < 0) {
			ret = nlerr_errno(ret);
			break;
		}
		ret = 0;
	}
	nl_cb_put(cb);
	if (ret)
		return ret;
	if (!w->done)
		return w->answered ? 0 : GENLC_NO_ANSWER;
	return w->err ? w->err : w->fn_err;
}

static void extack_clear(struct genlc *c)
{
	c->extack[0] = 0;
	c->extack_offs = 0;
	c->extack_miss_type = 0;
}

int genlc_open(struct genlc *c)
{
	struct timeval tv = { .tv_sec = GENLC_TIMEOUT_S };
	int one = 1, size = 16 << 20, fd, ret;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	ret = genl_connect(c->sk);
	if (ret < 0)
		goto fail;
	ret = genl_ctrl_resolve(c->sk, ONEM2M_ESPRIM_GENL_NAME);
	if (ret < 0)
		goto fail;
	c->family = ret;
	nl_socket_enable_msg_peek(c->sk);
	fd = nl_socket_get_fd(c->sk);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		nl_socket_free(c->sk);
		c->sk = NULL;
		return ret;
	}
	/* Batches of 256 KiB: forced where the caller may (root). */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
fail:
	nl_socket_free(c->sk);
	c->sk = NULL;
	return nlerr_errno(ret);
}

void genlc_close(struct genlc *c)
{
	while (c->qlen) {
		nlmsg_free(c->queue[c->qhead]);
		c->qhead = (c->qhead + 1) % GENLC_QUEUE;
		c->qlen--;
	}
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

struct nl_msg *genlc_msg(const struct genlc *c, uint8_t cmd, int flags,
			 size_t size)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + size + 256);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, ONEM2M_ESPRIM_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int genlc_call(struct genlc *c, struct nl_msg *msg, genlc_fn fn, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlc_wait w = { .c = c, .fn = fn, .arg = arg };
	ssize_t n;

	extack_clear(c);
	nl_complete_msg(c->sk, msg);	/* port, sequence, REQUEST | ACK */
	w.seq = nlh->nlmsg_seq;
	n = send(nl_socket_get_fd(c->sk), nlh, nlh->nlmsg_len, 0);
	nlmsg_free(msg);
	if (n < 0)
		return -errno;
	return wait_answer(c, &w);
}

int genlc_call_raw(struct genlc *c, void *buf, size_t len, genlc_fn fn,
		   void *arg)
{
	struct genlc_wait w = { .c = c, .fn = fn, .arg = arg };
	uint32_t port = nl_socket_get_local_port(c->sk);
	struct nlmsghdr *nlh = buf, noop = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nlmsg_pid = port,
	};
	int fd = nl_socket_get_fd(c->sk);

	extack_clear(c);
	w.seq = nl_socket_use_seq(c->sk);
	w.sentinel = noop.nlmsg_seq = nl_socket_use_seq(c->sk);
	if (len >= sizeof(*nlh)) {
		nlh->nlmsg_seq = w.seq;
		nlh->nlmsg_pid = port;
	}
	if (send(fd, buf, len, 0) < 0)
		return -errno;
	if (send(fd, &noop, sizeof(noop), 0) < 0)
		return -errno;
	return wait_answer(c, &w);
}

int genlc_join(struct genlc *c, const char *group)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp;

	if (!sk)
		return -ENOMEM;
	grp = genl_connect(sk);
	if (!grp)
		grp = genl_ctrl_resolve_grp(sk, ONEM2M_ESPRIM_GENL_NAME, group);
	nl_socket_free(sk);
	if (grp < 0)
		return nlerr_errno(grp);
	if (setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return -errno;
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

int genlc_recv(struct genlc *c, int timeout_ms, genlc_fn fn, void *arg)
{
	struct genlc_wait w = { .c = c };
	long deadline = now_ms() + timeout_ms;
	struct nl_cb *cb;
	int ret = 0;

	cb = wait_cb(&w);
	if (!cb)
		return -ENOMEM;
	for (;;) {
		struct pollfd pfd = {
			.fd = nl_socket_get_fd(c->sk),
			.events = POLLIN,
		};
		long left;

		if (c->qlen) {
			struct nl_msg *m = c->queue[c->qhead];

			c->qhead = (c->qhead + 1) % GENLC_QUEUE;
			c->qlen--;
			if (fn)
				fn(nlmsg_hdr(m), arg);
			nlmsg_free(m);
			ret = 1;
			break;
		}
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			ret = -errno;
			break;
		}
		if (ret == 0)
			break;
		ret = nl_recvmsgs(c->sk, cb);
		if (ret < 0) {
			ret = nlerr_errno(ret);
			break;
		}
	}
	nl_cb_put(cb);
	return ret;
}

uint8_t genlc_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = nlmsg_data(nlh);

	return nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN ? g->cmd : 0;
}

int genlc_parse(struct nlmsghdr *nlh, struct nlattr **tb, int maxtype)
{
	return genlmsg_parse(nlh, 0, tb, maxtype, NULL) < 0 ? -EINVAL : 0;
}
