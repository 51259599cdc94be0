// SPDX-License-Identifier: GPL-2.0
/*
 * The batched data path: SEAL and OPEN commands of the generic netlink
 * family carry up to ONEM2M_ESPRIM_BATCH_MAX_ITEMS items, each naming a
 * session key by serial.  Each item runs through the template's own
 * operations (aead.c), so that it shares the session state (IV counter,
 * replay window) with every AF_ALG user of the same key, in a buffer the
 * module allocates: the request is never written to and no key byte
 * leaves the kernel.  Each item gets its own status; a failing item does
 * not fail the batch.
 *
 * The permission check is setkey by reference's: search permission on
 * the session key, in the caller's context.
 */

#include <crypto/aead.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"
#include "netlink_gen.h"

/*
 * A template context on its own gcm(aes) tfm, kept in a small pool:
 * allocating a tfm costs more than sealing a few items.
 */
struct esprim_engine {
	struct list_head node;
	struct esprim_aead_ctx ctx;
	struct esprim_aead_req_ctx *rctx;
	s32 serial;		/* the session key ctx is set to; 0: none */
};

static DEFINE_SPINLOCK(esprim_engines_lock);
static LIST_HEAD(esprim_engines);
static unsigned int esprim_engines_idle;

static void esprim_engine_free(struct esprim_engine *e)
{
	esprim_aead_ctx_clear(&e->ctx);
	crypto_free_aead(e->ctx.inner);
	kfree_sensitive(e->rctx);
	kfree(e);
}

static struct esprim_engine *esprim_engine_get(void)
{
	struct esprim_engine *e;
	int err;

	spin_lock(&esprim_engines_lock);
	e = list_first_entry_or_null(&esprim_engines, struct esprim_engine,
				     node);
	if (e) {
		list_del(&e->node);
		esprim_engines_idle--;
	}
	spin_unlock(&esprim_engines_lock);
	if (e)
		return e;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return ERR_PTR(-ENOMEM);
	e->ctx.inner = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(e->ctx.inner)) {
		err = PTR_ERR(e->ctx.inner);
		kfree(e);
		return ERR_PTR(err);
	}
	err = crypto_aead_setauthsize(e->ctx.inner, ONEM2M_ESPRIM_TAG_LEN);
	e->rctx = kzalloc(esprim_aead_req_ctx_size(e->ctx.inner), GFP_KERNEL);
	if (err || !e->rctx) {
		esprim_engine_free(e);
		return ERR_PTR(err ?: -ENOMEM);
	}
	return e;
}

/* Idle engines hold no key: a pooled engine must not keep one alive. */
static void esprim_engine_put(struct esprim_engine *e)
{
	esprim_aead_ctx_clear(&e->ctx);
	e->serial = 0;
	spin_lock(&esprim_engines_lock);
	if (esprim_engines_idle < 2 * num_possible_cpus()) {
		list_add(&e->node, &esprim_engines);
		esprim_engines_idle++;
		e = NULL;
	}
	spin_unlock(&esprim_engines_lock);
	if (e)
		esprim_engine_free(e);
}

/* One item of a request, its attributes checked by the policy. */
struct esprim_batch_item {
	struct nlattr *tb[ONEM2M_ESPRIM_A_ITEM_MAX + 1];
	unsigned int aad_len;
	unsigned int text_len;
};

static unsigned int esprim_item_len(const struct nlattr *nla)
{
	return nla ? nla_len(nla) : 0;
}

/* Room for an item's reply: index, status, text, trailer. */
static size_t esprim_item_reply_size(const struct esprim_batch_item *it)
{
	return nla_total_size(0) + 2 * nla_total_size(sizeof(u32)) +
	       nla_total_size(it->text_len) +
	       nla_total_size(ONEM2M_ESPRIM_TRAILER_LEN);
}

/* The item's own checks, beyond the policy's. */
static int esprim_item_check(const struct esprim_batch_item *it, bool open)
{
	/* The reply item is one attribute too: at most 64 KiB. */
	if (it->text_len > ONEM2M_ESPRIM_BATCH_MAX_TEXT)
		return -EMSGSIZE;
	if (!it->tb[ONEM2M_ESPRIM_A_ITEM_KEY_SERIAL] ||
	    it->aad_len > ONEM2M_ESPRIM_MAX_AAD ||
	    !open != !it->tb[ONEM2M_ESPRIM_A_ITEM_TRAILER] ||
	    it->tb[ONEM2M_ESPRIM_A_ITEM_INDEX] ||
	    it->tb[ONEM2M_ESPRIM_A_ITEM_STATUS])
		return -EINVAL;
	return 0;
}

