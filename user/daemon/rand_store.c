// SPDX-License-Identifier: GPL-2.0
/*
 * Rand objects as "user" keys in the daemon's keyring, described
 * "esprimd-rand:<r|o>:<kid, or - for this side's own>:<esri>", holding the
 * object's JSON (RFC 8785) and timing out when it expires.
 */
#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "log.h"
#include "rand_store.h"

#define RAND_KEY_PREFIX	"esprimd-rand:"

void rand_store_put(struct esprimd *d, const char *kid,
		    const struct esprim_rand *r)
{
	int64_t left = esprim_rand_expiry_ms(r) - esprim_now_ms();
	int32_t ring = keys_keyring(d->config->identity);
	char desc[64 + 2 * ONEM2M_ESPRIM_MAX_ID_LEN];
	const char *json;
	key_serial_t k;
	size_t len;

	if (ring < 0 || left <= 0)
		return;
	snprintf(desc, sizeof(desc), RAND_KEY_PREFIX "%c:%s:%s",
		 esprim_rand_is_receiver(r) ? 'r' : 'o', kid ? kid : "-",
		 esprim_rand_id(r));
	json = esprim_rand_json(r, &len);
	k = add_key("user", desc, json, len, ring);
	if (k < 0) {
		log_warn("keeping rand object %s: %s", esprim_rand_id(r),
			 strerror(errno));
		return;
	}
	keyctl_set_timeout(k, (unsigned int)(left / 1000 + 1));
}

/* One kept object back into the context: 1 if it went, else 0. */
static int rand_store_take(struct esprimd *d, key_serial_t k,
			   void (*learnt)(struct esprimd *d, const char *kid,
					  const struct esprim_rand *r))
{
	char *desc = NULL, *json = NULL, *name, *kid, *id;
	struct esprim_rand *r = NULL;
	struct esprim_error e;
	bool receiver;
	int len, rc = -1;

	/* "user;uid;gid;perm;description" */
	if (keyctl_describe_alloc(k, &desc) < 0 || strncmp(desc, "user;", 5))
		goto out;
	name = strrchr(desc, ';');
	if (!name || strncmp(++name, RAND_KEY_PREFIX, strlen(RAND_KEY_PREFIX)))
		goto out;
	name += strlen(RAND_KEY_PREFIX);
	kid = strchr(name, ':');
	id = kid ? strchr(kid + 1, ':') : NULL;
	if (!id || (name[0] != 'r' && name[0] != 'o'))
		goto out;
	receiver = name[0] == 'r';
	*id = '\0';
	kid++;
	len = keyctl_read_alloc(k, (void **)&json);
	if (len <= 0)
		goto out;
	rc = esprim_rand_parse(&r, json, (size_t)len, receiver,
			       esprim_now_ms(), &e);
	if (!rc)
		rc = strcmp(kid, "-") ?
			esprim_ctx_add_learnt_rand(d->ctx, kid, r, &e) :
			esprim_ctx_add_own_rand(d->ctx, r, &e);
	if (rc)
		log_debug("rand object %s not taken back: %s", id + 1, e.msg);
	else if (strcmp(kid, "-") && learnt)
		learnt(d, kid, r);
out:
	esprim_rand_free(r);
	free(json);
	free(desc);
	return rc ? 0 : 1;
}

unsigned int rand_store_load(struct esprimd *d,
			     void (*learnt)(struct esprimd *d, const char *kid,
					    const struct esprim_rand *r))
{
	int32_t ring = keys_keyring(d->config->identity);
	key_serial_t *keys = NULL;
	unsigned int n = 0;
	int len, i;

	if (ring < 0)
		return 0;
	len = keyctl_read_alloc(ring, (void **)&keys);
	for (i = 0; i < len / (int)sizeof(*keys); i++)
		n += rand_store_take(d, keys[i], learnt);
	free(keys);
	return n;
}
