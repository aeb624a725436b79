/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-net"

#include "config.h"

#include "cachet-net-stream.h"

#include <glib/gi18n.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>

#include "cachet-net-error.h"

/* The transport: GIO underneath, libetpan on top.
 *
 * libetpan's protocol code (mailpop3, mailsmtp) reads and writes a `mailstream`, which
 * sits on a `mailstream_low` driver.  libetpan's own drivers do the socket and TLS work
 * themselves, and its TLS driver (GnuTLS in Debian) is not fit for us: it sets GnuTLS's
 * priority to "NORMAL" after our setup callback, so a server that offers only TLS 1.0
 * or 1.1 is accepted, and its API does not tell which version was agreed; it waits with
 * select(), so a descriptor above FD_SETSIZE breaks it; it writes without MSG_NOSIGNAL
 * (SIGPIPE kills the program unless every thread blocks it); cancelling means shutting
 * the descriptor down behind its back; and it prints "GnuTLS error" lines on stderr.
 *
 * So the driver here is ours, over a GIO GIOStream:
 *  - GSocketClient connects (IPv4 and IPv6, timeout, GCancellable, no proxy).  GSocket
 *    sends with MSG_NOSIGNAL and waits with poll(): no SIGPIPE, no descriptor limit.
 *  - TLS is a GTlsClientConnection (glib-networking) wrapped around that same
 *    connection: right after connecting (implicit TLS) or after the protocol's
 *    STLS/STARTTLS reply.  Then the mailstream gets a new low driver bound to the TLS
 *    stream, and the old one (bound to the plain socket) is freed; anything the server
 *    sent in the clear after its reply and that libetpan had buffered is refused, not
 *    kept (STARTTLS injection).
 *  - The certificate is judged by cachet-tls (the system's authorities, the account's
 *    own CA file, the host name, the pin) inside the handshake, from the GTlsConnection
 *    "accept-certificate" signal.  GIO's own verdict is switched off (no database), so
 *    the signal comes for every certificate and ours is the only decision; a handshake
 *    that does not ask (a resumed TLS session) is checked right after it, before anything
 *    is sent.  Nothing of the mail protocol crosses a connection we have not trusted.
 *  - TLS 1.2 is the minimum.  glib-networking 2.74 with Debian 12's GnuTLS still agrees
 *    to TLS 1.0 and 1.1 (its priority string comes from the process-wide
 *    G_TLS_GNUTLS_PRIORITY, not something a library may set), so the version agreed
 *    (g_tls_connection_get_protocol_version, GLib 2.70) is checked after the handshake
 *    and an older one is refused before any byte of the protocol is exchanged.
 *  - The server name goes out as SNI; an IP address does not (RFC 6066).
 *  - Every read, write and handshake waits on one GCancellable of the stream (`abort`),
 *    which the session's cancellable of the moment cancels: a blocked read ends at once.
 *    The socket's timeout bounds each of them (glib-networking honours it for TLS too).
 *
 * libetpan keeps doing what it is good at: buffering, line reading, the protocol
 * replies (mailpop3 CAPA and STLS; later mailsmtp).  The sessions read bulk data straight
 * from the low driver (mailstream_low_read), which returns whatever is there. */

#define DEFAULT_TIMEOUT 60
#define MAILSTREAM_BUFFER 8192
#define MAX_CHAIN 16
#define QUICK_ACKS 4   /* reads acknowledged at once after connecting and after a handshake */

struct _CachetNetStream
{
  char               *host;
  guint16             port;
  guint               timeout;

  GSocketConnection  *connection;
  GTlsConnection     *tls;            /* NULL until a handshake started */
  GIOStream          *io;             /* connection, or tls once the handshake started */

  GCancellable       *abort;          /* every blocking call waits on it */
  GPollFD             abort_fd;       /* held, so that its eventfd lives as long */
  GCancellable       *cancellable;    /* the caller's, forwarded to abort */
  gulong              cancel_handler;

