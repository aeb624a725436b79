/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cachet-store.h"
#include "store-test-util.h"

#define N_MESSAGES 40

/* Fills a store with messages in two folders, with varied flags; returns it closed. */
static void
fill_store (const char *data_dir)
{
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 work = cachet_store_create_folder_sync (store, 0, "Work", NULL, &error);

  g_assert_no_error (error);
  for (int i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *mid = g_strdup_printf ("fill%d@example.org", i);
      g_autofree char *subject = g_strdup_printf ("Message number %d", i);
      g_autoptr(GBytes) msg = store_test_message (mid, subject, NULL, NULL, NULL, NULL, NULL);
      gint64 id = cachet_store_add_message_sync (store, i % 3 ? inbox : work, msg,
                                                 (CachetFlags) (i % 64), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
    }
  store_test_close (store);
}

/* Subject -> flags of every message, for comparing before and after. */
static GHashTable *
snapshot (CachetStore *store)
{
  GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) folders = cachet_store_list_folders (store);

  for (guint f = 0; f < folders->len; f++)
    {
      CachetFolderInfo *info = g_ptr_array_index (folders, f);
      g_autoptr(CachetMessageList) list = store_test_list (store, info->id);

      for (guint i = 0; i < list->ids->len; i++)
        {
          CachetMessageSummary s;
          g_autoptr(GError) error = NULL;

          g_assert_true (cachet_store_get_summaries (store,
                                                     &g_array_index (list->ids, gint64, i), 1,
                                                     &s, &error));
          g_assert_no_error (error);
          g_assert_false (g_hash_table_contains (map, s.subject));
          g_hash_table_insert (map, g_strdup_printf ("%s|%s", info->path, s.subject),
                               GUINT_TO_POINTER (s.flags + 1));
          cachet_message_summary_clear (&s);
        }
    }
  return map;
}

static void
assert_same (GHashTable *a,
             GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (b, key)), ==,
                      GPOINTER_TO_UINT (value));
}

static void
rebuild_after (void (*damage) (const char *db_path))
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  g_autofree char *db = g_build_filename (data_dir, "index.sqlite", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  CachetStore *store;

  fill_store (data_dir);
  store = store_test_open (data_dir);
  before = snapshot (store);
  g_assert_cmpuint (g_hash_table_size (before), ==, N_MESSAGES);
  store_test_close (store);

  damage (db);

  store = store_test_open (data_dir);
  after = snapshot (store);
  assert_same (before, after);
  store_test_assert_consistent (store, "Inbox");
  store_test_assert_consistent (store, "Work");
  {
    g_autoptr(CachetMessageList) hits = cachet_store_search_sync (store, "number", 0, NULL,
                                                                  NULL);
    g_assert_cmpuint (hits->ids->len, ==, N_MESSAGES);
  }
  store_test_close (store);
}

static void
delete_db (const char *db)
{
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_assert_cmpint (g_unlink (db), ==, 0);
  g_unlink (wal);
  g_unlink (shm);
}

static void
test_rebuild_deleted (void)
{
  rebuild_after (delete_db);
}

static void
garbage_db (const char *db)
{
  g_autoptr(GString) junk = g_string_new (NULL);

  for (int i = 0; i < 20000; i++)
    g_string_append_c (junk, (char) g_test_rand_int_range (0, 256));
  g_assert_true (g_file_set_contents (db, junk->str, junk->len, NULL));
}

static void
test_rebuild_garbage (void)
{
  rebuild_after (garbage_db);
}

/* A valid header, damaged pages after it: only quick_check notices. */
static void
damage_pages (const char *db)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8192);
  for (gsize i = 4096 + 100; i < len; i += 7)
    contents[i] = (char) (contents[i] ^ 0x5a);
  g_assert_true (g_file_set_contents (db, contents, len, NULL));
}

static void
test_rebuild_damaged (void)
{
  rebuild_after (damage_pages);
}

static void
future_version (const char *db)
{
  g_autofree char *contents = NULL;
  gsize len;

  /* user_version is the big-endian integer at offset 60 of the header. */
  g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
  contents[60] = 0;
  contents[61] = 0;
  contents[62] = 0;
  contents[63] = 99;
  g_assert_true (g_file_set_contents (db, contents, len, NULL));
}

static void
test_rebuild_unknown_version (void)
{
  rebuild_after (future_version);
}

static void
put_file (const char *dir,
          const char *sub,
          const char *name,
          GBytes     *data)
{
  g_autofree char *path = g_build_filename (dir, sub, name, NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL),
                                      g_bytes_get_size (data), NULL));
}

