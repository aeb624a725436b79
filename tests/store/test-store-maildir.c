/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-store.h"
#include "store-test-util.h"

static void
on_messages_changed (CachetStore     *store,
                     gint64           folder_id,
                     CachetChangeKind kind,
                     GArray          *ids,
                     gpointer         data)
{
  guint *counts = data;
  counts[kind] += ids->len;
}

static void
test_add_atomic (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GBytes) msg = store_test_message ("a1@example.org", "Atomic", NULL, NULL, NULL,
                                              NULL, "Body\r\nwith two lines\r\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *inbox_dir = NULL;
  g_autoptr(GPtrArray) tmp = NULL;
  g_autoptr(CachetFolderInfo) inbox = NULL;
  g_autofree char *host = NULL;
  guint counts[3] = { 0 };
  gsize len;
  gint64 id;

  g_signal_connect (store, "messages-changed", G_CALLBACK (on_messages_changed), counts);
  inbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);
  g_assert_nonnull (inbox);
  g_assert_cmpstr (inbox->path, ==, "Inbox");
  id = cachet_store_add_message_sync (store, inbox->id, msg, CACHET_FLAG_SEEN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  path = cachet_store_dup_message_path (store, id, &error);
  g_assert_no_error (error);
  inbox_dir = g_build_filename (data_dir, "mail", "Inbox", NULL);
  g_assert_true (g_str_has_prefix (path, inbox_dir));
  g_assert_true (strstr (path, "/cur/") != NULL);
  name = g_path_get_basename (path);
  /* <time>.<pid>_<counter>.<host>,S=<size>:2,S */
  g_assert_true (g_regex_match_simple ("^[0-9]+\\.[0-9]+_[0-9]+\\.[^/:,]+,S=[0-9]+:2,S$", name,
                                       0, 0));
  {
    g_autofree char *size = g_strdup_printf (",S=%" G_GSIZE_FORMAT ":",
                                             g_bytes_get_size (msg));
    g_assert_nonnull (strstr (name, size));
  }
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (msg, NULL), g_bytes_get_size (msg));
  tmp = store_test_list_files (inbox_dir, "tmp");
  g_assert_cmpuint (tmp->len, ==, 0);

  store_test_drain ();
  g_assert_cmpuint (counts[CACHET_CHANGE_ADDED], ==, 1);
  g_clear_pointer (&inbox, cachet_folder_info_free);
  inbox = cachet_store_get_folder_by_role (store, CACHET_FOLDER_ROLE_INBOX);
  g_assert_cmpuint (inbox->total, ==, 1);
  g_assert_cmpuint (inbox->unread, ==, 0);

  {
    g_autoptr(CachetMessage) message = cachet_store_load_message (store, id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (cachet_message_get_subject (message), ==, "Atomic");
  }
  store_test_assert_consistent (store, "Inbox");
  store_test_close (store);
}

static const CachetFlags all_flags[] = {
  CACHET_FLAG_SEEN, CACHET_FLAG_REPLIED, CACHET_FLAG_FLAGGED, CACHET_FLAG_DRAFT,
  CACHET_FLAG_PASSED, CACHET_FLAG_TRASHED,
};

static CachetFlags
flags_of (CachetStore *store,
          gint64       id)
{
  CachetMessageSummary summary;
  g_autoptr(GError) error = NULL;
  CachetFlags flags;

  g_assert_true (cachet_store_get_summaries (store, &id, 1, &summary, &error));
  g_assert_cmpint (summary.id, ==, id);
  flags = summary.flags;
  cachet_message_summary_clear (&summary);
  return flags;
}

static char *
info_of (CachetStore *store,
         gint64       id)
{
  g_autofree char *path = cachet_store_dup_message_path (store, id, NULL);
  const char *info = strstr (path, ":2,");
  g_assert_nonnull (info);
  return g_strdup (info + 3);
}

