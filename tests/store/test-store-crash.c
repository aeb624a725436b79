/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachet-store.h"
#include "store-test-util.h"

/* Crash safety: a child process opens the store and does one write with
 * CACHET_STORE_CRASH_AT set to a step of it, so it dies right there (_exit, as a kill would:
 * nothing is closed or flushed).  The parent then opens the store and checks that the
 * message is there exactly once (or not at all, for steps before the rename), that files
 * and index agree, and that the write can be done again. */

#define CRASH_EXIT 86

static char *self_exe;

/* The child: argv = { exe, "--crash-child", op, data_dir }. */
static int
crash_child (const char *op,
             const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  CachetStore *store = cachet_store_new (data_dir);
  gint64 inbox, id = 0;

  if (!cachet_store_open_sync (store, NULL, NULL, NULL, &error))
    {
      g_printerr ("child: open: %s\n", error->message);
      return 1;
    }
  inbox = store_test_folder_id (store, "Inbox");
  {
    g_autoptr(CachetMessageList) list = store_test_list (store, inbox);
    if (list->ids->len > 0)
      id = g_array_index (list->ids, gint64, 0);
  }

  if (g_str_equal (op, "add"))
    {
      g_autoptr(GBytes) m = store_test_message ("crash@example.org", "Crash", NULL, NULL, NULL,
                                                NULL, NULL);
      cachet_store_add_message_sync (store, inbox, m, CACHET_FLAG_SEEN, NULL, &error);
    }
  else if (g_str_equal (op, "flags"))
    cachet_store_set_flags_sync (store, &id, 1, CACHET_FLAG_FLAGGED | CACHET_FLAG_SEEN, 0,
                                 NULL, &error);
  else if (g_str_equal (op, "move"))
    cachet_store_move_sync (store, &id, 1, store_test_folder_id (store, "Archive"), NULL,
                            &error);
  else if (g_str_equal (op, "delete"))
    {
      g_autoptr(CachetMessageList) list =
        store_test_list (store, store_test_folder_id (store, "Trash"));
      cachet_store_delete_sync (store, &g_array_index (list->ids, gint64, 0), 1, NULL, &error);
    }
  else if (g_str_equal (op, "import"))
    {
      g_autofree char *mbox = g_build_filename (data_dir, "in.mbox", NULL);
      cachet_store_import_mbox_sync (store, mbox, inbox, NULL, NULL, NULL, NULL, &error);
    }
  else if (g_str_equal (op, "sync"))
    cachet_store_sync_folder_sync (store, inbox, NULL, &error);
  else if (g_str_equal (op, "folder"))
    cachet_store_rename_folder_sync (store, store_test_folder_id (store, "Archive"), "Old",
                                     NULL, &error);
  else if (g_str_equal (op, "fetch"))
    {
      g_autoptr(CachetStoreIncoming) in = cachet_store_incoming_new (store, inbox, "acct",
                                                                     &error);
      g_assert_no_error (error);
      for (int i = 1; i <= 3; i++)
        {
          g_autofree char *uidl = g_strdup_printf ("uidl-%d", i);
          g_autoptr(GBytes) m = store_test_message (uidl, "Fetched", NULL, NULL, NULL, NULL,
                                                    NULL);
          store_test_receive (in, uidl, m);
        }
      cachet_store_batch_finish (cachet_store_incoming_commit (in), NULL, NULL, &error);
    }
  if (error)
    {
      g_printerr ("child: %s: %s\n", op, error->message);
      return 1;
    }
  cachet_store_close (store);
  g_object_unref (store);
  return 0;
}

static void
run_child (const char *op,
           const char *step,
           const char *data_dir)
{
  const char *argv[] = { self_exe, "--crash-child", op, data_dir, NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "CACHET_STORE_CRASH_AT", step, TRUE);
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  /* The child must really have died at that step. */
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, CRASH_EXIT);
}

static guint
count_subject (CachetStore *store,
               const char  *folder,
               const char  *subject,
               CachetFlags *flags)
{
  g_autoptr(CachetMessageList) list = store_test_list (store,
                                                       store_test_folder_id (store, folder));
  guint n = 0;

  for (guint i = 0; i < list->ids->len; i++)
    {
      CachetMessageSummary s;
      g_assert_true (cachet_store_get_summaries (store, &g_array_index (list->ids, gint64, i),
                                                 1, &s, NULL));
      if (g_str_equal (s.subject, subject))
        {
          n++;
          if (flags)
            *flags = s.flags;
        }
      cachet_message_summary_clear (&s);
    }
  return n;
}

