/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libetpan/libetpan.h>
#include <signal.h>

#include "cachet-pop3-private.h"
#include "cachet-pop3-session.h"

G_BEGIN_DECLS

/* Shared between cachet-pop3-session.c (connection, TLS, login) and
 * cachet-pop3-commands.c (LIST, RETR, DELE, QUIT). */

#define CACHET_POP3_READ_SIZE (64 * 1024)

typedef struct
{
  guint   number;
  guint64 size;
} CachetPop3Size;

struct _CachetPop3Session
{
  mailpop3       *pop3;          /* greeting, CAPA and STLS go through libetpan */
  mailstream     *stream;        /* also pop3->pop3_stream once the greeting was read */
  char           *host;
  guint16         port;
  CachetSecurity  security;
  guint           timeout;       /* seconds, for the connection and for each read */
  gboolean        trace;         /* CACHET_PROTOCOL_TRACE=1 */

  gboolean        connected;
  gboolean        tls;           /* encrypted, certificate accepted */
  gboolean        logged_in;
  gboolean        broken;        /* dropped, cancelled or out of step: only free is left */
  CachetTlsCheck *tls_check;
  GHashTable     *capabilities;  /* upper-case name -> arguments ("" when none) */
  gboolean        have_capa;
  char           *timestamp;     /* APOP challenge from the greeting */
  gboolean        have_uidl;
  gboolean        no_pipelining;
  GArray         *sizes;         /* CachetPop3Size by number, from the last LIST */

  guint8         *buf;           /* bytes read but not parsed yet */
  gsize           buf_start;
  gsize           buf_end;
  guint8         *out;           /* decoded message data for the sink */
  GString        *line;

  GMutex          fd_lock;       /* guards fd against the cancellation callback */
  int             fd;            /* the socket, shut down to interrupt a blocking read */
  gboolean        fd_owned;      /* no stream owns fd yet */
  gint            cancelled;     /* atomic */
};

/* Brackets each blocking operation: the cancellable shuts the socket down, SIGPIPE is
 * held back for this thread. */
typedef struct
{
  CachetPop3Session *self;
  GCancellable      *cancellable;
  gulong             handler;
  sigset_t           old_mask;
  gboolean           sigpipe_was_pending;
} CachetPop3Op;

gboolean     _cachet_pop3_op_begin        (CachetPop3Op      *op,
                                           CachetPop3Session *self,
                                           GCancellable      *cancellable,
                                           GError           **error);
void         _cachet_pop3_op_end          (CachetPop3Op      *op);

/* Fails unless connected, unbroken and (when @need_login) logged in. */
gboolean     _cachet_pop3_check_usable    (CachetPop3Session *self,
                                           gboolean           need_login,
                                           GError           **error);
gboolean     _cachet_pop3_check_cancelled (CachetPop3Session *self,
                                           GError           **error);
/* Turns a failed read or write into DISCONNECTED / CANCELLED and marks the session broken. */
void         _cachet_pop3_set_io_error    (CachetPop3Session *self,
                                           gint64             started,
                                           GError           **error);
void         _cachet_pop3_set_protocol_error (CachetPop3Session *self,
                                              const char        *what,
                                              const char        *line,
                                              GError           **error);

/* Reads more into buf (at least one byte). */
gboolean     _cachet_pop3_fill            (CachetPop3Session *self,
                                           GError           **error);
/* One line without its line end, in self->line. */
const char  *_cachet_pop3_read_line       (CachetPop3Session *self,
                                           GError           **error);
gboolean     _cachet_pop3_read_reply      (CachetPop3Session *self,
                                           CachetPop3Reply   *reply,
                                           GError           **error);
/* Buffers "@command\r\n"; @shown replaces it in the trace (for secrets). */
gboolean     _cachet_pop3_queue           (CachetPop3Session *self,
                                           const char        *command,
                                           const char        *shown,
                                           GError           **error);
gboolean     _cachet_pop3_flush           (CachetPop3Session *self,
                                           GError           **error);
/* -ERR as CACHET_NET_ERROR_LOCKED ([IN-USE]), _SERVER ([SYS/...], [LOGIN-DELAY]) or
 * _AUTH (other refused logins), with the server's words. */
void         _cachet_pop3_set_refusal_error (CachetPop3Session     *self,
                                             const CachetPop3Reply *reply,
                                             gboolean               login,
                                             GError               **error);
void         _cachet_pop3_close           (CachetPop3Session *self);

G_END_DECLS
