/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libetpan/libetpan.h>

#include "cachet-tls.h"

G_BEGIN_DECLS

/* The transport under the POP3 and SMTP sessions: a GIO connection (plain, or upgraded in
 * place to TLS with a GTlsClientConnection) that libetpan reads and writes through a
 * mailstream_low driver of ours.  See the top of cachet-net-stream.c for why.
 *
 * Use from one thread at a time (the session's worker), except cachet_net_stream_abort(),
 * which any thread may call.  Every read, write and handshake is bounded by the timeout
 * given to cachet_net_stream_connect() and interrupted at once by the cancellable set with
 * cachet_net_stream_set_cancellable() (or by cachet_net_stream_abort()); after a failure
 * or a cancellation the stream is finished: close it.
 *
 * A typical session:
 *
 *   net = cachet_net_stream_connect (host, port, timeout, cancellable, error);
 *   cachet_net_stream_set_cancellable (net, cancellable);      // around each operation
 *   if (implicit TLS)
 *     cachet_net_stream_handshake (net, extra_ca_file, pin, error);
 *   stream = cachet_net_stream_open_mailstream (net);           // for mailpop3/mailsmtp
 *   ...greeting, capabilities, STLS/STARTTLS answered positively...
 *   cachet_net_stream_starttls (net, stream, extra_ca_file, pin, error);
 *   check = cachet_net_stream_steal_tls_check (net);            // also after a refusal
 *   ...
 *   mailstream_close (stream);                                  // closes the connection
 *   cachet_net_stream_unref (net); */
typedef struct _CachetNetStream CachetNetStream;

/* Resolves @host (IPv4 and IPv6, tried in turn; no proxy) and connects with TCP_NODELAY.
 * @timeout_seconds (0: 60) bounds the connection and, later, the TLS handshake and each
 * read and write.  Fails with CACHET_NET_ERROR_UNREACHABLE or G_IO_ERROR_CANCELLED. */
CachetNetStream *cachet_net_stream_connect       (const char       *host,
                                                  guint16           port,
                                                  guint             timeout_seconds,
                                                  GCancellable     *cancellable,
                                                  GError          **error);
CachetNetStream *cachet_net_stream_ref           (CachetNetStream  *self);
void             cachet_net_stream_unref         (CachetNetStream  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetNetStream, cachet_net_stream_unref)

const char      *cachet_net_stream_get_host      (CachetNetStream  *self);
guint16          cachet_net_stream_get_port      (CachetNetStream  *self);
guint            cachet_net_stream_get_timeout   (CachetNetStream  *self);

/* The cancellable that interrupts every blocking call from now on (NULL: none).  Set it
 * at the start of each operation of the session and clear it at the end. */
void             cachet_net_stream_set_cancellable (CachetNetStream *self,
                                                    GCancellable    *cancellable);
/* Interrupts a blocked read, write or handshake and fails every later one
 * (G_IO_ERROR_CANCELLED).  Thread-safe; also what mailstream_cancel() does. */
void             cachet_net_stream_abort         (CachetNetStream  *self);

/* Implicit TLS: the handshake, now, before anything else was sent or read.  The server
 * name goes out as SNI (not for an IP address); the certificate is checked with
 * cachet_tls_check_chain() (the system's authorities, plus those of @extra_ca_file when
 * given, and @pinned_sha256: see cachet-tls.h) during the handshake, which fails unless
 * the check trusts it; TLS older than 1.2 is refused.  Errors:
 * CACHET_NET_ERROR_CERTIFICATE or _CERTIFICATE_CHANGED (cachet_net_stream_steal_tls_check()
 * says why, for asking the user), CACHET_NET_ERROR_TLS (no TLS there, an outdated version,
 * no answer in time), G_IO_ERROR_CANCELLED.  Once per stream. */
gboolean         cachet_net_stream_handshake     (CachetNetStream  *self,
                                                  const char       *extra_ca_file,
                                                  const char       *pinned_sha256,
                                                  GError          **error);
/* STARTTLS, after the server's positive reply to STLS / STARTTLS was read from @stream (a
 * mailstream of this stream with nothing left to send): fails with CACHET_NET_ERROR_TLS
 * when @stream holds anything the server sent after that reply (it came in the clear and
 * could be injected), else makes the handshake as cachet_net_stream_handshake() does and
 * gives @stream a new low driver that reads and writes only through TLS. */
gboolean         cachet_net_stream_starttls      (CachetNetStream  *self,
                                                  mailstream       *stream,
                                                  const char       *extra_ca_file,
                                                  const char       *pinned_sha256,
                                                  GError          **error);

/* A libetpan stream over this connection (buffer of 8 KiB), for mailpop3 or mailsmtp.  It
 * holds a reference to @self; mailstream_close() closes the connection.  Its low driver
 * also gives libetpan the peer's certificate chain (mailstream_low_get_certificate_chain)
 * and its socket (mailstream_low_get_fd, for nothing but information: never select() on
 * it). */
mailstream      *cachet_net_stream_open_mailstream (CachetNetStream *self);

/* TRUE once a handshake succeeded: the certificate is trusted and TLS is 1.2 or newer. */
gboolean         cachet_net_stream_is_tls        (CachetNetStream  *self);
/* The result of the last certificate check, or NULL when none was made. */
const CachetTlsCheck *cachet_net_stream_get_tls_check (CachetNetStream *self);
/* The same, handed over (transfer full); NULL afterwards. */
CachetTlsCheck  *cachet_net_stream_steal_tls_check (CachetNetStream *self);
/* G_TLS_PROTOCOL_VERSION_UNKNOWN before a handshake. */
GTlsProtocolVersion cachet_net_stream_get_tls_version (CachetNetStream *self);
/* "TLS_AES_256_GCM_SHA384" and the like, or NULL. */
const char      *cachet_net_stream_get_ciphersuite (CachetNetStream *self);

/* After a read or write of the mailstream failed (or returned end of file): the reason,
 * as the user should see it: G_IO_ERROR_CANCELLED, or CACHET_NET_ERROR_DISCONNECTED
 * (the connection dropped, or nothing came for the whole timeout). */
void             cachet_net_stream_set_io_error  (CachetNetStream  *self,
                                                  GError          **error);
/* The GIO error of the last failed read or write (NULL after an end of file). */
const GError    *cachet_net_stream_get_last_error (CachetNetStream *self);
/* TRUE once a read or write failed or met the end of the stream, a handshake failed, or
 * the stream was aborted (a close after none of these is not a failure): for telling a
 * dead connection from a peer that sent nonsense when libetpan reports only that it got
 * no reply. */
gboolean         cachet_net_stream_is_broken     (CachetNetStream  *self);

/* Closes the connection: with a TLS close_notify when nothing went wrong (bounded by the
 * timeout), without one after a failure or a cancellation.  Idempotent. */
void             cachet_net_stream_close         (CachetNetStream  *self);

G_END_DECLS