  GError             *error;          /* of the last failed read or write */
  gboolean            broken;         /* a call failed: no close_notify */
  gboolean            closed;
  gboolean            secure;         /* handshake done, certificate trusted, TLS >= 1.2 */
  guint               quick_acks;     /* reads still to be acknowledged at once */
  GTlsProtocolVersion version;
  char               *ciphersuite;

  /* The certificate check, during a handshake */
  char               *extra_ca_file;
  char               *pinned_sha256;
  gboolean            checked;        /* our check ran in this handshake */
  GError             *check_error;    /* the check could not be made at all */
  CachetTlsCheck     *tls_check;
};

/* The data of one mailstream_low: bound to one GIOStream of the connection. */
typedef struct
{
  CachetNetStream *net;
  GIOStream       *io;
} LowData;

static void
clear (CachetNetStream *self)
{
  cachet_net_stream_set_cancellable (self, NULL);
  cachet_net_stream_close (self);
  g_free (self->host);
  g_clear_object (&self->io);
  g_clear_object (&self->tls);
  g_clear_object (&self->connection);
  g_cancellable_release_fd (self->abort);
  g_clear_object (&self->abort);
  g_clear_error (&self->error);
  g_free (self->extra_ca_file);
  g_free (self->pinned_sha256);
  g_clear_error (&self->check_error);
  cachet_tls_check_free (self->tls_check);
  g_free (self->ciphersuite);
}

CachetNetStream *
cachet_net_stream_ref (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
cachet_net_stream_unref (CachetNetStream *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, (GDestroyNotify) clear);
}

const char *
cachet_net_stream_get_host (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

guint16
cachet_net_stream_get_port (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

guint
cachet_net_stream_get_timeout (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->timeout;
}

/* Connecting ------------------------------------------------------------------------- */

CachetNetStream *
cachet_net_stream_connect (const char    *host,
                           guint16        port,
                           guint          timeout_seconds,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) local_error = NULL;
  guint timeout = timeout_seconds != 0 ? timeout_seconds : DEFAULT_TIMEOUT;
  CachetNetStream *self;
  GSocket *socket;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  address = g_network_address_new (host, port);
  g_socket_client_set_timeout (client, timeout);
  /* Direct connections only: a desktop proxy setting is for the web, and GIO's proxy
   * support would bring in GSettings schemas a headless fetch may not have. */
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect (client, address, cancellable, &local_error);
  if (connection == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_UNREACHABLE,
                     _("Could not connect to %s (port %u): %s. Check the server name, the "
                       "port and the network connection."),
                     host, port, local_error->message);
      return NULL;
    }

  socket = g_socket_connection_get_socket (connection);
  g_socket_set_timeout (socket, timeout);
  /* Without it each small command can wait ~40 ms for the delayed ACK of the previous
   * segment. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &local_error))
    {
      g_debug ("TCP_NODELAY: %s", local_error->message);
      g_clear_error (&local_error);
    }

  self = g_atomic_rc_box_new0 (CachetNetStream);
  self->host = g_strdup (host);
  self->port = port;
  self->timeout = timeout;
  self->connection = g_steal_pointer (&connection);
  self->io = g_object_ref (G_IO_STREAM (self->connection));
  self->abort = g_cancellable_new ();
  /* Each blocking wait polls the cancellable's eventfd; without a reference held here,
   * GLib would make and close one for every wait (two system calls per reply). */
  g_cancellable_make_pollfd (self->abort, &self->abort_fd);
  self->quick_acks = QUICK_ACKS;
  g_debug ("connected to %s port %u", host, port);
  return self;
}

/* Cancellation ----------------------------------------------------------------------- */

static void
forward_cancel_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  CachetNetStream *self = user_data;

  g_cancellable_cancel (self->abort);
}

