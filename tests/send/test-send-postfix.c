/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "cachet-bounce.h"
#include "cachet-draft.h"
#include "cachet-fetcher.h"
#include "cachet-part.h"
#include "cachet-message.h"
#include "cachet-secrets.h"
#include "cachet-sender.h"
#include "send-test-util.h"
#include "store-test-util.h"

/* The outbox against the real Postfix and Dovecot of tests/servers: queue, send over
 * submission (STARTTLS) and SMTPS with AUTH, fetch it back over POP3 and compare byte for
 * byte; and the failures: a wrong password (535, stays for the user), a server that is down
 * and then up (retried, sent once), relaying refused, too large (refused before anything is
 * sent), a recipient refused (named), and a bounce Postfix makes for a user the mailbox
 * server does not know, which arrives by the next fetch. */

static CachetTestServers *servers;

typedef struct
{
  char              *data_dir;
  CachetStore       *store;
  CachetAccountList *accounts;
  CachetSender      *sender;
  GArray            *sent;        /* gint64: "sent" signals */
  GPtrArray         *notices;     /* char * */
} Fixture;

static void
on_sent (CachetSender *sender,
         gint64        id,
         gint64        sent_id,
         Fixture      *f)
{
  g_assert_cmpint (id, ==, sent_id);
  g_array_append_val (f->sent, id);
}

static void
on_notice (CachetSender *sender,
           gint64        id,
           const char   *text,
           Fixture      *f)
{
  g_ptr_array_add (f->notices, g_strdup (text));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->data_dir = store_test_new_data_dir ();
  f->store = store_test_open (f->data_dir);
  f->accounts = cachet_account_list_new (NULL);
  f->sent = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->notices = g_ptr_array_new_with_free_func (g_free);
}

static void
start_sender (Fixture *f)
{
  f->sender = cachet_sender_new (f->store, f->accounts);
  cachet_sender_set_timeouts (f->sender, 5000, 20);
  g_signal_connect (f->sender, "sent", G_CALLBACK (on_sent), f);
  g_signal_connect (f->sender, "notice", G_CALLBACK (on_notice), f);
  send_test_wait_idle (f->sender);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->sender != NULL)
    {
      send_test_wait_idle (f->sender);
      g_signal_handlers_disconnect_by_data (f->sender, f);
      g_clear_object (&f->sender);
    }
  g_clear_object (&f->accounts);
  store_test_close (f->store);
  g_array_unref (f->sent);
  g_ptr_array_unref (f->notices);
  g_free (f->data_dir);
}

static const CachetTestUser *
user (const char *name)
{
  const CachetTestUser *u = cachet_test_servers_get_user (servers, name);
  g_assert_nonnull (u);
  return u;
}

static GBytes *
store_file (CachetStore *store,
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

static gint64
folder_of (CachetStore *store,
           gint64       id)
{
  CachetMessageSummary s;

  g_assert_true (cachet_store_get_summaries (store, &id, 1, &s, NULL));
  cachet_message_summary_clear (&s);
  return s.folder_id;
}

static gboolean
skip_without_servers (void)
{
  if (servers != NULL)
    return FALSE;
  g_test_skip ("the test mail servers are not running");
  return TRUE;
}

typedef struct
{
  gboolean           done;
  CachetFetchResult *result;
  GError            *error;
} FetchWait;

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  FetchWait *w = data;

  w->result = cachet_fetcher_fetch_finish (CACHET_FETCHER (source), result, &w->error);
  w->done = TRUE;
}

/* Fetches the account's mailbox into the store's Inbox. */
static guint
fetch (CachetStore   *store,
       CachetAccount *account)
{
  g_autoptr(CachetFetcher) fetcher = cachet_fetcher_new (store);
  FetchWait w = { FALSE, NULL, NULL };
  guint n_new;

  cachet_fetcher_set_timeouts (fetcher, 5000, 20);
  cachet_fetcher_fetch_async (fetcher, account, NULL, NULL, NULL, NULL, fetched_cb, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  n_new = w.result->n_new;
  cachet_fetch_result_free (w.result);
  return n_new;
}

/* The Inbox message with Message-ID <@tag@...>. */
static GBytes *
inbox_message (CachetStore *store,
               const char  *tag)
{
  g_autoptr(CachetMessageList) list =
    store_test_list (store, store_test_folder_id (store, "Inbox"));
  g_autofree char *needle = g_strdup_printf ("Message-ID: <%s@cachet-test.example.test>",
                                             tag);

  for (guint i = 0; i < list->ids->len; i++)
    {
      GBytes *b = store_file (store, g_array_index (list->ids, gint64, i));
      g_autofree char *text = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));

      if (strstr (text, needle) != NULL)
        return b;
      g_bytes_unref (b);
    }
  return NULL;
}

