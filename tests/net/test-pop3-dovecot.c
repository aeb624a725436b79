/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cachet-net-error.h"
#include "cachet-pop3-session.h"
#include "cachet-test-servers.h"

/* The POP3 session against a real Dovecot (tests/servers), and a few cases against the
 * shared scripted server fake-pop3.py. */

static CachetTestServers *servers;

static const CachetTestUser *
user (const char *name)
{
  const CachetTestUser *u = cachet_test_servers_get_user (servers, name);

  g_assert_nonnull (u);
  return u;
}

static CachetPop3Session *
try_connect (guint16         port,
             CachetSecurity  security,
             const char     *host,
             const char     *ca_file,
             const char     *pin,
             GError        **error)
{
  CachetServerSettings s = { 0 };
  CachetPop3Session *session = cachet_pop3_session_new ();

  s.host = (char *) host;
  s.port = port;
  s.security = security;
  s.pinned_sha256 = (char *) pin;
  cachet_pop3_session_connect (session, &s, ca_file, 30, NULL, error);
  return session;
}

static CachetPop3Session *
connect_login (guint16           port,
               CachetSecurity    security,
               const char       *name,
               CachetAuthMethod  method)
{
  g_autoptr(GError) error = NULL;
  CachetPop3Session *session = try_connect (port, security, servers->host,
                                            servers->ca_file, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (cachet_pop3_session_get_tls_check (session) == NULL
                 || cachet_pop3_session_get_tls_check (session)->trusted);
  cachet_pop3_session_login (session, user (name)->login, user (name)->password, method,
                             NULL, &error);
  g_assert_no_error (error);
  return session;
}

/* Collects whole messages (small ones) or only counts and checksums them. */
typedef struct
{
  GPtrArray  *messages;     /* GBytes, in the order finished */
  GByteArray *current;
  gboolean    count_only;
  gsize       total;
  gsize       max_chunk;
  guint       done;
  GChecksum  *checksum;
  GCancellable *cancel_on_data;
} Collector;

static void
collector_init (Collector *c)
{
  memset (c, 0, sizeof *c);
  c->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  c->current = g_byte_array_new ();
}

static void
collector_clear (Collector *c)
{
  g_ptr_array_unref (c->messages);
  g_byte_array_unref (c->current);
  g_clear_pointer (&c->checksum, g_checksum_free);
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

  if (done)
    {
      c->done++;
      if (!c->count_only)
        g_ptr_array_add (c->messages, g_byte_array_free_to_bytes (g_steal_pointer (&c->current)));
      c->current = g_byte_array_new ();
      return TRUE;
    }
  c->total += len;
  c->max_chunk = MAX (c->max_chunk, len);
  if (c->checksum != NULL)
    g_checksum_update (c->checksum, data, len);
  if (!c->count_only)
    g_byte_array_append (c->current, data, len);
  if (c->cancel_on_data != NULL)
    g_cancellable_cancel (c->cancel_on_data);
  return TRUE;
}

static GArray *
all_numbers (GPtrArray *entries)
{
  GArray *numbers = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < entries->len; i++)
    g_array_append_val (numbers, ((CachetPop3Entry *) g_ptr_array_index (entries, i))->number);
  return numbers;
}

/* Retrieves everything and checks it against the server's Maildir. */
static void
check_mailbox (CachetPop3Session *session,
               const char        *name,
               guint              expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cachet_pop3_session_list (session, NULL, &error);
  g_autoptr(GArray) numbers = NULL;
  g_autoptr(GPtrArray) on_server = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GHashTable) uidls = g_hash_table_new (g_str_hash, g_str_equal);
  Collector c;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, expected);
  g_assert_true (cachet_pop3_session_has_uidl (session));
  for (guint i = 0; i < entries->len; i++)
    {
      CachetPop3Entry *e = g_ptr_array_index (entries, i);
      g_assert_nonnull (e->uidl);
      g_assert_true (g_hash_table_add (uidls, e->uidl));
    }
  numbers = all_numbers (entries);
  collector_init (&c);
  cachet_pop3_session_retrieve (session, (guint *) numbers->data, numbers->len, FALSE,
                                collector_sink, &c, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c.done, ==, expected);

  on_server = cachet_test_servers_read_mailbox (servers, name, &error);
  g_assert_no_error (error);
  if (!cachet_test_messages_equal (c.messages, on_server, CACHET_TEST_COMPARE_LINE_ENDS, &why))
    g_error ("retrieved messages differ from the mailbox: %s", why);
  collector_clear (&c);
}

