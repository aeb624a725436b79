/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test-abi"

#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachet-crypto-error.h"
#include "cachet-crypto-file.h"
#include "cachet-crypto-probe.h"
#include "cachet-crypto-registry.h"

#include "abi-test-util.h"

/* Group 8 (crashes) and the probe in a helper process: the registry runs
 * the built cachet binary as `cachet --probe-plugin FILE` before it loads a
 * new or changed plugin, and keeps the answers in a cache.  Plugin folders
 * live under the build directory (see test-abi-loader.c for why not /tmp).
 *
 * The helper is run with ASAN_OPTIONS handle_segv=0:handle_sigbus=0 (see
 * meson.build), so that a crash ends it by its signal under ASan too. */

typedef struct
{
  char *dir;
  char *cache;
} Fixture;

static gboolean
build_dir_is_safe (const char *dir)
{
  g_autofree char *probe = abi_test_install_plugin (dir, "minimal", "probe.so");
  g_autoptr(GError) error = NULL;
  struct stat st;
  int fd = cachet_crypto_file_open (probe, &st, &error);

  g_unlink (probe);
  if (fd >= 0)
    close (fd);
  return fd >= 0 || !abi_test_skip_unsafe (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = abi_test_make_dir ("probe-tmp");
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own cache folder. */
  f->cache = cachet_crypto_probe_cache_default_path ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  abi_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->cache);
}

static CachetCryptoRegistry *
probing_registry (const char *const *enabled)
{
  CachetCryptoRegistry *registry = cachet_crypto_registry_new (enabled);

  /* The default cache path. */
  cachet_crypto_registry_set_probe (registry, CACHET_EXE, NULL);
  return registry;
}

static CachetCryptoEntry *
entry (CachetCryptoRegistry *registry,
       guint                 i)
{
  GPtrArray *entries = cachet_crypto_registry_get_entries (registry);

  g_assert_cmpuint (i, <, entries->len);
  return g_ptr_array_index (entries, i);
}

static char *
enabled_value (const char *id,
               const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  return g_strconcat (id, "=", sha, NULL);
}

/* Moves PATH's mtime a little (a "touched" file). */
static void
touch (const char *path)
{
  struct stat st;
  struct timespec times[2];

  g_assert_no_errno (g_stat (path, &st));
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  times[1].tv_sec += 2;
  g_assert_no_errno (utimensat (AT_FDCWD, path, times, 0));
}

/* The helper's own answer, without the registry. */
static void
test_helper (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *good = NULL;
  g_autofree char *newer = NULL;
  g_autoptr(CachetCryptoProbeResult) ok = NULL;
  g_autoptr(CachetCryptoProbeResult) refused = NULL;

  if (!build_dir_is_safe (f->dir))
    return;
  good = abi_test_install_plugin (f->dir, "minimal", "good.so");
  newer = abi_test_install_plugin (f->dir, "minor-too-new", "newer.so");
  ok = cachet_crypto_probe_run (CACHET_EXE, good);
  g_assert_cmpint (ok->verdict, ==, CACHET_CRYPTO_PROBE_OK);
  g_assert_cmpstr (ok->id, ==, "org.cachet.test.Minimal");
  g_assert_cmpstr (ok->name, ==, "Test plugin");
  g_assert_nonnull (strstr (ok->description, "Capabilities: encrypt, decrypt\n"));
  refused = cachet_crypto_probe_run (CACHET_EXE, newer);
  g_assert_cmpint (refused->verdict, ==, CACHET_CRYPTO_PROBE_REFUSED);
  g_assert_cmpstr (refused->reason, ==,
                   "The plugin needs a newer Cachet (plugin interface 1.1; this Cachet has 1.0).");
}

/* A plugin that segfaults in init, probed: the caller goes on, the entry
 * is refused with a plain sentence, the next plugin loads. */
