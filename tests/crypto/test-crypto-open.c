/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-crypto"

#include "config.h"

#include <string.h>

#include "crypto-test-common.h"
#include "cachet-part.h"

/* Opening: round trips through seal, nesting, inline PGP, S/MIME, and
 * every kind of broken structure (problem set, message kept). */

static CachetCryptoRegistry *registry;      /* both toys */
static CachetCryptoRegistry *pgp_only;
static CachetCryptoRegistry *empty;

#define BODY "Hello Bob,\n\nGrüße aus Köln.\nFrom here on.\n-- \nAlice\n"

static const char *
first_signature_signer (CachetCryptoOpened *opened)
{
  CachetCryptoSignatureResult *sig;

  g_assert_cmpuint (opened->signatures->len, >=, 1);
  sig = g_ptr_array_index (opened->signatures, 0);
  return sig->signer_uid;
}

static int
first_signature_status (CachetCryptoOpened *opened)
{
  CachetCryptoSignatureResult *sig;

  g_assert_cmpuint (opened->signatures->len, >=, 1);
  sig = g_ptr_array_index (opened->signatures, 0);
  return sig->status;
}

/* The opened message shows the original text and attachment. */
static void
assert_content_back (CachetCryptoOpened *opened,
                     gboolean            attach)
{
  g_autoptr(CachetMessage) message = cachet_message_new_from_bytes (opened->message);
  GPtrArray *attachments;

  g_assert_false (cachet_message_is_raw (message));
  g_assert_cmpstr (cachet_message_get_subject (message), ==, "Sealed test");
  g_assert_nonnull (strstr (cachet_message_get_body_text (message), "Grüße aus Köln."));
  g_assert_nonnull (strstr (cachet_message_get_body_text (message), "From here on."));
  attachments = cachet_message_get_attachments (message);
  if (attach)
    {
      g_autoptr(GBytes) expected = crypto_test_attachment ();
      g_autoptr(GBytes) data = NULL;

      g_assert_cmpuint (attachments->len, ==, 1);
      g_assert_cmpstr (cachet_part_get_filename (g_ptr_array_index (attachments, 0)), ==, "data.bin");
      data = cachet_part_get_decoded (g_ptr_array_index (attachments, 0));
      g_assert_true (g_bytes_equal (data, expected));
    }
  else
    g_assert_cmpuint (attachments->len, ==, 0);
}

static void
assert_verdict (CachetCryptoOpened       *opened,
                const char               *from,
                CachetCryptoVerdictLevel  level,
                const char               *title)
{
  g_autoptr(CachetCryptoVerdict) verdict = cachet_crypto_verdict_new (opened, from);

  g_assert_nonnull (verdict);
  g_assert_cmpstr (verdict->title, ==, title);
  g_assert_cmpint (verdict->level, ==, level);
}

static void
roundtrip (const char *protocol,
           gboolean    sign,
           gboolean    encrypt,
           const char *title)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, TRUE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) crlf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetCryptoOpened) again = NULL;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, protocol, sign, encrypt, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_crypto_looks_sealed (sealed));
  g_assert_false (cachet_crypto_looks_sealed (draft));

  opened = crypto_test_open (registry, sealed);
  g_assert_null (opened->problem);
  g_assert_cmpstr (opened->protocol, ==, protocol != NULL ? protocol : "openpgp");
  g_assert_cmpint (opened->encrypted, ==, encrypt);
  g_assert_cmpint (opened->decrypted, ==, encrypt);
  g_assert_cmpint (opened->is_signed, ==, sign);
  g_assert_false (opened->partial);
  g_assert_false (opened->inline_pgp);
  g_assert_cmpuint (opened->signatures->len, ==, sign ? 1 : 0);
  if (sign)
    {
      g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
      g_assert_cmpstr (first_signature_signer (opened), ==, "Toy User <alice@example.org>");
    }
  assert_content_back (opened, TRUE);
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD, title);

  /* Stored with CRLF line ends, the same. */
  {
    gsize n;
    const char *raw = g_bytes_get_data (sealed, &n);
    GString *s = g_string_new (NULL);

    for (gsize i = 0; i < n; i++)
      {
        if (raw[i] == '\n')
          g_string_append_c (s, '\r');
        g_string_append_c (s, raw[i]);
      }
    crlf = g_string_free_to_bytes (s);
  }
  again = crypto_test_open (registry, crlf);
  g_assert_null (again->problem);
  if (sign)
    g_assert_cmpint (first_signature_status (again), ==, CACHET_CRYPTO_SIG_GOOD);
  assert_content_back (again, TRUE);
}

static void
test_roundtrip_sign (void)
{
  roundtrip (NULL, TRUE, FALSE, "Signature good (alice@example.org)");
}

static void
test_roundtrip_encrypt (void)
{
  roundtrip (NULL, FALSE, TRUE, "Decrypted");
}

static void
test_roundtrip_sign_encrypt (void)
{
  roundtrip (NULL, TRUE, TRUE, "Decrypted · Signature good (alice@example.org)");
}

static void
test_smime_sign (void)
{
  roundtrip ("smime", TRUE, FALSE, "Signature good (alice@example.org)");
}

