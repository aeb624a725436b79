/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-secrets"

#include "config.h"

#include "cachet-secrets.h"

#include "cachet-secrets-private.h"

/* Passwords the user typed "for this session only" because the keyring failed.  They are
 * held as SecretValues, whose bytes live in libsecret's non-pageable memory and are wiped
 * when the last reference goes; nothing of them ever reaches a file.  Threads share the
 * table (a fetch worker may look a password up), so it is guarded by a mutex. */

static GMutex session_lock;
static GHashTable *session;   /* key string -> SecretValue */

/* Fields joined with a byte that cannot be in any of them (the unit separator). */
static char *
session_key (const CachetSecretKey *key)
{
  return g_strjoin ("\x1f", key->account_id, key->protocol, key->host, key->user, NULL);
}

void
cachet_secrets_remember_for_session (const CachetSecretKey *key,
                                     const char            *password)
{
  g_return_if_fail (_cachet_secret_key_is_valid (key));
  g_return_if_fail (password != NULL);

  g_mutex_lock (&session_lock);
  if (session == NULL)
    session = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) secret_value_unref);
  g_hash_table_replace (session, session_key (key),
                        secret_value_new (password, -1, "text/plain"));
  g_mutex_unlock (&session_lock);
}

char *
_cachet_secrets_session_lookup (const CachetSecretKey *key)
{
  g_autofree char *k = session_key (key);
  SecretValue *value = NULL;

  g_mutex_lock (&session_lock);
  if (session != NULL)
    value = g_hash_table_lookup (session, k);
  if (value != NULL)
    secret_value_ref (value);
  g_mutex_unlock (&session_lock);

  /* Shared: this copies into non-pageable memory and drops our reference. */
  return value != NULL ? secret_value_unref_to_password (value, NULL) : NULL;
}

void
_cachet_secrets_session_forget (const CachetSecretKey *key)
{
  g_autofree char *k = session_key (key);

  g_mutex_lock (&session_lock);
  if (session != NULL)
    g_hash_table_remove (session, k);
  g_mutex_unlock (&session_lock);
}

void
cachet_secrets_forget_session (void)
{
  g_mutex_lock (&session_lock);
  g_clear_pointer (&session, g_hash_table_unref);
  g_mutex_unlock (&session_lock);
}
