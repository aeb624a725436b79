/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-crypto-mime-private.h"

/* Opening walks the MIME tree of the raw message (CRLF), replaces each
 * encrypted or signed structure it can open by its content and leaves
 * everything else byte for byte.  Each walker returns the new entity
 * (content headers and body, CRLF) or NULL when the entity stays. */


static GByteArray *open_entity (CachetCryptoMimeWalk *w,
                                const char           *data,
                                gsize                 length,
                                guint                 depth,
                                gboolean              covered);

void
cachet_crypto_opened_free (CachetCryptoOpened *opened)
{
  if (opened == NULL)
    return;
  g_free (opened->protocol);
  g_free (opened->problem);
  g_clear_pointer (&opened->signatures, g_ptr_array_unref);
  g_clear_pointer (&opened->message, g_bytes_unref);
  g_free (opened);
}

void
_cachet_mime_walk_problem (CachetCryptoMimeWalk *w,
                           const char           *raw)
{
  /* Parameters of the message may be quoted in it: valid UTF-8 only. */
  g_autofree char *text = g_utf8_make_valid (raw, -1);
  char *joined;

  if (w->opened->problem == NULL)
    {
      w->opened->problem = g_steal_pointer (&text);
      return;
    }
  if (strstr (w->opened->problem, text) != NULL)
    return;
  joined = g_strconcat (w->opened->problem, "\n", text, NULL);
  g_free (w->opened->problem);
  w->opened->problem = joined;
}

void
_cachet_mime_walk_protocol (CachetCryptoMimeWalk           *w,
                            const CachetCryptoMimeProtocol *proto)
{
  if (w->opened->protocol == NULL)
    w->opened->protocol = g_strdup (proto->protocol);
}

/* A failed plugin call: a problem, unless the caller cancelled. */
static void
take_error (CachetCryptoMimeWalk *w,
            GError               *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (g_cancellable_is_cancelled (w->options->cancellable))
        {
          if (w->error == NULL)
            w->error = error;
          else
            g_error_free (error);
          return;
        }
      _cachet_mime_walk_problem (w, _("The passphrase was not given."));
    }
  else
    _cachet_mime_walk_problem (w, error->message);
  g_error_free (error);
}

static void
take_signatures (CachetCryptoMimeWalk *w,
                 CachetCryptoOutcome  *outcome)
{
  while (outcome->signatures->len > 0)
    g_ptr_array_add (w->opened->signatures, g_ptr_array_steal_index (outcome->signatures, 0));
}

/* Runs OP of PROTO's plugin on INPUT.  NULL on trouble (a problem added). */
GBytes *
_cachet_mime_walk_run (CachetCryptoMimeWalk           *w,
                       const CachetCryptoMimeProtocol *proto,
                       CachetCryptoOp                  op,
                       guint32                         flags,
                       GBytes                         *input,
                       GBytes                         *signature,
                       gboolean                        want_output)
{
  static const guint32 caps[] = {
    [CACHET_CRYPTO_OP_DECRYPT] = CACHET_CRYPTO_CAP_DECRYPT,
    [CACHET_CRYPTO_OP_VERIFY] = CACHET_CRYPTO_CAP_VERIFY,
  };
  CachetCryptoRequest request = { 0 };
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  GError *error = NULL;
  CachetCryptoLoaded *loaded;
  GBytes *output;

  loaded = _cachet_crypto_mime_find_plugin (w->registry, proto, caps[op], &error);
  if (loaded == NULL)
    {
      take_error (w, error);
      return NULL;
    }
  request.op = op;
  request.flags = flags;
  request.protocol = proto->protocol;
  request.sender = w->sender;
  request.cancellable = w->options->cancellable;
  request.ask_passphrase = w->options->ask_passphrase;
  request.ask_passphrase_data = w->options->ask_passphrase_data;
  output = _cachet_crypto_mime_run (loaded, &request, input, signature, want_output,
                                    &outcome, &error);
  if (output == NULL)
    {
      take_error (w, error);
      return NULL;
    }
  take_signatures (w, outcome);
  return output;
}