void
cachet_net_stream_set_cancellable (CachetNetStream *self,
                                   GCancellable    *cancellable)
{
  g_return_if_fail (self != NULL);

  if (cancellable == self->cancellable)
    return;
  if (self->cancellable != NULL)
    {
      g_cancellable_disconnect (self->cancellable, self->cancel_handler);
      self->cancel_handler = 0;
      g_clear_object (&self->cancellable);
    }
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      /* Runs forward_cancel_cb at once when it is cancelled already. */
      self->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                                    self, NULL);
    }
}

void
cachet_net_stream_abort (CachetNetStream *self)
{
  g_return_if_fail (self != NULL);
  g_cancellable_cancel (self->abort);
}

/* Reading and writing ---------------------------------------------------------------- */

static void
set_failed (CachetNetStream *self,
            GError          *error)   /* transfer full, may be NULL */
{
  g_clear_error (&self->error);
  self->error = error;
  self->broken = TRUE;
  if (error != NULL)
    g_debug ("%s: %s", self->host, error->message);
}

/* FALSE (with the failure recorded) when @io is not the stream's current one: a low
 * driver of the plain connection after STARTTLS, or a closed stream. */
static gboolean
check_current (CachetNetStream *self,
               GIOStream       *io)
{
  if (io == self->io && !self->closed)
    return TRUE;
  set_failed (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                         "This stream is no longer in use"));
  return FALSE;
}

/* Acknowledges at once what has arrived, for the first reads of a connection and after
 * a handshake.  A server whose socket keeps Nagle's algorithm holds back the second of
 * two small writes until the first is acknowledged, which the kernel delays by ~40 ms:
 * Postfix's session ticket and greeting after the TLS handshake cost every connection
 * those 40 ms.  TCP_QUICKACK is not sticky, hence before each of those reads; later on
 * the replies come in one piece, and bulk data is not worth an acknowledgement each. */
static void
quick_ack (CachetNetStream *self)
{
  if (self->quick_acks == 0)
    return;
  self->quick_acks--;
#ifdef TCP_QUICKACK
  g_socket_set_option (g_socket_connection_get_socket (self->connection), IPPROTO_TCP,
                       TCP_QUICKACK, 1, NULL);
#endif
}

static gssize
stream_read (CachetNetStream *self,
             GIOStream       *io,
             void            *buf,
             gsize            count)
{
  GError *local_error = NULL;
  gssize n;

  if (!check_current (self, io))
    return -1;
  quick_ack (self);
  n = g_input_stream_read (g_io_stream_get_input_stream (io), buf, count, self->abort,
                           &local_error);
  if (n < 0)
    set_failed (self, local_error);
  else if (n == 0)
    {
      g_clear_error (&self->error);
      self->broken = TRUE;
    }
  return n;
}

static gssize
stream_write (CachetNetStream *self,
              GIOStream       *io,
              const void      *buf,
              gsize            count)
{
  GError *local_error = NULL;
  gssize n;

  if (!check_current (self, io))
    return -1;
  n = g_output_stream_write (g_io_stream_get_output_stream (io), buf, count, self->abort,
                             &local_error);
  if (n < 0)
    set_failed (self, local_error);
  return n;
}

void
cachet_net_stream_set_io_error (CachetNetStream *self,
                                GError         **error)
{
  g_return_if_fail (self != NULL);

  if (g_cancellable_is_cancelled (self->abort)
      || g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("Operation was cancelled"));
  else if (g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED,
                 _("%s stopped answering (nothing for %u seconds). Try again later."),
                 self->host, self->timeout);
  else
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED,
                 _("The connection to %s was closed unexpectedly. Try again later."),
                 self->host);
}

const GError *
cachet_net_stream_get_last_error (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->error;
}

gboolean
cachet_net_stream_is_broken (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->broken || g_cancellable_is_cancelled (self->abort);
}

