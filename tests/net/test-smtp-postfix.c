/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-net-error.h"
#include "cachet-smtp-session.h"
#include "cachet-test-servers.h"

/* The SMTP session against a real Postfix (tests/servers): submission with STARTTLS and
 * SMTPS with implicit TLS, AUTH through Dovecot, the port-25 style listener for relaying,
 * and delivery through Dovecot LMTP into the users' Maildirs, where every message must
 * arrive byte for byte as sent, apart from the trace headers the servers put on top. */

static CachetTestServers *servers;

#define DELIVERY_TIMEOUT_MS 60000

static const CachetTestUser *
user (const char *name)
{
  const CachetTestUser *u = cachet_test_servers_get_user (servers, name);

  if (u == NULL)
    g_error ("no test user %s", name);
  return u;
}

static CachetSmtpSession *
try_connect (guint16         port,
             CachetSecurity  security,
             const char     *pin,
             GError        **error)
{
  CachetServerSettings s = { 0 };
  CachetSmtpSession *session = cachet_smtp_session_new ();

  s.host = servers->host;
  s.port = port;
  s.security = security;
  s.pinned_sha256 = (char *) pin;
  cachet_smtp_session_connect (session, &s, servers->ca_file, 30, NULL, error);
  return session;
}

static CachetSmtpSession *
connect_login (guint16           port,
               CachetSecurity    security,
               const char       *name,
               CachetAuthMethod  method)
{
  g_autoptr(GError) error = NULL;
  CachetSmtpSession *session = try_connect (port, security, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (cachet_smtp_session_get_tls_check (session)->trusted);
  cachet_smtp_session_login (session, user (name)->login, user (name)->password, method, NULL,
                             &error);
  g_assert_no_error (error);
  return session;
}

static void
quit (CachetSmtpSession *session)
{
  g_autoptr(GError) error = NULL;

  cachet_smtp_session_quit (session, &error);
  g_assert_no_error (error);
}

/* A message that tests the transport: a unique Message-ID (and Date, so that Postfix adds
 * neither), lines starting with dots, a line of only a dot, a long line, 8-bit text. */
static GBytes *
make_message (const char *from,
              const char *to,
              const char *tag,
              gboolean    crlf,
              gboolean    eight_bit)
{
  GString *s = g_string_new (NULL);
  g_autofree char *long_line = g_strnfill (990, 'L');
  const char *nl = crlf ? "\r\n" : "\n";

  g_string_append_printf (s, "From: %s%s", from, nl);
  g_string_append_printf (s, "To: %s%s", to, nl);
  g_string_append_printf (s, "Subject: Cachet SMTP test %s%s", tag, nl);
  g_string_append_printf (s, "Message-ID: <%s@cachet-test.example.test>%s", tag, nl);
  g_string_append_printf (s, "Date: Mon, 1 Jun 2026 10:00:00 +0200%s", nl);
  g_string_append_printf (s, "X-Folded: first part%s\tsecond part%s", nl, nl);
  if (eight_bit)
    g_string_append_printf (s, "MIME-Version: 1.0%sContent-Type: text/plain; charset=UTF-8%s"
                            "Content-Transfer-Encoding: 8bit%s", nl, nl, nl);
  g_string_append (s, nl);
  g_string_append_printf (s, "Hello,%s.a line starting with a dot%s.%s..%s", nl, nl, nl, nl);
  g_string_append_printf (s, "%s%s", long_line, nl);
  if (eight_bit)
    g_string_append_printf (s, "Gr\xc3\xbc\xc3\x9f\x65 aus K\xc3\xb6ln, \xe2\x82\xac 5%s", nl);
  g_string_append_printf (s, "%s  trailing spaces  %sthe end", nl, nl);   /* no final line end */
  return g_string_free_to_bytes (s);
}

/* @message as it must arrive: LF line ends, a line end after the last line. */
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

/* Is @prefix made only of the header fields the servers add on top? */
static gboolean
only_trace_headers (const char *prefix,
                    gsize       len,
                    char      **why)
{
  g_autofree char *copy = g_strndup (prefix, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      if (*l == '\0' && lines[i + 1] == NULL)
        break;
      if (g_str_has_prefix (l, "Return-Path: ") || g_str_has_prefix (l, "Delivered-To: ")
          || g_str_has_prefix (l, "Received: ") || *l == ' ' || *l == '\t')
        continue;
      *why = g_strdup_printf ("a header the servers added that is no trace header: %s", l);
      return FALSE;
    }
  return TRUE;
}

/* Waits until @name's mailbox has @count messages, then checks that each of @sent is
 * there, byte for byte, below the servers' trace headers. */
static void
check_delivered (const char *name,
                 guint       count,
                 GPtrArray  *sent)
{
  g_autoptr(GPtrArray) box = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cachet_test_maildir_wait_for (user (name)->maildir, count,
                                               DELIVERY_TIMEOUT_MS));
  box = cachet_test_servers_read_mailbox (servers, name, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (box->len, ==, count);
  for (guint i = 0; i < sent->len; i++)
    {
      g_autoptr(GBytes) want = as_delivered (g_ptr_array_index (sent, i));
      gsize want_len;
      const char *want_data = g_bytes_get_data (want, &want_len);
      gboolean found = FALSE;

      for (guint k = 0; k < box->len && !found; k++)
        {
          gsize len;
          const char *data = g_bytes_get_data (g_ptr_array_index (box, k), &len);
          g_autofree char *why = NULL;

          if (len < want_len || memcmp (data + len - want_len, want_data, want_len) != 0)
            continue;
          if (!only_trace_headers (data, len - want_len, &why))
            g_error ("%s", why);
          found = TRUE;
        }
      if (!found)
        g_error ("message %u did not arrive as sent in %s's mailbox:\n%.*s", i, name,
                 (int) MIN (want_len, 400), want_data);
    }
}

/* Sends @n messages to @to, all in one session, and checks they arrive. */
static void
send_and_check (CachetSmtpSession *session,
                const char        *from_name,
                const char        *to_name,
                const char        *tag,
                guint              n,
                gboolean           crlf,
                gboolean           eight_bit)
{
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *to[] = { user (to_name)->login, NULL };
  guint before = cachet_test_maildir_count (user (to_name)->maildir);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *t = g_strdup_printf ("%s-%u", tag, i);
      g_autoptr(GBytes) message = make_message (user (from_name)->login, to[0], t, crlf,
                                                eight_bit);
      g_autoptr(CachetSmtpSendResult) result = NULL;
      g_autoptr(GError) error = NULL;

      cachet_smtp_session_send (session, user (from_name)->login, to, message, &result, NULL,
                                &error);
      g_assert_no_error (error);
      g_assert_cmpuint (result->data_code, ==, 250);
      g_assert_true (g_str_has_prefix (result->data_reply, "2.0.0 Ok: queued as "));
      g_ptr_array_add (sent, g_bytes_ref (message));
    }
  check_delivered (to_name, before + n, sent);
}

