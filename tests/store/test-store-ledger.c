/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-store.h"
#include "store-test-util.h"

/* The POP3 ledger and the incoming (fetch) API of the store: exactly-once storage, ledger
 * rows that follow the messages, and a ledger that survives losing the index. */

static CachetLedgerEntry *
ledger_entry (GHashTable *ledger,
              const char *uidl)
{
  g_autofree char *key = cachet_store_ledger_key (uidl);
  return g_hash_table_lookup (ledger, key);
}

static GHashTable *
get_ledger (CachetStore *store,
            const char  *account)
{
  g_autoptr(GError) error = NULL;
  GHashTable *ledger = cachet_store_ledger_get_sync (store, account, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ledger);
  return ledger;
}

/* Receives and commits @n messages "<prefix>1".."<prefix>n"; returns how many were new. */
static guint
fetch_n (CachetStore *store,
         const char  *account,
         const char  *prefix,
         guint        n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStoreIncoming) in =
    cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), account, &error);
  g_autoptr(GPtrArray) stored = NULL;
  guint n_new = 0;

  g_assert_no_error (error);
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *uidl = g_strdup_printf ("%s%u", prefix, i);
      g_autoptr(GBytes) m = store_test_message (uidl, uidl, NULL, NULL, NULL, NULL, NULL);
      store_test_receive (in, uidl, m);
    }
  g_assert_cmpuint (cachet_store_incoming_get_n_pending (in), ==, n);
  g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), &stored, &n_new,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, n);
  g_assert_cmpuint (cachet_store_incoming_get_n_pending (in), ==, 0);
  return n_new;
}

static guint
count_tmp (const char *data_dir)
{
  g_autofree char *tmp = g_build_filename (data_dir, "mail", "Inbox", "tmp", NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

static void
test_key (void)
{
  g_autofree char *plain = cachet_store_ledger_key ("000001a2b3c4");
  g_autofree char *odd = cachet_store_ledger_key ("a.b/c:d,e=f~g");
  g_autofree char *long_uidl = g_strnfill (70, '/');
  g_autofree char *hashed = cachet_store_ledger_key (long_uidl);
  g_autofree char *hashed2 = NULL;

  g_assert_cmpstr (plain, ==, "000001a2b3c4");
  g_assert_cmpstr (odd, ==, "a=2Eb=2Fc=3Ad=2Ce=3Df=7Eg");
  /* Too long once escaped: a hash, stable and distinct from every escaped key. */
  g_assert_cmpint (hashed[0], ==, '~');
  g_assert_cmpuint (strlen (hashed), ==, 41);
  long_uidl[69] = '.';
  hashed2 = cachet_store_ledger_key (long_uidl);
  g_assert_cmpstr (hashed, !=, hashed2);
}

static void
test_commit (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GHashTable) ledger = NULL;
  g_autofree char *cur = g_build_filename (data_dir, "mail", "Inbox", "cur", NULL);
  g_autoptr(GPtrArray) files = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  CachetLedgerEntry *e;

  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 3);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 3);
  store_test_assert_consistent (store, "Inbox");
  g_assert_cmpuint (count_tmp (data_dir), ==, 0);

  /* File names carry account and UIDL, Maildir style. */
  files = store_test_list_files (cur, NULL);
  g_assert_cmpuint (files->len, ==, 3);
  for (guint i = 0; i < files->len; i++)
    {
      const char *name = g_ptr_array_index (files, i);
      g_assert_nonnull (strstr (name, ".pop3_alice_u"));
      g_assert_nonnull (strstr (name, ",S="));
      g_assert_true (g_str_has_suffix (name, ":2,"));
    }

  ledger = get_ledger (store, "alice");
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 3);
  e = ledger_entry (ledger, "u2");
  g_assert_nonnull (e);
  g_assert_cmpint (e->message_id, >, 0);
  g_assert_cmpint (e->fetched, >=, before);
  g_assert_cmpint (e->fetched, <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_false (e->partial);
  g_assert_false (e->deleted_locally);
  /* Another account's ledger is its own. */
  {
    g_autoptr(GHashTable) other = get_ledger (store, "bob");
    g_assert_cmpuint (g_hash_table_size (other), ==, 0);
  }

  /* The same UIDLs again: nothing new, nothing twice; the same UIDL of another account is
   * another message. */
  g_assert_cmpuint (fetch_n (store, "alice", "u", 4), ==, 1);
  g_assert_cmpuint (fetch_n (store, "bob", "u", 1), ==, 1);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 5);
  store_test_assert_consistent (store, "Inbox");
  store_test_close (store);
}