/* The content fields of ENTITY but those named in SKIP. */
void
_cachet_crypto_mime_append_content_fields (GByteArray             *out,
                                           const CachetMimeEntity *entity,
                                           const char *const      *skip)
{
  for (guint i = 0; i < entity->fields->len; i++)
    {
      CachetMimeField *field = g_ptr_array_index (entity->fields, i);
      gboolean keep = _cachet_mime_field_is_content (field);

      for (gsize j = 0; keep && skip != NULL && skip[j] != NULL; j++)
        if (g_ascii_strcasecmp (field->name, skip[j]) == 0)
          keep = FALSE;
      if (!keep)
        continue;
      g_byte_array_append (out, (const guint8 *) entity->data + field->offset, field->length);
      if (entity->data[field->offset + field->length - 1] != '\n')
        _cachet_crypto_mime_append (out, "\r\n");
    }
}

gboolean
_cachet_crypto_mime_is_blank (const char *data,
                              gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;
  return TRUE;
}

/* Decrypted or verified data, opened further.  Data without headers
 * (some old clients encrypt bare text) is taken as text/plain. */
static GByteArray *
open_content (CachetCryptoMimeWalk *w,
              GBytes               *content,
              guint                 depth)
{
  gsize n;
  const char *raw = g_bytes_get_data (content, &n);
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(CachetMimeEntity) entity = NULL;
  GByteArray *opened;

  data = _cachet_crypto_mime_to_crlf (raw != NULL ? raw : "", n);
  entity = _cachet_mime_entity_parse ((const char *) data->data, data->len);
  if (!entity->has_headers)
    {
      gboolean starts_blank = data->len >= 2 && data->data[0] == '\r' && data->data[1] == '\n';

      g_byte_array_prepend (data, (const guint8 *) "Content-Type: text/plain\r\n\r\n",
                            starts_blank ? 26 : 28);
    }
  g_clear_pointer (&entity, _cachet_mime_entity_free);
  opened = open_entity (w, (const char *) data->data, data->len, depth, TRUE);
  if (opened != NULL || w->error != NULL)
    return opened;
  return g_steal_pointer (&data);
}

/* A structure no row of the table describes: the first loaded plugin
 * whose classify op says ENTITY is KIND makes a generic protocol of it. */
