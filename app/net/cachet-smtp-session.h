/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-tls.h"

G_BEGIN_DECLS

/* One SMTP submission connection over libetpan (mailsmtp / mailesmtp) on a
 * cachet-net-stream, blocking, used from one worker thread at a time — the sending twin of
 * CachetPop3Session and held to the same rules: certificates checked by cachet-tls (with
 * the account's pin and extra CA), TLS older than 1.2 refused, a configured STARTTLS the
 * server does not offer is CACHET_NET_ERROR_STARTTLS_MISSING (never a plaintext login),
 * AUTH arguments never in the protocol trace, cancelling interrupts at once and finishes
 * the session.  Several messages go through one session (RSET between them).
 *
 * Errors are CACHET_NET_ERROR (connection, TLS, certificate, AUTH: 535 and friends) or
 * CACHET_SMTP_ERROR for what the server refused about a message; the message text is a
 * plain sentence that includes the server's reply (code, enhanced code, text). */
#define CACHET_SMTP_ERROR (cachet_smtp_error_quark ())

typedef enum
{
  CACHET_SMTP_ERROR_SENDER_REJECTED,    /* MAIL FROM refused */
  CACHET_SMTP_ERROR_RECIPIENT_REJECTED, /* every recipient refused (see the result for each) */
  CACHET_SMTP_ERROR_RELAY_REFUSED,      /* 554/550 5.7.1 "Relay access denied" and friends */
  CACHET_SMTP_ERROR_TOO_LARGE,          /* over the server's SIZE (found before DATA) or 552 */
  CACHET_SMTP_ERROR_NOT_8BIT,           /* 8-bit body and the server has no 8BITMIME */
  CACHET_SMTP_ERROR_DATA_REJECTED,      /* the reply after the final "." was an error */
  CACHET_SMTP_ERROR_TEMPORARY,          /* any 4xx: worth retrying later */
} CachetSmtpError;

GQuark cachet_smtp_error_quark (void);

/* What happened to one recipient of a message. */
typedef struct
{
  char    *address;
  guint    code;          /* reply to RCPT TO, e.g. 250, 550 */
  char    *reply;         /* the server's whole reply text (enhanced code included) */
} CachetSmtpRecipientResult;

typedef struct
{
  GPtrArray *recipients;  /* CachetSmtpRecipientResult, in the order given */
  guint      data_code;   /* reply to the final "." (0 if not reached) */
  char      *data_reply;  /* e.g. "2.0.0 Ok: queued as 4Xyz" */
} CachetSmtpSendResult;

void cachet_smtp_send_result_free (CachetSmtpSendResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetSmtpSendResult, cachet_smtp_send_result_free)

typedef struct _CachetSmtpSession CachetSmtpSession;

CachetSmtpSession *cachet_smtp_session_new  (void);
void               cachet_smtp_session_free (CachetSmtpSession *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetSmtpSession, cachet_smtp_session_free)

/* Connects, reads the greeting, EHLO (falls back to HELO only for a server that refuses
 * EHLO), STARTTLS when @server says so, EHLO again.  Port 0: 465 for TLS, else 587.
 * @extra_ca_file may be NULL; @timeout_seconds (0: 60) bounds the connection, the
 * handshake and each reply.  On CACHET_NET_ERROR_CERTIFICATE(_CHANGED) the check is kept
 * for cachet_smtp_session_get_tls_check(). */
gboolean     cachet_smtp_session_connect        (CachetSmtpSession          *self,
                                                 const CachetServerSettings *server,
                                                 const char                 *extra_ca_file,
                                                 guint                       timeout_seconds,
                                                 GCancellable               *cancellable,
                                                 GError                    **error);
const CachetTlsCheck *cachet_smtp_session_get_tls_check (CachetSmtpSession *self);
/* An EHLO keyword ("8BITMIME", "PIPELINING") or keyword and argument ("AUTH CRAM-MD5"). */
gboolean     cachet_smtp_session_has_extension  (CachetSmtpSession *self,
                                                 const char        *extension);
/* The server's SIZE limit in octets, 0 when it states none. */
guint64      cachet_smtp_session_get_max_size   (CachetSmtpSession *self);
/* AUTH with @method (CACHET_AUTH_AUTO: PLAIN if offered, else LOGIN, else CRAM-MD5;
 * CACHET_AUTH_NONE: nothing is sent).  Refused: CACHET_NET_ERROR_AUTH with the server's
 * reply (535 5.7.8 ...); not offered: CACHET_NET_ERROR_AUTH_UNSUPPORTED and nothing sent. */
gboolean     cachet_smtp_session_login          (CachetSmtpSession *self,
                                                 const char        *user,
                                                 const char        *password,
                                                 CachetAuthMethod   method,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* Sends one message: @message is the whole RFC 5322 message with LF or CRLF line ends
 * (CRLF and dot-stuffing are done here, streamed, never a second copy in memory).  SIZE is
 * checked before MAIL FROM (CACHET_SMTP_ERROR_TOO_LARGE, nothing sent); MAIL FROM carries
 * SIZE= and BODY=8BITMIME when the message has 8-bit bytes and the server offers it.
 * When some recipients are refused and others accepted the message goes to the accepted
 * ones, returns TRUE, and @result says who was refused and why; when all are refused it
 * is CACHET_SMTP_ERROR_RECIPIENT_REJECTED (RELAY_REFUSED when the reply says so) and no
 * DATA is sent.  @result (may be NULL) is set in both cases.  The session stays usable
 * after a refused message (RSET). */
gboolean     cachet_smtp_session_send           (CachetSmtpSession     *self,
                                                 const char            *from,
                                                 const char * const    *recipients,
                                                 GBytes                *message,
                                                 CachetSmtpSendResult **result,
                                                 GCancellable          *cancellable,
                                                 GError               **error);
/* QUIT and close. */
gboolean     cachet_smtp_session_quit           (CachetSmtpSession *self,
                                                 GError           **error);

G_END_DECLS
