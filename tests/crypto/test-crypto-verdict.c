/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-crypto"

#include "config.h"

#include <string.h>

#include "crypto-test-common.h"

/* The status bar's words for every case, from hand-made results. */

static CachetCryptoOpened *
opened_new (void)
{
  CachetCryptoOpened *opened = g_new0 (CachetCryptoOpened, 1);

  opened->signatures = g_ptr_array_new_with_free_func (cachet_crypto_signature_result_free);
  opened->message = g_bytes_new_static ("", 0);
  return opened;
}

static void
add_sig (CachetCryptoOpened *opened,
         int                 status,
         guint32             summary,
         int                 validity,
         const char         *uid)
{
  CachetCryptoSignatureResult *sig = g_new0 (CachetCryptoSignatureResult, 1);

  sig->status = status;
  sig->summary = summary;
  sig->validity = validity;
  sig->fingerprint = g_strdup ("0123456789ABCDEF0123456789ABCDEF01234567");
  sig->signer_uid = g_strdup (uid);
  sig->hash_algorithm = g_strdup ("SHA256");
  sig->created = 1700000000;
  sig->detail = g_strdup ("Plugin detail.");
  opened->is_signed = TRUE;
  g_ptr_array_add (opened->signatures, sig);
}

static void
check (CachetCryptoOpened       *opened,
       const char               *from,
       CachetCryptoVerdictLevel  level,
       const char               *title)
{
  g_autoptr(CachetCryptoVerdict) verdict = cachet_crypto_verdict_new (opened, from);

  g_assert_nonnull (verdict);
  g_assert_cmpstr (verdict->title, ==, title);
  g_assert_cmpint (verdict->level, ==, level);
  g_assert_nonnull (verdict->detail);
  g_assert_true (g_utf8_validate (verdict->title, -1, NULL));
  g_assert_null (strchr (verdict->title, '\n'));
}

#define ALICE "Alice Example <alice@example.org>"

