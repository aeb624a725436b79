/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cachet-net-error.h"
#include "cachet-net-stream.h"

/* For test-pop3-tls.c: GIO resumes TLS sessions (and then does not ask about the
 * certificate), but never inside a GTest program (glib-networking turns resumption off
 * when g_test_initialized()).  So this is a plain program:
 *
 *   tls-resume-helper HOST PORT CA-FILE|-...
 *
 * makes one connection with implicit TLS to a POP3 server for each CA-FILE (trusted as the
 * account's extra CA; "-": none), one after the other, each reading the greeting and
 * sending QUIT when the handshake succeeds, and prints one line for each:
 *
 *   N ok|refused CODE resumed|full
 *
 * CODE is the CachetNetError code (or -1). */

static gboolean resumed;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
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
  if (g_strcmp0 (domain, "cachet-net") == 0 && message != NULL
      && strstr (message, "session resumed") != NULL)
    resumed = TRUE;
  if (level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
pop3_quit (mailstream *stream)
{
  MMAPString *buffer = mmap_string_new ("");
  char *line = mailstream_read_line_remove_eol (stream, buffer);
  gboolean ok = line != NULL && g_str_has_prefix (line, "+OK");

  ok = ok && mailstream_write (stream, "QUIT\r\n", 6) == 6 && mailstream_flush (stream) == 0;
  line = ok ? mailstream_read_line_remove_eol (stream, buffer) : NULL;
  ok = line != NULL && g_str_has_prefix (line, "+OK");
  mmap_string_free (buffer);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  guint16 port;

  if (argc < 4)
    {
      g_printerr ("usage: %s HOST PORT CA-FILE|-...\n", argv[0]);
      return 2;
    }
  port = (guint16) atoi (argv[2]);
  g_log_set_writer_func (log_writer, NULL, NULL);

  for (int i = 1; i + 2 < argc; i++)
    {
      const char *ca_file = g_str_equal (argv[i + 2], "-") ? NULL : argv[i + 2];
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetNetStream) net = cachet_net_stream_connect (argv[1], port, 30, NULL,
                                                                  &error);
      gboolean ok;

      if (net == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      resumed = FALSE;
      ok = cachet_net_stream_handshake (net, ca_file, NULL, &error);
      if (ok)
        {
          mailstream *stream = cachet_net_stream_open_mailstream (net);

          if (!pop3_quit (stream))
            {
              g_printerr ("no POP3 server over TLS\n");
              return 1;
            }
          mailstream_close (stream);
        }
      g_print ("%d %s %d %s\n", i, ok ? "ok" : "refused",
               error != NULL && error->domain == CACHET_NET_ERROR ? error->code : -1,
               resumed ? "resumed" : "full");
    }
  return 0;
}
