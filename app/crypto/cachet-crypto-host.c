/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-host.h"

#include <string.h>

/* The host side of the plugin contract.  Calls, result sinks and the
 * passphrase prompt come with the crypto operations; for now a plugin can
 * log, read its data directory and settings, and wipe memory. */

struct CachetCryptoHost
{
  char *plugin_id;
  char *data_dir;
};

static size_t
copy_out (const char *value,
          char       *buffer,
          size_t      size)
{
  size_t len = value != NULL ? strlen (value) : 0;

  if (buffer != NULL && size > 0)
    {
      size_t n = MIN (len, size - 1);
      memcpy (buffer, value != NULL ? value : "", n);
      buffer[n] = '\0';
    }
  return len;
}

static void
host_log (CachetCryptoHost *host,
          int32_t           level,
          const char       *message)
{
  GLogLevelFlags flags = level >= CACHET_CRYPTO_LOG_WARNING ? G_LOG_LEVEL_WARNING
                         : level == CACHET_CRYPTO_LOG_INFO  ? G_LOG_LEVEL_INFO
                                                            : G_LOG_LEVEL_DEBUG;

  if (host == NULL || message == NULL || !g_utf8_validate (message, -1, NULL))
    return;
  g_log_structured (G_LOG_DOMAIN, flags,
                    "CACHET_PLUGIN", host->plugin_id,
                    "MESSAGE", "%s: %s", host->plugin_id, message);
}

static void
host_set_error (CachetCryptoCall *call,
                int32_t           status,
                const char       *user_message,
                const char       *debug_message)
{
}

static int32_t
host_is_cancelled (CachetCryptoCall *call)
{
  return 0;
}

static int32_t
host_ask_passphrase (CachetCryptoCall *call,
                     const char       *key_hint,
                     const char       *description,
                     int32_t           previous_was_bad,
                     const char      **passphrase,
                     size_t           *length)
{
  /* No prompt outside a call. */
  return CACHET_CRYPTO_STATUS_CANCELLED;
}

static void
host_progress (CachetCryptoCall *call,
               uint64_t          done,
               uint64_t          total)
{
}

static size_t
host_plugin_data_dir (CachetCryptoHost *host,
                      char             *buffer,
                      size_t            size)
{
  return copy_out (host != NULL ? host->data_dir : NULL, buffer, size);
}

static size_t
host_get_setting (CachetCryptoHost *host,
                  const char       *key,
                  char             *buffer,
                  size_t            size)
{
  return copy_out (NULL, buffer, size);
}

static void
host_add_signature (CachetCryptoResultSink      *sink,
                    const CachetCryptoSignature *signature)
{
}

static void
host_add_key (CachetCryptoResultSink *sink,
              const CachetCryptoKey  *key)
{
}

static void
host_set_result (CachetCryptoResultSink *sink,
                 const char             *key,
                 const char             *value)
{
}

static void
host_secure_zero (void   *buffer,
                  size_t  size)
{
  if (buffer != NULL)
    explicit_bzero (buffer, size);
}

static const CachetCryptoHostApi host_api = {
  .struct_size = sizeof (CachetCryptoHostApi),
  .log = host_log,
  .set_error = host_set_error,
  .is_cancelled = host_is_cancelled,
  .ask_passphrase = host_ask_passphrase,
  .progress = host_progress,
  .plugin_data_dir = host_plugin_data_dir,
  .get_setting = host_get_setting,
  .add_signature = host_add_signature,
  .add_key = host_add_key,
  .set_result = host_set_result,
  .secure_zero = host_secure_zero,
};

const CachetCryptoHostApi *
_cachet_crypto_host_api (void)
{
  return &host_api;
}

CachetCryptoHost *
_cachet_crypto_host_new (const char *plugin_id)
{
  CachetCryptoHost *host = g_new0 (CachetCryptoHost, 1);

  host->plugin_id = g_strdup (plugin_id);
  host->data_dir = g_build_filename (g_get_user_data_dir (), "cachet", "plugin-data",
                                     plugin_id, NULL);
  return host;
}

void
_cachet_crypto_host_free (CachetCryptoHost *host)
{
  if (host == NULL)
    return;
  g_free (host->plugin_id);
  g_free (host->data_dir);
  g_free (host);
}
