/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "cachet-store.h"
#include "store-test-util.h"

/* The outbox of the store: queueing, the states a sender moves a message through, and what
 * survives a crash, a lost index and the step from schema version 4: a message recorded sent
 * is never waiting again, an interrupted one is in doubt, the envelope (Bcc included) comes
 * back from the journal. */

#define CRASH_EXIT 86

static char *self_exe;

static const char * const envelope[] = { "bob@example.net", "hidden@example.org", NULL };

static GBytes *
outgoing (const char *id)
{
  g_autofree char *text =
    g_strdup_printf ("From: Alice <alice@example.org>\nTo: Bob <bob@example.net>\n"
                     "Subject: Outgoing %s\nMessage-ID: <%s@example.org>\n"
                     "Date: Mon, 01 Jan 2024 10:00:00 +0000\n\nBody of %s.\n.\n..dots\n",
                     id, id, id);
  return g_bytes_new (text, strlen (text));
}

static gint64
queue (CachetStore *store,
       const char  *id)
{
  g_autoptr(GBytes) m = outgoing (id);
  g_autoptr(GError) error = NULL;
  gint64 mid = cachet_store_outbox_queue_sync (store, "acct-1", m, envelope, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (mid, >, 0);
  return mid;
}

static CachetOutboxRecord *
get (CachetStore *store,
     gint64       id)
{
  g_autoptr(GError) error = NULL;
  CachetOutboxRecord *r = cachet_store_outbox_get (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static void
assert_state (CachetStore      *store,
              gint64            id,
              CachetOutboxState state,
              gboolean          in_doubt)
{
  g_autoptr(CachetOutboxRecord) r = get (store, id);

  g_assert_cmpint (r->state, ==, state);
  g_assert_cmpint (r->in_doubt, ==, in_doubt);
}

static void
assert_not_in_outbox (CachetStore *store,
                      gint64       id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetOutboxRecord) r = cachet_store_outbox_get (store, id, &error);

  g_assert_null (r);
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
}

static gint64
folder_of (CachetStore *store,
           gint64       id)
{
  CachetMessageSummary s;

  g_assert_true (cachet_store_get_summaries (store, &id, 1, &s, NULL));
  cachet_message_summary_clear (&s);
  return s.folder_id;
}

static GBytes *
file_of (CachetStore *store,
         gint64       id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cachet_store_dup_message_path (store, id, &error);
  char *data = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

static char *
journal_text (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "mail", ".cachet-outbox", NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static void
journal_append (const char *data_dir,
                const char *text)
{
  g_autofree char *old = journal_text (data_dir);
  g_autofree char *path = g_build_filename (data_dir, "mail", ".cachet-outbox", NULL);
  g_autofree char *all = g_strconcat (old, text, NULL);

  g_assert_true (g_file_set_contents (path, all, -1, NULL));
}

static char *
base_of (CachetStore *store,
         gint64       id)
{
  g_autofree char *path = cachet_store_dup_message_path (store, id, NULL);
  g_autofree char *name = g_path_get_basename (path);

  return g_strndup (name, strcspn (name, ":"));
}

static GArray *
recover (CachetStore *store)
{
  g_autoptr(GError) error = NULL;
  GArray *moved = NULL;

  g_assert_true (cachet_store_outbox_recover_sync (store, &moved, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (moved);
  return moved;
}

static gboolean
array_has (GArray *ids,
           gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static void
delete_index (const char *data_dir)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", ".clean" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (data_dir, "/index.sqlite", suffixes[i], NULL);
      g_unlink (path);
    }
}

static void
test_queue (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  g_autoptr(GBytes) m = outgoing ("q1");
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(CachetOutboxRecord) r = NULL;
  g_autofree char *journal = NULL;
  gint64 id = queue (store, "q1");
  gint64 id2 = queue (store, "q2");
  CachetMessageSummary s;

  /* In the Outbox, seen, exactly the bytes given. */
  g_assert_cmpint (folder_of (store, id), ==, store_test_folder_id (store, "Outbox"));
  g_assert_true (cachet_store_get_summaries (store, &id, 1, &s, NULL));
  g_assert_true (s.flags & CACHET_FLAG_SEEN);
  g_assert_cmpstr (s.subject, ==, "Outgoing q1");
  cachet_message_summary_clear (&s);
  on_disk = file_of (store, id);
  g_assert_true (g_bytes_equal (on_disk, m));
  store_test_assert_consistent (store, "Outbox");

  r = get (store, id);
  g_assert_cmpint (r->message_id, ==, id);
  g_assert_cmpstr (r->account_id, ==, "acct-1");
  g_assert_cmpstrv (r->recipients, envelope);
  g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
  g_assert_cmpuint (r->attempts, ==, 0);
  g_assert_cmpint (r->next_try, ==, 0);
  g_assert_null (r->reason);
  g_assert_false (r->in_doubt);
  g_assert_cmpint (r->queued, >, 0);

  all = cachet_store_outbox_list (store, NULL);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpint (((CachetOutboxRecord *) all->pdata[0])->message_id, ==, id);
  g_assert_cmpint (((CachetOutboxRecord *) all->pdata[1])->message_id, ==, id2);

  /* The envelope is in the journal, the Bcc recipient with it. */
  journal = journal_text (dir);
  g_assert_nonnull (strstr (journal, "Q "));
  g_assert_nonnull (strstr (journal, "hidden@example.org"));
  store_test_close (store);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  g_autoptr(GBytes) m = outgoing ("bad");
  const char * const none[] = { NULL };
  const char * const empty[] = { "", NULL };
  const char * const newline[] = { "a@b.example\nRCPT TO:<c@d.example>", NULL };
  const char * const latin1[] = { "caf\xe9@example.org", NULL };
  const char * const *bad[] = { none, empty, newline, latin1 };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_cmpint (cachet_store_outbox_queue_sync (store, "acct", m, bad[i], NULL, &error),
                       ==, 0);
      g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_cmpint (cachet_store_outbox_queue_sync (store, "", m, envelope, NULL, &error), ==,
                     0);
    g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
  }
  g_assert_cmpuint (store_test_count_files (store, "Outbox"), ==, 0);
  /* Not in the Outbox, or no message at all. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (cachet_store_outbox_trying_sync (store, 12345, &error));
    g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (cachet_store_outbox_withdraw_sync (store, 12345, NULL, &error));
    g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  }
  store_test_close (store);
}

static void
test_send_steps (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  g_autoptr(GBytes) m = outgoing ("s1");
  g_autoptr(GBytes) in_sent = NULL;
  g_autoptr(GArray) moved = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = queue (store, "s1");
  gint64 other = queue (store, "s2");
  gint64 ids[] = { id, other };

  g_assert_true (cachet_store_outbox_begin_sync (store, ids, 2, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_store_outbox_trying_sync (store, id, &error));
  g_assert_no_error (error);
  assert_state (store, id, CACHET_OUTBOX_SENDING, FALSE);
  /* Tried once only; withdrawn never while being sent. */
  g_assert_false (cachet_store_outbox_trying_sync (store, id, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cachet_store_outbox_withdraw_sync (store, id, NULL, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cachet_store_outbox_sent_sync (store, id, &error));
  g_assert_no_error (error);
  assert_state (store, id, CACHET_OUTBOX_SENT, FALSE);
  g_assert_false (cachet_store_outbox_withdraw_sync (store, id, NULL, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cachet_store_outbox_finish_sync (store, &moved, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (moved->len, ==, 1);
  g_assert_cmpint (g_array_index (moved, gint64, 0), ==, id);
  /* Same id, now in Sent, same bytes; the other one still waits. */
  g_assert_cmpint (folder_of (store, id), ==, store_test_folder_id (store, "Sent"));
  assert_not_in_outbox (store, id);
  in_sent = file_of (store, id);
  g_assert_true (g_bytes_equal (in_sent, m));
  assert_state (store, other, CACHET_OUTBOX_WAITING, FALSE);
  store_test_assert_consistent (store, "Outbox");
  store_test_assert_consistent (store, "Sent");

  /* Restarted: nothing of it comes back. */
  store_test_close (store);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) again = recover (store);
    g_assert_cmpuint (again->len, ==, 0);
  }
  assert_not_in_outbox (store, id);
  assert_state (store, other, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);
}

static void
test_failures (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  g_autoptr(GError) error = NULL;
  gint64 temp = queue (store, "f1");
  gint64 perm = queue (store, "f2");
  gint64 ids[] = { temp, perm };

  g_assert_true (cachet_store_outbox_begin_sync (store, ids, 2, NULL, NULL));
  g_assert_true (cachet_store_outbox_trying_sync (store, temp, NULL));
  g_assert_true (cachet_store_outbox_failed_sync (store, temp, CACHET_OUTBOX_WAITING, 5000,
                                                  "Server unreachable", &error));
  g_assert_no_error (error);
  g_assert_true (cachet_store_outbox_trying_sync (store, perm, NULL));
  g_assert_true (cachet_store_outbox_failed_sync (store, perm, CACHET_OUTBOX_FAILED, 0,
                                                  "550 5.1.1 no such user", &error));
  g_assert_true (cachet_store_outbox_finish_sync (store, NULL, NULL, NULL));
  {
    g_autoptr(CachetOutboxRecord) r = get (store, temp);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
    g_assert_cmpuint (r->attempts, ==, 1);
    g_assert_cmpint (r->next_try, ==, 5000);
    g_assert_cmpstr (r->reason, ==, "Server unreachable");
  }
  {
    g_autoptr(CachetOutboxRecord) r = get (store, perm);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
    g_assert_cmpuint (r->attempts, ==, 1);
    g_assert_cmpstr (r->reason, ==, "550 5.1.1 no such user");
    g_assert_false (r->in_doubt);
  }
  /* A failure that was never tried counts as an attempt too (the connection failed). */
  g_assert_true (cachet_store_outbox_failed_sync (store, temp, CACHET_OUTBOX_WAITING, 9000,
                                                  "Again", NULL));
  {
    g_autoptr(CachetOutboxRecord) r = get (store, temp);
    g_assert_cmpuint (r->attempts, ==, 2);
  }
  /* "Send now": both due now, waiting. */
  g_assert_true (cachet_store_outbox_retry_sync (store, 0, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CachetOutboxRecord) r = get (store, perm);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
    g_assert_cmpint (r->next_try, ==, 0);
    g_assert_cmpuint (r->attempts, ==, 1);
  }
  {
    g_autoptr(CachetOutboxRecord) r = get (store, temp);
    g_assert_cmpint (r->next_try, ==, 0);
  }
  /* Failed and restarted: not in doubt, still waiting. */
  store_test_close (store);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_assert_cmpuint (moved->len, ==, 0);
  }
  assert_state (store, temp, CACHET_OUTBOX_WAITING, FALSE);
  assert_state (store, perm, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);
}

static void
test_withdraw (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  g_autoptr(GError) error = NULL;
  gint64 id = queue (store, "w1");
  gint64 drafts = store_test_folder_id (store, "Drafts");

  g_assert_true (cachet_store_outbox_withdraw_sync (store, id, NULL, &error));
  g_assert_no_error (error);
  {
    /* Still in the Outbox, not queued: shown as needing the user. */
    g_autoptr(CachetOutboxRecord) r = get (store, id);
    g_assert_null (r->account_id);
    g_assert_null (r->recipients);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
    g_assert_nonnull (r->reason);
  }
  g_assert_false (cachet_store_outbox_trying_sync (store, id, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Withdrawing twice is fine; retrying a message that is not queued is not. */
  g_assert_true (cachet_store_outbox_withdraw_sync (store, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cachet_store_outbox_retry_sync (store, id, NULL, &error));
  g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A restart does not queue it again; then to Drafts, as "Edit" does. */
  store_test_close (store);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_autoptr(CachetOutboxRecord) r = get (store, id);
    g_assert_null (r->account_id);
  }
  g_assert_true (cachet_store_move_sync (store, &id, 1, drafts, NULL, &error));
  g_assert_no_error (error);
  assert_not_in_outbox (store, id);
  {
    g_autoptr(GPtrArray) all = cachet_store_outbox_list (store, NULL);
    g_assert_cmpuint (all->len, ==, 0);
  }
  store_test_close (store);
}

/* Moving a queued message out of the Outbox by hand drops its row; put back, the journal
 * queues it again (as dropping a message on the Outbox would). */
static void
test_moved_by_hand (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  gint64 id = queue (store, "m1");
  gint64 drafts = store_test_folder_id (store, "Drafts");
  gint64 outbox = store_test_folder_id (store, "Outbox");

  g_assert_true (cachet_store_move_sync (store, &id, 1, drafts, NULL, NULL));
  assert_not_in_outbox (store, id);
  g_assert_true (cachet_store_move_sync (store, &id, 1, outbox, NULL, NULL));
  {
    g_autoptr(CachetOutboxRecord) r = get (store, id);
    g_assert_null (r->account_id);
  }
  {
    g_autoptr(GArray) moved = recover (store);
    g_autoptr(CachetOutboxRecord) r = get (store, id);
    g_assert_cmpstr (r->account_id, ==, "acct-1");
    g_assert_cmpstrv (r->recipients, envelope);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
  }
  /* Deleting it (to Trash) takes it out of the queue too. */
  g_assert_true (cachet_store_delete_sync (store, &id, 1, NULL, NULL));
  assert_not_in_outbox (store, id);
  store_test_close (store);
}

/* A crash after "sent": the next start moves it to Sent and never offers it again. */
static void
test_sent_not_moved (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  gint64 id = queue (store, "c1");
  gint64 waiting = queue (store, "c2");

  g_assert_true (cachet_store_outbox_begin_sync (store, &id, 1, NULL, NULL));
  g_assert_true (cachet_store_outbox_trying_sync (store, id, NULL));
  g_assert_true (cachet_store_outbox_sent_sync (store, id, NULL));
  /* No finish: as if killed right here. */
  store_test_close (store);

  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_assert_cmpuint (moved->len, ==, 1);
    g_assert_true (array_has (moved, id));
  }
  assert_not_in_outbox (store, id);
  g_assert_cmpint (folder_of (store, id), ==, store_test_folder_id (store, "Sent"));
  assert_state (store, waiting, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);
}

/* A crash between "trying" and an outcome: in doubt, never sent by itself; the user's retry
 * of that one message clears it, and the decision survives a restart. */
static void
test_in_doubt (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  gint64 id = queue (store, "d1");
  gint64 untried = queue (store, "d2");
  gint64 ids[] = { id, untried };

  g_assert_true (cachet_store_outbox_begin_sync (store, ids, 2, NULL, NULL));
  g_assert_true (cachet_store_outbox_trying_sync (store, id, NULL));
  store_test_close (store);

  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_autoptr(CachetOutboxRecord) r = get (store, id);

    g_assert_cmpuint (moved->len, ==, 0);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
    g_assert_true (r->in_doubt);
    g_assert_nonnull (r->reason);
  }
  /* Same boot: the one not yet tried in that session just waits. */
  assert_state (store, untried, CACHET_OUTBOX_WAITING, FALSE);
  /* "Send everything now" leaves a doubt alone; the sender cannot try it. */
  g_assert_true (cachet_store_outbox_retry_sync (store, 0, NULL, NULL));
  assert_state (store, id, CACHET_OUTBOX_FAILED, TRUE);
  g_assert_false (cachet_store_outbox_trying_sync (store, id, NULL));
  /* Still in doubt after another restart. */
  store_test_close (store);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
  }
  assert_state (store, id, CACHET_OUTBOX_FAILED, TRUE);

  g_assert_true (cachet_store_outbox_retry_sync (store, id, NULL, NULL));
  assert_state (store, id, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
  }
  assert_state (store, id, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);
}

/* A power cut loses the unsynced records of a session: a message of a batch begun in
 * another boot, with no outcome, may have been sent, so it is in doubt. */
static void
test_other_boot (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  gint64 lost = queue (store, "p1");
  gint64 ended = queue (store, "p2");
  gint64 same_boot = queue (store, "p3");
  g_autofree char *lost_base = base_of (store, lost);
  g_autofree char *ended_base = base_of (store, ended);
  g_autofree char *same_base = base_of (store, same_boot);
  g_autofree char *boot = NULL;
  g_autofree char *records = NULL;

  g_assert_true (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL));
  g_strstrip (boot);
  store_test_close (store);

  records = g_strdup_printf ("B 00000000-another-boot %s\n"
                             "B 00000000-another-boot %s\nE\n"
                             "B %s %s\n",
                             lost_base, ended_base, boot, same_base);
  journal_append (dir, records);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
  }
  assert_state (store, lost, CACHET_OUTBOX_FAILED, TRUE);
  assert_state (store, ended, CACHET_OUTBOX_WAITING, FALSE);
  assert_state (store, same_boot, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);
}

/* The index is lost: each Outbox message gets its row back from the journal, "waiting"
 * unless it was recorded sent (moved, never waiting) or interrupted (in doubt). */
static void
test_rebuild (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  gint64 waiting = queue (store, "r1");
  gint64 sent = queue (store, "r2");
  gint64 doubt = queue (store, "r3");
  gint64 failed = queue (store, "r4");
  gint64 withdrawn = queue (store, "r5");
  gint64 ids[] = { sent, doubt, failed };
  g_autoptr(GBytes) sent_bytes = outgoing ("r2");
  g_autoptr(GPtrArray) all = NULL;
  guint n_sent = 0;

  g_assert_true (cachet_store_outbox_begin_sync (store, ids, 3, NULL, NULL));
  g_assert_true (cachet_store_outbox_trying_sync (store, sent, NULL));
  g_assert_true (cachet_store_outbox_sent_sync (store, sent, NULL));
  g_assert_true (cachet_store_outbox_trying_sync (store, failed, NULL));
  g_assert_true (cachet_store_outbox_failed_sync (store, failed, CACHET_OUTBOX_FAILED, 0,
                                                  "Refused", NULL));
  g_assert_true (cachet_store_outbox_trying_sync (store, doubt, NULL));
  g_assert_true (cachet_store_outbox_withdraw_sync (store, withdrawn, NULL, NULL));
  store_test_close (store);

  delete_index (dir);
  store = store_test_open (dir);
  all = cachet_store_outbox_list (store, NULL);
  g_assert_cmpuint (all->len, ==, 5);
  {
    g_autoptr(GArray) moved = recover (store);
    g_assert_cmpuint (moved->len, ==, 1);
    sent = g_array_index (moved, gint64, 0);
  }
  g_clear_pointer (&all, g_ptr_array_unref);
  all = cachet_store_outbox_list (store, NULL);
  g_assert_cmpuint (all->len, ==, 4);
  for (guint i = 0; i < all->len; i++)
    {
      CachetOutboxRecord *r = all->pdata[i];
      g_autofree char *path = cachet_store_dup_message_path (store, r->message_id, NULL);
      g_autoptr(CachetMessage) msg = cachet_store_load_message (store, r->message_id, NULL);
      g_autofree char *subject = NULL;

      g_assert_nonnull (msg);
      subject = g_strdup (cachet_message_get_subject (msg));
      if (g_str_equal (subject, "Outgoing r1"))
        {
          g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
          g_assert_cmpstr (r->account_id, ==, "acct-1");
          g_assert_cmpstrv (r->recipients, envelope);
        }
      else if (g_str_equal (subject, "Outgoing r3"))
        {
          g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
          g_assert_true (r->in_doubt);
        }
      else if (g_str_equal (subject, "Outgoing r4"))
        {
          /* Its attempts and reason were only in the index: waiting again. */
          g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
          g_assert_cmpuint (r->attempts, ==, 0);
        }
      else if (g_str_equal (subject, "Outgoing r5"))
        g_assert_null (r->account_id);
      else
        g_error ("unexpected message in the Outbox: %s", subject);
    }
  /* The sent one is in Sent, byte for byte, once. */
  {
    g_autoptr(CachetMessageList) list = store_test_list (store,
                                                         store_test_folder_id (store, "Sent"));
    for (guint i = 0; i < list->ids->len; i++)
      {
        g_autoptr(GBytes) b = file_of (store, g_array_index (list->ids, gint64, i));
        if (g_bytes_equal (b, sent_bytes))
          n_sent++;
      }
    g_assert_cmpuint (list->ids->len, ==, 1);
  }
  g_assert_cmpuint (n_sent, ==, 1);
  (void) waiting;
  store_test_close (store);

  /* The journal was tidied before the move: the queued messages of the Outbox (r5 was
   * withdrawn: not kept) and the sent one, whose S stays until its move is done; the
   * session's records are gone.  A second rebuild gives the same. */
  {
    g_autofree char *journal = journal_text (dir);
    g_auto(GStrv) lines = g_strsplit (journal, "\n", -1);
    guint n_q = 0, n_s = 0, n_t = 0, n_other = 0;
    for (guint i = 0; lines[i] && *lines[i]; i++)
      {
        n_q += g_str_has_prefix (lines[i], "Q ");
        n_s += g_str_has_prefix (lines[i], "S ");
        n_t += g_str_has_prefix (lines[i], "T ");
        n_other += !g_str_has_prefix (lines[i], "Q ") && !g_str_has_prefix (lines[i], "S ")
                   && !g_str_has_prefix (lines[i], "T ");
      }
    g_assert_cmpuint (n_q, ==, 4);
    g_assert_cmpuint (n_s, ==, 1);
    g_assert_cmpuint (n_t, ==, 1);
    g_assert_cmpuint (n_other, ==, 0);
  }
  delete_index (dir);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_autoptr(GPtrArray) again = cachet_store_outbox_list (store, NULL);
    guint n_waiting = 0, n_doubt = 0, n_unqueued = 0;

    g_assert_cmpuint (moved->len, ==, 0);
    for (guint i = 0; i < again->len; i++)
      {
        CachetOutboxRecord *r = again->pdata[i];
        n_waiting += r->state == CACHET_OUTBOX_WAITING;
        n_doubt += r->in_doubt;
        n_unqueued += r->account_id == NULL;
      }
    g_assert_cmpuint (again->len, ==, 4);
    g_assert_cmpuint (n_waiting, ==, 2);
    g_assert_cmpuint (n_doubt, ==, 1);
    g_assert_cmpuint (n_unqueued, ==, 1);
  }
  store_test_close (store);
}

/* The journal is removed (by hand): the index still knows the envelopes, and gives them back
 * to the journal, so that a later rebuild finds them. */
static void
test_journal_lost (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  g_autofree char *path = g_build_filename (dir, "mail", ".cachet-outbox", NULL);
  CachetStore *store = store_test_open (dir);
  gint64 id = queue (store, "j1");

  g_assert_cmpint (g_unlink (path), ==, 0);
  {
    g_autoptr(GArray) moved = recover (store);
  }
  assert_state (store, id, CACHET_OUTBOX_WAITING, FALSE);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  store_test_close (store);
  delete_index (dir);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_autoptr(GPtrArray) all = cachet_store_outbox_list (store, NULL);
    g_assert_cmpuint (all->len, ==, 1);
    g_assert_cmpstrv (((CachetOutboxRecord *) all->pdata[0])->recipients, envelope);
  }
  store_test_close (store);
}

/* Garbage, records of unknown messages and a record cut short are skipped; the next record
 * is not glued to the cut one. */
static void
test_bad_journal (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  CachetStore *store = store_test_open (dir);
  gint64 id = queue (store, "b1");
  g_autofree char *base = base_of (store, id);
  g_autofree char *cut = NULL;

  store_test_close (store);
  journal_append (dir, "garbage line\nQ\nQ onlybase\nS unknown-base\nT\nZ x y\n\xff\xfe\n"
                       "Q other acct %00\nE\nE\n");
  cut = g_strdup_printf ("S %s", base);  /* no newline: cut short by a power cut */
  journal_append (dir, cut);
  store = store_test_open (dir);
  {
    g_autoptr(GArray) moved = recover (store);
    g_assert_cmpuint (moved->len, ==, 0);
  }
  assert_state (store, id, CACHET_OUTBOX_WAITING, FALSE);
  store_test_close (store);

  /* An append after a cut record starts a line of its own. */
  journal_append (dir, cut);
  store = store_test_open (dir);
  g_assert_true (cachet_store_outbox_withdraw_sync (store, id, NULL, NULL));
  {
    g_autofree char *journal = journal_text (dir);
    g_autofree char *w = g_strdup_printf ("\nW %s\n", base);
    g_assert_nonnull (strstr (journal, w));
  }
  store_test_close (store);
}

/* An index of version 4 (before the outbox) is brought to version 5 in place. */
static void
test_migrate_v4 (void)
{
  g_autofree char *dir = store_test_new_data_dir ();
  g_autofree char *db_path = g_build_filename (dir, "index.sqlite", NULL);
  CachetStore *store = store_test_open (dir);
  g_autoptr(GBytes) m = store_test_message ("keep@example.org", "Kept", NULL, NULL, NULL, NULL,
                                            NULL);
  gint64 inbox = store_test_folder_id (store, "Inbox");
  gint64 kept = cachet_store_add_message_sync (store, inbox, m, 0, NULL, NULL);
  gint64 queued = queue (store, "v1");
  sqlite3 *db = NULL;
  char *msg = NULL;

  store_test_close (store);
  /* What version 4 had: no outbox table, no triggers for it. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER messages_outbox_delete;"
                                     "DROP TRIGGER messages_outbox_move;"
                                     "DROP TABLE outbox; PRAGMA user_version = 4;",
                                 NULL, NULL, &msg), ==, SQLITE_OK);
  sqlite3_close (db);

  store = store_test_open (dir);
  /* Migrated, not rebuilt (a rebuild moves the old file aside). */
  g_assert_cmpint (folder_of (store, kept), ==, inbox);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      g_assert_false (g_str_has_prefix (name, "index.sqlite.broken"));
  }
  {
    g_autoptr(CachetOutboxRecord) r = get (store, queued);
    g_assert_null (r->account_id);
  }
  {
    g_autoptr(GArray) moved = recover (store);
  }
  {
    g_autoptr(CachetOutboxRecord) r = get (store, queued);
    g_assert_cmpstr (r->account_id, ==, "acct-1");
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
  }
  store_test_close (store);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 5);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
}