static void
test_smime_encrypt (void)
{
  roundtrip ("smime", FALSE, TRUE, "Decrypted");
}

static void
test_smime_sign_encrypt (void)
{
  roundtrip ("smime", TRUE, TRUE, "Decrypted · Signature good (alice@example.org)");
}

/* RFC 8551 3.5.2: application/pkcs7-mime; smime-type=signed-data, the
 * signed entity inside, verified opaque. */
static void
test_smime_signed_data (void)
{
  static const char entity[] = "Content-Type: text/plain; charset=utf-8\r\n\r\nGrüße aus Köln, opaque.\r\n";
  CachetCryptoLoaded *loaded;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *raw = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetMessage) shown = NULL;
  CachetCryptoRequest request = { 0 };

  if (crypto_test_skip_without (registry))
    return;
  loaded = cachet_crypto_registry_find (registry, "smime", CACHET_CRYPTO_CAP_SIGN);
  g_assert_nonnull (loaded);
  in = g_memory_input_stream_new_from_data (entity, sizeof entity - 1, NULL);
  out = g_memory_output_stream_new_resizable ();
  request.op = CACHET_CRYPTO_OP_SIGN;
  request.flags = CACHET_CRYPTO_FLAG_OPAQUE;
  request.protocol = "smime";
  request.signer = "alice@example.org";
  request.input = in;
  request.output = out;
  outcome = cachet_crypto_run (loaded, &request, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  blob = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  raw = g_strdup_printf ("From: Alice <alice@example.org>\nSubject: Opaque\nMIME-Version: 1.0\n"
                         "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\n"
                         "Content-Transfer-Encoding: base64\n\n%s\n", b64);
  message = g_bytes_new (raw, strlen (raw));
  g_assert_true (cachet_crypto_looks_sealed (message));

  opened = crypto_test_open (registry, message);
  g_assert_null (opened->problem);
  g_assert_cmpstr (opened->protocol, ==, "smime");
  g_assert_false (opened->encrypted);
  g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
  shown = cachet_message_new_from_bytes (opened->message);
  g_assert_cmpstr (cachet_message_get_subject (shown), ==, "Opaque");
  g_assert_nonnull (strstr (cachet_message_get_body_text (shown), "Grüße aus Köln, opaque."));
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD,
                  "Signature good (alice@example.org)");
}

/* A protocol the host has no row for, labelled by its plugin (RFC 1847
 * structure, nested sign then encrypt). */
static void
test_generic_sign (void)
{
  roundtrip ("x-toy", TRUE, FALSE, "Signature good (alice@example.org)");
}

static void
test_generic_encrypt (void)
{
  roundtrip ("x-toy", FALSE, TRUE, "Decrypted");
}

static void
test_generic_sign_encrypt (void)
{
  roundtrip ("x-toy", TRUE, TRUE, "Decrypted · Signature good (alice@example.org)");
}

/* Without its plugin: a structure Cachet does not know, kept as it is. */
static void
test_generic_no_plugin (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;

  if (crypto_test_skip_without (registry) || crypto_test_skip_without (pgp_only))
    return;
  sealed = crypto_test_seal (registry, draft, "x-toy", TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  opened = crypto_test_open (pgp_only, sealed);
  g_assert_cmpstr (opened->problem, ==,
                   "The message is signed in a way Cachet does not know (application/x-toy-signature).");
  g_assert_true (g_bytes_equal (opened->message, sealed));
}

/* Without an S/MIME plugin: a plain problem, the message as it is. */
static void
test_smime_no_plugin (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, FALSE);
  g_autoptr(GBytes) encrypted = NULL;
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) a = NULL;
  g_autoptr(CachetCryptoOpened) b = NULL;

  if (crypto_test_skip_without (registry) || crypto_test_skip_without (pgp_only))
    return;
  encrypted = crypto_test_seal (registry, draft, "smime", FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  signed_ = crypto_test_seal (registry, draft, "smime", TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);

  a = crypto_test_open (pgp_only, encrypted);
  g_assert_cmpstr (a->problem, ==, "No plugin for S/MIME is installed.");
  g_assert_true (a->encrypted);
  g_assert_false (a->decrypted);
  g_assert_cmpstr (a->protocol, ==, "smime");
  g_assert_true (g_bytes_equal (a->message, encrypted));
  assert_verdict (a, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
                  "Could not decrypt: No plugin for S/MIME is installed.");

  b = crypto_test_open (pgp_only, signed_);
  g_assert_cmpstr (b->problem, ==, "No plugin for S/MIME is installed.");
  g_assert_true (b->is_signed);
  g_assert_true (g_bytes_equal (b->message, signed_));
  assert_verdict (b, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
                  "The signature could not be checked: No plugin for S/MIME is installed.");
}

