/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The OpenPGP crypto plugin over GPGME: entry point, init, classify and
 * what every op shares (contexts, the passphrase prompt, errors).
 *
 * Plain C, GPGME and libc only: it is loaded into the mail client.  Each op
 * makes its own GPGME context, so calls on several threads need no lock and
 * the plugin does not claim CACHET_CRYPTO_CAP_SERIALIZE_CALLS. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachet-openpgp-private.h"

#ifndef OPENPGP_VERSION
# define OPENPGP_VERSION "0"
#endif

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

char *
openpgp_strdup (const char *text)
{
  size_t len;
  char *copy;

  if (text == NULL)
    return NULL;
  len = strlen (text);
  copy = malloc (len + 1);
  if (copy != NULL)
    memcpy (copy, text, len + 1);
  return copy;
}

static char *
vprintf_alloc (const char *format,
               va_list     args)
{
  va_list again;
  int len;
  char *text;

  va_copy (again, args);
  len = vsnprintf (NULL, 0, format, again);
  va_end (again);
  if (len < 0)
    return NULL;
  text = malloc ((size_t) len + 1);
  if (text == NULL)
    return NULL;
  vsnprintf (text, (size_t) len + 1, format, args);
  return text;
}

char *
openpgp_strdup_printf (const char *format,
                       ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = vprintf_alloc (format, args);
  va_end (args);
  return text;
}

int
openpgp_ascii_casecmp (const char *a,
                       const char *b)
{
  for (;; a++, b++)
    {
      int ca = tolower ((unsigned char) *a);
      int cb = tolower ((unsigned char) *b);

      if (ca != cb || ca == 0)
        return ca - cb;
    }
}

void
openpgp_log (CachetCryptoPlugin *plugin,
             int32_t             level,
             const char         *format,
             ...)
{
  va_list args;
  char *text;

  if (plugin == NULL || plugin->api.log == NULL)
    return;
  va_start (args, format);
  text = vprintf_alloc (format, args);
  va_end (args);
  if (text != NULL)
    plugin->api.log (plugin->host, level, text);
  free (text);
}

int32_t
openpgp_fail (OpenpgpOp     *op,
              int32_t        status,
              gpgme_error_t  err,
              const char    *format,
              ...)
{
  va_list args;
  char *user;
  char *debug = NULL;

  va_start (args, format);
  user = vprintf_alloc (format, args);
  va_end (args);
  if (err != 0)
    {
      char text[256];

      if (gpgme_strerror_r (err, text, sizeof text) != 0)
        text[0] = '\0';
      debug = openpgp_strdup_printf ("%s (%s: %s)", user != NULL ? user : "",
                                     gpgme_strsource (err), text);
    }
  if (op->plugin->api.set_error != NULL)
    op->plugin->api.set_error (op->call, status, user, debug != NULL ? debug : user);
  free (user);
  free (debug);
  return status;
}

int
openpgp_is_cancelled (OpenpgpOp *op)
{
  if (op->cancelled)
    return 1;
  if (op->plugin->api.is_cancelled != NULL
      && op->plugin->api.is_cancelled (op->call) != 0)
    op->cancelled = 1;
  return op->cancelled;
}

int
openpgp_copy_params (const CachetCryptoParams *params,
                     CachetCryptoParams       *local)
{
  memset (local, 0, sizeof *local);
  if (params == NULL || params->struct_size < CACHET_CRYPTO_PARAMS_SIZE_1_0)
    return 0;
  memcpy (local, params,
          params->struct_size < sizeof *local ? params->struct_size : sizeof *local);
  if (local->recipients == NULL)
    local->n_recipients = 0;
  return 1;
}

int32_t
openpgp_fail_from_gpgme (OpenpgpOp     *op,
                         gpgme_error_t  err,
                         const char    *what)
{
  gpgme_err_code_t code = gpgme_err_code (err);

  if (op->user_cancelled || openpgp_is_cancelled (op) || code == GPG_ERR_CANCELED
      || code == GPG_ERR_FULLY_CANCELED)
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_CANCELLED, err,
                         "The operation was cancelled.");
  if (op->ask_failed)
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, err,
                         "The passphrase could not be asked for.");
  if (op->stream_failed)
    return openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, err,
                         "The message could not be read or written.");
  switch (code)
    {
    case GPG_ERR_BAD_PASSPHRASE:
      return openpgp_fail (op, CACHET_CRYPTO_STATUS_BAD_PASSPHRASE, err,
                           "The passphrase was wrong.");
    case GPG_ERR_NO_SECKEY:
      return openpgp_fail (op, CACHET_CRYPTO_STATUS_NO_KEY, err,
                           "The secret key needed is not in your keyring.");
    case GPG_ERR_NO_PUBKEY:
    case GPG_ERR_UNUSABLE_PUBKEY:
      return openpgp_fail (op, CACHET_CRYPTO_STATUS_NO_KEY, err,
                           "A key needed is missing or not usable.");
    case GPG_ERR_NO_DATA:
    case GPG_ERR_INV_PACKET:
    case GPG_ERR_BAD_DATA:
    case GPG_ERR_INV_DATA:
    case GPG_ERR_INV_ARMOR:
    case GPG_ERR_UNKNOWN_PACKET:
    case GPG_ERR_INV_KEYRING:
    case GPG_ERR_BAD_MPI:
      return openpgp_fail (op, CACHET_CRYPTO_STATUS_BAD_DATA, err,
                           "The data is damaged or is not OpenPGP data.");
    default:
      return openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, err, "%s", what);
    }
}