/* Sends one message alice -> bob through @port, then fetches it back as bob. */
static void
round_trip (Fixture        *f,
            guint16         port,
            CachetSecurity  security,
            const char     *tag)
{
  g_autoptr(CachetAccount) alice = send_test_account (servers, f->accounts, "alice-rt", "alice",
                                                      port, security, CACHET_AUTH_AUTO, NULL);
  g_autoptr(CachetAccount) bob = send_test_account (servers, NULL, "bob-rt", "bob", port,
                                                    security, CACHET_AUTH_AUTO, NULL);
  g_autoptr(GBytes) message = send_test_message (user ("alice")->login, user ("bob")->login,
                                                 tag, TRUE);
  const char *to[] = { user ("bob")->login, NULL };
  g_autoptr(GBytes) in_sent = NULL;
  g_autoptr(GBytes) fetched = NULL;
  g_autofree char *why = NULL;
  gint64 id;

  start_sender (f);
  id = send_test_queue (f->sender, "alice-rt", message, to);
  send_test_wait_idle (f->sender);

  /* Out of the Outbox, into Sent, the same bytes; "sent" said so once. */
  g_assert_null (send_test_record (f->store, id));
  g_assert_cmpint (folder_of (f->store, id), ==, store_test_folder_id (f->store, "Sent"));
  in_sent = store_file (f->store, id);
  g_assert_true (g_bytes_equal (in_sent, message));
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_cmpint (g_array_index (f->sent, gint64, 0), ==, id);

  /* Delivered once; fetched back over POP3, byte for byte below the trace headers. */
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, tag), ==, 1);
  g_assert_cmpuint (fetch (f->store, bob), >=, 1);
  fetched = inbox_message (f->store, tag);
  g_assert_nonnull (fetched);
  if (!send_test_same_below_trace (message, fetched, &why))
    g_error ("%s", why);
}

static void
test_round_trip_submission (Fixture       *f,
                            gconstpointer  data)
{
  if (skip_without_servers ())
    return;
  round_trip (f, servers->submission_port, CACHET_SECURITY_STARTTLS, "round-trip-587");
}

static void
test_round_trip_smtps (Fixture       *f,
                       gconstpointer  data)
{
  if (skip_without_servers ())
    return;
  round_trip (f, servers->smtps_port, CACHET_SECURITY_TLS, "round-trip-465");
}

/* The Inbox message whose Message-ID is @message_id. */
static GBytes *
inbox_message_by_id (CachetStore *store,
                     const char  *message_id)
{
  g_autoptr(CachetMessageList) list =
    store_test_list (store, store_test_folder_id (store, "Inbox"));

  for (guint i = 0; i < list->ids->len; i++)
    {
      GBytes *b = store_file (store, g_array_index (list->ids, gint64, i));
      g_autoptr(CachetMessage) m = cachet_message_new_from_bytes (b);

      if (g_strcmp0 (cachet_message_get_message_id (m), message_id) == 0)
        return b;
      g_bytes_unref (b);
    }
  return NULL;
}

/* Composed through the core API (CachetDraft) with two attachments, sent through the
 * outbox over submission, fetched back over POP3: the same bytes below the servers' trace
 * headers, every header the draft wrote present and equal, and each part, read back by the
 * message model, identical (attachments byte for byte). */