/* Tests ------------------------------------------------------------------------------- */

static void
test_submission_plain (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;

  session = connect_login (servers->submission_port, CACHET_SECURITY_STARTTLS, "alice",
                           CACHET_AUTH_SASL_PLAIN);
  g_assert_true (cachet_smtp_session_has_extension (session, "AUTH PLAIN"));
  g_assert_true (cachet_smtp_session_has_extension (session, "PIPELINING"));
  g_assert_true (cachet_smtp_session_has_extension (session, "8BITMIME"));
  g_assert_cmpuint (cachet_smtp_session_get_max_size (session), >, 0);
  send_and_check (session, "alice", "bob", "submission-plain", 1, FALSE, FALSE);
  send_and_check (session, "alice", "bob", "submission-crlf", 1, TRUE, FALSE);
  quit (session);
}

static void
test_smtps_login (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;

  /* bob's password is stored hashed: PLAIN and LOGIN work for him. */
  session = connect_login (servers->smtps_port, CACHET_SECURITY_TLS, "bob",
                           CACHET_AUTH_PASSWORD);
  send_and_check (session, "bob", "alice", "smtps-login", 1, FALSE, FALSE);
  quit (session);
}

static void
test_cram_md5 (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(CachetSmtpSession) hashed = NULL;
  g_autoptr(GError) error = NULL;

  session = try_connect (servers->submission_port, CACHET_SECURITY_STARTTLS, NULL, &error);
  g_assert_no_error (error);
  if (!cachet_smtp_session_has_extension (session, "AUTH CRAM-MD5"))
    {
      g_test_skip ("this Dovecot does not offer CRAM-MD5");
      return;
    }
  cachet_smtp_session_login (session, user ("alice")->login, user ("alice")->password,
                             CACHET_AUTH_CRAM_MD5, NULL, &error);
  g_assert_no_error (error);
  send_and_check (session, "alice", "carol", "cram-md5", 1, FALSE, FALSE);
  quit (session);

  /* CRAM-MD5 needs the password in clear on the server: not for bob.  Dovecot says
   * no as to a wrong password. */
  hashed = try_connect (servers->smtps_port, CACHET_SECURITY_TLS, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cachet_smtp_session_login (hashed, user ("bob")->login,
                                             user ("bob")->password, CACHET_AUTH_CRAM_MD5,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
}

static void
test_wrong_password (void)
{
  /* Two tries only: Dovecot makes each failed login from an address wait longer (its
   * auth penalty, seconds after a few); CRAM-MD5 fails in test_cram_md5 already. */
  const CachetAuthMethod methods[] = { CACHET_AUTH_AUTO, CACHET_AUTH_PASSWORD };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = i % 2 ? servers->smtps_port : servers->submission_port;

      session = try_connect (port, i % 2 ? CACHET_SECURITY_TLS : CACHET_SECURITY_STARTTLS,
                             NULL, &error);
      g_assert_no_error (error);
      g_assert_false (cachet_smtp_session_login (session, user ("alice")->login, "wrong",
                                                 methods[i], NULL, &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "535 5.7.8"));
      g_clear_error (&error);
      if (i == 0)
        continue;
      /* Postfix lets the client try again in the same session. */
      cachet_smtp_session_login (session, user ("alice")->login, user ("alice")->password,
                                 methods[i], NULL, &error);
      g_assert_no_error (error);
    }
}

static void
test_certificates (void)
{
  struct
  {
    CachetTestCert        cert;
    GTlsCertificateFlags  problem;
  } cases[] = {
    { CACHET_TEST_CERT_WRONG_HOST, G_TLS_CERTIFICATE_BAD_IDENTITY },
    { CACHET_TEST_CERT_EXPIRED, G_TLS_CERTIFICATE_EXPIRED },
    { CACHET_TEST_CERT_SELF_SIGNED, G_TLS_CERTIFICATE_UNKNOWN_CA },
  };
  guint tried = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CachetTestCertInfo *info = &servers->certs[cases[i].cert];
      const CachetSecurity security[] = { CACHET_SECURITY_STARTTLS, CACHET_SECURITY_TLS };
      const guint16 ports[] = { info->submission_port, info->smtps_port };

      for (guint j = 0; j < 2; j++)
        {
          g_autoptr(CachetSmtpSession) session = NULL;
          g_autoptr(GError) error = NULL;
          const CachetTlsCheck *check;

          if (ports[j] == 0)
            continue;
          tried++;
          session = try_connect (ports[j], security[j], NULL, &error);
          g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
          check = cachet_smtp_session_get_tls_check (session);
          g_assert_nonnull (check);
          g_assert_false (check->trusted);
          g_assert_true (check->problems & cases[i].problem);
          g_assert_cmpstr (check->sha256_hex, ==, info->sha256);
          g_clear_error (&error);
          g_assert_false (cachet_smtp_session_login (session, user ("alice")->login,
                                                     user ("alice")->password,
                                                     CACHET_AUTH_AUTO, NULL, &error));
        }
    }
  g_assert_cmpuint (tried, ==, 6);
}