static void
test_same_uidl_in_batch (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStoreIncoming) in =
    cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "a", &error);
  g_autoptr(GBytes) m = store_test_message ("x@example.org", "X", NULL, NULL, NULL, NULL, NULL);
  guint n_new = 0;

  /* A server that lists a UIDL twice gets it stored once. */
  store_test_receive (in, "same", m);
  store_test_receive (in, "same", m);
  g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), NULL, &n_new,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 1);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 1);
  g_assert_cmpuint (count_tmp (data_dir), ==, 0);
  store_test_close (store);
}

static void
test_abandon (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  CachetStoreIncoming *in =
    cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "a", &error);
  g_autoptr(GBytes) m = store_test_message ("x@example.org", "X", NULL, NULL, NULL, NULL, NULL);

  g_assert_null (cachet_store_incoming_commit (in));
  store_test_receive (in, "one", m);
  /* A transfer that broke off: its file goes, the complete one waits for a commit. */
  g_assert_true (cachet_store_incoming_begin (in, "two", FALSE, &error));
  g_assert_true (cachet_store_incoming_write (in, "From: x\n", 8, &error));
  g_assert_cmpuint (count_tmp (data_dir), ==, 2);
  cachet_store_incoming_abandon (in);
  g_assert_cmpuint (count_tmp (data_dir), ==, 1);
  g_assert_cmpuint (cachet_store_incoming_get_n_pending (in), ==, 1);
  /* Freed without a commit: nothing stored, nothing left behind. */
  cachet_store_incoming_free (in);
  g_assert_cmpuint (count_tmp (data_dir), ==, 0);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 0);
  {
    g_autoptr(GHashTable) ledger = get_ledger (store, "a");
    g_assert_cmpuint (g_hash_table_size (ledger), ==, 0);
  }
  store_test_close (store);
}

static void
test_headers_only (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStoreIncoming) in =
    cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "a", &error);
  const char *head = "From: a@example.org\nSubject: Big\n\n";
  g_autoptr(GHashTable) ledger = NULL;
  CachetLedgerEntry *e;

  g_assert_true (cachet_store_incoming_begin (in, "big", TRUE, &error));
  g_assert_true (cachet_store_incoming_write (in, head, strlen (head), &error));
  g_assert_true (cachet_store_incoming_end (in, &error));
  g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), NULL, NULL,
                                            &error));
  g_assert_no_error (error);
  ledger = get_ledger (store, "a");
  e = ledger_entry (ledger, "big");
  g_assert_nonnull (e);
  g_assert_true (e->partial);
  store_test_close (store);

  /* Also after a rebuild of the index (the file name says so). */
  {
    g_autofree char *db = g_build_filename (data_dir, "index.sqlite", NULL);
    g_assert_cmpint (g_unlink (db), ==, 0);
  }
  store = store_test_open (data_dir);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "a");
  e = ledger_entry (ledger, "big");
  g_assert_nonnull (e);
  g_assert_true (e->partial);
  store_test_close (store);
}

