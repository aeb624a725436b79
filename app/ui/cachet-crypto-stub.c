/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cachet-crypto-ui.h"

/* TEMPORARY, while the host's MIME layer (cachet-crypto-mime.h) and the application's
 * plugin registry are being written: weak stand-ins that say "no plugin", so the windows
 * build and run without them.  The real definitions replace these; this file goes as soon
 * as both are in. */

#define WEAK __attribute__ ((weak))

WEAK CachetCryptoRegistry *
cachet_application_get_crypto_registry (CachetApplication *self)
{
  return NULL;
}

WEAK gboolean
cachet_application_get_safe_mode (CachetApplication *self)
{
  return FALSE;
}

#ifndef CACHET_HAVE_CRYPTO_MIME

WEAK GQuark
cachet_crypto_mime_error_quark (void)
{
  return g_quark_from_static_string ("cachet-crypto-mime-error-quark");
}

static void
no_plugin (GError **error)
{
  g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                       _("No encryption plugin is loaded."));
}

WEAK GBytes *
cachet_crypto_seal (CachetCryptoRegistry          *registry,
                    GBytes                        *message,
                    const CachetCryptoSealOptions *options,
                    GError                       **error)
{
  no_plugin (error);
  return NULL;
}

WEAK char **
cachet_crypto_missing_keys (CachetCryptoRegistry *registry,
                            const char           *protocol,
                            const char *const    *recipients,
                            GCancellable         *cancellable,
                            GError              **error)
{
  no_plugin (error);
  return NULL;
}

WEAK gboolean
cachet_crypto_looks_sealed (GBytes *message)
{
  return FALSE;
}

WEAK void
cachet_crypto_opened_free (CachetCryptoOpened *opened)
{
  if (opened == NULL)
    return;
  g_free (opened->protocol);
  g_free (opened->problem);
  g_clear_pointer (&opened->signatures, g_ptr_array_unref);
  g_clear_pointer (&opened->message, g_bytes_unref);
  g_free (opened);
}

WEAK CachetCryptoOpened *
cachet_crypto_open (CachetCryptoRegistry          *registry,
                    GBytes                        *message,
                    const CachetCryptoOpenOptions *options,
                    GError                       **error)
{
  CachetCryptoOpened *opened = g_new0 (CachetCryptoOpened, 1);

  opened->problem = g_strdup (_("No encryption plugin is loaded."));
  opened->message = g_bytes_ref (message);
  return opened;
}

WEAK void
cachet_crypto_verdict_free (CachetCryptoVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->title);
  g_free (verdict->detail);
  g_free (verdict);
}

WEAK CachetCryptoVerdict *
cachet_crypto_verdict_new (const CachetCryptoOpened *opened,
                           const char               *from_address)
{
  CachetCryptoVerdict *verdict;

  if (opened->problem == NULL)
    return NULL;
  verdict = g_new0 (CachetCryptoVerdict, 1);
  verdict->level = CACHET_CRYPTO_VERDICT_WARNING;
  verdict->title = g_strdup (opened->problem);
  return verdict;
}

WEAK GPtrArray *
cachet_crypto_import_keys (CachetCryptoRegistry *registry,
                           const char           *protocol,
                           GBytes               *keydata,
                           GCancellable         *cancellable,
                           GError              **error)
{
  no_plugin (error);
  return NULL;
}

#endif