static void
test_tampered (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, TRUE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) both = NULL;
  g_autoptr(GBytes) both_tampered = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetCryptoOpened) opened2 = NULL;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  tampered = crypto_test_replace (sealed, "Hello Bob", "Hello Bib");
  opened = crypto_test_open (registry, tampered);
  g_assert_true (opened->is_signed);
  g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_BAD);
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_BAD,
                  "Bad signature: this message was changed after it was signed");

  /* Signed and encrypted: flip the first byte of the toy ciphertext. */
  both = crypto_test_seal (registry, draft, NULL, TRUE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    gsize n;
    const char *raw = g_bytes_get_data (both, &n);
    const char *sum = memmem (raw, n, "Sum: ", 5);
    const char *payload = sum != NULL ? memmem (sum, n - (sum - raw), "\n\n", 2) : NULL;
    char *copy = g_memdup2 (raw, n);

    g_assert_nonnull (payload);
    copy[payload - raw + 2] = copy[payload - raw + 2] == '0' ? '1' : '0';
    both_tampered = g_bytes_new_take (copy, n);
  }
  opened2 = crypto_test_open (registry, both_tampered);
  g_assert_true (opened2->decrypted);
  g_assert_cmpint (first_signature_status (opened2), ==, CACHET_CRYPTO_SIG_BAD);
}

/* Signers the keyring knows in every state, through seal and open. */
static void
signer_case (const char               *signer,
             const char               *from,
             CachetCryptoVerdictLevel  level,
             const char               *title)
{
  g_autoptr(GBytes) draft = crypto_test_draft (from, NULL, BODY, FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;

  sealed = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, signer, NULL, &error);
  g_assert_no_error (error);
  opened = crypto_test_open (registry, sealed);
  assert_verdict (opened, from, level, title);
}

static void
test_signers (void)
{
  if (crypto_test_skip_without (registry))
    return;
  signer_case ("bob@example.org", "bob@example.org", CACHET_CRYPTO_VERDICT_GOOD,
               "Signature good (bob@example.org)");
  signer_case ("carol@example.org", "carol@example.org", CACHET_CRYPTO_VERDICT_INFO,
               "Signed by carol@example.org, but the key is not verified");
  signer_case ("mallory@example.org", "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
               "Signed by mallory@example.org, but the message is from alice@example.org");
  signer_case ("dave@example.org", "dave@example.org", CACHET_CRYPTO_VERDICT_WARNING,
               "Signed with an expired key (dave@example.org)");
  signer_case ("erin@example.org", "erin@example.org", CACHET_CRYPTO_VERDICT_BAD,
               "Signed with a revoked key (erin@example.org)");
  signer_case ("frank@example.org", "frank@example.org", CACHET_CRYPTO_VERDICT_WARNING,
               "The signature has expired (frank@example.org)");
  {
    g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "ghost@example.org", -1);
    g_autofree char *fpr = g_ascii_strup (sum, -1);
    g_autofree char *title = g_strdup_printf ("Signed with a key you do not have (%s)", fpr);

    signer_case ("ghost@example.org", "ghost@example.org", CACHET_CRYPTO_VERDICT_WARNING, title);
  }
}

