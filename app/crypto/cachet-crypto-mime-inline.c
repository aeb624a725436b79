/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-charset.h"
#include "cachet-crypto-mime-private.h"

/* ------------------------------------------------------------------------ */
/* Inline PGP in a text/plain part (read only)                              */

#define BEGIN_MESSAGE   "-----BEGIN PGP MESSAGE-----"
#define END_MESSAGE     "-----END PGP MESSAGE-----"
#define BEGIN_SIGNED    "-----BEGIN PGP SIGNED MESSAGE-----"
#define BEGIN_SIGNATURE "-----BEGIN PGP SIGNATURE-----"
#define END_SIGNATURE   "-----END PGP SIGNATURE-----"

/* The offset of the line starting with MARKER at or after FROM, or -1. */
static gssize
find_line (const char *data,
           gsize       length,
           gsize       from,
           const char *marker)
{
  gsize n = strlen (marker);

  for (gsize i = from; i + n <= length; i++)
    {
      const char *hit = memmem (data + i, length - i, marker, n);

      if (hit == NULL)
        return -1;
      i = hit - data;
      if (i == 0 || data[i - 1] == '\n')
        return i;
    }
  return -1;
}

static gsize
after_line (const char *data,
            gsize       length,
            gsize       pos)
{
  const char *nl = memchr (data + pos, '\n', length - pos);

  return nl != NULL ? (gsize) (nl - data) + 1 : length;
}

static void
append_text (GString    *out,
             const char *data,
             gsize       length,
             const char *charset)
{
  g_autofree char *text = NULL;

  if (charset == NULL && g_utf8_validate (data, length, NULL))
    text = g_strndup (data, length);
  else
    text = cachet_charset_to_utf8 (data, length, charset, NULL);
  g_string_append (out, text);
}

/* The charset an armour names ("Charset: ISO-8859-1"), or NULL. */
static char *
armor_charset (const char *block,
               gsize       length)
{
  gsize pos = after_line (block, length, 0);

  while (pos < length && block[pos] != '\r' && block[pos] != '\n')
    {
      gsize next = after_line (block, length, pos);

      if (next - pos > 8 && g_ascii_strncasecmp (block + pos, "Charset:", 8) == 0)
        return g_strstrip (g_strndup (block + pos + 8, next - pos - 8));
      pos = next;
    }
  return NULL;
}

/* The signed text of a cleartext signature (RFC 4880 7): after the armour
 * headers, dash-escapes removed, without the line end before the signature. */
