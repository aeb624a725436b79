/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsecret/secret.h>

#include "cachet-secrets.h"

G_BEGIN_DECLS

const SecretSchema *_cachet_secrets_get_schema (void);
gboolean            _cachet_secret_key_is_valid (const CachetSecretKey *key);

/* The session memory: a non-pageable copy of the password (free it with
 * cachet_secrets_password_free()), or NULL. */
char *_cachet_secrets_session_lookup (const CachetSecretKey *key);
void  _cachet_secrets_session_forget (const CachetSecretKey *key);

G_END_DECLS