/* RFC 3156 6.1 (signed, then encrypted) and the reverse. */
static void
test_nesting (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, TRUE);
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GBytes) signed_encrypted = NULL;
  g_autoptr(GBytes) encrypted = NULL;
  g_autoptr(GBytes) encrypted_signed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) a = NULL;
  g_autoptr(CachetCryptoOpened) b = NULL;

  if (crypto_test_skip_without (registry))
    return;
  signed_ = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  signed_encrypted = crypto_test_seal (registry, signed_, NULL, FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  a = crypto_test_open (registry, signed_encrypted);
  g_assert_null (a->problem);
  g_assert_true (a->decrypted);
  g_assert_cmpuint (a->signatures->len, ==, 1);
  g_assert_cmpint (first_signature_status (a), ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_false (a->partial);
  assert_content_back (a, TRUE);
  assert_verdict (a, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD,
                  "Decrypted · Signature good (alice@example.org)");

  encrypted = crypto_test_seal (registry, draft, NULL, FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  encrypted_signed = crypto_test_seal (registry, encrypted, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  b = crypto_test_open (registry, encrypted_signed);
  g_assert_null (b->problem);
  g_assert_true (b->decrypted);
  g_assert_cmpint (first_signature_status (b), ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_false (b->partial);
  assert_content_back (b, TRUE);
}

/* A signed part inside multipart/mixed with a footer a list added. */
static void
test_partial_mime (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(GString) wrapped = g_string_new (NULL);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(CachetMessage) shown = NULL;
  const char *raw, *blank;
  gsize n;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (sealed, &n);
  /* The sealed message's content as the first part of a new multipart. */
  blank = strstr (raw, "Content-Type: multipart/signed");
  g_assert_nonnull (blank);
  g_string_append (wrapped, "From: Alice <alice@example.org>\nSubject: Sealed test\nMIME-Version: 1.0\n"
                            "Content-Type: multipart/mixed; boundary=\"list\"\n\n--list\n");
  g_string_append_len (wrapped, blank, n - (blank - raw));
  g_string_append (wrapped, "\n--list\nContent-Type: text/plain\n\nUnsubscribe here.\n--list--\n");
  message = g_string_free_to_bytes (g_steal_pointer (&wrapped));

  g_assert_true (cachet_crypto_looks_sealed (message));
  opened = crypto_test_open (registry, message);
  g_assert_null (opened->problem);
  g_assert_true (opened->partial);
  g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
                  "Signature good (alice@example.org) · Only part of this message is signed");
  shown = cachet_message_new_from_bytes (opened->message);
  g_assert_nonnull (strstr (cachet_message_get_body_text (shown), "Grüße aus Köln."));
  g_assert_nonnull (strstr (cachet_message_get_body_text (shown), "Unsubscribe here."));
}

/* Real-world damage that is still readable: Exchange's multipart/mixed
 * rewrite of PGP/MIME, a multipart/signed without its protocol parameter,
 * an mbox "From " line before the headers. */
static void
test_repairs (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, FALSE);
  g_autoptr(GBytes) encrypted = NULL;
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GError) error = NULL;

  if (crypto_test_skip_without (registry))
    return;
  encrypted = crypto_test_seal (registry, draft, NULL, FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  signed_ = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Exchange: multipart/mixed, an empty text part, then the two parts. */
  {
    g_autoptr(CachetMessage) parsed = cachet_message_new_from_bytes (encrypted);
    const char *boundary = cachet_part_get_parameter (cachet_message_get_root (parsed), "boundary");
    gsize n;
    const char *raw = g_bytes_get_data (encrypted, &n);
    const char *first = strstr (raw, "\n--");
    g_autoptr(GString) mangled = g_string_new (NULL);
    g_autoptr(GBytes) message = NULL;
    g_autoptr(CachetCryptoOpened) opened = NULL;

    g_assert_nonnull (first);
    g_string_append_printf (mangled, "From: Alice <alice@example.org>\nSubject: Sealed test\n"
                                     "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"%s\"\n\n"
                                     "--%s\nContent-Type: text/plain\n\n\n", boundary, boundary);
    g_string_append_len (mangled, first + 1, n - (first + 1 - raw));
    message = g_string_free_to_bytes (g_steal_pointer (&mangled));
    g_assert_true (cachet_crypto_looks_sealed (message));
    opened = crypto_test_open (registry, message);
    g_assert_null (opened->problem);
    g_assert_true (opened->decrypted);
    assert_content_back (opened, FALSE);
  }

  /* No protocol parameter. */
  {
    g_autoptr(GBytes) message = crypto_test_replace (signed_, " protocol=\"application/pgp-signature\";",
                                                     " xrotocol=\"application/pgp-signature\";");
    g_autoptr(CachetCryptoOpened) opened = crypto_test_open (registry, message);

    g_assert_null (opened->problem);
    g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
  }

  /* An mbox From_ line. */
  {
    g_autoptr(GString) mbox = g_string_new ("From alice@example.org Sat Jan  1 12:00:00 2000\n");
    g_autoptr(GBytes) message = NULL;
    g_autoptr(CachetCryptoOpened) opened = NULL;

    g_string_append_len (mbox, g_bytes_get_data (signed_, NULL), g_bytes_get_size (signed_));
    message = g_string_free_to_bytes (g_steal_pointer (&mbox));
    g_assert_true (cachet_crypto_looks_sealed (message));
    opened = crypto_test_open (registry, message);
    g_assert_null (opened->problem);
    g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
    assert_content_back (opened, FALSE);
  }
}

/* ------------------------------------------------------------------------ */
/* Inline PGP                                                               */

static GBytes *
toy_run (CachetCryptoOp  op,
         guint32         flags,
         const char     *text,
         gsize           length)
{
  static const char *const to[] = { "bob@example.org", NULL };
  CachetCryptoLoaded *loaded = cachet_crypto_registry_find (registry, "openpgp", 0);
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (text, length, NULL);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoRequest request = { 0 };

  request.op = op;
  request.flags = flags;
  request.protocol = "openpgp";
  request.recipients = to;
  request.signer = "alice@example.org";
  request.sender = "alice@example.org";
  request.input = in;
  request.output = out;
  outcome = cachet_crypto_run (loaded, &request, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* Protected headers: the Subject inside the encrypted part is shown. */
static void
test_protected_subject (void)
{
  static const char inner[] = "Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\r\n"
                              "Subject: The real subject\r\n"
                              "From: Alice <alice@example.org>\r\n"
                              "\r\n"
                              "Grüße aus Köln.\r\nFrom here on.\r\n";
  g_autoptr(GBytes) armour = NULL;
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetMessage) shown = NULL;
  guint subjects = 0;

  if (crypto_test_skip_without (registry))
    return;
  armour = toy_run (CACHET_CRYPTO_OP_ENCRYPT, CACHET_CRYPTO_FLAG_ARMOR, inner, sizeof inner - 1);
  g_string_append (raw, "From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: ...\n"
                        "MIME-Version: 1.0\nContent-Type: multipart/encrypted; "
                        "protocol=\"application/pgp-encrypted\"; boundary=\"e\"\n\n"
                        "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n"
                        "--e\nContent-Type: application/octet-stream\n\n");
  g_string_append_len (raw, g_bytes_get_data (armour, NULL), g_bytes_get_size (armour));
  g_string_append (raw, "--e--\n");
  message = g_string_free_to_bytes (g_steal_pointer (&raw));

  opened = crypto_test_open (registry, message);
  g_assert_null (opened->problem);
  g_assert_true (opened->decrypted);
  shown = cachet_message_new_from_bytes (opened->message);
  g_assert_cmpstr (cachet_message_get_subject (shown), ==, "The real subject");
  for (guint i = 0; i < cachet_message_get_n_headers (shown); i++)
    if (g_ascii_strcasecmp (cachet_message_get_header_name (shown, i), "Subject") == 0)
      subjects++;
  g_assert_cmpuint (subjects, ==, 1);
  g_assert_nonnull (strstr (cachet_message_get_body_text (shown), "Grüße aus Köln."));
}

static GBytes *
inline_message (const char *charset,
                const char *encoding,
                const char *before,
                GBytes     *block,
                const char *after)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (before);

  g_string_append_len (body, g_bytes_get_data (block, NULL), g_bytes_get_size (block));
  g_string_append (body, after);
  g_string_append_printf (s, "From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: Inline\n"
                             "MIME-Version: 1.0\nContent-Type: text/plain; charset=%s\n"
                             "Content-Transfer-Encoding: %s\n\n", charset, encoding);
  if (g_strcmp0 (encoding, "base64") == 0)
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) body->str, body->len);

      g_string_append (s, b64);
      g_string_append_c (s, '\n');
    }
  else if (g_strcmp0 (encoding, "quoted-printable") == 0)
    {
      for (gsize i = 0; i < body->len; i++)
        {
          guchar c = (guchar) body->str[i];

          if (c >= 0x80 || c == '=')
            g_string_append_printf (s, "=%02X", c);
          else
            g_string_append_c (s, (char) c);
        }
    }
  else
    g_string_append_len (s, body->str, body->len);
  return g_string_free_to_bytes (s);
}

