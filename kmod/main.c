// SPDX-License-Identifier: GPL-2.0
/*
 * onem2m_esprim: oneM2M End-to-End Security of Primitives (ESPrim) in the
 * kernel.  Module entry points.
 */

#include <crypto/algapi.h>
#include <linux/key-type.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

static int __init esprim_module_init(void)
{
	int err;

	esprim_sessions_init();
	err = esprim_kdf_init();
	if (err)
		return err;

	/* Known answers first: nothing is reachable before they pass. */
	err = esprim_aead_selftest();
	if (err)
		goto err_kdf;
	esprim_stats_clear();
	esprim_aead_events_init();

	err = register_key_type(&esprim_key_type);
	if (err)
		goto err_kdf;

	err = crypto_register_template(&esprim_aead_tmpl);
	if (err)
		goto err_key_type;

	err = esprim_upcall_init();
	if (err)
		goto err_template;

	err = esprim_netlink_init();
	if (err)
		goto err_upcall;
	return 0;

err_upcall:
	esprim_upcall_exit();
err_template:
	crypto_unregister_template(&esprim_aead_tmpl);
err_key_type:
	unregister_key_type(&esprim_key_type);
	rcu_barrier();
	esprim_session_keys_exit();
err_kdf:
	esprim_batch_exit();
	esprim_kdf_exit();
	return err;
}

static void __exit esprim_module_exit(void)
{
	/* No command runs once the family is gone; then no upcall waits. */
	esprim_netlink_exit();
	esprim_upcall_exit();
	crypto_unregister_template(&esprim_aead_tmpl);
	unregister_key_type(&esprim_key_type);
	/* Revoked keys' payloads are freed by RCU callbacks in this module. */
	rcu_barrier();
	esprim_session_keys_exit();
	esprim_batch_exit();
	esprim_kdf_exit();
	/* Every tfm and key is gone: so must their session states be. */
	WARN_ON(!esprim_sessions_empty());
}

module_init(esprim_module_init);
module_exit(esprim_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("oneM2M End-to-End Security of Primitives (ESPrim)");
MODULE_ALIAS_CRYPTO(ONEM2M_ESPRIM_TEMPLATE);
MODULE_ALIAS_GENL_FAMILY(ONEM2M_ESPRIM_GENL_NAME);
MODULE_SOFTDEP("pre: gcm ctr ghash hmac sha256");
