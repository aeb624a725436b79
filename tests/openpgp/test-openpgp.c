/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-openpgp"

#include "config.h"

#include "openpgp-test-world.h"

#include <glib/gstdio.h>
#include <string.h>

/* The OpenPGP plugin at the plugin level (PLUGIN-ABI.md group 10): the built
 * plugin loaded through cachet_crypto_load, ops run through
 * cachet_crypto_run, in a temporary GNUPGHOME with keys made by gpg. */

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

static void
test_info (void)
{
  const CachetCryptoPartInfo parts[] = {
    { sizeof (CachetCryptoPartInfo), "multipart/encrypted", "application/pgp-encrypted", NULL, NULL, NULL },
    { sizeof (CachetCryptoPartInfo), "multipart/signed", "application/pgp-signature", "pgp-sha256", NULL, NULL },
    { sizeof (CachetCryptoPartInfo), "application/pgp-signature", NULL, NULL, NULL, "signature.asc" },
    { sizeof (CachetCryptoPartInfo), "application/pgp-keys", NULL, NULL, NULL, NULL },
    { sizeof (CachetCryptoPartInfo), "multipart/signed", "application/pkcs7-signature", NULL, NULL, NULL },
    { sizeof (CachetCryptoPartInfo), "multipart/encrypted", NULL, NULL, NULL, NULL },
    { sizeof (CachetCryptoPartInfo), "text/plain", NULL, NULL, NULL, NULL },
    { sizeof (CachetCryptoPartInfo), NULL, NULL, NULL, NULL, NULL },
  };
  const int expected[] = {
    CACHET_CRYPTO_PART_ENCRYPTED, CACHET_CRYPTO_PART_SIGNED, CACHET_CRYPTO_PART_SIGNATURE,
    CACHET_CRYPTO_PART_KEYS, CACHET_CRYPTO_PART_NONE, CACHET_CRYPTO_PART_NONE,
    CACHET_CRYPTO_PART_NONE, CACHET_CRYPTO_PART_NONE,
  };
  const guint32 caps = CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT
                       | CACHET_CRYPTO_CAP_SIGN | CACHET_CRYPTO_CAP_VERIFY
                       | CACHET_CRYPTO_CAP_KEY_LOOKUP | CACHET_CRYPTO_CAP_KEY_IMPORT;

  SKIP_IF_NEEDED ();
  g_assert_cmpstr (world.loaded->info.id, ==, "org.cachet.OpenPGP");
  g_assert_cmpuint (world.loaded->info.capabilities, ==, caps);
  g_assert_cmpstrv (world.loaded->protocols, ((const char *const[]) { "openpgp", NULL }));
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    g_assert_cmpint (cachet_crypto_classify (world.loaded, &parts[i]), ==, expected[i]);
}

static void
test_roundtrip (gconstpointer data)
{
  const gsize sizes[] = { 0, 1, 1000, 5 * 1024 * 1024 };
  guint32 flags = GPOINTER_TO_UINT (data);
  const char *const to[] = { "alice@example.org", NULL };

  SKIP_IF_NEEDED ();
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) plain = random_bytes (sizes[i], (guint32) i + 1);
      g_autoptr(GBytes) cipher = encrypt_to (to, flags, NULL, plain);
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;

      if (flags & CACHET_CRYPTO_FLAG_ARMOR)
        g_assert_true (g_str_has_prefix (g_bytes_get_data (cipher, NULL),
                                         "-----BEGIN PGP MESSAGE-----"));
      else
        g_assert_false (g_bytes_get_size (cipher) > 5
                        && memcmp (g_bytes_get_data (cipher, NULL), "-----", 5) == 0);
      back = decrypt (cipher, 0, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (plain, back));
    }
}

static void
test_sign_detached (void)
{
  g_autoptr(GBytes) data = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) tampered = g_bytes_new_static ("Signed text!\r\n", 14);
  g_autoptr(CachetCryptoOutcome) good = NULL;
  g_autoptr(CachetCryptoOutcome) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *micalg = NULL;
  g_autofree char *hash = NULL;
  CachetCryptoSignatureResult *s;

  SKIP_IF_NEEDED ();
  sig = sign (data, CACHET_CRYPTO_FLAG_DETACHED | CACHET_CRYPTO_FLAG_ARMOR,
              "alice@example.org", NULL, &micalg, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (sig, NULL), "-----BEGIN PGP SIGNATURE-----"));
  g_assert_nonnull (micalg);
  g_assert_true (g_str_has_prefix (micalg, "pgp-sha"));
  g_test_message ("micalg=%s", micalg);

  good = verify_detached (data, sig, &error);
  g_assert_no_error (error);
  s = only_signature (good);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_true (s->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
  g_assert_cmpint (s->validity, >=, CACHET_CRYPTO_VALIDITY_FULL);
  g_assert_cmpstr (s->fingerprint, ==, world.alice);
  g_assert_cmpstr (s->signer_uid, ==, "Alice <alice@example.org>");
  g_assert_nonnull (s->pubkey_algorithm);
  hash = g_ascii_strdown (s->hash_algorithm, -1);
  g_assert_cmpstr (micalg + 4, ==, hash);
  g_assert_cmpint (s->created, >, 0);

  /* Tampered data: a result, not an error. */
  bad = verify_detached (tampered, sig, &error);
  g_assert_no_error (error);
  s = only_signature (bad);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_BAD);
  g_assert_false (s->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
}