static const CachetCryptoMimeProtocol *
classify_generic (CachetCryptoMimeWalk    *w,
                  CachetMimeEntity        *entity,
                  int                      kind,
                  CachetCryptoMimeGeneric *generic)
{
  const char *protocol = _cachet_mime_entity_param (entity, "protocol");
  CachetCryptoPartInfo part = { 0 };
  g_autoptr(GPtrArray) plugins = NULL;

  if (w->registry == NULL || !_cachet_crypto_mime_is_type_token (protocol))
    return NULL;
  part.struct_size = sizeof part;
  part.content_type = entity->type;
  part.protocol = protocol;
  part.micalg = _cachet_mime_entity_param (entity, "micalg");
  part.smime_type = _cachet_mime_entity_param (entity, "smime-type");
  plugins = cachet_crypto_registry_list_loaded (w->registry);
  for (guint i = 0; i < plugins->len; i++)
    {
      CachetCryptoLoaded *loaded = g_ptr_array_index (plugins, i);

      if (loaded->protocols == NULL || loaded->protocols[0] == NULL
          || _cachet_crypto_mime_protocol_by_name (loaded->protocols[0]) != NULL
          || cachet_crypto_classify (loaded, &part) != kind)
        continue;
      _cachet_crypto_mime_generic_init (generic, loaded, loaded->protocols[0]);
      if (kind == CACHET_CRYPTO_PART_SIGNED)
        {
          generic->signature_type = g_ascii_strdown (protocol, -1);
          generic->proto.signature_type = generic->signature_type;
        }
      else
        {
          generic->encrypted_protocol = g_ascii_strdown (protocol, -1);
          generic->proto.encrypted_protocol = generic->encrypted_protocol;
        }
      return &generic->proto;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* RFC 3156 5, RFC 8551 3.5.3: multipart/signed                             */

static GByteArray *
open_signed (CachetCryptoMimeWalk *w,
             CachetMimeEntity     *entity,
             guint                 depth)
{
  const char *protocol = _cachet_mime_entity_param (entity, "protocol");
  const CachetCryptoMimeProtocol *proto = _cachet_crypto_mime_protocol_by_signature (protocol);
  g_auto(CachetCryptoMimeGeneric) generic = { 0 };
  g_autoptr(GArray) parts = NULL;
  g_autoptr(CachetMimeEntity) sig_entity = NULL;
  g_autoptr(GBytes) signed_bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) nothing = NULL;
  CachetMimeSpan *content, *sig;
  guint before;
  gboolean closed;

  w->opened->is_signed = TRUE;
  if (proto == NULL)
    proto = classify_generic (w, entity, CACHET_CRYPTO_PART_SIGNED, &generic);
  if (proto == NULL && protocol == NULL)
    {
      /* No protocol parameter: the signature part's type says it. */
      g_autoptr(GArray) spans = _cachet_mime_split (entity, &closed);

      if (spans->len == 2)
        {
          CachetMimeSpan *span = &g_array_index (spans, CachetMimeSpan, 1);
          g_autoptr(CachetMimeEntity) part = _cachet_mime_entity_parse (entity->data + span->offset,
                                                                        span->length);

          proto = _cachet_crypto_mime_protocol_by_signature (part->type);
        }
    }
  if (proto == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The message is signed in a way Cachet does not know (%s)."),
                                               protocol != NULL ? protocol : "?");
      _cachet_mime_walk_problem (w, text);
      return NULL;
    }
  _cachet_mime_walk_protocol (w, proto);
  parts = _cachet_mime_split (entity, &closed);
  if (!closed || parts->len != 2)
    {
      _cachet_mime_walk_problem (w, _("The signed message is damaged: its parts are incomplete."));
      return NULL;
    }
  content = &g_array_index (parts, CachetMimeSpan, 0);
  sig = &g_array_index (parts, CachetMimeSpan, 1);
  sig_entity = _cachet_mime_entity_parse (entity->data + sig->offset, sig->length);
  if (!_cachet_crypto_mime_type_is (sig_entity->type, proto->signature_type,
                                    proto->signature_aliases))
    {
      _cachet_mime_walk_problem (w, _("The signed message is damaged: its signature is missing."));
      return NULL;
    }

  /* The signed part exactly as received (already CRLF). */
  signed_bytes = g_bytes_new (entity->data + content->offset, content->length);
  signature = _cachet_mime_entity_decode (sig_entity);
  before = w->opened->signatures->len;
  nothing = _cachet_mime_walk_run (w, proto, CACHET_CRYPTO_OP_VERIFY, 0, signed_bytes, signature,
                                   FALSE);
  if (nothing == NULL)
    return NULL;
  if (w->opened->signatures->len == before)
    _cachet_mime_walk_problem (w, _("The plugin found no signature."));

  {
    GByteArray *inner = open_entity (w, entity->data + content->offset, content->length,
                                     depth + 1, TRUE);

    if (inner == NULL && w->error == NULL)
      {
        inner = g_byte_array_sized_new (content->length);
        g_byte_array_append (inner, (const guint8 *) entity->data + content->offset,
                             content->length);
      }
    return inner;
  }
}

/* ------------------------------------------------------------------------ */
/* RFC 3156 4: multipart/encrypted                                          */

static gboolean
has_version_1 (GBytes *body)
{
  gsize n;
  const char *data = g_bytes_get_data (body, &n);
  g_autofree char *text = g_strndup (data != NULL ? data : "", n);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (g_ascii_strncasecmp (line, "Version:", 8) == 0)
        return g_strcmp0 (g_strstrip (line + 8), "1") == 0;
    }
  return FALSE;
}

/* The control part at VERSION and the data at PAYLOAD (spans of DATA),
 * checked and decrypted; the opened content, or NULL. */