static void
test_flags_roundtrip (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GBytes) msg = store_test_message ("f1@example.org", "Flags", NULL, NULL, NULL,
                                              NULL, NULL);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 id = cachet_store_add_message_sync (store, inbox, msg, 0, NULL, &error);
  CachetFlags expected = 0;

  g_assert_no_error (error);
  {
    g_autofree char *info = info_of (store, id);
    g_assert_cmpstr (info, ==, "");
  }
  /* Set each flag in turn, then clear each: name and index agree at every step. */
  for (gsize i = 0; i < G_N_ELEMENTS (all_flags) * 2; i++)
    {
      gsize f = i % G_N_ELEMENTS (all_flags);
      g_autofree char *info = NULL;
      g_autofree char *want = NULL;
      GString *s = g_string_new (NULL);

      if (i < G_N_ELEMENTS (all_flags))
        {
          g_assert_true (cachet_store_set_flags_sync (store, &id, 1, all_flags[f], 0, NULL,
                                                      &error));
          expected |= all_flags[f];
        }
      else
        {
          g_assert_true (cachet_store_set_flags_sync (store, &id, 1, 0, all_flags[f], NULL,
                                                      &error));
          expected &= ~all_flags[f];
        }
      g_assert_no_error (error);
      g_assert_cmpint (flags_of (store, id), ==, expected);
      if (expected & CACHET_FLAG_DRAFT) g_string_append_c (s, 'D');
      if (expected & CACHET_FLAG_FLAGGED) g_string_append_c (s, 'F');
      if (expected & CACHET_FLAG_PASSED) g_string_append_c (s, 'P');
      if (expected & CACHET_FLAG_REPLIED) g_string_append_c (s, 'R');
      if (expected & CACHET_FLAG_SEEN) g_string_append_c (s, 'S');
      if (expected & CACHET_FLAG_TRASHED) g_string_append_c (s, 'T');
      want = g_string_free (s, FALSE);
      info = info_of (store, id);
      g_assert_cmpstr (info, ==, want);
      store_test_assert_consistent (store, "Inbox");

      /* Reopen half way: the flags survive. */
      if (i == G_N_ELEMENTS (all_flags) - 1)
        {
          store_test_close (store);
          store = store_test_open (data_dir);
          g_assert_cmpint (flags_of (store, id), ==, expected);
          g_assert_cmpint (expected, ==, 0x3f);
        }
    }
  /* Several at once, on several messages. */
  {
    gint64 ids[2] = { id, cachet_store_add_message_sync (store, inbox, msg, 0, NULL, &error) };
    g_autoptr(CachetFolderInfo) info = NULL;
    g_assert_true (cachet_store_set_flags_sync (store, ids, 2,
                                                CACHET_FLAG_SEEN | CACHET_FLAG_FLAGGED, 0,
                                                NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (flags_of (store, ids[1]), ==, CACHET_FLAG_SEEN | CACHET_FLAG_FLAGGED);
    info = cachet_store_get_folder (store, inbox);
    g_assert_cmpuint (info->unread, ==, 0);
    g_assert_cmpuint (info->total, ==, 2);
  }
  store_test_assert_consistent (store, "Inbox");
  store_test_close (store);
}

static void
test_unknown_info_kept (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GBytes) msg = store_test_message ("k1@example.org", NULL, NULL, NULL, NULL, NULL,
                                              NULL);
  g_autofree char *dir = g_build_filename (data_dir, "mail", "Inbox", NULL);
  g_autofree char *file = g_build_filename (dir, "cur", "1700000000.1_1.otherhost:2,Sa", NULL);
  g_autoptr(CachetMessageList) list = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  g_autofree char *info = NULL;

  g_assert_true (g_file_set_contents (file, g_bytes_get_data (msg, NULL),
                                      g_bytes_get_size (msg), NULL));
  g_assert_true (cachet_store_sync_folder_sync (store, inbox, NULL, NULL));
  list = store_test_list (store, inbox);
  g_assert_cmpuint (list->ids->len, ==, 1);
  g_assert_true (cachet_store_set_flags_sync (store, &g_array_index (list->ids, gint64, 0), 1,
                                              CACHET_FLAG_FLAGGED, 0, NULL, NULL));
  info = info_of (store, g_array_index (list->ids, gint64, 0));
  /* "a" (a keyword of another program) stays, in ASCII order after the capitals. */
  g_assert_cmpstr (info, ==, "FSa");
  store_test_close (store);
}

static void
test_move (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GBytes) msg = store_test_message ("m1@example.org", "Move me", NULL, NULL, NULL,
                                              NULL, NULL);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 archive = cachet_store_create_folder_sync (store, 0, "Archive", NULL, &error);
  gint64 id;
  guint counts[3] = { 0 };

  g_assert_no_error (error);
  id = cachet_store_add_message_sync (store, inbox, msg, CACHET_FLAG_FLAGGED, NULL, &error);
  g_assert_no_error (error);
  store_test_drain ();
  g_signal_connect (store, "messages-changed", G_CALLBACK (on_messages_changed), counts);
  g_assert_true (cachet_store_move_sync (store, &id, 1, archive, NULL, &error));
  g_assert_no_error (error);
  store_test_drain ();
  g_assert_cmpuint (counts[CACHET_CHANGE_REMOVED], ==, 1);
  g_assert_cmpuint (counts[CACHET_CHANGE_ADDED], ==, 1);

  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 0);
  g_assert_cmpuint (store_test_count_files (store, "Archive"), ==, 1);
  {
    g_autofree char *path = cachet_store_dup_message_path (store, id, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (path, "/Archive/cur/"));
  }
  g_assert_cmpint (flags_of (store, id), ==, CACHET_FLAG_FLAGGED);
  store_test_assert_consistent (store, "Inbox");
  store_test_assert_consistent (store, "Archive");

  /* Reopened: still one message, same id. */
  store_test_close (store);
  store = store_test_open (data_dir);
  {
    g_autoptr(CachetMessageList) list = store_test_list (store, archive);
    g_assert_cmpuint (list->ids->len, ==, 1);
    g_assert_cmpint (g_array_index (list->ids, gint64, 0), ==, id);
  }
  store_test_close (store);
}

