/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-smtp"

#include "config.h"

#include "cachet-smtp-private.h"

#include <string.h>

gboolean
_cachet_smtp_parse_reply_line (const char  *line,
                               guint       *code,
                               gboolean    *more,
                               const char **text)
{
  if (line == NULL || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]))
    return FALSE;
  if (line[0] < '2' || line[0] > '5' || line[1] > '5')
    return FALSE;
  if (line[3] != '\0' && line[3] != ' ' && line[3] != '-')
    return FALSE;
  *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  *more = line[3] == '-';
  *text = line[3] != '\0' ? line + 4 : line + 3;
  return TRUE;
}

char *
_cachet_smtp_enhanced_code (const char *text)
{
  const char *p = text;
  const char *start;

  if (text == NULL)
    return NULL;
  /* class "." subject "." detail: 2, 4 or 5; 1-3 digits; 1-3 digits */
  start = p;
  if (*p != '2' && *p != '4' && *p != '5')
    return NULL;
  p++;
  for (guint part = 0; part < 2; part++)
    {
      guint digits = 0;

      if (*p++ != '.')
        return NULL;
      while (g_ascii_isdigit (*p) && digits < 4)
        {
          p++;
          digits++;
        }
      if (digits == 0 || digits > 3)
        return NULL;
    }
  if (*p != '\0' && *p != ' ')
    return NULL;
  return g_strndup (start, p - start);
}

static gboolean
is_keyword (const char *word,
            gsize       len)
{
  if (len == 0 || !g_ascii_isalnum (word[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (word[i]) && word[i] != '-')
      return FALSE;
  return TRUE;
}

void
_cachet_smtp_parse_ehlo (const char *lines,
                         GHashTable *extensions)
{
  g_auto(GStrv) split = NULL;

  if (lines == NULL)
    return;
  split = g_strsplit (lines, "\n", -1);
  for (guint i = 1; split[i] != NULL; i++)
    {
      char *line = g_strstrip (split[i]);
      gsize len = strcspn (line, " \t=");
      const char *args = line + len;

      /* "AUTH=PLAIN LOGIN" is how some old servers wrote AUTH: read it as AUTH. */
      if (!is_keyword (line, len))
        continue;
      while (*args == ' ' || *args == '\t' || *args == '=')
        args++;
      if (g_hash_table_contains (extensions, "AUTH") && len == 4
          && g_ascii_strncasecmp (line, "AUTH", 4) == 0)
        {
          /* Both "AUTH ..." and "AUTH=...": keep every mechanism named. */
          const char *before = g_hash_table_lookup (extensions, "AUTH");
          g_hash_table_replace (extensions, g_strdup ("AUTH"),
                                g_strjoin (*before != '\0' && *args != '\0' ? " " : "",
                                           before, args, NULL));
          continue;
        }
      g_hash_table_replace (extensions, g_ascii_strup (line, len), g_strdup (args));
    }
}

void
_cachet_smtp_scan_message (const guint8 *data,
                           gsize         len,
                           guint64      *wire_size,
                           gboolean     *eight_bit)
{
  const guint8 *p = data;
  const guint8 *end = data + len;
  guint64 size = len;
  gboolean high = FALSE;

  while (p < end)
    {
      const guint8 *nl = memchr (p, '\n', end - p);
      const guint8 *stop = nl != NULL ? nl : end;

      if (!high)
        for (const guint8 *q = p; q < stop; q++)
          if (*q & 0x80)
            {
              high = TRUE;
              break;
            }
      if (nl == NULL)
        break;
      if (nl == data || nl[-1] != '\r')
        size++;
      p = nl + 1;
    }
  /* An unfinished last line gets its line end (just LF after a lone CR). */
  if (len > 0 && data[len - 1] != '\n')
    size += data[len - 1] == '\r' ? 1 : 2;
  *wire_size = size;
  *eight_bit = high;
}

void
_cachet_smtp_encoder_init (CachetSmtpEncoder *encoder)
{
  encoder->line_start = TRUE;
  encoder->prev_cr = FALSE;
}

gsize
_cachet_smtp_encode (CachetSmtpEncoder *encoder,
                     const guint8      *in,
                     gsize              in_len,
                     gsize             *consumed,
                     guint8            *out,
                     gsize              out_size)
{
  const guint8 *p = in;
  const guint8 *end = in + in_len;
  guint8 *o = out;
  guint8 *o_end = out + out_size;

  g_return_val_if_fail (out_size >= 2, 0);

  while (p < end)
    {
      const guint8 *nl;
      gsize run;

      if (encoder->line_start)
        {
          /* Room for the stuffed dot and the byte itself, or for CRLF. */
          if (o_end - o < 2)
            break;
          if (*p == '.')
            *o++ = '.';
          encoder->line_start = FALSE;
        }
      nl = memchr (p, '\n', end - p);
      run = MIN ((gsize) ((nl != NULL ? nl : end) - p), (gsize) (o_end - o));
      if (run > 0)
        {
          memcpy (o, p, run);
          o += run;
          p += run;
          encoder->prev_cr = p[-1] == '\r';
        }
      /* The end of the input, a full buffer in the middle of a line, or no room for the
       * line end: the caller comes back with the rest. */
      if (p == end || *p != '\n' || o_end - o < 2)
        break;
      if (!encoder->prev_cr)
        *o++ = '\r';
      *o++ = '\n';
      p++;
      encoder->prev_cr = FALSE;
      encoder->line_start = TRUE;
    }
  *consumed = p - in;
  return o - out;
}

gsize
_cachet_smtp_encode_finish (CachetSmtpEncoder *encoder,
                            guint8            *out)
{
  guint8 *o = out;

  if (!encoder->line_start)
    {
      if (!encoder->prev_cr)
        *o++ = '\r';
      *o++ = '\n';
    }
  memcpy (o, ".\r\n", 3);
  o += 3;
  encoder->line_start = TRUE;
  encoder->prev_cr = FALSE;
  return o - out;
}

char *
_cachet_smtp_sanitize (const char *text,
                       gssize      len,
                       guint       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, len);
  GString *out = g_string_new (NULL);
  guint count = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (count == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
      count++;
    }
  return g_string_free (out, FALSE);
}

gboolean
_cachet_smtp_address_ok (const char *address,
                         gboolean   *non_ascii)
{
  gboolean high = FALSE;

  if (address == NULL)
    return FALSE;
  for (const guchar *p = (const guchar *) address; *p != '\0'; p++)
    {
      if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>')
        return FALSE;
      if (*p & 0x80)
        high = TRUE;
    }
  if (high && !g_utf8_validate (address, -1, NULL))
    return FALSE;
  if (non_ascii != NULL)
    *non_ascii = high;
  return TRUE;
}

gboolean
_cachet_smtp_reply_is_relay (guint       code,
                             const char *text)
{
  g_autofree char *lower = NULL;

  if (code < 500 || text == NULL)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  /* Postfix "Relay access denied", Sendmail "Relaying denied", Exchange "Unable to
   * relay", Exim "relay not permitted", and their friends. */
  return strstr (lower, "relay") != NULL;
}