static GString *
cleartext (const char *block,
           gsize       length,
           gsize       sig_start)
{
  GString *out = g_string_new (NULL);
  gsize pos = after_line (block, length, 0);

  while (pos < sig_start && block[pos] != '\r' && block[pos] != '\n')
    pos = after_line (block, length, pos);
  pos = after_line (block, length, pos);
  while (pos < sig_start)
    {
      gsize next = after_line (block, length, pos);

      if (next - pos >= 2 && block[pos] == '-' && block[pos + 1] == ' ')
        pos += 2;
      g_string_append_len (out, block + pos, MIN (next, sig_start) - pos);
      pos = next;
    }
  if (out->len >= 2 && out->str[out->len - 2] == '\r')
    g_string_truncate (out, out->len - 2);
  else if (out->len >= 1 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  return out;
}

GByteArray *
_cachet_crypto_mime_open_inline (CachetCryptoMimeWalk *w,
                                 CachetMimeEntity     *entity,
                                 gboolean              covered)
{
  static const char *const skip[] = { "Content-Type", "Content-Transfer-Encoding", NULL };
  const CachetCryptoMimeProtocol *proto = _cachet_crypto_mime_protocol_by_name ("openpgp");
  const char *charset = _cachet_mime_entity_param (entity, "charset");
  g_autoptr(GBytes) decoded = _cachet_mime_entity_decode (entity);
  g_autoptr(GByteArray) text = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  const char *data;
  gsize length, pos = 0;
  gboolean changed = FALSE, outside = FALSE;
  GByteArray *out;

  data = g_bytes_get_data (decoded, &length);
  if (data == NULL
      || (!_cachet_crypto_mime_memmem (data, length, BEGIN_MESSAGE)
          && !_cachet_crypto_mime_memmem (data, length, BEGIN_SIGNED)))
    {
      if (!covered && data != NULL && !_cachet_crypto_mime_is_blank (data, length))
        w->uncovered = TRUE;
      return NULL;
    }
  text = _cachet_crypto_mime_to_crlf (data, length);
  data = (const char *) text->data;
  length = text->len;

  while (pos < length && w->error == NULL)
    {
      gssize message = find_line (data, length, pos, BEGIN_MESSAGE);
      gssize signed_ = find_line (data, length, pos, BEGIN_SIGNED);
      gboolean is_message;
      gsize start, end;
      gssize tail;

      if (message < 0 && signed_ < 0)
        break;
      is_message = signed_ < 0 || (message >= 0 && message < signed_);
      start = is_message ? (gsize) message : (gsize) signed_;

      append_text (shown, data + pos, start - pos, charset);
      outside |= !_cachet_crypto_mime_is_blank (data + pos, start - pos);
      w->opened->inline_pgp = TRUE;
      _cachet_mime_walk_protocol (w, proto);
      if (is_message)
        w->opened->encrypted = TRUE;
      else
        w->opened->is_signed = TRUE;

      tail = find_line (data, length, start, is_message ? END_MESSAGE : END_SIGNATURE);
      if (!is_message && tail >= 0 && find_line (data, length, start, BEGIN_SIGNATURE) < 0)
        tail = -1;
      if (tail < 0)
        {
          _cachet_mime_walk_problem (w, _("The PGP block in this message is incomplete."));
          pos = start;
          break;
        }
      end = after_line (data, length, tail);

      {
        g_autoptr(GBytes) block = g_bytes_new (data + start, end - start);
        g_autoptr(GBytes) result = NULL;

        if (is_message)
          {
            result = _cachet_mime_walk_run (w, proto, CACHET_CRYPTO_OP_DECRYPT,
                                            CACHET_CRYPTO_FLAG_ALSO_SIGN, block, NULL, TRUE);
            if (result != NULL)
              {
                g_autofree char *named = armor_charset (data + start, end - start);
                gsize n;
                const char *plain = g_bytes_get_data (result, &n);

                w->opened->decrypted = TRUE;
                if (w->opened->signatures->len > 0)
                  w->opened->is_signed = TRUE;
                /* The plaintext's charset: the armour's, else UTF-8 when
                 * it is, else the part's. */
                append_text (shown, plain != NULL ? plain : "", n,
                             named != NULL ? named
                             : g_utf8_validate (plain != NULL ? plain : "", n, NULL) ? NULL : charset);
                changed = TRUE;
              }
          }
        else
          {
            gsize sig_start = (gsize) find_line (data, length, start, BEGIN_SIGNATURE);

            result = _cachet_mime_walk_run (w, proto, CACHET_CRYPTO_OP_VERIFY,
                                            CACHET_CRYPTO_FLAG_OPAQUE, block, NULL, TRUE);
            if (result != NULL)
              {
                /* The signed text, in the part's charset as it was signed. */
                if (g_bytes_get_size (result) > 0)
                  append_text (shown, g_bytes_get_data (result, NULL), g_bytes_get_size (result),
                               charset);
                else
                  {
                    g_autoptr(GString) own = cleartext (data + start, sig_start - start,
                                                        sig_start - start);
                    append_text (shown, own->str, own->len, charset);
                    g_string_append (shown, "\r\n");
                  }
                changed = TRUE;
              }
          }
        if (result == NULL)
          append_text (shown, data + start, end - start, charset);
      }
      pos = end;
    }
  if (w->error != NULL)
    return NULL;

  append_text (shown, data + pos, length - pos, charset);
  outside |= !_cachet_crypto_mime_is_blank (data + pos, length - pos);
  if (outside && !covered)
    w->opened->partial = TRUE;
  if (!changed)
    return NULL;

  out = g_byte_array_sized_new (shown->len + 256);
  _cachet_crypto_mime_append_content_fields (out, entity, skip);
  _cachet_crypto_mime_append (out, "Content-Type: text/plain; charset=utf-8\r\n"
                                   "Content-Transfer-Encoding: 8bit\r\n\r\n");
  {
    g_autoptr(GByteArray) crlf = _cachet_crypto_mime_to_crlf (shown->str, shown->len);

    g_byte_array_append (out, crlf->data, crlf->len);
  }
  return out;
}
