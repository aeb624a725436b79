/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cachet-cli-crypto.h"
#include "cachet-cli-private.h"
#include "cachet-message-dump.h"
#include "cachet-message.h"

int
_cachet_cli_show (int    argc,
                  char **argv)
{
  gboolean all_headers = FALSE;
  gboolean crypto_status = FALSE;
  g_autofree char *passphrase_file = NULL;
  g_auto(GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "all-headers", 0, 0, G_OPTION_ARG_NONE, &all_headers,
      N_("Print every header field, decoded"), NULL },
    /* For tests and scripts: a sealed message's passphrase, and the crypto result in detail. */
    { "passphrase-file", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &passphrase_file,
      NULL, NULL },
    { "crypto-status", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &crypto_status, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — print a message"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) shown = NULL;
  g_autofree char *dump = NULL;
  GPtrArray *warnings;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cachet show: %s\n", error->message);
      return 2;
    }
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      fprintf (stderr, "%s", _("Usage: cachet show FILE.eml [--all-headers]\n"));
      return 2;
    }

  mapped = g_mapped_file_new (files[0], FALSE, &error);
  if (mapped == NULL)
    {
      fprintf (stderr, _("cachet show: cannot read “%s”: %s\n"), files[0], error->message);
      return 1;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  /* A sealed message is shown opened, below a line saying how that went. */
  shown = _cachet_cli_crypto_open (bytes, passphrase_file, crypto_status);
  if (shown == NULL)
    return 1;
  message = cachet_message_new_from_bytes (shown);

  if (all_headers)
    {
      for (guint i = 0; i < cachet_message_get_n_headers (message); i++)
        printf ("%s: %s\n", cachet_message_get_header_name (message, i),
                cachet_message_get_header_value (message, i));
      printf ("\n");
    }

  dump = cachet_message_dump (message);
  fputs (dump, stdout);

  warnings = cachet_message_get_warnings (message);
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, _("cachet show: warning: %s\n"), (const char *) g_ptr_array_index (warnings, i));
  return 0;
}