static void
test_sign_opaque (gconstpointer data)
{
  guint32 flags = GPOINTER_TO_UINT (data);
  g_autoptr(GBytes) text = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  g_autoptr(GBytes) signed_data = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_VERIFY, .want_output = TRUE };
  CachetCryptoSignatureResult *s;

  SKIP_IF_NEEDED ();
  signed_data = sign (text, flags, world.alice, NULL, NULL, &error);
  g_assert_no_error (error);
  if (!(flags & CACHET_CRYPTO_FLAG_OPAQUE))
    g_assert_true (g_str_has_prefix (g_bytes_get_data (signed_data, NULL),
                                     "-----BEGIN PGP SIGNED MESSAGE-----"));
  op.input = signed_data;
  outcome = run (&op, &back, &error);
  g_assert_no_error (error);
  s = only_signature (outcome);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_cmpstr (s->fingerprint, ==, world.alice);
  /* A clearsigned text comes back without its trailing line break. */
  g_assert_true (g_str_has_prefix (SIGNED_TEXT, g_bytes_get_data (back, NULL))
                 || g_bytes_equal (back, text));
  g_assert_cmpuint (g_bytes_get_size (back), >=, strlen (SIGNED_TEXT) - 2);
}

static void
test_verify_key_states (void)
{
  g_autoptr(GBytes) data = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  g_autoptr(CachetCryptoOutcome) frank = NULL;
  g_autoptr(CachetCryptoOutcome) dave = NULL;
  g_autoptr(CachetCryptoOutcome) erin = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoSignatureResult *s;

  SKIP_IF_NEEDED ();
  /* A key the user does not have. */
  frank = verify_detached (data, world.frank_sig, &error);
  g_assert_no_error (error);
  s = only_signature (frank);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_NO_KEY);
  g_assert_true (s->summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_MISSING);
  g_assert_false (s->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
  g_assert_true (g_str_has_suffix (world.frank, s->fingerprint));

  /* Good signatures by an expired and by a revoked key: good, flagged, not
   * valid. */
  dave = verify_detached (data, world.dave_sig, &error);
  g_assert_no_error (error);
  s = only_signature (dave);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_true (s->summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED);
  g_assert_false (s->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
  g_assert_cmpstr (s->fingerprint, ==, world.dave);

  erin = verify_detached (data, world.erin_sig, &error);
  g_assert_no_error (error);
  s = only_signature (erin);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_true (s->summary & CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED);
  g_assert_false (s->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
  g_assert_cmpstr (s->signer_uid, ==, "Erin <erin@example.org>");
}

static void
assert_encrypt_refused (const char *who,
                        const char *reason)
{
  const char *const to[] = { "alice@example.org", who, NULL };
  g_autoptr(GBytes) plain = g_bytes_new_static ("x", 1);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("No usable OpenPGP key for %s: %s.", who, reason);
  Op op = { .op = CACHET_CRYPTO_OP_ENCRYPT, .recipients = to, .input = plain,
            .want_output = TRUE };

  outcome = run (&op, &cipher, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_NO_KEY);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_encrypt_refusals (void)
{
  SKIP_IF_NEEDED ();
  assert_encrypt_refused ("nobody@example.org", "there is no key for it in your keyring");
  /* Imported but not verified: refused, never "always trust". */
  assert_encrypt_refused ("carol@example.org", "the key is not verified");
  assert_encrypt_refused ("dave@example.org", "the key has expired");
  assert_encrypt_refused ("erin@example.org", "the key was revoked");
  assert_encrypt_refused (world.carol, "the key is not verified");
}

static void
test_encrypt_to_self (void)
{
  const char *const to[] = { "grace@example.org", NULL };
  g_autoptr(GBytes) plain = g_bytes_new_static ("for Grace", 9);
  g_autoptr(GBytes) only_grace = NULL;
  g_autoptr(GBytes) with_self = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NEEDED ();
  /* Grace's key is imported and verified: encrypting to her works, but the
   * user cannot read it back... */
  only_grace = encrypt_to (to, 0, "alice@example.org", plain);
  back = decrypt (only_grace, 0, NULL, NULL, &error);
  g_assert_null (back);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_NO_KEY);
  g_clear_error (&error);

  /* ... unless encrypted to self too. */
  with_self = encrypt_to (to, CACHET_CRYPTO_FLAG_TO_SELF, "alice@example.org", plain);
  back = decrypt (with_self, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, back));
}

static void
test_encrypt_sign (void)
{
  const char *const to[] = { "grace@example.org", NULL };
  g_autoptr(GBytes) plain = random_bytes (70000, 7);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  CachetCryptoSignatureResult *s;

  SKIP_IF_NEEDED ();
  cipher = encrypt_to (to, CACHET_CRYPTO_FLAG_TO_SELF | CACHET_CRYPTO_FLAG_ALSO_SIGN
                       | CACHET_CRYPTO_FLAG_ARMOR, "alice@example.org", plain);
  back = decrypt (cipher, CACHET_CRYPTO_FLAG_ALSO_SIGN, NULL, &outcome, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, back));
  s = only_signature (outcome);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_true (s->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
  g_assert_cmpstr (s->fingerprint, ==, world.alice);
}

static void
test_passphrase_sign (void)
{
  g_autoptr(GBytes) data = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) sig2 = NULL;
  g_autoptr(GBytes) sig3 = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  Prompt right = { .answers = { "bobpass" } };
  Prompt wrong_then_right = { .answers = { "nope", "bobpass" } };
  Prompt always_wrong = { .answers = { "a", "b", "c", "d" } };

  SKIP_IF_NEEDED ();
  sig = sign (data, CACHET_CRYPTO_FLAG_DETACHED, "bob@example.org", &right, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (right.n_asks, ==, 1);
  g_assert_false (right.again[0]);
  g_assert_nonnull (strstr (right.hint, "Bob <bob@example.org>"));
  outcome = verify_detached (data, sig, &error);
  g_assert_no_error (error);
  g_assert_cmpint (only_signature (outcome)->status, ==, CACHET_CRYPTO_SIG_GOOD);

  /* Wrong, then right: asked again with AGAIN set. */
  sig2 = sign (data, CACHET_CRYPTO_FLAG_DETACHED, "bob@example.org", &wrong_then_right,
               NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sig2);
  g_assert_cmpint (wrong_then_right.n_asks, ==, 2);
  g_assert_false (wrong_then_right.again[0]);
  g_assert_true (wrong_then_right.again[1]);

  /* Wrong three times: the op ends. */
  sig3 = sign (data, CACHET_CRYPTO_FLAG_DETACHED, "bob@example.org", &always_wrong,
               NULL, &error);
  g_assert_null (sig3);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_PASSPHRASE);
  g_assert_cmpint (always_wrong.n_asks, ==, 3);

  g_free (right.hint);
  g_free (wrong_then_right.hint);
  g_free (always_wrong.hint);
}

