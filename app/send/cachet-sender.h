/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-account.h"
#include "cachet-store.h"
#include "cachet-tls.h"

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
  char              *account_id;     /* NULL: not queued (no envelope known: edit or delete) */
  CachetOutboxState  state;
  guint              attempts;
  gint64             next_try;       /* unix time, 0: now */
  char              *reason;         /* last failure in plain words, or NULL */
  /* Added with the implementation (compatible extension): */
  gboolean           in_doubt;       /* FAILED because sending it was interrupted where the
                                        server may have taken it: never sent again by itself;
                                        cachet_sender_retry() is the user's "send it again" */
} CachetOutboxEntry;

void cachet_outbox_entry_free (CachetOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetOutboxEntry, cachet_outbox_entry_free)

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
/* Try everything waiting (or failed) now, ignoring the backoff; not the messages in doubt
 * (each needs the user's cachet_sender_retry()). */
void          cachet_sender_send_now       (CachetSender *self);
/* The Outbox as the store has it (CachetOutboxEntry). */
GPtrArray    *cachet_sender_list           (CachetSender *self);
/* Takes a message out of the queue (to edit it as a draft, or to delete it). */
gboolean      cachet_sender_withdraw_sync  (CachetSender  *self,
                                            gint64         message_id,
                                            GError       **error);

/* Added with the implementation (compatible extensions) -------------------------------- */

/* The user's "Retry now" for one message: due at once, a message in doubt included. */
void          cachet_sender_retry          (CachetSender *self,
                                            gint64        message_id);
/* cachet_sender_withdraw_sync() for the main thread.  Refused (CACHET_STORE_ERROR_INVALID)
 * while the message is being sent or after it was; the message stays in the Outbox folder,
 * not queued, for the caller to move (to Drafts) or delete. */
void          cachet_sender_withdraw_async (CachetSender        *self,
                                            gint64               message_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean      cachet_sender_withdraw_finish (CachetSender  *self,
                                             GAsyncResult  *result,
                                             GError       **error);
/* How long to wait for the keyring (ms) and for the server (s). */
void          cachet_sender_set_timeouts   (CachetSender *self,
                                            guint         secrets_ms,
                                            guint         network_s);
/* TRUE while the worker runs or is about to ("notify::busy" in the creator's context). */
gboolean      cachet_sender_is_busy        (CachetSender *self);
/* For quitting: asks every sender of this process to stop after the message it is sending,
 * waits up to half of @timeout_ms, then cancels what is still running (a message cut off
 * inside its transaction is in doubt afterwards) and waits for the rest.  FALSE if some
 * worker did not end in time. */
gboolean      cachet_sender_cancel_all     (guint         timeout_ms);

/* Certificates of outgoing servers, as for POP3 (added with the implementation) -------- */

/* The certificate the outgoing server of @account_id presented when the sender last
 * refused it (the messages failed with CACHET_NET_ERROR_CERTIFICATE, or
 * CACHET_NET_ERROR_CERTIFICATE_CHANGED when check->pin_mismatch), or NULL: none refused
 * since the last session that passed the check.  Owned by the sender; valid until the
 * next run or cachet_sender_accept_certificate(). */
const CachetTlsCheck *cachet_sender_get_tls_check (CachetSender *self,
                                                   const char   *account_id);
/* The user's acceptance of that certificate: pins @sha256_hex (hex, any case, ":" allowed)
 * on the account's SMTP settings in the sender's account list, saves the accounts file,
 * then retries the messages that failed on it.  Never a blind pin: refused
 * (CACHET_NET_ERROR_CERTIFICATE) unless @sha256_hex is the fingerprint of the certificate
 * the server presented, and (CACHET_NET_ERROR_CERTIFICATE_CHANGED) when it differs from
 * one pinned before. */
gboolean      cachet_sender_accept_certificate (CachetSender  *self,
                                                const char    *account_id,
                                                const char    *sha256_hex,
                                                GError       **error);

/* Signals (main context of the creator):
 *   "changed" (gint64 message_id): a message's state changed
 *   "sent" (gint64 message_id, gint64 sent_message_id): it is in Sent now (the store keeps
 *          ids across moves, so both are the same id)
 *   "notice" (gint64 message_id, const char *text): something the user should know that is
 *          not a failure: some recipients refused while the others got it (added with the
 *          implementation)
 *   "certificate" (const char *account_id): the account's outgoing server presented a
 *          certificate that was refused; cachet_sender_get_tls_check() has it.  Emitted
 *          before the "changed" of the messages that failed on it (added with the
 *          implementation)
 * Property "busy" (boolean, read-only). */

G_END_DECLS
