/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-smtp-session.h"
#include "fake-smtp.h"
#include "net-test-certs.h"

/* The SMTP session against the scripted server of fake-smtp.c: connecting, TLS, EHLO,
 * AUTH, the trace.  Sending is in test-smtp-send.c. */

#define USER "alice@example.test"
#define PASSWORD "secret-alice-Pa55"

typedef struct
{
  char     *dir;
  TestCert *ca;
  TestCert *server;
  char     *ca_file;
  GTlsCertificate *tls;   /* server certificate + key, signed by ca */
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->dir = g_dir_make_tmp ("cachet-smtp-XXXXXX", NULL);
  f->ca = test_cert_new_ca ("Cachet Test CA");
  f->server = test_cert_new_server (f->ca, "localhost");
  f->ca_file = g_build_filename (f->dir, "ca.pem", NULL);
  test_cert_write_pem (f->ca, f->ca_file);
  f->tls = test_cert_get_tls (f->server, f->ca);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_unlink (f->ca_file);
  g_rmdir (f->dir);
  g_free (f->ca_file);
  g_free (f->dir);
  g_object_unref (f->tls);
  test_cert_free (f->server);
  test_cert_free (f->ca);
}

static FakeSmtpConfig
base_config (Fixture *f)
{
  FakeSmtpConfig c = { 0 };

  c.certificate = f->tls;
  c.user = USER;
  c.password = PASSWORD;
  c.starttls = TRUE;
  c.auth = "PLAIN LOGIN CRAM-MD5";
  c.pipelining = TRUE;
  c.eightbitmime = TRUE;
  c.size = 10 * 1024 * 1024;
  return c;
}

static CachetSmtpSession *
try_connect (FakeSmtp       *fake,
             CachetSecurity  security,
             const char     *ca_file,
             const char     *pin,
             GError        **error)
{
  CachetServerSettings s = { 0 };
  CachetSmtpSession *session = cachet_smtp_session_new ();

  s.host = (char *) "127.0.0.1";
  s.port = fake_smtp_get_port (fake);
  s.security = security;
  s.pinned_sha256 = (char *) pin;
  cachet_smtp_session_connect (session, &s, ca_file, 30, NULL, error);
  return session;
}

static CachetSmtpSession *
connect_login (Fixture          *f,
               FakeSmtp         *fake,
               CachetSecurity    security,
               CachetAuthMethod  method)
{
  g_autoptr(GError) error = NULL;
  CachetSmtpSession *session = try_connect (fake, security, f->ca_file, NULL, &error);

  g_assert_no_error (error);
  cachet_smtp_session_login (session, USER, PASSWORD, method, NULL, &error);
  g_assert_no_error (error);
  return session;
}

static void
send_one (CachetSmtpSession *session)
{
  const char *to[] = { "bob@example.test", NULL };
  const char text[] = "From: alice@example.test\nTo: bob@example.test\nSubject: hi\n\nhello\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GError) error = NULL;

  cachet_smtp_session_send (session, USER, to, message, NULL, NULL, &error);
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
index_of (GPtrArray  *commands,
          const char *prefix)
{
  for (guint i = 0; i < commands->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (commands, i), prefix))
      return i;
  return G_MAXUINT;
}

/* Connecting and TLS ------------------------------------------------------------------ */

static void
test_starttls (Fixture      *f,
               gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  const CachetTlsCheck *check;

  session = connect_login (f, fake, CACHET_SECURITY_STARTTLS, CACHET_AUTH_AUTO);
  check = cachet_smtp_session_get_tls_check (session);
  g_assert_nonnull (check);
  g_assert_true (check->trusted);
  /* What the server said inside TLS. */
  g_assert_true (cachet_smtp_session_has_extension (session, "PIPELINING"));
  g_assert_true (cachet_smtp_session_has_extension (session, "pipelining"));
  g_assert_true (cachet_smtp_session_has_extension (session, "AUTH CRAM-MD5"));
  g_assert_true (cachet_smtp_session_has_extension (session, "auth plain"));
  g_assert_false (cachet_smtp_session_has_extension (session, "AUTH GSSAPI"));
  g_assert_false (cachet_smtp_session_has_extension (session, "STARTTLS"));
  g_assert_false (cachet_smtp_session_has_extension (session, "DSN"));
  g_assert_cmpuint (cachet_smtp_session_get_max_size (session), ==, 10 * 1024 * 1024);
  send_one (session);
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 0), "EHLO "));
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "STARTTLS");
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 2), "EHLO "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 3), "AUTH PLAIN "));
  g_assert_cmpstr (g_ptr_array_index (commands, commands->len - 1), ==, "QUIT");
  /* The computer's name stays private: an address literal. */
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==, "EHLO [127.0.0.1]");
}