static void
test_crash_in_init (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (!build_dir_is_safe (f->dir))
    return;
  a = abi_test_install_plugin (f->dir, "init-crashes", "a.so");
  b = abi_test_install_plugin (f->dir, "minimal", "b.so");
  cachet_crypto_registry_scan (registry, f->dir, FALSE);
  g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
  g_assert_cmpstr (entry (registry, 0)->reason, ==,
                   "The plugin crashed while being checked (segmentation fault).");
  g_assert_null (entry (registry, 0)->loaded);
  g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  g_assert_cmpstr (entry (registry, 1)->id, ==, "org.cachet.test.Minimal");
  g_assert_nonnull (entry (registry, 1)->description);
  g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 2);
  g_assert_true (g_file_test (f->cache, G_FILE_TEST_IS_REGULAR));
}

/* A plugin file cut short after its program headers, its section headers
 * dropped: it passes every check of the header, and dlopen dies of SIGBUS
 * on it (glibc 2.36).  Only the helper process dies. */
static void
test_truncated_elf (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);
  g_autofree char *path = NULL;
  g_autofree char *good = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Elf64_Ehdr header;
  struct stat st;
  gsize len, cut = 0;
  int fd;

  if (!build_dir_is_safe (f->dir))
    return;
  path = abi_test_install_plugin (f->dir, "minimal", "cut.so");
  good = abi_test_install_plugin (f->dir, "minimal", "good.so");
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  if (len < sizeof header || (unsigned char) contents[EI_CLASS] != ELFCLASS64)
    {
      g_test_skip ("needs a 64-bit ELF");
      return;
    }
  memcpy (&header, contents, sizeof header);
  /* Cut at the page where the last loadable segment starts: its pages (and
   * the dynamic section in them) are then wholly past the end of the file. */
  for (guint i = 0; i < header.e_phnum; i++)
    {
      Elf64_Phdr ph;

      memcpy (&ph, contents + header.e_phoff + (gsize) i * header.e_phentsize, sizeof ph);
      if (ph.p_type == PT_LOAD && ph.p_offset > cut)
        cut = ph.p_offset;
    }
  cut &= ~(gsize) 0xfff;
  g_assert_cmpuint (cut, >, header.e_phoff + (gsize) header.e_phnum * header.e_phentsize);
  header.e_shoff = 0;
  header.e_shnum = 0;
  header.e_shstrndx = 0;
  memcpy (contents, &header, sizeof header);
  g_assert_true (g_file_set_contents_full (path, contents, (gssize) len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_no_errno (truncate (path, (off_t) cut));

  /* The in-process checks cannot tell: loading it here would kill us. */
  fd = cachet_crypto_file_open (path, &st, &error);
  g_assert_no_error (error);
  close (fd);

  cachet_crypto_registry_scan (registry, f->dir, FALSE);
  g_assert_cmpstr (entry (registry, 0)->path, ==, path);
  g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
  g_assert_cmpstr (entry (registry, 0)->reason, ==,
                   "The plugin crashed while being checked (bus error).");
  g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
}

/* An unchanged file is not probed twice, a refusal included; a touched one
 * is probed again. */
static void
test_cache (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (!build_dir_is_safe (f->dir))
    return;
  a = abi_test_install_plugin (f->dir, "minimal", "a.so");
  b = abi_test_install_plugin (f->dir, "bad-magic", "b.so");
  for (int round = 0; round < 3; round++)
    {
      g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);

      if (round == 2)
        touch (a);
      cachet_crypto_registry_scan (registry, f->dir, FALSE);
      g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
      g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
      g_assert_nonnull (strstr (entry (registry, 1)->reason, "wrong magic number"));
      g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==,
                        round == 0 ? 2 : round == 1 ? 0 : 1);
    }

  /* A damaged cache is an empty one. */
  g_assert_true (g_file_set_contents (f->cache, "[cache\nnonsense", -1, NULL));
  {
    g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);

    cachet_crypto_registry_scan (registry, f->dir, FALSE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 2);
  }
}

/* The file checks run before the cache is asked, every time: a cached good
 * plugin made world-writable is refused, and once fixed loads without a new
 * probe.  A symlink out of the folder is refused and never probed. */
