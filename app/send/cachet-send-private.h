/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-sender.h"
#include "cachet-smtp-session.h"

G_BEGIN_DECLS

/* cachet-send-policy.c: the decisions, apart from the protocol (unit-tested). */

typedef enum
{
  CACHET_SEND_RETRY,      /* may get better by waiting: WAITING, next try after a backoff */
  CACHET_SEND_USER,       /* will not: FAILED, waits for the user */
  CACHET_SEND_IN_DOUBT,   /* broken off where the server may have taken it: in doubt */
} CachetSendVerdict;

/* What a failure of one message means.  @reached_data: the server had accepted a
 * recipient, so the content was (being) sent when @error happened. */
CachetSendVerdict _cachet_send_classify   (const GError *error,
                                           gboolean      reached_data);
/* Unix time of the next try after the @attempts-th failed one (1, 2, ...): 1, 2, 5, 10, 30
 * minutes, then hourly. */
gint64            _cachet_send_next_try   (guint         attempts,
                                           gint64        now);
/* Whether the send result says some recipients were accepted (the DATA phase was
 * reached). */
gboolean          _cachet_send_reached_data (const CachetSmtpSendResult *result);
/* "a@example.org (550 5.1.1 ...)": the refused recipients of a message that went to the
 * others; NULL when none was refused. */
char             *_cachet_send_describe_refused (const CachetSmtpSendResult *result);

/* cachet-send-worker.c */

/* An account as the worker needs it, copied in the main thread. */
typedef struct
{
  char                 *id;
  char                 *name;
  char                 *address;
  CachetServerSettings *smtp;
  char                 *ca_file;
} CachetSendAccount;

void _cachet_send_account_free (CachetSendAccount *account);

typedef struct _CachetSendJob CachetSendJob;

/* What a run tells the sender (in its main context): events in order, through these. */
typedef void (*CachetSendEventFunc) (gpointer     sender,   /* a new reference, or NULL */
                                     const char  *signal,   /* "changed", "sent", "notice" */
                                     gint64       message_id,
                                     const char  *text);

struct _CachetSendJob
{
  CachetStore  *store;
  GHashTable   *accounts;          /* id -> CachetSendAccount */
  guint         secrets_timeout_ms;
  guint         network_timeout_s;
  gboolean      retry_all;         /* cachet_sender_send_now() was called */
  GArray       *retry;             /* gint64: cachet_sender_retry() */
  GMainContext *context;           /* the sender's */
  GWeakRef      sender;

  GCancellable *stop;              /* stop after the message being sent */
  GCancellable *cancel;            /* stop at once */

  gint64        next_wakeup;       /* out: the earliest next try, 0: none */
};

void     _cachet_send_job_free (CachetSendJob *job);
/* The whole run, in the worker thread: lock, recover, one session per account. */
gboolean _cachet_send_run      (CachetSendJob *job,
                                GError       **error);
/* Queues the emission of @signal in the sender's context. */
void     _cachet_send_emit     (CachetSendJob *job,
                                const char    *signal,
                                gint64         message_id,
                                const char    *text);
/* Queues the news of @account_id's certificate: @check (copied) was refused for the
 * messages @ids, or, with @check NULL, the server's certificate passed the check. */
void     _cachet_send_emit_certificate (CachetSendJob        *job,
                                        const char           *account_id,
                                        const CachetTlsCheck *check,
                                        GArray               *ids);

/* cachet-sender.c, in the sender's context: keeps (@check, transfer full, and @ids) or
 * forgets (@check NULL) the refused certificate of @account_id, and emits
 * "certificate". */
void     _cachet_sender_take_certificate (CachetSender   *self,
                                          const char     *account_id,
                                          CachetTlsCheck *check,
                                          GArray         *ids);

G_END_DECLS
