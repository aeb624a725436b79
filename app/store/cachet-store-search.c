/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-store"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-store-private.h"

/* What the user types, turned into an FTS5 query that cannot fail to parse.  User text is
 * never passed to MATCH as it is: every word and phrase becomes an FTS5 string ("...", with
 * '"' doubled), so FTS5 operators (AND OR NOT NEAR), column names, parentheses, '^', ':'
 * and '*' typed by the user are just text.  Understood:
 *
 *   word          must appear (all words must match)
 *   word*         prefix
 *   "a phrase"    the words next to each other ("a phra"* for a prefix on the last one)
 *   from:x to:x cc:x subject:x body:x   look in that field only (also with a phrase)
 *   -word         must not appear
 *
 * Words without a letter or digit are dropped (the tokenizer would see nothing in them). */

#define MAX_TERMS      32
#define MAX_TERM_BYTES 256
#define MAX_QUERY_BYTES      4096

static const struct
{
  const char *prefix;
  const char *column;
} columns[] = {
  { "from:", "sender" },
  { "to:", "recipients" },
  { "cc:", "recipients" },
  { "subject:", "subject" },
  { "body:", "body" },
};

static gboolean
has_word_char (const char *text,
               gsize       len)
{
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static void
append_term (GString    *out,
             const char *column,
             const char *text,
             gsize       len,
             gboolean    prefix)
{
  if (len > MAX_TERM_BYTES)
    {
      const char *end = g_utf8_find_prev_char (text, text + MAX_TERM_BYTES + 1);
      len = end ? (gsize) (end - text) : 0;
    }
  if (column)
    g_string_append_printf (out, "%s : ", column);
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, text[i]);
    }
  g_string_append_c (out, '"');
  if (prefix)
    g_string_append_c (out, '*');
}

char *
_cachet_store_build_fts_query (const char *user_query,
                               GError    **error)
{
  g_autofree char *input = NULL;
  g_autoptr(GString) positive = g_string_new (NULL);
  g_autoptr(GString) negative = g_string_new (NULL);
  guint n_terms = 0, n_positive = 0;
  const char *p;

  if (strlen (user_query) > MAX_QUERY_BYTES)
    {
      const char *end = g_utf8_find_prev_char (user_query, user_query + MAX_QUERY_BYTES + 1);
      input = g_utf8_make_valid (user_query, end ? end - user_query : 0);
    }
  else
    input = g_utf8_make_valid (user_query, -1);

  p = input;
  while (*p && n_terms < MAX_TERMS)
    {
      const char *column = NULL;
      gboolean negate = FALSE;
      gboolean prefix = FALSE;
      const char *start, *end;
      GString *target;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      if (*p == '-' && p[1] != '\0' && !g_ascii_isspace (p[1]))
        {
          negate = TRUE;
          p++;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (columns); i++)
        {
          gsize n = strlen (columns[i].prefix);
          if (g_ascii_strncasecmp (p, columns[i].prefix, n) == 0)
            {
              column = columns[i].column;
              p += n;
              break;
            }
        }

      if (*p == '"')
        {
          start = ++p;
          while (*p && *p != '"')
            p++;
          end = p;
          if (*p == '"')
            p++;
          if (*p == '*')
            prefix = TRUE;
          while (*p && !g_ascii_isspace (*p))
            p++;
        }
      else
        {
          start = p;
          while (*p && !g_ascii_isspace (*p))
            p++;
          end = p;
          while (end > start && end[-1] == '*')
            {
              end--;
              prefix = TRUE;
            }
        }
      if (end <= start || !has_word_char (start, end - start))
        continue;

      target = negate ? negative : positive;
      if (negate)
        g_string_append (target, " NOT ");
      else if (target->len > 0)
        g_string_append (target, " AND ");
      append_term (target, column, start, end - start, prefix);
      n_terms++;
      if (!negate)
        n_positive++;
    }

  if (n_positive == 0)
    {
      if (n_terms > 0)
        g_set_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_QUERY,
                     _("Say what to look for, not only what to leave out."));
      return NULL;
    }
  return g_strdup_printf ("(%s)%s", positive->str, negative->str);
}