static void
on_changed (CachetStore     *store,
            gint64           folder_id,
            CachetChangeKind kind,
            GArray          *ids,
            gpointer         data)
{
  guint *counts = data;
  counts[kind] += ids->len;
}

static gboolean
has_subject (CachetStore *store,
             gint64       folder_id,
             const char  *subject,
             CachetFlags  flags)
{
  g_autoptr(CachetMessageList) list = store_test_list (store, folder_id);
  gboolean found = FALSE;

  for (guint i = 0; i < list->ids->len; i++)
    {
      CachetMessageSummary s;
      g_assert_true (cachet_store_get_summaries (store, &g_array_index (list->ids, gint64, i),
                                                 1, &s, NULL));
      if (g_str_equal (s.subject, subject))
        {
          g_assert_false (found);
          g_assert_cmpint (s.flags, ==, flags);
          found = TRUE;
        }
      cachet_message_summary_clear (&s);
    }
  return found;
}

static void
test_external_changes (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autofree char *dir = g_build_filename (data_dir, "mail", "Inbox", NULL);
  g_autoptr(GBytes) m1 = store_test_message ("x1@example.org", "Dropped in new", NULL, NULL,
                                             NULL, NULL, NULL);
  g_autoptr(GBytes) m2 = store_test_message ("x2@example.org", "Dropped in cur", NULL, NULL,
                                             NULL, NULL, NULL);
  g_autoptr(GBytes) m3 = store_test_message ("x3@example.org", "Ours", NULL, NULL, NULL, NULL,
                                             NULL);
  g_autoptr(GBytes) m4 = store_test_message ("x4@example.org", "Removed", NULL, NULL, NULL,
                                             NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) new_files = NULL;
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 ours, doomed;
  guint counts[3] = { 0 };
  g_autofree char *ours_path = NULL;
  g_autofree char *doomed_path = NULL;
  g_autofree char *renamed = NULL;

  ours = cachet_store_add_message_sync (store, inbox, m3, CACHET_FLAG_SEEN, NULL, &error);
  doomed = cachet_store_add_message_sync (store, inbox, m4, 0, NULL, &error);
  g_assert_no_error (error);
  store_test_drain ();
  g_signal_connect (store, "messages-changed", G_CALLBACK (on_changed), counts);

  /* What mutt or a delivery script would do. */
  put_file (dir, "new", "1700000001.M1P1.otherhost", m1);
  put_file (dir, "cur", "1700000002.M2P2.otherhost:2,FS", m2);
  doomed_path = cachet_store_dup_message_path (store, doomed, NULL);
  g_assert_cmpint (g_unlink (doomed_path), ==, 0);
  ours_path = cachet_store_dup_message_path (store, ours, NULL);
  renamed = g_strndup (ours_path, strstr (ours_path, ":2,") - ours_path);
  {
    g_autofree char *to = g_strconcat (renamed, ":2,RS", NULL);
    g_assert_cmpint (g_rename (ours_path, to), ==, 0);
  }

  g_assert_true (cachet_store_sync_folder_sync (store, inbox, NULL, &error));
  g_assert_no_error (error);
  store_test_drain ();
  g_assert_cmpuint (counts[CACHET_CHANGE_ADDED], ==, 2);
  g_assert_cmpuint (counts[CACHET_CHANGE_REMOVED], ==, 1);
  g_assert_cmpuint (counts[CACHET_CHANGE_FLAGS], ==, 1);

  g_assert_true (has_subject (store, inbox, "Dropped in new", 0));
  g_assert_true (has_subject (store, inbox, "Dropped in cur",
                              CACHET_FLAG_FLAGGED | CACHET_FLAG_SEEN));
  g_assert_true (has_subject (store, inbox, "Ours", CACHET_FLAG_REPLIED | CACHET_FLAG_SEEN));
  g_assert_false (has_subject (store, inbox, "Removed", 0));
  /* new/ is emptied into cur/ with an info, as mutt does. */
  new_files = store_test_list_files (dir, "new");
  g_assert_cmpuint (new_files->len, ==, 0);
  {
    g_autofree char *moved = g_build_filename (dir, "cur", "1700000001.M1P1.otherhost:2,",
                                               NULL);
    g_assert_true (g_file_test (moved, G_FILE_TEST_IS_REGULAR));
  }
  /* The renamed message kept its id. */
  g_assert_cmpuint (store_test_list (store, inbox)->ids->len, ==, 3);
  {
    CachetMessageSummary s;
    g_assert_true (cachet_store_get_summaries (store, &ours, 1, &s, NULL));
    g_assert_cmpint (s.id, ==, ours);
    cachet_message_summary_clear (&s);
  }
  store_test_assert_consistent (store, "Inbox");

  /* A sync with nothing changed changes nothing. */
  counts[0] = counts[1] = counts[2] = 0;
  g_assert_true (cachet_store_sync_folder_sync (store, inbox, NULL, &error));
  store_test_drain ();
  g_assert_cmpuint (counts[0] + counts[1] + counts[2], ==, 0);

  /* A folder made by another program appears when the store opens. */
  store_test_close (store);
  {
    g_autofree char *other = g_build_filename (data_dir, "mail", "FromMutt", NULL);
    for (int i = 0; i < 3; i++)
      {
        static const char * const subs[] = { "cur", "new", "tmp" };
        g_autofree char *sub = g_build_filename (other, subs[i], NULL);
        g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
      }
    put_file (other, "new", "1700000003.M3P3.otherhost", m1);
  }
  store = store_test_open (data_dir);
  g_assert_true (has_subject (store, store_test_folder_id (store, "FromMutt"),
                              "Dropped in new", 0));
  store_test_assert_consistent (store, "FromMutt");
  store_test_close (store);
}