static void
test_implicit_tls (Fixture      *f,
                   gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  config.implicit_tls = TRUE;
  config.starttls = FALSE;
  fake = fake_smtp_new (&config);
  session = connect_login (f, fake, CACHET_SECURITY_TLS, CACHET_AUTH_PASSWORD);
  g_assert_true (cachet_smtp_session_get_tls_check (session)->trusted);
  send_one (session);
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 0), "EHLO "));
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "AUTH LOGIN");
  g_assert_cmpuint (fake_smtp_count (commands, "STARTTLS"), ==, 0);
}

static void
test_wrong_host (Fixture      *f,
                 gconstpointer data)
{
  const char *dns[] = { "mail.example.org", NULL };
  TestCertOptions o = { .common_name = "mail.example.org", .dns_names = dns,
                        .issuer = f->ca, .not_before = -60, .not_after = 86400 };
  g_autoptr(TestCert) other = test_cert_new (&o);
  g_autoptr(GTlsCertificate) tls = test_cert_get_tls (other, f->ca);
  const CachetSecurity securities[] = { CACHET_SECURITY_TLS, CACHET_SECURITY_STARTTLS };

  for (guint i = 0; i < G_N_ELEMENTS (securities); i++)
    {
      FakeSmtpConfig config = base_config (f);
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GPtrArray) commands = NULL;
      g_autoptr(GError) error = NULL;
      const CachetTlsCheck *check;

      config.certificate = tls;
      config.implicit_tls = securities[i] == CACHET_SECURITY_TLS;
      config.starttls = !config.implicit_tls;
      fake = fake_smtp_new (&config);
      session = try_connect (fake, securities[i], f->ca_file, NULL, &error);
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
      check = cachet_smtp_session_get_tls_check (session);
      g_assert_nonnull (check);
      g_assert_cmpuint (check->problems, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
      g_clear_error (&error);
      g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO,
                                                 NULL, &error));
      g_clear_pointer (&session, cachet_smtp_session_free);

      /* Nothing after the handshake. */
      commands = fake_smtp_wait_commands (fake);
      g_assert_cmpuint (commands->len, ==, config.implicit_tls ? 0 : 2);
      g_assert_cmpuint (fake_smtp_count (commands, "AUTH"), ==, 0);
    }
}

static void
test_self_signed_pin (Fixture      *f,
                      gconstpointer data)
{
  const char *ips[] = { "127.0.0.1", NULL };
  TestCertOptions o = { .common_name = "self", .ip_addresses = ips,
                        .not_before = -60, .not_after = 86400 };
  g_autoptr(TestCert) self_signed = test_cert_new (&o);
  g_autoptr(GTlsCertificate) tls = test_cert_get_tls (self_signed, NULL);
  g_autofree char *pin = test_cert_get_sha256 (self_signed);
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) refused = NULL;
  g_autoptr(CachetSmtpSession) accepted = NULL;
  g_autoptr(GError) error = NULL;

  config.certificate = tls;
  fake = fake_smtp_new (&config);
  refused = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
  g_assert_cmpstr (cachet_smtp_session_get_tls_check (refused)->sha256_hex, ==, pin);
  g_clear_error (&error);

  accepted = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, pin, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_smtp_session_get_tls_check (accepted)->pinned);
  cachet_smtp_session_login (accepted, USER, PASSWORD, CACHET_AUTH_AUTO, NULL, &error);
  g_assert_no_error (error);
  send_one (accepted);
}

