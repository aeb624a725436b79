/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cachet-bounce.h"
#include "cachet-cli-private.h"
#include "cachet-message.h"

/* `cachet bounce FILE...`: a debugging command (not in --help) that prints, for each file,
 * one line of tab-separated fields: the file, "bounce" or "not-bounce" (or "error"),
 * "standard" or "text", "failed" or "delayed", the failed recipients separated by spaces
 * ("-" when none is named), the first status code, the original Message-ID and the line
 * the viewer shows.  The corpus test reads it. */

static void
print_field (const char *value)
{
  putchar ('\t');
  if (value == NULL || *value == '\0')
    {
      putchar ('-');
      return;
    }
  for (const char *p = value; *p; p++)
    putchar (*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

int
_cachet_cli_bounce (int    argc,
                    char **argv)
{
  int status = 0;

  if (argc < 2)
    {
      fprintf (stderr, "%s", _("Usage: cachet bounce FILE…\n"));
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetMessage) message = cachet_message_new_from_file (argv[i], &error);
      g_autoptr(CachetBounce) bounce = NULL;
      g_autoptr(GString) recipients = g_string_new (NULL);
      g_autofree char *description = NULL;
      const char *first_status = NULL;

      fputs (argv[i], stdout);
      if (message == NULL)
        {
          print_field ("error");
          print_field (error->message);
          putchar ('\n');
          status = 1;
          continue;
        }
      bounce = cachet_bounce_detect (message);
      if (bounce == NULL)
        {
          print_field ("not-bounce");
          putchar ('\n');
          continue;
        }
      for (guint j = 0; j < bounce->recipients->len; j++)
        {
          const CachetBounceRecipient *r = g_ptr_array_index (bounce->recipients, j);

          if (r->recipient != NULL)
            {
              if (recipients->len > 0)
                g_string_append_c (recipients, ' ');
              g_string_append (recipients, r->recipient);
            }
          if (first_status == NULL)
            first_status = r->status;
        }
      description = cachet_bounce_describe (bounce);
      print_field ("bounce");
      print_field (bounce->standard ? "standard" : "text");
      print_field (bounce->delayed_only ? "delayed" : "failed");
      print_field (recipients->str);
      print_field (first_status);
      print_field (bounce->original_message_id);
      print_field (description);
      putchar ('\n');
    }
  return status;
}
