/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "cachet-address.h"
#include "cachet-cli-crypto.h"
#include "cachet-crypto-mime.h"
#include "cachet-crypto-registry.h"
#include "cachet-message.h"

/* `cachet show` of a sealed message: open it with the plugins the app would
 * load (the system directory, and the user's with the plugins the user
 * enabled) and say what came of it above the message. */

#define SCHEMA_ID "org.cachet.Cachet"
#define ENABLED_KEY "enabled-plugins"

/* The user plugins enabled in the app's settings ("ID=SHA256"), or NULL
 * when this build's schema has no such key or is not installed. */
static GStrv
enabled_plugins (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, ENABLED_KEY))
    return NULL;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_strv (settings, ENABLED_KEY);
}

CachetCryptoRegistry *
_cachet_cli_crypto_registry_new (const char *probe_program)
{
  g_auto(GStrv) enabled = enabled_plugins ();
  CachetCryptoRegistry *registry = cachet_crypto_registry_new ((const char *const *) enabled);

  if (probe_program != NULL)
    cachet_crypto_registry_set_probe (registry, probe_program, NULL);
  cachet_crypto_registry_scan_default (registry);
  return registry;
}

typedef struct
{
  char *passphrase;
} Prompt;

/* The passphrase from the file, once: a wrong one is not tried again. */
static char *
ask_passphrase (const char *key_hint,
                const char *description,
                gboolean    again,
                gpointer    user_data)
{
  Prompt *prompt = user_data;

  if (again || prompt->passphrase == NULL)
    return NULL;
  return g_strdup (prompt->passphrase);
}

/* The first line of PATH, or NULL with a message on stderr. */
static char *
read_passphrase (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  char *passphrase;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, _("cachet show: cannot read the passphrase file: %s\n"), error->message);
      return NULL;
    }
  passphrase = g_strndup (contents, strcspn (contents, "\r\n"));
  memset (contents, 0, length);
  g_free (contents);
  return passphrase;
}

static const char *
signature_status (int status)
{
  switch (status)
    {
    case CACHET_CRYPTO_SIG_GOOD:
      return "good";
    case CACHET_CRYPTO_SIG_BAD:
      return "bad";
    case CACHET_CRYPTO_SIG_NO_KEY:
      return "no-key";
    default:
      return "error";
    }
}

static const char *
yes_no (gboolean value)
{
  return value ? "yes" : "no";
}

/* The lines the tests read: one of the whole, one per signature. */
static void
print_status (const CachetCryptoOpened *opened)
{
  printf ("Crypto-Status: encrypted=%s decrypted=%s signed=%s inline=%s partial=%s\n",
          yes_no (opened->encrypted), yes_no (opened->decrypted), yes_no (opened->is_signed),
          yes_no (opened->inline_pgp), yes_no (opened->partial));
  for (guint i = 0; opened->signatures != NULL && i < opened->signatures->len; i++)
    {
      const CachetCryptoSignatureResult *sig = g_ptr_array_index (opened->signatures, i);

      printf ("Crypto-Signature: %s validity=%d summary=0x%x fingerprint=%s uid=%s\n",
              signature_status (sig->status), sig->validity, sig->summary,
              sig->fingerprint != NULL ? sig->fingerprint : "-",
              sig->signer_uid != NULL ? sig->signer_uid : "-");
    }
  if (opened->problem != NULL)
    printf ("Crypto-Problem: %s\n", opened->problem);
}

/* MESSAGE up to and with the blank line after its headers (all of it when
 * there is none). */
static GBytes *
header_block (GBytes *message)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  const char *lf = data != NULL ? memmem (data, length, "\n\n", 2) : NULL;
  const char *crlf = data != NULL ? memmem (data, length, "\r\n\r\n", 4) : NULL;
  gsize end = length;

  if (crlf != NULL && (lf == NULL || crlf < lf))
    end = (gsize) (crlf - data) + 4;
  else if (lf != NULL)
    end = (gsize) (lf - data) + 2;
  return g_bytes_new_from_bytes (message, 0, end);
}

GBytes *
_cachet_cli_crypto_open (GBytes     *message,
                         const char *passphrase_file,
                         gboolean    status)
{
  g_autoptr(CachetCryptoRegistry) registry = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetCryptoVerdict) verdict = NULL;
  g_autoptr(CachetMessage) parsed = NULL;
  g_autoptr(GBytes) headers = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoOpenOptions options = { NULL, NULL, NULL };
  Prompt prompt = { NULL };
  const char *from = NULL;
  GPtrArray *addresses;
  GBytes *result;

  if (!cachet_crypto_looks_sealed (message))
    return g_bytes_ref (message);

  if (passphrase_file != NULL)
    {
      prompt.passphrase = read_passphrase (passphrase_file);
      if (prompt.passphrase == NULL)
        return NULL;
      options.ask_passphrase = ask_passphrase;
      options.ask_passphrase_data = &prompt;
    }

  /* Like the app: a new or changed plugin file is first tried by this
   * program in a helper process. */
  registry = _cachet_cli_crypto_registry_new ("/proc/self/exe");
  opened = cachet_crypto_open (registry, message, &options, &error);
  cachet_crypto_passphrase_free (prompt.passphrase);
  if (opened == NULL)
    {
      fprintf (stderr, _("cachet show: cannot open the sealed message: %s\n"), error->message);
      return NULL;
    }

  /* The From address needs only the header block, not a second parse of
   * the whole (possibly large) message. */
  headers = header_block (message);
  parsed = cachet_message_new_from_bytes (headers);
  addresses = cachet_message_get_from (parsed);
  if (addresses != NULL && addresses->len > 0)
    from = ((CachetAddress *) g_ptr_array_index (addresses, 0))->email;

  verdict = cachet_crypto_verdict_new (opened, from);
  if (verdict != NULL)
    printf (_("Crypto: %s\n"), verdict->title);
  else if (opened->problem != NULL)
    printf (_("Crypto: Not opened: %s\n"), opened->problem);
  if (status)
    print_status (opened);

  result = opened->message != NULL ? g_bytes_ref (opened->message) : g_bytes_ref (message);
  return result;
}
