/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A toy crypto plugin for the crypto suite: "encryption" is XOR and hex
 * between BEGIN/END lines, a "signature" is an HMAC keyed by the signer's
 * address, so tampering shows.  A fixed keyring of example.org addresses
 * gives every key state the host must handle.  Built for "openpgp", for
 * "smime" (TOY_SMIME) and for "x-toy" (TOY_GENERIC), a protocol the host
 * knows only through classify and results.  Not secure; never installed. */
#include <glib.h>
#include <string.h>

#include "cachet-crypto-plugin.h"

#if defined(TOY_GENERIC)
/* A protocol the host has no row for: labelled by classify and results. */
# define TOY_ID "org.cachet.test.ToyGeneric"
# define TOY_PROTOCOL "x-toy"
# define TOY_MICALG "toy-sha256"
# define TOY_BEGIN_MESSAGE "-----BEGIN TOY GENERIC-----"
# define TOY_END_MESSAGE "-----END TOY GENERIC-----"
# define TOY_SIGNATURE_TYPE "application/x-toy-signature"
# define TOY_ENCRYPTED_TYPE "application/x-toy-encrypted"
#elif defined(TOY_SMIME)
# define TOY_ID "org.cachet.test.ToySmime"
# define TOY_PROTOCOL "smime"
# define TOY_MICALG "sha-256"
# define TOY_BEGIN_MESSAGE "-----BEGIN TOY PKCS7-----"
# define TOY_END_MESSAGE "-----END TOY PKCS7-----"
#else
# define TOY_ID "org.cachet.test.ToyPgp"
# define TOY_PROTOCOL "openpgp"
# define TOY_MICALG "pgp-sha256"
# define TOY_BEGIN_MESSAGE "-----BEGIN PGP MESSAGE-----"
# define TOY_END_MESSAGE "-----END PGP MESSAGE-----"
#endif
#define TOY_BEGIN_SIGNED "-----BEGIN PGP SIGNED MESSAGE-----"
#define TOY_BEGIN_SIGNATURE "-----BEGIN PGP SIGNATURE-----"
#define TOY_END_SIGNATURE "-----END PGP SIGNATURE-----"
#define TOY_PASSPHRASE "open sesame"

struct CachetCryptoPlugin
{
  const CachetCryptoHostApi *api;
  CachetCryptoHost          *host;
};

static struct CachetCryptoPlugin the_plugin;

typedef struct
{
  const char *address;
  int32_t     validity;
  uint32_t    flags;
  uint32_t    summary;     /* what verifying its signatures adds */
  gboolean    public_key;  /* others have it: FALSE makes its signatures "no key" */
} ToyKey;

#define ALL (CACHET_CRYPTO_KEY_CAN_ENCRYPT | CACHET_CRYPTO_KEY_CAN_SIGN | CACHET_CRYPTO_KEY_SECRET)

