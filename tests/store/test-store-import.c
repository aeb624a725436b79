/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-store.h"
#include "store-test-util.h"

/* mboxrd: ">From " in a body was quoted with one more '>' ("From " -> ">From ",
 * ">From " -> ">>From "); mboxo quoted only "From ".  The reader removes one '>'. */
static const char mbox_text[] =
  "From alice@example.org Mon Jan  1 10:00:00 2024\n"
  "From: Alice <alice@example.org>\n"
  "Subject: First\n"
  "Message-ID: <first@example.org>\n"
  "Date: Mon, 01 Jan 2024 10:00:00 +0000\n"
  "Status: RO\n"
  "\n"
  "Hello.\n"
  ">From the start of a line, quoted.\n"
  ">>From twice quoted.\n"
  "From Russia with love, not quoted (mboxo writers miss these).\n"
  "\n"
  "From bob@example.org Tue Jan  2 10:00:00 2024\n"
  "From: Bob <bob@example.org>\n"
  "Subject: Second\n"
  "Message-ID: <second@example.org>\n"
  "X-Status: AF\n"
  "\n"
  "Second body.\n"
  "\n"
  "From carol@example.org Wed Jan  3 10:00:00 2024\n"
  "From: Carol <carol@example.org>\n"
  "Subject: Third\n"
  "\n"
  "Third body, last line without a newline";

static char *
write_mbox (const char *dir,
            const char *text,
            gssize      len)
{
  char *path = g_build_filename (dir, "test.mbox", NULL);
  g_assert_true (g_file_set_contents (path, text, len, NULL));
  return path;
}

static char *
body_of (CachetStore *store,
         gint64       folder,
         const char  *subject)
{
  g_autoptr(CachetMessageList) list = store_test_list (store, folder);

  for (guint i = 0; i < list->ids->len; i++)
    {
      gint64 id = g_array_index (list->ids, gint64, i);
      g_autofree char *path = cachet_store_dup_message_path (store, id, NULL);
      g_autoptr(CachetMessage) m = cachet_store_load_message (store, id, NULL);
      g_autofree char *contents = NULL;

      g_assert_nonnull (m);
      if (g_str_equal (cachet_message_get_subject (m), subject))
        {
          g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
          return g_steal_pointer (&contents);
        }
    }
  return NULL;
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer data)
{
  guint64 *last = data;
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, last[0]);
  last[0] = done;
  last[1] = total;
  last[2]++;
}

static void
test_import_quoting (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autofree char *mbox = write_mbox (data_dir, mbox_text, -1);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  guint64 progress[3] = { 0, 0, 0 };
  guint n = 0;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  g_assert_true (cachet_store_import_mbox_sync (store, mbox, inbox, progress_cb, progress, &n,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (progress[0], ==, strlen (mbox_text));
  g_assert_cmpuint (progress[1], ==, strlen (mbox_text));
  g_assert_cmpuint (progress[2], >=, 2);

  first = body_of (store, inbox, "First");
  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first, "From: Alice <alice@example.org>\n"));
  g_assert_nonnull (strstr (first, "\nFrom the start of a line, quoted.\n"));
  g_assert_nonnull (strstr (first, "\n>From twice quoted.\n"));
  g_assert_nonnull (strstr (first, "\nFrom Russia with love"));
  /* The blank line before the next envelope belongs to the mbox. */
  g_assert_true (g_str_has_suffix (first, "(mboxo writers miss these).\n"));
  second = body_of (store, inbox, "Second");
  g_assert_true (g_str_has_suffix (second, "\n\nSecond body.\n"));
  third = body_of (store, inbox, "Third");
  g_assert_true (g_str_has_suffix (third, "without a newline"));

  /* Status/X-Status became flags. */
  {
    g_autoptr(CachetFolderInfo) info = cachet_store_get_folder (store, inbox);
    g_assert_cmpuint (info->total, ==, 3);
    g_assert_cmpuint (info->unread, ==, 2);
  }
  {
    g_autoptr(CachetMessageList) hits = cachet_store_search_sync (store, "subject:second", 0,
                                                                  NULL, NULL);
    CachetMessageSummary s;
    g_assert_cmpuint (hits->ids->len, ==, 1);
    g_assert_true (cachet_store_get_summaries (store, &g_array_index (hits->ids, gint64, 0), 1,
                                               &s, NULL));
    g_assert_cmpint (s.flags, ==, CACHET_FLAG_REPLIED | CACHET_FLAG_FLAGGED);
    cachet_message_summary_clear (&s);
  }
  store_test_assert_consistent (store, "Inbox");
  store_test_close (store);
}