void
cachet_net_stream_close (CachetNetStream *self)
{
  g_return_if_fail (self != NULL);

  if (self->closed || self->connection == NULL)
    return;
  self->closed = TRUE;
  /* close_notify only on a healthy connection: after a failure or a cancellation the
   * peer may not be reading, and a write could wait for the whole timeout. */
  if (self->tls != NULL && self->secure && !self->broken
      && !g_cancellable_is_cancelled (self->abort))
    g_io_stream_close (G_IO_STREAM (self->tls), NULL, NULL);
  /* Closes the socket when the TLS close did not (or there was none). */
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_debug ("closed the connection to %s", self->host);
}

/* TLS -------------------------------------------------------------------------------- */

/* DER of @leaf and the issuers GIO linked to it, leaf first. */
static GPtrArray *
der_chain (GTlsCertificate *leaf)
{
  GPtrArray *der = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GTlsCertificate *cert = leaf;

  for (guint n = 0; cert != NULL && n < MAX_CHAIN; n++)
    {
      GByteArray *bytes = NULL;

      g_object_get (cert, "certificate", &bytes, NULL);
      if (bytes == NULL)
        break;
      g_ptr_array_add (der, g_byte_array_free_to_bytes (bytes));
      cert = g_tls_certificate_get_issuer (cert);
    }
  return der;
}

/* Our verdict on @peer (may be NULL), kept in self->tls_check. */
static gboolean
check_peer (CachetNetStream *self,
            GTlsCertificate *peer)
{
  g_autoptr(GPtrArray) der = der_chain (peer);

  self->checked = TRUE;
  g_clear_error (&self->check_error);
  g_clear_pointer (&self->tls_check, cachet_tls_check_free);
  self->tls_check = cachet_tls_check_chain (der, self->host, self->extra_ca_file,
                                            self->pinned_sha256, &self->check_error);
  return self->tls_check != NULL && self->tls_check->trusted;
}

/* In the handshake; GIO has no database, so it asks about every certificate and
 * @errors (always at least UNKNOWN_CA) means nothing. */
static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return check_peer (user_data, peer);
}

static const char *
version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
      return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
      return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default:
      return NULL;
    }
}

static void
set_handshake_error (CachetNetStream *self,
                     const GError    *local_error,
                     GError         **error)
{
  self->broken = TRUE;
  if (g_cancellable_is_cancelled (self->abort)
      || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
  else if (self->check_error != NULL)
    g_set_error_literal (error, self->check_error->domain, self->check_error->code,
                         self->check_error->message);
  else if (self->tls_check != NULL && !self->tls_check->trusted)
    {
      g_autofree char *text = cachet_tls_check_describe (self->tls_check, self->host);

      g_set_error_literal (error, CACHET_NET_ERROR,
                           self->tls_check->pin_mismatch ? CACHET_NET_ERROR_CERTIFICATE_CHANGED
                                                         : CACHET_NET_ERROR_CERTIFICATE,
                           text);
    }
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                 _("%s (port %u) did not complete the secure (TLS) connection within %u "
                   "seconds. Check the port and the security setting, or try again later."),
                 self->host, self->port, self->timeout);
  else if (local_error == NULL || g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                 _("The secure (TLS) connection to %s (port %u) could not be set up. Check "
                   "the port and the security setting; the server may not offer TLS there."),
                 self->host, self->port);
  else
    g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                 _("The secure (TLS) connection to %s (port %u) could not be set up (%s). "
                   "Check the port and the security setting; the server may not offer TLS "
                   "there."),
                 self->host, self->port, local_error->message);
  if (local_error != NULL)
    g_debug ("%s: TLS handshake failed: %s", self->host, local_error->message);
}

