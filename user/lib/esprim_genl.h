/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The onem2m_esprim generic netlink family from userspace (libnl-genl-3):
 * batched sealing and opening with session keys named by serial.  One
 * socket per user (a libesprim context), the family resolved once.
 */
#ifndef ESPRIM_GENL_H
#define ESPRIM_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/onem2m_esprim.h>
#include <linux/onem2m_esprim_netlink.h>

struct esprim_genl;

/**
 * struct esprim_genl_item - one item of a SEAL or OPEN request
 * @serial: the session key
 * @aad: the AAD (the object's protected header as sent), @aad_len bytes
 * @text: plaintext to seal or ciphertext to open, @text_len bytes
 * @trailer: open: tag || IV, ONEM2M_ESPRIM_TRAILER_LEN bytes
 * @status: result: 0 or the positive errno the kernel gave this item
 *	(EPROTO when its answer was malformed)
 * @out: result on success: ciphertext sealed or plaintext opened,
 *	@text_len bytes in the reply buffer, valid until the next request
 * @trailer_out: seal result on success: tag || IV the kernel chose, in
 *	the reply buffer too
 */
struct esprim_genl_item {
	int32_t serial;
	const void *aad;
	size_t aad_len;
	const void *text;
	size_t text_len;
	const uint8_t *trailer;
	int status;
	const uint8_t *out;
	const uint8_t *trailer_out;
};

/*
 * Opens a socket and resolves the family.  0, -ENOENT when no such
 * family is registered (a module older than the family, or none), or
 * another -errno; msg (if not NULL) then says what failed.
 */
int esprim_genl_open(struct esprim_genl **g, char *msg, size_t msg_size);
void esprim_genl_close(struct esprim_genl *g);

/* The family's id and the socket's descriptor (for tools and tests). */
int esprim_genl_family(const struct esprim_genl *g);
int esprim_genl_fd(const struct esprim_genl *g);

/* Whether one item of these lengths can go over netlink at all. */
bool esprim_genl_item_fits(bool open, size_t aad_len, size_t text_len);

/*
 * How many of the first n items one request carries: within
 * ONEM2M_ESPRIM_BATCH_MAX_ITEMS, ONEM2M_ESPRIM_BATCH_MAX_BYTES and the
 * socket's buffer.  0 when the first cannot go over netlink (text over
 * ONEM2M_ESPRIM_BATCH_MAX_TEXT, or a nest beyond what a 16-bit attribute
 * length holds).
 */
unsigned int esprim_genl_fit(const struct esprim_genl *g, bool open,
			     const struct esprim_genl_item *items,
			     unsigned int n);

/*
 * Sends one SEAL (open false) or OPEN request of n items (n from
 * esprim_genl_fit()) and reads the reply into each item.  0 when the
 * request was answered (each item has its status), or the -errno of the
 * whole request (the kernel refused it, or the socket failed); then
 * esprim_genl_error() may say more.  The request is wiped once sent.
 */
int esprim_genl_batch(struct esprim_genl *g, bool open,
		      struct esprim_genl_item *items, unsigned int n);

/* The kernel's message (extack) of the last refused request, or "". */
const char *esprim_genl_error(const struct esprim_genl *g);

/* Wipes the reply buffer (it holds plaintext after an open). */
void esprim_genl_wipe_reply(struct esprim_genl *g);

#endif /* ESPRIM_GENL_H */
