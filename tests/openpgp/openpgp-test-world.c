/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-openpgp"

#include "config.h"

#include "openpgp-test-world.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachet-crypto-error.h"

World world;

/* ------------------------------------------------------------------------ */
/* gpg on the command line                                                  */

char *
gpg_argv (const char         *home,
          const char         *input,
          const char *const  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) "gpg");
  g_ptr_array_add (argv, (char *) "--homedir");
  g_ptr_array_add (argv, (char *) home);
  g_ptr_array_add (argv, (char *) "--batch");
  g_ptr_array_add (argv, (char *) "--no-tty");
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GNUPGHOME", home, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_bytes_new (input != NULL ? input : "", input != NULL ? strlen (input) : 0);
  g_subprocess_communicate (proc, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("gpg failed: %.*s", (int) g_bytes_get_size (err),
             (const char *) g_bytes_get_data (err, NULL));
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}


/* The fingerprint of the first key that PATTERN lists in HOME. */
static char *
fingerprint (const char *home,
             const char *pattern)
{
  g_autofree char *colons = GPG (home, NULL, "--with-colons", "--list-keys", pattern);
  g_auto(GStrv) lines = g_strsplit (colons, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "fpr:"))
      {
        g_auto(GStrv) fields = g_strsplit (*l, ":", -1);
        return g_strdup (fields[9]);
      }
  g_assert_not_reached ();
}

static void
make_key (const char *home,
          const char *uid,
          const char *passphrase,
          const char *expire,
          const char *faked_time)
{
  g_autofree char *out = NULL;

  if (faked_time != NULL)
    out = GPG (home, NULL, "--faked-system-time", faked_time, "--pinentry-mode", "loopback",
               "--passphrase", passphrase, "--quick-gen-key", uid, "future-default", "default",
               expire);
  else
    out = GPG (home, NULL, "--pinentry-mode", "loopback", "--passphrase", passphrase,
               "--quick-gen-key", uid, "future-default", "default", expire);
}

static GBytes *
detached_sig (const char *home,
              const char *who,
              const char *faked_time)
{
  g_autofree char *file = g_build_filename (home, "signed.txt", NULL);
  g_autofree char *sig = g_build_filename (home, "signed.txt.asc", NULL);
  g_autofree char *out = NULL;
  char *contents;
  gsize len;

  g_assert_true (g_file_set_contents (file, SIGNED_TEXT, -1, NULL));
  g_unlink (sig);
  if (faked_time != NULL)
    out = GPG (home, NULL, "--faked-system-time", faked_time, "--pinentry-mode", "loopback",
               "--passphrase", "", "--local-user", who, "--armor", "--detach-sign", file);
  else
    out = GPG (home, NULL, "--pinentry-mode", "loopback", "--passphrase", "",
               "--local-user", who, "--armor", "--detach-sign", file);
  g_assert_true (g_file_get_contents (sig, &contents, &len, NULL));
  return g_bytes_new_take (contents, len);
}

static char *
make_home (void)
{
  char *home = g_strdup ("/tmp/cgpgXXXXXX");
  g_autofree char *conf = NULL;

  g_assert_nonnull (g_mkdtemp_full (home, 0700));
  conf = g_build_filename (home, "gpg-agent.conf", NULL);
  /* No passphrase cache: every op that needs one asks the host. */
  g_assert_true (g_file_set_contents (conf,
                                      "allow-loopback-pinentry\n"
                                      "s2k-count 65536\n"
                                      "default-cache-ttl 0\n"
                                      "max-cache-ttl 0\n", -1, NULL));
  return home;
}

/* The cleaner: a child that waits for the end of this process (the write
 * end of a pipe closes, however the process ends: a failed assertion
 * aborts without tear-down), then stops the gpg-agents of our two homes,
 * and only those, with gpgconf --kill, and removes the homes. */