static void
test_delete (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GBytes) msg = store_test_message ("d1@example.org", "Delete me", NULL, NULL, NULL,
                                              NULL, NULL);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 trash = store_test_folder_id (store, "Trash");
  gint64 id = cachet_store_add_message_sync (store, inbox, msg, 0, NULL, &error);
  gint64 other = cachet_store_add_message_sync (store, inbox, msg, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (cachet_store_delete_sync (store, &id, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 1);
  g_assert_cmpuint (store_test_count_files (store, "Trash"), ==, 1);
  {
    CachetMessageSummary s;
    g_assert_true (cachet_store_get_summaries (store, &id, 1, &s, NULL));
    g_assert_cmpint (s.folder_id, ==, trash);
    cachet_message_summary_clear (&s);
  }
  store_test_assert_consistent (store, "Trash");

  /* From Trash: gone for good. */
  g_assert_true (cachet_store_delete_sync (store, &id, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count_files (store, "Trash"), ==, 0);
  {
    CachetMessageSummary s;
    g_assert_true (cachet_store_get_summaries (store, &id, 1, &s, NULL));
    g_assert_cmpint (s.id, ==, 0);
  }
  g_assert_null (cachet_store_dup_message_path (store, id, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  store_test_assert_consistent (store, "Trash");
  store_test_assert_consistent (store, "Inbox");

  /* The other one is untouched; a deleted id is ignored. */
  g_assert_true (cachet_store_delete_sync (store, &id, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (flags_of (store, other), ==, 0);
  store_test_close (store);
}

static void
test_folders (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = store_test_message ("fo1@example.org", NULL, NULL, NULL, NULL, NULL,
                                              NULL);
  g_autoptr(GPtrArray) folders = cachet_store_list_folders (store);
  static const char * const bad[] = { "", "cur", "new", "tmp", ".hidden", "a/b", "..", "x\ty" };
  gint64 lists, gtk, inner;
  g_autofree char *gtk_dir = NULL;

  /* The standard folders, in role order. */
  g_assert_cmpuint (folders->len, ==, 6);
  for (guint i = 0; i < folders->len; i++)
    g_assert_cmpint (((CachetFolderInfo *) g_ptr_array_index (folders, i))->role, ==, i + 1);

  lists = cachet_store_create_folder_sync (store, 0, "Lists", NULL, &error);
  g_assert_no_error (error);
  gtk = cachet_store_create_folder_sync (store, lists, "GTK", NULL, &error);
  g_assert_no_error (error);
  inner = cachet_store_create_folder_sync (store, gtk, "Inner", NULL, &error);
  g_assert_no_error (error);
  gtk_dir = g_build_filename (data_dir, "mail", "Lists", "GTK", "cur", NULL);
  g_assert_true (g_file_test (gtk_dir, G_FILE_TEST_IS_DIR));
  {
    g_autoptr(CachetFolderInfo) info = cachet_store_get_folder (store, gtk);
    g_assert_cmpstr (info->path, ==, "Lists/GTK");
    g_assert_cmpstr (info->name, ==, "GTK");
    g_assert_cmpint (info->parent_id, ==, lists);
    g_assert_cmpint (info->role, ==, CACHET_FOLDER_ROLE_NONE);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (cachet_store_create_folder_sync (store, 0, bad[i], NULL, &error), ==, 0);
      g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
      g_clear_error (&error);
      g_assert_false (cachet_store_rename_folder_sync (store, gtk, bad[i], NULL, &error));
      g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_cmpint (cachet_store_create_folder_sync (store, lists, "GTK", NULL, &error), ==, 0);
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpint (cachet_store_create_folder_sync (store, 999999, "X", NULL, &error), ==, 0);
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Standard folders stay. */
  g_assert_false (cachet_store_rename_folder_sync (store, store_test_folder_id (store, "Inbox"),
                                                   "Other", NULL, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cachet_store_delete_folder_sync (store, store_test_folder_id (store, "Trash"),
                                                   NULL, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Rename with children and mail inside. */
  g_assert_cmpint (cachet_store_add_message_sync (store, inner, msg, 0, NULL, &error), >, 0);
  g_assert_true (cachet_store_rename_folder_sync (store, lists, "Mailing lists", NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CachetFolderInfo) info = cachet_store_get_folder (store, inner);
    g_assert_cmpstr (info->path, ==, "Mailing lists/GTK/Inner");
    g_assert_cmpuint (info->total, ==, 1);
  }
  g_assert_null (cachet_store_get_folder_by_path (store, "Lists/GTK"));
  store_test_assert_consistent (store, "Mailing lists/GTK/Inner");

  /* Reopen: the same tree. */
  store_test_close (store);
  store = store_test_open (data_dir);
  g_assert_nonnull (cachet_store_get_folder_by_path (store, "Mailing lists/GTK/Inner"));
  lists = store_test_folder_id (store, "Mailing lists");

  /* Delete with subfolders: their mail goes to Trash. */
  g_assert_true (cachet_store_delete_folder_sync (store, lists, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (cachet_store_get_folder_by_path (store, "Mailing lists"));
  g_assert_null (cachet_store_get_folder_by_path (store, "Mailing lists/GTK/Inner"));
  {
    g_autofree char *dir = g_build_filename (data_dir, "mail", "Mailing lists", NULL);
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (store_test_count_files (store, "Trash"), ==, 1);
  store_test_assert_consistent (store, "Trash");
  g_clear_pointer (&folders, g_ptr_array_unref);
  folders = cachet_store_list_folders (store);
  g_assert_cmpuint (folders->len, ==, 6);
  store_test_close (store);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (slot);
}

static void
test_async (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = cachet_store_new (data_dir);
  GAsyncResult *slot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) msg = store_test_message ("as1@example.org", NULL, NULL, NULL, NULL, NULL,
                                              NULL);
  guint counts[3] = { 0 };
  gint64 id, folder;

  g_signal_connect (store, "messages-changed", G_CALLBACK (on_messages_changed), counts);
  cachet_store_open_async (store, NULL, got_result, &slot);
  {
    g_autoptr(GAsyncResult) result = wait_result (&slot);
    g_assert_true (cachet_store_open_finish (store, result, &error));
    g_assert_no_error (error);
  }
  cachet_store_create_folder_async (store, 0, "Async", NULL, got_result, &slot);
  {
    g_autoptr(GAsyncResult) result = wait_result (&slot);
    folder = cachet_store_write_finish_int (store, result, &error);
    g_assert_no_error (error);
    g_assert_cmpint (folder, >, 0);
  }
  /* An _async write and a _sync one from another thread go through the same writer. */
  id = cachet_store_add_message_sync (store, folder, msg, 0, NULL, &error);
  g_assert_no_error (error);
  cachet_store_set_flags_async (store, &id, 1, CACHET_FLAG_SEEN, 0, NULL, got_result, &slot);
  {
    g_autoptr(GAsyncResult) result = wait_result (&slot);
    g_assert_true (cachet_store_write_finish (store, result, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (flags_of (store, id), ==, CACHET_FLAG_SEEN);
  cachet_store_list_messages_async (store, folder, CACHET_SORT_DATE, TRUE, FALSE, NULL,
                                    got_result, &slot);
  {
    g_autoptr(GAsyncResult) result = wait_result (&slot);
    g_autoptr(CachetMessageList) list = cachet_store_list_messages_finish (store, result,
                                                                          &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->ids->len, ==, 1);
  }
  cachet_store_delete_folder_async (store, folder, NULL, got_result, &slot);
  {
    g_autoptr(GAsyncResult) result = wait_result (&slot);
    g_assert_true (cachet_store_write_finish (store, result, &error));
    g_assert_no_error (error);
  }
  /* An error comes back through _finish too. */
  cachet_store_rename_folder_async (store, folder, "Gone", NULL, got_result, &slot);
  {
    g_autoptr(GAsyncResult) result = wait_result (&slot);
    g_assert_false (cachet_store_write_finish (store, result, &error));
    g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  store_test_drain ();
  g_assert_cmpuint (counts[CACHET_CHANGE_ADDED], >=, 2);
  g_assert_cmpuint (counts[CACHET_CHANGE_FLAGS], ==, 1);
  g_assert_cmpuint (counts[CACHET_CHANGE_REMOVED], ==, 1);
  store_test_close (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/maildir/add-atomic", test_add_atomic);
  g_test_add_func ("/store/maildir/flags-roundtrip", test_flags_roundtrip);
  g_test_add_func ("/store/maildir/unknown-info-kept", test_unknown_info_kept);
  g_test_add_func ("/store/maildir/move", test_move);
  g_test_add_func ("/store/maildir/delete", test_delete);
  g_test_add_func ("/store/maildir/folders", test_folders);
  g_test_add_func ("/store/maildir/async", test_async);
  return g_test_run ();
}
