/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-plugins"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cachet-crypto-call.h"
#include "cachet-crypto-loader.h"

/* Loads the example plugin built out of tree (the path is the argument:
 * test-example-plugin.sh builds and installs it) and runs an encrypt /
 * decrypt / sign / verify round trip through the host. */

static const char *plugin_path;

static const char text[] =
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Gr\xc3\xbc\xc3\x9f" "e from the example plugin.\r\n"
  "A second line, long enough to need more than one line of hex in the output.\r\n";

static CachetCryptoLoaded *
load (void)
{
  g_autoptr(GError) error = NULL;
  CachetCryptoLoaded *loaded = cachet_crypto_load (plugin_path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  return loaded;
}

/* Runs REQUEST on INPUT; returns the outcome, *OUTPUT what was written. */
static CachetCryptoOutcome *
run (CachetCryptoLoaded   *loaded,
     CachetCryptoRequest  *request,
     const char           *input,
     gssize                input_len,
     const char           *signature,
     GBytes              **output,
     GError              **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (input, input_len, NULL);
  g_autoptr(GInputStream) sig = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  CachetCryptoOutcome *outcome;

  if (signature != NULL)
    sig = g_memory_input_stream_new_from_data (signature, -1, NULL);
  request->protocol = "example";
  request->input = in;
  request->signature = sig;
  request->output = output != NULL ? out : NULL;
  outcome = cachet_crypto_run (loaded, request, error);
  request->input = NULL;
  request->signature = NULL;
  request->output = NULL;
  if (output != NULL)
    {
      g_output_stream_close (out, NULL, NULL);
      *output = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
    }
  return outcome;
}

static void
test_info (void)
{
  g_autoptr(CachetCryptoLoaded) loaded = load ();
  CachetCryptoPartInfo part = {
    .struct_size = sizeof part,
    .content_type = "multipart/encrypted",
    .protocol = "application/x-cachet-example",
  };

  g_assert_cmpstr (loaded->info.id, ==, "org.cachet.Example");
  g_assert_cmpstrv (loaded->protocols, ((const char *const[]) { "example", NULL }));
  g_assert_cmpuint (loaded->info.capabilities, ==,
                    CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT
                    | CACHET_CRYPTO_CAP_SIGN | CACHET_CRYPTO_CAP_VERIFY);
  g_assert_cmpint (cachet_crypto_classify (loaded, &part), ==, CACHET_CRYPTO_PART_ENCRYPTED);
}

static void
test_encrypt_decrypt (void)
{
  static const char *const recipients[] = { "bob@example.org", NULL };
  g_autoptr(CachetCryptoLoaded) loaded = load ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) junk = NULL;
  g_autofree char *armored = NULL;
  CachetCryptoRequest request = { .op = CACHET_CRYPTO_OP_ENCRYPT, .recipients = recipients };

  outcome = run (loaded, &request, text, sizeof text - 1, NULL, &sealed, &error);
  g_assert_no_error (error);
  armored = g_strndup (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  g_assert_true (g_str_has_prefix (armored, "-----BEGIN CACHET EXAMPLE MESSAGE-----\n"));
  g_assert_true (g_str_has_suffix (armored, "-----END CACHET EXAMPLE MESSAGE-----\n"));
  g_assert_null (strstr (armored, "example plugin"));
  g_assert_cmpstr (g_hash_table_lookup (outcome->values, "content-type"), ==,
                   "application/x-cachet-example");
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_DECRYPT };
  outcome = run (loaded, &request, armored, -1, NULL, &opened, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened),
                   text, sizeof text - 1);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* With CRLF line ends, as mail may have them. */
  {
    g_auto(GStrv) lines = g_strsplit (armored, "\n", -1);
    g_autofree char *crlf = g_strjoinv ("\r\n", lines);
    g_autoptr(GBytes) again = NULL;

    outcome = run (loaded, &request, crlf, -1, NULL, &again, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (again, NULL), g_bytes_get_size (again),
                     text, sizeof text - 1);
    g_clear_pointer (&outcome, cachet_crypto_outcome_free);
  }

  /* Cut short. */
  {
    g_autofree char *cut = g_strndup (armored, strlen (armored) / 2);
    g_autoptr(GBytes) part = NULL;

    outcome = run (loaded, &request, cut, -1, NULL, &part, &error);
    g_assert_null (outcome);
    g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
    g_clear_error (&error);
  }

  /* Not one of its messages: the plugin's sentence. */
  outcome = run (loaded, &request, "Hello", -1, NULL, &junk, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
  g_assert_cmpstr (error->message, ==, "This is not a Cachet example message.");
}