static void
start_cleaner (void)
{
  static const char script[] =
    "for h in \"$1\" \"$2\"; do GNUPGHOME=$h gpgconf --homedir \"$h\" --kill all; done;"
    " rm -rf \"$1\" \"$2\"";
  int fds[2];
  pid_t pid;

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char byte;

      close (fds[1]);
      while (read (fds[0], &byte, 1) != 0 && errno == EINTR)
        ;
      execlp ("sh", "sh", "-c", script, "sh", world.home, world.other, (char *) NULL);
      _exit (127);
    }
  close (fds[0]);
  world.cleaner_pipe = fds[1];
  world.cleaner = pid;
}

static void
stop_cleaner (void)
{
  int status;

  close (world.cleaner_pipe);
  while (waitpid (world.cleaner, &status, 0) < 0 && errno == EINTR)
    ;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Revokes FPR in HOME with the revocation certificate gpg made with it. */
static void
revoke_key (const char *home,
            const char *fpr)
{
  g_autofree char *name = g_strconcat (fpr, ".rev", NULL);
  g_autofree char *path = g_build_filename (home, "openpgp-revocs.d", name, NULL);
  g_autofree char *cert = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GString) fixed = NULL;

  g_assert_true (g_file_get_contents (path, &cert, NULL, NULL));
  /* gpg guards the certificate with a ':' before its armor line. */
  fixed = g_string_new (cert);
  g_string_replace (fixed, ":-----BEGIN PGP", "-----BEGIN PGP", 1);
  out = GPG (home, fixed->str, "--import");
}

void
world_set_up (void)
{
  g_autofree char *out = NULL;
  g_autofree char *carol_key = NULL;
  g_autofree char *grace_key = NULL;

  world.home = make_home ();
  world.other = make_home ();
  start_cleaner ();
  g_setenv ("GNUPGHOME", world.home, TRUE);

  make_key (world.home, "Alice <alice@example.org>", "", "never", NULL);
  make_key (world.home, "Bob <bob@example.org>", "bobpass", "never", NULL);
  make_key (world.home, "Dave <dave@example.org>", "", "1y", "20200101T000000!");
  make_key (world.home, "Erin <erin@example.org>", "", "never", NULL);
  make_key (world.other, "Carol <carol@example.org>", "", "never", NULL);
  make_key (world.other, "Frank <frank@example.org>", "", "never", NULL);
  make_key (world.other, "Grace <grace@example.org>", "", "never", NULL);
  make_key (world.other, "Henry <henry@example.org>", "", "never", NULL);

  world.alice = fingerprint (world.home, "alice@example.org");
  world.bob = fingerprint (world.home, "bob@example.org");
  world.dave = fingerprint (world.home, "dave@example.org");
  world.erin = fingerprint (world.home, "erin@example.org");
  world.carol = fingerprint (world.other, "carol@example.org");
  world.frank = fingerprint (world.other, "frank@example.org");
  world.grace = fingerprint (world.other, "grace@example.org");
  world.henry = fingerprint (world.other, "henry@example.org");

  /* Signatures made while Dave's key was young, and by Erin before her
   * key is revoked, and by Frank whose key the user does not have. */
  world.dave_sig = detached_sig (world.home, world.dave, "20200601T000000!");
  world.erin_sig = detached_sig (world.home, world.erin, NULL);
  world.frank_sig = detached_sig (world.other, world.frank, NULL);
  revoke_key (world.home, world.erin);

  carol_key = GPG (world.other, NULL, "--armor", "--export", world.carol);
  out = GPG (world.home, carol_key, "--import");
  g_clear_pointer (&out, g_free);
  grace_key = GPG (world.other, NULL, "--armor", "--export", world.grace);
  out = GPG (world.home, grace_key, "--import");
  g_clear_pointer (&out, g_free);
  out = GPG (world.home, NULL, "--yes", "--pinentry-mode", "loopback", "--passphrase", "",
             "--default-key", world.alice, "--quick-lsign-key", world.grace);
  g_clear_pointer (&out, g_free);
  out = GPG (world.other, NULL, "--armor", "--export", world.henry);
  world.henry_key = g_bytes_new_take (out, strlen (out));
  out = NULL;
  /* Dave's key was made at a faked time: bring the trust database up to
   * date now, not in the middle of a test (where gpg would otherwise do it
   * on its own schedule). */
  out = GPG (world.home, NULL, "--check-trustdb");
}

