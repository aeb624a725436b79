/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-tls.h"

G_BEGIN_DECLS

/* One POP3 connection over libetpan (mailpop3 + its TLS streams), blocking: used from one
 * worker thread at a time.  Certificates are checked with cachet-tls; a configured STARTTLS
 * the server does not offer is CACHET_NET_ERROR_STARTTLS_MISSING, never a plaintext login.
 * PASS and AUTH arguments never appear in the protocol trace (CACHET_PROTOCOL_TRACE=1).
 *
 * Cancelling the GCancellable of any call interrupts it at once (even a blocking read):
 * it returns G_IO_ERROR_CANCELLED and the session is finished — free it; nothing was
 * committed on the server.  So is a session whose connection dropped or timed out
 * (CACHET_NET_ERROR_DISCONNECTED) or whose server made no sense (_PROTOCOL).  A session
 * is used for one connection. */
typedef struct _CachetPop3Session CachetPop3Session;

typedef struct
{
  guint    number;    /* message number in this session (1-based) */
  guint64  size;      /* octets, as LIST says */
  char    *uidl;      /* unique id, or NULL when the server has no UIDL */
} CachetPop3Entry;

/* Receives a message as it arrives: dot-unstuffed, line ends turned into LF.  Called one
 * or more times per message with data, then once with @done TRUE (data may be NULL).
 * Returning FALSE (with @error set) stops the transfer. */
typedef gboolean (*CachetPop3Sink) (guint         number,
                                    const guint8 *data,
                                    gsize         len,
                                    gboolean      done,
                                    gpointer      user_data,
                                    GError      **error);

CachetPop3Session *cachet_pop3_session_new   (void);
void               cachet_pop3_session_free  (CachetPop3Session *self);  /* no QUIT: the
                                                    server keeps every message (RFC 1939) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetPop3Session, cachet_pop3_session_free)

/* Connects, protects the connection as @server says, checks the certificate, reads the
 * greeting and CAPA.  On CACHET_NET_ERROR_CERTIFICATE(_CHANGED) the check is kept for
 * cachet_pop3_session_get_tls_check() so the user can be asked.  Uses server->host,
 * port (0: 995 for TLS, else 110), security and pinned_sha256; @extra_ca_file may be
 * NULL; @timeout_seconds (0: 60) bounds the connection, the TLS handshake and each read
 * later on.  A name is resolved to IPv4 and IPv6 addresses, tried in turn; no proxy. */
gboolean     cachet_pop3_session_connect      (CachetPop3Session          *self,
                                               const CachetServerSettings *server,
                                               const char                 *extra_ca_file,
                                               guint                       timeout_seconds,
                                               GCancellable               *cancellable,
                                               GError                    **error);
const CachetTlsCheck *cachet_pop3_session_get_tls_check (CachetPop3Session *self);
/* Pipelining is used when the server offers it (default TRUE); FALSE sends one command
 * at a time, for a server that offers PIPELINING but breaks under it. */
void         cachet_pop3_session_set_pipelining (CachetPop3Session *self,
                                                 gboolean           enabled);
/* A CAPA name ("PIPELINING"), or a name and one of its arguments ("SASL PLAIN"); after
 * STLS, what the server offers inside TLS. */
gboolean     cachet_pop3_session_has_capability (CachetPop3Session *self,
                                                 const char        *capability);
/* Logs in with @method (CACHET_AUTH_AUTO: SASL PLAIN if offered, else USER/PASS; APOP only
 * when asked for).  A refused login is CACHET_NET_ERROR_AUTH with the server's words; a
 * mailbox in use is CACHET_NET_ERROR_LOCKED ([IN-USE]); [SYS/TEMP], [SYS/PERM] and
 * [LOGIN-DELAY] are CACHET_NET_ERROR_SERVER.  A method the server does not offer (SASL
 * PLAIN missing from CAPA, APOP without a challenge in the greeting) is
 * CACHET_NET_ERROR_AUTH_UNSUPPORTED and nothing is sent.  The session stays usable after
 * a refused login. */
gboolean     cachet_pop3_session_login        (CachetPop3Session *self,
                                               const char        *user,
                                               const char        *password,
                                               CachetAuthMethod   method,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* LIST and, when offered, UIDL: every message with its size and unique id, sorted by
 * number.  A malformed LIST is CACHET_NET_ERROR_PROTOCOL.  UIDL lines that are malformed,
 * name a message LIST did not, or repeat a number are left out, and a unique id that two
 * messages share is taken from both: such entries have uidl NULL although
 * cachet_pop3_session_has_uidl() is TRUE — they cannot be told apart from others, so
 * never delete them (a warning is logged). */
GPtrArray   *cachet_pop3_session_list         (CachetPop3Session *self,   /* CachetPop3Entry */
                                               GCancellable      *cancellable,
                                               GError           **error);
/* TRUE when the last cachet_pop3_session_list() got unique ids (UIDL) from the server;
 * FALSE for a server without UIDL, where every uidl is NULL. */
gboolean     cachet_pop3_session_has_uidl     (CachetPop3Session *self);
/* RETR (or TOP n 0 with @headers_only) of each message in @numbers, in that order, sent
 * ahead in a window when the server offers PIPELINING.  Messages are streamed to @sink in
 * pieces of at most 64 KiB, never held whole.  A refused RETR (CACHET_NET_ERROR_SERVER)
 * or a failing sink stops the transfer once the replies under way are read, and the
 * session stays usable (for DELE of what was stored, and QUIT).  A connection that drops
 * is CACHET_NET_ERROR_DISCONNECTED, and the cut message never gets @done. */
gboolean     cachet_pop3_session_retrieve     (CachetPop3Session *self,
                                               const guint       *numbers,
                                               guint              n_numbers,
                                               gboolean           headers_only,
                                               CachetPop3Sink     sink,
                                               gpointer           user_data,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* DELE of each message (pipelined when offered).  Takes effect only at QUIT.  A refused
 * DELE is CACHET_NET_ERROR_SERVER, after the others were sent. */
gboolean     cachet_pop3_session_delete       (CachetPop3Session *self,
                                               const guint       *numbers,
                                               guint              n_numbers,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* QUIT: the server now removes the messages marked deleted.  Closes the connection. */
gboolean     cachet_pop3_session_quit         (CachetPop3Session *self,
                                               GError           **error);

void         cachet_pop3_entry_free           (CachetPop3Entry *entry);

G_END_DECLS
