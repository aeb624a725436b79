/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crypto-seal-tool"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cachet-cli-crypto.h"
#include "cachet-crypto-mime.h"
#include "cachet-draft.h"

/* For the interop tests: composes a message with CachetDraft, as the composer
 * does, seals it with cachet_crypto_seal and the plugins the app would load,
 * and writes it to a file for gpg to take apart.
 *
 *   crypto-seal-tool --from ADDR --to ADDR [--to ADDR ...] [--subject S]
 *                    [--body TEXT] [--attach FILE ...] [--sign] [--encrypt]
 *                    [--passphrase-file FILE] [--plain FILE] OUT
 *
 * Text arguments are taken as UTF-8 whatever the locale (FILENAME options:
 * no conversion).  --plain writes the message as built, before sealing.  Exit status 0, or 1
 * with the reason on stderr (a missing key's message names the recipient). */

static char *passphrase;

static char *
ask_passphrase (const char *key_hint,
                const char *description,
                gboolean    again,
                gpointer    user_data)
{
  if (again || passphrase == NULL)
    return NULL;
  return g_strdup (passphrase);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *from = NULL;
  g_auto(GStrv) to = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) attach = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *plain_file = NULL;
  g_auto(GStrv) rest = NULL;
  gboolean sign = FALSE, encrypt = FALSE;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from, "Sender address", "ADDR" },
    { "to", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to, "Recipient address", "ADDR" },
    { "subject", 0, 0, G_OPTION_ARG_FILENAME, &subject, "Subject", "TEXT" },
    { "body", 0, 0, G_OPTION_ARG_FILENAME, &body, "Body text", "TEXT" },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach, "Attach a file", "FILE" },
    { "sign", 0, 0, G_OPTION_ARG_NONE, &sign, "Sign", NULL },
    { "encrypt", 0, 0, G_OPTION_ARG_NONE, &encrypt, "Encrypt", NULL },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, "Passphrase", "FILE" },
    { "plain", 0, 0, G_OPTION_ARG_FILENAME, &plain_file, "Write the unsealed message", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "OUT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("OUT");
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(CachetCryptoRegistry) registry = NULL;
  g_autoptr(GBytes) built = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *to_text = NULL;
  CachetCryptoSealOptions options = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "crypto-seal-tool: %s\n", error->message);
      return 2;
    }
  if (from == NULL || to == NULL || rest == NULL || rest[0] == NULL || rest[1] != NULL)
    {
      fprintf (stderr, "usage: crypto-seal-tool --from ADDR --to ADDR [OPTION...] OUT\n");
      return 2;
    }
  if (passphrase_file != NULL)
    {
      char *contents = NULL;

      if (!g_file_get_contents (passphrase_file, &contents, NULL, &error))
        {
          fprintf (stderr, "crypto-seal-tool: %s\n", error->message);
          return 1;
        }
      passphrase = g_strndup (contents, strcspn (contents, "\r\n"));
      g_free (contents);
    }

  cachet_draft_set_from (draft, NULL, from);
  to_text = g_strjoinv (", ", to);
  cachet_draft_set_to (draft, to_text);
  cachet_draft_set_subject (draft, subject != NULL ? subject : "Interop test");
  cachet_draft_set_body (draft, body != NULL ? body : "Hello from Cachet.\n");
  for (guint i = 0; attach != NULL && attach[i] != NULL; i++)
    if (cachet_draft_add_file (draft, attach[i], NULL, &error) == G_MAXUINT)
      {
        fprintf (stderr, "crypto-seal-tool: %s\n", error->message);
        return 1;
      }
  built = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
  if (built == NULL)
    {
      fprintf (stderr, "crypto-seal-tool: cannot build the message: %s\n", error->message);
      return 1;
    }
  if (plain_file != NULL
      && !g_file_set_contents (plain_file, g_bytes_get_data (built, NULL),
                               (gssize) g_bytes_get_size (built), &error))
    {
      fprintf (stderr, "crypto-seal-tool: %s\n", error->message);
      return 1;
    }

  registry = _cachet_cli_crypto_registry_new (NULL);
  options.encrypt = encrypt;
  options.sign = sign;
  options.recipients = (const char *const *) to;
  options.sender = from;
  options.ask_passphrase = ask_passphrase;
  sealed = cachet_crypto_seal (registry, built, &options, &error);
  cachet_crypto_passphrase_free (passphrase);
  if (sealed == NULL)
    {
      fprintf (stderr, "crypto-seal-tool: cannot seal: %s\n", error->message);
      return 1;
    }
  if (!g_file_set_contents (rest[0], g_bytes_get_data (sealed, NULL),
                            (gssize) g_bytes_get_size (sealed), &error))
    {
      fprintf (stderr, "crypto-seal-tool: %s\n", error->message);
      return 1;
    }
  return 0;
}
