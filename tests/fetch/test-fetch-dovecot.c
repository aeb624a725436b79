/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-fetcher.h"
#include "cachet-net-error.h"
#include "cachet-secrets.h"
#include "fetch-test-util.h"
#include "store-test-util.h"

/* Fetching from a real Dovecot on 127.0.0.1 (tests/servers/mailservers.sh): policies,
 * certificates, large messages, many messages, and the ledger across a lost index or a
 * message moved by the user.  Skips when the servers cannot run here. */

#define DAY (24 * 60 * 60)

static CachetTestServers *servers;

typedef struct
{
  char                 *data_dir;
  CachetStore          *store;
  const CachetTestUser *user;
  CachetAccount        *account;
  GPtrArray            *sent;      /* GBytes: what the server was given */
} Fixture;

static void
clear_mailbox (const CachetTestUser *user)
{
  static const char * const subs[] = { "cur", "new" };

  /* The message files only: Dovecot's uidlist stays, so no UIDL is ever used twice. */
  for (gsize i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *path = g_build_filename (user->maildir, subs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          g_unlink (file);
        }
    }
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->user = cachet_test_servers_get_user (servers, "alice");
  f->data_dir = store_test_new_data_dir ();
  f->store = store_test_open (f->data_dir);
  f->account = test_account_new (f->user, "alice", servers->host, servers->pop3s_port,
                                 CACHET_SECURITY_TLS, servers->ca_file);
  f->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  clear_mailbox (f->user);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  if (f->store)
    store_test_close (f->store);
  g_clear_object (&f->account);
  g_clear_pointer (&f->sent, g_ptr_array_unref);
  g_free (f->data_dir);
}

static void
add_message (Fixture *f,
             GBytes  *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cachet_test_servers_add_message (servers, f->user->name, message,
                                                           &error);
  g_assert_no_error (error);
}

static void
send_messages (Fixture *f,
               guint    first,
               guint    n,
               gsize    size)
{
  for (guint i = first; i < first + n; i++)
    {
      g_autoptr(GBytes) m = cachet_test_message_new (i, size);
      add_message (f, m);
      g_ptr_array_add (f->sent, g_steal_pointer (&m));
    }
}

static guint
on_server (Fixture *f)
{
  return cachet_test_maildir_count (f->user->maildir);
}

/* Fetches, expecting success and @n_new new messages. */
static CachetFetchResult *
fetch_ok (Fixture *f,
          guint    n_new)
{
  g_autoptr(GError) error = NULL;
  CachetFetchResult *result = test_fetch (f->store, f->account, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (result->n_new, ==, n_new);
  store_test_assert_consistent (f->store, "Inbox");
  test_assert_no_tmp_files (f->store);
  return result;
}

static void
assert_store_has_sent (Fixture *f)
{
  g_autoptr(GPtrArray) stored = test_store_messages (f->store, "Inbox");
  test_assert_same_messages (f->sent, stored);
}

static void
test_empty_store (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(CachetFetchResult) first = NULL;
  g_autoptr(CachetFetchResult) again = NULL;

  send_messages (f, 1, 5, 3000);
  first = fetch_ok (f, 5);
  g_assert_cmpuint (first->n_on_server, ==, 5);
  g_assert_cmpuint (first->n_deleted, ==, 0);
  g_assert_false (first->no_uidl);
  g_assert_cmpuint (first->notices->len, ==, 0);
  assert_store_has_sent (f);
  /* Leave on server is the default. */
  g_assert_cmpuint (on_server (f), ==, 5);

  /* Again: nothing new, nothing twice. */
  again = fetch_ok (f, 0);
  g_assert_cmpuint (again->n_on_server, ==, 5);
  assert_store_has_sent (f);

  /* One more arrives: only that one. */
  send_messages (f, 6, 1, 500);
  g_clear_pointer (&again, cachet_fetch_result_free);
  again = fetch_ok (f, 1);
  assert_store_has_sent (f);
}

static void
test_starttls (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetServerSettings) pop3 = NULL;

  pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (f->account));
  pop3->port = servers->pop3_port;
  pop3->security = CACHET_SECURITY_STARTTLS;
  cachet_account_set_pop3 (f->account, pop3);
  send_messages (f, 1, 2, 1000);
  result = fetch_ok (f, 2);
  assert_store_has_sent (f);
}