/* Files the index lists but were moved by another program between folders. */
static void
test_external_move (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GBytes) m = store_test_message ("mv@example.org", "Moved outside", NULL, NULL,
                                            NULL, NULL, NULL);
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 sent = store_test_folder_id (store, "Sent");
  gint64 id = cachet_store_add_message_sync (store, inbox, m, 0, NULL, NULL);
  g_autofree char *path = cachet_store_dup_message_path (store, id, NULL);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *to = g_build_filename (data_dir, "mail", "Sent", "cur", name, NULL);

  g_assert_cmpint (g_rename (path, to), ==, 0);
  g_assert_true (cachet_store_sync_folder_sync (store, sent, NULL, NULL));
  g_assert_true (cachet_store_sync_folder_sync (store, inbox, NULL, NULL));
  g_assert_false (has_subject (store, inbox, "Moved outside", 0));
  g_assert_true (has_subject (store, sent, "Moved outside", 0));
  {
    g_autoptr(CachetMessageList) list = store_test_list (store, sent);
    g_assert_cmpint (g_array_index (list->ids, gint64, 0), ==, id);
  }
  store_test_assert_consistent (store, "Inbox");
  store_test_assert_consistent (store, "Sent");
  store_test_close (store);
}

static void
test_tmp_ignored (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autofree char *dir = g_build_filename (data_dir, "mail", "Inbox", NULL);
  g_autoptr(GBytes) m = store_test_message ("tmp@example.org", "Half written", NULL, NULL,
                                            NULL, NULL, NULL);
  g_autofree char *old_tmp = g_build_filename (dir, "tmp", "1.old.host", NULL);
  g_autofree char *fresh_tmp = g_build_filename (dir, "tmp", "2.fresh.host", NULL);
  gint64 inbox = store_test_folder_id (store, "Inbox");

  put_file (dir, "tmp", "1.old.host", m);
  put_file (dir, "tmp", "2.fresh.host", m);
  {
    /* Two days old: left over from a crash. */
    g_autoptr(GFile) file = g_file_new_for_path (old_tmp);
    guint64 when = (guint64) (g_get_real_time () / G_USEC_PER_SEC - 48 * 3600);
    g_assert_true (g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, when,
                                                G_FILE_QUERY_INFO_NONE, NULL, NULL));
  }
  g_assert_true (cachet_store_sync_folder_sync (store, inbox, NULL, NULL));
  g_assert_false (has_subject (store, inbox, "Half written", 0));
  g_assert_false (g_file_test (old_tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh_tmp, G_FILE_TEST_EXISTS));
  store_test_close (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/index/rebuild-deleted", test_rebuild_deleted);
  g_test_add_func ("/store/index/rebuild-garbage", test_rebuild_garbage);
  g_test_add_func ("/store/index/rebuild-damaged-pages", test_rebuild_damaged);
  g_test_add_func ("/store/index/rebuild-unknown-version", test_rebuild_unknown_version);
  g_test_add_func ("/store/external/sync-folder", test_external_changes);
  g_test_add_func ("/store/external/moved-between-folders", test_external_move);
  g_test_add_func ("/store/external/tmp-ignored", test_tmp_ignored);
  return g_test_run ();
}
