/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include "cachet-crypto-host.h"

#include "cachet-crypto-call-private.h"

#include <string.h>

/* The host side of the plugin contract: the API table every plugin gets.
 * What acts on a call or a result sink is in cachet-crypto-call.c. */

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
host_secure_zero (void   *buffer,
                  size_t  size)
{
  if (buffer != NULL)
    explicit_bzero (buffer, size);
}

static const CachetCryptoHostApi host_api = {
  .struct_size = sizeof (CachetCryptoHostApi),
  .log = host_log,
  .set_error = _cachet_crypto_call_set_error,
  .is_cancelled = _cachet_crypto_call_is_cancelled,
  .ask_passphrase = _cachet_crypto_call_ask_passphrase,
  .progress = _cachet_crypto_call_progress,
  .plugin_data_dir = host_plugin_data_dir,
  .get_setting = host_get_setting,
  .add_signature = _cachet_crypto_sink_add_signature,
  .add_key = _cachet_crypto_sink_add_key,
  .set_result = _cachet_crypto_sink_set_result,
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
