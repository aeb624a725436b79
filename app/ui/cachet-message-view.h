/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-attachment-bar.h"
#include "cachet-crypto-registry.h"
#include "cachet-crypto-status.h"
#include "cachet-store.h"

G_BEGIN_DECLS

#define CACHET_TYPE_MESSAGE_VIEW (cachet_message_view_get_type ())
G_DECLARE_FINAL_TYPE (CachetMessageView, cachet_message_view, CACHET, MESSAGE_VIEW, GtkStack)

GtkWidget           *cachet_message_view_new                (void);
/* Loads message @id from @store in a worker thread, then shows it and emits "loaded". */
void                 cachet_message_view_show_message       (CachetMessageView *self,
                                                             CachetStore       *store,
                                                             gint64             id);
/* Shows a message already parsed (id 0: not from the store). */
void                 cachet_message_view_set_message        (CachetMessageView *self,
                                                             CachetMessage     *message);
void                 cachet_message_view_clear              (CachetMessageView *self);
/* The id of the message shown or being loaded, 0 when none. */
gint64               cachet_message_view_get_message_id     (CachetMessageView *self);
CachetMessage       *cachet_message_view_get_message        (CachetMessageView *self);
GtkTextView         *cachet_message_view_get_body_view      (CachetMessageView *self);
CachetAttachmentBar *cachet_message_view_get_attachment_bar (CachetMessageView *self);
/* The text of the warnings bar, NULL when hidden. */
const char          *cachet_message_view_get_warnings_text  (CachetMessageView *self);
/* The banner of a bounce ("Undeliverable to a@b: reason"), NULL when hidden. */
const char          *cachet_message_view_get_bounce_text    (CachetMessageView *self);
/* The message a bounce returns, when the store has it (its banner then offers "Show the
 * Original", which emits "show-original" with this id); else 0. */
gint64               cachet_message_view_get_original_id    (CachetMessageView *self);

/* Encrypted and signed mail.  A message that looks sealed is opened in a worker (asking
 * for a passphrase in a dialog over the window when a key needs one) and shown opened,
 * with the status bar above it; one that cannot be opened is shown as it is, and the bar
 * says why.  "opened" is emitted when that is done. */
/* The plugins to use (borrowed; NULL: none), instead of the application's.  For tests. */
void                 cachet_message_view_set_crypto_registry (CachetMessageView    *self,
                                                              CachetCryptoRegistry *registry);
CachetCryptoStatus  *cachet_message_view_get_crypto_status  (CachetMessageView *self);
/* TRUE while a message is being opened. */
gboolean             cachet_message_view_is_opening         (CachetMessageView *self);
/* TRUE when the message shown came encrypted and was decrypted (a reply to it, or the
 * message continued as a draft, starts with Encrypt on). */
gboolean             cachet_message_view_get_decrypted      (CachetMessageView *self);
/* The bar offering an attached public key ("Import Key"), NULL when hidden; its button. */
const char          *cachet_message_view_get_key_text       (CachetMessageView *self);
GtkWidget           *cachet_message_view_get_import_key_button (CachetMessageView *self);

G_END_DECLS