static void
test_starttls_missing (Fixture      *f,
                       gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  /* AUTH offered in the clear, no STARTTLS: a downgrade, or a bad server. */
  config.starttls = FALSE;
  fake = fake_smtp_new (&config);
  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO, NULL,
                                             &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_clear_error (&error);
  g_clear_pointer (&session, cachet_smtp_session_free);

  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (commands->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 0), "EHLO "));

  /* A server that knows only HELO has no STARTTLS either. */
  {
    FakeSmtpConfig old = base_config (f);
    g_autoptr(FakeSmtp) old_fake = NULL;

    old.no_ehlo = TRUE;
    old_fake = fake_smtp_new (&old);
    g_clear_pointer (&session, cachet_smtp_session_free);
    session = try_connect (old_fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
    g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING);
  }
}

static void
test_starttls_refused (Fixture      *f,
                       gconstpointer data)
{
  struct
  {
    const char *reply;
    GQuark      domain;
    int         code;
  } cases[] = {
    { "454 4.7.0 TLS not available due to local problem", 0, CACHET_SMTP_ERROR_TEMPORARY },
    { "554 5.7.0 No TLS for you", 0, CACHET_NET_ERROR_STARTTLS_MISSING },
  };

  cases[0].domain = CACHET_SMTP_ERROR;
  cases[1].domain = CACHET_NET_ERROR;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config (f);
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GPtrArray) commands = NULL;
      g_autoptr(GError) error = NULL;

      config.starttls_reply = cases[i].reply;
      fake = fake_smtp_new (&config);
      session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].reply));
      g_clear_pointer (&session, cachet_smtp_session_free);
      commands = fake_smtp_wait_commands (fake);
      g_assert_cmpuint (commands->len, ==, 2);
    }
}

static void
test_starttls_injection (Fixture      *f,
                         gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;

  config.inject_after_starttls = TRUE;
  fake = fake_smtp_new (&config);
  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
}

static void
test_plain (Fixture      *f,
            gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  /* Port-25 style, chosen plainly by the user: no TLS, no login. */
  config.starttls = FALSE;
  config.auth = NULL;
  fake = fake_smtp_new (&config);
  session = connect_login (f, fake, CACHET_SECURITY_PLAIN, CACHET_AUTH_NONE);
  g_assert_null (cachet_smtp_session_get_tls_check (session));
  send_one (session);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "AUTH"), ==, 0);
  g_assert_cmpuint (fake_smtp_count (commands, "STARTTLS"), ==, 0);
}

static void
test_helo_fallback (Fixture      *f,
                    gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  config.no_ehlo = TRUE;
  config.starttls = FALSE;
  config.auth = NULL;
  fake = fake_smtp_new (&config);
  session = connect_login (f, fake, CACHET_SECURITY_PLAIN, CACHET_AUTH_NONE);
  g_assert_false (cachet_smtp_session_has_extension (session, "PIPELINING"));
  g_assert_cmpuint (cachet_smtp_session_get_max_size (session), ==, 0);
  send_one (session);
  /* No login offered without EHLO. */
  g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO, NULL,
                                             &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
  quit (session);

  commands = fake_smtp_wait_commands (fake);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 0), "EHLO "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 1), "HELO "));
  /* No SIZE= for a server that did not say SIZE. */
  g_assert_cmpstr (g_ptr_array_index (commands, 2), ==, "MAIL FROM:<" USER ">");
}

