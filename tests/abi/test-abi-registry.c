/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-abi"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-crypto-error.h"
#include "cachet-crypto-registry.h"

#include "abi-test-util.h"

/* Plugin directories under the build directory (see test-abi-loader.c for
 * why not /tmp). */
typedef struct
{
  char *dir;
} Fixture;

/* A build directory below a folder others can write to (such as /tmp)
 * cannot hold loadable plugins: skip rather than fail.  Returns TRUE when
 * the test can go on. */
static gboolean
build_dir_is_safe (const char *dir)
{
  g_autofree char *probe = abi_test_install_plugin (dir, "minimal", "probe.so");
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetCryptoLoaded) loaded = cachet_crypto_load (probe, NULL, &error);

  g_unlink (probe);
  return loaded != NULL || !abi_test_skip_unsafe (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = abi_test_make_dir ("registry-tmp");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  abi_test_remove_tree (f->dir);
  g_free (f->dir);
}

static CachetCryptoEntry *
entry (CachetCryptoRegistry *registry,
       guint                 i)
{
  GPtrArray *entries = cachet_crypto_registry_get_entries (registry);

  g_assert_cmpuint (i, <, entries->len);
  return g_ptr_array_index (entries, i);
}

/* Refused plugins leave the others loading; a duplicate id is refused. */
static void
test_system_dir (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *e = NULL;

  if (!build_dir_is_safe (f->dir))
    return;
  a = abi_test_install_plugin (f->dir, "minimal", "a.so");
  b = abi_test_install_plugin (f->dir, "bad-magic", "b.so");
  c = abi_test_install_plugin (f->dir, "other-id", "c.so");
  d = abi_test_install_plugin (f->dir, "minimal", "d.so");
  e = abi_test_install_plugin (f->dir, "minimal", "e.txt");

  cachet_crypto_registry_scan (registry, f->dir, FALSE);
  g_assert_cmpuint (cachet_crypto_registry_get_entries (registry)->len, ==, 4);
  g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
  g_assert_nonnull (strstr (entry (registry, 1)->reason, "magic"));
  g_assert_cmpint (entry (registry, 2)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  g_assert_cmpstr (entry (registry, 2)->loaded->info.id, ==, "org.cachet.test.Other");
  g_assert_cmpint (entry (registry, 3)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
  g_assert_nonnull (strstr (entry (registry, 3)->reason, "org.cachet.test.Minimal"));
}

/* A user-directory plugin is off until enabled by id and hash, and off
 * again when the file changes. */
static void
test_user_dir (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *good = NULL;
  g_autofree char *wrong_id = NULL;
  gsize len;

  if (!build_dir_is_safe (f->dir))
    return;
  path = abi_test_install_plugin (f->dir, "minimal", "mine.so");
  {
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);

    cachet_crypto_registry_scan (registry, f->dir, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
    g_assert_null (entry (registry, 0)->loaded);
    g_assert_nonnull (entry (registry, 0)->reason);
    g_assert_cmpuint (strlen (entry (registry, 0)->sha256), ==, 64);
  }

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  good = g_strconcat ("org.cachet.test.Minimal=", sha, NULL);
  wrong_id = g_strconcat ("org.cachet.test.Other=", sha, NULL);
  {
    const char *enabled[] = { good, NULL };
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);

    cachet_crypto_registry_scan (registry, f->dir, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  }
  {
    /* Enabled as another plugin than the file says it is. */
    const char *enabled[] = { wrong_id, NULL };
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);

    cachet_crypto_registry_scan (registry, f->dir, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
  }
  {
    /* The file changed since it was enabled. */
    const char *enabled[] = { good, NULL };
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);
    g_autofree char *other = abi_test_install_plugin (f->dir, "other-id", "mine.so");

    cachet_crypto_registry_scan (registry, f->dir, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
  }
}

/* Neither the current directory nor a relative path is ever scanned. */
static void
test_current_dir (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);
  g_autofree char *path = abi_test_install_plugin (f->dir, "minimal", "here.so");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *user_dir = cachet_crypto_user_plugin_dir ();
  GPtrArray *entries;

  g_assert_no_errno (chdir (f->dir));
  cachet_crypto_registry_scan (registry, ".", FALSE);
  cachet_crypto_registry_scan (registry, "", TRUE);
  cachet_crypto_registry_scan_default (registry);
  g_assert_no_errno (chdir (cwd));

  entries = cachet_crypto_registry_get_entries (registry);
  for (guint i = 0; i < entries->len; i++)
    {
      CachetCryptoEntry *e = g_ptr_array_index (entries, i);
      g_assert_false (g_str_has_prefix (e->path, f->dir));
    }
  g_assert_true (g_str_has_suffix (user_dir, "/cachet/crypto-plugins-1"));
  g_assert_true (g_str_has_suffix (cachet_crypto_system_plugin_dir (), "/cachet/crypto-plugins-1"));
}

/* A plugin that crashes in init takes the process down once; at the next
 * start it is disabled and the others load. */
static void
test_crash_sentinel (void)
{
  g_autofree char *dir = g_build_filename (ABI_BUILD_DIR, "registry-tmp", "crash", NULL);
  g_autofree char *sentinel = g_build_filename (dir, "state", "sentinel", NULL);

  if (g_test_subprocess ())
    {
      g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);

      cachet_crypto_registry_set_sentinel (registry, sentinel);
      cachet_crypto_registry_scan (registry, dir, FALSE);
      return;  /* not reached: the plugin crashes */
    }

  {
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *state = g_path_get_dirname (sentinel);

    g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
    g_assert_no_errno (chmod (dir, 0755));
    if (!build_dir_is_safe (dir))
      {
        g_rmdir (dir);
        return;
      }
    a = abi_test_install_plugin (dir, "init-crashes", "a.so");
    b = abi_test_install_plugin (dir, "minimal", "b.so");
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed ();
    g_assert_true (g_file_test (sentinel, G_FILE_TEST_EXISTS));

    {
      g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);

      cachet_crypto_registry_set_sentinel (registry, sentinel);
      g_assert_false (g_file_test (sentinel, G_FILE_TEST_EXISTS));
      cachet_crypto_registry_scan (registry, dir, FALSE);
      g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
      g_assert_nonnull (strstr (entry (registry, 0)->reason, "crashed"));
      g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
      g_assert_false (g_file_test (sentinel, G_FILE_TEST_EXISTS));
    }
    g_unlink (a);
    g_unlink (b);
    g_rmdir (state);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/abi/registry/system-dir", Fixture, NULL,
              fixture_set_up, test_system_dir, fixture_tear_down);
  g_test_add ("/abi/registry/user-dir-enable", Fixture, NULL,
              fixture_set_up, test_user_dir, fixture_tear_down);
  g_test_add ("/abi/registry/current-dir", Fixture, NULL,
              fixture_set_up, test_current_dir, fixture_tear_down);
  g_test_add_func ("/abi/registry/crash-sentinel", test_crash_sentinel);
  return g_test_run ();
}