static void
test_round_trip_draft (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(CachetAccount) bob = NULL;
  g_autoptr(CachetDraft) draft = cachet_draft_new ();
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GBytes) notes = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(CachetMessage) sent_msg = NULL;
  g_autoptr(CachetMessage) got_msg = NULL;
  g_auto(GStrv) envelope = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;
  g_autofree char *to = NULL;
  GPtrArray *a_sent, *a_got;
  guint8 *bin = g_malloc (40000);

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-draft", "alice",
                             servers->submission_port, CACHET_SECURITY_STARTTLS,
                             CACHET_AUTH_AUTO, NULL);
  bob = send_test_account (servers, NULL, "bob-draft", "bob", servers->submission_port,
                           CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
  for (guint i = 0; i < 40000; i++)
    bin[i] = (guint8) (g_random_int () & 0xff);
  pdf = g_bytes_new_take (bin, 40000);
  {
    static const char text[] = "Liste:\n- K\xc3\xa4se\n- Brot\n.\nFrom here on\n";
    notes = g_bytes_new_static (text, sizeof text - 1);
  }

  cachet_draft_set_account_id (draft, "alice-draft");
  cachet_draft_set_from (draft, "Al\xc3\xaf" "ce Tester", user ("alice")->login);
  to = g_strdup_printf ("Bob <%s>", user ("bob")->login);
  cachet_draft_set_to (draft, to);
  cachet_draft_set_subject (draft, "Bericht f\xc3\xbcr M\xc3\xa4rz, mit zwei Anh\xc3\xa4ngen "
                                   "und einem langen Betreff, der gefaltet werden muss");
  cachet_draft_set_body (draft, "Hallo Bob,\n\nanbei der Bericht. Gr\xc3\xbc\xc3\x9f"
                                "e aus K\xc3\xb6ln!\n.\nFrom the desk of Alice\n\n-- \nAlice\n");
  cachet_draft_add_data (draft, "Bericht M\xc3\xa4rz 2026.pdf", "application/pdf", pdf);
  cachet_draft_add_data (draft, "notes.txt", "text/plain", notes);
  message = cachet_draft_build (draft, CACHET_DRAFT_BUILD_SEND, &error);
  g_assert_no_error (error);
  envelope = cachet_draft_get_envelope_recipients (draft, &error);
  g_assert_no_error (error);
  sent_msg = cachet_message_new_from_bytes (message);

  start_sender (f);
  send_test_queue (f->sender, "alice-draft", message, (const char * const *) envelope);
  send_test_wait_idle (f->sender);
  g_assert_cmpuint (f->sent->len, ==, 1);
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (fetch (f->store, bob), >=, 1);
  fetched = inbox_message_by_id (f->store, cachet_message_get_message_id (sent_msg));
  g_assert_nonnull (fetched);
  if (!send_test_same_below_trace (message, fetched, &why))
    g_error ("%s", why);

  got_msg = cachet_message_new_from_bytes (fetched);
  for (guint i = 0; i < cachet_message_get_n_headers (sent_msg); i++)
    {
      const char *name = cachet_message_get_header_name (sent_msg, i);
      g_assert_cmpstr (cachet_message_get_header (got_msg, name), ==,
                       cachet_message_get_header_value (sent_msg, i));
    }
  g_assert_cmpstr (cachet_message_get_subject (got_msg), ==,
                   cachet_draft_get_subject (draft));
  g_assert_cmpstr (cachet_message_get_body_text (got_msg), ==,
                   cachet_message_get_body_text (sent_msg));
  a_sent = cachet_message_get_attachments (sent_msg);
  a_got = cachet_message_get_attachments (got_msg);
  g_assert_cmpuint (a_got->len, ==, 2);
  g_assert_cmpuint (a_sent->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      CachetPart *ps = g_ptr_array_index (a_sent, i);
      CachetPart *pg = g_ptr_array_index (a_got, i);
      g_autoptr(GBytes) ds = cachet_part_get_decoded (ps);
      g_autoptr(GBytes) dg = cachet_part_get_decoded (pg);

      g_assert_cmpstr (cachet_part_get_filename (pg), ==, cachet_part_get_filename (ps));
      g_assert_true (g_bytes_equal (dg, ds));
    }
  {
    g_autoptr(GBytes) d0 = cachet_part_get_decoded (g_ptr_array_index (a_got, 0));
    g_autoptr(GBytes) d1 = cachet_part_get_decoded (g_ptr_array_index (a_got, 1));

    g_assert_cmpstr (cachet_part_get_filename (g_ptr_array_index (a_got, 0)), ==,
                     "Bericht M\xc3\xa4rz 2026.pdf");
    g_assert_true (g_bytes_equal (d0, pdf));
    g_assert_true (g_bytes_equal (d1, notes));
  }
}

