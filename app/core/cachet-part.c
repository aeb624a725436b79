/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-part"

#include "config.h"

#include "cachet-part.h"
#include "cachet-part-private.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libetpan/libetpan.h>
#include <string.h>

#include "cachet-charset.h"
#include "cachet-core-error.h"
#include "cachet-flowed.h"
#include "cachet-html.h"

G_DEFINE_BOXED_TYPE (CachetPart, cachet_part, cachet_part_ref, cachet_part_unref)

void
cachet_header_field_free (CachetHeaderField *field)
{
  if (field == NULL)
    return;
  g_free (field->name);
  g_free (field->raw_value);
  g_free (field->value);
  g_free (field);
}

CachetPart *
_cachet_part_new (CachetPartKind kind,
                  GBytes        *raw)
{
  CachetPart *part = g_new0 (CachetPart, 1);

  g_atomic_ref_count_init (&part->ref);
  part->kind = kind;
  part->raw = g_bytes_ref (raw);
  part->encoding = MAILMIME_MECHANISM_7BIT;
  part->children = g_ptr_array_new_with_free_func ((GDestroyNotify) cachet_part_unref);
  return part;
}

void
_cachet_part_add_child (CachetPart *parent,
                        CachetPart *child)
{
  child->parent = parent;
  g_ptr_array_add (parent->children, child);
}

CachetPart *
cachet_part_ref (CachetPart *part)
{
  g_return_val_if_fail (part != NULL, NULL);
  g_atomic_ref_count_inc (&part->ref);
  return part;
}

void
cachet_part_unref (CachetPart *part)
{
  if (part == NULL || !g_atomic_ref_count_dec (&part->ref))
    return;
  g_bytes_unref (part->raw);
  g_free (part->encoding_name);
  g_free (part->mime_type);
  g_free (part->charset);
  g_clear_pointer (&part->params, g_hash_table_unref);
  g_free (part->disposition);
  g_clear_pointer (&part->disp_params, g_hash_table_unref);
  g_free (part->filename);
  g_free (part->content_id);
  g_free (part->description);
  g_free (part->path);
  g_ptr_array_unref (part->children);
  g_clear_pointer (&part->headers, g_ptr_array_unref);
  g_clear_pointer (&part->decoded, g_bytes_unref);
  g_free (part);
}

CachetPartKind
cachet_part_get_kind (CachetPart *part)
{
  return part->kind;
}

const char *
cachet_part_get_mime_type (CachetPart *part)
{
  return part->mime_type;
}

const char *
cachet_part_get_charset (CachetPart *part)
{
  return part->charset;
}

const char *
cachet_part_get_parameter (CachetPart *part,
                           const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  return part->params ? g_hash_table_lookup (part->params, lower) : NULL;
}

const char *
cachet_part_get_transfer_encoding (CachetPart *part)
{
  return part->encoding_name ? part->encoding_name : "7bit";
}

const char *
cachet_part_get_disposition (CachetPart *part)
{
  return part->disposition;
}

const char *
cachet_part_get_filename (CachetPart *part)
{
  return part->filename;
}

const char *
cachet_part_get_content_id (CachetPart *part)
{
  return part->content_id;
}

const char *
cachet_part_get_description (CachetPart *part)
{
  return part->description;
}

const char *
cachet_part_get_path (CachetPart *part)
{
  return part->path ? part->path : "";
}

GPtrArray *
cachet_part_get_children (CachetPart *part)
{
  return part->children;
}

CachetPart *
cachet_part_get_parent (CachetPart *part)
{
  return part->parent;
}

gsize
cachet_part_get_encoded_size (CachetPart *part)
{
  return part->body_length;
}

const char *
_cachet_part_get_header (CachetPart *part,
                         const char *name)
{
  for (guint i = 0; part->headers != NULL && i < part->headers->len; i++)
    {
      CachetHeaderField *f = g_ptr_array_index (part->headers, i);
      if (g_ascii_strcasecmp (f->name, name) == 0)
        return f->value;
    }
  return NULL;
}

/* A file name from a message is a suggestion: keep only its last component, no control
 * characters, no leading dots (hidden files), at most 200 bytes. */
