/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cachet-net-error.h"
#include "cachet-pop3-session.h"
#include "fake-pop3.h"
#include "net-test-certs.h"

/* The POP3 session against the scripted server of fake-pop3.c. */

static gboolean take_warning (const char *words);

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
  f->dir = g_dir_make_tmp ("cachet-pop3-XXXXXX", NULL);
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

static FakePop3Config
base_config (Fixture *f)
{
  FakePop3Config c = { 0 };

  c.certificate = f->tls;
  c.user = USER;
  c.password = PASSWORD;
  c.stls = TRUE;
  return c;
}

static char *
simple_text (guint i)
{
  return g_strdup_printf ("From: bob@example.test\nSubject: message %u\n\n"
                          "body of %u\n.dotted line\n..two dots\n.\nend\n", i, i);
}

static void
add_simple (FakePop3 *fake,
            guint     count)
{
  for (guint i = 1; i <= count; i++)
    {
      g_autofree char *uidl = g_strdup_printf ("uid-%04u", i);
      g_autofree char *text = simple_text (i);
      g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
      fake_pop3_add_message (fake, uidl, b);
    }
}

static CachetPop3Session *
try_connect (FakePop3       *fake,
             const char     *host,
             CachetSecurity  security,
             const char     *ca_file,
             const char     *pin,
             GError        **error)
{
  CachetServerSettings s = { 0 };
  CachetPop3Session *session = cachet_pop3_session_new ();

  s.host = (char *) host;
  s.port = fake_pop3_get_port (fake);
  s.security = security;
  s.user = (char *) USER;
  s.auth = CACHET_AUTH_AUTO;
  s.pinned_sha256 = (char *) pin;
  if (!cachet_pop3_session_connect (session, &s, ca_file, 30, NULL, error))
    g_assert_false (cachet_pop3_session_login (session, USER, PASSWORD, CACHET_AUTH_AUTO,
                                               NULL, NULL));
  return session;
}

static CachetPop3Session *
connect_login (FakePop3         *fake,
               CachetSecurity    security,
               const char       *ca_file,
               CachetAuthMethod  method)
{
  g_autoptr(GError) error = NULL;
  CachetPop3Session *session = try_connect (fake, "127.0.0.1", security, ca_file, NULL,
                                            &error);

  g_assert_no_error (error);
  cachet_pop3_session_login (session, USER, PASSWORD, method, NULL, &error);
  g_assert_no_error (error);
  return session;
}

static gboolean
has_command (GPtrArray  *commands,
             const char *prefix)
{
  for (guint i = 0; i < commands->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (commands, i), prefix))
      return TRUE;
  return FALSE;
}

/* A sink that keeps what it gets. */
typedef struct
{
  GMutex      lock;
  GCond       cond;
  GHashTable *data;        /* number -> GString */
  GArray     *done;        /* numbers, in the order they were finished */
  gsize       max_chunk;
  gsize       total;
  guint       fail_number; /* refuse data of this message */
  GChecksum  *checksum;    /* when set, data goes here instead of into data */
  guint       chunks;
  guint       watch_number;
  guint       watched_chunks; /* chunks of watch_number */
} Collector;

static void
string_free (gpointer data)
{
  g_string_free (data, TRUE);
}

static void
collector_init (Collector *c)
{
  memset (c, 0, sizeof *c);
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
  c->data = g_hash_table_new_full (NULL, NULL, NULL, string_free);
  c->done = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
collector_clear (Collector *c)
{
  g_hash_table_unref (c->data);
  g_array_unref (c->done);
  g_clear_pointer (&c->checksum, g_checksum_free);
  g_mutex_clear (&c->lock);
  g_cond_clear (&c->cond);
}

static const char *
collected (Collector *c,
           guint      number)
{
  GString *s = g_hash_table_lookup (c->data, GUINT_TO_POINTER (number));

  return s != NULL ? s->str : NULL;
}

static gboolean
collector_sink (guint         number,
                const guint8 *data,
                gsize         len,
                gboolean      done,
                gpointer      user_data,
                GError      **error)
{
  Collector *c = user_data;

  g_mutex_lock (&c->lock);
  if (number == c->fail_number)
    {
      g_mutex_unlock (&c->lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "disk full (test)");
      return FALSE;
    }
  if (done)
    {
      g_assert_null (data);
      g_assert_cmpuint (len, ==, 0);
      g_array_append_val (c->done, number);
    }
  else
    {
      g_assert_cmpuint (len, >, 0);
      c->max_chunk = MAX (c->max_chunk, len);
      c->total += len;
      c->chunks++;
      if (number == c->watch_number)
        c->watched_chunks++;
      if (c->checksum != NULL)
        g_checksum_update (c->checksum, data, len);
      else
        {
          GString *s = g_hash_table_lookup (c->data, GUINT_TO_POINTER (number));
          if (s == NULL)
            g_hash_table_insert (c->data, GUINT_TO_POINTER (number), s = g_string_new (NULL));
          g_string_append_len (s, (const char *) data, len);
        }
    }
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
  return TRUE;
}

/* Connecting and certificates -------------------------------------------------------- */

static void
check_list_and_retrieve (CachetPop3Session *session,
                         guint              count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cachet_pop3_session_list (session, NULL, &error);
  g_autofree guint *numbers = g_new (guint, count);
  Collector c;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, count);
  g_assert_true (cachet_pop3_session_has_uidl (session));
  for (guint i = 0; i < count; i++)
    {
      CachetPop3Entry *e = g_ptr_array_index (entries, i);
      g_autofree char *uidl = g_strdup_printf ("uid-%04u", i + 1);

      g_assert_cmpuint (e->number, ==, i + 1);
      g_assert_cmpstr (e->uidl, ==, uidl);
      g_assert_cmpuint (e->size, >, 0);
      numbers[i] = i + 1;
    }

  collector_init (&c);
  cachet_pop3_session_retrieve (session, numbers, count, FALSE, collector_sink, &c, NULL,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c.done->len, ==, count);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *expected = simple_text (i + 1);

      g_assert_cmpuint (g_array_index (c.done, guint, i), ==, i + 1);
      g_assert_cmpstr (collected (&c, i + 1), ==, expected);
    }
  collector_clear (&c);
}

