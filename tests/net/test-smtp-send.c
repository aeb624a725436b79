/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cachet-net-error.h"
#include "cachet-smtp-session.h"
#include "fake-smtp.h"

/* Sending with the SMTP session against the scripted server of fake-smtp.c: the
 * envelope, pipelining, the content on the wire, SIZE, 8BITMIME, refusals and what the
 * session does after them.  Plain connections: TLS is test-smtp-session.c's. */

#define USER "alice@example.test"
#define PASSWORD "secret-alice-Pa55"

static FakeSmtpConfig
base_config (void)
{
  FakeSmtpConfig c = { 0 };

  c.user = USER;
  c.password = PASSWORD;
  c.auth = "PLAIN LOGIN";
  c.pipelining = TRUE;
  c.eightbitmime = TRUE;
  c.size = 1024 * 1024;
  return c;
}

static CachetSmtpSession *
connect_login_timeout (FakeSmtp *fake,
                       guint     timeout)
{
  CachetServerSettings s = { 0 };
  g_autoptr(GError) error = NULL;
  CachetSmtpSession *session = cachet_smtp_session_new ();

  s.host = (char *) "127.0.0.1";
  s.port = fake_smtp_get_port (fake);
  s.security = CACHET_SECURITY_PLAIN;
  cachet_smtp_session_connect (session, &s, NULL, timeout, NULL, &error);
  g_assert_no_error (error);
  cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO, NULL, &error);
  g_assert_no_error (error);
  return session;
}

static CachetSmtpSession *
connect_login (FakeSmtp *fake)
{
  return connect_login_timeout (fake, 30);
}

static GBytes *
text_message (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static GBytes *
simple_message (guint i)
{
  g_autofree char *text = g_strdup_printf ("From: alice@example.test\nTo: bob@example.test\n"
                                           "Subject: message %u\n\nbody of %u\n.dotted line\n"
                                           "..two dots\n.\nend\n", i, i);
  return text_message (text);
}

static gboolean
send_to (CachetSmtpSession     *session,
         const char * const    *to,
         GBytes                *message,
         CachetSmtpSendResult **result,
         GError               **error)
{
  return cachet_smtp_session_send (session, USER, to, message, result, NULL, error);
}

static void
send_ok (CachetSmtpSession *session,
         GBytes            *message)
{
  const char *to[] = { "bob@example.test", NULL };
  g_autoptr(GError) error = NULL;

  send_to (session, to, message, NULL, &error);
  g_assert_no_error (error);
}

static void
quit (CachetSmtpSession *session)
{
  g_autoptr(GError) error = NULL;

  cachet_smtp_session_quit (session, &error);
  g_assert_no_error (error);
}

static guint
count_messages (FakeSmtp *fake)
{
  g_autoptr(GPtrArray) messages = fake_smtp_get_messages (fake);

  return messages->len;
}

/* The commands of the last transaction: from its MAIL on. */
static GPtrArray *
last_transaction (GPtrArray *commands)
{
  GPtrArray *out = g_ptr_array_new ();
  guint start = 0;

  for (guint i = 0; i < commands->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (commands, i), "MAIL "))
      start = i;
  for (guint i = start; i < commands->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (commands, i));
  return out;
}

/* Every message the fake received, decoded, equals @expected (LF line ends). */
static void
assert_received (FakeSmtp  *fake,
                 GPtrArray *expected)
{
  g_autoptr(GPtrArray) got = fake_smtp_get_messages (fake);

  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < got->len; i++)
    {
      g_autoptr(GBytes) decoded = fake_smtp_decode (g_ptr_array_index (got, i));
      GBytes *want = g_ptr_array_index (expected, i);
      gsize len;
      const guint8 *wire = g_bytes_get_data (g_ptr_array_index (got, i), &len);

      g_assert_true (g_bytes_equal (decoded, want));
      /* On the wire: CRLF only, never a bare LF or a lone "." line inside. */
      for (gsize k = 0; k < len; k++)
        if (wire[k] == '\n')
          g_assert_true (k > 0 && wire[k - 1] == '\r');
      if (len > 0)
        g_assert_null (g_strstr_len ((const char *) wire, len, "\r\n.\r\n"));
    }
}

/* The envelope and the content ------------------------------------------------------- */

