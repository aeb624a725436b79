/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-charset"

#include "config.h"

#include "cachet-charset.h"

#include <errno.h>
#include <string.h>

/* Names seen in real mail that iconv does not know, or that senders use for a superset.
 * Following common practice (and the WHATWG encoding standard), ISO-8859-1 and US-ASCII
 * labels are read as Windows-1252: mail that says Latin-1 very often holds 0x80-0x9F
 * punctuation, and for real Latin-1 text the two agree. */
static const struct
{
  const char *label;
  const char *iconv_name;
} charset_aliases[] = {
  { "us-ascii", "WINDOWS-1252" },
  { "ascii", "WINDOWS-1252" },
  { "ansi_x3.4-1968", "WINDOWS-1252" },
  { "iso-8859-1", "WINDOWS-1252" },
  { "iso8859-1", "WINDOWS-1252" },
  { "iso_8859-1", "WINDOWS-1252" },
  { "latin1", "WINDOWS-1252" },
  { "latin-1", "WINDOWS-1252" },
  { "l1", "WINDOWS-1252" },
  { "cp819", "WINDOWS-1252" },
  { "ibm819", "WINDOWS-1252" },
  { "iso-ir-100", "WINDOWS-1252" },
  { "windows-1252", "WINDOWS-1252" },
  { "cp1252", "WINDOWS-1252" },
  { "x-cp1252", "WINDOWS-1252" },
  { "utf8", "UTF-8" },
  { "utf-8", "UTF-8" },
  { "x-utf8", "UTF-8" },
  { "unicode-1-1-utf-7", "UTF-7" },
  { "x-unicode20utf7", "UTF-7" },
  { "ks_c_5601-1987", "CP949" },
  { "ks_c_5601", "CP949" },
  { "ksc5601", "CP949" },
  { "euc-kr", "CP949" },
  { "x-euc-kr", "CP949" },
  { "gb2312", "GB18030" },
  { "gb_2312-80", "GB18030" },
  { "x-gbk", "GB18030" },
  { "gbk", "GB18030" },
  { "cp936", "GB18030" },
  { "x-gb2312", "GB18030" },
  { "big5", "BIG5-HKSCS" },
  { "x-x-big5", "BIG5-HKSCS" },
  { "shift-jis", "CP932" },
  { "shift_jis", "CP932" },
  { "x-sjis", "CP932" },
  { "sjis", "CP932" },
  { "ms_kanji", "CP932" },
  { "windows-31j", "CP932" },
  { "euc-jp", "EUC-JP-MS" },
  { "x-euc-jp", "EUC-JP-MS" },
  { "iso-2022-jp", "ISO-2022-JP" },
  { "csiso2022jp", "ISO-2022-JP" },
  { "iso-8859-8-i", "ISO-8859-8" },
  { "iso-8859-6-i", "ISO-8859-6" },
  { "iso-8859-8-e", "ISO-8859-8" },
  { "iso-8859-6-e", "ISO-8859-6" },
  { "tis-620", "CP874" },
  { "windows-874", "CP874" },
  { "iso-8859-11", "CP874" },
  { "x-mac-roman", "MACINTOSH" },
  { "macintosh", "MACINTOSH" },
  { "mac", "MACINTOSH" },
  { "koi8-r", "KOI8-R" },
  { "koi8-u", "KOI8-U" },
  { "iso-8859-9", "WINDOWS-1254" },
  { "latin5", "WINDOWS-1254" },
  { "utf-16", "UTF-16" },
  { "utf-16le", "UTF-16LE" },
  { "utf-16be", "UTF-16BE" },
};

/* Labels that mean "we don't know" in practice. */
static const char * const unknown_labels[] = {
  "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default", "charset",
  "none", "x-none", "8bit", "7bit", "binary", "us", "en", "",
};

const char *
cachet_charset_canonical (const char *charset)
{
  g_autofree char *label = NULL;
  gsize i;

  if (charset == NULL)
    return NULL;

  label = g_ascii_strdown (charset, -1);
  g_strstrip (label);
  /* Stray quotes survive some broken headers: charset="'utf-8'" */
  g_strdelimit (label, "\"'", ' ');
  g_strstrip (label);

  for (i = 0; i < G_N_ELEMENTS (unknown_labels); i++)
    if (g_str_equal (label, unknown_labels[i]))
      return NULL;

  for (i = 0; i < G_N_ELEMENTS (charset_aliases); i++)
    if (g_str_equal (label, charset_aliases[i].label))
      return charset_aliases[i].iconv_name;

  /* "cp-1251", "win-1251", "windows1251" */
  if (g_str_has_prefix (label, "win") || g_str_has_prefix (label, "cp"))
    {
      const char *digits = label + strcspn (label, "0123456789");
      if (strlen (digits) == 4 && strspn (digits, "0123456789") == 4
          && g_str_has_prefix (digits, "12"))
        {
          g_autofree char *name = g_strconcat ("WINDOWS-", digits, NULL);
          return g_intern_string (name);
        }
    }

  return g_intern_string (label);
}

