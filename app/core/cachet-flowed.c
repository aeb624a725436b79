/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-flowed"

#include "config.h"

#include "cachet-flowed.h"

#include <string.h>

/* RFC 3676 4.1-4.5: a line ending in a space is soft-broken and joins the next line of the
 * same quote depth; "-- " (the signature separator) never flows; one leading space after
 * the quote marks is stuffing and is removed.  A paragraph is emitted as one line with its
 * quote marks; the viewer wraps it to the window. */
char *
cachet_flowed_decode (const char *text,
                      gboolean    delsp)
{
  g_auto(GStrv) lines = NULL;
  GString *out;
  GString *para = NULL;
  int para_depth = -1;

  if (text == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (text));
  lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l; l++)
    {
      char *line = *l;
      gsize len = strlen (line);
      int depth = 0;
      gboolean flowed;
      const char *content;
      gsize content_len;

      /* The last element after a final newline is empty and not a line. */
      if (l[1] == NULL && len == 0)
        break;
      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';

      while (line[depth] == '>')
        depth++;
      content = line + depth;
      if (*content == ' ')
        content++;
      content_len = strlen (content);

      flowed = content_len > 0 && content[content_len - 1] == ' '
               && !(content_len == 3 && strcmp (content, "-- ") == 0);

      /* A change of depth ends an open paragraph (RFC 3676 4.5: improperly flowed). */
      if (para != NULL && depth != para_depth)
        {
          g_string_append (out, para->str);
          g_string_append_c (out, '\n');
          g_string_free (para, TRUE);
          para = NULL;
        }

      if (para == NULL)
        {
          para = g_string_new (NULL);
          para_depth = depth;
          for (int i = 0; i < depth; i++)
            g_string_append_c (para, '>');
        }

      {
        gsize n = flowed && delsp ? content_len - 1 : content_len;

        /* The space after the quote marks only before text: an empty quoted line stays
         * ">", not "> ". */
        if (depth > 0 && para->len == (gsize) depth && n > 0)
          g_string_append_c (para, ' ');
        g_string_append_len (para, content, n);
      }

      if (!flowed)
        {
          g_string_append (out, para->str);
          g_string_append_c (out, '\n');
          g_string_free (para, TRUE);
          para = NULL;
        }
    }

  if (para != NULL)
    {
      g_string_append (out, para->str);
      g_string_append_c (out, '\n');
      g_string_free (para, TRUE);
    }
  return g_string_free (out, FALSE);
}
