/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-crypto"

#include "config.h"

#include <string.h>

#include "crypto-test-common.h"
#include "cachet-part.h"

/* Sealing: the structure RFC 3156 / RFC 8551 ask for, parsed back with
 * the core parser. */

static CachetCryptoRegistry *registry;      /* both toys */
static CachetCryptoRegistry *empty;         /* no plugin */

#define BODY "Hello Bob,\n\nGrüße aus Köln — this line is 8-bit.\nFrom here on a From line.\nTrailing space here \n-- \nAlice\n"

static CachetPart *
child (CachetPart *part,
       guint       i)
{
  GPtrArray *children = cachet_part_get_children (part);

  g_assert_nonnull (children);
  g_assert_cmpuint (i, <, children->len);
  return g_ptr_array_index (children, i);
}

static guint
n_children (CachetPart *part)
{
  GPtrArray *children = cachet_part_get_children (part);

  return children != NULL ? children->len : 0;
}

/* The same outer headers as the draft. */
static void
assert_outer_headers (CachetMessage *original,
                      CachetMessage *sealed)
{
  g_assert_cmpstr (cachet_message_get_subject (sealed), ==, cachet_message_get_subject (original));
  g_assert_cmpstr (cachet_message_get_message_id (sealed), ==, cachet_message_get_message_id (original));
  g_assert_cmpstr (cachet_message_get_header (sealed, "From"), ==,
                   cachet_message_get_header (original, "From"));
  g_assert_cmpstr (cachet_message_get_header (sealed, "To"), ==,
                   cachet_message_get_header (original, "To"));
  g_assert_cmpstr (cachet_message_get_header (sealed, "Date"), ==,
                   cachet_message_get_header (original, "Date"));
  g_assert_cmpstr (cachet_message_get_header (sealed, "MIME-Version"), ==, "1.0");
}

static void
test_signed_structure (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, TRUE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) original = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) attachment = NULL;
  g_autoptr(GBytes) expected = crypto_test_attachment ();
  CachetPart *root, *content, *signature;
  const char *outer, *inner;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (crypto_test_is_7bit (sealed));

  original = cachet_message_new_from_bytes (draft);
  message = cachet_message_new_from_bytes (sealed);
  g_assert_false (cachet_message_is_raw (message));
  assert_outer_headers (original, message);

  root = cachet_message_get_root (message);
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "multipart/signed");
  g_assert_cmpstr (cachet_part_get_parameter (root, "protocol"), ==, "application/pgp-signature");
  g_assert_cmpstr (cachet_part_get_parameter (root, "micalg"), ==, "pgp-sha256");
  g_assert_cmpuint (n_children (root), ==, 2);
  content = child (root, 0);
  signature = child (root, 1);
  g_assert_cmpstr (cachet_part_get_mime_type (content), ==, "multipart/mixed");
  g_assert_cmpstr (cachet_part_get_mime_type (signature), ==, "application/pgp-signature");
  sig = cachet_part_get_decoded (signature);
  g_assert_nonnull (memmem (g_bytes_get_data (sig, NULL), g_bytes_get_size (sig),
                            "-----BEGIN PGP SIGNATURE-----", 29));

  /* Boundaries differ and appear nowhere else. */
  outer = cachet_part_get_parameter (root, "boundary");
  inner = cachet_part_get_parameter (content, "boundary");
  g_assert_nonnull (outer);
  g_assert_nonnull (inner);
  g_assert_cmpstr (outer, !=, inner);
  g_assert_null (strstr (inner, outer));
  g_assert_null (strstr (outer, inner));

  /* The text came through re-encoded, the attachment byte for byte. */
  g_assert_cmpuint (n_children (content), ==, 2);
  g_assert_cmpstr (cachet_part_get_transfer_encoding (child (content, 0)), ==, "quoted-printable");
  attachment = cachet_part_get_decoded (child (content, 1));
  g_assert_true (g_bytes_equal (attachment, expected));
  g_assert_cmpstr (cachet_part_get_filename (child (content, 1)), ==, "data.bin");
  g_assert_nonnull (strstr (cachet_message_get_body_text (message), "Grüße aus Köln"));
}

