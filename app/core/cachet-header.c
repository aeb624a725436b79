/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-header"

#include "config.h"

#include "cachet-header.h"

#include <string.h>

#include "cachet-charset.h"

/* RFC 2047 decoding lives here rather than in libetpan's mailmime_encoded_phrase_parse():
 * libetpan converts word by word, so a multibyte character split across two encoded words
 * (which many mailers produce) is lost, and it gives up on several broken forms that real
 * mail contains.  Everything structural (addresses, MIME) is still parsed by libetpan. */

char *
cachet_header_unfold (const char *raw)
{
  GString *out;
  const char *p;

  if (raw == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (raw));
  for (p = raw; *p; p++)
    {
      if (*p == '\r' || *p == '\n')
        {
          /* CRLF + WSP is a fold: drop the line break, keep the whitespace.  A bare line
           * break without following whitespace (broken) becomes a space. */
          while (p[1] == '\r' || p[1] == '\n')
            p++;
          if (p[1] != ' ' && p[1] != '\t')
            g_string_append_c (out, ' ');
          continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static void
decode_q (const char *text,
          gsize       len,
          GByteArray *out)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (c == '_')
        g_byte_array_append (out, (const guint8 *) " ", 1);
      else if (c == '=' && i + 2 < len
               && hex_value (text[i + 1]) >= 0 && hex_value (text[i + 2]) >= 0)
        {
          guint8 b = (guint8) (hex_value (text[i + 1]) * 16 + hex_value (text[i + 2]));
          g_byte_array_append (out, &b, 1);
          i += 2;
        }
      else
        g_byte_array_append (out, (const guint8 *) &c, 1);
    }
}

static void
decode_b (const char *text,
          gsize       len,
          GByteArray *out)
{
  g_autofree char *clean = g_malloc (len + 4);
  gsize n = 0;
  gsize old_len;
  gint state = 0;
  guint save = 0;

  /* Keep only the alphabet; restore missing padding. */
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        clean[n++] = c;
      else if (c == '=')
        break;
    }
  if (n % 4 == 1)
    n--;  /* a lone trailing character carries no whole byte */
  while (n % 4 != 0)
    clean[n++] = '=';

  old_len = out->len;
  g_byte_array_set_size (out, old_len + (n / 4) * 3 + 3);
  out->len = old_len + g_base64_decode_step (clean, n, out->data + old_len, &state, &save);
}

/* Parses "=?charset?e?text?=" at @p.  Returns the position after it, or NULL when there is
 * no well-formed encoded word here.  Tolerates lowercase encodings, an RFC 2231 language
 * ("=?utf-8*en?q?...?="), and spaces inside the text when the word closes on the same line. */
static const char *
parse_encoded_word (const char  *p,
                    char       **charset_out,
                    GByteArray  *bytes)
{
  const char *cs_start, *cs_end, *text_start, *text_end;
  char enc;

  if (p[0] != '=' || p[1] != '?')
    return NULL;
  cs_start = p + 2;
  cs_end = cs_start;
  while (*cs_end && *cs_end != '?' && !g_ascii_isspace (*cs_end) && cs_end - cs_start < 64)
    cs_end++;
  if (*cs_end != '?' || cs_end == cs_start)
    return NULL;
  enc = g_ascii_toupper (cs_end[1]);
  if ((enc != 'Q' && enc != 'B') || cs_end[2] != '?')
    return NULL;
  text_start = cs_end + 3;

  text_end = strstr (text_start, "?=");
  if (text_end == NULL)
    return NULL;
  /* The text of a proper word has no whitespace; accept broken words with spaces, but not
   * more than a line's worth.  A '?' inside means this is not a word. */
  if (text_end - text_start > 300 || memchr (text_start, '?', text_end - text_start) != NULL)
    return NULL;
  if (enc == 'B')
    {
      for (const char *q = text_start; q < text_end; q++)
        if (g_ascii_isspace (*q))
          return NULL;
    }

  {
    g_autofree char *cs = g_strndup (cs_start, cs_end - cs_start);
    char *star = strchr (cs, '*');
    if (star)
      *star = '\0';
    *charset_out = g_steal_pointer (&cs);
  }

  if (enc == 'Q')
    decode_q (text_start, text_end - text_start, bytes);
  else
    decode_b (text_start, text_end - text_start, bytes);

  return text_end + 2;
}

static gboolean
has_utf8_sequence (const char *text,
                   gsize       len)
{
  for (gsize i = 0; i + 1 < len; i++)
    {
      guchar c = (guchar) text[i];
      if (c >= 0xc2 && c <= 0xf4)
        {
          const char *end;
          gsize n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
          if (i + n <= len && g_utf8_validate (text + i, n, &end))
            return TRUE;
        }
    }
  return FALSE;
}

