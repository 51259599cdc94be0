// SPDX-License-Identifier: GPL-2.0
/*
 * onem2m_esprim: oneM2M End-to-End Security of Primitives (ESPrim) in the
 * kernel.  Module entry points.
 */

#include <crypto/algapi.h>
#include <linux/module.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

static int __init esprim_module_init(void)
{
	int err;

	err = crypto_register_template(&esprim_aead_tmpl);
	if (err)
		return err;

	/* A template that fails its known answers must not stay usable. */
	err = esprim_aead_selftest();
	if (err)
		crypto_unregister_template(&esprim_aead_tmpl);
	return err;
}

static void __exit esprim_module_exit(void)
{
	crypto_unregister_template(&esprim_aead_tmpl);
}

module_init(esprim_module_init);
module_exit(esprim_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("oneM2M End-to-End Security of Primitives (ESPrim)");
MODULE_ALIAS_CRYPTO(ONEM2M_ESPRIM_TEMPLATE);