static void
test_checks_not_cached (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *target = NULL;
  g_autofree char *link = NULL;

  if (!build_dir_is_safe (f->dir))
    return;
  a = abi_test_install_plugin (f->dir, "minimal", "a.so");
  target = abi_test_fixture_path ("other-id");
  link = g_build_filename (f->dir, "b.so", NULL);
  g_assert_no_errno (symlink (target, link));
  {
    g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);

    cachet_crypto_registry_scan (registry, f->dir, FALSE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
    g_assert_nonnull (strstr (entry (registry, 1)->reason, "symbolic link"));
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 1);
  }
  g_assert_no_errno (chmod (a, 0666));
  {
    g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);

    cachet_crypto_registry_scan (registry, f->dir, FALSE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
    g_assert_cmpstr (entry (registry, 0)->reason, ==, "The file can be changed by other users.");
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 0);
  }
  g_assert_no_errno (chmod (a, 0644));
  {
    g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);

    cachet_crypto_registry_scan (registry, f->dir, FALSE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 0);
  }
}

/* A user plugin not turned on is not even probed; turning it on probes and
 * loads it and gives the "ID=SHA256" value; a bad one stays refused. */
static void
test_enable (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CachetCryptoRegistry) registry = probing_registry (NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *value = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (!build_dir_is_safe (f->dir))
    return;
  a = abi_test_install_plugin (f->dir, "bad-magic", "a.so");
  b = abi_test_install_plugin (f->dir, "other-id", "b.so");
  cachet_crypto_registry_scan (registry, f->dir, TRUE);
  g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
  g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
  g_assert_null (entry (registry, 1)->id);
  g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 0);

  g_assert_true (cachet_crypto_registry_enable (registry, entry (registry, 1), &value, &error));
  g_assert_no_error (error);
  expected = enabled_value ("org.cachet.test.Other", b);
  g_assert_cmpstr (value, ==, expected);
  g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  g_assert_nonnull (cachet_crypto_registry_find (registry, "openpgp", 0));
  g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 1);
  g_clear_pointer (&value, g_free);

  g_assert_false (cachet_crypto_registry_enable (registry, entry (registry, 0), &value, &error));
  g_assert_error (error, CACHET_CRYPTO_ERROR, CACHET_CRYPTO_ERROR_LOAD);
  g_assert_null (value);
  g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_REFUSED);
  g_assert_nonnull (strstr (entry (registry, 0)->reason, "wrong magic number"));

  /* At the next start it loads from the enabled list, without a probe. */
  {
    const char *enabled[] = { expected, NULL };
    g_autoptr(CachetCryptoRegistry) next = probing_registry (enabled);

    cachet_crypto_registry_scan (next, f->dir, TRUE);
    g_assert_cmpint (entry (next, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (next), ==, 0);
  }
}

/* A plugin that passed the helper's check but crashes Cachet in init: the
 * sentinel disables it at the next start (and says so once), it stays off
 * while the file is unchanged, a changed file is checked and loaded again,
 * and a user plugin can be turned on again by the user. */
