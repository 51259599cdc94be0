// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The onem2m_esprim generic netlink family from userspace: batched
 * sealing and opening (ONEM2M_ESPRIM_CMD_SEAL / _OPEN).
 *
 * libnl-genl-3 opens the socket, resolves the family and builds the
 * requests; the request message and the reply buffer are kept and reused
 * (grown when a larger batch needs it), so a request allocates nothing
 * once they are large enough.  No acks are asked for: the kernel answers
 * a request with exactly one message, its reply or an error (capped: the
 * request is not echoed back, and the extack message says why).
 *
 * An attribute's length is 16 bits, so an item whose text passes
 * ONEM2M_ESPRIM_BATCH_MAX_TEXT, or whose nest would pass 64 KiB, cannot
 * go over netlink; esprim_genl_fit() says which can.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "esprim_genl.h"
#include "esprim_internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* What the socket buffers are asked for (capped by net.core.*mem_max). */
#define ESPRIM_GENL_SOCKBUF	(1024 * 1024)
/* Seconds a reply may take. */
#define ESPRIM_GENL_TIMEOUT_S	60
/* Largest nest (an attribute length is 16 bits, attributes 4-aligned). */
#define ESPRIM_GENL_NEST_MAX	65532u

struct esprim_genl {
	struct nl_sock *sk;
	int fd;
	int family;
	uint32_t port;
	uint32_t seq;
	struct nl_msg *req;
	size_t req_size;
	uint8_t *rbuf;
	size_t rbuf_size;
	size_t rbuf_used;
	size_t max_msg;		/* largest request the socket takes */
	char error[160];
};

/* libnl's error codes as errnos (libnl keeps no errno of its own). */
static int esprim_genl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:		return ENOMEM;
	case NLE_PERM:		return EPERM;
	case NLE_NOACCESS:	return EACCES;
	case NLE_AGAIN:		return EAGAIN;
	case NLE_INTR:		return EINTR;
	case NLE_BAD_SOCK:	return EBADF;
	case NLE_INVAL:		return EINVAL;
	case NLE_RANGE:		return ERANGE;
	case NLE_MSGSIZE:	return EMSGSIZE;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return EPROTONOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return ENOENT;
	case NLE_BUSY:		return EBUSY;
	case NLE_NOADDR:	return EADDRNOTAVAIL;
	default:		return EIO;
	}
}

static void esprim_genl_msg(char *msg, size_t size, const char *what,
			    const char *why)
{
	if (msg && size)
		snprintf(msg, size, "%s%s%s", what, *why ? ": " : "", why);
}