static void
test_encrypted_structure (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, "The secret word is swordfish.\n", TRUE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) original = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autoptr(GBytes) version = NULL;
  g_autoptr(GBytes) data = NULL;
  CachetPart *root;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, "openpgp", FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (crypto_test_is_7bit (sealed));
  g_assert_null (memmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), "swordfish", 9));

  original = cachet_message_new_from_bytes (draft);
  message = cachet_message_new_from_bytes (sealed);
  assert_outer_headers (original, message);
  root = cachet_message_get_root (message);
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "multipart/encrypted");
  g_assert_cmpstr (cachet_part_get_parameter (root, "protocol"), ==, "application/pgp-encrypted");
  g_assert_cmpuint (n_children (root), ==, 2);
  g_assert_cmpstr (cachet_part_get_mime_type (child (root, 0)), ==, "application/pgp-encrypted");
  version = cachet_part_get_decoded (child (root, 0));
  g_assert_cmpmem (g_bytes_get_data (version, NULL), 10, "Version: 1", 10);
  g_assert_cmpstr (cachet_part_get_mime_type (child (root, 1)), ==, "application/octet-stream");
  data = cachet_part_get_decoded (child (root, 1));
  g_assert_nonnull (memmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                            "-----BEGIN PGP MESSAGE-----", 27));
  /* Encrypted to self: the sender is among the recipients. */
  g_assert_nonnull (memmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                            "alice@example.org", 17));
}

static void
test_sign_encrypt_combined (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, "Both.\n", FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autoptr(GBytes) data = NULL;
  CachetPart *root;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  message = cachet_message_new_from_bytes (sealed);
  root = cachet_message_get_root (message);
  /* RFC 3156 6.2: one encrypted part that carries the signature. */
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "multipart/encrypted");
  data = cachet_part_get_decoded (child (root, 1));
  g_assert_nonnull (memmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data), "Signer: alice@example.org", 25));
}

/* Parts 8bit or binary, lines with white space at the end, "From ": all
 * made seven bit, and their content unchanged. */
static void
test_8bit_reencoded (void)
{
  static const char raw[] =
    "From: Alice <alice@example.org>\n"
    "To: bob@example.org\n"
    "Subject: raw\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\n"
    "\n"
    "--b1\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Ünïcödé text\n"
    "--b1\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "trailing space \n"
    "From the start\n"
    "--b1\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: binary\n"
    "\n"
    "\x01\x02\xff\xfe\x80 bytes\n"
    "--b1\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "plain ascii labelled 8bit\n"
    "--b1--\n";
  g_autoptr(GBytes) draft = g_bytes_new_static (raw, sizeof raw - 1);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) message = NULL;
  g_autoptr(GBytes) b0 = NULL;
  g_autoptr(GBytes) b1 = NULL;
  g_autoptr(GBytes) b2 = NULL;
  CachetPart *mixed;

  if (crypto_test_skip_without (registry))
    return;
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (crypto_test_is_7bit (sealed));
  message = cachet_message_new_from_bytes (sealed);
  mixed = child (cachet_message_get_root (message), 0);
  g_assert_cmpuint (n_children (mixed), ==, 4);
  g_assert_cmpstr (cachet_part_get_transfer_encoding (child (mixed, 0)), ==, "quoted-printable");
  g_assert_cmpstr (cachet_part_get_transfer_encoding (child (mixed, 1)), ==, "quoted-printable");
  g_assert_cmpstr (cachet_part_get_transfer_encoding (child (mixed, 2)), ==, "base64");
  g_assert_cmpstr (cachet_part_get_transfer_encoding (child (mixed, 3)), ==, "7bit");
  b0 = cachet_part_get_decoded (child (mixed, 0));
  b1 = cachet_part_get_decoded (child (mixed, 1));
  b2 = cachet_part_get_decoded (child (mixed, 2));
  g_assert_cmpmem (g_bytes_get_data (b0, NULL), g_bytes_get_size (b0), "Ünïcödé text", strlen ("Ünïcödé text"));
  g_assert_cmpmem (g_bytes_get_data (b1, NULL), g_bytes_get_size (b1),
                   "trailing space \r\nFrom the start", 31);
  g_assert_cmpmem (g_bytes_get_data (b2, NULL), g_bytes_get_size (b2), "\x01\x02\xff\xfe\x80 bytes", 11);
  /* No line of the sealed message ends in white space. */
  g_assert_null (strstr (g_bytes_get_data (sealed, NULL), " \n"));
}