static void
test_sign_verify (void)
{
  g_autoptr(CachetCryptoLoaded) loaded = load ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *sig_text = NULL;
  g_autofree char *tampered = g_strdup (text);
  CachetCryptoRequest request = {
    .op = CACHET_CRYPTO_OP_SIGN,
    .flags = CACHET_CRYPTO_FLAG_DETACHED | CACHET_CRYPTO_FLAG_ARMOR,
    .signer = "alice@example.org",
  };
  CachetCryptoSignatureResult *sig;

  outcome = run (loaded, &request, text, sizeof text - 1, NULL, &signature, &error);
  g_assert_no_error (error);
  sig_text = g_strndup (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  g_assert_true (g_str_has_prefix (sig_text, "-----BEGIN CACHET EXAMPLE SIGNATURE-----\n"
                                             "Signer: alice@example.org\n"));
  g_assert_cmpstr (g_hash_table_lookup (outcome->values, "micalg"), ==, "x-example-fnv1a64");
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_VERIFY };
  outcome = run (loaded, &request, text, sizeof text - 1, sig_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcome->signatures->len, ==, 1);
  sig = g_ptr_array_index (outcome->signatures, 0);
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_cmpint (sig->validity, ==, CACHET_CRYPTO_VALIDITY_UNKNOWN);
  g_assert_cmpuint (sig->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID, ==, 0);
  g_assert_cmpstr (sig->signer_uid, ==, "alice@example.org");
  g_assert_cmpstr (sig->fingerprint, ==, "EXAMPLE:alice@example.org");
  g_assert_nonnull (strstr (sig->detail, "not a real signature"));
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* The signature with CRLF line ends. */
  {
    g_auto(GStrv) lines = g_strsplit (sig_text, "\n", -1);
    g_autofree char *crlf = g_strjoinv ("\r\n", lines);

    outcome = run (loaded, &request, text, sizeof text - 1, crlf, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (outcome->signatures->len, ==, 1);
    sig = g_ptr_array_index (outcome->signatures, 0);
    g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
    g_clear_pointer (&outcome, cachet_crypto_outcome_free);
  }

  /* One changed byte: a bad signature, as a result. */
  tampered[strlen (tampered) - 3] = '?';
  outcome = run (loaded, &request, tampered, -1, sig_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcome->signatures->len, ==, 1);
  sig = g_ptr_array_index (outcome->signatures, 0);
  g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_BAD);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* Opaque signing is not something it does. */
  request = (CachetCryptoRequest) {
    .op = CACHET_CRYPTO_OP_SIGN,
    .flags = CACHET_CRYPTO_FLAG_OPAQUE,
    .signer = "alice@example.org",
  };
  g_clear_pointer (&signature, g_bytes_unref);
  outcome = run (loaded, &request, text, -1, NULL, &signature, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_UNSUPPORTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (argc != 2 || !g_path_is_absolute (argv[1]))
    {
      g_printerr ("usage: %s /PATH/TO/cachet-example.so\n", argv[0]);
      return 2;
    }
  plugin_path = argv[1];

  g_test_add_func ("/plugins/example/info", test_info);
  g_test_add_func ("/plugins/example/encrypt-decrypt", test_encrypt_decrypt);
  g_test_add_func ("/plugins/example/sign-verify", test_sign_verify);
  return g_test_run ();
}