char *
cachet_utf8_make_valid_len (const char *data,
                            gssize      len)
{
  if (data == NULL)
    return g_strdup ("");
  if (len < 0)
    len = strlen (data);
  /* NUL bytes are valid UTF-8 but end C strings early; show them as U+FFFD too. */
  if (memchr (data, '\0', len) == NULL && g_utf8_validate (data, len, NULL))
    return g_strndup (data, len);
  else
    {
      GString *out = g_string_sized_new (len + 16);
      const char *p = data;
      const char *end = data + len;

      while (p < end)
        {
          const char *valid_end;
          if (g_utf8_validate (p, end - p, &valid_end))
            {
              g_string_append_len (out, p, end - p);
              break;
            }
          g_string_append_len (out, p, valid_end - p);
          g_string_append (out, "\xEF\xBF\xBD");
          p = valid_end + 1;
        }
      return g_string_free (out, FALSE);
    }
}

/* Text declared UTF-8 with stray bytes is usually Windows-1252 text pasted into UTF-8 (or
 * the other way round): keep the valid UTF-8, read each stray byte as Windows-1252. */
static char *
utf8_with_stray_bytes (const char *data,
                       gsize       len)
{
  /* Windows-1252 0x80-0x9F; the five undefined bytes become U+FFFD. */
  static const gunichar high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
  };
  GString *out = g_string_sized_new (len + 16);
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      const char *valid_end;
      guchar c;

      g_utf8_validate (p, end - p, &valid_end);
      g_string_append_len (out, p, valid_end - p);
      if (valid_end >= end)
        break;
      c = (guchar) *valid_end;
      if (c == 0)
        g_string_append_unichar (out, 0xFFFD);
      else if (c >= 0x80 && c < 0xA0)
        g_string_append_unichar (out, high[c - 0x80]);
      else
        g_string_append_unichar (out, c);
      p = valid_end + 1;
    }
  return g_string_free (out, FALSE);
}

/* Converts with iconv, replacing each byte that cannot be converted by U+FFFD. */
static char *
convert_with_replacement (const char *data,
                          gsize       len,
                          const char *iconv_name,
                          gboolean   *had_invalid,
                          gboolean   *unknown)
{
  GIConv cd;
  GString *out;
  char *inbuf = (char *) data;
  gsize inleft = len;
  char buf[4096];

  *had_invalid = FALSE;
  *unknown = FALSE;

  cd = g_iconv_open ("UTF-8", iconv_name);
  if (cd == (GIConv) -1)
    {
      *unknown = TRUE;
      return NULL;
    }

  out = g_string_sized_new (len + len / 2 + 16);
  while (inleft > 0)
    {
      char *outbuf = buf;
      gsize outleft = sizeof buf;
      gsize r = g_iconv (cd, &inbuf, &inleft, &outbuf, &outleft);

      g_string_append_len (out, buf, outbuf - buf);
      if (r == (gsize) -1)
        {
          if (errno == E2BIG)
            continue;
          /* EILSEQ, or EINVAL at the end (truncated sequence): replace one byte, go on. */
          *had_invalid = TRUE;
          g_string_append (out, "\xEF\xBF\xBD");
          inbuf++;
          inleft--;
          g_iconv (cd, NULL, NULL, NULL, NULL);
        }
    }
  /* Flush shift states (ISO-2022-JP). */
  {
    char *outbuf = buf;
    gsize outleft = sizeof buf;
    g_iconv (cd, NULL, NULL, &outbuf, &outleft);
    g_string_append_len (out, buf, outbuf - buf);
  }
  g_iconv_close (cd);

  /* iconv may pass through NULs; keep the result a proper C string. */
  if (memchr (out->str, '\0', out->len) != NULL || !g_utf8_validate (out->str, out->len, NULL))
    {
      char *valid = cachet_utf8_make_valid_len (out->str, out->len);
      g_string_free (out, TRUE);
      *had_invalid = TRUE;
      return valid;
    }
  return g_string_free (out, FALSE);
}

/* ISO-2022-JP as Japanese mail really uses it (Microsoft's CP50220/50221): JIS X 0208 plus
 * the NEC and IBM extension rows (circled numbers, "№", roman numerals), which iconv's
 * ISO-2022-JP variants refuse.  Re-encoded to Shift_JIS, CP932 reads all of it.  Returns
 * NULL on an escape this does not know (then iconv's ISO-2022-JP-2 is used). */