static void
test_passphrase_decrypt (void)
{
  const char *const to[] = { "bob@example.org", NULL };
  g_autoptr(GBytes) plain = random_bytes (300000, 3);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) none = NULL;
  g_autoptr(GError) error = NULL;
  Prompt wrong_then_right = { .answers = { "nope", "bobpass" } };
  Prompt cancel = { .answers = { NULL } };

  SKIP_IF_NEEDED ();
  cipher = encrypt_to (to, 0, NULL, plain);
  back = decrypt (cipher, 0, &wrong_then_right, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, back));
  g_assert_cmpint (wrong_then_right.n_asks, ==, 2);
  g_assert_true (wrong_then_right.again[1]);

  /* Cancel at the prompt. */
  none = decrypt (cipher, 0, &cancel, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cancel.n_asks, ==, 1);
  g_clear_error (&error);

  /* No prompt at all (the host has none): cancelled too. */
  none = decrypt (cipher, 0, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_free (wrong_then_right.hint);
  g_free (cancel.hint);
}

static void
test_passphrase_encrypt_sign (void)
{
  const char *const to[] = { "alice@example.org", NULL };
  g_autoptr(GBytes) plain = random_bytes (200000, 5);
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(CachetCryptoOutcome) outcome_2 = NULL;
  g_autoptr(CachetCryptoOutcome) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  Prompt wrong_then_right = { .answers = { "nope", "bobpass" } };
  Prompt cancel = { .answers = { NULL } };
  Op op = { .op = CACHET_CRYPTO_OP_ENCRYPT, .flags = CACHET_CRYPTO_FLAG_ALSO_SIGN,
            .recipients = to, .signer = "bob@example.org", .input = plain,
            .want_output = TRUE, .prompt = &wrong_then_right };

  SKIP_IF_NEEDED ();
  /* Signing while encrypting: the whole input is run again after the
   * wrong passphrase, and only the second run's output comes out. */
  outcome = run (&op, &cipher, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wrong_then_right.n_asks, ==, 2);
  g_assert_true (wrong_then_right.again[1]);
  back = decrypt (cipher, CACHET_CRYPTO_FLAG_ALSO_SIGN, NULL, &outcome_2, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, back));
  g_assert_cmpint (only_signature (outcome_2)->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_cmpstr (only_signature (outcome_2)->fingerprint, ==, world.bob);

  /* Cancel at the prompt while signing. */
  g_clear_pointer (&cipher, g_bytes_unref);
  op.prompt = &cancel;
  cancelled = run (&op, &cipher, &error);
  g_assert_null (cancelled);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (g_bytes_get_size (cipher), ==, 0);

  g_free (wrong_then_right.hint);
  g_free (cancel.hint);
}