void
world_tear_down (void)
{
  stop_cleaner ();
  if (world.plugin_dir != NULL)
    remove_tree (world.plugin_dir);
  g_clear_pointer (&world.loaded, cachet_crypto_loaded_free);
  g_free (world.home);
  g_free (world.other);
  g_free (world.plugin_dir);
  g_free (world.alice);
  g_free (world.bob);
  g_free (world.carol);
  g_free (world.dave);
  g_free (world.erin);
  g_free (world.frank);
  g_free (world.grace);
  g_free (world.henry);
  g_clear_pointer (&world.dave_sig, g_bytes_unref);
  g_clear_pointer (&world.erin_sig, g_bytes_unref);
  g_clear_pointer (&world.frank_sig, g_bytes_unref);
  g_clear_pointer (&world.henry_key, g_bytes_unref);
}

/* Copies the built plugin into a fresh 0755 directory under the build
 * directory (/tmp is world-writable and so refused by design) and loads
 * it.  Sets world.skip when the build directory is not safe for plugins. */
void
load_plugin (void)
{
  g_autofree char *base = g_build_filename (TEST_BUILD_DIR, "plugin-tmp", NULL);
  g_autofree char *tmpl = g_build_filename (base, "run-XXXXXX", NULL);
  g_autofree char *dest = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_no_errno (g_mkdir_with_parents (base, 0755));
  g_assert_no_errno (chmod (base, 0755));
  world.plugin_dir = g_mkdtemp_full (g_steal_pointer (&tmpl), 0755);
  g_assert_nonnull (world.plugin_dir);
  dest = g_build_filename (world.plugin_dir, "cachet-openpgp.so", NULL);
  g_assert_true (g_file_get_contents (OPENPGP_PLUGIN, &contents, &len, NULL));
  g_assert_true (g_file_set_contents_full (dest, contents, (gssize) len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_no_errno (chmod (dest, 0644));

  world.loaded = cachet_crypto_load (dest, NULL, &error);
  if (world.loaded == NULL
      && g_error_matches (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE))
    {
      world.skip = "the build directory is not safe for plugins";
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (world.loaded);
}

/* ------------------------------------------------------------------------ */
/* Running ops                                                              */


static char *
prompt_cb (const char *key_hint,
           const char *description,
           gboolean    again,
           gpointer    user_data)
{
  Prompt *prompt = user_data;
  int i = prompt->n_asks++;

  g_assert_cmpint (i, <, (int) G_N_ELEMENTS (prompt->answers));
  prompt->again[i] = again;
  g_free (prompt->hint);
  prompt->hint = g_strdup (key_hint);
  g_assert_nonnull (description);
  return g_strdup (prompt->answers[i]);
}


CachetCryptoOutcome *
run (const Op  *op,
     GBytes   **output,
     GError   **error)
{
  CachetCryptoRequest request = { 0 };
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GInputStream) signature = NULL;
  g_autoptr(GOutputStream) out = NULL;
  CachetCryptoOutcome *outcome;

  if (op->input_stream != NULL)
    input = g_object_ref (op->input_stream);
  else if (op->input != NULL)
    input = g_memory_input_stream_new_from_bytes (op->input);
  if (op->signature != NULL)
    signature = g_memory_input_stream_new_from_bytes (op->signature);
  if (op->want_output)
    out = g_memory_output_stream_new_resizable ();

  request.op = op->op;
  request.flags = op->flags;
  request.protocol = "openpgp";
  request.recipients = op->recipients;
  request.signer = op->signer;
  request.sender = op->sender;
  request.input = input;
  request.signature = signature;
  request.output = out;
  request.cancellable = op->cancellable;
  request.ask_passphrase = op->prompt != NULL ? prompt_cb : NULL;
  request.ask_passphrase_data = op->prompt;

  outcome = cachet_crypto_run (world.loaded, &request, error);
  if (output != NULL)
    {
      *output = NULL;
      if (out != NULL)
        {
          g_output_stream_close (out, NULL, NULL);
          *output = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
        }
    }
  return outcome;
}

GBytes *
random_bytes (gsize size,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (size > 0 ? size : 1);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  return g_bytes_new_take (data, size);
}

GBytes *
encrypt_to (const char *const *recipients,
            guint32             flags,
            const char         *sender,
            GBytes             *plain)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  GBytes *cipher = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_ENCRYPT, .flags = flags, .recipients = recipients,
            .sender = sender, .signer = sender, .input = plain, .want_output = TRUE };

  outcome = run (&op, &cipher, &error);
  g_assert_no_error (error);
  g_assert_nonnull (outcome);
  g_assert_cmpuint (g_bytes_get_size (cipher), >, 0);
  return cipher;
}