static void
inline_case (const char *charset,
             const char *encoding,
             const char *text,
             gsize       length,
             gboolean    encrypt)
{
  g_autoptr(GBytes) block = toy_run (encrypt ? CACHET_CRYPTO_OP_ENCRYPT : CACHET_CRYPTO_OP_SIGN,
                                     encrypt ? CACHET_CRYPTO_FLAG_ALSO_SIGN | CACHET_CRYPTO_FLAG_ARMOR
                                             : CACHET_CRYPTO_FLAG_OPAQUE,
                                     text, length);
  g_autoptr(GBytes) message = inline_message (charset, encoding, "", block, "");
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetMessage) shown = NULL;

  g_assert_true (cachet_crypto_looks_sealed (message) || g_strcmp0 (encoding, "8bit") != 0);
  opened = crypto_test_open (registry, message);
  g_assert_null (opened->problem);
  g_assert_true (opened->inline_pgp);
  g_assert_false (opened->partial);
  g_assert_cmpint (opened->encrypted, ==, encrypt);
  g_assert_cmpint (opened->decrypted, ==, encrypt);
  g_assert_true (opened->is_signed);
  g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
  shown = cachet_message_new_from_bytes (opened->message);
  g_assert_cmpstr (cachet_message_get_subject (shown), ==, "Inline");
  g_assert_nonnull (strstr (cachet_message_get_body_text (shown), "Grüße aus Köln"));
  g_assert_null (strstr (cachet_message_get_body_text (shown), "-----BEGIN"));
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD,
                  encrypt ? "Decrypted · Signature good (alice@example.org)"
                          : "Signature good (alice@example.org)");
}

#define UTF8_TEXT "Grüße aus Köln\n- a dash line\nEnd.\n"
#define LATIN1_TEXT "Gr\xfc\xdf" "e aus K\xf6ln\n- a dash line\nEnd.\n"

static void
test_inline_signed (void)
{
  if (crypto_test_skip_without (registry))
    return;
  inline_case ("utf-8", "8bit", UTF8_TEXT, strlen (UTF8_TEXT), FALSE);
  inline_case ("iso-8859-1", "quoted-printable", LATIN1_TEXT, strlen (LATIN1_TEXT), FALSE);
  inline_case ("utf-8", "base64", UTF8_TEXT, strlen (UTF8_TEXT), FALSE);
}

static void
test_inline_encrypted (void)
{
  if (crypto_test_skip_without (registry))
    return;
  inline_case ("utf-8", "7bit", UTF8_TEXT, strlen (UTF8_TEXT), TRUE);
  inline_case ("iso-8859-1", "7bit", LATIN1_TEXT, strlen (LATIN1_TEXT), TRUE);
  inline_case ("utf-8", "base64", UTF8_TEXT, strlen (UTF8_TEXT), TRUE);
}

