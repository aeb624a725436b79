/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-pop3-session.h"
#include "cachet-test-servers.h"

/* The TLS of the POP3 session against tests/servers/fake-pop3.py (Python's ssl, that is
 * OpenSSL: another TLS implementation than ours), whose log shows what reached the
 * server and in which state ("SESSION plain|tls C COMMAND", "SESSION tls * tls TLSv1.3"):
 * servers that speak only TLS 1.0 or 1.1, certificates refused before any command,
 * resumed TLS sessions.  Needs python3 and openssl only, no root. */

static const char *maildir_subdirs[] = { "new", "cur", "tmp" };
static char *maildir;          /* what every fake serves */
static char *tls_dir;          /* certificates made by the first fake */
static CachetTestFakePop3 *base;

static CachetTestFakePop3 *
start_fake (const char *first_option,
            ...)
{
  g_autoptr(GPtrArray) options = g_ptr_array_new ();
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  CachetTestFakePop3 *fake;
  const char *option;
  va_list args;

  g_ptr_array_add (options, (char *) "--keep");
  va_start (args, first_option);
  for (option = first_option; option != NULL; option = va_arg (args, const char *))
    g_ptr_array_add (options, (char *) option);
  va_end (args);
  g_ptr_array_add (options, NULL);
  fake = cachet_test_fake_pop3_start (maildir, tls_dir, (const char * const *) options->pdata,
                                      &skip, &error);
  g_assert_no_error (error);
  g_assert_null (skip);
  return fake;
}

static CachetPop3Session *
try_connect (CachetTestFakePop3 *fake,
             CachetSecurity      security,
             const char         *host,
             const char         *ca_file,
             GError            **error)
{
  CachetServerSettings s = { 0 };
  CachetPop3Session *session = cachet_pop3_session_new ();

  s.host = (char *) host;
  s.port = fake->port;
  s.security = security;
  cachet_pop3_session_connect (session, &s, ca_file, 30, NULL, error);
  return session;
}

/* Logs in, lists, quits: the whole session works. */
static void
use_session (CachetPop3Session *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  cachet_pop3_session_login (session, "alice@example.test", "secret-alice", CACHET_AUTH_AUTO,
                             NULL, &error);
  g_assert_no_error (error);
  entries = cachet_pop3_session_list (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  cachet_pop3_session_quit (session, &error);
  g_assert_no_error (error);
}

/* The commands the fake received in state @state ("plain" or "tls"), as "COMMAND ARGS". */
static GPtrArray *
commands_in (CachetTestFakePop3 *fake,
             const char         *state)
{
  g_auto(GStrv) all = cachet_test_fake_pop3_commands (fake);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; all[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (all[i], " ", 3);

      if (g_strv_length (f) == 3 && g_str_equal (f[1], state))
        g_ptr_array_add (out, g_strdup (f[2]));
    }
  return out;
}

static void
assert_plain_commands (CachetTestFakePop3 *fake,
                       const char         *expected)   /* space-separated, or "" */
{
  g_autoptr(GPtrArray) plain = commands_in (fake, "plain");
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < plain->len; i++)
    g_string_append_printf (got, "%s%s", i > 0 ? " " : "",
                            (char *) g_ptr_array_index (plain, i));
  g_assert_cmpstr (got->str, ==, expected);
}

static void
assert_no_tls_commands (CachetTestFakePop3 *fake)
{
  g_autoptr(GPtrArray) tls = commands_in (fake, "tls");

  if (tls->len > 0)
    g_error ("the server got %s over a connection the client refused",
             (char *) g_ptr_array_index (tls, 0));
}

static gboolean
log_has (CachetTestFakePop3 *fake,
         const char         *text)
{
  g_autofree char *log = cachet_test_fake_pop3_log (fake);

  return strstr (log, text) != NULL;
}

/* Waits until the fake has logged the end of @sessions sessions (it may still be busy
 * with one after the client gave up on it). */
