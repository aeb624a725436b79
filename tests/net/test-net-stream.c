/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "cachet-net-error.h"
#include "cachet-net-stream.h"
#include "net-test-certs.h"

/* The transport of cachet-net-stream.c against small scripted peers in a thread of the
 * test (GIO on 127.0.0.1, plain or TLS), through libetpan's mailstream as the sessions
 * use it.  TLS versions older than 1.2 need a peer GIO cannot be: see test-pop3-tls.c. */

typedef enum
{
  PEER_ECHO,          /* echoes lines */
  PEER_TLS_ECHO,      /* TLS handshake, then echoes lines */
  PEER_STARTTLS,      /* "STARTTLS" -> "+OK go", TLS handshake, then echoes lines */
  PEER_INJECT,        /* "STARTTLS" -> "+OK go" and a second line in the same packet */
  PEER_STARTTLS_GARBAGE, /* "STARTTLS" -> "+OK go", then garbage for the ClientHello */
  PEER_GARBAGE,       /* bytes that are no TLS at all */
  PEER_TEXT,          /* a line of text where a TLS handshake was expected */
  PEER_SILENT,        /* says nothing, reads until the client hangs up */
  PEER_TLS_SILENT,    /* TLS handshake, then says nothing */
  PEER_TLS_CLOSE,     /* TLS handshake, then closes the socket (no close_notify) */
  PEER_CLOSE,         /* closes at once */
} PeerMode;

typedef struct
{
  PeerMode         mode;
  GTlsCertificate *certificate;
  GSocket         *listener;
  guint16          port;
  GThread         *thread;
  GCancellable    *stop;

  GMutex           lock;
  GCond            cond;
  GSocket         *current;
  guint            accepted;
  guint            finished;
  guint            handshakes_failed;
  gsize            received_tls;      /* application bytes received over TLS */
  gsize            received_after;    /* bytes received after the STARTTLS reply (INJECT) */
} Peer;

typedef struct
{
  char     *dir;
  TestCert *ca;
  TestCert *server;
  char     *ca_file;
  GTlsCertificate *tls;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  f->dir = g_dir_make_tmp ("cachet-stream-XXXXXX", NULL);
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

/* The peer ---------------------------------------------------------------------------- */

/* Reads until the end; returns the number of bytes. */
static gsize
drain (GInputStream *in)
{
  guint8 buf[4096];
  gsize total = 0;
  gssize n;

  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    total += n;
  return total;
}

static GIOStream *
peer_handshake (Peer      *peer,
                GIOStream *base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = g_tls_server_connection_new (base, peer->certificate, &error);

  g_assert_no_error (error);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    {
      g_test_message ("peer: handshake failed: %s", error->message);
      g_mutex_lock (&peer->lock);
      peer->handshakes_failed++;
      g_mutex_unlock (&peer->lock);
      return NULL;
    }
  return g_steal_pointer (&tls);
}

static void
echo_lines (Peer      *peer,
            GIOStream *io,
            gboolean   tls)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (io));
  GOutputStream *out = g_io_stream_get_output_stream (io);
  char *line;
  gsize len;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  while ((line = g_data_input_stream_read_line (in, &len, NULL, NULL)) != NULL)
    {
      if (tls)
        {
          g_mutex_lock (&peer->lock);
          peer->received_tls += len + 1;
          g_mutex_unlock (&peer->lock);
        }
      g_output_stream_write_all (out, line, len, NULL, NULL, NULL);
      g_output_stream_write_all (out, "\n", 1, NULL, NULL, NULL);
      g_free (line);
    }
}

static void
send_garbage (GOutputStream *out)
{
  guint8 junk[512];
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  g_output_stream_write_all (out, junk, sizeof junk, NULL, NULL, NULL);
}

