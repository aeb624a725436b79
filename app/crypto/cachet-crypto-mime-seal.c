/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-crypto"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cachet-crypto-mime-private.h"

/* ------------------------------------------------------------------------ */
/* Plugins                                                                  */

CachetCryptoLoaded *
_cachet_crypto_mime_find_plugin (CachetCryptoRegistry           *registry,
                                 const CachetCryptoMimeProtocol *protocol,
                                 guint32                         capabilities,
                                 GError                        **error)
{
  CachetCryptoLoaded *loaded = NULL;

  if (registry != NULL)
    loaded = cachet_crypto_registry_find (registry, protocol->protocol, capabilities);
  if (loaded == NULL)
    {
      if (registry != NULL && cachet_crypto_registry_find (registry, protocol->protocol, 0) != NULL)
        g_set_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                     /* Translators: %s is "OpenPGP" or "S/MIME" */
                     _("The %s plugin cannot do this."), protocol->display_name);
      else
        g_set_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                     /* Translators: %s is "OpenPGP" or "S/MIME" */
                     _("No plugin for %s is installed."), protocol->display_name);
    }
  return loaded;
}

GBytes *
_cachet_crypto_mime_run (CachetCryptoLoaded   *loaded,
                         CachetCryptoRequest  *request,
                         GBytes               *input,
                         GBytes               *signature,
                         gboolean              want_output,
                         CachetCryptoOutcome **outcome,
                         GError              **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GInputStream) sig = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(CachetCryptoOutcome) result = NULL;

  if (input != NULL)
    in = g_memory_input_stream_new_from_bytes (input);
  if (signature != NULL)
    sig = g_memory_input_stream_new_from_bytes (signature);
  if (want_output)
    out = g_memory_output_stream_new_resizable ();
  request->input = in;
  request->signature = sig;
  request->output = out;

  result = cachet_crypto_run (loaded, request, error);
  request->input = NULL;
  request->signature = NULL;
  request->output = NULL;
  if (result == NULL)
    return NULL;
  if (outcome != NULL)
    *outcome = g_steal_pointer (&result);
  if (out == NULL)
    return g_bytes_new (NULL, 0);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

char *
_cachet_crypto_mime_bare_address (const char *text)
{
  const char *open, *close;

  if (text == NULL)
    return NULL;
  open = strrchr (text, '<');
  close = open != NULL ? strchr (open, '>') : NULL;
  if (open != NULL && close != NULL)
    return g_strstrip (g_strndup (open + 1, close - open - 1));
  return g_strstrip (g_strdup (text));
}

/* The table's row for NAME, else the generic form when a plugin speaks
 * NAME with CAPABILITIES; NULL with a NO_PLUGIN error otherwise. */
static const CachetCryptoMimeProtocol *
resolve_protocol (CachetCryptoRegistry     *registry,
                  const char               *name,
                  guint32                   capabilities,
                  CachetCryptoMimeGeneric  *generic,
                  GError                  **error)
{
  const CachetCryptoMimeProtocol *proto = _cachet_crypto_mime_protocol_by_name (name);
  CachetCryptoLoaded *loaded;

  if (proto != NULL)
    return proto;
  loaded = registry != NULL ? cachet_crypto_registry_find (registry, name, capabilities) : NULL;
  if (loaded == NULL)
    {
      g_set_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                   _("No plugin for %s is installed."), name);
      return NULL;
    }
  _cachet_crypto_mime_generic_init (generic, loaded, name);
  return &generic->proto;
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */

static gboolean
key_is_usable (const CachetCryptoKeyResult *key)
{
  const guint32 unusable = CACHET_CRYPTO_KEY_EXPIRED | CACHET_CRYPTO_KEY_REVOKED
                           | CACHET_CRYPTO_KEY_DISABLED | CACHET_CRYPTO_KEY_INVALID;

  return (key->flags & CACHET_CRYPTO_KEY_CAN_ENCRYPT) != 0
         && (key->flags & unusable) == 0
         && (key->validity == CACHET_CRYPTO_VALIDITY_FULL
             || key->validity == CACHET_CRYPTO_VALIDITY_ULTIMATE);
}