static void
wait_closed (CachetTestFakePop3 *fake,
             guint               sessions)
{
  for (guint tries = 0; tries < 600; tries++)
    {
      g_autofree char *log = cachet_test_fake_pop3_log (fake);
      guint closed = 0;

      for (const char *p = log; (p = strstr (p, " * close")) != NULL; p++)
        closed++;
      if (closed >= sessions)
        return;
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_error ("fake-pop3.py did not end its sessions: %s", cachet_test_fake_pop3_log (fake));
}

/* Outdated TLS ----------------------------------------------------------------------- */

/* The handshake with a TLS 1.0 or 1.1 server completes (GIO would take it), and the
 * session refuses it before the first command. */
static void
test_outdated_version (void)
{
  const char *versions[] = { "1.0", "1.1" };
  const char *logged[] = { "tls * tls TLSv1\n", "tls * tls TLSv1.1\n" };

  for (guint v = 0; v < G_N_ELEMENTS (versions); v++)
    for (guint implicit = 0; implicit <= 1; implicit++)
      {
        g_autofree char *max = g_strdup_printf ("--tls-max=%s", versions[v]);
        g_autoptr(CachetTestFakePop3) fake = start_fake (max,
                                                         implicit ? "--implicit-tls" : NULL,
                                                         NULL);
        g_autoptr(CachetPop3Session) session = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *name = g_strdup_printf ("TLS %s,", versions[v]);

        session = try_connect (fake, implicit ? CACHET_SECURITY_TLS : CACHET_SECURITY_STARTTLS,
                               "localhost", fake->ca_file, &error);
        g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
        g_test_message ("refused: %s", error->message);
        g_assert_nonnull (strstr (error->message, name));
        /* The certificate itself was fine. */
        g_assert_true (cachet_pop3_session_get_tls_check (session)->trusted);
        g_clear_error (&error);
        g_assert_false (cachet_pop3_session_login (session, "alice@example.test",
                                                   "secret-alice", CACHET_AUTH_AUTO, NULL,
                                                   &error));
        g_clear_pointer (&session, cachet_pop3_session_free);

        wait_closed (fake, 1);
        g_assert_true (log_has (fake, logged[v]));
        assert_no_tls_commands (fake);
        assert_plain_commands (fake, implicit ? "" : "CAPA STLS");
      }
}

static void
test_tls12_accepted (void)
{
  for (guint implicit = 0; implicit <= 1; implicit++)
    {
      g_autoptr(CachetTestFakePop3) fake = start_fake ("--tls-max=1.2",
                                                       implicit ? "--implicit-tls" : NULL,
                                                       NULL);
      g_autoptr(CachetPop3Session) session = NULL;
      g_autoptr(GError) error = NULL;

      session = try_connect (fake, implicit ? CACHET_SECURITY_TLS : CACHET_SECURITY_STARTTLS,
                             "localhost", fake->ca_file, &error);
      g_assert_no_error (error);
      use_session (session);
      g_assert_true (log_has (fake, "tls * tls TLSv1.2\n"));
    }
}

/* Certificates ----------------------------------------------------------------------- */

/* A refused certificate ends the connection inside the handshake: the server's log has
 * no command at all over TLS (no CAPA, USER, PASS), and over STARTTLS nothing but the
 * CAPA and STLS before it. */
static void
test_certificate_before_commands (void)
{
  const char *certs[] = { "wronghost", "selfsigned", "expired" };

  for (guint i = 0; i < G_N_ELEMENTS (certs); i++)
    for (guint implicit = 0; implicit <= 1; implicit++)
      {
        g_autofree char *cert = g_strdup_printf ("--cert=%s/%s.pem", tls_dir, certs[i]);
        g_autofree char *key = g_strdup_printf ("--key=%s/%s.key", tls_dir, certs[i]);
        g_autoptr(CachetTestFakePop3) fake = start_fake (cert, key,
                                                         implicit ? "--implicit-tls" : NULL,
                                                         NULL);
        g_autoptr(CachetPop3Session) session = NULL;
        g_autoptr(GError) error = NULL;
        const CachetTlsCheck *check;

        session = try_connect (fake, implicit ? CACHET_SECURITY_TLS : CACHET_SECURITY_STARTTLS,
                               "localhost", fake->ca_file, &error);
        g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
        g_test_message ("%s: %s", certs[i], error->message);
        check = cachet_pop3_session_get_tls_check (session);
        g_assert_nonnull (check);
        g_assert_false (check->trusted);
        g_assert_cmpuint (check->problems, !=, 0);
        g_clear_error (&error);
        g_assert_false (cachet_pop3_session_login (session, "alice@example.test",
                                                   "secret-alice", CACHET_AUTH_AUTO, NULL,
                                                   &error));
        g_clear_pointer (&session, cachet_pop3_session_free);

        wait_closed (fake, 1);
        assert_no_tls_commands (fake);
        assert_plain_commands (fake, implicit ? "" : "CAPA STLS");
        /* Our refusal reached the server as an alert: its handshake failed. */
        g_assert_true (log_has (fake, "TLS handshake failed"));
      }
}

/* GIO resumes a TLS session with a server it talked to before, and does not ask about
 * the certificate then: the stream checks it anyway, with this connection's trust (an
 * account without the CA file, or without the pin, must not ride on another's
 * session).  glib-networking never resumes inside a GTest program, so a plain helper
 * program makes the connections. */
static void
test_resumed_session (void)
{
  g_autoptr(CachetTestFakePop3) fake = start_fake ("--implicit-tls", NULL);
  g_autofree char *port = g_strdup_printf ("%u", fake->port);
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tls = NULL;
  int status;
  /* Three times with the test CA, then once without it. */
  const char *argv[] = { TLS_RESUME_HELPER, "localhost", port, fake->ca_file, fake->ca_file,
                         fake->ca_file, "-", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* A full handshake, then resumed ones; the last resumed too, and refused all the same. */
  expected = g_strdup_printf ("1 ok -1 full\n2 ok -1 resumed\n3 ok -1 resumed\n"
                              "4 refused %d resumed\n", CACHET_NET_ERROR_CERTIFICATE);
  g_assert_cmpstr (out, ==, expected);

  wait_closed (fake, 4);
  tls = commands_in (fake, "tls");
  g_assert_cmpuint (tls->len, ==, 3);
  for (guint i = 0; i < tls->len; i++)
    g_assert_cmpstr (g_ptr_array_index (tls, i), ==, "QUIT");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  maildir = g_dir_make_tmp ("cachet-pop3-tls-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (maildir_subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (maildir, maildir_subdirs[i], NULL);
      g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
    }
  for (guint i = 1; i <= 2; i++)
    {
      g_autoptr(GBytes) message = cachet_test_message_new (i, 2000);
      g_autofree char *path = cachet_test_maildir_add (maildir, g_bytes_get_data (message, NULL),
                                                       g_bytes_get_size (message), &error);
      g_assert_no_error (error);
    }
  /* The first fake makes the certificates (mailservers.sh certs) the others use. */
  {
    const char *options[] = { "--keep", NULL };

    base = cachet_test_fake_pop3_start (maildir, NULL, options, &skip, &error);
  }
  if (skip != NULL)
    return cachet_test_skip_all (skip);
  g_assert_no_error (error);
  tls_dir = g_path_get_dirname (base->cert_file);

  g_test_add_func ("/net/pop3/tls/outdated-version", test_outdated_version);
  g_test_add_func ("/net/pop3/tls/tls12-accepted", test_tls12_accepted);
  g_test_add_func ("/net/pop3/tls/certificate-before-commands",
                   test_certificate_before_commands);
  g_test_add_func ("/net/pop3/tls/resumed-session", test_resumed_session);

  status = g_test_run ();
  cachet_test_fake_pop3_free (base);
  g_free (tls_dir);
  {
    for (guint i = 0; i < G_N_ELEMENTS (maildir_subdirs); i++)
      {
        g_autofree char *sub = g_build_filename (maildir, maildir_subdirs[i], NULL);
        g_autoptr(GDir) dir = g_dir_open (sub, 0, NULL);
        const char *name;

        while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
          {
            g_autofree char *path = g_build_filename (sub, name, NULL);
            g_unlink (path);
          }
        g_rmdir (sub);
      }
    g_rmdir (maildir);
  }
  g_free (maildir);
  return status;
}