static void
test_inline_partial (void)
{
  g_autoptr(GBytes) block = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  g_autoptr(CachetMessage) shown = NULL;
  const char *text;

  if (crypto_test_skip_without (registry))
    return;
  block = toy_run (CACHET_CRYPTO_OP_SIGN, CACHET_CRYPTO_FLAG_OPAQUE, UTF8_TEXT, strlen (UTF8_TEXT));
  message = inline_message ("utf-8", "8bit", "Someone added this.\n\n", block, "\nAnd this footer.\n");
  opened = crypto_test_open (registry, message);
  g_assert_null (opened->problem);
  g_assert_true (opened->partial);
  g_assert_cmpint (first_signature_status (opened), ==, CACHET_CRYPTO_SIG_GOOD);
  shown = cachet_message_new_from_bytes (opened->message);
  text = cachet_message_get_body_text (shown);
  g_assert_nonnull (strstr (text, "Someone added this."));
  g_assert_nonnull (strstr (text, "Grüße aus Köln"));
  g_assert_nonnull (strstr (text, "And this footer."));
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
                  "Signature good (alice@example.org) · Only part of this message is signed");

  /* A changed inline text is a bad signature. */
  {
    g_autoptr(GBytes) tampered = crypto_test_replace (message, "End.", "Fin.");
    g_autoptr(CachetCryptoOpened) bad = crypto_test_open (registry, tampered);

    g_assert_cmpint (first_signature_status (bad), ==, CACHET_CRYPTO_SIG_BAD);
  }
}

/* ------------------------------------------------------------------------ */
/* Trouble                                                                  */

static char *
ask_cancel (const char *hint,
            const char *description,
            gboolean    again,
            gpointer    user_data)
{
  return NULL;
}

static char *
ask_right (const char *hint,
           const char *description,
           gboolean    again,
           gpointer    user_data)
{
  guint *asked = user_data;

  (*asked)++;
  return g_strdup (again ? "open sesame" : "wrong");
}

static char *
ask_and_cancel (const char *hint,
                const char *description,
                gboolean    again,
                gpointer    user_data)
{
  g_cancellable_cancel (user_data);
  return NULL;
}

static void
test_secret_keys (void)
{
  static const char *const nosecret[] = { "nosecret@example.org", NULL };
  static const char *const locked[] = { "locked@example.org", NULL };
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) locked_message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;

  if (crypto_test_skip_without (registry))
    return;
  /* No secret key. */
  sealed = crypto_test_seal (registry, draft, NULL, FALSE, TRUE, "nosecret@example.org", nosecret, &error);
  g_assert_no_error (error);
  opened = crypto_test_open (registry, sealed);
  g_assert_true (opened->encrypted);
  g_assert_false (opened->decrypted);
  g_assert_cmpstr (opened->problem, ==, "No secret toy key can decrypt this message.");
  g_assert_true (g_bytes_equal (opened->message, sealed));
  assert_verdict (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
                  "Could not decrypt: No secret toy key can decrypt this message.");
  g_clear_pointer (&opened, cachet_crypto_opened_free);

  /* A passphrase: cancelled prompt, then wrong then right. */
  locked_message = crypto_test_seal (registry, draft, NULL, FALSE, TRUE, "locked@example.org", locked, &error);
  g_assert_no_error (error);
  {
    CachetCryptoOpenOptions options = { .ask_passphrase = ask_cancel };

    opened = cachet_crypto_open (registry, locked_message, &options, &error);
    g_assert_no_error (error);
    g_assert_false (opened->decrypted);
    g_assert_cmpstr (opened->problem, ==, "The passphrase was not given.");
    g_assert_true (g_bytes_equal (opened->message, locked_message));
    g_clear_pointer (&opened, cachet_crypto_opened_free);
  }
  {
    guint asked = 0;
    CachetCryptoOpenOptions options = { .ask_passphrase = ask_right, .ask_passphrase_data = &asked };

    opened = cachet_crypto_open (registry, locked_message, &options, &error);
    g_assert_no_error (error);
    g_assert_true (opened->decrypted);
    g_assert_null (opened->problem);
    g_assert_cmpuint (asked, ==, 2);
    g_clear_pointer (&opened, cachet_crypto_opened_free);
  }
  /* Only a cancelled GCancellable is an error. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    CachetCryptoOpenOptions options = { .ask_passphrase = ask_and_cancel,
                                        .ask_passphrase_data = cancellable,
                                        .cancellable = cancellable };

    opened = cachet_crypto_open (registry, locked_message, &options, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (opened);
    g_clear_error (&error);
    opened = cachet_crypto_open (registry, locked_message, &options, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (opened);
  }
}

typedef struct
{
  const char *name;
  const char *message;
  const char *problem;      /* a part of it, or NULL for "none" */
} Malformed;

#define HEAD "From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: Broken\nMIME-Version: 1.0\n"
#define ENC_HEAD HEAD "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"e\"\n\n"
#define SIG_HEAD HEAD "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"s\"\n\n"
#define VERSION_PART "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n"

