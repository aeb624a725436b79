/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-bench"

#include "config.h"

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "cachet-pop3-session.h"
#include "cachet-test-servers.h"

/* The POP3 session alone, into a sink that only counts: messages per second from a
 * private Dovecot on loopback, one command at a time and pipelined, optionally through
 * a proxy that adds a round-trip delay (a network that is not loopback).
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

/* A delaying TCP proxy -------------------------------------------------------------- */

typedef struct
{
  gint64  due;
  GBytes *data;    /* NULL: end of stream */
} Chunk;

typedef struct
{
  GSocket     *from;
  GSocket     *to;
  GAsyncQueue *queue;
  gint64       delay;   /* microseconds, one way */
} Pump;

static gpointer
pump_read (gpointer data)
{
  Pump *p = data;
  guint8 buf[65536];

  for (;;)
    {
      gssize n = g_socket_receive (p->from, (char *) buf, sizeof buf, NULL, NULL);
      Chunk *c = g_new0 (Chunk, 1);

      c->due = g_get_monotonic_time () + p->delay;
      if (n > 0)
        c->data = g_bytes_new (buf, n);
      g_async_queue_push (p->queue, c);
      if (n <= 0)
        break;
    }
  return NULL;
}

static gpointer
pump_write (gpointer data)
{
  Pump *p = data;

  for (;;)
    {
      Chunk *c = g_async_queue_pop (p->queue);
      gint64 wait = c->due - g_get_monotonic_time ();
      gboolean end = c->data == NULL;

      if (wait > 0)
        g_usleep (wait);
      if (!end)
        {
          gsize len;
          const char *bytes = g_bytes_get_data (c->data, &len);

          while (len > 0)
            {
              gssize n = g_socket_send (p->to, bytes, len, NULL, NULL);
              if (n <= 0)
                {
                  end = TRUE;
                  break;
                }
              bytes += n;
              len -= n;
            }
          g_bytes_unref (c->data);
        }
      g_free (c);
      if (end)
        {
          g_socket_shutdown (p->to, FALSE, TRUE, NULL);
          g_socket_shutdown (p->from, TRUE, FALSE, NULL);
          break;
        }
    }
  return NULL;
}

typedef struct
{
  GSocket *listener;
  guint16  upstream;
  gint64   delay;
} Proxy;

static GSocket *
nodelay (GSocket *socket)
{
  int one = 1;

  setsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  g_socket_set_blocking (socket, TRUE);
  return socket;
}

static gpointer
proxy_thread (gpointer data)
{
  Proxy *proxy = data;

  for (;;)
    {
      GSocket *client = g_socket_accept (proxy->listener, NULL, NULL);
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, proxy->upstream);
      GSocket *server;

      if (client == NULL)
        break;
      server = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, NULL);
      if (!g_socket_connect (server, address, NULL, NULL))
        {
          g_object_unref (client);
          g_object_unref (server);
          continue;
        }
      nodelay (client);
      nodelay (server);
      for (int direction = 0; direction < 2; direction++)
        {
          Pump *p = g_new0 (Pump, 1);

          p->from = g_object_ref (direction == 0 ? client : server);
          p->to = g_object_ref (direction == 0 ? server : client);
          p->queue = g_async_queue_new ();
          p->delay = proxy->delay;
          g_thread_unref (g_thread_new ("pump-read", pump_read, p));
          g_thread_unref (g_thread_new ("pump-write", pump_write, p));
        }
      g_object_unref (client);
      g_object_unref (server);
    }
  return NULL;
}

static guint16
start_proxy (guint16 upstream,
             guint   rtt)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  proxy->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_bind (proxy->listener, address, TRUE, NULL));
  g_assert_true (g_socket_listen (proxy->listener, NULL));
  g_socket_set_blocking (proxy->listener, TRUE);
  bound = g_socket_get_local_address (proxy->listener, NULL);
  proxy->upstream = upstream;
  proxy->delay = (gint64) rtt * 1000 / 2;
  g_thread_unref (g_thread_new ("proxy", proxy_thread, proxy));
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
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
