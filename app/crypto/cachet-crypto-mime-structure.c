/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include <string.h>

#include "cachet-crypto-mime-private.h"

G_DEFINE_QUARK (cachet-crypto-mime-error-quark, cachet_crypto_mime_error)

/* ------------------------------------------------------------------------ */
/* The protocols.  A new protocol is a new row, not new code.               */

static const char *const pgp_signature_aliases[] = { NULL };
static const char *const pgp_encrypted_aliases[] = { NULL };
static const char *const smime_signature_aliases[] = { "application/x-pkcs7-signature", NULL };
static const char *const smime_encrypted_aliases[] = { "application/x-pkcs7-mime", NULL };

static const CachetCryptoMimeProtocol protocols[] = {
  {
    .protocol = "openpgp",
    .display_name = "OpenPGP",
    .signature_type = "application/pgp-signature",
    .signature_aliases = pgp_signature_aliases,
    .signature_filename = "signature.asc",
    .signature_description = "OpenPGP digital signature",
    .binary = FALSE,
    .micalg_prefix = "pgp-",
    .encrypted_protocol = "application/pgp-encrypted",
    .encrypted_type = "application/octet-stream",
    .encrypted_aliases = pgp_encrypted_aliases,
    .encrypted_params = NULL,
    .encrypted_filename = "encrypted.asc",
    .encrypted_description = "OpenPGP encrypted message",
    .encrypted_disposition = "inline",
    .combined_sign_encrypt = TRUE,
  },
  {
    .protocol = "smime",
    .display_name = "S/MIME",
    .signature_type = "application/pkcs7-signature",
    .signature_aliases = smime_signature_aliases,
    .signature_filename = "smime.p7s",
    .signature_description = "S/MIME Cryptographic Signature",
    .binary = TRUE,
    .micalg_prefix = NULL,
    .encrypted_protocol = NULL,
    .encrypted_type = "application/pkcs7-mime",
    .encrypted_aliases = smime_encrypted_aliases,
    .encrypted_params = "smime-type=enveloped-data",
    .encrypted_filename = "smime.p7m",
    .encrypted_description = "S/MIME Encrypted Message",
    .encrypted_disposition = "attachment",
    .combined_sign_encrypt = FALSE,
  },
};

void
_cachet_crypto_mime_generic_clear (CachetCryptoMimeGeneric *generic)
{
  g_clear_pointer (&generic->protocol, g_free);
  g_clear_pointer (&generic->display_name, g_free);
  g_clear_pointer (&generic->signature_type, g_free);
  g_clear_pointer (&generic->encrypted_protocol, g_free);
  memset (&generic->proto, 0, sizeof generic->proto);
}

void
_cachet_crypto_mime_generic_init (CachetCryptoMimeGeneric  *generic,
                                  const CachetCryptoLoaded *loaded,
                                  const char               *protocol)
{
  static const char *const no_aliases[] = { NULL };
  CachetCryptoMimeProtocol *p = &generic->proto;

  _cachet_crypto_mime_generic_clear (generic);
  generic->protocol = g_strdup (protocol);
  generic->display_name = g_strdup (loaded->info.name != NULL ? loaded->info.name : protocol);
  p->protocol = generic->protocol;
  p->display_name = generic->display_name;
  p->signature_aliases = no_aliases;
  p->signature_filename = "signature";
  p->signature_description = "Digital signature";
  p->encrypted_type = "application/octet-stream";
  p->encrypted_aliases = no_aliases;
  p->encrypted_filename = "encrypted";
  p->encrypted_description = "Encrypted message";
  p->encrypted_disposition = "inline";
  p->generic = TRUE;
}

