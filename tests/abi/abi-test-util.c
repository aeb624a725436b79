/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-abi"

#include "config.h"

#include "abi-test-util.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "cachet-crypto-error.h"

/* The fixture plugin NAME as built: plugins/abi-plugin-NAME.so. */
char *
abi_test_fixture_path (const char *name)
{
  g_autofree char *file = g_strconcat ("abi-plugin-", name, ".so", NULL);

  return g_build_filename (ABI_BUILD_DIR, "plugins", file, NULL);
}

/* A fresh 0755 folder in ABI_BUILD_DIR/BASE_NAME (made 0755 too). */
char *
abi_test_make_dir (const char *base_name)
{
  g_autofree char *base = g_build_filename (ABI_BUILD_DIR, base_name, NULL);
  g_autofree char *tmpl = g_build_filename (base, "run-XXXXXX", NULL);
  char *dir;

  g_assert_no_errno (g_mkdir_with_parents (base, 0755));
  g_assert_no_errno (chmod (base, 0755));
  dir = g_mkdtemp_full (g_steal_pointer (&tmpl), 0755);
  g_assert_nonnull (dir);
  return dir;
}

/* Copies the fixture plugin NAME into DIR as AS (NAME when NULL), mode
 * 0644; returns its path. */
char *
abi_test_install_plugin (const char *dir,
                         const char *name,
                         const char *as)
{
  g_autofree char *src = abi_test_fixture_path (name);
  g_autofree char *dest = g_build_filename (dir, as != NULL ? as : name, NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (dest, contents, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (dest, 0644));
  return g_steal_pointer (&dest);
}

/* A build directory below a folder others can write to cannot hold
 * loadable plugins: when ERROR says so, skips the test (rather than fail
 * it) and returns TRUE. */
gboolean
abi_test_skip_unsafe (const GError *error)
{
  g_autofree char *why = NULL;

  if (!g_error_matches (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_WRITABLE))
    return FALSE;
  why = g_strdup_printf ("the build directory is not safe for plugins: %s", error->message);
  g_test_skip (why);
  return TRUE;
}

/* Removes PATH and everything below it (links are not followed). */
void
abi_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  chmod (path, 0755);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        abi_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
