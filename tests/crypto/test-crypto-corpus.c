/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-crypto"

#include "config.h"

#include <string.h>

#include "crypto-test-common.h"

/* The sealed samples of a third-party corpus (PGP/MIME, inline PGP and
 * S/MIME from Thunderbird, notmuch, mu, autocrypt, gmime, ...) opened with
 * no plugin loaded: each must be seen as sealed, its structure understood
 * (the one problem is the missing plugin), and the message kept as it is.
 * The corpus path comes as the first argument; without it the test skips. */

static const char *corpus;

/* Samples filed as sealed that are rightly not opened as such. */
static const struct
{
  const char *path;
  const char *why;
} not_sealed[] = {
  { "autocrypt/example-setup-message.eml", "an Autocrypt key backup, not a sealed message" },
  { "ruby-mail/mime_emails/raw_email2.eml", "an smime.p7s attached with no multipart/signed" },
  { "ruby-mail/mime_emails/raw_email7.eml", "an smime.p7s attached with no multipart/signed" },
  { "thunderbird/browser-openpgp/eml/bob-enc-html-nbsp.eml", "inline PGP in HTML only" },
  { "thunderbird/browser-openpgp/eml/partial-encrypt-for-alice-html.eml", "inline PGP in HTML only" },
  { "thunderbird/browser-openpgp/eml/partial-encrypt-for-carol-html.eml", "inline PGP in HTML only" },
  /* Sealed inside a forwarded message/rfc822, which is opened on its own. */
  { "thunderbird/browser-openpgp/eml/forwarded-eml-signed-by-alice.eml", "inside a forwarded message" },
  { "thunderbird/browser-openpgp/eml/fwd-signed.eml", "inside a forwarded message" },
  { "thunderbird/browser-openpgp/eml/fwd-unsigned-encrypted.eml", "inside a forwarded message" },
  { "thunderbird/browser-openpgp/eml/multiple-signatures.eml", "inside a forwarded message" },
};

static const char *
why_not_sealed (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (not_sealed); i++)
    if (g_str_has_suffix (path, not_sealed[i].path))
      return not_sealed[i].why;
  return NULL;
}

typedef struct
{
  char *path;
  char *category;
  char *tags;
} Sample;

static void
sample_free (gpointer data)
{
  Sample *s = data;

  g_free (s->path);
  g_free (s->category);
  g_free (s->tags);
  g_free (s);
}

static GPtrArray *
samples (void)
{
  g_autofree char *manifest = g_build_filename (corpus, "MANIFEST.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (sample_free);

  g_file_get_contents (manifest, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      Sample *s;

      if (g_strv_length (f) < 5
          || (!g_str_has_prefix (f[3], "pgp-") && g_strcmp0 (f[3], "smime") != 0))
        continue;
      s = g_new0 (Sample, 1);
      s->path = g_build_filename (corpus, f[0], NULL);
      s->category = g_strdup (f[3]);
      s->tags = g_strdup (f[4]);
      g_ptr_array_add (out, s);
    }
  return out;
}

static void
test_corpus (void)
{
  g_autoptr(CachetCryptoRegistry) empty = cachet_crypto_registry_new (NULL);
  g_autoptr(GPtrArray) all = NULL;
  guint failures = 0;

  if (corpus == NULL || corpus[0] == '\0')
    {
      g_test_skip ("no corpus given (meson option corpus)");
      return;
    }
  all = samples ();
  g_assert_cmpuint (all->len, >, 0);
  for (guint i = 0; i < all->len; i++)
    {
      Sample *s = g_ptr_array_index (all, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GMappedFile) file = g_mapped_file_new (s->path, FALSE, &error);
      g_autoptr(GBytes) message = NULL;
      g_autoptr(CachetCryptoOpened) opened = NULL;
      gboolean broken = strstr (s->tags, "broken-by-name") != NULL;
      const char *why = why_not_sealed (s->path);
      gboolean ok;

      g_assert_no_error (error);
      message = g_mapped_file_get_bytes (file);
      opened = cachet_crypto_open (empty, message, NULL, &error);
      g_assert_no_error (error);
      if (why != NULL)
        {
          /* Kept as it is, with nothing claimed about it. */
          g_assert_true (g_bytes_equal (opened->message, message));
          g_assert_null (opened->problem);
          g_test_message ("%s: not opened, %s", s->path, why);
          continue;
        }
      ok = cachet_crypto_looks_sealed (message)
           && g_bytes_equal (opened->message, message)
           && opened->problem != NULL
           && (opened->encrypted || opened->is_signed)
           && (broken || g_str_has_prefix (opened->problem, "No plugin for "));
      if (!ok)
        {
          failures++;
          g_test_message ("%s (%s): sealed %d, encrypted %d, signed %d, problem: %s",
                          s->path, s->category, cachet_crypto_looks_sealed (message),
                          opened->encrypted, opened->is_signed, opened->problem);
        }
    }
  g_test_message ("%u samples, %u not understood", all->len, failures);
  g_assert_cmpuint (failures, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  corpus = argc > 1 ? argv[1] : NULL;
  g_test_add_func ("/crypto/corpus/structure", test_corpus);
  return g_test_run ();
}