static GByteArray *
decrypt_parts (CachetCryptoMimeWalk           *w,
               const CachetCryptoMimeProtocol *proto,
               const char                     *data,
               const CachetMimeSpan           *version_span,
               const CachetMimeSpan           *payload_span,
               guint                           depth)
{
  g_autoptr(CachetMimeEntity) version = NULL;
  g_autoptr(CachetMimeEntity) payload = NULL;
  g_autoptr(GBytes) version_body = NULL;
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) plaintext = NULL;

  version = _cachet_mime_entity_parse (data + version_span->offset, version_span->length);
  version_body = _cachet_mime_entity_decode (version);
  /* RFC 1847 2.2: the control part is of the protocol's type; RFC 3156 4
   * wants "Version: 1" in it. */
  if (!_cachet_crypto_mime_type_is (version->type, proto->encrypted_protocol, NULL)
      || (!proto->generic && !has_version_1 (version_body)))
    {
      _cachet_mime_walk_problem (w, _("The encrypted message is damaged: its version part is missing."));
      return NULL;
    }
  payload = _cachet_mime_entity_parse (data + payload_span->offset, payload_span->length);
  ciphertext = _cachet_mime_entity_decode (payload);
  if (_cachet_crypto_mime_is_blank (g_bytes_get_data (ciphertext, NULL), g_bytes_get_size (ciphertext)))
    {
      _cachet_mime_walk_problem (w, _("The encrypted message is damaged: it holds no encrypted data."));
      return NULL;
    }

  /* RFC 3156 6.2: a combined signature is checked while decrypting. */
  plaintext = _cachet_mime_walk_run (w, proto, CACHET_CRYPTO_OP_DECRYPT,
                                            CACHET_CRYPTO_FLAG_ALSO_SIGN, ciphertext, NULL, TRUE);
  if (plaintext == NULL)
    return NULL;
  w->opened->decrypted = TRUE;
  if (w->opened->signatures->len > 0)
    w->opened->is_signed = TRUE;
  return open_content (w, plaintext, depth + 1);
}

static GByteArray *
open_encrypted (CachetCryptoMimeWalk *w,
                CachetMimeEntity     *entity,
                guint                 depth)
{
  const char *protocol = _cachet_mime_entity_param (entity, "protocol");
  const CachetCryptoMimeProtocol *proto = _cachet_crypto_mime_protocol_by_encrypted_protocol (protocol);
  g_auto(CachetCryptoMimeGeneric) generic = { 0 };
  g_autoptr(GArray) parts = NULL;
  gboolean closed;

  w->opened->encrypted = TRUE;
  if (proto == NULL)
    proto = classify_generic (w, entity, CACHET_CRYPTO_PART_ENCRYPTED, &generic);
  if (proto == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The message is encrypted in a way Cachet does not know (%s)."),
                                               protocol != NULL ? protocol : "?");
      _cachet_mime_walk_problem (w, text);
      return NULL;
    }
  _cachet_mime_walk_protocol (w, proto);
  parts = _cachet_mime_split (entity, &closed);
  if (!closed || parts->len != 2)
    {
      _cachet_mime_walk_problem (w, _("The encrypted message is damaged: its parts are incomplete."));
      return NULL;
    }
  return decrypt_parts (w, proto, entity->data,
                        &g_array_index (parts, CachetMimeSpan, 0),
                        &g_array_index (parts, CachetMimeSpan, 1), depth);
}

/* ------------------------------------------------------------------------ */
/* RFC 8551 3.3, 3.5.2: application/pkcs7-mime                              */