/* Calls on several threads at once (the plugin claims no serialisation). */
static gpointer
roundtrip_thread (gpointer data)
{
  const char *const to[] = { "alice@example.org", NULL };
  guint32 seed = GPOINTER_TO_UINT (data);

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) plain = random_bytes (100000 + seed * 1000 + (guint32) i, seed * 10 + (guint32) i);
      g_autoptr(GBytes) cipher = NULL;
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GBytes) sig = NULL;
      g_autoptr(CachetCryptoOutcome) outcome = NULL;
      g_autoptr(GError) error = NULL;

      cipher = encrypt_to (to, (seed & 1) ? CACHET_CRYPTO_FLAG_ARMOR : 0, NULL, plain);
      back = decrypt (cipher, 0, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (plain, back));
      sig = sign (plain, CACHET_CRYPTO_FLAG_DETACHED, "alice@example.org", NULL, NULL, &error);
      g_assert_no_error (error);
      outcome = verify_detached (plain, sig, &error);
      g_assert_no_error (error);
      g_assert_cmpint (only_signature (outcome)->status, ==, CACHET_CRYPTO_SIG_GOOD);
    }
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];

  SKIP_IF_NEEDED ();
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("openpgp", roundtrip_thread, GUINT_TO_POINTER (i + 1));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* An input stream that cancels CANCELLABLE once AFTER bytes were read. */
typedef struct
{
  GInputStream  parent;
  GBytes       *bytes;
  gsize         pos;
  gsize         after;
  GCancellable *cancellable;
} CancelStream;

typedef GInputStreamClass CancelStreamClass;

GType cancel_stream_get_type (void);
G_DEFINE_TYPE (CancelStream, cancel_stream, G_TYPE_INPUT_STREAM)

static gssize
cancel_stream_read (GInputStream  *stream,
                    void          *buffer,
                    gsize          count,
                    GCancellable  *cancellable,
                    GError       **error)
{
  CancelStream *self = (CancelStream *) stream;
  gsize size = g_bytes_get_size (self->bytes);
  gsize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->pos >= self->after)
    {
      g_cancellable_cancel (self->cancellable);
      g_cancellable_set_error_if_cancelled (self->cancellable, error);
      return -1;
    }
  n = MIN (count, MIN (size - self->pos, 65536));
  memcpy (buffer, (const guint8 *) g_bytes_get_data (self->bytes, NULL) + self->pos, n);
  self->pos += n;
  return (gssize) n;
}

static void
cancel_stream_finalize (GObject *object)
{
  CancelStream *self = (CancelStream *) object;

  g_bytes_unref (self->bytes);
  g_object_unref (self->cancellable);
  G_OBJECT_CLASS (cancel_stream_parent_class)->finalize (object);
}

static void
cancel_stream_class_init (CancelStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cancel_stream_finalize;
  klass->read_fn = cancel_stream_read;
}

static void
cancel_stream_init (CancelStream *self)
{
}

static GInputStream *
cancel_stream_new (GBytes       *bytes,
                   gsize         after,
                   GCancellable *cancellable)
{
  CancelStream *self = g_object_new (cancel_stream_get_type (), NULL);

  self->bytes = g_bytes_ref (bytes);
  self->after = after;
  self->cancellable = g_object_ref (cancellable);
  return G_INPUT_STREAM (self);
}

static void
test_cancel_mid_stream (void)
{
  const char *const to[] = { "alice@example.org", NULL };
  g_autoptr(GBytes) plain = random_bytes (5 * 1024 * 1024, 11);
  g_autoptr(GBytes) cipher = encrypt_to (to, 0, NULL, plain);
  CachetCryptoOp ops[] = { CACHET_CRYPTO_OP_ENCRYPT, CACHET_CRYPTO_OP_DECRYPT };

  SKIP_IF_NEEDED ();
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GInputStream) input =
        cancel_stream_new (ops[i] == CACHET_CRYPTO_OP_ENCRYPT ? plain : cipher,
                           1024 * 1024, cancellable);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) output = NULL;
      g_autoptr(CachetCryptoOutcome) outcome = NULL;
      Op op = { .op = ops[i], .recipients = to, .input_stream = input,
                .want_output = TRUE, .cancellable = cancellable };

      outcome = run (&op, &output, &error);
      g_assert_null (outcome);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpuint (g_bytes_get_size (output), <, g_bytes_get_size (plain));
    }
}