static void
test_delete_after_fetch (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;

  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  send_messages (f, 1, 4, 2000);
  result = fetch_ok (f, 4);
  g_assert_cmpuint (result->n_deleted, ==, 4);
  g_assert_cmpuint (on_server (f), ==, 0);
  assert_store_has_sent (f);

  /* The ledger rows stay while the messages are stored. */
  {
    g_autoptr(GHashTable) ledger =
      cachet_store_ledger_get_sync (f->store, cachet_account_get_id (f->account), NULL);
    g_assert_cmpuint (g_hash_table_size (ledger), ==, 4);
  }
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_on_server, ==, 0);
}

/* Stored earlier but not deleted (the policy changed, or a fetch broke off before QUIT):
 * delete-after-fetch deletes those too, without fetching them again. */
static void
test_delete_known (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;

  send_messages (f, 1, 3, 2000);
  result = fetch_ok (f, 3);
  g_assert_cmpuint (on_server (f), ==, 3);
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_deleted, ==, 3);
  g_assert_cmpuint (on_server (f), ==, 0);
  assert_store_has_sent (f);
}

/* Makes the store's copies look fetched @days ago: the fetch time is in the file names, and
 * a rebuilt index reads it from there. */
static void
age_store (Fixture *f,
           gint64   days)
{
  g_autofree char *cur = g_build_filename (f->data_dir, "mail", "Inbox", "cur", NULL);
  g_autofree char *db = g_build_filename (f->data_dir, "index.sqlite", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gint64 then = g_get_real_time () / G_USEC_PER_SEC - days * DAY;
  const char *name;

  store_test_close (f->store);
  dir = g_dir_open (cur, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  for (guint i = 0; i < names->len; i++)
    {
      const char *old = g_ptr_array_index (names, i);
      const char *dot = strchr (old, '.');
      g_autofree char *renamed = g_strdup_printf ("%" G_GINT64_FORMAT "%s", then, dot);
      g_autofree char *from = g_build_filename (cur, old, NULL);
      g_autofree char *to = g_build_filename (cur, renamed, NULL);
      g_assert_cmpint (g_rename (from, to), ==, 0);
    }
  g_assert_cmpint (g_unlink (db), ==, 0);
  f->store = store_test_open (f->data_dir);
}

static void
test_delete_after_days (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;

  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_DAYS);
  cachet_account_set_delete_after_days (f->account, 14);
  send_messages (f, 1, 3, 2000);
  result = fetch_ok (f, 3);
  g_assert_cmpuint (result->n_deleted, ==, 0);
  g_assert_cmpuint (on_server (f), ==, 3);

  /* Ten days later: still kept. */
  age_store (f, 10);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_deleted, ==, 0);

  /* Fifteen days after they were fetched, with a new one just arrived: the three go, the
   * new one stays. */
  age_store (f, 15);
  send_messages (f, 4, 1, 1000);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 1);
  g_assert_cmpuint (result->n_deleted, ==, 3);
  g_assert_cmpuint (on_server (f), ==, 1);
  assert_store_has_sent (f);
}

static void
test_delete_when_deleted_locally (Fixture      *f,
                                  gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  GHashTableIter iter;
  CachetLedgerEntry *entry;
  gint64 id = 0;

  cachet_account_set_delete_when_deleted_locally (f->account, TRUE);
  send_messages (f, 1, 3, 2000);
  result = fetch_ok (f, 3);
  g_assert_cmpuint (on_server (f), ==, 3);

  ledger = cachet_store_ledger_get_sync (f->store, cachet_account_get_id (f->account), &error);
  g_hash_table_iter_init (&iter, ledger);
  g_assert_true (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry));
  id = entry->message_id;

  /* In Trash it is not deleted yet. */
  g_assert_true (cachet_store_delete_sync (f->store, &id, 1, NULL, &error));
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_deleted, ==, 0);
  g_assert_cmpuint (on_server (f), ==, 3);

  /* Removed for good: deleted on the server at the next fetch, not fetched again, also when
   * the index was lost in between. */
  g_assert_true (cachet_store_delete_sync (f->store, &id, 1, NULL, &error));
  g_assert_no_error (error);
  store_test_close (f->store);
  {
    g_autofree char *db = g_build_filename (f->data_dir, "index.sqlite", NULL);
    g_assert_cmpint (g_unlink (db), ==, 0);
  }
  f->store = store_test_open (f->data_dir);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_deleted, ==, 1);
  g_assert_cmpuint (on_server (f), ==, 2);

  /* And the ledger forgets it once the server no longer lists it. */
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_clear_pointer (&ledger, g_hash_table_unref);
  ledger = cachet_store_ledger_get_sync (f->store, cachet_account_get_id (f->account), &error);
  g_assert_cmpuint (g_hash_table_size (ledger), ==, 2);
}

