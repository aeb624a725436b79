/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Checks shared by the draft tests: every built message is parsed back with CachetMessage
 * and shown as `cachet show` shows it, and its bytes are checked for what the RFCs ask
 * of them. */

#include <string.h>

#include "cachet-draft.h"
#include "cachet-message-dump.h"

/* The header block of @data (up to the first empty line), as a string. */
static inline char *
draft_test_header_block (GBytes *data)
{
  gsize len;
  const char *raw = g_bytes_get_data (data, &len);
  const char *end = g_strstr_len (raw, len, "\n\n");

  return g_strndup (raw, end != NULL ? (gsize) (end - raw + 1) : len);
}

/* The folded value of the first field @name in @block ("Name: value\n continued"). */
static inline char *
draft_test_raw_field (const char *block,
                      const char *name)
{
  g_autofree char *prefix = g_strconcat (name, ":", NULL);
  const char *p = block;

  while (p != NULL && *p != '\0')
    {
      if (g_ascii_strncasecmp (p, prefix, strlen (prefix)) == 0)
        {
          GString *value = g_string_new (NULL);
          const char *line = p + strlen (prefix);

          for (;;)
            {
              const char *nl = strchr (line, '\n');
              g_string_append_len (value, line, nl != NULL ? nl - line : (gssize) strlen (line));
              if (nl == NULL || (nl[1] != ' ' && nl[1] != '\t'))
                break;
              g_string_append_c (value, '\n');
              line = nl + 1;
            }
          return g_string_free (value, FALSE);
        }
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return NULL;
}

static inline int
draft_test_hex (char c)
{
  return g_ascii_xdigit_value (c);
}

/* Every encoded word in @text: at most 75 characters, well formed, and its bytes on their
 * own valid UTF-8 (no character split between two words).  Returns how many there are. */
static inline guint
draft_test_check_encoded_words (const char *text)
{
  guint count = 0;

  for (const char *p = strstr (text, "=?"); p != NULL; p = strstr (p, "=?"))
    {
      const char *charset_end = strchr (p + 2, '?');
      const char *text_start;
      const char *end;
      GByteArray *bytes = g_byte_array_new ();
      char enc;

      g_assert_nonnull (charset_end);
      g_assert_cmpint (charset_end - (p + 2), ==, 5);
      g_assert_true (g_ascii_strncasecmp (p + 2, "utf-8", 5) == 0);
      enc = g_ascii_tolower (charset_end[1]);
      g_assert_true (enc == 'q' || enc == 'b');
      g_assert_cmpint (charset_end[2], ==, '?');
      text_start = charset_end + 3;
      end = strstr (text_start, "?=");
      g_assert_nonnull (end);
      g_assert_cmpint (end + 2 - p, <=, 75);
      g_assert_cmpint (end - text_start, >, 0);
      for (const char *c = text_start; c < end; c++)
        g_assert_false (g_ascii_isspace (*c) || *c == '?');

      if (enc == 'b')
        {
          g_autofree char *b64 = g_strndup (text_start, end - text_start);
          gsize n;
          g_autofree guchar *decoded = g_base64_decode (b64, &n);
          g_byte_array_append (bytes, decoded, n);
        }
      else
        for (const char *c = text_start; c < end; c++)
          {
            guint8 b = (guint8) *c;
            if (*c == '_')
              b = ' ';
            else if (*c == '=')
              {
                g_assert_cmpint (draft_test_hex (c[1]), >=, 0);
                g_assert_cmpint (draft_test_hex (c[2]), >=, 0);
                b = (guint8) (draft_test_hex (c[1]) * 16 + draft_test_hex (c[2]));
                c += 2;
              }
            g_byte_array_append (bytes, &b, 1);
          }
      g_assert_true (g_utf8_validate ((const char *) bytes->data, bytes->len, NULL));
      g_byte_array_unref (bytes);
      count++;
      p = end + 2;
    }
  return count;
}

/* What every built message must be: LF line ends only, no line over 998 octets, header
 * lines at most 78 characters, a final line break. */
static inline void
draft_test_check_bytes (GBytes *data)
{
  gsize len;
  const char *raw = g_bytes_get_data (data, &len);
  g_autofree char *block = draft_test_header_block (data);
  gsize line = 0;

  g_assert_cmpuint (len, >, 0);
  g_assert_cmpint (raw[len - 1], ==, '\n');
  g_assert_null (memchr (raw, '\r', len));
  for (gsize i = 0; i < len; i++)
    {
      if (raw[i] == '\n')
        line = 0;
      else
        g_assert_cmpuint (++line, <=, 998);
    }
  {
    g_auto(GStrv) lines = g_strsplit (block, "\n", -1);
    for (char **l = lines; *l != NULL; l++)
      {
        if (g_utf8_strlen (*l, -1) > 78)
          g_test_message ("long header line: %s", *l);
        g_assert_cmpint (g_utf8_strlen (*l, -1), <=, 78);
        /* Header text is ASCII: anything else is encoded. */
        for (const char *c = *l; *c; c++)
          g_assert_cmpint ((guchar) *c, <, 0x80);
      }
  }
  draft_test_check_encoded_words (block);

  /* The header fields of the parts too: the lines after each of our boundaries up to the
   * empty line.  Only a field with nowhere to fold (one long MIME type) may be longer. */
  {
    g_autofree char *copy = g_strndup (raw, len);
    g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
    gboolean in_headers = FALSE;

    for (char **l = lines; *l != NULL; l++)
      {
        if (g_str_has_prefix (*l, "--=_cachet_"))
          {
            in_headers = TRUE;
            continue;
          }
        if (**l == '\0')
          in_headers = FALSE;
        if (!in_headers)
          continue;
        if (strlen (*l) > 78)
          {
            const char *value = strchr (*l, ':');
            g_autofree char *rest = g_strdup (value != NULL ? value + 2 : *l);

            g_test_message ("long MIME header line: %s", *l);
            g_assert_null (strchr (g_strchomp (rest), ' '));
          }
        for (const char *c = *l; *c; c++)
          g_assert_cmpint ((guchar) *c, <, 0x80);
        draft_test_check_encoded_words (*l);
      }
  }
}

/* Builds @draft, checks the bytes, parses them back, and shows the message as `cachet
 * show` does: nothing in it may be reported as a problem. */
static inline CachetMessage *
draft_test_build (CachetDraft           *draft,
                  CachetDraftBuildFlags  flags,
                  GBytes               **bytes_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = cachet_draft_build (draft, flags, &error);
  CachetMessage *message;
  g_autofree char *dump = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  draft_test_check_bytes (bytes);
  message = cachet_message_new_from_bytes (bytes);
  g_assert_false (cachet_message_is_raw (message));
  dump = cachet_message_dump (message);
  g_assert_nonnull (dump);
  if (cachet_message_get_warnings (message)->len > 0)
    g_test_message ("warning: %s",
                    (char *) g_ptr_array_index (cachet_message_get_warnings (message), 0));
  g_assert_cmpuint (cachet_message_get_warnings (message)->len, ==, 0);
  if (bytes_out != NULL)
    *bytes_out = g_steal_pointer (&bytes);
  return message;
}