static void
test_key_lookup (void)
{
  const char *const who[] = { "alice@example.org", "Carol@Example.org", "dave@example.org",
                              "erin@example.org", "nobody@example.org", world.bob, NULL };
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_KEY_LOOKUP, .recipients = who };
  CachetCryptoKeyResult *key;

  SKIP_IF_NEEDED ();
  outcome = run (&op, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outcome->keys->len, ==, 5);

  key = must_find_key_result (outcome, world.alice);
  g_assert_cmpint (key->validity, ==, CACHET_CRYPTO_VALIDITY_ULTIMATE);
  g_assert_cmpuint (key->flags, ==, CACHET_CRYPTO_KEY_CAN_ENCRYPT | CACHET_CRYPTO_KEY_CAN_SIGN
                                    | CACHET_CRYPTO_KEY_SECRET);
  g_assert_cmpstr (key->user_id, ==, "Alice <alice@example.org>");
  g_assert_cmpstr (key->address, ==, "alice@example.org");
  g_assert_cmpint (key->created, >, 0);
  g_assert_cmpint (key->expires, ==, 0);

  key = must_find_key_result (outcome, world.carol);
  g_assert_cmpint (key->validity, <, CACHET_CRYPTO_VALIDITY_MARGINAL);
  g_assert_true (key->flags & CACHET_CRYPTO_KEY_CAN_ENCRYPT);
  g_assert_false (key->flags & CACHET_CRYPTO_KEY_SECRET);

  key = must_find_key_result (outcome, world.dave);
  g_assert_true (key->flags & CACHET_CRYPTO_KEY_EXPIRED);
  g_assert_false (key->flags & CACHET_CRYPTO_KEY_CAN_ENCRYPT);
  g_assert_cmpint (key->expires, >, 0);

  key = must_find_key_result (outcome, world.erin);
  g_assert_true (key->flags & CACHET_CRYPTO_KEY_REVOKED);

  key = must_find_key_result (outcome, world.bob);
  g_assert_true (key->flags & CACHET_CRYPTO_KEY_SECRET);
  g_assert_cmpstr (key->address, ==, "bob@example.org");
}

static void
test_key_import (void)
{
  const char *const who[] = { "henry@example.org", NULL };
  g_autoptr(CachetCryptoOutcome) imported = NULL;
  g_autoptr(CachetCryptoOutcome) found = NULL;
  g_autoptr(CachetCryptoOutcome) garbage = NULL;
  g_autoptr(GBytes) junk = g_bytes_new_static ("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n", 47);
  g_autoptr(GError) error = NULL;
  Op import = { .op = CACHET_CRYPTO_OP_KEY_IMPORT, .input = world.henry_key };
  Op lookup = { .op = CACHET_CRYPTO_OP_KEY_LOOKUP, .recipients = who };
  Op bad = { .op = CACHET_CRYPTO_OP_KEY_IMPORT, .input = junk };
  CachetCryptoKeyResult *key;

  SKIP_IF_NEEDED ();
  imported = run (&import, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->keys->len, ==, 1);
  key = g_ptr_array_index (imported->keys, 0);
  g_assert_cmpstr (key->fingerprint, ==, world.henry);
  g_assert_cmpstr (key->user_id, ==, "Henry <henry@example.org>");
  g_assert_false (key->flags & CACHET_CRYPTO_KEY_SECRET);

  found = run (&lookup, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_key_result (found, world.henry));

  garbage = run (&bad, NULL, &error);
  g_assert_null (garbage);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
  g_test_message ("%s", error->message);
}