typedef struct
{
  const char *op;
  const char *step;
} CrashCase;

static void
prepare (const char *data_dir,
         const char *op)
{
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) m = store_test_message ("old@example.org", "Old", NULL, NULL, NULL, NULL,
                                            NULL);
  gint64 inbox = store_test_folder_id (store, "Inbox");

  cachet_store_create_folder_sync (store, 0, "Archive", NULL, &error);
  g_assert_no_error (error);
  if (g_str_equal (op, "delete"))
    cachet_store_add_message_sync (store, store_test_folder_id (store, "Trash"), m, 0, NULL,
                                   &error);
  else if (g_str_equal (op, "folder"))
    cachet_store_add_message_sync (store, store_test_folder_id (store, "Archive"), m, 0, NULL,
                                   &error);
  else if (!g_str_equal (op, "add") && !g_str_equal (op, "import")
           && !g_str_equal (op, "fetch"))
    cachet_store_add_message_sync (store, inbox, m, 0, NULL, &error);
  g_assert_no_error (error);
  store_test_close (store);

  if (g_str_equal (op, "import"))
    {
      g_autofree char *mbox = g_build_filename (data_dir, "in.mbox", NULL);
      const char *text =
        "From a@example.org Mon Jan  1 10:00:00 2024\n"
        "From: a@example.org\nSubject: Imported\nMessage-ID: <i1@example.org>\n\nOne\n\n"
        "From a@example.org Mon Jan  1 10:00:01 2024\n"
        "From: a@example.org\nSubject: Imported\nMessage-ID: <i2@example.org>\n\nTwo\n\n"
        "From a@example.org Mon Jan  1 10:00:02 2024\n"
        "From: a@example.org\nSubject: Imported\nMessage-ID: <i3@example.org>\n\nThree\n";
      g_assert_true (g_file_set_contents (mbox, text, -1, NULL));
    }
  if (g_str_equal (op, "sync"))
    {
      g_autofree char *path = g_build_filename (data_dir, "mail", "Inbox", "new",
                                                "1700000000.M1P1.elsewhere", NULL);
      g_autoptr(GBytes) d = store_test_message ("new@example.org", "Delivered", NULL, NULL,
                                                NULL, NULL, NULL);
      g_assert_true (g_file_set_contents (path, g_bytes_get_data (d, NULL),
                                          g_bytes_get_size (d), NULL));
    }
}