static void
test_pipelined (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autoptr(CachetSmtpSession) session = connect_login (fake);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GPtrArray) transaction = NULL;
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", "carol@example.test", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  send_to (session, to, message, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->recipients->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      CachetSmtpRecipientResult *r = g_ptr_array_index (result->recipients, i);

      g_assert_cmpstr (r->address, ==, to[i]);
      g_assert_cmpuint (r->code, ==, 250);
      g_assert_cmpstr (r->reply, ==, "2.1.5 Ok");
    }
  g_assert_cmpuint (result->data_code, ==, 250);
  g_assert_cmpstr (result->data_reply, ==, "2.0.0 Ok: queued as FAKE1");
  g_ptr_array_add (expected, g_bytes_ref (message));
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  transaction = last_transaction (commands);
  g_assert_cmpstr (g_ptr_array_index (transaction, 0), ==,
                   "MAIL FROM:<" USER "> SIZE=115");
  g_assert_cmpstr (g_ptr_array_index (transaction, 1), ==, "RCPT TO:<bob@example.test>");
  g_assert_cmpstr (g_ptr_array_index (transaction, 2), ==, "RCPT TO:<carol@example.test>");
  g_assert_cmpstr (g_ptr_array_index (transaction, 3), ==, "DATA");
  /* MAIL, both RCPT and DATA arrived together. */
  g_assert_cmpuint (fake_smtp_get_max_batch (fake), >=, 4);
  assert_received (fake, expected);
  {
    g_autoptr(GPtrArray) got = fake_smtp_get_messages (fake);
    const char wire[] = "From: alice@example.test\r\nTo: bob@example.test\r\n"
                        "Subject: message 1\r\n\r\nbody of 1\r\n..dotted line\r\n"
                        "...two dots\r\n..\r\nend\r\n";
    g_autoptr(GBytes) want = g_bytes_new_static (wire, sizeof wire - 1);

    g_assert_true (g_bytes_equal (g_ptr_array_index (got, 0), want));
  }
}

static void
test_one_at_a_time (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bad@example.test", "bad2@example.test", NULL };
  const char *replies[] = { "RCPT TO:<bad=550 5.1.1 Recipient address rejected: "
                            "User unknown", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  config.pipelining = FALSE;
  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  send_ok (session, message);
  /* Every recipient refused: no DATA at all without pipelining. */
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_get_max_batch (fake), ==, 1);
  g_assert_cmpuint (fake_smtp_count (commands, "DATA"), ==, 1);
  g_assert_cmpuint (fake_smtp_count (commands, "RSET"), ==, 1);
}

static void
test_line_ends (void)
{
  const char *texts[] = {
    "Subject: crlf\r\n\r\nalready\r\nCRLF\r\n.\r\n",
    "Subject: no end\n\nlast line without a line end",
    "Subject: bare cr\n\nan\rodd\r line\n",
    ".starts with a dot\n\n.\n..\n...\n",
    "",
  };
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autoptr(CachetSmtpSession) session = connect_login (fake);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GBytes) message = text_message (texts[i]);
      g_autofree char *lf = NULL;
      GString *want = g_string_new (NULL);

      send_ok (session, message);
      /* What arrives, in LF form: CRLF as LF, a line end added at the end. */
      for (const char *p = texts[i]; *p != '\0'; p++)
        if (!(p[0] == '\r' && p[1] == '\n'))
          g_string_append_c (want, *p);
      if (want->len > 0 && want->str[want->len - 1] != '\n')
        g_string_append_c (want, '\n');
      g_ptr_array_add (expected, g_string_free_to_bytes (want));
    }
  quit (session);
  g_ptr_array_unref (fake_smtp_wait_commands (fake));
  assert_received (fake, expected);
}

static void
test_big_message (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GString *text = g_string_new ("Subject: big\n\n");
  g_autoptr(GBytes) message = NULL;

  /* Lines of every length around the 64 KiB pieces, many starting with a dot. */
  for (guint i = 0; text->len < 3 * 1024 * 1024; i++)
    {
      if (i % 3 == 0)
        g_string_append_c (text, '.');
      for (guint k = 0; k < (i * 7919) % 200; k++)
        g_string_append_c (text, 'a' + k % 26);
      g_string_append (text, i % 11 == 0 ? "\r\n" : "\n");
    }
  config.size = 0;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  message = g_string_free_to_bytes (text);
  send_ok (session, message);
  quit (session);
  g_ptr_array_unref (fake_smtp_wait_commands (fake));
  {
    gsize len;
    const char *data = g_bytes_get_data (message, &len);
    GByteArray *lf = g_byte_array_sized_new (len);

    for (gsize i = 0; i < len; i++)
      if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
        g_byte_array_append (lf, (const guint8 *) data + i, 1);
    g_ptr_array_add (expected, g_byte_array_free_to_bytes (lf));
  }
  assert_received (fake, expected);
}

