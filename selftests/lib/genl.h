/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small libnl-genl-3 client of the onem2m_esprim generic netlink family
 * for the VM tests: resolving the family, calls (request, replies, the
 * kernel's answer with its extended ack text), raw messages for malformed
 * input, joining the events group and receiving what the kernel sends on
 * its own (events, the daemon's acquire requests).
 */
#ifndef ESPRIM_TEST_GENL_H
#define ESPRIM_TEST_GENL_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <linux/onem2m_esprim_netlink.h>

#define GENLC_QUEUE	256

struct genlc {
	struct nl_sock *sk;
	int family;			/* the family's id */
	/* The last call's extended ack: NLMSGERR_ATTR_MSG, "" when none. */
	char extack[256];
	uint32_t extack_offs;		/* NLMSGERR_ATTR_OFFS, 0 when none */
	uint32_t extack_miss_type;	/* NLMSGERR_ATTR_MISS_TYPE, 0 none */
	/* What came unasked (sequence 0) while waiting for an answer. */
	struct nl_msg *queue[GENLC_QUEUE];
	unsigned int qhead, qlen, dropped;
};

/* Called for each reply of a call, or each message genlc_recv takes. */
typedef int (*genlc_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Opens a socket in the caller's network namespace, resolves
 * ONEM2M_ESPRIM_GENL_NAME, asks for extended acks and large socket
 * buffers (forced where the caller may).  Returns 0 or -errno.
 */
int genlc_open(struct genlc *c);
void genlc_close(struct genlc *c);

/* A request of @cmd with room for @size bytes of attributes. */
struct nl_msg *genlc_msg(const struct genlc *c, uint8_t cmd, int flags,
			 size_t size);

/*
 * Sends @msg (freed) with NLM_F_ACK and waits for its answer; @fn sees
 * each reply (may be NULL).  Returns 0, the kernel's -errno, or -errno of
 * the socket (-ETIMEDOUT when nothing came for GENLC_TIMEOUT_S).  The
 * extended ack is left in c->extack; a negative return of @fn ends the
 * call with that value once the answer came.
 */
int genlc_call(struct genlc *c, struct nl_msg *msg, genlc_fn fn, void *arg);

/*
 * Sends @len raw bytes (whole netlink messages; the first message's
 * nlmsg_seq and nlmsg_pid are filled in) followed by an NLMSG_NOOP with
 * NLM_F_ACK, and waits for the NOOP's ack (and the end of a dump the raw
 * message started).  Returns what the kernel answered the first message:
 * 0, -errno, or GENLC_NO_ANSWER when it answered nothing.
 */
#define GENLC_NO_ANSWER	1
int genlc_call_raw(struct genlc *c, void *buf, size_t len, genlc_fn fn,
		   void *arg);

/* Joins a multicast group of the family; 0 or -errno (setsockopt's). */
int genlc_join(struct genlc *c, const char *group);

/*
 * Waits up to @timeout_ms for one message the kernel sent unasked and
 * hands it to @fn.  Returns 1, 0 on timeout, or -errno.
 */
int genlc_recv(struct genlc *c, int timeout_ms, genlc_fn fn, void *arg);

/* The message's command, and its attributes parsed into @tb. */
uint8_t genlc_cmd(const struct nlmsghdr *nlh);
int genlc_parse(struct nlmsghdr *nlh, struct nlattr **tb, int maxtype);

/* Seconds a call waits for its answer. */
#define GENLC_TIMEOUT_S	120

#endif /* ESPRIM_TEST_GENL_H */