static GByteArray *
iso2022jp_to_sjis (const char *data,
                   gsize       len)
{
  GByteArray *out = g_byte_array_sized_new (len);
  enum { ASCII, KANJI, KATAKANA } mode = ASCII;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];

      if (c == 0x1b)
        {
          if (i + 2 < len && data[i + 1] == '$' && (data[i + 2] == 'B' || data[i + 2] == '@'))
            mode = KANJI;
          else if (i + 2 < len && data[i + 1] == '(' && (data[i + 2] == 'B' || data[i + 2] == 'J'))
            mode = ASCII;
          else if (i + 2 < len && data[i + 1] == '(' && data[i + 2] == 'I')
            mode = KATAKANA;
          else
            {
              g_byte_array_unref (out);
              return NULL;
            }
          i += 2;
          continue;
        }
      if (c >= 0x80)
        {
          /* Not ISO-2022-JP at all; let iconv mark what it cannot read. */
          g_byte_array_unref (out);
          return NULL;
        }
      if (c == '\r' || c == '\n')
        mode = ASCII;
      if (mode == KANJI && c >= 0x21 && c <= 0x7e && i + 1 < len
          && (guchar) data[i + 1] >= 0x21 && (guchar) data[i + 1] <= 0x7e)
        {
          guchar j1 = c, j2 = (guchar) data[i + 1];
          guchar sj[2];
          sj[0] = (guchar) (((j1 + 1) >> 1) + (j1 <= 0x5e ? 0x70 : 0xb0));
          sj[1] = (guchar) (j2 + ((j1 & 1) ? (j2 < 0x60 ? 0x1f : 0x20) : 0x7e));
          g_byte_array_append (out, sj, 2);
          i++;
        }
      else if (mode == KATAKANA && c >= 0x21 && c <= 0x5f)
        {
          guchar k = (guchar) (c + 0x80);
          g_byte_array_append (out, &k, 1);
        }
      else
        g_byte_array_append (out, &c, 1);
    }
  return out;
}

static gboolean
is_ascii (const char *data,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) data[i] >= 0x80)
      return FALSE;
  return TRUE;
}

char *
cachet_charset_to_utf8 (const char          *data,
                        gssize               len,
                        const char          *charset,
                        CachetCharsetResult *result)
{
  const char *name;
  gboolean invalid = FALSE;
  gboolean unknown = FALSE;
  char *text;

  if (data == NULL)
    data = "", len = 0;
  if (len < 0)
    len = strlen (data);
  if (result)
    *result = CACHET_CHARSET_OK;

  name = cachet_charset_canonical (charset);

  /* Most mail: ASCII or UTF-8 bodies, no conversion needed. */
  if ((name == NULL || g_str_equal (name, "UTF-8") || g_str_equal (name, "WINDOWS-1252"))
      && is_ascii (data, len))
    {
      if (memchr (data, '\0', len) == NULL)
        return g_strndup (data, len);
      if (result)
        *result = CACHET_CHARSET_INVALID;
      return cachet_utf8_make_valid_len (data, len);
    }

  if (name != NULL && g_str_equal (name, "UTF-8"))
    {
      if (memchr (data, '\0', len) == NULL && g_utf8_validate (data, len, NULL))
        return g_strndup (data, len);
      if (result)
        *result = CACHET_CHARSET_INVALID;
      return utf8_with_stray_bytes (data, len);
    }

  if (name != NULL && g_str_equal (name, "ISO-2022-JP"))
    {
      g_autoptr(GByteArray) sjis = iso2022jp_to_sjis (data, len);
      if (sjis != NULL)
        {
          text = convert_with_replacement ((const char *) sjis->data, sjis->len, "CP932",
                                           &invalid, &unknown);
          if (text != NULL)
            {
              if (invalid && result)
                *result = CACHET_CHARSET_INVALID;
              return text;
            }
        }
      name = "ISO-2022-JP-2";
    }

  if (name != NULL)
    {
      text = convert_with_replacement (data, len, name, &invalid, &unknown);
      if (text != NULL)
        {
          if (invalid && result)
            *result = CACHET_CHARSET_INVALID;
          return text;
        }
    }

  /* Unknown or missing charset: UTF-8 when the bytes are valid UTF-8, else Windows-1252. */
  if (result)
    *result = name != NULL ? CACHET_CHARSET_UNKNOWN : CACHET_CHARSET_OK;
  if (memchr (data, '\0', len) == NULL && g_utf8_validate (data, len, NULL))
    return g_strndup (data, len);
  if (name == NULL && result)
    *result = CACHET_CHARSET_UNKNOWN;
  text = convert_with_replacement (data, len, "WINDOWS-1252", &invalid, &unknown);
  if (text == NULL)
    text = cachet_utf8_make_valid_len (data, len);
  return text;
}