static void
test_crash (gconstpointer data)
{
  const CrashCase *c = data;
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store;
  CachetFlags flags = 0;
  gboolean before_rename = g_str_has_suffix (c->step, ":tmp-written")
                           || g_str_has_suffix (c->step, ":synced");

  gint64 old_id = 0;

  prepare (data_dir, c->op);
  if (g_str_equal (c->op, "move"))
  {
    store = store_test_open (data_dir);
    g_autoptr(CachetMessageList) list = store_test_list (store,
                                                         store_test_folder_id (store, "Inbox"));
    if (list->ids->len > 0)
      old_id = g_array_index (list->ids, gint64, 0);
    store_test_close (store);
  }
  run_child (c->op, c->step, data_dir);

  store = store_test_open (data_dir);
  store_test_assert_consistent (store, "Inbox");
  store_test_assert_consistent (store, "Trash");
  if (g_str_equal (c->op, "add"))
    {
      g_assert_cmpuint (count_subject (store, "Inbox", "Crash", &flags), ==,
                        before_rename ? 0 : 1);
      if (!before_rename)
        g_assert_cmpint (flags, ==, CACHET_FLAG_SEEN);
    }
  else if (g_str_equal (c->op, "flags"))
    {
      g_assert_cmpuint (count_subject (store, "Inbox", "Old", &flags), ==, 1);
      /* Renamed before the crash: the file name is the truth. */
      g_assert_cmpint (flags, ==, CACHET_FLAG_FLAGGED | CACHET_FLAG_SEEN);
    }
  else if (g_str_equal (c->op, "move"))
    {
      g_assert_cmpuint (count_subject (store, "Inbox", "Old", NULL), ==, 0);
      g_assert_cmpuint (count_subject (store, "Archive", "Old", NULL), ==, 1);
      store_test_assert_consistent (store, "Archive");
      {
        /* A move keeps the id, even when the index learns of it only after the crash. */
        g_autoptr(CachetMessageList) list =
          store_test_list (store, store_test_folder_id (store, "Archive"));
        g_assert_cmpint (g_array_index (list->ids, gint64, 0), ==, old_id);
      }
    }
  else if (g_str_equal (c->op, "delete"))
    g_assert_cmpuint (count_subject (store, "Trash", "Old", NULL), ==, 0);
  else if (g_str_equal (c->op, "import"))
    {
      guint expected = before_rename ? 0 : 3;
      g_assert_cmpuint (count_subject (store, "Inbox", "Imported", NULL), ==, expected);
      g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, expected);
    }
  else if (g_str_equal (c->op, "sync"))
    g_assert_cmpuint (count_subject (store, "Inbox", "Delivered", NULL), ==, 1);
  else if (g_str_equal (c->op, "fetch"))
    {
      guint expected = before_rename ? 0 : 3;
      g_autoptr(GHashTable) ledger = cachet_store_ledger_get_sync (store, "acct", NULL);

      g_assert_cmpuint (count_subject (store, "Inbox", "Fetched", NULL), ==, expected);
      g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, expected);
      /* The ledger knows exactly what is stored, also when the commit was lost. */
      g_assert_nonnull (ledger);
      g_assert_cmpuint (g_hash_table_size (ledger), ==, expected);
      if (expected > 0)
        {
          CachetLedgerEntry *e = g_hash_table_lookup (ledger, "uidl-2");
          g_assert_nonnull (e);
          g_assert_cmpint (e->message_id, >, 0);
          g_assert_false (e->deleted_locally);
        }
      /* Fetching the same again stores nothing twice. */
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(CachetStoreIncoming) in =
          cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "acct",
                                     &error);
        g_autoptr(GPtrArray) stored = NULL;
        guint n_new = 99;

        for (int i = 1; i <= 3; i++)
          {
            g_autofree char *uidl = g_strdup_printf ("uidl-%d", i);
            g_autoptr(GBytes) m = store_test_message (uidl, "Fetched", NULL, NULL, NULL, NULL,
                                                      NULL);
            store_test_receive (in, uidl, m);
          }
        g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), &stored,
                                                  &n_new, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (stored->len, ==, 3);
        g_assert_cmpuint (n_new, ==, 3 - expected);
        g_assert_cmpuint (count_subject (store, "Inbox", "Fetched", NULL), ==, 3);
        g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 3);
      }
    }
  else if (g_str_equal (c->op, "folder"))
    {
      g_assert_null (cachet_store_get_folder_by_path (store, "Archive"));
      g_assert_cmpuint (count_subject (store, "Old", "Old", NULL), ==, 1);
      store_test_assert_consistent (store, "Old");
    }

  /* The store still works: one more add, and the counts add up. */
  {
    g_autoptr(GBytes) m = store_test_message ("after@example.org", "After", NULL, NULL, NULL,
                                              NULL, NULL);
    g_autoptr(GError) error = NULL;
    gint64 id = cachet_store_add_message_sync (store, store_test_folder_id (store, "Inbox"), m,
                                               0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (id, >, 0);
    store_test_assert_consistent (store, "Inbox");
  }
  store_test_close (store);

  /* And a second open (clean this time) sees the same. */
  store = store_test_open (data_dir);
  store_test_assert_consistent (store, "Inbox");
  g_assert_cmpuint (count_subject (store, "Inbox", "After", NULL), ==, 1);
  store_test_close (store);
}

static const CrashCase cases[] = {
  { "add", "add:tmp-written" },
  { "add", "add:renamed" },
  { "add", "add:committed" },
  { "flags", "flags:renamed" },
  { "flags", "flags:committed" },
  { "move", "move:renamed" },
  { "move", "move:committed" },
  { "delete", "delete:unlinked" },
  { "delete", "delete:committed" },
  { "import", "import:synced" },
  { "import", "import:renamed" },
  { "import", "import:committed" },
  { "sync", "sync:renamed" },
  { "folder", "folder:renamed" },
  { "fetch", "fetch:tmp-written" },
  { "fetch", "fetch:synced" },
  { "fetch", "fetch:renamed" },
  { "fetch", "fetch:committed" },
};

int
main (int    argc,
      char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--crash-child"))
    return crash_child (argv[2], argv[3]);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    self_exe = g_strdup (argv[0]);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/store/crash/%s", cases[i].step);
      g_strdelimit (path + strlen ("/store/crash/"), ":", '-');
      g_test_add_data_func (path, &cases[i], test_crash);
    }
  return g_test_run ();
}