static void
add_messages (const char *name,
              guint       first,
              guint       n,
              gsize       size)
{
  g_autoptr(GError) error = NULL;

  cachet_test_servers_fill (servers, name, first, n, size, &error);
  g_assert_no_error (error);
}

/* Tests ------------------------------------------------------------------------------- */

static void
test_stls_verified (void)
{
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;

  add_messages ("alice", 1, 5, 4000);
  session = connect_login (servers->pop3_port, CACHET_SECURITY_STARTTLS, "alice",
                           CACHET_AUTH_AUTO);
  g_assert_true (cachet_pop3_session_has_capability (session, "PIPELINING"));
  g_assert_true (cachet_pop3_session_has_capability (session, "SASL PLAIN"));
  check_mailbox (session, "alice", 5);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);
}

static void
test_pop3s_verified (void)
{
  g_autoptr(CachetPop3Session) session = NULL;

  session = connect_login (servers->pop3s_port, CACHET_SECURITY_TLS, "alice",
                           CACHET_AUTH_PASSWORD);
  check_mailbox (session, "alice", 5);
}

static void
test_user_pass_hashed (void)
{
  g_autoptr(CachetPop3Session) session = NULL;

  add_messages ("bob", 1, 3, 2000);
  session = connect_login (servers->pop3s_port, CACHET_SECURITY_TLS, "bob",
                           CACHET_AUTH_PASSWORD);
  check_mailbox (session, "bob", 3);
  g_clear_pointer (&session, cachet_pop3_session_free);
  session = connect_login (servers->pop3_port, CACHET_SECURITY_STARTTLS, "bob",
                           CACHET_AUTH_SASL_PLAIN);
  check_mailbox (session, "bob", 3);
}

static void
test_apop (void)
{
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(CachetPop3Session) no_apop = NULL;
  g_autoptr(GError) error = NULL;

  if (servers->apop_pop3_port == 0)
    {
      g_test_skip ("no APOP server");
      return;
    }
  session = connect_login (servers->apop_pop3_port, CACHET_SECURITY_STARTTLS, "alice",
                           CACHET_AUTH_APOP);
  check_mailbox (session, "alice", 5);

  /* The main Dovecot sends no challenge. */
  no_apop = try_connect (servers->pop3_port, CACHET_SECURITY_STARTTLS, servers->host,
                         servers->ca_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cachet_pop3_session_login (no_apop, user ("alice")->login,
                                             user ("alice")->password, CACHET_AUTH_APOP,
                                             NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH_UNSUPPORTED);
}

static void
test_wrong_password (void)
{
  const CachetAuthMethod methods[] = { CACHET_AUTH_AUTO, CACHET_AUTH_PASSWORD };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(CachetPop3Session) session = NULL;
      g_autoptr(GError) error = NULL;

      session = try_connect (servers->pop3_port, CACHET_SECURITY_STARTTLS, servers->host,
                             servers->ca_file, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (cachet_pop3_session_login (session, user ("alice")->login, "wrong",
                                                 methods[i], NULL, &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_AUTH);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "[AUTH]"));
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

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CachetTestCertInfo *info = &servers->certs[cases[i].cert];
      const CachetSecurity security[] = { CACHET_SECURITY_STARTTLS, CACHET_SECURITY_TLS };
      const guint16 ports[] = { info->pop3_port, info->pop3s_port };

      for (guint j = 0; j < 2; j++)
        {
          g_autoptr(CachetPop3Session) session = NULL;
          g_autoptr(GError) error = NULL;
          const CachetTlsCheck *check;

          if (ports[j] == 0)
            continue;
          session = try_connect (ports[j], security[j], servers->host, servers->ca_file,
                                 NULL, &error);
          g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
          check = cachet_pop3_session_get_tls_check (session);
          g_assert_nonnull (check);
          g_assert_false (check->trusted);
          g_assert_true (check->problems & cases[i].problem);
          g_assert_cmpstr (check->sha256_hex, ==, info->sha256);
        }
    }
}