static GByteArray *
open_pkcs7 (CachetCryptoMimeWalk           *w,
            CachetMimeEntity               *entity,
            const CachetCryptoMimeProtocol *proto,
            guint                           depth)
{
  const char *smime_type = _cachet_mime_entity_param (entity, "smime-type");
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) content = NULL;
  gboolean decrypt;

  if (smime_type == NULL || g_ascii_strcasecmp (smime_type, "enveloped-data") == 0
      || g_ascii_strcasecmp (smime_type, "authEnveloped-data") == 0)
    decrypt = TRUE;
  else if (g_ascii_strcasecmp (smime_type, "signed-data") == 0)
    decrypt = FALSE;
  else
    return NULL;   /* certs-only, compressed-data: left as they are */

  _cachet_mime_walk_protocol (w, proto);
  if (decrypt)
    w->opened->encrypted = TRUE;
  else
    w->opened->is_signed = TRUE;
  data = _cachet_mime_entity_decode (entity);
  if (_cachet_crypto_mime_is_blank (g_bytes_get_data (data, NULL), g_bytes_get_size (data)))
    {
      _cachet_mime_walk_problem (w, _("The encrypted message is damaged: it holds no encrypted data."));
      return NULL;
    }
  content = _cachet_mime_walk_run (w, proto, decrypt ? CACHET_CRYPTO_OP_DECRYPT : CACHET_CRYPTO_OP_VERIFY,
                        decrypt ? CACHET_CRYPTO_FLAG_ALSO_SIGN : CACHET_CRYPTO_FLAG_OPAQUE,
                        data, NULL, TRUE);
  if (content == NULL)
    return NULL;
  if (decrypt)
    w->opened->decrypted = TRUE;
  if (w->opened->signatures->len > 0)
    w->opened->is_signed = TRUE;
  return open_content (w, content, depth + 1);
}

/* ------------------------------------------------------------------------ */
/* Other multiparts: open their parts                                       */

static void
append_param (GString    *out,
              const char *name,
              const char *value)
{
  g_string_append_printf (out, ";\r\n %s=\"", name);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p != '\r' && *p != '\n')
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* multipart/mixed of an empty text/plain, application/pgp-encrypted and
 * application/octet-stream: a PGP/MIME message Exchange rewrote. */
