/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bench"

#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cachet-pop3-session.h"
#include "cachet-test-servers.h"

/* The POP3 session alone, into a sink that only counts: messages per second from a
 * private Dovecot on loopback, one command at a time and pipelined, optionally through
 * bench/delay-proxy.py, which adds a round trip (a network that is not loopback).
 *
 *   bench-pop3 [--count N] [--size BYTES] [--runs R] [--rtt-ms MS]
 *              [--security plain|starttls|tls]
 *
 * Prints the best of R runs for each mode: connect + login + LIST/UIDL + RETR of every
 * message, and RETR alone. */

static guint count = 2000;
static guint size = 8 * 1024;
static guint runs = 5;
static guint rtt_ms = 0;
static char *security_name = NULL;

/* bench/delay-proxy.py between us and Dovecot: half the round trip each way. */
static guint16
start_proxy (guint16 upstream,
             guint   rtt)
{
  g_autofree char *script = g_build_filename (CACHET_BENCH_SRCDIR, "delay-proxy.py", NULL);
  g_autofree char *to = g_strdup_printf ("127.0.0.1:%u", upstream);
  g_autofree char *delay = g_strdup_printf ("%g", rtt / 2.0);
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = { "/usr/bin/python3", script, "--to", to, "--delay-ms", delay,
                         "--parent-pid", parent, NULL };
  g_autoptr(GSubprocess) proxy = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  proxy = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (proxy == NULL)
    g_error ("delay proxy: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "PORT "))
    g_error ("delay proxy did not start: %s", error != NULL ? error->message : "no port");
  /* It ends when this process does (--parent-pid). */
  return (guint16) g_ascii_strtoull (line + 5, NULL, 10);
}

/* The measurement ------------------------------------------------------------------- */

static gboolean
null_sink (guint         number,
           const guint8 *data,
           gsize         len,
           gboolean      done,
           gpointer      user_data,
           GError      **error)
{
  guint64 *total = user_data;

  *total += len;
  return TRUE;
}

typedef struct
{
  double session;   /* seconds: connect .. retrieve */
  double retrieve;  /* seconds: RETR of all */
  guint64 bytes;
} Result;

static Result
one_run (CachetTestServers    *servers,
         const CachetTestUser *user,
         guint16               port,
         CachetSecurity        security,
         gboolean              pipelining)
{
  g_autoptr(CachetPop3Session) session = cachet_pop3_session_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  CachetServerSettings s = { 0 };
  Result r = { 0 };
  gint64 t0, t1;

  s.host = servers->host;
  s.port = port;
  s.security = security;
  t0 = g_get_monotonic_time ();
  if (!cachet_pop3_session_connect (session, &s, servers->ca_file, 60, NULL, &error)
      || !cachet_pop3_session_login (session, user->login, user->password, CACHET_AUTH_AUTO,
                                     NULL, &error))
    g_error ("%s", error->message);
  cachet_pop3_session_set_pipelining (session, pipelining);
  entries = cachet_pop3_session_list (session, NULL, &error);
  if (entries == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < entries->len; i++)
    g_array_append_val (numbers, ((CachetPop3Entry *) g_ptr_array_index (entries, i))->number);
  t1 = g_get_monotonic_time ();
  if (!cachet_pop3_session_retrieve (session, (guint *) numbers->data, numbers->len, FALSE,
                                     null_sink, &r.bytes, NULL, &error))
    g_error ("%s", error->message);
  r.retrieve = (g_get_monotonic_time () - t1) / (double) G_USEC_PER_SEC;
  r.session = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  if (entries->len != count)
    g_error ("expected %u messages, the server has %u", count, entries->len);
  return r;
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry options[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, "Messages (default 2000)", "N" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Bytes per message (default 8192)", "BYTES" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs per mode, best counts (default 5)", "R" },
    { "rtt-ms", 0, 0, G_OPTION_ARG_INT, &rtt_ms, "Round trip added by a proxy (default 0)",
      "MS" },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security_name,
      "plain, starttls (default) or tls", "MODE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- POP3 session throughput");
  g_autoptr(GError) error = NULL;
  g_autofree char *skip = NULL;
  g_autoptr(CachetTestServers) servers = NULL;
  const CachetTestUser *user;
  CachetSecurity security = CACHET_SECURITY_STARTTLS;
  guint16 port;
  struct rusage usage;

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (security_name != NULL && !g_str_equal (security_name, "starttls"))
    security = g_str_equal (security_name, "tls") ? CACHET_SECURITY_TLS : CACHET_SECURITY_PLAIN;

  servers = cachet_test_servers_start (CACHET_TEST_SERVERS_POP3, &skip, &error);
  if (servers == NULL)
    {
      g_printerr ("bench-pop3: no servers: %s\n", skip != NULL ? skip : error->message);
      return 77;
    }
  user = cachet_test_servers_get_user (servers, "bulk");
  if (!cachet_test_servers_fill (servers, "bulk", 1, count, size, &error))
    g_error ("%s", error->message);

  port = security == CACHET_SECURITY_TLS ? servers->pop3s_port : servers->pop3_port;
  if (rtt_ms > 0)
    port = start_proxy (port, rtt_ms);

  g_print ("%u messages of %u bytes, %s, %u ms added round trip, best of %u\n", count, size,
           security == CACHET_SECURITY_TLS ? "TLS" : security == CACHET_SECURITY_STARTTLS
           ? "STARTTLS" : "plain", rtt_ms, runs);
  /* Warm Dovecot's index and the page cache. */
  one_run (servers, user, port, security, TRUE);
  for (int pipelining = 0; pipelining <= 1; pipelining++)
    {
      Result best = { G_MAXDOUBLE, G_MAXDOUBLE, 0 };

      for (guint i = 0; i < runs; i++)
        {
          Result r = one_run (servers, user, port, security, pipelining);

          if (r.retrieve < best.retrieve)
            best = r;
        }
      g_print ("  %-16s RETR %8.0f msg/s %7.1f MB/s   whole session %8.0f msg/s (%.3f s)\n",
               pipelining ? "pipelined" : "one at a time", count / best.retrieve,
               best.bytes / best.retrieve / 1e6, count / best.session, best.session);
    }
  getrusage (RUSAGE_SELF, &usage);
  g_print ("  peak RSS of this process: %ld KiB\n", usage.ru_maxrss);
  return 0;
}