static void
test_no_key (void)
{
  static const char *const recipients[] = {
    "bob@example.org", "Unknown <unknown@example.org>", "carol@example.org",
    "dave@example.org", "erin@example.org", "signonly@example.org", "disabled@example.org",
    "invalid@example.org", "ultimate@example.org", NULL
  };
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, "Nope.\n", FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  guint before;

  if (crypto_test_skip_without (registry))
    return;
  before = crypto_test_encrypt_count ();
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, TRUE, NULL, recipients, &error);
  g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_KEY);
  g_assert_null (sealed);
  g_assert_nonnull (strstr (error->message, "unknown@example.org"));
  g_assert_nonnull (strstr (error->message, "carol@example.org"));    /* marginal */
  g_assert_nonnull (strstr (error->message, "dave@example.org"));     /* expired */
  g_assert_nonnull (strstr (error->message, "erin@example.org"));     /* revoked */
  g_assert_nonnull (strstr (error->message, "signonly@example.org")); /* cannot encrypt */
  g_assert_nonnull (strstr (error->message, "disabled@example.org"));
  g_assert_nonnull (strstr (error->message, "invalid@example.org"));
  g_assert_null (strstr (error->message, "bob@example.org"));
  g_assert_null (strstr (error->message, "ultimate@example.org"));
  /* Nothing was encrypted. */
  g_assert_cmpuint (crypto_test_encrypt_count (), ==, before);
}

static void
test_missing_keys_and_import (void)
{
  static const char *const recipients[] = { "bob@example.org", "zoe@example.org", "Alice <alice@example.org>", NULL };
  static const char keys[] = "toy-key: zoe@example.org\n";
  g_auto(GStrv) missing = NULL;
  g_auto(GStrv) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) imported = NULL;
  g_autoptr(GBytes) keydata = g_bytes_new_static (keys, sizeof keys - 1);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("nothing", 7);
  g_autoptr(GPtrArray) none = NULL;
  g_auto(GStrv) nobody = NULL;
  CachetCryptoKeyResult *key;

  if (crypto_test_skip_without (registry))
    return;
  missing = cachet_crypto_missing_keys (registry, NULL, recipients, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (missing), ==, 1);
  g_assert_cmpstr (missing[0], ==, "zoe@example.org");

  imported = cachet_crypto_import_keys (registry, "openpgp", keydata, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->len, ==, 1);
  key = g_ptr_array_index (imported, 0);
  g_assert_cmpstr (key->address, ==, "zoe@example.org");

  after = cachet_crypto_missing_keys (registry, NULL, recipients, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (after), ==, 0);

  none = cachet_crypto_import_keys (registry, "openpgp", garbage, NULL, &error);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
  g_assert_null (none);
  g_clear_error (&error);

  nobody = cachet_crypto_missing_keys (empty, NULL, recipients, NULL, &error);
  g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN);
  g_assert_null (nobody);
}

