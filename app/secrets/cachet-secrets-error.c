/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-secrets.h"

G_DEFINE_QUARK (cachet-secrets-error-quark, cachet_secrets_error)