static void
test_self_signed_pin (void)
{
  const CachetTestCertInfo *first = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED];
  const CachetTestCertInfo *second = &servers->certs[CACHET_TEST_CERT_SELF_SIGNED_2];
  g_autoptr(CachetPop3Session) accepted = NULL;
  g_autoptr(CachetPop3Session) changed = NULL;
  g_autoptr(GError) error = NULL;

  if (first->pop3_port == 0 || second->pop3_port == 0)
    {
      g_test_skip ("no self-signed servers");
      return;
    }
  /* Accepted by its pin: log in and read. */
  accepted = try_connect (first->pop3_port, CACHET_SECURITY_STARTTLS, servers->host,
                          servers->ca_file, first->sha256, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_pop3_session_get_tls_check (accepted)->pinned);
  cachet_pop3_session_login (accepted, user ("alice")->login, user ("alice")->password,
                             CACHET_AUTH_AUTO, NULL, &error);
  g_assert_no_error (error);
  check_mailbox (accepted, "alice", 5);

  /* The other self-signed certificate with the first one's pin: changed. */
  changed = try_connect (second->pop3_port, CACHET_SECURITY_STARTTLS, servers->host,
                         servers->ca_file, first->sha256, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE_CHANGED);
  g_assert_true (cachet_pop3_session_get_tls_check (changed)->pin_mismatch);
  g_assert_cmpstr (cachet_pop3_session_get_tls_check (changed)->sha256_hex, ==,
                   second->sha256);
}

static void
test_host_name (void)
{
  g_autoptr(CachetPop3Session) by_name = NULL;
  g_autoptr(GError) error = NULL;

  /* "localhost" is on the certificate too (resolves to 127.0.0.1 here). */
  by_name = try_connect (servers->pop3s_port, CACHET_SECURITY_TLS, "localhost",
                         servers->ca_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_pop3_session_get_tls_check (by_name)->trusted);
}