static void
test_large_skip (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GBytes) big = cachet_test_message_new (99, 60000);

  cachet_account_set_large_policy (f->account, CACHET_LARGE_SKIP);
  cachet_account_set_large_size (f->account, 20000);
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  send_messages (f, 1, 2, 1000);
  add_message (f, big);
  result = fetch_ok (f, 2);
  g_assert_cmpuint (result->n_skipped, ==, 1);
  g_assert_cmpuint (result->notices->len, ==, 1);
  assert_store_has_sent (f);
  /* The large one stays on the server, also with delete-after-fetch. */
  g_assert_cmpuint (on_server (f), ==, 1);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_skipped, ==, 1);
  g_assert_cmpuint (on_server (f), ==, 1);
}

static void
test_large_headers_only (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GBytes) big = cachet_test_message_new (99, 60000);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) ledger = NULL;
  GHashTableIter iter;
  CachetLedgerEntry *entry;
  guint n_partial = 0;

  cachet_account_set_large_policy (f->account, CACHET_LARGE_HEADERS_ONLY);
  cachet_account_set_large_size (f->account, 20000);
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  send_messages (f, 1, 2, 1000);
  add_message (f, big);
  result = fetch_ok (f, 3);
  g_assert_cmpuint (result->n_headers_only, ==, 1);
  /* Only the two whole ones were deleted on the server. */
  g_assert_cmpuint (result->n_deleted, ==, 2);
  g_assert_cmpuint (on_server (f), ==, 1);

  /* The stored copy is the header block. */
  stored = test_store_messages (f->store, "Inbox");
  g_assert_cmpuint (stored->len, ==, 3);
  for (guint i = 0; i < stored->len; i++)
    {
      GBytes *m = g_ptr_array_index (stored, i);
      gsize len = g_bytes_get_size (m);
      const char *text = g_bytes_get_data (m, NULL);
      g_autofree char *copy = NULL;

      if (g_strstr_len (text, len, "Subject: Test message 99\n") == NULL)
        continue;
      /* The header block and the blank line after it, nothing of the body. */
      g_assert_null (g_strstr_len (text, len, "Message 99."));
      g_assert_cmpuint (len, <, 1000);
      copy = g_strndup (text, len);
      g_assert_true (g_str_has_suffix (copy, "\n\n"));
      n_partial++;
    }
  g_assert_cmpuint (n_partial, ==, 1);
  ledger = cachet_store_ledger_get_sync (f->store, cachet_account_get_id (f->account), NULL);
  n_partial = 0;
  g_hash_table_iter_init (&iter, ledger);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    n_partial += entry->partial;
  g_assert_cmpuint (n_partial, ==, 1);

  /* Not fetched again, not deleted. */
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (on_server (f), ==, 1);
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const CachetServerSettings *pop3;
  CachetSecretKey key;

  pop3 = cachet_account_get_pop3 (f->account);
  key = (CachetSecretKey) { cachet_account_get_id (f->account), "pop3", pop3->host, pop3->user };
  cachet_secrets_remember_for_session (&key, "not-the-password");
  send_messages (f, 1, 1, 1000);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (result->n_new, ==, 0);
  g_assert_cmpuint (on_server (f), ==, 1);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
}

static void
test_no_password (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetAccount) other = NULL;
  g_autoptr(CachetServerSettings) pop3 = NULL;

  /* An account whose password is nowhere: no keyring here (or none stored in it). */
  other = cachet_account_new ("nobody-knows");
  pop3 = cachet_server_settings_copy (cachet_account_get_pop3 (f->account));
  cachet_account_set_address (other, "alice@example.test");
  cachet_account_set_pop3 (other, pop3);
  result = test_fetch (f->store, other, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CACHET_SECRETS_ERROR);
  g_test_message ("%s", error->message);
}

static void
use_cert (Fixture       *f,
          CachetTestCert cert)
{
  test_account_set_server (f->account, f->user, servers->host, servers->certs[cert].pop3s_port,
                           CACHET_SECURITY_TLS);
}