GBytes *
decrypt (GBytes               *cipher,
         guint32               flags,
         Prompt               *prompt,
         CachetCryptoOutcome **outcome_out,
         GError              **error)
{
  CachetCryptoOutcome *outcome;
  GBytes *plain = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_DECRYPT, .flags = flags, .input = cipher,
            .want_output = TRUE, .prompt = prompt };

  outcome = run (&op, &plain, error);
  if (outcome == NULL)
    {
      g_clear_pointer (&plain, g_bytes_unref);
      return NULL;
    }
  if (outcome_out != NULL)
    *outcome_out = outcome;
  else
    cachet_crypto_outcome_free (outcome);
  return plain;
}


GBytes *
sign (GBytes     *data,
      guint32     flags,
      const char *signer,
      Prompt     *prompt,
      char      **micalg,
      GError    **error)
{
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  GBytes *sig = NULL;
  Op op = { .op = CACHET_CRYPTO_OP_SIGN, .flags = flags, .signer = signer,
            .input = data, .want_output = TRUE, .prompt = prompt };

  outcome = run (&op, &sig, error);
  if (outcome == NULL)
    {
      g_clear_pointer (&sig, g_bytes_unref);
      return NULL;
    }
  if (micalg != NULL)
    *micalg = g_strdup (g_hash_table_lookup (outcome->values, "micalg"));
  return sig;
}

CachetCryptoOutcome *
verify_detached (GBytes  *data,
                 GBytes  *sig,
                 GError **error)
{
  Op op = { .op = CACHET_CRYPTO_OP_VERIFY, .input = data, .signature = sig };

  return run (&op, NULL, error);
}

CachetCryptoSignatureResult *
only_signature (CachetCryptoOutcome *outcome)
{
  g_assert_nonnull (outcome);
  g_assert_cmpuint (outcome->signatures->len, ==, 1);
  return g_ptr_array_index (outcome->signatures, 0);
}

CachetCryptoKeyResult *
find_key_result (CachetCryptoOutcome *outcome,
                 const char          *fpr)
{
  for (guint i = 0; i < outcome->keys->len; i++)
    {
      CachetCryptoKeyResult *key = g_ptr_array_index (outcome->keys, i);
      if (g_strcmp0 (key->fingerprint, fpr) == 0)
        return key;
    }
  return NULL;
}

CachetCryptoKeyResult *
must_find_key_result (CachetCryptoOutcome *outcome,
                      const char          *fpr)
{
  CachetCryptoKeyResult *key = find_key_result (outcome, fpr);

  if (key == NULL)
    g_error ("no key %s was reported", fpr);
  return key;
}
