/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-abi"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cachet-crypto-call.h"
#include "cachet-crypto-error.h"
#include "cachet-crypto-loader.h"

#include "abi-test-util.h"

/* PLUGIN-ABI.md group 6: a plugin built from the frozen 1.0 header runs
 * the whole op matrix in today's host (plugins/abi-old-plugin.c), and so
 * does one whose info and ops tables are longer than the host's, with bad
 * pointers in the tails the host must ignore. */

typedef struct
{
  char               *dir;
  CachetCryptoLoaded *loaded;
} Fixture;

/* Copies the fixture into a fresh 0755 folder under the build directory
 * (see test-abi-loader.c) and loads it. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *name = data;
  g_autofree char *file = g_strconcat ("abi-plugin-", name, ".so", NULL);
  g_autofree char *dest = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = abi_test_make_dir ("old-tmp");
  dest = abi_test_install_plugin (f->dir, name, file);
  f->loaded = cachet_crypto_load (dest, NULL, &error);
  if (f->loaded == NULL && abi_test_skip_unsafe (error))
    return;
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->loaded, cachet_crypto_loaded_free);
  abi_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Runs OP on INPUT (and SIGNATURE); returns the outcome and sets *OUTPUT
 * to what was written. */
static CachetCryptoOutcome *
run (Fixture              *f,
     CachetCryptoRequest  *request,
     const char           *input,
     const char           *signature,
     char                **output,
     GError              **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GInputStream) sig = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  CachetCryptoOutcome *outcome;

  request->protocol = "old10";
  if (input != NULL)
    in = g_memory_input_stream_new_from_data (input, (gssize) strlen (input), NULL);
  if (signature != NULL)
    sig = g_memory_input_stream_new_from_data (signature, (gssize) strlen (signature), NULL);
  request->input = in;
  request->signature = sig;
  request->output = output != NULL ? out : NULL;
  outcome = cachet_crypto_run (f->loaded, request, error);
  request->input = NULL;
  request->signature = NULL;
  request->output = NULL;
  if (output != NULL)
    {
      g_output_stream_write (out, "", 1, NULL, NULL);
      g_output_stream_close (out, NULL, NULL);
      *output = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    }
  return outcome;
}

static void
assert_signature (CachetCryptoOutcome *outcome,
                  const char          *signer,
                  int                  status)
{
  g_autofree char *fingerprint = g_strconcat ("OLD10-", signer, NULL);
  CachetCryptoSignatureResult *sig;

  g_assert_cmpuint (outcome->signatures->len, ==, 1);
  sig = g_ptr_array_index (outcome->signatures, 0);
  g_assert_cmpint (sig->status, ==, status);
  g_assert_cmpuint (sig->summary, ==,
                    status == CACHET_CRYPTO_SIG_GOOD ? CACHET_CRYPTO_SIG_SUMMARY_VALID : 0);
  g_assert_cmpint (sig->validity, ==, CACHET_CRYPTO_VALIDITY_FULL);
  g_assert_cmpstr (sig->fingerprint, ==, fingerprint);
  g_assert_cmpstr (sig->signer_uid, ==, signer);
  g_assert_cmpstr (sig->pubkey_algorithm, ==, "old-xor");
  g_assert_cmpstr (sig->hash_algorithm, ==, "old-fnv");
  g_assert_cmpint (sig->created, ==, 1500000000);
  g_assert_cmpint (sig->expires, ==, 0);
  g_assert_cmpstr (sig->detail, ==,
                   status == CACHET_CRYPTO_SIG_GOOD ? "checksum matches" : "checksum differs");
}

static void
test_info (Fixture       *f,
           gconstpointer  data)
{
  gboolean longer = strstr (data, "longer") != NULL;
  const CachetCryptoPluginInfo *info;
  g_autofree char *text = NULL;

  if (f->loaded == NULL)
    return;
  info = &f->loaded->info;
  g_assert_cmpstr (info->id, ==, longer ? "org.cachet.test.Old10Longer" : "org.cachet.test.Old10");
  g_assert_cmpuint (info->abi_minor_required, ==, 0);
  if (longer)
    g_assert_cmpuint (info->struct_size, >, sizeof (CachetCryptoPluginInfo));
  /* Every op is there; nothing past the host's table was taken. */
  g_assert_nonnull (f->loaded->ops.classify);
  g_assert_nonnull (f->loaded->ops.key_import);
  g_assert_cmpuint (f->loaded->ops.struct_size, >=, CACHET_CRYPTO_OPS_SIZE_1_0);
  text = cachet_crypto_loaded_describe (f->loaded);
  g_assert_nonnull (strstr (text, "Capabilities: encrypt, decrypt, sign, verify, "
                                  "key-lookup, key-import\n"));
  g_assert_nonnull (strstr (text, "Protocols: old10\n"));
}

