/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cachet-core-error.h"
#include "cachet-encrypt-memory.h"

static char *
temp_path (const char *name)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own config dir. */
  return g_build_filename (g_get_user_config_dir (), "cachet", name, NULL);
}

static void
test_empty (void)
{
  g_autofree char *path = temp_path ("encrypt-to");
  g_autoptr(CachetEncryptMemory) memory = cachet_encrypt_memory_new (path);
  const char *none[] = { NULL };
  const char *one[] = { "alice@example.org", NULL };
  g_auto(GStrv) all = cachet_encrypt_memory_dup_all (memory);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_strv_length (all), ==, 0);
  g_assert_false (cachet_encrypt_memory_contains (memory, "alice@example.org"));
  /* No recipients is never "all remembered". */
  g_assert_false (cachet_encrypt_memory_contains_all (memory, none));
  g_assert_false (cachet_encrypt_memory_contains_all (memory, NULL));
  g_assert_false (cachet_encrypt_memory_contains_all (memory, one));
}

static void
test_remember_roundtrip (void)
{
  g_autofree char *path = temp_path ("encrypt-to");
  g_autoptr(CachetEncryptMemory) memory = cachet_encrypt_memory_new (path);
  g_autoptr(CachetEncryptMemory) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *sent[] = { "Alice <Alice@Example.ORG>", "bob@example.net", NULL };
  const char *both[] = { "alice@example.org", "BOB@example.net", NULL };
  const char *with_carol[] = { "alice@example.org", "carol@example.com", NULL };
  g_autofree char *contents = NULL;
  g_auto(GStrv) all = NULL;
  GStatBuf st;

  g_assert_true (cachet_encrypt_memory_remember (memory, sent, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_encrypt_memory_contains (memory, "alice@example.org"));
  g_assert_true (cachet_encrypt_memory_contains (memory, "ALICE@example.org"));
  g_assert_true (cachet_encrypt_memory_contains (memory, "\"A. Liddell\" <alice@example.org>"));
  g_assert_true (cachet_encrypt_memory_contains_all (memory, both));
  g_assert_false (cachet_encrypt_memory_contains_all (memory, with_carol));

  /* On disk: private, one lower-case address a line, sorted. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\nalice@example.org\nbob@example.net\n"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* A new process reads the same. */
  again = cachet_encrypt_memory_new (path);
  all = cachet_encrypt_memory_dup_all (again);
  g_assert_cmpuint (g_strv_length (all), ==, 2);
  g_assert_cmpstr (all[0], ==, "alice@example.org");
  g_assert_cmpstr (all[1], ==, "bob@example.net");
  g_assert_true (cachet_encrypt_memory_contains_all (again, both));
}

static void
test_forget (void)
{
  g_autofree char *path = temp_path ("encrypt-to");
  g_autoptr(CachetEncryptMemory) memory = cachet_encrypt_memory_new (path);
  g_autoptr(CachetEncryptMemory) again = NULL;
  const char *sent[] = { "alice@example.org", "bob@example.net", NULL };
  const char *bob[] = { "Bob@Example.net", NULL };

  g_assert_true (cachet_encrypt_memory_remember (memory, sent, NULL));
  g_assert_true (cachet_encrypt_memory_forget (memory, bob, NULL));
  g_assert_false (cachet_encrypt_memory_contains (memory, "bob@example.net"));
  g_assert_true (cachet_encrypt_memory_contains (memory, "alice@example.org"));
  again = cachet_encrypt_memory_new (path);
  g_assert_false (cachet_encrypt_memory_contains (again, "bob@example.net"));
  g_assert_true (cachet_encrypt_memory_contains (again, "alice@example.org"));
}

/* What is not an address is neither remembered nor read back from a file someone edited. */
static void
test_bad_input (void)
{
  g_autofree char *path = temp_path ("encrypt-to");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *long_local = g_strnfill (260, 'a');
  g_autofree char *too_long = g_strconcat (long_local, "@example.org", NULL);
  const char *bad[] = { "", "no-at-sign", "@example.org", "alice@", "a b@example.org",
                        "alice@example.org\nbob@example.org", "Alice <alice@example.org",
                        too_long, "\xff\xfe@example.org", NULL };
  g_autoptr(CachetEncryptMemory) memory = NULL;
  g_autoptr(CachetEncryptMemory) edited = NULL;
  g_auto(GStrv) all = NULL;
  g_autoptr(GError) error = NULL;

  memory = cachet_encrypt_memory_new (path);
  g_assert_true (cachet_encrypt_memory_remember (memory, bad, &error));
  g_assert_no_error (error);
  all = cachet_encrypt_memory_dup_all (memory);
  g_assert_cmpuint (g_strv_length (all), ==, 0);
  /* Nothing changed, nothing written. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path,
                                      "# comment\n\nnot an address\n  Carol@Example.com  \n"
                                      "\x01@x.org\ndave@example.org",
                                      -1, NULL));
  edited = cachet_encrypt_memory_new (path);
  g_clear_pointer (&all, g_strfreev);
  all = cachet_encrypt_memory_dup_all (edited);
  g_assert_cmpuint (g_strv_length (all), ==, 2);
  g_assert_cmpstr (all[0], ==, "carol@example.com");
  g_assert_cmpstr (all[1], ==, "dave@example.org");
}

/* A file that cannot be written is an error, not a crash, and the old file stays. */
static void
test_write_error (void)
{
  g_autofree char *path = temp_path ("encrypt-to");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(CachetEncryptMemory) memory = NULL;
  g_autoptr(GError) error = NULL;
  const char *one[] = { "alice@example.org", NULL };

  /* Where the folder should be, a file: no folder can be made there. */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (dir, "in the way", -1, NULL));
  memory = cachet_encrypt_memory_new (path);
  g_assert_false (cachet_encrypt_memory_remember (memory, one, &error));
  g_assert_error (error, CACHET_CORE_ERROR, CACHET_CORE_ERROR_IO);
}

static gpointer
remember_worker (gpointer data)
{
  CachetEncryptMemory *memory = data;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *address = g_strdup_printf ("user%u.%p@example.org", i, (void *) g_thread_self ());
      const char *one[] = { address, NULL };

      g_assert_true (cachet_encrypt_memory_remember (memory, one, NULL));
      g_assert_true (cachet_encrypt_memory_contains (memory, address));
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autofree char *path = temp_path ("encrypt-to");
  g_autoptr(CachetEncryptMemory) memory = cachet_encrypt_memory_new (path);
  g_autoptr(CachetEncryptMemory) again = NULL;
  GThread *threads[4];
  g_auto(GStrv) all = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("remember", remember_worker, memory);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  again = cachet_encrypt_memory_new (path);
  all = cachet_encrypt_memory_dup_all (again);
  g_assert_cmpuint (g_strv_length (all), ==, 4 * 50);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/encrypt-memory/empty", test_empty);
  g_test_add_func ("/core/encrypt-memory/remember-roundtrip", test_remember_roundtrip);
  g_test_add_func ("/core/encrypt-memory/forget", test_forget);
  g_test_add_func ("/core/encrypt-memory/bad-input", test_bad_input);
  g_test_add_func ("/core/encrypt-memory/write-error", test_write_error);
  g_test_add_func ("/core/encrypt-memory/threads", test_threads);
  return g_test_run ();
}