static void
test_self_signed_pin (void)
{
  const CachetTestCertInfo *first = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED];
  const CachetTestCertInfo *second = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED_2];
  g_autoptr(CachetSmtpSession) accepted = NULL;
  g_autoptr(CachetSmtpSession) changed = NULL;
  g_autoptr(GError) error = NULL;

  accepted = try_connect (first->submission_port, CACHET_SECURITY_STARTTLS, first->sha256,
                          &error);
  g_assert_no_error (error);
  g_assert_true (cachet_smtp_session_get_tls_check (accepted)->pinned);
  cachet_smtp_session_login (accepted, user ("alice")->login, user ("alice")->password,
                             CACHET_AUTH_AUTO, NULL, &error);
  g_assert_no_error (error);
  send_and_check (accepted, "alice", "carol", "pinned", 1, FALSE, FALSE);
  quit (accepted);

  changed = try_connect (second->smtps_port, CACHET_SECURITY_TLS, first->sha256, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE_CHANGED);
  g_assert_true (cachet_smtp_session_get_tls_check (changed)->pin_mismatch);
  g_assert_cmpstr (cachet_smtp_session_get_tls_check (changed)->sha256_hex, ==,
                   second->sha256);
}

static void
test_host_name (void)
{
  g_autoptr(CachetSmtpSession) session = cachet_smtp_session_new ();
  g_autoptr(GError) error = NULL;
  CachetServerSettings s = { 0 };

  /* "localhost" is on the certificate too (resolves to 127.0.0.1 here). */
  s.host = (char *) "localhost";
  s.port = servers->smtps_port;
  s.security = CACHET_SECURITY_TLS;
  cachet_smtp_session_connect (session, &s, servers->ca_file, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_smtp_session_get_tls_check (session)->trusted);
}