/* Postfix's log lines of submission sessions that started ("connect from"). */
static guint
count_sessions (void)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (servers->postfix_log, &log, NULL, NULL))
    return 0;
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "postfix/submission-main/smtpd[") != NULL
        && strstr (lines[i], ": connect from ") != NULL)
      n++;
  return n;
}

/* Twenty waiting messages go out in one session. */
static void
test_one_session (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  const char *to[] = { NULL, NULL };
  guint before;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-many", "alice",
                             servers->submission_port, CACHET_SECURITY_STARTTLS,
                             CACHET_AUTH_AUTO, NULL);
  to[0] = user ("carol")->login;
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *tag = g_strdup_printf ("many-%u", i);
      g_autoptr(GBytes) m = send_test_message (user ("alice")->login, to[0], tag, FALSE);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (cachet_store_outbox_queue_sync (f->store, "alice-many", m, to, NULL,
                                                       &error), >, 0);
      g_assert_no_error (error);
    }
  send_test_wait_queue_empty (servers);
  before = count_sessions ();
  start_sender (f);
  g_assert_cmpuint (f->sent->len, ==, 20);
  send_test_wait_queue_empty (servers);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *tag = g_strdup_printf ("many-%u", i);
      g_assert_cmpuint (send_test_count_tag (user ("carol")->maildir, tag), ==, 1);
    }
  /* Postfix logs asynchronously: the line is there by the time the mail was delivered. */
  g_assert_cmpuint (count_sessions () - before, ==, 1);
}

static void
assert_failed (Fixture    *f,
               gint64      id,
               const char *expect1,
               const char *expect2)
{
  g_autoptr(CachetOutboxRecord) r = send_test_record (f->store, id);

  g_assert_nonnull (r);
  g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
  g_assert_false (r->in_doubt);
  g_assert_cmpuint (r->attempts, ==, 1);
  g_assert_nonnull (r->reason);
  if (strstr (r->reason, expect1) == NULL || (expect2 && strstr (r->reason, expect2) == NULL))
    g_error ("the reason does not say “%s”/“%s”: %s", expect1, expect2 ? expect2 : "",
             r->reason);
  g_assert_cmpint (folder_of (f->store, id), ==, store_test_folder_id (f->store, "Outbox"));
}

/* A wrong password: the message stays, with the server's 535; the right one, a retry, and
 * it goes. */
static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GBytes) m = NULL;
  const char *to[] = { NULL, NULL };
  gint64 id;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-badpw", "alice",
                             servers->submission_port, CACHET_SECURITY_STARTTLS,
                             CACHET_AUTH_AUTO, "not-her-password");
  to[0] = user ("bob")->login;
  m = send_test_message (user ("alice")->login, to[0], "wrong-password", FALSE);
  start_sender (f);
  id = send_test_queue (f->sender, "alice-badpw", m, to);
  send_test_wait_idle (f->sender);
  assert_failed (f, id, "535", NULL);
  /* Waiting for the user: nothing to try later. */
  cachet_sender_send_now (f->sender);
  send_test_wait_idle (f->sender);
  {
    g_autoptr(CachetOutboxRecord) r = send_test_record (f->store, id);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_FAILED);
    g_assert_cmpuint (r->attempts, ==, 2);
  }
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "wrong-password"), ==, 0);

  g_clear_object (&alice);
  {
    /* The user types the right one. */
    const CachetServerSettings *smtp =
      cachet_account_get_smtp (cachet_account_list_find (f->accounts, "alice-badpw"));
    CachetSecretKey key = { "alice-badpw", "smtp", smtp->host, smtp->user };
    cachet_secrets_remember_for_session (&key, user ("alice")->password);
  }
  cachet_sender_retry (f->sender, id);
  send_test_wait_idle (f->sender);
  g_assert_null (send_test_record (f->store, id));
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "wrong-password"), ==, 1);
}

/* A port where nothing listens, found free a moment ago. */
static guint16
dead_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

/* The server is down: the message waits (with a next try) and is sent, once, when it is up
 * again. */