gboolean
_cachet_crypto_mime_is_type_token (const char *type)
{
  const char *slash;

  if (type == NULL || type[0] == '\0' || strlen (type) > 128)
    return FALSE;
  slash = strchr (type, '/');
  if (slash == NULL || slash == type || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
    return FALSE;
  for (const char *c = type; *c != '\0'; c++)
    if (*c != '/' && !g_ascii_isalnum (*c) && strchr ("!#$&^_.+-", *c) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
_cachet_crypto_mime_type_is (const char        *type,
                             const char        *name,
                             const char *const *aliases)
{
  if (type == NULL || name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (type, name) == 0)
    return TRUE;
  for (gsize i = 0; aliases != NULL && aliases[i] != NULL; i++)
    if (g_ascii_strcasecmp (type, aliases[i]) == 0)
      return TRUE;
  return FALSE;
}

const CachetCryptoMimeProtocol *
_cachet_crypto_mime_protocol_by_name (const char *protocol)
{
  if (protocol == NULL)
    protocol = "openpgp";
  for (gsize i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (g_ascii_strcasecmp (protocols[i].protocol, protocol) == 0)
      return &protocols[i];
  return NULL;
}

const CachetCryptoMimeProtocol *
_cachet_crypto_mime_protocol_by_signature (const char *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (_cachet_crypto_mime_type_is (type, protocols[i].signature_type,
                                     protocols[i].signature_aliases))
      return &protocols[i];
  return NULL;
}

const CachetCryptoMimeProtocol *
_cachet_crypto_mime_protocol_by_encrypted_protocol (const char *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i].encrypted_protocol != NULL
        && _cachet_crypto_mime_type_is (type, protocols[i].encrypted_protocol, NULL))
      return &protocols[i];
  return NULL;
}

const CachetCryptoMimeProtocol *
_cachet_crypto_mime_protocol_by_encrypted_type (const char *type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i].encrypted_protocol == NULL
        && _cachet_crypto_mime_type_is (type, protocols[i].encrypted_type,
                                        protocols[i].encrypted_aliases))
      return &protocols[i];
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Bytes                                                                    */

gboolean
_cachet_crypto_mime_memmem (const char *haystack,
                            gsize       length,
                            const char *needle)
{
  return memmem (haystack, length, needle, strlen (needle)) != NULL;
}

void
_cachet_crypto_mime_append (GByteArray *array,
                            const char *text)
{
  g_byte_array_append (array, (const guint8 *) text, strlen (text));
}

GByteArray *
_cachet_crypto_mime_to_crlf (const char *data,
                             gsize       length)
{
  const char *end = data + length;
  const char *pos, *nl;
  gsize bare = 0;
  GByteArray *out;
  guint8 *dst;

  /* Counted first, then copied a line at a time into the exact size: a
   * 20 MB attachment is some 300,000 lines. */
  for (pos = data; pos < end && (nl = memchr (pos, '\n', end - pos)) != NULL; pos = nl + 1)
    if (nl == data || nl[-1] != '\r')
      bare++;
  out = g_byte_array_sized_new (length + bare);
  g_byte_array_set_size (out, length + bare);
  dst = out->data;
  for (pos = data; pos < end; pos = nl + 1)
    {
      nl = memchr (pos, '\n', end - pos);
      if (nl == NULL)
        {
          memcpy (dst, pos, end - pos);
          break;
        }
      memcpy (dst, pos, nl - pos);
      dst += nl - pos;
      if (nl == data || nl[-1] != '\r')
        *dst++ = '\r';
      *dst++ = '\n';
    }
  return out;
}

gboolean
_cachet_crypto_mime_uses_lf (const char *data,
                             gsize       length)
{
  const char *nl = memchr (data, '\n', length);

  return nl != NULL && (nl == data || nl[-1] != '\r');
}

GBytes *
_cachet_crypto_mime_finish (GByteArray *array,
                            gboolean    lf)
{
  if (lf)
    {
      guint8 *end = array->data + array->len;
      guint8 *src = array->data, *dst = array->data;

      /* Every CR of a CRLF goes; the runs between them move down whole. */
      while (src < end)
        {
          guint8 *cr = memchr (src, '\r', end - src);
          guint8 *next;

          if (cr == NULL)
            cr = next = end;
          else if (cr + 1 < end && cr[1] == '\n')
            next = cr + 1;      /* the CR of a CRLF: dropped */
          else
            next = ++cr;        /* a lone CR stays */
          if (dst != src)
            memmove (dst, src, cr - src);
          dst += cr - src;
          src = next;
        }
      g_byte_array_set_size (array, dst - array->data);
    }
  return g_byte_array_free_to_bytes (array);
}

char *
_cachet_crypto_mime_boundary (const char *data,
                              gsize       length)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  for (;;)
    {
      GString *b = g_string_new ("=-cachet-");

      for (int i = 0; i < 24; i++)
        g_string_append_c (b, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
      if (!_cachet_crypto_mime_memmem (data, length, b->str))
        return g_string_free (b, FALSE);
      g_string_free (b, TRUE);
    }
}

/* ------------------------------------------------------------------------ */
/* Entities                                                                 */

static void
field_free (gpointer data)
{
  CachetMimeField *field = data;

  g_free (field->name);
  g_free (field->value);
  g_free (field);
}

void
_cachet_mime_entity_free (CachetMimeEntity *entity)
{
  if (entity == NULL)
    return;
  g_ptr_array_unref (entity->fields);
  g_free (entity->type);
  g_clear_pointer (&entity->params, g_hash_table_unref);
  g_free (entity->encoding);
  g_free (entity);
}

/* The end of the line starting at POS (after its line end). */
static gsize
line_end (const char *data,
          gsize       length,
          gsize       pos,
          gsize      *content_end)
{
  const char *nl = memchr (data + pos, '\n', length - pos);
  gsize end = nl != NULL ? (gsize) (nl - data) : length;

  if (content_end != NULL)
    *content_end = end > pos && data[end - 1] == '\r' ? end - 1 : end;
  return nl != NULL ? end + 1 : length;
}

static gboolean
is_blank_line (const char *data,
               gsize       length,
               gsize       pos)
{
  return (pos < length && data[pos] == '\n')
         || (pos + 1 < length && data[pos] == '\r' && data[pos + 1] == '\n');
}

static gboolean
looks_like_field (const char *data,
                  gsize       length,
                  gsize       pos)
{
  gsize i;

  for (i = pos; i < length; i++)
    {
      guchar c = (guchar) data[i];

      if (c == ':')
        return i > pos;
      if (c <= 32 || c >= 127)
        return FALSE;
    }
  return FALSE;
}

static char *
unquote (const char *start,
         gsize       length)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    {
      if (start[i] == '\\' && i + 1 < length)
        i++;
      g_string_append_c (out, start[i]);
    }
  return g_string_free (out, FALSE);
}