static void
test_refusals (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft ("nomicalg@example.org", NULL, "Hi.\n", FALSE);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) empty_message = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  guint before;

  if (crypto_test_skip_without (registry))
    return;
  /* No micalg from the plugin: no multipart/signed. */
  sealed = crypto_test_seal (registry, draft, NULL, TRUE, FALSE, "nomicalg@example.org", NULL, &error);
  g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN);
  g_assert_null (sealed);
  g_clear_error (&error);

  /* No plugin at all; no plugin for the protocol. */
  sealed = crypto_test_seal (empty, draft, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN);
  g_assert_cmpstr (error->message, ==, "No plugin for OpenPGP is installed.");
  g_clear_error (&error);
  sealed = crypto_test_seal (registry, draft, "x-unknown", TRUE, FALSE, NULL, NULL, &error);
  g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_NO_PLUGIN);
  g_clear_error (&error);

  /* No sender; empty message; no recipients. */
  {
    CachetCryptoSealOptions options = { .sign = TRUE };

    sealed = cachet_crypto_seal (registry, draft, &options, &error);
    g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED);
    g_clear_error (&error);
  }
  sealed = crypto_test_seal (registry, empty_message, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED);
  g_clear_error (&error);
  {
    static const char *const nobody[] = { NULL };

    before = crypto_test_encrypt_count ();
    sealed = crypto_test_seal (registry, draft, NULL, FALSE, TRUE, NULL, nobody, &error);
    g_assert_error (error, CACHET_CRYPTO_MIME_ERROR, CACHET_CRYPTO_MIME_ERROR_MALFORMED);
    g_assert_cmpuint (crypto_test_encrypt_count (), ==, before);
    g_clear_error (&error);
  }

  /* Neither sign nor encrypt: the message as it is. */
  {
    CachetCryptoSealOptions options = { 0 };

    sealed = cachet_crypto_seal (registry, draft, &options, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (sealed, draft));
  }
}

/* RFC 8551: multipart/signed with application/pkcs7-signature, and
 * application/pkcs7-mime enveloped-data, base64. */
static void
test_smime_structure (void)
{
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, TRUE);
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GBytes) encrypted = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) s = NULL;
  g_autoptr(CachetMessage) e = NULL;
  CachetPart *root, *sig;

  if (crypto_test_skip_without (registry))
    return;
  signed_ = crypto_test_seal (registry, draft, "smime", TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (crypto_test_is_7bit (signed_));
  s = cachet_message_new_from_bytes (signed_);
  root = cachet_message_get_root (s);
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "multipart/signed");
  g_assert_cmpstr (cachet_part_get_parameter (root, "protocol"), ==, "application/pkcs7-signature");
  g_assert_cmpstr (cachet_part_get_parameter (root, "micalg"), ==, "sha-256");
  sig = child (root, 1);
  g_assert_cmpstr (cachet_part_get_mime_type (sig), ==, "application/pkcs7-signature");
  g_assert_cmpstr (cachet_part_get_filename (sig), ==, "smime.p7s");
  g_assert_cmpstr (cachet_part_get_transfer_encoding (sig), ==, "base64");

  encrypted = crypto_test_seal (registry, draft, "smime", FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  e = cachet_message_new_from_bytes (encrypted);
  root = cachet_message_get_root (e);
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "application/pkcs7-mime");
  g_assert_cmpstr (cachet_part_get_parameter (root, "smime-type"), ==, "enveloped-data");
  g_assert_cmpstr (cachet_part_get_filename (root), ==, "smime.p7m");
  g_assert_cmpstr (cachet_part_get_transfer_encoding (root), ==, "base64");
  g_assert_cmpstr (cachet_message_get_subject (e), ==, "Sealed test");
}

/* Line ends as given (CRLF in, CRLF out), a message of headers only, and
 * one without any Content-Type. */