static void
test_plain (Fixture      *f,
            gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  config.stls = FALSE;
  fake = fake_pop3_new (&config);
  add_simple (fake, 3);
  session = connect_login (fake, CACHET_SECURITY_PLAIN, NULL, CACHET_AUTH_AUTO);
  g_assert_null (cachet_pop3_session_get_tls_check (session));
  g_assert_true (cachet_pop3_session_has_capability (session, "UIDL"));
  g_assert_true (cachet_pop3_session_has_capability (session, "uidl"));
  g_assert_false (cachet_pop3_session_has_capability (session, "PIPELINING"));
  check_list_and_retrieve (session, 3);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);

  commands = fake_pop3_wait_commands (fake);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==, "CAPA");
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "USER " USER);
  g_assert_cmpstr (g_ptr_array_index (commands, 2), ==, "PASS " PASSWORD);
  g_assert_true (has_command (commands, "QUIT"));
  g_assert_cmpuint (fake_pop3_count_messages (fake), ==, 3);
}

static void
test_stls_verified (Fixture      *f,
                    gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = fake_pop3_new (&config);
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  const CachetTlsCheck *check;

  add_simple (fake, 2);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_PASSWORD);
  check = cachet_pop3_session_get_tls_check (session);
  g_assert_nonnull (check);
  g_assert_true (check->trusted);
  g_assert_false (check->pinned);
  /* CAPA again after TLS: no STLS any more. */
  g_assert_false (cachet_pop3_session_has_capability (session, "STLS"));
  check_list_and_retrieve (session, 2);
  g_clear_pointer (&session, cachet_pop3_session_free);

  commands = fake_pop3_wait_commands (fake);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==, "CAPA");
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "STLS");
  g_assert_cmpstr (g_ptr_array_index (commands, 2), ==, "CAPA");
  g_assert_cmpstr (g_ptr_array_index (commands, 3), ==, "USER " USER);
}

static void
test_pop3s_verified (Fixture      *f,
                     gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;

  config.tls = FAKE_TLS_IMPLICIT;
  config.stls = FALSE;
  fake = fake_pop3_new (&config);
  add_simple (fake, 2);
  session = connect_login (fake, CACHET_SECURITY_TLS, f->ca_file, CACHET_AUTH_AUTO);
  g_assert_true (cachet_pop3_session_get_tls_check (session)->trusted);
  check_list_and_retrieve (session, 2);
}

/* Connects, expects @code, and that no credentials reached the server. */
static CachetPop3Session *
expect_refused (FakePop3       *fake,
                const char     *host,
                CachetSecurity  security,
                const char     *ca_file,
                const char     *pin,
                gint            code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  CachetPop3Session *session = try_connect (fake, host, security, ca_file, pin, &error);

  g_assert_error (error, CACHET_NET_ERROR, code);
  g_test_message ("refused as expected: %s", error->message);
  commands = fake_pop3_wait_commands (fake);
  g_assert_false (has_command (commands, "USER"));
  g_assert_false (has_command (commands, "PASS"));
  g_assert_false (has_command (commands, "AUTH"));
  g_assert_false (has_command (commands, "APOP"));
  return session;
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
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  const CachetTlsCheck *check;

  config.certificate = tls;
  config.tls = FAKE_TLS_IMPLICIT;
  fake = fake_pop3_new (&config);
  session = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_TLS, f->ca_file, NULL,
                            CACHET_NET_ERROR_CERTIFICATE);
  check = cachet_pop3_session_get_tls_check (session);
  g_assert_nonnull (check);
  g_assert_false (check->trusted);
  g_assert_cmpuint (check->problems, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* Nothing at all was sent after the handshake, not even CAPA. */
  {
    g_autoptr(GPtrArray) commands = fake_pop3_wait_commands (fake);
    g_assert_cmpuint (commands->len, ==, 0);
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
  g_autoptr(TestCert) another = test_cert_new (&o);
  g_autoptr(GTlsCertificate) tls = test_cert_get_tls (self_signed, NULL);
  g_autofree char *another_sha = test_cert_get_sha256 (another);
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) refused = NULL;
  g_autoptr(CachetPop3Session) changed = NULL;
  g_autoptr(CachetPop3Session) accepted = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(GError) error = NULL;

  config.certificate = tls;
  fake = fake_pop3_new (&config);
  add_simple (fake, 1);

  /* Refused first, with the fingerprint to show the user... */
  refused = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                            CACHET_NET_ERROR_CERTIFICATE);
  g_assert_true (cachet_pop3_session_get_tls_check (refused)->problems
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
  pin = g_strdup (cachet_pop3_session_get_tls_check (refused)->sha256_hex);

  /* ...a different pin is a changed certificate... */
  changed = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file,
                            another_sha, CACHET_NET_ERROR_CERTIFICATE_CHANGED);
  g_assert_true (cachet_pop3_session_get_tls_check (changed)->pin_mismatch);

  /* ...and once the user accepted it, the pin lets it through. */
  accepted = try_connect (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, pin,
                          &error);
  g_assert_no_error (error);
  g_assert_true (cachet_pop3_session_get_tls_check (accepted)->pinned);
  cachet_pop3_session_login (accepted, USER, PASSWORD, CACHET_AUTH_AUTO, NULL, &error);
  g_assert_no_error (error);
  check_list_and_retrieve (accepted, 1);
}