static void
test_delete_and_quit (void)
{
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint first_two[] = { 1, 2 };

  add_messages ("carol", 1, 4, 3000);
  session = connect_login (servers->pop3_port, CACHET_SECURITY_STARTTLS, "carol",
                           CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  cachet_pop3_session_delete (session, first_two, 2, NULL, &error);
  g_assert_no_error (error);
  /* Without QUIT nothing is deleted. */
  g_clear_pointer (&session, cachet_pop3_session_free);
  g_assert_cmpuint (cachet_test_maildir_count (user ("carol")->maildir), ==, 4);

  session = connect_login (servers->pop3_port, CACHET_SECURITY_STARTTLS, "carol",
                           CACHET_AUTH_AUTO);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  cachet_pop3_session_delete (session, first_two, 2, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cachet_test_maildir_count (user ("carol")->maildir), ==, 2);

  /* Everything else goes too. */
  g_clear_pointer (&session, cachet_pop3_session_free);
  session = connect_login (servers->pop3_port, CACHET_SECURITY_STARTTLS, "carol",
                           CACHET_AUTH_AUTO);
  check_mailbox (session, "carol", 2);
  cachet_pop3_session_delete (session, first_two, 2, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cachet_test_maildir_count (user ("carol")->maildir), ==, 0);
}

static void
test_big_message (void)
{
  const gsize size = 20 * 1024 * 1024;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) on_server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GChecksum) expected = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GByteArray) lf = g_byte_array_new ();
  guint number = 1;
  Collector c;

  g_assert_cmpuint (cachet_test_maildir_count (user ("carol")->maildir), ==, 0);
  add_messages ("carol", 100, 1, size);
  on_server = cachet_test_servers_read_mailbox (servers, "carol", &error);
  g_assert_no_error (error);
  {
    gsize len;
    const guint8 *data = g_bytes_get_data (g_ptr_array_index (on_server, 0), &len);

    for (gsize i = 0; i < len; i++)
      if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
        g_byte_array_append (lf, data + i, 1);
    g_checksum_update (expected, lf->data, lf->len);
  }

  session = connect_login (servers->pop3s_port, CACHET_SECURITY_TLS, "carol",
                           CACHET_AUTH_AUTO);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);

  collector_init (&c);
  c.count_only = TRUE;
  c.checksum = g_checksum_new (G_CHECKSUM_SHA256);
  cachet_pop3_session_retrieve (session, &number, 1, FALSE, collector_sink, &c, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c.done, ==, 1);
  g_assert_cmpuint (c.total, ==, lf->len);
  g_assert_cmpuint (c.max_chunk, <=, 64 * 1024);
  g_assert_cmpstr (g_checksum_get_string (c.checksum), ==, g_checksum_get_string (expected));
  collector_clear (&c);

  /* Cancelled in the middle of it. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    collector_init (&c);
    c.count_only = TRUE;
    c.cancel_on_data = cancellable;
    g_assert_false (cachet_pop3_session_retrieve (session, &number, 1, FALSE, collector_sink,
                                                  &c, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (c.done, ==, 0);
    g_assert_cmpuint (c.total, <, lf->len);
    collector_clear (&c);
  }
}

static void
many_messages (gboolean pipelining)
{
  const guint count = 2000;
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GArray) numbers = NULL;
  g_autoptr(GPtrArray) on_server = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GError) error = NULL;
  Collector c;
  gint64 start;
  double seconds;

  if (cachet_test_maildir_count (user ("bulk")->maildir) == 0)
    add_messages ("bulk", 1, count, 8 * 1024);
  session = connect_login (servers->pop3_port, CACHET_SECURITY_STARTTLS, "bulk",
                           CACHET_AUTH_AUTO);
  cachet_pop3_session_set_pipelining (session, pipelining);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, count);
  numbers = all_numbers (entries);

  collector_init (&c);
  start = g_get_monotonic_time ();
  cachet_pop3_session_retrieve (session, (guint *) numbers->data, numbers->len, FALSE,
                                collector_sink, &c, NULL, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_no_error (error);
  g_assert_cmpuint (c.done, ==, count);
  /* Information only, never asserted: machines are noisy. */
  g_test_message ("%u messages %s pipelining in %.3f s", count,
                  pipelining ? "with" : "without", seconds);

  on_server = cachet_test_servers_read_mailbox (servers, "bulk", &error);
  g_assert_no_error (error);
  if (!cachet_test_messages_equal (c.messages, on_server, CACHET_TEST_COMPARE_LINE_ENDS, &why))
    g_error ("retrieved messages differ from the mailbox: %s", why);
  collector_clear (&c);
}

static void
test_many_pipelined (void)
{
  many_messages (TRUE);
}

static void
test_many_sequential (void)
{
  many_messages (FALSE);
}

/* fake-pop3.py --------------------------------------------------------------------------- */

static CachetTestFakePop3 *
start_fake (const char * const *options)
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tls_dir = g_build_filename (servers->dir, "tls", NULL);
  CachetTestFakePop3 *fake = cachet_test_fake_pop3_start (user ("alice")->maildir, tls_dir,
                                                          options, &skip, &error);

  if (skip != NULL)
    g_test_skip (skip);
  g_assert_no_error (error);
  return fake;
}

static gboolean
fake_received (CachetTestFakePop3 *fake,
               const char         *command)
{
  g_auto(GStrv) commands = cachet_test_fake_pop3_commands (fake);

  for (guint i = 0; commands[i] != NULL; i++)
    {
      /* "SESSION plain|tls COMMAND..." */
      const char *p = strchr (commands[i], ' ');
      p = p != NULL ? strchr (p + 1, ' ') : NULL;
      if (p != NULL && g_str_has_prefix (p + 1, command))
        return TRUE;
    }
  return FALSE;
}

