/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-abi"

#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-crypto-call.h"
#include "cachet-crypto-error.h"
#include "cachet-crypto-loader.h"

#include "abi-test-util.h"

/* Each test copies fixture plugins (built next to this test) into a fresh
 * directory under the build directory, with safe permissions: /tmp is
 * world-writable and so refused by design. */
typedef struct
{
  char *dir;
} Fixture;

static char *
install_plugin (Fixture    *f,
                const char *name,
                const char *as)
{
  return abi_test_install_plugin (f->dir, name, as);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;

  f->dir = abi_test_make_dir ("loader-tmp");

  /* If the build directory itself sits below a folder others can write to,
   * nothing can load here: say so instead of failing every test. */
  probe = install_plugin (f, "minimal", "probe.so");
  loaded = cachet_crypto_load (probe, NULL, &error);
  if (loaded == NULL)
    abi_test_skip_unsafe (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  abi_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Loads PATH expecting refusal with CODE, then checks a good plugin still
 * loads after it. */
static void
assert_refused (Fixture    *f,
                const char *path,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = cachet_crypto_load (path, NULL, &error);

  g_assert_null (loaded);
  g_assert_error (error, CACHET_CRYPTO_ERROR, code);
  /* One plain sentence. */
  g_assert_nonnull (strchr (error->message, '.'));
  g_assert_null (strchr (error->message, '\n'));
  g_test_message ("%s: %s", path, error->message);
}

static void
assert_refused_name (Fixture    *f,
                     const char *name,
                     int         code)
{
  g_autofree char *path = NULL;

  path = install_plugin (f, name, NULL);
  assert_refused (f, path, code);
}

static void
test_loads (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  g_autofree char *text = NULL;

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minimal", NULL);
  loaded = cachet_crypto_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (loaded->info.id, ==, "org.cachet.test.Minimal");
  g_assert_cmpuint (loaded->info.capabilities, ==,
                    CACHET_CRYPTO_CAP_ENCRYPT | CACHET_CRYPTO_CAP_DECRYPT);
  g_assert_nonnull (loaded->ops.encrypt);
  g_assert_null (loaded->ops.sign);
  g_assert_nonnull (loaded->plugin);
  g_assert_cmpstrv (loaded->protocols, ((const char *const[]) { "openpgp", NULL }));

  text = cachet_crypto_loaded_describe (loaded);
  g_assert_nonnull (strstr (text, "org.cachet.test.Minimal"));
  g_assert_nonnull (strstr (text, "encrypt, decrypt"));
}

/* Two plugins loaded one after the other are two plugins, even when the
 * kernel hands out the same descriptor number. */
static void
test_loads_second (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) first = NULL;
  g_autoptr(CachetCryptoLoaded) second = NULL;

  if (g_test_failed ())
    return;
  a = install_plugin (f, "minimal", "a.so");
  b = install_plugin (f, "other-id", "b.so");
  first = cachet_crypto_load (a, NULL, &error);
  g_assert_no_error (error);
  second = cachet_crypto_load (b, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->info.id, ==, "org.cachet.test.Other");
}

static void
test_longer_info (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { 0 };

  if (g_test_failed ())
    return;
  path = install_plugin (f, "longer-info", NULL);
  loaded = cachet_crypto_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->info.struct_size, >, sizeof (CachetCryptoPluginInfo));
  g_assert_cmpstr (loaded->info.id, ==, "org.cachet.test.Minimal");

  /* It works as any other; nothing of its tail shows.  (A tail with bad
   * pointers, and every op: test-abi-old-plugin's "old-1.0-longer".) */
  text = cachet_crypto_loaded_describe (loaded);
  g_assert_null (strstr (text, "ignored"));
  g_assert_nonnull (strstr (text, "Capabilities: encrypt, decrypt\n"));
  in = g_memory_input_stream_new_from_data ("abc", 3, NULL);
  out = g_memory_output_stream_new_resizable ();
  request.op = CACHET_CRYPTO_OP_ENCRYPT;
  request.input = in;
  request.output = out;
  outcome = cachet_crypto_run (loaded, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                   "abc", 3);
}