gboolean
cachet_net_stream_handshake (CachetNetStream *self,
                             const char      *extra_ca_file,
                             const char      *pinned_sha256,
                             GError         **error)
{
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) local_error = NULL;
  GIOStream *tls;
  const char *name;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->tls == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (self->abort, error))
    {
      self->broken = TRUE;
      return FALSE;
    }
  if (self->closed || self->broken)
    {
      cachet_net_stream_set_io_error (self, error);
      return FALSE;
    }

  /* SNI and the session cache key; RFC 6066: no IP literals in SNI. */
  if (!g_hostname_is_ip_address (self->host))
    identity = g_network_address_new (self->host, self->port);
  tls = g_tls_client_connection_new (G_IO_STREAM (self->connection), identity, &local_error);
  if (tls == NULL)
    {
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                   _("No secure (TLS) connection can be made on this computer: %s. Check "
                     "that glib-networking is installed."),
                   local_error->message);
      return FALSE;
    }
  self->tls = G_TLS_CONNECTION (tls);
  g_set_object (&self->io, tls);
  /* No database: GIO's own verdict is not used, and accept-certificate is emitted for
   * every certificate, so that cachet_tls_check_chain() decides. */
  g_tls_connection_set_database (self->tls, NULL);
  /* An end without close_notify is an end of file; the protocols frame their data. */
  g_tls_connection_set_require_close_notify (self->tls, FALSE);
  g_signal_connect (self->tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);

  g_free (self->extra_ca_file);
  self->extra_ca_file = g_strdup (extra_ca_file);
  g_free (self->pinned_sha256);
  self->pinned_sha256 = g_strdup (pinned_sha256);
  self->checked = FALSE;

  ok = g_tls_connection_handshake (self->tls, self->abort, &local_error);
  if (ok && !self->checked)
    {
      /* A resumed session: GIO did not ask.  Judge the certificate it remembers. */
      g_debug ("%s: TLS session resumed; checking its certificate", self->host);
      ok = check_peer (self, g_tls_connection_get_peer_certificate (self->tls));
    }
  if (!ok)
    {
      set_handshake_error (self, local_error, error);
      return FALSE;
    }

  self->version = g_tls_connection_get_protocol_version (self->tls);
  name = version_name (self->version);
  if (self->version != G_TLS_PROTOCOL_VERSION_TLS_1_2
      && self->version != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                   _("%s (port %u) could only agree on %s, an outdated version of TLS that "
                     "is no longer safe, so the connection was closed before anything was "
                     "sent. Ask your provider to support TLS 1.2 or newer."),
                   self->host, self->port, name != NULL ? name : _("an unknown version"));
      return FALSE;
    }
  self->ciphersuite = g_tls_connection_get_ciphersuite_name (self->tls);
  self->secure = TRUE;
  self->quick_acks = QUICK_ACKS;
  g_debug ("%s: %s, %s", self->host, name, self->ciphersuite);
  return TRUE;
}

gboolean
cachet_net_stream_is_tls (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->secure;
}

const CachetTlsCheck *
cachet_net_stream_get_tls_check (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tls_check;
}

CachetTlsCheck *
cachet_net_stream_steal_tls_check (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_steal_pointer (&self->tls_check);
}

GTlsProtocolVersion
cachet_net_stream_get_tls_version (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, G_TLS_PROTOCOL_VERSION_UNKNOWN);
  return self->version;
}

const char *
cachet_net_stream_get_ciphersuite (CachetNetStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->ciphersuite;
}

/* The libetpan driver ---------------------------------------------------------------- */

/* The end of the stream is reported to libetpan as an error, not as a read of 0 bytes: no
 * protocol here ends a reply by closing the connection, and libetpan's line reader takes a
 * 0-byte read as "no more data for now" and hands back the same unfinished line again —
 * mailpop3_capa() then collected a server's cut-off CAPA reply forever, growing without
 * bound.  The stream marks itself broken; cachet_net_stream_set_io_error() then reports a
 * closed connection. */
static ssize_t
low_read (mailstream_low *low,
          void           *buf,
          size_t          count)
{
  LowData *d = low->data;
  gssize n = stream_read (d->net, d->io, buf, count);

  return n == 0 && count > 0 ? -1 : n;
}

static ssize_t
low_write (mailstream_low *low,
           const void     *buf,
           size_t          count)
{
  LowData *d = low->data;

  return stream_write (d->net, d->io, buf, count);
}