static void
peer_serve (Peer    *peer,
            GSocket *socket)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (socket);
  GIOStream *plain = G_IO_STREAM (connection);
  GInputStream *in = g_io_stream_get_input_stream (plain);
  GOutputStream *out = g_io_stream_get_output_stream (plain);
  g_autoptr(GIOStream) tls = NULL;
  char line[64];
  gssize n;

  switch (peer->mode)
    {
    case PEER_ECHO:
      echo_lines (peer, plain, FALSE);
      break;
    case PEER_TLS_ECHO:
    case PEER_TLS_SILENT:
    case PEER_TLS_CLOSE:
      tls = peer_handshake (peer, plain);
      if (tls == NULL || peer->mode == PEER_TLS_CLOSE)
        break;
      if (peer->mode == PEER_TLS_ECHO)
        echo_lines (peer, tls, TRUE);
      else
        drain (g_io_stream_get_input_stream (tls));
      break;
    case PEER_STARTTLS:
    case PEER_INJECT:
    case PEER_STARTTLS_GARBAGE:
      n = g_input_stream_read (in, line, sizeof line - 1, NULL, NULL);
      if (n <= 0)
        break;
      line[n] = '\0';
      if (!g_str_has_prefix (line, "STARTTLS\r\n"))
        break;
      if (peer->mode == PEER_STARTTLS_GARBAGE)
        {
          g_output_stream_write_all (out, "+OK go\r\n", 8, NULL, NULL, NULL);
          /* The ClientHello comes first: the garbage cannot be taken for an injection. */
          if (g_input_stream_read (in, line, sizeof line, NULL, NULL) > 0)
            send_garbage (out);
          drain (in);
          break;
        }
      if (peer->mode == PEER_INJECT)
        {
          gsize after;

          g_output_stream_write_all (out, "+OK go\r\n+OK injected\r\n", 22, NULL, NULL, NULL);
          after = drain (in);
          g_mutex_lock (&peer->lock);
          peer->received_after = after;
          g_mutex_unlock (&peer->lock);
          break;
        }
      g_output_stream_write_all (out, "+OK go\r\n", 8, NULL, NULL, NULL);
      tls = peer_handshake (peer, plain);
      if (tls != NULL)
        echo_lines (peer, tls, TRUE);
      break;
    case PEER_GARBAGE:
      send_garbage (out);
      drain (in);
      break;
    case PEER_TEXT:
      g_output_stream_write_all (out, "* OK IMAP4rev1 ready\r\n", 22, NULL, NULL, NULL);
      drain (in);
      break;
    case PEER_SILENT:
      drain (in);
      break;
    case PEER_CLOSE:
    default:
      break;
    }
  if (tls != NULL && peer->mode != PEER_TLS_CLOSE)
    g_io_stream_close (tls, NULL, NULL);
  g_io_stream_close (plain, NULL, NULL);
}

static gpointer
peer_thread (gpointer data)
{
  Peer *peer = data;

  for (;;)
    {
      g_autoptr(GSocket) socket = g_socket_accept (peer->listener, peer->stop, NULL);

      if (socket == NULL)
        break;
      g_socket_set_blocking (socket, TRUE);
      g_socket_set_timeout (socket, 60);
      g_mutex_lock (&peer->lock);
      peer->accepted++;
      g_set_object (&peer->current, socket);
      g_mutex_unlock (&peer->lock);

      peer_serve (peer, socket);

      g_mutex_lock (&peer->lock);
      g_clear_object (&peer->current);
      peer->finished++;
      g_cond_broadcast (&peer->cond);
      g_mutex_unlock (&peer->lock);
    }
  return NULL;
}

