/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-smtp-send: sends messages read from files through one CachetSmtpSession, for the
 * SMTP benchmark (bench/smtp/run-smtp-bench.sh).
 *
 *   bench-smtp-send --port PORT [--host HOST] [--security tls|starttls|plain]
 *                   [--ca-file FILE] [--user USER] [--auth auto|sasl-plain|password|cram-md5]
 *                   --from ADDRESS --to ADDRESS [--to ADDRESS...] FILE_OR_DIR...
 *
 * The password comes from the environment (BENCH_SMTP_PASSWORD), never from the command
 * line.  A directory stands for its files (and those of its new/ and cur/, for a
 * Maildir), sorted by name.  Every file is read into memory first, untimed; then one
 * session connects, logs in, sends them all one after the other and quits.  Prints
 *
 *   messages N bytes B seconds S connect_seconds C
 *
 * S runs from before the connection to after the server's reply to the last message
 * (its "250 queued"), QUIT included; C is the part until logged in.  A refused message
 * ends the run with its reason (exit 1).  Never part of the tests. */
#define G_LOG_DOMAIN "cachet-bench"

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachet-smtp-session.h"

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
add_path (GPtrArray  *files,
          const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    {
      const char *child = g_ptr_array_index (names, i);
      g_autofree char *base = g_path_get_basename (child);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (g_str_equal (base, "new") || g_str_equal (base, "cur"))
            add_path (files, child);
        }
      else
        g_ptr_array_add (files, g_strdup (child));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *host = g_strdup ("127.0.0.1");
  g_autofree char *security = g_strdup ("tls");
  g_autofree char *ca_file = NULL;
  g_autofree char *user = NULL;
  g_autofree char *auth = g_strdup ("auto");
  g_autofree char *from = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) paths = NULL;
  gint port = 0;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Server (127.0.0.1)", "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port", "PORT" },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security, "tls, starttls or plain", "S" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Extra CA certificate", "FILE" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "Login (none: no AUTH)", "USER" },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth, "auto, sasl-plain, password (LOGIN), cram-md5", "M" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "Envelope sender", "ADDRESS" },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, "Recipient (repeatable)", "ADDRESS" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, "FILE_OR_DIR…" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- send messages over SMTP");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(CachetSmtpSession) session = NULL;
  CachetServerSettings server = { 0 };
  CachetAuthMethod method = CACHET_AUTH_AUTO;
  const char *password = g_getenv ("BENCH_SMTP_PASSWORD");
  guint64 bytes = 0;
  gint64 start, logged_in, end;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-smtp-send: %s\n", error->message);
      return 2;
    }
  if (port <= 0 || port > 65535 || from == NULL || to == NULL || paths == NULL
      || !cachet_security_from_string (security, &server.security)
      || !cachet_auth_method_from_string (auth, &method))
    {
      fprintf (stderr, "bench-smtp-send: see --help (port, --from, --to and files are needed)\n");
      return 2;
    }
  if (user != NULL && password == NULL)
    {
      fprintf (stderr, "bench-smtp-send: set BENCH_SMTP_PASSWORD\n");
      return 2;
    }

  for (guint i = 0; paths[i] != NULL; i++)
    add_path (files, paths[i]);
  for (guint i = 0; i < files->len; i++)
    {
      char *data;
      gsize len;

      if (!g_file_get_contents (g_ptr_array_index (files, i), &data, &len, &error))
        {
          fprintf (stderr, "bench-smtp-send: %s\n", error->message);
          return 1;
        }
      bytes += len;
      g_ptr_array_add (messages, g_bytes_new_take (data, len));
    }

  server.host = host;
  server.port = (guint16) port;
  session = cachet_smtp_session_new ();
  start = g_get_monotonic_time ();
  if (!cachet_smtp_session_connect (session, &server, ca_file, 30, NULL, &error)
      || (user != NULL
          && !cachet_smtp_session_login (session, user, password, method, NULL, &error)))
    {
      fprintf (stderr, "bench-smtp-send: %s\n", error->message);
      return 1;
    }
  logged_in = g_get_monotonic_time ();
  for (guint i = 0; i < messages->len; i++)
    if (!cachet_smtp_session_send (session, from, (const char * const *) to,
                                   g_ptr_array_index (messages, i), NULL, NULL, &error))
      {
        fprintf (stderr, "bench-smtp-send: message %u (%s): %s\n", i + 1,
                 (const char *) g_ptr_array_index (files, i), error->message);
        return 1;
      }
  if (!cachet_smtp_session_quit (session, &error))
    {
      fprintf (stderr, "bench-smtp-send: QUIT: %s\n", error->message);
      return 1;
    }
  end = g_get_monotonic_time ();
  printf ("messages %u bytes %" G_GUINT64_FORMAT " seconds %.4f connect_seconds %.4f\n",
          messages->len, bytes, (end - start) / 1e6, (logged_in - start) / 1e6);
  return 0;
}