/* ------------------------------------------------------------------------ */
/* Passphrases                                                              */

/* UID_HINT is "LONGKEYID User ID". */
static gpgme_error_t
passphrase_cb (void       *hook,
               const char *uid_hint,
               const char *passphrase_info,
               int         prev_was_bad,
               int         fd)
{
  OpenpgpOp *op = hook;
  const CachetCryptoHostApi *api = &op->plugin->api;
  const char *answer = NULL;
  size_t length = 0;
  const char *space = uid_hint != NULL ? strchr (uid_hint, ' ') : NULL;
  char *hint = NULL;
  char *description = NULL;
  int32_t status;

  op->asked = 1;
  if (api->ask_passphrase == NULL || openpgp_is_cancelled (op))
    {
      op->user_cancelled = 1;
      return gpg_error (GPG_ERR_CANCELED);
    }

  if (space != NULL && space[1] != '\0')
    {
      hint = openpgp_strdup_printf ("%s (%.*s)", space + 1,
                                    (int) (space - uid_hint), uid_hint);
      description = openpgp_strdup_printf (
        "Enter the passphrase of the OpenPGP secret key of %s (key ID %.*s).",
        space + 1, (int) (space - uid_hint), uid_hint);
    }
  else if (uid_hint != NULL)
    {
      hint = openpgp_strdup (uid_hint);
      description = openpgp_strdup_printf (
        "Enter the passphrase of the OpenPGP secret key %s.", uid_hint);
    }
  else
    description = openpgp_strdup ("Enter the OpenPGP passphrase.");

  status = api->ask_passphrase (op->call, hint, description,
                                prev_was_bad || op->attempt > 1 ? 1 : 0,
                                &answer, &length);
  free (hint);
  free (description);

  if (status == CACHET_CRYPTO_STATUS_CANCELLED)
    {
      op->user_cancelled = 1;
      return gpg_error (GPG_ERR_CANCELED);
    }
  if (status != CACHET_CRYPTO_STATUS_OK || answer == NULL)
    {
      op->ask_failed = 1;
      return gpg_error (GPG_ERR_CANCELED);
    }
  /* gpg-agent reads one line: a passphrase with a line break cannot be
   * given, and is sent only up to it (it will then be wrong). */
  {
    const char *nl = memchr (answer, '\n', length);

    if (nl != NULL)
      length = (size_t) (nl - answer);
  }
  /* The answer is the host's buffer (it wipes it); nothing is copied here. */
  if ((length > 0 && gpgme_io_writen (fd, answer, length) != 0)
      || gpgme_io_writen (fd, "\n", 1) != 0)
    return gpgme_error_from_syserror ();
  (void) passphrase_info;
  return 0;
}