static void
test_greeting_refused (Fixture      *f,
                       gconstpointer data)
{
  struct
  {
    const char *greeting;
    GQuark      domain;
    int         code;
    const char *words;
  } cases[] = {
    { "554 5.3.2 No SMTP service here", 0, CACHET_NET_ERROR_SERVER, "554 5.3.2 No SMTP" },
    { "421 4.3.2 Too busy, try later", 0, CACHET_SMTP_ERROR_TEMPORARY, "421 4.3.2 Too busy" },
    { "HELLO THERE", 0, CACHET_NET_ERROR_PROTOCOL, "HELLO THERE" },
    { "+OK POP3 ready", 0, CACHET_NET_ERROR_PROTOCOL, "+OK POP3" },
    { "220-first line\r\n230 other code", 0, CACHET_NET_ERROR_PROTOCOL, "other code" },
  };

  cases[0].domain = CACHET_NET_ERROR;
  cases[1].domain = CACHET_SMTP_ERROR;
  cases[2].domain = cases[3].domain = cases[4].domain = CACHET_NET_ERROR;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config (f);
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GError) error = NULL;

      config.greeting = cases[i].greeting;
      fake = fake_smtp_new (&config);
      session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
      g_test_message ("%s -> %s", cases[i].greeting, error != NULL ? error->message : "");
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].words));
    }
}

static void
test_dead_server (Fixture      *f,
                  gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *replies[] = { "EHLO=HANGUP", NULL };

  /* The connection ends right after the greeting. */
  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
}

static void
test_garbled_ehlo (Fixture      *f,
                   gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *replies[] = { "EHLO=250-fake.example.test\r\nGARBAGE", NULL };

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_PROTOCOL);
}

static void
test_unreachable (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(CachetSmtpSession) session = cachet_smtp_session_new ();
  g_autoptr(GError) error = NULL;
  CachetServerSettings s = { 0 };

  /* A port that was free a moment ago, with nothing listening. */
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  s.host = (char *) "127.0.0.1";
  s.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  s.security = CACHET_SECURITY_TLS;
  g_assert_false (cachet_smtp_session_connect (session, &s, NULL, 5, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_UNREACHABLE);
  g_test_message ("%s", error->message);
}

/* AUTH ------------------------------------------------------------------------------- */

static void
test_auth_methods (Fixture      *f,
                   gconstpointer data)
{
  struct
  {
    const char      *offered;
    CachetAuthMethod method;
    const char      *sent;       /* the AUTH command, up to its argument */
  } cases[] = {
    { "PLAIN LOGIN CRAM-MD5", CACHET_AUTH_AUTO, "AUTH PLAIN " },
    { "LOGIN PLAIN", CACHET_AUTH_AUTO, "AUTH PLAIN " },
    { "CRAM-MD5 LOGIN", CACHET_AUTH_AUTO, "AUTH LOGIN" },
    { "CRAM-MD5", CACHET_AUTH_AUTO, "AUTH CRAM-MD5" },
    { "PLAIN LOGIN CRAM-MD5", CACHET_AUTH_SASL_PLAIN, "AUTH PLAIN " },
    { "PLAIN LOGIN CRAM-MD5", CACHET_AUTH_PASSWORD, "AUTH LOGIN" },
    { "PLAIN LOGIN CRAM-MD5", CACHET_AUTH_CRAM_MD5, "AUTH CRAM-MD5" },
    { "GSSAPI cram-md5", CACHET_AUTH_AUTO, "AUTH CRAM-MD5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config (f);
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GPtrArray) commands = NULL;

      config.auth = cases[i].offered;
      fake = fake_smtp_new (&config);
      session = connect_login (f, fake, CACHET_SECURITY_STARTTLS, cases[i].method);
      send_one (session);
      quit (session);
      commands = fake_smtp_wait_commands (fake);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (commands, 3), cases[i].sent));
      g_assert_cmpuint (fake_smtp_count (commands, "AUTH"), ==, 1);
      g_assert_cmpuint (fake_smtp_count (commands, "*"), ==, 0);
    }
}

