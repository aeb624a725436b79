/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-fetcher.h"
#include "cachet-net-error.h"
#include "fetch-test-util.h"
#include "store-test-util.h"

/* Fetching from the scripted fake POP3 server (tests/servers/fake-pop3.py), for what a real
 * server does not do on purpose: no STARTTLS, no UIDL, a connection that drops in the
 * middle of a message, truncated replies, malformed UIDL listings, a mailbox in use.  In
 * every case: nothing lost, nothing stored twice, nothing deleted that is not stored. */

#define N_MESSAGES 6

typedef struct
{
  char               *data_dir;
  char               *messages_dir;
  CachetStore        *store;
  CachetAccount      *account;
  GPtrArray          *sent;
  CachetTestFakePop3 *fake;
  CachetTestUser      user;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->data_dir = store_test_new_data_dir ();
  f->store = store_test_open (f->data_dir);
  f->messages_dir = g_build_filename (f->data_dir, "server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->messages_dir, 0700), ==, 0);
  f->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 1; i <= N_MESSAGES; i++)
    {
      g_autoptr(GBytes) m = cachet_test_message_new (i, 1500 + i * 700);
      g_autofree char *name = g_strdup_printf ("msg-%02u", i);
      g_autofree char *path = g_build_filename (f->messages_dir, name, NULL);

      g_assert_true (g_file_set_contents (path, g_bytes_get_data (m, NULL),
                                          g_bytes_get_size (m), &error));
      g_ptr_array_add (f->sent, g_steal_pointer (&m));
    }
  f->user.name = (char *) "alice";
  f->user.login = (char *) "alice@example.test";
  f->user.password = (char *) "secret-alice";
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_pointer (&f->fake, cachet_test_fake_pop3_free);
  if (f->store)
    store_test_close (f->store);
  g_clear_object (&f->account);
  g_clear_pointer (&f->sent, g_ptr_array_unref);
  g_free (f->messages_dir);
  g_free (f->data_dir);
}

/* (Re)starts the fake server with @options; FALSE (test skipped) when it cannot run. */
static gboolean
start_fake (Fixture            *f,
            CachetSecurity      security,
            const char * const *options)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->fake, cachet_test_fake_pop3_free);
  f->fake = cachet_test_fake_pop3_start (f->messages_dir, NULL, options, &skip, &error);
  if (skip != NULL)
    {
      g_test_skip (skip);
      return FALSE;
    }
  g_assert_no_error (error);
  if (f->account == NULL)
    f->account = test_account_new (&f->user, "alice", "127.0.0.1", f->fake->port, security,
                                   f->fake->ca_file);
  else
    {
      /* Each start makes its own test CA. */
      test_account_set_server (f->account, &f->user, "127.0.0.1", f->fake->port, security);
      cachet_account_set_ca_file (f->account, f->fake->ca_file);
    }
  return TRUE;
}

/* The messages the server has (files of its plain directory). */
static guint
on_server (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->messages_dir, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static guint
count_commands (Fixture    *f,
                const char *verb)
{
  g_auto(GStrv) commands = cachet_test_fake_pop3_commands (f->fake);
  guint n = 0;

  for (guint i = 0; commands[i] != NULL; i++)
    {
      /* "SESSION plain|tls COMMAND ARGS" */
      g_auto(GStrv) fields = g_strsplit (commands[i], " ", 4);
      if (g_strv_length (fields) >= 3 && g_ascii_strcasecmp (fields[2], verb) == 0)
        n++;
    }
  return n;
}

static void
assert_all_stored_once (Fixture *f)
{
  g_autoptr(GPtrArray) stored = test_store_messages (f->store, "Inbox");

  test_assert_same_messages (f->sent, stored);
  store_test_assert_consistent (f->store, "Inbox");
  test_assert_no_tmp_files (f->store);
}

static void
test_starttls_missing (Fixture      *f,
                       gconstpointer data)
{
  const char *options[] = { "--no-stls", NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING);
  g_test_message ("%s", error->message);
  /* Never a password in the clear. */
  g_assert_cmpuint (count_commands (f, "USER"), ==, 0);
  g_assert_cmpuint (count_commands (f, "PASS"), ==, 0);
  g_assert_cmpuint (count_commands (f, "AUTH"), ==, 0);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
}

static void
test_no_uidl (Fixture      *f,
              gconstpointer data)
{
  const char *options[] = { "--no-uidl", NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetFetchResult) again = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  /* Even with delete-after-fetch: a server without UIDL never gets a DELE. */
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  result = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_true (result->no_uidl);
  g_assert_cmpuint (result->n_new, ==, N_MESSAGES);
  g_assert_cmpuint (result->notices->len, ==, 1);
  g_test_message ("%s", (char *) g_ptr_array_index (result->notices, 0));
  assert_all_stored_once (f);

  again = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_new, ==, 0);
  assert_all_stored_once (f);
  g_assert_cmpuint (count_commands (f, "DELE"), ==, 0);
  g_assert_cmpuint (on_server (f), ==, N_MESSAGES);

  /* Also after the index is lost. */
  store_test_close (f->store);
  {
    g_autofree char *db = g_build_filename (f->data_dir, "index.sqlite", NULL);
    g_assert_cmpint (g_unlink (db), ==, 0);
  }
  f->store = store_test_open (f->data_dir);
  g_clear_pointer (&again, cachet_fetch_result_free);
  again = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_new, ==, 0);
  assert_all_stored_once (f);
}

