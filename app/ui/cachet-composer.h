/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cachet-account.h"
#include "cachet-crypto-registry.h"
#include "cachet-draft.h"
#include "cachet-encrypt-memory.h"
#include "cachet-sender.h"
#include "cachet-store.h"

G_BEGIN_DECLS

/* The window to write one message: From (the account), To, Cc, Bcc (completed from the
 * addresses seen in the store), Subject, the text, attachments, the account's signature,
 * and a line that says how the message will be protected on its way.  What is written is
 * saved to the Drafts folder 30 seconds after a change, with Ctrl+S, and on closing.
 * Send (Ctrl+Return) hands the message to the outbox (CachetSender) and removes the
 * draft. */
#define CACHET_TYPE_COMPOSER (cachet_composer_get_type ())
G_DECLARE_FINAL_TYPE (CachetComposer, cachet_composer, CACHET, COMPOSER, GtkApplicationWindow)

/* Starts from @draft (taken; NULL: an empty message).  @draft_id is the copy of it in the
 * Drafts folder that it continues, 0 for a new message; a new message gets the signature
 * of its account, a continued one has it already.  @app may be NULL (tests). */
CachetComposer *cachet_composer_new          (GtkApplication    *app,
                                              CachetStore       *store,
                                              CachetAccountList *accounts,
                                              CachetDraft       *draft,
                                              gint64             draft_id);
/* Where Send hands the message; without one Send says that sending is not available. */
void            cachet_composer_set_sender   (CachetComposer    *self,
                                              CachetSender      *sender);
/* The message replied to or forwarded (@flag: CACHET_FLAG_REPLIED or CACHET_FLAG_PASSED),
 * marked so once this one is queued. */
void            cachet_composer_set_original (CachetComposer    *self,
                                              gint64             message_id,
                                              CachetFlags        flag);
/* The copy in the Drafts folder, 0 while there is none. */
gint64          cachet_composer_get_draft_id (CachetComposer    *self);
/* Attaches a file, as the file chooser and dropped files do.  Its type and size are read
 * off the main thread; a folder or unreadable file is refused in the window's bar. */
void            cachet_composer_attach_file  (CachetComposer    *self,
                                              GFile             *file);
/* Puts the fields into the draft and returns it (borrowed), or NULL while a save holds
 * it.  For tests. */
CachetDraft    *cachet_composer_sync_draft   (CachetComposer    *self);

/* Encryption.  Encrypt and Sign are window actions ("win.encrypt", "win.sign", boolean
 * states) behind toggle buttons and menu items.  Encrypt starts on when every recipient is
 * someone the user sent encrypted mail to before (cachet-encrypt-memory.h), until the user
 * sets it.  While it is on, the recipients' keys are looked up in a worker a moment after
 * they change, and the privacy line says "Encrypted end to end" only when every one has a
 * key; else it names those without.  Send then refuses (naming them); a message that can be
 * sealed is sealed in a worker before it goes to the Outbox. */
/* The plugins to use (borrowed; NULL: none) instead of the application's.  For tests. */
void            cachet_composer_set_crypto_registry (CachetComposer       *self,
                                                     CachetCryptoRegistry *registry);
/* The memory of who to encrypt to (NULL: the default file).  For tests. */
void            cachet_composer_set_encrypt_memory  (CachetComposer       *self,
                                                     CachetEncryptMemory  *memory);
gboolean        cachet_composer_get_encrypt         (CachetComposer       *self);
/* Sets Encrypt as the user would (the memory no longer changes it): a reply to an
 * encrypted message starts encrypted. */
void            cachet_composer_set_encrypt         (CachetComposer       *self,
                                                     gboolean              encrypt);
gboolean        cachet_composer_get_sign            (CachetComposer       *self);
/* TRUE while a look-up of the recipients' keys is due or running. */
gboolean        cachet_composer_is_checking_keys    (CachetComposer       *self);

/* Signals:
 *   "saved" (gint64 draft_id): a copy is in Drafts
 *   "sent" (gint64 outbox_id): queued for sending; the window closes
 *   "keys-checked": the recipients' keys were looked up and the privacy line says so */

G_END_DECLS