static Peer *
peer_new (PeerMode         mode,
          GTlsCertificate *certificate)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  peer->mode = mode;
  peer->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  peer->stop = g_cancellable_new ();
  g_mutex_init (&peer->lock);
  g_cond_init (&peer->cond);
  peer->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (peer->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (peer->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (peer->listener, &error);
  g_assert_no_error (error);
  peer->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  peer->thread = g_thread_new ("peer", peer_thread, peer);
  return peer;
}

/* Waits until every connection so far has ended. */
static void
peer_wait (Peer *peer)
{
  g_mutex_lock (&peer->lock);
  while (peer->finished < peer->accepted)
    g_cond_wait (&peer->cond, &peer->lock);
  g_mutex_unlock (&peer->lock);
}

static void
peer_free (Peer *peer)
{
  g_mutex_lock (&peer->lock);
  if (peer->current != NULL)
    g_socket_shutdown (peer->current, TRUE, TRUE, NULL);
  g_mutex_unlock (&peer->lock);
  g_cancellable_cancel (peer->stop);
  g_thread_join (peer->thread);
  g_object_unref (peer->listener);
  g_object_unref (peer->stop);
  g_clear_object (&peer->certificate);
  g_mutex_clear (&peer->lock);
  g_cond_clear (&peer->cond);
  g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

/* Helpers ----------------------------------------------------------------------------- */

static CachetNetStream *
connect_to (Peer         *peer,
            const char   *host,
            guint         timeout,
            GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  CachetNetStream *net = cachet_net_stream_connect (host, peer->port, timeout, cancellable,
                                                    &error);

  g_assert_no_error (error);
  g_assert_nonnull (net);
  return net;
}

/* Sends @line through @stream and reads the echo. */
static void
assert_echo (mailstream *stream,
             const char *line)
{
  MMAPString *buffer = mmap_string_new ("");
  g_autofree char *sent = g_strconcat (line, "\n", NULL);
  char *got;

  g_assert_cmpint (mailstream_write (stream, sent, strlen (sent)), ==, (gssize) strlen (sent));
  g_assert_cmpint (mailstream_flush (stream), ==, 0);
  got = mailstream_read_line_remove_eol (stream, buffer);
  g_assert_cmpstr (got, ==, line);
  mmap_string_free (buffer);
}

static void
assert_io_error (CachetNetStream *net,
                 GQuark           domain,
                 gint             code)
{
  g_autoptr(GError) error = NULL;

  cachet_net_stream_set_io_error (net, &error);
  g_assert_error (error, domain, code);
  g_test_message ("as expected: %s", error->message);
}

static void
assert_same_der (carray    *chain,
                 guint      index,
                 TestCert  *cert)
{
  g_autoptr(GBytes) der = test_cert_get_der (cert);
  MMAPString *s;

  g_assert_cmpuint (carray_count (chain), >, index);
  s = carray_get (chain, index);
  g_assert_cmpmem (s->str, s->len, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
}

/* Plain and implicit TLS ----------------------------------------------------------------- */

static void
test_plain (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_ECHO, NULL);
  g_autoptr(CachetNetStream) net = connect_to (peer, "127.0.0.1", 30, NULL);
  mailstream *stream = cachet_net_stream_open_mailstream (net);

  assert_echo (stream, "CAPA");
  assert_echo (stream, "a second line");
  g_assert_false (cachet_net_stream_is_tls (net));
  g_assert_null (cachet_net_stream_get_tls_check (net));
  g_assert_cmpint (cachet_net_stream_get_tls_version (net), ==, G_TLS_PROTOCOL_VERSION_UNKNOWN);
  g_assert_null (mailstream_low_get_certificate_chain (mailstream_get_low (stream)));
  g_assert_cmpint (mailstream_low_get_fd (mailstream_get_low (stream)), >=, 0);
  mailstream_close (stream);
  peer_wait (peer);
}

static void
test_implicit_tls (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_TLS_ECHO, f->tls);
  /* Both a name (SNI, and a session the next one may resume) and an address. */
  const char *hosts[] = { "localhost", "127.0.0.1", "localhost" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autoptr(CachetNetStream) net = connect_to (peer, hosts[i], 30, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CachetTlsCheck) check = NULL;
      mailstream *stream;
      carray *chain;

      cachet_net_stream_handshake (net, f->ca_file, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (cachet_net_stream_is_tls (net));
      g_assert_cmpint (cachet_net_stream_get_tls_version (net), >=,
                       G_TLS_PROTOCOL_VERSION_TLS_1_2);
      g_assert_nonnull (cachet_net_stream_get_ciphersuite (net));
      g_test_message ("%s: version %d, %s", hosts[i], cachet_net_stream_get_tls_version (net),
                      cachet_net_stream_get_ciphersuite (net));
      check = cachet_net_stream_steal_tls_check (net);
      g_assert_nonnull (check);
      g_assert_true (check->trusted);
      g_assert_false (check->pinned);
      g_assert_null (cachet_net_stream_get_tls_check (net));

      stream = cachet_net_stream_open_mailstream (net);
      assert_echo (stream, "over TLS");
      chain = mailstream_low_get_certificate_chain (mailstream_get_low (stream));
      assert_same_der (chain, 0, f->server);
      assert_same_der (chain, 1, f->ca);
      mailstream_certificate_chain_free (chain);
      mailstream_close (stream);
    }
  peer_wait (peer);
  g_assert_cmpuint (peer->handshakes_failed, ==, 0);
}

/* A certificate the check refuses fails the handshake itself: the peer never gets to the
 * application data, and the user gets the check to decide on. */
static void
test_untrusted (Fixture      *f,
                gconstpointer data)
{
  const char *ips[] = { "127.0.0.1", NULL };
  TestCertOptions o = { .common_name = "self", .ip_addresses = ips,
                        .not_before = -60, .not_after = 86400 };
  g_autoptr(TestCert) self_signed = test_cert_new (&o);
  g_autoptr(GTlsCertificate) tls = test_cert_get_tls (self_signed, NULL);
  g_autoptr(Peer) peer = peer_new (PEER_TLS_ECHO, tls);
  g_autofree char *pin = test_cert_get_sha256 (self_signed);
  const char *pins[] = { NULL, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                         pin };
  const gint codes[] = { CACHET_NET_ERROR_CERTIFICATE, CACHET_NET_ERROR_CERTIFICATE_CHANGED,
                         0 };

  for (guint i = 0; i < G_N_ELEMENTS (pins); i++)
    {
      g_autoptr(CachetNetStream) net = connect_to (peer, "127.0.0.1", 30, NULL);
      g_autoptr(GError) error = NULL;
      const CachetTlsCheck *check;

      if (codes[i] != 0)
        {
          g_assert_false (cachet_net_stream_handshake (net, f->ca_file, pins[i], &error));
          g_assert_error (error, CACHET_NET_ERROR, codes[i]);
          g_test_message ("refused: %s", error->message);
          g_assert_false (cachet_net_stream_is_tls (net));
          check = cachet_net_stream_get_tls_check (net);
          g_assert_nonnull (check);
          g_assert_false (check->trusted);
          g_assert_cmpstr (check->sha256_hex, ==, pin);
          cachet_net_stream_close (net);
          peer_wait (peer);
          g_assert_cmpuint (peer->handshakes_failed, ==, i + 1);
        }
      else
        {
          mailstream *stream;

          g_assert_true (cachet_net_stream_handshake (net, f->ca_file, pins[i], &error));
          g_assert_no_error (error);
          g_assert_true (cachet_net_stream_get_tls_check (net)->pinned);
          stream = cachet_net_stream_open_mailstream (net);
          assert_echo (stream, "pinned");
          mailstream_close (stream);
          peer_wait (peer);
        }
    }
  /* Only the pinned connection carried any data. */
  g_assert_cmpuint (peer->received_tls, ==, strlen ("pinned\n"));
}

/* Each connection is judged with its own trust settings, whatever GIO remembers of the
 * server (resumed sessions: see test-pop3-tls.c, GIO resumes none in a GTest program). */
static void
test_trust_per_connection (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_TLS_ECHO, f->tls);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 30, NULL);
      mailstream *stream;

      cachet_net_stream_handshake (net, f->ca_file, NULL, &error);
      g_assert_no_error (error);
      stream = cachet_net_stream_open_mailstream (net);
      assert_echo (stream, "session");
      mailstream_close (stream);
    }

  /* Without the CA file the same server is unknown, however GIO remembers it. */
  {
    g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 30, NULL);

    g_assert_false (cachet_net_stream_handshake (net, NULL, NULL, &error));
    g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_CERTIFICATE);
    g_assert_true (cachet_net_stream_get_tls_check (net)->problems & G_TLS_CERTIFICATE_UNKNOWN_CA);
  }
  peer_wait (peer);
  g_assert_cmpuint (peer->received_tls, ==, 3 * strlen ("session\n"));
}