int esprim_genl_open(struct esprim_genl **out, char *msg, size_t msg_size)
{
	struct esprim_genl *g = calloc(1, sizeof(*g));
	struct timeval timeout = { .tv_sec = ESPRIM_GENL_TIMEOUT_S };
	int one = 1, size = ESPRIM_GENL_SOCKBUF, rc;
	socklen_t len = sizeof(size);

	*out = NULL;
	if (!g || !(g->sk = nl_socket_alloc())) {
		free(g);
		esprim_genl_msg(msg, msg_size, "out of memory", "");
		return -ENOMEM;
	}
	rc = genl_connect(g->sk);
	if (rc < 0) {
		esprim_genl_msg(msg, msg_size, "generic netlink socket",
				nl_geterror(rc));
		rc = -esprim_genl_errno(rc);
		goto fail;
	}
	rc = genl_ctrl_resolve(g->sk, ONEM2M_ESPRIM_GENL_NAME);
	if (rc < 0) {
		esprim_genl_msg(msg, msg_size,
				"netlink family " ONEM2M_ESPRIM_GENL_NAME,
				nl_geterror(rc));
		rc = rc == -NLE_OBJ_NOTFOUND ? -ENOENT :
		     -esprim_genl_errno(rc);
		goto fail;
	}
	g->family = rc;
	g->fd = nl_socket_get_fd(g->sk);
	g->port = nl_socket_get_local_port(g->sk);
	nl_socket_disable_auto_ack(g->sk);
	/* Errors say why (extack) and do not echo a large request back. */
	setsockopt(g->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* A full batch is more than the default buffers (208 KiB). */
	setsockopt(g->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(g->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* A kernel that never answers is an error, not a hang. */
	setsockopt(g->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (getsockopt(g->fd, SOL_SOCKET, SO_SNDBUF, &size, &len) || size < 4096)
		size = 4096;
	/* netlink_sendmsg() refuses len > sk_sndbuf - 32. */
	g->max_msg = (size_t)size - 64;
	*out = g;
	return 0;
fail:
	nl_socket_free(g->sk);
	free(g);
	return rc;
}

void esprim_genl_close(struct esprim_genl *g)
{
	if (!g)
		return;
	if (g->req) {
		esprim_wipe(nlmsg_hdr(g->req), g->req_size);
		nlmsg_free(g->req);
	}
	if (g->rbuf)
		esprim_wipe(g->rbuf, g->rbuf_size);
	free(g->rbuf);
	nl_socket_free(g->sk);
	free(g);
}

int esprim_genl_family(const struct esprim_genl *g)
{
	return g->family;
}

int esprim_genl_fd(const struct esprim_genl *g)
{
	return g->fd;
}

const char *esprim_genl_error(const struct esprim_genl *g)
{
	return g->error;
}

void esprim_genl_wipe_reply(struct esprim_genl *g)
{
	if (g->rbuf_used)
		esprim_wipe(g->rbuf, g->rbuf_used);
	g->rbuf_used = 0;
}

/* Bytes an item takes in the request: its nest. */
static size_t esprim_genl_req_size(bool open, size_t aad_len,
				   size_t text_len)
{
	return NLA_HDRLEN + nla_total_size(sizeof(uint32_t)) +
	       (aad_len ? nla_total_size((int)aad_len) : 0) +
	       nla_total_size((int)text_len) +
	       (open ? nla_total_size(ONEM2M_ESPRIM_TRAILER_LEN) : 0);
}

/* Bytes an item takes in the reply: index, status, text, trailer. */
static size_t esprim_genl_rep_size(bool open, size_t text_len)
{
	return NLA_HDRLEN + 2 * nla_total_size(sizeof(uint32_t)) +
	       nla_total_size((int)text_len) +
	       (open ? 0 : nla_total_size(ONEM2M_ESPRIM_TRAILER_LEN));
}

bool esprim_genl_item_fits(bool open, size_t aad_len, size_t text_len)
{
	return aad_len <= ONEM2M_ESPRIM_MAX_AAD &&
	       text_len <= ONEM2M_ESPRIM_BATCH_MAX_TEXT &&
	       esprim_genl_req_size(open, aad_len, text_len) <=
	       ESPRIM_GENL_NEST_MAX &&
	       esprim_genl_rep_size(open, text_len) <= ESPRIM_GENL_NEST_MAX;
}

unsigned int esprim_genl_fit(const struct esprim_genl *g, bool open,
			     const struct esprim_genl_item *items,
			     unsigned int n)
{
	size_t msg = NLMSG_HDRLEN + GENL_HDRLEN, bytes = 0;
	unsigned int i;

	if (n > ONEM2M_ESPRIM_BATCH_MAX_ITEMS)
		n = ONEM2M_ESPRIM_BATCH_MAX_ITEMS;
	for (i = 0; i < n; i++) {
		if (!esprim_genl_item_fits(open, items[i].aad_len,
					   items[i].text_len))
			break;
		bytes += items[i].aad_len + items[i].text_len;
		msg += esprim_genl_req_size(open, items[i].aad_len,
					    items[i].text_len);
		if (bytes > ONEM2M_ESPRIM_BATCH_MAX_BYTES || msg > g->max_msg)
			break;
	}
	return i;
}

/* The request message, empty, with room for size bytes. */
static struct nl_msg *esprim_genl_req(struct esprim_genl *g, size_t size)
{
	if (size > g->req_size || !g->req) {
		if (g->req) {
			esprim_wipe(nlmsg_hdr(g->req), g->req_size);
			nlmsg_free(g->req);
		}
		g->req_size = 0;
		g->req = nlmsg_alloc_size(size);
		if (!g->req)
			return NULL;
		g->req_size = size;
	}
	/* An nl_msg whose header length is NLMSG_HDRLEN is empty. */
	nlmsg_hdr(g->req)->nlmsg_len = NLMSG_HDRLEN;
	return g->req;
}

static int esprim_genl_build(struct esprim_genl *g, bool open,
			     const struct esprim_genl_item *items,
			     unsigned int n, size_t size)
{
	struct nl_msg *m = esprim_genl_req(g, size);
	struct nlattr *nest;
	unsigned int i;

	if (!m)
		return -ENOMEM;
	if (!genlmsg_put(m, g->port, ++g->seq, g->family, 0, NLM_F_REQUEST,
			 open ? ONEM2M_ESPRIM_CMD_OPEN : ONEM2M_ESPRIM_CMD_SEAL,
			 ONEM2M_ESPRIM_GENL_VERSION))
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		const struct esprim_genl_item *it = &items[i];

		nest = nla_nest_start(m, NLA_F_NESTED |
				      ONEM2M_ESPRIM_A_BATCH_ITEM);
		if (!nest ||
		    nla_put_s32(m, ONEM2M_ESPRIM_A_ITEM_KEY_SERIAL,
				it->serial) ||
		    (it->aad_len &&
		     nla_put(m, ONEM2M_ESPRIM_A_ITEM_AAD, (int)it->aad_len,
			     it->aad)) ||
		    nla_put(m, ONEM2M_ESPRIM_A_ITEM_TEXT, (int)it->text_len,
			    it->text) ||
		    (open && nla_put(m, ONEM2M_ESPRIM_A_ITEM_TRAILER,
				     ONEM2M_ESPRIM_TRAILER_LEN, it->trailer)) ||
		    nla_nest_end(m, nest) < 0)
			return -EMSGSIZE;
	}
	return 0;
}

/* The errno and extack message of an NLMSG_ERROR. */
static int esprim_genl_nlerr(struct esprim_genl *g, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = nlmsg_data(h);
	size_t off = sizeof(*e), len = (size_t)nlmsg_datalen(h);
	struct nlattr *a;

	if (len < sizeof(*e))
		return -EPROTO;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((h->nlmsg_flags & NLM_F_ACK_TLVS) && off < len) {
		a = nla_find((struct nlattr *)((char *)nlmsg_data(h) + off),
			     (int)(len - off), NLMSGERR_ATTR_MSG);
		if (a && nla_len(a) > 0)
			snprintf(g->error, sizeof(g->error), "%.*s",
				 nla_len(a), (const char *)nla_data(a));
	}
	/* An ack (error 0) answers nothing we asked. */
	return e->error < 0 ? e->error : -EPROTO;
}

/* Fills the items from a reply; unanswered or malformed ones get EPROTO. */
static void esprim_genl_parse(bool open, const struct nlmsghdr *h,
			      struct esprim_genl_item *items, unsigned int n)
{
	struct nlattr *tb[ONEM2M_ESPRIM_A_ITEM_MAX + 1], *a, *head;
	struct esprim_genl_item *it;
	unsigned int i;
	uint32_t idx;
	int rem, len;

	for (i = 0; i < n; i++)
		items[i].status = -1;
	if (nlmsg_datalen(h) >= (int)GENL_HDRLEN) {
		head = genlmsg_attrdata(nlmsg_data(h), 0);
		len = genlmsg_attrlen(nlmsg_data(h), 0);
		nla_for_each_attr(a, head, len, rem) {
			if (nla_type(a) != ONEM2M_ESPRIM_A_BATCH_ITEM ||
			    nla_parse_nested(tb, ONEM2M_ESPRIM_A_ITEM_MAX, a,
					     NULL) < 0 ||
			    !tb[ONEM2M_ESPRIM_A_ITEM_INDEX] ||
			    nla_len(tb[ONEM2M_ESPRIM_A_ITEM_INDEX]) != 4 ||
			    !tb[ONEM2M_ESPRIM_A_ITEM_STATUS] ||
			    nla_len(tb[ONEM2M_ESPRIM_A_ITEM_STATUS]) != 4)
				continue;
			idx = nla_get_u32(tb[ONEM2M_ESPRIM_A_ITEM_INDEX]);
			if (idx >= n || items[idx].status != -1)
				continue;
			it = &items[idx];
			it->status = (int)nla_get_u32(
				tb[ONEM2M_ESPRIM_A_ITEM_STATUS]);
			if (it->status < 0 || it->status > 4095) {
				it->status = EPROTO;
				continue;
			}
			if (it->status)
				continue;
			a = tb[ONEM2M_ESPRIM_A_ITEM_TEXT];
			if (!a || (size_t)nla_len(a) != it->text_len) {
				it->status = EPROTO;
				continue;
			}
			it->out = nla_data(a);
			if (open)
				continue;
			a = tb[ONEM2M_ESPRIM_A_ITEM_TRAILER];
			if (!a || nla_len(a) != ONEM2M_ESPRIM_TRAILER_LEN)
				it->status = EPROTO;
			else
				it->trailer_out = nla_data(a);
		}
	}
	for (i = 0; i < n; i++)
		if (items[i].status == -1)
			items[i].status = EPROTO;
}

int esprim_genl_batch(struct esprim_genl *g, bool open,
		      struct esprim_genl_item *items, unsigned int n)
{
	size_t req = NLMSG_HDRLEN + GENL_HDRLEN, rep = req;
	struct nlmsghdr *h;
	unsigned int i;
	ssize_t got;
	int rc, left;

	g->error[0] = 0;
	esprim_genl_wipe_reply(g);
	if (!n || n > ONEM2M_ESPRIM_BATCH_MAX_ITEMS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		items[i].status = EPROTO;
		items[i].out = NULL;
		items[i].trailer_out = NULL;
		req += esprim_genl_req_size(open, items[i].aad_len,
					    items[i].text_len);
		rep += esprim_genl_rep_size(open, items[i].text_len);
	}
	/* Room for an error with its extack, and attributes added later. */
	rep += 1024;
	if (rep < 8192)
		rep = 8192;
	if (esprim_buf_grow(&g->rbuf, &g->rbuf_size, rep))
		return -ENOMEM;

	rc = esprim_genl_build(g, open, items, n, req);
	if (!rc) {
		h = nlmsg_hdr(g->req);
		do
			got = send(g->fd, h, h->nlmsg_len, 0);
		while (got < 0 && errno == EINTR);
		rc = got < 0 ? -errno : 0;
	}
	/* The request carried plaintext (seal). */
	if (g->req) {
		h = nlmsg_hdr(g->req);
		esprim_wipe(h, h->nlmsg_len < g->req_size ? h->nlmsg_len :
			    g->req_size);
		h->nlmsg_len = NLMSG_HDRLEN;
	}
	if (rc)
		return rc;

	for (;;) {
		got = recv(g->fd, g->rbuf, g->rbuf_size, MSG_TRUNC);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		g->rbuf_used = (size_t)got < g->rbuf_size ? (size_t)got :
			       g->rbuf_size;
		if ((size_t)got > g->rbuf_size)
			return -EMSGSIZE;	/* lost: larger than promised */
		left = (int)got;
		for (h = (struct nlmsghdr *)g->rbuf; nlmsg_ok(h, left);
		     h = nlmsg_next(h, &left)) {
			if (h->nlmsg_seq != g->seq)
				continue;	/* an answer to an older request */
			if (h->nlmsg_type == NLMSG_ERROR)
				return esprim_genl_nlerr(g, h);
			if (h->nlmsg_type != g->family)
				continue;
			esprim_genl_parse(open, h, items, n);
			return 0;
		}
	}
}
