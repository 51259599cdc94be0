// SPDX-License-Identifier: GPL-2.0
/*
 * onem2m_esprim: oneM2M End-to-End Security of Primitives (ESPrim) in the
 * kernel.  Module entry points.
 */

#include <crypto/algapi.h>
#include <linux/key-type.h>
#include <linux/module.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

static int __init esprim_module_init(void)
{
	int err;

	err = register_key_type(&esprim_key_type);
	if (err)
		return err;

	err = crypto_register_template(&esprim_aead_tmpl);
	if (err)
		goto err_key_type;

	/* A template that fails its known answers must not stay usable. */
	err = esprim_aead_selftest();
	if (err)
		goto err_template;
	return 0;

err_template:
	crypto_unregister_template(&esprim_aead_tmpl);
err_key_type:
	unregister_key_type(&esprim_key_type);
	return err;
}

static void __exit esprim_module_exit(void)
{
	crypto_unregister_template(&esprim_aead_tmpl);
	unregister_key_type(&esprim_key_type);
}

module_init(esprim_module_init);
module_exit(esprim_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("oneM2M End-to-End Security of Primitives (ESPrim)");
MODULE_ALIAS_CRYPTO(ONEM2M_ESPRIM_TEMPLATE);
