/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include "cachet-store.h"

G_DEFINE_QUARK (cachet-store-error-quark, cachet_store_error)