static void
test_not_tls (Fixture      *f,
              gconstpointer data)
{
  const PeerMode modes[] = { PEER_GARBAGE, PEER_TEXT, PEER_CLOSE };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(Peer) peer = peer_new (modes[i], NULL);
      g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 30, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_false (cachet_net_stream_handshake (net, f->ca_file, NULL, &error));
      g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
      g_test_message ("refused: %s", error->message);
      g_assert_false (cachet_net_stream_is_tls (net));
      g_assert_null (cachet_net_stream_get_tls_check (net));
      cachet_net_stream_close (net);
      peer_wait (peer);
    }
}

/* STARTTLS ------------------------------------------------------------------------------ */

static void
test_starttls (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_STARTTLS, f->tls);
  g_autoptr(CachetNetStream) net = connect_to (peer, "127.0.0.1", 30, NULL);
  mailstream *stream = cachet_net_stream_open_mailstream (net);
  MMAPString *buffer = mmap_string_new ("");
  g_autoptr(GError) error = NULL;
  mailstream_low *plain;
  carray *chain;

  g_assert_cmpint (mailstream_write (stream, "STARTTLS\r\n", 10), ==, 10);
  g_assert_cmpint (mailstream_flush (stream), ==, 0);
  g_assert_cmpstr (mailstream_read_line_remove_eol (stream, buffer), ==, "+OK go");
  mmap_string_free (buffer);
  plain = mailstream_get_low (stream);

  cachet_net_stream_starttls (net, stream, f->ca_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cachet_net_stream_is_tls (net));
  /* A new driver, bound to TLS. */
  g_assert_true (mailstream_get_low (stream) != plain);
  chain = mailstream_low_get_certificate_chain (mailstream_get_low (stream));
  assert_same_der (chain, 0, f->server);
  mailstream_certificate_chain_free (chain);
  assert_echo (stream, "inside TLS");
  mailstream_close (stream);
  peer_wait (peer);
  g_assert_cmpuint (peer->received_tls, ==, strlen ("inside TLS\n"));
}

