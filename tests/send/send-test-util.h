/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cachet-account.h"
#include "cachet-sender.h"
#include "cachet-store.h"
#include "cachet-test-servers.h"

G_BEGIN_DECLS

/* Helpers of the send tests, on top of the test servers library (tests/servers). */

#define SEND_TEST_DELIVERY_MS 60000

/* An account @id of the server user @user: sends through @port with @security and AUTH
 * @auth (its password, or @password when not NULL, remembered for the session), trusting
 * the test CA; fetches from the servers' POP3S.  Added to @list when not NULL. */
CachetAccount *send_test_account    (CachetTestServers    *servers,
                                     CachetAccountList    *list,
                                     const char           *id,
                                     const char           *user,
                                     guint16               port,
                                     CachetSecurity        security,
                                     CachetAuthMethod      auth,
                                     const char           *password);
/* Points the account's outgoing server at @port (the password stays remembered). */
void           send_test_set_port   (CachetAccount        *account,
                                     guint16               port);

/* A message from @from to @to with a unique Message-ID <@tag@cachet-test.example.test>,
 * 8-bit UTF-8 text, lines that need dot-stuffing and, with @attachments, two base64
 * attachments (multipart/mixed); LF line ends. */
GBytes        *send_test_message    (const char           *from,
                                     const char           *to,
                                     const char           *tag,
                                     gboolean              attachments);
/* Runs the thread-default main context until the sender is idle. */
void           send_test_wait_idle  (CachetSender         *sender);
/* Queues @message through the sender and waits for its id. */
gint64         send_test_queue      (CachetSender         *sender,
                                     const char           *account_id,
                                     GBytes               *message,
                                     const char * const   *recipients);
/* The outbox record of @id, or NULL when it is no longer in the Outbox. */
CachetOutboxRecord *send_test_record (CachetStore         *store,
                                      gint64               id);
/* Waits until Postfix has delivered or bounced everything it accepted. */
void           send_test_wait_queue_empty (CachetTestServers *servers);
/* How many messages of @maildir carry Message-ID <@tag@cachet-test.example.test>. */
guint          send_test_count_tag  (const char           *maildir,
                                     const char           *tag);
/* Is @got exactly @sent (as delivered: LF line ends, a final one) below trace headers the
 * servers added on top (Return-Path, Delivered-To, Received)?  Says why not in @why. */
gboolean       send_test_same_below_trace (GBytes         *sent,
                                           GBytes         *got,
                                           char          **why);

G_END_DECLS