static void
test_server_down_then_up (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GBytes) m = NULL;
  const char *to[] = { NULL, NULL };
  gint64 id, before;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-down", "alice", dead_port (),
                             CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
  to[0] = user ("bob")->login;
  m = send_test_message (user ("alice")->login, to[0], "down-then-up", FALSE);
  start_sender (f);
  before = g_get_real_time () / G_USEC_PER_SEC;
  id = send_test_queue (f->sender, "alice-down", m, to);
  send_test_wait_idle (f->sender);
  {
    g_autoptr(CachetOutboxRecord) r = send_test_record (f->store, id);
    g_assert_cmpint (r->state, ==, CACHET_OUTBOX_WAITING);
    g_assert_cmpuint (r->attempts, ==, 1);
    g_assert_nonnull (r->reason);
    /* The first backoff: a minute. */
    g_assert_cmpint (r->next_try, >=, before + 60);
    g_assert_cmpint (r->next_try, <=, g_get_real_time () / G_USEC_PER_SEC + 60);
  }
  /* Still down: tried again, the backoff grows. */
  cachet_sender_send_now (f->sender);
  send_test_wait_idle (f->sender);
  {
    g_autoptr(CachetOutboxRecord) r = send_test_record (f->store, id);
    g_assert_cmpuint (r->attempts, ==, 2);
    g_assert_cmpint (r->next_try, >=, before + 120);
  }

  send_test_set_port (cachet_account_list_find (f->accounts, "alice-down"),
                      servers->submission_port);
  cachet_sender_send_now (f->sender);
  send_test_wait_idle (f->sender);
  g_assert_null (send_test_record (f->store, id));
  g_assert_cmpuint (f->sent->len, ==, 1);
  /* Nothing left to try: another run sends nothing more. */
  cachet_sender_send_now (f->sender);
  send_test_wait_idle (f->sender);
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "down-then-up"), ==, 1);
}

/* The port-25 listener without a login: mail for another domain is not relayed. */
static void
test_relay_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GBytes) m = NULL;
  const char *to[] = { "someone@example.org", NULL };
  guint sink_before = cachet_test_maildir_count (user ("sink")->maildir);
  gint64 id;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-relay", "alice", servers->smtp_port,
                             CACHET_SECURITY_STARTTLS, CACHET_AUTH_NONE, NULL);
  m = send_test_message (user ("alice")->login, to[0], "relay", FALSE);
  start_sender (f);
  id = send_test_queue (f->sender, "alice-relay", m, to);
  send_test_wait_idle (f->sender);
  assert_failed (f, id, "someone@example.org", "5.7.1");
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (cachet_test_maildir_count (user ("sink")->maildir), ==, sink_before);
}

/* Larger than the server's SIZE: refused before MAIL FROM, nothing sent. */
static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GString) big = NULL;
  g_autoptr(GBytes) m = NULL;
  const char *to[] = { NULL, NULL };
  gint64 id;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-big", "alice",
                             servers->submission_port, CACHET_SECURITY_STARTTLS,
                             CACHET_AUTH_AUTO, NULL);
  to[0] = user ("bob")->login;
  /* Postfix takes 50 MiB (52428800 bytes): a large attachment makes this one bigger. */
  big = g_string_sized_new (53 * 1024 * 1024);
  g_string_append_printf (big, "From: %s\nTo: %s\nSubject: too large\n"
                          "Message-ID: <too-large@cachet-test.example.test>\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
                          "Content-Type: text/plain\n\nThe video.\n--b\n"
                          "Content-Type: video/mp4; name=\"big.mp4\"\n"
                          "Content-Transfer-Encoding: base64\n\n",
                          user ("alice")->login, to[0]);
  while (big->len < 52428800 + 100000)
    g_string_append (big, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2"
                          "d3h5ejAxMjM0\n");
  g_string_append (big, "--b--\n");
  m = g_string_free_to_bytes (g_steal_pointer (&big));
  start_sender (f);
  id = send_test_queue (f->sender, "alice-big", m, to);
  send_test_wait_idle (f->sender);
  assert_failed (f, id, "too large", "52428800");
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "too-large"), ==, 0);
}

/* A recipient Postfix does not know: named in the reason.  With a good recipient beside it,
 * the message goes to that one and a notice names the other. */