/* The refusal of a plugin requiring host minor + 1 says what it needs and
 * what this Cachet has. */
static void
test_minor_too_new_message (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minor-too-new", NULL);
  loaded = cachet_crypto_load (path, NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_MINOR_TOO_NEW);
  expected = g_strdup_printf ("The plugin needs a newer Cachet (plugin interface %d.%d; "
                              "this Cachet has %d.%d).",
                              CACHET_CRYPTO_ABI_MAJOR, CACHET_CRYPTO_ABI_MINOR + 1,
                              CACHET_CRYPTO_ABI_MAJOR, CACHET_CRYPTO_ABI_MINOR);
  g_assert_cmpstr (error->message, ==, expected);
}

/* A plugin built against the frozen 1.0 header loads in today's host. */
static void
test_old_plugin (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  CachetCryptoPartInfo part = { .struct_size = sizeof part, .content_type = "text/plain" };

  if (g_test_failed ())
    return;
  path = install_plugin (f, "old-1.0", NULL);
  loaded = cachet_crypto_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->info.id, ==, "org.cachet.test.Old10");
  g_assert_cmpuint (loaded->info.abi_minor_built, ==, 0);
  g_assert_nonnull (loaded->ops.classify);
  g_assert_cmpint (loaded->ops.classify (loaded->plugin, &part), ==, CACHET_CRYPTO_PART_NONE);
}

static void
test_duplicate_id (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minimal", "dup.so");
  g_hash_table_add (ids, (gpointer) "org.cachet.test.Minimal");
  loaded = cachet_crypto_load (path, ids, &error);
  g_assert_null (loaded);
  g_assert_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_DUPLICATE_ID);
}

static const struct
{
  const char *name;
  int         code;
} refusals[] = {
  { "no-entry", CACHET_CRYPTO_ERROR_NO_ENTRY },
  { "only-v2", CACHET_CRYPTO_ERROR_NEWER_MAJOR },
  { "bad-magic", CACHET_CRYPTO_ERROR_BAD_MAGIC },
  { "short-size", CACHET_CRYPTO_ERROR_SHORT_INFO },
  { "wrong-major", CACHET_CRYPTO_ERROR_MAJOR },
  { "minor-too-new", CACHET_CRYPTO_ERROR_MINOR_TOO_NEW },
  { "no-id", CACHET_CRYPTO_ERROR_NO_ID },
  { "cap-without-op", CACHET_CRYPTO_ERROR_MISSING_OP },
  { "init-fails", CACHET_CRYPTO_ERROR_INIT },
  { "unresolved", CACHET_CRYPTO_ERROR_LOAD },
};

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  gsize i = GPOINTER_TO_SIZE (data);

  if (g_test_failed ())
    return;
  assert_refused_name (f, refusals[i].name, refusals[i].code);
  test_loads (f, NULL);
}

static void
test_not_elf (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *path = NULL;

  if (g_test_failed ())
    return;
  path = g_build_filename (f->dir, "text.so", NULL);
  g_assert_true (g_file_set_contents_full (path, "not a plugin\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_NOT_SHARED_OBJECT);
  test_loads (f, NULL);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  struct stat st;

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minimal", "cut.so");
  g_assert_no_errno (g_stat (path, &st));
  g_assert_no_errno (truncate (path, st.st_size / 2));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_TRUNCATED);
}

static void
test_wrong_arch (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minimal", "arch.so");
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  /* e_machine, at offset 18 in both ELF classes: EM_S390 (22) or EM_ARM (40). */
  contents[18] = contents[18] == 22 ? 40 : 22;
  contents[19] = 0;
  g_assert_true (g_file_set_contents_full (path, contents, (gssize) len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_WRONG_ARCH);
}

static void
test_writable_file (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = NULL;

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minimal", "ww.so");
  g_assert_no_errno (chmod (path, 0666));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_WRITABLE);
  g_assert_no_errno (chmod (path, 0664));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_WRITABLE);
  test_loads (f, NULL);
}