static void
test_auth_unsupported (Fixture      *f,
                       gconstpointer data)
{
  struct
  {
    const char      *offered;
    CachetAuthMethod method;
  } cases[] = {
    { "PLAIN", CACHET_AUTH_CRAM_MD5 },
    { "CRAM-MD5", CACHET_AUTH_PASSWORD },
    { "LOGIN", CACHET_AUTH_SASL_PLAIN },
    { "PLAIN LOGIN", CACHET_AUTH_APOP },
    { "GSSAPI XOAUTH2", CACHET_AUTH_AUTO },
    { NULL, CACHET_AUTH_AUTO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FakeSmtpConfig config = base_config (f);
      g_autoptr(FakeSmtp) fake = NULL;
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GPtrArray) commands = NULL;
      g_autoptr(GError) error = NULL;

      config.auth = cases[i].offered;
      fake = fake_smtp_new (&config);
      session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, cases[i].method,
                                                 NULL, &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
      g_test_message ("%s", error->message);
      quit (session);
      commands = fake_smtp_wait_commands (fake);
      g_assert_cmpuint (fake_smtp_count (commands, "AUTH"), ==, 0);
    }
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  const CachetAuthMethod methods[] = { CACHET_AUTH_SASL_PLAIN, CACHET_AUTH_PASSWORD,
                                       CACHET_AUTH_CRAM_MD5 };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      FakeSmtpConfig config = base_config (f);
      g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
      g_autoptr(CachetSmtpSession) session = NULL;
      g_autoptr(GError) error = NULL;

      session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (cachet_smtp_session_login (session, USER, "wrong", methods[i], NULL,
                                                 &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "535 5.7.8"));
      g_clear_error (&error);
      /* The session stays usable: the right password now. */
      cachet_smtp_session_login (session, USER, PASSWORD, methods[i], NULL, &error);
      g_assert_no_error (error);
      send_one (session);
      quit (session);
    }
}

static void
test_auth_temporary (Fixture      *f,
                     gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *replies[] = { "AUTH=454 4.7.0 Temporary authentication failure", NULL };

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO, NULL,
                                             &error));
  g_assert_error (error, CACHET_SMTP_ERROR, CACHET_SMTP_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "454 4.7.0"));
}

static void
test_auth_odd_steps (Fixture      *f,
                     gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = NULL;
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  /* A challenge after the initial response: the exchange is cancelled with "*". */
  const char *replies[] = { "AUTH PLAIN=334 ", NULL };

  config.replies = replies;
  fake = fake_smtp_new (&config);
  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_SASL_PLAIN,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "*"), ==, 1);
}

static void
test_bad_credentials (Fixture      *f,
                      gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autoptr(CachetSmtpSession) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  session = try_connect (fake, CACHET_SECURITY_STARTTLS, f->ca_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cachet_smtp_session_login (session, "", PASSWORD, CACHET_AUTH_AUTO, NULL,
                                             &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (cachet_smtp_session_login (session, USER, "pass\r\nRSET", CACHET_AUTH_AUTO,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (cachet_smtp_session_login (session, USER, NULL, CACHET_AUTH_AUTO, NULL,
                                             &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  quit (session);
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "AUTH"), ==, 0);
}

/* The protocol trace ----------------------------------------------------------------- */

static GMutex trace_lock;
static GString *trace;        /* debug messages of cachet-smtp while a test wants them */

static GLogWriterOutput
trace_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if (message != NULL && g_strcmp0 (domain, "cachet-smtp") == 0 && (level & G_LOG_LEVEL_DEBUG))
    {
      g_mutex_lock (&trace_lock);
      if (trace != NULL)
        g_string_append_printf (trace, "%s\n", message);
      g_mutex_unlock (&trace_lock);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_trace_hides_secrets (Fixture      *f,
                          gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autofree char *text = NULL;
  g_autofree char *plain_b64 = NULL;
  g_autofree char *user_b64 = g_base64_encode ((const guchar *) USER, strlen (USER));
  g_autofree char *pass_b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  const char plain[] = "\0" USER "\0" PASSWORD;
  const CachetAuthMethod methods[] = { CACHET_AUTH_SASL_PLAIN, CACHET_AUTH_PASSWORD,
                                       CACHET_AUTH_CRAM_MD5 };

  g_setenv ("CACHET_PROTOCOL_TRACE", "1", TRUE);
  g_mutex_lock (&trace_lock);
  trace = g_string_new (NULL);
  g_mutex_unlock (&trace_lock);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(CachetSmtpSession) session = connect_login (f, fake, CACHET_SECURITY_STARTTLS,
                                                            methods[i]);
      send_one (session);
      quit (session);
    }
  g_unsetenv ("CACHET_PROTOCOL_TRACE");
  g_mutex_lock (&trace_lock);
  text = g_string_free (g_steal_pointer (&trace), FALSE);
  g_mutex_unlock (&trace_lock);

  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "C: AUTH PLAIN ****\n"));
  g_assert_nonnull (strstr (text, "C: AUTH LOGIN\n"));
  g_assert_nonnull (strstr (text, "C: AUTH CRAM-MD5\n"));
  g_assert_nonnull (strstr (text, "C: ****\n"));
  g_assert_nonnull (strstr (text, "S: 235 2.7.0 Authentication successful\n"));
  g_assert_nonnull (strstr (text, "C: MAIL FROM:<" USER ">"));
  g_assert_nonnull (strstr (text, "S: 250-PIPELINING\n"));
  plain_b64 = g_base64_encode ((const guchar *) plain, sizeof plain - 1);
  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, plain_b64));
  g_assert_null (strstr (text, user_b64));
  g_assert_null (strstr (text, pass_b64));
  /* Message contents are not traced. */
  g_assert_null (strstr (text, "hello"));
}