static void
test_recipient_rejected (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GBytes) m1 = NULL;
  g_autoptr(GBytes) m2 = NULL;
  const char *only_bad[] = { "nosuchuser@example.test", NULL };
  const char *mixed[] = { NULL, "nosuchuser@example.test", NULL };
  gint64 id1, id2;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-rcpt", "alice",
                             servers->submission_port, CACHET_SECURITY_STARTTLS,
                             CACHET_AUTH_AUTO, NULL);
  mixed[0] = user ("bob")->login;
  m1 = send_test_message (user ("alice")->login, only_bad[0], "rcpt-bad", FALSE);
  m2 = send_test_message (user ("alice")->login, mixed[0], "rcpt-mixed", FALSE);
  start_sender (f);
  id1 = send_test_queue (f->sender, "alice-rcpt", m1, only_bad);
  send_test_wait_idle (f->sender);
  assert_failed (f, id1, "nosuchuser@example.test", "550");

  id2 = send_test_queue (f->sender, "alice-rcpt", m2, mixed);
  send_test_wait_idle (f->sender);
  g_assert_null (send_test_record (f->store, id2));
  g_assert_cmpuint (f->notices->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->notices, 0), "nosuchuser@example.test"));
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "rcpt-mixed"), ==, 1);
}

/* Dovecot looks at its passwd-file again at most once a second (it compares the file's time
 * with the time it read it, then not again within the same second of its clock): a change is
 * seen by the first lookup in a later second than the last lookup before it. */
static void
next_second (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  while (g_get_real_time () / G_USEC_PER_SEC <= now)
    g_usleep (G_USEC_PER_SEC / 20);
}

/* Removes (or puts back) @name in Dovecot's user list: Postfix still takes mail for the
 * address, and Dovecot's LMTP then refuses it, so Postfix bounces it to the sender. */
static void
dovecot_forget_user (const char *name,
                     gboolean    forget)
{
  g_autofree char *path = g_build_filename (servers->dir, "dovecot", "passwd", NULL);
  g_autofree char *kept = g_strconcat (path, ".kept", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s@", name);
  struct group *dovecot = getgrnam ("dovecot");

  if (!forget)
    {
      g_assert_cmpint (g_rename (kept, path), ==, 0);
      next_second ();
      return;
    }
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (kept, text, -1, NULL));
  g_assert_nonnull (dovecot);
  g_assert_cmpint (chown (kept, 0, dovecot->gr_gid), ==, 0);
  g_assert_cmpint (g_chmod (kept, 0640), ==, 0);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], prefix))
      g_string_append_printf (out, "%s\n", lines[i]);
  {
    g_autofree char *tmp = g_strconcat (path, ".new", NULL);
    g_assert_true (g_file_set_contents (tmp, out->str, out->len, NULL));
    g_assert_cmpint (chown (tmp, 0, dovecot->gr_gid), ==, 0);
    g_assert_cmpint (g_chmod (tmp, 0640), ==, 0);
    g_assert_cmpint (g_rename (tmp, path), ==, 0);
  }
  next_second ();
}

