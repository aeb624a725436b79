/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-store.h"

G_BEGIN_DECLS

/* The outbox: a message to send is first written to the Outbox folder (durable, indexed,
 * with its envelope and account in the store's outbox table), then a worker thread sends
 * what is waiting over SMTP (one session per account for all its waiting messages).  For
 * each message it records "sent" in the store before moving it to Sent, so a failed move
 * never sends it twice.  A failure leaves it in the Outbox with the server's reply and a
 * next-try time (backoff: 1, 2, 5, 10, 30 min, then hourly); errors that cannot get better
 * by waiting (recipient rejected, too large, relay refused) wait for the user.  One sender
 * per process; the UI and `cachet send` both use it. */
#define CACHET_TYPE_SENDER (cachet_sender_get_type ())
G_DECLARE_FINAL_TYPE (CachetSender, cachet_sender, CACHET, SENDER, GObject)

/* CachetOutboxState (waiting, sending, failed, sent) is declared in cachet-store.h, whose
 * outbox keeps it. */

typedef struct
{
  gint64             message_id;     /* in the store (Outbox folder) */
  char              *account_id;
  CachetOutboxState  state;
  guint              attempts;
  gint64             next_try;       /* unix time, 0: now */
  char              *reason;         /* last failure in plain words, or NULL */
} CachetOutboxEntry;

void cachet_outbox_entry_free (CachetOutboxEntry *entry);

CachetSender *cachet_sender_new            (CachetStore       *store,
                                            CachetAccountList *accounts);
/* Writes @message (RFC 5322, LF line ends) to the Outbox for @account_id with these
 * envelope recipients, then wakes the worker.  Returns the message's store id. */
void          cachet_sender_queue_async    (CachetSender        *self,
                                            const char          *account_id,
                                            GBytes              *message,
                                            const char * const  *recipients,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gint64        cachet_sender_queue_finish   (CachetSender  *self,
                                            GAsyncResult  *result,
                                            GError       **error);
/* Try everything waiting (or failed) now, ignoring the backoff. */
void          cachet_sender_send_now       (CachetSender *self);
/* The Outbox as the store has it (CachetOutboxEntry). */
GPtrArray    *cachet_sender_list           (CachetSender *self);
/* Takes a message out of the queue (to edit it as a draft, or to delete it). */
gboolean      cachet_sender_withdraw_sync  (CachetSender  *self,
                                            gint64         message_id,
                                            GError       **error);

/* Signals (main context of the creator):
 *   "changed" (gint64 message_id): a message's state changed
 *   "sent" (gint64 message_id, gint64 sent_message_id) */

G_END_DECLS