static gboolean
is_mangled_encrypted (CachetMimeEntity *entity,
                      GArray           *parts)
{
  static const char *const types[] = { "text/plain", "application/pgp-encrypted",
                                       "application/octet-stream" };

  if (g_strcmp0 (entity->type, "multipart/mixed") != 0 || parts->len != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    {
      CachetMimeSpan *span = &g_array_index (parts, CachetMimeSpan, i);
      g_autoptr(CachetMimeEntity) part = _cachet_mime_entity_parse (entity->data + span->offset,
                                                                    span->length);

      if (g_strcmp0 (part->type, types[i]) != 0)
        return FALSE;
      if (i == 0)
        {
          g_autoptr(GBytes) text = _cachet_mime_entity_decode (part);

          if (!_cachet_crypto_mime_is_blank (g_bytes_get_data (text, NULL), g_bytes_get_size (text)))
            return FALSE;
        }
    }
  return TRUE;
}

static GByteArray *
open_multipart (CachetCryptoMimeWalk *w,
                CachetMimeEntity     *entity,
                guint                 depth,
                gboolean              covered)
{
  static const char *const skip[] = { "Content-Transfer-Encoding", NULL };
  static const char *const skip_type[] = { "Content-Transfer-Encoding", "Content-Type", NULL };
  g_autoptr(GArray) parts = NULL;
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  g_autofree char *delimiter = NULL;
  g_autofree char *boundary = NULL;
  gboolean closed, any = FALSE, clash = FALSE;
  GByteArray *out;

  parts = _cachet_mime_split (entity, &closed);
  if (parts->len == 0)
    {
      if (!covered)
        w->uncovered = TRUE;
      return NULL;
    }
  if (is_mangled_encrypted (entity, parts))
    {
      /* Exchange turns multipart/encrypted into multipart/mixed with an
       * empty text part first: read it as what it was. */
      const CachetCryptoMimeProtocol *proto = _cachet_crypto_mime_protocol_by_name ("openpgp");

      w->opened->encrypted = TRUE;
      _cachet_mime_walk_protocol (w, proto);
      return decrypt_parts (w, proto, entity->data,
                            &g_array_index (parts, CachetMimeSpan, 1),
                            &g_array_index (parts, CachetMimeSpan, 2), depth);
    }
  for (guint i = 0; i < parts->len; i++)
    {
      CachetMimeSpan *span = &g_array_index (parts, CachetMimeSpan, i);
      GByteArray *part = open_entity (w, entity->data + span->offset, span->length,
                                      depth + 1, covered);

      if (w->error != NULL)
        {
          g_clear_pointer (&part, g_byte_array_unref);
          return NULL;
        }
      if (part == NULL)
        {
          part = g_byte_array_sized_new (span->length);
          g_byte_array_append (part, (const guint8 *) entity->data + span->offset, span->length);
        }
      else
        any = TRUE;
      g_ptr_array_add (opened, part);
    }
  if (!any)
    return NULL;

  /* Opened content could hold the old delimiter: then a new boundary. */
  boundary = g_strdup (_cachet_mime_entity_param (entity, "boundary"));
  delimiter = g_strconcat ("--", boundary, NULL);
  for (guint i = 0; i < opened->len; i++)
    {
      GByteArray *part = g_ptr_array_index (opened, i);

      clash |= _cachet_crypto_mime_memmem ((const char *) part->data, part->len, delimiter);
    }
  out = g_byte_array_new ();
  if (clash)
    {
      g_autoptr(GByteArray) all = g_byte_array_new ();
      g_autoptr(GString) type = g_string_new ("Content-Type: ");
      GHashTableIter iter;
      gpointer name, value;

      for (guint i = 0; i < opened->len; i++)
        {
          GByteArray *part = g_ptr_array_index (opened, i);

          g_byte_array_append (all, part->data, part->len);
        }
      g_free (boundary);
      boundary = _cachet_crypto_mime_boundary ((const char *) all->data, all->len);
      g_string_append (type, entity->type);
      g_hash_table_iter_init (&iter, entity->params);
      while (g_hash_table_iter_next (&iter, &name, &value))
        if (g_strcmp0 (name, "boundary") != 0)
          append_param (type, name, value);
      append_param (type, "boundary", boundary);
      g_string_append (type, "\r\n");
      _cachet_crypto_mime_append_content_fields (out, entity, skip_type);
      _cachet_crypto_mime_append (out, type->str);
    }
  else
    _cachet_crypto_mime_append_content_fields (out, entity, skip);
  _cachet_crypto_mime_append (out, "\r\n");
  for (guint i = 0; i < opened->len; i++)
    {
      GByteArray *part = g_ptr_array_index (opened, i);

      _cachet_crypto_mime_append (out, "--");
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

/* ------------------------------------------------------------------------ */
/* The walk                                                                 */

static GByteArray *
open_entity (CachetCryptoMimeWalk *w,
             const char           *data,
             gsize                 length,
             guint                 depth,
             gboolean              covered)
{
  g_autoptr(CachetMimeEntity) entity = NULL;
  const CachetCryptoMimeProtocol *proto;

  if (w->error != NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (w->options->cancellable, &w->error))
    return NULL;
  if (depth > CACHET_CRYPTO_MIME_MAX_DEPTH)
    {
      _cachet_mime_walk_problem (w, _("The message is nested too deeply to be opened."));
      return NULL;
    }

  entity = _cachet_mime_entity_parse (data, length);
  if (g_strcmp0 (entity->type, "multipart/signed") == 0)
    return open_signed (w, entity, depth);
  if (g_strcmp0 (entity->type, "multipart/encrypted") == 0)
    return open_encrypted (w, entity, depth);
  proto = _cachet_crypto_mime_protocol_by_encrypted_type (entity->type);
  if (proto != NULL)
    return open_pkcs7 (w, entity, proto, depth);
  if (g_str_has_prefix (entity->type, "multipart/"))
    return open_multipart (w, entity, depth, covered);
  if (g_strcmp0 (entity->type, "text/plain") == 0)
    return _cachet_crypto_mime_open_inline (w, entity, covered);
  /* Keys (application/pgp-keys) stay attached for import; a stray
   * signature is no content of its own. */
  if (g_strcmp0 (entity->type, "application/pgp-keys") == 0
      || _cachet_crypto_mime_protocol_by_signature (entity->type) != NULL)
    return NULL;
  if (!covered)
    w->uncovered = TRUE;
  return NULL;
}

CachetCryptoOpened *
cachet_crypto_open (CachetCryptoRegistry           *registry,
                    GBytes                         *message,
                    const CachetCryptoOpenOptions  *options,
                    GError                        **error)
{
  static const CachetCryptoOpenOptions no_options = { 0 };
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(GByteArray) canon = NULL;
  g_autoptr(CachetMimeEntity) top = NULL;
  g_autofree char *sender = NULL;
  g_autoptr(GByteArray) content = NULL;
  CachetCryptoMimeWalk w = { 0 };
  const char *data;
  gsize length;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    options = &no_options;
  if (g_cancellable_set_error_if_cancelled (options->cancellable, error))
    return NULL;

  opened = g_new0 (CachetCryptoOpened, 1);
  opened->signatures = g_ptr_array_new_with_free_func (cachet_crypto_signature_result_free);
  data = g_bytes_get_data (message, &length);
  if (data == NULL || length == 0)
    {
      opened->message = g_bytes_ref (message);
      return g_steal_pointer (&opened);
    }

  canon = _cachet_crypto_mime_to_crlf (data, length);
  w.registry = registry;
  w.options = options;
  w.opened = opened;
  top = _cachet_mime_entity_parse ((const char *) canon->data, canon->len);
  if (top != NULL && _cachet_mime_entity_header (top, "From") != NULL)
    sender = _cachet_crypto_mime_bare_address (_cachet_mime_entity_header (top, "From"));
  w.sender = sender;
  content = open_entity (&w, (const char *) canon->data, canon->len, 0, FALSE);
  if (w.error != NULL)
    {
      g_propagate_error (error, w.error);
      return NULL;
    }
  if ((opened->encrypted || opened->is_signed) && w.uncovered)
    opened->partial = TRUE;

  if (content == NULL)
    {
      opened->message = g_bytes_ref (message);
      return g_steal_pointer (&opened);
    }

  /* The outer headers, then the opened content's own.  A sealed part with
   * protected headers (protected-headers="v1") carries the real Subject
   * (the outer one is often "..."): it wins.  Other headers inside the
   * content are dropped rather than shown twice. */
  {
    GByteArray *out = g_byte_array_sized_new (content->len + 4096);
    g_autoptr(CachetMimeEntity) inner = _cachet_mime_entity_parse ((const char *) content->data,
                                                                   content->len);
    CachetMimeField *subject = NULL;
    gsize body_length;
    const char *body;

    if (_cachet_mime_entity_param (inner, "protected-headers") != NULL)
      for (guint i = 0; i < inner->fields->len && subject == NULL; i++)
        {
          CachetMimeField *field = g_ptr_array_index (inner->fields, i);

          if (g_ascii_strcasecmp (field->name, "Subject") == 0)
            subject = field;
        }

    for (guint i = 0; i < top->fields->len; i++)
      {
        CachetMimeField *field = g_ptr_array_index (top->fields, i);
        const char *from = (const char *) canon->data;

        if (_cachet_mime_field_is_content (field))
          continue;
        if (subject != NULL && g_ascii_strcasecmp (field->name, "Subject") == 0)
          {
            field = subject;
            from = inner->data;
            subject = NULL;
          }
        g_byte_array_append (out, (const guint8 *) from + field->offset, field->length);
        if (from[field->offset + field->length - 1] != '\n')
          _cachet_crypto_mime_append (out, "\r\n");
      }
    if (subject != NULL)
      g_byte_array_append (out, (const guint8 *) inner->data + subject->offset, subject->length);
    _cachet_crypto_mime_append_content_fields (out, inner, NULL);
    _cachet_crypto_mime_append (out, "\r\n");
    body = _cachet_mime_entity_body (inner, &body_length);
    g_byte_array_append (out, (const guint8 *) body, body_length);
    opened->message = _cachet_crypto_mime_finish (out, _cachet_crypto_mime_uses_lf (data, length));
  }
  return g_steal_pointer (&opened);
}