static void
test_garbage (void)
{
  g_autoptr(GBytes) junk = random_bytes (100000, 99);
  g_autoptr(GBytes) armored_junk =
    g_bytes_new_static ("-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n", 60);
  g_autoptr(GBytes) text = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  GBytes *inputs[] = { junk, armored_junk, text };
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  SKIP_IF_NEEDED ();
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      g_autoptr(CachetCryptoOutcome) outcome = NULL;
      Op opaque = { .op = CACHET_CRYPTO_OP_VERIFY, .input = inputs[i], .want_output = TRUE };
      Op detached = { .op = CACHET_CRYPTO_OP_VERIFY, .input = text, .signature = inputs[i] };

      out = decrypt (inputs[i], CACHET_CRYPTO_FLAG_ALSO_SIGN, NULL, NULL, &error);
      g_assert_null (out);
      g_assert_nonnull (error);
      g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
      g_test_message ("decrypt: %s", error->message);
      g_clear_error (&error);

      outcome = run (&opaque, &out, &error);
      g_assert_null (outcome);
      g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
      g_test_message ("verify opaque: %s", error->message);
      g_clear_error (&error);

      outcome = run (&detached, NULL, &error);
      g_assert_null (outcome);
      g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
      g_test_message ("verify detached: %s", error->message);
    }

  /* Empty input. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out = decrypt (empty, 0, NULL, NULL, &error);

    g_assert_null (out);
    g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
  }
}

/* Both ways with the gpg command line. */
static void
test_interop_gpg (void)
{
  const char *const to[] = { "grace@example.org", NULL };
  g_autoptr(GBytes) plain = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  g_autoptr(GBytes) cipher = NULL;
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) gpg_cipher = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_file = NULL;
  g_autofree char *sig_file = NULL;
  g_autofree char *out = NULL;
  char *text;

  SKIP_IF_NEEDED ();
  /* Ours, read by gpg. */
  cipher = encrypt_to (to, CACHET_CRYPTO_FLAG_ARMOR | CACHET_CRYPTO_FLAG_TO_SELF
                       | CACHET_CRYPTO_FLAG_ALSO_SIGN, "alice@example.org", plain);
  text = g_strndup (g_bytes_get_data (cipher, NULL), g_bytes_get_size (cipher));
  out = GPG (world.home, text, "--decrypt");
  g_free (text);
  g_assert_cmpstr (out, ==, SIGNED_TEXT);
  g_clear_pointer (&out, g_free);

  sig = sign (plain, CACHET_CRYPTO_FLAG_DETACHED | CACHET_CRYPTO_FLAG_ARMOR,
              "alice@example.org", NULL, NULL, &error);
  g_assert_no_error (error);
  data_file = g_build_filename (world.home, "interop.txt", NULL);
  sig_file = g_build_filename (world.home, "interop.txt.asc", NULL);
  g_assert_true (g_file_set_contents (data_file, SIGNED_TEXT, -1, NULL));
  g_assert_true (g_file_set_contents (sig_file, g_bytes_get_data (sig, NULL),
                                      (gssize) g_bytes_get_size (sig), NULL));
  out = GPG (world.home, NULL, "--verify", sig_file, data_file);   /* fails the test if bad */
  g_clear_pointer (&out, g_free);

  /* gpg's, read by us. */
  out = GPG (world.home, SIGNED_TEXT, "--pinentry-mode", "loopback", "--passphrase", "",
             "--armor", "--local-user", world.alice, "--recipient", world.alice,
             "--encrypt", "--sign");
  gpg_cipher = g_bytes_new (out, strlen (out));
  back = decrypt (gpg_cipher, CACHET_CRYPTO_FLAG_ALSO_SIGN, NULL, &outcome, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, plain));
  g_assert_cmpint (only_signature (outcome)->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_cmpstr (only_signature (outcome)->fingerprint, ==, world.alice);
  g_unlink (data_file);
  g_unlink (sig_file);
}

/* ------------------------------------------------------------------------ */
/* Public samples (the corpus option): real keys and messages of others     */