static const char *
skip_space (const char *p)
{
  for (;;)
    {
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p != '(')
        return p;
      /* A comment, possibly nested. */
      for (int level = 0; *p != '\0'; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '(')
            level++;
          else if (*p == ')' && --level == 0)
            {
              p++;
              break;
            }
        }
    }
}

char *
_cachet_mime_parse_content_type (const char  *value,
                                 GHashTable **params)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *p = skip_space (value != NULL ? value : "");
  const char *start = p;
  g_autofree char *type = NULL;

  while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t' && *p != '(')
    p++;
  type = g_ascii_strdown (start, p - start);
  if (strchr (type, '/') == NULL || type[0] == '/' || g_str_has_suffix (type, "/"))
    g_clear_pointer (&type, g_free);

  while (*p != '\0')
    {
      g_autofree char *name = NULL;
      char *val;

      p = strchr (p, ';');
      if (p == NULL)
        break;
      p = skip_space (p + 1);
      start = p;
      while (*p != '\0' && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
        p++;
      name = g_ascii_strdown (start, p - start);
      p = skip_space (p);
      if (*p != '=')
        continue;
      p = skip_space (p + 1);
      if (*p == '"')
        {
          start = ++p;
          while (*p != '\0' && *p != '"')
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              p++;
            }
          val = unquote (start, p - start);
          if (*p == '"')
            p++;
        }
      else
        {
          start = p;
          while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t' && *p != '(')
            p++;
          val = g_strndup (start, p - start);
        }
      if (name[0] != '\0' && !g_hash_table_contains (table, name))
        g_hash_table_insert (table, g_steal_pointer (&name), val);
      else
        g_free (val);
    }

  if (params != NULL)
    *params = table;
  else
    g_hash_table_unref (table);
  return type != NULL ? g_steal_pointer (&type) : g_strdup ("text/plain");
}

CachetMimeEntity *
_cachet_mime_entity_parse (const char *data,
                           gsize       length)
{
  CachetMimeEntity *entity = g_new0 (CachetMimeEntity, 1);
  gsize pos = 0;
  const char *value;

  entity->data = data;
  entity->length = length;
  entity->fields = g_ptr_array_new_with_free_func (field_free);

  /* An mbox "From " line before the headers is no header. */
  if (length > 5 && memcmp (data, "From ", 5) == 0)
    pos = line_end (data, length, 0, NULL);

  /* Headers run to a blank line; a part may have none (it starts with the
   * blank line).  Text that is not a header at all has none either. */
  if (!is_blank_line (data, length, pos) && !looks_like_field (data, length, pos))
    entity->body_offset = 0;
  else
    {
      while (pos < length && !is_blank_line (data, length, pos))
        {
          CachetMimeField *field;
          gsize start = pos, content_end, colon;
          GString *unfolded = g_string_new (NULL);

          pos = line_end (data, length, pos, &content_end);
          g_string_append_len (unfolded, data + start, content_end - start);
          while (pos < length && (data[pos] == ' ' || data[pos] == '\t'))
            {
              gsize cont = pos;

              pos = line_end (data, length, pos, &content_end);
              g_string_append_len (unfolded, data + cont, content_end - cont);
            }
          colon = 0;
          while (colon < unfolded->len && unfolded->str[colon] != ':')
            colon++;
          if (colon == 0 || colon == unfolded->len)
            {
              g_string_free (unfolded, TRUE);
              continue;   /* not a field: skipped */
            }
          field = g_new0 (CachetMimeField, 1);
          field->name = g_strstrip (g_strndup (unfolded->str, colon));
          field->value = g_strstrip (g_strdup (unfolded->str + colon + 1));
          field->offset = start;
          field->length = pos - start;
          g_ptr_array_add (entity->fields, field);
          g_string_free (unfolded, TRUE);
        }
      entity->has_headers = entity->fields->len > 0;
      entity->body_offset = pos < length ? line_end (data, length, pos, NULL) : length;
    }

  entity->type = _cachet_mime_parse_content_type (_cachet_mime_entity_header (entity, "Content-Type"),
                                                  &entity->params);
  value = _cachet_mime_entity_header (entity, "Content-Transfer-Encoding");
  if (value != NULL)
    {
      entity->encoding = g_ascii_strdown (value, -1);
      g_strstrip (entity->encoding);
    }
  return entity;
}

const char *
_cachet_mime_entity_param (const CachetMimeEntity *entity,
                           const char             *name)
{
  return g_hash_table_lookup (entity->params, name);
}

const char *
_cachet_mime_entity_header (const CachetMimeEntity *entity,
                            const char             *name)
{
  for (guint i = 0; i < entity->fields->len; i++)
    {
      CachetMimeField *field = g_ptr_array_index (entity->fields, i);

      if (g_ascii_strcasecmp (field->name, name) == 0)
        return field->value;
    }
  return NULL;
}

void
_cachet_mime_append_field (GByteArray             *out,
                           const CachetMimeEntity *entity,
                           const CachetMimeField  *field)
{
  g_byte_array_append (out, (const guint8 *) entity->data + field->offset, field->length);
  if (field->length == 0 || entity->data[field->offset + field->length - 1] != '\n')
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);
}