static const Malformed malformed[] = {
  { "signed-one-part", SIG_HEAD "--s\nContent-Type: text/plain\n\nHi\n--s--\n", "incomplete" },
  { "signed-three-parts", SIG_HEAD "--s\n\nHi\n--s\n\nA\n--s\n\nB\n--s--\n", "incomplete" },
  { "signed-no-signature", SIG_HEAD "--s\n\nHi\n--s\nContent-Type: text/plain\n\nB\n--s--\n", "signature is missing" },
  { "signed-wrong-protocol", HEAD "Content-Type: multipart/signed; protocol=\"application/x-nonsense\"; boundary=\"s\"\n\n"
    "--s\n\nHi\n--s\nContent-Type: application/x-nonsense\n\nx\n--s--\n", "does not know" },
  { "signed-no-protocol", HEAD "Content-Type: multipart/signed; boundary=\"s\"\n\n--s\n\nHi\n--s\n\nx\n--s--\n", "does not know" },
  { "signed-truncated", SIG_HEAD "--s\n\nHi\n--s\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP SIG", "incomplete" },
  { "signed-garbage-signature", SIG_HEAD "--s\n\nHi\n--s\nContent-Type: application/pgp-signature\n\nnot a signature\n--s--\n",
    "no toy signature" },
  { "signed-no-boundary", HEAD "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"\n\nHi\n", "incomplete" },
  { "encrypted-no-version", ENC_HEAD "--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----\n--e--\n",
    "incomplete" },
  { "encrypted-wrong-version", ENC_HEAD "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 2\n\n--e\n"
    "Content-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----\n--e--\n",
    "version part" },
  { "encrypted-version-not-first", ENC_HEAD "--e\nContent-Type: application/octet-stream\n\nabc\n" "--e\n"
    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--e--\n", "version part" },
  { "encrypted-truncated", ENC_HEAD VERSION_PART "--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nTo: bob@exa",
    "incomplete" },
  { "encrypted-empty", ENC_HEAD, "incomplete" },
  { "encrypted-empty-data", ENC_HEAD VERSION_PART "--e\nContent-Type: application/octet-stream\n\n\n--e--\n", "no encrypted data" },
  { "encrypted-garbage-armour", ENC_HEAD VERSION_PART "--e\nContent-Type: application/octet-stream\n\n"
    "-----BEGIN PGP MESSAGE-----\n\x01\x02garbage\xff\n-----END PGP MESSAGE-----\n--e--\n", "no toy message" },
  { "encrypted-bad-hex", ENC_HEAD VERSION_PART "--e\nContent-Type: application/octet-stream\n\n"
    "-----BEGIN PGP MESSAGE-----\nTo: bob@example.org\n\nzz\n-----END PGP MESSAGE-----\n--e--\n", "no toy message" },
  { "encrypted-unknown-protocol", HEAD "Content-Type: multipart/encrypted; protocol=\"application/x-rot13\"; boundary=\"e\"\n\n"
    "--e\n\nx\n--e\n\ny\n--e--\n", "does not know" },
  { "inline-garbage", HEAD "Content-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\ngarbage\n-----END PGP MESSAGE-----\n",
    "no toy message" },
  { "inline-no-end", HEAD "Content-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\nTo: bob@example.org\n", "incomplete" },
  { "inline-signed-no-signature", HEAD "Content-Type: text/plain\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi\n"
    "-----END PGP SIGNATURE-----\n", "incomplete" },
  { "pkcs7-empty", HEAD "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\n\n",
    "no encrypted data" },
  { "pkcs7-garbage", HEAD "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\nAAAA\n",
    "no toy message" },
  { "empty", "", NULL },
  { "headers-only", HEAD, NULL },
  { "no-headers", "just text\n", NULL },
};

static void
test_malformed (void)
{
  if (crypto_test_skip_without (registry))
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GBytes) message = g_bytes_new_static (malformed[i].message, strlen (malformed[i].message));
      g_autoptr(CachetCryptoOpened) opened = crypto_test_open (registry, message);

      g_test_message ("%s: %s", malformed[i].name, opened->problem);
      if (malformed[i].problem == NULL)
        g_assert_null (opened->problem);
      else
        {
          g_assert_nonnull (opened->problem);
          g_assert_nonnull (strstr (opened->problem, malformed[i].problem));
        }
      /* Nothing lost: the original as it was. */
      g_assert_true (g_bytes_equal (opened->message, message));
      g_assert_cmpuint (opened->signatures->len, ==, 0);
      g_assert_false (opened->decrypted);
    }
}

/* Nesting far past any real message: refused, no crash, the message kept. */
static void
test_deeply_nested (void)
{
  GString *s = g_string_new (HEAD);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;
  const guint depth = 2000;

  if (crypto_test_skip_without (registry))
    return;
  for (guint i = 0; i < depth; i++)
    g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n--b%u\n", i, i);
  g_string_append (s, "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"s\"\n\n"
                      "--s\n\nHi\n--s\nContent-Type: application/pgp-signature\n\nx\n--s--\n");
  for (guint i = depth; i-- > 0;)
    g_string_append_printf (s, "--b%u--\n", i);
  message = g_string_free_to_bytes (s);
  opened = crypto_test_open (registry, message);
  g_assert_nonnull (opened->problem);
  g_assert_nonnull (strstr (opened->problem, "nested too deeply"));
  g_assert_true (g_bytes_equal (opened->message, message));
}

