/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "send-test-util.h"

#include <string.h>

#include "cachet-secrets.h"

CachetAccount *
send_test_account (CachetTestServers *servers,
                   CachetAccountList *list,
                   const char        *id,
                   const char        *user,
                   guint16            port,
                   CachetSecurity     security,
                   CachetAuthMethod   auth,
                   const char        *password)
{
  const CachetTestUser *u = cachet_test_servers_get_user (servers, user);
  CachetAccount *account = cachet_account_new_with_id (id, id);
  g_autoptr(CachetServerSettings) smtp = cachet_server_settings_new (TRUE);
  g_autoptr(CachetServerSettings) pop3 = cachet_server_settings_new (FALSE);
  CachetSecretKey smtp_key = { id, "smtp", servers->host, u->login };
  CachetSecretKey pop3_key = { id, "pop3", servers->host, u->login };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (u);
  cachet_account_set_address (account, u->login);
  cachet_account_set_display_name (account, user);
  smtp->host = g_strdup (servers->host);
  smtp->port = port;
  smtp->security = security;
  smtp->auth = auth;
  smtp->user = g_strdup (u->login);
  cachet_account_set_smtp (account, smtp);
  pop3->host = g_strdup (servers->host);
  pop3->port = servers->pop3s_port;
  pop3->security = CACHET_SECURITY_TLS;
  pop3->user = g_strdup (u->login);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_ca_file (account, servers->ca_file);
  cachet_secrets_remember_for_session (&smtp_key, password ? password : u->password);
  cachet_secrets_remember_for_session (&pop3_key, u->password);
  if (list != NULL)
    {
      g_assert_true (cachet_account_list_add (list, account, &error));
      g_assert_no_error (error);
    }
  return account;
}

void
send_test_set_port (CachetAccount *account,
                    guint16        port)
{
  g_autoptr(CachetServerSettings) smtp =
    cachet_server_settings_copy (cachet_account_get_smtp (account));

  smtp->port = port;
  cachet_account_set_smtp (account, smtp);
}

static void
base64_part (GString    *s,
             const char *name,
             const char *type,
             gsize       size)
{
  g_autofree guchar *data = g_malloc (size);
  g_autofree char *b64 = NULL;
  gsize len;

  for (gsize i = 0; i < size; i++)
    data[i] = (guchar) ((i * 7 + size) & 0xff);
  b64 = g_base64_encode (data, size);
  len = strlen (b64);
  g_string_append_printf (s, "--cachet-boundary\nContent-Type: %s; name=\"%s\"\n"
                          "Content-Disposition: attachment; filename=\"%s\"\n"
                          "Content-Transfer-Encoding: base64\n\n", type, name, name);
  for (gsize i = 0; i < len; i += 76)
    {
      g_string_append_len (s, b64 + i, MIN (76, len - i));
      g_string_append_c (s, '\n');
    }
}

GBytes *
send_test_message (const char *from,
                   const char *to,
                   const char *tag,
                   gboolean    attachments)
{
  GString *s = g_string_new (NULL);
  g_autofree char *long_line = g_strnfill (900, 'L');

  g_string_append_printf (s, "From: Sender <%s>\n", from);
  g_string_append_printf (s, "To: %s\n", to);
  g_string_append_printf (s, "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= %s\n", tag);
  g_string_append_printf (s, "Message-ID: <%s@cachet-test.example.test>\n", tag);
  g_string_append (s, "Date: Mon, 01 Jun 2026 10:00:00 +0200\n");
  g_string_append (s, "X-Folded: first part\n\tsecond part\n");
  g_string_append (s, "MIME-Version: 1.0\n");
  if (attachments)
    g_string_append (s, "Content-Type: multipart/mixed; boundary=\"cachet-boundary\"\n\n"
                        "--cachet-boundary\n");
  g_string_append (s, "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
                      "Content-Transfer-Encoding: 8bit\n\n");
  g_string_append (s, "Hello,\n.a line starting with a dot\n.\n..\n");
  g_string_append_printf (s, "%s\n", long_line);
  g_string_append (s, "Gr\xc3\xbc\xc3\x9f\x65 aus K\xc3\xb6ln, \xe2\x82\xac 5\n");
  if (attachments)
    {
      base64_part (s, "report.pdf", "application/pdf", 30000);
      base64_part (s, "photo.jpg", "image/jpeg", 12345);
      g_string_append (s, "--cachet-boundary--\n");
    }
  return g_string_free_to_bytes (s);
}

