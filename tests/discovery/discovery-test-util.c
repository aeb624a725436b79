/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "discovery-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  GMainLoop             *loop;
  CachetDiscoveryResult *result;
  GError                *error;
  gboolean               watchdog_fired;
} Run;

static void
done_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  Run *run = user_data;

  run->result = cachet_discovery_run_finish (CACHET_DISCOVERY (source), res, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  Run *run = user_data;

  run->watchdog_fired = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

CachetDiscoveryResult *
discovery_test_run (CachetDiscovery  *discovery,
                    GCancellable     *cancellable,
                    guint             cancel_after_ms,
                    GError          **error)
{
  Run run = { 0 };
  GMainContext *context = g_main_context_get_thread_default ();
  GSource *watchdog = g_timeout_source_new_seconds (120);
  GSource *cancel = NULL;

  run.loop = g_main_loop_new (context, FALSE);
  g_source_set_callback (watchdog, watchdog_cb, &run, NULL);
  g_source_attach (watchdog, context);
  if (cancellable != NULL)
    {
      cancel = g_timeout_source_new (cancel_after_ms);
      g_source_set_callback (cancel, cancel_cb, cancellable, NULL);
      g_source_attach (cancel, context);
    }
  cachet_discovery_run_async (discovery, cancellable, done_cb, &run);
  g_main_loop_run (run.loop);
  g_source_destroy (watchdog);
  g_source_unref (watchdog);
  if (cancel != NULL)
    {
      g_source_destroy (cancel);
      g_source_unref (cancel);
    }
  g_main_loop_unref (run.loop);
  g_assert_false (run.watchdog_fired);
  if (run.error != NULL)
    g_propagate_error (error, run.error);
  if (run.result != NULL && g_test_verbose ())
    discovery_test_dump (run.result);
  return run.result;
}

CachetIspDirectory *
discovery_test_empty_directory (void)
{
  g_autofree char *dir = g_dir_make_tmp ("empty-isp-XXXXXX", NULL);
  const char *dirs[] = { dir, NULL };

  g_assert_nonnull (dir);
  return cachet_isp_directory_new (dirs);
}

guint
discovery_test_count (GPtrArray           *list,
                      CachetDiscoveryStep  step)
{
  guint n = 0;

  for (guint i = 0; i < list->len; i++)
    if (((CachetDiscoveryCandidate *) list->pdata[i])->source == step)
      n++;
  return n;
}

gboolean
discovery_test_note_has (CachetDiscoveryResult *result,
                         CachetDiscoveryStep    step,
                         const char            *needle)
{
  GPtrArray *notes = result->steps[step].notes;

  for (guint i = 0; i < notes->len; i++)
    if (strstr (notes->pdata[i], needle) != NULL)
      return TRUE;
  return result->steps[step].detail != NULL && strstr (result->steps[step].detail, needle) != NULL;
}

void
discovery_test_dump (CachetDiscoveryResult *result)
{
  for (guint s = 0; s < CACHET_DISCOVERY_N_STEPS; s++)
    {
      CachetDiscoveryStepReport *r = &result->steps[s];

      g_printerr ("# step %s: %s (%" G_GINT64_FORMAT " ms) %s\n",
                  cachet_discovery_step_to_string (s), cachet_discovery_step_state_to_string (r->state),
                  r->elapsed_us / 1000, r->detail != NULL ? r->detail : "");
      for (guint i = 0; i < r->notes->len; i++)
        g_printerr ("#   - %s\n", (char *) r->notes->pdata[i]);
    }
  for (int smtp = 0; smtp <= 1; smtp++)
    {
      GPtrArray *list = smtp ? result->outgoing : result->incoming;

      for (guint i = 0; i < list->len; i++)
        {
          CachetDiscoveryCandidate *c = list->pdata[i];

          g_printerr ("# %s %s:%u %s trusted=%d plain=%d confirmed=%d from %s (%s) %s\n",
                      smtp ? "SMTP" : "POP3", c->server->host, c->server->port,
                      cachet_security_to_string (c->server->security), c->trusted, c->plaintext,
                      c->confirmed, cachet_discovery_step_to_string (c->source), c->origin,
                      c->problem != NULL ? c->problem : "");
        }
    }
}

/* Listeners ------------------------------------------------------------------------------ */

static GPtrArray *keep;   /* everything that must live as long as the program */

static void
keep_object (gpointer object)
{
  if (keep == NULL)
    keep = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (keep, object);
}

static GSocket *
listening_socket (int backlog)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_socket_set_listen_backlog (socket, backlog);
  g_assert_true (g_socket_listen (socket, &error));
  return socket;
}

static guint16
port_of (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

guint16
discovery_test_dead_port (void)
{
  GSocket *socket = listening_socket (0);
  guint16 port = port_of (socket);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  /* A listener never accepting, with a backlog of 0: once its queue holds a connection
   * or two, Linux drops further SYNs and connecting hangs, as to a dead host. */
  keep_object (socket);
  for (guint i = 0; i < 3; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, address, NULL, NULL);   /* EINPROGRESS is fine */
      keep_object (filler);
    }
  g_usleep (50 * 1000);
  return port;
}

guint16
discovery_test_silent_port (void)
{
  GSocket *socket = listening_socket (128);

  keep_object (socket);
  return port_of (socket);
}

guint16
discovery_test_closed_port (void)
{
  g_autoptr(GSocket) socket = listening_socket (1);

  return port_of (socket);   /* closed again when it goes */
}

static gboolean
banner_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source,
                    gpointer           user_data)
{
  const char *banner = user_data;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), banner,
                             strlen (banner), NULL, NULL, NULL);
  keep_object (g_object_ref (connection));
  return TRUE;
}

guint16
discovery_test_banner_port (const char *banner)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  guint16 port;

  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &effective, &error));
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect_data (service, "incoming", G_CALLBACK (banner_incoming_cb), g_strdup (banner),
                         (GClosureNotify) g_free, 0);
  g_socket_service_start (service);
  keep_object (service);
  return port;
}