static void
test_looks_sealed (void)
{
  static const struct { const char *message; gboolean sealed; } cases[] = {
    { SIG_HEAD "--s--\n", TRUE },
    { ENC_HEAD, TRUE },
    { HEAD "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n\nAAAA\n", TRUE },
    { HEAD "Content-Type: application/x-pkcs7-mime\n\nAAAA\n", TRUE },
    { HEAD "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: Multipart/Signed; boundary=x\n\n--m--\n", TRUE },
    { HEAD "Content-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\n", TRUE },
    { HEAD "\n-----BEGIN PGP SIGNED MESSAGE-----\n", TRUE },
    { HEAD "Content-Type: text/plain\n\nNothing here.\n", FALSE },
    { HEAD "Content-Type: application/pgp-keys\n\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n", FALSE },
    { HEAD "Content-Type: image/png\n\n-----BEGIN PGP MESSAGE-----\n", FALSE },
    { "", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) message = g_bytes_new_static (cases[i].message, strlen (cases[i].message));

      g_assert_cmpint (cachet_crypto_looks_sealed (message), ==, cases[i].sealed);
    }
}

/* Keys attached to a message stay there for import; no verdict. */
static void
test_keys_left (void)
{
  static const char raw[] = HEAD "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nMy key.\n"
                            "--m\nContent-Type: application/pgp-keys\n\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nx\n"
                            "-----END PGP PUBLIC KEY BLOCK-----\n--m--\n";
  g_autoptr(GBytes) message = g_bytes_new_static (raw, sizeof raw - 1);
  g_autoptr(CachetCryptoOpened) opened = NULL;

  opened = crypto_test_open (empty, message);
  g_assert_null (opened->problem);
  g_assert_false (opened->partial);
  g_assert_true (g_bytes_equal (opened->message, message));
  g_assert_null (cachet_crypto_verdict_new (opened, "alice@example.org"));
}

/* No plugin at all: a PGP/MIME message shown as it is with a problem. */
static void
test_no_plugin (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOpened) opened = NULL;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  opened = crypto_test_open (empty, sealed);
  g_assert_cmpstr (opened->problem, ==, "No plugin for OpenPGP is installed.");
  g_assert_true (g_bytes_equal (opened->message, sealed));
}

int
main (int    argc,
      char **argv)
{
  static const char *const both[] = { "toy-pgp", "toy-smime", "toy-generic", NULL };
  static const char *const pgp[] = { "toy-pgp", NULL };
  int status;

  crypto_test_init_log ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  registry = crypto_test_registry (both);
  pgp_only = crypto_test_registry (pgp);
  empty = cachet_crypto_registry_new (NULL);

  g_test_add_func ("/crypto/open/roundtrip-sign", test_roundtrip_sign);
  g_test_add_func ("/crypto/open/roundtrip-encrypt", test_roundtrip_encrypt);
  g_test_add_func ("/crypto/open/roundtrip-sign-encrypt", test_roundtrip_sign_encrypt);
  g_test_add_func ("/crypto/open/smime-sign", test_smime_sign);
  g_test_add_func ("/crypto/open/smime-encrypt", test_smime_encrypt);
  g_test_add_func ("/crypto/open/smime-sign-encrypt", test_smime_sign_encrypt);
  g_test_add_func ("/crypto/open/smime-signed-data", test_smime_signed_data);
  g_test_add_func ("/crypto/open/smime-no-plugin", test_smime_no_plugin);
  g_test_add_func ("/crypto/open/generic-sign", test_generic_sign);
  g_test_add_func ("/crypto/open/generic-encrypt", test_generic_encrypt);
  g_test_add_func ("/crypto/open/generic-sign-encrypt", test_generic_sign_encrypt);
  g_test_add_func ("/crypto/open/generic-no-plugin", test_generic_no_plugin);
  g_test_add_func ("/crypto/open/tampered", test_tampered);
  g_test_add_func ("/crypto/open/signers", test_signers);
  g_test_add_func ("/crypto/open/nesting", test_nesting);
  g_test_add_func ("/crypto/open/partial-mime", test_partial_mime);
  g_test_add_func ("/crypto/open/repairs", test_repairs);
  g_test_add_func ("/crypto/open/protected-subject", test_protected_subject);
  g_test_add_func ("/crypto/open/inline-signed", test_inline_signed);
  g_test_add_func ("/crypto/open/inline-encrypted", test_inline_encrypted);
  g_test_add_func ("/crypto/open/inline-partial", test_inline_partial);
  g_test_add_func ("/crypto/open/secret-keys", test_secret_keys);
  g_test_add_func ("/crypto/open/malformed", test_malformed);
  g_test_add_func ("/crypto/open/deeply-nested", test_deeply_nested);
  g_test_add_func ("/crypto/open/looks-sealed", test_looks_sealed);
  g_test_add_func ("/crypto/open/keys-left", test_keys_left);
  g_test_add_func ("/crypto/open/no-plugin", test_no_plugin);
  status = g_test_run ();

  g_clear_pointer (&registry, cachet_crypto_registry_free);
  g_clear_pointer (&pgp_only, cachet_crypto_registry_free);
  g_clear_pointer (&empty, cachet_crypto_registry_free);
  crypto_test_cleanup ();
  return status;
}