static void
test_bounce (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GBytes) m = NULL;
  g_autoptr(CachetMessageList) inbox = NULL;
  const char *to[] = { NULL, NULL };
  guint alice_before = cachet_test_maildir_count (user ("alice")->maildir);
  guint n_reports = 0;
  gint64 id;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-bounce", "alice",
                             servers->submission_port, CACHET_SECURITY_STARTTLS,
                             CACHET_AUTH_AUTO, NULL);
  to[0] = user ("carol")->login;
  m = send_test_message (user ("alice")->login, to[0], "bounce", FALSE);
  /* Everything earlier is delivered before carol disappears. */
  send_test_wait_queue_empty (servers);
  dovecot_forget_user ("carol", TRUE);
  start_sender (f);
  id = send_test_queue (f->sender, "alice-bounce", m, to);
  send_test_wait_idle (f->sender);
  /* Postfix took it: sent, as far as the outbox can know. */
  g_assert_null (send_test_record (f->store, id));
  g_assert_true (cachet_test_maildir_wait_for (user ("alice")->maildir, alice_before + 1,
                                               SEND_TEST_DELIVERY_MS));
  send_test_wait_queue_empty (servers);
  dovecot_forget_user ("carol", FALSE);

  /* The next fetch brings the bounce into the Inbox: a multipart/report. */
  g_assert_cmpuint (fetch (f->store, alice), >=, 1);
  inbox = store_test_list (f->store, store_test_folder_id (f->store, "Inbox"));
  for (guint i = 0; i < inbox->ids->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetMessage) msg =
        cachet_store_load_message (f->store, g_array_index (inbox->ids, gint64, i), &error);
      const char *type;

      g_assert_no_error (error);
      type = cachet_message_get_header (msg, "Content-Type");
      if (type != NULL && strstr (type, "multipart/report") != NULL
          && strstr (type, "delivery-status") != NULL)
        {
          g_autoptr(GBytes) raw = store_file (f->store, g_array_index (inbox->ids, gint64, i));
          g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL),
                                             g_bytes_get_size (raw));
          /* It is about our message, to carol. */
          g_assert_nonnull (strstr (text, user ("carol")->login));
          g_assert_nonnull (strstr (text, "bounce@cachet-test.example.test"));
          n_reports++;
          /* Recognised as a bounce, naming carol, as the viewer's banner will show it. */
          {
            g_autoptr(CachetBounce) bounce = cachet_bounce_detect (msg);
            g_autofree char *line = NULL;
            CachetBounceRecipient *r;

            g_assert_nonnull (bounce);
            g_assert_true (bounce->standard);
            g_assert_false (bounce->delayed_only);
            g_assert_cmpuint (bounce->recipients->len, ==, 1);
            r = g_ptr_array_index (bounce->recipients, 0);
            g_assert_cmpstr (r->recipient, ==, user ("carol")->login);
            g_assert_cmpstr (bounce->original_message_id, ==,
                             "bounce@cachet-test.example.test");
            line = cachet_bounce_describe (bounce);
            g_test_message ("banner: %s", line);
            g_assert_nonnull (strstr (line, user ("carol")->login));
          }
        }
    }
  g_assert_cmpuint (n_reports, ==, 1);
}

/* A waiting message taken out of the queue is not sent; moved to Drafts, as "Edit" does. */
static void
test_withdraw (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CachetAccount) alice = NULL;
  g_autoptr(GBytes) m = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { NULL, NULL };
  gint64 drafts;
  gint64 id;

  if (skip_without_servers ())
    return;
  alice = send_test_account (servers, f->accounts, "alice-withdraw", "alice", dead_port (),
                             CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO, NULL);
  to[0] = user ("bob")->login;
  m = send_test_message (user ("alice")->login, to[0], "withdrawn", FALSE);
  start_sender (f);
  id = send_test_queue (f->sender, "alice-withdraw", m, to);
  send_test_wait_idle (f->sender);
  g_assert_true (cachet_sender_withdraw_sync (f->sender, id, &error));
  g_assert_no_error (error);
  drafts = store_test_folder_id (f->store, "Drafts");
  g_assert_true (cachet_store_move_sync (f->store, &id, 1, drafts, NULL, &error));
  g_assert_no_error (error);
  send_test_set_port (cachet_account_list_find (f->accounts, "alice-withdraw"),
                      servers->submission_port);
  cachet_sender_send_now (f->sender);
  send_test_wait_idle (f->sender);
  g_assert_cmpint (folder_of (f->store, id), ==, drafts);
  g_assert_cmpuint (f->sent->len, ==, 0);
  {
    g_autoptr(GPtrArray) left = cachet_sender_list (f->sender);
    g_assert_cmpuint (left->len, ==, 0);
  }
  send_test_wait_queue_empty (servers);
  g_assert_cmpuint (send_test_count_tag (user ("bob")->maildir, "withdrawn"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_SMTP, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/send/postfix/round-trip-submission", test_round_trip_submission);
  ADD ("/send/postfix/round-trip-smtps", test_round_trip_smtps);
  ADD ("/send/postfix/one-session", test_one_session);
  ADD ("/send/postfix/wrong-password", test_wrong_password);
  ADD ("/send/postfix/server-down-then-up", test_server_down_then_up);
  ADD ("/send/postfix/relay-refused", test_relay_refused);
  ADD ("/send/postfix/too-large", test_too_large);
  ADD ("/send/postfix/recipient-rejected", test_recipient_rejected);
  ADD ("/send/postfix/bounce", test_bounce);
  ADD ("/send/postfix/round-trip-draft", test_round_trip_draft);
  ADD ("/send/postfix/withdraw", test_withdraw);
#undef ADD
  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