static const ToyKey keyring[] = {
  { "alice@example.org", CACHET_CRYPTO_VALIDITY_ULTIMATE, ALL, 0, TRUE },
  { "bob@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL, 0, TRUE },
  { "carol@example.org", CACHET_CRYPTO_VALIDITY_MARGINAL, ALL, 0, TRUE },
  { "dave@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL | CACHET_CRYPTO_KEY_EXPIRED,
    CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED, TRUE },
  { "erin@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL | CACHET_CRYPTO_KEY_REVOKED,
    CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED, TRUE },
  { "frank@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL, CACHET_CRYPTO_SIG_SUMMARY_SIG_EXPIRED, TRUE },
  { "mallory@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL, 0, TRUE },
  { "ghost@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL, 0, FALSE },
  { "nosecret@example.org", CACHET_CRYPTO_VALIDITY_FULL,
    CACHET_CRYPTO_KEY_CAN_ENCRYPT | CACHET_CRYPTO_KEY_CAN_SIGN, 0, TRUE },
  { "signonly@example.org", CACHET_CRYPTO_VALIDITY_FULL,
    CACHET_CRYPTO_KEY_CAN_SIGN | CACHET_CRYPTO_KEY_SECRET, 0, TRUE },
  { "locked@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL, 0, TRUE },
  { "disabled@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL | CACHET_CRYPTO_KEY_DISABLED, 0, TRUE },
  { "invalid@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL | CACHET_CRYPTO_KEY_INVALID, 0, TRUE },
  { "ultimate@example.org", CACHET_CRYPTO_VALIDITY_ULTIMATE, ALL, 0, TRUE },
  { "nomicalg@example.org", CACHET_CRYPTO_VALIDITY_FULL, ALL, 0, TRUE },
};

/* Keys imported at run time (addresses), FULL and able to encrypt. */
static GMutex imported_lock;
static GPtrArray *imported;

static const ToyKey *
find_key (const char *address)
{
  static ToyKey found;

  if (address == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (keyring); i++)
    if (g_ascii_strcasecmp (keyring[i].address, address) == 0)
      return &keyring[i];
  g_mutex_lock (&imported_lock);
  for (guint i = 0; imported != NULL && i < imported->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (imported, i), address) == 0)
      {
        found = (ToyKey) { g_ptr_array_index (imported, i), CACHET_CRYPTO_VALIDITY_FULL,
                           CACHET_CRYPTO_KEY_CAN_ENCRYPT, 0, TRUE };
        g_mutex_unlock (&imported_lock);
        return &found;
      }
  g_mutex_unlock (&imported_lock);
  return NULL;
}

static char *
fingerprint (const char *address)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, address, -1);

  return g_ascii_strup (sum, -1);
}

static char *
toy_sum (const char   *signer,
         const guint8 *data,
         gsize         length)
{
  g_autofree char *key = g_strconcat ("toy:", signer, NULL);

  return g_compute_hmac_for_data (G_CHECKSUM_SHA256, (const guchar *) key, strlen (key),
                                  data, length);
}

/* ------------------------------------------------------------------------ */
/* Streams                                                                  */

static GByteArray *
read_all (const CachetCryptoInStream *in)
{
  GByteArray *all = g_byte_array_new ();
  guint8 buffer[4096];
  int64_t n;

  while (in != NULL && (n = in->read (in->user_data, buffer, sizeof buffer)) > 0)
    g_byte_array_append (all, buffer, (guint) n);
  return all;
}

static int32_t
write_all (const CachetCryptoOutStream *out,
           const void                  *data,
           gsize                        length)
{
  const char *p = data;

  while (length > 0)
    {
      int64_t n = out->write (out->user_data, p, length);

      if (n <= 0)
        return CACHET_CRYPTO_STATUS_FAILED;
      p += n;
      length -= (gsize) n;
    }
  return CACHET_CRYPTO_STATUS_OK;
}

static int32_t
fail (CachetCryptoCall *call,
      int32_t           status,
      const char       *message)
{
  the_plugin.api->set_error (call, status, message, message);
  return status;
}

static void
report_signature (CachetCryptoResultSink *sink,
                  const char             *signer,
                  gboolean                good)
{
  const ToyKey *key = find_key (signer);
  g_autofree char *fpr = fingerprint (signer);
  g_autofree char *uid = g_strdup_printf ("Toy User <%s>", signer);
  CachetCryptoSignature sig = { 0 };

  sig.struct_size = sizeof sig;
  sig.fingerprint = fpr;
  sig.hash_algorithm = "SHA256";
  sig.pubkey_algorithm = "TOY";
  sig.created = 1700000000;
  if (key == NULL || !key->public_key)
    {
      sig.status = CACHET_CRYPTO_SIG_NO_KEY;
      sig.summary = CACHET_CRYPTO_SIG_SUMMARY_KEY_MISSING;
      sig.validity = CACHET_CRYPTO_VALIDITY_UNKNOWN;
    }
  else
    {
      sig.status = good ? CACHET_CRYPTO_SIG_GOOD : CACHET_CRYPTO_SIG_BAD;
      sig.summary = key->summary | (good && key->summary == 0 ? CACHET_CRYPTO_SIG_SUMMARY_VALID : 0);
      sig.validity = key->validity;
      sig.signer_uid = uid;
    }
  the_plugin.api->add_signature (sink, &sig);
}

/* ------------------------------------------------------------------------ */
/* Armour                                                                   */

typedef struct
{
  char       *to;
  char       *signer;
  char       *sum;
  GByteArray *payload;   /* hex decoded */
} Armour;

static void
armour_clear (Armour *a)
{
  g_free (a->to);
  g_free (a->signer);
  g_free (a->sum);
  if (a->payload != NULL)
    g_byte_array_unref (a->payload);
}

/* Parses BEGIN, "Name: value" lines, a blank line, hex lines, END. */
static gboolean
armour_parse (const GByteArray *input,
              const char       *begin,
              const char       *end,
              Armour           *a)
{
  g_autofree char *text = g_strndup ((const char *) input->data, input->len);
  g_auto(GStrv) lines = NULL;
  const char *start = strstr (text, begin);
  gsize i = 1;
  gboolean ended = FALSE;

  memset (a, 0, sizeof *a);
  if (start == NULL)
    return FALSE;
  lines = g_strsplit (start, "\n", -1);
  for (; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (line[0] == '\0')
        break;
      if (g_str_has_prefix (line, "To:"))
        a->to = g_strdup (g_strstrip (line + 3));
      else if (g_str_has_prefix (line, "Signer:"))
        a->signer = g_strdup (g_strstrip (line + 7));
      else if (g_str_has_prefix (line, "Sum:"))
        a->sum = g_strdup (g_strstrip (line + 4));
      else if (end != NULL && strcmp (line, end) == 0)
        {
          ended = TRUE;
          break;
        }
    }
  if (end == NULL)
    return TRUE;
  a->payload = g_byte_array_new ();
  for (; !ended && lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (strcmp (line, end) == 0)
        {
          ended = TRUE;
          break;
        }
      for (gsize k = 0; line[k] != '\0'; k += 2)
        {
          guint8 byte;

          if (!g_ascii_isxdigit (line[k]) || !g_ascii_isxdigit (line[k + 1]))
            return FALSE;
          byte = (guint8) (g_ascii_xdigit_value (line[k]) * 16 + g_ascii_xdigit_value (line[k + 1]));
          byte ^= 0x5a;
          g_byte_array_append (a->payload, &byte, 1);
        }
    }
  return ended;
}

/* ------------------------------------------------------------------------ */
/* Ops                                                                      */

static int32_t
toy_encrypt (CachetCryptoPlugin          *plugin,
             CachetCryptoCall            *call,
             const CachetCryptoParams    *params,
             const CachetCryptoInStream  *input,
             const CachetCryptoOutStream *output,
             CachetCryptoResultSink      *sink)
{
  g_autoptr(GByteArray) data = read_all (input);
  g_autoptr(GPtrArray) to = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (TOY_BEGIN_MESSAGE "\n");
  g_autofree char *list = NULL;

  /* Tests count these to prove nothing was encrypted. */
  the_plugin.api->log (the_plugin.host, CACHET_CRYPTO_LOG_DEBUG, "toy encrypt called");
  for (gsize i = 0; i < params->n_recipients; i++)
    {
      const ToyKey *key = find_key (params->recipients[i]);

      if (key == NULL || (key->flags & CACHET_CRYPTO_KEY_CAN_ENCRYPT) == 0)
        return fail (call, CACHET_CRYPTO_STATUS_NO_KEY, "A recipient has no toy key.");
      g_ptr_array_add (to, (gpointer) params->recipients[i]);
    }
  if ((params->flags & CACHET_CRYPTO_FLAG_TO_SELF) && params->sender != NULL)
    g_ptr_array_add (to, (gpointer) params->sender);
  g_ptr_array_add (to, NULL);
  list = g_strjoinv (",", (char **) to->pdata);
  g_string_append_printf (out, "To: %s\n", list);
  if (params->flags & CACHET_CRYPTO_FLAG_ALSO_SIGN)
    {
      g_autofree char *sum = NULL;

      if (params->signer == NULL || find_key (params->signer) == NULL)
        return fail (call, CACHET_CRYPTO_STATUS_NO_KEY, "No toy key to sign with.");
      sum = toy_sum (params->signer, data->data, data->len);
      g_string_append_printf (out, "Signer: %s\nSum: %s\n", params->signer, sum);
    }
  g_string_append_c (out, '\n');
  for (guint i = 0; i < data->len; i++)
    {
      g_string_append_printf (out, "%02x", data->data[i] ^ 0x5a);
      if (i % 32 == 31 || i + 1 == data->len)
        g_string_append_c (out, '\n');
    }
  g_string_append (out, TOY_END_MESSAGE "\n");
  (void) plugin;
#ifdef TOY_ENCRYPTED_TYPE
  the_plugin.api->set_result (sink, "content-type", TOY_ENCRYPTED_TYPE);
#endif
  return write_all (output, out->str, out->len);
}

static int32_t
toy_decrypt (CachetCryptoPlugin          *plugin,
             CachetCryptoCall            *call,
             const CachetCryptoParams    *params,
             const CachetCryptoInStream  *input,
             const CachetCryptoOutStream *output,
             CachetCryptoResultSink      *sink)
{
  g_autoptr(GByteArray) data = read_all (input);
  g_auto(GStrv) to = NULL;
  gboolean can = FALSE, locked = FALSE;
  Armour a;
  int32_t status;

  (void) plugin;
  if (!armour_parse (data, TOY_BEGIN_MESSAGE, TOY_END_MESSAGE, &a) || a.to == NULL)
    {
      armour_clear (&a);
      return fail (call, CACHET_CRYPTO_STATUS_BAD_DATA, "This is no toy message.");
    }
  to = g_strsplit (a.to, ",", -1);
  for (gsize i = 0; to[i] != NULL; i++)
    {
      const ToyKey *key = find_key (to[i]);

      if (key == NULL || (key->flags & CACHET_CRYPTO_KEY_SECRET) == 0)
        continue;
      if (g_strcmp0 (key->address, "locked@example.org") == 0)
        locked = TRUE;
      else
        can = TRUE;
    }
  if (!can && locked)
    {
      for (int attempt = 0; attempt < 3 && !can; attempt++)
        {
          const char *pw = NULL;
          size_t len = 0;
          int32_t asked = the_plugin.api->ask_passphrase (call, "locked@example.org",
                                                          "Toy key of locked@example.org",
                                                          attempt > 0, &pw, &len);

          if (asked != CACHET_CRYPTO_STATUS_OK)
            {
              armour_clear (&a);
              return CACHET_CRYPTO_STATUS_CANCELLED;
            }
          can = len == strlen (TOY_PASSPHRASE) && memcmp (pw, TOY_PASSPHRASE, len) == 0;
        }
      if (!can)
        {
          armour_clear (&a);
          return fail (call, CACHET_CRYPTO_STATUS_BAD_PASSPHRASE, "Wrong toy passphrase.");
        }
    }
  if (!can)
    {
      armour_clear (&a);
      return fail (call, CACHET_CRYPTO_STATUS_NO_KEY, "No secret toy key can decrypt this message.");
    }
  if ((params->flags & CACHET_CRYPTO_FLAG_ALSO_SIGN) && a.signer != NULL)
    {
      g_autofree char *sum = toy_sum (a.signer, a.payload->data, a.payload->len);

      report_signature (sink, a.signer, g_strcmp0 (sum, a.sum) == 0);
    }
  status = write_all (output, a.payload->data, a.payload->len);
  armour_clear (&a);
  return status;
}

/* Clear text for signing: CRLF line ends, no line end at the end. */
static GByteArray *
canonical_text (const guint8 *data,
                gsize         length)
{
  GByteArray *out = g_byte_array_new ();

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, data + i, 1);
    }
  if (out->len >= 2 && out->data[out->len - 1] == '\n')
    g_byte_array_set_size (out, out->len - 2);
  return out;
}

static int32_t
toy_sign (CachetCryptoPlugin          *plugin,
          CachetCryptoCall            *call,
          const CachetCryptoParams    *params,
          const CachetCryptoInStream  *input,
          const CachetCryptoOutStream *output,
          CachetCryptoResultSink      *sink)
{
  g_autoptr(GByteArray) data = read_all (input);
  const ToyKey *key = find_key (params->signer);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *sum = NULL;

  (void) plugin;
  if (key == NULL || (key->flags & CACHET_CRYPTO_KEY_SECRET) == 0)
    return fail (call, CACHET_CRYPTO_STATUS_NO_KEY, "No secret toy key to sign with.");
  if (params->flags & CACHET_CRYPTO_FLAG_OPAQUE)
    {
      g_autoptr(GByteArray) text = canonical_text (data->data, data->len);
      g_autofree char *plain = g_strndup ((const char *) data->data, data->len);
      g_auto(GStrv) lines = g_strsplit (plain, "\n", -1);

      sum = toy_sum (params->signer, text->data, text->len);
      g_string_append (out, TOY_BEGIN_SIGNED "\nHash: SHA256\n\n");
      for (gsize i = 0; lines[i] != NULL; i++)
        {
          if (lines[i + 1] == NULL && lines[i][0] == '\0')
            break;
          if (lines[i][0] == '-')
            g_string_append (out, "- ");
          g_string_append (out, lines[i]);
          g_string_append_c (out, '\n');
        }
    }
  else
    sum = toy_sum (params->signer, data->data, data->len);
  g_string_append_printf (out, TOY_BEGIN_SIGNATURE "\nSigner: %s\nSum: %s\n" TOY_END_SIGNATURE "\n",
                          params->signer, sum);
  if (g_strcmp0 (params->signer, "nomicalg@example.org") != 0)
    the_plugin.api->set_result (sink, "micalg", TOY_MICALG);
#ifdef TOY_SIGNATURE_TYPE
  the_plugin.api->set_result (sink, "content-type", TOY_SIGNATURE_TYPE);
#endif
  return write_all (output, out->str, out->len);
}

static int32_t
toy_verify (CachetCryptoPlugin          *plugin,
            CachetCryptoCall            *call,
            const CachetCryptoParams    *params,
            const CachetCryptoInStream  *input,
            const CachetCryptoInStream  *signature,
            const CachetCryptoOutStream *output,
            CachetCryptoResultSink      *sink)
{
  g_autoptr(GByteArray) data = read_all (input);
  Armour a;

  (void) plugin;
  (void) params;
  if (signature != NULL)
    {
      g_autoptr(GByteArray) sig = read_all (signature);
      g_autofree char *sum = NULL;

      if (!armour_parse (sig, TOY_BEGIN_SIGNATURE, NULL, &a) || a.signer == NULL || a.sum == NULL)
        {
          armour_clear (&a);
          return fail (call, CACHET_CRYPTO_STATUS_BAD_DATA, "This is no toy signature.");
        }
      sum = toy_sum (a.signer, data->data, data->len);
      report_signature (sink, a.signer, strcmp (sum, a.sum) == 0);
      armour_clear (&a);
      return CACHET_CRYPTO_STATUS_OK;
    }

  /* Opaque: a clear-signed text. */
  {
    g_autofree char *text = g_strndup ((const char *) data->data, data->len);
    char *body = strstr (text, "\n\n");
    char *crlf_body = strstr (text, "\r\n\r\n");
    char *sig_at;
    g_autoptr(GString) clear = g_string_new (NULL);
    g_autoptr(GByteArray) canon = NULL;
    g_autoptr(GByteArray) sig = NULL;
    g_autofree char *sum = NULL;
    g_auto(GStrv) lines = NULL;
    int32_t status;

    if (!g_str_has_prefix (text, TOY_BEGIN_SIGNED) || (body == NULL && crlf_body == NULL))
      return fail (call, CACHET_CRYPTO_STATUS_BAD_DATA, "This is no toy signed text.");
    body = crlf_body != NULL && (body == NULL || crlf_body < body) ? crlf_body + 4 : body + 2;
    sig_at = strstr (body, TOY_BEGIN_SIGNATURE);
    if (sig_at == NULL)
      return fail (call, CACHET_CRYPTO_STATUS_BAD_DATA, "This toy signed text has no signature.");
    *sig_at = '\0';
    lines = g_strsplit (body, "\n", -1);
    for (gsize i = 0; lines[i] != NULL; i++)
      {
        const char *line = lines[i];

        if (lines[i + 1] == NULL && line[0] == '\0')
          break;
        if (g_str_has_prefix (line, "- "))
          line += 2;
        g_string_append (clear, line);
        g_string_append_c (clear, '\n');
      }
    canon = canonical_text ((const guint8 *) clear->str, clear->len);
    sig = g_byte_array_new ();
    g_byte_array_append (sig, (const guint8 *) sig_at + 1, 0);
    {
      const char *rest = (const char *) data->data + (sig_at - text);

      g_byte_array_append (sig, (const guint8 *) rest, data->len - (rest - (const char *) data->data));
    }
    if (!armour_parse (sig, TOY_BEGIN_SIGNATURE, NULL, &a) || a.signer == NULL || a.sum == NULL)
      {
        armour_clear (&a);
        return fail (call, CACHET_CRYPTO_STATUS_BAD_DATA, "This toy signature is damaged.");
      }
    sum = toy_sum (a.signer, canon->data, canon->len);
    report_signature (sink, a.signer, strcmp (sum, a.sum) == 0);
    armour_clear (&a);
    status = CACHET_CRYPTO_STATUS_OK;
    if (output != NULL)
      status = write_all (output, clear->str, clear->len);
    return status;
  }
}

static int32_t
toy_key_lookup (CachetCryptoPlugin       *plugin,
                CachetCryptoCall         *call,
                const CachetCryptoParams *params,
                CachetCryptoResultSink   *sink)
{
  (void) plugin;
  (void) call;
  for (gsize i = 0; i < params->n_recipients; i++)
    {
      const ToyKey *key = find_key (params->recipients[i]);
      g_autofree char *fpr = NULL;
      g_autofree char *uid = NULL;
      CachetCryptoKey result = { 0 };

      if (key == NULL)
        continue;
      fpr = fingerprint (key->address);
      uid = g_strdup_printf ("Toy User <%s>", key->address);
      result.struct_size = sizeof result;
      result.validity = key->validity;
      result.flags = key->flags;
      result.fingerprint = fpr;
      result.user_id = uid;
      /* Half the keys name their address only in the user id. */
      result.address = i % 2 == 0 ? key->address : NULL;
      the_plugin.api->add_key (sink, &result);
    }
  return CACHET_CRYPTO_STATUS_OK;
}

static int32_t
toy_key_import (CachetCryptoPlugin         *plugin,
                CachetCryptoCall           *call,
                const CachetCryptoParams   *params,
                const CachetCryptoInStream *input,
                CachetCryptoResultSink     *sink)
{
  g_autoptr(GByteArray) data = read_all (input);
  g_autofree char *text = g_strndup ((const char *) data->data, data->len);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint count = 0;

  (void) plugin;
  (void) params;
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_autofree char *fpr = NULL;
      CachetCryptoKey result = { 0 };
      char *address;

      if (!g_str_has_prefix (line, "toy-key:"))
        continue;
      address = g_strstrip (line + 8);
      g_mutex_lock (&imported_lock);
      if (imported == NULL)
        imported = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (imported, g_strdup (address));
      g_mutex_unlock (&imported_lock);
      fpr = fingerprint (address);
      result.struct_size = sizeof result;
      result.validity = CACHET_CRYPTO_VALIDITY_FULL;
      result.flags = CACHET_CRYPTO_KEY_CAN_ENCRYPT;
      result.fingerprint = fpr;
      result.address = address;
      the_plugin.api->add_key (sink, &result);
      count++;
    }
  if (count == 0)
    return fail (call, CACHET_CRYPTO_STATUS_BAD_DATA, "No toy keys in this data.");
  return CACHET_CRYPTO_STATUS_OK;
}

#ifdef TOY_GENERIC
static int32_t
toy_classify (CachetCryptoPlugin         *plugin,
              const CachetCryptoPartInfo *part)
{
  (void) plugin;
  if (part->content_type == NULL || part->protocol == NULL)
    return CACHET_CRYPTO_PART_NONE;
  if (strcmp (part->content_type, "multipart/signed") == 0
      && g_ascii_strcasecmp (part->protocol, TOY_SIGNATURE_TYPE) == 0)
    return CACHET_CRYPTO_PART_SIGNED;
  if (strcmp (part->content_type, "multipart/encrypted") == 0
      && g_ascii_strcasecmp (part->protocol, TOY_ENCRYPTED_TYPE) == 0)
    return CACHET_CRYPTO_PART_ENCRYPTED;
  return CACHET_CRYPTO_PART_NONE;
}
#endif

static int32_t
toy_init (const CachetCryptoHostApi *api,
          CachetCryptoHost          *host,
          CachetCryptoPlugin       **plugin)
{
  if (api == NULL || api->struct_size < CACHET_CRYPTO_HOST_API_SIZE_1_0)
    return CACHET_CRYPTO_STATUS_FAILED;
  the_plugin.api = api;
  the_plugin.host = host;
  *plugin = &the_plugin;
  return CACHET_CRYPTO_STATUS_OK;
}

static void
toy_shutdown (CachetCryptoPlugin *plugin)
{
  (void) plugin;
}

static const CachetCryptoOps toy_ops = {
  .struct_size = sizeof (CachetCryptoOps),
#ifdef TOY_GENERIC
  .classify = toy_classify,
#endif
  .encrypt = toy_encrypt,
  .decrypt = toy_decrypt,
  .sign = toy_sign,
  .verify = toy_verify,
  .key_lookup = toy_key_lookup,
  .key_import = toy_key_import,
};

static const char *const toy_protocols[] = { TOY_PROTOCOL, NULL };

static const CachetCryptoPluginInfo toy_info = {
  .magic = CACHET_CRYPTO_PLUGIN_MAGIC,
  .struct_size = sizeof (CachetCryptoPluginInfo),
  .abi_major = CACHET_CRYPTO_ABI_MAJOR,
  .abi_minor_built = CACHET_CRYPTO_ABI_MINOR,
  .abi_minor_required = 0,
  .capabilities = CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT | CACHET_CRYPTO_CAP_SIGN
                  | CACHET_CRYPTO_CAP_VERIFY | CACHET_CRYPTO_CAP_KEY_LOOKUP
                  | CACHET_CRYPTO_CAP_KEY_IMPORT,
  .id = TOY_ID,
  .name = "Toy " TOY_PROTOCOL,
  .version = "1",
  .license = "GPL-3.0-or-later",
  .url = "https://example.org/toy",
  .gettext_domain = NULL,
  .protocols = toy_protocols,
  .init = toy_init,
  .shutdown = toy_shutdown,
  .ops = &toy_ops,
};

CACHET_CRYPTO_PLUGIN_EXPORT const CachetCryptoPluginInfo *
cachet_crypto_plugin_v1 (void)
{
  return &toy_info;
}