/* Odd messages are stored as they came: empty, no header block, binary. */
static void
test_odd_messages (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStoreIncoming) in =
    cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "a", &error);
  const char *bodies[] = { "", "no headers at all\n", "\x01\x02\xff\xfe\n\n\x00zero" };
  const gsize lengths[] = { 0, 18, 11 };
  guint n_new = 0;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *uidl = g_strdup_printf ("odd-%u", i);
      g_assert_true (cachet_store_incoming_begin (in, uidl, FALSE, &error));
      if (lengths[i] > 0)
        g_assert_true (cachet_store_incoming_write (in, bodies[i], lengths[i], &error));
      g_assert_true (cachet_store_incoming_end (in, &error));
    }
  g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), NULL, &n_new,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 3);
  store_test_assert_consistent (store, "Inbox");
  {
    g_autoptr(CachetMessageList) list = store_test_list (store,
                                                         store_test_folder_id (store, "Inbox"));
    g_assert_cmpuint (list->ids->len, ==, 3);
  }
  store_test_close (store);
}

/* A message bigger than any buffer, written in odd pieces, arrives byte for byte. */
static void
test_large (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetStoreIncoming) in =
    cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "a", &error);
  g_autoptr(GString) body = g_string_new ("From: a@example.org\nSubject: Large\n\n");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(CachetMessageList) list = NULL;
  gsize len = 0;

  while (body->len < 3 * 1024 * 1024)
    g_string_append_printf (body, "line %" G_GSIZE_FORMAT " of a large message\n", body->len);
  g_assert_true (cachet_store_incoming_begin (in, "large", FALSE, &error));
  for (gsize off = 0, step = 1; off < body->len; off += step, step = step * 3 % 100003 + 1)
    g_assert_true (cachet_store_incoming_write (in, body->str + off,
                                                MIN (step, body->len - off), &error));
  g_assert_true (cachet_store_incoming_end (in, &error));
  g_assert_cmpuint (cachet_store_incoming_get_pending_size (in), ==, body->len);
  g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), NULL, NULL,
                                            &error));
  g_assert_no_error (error);

  list = store_test_list (store, store_test_folder_id (store, "Inbox"));
  g_assert_cmpuint (list->ids->len, ==, 1);
  path = cachet_store_dup_message_path (store, g_array_index (list->ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpmem (contents, len, body->str, body->len);
  store_test_close (store);
}

/* The ledger comes back from the file names when the index is lost, also for a message the
 * user moved to another folder. */
static void
test_rebuild (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  g_autofree char *db = g_build_filename (data_dir, "index.sqlite", NULL);
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  g_autoptr(CachetMessageList) list = NULL;
  gint64 archive;

  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 3);
  archive = cachet_store_create_folder_sync (store, 0, "Archive", NULL, &error);
  g_assert_no_error (error);
  ledger = get_ledger (store, "alice");
  {
    CachetLedgerEntry *e = ledger_entry (ledger, "u1");
    g_assert_true (cachet_store_move_sync (store, &e->message_id, 1, archive, NULL, &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "alice");
  {
    /* Moved: the same message, still stored. */
    CachetLedgerEntry *e = ledger_entry (ledger, "u1");
    g_autoptr(CachetMessageList) in_archive = store_test_list (store, archive);
    g_assert_cmpuint (in_archive->ids->len, ==, 1);
    g_assert_cmpint (e->message_id, ==, g_array_index (in_archive->ids, gint64, 0));
    g_assert_false (e->deleted_locally);
  }
  store_test_close (store);

  g_assert_cmpint (g_unlink (db), ==, 0);
  store = store_test_open (data_dir);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "alice");
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 3);
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *uidl = g_strdup_printf ("u%d", i);
      CachetLedgerEntry *e = ledger_entry (ledger, uidl);
      g_assert_nonnull (e);
      g_assert_cmpint (e->message_id, >, 0);
      g_assert_cmpint (e->fetched, >, 0);
    }
  list = store_test_list (store, store_test_folder_id (store, "Archive"));
  g_assert_cmpuint (list->ids->len, ==, 1);
  g_assert_cmpint (ledger_entry (ledger, "u1")->message_id, ==,
                   g_array_index (list->ids, gint64, 0));
  /* And a fetch of the same UIDLs stores nothing. */
  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 0);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 2);
  store_test_close (store);
}