static void
test_wrong_host (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  use_cert (f, CACHET_TEST_CERT_WRONG_HOST);
  send_messages (f, 1, 1, 1000);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (result->tls_check);
  g_assert_false (result->tls_check->trusted);
  g_assert_true (result->tls_check->problems & G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmpstr (result->tls_check->sha256_hex, ==,
                   servers->certs[CACHET_TEST_CERT_WRONG_HOST].sha256);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
}

static void
test_self_signed (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *sha256;

  use_cert (f, CACHET_TEST_CERT_SELF_SIGNED);
  send_messages (f, 1, 2, 1000);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_assert_nonnull (result->tls_check);
  sha256 = servers->certs[CACHET_TEST_CERT_SELF_SIGNED].sha256;
  g_assert_cmpstr (result->tls_check->sha256_hex, ==, sha256);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);

  /* The user trusts it: pinned, and the fetch goes through. */
  cachet_account_pin_certificate (f->account, "pop3", result->tls_check->sha256_hex);
  g_clear_pointer (&result, cachet_fetch_result_free);
  g_clear_error (&error);
  result = fetch_ok (f, 2);
  assert_store_has_sent (f);
  g_assert_cmpstr (cachet_account_get_pop3 (f->account)->pinned_sha256, ==, sha256);

  /* Another certificate than the pinned one is refused. */
  use_cert (f, CACHET_TEST_CERT_SELF_SIGNED_2);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE_CHANGED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (result->tls_check);
  g_assert_true (result->tls_check->pin_mismatch);
  g_assert_cmpstr (result->tls_check->sha256_hex, ==,
                   servers->certs[CACHET_TEST_CERT_SELF_SIGNED_2].sha256);
}

static void
test_big_message (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;

  send_messages (f, 1, 1, 20 * 1024 * 1024);
  send_messages (f, 2, 1, 1000);
  result = fetch_ok (f, 2);
  assert_store_has_sent (f);
}

static void
test_many (Fixture      *f,
           gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  gint64 start;
  double seconds;

  for (guint i = 1; i <= 2000; i++)
    send_messages (f, i, 1, 1000 + (i * 7919) % 20000);
  start = g_get_monotonic_time ();
  result = fetch_ok (f, 2000);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  /* A figure for the log, never an assertion: machines are noisy. */
  g_test_message ("2,000 messages in %.2f s: %.0f messages/s", seconds, 2000 / seconds);
  assert_store_has_sent (f);
  {
    g_autoptr(CachetMessageList) list =
      store_test_list (f->store, store_test_folder_id (f->store, "Inbox"));
    g_assert_cmpuint (list->ids->len, ==, 2000);
  }
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (result->n_on_server, ==, 2000);
}

/* The index is lost: rebuilt from the files, ledger included; nothing is fetched twice. */
static void
test_rebuild (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autofree char *db = g_build_filename (f->data_dir, "index.sqlite", NULL);

  send_messages (f, 1, 5, 2000);
  result = fetch_ok (f, 5);
  store_test_close (f->store);
  g_assert_cmpint (g_unlink (db), ==, 0);
  f->store = store_test_open (f->data_dir);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  assert_store_has_sent (f);
}

/* A message the user moved to another folder is not fetched again. */
static void
test_moved (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetMessageList) list = NULL;
  gint64 archive;

  send_messages (f, 1, 3, 2000);
  result = fetch_ok (f, 3);
  archive = cachet_store_create_folder_sync (f->store, 0, "Archive", NULL, &error);
  g_assert_no_error (error);
  list = store_test_list (f->store, store_test_folder_id (f->store, "Inbox"));
  g_assert_true (cachet_store_move_sync (f->store, (gint64 *) list->ids->data, 2, archive,
                                         NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 1);
  g_assert_cmpuint (store_test_count_files (f->store, "Archive"), ==, 2);

  /* Also when the index is rebuilt after the move. */
  store_test_close (f->store);
  {
    g_autofree char *db = g_build_filename (f->data_dir, "index.sqlite", NULL);
    g_assert_cmpint (g_unlink (db), ==, 0);
  }
  f->store = store_test_open (f->data_dir);
  g_clear_pointer (&result, cachet_fetch_result_free);
  result = fetch_ok (f, 0);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 1);
}

typedef struct
{
  guint   calls;
  guint   last_done;
  guint   total;
  guint64 last_bytes;
  guint64 bytes_total;
  gboolean saw_done;
  gboolean went_back;
} ProgressLog;

static void
progress_cb (const CachetFetchProgress *p,
             gpointer                   data)
{
  ProgressLog *log = data;

  log->calls++;
  g_assert_cmpstr (p->account_name, ==, "alice");
  if (p->stage == CACHET_FETCH_STAGE_RECEIVING)
    {
      if (p->n_done < log->last_done || p->bytes_done < log->last_bytes)
        log->went_back = TRUE;
      log->last_done = p->n_done;
      log->last_bytes = p->bytes_done;
      log->total = p->n_total;
      log->bytes_total = p->bytes_total;
      g_assert_cmpuint (p->bytes_done, <=, p->bytes_total);
    }
  if (p->stage == CACHET_FETCH_STAGE_DONE)
    log->saw_done = TRUE;
}