static GBytes *
corpus_file (const char *corpus,
             const char *path)
{
  g_autofree char *full = g_build_filename (corpus, path, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_file_get_contents (full, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Public keys go through the plugin's key import.  Secret keys are
 * refused there (mail brings only public keys, whole data refused, nothing
 * imported); they are imported with gpg, and the plugin's key lookup must
 * then see the secret part. */
static void
import_corpus_key (const char *corpus,
                   const char *path,
                   const char *fpr,
                   gboolean    secret,
                   Prompt     *prompt)
{
  g_autoptr(GBytes) key = corpus_file (corpus, path);
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_KEY_IMPORT, .input = key, .prompt = prompt };
  CachetCryptoKeyResult *result;

  outcome = run (&op, NULL, &error);
  if (secret)
    {
      g_autofree char *file = g_build_filename (corpus, path, NULL);
      g_autofree char *out = NULL;
      const char *const lookup_for[] = { fpr, NULL };
      Op lookup = { .op = CACHET_CRYPTO_OP_KEY_LOOKUP, .recipients = lookup_for };

      g_assert_null (outcome);
      g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_BAD_DATA);
      g_assert_nonnull (strstr (error->message, "secret key"));
      g_clear_error (&error);
      out = GPG (world.home, NULL, "--pinentry-mode", "loopback", "--passphrase",
                 prompt != NULL && prompt->answers[0] != NULL ? prompt->answers[0] : "",
                 "--import", file);
      outcome = run (&lookup, NULL, &error);
    }
  g_assert_no_error (error);
  result = must_find_key_result (outcome, fpr);
  g_assert_cmpint (!!(result->flags & CACHET_CRYPTO_KEY_SECRET), ==, !!secret);
}

static gboolean
bytes_contain (GBytes     *bytes,
               const char *needle)
{
  return g_strstr_len (g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                       needle) != NULL;
}

static void
test_corpus (void)
{
  const char *corpus = g_getenv ("CACHET_TEST_CORPUS");
  const char *tb_keys = "thunderbird/browser-openpgp/keys/";
  const char *tb_alice = "EB85BB5FA33A75E15E944E63F231550C4F47E38E";
  const char *tb_bob = "D1A66E1A23B182C9980F788CFBFCC82A015E7330";
  const char *gmime = "DA26DAB7572A1C5F2AB1A74BB47760E95182C200";
  g_autofree char *alice_sec = NULL;
  g_autofree char *bob_pub = NULL;
  Prompt gmime_prompt = { .answers = { "no.secret", "no.secret", "no.secret" } };

  SKIP_IF_NEEDED ();
  if (corpus == NULL || corpus[0] == '\0')
    {
      g_test_skip ("no corpus (meson option corpus)");
      return;
    }
  alice_sec = g_strconcat (tb_keys, "alice@openpgp.example-0xf231550c4f47e38e-secret.asc", NULL);
  bob_pub = g_strconcat (tb_keys, "bob@openpgp.example-0xfbfcc82a015e7330-pub.asc", NULL);
  import_corpus_key (corpus, alice_sec, tb_alice, TRUE, NULL);
  import_corpus_key (corpus, bob_pub, tb_bob, FALSE, NULL);
  import_corpus_key (corpus, "gmime/pgp/gmime.gpg.sec", gmime, TRUE, &gmime_prompt);
  import_corpus_key (corpus, "autocrypt/bob@autocrypt.example.sec.asc",
                     "F0541EA82D3100AA1ADF3B1EE30E6FDD45901F82", TRUE, NULL);

  /* Thunderbird: PGP/MIME to Alice; inside, Bob's multipart/signed. */
  {
    g_autoptr(GBytes) mail = corpus_file (corpus, "thunderbird/browser-openpgp/eml/"
                                          "signed-by-0xfbfcc82a015e7330-encrypted-to-0xf231550c4f47e38e.eml");
    g_autoptr(GBytes) plain = NULL;
    g_autoptr(GError) error = NULL;

    plain = decrypt (mail, CACHET_CRYPTO_FLAG_ALSO_SIGN, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (bytes_contain (plain, "multipart/signed"));
    g_assert_true (bytes_contain (plain, "application/pgp-signature"));
  }

  /* Autocrypt: encrypted to Bob and signed inside by Alice, whose key is
   * in the keyring but not verified. */
  {
    g_autoptr(GBytes) mail = corpus_file (corpus, "autocrypt/example-gossip.eml");
    g_autoptr(GBytes) plain = NULL;
    g_autoptr(CachetCryptoOutcome) outcome = NULL;
    g_autoptr(GError) error = NULL;
    CachetCryptoSignatureResult *sig;

    plain = decrypt (mail, CACHET_CRYPTO_FLAG_ALSO_SIGN, NULL, &outcome, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (plain), >, 0);
    sig = only_signature (outcome);
    g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
    g_assert_cmpstr (sig->fingerprint, ==, tb_alice);
    g_assert_false (sig->summary & CACHET_CRYPTO_SIG_SUMMARY_VALID);
    g_assert_cmpint (sig->validity, <, CACHET_CRYPTO_VALIDITY_MARGINAL);
  }

  /* GMime: inline PGP, encrypted (passphrase key) and clear-signed. */
  {
    g_autoptr(GBytes) mail = corpus_file (corpus, "gmime/pgp/encrypted-message.txt");
    g_autoptr(GBytes) plain = NULL;
    g_autoptr(GError) error = NULL;
    Prompt prompt = { .answers = { "no.secret" } };

    plain = decrypt (mail, 0, &prompt, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (bytes_contain (plain, "This is the message body."));
    g_assert_cmpint (prompt.n_asks, ==, 1);
    g_free (prompt.hint);
  }
  {
    g_autoptr(GBytes) mail = corpus_file (corpus, "gmime/pgp/signed-message.txt");
    g_autoptr(GBytes) plain = NULL;
    g_autoptr(CachetCryptoOutcome) outcome = NULL;
    g_autoptr(GError) error = NULL;
    Op op = { .op = CACHET_CRYPTO_OP_VERIFY, .input = mail, .want_output = TRUE };
    CachetCryptoSignatureResult *sig;

    outcome = run (&op, &plain, &error);
    g_assert_no_error (error);
    sig = only_signature (outcome);
    g_assert_cmpint (sig->status, ==, CACHET_CRYPTO_SIG_GOOD);
    g_assert_cmpstr (sig->fingerprint, ==, gmime);
    g_assert_true (bytes_contain (plain, "This is the message body."));
  }
  g_free (gmime_prompt.hint);
}

/* A key with several addresses: the signer reported is the user ID with
 * the message's From address, so the host's From check does not warn
 * about a key that does carry that address. */
static void
test_signer_uid_for_sender (void)
{
  g_autoptr(GBytes) data = g_bytes_new_static (SIGNED_TEXT, strlen (SIGNED_TEXT));
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(CachetCryptoOutcome) plain = NULL;
  g_autoptr(CachetCryptoOutcome) work = NULL;
  g_autoptr(CachetCryptoOutcome) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_VERIFY };
  CachetCryptoSignatureResult *s;

  SKIP_IF_NEEDED ();
  out = GPG (world.home, NULL, "--pinentry-mode", "loopback", "--passphrase", "",
             "--quick-add-uid", world.alice, "Alice at Work <alice@work.example>");
  sig = sign (data, CACHET_CRYPTO_FLAG_DETACHED | CACHET_CRYPTO_FLAG_ARMOR,
              "alice@example.org", NULL, NULL, &error);
  g_assert_no_error (error);
  op.input = data;
  op.signature = sig;

  /* Whichever user ID gpg lists first, the From address picks its own. */
  op.sender = "alice@example.org";
  plain = run (&op, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only_signature (plain)->signer_uid, ==, "Alice <alice@example.org>");

  op.sender = "ALICE@work.example";
  work = run (&op, NULL, &error);
  g_assert_no_error (error);
  s = only_signature (work);
  g_assert_cmpint (s->status, ==, CACHET_CRYPTO_SIG_GOOD);
  g_assert_cmpstr (s->signer_uid, ==, "Alice at Work <alice@work.example>");
  g_assert_cmpint (s->validity, >=, CACHET_CRYPTO_VALIDITY_FULL);

  /* An address the key does not have: one of its own user IDs, so the
   * host sees the mismatch. */
  op.sender = "mallory@example.net";
  other = run (&op, NULL, &error);
  g_assert_no_error (error);
  s = only_signature (other);
  g_assert_true (g_strcmp0 (s->signer_uid, "Alice <alice@example.org>") == 0
                 || g_strcmp0 (s->signer_uid, "Alice at Work <alice@work.example>") == 0);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *gpg_path = NULL;
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  gpg_path = g_find_program_in_path ("gpg");
  if (gpg_path == NULL)
    {
      g_print ("1..0 # SKIP gpg is not installed\n");
      return 0;
    }

  world_set_up ();
  load_plugin ();

  g_test_add_func ("/openpgp/info", test_info);
  g_test_add_data_func ("/openpgp/roundtrip/binary", GUINT_TO_POINTER (0), test_roundtrip);
  g_test_add_data_func ("/openpgp/roundtrip/armored",
                        GUINT_TO_POINTER (CACHET_CRYPTO_FLAG_ARMOR), test_roundtrip);
  g_test_add_func ("/openpgp/sign/detached", test_sign_detached);
  g_test_add_data_func ("/openpgp/sign/opaque",
                        GUINT_TO_POINTER (CACHET_CRYPTO_FLAG_OPAQUE), test_sign_opaque);
  g_test_add_data_func ("/openpgp/sign/opaque-armored",
                        GUINT_TO_POINTER (CACHET_CRYPTO_FLAG_OPAQUE | CACHET_CRYPTO_FLAG_ARMOR),
                        test_sign_opaque);
  g_test_add_data_func ("/openpgp/sign/clearsign", GUINT_TO_POINTER (0), test_sign_opaque);
  g_test_add_func ("/openpgp/verify/key-states", test_verify_key_states);
  g_test_add_func ("/openpgp/encrypt/refusals", test_encrypt_refusals);
  g_test_add_func ("/openpgp/encrypt/to-self", test_encrypt_to_self);
  g_test_add_func ("/openpgp/encrypt/sign-and-verify", test_encrypt_sign);
  g_test_add_func ("/openpgp/passphrase/sign", test_passphrase_sign);
  g_test_add_func ("/openpgp/passphrase/decrypt", test_passphrase_decrypt);
  g_test_add_func ("/openpgp/passphrase/encrypt-sign", test_passphrase_encrypt_sign);
  g_test_add_func ("/openpgp/cancel/mid-stream", test_cancel_mid_stream);
  g_test_add_func ("/openpgp/threads", test_threads);
  g_test_add_func ("/openpgp/keys/lookup", test_key_lookup);
  g_test_add_func ("/openpgp/keys/import", test_key_import);
  g_test_add_func ("/openpgp/garbage", test_garbage);
  g_test_add_func ("/openpgp/samples/interop-gpg", test_interop_gpg);
  g_test_add_func ("/openpgp/samples/corpus", test_corpus);
  /* Last: it adds a user ID to Alice's key. */
  g_test_add_func ("/openpgp/verify/signer-for-sender", test_signer_uid_for_sender);

  ret = g_test_run ();
  world_tear_down ();
  return ret;
}