static void
test_classify (Fixture       *f,
               gconstpointer  data)
{
  static const struct
  {
    const char *content_type;
    const char *protocol;
    int         kind;
  } parts[] = {
    { "multipart/encrypted", "application/x-old10-encrypted", CACHET_CRYPTO_PART_ENCRYPTED },
    { "multipart/encrypted", "application/pgp-encrypted", CACHET_CRYPTO_PART_NONE },
    { "multipart/signed", "application/x-old10-signature", CACHET_CRYPTO_PART_SIGNED },
    { "application/x-old10-signature", NULL, CACHET_CRYPTO_PART_SIGNATURE },
    { "application/x-old10-keys", NULL, CACHET_CRYPTO_PART_KEYS },
    { "text/plain", NULL, CACHET_CRYPTO_PART_NONE },
    { NULL, NULL, CACHET_CRYPTO_PART_NONE },
  };

  if (f->loaded == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      CachetCryptoPartInfo part = {
        .struct_size = sizeof part,
        .content_type = parts[i].content_type,
        .protocol = parts[i].protocol,
      };
      g_assert_cmpint (cachet_crypto_classify (f->loaded, &part), ==, parts[i].kind);
    }
}

static void
test_encrypt_decrypt (Fixture       *f,
                      gconstpointer  data)
{
  static const char text[] = "Dear Bob,\r\nthe old plugin still works.\r\n";
  static const char *const recipients[] = { "bob@example.org", "carol@example.org", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *garbage = NULL;
  CachetCryptoRequest request = { 0 };

  if (f->loaded == NULL)
    return;
  request.op = CACHET_CRYPTO_OP_ENCRYPT;
  request.flags = CACHET_CRYPTO_FLAG_ALSO_SIGN;
  request.recipients = recipients;
  request.signer = "alice@example.org";
  outcome = run (f, &request, text, NULL, &sealed, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (sealed, "OLD1\nto=bob@example.org,carol@example.org\n"
                                           "by=alice@example.org\n"));
  g_assert_null (strstr (sealed, "old plugin"));
  g_assert_cmpstr (g_hash_table_lookup (outcome->values, "content-type"), ==,
                   "application/x-old10-encrypted");
  g_assert_cmpuint (outcome->signatures->len, ==, 0);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_DECRYPT };
  outcome = run (f, &request, sealed, NULL, &opened, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened, ==, text);
  assert_signature (outcome, "alice@example.org", CACHET_CRYPTO_SIG_GOOD);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* Damaged input: the plugin's own sentence. */
  outcome = run (f, &request, "not encrypted", NULL, &garbage, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
  g_assert_cmpstr (error->message, ==, "This is not an old-1.0 message.");
  g_clear_error (&error);

  /* No recipient. */
  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_ENCRYPT };
  outcome = run (f, &request, text, NULL, NULL, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_NO_KEY);
}