static void
test_import_many (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *mbox = NULL;
  g_autoptr(GError) error = NULL;
  gint64 folder = cachet_store_create_folder_sync (store, 0, "Imported", NULL, &error);
  guint n = 0;

  /* More than one batch. */
  for (int i = 0; i < 700; i++)
    g_string_append_printf (text, "From x@example.org Mon Jan  1 10:00:00 2024\n"
                            "From: x@example.org\nSubject: Message %d\n"
                            "Message-ID: <many%d@example.org>\n\nBody %d zebra%d\n\n",
                            i, i, i, i);
  mbox = write_mbox (data_dir, text->str, text->len);
  g_assert_true (cachet_store_import_mbox_sync (store, mbox, folder, NULL, NULL, &n, NULL,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 700);
  g_assert_cmpuint (store_test_count_files (store, "Imported"), ==, 700);
  store_test_assert_consistent (store, "Imported");
  {
    g_autoptr(CachetMessageList) hits = cachet_store_search_sync (store, "zebra699", 0, NULL,
                                                                  NULL);
    g_assert_cmpuint (hits->ids->len, ==, 1);
  }
  store_test_close (store);
}

static void
cancel_on_progress (guint64  done,
                    guint64  total,
                    gpointer data)
{
  /* Cancel once the first batch is in. */
  if (done > 0 && done < total)
    g_cancellable_cancel (data);
}

static void
test_import_cancel (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *mbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 inbox = store_test_folder_id (store, "Inbox");
  guint n = 0;

  for (int i = 0; i < 2000; i++)
    g_string_append_printf (text, "From x@example.org Mon Jan  1 10:00:00 2024\n"
                            "From: x@example.org\nSubject: Message %d\n\nBody %d\n\n", i, i);
  mbox = write_mbox (data_dir, text->str, text->len);
  g_assert_false (cachet_store_import_mbox_sync (store, mbox, inbox, cancel_on_progress,
                                                 cancellable, &n, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* What was imported stays, and is all there is. */
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, 2000);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, n);
  store_test_assert_consistent (store, "Inbox");
  store_test_close (store);
}

static void
test_import_bad (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autofree char *not_mbox = write_mbox (data_dir, "Subject: no envelope\n\nhi\n", -1);
  g_autofree char *missing = g_build_filename (data_dir, "missing.mbox", NULL);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  guint n = 99;

  g_assert_false (cachet_store_import_mbox_sync (store, not_mbox, inbox, NULL, NULL, &n, NULL,
                                                 &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  g_assert_false (cachet_store_import_mbox_sync (store, missing, inbox, NULL, NULL, &n, NULL,
                                                 &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (cachet_store_import_mbox_sync (store, not_mbox, 424242, NULL, NULL, &n, NULL,
                                                 &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 0);
  store_test_close (store);
}

static void
async_progress_cb (guint64  done,
                   guint64  total,
                   gpointer data)
{
  /* Called in this (the main) thread. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  ((guint *) data)[0]++;
}

static void
progress_destroyed (gpointer data)
{
  ((guint *) data)[1] = 1;
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
test_import_async (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autofree char *mbox = write_mbox (data_dir, mbox_text, -1);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  guint calls[2] = { 0, 0 };

  cachet_store_import_mbox_async (store, mbox, store_test_folder_id (store, "Inbox"),
                                  async_progress_cb, calls, progress_destroyed, NULL,
                                  got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cachet_store_write_finish_int (store, result, &error), ==, 3);
  g_assert_no_error (error);
  g_object_unref (result);
  store_test_drain ();
  g_assert_cmpuint (calls[0], >=, 1);
  /* The progress data is dropped once the job is done with (the writer lets go of it). */
  store_test_close (store);
  g_assert_cmpuint (calls[1], ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/import/quoting", test_import_quoting);
  g_test_add_func ("/store/import/many", test_import_many);
  g_test_add_func ("/store/import/cancel", test_import_cancel);
  g_test_add_func ("/store/import/bad-input", test_import_bad);
  g_test_add_func ("/store/import/async", test_import_async);
  return g_test_run ();
}