static void
test_null_sender (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autoptr(CachetSmtpSession) session = connect_login (fake);
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GBytes) message = simple_message (1);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };

  cachet_smtp_session_send (session, NULL, to, message, NULL, NULL, &error);
  g_assert_no_error (error);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "MAIL FROM:<> SIZE="), ==, 1);
}

static void
test_addresses (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GBytes) message = simple_message (1);
  const char *no_one[] = { NULL };
  const char *injected[] = { "bob@example.test>\r\nRCPT TO:<eve@example.test", NULL };
  const char *spaced[] = { "bob @example.test", NULL };
  const char *empty[] = { "", NULL };
  const char *utf8[] = { "j\xc3\xb6rg@example.test", NULL };
  const char * const *bad[] = { no_one, injected, spaced, empty };
  g_autoptr(GError) error = NULL;

  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (send_to (session, bad[i], message, NULL, &error));
      g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
      g_clear_error (&error);
    }
  g_assert_false (cachet_smtp_session_send (session, "alice@example.test\r\nRSET", utf8,
                                            message, NULL, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED);
  g_clear_error (&error);
  /* Beyond ASCII: only with SMTPUTF8. */
  g_assert_false (send_to (session, utf8, message, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
  g_clear_error (&error);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "MAIL"), ==, 0);
  g_clear_pointer (&fake, fake_smtp_free);
  g_clear_pointer (&session, cachet_smtp_session_free);
  g_clear_pointer (&commands, g_ptr_array_unref);

  config.smtputf8 = TRUE;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  send_to (session, utf8, message, NULL, &error);
  g_assert_no_error (error);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "MAIL FROM:<" USER "> SIZE=115 SMTPUTF8"), ==, 1);
}

/* SIZE and 8BITMIME ------------------------------------------------------------------ */

static void
test_size (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  g_autofree char *exact_text = NULL;
  g_autofree char *over_text = NULL;
  g_autoptr(GBytes) exact = NULL;
  g_autoptr(GBytes) over = NULL;

  config.size = 1000;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_cmpuint (cachet_smtp_session_get_max_size (session), ==, 1000);

  /* 1000 octets once the 10 LFs are CRLF: just fits.  One more does not. */
  exact_text = g_strnfill (990, 'x');
  for (guint i = 1; i <= 10; i++)
    exact_text[i * 99 - 1] = '\n';
  over_text = g_strconcat (exact_text, "y", NULL);
  exact = text_message (exact_text);
  over = text_message (over_text);

  g_assert_false (send_to (session, to, over, &result, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "1003 bytes"));
  g_assert_nonnull (result);
  g_assert_cmpuint (((CachetSmtpRecipientResult *) g_ptr_array_index (result->recipients,
                                                                      0))->code, ==, 0);
  g_clear_error (&error);
  send_ok (session, exact);
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  /* The refused one never reached the server. */
  g_assert_cmpuint (fake_smtp_count (commands, "MAIL"), ==, 1);
  g_assert_cmpuint (fake_smtp_count (commands, "MAIL FROM:<" USER "> SIZE=1000"), ==, 1);
}

static void
test_too_large_replies (void)
{
  const char *at_mail[] = { "MAIL=552 5.3.4 Message size exceeds fixed limit", NULL };
  const char *at_end[] = { ".=552 5.3.4 Message size exceeds fixed limit", NULL };
  const char * const *cases[] = { at_mail, at_end };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config ();
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GPtrArray) commands = NULL;
      g_autoptr(GBytes) message = simple_message (1);
      g_autoptr(GError) error = NULL;
      const char *to[] = { "bob@example.test", NULL };

      config.size = 0;
      config.replies = cases[i];
      fake = fake_smtp_new (&config);
      session = connect_login (fake);
      g_assert_false (send_to (session, to, message, NULL, &error));
      g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TOO_LARGE);
      g_assert_nonnull (strstr (error->message, "552 5.3.4 Message size exceeds"));
      quit (session);
      commands = fake_smtp_wait_commands (fake);
      /* Refused at MAIL: no content sent. */
      if (i == 0)
        g_assert_cmpuint (count_messages (fake), ==, 0);
    }
}