static int
low_close (mailstream_low *low)
{
  LowData *d = low->data;

  cachet_net_stream_close (d->net);
  return 0;
}

static int
low_get_fd (mailstream_low *low)
{
  LowData *d = low->data;

  if (d->net->closed)
    return -1;
  return g_socket_get_fd (g_socket_connection_get_socket (d->net->connection));
}

static void
low_free (mailstream_low *low)
{
  LowData *d = low->data;

  g_object_unref (d->io);
  cachet_net_stream_unref (d->net);
  g_free (d);
  free (low);   /* allocated by mailstream_low_new() */
}

static void
low_cancel (mailstream_low *low)
{
  LowData *d = low->data;

  cachet_net_stream_abort (d->net);
}

static struct mailstream_cancel *
low_get_cancel (mailstream_low *low)
{
  return NULL;   /* only for IDLE, which waits with select() */
}

static carray *
low_get_certificate_chain (mailstream_low *low)
{
  LowData *d = low->data;
  g_autoptr(GPtrArray) der = NULL;
  carray *chain;

  if (!G_IS_TLS_CONNECTION (d->io))
    return NULL;
  der = der_chain (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (d->io)));
  chain = carray_new (MAX (der->len, 1));
  for (guint i = 0; chain != NULL && i < der->len; i++)
    {
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (der, i), &len);

      carray_add (chain, mmap_string_new_len (data, len), NULL);
    }
  return chain;
}

static mailstream_low_driver low_driver = {
  .mailstream_read = low_read,
  .mailstream_write = low_write,
  .mailstream_close = low_close,
  .mailstream_get_fd = low_get_fd,
  .mailstream_free = low_free,
  .mailstream_cancel = low_cancel,
  .mailstream_get_cancel = low_get_cancel,
  .mailstream_get_certificate_chain = low_get_certificate_chain,
  .mailstream_setup_idle = NULL,
  .mailstream_unsetup_idle = NULL,
  .mailstream_interrupt_idle = NULL,
};

/* A low driver bound to the stream's current GIOStream. */
static mailstream_low *
low_new (CachetNetStream *self)
{
  LowData *d = g_new0 (LowData, 1);
  mailstream_low *low;

  d->net = cachet_net_stream_ref (self);
  d->io = g_object_ref (self->io);
  low = mailstream_low_new (d, &low_driver);
  if (low == NULL)
    g_error ("out of memory");
  return low;
}

mailstream *
cachet_net_stream_open_mailstream (CachetNetStream *self)
{
  mailstream *stream;

  g_return_val_if_fail (self != NULL, NULL);

  stream = mailstream_new (low_new (self), MAILSTREAM_BUFFER);
  if (stream == NULL)
    g_error ("out of memory");
  return stream;
}

gboolean
cachet_net_stream_starttls (CachetNetStream *self,
                            mailstream      *stream,
                            const char      *extra_ca_file,
                            const char      *pinned_sha256,
                            GError         **error)
{
  mailstream_low *plain;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (stream != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  plain = mailstream_get_low (stream);
  g_return_val_if_fail (plain->driver == &low_driver
                        && ((LowData *) plain->data)->net == self, FALSE);
  g_return_val_if_fail (stream->write_buffer_len == 0, FALSE);

  /* Anything already received came in the clear after the reply and could be injected. */
  if (stream->read_buffer_len != 0)
    {
      self->broken = TRUE;
      g_set_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS,
                   _("%s sent data before the secure connection started, which could be an "
                     "attack; nothing was sent."),
                   self->host);
      return FALSE;
    }
  if (!cachet_net_stream_handshake (self, extra_ca_file, pinned_sha256, error))
    return FALSE;
  /* The plain driver goes (without closing anything: TLS runs over its connection). */
  mailstream_set_low (stream, low_new (self));
  mailstream_low_free (plain);
  return TRUE;
}