static void
test_edges (void)
{
  static const char headers_only[] = "From: alice@example.org\nTo: bob@example.org\nSubject: Empty\n"
                                     "Content-Type: text/plain";
  static const char no_type[] = "From: alice@example.org\r\nSubject: Plain\r\n\r\nJust text.\r\n";
  g_autoptr(GBytes) a = g_bytes_new_static (headers_only, sizeof headers_only - 1);
  g_autoptr(GBytes) b = g_bytes_new_static (no_type, sizeof no_type - 1);
  g_autoptr(GBytes) sealed_a = NULL;
  g_autoptr(GBytes) sealed_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) ma = NULL;
  g_autoptr(CachetMessage) mb = NULL;
  const char *raw;
  gsize n;

  if (crypto_test_skip_without (registry))
    return;
  sealed_a = crypto_test_seal (registry, a, NULL, TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  ma = cachet_message_new_from_bytes (sealed_a);
  g_assert_cmpstr (cachet_message_get_subject (ma), ==, "Empty");
  g_assert_cmpstr (cachet_part_get_mime_type (cachet_message_get_root (ma)), ==, "multipart/signed");
  g_assert_cmpstr (cachet_part_get_mime_type (child (cachet_message_get_root (ma), 0)), ==, "text/plain");

  sealed_b = crypto_test_seal (registry, b, NULL, TRUE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  raw = g_bytes_get_data (sealed_b, &n);
  /* Every line end CRLF, as the input had. */
  for (gsize i = 0; i < n; i++)
    if (raw[i] == '\n')
      g_assert_true (i > 0 && raw[i - 1] == '\r');
  mb = cachet_message_new_from_bytes (sealed_b);
  g_assert_cmpstr (cachet_message_get_subject (mb), ==, "Plain");
  g_assert_cmpstr (cachet_part_get_mime_type (cachet_message_get_root (mb)), ==, "multipart/encrypted");
}

/* A protocol the host has no row for: RFC 1847 structure labelled with
 * the plugin's content types. */
static void
test_generic_structure (void)
{
  static const char *const recipients[] = { "bob@example.org", NULL };
  g_autoptr(GBytes) draft = crypto_test_draft (NULL, NULL, BODY, TRUE);
  g_autoptr(GBytes) signed_ = NULL;
  g_autoptr(GBytes) encrypted = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) s = NULL;
  g_autoptr(CachetMessage) e = NULL;
  g_auto(GStrv) missing = NULL;
  CachetPart *root;

  if (crypto_test_skip_without (registry))
    return;
  signed_ = crypto_test_seal (registry, draft, "x-toy", TRUE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  s = cachet_message_new_from_bytes (signed_);
  root = cachet_message_get_root (s);
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "multipart/signed");
  g_assert_cmpstr (cachet_part_get_parameter (root, "protocol"), ==, "application/x-toy-signature");
  g_assert_cmpstr (cachet_part_get_parameter (root, "micalg"), ==, "toy-sha256");
  g_assert_cmpstr (cachet_part_get_mime_type (child (root, 1)), ==, "application/x-toy-signature");

  encrypted = crypto_test_seal (registry, draft, "x-toy", FALSE, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  e = cachet_message_new_from_bytes (encrypted);
  root = cachet_message_get_root (e);
  g_assert_cmpstr (cachet_part_get_mime_type (root), ==, "multipart/encrypted");
  g_assert_cmpstr (cachet_part_get_parameter (root, "protocol"), ==, "application/x-toy-encrypted");
  g_assert_cmpstr (cachet_part_get_mime_type (child (root, 0)), ==, "application/x-toy-encrypted");
  g_assert_cmpstr (cachet_part_get_mime_type (child (root, 1)), ==, "application/octet-stream");

  missing = cachet_crypto_missing_keys (registry, "x-toy", recipients, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (missing), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  static const char *const both[] = { "toy-pgp", "toy-smime", "toy-generic", NULL };
  int status;

  crypto_test_init_log ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  registry = crypto_test_registry (both);
  empty = cachet_crypto_registry_new (NULL);

  g_test_add_func ("/crypto/seal/signed-structure", test_signed_structure);
  g_test_add_func ("/crypto/seal/encrypted-structure", test_encrypted_structure);
  g_test_add_func ("/crypto/seal/sign-encrypt-combined", test_sign_encrypt_combined);
  g_test_add_func ("/crypto/seal/8bit-reencoded", test_8bit_reencoded);
  g_test_add_func ("/crypto/seal/no-key", test_no_key);
  g_test_add_func ("/crypto/seal/missing-keys-and-import", test_missing_keys_and_import);
  g_test_add_func ("/crypto/seal/refusals", test_refusals);
  g_test_add_func ("/crypto/seal/smime-structure", test_smime_structure);
  g_test_add_func ("/crypto/seal/generic-structure", test_generic_structure);
  g_test_add_func ("/crypto/seal/edges", test_edges);
  status = g_test_run ();

  g_clear_pointer (&registry, cachet_crypto_registry_free);
  g_clear_pointer (&empty, cachet_crypto_registry_free);
  crypto_test_cleanup ();
  return status;
}