char *
_cachet_part_safe_filename (const char *name)
{
  const char *base;
  GString *out;

  if (name == NULL)
    return NULL;
  base = name;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  while (*base == '.' || *base == ' ')
    base++;

  out = g_string_new (NULL);
  for (const char *p = base; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x202e || c == 0x202d)
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (out->len > 200)
    {
      /* Shorten the stem, keep a short extension (".pdf" tells what the file is). */
      const char *dot = strrchr (out->str, '.');
      g_autofree char *ext = NULL;
      const char *cut;

      if (dot != NULL && dot > out->str && out->len - (gsize) (dot - out->str) <= 16)
        {
          ext = g_strdup (dot);
          g_string_truncate (out, (gsize) (dot - out->str));
        }
      gsize limit = 200 - (ext ? strlen (ext) : 0);

      if (out->len > limit)
        {
          /* The start of the character that holds byte @limit: everything before it fits. */
          cut = g_utf8_find_prev_char (out->str, out->str + limit + 1);
          g_string_truncate (out, cut ? (gsize) (cut - out->str) : 0);
        }
      if (ext != NULL)
        g_string_append (out, ext);
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* uuencode ("begin 644 name" ... "end"), which some old mailers put in x-uuencode parts. */
static GBytes *
uudecode (const char *data,
          gsize       len)
{
  GByteArray *out = g_byte_array_new ();
  g_autofree char *copy = g_strndup (data, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  gboolean in_body = FALSE;

  for (char **l = lines; *l; l++)
    {
      char *line = g_strchomp (*l);
      int n;
      const char *p;

      if (!in_body)
        {
          if (g_str_has_prefix (line, "begin "))
            in_body = TRUE;
          continue;
        }
      if (g_str_equal (line, "end"))
        break;
      if (*line == '\0')
        continue;
      n = (line[0] - ' ') & 0x3f;
      p = line + 1;
      while (n > 0 && strlen (p) >= 4)
        {
          guint8 c[4], b[3];
          for (int i = 0; i < 4; i++)
            c[i] = (guint8) ((p[i] - ' ') & 0x3f);
          b[0] = (guint8) (c[0] << 2 | c[1] >> 4);
          b[1] = (guint8) (c[1] << 4 | c[2] >> 2);
          b[2] = (guint8) (c[2] << 6 | c[3]);
          g_byte_array_append (out, b, MIN (n, 3));
          n -= 3;
          p += 4;
        }
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
cachet_part_get_decoded (CachetPart *part)
{
  gsize raw_len;
  const char *raw = g_bytes_get_data (part->raw, &raw_len);
  const char *body;
  gsize len;

  if (part->decoded != NULL)
    return g_bytes_ref (part->decoded);

  if (raw == NULL || part->body_offset > raw_len
      || part->body_length > raw_len - part->body_offset)
    return g_bytes_new (NULL, 0);
  body = raw + part->body_offset;
  len = part->body_length;

  if (part->encoding == MAILMIME_MECHANISM_BASE64
      || part->encoding == MAILMIME_MECHANISM_QUOTED_PRINTABLE)
    {
      char *result = NULL;
      size_t result_len = 0;
      size_t idx = 0;

      if (len == 0)
        return g_bytes_new (NULL, 0);
      if (mailmime_part_parse (body, len, &idx, part->encoding, &result, &result_len)
          == MAILIMF_NO_ERROR && result != NULL)
        {
          GBytes *bytes = g_bytes_new (result, result_len);
          mailmime_decoded_part_free (result);
          return bytes;
        }
      return g_bytes_new (NULL, 0);
    }

  if (part->encoding_name != NULL
      && (g_str_equal (part->encoding_name, "x-uuencode")
          || g_str_equal (part->encoding_name, "uuencode")
          || g_str_equal (part->encoding_name, "x-uue")))
    return uudecode (body, len);

  /* 7bit, 8bit, binary, unknown tokens: the body as it is. */
  return g_bytes_new_from_bytes (part->raw, part->body_offset, len);
}

gboolean
cachet_part_is_text (CachetPart *part)
{
  return part->kind == CACHET_PART_SINGLE && g_str_has_prefix (part->mime_type, "text/");
}

gboolean
cachet_part_is_attachment (CachetPart *part)
{
  if (part->kind == CACHET_PART_MULTIPART)
    return FALSE;
  if (part->disposition != NULL && g_str_equal (part->disposition, "attachment"))
    return TRUE;
  if (part->filename != NULL)
    return TRUE;
  if (part->kind == CACHET_PART_MESSAGE)
    return FALSE;
  return !cachet_part_is_text (part);
}

/* libxml2 reads the HTML we give it as UTF-8; when MIME named no charset, look for the
 * document's own <meta charset> in the first bytes. */
static char *
sniff_html_charset (const char *data,
                    gsize       len)
{
  g_autofree char *head = g_ascii_strdown (data, MIN (len, 2048));
  const char *p = strstr (head, "charset=");

  if (p == NULL)
    return NULL;
  p += strlen ("charset=");
  while (*p == '"' || *p == '\'' || *p == ' ')
    p++;
  {
    gsize n = strspn (p, "abcdefghijklmnopqrstuvwxyz0123456789-_:.");
    return n > 0 && n < 40 ? g_strndup (p, n) : NULL;
  }
}

/* text/enriched and text/richtext: drop the formatting commands, keep the text. */
static char *
enriched_to_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (p[0] == '<' && p[1] == '<')
        {
          g_string_append_c (out, '<');
          p++;
        }
      else if (*p == '<')
        {
          const char *close = strchr (p, '>');
          if (close == NULL)
            break;
          p = close;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
normalize_newlines (char *text)
{
  char *r = text, *w = text;

  for (; *r; r++)
    {
      if (*r == '\r')
        {
          *w++ = '\n';
          if (r[1] == '\n')
            r++;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
  return text;
}

char *
cachet_part_get_text (CachetPart *part,
                      char      **charset_note)
{
  g_autoptr(GBytes) decoded = NULL;
  g_autofree char *sniffed = NULL;
  g_autofree char *utf8 = NULL;
  const char *data;
  const char *charset;
  gsize len;
  CachetCharsetResult res = CACHET_CHARSET_OK;

  if (charset_note)
    *charset_note = NULL;

  decoded = cachet_part_get_decoded (part);
  data = g_bytes_get_data (decoded, &len);
  if (data == NULL)
    data = "";

  charset = part->charset;
  if (charset == NULL && g_str_equal (part->mime_type, "text/html"))
    charset = sniffed = sniff_html_charset (data, len);

  utf8 = normalize_newlines (cachet_charset_to_utf8 (data, len, charset, &res));

  if (charset_note != NULL && res == CACHET_CHARSET_UNKNOWN)
    *charset_note = charset != NULL
      ? g_strdup_printf (_("Unknown character set “%s”: part %s is shown as Windows-1252 or "
                           "UTF-8, so some characters may be wrong."),
                         charset, cachet_part_get_path (part))
      : g_strdup_printf (_("Part %s has no character set but 8-bit text: it is shown as "
                           "Windows-1252, so some characters may be wrong."),
                         cachet_part_get_path (part));
  else if (charset_note != NULL && res == CACHET_CHARSET_INVALID && charset != NULL
           && g_ascii_strcasecmp (charset, "utf-8") == 0)
    *charset_note = g_strdup_printf (_("Part %s is declared as UTF-8 but is not valid UTF-8; "
                                       "the stray bytes are read as Windows-1252."),
                                     cachet_part_get_path (part));
  else if (charset_note != NULL && res == CACHET_CHARSET_INVALID)
    *charset_note = g_strdup_printf (_("Part %s contains bytes that are not valid %s; they are "
                                       "shown as �."),
                                     cachet_part_get_path (part),
                                     charset ? charset : "UTF-8");

  if (g_str_equal (part->mime_type, "text/html"))
    return cachet_html_to_text (utf8, -1);
  if (g_str_equal (part->mime_type, "text/enriched")
      || g_str_equal (part->mime_type, "text/richtext"))
    return enriched_to_text (utf8);
  if (g_str_equal (part->mime_type, "text/plain"))
    {
      const char *format = cachet_part_get_parameter (part, "format");
      const char *delsp = cachet_part_get_parameter (part, "delsp");
      if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
        return cachet_flowed_decode (utf8, delsp != NULL
                                           && g_ascii_strcasecmp (delsp, "yes") == 0);
    }
  return g_steal_pointer (&utf8);
}

gboolean
cachet_part_save_to_file (CachetPart *part,
                          const char *path,
                          GError    **error)
{
  g_autoptr(GBytes) decoded = cachet_part_get_decoded (part);
  gsize len;
  const char *data = g_bytes_get_data (decoded, &len);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* g_file_replace_contents writes a temporary file, fsyncs and renames over the target. */
  return g_file_replace_contents (file, data ? data : "", len, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}