static void
test_starttls_missing (Fixture      *f,
                       gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  config.stls = FALSE;
  fake = fake_pop3_new (&config);
  session = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                            CACHET_NET_ERROR_STARTTLS_MISSING);
  commands = fake_pop3_wait_commands (fake);
  g_assert_cmpuint (commands->len, ==, 1);
  g_assert_false (has_command (commands, "PASS"));
  g_assert_false (has_command (commands, "USER"));
}

static void
test_starttls_refused (Fixture      *f,
                       gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  config.stls = FALSE;
  config.refuse_stls = TRUE;
  fake = fake_pop3_new (&config);
  session = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                            CACHET_NET_ERROR_STARTTLS_MISSING);
  commands = fake_pop3_wait_commands (fake);
  g_assert_true (has_command (commands, "STLS"));
  g_assert_false (has_command (commands, "PASS"));
}

static void
test_stls_injection (Fixture      *f,
                     gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;

  config.stls = FALSE;
  config.inject_after_stls = TRUE;
  fake = fake_pop3_new (&config);
  session = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                            CACHET_NET_ERROR_TLS);
}

static void
test_tls_on_plain_port (Fixture      *f,
                        gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = fake_pop3_new (&config);
  g_autoptr(CachetPop3Session) session = NULL;

  /* The server talks plain POP3 where TLS was expected. */
  session = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_TLS, f->ca_file, NULL,
                            CACHET_NET_ERROR_TLS);
}

