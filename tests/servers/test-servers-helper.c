/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-test"

#include "config.h"

#include "cachet-test-servers.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Tests of the test servers library itself: the environment it parses, the
 * mailbox helpers, that Dovecot serves what they put in, the fake POP3
 * server, and that stopping (or dying) leaves no process behind. */

static CachetTestServers *servers;
static char *skip_reason;

#define NEED_SERVERS()                       \
  G_STMT_START {                             \
    if (servers == NULL)                     \
      {                                      \
        g_test_skip (skip_reason);           \
        return;                              \
      }                                      \
  } G_STMT_END

/* --- A minimal POP3 client on a plain connection ------------------------------ */

typedef struct
{
  GSocketConnection *conn;
  GDataInputStream  *in;
  GOutputStream     *out;
} Pop3;

/* No proxy lookup: it would need GSettings. */
static GSocketClient *
new_client (void)
{
  GSocketClient *client = g_socket_client_new ();

  g_socket_client_set_enable_proxy (client, FALSE);
  return client;
}

static void
pop3_close (Pop3 *p)
{
  g_clear_object (&p->in);
  g_clear_object (&p->conn);
}

static char *
pop3_line (Pop3 *p)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (p->in, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  if (g_str_has_suffix (line, "\r"))
    line[strlen (line) - 1] = '\0';
  return line;
}

static void
pop3_connect (Pop3       *p,
              guint16     port)
{
  g_autoptr(GSocketClient) client = new_client ();
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;

  p->conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  p->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (p->conn)));
  g_data_input_stream_set_newline_type (p->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  p->out = g_io_stream_get_output_stream (G_IO_STREAM (p->conn));
  greeting = pop3_line (p);
  g_assert_true (g_str_has_prefix (greeting, "+OK"));
}