static void
test_good (void)
{
  g_autoptr(CachetCryptoOpened) full = opened_new ();
  g_autoptr(CachetCryptoOpened) ultimate = opened_new ();
  g_autoptr(CachetCryptoVerdict) verdict = NULL;

  add_sig (full, CACHET_CRYPTO_SIG_GOOD, CACHET_CRYPTO_SIG_SUMMARY_VALID, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (full, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD, "Signature good (alice@example.org)");
  /* From given as a whole address, and in another case. */
  check (full, "Alice <ALICE@example.org>", CACHET_CRYPTO_VERDICT_GOOD, "Signature good (alice@example.org)");
  /* No From to compare with. */
  check (full, NULL, CACHET_CRYPTO_VERDICT_GOOD, "Signature good (alice@example.org)");

  add_sig (ultimate, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_ULTIMATE, "alice@example.org");
  check (ultimate, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD, "Signature good (alice@example.org)");

  verdict = cachet_crypto_verdict_new (full, "alice@example.org");
  g_assert_nonnull (strstr (verdict->detail, "Signer: " ALICE));
  g_assert_nonnull (strstr (verdict->detail, "0123456789ABCDEF0123456789ABCDEF01234567"));
  g_assert_nonnull (strstr (verdict->detail, "Plugin detail."));
}

static void
test_not_verified (void)
{
  static const int validities[] = {
    CACHET_CRYPTO_VALIDITY_MARGINAL, CACHET_CRYPTO_VALIDITY_UNKNOWN,
    CACHET_CRYPTO_VALIDITY_UNDEFINED, CACHET_CRYPTO_VALIDITY_NEVER,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (validities); i++)
    {
      g_autoptr(CachetCryptoOpened) opened = opened_new ();

      add_sig (opened, CACHET_CRYPTO_SIG_GOOD, 0, validities[i], ALICE);
      check (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_INFO,
             "Signed by alice@example.org, but the key is not verified");
    }
}

static void
test_mismatch (void)
{
  g_autoptr(CachetCryptoOpened) opened = opened_new ();
  g_autoptr(CachetCryptoOpened) no_uid = opened_new ();

  add_sig (opened, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_FULL, "Mallory <mallory@example.org>");
  check (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signed by mallory@example.org, but the message is from alice@example.org");

  add_sig (no_uid, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_FULL, NULL);
  check (no_uid, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signed by 0123456789ABCDEF0123456789ABCDEF01234567, but the message is from alice@example.org");
}

static void
test_key_states (void)
{
  g_autoptr(CachetCryptoOpened) unknown = opened_new ();
  g_autoptr(CachetCryptoOpened) missing = opened_new ();
  g_autoptr(CachetCryptoOpened) key_expired = opened_new ();
  g_autoptr(CachetCryptoOpened) sig_expired = opened_new ();
  g_autoptr(CachetCryptoOpened) revoked = opened_new ();
  g_autoptr(CachetCryptoOpened) bad = opened_new ();
  g_autoptr(CachetCryptoOpened) error = opened_new ();

  add_sig (unknown, CACHET_CRYPTO_SIG_NO_KEY, 0, CACHET_CRYPTO_VALIDITY_UNKNOWN, NULL);
  check (unknown, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signed with a key you do not have (0123456789ABCDEF0123456789ABCDEF01234567)");
  add_sig (missing, CACHET_CRYPTO_SIG_ERROR, CACHET_CRYPTO_SIG_SUMMARY_KEY_MISSING,
           CACHET_CRYPTO_VALIDITY_UNKNOWN, NULL);
  check (missing, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signed with a key you do not have (0123456789ABCDEF0123456789ABCDEF01234567)");
  add_sig (key_expired, CACHET_CRYPTO_SIG_GOOD, CACHET_CRYPTO_SIG_SUMMARY_KEY_EXPIRED,
           CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (key_expired, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signed with an expired key (alice@example.org)");
  add_sig (sig_expired, CACHET_CRYPTO_SIG_GOOD, CACHET_CRYPTO_SIG_SUMMARY_SIG_EXPIRED,
           CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (sig_expired, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "The signature has expired (alice@example.org)");
  add_sig (revoked, CACHET_CRYPTO_SIG_GOOD, CACHET_CRYPTO_SIG_SUMMARY_KEY_REVOKED,
           CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (revoked, "alice@example.org", CACHET_CRYPTO_VERDICT_BAD,
         "Signed with a revoked key (alice@example.org)");
  add_sig (bad, CACHET_CRYPTO_SIG_BAD, 0, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (bad, "alice@example.org", CACHET_CRYPTO_VERDICT_BAD,
         "Bad signature: this message was changed after it was signed");
  add_sig (error, CACHET_CRYPTO_SIG_ERROR, 0, CACHET_CRYPTO_VALIDITY_UNKNOWN, NULL);
  check (error, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING, "The signature could not be checked");
}

static void
test_decrypt (void)
{
  g_autoptr(CachetCryptoOpened) decrypted = opened_new ();
  g_autoptr(CachetCryptoOpened) both = opened_new ();
  g_autoptr(CachetCryptoOpened) failed = opened_new ();
  g_autoptr(CachetCryptoOpened) failed_plain = opened_new ();
  g_autoptr(CachetCryptoOpened) both_bad = opened_new ();

  decrypted->encrypted = decrypted->decrypted = TRUE;
  check (decrypted, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD, "Decrypted");

  both->encrypted = both->decrypted = TRUE;
  add_sig (both, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (both, "alice@example.org", CACHET_CRYPTO_VERDICT_GOOD,
         "Decrypted · Signature good (alice@example.org)");

  both_bad->encrypted = both_bad->decrypted = TRUE;
  add_sig (both_bad, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_MARGINAL, ALICE);
  check (both_bad, "alice@example.org", CACHET_CRYPTO_VERDICT_INFO,
         "Decrypted · Signed by alice@example.org, but the key is not verified");

  failed->encrypted = TRUE;
  failed->problem = g_strdup ("No secret key.\nSecond line.");
  check (failed, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING, "Could not decrypt: No secret key.");
  {
    g_autoptr(CachetCryptoVerdict) verdict = cachet_crypto_verdict_new (failed, NULL);

    g_assert_nonnull (strstr (verdict->detail, "Second line."));
  }

  failed_plain->encrypted = TRUE;
  check (failed_plain, NULL, CACHET_CRYPTO_VERDICT_WARNING, "Could not decrypt this message");
}

static void
test_partial_and_none (void)
{
  g_autoptr(CachetCryptoOpened) partial = opened_new ();
  g_autoptr(CachetCryptoOpened) partial_enc = opened_new ();
  g_autoptr(CachetCryptoOpened) nothing = opened_new ();
  g_autoptr(CachetCryptoOpened) unchecked = opened_new ();

  add_sig (partial, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  partial->partial = TRUE;
  check (partial, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signature good (alice@example.org) · Only part of this message is signed");

  partial_enc->encrypted = partial_enc->decrypted = partial_enc->partial = TRUE;
  check (partial_enc, NULL, CACHET_CRYPTO_VERDICT_WARNING,
         "Decrypted · Only part of this message is encrypted");

  g_assert_null (cachet_crypto_verdict_new (nothing, "alice@example.org"));

  unchecked->is_signed = TRUE;
  unchecked->problem = g_strdup ("No plugin for OpenPGP is installed.");
  check (unchecked, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "The signature could not be checked: No plugin for OpenPGP is installed.");
}

/* A good signature on one part and trouble with another: a warning. */
static void
test_problem_elsewhere (void)
{
  g_autoptr(CachetCryptoOpened) opened = opened_new ();

  add_sig (opened, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  opened->problem = g_strdup ("The signed message is damaged: its parts are incomplete.");
  check (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_WARNING,
         "Signature good (alice@example.org) · The signed message is damaged: its parts are incomplete.");
}

/* The worst signature decides the level; every one is named. */
static void
test_several (void)
{
  g_autoptr(CachetCryptoOpened) opened = opened_new ();

  add_sig (opened, CACHET_CRYPTO_SIG_GOOD, 0, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  add_sig (opened, CACHET_CRYPTO_SIG_BAD, 0, CACHET_CRYPTO_VALIDITY_FULL, ALICE);
  check (opened, "alice@example.org", CACHET_CRYPTO_VERDICT_BAD,
         "Signature good (alice@example.org) · Bad signature: this message was changed after it was signed");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/crypto/verdict/good", test_good);
  g_test_add_func ("/crypto/verdict/not-verified", test_not_verified);
  g_test_add_func ("/crypto/verdict/mismatch", test_mismatch);
  g_test_add_func ("/crypto/verdict/key-states", test_key_states);
  g_test_add_func ("/crypto/verdict/decrypt", test_decrypt);
  g_test_add_func ("/crypto/verdict/partial-and-none", test_partial_and_none);
  g_test_add_func ("/crypto/verdict/several", test_several);
  g_test_add_func ("/crypto/verdict/problem-elsewhere", test_problem_elsewhere);
  return g_test_run ();
}