/* A server that answers the ClientHello with garbage after STARTTLS. */
static void
test_starttls_garbage (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_STARTTLS_GARBAGE, NULL);
  g_autoptr(CachetNetStream) net = connect_to (peer, "127.0.0.1", 30, NULL);
  mailstream *stream = cachet_net_stream_open_mailstream (net);
  MMAPString *buffer = mmap_string_new ("");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mailstream_write (stream, "STARTTLS\r\n", 10), ==, 10);
  g_assert_cmpint (mailstream_flush (stream), ==, 0);
  g_assert_cmpstr (mailstream_read_line_remove_eol (stream, buffer), ==, "+OK go");
  mmap_string_free (buffer);
  g_assert_false (cachet_net_stream_starttls (net, stream, f->ca_file, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
  g_test_message ("refused: %s", error->message);
  g_assert_false (cachet_net_stream_is_tls (net));
  /* The plain driver is finished too. */
  g_assert_cmpint (mailstream_write (stream, "x\r\n", 3), ==, 3);
  g_assert_cmpint (mailstream_flush (stream), <, 0);
  mailstream_close (stream);
  peer_wait (peer);
}

/* What the server sends in the clear after its reply could come from anyone: the
 * connection ends there, before a handshake. */
static void
test_starttls_injection (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_INJECT, f->tls);
  g_autoptr(CachetNetStream) net = connect_to (peer, "127.0.0.1", 30, NULL);
  mailstream *stream = cachet_net_stream_open_mailstream (net);
  MMAPString *buffer = mmap_string_new ("");
  g_autoptr(GError) error = NULL;
  const char *line;

  g_assert_cmpint (mailstream_write (stream, "STARTTLS\r\n", 10), ==, 10);
  g_assert_cmpint (mailstream_flush (stream), ==, 0);
  /* The reply and the injected line can arrive in one read or two. */
  line = mailstream_read_line_remove_eol (stream, buffer);
  g_assert_cmpstr (line, ==, "+OK go");
  if (stream->read_buffer_len == 0)
    g_assert_cmpint (mailstream_feed_read_buffer (stream), >, 0);
  mmap_string_free (buffer);

  g_assert_false (cachet_net_stream_starttls (net, stream, f->ca_file, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_TLS);
  g_test_message ("refused: %s", error->message);
  g_assert_false (cachet_net_stream_is_tls (net));
  mailstream_close (stream);
  peer_wait (peer);
  /* Not even a ClientHello went out. */
  g_assert_cmpuint (peer->received_after, ==, 0);
}

/* Cancellation, timeouts, closed connections -------------------------------------------- */

typedef struct
{
  GCancellable    *cancellable;
  CachetNetStream *net;          /* or this is aborted */
  mailstream      *stream;       /* or this is cancelled with mailstream_cancel() */
} Canceller;

static gpointer
cancel_later_cb (gpointer data)
{
  Canceller *c = data;

  /* Let the other thread block first; the cancellation must end it either way. */
  g_usleep (G_USEC_PER_SEC / 5);
  if (c->cancellable != NULL)
    g_cancellable_cancel (c->cancellable);
  else if (c->net != NULL)
    cachet_net_stream_abort (c->net);
  else
    mailstream_cancel (c->stream);
  return NULL;
}

static void
test_cancel_handshake (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_SILENT, NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      /* A timeout far away: only the cancellation can end the handshake. */
      g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 600, NULL);
      g_autoptr(GError) error = NULL;
      Canceller c = { 0 };
      GThread *thread;

      if (i == 0)
        {
          c.cancellable = cancellable;
          cachet_net_stream_set_cancellable (net, cancellable);
        }
      else
        c.net = net;
      thread = g_thread_new ("canceller", cancel_later_cb, &c);
      g_assert_false (cachet_net_stream_handshake (net, f->ca_file, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_thread_join (thread);
      g_assert_null (cachet_net_stream_get_tls_check (net));
      cachet_net_stream_set_cancellable (net, NULL);
      cachet_net_stream_close (net);
      peer_wait (peer);
    }

  /* Cancelled before: the handshake does not start. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 600, NULL);
    g_autoptr(GError) error = NULL;

    g_cancellable_cancel (cancellable);
    cachet_net_stream_set_cancellable (net, cancellable);
    g_assert_false (cachet_net_stream_handshake (net, f->ca_file, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    cachet_net_stream_set_cancellable (net, NULL);
  }
  /* ...and so does the connection. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;

    g_cancellable_cancel (cancellable);
    g_assert_null (cachet_net_stream_connect ("127.0.0.1", peer->port, 600, cancellable,
                                              &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

/* A read blocked on a silent server ends at once, plain or TLS, by the cancellable, by
 * cachet_net_stream_abort() or by libetpan's mailstream_cancel(). */
static void
test_cancel_read (Fixture      *f,
                  gconstpointer data)
{
  for (guint tls = 0; tls <= 1; tls++)
    for (guint how = 0; how < 3; how++)
      {
        g_autoptr(Peer) peer = peer_new (tls ? PEER_TLS_SILENT : PEER_SILENT, f->tls);
        g_autoptr(GCancellable) cancellable = g_cancellable_new ();
        g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 600, NULL);
        g_autoptr(GError) error = NULL;
        mailstream *stream;
        Canceller c = { 0 };
        GThread *thread;
        char buf[16];

        if (tls)
          {
            cachet_net_stream_handshake (net, f->ca_file, NULL, &error);
            g_assert_no_error (error);
          }
        stream = cachet_net_stream_open_mailstream (net);
        cachet_net_stream_set_cancellable (net, cancellable);
        if (how == 0)
          c.cancellable = cancellable;
        else if (how == 1)
          c.net = net;
        else
          c.stream = stream;
        thread = g_thread_new ("canceller", cancel_later_cb, &c);
        g_assert_cmpint (mailstream_low_read (mailstream_get_low (stream), buf, sizeof buf), <,
                         0);
        g_thread_join (thread);
        assert_io_error (net, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        /* Finished: later calls fail at once. */
        g_assert_cmpint (mailstream_write (stream, "x\r\n", 3), ==, 3);
        g_assert_cmpint (mailstream_flush (stream), <, 0);
        cachet_net_stream_set_cancellable (net, NULL);
        mailstream_close (stream);
        peer_wait (peer);
      }
}

static void
test_read_timeout (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_TLS_SILENT, f->tls);
  g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 1, NULL);
  g_autoptr(GError) error = NULL;
  mailstream *stream;
  char buf[16];

  cachet_net_stream_handshake (net, f->ca_file, NULL, &error);
  g_assert_no_error (error);
  stream = cachet_net_stream_open_mailstream (net);
  g_assert_cmpint (mailstream_low_read (mailstream_get_low (stream), buf, sizeof buf), <, 0);
  g_assert_error (cachet_net_stream_get_last_error (net), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  assert_io_error (net, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
  mailstream_close (stream);
  peer_wait (peer);
}

/* A server that hangs up: an end of file (TLS without close_notify too), and writes that
 * fail with an error, never SIGPIPE (which would end this test program). */
static void
test_peer_closes (Fixture      *f,
                  gconstpointer data)
{
  for (guint tls = 0; tls <= 1; tls++)
    {
      g_autoptr(Peer) peer = peer_new (tls ? PEER_TLS_CLOSE : PEER_CLOSE, f->tls);
      g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 30, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *block = g_malloc0 (65536);
      mailstream *stream;
      char buf[16];
      gboolean failed = FALSE;

      if (tls)
        {
          cachet_net_stream_handshake (net, f->ca_file, NULL, &error);
          g_assert_no_error (error);
        }
      stream = cachet_net_stream_open_mailstream (net);
      peer_wait (peer);
      g_assert_cmpint (mailstream_low_read (mailstream_get_low (stream), buf, sizeof buf), <=,
                       0);
      assert_io_error (net, CACHET_NET_ERROR, CACHET_NET_ERROR_DISCONNECTED);
      for (guint i = 0; i < 100 && !failed; i++)
        failed = mailstream_low_write (mailstream_get_low (stream), block, 65536) < 0;
      g_assert_true (failed);
      g_assert_nonnull (cachet_net_stream_get_last_error (net));
      mailstream_close (stream);
    }
}

/* No select(): a descriptor above FD_SETSIZE works like any other. */
static void
test_many_descriptors (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(Peer) peer = peer_new (PEER_TLS_ECHO, f->tls);
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  struct rlimit limit;
  g_autoptr(GError) error = NULL;
  mailstream *stream;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < FD_SETSIZE + 64)
    {
      g_test_skip ("the descriptor limit is below FD_SETSIZE");
      return;
    }
  if (limit.rlim_cur < FD_SETSIZE + 64)
    {
      struct rlimit raised = { FD_SETSIZE + 64, limit.rlim_max };
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &raised), ==, 0);
    }
  for (;;)
    {
      int fd = dup (0);

      g_assert_cmpint (fd, >=, 0);
      g_array_append_val (fds, fd);
      if (fd >= FD_SETSIZE + 8)
        break;
    }

  {
    g_autoptr(CachetNetStream) net = connect_to (peer, "localhost", 30, NULL);

    cachet_net_stream_handshake (net, f->ca_file, NULL, &error);
    g_assert_no_error (error);
    stream = cachet_net_stream_open_mailstream (net);
    g_assert_cmpint (mailstream_low_get_fd (mailstream_get_low (stream)), >=, FD_SETSIZE);
    assert_echo (stream, "far up");
    mailstream_close (stream);
  }
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  setrlimit (RLIMIT_NOFILE, &limit);
  peer_wait (peer);
}