static void
test_sni (Fixture      *f,
          gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GError) error = NULL;
  CachetPop3Session *session;

  config.tls = FAKE_TLS_CAPTURE_HELLO;
  fake = fake_pop3_new (&config);

  session = try_connect (fake, "localhost", CACHET_SECURITY_TLS, NULL, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
  g_clear_error (&error);
  cachet_pop3_session_free (session);
  g_ptr_array_unref (fake_pop3_wait_commands (fake));
  hello = fake_pop3_get_hello (fake);
  g_assert_nonnull (hello);
  g_assert_nonnull (g_bytes_get_size (hello) > 9
                    ? memmem (g_bytes_get_data (hello, NULL), g_bytes_get_size (hello),
                              "localhost", 9)
                    : NULL);
  g_clear_pointer (&hello, g_bytes_unref);

  /* No server name for an address (RFC 6066). */
  session = try_connect (fake, "127.0.0.1", CACHET_SECURITY_TLS, NULL, NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
  cachet_pop3_session_free (session);
  g_ptr_array_unref (fake_pop3_wait_commands (fake));
  hello = fake_pop3_get_hello (fake);
  g_assert_nonnull (hello);
  g_assert_null (memmem (g_bytes_get_data (hello, NULL), g_bytes_get_size (hello),
                         "127.0.0.1", 9));
}

static void
test_unreachable (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(CachetPop3Session) session = cachet_pop3_session_new ();
  g_autoptr(GError) error = NULL;
  CachetServerSettings s = { 0 };

  /* A port nobody listens on: bound but not listening. */
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  s.host = (char *) "127.0.0.1";
  s.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  s.security = CACHET_SECURITY_PLAIN;
  g_assert_false (cachet_pop3_session_connect (session, &s, NULL, 5, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_UNREACHABLE);
  g_clear_error (&error);
  /* A session is for one connection. */
  g_assert_false (cachet_pop3_session_connect (session, &s, NULL, 5, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_FAILED);
}

static void
test_greeting_refused (Fixture      *f,
                       gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(CachetPop3Session) session2 = NULL;
  FakePop3Config config2 = base_config (f);
  g_autoptr(FakePop3) fake2 = NULL;

  config.greeting = "-ERR [SYS/TEMP] Too many connections";
  fake = fake_pop3_new (&config);
  session = expect_refused (fake, "127.0.0.1", CACHET_SECURITY_PLAIN, NULL, NULL,
                            CACHET_NET_ERROR_SERVER);

  config2.greeting = "* OK IMAP4rev1 ready";
  fake2 = fake_pop3_new (&config2);
  session2 = expect_refused (fake2, "127.0.0.1", CACHET_SECURITY_PLAIN, NULL, NULL,
                             CACHET_NET_ERROR_PROTOCOL);
}

/* Logging in ------------------------------------------------------------------------- */

static void
test_sasl_plain (Fixture      *f,
                 gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  config.sasl_plain = TRUE;
  fake = fake_pop3_new (&config);
  add_simple (fake, 1);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  check_list_and_retrieve (session, 1);
  g_clear_pointer (&session, cachet_pop3_session_free);
  commands = fake_pop3_wait_commands (fake);
  g_assert_true (has_command (commands, "AUTH PLAIN "));
  g_assert_false (has_command (commands, "USER"));
  g_assert_false (has_command (commands, "PASS"));
}

static void
test_sasl_plain_unsupported (Fixture      *f,
                             gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = fake_pop3_new (&config);
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;

  session = try_connect (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                         &error);
  g_assert_no_error (error);
  g_assert_false (cachet_pop3_session_login (session, USER, PASSWORD, CACHET_AUTH_SASL_PLAIN,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
}

static void
test_apop (Fixture      *f,
           gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(FakePop3) fake2 = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(CachetPop3Session) session2 = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  config.timestamp = "<1896.697170952@dbc.mtview.ca.us>";
  fake = fake_pop3_new (&config);
  add_simple (fake, 1);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_APOP);
  check_list_and_retrieve (session, 1);
  g_clear_pointer (&session, cachet_pop3_session_free);
  commands = fake_pop3_wait_commands (fake);
  g_assert_true (has_command (commands, "APOP " USER " "));
  g_assert_false (has_command (commands, "PASS"));

  /* No challenge in the greeting: APOP is impossible and nothing is sent. */
  config.timestamp = NULL;
  fake2 = fake_pop3_new (&config);
  session2 = try_connect (fake2, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                          &error);
  g_assert_no_error (error);
  g_assert_false (cachet_pop3_session_login (session2, USER, PASSWORD, CACHET_AUTH_APOP,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
  g_clear_pointer (&session2, cachet_pop3_session_free);
  g_clear_pointer (&commands, g_ptr_array_unref);
  commands = fake_pop3_wait_commands (fake2);
  g_assert_false (has_command (commands, "APOP"));
  g_assert_false (has_command (commands, "PASS"));
}

static void
login_error (Fixture          *f,
             const char       *reply,
             const char       *password,
             CachetAuthMethod  method,
             gint              code,
             const char       *words)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;

  config.login_reply = reply;
  config.sasl_plain = TRUE;
  fake = fake_pop3_new (&config);
  session = try_connect (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                         &error);
  g_assert_no_error (error);
  g_assert_false (cachet_pop3_session_login (session, USER, password, method, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
  g_assert_null (strstr (error->message, password));
}

static void
test_wrong_password (Fixture      *f,
                     gconstpointer data)
{
  login_error (f, NULL, "wrong-password", CACHET_AUTH_PASSWORD, CACHET_NET_ERROR_AUTH,
               "[AUTH] Authentication failed.");
  login_error (f, NULL, "wrong-password", CACHET_AUTH_AUTO, CACHET_NET_ERROR_AUTH,
               "[AUTH] Authentication failed.");
}

static void
test_in_use (Fixture      *f,
             gconstpointer data)
{
  login_error (f, "-ERR [IN-USE] Mailbox is locked by another POP3 session", PASSWORD,
               CACHET_AUTH_PASSWORD, CACHET_NET_ERROR_LOCKED, "locked by another");
  login_error (f, "-ERR [SYS/TEMP] Internal error occurred", PASSWORD,
               CACHET_AUTH_SASL_PLAIN, CACHET_NET_ERROR_SERVER, "Internal error");
  login_error (f, "-ERR [LOGIN-DELAY] Wait a little", PASSWORD,
               CACHET_AUTH_PASSWORD, CACHET_NET_ERROR_SERVER, "Wait a little");
}

static void
test_bad_credentials (Fixture      *f,
                      gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = fake_pop3_new (&config);
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  session = try_connect (fake, "127.0.0.1", CACHET_SECURITY_STARTTLS, f->ca_file, NULL,
                         &error);
  g_assert_no_error (error);
  /* A line break would smuggle in a second command. */
  g_assert_false (cachet_pop3_session_login (session, USER, "x\r\nDELE 1", CACHET_AUTH_AUTO,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (cachet_pop3_session_login (session, "a\nb", PASSWORD, CACHET_AUTH_AUTO,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (cachet_pop3_session_login (session, "", PASSWORD, CACHET_AUTH_AUTO,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (cachet_pop3_session_login (session, "a b", PASSWORD, CACHET_AUTH_APOP,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
  g_clear_pointer (&session, cachet_pop3_session_free);
  commands = fake_pop3_wait_commands (fake);
  g_assert_false (has_command (commands, "USER"));
  g_assert_false (has_command (commands, "DELE"));
}

/* Listing ---------------------------------------------------------------------------- */

static void
test_no_uidl (Fixture      *f,
              gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  config.no_uidl = TRUE;
  fake = fake_pop3_new (&config);
  add_simple (fake, 4);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  g_assert_false (cachet_pop3_session_has_uidl (session));
  for (guint i = 0; i < entries->len; i++)
    g_assert_null (((CachetPop3Entry *) g_ptr_array_index (entries, i))->uidl);
}

static void
test_malformed_uidl (Fixture      *f,
                     gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "good-1", NULL, "good-3", NULL, NULL, NULL };

  config.pipelining = TRUE;
  config.uidl_body = "1 good-1\r\n"
                     "2 has a space\r\n"
                     "3 good-3\r\n"
                     "4 same\r\n"
                     "5 same\r\n"
                     "77 unknown\r\n"
                     "junk\r\n"
                     "..6\r\n";
  fake = fake_pop3_new (&config);
  add_simple (fake, 6);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (take_warning ("6 unique ids"));
  g_assert_true (cachet_pop3_session_has_uidl (session));
  g_assert_cmpuint (entries->len, ==, 6);
  for (guint i = 0; i < entries->len; i++)
    g_assert_cmpstr (((CachetPop3Entry *) g_ptr_array_index (entries, i))->uidl, ==,
                     expected[i]);
  /* The session is still in step. */
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 6);
  g_assert_true (take_warning ("6 unique ids"));
}

/* Retrieving ------------------------------------------------------------------------- */

static void
retrieve_fails (Fixture         *f,
                FakePop3Config  *config,
                gboolean         pipelining,
                gint             code,
                guint            done_expected)
{
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint numbers[] = { 1, 2, 3, 4 };
  Collector c;

  config->pipelining = pipelining;
  fake = fake_pop3_new (config);
  add_simple (fake, 2);
  fake_pop3_add_generated (fake, "uid-big", 300000);
  add_simple (fake, 1);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);

  collector_init (&c);
  g_assert_false (cachet_pop3_session_retrieve (session, numbers, 4, FALSE, collector_sink,
                                                &c, NULL, &error));
  if (code < 0)
    g_assert_error (error, G_IO_ERROR, -code);
  else
    g_assert_error (error, CACHET_NET_ERROR, code);
  g_test_message ("%s", error->message);
  /* The cut message never got "done". */
  g_assert_cmpuint (c.done->len, ==, done_expected);
  for (guint i = 0; i < c.done->len; i++)
    g_assert_cmpuint (g_array_index (c.done, guint, i), ==, i + 1);
  collector_clear (&c);
}

static void
test_drop_mid_retr (Fixture      *f,
                    gconstpointer data)
{
  for (int pipelining = 0; pipelining <= 1; pipelining++)
    {
      FakePop3Config config = base_config (f);

      config.drop_in_retr = 3;
      retrieve_fails (f, &config, pipelining, CACHET_NET_ERROR_DISCONNECTED, 2);
    }
}

static void
test_truncated_reply (Fixture      *f,
                      gconstpointer data)
{
  for (int pipelining = 0; pipelining <= 1; pipelining++)
    {
      FakePop3Config config = base_config (f);
      FakePop3Config config2 = base_config (f);

      config.truncate_retr = 2;
      retrieve_fails (f, &config, pipelining, CACHET_NET_ERROR_DISCONNECTED, 1);
      config2.garbage_retr = 2;
      retrieve_fails (f, &config2, pipelining, CACHET_NET_ERROR_PROTOCOL, 1);
    }
}

/* A refused RETR or a failing sink stops the transfer; the session stays usable. */
static void
stop_and_go_on (Fixture  *f,
                gboolean  pipelining,
                gboolean  sink_fails)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  guint numbers[] = { 1, 2, 3, 4 };
  guint first = 1;
  Collector c;

  config.pipelining = pipelining;
  if (!sink_fails)
    config.refuse_retr = 2;
  fake = fake_pop3_new (&config);
  add_simple (fake, 4);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);

  collector_init (&c);
  if (sink_fails)
    c.fail_number = 2;
  g_assert_false (cachet_pop3_session_retrieve (session, numbers, 4, FALSE, collector_sink,
                                                &c, NULL, &error));
  if (sink_fails)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  else
    {
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_SERVER);
      g_assert_nonnull (strstr (error->message, "cannot read that message now"));
    }
  g_clear_error (&error);
  g_assert_cmpuint (c.done->len, ==, 1);
  g_assert_null (collected (&c, 3));
  g_assert_null (collected (&c, 4));
  collector_clear (&c);

  /* Still in step: delete what was stored, and finish. */
  cachet_pop3_session_delete (session, &first, 1, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);
  commands = fake_pop3_wait_commands (fake);
  g_assert_true (has_command (commands, "QUIT"));
  g_assert_cmpuint (fake_pop3_count_messages (fake), ==, 3);
}

static void
test_refused_retr (Fixture      *f,
                   gconstpointer data)
{
  stop_and_go_on (f, FALSE, FALSE);
  stop_and_go_on (f, TRUE, FALSE);
}

static void
test_sink_error (Fixture      *f,
                 gconstpointer data)
{
  stop_and_go_on (f, FALSE, TRUE);
  stop_and_go_on (f, TRUE, TRUE);
}

static void
test_top_headers (Fixture      *f,
                  gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = fake_pop3_new (&config);
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;
  guint numbers[] = { 2 };
  Collector c;

  add_simple (fake, 2);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  collector_init (&c);
  cachet_pop3_session_retrieve (session, numbers, 1, TRUE, collector_sink, &c, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (collected (&c, 2), ==, "From: bob@example.test\nSubject: message 2\n\n");
  g_assert_cmpuint (c.done->len, ==, 1);
  collector_clear (&c);
}

static void
big_message_subprocess (Fixture *f)
{
  const gsize size = 20 * 1024 * 1024;
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GChecksum) expected = g_checksum_new (G_CHECKSUM_SHA256);
  gsize expected_len = fake_pop3_generated_content (size, expected);
  guint number = 1;
  struct rusage before, after;
  Collector c;

  config.stls = FALSE;
  config.pipelining = TRUE;
  fake = fake_pop3_new (&config);
  fake_pop3_add_generated (fake, "uid-big", size);
  session = connect_login (fake, CACHET_SECURITY_PLAIN, NULL, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((CachetPop3Entry *) g_ptr_array_index (entries, 0))->size, >, size);

  collector_init (&c);
  c.checksum = g_checksum_new (G_CHECKSUM_SHA256);
  getrusage (RUSAGE_SELF, &before);
  cachet_pop3_session_retrieve (session, &number, 1, FALSE, collector_sink, &c, NULL, &error);
  getrusage (RUSAGE_SELF, &after);
  g_assert_no_error (error);

  g_assert_cmpuint (c.done->len, ==, 1);
  g_assert_cmpuint (c.total, ==, expected_len);
  g_assert_cmpstr (g_checksum_get_string (c.checksum), ==, g_checksum_get_string (expected));
  /* Streamed in pieces, never held whole: the peak grows by far less than the message. */
  g_assert_cmpuint (c.max_chunk, <=, 64 * 1024);
  g_assert_cmpuint (c.chunks, >, 100);
  g_test_message ("peak RSS %ld KiB -> %ld KiB", before.ru_maxrss, after.ru_maxrss);
  g_assert_cmpint (after.ru_maxrss - before.ru_maxrss, <, 8 * 1024);
  collector_clear (&c);
}

static void
test_big_message (Fixture      *f,
                  gconstpointer data)
{
  /* In a process of its own, so that the peak memory is this test's. */
  if (g_test_subprocess ())
    {
      big_message_subprocess (f);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
many_messages (Fixture  *f,
               gboolean  pipelining)
{
  const guint count = 2000;
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint *numbers = g_new (guint, count);
  g_autoptr(GChecksum) one = g_checksum_new (G_CHECKSUM_SHA256);
  gsize one_len = fake_pop3_generated_content (8000, one);
  Collector c;

  config.pipelining = pipelining;
  fake = fake_pop3_new (&config);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *uidl = g_strdup_printf ("uid-%05u", i + 1);
      fake_pop3_add_generated (fake, uidl, 8000);
    }
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, count);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *uidl = g_strdup_printf ("uid-%05u", i + 1);
      g_assert_cmpstr (((CachetPop3Entry *) g_ptr_array_index (entries, i))->uidl, ==, uidl);
      numbers[i] = i + 1;
    }

  collector_init (&c);
  cachet_pop3_session_retrieve (session, numbers, count, FALSE, collector_sink, &c, NULL,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c.done->len, ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpuint (g_array_index (c.done, guint, i), ==, i + 1);
  g_assert_cmpuint (c.total, ==, count * one_len);
  for (guint i = 1; i <= count; i += 499)
    {
      g_autoptr(GChecksum) got = g_checksum_new (G_CHECKSUM_SHA256);
      const char *text = collected (&c, i);

      g_checksum_update (got, (const guchar *) text, strlen (text));
      g_assert_cmpstr (g_checksum_get_string (got), ==, g_checksum_get_string (one));
    }
  collector_clear (&c);

  cachet_pop3_session_delete (session, numbers, count, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);
  g_ptr_array_unref (fake_pop3_wait_commands (fake));
  g_assert_cmpuint (fake_pop3_count_messages (fake), ==, 0);

  /* With PIPELINING commands arrive in batches; without, one at a time. */
  g_test_message ("largest batch of commands: %u", fake_pop3_get_max_batch (fake));
  if (pipelining)
    g_assert_cmpuint (fake_pop3_get_max_batch (fake), >, 1);
  else
    g_assert_cmpuint (fake_pop3_get_max_batch (fake), ==, 1);
}

static void
test_many_pipelined (Fixture      *f,
                     gconstpointer data)
{
  many_messages (f, TRUE);
}

static void
test_many_sequential (Fixture      *f,
                      gconstpointer data)
{
  many_messages (f, FALSE);
}

static void
test_free_without_quit (Fixture      *f,
                        gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = fake_pop3_new (&config);
  CachetPop3Session *session;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  guint numbers[] = { 1, 2 };

  add_simple (fake, 3);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_delete (session, numbers, 2, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_free (session);

  commands = fake_pop3_wait_commands (fake);
  g_assert_true (has_command (commands, "DELE 2"));
  g_assert_false (has_command (commands, "QUIT"));
  g_assert_cmpuint (fake_pop3_count_messages (fake), ==, 3);
}

/* Cancellation and timeouts ---------------------------------------------------------- */

typedef struct
{
  Collector    *collector;
  GCancellable *cancellable;
} CancelJob;

static gpointer
cancel_when_data_cb (gpointer data)
{
  CancelJob *job = data;

  g_mutex_lock (&job->collector->lock);
  while (job->collector->watched_chunks == 0)
    g_cond_wait (&job->collector->cond, &job->collector->lock);
  g_mutex_unlock (&job->collector->lock);
  /* Let the reader block on the silent server before cancelling. */
  g_usleep (G_USEC_PER_SEC / 5);
  g_cancellable_cancel (job->cancellable);
  return NULL;
}

static void
test_cancel_retr (Fixture      *f,
                  gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint numbers[] = { 1, 2 };
  CancelJob job;
  GThread *thread;
  Collector c;

  config.stall_in_retr = 2;
  config.pipelining = TRUE;
  fake = fake_pop3_new (&config);
  add_simple (fake, 1);
  fake_pop3_add_generated (fake, "uid-stall", 5 * 1024 * 1024);
  session = connect_login (fake, CACHET_SECURITY_STARTTLS, f->ca_file, CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);

  collector_init (&c);
  job.collector = &c;
  job.cancellable = cancellable;
  /* Wait for message 2's first data, not message 1's. */
  c.watch_number = 2;
  thread = g_thread_new ("canceller", cancel_when_data_cb, &job);
  g_assert_false (cachet_pop3_session_retrieve (session, numbers, 2, FALSE, collector_sink,
                                                &c, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
  g_assert_cmpuint (c.done->len, ==, 1);
  g_assert_cmpuint (g_array_index (c.done, guint, 0), ==, 1);
  collector_clear (&c);
  g_clear_error (&error);

  /* The session is finished. */
  g_assert_null (cachet_pop3_session_list (session, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
}

static gpointer
cancel_later_cb (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 5);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_connecting (Fixture      *f,
                        gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  /* Waiting for the greeting (STARTTLS, plain) and in the TLS handshake (TLS). */
  const CachetSecurity security[] = { CACHET_SECURITY_STARTTLS, CACHET_SECURITY_TLS };

  config.silent = TRUE;
  fake = fake_pop3_new (&config);
  for (guint i = 0; i < G_N_ELEMENTS (security); i++)
    {
      g_autoptr(CachetPop3Session) session = cachet_pop3_session_new ();
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      CachetServerSettings s = { 0 };
      GThread *thread;

      s.host = (char *) "127.0.0.1";
      s.port = fake_pop3_get_port (fake);
      s.security = security[i];
      thread = g_thread_new ("canceller", cancel_later_cb, cancellable);
      /* The timeout is far away: only the cancellation can end this. */
      g_assert_false (cachet_pop3_session_connect (session, &s, f->ca_file, 600, cancellable,
                                                   &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_thread_join (thread);

      /* Already cancelled: nothing happens at all. */
      g_clear_pointer (&session, cachet_pop3_session_free);
      g_clear_error (&error);
      session = cachet_pop3_session_new ();
      g_assert_false (cachet_pop3_session_connect (session, &s, NULL, 600, cancellable,
                                                   &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

static void
test_timeout (Fixture      *f,
              gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autoptr(CachetPop3Session) session = cachet_pop3_session_new ();
  g_autoptr(GError) error = NULL;
  CachetServerSettings s = { 0 };

  config.silent = TRUE;
  fake = fake_pop3_new (&config);
  s.host = (char *) "127.0.0.1";
  s.port = fake_pop3_get_port (fake);
  s.security = CACHET_SECURITY_PLAIN;
  g_assert_false (cachet_pop3_session_connect (session, &s, NULL, 1, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (error->message, "stopped answering"));

  /* A TLS handshake that never ends times out too. */
  g_clear_pointer (&session, cachet_pop3_session_free);
  g_clear_error (&error);
  session = cachet_pop3_session_new ();
  s.security = CACHET_SECURITY_TLS;
  g_assert_false (cachet_pop3_session_connect (session, &s, NULL, 1, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
}

/* The protocol trace ----------------------------------------------------------------- */

static GMutex trace_lock;
static GString *trace;        /* debug messages of cachet-pop3 while a test wants them */
static GString *warnings;     /* warnings of cachet-pop3, always */

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
  if (message != NULL && g_strcmp0 (domain, "cachet-pop3") == 0
      && (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_WARNING)))
    {
      g_mutex_lock (&trace_lock);
      if (level & G_LOG_LEVEL_WARNING)
        g_string_append_printf (warnings, "%s\n", message);
      else if (trace != NULL)
        g_string_append_printf (trace, "%s\n", message);
      g_mutex_unlock (&trace_lock);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* TRUE when a warning containing @words was logged; forgets all warnings. */
static gboolean
take_warning (const char *words)
{
  gboolean found;

  g_mutex_lock (&trace_lock);
  found = strstr (warnings->str, words) != NULL;
  g_string_truncate (warnings, 0);
  g_mutex_unlock (&trace_lock);
  return found;
}

static void
test_trace_hides_secrets (Fixture      *f,
                          gconstpointer data)
{
  FakePop3Config config = base_config (f);
  g_autoptr(FakePop3) fake = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plain_b64 = NULL;
  const char plain[] = "\0" USER "\0" PASSWORD;

  config.timestamp = "<42.42@fake>";
  config.sasl_plain = TRUE;
  fake = fake_pop3_new (&config);
  add_simple (fake, 1);

  g_setenv ("CACHET_PROTOCOL_TRACE", "1", TRUE);
  g_mutex_lock (&trace_lock);
  trace = g_string_new (NULL);
  g_mutex_unlock (&trace_lock);
  {
    const CachetAuthMethod methods[] = { CACHET_AUTH_PASSWORD, CACHET_AUTH_SASL_PLAIN,
                                         CACHET_AUTH_APOP };
    for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
      {
        g_autoptr(CachetPop3Session) session = connect_login (fake, CACHET_SECURITY_STARTTLS,
                                                              f->ca_file, methods[i]);
        check_list_and_retrieve (session, 1);
      }
  }
  g_unsetenv ("CACHET_PROTOCOL_TRACE");
  g_mutex_lock (&trace_lock);
  text = g_string_free (g_steal_pointer (&trace), FALSE);
  g_mutex_unlock (&trace_lock);

  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "C: USER " USER "\n"));
  g_assert_nonnull (strstr (text, "C: PASS ****\n"));
  g_assert_nonnull (strstr (text, "C: AUTH PLAIN ****\n"));
  g_assert_nonnull (strstr (text, "C: APOP " USER " ****\n"));
  g_assert_nonnull (strstr (text, "C: RETR 1\n"));
  g_assert_nonnull (strstr (text, "S: +OK Logged in."));
  plain_b64 = g_base64_encode ((const guchar *) plain, sizeof plain - 1);
  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, plain_b64));
  /* Message bodies are not traced. */
  g_assert_null (strstr (text, "dotted line"));
}

int
main (int   argc,
      char *argv[])
{
  warnings = g_string_new (NULL);
  g_log_set_writer_func (trace_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/net/pop3/session/plain", test_plain);
  ADD ("/net/pop3/session/stls-verified", test_stls_verified);
  ADD ("/net/pop3/session/pop3s-verified", test_pop3s_verified);
  ADD ("/net/pop3/session/wrong-host", test_wrong_host);
  ADD ("/net/pop3/session/self-signed-pin", test_self_signed_pin);
  ADD ("/net/pop3/session/starttls-missing", test_starttls_missing);
  ADD ("/net/pop3/session/starttls-refused", test_starttls_refused);
  ADD ("/net/pop3/session/stls-injection", test_stls_injection);
  ADD ("/net/pop3/session/tls-on-plain-port", test_tls_on_plain_port);
  ADD ("/net/pop3/session/sni", test_sni);
  ADD ("/net/pop3/session/greeting-refused", test_greeting_refused);
  ADD ("/net/pop3/session/sasl-plain", test_sasl_plain);
  ADD ("/net/pop3/session/sasl-plain-unsupported", test_sasl_plain_unsupported);
  ADD ("/net/pop3/session/apop", test_apop);
  ADD ("/net/pop3/session/wrong-password", test_wrong_password);
  ADD ("/net/pop3/session/in-use", test_in_use);
  ADD ("/net/pop3/session/bad-credentials", test_bad_credentials);
  ADD ("/net/pop3/session/no-uidl", test_no_uidl);
  ADD ("/net/pop3/session/malformed-uidl", test_malformed_uidl);
  ADD ("/net/pop3/session/drop-mid-retr", test_drop_mid_retr);
  ADD ("/net/pop3/session/truncated-reply", test_truncated_reply);
  ADD ("/net/pop3/session/refused-retr", test_refused_retr);
  ADD ("/net/pop3/session/sink-error", test_sink_error);
  ADD ("/net/pop3/session/top-headers", test_top_headers);
  ADD ("/net/pop3/session/big-message", test_big_message);
  ADD ("/net/pop3/session/many-pipelined", test_many_pipelined);
  ADD ("/net/pop3/session/many-sequential", test_many_sequential);
  ADD ("/net/pop3/session/free-without-quit", test_free_without_quit);
  ADD ("/net/pop3/session/cancel-retr", test_cancel_retr);
  ADD ("/net/pop3/session/cancel-connecting", test_cancel_connecting);
  ADD ("/net/pop3/session/timeout", test_timeout);
  ADD ("/net/pop3/session/trace-hides-secrets", test_trace_hides_secrets);
#undef ADD
  g_test_add_func ("/net/pop3/session/unreachable", test_unreachable);

  return g_test_run ();
}