/* The connection drops in the middle of message 3: what arrived whole is kept, nothing is
 * deleted, and the next fetch gets the rest and deletes everything. */
static void
test_drop_mid_retr (Fixture      *f,
                    gconstpointer data)
{
  const char *options[] = { "--drop-retr=3:900", NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetFetchResult) again = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_test_message ("%s (%u stored)", error->message, result->n_new);
  g_assert_cmpuint (result->n_new, ==, 2);
  g_assert_cmpuint (count_commands (f, "DELE"), ==, 0);
  g_assert_cmpuint (on_server (f), ==, N_MESSAGES);
  test_assert_no_tmp_files (f->store);
  g_clear_error (&error);

  again = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_new, ==, N_MESSAGES - 2);
  g_assert_cmpuint (again->n_deleted, ==, N_MESSAGES);
  assert_all_stored_once (f);
  g_assert_cmpuint (on_server (f), ==, 0);
}

/* Every reply to RETR is cut: no message half stored, none deleted; a server that behaves
 * again gets everything fetched once. */
static void
test_truncated_retr (Fixture      *f,
                     gconstpointer data)
{
  const char *cut[] = { "--truncate=RETR:700", NULL };
  const char *fine[] = { NULL };
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, cut))
    return;
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(CachetFetchResult) result = test_fetch (f->store, f->account, &error);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (error->domain == CACHET_NET_ERROR);
      g_assert_cmpuint (result->n_new, ==, 0);
      g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
      test_assert_no_tmp_files (f->store);
      g_clear_error (&error);
    }
  g_assert_cmpuint (count_commands (f, "DELE"), ==, 0);
  g_assert_cmpuint (on_server (f), ==, N_MESSAGES);

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, fine))
    return;
  {
    g_autoptr(CachetFetchResult) result = test_fetch (f->store, f->account, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->n_new, ==, N_MESSAGES);
  }
  assert_all_stored_once (f);
  g_assert_cmpuint (on_server (f), ==, 0);
}

/* Replies cut short before any message: LIST, UIDL, the greeting. */
static void
test_truncated_replies (Fixture      *f,
                        gconstpointer data)
{
  const char *commands[] = { "GREETING", "CAPA", "AUTH", "STLS", "LIST", "UIDL" };

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *option = g_strdup_printf ("--truncate=%s", commands[i]);
      const char *options[] = { option, NULL };
      g_autoptr(CachetFetchResult) result = NULL;
      g_autoptr(GError) error = NULL;

      if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
        return;
      cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
      result = test_fetch (f->store, f->account, &error);
      g_test_message ("%s: %s", commands[i], error ? error->message : "no error");
      g_assert_nonnull (error);
      g_assert_true (error->domain == CACHET_NET_ERROR);
      g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
      g_assert_cmpuint (count_commands (f, "DELE"), ==, 0);
      g_assert_cmpuint (on_server (f), ==, N_MESSAGES);
    }
}

/* A malformed UIDL listing: messages with a usable UIDL are handled as usual; those without
 * are recognised by their headers and never deleted.  Nothing is fetched twice. */
static void
test_bad_uidl (Fixture      *f,
               gconstpointer data)
{
  const char *options[] = { "--bad-uidl=missing,duplicate,badchar,badnum,outofrange,empty",
                            NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetFetchResult) again = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  result = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_new, ==, N_MESSAGES);
  g_assert_false (result->no_uidl);
  g_assert_cmpuint (result->notices->len, >=, 1);
  g_test_message ("%s", (char *) g_ptr_array_index (result->notices, 0));
  assert_all_stored_once (f);
  /* 1 (control characters), 1 and 2 (sharing one id) and 6 (none) stay on the server;
   * 3, 4 and 5 are deleted. */
  g_assert_cmpuint (result->n_deleted, ==, 3);
  g_assert_cmpuint (on_server (f), ==, 3);

  again = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_new, ==, 0);
  g_assert_cmpuint (again->n_deleted, ==, 0);
  assert_all_stored_once (f);
}

