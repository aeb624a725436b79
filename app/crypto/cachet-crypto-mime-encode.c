/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include <string.h>

#include "cachet-crypto-mime-private.h"

/* Making an entity safe to sign (RFC 3156 3, RFC 8551 3.1.1): every part
 * seven bit, in a transfer encoding no mail relay will change. */

/* ------------------------------------------------------------------------ */
/* Encoders                                                                 */

/* Quoted-printable for CRLF text: CRLF pairs are line breaks, everything
 * else that is not plain printable ASCII is escaped, as are white space at
 * a line end and "From " at a line start; soft breaks keep lines at 76. */
char *
_cachet_crypto_mime_qp_encode (const guint8 *data,
                               gsize         length)
{
  GString *out = g_string_sized_new (length + length / 8 + 8);
  gsize line = 0;

  for (gsize i = 0; i < length; i++)
    {
      guint8 c = data[i];
      char piece[4];
      gboolean at_line_end;

      if (c == '\r' && i + 1 < length && data[i + 1] == '\n')
        {
          g_string_append (out, "\r\n");
          line = 0;
          i++;
          continue;
        }
      at_line_end = i + 1 == length
                    || (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n');
      if (c == '=' || c > 126 || (c < 32 && c != ' ' && c != '\t')
          || ((c == ' ' || c == '\t') && at_line_end)
          || (line == 0 && c == 'F' && i + 5 <= length && memcmp (data + i, "From ", 5) == 0)
          || (line == 0 && c == '.'))
        g_snprintf (piece, sizeof piece, "=%02X", c);
      else
        {
          piece[0] = (char) c;
          piece[1] = '\0';
        }
      if (line + strlen (piece) > 75)
        {
          g_string_append (out, "=\r\n");
          line = 0;
          if (piece[0] == '.' || (piece[0] == 'F' && i + 5 <= length
                                  && memcmp (data + i, "From ", 5) == 0))
            g_snprintf (piece, sizeof piece, "=%02X", c);
        }
      g_string_append (out, piece);
      line += strlen (piece);
    }
  return g_string_free (out, FALSE);
}

char *
_cachet_crypto_mime_base64_encode (const guint8 *data,
                                   gsize         length)
{
  g_autofree char *flat = g_base64_encode (data, length);
  GString *out = g_string_sized_new (strlen (flat) + strlen (flat) / 38 + 4);
  gsize n = strlen (flat);

  for (gsize i = 0; i < n; i += 76)
    {
      g_string_append_len (out, flat + i, MIN ((gsize) 76, n - i));
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Seven bit                                                                */

static gboolean
needs_encoding (const char *data,
                gsize       length)
{
  const char *end = data + length;
  const char *pos = data;

  /* A line at a time (memchr finds its end): the bytes of a big attachment
   * are looked at once each, in a short loop. */
  while (pos < end)
    {
      const char *nl = memchr (pos, '\n', end - pos);
      const char *stop = nl != NULL ? nl : end;
      gsize line;

      if (nl != NULL)
        {
          if (nl == pos || nl[-1] != '\r')
            return TRUE;        /* a bare LF */
          stop = nl - 1;
        }
      line = stop - pos;
      if (line > 76)
        return TRUE;
      if (line >= 5 && memcmp (pos, "From ", 5) == 0)
        return TRUE;
      /* White space at a line end (the very end too) is a trap. */
      if (line > 0 && (stop[-1] == ' ' || stop[-1] == '\t'))
        return TRUE;
      for (const char *p = pos; p < stop; p++)
        {
          guchar c = (guchar) *p;

          if (c >= 0x80 || c == 0 || c == '\r')
            return TRUE;
        }
      if (nl == NULL)
        break;
      pos = nl + 1;
    }
  return FALSE;
}

/* The header fields of ENTITY but those named in SKIP, as written. */
static void
append_fields_except (GByteArray             *out,
                      const CachetMimeEntity *entity,
                      const char *const      *skip)
{
  for (guint i = 0; i < entity->fields->len; i++)
    {
      CachetMimeField *field = g_ptr_array_index (entity->fields, i);
      gboolean keep = TRUE;

      for (gsize j = 0; skip != NULL && skip[j] != NULL; j++)
        if (g_ascii_strcasecmp (field->name, skip[j]) == 0)
          keep = FALSE;
      if (!keep)
        continue;
      g_byte_array_append (out, (const guint8 *) entity->data + field->offset, field->length);
      if (field->length == 0 || entity->data[field->offset + field->length - 1] != '\n')
        _cachet_crypto_mime_append (out, "\r\n");
    }
}

GByteArray *
_cachet_crypto_mime_make_7bit (const char *data,
                               gsize       length,
                               guint       depth)
{
  static const char *const cte[] = { "Content-Transfer-Encoding", NULL };
  g_autoptr(CachetMimeEntity) entity = _cachet_mime_entity_parse (data, length);
  GByteArray *out = g_byte_array_sized_new (length + length / 4);
  gsize body_length;
  const char *body = _cachet_mime_entity_body (entity, &body_length);

  if (g_str_has_prefix (entity->type, "multipart/") && depth < CACHET_CRYPTO_MIME_MAX_DEPTH)
    {
      const char *boundary = _cachet_mime_entity_param (entity, "boundary");
      gboolean closed;
      g_autoptr(GArray) parts = _cachet_mime_split (entity, &closed);

      if (boundary != NULL && parts->len > 0)
        {
          append_fields_except (out, entity, cte);
          _cachet_crypto_mime_append (out, "\r\n");
          for (guint i = 0; i < parts->len; i++)
            {
              CachetMimeSpan *span = &g_array_index (parts, CachetMimeSpan, i);
              g_autoptr(GByteArray) part = _cachet_crypto_mime_make_7bit (data + span->offset,
                                                                          span->length,
                                                                          depth + 1);

              g_byte_array_append (out, (const guint8 *) "--", 2);
              _cachet_crypto_mime_append (out, boundary);
              _cachet_crypto_mime_append (out, "\r\n");
              g_byte_array_append (out, part->data, part->len);
              _cachet_crypto_mime_append (out, "\r\n");
            }
          _cachet_crypto_mime_append (out, "--");
          _cachet_crypto_mime_append (out, boundary);
          _cachet_crypto_mime_append (out, "--\r\n");
          return out;
        }
    }

  if (g_strcmp0 (entity->encoding, "base64") == 0
      || g_strcmp0 (entity->encoding, "quoted-printable") == 0
      || entity->encoding == NULL || g_strcmp0 (entity->encoding, "7bit") == 0)
    {
      if (!needs_encoding (body, body_length))
        {
          g_byte_array_append (out, (const guint8 *) data, length);
          return out;
        }
    }
  else if (!needs_encoding (body, body_length))
    {
      /* Labelled 8bit or binary but seven bit: say so. */
      append_fields_except (out, entity, cte);
      _cachet_crypto_mime_append (out, "Content-Transfer-Encoding: 7bit\r\n\r\n");
      g_byte_array_append (out, (const guint8 *) body, body_length);
      return out;
    }

  if ((g_strcmp0 (entity->type, "message/rfc822") == 0
       || g_strcmp0 (entity->type, "message/global") == 0)
      && depth < CACHET_CRYPTO_MIME_MAX_DEPTH)
    {
      /* RFC 2046 5.2.1 allows no encoding of a message/rfc822 but 7bit:
       * make the embedded message itself seven bit when it can be. */
      g_autoptr(GByteArray) inner = _cachet_crypto_mime_make_7bit (body, body_length, depth + 1);

      if (!needs_encoding ((const char *) inner->data, inner->len)
          || !_cachet_crypto_mime_memmem ((const char *) inner->data, inner->len, "\r\n"))
        {
          append_fields_except (out, entity, cte);
          _cachet_crypto_mime_append (out, "Content-Transfer-Encoding: 7bit\r\n\r\n");
          g_byte_array_append (out, inner->data, inner->len);
          return out;
        }
      /* Headers with raw 8-bit bytes: base64 below, which readers take. */
    }

  {
    g_autoptr(GBytes) decoded = _cachet_mime_entity_decode (entity);
    gsize n;
    const guint8 *raw = g_bytes_get_data (decoded, &n);
    g_autofree char *encoded = NULL;
    gboolean text = g_str_has_prefix (entity->type, "text/");

    encoded = text ? _cachet_crypto_mime_qp_encode (raw, n)
                   : _cachet_crypto_mime_base64_encode (raw, n);
    append_fields_except (out, entity, cte);
    _cachet_crypto_mime_append (out, text ? "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                                          : "Content-Transfer-Encoding: base64\r\n\r\n");
    _cachet_crypto_mime_append (out, encoded);
  }
  return out;
}
