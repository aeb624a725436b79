/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fetch-test-util.h"

#include <string.h>

#include "cachet-secrets.h"

void
test_account_set_server (CachetAccount        *account,
                         const CachetTestUser *user,
                         const char           *host,
                         guint16               port,
                         CachetSecurity        security)
{
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  const CachetServerSettings *old = cachet_account_get_pop3 (account);
  CachetSecretKey key = { cachet_account_get_id (account), "pop3", host, user->login };

  pop3->host = g_strdup (host);
  pop3->port = port;
  pop3->security = security;
  pop3->user = g_strdup (user->login);
  if (old != NULL)
    {
      pop3->auth = old->auth;
      pop3->pinned_sha256 = g_strdup (old->pinned_sha256);
    }
  cachet_account_set_pop3 (account, pop3);
  cachet_secrets_remember_for_session (&key, user->password);
}

CachetAccount *
test_account_new (const CachetTestUser *user,
                  const char           *name,
                  const char           *host,
                  guint16               port,
                  CachetSecurity        security,
                  const char           *ca_file)
{
  CachetAccount *account = cachet_account_new (name);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);

  cachet_account_set_address (account, user->login);
  test_account_set_server (account, user, host, port, security);
  smtp->host = g_strdup (host);
  smtp->port = 25;
  smtp->user = g_strdup (user->login);
  cachet_account_set_smtp (account, smtp);
  cachet_account_set_ca_file (account, ca_file);
  return account;
}

void
test_account_save (CachetAccount *account)
{
  g_autoptr(CachetAccountList) list = cachet_account_list_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_account_list_load (list, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_add (list, account, &error));
  g_assert_no_error (error);
  g_assert_true (cachet_account_list_save (list, &error));
  g_assert_no_error (error);
}

typedef struct
{
  gboolean           done;
  CachetFetchResult *result;
  GError            *error;
} FetchWait;

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  FetchWait *wait = data;
  wait->result = cachet_fetcher_fetch_finish (CACHET_FETCHER (source), result, &wait->error);
  wait->done = TRUE;
}

CachetFetchResult *
test_fetch (CachetStore   *store,
            CachetAccount *account,
            GError       **error)
{
  g_autoptr(CachetFetcher) fetcher = cachet_fetcher_new (store);
  GMainContext *context = g_main_context_get_thread_default ();
  FetchWait wait = { FALSE, NULL, NULL };

  cachet_fetcher_set_timeouts (fetcher, 5000, 20);
  cachet_fetcher_fetch_async (fetcher, account, NULL, NULL, NULL, NULL, fetch_done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_nonnull (wait.result);
  if (wait.error)
    g_propagate_error (error, wait.error);
  return wait.result;
}

GPtrArray *
test_store_messages (CachetStore *store,
                     const char  *folder)
{
  g_autofree char *dir = g_build_filename (cachet_store_get_mail_dir (store), folder, NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = cachet_test_maildir_read (dir, &error);

  g_assert_no_error (error);
  return messages;
}

void
test_assert_same_messages (GPtrArray *expected,
                           GPtrArray *got)
{
  g_autofree char *why = NULL;

  if (!cachet_test_messages_equal (expected, got, CACHET_TEST_COMPARE_EXACT, &why))
    g_error ("The store does not hold exactly the server's messages: %s", why);
}

void
test_assert_no_tmp_files (CachetStore *store)
{
  g_autofree char *tmp = g_build_filename (cachet_store_get_mail_dir (store), "Inbox", "tmp",
                                           NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  const char *name = dir ? g_dir_read_name (dir) : NULL;

  if (name != NULL)
    g_error ("A file was left in tmp/: %s", name);
}