static void
test_long_uidl (Fixture      *f,
                gconstpointer data)
{
  const char *options[] = { "--bad-uidl=long", NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetFetchResult) again = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  /* A 300-character id is longer than RFC 1939 allows; kept or refused, never a crash nor
   * a second copy. */
  result = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_new, ==, N_MESSAGES);
  again = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_new, ==, 0);
  assert_all_stored_once (f);
}

static void
test_in_use (Fixture      *f,
             gconstpointer data)
{
  const char *options[] = { "--in-use", NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_LOCKED);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
}

/* The server refuses RETR: the error says so in the server's words, nothing is stored or
 * deleted, and the session ends properly. */
static void
test_refused_retr (Fixture      *f,
                   gconstpointer data)
{
  const char *options[] = { "--err=RETR:Message is being delivered", NULL };
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, options))
    return;
  cachet_account_set_server_policy (f->account, CACHET_DELETE_AFTER_FETCH);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Message is being delivered"));
  g_assert_cmpuint (result->n_new, ==, 0);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, 0);
  g_assert_cmpuint (count_commands (f, "DELE"), ==, 0);
  g_assert_cmpuint (count_commands (f, "QUIT"), ==, 1);
  g_assert_cmpuint (on_server (f), ==, N_MESSAGES);
  test_assert_no_tmp_files (f->store);
}

/* Quitting in the middle of a fetch: cachet_fetcher_cancel_all() stops the worker (it
 * does not wait for the network timeout) and returns once it has ended; what was committed
 * stays, nothing is half stored, and the next fetch gets the rest, each message once. */
typedef struct
{
  gboolean ended;
  gint64   waited_us;
} CancelAll;

static gboolean
cancel_all_cb (gpointer data)
{
  CancelAll *c = data;
  gint64 start = g_get_monotonic_time ();

  c->ended = cachet_fetcher_cancel_all (15000);
  c->waited_us = g_get_monotonic_time () - start;
  return G_SOURCE_REMOVE;
}

static void
test_cancel_all (Fixture      *f,
                 gconstpointer data)
{
  /* About a message a second. */
  const char *slow[] = { "--rate=3000", NULL };
  const char *fine[] = { NULL };
  CancelAll c = { FALSE, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetFetchResult) result = NULL;
  g_autoptr(CachetFetchResult) again = NULL;

  g_assert_true (cachet_fetcher_cancel_all (0));   /* nothing running: at once */
  if (!start_fake (f, CACHET_SECURITY_STARTTLS, slow))
    return;
  g_timeout_add (1500, cancel_all_cb, &c);
  result = test_fetch (f->store, f->account, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (c.ended);
  g_test_message ("cancelled after %u stored; waited %" G_GINT64_FORMAT " ms",
                  result->n_new, c.waited_us / 1000);
  g_assert_cmpint (c.waited_us, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (result->n_new, <, N_MESSAGES);
  g_assert_cmpuint (store_test_count_files (f->store, "Inbox"), ==, result->n_new);
  test_assert_no_tmp_files (f->store);
  g_assert_cmpuint (on_server (f), ==, N_MESSAGES);
  g_clear_error (&error);

  if (!start_fake (f, CACHET_SECURITY_STARTTLS, fine))
    return;
  again = test_fetch (f->store, f->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_new + again->n_new, ==, N_MESSAGES);
  assert_all_stored_once (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The POP3 session logs a warning about a malformed UIDL listing, which is what some of
   * these tests send on purpose: warnings are not fatal here (criticals still are). */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) \
  g_test_add ("/fetch/fake/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("starttls-missing", test_starttls_missing);
  ADD ("no-uidl", test_no_uidl);
  ADD ("drop-mid-retr", test_drop_mid_retr);
  ADD ("truncated-retr", test_truncated_retr);
  ADD ("truncated-replies", test_truncated_replies);
  ADD ("bad-uidl", test_bad_uidl);
  ADD ("long-uidl", test_long_uidl);
  ADD ("in-use", test_in_use);
  ADD ("refused-retr", test_refused_retr);
  ADD ("cancel-all", test_cancel_all);
#undef ADD
  return g_test_run ();
}