/* Trash keeps the message; removing it for good marks the row; the row goes once the server
 * no longer has the UIDL. */
static void
test_deleted_locally (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  const char *server[] = { "u2", "u3" };
  gint64 id;
  guint n = 99;

  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 3);
  ledger = get_ledger (store, "alice");
  id = ledger_entry (ledger, "u1")->message_id;
  for (int round = 0; round < 2; round++)
    {
      g_assert_true (cachet_store_delete_sync (store, &id, 1, NULL, &error));
      g_assert_no_error (error);
      g_clear_pointer (&ledger, g_hash_table_unref);
      ledger = get_ledger (store, "alice");
      g_assert_cmpuint (g_hash_table_size (ledger), ==, 3);
      if (round == 0)
        {
          g_assert_false (ledger_entry (ledger, "u1")->deleted_locally);
          g_assert_cmpint (ledger_entry (ledger, "u1")->message_id, ==, id);
        }
      else
        {
          g_assert_true (ledger_entry (ledger, "u1")->deleted_locally);
          g_assert_cmpint (ledger_entry (ledger, "u1")->message_id, ==, 0);
        }
    }
  /* Still known: not fetched again. */
  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 0);

  /* The server still lists it: kept.  It no longer does: forgotten.  Rows of messages that
   * are still stored stay whatever the server says. */
  {
    const char *all[] = { "u1", "u2", "u3" };
    g_assert_true (cachet_store_ledger_forget_sync (store, "alice", all, 3, &n, NULL, &error));
    g_assert_cmpuint (n, ==, 0);
  }
  g_assert_true (cachet_store_ledger_forget_sync (store, "alice", server, 0, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "alice");
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 2);
  g_assert_null (ledger_entry (ledger, "u1"));
  store_test_close (store);
}

/* Removed by another program while Cachet was not looking: the sync marks the row. */
static void
test_removed_outside (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpuint (fetch_n (store, "alice", "u", 2), ==, 2);
  ledger = get_ledger (store, "alice");
  path = cachet_store_dup_message_path (store, ledger_entry (ledger, "u2")->message_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (cachet_store_sync_folder_sync (store, store_test_folder_id (store, "Inbox"),
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_count_files (store, "Inbox"), ==, 1);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "alice");
  g_assert_true (ledger_entry (ledger, "u2")->deleted_locally);
  g_assert_false (ledger_entry (ledger, "u1")->deleted_locally);
  store_test_close (store);
}

static void
reopen_without_index (CachetStore **store,
                      const char   *data_dir)
{
  g_autofree char *db = g_build_filename (data_dir, "index.sqlite", NULL);

  store_test_close (*store);
  g_assert_cmpint (g_unlink (db), ==, 0);
  *store = store_test_open (data_dir);
}

/* The marks of messages removed locally are the one part of the ledger the files cannot
 * give back: they survive a lost index through the tombstones in the Maildir. */
static void
test_removed_survives_rebuild (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  g_autoptr(CachetStoreIncoming) in = NULL;
  g_autofree char *moved_path = NULL;
  gint64 fetched_u1;
  const char *server[] = { "big", "u2", "u3" };
  guint n = 0;

  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 3);
  in = cachet_store_incoming_new (store, store_test_folder_id (store, "Inbox"), "alice", &error);
  g_assert_true (cachet_store_incoming_begin (in, "big", TRUE, &error));
  g_assert_true (cachet_store_incoming_write (in, "Subject: big\n\n", 14, &error));
  g_assert_true (cachet_store_incoming_end (in, &error));
  g_assert_true (cachet_store_batch_finish (cachet_store_incoming_commit (in), NULL, NULL,
                                            &error));
  g_assert_no_error (error);

  ledger = get_ledger (store, "alice");
  fetched_u1 = ledger_entry (ledger, "u1")->fetched;
  /* Removed for good in Cachet (through Trash): u1 and the partial "big". */
  for (int round = 0; round < 2; round++)
    {
      gint64 ids[] = { ledger_entry (ledger, "u1")->message_id,
                       ledger_entry (ledger, "big")->message_id };
      g_assert_true (cachet_store_delete_sync (store, ids, 2, NULL, &error));
      g_assert_no_error (error);
    }
  /* Removed by another program: u2. */
  moved_path = cachet_store_dup_message_path (store, ledger_entry (ledger, "u2")->message_id,
                                              &error);
  g_assert_cmpint (g_unlink (moved_path), ==, 0);
  g_assert_true (cachet_store_sync_folder_sync (store, store_test_folder_id (store, "Inbox"),
                                                NULL, &error));
  g_assert_no_error (error);

  reopen_without_index (&store, data_dir);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "alice");
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 4);
  g_assert_true (ledger_entry (ledger, "u1")->deleted_locally);
  g_assert_cmpint (ledger_entry (ledger, "u1")->message_id, ==, 0);
  g_assert_cmpint (ledger_entry (ledger, "u1")->fetched, ==, fetched_u1);
  g_assert_false (ledger_entry (ledger, "u1")->partial);
  g_assert_true (ledger_entry (ledger, "big")->deleted_locally);
  g_assert_true (ledger_entry (ledger, "big")->partial);
  g_assert_true (ledger_entry (ledger, "u2")->deleted_locally);
  g_assert_false (ledger_entry (ledger, "u3")->deleted_locally);
  g_assert_cmpint (ledger_entry (ledger, "u3")->message_id, >, 0);
  /* Still known: not stored again. */
  g_assert_cmpuint (fetch_n (store, "alice", "u", 3), ==, 0);

  /* The server no longer has u1: forgotten, also after another rebuild. */
  g_assert_true (cachet_store_ledger_forget_sync (store, "alice", server, 3, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  reopen_without_index (&store, data_dir);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = get_ledger (store, "alice");
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 3);
  g_assert_null (ledger_entry (ledger, "u1"));
  g_assert_true (ledger_entry (ledger, "big")->deleted_locally);
  g_assert_true (ledger_entry (ledger, "u2")->deleted_locally);
  store_test_close (store);
}