static int esprim_engine_setkey(struct esprim_engine *e, s32 serial)
{
	struct onem2m_esprim_key_ref blob = {
		.hdr.version = ONEM2M_ESPRIM_KEY_BLOB_V1,
		.hdr.form = ONEM2M_ESPRIM_KEY_FORM_REF,
		.serial = serial,
	};
	int err;

	if (e->serial == serial)
		return 0;
	e->serial = 0;
	err = esprim_aead_ctx_setkey(&e->ctx, CRYPTO_TFM_REQ_MAY_SLEEP,
				     (const u8 *)&blob, sizeof(blob));
	if (!err)
		e->serial = serial;
	return err;
}

/*
 * Seals or opens one item in place in its reply: @text is the reply's
 * text attribute, holding a copy of the item's text, @trailer the reply's
 * trailer attribute (sealing) or a copy of the item's trailer after the
 * AAD in @scratch (opening).  The request itself, which may sit in
 * vmalloc memory, is only read.
 */
static int esprim_item_run(struct esprim_engine *e,
			   const struct esprim_batch_item *it, bool open,
			   u8 *scratch, u8 *text, u8 *trailer)
{
	s32 serial = nla_get_s32(it->tb[ONEM2M_ESPRIM_A_ITEM_KEY_SERIAL]);
	unsigned int cryptlen = it->text_len;
	struct aead_request req = {};
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist sg[3];
	unsigned int n = 0;
	int err;

	err = esprim_engine_setkey(e, serial);
	if (err)
		return err;

	if (open)
		cryptlen += ONEM2M_ESPRIM_TRAILER_LEN;
	sg_init_table(sg, 1 + !!it->aad_len + !!it->text_len);
	if (it->aad_len)
		sg_set_buf(&sg[n++], scratch, it->aad_len);
	if (it->text_len)
		sg_set_buf(&sg[n++], text, it->text_len);
	sg_set_buf(&sg[n], trailer, ONEM2M_ESPRIM_TRAILER_LEN);

	aead_request_set_callback(&req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(&req, it->aad_len);
	aead_request_set_crypt(&req, sg, sg, cryptlen, NULL);
	if (open)
		err = esprim_aead_open(&e->ctx, e->rctx, &req);
	else
		err = esprim_aead_seal(&e->ctx, e->rctx, &req);
	return crypto_wait_req(err, &wait);
}

/*
 * One item's reply: index, status and, when it succeeded, the text (and
 * sealing, the trailer), made where they will be sent.
 */
static int esprim_item_reply(struct esprim_engine *e, struct sk_buff *msg,
			     u32 index, const struct esprim_batch_item *it,
			     bool open, u8 *scratch)
{
	struct nlattr *nest, *status, *text, *trailer;
	unsigned char *mark;
	int err;

	nest = nla_nest_start(msg, ONEM2M_ESPRIM_A_BATCH_ITEM);
	if (!nest || nla_put_u32(msg, ONEM2M_ESPRIM_A_ITEM_INDEX, index))
		return -EMSGSIZE;
	status = nla_reserve(msg, ONEM2M_ESPRIM_A_ITEM_STATUS, sizeof(u32));
	if (!status)
		return -EMSGSIZE;
	mark = skb_tail_pointer(msg);

	err = esprim_item_check(it, open);
	if (err)
		goto done;
	text = nla_reserve(msg, ONEM2M_ESPRIM_A_ITEM_TEXT, it->text_len);
	trailer = open ? NULL : nla_reserve(msg, ONEM2M_ESPRIM_A_ITEM_TRAILER,
					    ONEM2M_ESPRIM_TRAILER_LEN);
	if (!text || (!open && !trailer))
		return -EMSGSIZE;
	if (it->aad_len)
		memcpy(scratch, nla_data(it->tb[ONEM2M_ESPRIM_A_ITEM_AAD]),
		       it->aad_len);
	if (it->text_len)
		memcpy(nla_data(text),
		       nla_data(it->tb[ONEM2M_ESPRIM_A_ITEM_TEXT]),
		       it->text_len);
	if (open)
		memcpy(scratch + it->aad_len,
		       nla_data(it->tb[ONEM2M_ESPRIM_A_ITEM_TRAILER]),
		       ONEM2M_ESPRIM_TRAILER_LEN);
	err = esprim_item_run(e, it, open, scratch, nla_data(text),
			      open ? scratch + it->aad_len : nla_data(trailer));
	/*
	 * Refused: its attributes go, and with them nothing readable (the
	 * template wipes what it opened; a plaintext not sealed is wiped
	 * here).
	 */
	if (err) {
		if (!open)
			memzero_explicit(nla_data(text), it->text_len);
		nlmsg_trim(msg, mark);
	}
done:
	*(u32 *)nla_data(status) = -err;
	nla_nest_end(msg, nest);
	return 0;
}

/* Reads the request's items; the whole request fails on a bad bound. */
static int esprim_batch_parse(struct genl_info *info,
			      struct esprim_batch_item **itemsp,
			      unsigned int *np)
{
	const struct nlattr *nla;
	struct esprim_batch_item *items;
	unsigned int n = 0, bytes = 0;
	int rem, err;

	nla_for_each_attr(nla, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(nla) == ONEM2M_ESPRIM_A_BATCH_ITEM)
			n++;
	if (!n) {
		GENL_SET_ERR_MSG(info, "no items");
		return -EINVAL;
	}
	if (n > ONEM2M_ESPRIM_BATCH_MAX_ITEMS) {
		GENL_SET_ERR_MSG(info, "too many items");
		return -E2BIG;
	}
	items = kvcalloc(n, sizeof(*items), GFP_KERNEL);
	if (!items)
		return -ENOMEM;

	n = 0;
	nla_for_each_attr(nla, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		struct esprim_batch_item *it = &items[n];

		if (nla_type(nla) != ONEM2M_ESPRIM_A_BATCH_ITEM)
			continue;
		/* Validated against the item policy already. */
		err = nla_parse_nested(it->tb, ONEM2M_ESPRIM_A_ITEM_MAX, nla,
				       onem2m_esprim_item_nl_policy,
				       info->extack);
		if (err)
			goto err;
		it->aad_len = esprim_item_len(it->tb[ONEM2M_ESPRIM_A_ITEM_AAD]);
		it->text_len = esprim_item_len(it->tb[ONEM2M_ESPRIM_A_ITEM_TEXT]);
		bytes += it->aad_len + it->text_len;
		n++;
	}
	if (bytes > ONEM2M_ESPRIM_BATCH_MAX_BYTES) {
		GENL_SET_ERR_MSG(info, "batch too large");
		err = -EMSGSIZE;
		goto err;
	}
	*itemsp = items;
	*np = n;
	return 0;

err:
	kvfree(items);
	return err;
}

static int esprim_batch(struct genl_info *info, bool open)
{
	struct esprim_batch_item *items;
	struct esprim_engine *e = NULL;
	unsigned int i, n, scratch_len = 0;
	size_t reply_size = 0;
	struct sk_buff *msg;
	u8 *scratch = NULL;
	void *hdr;
	int err;

	err = esprim_batch_parse(info, &items, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		scratch_len = max(scratch_len, items[i].aad_len +
				  ONEM2M_ESPRIM_TRAILER_LEN);
		reply_size += esprim_item_reply_size(&items[i]);
	}

	err = -ENOMEM;
	msg = genlmsg_new(reply_size, GFP_KERNEL);
	/* Linear memory, for the scatterlists; the AAD and a trailer. */
	scratch = kmalloc(scratch_len, GFP_KERNEL);
	if (!msg || !scratch)
		goto out;
	e = esprim_engine_get();
	if (IS_ERR(e)) {
		err = PTR_ERR(e);
		e = NULL;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, &esprim_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		goto out_size;

	for (i = 0; i < n; i++) {
		err = esprim_item_reply(e, msg, i, &items[i], open, scratch);
		if (err)
			goto out_size;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	msg = NULL;
	goto out;

out_size:
	/* The reply was sized for every item: not reached. */
	WARN_ON_ONCE(1);
	err = -EMSGSIZE;
out:
	if (e)
		esprim_engine_put(e);
	kfree_sensitive(scratch);
	nlmsg_free(msg);
	kvfree(items);
	return err;
}

int onem2m_esprim_nl_seal_doit(struct sk_buff *skb, struct genl_info *info)
{
	return esprim_batch(info, false);
}

int onem2m_esprim_nl_open_doit(struct sk_buff *skb, struct genl_info *info)
{
	return esprim_batch(info, true);
}

void esprim_batch_exit(void)
{
	struct esprim_engine *e, *next;

	list_for_each_entry_safe(e, next, &esprim_engines, node)
		esprim_engine_free(e);
	INIT_LIST_HEAD(&esprim_engines);
	esprim_engines_idle = 0;
}
