/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libetpan/libetpan.h>

#include "cachet-net-stream.h"
#include "cachet-smtp-private.h"
#include "cachet-smtp-session.h"

G_BEGIN_DECLS

/* Shared between cachet-smtp-session.c (connection, TLS, EHLO, AUTH, QUIT) and
 * cachet-smtp-send.c (one message: MAIL, RCPT, DATA, RSET). */

#define CACHET_SMTP_READ_SIZE (16 * 1024)

struct _CachetSmtpSession
{
  mailsmtp        *smtp;         /* greeting, EHLO and STARTTLS go through libetpan */
  CachetNetStream *net;          /* the connection (GIO, plain or TLS) */
  mailstream      *stream;       /* libetpan's stream over net; also smtp->stream */
  char            *host;
  guint16          port;
  CachetSecurity   security;
  guint            timeout;      /* seconds, for the connection and for each reply */
  gboolean         trace;        /* CACHET_PROTOCOL_TRACE=1 */

  gboolean         connected;
  gboolean         tls;          /* encrypted, certificate accepted */
  gboolean         esmtp;        /* the server answered EHLO (not only HELO) */
  gboolean         logged_in;
  gboolean         broken;       /* dropped, cancelled or out of step: only free is left */
  CachetTlsCheck  *tls_check;
  GHashTable      *extensions;   /* upper-case EHLO keyword -> arguments ("" when none) */

  guint8          *buf;          /* bytes read but not parsed yet */
  gsize            buf_start;
  gsize            buf_end;
  GString         *line;
  guint8          *chunk;        /* DATA content on its way out */

  GCancellable    *cancellable;  /* of the operation under way (borrowed), or NULL */
  gboolean         cancelled;    /* an operation was cancelled: the session is finished */
};

/* One reply, all its lines. */
typedef struct
{
  guint  code;
  char  *text;       /* the lines' texts joined by spaces, made safe to show (enhanced
                      * code included: "5.7.8 Error: authentication failed") */
} CachetSmtpReply;

void         _cachet_smtp_reply_clear      (CachetSmtpReply *reply);
/* "535 5.7.8 Error: ...": for messages to the user (newly allocated). */
char        *_cachet_smtp_reply_describe   (const CachetSmtpReply *reply);

/* Brackets each blocking operation: its cancellable interrupts every read and write of
 * the stream while it runs.  FALSE when it is cancelled already. */
gboolean     _cachet_smtp_op_begin         (CachetSmtpSession *self,
                                            GCancellable      *cancellable,
                                            GError           **error);
void         _cachet_smtp_op_end           (CachetSmtpSession *self);

/* Fails unless connected and unbroken. */
gboolean     _cachet_smtp_check_usable     (CachetSmtpSession *self,
                                            GError           **error);
gboolean     _cachet_smtp_check_cancelled  (CachetSmtpSession *self,
                                            GError           **error);
/* Turns a failed read or write into DISCONNECTED / CANCELLED and marks the session broken. */
void         _cachet_smtp_set_io_error     (CachetSmtpSession *self,
                                            GError           **error);
void         _cachet_smtp_set_protocol_error (CachetSmtpSession *self,
                                              const char        *what,
                                              const char        *line,
                                              GError           **error);
/* A 4xx reply: CACHET_SMTP_ERROR_TEMPORARY with the server's words; 421 also means the
 * server is closing the connection, so the session is finished. */
void         _cachet_smtp_set_temporary_error (CachetSmtpSession     *self,
                                               const CachetSmtpReply *reply,
                                               GError               **error);

/* One reply (all its lines). */
gboolean     _cachet_smtp_read_reply       (CachetSmtpSession *self,
                                            CachetSmtpReply   *reply,
                                            GError           **error);
/* Buffers "@command\r\n" (sent at the next flush, or when the buffer fills); @shown
 * replaces it in the trace (for secrets). */
gboolean     _cachet_smtp_queue            (CachetSmtpSession *self,
                                            const char        *command,
                                            const char        *shown,
                                            GError           **error);
gboolean     _cachet_smtp_flush            (CachetSmtpSession *self,
                                            GError           **error);
/* Writes raw bytes (DATA content) through the stream's buffer. */
gboolean     _cachet_smtp_write            (CachetSmtpSession *self,
                                            const guint8      *data,
                                            gsize              len,
                                            GError           **error);
void         _cachet_smtp_close            (CachetSmtpSession *self);

/* An empty array for CachetSmtpSendResult.recipients (frees its elements). */
GPtrArray   *_cachet_smtp_recipient_results_new (void);

G_END_DECLS