/* A tombstone file cut short or written by hand: the good lines count, the rest is
 * skipped. */
static void
test_bad_tombstones (void)
{
  g_autofree char *data_dir = store_test_new_data_dir ();
  g_autofree char *path = g_build_filename (data_dir, "mail", ".cachet-pop3-removed", NULL);
  CachetStore *store = store_test_open (data_dir);
  g_autoptr(GHashTable) ledger = NULL;
  const char *text =
    "alice good 1700000000 0\n"
    "alice noflag 1700000000\n"
    "alice badtime yesterday 0\n"
    "alice badflag 1700000000 7\n"
    "\n"
    "   \n"
    "alice toomany 1700000000 0 x\n"
    "alice cut 17000";

  store_test_close (store);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  store = store_test_open (data_dir);
  reopen_without_index (&store, data_dir);
  ledger = get_ledger (store, "alice");
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 1);
  g_assert_true (ledger_entry (ledger, "good")->deleted_locally);
  store_test_close (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/ledger/key", test_key);
  g_test_add_func ("/store/ledger/commit", test_commit);
  g_test_add_func ("/store/ledger/same-uidl-in-batch", test_same_uidl_in_batch);
  g_test_add_func ("/store/ledger/abandon", test_abandon);
  g_test_add_func ("/store/ledger/headers-only", test_headers_only);
  g_test_add_func ("/store/ledger/odd-messages", test_odd_messages);
  g_test_add_func ("/store/ledger/large", test_large);
  g_test_add_func ("/store/ledger/rebuild", test_rebuild);
  g_test_add_func ("/store/ledger/deleted-locally", test_deleted_locally);
  g_test_add_func ("/store/ledger/removed-outside", test_removed_outside);
  g_test_add_func ("/store/ledger/removed-survives-rebuild", test_removed_survives_rebuild);
  g_test_add_func ("/store/ledger/bad-tombstones", test_bad_tombstones);
  return g_test_run ();
}