typedef struct
{
  gboolean           done;
  CachetFetchResult *result;
  GError            *error;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Wait *wait = data;
  wait->result = cachet_fetcher_fetch_finish (CACHET_FETCHER (source), result, &wait->error);
  wait->done = TRUE;
}

static void
test_progress (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(CachetFetcher) fetcher = NULL;
  ProgressLog log = { 0 };
  Wait wait = { 0 };

  send_messages (f, 1, 30, 5000);
  fetcher = cachet_fetcher_new (f->store);
  cachet_fetcher_fetch_async (fetcher, f->account, progress_cb, &log, NULL, NULL, done_cb,
                              &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  /* Progress comes in this (the caller's) context; stage changes always get through. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (log.calls, >=, 3);
  g_assert_true (log.saw_done);
  g_assert_false (log.went_back);
  g_assert_cmpuint (log.total, ==, 30);
  g_assert_cmpuint (log.bytes_total, >=, 30 * 5000);
  cachet_fetch_result_free (wait.result);
}

static void
test_cancel (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(CachetFetcher) fetcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CachetFetchResult) again = NULL;
  Wait wait = { 0 };

  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  send_messages (f, 1, 400, 4000);
  fetcher = cachet_fetcher_new (f->store);
  cachet_fetcher_fetch_async (fetcher, f->account, NULL, NULL, NULL, cancellable, done_cb,
                              &wait);
  /* Cancel soon after it started: wherever it was, a clean fetch after it gets the rest. */
  g_timeout_add_once (30, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("cancelled after %u new", wait.result->n_new);
  if (wait.error)
    g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);
  test_assert_no_tmp_files (f->store);
  again = fetch_ok (f, 400 - wait.result->n_new);
  assert_store_has_sent (f);
  g_assert_cmpuint (on_server (f), ==, 0);
  cachet_fetch_result_free (wait.result);
}

static void
test_busy (Fixture      *f,
           gconstpointer data)
{
  g_autoptr(CachetFetcher) fetcher = NULL;
  Wait one = { 0 }, two = { 0 };

  send_messages (f, 1, 200, 4000);
  fetcher = cachet_fetcher_new (f->store);
  cachet_fetcher_fetch_async (fetcher, f->account, NULL, NULL, NULL, NULL, done_cb, &one);
  cachet_fetcher_fetch_async (fetcher, f->account, NULL, NULL, NULL, NULL, done_cb, &two);
  while (!one.done || !two.done)
    g_main_context_iteration (NULL, TRUE);
  /* One of them ran, the other was told so; nothing is stored twice either way. */
  if (one.error != NULL)
    g_assert_error (one.error, CACHET_FETCH_ERROR, CACHET_FETCH_ERROR_BUSY);
  if (two.error != NULL)
    g_assert_error (two.error, CACHET_FETCH_ERROR, CACHET_FETCH_ERROR_BUSY);
  g_assert_cmpuint (one.result->n_new + two.result->n_new, ==, 200);
  assert_store_has_sent (f);
  g_clear_error (&one.error);
  g_clear_error (&two.error);
  cachet_fetch_result_free (one.result);
  cachet_fetch_result_free (two.result);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALT, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add ("/fetch/dovecot/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("empty-store-then-again", test_empty_store);
  ADD ("starttls", test_starttls);
  ADD ("delete-after-fetch", test_delete_after_fetch);
  ADD ("delete-known", test_delete_known);
  ADD ("delete-after-days", test_delete_after_days);
  ADD ("delete-when-deleted-locally", test_delete_when_deleted_locally);
  ADD ("large-skip", test_large_skip);
  ADD ("large-headers-only", test_large_headers_only);
  ADD ("wrong-password", test_wrong_password);
  ADD ("no-password", test_no_password);
  ADD ("wrong-host", test_wrong_host);
  ADD ("self-signed-then-pinned", test_self_signed);
  ADD ("20-mb-message", test_big_message);
  ADD ("2000-messages", test_many);
  ADD ("rebuilt-index", test_rebuild);
  ADD ("moved-by-user", test_moved);
  ADD ("progress", test_progress);
  ADD ("cancel", test_cancel);
  ADD ("busy", test_busy);
#undef ADD

  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