static gboolean
key_matches (const CachetCryptoKeyResult *key,
             const char                  *address)
{
  g_autofree char *from_uid = NULL;

  if (key->address != NULL && g_ascii_strcasecmp (key->address, address) == 0)
    return TRUE;
  from_uid = _cachet_crypto_mime_bare_address (key->user_id);
  return from_uid != NULL && g_ascii_strcasecmp (from_uid, address) == 0;
}

char **
cachet_crypto_missing_keys (CachetCryptoRegistry *registry,
                            const char           *protocol,
                            const char *const    *recipients,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_auto(CachetCryptoMimeGeneric) generic = { 0 };
  const CachetCryptoMimeProtocol *proto;
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GBytes) nothing = NULL;
  g_autoptr(GError) local_error = NULL;
  CachetCryptoRequest request = { 0 };
  CachetCryptoLoaded *loaded;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  proto = resolve_protocol (registry, protocol, CACHET_CRYPTO_CAP_KEY_LOOKUP, &generic, error);
  if (proto == NULL)
    return NULL;
  loaded = _cachet_crypto_mime_find_plugin (registry, proto, CACHET_CRYPTO_CAP_KEY_LOOKUP, error);
  if (loaded == NULL)
    return NULL;

  for (gsize i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      char *bare = _cachet_crypto_mime_bare_address (recipients[i]);

      if (bare[0] == '\0')
        g_free (bare);
      else
        g_ptr_array_add (addresses, bare);
    }
  if (addresses->len == 0)
    return g_strv_builder_end (missing);
  g_ptr_array_add (addresses, NULL);

  request.op = CACHET_CRYPTO_OP_KEY_LOOKUP;
  request.protocol = proto->protocol;
  request.recipients = (const char *const *) addresses->pdata;
  request.cancellable = cancellable;
  nothing = _cachet_crypto_mime_run (loaded, &request, NULL, NULL, FALSE, &outcome, &local_error);
  if (nothing == NULL)
    {
      /* "No key" for a lookup is an answer: none of them has one. */
      if (!g_error_matches (local_error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_NO_KEY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  for (guint i = 0; i + 1 < addresses->len; i++)
    {
      const char *address = g_ptr_array_index (addresses, i);
      gboolean found = FALSE;

      for (guint k = 0; outcome != NULL && k < outcome->keys->len && !found; k++)
        {
          CachetCryptoKeyResult *key = g_ptr_array_index (outcome->keys, k);

          found = key_matches (key, address) && key_is_usable (key);
        }
      if (!found)
        g_strv_builder_add (missing, address);
    }
  return g_strv_builder_end (missing);
}

GPtrArray *
cachet_crypto_import_keys (CachetCryptoRegistry *registry,
                           const char           *protocol,
                           GBytes               *keydata,
                           GCancellable         *cancellable,
                           GError              **error)
{
  g_auto(CachetCryptoMimeGeneric) generic = { 0 };
  const CachetCryptoMimeProtocol *proto;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GBytes) nothing = NULL;
  CachetCryptoRequest request = { 0 };
  CachetCryptoLoaded *loaded;

  g_return_val_if_fail (keydata != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  proto = resolve_protocol (registry, protocol, CACHET_CRYPTO_CAP_KEY_IMPORT, &generic, error);
  if (proto == NULL)
    return NULL;
  loaded = _cachet_crypto_mime_find_plugin (registry, proto, CACHET_CRYPTO_CAP_KEY_IMPORT, error);
  if (loaded == NULL)
    return NULL;

  request.op = CACHET_CRYPTO_OP_KEY_IMPORT;
  request.protocol = proto->protocol;
  request.cancellable = cancellable;
  nothing = _cachet_crypto_mime_run (loaded, &request, keydata, NULL, FALSE, &outcome, error);
  if (nothing == NULL)
    return NULL;
  return g_ptr_array_ref (outcome->keys);
}

/* ------------------------------------------------------------------------ */
/* Building the sealed structure                                            */

/* The plugin's micalg, checked: a lower-case token, "pgp-..." for OpenPGP. */
static char *
checked_micalg (const CachetCryptoMimeProtocol *proto,
                CachetCryptoOutcome            *outcome)
{
  const char *value = g_hash_table_lookup (outcome->values, "micalg");
  g_autofree char *micalg = NULL;

  if (value == NULL)
    return NULL;
  micalg = g_ascii_strdown (value, -1);
  g_strstrip (micalg);
  if (micalg[0] == '\0' || strlen (micalg) > 64)
    return NULL;
  for (const char *p = micalg; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return NULL;
  if (proto->micalg_prefix != NULL
      && (!g_str_has_prefix (micalg, proto->micalg_prefix)
          || strlen (micalg) == strlen (proto->micalg_prefix)))
    return NULL;
  return g_steal_pointer (&micalg);
}

/* The plugin's output as CRLF text (armour), or base64 when the protocol
 * is binary or the output is not seven-bit text (*BASE64 says which). */
static GByteArray *
transport_form (const CachetCryptoMimeProtocol *proto,
                GBytes                         *data,
                gboolean                       *base64)
{
  gsize n;
  const char *raw = g_bytes_get_data (data, &n);
  const char *end = raw + n;
  GByteArray *out;

  *base64 = proto->binary;
  /* A line at a time: longer than 76 bytes (a CR before the LF counted), a
   * byte over 127, a NUL or a CR not before an LF mean base64. */
  for (const char *pos = raw; n > 0 && pos < end && !*base64;)
    {
      const char *nl = memchr (pos, '\n', end - pos);
      const char *stop = nl != NULL ? nl : end;

      if (stop - pos > 76)
        *base64 = TRUE;
      for (const char *p = pos; p < stop && !*base64; p++)
        {
          guchar c = (guchar) *p;

          if (c >= 0x80 || c == 0 || (c == '\r' && p + 1 != nl))
            *base64 = TRUE;
        }
      if (nl == NULL)
        break;
      pos = nl + 1;
    }
  if (*base64)
    {
      char *b64 = _cachet_crypto_mime_base64_encode ((const guint8 *) raw, n);

      return g_byte_array_new_take ((guint8 *) b64, strlen (b64));
    }
  out = _cachet_crypto_mime_to_crlf (raw != NULL ? raw : "", n);
  if (out->len < 2 || out->data[out->len - 1] != '\n')
    _cachet_crypto_mime_append (out, "\r\n");
  return out;
}

/* A generic protocol's label for its output: the plugin's "protocol" or
 * "content-type" result, checked. */
static char *
result_type (CachetCryptoOutcome *outcome,
             const char          *first,
             const char          *second)
{
  const char *value = g_hash_table_lookup (outcome->values, first);

  if (value == NULL)
    value = g_hash_table_lookup (outcome->values, second);
  if (!_cachet_crypto_mime_is_type_token (value))
    return NULL;
  return g_ascii_strdown (value, -1);
}

static GByteArray *
build_signed (const CachetCryptoMimeProtocol *proto,
              GByteArray                     *entity,
              GBytes                         *signature,
              const char                     *micalg)
{
  gboolean base64;
  g_autoptr(GByteArray) sig = transport_form (proto, signature, &base64);
  g_autoptr(GByteArray) both = g_byte_array_new ();
  g_autofree char *boundary = NULL;
  g_autofree char *head = NULL;
  GByteArray *out = g_byte_array_sized_new (entity->len + sig->len + 1024);

  g_byte_array_append (both, entity->data, entity->len);
  g_byte_array_append (both, sig->data, sig->len);
  boundary = _cachet_crypto_mime_boundary ((const char *) both->data, both->len);

  head = g_strdup_printf ("Content-Type: multipart/signed; micalg=\"%s\";\r\n"
                          " protocol=\"%s\";\r\n"
                          " boundary=\"%s\"\r\n"
                          "\r\n"
                          "%s\r\n"
                          "--%s\r\n",
                          micalg, proto->signature_type, boundary,
                          proto->generic ? "This is a signed message in MIME format (RFC 1847)."
                          : proto->micalg_prefix != NULL
                          ? "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)"
                          : "This is a cryptographically signed message in MIME format.",
                          boundary);
  _cachet_crypto_mime_append (out, head);
  /* The signed part, exactly the bytes that were signed; the CRLF before
   * the next delimiter belongs to the delimiter. */
  g_byte_array_append (out, entity->data, entity->len);
  g_clear_pointer (&head, g_free);
  head = g_strdup_printf ("\r\n--%s\r\n"
                          "Content-Type: %s; name=\"%s\"\r\n"
                          "Content-Description: %s\r\n"
                          "Content-Disposition: attachment; filename=\"%s\"\r\n"
                          "%s"
                          "\r\n",
                          boundary, proto->signature_type, proto->signature_filename,
                          proto->signature_description, proto->signature_filename,
                          base64 ? "Content-Transfer-Encoding: base64\r\n" : "");
  _cachet_crypto_mime_append (out, head);
  g_byte_array_append (out, sig->data, sig->len);
  g_clear_pointer (&head, g_free);
  head = g_strdup_printf ("\r\n--%s--\r\n", boundary);
  _cachet_crypto_mime_append (out, head);
  return out;
}

static GByteArray *
build_encrypted (const CachetCryptoMimeProtocol *proto,
                 GBytes                         *ciphertext)
{
  gboolean base64;
  g_autoptr(GByteArray) data = transport_form (proto, ciphertext, &base64);
  GByteArray *out = g_byte_array_sized_new (data->len + 1024);
  g_autofree char *head = NULL;

  if (proto->encrypted_protocol == NULL)
    {
      /* RFC 8551 3.3: one application/pkcs7-mime entity. */
      head = g_strdup_printf ("Content-Type: %s;%s%s name=\"%s\"\r\n"
                              "Content-Transfer-Encoding: base64\r\n"
                              "Content-Disposition: %s; filename=\"%s\"\r\n"
                              "Content-Description: %s\r\n"
                              "\r\n",
                              proto->encrypted_type,
                              proto->encrypted_params != NULL ? " " : "",
                              proto->encrypted_params != NULL ? proto->encrypted_params : "",
                              proto->encrypted_filename,
                              proto->encrypted_disposition, proto->encrypted_filename,
                              proto->encrypted_description);
      _cachet_crypto_mime_append (out, head);
      if (!base64)
        {
          char *b64 = _cachet_crypto_mime_base64_encode (data->data, data->len);

          _cachet_crypto_mime_append (out, b64);
          g_free (b64);
        }
      else
        g_byte_array_append (out, data->data, data->len);
      return out;
    }

  {
    /* RFC 3156 4: a version part and the data. */
    g_autofree char *boundary = _cachet_crypto_mime_boundary ((const char *) data->data, data->len);

    head = g_strdup_printf ("Content-Type: multipart/encrypted;\r\n"
                            " protocol=\"%s\";\r\n"
                            " boundary=\"%s\"\r\n"
                            "\r\n"
                            "%s\r\n"
                            "--%s\r\n"
                            "Content-Type: %s\r\n"
                            "Content-Description: PGP/MIME version identification\r\n"
                            "\r\n"
                            "Version: 1\r\n"
                            "\r\n"
                            "--%s\r\n"
                            "Content-Type: %s; name=\"%s\"\r\n"
                            "Content-Description: %s\r\n"
                            "Content-Disposition: %s; filename=\"%s\"\r\n"
                            "%s"
                            "\r\n",
                            proto->encrypted_protocol, boundary,
                            proto->generic ? "This is an encrypted message in MIME format (RFC 1847)."
                                           : "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)",
                            boundary, proto->encrypted_protocol, boundary,
                            proto->encrypted_type, proto->encrypted_filename,
                            proto->encrypted_description,
                            proto->encrypted_disposition, proto->encrypted_filename,
                            base64 ? "Content-Transfer-Encoding: base64\r\n" : "");
    _cachet_crypto_mime_append (out, head);
    g_byte_array_append (out, data->data, data->len);
    g_clear_pointer (&head, g_free);
    head = g_strdup_printf ("\r\n--%s--\r\n", boundary);
    _cachet_crypto_mime_append (out, head);
  }
  return out;
}

/* ------------------------------------------------------------------------ */
/* Sealing                                                                  */

static gboolean
check_keys (CachetCryptoRegistry           *registry,
            const CachetCryptoMimeProtocol *proto,
            const CachetCryptoSealOptions  *options,
            GError                        **error)
{
  g_auto(GStrv) missing = NULL;
  g_autofree char *list = NULL;

  if (options->recipients == NULL || options->recipients[0] == NULL)
    {
      g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED,
                           _("An encrypted message needs at least one recipient."));
      return FALSE;
    }
  missing = cachet_crypto_missing_keys (registry, proto->protocol, options->recipients,
                                        options->cancellable, error);
  if (missing == NULL)
    return FALSE;
  if (missing[0] == NULL)
    return TRUE;
  list = g_strjoinv (", ", missing);
  g_set_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_KEY,
               g_dngettext (GETTEXT_PACKAGE,
                            "There is no valid key to encrypt to %s.",
                            "There are no valid keys to encrypt to %s.",
                            g_strv_length (missing)),
               list);
  return FALSE;
}

GBytes *
cachet_crypto_seal (CachetCryptoRegistry          *registry,
                    GBytes                        *message,
                    const CachetCryptoSealOptions *options,
                    GError                       **error)
{
  const CachetCryptoMimeProtocol *proto;
  g_auto(CachetCryptoMimeGeneric) generic = { 0 };
  guint32 caps = 0;
  gsize length;
  const char *data;
  gboolean lf;
  g_autoptr(GByteArray) canon = NULL;
  g_autoptr(CachetMimeEntity) top = NULL;
  g_autoptr(GByteArray) inner = NULL;
  g_autoptr(GByteArray) content = NULL;
  g_autoptr(GByteArray) result = NULL;
  g_autofree char *sender = NULL;
  gboolean has_mime_version = FALSE;
  gsize body_length;
  const char *body;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!options->encrypt && !options->sign)
    return g_bytes_ref (message);
  if (g_cancellable_set_error_if_cancelled (options->cancellable, error))
    return NULL;

  if (options->sign)
    caps |= CACHET_CRYPTO_CAP_SIGN;
  if (options->encrypt)
    caps |= CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_KEY_LOOKUP;
  proto = resolve_protocol (registry, options->protocol, caps, &generic, error);
  if (proto == NULL)
    return NULL;
  if (_cachet_crypto_mime_find_plugin (registry, proto, caps, error) == NULL)
    return NULL;

  sender = _cachet_crypto_mime_bare_address (options->sender);
  if (sender == NULL || sender[0] == '\0')
    {
      g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED,
                           _("The message has no sender to sign or encrypt for."));
      return NULL;
    }

  data = g_bytes_get_data (message, &length);
  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED,
                           _("The message is empty."));
      return NULL;
    }
  lf = _cachet_crypto_mime_uses_lf (data, length);
  canon = _cachet_crypto_mime_to_crlf (data, length);
  top = _cachet_mime_entity_parse ((const char *) canon->data, canon->len);
  if (!top->has_headers)
    {
      g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED,
                           _("The message has no headers."));
      return NULL;
    }

  /* Every recipient's key before anything is encrypted. */
  if (options->encrypt && !check_keys (registry, proto, options, error))
    return NULL;

  /* The inner entity: the content headers and the body, made seven bit
   * and canonical (RFC 3156 3, 5). */
  {
    g_autoptr(GByteArray) raw = g_byte_array_new ();
    gboolean has_type = FALSE;

    for (guint i = 0; i < top->fields->len; i++)
      {
        CachetMimeField *field = g_ptr_array_index (top->fields, i);

        if (!_cachet_mime_field_is_content (field))
          continue;
        has_type |= g_ascii_strcasecmp (field->name, "Content-Type") == 0;
        _cachet_mime_append_field (raw, top, field);
      }
    if (!has_type)
      _cachet_crypto_mime_append (raw, "Content-Type: text/plain; charset=us-ascii\r\n");
    _cachet_crypto_mime_append (raw, "\r\n");
    body = _cachet_mime_entity_body (top, &body_length);
    g_byte_array_append (raw, (const guint8 *) body, body_length);
    inner = _cachet_crypto_mime_make_7bit ((const char *) raw->data, raw->len, 0);
  }

  content = g_steal_pointer (&inner);
  if (options->sign && (!options->encrypt || !proto->combined_sign_encrypt))
    {
      CachetCryptoRequest request = { 0 };
      g_autoptr(CachetCryptoOutcome) outcome = NULL;
      g_autoptr(GBytes) input = g_bytes_new (content->data, content->len);
      g_autoptr(GBytes) signature = NULL;
      g_autofree char *micalg = NULL;
      CachetCryptoLoaded *loaded = _cachet_crypto_mime_find_plugin (registry, proto,
                                                                    CACHET_CRYPTO_CAP_SIGN, error);

      if (loaded == NULL)
        return NULL;
      request.op = CACHET_CRYPTO_OP_SIGN;
      request.flags = CACHET_CRYPTO_FLAG_DETACHED | (proto->binary ? 0 : CACHET_CRYPTO_FLAG_ARMOR);
      request.protocol = proto->protocol;
      request.signer = sender;
      request.sender = sender;
      request.cancellable = options->cancellable;
      request.ask_passphrase = options->ask_passphrase;
      request.ask_passphrase_data = options->ask_passphrase_data;
      signature = _cachet_crypto_mime_run (loaded, &request, input, NULL, TRUE, &outcome, error);
      if (signature == NULL)
        return NULL;
      if (g_bytes_get_size (signature) == 0)
        {
          g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                               _("The plugin made an empty signature."));
          return NULL;
        }
      micalg = checked_micalg (proto, outcome);
      if (micalg == NULL)
        {
          /* multipart/signed cannot be built honestly without it (RFC 3156 5). */
          g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                               _("The plugin did not say which hash algorithm it signed with."));
          return NULL;
        }
      if (proto->generic)
        {
          generic.signature_type = result_type (outcome, "content-type", "protocol");
          generic.proto.signature_type = generic.signature_type;
          if (generic.signature_type == NULL)
            {
              g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                                   _("The plugin did not say what its signatures are called."));
              return NULL;
            }
        }
      {
        GByteArray *signed_entity = build_signed (proto, content, signature, micalg);

        g_byte_array_unref (content);
        content = signed_entity;
      }
    }

  if (options->encrypt)
    {
      CachetCryptoRequest request = { 0 };
      g_autoptr(CachetCryptoOutcome) outcome = NULL;
      g_autoptr(GBytes) input = g_bytes_new (content->data, content->len);
      g_autoptr(GBytes) ciphertext = NULL;
      g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
      CachetCryptoLoaded *loaded = _cachet_crypto_mime_find_plugin (registry, proto,
                                                                    CACHET_CRYPTO_CAP_ENCRYPT, error);

      if (loaded == NULL)
        return NULL;
      for (gsize i = 0; options->recipients[i] != NULL; i++)
        g_ptr_array_add (recipients, _cachet_crypto_mime_bare_address (options->recipients[i]));
      g_ptr_array_add (recipients, NULL);

      request.op = CACHET_CRYPTO_OP_ENCRYPT;
      request.flags = CACHET_CRYPTO_FLAG_TO_SELF
                      | (proto->binary ? 0 : CACHET_CRYPTO_FLAG_ARMOR)
                      | (options->sign && proto->combined_sign_encrypt
                         ? CACHET_CRYPTO_FLAG_ALSO_SIGN : 0);
      request.protocol = proto->protocol;
      request.recipients = (const char *const *) recipients->pdata;
      request.signer = options->sign ? sender : NULL;
      request.sender = sender;
      request.cancellable = options->cancellable;
      request.ask_passphrase = options->ask_passphrase;
      request.ask_passphrase_data = options->ask_passphrase_data;
      ciphertext = _cachet_crypto_mime_run (loaded, &request, input, NULL, TRUE, &outcome, error);
      if (ciphertext == NULL)
        return NULL;
      if (g_bytes_get_size (ciphertext) == 0)
        {
          g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                               _("The plugin made no encrypted data."));
          return NULL;
        }
      if (proto->generic)
        {
          generic.encrypted_protocol = result_type (outcome, "protocol", "content-type");
          generic.proto.encrypted_protocol = generic.encrypted_protocol;
          if (generic.encrypted_protocol == NULL)
            {
              g_set_error_literal (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN,
                                   _("The plugin did not say what its encrypted data is called."));
              return NULL;
            }
        }
      g_byte_array_unref (content);
      content = build_encrypted (proto, ciphertext);
    }

  /* The outer headers as they were, then the new content. */
  result = g_byte_array_sized_new (canon->len + content->len);
  for (guint i = 0; i < top->fields->len; i++)
    {
      CachetMimeField *field = g_ptr_array_index (top->fields, i);

      if (_cachet_mime_field_is_content (field))
        continue;
      has_mime_version |= g_ascii_strcasecmp (field->name, "MIME-Version") == 0;
      _cachet_mime_append_field (result, top, field);
    }
  if (!has_mime_version)
    _cachet_crypto_mime_append (result, "MIME-Version: 1.0\r\n");
  g_byte_array_append (result, content->data, content->len);
  return _cachet_crypto_mime_finish (g_steal_pointer (&result), lf);
}