static void
append_text (GString    *out,
             const char *text,
             gsize       len,
             const char *fallback_charset)
{
  gsize start = out->len;

  if (g_utf8_validate (text, len, NULL) && memchr (text, '\0', len) == NULL)
    g_string_append_len (out, text, len);
  else if (fallback_charset == NULL && has_utf8_sequence (text, len))
    {
      /* Mostly UTF-8 with a few stray bytes: keep the UTF-8, read the strays as
       * Windows-1252 one by one. */
      const char *p = text, *end = text + len;
      while (p < end)
        {
          const char *valid_end;
          g_autofree char *stray = NULL;

          g_utf8_validate (p, end - p, &valid_end);
          g_string_append_len (out, p, valid_end - p);
          if (valid_end >= end)
            break;
          stray = cachet_charset_to_utf8 (valid_end, 1, "windows-1252", NULL);
          g_string_append (out, stray);
          p = valid_end + 1;
        }
    }
  else
    {
      g_autofree char *conv = cachet_charset_to_utf8 (text, len,
                                                      fallback_charset ? fallback_charset
                                                      : "windows-1252", NULL);
      g_string_append (out, conv);
    }

  /* Control characters have no place on a header line. */
  for (gsize i = start; i < out->len; i++)
    {
      guchar c = (guchar) out->str[i];
      if (c < 0x20 || c == 0x7f)
        out->str[i] = ' ';
    }
}

static void
flush_encoded (GString    *out,
               GByteArray *pending,
               char      **pending_charset,
               const char *fallback_charset)
{
  if (pending->len > 0)
    {
      CachetCharsetResult res;
      g_autofree char *conv = cachet_charset_to_utf8 ((const char *) pending->data,
                                                      pending->len, *pending_charset, &res);
      append_text (out, conv, strlen (conv), fallback_charset);
      g_byte_array_set_size (pending, 0);
    }
  g_clear_pointer (pending_charset, g_free);
}

char *
cachet_header_decode (const char *raw,
                      const char *fallback_charset)
{
  g_autofree char *unfolded = NULL;
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autoptr(GByteArray) word = g_byte_array_new ();
  g_autofree char *pending_charset = NULL;
  GString *out;
  const char *p;
  const char *ws_start = NULL;
  gboolean last_encoded = FALSE;

  if (raw == NULL)
    return g_strdup ("");

  unfolded = cachet_header_unfold (raw);
  out = g_string_sized_new (strlen (unfolded));

  /* Fast path: nothing encoded, plain UTF-8/ASCII. */
  if (strstr (unfolded, "=?") == NULL)
    {
      append_text (out, unfolded, strlen (unfolded), fallback_charset);
      return g_strstrip (g_string_free (out, FALSE));
    }

  p = unfolded;
  while (*p)
    {
      if (p[0] == '=' && p[1] == '?')
        {
          g_autofree char *charset = NULL;
          const char *next;

          g_byte_array_set_size (word, 0);
          next = parse_encoded_word (p, &charset, word);
          if (next != NULL)
            {
              /* Whitespace between two encoded words is dropped (RFC 2047 6.2). */
              if (!last_encoded && ws_start != NULL)
                {
                  flush_encoded (out, pending, &pending_charset, fallback_charset);
                  append_text (out, ws_start, p - ws_start, fallback_charset);
                }
              ws_start = NULL;
              /* Adjacent words in one charset are joined as bytes first, so a character
               * split across them survives. */
              if (pending_charset != NULL && g_ascii_strcasecmp (pending_charset, charset) != 0)
                flush_encoded (out, pending, &pending_charset, fallback_charset);
              if (pending_charset == NULL)
                pending_charset = g_steal_pointer (&charset);
              g_byte_array_append (pending, word->data, word->len);
              last_encoded = TRUE;
              p = next;
              continue;
            }
        }

      if (*p == ' ' || *p == '\t')
        {
          if (ws_start == NULL)
            ws_start = p;
          p++;
          continue;
        }

      /* Plain text up to the next whitespace or encoded word. */
      {
        const char *start = p;

        flush_encoded (out, pending, &pending_charset, fallback_charset);
        if (ws_start != NULL)
          append_text (out, ws_start, p - ws_start, fallback_charset);
        ws_start = NULL;
        p++;
        while (*p && *p != ' ' && *p != '\t' && !(p[0] == '=' && p[1] == '?'))
          p++;
        append_text (out, start, p - start, fallback_charset);
        last_encoded = FALSE;
      }
    }
  flush_encoded (out, pending, &pending_charset, fallback_charset);

  return g_strstrip (g_string_free (out, FALSE));
}
