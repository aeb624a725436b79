/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

/* The import-mbox and search commands of the built `cachet`, with XDG_DATA_HOME in the
 * test's own directory.  The binary's path comes as "--cachet=PATH". */

static char *cachet_bin;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_cachet (Run        *run,
            const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, cachet_bin);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_unsetenv (envp, "LANGUAGE");
  memset (run, 0, sizeof *run);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &run->status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (run->status));
  run->status = WEXITSTATUS (run->status);
  g_test_message ("status %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

static char *
write_mbox (void)
{
  char *path = g_build_filename (g_get_user_data_dir (), "cli.mbox", NULL);
  const char *text =
    "From a@example.org Mon Jan  1 10:00:00 2024\n"
    "From: Alice Example <alice@example.org>\nSubject: Lunch on Friday\n"
    "Date: Mon, 01 Jan 2024 10:00:00 +0000\n\nShall we meet at noon?\n\n"
    "From b@example.org Tue Jan  2 10:00:00 2024\n"
    "From: Bob <bob@example.org>\nSubject: Minutes\n"
    "Date: Tue, 02 Jan 2024 10:00:00 +0000\n\n>From the meeting: nothing.\n\n"
    "From c@example.org Wed Jan  3 10:00:00 2024\n"
    "From: Carol <carol@example.org>\nSubject: Re: Lunch on Friday\n"
    "Date: Wed, 03 Jan 2024 10:00:00 +0000\n\nNoon works.\n";

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_import_and_search (void)
{
  g_autofree char *mbox = write_mbox ();
  g_auto(Run) run = { 0, NULL, NULL };
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;

  run_cachet (&run, "import-mbox", mbox, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 3 messages into Inbox\n");
  /* Not a terminal: plain progress lines. */
  g_assert_nonnull (strstr (run.err, "100%"));
  g_assert_null (strchr (run.err, '\r'));
  run_clear (&run);

  run_cachet (&run, "search", "lunch", NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);   /* two hits and the empty tail */
  fields = g_strsplit (lines[0], "\t", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 4);
  g_assert_true (g_str_has_prefix (fields[0], "2024-01-0"));
  g_assert_cmpstr (fields[1], ==, "Carol");               /* newest first */
  g_assert_cmpstr (fields[2], ==, "Re: Lunch on Friday");
  g_assert_cmpstr (fields[3], ==, "Inbox");
  run_clear (&run);

  run_cachet (&run, "search", "from:bob", "meeting", "--folder", "Inbox", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\tBob\tMinutes\tInbox\n"));
  run_clear (&run);

  /* Nothing found is no error. */
  run_cachet (&run, "search", "zeppelin", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "No messages found."));
  run_clear (&run);

  /* Hostile input is just text. */
  run_cachet (&run, "search", "\"(NEAR", "*", NULL);
  g_assert_cmpint (run.status, ==, 0);
  run_clear (&run);
}

static void
test_import_folder (void)
{
  g_autofree char *mbox = write_mbox ();
  g_auto(Run) run = { 0, NULL, NULL };

  run_cachet (&run, "import-mbox", mbox, "--folder", "Lists/Friday", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "Imported 3 messages into Lists/Friday\n");
  run_clear (&run);
  {
    g_autofree char *cur = g_build_filename (g_get_user_data_dir (), "cachet", "mail", "Lists",
                                             "Friday", "cur", NULL);
    g_autoptr(GDir) dir = g_dir_open (cur, 0, NULL);
    guint n = 0;
    g_assert_nonnull (dir);
    while (g_dir_read_name (dir))
      n++;
    g_assert_cmpuint (n, ==, 3);
  }
  run_cachet (&run, "search", "noon", "--folder", "Lists/Friday", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\tLists/Friday\n"));
  run_clear (&run);
}

static void
test_errors (void)
{
  g_autofree char *missing = g_build_filename (g_get_user_data_dir (), "nope.mbox", NULL);
  g_autofree char *not_mbox = g_build_filename (g_get_user_data_dir (), "plain.txt", NULL);
  g_auto(Run) run = { 0, NULL, NULL };

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  run_cachet (&run, "import-mbox", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);
  run_cachet (&run, "import-mbox", missing, NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "nope.mbox"));
  run_clear (&run);
  g_assert_true (g_file_set_contents (not_mbox, "hello\n", -1, NULL));
  run_cachet (&run, "import-mbox", not_mbox, "--folder", "ShouldNotExist", NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "not an mbox"));
  run_clear (&run);
  run_cachet (&run, "import-mbox", missing, "--folder", "bad/.name", NULL);
  g_assert_cmpint (run.status, !=, 0);
  run_clear (&run);
  run_cachet (&run, "search", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);
  run_cachet (&run, "search", "x", "--folder", "ShouldNotExist", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "ShouldNotExist"));
  run_clear (&run);
  run_cachet (&run, "search", "--", "-onlynot", NULL);
  g_assert_cmpint (run.status, ==, 1);
  run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--cachet="))
      {
        cachet_bin = g_strdup (argv[i] + strlen ("--cachet="));
        memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
        argc--;
        break;
      }
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (cachet_bin == NULL)
    {
      g_test_skip ("Pass --cachet=PATH to the built binary");
      return g_test_run ();
    }

  g_test_add_func ("/store/cli/import-and-search", test_import_and_search);
  g_test_add_func ("/store/cli/import-into-folder", test_import_folder);
  g_test_add_func ("/store/cli/errors", test_errors);
  return g_test_run ();
}