/* Sends @command, returns the status line. */
static char *
pop3_cmd (Pop3       *p,
          const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\r\n", NULL);

  g_output_stream_write_all (p->out, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  return pop3_line (p);
}

/* Reads a multi-line body, undoing the dot-stuffing, with LF line ends. */
static GBytes *
pop3_body (Pop3 *p)
{
  GString *s = g_string_new (NULL);

  for (;;)
    {
      g_autofree char *line = pop3_line (p);

      if (g_str_equal (line, "."))
        break;
      g_string_append (s, line[0] == '.' ? line + 1 : line);
      g_string_append_c (s, '\n');
    }
  return g_string_free_to_bytes (s);
}

static void
pop3_login (Pop3       *p,
            const char *user,
            const char *password)
{
  g_autofree char *u = g_strdup_printf ("USER %s", user);
  g_autofree char *pw = g_strdup_printf ("PASS %s", password);
  g_autofree char *r1 = pop3_cmd (p, u);
  g_autofree char *r2 = pop3_cmd (p, pw);

  g_assert_cmpstr (r1, ==, "+OK");
  g_assert_true (g_str_has_prefix (r2, "+OK"));
}

/* --- Tests ----------------------------------------------------------------------- */

static void
test_env (void)
{
  g_autoptr(GHashTable) ports = g_hash_table_new (NULL, NULL);
  const char *names[] = { "alice", "bob", "carol", "bulk", "sink" };

  NEED_SERVERS ();

  g_assert_cmpstr (servers->host, ==, "127.0.0.1");
  g_assert_cmpstr (servers->domain, ==, "example.test");
  g_assert_true (g_file_test (servers->ca_file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (cachet_test_servers_get (servers, "MAIL_CA_CERT"), ==, servers->ca_file);
  g_assert_null (cachet_test_servers_get (servers, "NO_SUCH_KEY"));

  for (int c = 0; c < CACHET_TEST_N_CERTS; c++)
    {
      const CachetTestCertInfo *info = &servers->certs[c];
      guint16 p[] = { info->pop3_port, info->pop3s_port, info->submission_port,
                      info->smtps_port };

      g_assert_true (g_file_test (info->file, G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_file_test (info->key_file, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpuint (strlen (info->sha256), ==, 64);
      for (int o = 0; o < c; o++)
        g_assert_cmpstr (info->sha256, !=, servers->certs[o].sha256);
      for (gsize i = 0; i < G_N_ELEMENTS (p); i++)
        {
          g_assert_cmpuint (p[i], >, 0);
          g_assert_false (g_hash_table_contains (ports, GUINT_TO_POINTER (p[i])));
          g_hash_table_add (ports, GUINT_TO_POINTER (p[i]));
        }
    }
  g_assert_cmpuint (servers->pop3_port, ==, servers->certs[CACHET_TEST_CERT_GOOD].pop3_port);
  g_assert_cmpuint (servers->apop_pop3_port, >, 0);
  g_assert_cmpuint (servers->smtp_port, >, 0);

  g_assert_cmpuint (servers->users->len, ==, G_N_ELEMENTS (names));
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const CachetTestUser *user = cachet_test_servers_get_user (servers, names[i]);
      g_autofree char *login = g_strdup_printf ("%s@example.test", names[i]);
      g_autofree char *new_dir = NULL;

      g_assert_nonnull (user);
      g_assert_cmpstr (user->login, ==, login);
      g_assert_true (cachet_test_servers_get_user (servers, login) == user);
      g_assert_nonnull (user->password);
      new_dir = g_build_filename (user->maildir, "new", NULL);
      g_assert_true (g_file_test (new_dir, G_FILE_TEST_IS_DIR));
    }
  g_assert_null (cachet_test_servers_get_user (servers, "mallory"));
}

static void
test_message_new (void)
{
  g_autoptr(GBytes) a = cachet_test_message_new (7, 4000);
  g_autoptr(GBytes) b = cachet_test_message_new (7, 4000);
  g_autoptr(GBytes) c = cachet_test_message_new (8, 4000);
  g_autoptr(GBytes) small = cachet_test_message_new (1, 0);
  g_autoptr(GBytes) big = cachet_test_message_new (2, 20 * 1024 * 1024);
  gsize len;
  const char *data = g_bytes_get_data (a, &len);
  g_autofree char *text = g_strndup (data, len);

  g_assert_cmpuint (len, >=, 4000);
  g_assert_cmpuint (len, <, 6000);
  g_assert_true (g_bytes_equal (a, b));
  g_assert_false (g_bytes_equal (a, c));
  g_assert_true (strstr (text, "\nMessage-ID: <cachet-test-7@example.test>\n") != NULL);
  g_assert_true (strstr (text, "\nSubject: Test message 7\n") != NULL);
  g_assert_true (strstr (text, "\n.\n") != NULL);
  g_assert_true (strstr (text, "\n..Two dots.\n") != NULL);
  g_assert_null (strstr (text, "\r"));
  g_assert_true (strstr (text, "\n\nMessage 7.\n") != NULL);
  g_assert_cmpuint (g_bytes_get_size (small), >, 100);
  g_assert_cmpuint (g_bytes_get_size (big), >=, 20 * 1024 * 1024);
  g_assert_cmpuint (g_bytes_get_size (big), <, 20 * 1024 * 1024 + 2000);
}

static char *
make_maildir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cachet-maildir-XXXXXX", &error);

  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      const char *sub[] = { "cur", "new", "tmp" };
      g_autofree char *path = g_build_filename (dir, sub[i], NULL);

      g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
    }
  return dir;
}

static void
remove_maildir (const char *dir)
{
  const char *sub[] = { "cur", "new", "tmp" };

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *path = g_build_filename (dir, sub[i], NULL);
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          g_unlink (file);
        }
      g_rmdir (path);
    }
  g_rmdir (dir);
}

static void
test_maildir_add_read (void)
{
  g_autofree char *dir = make_maildir ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autoptr(GDir) tmp_dir = NULL;
  char *why = NULL;

  for (guint i = 0; i < 3; i++)
    {
      GBytes *m = cachet_test_message_new (i, 1000);
      g_autofree char *path = cachet_test_maildir_add (dir, g_bytes_get_data (m, NULL),
                                                       g_bytes_get_size (m), &error);
      struct stat st;

      g_assert_no_error (error);
      g_assert_true (strstr (path, "/new/") != NULL);
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0644);
      g_ptr_array_add (expected, m);
    }
  g_assert_cmpuint (cachet_test_maildir_count (dir), ==, 3);
  tmp_dir = g_dir_open (tmp, 0, NULL);
  g_assert_null (g_dir_read_name (tmp_dir));
  got = cachet_test_maildir_read (dir, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_test_messages_equal (expected, got, CACHET_TEST_COMPARE_EXACT, &why));
  g_assert_true (cachet_test_maildir_wait_for (dir, 3, 0));
  g_assert_false (cachet_test_maildir_wait_for (dir, 4, 50));

  g_assert_null (cachet_test_maildir_add ("/nonexistent/maildir", "x", 1, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  remove_maildir (dir);
}

static GPtrArray *
bytes_array (const char *first, ...)
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  va_list ap;

  va_start (ap, first);
  for (const char *s = first; s != NULL; s = va_arg (ap, const char *))
    g_ptr_array_add (a, g_bytes_new (s, strlen (s)));
  va_end (ap);
  return a;
}

static void
test_compare (void)
{
  g_autoptr(GPtrArray) a = bytes_array ("Message-ID: <1@x>\n\nA\n", "Message-ID: <2@x>\n\nB\n", NULL);
  g_autoptr(GPtrArray) a2 = bytes_array ("Message-ID: <2@x>\n\nB\n", "Message-ID: <1@x>\n\nA\n", NULL);
  g_autoptr(GPtrArray) crlf = bytes_array ("Message-ID: <2@x>\r\n\r\nB\r\n",
                                           "Message-ID: <1@x>\r\n\r\nA\r\n", NULL);
  g_autoptr(GPtrArray) dup = bytes_array ("Message-ID: <1@x>\n\nA\n", "Message-ID: <1@x>\n\nA\n",
                                          "Message-ID: <2@x>\n\nB\n", NULL);
  g_autoptr(GPtrArray) other = bytes_array ("Message-ID: <1@x>\n\nA\n", "Message-ID: <3@x>\n\nC\n",
                                            NULL);
  g_autoptr(GPtrArray) empty = bytes_array (NULL, NULL);
  g_autofree char *why1 = NULL;
  g_autofree char *why2 = NULL;
  g_autofree char *why3 = NULL;

  g_assert_true (cachet_test_messages_equal (a, a2, CACHET_TEST_COMPARE_EXACT, NULL));
  g_assert_true (cachet_test_messages_equal (empty, empty, CACHET_TEST_COMPARE_EXACT, NULL));
  g_assert_false (cachet_test_messages_equal (a, crlf, CACHET_TEST_COMPARE_EXACT, NULL));
  g_assert_true (cachet_test_messages_equal (a, crlf, CACHET_TEST_COMPARE_LINE_ENDS, NULL));

  g_assert_false (cachet_test_messages_equal (a, dup, CACHET_TEST_COMPARE_EXACT, &why1));
  g_assert_nonnull (strstr (why1, "2 messages against 3"));
  g_assert_nonnull (strstr (why1, "only in the second: Message-ID: <1@x>"));

  g_assert_false (cachet_test_messages_equal (a, other, CACHET_TEST_COMPARE_EXACT, &why2));
  g_assert_nonnull (strstr (why2, "only in the first: Message-ID: <2@x>"));
  g_assert_nonnull (strstr (why2, "only in the second: Message-ID: <3@x>"));

  g_assert_false (cachet_test_messages_equal (a, empty, CACHET_TEST_COMPARE_EXACT, &why3));
  g_assert_nonnull (strstr (why3, "2 only in the first, 0 only in the second"));
}

/* Messages put in by the helper are what Dovecot serves, at once. */
static void
test_dovecot_serves_added (void)
{
  const CachetTestUser *bulk, *carol;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autofree char *stat = NULL;
  g_autofree char *retr = NULL;
  g_autofree char *carol_stat = NULL;
  g_autofree char *quit = NULL;
  gint64 t0;
  gboolean found = FALSE;
  Pop3 p = { 0 };

  NEED_SERVERS ();
  bulk = cachet_test_servers_get_user (servers, "bulk");
  carol = cachet_test_servers_get_user (servers, "carol");

  t0 = g_get_monotonic_time ();
  cachet_test_servers_fill (servers, "bulk", 1, 2000, 2048, &error);
  g_assert_no_error (error);
  g_test_message ("2,000 messages of 2 KB written in %.2f s",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpuint (cachet_test_maildir_count (bulk->maildir), ==, 2000);

  pop3_connect (&p, servers->pop3_port);
  pop3_login (&p, bulk->login, bulk->password);
  stat = pop3_cmd (&p, "STAT");
  g_assert_true (g_str_has_prefix (stat, "+OK 2000 "));
  retr = pop3_cmd (&p, "RETR 1");
  g_assert_true (g_str_has_prefix (retr, "+OK"));
  first = pop3_body (&p);
  quit = pop3_cmd (&p, "QUIT");
  pop3_close (&p);

  /* Dovecot serves them in its own order; message 1 is one of the 2,000 */
  written = cachet_test_servers_read_mailbox (servers, "bulk", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 2000);
  for (guint i = 0; i < written->len && !found; i++)
    found = g_bytes_equal (g_ptr_array_index (written, i), first);
  g_assert_true (found);

  pop3_connect (&p, servers->pop3_port);
  pop3_login (&p, carol->login, carol->password);
  carol_stat = pop3_cmd (&p, "STAT");
  g_assert_cmpstr (carol_stat, ==, "+OK 0 0");
  pop3_close (&p);
}

static void
test_fake_pop3 (void)
{
  g_autofree char *dir = make_maildir ();
  g_autofree char *tls = NULL;
  g_autofree char *skip = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CachetTestFakePop3) fake = NULL;
  g_autoptr(GBytes) m = cachet_test_message_new (1, 500);
  g_autoptr(GBytes) got = NULL;
  g_autofree char *path = NULL;
  g_autofree char *capa = NULL;
  g_autofree char *uidl = NULL;
  g_autofree char *retr = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) commands = NULL;
  const char *options[] = { "--no-uidl", "--user=u@example.test", "--password", "pw", NULL };
  gboolean has_uidl = FALSE;
  Pop3 p = { 0 };

  path = cachet_test_maildir_add (dir, g_bytes_get_data (m, NULL), g_bytes_get_size (m), &error);
  g_assert_no_error (error);
  if (servers != NULL)
    tls = g_build_filename (servers->dir, "tls", NULL);
  fake = cachet_test_fake_pop3_start (dir, tls, options, &skip, &error);
  if (skip != NULL)
    {
      g_test_skip (skip);
      remove_maildir (dir);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (fake->port, >, 0);
  g_assert_true (g_file_test (fake->ca_file, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_str_has_suffix (fake->cert_file, "/server.pem"));

  pop3_connect (&p, fake->port);
  capa = pop3_cmd (&p, "CAPA");
  g_assert_true (g_str_has_prefix (capa, "+OK"));
  for (;;)
    {
      g_autofree char *line = pop3_line (&p);

      if (g_str_equal (line, "."))
        break;
      has_uidl |= g_str_equal (line, "UIDL");
    }
  g_assert_false (has_uidl);
  pop3_login (&p, "u@example.test", "pw");
  uidl = pop3_cmd (&p, "UIDL");
  g_assert_true (g_str_has_prefix (uidl, "-ERR"));
  retr = pop3_cmd (&p, "RETR 1");
  g_assert_true (g_str_has_prefix (retr, "+OK"));
  got = pop3_body (&p);
  g_assert_true (g_bytes_equal (got, m));
  g_free (pop3_cmd (&p, "QUIT"));
  pop3_close (&p);

  commands = cachet_test_fake_pop3_commands (fake);
  g_assert_cmpuint (g_strv_length (commands), ==, 6);
  g_assert_cmpstr (commands[0], ==, "1 plain CAPA");
  g_assert_cmpstr (commands[1], ==, "1 plain USER u@example.test");
  g_assert_cmpstr (commands[2], ==, "1 plain PASS pw");
  g_assert_cmpstr (commands[3], ==, "1 plain UIDL");
  g_assert_cmpstr (commands[5], ==, "1 plain QUIT");
  log = cachet_test_fake_pop3_log (fake);
  g_assert_nonnull (strstr (log, "1 plain S -ERR"));

  g_clear_pointer (&fake, cachet_test_fake_pop3_free);
  /* without DELE nothing is removed */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  remove_maildir (dir);
}

/* Is any process's command line mentioning @text? */
static gboolean
process_mentions (const char *text)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *file = NULL;
      g_autofree char *cmdline = NULL;
      gsize len;

      if (!g_ascii_isdigit (name[0]))
        continue;
      file = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (file, &cmdline, &len, NULL) || len == 0)
        continue;   /* gone, or a zombie */
      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
port_open (guint16 port)
{
  g_autoptr(GSocketClient) client = new_client ();
  g_autoptr(GSocketConnection) conn = NULL;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return conn != NULL;
}

static char *
watcher_file (int parent)
{
  g_autofree char *name = g_strdup_printf ("cachet-watcher-test-%d", parent);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* A test program that aborts leaves no servers behind: the watcher stops
 * them and removes their directory. */
static void
test_watcher (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *skip = NULL;
      g_autoptr(GError) error = NULL;
      CachetTestServers *s = cachet_test_servers_start (CACHET_TEST_SERVERS_POP3, &skip, &error);

      g_autofree char *info = g_strdup_printf ("%s %u", s->dir, s->pop3_port);
      g_autofree char *file = watcher_file ((int) getppid ());

      g_assert_no_error (error);
      g_assert_true (port_open (s->pop3_port));
      g_assert_true (g_file_set_contents (file, info, -1, NULL));
      abort ();
    }
  NEED_SERVERS ();
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  {
    g_autofree char *file = watcher_file ((int) getpid ());
    g_autofree char *info = NULL;
    g_auto(GStrv) f = NULL;
    g_autofree char *base = NULL;
    guint16 port;
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    g_assert_true (g_file_get_contents (file, &info, NULL, NULL));
    g_unlink (file);
    f = g_strsplit (info, " ", -1);
    g_assert_cmpuint (g_strv_length (f), ==, 2);
    base = g_path_get_basename (f[0]);
    port = (guint16) atoi (f[1]);

    while ((process_mentions (base) || g_file_test (f[0], G_FILE_TEST_EXISTS)) &&
           g_get_monotonic_time () < end)
      g_usleep (100 * 1000);
    g_assert_false (process_mentions (base));
    g_assert_false (g_file_test (f[0], G_FILE_TEST_EXISTS));
    g_assert_false (port_open (port));
  }
}

/* Last: stopping leaves no process and no listening port. */
static void
test_stop (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  guint16 ports[] = { servers ? servers->pop3_port : 0, servers ? servers->pop3s_port : 0,
                      servers ? servers->smtp_port : 0, servers ? servers->submission_port : 0,
                      servers ? servers->apop_pop3s_port : 0 };
  gint64 t0;

  NEED_SERVERS ();
  base = g_path_get_basename (servers->dir);
  g_assert_true (process_mentions (base));

  t0 = g_get_monotonic_time ();
  g_assert_true (cachet_test_servers_stop (servers, &error));
  g_assert_no_error (error);
  g_test_message ("stop took %.2f s", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_false (servers->running);
  g_assert_false (process_mentions (base));
  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    g_assert_false (port_open (ports[i]));
  /* stopping twice is fine */
  g_assert_true (cachet_test_servers_stop (servers, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!g_test_subprocess ())
    {
      servers = cachet_test_servers_start (CACHET_TEST_SERVERS_ALL, &skip_reason, &error);
      g_assert_no_error (error);
      if (skip_reason != NULL && g_strcmp0 (g_getenv ("CACHET_TEST_REQUIRE_SERVERS"), "1") == 0)
        return cachet_test_skip_all (skip_reason);
    }
  else
    skip_reason = cachet_test_servers_unavailable ();

  g_test_add_func ("/servers/helper/env", test_env);
  g_test_add_func ("/servers/helper/message-new", test_message_new);
  g_test_add_func ("/servers/helper/maildir-add-read", test_maildir_add_read);
  g_test_add_func ("/servers/helper/compare", test_compare);
  g_test_add_func ("/servers/helper/dovecot-serves-added", test_dovecot_serves_added);
  g_test_add_func ("/servers/helper/fake-pop3", test_fake_pop3);
  g_test_add_func ("/servers/helper/watcher", test_watcher);
  g_test_add_func ("/servers/helper/stop", test_stop);

  status = g_test_run ();
  cachet_test_servers_free (servers);
  g_free (skip_reason);
  return status;
}