static void
test_8bit (void)
{
  const char text[] = "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nContent-Type: text/plain; "
                      "charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9f"
                      "e aus K\xc3\xb6ln\n";
  g_autoptr(GBytes) eight = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GBytes) seven = simple_message (1);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  {
    FakeSmtpConfig config = base_config ();
    g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
    g_autoptr(CachetSmtpSession) session = connect_login (fake);
    g_autoptr(GPtrArray) commands = NULL;

    send_ok (session, eight);
    send_ok (session, seven);
    quit (session);
    commands = fake_smtp_wait_commands (fake);
    g_assert_cmpuint (fake_smtp_count (commands, "MAIL FROM:<" USER "> SIZE=133 BODY=8BITMIME"),
                      ==, 1);
    g_assert_cmpuint (fake_smtp_count (commands, "MAIL FROM:<" USER "> SIZE=115"), ==, 1);
    g_ptr_array_add (expected, g_bytes_ref (eight));
    g_ptr_array_add (expected, g_bytes_ref (seven));
    assert_received (fake, expected);
  }
  {
    FakeSmtpConfig config = base_config ();
    g_autoptr(FakeSmtp) fake = NULL;
    g_autoptr(CachetSmtpSession) session = NULL;
    g_autoptr(GPtrArray) commands = NULL;
    g_autoptr(GError) error = NULL;
    const char *to[] = { "bob@example.test", NULL };

    config.eightbitmime = FALSE;
    fake = fake_smtp_new (&config);
    session = connect_login (fake);
    g_assert_false (send_to (session, to, eight, NULL, &error));
    g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_NOT_8BIT);
    g_test_message ("%s", error->message);
    send_ok (session, seven);
    quit (session);
    commands = fake_smtp_wait_commands (fake);
    g_assert_cmpuint (fake_smtp_count (commands, "MAIL"), ==, 1);
  }
}

/* Refusals --------------------------------------------------------------------------- */

static void
test_some_recipients_refused (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", "nobody@example.test", "carol@example.test", NULL };
  const char *replies[] = { "RCPT TO:<nobody@=550 5.1.1 <nobody@example.test>: Recipient "
                            "address rejected: User unknown in virtual mailbox table", NULL };
  g_autoptr(GBytes) message = simple_message (1);
  CachetSmtpRecipientResult *r;

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_true (send_to (session, to, message, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->recipients->len, ==, 3);
  r = g_ptr_array_index (result->recipients, 1);
  g_assert_cmpstr (r->address, ==, "nobody@example.test");
  g_assert_cmpuint (r->code, ==, 550);
  g_assert_nonnull (strstr (r->reply, "User unknown"));
  g_assert_cmpuint (((CachetSmtpRecipientResult *) g_ptr_array_index (result->recipients,
                                                                      0))->code, ==, 250);
  g_assert_cmpuint (((CachetSmtpRecipientResult *) g_ptr_array_index (result->recipients,
                                                                      2))->code, ==, 250);
  g_assert_cmpuint (result->data_code, ==, 250);
  quit (session);
  g_ptr_array_unref (fake_smtp_wait_commands (fake));
  g_assert_cmpuint (count_messages (fake), ==, 1);
}

static void
test_all_recipients_refused (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  const char *one[] = { "nobody@example.test", NULL };
  const char *two[] = { "nobody@example.test", "ghost@example.test", NULL };
  const char *replies[] = {
    "RCPT TO:<nobody@=550 5.1.1 <nobody@example.test>: Recipient address rejected: User "
    "unknown in virtual mailbox table",
    "RCPT TO:<ghost@=550 5.1.1 <ghost@example.test>: Recipient address rejected: User "
    "unknown in virtual mailbox table",
    NULL
  };
  g_autoptr(GBytes) message = simple_message (1);

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_false (send_to (session, one, message, &result, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
  g_test_message ("%s", error->message);
  /* Which one and why. */
  g_assert_nonnull (strstr (error->message, "nobody@example.test (550 5.1.1"));
  g_assert_nonnull (strstr (error->message, "User unknown"));
  g_assert_cmpuint (((CachetSmtpRecipientResult *) g_ptr_array_index (result->recipients,
                                                                      0))->code, ==, 550);
  g_assert_cmpuint (result->data_code, ==, 0);
  g_clear_error (&error);
  g_clear_pointer (&result, cachet_smtp_send_result_free);

  g_assert_false (send_to (session, two, message, &result, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
  g_assert_nonnull (strstr (error->message, "ghost@example.test (550"));
  g_clear_error (&error);
  /* The session goes on. */
  send_ok (session, message);
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "RSET"), ==, 2);
  g_assert_cmpuint (count_messages (fake), ==, 1);
}

static void
test_relay_refused (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "someone@elsewhere.example", NULL };
  const char *replies[] = { "RCPT TO:<someone@elsewhere=554 5.7.1 "
                            "<someone@elsewhere.example>: Relay access denied", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RELAY_REFUSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "554 5.7.1"));
  g_assert_nonnull (strstr (error->message, "Relay access denied"));
}

static void
test_sender_refused (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  const char *replies[] = { "MAIL FROM:<" USER ">=553 5.7.1 <alice@example.test>: Sender "
                            "address rejected: not owned by user", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_SENDER_REJECTED);
  g_assert_nonnull (strstr (error->message, "553 5.7.1"));
  g_clear_error (&error);
  g_assert_true (cachet_smtp_session_send (session, "other@example.test", to, message, NULL,
                                           NULL, &error));
  g_assert_no_error (error);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "RSET"), ==, 1);
  g_assert_cmpuint (count_messages (fake), ==, 1);
}