static void
test_crash_in_cachet (void)
{
  g_autofree char *dir = g_build_filename (ABI_BUILD_DIR, "probe-tmp", "crash", NULL);
  g_autofree char *sentinel = g_build_filename (dir, "state", "sentinel", NULL);
  g_autofree char *plugins = g_build_filename (dir, "plugins", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", "probes.ini", NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *value = NULL;
  g_autofree char *enabled_a = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      const char *enabled[] = { g_getenv ("ABI_ENABLED"), NULL };
      g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);

      g_setenv ("ABI_FIXTURE_CRASH", "1", TRUE);
      cachet_crypto_registry_set_sentinel (registry, sentinel);
      cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
      cachet_crypto_registry_scan (registry, plugins, TRUE);
      return;  /* not reached: the plugin crashes */
    }

  g_assert_no_errno (g_mkdir_with_parents (plugins, 0755));
  g_assert_no_errno (chmod (dir, 0755));
  g_assert_no_errno (chmod (plugins, 0755));
  if (!build_dir_is_safe (plugins))
    return;
  a = abi_test_install_plugin (plugins, "crash-if-asked", "a.so");
  b = abi_test_install_plugin (plugins, "minimal", "b.so");
  enabled_a = enabled_value ("org.cachet.test.CrashIfAsked", a);
  g_unlink (cache);
  {
    g_autofree char *enabled_b = enabled_value ("org.cachet.test.Minimal", b);
    const char *enabled[] = { enabled_a, enabled_b, NULL };
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);

    /* A first start: both pass the check and load. */
    cachet_crypto_registry_set_sentinel (registry, sentinel);
    cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
    cachet_crypto_registry_scan (registry, plugins, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 2);
  }

  /* A start where the plugin crashes Cachet in init (checked ones are not
   * checked again, so only the sentinel can catch this). */
  g_setenv ("ABI_ENABLED", enabled_a, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();
  g_assert_true (g_file_test (sentinel, G_FILE_TEST_EXISTS));

  {
    const char *enabled[] = { enabled_a, NULL };
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);

    cachet_crypto_registry_set_sentinel (registry, sentinel);
    cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
    cachet_crypto_registry_scan (registry, plugins, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
    g_assert_true (entry (registry, 0)->crashed_last_time);
    g_assert_true (cachet_crypto_registry_get_crashed (registry) == entry (registry, 0));
    g_assert_cmpstr (entry (registry, 0)->reason, ==,
                     "The plugin crashed Cachet the last time it started, so it is turned off.");
    g_assert_false (g_file_test (sentinel, G_FILE_TEST_EXISTS));
  }
  {
    /* The start after: still off, and no longer news. */
    const char *enabled[] = { enabled_a, NULL };
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (enabled);

    cachet_crypto_registry_set_sentinel (registry, sentinel);
    cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
    cachet_crypto_registry_scan (registry, plugins, TRUE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
    g_assert_false (entry (registry, 0)->crashed_last_time);
    g_assert_null (cachet_crypto_registry_get_crashed (registry));
    g_assert_cmpstr (entry (registry, 0)->reason, ==,
                     "The plugin crashed Cachet once, so it stays off until you turn it on "
                     "again.");
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 0);

    /* The user turns it on again: checked, loaded. */
    g_assert_true (cachet_crypto_registry_enable (registry, entry (registry, 0), &value, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, enabled_a);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 1);
  }

  /* The same for a system plugin, which is back once its file changes. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();
  {
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);

    cachet_crypto_registry_set_sentinel (registry, sentinel);
    cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
    cachet_crypto_registry_scan (registry, plugins, FALSE);
    g_assert_true (entry (registry, 0)->crashed_last_time);
  }
  {
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);

    cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
    cachet_crypto_registry_scan (registry, plugins, FALSE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_DISABLED);
    g_assert_cmpstr (entry (registry, 0)->reason, ==,
                     "The plugin crashed Cachet once, so it stays off until it is updated.");
    g_assert_cmpint (entry (registry, 1)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
  }
  touch (a);
  {
    g_autoptr(CachetCryptoRegistry) registry = cachet_crypto_registry_new (NULL);

    cachet_crypto_registry_set_probe (registry, CACHET_EXE, cache);
    cachet_crypto_registry_scan (registry, plugins, FALSE);
    g_assert_cmpint (entry (registry, 0)->state, ==, CACHET_CRYPTO_ENTRY_LOADED);
    g_assert_cmpuint (cachet_crypto_registry_get_probe_count (registry), ==, 1);
  }

  g_unlink (a);
  g_unlink (b);
  g_unlink (cache);
  {
    g_autofree char *state = g_path_get_dirname (sentinel);
    g_autofree char *cache_dir = g_path_get_dirname (cache);

    g_rmdir (state);
    g_rmdir (cache_dir);
  }
  g_rmdir (plugins);
  g_rmdir (dir);
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  add ("/abi/probe/helper", test_helper);
  add ("/abi/probe/crash-in-init", test_crash_in_init);
  add ("/abi/probe/truncated-elf", test_truncated_elf);
  add ("/abi/probe/cache", test_cache);
  add ("/abi/probe/checks-not-cached", test_checks_not_cached);
  add ("/abi/probe/enable", test_enable);
  g_test_add_func ("/abi/probe/crash-in-cachet", test_crash_in_cachet);
  return g_test_run ();
}
