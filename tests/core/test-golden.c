/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-message-dump.h"
#include "cachet-message.h"

/* Every message under tests/data/golden/ and tests/data/corpus/ is rendered the way
 * `cachet show` prints it, plus its warnings, and compared with NAME.expected.  With
 * CACHET_UPDATE_GOLDEN=1 the expected files are written instead (then read them!). */

static gboolean
is_message_file (const char *name)
{
  return !g_str_has_suffix (name, ".expected") && !g_str_has_suffix (name, ".md")
         && !g_str_has_prefix (name, "LICENSE") && !g_str_has_prefix (name, "COPYING")
         && !g_str_has_prefix (name, "NOTICE") && !g_str_has_prefix (name, "MIT-LICENSE")
         && !g_str_has_prefix (name, ".");
}

static char *
render (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessage) msg = cachet_message_new_from_file (path, &error);
  g_autofree char *dump = NULL;
  GPtrArray *warnings;
  GString *out;

  g_assert_no_error (error);
  dump = cachet_message_dump (msg);
  out = g_string_new (dump);
  warnings = cachet_message_get_warnings (msg);
  if (warnings->len > 0)
    {
      g_string_append (out, "\n════ Warnings ════\n");
      for (guint i = 0; i < warnings->len; i++)
        g_string_append_printf (out, "%s\n", (const char *) g_ptr_array_index (warnings, i));
    }
  return g_string_free (out, FALSE);
}

static void
test_one (gconstpointer data)
{
  const char *path = data;
  g_autofree char *expected_path = g_strconcat (path, ".expected", NULL);
  g_autofree char *got = render (path);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_utf8_validate (got, -1, NULL));

  if (g_getenv ("CACHET_UPDATE_GOLDEN") != NULL)
    {
      g_assert_true (g_file_set_contents (expected_path, got, -1, &error));
      g_assert_no_error (error);
      return;
    }

  if (!g_file_get_contents (expected_path, &expected, NULL, &error))
    g_error ("%s: no expected output (run with CACHET_UPDATE_GOLDEN=1, then check it by "
             "reading): %s", path, error->message);
  if (!g_str_equal (got, expected))
    {
      g_autofree char *actual_path = g_strconcat (g_get_tmp_dir (), "/",
                                                  g_path_get_basename (path), ".actual", NULL);
      g_file_set_contents (actual_path, got, -1, NULL);
      g_test_message ("output differs from %s; actual output written to %s", expected_path,
                      actual_path);
    }
  g_assert_cmpstr (got, ==, expected);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
collect (const char *dir,
         GPtrArray  *files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect (path, files);
      else if (is_message_file (name))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *data_dir;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  data_dir = g_getenv ("CACHET_TEST_DATA");
  g_assert_nonnull (data_dir);
  {
    g_autofree char *golden = g_build_filename (data_dir, "golden", NULL);
    g_autofree char *corpus = g_build_filename (data_dir, "corpus", NULL);
    collect (golden, files);
    collect (corpus, files);
  }
  g_ptr_array_sort (files, compare_paths);

  /* An empty tree would make this test pass without checking anything. */
  g_assert_cmpuint (files->len, >=, 40);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *test_path = g_strconcat ("/core/golden/", path + strlen (data_dir) + 1,
                                                NULL);
      g_test_add_data_func (test_path, path, test_one);
    }

  return g_test_run ();
}