/* Crash points: a child stops at a step (as a kill would), the parent checks what the next
 * start makes of it. */

static int
crash_child (const char *op,
             const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  CachetStore *store = cachet_store_new (data_dir);

  if (!cachet_store_open_sync (store, NULL, NULL, NULL, &error))
    {
      g_printerr ("child: open: %s\n", error->message);
      return 1;
    }
  if (g_str_equal (op, "queue"))
    {
      g_autoptr(GBytes) m = outgoing ("crash");
      cachet_store_outbox_queue_sync (store, "acct-1", m, envelope, NULL, &error);
    }
  else
    {
      g_autoptr(GPtrArray) all = cachet_store_outbox_list (store, &error);
      gint64 id = all && all->len > 0 ? ((CachetOutboxRecord *) all->pdata[0])->message_id : 0;

      if (cachet_store_outbox_recover_sync (store, NULL, NULL, &error)
          && cachet_store_outbox_begin_sync (store, &id, 1, NULL, &error)
          && cachet_store_outbox_trying_sync (store, id, &error)
          && cachet_store_outbox_sent_sync (store, id, &error))
        cachet_store_outbox_finish_sync (store, NULL, NULL, &error);
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

typedef struct
{
  const char *op;
  const char *step;
} CrashCase;

static void
test_crash (gconstpointer data)
{
  const CrashCase *c = data;
  g_autofree char *dir = store_test_new_data_dir ();
  const char *argv[] = { self_exe, "--crash-child", c->op, dir, NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "CACHET_STORE_CRASH_AT", c->step,
                                         TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GArray) moved = NULL;
  CachetStore *store;
  gint64 id = 0;
  int status = 0;

  if (g_str_equal (c->op, "send"))
    {
      store = store_test_open (dir);
      id = queue (store, "crash");
      store_test_close (store);
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, CRASH_EXIT);

  store = store_test_open (dir);
  moved = recover (store);
  all = cachet_store_outbox_list (store, NULL);
  store_test_assert_consistent (store, "Outbox");
  store_test_assert_consistent (store, "Sent");
  if (g_str_equal (c->step, "outbox:journaled"))
    g_assert_cmpuint (all->len, ==, 0);  /* only in tmp/: never queued */
  else if (g_str_equal (c->op, "queue"))
    {
      /* Queued, though the caller never heard so: it will be sent. */
      g_assert_cmpuint (all->len, ==, 1);
      assert_state (store, ((CachetOutboxRecord *) all->pdata[0])->message_id,
                    CACHET_OUTBOX_WAITING, FALSE);
    }
  else if (g_str_equal (c->step, "outbox:tried"))
    assert_state (store, id, CACHET_OUTBOX_FAILED, TRUE);
  else
    {
      /* Recorded sent: in Sent, never waiting again. */
      g_assert_cmpuint (all->len, ==, 0);
      g_assert_cmpint (folder_of (store, id), ==, store_test_folder_id (store, "Sent"));
      g_assert_cmpuint (moved->len, ==, g_str_equal (c->step, "outbox:moved") ? 0 : 1);
    }
  g_assert_cmpuint (store_test_count_files (store, "Outbox")
                    + store_test_count_files (store, "Sent"), ==,
                    g_str_equal (c->step, "outbox:journaled") ? 0 : 1);
  store_test_close (store);
}

static const CrashCase crash_cases[] = {
  { "queue", "outbox:journaled" },
  { "queue", "outbox:renamed" },
  { "queue", "outbox:queued" },
  { "send", "outbox:tried" },
  { "send", "outbox:sent" },
  { "send", "outbox:finished" },
  { "send", "outbox:moved" },
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

  g_test_add_func ("/store/outbox/queue", test_queue);
  g_test_add_func ("/store/outbox/bad-input", test_bad_input);
  g_test_add_func ("/store/outbox/send-steps", test_send_steps);
  g_test_add_func ("/store/outbox/failures", test_failures);
  g_test_add_func ("/store/outbox/withdraw", test_withdraw);
  g_test_add_func ("/store/outbox/moved-by-hand", test_moved_by_hand);
  g_test_add_func ("/store/outbox/sent-not-moved", test_sent_not_moved);
  g_test_add_func ("/store/outbox/in-doubt", test_in_doubt);
  g_test_add_func ("/store/outbox/other-boot", test_other_boot);
  g_test_add_func ("/store/outbox/rebuild", test_rebuild);
  g_test_add_func ("/store/outbox/journal-lost", test_journal_lost);
  g_test_add_func ("/store/outbox/bad-journal", test_bad_journal);
  g_test_add_func ("/store/outbox/migrate-v4", test_migrate_v4);
  for (gsize i = 0; i < G_N_ELEMENTS (crash_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/store/outbox/crash/%s", crash_cases[i].step);
      g_strdelimit (path + strlen ("/store/outbox/crash/"), ":", '-');
      g_test_add_data_func (path, &crash_cases[i], test_crash);
    }
  return g_test_run ();
}
