/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bench"

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>

#include "cachet-secrets.h"
#include "cachet-sender.h"
#include "cachet-smtp-session.h"
#include "cachet-test-servers.h"

/* The whole outbox against a private Postfix (tests/servers), as the window would send it:
 * COUNT messages queued into a fresh store (file, envelope, index: each durable), then one
 * run of the sender from its creation until it is idle again, which recovers, takes its
 * lock, looks up the password, opens one SMTPS session with AUTH, records "trying" and
 * "sent" around each transaction, makes the records durable and moves every message to
 * Sent.  Postfix delivers through Dovecot LMTP meanwhile, as it normally would.
 *
 *   bench-outbox [--count N] [--size BYTES] [--runs R] [--security tls|starttls]
 *
 * Prints "queue <msg/s>" and "send <msg/s>" for the best of R runs (each run a store of
 * its own), and for reference "session <msg/s>": the same messages through one bare
 * CachetSmtpSession (connect, TLS, AUTH, then one transaction each, from memory), which
 * is what the outbox adds its bookkeeping to.  Needs root (the servers). */

static guint count = 500;
static guint size = 8 * 1024;
static guint runs = 3;
static char *security_name = NULL;

static void
wait_idle (CachetSender *sender)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  while (cachet_sender_is_busy (sender))
    g_main_context_iteration (NULL, TRUE);
}

static guint sent;

static void
sent_cb (CachetSender *sender,
         gint64        id,
         gint64        sent_id,
         gpointer      data)
{
  sent++;
}

static void
one_run (CachetTestServers *servers,
         guint              run,
         double            *queue_rate,
         double            *send_rate)
{
  const CachetTestUser *alice = cachet_test_servers_get_user (servers, "alice");
  const CachetTestUser *sink = cachet_test_servers_get_user (servers, "sink");
  g_autofree char *data_dir = g_strdup_printf ("%s/bench-outbox-%u", servers->dir, run);
  g_autoptr(CachetStore) store = cachet_store_new (data_dir);
  g_autoptr(CachetAccountList) accounts = cachet_account_list_new (data_dir);
  g_autoptr(CachetAccount) account = cachet_account_new_with_id ("bench", "bench");
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  g_autoptr(CachetSender) sender = NULL;
  g_autoptr(GError) error = NULL;
  gboolean starttls = g_strcmp0 (security_name, "starttls") == 0;
  CachetSecretKey key = { "bench", "smtp", servers->host, alice->login };
  const char *to[] = { sink->login, NULL };
  gint64 start;

  if (!cachet_store_open_sync (store, NULL, NULL, NULL, &error))
    g_error ("store: %s", error->message);
  smtp->host = g_strdup (servers->host);
  smtp->port = starttls ? servers->submission_port : servers->smtps_port;
  smtp->security = starttls ? CACHET_SECURITY_STARTTLS : CACHET_SECURITY_TLS;
  smtp->user = g_strdup (alice->login);
  cachet_account_set_address (account, alice->login);
  cachet_account_set_smtp (account, smtp);
  pop3->host = g_strdup (servers->host);
  pop3->port = servers->pop3s_port;
  pop3->user = g_strdup (alice->login);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_ca_file (account, servers->ca_file);
  cachet_secrets_remember_for_session (&key, alice->password);
  if (!cachet_account_list_add (accounts, account, &error))
    g_error ("account: %s", error->message);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(GBytes) m = cachet_test_message_new (run * 100000 + i + 1, size);
      if (cachet_store_outbox_queue_sync (store, "bench", m, to, NULL, &error) == 0)
        g_error ("queue: %s", error->message);
    }
  *queue_rate = count / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  sent = 0;
  start = g_get_monotonic_time ();
  sender = cachet_sender_new (store, accounts);
  g_signal_connect (sender, "sent", G_CALLBACK (sent_cb), NULL);
  wait_idle (sender);
  *send_rate = count / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  if (sent != count)
    g_error ("only %u of %u messages were sent", sent, count);
  g_clear_object (&sender);
  cachet_store_close (store);
}

static double
session_run (CachetTestServers *servers,
             guint              run)
{
  const CachetTestUser *alice = cachet_test_servers_get_user (servers, "alice");
  const CachetTestUser *sink = cachet_test_servers_get_user (servers, "sink");
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(CachetSmtpSession) session = cachet_smtp_session_new ();
  g_autoptr(GError) error = NULL;
  gboolean starttls = g_strcmp0 (security_name, "starttls") == 0;
  CachetServerSettings smtp = { 0 };
  const char *to[] = { sink->login, NULL };
  gint64 start;

  for (guint i = 0; i < count; i++)
    g_ptr_array_add (messages, cachet_test_message_new (run * 100000 + 50000 + i, size));
  smtp.host = servers->host;
  smtp.port = starttls ? servers->submission_port : servers->smtps_port;
  smtp.security = starttls ? CACHET_SECURITY_STARTTLS : CACHET_SECURITY_TLS;
  start = g_get_monotonic_time ();
  if (!cachet_smtp_session_connect (session, &smtp, servers->ca_file, 30, NULL, &error)
      || !cachet_smtp_session_login (session, alice->login, alice->password, CACHET_AUTH_AUTO,
                                     NULL, &error))
    g_error ("session: %s", error->message);
  for (guint i = 0; i < count; i++)
    if (!cachet_smtp_session_send (session, alice->login, to, g_ptr_array_index (messages, i),
                                   NULL, NULL, &error))
      g_error ("session: %s", error->message);
  cachet_smtp_session_quit (session, NULL);
  return count / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry options[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, "Messages per run (500)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Bytes per message (8192)", "BYTES" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs; the best counts (3)", "R" },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security_name, "tls (465) or starttls (587)",
      "MODE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— time the outbox");
  g_autoptr(GError) error = NULL;
  g_autofree char *skip = NULL;
  CachetTestServers *servers;
  double best_queue = 0, best_send = 0, best_session = 0;

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_SMTP, &skip, &error);
  if (servers == NULL)
    {
      fprintf (stderr, "bench-outbox: %s\n", skip ? skip : error->message);
      return 1;
    }
  for (guint r = 0; r < runs; r++)
    {
      double q = 0, s = 0;

      double b;

      one_run (servers, r, &q, &s);
      b = session_run (servers, r);
      fprintf (stderr, "run %u: queue %.0f msg/s, send %.0f msg/s, bare session %.0f msg/s\n",
               r + 1, q, s, b);
      best_queue = MAX (best_queue, q);
      best_send = MAX (best_send, s);
      best_session = MAX (best_session, b);
    }
  printf ("queue %.0f msg/s\nsend %.0f msg/s\nsession %.0f msg/s\n", best_queue, best_send,
          best_session);
  cachet_test_servers_free (servers);
  return 0;
}