static void
test_writable_dir (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *sub = NULL;
  g_autofree char *path = NULL;
  g_autofree char *src = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  if (g_test_failed ())
    return;
  sub = g_build_filename (f->dir, "open", NULL);
  g_assert_no_errno (g_mkdir (sub, 0755));
  src = abi_test_fixture_path ("minimal");
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  path = g_build_filename (sub, "p.so", NULL);
  g_assert_true (g_file_set_contents_full (path, contents, (gssize) len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_no_errno (chmod (sub, 0777));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_WRITABLE);
  /* Sticky or not, a world-writable folder is refused. */
  g_assert_no_errno (chmod (sub, 01777));
  assert_refused (f, path, CACHET_CRYPTO_ERROR_WRITABLE);
}

static void
test_symlink (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *target = NULL;
  g_autofree char *link = NULL;

  if (g_test_failed ())
    return;
  /* A symlink pointing out of the directory, to a good plugin. */
  target = abi_test_fixture_path ("minimal");
  link = g_build_filename (f->dir, "link.so", NULL);
  g_assert_no_errno (symlink (target, link));
  assert_refused (f, link, CACHET_CRYPTO_ERROR_SYMLINK);
}

static void
test_relative (Fixture       *f,
               gconstpointer  data)
{
  if (g_test_failed ())
    return;
  assert_refused (f, "minimal.so", CACHET_CRYPTO_ERROR_PATH);
  assert_refused (f, "./minimal.so", CACHET_CRYPTO_ERROR_PATH);
  assert_refused (f, "/usr/lib/../lib/x.so", CACHET_CRYPTO_ERROR_PATH);
}

/* A call through the host: streams, an op the plugin lacks, cancellation. */
static void
test_call (Fixture       *f,
           gconstpointer  data)
{
  static const char text[] = "Plain text\r\nto copy.\r\n";
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CachetCryptoOutcome) outcome = NULL;
  CachetCryptoRequest request = { 0 };

  if (g_test_failed ())
    return;
  path = install_plugin (f, "minimal", NULL);
  loaded = cachet_crypto_load (path, NULL, &error);
  g_assert_no_error (error);

  in = g_memory_input_stream_new_from_data (text, sizeof text - 1, NULL);
  out = g_memory_output_stream_new_resizable ();
  request.op = CACHET_CRYPTO_OP_ENCRYPT;
  request.protocol = "openpgp";
  request.input = in;
  request.output = out;
  outcome = cachet_crypto_run (loaded, &request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (outcome);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                   text, sizeof text - 1);
  g_clear_pointer (&outcome, cachet_crypto_outcome_free);

  request.op = CACHET_CRYPTO_OP_SIGN;
  outcome = cachet_crypto_run (loaded, &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, CACHET_CRYPTO_CALL_ERROR, CACHET_CRYPTO_CALL_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  request.op = CACHET_CRYPTO_OP_ENCRYPT;
  request.cancellable = cancellable;
  g_cancellable_cancel (cancellable);
  outcome = cachet_crypto_run (loaded, &request, &error);
  g_assert_null (outcome);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer),
     gconstpointer data)
{
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  add ("/abi/loader/loads", test_loads, NULL);
  add ("/abi/loader/loads-second", test_loads_second, NULL);
  add ("/abi/loader/longer-info", test_longer_info, NULL);
  add ("/abi/loader/old-plugin-1.0", test_old_plugin, NULL);
  add ("/abi/loader/call", test_call, NULL);
  add ("/abi/loader/refused/duplicate-id", test_duplicate_id, NULL);
  add ("/abi/loader/refused/minor-too-new-message", test_minor_too_new_message, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strconcat ("/abi/loader/refused/", refusals[i].name, NULL);
      add (path, test_refused, GSIZE_TO_POINTER (i));
    }
  add ("/abi/loader/refused/not-elf", test_not_elf, NULL);
  add ("/abi/loader/refused/truncated", test_truncated, NULL);
  add ("/abi/loader/refused/wrong-arch", test_wrong_arch, NULL);
  add ("/abi/loader/refused/writable-file", test_writable_file, NULL);
  add ("/abi/loader/refused/writable-dir", test_writable_dir, NULL);
  add ("/abi/loader/refused/symlink", test_symlink, NULL);
  add ("/abi/loader/refused/relative-path", test_relative, NULL);
  return g_test_run ();
}