gboolean
_cachet_mime_field_is_content (const CachetMimeField *field)
{
  return g_ascii_strncasecmp (field->name, "Content-", 8) == 0;
}

static GBytes *
qp_decode (const char *data,
           gsize       length)
{
  GByteArray *out = g_byte_array_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '=' && i + 2 < length + 0 && g_ascii_isxdigit (data[i + 1])
          && g_ascii_isxdigit (data[i + 2]))
        {
          guint8 c = (guint8) (g_ascii_xdigit_value (data[i + 1]) * 16
                               + g_ascii_xdigit_value (data[i + 2]));
          g_byte_array_append (out, &c, 1);
          i += 2;
          continue;
        }
      if (data[i] == '=')
        {
          /* A soft line break: "=", optional white space, the line end. */
          gsize j = i + 1;

          while (j < length && (data[j] == ' ' || data[j] == '\t'))
            j++;
          if (j < length && data[j] == '\r')
            j++;
          if (j < length && data[j] == '\n')
            {
              i = j;
              continue;
            }
          if (j == length)
            break;
        }
      g_byte_array_append (out, (const guint8 *) data + i, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
_cachet_mime_entity_decode (const CachetMimeEntity *entity)
{
  gsize length;
  const char *body = _cachet_mime_entity_body (entity, &length);

  if (g_strcmp0 (entity->encoding, "base64") == 0)
    {
      guchar *out = g_malloc (length / 4 * 3 + 4);
      gint state = 0;
      guint save = 0;
      gsize n = g_base64_decode_step (body, length, out, &state, &save);

      return g_bytes_new_take (out, n);
    }
  if (g_strcmp0 (entity->encoding, "quoted-printable") == 0)
    return qp_decode (body, length);
  return g_bytes_new (body, length);
}

/* ------------------------------------------------------------------------ */
/* Multiparts                                                               */

/* Whether the line at POS is "--BOUNDARY" (then *CLOSE when "--BOUNDARY--"). */
static gboolean
is_delimiter (const char *data,
              gsize       length,
              gsize       pos,
              const char *boundary,
              gsize       blen,
              gboolean   *close)
{
  gsize p = pos + 2 + blen;

  if (pos + 2 + blen > length || data[pos] != '-' || data[pos + 1] != '-'
      || memcmp (data + pos + 2, boundary, blen) != 0)
    return FALSE;
  *close = p + 1 < length && data[p] == '-' && data[p + 1] == '-';
  if (*close)
    p += 2;
  while (p < length && (data[p] == ' ' || data[p] == '\t'))
    p++;
  return p == length || data[p] == '\r' || data[p] == '\n';
}

GArray *
_cachet_mime_split (const CachetMimeEntity *entity,
                    gboolean               *closed)
{
  GArray *parts = g_array_new (FALSE, FALSE, sizeof (CachetMimeSpan));
  const char *boundary = _cachet_mime_entity_param (entity, "boundary");
  const char *data = entity->data;
  gsize length = entity->length;
  gsize pos = entity->body_offset;
  gsize blen;
  gssize part_start = -1;

  *closed = FALSE;
  if (boundary == NULL || boundary[0] == '\0')
    return parts;
  blen = strlen (boundary);

  while (pos < length)
    {
      gboolean close = FALSE;
      gsize next = line_end (data, length, pos, NULL);

      if (is_delimiter (data, length, pos, boundary, blen, &close))
        {
          if (part_start >= 0)
            {
              /* The line end before the delimiter belongs to it. */
              gsize end = pos;

              if (end > (gsize) part_start && data[end - 1] == '\n')
                end--;
              if (end > (gsize) part_start && data[end - 1] == '\r')
                end--;
              if (end < (gsize) part_start)
                end = part_start;
              g_array_append_val (parts, ((CachetMimeSpan) { part_start, end - part_start }));
            }
          if (close)
            {
              *closed = TRUE;
              return parts;
            }
          part_start = next;
        }
      pos = next;
    }
  /* No close delimiter: the last part runs to the end (truncated). */
  if (part_start >= 0)
    g_array_append_val (parts, ((CachetMimeSpan) { part_start, length - MIN ((gsize) part_start, length) }));
  return parts;
}

/* ------------------------------------------------------------------------ */
/* A quick look                                                             */

/* Whether a part header in BODY (a "Content-Type:" line, folded or not)
 * names one of TYPES.  One pass over the lines; no parsing. */
static gboolean
body_has_part_type (const char        *body,
                    gsize              length,
                    const char *const *types,
                    gsize              n_types)
{
  gsize pos = 0;

  while (pos + 13 < length)
    {
      const char *nl = memchr (body + pos, '\n', length - pos);
      gsize next = nl != NULL ? (gsize) (nl - body) + 1 : length;

      if ((body[pos] == 'C' || body[pos] == 'c')
          && g_ascii_strncasecmp (body + pos, "Content-Type:", 13) == 0)
        {
          gsize v = pos + 13;

          while (v < length && g_ascii_isspace (body[v]))
            v++;
          for (gsize i = 0; i < n_types; i++)
            {
              gsize n = strlen (types[i]);

              if (v + n <= length && g_ascii_strncasecmp (body + v, types[i], n) == 0)
                return TRUE;
            }
        }
      pos = next;
    }
  return FALSE;
}

gboolean
cachet_crypto_looks_sealed (GBytes *message)
{
  static const char *const sealed_types[] = {
    "multipart/signed", "multipart/encrypted",
    "application/pkcs7-mime", "application/x-pkcs7-mime",
  };
  gsize length;
  const char *data;
  g_autoptr(CachetMimeEntity) entity = NULL;
  const char *body;
  gsize body_length;

  g_return_val_if_fail (message != NULL, FALSE);

  data = g_bytes_get_data (message, &length);
  if (data == NULL || length == 0)
    return FALSE;
  entity = _cachet_mime_entity_parse (data, length);
  for (gsize i = 0; i < G_N_ELEMENTS (sealed_types); i++)
    if (g_strcmp0 (entity->type, sealed_types[i]) == 0)
      return TRUE;

  body = _cachet_mime_entity_body (entity, &body_length);
  if (g_str_has_prefix (entity->type, "multipart/"))
    {
      /* application/pgp-encrypted: PGP/MIME that Exchange turned into
       * multipart/mixed. */
      static const char *const part_types[] = {
        "multipart/signed", "multipart/encrypted", "application/pkcs7-mime",
        "application/x-pkcs7-mime", "application/pgp-encrypted",
      };

      if (body_has_part_type (body, body_length, part_types, G_N_ELEMENTS (part_types)))
        return TRUE;
    }
  if (g_str_has_prefix (entity->type, "multipart/") || g_strcmp0 (entity->type, "text/plain") == 0)
    return _cachet_crypto_mime_memmem (body, body_length, "-----BEGIN PGP MESSAGE-----")
           || _cachet_crypto_mime_memmem (body, body_length, "-----BEGIN PGP SIGNED MESSAGE-----");
  return FALSE;
}