int
openpgp_new_context (OpenpgpOp   *op,
                     gpgme_ctx_t *ctx,
                     int          with_passphrase)
{
  gpgme_error_t err;

  *ctx = NULL;
  err = gpgme_new (ctx);
  if (err == 0)
    err = gpgme_set_protocol (*ctx, GPGME_PROTOCOL_OpenPGP);
  if (err == 0)
    err = gpgme_set_keylist_mode (*ctx, GPGME_KEYLIST_MODE_LOCAL);
  /* Loopback even where no passphrase is expected: gpg-agent must never
   * start a pinentry of its own inside the mail client. */
  if (err == 0)
    err = gpgme_set_pinentry_mode (*ctx, GPGME_PINENTRY_MODE_LOOPBACK);
  if (err != 0)
    {
      if (*ctx != NULL)
        gpgme_release (*ctx);
      *ctx = NULL;
      openpgp_fail (op, CACHET_CRYPTO_STATUS_FAILED, err, "GnuPG could not be started.");
      return 0;
    }
  gpgme_set_passphrase_cb (*ctx, passphrase_cb, op);
  (void) with_passphrase;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* Classify                                                                 */

static int
is (const char *value,
    const char *expected)
{
  return value != NULL && openpgp_ascii_casecmp (value, expected) == 0;
}

static int32_t
openpgp_classify (CachetCryptoPlugin         *plugin,
                  const CachetCryptoPartInfo *part)
{
  CachetCryptoPartInfo local;

  memset (&local, 0, sizeof local);
  if (part == NULL || part->struct_size < CACHET_CRYPTO_PART_INFO_SIZE_1_0)
    return CACHET_CRYPTO_PART_NONE;
  memcpy (&local, part, part->struct_size < sizeof local ? part->struct_size : sizeof local);

  if (is (local.content_type, "multipart/encrypted")
      && is (local.protocol, "application/pgp-encrypted"))
    return CACHET_CRYPTO_PART_ENCRYPTED;
  if (is (local.content_type, "multipart/signed")
      && is (local.protocol, "application/pgp-signature"))
    return CACHET_CRYPTO_PART_SIGNED;
  if (is (local.content_type, "application/pgp-signature"))
    return CACHET_CRYPTO_PART_SIGNATURE;
  if (is (local.content_type, "application/pgp-keys"))
    return CACHET_CRYPTO_PART_KEYS;
  return CACHET_CRYPTO_PART_NONE;
}

/* ------------------------------------------------------------------------ */
/* Init                                                                     */

static int32_t
openpgp_init (const CachetCryptoHostApi  *host_api,
              CachetCryptoHost           *host,
              CachetCryptoPlugin        **plugin)
{
  CachetCryptoPlugin *self;
  gpgme_error_t err;

  if (plugin == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  *plugin = NULL;
  if (host_api == NULL || host_api->struct_size < CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return CACHET_CRYPTO_STATUS_FAILED;

  self = calloc (1, sizeof *self);
  if (self == NULL)
    return CACHET_CRYPTO_STATUS_FAILED;
  memcpy (&self->api, host_api,
          host_api->struct_size < sizeof self->api ? host_api->struct_size : sizeof self->api);
  self->host = host;

  /* Also sets GPGME up for threads; must run before any context exists. */
  if (gpgme_check_version ("1.13.0") == NULL)
    {
      openpgp_log (self, CACHET_CRYPTO_LOG_WARNING,
                   "GPGME %s is too old; 1.13.0 or newer is needed",
                   gpgme_check_version (NULL));
      free (self);
      return CACHET_CRYPTO_STATUS_FAILED;
    }
  err = gpgme_engine_check_version (GPGME_PROTOCOL_OpenPGP);
  if (err != 0)
    {
      openpgp_log (self, CACHET_CRYPTO_LOG_WARNING,
                   "GnuPG (gpg) is not installed or too old: %s", gpgme_strerror (err));
      free (self);
      return CACHET_CRYPTO_STATUS_FAILED;
    }
  openpgp_log (self, CACHET_CRYPTO_LOG_DEBUG, "GPGME %s", gpgme_check_version (NULL));
  *plugin = self;
  return CACHET_CRYPTO_STATUS_OK;
}

static void
openpgp_shutdown (CachetCryptoPlugin *plugin)
{
  if (plugin == NULL)
    return;
  memset (plugin, 0, sizeof *plugin);
  free (plugin);
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */

static const char *const openpgp_protocols[] = { OPENPGP_PROTOCOL, NULL };

static const CachetCryptoOps openpgp_ops = {
  .struct_size = sizeof (CachetCryptoOps),
  .classify = openpgp_classify,
  .encrypt = openpgp_encrypt,
  .decrypt = openpgp_decrypt,
  .sign = openpgp_sign,
  .verify = openpgp_verify,
  .key_lookup = openpgp_key_lookup,
  .key_import = openpgp_key_import,
};

static const CachetCryptoPluginInfo openpgp_info = {
  .magic = CACHET_CRYPTO_PLUGIN_MAGIC,
  .struct_size = sizeof (CachetCryptoPluginInfo),
  .abi_major = CACHET_CRYPTO_ABI_MAJOR,
  .abi_minor_built = CACHET_CRYPTO_ABI_MINOR,
  .abi_minor_required = 0,
  .capabilities = CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT
                  | CACHET_CRYPTO_CAP_SIGN | CACHET_CRYPTO_CAP_VERIFY
                  | CACHET_CRYPTO_CAP_KEY_LOOKUP | CACHET_CRYPTO_CAP_KEY_IMPORT,
  .id = "org.cachet.OpenPGP",
  .name = "OpenPGP",
  .version = OPENPGP_VERSION,
  .license = "GPL-3.0-or-later",
  .url = NULL,
  .gettext_domain = NULL,
  .protocols = openpgp_protocols,
  .init = openpgp_init,
  .shutdown = openpgp_shutdown,
  .ops = &openpgp_ops,
};

CACHET_CRYPTO_PLUGIN_EXPORT const CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &openpgp_info;
}