static void
test_temporary (void)
{
  struct
  {
    const char *reply;
    const char *words;
  } cases[] = {
    { "MAIL=451 4.3.0 Temporary lookup failure", "451 4.3.0" },
    { "RCPT=450 4.2.0 <bob@example.test>: Recipient address rejected: Greylisted", "450 4.2.0" },
    { "DATA=451 4.3.0 Please try again", "451 4.3.0" },
    { ".=452 4.3.1 Insufficient system storage", "452 4.3.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config ();
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GError) error = NULL;
      const char *replies[] = { cases[i].reply, NULL };
      const char *to[] = { "bob@example.test", NULL };
      g_autoptr(GBytes) message = simple_message (1);

      config.replies = replies;
      fake = fake_smtp_new (&config);
      session = connect_login (fake);
      g_assert_false (send_to (session, to, message, NULL, &error));
      g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      /* Still usable (here, with the same answer again). */
      g_clear_error (&error);
      g_assert_false (send_to (session, to, message, NULL, &error));
      g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY);
      quit (session);
    }
}

static void
test_data_refused (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(CachetSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  const char *replies[] = { ".=554 5.7.1 Message rejected as spam", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_false (send_to (session, to, message, &result, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_DATA_REJECTED);
  g_assert_nonnull (strstr (error->message, "554 5.7.1 Message rejected as spam"));
  g_assert_cmpuint (result->data_code, ==, 554);
  g_assert_cmpstr (result->data_reply, ==, "5.7.1 Message rejected as spam");
}

static void
test_closing (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  const char *replies[] = { "RCPT=421 4.3.2 Service shutting down", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "421 4.3.2"));
  g_clear_error (&error);
  /* The server hung up: the session is finished. */
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
}

static void
test_garbled_reply (void)
{
  const char *cases[] = {
    "MAIL=HELLO THERE",
    "RCPT=25O oh",
    "DATA=354-one\r\n250 two",
    ".=+OK",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config ();
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GError) error = NULL;
      const char *replies[] = { cases[i], NULL };
      const char *to[] = { "bob@example.test", NULL };
      g_autoptr(GBytes) message = simple_message (1);

      config.replies = replies;
      fake = fake_smtp_new (&config);
      session = connect_login (fake);
      g_assert_false (send_to (session, to, message, NULL, &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
      g_assert_false (send_to (session, to, message, NULL, &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
    }
}

static void
test_drop_mid_data (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  g_autofree char *text = g_strnfill (512 * 1024, 'x');
  g_autoptr(GBytes) message = NULL;

  for (gsize i = 100; i < 512 * 1024; i += 100)
    text[i] = '\n';
  message = text_message (text);
  config.drop_in_data = 10000;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_test_message ("%s", error->message);
}

static void
test_timeout (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  const char *replies[] = { ".=HANG", NULL };
  g_autoptr(GBytes) message = simple_message (1);

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login_timeout (fake, 1);
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_test_message ("%s", error->message);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.test", NULL };
  const char *replies[] = { ".=HANG", NULL };
  g_autoptr(GBytes) message = simple_message (1);
  GThread *thread;

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (cachet_smtp_session_send (session, USER, to, message, NULL, cancellable,
                                            &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* Finished. */
  g_assert_false (send_to (session, to, message, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_clear_error (&error);
  /* Cancelled before it starts: nothing is sent. */
  {
    g_autoptr(FakeSmtp) other = fake_smtp_new (&config);
    g_autoptr(CachetSmtpSession) fresh = connect_login (other);
    g_autoptr(GPtrArray) commands = NULL;

    g_assert_false (cachet_smtp_session_send (fresh, USER, to, message, NULL, cancellable,
                                              &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_pointer (&fresh, cachet_smtp_session_free);
    commands = fake_smtp_wait_commands (other);
    g_assert_cmpuint (fake_smtp_count (commands, "MAIL"), ==, 0);
  }
}

/* Several messages ------------------------------------------------------------------- */

static void
test_many_messages (void)
{
  FakeSmtpConfig config = base_config ();
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) commands = NULL;
  const char *good[] = { "bob@example.test", NULL };
  const char *bad[] = { "nobody@example.test", NULL };
  const char *replies[] = { "RCPT TO:<nobody@=550 5.1.1 User unknown", NULL };

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = connect_login (fake);
  for (guint i = 1; i <= 200; i++)
    {
      g_autoptr(GBytes) message = simple_message (i);
      g_autoptr(GError) error = NULL;

      if (i % 50 == 25)
        {
          /* A refused one in between changes nothing for the others. */
          g_assert_false (send_to (session, bad, message, NULL, &error));
          g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_RECIPIENT_REJECTED);
          continue;
        }
      send_to (session, good, message, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (expected, g_bytes_ref (message));
    }
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_get_connections (fake), ==, 1);
  g_assert_cmpuint (fake_smtp_count (commands, "RSET"), ==, 4);
  g_assert_cmpuint (fake_smtp_count (commands, "EHLO"), ==, 1);
  assert_received (fake, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/net/smtp/send/pipelined", test_pipelined);
  g_test_add_func ("/net/smtp/send/one-at-a-time", test_one_at_a_time);
  g_test_add_func ("/net/smtp/send/line-ends", test_line_ends);
  g_test_add_func ("/net/smtp/send/big-message", test_big_message);
  g_test_add_func ("/net/smtp/send/null-sender", test_null_sender);
  g_test_add_func ("/net/smtp/send/addresses", test_addresses);
  g_test_add_func ("/net/smtp/send/size", test_size);
  g_test_add_func ("/net/smtp/send/too-large-replies", test_too_large_replies);
  g_test_add_func ("/net/smtp/send/8bit", test_8bit);
  g_test_add_func ("/net/smtp/send/some-recipients-refused", test_some_recipients_refused);
  g_test_add_func ("/net/smtp/send/all-recipients-refused", test_all_recipients_refused);
  g_test_add_func ("/net/smtp/send/relay-refused", test_relay_refused);
  g_test_add_func ("/net/smtp/send/sender-refused", test_sender_refused);
  g_test_add_func ("/net/smtp/send/temporary", test_temporary);
  g_test_add_func ("/net/smtp/send/data-refused", test_data_refused);
  g_test_add_func ("/net/smtp/send/closing", test_closing);
  g_test_add_func ("/net/smtp/send/garbled-reply", test_garbled_reply);
  g_test_add_func ("/net/smtp/send/drop-mid-data", test_drop_mid_data);
  g_test_add_func ("/net/smtp/send/timeout", test_timeout);
  g_test_add_func ("/net/smtp/send/cancel", test_cancel);
  g_test_add_func ("/net/smtp/send/many-messages", test_many_messages);

  return g_test_run ();
}