static void
test_sign_verify (Fixture       *f,
                  gconstpointer  data)
{
  static const char text[] = "Signed text.\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *opaque = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *tampered = NULL;
  CachetCryptoRequest request = { 0 };

  if (f->loaded == NULL)
    return;
  /* Detached. */
  request.op = CACHET_CRYPTO_OP_SIGN;
  request.flags = CACHET_CRYPTO_FLAG_DETACHED | CACHET_CRYPTO_FLAG_ARMOR;
  request.signer = "alice@example.org";
  outcome = run (f, &request, text, NULL, &signature, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (signature, "OLDSIG alice@example.org "));
  g_assert_cmpstr (g_hash_table_lookup (outcome->values, "micalg"), ==, "pgp-old10");
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_VERIFY };
  outcome = run (f, &request, text, signature, NULL, &error);
  g_assert_no_error (error);
  assert_signature (outcome, "alice@example.org", CACHET_CRYPTO_SIG_GOOD);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* A bad signature is a result, not an error. */
  outcome = run (f, &request, "Signed text!\r\n", signature, NULL, &error);
  g_assert_no_error (error);
  assert_signature (outcome, "alice@example.org", CACHET_CRYPTO_SIG_BAD);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* Opaque: the signed text comes back out of verify. */
  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_SIGN };
  request.flags = CACHET_CRYPTO_FLAG_OPAQUE;
  request.signer = "alice@example.org";
  outcome = run (f, &request, text, NULL, &opaque, &error);
  g_assert_no_error (error);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_VERIFY };
  outcome = run (f, &request, opaque, NULL, &inner, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (inner, ==, text);
  assert_signature (outcome, "alice@example.org", CACHET_CRYPTO_SIG_GOOD);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  tampered = g_strdup (opaque);
  tampered[strlen (tampered) - 3] ^= 1;
  g_clear_pointer (&inner, g_free);
  outcome = run (f, &request, tampered, NULL, &inner, &error);
  g_assert_no_error (error);
  assert_signature (outcome, "alice@example.org", CACHET_CRYPTO_SIG_BAD);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  /* Not a signature at all. */
  outcome = run (f, &request, text, "junk", NULL, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
  g_assert_cmpstr (error->message, ==, "This is not an old-1.0 signature.");
}

static char *
passphrase_cb (const char *key_hint,
               const char *description,
               gboolean    again,
               gpointer    user_data)
{
  const char *answer = user_data;

  g_assert_cmpstr (key_hint, ==, "OLD10-locked@example.org");
  g_assert_cmpstr (description, ==, "Unlock the old key");
  return g_strdup (answer);
}

/* A signing key behind a passphrase, through the host's prompt. */
static void
test_passphrase (Fixture       *f,
                 gconstpointer  data)
{
  static const char text[] = "Locked.\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autofree char *signature = NULL;
  CachetCryptoRequest request = { 0 };

  if (f->loaded == NULL)
    return;
  request.op = CACHET_CRYPTO_OP_SIGN;
  request.signer = "locked@example.org";
  request.ask_passphrase = passphrase_cb;
  request.ask_passphrase_data = (gpointer) "open sesame";
  outcome = run (f, &request, text, NULL, &signature, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (signature, "OLDSIG locked@example.org "));
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request.ask_passphrase_data = (gpointer) "guess";
  outcome = run (f, &request, text, NULL, NULL, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_PASSPHRASE);
  g_assert_cmpstr (error->message, ==, "The old key stays locked.");
  g_clear_error (&error);

  request.ask_passphrase_data = NULL;  /* the user cancels */
  outcome = run (f, &request, text, NULL, NULL, &error);
  g_assert_null (outcome);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
assert_key (CachetCryptoKeyResult *key,
            const char            *address,
            int                    validity)
{
  g_autofree char *fingerprint = g_strconcat ("OLD10-", address, NULL);
  g_autofree char *user_id = g_strdup_printf ("Old Key <%s>", address);

  g_assert_cmpstr (key->fingerprint, ==, fingerprint);
  g_assert_cmpstr (key->user_id, ==, user_id);
  g_assert_cmpstr (key->address, ==, address);
  g_assert_cmpint (key->validity, ==, validity);
  g_assert_cmpuint (key->flags, ==, CACHET_CRYPTO_KEY_CAN_ENCRYPT | CACHET_CRYPTO_KEY_CAN_SIGN);
  g_assert_cmpint (key->created, ==, 1400000000);
  g_assert_cmpint (key->expires, ==, 1900000000);
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  static const char *const known[] = { "bob@example.org", "carol@example.org", NULL };
  static const char *const unknown[] = { "bob@example.org", "nobody@example.org", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { 0 };

  if (f->loaded == NULL)
    return;
  request.op = CACHET_CRYPTO_OP_KEY_LOOKUP;
  request.recipients = known;
  outcome = run (f, &request, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcome->keys->len, ==, 2);
  assert_key (g_ptr_array_index (outcome->keys, 0), "bob@example.org",
              CACHET_CRYPTO_VALIDITY_FULL);
  assert_key (g_ptr_array_index (outcome->keys, 1), "carol@example.org",
              CACHET_CRYPTO_VALIDITY_FULL);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request.recipients = unknown;
  outcome = run (f, &request, NULL, NULL, NULL, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_NO_KEY);
  g_assert_cmpstr (error->message, ==, "No key for nobody@example.org.");
  g_clear_error (&error);

  request = (CachetCryptoRequest) { .op = CACHET_CRYPTO_OP_KEY_IMPORT };
  outcome = run (f, &request, "OLD10-KEYS\ndave@example.org\n\nerin@example.org", NULL, NULL,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcome->keys->len, ==, 2);
  assert_key (g_ptr_array_index (outcome->keys, 0), "dave@example.org",
              CACHET_CRYPTO_VALIDITY_UNKNOWN);
  assert_key (g_ptr_array_index (outcome->keys, 1), "erin@example.org",
              CACHET_CRYPTO_VALIDITY_UNKNOWN);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  outcome = run (f, &request, "no keys", NULL, NULL, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
}

int
main (int argc, char **argv)
{
  static const char *const fixtures[] = { "old-1.0", "old-1.0-longer" };
  static const struct
  {
    const char *name;
    void      (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "info", test_info },
    { "classify", test_classify },
    { "encrypt-decrypt", test_encrypt_decrypt },
    { "sign-verify", test_sign_verify },
    { "passphrase", test_passphrase },
    { "keys", test_keys },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (fixtures); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (tests); j++)
      {
        g_autofree char *path = g_strdup_printf ("/abi/old-plugin/%s/%s", fixtures[i],
                                                 tests[j].name);
        g_test_add (path, Fixture, fixtures[i], fixture_set_up, tests[j].func,
                    fixture_tear_down);
      }
  return g_test_run ();
}