static void
test_submission_needs_tls (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GBytes) message = make_message (user ("alice")->login, user ("bob")->login,
                                            "in-the-clear", FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  const char *to[] = { user ("bob")->login, NULL };

  /* Chosen plain on the submission port: Postfix offers no AUTH and takes no mail. */
  session = try_connect (servers->submission_port, CACHET_SECURITY_PLAIN, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_smtp_session_has_extension (session, "STARTTLS"));
  g_assert_false (cachet_smtp_session_has_extension (session, "AUTH"));
  g_assert_false (cachet_smtp_session_login (session, user ("alice")->login,
                                             user ("alice")->password, CACHET_AUTH_AUTO,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (cachet_smtp_session_send (session, user ("alice")->login, to, message, NULL,
                                            NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "530"));
  quit (session);
}

static void
test_relay (void)
{
  g_autoptr(CachetSmtpSession) anonymous = NULL;
  g_autoptr(CachetSmtpSession) logged_in = NULL;
  g_autoptr(GBytes) message = make_message (user ("alice")->login, "someone@elsewhere.example",
                                            "relay", FALSE, FALSE);
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  const char *outside[] = { "someone@elsewhere.example", NULL };
  guint sink_before = cachet_test_maildir_count (user ("sink")->maildir);

  /* The port-25 listener, without a login: mail for example.test, but no relaying. */
  anonymous = try_connect (servers->smtp_port, CACHET_SECURITY_STARTTLS, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cachet_smtp_session_send (anonymous, user ("alice")->login, outside,
                                            message, &result, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RELAY_REFUSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "554 5.7.1"));
  g_assert_nonnull (strstr (error->message, "Relay access denied"));
  g_assert_cmpuint (((CachetSmtpRecipientResult *) g_ptr_array_index (result->recipients,
                                                                      0))->code, ==, 554);
  g_clear_error (&error);
  /* Local mail goes through the same session. */
  send_and_check (anonymous, "alice", "carol", "port-25-local", 1, FALSE, FALSE);
  quit (anonymous);

  /* Logged in, the same message is relayed (here: to the sink mailbox). */
  logged_in = connect_login (servers->submission_port, CACHET_SECURITY_STARTTLS, "alice",
                             CACHET_AUTH_AUTO);
  cachet_smtp_session_send (logged_in, user ("alice")->login, outside, message, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  quit (logged_in);
  g_ptr_array_add (sent, g_bytes_ref (message));
  check_delivered ("sink", sink_before + 1, sent);
}

static void
test_too_large (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = NULL;
  guint64 limit;
  const char *to[] = { user ("bob")->login, NULL };
  guint before = cachet_test_maildir_count (user ("bob")->maildir);

  session = connect_login (servers->smtps_port, CACHET_SECURITY_TLS, "alice",
                           CACHET_AUTH_AUTO);
  limit = cachet_smtp_session_get_max_size (session);
  if (limit < 1000 || limit > 64 * 1024 * 1024)
    g_error ("Postfix's SIZE is %" G_GUINT64_FORMAT ", not a test server's", limit);
  {
    /* One octet over the limit, in lines of 100 with CRLF. */
    gsize len = limit + 1;
    char *text = g_malloc (len);

    memcpy (text, "Subject: too large\r\n\r\n", 22);
    memset (text + 22, 'x', len - 22);
    for (gsize i = 22 + 98; i + 1 < len; i += 100)
      {
        text[i] = '\r';
        text[i + 1] = '\n';
      }
    big = g_bytes_new_take (text, len);
  }
  g_assert_false (cachet_smtp_session_send (session, user ("alice")->login, to, big, NULL,
                                            NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  /* Nothing was sent for it: the session goes on, and only the next message arrives. */
  send_and_check (session, "alice", "bob", "after-too-large", 1, FALSE, FALSE);
  g_assert_cmpuint (cachet_test_maildir_count (user ("bob")->maildir), ==, before + 1);
  quit (session);
}

static void
test_unknown_recipient (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GBytes) message = make_message (user ("alice")->login, user ("bob")->login,
                                            "unknown-recipient", FALSE, FALSE);
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  const char *nobody[] = { "nosuchuser@example.test", NULL };
  const char *mixed[] = { "nosuchuser@example.test", NULL, NULL };
  CachetSmtpRecipientResult *r;
  guint before = cachet_test_maildir_count (user ("bob")->maildir);

  mixed[1] = user ("bob")->login;
  session = connect_login (servers->submission_port, CACHET_SECURITY_STARTTLS, "alice",
                           CACHET_AUTH_AUTO);
  /* Postfix knows its users (virtual_mailbox_maps) and refuses the others at RCPT. */
  g_assert_false (cachet_smtp_session_send (session, user ("alice")->login, nobody, message,
                                            &result, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "nosuchuser@example.test (550 5.1.1"));
  g_assert_nonnull (strstr (error->message, "User unknown"));
  g_clear_error (&error);
  g_clear_pointer (&result, cachet_smtp_send_result_free);

  /* One known, one unknown: delivered to the known one, the other reported. */
  g_assert_true (cachet_smtp_session_send (session, user ("alice")->login, mixed, message,
                                           &result, NULL, &error));
  g_assert_no_error (error);
  r = g_ptr_array_index (result->recipients, 0);
  g_assert_cmpuint (r->code, ==, 550);
  g_assert_true (g_str_has_prefix (r->reply, "5.1.1 "));
  r = g_ptr_array_index (result->recipients, 1);
  g_assert_cmpuint (r->code, ==, 250);
  quit (session);
  g_ptr_array_add (sent, g_bytes_ref (message));
  check_delivered ("bob", before + 1, sent);
}

static void
test_8bit (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;

  session = connect_login (servers->smtps_port, CACHET_SECURITY_TLS, "bob", CACHET_AUTH_AUTO);
  g_assert_true (cachet_smtp_session_has_extension (session, "8BITMIME"));
  send_and_check (session, "bob", "alice", "eight-bit", 2, FALSE, TRUE);
  quit (session);
}

static void
test_many_messages (void)
{
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *good[] = { NULL, NULL };
  const char *bad[] = { "nosuchuser@example.test", NULL };
  guint before = cachet_test_maildir_count (user ("bulk")->maildir);

  good[0] = user ("bulk")->login;
  session = connect_login (servers->smtps_port, CACHET_SECURITY_TLS, "alice",
                           CACHET_AUTH_AUTO);
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *tag = g_strdup_printf ("many-%u", i);
      g_autoptr(GBytes) message = make_message (user ("alice")->login, good[0], tag,
                                                i % 2 == 0, i % 3 == 0);
      g_autoptr(GError) error = NULL;

      if (i % 20 == 10)
        {
          /* Refused ones in between: RSET, and the session goes on. */
          g_assert_false (cachet_smtp_session_send (session, user ("alice")->login, bad,
                                                    message, NULL, NULL, &error));
          g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
          continue;
        }
      cachet_smtp_session_send (session, user ("alice")->login, good, message, NULL, NULL,
                                &error);
      g_assert_no_error (error);
      g_ptr_array_add (sent, g_bytes_ref (message));
    }
  quit (session);
  check_delivered ("bulk", before + sent->len, sent);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALL, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  g_test_add_func ("/net/smtp/postfix/submission-plain", test_submission_plain);
  g_test_add_func ("/net/smtp/postfix/smtps-login", test_smtps_login);
  g_test_add_func ("/net/smtp/postfix/cram-md5", test_cram_md5);
  g_test_add_func ("/net/smtp/postfix/wrong-password", test_wrong_password);
  g_test_add_func ("/net/smtp/postfix/certificates", test_certificates);
  g_test_add_func ("/net/smtp/postfix/self-signed-pin", test_self_signed_pin);
  g_test_add_func ("/net/smtp/postfix/host-name", test_host_name);
  g_test_add_func ("/net/smtp/postfix/submission-needs-tls", test_submission_needs_tls);
  g_test_add_func ("/net/smtp/postfix/relay", test_relay);
  g_test_add_func ("/net/smtp/postfix/too-large", test_too_large);
  g_test_add_func ("/net/smtp/postfix/unknown-recipient", test_unknown_recipient);
  g_test_add_func ("/net/smtp/postfix/8bit", test_8bit);
  g_test_add_func ("/net/smtp/postfix/many-messages", test_many_messages);

  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
