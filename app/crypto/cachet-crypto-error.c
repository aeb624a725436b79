/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-error.h"

G_DEFINE_QUARK (cachet-crypto-error-quark, cachet_crypto_error)