void
send_test_wait_idle (CachetSender *sender)
{
  GMainContext *context = g_main_context_get_thread_default ();

  /* The run starts from an idle source: let it begin first. */
  while (g_main_context_iteration (context, FALSE))
    ;
  while (cachet_sender_is_busy (sender))
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
}

typedef struct
{
  gboolean done;
  gint64   id;
  GError  *error;
} QueueWait;

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  QueueWait *w = data;

  w->id = cachet_sender_queue_finish (CACHET_SENDER (source), result, &w->error);
  w->done = TRUE;
}

gint64
send_test_queue (CachetSender       *sender,
                 const char         *account_id,
                 GBytes             *message,
                 const char * const *recipients)
{
  QueueWait w = { FALSE, 0, NULL };

  cachet_sender_queue_async (sender, account_id, message, recipients, NULL, queued_cb, &w);
  while (!w.done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_assert_no_error (w.error);
  g_assert_cmpint (w.id, >, 0);
  return w.id;
}

CachetOutboxRecord *
send_test_record (CachetStore *store,
                  gint64       id)
{
  g_autoptr(GError) error = NULL;
  CachetOutboxRecord *record = cachet_store_outbox_get (store, id, &error);

  if (record == NULL)
    g_assert_error (error, CACHET_STORE_ERROR, CACHET_STORE_ERROR_NOT_FOUND);
  return record;
}

void
send_test_wait_queue_empty (CachetTestServers *servers)
{
  g_autofree char *config = g_build_filename (servers->dir, "postfix", "etc", NULL);
  const char *argv[] = { "postqueue", "-c", config, "-p", NULL };
  gint64 deadline = g_get_monotonic_time () + SEND_TEST_DELIVERY_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &out, NULL, &status, &error));
      g_assert_no_error (error);
      if (out != NULL && strstr (out, "Mail queue is empty") != NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("Postfix's queue did not empty:\n%s", out);
      g_usleep (50000);
    }
}

guint
send_test_count_tag (const char *maildir,
                     const char *tag)
{
  g_autoptr(GPtrArray) all = cachet_test_maildir_read (maildir, NULL);
  g_autofree char *needle = g_strdup_printf ("Message-ID: <%s@cachet-test.example.test>\n",
                                             tag);
  guint n = 0;

  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (all, i), &len);
      g_autofree char *copy = g_strndup (data, len);

      if (strstr (copy, needle) != NULL)
        n++;
    }
  return n;
}

static GBytes *
as_delivered (GBytes *message)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  GString *s = g_string_sized_new (len + 1);

  for (gsize i = 0; i < len; i++)
    if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
      g_string_append_c (s, data[i]);
  if (s->len > 0 && s->str[s->len - 1] != '\n')
    g_string_append_c (s, '\n');
  return g_string_free_to_bytes (s);
}

gboolean
send_test_same_below_trace (GBytes  *sent,
                            GBytes  *got,
                            char   **why)
{
  g_autoptr(GBytes) want = as_delivered (sent);
  g_autoptr(GBytes) have = as_delivered (got);
  gsize want_len, len;
  const char *want_data = g_bytes_get_data (want, &want_len);
  const char *data = g_bytes_get_data (have, &len);
  g_autofree char *prefix = NULL;
  g_auto(GStrv) lines = NULL;

  if (len < want_len || memcmp (data + len - want_len, want_data, want_len) != 0)
    {
      *why = g_strdup_printf ("the message is not there as sent (%" G_GSIZE_FORMAT " bytes, "
                              "%" G_GSIZE_FORMAT " sent):\n%.*s", len, want_len,
                              (int) MIN (len, 1500), data);
      return FALSE;
    }
  prefix = g_strndup (data, len - want_len);
  lines = g_strsplit (prefix, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      if (*l == '\0' && lines[i + 1] == NULL)
        break;
      if (g_str_has_prefix (l, "Return-Path: ") || g_str_has_prefix (l, "Delivered-To: ")
          || g_str_has_prefix (l, "Received: ") || *l == ' ' || *l == '\t')
        continue;
      *why = g_strdup_printf ("a header above the message is no trace header: %s", l);
      return FALSE;
    }
  return TRUE;
}