static void
test_fake_starttls_missing (void)
{
  const char *options[] = { "--no-stls", "--keep", NULL };
  g_autoptr(CachetTestFakePop3) fake = start_fake (options);
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;

  if (fake == NULL)
    return;
  session = try_connect (fake->port, CACHET_SECURITY_STARTTLS, "127.0.0.1", fake->ca_file,
                         NULL, &error);
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_STARTTLS_MISSING);
  g_clear_error (&error);
  g_assert_false (cachet_pop3_session_login (session, user ("alice")->login,
                                             user ("alice")->password, CACHET_AUTH_AUTO,
                                             NULL, &error));
  g_clear_pointer (&session, cachet_pop3_session_free);
  g_assert_true (fake_received (fake, "CAPA"));
  g_assert_false (fake_received (fake, "USER"));
  g_assert_false (fake_received (fake, "PASS"));
  g_assert_false (fake_received (fake, "AUTH"));
}

static void
test_fake_drop_and_uidl (void)
{
  const char *options[] = { "--drop-retr=2:3000", "--bad-uidl=duplicate", "--keep", NULL };
  g_autoptr(CachetTestFakePop3) fake = start_fake (options);
  g_autoptr(CachetPop3Session) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GArray) numbers = NULL;
  g_autoptr(GError) error = NULL;
  CachetServerSettings s = { 0 };
  Collector c;

  if (fake == NULL)
    return;
  s.host = (char *) "127.0.0.1";
  s.port = fake->port;
  s.security = CACHET_SECURITY_STARTTLS;
  session = cachet_pop3_session_new ();
  cachet_pop3_session_connect (session, &s, fake->ca_file, 30, NULL, &error);
  g_assert_no_error (error);
  cachet_pop3_session_login (session, user ("alice")->login, user ("alice")->password,
                             CACHET_AUTH_AUTO, NULL, &error);
  g_assert_no_error (error);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 5);
  /* Message 2 has message 1's unique id: neither can be told apart. */
  g_assert_null (((CachetPop3Entry *) g_ptr_array_index (entries, 0))->uidl);
  g_assert_null (((CachetPop3Entry *) g_ptr_array_index (entries, 1))->uidl);
  g_assert_nonnull (((CachetPop3Entry *) g_ptr_array_index (entries, 2))->uidl);

  numbers = all_numbers (entries);
  collector_init (&c);
  g_assert_false (cachet_pop3_session_retrieve (session, (guint *) numbers->data, numbers->len,
                                                FALSE, collector_sink, &c, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  g_assert_cmpuint (c.done, ==, 1);
  collector_clear (&c);
}

static GLogWriterOutput
quiet_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  /* The expected UIDL warning of test_fake_drop_and_uidl. */
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && g_strcmp0 (fields[i].value, "cachet-pop3") == 0
        && (level & G_LOG_LEVEL_WARNING))
      return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_log_set_writer_func (quiet_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALT, &skip, &error);
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);

  g_test_add_func ("/net/dovecot/stls-verified", test_stls_verified);
  g_test_add_func ("/net/dovecot/pop3s-verified", test_pop3s_verified);
  g_test_add_func ("/net/dovecot/user-pass-hashed", test_user_pass_hashed);
  g_test_add_func ("/net/dovecot/apop", test_apop);
  g_test_add_func ("/net/dovecot/wrong-password", test_wrong_password);
  g_test_add_func ("/net/dovecot/certificates", test_certificates);
  g_test_add_func ("/net/dovecot/self-signed-pin", test_self_signed_pin);
  g_test_add_func ("/net/dovecot/host-name", test_host_name);
  g_test_add_func ("/net/dovecot/delete-and-quit", test_delete_and_quit);
  g_test_add_func ("/net/dovecot/big-message", test_big_message);
  g_test_add_func ("/net/dovecot/many-pipelined", test_many_pipelined);
  g_test_add_func ("/net/dovecot/many-sequential", test_many_sequential);
  g_test_add_func ("/net/dovecot/fake-starttls-missing", test_fake_starttls_missing);
  g_test_add_func ("/net/dovecot/fake-drop-and-uidl", test_fake_drop_and_uidl);

  status = g_test_run ();
  cachet_test_servers_free (servers);
  return status;
}