/* Closing ---------------------------------------------------------------------------- */

static void
test_quit_and_free (Fixture      *f,
                    gconstpointer data)
{
  FakeSmtpConfig config = base_config (f);
  g_autoptr(FakeSmtp) fake = fake_smtp_new (&config);
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(CachetSmtpSession) session = connect_login (f, fake, CACHET_SECURITY_STARTTLS,
                                                          CACHET_AUTH_AUTO);
    quit (session);
    /* A session is used once. */
    g_assert_false (cachet_smtp_session_quit (session, &error));
    g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
    g_clear_error (&error);
    g_assert_false (cachet_smtp_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO,
                                               NULL, &error));
    g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  }
  {
    /* Freed without QUIT: nothing more is sent. */
    g_autoptr(CachetSmtpSession) session = connect_login (f, fake, CACHET_SECURITY_STARTTLS,
                                                          CACHET_AUTH_AUTO);
  }
  commands = fake_smtp_wait_commands (fake);
  g_assert_cmpuint (fake_smtp_count (commands, "QUIT"), ==, 1);
  g_assert_cmpuint (index_of (commands, "QUIT"), <, commands->len - 1);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (trace_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/net/smtp/session/starttls", test_starttls);
  ADD ("/net/smtp/session/implicit-tls", test_implicit_tls);
  ADD ("/net/smtp/session/wrong-host", test_wrong_host);
  ADD ("/net/smtp/session/self-signed-pin", test_self_signed_pin);
  ADD ("/net/smtp/session/starttls-missing", test_starttls_missing);
  ADD ("/net/smtp/session/starttls-refused", test_starttls_refused);
  ADD ("/net/smtp/session/starttls-injection", test_starttls_injection);
  ADD ("/net/smtp/session/plain", test_plain);
  ADD ("/net/smtp/session/helo-fallback", test_helo_fallback);
  ADD ("/net/smtp/session/greeting-refused", test_greeting_refused);
  ADD ("/net/smtp/session/dead-server", test_dead_server);
  ADD ("/net/smtp/session/garbled-ehlo", test_garbled_ehlo);
  ADD ("/net/smtp/session/auth-methods", test_auth_methods);
  ADD ("/net/smtp/session/auth-unsupported", test_auth_unsupported);
  ADD ("/net/smtp/session/wrong-password", test_wrong_password);
  ADD ("/net/smtp/session/auth-temporary", test_auth_temporary);
  ADD ("/net/smtp/session/auth-odd-steps", test_auth_odd_steps);
  ADD ("/net/smtp/session/bad-credentials", test_bad_credentials);
  ADD ("/net/smtp/session/trace-hides-secrets", test_trace_hides_secrets);
  ADD ("/net/smtp/session/quit-and-free", test_quit_and_free);
#undef ADD
  g_test_add_func ("/net/smtp/session/unreachable", test_unreachable);

  return g_test_run ();
}
