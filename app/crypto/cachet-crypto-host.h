/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cachet-crypto-plugin.h"

G_BEGIN_DECLS

/* The host API table every plugin gets in init (static, valid for the life
 * of the process). */
const CachetCryptoHostApi *_cachet_crypto_host_api (void);

/* The host handle of one plugin, made before its init. */
CachetCryptoHost *_cachet_crypto_host_new  (const char       *plugin_id);
void              _cachet_crypto_host_free (CachetCryptoHost *host);

G_END_DECLS