static void
test_unreachable (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  g_assert_null (cachet_net_stream_connect ("127.0.0.1",
                                            g_inet_socket_address_get_port (
                                              G_INET_SOCKET_ADDRESS (bound)),
                                            5, NULL, &error));
  g_assert_error (error, CACHET_NET_ERROR, CACHET_NET_ERROR_UNREACHABLE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/net/stream/plain", test_plain);
  ADD ("/net/stream/implicit-tls", test_implicit_tls);
  ADD ("/net/stream/untrusted", test_untrusted);
  ADD ("/net/stream/trust-per-connection", test_trust_per_connection);
  ADD ("/net/stream/not-tls", test_not_tls);
  ADD ("/net/stream/starttls", test_starttls);
  ADD ("/net/stream/starttls-injection", test_starttls_injection);
  ADD ("/net/stream/starttls-garbage", test_starttls_garbage);
  ADD ("/net/stream/cancel-handshake", test_cancel_handshake);
  ADD ("/net/stream/cancel-read", test_cancel_read);
  ADD ("/net/stream/read-timeout", test_read_timeout);
  ADD ("/net/stream/peer-closes", test_peer_closes);
  ADD ("/net/stream/many-descriptors", test_many_descriptors);
#undef ADD
  g_test_add_func ("/net/stream/unreachable", test_unreachable);

  return g_test_run ();
}
